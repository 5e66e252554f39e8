# SPDX-License-Identifier: MIT
# An impostor on a server's port (tests t375, t383): usage
#   impostor.py PORT OUT CERT KEY
# Listens on 0.0.0.0:PORT and accepts any client; per connection it
# appends to OUT what happened:
#   CONN <first byte in hex>
#   TLS reused <True|False> got <what came, first 40 bytes>   (handshake done)
#   HANDSHAKE <error>                                          (it failed)
#   PLAIN <what came>                                          (no TLS hello)
# and answers a completed one with a 200. OUT.ready appears once it listens.
import socket
import ssl
import sys

port, out, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', port))
s.listen(16)
open(out + '.ready', 'w').close()
while True:
    c, _ = s.accept()
    c.settimeout(5)
    rec = b''
    try:
        first = c.recv(1, socket.MSG_PEEK)
        rec = b'CONN ' + first.hex().encode() + b'\n'
        if first == b'\x16':
            try:
                t = ctx.wrap_socket(c, server_side=True)
            except (OSError, ssl.SSLError) as e:
                rec += b'HANDSHAKE ' + str(e).encode() + b'\n'
            else:
                got = t.recv(65536)
                rec += b'TLS reused %s got %r\n' % (str(t.session_reused).encode(), got[:40])
                t.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
        else:
            rec += b'PLAIN ' + c.recv(65536) + b'\n'
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    except OSError as e:
        rec += b'ENDED ' + str(e).encode() + b'\n'
    with open(out, 'ab') as f:
        f.write(rec)
    c.close()
