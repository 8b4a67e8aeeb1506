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
