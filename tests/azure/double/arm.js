// ARM under /subscriptions/...: the bearer check, the pinned api-version per
// provider, then the provider's routes. Resource groups, DevTestLab
// schedules and role assignments are here; Network and Compute have their
// own files. Shared helpers (errors, 404s, body checks, references) are
// methods of Arm that those files call.
'use strict';
const shapes = require('./shapes');
const { fill, guid, hex, orderLike, same } = require('./util');
const { Network } = require('./arm-network');
const { Compute } = require('./arm-compute');

// rig's pinned api-version per provider: any other is a violation.
const PINNED = {
  'microsoft.compute': '2021-03-01',
  'microsoft.network': '2020-06-01',
  'microsoft.resources': '2020-06-01',
  'microsoft.devtestlab': '2018-09-15',
  // rig pins 2022-04-01 for role definitions and assignments; the
  // recording (test_vm_msi.yaml) used 2020-04-01-preview, same shapes.
  'microsoft.authorization': '2022-04-01',
};

const RG_TYPE = 'Microsoft.Resources/resourceGroups';
const SCHEDULE_TYPE = 'Microsoft.DevTestLab/schedules';
const RA_TYPE = 'Microsoft.Authorization/roleAssignments';
const RD_TYPE = 'Microsoft.Authorization/roleDefinitions';
const VM_TYPE = 'Microsoft.Compute/virtualMachines';

class Arm {
  constructor({ opts, state, auth, T, errors, learned, oav }) {
    Object.assign(this, { opts, state, auth, T, errors, learned, oav });
    this.network = new Network(this);
    this.compute = new Compute(this);
    state.renderers[RG_TYPE] = (r) => this.renderRg(r);
    state.renderers[SCHEDULE_TYPE] = (r) => this.renderSchedule(r);
    state.renderers[RA_TYPE] = (r) => this.renderRoleAssignment(r);
    state.renderers[RD_TYPE] = (r) => this.renderRoleDefinition(r);
  }

  get base() {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  api(ns) {
    return PINNED[ns.toLowerCase()];
  }

  rgId(name) {
    return `/subscriptions/${this.opts.subscription}/resourceGroups/${name}`;
  }

  // The held group by any casing of its name.
  rg(name) {
    return this.state.get(this.rgId(name));
  }

  retry() {
    return { 'retry-after': String(this.opts.retryAfter) };
  }

  // Answers a BUILT error of fixtures/built/arm-errors.json. violation: the
  // kind to record, or nothing (an answer rig must cope with, not a bug).
  fail(ctx, key, vars = {}, { violation, errors = [], headers = {}, details } = {}) {
    const e = this.errors[key];
    if (!e) throw new Error(`arm-errors.json has no ${key}`);
    const message = fill(e.message, vars);
    if (violation) ctx.violate(violation, message, errors.length ? errors : [{ code: e.code, message, path: '' }]);
    const error = { code: e.code, message };
    if (e.target) error.target = fill(e.target, vars);
    if (details) error.details = details;
    ctx.json(e.status, { error }, headers);
    return null;
  }

  // The RECORDED 404s (bodies from the cassettes).
  notFound(ctx, rg, resource) {
    const t = this.T.notFound;
    ctx.json(404, { error: { code: t.code, message: fill(t.message, { resource, rg }) } }, t.headers);
    return null;
  }

  rgNotFound(ctx, rg) {
    const t = this.T.rgNotFound;
    ctx.json(404, { error: { code: t.code, message: fill(t.message, { rg }) } }, t.headers);
    return null;
  }

  // The group a write goes into, or null after answering: it must exist
  // and not be on its way out.
  writableRg(ctx, name) {
    const rg = this.rg(name);
    if (!rg) {
      ctx.violate('request', `resource group ${name} does not exist: create it first`, []);
      return this.rgNotFound(ctx, name);
    }
    if (rg.provisioningState === 'Deleting') return this.fail(ctx, 'rg_deleting', { rg: rg.name }, { violation: 'request' });
    return rg;
  }

  // The JSON body of a PUT, held to the recorded shape of type; null after
  // answering 400.
  body(ctx, type) {
    const b = ctx.parseJson();
    if (!b.ok) return this.fail(ctx, 'invalid_content', { detail: b.error }, { violation: 'request', errors: [{ code: 'INVALID_JSON', message: b.error, path: '' }] });
    const errs = shapes.check(this.learned, type, b.value);
    if (errs.length) return this.badBody(ctx, errs);
    return b.value;
  }

  badBody(ctx, errs) {
    const details = errs.map((e) => ({ code: e.code, message: e.message, target: e.path }));
    return this.fail(ctx, 'invalid_content', { detail: errs.map((e) => e.message).join('; ') }, { violation: 'request', errors: errs, details });
  }

  // refs: [{id, type, path}] the body of resource `from` in `location`
  // points at. Each must be held, of that type, in the same region (ARM's
  // InvalidResourceReference). Returns the resources, or null after answering.
  refs(ctx, from, location, refs) {
    const found = [];
    for (const r of refs) {
      const res = this.state.get(r.id);
      const ok = res && res.type.toLowerCase() === r.type.toLowerCase() && same(res.location, location);
      if (!ok) {
        return this.fail(ctx, 'invalid_reference', { ref: r.id, id: from }, { violation: 'request', errors: [{ code: 'REFERENCE_NOT_FOUND', message: `${r.path}: ${r.id} is not a held ${r.type} in ${location}`, path: r.path }] });
      }
      found.push(res);
    }
    return found;
  }

  // Which route answered, for the log and the counts.
  unknown(ctx, ns, segs) {
    ctx.operation('unknownOperationId');
    return this.fail(
      ctx,
      'unknown_operation',
      { operation: `${ctx.method} ${ctx.path}`, namespace: ns || '', version: ctx.query.get('api-version') || '' },
      { violation: 'unknown-operation', errors: [{ code: 'NO_ROUTE', message: `no ARM route for ${ctx.method} ${segs ? '/' + segs.join('/') : ctx.path}`, path: '' }] },
    );
  }

  async handle(ctx) {
    const segs = ctx.path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const low = segs.map((s) => s.toLowerCase());
    if (low[0] !== 'subscriptions' || segs.length < 2) return this.unknown(ctx, null, segs);
    const token = this.auth.bearer(ctx);
    if (!token) return;
    ctx.token = token;
    if (low[1] !== this.opts.subscription.toLowerCase()) {
      ctx.operation('unknownOperationId');
      return this.fail(ctx, 'subscription_not_found', { sub: segs[1] }, { violation: 'request' });
    }
    const pi = low.lastIndexOf('providers');
    let ns = null;
    if (pi >= 0) ns = low[pi + 1];
    else if (low[2] === 'resourcegroups' || low[2] === 'operationresults') ns = 'microsoft.resources';
    if (!ns || !PINNED[ns]) {
      ctx.operation('unknownOperationId');
      return this.fail(ctx, 'namespace_invalid', { namespace: pi >= 0 ? segs[pi + 1] || '' : '' }, { violation: 'unknown-operation' });
    }
    if (!this.apiVersion(ctx, ns)) return;
    if (token.kind === 'imds' && !this.authorized(ctx, token, segs)) return;
    switch (ns) {
      case 'microsoft.resources':
        return this.resourceGroups(ctx, segs, low);
      case 'microsoft.network':
        return this.network.handle(ctx, segs, low);
      case 'microsoft.compute':
        return this.compute.handle(ctx, segs, low);
      case 'microsoft.devtestlab':
        return this.schedules(ctx, segs, low);
      case 'microsoft.authorization':
        if (low[low.lastIndexOf('providers') + 2] === 'roledefinitions') return this.roleDefinitions(ctx, segs, low);
        return this.roleAssignments(ctx, segs, low);
    }
    return this.unknown(ctx, ns, segs);
  }

  apiVersion(ctx, ns) {
    const v = ctx.query.get('api-version');
    const pinned = PINNED[ns];
    const fail = (key) => {
      ctx.operation('unknownOperationId');
      const type = shapes.typeFromPath(ctx.path) || ns;
      this.fail(ctx, key, { version: v, supported: pinned, type, location: '' }, { violation: 'api-version', errors: [{ code: key.toUpperCase(), message: `api-version ${v === null ? '(none)' : v}; rig pins ${pinned} for ${ns}`, path: 'api-version' }] });
      return false;
    };
    if (v === null) return fail('api_version_missing');
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(v)) return fail('api_version_invalid');
    if (v !== pinned) return fail('api_version_unsupported');
    return true;
  }

  // A managed identity's token may act only inside the scope of a role
  // assignment of its principal (the double does not weigh roles).
  authorized(ctx, token, segs) {
    let target = '/' + segs.join('/');
    const pollId = /\/(operations|operationresults)\/([^/]+)$/i.exec(target);
    if (pollId) {
      const op = this.state.findOp(pollId[2]) || [...this.state.ops.values()].find((o) => o.opaque === pollId[2]);
      if (op && op.resourceId) target = op.resourceId;
    }
    const t = target.toLowerCase();
    const type = shapes.typeFromPath(pollId ? target : ctx.path) || '';
    const verb = { GET: 'read', HEAD: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' }[ctx.method] || 'action';
    const action = `${type}/${verb}`;
    // An assignment of this principal covering the target, whose role
    // allows the action (a custom role by its actions; a built-in one is
    // taken to allow it).
    const ok = this.state.ofType(RA_TYPE).some((a) => {
      if (!same(a.principalId, token.principal) || !(t === a.scope.toLowerCase() || t.startsWith(a.scope.toLowerCase() + '/'))) return false;
      const rd = this.state.get(a.roleDefinitionId);
      return !rd || roleAllows(rd.permissions, action);
    });
    if (ok) return true;
    ctx.operation('unknownOperationId');
    this.fail(ctx, 'authorization_failed', { client: token.principal, action: `${type}/${verb}`, scope: target }, { violation: 'auth' });
    return false;
  }

  // ---- Resource groups (compact JSON, as recorded) ----

  renderRg(r) {
    const b = { id: r.id, name: r.name, type: RG_TYPE, location: r.location, managedBy: r.managedBy, tags: r.tags, properties: { provisioningState: r.provisioningState } };
    return orderLike(this.T.rg, b);
  }

  resourceGroups(ctx, segs, low) {
    if (segs.length === 4 && low[2] === 'operationresults' && ctx.method === 'GET') return this.rgDeletePoll(ctx, segs[3]);
    if (segs.length !== 4 || low[2] !== 'resourcegroups') return this.unknown(ctx, 'Microsoft.Resources', segs);
    const name = segs[3];
    const rg = this.rg(name);
    switch (ctx.method) {
      case 'GET':
        ctx.operation('ResourceGroups_Get');
        return rg ? ctx.json(200, this.renderRg(rg)) : this.rgNotFound(ctx, name);
      case 'HEAD':
        ctx.operation('ResourceGroups_CheckExistence');
        return ctx.send(rg ? 204 : 404, {}, '');
      case 'PUT': {
        ctx.operation('ResourceGroups_CreateOrUpdate');
        const b = this.body(ctx, RG_TYPE);
        if (!b) return;
        if (rg && rg.provisioningState === 'Deleting') return this.fail(ctx, 'rg_deleting', { rg: rg.name }, { violation: 'request' });
        if (rg && !same(rg.location, b.location)) return this.fail(ctx, 'rg_location_changed', { new: b.location, old: rg.location }, { violation: 'request' });
        const r = rg || { id: this.rgId(name), type: RG_TYPE, name, rg: name };
        Object.assign(r, { location: rg ? rg.location : b.location, tags: b.tags, managedBy: b.managedBy, provisioningState: 'Succeeded' });
        this.state.put(r);
        return ctx.json(rg ? 200 : 201, this.renderRg(r));
      }
      case 'DELETE': {
        ctx.operation('ResourceGroups_Delete');
        if (!rg) return this.rgNotFound(ctx, name);
        let op = rg.deleteOp && rg.deleteOp.status === 'InProgress' ? rg.deleteOp : null;
        if (!op) {
          rg.provisioningState = 'Deleting';
          op = this.state.newOp({
            kind: 'rg',
            location: rg.location,
            resourceId: rg.id,
            failure: ctx.flags.failLro,
            // Everything in the group goes with it.
            done: () => {
              for (const r of this.state.under(rg.id)) this.state.remove(r.id);
              this.state.remove(rg.id);
            },
            failed: () => {
              rg.provisioningState = 'Succeeded';
            },
          });
          op.opaque = this.rgJob(rg);
          rg.deleteOp = op;
        }
        return ctx.send(202, { location: this.rgDeleteUrl(op), ...this.retry(), ...this.T.rgDelete.headers }, '');
      }
    }
    return this.unknown(ctx, 'Microsoft.Resources', segs);
  }

  // The opaque part of the recorded Location: base64url of
  // {"jobId":"RESOURCEGROUPDELETIONJOB-<NAME>|<HEX>-<LOCATION>","jobLocation":"<location>"}.
  rgJob(rg) {
    const name = rg.name.toUpperCase().replace(/[^A-Z0-9]/g, (c) => ':' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
    const v = { jobId: `${this.T.rgDelete.jobPrefix}${name}|${hex(8).toUpperCase()}-${rg.location.toUpperCase()}`, jobLocation: rg.location };
    const job = {};
    for (const k of this.T.rgDelete.jobKeys) job[k] = v[k];
    return Buffer.from(JSON.stringify(job)).toString('base64url');
  }

  rgDeleteUrl(op) {
    return this.base + fill(this.T.rgDelete.location, { sub: this.opts.subscription, opaque: op.opaque }) + `?api-version=${PINNED['microsoft.resources']}`;
  }

  // Recorded: 202 with the same Location while it runs, then 200, empty.
  rgDeletePoll(ctx, opaque) {
    ctx.operation('ResourceGroups_DeleteStatus');
    const op = [...this.state.ops.values()].find((o) => o.opaque === opaque);
    if (!op) return this.fail(ctx, 'operation_not_found', { id: opaque }, { violation: 'request' });
    this.state.poll(op);
    if (op.status === 'InProgress') return ctx.send(202, { location: this.rgDeleteUrl(op), ...this.retry() }, '');
    if (op.status === 'Succeeded') return ctx.send(200, {}, '');
    return this.lroFailure(ctx, op);
  }

  // A Location-style poll of a failed operation answers the failure itself.
  lroFailure(ctx, op) {
    const f = op.failure;
    return ctx.json(f.status || 500, { error: { code: f.code, message: f.message } });
  }

  // ---- DevTestLab auto-shutdown schedule (201 synchronous, compact) ----

  renderSchedule(r) {
    const id = `/subscriptions/${this.opts.subscription}/resourcegroups/${r.rg}/providers/microsoft.devtestlab/schedules/${r.name}`;
    const p = r.req.properties;
    const b = {
      properties: { ...p, createdDate: r.createdDate, provisioningState: r.provisioningState, uniqueIdentifier: r.uniqueIdentifier },
      id, // the recorded quirk: lower-cased "resourcegroups" and provider
      name: r.name,
      type: this.T.schedule.type,
      location: r.location,
      tags: r.req.tags,
    };
    return orderLike(this.T.schedule, b);
  }

  schedules(ctx, segs, low) {
    if (segs.length !== 8 || low[2] !== 'resourcegroups' || low[6] !== 'schedules') return this.unknown(ctx, 'Microsoft.DevTestLab', segs);
    const rgName = segs[3];
    const name = segs[7];
    const rg = this.rg(rgName);
    const id = `${this.rgId(rg ? rg.name : rgName)}/providers/${SCHEDULE_TYPE}/${name}`;
    const r = this.state.get(id);
    switch (ctx.method) {
      case 'GET':
        ctx.operation('GlobalSchedules_Get');
        if (!rg) return this.rgNotFound(ctx, rgName);
        return r ? ctx.json(200, this.renderSchedule(r)) : this.notFound(ctx, rgName, `${SCHEDULE_TYPE}/${name}`);
      case 'PUT': {
        ctx.operation('GlobalSchedules_CreateOrUpdate');
        if (!this.writableRg(ctx, rgName)) return;
        const b = this.body(ctx, SCHEDULE_TYPE);
        if (!b) return;
        const target = b.properties.targetResourceId;
        const vms = this.refs(ctx, id, b.location, [{ id: target, type: VM_TYPE, path: 'properties.targetResourceId' }]);
        if (!vms) return;
        if (!same(name, `shutdown-computevm-${vms[0].name}`)) return this.fail(ctx, 'schedule_name', { vm: vms[0].name, name }, { violation: 'request' });
        const s = r || { id, type: SCHEDULE_TYPE, name, rg: rg.name, createdDate: new Date().toISOString().replace('Z', '0000+00:00'), uniqueIdentifier: guid() };
        Object.assign(s, { location: b.location, req: b, provisioningState: 'Succeeded' });
        this.state.put(s);
        // Recorded: 201 for a create and for an update alike.
        return ctx.json(201, this.renderSchedule(s), this.T.scheduleHeaders);
      }
      case 'DELETE':
        ctx.operation('GlobalSchedules_Delete');
        if (!r) return ctx.send(204, {}, '');
        this.state.remove(id);
        return ctx.send(200, {}, '');
    }
    return this.unknown(ctx, 'Microsoft.DevTestLab', segs);
  }

  // ---- Role definitions (custom roles; built from the Authorization REST
  // reference, 2022-04-01: no recording creates one) ----

  renderRoleDefinition(r) {
    return {
      properties: {
        roleName: r.roleName,
        type: 'CustomRole',
        description: r.description === undefined ? null : r.description,
        assignableScopes: r.assignableScopes,
        permissions: r.permissions,
        createdOn: r.createdOn,
        updatedOn: r.createdOn,
        createdBy: r.createdBy,
        updatedBy: r.createdBy,
      },
      id: r.id,
      type: RD_TYPE,
      name: r.name,
    };
  }

  roleDefinitions(ctx, segs, low) {
    const pi = low.lastIndexOf('providers');
    if (segs.length !== pi + 4) return this.unknown(ctx, 'Microsoft.Authorization', segs);
    const scopePath = '/' + segs.slice(0, pi).join('/');
    const name = segs[pi + 3];
    // One id whatever scope it was made at: the tenant holds it.
    const id = `/subscriptions/${this.opts.subscription}/providers/${RD_TYPE}/${name}`;
    const r = this.state.get(id);
    switch (ctx.method) {
      case 'GET':
        ctx.operation('RoleDefinitions_Get');
        return r ? ctx.json(200, this.renderRoleDefinition(r)) : this.fail(ctx, 'role_definition_not_found', { name });
      case 'PUT': {
        ctx.operation('RoleDefinitions_CreateOrUpdate');
        if (scopePath.split('/').length > 3 && !this.state.get(scopePath)) {
          ctx.violate('request', `role definition scope ${scopePath} is not held`, []);
          return this.rgNotFound(ctx, segs[3]);
        }
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)) return this.badBody(ctx, [{ code: 'INVALID_VALUE', message: `role definition name ${name} is not a GUID`, path: 'name' }]);
        const b = ctx.parseJson();
        if (!b.ok) return this.fail(ctx, 'invalid_content', { detail: b.error }, { violation: 'request' });
        const errs = roleDefinitionErrors(b.value, (s) => !!this.state.get(s));
        if (errs.length) return this.badBody(ctx, errs);
        const p = b.value.properties;
        const d = { id, type: RD_TYPE, name, roleName: p.roleName, description: p.description, assignableScopes: p.assignableScopes, permissions: p.permissions, createdOn: new Date().toISOString(), createdBy: ctx.token.principal, provisioningState: 'Succeeded' };
        this.state.put(d);
        return ctx.json(201, this.renderRoleDefinition(d));
      }
      case 'DELETE': {
        ctx.operation('RoleDefinitions_Delete');
        if (!r) return ctx.send(204, {}, '');
        if (this.state.ofType(RA_TYPE).some((a) => same(a.roleDefinitionId, id))) return this.fail(ctx, 'role_definition_has_assignments', { name });
        this.state.remove(id);
        return ctx.json(200, this.renderRoleDefinition(r));
      }
    }
    return this.unknown(ctx, 'Microsoft.Authorization', segs);
  }

  // ---- Role assignments (201, compact) ----

  renderRoleAssignment(r) {
    const b = {
      properties: {
        roleDefinitionId: r.roleDefinitionId,
        principalId: r.principalId,
        principalType: 'ServicePrincipal',
        scope: r.scope,
        condition: null,
        conditionVersion: null,
        createdOn: r.createdOn,
        updatedOn: r.createdOn,
        createdBy: null,
        updatedBy: r.updatedBy,
        delegatedManagedIdentityResourceId: null,
        description: r.description === undefined ? null : r.description,
      },
      id: r.id,
      type: RA_TYPE,
      name: r.name,
    };
    return orderLike(this.T.roleAssignment, b);
  }

  roleAssignments(ctx, segs, low) {
    const pi = low.lastIndexOf('providers');
    if (low[pi + 2] !== 'roleassignments' || segs.length !== pi + 4) return this.unknown(ctx, 'Microsoft.Authorization', segs);
    const scopeSegs = segs.slice(0, pi);
    const scopePath = '/' + scopeSegs.join('/');
    const name = segs[pi + 3];
    // The scope: the subscription, or a held group or resource (its casing).
    const held = scopeSegs.length === 2 ? { id: `/subscriptions/${this.opts.subscription}`, type: 'subscription' } : this.state.get(scopePath);
    const scope = held ? held.id : scopePath;
    const id = `${scope}/providers/${RA_TYPE}/${name}`;
    const r = this.state.get(id);
    switch (ctx.method) {
      case 'GET':
        ctx.operation('RoleAssignments_Get');
        return r ? ctx.json(200, this.renderRoleAssignment(r)) : this.fail(ctx, 'role_assignment_not_found', { name });
      case 'PUT': {
        ctx.operation('RoleAssignments_Create');
        if (!held) {
          ctx.violate('request', `role assignment scope ${scopePath} is not held`, []);
          const m = /\/resourceGroups\/([^/]+)(\/providers\/(.+))?$/i.exec(scopePath);
          return m && m[3] ? this.notFound(ctx, m[1], m[3]) : this.rgNotFound(ctx, m ? m[1] : scopePath);
        }
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)) return this.badBody(ctx, [{ code: 'INVALID_VALUE', message: `role assignment name ${name} is not a GUID`, path: 'name' }]);
        const b = this.body(ctx, RA_TYPE);
        if (!b) return;
        const p = b.properties;
        // The principal must be a managed identity the double made (the
        // scope VM's own when the scope is a VM).
        // A custom role must exist, and be assignable at this scope.
        const rd = /\/roleDefinitions\/([0-9a-f-]{36})$/i.exec(p.roleDefinitionId || '');
        const custom = rd && this.state.get(`/subscriptions/${this.opts.subscription}/providers/${RD_TYPE}/${rd[1]}`);
        if (rd && !BUILT_IN_ROLES.has(rd[1].toLowerCase())) {
          if (!custom) return this.fail(ctx, 'role_definition_not_found', { name: rd[1] }, { violation: 'request' });
          if (!custom.assignableScopes.some((s) => same(s, scope) || scope.toLowerCase().startsWith(s.toLowerCase() + '/'))) {
            return this.badBody(ctx, [{ code: 'INVALID_VALUE', message: `role ${rd[1]} is not assignable at ${scope}`, path: 'properties.roleDefinitionId' }]);
          }
        }
        const vms = held.type === VM_TYPE ? [held] : this.state.ofType(VM_TYPE);
        if (!vms.some((v) => v.identity && same(v.identity.principalId, p.principalId))) {
          return this.fail(ctx, 'principal_not_found', { principal: p.principalId, tenant: this.opts.tenant }, { violation: 'request' });
        }
        if (r) {
          if (!same(r.principalId, p.principalId) || !same(r.roleDefinitionId, p.roleDefinitionId)) return this.fail(ctx, 'role_assignment_update', {}, { violation: 'request' });
          return ctx.json(201, this.renderRoleAssignment(r));
        }
        const dup = this.state.ofType(RA_TYPE).find((a) => same(a.scope, scope) && same(a.principalId, p.principalId) && same(a.roleDefinitionId, p.roleDefinitionId));
        if (dup) return this.fail(ctx, 'role_assignment_exists'); // rig must take this as done
        const a = { id, type: RA_TYPE, name, rg: held.rg, location: held.location, scope, principalId: p.principalId, roleDefinitionId: p.roleDefinitionId, description: p.description, createdOn: new Date().toISOString().replace(/\.(\d{3})Z$/, '.$10000Z'), updatedBy: ctx.token.principal, provisioningState: 'Succeeded' };
        this.state.put(a);
        return ctx.json(201, this.renderRoleAssignment(a));
      }
      case 'DELETE': {
        ctx.operation('RoleAssignments_Delete');
        if (!r) return ctx.send(204, {}, '');
        const body = this.renderRoleAssignment(r);
        this.state.remove(id);
        return ctx.json(200, body);
      }
    }
    return this.unknown(ctx, 'Microsoft.Authorization', segs);
  }
}

// Built-in roles rig or the recordings name (their ids are the same in
// every tenant): Contributor, Reader, Virtual Machine Contributor.
const BUILT_IN_ROLES = new Set(['b24988ac-6180-42a0-ab88-20f7382dd24c', 'acdd72a7-3385-48ef-bd42-f606fba81ae7', '9980e02c-c2be-4d73-94e8-173b1dc7cf3c']);

// Whether a custom role's permissions allow 'action' ("*" ends a prefix).
function roleAllows(permissions, action) {
  const match = (pat) => (pat.endsWith('*') ? action.toLowerCase().startsWith(pat.slice(0, -1).toLowerCase()) : same(pat, action));
  return (permissions || []).some((p) => (p.actions || []).some(match) && !(p.notActions || []).some(match));
}

// A role definition body (2022-04-01 RoleDefinitionProperties).
function roleDefinitionErrors(b, held) {
  const e = [];
  const p = b && b.properties;
  if (!p || typeof p !== 'object') return [{ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: 'properties is required', path: 'properties' }];
  if (typeof p.roleName !== 'string' || !p.roleName) e.push({ code: 'INVALID_TYPE', message: 'properties.roleName must be a non-empty string', path: 'properties.roleName' });
  if (p.type !== 'CustomRole') e.push({ code: 'INVALID_VALUE', message: "properties.type must be 'CustomRole'", path: 'properties.type' });
  if (!Array.isArray(p.permissions) || !p.permissions.length) e.push({ code: 'INVALID_TYPE', message: 'properties.permissions must be a non-empty array', path: 'properties.permissions' });
  else p.permissions.forEach((x, i) => {
    if (!Array.isArray(x.actions) || !x.actions.every((a) => typeof a === 'string' && /^[A-Za-z.]+\/[A-Za-z/*]+$/.test(a))) e.push({ code: 'INVALID_TYPE', message: `permissions[${i}].actions must be provider operations`, path: `properties.permissions[${i}].actions` });
  });
  if (!Array.isArray(p.assignableScopes) || !p.assignableScopes.length || !p.assignableScopes.every((s) => typeof s === 'string' && held(s))) e.push({ code: 'INVALID_VALUE', message: 'properties.assignableScopes must name held scopes', path: 'properties.assignableScopes' });
  return e;
}

module.exports = { Arm, PINNED };
