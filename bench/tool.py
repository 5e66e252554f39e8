#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Timing and bookkeeping helpers for bench/run (Debian's python3, stdlib only).

    startup URL LOG -- CMD...     start CMD, time until URL answers 200, stop it
    spawn URL TOKEN USER          time a server start through a hub's REST API
                                  until /user/USER/api/status answers 200
                                  through the hub's proxy, then stop it again
    floor PORT USER LOG -- CMD... the same for a notebook server started by hand
    firstpage URL TOKEN USER PW   log in through the form and time until the
                                  notebook's tree page, OAuth and spawn included
    start-servers URL TOKEN USERS start many users' servers, wait until all answer
    stop-servers URL TOKEN USERS  stop them, wait until the hub says they are gone
    chp-routes API TOKEN N TARGET add N routes /services/sN to a CHP
    soak URL TOKEN HUBPID SECONDS EVERY NUSERS NCHURN SAMPLES
                                  the soak's mixed load and its samples
    burst URL TOKEN ADMIN PASSWORD LIMIT LATENCIES HUBPID USERS
                                  start USERS' servers at once, time the
                                  hub's pages until all are ready
    report TSV OUT META           the markdown results (see report())

Every wait has a deadline; every child started here is stopped here.
"""

import base64
import http.client
import json
import re
import os
import random
import re
import socket
import struct
import threading
import signal
import ssl
import statistics
import subprocess
import sys
import time
import urllib.parse

POLL = 0.002  # seconds between polls of a URL that is not up yet


def now():
    return time.monotonic()


# Made once: loading the system's CA store (create_default_context) takes
# tens of milliseconds, which would be counted in a start-up time.
TLS_CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
TLS_CTX.check_hostname = False
TLS_CTX.verify_mode = ssl.CERT_NONE


def connect(url, timeout=2.0):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout,
                                           context=TLS_CTX)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def request(url, method="GET", token=None, body=None, timeout=5.0):
    """One request on a new connection: (status, body bytes); (0, b'') if
    nothing answered."""
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    headers = {}
    if token:
        headers["Authorization"] = "token " + token
    if body is not None:
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = "0"
    try:
        c = connect(url, timeout)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data
    except (OSError, http.client.HTTPException):
        return 0, b""


def wait_200(url, token=None, limit=60.0, what="URL"):
    """Polls until url answers 200; returns the monotonic time it did."""
    deadline = now() + limit
    while now() < deadline:
        st, _ = request(url, token=token, timeout=1.0)
        if st == 200:
            return now()
        time.sleep(POLL)
    sys.exit(f"tool: {what} {url} not answering 200 within {limit:.0f} s")


def stop_child(p, limit=15.0):
    """SIGTERM, then SIGKILL after limit; returns (seconds, exit status)."""
    t0 = now()
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(limit)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    return now() - t0, rc


def split_cmd(argv):
    if "--" not in argv:
        sys.exit("tool: missing -- before the command")
    i = argv.index("--")
    return argv[:i], argv[i + 1:]


def cmd_startup(argv):
    args, cmd = split_cmd(argv)
    url, log = args
    with open(log, "ab") as f:
        t0 = now()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=f)
        try:
            deadline = t0 + 60
            while True:
                st, _ = request(url, timeout=1.0)
                if st == 200:
                    break
                if p.poll() is not None:
                    sys.exit(f"tool: {cmd[0]} exited with {p.returncode} "
                             f"before answering (see {log})")
                if now() > deadline:
                    sys.exit(f"tool: {url} not up within 60 s (see {log})")
                time.sleep(0.001)
            t1 = now()
        finally:
            stop_s, rc = stop_child(p)
    print(f"start_ms={(t1 - t0) * 1000:.1f} stop_ms={stop_s * 1000:.1f} rc={rc}")


def server_gone(base, token, user, limit=30.0):
    """Waits until the hub's user model shows no running server."""
    deadline = now() + limit
    while now() < deadline:
        st, body = request(f"{base}/hub/api/users/{user}", token=token)
        if st == 200:
            d = json.loads(body)
            servers = d.get("servers")
            if not servers and not d.get("server") and not d.get("pending"):
                return
        time.sleep(0.05)
    sys.exit(f"tool: server of {user} still there after {limit:.0f} s")


def cmd_spawn(argv):
    base, token, user = argv
    status = f"{base}/user/{user}/api/status"
    server_gone(base, token, user)
    t0 = now()
    # JupyterHub answers the POST only after its slow_spawn_timeout (10 s)
    # or the spawn, whichever is first: on a loaded machine that is past
    # the 5 s a plain request gets.
    st, body = request(f"{base}/hub/api/users/{user}/server", "POST", token,
                       timeout=30.0)
    if st not in (201, 202):
        sys.exit(f"tool: spawn {user}: POST gave {st} {body[:200]!r}")
    t1 = wait_200(status, token, 60, "server status")
    st, body = request(status, token=token)
    ok = st == 200 and b"started" in body
    request(f"{base}/hub/api/users/{user}/server", "DELETE", token)
    server_gone(base, token, user)
    print(f"spawn_ms={(t1 - t0) * 1000:.1f} status_ok={int(ok)}")
    if not ok:
        sys.exit(1)


class Browser:
    """Cookies and manual redirects, as a browser keeps them: enough for a
    login form, the spawn-pending pages and an OAuth dance."""

    def __init__(self, base):
        self.base = base
        self.origin = base
        self.jar = {}  # name -> value; every cookie is the host's
        self.hops = []

    def _cookie(self):
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def _keep(self, headers):
        for k, v in headers:
            if k.lower() != "set-cookie":
                continue
            pair = v.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if value in ("", '""') or "max-age=0" in v.lower():
                self.jar.pop(name.strip(), None)
            else:
                self.jar[name.strip()] = value.strip()

    def fetch(self, path, method="GET", form=None):
        """One request; (status, Location, body)."""
        headers = {"Accept": "text/html", "Cookie": self._cookie()}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        c = connect(self.base, 30.0)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        self._keep(r.getheaders())
        c.close()
        return r.status, r.getheader("Location"), data

    def follow(self, path, method="GET", form=None, limit=20):
        """Follows redirects; (status, final path, body)."""
        for _ in range(limit):
            st, loc, body = self.fetch(path, method, form)
            if st not in (301, 302, 303, 307) or not loc:
                return st, path, body
            self.hops.append(loc)
            u = urllib.parse.urlsplit(loc)
            path = u.path + ("?" + u.query if u.query else "")
            method, form = "GET", None
        sys.exit(f"tool: more than {limit} redirects from {path}")


def cmd_firstpage(argv):
    """Log in through the form, then the user's notebook tree until it is
    the notebook's own page: the time a person waits for the first page
    (the server's start and any OAuth round trips included)."""
    base, token, user, password = argv
    tree = f"/user/{user}/tree"
    server_gone(base, token, user)
    b = Browser(base)
    t0 = now()
    st, _, page = b.follow("/hub/login")
    m = re.search(rb'name="_xsrf" value="([^"]*)"', page)
    form = {"username": user, "password": password}
    if m:
        form["_xsrf"] = m.group(1).decode()
    st, _, _ = b.follow("/hub/login", "POST", form)
    if st >= 400:
        sys.exit(f"tool: login as {user} gave {st}")
    deadline = now() + 120
    while True:
        st, where, page = b.follow(tree)
        if st == 200 and where.startswith(tree) and b"Home Page" in page:
            break
        if now() > deadline:
            sys.exit(f"tool: no tree page within 120 s (last {st} {where})")
        # As the spawn-pending page's own script does, about.
        time.sleep(0.2)
    t1 = now()
    oauth = sum(1 for h in b.hops if "/oauth2/authorize" in h)
    request(f"{base}/hub/api/users/{user}/server", "DELETE", token)
    server_gone(base, token, user)
    print(f"firstpage_ms={(t1 - t0) * 1000:.1f} hops={len(b.hops)} "
          f"oauth={oauth}")


def cmd_floor(argv):
    args, cmd = split_cmd(argv)
    port, user, token, log = args
    url = f"http://127.0.0.1:{port}/user/{user}/api/status"
    env = dict(os.environ, JUPYTER_TOKEN=token)
    with open(log, "ab") as f:
        t0 = now()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                             env=env)
        try:
            t1 = wait_200(url, token, 60, "notebook server")
        finally:
            stop_child(p)
    print(f"spawn_ms={(t1 - t0) * 1000:.1f}")


def cmd_start_servers(argv):
    """Starts the users' servers, at most WINDOW waiting at a time (each
    new account is a useradd, one at a time in the hub: 500 asked at once
    would wait past the spawn timeout on a busy machine), and waits until
    every one answers through the hub's proxy."""
    base, token, users = argv[0], argv[1], argv[2:]
    window = 50
    deadline = now() + 120 + len(users) * 2
    todo, waiting = list(users), []
    while (todo or waiting) and now() < deadline:
        while todo and len(waiting) < window:
            u = todo.pop(0)
            st, body = request(f"{base}/hub/api/users/{u}/server", "POST", token)
            if st not in (201, 202, 400, 409):
                sys.exit(f"tool: start {u}: {st} {body[:200]!r}")
            waiting.append(u)
        waiting = [u for u in waiting
                   if request(f"{base}/user/{u}/api/status", token=token)[0] != 200]
        if waiting:
            time.sleep(0.2)
    left = todo + waiting
    if left:
        sys.exit(f"tool: {len(left)} servers not ready, e.g. {left[:3]}")
    print(f"ready {len(users)}")


def cmd_stop_servers(argv):
    base, token, users = argv[0], argv[1], argv[2:]
    for u in users:
        request(f"{base}/hub/api/users/{u}/server", "DELETE", token)
    for u in users:
        server_gone(base, token, u, 60)
    print(f"stopped {len(users)}")


def cmd_chp_routes(argv):
    api, token, n, target = argv[0], argv[1], int(argv[2]), argv[3]
    u = urllib.parse.urlsplit(api)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    hdr = {"Authorization": "token " + token,
           "Content-Type": "application/json"}
    body = json.dumps({"target": target}).encode()
    for i in range(n):
        c.request("POST", f"/api/routes/services/s{i}", body=body, headers=hdr)
        r = c.getresponse()
        r.read()
        if r.status != 201:
            sys.exit(f"tool: CHP route {i}: {r.status}")
    print(f"routes {n}")


# --- soak -----------------------------------------------------------------

class Soak:
    """Mixed load on a hub for a fixed time, sampled every few seconds.

    Users u1..uN have running servers and passwords pw-I (bench/run made
    them). The last NCHURN of them are stopped and started again in turn;
    the rest take the HTTP, WebSocket and login load, so no request races
    a stop. Every answer is checked; counters are cumulative, sampled with
    the hub's RSS and descriptors into the samples file.
    """

    KINDS = ("http", "api", "ws", "wsheld", "login", "cycle")

    def __init__(self, base, token, hubpid, seconds, every, nusers, nchurn,
                 samples):
        self.base = base
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.hubpid = hubpid
        self.seconds = seconds
        self.every = every
        self.stable = [f"u{i}" for i in range(1, nusers - nchurn + 1)]
        self.churn = [f"u{i}" for i in range(nusers - nchurn + 1, nusers + 1)]
        self.samples = samples
        self.lock = threading.Lock()
        self.ok = dict.fromkeys(self.KINDS, 0)
        self.err = dict.fromkeys(self.KINDS, 0)
        self.errors = {}  # first few distinct error messages, with counts
        self.stop = threading.Event()
        self.t0 = now()
        self.deadline = self.t0 + seconds

    def count(self, kind, ok, msg=None):
        with self.lock:
            if ok:
                self.ok[kind] += 1
            else:
                self.err[kind] += 1
                key = f"{kind}: {msg}"
                if key in self.errors or len(self.errors) < 20:
                    self.errors[key] = self.errors.get(key, 0) + 1

    def running(self):
        return not self.stop.is_set() and now() < self.deadline

    def pause(self, s):
        self.stop.wait(s)

    # One HTTP exchange on a kept-alive connection (made again if needed).
    def exchange(self, conn, method, path, headers=None, body=None):
        if conn[0] is None:
            conn[0] = http.client.HTTPConnection(self.host, self.port,
                                                 timeout=10)
        try:
            conn[0].request(method, path, body=body, headers=headers or {})
            r = conn[0].getresponse()
            data = r.read()
            if r.getheader("Connection", "").lower() == "close":
                conn[0].close()
                conn[0] = None
            return r, data
        except (OSError, http.client.HTTPException) as e:
            conn[0].close()
            conn[0] = None
            raise e

    def http_worker(self, n):
        """GET a random user's /user/uN/api/status through the proxy, 2 ms
        apart; every 10th request the hub's own API for that user."""
        conn = [None]
        auth = {"Authorization": "token " + self.token}
        i = n
        while self.running():
            i += 1
            u = random.choice(self.stable)
            kind = "api" if i % 10 == 0 else "http"
            path = f"/hub/api/users/{u}" if kind == "api" else f"/user/{u}/api/status"
            try:
                r, data = self.exchange(conn, "GET", path, auth)
                if r.status != 200:
                    self.count(kind, False, f"GET {path.replace(u, 'uN')}: {r.status}")
                elif kind == "http" and b'"started"' not in data:
                    self.count(kind, False, "api/status without 'started'")
                elif kind == "api" and json.loads(data).get("name") != u:
                    self.count(kind, False, "user model of another user")
                else:
                    self.count(kind, True)
            except (OSError, http.client.HTTPException, ValueError) as e:
                self.count(kind, False, f"GET {path.replace(u, 'uN')}: {type(e).__name__}")
            self.pause(0.002)
        if conn[0] is not None:
            conn[0].close()

    # A minimal WebSocket client (RFC 6455), enough for an echo server.
    def ws_open(self, user):
        s = socket.create_connection((self.host, self.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /user/{user}/api/echo HTTP/1.1\r\n"
                   f"Host: {self.host}:{self.port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Authorization: token {self.token}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            d = s.recv(4096)
            if not d:
                s.close()
                raise ConnectionError("closed during the handshake")
            head += d
            if len(head) > 16384:
                s.close()
                raise ConnectionError("handshake answer too long")
        head, rest = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            s.close()
            raise ConnectionError("handshake: " + head.split(b"\r\n")[0].decode(errors="replace"))
        return [s, rest]

    @staticmethod
    def ws_send(ws, op, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | op, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | op, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | op, 0x80 | 127, n)
        body = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        ws[0].sendall(hdr + mask + body)

    @staticmethod
    def ws_need(ws, n):
        while len(ws[1]) < n:
            d = ws[0].recv(65536)
            if not d:
                raise ConnectionError("closed")
            ws[1] += d
        out, ws[1] = ws[1][:n], ws[1][n:]
        return out

    def ws_recv(self, ws):
        b0, b1 = self.ws_need(ws, 2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.ws_need(ws, 2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.ws_need(ws, 8))[0]
        return b0 & 0x0F, self.ws_need(ws, n)

    def ws_echo(self, ws, size):
        msg = os.urandom(size // 2).hex().encode()[:size]
        self.ws_send(ws, 0x1, msg)
        op, got = self.ws_recv(ws)
        if op != 0x1 or got != msg:
            raise ConnectionError("echo differs")

    def ws_close(self, ws):
        try:
            self.ws_send(ws, 0x8, b"\x03\xe8")
            op, _ = self.ws_recv(ws)
            ok = op == 0x8
        except OSError:
            ok = False
        ws[0].close()
        return ok

    def ws_churn_worker(self):
        """Open a WebSocket to a random user's server, 10 echoes of random
        sizes, close it; again."""
        while self.running():
            u = random.choice(self.stable)
            try:
                ws = self.ws_open(u)
                for _ in range(10):
                    self.ws_echo(ws, random.randint(1, 8000))
                if self.ws_close(ws):
                    self.count("ws", True)
                else:
                    self.count("ws", False, "no close frame back")
            except (OSError, ValueError, struct.error) as e:
                self.count("ws", False, f"{type(e).__name__}: {e}"[:120])
            self.pause(0.05)

    def ws_held_worker(self, n):
        """n WebSockets held for the whole soak, one echo on each every
        second or so; one that breaks is counted and opened again."""
        held = [None] * n
        while self.running():
            for i in range(n):
                if not self.running():
                    break
                try:
                    if held[i] is None:
                        held[i] = self.ws_open(self.stable[i % len(self.stable)])
                    self.ws_echo(held[i], random.randint(1, 200))
                    self.count("wsheld", True)
                except (OSError, ValueError, struct.error) as e:
                    self.count("wsheld", False, f"{type(e).__name__}: {e}"[:120])
                    if held[i] is not None:
                        held[i][0].close()
                    held[i] = None
                self.pause(1.0 / n)
        for ws in held:
            if ws is not None:
                self.ws_close(ws)

    def login_once(self, u):
        """The login form, the POST, /hub/home and the user's server with
        the session cookie, logout. Returns an error or None."""
        pw = "pw-" + u[1:]
        conn = [None]
        try:
            r, page = self.exchange(conn, "GET", "/hub/login?next=%2Fhub%2Fhome")
            m = re.search(rb'name="_xsrf" value="([0-9a-f]{32})"', page)
            if r.status != 200 or m is None:
                return f"GET /hub/login: {r.status}"
            xsrf = m.group(1).decode()
            form = urllib.parse.urlencode({"_xsrf": xsrf, "username": u,
                                           "password": pw})
            r, _ = self.exchange(conn, "POST", "/hub/login?next=%2Fhub%2Fhome", {
                "Cookie": f"rig-xsrf={xsrf}", "Origin": self.base,
                "Content-Type": "application/x-www-form-urlencoded"}, form)
            cookie = r.getheader("Set-Cookie", "")
            m = re.search(r"rig-session=([^;]+)", ", ".join(
                v for k, v in r.getheaders() if k.lower() == "set-cookie"))
            if r.status != 302 or m is None:
                return f"POST /hub/login: {r.status} {cookie[:40]}"
            jar = {"Cookie": f"rig-session={m.group(1)}"}
            r, page = self.exchange(conn, "GET", "/hub/home", jar)
            if r.status != 200 or u.encode() not in page:
                return f"GET /hub/home: {r.status}"
            r, data = self.exchange(conn, "GET", f"/user/{u}/api/status", jar)
            if r.status != 200 or b'"started"' not in data:
                return f"GET /user/uN/api/status with the session: {r.status}"
            r, _ = self.exchange(conn, "GET", "/hub/logout", jar)
            if r.status not in (302, 303):
                return f"GET /hub/logout: {r.status}"
            r, _ = self.exchange(conn, "GET", "/hub/home", jar)
            if r.status == 200:
                return "the session still works after logout"
            return None
        except (OSError, http.client.HTTPException) as e:
            return f"{type(e).__name__}: {e}"[:120]
        finally:
            if conn[0] is not None:
                conn[0].close()

    def login_worker(self):
        while self.running():
            err = self.login_once(random.choice(self.stable))
            self.count("login", err is None, err)
            self.pause(0.5)

    def cycle_once(self, u):
        """Stop u's server, wait until the hub says it is gone, start it,
        wait until it answers through the proxy."""
        st, body = request(f"{self.base}/hub/api/users/{u}/server", "DELETE",
                           self.token, timeout=30)
        if st not in (202, 204):
            return f"DELETE server: {st} {body[:80]!r}"
        deadline = now() + 60
        while True:
            st, body = request(f"{self.base}/hub/api/users/{u}", token=self.token)
            if st == 200:
                d = json.loads(body)
                if not d.get("servers") and not d.get("server") and not d.get("pending"):
                    break
            if now() > deadline:
                return "server still there 60 s after DELETE"
            time.sleep(0.05)
        st, body = request(f"{self.base}/hub/api/users/{u}/server", "POST",
                           self.token, timeout=30)
        if st not in (201, 202):
            return f"POST server: {st} {body[:80]!r}"
        deadline = now() + 90
        while True:
            st, body = request(f"{self.base}/user/{u}/api/status", token=self.token)
            if st == 200 and b'"started"' in body:
                return None
            if now() > deadline:
                return f"not ready 90 s after POST (last {st})"
            time.sleep(0.05)

    def cycle_worker(self):
        i = 0
        while self.running() and self.churn:
            u = self.churn[i % len(self.churn)]
            i += 1
            try:
                err = self.cycle_once(u)
            except ValueError as e:
                err = f"{type(e).__name__}"
            self.count("cycle", err is None, err)
            self.pause(0.5)

    def sample(self):
        with self.lock:
            ok, err = dict(self.ok), dict(self.err)
        return [round(now() - self.t0, 1), rss_kb(self.hubpid), nfds(self.hubpid)] + \
            [ok[k] for k in self.KINDS] + [err[k] for k in self.KINDS]

    def run(self):
        threads = [threading.Thread(target=self.http_worker, args=(i,)) for i in range(3)]
        threads += [threading.Thread(target=self.ws_churn_worker),
                    threading.Thread(target=self.ws_held_worker, args=(min(20, len(self.stable)),)),
                    threading.Thread(target=self.login_worker),
                    threading.Thread(target=self.cycle_worker)]
        cols = ["t_s", "rss_kb", "fds"] + [f"{k}_ok" for k in self.KINDS] + \
            [f"{k}_err" for k in self.KINDS]
        with open(self.samples, "w") as f:
            f.write("\t".join(cols) + "\n")
            f.write("\t".join(map(str, self.sample())) + "\n")
            for t in threads:
                t.daemon = True
                t.start()
            n = 0
            while now() < self.deadline:
                n += 1
                self.stop.wait(max(0.0, min(self.t0 + n * self.every, self.deadline) - now()))
                if not os.path.exists(f"/proc/{self.hubpid}"):
                    break
                f.write("\t".join(map(str, self.sample())) + "\n")
                f.flush()
            self.stop.set()
            # A cycle can be waiting for a server: up to its own limits.
            for t in threads:
                t.join(150)
            f.write("\t".join(map(str, self.sample())) + "\n")
        return cols


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def nfds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def soak_verdict(path, seconds):
    """First quarter against last quarter after the warm-up (the first
    sixth of the run, at most 5 minutes): medians of RSS and descriptors,
    errors and answers counted in each quarter."""
    rows = []
    with open(path) as f:
        cols = f.readline().rstrip("\n").split("\t")
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) == len(cols):
                rows.append(dict(zip(cols, map(float, v))))
    warm = min(300.0, seconds / 6)
    # The sample taken after the threads stopped is not part of the load.
    body = [r for r in rows[:-1] if warm <= r["t_s"] <= seconds + 1]
    out = {"samples": len(body), "warmup_s": warm}
    if len(body) < 2:
        return out
    span = (seconds - warm) / 4
    q1 = [r for r in body if r["t_s"] <= warm + span]
    q4 = [r for r in body if r["t_s"] >= seconds - span]
    if not q1 or not q4:
        return out
    # The counters are cumulative: a quarter's count is the difference
    # from the sample before it.
    def before(q):
        i = rows.index(q[0])
        return rows[i - 1] if i > 0 else q[0]
    for name, q in (("q1", q1), ("q4", q4)):
        b, e = before(q), q[-1]
        out[f"{name}_rss_kb"] = statistics.median(r["rss_kb"] for r in q)
        out[f"{name}_fds"] = statistics.median(r["fds"] for r in q)
        out[f"{name}_ok"] = sum(e[f"{k}_ok"] - b[f"{k}_ok"] for k in Soak.KINDS)
        out[f"{name}_err"] = sum(e[f"{k}_err"] - b[f"{k}_err"] for k in Soak.KINDS)
        out[f"{name}_s"] = e["t_s"] - b["t_s"]
    last = rows[-1]
    out["rss_max_kb"] = max(r["rss_kb"] for r in rows)
    out["fds_max"] = max(r["fds"] for r in rows)
    for k in Soak.KINDS:
        out[f"{k}_ok"] = last[f"{k}_ok"]
        out[f"{k}_err"] = last[f"{k}_err"]
    out["rss_change"] = out["q4_rss_kb"] / out["q1_rss_kb"] - 1
    out["fds_change"] = out["q4_fds"] / out["q1_fds"] - 1
    rate1 = out["q1_err"] / max(1, out["q1_ok"] + out["q1_err"])
    rate4 = out["q4_err"] / max(1, out["q4_ok"] + out["q4_err"])
    out["flat"] = int(out["rss_change"] <= 0.10 and out["fds_change"] <= 0.10
                      and rate4 <= rate1 * 1.10)
    return out


def cmd_soak(argv):
    base, token, hubpid, seconds, every, nusers, nchurn, samples = argv
    s = Soak(base, token, int(hubpid), float(seconds), float(every),
             int(nusers), int(nchurn), samples)
    s.run()
    v = soak_verdict(samples, float(seconds))
    for k, x in v.items():
        # Counts exactly; ratios and medians to 4 significant digits.
        if isinstance(x, float) and x == int(x):
            x = int(x)
        print(f"{k}={x:.4g}" if isinstance(x, float) else f"{k}={x}")
    for msg, n in s.errors.items():
        print(f"error {n}x {msg}")


# --- spawn burst -------------------------------------------------------------

def form_login(base, name, password):
    """Logs in through the hub's login form (rig's or JupyterHub's):
    returns the Cookie header value of the session, or exits."""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    jar = {}

    def keep(r):
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                nv = v.split(";", 1)[0]
                if "=" in nv:
                    n, val = nv.split("=", 1)
                    if val:
                        jar[n.strip()] = val
                    else:
                        jar.pop(n.strip(), None)

    c.request("GET", "/hub/login")
    r = c.getresponse()
    page = r.read()
    keep(r)
    fields = {"username": name, "password": password}
    m = re.search(rb'name="_xsrf" value="([^"]+)"', page)
    if m:
        fields["_xsrf"] = m.group(1).decode()
    c.request("POST", "/hub/login", body=urllib.parse.urlencode(fields), headers={
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Origin": base,
        "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    keep(r)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    c.request("GET", "/hub/home", headers={"Cookie": cookie})
    r = c.getresponse()
    r.read()
    c.close()
    if r.status != 200:
        sys.exit(f"tool: login as {name}: /hub/home then gave {r.status}")
    return cookie


def pct(v, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def cmd_probe_pages(argv):
    """The hub's login page, /hub/home (with the session cookie) and
    /hub/api/users (with the token) in turn, 10 ms apart, each on a
    kept-alive connection of its own (as a browser keeps one), until
    standard input closes: one line per answer, 'MONOTONIC PAGE MS STATUS'.
    """
    base, token, cookie = argv
    u = urllib.parse.urlsplit(base)
    pages = [("login", "/hub/login", {}),
             ("home", "/hub/home", {"Cookie": cookie}),
             ("api-users", "/hub/api/users", {"Authorization": "token " + token})]
    done = threading.Event()

    def watch():
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    conns = {}
    i = 0
    limit = now() + 3600
    while not done.is_set() and now() < limit:
        name, path, hdr = pages[i % len(pages)]
        i += 1
        t = now()
        st = 0
        try:
            c = conns.get(name)
            if c is None:
                c = conns[name] = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            c.request("GET", path, headers=hdr)
            r = c.getresponse()
            r.read()
            st = r.status
            if r.getheader("Connection", "").lower() == "close":
                c.close()
                conns.pop(name)
        except (OSError, http.client.HTTPException):
            conns.pop(name, None)
        print(f"{t:.6f} {name} {(now() - t) * 1000:.3f} {st}", flush=True)
        done.wait(0.01)
    for c in conns.values():
        c.close()


def schedstat(pid):
    """(seconds on a CPU, seconds runnable but waiting for one) of a
    process's main thread, from /proc/PID/schedstat."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            on, wait = f.read().split()[:2]
        return int(on) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        return None


def cmd_burst(argv):
    base, token, admin, password, limit, lat_out, hubpid = argv[:7]
    users, limit = argv[7:], float(limit)
    cookie = form_login(base, admin, password)
    u = urllib.parse.urlsplit(base)
    # The pages are timed from a process of their own, so this one's
    # threads (the starts, the readiness polls) do not delay its clock.
    lat_raw = lat_out + ".raw"
    with open(lat_raw, "w") as f:
        prober = subprocess.Popen([sys.executable, os.path.abspath(__file__), "probe-pages",
                                   base, token, cookie], stdin=subprocess.PIPE, stdout=f)
    t0 = [None]
    time.sleep(2)  # a baseline before the burst
    gate = threading.Barrier(len(users) + 1)
    posted = {}

    def start(name):
        gate.wait()
        posted[name] = request(f"{base}/hub/api/users/{name}/server", "POST",
                               token, timeout=60)[0]

    starters = [threading.Thread(target=start, args=(n,), daemon=True) for n in users]
    for t in starters:
        t.start()
    t0[0] = now()
    gate.wait()
    sched0 = schedstat(hubpid)
    ready, failed = {}, {}
    deadline = t0[0] + limit
    want = set(users)
    while now() < deadline and len(ready) + len(failed) < len(users):
        st, body = request(f"{base}/hub/api/users", token=token, timeout=30)
        if st == 200:
            for m in json.loads(body):
                n = m.get("name")
                if n not in want or n in ready or n in failed:
                    continue
                srv = (m.get("servers") or {}).get("")
                if srv and srv.get("ready"):
                    ready[n] = now() - t0[0]
                elif n in posted and not srv and not m.get("pending") and \
                        now() - t0[0] > 5:
                    failed[n] = posted[n]
        time.sleep(0.1)
    t_all = max(ready.values()) if len(ready) == len(users) else None
    t_end = now() - t0[0]
    sched1 = schedstat(hubpid)
    time.sleep(1)
    prober.stdin.close()
    try:
        prober.wait(60)
    except subprocess.TimeoutExpired:
        prober.kill()
        prober.wait()
    lat = []
    with open(lat_raw) as f:
        for line in f:
            v = line.split()
            if len(v) == 4:
                lat.append((float(v[0]) - t0[0], v[1], float(v[2]), int(v[3])))
    os.unlink(lat_raw)
    for t in starters:
        t.join(1)
    # Every server that the hub calls ready answers through its proxy.
    through = sum(1 for n in ready
                  if request(f"{base}/user/{n}/api/status", token=token, timeout=30)[0] == 200)
    with open(lat_out, "w") as f:
        f.write("t_s\tpage\tms\tstatus\n")
        for t, n, ms, st in lat:
            f.write(f"{t:.3f}\t{n}\t{ms:.2f}\t{st}\n")
    base_ms = [ms for t, n, ms, st in lat if t < 0]
    during = [(n, ms, st) for t, n, ms, st in lat if 0 <= t <= t_end]
    bad = sum(1 for n, ms, st in during if st != 200)
    ms = [x for n, x, st in during]
    print(f"users={len(users)} ready={len(ready)} failed={len(failed)} "
          f"answering={through} posted_ok={sum(1 for v in posted.values() if v in (201, 202))}")
    print(f"all_ready_s={t_all:.2f}" if t_all is not None else f"all_ready_s=none (after {t_end:.1f} s)")
    if ready:
        print(f"first_ready_s={min(ready.values()):.2f} median_ready_s={statistics.median(ready.values()):.2f}")
    if ms:
        print(f"requests={len(ms)} non200={bad} p50_ms={pct(ms, 50):.2f} p99_ms={pct(ms, 99):.2f} max_ms={max(ms):.2f}")
        for page in ("login", "home", "api-users"):
            v = [x for n, x, st in during if n == page]
            if v:
                print(f"page {page} n={len(v)} p50_ms={pct(v, 50):.2f} p99_ms={pct(v, 99):.2f} max_ms={max(v):.2f}")
    if sched0 and sched1:
        # Where the hub's main thread spent the burst: on a CPU, waiting
        # for one (the machine's load, not the hub), or neither (its loop
        # idle in epoll, or blocked in a call).
        print(f"hub_cpu_s={sched1[0] - sched0[0]:.3f} hub_runq_wait_s={sched1[1] - sched0[1]:.3f} "
              f"burst_s={t_end:.3f}")
    if base_ms:
        print(f"baseline requests={len(base_ms)} p50_ms={pct(base_ms, 50):.2f} p99_ms={pct(base_ms, 99):.2f} max_ms={max(base_ms):.2f}")
    for n, st in sorted(failed.items()):
        print(f"failed {n} (POST gave {st})")


# --- report ---------------------------------------------------------------

def fmt(v, unit=""):
    if v is None:
        return "–"
    if abs(v) >= 100 or v == int(v):
        s = f"{v:,.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return s + unit


class Results:
    """Rows of the TSV: group, case, target, round, metric, value."""

    def __init__(self, path):
        self.vals = {}
        self.order = []
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 6:
                    continue
                g, c, t, _r, m, v = parts
                key = (g, c, m)
                if key not in self.order:
                    self.order.append(key)
                self.vals.setdefault((g, c, m, t), []).append(float(v))

    def get(self, g, c, m, t):
        return self.vals.get((g, c, m, t))

    def med(self, g, c, m, t):
        v = self.get(g, c, m, t)
        return statistics.median(v) if v else None

    def cell(self, g, c, m, t, unit=""):
        v = self.get(g, c, m, t)
        if not v:
            return "–"
        if len(v) == 1:
            return fmt(v[0], unit)
        return f"{fmt(statistics.median(v), unit)} ({fmt(min(v))}–{fmt(max(v))})"

    def cases(self, g, m):
        return [c for (g2, c, m2) in self.order if g2 == g and m2 == m]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rfmt(r):
    return "–" if r is None else f"{r:.2f}×"


def report(argv):
    tsv, out, meta = argv
    R = Results(tsv)
    L = []
    targets_out = []
    with open(meta) as f:
        L.append(f.read().rstrip() + "\n")

    def target(name, ok, detail):
        if ok is None:
            targets_out.append(f"| {name} | not measured | {detail} |")
        else:
            targets_out.append(f"| {name} | {'met' if ok else 'MISSED'} | {detail} |")

    # 1. HTTP
    hc = R.cases("http", "req/s")
    if hc:
        L.append("## 1. HTTP GET through each proxy (requests/s, wrk)\n")
        L.append("Median (min–max) over the rounds. Ratios are of medians; "
                 "rig/nginx is rig against nginx as a reverse proxy.\n")
        L.append("| case | direct nginx | rig | nginx proxy | CHP | rig/nginx | rig/CHP | rig/direct |")
        L.append("|---|---|---|---|---|---|---|---|")
        for c in hc:
            m = {t: R.med("http", c, "req/s", t) for t in ("direct", "rig", "nginx", "chp")}
            L.append(f"| {c} | " + " | ".join(R.cell("http", c, "req/s", t) for t in ("direct", "rig", "nginx", "chp"))
                     + f" | {rfmt(ratio(m['rig'], m['nginx']))} | {rfmt(ratio(m['rig'], m['chp']))} | {rfmt(ratio(m['rig'], m['direct']))} |")
        L.append("")
        lat = R.cases("http", "p50 ms")
        if lat:
            L.append("Latency p50 in ms (wrk), same runs:\n")
            L.append("| case | direct nginx | rig | nginx proxy | CHP |")
            L.append("|---|---|---|---|---|")
            for c in lat:
                L.append(f"| {c} | " + " | ".join(R.cell("http", c, "p50 ms", t) for t in ("direct", "rig", "nginx", "chp")) + " |")
            L.append("")
        for size, need_plain, need_tls in (("small", 1.0, 1.0), ("1MiB", 1.5, 1.2)):
            for scheme, need in (("plain", need_plain), ("tls", need_tls)):
                rs = []
                for c in hc:
                    if c.startswith(size + " ") and c.endswith(" " + scheme):
                        r = ratio(R.med("http", c, "req/s", "rig"), R.med("http", c, "req/s", "nginx"))
                        if r is not None:
                            rs.append((c, r))
                if not rs:
                    target(f"{size} GET {scheme}: rig ≥ {need}× nginx proxy", None, "")
                    continue
                worst = min(rs, key=lambda x: x[1])
                detail = ", ".join(f"{c}: {r:.2f}×" for c, r in rs)
                if worst[1] < need:
                    detail += f"; worst {worst[1]:.2f}× is {(1 - worst[1] / need) * 100:.0f}% short"
                target(f"{size} GET {scheme}: rig ≥ {need}× nginx proxy", worst[1] >= need, detail)

    # 2. WebSocket
    wc = R.cases("ws", "p50 us")
    if wc:
        L.append("## 2. WebSocket\n")
        L.append("Round trip of sequential small messages (ws-bench rtt), µs. "
                 "'added' is the proxy's p50 minus direct's p50.\n")
        L.append("| case | metric | direct | rig | nginx proxy | CHP | rig added / CHP added |")
        L.append("|---|---|---|---|---|---|---|")
        for c in wc:
            for m in ("p50 us", "p99 us"):
                d = R.med("ws", c, m, "direct")
                added = {t: (R.med("ws", c, m, t) - d) if d is not None and R.med("ws", c, m, t) is not None else None
                         for t in ("rig", "chp")}
                L.append(f"| {c} | {m} | " + " | ".join(R.cell("ws", c, m, t) for t in ("direct", "rig", "nginx", "chp"))
                         + f" | {rfmt(ratio(added['rig'], added['chp']))} |")
        L.append("")
        rs = []
        for c in wc:
            d = R.med("ws", c, "p50 us", "direct")
            r_, c_ = R.med("ws", c, "p50 us", "rig"), R.med("ws", c, "p50 us", "chp")
            if None not in (d, r_, c_) and c_ - d > 0:
                rs.append((c, (r_ - d) / (c_ - d), r_ - d, c_ - d))
        if rs:
            worst = max(rs, key=lambda x: x[1])
            detail = ", ".join(f"{c}: rig +{a:.0f} µs vs CHP +{b:.0f} µs = {r:.2f}" for c, r, a, b in rs)
            if worst[1] > 1 / 3:
                detail += f"; worst is {worst[1] * 3:.1f}× the allowed third"
            target("WebSocket added p50 ≤ 1/3 of CHP's", worst[1] <= 1 / 3, detail)
        rc = R.cases("ws", "msgs/s")
        if rc:
            L.append("Messages per second (ws-bench rate, one connection, a window of messages in flight):\n")
            L.append("| case | direct | rig | nginx proxy | CHP | rig/nginx | rig/CHP |")
            L.append("|---|---|---|---|---|---|---|")
            for c in rc:
                m = {t: R.med("ws", c, "msgs/s", t) for t in ("direct", "rig", "nginx", "chp")}
                L.append(f"| {c} | " + " | ".join(R.cell("ws", c, "msgs/s", t) for t in ("direct", "rig", "nginx", "chp"))
                         + f" | {rfmt(ratio(m['rig'], m['nginx']))} | {rfmt(ratio(m['rig'], m['chp']))} |")
            L.append("")
        ic = [c for c in R.cases("ws", "bytes/conn") if c != "openssl tls floor"]
        floor = R.med("ws", "openssl tls floor", "bytes/conn", "openssl")
        if ic:
            L.append("Memory per idle WebSocket connection: (RSS after opening N idle "
                     "connections − RSS before) / N, in bytes, on a freshly started "
                     "proxy. 'direct' is the echo server itself.\n")
            L.append("| case | direct | rig | nginx proxy | CHP |")
            L.append("|---|---|---|---|---|")
            for c in ic:
                L.append(f"| {c} | " + " | ".join(R.cell("ws", c, "bytes/conn", t) for t in ("direct", "rig", "nginx", "chp")) + " |")
            L.append("")
            if floor is not None:
                L.append(f"OpenSSL's own state per idle TLS 1.3 server connection, measured in "
                         f"one process by bench/tls-floor (same certificate, nothing else): "
                         f"{floor:,.0f} B. Every TLS row above includes it.\n")
            for scheme, lim in (("plain", 2048), ("tls", 12288)):
                vals = [(c, R.med("ws", c, "bytes/conn", "rig")) for c in ic if c.endswith(scheme)]
                vals = [(c, v) for c, v in vals if v is not None]
                if vals:
                    worst = max(vals, key=lambda x: x[1])
                    detail = ", ".join(f"{c}: {v:,.0f} B" for c, v in vals)
                    if worst[1] > lim:
                        detail += f"; worst is {worst[1] / lim:.1f}× the limit"
                    if scheme == "tls" and floor is not None:
                        detail += (f"; OpenSSL alone keeps {floor:,.0f} B"
                                   + (" (over the limit by itself)" if floor > lim else "")
                                   + f", rig's own part is {worst[1] - floor:,.0f} B")
                    target(f"idle WebSocket {scheme} ≤ {lim // 1024} kB/conn", worst[1] <= lim, detail)

    # 3. memory
    mc = R.cases("memory", "RSS kB")
    if mc:
        L.append("## 3. Memory (RSS, kB)\n")
        L.append("rig is the one process; JupyterHub is the hub (Python) plus CHP (node) added up.\n")
        L.append("| state | rig | JupyterHub + CHP | rig / JupyterHub |")
        L.append("|---|---|---|---|")
        mc.sort(key=lambda c: (c.startswith("after"), c != "idle"))
        for c in mc:
            L.append(f"| {c} | {R.cell('memory', c, 'RSS kB', 'rig')} | {R.cell('memory', c, 'RSS kB', 'jupyterhub')} | "
                     f"{rfmt(ratio(R.med('memory', c, 'RSS kB', 'rig'), R.med('memory', c, 'RSS kB', 'jupyterhub')))} |")
        L.append("")
        idle = R.med("memory", "idle", "RSS kB", "rig")
        if idle is not None:
            target("rig RSS at idle ≤ 8 MB", idle <= 8192,
                   f"{idle / 1024:.1f} MB" + ("" if idle <= 8192 else f", {idle / 8192:.2f}× the limit"))

    # 4. start-up
    sc = R.cases("startup", "start ms")
    if sc:
        L.append("## 4. Start-up (ms from launch until GET /hub/api/ answers 200; stop = SIGTERM until exit)\n")
        L.append("| case | start rig | start JupyterHub | stop rig | stop JupyterHub | rig / JupyterHub |")
        L.append("|---|---|---|---|---|---|")
        for c in sc:
            L.append(f"| {c} | {R.cell('startup', c, 'start ms', 'rig')} | {R.cell('startup', c, 'start ms', 'jupyterhub')} | "
                     f"{R.cell('startup', c, 'stop ms', 'rig')} | {R.cell('startup', c, 'stop ms', 'jupyterhub')} | "
                     f"{rfmt(ratio(R.med('startup', c, 'start ms', 'rig'), R.med('startup', c, 'start ms', 'jupyterhub')))} |")
        L.append("")
        vals = [(c, R.med("startup", c, "start ms", "rig")) for c in sc]
        vals = [(c, v) for c, v in vals if v is not None]
        if vals:
            worst = max(vals, key=lambda x: x[1])
            target("start ≤ 20 ms", worst[1] <= 20, ", ".join(f"{c}: {v:.1f} ms" for c, v in vals))

    # 5. spawn
    pc = R.cases("spawn", "ms")
    if pc:
        L.append("## 5. Spawn (ms from the start request until /user/NAME/api/status answers 200 through the proxy)\n")
        L.append("| case | notebook by hand (floor) | rig | JupyterHub | rig − floor | JupyterHub − floor |")
        L.append("|---|---|---|---|---|---|")
        for c in pc:
            f_, r_, j_ = (R.med("spawn", c, "ms", t) for t in ("floor", "rig", "jupyterhub"))
            L.append(f"| {c} | {R.cell('spawn', c, 'ms', 'floor')} | {R.cell('spawn', c, 'ms', 'rig')} | "
                     f"{R.cell('spawn', c, 'ms', 'jupyterhub')} | "
                     f"{fmt(r_ - f_) if None not in (r_, f_) else '–'} | {fmt(j_ - f_) if None not in (j_, f_) else '–'} |")
            if None not in (r_, f_):
                target("spawn: rig within 50 ms of the notebook's own start", r_ - f_ <= 50,
                       f"rig {r_:.0f} ms, floor {f_:.0f} ms: +{r_ - f_:.0f} ms")
        L.append("")

    # 6. soak
    def sv(c):
        return R.med("soak", c, "verdict", "rig")
    if sv("q1_rss_kb") is not None:
        L.append("## 6. Soak (mixed load on the hub; first and last quarter after the warm-up)\n")
        L.append(f"Warm-up {fmt(sv('warmup_s'))} s, then {fmt(sv('samples'))} samples; "
                 f"each quarter ~{fmt(sv('q1_s'))} s. RSS and descriptors are the quarter's "
                 "median sample; answers and errors are counted within the quarter.\n")
        L.append("| metric | first quarter | last quarter | change | max over the run |")
        L.append("|---|---|---|---|---|")
        L.append(f"| hub RSS kB | {fmt(sv('q1_rss_kb'))} | {fmt(sv('q4_rss_kb'))} | "
                 f"{sv('rss_change') * 100:+.1f} % | {fmt(sv('rss_max_kb'))} |")
        L.append(f"| hub open descriptors | {fmt(sv('q1_fds'))} | {fmt(sv('q4_fds'))} | "
                 f"{sv('fds_change') * 100:+.1f} % | {fmt(sv('fds_max'))} |")
        L.append(f"| answers checked | {fmt(sv('q1_ok'))} | {fmt(sv('q4_ok'))} | "
                 f"{(sv('q4_ok') / sv('q4_s')) / max(1e-9, sv('q1_ok') / sv('q1_s')) * 100 - 100:+.1f} % (per s) | – |")
        L.append(f"| errors | {fmt(sv('q1_err'))} | {fmt(sv('q4_err'))} | – | – |")
        L.append("")
        kinds = [c for c in R.cases("soak", "count")]
        if kinds:
            L.append("Over the whole run (warm-up included):\n")
            L.append("| load | right | wrong |")
            L.append("|---|---|---|")
            names = {"http": "GET /user/uN/api/status through the proxy (3 connections, 2 ms apart)",
                     "api": "GET /hub/api/users/uN (every 10th of those)",
                     "ws": "WebSocket opened, 10 echoes of 1–8000 bytes, closed",
                     "wsheld": "echo on one of 20 WebSockets held all along",
                     "login": "login form, POST, /hub/home, the server with the cookie, logout",
                     "cycle": "a server stopped, gone, started, answering"}
            for c in kinds:
                L.append(f"| {names.get(c, c)} | {fmt(R.med('soak', c, 'count', 'ok'))} | "
                         f"{fmt(R.med('soak', c, 'count', 'errors'))} |")
            L.append("")
        for c in R.cases("soak", "info"):
            L.append(f"- {c}: {fmt(R.med('soak', c, 'info', 'rig'))}")
        L.append("")
        r1 = sv("q1_err") / max(1, sv("q1_ok") + sv("q1_err"))
        r4 = sv("q4_err") / max(1, sv("q4_ok") + sv("q4_err"))
        target("soak: RSS, descriptors and error rate flat within 10 % (last quarter vs first)",
               bool(sv("flat")),
               f"RSS {sv('q1_rss_kb'):,.0f} → {sv('q4_rss_kb'):,.0f} kB ({sv('rss_change') * 100:+.1f} %); "
               f"fds {sv('q1_fds'):.0f} → {sv('q4_fds'):.0f} ({sv('fds_change') * 100:+.1f} %); "
               f"errors {sv('q1_err'):.0f} of {sv('q1_ok') + sv('q1_err'):,.0f} → {sv('q4_err'):.0f} of "
               f"{sv('q4_ok') + sv('q4_err'):,.0f} ({r1 * 100:.3g} % → {r4 * 100:.3g} %)")

    # 8. spawn burst
    bc = R.cases("burst", "ready")
    if bc:
        L.append("## 8. Spawn burst (users start real notebook servers at the same moment)\n")
        L.append("The hub's own pages (login page, /hub/home with a session, /hub/api/users with a "
                 "token) are fetched in turn, 10 ms apart, from a process of their own, from the "
                 "moment the starts are sent until the hub reports every server ready. rig makes each "
                 "user's Unix account in the burst; JupyterHub's simple spawner runs every server as "
                 "root. Median (min–max) over the rounds.\n")
        for c in bc:
            L.append(f"### {c}\n")
            L.append("| metric | rig | JupyterHub | rig / JupyterHub |")
            L.append("|---|---|---|---|")
            for m, label in (("ready", "servers ready"), ("all ready s", "time until all ready, s"),
                             ("median ready s", "median server ready, s"),
                             ("pages p50_ms", "pages p50, ms"), ("pages p99_ms", "pages p99, ms"),
                             ("pages max_ms", "pages max, ms"), ("pages requests", "page requests timed"),
                             ("login p99_ms", "login page p99, ms"), ("home p99_ms", "/hub/home p99, ms"),
                             ("api-users p99_ms", "/hub/api/users p99, ms"),
                             ("baseline p99_ms", "pages p99 before the burst, ms"),
                             ("hub cpu s", "hub main thread on a CPU during the burst, s"),
                             ("hub runq wait s", "hub main thread waiting for a CPU, s")):
                a, b = R.med("burst", c, m, "rig"), R.med("burst", c, m, "jupyterhub")
                if a is None and b is None:
                    continue
                L.append(f"| {label} | {R.cell('burst', c, m, 'rig')} | {R.cell('burst', c, m, 'jupyterhub')} | "
                         f"{rfmt(ratio(a, b)) if m not in ('ready', 'pages requests', 'hub runq wait s') else '–'} |")
            L.append("")
            n = int(c.split()[0])
            rd = R.get("burst", c, "ready", "rig") or []
            p99 = R.get("burst", c, "pages p99_ms", "rig") or []
            if rd and p99:
                worst = max(p99)
                target(f"spawn burst: all {n} ready, hub pages p99 ≤ 50 ms", min(rd) == n and worst <= 50,
                       f"ready {', '.join(f'{v:.0f}' for v in rd)} of {n}; pages p99 "
                       f"{', '.join(f'{v:.1f}' for v in p99)} ms (worst round {worst:.1f} ms)")

    # 7. first page
    fc = R.cases("firstpage", "ms")
    if fc:
        L.append("## 7. First page (ms from the login form to the notebook's tree page, the server's start included)\n")
        L.append("A cookie jar following redirects as a browser does (bench/tool.py firstpage); "
                 "the server stopped between rounds. JupyterHub's row runs the same classic "
                 "notebook (JUPYTERHUB_SINGLEUSER_APP), its OAuth dance and CHP included.\n")
        L.append("| case | rig (singleuser) | JupyterHub (singleuser) | rig (notebook, no OAuth) | rig − JupyterHub |")
        L.append("|---|---|---|---|---|")
        for c in fc:
            r_, j_ = (R.med("firstpage", c, "ms", t) for t in ("rig (singleuser)", "jupyterhub (singleuser)"))
            L.append(f"| {c} | {R.cell('firstpage', c, 'ms', 'rig (singleuser)')} | "
                     f"{R.cell('firstpage', c, 'ms', 'jupyterhub (singleuser)')} | "
                     f"{R.cell('firstpage', c, 'ms', 'rig (notebook)')} | "
                     f"{fmt(r_ - j_) if None not in (r_, j_) else '–'} |")
            if None not in (r_, j_):
                target("first page: rig with singleuser no slower than JupyterHub", r_ <= j_,
                       f"rig {r_:.0f} ms, JupyterHub {j_:.0f} ms")
        L.append("")

    # 9. a pool at scale
    pc = R.cases("pool", "req/s")
    if pc:
        L.append("## 9. A pool at scale (servers as Slurm jobs on many nodes, and as local servers)\n")
        L.append("Two hubs side by side, each with its servers running, the same server (bench/ws-echo); "
                 "the Slurm nodes are slurmd -N on this host. Throughput: wrk -c50, each request to the "
                 "next user's server in turn, the two hubs taking turns. Median (min–max) over the rounds.\n")
        for c in pc:
            L.append(f"{c}:\n")
            L.append("| metric | Slurm jobs | local servers | slurm/local |")
            L.append("|---|---|---|---|")
            for m in ("req/s", "hub CPU µs per request", "hub user CPU µs per request",
                      "servers' CPU µs per request", "machine CPU µs per request",
                      "hub RSS kB, servers running", "hub RSS kB, after 10 idle s",
                      "hub RSS kB, after the load",
                      "hub CPU ms per idle s", "all started, s", "nodes used"):
                a, b = R.med("pool", c, m, "slurm"), R.med("pool", c, m, "local")
                if a is None and b is None:
                    continue
                L.append(f"| {m} | {R.cell('pool', c, m, 'slurm')} | {R.cell('pool', c, m, 'local')} | "
                         f"{rfmt(ratio(a, b)) if m != 'nodes used' else '–'} |")
            L.append("")
            hs = {k: R.med("pool", c, f"TLS handshakes to servers, {k}", "slurm")
                  for k in ("full", "resumed", "failed")}
            if hs["full"] is not None:
                L.append(f"The Slurm hub's TLS handshakes to its servers over all rounds (one per connection "
                         f"it opened): full {hs['full']:.0f}, resumed {hs['resumed'] or 0:.0f}, "
                         f"failed {hs['failed'] or 0:.0f}.\n")
            pr = R.get("pool", c, "req/s, slurm/local in the same round", "slurm/local")
            if pr:
                L.append(f"Routing, slurm/local within each round (back to back, the order alternating): "
                         f"median {statistics.median(pr):.2f}× ({min(pr):.2f}–{max(pr):.2f}× over "
                         f"{len(pr)} rounds).\n")
            t, rl = ratio(R.med("pool", c, "req/s", "slurm"), R.med("pool", c, "req/s", "local")), \
                ratio(R.med("pool", c, "hub RSS kB, servers running", "slurm"),
                      R.med("pool", c, "hub RSS kB, servers running", "local"))
            if pr:
                t = statistics.median(pr)
            if t is not None and rl is not None:
                target(f"pool ({c}): routing ≥ 0.9× and hub RSS ≤ 1.1× local servers'",
                       t >= 0.9 and rl <= 1.1, f"throughput {t:.2f}×, RSS {rl:.2f}×")

    L.append("## Targets\n")
    L.append("| target | result | detail |")
    L.append("|---|---|---|")
    L.extend(targets_out)
    L.append("")
    with open(out, "w") as f:
        f.write("\n".join(L))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, argv = sys.argv[1], sys.argv[2:]
    fn = {
        "startup": cmd_startup,
        "spawn": cmd_spawn,
        "firstpage": cmd_firstpage,
        "floor": cmd_floor,
        "start-servers": cmd_start_servers,
        "stop-servers": cmd_stop_servers,
        "chp-routes": cmd_chp_routes,
        "soak": cmd_soak,
        "burst": cmd_burst,
        "probe-pages": cmd_probe_pages,
        "report": report,
    }.get(cmd)
    if fn is None:
        sys.exit(__doc__)
    fn(argv)


if __name__ == "__main__":
    main()
