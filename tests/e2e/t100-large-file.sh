#!/bin/bash
# Large bodies stream through the proxy: a download of LARGE_MB MiB (default
# 200) arrives intact, and large uploads (Content-Length and chunked) reach
# the server, whose own answer comes back; the hub's RSS stays under
# RSS_LIMIT_MB (default 100) all the while.
. "$(dirname "$0")/lib.sh"

LARGE_MB=${LARGE_MB:-200}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-100}
# Keep ASan's quarantine of freed memory small, so RSS measures the hub.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16

rig_user_add alice
TOKEN=$(rig_token alice)
hub_config
hub_start
spawn alice "$TOKEN"

acct=${PREFIX}alice
home=$(getent passwd "$acct" | cut -d: -f6)
[ -d "$home" ] || fail "no home directory for $acct"
head -c $((LARGE_MB << 20)) /dev/urandom >"$T/big.bin"
cp "$T/big.bin" "$home/big.bin"
chown "$acct:" "$home/big.bin"
want=$(sha256sum <"$T/big.bin" | cut -d' ' -f1)

# rss_watch: samples the hub's RSS every 0.1 s into $T/rss until stopped.
rss_watch() {
	local i
	for i in $(seq 1 3000); do
		rss_kb "$HUB_PID" >>"$T/rss"
		sleep 0.1
	done
}
rss_max_mb() {
	echo $(($(sort -n "$T/rss" | tail -n 1) / 1024))
}
: >"$T/rss"
rss_watch &
WATCH=$!
bg_track "$WATCH"
base_mb=$(($(rss_kb "$HUB_PID") / 1024))

# Download through the proxy.
t0=$(now_ms)
code=$(curl -sk -m 150 -H "Authorization: token $TOKEN" -o "$T/down.bin" -w '%{http_code}' \
	"$URL/user/alice/files/big.bin" || true)
[ "$code" = 200 ] || fail "download gave $code"
[ "$(sha256sum <"$T/down.bin" | cut -d' ' -f1)" = "$want" ] || fail "downloaded file differs"
note "download: $LARGE_MB MiB in $(($(now_ms) - t0)) ms, hub RSS max $(rss_max_mb) MB (at start $base_mb MB)"
rm -f "$T/down.bin"
[ "$(rss_max_mb)" -lt "$RSS_LIMIT_MB" ] || fail "hub RSS reached $(rss_max_mb) MB during the download"

# Uploads: Jupyter reads the body, then refuses it (not JSON); the hub must
# pass the body on and relay Jupyter's own JSON error, not answer itself.
for mode in length chunked; do
	te=()
	[ "$mode" = chunked ] && te=(-H 'Transfer-Encoding: chunked')
	t0=$(now_ms)
	code=$(curl -sk -m 150 -H "Authorization: token $TOKEN" -H 'Content-Type: application/json' \
		"${te[@]}" --data-binary "@$T/big.bin" -o "$T/up.body" -w '%{http_code}' \
		"$URL/user/alice/api/contents/x" || true)
	note "upload ($mode): $code in $(($(now_ms) - t0)) ms, hub RSS max $(rss_max_mb) MB: $(head -c 200 "$T/up.body")"
	case $code in
	413 | 502 | 503 | 504 | 000) fail "upload ($mode): $code from the hub, not Jupyter's answer" ;;
	4??) ;;
	*) fail "upload ($mode): $code, not a 4xx from Jupyter" ;;
	esac
	[ -n "$(json 'd["message"]' <"$T/up.body")" ] ||
		fail "upload ($mode): the answer is not Jupyter's JSON error: $(head -c 300 "$T/up.body")"
	[ "$(rss_max_mb)" -lt "$RSS_LIMIT_MB" ] || fail "hub RSS reached $(rss_max_mb) MB during the $mode upload"
done

kill "$WATCH" 2>/dev/null || true
hub_alive
TOKEN="" api GET /hub/api/ >/dev/null
hub_stop
