// A gateway's receipts for one trace, built and exported as a signed bundle with @prova/prova, then verified
// offline with nothing but the gateway's public JWKS; a receipt cut out, or the wrong key, is caught.
//
//   npm install @prova/prova && node verify_bundle_offline.mjs   (in this repository: PROVA_JS=bindings/js/dist/index.js)
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';

const prova = await import(process.env.PROVA_JS ? pathToFileURL(process.env.PROVA_JS).href : '@prova/prova');
const now = () => new Date().toISOString();
const failedCodes = (r) => [...new Set(r.checks.filter((c) => !c.ok).map((c) => c.code))].sort();

const agent = await prova.Key.generate('ed25519');
const gateway = await prova.Key.generate('ed25519');
const agentJwks = JSON.stringify({ keys: [agent.toJwk(false)] });
const traceId = 'run-7';
const receipts = [];
for (const step of ['plan', 'search', 'answer']) {
  const envelope = await prova.packEnvelope(agent, { step }, { payloadType: 'agent.step', targetType: 'agent.step',
    traceId, ts: now() });
  // The gateway checks the sender first (prova serve does this over HTTP)...
  assert.equal((await prova.verify(envelope, { jwks: agentJwks })).valid, true);
  // ...then appends the next hash-linked receipt, signed with its own key.
  receipts.push(await prova.buildReceipt(gateway, receipts.at(-1) ?? null,
    { traceId, ts: now(), requestCid: JSON.parse(envelope).cid }));
}
const bundle = await prova.buildBundle(gateway, traceId, now(), `[${receipts.join(',')}]`);

const gatewayJwks = JSON.stringify({ keys: [gateway.toJwk(false)] });          // all a verifier needs
let report = await prova.verify(bundle, { jwks: gatewayJwks });
assert.equal(report.valid, true, report.toJSONString());
assert.equal(report.kind, 'ope_bundle');

const cut = JSON.parse(bundle);
cut.bundle.receipts.splice(1, 1);
report = await prova.verify(JSON.stringify(cut), { jwks: gatewayJwks });
assert.equal(report.outcome, 'invalid');
assert.ok(failedCodes(report).includes('chain_broken') && failedCodes(report).includes('bundle_cid_mismatch'),
  failedCodes(report).join(','));
console.log('receipt removed:', failedCodes(report));

report = await prova.verify(bundle, { jwks: agentJwks });
assert.ok(failedCodes(report).includes('kid_not_found'), failedCodes(report).join(','));
console.log('wrong key:', failedCodes(report));
console.log('verify_bundle_offline: ok');
