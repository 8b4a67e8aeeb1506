// End-to-end tests of the built site (dist/) for the MDS tab, the cluster tab's history
// (Back, slider, links carrying the user's choices) and loading a scenario file; they
// write screenshots at 1280×800 and 390×844, and print the step → painted time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startSite, expectText, sidewaysScroll } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(path.join(repo, 'tools', 'package.json'));
const { chromium } = require('playwright-core');
const shots = path.join(here, 'screenshots');

let server, browser, base;

before(async () => {
  ({ server, browser, base } = await startSite(chromium, path.join(repo, 'dist')));
  fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(viewport, hash = '') {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + hash);
  await page.waitForFunction(() => window.cephscope !== undefined);
  return { page, errors };
}

const daemonState = (page, name) => page.textContent(`[data-testid=mds-state-${name}]`);
const rankState = (page, r) => page.textContent(`[data-testid=rank-state-${r}]`).catch(() => '');

async function nextChangeUntil(page, what, cond, max = 200) {
  for (let n = 0; !(await cond()); n++) {
    assert.ok(n < max, `never: ${what}`);
    await page.click('[data-testid=mds-next-change]');
  }
}

async function daemonRows(page) {
  return page.$$eval('[data-testid=mds-daemons] tbody tr', (rows) => rows.map((r) => r.innerText));
}

async function noSidewaysScroll(page) {
  const overflow = await sidewaysScroll(page);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
}

// The failover story driven by the user: the standby is killed before the script kills the
// active daemon, so the monitor, with no replacement, only marks mds.a laggy (it keeps
// rank 0); starting the standby again lets it promote mds.b, which replays to up:active.
// The link restores all of it.
test('the MDS tab: kill the standby, rank 0 goes laggy, start it, it takes over; the link restores it', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.click('[role=tab][data-view=mds]');
  await page.selectOption('#mds-scenario', 'mds-failover-single-rank');
  await page.waitForSelector('[data-testid=mds-daemons]');
  await nextChangeUntil(page, 'mds.a active', async () =>
    (await daemonState(page, 'a')) === 'up:active' && (await daemonState(page, 'b')) === 'up:standby');
  assert.match(await page.textContent('[data-testid=mds-fs-status]'), /0\s+active\s+a\s/);
  assert.equal(await page.$$eval('.mds-chart g.token', (els) => els.map((e) => e.dataset.token).sort().join()), 'a,b');
  await page.click('[data-testid=mds-kill-b]');
  assert.equal(await daemonState(page, 'b'), 'not running');
  await nextChangeUntil(page, 'mds.a laggy', async () => /laggy/.test(await daemonState(page, 'a')));
  assert.match(await page.textContent('[data-testid=mds-stat]'), /laggy or crashed/);
  assert.equal(await page.$$eval('.mds-chart g.token', (els) => els.length), 0, 'no daemon runs');
  await page.screenshot({ path: path.join(shots, 'mds-laggy-1280x800.png'), fullPage: true, animations: 'disabled' });
  await page.click('[data-testid=mds-start-b]');
  // The FSMap says up:active one step before mds.b handles that map: its own machine (and
  // so its token) moves when the MMDSMap arrives.
  const tokenB = () => page.$eval('.mds-chart g.token[data-token=b] title', (t) => t.textContent);
  await nextChangeUntil(page, 'mds.b active on rank 0', async () =>
    (await rankState(page, 0)) === 'up:active' && /is in up:active$/.test(await tokenB()));
  assert.match(await daemonState(page, 'b'), /^up:active/);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#view=mds&scenario=mds-failover-single-rank&h=v2_n\d+_kb_n\d+_sb_n\d+$/);
  const rows = await daemonRows(page);
  const status = await page.textContent('[data-testid=mds-fs-status]');
  await page.screenshot({ path: path.join(shots, 'mds-takeover-1280x800.png'), fullPage: true, animations: 'disabled' });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base + hash);
  await phone.waitForSelector('[data-testid=mds-daemons]');
  assert.deepEqual(await daemonRows(phone), rows);
  await expectText(phone, '[data-testid=mds-fs-status]', status);
  await phone.screenshot({ path: path.join(shots, 'mds-takeover-390x844.png'), fullPage: true, animations: 'disabled' });
  await noSidewaysScroll(phone);
  assert.deepEqual(errors, []);
  await phone.close();
  await page.close();
});

// CephFS over RADOS, as a user meets it: from a link to the moment mds.b is promoted, step
// until its boot reads wait on a metadata PG that is down; the PG table says the same PG is
// down and blocked by the OSD the wait names; give up on node-c (osd.4, osd.5 lost) before
// the script would; rank 0 then replays and goes up:active. The link restores all of it.
test('CephFS over RADOS: replay waits on a down PG; marking its OSDs lost lets rank 0 go active; the link restores it', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 }, '#view=mds&scenario=cephfs-replay-stuck-on-down-pg&step=900');
  await page.waitForSelector('[data-testid=cephfs-pgs]');
  const opsText = () => page.textContent('section.objecter');
  await nextChangeUntil(page, 'a read waiting on a down PG', async () => /waits: PG \S+ is down, blocked by osd\.[45]/.test(await opsText()));
  assert.equal(await rankState(page, 0), 'up:replay');
  const [, pg, osd] = (await opsText()).match(/waits: PG (\S+) is down, blocked by osd\.(\d)/);
  const row = await page.textContent(`[data-testid=cephfs-pgs] tr[data-pg="${pg}"]`);
  assert.match(row, /down/);
  assert.match(row, new RegExp(`osd\\.${osd}`));
  assert.match(await page.textContent('[data-testid=cephfs-health]'), /FS_DEGRADED/);
  await page.screenshot({ path: path.join(shots, 'cephfs-replay-waits-1280x800.png'), fullPage: true, animations: 'disabled' });
  await page.click('[data-testid=lost-4]');
  await page.click('[data-testid=lost-5]');
  await nextChangeUntil(page, 'rank 0 up:active', async () => (await rankState(page, 0)) === 'up:active', 400);
  assert.doesNotMatch(await opsText(), /waits:/);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#view=mds&scenario=cephfs-replay-stuck-on-down-pg&h=v2_n\d+_Ol4_Ol5_n\d+$/);
  const rows = await daemonRows(page);
  const pgs = await page.textContent('[data-testid=cephfs-pgs]');
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base + hash);
  await phone.waitForSelector('[data-testid=cephfs-pgs]');
  await expectText(phone, '[data-testid=cephfs-pgs]', pgs);
  assert.deepEqual(await daemonRows(phone), rows);
  await phone.screenshot({ path: path.join(shots, 'cephfs-active-390x844.png'), fullPage: true, animations: 'disabled' });
  await noSidewaysScroll(phone);
  // The narration: unfolded on the page, folded under its first sentence when embedded.
  assert.equal(await page.$eval('details.narration-intro', (d) => d.open), true);
  const embed = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await embed.goto(base + hash + '&embed=1');
  await embed.waitForSelector('[data-testid=cephfs-pgs]');
  assert.equal(await embed.$eval('details.narration-intro', (d) => d.open), false);
  assert.match(await embed.textContent('details.narration-intro summary'), /^An MDS stuck in up:replay because its metadata pool's PGs are down/);
  await embed.close();
  assert.deepEqual(errors, []);
  await phone.close();
  await page.close();
});

const pgStates = (page) => page.$$eval('[data-testid=pg-table] tbody tr', (rows) => rows.map((r) =>
  [...r.querySelectorAll('td')].map((td) => td.textContent).join(' ')));
// Move a range input as a user would (Playwright's fill does not take ranges).
const slide = (page, selector, value) => page.$eval(selector, (el, value) => {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}, String(value));
const steps = (page) => page.textContent('[data-testid=cluster-counter]').then((t) => Number(t.split(' ')[0]));

test('the cluster tab: a chosen delivery and a kill go into the link; Back and the slider seek the history', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 }, '#view=cluster&scenario=seed000-down-lost&step=18');
  await page.waitForSelector('[data-testid=pg-table]');
  assert.equal(await steps(page), 18);
  // Deliver the last pending event out of order, then kill osd.1.
  await page.click('[data-testid=cluster-pending] li:last-child button:has-text("Deliver")');
  await page.click('[data-testid=kill-1]');
  for (let i = 0; i < 5; i++) await page.click('[data-testid=cluster-step]');
  assert.equal(await steps(page), 25);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#view=cluster&scenario=seed000-down-lost&h=v2_n18_[mt]\d+_k1_n5$/);
  const at25 = await pgStates(page);
  const history25 = await page.$$eval('[data-testid=cluster-history] li', (els) => els.map((e) => e.textContent));
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await fresh.goto(base + hash);
  await fresh.waitForSelector('[data-testid=pg-table]');
  assert.equal(await steps(fresh), 25);
  assert.deepEqual(await pgStates(fresh), at25);
  assert.deepEqual(await fresh.$$eval('[data-testid=cluster-history] li', (els) => els.map((e) => e.textContent)), history25);
  assert.equal(await fresh.$$eval('[data-testid=revive-1]', (els) => els.length), 1);
  await fresh.close();
  // Back one step, then the slider to 19 (after the delivery), then Step redoes the kill.
  await page.click('[data-testid=cluster-back]');
  assert.equal(await steps(page), 24);
  await slide(page, '[data-testid=cluster-seek]', 19);
  await page.waitForFunction(() => document.querySelector('[data-testid=cluster-counter]').textContent.startsWith('19 '));
  assert.equal(await page.$$eval('[data-testid=kill-1]', (els) => els.length), 1, 'osd.1 not killed yet');
  await page.click('[data-testid=cluster-step]');
  assert.equal(await steps(page), 20);
  assert.equal(await page.$$eval('[data-testid=revive-1]', (els) => els.length), 1, 'Step redid the kill');
  await slide(page, '[data-testid=cluster-seek]', 25);
  await page.waitForFunction(() => document.querySelector('[data-testid=cluster-counter]').textContent.startsWith('25 '));
  assert.equal(await steps(page), 25);
  assert.deepEqual(await pgStates(page), at25, 'the slider replays the same history');
  await page.screenshot({ path: path.join(shots, 'cluster-history-1280x800.png'), fullPage: true, animations: 'disabled' });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base + hash);
  await phone.waitForSelector('[data-testid=cluster-seek]');
  await phone.screenshot({ path: path.join(shots, 'cluster-history-390x844.png'), fullPage: true, animations: 'disabled' });
  await noSidewaysScroll(phone);
  await phone.close();
  // A malformed history link names what is wrong and the app keeps running.
  await page.goto(base + '#view=cluster&scenario=seed000-down-lost&h=v2_n3_k');
  await page.reload();
  await page.waitForSelector('[role=alert]');
  assert.match(await page.textContent('[role=alert]'), /h= token 2 'k': osd '' is not an OSD number/);
  assert.deepEqual(errors, []);
  await page.close();
});

// A 6 OSD × 32 PG cluster (seed000's hosts with pg_num 32), loaded from a file.
function bench6x32() {
  const s = JSON.parse(fs.readFileSync(path.join(repo, 'src/engine/scenarios/seed000-down-lost.json'), 'utf8'));
  s.name = 'loaded-6x32';
  s.cluster.pools[0].pg_num = 32;
  return JSON.stringify(s);
}

test('a scenario file loads through the engine parsers (input and drop); errors name the field', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.setInputFiles('[data-testid=load-file]', { name: 'six.json', mimeType: 'application/json', buffer: Buffer.from(bench6x32()) });
  await page.waitForSelector('#panel-cluster');
  assert.equal(await page.inputValue('#cluster-scenario'), 'loaded-6x32');
  assert.equal(await page.$$eval('[data-testid=pg-table] tbody tr', (els) => els.length), 32);
  // An MDS scenario with a bad field: the engine's message names it.
  const bad = JSON.parse(fs.readFileSync(path.join(repo, 'src/engine/mds/scenarios/mds-seed004-normal-start.json'), 'utf8'));
  bad.script[1].mds = 'zz';
  await page.setInputFiles('[data-testid=load-file]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await page.waitForSelector('[role=alert]');
  await expectText(page, '[role=alert] span', "Could not load the file: bad.json: script[1] (at 2000 ms).mds: mds.zz is not in daemons");
  await page.click('[role=alert] button');
  await page.setInputFiles('[data-testid=load-file]', { name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"name": <b>') });
  await page.waitForSelector('[role=alert]');
  assert.match(await page.textContent('[role=alert] span'), /^Could not load the file: x\.json is not JSON: /);
  assert.equal(await page.$$eval('[role=alert] b', (els) => els.length), 0, 'file text is only text');
  await page.click('[role=alert] button');
  // Drop a good MDS scenario on the page: the MDS tab shows it.
  const good = JSON.parse(fs.readFileSync(path.join(repo, 'src/engine/mds/scenarios/mds-seed004-normal-start.json'), 'utf8'));
  good.name = 'dropped-mds';
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    document.querySelector('.app').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, JSON.stringify(good));
  await page.waitForSelector('#panel-mds');
  assert.equal(await page.inputValue('#mds-scenario'), 'dropped-mds');
  await page.screenshot({ path: path.join(shots, 'mds-loaded-1280x800.png'), animations: 'disabled' });
  // A CephFS-over-RADOS file (a cluster and daemons): the MDS tab runs it over the cluster;
  // one naming a pool the cluster lacks is refused with the engine's message.
  const cephfs = JSON.parse(fs.readFileSync(path.join(repo, 'src/engine/mds/scenarios/cephfs-replay-stuck-on-down-pg.json'), 'utf8'));
  cephfs.name = 'loaded-cephfs';
  await page.setInputFiles('[data-testid=load-file]', { name: 'cephfs.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(cephfs)) });
  await page.waitForFunction(() => document.querySelector('#mds-scenario')?.value === 'loaded-cephfs');
  assert.equal(await page.$$eval('[data-testid=cephfs-pgs] tbody tr', (els) => els.length), 8);
  cephfs.script[0].metadata_pool = 'nope';
  await page.setInputFiles('[data-testid=load-file]', { name: 'cephfs-bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(cephfs)) });
  await page.waitForSelector('[role=alert]');
  await expectText(page, '[role=alert] span', "Could not load the file: cephfs-bad.json: script[0] (at 0 ms): no pool named 'nope' in cluster.pools");
  await page.click('[role=alert] button');
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base);
  await phone.waitForFunction(() => window.cephscope !== undefined);
  await phone.setInputFiles('[data-testid=load-file]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await phone.waitForSelector('[role=alert]');
  await phone.screenshot({ path: path.join(shots, 'load-error-390x844.png'), animations: 'disabled' });
  await noSidewaysScroll(phone);
  await phone.close();
  assert.deepEqual(errors, []);
  await page.close();
});

// Step → painted at 6 OSDs × 32 PGs, over N steps: the main thread's work (from the Step
// click to the DOM updated and laid out: reducer, engine step, render, layout) and from the
// click to the next animation frame after it (frame-aligned, so it includes waiting for the
// frame). Figures for README (printed), not pass/fail bounds.
test('figure: step → painted on the cluster tab at 6 OSDs × 32 PGs', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  await page.setInputFiles('[data-testid=load-file]', { name: 'six.json', mimeType: 'application/json', buffer: Buffer.from(bench6x32()) });
  await page.waitForSelector('[data-testid=cluster-step]');
  const N = 60;
  const { work, painted } = await page.evaluate(async (N) => {
    const button = document.querySelector('[data-testid=cluster-step]');
    const counter = document.querySelector('[data-testid=cluster-counter]');
    const work = [], painted = [];
    for (let i = 0; i < N && !button.disabled; i++) {
      const before = counter.textContent;
      const t0 = performance.now();
      button.click();
      // yew renders in a microtask after the click's dispatch.
      while (counter.textContent === before) await Promise.resolve();
      void document.body.offsetHeight; // the layout the next frame would do
      work.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(() => r()));
      painted.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20)); // let the frame finish before the next click
    }
    return { work, painted };
  }, N);
  const q = (a, p) => { const b = [...a].sort((x, y) => x - y); return b[Math.min(b.length - 1, Math.floor(p * b.length))].toFixed(1); };
  console.log(`step → painted, 6 OSDs × 32 PGs, ${work.length} steps: main-thread work median ${q(work, 0.5)} ms (p90 ${q(work, 0.9)}); to the next animation frame median ${q(painted, 0.5)} ms (p90 ${q(painted, 0.9)})`);
  assert.ok(work.length > 10);
  await page.close();
});

test('the selected PG\'s commands: a client write and force-recovery go through the engine and into the link', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 }, '#view=cluster&scenario=seed000-down-lost&step=6');
  await page.waitForSelector('[data-testid=pg-table]');
  if (!(await page.$('[data-testid=pg-write]'))) await page.click('tr[data-pg="1.0"] button');
  await page.waitForSelector('[data-testid=pg-write]');
  assert.equal(await steps(page), 6);
  await page.click('[data-testid=pg-write]');
  assert.equal(await steps(page), 7);
  const last = await page.$$eval('[data-testid=cluster-history] li', (els) => els.at(-1).textContent);
  assert.match(last, /obj0/, 'the history names the written object');
  await page.click('[data-testid=pg-force-recovery]');
  // The engine either takes it (a step: forced, or skipped because nothing needs recovery)
  // or refuses it with its message; the app keeps running either way.
  const n = await steps(page);
  const refused = await page.$$eval('.error, [role=alert]', (els) => els.map((e) => e.textContent).join(' '));
  assert.ok(n === 8 || /refused/.test(refused), `force-recovery: step ${n}, message '${refused}'`);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /h=v2_n6_w1\.0~obj0/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the MDS tab exports its steps as the JSON the CLI prints', async () => {
  const { page } = await open({ width: 1280, height: 800 }, '#view=mds&step=5');
  await page.waitForFunction(() => document.querySelector('[data-testid=mds-counter]')?.textContent.startsWith('5 '));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=mds-export-json]')]);
  assert.match(download.suggestedFilename(), /^mds-.*-trace\.json$/);
  const records = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(records.length, 5);
  await page.close();
});

test('every built-in MDS and CephFS scenario fits a phone: no sideways scroll after 40 steps', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(base + '#view=mds');
  await page.waitForSelector('#mds-scenario');
  const names = await page.$$eval('#mds-scenario option', (os) => os.map((o) => o.value));
  assert.ok(names.length >= 5, `only ${names.length} scenarios`);
  for (const name of names) {
    await page.goto(base + `#view=mds&scenario=${name}&step=40`);
    await page.waitForFunction((name) => document.querySelector('#mds-scenario')?.value === name, name);
    const overflow = await sidewaysScroll(page);
    assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
  }
  await page.close();
});
