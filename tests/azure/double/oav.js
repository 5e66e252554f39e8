// Microsoft's own validator (npm oav, LiveValidator) over the compute spec
// fixtures/spec-compute-2021-03-01/compute.json: it finds the operation a
// request is (method + path + api-version), checks the request against it,
// and later the double's own answer. Its console logging is switched off;
// what matters comes back in the results.
'use strict';
const path = require('path');

class Oav {
  constructor(specDir) {
    this.specDir = specDir;
    this.validator = null;
    this.initMs = 0;
  }

  async init() {
    const t0 = Date.now();
    const { LiveValidator } = require(path.join(__dirname, '..', 'node_modules', 'oav'));
    this.validator = new LiveValidator(
      {
        directory: this.specDir,
        swaggerPathsPattern: ['compute.json'],
        git: { shouldClone: false },
        isPathCaseSensitive: false, // ARM paths are case-insensitive
        isArmCall: true, // also checks the LRO headers of 201/202 answers
      },
      () => {},
    );
    await this.validator.initialize();
    this.initMs = Date.now() - t0;
  }

  // -> {operationId, info (for response()), known, ok, errors, exception}
  async request(method, pathAndQuery, headers, body) {
    const r = await this.validator.validateLiveRequest(
      { method: method.toLowerCase(), url: 'https://management.azure.com' + pathAndQuery, headers: { ...headers }, body },
      { includeOperationMatch: true },
    );
    const operationId = r.operationInfo.operationId;
    const known = operationId && operationId !== 'unknownOperationId';
    return {
      operationId: known ? operationId : 'unknownOperationId',
      info: r.operationInfo,
      known,
      ok: r.isSuccessful === true,
      errors: (r.errors || []).map(issue),
      exception: r.runtimeException,
    };
  }

  // Validates an answer of the double against the operation found above.
  async response(req, info, status, headers, body) {
    const r = await this.validator.validateLiveResponse(
      { statusCode: String(status), headers: { ...headers }, body },
      { method: req.method.toLowerCase(), url: 'https://management.azure.com' + req.pathAndQuery },
      {},
      info,
    );
    return { ok: r.isSuccessful === true, errors: (r.errors || []).map(issue), exception: r.runtimeException };
  }
}

// An oav issue in the violation format: {code, message, path}.
function issue(e) {
  return { code: e.code, message: e.message, path: (e.jsonPathsInPayload && e.jsonPathsInPayload[0]) || (e.pathsInPayload && e.pathsInPayload[0]) || '' };
}

module.exports = { Oav };
