// Debian's jupyterhub-singleuser in headless Chromium, through rig: log in,
// the OAuth dance on the first visit, the classic notebook's tree with its
// Control Panel link, a cell run in a new notebook, the Control Panel
// landing on /hub/home, and the notebook's Logout ending the hub session.
// Env: RIG_URL, RIG_USER, RIG_PASSWORD, OUT. Writes OUT/singleuser-urls.txt
// (every URL the browser went to) and OUT/singleuser-pages.html (the pages'
// HTML), for run.sh to search for the server's secret. Exits 1 on failure.
'use strict';
const path = require('path');
const fs = require('fs');
const { check, logIn, run } = require('./common');

const base = process.env.RIG_URL;
const user = process.env.RIG_USER;
const password = process.env.RIG_PASSWORD;
const out = process.env.OUT || path.join(__dirname, '..', 'out');

run('browser test failed', async (browser) => {
  check(base && user && password, 'RIG_URL, RIG_USER and RIG_PASSWORD must be set');
  fs.mkdirSync(out, { recursive: true });
  const urls = [];
  const pages = [];
  try {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 800 } });
    const page = await ctx.newPage();
    page.on('request', (r) => urls.push(r.url()));
    page.on('pageerror', (e) => console.log('page error:', e.message));
    const keep = async () => pages.push(await page.content());

    const t0 = Date.now();
    await page.goto(base + '/', { timeout: 30000 });
    await page.waitForSelector('#username', { timeout: 10000 });
    await logIn(page, user, password);
    const tree = `/user/${user}/tree`;
    await page.waitForURL((u) => u.pathname.startsWith(tree), { timeout: 90000 });
    await page.waitForSelector('#jupyterhub-control-panel-link', { timeout: 30000 });
    console.log(`tree after ${Date.now() - t0} ms: ${page.url()}`);
    const nav = urls.map((u) => new URL(u).pathname);
    check(nav.includes('/hub/api/oauth2/authorize'), 'the browser did not go through /hub/api/oauth2/authorize');
    check(nav.includes(`/user/${user}/oauth_callback`), 'the browser did not go through the oauth_callback');
    const cp = await page.getAttribute('#jupyterhub-control-panel-link', 'href');
    check(cp === '/hub/home', `the Control Panel link is ${cp}`);
    await keep();
    await page.screenshot({ path: path.join(out, 'singleuser-tree.png') });

    // A new notebook, as the New menu makes one, then a cell in it.
    const made = await page.evaluate(async (u) => {
      const x = document.cookie.split('; ').find((c) => c.startsWith('_xsrf='));
      const r = await fetch(`/user/${u}/api/contents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-XSRFToken': x ? x.slice(6) : '' },
        body: JSON.stringify({ type: 'notebook' }),
      });
      return [r.status, r.status === 201 ? (await r.json()).path : await r.text()];
    }, user);
    check(made[0] === 201, `creating a notebook: ${made[0]} ${made[1]}`);
    await page.goto(`${base}/user/${user}/notebooks/${made[1]}`, { timeout: 30000 });
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&
      Jupyter.notebook.kernel.is_connected(), null, { timeout: 60000 });
    await page.click('.cell .CodeMirror');
    await page.keyboard.type('print(6 * 7, "from", __import__("os").environ["JUPYTERHUB_USER"])');
    await page.keyboard.press('Shift+Enter');
    await page.waitForFunction((u) => Array.from(document.querySelectorAll('.output_area pre'))
      .some((e) => e.textContent.includes(`42 from ${u}`)), user, { timeout: 60000 });
    console.log('the cell ran');
    await keep();
    await page.screenshot({ path: path.join(out, 'singleuser-cell.png') });

    // Control Panel: the hub's home.
    await page.goto(`${base}${tree}`, { timeout: 30000 });
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/hub/home', { timeout: 30000 }),
      page.click('#jupyterhub-control-panel-link'),
    ]);
    await keep();

    // The notebook's Logout ends the hub's session too.
    await page.goto(`${base}${tree}`, { timeout: 30000 });
    await page.waitForSelector('#logout', { timeout: 30000 });
    await Promise.all([
      page.waitForURL((u) => u.pathname.startsWith('/hub/login'), { timeout: 30000 }),
      page.click('#logout'),
    ]);
    check(urls.some((u) => new URL(u).pathname === '/hub/logout'), 'Logout did not go to /hub/logout');
    await page.goto(`${base}/hub/home`, { timeout: 30000 });
    check(new URL(page.url()).pathname.startsWith('/hub/login'),
      `after Logout /hub/home is ${page.url()}, not the login page`);
    await page.goto(`${base}${tree}`, { timeout: 30000 });
    check(new URL(page.url()).pathname.startsWith('/hub/login'),
      `after Logout the notebook is still open: ${page.url()}`);
    console.log('ok');
  } finally {
    fs.writeFileSync(path.join(out, 'singleuser-urls.txt'), urls.join('\n') + '\n');
    fs.writeFileSync(path.join(out, 'singleuser-pages.html'), pages.join('\n'));
  }
});
