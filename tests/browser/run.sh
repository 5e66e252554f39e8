#!/bin/bash
# Browser tests: Chromium (driven by Playwright) logs in through the login
# form, passes the spawn-pending page and lands on the user's notebook tree
# (login.js); then, with Debian's jupyterhub-singleuser as the server, the
# OAuth dance, the Control Panel, a cell, and the notebook's Logout
# (singleuser.js), the server's secret in no page and no URL.
# Screenshots: tests/out/browser-*.png, tests/out/singleuser-*.png.
. "$(dirname "$0")/../e2e/lib.sh"

[ -d "$TOP/tests/browser/node_modules/playwright-core" ] ||
	fail "playwright-core is missing: run scripts/install-deps.sh"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: run scripts/install-deps.sh"
mkdir -p "$TOP/tests/out"

rig_user_add alice
hub_config
hub_start

RIG_URL=$URL RIG_USER=alice RIG_PASSWORD=$(cat "$T/pw.alice") OUT=$TOP/tests/out \
	timeout 150 node "$TOP/tests/browser/login.js" || fail "browser login test failed"

hub_stop

command -v jupyterhub-singleuser >/dev/null ||
	fail "jupyterhub-singleuser is missing (apt-get install jupyterhub)"
rig_user_add bob
hub_config "server_cmd = jupyterhub-singleuser"
hub_start
rm -f "$TOP/tests/out/singleuser-urls.txt" "$TOP/tests/out/singleuser-pages.html"
RIG_URL=$URL RIG_USER=bob RIG_PASSWORD=$(cat "$T/pw.bob") OUT=$TOP/tests/out \
	timeout 150 node "$TOP/tests/browser/singleuser.js" || fail "browser singleuser test failed"
secret=$(tr '\0' '\n' <"/proc/$(server_pid bob)/environ" | sed -n 's/^JUPYTERHUB_API_TOKEN=//p')
[ ${#secret} -ge 32 ] || fail "no JUPYTERHUB_API_TOKEN in bob's server's environment"
[ -s "$TOP/tests/out/singleuser-pages.html" ] || fail "singleuser.js kept no pages"
! grep -qF "$secret" "$TOP/tests/out/singleuser-urls.txt" "$TOP/tests/out/singleuser-pages.html" ||
	fail "the server's secret was in a page or a URL the browser went to"

hub_stop
