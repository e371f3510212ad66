// The web view /ui in a real browser (Debian's headless Chromium, puppeteer-core): starts `prova serve` on a free
// loopback port with a temporary --data directory, seeds it over HTTP (tests/ui/gateway.mjs: traces, chains certified,
// revoked and superseded), and opens every page by its URL (deep links): the seeded data is shown, the in-browser
// verdicts are the C CLI's, the lineage graphs have the expected nodes, a document dropped on /ui/verify (file input
// and a synthesized drop event) is VALID untampered and INVALID tampered with the failing check named, axe-core
// finds no serious or critical violation, a phone viewport (375x667) has no horizontal overflow, and no page logs a
// console error (CSP violations included) or has a failed request. Screenshots go to SHOT_DIR.
//
//   node tests/ui/test_ui.mjs PROVA_CLI SHOT_DIR
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startGateway, seed } from './gateway.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'package.json'));
let puppeteer, axePath;
try {
  puppeteer = require('puppeteer-core');
  axePath = require.resolve('axe-core/axe.min.js');
} catch {
  console.log('SKIP tests/node_modules lacks puppeteer-core or axe-core: run scripts/setup-node.sh');
  process.exit(77);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(`SKIP no Chromium at ${chromium} (set CHROMIUM)`);
  process.exit(77);
}
const [provaArg, shotArg] = process.argv.slice(2);
if (!provaArg) {
  console.error('usage: test_ui.mjs PROVA_CLI [SHOT_DIR]');
  process.exit(2);
}
const prova = path.resolve(provaArg);
const shotDir = path.resolve(shotArg || 'ui-screenshots');
mkdirSync(shotDir, { recursive: true });

let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };

const gw = await startGateway(prova);
let browser;
try {
  const ids = await seed(gw);
  const base = gw.base;
  // A witness: the gateway restarted with --witness-policy; one more record, then a checkpoint it cosigned.
  const witness = await gw.addWitness('witness.test/w1');
  await gw.call('POST', '/v1/odin/envelope', gw.run(['pack', '--key', 'sender.key', '--payload-type', 'agent.note',
    '--target-type', 'tool.result', '--trace-id', 'tr-ui-3', '-'], '{"note":"after the witness"}'));
  const cosigned = await gw.waitCheckpoint(2, 22);
  // Documents for /ui/verify, and the C CLI's reports on them (the expected verdicts).
  const exportText = await (await fetch(`${base}/v1/receipts/export/tr-ui-1`)).text();
  const jwksText = await (await fetch(`${base}/.well-known/jwks.json`)).text();
  const tampered = JSON.parse(exportText);
  tampered.bundle.receipts[1].ts = tampered.bundle.receipts[1].ts.replace(/\d(?=\+|Z)/, (d) => String((+d + 1) % 10));
  const tamperedText = JSON.stringify(tampered);
  writeFileSync(path.join(gw.work, 'export.json'), exportText);
  writeFileSync(path.join(gw.work, 'export-tampered.json'), tamperedText);
  writeFileSync(path.join(gw.work, 'gw.jwks'), jwksText);
  const cli = (file) => {
    try { return JSON.parse(gw.run(['verify', '--json', '--jwks', 'gw.jwks', file])); } catch (e) { return JSON.parse(e.stdout); }
  };
  const cliGood = cli('export.json'), cliBad = cli('export-tampered.json');
  check(cliGood.valid === true && cliBad.valid === false, 'the C CLI: the export VALID, the tampered one INVALID');
  const cliFirstFail = cliBad.checks.find((c) => !c.ok);

  browser = await puppeteer.launch({ executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const axeSource = readFileSync(axePath, 'utf8');
  const tab = await browser.newPage();
  let problems = [];
  tab.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  tab.on('pageerror', (e) => problems.push(`page error: ${e}`));
  tab.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  tab.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });

  const settle = () => tab.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), { timeout: 30000 });
  const text = () => tab.evaluate(() => document.getElementById('main').innerText);
  const count = (sel) => tab.$$eval(sel, (els) => els.length);
  const attrs = (sel, a) => tab.$$eval(sel, (els, a) => els.map((e) => e.getAttribute(a)), a);

  /** Opens a page by its URL, checks it loaded clean, runs axe and the phone viewport, saves two screenshots. */
  async function visit(name, url, body) {
    problems = [];
    await tab.setViewport({ width: 1280, height: 900 });
    await tab.goto(base + url, { waitUntil: 'networkidle0' });
    await settle();
    await body(await text());
    // axe-core, evaluated over DevTools (the page's CSP forbids injecting a script, as it should).
    await tab.evaluate(axeSource);
    const axe = await tab.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length,
        target: v.nodes[0]?.target.join(' ') }));
    });
    const serious = axe.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check(serious.length === 0, `${name}: axe finds no serious or critical violation` +
      (axe.length ? ` (${axe.length} in all: ${axe.map((v) => `${v.id}/${v.impact}×${v.n} ${v.target}`).join('; ')})` : ''));
    await tab.screenshot({ path: path.join(shotDir, `ui-${name}.png`), fullPage: true });
    await tab.setViewport({ width: 375, height: 667 }); // isMobile would reload the page
    await settle();
    const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name}: no horizontal overflow at 375x667 (${overflow} px)`);
    await tab.screenshot({ path: path.join(shotDir, `ui-${name}-phone.png`), fullPage: true });
    check(problems.length === 0, `${name}: no console error or failed request${problems.length ? ': ' + problems.join(' | ') : ''}`);
  }

  await visit('home', '/ui', async (t) => {
    check(t.includes('tr-ui-1') && t.includes('tr-ui-2'), 'home: both traces listed');
    for (const c of Object.values(ids.chains)) check(t.includes(c), `home: chain ${c} listed`);
    const hops = await tab.$$eval('a[href="/ui/traces/tr-ui-1"]', (as) => as[0]?.closest('tr')?.children[1]?.textContent);
    check(hops === '3', `home: tr-ui-1 has 3 hops (${hops})`);
    check(t.includes(ids.certs.revoked) && t.includes(ids.certs.successor), 'home: certificates listed');
    check(await count(`a[href="/ui/proofs/${ids.proof}"]`) === 1, 'home: the proof record listed, linked');
    const log = await tab.$eval('[data-count="log"]', (e) => e.textContent);
    check(/^\d+$/.test(log) && +log > 0, `home: log size shown (${log})`);
  });

  await visit('home-filtered', '/ui?status=revoked&payload_type=agent.answer', async (t) => {
    check(t.includes('tr-ui-2') && !t.includes('tr-ui-1'), 'home filtered: payload_type=agent.answer lists only tr-ui-2');
    const chains = await tab.$eval('section[aria-label="Chains"]', (e) => e.innerText);
    check(chains.includes(ids.chains.revoked) && !chains.includes(ids.chains.active), 'home filtered: status=revoked lists only the revoked chain');
  });

  // Paging by the API's cursors: one trace per page, "Next page" links walk them all, each once.
  {
    problems = [];
    await tab.setViewport({ width: 1280, height: 900 });
    await tab.goto(`${base}/ui?limit=1`, { waitUntil: 'networkidle0' });
    await settle();
    const seen = [];
    for (let i = 0; i < 6; i++) {
      seen.push(...await tab.$$eval('section[aria-label="Traces"] tbody a', (as) => as.map((a) => a.textContent)));
      const next = await tab.$('section[aria-label="Traces"] a[rel="next"]');
      if (!next) break;
      await next.click();
      await tab.waitForFunction((n) => new URLSearchParams(location.search).get('tcursor') && !document.querySelector('[aria-busy="true"]')
        && document.querySelectorAll('section[aria-label="Traces"] tbody a').length === 1
        && document.querySelector('section[aria-label="Traces"] tbody a').textContent !== n, { timeout: 10000 }, seen[seen.length - 1]);
    }
    check(JSON.stringify(seen) === JSON.stringify(['tr-ui-3', 'tr-ui-2', 'tr-ui-1']),
      `paging: limit=1 walks the traces newest first, each once, by next_cursor (${seen.join()})`);
    check(problems.length === 0, `paging: no console error or failed request${problems.length ? ': ' + problems.join(' | ') : ''}`);
  }

  await visit('trace', '/ui/traces/tr-ui-1', async (t) => {
    check((await attrs('[data-verdict]', 'data-verdict')).join() === 'VALID', 'trace: the export verifies in the browser: VALID');
    const hv = await attrs('[data-hop-verdict]', 'data-hop-verdict');
    check(hv.length === 3 && hv.every((v) => v === 'VALID'), `trace: 3 hops, each VALID (${hv.join()})`);
    check(t.includes(`${cliGood.checks.length} checks, 0 failed`), `trace: the report has the CLI's ${cliGood.checks.length} checks`);
    check(await count('svg.lineage g[data-kind="hop"]') === 3, 'trace lineage: 3 hop nodes');
    const cids = await count('svg.lineage g[data-kind="cid"]');
    check(cids === 2, `trace lineage: 2 CID nodes (hops 0 and 2 carry the same payload) (${cids})`);
    const shared = await tab.$$eval('svg.lineage path.edge', (ps) => {
      const to = {};
      for (const p of ps) if (p.dataset.to.startsWith('cid:')) (to[p.dataset.to] ??= new Set()).add(p.dataset.from);
      return Math.max(...Object.values(to).map((s) => s.size));
    });
    check(shared === 2, 'trace lineage: one CID linked from two hops');
  });

  await visit('chain', `/ui/chains/${ids.chains.active}`, async (t) => {
    check((await attrs('[data-verdict]', 'data-verdict')).join() === 'VALID', 'chain: the certificate bundle verifies: VALID');
    check((await attrs('[data-events]', 'data-events')).join() === '3', 'chain: 3 events');
    check((await attrs('[data-status]', 'data-status')).join() === 'certified,active', 'chain: certified, certificate active');
    check(await count('ol.timeline li') === 3, 'chain: a timeline of 3 events');
    check(await count('svg.lineage g[data-kind="event"]') === 3 && await count('svg.lineage g[data-kind="cert"]') === 1,
      'chain lineage: 3 events, 1 certificate');
    check(t.includes(ids.certs.active), 'chain: its certificate id');
  });

  await visit('chain-superseded', `/ui/chains/${ids.chains.old}`, async (t) => {
    check((await attrs('[data-verdict]', 'data-verdict')).join() === 'INVALID', 'superseded chain: INVALID');
    check(t.includes('certificate_superseded'), 'superseded chain: the failing check is certificate_superseded');
    check(await count(`a[href="/ui/certificates/${ids.certs.successor}"]`) >= 1, 'superseded chain: links to the superseding certificate');
    const certs = await attrs('svg.lineage g[data-kind="cert"]', 'data-node');
    check(certs.join() === `cert:${ids.certs.old},cert:${ids.certs.successor}`, 'chain lineage: certificate → the one superseding it');
  });

  await visit('certificate-revoked', `/ui/certificates/${ids.certs.revoked}`, async (t) => {
    check((await attrs('[data-verdict]', 'data-verdict')).join() === 'INVALID', 'revoked certificate: INVALID');
    check((await attrs('[data-status]', 'data-status')).join() === 'revoked', 'revoked certificate: status revoked');
    check(t.includes('certificate_revoked') && t.includes('key compromise'), 'revoked certificate: the reason code and the reason');
    check(await count(`a[href="/ui/chains/${ids.chains.revoked}"]`) >= 1, 'revoked certificate: links to its chain');
    check(await count('dd a[href^="/ui/log/"]') === 1, 'revoked certificate: links to its log entry');
  });

  await visit('proof', `/ui/proofs/${ids.proof}`, async (t) => {
    check((await attrs('[data-verdict]', 'data-verdict')).join() === 'VALID' && t.includes('proof_record'),
      'proof record: VALID (its HMAC seal under the public default key), kind proof_record');
  });

  await visit('log', '/ui/log', async (t) => {
    const n = await count('article[data-size]');
    check(n >= 1, `log: ${n} checkpoint(s)`);
    const roles = await tab.$$eval('article[data-size]', (as) => as.map((a) => a.innerText));
    check(roles[0].includes(witness) && roles[0].includes('cosignature') && roles[0].includes(cosigned.split('\n')[0]),
      `log: the newest checkpoint shows the log's signature and ${witness}'s cosignature`);
    check(t.includes(cosigned.split('\n')[2]), 'log: the cosigned checkpoint\'s root hash');
    check(await count('table tbody tr a[href^="/ui/log/"]') >= 1, 'log: entries, each linked');
  });

  const proofIndex = (await (await fetch(`${base}/v1/proofs?limit=1`)).json()).items[0].log_index;
  await visit('log-entry', `/ui/log/${proofIndex}`, async (t) => {
    check(t.includes(`Log entry ${proofIndex}`) && t.includes('proof/proof_record') && t.includes('c2sp.org/tlog-proof@v1'),
      `log entry ${proofIndex}: the proof record's entry and its inclusion proof`);
    check(await count(`a[href="/ui/proofs/${ids.proof}"]`) === 1, 'log entry: links to the proof record');
  });

  await visit('verify', '/ui/verify', async () => {
    const input = await tab.$('#file');
    await input.uploadFile(path.join(gw.work, 'export.json'));
    await tab.waitForSelector('#result [data-verdict]', { timeout: 30000 });
    check((await attrs('#result [data-verdict]', 'data-verdict')).join() === 'VALID', 'verify: the untampered export (file picker): VALID');
    // A synthesized drop of the tampered export.
    await tab.evaluate((doc) => {
      const dt = new DataTransfer();
      dt.items.add(new File([doc], 'export-tampered.json', { type: 'application/json' }));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, tamperedText);
    await tab.waitForFunction(() => document.querySelector('#result')?.innerText.includes('export-tampered.json')
      && document.querySelector('#result [data-verdict]'), { timeout: 30000 });
    check((await attrs('#result [data-verdict]', 'data-verdict')).join() === 'INVALID', 'verify: the tampered export (dropped): INVALID');
    const first = await tab.$eval('#result .first-failure', (e) => e.textContent);
    check(first.includes(cliFirstFail.check) && first.includes(cliFirstFail.code),
      `verify: the failing check named as the C CLI names it (${cliFirstFail.check} ${cliFirstFail.code}): ${first}`);
    // An OpenExecution bundle (the active certificate's), pasted: VALID, kind oe_bundle, as the C CLI says.
    const oe = await (await fetch(`${base}/api/v1/provenance/bundle/${ids.certs.active}`)).text();
    writeFileSync(path.join(gw.work, 'oe.json'), oe);
    const cliOe = cli('oe.json');
    await tab.$eval('#paste', (e, v) => { e.value = v; }, oe);
    await tab.click('form[aria-label="Paste a document"] button');
    await tab.waitForFunction(() => document.querySelector('#result')?.innerText.includes('the pasted document')
      && document.querySelector('#result [data-verdict]'), { timeout: 30000 });
    const oeText = await tab.$eval('#result', (e) => e.innerText);
    check(cliOe.valid && (await attrs('#result [data-verdict]', 'data-verdict')).join() === 'VALID' && oeText.includes('oe_bundle'),
      'verify: an OpenExecution bundle (pasted): VALID, oe_bundle, as the C CLI says');
    // A proof record: without a key its HMAC seal cannot be checked (INVALID, proof_hmac_key_missing); with the box
    // "accept the public default key" ticked, VALID.
    const proofText = await (await fetch(`${base}/v1/proofs/${ids.proof}`)).text();
    writeFileSync(path.join(gw.work, 'proof.json'), proofText);
    for (const [tick, want, code] of [[false, 'INVALID', 'proof_hmac_key_missing'], [true, 'VALID', null]]) {
      if (tick) await tab.click('#allow-default-hmac');
      await input.uploadFile(path.join(gw.work, tick ? 'oe.json' : 'export.json')); // another name first: a new render
      await tab.waitForFunction(() => !document.querySelector('#result')?.innerText.includes('proof.json'), { timeout: 30000 });
      await input.uploadFile(path.join(gw.work, 'proof.json'));
      await tab.waitForFunction(() => document.querySelector('#result')?.innerText.includes('Result for proof.json'), { timeout: 30000 });
      const got = (await attrs('#result [data-verdict]', 'data-verdict')).join();
      const res = await tab.$eval('#result', (e) => e.innerText);
      check(got === want && (!code || res.includes(code)),
        `verify: a proof record ${tick ? 'with' : 'without'} the default key: ${want}${code ? ' (' + code + ')' : ''} (${got})`);
    }
    await tab.click('#allow-default-hmac');
    // Back to the tampered export for the check-by-check comparison.
    await input.uploadFile(path.join(gw.work, 'export-tampered.json'));
    await tab.waitForFunction(() => document.querySelector('#result')?.innerText.includes('export-tampered.json')
      && document.querySelector('#result [data-verdict]'), { timeout: 30000 });
    const rows = await tab.$$eval('#result tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent,
      tr.children[1].textContent]));
    const want = cliBad.checks.map((c) => [c.check, c.ok ? 'ok' : c.code]);
    check(JSON.stringify(rows) === JSON.stringify(want), `verify: the report check by check equals prova verify --json's (${rows.length} checks)`);
  });

  // In-view navigation: a click on a trace link renders the trace without reloading.
  problems = [];
  await tab.setViewport({ width: 1280, height: 900 });
  await tab.goto(`${base}/ui`, { waitUntil: 'networkidle0' });
  await settle();
  await tab.evaluate(() => { window.__noReload = true; });
  await tab.click('a[href="/ui/traces/tr-ui-2"]');
  await tab.waitForFunction(() => location.pathname === '/ui/traces/tr-ui-2' && document.querySelector('[data-verdict]'), { timeout: 30000 });
  check(await tab.evaluate(() => window.__noReload === true), 'navigation: a link click renders in place (no reload)');
  check((await attrs('[data-hop-verdict]', 'data-hop-verdict')).join() === 'VALID', 'navigation: tr-ui-2 has 1 VALID hop');
  await tab.goBack();
  await tab.waitForFunction(() => location.pathname === '/ui', { timeout: 10000 });
  await settle();
  check((await text()).includes('tr-ui-1'), 'navigation: back returns to the list');
  check(problems.length === 0, `navigation: no console error or failed request${problems.length ? ': ' + problems.join(' | ') : ''}`);
  console.log(`screenshots: ${shotDir}`);
} catch (e) {
  check(false, `the test ran to its end: ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  await gw.stop();
}
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
