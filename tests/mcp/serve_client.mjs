// The official MCP SDK client against `prova serve`'s /mcp: the tools act on the gateway's own store, through its
// own routes, with the session's bearer token as authority.
//
//   node serve_client.mjs URL FULL_TOKEN OE_ONLY_TOKEN ENVELOPE.json OUT_DIR
//
// Writes OUT_DIR/bundle.json (export_bundle's result) for the shell test to verify offline, and prints
// "ok NAME" / "FAIL NAME: why" per check; exits with the number of failures.
import fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [, , url, full, oeOnly, envFile, outDir] = process.argv;
const envelope = JSON.parse(fs.readFileSync(envFile, 'utf8'));
let failures = 0;
const check = (name, cond, why) => {
  if (cond) console.log(`ok ${name}`);
  else {
    failures++;
    console.log(`FAIL ${name}: ${why}`);
  }
};
const text = (r) => (r.content || []).map((c) => c.text || '').join(' ');

async function connect(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const c = new Client({ name: 'prova-serve-test', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return c;
}

try {
  // Without a token (loopback): read tools work, a write route is refused as over HTTP (401 token_missing).
  const anon = await connect(null);
  const tools = await anon.listTools();
  check('tools listed', tools.tools.some((t) => t.name === 'append_receipt'), JSON.stringify(tools).slice(0, 200));
  const refused = await anon.callTool({ name: 'append_receipt', arguments: { envelope } });
  check('append without a token: tool error', refused.isError && /401|token_missing/.test(text(refused)),
    JSON.stringify(refused).slice(0, 300));
  await anon.close();

  // A token without ope:write: 403 scope_missing, as over HTTP.
  const oe = await connect(oeOnly);
  const scoped = await oe.callTool({ name: 'append_receipt', arguments: { envelope } });
  check('append with an oe-only token: tool error', scoped.isError && /403|scope_missing/.test(text(scoped)),
    JSON.stringify(scoped).slice(0, 300));
  await oe.close();

  const c = await connect(full);
  const appended = await c.callTool({ name: 'append_receipt', arguments: { envelope } });
  check('append_receipt', !appended.isError && appended.structuredContent?.receipt?.hop === 0,
    JSON.stringify(appended).slice(0, 400));
  const again = await c.callTool({ name: 'append_receipt', arguments: { envelope } });
  check('the same envelope again: replay refused', again.isError && /409|replay/.test(text(again)),
    JSON.stringify(again).slice(0, 300));
  const chain = await c.callTool({ name: 'get_chain', arguments: { trace_id: envelope.trace_id } });
  const receipts = chain.structuredContent?.receipts || [];
  check('get_chain: one receipt, the one appended', receipts.length === 1 &&
    receipts[0].receipt_hash === appended.structuredContent.receipt.receipt_hash, JSON.stringify(chain).slice(0, 300));
  const bundle = await c.callTool({ name: 'export_bundle', arguments: { trace_id: envelope.trace_id } });
  check('export_bundle', !bundle.isError && bundle.structuredContent?.bundle_cid, JSON.stringify(bundle).slice(0, 300));
  fs.writeFileSync(`${outDir}/bundle.json`, JSON.stringify(bundle.structuredContent));
  const res = await c.readResource({ uri: `prova://traces/${envelope.trace_id}` });
  const rchain = JSON.parse(res.contents?.[0]?.text || '{}');
  check('resource prova://traces/{id}', JSON.stringify(rchain).includes(appended.structuredContent.receipt.receipt_hash),
    JSON.stringify(res).slice(0, 300));
  const jwks = await c.callTool({ name: 'jwks', arguments: {} });
  check('jwks: the gateway key', (jwks.structuredContent?.keys || []).length >= 1, JSON.stringify(jwks).slice(0, 200));
  fs.writeFileSync(`${outDir}/gw_mcp.jwks`, JSON.stringify(jwks.structuredContent));
  await c.close();
} catch (e) {
  failures++;
  console.log(`FAIL unexpected: ${e.stack || e}`);
}
process.exit(failures);
