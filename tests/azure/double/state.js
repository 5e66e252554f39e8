// What the double holds: resources by lower-cased id (ARM ids compare
// case-insensitively), long-running operations, counters and the violation
// list. An operation moves only when it is polled: it answers InProgress
// `polls` times, then ends (Succeeded, or Failed if a fail-lro fault marked
// it) and only then applies its change to the resources. No clocks, so a
// test sees the same sequence every run.
'use strict';
const { guid } = require('./util');

class State {
  constructor(opts) {
    this.opts = opts;
    this.resources = new Map(); // lower(id) -> resource
    this.ops = new Map(); // op id -> operation
    this.counts = {};
    this.violations = [];
    this.requests = 0;
    this.renderers = {}; // type -> (resource) -> body, for /_double/state
  }

  get(id) {
    return this.resources.get(String(id).toLowerCase());
  }

  // r: {id, type, name, rg, location, provisioningState, ...model}
  put(r) {
    this.resources.set(r.id.toLowerCase(), r);
    return r;
  }

  remove(id) {
    this.resources.delete(String(id).toLowerCase());
  }

  // Every resource whose id is below prefix (not prefix itself).
  under(prefix) {
    const p = prefix.toLowerCase() + '/';
    return [...this.resources.entries()].filter(([k]) => k.startsWith(p)).map(([, r]) => r);
  }

  ofType(type) {
    return [...this.resources.values()].filter((r) => r.type.toLowerCase() === type.toLowerCase());
  }

  // A long-running operation. done(op) applies a success, failed(op) a
  // failure; failure: {code, message} from a fail-lro fault, or undefined.
  newOp({ kind, location, resourceId, failure, done, failed }) {
    const op = {
      id: guid(),
      kind,
      location,
      resourceId,
      failure,
      done,
      failed,
      status: 'InProgress',
      seen: 0,
      startTime: Date.now(),
      endTime: undefined,
    };
    this.ops.set(op.id.toLowerCase(), op);
    return op;
  }

  findOp(id) {
    return this.ops.get(String(id).toLowerCase());
  }

  // One poll: InProgress `polls` times, then the end.
  poll(op) {
    if (op.status !== 'InProgress') return op;
    if (op.seen < this.opts.polls) {
      op.seen++;
      return op;
    }
    op.endTime = Date.now();
    if (op.failure) {
      op.status = 'Failed';
      if (op.failed) op.failed(op);
    } else {
      op.status = 'Succeeded';
      if (op.done) op.done(op);
    }
    return op;
  }

  count(method, operation) {
    const k = `${method} ${operation}`;
    this.counts[k] = (this.counts[k] || 0) + 1;
  }

  snapshot() {
    const resources = {};
    for (const [k, r] of this.resources) {
      const render = this.renderers[r.type];
      resources[k] = {
        type: r.type,
        provisioningState: r.provisioningState,
        ...(r.powerState !== undefined ? { powerState: r.powerState } : {}),
        body: render ? render(r) : r.body,
      };
    }
    const pending = [...this.ops.values()].filter((o) => o.status === 'InProgress').map((o) => ({ id: o.id, kind: o.kind, resourceId: o.resourceId, polls: o.seen }));
    return { resources, counts: this.counts, violations: this.violations, requests: this.requests, pendingOperations: pending };
  }
}

module.exports = { State };
