// Small helpers shared by the ARM double's modules: JSON in the formats the
// recordings show, ids, times, IPv4 arithmetic.
'use strict';
const crypto = require('crypto');

// Compute and Network answer pretty-printed JSON with \r\n line ends and
// two-space indents; a key in `compact` is written on one line (the VM's
// networkProfile is, in every recorded compute body).
function pretty(value, compact = new Set(), indent = '') {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\r\n' + value.map((v) => inner + pretty(v, compact, inner)).join(',\r\n') + '\r\n' + indent + ']';
  }
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (keys.length === 0) return '{}';
  const parts = keys.map((k) => {
    const v = compact.has(k) ? JSON.stringify(value[k]) : pretty(value[k], compact, inner);
    return inner + JSON.stringify(k) + ': ' + v;
  });
  return '{\r\n' + parts.join(',\r\n') + '\r\n' + indent + '}';
}

// Rebuilds obj with its keys in the order a recorded body has them (keys the
// recording lacks go last), so answers read like the recordings.
function orderLike(tpl, obj) {
  if (Array.isArray(obj)) {
    const t = Array.isArray(tpl) && tpl.length ? tpl[0] : undefined;
    return obj.map((x) => orderLike(t, x));
  }
  if (obj === null || typeof obj !== 'object') return obj;
  const out = {};
  const t = tpl && typeof tpl === 'object' && !Array.isArray(tpl) ? tpl : {};
  for (const k of Object.keys(t)) if (obj[k] !== undefined) out[k] = orderLike(t[k], obj[k]);
  for (const k of Object.keys(obj)) if (!(k in out) && obj[k] !== undefined) out[k] = orderLike(undefined, obj[k]);
  return out;
}

// Two recorded bodies' key orders as one template: b's extra keys go right
// after the key that precedes them in b.
function mergeOrder(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) && a.length ? a[0] : undefined;
    const y = Array.isArray(b) && b.length ? b[0] : undefined;
    return x === undefined ? (y === undefined ? [] : [y]) : [y === undefined ? x : mergeOrder(x, y)];
  }
  const isObj = (o) => o !== null && typeof o === 'object';
  if (!isObj(a)) return b;
  if (!isObj(b)) return a;
  const keys = Object.keys(a);
  let prev = null;
  for (const k of Object.keys(b)) {
    if (!keys.includes(k)) keys.splice(prev === null ? 0 : keys.indexOf(prev) + 1, 0, k);
    prev = k;
  }
  const out = {};
  for (const k of keys) out[k] = k in a && k in b ? mergeOrder(a[k], b[k]) : k in a ? a[k] : b[k];
  return out;
}

const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
const guid = () => crypto.randomUUID();
const etag = () => `W/"${guid()}"`;
const hex = (n) => crypto.randomBytes(n).toString('hex');

// Compute's time format: 7 fractional digits and +00:00.
function computeTime(ms = Date.now()) {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000+00:00');
}

// The azure-cli recorder sometimes stored a request body as Python's repr of
// bytes (b'...'): undo that.
function unPyBytes(s) {
  if (typeof s !== 'string' || !s.startsWith("b'") || !s.endsWith("'")) return s;
  return s.slice(2, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e) => {
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', r: '\r', t: '\t' }[e] ?? e;
  });
}

// "10.0.0.0/24", k -> the address Azure gives the k-th NIC there (from .4:
// the first four addresses of a subnet are reserved).
function subnetHost(prefix, k = 0) {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix || '');
  if (!m) return `10.0.0.${4 + k}`;
  const bits = Number(m[5]);
  let n = ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
  if (bits > 0 && bits < 32) n = (n & (0xffffffff << (32 - bits))) >>> 0;
  n = (n + 4 + k) >>> 0;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

// The ARM error envelope.
const armError = (code, message, extra) => ({ error: { code, message, ...(extra || {}) } });

// Fills {name} placeholders of a message template.
const fill = (tpl, vars) => tpl.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

// Case-insensitive equality of ARM ids and names.
const same = (a, b) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

module.exports = { pretty, orderLike, mergeOrder, clone, guid, etag, hex, computeTime, unPyBytes, subnetHost, armError, fill, same };
