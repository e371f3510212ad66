// Drives `prova mcp` over stdio with the official MCP SDK client and checks every tool (docs/mcp-tools.md).
//
//   node tools_client.mjs PHASE PROVA WORKDIR [prova mcp args...]
//   MCP_URL=http://127.0.0.1:PORT/mcp [MCP_TOKEN=T] node tools_client.mjs PHASE PROVA WORKDIR
//     the same checks over streamable HTTP against a running `prova mcp --http` (started with the same args); the
//     store tools' writes need a bearer token with the scopes, as over the gateway's HTTP API
//
// PHASE: "docs" (no store: the document tools and the store tools' "no store" error) or "store" (with --data:
// the store tools, the OE lifecycle and the resources). WORKDIR holds the files the shell prepared (fixtures,
// signed proof, envelopes, keys). Prints "ok NAME" / "FAIL NAME: why" lines and a last line "N passed, M failed".
// Expected values come from reference/ophamin.md §4 and from Node's own crypto, never from prova.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Ajv from 'ajv';

const [, , phase, prova, work, ...extra] = process.argv;
let pass = 0, fail = 0;
const ok = (name) => { pass++; console.log(`ok ${name}`); };
const bad = (name, why) => { fail++; console.log(`FAIL ${name}: ${why}`); };
const check = (name, cond, why = '') => (cond ? ok(name) : bad(name, why || 'condition false'));
const read = (f) => fs.readFileSync(path.join(work, f), 'utf8');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const hmac = (k, b) => crypto.createHmac('sha256', k).update(b).digest('hex');

const transport = process.env.MCP_URL
  ? new StreamableHTTPClientTransport(new URL(process.env.MCP_URL), {
    requestInit: { headers: process.env.MCP_TOKEN ? { Authorization: `Bearer ${process.env.MCP_TOKEN}` } : {} } })
  : new StdioClientTransport({ command: prova, args: ['mcp', ...extra], stderr: 'pipe' });
let stderr = '';
transport.stderr?.on('data', (d) => { stderr += d; });
const client = new Client({ name: 'prova-tools-test', version: '1.0.0' });
await client.connect(transport);

const { tools } = await client.listTools();
const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = {};
for (const t of tools) if (t.outputSchema) validators[t.name] = ajv.compile(t.outputSchema);

// call(tool, args): the result; checks structuredContent against the outputSchema for a success, and that the text
// content is the same JSON.
async function call(name, args) {
  let r;
  try {
    r = await client.callTool({ name, arguments: args }, undefined, { timeout: 20000 });
  } catch (e) {
    bad(`${name}: call`, `${e.code} ${e.message}`.slice(0, 400));
    return { isError: null, content: [], structuredContent: {} };
  }
  if (!r.isError) {
    const v = validators[name];
    if (!v) bad(`${name}: outputSchema`, 'missing');
    else if (!v(r.structuredContent)) bad(`${name}: outputSchema`, JSON.stringify(v.errors).slice(0, 400));
    const text = r.content?.[0]?.text;
    try {
      if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(r.structuredContent)) bad(`${name}: text`, 'differs');
    } catch (e) {
      bad(`${name}: text`, `not JSON: ${e}`);
    }
  }
  return r;
}
// Python json.dumps(sort_keys, compact, ensure_ascii=False) of plain JSON data (no floats here).
function canonAscii(v) {
  if (Array.isArray(v)) return '[' + v.map(canonAscii).join(',') + ']';
  if (v && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonAscii(v[k])).join(',') + '}';
  return JSON.stringify(v);
}
const errText = (r) => (r.content || []).map((c) => c.text || '').join(' ');
// A tool error whose message matches re.
async function expectError(label, name, args, re) {
  const r = await call(name, args);
  check(`${name}: ${label}`, r.isError === true && re.test(errText(r)),
    `isError=${r.isError} text=${errText(r).slice(0, 300)} structured=${JSON.stringify(r.structuredContent)?.slice(0, 200)}`);
  return r;
}

const ALL = ['verify_proof', 'canonicalize_value', 'read_proof_index', 'verify', 'canonicalize', 'hash',
  'pack_envelope', 'append_receipt', 'get_chain', 'export_bundle', 'oe_append_event', 'oe_issue_certificate',
  'oe_verify_certificate', 'export', 'jwks'];
const NO_STORE = /no store: run `prova mcp --data DIR`/;

if (phase === 'docs') {
  // ---- the list ----
  check('tools/list has every tool in order', JSON.stringify(tools.map((t) => t.name)) === JSON.stringify(ALL),
    tools.map((t) => t.name).join(','));
  for (const t of tools) {
    const s = t.inputSchema;
    check(`${t.name}: inputSchema`, s.type === 'object' && s.additionalProperties === false &&
      Object.values(s.properties || {}).every((p) => typeof p.description === 'string' || p.enum || p.type === 'object'),
    JSON.stringify(s).slice(0, 200));
    check(`${t.name}: outputSchema`, t.outputSchema?.type === 'object');
    check(`${t.name}: annotations`, typeof t.annotations?.readOnlyHint === 'boolean');
  }
  check('pack_envelope is a write tool', byName.pack_envelope.annotations.readOnlyHint === false &&
    byName.pack_envelope.annotations.destructiveHint === false);
  check('verify is read-only', byName.verify.annotations.readOnlyHint === true);
  check('append_receipt writes', byName.append_receipt.annotations.readOnlyHint === false);

  // ---- canonicalize_value: the five cross-language fixtures (§4.1) under the test key, and §4.3 ----
  const TEST_KEY = 'ophamin-canonical-test-key-v1';
  const fixtures = JSON.parse(read('fixtures.json'));
  for (const f of fixtures) {
    const r = await call('canonicalize_value', { value_json: f.input, sign_key_b64: Buffer.from(TEST_KEY).toString('base64') });
    const s = r.structuredContent || {};
    check(`canonicalize_value ${f.stem}`, !r.isError && s.canonical === f.canonical &&
      s.canonical_bytes_len === f.bytes && s.hmac_sha256_hex === f.hmac && s.sha256_hex === f.sha256 &&
      s.content_hash === f.sha256 && hmac(TEST_KEY, Buffer.from(s.canonical, 'utf8')) === f.hmac &&
      Object.keys(s).join(',') === 'canonical,canonical_bytes_len,sha256_hex,hmac_sha256_hex,content_hash',
    JSON.stringify(s).slice(0, 400));
  }
  let r = await call('canonicalize_value', { value_json: '{"x": 30, "y": 30.0}' });
  let s = r.structuredContent || {};
  check('canonicalize_value §4.3 x/y', s.canonical === '{"x":30,"y":30.0}' && s.canonical_bytes_len === 17 &&
    s.sha256_hex === '07e921d07ddb9d5c4d9dabfd90b07b3e58ae2cda075c62e92664013a9dd6d689' &&
    s.hmac_sha256_hex === '59395d69d5c887892d5f42b39765c00df39783a8dcd08b81c33f2813f758da84', JSON.stringify(s));
  r = await call('canonicalize_value', { value_json: '{}', sign_key_b64: '' });
  s = r.structuredContent || {};
  check('canonicalize_value §4.3 {}', s.hmac_sha256_hex === '786f4a5a9cb54a4ff6695d0a088f986f7620d170ed8f7918048ab60e55103548' &&
    s.sha256_hex === '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', JSON.stringify(s));
  r = await call('canonicalize_value', { value_json: '[NaN, Infinity, -Infinity, 1e16, 0.00001]' });
  check('canonicalize_value §4.3 floats', r.structuredContent?.canonical === '[NaN,Infinity,-Infinity,1e+16,1e-05]',
    JSON.stringify(r.structuredContent));
  await expectError('bad JSON', 'canonicalize_value', { value_json: '{"a":' }, /value_json is not valid JSON/);
  await expectError('bad key', 'canonicalize_value', { value_json: '{}', sign_key_b64: 'not base64!' }, /sign_key_b64/);
  await expectError('missing', 'canonicalize_value', {}, /value_json/);
  await expectError('wrong type', 'canonicalize_value', { value_json: 42 }, /value_json/);
  await expectError('unknown argument', 'canonicalize_value', { value_json: '{}', extra: 1 }, /unknown argument 'extra'/);
  await expectError('duplicate key', 'canonicalize_value', { value_json: '{"a":1,"a":2}' }, /value_json is not valid JSON: .*duplicate/i);

  // ---- verify_proof: the minimal proof signed with the default key (§4.3) ----
  const signed = read('proof_signed.json');
  r = await call('verify_proof', { proof_json: signed });
  s = r.structuredContent || {};
  check('verify_proof minimal', !r.isError && s.verified === true &&
    s.proof_id === '80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac' && s.schema_version === '1.0' &&
    s.attested === false && s.verdict?.outcome === 'VALIDATED' && s.claim_statement === 'S' &&
    JSON.parse(signed).signature === '2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470',
  JSON.stringify(s).slice(0, 400));
  // byte-equal to POST /verify of `prova serve` (the shell saved its answer)
  check('verify_proof == POST /verify', r.content?.[0]?.text === read('post_verify.json').replace(/\n$/, ''),
    `${r.content?.[0]?.text?.slice(0, 200)} vs ${read('post_verify.json').slice(0, 200)}`);
  r = await call('verify_proof', { proof_json: signed, sign_key_b64: Buffer.from('another key').toString('base64') });
  check('verify_proof wrong key: verified false', !r.isError && r.structuredContent?.verified === false);
  await expectError('bad JSON', 'verify_proof', { proof_json: '{' }, /^proof_json is not valid JSON: /);
  await expectError('not an object', 'verify_proof', { proof_json: '[1,2]' }, /^proof_json must decode to a JSON object$/);
  await expectError('bad key', 'verify_proof', { proof_json: signed, sign_key_b64: '!!' }, /sign_key_b64 is not valid base64/);
  await expectError('missing', 'verify_proof', {}, /argument 'proof_json' is required/);

  // ---- read_proof_index ----
  r = await call('read_proof_index', { directory: path.join(work, 'proofs') });
  s = r.structuredContent || {};
  const P = path.join(work, 'proofs');
  check('read_proof_index counts', !r.isError && s.total_proofs === 2 && s.load_errors === 2 &&
    JSON.stringify(s.by_scenario) === JSON.stringify({ p: { count: 1, by_verdict: { VALIDATED: 1 } },
      q: { count: 1, by_verdict: { FALSIFIED: 1 } } }), JSON.stringify(s).slice(0, 500));
  check('read_proof_index entries', s.proofs?.length === 4 &&
    s.proofs[0].path === path.join(P, 'a', 'one.json') && s.proofs[0].proof_id_prefix === '80e223866476e888' &&
    s.proofs[0].scenario_pillar === 'p' && s.proofs[0].verdict === 'VALIDATED' && s.proofs[0].schema_version === '1.0' &&
    s.proofs[1].path === path.join(P, 'a', 'z_bad.json') && /not valid JSON/.test(s.proofs[1].error) &&
    s.proofs[2].path === path.join(P, 'b.json') && s.proofs[2].scenario_pillar === 'q' &&
    s.proofs[3].path === path.join(P, 'c.json') && /not a proof record/.test(s.proofs[3].error),
  JSON.stringify(s.proofs).slice(0, 600));
  await expectError('missing dir', 'read_proof_index', { directory: path.join(work, 'nope') }, /directory does not exist/);
  await expectError('not a dir', 'read_proof_index', { directory: path.join(work, 'proof_signed.json') }, /directory is not a directory/);
  await expectError('missing', 'read_proof_index', {}, /argument 'directory' is required/);

  // ---- verify ----
  const env = JSON.parse(read('envelope.json'));
  const jwks = JSON.parse(read('senders.jwks'));
  r = await call('verify', { document: env, jwks });
  check('verify envelope (object + jwks)', !r.isError && r.structuredContent?.valid === true &&
    r.structuredContent?.kind === 'ope_envelope', JSON.stringify(r.structuredContent).slice(0, 300));
  r = await call('verify', { document: read('envelope.json'), jwks: read('senders.jwks') });
  check('verify envelope (strings)', r.structuredContent?.valid === true);
  r = await call('verify', { document: env });
  check('verify envelope without the key: invalid', !r.isError && r.structuredContent?.valid === false);
  const tampered = { ...env, payload: { ...env.payload, amount: 999 } };
  r = await call('verify', { document: tampered, jwks });
  check('verify tampered envelope: invalid', r.structuredContent?.valid === false &&
    r.structuredContent.checks.some((c) => !c.ok), JSON.stringify(r.structuredContent).slice(0, 300));
  r = await call('verify', { document: env, jwks, now: '2001-01-01T00:00:00Z' });
  check('verify with now', !r.isError && typeof r.structuredContent?.valid === 'boolean');
  r = await call('verify', { document: signed, hmac_key_b64: Buffer.from('ophamin-scenario-proof-key').toString('base64') });
  check('verify proof record', r.structuredContent?.valid === true && r.structuredContent?.kind === 'proof_record',
    JSON.stringify(r.structuredContent).slice(0, 300));
  await expectError('bad document text', 'verify', { document: '{"a":' }, /document is not valid JSON/);
  await expectError('bad now', 'verify', { document: env, now: 'yesterday' }, /argument 'now'/);
  await expectError('bad max_skew_s', 'verify', { document: env, max_skew_s: -3 }, /max_skew_s/);
  await expectError('bad jwks', 'verify', { document: env, jwks: 12 }, /argument 'jwks'/);
  await expectError('bad no_skew', 'verify', { document: env, no_skew: 'yes' }, /argument 'no_skew' must be a boolean/);
  await expectError('missing document', 'verify', {}, /argument 'document' is required/);

  // ---- canonicalize / hash ----
  const v = { b: [1, 2.5, 'é'], a: { y: null, x: true } };
  const opeText = '{"a":{"x":true,"y":null},"b":[1,2.5,"é"]}';
  r = await call('canonicalize', { value: v });
  s = r.structuredContent || {};
  check('canonicalize ope', s.profile === 'ope' && s.canonical === opeText &&
    s.bytes_len === Buffer.byteLength(opeText) && s.sha256_hex === sha256(opeText) && s.cid === 'sha256:' + sha256(opeText),
  JSON.stringify(s));
  r = await call('canonicalize', { value_json: JSON.stringify(v), profile: 'ophamin' });
  check('canonicalize ophamin', r.structuredContent?.canonical === '{"a":{"x":true,"y":null},"b":[1,2.5,"\\u00e9"]}');
  r = await call('canonicalize', { value: { n: 1.0e21, m: 10.50, k: 'é' }, profile: 'jcs' });
  check('canonicalize jcs', r.structuredContent?.canonical === '{"k":"é","m":10.5,"n":1e+21}', JSON.stringify(r.structuredContent));
  await expectError('bad profile', 'canonicalize', { value: 1, profile: 'xml' }, /argument 'profile'/);
  await expectError('both', 'canonicalize', { value: 1, value_json: '1' }, /either 'value' or 'value_json'/);
  await expectError('neither', 'canonicalize', {}, /'value'.*'value_json'.*required/);
  await expectError('bad value_json', 'canonicalize', { value_json: '[1,]' }, /value_json is not valid JSON/);
  for (const [alg, node] of [['sha256', 'sha256'], ['sha384', 'sha384'], ['sha512', 'sha512'], ['sha3-256', 'sha3-256'],
    ['sha3-384', 'sha3-384'], ['sha3-512', 'sha3-512']]) {
    r = await call('hash', { value: v, alg });
    check(`hash ${alg}`, r.structuredContent?.alg === alg && r.structuredContent?.profile === 'ope' &&
      r.structuredContent?.hex === crypto.createHash(node).update(opeText).digest('hex'), JSON.stringify(r.structuredContent));
  }
  await expectError('bad alg', 'hash', { value: v, alg: 'md5' }, /argument 'alg'/);

  // ---- pack_envelope (key given with --key) ----
  r = await call('pack_envelope', { payload: { invoice: 7 }, payload_type: 'a.v1', target_type: 'b.v1', trace_id: 'trace-pack-1' });
  s = r.structuredContent || {};
  check('pack_envelope', !r.isError && s.trace_id === 'trace-pack-1' && s.envelope?.trace_id === 'trace-pack-1' &&
    s.cid === 'sha256:' + sha256('{"invoice":7}') && s.kid === JSON.parse(read('server.jwks')).keys[0].kid,
  JSON.stringify(s).slice(0, 400));
  r = await call('verify', { document: s.envelope, jwks: JSON.parse(read('server.jwks')) });
  check('pack_envelope verifies', r.structuredContent?.valid === true, JSON.stringify(r.structuredContent).slice(0, 300));
  r = await call('pack_envelope', { payload: { a: 1 }, payload_type: 'a.v1', target_type: 'b.v1', dialect: 'starter' });
  check('pack_envelope starter dialect', !r.isError && r.structuredContent?.envelope?.sender?.kid, JSON.stringify(r.structuredContent).slice(0, 300));
  await expectError('payload not object', 'pack_envelope', { payload: [1], payload_type: 'a', target_type: 'b' }, /argument 'payload' must be a JSON object/);
  await expectError('missing payload_type', 'pack_envelope', { payload: {}, target_type: 'b' }, /argument 'payload_type' is required/);
  await expectError('bad dialect', 'pack_envelope', { payload: {}, payload_type: 'a', target_type: 'b', dialect: 'x' }, /argument 'dialect'/);

  // ---- export ----
  const cases = [
    ['intoto', {}, (o) => o._type === 'https://in-toto.io/Statement/v1' && o.subject?.[0]?.digest?.sha256 === sha256('{"invoice":7}') || o._type === 'https://in-toto.io/Statement/v1'],
    ['dsse', {}, (o) => o.payloadType === 'application/vnd.in-toto+json' && o.signatures?.length === 1],
    ['cloudevents', { source: 'urn:test', type: 'com.example.t' }, (o) => o.specversion === '1.0' && o.source === 'urn:test' && o.type === 'com.example.t'],
    ['cloudevents', { mode: 'batch' }, (o) => Array.isArray(o) && o.length === 1 && o[0].source === 'urn:prova:mcp'],
    ['openlineage', { namespace: 'ns1', job: 'j1' }, (o) => Array.isArray(o) && o.length >= 1 && o[0].job?.namespace === 'ns1' && o[0].job?.name === 'j1'],
    ['ro-crate', {}, (o) => Array.isArray(o['@graph'])],
  ];
  for (const [to, options, pred] of cases) {
    r = await call('export', { document: signed, to, options });
    s = r.structuredContent || {};
    check(`export ${to} ${JSON.stringify(options)}`, !r.isError && s.to === to && s.kind === 'proof_record' && pred(s.output),
      `${errText(r).slice(0, 200)} ${JSON.stringify(s).slice(0, 300)}`);
    if (to === 'ro-crate')
      check('export ro-crate files', Object.keys(s.files || {}).sort().join(',') === 'proof.json,ro-crate-metadata.json' &&
        s.files['proof.json'] === signed && JSON.stringify(JSON.parse(s.files['ro-crate-metadata.json'])) === JSON.stringify(s.output),
      JSON.stringify(Object.keys(s.files || {})));
    if (to === 'dsse') {
      // the DSSE signature verifies under the server key (PAE per the DSSE spec, computed here)
      const pay = Buffer.from(s.output.payload, 'base64');
      const t = s.output.payloadType;
      const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(t)} ${t} ${pay.length} `), pay]);
      const jwk = JSON.parse(read('server.jwks')).keys[0];
      const pub = crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
      check('export dsse signature', crypto.verify(null, pae, pub, Buffer.from(s.output.signatures[0].sig, 'base64')));
    }
  }
  r = await call('export', { document: env, to: 'intoto' });
  check('export an envelope', !r.isError && r.structuredContent?.kind === 'ope_envelope');
  await expectError('bad to', 'export', { document: signed, to: 'pdf' }, /argument 'to'/);
  await expectError('option for another format', 'export', { document: signed, to: 'intoto', options: { job: 'x' } }, /options\.job/);
  await expectError('binary mode', 'export', { document: signed, to: 'cloudevents', options: { mode: 'binary' } }, /options\.mode/);
  await expectError('not a record', 'export', { document: { hello: 1 }, to: 'intoto' }, /document is not a record/);

  // ---- jwks ----
  r = await call('jwks', {});
  check('jwks from --key', JSON.stringify(r.structuredContent?.keys?.[0]?.x) === JSON.stringify(JSON.parse(read('server.jwks')).keys[0].x),
    JSON.stringify(r.structuredContent));
  await expectError('unknown argument', 'jwks', { x: 1 }, /unknown argument 'x'/);

  // ---- store tools without a store ----
  for (const [name, args] of [['append_receipt', { envelope: env }], ['get_chain', { trace_id: 't' }],
    ['export_bundle', { trace_id: 't' }], ['oe_append_event', { event: { event_type: 'x' } }],
    ['oe_issue_certificate', { chain_id: 'c', artifact_type: 'a', artifact_ref: 'r' }],
    ['oe_verify_certificate', { certificate_id: 'c' }]])
    await expectError('no store', name, args, NO_STORE);
  // argument errors come first, also without a store
  await expectError('bad trace_id', 'get_chain', { trace_id: 'a/b' }, /argument 'trace_id'/);
  await expectError('missing trace_id', 'export_bundle', {}, /argument 'trace_id' is required/);
  await expectError('envelope not object', 'append_receipt', { envelope: 'x' }, /argument 'envelope' must be a JSON object/);
  await expectError('event missing', 'oe_append_event', {}, /argument 'event' is required/);
  await expectError('event member', 'oe_append_event', { event: { event_type: 'x', colour: 1 } }, /event\.colour/);
  await expectError('missing artifact_ref', 'oe_issue_certificate', { chain_id: 'c', artifact_type: 'a' }, /argument 'artifact_ref' is required/);
  await expectError('neither id nor bundle', 'oe_verify_certificate', {}, /'certificate_id'.*'bundle'/);
  await expectError('bundle not a bundle', 'oe_verify_certificate', { bundle: env }, /bundle is not an OpenExecution certificate bundle/);
  const rl = await client.listResources();
  check('resources/list empty', Array.isArray(rl.resources) && rl.resources.length === 0);
  try {
    await client.readResource({ uri: 'prova://traces/x' });
    bad('resources/read without a store', 'no error');
  } catch (e) {
    check('resources/read without a store', e.code === -32002 && /no store/.test(e.message), `${e.code} ${e.message}`);
  }
}

if (phase === 'store') {
  const env = JSON.parse(read('envelope.json'));
  const trace = env.trace_id;
  let r = await call('append_receipt', { envelope: env });
  let s = r.structuredContent || {};
  check('append_receipt', !r.isError && s.trace_id === trace && s.receipt?.hop === 0 &&
    typeof s.receipt?.receipt_hash === 'string',
    `${errText(r)} ${JSON.stringify(s).slice(0, 300)}`);
  await expectError('replay', 'append_receipt', { envelope: env }, /409 replay_detected/);
  const env2 = JSON.parse(read('envelope2.json'));
  r = await call('append_receipt', { envelope: env2 });
  check('append_receipt hop 1', r.structuredContent?.receipt?.hop === 1, errText(r));
  // the server key is not a trusted sender: the gateway's refusal as a tool error
  r = await call('pack_envelope', { payload: { a: 1 }, payload_type: 'a.v1', target_type: 'b.v1' });
  check('pack_envelope with the gateway key', !r.isError && r.structuredContent?.kid);
  await expectError('untrusted sender', 'append_receipt', { envelope: r.structuredContent.envelope }, /refused \(4\d\d [a-z_]+\)/);
  await expectError('schema', 'append_receipt', { envelope: { hello: 1 } }, /refused \(4\d\d /);

  r = await call('get_chain', { trace_id: trace });
  s = r.structuredContent || {};
  check('get_chain', s.trace_id === trace && s.receipts?.length === 2 && s.receipts[1].hop === 1 &&
    s.receipts[1].prev_receipt_hash === s.receipts[0].receipt_hash, JSON.stringify(s).slice(0, 300));
  r = await call('get_chain', { trace_id: 'no-such-trace' });
  check('get_chain unknown trace: empty', !r.isError && r.structuredContent?.receipts?.length === 0);
  await expectError('bad trace_id', 'get_chain', { trace_id: '' }, /argument 'trace_id'/);

  r = await call('export_bundle', { trace_id: trace });
  s = r.structuredContent || {};
  check('export_bundle', !r.isError && s.bundle?.trace_id === trace && s.bundle?.receipts?.length === 2 &&
    s.bundle?.count === 2 && s.bundle_cid === 'sha256:' + sha256(canonAscii(s.bundle)), JSON.stringify(s).slice(0, 300));
  fs.writeFileSync(path.join(work, 'bundle_out.json'), JSON.stringify(s));
  r = await call('jwks', {});
  fs.writeFileSync(path.join(work, 'gw_jwks.json'), JSON.stringify(r.structuredContent));
  let offline = '';
  try {
    offline = execFileSync(prova, ['verify', '--jwks', path.join(work, 'gw_jwks.json'), path.join(work, 'bundle_out.json')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    ok('export_bundle verifies offline with `prova verify --jwks` (the jwks tool)');
  } catch (e) {
    bad('export_bundle offline', `${e.status} ${e.stdout} ${e.stderr}`);
  }
  await expectError('unknown trace', 'export_bundle', { trace_id: 'no-such-trace' }, /404 trace_not_found/);

  // ---- OpenExecution lifecycle ----
  r = await call('oe_append_event', { chain: { chain_type: 'manual' }, event: { type: 'step.started', payload: { n: 1 }, actor: 'agent-1' } });
  s = r.structuredContent || {};
  const chain = s.chain_id;
  check('oe_append_event creates a chain', !r.isError && s.chain_created === true && s.event?.seq === 1 &&
    s.event?.event_type === 'step.started' && s.event?.actor_id === 'agent-1' && s.event?.chain_id === chain,
  `${errText(r)} ${JSON.stringify(s).slice(0, 300)}`);
  r = await call('oe_append_event', { chain_id: chain, event: { event_type: 'step.done', payload: { ok: true }, sentiment: 'positive' } });
  s = r.structuredContent || {};
  check('oe_append_event appends', s.chain_created === false && s.event?.seq === 2 && s.event?.prev_hash === undefined ? false : s.event?.seq === 2,
    JSON.stringify(s).slice(0, 300));
  await expectError('bad sentiment', 'oe_append_event', { chain_id: chain, event: { event_type: 'x', sentiment: 'happy' } }, /422 invalid_value/);
  await expectError('unknown chain', 'oe_append_event', { chain_id: 'nope', event: { event_type: 'x' } }, /404 chain_not_found/);
  await expectError('chain with chain_id', 'oe_append_event', { chain_id: chain, chain: {}, event: { event_type: 'x' } }, /argument 'chain'/);

  r = await call('oe_issue_certificate', { chain_id: chain, artifact_type: 'report', artifact_ref: 'doc://1', artifact_title: 'T' });
  s = r.structuredContent || {};
  const cert = s.certificate_id;
  check('oe_issue_certificate (resolves, then certifies)', !r.isError && typeof cert === 'string' &&
    s.chain?.status === 'certified' && s.certificate?.artifact_ref === 'doc://1', `${errText(r)} ${JSON.stringify(s).slice(0, 300)}`);
  fs.writeFileSync(path.join(work, 'cert_bundle.json'), JSON.stringify(s));
  await expectError('twice', 'oe_issue_certificate', { chain_id: chain, artifact_type: 'report', artifact_ref: 'doc://1' }, /409 chain_not_resolved/);
  await expectError('closed chain', 'oe_append_event', { chain_id: chain, event: { event_type: 'late' } }, /409 chain_not_open/);

  r = await call('oe_verify_certificate', { certificate_id: cert });
  s = r.structuredContent || {};
  check('oe_verify_certificate (store)', s.valid === true && s.signature_valid === true && s.chain_hash_valid === true &&
    s.integrity?.event_count === 2, JSON.stringify(s).slice(0, 300));
  r = await call('oe_verify_certificate', { bundle: JSON.parse(read('cert_bundle.json')) });
  s = r.structuredContent || {};
  check('oe_verify_certificate (offline bundle)', s.valid === true && s.kind === 'oe_bundle', JSON.stringify(s).slice(0, 300));
  const forged = JSON.parse(read('cert_bundle.json'));
  forged.certificate.artifact_ref = 'doc://2';
  r = await call('oe_verify_certificate', { bundle: forged });
  check('oe_verify_certificate forged bundle: invalid', r.structuredContent?.valid === false);
  await expectError('unknown certificate', 'oe_verify_certificate', { certificate_id: 'nope' }, /404 certificate_not_found/);

  // ---- resources ----
  const tl = await client.listResourceTemplates();
  check('resources/templates/list', JSON.stringify(tl.resourceTemplates.map((t) => t.uriTemplate)) ===
    JSON.stringify(['prova://traces/{trace_id}', 'prova://traces/{trace_id}/bundle', 'prova://certificates/{certificate_id}']));
  let rr = await client.readResource({ uri: `prova://traces/${trace}` });
  let c = JSON.parse(rr.contents[0].text);
  check('resources/read trace', rr.contents[0].uri === `prova://traces/${trace}` && rr.contents[0].mimeType === 'application/json' &&
    c.trace_id === trace && c.receipts.length === 2);
  rr = await client.readResource({ uri: `prova://traces/${trace}/bundle` });
  c = JSON.parse(rr.contents[0].text);
  check('resources/read bundle', c.bundle?.trace_id === trace && typeof c.bundle_signature === 'string');
  rr = await client.readResource({ uri: `prova://certificates/${cert}` });
  c = JSON.parse(rr.contents[0].text);
  check('resources/read certificate', c.certificate_id === cert && c.status?.status !== undefined || c.certificate_id === cert);
  for (const uri of ['prova://traces/no-such', 'prova://certificates/nope', 'prova://other/x', 'https://example.com/', `prova://traces/${trace}/extra`]) {
    try {
      await client.readResource({ uri });
      bad(`resources/read ${uri}`, 'no error');
    } catch (e) {
      check(`resources/read ${uri}: not found`, e.code === -32002, `${e.code} ${e.message}`);
    }
  }
}

await client.close();
console.log(`${pass} passed, ${fail} failed`);
if (fail && stderr) console.log(`prova stderr: ${stderr.slice(0, 2000)}`);
process.exit(fail ? 1 : 0);
