// The options form as a person meets it: with two profiles, signing in
// at / leads to the spawn page's form (not straight to a server); its
// radio buttons are labelled and described, the default is checked, a
// tampered choice is refused with the form again, and the chosen
// profile's server starts: a real notebook whose kernel reads its own
// cgroup's memory limit, which must be the profile's.
// Env: RIG_URL, RIG_USER, RIG_PASSWORD, RIG_PROFILE (the one to pick),
// RIG_MEM (its mem_limit in bytes), OUT. Run by tests/e2e/t542-spawn-form-browser.sh.
'use strict';
const path = require('path');
const fs = require('fs');
const { check, logIn, run, runInNewNotebook } = require('./common');

const base = process.env.RIG_URL;
const user = process.env.RIG_USER;
const password = process.env.RIG_PASSWORD;
const pick = process.env.RIG_PROFILE;
const mem = process.env.RIG_MEM;
const out = process.env.OUT || path.join(__dirname, '..', 'out');

run('browser profiles test failed', async (browser) => {
  check(base && user && password && pick && mem, 'RIG_URL, RIG_USER, RIG_PASSWORD, RIG_PROFILE and RIG_MEM must be set');
  fs.mkdirSync(out, { recursive: true });
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 700 } });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const where = page.url();
    if (!new URL(where).pathname.startsWith('/hub/')) return;
    // The refused choice's 400 is the document's own status.
    if (/status of 400/.test(m.text()) && m.location().url === where) return;
    problems.push(`${where}: ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: uncaught: ${e.message}`));

  await page.goto(base + '/', { timeout: 30000 });
  await logIn(page, user, password);
  check(new URL(page.url()).pathname === '/hub/spawn',
    `with two profiles the login led to ${page.url()}, not the options form`);
  await page.screenshot({ path: path.join(out, 'browser-spawn-form.png') });

  // The form: labelled choices in a fieldset, the default checked.
  const choices = await page.$$eval('form fieldset input[type=radio][name=profile]', (rs) => rs.map((r) => ({
    value: r.value,
    checked: r.checked,
    label: r.labels.length === 1 ? r.labels[0].textContent : null,
    about: r.getAttribute('aria-describedby')
      ? (document.getElementById(r.getAttribute('aria-describedby')) || {}).textContent : null,
  })));
  console.log('choices:', JSON.stringify(choices));
  check(choices.length === 2, `${choices.length} choices, not 2`);
  check(choices.every((c) => c.label), 'a choice without one label');
  check(choices.every((c) => c.about), 'a choice without its description');
  check(choices.filter((c) => c.checked).length === 1 && choices[0].checked, 'the default is not the one checked');
  check(await page.$('fieldset > legend') !== null, 'the fieldset has no legend');
  check(await page.$('form input[type=hidden][name=_xsrf]') !== null, 'the form has no _xsrf');
  check(await page.$('form input[type=hidden][name=next]') !== null, 'the form lost where to go next');

  // A tampered choice: the form again with the reason, nothing started.
  await page.evaluate(() => {
    const r = document.querySelector('input[name=profile]:checked');
    r.value = 'big; touch /tmp/x';
  });
  let [resp] = await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('form button[type=submit]')]);
  check(resp.status() === 400, `a tampered profile gave ${resp.status()}, not 400`);
  const alert = await page.textContent('[role=alert]');
  check(/must be the name of a profile/.test(alert || ''), `no reason for the refusal: ${alert}`);
  check(await page.$('fieldset input[type=radio]') !== null, 'the refusal has no form to choose again');

  // The profile picked by its label; the start passes spawn-pending.
  await page.click(`label[for="profile-${pick}"]`);
  check(await page.isChecked(`#profile-${pick}`), 'the label does not pick its profile');
  const visited = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) visited.push(new URL(r.url()).pathname);
  });
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith(`/user/${user}/tree`), { timeout: 90000 }),
    page.click('form button[type=submit]'),
  ]);
  check(visited.some((p) => p.startsWith(`/hub/spawn-pending/${user}`)), `no spawn-pending on the way: ${visited}`);
  await page.waitForFunction(() => document.title.includes('Home'), null, { timeout: 30000 });

  // A kernel reads the memory limit of its own cgroup (v1).
  await runInNewNotebook(page, base, user,
    "g = [l.strip().split(':', 2)[2] for l in open('/proc/self/cgroup') if ':memory:' in l][0]\n" +
    "print('limit=' + open('/sys/fs/cgroup/memory' + g + '/memory.limit_in_bytes').read().strip())");
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.output_area pre'))
    .some((e) => /limit=/.test(e.textContent)), null, { timeout: 60000 });
  const said = await page.$$eval('.output_area pre', (es) => es.map((e) => e.textContent).join(' '));
  await page.screenshot({ path: path.join(out, 'browser-profile-notebook.png') });
  console.log('the kernel says:', said.trim());
  check(said.includes(`limit=${mem}`), `the kernel's memory limit is not the profile's ${mem}: ${said}`);
  check(problems.length === 0, 'console of the hub\'s pages:\n  ' + problems.join('\n  '));
  console.log('ok');
});
