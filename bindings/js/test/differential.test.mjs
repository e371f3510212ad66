// Differential tests against the C CLI (PROVA_CLI, default /work/main/build/prova; skipped when absent): proof
// records and DSSE envelopes made here verify there, and tampered ones fail there with the codes we give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Key, KeySet, verify, proofSign, parseProof, proofKeyDecode, dsseSign, intotoStatement } from '../dist/index.js';

const cli = process.env.PROVA_CLI ?? '/work/main/build/prova';
const conf = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const HMAC = 'O1E786i3mrsVxzgvxmbX76hBRZx3Gpu7luwZdIOHmcA=';

function cVerify(text, args) {
  const dir = mkdtempSync(tmpdir() + '/prova-diff-');
  try {
    writeFileSync(dir + '/doc.json', text);
    let out;
    try { out = execFileSync(cli, ['verify', '--json', '--now', '2026-01-01T00:00:00Z', ...args, dir + '/doc.json'], { encoding: 'utf8' }); }
    catch (e) { out = e.stdout; }
    return JSON.parse(out);
  } finally { rmSync(dir, { recursive: true }); }
}
const codes = (j) => ({ valid: j.valid, kind: j.kind, failed: [...new Set(j.checks.filter((c) => !c.ok).map((c) => c.code))].sort(), warnings: [...new Set(j.warnings.map((w) => w.code))].sort() });

test('proof records and DSSE envelopes signed here: same report codes in the C CLI, also tampered', async (t) => {
  if (!existsSync(cli) || !existsSync(conf + 'fixtures/signing.json')) return t.skip('no prova CLI or fixtures');
  const base = JSON.parse(readFileSync(conf + 'fixtures/signing.json', 'utf8')).cases.find((c) => c.op === 'proof_sign').input.record;
  const attest = await Key.fromJwk(readFileSync(conf + 'keys/proof-attest.jwk', 'utf8'));
  const dkey = await Key.fromJwk(readFileSync(conf + 'keys/dsse.jwk', 'utf8'));
  const jwks = [conf + 'keys/proof-attest.jwks', conf + 'keys/dsse.jwks'];
  const keys = new KeySet();
  for (const f of jwks) await keys.addJwks(readFileSync(f, 'utf8'), 'jwks:' + f);
  let n = 0;
  for (const attestKey of [undefined, attest]) {
    const signed = await proofSign(parseProof(base), { hmacKey: proofKeyDecode(HMAC).key, attestKey, author: 'tester' });
    const tampered = signed.replace('"statement":"S"', '"statement":"T"');
    for (const doc of [signed, tampered]) {
      const st = await intotoStatement(parseProof(doc)).catch(() => null);
      const docs = [doc];
      if (st) docs.push(await dsseSign('application/vnd.in-toto+json', st, [{ key: dkey }]));
      for (const d of docs) {
        const c = codes(cVerify(d, ['--hmac-key-b64', HMAC, ...jwks.flatMap((f) => ['--jwks', f])]));
        const ts = codes(JSON.parse((await verify(d, { keys, hmacKeyB64: HMAC, now: '2026-01-01T00:00:00Z' })).toJSONString()));
        assert.deepEqual(ts, c, d.slice(0, 80));
        n++;
      }
    }
  }
  t.diagnostic(`${n} documents, same codes in TS and C`);
});
