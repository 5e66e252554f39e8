// Microsoft.Compute virtual machines. oav finds the operation and checks the
// request against fixtures/spec-compute-2021-03-01/compute.json; every 2xx
// answer of the double is checked against the same spec before it is sent
// (a mismatch is a violation of kind "double": a bug here, not in rig).
// Recorded behaviour: PUT 201 "Creating" + Azure-AsyncOperation; POST
// start/deallocate/powerOff 202 with Azure-AsyncOperation AND Location
// (?monitor=true); DELETE 202 likewise; polls {startTime,status,name} then
// with endTime; bodies pretty-printed with \r\n, networkProfile on one line.
'use strict';
const fs = require('fs');
const { clone, computeTime, fill, guid, hex, orderLike, pretty, same } = require('./util');

const VM_TYPE = 'Microsoft.Compute/virtualMachines';
const T_NIC = 'Microsoft.Network/networkInterfaces';
const COMPACT = new Set(['networkProfile']);

// Power state codes; displayStatus as recorded (running, deallocated,
// stopped) or documented (the transitions).
const DISPLAY = { starting: 'VM starting', running: 'VM running', stopping: 'VM stopping', stopped: 'VM stopped', deallocating: 'VM deallocating', deallocated: 'VM deallocated' };
// action -> [power while it runs, power after]
const ACTIONS = {
  VirtualMachines_Start: ['starting', 'running'],
  VirtualMachines_Deallocate: ['deallocating', 'deallocated'],
  VirtualMachines_PowerOff: ['stopping', 'stopped'], // still billed
  VirtualMachines_Restart: ['starting', 'running'],
};

class Compute {
  constructor(arm) {
    this.arm = arm;
    this.T = arm.T;
    // The identity's tenant: the configured one if it is a GUID.
    this.tenantGuid = /^[0-9a-f-]{36}$/i.test(arm.opts.tenant) ? arm.opts.tenant : guid();
    arm.state.renderers[VM_TYPE] = (r) => this.render(r, false);
  }

  // Answers after checking the answer against the spec (2xx only: the
  // 2021-03-01 spec declares no error responses for these operations; ARM's
  // gateway answers 404 itself, x-ms-failure-cause: gateway).
  async reply(ctx, v, status, headers = {}, obj) {
    const h = { ...headers };
    if (obj !== undefined) h['content-type'] = 'application/json; charset=utf-8';
    if (status >= 200 && status < 300) {
      const r = await this.arm.oav.response(ctx, v.info, status, h, obj);
      if (!r.ok) {
        const errs = r.errors.length ? r.errors : [{ code: 'OAV_EXCEPTION', message: JSON.stringify(r.exception), path: '' }];
        ctx.violate('double', `the double's own ${status} answer to ${v.operationId} does not match compute.json`, errs);
      }
    }
    return ctx.send(status, h, obj === undefined ? '' : pretty(obj, COMPACT));
  }

  async handle(ctx, segs, low) {
    const arm = this.arm;
    // /subscriptions/S/providers/Microsoft.Compute/locations/L/operations/ID: not in the spec.
    if (segs.length === 8 && low[2] === 'providers' && low[4] === 'locations' && low[6] === 'operations' && ctx.method === 'GET') return this.poll(ctx, segs[7]);
    let body;
    if (ctx.text) {
      const b = ctx.parseJson();
      if (!b.ok) return arm.fail(ctx, 'invalid_content', { detail: b.error }, { violation: 'request', errors: [{ code: 'INVALID_JSON', message: b.error, path: '' }] });
      body = b.value;
    }
    const v = await arm.oav.request(ctx.method, ctx.pathAndQuery, ctx.headers, body);
    ctx.operation(v.operationId);
    if (!v.known) {
      const why = v.exception ? v.exception.message : 'no operation of compute.json matches';
      return arm.fail(ctx, 'unknown_operation', { operation: `${ctx.method} ${ctx.path}`, namespace: 'Microsoft.Compute', version: ctx.query.get('api-version') }, { violation: 'unknown-operation', errors: [{ code: (v.exception && v.exception.code) || 'unknownOperationId', message: why, path: '' }] });
    }
    if (!v.ok) {
      const errs = v.errors.length ? v.errors : [{ code: 'OAV_EXCEPTION', message: JSON.stringify(v.exception), path: '' }];
      return arm.badBody(ctx, errs);
    }
    const rgName = segs[3];
    const name = segs[7];
    const id = `${arm.rgId(arm.rg(rgName) ? arm.rg(rgName).name : rgName)}/providers/${VM_TYPE}/${name}`;
    const vm = arm.state.get(id);
    const op = v.operationId;
    if (op === 'VirtualMachines_CreateOrUpdate') return this.put(ctx, v, rgName, name, id, vm, body);
    if (op === 'VirtualMachines_List') {
      if (!arm.rg(rgName)) return arm.rgNotFound(ctx, rgName);
      const list = arm.state.under(arm.rg(rgName).id).filter((r) => r.type === VM_TYPE);
      return this.reply(ctx, v, 200, this.rate('get'), { value: list.map((r) => this.render(r, false)) });
    }
    const known = ['VirtualMachines_Get', 'VirtualMachines_InstanceView', 'VirtualMachines_Delete', ...Object.keys(ACTIONS)];
    if (!known.includes(op)) return arm.fail(ctx, 'not_implemented', { operation: op }, { violation: 'unsupported' });
    if (!arm.rg(rgName)) return arm.rgNotFound(ctx, rgName);
    if (!vm) {
      if (op === 'VirtualMachines_Delete') return this.reply(ctx, v, 204, this.rate('delete'));
      return arm.notFound(ctx, rgName, `${VM_TYPE}/${name}`);
    }
    if (op === 'VirtualMachines_Get') return this.reply(ctx, v, 200, this.rate('get'), this.render(vm, ctx.query.get('$expand') === 'instanceView'));
    if (op === 'VirtualMachines_InstanceView') return this.reply(ctx, v, 200, this.rate('get'), this.instanceView(vm));
    if (op === 'VirtualMachines_Delete') {
      vm.provisioningState = 'Deleting';
      const o = this.startOp(ctx, vm, () => arm.state.remove(vm.id), () => {
        vm.provisioningState = 'Failed';
      });
      return this.reply(ctx, v, 202, { ...this.asyncHeaders(o, true), ...this.T.vmDeleteHeaders, ...this.rate('delete') });
    }
    // start / deallocate / powerOff / restart
    const [during, after] = ACTIONS[op];
    const before = vm.powerState;
    vm.powerState = during;
    vm.provisioningState = 'Updating';
    const o = this.startOp(
      ctx,
      vm,
      () => {
        vm.powerState = after;
        vm.provisioningState = 'Succeeded';
        process.stderr.write(`armdouble: VM ${vm.name} is ${after}\n`);
      },
      () => {
        vm.powerState = before;
        vm.provisioningState = 'Failed';
      },
    );
    return this.reply(ctx, v, 202, { ...this.asyncHeaders(o, true), ...this.rate('post') });
  }

  rate(kind) {
    return { 'x-ms-ratelimit-remaining-resource': this.T.vmRateLimit[kind] };
  }

  startOp(ctx, vm, done, failed) {
    return this.arm.state.newOp({ kind: 'compute', location: vm.location, resourceId: vm.id, failure: ctx.flags.failLro, done, failed });
  }

  // Azure-AsyncOperation (and, for POST and DELETE, Location with
  // ?monitor=true) as recorded, on the double's host.
  asyncHeaders(op, withLocation) {
    const path = this.arm.base + fill(this.T.vmAsync, { sub: this.arm.opts.subscription, loc: op.location, id: op.id });
    const api = `api-version=${this.arm.api('microsoft.compute')}`;
    const h = { 'azure-asyncoperation': `${path}?${api}`, ...this.arm.retry() };
    if (withLocation) h.location = `${path}${this.T.vmLocationQuery}${api}`;
    return h;
  }

  poll(ctx, id) {
    const arm = this.arm;
    const monitor = ctx.query.get('monitor') === 'true';
    ctx.operation(monitor ? 'ComputeOperationResults_Get' : 'ComputeOperationStatus_Get');
    const op = arm.state.findOp(id);
    if (!op || op.kind !== 'compute') return arm.fail(ctx, 'operation_not_found', { id }, { violation: 'request' });
    arm.state.poll(op);
    const rate = this.rate('poll');
    if (monitor) {
      // Location semantics (documented, not recorded): 202 until done.
      if (op.status === 'InProgress') return ctx.send(202, { location: arm.base + ctx.path + ctx.rawQuery, ...arm.retry(), ...rate }, '');
      if (op.status === 'Succeeded') return ctx.send(200, rate, '');
      return arm.lroFailure(ctx, op);
    }
    const b = { startTime: computeTime(op.startTime), endTime: op.endTime ? computeTime(op.endTime) : undefined, status: op.status, error: undefined, name: op.id };
    if (op.status === 'Failed') b.error = { code: op.failure.code, message: op.failure.message };
    const tpl = op.status === 'InProgress' ? this.T.vmPollRunning : this.T.vmPollDone;
    const headers = { 'content-type': 'application/json; charset=utf-8', ...rate, ...(op.status === 'InProgress' ? arm.retry() : {}) };
    return ctx.send(200, headers, pretty(orderLike(tpl, b)));
  }

  // Semantic checks ARM makes that the schema does not (messages as ARM
  // words them; not recorded): -> [{message, target}].
  semantics(b, old) {
    const e = [];
    const p = b.properties || {};
    const os = p.osProfile;
    const nics = (p.networkProfile && p.networkProfile.networkInterfaces) || [];
    if (!nics.length) e.push({ message: "Required parameter 'networkProfile' is missing (null).", target: 'networkProfile' });
    if (!old) {
      if (!os) e.push({ message: "Required parameter 'osProfile' is missing (null).", target: 'osProfile' });
      else if (!os.adminUsername) e.push({ message: "Required parameter 'adminUsername' is missing (null).", target: 'adminUsername' });
    }
    const lin = os && os.linuxConfiguration;
    const keys = (lin && lin.ssh && lin.ssh.publicKeys) || [];
    if (os && lin && lin.disablePasswordAuthentication && !keys.length) e.push({ message: 'Authentication using either SSH or by user name and password must be enabled in Linux profile.', target: 'linuxConfiguration' });
    for (const k of keys) {
      if (os && k.path && k.path !== `/home/${os.adminUsername}/.ssh/authorized_keys`) {
        e.push({ message: `Destination path for SSH public keys is currently limited to its default value /home/${os.adminUsername}/.ssh/authorized_keys due to a known issue in Linux provisioning agent.`, target: 'linuxConfiguration.ssh.publicKeys.path' });
      }
    }
    return e;
  }

  // What an update may not change (ARM: 409 PropertyChangeNotAllowed).
  changed(vm, b) {
    const o = vm.req.properties;
    const n = b.properties || {};
    const eq = (x, y) => JSON.stringify(x === undefined ? null : x) === JSON.stringify(y === undefined ? null : y);
    const oo = o.osProfile || {};
    const no = n.osProfile || {};
    for (const k of ['computerName', 'adminUsername', 'customData']) if (n.osProfile && !eq(oo[k], no[k])) return `osProfile.${k}`;
    const ok = oo.linuxConfiguration && oo.linuxConfiguration.ssh;
    const nk = no.linuxConfiguration && no.linuxConfiguration.ssh;
    if (n.osProfile && !eq(ok, nk)) return 'linuxConfiguration.ssh.publicKeys';
    const oi = (o.storageProfile || {}).imageReference;
    const ni = (n.storageProfile || {}).imageReference;
    if (ni && !eq(oi, ni)) return 'imageReference';
    return null;
  }

  async put(ctx, v, rgName, name, id, old, b) {
    const arm = this.arm;
    const rg = arm.writableRg(ctx, rgName);
    if (!rg) return;
    if (old && !same(old.location, b.location)) return arm.fail(ctx, 'location_changed', { name, old: old.location, new: b.location, rg: rg.name }, { violation: 'request' });
    const sem = this.semantics(b, old);
    if (sem.length) return arm.fail(ctx, 'vm_parameter', sem[0], { violation: 'request', errors: sem.map((x) => ({ code: 'InvalidParameter', message: x.message, path: x.target })) });
    if (old) {
      const what = this.changed(old, b);
      if (what) return arm.fail(ctx, 'property_change', { property: what }, { violation: 'request', errors: [{ code: 'PropertyChangeNotAllowed', message: `${what} differs from the VM's`, path: what }] });
    }
    const nics = b.properties.networkProfile.networkInterfaces.map((n, i) => ({ id: n.id, type: T_NIC, path: `properties.networkProfile.networkInterfaces[${i}].id` }));
    if (arm.refs(ctx, id, b.location, nics) === null) return;
    const vm = old || { id, type: VM_TYPE, name, rg: rg.name, location: b.location, vmId: guid(), powerState: 'starting', ivCalls: 0 };
    vm.req = b;
    vm.identity = this.identity(b.identity, old && old.identity);
    vm.provisioningState = old ? 'Updating' : 'Creating';
    vm.body = this.stored(vm, b);
    arm.state.put(vm);
    this.authorizedKeys(vm);
    if (!old) this.hostKey(vm);
    const o = this.startOp(
      ctx,
      vm,
      () => {
        vm.provisioningState = 'Succeeded';
        if (vm.powerState === 'starting') vm.powerState = 'running';
      },
      () => {
        vm.provisioningState = 'Failed';
        if (vm.powerState === 'starting') vm.powerState = 'stopped';
      },
    );
    return this.reply(ctx, v, old ? 200 : 201, { ...this.asyncHeaders(o, false), ...this.T.vmPutHeaders, ...this.rate('put') }, this.render(vm, false));
  }

  // SystemAssigned gets a principal (kept across updates) and a client id
  // (for IMDS's client_id).
  identity(req, old) {
    if (!req || !/SystemAssigned/i.test(req.type || '')) return null;
    return { type: req.type, principalId: old ? old.principalId : guid(), tenantId: this.tenantGuid, clientId: old ? old.clientId : guid() };
  }

  // Plays the provisioning agent: the VM's SSH keys, one a line, mode 0600
  // (--vm-host's file for that VM, else --authorized-keys).
  authorizedKeys(vm) {
    const own = this.arm.opts.vmHosts && this.arm.opts.vmHosts[vm.name.toLowerCase()];
    const file = own ? own.keys : this.arm.opts.authorizedKeys;
    if (!file) return;
    const lin = vm.req.properties.osProfile && vm.req.properties.osProfile.linuxConfiguration;
    const keys = ((lin && lin.ssh && lin.ssh.publicKeys) || []).map((k) => k.keyData.trim());
    fs.writeFileSync(file, keys.map((k) => k + '\n').join(''), { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }

  // Plays cloud-init's ssh_keys at first boot: the ed25519 host key in
  // customData becomes the VM's (--host-key FILE, the host's sshd key:
  // sshd reads it again for each new connection).
  hostKey(vm) {
    const own = this.arm.opts.vmHosts && this.arm.opts.vmHosts[vm.name.toLowerCase()];
    const file = own ? own.hostKey : this.arm.opts.hostKey;
    const os = vm.req.properties.osProfile || {};
    if (!file || !os.customData) return;
    const text = Buffer.from(os.customData, 'base64').toString('utf8');
    const m = /^ {2}ed25519_private: \|\n((?: {4}.*\n)+)/m.exec(text);
    if (!m) return;
    const key = m[1].split('\n').map((l) => l.slice(4)).join('\n');
    fs.writeFileSync(file, key, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }

  // The body GET returns, without provisioningState and instanceView: the
  // request plus what the server adds (recorded fields); adminPassword and
  // customData are never returned.
  stored(vm, b) {
    const p = clone(b.properties);
    const old = vm.body && vm.body.properties;
    const sp = p.storageProfile || (p.storageProfile = {});
    if (sp.imageReference) {
      const img = sp.imageReference;
      if (!img.id) img.exactVersion = img.version === 'latest' || !img.version ? (old && old.storageProfile.imageReference && old.storageProfile.imageReference.exactVersion) || '1.0.0' : img.version;
    }
    const od = sp.osDisk || {};
    const diskName = (old && old.storageProfile.osDisk.name) || od.name || `${vm.name}_OsDisk_1_${hex(16)}`;
    // Recorded quirk: the disk id carries the group name upper-cased.
    const diskId = `/subscriptions/${this.arm.opts.subscription}/resourceGroups/${vm.rg.toUpperCase()}/providers/Microsoft.Compute/disks/${diskName}`;
    sp.osDisk = {
      osType: 'Linux',
      name: diskName,
      createOption: 'FromImage',
      caching: od.caching || 'ReadWrite',
      managedDisk: { storageAccountType: (od.managedDisk && od.managedDisk.storageAccountType) || 'Premium_LRS', id: diskId },
      deleteOption: od.deleteOption,
      diskSizeGB: od.diskSizeGB || 30,
    };
    sp.dataDisks = sp.dataDisks || [];
    const os = p.osProfile || {};
    const lin = os.linuxConfiguration || {};
    p.osProfile = {
      computerName: os.computerName || vm.name,
      adminUsername: os.adminUsername,
      linuxConfiguration: { disablePasswordAuthentication: !!lin.disablePasswordAuthentication, ssh: lin.ssh, provisionVMAgent: lin.provisionVMAgent !== false, patchSettings: { patchMode: 'ImageDefault' } },
      secrets: os.secrets || [],
      allowExtensionOperations: true,
      requireGuestProvisionSignal: true,
    };
    p.vmId = vm.vmId;
    const body = { name: vm.name, id: vm.id, type: VM_TYPE, location: vm.location, tags: b.tags, identity: undefined, properties: p };
    if (vm.identity) body.identity = { type: vm.identity.type, principalId: vm.identity.principalId, tenantId: vm.identity.tenantId };
    return body;
  }

  render(vm, expand) {
    const b = clone(vm.body);
    b.properties.provisioningState = vm.provisioningState;
    if (expand) b.properties.instanceView = this.instanceView(vm);
    return orderLike(this.T.vmOrder, b);
  }

  // statuses[]: ProvisioningState/* and PowerState/*, PowerState first on
  // every other call, so rig cannot rely on positions.
  instanceView(vm) {
    const now = computeTime();
    const p = vm.body.properties;
    const img = p.storageProfile.imageReference || {};
    const ps = vm.provisioningState.toLowerCase();
    const prov = { code: `ProvisioningState/${ps}`, level: ps === 'failed' ? 'Error' : 'Info', displayStatus: ps === 'succeeded' ? 'Provisioning succeeded' : ps === 'failed' ? 'Provisioning failed' : vm.provisioningState, time: now };
    const power = { code: `PowerState/${vm.powerState}`, level: 'Info', displayStatus: DISPLAY[vm.powerState] };
    vm.ivCalls = (vm.ivCalls || 0) + 1;
    const statuses = vm.ivCalls % 2 ? [power, prov] : [prov, power];
    const disk = clone(this.T.ivRunning.disks[0]);
    disk.name = p.storageProfile.osDisk.name;
    for (const s of disk.statuses) s.time = now;
    const iv = { disks: [disk], hyperVGeneration: /gen2$/i.test(img.sku || '') ? 'V2' : 'V1', statuses };
    if (vm.powerState === 'running') {
      // The guest agent reports only while the VM runs (recorded).
      const agent = clone(this.T.ivRunning.vmAgent);
      for (const s of agent.statuses) s.time = now.replace(/\.\d+/, '');
      agent.extensionHandlers = [];
      const ver = /(\d\d)(\d\d)/.exec(img.sku || img.offer || '');
      Object.assign(iv, { computerName: p.osProfile.computerName, osName: /ubuntu/i.test(`${img.offer} ${img.sku}`) ? 'ubuntu' : (img.offer || 'linux').toLowerCase(), osVersion: ver ? `${ver[1]}.${ver[2]}` : '', vmAgent: agent });
    }
    return orderLike(vm.powerState === 'running' ? this.T.ivRunning : this.T.ivDeallocated, iv);
  }
}

module.exports = { Compute };
