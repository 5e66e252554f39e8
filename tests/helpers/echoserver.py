#!/usr/bin/python3
"""A back end that says what it was sent, for the proxy's tests.

echoserver.py PORT [NAME] listens on 127.0.0.1:PORT (0: a free one, printed
on stdout) and answers every request with 200 and a text body: the line
"NAME METHOD TARGET", then the request's header lines as received. Used as
a user's server (server_cmd = ... {port}) and as a service, so a test sees
which server got a request, with which path and which headers.
  /slow/N       the answer's body is N bytes, sent 1 byte a second
  /big/N        the answer's body is N bytes ('x'), at once
  /hang/N       "Content-Length: N", 10 bytes of it, then nothing
  an upgrade    101, then every byte received is sent back
"""
import socket
import sys
import threading


def handle(sock, name):
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                got = sock.recv(65536)
                if not got:
                    return
                buf += got
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip())
            while len(buf) < length:
                got = sock.recv(65536)
                if not got:
                    return
                buf += got
            buf = buf[length:]
            parts = target.split("?")[0].split("/")
            if any(l.lower().startswith("upgrade:") for l in lines[1:]):
                sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                             b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
                if buf:
                    sock.sendall(buf)
                while True:
                    got = sock.recv(65536)
                    if not got:
                        return
                    sock.sendall(got)
            if len(parts) >= 2 and parts[-2] == "hang":
                n = int(parts[-1])
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
                sock.sendall(b"x" * 10)
                while sock.recv(65536):
                    pass
                return
            if len(parts) >= 2 and parts[-2] == "big":
                n = int(parts[-1])
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
                sock.sendall(b"x" * n)
                continue
            if len(parts) >= 2 and parts[-2] == "slow":
                n = int(parts[-1])
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
                for _ in range(n):
                    sock.sendall(b"x")
                    threading.Event().wait(1)
                continue
            body = ("%s %s %s\n" % (name, method, target) +
                    "\n".join(lines[1:]) + "\n").encode("latin-1")
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    finally:
        sock.close()


def main():
    port = int(sys.argv[1])
    name = sys.argv[2] if len(sys.argv) > 2 else "echo"
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(512)
    print(srv.getsockname()[1], flush=True)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c, name), daemon=True).start()


main()
