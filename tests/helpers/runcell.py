#!/usr/bin/python3
"""Runs one cell in a new kernel of a user's server, through the hub.

usage: runcell.py BASE AUTH CODE
  BASE  the server's URL through the hub, e.g. https://127.0.0.1:PORT/user/alice/
  AUTH  token:XXXX     -> "Authorization: token XXXX"
        cookie:FILE    -> the cookies of a curl cookie jar, an Origin of the
                          hub itself, and "X-XSRFToken: $XSRF" on writes
  CODE  Python code for the kernel

Creates a kernel (POST api/kernels), runs CODE over the kernel WebSocket
(api/kernels/ID/channels), deletes the kernel. Prints the outputs; the last
line is the text/plain of the execute_result (empty if there is none).
Exits 1 on any error (HTTP error, refused upgrade, error in the cell).
TLS certificates are not verified (the hub's is self-signed).
Needs Debian's python3-websocket: run it with /usr/bin/python3.
With NOWAIT=1 in the environment it runs "pass" first, then only sends the
cell, waits until the kernel says it is busy, and leaves the kernel running
(for culling tests). RUNCELL_TIMEOUT (seconds, default 30) bounds each
request and each wait for a kernel message: a loaded machine can take longer
to start a kernel.
"""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import websocket  # python3-websocket (websocket-client)

TIMEOUT = 60  # seconds for the whole cell, kernel start included


def cookie_header(jar):
    """The Cookie header for the cookies in a curl (Netscape) cookie jar."""
    pairs = []
    with open(jar) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#HttpOnly_"):
                line = line[len("#HttpOnly_"):]
            elif not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) >= 7:
                pairs.append(f"{fields[5]}={fields[6]}")
    return "; ".join(pairs)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, auth, code = sys.argv[1:4]
    if not base.endswith("/"):
        base += "/"
    u = urllib.parse.urlsplit(base)
    origin = f"{u.scheme}://{u.netloc}"

    headers = {}       # for every request
    write_headers = {}  # for POST/DELETE
    ws_opts = {}
    if auth.startswith("token:"):
        headers["Authorization"] = "token " + auth[len("token:"):]
        ws_opts["suppress_origin"] = True  # an API client, not a page
    elif auth.startswith("cookie:"):
        headers["Cookie"] = cookie_header(auth[len("cookie:"):])
        headers["Origin"] = origin  # as a page of the hub would
        write_headers["X-XSRFToken"] = os.environ.get("XSRF", "")
        ws_opts["origin"] = origin
    else:
        sys.exit("AUTH must be token:XXXX or cookie:FILE")

    wait = float(os.environ.get("RUNCELL_TIMEOUT", "30"))
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def call(method, path, body=None, check=True):
        data = None if body is None else json.dumps(body).encode()
        h = dict(headers)
        if method != "GET":
            h.update(write_headers)
        if data is not None:
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(base + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=wait) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            msg = f"runcell: {method} {base + path}: HTTP {e.code}: {e.read()[:300]!r}"
        except OSError as e:
            msg = f"runcell: {method} {base + path}: {e}"
        if check:
            sys.exit(msg)
        print(msg, file=sys.stderr)
        return None, b""

    t0 = time.time()
    status, body = call("POST", "api/kernels", {"name": "python3"})
    kid = json.loads(body)["id"]
    try:
        ws_url = ("wss" if u.scheme == "https" else "ws") + base[len(u.scheme):] + \
            f"api/kernels/{kid}/channels"
        hdr = [f"{k}: {v}" for k, v in headers.items() if k != "Origin"]
        try:
            ws = websocket.create_connection(
                ws_url, header=hdr, timeout=wait,
                sslopt={"cert_reqs": ssl.CERT_NONE, "check_hostname": False}, **ws_opts)
        except websocket.WebSocketBadStatusException as e:
            sys.exit(f"runcell: WebSocket upgrade refused: {e}")
        def execute(code):
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request",
                           "username": "rig-test", "session": uuid.uuid4().hex,
                           "date": "", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": True},
            }))
            return msg_id

        def wait_state(msg_id, state):
            while True:
                m = json.loads(ws.recv())
                if (m.get("parent_header", {}).get("msg_id") == msg_id and
                        m["msg_type"] == "status" and
                        m["content"]["execution_state"] == state):
                    return

        if os.environ.get("NOWAIT") == "1":
            # A first cell to the end, so that the server's own watcher of
            # the kernel is surely listening when the real one starts.
            wait_state(execute("pass"), "idle")
            _, kb = call("GET", f"api/kernels/{kid}")
            tries = int(os.environ.get("RUNCELL_TRY", "1"))
            if json.loads(kb).get("execution_state") != "idle" and tries < 5:
                # The server's own watcher of this kernel missed its
                # messages (a start-up race in Jupyter): it would never
                # report the kernel busy. Try again with a new kernel.
                ws.close()
                call("DELETE", f"api/kernels/{kid}")
                os.environ["RUNCELL_TRY"] = str(tries + 1)
                os.execv(sys.executable, [sys.executable] + sys.argv)
            wait_state(execute(code), "busy")
            ws.close()
            print(kid)
            return
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "rig-test",
                       "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        result, reply, idle, error = "", None, False, None
        while reply is None or not idle:
            if time.time() - t0 > TIMEOUT:
                sys.exit(f"runcell: no reply within {TIMEOUT} s")
            m = json.loads(ws.recv())
            t, c = m["msg_type"], m["content"]
            # A kernel that dies mid-cell (killed for memory, say) is
            # restarted by the server under the same WebSocket, and the
            # cell's reply never comes: the status says so, for no parent.
            if t == "status" and c.get("execution_state") in ("restarting", "dead"):
                sys.exit(f"runcell: the kernel died ({c['execution_state']})")
            if m.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if t == "stream":
                print(c["text"], end="" if c["text"].endswith("\n") else "\n")
            elif t == "execute_result":
                result = c["data"].get("text/plain", "")
            elif t == "error":
                error = c["ename"] + ": " + c["evalue"]
            elif t == "status" and c["execution_state"] == "idle":
                idle = True
            elif t == "execute_reply":
                reply = c
        ws.close()
    except BaseException:
        call("DELETE", f"api/kernels/{kid}", check=False)
        raise
    call("DELETE", f"api/kernels/{kid}")
    if error or reply.get("status") != "ok":
        sys.exit(f"runcell: cell failed: {error or reply.get('status')}")
    print(result)


if __name__ == "__main__":
    main()
