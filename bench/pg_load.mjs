// The PostgreSQL benchmark's load generator (bench/pg.sh): durable 1 KB envelopes at full speed through N gateways
// at once, each its share of the connections (autocannon, from tests/node_modules), fresh signed envelopes (the
// gateways refuse replays), 1,000 traces shared by all the gateways.
//
//   node pg_load.mjs TOKEN SENDER_KEY.jwk SECONDS CONNECTIONS BASE...
//
// Prints one JSON object: ok (2xx), ok_per_s, non2xx, errors, the envelope's size, and latency: p50_ms the
// median of the gateways' medians weighted by their answers, p99_ms the worst gateway's p99, per_gateway.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
const autocannon = require('autocannon');

const [, , token, keyFile, secondsArg, connArg, ...bases] = process.argv;
const seconds = Number(secondsArg), connections = Number(connArg);
const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
const runId = crypto.randomBytes(4).toString('hex');
let counter = 0;

function canon(v) { // Python json.dumps(sort_keys, compact) for these ASCII payloads
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
}
// An agent's tool call with its result excerpt: about 1 KB of envelope.
const excerpt = 'x'.repeat(560);
function envelope() {
  const i = counter++;
  const payload = { tool: 'search', args: { query: `invoice ${i}`, limit: 10 }, agent: 'bench', run: runId, seq: i,
    result_excerpt: excerpt, result_digest: crypto.createHash('sha256').update(String(i)).digest('hex') };
  const cid = 'sha256:' + crypto.createHash('sha256').update(canon(payload)).digest('hex');
  const trace_id = `pg-${runId}-${i % 1000}`;
  const ts = new Date().toISOString();
  const signature = crypto.sign(null, Buffer.from(`${cid}|${trace_id}|${ts}`), key).toString('base64url');
  return JSON.stringify({ trace_id, ts, sender: { kid: jwk.kid }, payload, payload_type: 'agent.tool_call.v1',
    target_type: 'agent.tool_call.v1', cid, signature });
}

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
