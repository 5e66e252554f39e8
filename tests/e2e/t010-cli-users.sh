#!/bin/bash
# The user CLI (add, list, passwd, admin, del, token create) works, also
# while the hub runs, and refuses hostile usernames.
. "$(dirname "$0")/lib.sh"

rig_user_add alice --admin
rig_user_add bob

list=$(rig_cli user list) || fail "rig user list failed"
printf '%s\n' "$list" | grep -qw alice || fail "user list lacks alice: $list"
printf '%s\n' "$list" | grep -qw bob || fail "user list lacks bob: $list"

# Hostile names: exit 1, "invalid username" on stderr, nothing added.
long=$(printf 'a%.0s' $(seq 1 33))
for bad in Alice -x .x a/b ../x 'a b' "$long" 'root;id' $'a\nb' 'ａlice'; do
	rc=0
	# "--" ends the options, so that "-x" reaches the name check.
	printf 'x-password-123' | "$RIG" user add --state-dir "$T/state" --password-stdin -- "$bad" \
		>"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 1 ] || fail "user add $(printf '%q' "$bad"): exit $rc, not 1"
	grep -q "invalid username" "$T/err" ||
		fail "user add $(printf '%q' "$bad"): no 'invalid username' in stderr: $(cat "$T/err")"
done
[ "$(rig_cli user list | wc -l)" = "$(printf '%s\n' "$list" | wc -l)" ] ||
	fail "user list changed after refused adds: $(rig_cli user list)"

# token create prints a 64-hex token and nothing else.
tok=$(rig_cli token create alice) || fail "token create failed"
printf '%s' "$tok" | grep -qxE '[0-9a-f]{64}' || fail "token create printed '$tok'"

# passwd: the new password works, the old one does not.
old=$(cat "$T/pw.bob")
printf '%s' "new-$old" >"$T/pw.bob"
printf '%s' "new-$old" | rig_cli user passwd bob --password-stdin || fail "user passwd failed"

hub_config
hub_start
TOKEN=$tok

[ "$(api GET /hub/api/user)" = 200 ] || fail "CLI token rejected: $(body)"
[ "$(json 'd["name"]' <"$T/body")" = alice ] || fail "CLI token is not alice's: $(body)"

login bob
printf '%s' "$old" >"$T/pw.old"
xsrf=$(curl -sk -c "$T/jar.x" -b "$T/jar.x" "$URL/hub/login" | form_input _xsrf)
code=$(curl -sk -c "$T/jar.x" -b "$T/jar.x" -o /dev/null -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode username=bob --data-urlencode "password@$T/pw.old" \
	--data-urlencode "_xsrf=$xsrf" "$URL/hub/login")
case $code in 401 | 403) ;; *) fail "old password after passwd: $code" ;; esac

# admin on/off.
[ "$(api GET /hub/api/users/bob)" = 200 ] || fail "GET bob: $(body)"
[ "$(json 'd["admin"]' <"$T/body")" = false ] || fail "bob is admin before 'user admin': $(body)"
rig_cli user admin bob on || fail "user admin bob on failed"
[ "$(api GET /hub/api/users/bob)" = 200 ] || fail "GET bob: $(body)"
[ "$(json 'd["admin"]' <"$T/body")" = true ] || fail "bob not admin after 'user admin bob on': $(body)"
rig_cli user list | grep -w bob | grep -qw admin || fail "user list does not show bob as admin"
rig_cli user admin bob off || fail "user admin bob off failed"
[ "$(api GET /hub/api/users/bob)" = 200 ] || fail "GET bob: $(body)"
[ "$(json 'd["admin"]' <"$T/body")" = false ] || fail "bob still admin after 'user admin bob off': $(body)"

# The CLI works while the hub runs: a new user can log in at once.
rig_user_add carol
rig_cli user list | grep -qw carol || fail "carol not listed"
login carol

# del: bob is gone from the list and from the hub.
rig_cli user del bob || fail "user del bob failed"
rig_cli user list | grep -qw bob && fail "bob still listed after del"
[ "$(api GET /hub/api/users/bob)" = 404 ] || fail "GET bob after del: not 404: $(body)"

hub_stop
