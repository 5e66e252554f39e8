// Reads the recorded azure-cli traffic (fixtures/cassettes-azure-cli-2020/*.yaml)
// once at start and picks from it what the double answers with: error
// bodies, resource bodies (for their key order and the fields the server
// adds), async header and poll URL formats, rate-limit headers. Every pick
// names its cassette; if a recording does not hold what is expected the
// double refuses to start rather than answer from a guess.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { mergeOrder, unPyBytes } = require('./util');

const REC_SUB = '00000000-0000-0000-0000-000000000000'; // the recorder's scrubbed subscription

function load(dir) {
  const files = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    files[f] = doc.interactions.map((it, index) => {
      const url = new URL(it.request.uri);
      const headers = {};
      for (const [k, v] of Object.entries(it.response.headers || {})) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
      const rb = unPyBytes(it.request.body);
      return {
        file: f,
        index,
        method: it.request.method,
        url,
        path: url.pathname,
        reqBody: typeof rb === 'string' ? rb : null,
        status: it.response.status.code,
        headers,
        body: (it.response.body && it.response.body.string) || '',
      };
    });
  }
  return files;
}

// A recorded URL as a template: the recorded subscription and the given
// values become {sub}, {loc}, {id}, ...
function urlTemplate(u, vars) {
  let p = new URL(u).pathname.replace(REC_SUB, '{sub}');
  for (const [k, v] of Object.entries(vars)) {
    if (!p.includes(v)) throw new Error(`recorded URL ${u} does not contain ${v}`);
    p = p.replace(v, `{${k}}`);
  }
  return p;
}

function build(dir) {
  const files = load(dir);
  const pick = (file, what, pred) => {
    const list = files[file];
    if (!list) throw new Error(`cassette ${file} missing in ${dir}`);
    const it = list.find(pred);
    if (!it) throw new Error(`cassette ${file}: no interaction for ${what}`);
    return it;
  };
  const json = (it) => JSON.parse(it.body);
  const is = (m, re, status) => (i) => i.method === m && re.test(i.path) && i.status === status;
  const T = { files };

  // 404 ResourceNotFound: keep the recorded words, not the recorded names.
  const nf = pick('test_vm_create_no_wait.yaml', 'GET VM 404', is('GET', /virtualMachines\/[^/]+$/, 404));
  const nfm = /\/resourceGroups\/([^/]+)\/providers\/(.+)$/i.exec(nf.path);
  const nfb = json(nf).error;
  T.notFound = {
    code: nfb.code,
    message: nfb.message.replace(`'${nfm[2]}'`, "'{resource}'").replace(`'${nfm[1]}'`, "'{rg}'"),
    headers: { 'x-ms-failure-cause': nf.headers['x-ms-failure-cause'] },
  };
  const rgnf = pick('test_resource_group_no_wait.yaml', 'GET group 404', is('GET', /resourcegroups\/[^/]+$/i, 404));
  const rgnfb = json(rgnf).error;
  const rgName = rgnf.path.split('/').pop();
  T.rgNotFound = { code: rgnfb.code, message: rgnfb.message.replace(`'${rgName}'`, "'{rg}'"), headers: { 'x-ms-failure-cause': rgnf.headers['x-ms-failure-cause'] } };
  if (!T.notFound.message.includes('{resource}') || !T.rgNotFound.message.includes('{rg}')) throw new Error('404 templates: names not found in the recorded messages');

  // Resource groups: body (compact), the "Deleting" state, the delete's
  // Location (operationresults/<base64url JSON job id>) and its polls.
  T.rg = json(pick('test_resource_group.yaml', 'PUT group 201', is('PUT', /resourcegroups\/[^/]+$/i, 201)));
  T.rgDeleting = json(pick('test_resource_group_no_wait.yaml', 'GET group while deleting', (i) => i.method === 'GET' && i.status === 200 && /Deleting/.test(i.body)));
  const del = pick('test_resource_group.yaml', 'DELETE group 202', is('DELETE', /resourcegroups\/[^/]+$/i, 202));
  const opaque = new URL(del.headers.location).pathname.split('/').pop();
  const job = JSON.parse(Buffer.from(opaque, 'base64url').toString());
  T.rgDelete = {
    location: urlTemplate(del.headers.location, { opaque }),
    jobKeys: Object.keys(job), // ["jobId", "jobLocation"]
    jobPrefix: /^[A-Z]+-/.exec(job.jobId)[0], // "RESOURCEGROUPDELETIONJOB-"
    headers: pickHeaders(del.headers, ['x-ms-ratelimit-remaining-subscription-deletes']),
  };

  // Network: GET bodies after Succeeded (the server-added fields), the PUT's
  // async headers, a DELETE's two headers, the poll body.
  const vnf = 'test_network_vnet_with_subnet_nsg.yaml';
  T.nsg = json(pick(vnf, 'GET NSG', is('GET', /networkSecurityGroups\/[^/]+$/, 200)));
  T.vnet = json(pick(vnf, 'GET vnet', is('GET', /virtualNetworks\/[^/]+$/, 200)));
  T.subnet = json(pick(vnf, 'GET subnet', is('GET', /subnets\/[^/]+$/, 200)));
  T.rule = json(pick('test_network_extended_nsg.yaml', 'GET rule', is('GET', /securityRules\/[^/]+$/, 200)));
  const pipPut = pick('test_network_public_ip_sku.yaml', 'PUT public IP 201', is('PUT', /publicIPAddresses\/[^/]+$/, 201));
  T.pip = json(pick('test_network_public_ip_sku.yaml', 'GET public IP', is('GET', /publicIPAddresses\/[^/]+$/, 200)));
  T.nic = json(pick('test_vm_create_state_modifications.yaml', 'GET NIC', is('GET', /networkInterfaces\/[^/]+$/, 200)));
  const netOp = new URL(pipPut.headers['azure-asyncoperation']);
  const netLoc = T.pip.location;
  const netId = netOp.pathname.split('/').pop();
  T.netAsync = urlTemplate(netOp.href, { loc: `/locations/${netLoc}/`, id: netId }).replace('{loc}', '/locations/{loc}/');
  T.netPutHeaders = pickHeaders(pipPut.headers, ['azure-asyncnotification', 'x-ms-ratelimit-remaining-subscription-writes']);
  const netDel = pick(vnf, 'DELETE subnet 202', is('DELETE', /subnets\/[^/]+$/, 202));
  const ndId = new URL(netDel.headers.location).pathname.split('/').pop();
  T.netDeleteLocation = urlTemplate(netDel.headers.location, { loc: '/locations/westus/', id: ndId }).replace('{loc}', '/locations/{loc}/');
  T.netDeleteHeaders = pickHeaders(netDel.headers, ['x-ms-ratelimit-remaining-subscription-deletes']);
  T.netPollDone = json(pick('test_network_public_ip_sku.yaml', 'network poll', (i) => /\/operations\//.test(i.path)));

  // Compute: VM bodies (with identity and a running instance view; the
  // deallocated instance view), poll bodies, the two async headers of a POST
  // action (Location has ?monitor=true), DELETE's headers, rate-limit headers.
  const smf = 'test_vm_create_state_modifications.yaml';
  T.vm = json(pick('test_vm_msi.yaml', 'GET VM with identity', (i) => i.method === 'GET' && /virtualMachines\/[^/]+$/.test(i.path) && /"principalId"/.test(i.body) && /instanceView/.test(i.url.search)));
  const vmPut = pick('test_vm_create_no_wait.yaml', 'PUT VM', (i) => i.method === 'PUT' && /virtualMachines\/[^/]+$/.test(i.path));
  T.vmPut = json(vmPut);
  T.vmPutHeaders = pickHeaders(vmPut.headers, ['azure-asyncnotification']);
  const vmSsh = json(pick('test_vm_create_ubuntu.yaml', 'GET VM with SSH keys', (i) => i.method === 'GET' && /virtualMachines\/[^/]+$/.test(i.path) && /publicKeys/.test(i.body)));
  // The order a VM body's keys are written in, from all three.
  T.vmOrder = mergeOrder(mergeOrder(T.vm, T.vmPut), vmSsh);
  const ivs = files[smf].filter((i) => i.method === 'GET' && /instanceView/.test(i.url.search) && i.status === 200).map(json);
  T.ivRunning = ivs.find((b) => b.properties.instanceView.statuses.some((s) => s.code === 'PowerState/running')).properties.instanceView;
  T.ivDeallocated = ivs.find((b) => b.properties.instanceView.statuses.some((s) => s.code === 'PowerState/deallocated')).properties.instanceView;
  const polls = files[smf].filter((i) => i.method === 'GET' && /Microsoft.Compute\/locations\/[^/]+\/operations\//.test(i.path));
  T.vmPollRunning = json(polls.find((i) => /InProgress/.test(i.body)));
  T.vmPollDone = json(polls.find((i) => /Succeeded/.test(i.body)));
  const dealloc = pick(smf, 'POST deallocate', is('POST', /\/deallocate$/, 202));
  const cOp = new URL(dealloc.headers['azure-asyncoperation']);
  const cId = cOp.pathname.split('/').pop();
  const cLoc = /\/locations\/([^/]+)\//.exec(cOp.pathname)[1];
  T.vmAsync = urlTemplate(cOp.href, { loc: `/locations/${cLoc}/`, id: cId }).replace('{loc}', '/locations/{loc}/');
  T.vmLocationQuery = new URL(dealloc.headers.location).search.replace(/api-version=[^&]*/, ''); // "?monitor=true&"
  const vmDel = pick(smf, 'DELETE VM', is('DELETE', /virtualMachines\/[^/]+$/, 202));
  T.vmDeleteHeaders = pickHeaders(vmDel.headers, ['azure-asyncnotification']);
  T.vmRateLimit = {
    put: vmPut.headers['x-ms-ratelimit-remaining-resource'],
    get: files[smf].find((i) => i.method === 'GET' && /virtualMachines\/[^/]+$/.test(i.path) && i.headers['x-ms-ratelimit-remaining-resource']).headers['x-ms-ratelimit-remaining-resource'],
    poll: polls[0].headers['x-ms-ratelimit-remaining-resource'],
    post: dealloc.headers['x-ms-ratelimit-remaining-resource'],
    delete: vmDel.headers['x-ms-ratelimit-remaining-resource'],
  };

  // DevTestLab schedule (201, synchronous, lower-cased id and type) and a
  // role assignment (201).
  const sched = pick('test_vm_auto_shutdown.yaml', 'PUT schedule 201', is('PUT', /schedules\/[^/]+$/, 201));
  T.schedule = json(sched);
  if (!/\/resourcegroups\/.*\/microsoft\.devtestlab\/schedules\//.test(T.schedule.id) || T.schedule.type !== 'microsoft.devtestlab/schedules') {
    throw new Error('test_vm_auto_shutdown.yaml: the lower-cased schedule id quirk is not where expected');
  }
  T.scheduleHeaders = pickHeaders(sched.headers, ['x-ms-ratelimit-remaining-subscription-writes']);
  T.roleAssignment = json(pick('test_vm_msi.yaml', 'PUT role assignment', is('PUT', /roleAssignments\/[^/]+$/, 201)));
  return T;
}

function pickHeaders(h, names) {
  const out = {};
  for (const n of names) if (h[n] !== undefined) out[n] = h[n];
  return out;
}

module.exports = { build, REC_SUB };
