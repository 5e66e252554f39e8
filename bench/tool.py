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
    report TSV OUT META           the markdown results (see report())

Every wait has a deadline; every child started here is stopped here.
"""

import http.client
import json
import re
import os
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
    base, token, users = argv[0], argv[1], argv[2:]
    for u in users:
        st, body = request(f"{base}/hub/api/users/{u}/server", "POST", token)
        if st not in (201, 202, 400, 409):
            sys.exit(f"tool: start {u}: {st} {body[:200]!r}")
    deadline = now() + 120 + len(users) * 0.5
    left = list(users)
    while left and now() < deadline:
        left = [u for u in left
                if request(f"{base}/user/{u}/api/status", token=token)[0] != 200]
        if left:
            time.sleep(0.2)
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
    kc = R.cases("soak", "value")
    if kc:
        L.append("## 6. Soak (rig under moderate load, sampled every few seconds)\n")
        L.append("| metric | first | last | max |")
        L.append("|---|---|---|---|")
        for c in kc:
            L.append(f"| {c} | " + " | ".join(fmt(R.med('soak', c, 'value', t)) for t in ("first", "last", "max")) + " |")
        L.append("")
        extra = R.cases("soak", "info")
        for c in extra:
            L.append(f"- {c}: {fmt(R.med('soak', c, 'info', 'rig'))}")
        if extra:
            L.append("")
        rss = [R.med("soak", "rig RSS kB", "value", t) for t in ("first", "last", "max")]
        fds = [R.med("soak", "rig open fds", "value", t) for t in ("first", "last", "max")]
        if None not in rss and None not in fds:
            # Flat: the last sample within 10 % (and 1 MB) of the first.
            ok_rss = rss[1] <= rss[0] * 1.10 + 1024
            ok_fds = fds[1] <= fds[0] + 10
            target("soak: RSS and open fds flat", ok_rss and ok_fds,
                   f"RSS {rss[0]:.0f} → {rss[1]:.0f} kB (max {rss[2]:.0f}); fds {fds[0]:.0f} → {fds[1]:.0f} (max {fds[2]:.0f})")

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
        "report": report,
    }.get(cmd)
    if fn is None:
        sys.exit(__doc__)
    fn(argv)


if __name__ == "__main__":
    main()
