// Microsoft.Network: NSGs (and their securityRules), virtual networks (and
// subnet GETs), Standard public IPs, NICs. No Network spec is in the
// fixtures, so requests are held to the recorded request shapes
// (shapes.js) and referenced ids must be held. Recorded behaviour: PUT
// answers 201 (200 when it existed) with provisioningState "Updating" and an
// Azure-AsyncOperation URL; the poll answers {"status":...}; GET then shows
// "Succeeded" and the fields the server adds; DELETE answers 202 with both
// Azure-AsyncOperation and Location. Bodies are pretty-printed with \r\n.
'use strict';
const { etag, fill, guid, hex, orderLike, pretty, same, subnetHost } = require('./util');

const NS = 'Microsoft.Network';
const T_NSG = `${NS}/networkSecurityGroups`;
const T_VNET = `${NS}/virtualNetworks`;
const T_PIP = `${NS}/publicIPAddresses`;
const T_NIC = `${NS}/networkInterfaces`;
const T_RULE = `${T_NSG}/securityRules`;
const T_VM = 'Microsoft.Compute/virtualMachines';

// Path segment -> type and the operation-id prefix of Microsoft's spec.
const TYPES = {
  networksecuritygroups: { type: T_NSG, ops: 'NetworkSecurityGroups' },
  virtualnetworks: { type: T_VNET, ops: 'VirtualNetworks' },
  publicipaddresses: { type: T_PIP, ops: 'PublicIPAddresses' },
  networkinterfaces: { type: T_NIC, ops: 'NetworkInterfaces' },
};

class Network {
  constructor(arm) {
    this.arm = arm;
    this.T = arm.T;
    const r = arm.state.renderers;
    r[T_NSG] = (x) => this.render(x);
    r[T_VNET] = (x) => this.render(x);
    r[T_PIP] = (x) => this.render(x);
    r[T_NIC] = (x) => this.render(x);
  }

  send(ctx, status, obj, headers = {}) {
    return ctx.send(status, { 'content-type': 'application/json; charset=utf-8', ...headers }, obj === undefined ? '' : pretty(obj));
  }

  handle(ctx, segs, low) {
    const arm = this.arm;
    // /subscriptions/S/providers/Microsoft.Network/locations/L/operations|operationResults/ID
    if (segs.length === 8 && low[2] === 'providers' && low[4] === 'locations' && ctx.method === 'GET') {
      if (low[6] === 'operations') return this.poll(ctx, segs[7], false);
      if (low[6] === 'operationresults') return this.poll(ctx, segs[7], true);
    }
    // /subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/TYPE/NAME[/sub/NAME]
    if (low[2] !== 'resourcegroups' || low[4] !== 'providers' || !TYPES[low[6]]) return arm.unknown(ctx, NS, segs);
    const rgName = segs[3];
    const kind = TYPES[low[6]];
    const name = segs[7];
    if (segs.length === 8) {
      if (ctx.method === 'GET') return this.get(ctx, rgName, kind, name);
      if (ctx.method === 'PUT') return this.put(ctx, rgName, kind, name);
      if (ctx.method === 'DELETE') return this.del(ctx, rgName, kind, name);
    }
    if (segs.length === 10 && kind.type === T_VNET && low[8] === 'subnets' && ctx.method === 'GET') return this.getSubnet(ctx, rgName, name, segs[9]);
    if (segs.length === 10 && kind.type === T_NSG && low[8] === 'securityrules') return this.rule(ctx, rgName, name, segs[9]);
    return arm.unknown(ctx, NS, segs);
  }

  id(rgName, type, name) {
    const rg = this.arm.rg(rgName);
    return `${this.arm.rgId(rg ? rg.name : rgName)}/providers/${type}/${name}`;
  }

  get(ctx, rgName, kind, name) {
    ctx.operation(`${kind.ops}_Get`);
    if (!this.arm.rg(rgName)) return this.arm.rgNotFound(ctx, rgName);
    const r = this.arm.state.get(this.id(rgName, kind.type, name));
    if (!r) return this.arm.notFound(ctx, rgName, `${kind.type}/${name}`);
    return this.send(ctx, 200, this.render(r));
  }

  put(ctx, rgName, kind, name) {
    const arm = this.arm;
    ctx.operation(`${kind.ops}_CreateOrUpdate`);
    const rg = arm.writableRg(ctx, rgName);
    if (!rg) return;
    const b = arm.body(ctx, kind.type);
    if (!b) return;
    const id = this.id(rgName, kind.type, name);
    const old = arm.state.get(id);
    if (old && !same(old.location, b.location)) return arm.fail(ctx, 'location_changed', { name, old: old.location, new: b.location, rg: rg.name }, { violation: 'request' });
    if (this.references(ctx, id, kind.type, b) === null) return;
    if (old && kind.type === T_VNET && this.droppedSubnetInUse(ctx, old, b)) return;
    const r = old || { id, type: kind.type, name, rg: rg.name, resourceGuid: guid() };
    Object.assign(r, { location: b.location, req: b, etag: etag(), provisioningState: 'Updating' });
    if (kind.type === T_NIC) this.assignAddresses(r);
    arm.state.put(r);
    const op = this.startOp(ctx, r, () => {
      r.provisioningState = 'Succeeded';
      r.etag = etag();
      if (r.type === T_PIP) r.allocated = true; // a Standard static IP exists from creation on
    });
    return this.send(ctx, old ? 200 : 201, this.render(r), { 'azure-asyncoperation': this.asyncUrl(op), ...this.T.netPutHeaders, ...arm.retry() });
  }

  del(ctx, rgName, kind, name) {
    const arm = this.arm;
    ctx.operation(`${kind.ops}_Delete`);
    if (!arm.rg(rgName)) return arm.rgNotFound(ctx, rgName);
    const r = arm.state.get(this.id(rgName, kind.type, name));
    if (!r) return ctx.send(204, {}, '');
    const user = this.user(r);
    if (user) {
      const key = { [T_NIC]: 'nic_in_use', [T_PIP]: 'pip_in_use', [T_VNET]: 'subnet_in_use', [T_NSG]: 'nsg_in_use' }[r.type];
      return arm.fail(ctx, key, { id: user.what || r.id, user: user.by }, { violation: 'request' });
    }
    r.provisioningState = 'Deleting';
    const op = this.startOp(ctx, r, () => arm.state.remove(r.id));
    return this.deleteAccepted(ctx, op);
  }

  deleteAccepted(ctx, op) {
    const loc = this.arm.base + fill(this.T.netDeleteLocation, { sub: this.arm.opts.subscription, loc: op.location, id: op.id }) + `?api-version=${this.arm.api(NS)}`;
    return ctx.send(202, { 'azure-asyncoperation': this.asyncUrl(op), location: loc, ...this.T.netDeleteHeaders, ...this.arm.retry() }, '');
  }

  startOp(ctx, r, done) {
    return this.arm.state.newOp({
      kind: 'network',
      location: r.location,
      resourceId: r.id,
      failure: ctx.flags.failLro,
      done,
      failed: () => {
        r.provisioningState = 'Failed';
      },
    });
  }

  asyncUrl(op) {
    return this.arm.base + fill(this.T.netAsync, { sub: this.arm.opts.subscription, loc: op.location, id: op.id }) + `?api-version=${this.arm.api(NS)}`;
  }

  // Azure-AsyncOperation: 200 {"status":...}; Location: 202 until done, then 204.
  poll(ctx, id, location) {
    ctx.operation(location ? 'NetworkOperationResults_Get' : 'NetworkOperationStatus_Get');
    const op = this.arm.state.findOp(id);
    if (!op || op.kind !== 'network') return this.arm.fail(ctx, 'operation_not_found', { id }, { violation: 'request' });
    this.arm.state.poll(op);
    if (location) {
      if (op.status === 'InProgress') return ctx.send(202, { location: this.arm.base + ctx.path + ctx.rawQuery, ...this.arm.retry() }, '');
      if (op.status === 'Succeeded') return ctx.send(204, {}, '');
      return this.arm.lroFailure(ctx, op);
    }
    if (op.status === 'InProgress') return this.send(ctx, 200, { status: 'InProgress' }, this.arm.retry());
    if (op.status === 'Succeeded') return this.send(ctx, 200, this.T.netPollDone);
    return this.send(ctx, 200, { status: 'Failed', error: { code: op.failure.code, message: op.failure.message } });
  }

  // ---- references and "in use" ----

  // Checks the ids a body points at (held, right type, same region).
  references(ctx, id, type, b) {
    const refs = [];
    const p = b.properties || {};
    const add = (x, t, path) => x && x.id !== undefined && refs.push({ id: x.id, type: t, path });
    if (type === T_VNET) (p.subnets || []).forEach((s, i) => add(s.properties && s.properties.networkSecurityGroup, T_NSG, `properties.subnets[${i}].properties.networkSecurityGroup.id`));
    if (type === T_NIC) {
      add(p.networkSecurityGroup, T_NSG, 'properties.networkSecurityGroup.id');
      (p.ipConfigurations || []).forEach((c, i) => add(c.properties.publicIPAddress, T_PIP, `properties.ipConfigurations[${i}].properties.publicIPAddress.id`));
    }
    if (this.arm.refs(ctx, id, b.location, refs) === null) return null;
    // A subnet id is its vnet's id + /subnets/NAME: the vnet must hold it.
    if (type === T_NIC) {
      for (const [i, c] of p.ipConfigurations.entries()) {
        const path = `properties.ipConfigurations[${i}].properties.subnet.id`;
        if (!this.subnetOf(c.properties.subnet.id, b.location)) {
          return this.arm.fail(ctx, 'invalid_reference', { ref: c.properties.subnet.id, id }, { violation: 'request', errors: [{ code: 'REFERENCE_NOT_FOUND', message: `${path}: ${c.properties.subnet.id} is not a subnet of a held virtual network in ${b.location}`, path }] });
        }
      }
    }
    return true;
  }

  // -> {vnet, subnet (request form)} for a subnet id, or null.
  subnetOf(subnetId, location) {
    const m = /^(.*)\/subnets\/([^/]+)$/i.exec(subnetId || '');
    if (!m) return null;
    const vnet = this.arm.state.get(m[1]);
    if (!vnet || vnet.type !== T_VNET || (location && !same(vnet.location, location))) return null;
    const subnet = (vnet.req.properties.subnets || []).find((s) => same(s.name, m[2]));
    return subnet ? { vnet, subnet } : null;
  }

  // Who uses r (then ARM refuses to delete it): {by, what} or null.
  user(r) {
    const st = this.arm.state;
    const has = (x, id) => x && typeof x.id === 'string' && same(x.id, id);
    if (r.type === T_NIC) {
      const vm = st.ofType(T_VM).find((v) => (v.body.properties.networkProfile.networkInterfaces || []).some((n) => same(n.id, r.id)));
      return vm ? { by: vm.id } : null;
    }
    for (const nic of st.ofType(T_NIC)) {
      const p = nic.req.properties;
      if (r.type === T_NSG && has(p.networkSecurityGroup, r.id)) return { by: nic.id };
      for (const c of p.ipConfigurations) {
        const cfg = `${nic.id}/ipConfigurations/${c.name}`;
        if (r.type === T_PIP && has(c.properties.publicIPAddress, r.id)) return { by: cfg };
        if (r.type === T_VNET && c.properties.subnet.id.toLowerCase().startsWith(r.id.toLowerCase() + '/subnets/')) return { by: cfg, what: c.properties.subnet.id };
      }
    }
    if (r.type === T_NSG) {
      for (const v of st.ofType(T_VNET)) {
        const s = (v.req.properties.subnets || []).find((x) => has(x.properties && x.properties.networkSecurityGroup, r.id));
        if (s) return { by: `${v.id}/subnets/${s.name}` };
      }
    }
    return null;
  }

  // A vnet PUT that drops a subnet a NIC is in is refused.
  droppedSubnetInUse(ctx, old, b) {
    const keep = new Set((b.properties.subnets || []).map((s) => s.name.toLowerCase()));
    for (const s of old.req.properties.subnets || []) {
      if (keep.has(s.name.toLowerCase())) continue;
      const sid = `${old.id}/subnets/${s.name}`;
      const nic = this.arm.state.ofType(T_NIC).find((n) => n.req.properties.ipConfigurations.some((c) => same(c.properties.subnet.id, sid)));
      if (nic) {
        this.arm.fail(ctx, 'subnet_in_use', { id: sid, user: nic.id }, { violation: 'request' });
        return true;
      }
    }
    return false;
  }

  // NIC private addresses: from .4 of the subnet, one each, kept for life.
  assignAddresses(nic) {
    nic.addresses = nic.addresses || {};
    for (const c of nic.req.properties.ipConfigurations) {
      if (nic.addresses[c.name]) continue;
      const s = this.subnetOf(c.properties.subnet.id);
      let taken = 0;
      for (const other of this.arm.state.ofType(T_NIC)) if (other !== nic) taken += Object.keys(other.addresses || {}).length;
      nic.addresses[c.name] = subnetHost(s && s.subnet.properties.addressPrefix, taken);
    }
  }

  // ---- bodies: the request plus what the server adds, ordered as recorded ----

  render(r) {
    const p = r.req.properties || {};
    const ps = r.provisioningState;
    const head = { name: r.name, id: r.id, etag: r.etag, type: r.type, location: r.location, tags: r.req.tags };
    if (r.type === T_NSG) {
      const defaults = this.T.nsg.properties.defaultSecurityRules.map((d) => ({ ...d, id: `${r.id}/defaultSecurityRules/${d.name}`, etag: r.etag, properties: { ...d.properties, provisioningState: ps } }));
      const props = { provisioningState: ps, resourceGuid: r.resourceGuid, securityRules: (p.securityRules || []).map((x) => this.renderRule(r, x)), defaultSecurityRules: defaults };
      return orderLike(this.T.nsg, { ...head, properties: props });
    }
    if (r.type === T_VNET) {
      const props = {
        provisioningState: ps,
        resourceGuid: r.resourceGuid,
        addressSpace: { addressPrefixes: p.addressSpace.addressPrefixes },
        dhcpOptions: { dnsServers: (p.dhcpOptions && p.dhcpOptions.dnsServers) || [] },
        subnets: (p.subnets || []).map((s) => this.renderSubnet(r, s)),
        virtualNetworkPeerings: [],
        enableDdosProtection: false,
        enableVmProtection: false,
      };
      return orderLike(this.T.vnet, { ...head, properties: props });
    }
    if (r.type === T_PIP) {
      const label = p.dnsSettings && p.dnsSettings.domainNameLabel;
      const nic = this.arm.state.ofType(T_NIC).find((n) => n.req.properties.ipConfigurations.some((c) => c.properties.publicIPAddress && same(c.properties.publicIPAddress.id, r.id)));
      const cfg = nic && nic.req.properties.ipConfigurations.find((c) => c.properties.publicIPAddress && same(c.properties.publicIPAddress.id, r.id));
      const props = {
        provisioningState: ps,
        resourceGuid: r.resourceGuid,
        ipAddress: r.allocated ? this.arm.opts.publicIp : undefined,
        publicIPAddressVersion: p.publicIPAddressVersion || 'IPv4',
        publicIPAllocationMethod: p.publicIPAllocationMethod,
        idleTimeoutInMinutes: p.idleTimeoutInMinutes || 4,
        // Documented, not recorded: {domainNameLabel, fqdn}.
        dnsSettings: label ? { domainNameLabel: label, fqdn: `${label}.${r.location}.cloudapp.azure.com` } : undefined,
        ipTags: [],
        ipConfiguration: cfg ? { id: `${nic.id}/ipConfigurations/${cfg.name}` } : undefined,
      };
      return orderLike(this.T.pip, { ...head, properties: props, sku: { name: r.req.sku.name } });
    }
    // NIC
    const vm = this.arm.state.ofType(T_VM).find((v) => (v.body.properties.networkProfile.networkInterfaces || []).some((n) => same(n.id, r.id)));
    const tn = this.T.nic.properties;
    r.dnsSuffix = r.dnsSuffix || hex(13) + tn.dnsSettings.internalDomainNameSuffix.replace(/^[^.]+/, '');
    if (vm && !r.mac) r.mac = tn.macAddress.slice(0, 8) + '-' + hex(3).toUpperCase().match(/../g).join('-');
    const props = {
      provisioningState: ps,
      resourceGuid: r.resourceGuid,
      ipConfigurations: p.ipConfigurations.map((c, i) => ({
        name: c.name,
        id: `${r.id}/ipConfigurations/${c.name}`,
        etag: r.etag,
        type: `${T_NIC}/ipConfigurations`,
        properties: {
          provisioningState: ps,
          privateIPAddress: r.addresses[c.name],
          privateIPAllocationMethod: c.properties.privateIPAllocationMethod,
          publicIPAddress: c.properties.publicIPAddress ? { id: c.properties.publicIPAddress.id } : undefined,
          subnet: { id: c.properties.subnet.id },
          primary: i === 0,
          privateIPAddressVersion: 'IPv4',
        },
      })),
      dnsSettings: { dnsServers: [], appliedDnsServers: [], internalDomainNameSuffix: r.dnsSuffix },
      macAddress: vm ? r.mac : undefined,
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      networkSecurityGroup: p.networkSecurityGroup ? { id: p.networkSecurityGroup.id } : undefined,
      primary: vm ? true : undefined,
      virtualMachine: vm ? { id: vm.id } : undefined,
    };
    return orderLike(this.T.nic, { ...head, properties: props });
  }

  renderSubnet(vnet, s) {
    const d = this.T.subnet.properties;
    const sid = `${vnet.id}/subnets/${s.name}`;
    const cfgs = [];
    for (const nic of this.arm.state.ofType(T_NIC)) {
      for (const c of nic.req.properties.ipConfigurations) if (same(c.properties.subnet.id, sid)) cfgs.push({ id: `${nic.id}/ipConfigurations/${c.name}` });
    }
    const props = {
      provisioningState: vnet.provisioningState,
      addressPrefix: s.properties.addressPrefix,
      networkSecurityGroup: s.properties.networkSecurityGroup ? { id: s.properties.networkSecurityGroup.id } : undefined,
      ipConfigurations: cfgs.length ? cfgs : undefined,
      delegations: d.delegations,
      privateEndpointNetworkPolicies: d.privateEndpointNetworkPolicies,
      privateLinkServiceNetworkPolicies: d.privateLinkServiceNetworkPolicies,
    };
    return orderLike(this.T.subnet, { name: s.name, id: sid, etag: vnet.etag, properties: props, type: `${T_VNET}/subnets` });
  }

  // Recorded: the four list forms come back as [] when not given.
  renderRule(nsg, x) {
    const p = x.properties;
    const props = { provisioningState: nsg.provisioningState, ...p };
    for (const k of ['sourcePortRanges', 'destinationPortRanges', 'sourceAddressPrefixes', 'destinationAddressPrefixes']) props[k] = p[k] || [];
    return orderLike(this.T.rule, { name: x.name, id: `${nsg.id}/securityRules/${x.name}`, etag: nsg.etag, type: T_RULE, properties: props });
  }

  getSubnet(ctx, rgName, vnetName, name) {
    ctx.operation('Subnets_Get');
    if (!this.arm.rg(rgName)) return this.arm.rgNotFound(ctx, rgName);
    const vnet = this.arm.state.get(this.id(rgName, T_VNET, vnetName));
    const s = vnet && (vnet.req.properties.subnets || []).find((x) => same(x.name, name));
    if (!s) return this.arm.notFound(ctx, rgName, `${T_VNET}/${vnetName}/subnets/${name}`);
    return this.send(ctx, 200, this.renderSubnet(vnet, s));
  }

  // securityRules of an NSG: the recorded standalone form.
  rule(ctx, rgName, nsgName, name) {
    const arm = this.arm;
    const nsg = arm.state.get(this.id(rgName, T_NSG, nsgName));
    const rules = () => (nsg.req.properties = nsg.req.properties || {}).securityRules || (nsg.req.properties.securityRules = []);
    const find = () => (nsg ? rules().findIndex((x) => same(x.name, name)) : -1);
    switch (ctx.method) {
      case 'GET': {
        ctx.operation('SecurityRules_Get');
        const i = find();
        if (i < 0) return arm.notFound(ctx, rgName, `${T_NSG}/${nsgName}/securityRules/${name}`);
        return this.send(ctx, 200, this.renderRule(nsg, rules()[i]));
      }
      case 'PUT': {
        ctx.operation('SecurityRules_CreateOrUpdate');
        if (!arm.writableRg(ctx, rgName)) return;
        const b = arm.body(ctx, T_RULE);
        if (!b) return;
        if (!nsg) {
          ctx.violate('request', `security rule of an NSG that is not held: ${nsgName}`, []);
          return arm.notFound(ctx, rgName, `${T_NSG}/${nsgName}`);
        }
        const i = find();
        const x = { name, properties: b.properties };
        if (i < 0) rules().push(x);
        else rules()[i] = x;
        nsg.etag = etag();
        nsg.provisioningState = 'Updating';
        const op = this.startOp(ctx, nsg, () => {
          nsg.provisioningState = 'Succeeded';
          nsg.etag = etag();
        });
        return this.send(ctx, i < 0 ? 201 : 200, this.renderRule(nsg, x), { 'azure-asyncoperation': this.asyncUrl(op), ...this.T.netPutHeaders, ...arm.retry() });
      }
      case 'DELETE': {
        ctx.operation('SecurityRules_Delete');
        const i = find();
        if (i < 0) return ctx.send(204, {}, '');
        rules().splice(i, 1);
        nsg.etag = etag();
        const op = this.startOp(ctx, nsg, () => {
          nsg.provisioningState = 'Succeeded';
        });
        return this.deleteAccepted(ctx, op);
      }
    }
    return arm.unknown(ctx, NS, null);
  }
}

module.exports = { Network };
