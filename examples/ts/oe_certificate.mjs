// An OpenExecution v2 run with @prova/prova: a hash-chained chain of events, resolved and certified with an
// ECDSA P-256 key into an offline bundle that verifies with the public key; an edited event and a revoked
// certificate are caught. The event hashes are recomputed with node:crypto as a cross-check.
//
//   npm install @prova/prova && node oe_certificate.mjs      (in this repository: PROVA_JS=bindings/js/dist/index.js)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const prova = await import(process.env.PROVA_JS ? pathToFileURL(process.env.PROVA_JS).href : '@prova/prova');
const now = () => new Date().toISOString();
const failedCodes = (r) => r.checks.filter((c) => !c.ok).map((c) => c.code);

const issuer = await prova.Key.generate('ecdsa-p256');
let chain = prova.parse(prova.oeChainNew({ sigAlg: 'ecdsa-p256', chainType: 'manual', originType: 'agent',
  originId: 'bot-1', createdAt: now() }));
for (const [eventType, payload] of [['task_started', { prompt: 'summarize the incident' }],
  ['task_completed', { tokens: 120 }]]) {
  const next = await prova.oeChainAppend(chain, { eventType, actorId: 'bot-1', payload, createdAt: now() });
  chain = prova.parse(next.chain);
}
chain = prova.parse(await prova.oeChainResolve(chain, now()));
const { bundle } = await prova.oeCertify(issuer, chain, { artifactType: 'report', artifactRef: 'report-1', issuedAt: now() });

// Each event hash is SHA-256 of the event's JCS hash input; events link by prev_hash from the genesis.
const events = JSON.parse(bundle).chain.events;
let prev = prova.oeGenesis('sha256');
for (const e of events) {
  assert.equal(e.event_hash, createHash('sha256').update(prova.oeEventInput(prova.parse(JSON.stringify(e)))).digest('hex'));
  assert.equal(e.prev_hash, prev);
  prev = e.event_hash;
}

const jwks = JSON.stringify({ keys: [issuer.toJwk(false)] });
let report = await prova.verify(bundle, { jwks });
assert.equal(report.valid, true, report.toJSONString());
assert.equal(report.kind, 'oe_bundle');

report = await prova.verify(bundle.replace('"tokens":120', '"tokens":12'), { jwks });
assert.ok(failedCodes(report).includes('event_hash_mismatch'), failedCodes(report).join(','));
console.log('edited event:', report.outcome, [...new Set(failedCodes(report))]);

const revoked = await prova.oeSetStatus(issuer, prova.parse(bundle), { status: 'revoked', reason: 'model retracted', at: now() });
report = await prova.verify(revoked, { jwks });
assert.ok(failedCodes(report).includes('certificate_revoked'), failedCodes(report).join(','));
console.log('revoked:', report.outcome, [...new Set(failedCodes(report))]);
console.log('oe_certificate: ok');
