#!/usr/bin/python3
"""An idle culler written against JupyterHub's REST API, as a managed
service of rig's hub (t521): with a token scoped to what a culler needs
(list:users, read:users:activity, read:servers, delete:servers), it stops
every server idle longer than CULL_IDLE seconds, once every CULL_EVERY
seconds. At its start it also tries what its scopes do not allow and
prints the statuses ("beyond ...: 403"), for the test to read in its log.
"""
import json
import os
import sys
import time
from datetime import datetime, timezone
from urllib.error import HTTPError
from urllib.request import Request, urlopen

API = os.environ["JUPYTERHUB_API_URL"]
TOKEN = os.environ["JUPYTERHUB_API_TOKEN"]
IDLE = float(os.environ.get("CULL_IDLE", "5"))
EVERY = float(os.environ.get("CULL_EVERY", "1"))


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = Request(API + path, data=data, method=method,
                  headers={"Authorization": "token " + TOKEN})
    try:
        with urlopen(req, timeout=10) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except HTTPError as e:
        return e.code, None


def parse(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def beyond():
    for method, path, body in [
        ("POST", "/users/culler-made-this", None),
        ("GET", "/users/%s/tokens" % os.environ.get("CULL_PROBE_USER", "nobody"), None),
        ("POST", "/users/%s/server" % os.environ.get("CULL_PROBE_USER", "nobody"), None),
        ("PATCH", "/users/%s" % os.environ.get("CULL_PROBE_USER", "nobody"), {"admin": True}),
        ("GET", "/services", None),
    ]:
        status, _ = call(method, path, body)
        print("beyond %s %s: %d" % (method, path, status), flush=True)


def cull_once():
    status, users = call("GET", "/users")
    if status != 200:
        print("list users: %d" % status, flush=True)
        return
    now = datetime.now(timezone.utc)
    for u in users:
        for name, s in (u.get("servers") or {}).items():
            # As jupyterhub-idle-culler: never active counts from the start.
            last = s.get("last_activity") or s.get("started")
            if not s.get("ready") or not last:
                continue
            idle = (now - parse(last)).total_seconds()
            if idle < IDLE:
                continue
            path = "/users/%s/server" % u["name"]
            if name:
                path = "/users/%s/servers/%s" % (u["name"], name)
            status, _ = call("DELETE", path)
            print("culled %s (idle %.0f s): %d" % (u["name"], idle, status), flush=True)


def main():
    beyond()
    while True:
        cull_once()
        time.sleep(EVERY)


if __name__ == "__main__":
    sys.exit(main())
