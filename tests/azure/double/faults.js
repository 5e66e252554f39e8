// Scripted failures, set by a test through POST /_double/faults. Each fault
// counts the requests it matches (method, and a case-insensitive regex on the
// path without the query) and hits the nth of them and the `times - 1` after.
'use strict';

const KINDS = ['429', '500', '503', 'drop', 'slow', 'expire-token', 'fail-lro', 'error', 'foreign-nextpage'];

class Faults {
  constructor() {
    this.list = [];
  }

  // Throws on a malformed fault, so a test's typo is an error, not a no-op.
  add(arr) {
    if (!Array.isArray(arr)) arr = [arr];
    const parsed = arr.map((f, i) => {
      if (!f || typeof f !== 'object') throw new Error(`fault ${i}: not an object`);
      const kind = String(f.kind);
      if (!KINDS.includes(kind)) throw new Error(`fault ${i}: kind must be one of ${KINDS.join(', ')}`);
      const m = f.match || {};
      const nth = f.nth === undefined ? 1 : Number(f.nth);
      const times = f.times === undefined ? 1 : Number(f.times);
      if (!(nth >= 1) || !(times >= 1)) throw new Error(`fault ${i}: nth and times are >= 1`);
      if (kind === 'error' && f.status !== undefined && !(f.status >= 400 && f.status <= 599)) throw new Error(`fault ${i}: status must be 4xx or 5xx`);
      return {
        ...f,
        kind,
        match: m,
        method: m.method ? String(m.method).toUpperCase() : null,
        re: m.path ? new RegExp(m.path, 'i') : null,
        nth,
        times,
        seen: 0,
        hits: 0,
      };
    });
    this.list.push(...parsed);
    return parsed.length;
  }

  clear() {
    this.list = [];
  }

  // The faults that hit this request (each matching fault counts it).
  take(method, path) {
    const hit = [];
    for (const f of this.list) {
      if (f.method && f.method !== method) continue;
      if (f.re && !f.re.test(path)) continue;
      f.seen++;
      if (f.seen >= f.nth && f.seen < f.nth + f.times) {
        f.hits++;
        hit.push(f);
      }
    }
    return hit;
  }

  describe() {
    return this.list.map(({ re, method, ...f }) => f);
  }
}

module.exports = { Faults, KINDS };
