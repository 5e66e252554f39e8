// Walks every page of the hub in headless Chromium as a person would, and
// fails on any console error or warning of the hub's own pages (an invalid
// `pattern`, a script error, a blocked resource), besides what each step
// checks: the admin page's name check works, adding a user and making a
// token show their secret once (a reload does not repeat them), deleting a
// user and revoking a token ask first, passwords are changed and reset,
// home follows a stopping server to its end without a reload, times are in
// the browser's zone with UTC on hover, error pages keep the top bar, a
// link back and what was typed, 429 at login is the form again, and a
// named server is added, opened, stopped and deleted from home.
// Env: RIG_URL, RIG_ADMIN, RIG_ADMIN_PASSWORD, RIG_USER, RIG_USER_PASSWORD,
// OUT. Exits 1 on any failure. Run by tests/browser/run.sh.
'use strict';
const path = require('path');
const fs = require('fs');
const { check, run } = require('./common');

const base = process.env.RIG_URL;
const admin = process.env.RIG_ADMIN;
const user = process.env.RIG_USER;
let adminPw = process.env.RIG_ADMIN_PASSWORD;
let userPw = process.env.RIG_USER_PASSWORD;
const out = process.env.OUT || path.join(__dirname, '..', 'out');

const problems = []; // console errors and warnings of the hub's pages
const seen = new Set(); // paths visited

// A page that records what its console says.
async function newPage(ctx, who) {
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const where = page.url();
    if (!where.startsWith(base)) return;
    // The document's own status is what an error page is for.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) &&
        m.location().url === where) return;
    problems.push(`${who} ${new URL(where).pathname}: ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who} ${page.url()}: uncaught: ${e.message}`));
  return page;
}

// What every page must be: icon linked, no button (or input) in a link.
async function pageChecks(page) {
  const p = new URL(page.url()).pathname;
  seen.add(p.replace(/\/(bob|carol|alice|[0-9]+)$/, '/NAME'));
  const bad = await page.evaluate(() => {
    const n = document.querySelector('a button, a input, a select, a textarea');
    return n ? n.outerHTML : null;
  });
  check(bad === null, `${p}: a control inside a link: ${bad}`);
  const icon = await page.evaluate(() => !!document.querySelector('link[rel~="icon"]'));
  check(icon, `${p}: no icon linked`);
}

async function go(page, p, opts) {
  const r = await page.goto(base + p, Object.assign({ timeout: 30000 }, opts || {}));
  await pageChecks(page);
  return r;
}

// Submits a form by clicking and waits for the next page.
async function submit(page, selector) {
  const [r] = await Promise.all([
    page.waitForNavigation({ timeout: 30000 }),
    page.click(selector),
  ]);
  await pageChecks(page);
  return r;
}

async function login(page, name, pw, next) {
  await go(page, '/hub/login' + (next ? '?next=' + encodeURIComponent(next) : ''));
  await page.fill('#username', name);
  await page.fill('#password', pw);
  return submit(page, 'button[type=submit]');
}

async function hasNav(page, who, what) {
  const t = await page.evaluate(() => {
    const w = document.querySelector('header nav .who');
    return w ? w.textContent : null;
  });
  check(t === who, `${what}: no top bar for ${who} (${t})`);
}

run('browser pages test failed', async (browser) => {
  check(base && admin && user && adminPw && userPw, 'RIG_URL, RIG_ADMIN, RIG_USER and their passwords must be set');
  fs.mkdirSync(out, { recursive: true });
  // A zone far from UTC, so that local times differ from UTC ones.
  const opts = { ignoreHTTPSErrors: true, viewport: { width: 1100, height: 800 }, timezoneId: 'Asia/Tokyo' };
  const actx = await browser.newContext(opts);
  const a = await newPage(actx, admin);

  // The login page; a wrong password keeps the name.
  let r = await login(a, admin, 'not-the-password', '/hub/home');
  check(r.status() === 401, `a wrong password gave ${r.status()}`);
  check(await a.inputValue('#username') === admin, 'the 401 login form lost the name');
  r = await login(a, admin, adminPw, '/hub/home');
  check(new URL(a.url()).pathname === '/hub/home', `login led to ${a.url()}`);
  check(await a.getAttribute('#state', 'data-state') === 'stopped', 'home: the server is not stopped');

  // Admin: the name check of the add form works in this Chromium.
  await go(a, '/hub/admin');
  const valid = async (v) => {
    await a.fill('#name', v);
    return a.$eval('#name', (el) => el.checkValidity());
  };
  check(!(await valid('Bad/Name')), 'the add form takes Bad/Name: its pattern is off');
  check(!(await valid('-dash')), 'the add form takes -dash');
  check(await valid('carol.x_y-z'), 'the add form refuses carol.x_y-z');
  // Times: the browser's zone shown, UTC on hover.
  const times = await a.$$eval('time[datetime]', (ts) => ts.map((t) => [t.textContent, t.title]));
  check(times.length > 0, 'the admin page shows no <time>');
  for (const [text, title] of times) {
    check(/UTC\+09:00/.test(text) && !/ UTC$/.test(text), `a time not in the browser's zone: "${text}"`);
    check(/ UTC$/.test(title), `a time without UTC on hover: "${title}"`);
  }

  // Adding carol: her password shown once; a reload does not repeat it.
  await a.fill('#name', 'carol');
  r = await submit(a, 'form[action="/hub/admin/add"] button[type=submit]');
  check(new URL(a.url()).pathname === '/hub/admin', `adding a user led to ${a.url()}`);
  const carolPw = await a.textContent('#secret');
  check(carolPw && carolPw.length >= 12, 'no password shown for carol');
  await a.reload();
  check(await a.$('#secret') === null, 'a reload shows the password again');
  const users = await a.$$eval('table tr td:first-child', (tds) => tds.map((t) => t.textContent));
  check(users.filter((u) => u === 'carol').length === 1, `carol is listed ${users.join(',')}`);

  // Deleting carol asks first.
  await Promise.all([a.waitForNavigation(), a.click('a[href="/hub/admin/delete/carol"]')]);
  await pageChecks(a);
  check(/Delete the user carol/.test(await a.textContent('main')), 'no question before deleting carol');
  await go(a, '/hub/admin');
  check((await a.$$eval('table tr td:first-child', (t) => t.map((x) => x.textContent))).includes('carol'),
    'carol went without the confirmation');
  await Promise.all([a.waitForNavigation(), a.click('a[href="/hub/admin/delete/carol"]')]);
  await submit(a, 'form button.danger');
  check(!(await a.$$eval('table tr td:first-child', (t) => t.map((x) => x.textContent))).includes('carol'),
    'carol is still there after the confirmed delete');

  // Resetting bob's password.
  userPw = 'bob-reset-' + Date.now();
  await go(a, `/hub/admin/password/${user}`);
  await a.fill('#new', userPw);
  await a.fill('#new2', userPw);
  await submit(a, 'form button[type=submit]');
  check(/password of bob is set/.test(await a.textContent('main')), 'no word that bob\'s password is set');

  // A token: shown once, revoked after a question.
  await go(a, '/hub/token');
  await a.fill('#note', 'from the browser');
  await submit(a, 'form[action="/hub/token"] button[type=submit]');
  const tok = await a.textContent('#token');
  check(/^[0-9a-f]{64}$/.test(tok || ''), `no new token shown: ${tok}`);
  await a.reload();
  check(await a.$('#token') === null, 'a reload shows the token again');
  await Promise.all([a.waitForNavigation(), a.click('a[href^="/hub/token/revoke/"]')]);
  await pageChecks(a);
  await submit(a, 'form button.danger');
  check(await a.$('a[href^="/hub/token/revoke/"]') === null, 'the token is still listed after revoking');

  // Changing one's own password.
  await go(a, '/hub/password');
  const newPw = 'alice-new-' + Date.now();
  await a.fill('#current', 'wrong-current');
  await a.fill('#new', newPw);
  await a.fill('#new2', newPw);
  r = await submit(a, 'form button[type=submit]');
  check(r.status() === 403, `a wrong current password gave ${r.status()}`);
  await a.fill('#current', adminPw);
  await a.fill('#new', newPw);
  await a.fill('#new2', newPw);
  await submit(a, 'form button[type=submit]');
  check(/Your password is changed/.test(await a.textContent('main')), 'no word that the password changed');
  adminPw = newPw;

  // Home follows the server: started, then stopped; the page shows the
  // stop's end by itself (its stopping lasts a few seconds here). With
  // two profiles, the start goes through the options form.
  await go(a, '/hub/home');
  await Promise.all([a.waitForNavigation(), a.click('a.button[href="/hub/spawn"]')]);
  await pageChecks(a);
  check(await a.$('form[action="/hub/spawn"] input[name="_xsrf"]') !== null, 'spawn form: no _xsrf');
  const radios = await a.$$eval('fieldset input[type=radio][name=profile]',
    (rs) => rs.map((r) => [r.value, r.checked, r.labels.length, (r.labels[0] || {}).textContent]));
  check(radios.length === 2, `spawn form: ${radios.length} profiles, not 2`);
  check(radios.every(([, , n, text]) => n === 1 && text), `spawn form: a profile without its label: ${radios}`);
  check(radios.filter(([, on]) => on).length === 1, 'spawn form: not one profile checked');
  check(await a.$('fieldset legend') !== null, 'spawn form: no legend');
  await a.click('label[for="profile-slow"]');
  check(await a.isChecked('#profile-slow'), 'spawn form: its label does not pick the profile');
  await Promise.all([a.waitForURL((u) => u.pathname.startsWith(`/user/${admin}/`), { timeout: 60000 }),
    a.click('form[action="/hub/spawn"] button[type=submit]')]);
  await go(a, '/hub/home');
  check(await a.getAttribute('#state', 'data-state') === 'ready', 'home: not ready after the start');
  check(await a.$(`a.button[href="/user/${admin}/tree"]`) !== null, 'home: no link to open the server');
  await submit(a, 'form[action="/hub/stop"] button');
  const first = await a.getAttribute('#state', 'data-state');
  console.log('home right after the stop:', first);
  await a.waitForFunction(() => {
    const s = document.getElementById('state');
    return s && s.dataset.state === 'stopped';
  }, null, { timeout: 30000 }).catch(() => {
    throw new Error(`home still says "${first}" 30 s after the stop`);
  });
  await pageChecks(a);

  // Error pages: the top bar, a link back, what was typed.
  r = await go(a, '/hub/no-such-page', { referer: base + '/hub/token' });
  check(r.status() === 404, `/hub/no-such-page gave ${r.status()}`);
  await hasNav(a, admin, '404');
  check(await a.$('main a[href="/hub/token"]') !== null, '404: no link back');
  await go(a, '/hub/admin');
  // As a browser without the form's checks would send it.
  await a.$eval('form[action="/hub/admin/add"]', (f) => {
    f.noValidate = true;
    f.querySelector('#name').removeAttribute('maxlength');
  });
  await a.fill('#name', 'x'.repeat(40));
  await a.check('input[name=admin]');
  r = await submit(a, 'form[action="/hub/admin/add"] button[type=submit]');
  check(r.status() === 400, `a 40-character name gave ${r.status()}`);
  await hasNav(a, admin, '400');
  check(await a.inputValue('#name') === 'x'.repeat(40), 'the 400 form lost the name');
  check(await a.isChecked('input[name=admin]'), 'the 400 form lost the admin box');
  // Removing one's own admin right, by a form the page does not offer.
  await go(a, '/hub/admin');
  r = await Promise.all([a.waitForNavigation(), a.evaluate(() => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = '/hub/admin/unadmin/' + document.querySelector('header .who').textContent;
    const x = document.querySelector('input[name=_xsrf]').cloneNode();
    f.appendChild(x);
    document.body.appendChild(f);
    f.submit();
  })]);
  await pageChecks(a);
  check(r[0].status() === 409, `removing one's own admin right gave ${r[0].status()}`);
  await hasNav(a, admin, '409');
  check(await a.$('main a[href="/hub/admin"]') !== null, '409: no link back to the admin page');
  // bob's server is not running: its spawn-pending page offers a start.
  await go(a, `/hub/spawn-pending/${user}`);
  check(await a.$(`form[action="/hub/spawn/${user}"]`) !== null, 'spawn-pending: no start form');

  // bob, with the password alice set: a 403 keeps his top bar.
  const bctx = await browser.newContext(opts);
  const b = await newPage(bctx, user);
  await login(b, user, userPw, '/hub/home');
  check(new URL(b.url()).pathname === '/hub/home', `bob's login led to ${b.url()}`);
  r = await go(b, '/hub/admin');
  check(r.status() === 403, `bob's /hub/admin gave ${r.status()}`);
  await hasNav(b, user, '403');

  // bob's named servers (allow_named_servers): the add field's name
  // check, one added and opened, then stopped and deleted from home.
  await go(b, '/hub/home');
  const srvOk = async (v) => {
    await b.fill('#server_name', v);
    return b.$eval('#server_name', (el) => el.checkValidity());
  };
  check(!(await srvOk('Bad/Name')), 'the server name field takes Bad/Name');
  check(!(await srvOk('-x')), 'the server name field takes -x');
  check(await srvOk('gpu-1.x_y'), 'the server name field refuses gpu-1.x_y');
  await b.fill('#server_name', 'gpu');
  // Two profiles: the options form first, for the named server.
  await submit(b, '#named-servers form[action="/hub/spawn"] button[type=submit]');
  check(await b.$(`form[action="/hub/spawn/${user}/gpu"] fieldset`) !== null,
    `adding gpu: no options form for it at ${b.url()}`);
  await Promise.all([b.waitForURL((u) => u.pathname.startsWith(`/user/${user}/gpu/`), { timeout: 60000 }),
    b.click(`form[action="/hub/spawn/${user}/gpu"] button[type=submit]`)]);
  await go(b, '/hub/home');
  const gpuState = () => b.$eval('#named-servers tr[data-server="gpu"] .state', (e) => e.textContent)
    .catch(() => null);
  check(await gpuState() === 'ready', `home: gpu is ${await gpuState()}, not ready`);
  check(await b.$(`#named-servers a.button[href="/user/${user}/gpu/tree"]`) !== null, 'home: no link to open gpu');
  check(await b.getAttribute('#state', 'data-state') === 'stopped', 'home: gpu started the default server');
  await submit(b, `form[action="/hub/stop/${user}/gpu"] button`);
  for (let i = 0; i < 60 && await gpuState() !== 'stopped'; i++) {
    await b.waitForTimeout(500);
    await go(b, '/hub/home');
  }
  check(await gpuState() === 'stopped', `home: gpu is ${await gpuState()} after its stop`);
  check(await b.$(`form[action="/hub/spawn/${user}/gpu"]`) !== null, 'home: no start for a stopped gpu');
  await submit(b, `form[action="/hub/remove/${user}/gpu"] button`);
  check(new URL(b.url()).pathname === '/hub/home', `deleting gpu led to ${b.url()}`);
  check(await b.$('#named-servers tr[data-server="gpu"]') === null, 'home: gpu still listed after its deletion');
  await b.screenshot({ path: path.join(out, 'browser-named.png') });

  // 429: the login form again, with the name, not a dead end.
  const mctx = await browser.newContext(opts);
  const m = await newPage(mctx, 'anonymous');
  for (let i = 0; i < 8; i++) {
    r = await login(m, 'mallory', 'guess-' + i);
    if (r.status() === 429) break;
  }
  check(r.status() === 429, `8 wrong guesses gave ${r.status()}, not 429`);
  check(await m.inputValue('#username') === 'mallory', '429: the form lost the name');
  check(await m.$('#password') !== null, '429: no form to try again');
  check(!/ 1 seconds/.test(await m.textContent('main')), '429 says "1 seconds"');
  await m.screenshot({ path: path.join(out, 'browser-429.png') });

  // The password alice changed works, the old one not.
  const cctx = await browser.newContext(opts);
  const c = await newPage(cctx, admin);
  r = await login(c, admin, adminPw, '/hub/home');
  check(new URL(c.url()).pathname === '/hub/home', 'alice cannot log in with her new password');
  await c.screenshot({ path: path.join(out, 'browser-home.png') });

  console.log('pages visited:', [...seen].sort().join(' '));
  for (const need of ['/hub/login', '/hub/home', '/hub/admin', '/hub/token', '/hub/password',
    '/hub/admin/delete/NAME', '/hub/admin/password/NAME', '/hub/token/revoke/NAME',
    '/hub/spawn-pending/NAME', '/hub/spawn', '/hub/no-such-page']) {
    check(seen.has(need), `never visited ${need}`);
  }
  check(problems.length === 0, 'console errors or warnings:\n  ' + problems.join('\n  '));
  console.log('ok');
}, () => {
  if (problems.length) console.error('console:\n  ' + problems.join('\n  '));
});
