# shellcheck shell=bash
# Sourced by every end-to-end test (tests/e2e/tNNN-topic.sh) and by the
# browser test. Gives each test a private temp dir $T, a free loopback port,
# its own hub (hub_config, hub_start, hub_stop), Unix accounts under a prefix
# that is unique to this run (so they never collide and are safe to delete),
# and small helpers for logins, tokens and API calls. On exit it stops what
# the test started, deletes the test's accounts and removes $T unless the
# test failed; then it prints where the logs are.
#
# Needs root (the hub creates Unix accounts). The hub binary is $RIG, by
# default the sanitizer build: RIG=build/rig tests/e2e/t030-login.sh runs one
# test against the plain build.

set -eu

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export HELPERS=$TOP/tests/helpers
PY=/usr/bin/python3 # Debian's: it sees python3-websocket; pyenv's does not

if [ -n "${RIG:-}" ]; then
	case $RIG in /*) ;; *) RIG=$PWD/$RIG ;; esac
else
	RIG=$TOP/build/asan/rig
fi

T=$(mktemp -d /tmp/rig-e2e.XXXXXX)
HUB_PID=
HUB_RC=
BG_PIDS=
FAIL_MSG=

# rand_str N: N random lowercase letters and digits.
rand_str() {
	LC_ALL=C tr -dc 'a-z0-9' </dev/urandom 2>/dev/null | head -c "$1" || true
}

# Unix accounts of this run are PREFIX+name; only this run uses the prefix.
PREFIX=rt$(rand_str 4)-
[ ${#PREFIX} = 7 ] || {
	echo "lib.sh: could not make a random account prefix" >&2
	exit 1
}

# fail MSG: report a failed check and end the test (logs are kept).
fail() {
	FAIL_MSG="$*"
	echo "FAIL: $*" >&2
	exit 1
}

# note MSG: progress line in the test's log.
note() {
	echo "# $*"
}

# free_port: a loopback port for this test alone. Tests run side by side
# (tests/run-all.sh -j), and a hub restart (t120, t125) needs its port again
# later, so the port comes from below the kernel's ephemeral range (no
# client connection or bind(0) gets it meanwhile) and is reserved under
# $PORTS_DIR for this test's shell (released at exit, or once that shell is
# gone).
PORTS_DIR=/tmp/rig-e2e-ports
free_port() {
	$PY - "$$" "$PORTS_DIR" <<'EOF' || fail "free_port: no free port to reserve in $PORTS_DIR"
import os, random, socket, sys
owner, d = sys.argv[1], sys.argv[2]
hi = 32767
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        hi = min(hi, int(f.read().split()[0]) - 1)
except (OSError, ValueError, IndexError):
    pass
os.makedirs(d, exist_ok=True)
for _ in range(500):
    port = random.randint(20000, hi)
    path = "%s/%d" % (d, port)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:  # reserved: by a test that is still running?
            with open(path) as f:
                os.kill(int(f.read()), 0)
        except (OSError, ValueError):
            try:
                os.unlink(path)
            except OSError:
                pass
        continue
    os.write(fd, owner.encode())
    os.close(fd)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:  # something else holds it
        os.unlink(path)
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit(1)
EOF
}

# ports_release: drops this test's port reservations (lib_cleanup).
ports_release() {
	local f
	for f in "$PORTS_DIR"/*; do
		[ -f "$f" ] && [ "$(cat "$f" 2>/dev/null)" = "$$" ] && rm -f "$f"
	done
	return 0
}

# bg_track PID: a background helper the test started; killed at exit.
bg_track() {
	BG_PIDS="$BG_PIDS $1"
}

# now_ms: wall clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# json EXPR < FILE: evaluates a Python expression over the JSON document d
# and prints it (strings as they are, anything else as JSON); prints nothing
# if the document is not JSON or the expression fails (a missing key).
json() {
	$PY -c '
import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1], {"d": d})
except Exception:
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# try_login NAME [PASSWORD]: a login through the hub's form (PASSWORD, or
# the file $T/pw.NAME); prints the status, the page is in $T/try.body.
try_login() {
	local name=$1 page xsrf
	[ $# -ge 2 ] && printf '%s' "$2" >"$T/try.pw" || cp "$T/pw.$name" "$T/try.pw"
	rm -f "$T/try.jar"
	page=$(curl -sk -m 10 -c "$T/try.jar" -b "$T/try.jar" "$URL/hub/login")
	xsrf=$(printf '%s' "$page" | form_input _xsrf)
	curl -sk -m 90 -c "$T/try.jar" -b "$T/try.jar" -o "$T/try.body" \
		-w '%{http_code}' -H "Origin: $URL" \
		--data-urlencode "username=$name" --data-urlencode "password@$T/try.pw" \
		--data-urlencode "_xsrf=$xsrf" "$URL/hub/login" || true
}

# form_input NAME < HTML: the value of the first <input name="NAME">.
form_input() {
	$PY -c '
import sys, html.parser
class P(html.parser.HTMLParser):
    v = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == sys.argv[1] and self.v is None:
            self.v = a.get("value") or ""
p = P()
p.feed(sys.stdin.read())
print(p.v or "")' "$1"
}

# header NAME < HEADERS_FILE: value of the last header NAME (curl -D file).
header() {
	tr -d '\r' | sed -n "s/^$1: *//Ip" | tail -n 1
}

# hub_config [LINE...]: writes $T/rig.conf; extra lines go into [hub].
# shellcheck disable=SC2120 # the extra lines are optional
# Without a server_cmd line the tests run the classic notebook on its socket with the
# token protocol, whatever the hub's default on this machine (it is
# jupyterhub-singleuser where Debian's jupyterhub is installed): the
# t5xx tests of JupyterHub's protocol name theirs.
NOTEBOOK_CMD='jupyter notebook --no-browser --NotebookApp.sock={sock} --NotebookApp.sock_mode=0660 --NotebookApp.base_url={base_url} --NotebookApp.notebook_dir={root_dir} --NotebookApp.allow_remote_access=True --NotebookApp.open_browser=False'
hub_config() {
	local line has_cmd=
	for line in "$@"; do
		case $line in server_cmd*) has_cmd=1 ;; esac
	done
	{
		echo "[hub]"
		echo "user_prefix = $PREFIX"
		echo "spawn_timeout = 60"
		[ -n "$has_cmd" ] || echo "server_cmd = $NOTEBOOK_CMD"
		for line in "$@"; do echo "$line"; done
	} >"$T/rig.conf"
}

# hub_start [ARGS...]: starts the hub in the background on $PORT (a free
# port unless set; a restart keeps it) and waits until GET /hub/api/ is 200.
# Sets URL. Output goes to $T/hub.log (appended, so a restart keeps it).
hub_start() {
	[ -x "$RIG" ] || fail "no hub binary $RIG (run make, or make asan)"
	[ -f "$T/rig.conf" ] || hub_config
	[ -n "${PORT:-}" ] || PORT=$(free_port)
	local scheme=https arg i code
	for arg in "$@"; do [ "$arg" = --no-tls ] && scheme=http; done
	URL=$scheme://127.0.0.1:$PORT
	export URL PORT
	echo "=== hub_start $(date +%T.%N) $*" >>"$T/hub.log"
	# HUB_WRAP: a command to run the hub under (setpriv for t180).
	# shellcheck disable=SC2086 # word splitting of HUB_WRAP is wanted
	${HUB_WRAP:-} "$RIG" hub --state-dir "$T/state" --listen "127.0.0.1:$PORT" \
		--config "$T/rig.conf" "$@" </dev/null >>"$T/hub.log" 2>&1 &
	HUB_PID=$!
	local deadline=$(($(now_ms) + 20000))
	for i in $(seq 1 400); do
		kill -0 "$HUB_PID" 2>/dev/null || {
			local rc=0
			wait "$HUB_PID" || rc=$?
			HUB_PID=
			fail "hub exited at start (status $rc); see $T/hub.log"
		}
		code=$(curl -sk -m 2 -o /dev/null -w '%{http_code}' "$URL/hub/api/" || true)
		[ "$code" = 200 ] && return 0
		[ "$(now_ms)" -lt "$deadline" ] || break
		sleep 0.05
	done
	fail "hub not answering 200 on $URL/hub/api/ within 20 s (last: $code, $i tries)"
}

# hub_kill: stops the hub with SIGTERM (SIGKILL after 10 s) and sets
# HUB_RC to its exit status. For the EXIT trap and hub_stop.
hub_kill() {
	local i
	HUB_RC=0
	kill -TERM "$HUB_PID" 2>/dev/null || true
	for i in $(seq 1 200); do
		kill -0 "$HUB_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$HUB_PID" 2>/dev/null; then
		kill -KILL "$HUB_PID" 2>/dev/null || true
		echo "hub (pid $HUB_PID) ignored SIGTERM for 10 s: killed" >&2
	fi
	wait "$HUB_PID" 2>/dev/null || HUB_RC=$?
	HUB_PID=
}

# hub_stop: SIGTERM, then checks the hub exited 0 within 10 s and that no
# sanitizer reported anything in its log.
hub_stop() {
	[ -n "$HUB_PID" ] || fail "hub_stop: no hub running"
	hub_kill
	[ "$HUB_RC" = 0 ] || fail "hub exited with status $HUB_RC after SIGTERM; see $T/hub.log"
	hub_log_clean
}

# hub_log_clean: fails if a sanitizer complained in the hub's log.
hub_log_clean() {
	if grep -q -e 'AddressSanitizer' -e 'LeakSanitizer' -e 'runtime error' "$T/hub.log" 2>/dev/null; then
		grep -m 5 -e 'AddressSanitizer' -e 'LeakSanitizer' -e 'runtime error' "$T/hub.log" >&2
		fail "sanitizer report in $T/hub.log"
	fi
}

# hub_alive: fails unless the hub process is still running.
hub_alive() {
	if [ -z "$HUB_PID" ] || ! kill -0 "$HUB_PID" 2>/dev/null; then
		fail "the hub is not running any more; see $T/hub.log"
	fi
}

# rig_cli ARGS...: the rig CLI on this test's state dir.
rig_cli() {
	"$RIG" "$@" --state-dir "$T/state"
}

# rig_user_add NAME [--admin]: adds a hub user with a new password, kept in
# $T/pw.NAME.
rig_user_add() {
	local name=$1
	shift
	local pw
	pw=pw-$(rand_str 20)
	printf '%s' "$pw" >"$T/pw.$name"
	printf '%s' "$pw" | "$RIG" user add "$name" --state-dir "$T/state" --password-stdin "$@" ||
		fail "rig user add $name failed"
}

# rig_token NAME: prints a new API token of NAME (made with the CLI).
rig_token() {
	local out tok
	out=$("$RIG" token create "$1" --state-dir "$T/state") || fail "rig token create $1 failed"
	tok=$(printf '%s\n' "$out" | grep -oE '[0-9a-f]{64}' | head -n 1)
	[ -n "$tok" ] || fail "rig token create $1 printed no token: $out"
	echo "$tok"
}

# login NAME [NEXT]: logs NAME in through the form, cookies in $T/jar.NAME;
# the response headers are in $T/login.hdr. Expects 302.
login() {
	local name=$1 next=${2:-} q="" page xsrf code
	[ -n "$next" ] && q="?next=$next"
	rm -f "$T/jar.$name"
	page=$(curl -sk -m 10 -c "$T/jar.$name" -b "$T/jar.$name" "$URL/hub/login$q") ||
		fail "login $name: GET /hub/login failed"
	xsrf=$(printf '%s' "$page" | form_input _xsrf)
	[ -n "$xsrf" ] || fail "login $name: no _xsrf input in the login form"
	code=$(curl -sk -m 30 -c "$T/jar.$name" -b "$T/jar.$name" -o "$T/login.body" \
		-D "$T/login.hdr" -w '%{http_code}' -H "Origin: $URL" \
		--data-urlencode "username=$name" --data-urlencode "password@$T/pw.$name" \
		--data-urlencode "_xsrf=$xsrf" "$URL/hub/login$q" || true)
	[ "$code" = 302 ] || fail "login $name: POST /hub/login gave $code, not 302"
}

# xsrf_of NAME: the XSRF token of NAME's session, from the _xsrf input of
# /hub/home's form (or of /hub/token's, which always has one: home has no
# form while a server is starting).
xsrf_of() {
	local x page
	for page in /hub/home /hub/token; do
		x=$(curl -sk -m 10 -b "$T/jar.$1" "$URL$page" | form_input _xsrf)
		[ -z "$x" ] || break
	done
	[ -n "$x" ] || fail "xsrf_of $1: no _xsrf input on /hub/home nor on /hub/token"
	echo "$x"
}

# api METHOD PATH [CURL ARGS...]: a request to $URL$PATH with
# "Authorization: token $TOKEN" (if TOKEN is set and not empty). Prints the
# HTTP status (000 if no answer); the body is in $T/body, headers in $T/hdr.
api() {
	local method=$1 path=$2
	shift 2
	local extra=() arg has_body=
	[ -n "${TOKEN:-}" ] && extra=(-H "Authorization: token $TOKEN")
	for arg in "$@"; do
		case $arg in -d | --data* | -T | --upload-file | -F | --form | --json) has_body=1 ;; esac
	done
	# A write without a body still says so (Content-Length: 0), as
	# browsers and Python clients do.
	case $method in
	POST | PUT | PATCH) [ -n "$has_body" ] || extra+=(-H "Content-Length: 0") ;;
	esac
	curl -sk -m 60 -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$method" \
		"${extra[@]}" "$@" "$URL$path" || true
}

# body: the body of the last api call.
body() {
	cat "$T/body"
}

# wait_ready NAME TOKEN: polls GET /hub/api/users/NAME until its default
# server is ready (at most READY_S seconds, 60 unless set: a test whose
# server starts slowly raises it with its spawn_timeout).
wait_ready() {
	local name=$1 tok=$2 i code ready= secs=${READY_S:-60}
	local deadline=$(($(now_ms) + secs * 1000))
	for i in $(seq 1 $((secs * 5))); do
		code=$(TOKEN=$tok api GET "/hub/api/users/$name")
		if [ "$code" = 200 ]; then
			ready=$(json 'd["servers"][""]["ready"]' <"$T/body")
			[ "$ready" = true ] && return 0
		fi
		[ "$(now_ms)" -lt "$deadline" ] || break
		sleep 0.2
	done
	fail "server of $name not ready within $secs s (last: $code $(body))"
}

# spawn NAME TOKEN: starts NAME's server through the API and waits for it.
spawn() {
	local code
	code=$(TOKEN=$2 api POST "/hub/api/users/$1/server")
	case $code in 201 | 202) ;; *) fail "POST /hub/api/users/$1/server: $code $(body)" ;; esac
	wait_ready "$1" "$2"
}

# server_pid NAME: PID of the single-user server of NAME (the oldest
# process of the account); empty if none.
server_pid() {
	pgrep -o -u "$PREFIX$1" 2>/dev/null || true
}

# pid_alive PID: true if the process exists and is not a zombie.
pid_alive() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# rss_kb PID: resident set size of PID in kB (0 if gone).
rss_kb() {
	local kb
	kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null) || true
	echo "${kb:-0}"
}

# Our accounts: every passwd entry that starts with this run's prefix.
our_accounts() {
	getent passwd | cut -d: -f1 | grep "^$PREFIX" || true
}

lib_cleanup() {
	local rc=$? pid acct i
	set +e
	for pid in $BG_PIDS; do kill "$pid" 2>/dev/null; done
	[ -n "$HUB_PID" ] && hub_kill
	ports_release
	# AT_EXIT: a test's own clean-up (an unmount), run after the hub.
	[ -n "${AT_EXIT:-}" ] && eval "$AT_EXIT"
	for acct in $(our_accounts); do
		pkill -KILL -u "$acct" 2>/dev/null
		for i in $(seq 1 50); do
			pgrep -u "$acct" >/dev/null 2>&1 || break
			sleep 0.1
		done
		userdel -r "$acct" >/dev/null 2>&1
		[ -d "/home/${acct:?}" ] && rm -rf "/home/${acct:?}"
	done
	for acct in $(getent group | cut -d: -f1 | grep "^$PREFIX"); do
		groupdel "$acct" >/dev/null 2>&1
	done
	# The servers' cgroups a stopped hub left (empty by now).
	rmdir /sys/fs/cgroup/*/rig/"$PREFIX"* /sys/fs/cgroup/unified/rig/"$PREFIX"* 2>/dev/null
	if [ "$rc" = 0 ]; then
		rm -rf "$T"
	else
		if [ -s "$T/hub.log" ]; then
			echo "--- last lines of $T/hub.log:" >&2
			tail -n 15 "$T/hub.log" >&2
			echo "---" >&2
		fi
		[ -n "$FAIL_MSG" ] && echo "FAIL: $FAIL_MSG" >&2
		echo "test failed (status $rc); logs kept in $T" >&2
	fi
	exit "$rc"
}
trap lib_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

[ "$(id -u)" = 0 ] || fail "the e2e tests need root (the hub creates Unix accounts)"

# ---- The machine workflow (rig up, ssh, sync, exec: tests t3NN) ----
# SSH test hosts: network namespaces on a private bridge, each with its own
# address, hostname and home (bind-mounted in the host's own mount
# namespace) and an sshd that takes only the test key (TESTING.md §2). All
# names carry this run's $PREFIX; everything is torn down on exit.

HOSTS_DIR=
HOSTS_N=0
HOSTS_NET=
HOSTS_PIDS=

# hosts_up N: starts N hosts, reachable at $(host_addr I) port 22 as user
# $HOST_USER with key $HOST_KEY ($HOST_WRONG_KEY is another key). Before the
# call, HOST_MODE_I may set a host apart: "diskfull" (its home is a full
# 2 MB tmpfs), "os:ID" (its /etc/os-release says ID), "dsvm" (like a
# Data Science VM: a JupyterHub service, a stand-in in the host's own
# /usr/local/bin logging to $h/systemctl.log, and password-less sudo, the
# real one behind a stand-in that logs to $h/sudo.log)
# or "sudo" (Debian's real sudo, password-less for $HOST_USER through an
# /etc/sudoers of the host's own: its root is this machine's root)
# or "pool" (a machine of a Slurm pool, see pool_hosts_up).
# host_sudoers DIR: DIR/sudoers, to be the host's /etc/sudoers: $HOST_USER
# may run anything as root without a password.
host_sudoers() {
	[ -u /usr/bin/sudo ] || fail "no sudo: run scripts/install-deps.sh"
	printf 'Defaults !fqdn\n%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$HOST_USER" >"$1/sudoers"
	chmod 440 "$1/sudoers"
}

hosts_up() {
	local n=$1 i a b ns h addr mode pre netlock users root
	HOSTS_DIR=$T/hosts
	HOST_USER=${PREFIX}u
	HOST_KEY=$HOSTS_DIR/client_key
	HOST_WRONG_KEY=$HOSTS_DIR/wrong_key
	export RIG_RUNTIME_DIR=$T/run
	mkdir -p "$HOSTS_DIR/home" "$RIG_RUNTIME_DIR"
	chmod 700 "$RIG_RUNTIME_DIR"
	# The test user must get through $T to its home.
	chmod 711 "$T"
	chmod 755 "$HOSTS_DIR" "$HOSTS_DIR/home"
	# Tests run side by side: the choice of a network nobody routes and
	# the bridge that takes it are one step for them (flock).
	exec {netlock}>/tmp/rig-e2e-net.lock
	flock "$netlock"
	for i in $(seq 1 50); do
		a=$((201 + RANDOM % 50))
		b=$((RANDOM % 256))
		ip route show | grep -q "^10\.$a\.$b\." || break
	done
	HOSTS_NET=10.$a.$b
	trap 'hosts_trap' EXIT
	ip link add "${PREFIX}br" type bridge || fail "ip link add ${PREFIX}br"
	ip addr add "$HOSTS_NET.1/24" dev "${PREFIX}br"
	ip link set "${PREFIX}br" up
	exec {netlock}>&-
	useradd -M -d "$HOSTS_DIR/home/$HOST_USER" -s /bin/bash -U "$HOST_USER" ||
		fail "useradd $HOST_USER"
	# '!' (useradd's locked account) makes sshd refuse even a key.
	usermod -p '*' "$HOST_USER"
	mkdir -p "$HOSTS_DIR/home/$HOST_USER"
	ssh-keygen -q -t ed25519 -N '' -f "$HOST_KEY" -C rig-test
	ssh-keygen -q -t ed25519 -N '' -f "$HOST_WRONG_KEY" -C rig-test-wrong
	mkdir -p /run/sshd
	chmod 755 /run/sshd
	for i in $(seq 1 "$n"); do
		ns=${PREFIX}h$i
		h=$HOSTS_DIR/h$i
		addr=$HOSTS_NET.$((i + 1))
		ip netns add "$ns" || fail "ip netns add $ns"
		HOSTS_N=$i
		ip link add "${PREFIX}v$i" type veth peer name eth0 netns "$ns"
		ip link set "${PREFIX}v$i" master "${PREFIX}br" up
		ip -n "$ns" addr add "$addr/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		mkdir -p "$h/home/$HOST_USER/.ssh"
		cp /etc/skel/.bashrc /etc/skel/.profile "$h/home/$HOST_USER/" 2>/dev/null || true
		install -m600 "$HOST_KEY.pub" "$h/home/$HOST_USER/.ssh/authorized_keys"
		chmod 700 "$h/home/$HOST_USER/.ssh"
		chown -R "$HOST_USER:$HOST_USER" "$h/home/$HOST_USER"
		chmod 755 "$h" "$h/home"
		ssh-keygen -q -t ed25519 -N '' -f "$h/hostkey" -C "$ns"
		eval "mode=\${HOST_MODE_$i:-}"
		users=$HOST_USER
		root=no
		[ "$mode" = pool ] && users="$HOST_USER root" && root=prohibit-password
		cat >"$h/sshd_config" <<EOC
Port 22
ListenAddress $addr
HostKey $h/hostkey
PidFile $h/sshd.pid
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin $root
AllowUsers $users
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel VERBOSE
EOC
		/usr/sbin/sshd -t -f "$h/sshd_config" || fail "sshd -t for $ns"
		pre=true
		case $mode in
		pool)
			pool_host_prepare "$h"
			pre=$POOL_PRE
			;;
		diskfull)
			# A home on a 2 MB tmpfs, filled up.
			pre="mount -t tmpfs -o size=2m,mode=755 tmpfs $HOSTS_DIR/home &&
				cp -a $h/home/. $HOSTS_DIR/home/ &&
				{ dd if=/dev/zero of=$HOSTS_DIR/home/fill bs=64k 2>/dev/null; true; }"
			;;
		os:*)
			printf 'ID=%s\nNAME=%s\nVERSION_ID=1\n' "${mode#os:}" "${mode#os:}" >"$h/os-release"
			pre="mount --bind $h/home $HOSTS_DIR/home && mount --bind $h/os-release /etc/os-release"
			;;
		dsvm)
			mkdir -p "$h/bin"
			host_sudoers "$h"
			cat >"$h/bin/sudo" <<EOS
#!/bin/sh
# Logs what goes through sudo, then the real one (password-less for the
# login through the host's own /etc/sudoers).
[ "\$1" = -n ] && shift
echo "\$*" >>$h/sudo.log
exec /usr/bin/sudo -n "\$@"
EOS
			cat >"$h/bin/systemctl" <<EOS
#!/bin/sh
# Test stand-in for the DSVM's jupyterhub.service.
echo "\$*" >>$h/systemctl.log
case "\$*" in
"is-active --quiet jupyterhub" | "is-enabled --quiet jupyterhub") [ ! -e $h/hub-disabled ] ;;
"disable --now jupyterhub")
	[ "\$(id -u)" = 0 ] || { echo "Access denied" >&2; exit 1; }
	touch $h/hub-disabled ;;
*) exit 1 ;;
esac
EOS
			chmod 755 "$h/bin" "$h/bin/sudo" "$h/bin/systemctl"
			: >"$h/systemctl.log"
			: >"$h/sudo.log"
			chmod 666 "$h/systemctl.log" "$h/sudo.log"
			chmod 777 "$h"
			pre="mount --bind $h/home $HOSTS_DIR/home && mount --bind $h/bin /usr/local/bin &&
				mount --bind $h/sudoers /etc/sudoers"
			;;
		sudo)
			host_sudoers "$h"
			pre="mount --bind $h/home $HOSTS_DIR/home && mount --bind $h/sudoers /etc/sudoers"
			;;
		*) pre="mount --bind $h/home $HOSTS_DIR/home" ;;
		esac
		# nsenter --net keeps the host's /sys; unshare: own hostname
		# and mount table.
		setsid nsenter --net="/run/netns/$ns" unshare --uts --mount --propagation private \
			sh -c "hostname $ns && $pre && exec /usr/sbin/sshd -D -e -f $h/sshd_config" \
			</dev/null >"$h/sshd.log" 2>&1 &
		HOSTS_PIDS="$HOSTS_PIDS $!"
		for a in $(seq 1 300); do
			(exec 3<>"/dev/tcp/$addr/22") 2>/dev/null && break
			sleep 0.01
		done
		(exec 3<>"/dev/tcp/$addr/22") 2>/dev/null || fail "sshd of $ns not answering on $addr:22; $(cat "$h/sshd.log")"
	done
	cat >"$HOSTS_DIR/ssh_config" <<EOC
Host $HOSTS_NET.*
  User $HOST_USER
  IdentityFile $HOST_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $HOSTS_DIR/known_hosts
  StrictHostKeyChecking accept-new
  BatchMode yes
  ConnectTimeout 5
EOC
	note "hosts up: $n on $HOSTS_NET.0/24 (user $HOST_USER)"
}

# pool_hosts_up N: N hosts for a Slurm pool (rig's [pool]): host 1 the
# head, the others its nodes. Each is a machine of its own as far as
# Slurm, munge and Unix accounts go: besides its own network and hostname
# it has, in its mount namespace, a copy of /etc (its own passwd, munge
# key and slurm.conf), its own /run, /root (root logs in with
# $HOST_KEY), /var/lib/{slurm,munge} and /var/log/{slurm,munge}; /home
# is one folder all of them mount ($POOL_HOME), standing in for the
# head's NFS export. Slurm's default ports are free in each namespace, so
# runs side by side do not meet; its cgroups are named after the hosts
# (this run's prefix) and removed by hosts_down.
pool_hosts_up() {
	local i
	for i in $(seq 1 "$1"); do eval "HOST_MODE_$i=pool"; done
	POOL_HOME=$T/hosts/pool-home
	hosts_up "$1"
}

# pool_uid_min: a base for a pool's people's uids (they go up to it +
# 999, below 60000, which the hub's helper requires), away from where this
# machine's next accounts go (above its highest uid now, one each as tests
# add them): other tests' clean-up ends their accounts' processes by uid,
# and the PID namespace is shared, so a pool job's uid must not be one.
# Accounts left by killed runs move that top (here, past 57,000): the pool
# then goes below it.
pool_uid_min() {
	local top
	top=$(awk -F: '$3 >= 1000 && $3 < 60000 && $3 > m { m = $3 } END { print m + 0 }' /etc/passwd)
	if [ "$top" -lt 35000 ]; then
		echo $((40000 + RANDOM % 190 * 100))
	else
		echo $((20000 + RANDOM % ((top - 22000) / 100) * 100))
	fi
}

# pool_server_up NAME TOKEN: NAME's server started through the API and
# ready (150 s); sets jid (its Slurm job) and port (from the job's
# comment).
pool_server_up() {
	local code
	code=$(TOKEN=$2 api POST "/hub/api/users/$1/server")
	[ "$code" = 202 ] || fail "POST server of $1: $code $(body)"
	READY_S=150 wait_ready "$1" "$2"
	jid=$(squeue_on -n rig-server -o %i)
	port=$(squeue_on -j "$jid" -o %k | sed -n 's/^rig-port=//p')
	[ -n "$port" ] || fail "job $jid has no port in its comment"
}

# server_kill_held SPID PID PORT: a pool job's server (PID) killed with its
# job's script (SPID) stopped first, so neither the script nor the hub
# sees it end; returns once PORT is free on the node (h2).
server_kill_held() {
	kill -STOP "$1"
	kill -KILL "$2"
	for _ in $(seq 1 100); do
		nsenter --net="/run/netns/${PREFIX}h2" ss -Htln "sport = :$3" | grep -q . || return 0
		sleep 0.1
	done
	fail "port $3 still taken after the server's death"
}

# impostor_start NS PORT [UID GID]: tests/helpers/impostor.py on PORT in
# network namespace NS (as UID:GID if given, else root) with a P-256
# certificate of its own (CN and name rig-server, as a job's); what each
# connection did goes to $F/out (F=$T/fake, set here).
impostor_start() {
	local ns=$1 port=$2 uid=${3:-} gid=${4:-} as=()
	F=$T/fake
	mkdir -p "$F"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=rig-server -addext subjectAltName=DNS:rig-server \
		-keyout "$F/key.pem" -out "$F/cert.pem" 2>/dev/null || fail "openssl req"
	cp "$HELPERS/impostor.py" "$F/"
	if [ -n "$uid" ]; then
		chown -R "$uid:$gid" "$F"
		chmod 700 "$F"
		chmod 711 "$T"
		as=(setpriv --reuid="$uid" --regid="$gid" --clear-groups)
	fi
	nsenter --net="/run/netns/$ns" "${as[@]}" $PY "$F/impostor.py" "$port" "$F/out" \
		"$F/cert.pem" "$F/key.pem" >"$T/impostor.log" 2>&1 &
	bg_track $!
	for _ in $(seq 1 100); do [ -e "$F/out.ready" ] && break; sleep 0.1; done
	[ -e "$F/out.ready" ] || fail "the impostor did not start: $(cat "$T/impostor.log")"
}

# pgrep_in NS PGREP-ARGS...: pgrep's pids that are in network namespace
# NS (/run/netns/NS): other tests' pools have accounts with the same uids
# and jobs with the same numbers.
pgrep_in() {
	local ns=$1 want p
	shift
	want=$(stat -L -c %i "/run/netns/$ns") || return 1
	for p in $(pgrep "$@"); do
		[ "$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null)" = "$want" ] && echo "$p"
	done
	return 0
}

# pool_hub_up [NODES]: a pool on Slurm with rig's hub on its head, set
# up through rig up as root: the head and NODES nodes (1 by default;
# pool_hosts_up), all of them in [partition cpu]; the hub's servers ask
# for 512 MiB (mem_limit, so that small jobs fit beside one) and have 150 s
# to start on a loaded machine (spawn_timeout); POOL_HUB_CONF, if set, is
# more [hub] lines ({head}: the head's address). alice is an account of the head for filler jobs.
# Sets H (the head's address), N and NODE (the first node's address and
# Slurm name), P (the project), HUBDIR (the hub's folder on the head, seen
# from here), R and S (rig and its state folder on the head), URL (the
# hub, exported). People's uids below 60000 (the hub's helper runs
# servers as no other) and away from this machine's own accounts.
pool_hub_up() {
	local n=${1:-1} i nodes=
	POOL_UID_MIN=$(pool_uid_min)
	pool_hosts_up $((n + 1))
	H=$(host_addr 1)
	N=$(host_addr 2)
	NODE=${PREFIX}h2
	for i in $(seq 2 $((n + 1))); do nodes="$nodes $(host_addr "$i")"; done
	P=$T/proj
	project_init "$P" 1 --user root
	pool_root_ssh 1 'useradd -m -s /bin/bash alice' || fail "useradd alice on the head"
	sed -i '/^\[hub\]/a mem_limit = 512M\nspawn_timeout = 150' "$P/rig.conf"
	[ -n "${POOL_HUB_CONF:-}" ] && printf '%s\n' "${POOL_HUB_CONF//\{head\}/$H}" >"$T/hubconf.add" &&
		sed -i "/^\[hub\]/r $T/hubconf.add" "$P/rig.conf"
	printf '[pool]\nengine = slurm\n\n[partition cpu]\nhosts =%s\n' "$nodes" >>"$P/rig.conf"
	in_project "$P" "$RIG" up >"$T/up.out" 2>&1 || fail "rig up: $(cat "$T/up.out")"
	HUBDIR=$HOSTS_DIR/h1/root/.local/share/rig
	R=/root/.local/bin/rig
	S=/root/.local/share/rig/state
	URL=https://$H:8000
	export URL
}

# wait_named_ready NAME TOKEN SRV: until user NAME's named server SRV is
# ready (READY_S seconds, default 60), asked with TOKEN.
wait_named_ready() {
	local i code
	for i in $(seq 1 $((${READY_S:-60} * 5))); do
		code=$(TOKEN=$2 api GET "/hub/api/users/$1")
		[ "$code" = 200 ] && [ "$(json "d['servers'].get('$3', {}).get('ready')" <"$T/body")" = true ] &&
			return 0
		sleep 0.2
	done
	fail "$1's server '$3' not ready within ${READY_S:-60} s: $code $(body) $(tail -n 20 "$T/hub.log")"
}

# sock_pid FILE: the pid listening on Unix socket FILE.
sock_pid() {
	ss -xlpH | grep -F " $1 " | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1
}

# pool_token NAME: a hub user NAME on the pool's head (pool_hub_up) and
# a token of theirs on standard output.
pool_token() {
	pool_root_ssh 1 "$R user add $1 --state-dir $S" >/dev/null 2>&1 || fail "rig user add $1"
	pool_root_ssh 1 "$R token create $1 --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1
}

# squeue_on ARGS...: squeue -h ARGS on the pool's head.
squeue_on() { pool_root_ssh 1 "squeue -h $*"; }

# pool_host_prepare DIR: copies a pool host's own files to DIR and sets
# POOL_PRE to the sh commands (for hosts_up) that mount them.
pool_host_prepare() {
	local h=$1 d
	POOL_HOME=$T/hosts/pool-home
	: "${POOL_UID_MIN:=$((100000 + RANDOM % 800 * 1000))}"
	mkdir -p "$POOL_HOME" "$h/run/sshd" "$h/run/lock" "$h/root/.ssh"
	chmod 755 "$POOL_HOME" "$h/run" "$h/run/sshd"
	chmod 1777 "$h/run/lock"
	chmod 700 "$h/root" "$h/root/.ssh"
	install -m600 "$HOST_KEY.pub" "$h/root/.ssh/authorized_keys"
	# One copy of /etc for all (accounts other tests add meanwhile
	# would differ), then a munge key of each host's own, as a fresh
	# install of munge makes.
	# (Other tests' lock files may vanish while it is copied.)
	if [ ! -d "$HOSTS_DIR/etc" ]; then
		cp -a /etc "$HOSTS_DIR/etc" 2>/dev/null || true
		rm -f "$HOSTS_DIR"/etc/*.lock "$HOSTS_DIR"/etc/*+ "$HOSTS_DIR"/etc/*.rig-new "$HOSTS_DIR"/etc/*.rig-new.*
		for d in passwd group shadow munge/munge.key slurm; do
			[ -e "$HOSTS_DIR/etc/$d" ] || fail "pool host: no /etc/$d in the copy of /etc"
		done
	fi
	cp -a "$HOSTS_DIR/etc" "$h/etc"
	# People's uids far from the machine's own: processes of the pool's
	# accounts never carry the uid of another test's account (whose
	# clean-up kills by uid, and the PID namespace is shared).
	sed -i -e "s/^UID_MIN.*/UID_MIN $POOL_UID_MIN/" -e "s/^UID_MAX.*/UID_MAX $((POOL_UID_MIN + 999))/" \
		-e "s/^GID_MIN.*/GID_MIN $POOL_UID_MIN/" -e "s/^GID_MAX.*/GID_MAX $((POOL_UID_MIN + 999))/" "$h/etc/login.defs"
	dd if=/dev/urandom of="$h/etc/munge/munge.key" bs=128 count=1 status=none
	chown munge:munge "$h/etc/munge/munge.key"
	chmod 600 "$h/etc/munge/munge.key"
	for d in /var/lib/slurm /var/lib/munge /var/log/slurm /var/log/munge; do
		[ -d "$d" ] || fail "pool host: no $d (scripts/install-deps.sh installs Slurm and munge)"
		mkdir -p "$h$d"
		cp -a "$d/." "$h$d/"
		chown --reference="$d" "$h$d"
		chmod --reference="$d" "$h$d"
	done
	POOL_PRE="mount --bind $h/etc /etc && mount --bind $h/run /run &&
		mount --bind $h/root /root && mount --bind $POOL_HOME /home &&
		mount --bind $h/home $HOSTS_DIR/home"
	for d in /var/lib/slurm /var/lib/munge /var/log/slurm /var/log/munge; do
		POOL_PRE="$POOL_PRE && mount --bind $h$d $d"
	done
}

# pool_root_ssh I CMD...: runs CMD as root on pool host I.
pool_root_ssh() {
	local i=$1
	shift
	ssh -F "$HOSTS_DIR/ssh_config" -l root "$(host_addr "$i")" "$@"
}

# host_addr I: the address of host I.
host_addr() {
	echo "$HOSTS_NET.$(($1 + 1))"
}

# host_ssh I CMD...: runs CMD on host I with the test's own ssh config.
host_ssh() {
	local i=$1
	shift
	ssh -F "$HOSTS_DIR/ssh_config" "$(host_addr "$i")" "$@"
}

# host_home I: where host I's home of $HOST_USER is on this side.
host_home() {
	echo "$HOSTS_DIR/h$1/home/$HOST_USER"
}

# project_init DIR I [ARGS...]: a project folder DIR with rig.conf for
# host I (rig init with the test key), extra ARGS passed to rig init.
project_init() {
	local dir=$1 i=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && "$RIG" init --host "$(host_addr "$i")" --user "$HOST_USER" \
		--identity "$HOST_KEY" --name "m$i" "$@") >"$T/init.out" 2>&1 ||
		fail "rig init in $dir: $(cat "$T/init.out")"
}

# in_project DIR CMD...: runs CMD in DIR (a subshell).
in_project() {
	local dir=$1
	shift
	(cd "$dir" && "$@")
}

# hosts_down: ends every process in the hosts' namespaces (sshd, and what
# rig up started there), rig's shared ssh connections, the namespaces and
# the bridge.
hosts_down() {
	local i ns pids s
	for s in "${RIG_RUNTIME_DIR:-/nonexistent}"/*; do
		[ -S "$s" ] && ssh -o ControlPath="$s" -O exit x >/dev/null 2>&1
	done
	for i in $(seq 1 "$HOSTS_N"); do
		ns=${PREFIX}h$i
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of pids
		[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	done
	for i in $(seq 1 30); do
		pids=
		for s in $(seq 1 "$HOSTS_N"); do
			pids="$pids$(ip netns pids "${PREFIX}h$s" 2>/dev/null)"
		done
		[ -z "$pids" ] && break
		sleep 0.1
	done
	for i in $(seq 1 "$HOSTS_N"); do
		ns=${PREFIX}h$i
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of pids
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for i in $HOSTS_PIDS; do wait "$i" 2>/dev/null; done
	# Slurm's cgroups of pool hosts (slurm_NODE, NODE a host's name).
	for s in /sys/fs/cgroup/*/slurm_"${PREFIX}"*; do
		[ -d "$s" ] && find "$s" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	ip link del "${PREFIX}br" 2>/dev/null
	HOSTS_N=0
	return 0
}

# The EXIT trap once hosts are up: tear them down, then lib_cleanup with
# the test's exit status.
hosts_trap() {
	local rc=$?
	set +e
	hosts_down
	(exit "$rc")
	lib_cleanup
}

# ---- Azure (tests t4NN) ----
# Microsoft's LRO conformance server, @microsoft.azure/autorest.testserver,
# installed in tests/azure/ by scripts/install-deps.sh. The C test drivers
# (build/arm-check) sit beside $RIG.

ARM_CHECK=$(dirname "$RIG")/arm-check

# azure_testserver_start: starts it on a free loopback port, sets
# $AZ_TS_URL once it answers; logs to $T/testserver.log; killed at exit.
azure_testserver_start() {
	local cli=$TOP/tests/azure/node_modules/@microsoft.azure/autorest.testserver/dist/cli/cli.js
	local port
	[ -f "$cli" ] || fail "autorest.testserver missing: run scripts/install-deps.sh"
	port=$(free_port)
	# In $T: it writes coverage/ into its working directory.
	env -C "$T" node "$cli" run --port "$port" >"$T/testserver.log" 2>&1 &
	bg_track $!
	AZ_TS_URL=http://127.0.0.1:$port
	for _ in $(seq 1 200); do
		curl -sf -o /dev/null "$AZ_TS_URL/report/azure" && return 0
		sleep 0.1
	done
	fail "autorest.testserver did not answer on $AZ_TS_URL within 20 s"
}

# ---- Azure (tests t4NN) ----
# azure_double_up [ARGS...]: starts the ARM test double (tests/azure,
# validating with Microsoft's oav) on loopback; $AZ_URL is its base,
# $AZ_LOG its request log. The environment gets the service principal it
# accepts. ARGS go to the double (--public-ip, --authorized-keys, ...).
azure_double_up() {
	AZ_LOG=$T/double.jsonl
	node "$TOP/tests/azure/armdouble.js" --port-file "$T/az.port" \
		--log "$AZ_LOG" "$@" 2>"$T/double.log" &
	bg_track $!
	for _ in $(seq 1 300); do [ -s "$T/az.port" ] && break; sleep 0.05; done
	[ -s "$T/az.port" ] || fail "ARM double did not start: $(cat "$T/double.log")"
	AZ_URL=http://127.0.0.1:$(cat "$T/az.port")
	export AZURE_TENANT_ID=tenant-1 AZURE_CLIENT_ID=client-1 AZURE_CLIENT_SECRET=secret-1
	note "ARM double at $AZ_URL"
}

# azure_violations: fails the test if the double saw a request that
# Microsoft's spec (or the recorded shapes) does not allow.
azure_violations() {
	local v
	v=$(curl -s "$AZ_URL/_double/violations")
	[ "$v" = "[]" ] || fail "the ARM double saw invalid requests: $v"
}

# azure_faults JSON: arms the double's faults (see tests/azure/README.md).
azure_faults() {
	curl -s -f -X POST -H 'Content-Type: application/json' -d "$1" \
		"$AZ_URL/_double/faults" >/dev/null || fail "cannot set faults $1"
}

# azure_count 'METHOD operation': how many such calls the double answered.
azure_count() {
	curl -s "$AZ_URL/_double/state" | $PY -c '
import json, sys
print(json.load(sys.stdin)["counts"].get(sys.argv[1], 0))' "$1"
}

# azure_vm_power NAME: the power state the double holds for VM NAME.
azure_vm_power() {
	curl -s "$AZ_URL/_double/state" | $PY -c '
import json, sys
r = json.load(sys.stdin)["resources"]
print(" ".join(v.get("powerState", "") for k, v in r.items()
               if k.endswith("/virtualmachines/" + sys.argv[1])))' "$1"
}

# azure_host: one SSH test host that plays the VM: its authorized_keys
# empty until the double provisions the VM with rig's key. Sets A, H, U,
# NS; starts the double with that host as every public IP.
azure_host() {
	hosts_up 1
	A=$(host_addr 1)
	H=$(host_home 1)
	U=$HOST_USER
	NS=${PREFIX}h1
	: >"$H/.ssh/authorized_keys"
	chown "$U:$U" "$H/.ssh/authorized_keys"
	chmod 600 "$H/.ssh/authorized_keys"
	# The double plays cloud-init too: the host key rig gives the VM
	# becomes the sshd's.
	azure_double_up --public-ip "$A" --authorized-keys "$H/.ssh/authorized_keys" \
		--host-key "$HOSTS_DIR/h1/hostkey"
}

# azure_imds_in_host: inside the host, IMDS at 169.254.169.254:80 and ARM
# at the same loopback URL as out here, both forwarded to the double
# (tests/helpers/nsforward.py): what the hub on the VM talks to.
azure_imds_in_host() {
	local port=${AZ_URL##*:}
	ip -n "$NS" addr add 169.254.169.254/32 dev lo || fail "IMDS address"
	$PY "$HELPERS/nsforward.py" "/run/netns/$NS" "$port" 169.254.169.254:80 \
		"127.0.0.1:$port" "$T/fwd.ready" 2>"$T/fwd.log" &
	bg_track $!
	for _ in $(seq 1 100); do [ -s "$T/fwd.ready" ] && break; sleep 0.05; done
	[ -s "$T/fwd.ready" ] || fail "forwarder: $(cat "$T/fwd.log")"
}

# azure_project NAME [SED-ARGS...]: a project folder $P (and cd there)
# with rig.conf for an Azure machine NAME whose endpoints are the double,
# open to the test bridge; SED-ARGS edit rig.conf further.
azure_project() {
	local name=$1
	shift
	P=$T/proj-$name
	mkdir -p "$P"
	cd "$P"
	"$RIG" init --provider azure --user "$U" --name "$name" >"$T/init.out" 2>&1 ||
		fail "rig init --provider azure: $(cat "$T/init.out")"
	sed -i -e '/^identity =/d' \
		-e "s|^; arm_endpoint = .*|arm_endpoint = $AZ_URL|" \
		-e "s|^; login_endpoint = .*|login_endpoint = $AZ_URL|" \
		-e "s|^; prices_endpoint = .*|prices_endpoint = $AZ_URL|" \
		-e "s|^subscription = .*|subscription = 00000000-0000-0000-0000-000000000000|" \
		-e "s|^allow_from = .*|allow_from = $HOSTS_NET.1/32|" "$@" rig.conf
}

# azure_wait_power NAME STATE: waits up to 40 s for the double to hold VM
# NAME in power STATE; 0 if it does.
azure_wait_power() {
	for _ in $(seq 1 80); do
		[ "$(azure_vm_power "$1")" = "$2" ] && return 0
		sleep 0.5
	done
	return 1
}

# page_shows URL REGEX: waits up to 40 s for the page at URL to match.
page_shows() {
	for _ in $(seq 1 80); do
		curl -sk -m 5 "$1" | grep -q -- "$2" && return 0
		sleep 0.5
	done
	return 1
}
