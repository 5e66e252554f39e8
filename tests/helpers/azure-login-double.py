#!/usr/bin/python3
# TEST DOUBLE, not Azure: a stand-in on 127.0.0.1 for the Microsoft identity
# platform's token endpoint (login.microsoftonline.com), the Instance
# Metadata Service's managed-identity token endpoint (169.254.169.254) and
# one ARM-like route that checks the bearer token. Shapes from
# tests/azure/README.md (from Microsoft's documentation; none recorded): AAD answers
# expires_in as a number, IMDS expires_in/expires_on as strings; IMDS
# refuses a request without "Metadata: true".
#
#   azure-login-double.py PORTFILE TENANT CLIENT_ID CLIENT_SECRET
#
# Writes its port to PORTFILE once it listens. Routes:
#   POST /{TENANT}/oauth2/v2.0/token   client credentials -> sp-token-N
#   GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...
#                                      (Metadata: true) -> imds-token-N
#   GET  /arm/check                    200 if the bearer token is one this
#                                      double (or the fake az) issued and
#                                      not revoked; else 401 as ARM does
#   GET|POST /arm/flaky?key=K&fail=429|503|drop&times=N
#                                      fails N times per key (429 with
#                                      Retry-After: 1, 503 with an ARM error
#                                      body, or the connection closed with
#                                      no answer), then 200 {"tries": n}
#   PUT  /arm/lro?key=K                an ARM-shaped long-running PUT: 201,
#                                      Azure-AsyncOperation, Retry-After: 1;
#                                      the operation is InProgress once, then
#                                      Succeeded (or, if K starts with "fail",
#                                      Failed with an ARM error object; K
#                                      "syncfail..": 200 and provisioningState
#                                      Failed at once)
#   POST /control/revoke               body: a token; later use gets 401
#   GET  /control/stats                {"sp": N, "imds": N, "check": N, "check_401": N}
import json
import re
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTFILE, TENANT, CLIENT_ID, CLIENT_SECRET = sys.argv[1:5]
ARM_SCOPE = "https://management.azure.com/.default"
ARM_RESOURCE = "https://management.azure.com/"
stats = {"sp": 0, "imds": 0, "check": 0, "check_401": 0}
flaky = {}
lro = {}
revoked = set()
TOKEN_RE = re.compile(r"^(sp|cli|imds)-token-[0-9]+$")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("double: " + (fmt % args) + "\n")

    def send(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def flaky(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        key = q["key"][0]
        n = flaky[key] = flaky.get(key, 0) + 1
        if n > int(q["times"][0]):
            return self.send(200, {"tries": n})
        fail = q["fail"][0]
        if fail == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fail == "429":
            body = json.dumps({"error": {"code": "TooManyRequests",
                                         "message": "throttled"}}).encode()
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        return self.send(int(fail), {"error": {"code": "ServiceUnavailable",
                                               "message": "try %d" % n}})

    def send_ra(self, code, obj, headers):
        body = json.dumps(obj).encode()
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/arm/lro":
            self.body()
            key = urllib.parse.parse_qs(u.query)["key"][0]
            if key.startswith("syncfail"):
                return self.send(200, {"properties": {"provisioningState": "Failed"}})
            lro[key] = 0
            op = "http://%s/arm/lro-op?key=%s" % (self.headers["Host"], key)
            return self.send_ra(201, {"properties": {"provisioningState": "Creating"}},
                                {"Azure-AsyncOperation": op, "Retry-After": "1"})
        self.send(404, {"error": {"code": "NotFound", "message": u.path}})

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/arm/flaky":
            self.body()
            return self.flaky()
        if path == "/%s/oauth2/v2.0/token" % TENANT:
            form = urllib.parse.parse_qs(self.body(), keep_blank_values=True)
            get = lambda k: (form.get(k) or [""])[0]
            if (self.headers.get("Content-Type") or "").split(";")[0] != \
                    "application/x-www-form-urlencoded":
                return self.send(400, {"error": "invalid_request",
                                       "error_description": "not a form"})
            if get("grant_type") != "client_credentials" or \
                    get("scope") != ARM_SCOPE:
                return self.send(400, {"error": "invalid_request",
                                       "error_description": "grant/scope"})
            if get("client_id") != CLIENT_ID or \
                    get("client_secret") != CLIENT_SECRET:
                return self.send(401, {"error": "invalid_client",
                                       "error_description": "AADSTS7000215: Invalid client secret provided."})
            stats["sp"] += 1
            return self.send(200, {"token_type": "Bearer", "expires_in": 3599,
                                   "ext_expires_in": 3599,
                                   "access_token": "sp-token-%d" % stats["sp"]})
        if path == "/control/revoke":
            revoked.add(self.body().strip())
            return self.send(200, {})
        self.send(404, {"error": {"code": "NotFound", "message": path}})

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/metadata/identity/oauth2/token":
            if self.headers.get("Metadata") != "true":
                return self.send(400, {"error": "invalid_request",
                                       "error_description": "Required metadata header not specified"})
            if q.get("api-version") != ["2018-02-01"] or \
                    q.get("resource") != [ARM_RESOURCE]:
                return self.send(400, {"error": "invalid_request",
                                       "error_description": "api-version or resource"})
            stats["imds"] += 1
            now = int(time.time())
            return self.send(200, {"access_token": "imds-token-%d" % stats["imds"],
                                   "client_id": "00000000-0000-0000-0000-000000000001",
                                   "expires_in": "3599",
                                   "expires_on": str(now + 3599),
                                   "ext_expires_in": "3599",
                                   "not_before": str(now),
                                   "resource": ARM_RESOURCE,
                                   "token_type": "Bearer"})
        if u.path == "/arm/flaky":
            return self.flaky()
        if u.path == "/arm/lro-op":
            key = q["key"][0]
            lro[key] += 1
            if lro[key] == 1:
                return self.send_ra(200, {"status": "InProgress"}, {"Retry-After": "1"})
            if key.startswith("fail"):
                return self.send(200, {"status": "Failed", "error": {
                    "code": "QuotaExceeded",
                    "message": "Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota."}})
            return self.send(200, {"status": "Succeeded"})
        if u.path == "/arm/lro":
            return self.send(200, {"name": q["key"][0],
                                   "properties": {"provisioningState": "Succeeded"}})
        if u.path == "/arm/check":
            stats["check"] += 1
            auth = self.headers.get("Authorization") or ""
            tok = auth[7:] if auth.startswith("Bearer ") else ""
            if not TOKEN_RE.match(tok) or tok in revoked:
                stats["check_401"] += 1
                return self.send(401, {"error": {"code": "ExpiredAuthenticationToken",
                                                 "message": "The access token expiry UTC time is earlier than current UTC time."}})
            return self.send(200, {"value": []})
        if u.path == "/control/stats":
            return self.send(200, stats)
        self.send(404, {"error": {"code": "NotFound", "message": u.path}})


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
