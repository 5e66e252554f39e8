#!/bin/bash
# Large response bodies to a plain client go back end -> pipe -> client by
# splice(2) (src/hub/relay.c) and arrive intact: 1 MiB, 8 MiB, sizes near the
# relay's threshold, several on one keep-alive connection, a slow reader, a
# body that ends when the server closes. The relay is really used: counted
# in /hub/metrics (rig_splice_relays_total, rig_splice_bytes_total). A
# client killed mid-body, a back end killed mid-body and one that closes
# early cost the hub nothing: it keeps serving and its descriptors come back
# to where they were; the client sees a truncated transfer. HEAD and 304
# are unaffected; with `splice = no`, and over TLS, bodies go the ordinary
# way. A hub stopped while a relay runs exits cleanly (ASan: no leak).
# Back ends: nginx (Debian's, one process) for the files, and
# tests/helpers/bodyserver.py for the misbehaving ones.
. "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || fail "nginx missing: run scripts/install-deps.sh"

D=$T/www/services/files
mkdir -p "$D" "$T/nginx/tmp"
head -c $((64 << 20)) /dev/urandom >"$D/64MiB.bin"
head -c $((8 << 20)) "$D/64MiB.bin" >"$D/8MiB.bin"
head -c $((1 << 20)) "$D/64MiB.bin" >"$D/1MiB.bin"
head -c 100 "$D/64MiB.bin" >"$D/small.bin"
# The relay takes a rest of 128 KiB or more (RELAY_MIN in proxy.c).
NEAR="131071 131072 131073 196609 3145735"
for n in $NEAR; do head -c "$n" "$D/64MiB.bin" >"$D/$n.bin"; done

P_BE=$(free_port)
cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	etag on;
	client_body_temp_path $T/nginx/tmp/body;
	proxy_temp_path $T/nginx/tmp/proxy;
	fastcgi_temp_path $T/nginx/tmp/fastcgi;
	uwsgi_temp_path $T/nginx/tmp/uwsgi;
	scgi_temp_path $T/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$P_BE;
		root $T/www;
	}
}
EOF
nginx -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
bg_track $!
for _ in $(seq 1 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$P_BE/services/files/small.bin" && break
	sleep 0.05
done
curl -sf -o /dev/null "http://127.0.0.1:$P_BE/services/files/small.bin" ||
	fail "nginx not answering; $(cat "$T/nginx/error.log")"

# bodyserver NAME: starts tests/helpers/bodyserver.py; its port is in
# $T/NAME.port, its pid in BS_PID.
bodyserver() {
	rm -f "$T/$1.port" "$T/$1.mark"
	$PY "$HELPERS/bodyserver.py" "$T/$1.port" "$D/64MiB.bin" "$T/$1.mark" \
		2>"$T/$1.log" &
	BS_PID=$!
	bg_track "$BS_PID"
	for _ in $(seq 1 100); do [ -s "$T/$1.port" ] && break; sleep 0.05; done
	[ -s "$T/$1.port" ] || fail "bodyserver $1 did not start: $(cat "$T/$1.log")"
}
bodyserver odd
bodyserver hang
HANG_PID=$BS_PID

# rig_conf [LINE...]: the hub's config with the three services.
rig_conf() {
	hub_config "$@"
	cat >>"$T/rig.conf" <<EOF
[service files]
url = http://127.0.0.1:$P_BE
[service odd]
url = http://127.0.0.1:$(cat "$T/odd.port")
[service hang]
url = http://127.0.0.1:$(cat "$T/hang.port")
EOF
}

rig_user_add admin --admin
TOKEN=$(rig_token admin)
AUTH="Authorization: token $TOKEN"

# metric NAME: a counter from /hub/metrics.
metric() {
	local v
	v=$(curl -sk -m 10 -H "$AUTH" "$URL/hub/metrics" | sed -n "s/^$1 //p")
	[ -n "$v" ] || fail "no $1 in /hub/metrics"
	echo "$v"
}

sha() {
	sha256sum <"$1" | cut -d' ' -f1
}

# check_file NAME [CURL ARGS...]: GET /services/files/NAME through the hub;
# fails unless it is 200 with the file's bytes.
check_file() {
	local name=$1 code rc=0
	shift
	code=$(curl -sk -m 60 -H "$AUTH" -o "$T/got" -w '%{http_code}' "$@" \
		"$URL/services/files/$name") || rc=$?
	[ "$rc" = 0 ] || fail "GET $name: curl exit $rc"
	[ "$code" = 200 ] || fail "GET $name: status $code"
	[ "$(sha "$T/got")" = "$(sha "$D/$name")" ] || fail "GET $name: the bytes differ"
}

fds() {
	find "/proc/$HUB_PID/fd" -mindepth 1 -maxdepth 1 | wc -l
}

# fds_back_to N WHAT: waits up to 5 s for the hub to hold N descriptors.
fds_back_to() {
	local n
	for _ in $(seq 1 50); do
		n=$(fds)
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	ls -l "/proc/$HUB_PID/fd" >&2
	fail "$2: the hub holds $n descriptors, $1 before"
}

rig_conf
hub_start --no-tls

# 1 MiB and 8 MiB: one relay each, and (all but the first read of each)
# their bytes counted as spliced.
r0=$(metric rig_splice_relays_total)
b0=$(metric rig_splice_bytes_total)
check_file 1MiB.bin
check_file 8MiB.bin
r1=$(metric rig_splice_relays_total)
b1=$(metric rig_splice_bytes_total)
[ "$r1" = $((r0 + 2)) ] || fail "1 MiB + 8 MiB: $((r1 - r0)) relays, not 2"
[ $((b1 - b0)) -ge $(((9 << 20) - (2 << 16))) ] ||
	fail "1 MiB + 8 MiB: only $((b1 - b0)) bytes spliced"
note "1 MiB + 8 MiB: $((b1 - b0)) bytes spliced"

# Around the threshold: whichever way each goes, the bytes are right.
for n in $NEAR; do check_file "$n.bin"; done
[ "$(metric rig_splice_relays_total)" -gt "$r1" ] || fail "no relay for 3 MiB"

# Five responses on one keep-alive connection, relayed or not.
r0=$(metric rig_splice_relays_total)
args=()
i=0
for f in 8MiB small 1MiB 131073 8MiB; do
	i=$((i + 1))
	args+=("$URL/services/files/$f.bin" -o "$T/ka.$i")
done
curl -s -m 60 -H "$AUTH" -w '%{http_code} %{num_connects}\n' "${args[@]}" >"$T/ka.out" ||
	fail "keep-alive run: curl exit $?"
[ "$(awk '{ c += $2 } END { print c }' "$T/ka.out")" = 1 ] ||
	fail "keep-alive run used more than one connection: $(tr '\n' ' ' <"$T/ka.out")"
[ "$(grep -c '^200 ' "$T/ka.out")" = 5 ] || fail "keep-alive run: $(tr '\n' ' ' <"$T/ka.out")"
i=0
for f in 8MiB small 1MiB 131073 8MiB; do
	i=$((i + 1))
	[ "$(sha "$T/ka.$i")" = "$(sha "$D/$f.bin")" ] || fail "keep-alive run: $f.bin (#$i) differs"
done
[ "$(metric rig_splice_relays_total)" -ge $((r0 + 3)) ] || fail "keep-alive run: fewer than 3 relays"

# A slow reader: the relay waits for the client to take more.
check_file 8MiB.bin --limit-rate 4M

# A body that ends when the server closes (no length).
r0=$(metric rig_splice_relays_total)
code=$(curl -s -m 60 -H "$AUTH" -o "$T/got" -w '%{http_code}' "$URL/services/odd/eof/3000001") ||
	fail "until close: curl exit $?"
[ "$code" = 200 ] || fail "until close: $code"
[ "$(sha "$T/got")" = "$(head -c 3000001 "$D/64MiB.bin" | sha256sum | cut -d' ' -f1)" ] ||
	fail "until close: the bytes differ"
[ "$(metric rig_splice_relays_total)" = $((r0 + 1)) ] || fail "until close: not relayed"

# A 103 before the response, and a response head split over two reads:
# the head goes on with the body's first bytes, small and relayed sizes.
for kind in early split; do
	for n in 100 3000001; do
		code=$(curl -s -m 60 -H "$AUTH" -o "$T/got" -w '%{http_code}' \
			"$URL/services/odd/$kind/$n") || fail "$kind $n: curl exit $?"
		[ "$code" = 200 ] || fail "$kind $n: $code"
		[ "$(sha "$T/got")" = "$(head -c "$n" "$D/64MiB.bin" | sha256sum | cut -d' ' -f1)" ] ||
			fail "$kind $n: the bytes differ"
	done
done
note "a 103 first and a head split over reads: the response arrives whole"

# HEAD and 304 have no body: no relay, and the connection goes on.
r0=$(metric rig_splice_relays_total)
out=$(curl -s -m 30 -H "$AUTH" -I -w '%{http_code}' "$URL/services/files/8MiB.bin" \
	--next -s -m 30 -H "$AUTH" -o "$T/got" -w ' %{http_code} %{num_connects}' \
	"$URL/services/files/small.bin") || fail "HEAD, then GET: curl exit $?"
printf '%s\n' "$out" | grep -qi '^content-length: 8388608' || fail "HEAD: $out"
[ "$(printf '%s\n' "$out" | tail -n 1 | sed 's/.*\r//; s/^[^0-9]*//')" = "200 200 0" ] ||
	fail "HEAD, then GET on the same connection: $(printf '%s' "$out" | tail -n 1)"
cmp -s "$T/got" "$D/small.bin" || fail "GET after HEAD: the bytes differ"
etag=$(printf '%s\n' "$out" | header ETag)
[ -n "$etag" ] || fail "no ETag from nginx: $out"
rm -f "$T/got"
code=$(curl -s -m 30 -H "$AUTH" -H "If-None-Match: $etag" -o "$T/got" -w '%{http_code}' \
	"$URL/services/files/8MiB.bin") || fail "304: curl exit $?"
[ "$code" = 304 ] || fail "If-None-Match: $code, not 304"
[ ! -s "$T/got" ] || fail "304 with a body"
[ "$(metric rig_splice_relays_total)" = "$r0" ] || fail "HEAD or 304 went to a relay"

# From here on the hub's descriptors must come back to this count: one
# idle connection to nginx, one spare pipe.
check_file 1MiB.bin
base=$(fds)
note "the hub holds $base descriptors"

# A client killed mid-body (64 MiB at 1 MB/s: far more than the sockets
# hold, so the relay is still running).
b0=$(metric rig_splice_bytes_total)
r0=$(metric rig_splice_relays_total)
curl -s -m 120 -H "$AUTH" --limit-rate 1M -o "$T/part" "$URL/services/files/64MiB.bin" &
cpid=$!
bg_track "$cpid"
for _ in $(seq 1 100); do
	[ "$(metric rig_splice_relays_total)" -gt "$r0" ] && [ -s "$T/part" ] && break
	sleep 0.05
done
[ "$(metric rig_splice_relays_total)" -gt "$r0" ] || fail "the 64 MiB download was not relayed"
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null || true
check_file 1MiB.bin
fds_back_to "$base" "after a client was killed mid-body"
[ $(($(metric rig_splice_bytes_total) - b0)) -lt $((64 << 20)) ] ||
	fail "the killed client's relay did not stop"

# A back end killed mid-body: the client's transfer is cut short.
curl -s -m 60 -H "$AUTH" -o "$T/part" "$URL/services/hang/hang/8388608" &
cpid=$!
for _ in $(seq 1 200); do [ -s "$T/hang.mark" ] && break; sleep 0.05; done
[ -s "$T/hang.mark" ] || fail "the hanging back end never sent its part"
for _ in $(seq 1 100); do
	[ "$(stat -c %s "$T/part" 2>/dev/null || echo 0)" -ge $((1 << 20)) ] && break
	sleep 0.05
done
kill -KILL "$HANG_PID"
wait "$HANG_PID" 2>/dev/null || true
rc=0
wait "$cpid" || rc=$?
[ "$rc" = 18 ] || fail "back end killed mid-body: curl exit $rc, not 18 (partial file)"
[ "$(stat -c %s "$T/part")" -lt 8388608 ] || fail "back end killed mid-body: got everything?"

# A back end that closes early, through a relay.
rc=0
curl -s -m 60 -H "$AUTH" -o "$T/part" "$URL/services/odd/short/4000000" || rc=$?
[ "$rc" = 18 ] || fail "back end closing mid-body: curl exit $rc, not 18"

hub_alive
check_file 1MiB.bin
fds_back_to "$base" "after back ends failed mid-body"

# The hub stopped with a relay running: exit 0, nothing leaked (ASan).
r0=$(metric rig_splice_relays_total)
curl -s -m 60 -H "$AUTH" --limit-rate 1M -o /dev/null "$URL/services/files/64MiB.bin" &
cpid=$!
bg_track "$cpid"
for _ in $(seq 1 100); do
	[ "$(metric rig_splice_relays_total)" -gt "$r0" ] && break
	sleep 0.05
done
hub_stop
wait "$cpid" 2>/dev/null || true

# splice = no: the same bytes the ordinary way.
rig_conf "splice = no"
hub_start --no-tls
check_file 8MiB.bin
[ "$(metric rig_splice_relays_total)" = 0 ] || fail "splice = no, yet relayed"
hub_stop

# TLS: the ordinary way (the relay is for plain clients only).
rig_conf
hub_start
check_file 8MiB.bin
check_file 1MiB.bin --limit-rate 8M
[ "$(metric rig_splice_relays_total)" = 0 ] || fail "a TLS client got a relay"
hub_stop
