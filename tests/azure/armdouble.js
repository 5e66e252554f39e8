#!/usr/bin/env node
// TEST DOUBLE, not Azure: a stand-in for Azure Resource Manager, the AAD
// token endpoint, IMDS and the Retail Prices API on 127.0.0.1, that rig's
// Azure provider is tested against. Compute requests (and the double's own
// compute answers) are checked by Microsoft's validator oav against the
// 2021-03-01 compute spec; Network, Resources, DevTestLab and Authorization
// requests against the recorded azure-cli traffic (the cassettes); what no
// recording holds (tokens, prices, throttling, most errors) is BUILT from
// documentation and labelled so (tests/azure/README.md).
//
//   node tests/azure/armdouble.js --port-file FILE [options]   (see usage())
//
// Anything it refuses because rig asked wrongly is recorded as a violation
// (GET /_double/violations); tests assert that list is empty at the end.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { State } = require('./double/state');
const { Faults } = require('./double/faults');
const { Oav } = require('./double/oav');
const { Auth } = require('./double/auth');
const { Prices } = require('./double/prices');
const { Arm } = require('./double/arm');
const cassettes = require('./double/cassettes');
const shapes = require('./double/shapes');
const { guid } = require('./double/util');

const FIX = path.join(__dirname, 'fixtures');

function usage(msg) {
  if (msg) process.stderr.write(`armdouble: ${msg}\n`);
  process.stderr.write(`usage: node armdouble.js --port-file FILE [--port N]
  [--subscription ID] [--tenant T] [--client-id ID] [--client-secret S]
  [--public-ip ADDR] [--authorized-keys FILE] [--host-key FILE] [--imds-vm NAME]
  [--vm-host VM=KEYS_FILE,HOST_KEY_FILE]...
  [--polls N] [--retry-after S] [--token-lifetime S] [--prices-page N]
  [--log FILE]
       node armdouble.js --print-shapes   (the request shapes learned from the cassettes)
`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    portFile: null,
    port: 0,
    subscription: '00000000-0000-0000-0000-000000000000',
    tenant: 'tenant-1',
    clientId: 'client-1',
    clientSecret: 'secret-1',
    publicIp: '203.0.113.10',
    authorizedKeys: null,
    hostKey: null,
    vmHosts: {}, // VM name (lower case) -> {keys, hostKey}: that VM's files
    imdsVm: null,
    polls: 1,
    retryAfter: 0,
    tokenLifetime: 3599,
    pricesPage: 2,
    log: null,
  };
  const names = { '--port-file': 'portFile', '--port': 'port', '--subscription': 'subscription', '--tenant': 'tenant', '--client-id': 'clientId', '--client-secret': 'clientSecret', '--public-ip': 'publicIp', '--authorized-keys': 'authorizedKeys', '--host-key': 'hostKey', '--imds-vm': 'imdsVm', '--polls': 'polls', '--retry-after': 'retryAfter', '--token-lifetime': 'tokenLifetime', '--prices-page': 'pricesPage', '--log': 'log' };
  const numbers = new Set(['port', 'polls', 'retryAfter', 'tokenLifetime', 'pricesPage']);
  for (let i = 0; i < argv.length; i++) {
    // Several VMs, each played by a host of its own: its files.
    if (argv[i] === '--vm-host') {
      const m = /^([^=]+)=([^,]+),(.+)$/.exec(argv[++i] || '');
      if (!m) usage('--vm-host takes VM=KEYS_FILE,HOST_KEY_FILE');
      o.vmHosts[m[1].toLowerCase()] = { keys: m[2], hostKey: m[3] };
      continue;
    }
    const k = names[argv[i]];
    if (!k) usage(`unknown option ${argv[i]}`);
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    const v = argv[++i];
    o[k] = numbers.has(k) ? Number(v) : v;
    if (numbers.has(k) && !(Number.isInteger(o[k]) && o[k] >= 0)) usage(`${argv[i - 1]} takes a whole number`);
  }
  if (!o.portFile) usage('--port-file is required');
  if (o.pricesPage < 1) usage('--prices-page is at least 1');
  return o;
}

const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

// One request's context: what the modules read and how they answer.
function makeCtx(req, res, text, env) {
  const u = new URL(req.url, 'http://127.0.0.1');
  const rec = { t: new Date().toISOString(), method: req.method, url: req.url, status: 0, operationId: null, violations: [] };
  const ctx = {
    req,
    res,
    method: req.method,
    path: u.pathname,
    pathAndQuery: req.url,
    query: u.searchParams,
    rawQuery: u.search,
    headers: req.headers,
    text,
    flags: { expireToken: false, failLro: null, foreignNextPage: false },
    rec,
    token: null,
    operation(name) {
      rec.operationId = name;
    },
    violate(kind, message, errors) {
      const v = { t: rec.t, kind, method: req.method, url: req.url, operationId: null, status: 0, message, errors: errors || [] };
      rec.violations.push(v);
      env.state.violations.push(v);
    },
    parseJson() {
      if (!text) return { ok: false, error: 'the body is empty' };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch (e) {
        return { ok: false, error: e.message };
      }
    },
    send(status, headers, body) {
      if (res.headersSent || res.destroyed) return;
      const h = { 'x-ms-request-id': guid(), 'cache-control': 'no-cache', ...headers };
      for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
      const buf = Buffer.from(body || '');
      if (status !== 204 && status !== 304) h['content-length'] = String(buf.length);
      res.writeHead(status, h);
      res.end(req.method === 'HEAD' ? undefined : buf);
      env.done(ctx, status);
    },
    // Compact JSON (Resources, DevTestLab, Authorization, AAD, IMDS, prices).
    json(status, obj, headers = {}) {
      ctx.send(status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(obj));
    },
  };
  return ctx;
}

// --print-shapes: what a Network/Resources/DevTestLab/Authorization body may
// hold, as learned from the recordings (and the documented extras).
function printShapes() {
  const T = cassettes.build(path.join(FIX, 'cassettes-azure-cli-2020'));
  const learned = shapes.learn(T.files);
  for (const [type, m] of learned.shapes) {
    if (type.startsWith('microsoft.compute/')) continue; // oav checks compute
    process.stdout.write(`${type}  (from ${[...learned.sources.get(type)].join(', ')})\n`);
    for (const [p, ty] of m) process.stdout.write(`    ${p}: ${[...ty].join('|')}\n`);
    for (const [p, ty] of Object.entries(shapes.DOCUMENTED[type] || {})) process.stdout.write(`    ${p}: ${ty.join('|')}  (documented, not recorded)\n`);
  }
}

async function main() {
  if (process.argv[2] === '--print-shapes') return printShapes();
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const T = cassettes.build(path.join(FIX, 'cassettes-azure-cli-2020'));
  const learned = shapes.learn(T.files);
  const tCassettes = Date.now() - t0;
  const oav = new Oav(path.join(FIX, 'spec-compute-2021-03-01'));
  await oav.init();
  const state = new State(opts);
  const faults = new Faults();
  const answers = readJson(path.join(FIX, 'built', 'token-answers.json'));
  const armErrors = readJson(path.join(FIX, 'built', 'arm-errors.json')).errors;
  const imds = {
    token: readJson(path.join(FIX, 'spec-examples-latest', 'imds', 'GetIdentityToken.2020-12-01.json')).responses['200'].body,
    instance: readJson(path.join(FIX, 'spec-examples-latest', 'imds', 'GetInstanceMetadata.2021-02-01.json')).responses['200'].body,
  };
  const auth = new Auth(opts, state, answers, armErrors, imds);
  const prices = new Prices(opts, readJson(path.join(FIX, 'built', 'retail-prices.json')));
  const arm = new Arm({ opts, state, auth, T, errors: armErrors, learned, oav });
  const logFd = opts.log ? fs.openSync(opts.log, 'a') : null;

  const env = {
    state,
    // Called once per answered request: counts, violations' status, log.
    done(ctx, status) {
      const r = ctx.rec;
      r.status = status;
      r.ms = Date.now() - ctx.start;
      if (!r.operationId) r.operationId = 'unknown';
      for (const v of r.violations) {
        v.status = status;
        v.operationId = r.operationId;
      }
      if (!ctx.admin) {
        state.count(ctx.method, r.operationId);
        if (logFd !== null) fs.writeSync(logFd, JSON.stringify(r) + '\n');
        const vs = r.violations.length ? `  VIOLATION ${r.violations.map((v) => `${v.kind}: ${v.message}`).join(' | ')}` : '';
        process.stderr.write(`armdouble: ${ctx.method} ${ctx.pathAndQuery} -> ${status} ${r.operationId}${vs}\n`);
      }
    },
  };

  async function route(ctx) {
    const p = ctx.path;
    const low = p.toLowerCase();
    if (low.startsWith('/_double/')) return admin(ctx);
    state.requests++;
    for (const f of faults.take(ctx.method, p)) {
      // A fault that answers ends the request here (it takes no effect).
      if (f.kind === 'slow') await new Promise((r) => setTimeout(r, Number(f.ms) || 1000));
      else if (f.kind === 'expire-token') ctx.flags.expireToken = true;
      else if (f.kind === 'fail-lro') ctx.flags.failLro = { code: f.code || armErrors.lro_failed.code, message: f.message || armErrors.lro_failed.message, status: f.status };
      else if (f.kind === 'foreign-nextpage') ctx.flags.foreignNextPage = true;
      else return fault(ctx, f);
    }
    if (ctx.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(p)) return auth.aadToken(ctx, decodeURIComponent(p.split('/')[1]));
    if (ctx.method === 'GET' && p === '/metadata/identity/oauth2/token') return auth.imdsToken(ctx);
    if (ctx.method === 'GET' && p === '/metadata/instance') return auth.imdsInstance(ctx);
    if (ctx.method === 'GET' && low === '/api/retail/prices') return prices.handle(ctx);
    if (low.startsWith('/subscriptions/')) return arm.handle(ctx);
    ctx.operation('unknownOperationId');
    return arm.fail(ctx, 'unknown_operation', { operation: `${ctx.method} ${p}`, namespace: '', version: ctx.query.get('api-version') || '' }, { violation: 'unknown-operation' });
  }

  // Answers of scripted faults (not violations).
  function fault(ctx, f) {
    ctx.operation(`fault:${f.kind}`);
    if (f.kind === 'drop') {
      ctx.req.socket.destroy();
      env.done(ctx, 0);
      return;
    }
    const e = { 429: armErrors.too_many_requests, 500: armErrors.internal_error, 503: armErrors.unavailable }[f.kind];
    const status = e ? e.status : Number(f.status) || 409;
    const retry = f.retry_after !== undefined ? f.retry_after : f.kind === '429' ? 1 : undefined;
    const code = f.code || (e ? e.code : 'Conflict');
    const message = f.message || (e ? e.message.replace('{retry_after}', String(retry)) : `Fault injected by the test (${code}).`);
    const headers = retry !== undefined ? { 'retry-after': String(retry) } : {};
    return ctx.json(status, { error: { code, message } }, headers);
  }

  // /_double/...: the tests' view and controls (no auth).
  function admin(ctx) {
    ctx.admin = true;
    const p = ctx.path;
    const body = () => {
      const b = ctx.parseJson();
      if (!b.ok) throw new Error(`body: ${b.error}`);
      return b.value;
    };
    try {
      if (ctx.method === 'GET' && p === '/_double/state') return ctx.json(200, { ...state.snapshot(), faults: faults.describe() });
      if (ctx.method === 'GET' && p === '/_double/violations') return ctx.json(200, state.violations);
      if (ctx.method === 'DELETE' && p === '/_double/violations') {
        const n = state.violations.length;
        state.violations.length = 0;
        return ctx.json(200, { cleared: n });
      }
      if (ctx.method === 'GET' && p === '/_double/faults') return ctx.json(200, faults.describe());
      if (ctx.method === 'POST' && p === '/_double/faults') return ctx.json(200, { added: faults.add(body()) });
      if (ctx.method === 'DELETE' && p === '/_double/faults') {
        faults.clear();
        return ctx.json(200, { cleared: true });
      }
      if (ctx.method === 'POST' && p === '/_double/vm-power') {
        const b = body();
        const powers = ['starting', 'running', 'stopping', 'stopped', 'deallocating', 'deallocated'];
        if (!powers.includes(b.power)) throw new Error(`power must be one of ${powers.join(', ')}`);
        const vm = state.ofType('Microsoft.Compute/virtualMachines').find((v) => v.name.toLowerCase() === String(b.name).toLowerCase() && (!b.resourceGroup || v.rg.toLowerCase() === String(b.resourceGroup).toLowerCase()));
        if (!vm) return ctx.json(404, { error: `no VM ${b.name}` });
        vm.powerState = b.power;
        process.stderr.write(`armdouble: VM ${vm.name} set to ${b.power} by the test\n`);
        return ctx.json(200, { name: vm.name, id: vm.id, power: vm.powerState });
      }
    } catch (e) {
      return ctx.json(400, { error: e.message });
    }
    return ctx.json(404, { error: `no admin route ${ctx.method} ${p}` });
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const ctx = makeCtx(req, res, Buffer.concat(chunks).toString('utf8'), env);
      ctx.start = Date.now();
      route(ctx).catch((e) => {
        process.stderr.write(`armdouble: internal error on ${req.method} ${req.url}: ${e.stack}\n`);
        ctx.violate('double', `internal error: ${e.message}`, []);
        ctx.json(500, { error: { code: 'ArmDoubleInternalError', message: e.message } });
      });
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(opts.port, '127.0.0.1', () => {
    opts.port = server.address().port;
    // Written once everything is ready, atomically: a test that sees the
    // file can send requests.
    fs.writeFileSync(opts.portFile + '.tmp', `${opts.port}\n`);
    fs.renameSync(opts.portFile + '.tmp', opts.portFile);
    process.stderr.write(`armdouble: listening on 127.0.0.1:${opts.port} (cassettes ${tCassettes} ms, oav initialised in ${oav.initMs} ms, ${Date.now() - t0} ms in all)\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`armdouble: ${e.stack || e}\n`);
  process.exit(1);
});
