// A load client for the gateway's integration tests: signs fresh OPE envelopes (starter dialect, Node's own
// Ed25519) and POSTs them with keep-alive connections, recording every acknowledged receipt.
//
//   node gw_client.mjs URL TOKEN SENDER_KEY.jwk N CONCURRENCY TRACES ACKS_OUT [TRACE_PREFIX]
//
// Writes one line per 200 response to ACKS_OUT: "trace_id hop receipt_hash" (appended as they arrive, so a test
// that kills the gateway mid-run knows exactly what was acknowledged). Prints a JSON summary on stdout.
// Connection errors (the gateway killed) end the run without failing it; any status but 200 is counted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

const [, , url, token, keyFile, nArg, concArg, tracesArg, acksOut, prefix = 'load'] = process.argv;
const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
const N = Number(nArg), conc = Number(concArg), traces = Number(tracesArg);
const u = new URL(url);
const acks = fs.openSync(acksOut, 'a');

// Python json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True) for the flat ASCII payloads here.
function canon(v) {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

function envelope(i) {
  const payload = { seq: i, run: prefix, note: 'integration' };
  const cid = 'sha256:' + crypto.createHash('sha256').update(canon(payload)).digest('hex');
  const trace_id = `${prefix}-${i % traces}`;
  const ts = new Date().toISOString();
  const signature = crypto.sign(null, Buffer.from(`${cid}|${trace_id}|${ts}`), key).toString('base64url');
  return JSON.stringify({ trace_id, ts, sender: { kid: jwk.kid }, payload, payload_type: 'a', target_type: 'b', cid, signature });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
let next = 0, done = 0, ok = 0, refused = 0, errors = 0, stopped = false;
const codes = {};
await new Promise((resolve) => {
  const finish = () => { if (++done >= N || (stopped && done >= next)) resolve(); };
  function one() {
    if (stopped || next >= N) { if (done >= next) resolve(); return; }
    const body = envelope(next++);
    const req = http.request({ host: u.hostname, port: u.port, path: '/v1/odin/envelope', method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        codes[res.statusCode] = (codes[res.statusCode] || 0) + 1;
        if (res.statusCode === 200) {
          const r = JSON.parse(data).receipt;
          fs.writeSync(acks, `${r.trace_id} ${r.hop} ${r.receipt_hash}\n`);
          ok++;
        } else refused++;
        finish();
        one();
      });
    });
    req.on('error', () => { errors++; stopped = true; finish(); });
    req.end(body);
  }
  for (let i = 0; i < conc; i++) one();
});
fs.closeSync(acks);
console.log(JSON.stringify({ sent: next, ok, refused, errors, codes }));
agent.destroy();
