// conformance/fixtures/verify/oe.json (and the DSSE cases that wrap an OpenExecution document) through verify():
// the same valid, outcome, kind, failed-check codes and warning codes as the C library. Ed448 cases are skipped only
// on a runtime without Ed448 (never in Node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verify } from '../dist/verify.js';
import { sigAvailable, KeySet } from '../dist/crypto.js';

const conf = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const load = (f) => JSON.parse(readFileSync(conf + f, 'utf8'));

async function optionsFor(o = {}) {
  const keys = new KeySet();
  for (const f of o.jwks ?? []) await keys.addJwks(readFileSync(conf + f, 'utf8'), 'jwks:' + f);
  return { keys, now: o.now, hashAlg: o.hash_alg, trustEmbeddedKey: !!o.trust_embedded_key };
}

export function summary(r) {
  const j = JSON.parse(r.toJSONString());
  return {
    valid: j.valid, outcome: j.outcome, kind: j.kind,
    failed: [...new Set(j.checks.filter((c) => !c.ok).map((c) => c.code))].sort(),
    warnings: [...new Set(j.warnings.map((w) => w.code))].sort(),
  };
}

async function run(t, cases, web = false) {
  let pass = 0, skip = 0;
  const wrong = [];
  const isNode = typeof process?.versions?.node === 'string';
  for (const c of cases) {
    if ((c.requires ?? []).includes('ed448') && !(await sigAvailable('ed448'))) {
      assert.ok(!isNode || web, 'Node has Ed448: the Ed448 cases must run');
      skip++;
      continue;
    }
    const doc = c.document ?? Buffer.from(c.document_base64, 'base64');
    const r = await verify(doc, await optionsFor(c.options));
    const got = summary(r);
    const e = c.expect;
    const exp = { valid: e.valid, outcome: e.outcome, kind: e.kind, failed: e.failed, warnings: e.warnings };
    try { assert.deepEqual(got, exp); pass++; } catch { wrong.push({ id: c.id, got, exp }); }
  }
  t.diagnostic(`${pass} pass, ${wrong.length} fail, ${skip} skipped (of ${cases.length})`);
  assert.deepEqual(wrong, []);
}

test('conformance fixtures/verify/oe.json through verify()', async (t) => {
  if (!existsSync(conf + 'fixtures/verify/oe.json')) return t.skip('no fixtures');
  const cases = load('fixtures/verify/oe.json').cases;
  assert.equal(cases.length, 74);
  await run(t, cases);
});

test('conformance fixtures/verify/oe.json through verify(), on the WebCrypto backend', async (t) => {
  if (!existsSync(conf + 'fixtures/verify/oe.json') || !globalThis.crypto?.subtle) return t.skip('no fixtures or WebCrypto');
  const { useWebCrypto } = await import('../dist/crypto.js');
  useWebCrypto(true);
  try {
    const cases = load('fixtures/verify/oe.json').cases.filter((c) => !(c.requires ?? []).includes('ed448'));
    await run(t, cases, true);
  } finally { useWebCrypto(false); }
});
