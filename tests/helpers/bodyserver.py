#!/usr/bin/python3
"""A back end that misbehaves on purpose, for t105-splice-relay.

bodyserver.py PORTFILE DATAFILE MARKFILE listens on a free loopback port
(written to PORTFILE once listening) and answers each GET with the first N
bytes of DATAFILE, by the last two parts of the path:

  .../eof/N    no Content-Length, "Connection: close": N bytes, then it closes
  .../short/N  "Content-Length: N", but only N/2 bytes, then it closes
  .../hang/N   "Content-Length: N", 1 MiB of it, then MARKFILE is written and
               the connection is held until the process dies
  .../early/N  a "103 Early Hints" head first, then the 200 with N bytes
  .../split/N  the 200's head in two writes 0.2 s apart, then N bytes
"""
import os
import socket
import socketserver
import sys
import threading
import time


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            got = self.request.recv(65536)
            if not got:
                return
            head += got
        path = head.split(b" ", 2)[1].decode()
        kind, n = path.rstrip("/").split("/")[-2:]
        n = int(n)
        with open(sys.argv[2], "rb") as f:
            data = f.read(n)
        s = self.request
        if kind == "eof":
            s.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + data)
        elif kind == "short":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n
                      + data[: n // 2])
        elif kind == "hang":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n
                      + data[: 1 << 20])
            with open(sys.argv[3], "w") as m:
                m.write("sent\n")
            threading.Event().wait()
        elif kind in ("early", "split"):
            head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n
            if kind == "early":
                s.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n")
                s.sendall(head + data)
            else:
                s.sendall(head[:20])
                time.sleep(0.2)
                s.sendall(head[20:] + data)
        s.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
