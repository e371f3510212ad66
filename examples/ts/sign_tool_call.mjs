// Sign an agent's tool call as an OPE v1 envelope with @prova/prova, verify it with the agent's public key, and
// see a changed argument caught with its reason code. Cross-checks the CID and the signature with node:crypto.
// Self-asserting: exits 0 only when every step behaves as shown.
//
//   npm install @prova/prova && node sign_tool_call.mjs      (in this repository: PROVA_JS=bindings/js/dist/index.js)
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const prova = await import(process.env.PROVA_JS ? pathToFileURL(process.env.PROVA_JS).href : '@prova/prova');

const agent = await prova.Key.generate('ed25519');
const call = { tool: 'search', args: { q: 'weather in Lyon', max_results: 3, temperature: prova.float(0) } };
const envelope = await prova.packEnvelope(agent, call, {
  payloadType: 'agent.tool_call', targetType: 'tool.result', traceId: 'run-1', ts: new Date().toISOString(),
});
console.log(envelope);

// Whoever checks holds only the public half, as a JWKS.
const jwks = JSON.stringify({ keys: [agent.toJwk(false)] });
let report = await prova.verify(envelope, { jwks });
assert.equal(report.valid, true, report.toJSONString());
assert.equal(report.kind, 'ope_envelope');

// The same facts from node:crypto alone: the CID is SHA-256 of the payload's canonical bytes (float(0) is written
// 0.0, as Python writes a float), and the signature is Ed25519 over "cid|trace_id|ts".
const env = JSON.parse(envelope);
const canonical = prova.canonicalize(call, 'ope');
assert.equal(new TextDecoder().decode(canonical),
  '{"args":{"max_results":3,"q":"weather in Lyon","temperature":0.0},"tool":"search"}');
assert.equal(env.cid, 'sha256:' + createHash('sha256').update(canonical).digest('hex'));
const publicKey = createPublicKey({ key: agent.toJwk(false), format: 'jwk' });
assert.equal(nodeVerify(null, Buffer.from(`${env.cid}|${env.trace_id}|${env.ts}`), publicKey,
  Buffer.from(env.sig, 'base64url')), true);

// Someone edits the logged call.
report = await prova.verify(envelope.replace('Lyon', 'Paris'), { jwks });
const failed = report.checks.filter((c) => !c.ok).map((c) => c.code);
assert.equal(report.outcome, 'invalid');
assert.ok(failed.includes('cid_mismatch'), failed.join(','));
console.log('edited call:', report.outcome, failed);
console.log('sign_tool_call: ok');
