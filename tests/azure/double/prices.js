// The Retail Prices API (GET /api/retail/prices), answered from the BUILT
// rows in fixtures/built/retail-prices.json (not a capture: see README).
// It understands the OData $filter clauses rig uses (`field eq 'value'`
// joined by `and`), pages the result (--prices-page items a page, 2 by
// default, so paging is always exercised) and links the next page on the
// double's own host, as the real service links prices.azure.com.
'use strict';

const FIELDS = ['armRegionName', 'armSkuName', 'serviceName', 'priceType', 'productName', 'skuName', 'meterName', 'serviceFamily', 'location', 'currencyCode', 'type', 'unitOfMeasure'];
const PRICE_TYPES = ['Consumption', 'Reservation', 'DevTestConsumption'];
// Documented versions; "2023-01-01" (no -preview) answers 400 in public captures.
const API_VERSIONS = ['2021-10-01-preview', '2023-01-01-preview'];
// Built conversion factors for currencyCode (not real rates).
const CURRENCY = { USD: 1, EUR: 0.92, GBP: 0.79 };

// "armRegionName eq 'westeurope' and armSkuName eq 'Standard_D4s_v5'" ->
// [{field, value}], or null if it is not that form.
function parseFilter(s) {
  if (s === null || s.trim() === '') return [];
  const clauses = s.split(/\s+and\s+/i);
  const out = [];
  for (const c of clauses) {
    const m = /^\s*\(?\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*\)?\s*$/i.exec(c);
    if (!m) return null;
    const field = FIELDS.find((f) => f.toLowerCase() === m[1].toLowerCase());
    if (!field) return null;
    out.push({ field, value: m[2].replace(/''/g, "'") });
  }
  return out;
}

class Prices {
  constructor(opts, built) {
    this.opts = opts;
    this.items = built.Items;
  }

  handle(ctx) {
    ctx.operation('RetailPrices_List');
    const bad = (message) => {
      ctx.violate('request', message, []);
      return ctx.json(400, { Error: { Code: 'BadRequest', Message: 'Invalid OData parameters supplied' } });
    };
    const api = ctx.query.get('api-version');
    if (api !== null && !API_VERSIONS.includes(api)) {
      ctx.violate('api-version', `Retail Prices api-version ${api}; known: ${API_VERSIONS.join(', ')}`, []);
      return ctx.json(400, { Error: { Code: 'BadRequest', Message: 'Unsupported API version' } });
    }
    const clauses = parseFilter(ctx.query.get('$filter'));
    if (clauses === null) return bad(`$filter not understood: ${ctx.query.get('$filter')}`);
    for (const c of clauses) {
      if (c.field === 'priceType' && !PRICE_TYPES.includes(c.value)) return bad(`priceType ${c.value}`);
    }
    const currency = (ctx.query.get('currencyCode') || 'USD').replace(/'/g, '').toUpperCase();
    const factor = CURRENCY[currency];
    if (factor === undefined) return bad(`currencyCode ${currency} (the double knows ${Object.keys(CURRENCY).join(', ')})`);
    // Values compare exactly (case-sensitive), so rig sends Azure's spelling.
    let rows = this.items.filter((it) => clauses.every((c) => String(it[c.field === 'priceType' ? 'type' : c.field]) === c.value));
    rows = rows.map((it) => {
      const r = { ...it, currencyCode: currency, retailPrice: round(it.retailPrice * factor), unitPrice: round(it.unitPrice * factor) };
      // 2023-01-01-preview adds savingsPlan to the Linux pay-as-you-go rows.
      if (api === '2023-01-01-preview' && r.type === 'Consumption' && r.serviceName === 'Virtual Machines' && !/ Windows$/.test(r.productName) && !/ (Spot|Low Priority)$/.test(r.skuName)) {
        r.savingsPlan = [
          { unitPrice: round(r.unitPrice * 0.66), retailPrice: round(r.unitPrice * 0.66), term: '1 Year' },
          { unitPrice: round(r.unitPrice * 0.47), retailPrice: round(r.unitPrice * 0.47), term: '3 Years' },
        ];
      }
      return r;
    });
    const skip = Math.max(0, parseInt(ctx.query.get('$skip') || '0', 10) || 0);
    const size = this.opts.pricesPage;
    const page = rows.slice(skip, skip + size);
    let next = null;
    if (skip + size < rows.length || ctx.flags.foreignNextPage) {
      // The same query, with $skip moved on.
      const q = ctx.rawQuery.replace(/^\?/, '').split('&').filter((kv) => kv && !/^(\$|%24)skip=/i.test(kv));
      q.push(`$skip=${skip + size}`);
      const host = ctx.flags.foreignNextPage ? 'http://evil.example' : `http://127.0.0.1:${this.opts.port}`;
      next = `${host}/api/retail/prices?${q.join('&')}`;
    }
    return ctx.json(200, { BillingCurrency: currency, CustomerEntityId: 'Default', CustomerEntityType: 'Retail', Items: page, NextPageLink: next, Count: page.length });
  }
}

const round = (x) => Math.round(x * 1e6) / 1e6;

module.exports = { Prices, parseFilter };
