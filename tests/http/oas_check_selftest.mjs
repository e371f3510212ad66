#!/usr/bin/env node
// oas_check_selftest.mjs [SPEC] — checks oas_check.mjs against the gateway's OpenAPI document with hand-made
// responses: a good and a bad body for several operations, path-template matching, status lookup, content types
// and required headers. Exits 1 on any unexpected result. SPEC defaults to src/http/openapi.json.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { loadSpec, checkResponse, findOperation } from "./oas_check.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const specPath = process.argv[2] ?? path.join(here, "..", "..", "src", "http", "openapi.json");
const spec = await loadSpec(specPath);

const JSONCT = "application/json";
const H64 = (c) => c.repeat(64);
const clone = (x) => structuredClone(x);
const err = (code, message) => ({ error: { code, message }, detail: message });

const receipt = {
  trace_id: "t-1", hop: 0, ts: "2025-08-22T04:18:05.123456+00:00", created_at: "2025-08-22T04:18:05.123460+00:00",
  gateway_kid: "ed25519-3f2a9c41b07d5e18", request_cid: "sha256:" + H64("a"), normalized_cid: "sha256:" + H64("b"),
  policy: { passed: true, rules: [] }, policy_engine: null, prev_receipt_hash: null,
  receipt_signature: "3q2-7w_abc", receipt_hash: H64("c"),
};
const receipt1 = { ...clone(receipt), hop: 1, prev_receipt_hash: H64("c"), receipt_hash: H64("d") };

const event = {
  id: "e-1", chain_id: "c-1", seq: 1, event_type: "code_pushed", actor_id: "octocat", sentiment: "neutral",
  payload: { sha: "9fceb02" }, created_at: "2026-03-20T10:00:00.000Z", prev_hash: H64("0"), event_hash: H64("e"),
};
const chain = {
  id: "c-1", chain_type: "manual", origin_type: "manual", origin_id: "c-1", status: "open",
  protocol_version: "oe-provenance:1.0-alpha", hash_algorithm: "sha256", signature_algorithm: "ed25519",
  canonicalization: "jcs", event_count: 1, chain_hash: null, created_at: "2026-03-20T09:59:59.000Z",
  resolved_at: null, certified_at: null, updated_at: "2026-03-20T10:00:00.000Z", events: [event],
};
const certified = {
  ...clone(chain), status: "certified", chain_hash: H64("f"), resolved_at: "2026-03-20T10:01:00.000Z",
  certified_at: "2026-03-20T10:02:00.000Z", updated_at: "2026-03-20T10:02:00.000Z",
};
const bundle = {
  certificate: {
    version: "1.0", chain_id: "c-1", chain_type: "manual", origin_type: "manual", origin_id: "c-1",
    artifact_type: "pull_request", artifact_ref: "github.com/acme/app/pull/42", event_count: 1, chain_hash: H64("f"),
    events: [{ seq: 1, event_type: "code_pushed", actor_id: "octocat", sentiment: "neutral" }],
    chain_created_at: "2026-03-20T09:59:59.000Z", chain_resolved_at: "2026-03-20T10:01:00.000Z",
    issued_at: "2026-03-20T10:02:00.000Z",
  },
  certificate_id: "7d9c1c4e-0000-4000-8000-000000000000",
  certificate_signature: "ab".repeat(64),
  chain: certified,
  public_key: "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n",
  status: {
    certificate_id: "7d9c1c4e-0000-4000-8000-000000000000", certificate_signature: "ab".repeat(64), status: "active",
    updated_at: "2026-03-20T10:02:00.000Z", signature_algorithm: "ed25519", signature: "cd".repeat(64),
  },
};
const report = {
  checks: [{ at: "/cid", check: "cid", code: "ok", message: "cid matches the payload", ok: true },
    { at: "/signature", check: "signature", code: "signature_invalid", message: "bad signature", ok: false }],
  keys: [{ kid: "k1", source: "jwks" }], kind: "ope_envelope", outcome: "invalid", unauthenticated_fields: ["payload_type"],
  valid: false, warnings: [{ at: "/ts", code: "stale_timestamp", message: "old" }],
};
const verification = {
  data: {
    valid: true, signature_valid: true, chain_hash_valid: true,
    certificate: { id: "7d9c", chain_id: "c-1", artifact_type: "pull_request", artifact_ref: "r", status: "active",
      signature_algorithm: "ed25519", hash_algorithm: "sha256" },
    chain: { id: "c-1", chain_type: "manual", status: "certified" },
    integrity: { chain_id: "c-1", event_count: 1, is_valid: true, errors: [] },
  },
};
const envelopeHeaders = {
  "X-ODIN-Trace-Id": "t-1", "X-ODIN-Receipt-Hash": H64("c"), "X-ODIN-Response-CID": "sha256:" + H64("9"),
  "X-ODIN-Signature": "sig_-", "X-ODIN-KID": "ed25519-3f2a9c41b07d5e18",
};
const exportBody = {
  bundle: { trace_id: "t-1", exported_at: "2025-08-22T05:00:00+00:00", gateway_kid: "k1", receipts: [receipt, receipt1],
    chain_valid: true, count: 2 },
  bundle_cid: "sha256:" + H64("1"), bundle_signature: "c2lnbmF0dXJl",
};
const exportHeaders = new Headers({ "x-odin-bundle-cid": "sha256:" + H64("1"), "x-odin-kid": "k1",
  "x-odin-bundle-signature": "c2lnbmF0dXJl" });

// [name, expect ok?, method, path, status, contentType, body, headers, expected operationId (optional)]
const cases = [
  ["health good", true, "GET", "/health", 200, JSONCT,
    { status: "ok", kid: "k1", store: { backend: "sqlite", receipts: 2, traces: 1, chains: 1, certificates: 0 } }],
  ["health without store", false, "GET", "/health", 200, JSONCT, { status: "ok", kid: "k1" }],
  ["health as text/html", false, "GET", "/health", 200, "text/html",
    { status: "ok", kid: "k1", store: { backend: "sqlite", receipts: 2, traces: 1, chains: 1, certificates: 0 } }],
  ["health 503 store unavailable", true, "GET", "/health", 503, JSONCT,
    err("store_unavailable", "the store cannot be read or written now"), { "Retry-After": "1" }],
  ["version good", true, "GET", "/version", 200, JSONCT, { name: "prova", version: "0.1.0", api: "v1" }],
  ["version wrong name", false, "GET", "/version", 200, JSONCT, { name: "odin", version: "0.1.0", api: "v1" }],
  ["jwks good", true, "GET", "/.well-known/jwks.json", 200, JSONCT, { keys: [{ kty: "OKP", crv: "Ed25519",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "k1", status: "legacy", use: "sig", alg: "EdDSA" }] }],
  ["jwks bad status and short x", false, "GET", "/.well-known/jwks.json", 200, JSONCT, { keys: [{ kty: "OKP",
    crv: "Ed25519", x: "short", kid: "k1", status: "revoked", use: "sig", alg: "EdDSA" }] }],
  ["metrics with version", true, "GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8",
    "# TYPE prova_http_requests_total counter\nprova_http_requests_total 1\n"],
  ["metrics without version", false, "GET", "/metrics", 200, "text/plain", "x 1\n"],
  ["docs html", true, "GET", "/docs", 200, "text/html; charset=utf-8", "<!doctype html><title>x</title>"],
  ["verify report good", true, "POST", "/v1/verify", 200, JSONCT, report, {}, "verifyDocument"],
  ["verify report check without ok", false, "POST", "/v1/verify", 200, JSONCT,
    { ...clone(report), checks: [{ at: "", check: "kind", code: "unknown_kind", message: "?" }] }],
  ["verify report extra member", false, "POST", "/v1/verify", 200, JSONCT, { ...clone(report), extra: 1 }],
  ["verify 400 Error with charset", true, "POST", "/v1/verify", 400, "application/json; charset=utf-8",
    err("bad_json", "unexpected end of input at byte 3")],
  ["verify 400 without detail", false, "POST", "/v1/verify", 400, JSONCT, { error: { code: "bad_json", message: "x" } }],
  ["verify 400 code not snake_case", false, "POST", "/v1/verify", 400, JSONCT, err("Bad JSON", "x")],
  ["verify 401 is not documented (open)", false, "POST", "/v1/verify", 401, JSONCT, err("token_missing", "x")],
  ["proof verify good", true, "POST", "/verify", 200, JSONCT, { verified: false, proof_id: H64("a"),
    schema_version: "1.0", attested: false, attestation_author: "", attestation_verified: false,
    verdict: { outcome: "VALIDATED", observed_value: 0.0, reasoning: "r", threshold: {} }, claim_statement: "S",
    framework_versions: { ophamin_version_in_record: "0.1.0", ophamin_version_in_server: "prova 0.1.0" } }],
  ["proof verify missing verdict", false, "POST", "/verify", 200, JSONCT, { verified: true, proof_id: H64("a") }],
  ["canonicalize good", true, "POST", "/canonicalize", 200, JSONCT, { canonical: "{\"a\":1}", canonical_bytes_len: 7,
    sha256_hex: H64("a"), hmac_sha256_hex: H64("b"), content_hash: H64("a") }],
  ["canonicalize uppercase hex", false, "POST", "/canonicalize", 200, JSONCT, { canonical: "{\"a\":1}",
    canonical_bytes_len: 7, sha256_hex: H64("A"), hmac_sha256_hex: H64("b"), content_hash: H64("a") }],
  ["hops good", true, "GET", "/v1/receipts/hops/chain/t-1", 200, JSONCT, { trace_id: "t-1", hops: [receipt, receipt1] },
    {}, "getReceiptChain"],
  ["hops empty", true, "GET", "/v1/receipts/hops/chain/unknown", 200, JSONCT, { trace_id: "unknown", hops: [] }],
  ["hops hop as string", false, "GET", "/v1/receipts/hops/chain/t-1", 200, JSONCT,
    { trace_id: "t-1", hops: [{ ...clone(receipt), hop: "0" }] }],
  ["hops prefixed receipt_hash", false, "GET", "/v1/receipts/hops/chain/t-1", 200, JSONCT,
    { trace_id: "t-1", hops: [{ ...clone(receipt), receipt_hash: "sha256:" + H64("c") }] }],
  ["export good (fetch Headers)", true, "GET", "/v1/receipts/export/t-1", 200, JSONCT, exportBody, exportHeaders,
    "exportReceipts"],
  ["export without headers", false, "GET", "/v1/receipts/export/t-1", 200, JSONCT, exportBody, {}],
  ["export 404", true, "GET", "/v1/receipts/export/none", 404, JSONCT, err("trace_not_found", "no receipts for trace none")],
  ["envelope good", true, "POST", "/v1/odin/envelope", 200, JSONCT, { trace_id: "t-1", receipt,
    normalized_payload: { a: 1 }, sft_notes: {}, forwarded: null, policy_engine: null, log_index: 0 }, new Map(Object.entries(envelopeHeaders)),
    "submitEnvelope"],
  ["envelope forwarded not null", false, "POST", "/v1/odin/envelope", 200, JSONCT, { trace_id: "t-1", receipt,
    normalized_payload: { a: 1 }, sft_notes: {}, forwarded: { status_code: 200 }, policy_engine: null }, envelopeHeaders],
  ["envelope bad receipt-hash header", false, "POST", "/v1/odin/envelope", 200, JSONCT, { trace_id: "t-1", receipt,
    normalized_payload: {}, sft_notes: {}, forwarded: null, policy_engine: null },
    { ...envelopeHeaders, "X-ODIN-Receipt-Hash": "nothex" }],
  ["envelope 409 replay", true, "POST", "/v1/odin/envelope", 409, JSONCT,
    err("replay_detected", "Replay detected (duplicate signed envelope)")],
  ["envelope 401", true, "POST", "/v1/odin/envelope", 401, JSONCT, err("token_missing", "needs a token"),
    { "WWW-Authenticate": "Bearer realm=\"prova\"" }],
  ["envelope 422", true, "POST", "/v1/odin/envelope", 422, JSONCT, err("schema_error", "payload: field required")],
  ["429 with Retry-After", true, "POST", "/v1/odin/envelope", 429, JSONCT, err("overloaded", "retry"), { "retry-after": "1" }],
  ["429 without Retry-After", false, "POST", "/v1/odin/envelope", 429, JSONCT, err("overloaded", "retry"), {}],
  ["429 with a non-numeric Retry-After", false, "GET", "/health", 429, JSONCT, err("overloaded", "retry"),
    { "Retry-After": "soon" }],
  ["cert verify good", true, "GET", "/api/v1/provenance/verify/7d9c", 200, JSONCT, verification, {}, "verifyCertificate"],
  ["cert verify extra member", false, "GET", "/api/v1/provenance/verify/7d9c", 200, JSONCT,
    { data: { ...clone(verification.data), errors: [] } }],
  ["cert verify 404", true, "GET", "/api/v1/provenance/verify/nope", 404, JSONCT,
    err("not_found", "Certificate not found: nope")],
  ["public key good", true, "GET", "/api/v1/provenance/public-key", 200, JSONCT, { algorithm: "ed25519",
    public_key: "302a300506032b6570032100" + H64("1"), format: "DER (SPKI)", public_key_pem: bundle.public_key,
    fingerprint: H64("2") }],
  ["public key wrong format", false, "GET", "/api/v1/provenance/public-key", 200, JSONCT, { algorithm: "ed25519",
    public_key: "302a", format: "PEM", public_key_pem: "", fingerprint: H64("2") }],
  ["bundle good", true, "GET", "/api/v1/provenance/bundle/7d9c", 200, JSONCT, bundle, {}, "getCertificateBundle"],
  ["bundle without status", false, "GET", "/api/v1/provenance/bundle/7d9c", 200, JSONCT,
    (({ status, ...rest }) => rest)(clone(bundle))],
  ["chain get good (template form)", true, "GET", "/api/v1/chains/{chainId}", 200, JSONCT, { data: chain }, {}, "getChain"],
  ["chain get bad status", false, "GET", "/api/v1/chains/c-1", 200, JSONCT, { data: { ...clone(chain), status: "closed" } }],
  ["chain create 201", true, "POST", "/api/v1/chains", 201, JSONCT, { data: { ...clone(chain), events: [], event_count: 0 } },
    {}, "createChain"],
  ["chain create 200 is undocumented", false, "POST", "/api/v1/chains", 200, JSONCT, { data: chain }],
  ["chain create 403", true, "POST", "/api/v1/chains", 403, JSONCT, err("scope_missing", "token ci lacks scope oe:write")],
  ["event append good (full URL + query)", true, "POST", "http://127.0.0.1:8080/api/v1/chains/c-1/events?x=1", 201,
    JSONCT, { data: event, log_index: 1 }, {}, "appendChainEvent"],
  ["event append without log_index", false, "POST", "/api/v1/chains/c-1/events", 201, JSONCT, { data: event }],
  ["event append bad sentiment", false, "POST", "/api/v1/chains/c-1/events", 201, JSONCT,
    { data: { ...clone(event), sentiment: "angry" } }],
  ["event append seq 0", false, "POST", "/api/v1/chains/c-1/events", 201, JSONCT, { data: { ...clone(event), seq: 0 } }],
  ["event append 409", true, "POST", "/api/v1/chains/c-1/events", 409, JSONCT, err("chain_not_open", "resolved")],
  ["resolve good", true, "POST", "/api/v1/chains/c-1/resolve", 200, JSONCT,
    { data: { ...clone(certified), status: "resolved", certified_at: null } }, {}, "resolveChain"],
  ["certificate 201", true, "POST", "/api/v1/chains/c-1/certificate", 201, JSONCT, { data: bundle, log_index: 2 }, {},
    "issueCertificate"],
  ["certificate 201 bad signature hex", false, "POST", "/api/v1/chains/c-1/certificate", 201, JSONCT,
    { data: { ...clone(bundle), certificate_signature: "oe_sig_zz" } }],
  ["revoke good", true, "POST", "/api/v1/provenance/certificates/7d9c/revoke", 200, JSONCT, { data: { ...clone(bundle),
    chain: { ...clone(certified), status: "revoked" }, status: { ...clone(bundle.status), status: "revoked",
      revoked_at: "2026-03-21T00:00:00.000Z", revocation_reason: "key compromise" } }, log_index: 3 }, {},
    "revokeCertificate"],
  ["supersede bad status", false, "POST", "/api/v1/provenance/certificates/7d9c/supersede", 200, JSONCT,
    { data: { ...clone(bundle), status: { ...clone(bundle.status), status: "replaced" } } }, {}, "supersedeCertificate"],
  ["unknown path", false, "GET", "/nope", 200, JSONCT, {}],
  ["unknown method", false, "DELETE", "/health", 200, JSONCT, {}],
  ["too many path segments", false, "GET", "/api/v1/chains/a/b", 200, JSONCT, {}],
];

let failures = 0;
for (const [name, expectOk, method, p, status, ct, body, headers, opId] of cases) {
  let res;
  try {
    res = checkResponse(spec, method, p, status, ct, body, headers ?? {});
  } catch (e) {
    res = { ok: false, errors: [`threw: ${e.stack}`], threw: true };
  }
  const bad = res.threw || res.ok !== expectOk || (opId && res.operationId !== opId) ||
    (!res.ok && res.errors.length === 0);
  if (bad) {
    failures++;
    console.log(`FAIL ${name}: expected ${expectOk ? "ok" : "errors"}${opId ? ` from ${opId}` : ""}, got ` +
      `ok=${res.ok} operationId=${res.operationId}`);
    for (const e of res.errors) console.log(`     ${e}`);
  } else {
    console.log(`ok   ${name}${expectOk ? "" : `  (${res.errors[0]})`}`);
  }
}

// Every operation is reachable through its own template and a concrete path.
for (const [tmpl, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const concrete = tmpl.replace(/\{[^}]+\}/g, "x-1");
    for (const p of [tmpl, concrete]) {
      const f = findOperation(spec, method, p);
      if (f?.operation?.operationId !== op.operationId) {
        failures++;
        console.log(`FAIL match ${method.toUpperCase()} ${p}: got ${f?.operation?.operationId}, want ${op.operationId}`);
      }
    }
  }
}

const total = cases.length;
console.log(failures ? `oas_check_selftest: ${failures} unexpected result(s)` :
  `oas_check_selftest: all ${total} cases and every operation's path matching as expected`);
process.exit(failures ? 1 : 0);
