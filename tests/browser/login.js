// Logs in to the hub in headless Chromium, waits for the notebook tree,
// then opens a new notebook and runs a cell (its kernel's WebSocket).
// Env: RIG_URL (https://127.0.0.1:PORT), RIG_USER, RIG_PASSWORD, OUT (dir
// for screenshots). Exits 1 on any failure. Run by tests/browser/run.sh.
'use strict';
const path = require('path');
const fs = require('fs');
const { check, logIn, run, runInNewNotebook } = require('./common');

const base = process.env.RIG_URL;
const user = process.env.RIG_USER;
const password = process.env.RIG_PASSWORD;
const out = process.env.OUT || path.join(__dirname, '..', 'out');
const TREE_TIMEOUT = 90000;

run('browser test failed', async (browser) => {
  check(base && user && password, 'RIG_URL, RIG_USER and RIG_PASSWORD must be set');
  fs.mkdirSync(out, { recursive: true });
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 700 } });
  const page = await ctx.newPage();
  const visited = [];
  // Every navigation request, redirects included.
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) visited.push(r.url());
  });
  page.on('pageerror', (e) => console.log('page error:', e.message));
  // The hub's own pages (not Jupyter's) say nothing wrong on the way.
  const problems = [];
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') &&
        new URL(page.url()).pathname.startsWith('/hub/')) {
      problems.push(`${page.url()}: ${m.type()}: ${m.text()}`);
    }
  });

  // Not logged in: the hub sends the browser to its login page.
  const t0 = Date.now();
  await page.goto(base + '/', { timeout: 30000 });
  check(new URL(page.url()).pathname.startsWith('/hub/login'),
    `/ did not lead to the login page but to ${page.url()}`);
  await page.waitForSelector('#username', { timeout: 10000 });
  await page.screenshot({ path: path.join(out, 'browser-login.png') });

  await logIn(page, user, password);
  console.log('after login:', page.url());

  // The server starts; the browser passes the spawn-pending page and
  // ends on the notebook tree ("Home Page - Select or create a notebook").
  const treePath = `/user/${user}/tree`;
  await page.waitForURL((u) => u.pathname.startsWith(treePath), { timeout: TREE_TIMEOUT });
  await page.waitForFunction(() => document.title.includes('Home'), null, { timeout: 30000 });
  const title = await page.title();
  console.log(`tree after ${Date.now() - t0} ms: ${page.url()} title "${title}"`);
  console.log('pages visited:\n  ' + visited.join('\n  '));
  check(visited.some((u) => new URL(u).pathname.startsWith(`/hub/spawn-pending/${user}`)),
    `the browser did not pass /hub/spawn-pending/${user}`);

  // The page's own API calls go through the proxy with the session cookie.
  const status = await page.evaluate(async (p) => (await fetch(p)).status, `/user/${user}/api/status`);
  check(status === 200, `fetch /user/${user}/api/status from the page gave ${status}`);

  await page.screenshot({ path: path.join(out, 'browser-tree.png') });

  // A notebook: its page, its kernel's WebSocket and a cell's output,
  // all through the hub (to the server's Unix socket by default).
  await runInNewNotebook(page, base, user, 'print(6 * 7)');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.output_area pre'))
    .some((e) => e.textContent.trim() === '42'), null, { timeout: 60000 });
  await page.screenshot({ path: path.join(out, 'browser-notebook.png') });
  console.log('notebook cell ran: 42');
  check(problems.length === 0, 'console of the hub\'s pages:\n  ' + problems.join('\n  '));
  console.log('ok');
});
