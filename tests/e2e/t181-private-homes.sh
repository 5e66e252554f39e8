#!/bin/bash
# A second rig user, as an attacker with a shell, cannot read the first
# one's files: homes are 0700, a server and its kernels make files with
# umask 077, and a home made wider by hand is closed again at the next
# hub start, with a log line.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
rig_user_add bob
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
hub_config
hub_start
spawn alice "$ALICE"
spawn bob "$BOB"
A=${PREFIX}alice
B=${PREFIX}bob
home=$(getent passwd "$A" | cut -d: -f6)
[ -d "$home" ] || fail "no home for $A"
[ "$(stat -c %a "$home")" = 700 ] || fail "alice's home is mode $(stat -c %a "$home"), not 700"

# Alice saves a notebook through her server.
TOKEN=$ALICE
code=$(api PUT /user/alice/api/contents/secret.ipynb -H 'Content-Type: application/json' \
	-d '{"type":"notebook","content":{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}}')
case $code in 200 | 201) ;; *) fail "alice cannot save a notebook: $code $(body)" ;; esac
nb=$home/secret.ipynb
[ -f "$nb" ] || fail "no $nb"
[ "$(stat -c %a "$nb")" = 600 ] || fail "alice's notebook is mode $(stat -c %a "$nb"), not 600"

# A file a kernel makes is private too.
out=$($PY "$HELPERS/runcell.py" "$URL/user/alice/" "token:$ALICE" \
	'import os; open("k.txt", "w").write("x"); oct(os.stat("k.txt").st_mode & 0o777)') ||
	fail "runcell: $out"
echo "$out" | tail -n 1 | grep -q "0o600" || fail "a kernel's file: $out"

# Bob, with a shell as his account, tries.
if runuser -u "$B" -- cat "$nb" >"$T/stolen" 2>"$T/cat.err"; then
	fail "bob read alice's notebook"
fi
grep -q 'Permission denied' "$T/cat.err" || fail "bob's cat: $(cat "$T/cat.err")"
if runuser -u "$B" -- ls "$home" >"$T/ls.out" 2>&1; then
	fail "bob listed alice's home: $(cat "$T/ls.out")"
fi
if runuser -u "$B" -- cat "$home/k.txt" >/dev/null 2>&1; then
	fail "bob read a file of alice's kernel"
fi

# A home opened by hand (or made before homes were private) is closed at
# the next start, and the hub says so.
hub_stop
chmod 755 "$home"
hub_start
grep -q "account $A: home $home was mode 0755" "$T/hub.log" ||
	fail "no log line about alice's home: $(grep "account $A" "$T/hub.log")"
[ "$(stat -c %a "$home")" = 700 ] || fail "alice's home still mode $(stat -c %a "$home")"
if runuser -u "$B" -- ls "$home" >/dev/null 2>&1; then
	fail "bob listed alice's home after the restart"
fi
hub_stop
