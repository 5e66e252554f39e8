#!/bin/bash
# Browser tests, in Chromium driven by Playwright:
# - login.js: logs in through the login form, passes the spawn-pending
#   page and lands on the user's notebook tree (a real Jupyter server),
#   then opens a new notebook and runs a cell through its kernel's
#   WebSocket. Screenshots: tests/out/browser-login.png, browser-tree.png
#   and browser-notebook.png.
# - pages.js: walks every page of the hub (login, home, spawn-pending,
#   admin, its questions and forms, tokens, password, error pages) and
#   fails on any console error or warning of the hub's pages, named servers
#   allowed (added, stopped and deleted from home). Its servers are the
#   echo server, whose stop takes 3 s (so home shows "stopping").
# - profiles.js is run by tests/e2e/t542-spawn-form-browser.sh, in its
#   own time budget.
# - singleuser.js: with Debian's jupyterhub-singleuser as the server, the
#   OAuth dance, the Control Panel, a cell, and the notebook's Logout, the
#   server's secret in no page and no URL. Screenshots: singleuser-*.png.
# Chromium reloads a page that meets a network change (ERR_NETWORK_CHANGED),
# and other tests running beside this one add and remove interfaces all the
# time: the test, hub and browser run in a network namespace of their own,
# where only lo exists.
if [ -z "${RIG_BROWSER_NETNS:-}" ]; then
	export RIG_BROWSER_NETNS=1
	exec unshare --net -- "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/../e2e/lib.sh"

[ -d "$TOP/tests/browser/node_modules/playwright-core" ] ||
	fail "playwright-core is missing: run scripts/install-deps.sh"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: run scripts/install-deps.sh"
mkdir -p "$TOP/tests/out"

rig_user_add alice
hub_config
hub_start

RIG_URL=$URL RIG_USER=alice RIG_PASSWORD=$(cat "$T/pw.alice") OUT=$TOP/tests/out \
	timeout 240 node "$TOP/tests/browser/login.js" || fail "browser login test failed"
hub_stop

rig_user_add admin --admin
rig_user_add bob
ECHO_CMD="/bin/sh -c \"trap 'sleep 3; exit 0' TERM; $PY $HELPERS/echoserver.py {port} {username} & wait\""
hub_config "server_cmd = $ECHO_CMD" "allow_named_servers = yes" "" "[profile quick]" "display_name = Quick" \
	"description = The echo server" "" "[profile slow]" "display_name = Slow <to start>" \
	"description = The echo server, & a \"quoted\" word"
hub_start
RIG_URL=$URL RIG_ADMIN=admin RIG_ADMIN_PASSWORD=$(cat "$T/pw.admin") RIG_USER=bob \
	RIG_USER_PASSWORD=$(cat "$T/pw.bob") OUT=$TOP/tests/out \
	timeout 150 node "$TOP/tests/browser/pages.js" || fail "browser pages test failed"
hub_stop

command -v jupyterhub-singleuser >/dev/null ||
	fail "jupyterhub-singleuser is missing (apt-get install jupyterhub)"
rig_user_add carol
hub_config "server_cmd = jupyterhub-singleuser"
hub_start
rm -f "$TOP/tests/out/singleuser-urls.txt" "$TOP/tests/out/singleuser-pages.html"
RIG_URL=$URL RIG_USER=carol RIG_PASSWORD=$(cat "$T/pw.carol") OUT=$TOP/tests/out \
	timeout 150 node "$TOP/tests/browser/singleuser.js" || fail "browser singleuser test failed"
secret=$(tr '\0' '\n' <"/proc/$(server_pid carol)/environ" | sed -n 's/^JUPYTERHUB_API_TOKEN=//p')
[ ${#secret} -ge 32 ] || fail "no JUPYTERHUB_API_TOKEN in carol's server's environment"
[ -s "$TOP/tests/out/singleuser-pages.html" ] || fail "singleuser.js kept no pages"
! grep -qF "$secret" "$TOP/tests/out/singleuser-urls.txt" "$TOP/tests/out/singleuser-pages.html" ||
	fail "the server's secret was in a page or a URL the browser went to"

hub_stop
