// The gateway benchmark's load generator (autocannon, from tests/node_modules), on the same machine as the gateway.
//
//   node gateway_load.mjs BASE TOKEN SENDER_KEY.jwk SECONDS CONNECTIONS
//
// 1. Durable envelopes at full speed: POST /v1/odin/envelope with fresh signed envelopes (each used once: the
//    gateway refuses replays), CONNECTIONS keep-alive connections, SECONDS long -> 2xx/s and p50/p99 latency.
// 2. The same at 50% of that rate (autocannon overallRate) -> p50/p99.
// 3. POST /v1/verify of one small signed envelope -> requests/s.
// Prints one JSON object per phase. ONLY_MAX=1: phase 1 only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { envelopeMaker } from './envelope.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
const autocannon = require('autocannon');

const [, , base, token, keyFile, secondsArg, connArg] = process.argv;
const seconds = Number(secondsArg), connections = Number(connArg);
// At 50% load a client needs far fewer connections; 256 idle-waiting sockets only add client-side queueing.
const halfConnections = Math.min(connections, 64);
// An agent tool call of typical size (~300 bytes of payload), 1,000 traces.
const envelope = envelopeMaker(keyFile, 'bench', 1000, (i) => ({
  result_digest: crypto.createHash('sha256').update(String(i)).digest('hex') }));

function pregenerate(n) {
  const t0 = performance.now();
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = envelope();
  return { bodies: out, ms: performance.now() - t0 };
}

async function run(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

async function envelopes(rate, conns = connections) {
  const connections = conns;
  // Enough fresh envelopes for the phase; generated before it starts so the client's signing is not measured.
  const want = Math.ceil((rate || 8000) * seconds * 1.1) + connections * 4;
  const { bodies, ms } = pregenerate(want);
  let next = 0;
  const res = await run({
    url: base, connections, duration: seconds, overallRate: rate || undefined,
    requests: [{ method: 'POST', path: '/v1/odin/envelope',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
  });
  const ok = res['2xx'];
  return { phase: rate ? 'envelopes_50pct' : 'envelopes_max', target_rate: rate || null, seconds: res.duration,
    connections, ok, non2xx: res.non2xx, errors: res.errors, timeouts: res.timeouts,
    ok_per_s: Math.round(ok / res.duration), p50_ms: res.latency.p50, p99_ms: res.latency.p99,
    max_ms: res.latency.max, pregenerated: bodies.length, pregenerate_ms: Math.round(ms) };
}

// Soak: `... soak MINUTES RATE PID` — envelopes at RATE/s for MINUTES, one autocannon phase per minute (fresh
// envelopes each minute: they must be within the gateway's freshness window), the gateway's RSS after each.
if (process.argv[7] === 'soak') {
  const minutes = Number(process.argv[8]), rate = Number(process.argv[9]), pid = process.argv[10];
  // RssAnon is the gateway's own memory; RssFile is mostly the store's pages mapped by SQLite (mmap_size), which
  // grows with the database up to the mapping's limit and is page cache the kernel can reclaim.
  const status = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  for (let m = 0; m < minutes; m++) {
    const { bodies } = pregenerate(rate * 66 + connections * 4); // autocannon may send a little more than rate x 60
    let next = 0;
    const res = await run({ url: base, connections, duration: 60, overallRate: rate,
      requests: [{ method: 'POST', path: '/v1/odin/envelope',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }] });
    console.log(JSON.stringify({ phase: 'soak', minute: m + 1, ok: res['2xx'], non2xx: res.non2xx,
      p99_ms: res.latency.p99, rss_kib: status('VmRSS'), rss_anon_kib: status('RssAnon'),
      rss_file_kib: status('RssFile') }));
  }
  process.exit(0);
}

const max = await envelopes(0);
console.log(JSON.stringify(max));
if (process.env.ONLY_MAX) process.exit(0); // bench/otel.sh: the full-speed phase alone
const half = await envelopes(Math.max(1, Math.round(max.ok_per_s / 2)), halfConnections);
console.log(JSON.stringify(half));

const doc = envelope(); // a small signed envelope: /v1/verify checks it against the trusted keys
const v = await run({ url: base, connections: 32, duration: seconds,
  requests: [{ method: 'POST', path: '/v1/verify', headers: { 'content-type': 'application/json' }, body: doc }] });
console.log(JSON.stringify({ phase: 'verify', seconds: v.duration, ok: v['2xx'], non2xx: v.non2xx,
  ok_per_s: Math.round(v['2xx'] / v.duration), p50_ms: v.latency.p50, p99_ms: v.latency.p99 }));
