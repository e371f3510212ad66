// The conformance fixtures of the OE, proof and DSSE families (../../conformance/fixtures), run straight through
// this package's family verifiers and signing functions (the package-wide runner, test/conformance-runner.mjs,
// goes through verify(); test/conformance.test.mjs runs it). Counts are printed as diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Report } from '../dist/report.js';
import { KeySet } from '../dist/crypto.js';
import * as proof from '../dist/proof.js';
import * as dsse from '../dist/dsse.js';
import * as oe from '../dist/oe.js';
import { parse } from '../dist/json.js';

const conf = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const load = (f) => JSON.parse(readFileSync(conf + f, 'utf8'));

export async function optionsFor(o = {}) {
  const keys = new KeySet();
  for (const f of o.jwks ?? []) await keys.addJwks(readFileSync(conf + f, 'utf8'), 'jwks:' + f);
  return {
    keys, trustEmbeddedKey: !!o.trust_embedded_key, now: o.now, maxSkewS: o.max_skew_s, noSkew: o.no_skew,
    hmacKeyB64: o.hmac_key_b64 ?? null, allowDefaultHmacKey: !!o.allow_default_hmac_key, hashAlg: o.hash_alg,
  };
}

function summary(r) {
  const j = JSON.parse(r.toJSONString());
  return {
    valid: j.valid, outcome: j.outcome, kind: j.kind,
    failed: [...new Set(j.checks.filter((c) => !c.ok).map((c) => c.code))].sort(),
    warnings: [...new Set(j.warnings.map((w) => w.code))].sort(),
  };
}

// A small dispatcher for the records these families carry (the package's verify() is the real one).
async function miniVerify(text, o) {
  const r = new Report();
  let doc;
  try { doc = proof.parseProof(text); } catch (e) { r.addCheck('parse', false, e.code, e.pointer ?? '', e.message); r.setOutcome('bad_input'); return r; }
  if (proof.isProof(doc)) await proof.verifyProof(doc, o, r);
  else if (dsse.isDsse(doc)) await dsse.verifyDsse(doc, o, r, { verifyInner: (b, oo) => miniVerify(new TextDecoder().decode(b), oo) });
  else return null;
  return r;
}

const families = {
  dsse: async (c, o) => (c.id.includes('/ope-') ? null : miniVerify(c.document, o)), // OPE inside: verify()'s
  proof: async (c, o) => {
    const doc = proof.parseProof(c.document);
    const r = new Report();
    if (!proof.isProof(doc)) return null;
    await proof.verifyProof(doc, o, r);
    return r;
  },
};

for (const fam of Object.keys(families)) {
  const file = `fixtures/verify/${fam}.json`;
  test(`conformance ${file}`, async (t) => {
    if (!existsSync(conf + file)) return t.skip('no fixtures');
    const cases = load(file).cases;
    let pass = 0, skip = 0;
    const wrong = [];
    for (const c of cases) {
      const r = await families[fam](c, await optionsFor(c.options));
      if (r === null) { skip++; continue; } // detection is verify()'s (the package runner covers it)
      const got = summary(r);
      const e = c.expect;
      const exp = { valid: e.valid, outcome: e.outcome, kind: e.kind, failed: e.failed, warnings: e.warnings };
      try { assert.deepEqual(got, exp); pass++; } catch { wrong.push({ id: c.id, got, exp }); }
    }
    t.diagnostic(`${file}: ${pass} pass, ${wrong.length} fail, ${skip} left to verify() (of ${cases.length})`);
    assert.deepEqual(wrong, []);
  });
}

// signing.json: every op runs in the package runner (test/conformance-runner.mjs, `ops`), which
// test/conformance.test.mjs runs.
