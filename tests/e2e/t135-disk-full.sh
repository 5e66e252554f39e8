#!/bin/bash
# A full disk gets clear errors and loses nothing: with the state directory
# on a tiny tmpfs filled up, writes fail with 5xx (not a crash or a hang),
# reads and logins keep working, and once space is back writes work again.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/state"
mount -t tmpfs -o size=4m tmpfs "$T/state" || fail "cannot mount a tmpfs (needs root)"
AT_EXIT='umount -l "$T/state"'

rig_user_add alice --admin
TOKEN=$(rig_token alice)
hub_config
hub_start
login alice

# Fill the disk.
dd if=/dev/zero of="$T/state/filler" bs=64k status=none 2>/dev/null || true
[ "$(df --output=avail "$T/state" | tail -n 1 | tr -d ' ')" -lt 64 ] || fail "the disk is not full"

created=0
for i in $(seq 1 50); do
	code=$(api POST "/hub/api/users/u$i")
	case $code in
	201) created=$((created + 1)) ;;
	5??) break ;;
	*) fail "POST user on a full disk: $code $(body)" ;;
	esac
done
note "users created before the disk refused: $created; then $code"
case $code in 5??) ;; *) fail "the full disk never showed: $code" ;; esac
hub_alive
[ "$(api GET /hub/api/user)" = 200 ] || fail "reads stopped working on a full disk: $(body)"
code=$(curl -sk -o /dev/null -w '%{http_code}' -b "$T/jar.alice" "$URL/hub/home")
[ "$code" = 200 ] || fail "the session stopped working on a full disk: $code"

rm -f "$T/state/filler"
[ "$(api POST /hub/api/users/after)" = 201 ] || fail "writes did not come back: $(body)"
hub_stop
