#!/bin/bash
# Servers as Slurm jobs speaking JupyterHub's protocol: jupyterhub-
# singleuser on the node (server_cmd), which reaches the hub's API over
# the pool's network at the head's address (api_address, which rig up
# sets for such a pool: apilisten.c), with its API token and OAuth. A
# kernel started with carol's token through the hub reports the node's
# host name (singleuser checked the token with the hub's API from the
# node), and a browser's sign-in goes through OAuth to her notebook tree
# (singleuser traded the code at the API from the node). The hub's API
# listener is on the head's address, not loopback; the server is still
# TLS behind the hub's tunnel.
. "$(dirname "$0")/lib.sh"

POOL_HUB_CONF='server_cmd = /usr/bin/jupyterhub-singleuser --ip=0.0.0.0 --port={port}' pool_hub_up 1
grep -qx "api_address = $H" "$HUBDIR/hub.conf" || fail "rig up did not set api_address = $H: $(cat "$HUBDIR/hub.conf")"
grep -q "servers reach the hub's API at http://$H:[0-9]*/hub/api" "$HUBDIR/hub.log" ||
	fail "the API listener is not on $H: $(grep "hub's API" "$HUBDIR/hub.log")"
pw=pw-$(rand_str 20)
printf '%s' "$pw" >"$T/pw.carol"
printf '%s' "$pw" | pool_root_ssh 1 "$R user add carol --state-dir $S --password-stdin" >/dev/null ||
	fail "rig user add carol"
TOKEN=$(pool_root_ssh 1 "$R token create carol --state-dir $S" | grep -oE '[0-9a-f]{64}' | head -n 1)
[ -n "$TOKEN" ] || fail "no token for carol"

code=$(TOKEN=$TOKEN api POST /hub/api/users/carol/server)
[ "$code" = 202 ] || fail "POST server: $code $(body)"
READY_S=150 wait_ready carol "$TOKEN"
jid=$(squeue_on -u rig-carol -o %i)
uid=$(pool_root_ssh 1 'id -u rig-carol')
spid=$(pgrep_in "${PREFIX}h2" -u "$uid" -f jupyterhub-singleuser | head -n 1)
[ -n "$spid" ] || fail "no jupyterhub-singleuser of rig-carol (job $jid)"
api=$(tr '\0' '\n' <"/proc/$spid/environ" | sed -n 's/^JUPYTERHUB_API_URL=//p')
case $api in "http://$H:"*/hub/api) ;; *) fail "JUPYTERHUB_API_URL is $api, not the head's $H" ;; esac

out=$(timeout 90 $PY "$HELPERS/runcell.py" "$URL/user/carol/" "token:$TOKEN" \
	'import socket; socket.gethostname()' 2>&1) || fail "runcell: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "'${PREFIX}h2'" ] || fail "the kernel did not run on the node: $out"

# A browser: signed in at the hub, its cookies take it through OAuth.
login carol
code=$(curl -sk -m 60 -L -b "$T/jar.carol" -c "$T/jar.carol" -o "$T/tree.html" -w '%{http_code} %{url_effective}' \
	"$URL/user/carol/tree")
case $code in "200 $URL/user/carol/tree"*) ;; *) fail "sign-in through OAuth: $code $(head -c 300 "$T/tree.html")" ;; esac
grep -qi 'notebook\|jupyter' "$T/tree.html" || fail "not the notebook tree: $(head -c 300 "$T/tree.html")"
note "jupyterhub-singleuser on ${PREFIX}h2 reached the hub's API at $api"

code=$(TOKEN=$TOKEN api DELETE /hub/api/users/carol/server)
case $code in 202 | 204) ;; *) fail "DELETE server: $code $(body)" ;; esac
in_project "$P" "$RIG" stop >/dev/null 2>&1 || fail "rig stop"
cp "$HUBDIR/hub.log" "$T/hub.log"
hub_log_clean
