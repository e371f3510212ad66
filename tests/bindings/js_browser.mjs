// The TypeScript package in a real browser: bundles bindings/js/dist with esbuild for the browser (no node:
// modules), serves it on loopback, and drives Debian's headless Chromium with puppeteer-core. In the page it
// canonicalizes under the three profiles, computes a CID and verifies an envelope and a bundle made by the C
// CLI (WebCrypto underneath), and a tampered copy of each; the answers must equal the C library's. No console
// error may appear.
//
//   node tests/bindings/js_browser.mjs PROVA_CLI BINDINGS_JS_DIR [SCREENSHOT_DIR]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
const puppeteer = require('puppeteer-core');

const [provaArg, jsDir, shotDir] = process.argv.slice(2);
const prova = provaArg && path.resolve(provaArg); // commands run in a scratch directory
if (!prova || !jsDir) {
  console.error('usage: js_browser.mjs PROVA_CLI BINDINGS_JS_DIR [SCREENSHOT_DIR]');
  process.exit(2);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const work = mkdtempSync(path.join(os.tmpdir(), 'prova-browser-'));
const run = (args, input) => execFileSync(prova, args, { cwd: work, input, encoding: 'utf8' });
const runReport = (args) => {
  try { return JSON.parse(run(args)); } catch (e) { return JSON.parse(e.stdout); }
};

let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };

try {
  // Documents made by the C CLI.
  run(['keygen', '--out', 'agent.key']);
  writeFileSync(path.join(work, 'agent.jwks'), run(['jwks', 'agent.key']));
  run(['keygen', '--out', 'gw.key']);
  writeFileSync(path.join(work, 'gw.jwks'), run(['jwks', 'gw.key']));
  const envelope = run(['pack', '--key', 'agent.key', '--payload-type', 'agent.tool_call', '--target-type',
    'tool.result', '--trace-id', 'run-1', '-'], '{"tool":"search","args":{"q":"Zürich","n":3,"t":0.5}}');
  writeFileSync(path.join(work, 'env.json'), envelope);
  for (const step of ['plan', 'act', 'answer']) {
    const env = run(['pack', '--key', 'agent.key', '--payload-type', 'agent.step', '--target-type', 'agent.step',
      '--trace-id', 'run-2', '-'], JSON.stringify({ step }));
    run(['receipt', 'append', '--key', 'gw.key', '--chain', 'chain.jsonl', '--sender-jwks', 'agent.jwks', '-'], env);
  }
  const bundle = run(['bundle', '--key', 'gw.key', '--chain', 'chain.jsonl', '--trace-id', 'run-2']);
  writeFileSync(path.join(work, 'bundle.json'), bundle);
  const tamperedEnvelope = envelope.replace('Zürich', 'Zurich');
  writeFileSync(path.join(work, 'env-t.json'), tamperedEnvelope);
  const b = JSON.parse(bundle);
  b.bundle.receipts.splice(1, 1);
  const tamperedBundle = JSON.stringify(b);
  writeFileSync(path.join(work, 'bundle-t.json'), tamperedBundle);
  const agentJwks = readFileSync(path.join(work, 'agent.jwks'), 'utf8');
  const gwJwks = readFileSync(path.join(work, 'gw.jwks'), 'utf8');
  const expected = {
    envelope: runReport(['verify', '--json', '--jwks', 'agent.jwks', 'env.json']),
    envelopeTampered: runReport(['verify', '--json', '--jwks', 'agent.jwks', 'env-t.json']),
    bundle: runReport(['verify', '--json', '--jwks', 'gw.jwks', 'bundle.json']),
    bundleTampered: runReport(['verify', '--json', '--jwks', 'gw.jwks', 'bundle-t.json']),
  };
  const canonInput = '{"b":[1.0,2,1e21,"é\\u0001"],"a":{"\\ud83d\\ude00":1,"z":-0.0}}';
  writeFileSync(path.join(work, 'canon.json'), canonInput);
  const canonExpected = {};
  for (const p of ['jcs', 'ope', 'ophamin']) canonExpected[p] = run(['canon', '--profile', p, 'canon.json']);

  // The package, bundled for the browser: any node: import would fail the build.
  const built = await esbuild.build({
    entryPoints: [path.join(jsDir, 'dist', 'index.js')], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, logLevel: 'silent',
  });
  const bundleJs = built.outputFiles[0].text;
  check(!/from\s*["']node:/.test(bundleJs), `bundle has no node: imports (${bundleJs.length} bytes)`);

  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>prova in the browser</title></head>
<body><h1>prova in the browser</h1><pre id="out">running</pre>
<script type="module">
import * as prova from '/prova.js';
const data = await (await fetch('/data.json')).json();
const dec = (u8) => new TextDecoder().decode(u8);
const summary = (r) => ({ valid: r.valid, outcome: r.outcome, kind: r.kind,
  failed: [...new Set(r.checks.filter((c) => !c.ok).map((c) => c.code))].sort(),
  warnings: [...new Set(r.warnings.map((w) => w.code))].sort() });
const out = { canon: {}, cid: null, reports: {} };
for (const p of ['jcs', 'ope', 'ophamin']) out.canon[p] = dec(prova.canonicalizeText(data.canonInput, p));
out.cid = await prova.cid(JSON.parse(data.envelope).payload);
out.reports.envelope = summary(await prova.verify(data.envelope, { jwks: data.agentJwks, now: data.now }));
out.reports.envelopeTampered = summary(await prova.verify(data.tamperedEnvelope, { jwks: data.agentJwks, now: data.now }));
out.reports.bundle = summary(await prova.verify(data.bundle, { jwks: data.gwJwks, now: data.now }));
out.reports.bundleTampered = summary(await prova.verify(data.tamperedBundle, { jwks: data.gwJwks, now: data.now }));
window.__result = out;
document.getElementById('out').textContent = JSON.stringify(out, null, 2);
</script></body></html>`;
  const data = JSON.stringify({ canonInput, envelope, tamperedEnvelope, bundle, tamperedBundle, agentJwks, gwJwks,
    now: new Date().toISOString() });
  const server = http.createServer((req, res) => {
    const body = { '/': page, '/prova.js': bundleJs, '/data.json': data }[req.url];
    const type = req.url === '/' ? 'text/html' : req.url === '/prova.js' ? 'text/javascript' : 'application/json';
    if (body === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  const browser = await puppeteer.launch({ executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const consoleErrors = [];
  try {
    const tab = await browser.newPage();
    tab.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    tab.on('pageerror', (e) => consoleErrors.push(String(e)));
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForFunction(() => window.__result !== undefined || document.getElementById('out').textContent !== 'running',
      { timeout: 30000 }).catch(() => {});
    const got = await tab.evaluate(() => window.__result);
    if (shotDir) await tab.screenshot({ path: path.join(shotDir, 'js_browser.png'), fullPage: true });
    check(got !== undefined, 'the page ran the package');
    if (got) {
      for (const p of ['jcs', 'ope', 'ophamin']) check(got.canon[p] === canonExpected[p], `canonical ${p} equals the C library's`);
      check(got.cid === JSON.parse(envelope).cid, 'cid equals the envelope\'s');
      for (const [name, want] of Object.entries(expected)) {
        const w = { valid: want.valid, outcome: want.outcome, kind: want.kind,
          failed: [...new Set(want.checks.filter((c) => !c.ok).map((c) => c.code))].sort(),
          warnings: [...new Set(want.warnings.map((x) => x.code))].sort() };
        const same = JSON.stringify(w) === JSON.stringify(got.reports[name]);
        check(same, `${name}: ${JSON.stringify(got.reports[name])}${same ? '' : ` != C ${JSON.stringify(w)}`}`);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
