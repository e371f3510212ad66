// Drives a running gateway through every operation of its OpenAPI document (success and error responses) and
// checks each response against the document with oas_check.mjs. Fails when a response does not conform or when an
// operation of the document was never exercised.
//
//   node oas_conform.mjs BASE_URL SPEC.json TOKEN SENDER_KEY.jwk
import crypto from 'node:crypto';
import fs from 'node:fs';
import { checkResponse, loadSpec, METHODS } from './oas_check.mjs';

const [, , base, specFile, token, keyFile] = process.argv;
const spec = await loadSpec(specFile);
const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
const auth = { authorization: 'Bearer ' + token };
const seen = new Set();
const failures = [];
let checked = 0;

async function call(method, path, { body, headers = {}, raw = false } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = raw ? body : JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  const ct = res.headers.get('content-type') || '';
  let json = text;
  if (ct.startsWith('application/json')) json = JSON.parse(text);
  const r = checkResponse(spec, method, path.split('?')[0], res.status, ct, json, res.headers);
  checked++;
  if (r.operationId) seen.add(r.operationId);
  if (!r.ok) failures.push(...r.errors);
  return { status: res.status, json, headers: res.headers };
}

function canon(v) { // Python json.dumps(sort_keys, compact, ensure_ascii) for ASCII payloads
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
}
function envelope(trace_id, payload) {
  const cid = 'sha256:' + crypto.createHash('sha256').update(canon(payload)).digest('hex');
  const ts = new Date().toISOString();
  const signature = crypto.sign(null, Buffer.from(`${cid}|${trace_id}|${ts}`), key).toString('base64url');
  return { trace_id, ts, sender: { kid: jwk.kid }, payload, payload_type: 'a', target_type: 'a', cid, signature };
}

// Open endpoints.
for (const p of ['/health', '/version', '/openapi.json', '/docs', '/metrics', '/.well-known/jwks.json']) await call('GET', p);
// The web view: the shell, a deep page, each asset, an unknown asset (404).
for (const p of ['/ui', '/ui/verify', '/ui/assets/app.js', '/ui/assets/app.css', '/ui/assets/prova.js',
  '/ui/assets/nope']) await call('GET', p);

// OPE.
const env = envelope('oas-1', { x: 1 });
await call('POST', '/v1/odin/envelope', { body: env, headers: auth });
await call('POST', '/v1/odin/envelope', { body: env, headers: auth });              // 409 replay
await call('POST', '/v1/odin/envelope', { body: envelope('oas-1', { x: 2 }) });     // 401
await call('POST', '/v1/odin/envelope', { body: '{"a":', raw: true, headers: auth }); // 400
await call('POST', '/v1/odin/envelope', { body: [1], headers: auth });               // 422
await call('GET', '/v1/receipts/hops/chain/oas-1');
await call('GET', '/v1/receipts/hops/chain/oas-none');
const exp = await call('GET', '/v1/receipts/export/oas-1');
await call('GET', '/v1/receipts/export/oas-none');                                   // 404

// The unified verifier.
await call('POST', '/v1/verify', { body: exp.json });
await call('POST', '/v1/verify', { body: env });
await call('POST', '/v1/verify', { body: 'nope', raw: true });                       // 400

// Proof records (the reference's REST shapes).
await call('POST', '/canonicalize', { body: { value_json: '{"y":30.0,"x":30}', sign_key_b64: '' } });
await call('POST', '/canonicalize', { body: { value_json: '{"x":', sign_key_b64: '' } });
await call('POST', '/verify', { body: { proof_json: '{}', sign_key_b64: '' } });
await call('POST', '/verify', { body: { proof_json: '[]', sign_key_b64: '' } });

// OpenExecution: the whole lifecycle and its errors.
const chain = await call('POST', '/api/v1/chains', { body: { chain_type: 'manual' }, headers: auth });
const cid = chain.json?.data?.id ?? 'missing';
await call('POST', '/api/v1/chains', { body: { chain_type: 'nonsense' }, headers: auth });  // 422
await call('POST', '/api/v1/chains', { body: {} });                                         // 401
for (let i = 0; i < 3; i++)
  await call('POST', `/api/v1/chains/${cid}/events`, { body: { event_type: 'step', payload: { i } }, headers: auth });
await call('POST', `/api/v1/chains/${cid}/events`, { body: {}, headers: auth });           // 422
await call('POST', '/api/v1/chains/no-such-chain/events', { body: { event_type: 'x' }, headers: auth }); // 404
await call('GET', `/api/v1/chains/${cid}`);
await call('GET', '/api/v1/chains/no-such-chain');
await call('POST', `/api/v1/chains/${cid}/certificate`, { body: { artifact_type: 'a', artifact_ref: 'r' }, headers: auth }); // 409
await call('POST', `/api/v1/chains/${cid}/resolve`, { body: {}, headers: auth });
await call('POST', `/api/v1/chains/${cid}/resolve`, { body: {}, headers: auth });          // 409
const cert = await call('POST', `/api/v1/chains/${cid}/certificate`,
  { body: { artifact_type: 'report', artifact_ref: 'r-1' }, headers: auth });
const certId = cert.json?.data?.certificate_id ?? 'missing';
await call('GET', `/api/v1/provenance/verify/${certId}`);
await call('GET', '/api/v1/provenance/verify/no-such-certificate');
await call('GET', `/api/v1/provenance/bundle/${certId}`);
await call('GET', '/api/v1/provenance/bundle/no-such-certificate');
await call('GET', '/api/v1/provenance/public-key');
// A second chain and certificate, to supersede the first; then revoke the second.
const c2 = await call('POST', '/api/v1/chains', { body: {}, headers: auth });
const c2id = c2.json?.data?.id ?? 'missing';
await call('POST', `/api/v1/chains/${c2id}/events`, { body: { event_type: 'x' }, headers: auth });
await call('POST', `/api/v1/chains/${c2id}/resolve`, { body: {}, headers: auth });
const cert2 = await call('POST', `/api/v1/chains/${c2id}/certificate`, { body: { artifact_type: 'a', artifact_ref: 'b' }, headers: auth });
const cert2Id = cert2.json?.data?.certificate_id ?? 'missing';
await call('POST', `/api/v1/provenance/certificates/${certId}/supersede`, { body: { superseded_by: cert2Id }, headers: auth });
await call('POST', `/api/v1/provenance/certificates/${certId}/supersede`, { body: { superseded_by: cert2Id }, headers: auth }); // 409
await call('POST', `/api/v1/provenance/certificates/${cert2Id}/revoke`, { body: { reason: 'test' }, headers: auth });
await call('POST', '/api/v1/provenance/certificates/no-such-certificate/revoke', { body: { reason: 'x' }, headers: auth }); // 404
await call('GET', `/api/v1/provenance/verify/${cert2Id}`);

// The listings (docs/browse.md): pages, a bad cursor, a proof record unknown, a write without proof:write.
for (const p of ['/v1/traces', '/v1/traces?limit=1', '/v1/chains?status=certified', '/v1/certificates',
  '/v1/proofs', '/v1/log/entries?limit=2', '/v1/log/checkpoints?limit=1'])
  await call('GET', p);
await call('GET', '/v1/traces?cursor=bad');                                          // 400 invalid_cursor
await call('GET', '/v1/chains?color=red');                                           // 400 unknown_parameter
await call('GET', '/v1/proofs/' + '0'.repeat(64));                                   // 404
await call('POST', '/v1/proofs', { body: { schema_version: '1.0' }, headers: auth }); // 403: no proof:write
await call('GET', '/v1/lineage?trace_id=oas-1');                                    // the trace's lineage graph
await call('GET', '/v1/lineage?trace_id=oas-1&format=dot');
await call('GET', '/v1/lineage');                                                    // 400 missing_parameter
await call('GET', '/v1/lineage?trace_id=oas-none');                                  // 404 trace_not_found

// MCP (streamable HTTP): a session's lifecycle and the transport's refusals.
const mcpHeaders = { accept: 'application/json, text/event-stream' };
const init = await call('POST', '/mcp', { headers: mcpHeaders, body: { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'oas', version: '1' } } } });
const sid = init.headers.get('mcp-session-id') ?? 'missing';
const inSession = { ...mcpHeaders, 'mcp-session-id': sid };
await call('POST', '/mcp', { headers: inSession, body: { jsonrpc: '2.0', method: 'notifications/initialized' } }); // 202
await call('POST', '/mcp', { headers: inSession, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
await call('POST', '/mcp', { headers: inSession, body: { jsonrpc: '2.0', id: 3, method: 'tools/call',
  params: { name: 'canonicalize', arguments: { value: { b: 1, a: 2 } } } } });
await call('POST', '/mcp', { headers: mcpHeaders, body: { jsonrpc: '2.0', id: 4, method: 'ping' } });      // 400
await call('POST', '/mcp', { headers: { ...inSession, origin: 'https://evil.example' },
  body: { jsonrpc: '2.0', id: 5, method: 'ping' } });                                                     // 403
await call('POST', '/mcp', { headers: { 'mcp-session-id': sid, accept: 'text/html' },
  body: { jsonrpc: '2.0', id: 6, method: 'ping' } });                                                     // 406
await call('DELETE', '/mcp', { headers: { 'mcp-session-id': sid } });                                     // 204
await call('DELETE', '/mcp', { headers: { 'mcp-session-id': sid } });                                     // 404
await call('POST', '/mcp', { headers: inSession, body: { jsonrpc: '2.0', id: 7, method: 'ping' } });      // 404

// The transparency log (public).
await call('GET', '/log/checkpoint');
await call('GET', '/log/vkey');
await call('GET', '/log/tile/0/000');                  // 200 or 404 (not integrated yet)
await call('GET', '/log/tile/0/0');                    // 400 tile_path_index
await call('GET', '/log/tile/entries/000');
await call('GET', '/log/tile/entries/999');            // 404
await call('GET', '/log/proof/0');
await call('GET', '/log/proof/01');                    // 400
await call('GET', '/log/proof/99999999');              // 404 Retry-After

// Every documented operation was exercised.
const all = [];
for (const [p, item] of Object.entries(spec.paths))
  for (const m of METHODS) if (item[m]?.operationId) all.push(item[m].operationId);
const missing = all.filter((o) => !seen.has(o));
if (missing.length) failures.push(`operations never exercised: ${missing.join(', ')}`);
for (const f of failures) console.error('FAIL: ' + f);
console.log(`checked ${checked} responses against ${all.length} operations; ${failures.length} failures`);
process.exit(failures.length ? 1 : 0);
