#!/usr/bin/python3
"""Another local user racing a starting server, for t188 and t189.

Run as the attacker's uid (setpriv). Each mode loops until STOP exists (at
most 120 s) and appends what it did and saw to RECORD, one line each.

squatter.py port PATTERN RECORD STOP
    Watches every process's command line for PATTERN, words with {port}
    where the server's port stands (it is on the server's command line),
    binds that port on 127.0.0.1 before the server does, and answers every
    request with 200.
    Writes "bound PORT", then "got N bytes" and the bytes of each request
    received (the secret would be in them), and "listen failed: ..." if
    the server won.

squatter.py sock DIR RECORD STOP
    Tries, over and over, what would let it stand in for the server on the
    Unix socket DIR/jupyter.sock or reach it: make DIR, list it, bind the
    socket, connect to it, unlink or rename it. Writes "OP ok" or
    "OP ERRNO" for each try that ended differently from the last one of
    the same OP, and "rounds N" at the end.
"""
import errno
import os
import re
import socket
import sys
import time

DEADLINE = time.monotonic() + 120


def log(record, line):
    with open(record, "a") as f:
        f.write(line + "\n")


def cmdlines():
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                yield f.read().replace(b"\0", b" ").decode("latin-1")
        except OSError:
            pass


def squat_port(marker, record, stop):
    pat = re.compile(re.escape(marker).replace(re.escape("{port}"), r"(\d+)"))
    port = None
    while port is None:
        if os.path.exists(stop) or time.monotonic() > DEADLINE:
            log(record, "no server seen")
            return
        for line in cmdlines():
            m = pat.search(line)
            if m:
                port = int(m.group(1))
                break
        else:
            time.sleep(0.002)
    ls = socket.socket()
    try:
        ls.bind(("127.0.0.1", port))
        ls.listen(16)
    except OSError as e:
        log(record, "listen failed: %s" % e)
        return
    log(record, "bound %d" % port)
    ls.settimeout(0.2)
    while not os.path.exists(stop) and time.monotonic() < DEADLINE:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        c.settimeout(2)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                got = c.recv(65536)
                if not got:
                    break
                data += got
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
        except OSError:
            pass
        c.close()
        log(record, "got %d bytes" % len(data))
        log(record, data.decode("latin-1"))


def attempt(op, fn, last, record):
    try:
        fn()
        out = "ok"
    except OSError as e:
        out = errno.errorcode.get(e.errno, str(e.errno))
    if last.get(op) != out:
        log(record, "%s %s" % (op, out))
        last[op] = out


def squat_sock(d, record, stop):
    path = os.path.join(d, "jupyter.sock")
    last = {}
    rounds = 0

    def bind():
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(path)
            s.listen(1)
        finally:
            s.close()

    def connect():
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
        finally:
            s.close()

    while not os.path.exists(stop) and time.monotonic() < DEADLINE:
        attempt("mkdir-parent", lambda: os.mkdir(os.path.dirname(d)), last,
                record)
        attempt("mkdir", lambda: os.mkdir(d), last, record)
        attempt("list", lambda: os.listdir(d), last, record)
        attempt("bind", bind, last, record)
        attempt("connect", connect, last, record)
        attempt("unlink", lambda: os.unlink(path), last, record)
        attempt("rename", lambda: os.rename(path, path + ".x"), last, record)
        rounds += 1
        time.sleep(0.005)
    log(record, "rounds %d" % rounds)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("port", "sock"):
        sys.exit(__doc__)
    _, mode, what, record, stop = sys.argv
    if mode == "port":
        squat_port(what, record, stop)
    else:
        squat_sock(what, record, stop)


if __name__ == "__main__":
    main()
