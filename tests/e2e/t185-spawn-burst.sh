#!/bin/bash
# 20 users ask for their servers at the same moment, each a new Unix
# account: all become ready. (Concurrent useradd runs fail on the password
# file's lock; the hub runs them one at a time.)
. "$(dirname "$0")/lib.sh"

N=20
for i in $(seq 1 $N); do
	rig_user_add "u$i"
	rig_token "u$i" >"$T/tok.u$i"
done
hub_config "spawn_timeout = 150"
hub_start
t0=$(now_ms)
posts=
for i in $(seq 1 $N); do
	curl -sk -m 30 -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Length: 0' \
		-H "Authorization: token $(cat "$T/tok.u$i")" \
		"$URL/hub/api/users/u$i/server" >"$T/post.u$i" &
	posts="$posts $!"
done
# shellcheck disable=SC2086 # a list of pids (not the hub's)
wait $posts
for i in $(seq 1 $N); do
	case $(cat "$T/post.u$i") in 201 | 202) ;; *) fail "u$i: POST gave $(cat "$T/post.u$i")" ;; esac
done
# All ready within 150 s (20 Jupyter starts on 2 cores take ~30 s).
deadline=$(($(now_ms) + 150000))
pending=$(seq 1 $N)
while [ -n "$pending" ]; do
	left=
	for i in $pending; do
		TOKEN=$(cat "$T/tok.u$i")
		code=$(api GET "/hub/api/users/u$i")
		r=$(json 'd["servers"][""]["ready"]' <"$T/body")
		[ "$r" = true ] && continue
		grep -q "server u$i: start failed" "$T/hub.log" &&
			fail "u$i: $(grep "server u$i: start failed" "$T/hub.log")"
		left="$left $i"
	done
	pending=$left
	[ -z "$pending" ] && break
	[ "$(now_ms)" -lt "$deadline" ] || fail "not ready after 150 s:$pending"
	sleep 1
done
note "$N servers ready in $(($(now_ms) - t0)) ms"
grep -q 'useradd exited' "$T/hub.log" && fail "a useradd failed: $(grep 'useradd exited' "$T/hub.log")"
hub_stop
