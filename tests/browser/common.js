// What the browser tests share: Debian's Chromium launched as they all want
// it, check(), the login form filled in, the frame of a test (the
// browser closed whatever happens, exit 1 on a failure), and a cell run in
// a new notebook.
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

// Creates a notebook in USER's server from the page (with the _xsrf
// cookie, as Jupyter's own pages do), opens it through the hub, waits for
// its kernel's WebSocket and runs CODE in its first cell; the caller waits
// for the output it wants.
async function runInNewNotebook(page, base, user, code) {
  const nb = await page.evaluate(async (p) => {
    const x = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '';
    const r = await fetch(p, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-XSRFToken': decodeURIComponent(x) },
      body: JSON.stringify({ type: 'notebook' }),
    });
    return { status: r.status, body: await r.json() };
  }, `/user/${user}/api/contents`);
  check(nb.status === 201, `creating a notebook from the page gave ${nb.status}`);
  await page.goto(`${base}/user/${user}/notebooks/${encodeURIComponent(nb.body.path)}`, { timeout: 30000 });
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&
    Jupyter.notebook.kernel.is_connected(), null, { timeout: 60000 });
  await page.evaluate((text) => {
    const cell = Jupyter.notebook.get_cell(0);
    cell.set_text(text);
    Jupyter.notebook.select(0);
    Jupyter.notebook.execute_cell();
  }, code);
}

module.exports = { check, logIn, run, runInNewNotebook };
