#!/usr/bin/python3
"""Attempts a WebSocket upgrade and prints the HTTP status it got.

usage: wsprobe.py URL [-H 'Name: value']... [--jar FILE]
  URL    wss://127.0.0.1:PORT/user/alice/api/kernels/ID/channels (or ws://)
  -H     an extra request header, e.g. 'Origin: https://evil.example' or
         'Authorization: token XXXX' (repeatable); nothing else is added:
         no Origin unless given
  --jar  send the cookies of this curl cookie jar as the Cookie header

Prints the status code of the answer (101 when the upgrade was accepted,
else the refusal, e.g. 403), or 000 if the connection closed without an
answer. Exits 0 whenever it got an answer, 1 on a connection error or
when no answer came within 20 s. TLS certificates are not verified.
"""
import base64
import os
import socket
import ssl
import sys
import time
import urllib.parse


def cookie_header(jar):
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
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    url, extra = args[0], []
    i = 1
    while i < len(args):
        if args[i] == "-H" and i + 1 < len(args):
            extra.append(args[i + 1])
            i += 2
        elif args[i] == "--jar" and i + 1 < len(args):
            extra.append("Cookie: " + cookie_header(args[i + 1]))
            i += 2
        else:
            sys.exit(__doc__)
    u = urllib.parse.urlsplit(url)
    port = u.port or (443 if u.scheme == "wss" else 80)
    path = u.path + ("?" + u.query if u.query else "")
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
    req += "".join(h + "\r\n" for h in extra) + "\r\n"

    deadline = time.time() + 20
    try:
        sock = socket.create_connection((u.hostname, port), timeout=20)
        if u.scheme == "wss":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock, server_hostname=u.hostname)
        sock.sendall(req.encode())
        data = b""
        while b"\r\n" not in data and len(data) < 65536:
            sock.settimeout(max(0.1, deadline - time.time()))
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError) as e:
        print(f"wsprobe: {e}", file=sys.stderr)
        sys.exit(1)
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1].isdigit():
        print(parts[1])
    else:
        print("000")
        if data:
            print(f"wsprobe: not an HTTP answer: {line[:100]!r}", file=sys.stderr)
    sock.close()


if __name__ == "__main__":
    main()
