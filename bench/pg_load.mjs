// The PostgreSQL benchmark's load generator (bench/pg.sh): durable 1 KB envelopes at full speed through N gateways
// at once, each its share of the connections (autocannon, from tests/node_modules), fresh signed envelopes (the
// gateways refuse replays), 1,000 traces shared by all the gateways.
//
//   node pg_load.mjs TOKEN SENDER_KEY.jwk SECONDS CONNECTIONS BASE...
//
// Prints one JSON object: ok (2xx), ok_per_s, non2xx, errors, the envelope's size, and latency: p50_ms the
// median of the gateways' medians weighted by their answers, p99_ms the worst gateway's p99, per_gateway.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { envelopeMaker } from './envelope.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
const autocannon = require('autocannon');

const [, , token, keyFile, secondsArg, connArg, ...bases] = process.argv;
const seconds = Number(secondsArg), connections = Number(connArg);
// An agent's tool call with its result excerpt: about 1 KB of envelope, 1,000 traces shared by the gateways.
const excerpt = 'x'.repeat(560);
const envelope = envelopeMaker(keyFile, 'pg', 1000, (i) => ({ result_excerpt: excerpt,
  result_digest: crypto.createHash('sha256').update(String(i)).digest('hex') }));

const per = Math.max(1, Math.floor(connections / bases.length));
const want = Math.ceil(6000 * seconds * 1.1) + connections * 4;
const bodies = new Array(want);
for (let i = 0; i < want; i++) bodies[i] = envelope();
let next = 0;
const results = await Promise.all(bases.map((url) => new Promise((resolve, reject) => {
  const inst = autocannon({ url, connections: per, duration: seconds,
    requests: [{ method: 'POST', path: '/v1/odin/envelope',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }] },
  (err, res) => (err ? reject(err) : resolve(res)));
  autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
})));
const ok = results.reduce((s, r) => s + r['2xx'], 0);
const dur = Math.max(...results.map((r) => r.duration));
const p50 = results.reduce((s, r) => s + r.latency.p50 * r['2xx'], 0) / Math.max(1, ok);
console.log(JSON.stringify({ gateways: bases.length, connections: per * bases.length, seconds: dur,
  envelope_bytes: bodies[0].length, ok, ok_per_s: Math.round(ok / dur),
  non2xx: results.reduce((s, r) => s + r.non2xx, 0), errors: results.reduce((s, r) => s + r.errors, 0),
  p50_ms: Math.round(p50 * 10) / 10, p99_ms: Math.max(...results.map((r) => r.latency.p99)),
  per_gateway: results.map((r) => ({ ok_per_s: Math.round(r['2xx'] / r.duration), p50_ms: r.latency.p50,
    p99_ms: r.latency.p99 })) }));
