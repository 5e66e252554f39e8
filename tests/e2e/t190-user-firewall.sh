#!/bin/bash
# The user firewall (user_firewall = yes), attacked as a rig user: every
# process of the account (a kernel, a plain process standing in for a
# login, a real ssh session) is refused the metadata services
# (169.254.169.254, 168.63.129.16: stand-ins listening in this test's
# namespace) and another rig user's listeners (their server, a port opened
# after the hub started), while root still reaches all of them and the
# hub's front door stays open. The table is gone after the hub stops, and
# a hub killed with SIGKILL leaves one the next hub replaces.
#
# Everything runs in a network namespace this script makes for itself
# (unshare --net): nft only ever touches that namespace's tables.
if [ -z "${RIG_T190_NETNS:-}" ]; then
	export RIG_T190_NETNS=1
	exec unshare --net -- "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

command -v nft >/dev/null || fail "nft missing: run scripts/install-deps.sh"
ip link set lo up
ip addr add 169.254.169.254/32 dev lo
ip addr add 168.63.129.16/32 dev lo
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
	fail "not in a network namespace of our own"
nft list tables | grep -q 'inet rig' && fail "a table inet rig before the hub ran"

# The stand-in metadata services (what IMDS and the WireServer would be).
mkdir -p "$T/imds"
echo metadata-stand-in >"$T/imds/index.html"
for addr in 169.254.169.254 168.63.129.16; do
	"$PY" -m http.server --bind "$addr" --directory "$T/imds" 80 \
		>"$T/imds.$addr.log" 2>&1 &
	bg_track $!
done
for addr in 169.254.169.254 168.63.129.16; do
	for _ in $(seq 1 100); do
		curl -s -m 2 "http://$addr/" 2>/dev/null | grep -q metadata-stand-in && break
		sleep 0.05
	done
	curl -s -m 2 "http://$addr/" | grep -q metadata-stand-in ||
		fail "the stand-in on $addr does not answer root"
done

rig_user_add alice
rig_user_add bob
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
# Servers on TCP ({port}, not the default Unix socket that no other
# account can reach anyway: t188), so bob's server has a port to close.
hub_config "user_firewall = yes" \
	"server_cmd = jupyter notebook --no-browser --NotebookApp.ip=127.0.0.1 --NotebookApp.port={port} --NotebookApp.port_retries=0 --NotebookApp.base_url={base_url} --NotebookApp.notebook_dir={root_dir} --NotebookApp.allow_remote_access=True --NotebookApp.open_browser=False"
hub_start
grep -q 'firewall: table inet rig loaded' "$T/hub.log" || fail "no firewall line in the hub's log"
nft list table inet rig >/dev/null || fail "no table inet rig after the hub started"
spawn alice "$ALICE"
spawn bob "$BOB"
A_UID=$(id -u "${PREFIX}alice")
B_UID=$(id -u "${PREFIX}bob")
A_GID=$(id -g "${PREFIX}alice")
B_GID=$(id -g "${PREFIX}bob")

# as_user UID GID CMD...: CMD as that account, as a login would run it.
as_user() {
	local uid=$1 gid=$2
	shift 2
	setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
}

# listeners UID: the TCP ports UID listens on in this namespace.
listeners() {
	local f sl addr rem st q t r uid rest
	for f in /proc/net/tcp /proc/net/tcp6; do
		# shellcheck disable=SC2034 # the columns are named for reading
		while read -r sl addr rem st q t r uid rest; do
			[ "$st" = 0A ] && [ "$uid" = "$1" ] && echo $((16#${addr##*:}))
		done < <(tail -n +2 "$f")
	done | sort -un
}

# wait_in_set UID: returns once the hub has put UID into the users set.
wait_in_set() {
	for _ in $(seq 1 60); do
		nft list set inet rig users 2>/dev/null | grep -qw "$1" && return 0
		sleep 0.1
	done
	fail "uid $1 not in the users set after 6 s: $(nft list set inet rig users 2>&1)"
}
wait_in_set "$A_UID"
wait_in_set "$B_UID"

# Root is not a rig account: it still reaches the metadata stand-in.
curl -s -m 5 http://169.254.169.254/ | grep -q metadata-stand-in ||
	fail "root was refused the metadata stand-in (the rule must be per uid)"

# A plain process of alice's (what an ssh session or cron job would be).
for addr in 169.254.169.254 168.63.129.16; do
	if out=$(as_user "$A_UID" "$A_GID" curl -s -m 5 "http://$addr/" 2>&1); then
		fail "alice's process reached $addr: $out"
	fi
done
out=$(as_user "$A_UID" "$A_GID" curl -s -m 5 -o /dev/null -w '%{http_code}' http://169.254.169.254/ 2>&1 || true)
[ "$out" = 000 ] || fail "alice's process got HTTP $out from the metadata stand-in"
# The hub's front door stays open to her.
code=$(as_user "$A_UID" "$A_GID" curl -sk -m 5 -o /dev/null -w '%{http_code}' "$URL/hub/api/" || true)
[ "$code" = 200 ] || fail "alice's process cannot reach the hub's front door: $code"

# A kernel of alice's.
cell='import urllib.request
for a in ("169.254.169.254", "168.63.129.16"):
    try:
        urllib.request.urlopen("http://%s/" % a, timeout=5).read()
        print("REACHED", a)
    except Exception as e:
        print("REFUSED", a, type(e).__name__)
"done"'
out=$(timeout 90 "$PY" "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" "$cell" 2>&1) ||
	fail "runcell failed: $out"
printf '%s\n' "$out" | grep -q REACHED && fail "alice's kernel reached the metadata stand-in: $out"
[ "$(printf '%s\n' "$out" | grep -c REFUSED)" = 2 ] || fail "alice's kernel: $out"

# Bob's server: refused to alice, open to bob and to root.
B_PORTS=$(listeners "$B_UID")
[ -n "$B_PORTS" ] || fail "bob's server listens on no TCP port"
for p in $B_PORTS; do
	code=$(as_user "$A_UID" "$A_GID" curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/" 2>&1 || true)
	[ "$code" = 000 ] || fail "alice reached bob's port $p (HTTP $code)"
	code=$(as_user "$B_UID" "$B_GID" curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/" 2>&1 || true)
	[ "$code" != 000 ] || fail "bob cannot reach his own port $p"
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/" 2>&1 || true)
	[ "$code" != 000 ] || fail "root cannot reach bob's port $p"
done
# From alice's kernel too.
p=$(echo "$B_PORTS" | head -n 1)
cell="import socket
s = socket.socket()
s.settimeout(5)
try:
    s.connect(('127.0.0.1', $p))
    print('REACHED')
except OSError as e:
    print('REFUSED', e.errno)
'done'"
out=$(timeout 90 "$PY" "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" "$cell" 2>&1) ||
	fail "runcell failed: $out"
printf '%s\n' "$out" | grep -q REFUSED || fail "alice's kernel reached bob's server port $p: $out"

# A listener bob opens after the hub started is closed to alice within a
# couple of the hub's ticks; his own kernels still talk to their server.
LP=$(free_port)
as_user "$B_UID" "$B_GID" "$PY" -m http.server --bind :: --directory "$T/imds" "$LP" \
	>"$T/bob-listener.log" 2>&1 &
bg_track $!
for _ in $(seq 1 50); do
	nft list set inet rig owned 2>/dev/null | grep -q "$B_UID . $LP" && break
	sleep 0.1
done
nft list set inet rig owned | grep -q "$B_UID . $LP" || fail "bob's new listener $LP not in the owned set"
# Any local address: IPv4 and IPv6 loopback, another loopback address.
for u in "http://127.0.0.1:$LP/" "http://[::1]:$LP/" "http://127.0.0.2:$LP/"; do
	if as_user "$A_UID" "$A_GID" curl -s -m 5 "$u" >/dev/null 2>&1; then
		fail "alice reached bob's new listener at $u"
	fi
done
for u in "http://127.0.0.1:$LP/" "http://[::1]:$LP/"; do
	code=$(as_user "$B_UID" "$B_GID" curl -s -m 5 -o /dev/null -w '%{http_code}' "$u" || true)
	[ "$code" != 000 ] || fail "bob cannot reach his own listener at $u"
done

# A real ssh session as alice: sshd in this namespace, alice's key.
mkdir -p /run/sshd
chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/userkey"
A_HOME=$(getent passwd "${PREFIX}alice" | cut -d: -f6)
mkdir -p "$A_HOME/.ssh"
cp "$T/userkey.pub" "$A_HOME/.ssh/authorized_keys"
chown -R "$A_UID:$A_GID" "$A_HOME/.ssh"
chmod 700 "$A_HOME/.ssh"
usermod -p '*' "${PREFIX}alice" # '!' (locked) makes sshd refuse a key
SSHPORT=$(free_port)
cat >"$T/sshd_config" <<EOC
Port $SSHPORT
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
EOC
/usr/sbin/sshd -D -e -f "$T/sshd_config" >"$T/sshd.log" 2>&1 &
bg_track $!
SSH=(ssh -i "$T/userkey" -p "$SSHPORT" -o BatchMode=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "${PREFIX}alice@127.0.0.1")
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$SSHPORT") 2>/dev/null && break
	sleep 0.05
done
out=$("${SSH[@]}" id -u 2>&1) || fail "ssh as alice failed: $out; $(tail -n 5 "$T/sshd.log")"
[ "$out" = "$A_UID" ] || fail "ssh as alice ran as uid $out"
if out=$("${SSH[@]}" curl -s -m 5 http://169.254.169.254/ 2>&1); then
	fail "alice's ssh session reached the metadata stand-in: $out"
fi
if out=$("${SSH[@]}" curl -s -m 5 "http://127.0.0.1:$LP/" 2>&1); then
	fail "alice's ssh session reached bob's listener: $out"
fi

# What rig service status shows.
[ "$(json 'd["active"]' <"$T/state/firewall.json")" = true ] ||
	fail "firewall.json does not say active: $(cat "$T/state/firewall.json")"

# The hub stops: its table goes, and with it the refusals.
hub_stop
nft list tables | grep -q 'inet rig' && fail "table inet rig left after the hub stopped"
[ ! -e "$T/state/firewall.json" ] || fail "firewall.json left after the hub stopped"
as_user "$A_UID" "$A_GID" curl -s -m 5 http://169.254.169.254/ | grep -q metadata-stand-in ||
	fail "alice still refused with no hub (was it the rule that refused her?)"

# A hub killed with SIGKILL leaves its table (still refusing); the next
# one replaces it, and stops cleanly.
hub_start
kill -KILL "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
HUB_PID=
nft list table inet rig >/dev/null || fail "no table after the hub was killed"
if as_user "$A_UID" "$A_GID" curl -s -m 5 http://169.254.169.254/ >/dev/null 2>&1; then
	fail "alice reached the metadata stand-in after the hub was killed"
fi
hub_start
[ "$(nft list tables | grep -c 'inet rig')" = 1 ] || fail "not exactly one table inet rig after a restart"
wait_in_set "$A_UID"
hub_stop
nft list tables | grep -q 'inet rig' && fail "table inet rig left after the second stop"
true
