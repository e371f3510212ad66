// From acknowledgement to inclusion in a published checkpoint (issue 14's target: p99 <= 1.5 s at the default
// --log-interval of 1 s). Posts fresh signed envelopes at RATE per second for SECONDS to a running gateway, keeps
// each 2xx's time and log_index, and polls GET /log/checkpoint every 20 ms; a record is included at the first poll
// whose checkpoint size exceeds its index. The poller is a child process (the same script, mode "poll"), so that the
// posting loop's event loop cannot delay its polls; both sides time with Date.now(). The posts use 64 keep-alive
// connections at the most. Prints one JSON line: rate, acknowledged, p50/p99/max ms.
//   node log_latency.mjs BASE TOKEN SENDER_KEY.jwk RATE SECONDS
// With NOPOLL=1 in the environment: no poller, and every 2xx counts (for gateways without a log, bench/gateway_cpu.sh);
// prints {rate, seconds, ok}.
import { spawn } from 'node:child_process';
import http from 'node:http';

import { envelopeMaker } from './envelope.mjs';

if (process.argv[2] === 'poll') { // node log_latency.mjs poll BASE: prints "time_ms size" when the size grows
  const url = process.argv[3] + '/log/checkpoint';
  let last = -1;
  for (;;) {
    const t = Date.now();
    try {
      const r = await fetch(url);
      if (r.ok) {
        const size = Number((await r.text()).split('\n')[1]);
        if (size > last) {
          last = size;
          process.stdout.write(`${Date.now()} ${size}\n`);
        }
      }
    } catch { /* the next poll */ }
    const wait = 20 - (Date.now() - t);
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
}

const [, , base, token, keyFile, rateArg, secondsArg] = process.argv;
const rate = Number(rateArg), seconds = Number(secondsArg);
const envelope = envelopeMaker(keyFile, 'lat', 100);

const acks = []; // [ack time ms, log_index]
const nopoll = process.env.NOPOLL === '1';
let ok = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(base);
function post(body) {
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: '/v1/odin/envelope', method: 'POST',
      agent, headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token,
        'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const t = Date.now();
        try {
          const j = JSON.parse(Buffer.concat(chunks).toString());
          if (res.statusCode < 300) ok++;
          if (res.statusCode < 300 && Number.isInteger(j.log_index)) acks.push([t, j.log_index]);
        } catch { /* counted as not acknowledged */ }
        resolve();
      });
    });
    req.on('error', () => resolve());
    req.end(body);
  });
}

const poller = nopoll ? null
  : spawn(process.execPath, [process.argv[1], 'poll', base], { stdio: ['ignore', 'pipe', 'inherit'] });
let polled = '';
if (poller) {
  poller.stdout.on('data', (c) => { polled += c; });
  await new Promise((res) => setTimeout(res, 300)); // the poller's first checkpoint
}
const pending = [];
const t0 = performance.now();
for (let i = 0; i < rate * seconds; i++) {
  const due = t0 + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  pending.push(post(envelope()));
}
await Promise.all(pending);
agent.destroy();
if (nopoll) {
  console.log(JSON.stringify({ rate, seconds, ok }));
  process.exit(0);
}
const lastIndex = Math.max(...acks.map((a) => a[1]));
const sizes = () => polled.trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number));
const deadline = Date.now() + 15000;
while (Date.now() < deadline) {
  const s = sizes();
  if (s.length && s[s.length - 1][1] > lastIndex) break;
  await new Promise((res) => setTimeout(res, 50));
}
poller.kill();
const seen = sizes();
const lat = acks.map(([t, idx]) => {
  const s = seen.find(([, size]) => size > idx);
  return s ? Math.max(0, s[0] - t) : Infinity;
}).sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({ rate, seconds, acknowledged: acks.length, included: lat.filter(Number.isFinite).length,
  p50_ms: Math.round(q(0.5)), p99_ms: Math.round(q(0.99)), max_ms: Math.round(lat[lat.length - 1]) }));
