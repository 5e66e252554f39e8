#!/bin/bash
# A user's server on its Unix socket, proxied to a plain client: small
# answers, and large bodies moved by the splice relay (Unix socket -> pipe
# -> client), intact, several on one keep-alive connection. The server is
# nginx (Debian's) run as the user's account, listening on unix:{sock}.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || fail "nginx missing: run scripts/install-deps.sh"

# Files and the config template where the account can read them.
W=$(mktemp -d /tmp/rig-e2e-www.XXXXXX)
AT_EXIT='rm -rf "$W"'
chmod 755 "$W"
mkdir -p "$W/user/alice/api"
head -c $((8 << 20)) /dev/urandom >"$W/user/alice/8MiB.bin"
head -c $((1 << 20)) "$W/user/alice/8MiB.bin" >"$W/user/alice/1MiB.bin"
head -c 100 "$W/user/alice/8MiB.bin" >"$W/user/alice/small.bin"
echo '{}' >"$W/user/alice/api/index.html"
cat >"$W/nginx.tmpl" <<EOF
daemon off;
master_process off;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path tmp;
	proxy_temp_path tmp;
	fastcgi_temp_path tmp;
	uwsgi_temp_path tmp;
	scgi_temp_path tmp;
	server {
		listen unix:SOCK;
		root $W;
	}
}
EOF
chmod -R a+rX "$W"

rig_user_add alice
rig_user_add admin --admin
TOKEN=$(rig_token alice)
AUTH="Authorization: token $TOKEN"
ADMIN="Authorization: token $(rig_token admin)"
# nginx makes its socket with the umask: 007 leaves it to the account and
# the directory's group, 'rig' (the hub).
hub_config "server_cmd = /bin/sh -c \"mkdir -p tmp && sed s#SOCK#{sock}# $W/nginx.tmpl >nginx.conf && umask 007 && exec /usr/sbin/nginx -p . -c nginx.conf\""
hub_start --no-tls
spawn alice "$TOKEN"
grep -q "server alice: ready on unix:/run/rig/${PREFIX}alice/jupyter.sock" "$T/hub.log" ||
	fail "alice's server is not on its socket"

# metric NAME: a counter from /hub/metrics (an admin's).
metric() {
	local v
	v=$(curl -s -m 10 -H "$ADMIN" "$URL/hub/metrics" | sed -n "s/^$1 //p")
	[ -n "$v" ] || fail "no $1 in /hub/metrics"
	echo "$v"
}

curl -sf -m 30 -H "$AUTH" -o "$T/small" "$URL/user/alice/small.bin" || fail "small.bin through the socket"
cmp -s "$T/small" "$W/user/alice/small.bin" || fail "small.bin differs"

r0=$(metric rig_splice_relays_total)
for f in 1MiB 8MiB; do
	curl -sf -m 60 -H "$AUTH" -o "$T/$f" "$URL/user/alice/$f.bin" || fail "$f through the socket"
	cmp -s "$T/$f" "$W/user/alice/$f.bin" || fail "$f arrived changed ($(stat -c %s "$T/$f") bytes)"
done
r1=$(metric rig_splice_relays_total)
note "relays: $r0 -> $r1"
[ "$r1" -ge $((r0 + 2)) ] || fail "the large bodies were not relayed ($r0 -> $r1)"

# Three on one keep-alive connection.
curl -sf -m 60 -H "$AUTH" -o "$T/k1" "$URL/user/alice/1MiB.bin" \
	-o "$T/k2" "$URL/user/alice/8MiB.bin" -o "$T/k3" "$URL/user/alice/1MiB.bin" || fail "keep-alive run"
cmp -s "$T/k1" "$W/user/alice/1MiB.bin" && cmp -s "$T/k2" "$W/user/alice/8MiB.bin" &&
	cmp -s "$T/k3" "$W/user/alice/1MiB.bin" || fail "keep-alive run: a body differs"
hub_alive
hub_stop
