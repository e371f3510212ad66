// The named peer of bench/mcp.sh: the official TypeScript MCP SDK's server (McpServer over stdio, the same SDK
// version the tests lock) with the two tools the benchmark calls, doing the same work as prova's:
//   canonicalize {value, profile:"ope"}: sorted-key compact JSON (JSON.stringify after a recursive key sort), and
//     the SHA-256 of it, as prova's canonicalize returns {canonical, bytes_len, sha256_hex, ...};
//   verify {document: an OPE envelope, jwks}: recompute the cid (SHA-256 of the sorted payload) and verify the
//     Ed25519 signature over "cid|trace_id|ts" with node:crypto, as prova's verify does for an envelope.
// It checks less than prova (no freshness, no dialect detection, no report): it is a floor, not an equal.
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The SDK and zod come from the tests' locked install (tests/package-lock.json).
const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);
const { McpServer } = await load('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = await load('@modelcontextprotocol/sdk/server/stdio.js');
const { z } = await load('zod');

const sortKeys = (v) =>
  Array.isArray(v) ? v.map(sortKeys)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;
const canon = (v) => JSON.stringify(sortKeys(v));
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

const server = new McpServer({ name: 'peer', version: '0.0.0' });
server.registerTool('canonicalize', {
  inputSchema: { value: z.any(), profile: z.string().optional() },
}, async ({ value }) => {
  const c = canon(value);
  const out = { profile: 'ope', canonical: c, bytes_len: Buffer.byteLength(c), sha256_hex: sha256(c) };
  return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
});
const keys = new Map();
server.registerTool('verify', {
  inputSchema: { document: z.any(), jwks: z.any().optional() },
}, async ({ document: env, jwks }) => {
  const jwk = jwks.keys.find((k) => k.kid === env.kid);
  let key = keys.get(jwk.kid);
  if (!key) keys.set(jwk.kid, (key = createPublicKey({ key: jwk, format: 'jwk' })));
  const cid = 'sha256:' + sha256(canon(env.payload));
  const ok = cid === env.cid &&
    edVerify(null, Buffer.from(`${env.cid}|${env.trace_id}|${env.ts}`), key, Buffer.from(env.sig, 'base64url'));
  const out = { valid: ok, kind: 'ope_envelope' };
  return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
});
await server.connect(new StdioServerTransport());
