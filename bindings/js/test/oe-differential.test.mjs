// OpenExecution against the C CLI (PROVA_CLI, default /work/main/build/prova; skipped when absent):
//  - building: `prova oe new|append|resolve|certify|revoke|supersede` and oeChainNew/oeChainAppend/oeChainResolve/
//    oeCertify/oeSetStatus give the same bytes (Ed25519 is deterministic; ECDSA signatures are random, so those
//    bundles are compared without their signatures and cross-verified);
//  - verification: bundles and chains built on either side verify on both, and tampered ones (payload edited, event
//    removed, certificate signature changed, wrong key, revoked, superseded) fail with the same codes in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Key, KeySet, verify, parse, sigAvailable, oeChainNew, oeChainAppend, oeChainResolve, oeCertify, oeSetStatus,
  verifyOe, ProvaError } from '../dist/index.js';

const cli = process.env.PROVA_CLI ?? '/work/main/build/prova';
const conf = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const NOW = '2026-01-01T00:00:00Z';
const have = existsSync(cli);

function run(args, { ok = true } = {}) {
  try {
    return execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (ok) throw new Error(`prova ${args.join(' ')}: ${e.stderr}`);
    return e.stdout;
  }
}
// The whole report but messages and sdk_result (which the TypeScript package does not produce).
const full = (j) => ({
  kind: j.kind, outcome: j.outcome, valid: j.valid, checks: j.checks.map((c) => [c.check, c.ok, c.code, c.at]),
  warnings: j.warnings.map((w) => [w.code, w.at]), unauthenticated_fields: j.unauthenticated_fields ?? [], keys: j.keys ?? [],
});
const codes = (j) => ({ valid: j.valid, kind: j.kind, outcome: j.outcome, failed: [...new Set(j.checks.filter((c) => !c.ok).map((c) => c.code))].sort(), warnings: [...new Set(j.warnings.map((w) => w.code))].sort() });

async function both(dir, text, jwks, hashAlg) {
  writeFileSync(dir + '/v.json', text);
  const cj = JSON.parse(run(['verify', '--json', '--now', NOW, ...(jwks ? ['--jwks', jwks] : []), ...(hashAlg ? ['--hash-alg', hashAlg] : []), dir + '/v.json'], { ok: false }));
  const c = codes(cj);
  const keys = new KeySet();
  if (jwks) await keys.addJwks(readFileSync(jwks, 'utf8'), 'jwks:' + jwks);
  const tj = JSON.parse((await verify(text, { keys, now: NOW, hashAlg })).toJSONString());
  const ts = codes(tj);
  // Check names, codes, at pointers, warnings, unauthenticated_fields and keys, in order (the keys' sources differ
  // only in how the file was named: jwks:<path> in both).
  assert.deepEqual(full(tj), full(cj), 'the full report: ' + text.slice(0, 60));
  delete cj.sdk_result;
  assert.equal(JSON.stringify(tj), JSON.stringify(cj), 'the report text, messages too');
  return { c, ts };
}

const ALGS = [
  ['ed25519', 'oe-ed25519', 'sha256'], ['ecdsa-p256', 'oe-p256', 'sha384'], ['ecdsa-p384', 'oe-p384', 'sha3-256'],
  ['ecdsa-p521', 'oe-p521', 'sha512'], ['ed448', 'oe-ed448', 'sha256'],
];
const EVENTS = [
  { type: 'task.created', actor: 'alice', sentiment: 'positive', at: '2025-06-01T10:00:00+02:00', payload: '{"b":[1,2.50,"é"],"a":{"z":null}}' },
  { type: 'task.reviewed', actor: null, sentiment: null, at: '2025-06-01T09:30:00.123456Z', payload: null },
  { type: 'task.closed', actor: 'bob', sentiment: 'negative', at: '2025-06-01 11:00:00Z', payload: '{"n":1e3}' },
];

for (const [sig, keyName, hashAlg] of ALGS) {
  test(`oe ${sig}/${hashAlg}: built here and by prova oe, same bytes (or cross-verified), same verdicts tampered`, async (t) => {
    if (!have) return t.skip('no prova CLI');
    if (sig === 'ed448' && !(await sigAvailable('ed448'))) return t.skip('no Ed448 in this runtime');
    const dir = mkdtempSync(tmpdir() + '/prova-oe-');
    try {
      const keyFile = conf + `keys/${keyName}.jwk`, jwks = conf + `keys/${keyName}.jwks`;
      const key = await Key.fromJwk(readFileSync(keyFile, 'utf8'));
      const chainF = dir + '/chain.json';
      const strip = (s) => s.replace(/\n$/, '');
      // new
      run(['oe', 'new', '--chain', chainF, '--id', 'chain-1', '--created-at', '2025-06-01T08:00:00Z', '--hash-alg', hashAlg, '--sig-alg', sig, '--chain-type', 'incident_response', '--origin-type', 'ticket', '--origin-id', 'T-9']);
      let mine = oeChainNew({ id: 'chain-1', createdAt: '2025-06-01T08:00:00Z', hashAlg, sigAlg: sig, chainType: 'incident_response', originType: 'ticket', originId: 'T-9' });
      assert.equal(mine, strip(readFileSync(chainF, 'utf8')), 'oe new');
      // append (the CLI picks random event ids: ours takes the CLI's)
      for (const [i, e] of EVENTS.entries()) {
        const args = ['oe', 'append', '--chain', chainF, '--type', e.type, '--created-at', e.at];
        if (e.actor) args.push('--actor', e.actor);
        if (e.sentiment) args.push('--sentiment', e.sentiment);
        if (e.payload) { writeFileSync(dir + '/p.json', e.payload); args.push(dir + '/p.json'); }
        const evText = strip(run(args));
        const p = { eventType: e.type, createdAt: e.at, id: parse(evText).id };
        if (e.actor) p.actorId = e.actor;
        if (e.sentiment) p.sentiment = e.sentiment;
        if (e.payload) p.payload = parse(e.payload);
        const r = await oeChainAppend(parse(mine), p);
        assert.equal(r.event, evText, `append ${i}: the event`);
        mine = r.chain;
        assert.equal(mine, strip(readFileSync(chainF, 'utf8')), `append ${i}: the chain`);
      }
      // resolve
      const hashOut = strip(run(['oe', 'resolve', '--chain', chainF, '--at', '2025-06-01T12:00:00Z']));
      mine = await oeChainResolve(parse(mine), '2025-06-01T12:00:00Z');
      assert.equal(mine, strip(readFileSync(chainF, 'utf8')), 'resolve');
      assert.equal(parse(mine).chain_hash, hashOut);
      // certify
      const cp = { artifactType: 'report', artifactRef: 'https://example.org/r/1', artifactTitle: 'Report 1', issuedAt: '2025-06-02T00:00:00Z', certificateId: 'cert-1' };
      run(['oe', 'certify', '--key', keyFile, '--chain', chainF, '--artifact-type', cp.artifactType, '--artifact-ref', cp.artifactRef, '--artifact-title', cp.artifactTitle, '--at', cp.issuedAt, '--certificate-id', cp.certificateId, '--out', dir + '/bundle.json']);
      const cBundle = strip(readFileSync(dir + '/bundle.json', 'utf8'));
      const mineC = await oeCertify(key, parse(mine), cp);
      assert.equal(mineC.chain, strip(readFileSync(chainF, 'utf8')), 'certify: the certified chain');
      const noSig = (s) => { const b = JSON.parse(s); delete b.certificate_signature; delete b.status.certificate_signature; delete b.status.signature; return JSON.stringify(b); };
      if (sig === 'ed25519') assert.equal(mineC.bundle, cBundle, 'certify: the bundle (Ed25519: byte for byte)');
      else assert.equal(noSig(mineC.bundle), noSig(cBundle), 'certify: the bundle but its signatures');
      // revoke / supersede
      writeFileSync(dir + '/tb.json', mineC.bundle);
      const cRev = strip(run(['oe', 'revoke', '--key', keyFile, '--reason', 'key leaked', '--at', '2025-07-01T00:00:00Z', dir + '/bundle.json']));
      const cSup = strip(run(['oe', 'supersede', '--key', keyFile, '--by', 'cert-2', '--at', '2025-07-02T00:00:00Z', dir + '/bundle.json']));
      const tRev = await oeSetStatus(key, parse(cBundle), { status: 'revoked', reason: 'key leaked', at: '2025-07-01T00:00:00Z' });
      const tSup = await oeSetStatus(key, parse(cBundle), { status: 'superseded', supersededBy: 'cert-2', at: '2025-07-02T00:00:00Z' });
      if (sig === 'ed25519') { assert.equal(tRev, cRev, 'revoke'); assert.equal(tSup, cSup, 'supersede'); }
      else { assert.equal(noSig(tRev), noSig(cRev)); assert.equal(noSig(tSup), noSig(cSup)); }
      await assert.rejects(oeSetStatus(key, parse(tRev), { status: 'superseded', supersededBy: 'x', at: NOW }), (e) => e instanceof ProvaError && e.code === 'oe_status_transition');

      // Verification: every document, built here and by the CLI, and tampered, gives the same codes in both.
      const docs = [];
      for (const [who, b] of [['ts', mineC.bundle], ['c', cBundle]]) {
        const o = JSON.parse(b);
        const m = (f) => { const x = structuredClone(o); f(x); return JSON.stringify(x); };
        docs.push([`${who} bundle`, b, jwks, true], [`${who} bundle, no keys`, b, null, true]);
        docs.push([`${who} payload edited`, m((x) => { x.chain.events[1].payload = { edited: true }; }), jwks, false]);
        docs.push([`${who} event removed`, m((x) => { x.chain.events.splice(1, 1); }), jwks, false]);
        docs.push([`${who} signature changed`, m((x) => { const s = x.certificate_signature; x.certificate_signature = s.slice(0, 10) + (s[10] === '0' ? '1' : '0') + s.slice(11); }), jwks, false]);
        docs.push([`${who} wrong key`, b, conf + 'keys/other.jwks', false]);
        docs.push([`${who} status missing`, m((x) => { delete x.status; }), jwks, true]);
        docs.push([`${who} chain`, JSON.stringify(o.chain), null, true]);
        const lines = o.chain.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
        docs.push([`${who} events`, JSON.stringify(o.chain.events), null, !hashAlg.startsWith('sha3-')]);
        docs.push([`${who} events as JSON Lines`, lines, null, !hashAlg.startsWith('sha3-')]);
        docs.push([`${who} events, --hash-alg`, JSON.stringify(o.chain.events), null, true, hashAlg]);
        docs.push([`${who} events as JSON Lines, --hash-alg`, lines, null, true, hashAlg]);
        docs.push([`${who} events as JSON Lines, one edited`, lines.replace('"task.reviewed"', '"task.REVIEWED"'), null, false, hashAlg]);
      }
      docs.push(['ts revoked', tRev, jwks, false], ['c revoked', cRev, jwks, false], ['ts superseded', tSup, jwks, false], ['c superseded', cSup, jwks, false]);
      for (const [name, text, k, valid, ha] of docs) {
        const { c, ts } = await both(dir, text, k, ha);
        assert.deepEqual(ts, c, name);
        assert.equal(ts.valid, valid, name + " " + JSON.stringify(ts));
      }
      t.diagnostic(`${docs.length} documents: the same report in TS and C (sdk_result aside)`);
    } finally { rmSync(dir, { recursive: true }); }
  });
}

test('oe: a DSSE envelope (prova export --to dsse) around an OE bundle and a chain, verified here as in C', async (t) => {
  if (!have) return t.skip('no prova CLI');
  const dir = mkdtempSync(tmpdir() + '/prova-oe-');
  try {
    const keyFile = conf + 'keys/oe-ed25519.jwk';
    const key = await Key.fromJwk(readFileSync(keyFile, 'utf8'));
    let chain = oeChainNew({ id: 'c', createdAt: '2025-01-01T00:00:00Z' });
    for (let i = 0; i < 3; i++) chain = (await oeChainAppend(parse(chain), { eventType: 'e' + i, createdAt: `2025-01-01T00:0${i}:00Z`, id: 'e' + i })).chain;
    chain = await oeChainResolve(parse(chain), '2025-01-02T00:00:00Z');
    const { bundle } = await oeCertify(key, parse(chain), { artifactType: 'a', artifactRef: 'r', issuedAt: '2025-01-03T00:00:00Z', certificateId: 'x' });
    const dkey = conf + 'keys/dsse.jwk', jwks = conf + 'keys/all.jwks';
    let n = 0;
    for (const [name, doc] of [['bundle', bundle], ['chain', chain]]) {
      writeFileSync(dir + '/d.json', doc);
      const env = run(['export', '--to', 'dsse', '--sign-key', dkey, '--jwks', conf + 'keys/oe-ed25519.jwks', dir + '/d.json']);
      const tampered = JSON.parse(env);
      tampered.payload = Buffer.from(Buffer.from(tampered.payload, 'base64').toString('utf8').replace('"e1"', '"E1"')).toString('base64');
      for (const [what, text] of [['', env], [' payload changed', JSON.stringify(tampered)]]) {
        const { c, ts } = await both(dir, text, jwks);
        assert.deepEqual(ts, c, name + what);
        n++;
      }
    }
    t.diagnostic(`${n} DSSE envelopes: same codes`);
  } finally { rmSync(dir, { recursive: true }); }
});

test('oe: every verify/oe.json fixture gives the CLI\'s report (all but sdk_result, messages included)', async (t) => {
  if (!have || !existsSync(conf + 'fixtures/verify/oe.json')) return t.skip('no prova CLI or fixtures');
  const dir = mkdtempSync(tmpdir() + '/prova-oe-');
  try {
    let n = 0;
    for (const c of JSON.parse(readFileSync(conf + 'fixtures/verify/oe.json', 'utf8')).cases) {
      if ((c.requires ?? []).includes('ed448') && !(await sigAvailable('ed448'))) continue;
      const o = c.options ?? {};
      const doc = c.document ?? Buffer.from(c.document_base64, 'base64');
      writeFileSync(dir + '/v.json', doc);
      const args = ['verify', '--json', '--now', o.now ?? NOW, ...(o.hash_alg ? ['--hash-alg', o.hash_alg] : [])];
      const keys = new KeySet();
      for (const j of o.jwks ?? []) { args.push('--jwks', conf + j); await keys.addJwks(readFileSync(conf + j, 'utf8'), 'jwks:' + conf + j); }
      const cj = JSON.parse(run([...args, dir + '/v.json'], { ok: false }));
      delete cj.sdk_result;
      const tj = (await verify(doc, { keys, now: o.now, hashAlg: o.hash_alg })).toJSONString();
      assert.equal(tj, JSON.stringify(cj), c.id);
      n++;
    }
    t.diagnostic(`${n} fixtures: the same report text`);
  } finally { rmSync(dir, { recursive: true }); }
});

test('oe building: the same reason codes as prova oe for refused operations', async (t) => {
  if (!have) return t.skip('no prova CLI');
  const dir = mkdtempSync(tmpdir() + '/prova-oe-');
  const cliCode = (args) => {
    try { execFileSync(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] }); return 'ok'; }
    catch (e) { const m = /\(([a-z0-9_]+)\)\s*$/.exec(String(e.stderr)); return m ? m[1] : String(e.stderr); }
  };
  const tsCode = async (f) => { try { await f(); return 'ok'; } catch (e) { return e.code ?? String(e); } };
  try {
    const ed = conf + 'keys/oe-ed25519.jwk', p256 = conf + 'keys/oe-p256.jwk', other = conf + 'keys/other.jwk';
    const edKey = await Key.fromJwk(readFileSync(ed, 'utf8')), pKey = await Key.fromJwk(readFileSync(p256, 'utf8'));
    const otherKey = await Key.fromJwk(readFileSync(other, 'utf8'));
    const f = dir + '/c.json';
    let chain = oeChainNew({ id: 'c', createdAt: '2025-01-01T00:00:00Z' });
    chain = (await oeChainAppend(parse(chain), { eventType: 'a', createdAt: '2025-01-01T00:00:00Z', id: 'e1' })).chain;
    writeFileSync(f, chain);
    const cert = ['oe', 'certify', '--chain', f, '--artifact-type', 't', '--artifact-ref', 'r', '--at', '2025-01-02T00:00:00Z'];
    const cp = { artifactType: 't', artifactRef: 'r', issuedAt: '2025-01-02T00:00:00Z' };
    const cases = [
      ['certify an open chain', [...cert, '--key', ed], () => oeCertify(edKey, parse(chain), cp)],
    ];
    const resolved = await oeChainResolve(parse(chain), '2025-01-02T00:00:00Z');
    const f2 = dir + '/r.json';
    writeFileSync(f2, resolved);
    const cert2 = cert.map((a) => (a === f ? f2 : a));
    cases.push(['append to a resolved chain', ['oe', 'append', '--chain', f2, '--type', 'x', '--created-at', '2025-01-03T00:00:00Z'], () => oeChainAppend(parse(resolved), { eventType: 'x', createdAt: '2025-01-03T00:00:00Z' })]);
    cases.push(['resolve twice', ['oe', 'resolve', '--chain', f2, '--at', '2025-01-03T00:00:00Z'], () => oeChainResolve(parse(resolved), '2025-01-03T00:00:00Z')]);
    cases.push(['certify with a key of another algorithm', [...cert2, '--key', p256], () => oeCertify(pKey, parse(resolved), cp)]);
    const tampered = JSON.parse(resolved); tampered.events[0].payload = { x: 1 };
    writeFileSync(dir + '/t.json', JSON.stringify(tampered));
    cases.push(['certify a tampered chain', cert2.map((a) => (a === f2 ? dir + '/t.json' : a)).concat(['--key', ed]), () => oeCertify(edKey, tampered, cp)]);
    const { bundle } = await oeCertify(edKey, parse(resolved), { ...cp, certificateId: 'x' });
    writeFileSync(dir + '/b.json', bundle);
    cases.push(['revoke with another key', ['oe', 'revoke', '--key', other, '--at', '2025-02-01T00:00:00Z', dir + '/b.json'], () => oeSetStatus(otherKey, parse(bundle), { status: 'revoked', at: '2025-02-01T00:00:00Z' })]);
    const rev = await oeSetStatus(edKey, parse(bundle), { status: 'revoked', at: '2025-02-01T00:00:00Z' });
    writeFileSync(dir + '/rv.json', rev);
    cases.push(['revoke twice', ['oe', 'revoke', '--key', ed, '--at', '2025-02-02T00:00:00Z', dir + '/rv.json'], () => oeSetStatus(edKey, parse(rev), { status: 'revoked', at: '2025-02-02T00:00:00Z' })]);
    cases.push(['a bad chain type', ['oe', 'new', '--chain', dir + '/n.json', '--chain-type', 'nope', '--created-at', '2025-01-01T00:00:00Z'], () => oeChainNew({ chainType: 'nope', createdAt: '2025-01-01T00:00:00Z' })]);
    cases.push(['a bad timestamp', ['oe', 'new', '--chain', dir + '/n2.json', '--created-at', '2025-13-01T00:00:00Z'], () => oeChainNew({ createdAt: '2025-13-01T00:00:00Z' })]);
    for (const [name, args, fn] of cases) {
      const c = cliCode(args), ts = await tsCode(fn);
      assert.notEqual(ts, 'ok', name);
      assert.equal(ts, c, name);
    }
    t.diagnostic(`${cases.length} refused operations: the same codes`);
  } finally { rmSync(dir, { recursive: true }); }
});
