#!/bin/bash
# Browser test: Chromium (driven by Playwright) logs in through the login
# form, passes the spawn-pending page and lands on the user's notebook tree,
# then opens a new notebook and runs a cell through its kernel's WebSocket.
# Screenshots: tests/out/browser-login.png, browser-tree.png and
# browser-notebook.png.
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
