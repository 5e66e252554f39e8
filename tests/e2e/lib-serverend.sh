# Shared by the tests of a Slurm server's own end (t376, t378), sourced
# after lib.sh and pool_hub_up: carol_signed_in makes hub user carol with
# a password and a token ($TOKEN) and signs her in ($T/jar.carol); start
# starts her server and waits for it ($jid, its Slurm job); ended STATE
# REASON waits for the server's end with Slurm's STATE, then checks the
# API no longer lists it and the home page says why.
carol_signed_in() {
	local pw
	pw=pw-$(rand_str 20)
	printf '%s' "$pw" >"$T/pw.carol"
	printf '%s' "$pw" | pool_root_ssh 1 "$R user add carol --state-dir $S --password-stdin" >/dev/null ||
		fail "rig user add carol"
	TOKEN=$(pool_root_ssh 1 "$R token create carol --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
	[ -n "$TOKEN" ] || fail "no token for carol"
	login carol
}
home() { curl -sk -m 10 -b "$T/jar.carol" "$URL/hub/home"; }
start() {
	local code
	code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
	[ "$code" = 202 ] || fail "POST server: $code $(body)"
	READY_S=150 wait_ready carol "$TOKEN"
	jid=$(squeue_on -u rig-carol -o %i)
	[ -n "$jid" ] || fail "no job of rig-carol"
}
# ended STATE: waits for the server's end with STATE, then checks the
# home page says so.
ended() {
	for _ in $(seq 1 600); do
		grep -q "server carol: ended with its Slurm job $jid: $1" "$HUBDIR/hub.log" && break
		sleep 0.2
	done
	grep -q "server carol: ended with its Slurm job $jid: $1" "$HUBDIR/hub.log" ||
		fail "no end of job $jid with $1: $(grep 'server carol' "$HUBDIR/hub.log" | tail -n 3) / $(squeue_on -t all -j "$jid" -o %T:%r)"
	[ "$(TOKEN=$TOKEN api GET /hub/api/users/carol)" = 200 ] || fail "GET user: $(body)"
	[ "$(json 'd["servers"]' <"$T/body")" = "{}" ] || fail "the server is still listed: $(body)"
	home | grep -q "Your server stopped on its own: it ended with its Slurm job $jid: $1 ($2)" ||
		fail "the home page does not say why: $(home | grep -o '<div class="box">.*' | head -c 600)"
}
