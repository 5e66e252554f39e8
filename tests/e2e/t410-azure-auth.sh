#!/bin/bash
# The Azure credential chain (src/azure/azure-auth.c) in its order: a service
# principal from AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, else
# `az account get-access-token` (a fake az via RIG_AZ: current expires_on
# and the older expiresOn), else the managed identity (IMDS), else one
# message naming the three ways. Each source also shows the token cached
# while fresh, renewed once after a 401 from ARM, and never logged.
# login.microsoftonline.com and IMDS are tests/helpers/azure-login-double.py,
# a test double (no Azure is reachable from here).
. "${0%/*}/lib.sh"

[ -x "$ARM_CHECK" ] || fail "missing $ARM_CHECK: run make (and make asan)"
$PY "$HELPERS/azure-login-double.py" "$T/port" tenant-1 client-1 's3cret&=x' \
	2>"$T/double.log" &
bg_track $!
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "login double did not start"
D=http://127.0.0.1:$(cat "$T/port")
CLOSED=http://127.0.0.1:$(free_port) # nothing listens: no IMDS

# A fake az: prints what `az account get-access-token` prints, a new
# token on each call (cli-token-N), in the CLI's current or older shape.
cat >"$T/az" <<'AZ'
#!/bin/sh
[ "$1 $2 $3 $4" = "account get-access-token --resource https://management.azure.com/" ] ||
	{ echo "fake az: unexpected arguments: $*" >&2; exit 2; }
n=$(($(cat "$AZ_COUNT" 2>/dev/null || echo 0) + 1))
echo $n >"$AZ_COUNT"
exp=$(($(date +%s) + 3600))
if [ "${AZ_OLD:-}" = 1 ]; then
	echo "{\"accessToken\": \"cli-token-$n\", \"expiresOn\": \"$(date -d @$exp '+%Y-%m-%d %H:%M:%S').000000\", \"subscription\": \"s\", \"tenant\": \"t\", \"tokenType\": \"Bearer\"}"
else
	echo "{\"accessToken\": \"cli-token-$n\", \"expiresOn\": \"$(date -d @$exp '+%Y-%m-%d %H:%M:%S').000000\", \"expires_on\": $exp, \"subscription\": \"s\", \"tenant\": \"t\", \"tokenType\": \"Bearer\"}"
fi
AZ
chmod +x "$T/az"
cat >"$T/az-loggedout" <<'AZ'
#!/bin/sh
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
AZ
chmod +x "$T/az-loggedout"
export AZ_COUNT=$T/az-count

# run NAME [VAR=VALUE...]: arm-check --auth with only these Azure settings.
run() {
	local name=$1
	shift
	env -u AZURE_TENANT_ID -u AZURE_CLIENT_ID -u AZURE_CLIENT_SECRET -u RIG_AZ \
		"$@" "$ARM_CHECK" --auth "$D" "${IMDS:-$D}" "$D" \
		>"$T/$name.out" 2>"$T/$name.err"
	local rc=$?
	sed "s/^/$name: /" "$T/$name.out"
	if grep -q -- '-token-' "$T/$name.out" "$T/$name.err"; then
		fail "$name: a token was printed or logged"
	fi
	return $rc
}
stats() { curl -s "$D/control/stats"; }

run sp AZURE_TENANT_ID=tenant-1 AZURE_CLIENT_ID=client-1 \
	'AZURE_CLIENT_SECRET=s3cret&=x' RIG_AZ="$T/az" ||
	fail "service principal: $(cat "$T/sp.err")"
grep -q '^source: service principal$' "$T/sp.out" || fail "sp: wrong source"
[ "$(stats | json 'd["sp"]')" = 2 ] || fail "sp: want 2 logins (first, after 401): $(stats)"
[ ! -e "$AZ_COUNT" ] || fail "sp: az was run although a service principal was set"

run sp-wrong AZURE_TENANT_ID=tenant-1 AZURE_CLIENT_ID=client-1 \
	AZURE_CLIENT_SECRET=wrong && fail "wrong secret accepted"
grep -q 'invalid_client' "$T/sp-wrong.err" || fail "wrong secret: $(cat "$T/sp-wrong.err")"
grep -q 'wrong' "$T/sp-wrong.err" && fail "the secret was printed"

run sp-partial AZURE_TENANT_ID=tenant-1 && fail "half a service principal accepted"
grep -q 'must be set together' "$T/sp-partial.err" || fail "partial: $(cat "$T/sp-partial.err")"

run cli RIG_AZ="$T/az" || fail "az: $(cat "$T/cli.err")"
grep -q '^source: az CLI$' "$T/cli.out" || fail "az: wrong source"
[ "$(cat "$AZ_COUNT")" = 2 ] || fail "az: want 2 runs (first, after 401), got $(cat "$AZ_COUNT")"

rm -f "$AZ_COUNT"
run cli-old RIG_AZ="$T/az" AZ_OLD=1 || fail "older az (expiresOn): $(cat "$T/cli-old.err")"
grep -q '^source: az CLI$' "$T/cli-old.out" || fail "older az: wrong source"

run imds RIG_AZ="$T/az-loggedout" || fail "IMDS: $(cat "$T/imds.err")"
grep -q '^source: managed identity$' "$T/imds.out" || fail "IMDS: wrong source"
[ "$(stats | json 'd["imds"]')" = 2 ] || fail "IMDS: want 2 tokens: $(stats)"

IMDS=$CLOSED run none RIG_AZ="$T/az-loggedout" && fail "no credentials, yet a token"
for want in AZURE_CLIENT_SECRET "az login" "managed identity" "Please run 'az login'"; do
	grep -qF "$want" "$T/none.err" || fail "no-credentials message lacks '$want': $(cat "$T/none.err")"
done
note "$(cat "$T/none.err")"
[ "$(stats | json 'd["check_401"]')" = 4 ] || fail "want one 401 per run that got a token: $(stats)"
