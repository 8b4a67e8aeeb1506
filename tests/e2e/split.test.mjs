// End-to-end tests of the page's two modules (www/loader.js): the first load is the
// Statechart tab's module (cephscope-lite); the other tabs, their links, loaded files and
// src= links are the whole app's (cephscope), which the page loads when one is asked for
// and which replaces the first module in place. Screenshots at 1280×800 and 390×844 of
// the page after the hand-off.
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

// A page that records the wasm modules it downloads and its errors.
async function open(viewport, hash = '') {
  const page = await browser.newPage({ viewport });
  const wasm = [];
  const errors = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(path.basename(new URL(r.url()).pathname)); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base + hash);
  await page.waitForFunction(() => window.cephscopeModule !== undefined && window.cephscope !== undefined);
  return { page, wasm, errors };
}

const moduleName = (page) => page.evaluate(() => window.cephscopeModule);

test('the first load is the Statechart tab\'s module only, and it steps the walkthrough', async () => {
  const { page, wasm, errors } = await open({ width: 1280, height: 800 });
  assert.equal(await moduleName(page), 'cephscope-lite');
  assert.deepEqual(wasm, ['cephscope-lite_bg.wasm']);
  assert.equal(await page.$$eval('svg.statechart g.state', (els) => els.length), 35);
  await page.click('[data-testid=step]');
  await expectText(page, '[data-testid=counter]', '1 / 3');
  assert.equal((await page.evaluate(() => window.cephscope.state())).step, 1);
  assert.deepEqual(wasm, ['cephscope-lite_bg.wasm'], 'stepping loads nothing more');
  assert.deepEqual(errors, []);
  await page.close();
});

test('opening the Cluster tab hands the page to the whole app in place; keys reach only it', async () => {
  for (const [viewport, name] of [[{ width: 1280, height: 800 }, '1280x800'], [{ width: 390, height: 844 }, '390x844']]) {
    const { page, wasm, errors } = await open(viewport, '#scenario=new-interval&step=2');
    await page.click('[role=tab][data-view=cluster]');
    await page.waitForSelector('[data-testid=pg-table]');
    assert.equal(await moduleName(page), 'cephscope');
    assert.deepEqual(wasm, ['cephscope-lite_bg.wasm', 'cephscope_bg.wasm']);
    assert.equal(await page.$$eval('#app > .app', (els) => els.length), 1, 'one app on the page');
    assert.match(new URL(page.url()).hash, /^#view=cluster/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-cluster', 'the focus stays on the tab');
    await page.waitForSelector('[data-testid=cluster-counter]');
    await page.evaluate(() => document.activeElement.blur());
    const before = await page.evaluate(() => window.cephscope.state().step);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((n) => window.cephscope.state().step === n + 1, before);
    await page.waitForTimeout(100);
    assert.equal((await page.evaluate(() => window.cephscope.state())).step, before + 1, 'one step per key: the first module listens no more');
    // The statechart tab, in the whole app now, is where the first module left it.
    await page.click('[role=tab][data-view=statechart]');
    await expectText(page, '[data-testid=counter]', '2 / 6');
    assert.equal(await sidewaysScroll(page) <= 0, true, `${name}: no sideways scroll`);
    await page.click('[role=tab][data-view=cluster]');
    await page.waitForSelector('[data-testid=pg-table]');
    await page.screenshot({ path: path.join(shots, `split-handoff-${name}.png`), animations: 'disabled' });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('pointing at another tab fetches the whole app ahead of the click, without starting it', async () => {
  const { page, wasm, errors } = await open({ width: 1280, height: 800 });
  await page.hover('[role=tab][data-view=statechart]');
  await page.waitForTimeout(200);
  assert.deepEqual(wasm, ['cephscope-lite_bg.wasm'], 'the statechart tab is not another tab');
  await page.hover('[role=tab][data-view=intervals]');
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/cephscope_bg.wasm') && r.responseEnd > 0));
  assert.deepEqual(wasm, ['cephscope-lite_bg.wasm', 'cephscope_bg.wasm']);
  await page.waitForTimeout(200);
  assert.equal(await moduleName(page), 'cephscope-lite', 'fetched, not started');
  await page.click('[role=tab][data-view=intervals]');
  await page.waitForSelector('[data-testid=interval-band]');
  assert.equal(await moduleName(page), 'cephscope');
  assert.deepEqual(wasm, ['cephscope-lite_bg.wasm', 'cephscope_bg.wasm'], 'downloaded once');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link to another view loads the whole app at once, never the first module', async () => {
  for (const hash of ['#view=pglog&example=merge_divergent&step=2', '#view=cluster&scenario=pool-delete&step=3', '#example=down_pg_up_thru_granted&embed=1&view=intervals']) {
    const { page, wasm, errors } = await open({ width: 1280, height: 800 }, hash);
    assert.equal(await moduleName(page), 'cephscope', hash);
    assert.deepEqual(wasm, ['cephscope_bg.wasm'], hash);
    assert.equal(await page.evaluate(() => location.hash), hash, 'the whole app opens the link as it is');
    assert.deepEqual(errors, [], hash);
    await page.close();
  }
});

test('devtools load() and a hash change on the first module hand off too', async () => {
  const { page, errors } = await open({ width: 1280, height: 800 });
  await page.evaluate(() => window.cephscope.load('pool-delete'));
  await page.waitForFunction(() => window.cephscopeModule === 'cephscope' && window.cephscope?.state().view === 'cluster');
  assert.equal((await page.evaluate(() => window.cephscope.state())).scenario, 'pool-delete');
  await page.close();

  const second = await open({ width: 1280, height: 800 });
  await second.page.evaluate(() => { location.hash = '#view=mds&scenario=mds-failover-single-rank&step=5'; });
  await second.page.waitForFunction(() => window.cephscopeModule === 'cephscope' && window.cephscope?.state().view === 'mds');
  const s = await second.page.evaluate(() => window.cephscope.state());
  assert.deepEqual([s.scenario, s.step], ['mds-failover-single-rank', 5]);
  assert.deepEqual([...errors, ...second.errors], []);
  await second.page.close();
});

test('a module that cannot be downloaded is said in the page, not a blank page', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.route('**/cephscope_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(base + '#view=cluster');
  await page.waitForSelector('#app [role=alert]');
  assert.match(await page.textContent('#app [role=alert]'), /could not start \(cephscope\): cephscope_bg.wasm: HTTP 404/);
  await page.close();
  // From the first module, the same failure leaves it running, with the message.
  const first = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await first.route('**/cephscope_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await first.goto(base + '#scenario=primary-boot&step=1');
  await first.waitForFunction(() => window.cephscopeModule === 'cephscope-lite');
  await first.click('[role=tab][data-view=mds]');
  await first.waitForSelector('.error[role=alert]');
  assert.match(await first.textContent('.error[role=alert]'), /Could not load the other tabs \(the whole app\): cephscope_bg.wasm: HTTP 404/);
  await first.click('[role=tab][data-view=statechart]');
  await expectText(first, '[data-testid=counter]', '1 / 3');
  await first.close();
});
