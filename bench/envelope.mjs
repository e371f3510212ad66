// The gateway benchmarks' envelopes (gateway_load.mjs, log_latency.mjs, pg_load.mjs): an agent's tool call, signed
// by the sender key as OPE v1 asks (Ed25519 over "cid|trace_id|ts"), fresh each time (the gateway refuses replays).
import crypto from 'node:crypto';
import fs from 'node:fs';

// Python json.dumps(sort_keys, compact) for these ASCII payloads: the payload's cid.
export function canon(v) {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

// A function returning the next envelope (a JSON string) signed with the JWK in keyFile, on trace
// `${prefix}-${run}-${i % traces}`; extra(i) adds members to the i-th payload.
export function envelopeMaker(keyFile, prefix, traces, extra = () => ({})) {
  const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const runId = crypto.randomBytes(4).toString('hex');
  let counter = 0;
  return () => {
    const i = counter++;
    const payload = { tool: 'search', args: { query: `invoice ${i}`, limit: 10 }, agent: 'bench', run: runId, seq: i,
      ...extra(i) };
    const cid = 'sha256:' + crypto.createHash('sha256').update(canon(payload)).digest('hex');
    const trace_id = `${prefix}-${runId}-${i % traces}`;
    const ts = new Date().toISOString();
    const signature = crypto.sign(null, Buffer.from(`${cid}|${trace_id}|${ts}`), key).toString('base64url');
    return JSON.stringify({ trace_id, ts, sender: { kid: jwk.kid }, payload, payload_type: 'agent.tool_call.v1',
      target_type: 'agent.tool_call.v1', cid, signature });
  };
}
