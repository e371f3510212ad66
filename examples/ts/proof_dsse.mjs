// An Ophamin proof record sealed with an HMAC key, wrapped as an in-toto Statement in a DSSE envelope signed with
// an Ed25519 key, and verified in one report with @prova/prova (the envelope's signature, the Statement, the record
// inside). PAE and the signature are cross-checked with node:crypto; a changed payloadType is caught.
//
//   npm install @prova/prova && node proof_dsse.mjs [RECORD.json]   (in this repository: PROVA_JS=bindings/js/dist/index.js)
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const prova = await import(process.env.PROVA_JS ? pathToFileURL(process.env.PROVA_JS).href : '@prova/prova');
const recordFile = process.argv[2] ?? fileURLToPath(new URL('../../tests/data/proof_minimal.json', import.meta.url));
const failedCodes = (r) => r.checks.filter((c) => !c.ok).map((c) => c.code);

const sealKey = new Uint8Array(randomBytes(32));
const hmacKeyB64 = Buffer.from(sealKey).toString('base64');
const signer = await prova.Key.generate('ed25519');

const proof = await prova.proofSign(readFileSync(recordFile), { hmacKey: sealKey }); // proof_id + HMAC-SHA256 seal
assert.equal((await prova.verify(proof, { hmacKeyB64 })).valid, true);

const statement = await prova.intotoStatement(prova.parseProof(proof));
const envelope = await prova.dsseSign(prova.DSSE_INTOTO_PAYLOAD_TYPE, statement, [{ key: signer }]);
const jwks = JSON.stringify({ keys: [signer.toJwk(false)] });
let report = await prova.verify(envelope, { jwks, hmacKeyB64 });
assert.equal(report.valid, true, report.toJSONString());
assert.equal(report.kind, 'dsse_envelope');

// DSSE signs PAE(payloadType, payload): check it with node:crypto alone.
const env = JSON.parse(envelope);
const payload = Buffer.from(env.payload, 'base64');
const pae = Buffer.concat([Buffer.from(`DSSEv1 ${env.payloadType.length} ${env.payloadType} ${payload.length} `), payload]);
assert.deepEqual(Buffer.from(prova.dssePae(env.payloadType, payload)), pae);
assert.equal(nodeVerify(null, pae, createPublicKey({ key: signer.toJwk(false), format: 'jwk' }),
  Buffer.from(env.signatures[0].sig, 'base64')), true);

env.payloadType = 'application/json';
report = await prova.verify(JSON.stringify(env), { jwks, hmacKeyB64 });
assert.ok(failedCodes(report).includes('dsse_no_valid_signature'), failedCodes(report).join(','));
console.log('payloadType changed:', report.outcome, [...new Set(failedCodes(report))]);
console.log('proof_dsse: ok');
