// A tiny static file server for the built site (dist/), loopback only.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

export function serve(root, port = 0) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

// The built site served on loopback and Debian's Chromium launched for it (the flags keep it
// off the closed network): what every e2e file starts with.
export async function startSite(chromium, dist) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error('dist/ is missing: run trunk build --release first');
  }
  const server = await serve(dist);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { server, browser, base };
}

// The page renders through yew's scheduler, a little after the key press or click that asked
// for it: wait (up to 5 s) for the text, then assert it, so a failure still shows the diff.
export async function expectText(page, selector, expected, message) {
  await page
    .waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.textContent === want,
      [selector, expected],
      { timeout: 5000 },
    )
    .catch(() => {});
  const { strictEqual } = await import('node:assert/strict');
  strictEqual(await page.textContent(selector), expected, message);
}

// How far the page scrolls sideways, in CSS pixels (0 or less: it fits its viewport).
export async function sidewaysScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
