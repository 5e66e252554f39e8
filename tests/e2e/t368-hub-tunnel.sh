#!/bin/bash
# hub_access = tunnel for any provider (issue 16, item 9): with provider
# = ssh the hub listens on the machine's loopback alone, so nothing on the
# host's outside address answers on its port, and 'rig tunnel' forwards it
# to a port here, where the hub answers over HTTPS. rig up says how to
# reach it. 'rig service setup --loopback', what rig up asks of every
# provider (local too), writes a loopback listen address.
. "$(dirname "$0")/lib.sh"

hosts_up 1
P=$T/proj
project_init "$P" 1
cd "$P"
A=$(host_addr 1)
H=$(host_home 1)
sed -i 's/^hub_access = public/hub_access = tunnel/' rig.conf
grep -q '^hub_access = tunnel' rig.conf || fail "no hub_access in rig.conf: $(cat rig.conf)"
"$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
grep -q "^hub: *https://127.0.0.1:8000/ on the machine only (hub_access = tunnel): 'rig tunnel'" "$T/up.out" ||
	fail "rig up did not say how to reach the hub: $(cat "$T/up.out")"
grep -qx 'listen = 127.0.0.1:8000' "$H/.local/share/rig/hub.conf" ||
	fail "hub.conf: $(cat "$H/.local/share/rig/hub.conf")"
pw=$(sed -n 's/^password: *\([^ ]*\).*/\1/p' "$T/up.out")
[ -n "$pw" ] || fail "no password printed"

# From outside: nothing answers on the host's address (the hub is there,
# on its loopback: rig status over SSH sees it running).
code=$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "https://$A:8000/hub/api/" || true)
[ "$code" = 000 ] || fail "the hub answered on $A:8000: $code"
(exec 3<>"/dev/tcp/$A/8000") 2>/dev/null && fail "something accepts connections on $A:8000"
"$RIG" status >"$T/st.out" 2>&1 || fail "rig status: $(cat "$T/st.out")"
grep -q '^hub: *running' "$T/st.out" || fail "status: $(cat "$T/st.out")"
grep -q "^url: .*on the machine only.*rig tunnel" "$T/st.out" || fail "status url: $(cat "$T/st.out")"

# Through the tunnel it does.
LP=$(free_port)
"$RIG" tunnel --local-port "$LP" >"$T/tunnel.out" 2>&1 &
tun=$!
bg_track "$tun"
code=
for _ in $(seq 1 100); do
	code=$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$LP/hub/api/" || true)
	[ "$code" = 200 ] && break
	kill -0 "$tun" 2>/dev/null || break
	sleep 0.1
done
[ "$code" = 200 ] || fail "not through the tunnel: $code; $(cat "$T/tunnel.out")"
grep -q "^hub: https://127.0.0.1:$LP/ (port 8000 of m1)" "$T/tunnel.out" ||
	fail "rig tunnel did not print the URL: $(cat "$T/tunnel.out")"
URL=https://127.0.0.1:$LP
export URL
printf '%s' "$pw" >"$T/pw.$HOST_USER"
login "$HOST_USER"
kill "$tun"
wait "$tun" 2>/dev/null || true
code=$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$LP/hub/api/" || true)
[ "$code" = 000 ] || fail "the tunnel outlived rig tunnel: $code"

# Back to public: the next up listens on every address again.
sed -i 's/^hub_access = tunnel/hub_access = public/' rig.conf
"$RIG" up >"$T/up2.out" 2>&1 || fail "rig up (public): $(cat "$T/up2.out")"
grep -qx "hub: *https://$A:8000/" "$T/up2.out" || fail "no public URL: $(cat "$T/up2.out")"
code=$(curl -sk -m 5 -o /dev/null -w '%{http_code}' "https://$A:8000/hub/api/" || true)
[ "$code" = 200 ] || fail "the public hub did not answer on $A:8000: $code"

# What rig up asks of the local provider's machine too.
"$RIG" service setup --dir "$T/svc" --port 8123 --loopback >"$T/svc.out" 2>&1 ||
	fail "service setup --loopback: $(cat "$T/svc.out")"
grep -qx 'listen = 127.0.0.1:8123' "$T/svc/hub.conf" || fail "local hub.conf: $(cat "$T/svc/hub.conf")"
cd /
