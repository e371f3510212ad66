// Differential tests of OPE receipts, chains and bundles against the C CLI (PROVA_CLI, default
// /work/main/build/prova; skipped when absent). The whole report is compared, byte for byte (checks with names,
// codes, pointers and messages; warnings; unauthenticated_fields; keys with their source "jwks:<path>"):
//   - receipts appended by `prova receipt append` verify here (one, JSON array, JSON Lines), and buildReceipt
//     rebuilds each of them byte for byte; `prova bundle` and buildBundle give the same bytes in every form;
//   - what TS builds verifies in the CLI, and tampered copies of everything give the same report on both sides;
//   - a running gateway (`prova serve`): its receipts and export verify here with its published JWKS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Key, parse, packEnvelope, buildReceipt, buildBundle, verify, canonicalString } from '../dist/index.js';

const cli = process.env.PROVA_CLI ?? '/work/main/build/prova';
const conf = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const NOW = '2026-01-01T00:00:00Z';
const gwJwk = conf + 'keys/ope-gateway.jwk';
const gwJwks = conf + 'keys/ope-gateway.jwks';
const senderJwks = conf + 'keys/ope-sender.jwks';
const haveCli = existsSync(cli) && existsSync(gwJwk);

function run(args, input) {
  try {
    return { out: execFileSync(cli, args, { encoding: 'utf8', input }), status: 0 };
  } catch (e) {
    return { out: e.stdout, status: e.status };
  }
}

/** The CLI's report of text (prova verify --json), as its JSON text. */
function cReport(text, jwks = [gwJwks]) {
  const dir = mkdtempSync(tmpdir() + '/prova-opediff-');
  try {
    writeFileSync(dir + '/doc', text);
    return run(['verify', '--json', '--now', NOW, ...jwks.flatMap((f) => ['--jwks', f]), dir + '/doc']).out.trimEnd();
  } finally {
    rmSync(dir, { recursive: true });
  }
}

async function tsReport(text, jwks = [gwJwks]) {
  // one jwks option per file, as the CLI adds one source per --jwks
  let keys;
  for (const f of jwks) {
    const r = await import('../dist/index.js');
    keys ??= new r.KeySet();
    await keys.addJwks(readFileSync(f, 'utf8'), 'jwks:' + f);
  }
  return (await verify(text, { keys, now: NOW })).toJSONString();
}

async function same(text, label, jwks) {
  const c = cReport(text, jwks);
  const t = await tsReport(text, jwks);
  assert.equal(t, c, `${label}: the TS report differs from the CLI's`);
  return JSON.parse(t);
}

/** Copies of a JSON text with one change each: [label, text]. */
function mutations(text, edits) {
  const out = [];
  for (const [label, fn] of edits) {
    const v = JSON.parse(text);
    const r = fn(v);
    out.push([label, JSON.stringify(r === undefined ? v : r)]);
  }
  return out;
}

const receiptEdits = [
  ['hop+1', (r) => { r.hop += 1; }],
  ['hop string', (r) => { r.hop = '0'; }],
  ['policy', (r) => { r.policy = { passed: false, rules: [] }; }],
  ['hash', (r) => { r.receipt_hash = r.receipt_hash.replace(/^./, (c) => (c === '0' ? '1' : '0')); }],
  ['hash prefixed', (r) => { r.receipt_hash = 'sha256:' + r.receipt_hash; }],
  ['signature', (r) => { r.receipt_signature = r.receipt_signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')); }],
  ['signature not b64', (r) => { r.receipt_signature = '!!!'; }],
  ['kid unknown', (r) => { r.gateway_kid = 'ed25519-0000000000000000'; }],
  ['no kid', (r) => { delete r.gateway_kid; }],
  ['trace', (r) => { r.trace_id = 'other'; }],
  ['ts', (r) => { r.ts = '2025-12-31T23:59:59Z'; }],
  ['ts number', (r) => { r.ts = 5; }],
  ['extra member', (r) => { r.note = 'x'; }],
  ['no prev member', (r) => { delete r.prev_receipt_hash; }],
  ['lite', (r) => { delete r.receipt_signature; }],
];

const chainEdits = [
  ['drop first', (a) => a.slice(1)],
  ['drop middle', (a) => [a[0], ...a.slice(2)]],
  ['reorder', (a) => [a[1], a[0], ...a.slice(2)]],
  ['duplicate', (a) => [a[0], ...a]],
  ['tamper one', (a) => { a[1].policy = { passed: false, rules: ['x'] }; }],
  ['mixed lite', (a) => { delete a[1].receipt_signature; a[1].receipt_hash = 'sha256:' + a[1].receipt_hash; }],
  ['prev empty', (a) => { a[0].prev_receipt_hash = ''; }],
];

const bundleEdits = {
  starter: [
    ['bundle_cid', (b) => { b.bundle_cid = b.bundle_cid.replace(/.$/, (c) => (c === '0' ? '1' : '0')); }],
    ['exported_at', (b) => { b.bundle.exported_at = '2026-01-01T00:00:00Z'; }],
    ['count', (b) => { b.bundle.count += 1; }],
    ['chain_valid false', (b) => { b.bundle.chain_valid = false; }],
    ['receipt removed', (b) => { b.bundle.receipts.splice(1, 1); }],
    ['signature', (b) => { b.bundle_signature = b.bundle_signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')); }],
    ['transparency', (b) => { b.transparency = { proof: [] }; }],
    ['kid unknown', (b) => { b.bundle.gateway_kid = 'nope'; }],
    ['no signature', (b) => { delete b.bundle_signature; b.signature = 'x'; }],
  ],
  'ope-lib': [
    ['no kid', (b) => { delete b.kid; }],
    ['kid other', (b) => { b.kid = 'ed25519-0000000000000000'; }],
    ['trace', (b) => { b.bundle.trace_id = 'other'; }],
    ['opaque receipts', (b) => { b.bundle.receipts = b.bundle.receipts.map((r, i) => ({ hop: i, receipt_hash: 'h' + i, prev_receipt_hash: i ? 'h' + (i - 1) : null })); }],
    ['opaque receipts broken', (b) => { b.bundle.receipts = b.bundle.receipts.map((r, i) => ({ hop: i ? i + 1 : 0, receipt_hash: 'h' + i, prev_receipt_hash: i ? 'h' + i : 'x' })); }],
    ['extra', (b) => { b.extra = 1; }],
  ],
  flat: [
    ['no kid', (b) => { delete b.kid; }],
    ['kid other', (b) => { b.kid = 'ed25519-0000000000000000'; }],
    ['bundle_cid', (b) => { b.bundle_cid = 'sha256:' + '0'.repeat(64); }],
    ['extra member', (b) => { b.extra = 1; }],
    ['receipt tampered', (b) => { b.receipts[0].hop = 7; }],
    ['signature not b64', (b) => { b.bundle_signature = '***'; }],
    ['kid not string', (b) => { b.kid = 5; }],
  ],
};

test('OPE receipts and bundles: TS and the CLI build the same bytes and give the same reports, also tampered', { skip: !haveCli && 'no prova CLI' }, async (t) => {
  const dir = mkdtempSync(tmpdir() + '/prova-opediff-');
  try {
    const sender = await Key.fromJwk(readFileSync(conf + 'keys/ope-sender.jwk', 'utf8'));
    const gw = await Key.fromJwk(readFileSync(gwJwk, 'utf8'));
    const trace = 'a1b2c3d4-0000-4000-8000-00000000abcd';
    // The CLI appends three receipts (envelopes packed here, one with non-ASCII text).
    const chain = dir + '/chain.jsonl';
    for (let i = 0; i < 3; i++) {
      const env = await packEnvelope(sender, { step: i, text: i === 1 ? 'grüße' : 'x' }, { payloadType: 't', targetType: 'u', ts: '2025-12-31T23:59:3' + i + 'Z', traceId: trace });
      writeFileSync(dir + '/env.json', env);
      const r = run(['receipt', 'append', '--key', gwJwk, '--chain', chain, '--sender-jwks', senderJwks, '--ts', `2025-12-31T23:59:4${i}Z`, '--now', NOW, dir + '/env.json']);
      assert.equal(r.status, 0, r.out);
    }
    const lines = readFileSync(chain, 'utf8');
    const cliReceipts = lines.trim().split('\n');
    assert.equal(cliReceipts.length, 3);
    // buildReceipt rebuilds each byte for byte.
    let prev = null;
    for (const text of cliReceipts) {
      const r = JSON.parse(text);
      const mine = await buildReceipt(gw, prev, { traceId: r.trace_id, ts: r.ts, createdAt: r.created_at, requestCid: r.request_cid, normalizedCid: r.normalized_cid, policy: r.policy });
      assert.equal(mine, text);
      prev = parse(text);
    }
    // The chain in every shape, verified on both sides.
    let n = 0;
    const arrayText = '[' + cliReceipts.join(',') + ']';
    for (const [label, text] of [['jsonl', lines], ['jsonl crlf blank lines', '\n' + cliReceipts.join('\r\n\n') + '\n'], ['array', arrayText], ['one', cliReceipts[0]], ['second alone', cliReceipts[1]]]) {
      const rep = await same(text, label);
      assert.equal(rep.valid, label !== 'second alone' || rep.kind === 'ope_receipt', label);
      n++;
    }
    assert.equal((await same(lines, 'no keys', [])).valid, false);
    // Bundles: same bytes as `prova bundle`, valid on both sides.
    const bundles = {};
    for (const form of ['starter', 'ope-lib', 'flat']) {
      const r = run(['bundle', '--key', gwJwk, '--chain', chain, '--trace-id', trace, '--form', form, '--exported-at', '2025-12-31T23:59:59Z']);
      assert.equal(r.status, 0, r.out);
      const mine = await buildBundle(gw, trace, '2025-12-31T23:59:59Z', arrayText, form);
      assert.equal(mine, r.out.trimEnd(), `bundle form ${form}`);
      assert.equal((await same(mine, `bundle ${form}`)).valid, true);
      bundles[form] = mine;
      n++;
    }
    // TS-built receipts (a longer chain with an explicit policy) verify in the CLI, in both shapes.
    const built = [];
    let p = null;
    for (let i = 0; i < 4; i++) {
      const text = await buildReceipt(gw, p, { traceId: 'ts-trace', ts: `2025-12-31T23:58:0${i}Z`, requestCid: 'sha256:' + String(i).repeat(64), policy: { passed: i !== 2, rules: ['amount<=1000', { n: 1.5 }] } });
      built.push(text);
      p = parse(text);
    }
    assert.equal((await same('[' + built.join(',') + ']', 'ts chain')).valid, true);
    assert.equal((await same(built.join('\n'), 'ts chain jsonl')).valid, true);
    for (const form of ['starter', 'ope-lib', 'flat']) {
      assert.equal((await same(await buildBundle(gw, 'ts-trace', '2025-12-31T23:59:00Z', '[' + built.join(',') + ']', form), `ts bundle ${form}`)).valid, true);
    }
    // Tampered copies: the same report on both sides.
    for (const [label, text] of mutations(cliReceipts[0], receiptEdits)) { await same(text, `receipt ${label}`); n++; }
    for (const [label, text] of mutations(arrayText, chainEdits)) {
      await same(text, `chain ${label}`);
      await same(JSON.parse(text).map((r) => JSON.stringify(r)).join('\n'), `chain jsonl ${label}`);
      n += 2;
    }
    for (const [form, edits] of Object.entries(bundleEdits)) {
      for (const [label, text] of mutations(bundles[form], edits)) { await same(text, `bundle ${form} ${label}`); n++; }
    }
    // JSON Lines with a line that is not a receipt, or does not parse.
    await same(lines + '{"a":1}\n', 'jsonl non-receipt line');
    await same(lines + '{"a":\n', 'jsonl broken line');
    await same(cliReceipts[0] + '\n' + cliReceipts[2] + '\n' + 'tail', 'jsonl broken after a failure');
    n += 3;
    t.diagnostic(`${n} documents: same bytes and the same reports in TS and the CLI`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a long JSON Lines chain (over 1000 receipts): the same summarized report as the CLI', { skip: !haveCli && 'no prova CLI' }, async () => {
  const gw = await Key.fromJwk(readFileSync(gwJwk, 'utf8'));
  const out = [];
  let p = null;
  for (let i = 0; i < 1003; i++) {
    const text = await buildReceipt(gw, p, { traceId: 'long', ts: '2025-12-31T23:00:00Z', requestCid: 'sha256:' + 'a'.repeat(64) });
    out.push(text);
    p = parse(text);
  }
  out[1001] = out[1001].replace('"hop":1001', '"hop":1002'); // a failure beyond the detail limit is still listed
  const rep = await same(out.join('\n'), 'long jsonl');
  assert.ok(rep.checks.some((c) => c.check === 'chain.summary'));
  await same('[' + out.join(',') + ']', 'long array');
});

test('lite receipts (unsigned, a global chain) and bundles of them: the same reports as the CLI', { skip: !haveCli && 'no prova CLI' }, async (t) => {
  // odin.md §3.2: receipt_hash = "sha256:" + hex SHA-256 of the canonical receipt without receipt_hash; hop 0.
  const lite = [];
  let prev = null;
  for (let i = 0; i < 4; i++) {
    const r = { trace_id: i % 2 ? 'lite-b' : 'lite-a', hop: 0, prev_receipt_hash: prev, ts: `2025-12-31T23:50:0${i}Z`, request_cid: 'sha256:' + 'b'.repeat(64) };
    r.receipt_hash = 'sha256:' + createHash('sha256').update(canonicalString(r, 'ope')).digest('hex');
    prev = r.receipt_hash;
    lite.push(JSON.stringify(r));
  }
  const arr = '[' + lite.join(',') + ']';
  const rep = await same(arr, 'lite chain');
  assert.equal(rep.valid, true);
  assert.ok(rep.warnings.some((w) => w.code === 'unsigned'));
  await same(lite.join('\n'), 'lite jsonl');
  await same(lite[2], 'lite one');
  let n = 3;
  for (const [label, text] of mutations(arr, [
    ['hash', (a) => { a[1].ts = '2025-12-31T23:59:59Z'; }],
    ['link', (a) => { a[2].prev_receipt_hash = a[0].receipt_hash; }],
    ['signed among lite', (a) => { a[1].receipt_signature = 'x'; }],
    ['uppercase hash', (a) => { a[0].receipt_hash = a[0].receipt_hash.toUpperCase(); }],
  ])) { await same(text, `lite chain ${label}`); n++; }
  const gw = await Key.fromJwk(readFileSync(gwJwk, 'utf8'));
  for (const form of ['starter', 'ope-lib', 'flat']) {
    const b = await buildBundle(gw, 'lite-a', '2025-12-31T23:59:00Z', arr, form);
    assert.equal((await same(b, `lite bundle ${form}`)).valid, true);
    n++;
  }
  t.diagnostic(`${n} lite documents: same reports`);
});

async function freePort() {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => res(port));
    });
  });
}

test('the gateway (prova serve): its receipts and its export verify here with its JWKS', { skip: !haveCli && 'no prova CLI' }, async (t) => {
  const dir = mkdtempSync(tmpdir() + '/prova-opegw-');
  const port = await freePort();
  const data = dir + '/var';
  const srv = spawn(cli, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data, '--trusted-senders', senderJwks], { stdio: 'ignore' });
  try {
    const base = `http://127.0.0.1:${port}`;
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      try { up = (await fetch(base + '/health')).ok; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    assert.ok(up, 'the gateway did not start');
    const token = run(['serve', '--print-token', '--data', data]).out.trim();
    const sender = await Key.fromJwk(readFileSync(conf + 'keys/ope-sender.jwk', 'utf8'));
    const trace = 'b1b2c3d4-0000-4000-8000-00000000beef';
    const receipts = [];
    for (let i = 0; i < 3; i++) {
      // a registered pair (the receipt then carries "sft":{id,version}, docs/transforms.md) and an identity
      const [payloadType, targetType] = i === 1 ? ['t', 't'] : ['invoice.vendor.v1', 'invoice.iso20022.v1'];
      const env = await packEnvelope(sender, { i, note: 'é', invoice_id: 'INV-' + i }, { payloadType, targetType, ts: new Date().toISOString(), traceId: trace, dialect: i === 1 ? 'starter' : 'prova' });
      const r = await fetch(base + '/v1/odin/envelope', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: env });
      const body = await r.text();
      assert.equal(r.status, 200, body);
      const j = JSON.parse(body);
      receipts.push(j.receipt ?? j);
    }
    assert.deepEqual(receipts[0].sft, { id: 'odin.vendor_to_iso20022', version: '1' });
    assert.equal(receipts[1].sft, undefined);
    const jwks = await (await fetch(base + '/.well-known/jwks.json')).text();
    writeFileSync(dir + '/gw.jwks', jwks);
    const exp = await (await fetch(`${base}/v1/receipts/export/${trace}`, { headers: { authorization: 'Bearer ' + token } })).text();
    const chainText = JSON.stringify(receipts);
    const jw = [dir + '/gw.jwks'];
    assert.equal((await same(chainText, 'gateway receipts', jw)).valid, true);
    assert.equal((await same(exp, 'gateway export', jw)).valid, true);
    assert.equal((await verify(exp, { jwks, now: new Date().toISOString() })).outcome, 'valid');
    t.diagnostic(`gateway chain of ${receipts.length} receipts (two with an sft member) and its export: valid here and in the CLI, same reports`);
  } finally {
    srv.kill('SIGTERM');
    await new Promise((r) => srv.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
