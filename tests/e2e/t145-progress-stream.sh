#!/bin/bash
# The progress stream of a start still pending: a client that asks while
# the server is slow to come up gets the steps so far, then the later ones
# as they happen, and the stream ends with "ready": true and the URL.
. "$(dirname "$0")/lib.sh"

rig_user_add alice
TOKEN=$(rig_token alice)
# Two seconds before Jupyter even starts: the stream is asked for while
# the start is pending, so events arrive live, not replayed.
hub_config 'server_cmd = /bin/sh -c "sleep 2; exec jupyter notebook --no-browser --NotebookApp.ip=127.0.0.1 --NotebookApp.port={port} --NotebookApp.port_retries=0 --NotebookApp.base_url={base_url} --NotebookApp.notebook_dir={root_dir} --NotebookApp.open_browser=False"'
hub_start

code=$(api POST /hub/api/users/alice/server)
[ "$code" = 202 ] || fail "POST /hub/api/users/alice/server gave $code: $(body)"
curl -sk -N -m 60 -H "Authorization: token $TOKEN" -D "$T/headers" \
	-o "$T/progress" "$URL/hub/api/users/alice/server/progress" || true
note "progress: $(tr '\n' ' ' <"$T/progress" | head -c 600)"
[ "$(header content-type <"$T/headers")" = text/event-stream ] ||
	fail "progress content type: $(header content-type <"$T/headers")"

# One event per "data:" line, in order, the last one ready.
json_lines=$(sed -n 's/^data: //p' "$T/progress")
n=$(printf '%s\n' "$json_lines" | grep -c .)
[ "$n" -ge 3 ] || fail "progress: $n events, want requested, started, ready"
first=$(printf '%s\n' "$json_lines" | head -n 1)
last=$(printf '%s\n' "$json_lines" | tail -n 1)
[ "$(json 'd["message"]' <<<"$first")" = "Server requested" ] ||
	fail "first event: $first"
[ "$(json 'd["progress"]' <<<"$first")" = 0 ] || fail "first event: $first"
printf '%s\n' "$json_lines" | grep -q '"Server process started' ||
	fail "no 'Server process started' event"
[ "$(json 'd["ready"]' <<<"$last")" = true ] || fail "last event: $last"
[ "$(json 'd["url"]' <<<"$last")" = /user/alice/ ] || fail "last event: $last"
[ "$(json 'd["progress"]' <<<"$last")" = 100 ] || fail "last event: $last"

# Asked again once ready: the same story, replayed, ending at once.
curl -sk -N -m 10 -H "Authorization: token $TOKEN" -o "$T/again" \
	"$URL/hub/api/users/alice/server/progress" || true
cmp -s "$T/progress" "$T/again" || fail "replay differs: $(tr '\n' ' ' <"$T/again")"

[ "$(api DELETE /hub/api/users/alice/server)" = 202 ] || fail "DELETE: $(body)"
hub_stop
