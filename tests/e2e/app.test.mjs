// End-to-end tests of the built site (trunk build --release → dist/) in Debian's Chromium,
// driven by playwright-core. Screenshots land in tests/e2e/screenshots/.
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

async function open(viewport) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  await page.waitForSelector('[data-state="Started/Primary/Peering/GetInfo"]');
  // The keyboard listener is installed with window.cephscope, just after the first render.
  await page.waitForFunction(() => window.cephscope !== undefined);
  return { page, errors };
}

test('the chart draws all 35 PeeringState states with their paths', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  const paths = await page.$$eval('[data-state]', (els) => els.map((e) => e.getAttribute('data-state')));
  assert.equal(paths.length, 35);
  assert.ok(paths.includes('Started/ToDelete/WaitDeleteReseved'));
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(shots, 'start-1280x800.png'), animations: 'disabled' });
  await page.close();
});

test('stepping the primary-boot scenario lands in GetInfo, highlighted', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  for (let i = 0; i < 3; i++) await page.click('[data-testid=step]');
  await expectText(page, '[data-testid=state-path]', 'Started/Primary/Peering/GetInfo');
  await expectText(page, '[data-testid=state-string]', 'peering');
  const active = await page.$$eval('g.state.active', (els) => els.map((e) => e.getAttribute('data-state')));
  assert.deepEqual(active.sort(), ['Started', 'Started/Primary', 'Started/Primary/Peering', 'Started/Primary/Peering/GetInfo']);
  await page.screenshot({ path: path.join(shots, 'getinfo-1280x800.png'), animations: 'disabled' });
  await page.close();
});

test('the page is usable on a phone', async () => {
  const { page } = await open({ width: 390, height: 844 });
  await page.click('[data-testid=step]');
  await page.screenshot({ path: path.join(shots, 'phone-390x844.png'), fullPage: true, animations: 'disabled' });
  const overflow = await sidewaysScroll(page);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.close();
});

test('a shared link restores the same scenario and step after a reload', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  await page.selectOption('#scenario', 'new-interval');
  for (let i = 0; i < 4; i++) await page.click('[data-testid=step]');
  await page.waitForFunction(() => location.hash.includes('step=4'));
  const url = page.url();
  assert.match(url, /#scenario=new-interval&step=4$/);
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await fresh.goto(url);
  await fresh.waitForSelector('[data-testid=counter]');
  await fresh.waitForFunction(() => document.querySelector('[data-testid=counter]').textContent === '4 / 6');
  await expectText(fresh, '[data-testid=state-path]', 'Started/ReplicaActive/RepNotRecovering');
  assert.equal(await fresh.inputValue('#scenario'), 'new-interval');
  await fresh.close();
  await page.close();
});

test('arrow keys step forward and back', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expectText(page, '[data-testid=counter]', '2 / 3');
  await page.keyboard.press('ArrowLeft');
  await expectText(page, '[data-testid=counter]', '1 / 3');
  await expectText(page, '[data-testid=state-path]', 'Reset');
  await page.close();
});

test('a bad link shows a message and the app keeps running', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(base + '#scenario=%3Cb%3Enope%3C%2Fb%3E&step=2');
  await page.waitForSelector('[role=alert]');
  const text = await page.textContent('[role=alert]');
  assert.match(text, /unknown scenario: '<b>nope<\/b>'/);
  assert.equal(await page.$$eval('.error b', (els) => els.length), 0, 'link text is rendered as text');
  await page.click('[data-testid=step]');
  await expectText(page, '[data-testid=counter]', '1 / 3');
  await page.close();
});

test('window.cephscope steps the engine from devtools', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  await page.evaluate(() => { window.cephscope.step(); window.cephscope.step(); window.cephscope.step(); });
  await page.waitForFunction(() => window.cephscope.state().step === 3);
  const s = await page.evaluate(() => window.cephscope.state());
  assert.equal(s.state_path, 'Started/Primary/Peering/GetInfo');
  assert.equal(s.pg_state, 'peering');
  assert.equal(s.records.length, 3);
  await page.evaluate(() => window.cephscope.seek(1));
  await page.waitForFunction(() => window.cephscope.state().step === 1);
  await page.close();
});

// The devtools object drives whichever tab is shown: on the Cluster tab its state() is the
// PG table the page shows, pending() the pending list, trace() what Trace JSON downloads, and
// each step is a console group of OSD-log lines; load() opens a CephFS-over-RADOS scenario
// on the MDS tab, whose state() then carries the objecter's ops and the metadata PGs.
test('window.cephscope drives the Cluster and MDS tabs too, and logs their steps', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '#view=cluster&scenario=seed000-down-lost');
  await page.waitForSelector('[data-testid=pg-table]');
  await page.waitForFunction(() => window.cephscope !== undefined);
  const groups = [];
  page.on('console', (m) => { if (m.type() === 'startGroupCollapsed') groups.push(m.text()); });
  await page.evaluate(() => { window.cephscope.step(); window.cephscope.step(); });
  await page.waitForFunction(() => window.cephscope.state().step === 2);
  const s = await page.evaluate(() => window.cephscope.state());
  assert.equal(s.view, 'cluster');
  assert.equal(s.scenario, 'seed000-down-lost');
  const shown = await page.$$eval('[data-testid=pg-table] [data-testid=pg-state]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(s.pgs.map((p) => p.state), shown);
  const pending = await page.evaluate(() => window.cephscope.pending());
  assert.equal(pending.length, await page.$$eval('[data-testid=cluster-pending] li', (els) => els.length));
  assert.equal(JSON.parse(await page.evaluate(() => window.cephscope.trace())).length, 2);
  assert.ok(groups.some((g) => g.startsWith('cephscope cluster step 2: ')), groups.join('\n'));
  await page.evaluate(() => window.cephscope.seek(1));
  await expectText(page, '[data-testid=cluster-counter]', (await page.textContent('[data-testid=cluster-counter]')).replace(/^\d+ steps/, '1 steps'));
  await page.evaluate(() => window.cephscope.load('cephfs-replay-stuck-on-down-pg'));
  await page.waitForFunction(() => window.cephscope.state().view === 'mds');
  await page.evaluate(() => { for (let i = 0; i < 5; i++) window.cephscope.step(); });
  await page.waitForFunction(() => window.cephscope.state().step === 5);
  const m = await page.evaluate(() => window.cephscope.state());
  assert.equal(m.scenario, 'cephfs-replay-stuck-on-down-pg');
  assert.ok(Array.isArray(m.ops) && m.pgs.length === 8, JSON.stringify(m).slice(0, 300));
  assert.match(m.health[0], /^HEALTH_/);
  assert.ok((await page.evaluate(() => window.cephscope.pending())).some((p) => p.world === 'cluster'));
  assert.ok(groups.some((g) => g.startsWith('cephscope mds step 5: ')), groups.join('\n'));
  assert.deepEqual(errors, []);
  await page.close();
});

// A link within the same page (or an edited URL) changes only the hash: the browser does
// not reload, so the app follows it itself; the browser's Back returns to the view before.
test('a hash change opens its view without a reload; Back returns', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.click('[data-testid=step]');
  await expectText(page, '[data-testid=counter]', '1 / 3');
  await page.evaluate(() => { location.hash = '#view=cluster&scenario=seed000-down-lost&step=12'; });
  await page.waitForSelector('[data-testid=cluster-counter]');
  await page.waitForFunction(() => document.querySelector('[data-testid=cluster-counter]').textContent.startsWith('12 steps'));
  await page.goBack();
  await page.waitForSelector('[data-testid=counter]');
  await expectText(page, '[data-testid=counter]', '1 / 3');
  assert.deepEqual(errors, []);
  await page.close();
});

test('embed mode shows one view, honours controls=0 and the step range', async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(base + '#scenario=new-interval&step=1&embed=1&view=statechart&from=2&to=4');
  await page.waitForSelector('svg.statechart');
  assert.equal(await page.$$eval('header', (els) => els.length), 0, 'no page header in embed mode');
  await expectText(page, '[data-testid=counter]', '2 / 4', 'step clamped to from');
  await page.click('[data-testid=step]');
  await page.click('[data-testid=step]');
  await expectText(page, '[data-testid=counter]', '4 / 4');
  assert.ok(await page.isDisabled('[data-testid=step]'), 'cannot step past to');
  await page.screenshot({ path: path.join(shots, 'embed-800x600.png'), animations: 'disabled' });
  await page.goto(base + '#scenario=new-interval&step=6&embed=1&view=narration&controls=0');
  await page.reload();
  await page.waitForSelector('.narration');
  assert.equal(await page.$$eval('[data-testid=step]', (els) => els.length), 0, 'controls=0 hides the controls');
  assert.equal(await page.$$eval('svg.statechart', (els) => els.length), 0);
  assert.equal(await page.$$eval('.narration li', (els) => els.length), 6);
  await page.close();
});

test('the trace exports as JSON', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  await page.click('[data-testid=step]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  assert.equal(download.suggestedFilename(), 'primary-boot-trace.json');
  const file = await download.path();
  const records = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(records.length, 1);
  assert.equal(records[0].to, 'Reset');
  await page.close();
});

// The intervals and PG log tabs. Expected values are the engine's output for the examples
// (the same as `cephscope intervals` / `cephscope pglog merge` print; see the README).

async function noSidewaysScroll(page) {
  const overflow = await sidewaysScroll(page);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  const size = `${viewport.width}x${viewport.height}`;

  test(`the intervals tab says why the PG is down (${size})`, async () => {
    const page = await browser.newPage({ viewport });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base + '#view=intervals&example=down_pg_up_thru_granted');
    await page.waitForSelector('[data-testid=interval-band]');
    assert.equal(await page.getAttribute('[role=tab][data-view=intervals]', 'aria-selected'), 'true');
    assert.equal(await page.$$eval('[data-testid=interval-band]', (els) => els.length), 3);
    assert.equal(await page.$$eval('[data-testid=interval-band].rw', (els) => els.length), 2);
    assert.equal(await page.$$eval('[data-testid=current-band]', (els) => els.length), 1);
    assert.match(await page.getAttribute('[data-testid=interval-band][data-first="101"]', 'title'),
      /up_thru 101 >= first 101/);
    await expectText(page, '[data-testid=pg-down]', 'true');
    await expectText(page, '[data-testid=blocked-by]', 'osd.0 (lost_at 0)');
    assert.match(await page.textContent('[data-testid=verdict]'), /pg 1\.0 is down.*peering waits for this OSD/s);
    await noSidewaysScroll(page);
    await page.screenshot({ path: path.join(shots, `intervals-down-${size}.png`), fullPage: true, animations: 'disabled' });
    // The intervals tab has no steps: Space and the arrows keep scrolling the page.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.scrollY > 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    // The other example: the PG is not down, and the interval without up_thru is why.
    await page.selectOption('[data-testid=intervals-example]', 'seed001_q13');
    await page.waitForFunction(() => location.hash === '#view=intervals&example=seed001_q13');
    await expectText(page, '[data-testid=pg-down]', 'false');
    assert.match(await page.textContent('[data-testid=verdict]'), /is not down.*101–101 ignored: primary osd\.0 up 5-100 does not include interval 101-101/s);
    await page.screenshot({ path: path.join(shots, `intervals-${size}.png`), fullPage: true, animations: 'disabled' });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`the PG log tab replays merge_log's decisions (${size})`, async () => {
    const page = await browser.newPage({ viewport });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base + '#view=pglog&example=merge_divergent');
    await page.waitForSelector('[data-testid=decision-explain]');
    assert.match(await page.textContent('[data-testid=decision-explain]'), /^The log \(20'0,22'7\] is authoritative/);
    await expectText(page, '[data-testid=pglog-counter]', 'decision 1 / 14');
    await page.click('[data-testid=pglog-step]');
    await page.keyboard.press('ArrowRight');
    await expectText(page, '[data-testid=pglog-counter]', 'decision 3 / 14');
    await expectText(page, '[data-testid=decision-explain]', "The authoritative log runs on to 22'7 past our 21'8; 20'5 is the last point both share, so our entries after it are divergent.");
    assert.deepEqual(await page.$$eval('.entry.focus', (els) => els.map((e) => e.dataset.version)).then((v) => [...new Set(v)].sort()),
      ["20'5", "21'8", "22'7"]);
    for (let i = 3; i < 10; i++) await page.keyboard.press('ArrowRight');
    await expectText(page, '[data-testid=pglog-counter]', 'decision 10 / 14');
    await page.waitForFunction(() => location.hash === '#view=pglog&example=merge_divergent&step=9');
    assert.deepEqual(await page.$$eval('[data-testid=lane-local] .entry.divergent', (els) => els.map((e) => e.dataset.version)),
      ["21'6", "21'7", "21'8"]);
    assert.deepEqual(await page.$$eval('[data-testid=lane-local] .entry.appended', (els) => els.map((e) => e.dataset.version)),
      ["22'6", "22'7"]);
    await noSidewaysScroll(page);
    await page.screenshot({ path: path.join(shots, `pglog-${size}.png`), fullPage: true, animations: 'disabled' });
    while (!(await page.isDisabled('[data-testid=pglog-step]'))) await page.click('[data-testid=pglog-step]');
    await expectText(page, '[data-testid=pglog-counter]', 'result (14 decisions)');
    await expectText(page, '[data-testid=removed]', 'baz, foo');
    assert.deepEqual(await page.$$eval('[data-testid=missing] tbody tr', (rows) => rows.map((r) => r.innerText.split('\t').join(' '))),
      ["bar 20'5 0'0", "foo 22'6 0'0", "qux 22'7 0'0"]);
    assert.equal(await page.$$eval('[data-testid=lane-result] .entry', (els) => els.length), 7);
    await page.screenshot({ path: path.join(shots, `pglog-result-${size}.png`), fullPage: true, animations: 'disabled' });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('proc_replica_log: the replica matches up to 20\'5', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  await page.goto(base + '#view=pglog&example=proc_replica_log&step=4');
  await page.waitForSelector('[data-testid=decision-explain]');
  assert.match(await page.textContent('[data-testid=decision-explain]'), /^foo: rolled back locally/);
  await page.screenshot({ path: path.join(shots, 'pglog-replica-dark-1280x800.png'), fullPage: true, animations: 'disabled' });
  await page.keyboard.press('End'); // not a shortcut: nothing happens
  while (!(await page.isDisabled('[data-testid=pglog-step]'))) await page.keyboard.press('ArrowRight');
  await expectText(page, '[data-testid=removed]', 'none');
  assert.deepEqual(await page.$$eval('[data-testid=missing] tbody tr', (rows) => rows.map((r) => r.innerText.split('\t').join(' '))),
    ["bar 20'5 0'0"]);
  await page.close();
});

test('the tabs are keyboard reachable and part of the link', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  // Tab from the start of the page reaches the selected tab (one tab stop for the list).
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'statechart');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused tab shows its focus');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'intervals');
  assert.equal(await page.getAttribute('[role=tab][data-view=intervals]', 'aria-selected'), 'true');
  await page.waitForFunction(() => location.hash.startsWith('#view=intervals'));
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'mds');
  await page.waitForSelector('#panel-mds[role=tabpanel][aria-labelledby=tab-mds]');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'cluster');
  await page.waitForSelector('#panel-cluster[role=tabpanel][aria-labelledby=tab-cluster]');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'pglog');
  await page.waitForSelector('#panel-pglog[role=tabpanel][aria-labelledby=tab-pglog]');
  await page.keyboard.press('Home');
  await expectText(page, '[data-testid=counter]', '0 / 3', 'arrows on the tabs do not step');
  const url = page.url();
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await fresh.goto(url.replace(/#.*/, '#view=pglog&example=merge_divergent&step=5'));
  await fresh.waitForSelector('[data-testid=decision-explain]');
  await expectText(fresh, '[data-testid=pglog-counter]', 'decision 6 / 14');
  await fresh.close();
  await page.close();
});

test('embed mode shows the intervals or PG log view alone', async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(base + '#example=down_pg_up_thru_granted&embed=1&view=intervals');
  await page.waitForSelector('[data-testid=interval-band]');
  assert.equal(await page.$$eval('header, [role=tab]', (els) => els.length), 0);
  await expectText(page, '[data-testid=pg-down]', 'true');
  await page.screenshot({ path: path.join(shots, 'embed-intervals-800x600.png'), animations: 'disabled' });
  await page.goto(base + '#example=merge_divergent&step=1&embed=1&view=pglog&from=2&to=4');
  await page.reload();
  await page.waitForSelector('[data-testid=pglog-step]');
  await expectText(page, '[data-testid=pglog-counter]', 'decision 3 / 14', 'step clamped to from');
  await page.click('[data-testid=pglog-step]');
  await page.click('[data-testid=pglog-step]');
  await expectText(page, '[data-testid=pglog-counter]', 'decision 5 / 14');
  assert.ok(await page.isDisabled('[data-testid=pglog-step]'), 'cannot step past to');
  await page.goto(base + '#example=merge_divergent&step=3&embed=1&view=pglog&controls=0');
  await page.reload();
  await page.waitForSelector('[data-testid=decision-explain]');
  assert.equal(await page.$$eval('[data-testid=pglog-step], select', (els) => els.length), 0, 'controls=0 hides them');
  await page.screenshot({ path: path.join(shots, 'embed-pglog-800x600.png'), animations: 'disabled' });
  await page.close();
});

test('bad view links show a message, never a blank page', async () => {
  const errors = [];
  for (const [hash, message] of [
    ['#view=pie', /view 'pie' is not one of statechart, narration, intervals, pglog/],
    ['#view=pglog&example=nope', /unknown pglog example: 'nope'/],
    ['#view=intervals&step=3', /the intervals view has no steps \(step=\)/],
    ['#view=pglog&example=merge_divergent&step=99', /has 14 decisions/],
    ['#view=cluster&scenario=%3Cb%3Enope%3C%2Fb%3E', /unknown cluster scenario: '<b>nope<\/b>'/],
    ['#view=cluster&scenario=seed000-down-lost&step=x', /step 'x' is not a number/],
  ]) {
    // A fresh page each: a hash change alone would be followed by the running app.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base + hash);
    await page.waitForSelector('[role=alert]');
    assert.match(await page.textContent('[role=alert]'), message);
    assert.equal(await page.$$eval('[role=tab]', (els) => els.length), 5, 'the app keeps running');
    await page.close();
  }
  assert.deepEqual(errors, []);
});

// The cluster tab: step seed000-down-lost until PG 1.0 is down and waits for node-c's OSDs,
// then the link of that step, loaded fresh, shows the same table.
async function pgRows(page) {
  return page.$$eval('[data-testid=pg-table] tbody tr', (rows) => rows.map((r) =>
    [...r.querySelectorAll('td')].map((td) => td.textContent)));
}

test('the cluster tab steps seed000-down-lost to a down PG, and its link restores it', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.click('[role=tab][data-view=cluster]');
  await page.selectOption('#cluster-scenario', 'seed000-down-lost');
  await page.waitForSelector('[data-testid=pg-table]');
  const down = async () => {
    const state = await page.textContent("tr[data-pg='1.0'] [data-testid=pg-state]");
    const blocked = await page.textContent('[data-testid=blocked-by]');
    return state === 'down' && /osd\.[45]/.test(blocked);
  };
  let n = 0;
  while (!(await down())) {
    assert.ok(n < 2000, 'PG 1.0 never went down');
    await page.click('[data-testid=cluster-step]');
    n++;
  }
  await page.waitForFunction((n) => location.hash === `#view=cluster&scenario=seed000-down-lost&step=${n}`, n);
  const rows = await pgRows(page);
  const blocked = await page.textContent('[data-testid=blocked-by]');
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await fresh.goto(base + `#view=cluster&scenario=seed000-down-lost&step=${n}`);
  await fresh.waitForSelector("tr[data-pg='1.0']");
  assert.equal(await fresh.textContent('[data-testid=cluster-counter]').then((t) => t.split(' ')[0]), String(n));
  assert.deepEqual(await pgRows(fresh), rows);
  assert.equal(rows.length, 4);
  assert.equal(rows[0][0], '1.0');
  assert.equal(rows[0][1], 'down');
  await expectText(fresh, '[data-testid=blocked-by]', blocked);
  // The history lists the newest 100 steps (the slider reaches the rest), numbered from
  // where it starts.
  assert.equal(await fresh.$$eval('[data-testid=cluster-history] li', (els) => els.length), Math.min(n, 100));
  assert.equal(await fresh.getAttribute('[data-testid=cluster-history]', 'start'), String(Math.max(n - 100, 0) + 1));
  if (n > 100) assert.equal(await fresh.textContent('.history-earlier'), `Steps 1–${n - 100}: use the History slider.`);
  assert.equal(await fresh.inputValue('#cluster-scenario'), 'seed000-down-lost');
  // node-c's OSDs are shown down, with a revive button (their daemons stopped).
  assert.match(await fresh.textContent('[data-testid=osd-status-4]'), /^down/);
  assert.equal(await fresh.$$eval('[data-testid=revive-4]', (els) => els.length), 1);
  // The selected PG's chart: one token per running OSD holding it; the primary's (osd.3,
  // as the table says) sits on Down, the state the engine has it in.
  assert.equal(await fresh.$$eval('.pg-chart g.token.primary', (els) => els.map((e) => e.dataset.token).join()), '3');
  assert.equal(
    await fresh.$$eval('.pg-chart g.state.leaf.active', (els) => els.map((e) => e.dataset.state).join()),
    'Started/Primary/Peering/Down');
  assert.ok(await fresh.$$eval('.pg-chart g.token', (els) => els.length) >= 2);
  await fresh.screenshot({ path: path.join(shots, 'cluster-down-1280x800.png'), fullPage: true, animations: 'disabled' });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base + `#view=cluster&scenario=seed000-down-lost&step=${n}`);
  await phone.waitForSelector("tr[data-pg='1.0']");
  assert.deepEqual(await pgRows(phone), rows);
  await phone.screenshot({ path: path.join(shots, 'cluster-down-390x844.png'), fullPage: true, animations: 'disabled' });
  const overflow = await sidewaysScroll(phone);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  // Keyboard: the buttons are reachable and show their focus.
  await phone.focus('[data-testid=cluster-back]');
  await phone.keyboard.press('Tab');
  assert.equal(await phone.evaluate(() => document.activeElement.dataset.testid), 'cluster-step');
  assert.notEqual(await phone.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
  assert.deepEqual(errors, []);
  await phone.close();
  await fresh.close();
  await page.close();
});

test('pool-delete: the pool leaves the table, then each OSD removes its copies', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.goto(base + '#view=cluster&scenario=pool-delete');
  await page.waitForSelector('[data-testid=delete-pool-2]');
  assert.equal((await pgRows(page)).length, 6);
  const poolText = () => page.textContent('[data-testid=pool-2]');
  let n = 0;
  while (!(await poolText()).includes('deleted')) {
    assert.ok(n < 500, 'pool 2 was never deleted');
    await page.click('[data-testid=cluster-step]');
    n++;
  }
  assert.equal(await poolText(), 'scratch (pool 2): deleted');
  assert.deepEqual((await pgRows(page)).map((r) => r[0]), ['1.0', '1.1']);
  // osd.0 still holds its six PG copies; each goes in a step of its own.
  assert.match(await page.textContent('[data-testid=osd-usage-0]'), /^6 PGs/);
  await page.screenshot({ path: path.join(shots, 'pool-deleted-1280x800.png'), fullPage: true, animations: 'disabled' });
  while (!/^2 PGs/.test(await page.textContent('[data-testid=osd-usage-0]'))) {
    assert.ok(n < 2000, "osd.0 never removed pool 2's copies");
    await page.click('[data-testid=cluster-step]');
    n++;
  }
  const history = await page.textContent('[data-testid=cluster-history]');
  assert.match(history, /osd\.0 has removed its copy of pg 2\.3 \(nothing left\) and forgets the PG/);
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(page.url());
  await phone.waitForSelector('[data-testid=pool-2]');
  assert.equal(await phone.textContent('[data-testid=pool-2]'), 'scratch (pool 2): deleted');
  await phone.screenshot({ path: path.join(shots, 'pool-deleted-390x844.png'), fullPage: true, animations: 'disabled' });
  const overflow = await sidewaysScroll(phone);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  assert.deepEqual(errors, []);
  await phone.close();
  await page.close();
});

test('async-recovery: the PG recovers osd.2 outside its acting set, then takes it back', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.goto(base + '#view=cluster&scenario=async-recovery');
  await page.waitForSelector("tr[data-pg='1.0']");
  const row = async () => (await pgRows(page))[0];
  let n = 0;
  while (!(await row())[1].includes('recovering')) {
    assert.ok(n < 1000, 'pg 1.0 never recovered');
    await page.click('[data-testid=cluster-step]');
    n++;
  }
  const [pg, state, up, acting, primary] = await row();
  assert.deepEqual([pg, state, up, acting, primary],
    ['1.0', 'active+recovering+undersized+degraded+remapped', '[1, 2, 0]', '[1, 0]',
      'osd.1: Started/Primary/Active/Recovering']);
  // devtools: state() has choose_acting's sets on the primary, and the pools.
  const st = await page.evaluate(() => window.cephscope.state());
  assert.deepEqual(st.pgs[0].async_recovery_targets, [2]);
  assert.deepEqual(st.pgs[0].acting_recovery_backfill, [0, 1, 2]);
  assert.deepEqual(st.pools.map((p) => [p.id, p.name, p.size]), [[1, 'rbd', 3]]);
  // osd.2, outside the acting set, holds a recovery reservation as a replica.
  assert.match(await page.$eval('.pg-chart g.token[data-token="2"] title', (t) => t.textContent), /RepRecovering/);
  await page.screenshot({ path: path.join(shots, 'async-recovery-1280x800.png'), fullPage: true, animations: 'disabled' });
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(page.url());
  await phone.waitForSelector("tr[data-pg='1.0']");
  assert.deepEqual((await pgRows(phone))[0], [pg, state, up, acting, primary]);
  await phone.screenshot({ path: path.join(shots, 'async-recovery-390x844.png'), fullPage: true, animations: 'disabled' });
  const overflow = await sidewaysScroll(phone);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  assert.deepEqual(errors, []);
  await phone.close();
  await page.close();
});

test('every built-in cluster scenario fits a phone: no sideways scroll at its start', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(base + '#view=cluster');
  await page.waitForSelector('#cluster-scenario');
  const names = await page.$$eval('#cluster-scenario option', (os) => os.map((o) => o.value));
  assert.ok(names.length >= 15, `only ${names.length} scenarios`);
  for (const name of names) {
    await page.goto(base + `#view=cluster&scenario=${name}&step=5`);
    await page.waitForFunction((name) => document.querySelector('#cluster-scenario')?.value === name, name);
    await page.waitForSelector('[data-testid=pg-table] tbody tr');
    const overflow = await sidewaysScroll(page);
    assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
  }
  await page.close();
});

test('stepping keeps the page where it is and the chart centres its own scroll area on the current state', async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base + '#view=cluster&scenario=seed000-down-lost&step=20');
  await phone.waitForFunction(() => document.querySelector('[data-testid=cluster-counter]')?.textContent.startsWith('20 '));
  await phone.waitForSelector('.pg-chart g.state.leaf.active');
  assert.equal(await phone.evaluate(() => window.scrollY), 0, 'the page did not scroll to the chart');
  await phone.click('[data-testid=cluster-step]');
  await phone.waitForFunction(() => document.querySelector('[data-testid=cluster-counter]')?.textContent.startsWith('21 '));
  const inView = await phone.evaluate(() => {
    const area = document.querySelector('.pg-chart .chart-scroll').getBoundingClientRect();
    const state = document.querySelector('.pg-chart g.state.leaf.active').getBoundingClientRect();
    const cx = state.left + state.width / 2, cy = state.top + state.height / 2;
    return cx >= area.left && cx <= area.right && cy >= area.top && cy <= area.bottom;
  });
  assert.ok(inView, "the current state is inside the chart's scroll area");
  const y = await phone.evaluate(() => window.scrollY);
  assert.ok(y < 300, `stepping scrolled the page to ${y}`);
  await phone.close();
});

test('the cluster tab exports its steps as the JSON the CLI prints', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(base + '#view=cluster&scenario=backfill-revoked-toofull&step=12');
  await page.waitForFunction(() => document.querySelector('[data-testid=cluster-counter]')?.textContent.startsWith('12 '));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=cluster-export-json]')]);
  assert.equal(download.suggestedFilename(), 'backfill-revoked-toofull-trace.json');
  const records = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(records.length, 12);
  assert.deepEqual(records.map((r) => r.step), [...Array(12).keys()].map((i) => i + 1));
  const history = await page.$$eval('[data-testid=cluster-history] li', (els) => els.map((e) => e.textContent));
  assert.equal(records[11].explanation, history[history.length - 1]);
  await page.close();
});
