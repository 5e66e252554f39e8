#!/usr/bin/python3
"""TCP forwarder from inside a network namespace to loopback outside it.

A test "VM" is a network namespace with its own sshd; on Azure it would
reach IMDS at 169.254.169.254:80 and ARM over the internet. Here both are
the ARM test double on this machine's 127.0.0.1. This process listens
inside the namespace (sockets keep the namespace they were made in:
setns(2) in, bind, setns back) and connects out from this machine's own
namespace, so the double stays on loopback.

usage: nsforward.py NETNS_PATH TARGET_PORT LISTEN_ADDR:PORT... READY_FILE
"""
import asyncio
import ctypes
import os
import socket
import sys

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


async def pipe(r, w):
    try:
        while True:
            data = await r.read(65536)
            if not data:
                break
            w.write(data)
            await w.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            w.close()
        except OSError:
            pass


def handler(port):
    async def handle(r, w):
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            w.close()
            return
        await asyncio.gather(pipe(r, uw), pipe(ur, w))
    return handle


async def main():
    netns, port, listens, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3:-1], sys.argv[-1]
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(netns, os.O_RDONLY)
    socks = []
    setns(target)
    try:
        for spec in listens:
            host, p = spec.rsplit(":", 1)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, int(p)))
            s.listen(64)
            s.setblocking(False)
            socks.append(s)
    finally:
        setns(own)
    servers = [await asyncio.start_server(handler(port), sock=s) for s in socks]
    with open(ready, "w") as f:
        f.write("ready\n")
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
