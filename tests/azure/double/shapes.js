// Request checks for the providers that have no OpenAPI spec here (Network,
// Resources, DevTestLab, Authorization): a body is held to the RECORDED
// request bodies of the same resource type. At start the double walks every
// recorded PUT body (direct, and the resources inside recorded template
// deployments) and learns which property paths occur with which JSON types.
// A request may then only use those paths with those types, plus the few
// documented properties listed in DOCUMENTED (not in any recording; each one
// says where it comes from). On top come the required keys and values of
// rig's bodies (REQUIRED), also documented rather than recorded.
'use strict';

// Free-form string maps: their keys are not property names.
const MAPS = /(^|\.)tags$/;

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function walk(value, prefix, visit) {
  if (value === undefined) return;
  if (prefix) visit(prefix, value);
  if (MAPS.test(prefix)) return;
  if (Array.isArray(value)) {
    for (const x of value) walk(x, prefix + '[]', visit);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k, visit);
  }
}

// The resource type a recorded PUT wrote: Microsoft.X/a[/b...].
function typeFromPath(p) {
  const segs = p.split('/').filter(Boolean);
  const low = segs.map((s) => s.toLowerCase());
  const i = low.lastIndexOf('providers');
  if (i < 0) return low[2] === 'resourcegroups' && segs.length === 4 ? 'Microsoft.Resources/resourceGroups' : null;
  const ns = segs[i + 1];
  const types = [];
  for (let j = i + 2; j < segs.length; j += 2) types.push(segs[j]);
  return `${ns}/${types.join('/')}`;
}

const canon = (t) => t.toLowerCase();

// Properties rig may send that no recording holds (documented in the
// Network / DevTestLab / Authorization REST references).
const DOCUMENTED = {
  'microsoft.network/publicipaddresses': {
    'properties.dnsSettings': ['object'], // PublicIPAddressDnsSettings
    'properties.dnsSettings.domainNameLabel': ['string'],
  },
  'microsoft.network/networksecuritygroups': {
    'properties.securityRules[].properties.description': ['string'],
  },
  'microsoft.network/networksecuritygroups/securityrules': { 'properties.description': ['string'] },
  'microsoft.authorization/roleassignments': {
    'properties.principalType': ['string'], // 2022-04-01 RoleAssignmentProperties
    'properties.description': ['string'],
  },
  'microsoft.devtestlab/schedules': {
    tags: ['object'],
    'properties.notificationSettings.notificationLocale': ['string'],
  },
};

function learn(files) {
  const shapes = new Map(); // type -> Map(path -> Set(types))
  const sources = new Map(); // type -> Set("file#index")
  const add = (type, body, where) => {
    const t = canon(type);
    if (!shapes.has(t)) shapes.set(t, new Map());
    if (!sources.has(t)) sources.set(t, new Set());
    sources.get(t).add(where);
    const m = shapes.get(t);
    walk(body, '', (p, v) => {
      if (!m.has(p)) m.set(p, new Set());
      // A null in a template stands for "filled in later": any type.
      m.get(p).add(v === null ? 'any' : typeOf(v));
    });
  };
  for (const list of Object.values(files)) {
    for (const it of list) {
      if (it.method !== 'PUT' || !it.reqBody) continue;
      let body;
      try {
        body = JSON.parse(it.reqBody);
      } catch (e) {
        continue;
      }
      const where = `${it.file}#${it.index}`;
      const type = typeFromPath(it.path);
      if (!type) continue;
      if (canon(type) === 'microsoft.resources/deployments') {
        for (const r of (body.properties && body.properties.template && body.properties.template.resources) || []) {
          if (!/^Microsoft\.Network\//i.test(r.type)) continue;
          const { location, tags, sku, properties } = r;
          add(r.type, { location, tags, sku, properties }, where + ' (template)');
        }
        continue;
      }
      add(type, body, where);
      // A recorded standalone rule is also what a rule inside an NSG body is.
      if (canon(type) === 'microsoft.network/networksecuritygroups/securityrules') {
        add('Microsoft.Network/networkSecurityGroups', { properties: { securityRules: [body] } }, where + ' (as inline rule)');
      }
    }
  }
  return { shapes, sources };
}

// Checks body against the learned shape of type: [{code, message, path}].
function checkShape(learned, type, body) {
  const t = canon(type);
  const m = learned.shapes.get(t);
  if (!m) return [{ code: 'NO_RECORDING', message: `no recorded request body of type ${type}`, path: '' }];
  const extra = DOCUMENTED[t] || {};
  const errors = [];
  walk(body, '', (p, v) => {
    const allowed = new Set([...(m.get(p) || []), ...(extra[p] || [])]);
    const ty = typeOf(v);
    if (allowed.size === 0) {
      errors.push({ code: 'NOT_IN_RECORDING', message: `property ${p} is in no recorded ${type} request (nor documented)`, path: p });
    } else if (!allowed.has(ty) && !allowed.has('any')) {
      errors.push({ code: 'INVALID_TYPE', message: `${p} is ${ty}; recorded requests have ${[...allowed].join('|')}`, path: p });
    }
    if (MAPS.test(p) && ty === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'string') errors.push({ code: 'INVALID_TYPE', message: `${p}.${k} is ${typeOf(x)}, tags are strings`, path: `${p}.${k}` });
      }
    }
  });
  return errors;
}

// ---- Required keys and values of rig's bodies ----

const get = (o, p) => p.split('.').reduce((x, k) => (x && typeof x === 'object' ? x[k] : undefined), o);
const oneOf = (v, list) => typeof v === 'string' && list.some((x) => x.toLowerCase() === v.toLowerCase());

function need(errors, obj, p, type, at = '') {
  const v = get(obj, p);
  const full = at ? `${at}.${p}` : p;
  if (v === undefined || v === null) {
    errors.push({ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: `missing required property ${full}`, path: full });
    return undefined;
  }
  if (type && typeOf(v) !== type) {
    errors.push({ code: 'INVALID_TYPE', message: `${full} is ${typeOf(v)}, expected ${type}`, path: full });
    return undefined;
  }
  return v;
}

function value(errors, ok, p, message) {
  if (!ok) errors.push({ code: 'INVALID_VALUE', message: `${p}: ${message}`, path: p });
}

// A required string that must be one of list (case-insensitive).
function enumv(errors, obj, p, list, at = '') {
  const v = need(errors, obj, p, 'string', at);
  const full = at ? `${at}.${p}` : p;
  if (v !== undefined) value(errors, oneOf(v, list), full, `one of ${list.join(', ')}`);
}

// One NSG rule ({name, properties}); at: its path for messages.
function checkRule(errors, r, at) {
  if (!r || typeof r !== 'object') return errors.push({ code: 'INVALID_TYPE', message: `${at} is not an object`, path: at });
  need(errors, r, 'name', 'string', at);
  const p = need(errors, r, 'properties', 'object', at);
  if (!p) return;
  const pa = `${at}.properties`;
  enumv(errors, p, 'protocol', ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*'], pa);
  enumv(errors, p, 'access', ['Allow', 'Deny'], pa);
  enumv(errors, p, 'direction', ['Inbound', 'Outbound'], pa);
  const prio = need(errors, p, 'priority', 'number', pa);
  if (prio !== undefined) value(errors, Number.isInteger(prio) && prio >= 100 && prio <= 4096, `${pa}.priority`, 'an integer from 100 to 4096');
  // Each of the four may be given as one value or as a list (both recorded).
  for (const [one, many, re] of [
    ['sourcePortRange', 'sourcePortRanges', /^(\*|\d+(-\d+)?)$/],
    ['destinationPortRange', 'destinationPortRanges', /^(\*|\d+(-\d+)?)$/],
    ['sourceAddressPrefix', 'sourceAddressPrefixes', null],
    ['destinationAddressPrefix', 'destinationAddressPrefixes', null],
  ]) {
    const a = p[one];
    const b = p[many];
    const hasA = typeof a === 'string' && a !== '';
    const hasB = Array.isArray(b) && b.length > 0;
    if (!hasA && !hasB) {
      errors.push({ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: `${pa}: needs ${one} or ${many}`, path: `${pa}.${one}` });
      continue;
    }
    for (const x of hasB ? b : [a]) {
      if (re && !(typeof x === 'string' && re.test(x))) errors.push({ code: 'INVALID_VALUE', message: `${pa}.${hasB ? many : one}: "${x}" is not a port, range or *`, path: `${pa}.${one}` });
    }
  }
}

const REQUIRED = {
  'microsoft.resources/resourcegroups'(e, b) {
    need(e, b, 'location', 'string');
  },
  'microsoft.network/networksecuritygroups'(e, b) {
    need(e, b, 'location', 'string');
    const rules = get(b, 'properties.securityRules');
    if (rules !== undefined) {
      if (!Array.isArray(rules)) return e.push({ code: 'INVALID_TYPE', message: 'properties.securityRules is not an array', path: 'properties.securityRules' });
      rules.forEach((r, i) => checkRule(e, r, `properties.securityRules[${i}]`));
    }
  },
  'microsoft.network/networksecuritygroups/securityrules'(e, b) {
    checkRule(e, { name: b.name || 'rule', properties: b.properties }, '');
  },
  'microsoft.network/virtualnetworks'(e, b) {
    need(e, b, 'location', 'string');
    const pfx = need(e, b, 'properties.addressSpace.addressPrefixes', 'array');
    if (pfx) value(e, pfx.length > 0 && pfx.every((x) => typeof x === 'string'), 'properties.addressSpace.addressPrefixes', 'a non-empty list of CIDR strings');
    const subnets = get(b, 'properties.subnets');
    if (subnets !== undefined) {
      if (!Array.isArray(subnets)) return e.push({ code: 'INVALID_TYPE', message: 'properties.subnets is not an array', path: 'properties.subnets' });
      subnets.forEach((s, i) => {
        need(e, s, 'name', 'string', `properties.subnets[${i}]`);
        need(e, s, 'properties.addressPrefix', 'string', `properties.subnets[${i}]`);
        if (get(s, 'properties.networkSecurityGroup') !== undefined) need(e, s, 'properties.networkSecurityGroup.id', 'string', `properties.subnets[${i}]`);
      });
    }
  },
  'microsoft.network/publicipaddresses'(e, b) {
    need(e, b, 'location', 'string');
    value(e, get(b, 'sku.name') === 'Standard', 'sku.name', 'must be "Standard" (Basic public IPs are retired; rig uses Standard)');
    value(e, get(b, 'properties.publicIPAllocationMethod') === 'Static', 'properties.publicIPAllocationMethod', 'must be "Static" (Standard is static-only)');
    const label = get(b, 'properties.dnsSettings.domainNameLabel');
    if (label !== undefined) value(e, typeof label === 'string' && /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(label), 'properties.dnsSettings.domainNameLabel', 'lower-case letters, digits and hyphens, 3-63, starting with a letter');
  },
  'microsoft.network/networkinterfaces'(e, b) {
    need(e, b, 'location', 'string');
    const cfgs = need(e, b, 'properties.ipConfigurations', 'array');
    if (cfgs) {
      value(e, cfgs.length > 0, 'properties.ipConfigurations', 'at least one');
      cfgs.forEach((c, i) => {
        const at = `properties.ipConfigurations[${i}]`;
        need(e, c, 'name', 'string', at);
        need(e, c, 'properties.subnet.id', 'string', at);
        enumv(e, c, 'properties.privateIPAllocationMethod', ['Dynamic', 'Static'], at);
        if (get(c, 'properties.publicIPAddress') !== undefined) need(e, c, 'properties.publicIPAddress.id', 'string', at);
      });
    }
    if (get(b, 'properties.networkSecurityGroup') !== undefined) need(e, b, 'properties.networkSecurityGroup.id', 'string');
  },
  'microsoft.devtestlab/schedules'(e, b) {
    need(e, b, 'location', 'string');
    enumv(e, b, 'properties.status', ['Enabled', 'Disabled']);
    enumv(e, b, 'properties.taskType', ['ComputeVmShutdownTask']);
    const time = need(e, b, 'properties.dailyRecurrence.time', 'string');
    if (time !== undefined) value(e, /^([01]\d|2[0-3])[0-5]\d$/.test(time), 'properties.dailyRecurrence.time', 'HHMM, 24-hour');
    need(e, b, 'properties.timeZoneId', 'string');
    enumv(e, b, 'properties.notificationSettings.status', ['Enabled', 'Disabled']);
    need(e, b, 'properties.targetResourceId', 'string');
  },
  'microsoft.authorization/roleassignments'(e, b) {
    const rd = need(e, b, 'properties.roleDefinitionId', 'string');
    if (rd !== undefined) value(e, /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i.test(rd), 'properties.roleDefinitionId', '/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/GUID');
    const pid = need(e, b, 'properties.principalId', 'string');
    if (pid !== undefined) value(e, /^[0-9a-f-]{36}$/i.test(pid), 'properties.principalId', 'a GUID');
    const pt = get(b, 'properties.principalType');
    if (pt !== undefined) value(e, pt === 'ServicePrincipal', 'properties.principalType', 'ServicePrincipal for a managed identity');
  },
};

// All request checks of one PUT body for type: recorded shape + required.
function check(learned, type, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [{ code: 'INVALID_TYPE', message: 'the body is not a JSON object', path: '' }];
  }
  const errors = checkShape(learned, type, body);
  const req = REQUIRED[canon(type)];
  if (req) req(errors, body);
  return errors;
}

module.exports = { learn, check, typeFromPath, DOCUMENTED };
