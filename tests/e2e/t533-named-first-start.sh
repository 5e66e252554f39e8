#!/bin/bash
# A user's first two servers asked for at once (two named servers, one
# connection, the requests back to back): the hub makes their account
# once, and the second start finds it made. (The account queue's second
# useradd used to take the first one's new home for an old one, move it
# aside, and fail: neither server started.)
. "$(dirname "$0")/lib.sh"

rig_user_add carol
hub_config "allow_named_servers = yes" "spawn_timeout = 150"
READY_S=150
hub_start
TOKEN=$(rig_token carol)
ACCT=${PREFIX}carol
getent passwd "$ACCT" >/dev/null && fail "$ACCT exists before any start"

# Both requests in one write: the hub reads them together, and both
# starts ask for the account before the first useradd has run.
$PY - "$URL" "$TOKEN" >"$T/codes" 2>&1 <<'EOP' || fail "the two requests: $(cat "$T/codes")"
import socket, ssl, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
req = "".join(
    "POST /hub/api/users/carol/servers/%s HTTP/1.1\r\nHost: %s\r\n"
    "Authorization: token %s\r\nContent-Length: 0\r\n\r\n" % (srv, u.netloc, sys.argv[2])
    for srv in ("one", "two"))
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with ctx.wrap_socket(socket.create_connection((u.hostname, u.port), timeout=30)) as s:
    s.sendall(req.encode())
    got, codes = b"", []
    while len(codes) < 2:
        # A whole answer at the front: its code, and on to the next.
        head, sep, rest = got.partition(b"\r\n\r\n")
        if sep:
            lines = head.decode().split("\r\n")
            n = int(next((l.split(":", 1)[1] for l in lines if l.lower().startswith("content-length:")), "0"))
            if len(rest) >= n:
                codes.append(lines[0].split()[1])
                got = rest[n:]
                continue
        b = s.recv(65536)
        if not b:
            break
        got += b
print(" ".join(codes))
EOP
case $(cat "$T/codes") in "202 202" | "201 202" | "202 201" | "201 201") ;; *) fail "answers: $(cat "$T/codes")" ;; esac
wait_named_ready carol "$TOKEN" one
wait_named_ready carol "$TOKEN" two
grep -q "account $ACCT: made already" "$T/hub.log" ||
	fail "the second start did not find the account made by the first: $(grep "account $ACCT" "$T/hub.log")"

# One account, its home where it was made, nothing moved aside.
home=$(getent passwd "$ACCT" | cut -d: -f6)
[ -d "$home" ] && [ "$(stat -c %U "$home")" = "$ACCT" ] || fail "$ACCT's home $home: $(ls -ld "$home" 2>&1)"
ls -d "$home".old-* 2>/dev/null && fail "a home moved aside: $(ls -d "$home".old-*)"
grep -q "account $ACCT: an old home was left" "$T/hub.log" && fail "the new home taken for an old one: $(grep "account $ACCT" "$T/hub.log")"
for srv in one two; do
	code=$(TOKEN=$TOKEN api DELETE "/hub/api/users/carol/servers/$srv")
	case $code in 202 | 204) ;; *) fail "DELETE servers/$srv: $code $(body)" ;; esac
done
hub_stop
