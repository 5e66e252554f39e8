// The admin page's pool section in headless Chromium (run by
// tests/e2e/t351-pool-status.sh inside the pool head's network
// namespace): an admin logs in and opens /hub/admin; the page must raise
// no console error or warning and open no dialog, show a row per node,
// and show the drained node's reason (HTML and an escape sequence in it)
// as text, never as markup. Then a user's pages have no pool section.
// Env: RIG_URL, RIG_ADMIN, RIG_ADMIN_PASSWORD, RIG_USER,
// RIG_USER_PASSWORD, RIG_NODES (names, space-separated), RIG_REASON (the
// drained node's reason as its text should read), OUT (screenshot).
'use strict';
const path = require('path');
const { check, run } = require('./common');

const base = process.env.RIG_URL;
const nodes = (process.env.RIG_NODES || '').split(' ').filter((n) => n);
const problems = [];

async function signedIn(browser, name, pw) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${name} ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name} ${page.url()}: uncaught: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`${name} ${page.url()}: a dialog opened: ${d.message()}`);
    await d.dismiss();
  });
  await page.goto(base + '/hub/login', { timeout: 30000 });
  await page.fill('#username', name);
  await page.fill('#password', pw);
  await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('button[type=submit]')]);
  return page;
}

run('pool.js', async (browser) => {
  check(base && nodes.length > 0 && process.env.RIG_REASON, 'RIG_URL, RIG_NODES and RIG_REASON must be set');
  const page = await signedIn(browser, process.env.RIG_ADMIN, process.env.RIG_ADMIN_PASSWORD);
  const r = await page.goto(base + '/hub/admin', { timeout: 60000 });
  check(r.status() === 200, `/hub/admin: ${r.status()}`);
  const rows = await page.$$eval('#pool-nodes tr', (trs) => trs.slice(1).map((tr) =>
    Array.from(tr.cells).map((td) => td.textContent)));
  check(rows.length === nodes.length, `pool rows: ${JSON.stringify(rows)}`);
  for (const n of nodes) check(rows.some((c) => c[0] === n), `no row for ${n}: ${JSON.stringify(rows)}`);
  const reasons = await page.$$eval('#pool-nodes .reason', (s) => s.map((e) => e.textContent));
  check(reasons.includes(process.env.RIG_REASON), `reasons as text: ${JSON.stringify(reasons)}`);
  const injected = await page.$$eval('#pool-nodes script, #pool-nodes b', (s) => s.length);
  check(injected === 0, 'markup from Slurm became elements');
  if (process.env.OUT) await page.screenshot({ path: path.join(process.env.OUT, 'browser-pool.png'), fullPage: true });
  const up = await signedIn(browser, process.env.RIG_USER, process.env.RIG_USER_PASSWORD);
  check((await up.$('#pool, #pool-nodes')) === null, `${process.env.RIG_USER}'s home has a pool section`);
  check(problems.length === 0, `console: ${problems.join('; ')}`);
  console.log(`pool.js: ${nodes.length} nodes on the admin page, no console problem`);
});
