#!/bin/bash
# user_options through the API (JupyterHub's POST .../server with a JSON
# body) and [profile NAME] sections: the chosen profile's mem_limit lands
# in the server's cgroup and its server_cmd runs; the options are kept
# with the server (shown in its model, also after a hub restart). What a
# user may not send is a 400 that names it and starts nothing: a command,
# an environment, an unknown profile, shell metacharacters, resources on
# a hub that does not allow them, bodies that are not an object or too
# big; another user cannot start the first one's server with options.
. "$(dirname "$0")/lib.sh"

CG=/sys/fs/cgroup
[ -d $CG/memory ] || fail "this test wants the cgroup v1 memory hierarchy"
# The big profile's command is the notebook's with a marker option, so
# its process shows which command ran.
MARK=--NotebookApp.iopub_msg_rate_limit=4321
rig_user_add alice
rig_user_add bob
ALICE=$(rig_token alice)
BOB=$(rig_token bob)
hub_config "server_cmd = $NOTEBOOK_CMD" "mem_limit = 300M" "" \
	"[profile small]" "display_name = Small" "mem_limit = 256M" "cpu_limit = 0.5" "default = yes" "" \
	"[profile big]" "display_name = Big" "description = More memory" "mem_limit = 700M" \
	"server_cmd = $NOTEBOOK_CMD $MARK"
hub_start
A=${PREFIX}alice
M=$CG/memory/rig/$A

# Refused, each with a 400 naming what, and nothing started.
refused() { # BODY WORDS: POST alice's server with BODY: 400 with WORDS
	local code
	code=$(TOKEN=$ALICE api POST /hub/api/users/alice/server -H 'Content-Type: application/json' --data-binary "$1")
	[ "$code" = 400 ] || fail "body $1: got $code, not 400: $(body)"
	grep -qF -- "$2" "$T/body" || fail "body $1: the 400 does not say '$2': $(body)"
}
refused '{"server_cmd": "/bin/sh -c id"}' "unknown key 'server_cmd'"
refused '{"profile": "big", "cmd": ["/bin/sh"]}' "unknown key 'cmd'"
refused '{"environment": {"LD_PRELOAD": "/tmp/x.so"}}' "unknown key 'environment'"
refused '{"profile": "big", "root_dir": "/"}' "unknown key 'root_dir'"
refused '{"profile": "nope"}' "'profile' 'nope' is not a profile of this hub"
refused "{\"profile\": \"big; touch $T/pwned\"}" "'profile' must be the name of a profile"
refused "{\"profile\": \"\$(touch $T/pwned)\"}" "'profile' must be the name of a profile"
refused '{"profile": "big\u0000x"}' "not a JSON object"
refused '{"profile": ["big"]}' "'profile' must be the name of a profile"
refused '{"profile": null}' "'profile' must be the name of a profile"
refused '{"mem": "100G"}' "'mem' is not yours to choose on this hub"
refused '{"profile": "small", "cpus": 64}' "'cpus' is not yours to choose"
refused '{"partition": "gpu"}' "'partition' is not yours to choose"
refused '["big"]' "not a JSON object"
refused '{"profile": "big", "profile": "small"}' "not a JSON object"
refused '{"<img src=x onerror=alert(1)>": 1}' "unknown key '?'"
grep -q '<img' "$T/body" && fail "the 400 says the key back: $(body)"
# Big bodies: over the options' own cap, and over the hub's max_body.
head -c 20000 /dev/zero | tr '\0' ' ' >"$T/big.json"
printf '{}' >>"$T/big.json"
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/server --data-binary "@$T/big.json")
[ "$code" = 413 ] || fail "a 20 kB body: $code $(body)"
head -c 3000000 /dev/zero | tr '\0' 'a' >"$T/huge"
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/server --data-binary "@$T/huge")
case $code in 413 | 000) ;; *) fail "a 3 MB body: $code $(body)" ;; esac
[ ! -e "$T/pwned" ] || fail "a profile name ran a command"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] || fail "a refused start started something: $(body)"
[ -z "$(server_pid alice)" ] || fail "alice's account runs a process after refused starts"
grep -q "server alice: start requested" "$T/hub.log" && fail "a refused start was requested"

# Another user cannot start alice's server, with options or without.
code=$(TOKEN=$BOB api POST /hub/api/users/alice/server --data-binary '{"profile": "big"}')
[ "$code" = 404 ] || fail "bob starting alice's server: $code $(body)"
[ -z "$(server_pid alice)" ] || fail "bob started alice's server"
# Nor through the pages: bob's session posting alice's spawn form, alice's
# own without the form's _xsrf.
login bob
xb=$(xsrf_of bob)
code=$(curl -sk -m 10 -b "$T/jar.bob" -o "$T/body" -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode "_xsrf=$xb" --data-urlencode "profile=big" "$URL/hub/spawn/alice")
[ "$code" = 403 ] || fail "bob's form for alice's server: $code"
login alice
code=$(curl -sk -m 10 -b "$T/jar.alice" -o "$T/body" -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode "profile=big" "$URL/hub/spawn")
[ "$code" = 403 ] || fail "alice's form without _xsrf: $code"
[ -z "$(server_pid alice)" ] || fail "a refused form started alice's server"
# The form itself: both profiles, labelled, the default checked; a
# tampered choice is the form again with the reason.
code=$(curl -sk -m 10 -b "$T/jar.alice" -o "$T/form" -w '%{http_code}' "$URL/hub/spawn")
[ "$code" = 200 ] || fail "GET /hub/spawn: $code"
grep -q '<input type="radio" name="profile" id="profile-small" value="small" required checked>' "$T/form" ||
	fail "the form does not check the default: $(grep -o '<input type="radio"[^>]*>' "$T/form")"
grep -q '<label for="profile-big">Big</label>' "$T/form" || fail "the form has no label for big"
xa=$(form_input _xsrf <"$T/form")
code=$(curl -sk -m 10 -b "$T/jar.alice" -o "$T/body" -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode "_xsrf=$xa" --data-urlencode 'profile=big"><script>alert(1)</script>' "$URL/hub/spawn")
[ "$code" = 400 ] || fail "a tampered profile in the form: $code"
grep -q 'role="alert">user_options: &#39;profile&#39; must be the name of a profile' "$T/body" ||
	grep -q "role=\"alert\">user_options: 'profile' must be the name of a profile" "$T/body" ||
	fail "no reason on the form again: $(grep -o 'role="alert">[^<]*' "$T/body")"
grep -q '<script>alert' "$T/body" && fail "the tampered value came back as markup"
[ -z "$(server_pid alice)" ] || fail "a tampered form started alice's server"

# The big profile: its memory limit, its command, its options shown.
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/server -H 'Content-Type: application/json' --data-binary '{"profile": "big"}')
case $code in 201 | 202) ;; *) fail "POST with profile big: $code $(body)" ;; esac
wait_ready alice "$ALICE"
[ "$(cat "$M/memory.limit_in_bytes")" = $((700 << 20)) ] || fail "profile big: memory.limit_in_bytes $(cat "$M/memory.limit_in_bytes")"
pid=$(server_pid alice)
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$MARK" || fail "profile big's server_cmd did not run: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
[ "$(json 'd["servers"][""]["user_options"]' <"$T/body")" = '{"profile": "big"}' ] ||
	fail "user_options in the model: $(body)"
grep -q "server alice: start requested by alice, profile big" "$T/hub.log" || fail "the log does not name the profile"
# Kept with the server: a restarted hub shows them still.
hub_stop
hub_start
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "GET alice after the restart: $(body)"
[ "$(json 'd["servers"][""]["user_options"]' <"$T/body")" = '{"profile": "big"}' ] ||
	fail "user_options after a restart: $(body)"
[ "$(server_pid alice)" = "$pid" ] || fail "the server did not outlive the restart"
code=$(TOKEN=$ALICE api POST /hub/api/users/alice/server --data-binary '{"profile": "small"}')
[ "$code" = 400 ] || fail "a second start while running: $code $(body)"
code=$(TOKEN=$ALICE api DELETE /hub/api/users/alice/server)
case $code in 202 | 204) ;; *) fail "DELETE: $code $(body)" ;; esac
for _ in $(seq 1 100); do
	[ "$(TOKEN=$ALICE api GET /hub/api/users/alice; json 'd["servers"]' <"$T/body")" = "200{}" ] && break
	sleep 0.2
done

# No options: the default profile (small), its memory and CPU limits.
spawn alice "$ALICE"
[ "$(cat "$M/memory.limit_in_bytes")" = $((256 << 20)) ] || fail "default profile: memory.limit_in_bytes $(cat "$M/memory.limit_in_bytes")"
Q=$CG/cpu/rig/$A
if [ -f "$Q/cpu.cfs_quota_us" ]; then
	[ $(($(cat "$Q/cpu.cfs_quota_us") * 1000 / $(cat "$Q/cpu.cfs_period_us"))) = 500 ] ||
		fail "default profile: cpu quota $(cat "$Q/cpu.cfs_quota_us")/$(cat "$Q/cpu.cfs_period_us")"
fi
tr '\0' ' ' <"/proc/$(server_pid alice)/cmdline" | grep -q -- "$MARK" && fail "the default profile ran big's command"
[ "$(TOKEN=$ALICE api GET /hub/api/users/alice)" = 200 ] || fail "GET alice: $(body)"
[ "$(json 'd["servers"][""]["user_options"]' <"$T/body")" = '{}' ] || fail "user_options of a start without: $(body)"
hub_stop

# Slurm's keys on a hub whose servers are not Slurm jobs: refused at start.
hub_config "[profile gpu]" "partition = gpu" "gpus = 1"
"$RIG" hub --state-dir "$T/state" --listen "127.0.0.1:$PORT" --config "$T/rig.conf" >"$T/check.out" 2>&1 &&
	fail "a hub with Slurm keys in a profile and spawner local started"
grep -q "\[profile gpu\]: partition, cpus, mem, gpus and time are a Slurm job's: they need spawner = slurm" "$T/check.out" ||
	fail "no clear message: $(cat "$T/check.out")"
hub_config "[profile a]" "default = yes" "" "[profile b]" "default = yes"
"$RIG" hub --state-dir "$T/state" --listen "127.0.0.1:$PORT" --config "$T/rig.conf" >"$T/check.out" 2>&1 &&
	fail "a hub with two default profiles started"
grep -q "one profile at most has default = yes" "$T/check.out" || fail "two defaults: $(cat "$T/check.out")"
hub_config "[profile a]" "mem_limt = 2G"
"$RIG" hub --state-dir "$T/state" --listen "127.0.0.1:$PORT" --config "$T/rig.conf" >"$T/check.out" 2>&1 &&
	fail "a hub with a mistyped profile key started"
grep -q "did you mean 'mem_limit'" "$T/check.out" || fail "a mistyped key: $(cat "$T/check.out")"
hub_config "[profile a;b]" "mem_limit = 2G"
"$RIG" hub --state-dir "$T/state" --listen "127.0.0.1:$PORT" --config "$T/rig.conf" >"$T/check.out" 2>&1 &&
	fail "a hub with a profile named a;b started"
grep -q "a profile's name is letters" "$T/check.out" || fail "a bad name: $(cat "$T/check.out")"
