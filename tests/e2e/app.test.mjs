// End-to-end tests of the built site (trunk build --release → dist/) in Debian's Chromium,
// driven by playwright-core. Screenshots land in tests/e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { serve } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(path.join(repo, 'tools', 'package.json'));
const { chromium } = require('playwright-core');
const shots = path.join(here, 'screenshots');

let server, browser, base;

before(async () => {
  const dist = path.join(repo, 'dist');
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build --release first');
  server = await serve(dist);
  // Served from a sub-path, as static hosting often does: the site must not assume '/'.
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
  assert.equal(await page.textContent('[data-testid=state-path]'), 'Started/Primary/Peering/GetInfo');
  assert.equal(await page.textContent('[data-testid=state-string]'), 'peering');
  const active = await page.$$eval('g.state.active', (els) => els.map((e) => e.getAttribute('data-state')));
  assert.deepEqual(active.sort(), ['Started', 'Started/Primary', 'Started/Primary/Peering', 'Started/Primary/Peering/GetInfo']);
  await page.screenshot({ path: path.join(shots, 'getinfo-1280x800.png'), animations: 'disabled' });
  await page.close();
});

test('the page is usable on a phone', async () => {
  const { page } = await open({ width: 390, height: 844 });
  await page.click('[data-testid=step]');
  await page.screenshot({ path: path.join(shots, 'phone-390x844.png'), fullPage: true, animations: 'disabled' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
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
  assert.equal(await fresh.textContent('[data-testid=state-path]'), 'Started/ReplicaActive/RepNotRecovering');
  assert.equal(await fresh.inputValue('#scenario'), 'new-interval');
  await fresh.close();
  await page.close();
});

test('arrow keys step forward and back', async () => {
  const { page } = await open({ width: 1280, height: 800 });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.textContent('[data-testid=counter]'), '2 / 3');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.textContent('[data-testid=counter]'), '1 / 3');
  assert.equal(await page.textContent('[data-testid=state-path]'), 'Reset');
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
  assert.equal(await page.textContent('[data-testid=counter]'), '1 / 3');
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

test('embed mode shows one view, honours controls=0 and the step range', async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(base + '#scenario=new-interval&step=1&embed=1&view=statechart&from=2&to=4');
  await page.waitForSelector('svg.statechart');
  assert.equal(await page.$$eval('header', (els) => els.length), 0, 'no page header in embed mode');
  assert.equal(await page.textContent('[data-testid=counter]'), '2 / 4', 'step clamped to from');
  await page.click('[data-testid=step]');
  await page.click('[data-testid=step]');
  assert.equal(await page.textContent('[data-testid=counter]'), '4 / 4');
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
