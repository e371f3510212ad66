// The official TypeScript MCP SDK client against `prova mcp`, over stdio or streamable HTTP.
//
//   node proto_sdk.mjs stdio PROVA [prova mcp args...]
//   node proto_sdk.mjs http URL [TOKEN]
//
// Prints "ok NAME" / "FAIL NAME: why" per check and exits with the number of failures (the shell test counts them).
// Expected canonical values: ophamin.md §4.3 ({"x":30,"y":30.0}: 17 bytes, SHA-256 07e921d0..., HMAC under the
// reference's default key 59395d69...).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const [, , mode, target, ...rest] = process.argv;
let failures = 0;
const ok = (name) => console.log(`ok ${name}`);
const fail = (name, why) => {
  failures++;
  console.log(`FAIL ${name}: ${why}`);
};
const check = (name, cond, why) => (cond ? ok(name) : fail(name, why));
async function throwsCode(name, fn, code) {
  try {
    const r = await fn();
    fail(name, `no error; got ${JSON.stringify(r).slice(0, 300)}`);
  } catch (e) {
    check(name, e.code === code, `want code ${code}, got ${e.code}: ${e.message}`);
  }
}

let transport;
if (mode === 'stdio') {
  transport = new StdioClientTransport({ command: target, args: ['mcp', ...rest], stderr: 'inherit' });
} else {
  const headers = rest[0] ? { Authorization: `Bearer ${rest[0]}` } : {};
  transport = new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
}
const client = new Client({ name: 'prova-proto-test', version: '1.0.0' });

try {
  await client.connect(transport);
  ok('connect');
} catch (e) {
  fail('connect', e.message);
  process.exit(failures);
}

const info = client.getServerVersion();
check('serverInfo', info && info.name === 'prova' && /^\d+\.\d+\.\d+/.test(info.version), JSON.stringify(info));
const caps = client.getServerCapabilities();
check('capabilities', caps && caps.tools && caps.tools.listChanged === false && caps.resources &&
  caps.resources.subscribe === false, JSON.stringify(caps));
check('instructions', typeof client.getInstructions() === 'string' && client.getInstructions().length > 40,
  String(client.getInstructions()));
if (mode === 'http') {
  check('session id', typeof transport.sessionId === 'string' && /^[0-9a-f]{48}$/.test(transport.sessionId),
    String(transport.sessionId));
  check('negotiated version', transport.protocolVersion === LATEST_PROTOCOL_VERSION, transport.protocolVersion);
}

try {
  const r = await client.ping();
  check('ping', r && Object.keys(r).length === 0, JSON.stringify(r));
} catch (e) {
  fail('ping', e.message);
}

let tools = [];
try {
  tools = (await client.listTools()).tools;
  const names = tools.map((t) => t.name);
  check('listTools names', names.includes('canonicalize_value') && names.includes('verify_proof') &&
    names.every((n) => /^[a-z][a-z0-9_]*$/.test(n)) && new Set(names).size === names.length, names.join(','));
  const bad = tools.filter((t) => !(t.inputSchema && t.inputSchema.type === 'object' && t.annotations &&
    typeof t.annotations.readOnlyHint === 'boolean' && typeof t.annotations.destructiveHint === 'boolean' &&
    typeof t.annotations.idempotentHint === 'boolean' && typeof t.annotations.openWorldHint === 'boolean' &&
    typeof t.description === 'string' && t.description.length > 0 && typeof t.title === 'string'));
  check('listTools schemas and annotations', bad.length === 0, bad.map((t) => t.name).join(','));
  const cv = tools.find((t) => t.name === 'canonicalize_value');
  check('canonicalize_value is read-only', cv && cv.annotations.readOnlyHint === true, JSON.stringify(cv && cv.annotations));
  check('some tool has an outputSchema', tools.some((t) => t.outputSchema && t.outputSchema.type === 'object'), '');
} catch (e) {
  fail('listTools', e.message);
}

try {
  const r = await client.callTool({ name: 'canonicalize_value', arguments: { value_json: '{"x":30,"y":30.0}' } });
  const s = r.structuredContent || {};
  check('canonicalize_value result', r.isError === false && s.canonical === '{"x":30,"y":30.0}' &&
    s.canonical_bytes_len === 17 &&
    s.sha256_hex === '07e921d07ddb9d5c4d9dabfd90b07b3e58ae2cda075c62e92664013a9dd6d689' &&
    s.hmac_sha256_hex === '59395d69d5c887892d5f42b39765c00df39783a8dcd08b81c33f2813f758da84' &&
    s.content_hash === s.sha256_hex, JSON.stringify(r).slice(0, 500));
  check('text content mirrors structuredContent', r.content.length === 1 && r.content[0].type === 'text' &&
    JSON.stringify(JSON.parse(r.content[0].text)) === JSON.stringify(s), JSON.stringify(r.content));
} catch (e) {
  fail('canonicalize_value', e.message);
}

try { /* a tool error (bad arguments) is a result with isError, not a protocol error */
  const r = await client.callTool({ name: 'canonicalize_value', arguments: { value_json: '{"x":' } });
  check('tool error is isError', r.isError === true && r.content[0].type === 'text' && r.content[0].text.length > 0,
    JSON.stringify(r).slice(0, 300));
} catch (e) {
  fail('tool error is isError', e.message);
}

await throwsCode('unknown tool -32602', () => client.callTool({ name: 'no_such_tool', arguments: {} }), -32602);

try {
  const r = await client.listResources();
  check('listResources', Array.isArray(r.resources), JSON.stringify(r).slice(0, 200));
  const t = await client.listResourceTemplates();
  check('listResourceTemplates', Array.isArray(t.resourceTemplates) && t.resourceTemplates.length > 0 &&
    t.resourceTemplates.every((x) => typeof x.uriTemplate === 'string' && x.uriTemplate.startsWith('prova://')),
    JSON.stringify(t).slice(0, 300));
} catch (e) {
  fail('resources', e.message);
}
await throwsCode('readResource unknown -32002',
  () => client.readResource({ uri: 'prova://trace/does-not-exist-0000' }), -32002);

// Several calls in flight at once (HTTP: concurrent POSTs on one session; stdio: pipelined lines).
try {
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    client.callTool({ name: 'canonicalize_value', arguments: { value_json: `{"n":${i},"a":[1,2.5]}` } })));
  check('20 concurrent calls', rs.every((r, i) => r.structuredContent.canonical === `{"a":[1,2.5],"n":${i}}`),
    JSON.stringify(rs.map((r) => r.structuredContent && r.structuredContent.canonical)));
} catch (e) {
  fail('20 concurrent calls', e.message);
}

try {
  if (mode === 'http') await transport.terminateSession();
  await client.close();
  ok('close');
} catch (e) {
  fail('close', e.message);
}
process.exit(failures);
