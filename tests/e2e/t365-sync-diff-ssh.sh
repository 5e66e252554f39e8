#!/bin/bash
# The differential test of t360 through a real sshd test host: a handful
# of git's cases and random trees, each sent by "rig sync up" over SSH
# to the host's remote_dir, which must hold exactly git's list (with git
# and with git hidden from rig).
. "$(dirname "$0")/lib.sh"

command -v git >/dev/null || fail "git is missing: run scripts/install-deps.sh"
hosts_up 1
P=$T/proj
project_init "$P" 1
R=$(host_home 1)/work/m1
(cd "$P" && "$RIG" sync up >"$T/first.out" 2>&1) || fail "first sync up: $(cat "$T/first.out")"
[ -d "$R" ] || fail "no remote_dir at $R"
$PY "$HELPERS/syncdiff.py" --rig "$RIG" --project "$P" --remote "$R" \
	--data "$TOP/tests/data" --pick 6 --random 6 --seed "${SYNCDIFF_SEED:-3}" \
	>"$T/diff.out" 2>&1 || fail "rig and git differ over ssh: $(cat "$T/diff.out")"
note "$(tail -1 "$T/diff.out")"
grep -q '^12 cases, 0 mismatches' "$T/diff.out" || fail "summary: $(tail -1 "$T/diff.out")"
