// What the browser tests share: Debian's Chromium launched as they all want
// it, check(), the login form filled in, and the frame of a test (the
// browser closed whatever happens, exit 1 on a failure).
'use strict';
const path = require('path');
const { chromium } = require(path.join(__dirname, 'node_modules', 'playwright-core'));

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// Headless, and quiet on the network: no QUIC, no updates, no sync.
function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Fills in the login form the page shows and sends it; resolves once the
// browser has left /hub/login (a refused login times out).
async function logIn(page, name, password) {
  await page.fill('#username', name);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/hub/login'), { timeout: 30000 }),
    page.click('[type=submit]'),
  ]);
}

// Runs body(browser), closing the browser after it; a failure prints
// "LABEL: why", then what onFail adds, and exits 1.
function run(label, body, onFail) {
  (async () => {
    const browser = await launch();
    try {
      await body(browser);
    } finally {
      await browser.close();
    }
  })().catch((e) => {
    console.error(`${label}: ${e.message}`);
    if (onFail) onFail();
    process.exit(1);
  });
}

module.exports = { check, logIn, run };
