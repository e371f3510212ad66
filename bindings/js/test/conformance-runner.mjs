#!/usr/bin/env node
// The TypeScript runner of the conformance suite (conformance/README.md): node test/conformance-runner.mjs DIR
// (after `npm run build`). Prints one JSON line per case; exits 1 when a case failed.
// Signing ops are entries of `ops` below (one per op of fixtures/signing.json); verify options are mapped to
// verify()'s by verifyOptions().
import fs from 'node:fs';
import path from 'node:path';
import * as prova from '../dist/index.js';

const dir = path.resolve(process.argv[2] ?? 'conformance');
const fixtures = path.join(dir, 'fixtures');
let failed = 0;
const counts = {}; // per fixture file, for the summary on stderr (stdout is one JSON line per case)
const out = (id, result, got, note) => {
  if (result === 'fail') failed++;
  const file = id.startsWith('verify/') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
  counts[file] ??= { pass: 0, fail: 0, skip: 0 };
  counts[file][result]++;
  process.stdout.write(JSON.stringify({ impl: 'ts', id, result, ...(got !== undefined ? { got } : {}), ...(note ? { note } : {}) }) + '\n');
};
const text = (b) => Buffer.from(b).toString('utf8');
const keyCache = new Map();
const loadKey = async (name) => {
  if (!keyCache.has(name)) keyCache.set(name, await prova.Key.fromJwk(fs.readFileSync(path.join(dir, 'keys', name), 'utf8')));
  return keyCache.get(name);
};

/** op name -> async (input) => result object (compared with expect as JSON); throw ProvaError for {"error": code}. */
export const ops = {
  cid: async (i) => ({ cid: await prova.cid(prova.parse(i.json)) }),
  ed25519_sign: async (i) => {
    const k = await prova.Key.fromEd25519Seed(prova.fromHex(i.seed_hex));
    return { public_key_hex: prova.toHex(k.publicKey), signature_hex: prova.toHex(await k.sign(new TextEncoder().encode(i.message))) };
  },
  oe_event_hash: async (i) => {
    const ev = prova.parse(i.event);
    return { event_hash: await prova.oeEventHash(ev, prova.oeHashLookup(i.hash_alg)), hash_input: prova.oeEventInput(ev) };
  },
  oe_chain: async (i) => {
    const r = await prova.oeLink(prova.parse(i.events), prova.oeHashLookup(i.hash_alg));
    return { event_hashes: r.eventHashes, chain_hash: r.chainHash };
  },
  ope_envelope_pack: async (i) => ({
    envelope: await prova.packEnvelope(await loadKey(i.key), prova.parse(i.payload), {
      dialect: i.dialect, payloadType: i.payload_type, targetType: i.target_type, traceId: i.trace_id, ts: i.ts,
      ...(i.not_before !== undefined ? { notBefore: i.not_before } : {}), ...(i.expires_at !== undefined ? { expiresAt: i.expires_at } : {}),
      bind: !!i.bind,
    }),
  }),
  ope_receipt_build: async (i) => ({
    receipt: await prova.buildReceipt(await loadKey(i.key), i.prev !== undefined ? prova.parse(i.prev) : null, {
      traceId: i.trace_id, ts: i.ts, createdAt: i.created_at, requestCid: i.request_cid, normalizedCid: i.normalized_cid,
      policy: i.policy !== undefined ? prova.parse(i.policy) : undefined,
    }),
  }),
  ope_bundle_build: async (i) => ({
    bundle: await prova.buildBundle(await loadKey(i.key), i.trace_id, i.exported_at, prova.parse(i.receipts), i.form),
  }),
  proof_id: async (i) => ({ proof_id: await prova.proofId(prova.parseProof(i.record)) }),
  proof_sign: async (i) => {
    const o = { hmacKey: prova.proofKeyDecode(i.hmac_key_b64 ?? '').key };
    if (i.attest_key) {
      o.attestKey = await loadKey(i.attest_key);
      o.author = i.author;
    }
    return { record: await prova.proofSign(prova.parseProof(i.record), o) };
  },
  dsse_pae: async (i) => ({ pae_hex: prova.toHex(prova.dssePae(i.payload_type, i.payload)) }),
  dsse_sign: async (i) => ({
    envelope: await prova.dsseSign(i.payload_type, i.payload,
      [i.key ? { key: await loadKey(i.key) } : { hmacKey: prova.proofKeyDecode(i.hmac_key_b64).key, keyid: i.keyid }]),
  }),
};

async function canonical(f) {
  for (const c of JSON.parse(fs.readFileSync(f, 'utf8')).cases) {
    const input = c.input_base64 !== undefined ? Buffer.from(c.input_base64, 'base64') : c.input;
    const got = {};
    for (const p of ['jcs', 'ope', 'ophamin']) {
      try {
        got[p] = { output: text(prova.canonicalizeText(input, p, { allowNonfinite: p === 'ophamin' })) };
      } catch (e) {
        got[p] = { error: e.code };
      }
    }
    if (got.ope.output !== undefined) got.cid = await prova.cidOfBytes(new TextEncoder().encode(got.ope.output));
    const diff = {};
    for (const k of Object.keys(c.expect)) if (JSON.stringify(got[k]) !== JSON.stringify(c.expect[k])) diff[k] = got[k];
    out(c.id, Object.keys(diff).length ? 'fail' : 'pass', Object.keys(diff).length ? diff : undefined);
  }
}

async function signing(f) {
  for (const c of JSON.parse(fs.readFileSync(f, 'utf8')).cases) {
    const op = ops[c.op];
    if (!op) {
      out(c.id, 'fail', undefined, `op ${c.op} is not implemented in TypeScript yet`);
      continue;
    }
    let got;
    try {
      got = await op(c.input);
    } catch (e) {
      got = { error: e.code ?? String(e) };
    }
    const same = Object.keys(c.expect).every((k) => JSON.stringify(got[k]) === JSON.stringify(c.expect[k]));
    out(c.id, same ? 'pass' : 'fail', same ? undefined : got);
  }
}

const uniq = (a) => [...new Set(a)].sort();

/** The options of a verify case (conformance/README.md) as verify()'s options; an unknown member is an error. */
export async function verifyOptions(o) {
  const vo = {};
  for (const [k, v] of Object.entries(o)) {
    switch (k) {
      case 'jwks': {
        const keys = new prova.KeySet();
        for (const j of v) await keys.addJwks(fs.readFileSync(path.join(dir, j), 'utf8'), 'jwks:' + j);
        vo.keys = keys;
        break;
      }
      case 'trust_embedded_key': vo.trustEmbeddedKey = !!v; break;
      case 'now': vo.now = v; break;
      case 'max_skew_s': vo.maxSkewS = v; break;
      case 'no_skew': vo.noSkew = !!v; break;
      case 'hmac_key_b64': vo.hmacKeyB64 = v; break;
      case 'allow_default_hmac_key': vo.allowDefaultHmacKey = !!v; break;
      case 'hash_alg': vo.hashAlg = v; break;
      default: throw new Error(`unknown verify option ${k}`);
    }
  }
  return vo;
}

async function verifyFile(f) {
  for (const c of JSON.parse(fs.readFileSync(f, 'utf8')).cases) {
    const o = c.options ?? {};
    const requires = c.requires ?? [];
    if (requires.includes('ed448') && !(await prova.sigAvailable('ed448'))) {
      out(c.id, 'skip', undefined, 'no Ed448 in this runtime');
      continue;
    }
    const vo = await verifyOptions(o);
    const doc = c.document_base64 !== undefined ? new Uint8Array(Buffer.from(c.document_base64, 'base64')) : c.document;
    let got;
    try {
      const r = await prova.verify(doc, vo);
      got = { valid: r.valid, outcome: r.outcome, kind: r.kind, failed: uniq(r.checks.filter((x) => !x.ok).map((x) => x.code)), warnings: uniq(r.warnings.map((w) => w.code)) };
    } catch (e) {
      got = { error: e.code ?? String(e) };
    }
    const e = c.expect;
    const same = ['valid', 'outcome', 'kind'].every((k) => got[k] === e[k]) &&
      JSON.stringify(got.failed) === JSON.stringify(uniq(e.failed ?? [])) && JSON.stringify(got.warnings) === JSON.stringify(uniq(e.warnings ?? []));
    out(c.id, same ? 'pass' : 'fail', same ? undefined : got);
  }
}

await canonical(path.join(fixtures, 'canonical.json'));
await signing(path.join(fixtures, 'signing.json'));
for (const f of fs.readdirSync(path.join(fixtures, 'verify')).sort()) if (f.endsWith('.json')) await verifyFile(path.join(fixtures, 'verify', f));
for (const [f, c] of Object.entries(counts)) process.stderr.write(`${f}: ${c.pass} pass, ${c.fail} fail, ${c.skip} skip\n`);
process.exitCode = failed ? 1 : 0;
