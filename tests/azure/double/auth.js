// Tokens: the AAD client-credentials endpoint, IMDS (managed-identity token
// and instance metadata) and the bearer check every ARM call goes through.
// Shapes: fixtures/built/token-answers.json (BUILT from documentation: no
// recording holds a token call) and the IMDS x-ms-examples in
// fixtures/spec-examples-latest/imds/.
'use strict';
const crypto = require('crypto');
const { clone, fill, guid } = require('./util');

const ARM_SCOPE = 'https://management.azure.com/.default';
const ARM_RESOURCES = ['https://management.azure.com/', 'https://management.azure.com'];
const IMDS_TOKEN_API = '2018-02-01';
const IMDS_INSTANCE_API = '2021-02-01';

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

class Auth {
  // answers: token-answers.json; armErrors: arm-errors.json's errors;
  // imdsExamples: {token, instance} x-ms-example bodies.
  constructor(opts, state, answers, armErrors, imdsExamples) {
    this.opts = opts;
    this.state = state;
    this.answers = answers;
    this.armErrors = armErrors;
    this.imds = imdsExamples;
    this.tokens = new Map(); // token -> {kind, principal, vmId, expiresAt, expired}
  }

  // A JWT-shaped token (rig must treat it as opaque; the double only looks
  // it up). Lifetime from --token-lifetime.
  issue(kind, principal, vmId) {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.opts.tokenLifetime;
    const claims = { aud: 'https://management.azure.com/', iss: `https://sts.windows.net/${this.opts.tenant}/`, iat: now, nbf: now, exp, oid: principal, tid: this.opts.tenant, idtyp: 'app', 'x-arm-double': kind };
    const token = `${b64({ typ: 'JWT', alg: 'RS256' })}.${b64(claims)}.${crypto.randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, { kind, principal, vmId, expiresAt: exp * 1000, expired: false });
    return { token, now, exp };
  }

  aadError(ctx, key, vars) {
    const e = this.answers.aad.errors[key];
    const ts = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const ids = { trace_id: guid(), correlation_id: guid(), timestamp: ts };
    const body = {
      error: e.error,
      error_description: fill(e.description, vars) + fill(this.answers.aad.error_tail, ids),
      error_codes: [e.code],
      timestamp: ts,
      trace_id: ids.trace_id,
      correlation_id: ids.correlation_id,
      error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
    };
    return ctx.json(e.status, body);
  }

  // POST /{tenant}/oauth2/v2.0/token
  aadToken(ctx, tenant) {
    ctx.operation('Aad_ClientCredentialsToken');
    const f = new URLSearchParams(ctx.text || '');
    const o = this.opts;
    if (tenant !== o.tenant) return this.aadError(ctx, 'invalid_tenant', { tenant });
    const ct = String(ctx.headers['content-type'] || '');
    if (!/^application\/x-www-form-urlencoded/i.test(ct)) {
      ctx.violate('request', 'the token request is not form-encoded (Content-Type: application/x-www-form-urlencoded)', []);
    }
    for (const p of ['grant_type', 'client_id', 'client_secret', 'scope']) {
      if (!f.get(p)) {
        ctx.violate('request', `token request without ${p}`, [{ code: 'MISSING_PARAMETER', message: p, path: p }]);
        return this.aadError(ctx, 'missing_parameter', { parameter: p });
      }
    }
    if (f.get('grant_type') !== 'client_credentials') {
      ctx.violate('request', `grant_type ${f.get('grant_type')}, rig uses client_credentials`, []);
      return this.aadError(ctx, 'unsupported_grant_type', { grant_type: f.get('grant_type') });
    }
    if (f.get('scope') !== ARM_SCOPE) {
      ctx.violate('request', `scope ${f.get('scope')}, ARM's is ${ARM_SCOPE}`, []);
      return this.aadError(ctx, 'invalid_scope', { scope: f.get('scope') });
    }
    // Wrong credentials are a configuration error rig must report, not a
    // protocol violation.
    if (f.get('client_id') !== o.clientId) return this.aadError(ctx, 'unknown_client', { client_id: f.get('client_id'), tenant });
    if (f.get('client_secret') !== o.clientSecret) return this.aadError(ctx, 'invalid_client', { client_id: o.clientId });
    const { token } = this.issue('sp', o.clientId);
    const v = { token_type: 'Bearer', expires_in: o.tokenLifetime, ext_expires_in: o.tokenLifetime, access_token: token };
    return ctx.json(200, pickKeys(v, this.answers.aad.success_keys));
  }

  imdsError(ctx, key, vars = {}) {
    const e = this.answers.imds.errors[key];
    const body = JSON.parse(fill(JSON.stringify(e.body), vars));
    return ctx.json(e.status, body);
  }

  // The VM IMDS speaks for: --imds-vm NAME, else the first VM held.
  imdsVm() {
    const vms = this.state.ofType('Microsoft.Compute/virtualMachines');
    if (this.opts.imdsVm) return vms.find((v) => v.name.toLowerCase() === this.opts.imdsVm.toLowerCase());
    return vms[0];
  }

  metadataHeader(ctx, key) {
    if (String(ctx.headers.metadata || '').toLowerCase() === 'true') return true;
    ctx.violate('request', 'IMDS request without the header "Metadata: true"', [{ code: 'MISSING_HEADER', message: 'Metadata: true', path: '' }]);
    this.imdsError(ctx, key);
    return false;
  }

  // GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...
  imdsToken(ctx) {
    ctx.operation('Imds_GetIdentityToken');
    if (!this.metadataHeader(ctx, 'missing_header')) return;
    if (ctx.query.get('api-version') !== IMDS_TOKEN_API) {
      ctx.violate('api-version', `IMDS token api-version ${ctx.query.get('api-version')}, pinned ${IMDS_TOKEN_API}`, []);
      return this.imdsError(ctx, 'bad_api_version');
    }
    const resource = ctx.query.get('resource');
    if (!ARM_RESOURCES.includes(resource)) {
      ctx.violate('request', `IMDS token for resource ${resource}, ARM's is ${ARM_RESOURCES[0]}`, []);
      return this.imdsError(ctx, 'bad_resource', { resource, tenant: this.opts.tenant });
    }
    const vm = this.imdsVm();
    if (!vm || !vm.identity || !vm.identity.principalId) return this.imdsError(ctx, 'no_identity');
    const { token, now, exp } = this.issue('imds', vm.identity.principalId, vm.id);
    const life = String(this.opts.tokenLifetime);
    // Strings, as in the x-ms-example (a strict parser must take both).
    const v = { access_token: token, client_id: vm.identity.clientId, expires_in: life, expires_on: String(exp), ext_expires_in: life, not_before: String(now), resource, token_type: 'Bearer' };
    // Keys in the x-ms-example's order, token_type (documented) last.
    const order = [...Object.keys(this.imds.token), 'token_type'];
    return ctx.json(200, pickKeys(v, order));
  }

  // GET /metadata/instance?api-version=2021-02-01: the example's shape with
  // the held VM's values; what describes the example's own VM is blanked.
  imdsInstance(ctx) {
    ctx.operation('Imds_GetInstanceMetadata');
    if (!this.metadataHeader(ctx, 'instance_missing_header')) return;
    if (ctx.query.get('api-version') !== IMDS_INSTANCE_API) {
      ctx.violate('api-version', `IMDS instance api-version ${ctx.query.get('api-version')}, pinned ${IMDS_INSTANCE_API}`, []);
      return this.imdsError(ctx, 'instance_bad_api_version');
    }
    const vm = this.imdsVm();
    if (!vm) return this.imdsError(ctx, 'instance_no_vm');
    return ctx.json(200, { compute: this.instanceCompute(vm) });
  }

  instanceCompute(vm) {
    const c = clone(this.imds.instance.compute);
    const p = vm.body.properties;
    const img = (p.storageProfile && p.storageProfile.imageReference) || {};
    const os = (p.storageProfile && p.storageProfile.osDisk) || {};
    const lin = (p.osProfile && p.osProfile.linuxConfiguration) || {};
    const keys = (lin.ssh && lin.ssh.publicKeys) || [];
    const tags = vm.body.tags || {};
    Object.assign(c, {
      location: vm.location,
      name: vm.name,
      resourceGroupName: vm.rg,
      subscriptionId: this.opts.subscription,
      resourceId: vm.id,
      vmId: p.vmId,
      vmSize: p.hardwareProfile.vmSize,
      osType: 'Linux',
      offer: img.offer || '',
      publisher: img.publisher || '',
      sku: img.sku || '',
      version: img.exactVersion || img.version || '',
      osProfile: { adminUsername: p.osProfile.adminUsername, computerName: p.osProfile.computerName, disablePasswordAuthentication: String(!!lin.disablePasswordAuthentication) },
      publicKeys: keys.map((k) => ({ keyData: k.keyData, path: k.path })),
      tags: Object.entries(tags).map(([k, v]) => `${k}:${v}`).join(';'),
      tagsList: Object.entries(tags).map(([name, value]) => ({ name, value })),
      // Not this VM's: blank, as IMDS answers for an unset value.
      evictionPolicy: '',
      isHostCompatibilityLayerVm: 'false',
      licenseType: '',
      placementGroupId: '',
      plan: { name: '', product: '', publisher: '' },
      platformFaultDomain: '0',
      platformUpdateDomain: '0',
      priority: '',
      securityProfile: { secureBootEnabled: 'false', virtualTpmEnabled: 'false' },
      userData: '',
      vmScaleSetName: '',
      zone: '',
    });
    c.storageProfile = {
      dataDisks: [],
      imageReference: { id: '', offer: img.offer || '', publisher: img.publisher || '', sku: img.sku || '', version: img.version || '' },
      osDisk: {
        ...c.storageProfile.osDisk,
        caching: os.caching || 'ReadWrite',
        createOption: os.createOption || 'FromImage',
        diffDiskSettings: { option: '' },
        diskSizeGB: String(os.diskSizeGB || 30),
        encryptionSettings: { enabled: 'false' },
        managedDisk: { id: (os.managedDisk && os.managedDisk.id) || '', storageAccountType: (os.managedDisk && os.managedDisk.storageAccountType) || '' },
        name: os.name || '',
        osType: 'Linux',
      },
    };
    return c;
  }

  // The bearer check of every ARM call: -> token record, or answers 401.
  bearer(ctx) {
    const h = String(ctx.headers.authorization || '');
    const m = /^Bearer (\S+)$/i.exec(h);
    const err = (key, vars = {}) => {
      const e = this.armErrors[key];
      const headers = {};
      if (e.www_authenticate) headers['www-authenticate'] = fill(e.www_authenticate, { tenant: this.opts.tenant, ...vars });
      ctx.json(e.status, { error: { code: e.code, message: fill(e.message, vars) } }, headers);
      return null;
    };
    if (!m) {
      ctx.violate('auth', "ARM request without 'Authorization: Bearer <token>'", []);
      return err('auth_missing');
    }
    const t = this.tokens.get(m[1]);
    if (!t) {
      ctx.violate('auth', 'ARM request with a bearer token this double never issued', []);
      return err('auth_invalid');
    }
    if (ctx.flags.expireToken) t.expired = true;
    if (t.expired || Date.now() >= t.expiresAt) {
      // Expiry is part of the protocol: rig must fetch a new token; not a violation.
      if (!t.expired) t.expired = true;
      return err('auth_expired', { expiry: armTime(Math.min(t.expiresAt, Date.now() - 1000)), now: armTime(Date.now()) });
    }
    return t;
  }
}

// ARM's time format in the expiry message: 11/25/2026 3:04:05 PM.
function armTime(ms) {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

function pickKeys(v, order) {
  const out = {};
  for (const k of order) if (v[k] !== undefined) out[k] = v[k];
  return out;
}

module.exports = { Auth };
