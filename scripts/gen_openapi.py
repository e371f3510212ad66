#!/usr/bin/env python3
"""Writes src/http/openapi.json, the OpenAPI 3.1.0 description of `prova serve`.

The document is the gateway's HTTP contract: GET /openapi.json serves it, GET /docs renders it, and the HTTP tests
(tests/http/oas_check.mjs) validate every response the gateway sends against it. Edit this script, not the JSON.

    scripts/gen_openapi.py            write src/http/openapi.json
    scripts/gen_openapi.py --check    exit 1 if the file is not what this script writes
    scripts/gen_openapi.py --stdout   print the document

Python 3 standard library only.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "http", "openapi.json")

JSON = "application/json"

# ---- small builders ----------------------------------------------------------------------------------------------


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def rref(name):
    return {"$ref": "#/components/responses/" + name}


def string(desc=None, **kw):
    s = {"type": "string"}
    if desc:
        s["description"] = desc
    s.update(kw)
    return s


def integer(desc=None, **kw):
    s = {"type": "integer"}
    if desc:
        s["description"] = desc
    s.update(kw)
    return s


def boolean(desc=None, **kw):
    s = {"type": "boolean"}
    if desc:
        s["description"] = desc
    s.update(kw)
    return s


def obj(props, required=(), desc=None, additional=None, **kw):
    s = {"type": "object"}
    if desc:
        s["description"] = desc
    if required:
        s["required"] = list(required)
    s["properties"] = props
    if additional is not None:
        s["additionalProperties"] = additional
    s.update(kw)
    return s


def array(items, desc=None, **kw):
    s = {"type": "array", "items": items}
    if desc:
        s["description"] = desc
    s.update(kw)
    return s


def json_body(schema, desc, required=True, example=None):
    media = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"description": desc, "required": required, "content": {JSON: media}}


def json_response(desc, schema, headers=None, example=None):
    media = {"schema": schema}
    if example is not None:
        media["example"] = example
    r = {"description": desc, "content": {JSON: media}}
    if headers:
        r["headers"] = headers
    return r


def error_response(desc, example_code=None, example_message=None):
    """An operation-specific error response (its own description), still the shared Error schema."""
    r = {"description": desc, "content": {JSON: {"schema": ref("Error")}}}
    if example_code:
        r["content"][JSON]["example"] = err_example(example_code, example_message)
    return r


def err_example(code, message):
    return {"error": {"code": code, "message": message}, "detail": message}


def header(desc, schema=None, required=True):
    return {"description": desc, "required": required, "schema": schema or {"type": "string"}}


def path_param(name, desc, **schema):
    s = {"type": "string", "minLength": 1}
    s.update(schema)
    return {"name": name, "in": "path", "required": True, "description": desc, "schema": s}


def query_param(name, desc, schema):
    return {"name": name, "in": "query", "required": False, "description": desc, "schema": schema}


HEX64 = "^[0-9a-f]{64}$"
HEX = "^[0-9a-f]+$"
CID = "^sha256:[0-9a-f]{64}$"
B64URL = "^[A-Za-z0-9_-]+$"
SNAKE = "^[a-z][a-z0-9_]*$"

HASH_ALGS = ["sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512"]
SIG_ALGS = ["ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"]
CHAIN_TYPES = ["resource_audit", "manual", "incident_response", "compliance_report"]
CHAIN_STATUS = ["open", "resolved", "certified", "revoked"]
CERT_STATUS = ["active", "revoked", "superseded"]
SENTIMENTS = ["positive", "negative", "neutral"]

# ---- error responses ---------------------------------------------------------------------------------------------

ERROR_DESC = (
    "Every error response has this shape. `error.code` is a stable snake_case reason code that clients may switch "
    "on; `error.message` is a sentence for humans. `detail` repeats the message for clients written against the "
    "reference implementations (FastAPI's `{\"detail\": ...}` error body)."
)

RETRY_AFTER = {
    "description": "Seconds to wait before retrying (RFC 9110 §10.2.3).",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}

RESPONSES = {
    "BadRequest": error_response(
        "Bad input: the body is not JSON or not the expected shape, a parameter is invalid, or the document was "
        "rejected (codes such as `bad_json`, `schema_error`, `invalid_parameter`), or a body sent with "
        "`Content-Encoding` is not a whole gzip or zstd stream (`compressed_corrupt`, `compressed_truncated`, "
        "`compressed_trailing_data`, `compressed_format_mismatch`).",
        "bad_json", "the request body is not valid JSON: unexpected end of input at byte 17"),
    "Unauthorized": {
        "description": "Missing or invalid bearer token (`token_missing`, `token_invalid`), or a wrong ODIN API "
                       "key or MAC (`api_key_missing`, `api_key_unknown`, `api_mac_invalid`). A bearer failure carries a "
                       "`WWW-Authenticate: Bearer` challenge.",
        "headers": {"WWW-Authenticate": header("The authentication challenge, `Bearer realm=\"prova\"` with an "
                                               "`error` parameter when a token was sent.", required=False)},
        "content": {JSON: {"schema": ref("Error"),
                           "example": err_example("token_missing", "this endpoint needs a bearer token (Authorization: Bearer ...) "
                                                    "with scope oe:write")}},
    },
    "Forbidden": error_response("The token is valid but lacks the scope this operation needs (`scope_missing`).",
                                "scope_missing", "token ci lacks scope oe:write"),
    "PayloadTooLarge": error_response("The request body is larger than the configured limit (`body_too_large`), or "
                                      "a body sent with `Content-Encoding` decodes past it or past the ratio limit "
                                      "(`decompressed_too_large`, `compression_ratio_exceeded`, "
                                      "`compressed_window_too_large`; docs/compression.md).",
                                      "body_too_large", "the body exceeds the limit of 1048576 bytes"),
    "UnsupportedMediaType": error_response(
        "The request body's Content-Type is not one this operation accepts (`unsupported_media_type`), or its "
        "Content-Encoding is not gzip, x-gzip, zstd or identity, or is two codings stacked "
        "(`unsupported_content_encoding`).",
        "unsupported_media_type", "Content-Type must be application/json"),
    "TooManyRequests": {
        "description": "The gateway is overloaded or the client exceeded its rate limit (`overloaded`, "
                       "`rate_limited`). Retry after the number of seconds in `Retry-After`.",
        "headers": {"Retry-After": RETRY_AFTER},
        "content": {JSON: {"schema": ref("Error"),
                           "example": err_example("overloaded", "too many requests in flight; retry shortly")}},
    },
    "InternalError": error_response("An unexpected internal error (`internal`). Nothing was changed.",
                                    "internal", "internal error (PROVA_EIO)"),
    "ServiceUnavailable": {
        "description": "The store is unavailable (`store_unavailable`), the gateway is shutting down "
                       "(`shutting_down`) or out of memory (`out_of_memory`). Nothing was changed; retry later.",
        "headers": {"Retry-After": dict(RETRY_AFTER, required=False)},
        "content": {JSON: {"schema": ref("Error"),
                           "example": err_example("store_unavailable", "the store cannot be read or written now")}},
    },
}


def errors(write=False, body=False, extra=None):
    """The error responses of an operation: the common four (+500), the write pair, 415 for bodies, and extras."""
    r = {"400": rref("BadRequest")}
    if write:
        r["401"] = rref("Unauthorized")
        r["403"] = rref("Forbidden")
        r["422"] = rref("UnprocessableEntity")  # writes validate their bodies strictly: unknown or missing members
    for code, resp in (extra or {}).items():
        r[code] = resp
    r["413"] = rref("PayloadTooLarge")
    if body:
        r["415"] = rref("UnsupportedMediaType")
    r["429"] = rref("TooManyRequests")
    r["500"] = rref("InternalError")
    r["503"] = rref("ServiceUnavailable")
    return dict(sorted(r.items()))


def responses(ok, **kw):
    r = dict(ok)
    r.update(errors(**kw))
    return dict(sorted(r.items()))


# ---- schemas -----------------------------------------------------------------------------------------------------

S = {}

S["Error"] = obj(
    {
        "error": obj(
            {
                "code": string("A stable snake_case reason code.", pattern=SNAKE,
                               examples=["bad_json", "signature_invalid", "not_found"]),
                "message": string("A human-readable sentence."),
            },
            required=["code", "message"],
        ),
        "detail": string("The same text as `error.message`, for clients of the FastAPI-based reference gateways."),
    },
    required=["error", "detail"],
    desc=ERROR_DESC,
)

# -- open service endpoints

S["Health"] = obj(
    {
        "status": string("`ok`, or `degraded` while the store cannot be written (`store.fault` says why; reads and "
                         "verification still work, writes answer 503 `store_unavailable`).", enum=["ok", "degraded"]),
        "kid": string("The key id of the gateway's active signing key."),
        "store": obj(
            {
                "backend": string("The store backend.", enum=["sqlite", "postgres"]),
                "receipts": integer("OPE receipts stored.", minimum=0),
                "traces": integer("Distinct OPE trace ids.", minimum=0),
                "chains": integer("OpenExecution chains.", minimum=0),
                "certificates": integer("OpenExecution provenance certificates.", minimum=0),
                "writable": boolean("False from a failed commit (a full disk, an I/O error, a failed fsync) until a "
                                    "commit succeeds again: a write, a log integration or the writer's probe each "
                                    "second."),
                "fault": {"type": ["object", "null"], "description": "Null while writable; else the fault.",
                          "properties": {
                              "code": string(const="store_write_failed"),
                              "message": string("The last failure: the status and the store's message."),
                              "since_us": integer("When the first failed commit of the fault happened (µs since "
                                                  "the Unix epoch).")},
                          "required": ["code", "message", "since_us"]},
            },
            required=["backend", "receipts", "traces", "chains", "certificates"],
        ),
    },
    required=["status", "kid", "store"],
)

S["Version"] = obj(
    {
        "name": string(const="prova"),
        "version": string("The prova release.", examples=["0.1.0"]),
        "api": string("The major version of this HTTP API (the `/v1/` of its paths).", examples=["v1"]),
    },
    required=["name", "version", "api"],
)

S["Jwk"] = obj(
    {
        "kty": string(const="OKP"),
        "crv": string(const="Ed25519"),
        "x": string("The raw 32-byte public key, base64url without padding.", pattern=B64URL, minLength=43,
                    maxLength=43),
        "kid": string("The key id."),
        "status": string("`active` signs new receipts and bundles; `legacy` keys verify older ones.",
                         enum=["active", "legacy"]),
        "use": string(const="sig"),
        "alg": string(const="EdDSA"),
    },
    required=["kty", "crv", "x", "kid", "status", "use", "alg"],
    desc="A public Ed25519 key as an RFC 8037 OKP JWK.",
)

S["Jwks"] = obj({"keys": array(ref("Jwk"))}, required=["keys"], desc="The gateway's public keys (RFC 7517 JWK Set).")

# -- the unified report (src/lib/core/report.c prova_report_to_json)

S["ReportCheck"] = obj(
    {
        "check": string("What was checked, e.g. `cid`, `signature`, `receipt[2].prev_receipt_hash`."),
        "ok": boolean("Whether the check passed."),
        "code": string("`ok` for a passing check, otherwise a stable snake_case reason code.", pattern=SNAKE),
        "at": string("A JSON Pointer into the verified document (empty when the check is about the whole document)."),
        "message": string("A human-readable sentence."),
    },
    required=["at", "check", "code", "message", "ok"],
    additional=False,
)

S["ReportWarning"] = obj(
    {
        "code": string("A stable snake_case reason code.", pattern=SNAKE),
        "at": string("A JSON Pointer into the verified document, or empty."),
        "message": string("A human-readable sentence."),
    },
    required=["at", "code", "message"],
    additional=False,
)

S["ReportKey"] = obj(
    {
        "kid": string("The key id."),
        "source": string("Where the key came from, e.g. `jwks`, `keyfile`, `embedded` (trusted only with "
                         "`trust_embedded_key`)."),
    },
    required=["kid", "source"],
    additional=False,
)

S["VerifyReport"] = obj(
    {
        "valid": boolean("True only when every check passed."),
        "kind": string("The detected kind of document.",
                       examples=["ope_envelope", "ope_receipt", "ope_receipt_chain", "ope_bundle", "oe_bundle",
                                 "oe_chain", "oe_events", "proof_record", "dsse_envelope", "cloudevent", "unknown"]),
        "outcome": string("What the report answers in one word (`prova_report_outcome`): `valid`; `invalid` (a "
                          "document prova knows that does not verify); `unknown_kind` (not a document prova knows); "
                          "`bad_input` (not JSON, malformed, over a limit).",
                          enum=["valid", "invalid", "unknown_kind", "bad_input"]),
        "checks": array(ref("ReportCheck"), "Every check that was run, in order."),
        "warnings": array(ref("ReportWarning"), "Findings that do not make the document invalid."),
        "keys": array(ref("ReportKey"), "The keys the signatures were verified with (absent when none)."),
        "unauthenticated_fields": array(string(), "Members no signature covers (absent when none), e.g. "
                                                  "`payload_type` and `target_type` of an OPE v1 envelope."),
        "sdk_result": obj({}, desc="What the reference SDK's verifier would have returned for the same document, "
                                   "in its own shape (absent when not applicable)."),
    },
    required=["checks", "kind", "outcome", "valid", "warnings"],
    additional=False,
    desc="The unified verification report: the same JSON from the library, `prova verify --json`, HTTP and MCP. "
         "Members appear in code point order; `keys`, `unauthenticated_fields` and `sdk_result` only when non-empty.",
)

# -- proof records (Ophamin reference API)

S["ProofVerifyRequest"] = obj(
    {
        "proof_json": string("The proof record as JSON text."),
        "sign_key_b64": string("The HMAC key, standard base64 with padding; empty selects the reference default "
                               "key (`ophamin-scenario-proof-key`).", default=""),
    },
    required=["proof_json"],
)

S["ProofVerifyResult"] = obj(
    {
        "verified": boolean("Whether the HMAC-SHA256 seal matches. A mismatch is a result, not an error."),
        "proof_id": string("The recomputed proof id: sha256 hex of the canonical body (the wire proof_id is not "
                           "compared).", pattern=HEX64),
        "schema_version": string("The record's schema_version, or empty."),
        "attested": boolean("Whether the record carries an Ed25519 attestation."),
        "attestation_author": string("The attestation's author, or empty."),
        "attestation_verified": boolean("Whether the attestation signature verified."),
        "verdict": obj(
            {
                "outcome": string("The verdict outcome, or empty.", examples=["VALIDATED", "REFUTED"]),
                "observed_value": {"type": ["number", "null"]},
                "reasoning": string(),
                "threshold": obj({}, desc="The threshold object, or `{}`."),
            },
            required=["outcome", "observed_value", "reasoning", "threshold"],
        ),
        "claim_statement": string(),
        "framework_versions": obj(
            {"ophamin_version_in_record": string(), "ophamin_version_in_server": string()},
            required=["ophamin_version_in_record", "ophamin_version_in_server"],
        ),
    },
    required=["verified", "proof_id", "schema_version", "attested", "attestation_author", "attestation_verified",
              "verdict", "claim_statement", "framework_versions"],
)

S["CanonicalizeRequest"] = obj(
    {
        "value_json": string("Any JSON value, as text."),
        "sign_key_b64": string("The HMAC key, standard base64 with padding; empty selects the reference default key.",
                               default=""),
    },
    required=["value_json"],
)

S["CanonicalizeResult"] = obj(
    {
        "canonical": string("The canonical form (proof-record profile: sorted keys, no whitespace, ASCII only)."),
        "canonical_bytes_len": integer("Its length in bytes.", minimum=0),
        "sha256_hex": string("SHA-256 of the canonical bytes.", pattern=HEX64),
        "hmac_sha256_hex": string("HMAC-SHA256 of the canonical bytes under the key.", pattern=HEX64),
        "content_hash": string("The same as `sha256_hex`.", pattern=HEX64),
    },
    required=["canonical", "canonical_bytes_len", "sha256_hex", "hmac_sha256_hex", "content_hash"],
)

# -- OPE v1 (ODIN)

S["ReceiptPolicy"] = obj(
    {
        "passed": boolean("Whether the egress policy allowed the request (`true` without a forward_url)."),
        "rules": array(obj({"rule": string(), "reasons": array(string())}), "The rules that were evaluated."),
    },
    required=["passed", "rules"],
)

S["Receipt"] = obj(
    {
        "trace_id": string(),
        "hop": integer("0 for the first receipt of a trace, then 1, 2, ...", minimum=0),
        "ts": string("When the receipt was made (RFC 3339).", format="date-time"),
        "created_at": string("RFC 3339.", format="date-time"),
        "gateway_kid": string("The key id that signed the receipt."),
        "request_cid": string("The CID of the envelope payload.", pattern=CID),
        "normalized_cid": string("The CID of the normalized payload.", pattern=CID),
        "policy": ref("ReceiptPolicy"),
        "policy_engine": {"type": "null", "description": "Always null (as the reference gateway)."},
        "prev_receipt_hash": {"type": ["string", "null"], "pattern": HEX64,
                              "description": "The receipt_hash of the previous hop, null for hop 0."},
        "sft": obj({"id": string("The transform's id (a built-in's, or a mapping file's)."),
                    "version": string("Its version.")}, required=["id", "version"],
                   desc="prova's: the transform that made normalized_cid (docs/transforms.md); absent when the "
                        "payload was taken as it is (equal types, --sft-passthrough). Inside what the receipt signs."),
        "tenant_id": string("Present for tenant-scoped requests."),
        "tenant_signatures": array(obj({"kid": string(), "sig": string(), "pattern": string()})),
        "receipt_signature": string("base64url Ed25519 signature over the canonical receipt without "
                                    "receipt_signature and receipt_hash.", pattern=B64URL),
        "receipt_hash": string("sha256 hex of those same canonical bytes (no `sha256:` prefix).", pattern=HEX64),
    },
    required=["trace_id", "hop", "ts", "created_at", "gateway_kid", "request_cid", "normalized_cid", "policy",
              "policy_engine", "prev_receipt_hash", "receipt_signature", "receipt_hash"],
    desc="An OPE v1 receipt, byte-compatible with the ODIN starter gateway's.",
)

S["ReceiptChain"] = obj(
    {"trace_id": string(), "hops": array(ref("Receipt"), "The receipts of the trace, by hop.")},
    required=["trace_id", "hops"],
)

S["ReceiptBundle"] = obj(
    {
        "trace_id": string(),
        "exported_at": string(format="date-time"),
        "gateway_kid": string("The key id that signed bundle_signature."),
        "receipts": array(ref("Receipt")),
        "chain_valid": boolean("Whether each receipt links to the previous one."),
        "count": integer(minimum=0),
    },
    required=["trace_id", "exported_at", "gateway_kid", "receipts", "chain_valid", "count"],
)

S["TlogProofs"] = array(
    obj({
        "record": string("The JSON Pointer of the record in the document (`\"\"`: the document itself)."),
        "kind": string("The log entry's kind.", enum=["receipt", "event", "certificate", "status"]),
        "log_index": integer(minimum=0, desc="The entry's index in the log (the proof's `index`)."),
        "proof": string("The c2sp.org/tlog-proof@v1 text (as `GET /log/proof/{index}` serves it)."),
    }, required=["record", "kind", "log_index", "proof"], additional=False),
    desc="prova's, with `log_proofs=true` only (docs/tlog.md \"Proofs in exports\"): one tlog-proof per record "
         "whose entry is in the published checkpoint. Outside what the document's hashes and signatures cover; "
         "self-authenticating with the log's verifier key (`GET /log/vkey`, `prova verify --log-key`).")

S["ReceiptExport"] = obj(
    {
        "bundle": ref("ReceiptBundle"),
        "bundle_cid": string("`sha256:` + sha256 hex of the canonical `bundle` object.", pattern=CID),
        "bundle_signature": string("base64url Ed25519 signature over `{bundle_cid}|{trace_id}|{exported_at}`.",
                                   pattern=B64URL),
        "tlog_proofs": ref("TlogProofs"),
    },
    required=["bundle", "bundle_cid", "bundle_signature"],
    desc="A signed export of one trace's receipts (starter gateway format).",
)

_env_common = {
    "trace_id": string("The trace id (signed)."),
    "ts": string("The signed timestamp, RFC 3339 (within the freshness window, default ±300 s)."),
    "payload": obj({}, desc="The payload (any JSON object)."),
    "payload_type": string("Not signed by OPE v1.", examples=["invoice.vendor.v1"]),
    "target_type": string("Not signed by OPE v1.", examples=["invoice.iso20022.v1"]),
    "cid": string("`sha256:` + hex of the canonical payload (recomputed and compared when present).", pattern=CID),
    "forward_url": string("Optional: where the normalized payload is forwarded (http or https) once the receipt "
                          "is stored, subject to the egress policy (docs/egress.md); an unusable URL is a 400 "
                          "`invalid_forward_url`.", format="uri"),
}

S["StarterEnvelope"] = obj(
    dict(_env_common, **{
        "sender": obj(
            {
                "kid": string(),
                "jwk": obj({"kty": string(const="OKP"), "crv": string(const="Ed25519"), "x": string(pattern=B64URL),
                            "kid": string()}, required=["kty", "crv", "x"]),
                "jwks_uri": string(format="uri"),
            },
        ),
        "signature": string("base64url Ed25519 over `{cid}|{trace_id}|{ts}`.", pattern=B64URL),
    }),
    required=["sender", "payload", "signature"],
    title="starter",
    desc="The ODIN starter gateway's wire envelope (`signature`, key in `sender`).",
)

S["OpeLibEnvelope"] = obj(
    dict(_env_common, **{
        "sender_sig": string("base64url Ed25519 over `{cid}|{trace_id}|{ts}`.", pattern=B64URL),
        "kid": string("The signer's key id, looked up in the gateway's trusted keys."),
        "not_before": string(),
        "expires_at": string(),
    }),
    required=["payload", "cid", "trace_id", "ts", "sender_sig", "kid"],
    title="ope-lib",
    desc="The ope-lib (`odin-ope`) envelope: `sender_sig` + `kid`.",
)

S["ProvaEnvelope"] = obj(
    dict(_env_common, **{
        "version": integer(const=1),
        "sig_alg": string(const="ed25519"),
        "sig": string("base64url Ed25519 signature.", pattern=B64URL),
        "kid": string(),
        "sig_scope": string("`envelope`: the signature covers the whole canonical envelope without `sig` "
                            "(prova extension).", const="envelope"),
        "not_before": string(),
        "expires_at": string(),
    }),
    required=["version", "payload", "cid", "trace_id", "ts", "sig", "kid"],
    title="prova",
    desc="prova's own envelope dialect (`version`, `sig_alg`, `sig`, `kid`).",
)

S["Envelope"] = {
    "description": "An OPE v1 envelope in any of the three dialects prova speaks.",
    "anyOf": [ref("StarterEnvelope"), ref("OpeLibEnvelope"), ref("ProvaEnvelope")],
}

S["EnvelopeResult"] = obj(
    {
        "trace_id": string(),
        "receipt": ref("Receipt"),
        "normalized_payload": obj({}, desc="The payload after the SFT transform (docs/transforms.md), in canonical "
                                           "form; the receipt's normalized_cid is its CID."),
        "sft_notes": obj({}, desc="Notes of the SFT transform: the reference's (e.g. `{\"fields_mapped\":[...]}`, "
                                  "`{\"notes\":\"already_normalized\"}`, `{\"notes\":\"not_transformed\"}` under "
                                  "--sft-passthrough), or a mapping file's."),
        "forwarded": {
            "description": "The forward to the envelope's `forward_url` (docs/egress.md): null without one; "
                           "`{status_code, body}` with the target's (or, with `--relay`, the relay's) HTTP status and "
                           "body (its JSON when the Content-Type says JSON and it parses, else its text); "
                           "`{error}` when the forward failed or was refused, the error starting with a stable "
                           "reason code (`forward_address_loopback: ...`, `forward_timeout: ...`). The receipt is "
                           "stored either way; `X-ODIN-Response-CID` and `X-ODIN-Signature` cover this member.",
            "oneOf": [
                {"type": "null"},
                obj({"status_code": integer(minimum=100, maximum=599),
                     "body": {"description": "The response body: JSON, or a string."}},
                    required=["status_code", "body"]),
                obj({"error": string(pattern="^[a-z_]+: ")}, required=["error"]),
            ],
        },
        "policy_engine": {"type": "null", "description": "Always null (as the reference gateway)."},
        "log_index": integer(
            minimum=0,
            desc="prova's (not in the starter's body): the index of the receipt's entry in the gateway's "
                 "transparency log (docs/tlog.md), appended in the same transaction as the receipt."),
    },
    required=["trace_id", "receipt", "normalized_payload", "sft_notes", "forwarded", "policy_engine", "log_index"],
)

# -- OpenExecution v2

S["ChainEvent"] = obj(
    {
        "id": string(),
        "chain_id": string(),
        "seq": integer("1-indexed, consecutive.", minimum=1),
        "event_type": string(minLength=1, maxLength=64),
        "actor_id": {"type": ["string", "null"], "description": "Hashed as `system` when null or empty."},
        "actor_type": string(examples=["human", "bot", "app", "service", "unknown"]),
        "sentiment": string(enum=SENTIMENTS),
        "payload": obj({}),
        "created_at": string("`YYYY-MM-DDTHH:MM:SS.sssZ`, the hashed form.", format="date-time"),
        "prev_hash": string("The previous event_hash; all zeros for seq 1.", pattern=HEX),
        "event_hash": string("H(JCS({seq, event_type, actor_id, timestamp, payload, prev_hash})), lowercase hex.",
                             pattern=HEX),
    },
    required=["id", "chain_id", "seq", "event_type", "actor_id", "sentiment", "payload", "created_at", "prev_hash",
              "event_hash"],
    desc="One event of an execution chain.",
)

S["ChainRecord"] = obj(
    {
        "id": string(),
        "chain_type": string(enum=CHAIN_TYPES),
        "origin_type": string(),
        "origin_id": string(),
        "status": string("open → resolved → certified → revoked.", enum=CHAIN_STATUS),
        "protocol_version": string(examples=["oe-provenance:1.0-alpha"]),
        "hash_algorithm": string(enum=HASH_ALGS),
        "signature_algorithm": string(enum=SIG_ALGS),
        "canonicalization": string(const="jcs"),
        "event_count": integer(minimum=0),
        "chain_hash": {"type": ["string", "null"], "pattern": HEX,
                       "description": "H(event_hash[1] + ... + event_hash[N]), set when the chain is resolved."},
        "created_at": string(format="date-time"),
        "resolved_at": {"type": ["string", "null"], "format": "date-time"},
        "certified_at": {"type": ["string", "null"], "format": "date-time"},
        "updated_at": string(format="date-time"),
        "events": array(ref("ChainEvent")),
    },
    required=["id", "chain_type", "origin_type", "origin_id", "status", "protocol_version", "hash_algorithm",
              "signature_algorithm", "canonicalization", "event_count", "chain_hash", "created_at", "resolved_at",
              "certified_at", "updated_at", "events"],
    desc="An OpenExecution execution chain with its events.",
)

S["CertificateData"] = obj(
    {
        "version": string(const="1.0"),
        "chain_id": string(),
        "chain_type": string(enum=CHAIN_TYPES),
        "origin_type": string(),
        "origin_id": string(),
        "artifact_type": string(),
        "artifact_ref": string(),
        "artifact_title": string("Omitted when none was given."),
        "event_count": integer(minimum=0),
        "chain_hash": string(pattern=HEX),
        "events": array(obj({"seq": integer(minimum=1), "event_type": string(),
                             "actor_id": {"type": ["string", "null"]}, "sentiment": string(enum=SENTIMENTS)},
                            required=["seq", "event_type", "actor_id", "sentiment"])),
        "chain_created_at": {"type": ["string", "null"], "format": "date-time"},
        "chain_resolved_at": {"type": ["string", "null"], "format": "date-time"},
        "issued_at": string(format="date-time"),
    },
    required=["version", "chain_id", "chain_type", "origin_type", "origin_id", "artifact_type", "artifact_ref",
              "event_count", "chain_hash", "events", "chain_created_at", "chain_resolved_at", "issued_at"],
    desc="The signed payload of a provenance certificate; the signature is over its JCS bytes.",
)

S["CertificateStatus"] = obj(
    {
        "certificate_id": string(),
        "certificate_signature": string("The signature of the certificate this status is about.", pattern=HEX),
        "status": string(enum=CERT_STATUS),
        "updated_at": string(format="date-time"),
        "signature_algorithm": string(enum=SIG_ALGS),
        "revoked_at": string(format="date-time"),
        "revocation_reason": string(),
        "superseded_at": string(format="date-time"),
        "superseded_by": string(),
        "supersession_reason": string(),
        "signature": string("The issuer's signature over the JCS bytes of this object without `signature`.",
                            pattern=HEX),
    },
    required=["certificate_signature", "status", "updated_at", "signature_algorithm", "signature"],
    desc="prova's signed certificate status block (active → revoked | superseded).",
)

S["OfflineBundle"] = obj(
    {
        "certificate": ref("CertificateData"),
        "certificate_id": string(),
        "certificate_signature": string("Hex (DER for ECDSA).", pattern=HEX),
        "chain": ref("ChainRecord"),
        "public_key": string("The issuer's public key, PEM SPKI."),
        "status": ref("CertificateStatus"),
        "attestations": array(obj({"type": string()}, required=["type"])),
        "tlog_proofs": ref("TlogProofs"),
    },
    required=["certificate", "certificate_id", "certificate_signature", "chain", "public_key", "status"],
    desc="An OpenExecution offline bundle: verifiable with nothing but this document (the SDKs' `verifyBundle`, or "
         "`prova verify`).",
)

S["ChainResponse"] = obj({"data": ref("ChainRecord")}, required=["data"])
LOG_INDEX = integer(
    minimum=0,
    desc="prova's: the index of the record's entry in the gateway's transparency log (docs/tlog.md), appended in "
         "the same transaction as the record: the response means both are durable.")
S["EventResponse"] = obj({"data": ref("ChainEvent"), "log_index": LOG_INDEX}, required=["data", "log_index"])
S["BundleResponse"] = obj({"data": ref("OfflineBundle"), "log_index": LOG_INDEX}, required=["data", "log_index"])

S["CertificateVerification"] = obj(
    {
        "data": obj(
            {
                "valid": boolean("True only if all checks pass and the certificate is active."),
                "signature_valid": boolean(),
                "chain_hash_valid": boolean(),
                "certificate": obj(
                    {
                        "id": string(), "chain_id": string(), "artifact_type": string(), "artifact_ref": string(),
                        "status": string(enum=CERT_STATUS), "signature_algorithm": string(enum=SIG_ALGS),
                        "hash_algorithm": string(enum=HASH_ALGS),
                    },
                    required=["id", "chain_id", "artifact_type", "artifact_ref", "status", "signature_algorithm",
                              "hash_algorithm"],
                    additional=False,
                ),
                "chain": obj(
                    {"id": string(), "chain_type": string(enum=CHAIN_TYPES), "status": string(enum=CHAIN_STATUS)},
                    required=["id", "chain_type", "status"],
                    additional=False,
                ),
                "integrity": obj(
                    {"chain_id": string(), "event_count": integer(minimum=0), "is_valid": boolean(),
                     "errors": array(string(), "Empty when the chain is intact.")},
                    required=["chain_id", "event_count", "is_valid", "errors"],
                    additional=False,
                ),
            },
            required=["valid", "signature_valid", "chain_hash_valid", "certificate", "chain", "integrity"],
            additional=False,
        ),
    },
    required=["data"],
    additional=False,
    desc="The verification result of the OpenExecution Verification Protocol 2.0.0, §7.",
)

S["ProvenancePublicKey"] = obj(
    {
        "algorithm": string(enum=SIG_ALGS, examples=["ed25519"]),
        "public_key": string("Hex of the DER SubjectPublicKeyInfo.", pattern=HEX),
        "format": string(const="DER (SPKI)"),
        "public_key_pem": string("The same key, PEM."),
        "fingerprint": string("sha256 hex of the DER SPKI bytes.", pattern=HEX64),
    },
    required=["algorithm", "public_key", "format", "public_key_pem", "fingerprint"],
)

S["CreateChainRequest"] = obj(
    {
        "chain_type": string(enum=CHAIN_TYPES, default="manual"),
        "origin_type": string("Default `manual`.", maxLength=32,
                              examples=["github", "vercel", "figma", "notion", "google_docs", "openclaw", "cursor",
                                        "mcp_proxy", "manual"]),
        "origin_id": string("Default: the chain id.", maxLength=256),
        "hash_algorithm": string("Fixed for the chain's lifetime.", enum=HASH_ALGS, default="sha256"),
    },
)

S["AppendEventRequest"] = obj(
    {
        "event_type": string(minLength=1, maxLength=64, examples=["code_pushed"]),
        "actor_id": {"type": ["string", "null"], "maxLength": 512},
        "actor_type": string(maxLength=64),
        "sentiment": string(enum=SENTIMENTS, default="neutral"),
        "payload": obj({}, desc="Default `{}`."),
    },
    required=["event_type"],
)

S["IssueCertificateRequest"] = obj(
    {
        "artifact_type": string(minLength=1, maxLength=64),
        "artifact_ref": string(minLength=1, maxLength=512),
        "artifact_title": string(minLength=1, maxLength=500),
    },
    required=["artifact_type", "artifact_ref"],
)

S["RevokeRequest"] = obj({"reason": string(minLength=1, maxLength=4096)}, required=["reason"])

S["SupersedeRequest"] = obj(
    {
        "superseded_by": string("The successor certificate's id.", minLength=1, maxLength=256),
        "reason": string(minLength=1, maxLength=4096, examples=["algorithm_upgrade"]),
    },
    required=["superseded_by"],
)

# ---- operations --------------------------------------------------------------------------------------------------

OPEN = []  # security: [] on open operations


def op(op_id, summary, description, tags, resp, params=None, body=None, security=None):
    o = {"operationId": op_id, "summary": summary, "description": description, "tags": tags}
    if params:
        o["parameters"] = params
    if body:
        o["requestBody"] = body
    o["responses"] = resp
    o["security"] = OPEN if security is None else security
    return o


def bearer(scope, api_key=False):
    s = [{"bearer": [scope]}]
    if api_key:
        s.append({"odinApiKey": []})
    return s


TRACE = path_param("trace_id", "The trace id.")
CERT = path_param("certificateId", "The provenance certificate id (a UUID for certificates prova issued).")
CHAIN = path_param("chainId", "The execution chain id.")

P = {}

P["/health"] = {"get": op(
    "getHealth", "Liveness and store summary",
    "Returns `ok`, the active key id and row counts of the store; `degraded` (still 200) while the store cannot be "
    "written (docs/operations.md \"Faults\").",
    ["service"],
    responses({"200": json_response("The gateway is up.", ref("Health"), example={
        "status": "ok", "kid": "ed25519-3f2a9c41b07d5e18",
        "store": {"backend": "sqlite", "receipts": 12, "traces": 3, "chains": 2, "certificates": 1, "writable": True,
                  "fault": None}})}),
)}

P["/version"] = {"get": op(
    "getVersion", "Software and API version", "The prova release and the version of this HTTP API.",
    ["service"],
    responses({"200": json_response("Versions.", ref("Version"),
                                    example={"name": "prova", "version": "0.1.0", "api": "v1"})}),
)}

P["/openapi.json"] = {"get": op(
    "getOpenApi", "This OpenAPI document", "The OpenAPI 3.1 description of every endpoint of the gateway.",
    ["service"],
    responses({"200": json_response("The OpenAPI document.", obj({"openapi": string(), "info": obj({}),
                                                                 "paths": obj({})},
                                                                required=["openapi", "info", "paths"]))}),
)}

P["/docs"] = {"get": op(
    "getDocs", "API documentation page",
    "A self-contained HTML page (no external resources) that renders this OpenAPI document.",
    ["service"],
    responses({"200": {"description": "The HTML page.", "content": {"text/html": {"schema": string()}}}}),
)}

# ---- the web view (docs/browse.md "The web view") ------------------------------------------------------------------

UI_HEADERS = {
    "ETag": header("A strong entity tag of the bytes; If-None-Match with it answers 304."),
    "Cache-Control": header("`no-cache`: revalidated on each use (the URLs carry no version)."),
    "Content-Security-Policy": header("`default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                                      "data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action "
                                      "'self'; frame-ancestors 'none'`: no inline script or style, never framed."),
}
UI_304 = {"description": "Not modified: If-None-Match named the current ETag (no body)."}


def ui_shell(op_id, summary, desc, params=None):
    return {"get": op(
        op_id, summary, desc, ["ui"],
        responses({"200": {"description": "The HTML shell (the same bytes for every page of the view).",
                           "headers": UI_HEADERS, "content": {"text/html": {"schema": string()}}},
                   "304": UI_304}),
        params=params)}


P["/ui"] = ui_shell(
    "getUi", "The web view",
    "The web view of the gateway (docs/browse.md \"The web view\"): recent traces, chains and certificates read "
    "page by page from the listing API, with the log's checkpoint. A self-contained HTML shell; its script routes on "
    "the URL's path, so every page of the view is a link. Verification happens in the browser.")

P["/ui/{page}"] = ui_shell(
    "getUiPage", "A page of the web view",
    "The same HTML shell for every path under /ui (one or more segments): `/ui/traces/{trace_id}`, "
    "`/ui/chains/{chainId}`, `/ui/certificates/{certificateId}`, `/ui/proofs/{id}`, `/ui/log`, `/ui/log/{index}`, "
    "`/ui/verify`; the "
    "script shows the page the path names (a path it does not know shows \"Not found\" in the page).",
    params=[path_param("page", "The page's path under /ui/ (the template shows the one-segment form).")])

P["/ui/assets/{name}"] = {"get": op(
    "getUiAsset", "An asset of the web view",
    "`app.js` (the view's script), `app.css` (its style sheet) or `prova.js` (the TypeScript package @prova/prova "
    "bundled for the browser, which verifies documents in the page), with a strong ETag and the view's "
    "Content-Security-Policy. Any other name is 404.",
    ["ui"],
    responses({"200": {"description": "The asset.", "headers": UI_HEADERS,
                       "content": {"text/javascript": {"schema": string()}, "text/css": {"schema": string()}}},
               "304": UI_304,
               "404": error_response("No such asset.", "not_found", "no such asset of the web view: nope")}),
    params=[path_param("name", "The asset's file name: app.js, app.css or prova.js.")],
)}

P["/metrics"] = {"get": op(
    "getMetrics", "Prometheus metrics",
    "Counters and histograms of requests, verifications and store operations in the Prometheus text exposition "
    "format, version 0.0.4.",
    ["service"],
    responses({"200": {"description": "The metrics.",
                       "content": {"text/plain; version=0.0.4": {"schema": string()}}}}),
)}

P["/.well-known/jwks.json"] = {"get": op(
    "getJwks", "The gateway's public keys",
    "The active key and any legacy keys, as a JWK Set. Receipts, export bundles and response signatures verify "
    "against these keys (`gateway_kid` / `X-ODIN-KID` name the key).",
    ["ope"],
    responses({"200": json_response("The JWK Set.", ref("Jwks"), example={"keys": [{
        "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "kid": "ed25519-3f2a9c41b07d5e18", "status": "active", "use": "sig", "alg": "EdDSA"}]})}),
)}

P["/v1/verify"] = {"post": op(
    "verifyDocument", "Verify any document prova knows",
    "Detects the kind of the document and verifies it: an OPE v1 envelope, receipt, receipt chain or export bundle; "
    "an OpenExecution offline bundle, chain record or events; a proof record; or a DSSE envelope or CloudEvent that "
    "carries one of them (both layers in one report). JSON Lines "
    "(`application/x-ndjson`) holds OPE receipts or OpenExecution events, one per line. The answer is always the "
    "unified report with 200, whether the document is valid or not; 400 only when the body is not JSON. Keys are "
    "the gateway's trusted keys; a key carried inside the document is used only with `trust_embedded_key=true` "
    "(and the report says so).",
    ["verify"],
    responses({"200": json_response("The verification report (valid or not).", ref("VerifyReport"), example={
        "checks": [{"at": "/cid", "check": "cid", "code": "ok", "message": "cid matches the payload", "ok": True},
                   {"at": "/signature", "check": "signature", "code": "ok",
                    "message": "Ed25519 signature over cid|trace_id|ts verifies", "ok": True}],
        "keys": [{"kid": "ed25519-3f2a9c41b07d5e18", "source": "jwks"}],
        "kind": "ope_envelope",
        "outcome": "valid",
        "unauthenticated_fields": ["payload_type", "target_type"],
        "valid": True,
        "warnings": []})}, body=True),
    params=[
        query_param("hash_alg", "The hash algorithm of OpenExecution events sent as JSON Lines (default: from the "
                                "hash length).", {"type": "string", "examples": HASH_ALGS}),
        query_param("trust_embedded_key", "Accept a public key carried inside the document (the starter's "
                                          "`sender.jwk`).", {"type": "boolean", "default": False}),
        {"in": "header", "name": "X-Prova-HMAC-Key", "required": False,
         "description": "The HMAC key of proof records, standard base64 (\"\" is the reference's public default "
                        "key). A secret: sent in this header, never in the URL; a `hmac_key_b64` query parameter is "
                        "refused with 400 `secret_in_query`.",
         "schema": {"type": "string"}},
    ],
    body={"description": "The document. Content-Type `application/json`, any JSON-based type "
                         "(`application/*+json`: the media types of the documents it verifies, such as those below), or "
                         "JSON Lines (`application/x-ndjson`, `application/jsonl`); another type is 415 "
                         "`unsupported_media_type`.", "required": True, "content": {
        JSON: {"schema": {"description": "Any JSON document prova knows."}},
        "application/cloudevents+json": {"schema": {"description": "A CloudEvent in structured mode."}},
        "application/cloudevents-batch+json": {"schema": {"description": "A batch of CloudEvents."}},
        "application/vnd.dsse.envelope.v1+json": {"schema": {"description": "A DSSE envelope."}},
        "application/vnd.in-toto+json": {"schema": {"description": "An in-toto Statement in a DSSE envelope."}},
        "application/x-ndjson": {"schema": string("JSON Lines: one JSON object per line.")},
        "application/jsonl": {"schema": string("JSON Lines: one JSON object per line.")},
    }},
)}

P["/verify"] = {"post": op(
    "verifyProofRecord", "Verify a proof record (Ophamin-compatible)",
    "Compatible with the Ophamin HTTP API's `POST /verify`: checks the HMAC-SHA256 seal of a proof record, "
    "recomputes its proof id and checks an Ed25519 attestation when present. A seal mismatch is `verified: false` "
    "with 200; 400 for text that is not JSON, JSON that is not an object, or a key that is not valid base64.",
    ["proof"],
    responses({"200": json_response("The result.", ref("ProofVerifyResult")),
               }, body=True,
              extra={"422": rref("UnprocessableEntity")}),
    body=json_body(ref("ProofVerifyRequest"), "The proof record as JSON text and an optional key."),
)}

S["JsonRpcMessage"] = {
    "description": "One JSON-RPC 2.0 message of the Model Context Protocol (a request, notification or response), or "
                   "a batch of them (protocol version 2025-03-26). Methods: docs/mcp.md.",
    "oneOf": [
        obj({"jsonrpc": {"const": "2.0"}, "id": {"type": ["string", "integer"]}, "method": string(),
             "params": {"type": "object"}, "result": {}, "error": {"type": "object"}}, required=["jsonrpc"],
            additional=True),
        {"type": "array", "items": {"type": "object"}},
    ],
}
S["JsonRpcReply"] = {
    "description": "The JSON-RPC 2.0 reply: a result, or an error with a JSON-RPC code (-32700 parse error, -32600 "
                   "invalid request, -32601 unknown method, -32602 invalid params, -32603 internal error, -32002 "
                   "resource not found; -32000 for an HTTP-level refusal, with id null). A batch gets an array.",
    "oneOf": [
        obj({"jsonrpc": {"const": "2.0"}, "id": {"type": ["string", "integer", "null"]}, "result": {"type": "object"},
             "error": obj({"code": {"type": "integer"}, "message": string(), "data": {}}, required=["code", "message"],
                          additional=True)},
            required=["jsonrpc", "id"], additional=False),
        {"type": "array", "items": {"type": "object"}},
    ],
}

MCP_SESSION = {"in": "header", "name": "Mcp-Session-Id", "required": False,
               "description": "The session id that `initialize` returned; required on every later request.",
               "schema": string()}


def mcp_error(desc):
    return json_response(desc, ref("JsonRpcReply"))


# ---- the transparency log (C2SP tlog-tiles; docs/tlog.md "The gateway's log") ------------------------------------

TEXT = "text/plain; charset=utf-8"
OCTETS = "application/octet-stream"
CACHE = header("`no-cache` for the checkpoint and proofs; `public, max-age=31536000, immutable` for a full tile "
               "(it never changes); `public, max-age=1` for a partial one.")


def text_response(desc, example=None):
    media = {"schema": string()}
    if example is not None:
        media["example"] = example
    return {"description": desc, "content": {TEXT: media}, "headers": {"Cache-Control": CACHE}}


def tile_response(desc):
    return {"description": desc, "content": {OCTETS: {"schema": string(contentMediaType=OCTETS)}},
            "headers": {"Cache-Control": CACHE}}


LOG_404 = error_response("The gateway has no log (`log_disabled`: no store), or the tree of the published checkpoint "
                         "has no such tile at that width (`log_tile_not_found`).", "log_tile_not_found",
                         "the log's tree has no such tile at that width (yet)")
CP_EXAMPLE = ("example.com/prova\n3\nPqNUd7cCkE6tU7EzyxmDhXKZdMXkZLm2cJ6ht3XlrsQ=\n\n"
              "\u2014 example.com/prova Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n")

P["/log/checkpoint"] = {"get": op(
    "getLogCheckpoint", "The log's latest checkpoint",
    "The latest published checkpoint of the gateway's transparency log: a c2sp.org/tlog-checkpoint signed note "
    "(origin, tree size, base64 root hash) signed by the log key (`GET /log/vkey`). The log signs a new one every "
    "`--log-interval` when entries were added; each one extends the tree of the one before. Public (no auth).",
    ["log"],
    responses({"200": text_response("The signed checkpoint.", CP_EXAMPLE),
               "404": error_response("The gateway has no log (`log_disabled`).", "log_disabled",
                                     "this gateway has no transparency log (it runs without a store)")}),
)}

P["/log/vkey"] = {"get": op(
    "getLogVkey", "The log's verifier key",
    "The c2sp.org/signed-note verifier key of the log (`<origin>+<key id>+<base64 0x01 || Ed25519 public key>`) and "
    "a newline: the key that signs `/log/checkpoint` and that `prova verify --log-key` takes.",
    ["log"],
    responses({"200": {"description": "The verifier key.", "content": {TEXT: {"schema": string()}}},
               "404": error_response("The gateway has no log (`log_disabled`).", "log_disabled",
                                     "this gateway has no transparency log (it runs without a store)")}),
)}

P["/log/proof/{index}"] = {"get": op(
    "getLogProof", "An inclusion proof of one log entry",
    "A c2sp.org/tlog-proof@v1 for entry `index` (the `log_index` a write answered) against the published "
    "checkpoint: the RFC 9162 inclusion proof and the signed checkpoint. An entry not yet in the published "
    "checkpoint answers 404 with `Retry-After` (and the log integrates at once).",
    ["log"],
    responses({"200": text_response("The proof (c2sp.org/tlog-proof@v1)."),
               "404": {"description": "The entry is not in the published checkpoint yet (`log_entry_not_integrated`; "
                                      "retry after `Retry-After` seconds), or the gateway has no log.",
                       "headers": {"Retry-After": dict(RETRY_AFTER, required=False)},
                       "content": {JSON: {"schema": ref("Error")}}}}),
    params=[path_param("index", "The entry's index: a decimal integer without leading zeros.", pattern="^(0|[1-9][0-9]*)$")],
)}

P["/log/tile/{level}/{index}"] = {"get": op(
    "getLogTile", "A hash tile of the log (tlog-tiles)",
    "Hash tile `tile/<L>/<N>[.p/<W>]` of C2SP tlog-tiles: the hashes at level 8L of the Merkle tree, 32 bytes each. "
    "N is written in 3-digit elements, all but the last prefixed `x` (`x001/x234/067`), so a large index spans "
    "several path segments, and a partial tile of width W adds `.p/<W>`; the template shows the one-segment "
    "form. A partial tile is served for the widths the published tree has; 404 otherwise. Paths are strict "
    "(canonical form only): anything else is 400 with the parser's reason (`tile_path_*`).",
    ["log"],
    responses({"200": tile_response("The tile's hashes."), "404": LOG_404}),
    params=[path_param("level", "L, 0..63 without leading zeros."),
            path_param("index", "N's last 3-digit element (see the description for the full form).")],
)}

P["/log/tile/entries/{index}"] = {"get": op(
    "getLogEntryBundle", "An entry bundle of the log (tlog-tiles)",
    "Entry bundle `tile/entries/<N>[.p/<W>]`: the log entries 256·N .. 256·N + W − 1, each a big-endian uint16 "
    "length and the entry's bytes (the JCS statement of one record, docs/tlog.md). Paths as for hash tiles.",
    ["log"],
    responses({"200": tile_response("The bundle."), "404": LOG_404}),
    params=[path_param("index", "N's last 3-digit element (see the description for the full form).")],
)}

P["/mcp"] = {
    "post": op(
        "mcpMessage", "Model Context Protocol endpoint (streamable HTTP)",
        "prova's abilities as MCP tools for AI agents (docs/mcp.md, docs/mcp-tools.md): one JSON-RPC message per "
        "POST. `initialize` opens a session and answers with its `Mcp-Session-Id`; later requests carry it. Requests "
        "answer 200 with the JSON-RPC reply (`application/json`, or one `text/event-stream` event when the client "
        "accepts only that); notifications and responses answer 202. Store tools call the same operations as this gateway's "
        "routes, with the session's bearer token (its scopes decide what writes are allowed). Off loopback a valid "
        "bearer token is required; a browser `Origin` must be loopback or listed in `--mcp-allow-origins`.",
        ["mcp"],
        {
            "200": json_response("The JSON-RPC reply.", ref("JsonRpcReply"), headers={
                "Mcp-Session-Id": header("The new session's id (on `initialize`).", required=False)}),
            "202": {"description": "A notification or response was accepted (no body)."},
            "400": mcp_error("No session id, an unsupported MCP-Protocol-Version, or a message that is not JSON-RPC."),
            "401": mcp_error("A bearer token is required (the gateway does not listen on loopback)."),
            "403": mcp_error("The Origin is not allowed."),
            "404": mcp_error("No such session (ended or expired), or the endpoint is disabled (`--no-mcp`)."),
            "406": mcp_error("The Accept header allows neither application/json nor text/event-stream."),
            "413": mcp_error("The message exceeds the size limit."),
            "415": rref("UnsupportedMediaType"),  # the daemon's check (route table), before the transport's
            "503": mcp_error("Too many open sessions."),
        },
        params=[MCP_SESSION,
                {"in": "header", "name": "MCP-Protocol-Version", "required": False,
                 "description": "The negotiated protocol version (2025-11-25, 2025-06-18, 2025-03-26 or 2024-11-05).",
                 "schema": string()}],
        body=json_body(ref("JsonRpcMessage"), "A JSON-RPC 2.0 message.", example={
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "my-agent", "version": "1.0"}}}),
    ),
    "delete": op(
        "mcpEndSession", "End an MCP session", "Ends the session named by `Mcp-Session-Id`.", ["mcp"],
        {
            "204": {"description": "The session ended."},
            "400": mcp_error("No session id."),
            "401": mcp_error("A bearer token is required (the gateway does not listen on loopback)."),
            "403": mcp_error("The Origin is not allowed."),
            "404": mcp_error("No such session."),
        },
        params=[MCP_SESSION],
    ),
}

P["/canonicalize"] = {"post": op(
    "canonicalizeValue", "Canonicalize a JSON value (Ophamin-compatible)",
    "Compatible with the Ophamin HTTP API's `POST /canonicalize`: the proof-record canonical form of a JSON value, "
    "its SHA-256 and its HMAC-SHA256 under the key.",
    ["proof"],
    responses({"200": json_response("The canonical form and its digests.", ref("CanonicalizeResult"), example={
        "canonical": "{\"a\":1,\"b\":[true,null]}", "canonical_bytes_len": 22,
        "sha256_hex": "0" * 64, "hmac_sha256_hex": "1" * 64, "content_hash": "0" * 64})},
        body=True, extra={"422": rref("UnprocessableEntity")}),
    body=json_body(ref("CanonicalizeRequest"), "The value as JSON text and an optional key.",
                   example={"value_json": "{\"b\": [true, null], \"a\": 1}"}),
)}

P["/v1/odin/envelope"] = {"post": op(
    "submitEnvelope", "Submit a signed OPE v1 envelope",
    "Scope: `ope:write` (bearer token), or an `X-ODIN-API-Key` with its `X-ODIN-API-MAC`. Verifies the envelope "
    "(CID, timestamp freshness, Ed25519 signature, sender key), rejects a replay of the same signed envelope (409), "
    "normalizes the payload, and appends a signed, hash-linked receipt to the trace. Accepts the starter wire "
    "envelope and the ope-lib and prova dialects. The response is signed: `X-ODIN-Signature` is an Ed25519 "
    "signature over `{X-ODIN-Response-CID}|{trace_id}|{receipt.ts}` by the key `X-ODIN-KID`.",
    ["ope"],
    responses({"200": json_response("The envelope was accepted and its receipt stored.", ref("EnvelopeResult"),
                                    headers={
                                        "X-ODIN-Trace-Id": header("The trace id."),
                                        "X-ODIN-Receipt-Hash": header("The new receipt's receipt_hash.",
                                                                      {"type": "string", "pattern": HEX64}),
                                        "X-ODIN-Response-CID": header("`sha256:` + hex of the canonical response "
                                                                      "body.", {"type": "string", "pattern": CID}),
                                        "X-ODIN-Signature": header("base64url Ed25519 over "
                                                                   "`{response_cid}|{trace_id}|{receipt.ts}`.",
                                                                   {"type": "string", "pattern": B64URL}),
                                        "X-ODIN-KID": header("The key id of X-ODIN-Signature."),
                                    })},
              write=True, body=True,
              extra={
                  "400": error_response(
                      "The envelope was rejected: `cid_mismatch`, `timestamp_skew`, `timestamp_invalid`, "
                      "`signature_invalid`, `kid_not_found`, `key_missing`, `schema_error`, `bad_json`, ...; "
                      "`sft_unregistered` (no transform for payload_type -> target_type: \"Normalization failed: "
                      "No SFT transformer registered for A -> B\"), `sft_payload_rejected` (the transform cannot "
                      "take the payload). No receipt is written.",
                      "signature_invalid", "Invalid signature"),
                  "403": error_response(
                      "The token lacks the scope (`scope_missing`), or the egress policy refused the envelope's "
                      "`forward_url` (`forward_blocked`, docs/egress.md): its receipt, with `policy.passed` false, "
                      "is stored first, as the reference gateway does.",
                      "forward_blocked", "Forward blocked by HEL: host evil.example not in allowlist"),
                  "409": error_response("Replay: the same signed envelope was already accepted "
                                        "(`replay_detected`).",
                                        "replay_detected", "Replay detected (duplicate signed envelope)"),
                  "422": rref("UnprocessableEntity"),
              }),
    params=[{"name": "X-ODIN-API-MAC", "in": "header", "required": False,
             "description": "With `X-ODIN-API-Key`: base64url (no padding) HMAC-SHA256 under the key's secret of "
                            "`{request_cid}|{trace_id}|{ts}`.", "schema": {"type": "string", "pattern": B64URL}}],
    body=json_body(ref("Envelope"), "The signed envelope."),
    security=bearer("ope:write", api_key=True),
)}

P["/v1/receipts/hops/chain/{trace_id}"] = {"get": op(
    "getReceiptChain", "The receipts of a trace",
    "All receipts of the trace, ordered by hop. An unknown trace answers 200 with an empty `hops` list (as the "
    "reference gateway).",
    ["ope"],
    responses({"200": json_response("The receipts.", ref("ReceiptChain"))}),
    params=[TRACE],
)}

LOG_PROOFS = query_param(
    "log_proofs", "Attach the tlog-proof of each record (`tlog_proofs`). A record not yet in the published "
                  "checkpoint is integrated first (the gateway waits up to 5 s); one stored before the log, or still "
                  "not covered, has none. Without it the export is byte for byte as before.",
    {"type": "boolean", "default": False})

P["/v1/receipts/export/{trace_id}"] = {"get": op(
    "exportReceipts", "A signed export bundle of a trace",
    "The trace's receipts in a bundle with its CID and an Ed25519 signature over `{bundle_cid}|{trace_id}|"
    "{exported_at}` by the gateway key. Verify it offline with `prova verify` and the gateway's JWKS.",
    ["ope"],
    responses({"200": json_response("The export.", ref("ReceiptExport"), headers={
        "X-ODIN-Bundle-CID": header("The same as `bundle_cid`.", {"type": "string", "pattern": CID}),
        "X-ODIN-KID": header("The key id of the signature."),
        "X-ODIN-Bundle-Signature": header("The same as `bundle_signature`.", {"type": "string", "pattern": B64URL}),
    })}, extra={"404": error_response("The trace has no receipts (`trace_not_found`).", "trace_not_found",
                                      "no receipts for trace t-1")}),
    params=[TRACE, LOG_PROOFS],
)}

P["/api/v1/provenance/verify/{certificateId}"] = {"get": op(
    "verifyCertificate", "Verify a provenance certificate",
    "The OpenExecution Verification Protocol 2.0.0 (§3, §7): checks the certificate signature, the chain's hash "
    "links and event hashes, and the chain hash. `valid` is true only when all pass and the certificate is "
    "active; a revoked or superseded certificate answers 200 with `valid: false`.",
    ["openexecution"],
    responses({"200": json_response("The verification result.", ref("CertificateVerification"))},
              extra={"404": error_response("No such certificate (`not_found`): `Certificate not found: "
                                           "{certificateId}`.", "not_found",
                                           "Certificate not found: 7d9c1c4e-0000-4000-8000-000000000000")}),
    params=[CERT],
)}

P["/api/v1/provenance/public-key"] = {"get": op(
    "getProvenancePublicKey", "The certificate signing key",
    "The public key provenance certificates are signed with, as hex DER SPKI and PEM, with its fingerprint.",
    ["openexecution"],
    responses({"200": json_response("The public key.", ref("ProvenancePublicKey"))}),
)}

P["/api/v1/provenance/bundle/{certificateId}"] = {"get": op(
    "getCertificateBundle", "The offline bundle of a certificate",
    "Everything needed to verify the certificate offline: certificate data, signature, chain with events, public "
    "key and the signed status block.",
    ["openexecution"],
    responses({"200": json_response("The offline bundle.", ref("OfflineBundle"))},
              extra={"404": error_response("No such certificate (`not_found`).", "not_found",
                                           "Certificate not found: 7d9c1c4e-0000-4000-8000-000000000000"),
                     "409": error_response(
                         "`attest` asked for a bundle that cannot be attested: it does not verify (a revoked "
                         "certificate: `oe_bundle_invalid`) or another key issued it (`oe_key_mismatch`).",
                         "oe_bundle_invalid",
                         "the bundle does not verify (run prova verify on it): attesting it would record a broken "
                         "bundle")}),
    params=[CERT, LOG_PROOFS, query_param(
        "attest", "Add the OpenExecution SDKs' extension attestations before sending (docs/openexecution.md "
                  "\"Creating attestations\"), comma-separated: `content-integrity` (the RFC 6962 Merkle root of the "
                  "event hashes), `timestamp` (now, hashed and signed with the gateway key, which must be the "
                  "certificate's issuer). Outside what the certificate signs; another name is 400 `attest_invalid`. "
                  "Without it the export is byte for byte as before.",
        {"type": "string", "pattern": "^(content-integrity|timestamp)(,(content-integrity|timestamp))*$"})],
)}

CHAIN_404 = error_response("No such chain (`not_found`).", "not_found", "Chain not found: 3b0e0c2a")
CERT_404 = error_response("No such certificate (`not_found`).", "not_found",
                          "Certificate not found: 7d9c1c4e-0000-4000-8000-000000000000")

P["/api/v1/chains"] = {"post": op(
    "createChain", "Create an execution chain",
    "Scope: `oe:write`. Creates an open chain; its hash algorithm, signature algorithm (the gateway key's) and "
    "canonicalization (`jcs`) are fixed for its lifetime. The body may be omitted.",
    ["openexecution"],
    responses({"201": json_response("The new chain.", ref("ChainResponse"))}, write=True, body=True),
    body=json_body(ref("CreateChainRequest"), "Chain options (all optional).", required=False),
    security=bearer("oe:write"),
)}

P["/api/v1/chains/{chainId}"] = {"get": op(
    "getChain", "An execution chain with its events",
    "The chain record and all its events in seq order.",
    ["openexecution"],
    responses({"200": json_response("The chain.", ref("ChainResponse"))}, extra={"404": CHAIN_404}),
    params=[CHAIN],
)}

P["/api/v1/chains/{chainId}/events"] = {"post": op(
    "appendChainEvent", "Append an event to an open chain",
    "Scope: `oe:write`. Appends the next event (seq, prev_hash and event_hash computed by the gateway, created_at "
    "= now). 409 when the chain is not open.",
    ["openexecution"],
    responses({"201": json_response("The new event.", ref("EventResponse"))}, write=True, body=True,
              extra={"404": CHAIN_404,
                     "409": error_response("The chain is not open (`chain_not_open`).", "chain_not_open",
                                           "the chain is resolved: events can only be added to an open chain")}),
    params=[CHAIN],
    body=json_body(ref("AppendEventRequest"), "The event.",
                   example={"event_type": "code_pushed", "actor_id": "octocat", "payload": {"sha": "9fceb02"}}),
    security=bearer("oe:write"),
)}

P["/api/v1/chains/{chainId}/resolve"] = {"post": op(
    "resolveChain", "Resolve a chain",
    "Scope: `oe:write`. open → resolved: re-checks every event and computes the chain hash. No request body. "
    "409 when the chain is not open.",
    ["openexecution"],
    responses({"200": json_response("The resolved chain.", ref("ChainResponse"))}, write=True,
              extra={"404": CHAIN_404,
                     "409": error_response("The chain is not open (`chain_not_open`).", "chain_not_open",
                                           "the chain is already resolved")}),
    params=[CHAIN],
    security=bearer("oe:write"),
)}

P["/api/v1/chains/{chainId}/certificate"] = {"post": op(
    "issueCertificate", "Issue a provenance certificate",
    "Scope: `oe:write`. Signs the certificate data of a resolved chain with the gateway key (resolved → "
    "certified) and returns the offline bundle. One certificate per chain; 409 when the chain is not resolved.",
    ["openexecution"],
    responses({"201": json_response("The certificate, as an offline bundle.", ref("BundleResponse"))},
              write=True, body=True,
              extra={"404": CHAIN_404,
                     "409": error_response("The chain is not resolved, or already certified (`chain_not_resolved`).",
                                           "chain_not_resolved", "the chain must be resolved before certifying")}),
    params=[CHAIN],
    body=json_body(ref("IssueCertificateRequest"), "What the certificate is about.",
                   example={"artifact_type": "pull_request", "artifact_ref": "github.com/acme/app/pull/42"}),
    security=bearer("oe:write"),
)}

P["/api/v1/provenance/certificates/{certificateId}/revoke"] = {"post": op(
    "revokeCertificate", "Revoke a certificate",
    "Scope: `oe:write`. active → revoked (final). The status block is re-signed and the chain becomes revoked; "
    "the certificate then verifies as `valid: false`. 409 when the certificate is not active.",
    ["openexecution"],
    responses({"200": json_response("The updated offline bundle.", ref("BundleResponse"))}, write=True, body=True,
              extra={"404": CERT_404,
                     "409": error_response("The certificate is not active (`status_transition`).",
                                           "status_transition",
                                           "the certificate is not active: revoked and superseded are final")}),
    params=[CERT],
    body=json_body(ref("RevokeRequest"), "Why.", example={"reason": "key compromise"}),
    security=bearer("oe:write"),
)}

P["/api/v1/provenance/certificates/{certificateId}/supersede"] = {"post": op(
    "supersedeCertificate", "Supersede a certificate",
    "Scope: `oe:write`. active → superseded (final), naming the successor certificate. 409 when the certificate "
    "is not active.",
    ["openexecution"],
    responses({"200": json_response("The updated offline bundle.", ref("BundleResponse"))}, write=True, body=True,
              extra={"404": CERT_404,
                     "409": error_response("The certificate is not active (`status_transition`).",
                                           "status_transition",
                                           "the certificate is not active: revoked and superseded are final")}),
    params=[CERT],
    body=json_body(ref("SupersedeRequest"), "The successor.",
                   example={"superseded_by": "0b6f5d7e-0000-4000-8000-000000000001", "reason": "algorithm_upgrade"}),
    security=bearer("oe:write"),
)}

RESPONSES["UnprocessableEntity"] = error_response(
    "The body is JSON but does not validate against the request schema (`schema_error`, "
    "`trace_id_invalid`, ...), as FastAPI answers in the reference gateways.", "schema_error",
    "the body must be a JSON object (an OPE envelope)")

# ---- the document ------------------------------------------------------------------------------------------------

DOC = {
    "openapi": "3.1.0",
    "info": {
        "title": "prova gateway",
        "version": "0.1.0",
        "summary": "Signed, verifiable records of what AI agents, services and data pipelines did.",
        "description": (
            "`prova serve` accepts and stores signed records in three existing wire formats (ODIN OPE v1 envelopes "
            "and receipts, OpenExecution v2 chains and provenance certificates, Ophamin proof records) and verifies "
            "any of them. Everything it issues can be checked offline with nothing but its public keys "
            "(`/.well-known/jwks.json`, `/api/v1/provenance/public-key`).\n\n"
            "Reads and verification are open. Writes need a bearer token with the scope named in the operation "
            "(`ope:write`, `oe:write`); `POST /v1/odin/envelope` also accepts the ODIN API key + HMAC headers.\n\n"
            "Every error has the same JSON body (`Error`): a stable snake_case `error.code`, a sentence in "
            "`error.message`, and `detail` with the same sentence for clients of the reference implementations. "
            "Every operation may answer 400 (bad input), 413 (body too large), 429 (overloaded; `Retry-After`), "
            "500 and 503 (store unavailable); writes also 401 and 403.\n\n"
            "Compression (docs/compression.md): a request body may be sent with `Content-Encoding: gzip` (or "
            "`x-gzip`) or `zstd`; it is decoded before the operation sees it, within `--max-body` (both the bytes sent "
            "and the bytes decoded) and `--max-ratio` (default 1000 bytes out per byte sent, past 64 KiB): over a limit "
            "is 413 (`body_too_large`, `decompressed_too_large`, `compression_ratio_exceeded`, "
            "`compressed_window_too_large`), a broken stream 400 (`compressed_corrupt`, `compressed_truncated`, "
            "`compressed_trailing_data`, `compressed_format_mismatch`), any other coding or two stacked 415 "
            "(`unsupported_content_encoding`). Responses of 1 KiB or more (`--compress-min`) are sent with "
            "`Content-Encoding: zstd` or `gzip` when the request's `Accept-Encoding` allows it (q-values honoured, "
            "zstd on a tie, identity otherwise) with `Vary: Accept-Encoding`; a compressed variant's strong `ETag` is "
            "made weak (`W/\"...\"`). `X-ODIN-Response-CID` and `X-ODIN-Signature` cover the uncompressed body."
        ),
    },
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "tags": [
        {"name": "service", "description": "Health, version, metrics and this document."},
        {"name": "verify", "description": "One verifier for every document prova knows."},
        {"name": "ope", "description": "ODIN OPE v1: signed envelopes, hash-linked receipts, export bundles, JWKS."},
        {"name": "openexecution",
         "description": "OpenExecution v2: execution chains, provenance certificates, offline bundles."},
        {"name": "proof", "description": "Ophamin proof records (compatible with the Ophamin HTTP API)."},
        {"name": "mcp", "description": "The Model Context Protocol endpoint for AI agents (streamable HTTP)."},
        {"name": "log", "description": "The transparency log of every accepted record (C2SP tlog-tiles), public."},
        {"name": "ui", "description": "The web view /ui: browse and verify in the browser (docs/browse.md)."},
    ],
    "paths": P,
    "components": {
        "schemas": S,
        "responses": dict(sorted(RESPONSES.items())),
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "`Authorization: Bearer <token>`. Tokens carry scopes: `ope:write` (submit OPE "
                               "envelopes), `oe:write` (create and change OpenExecution chains and certificates), "
                               "`proof:write` (store proof records). "
                               "A missing or invalid token answers 401, a token without the scope 403.",
            },
            "odinApiKey": {
                "type": "apiKey",
                "in": "header",
                "name": "X-ODIN-API-Key",
                "description": "The ODIN gateways' API key scheme, for `POST /v1/odin/envelope` only. Send the key "
                               "id in `X-ODIN-API-Key` and, in `X-ODIN-API-MAC`, base64url (no padding) of "
                               "HMAC-SHA256(secret, `{request_cid}|{trace_id}|{ts}`) — the same string the "
                               "envelope signature covers. A wrong or missing MAC answers 401.",
            },
        },
    },
}

# ---- The listings (docs/browse.md) -------------------------------------------------------------------------------

TIME = string("An RFC 3339 time (UTC, microseconds: `2026-12-07T10:00:00.000000+00:00`).", format="date-time")
NULL_TIME = {"anyOf": [TIME, {"type": "null"}]}
NEXT_CURSOR = {"anyOf": [string("Pass it as `cursor` (with the same filters) for the next page.", pattern=B64URL),
                         {"type": "null"}],
               "description": "The next page's cursor; null on the last page."}
NULL_STR = {"type": ["string", "null"]}
NULL_INDEX = {"anyOf": [integer(minimum=0), {"type": "null"}],
              "description": "The index of the record's log entry; null for a record stored before the log."}


def page(item, desc, extra=None):
    props = {"items": array(ref(item)), "next_cursor": NEXT_CURSOR}
    props.update(extra or {})
    return obj(props, required=["items", "next_cursor"] + list(extra or {}), desc=desc, additional=False)


S["TraceItem"] = obj({
    "trace_id": string(), "hops": integer(minimum=1), "first_at": NULL_TIME, "last_at": NULL_TIME,
    "last_receipt_hash": string(pattern=HEX64),
    "kids": array(string(), desc="The distinct sender and gateway kids over the hops, in hop order (empty for "
                                 "receipts stored before schema 5)."),
    "payload_types": array(string(), desc="The distinct envelope payload types over the hops, in hop order."),
}, required=["trace_id", "hops", "first_at", "last_at", "last_receipt_hash", "kids", "payload_types"],
    additional=False)
S["ChainItem"] = obj({
    "chain_id": string(), "chain_type": NULL_STR, "status": NULL_STR, "events": {"type": ["integer", "null"]},
    "created_at": NULL_TIME, "updated_at": NULL_TIME,
    "certificate_id": dict(NULL_STR, description="The chain's certificate, once certified."),
}, required=["chain_id", "chain_type", "status", "events", "created_at", "updated_at", "certificate_id"],
    additional=False)
S["CertificateItem"] = obj({
    "certificate_id": string(), "chain_id": string(), "status": NULL_STR, "issued_at": NULL_TIME,
    "superseded_by": NULL_STR, "log_index": NULL_INDEX,
}, required=["certificate_id", "chain_id", "status", "issued_at", "superseded_by", "log_index"], additional=False)
S["ProofItem"] = obj({"proof_id": string(pattern=HEX64), "stored_at": NULL_TIME, "log_index": NULL_INDEX},
                     required=["proof_id", "stored_at", "log_index"], additional=False)
S["LogEntryItem"] = obj({
    "index": integer(minimum=0), "sequenced_at": NULL_TIME,
    "entry": {"type": ["object", "null"], "description": "The entry's JSON (prova-log-entry/v1, docs/tlog.md)."},
}, required=["index", "sequenced_at", "entry"], additional=False)
S["CheckpointItem"] = obj({"size": integer(minimum=0), "time": NULL_TIME,
                           "note": string("The signed note, with its cosignatures.")},
                          required=["size", "time", "note"], additional=False)
S["TracePage"] = page("TraceItem", "OPE traces, the most recently active first.")
S["ChainPage"] = page("ChainItem", "OpenExecution chains, the most recently changed first.")
S["CertificatePage"] = page("CertificateItem", "Provenance certificates, the most recently issued first.")
S["ProofPage"] = page("ProofItem", "Proof records, the most recently stored first.")
S["LogEntryPage"] = page("LogEntryItem", "The log's entries in index order.",
                         {"size": integer(minimum=0, desc="The log's size (entries stored).")})
S["CheckpointPage"] = page("CheckpointItem", "The checkpoints the log signed, the newest first.")
S["ProofRecord"] = obj({"proof_id": string(pattern=HEX64), "schema_version": string()},
                       required=["proof_id", "schema_version"],
                       desc="An Ophamin proof record (reference/ophamin.md), as it was stored.")
S["ProofStored"] = obj({"data": ref("ProofRecord"), "log_index": NULL_INDEX}, required=["data", "log_index"])

B_LIMIT = query_param("limit", "Items per page, 1..500 (default 50); otherwise 400 `invalid_limit`.",
                      {"type": "integer", "minimum": 1, "maximum": 500, "default": 50})
B_CURSOR = query_param("cursor", "The `next_cursor` of the previous page (opaque); one that does not decode, or "
                                 "is another listing's, is 400 `invalid_cursor`. Repeat the page's filters with it.",
                       string(pattern=B64URL))
B_SINCE = query_param("since", "List items with time ≥ since (RFC 3339; bad: 400 `invalid_time`).",
                      string(format="date-time"))
B_UNTIL = query_param("until", "List items with time < until (RFC 3339; bad: 400 `invalid_time`).",
                      string(format="date-time"))
B_COMMON = [B_LIMIT, B_CURSOR, B_SINCE, B_UNTIL]
B_ERRORS = ("Bad query: `unknown_parameter` (a parameter the listing does not take), `invalid_limit`, "
            "`invalid_cursor`, `invalid_time`, `invalid_status`, `invalid_filter`, `invalid_id`.")


def listing(op_id, summary, desc, tags, schema, params):
    return {"get": op(op_id, summary, desc + " Paged by keyset (docs/browse.md); open, like the other reads.",
                      tags, responses({"200": json_response("One page.", ref(schema)),
                                       "400": error_response(B_ERRORS, "invalid_cursor",
                                                             "cursor is not a cursor of this listing")}),
                      params=B_COMMON + params)}


P["/v1/traces"] = listing(
    "listTraces", "OPE traces, the most recently active first",
    "Every trace with a receipt, by its last receipt's time (`last_at`, which `since`/`until` filter), newest "
    "first.", ["ope"], "TracePage",
    [query_param("kid", "Traces with a hop whose envelope this kid signed, or whose receipt the gateway signed "
                        "with it.", string(minLength=1, maxLength=256)),
     query_param("payload_type", "Traces with a hop whose envelope had this payload type.",
                 string(minLength=1, maxLength=256))])
P["/v1/chains"] = listing(
    "listChains", "OpenExecution chains, the most recently changed first",
    "Chains by their record's `updated_at` (which `since`/`until` filter), newest first.", ["openexecution"],
    "ChainPage",
    [query_param("status", "Chains in this status (else 400 `invalid_status`).",
                 string(enum=["open", "resolved", "certified", "revoked"]))])
P["/v1/certificates"] = listing(
    "listCertificates", "Provenance certificates, the most recently issued first",
    "Certificates by `issued_at` (which `since`/`until` filter), newest first.", ["openexecution"],
    "CertificatePage",
    [query_param("chain_id", "The certificates of this chain.", string(minLength=1, maxLength=128)),
     query_param("status", "Certificates in this status (else 400 `invalid_status`).",
                 string(enum=["active", "revoked", "superseded"]))])
P["/v1/log/entries"] = listing(
    "listLogEntries", "The transparency log's entries",
    "The log's entries in index order from `from`, with the time each was sequenced (`sequenced_at`, which "
    "`since`/`until` filter) and the log's size.", ["log"], "LogEntryPage",
    [query_param("from", "The first index (default 0; a cursor takes precedence; else 400 `invalid_from`).",
                 {"type": "integer", "minimum": 0})])
P["/v1/log/checkpoints"] = listing(
    "listLogCheckpoints", "The checkpoints the log signed, the newest first",
    "Every checkpoint the log recorded (its size, when, and the signed note with cosignatures).", ["log"],
    "CheckpointPage", [])
P["/v1/proofs"] = listing(
    "listProofs", "Proof records, the most recently stored first",
    "The proof records stored with `POST /v1/proofs`, by `stored_at` (which `since`/`until` filter).", ["proof"],
    "ProofPage", [])
P["/v1/proofs"]["post"] = op(
    "storeProof", "Store a proof record",
    "Scope: `proof:write`. Verifies the Ophamin proof record (its HMAC seal under the key in `X-Prova-HMAC-Key`, "
    "standard base64, or without that header the public default key; a trusted attestation) and stores it under "
    "its id, the content hash, with its `proof/proof_record` log entry in the same transaction. The same record "
    "again answers 200 with the stored one (nothing appended); a record that does not verify 422 with the "
    "verifier's reason code.",
    ["proof"],
    responses({"201": json_response("Stored.", ref("ProofStored")),
               "200": json_response("Stored before: the stored record.", ref("ProofStored"))},
              write=True, body=True),
    params=[{"name": "X-Prova-HMAC-Key", "in": "header", "required": False,
             "description": "The record's HMAC key (standard base64).", "schema": string()}],
    body=json_body(ref("ProofRecord"), "The proof record."),
    security=bearer("proof:write"),
)
P["/v1/proofs/{id}"] = {"get": op(
    "getProof", "A stored proof record",
    "The record as it was stored (the bytes `POST /v1/proofs` received).", ["proof"],
    responses({"200": json_response("The record.", ref("ProofRecord")),
               "404": error_response("No such record (`proof_not_found`).", "proof_not_found",
                                     "no proof record 80e2...")}),
    params=[path_param("id", "The proof id: 64 lowercase hex digits (else 400 `invalid_id`).")],
)}

# ---- the lineage graph (docs/lineage.md "Over HTTP") ----------------------------------------------------------------
S["LineageGraph"] = obj({
    "nodes": array(obj({
        "id": string("Stable: trace:ID, hop:TRACE/N, cid:CID, chain:ID, event:CHAIN/SEQ, cert:ID, proof:ID."),
        "type": string(enum=["trace", "hop", "cid", "chain", "event", "cert", "proof"]),
        "label": string(),
        "attrs": {"type": "object", "additionalProperties": string()}},
        required=["id", "type", "label", "attrs"], additional=False), desc="Sorted by id (bytewise)."),
    "edges": array(obj({
        "from": string(), "to": string(),
        "type": string(enum=["hop_of", "prev", "request", "normalized", "payload", "event_of", "certifies",
                             "supersedes"])},
        required=["from", "to", "type"], additional=False), desc="Sorted by (from, to, type)."),
}, required=["nodes", "edges"], additional=False, desc="A lineage graph (docs/lineage.md).")
P["/v1/lineage"] = {"get": op(
    "getLineage", "The lineage graph of a trace and/or a chain",
    "A trace's receipts (hops, request and normalized payload CIDs) and/or a chain with its events and every "
    "certificate of the chain (a superseding certificate linked to the one it supersedes), merged into one graph "
    "as `prova lineage` draws it (docs/lineage.md). Open, like the other reads.",
    ["ope", "openexecution"],
    responses({"200": {"description": "The graph, in the format asked for.", "content": {
        JSON: {"schema": ref("LineageGraph")},
        "text/vnd.graphviz; charset=utf-8": {"schema": string()},
        "application/graphml+xml; charset=utf-8": {"schema": string()},
        "text/vnd.mermaid; charset=utf-8": {"schema": string()}}},
        "400": error_response("Bad query: `missing_parameter` (neither trace_id nor chain_id), `invalid_format`, "
                              "`unknown_parameter`, `invalid_id`.", "missing_parameter",
                              "give trace_id, chain_id or both"),
        "404": error_response("No such trace (`trace_not_found`: no receipts) or chain (`chain_not_found`).",
                              "trace_not_found", "no receipts for trace t-1")}),
    params=[query_param("trace_id", "An OPE trace.", string(minLength=1, maxLength=128)),
            query_param("chain_id", "An OpenExecution chain, with its certificates.",
                        string(minLength=1, maxLength=128)),
            query_param("format", "The graph's language (else 400 `invalid_format`).",
                        string(enum=["json", "dot", "graphml", "mermaid"], default="json"))],
)}


def render():
    return json.dumps(DOC, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    text = render()
    if "--stdout" in argv:
        sys.stdout.write(text)
        return 0
    if "--check" in argv:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except OSError as e:
            print(f"gen_openapi: cannot read {OUT}: {e}", file=sys.stderr)
            return 1
        if current != text:
            print(f"gen_openapi: {os.path.relpath(OUT, ROOT)} is out of date; run scripts/gen_openapi.py",
                  file=sys.stderr)
            return 1
        print(f"gen_openapi: {os.path.relpath(OUT, ROOT)} is up to date")
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, OUT)
    print(f"gen_openapi: wrote {os.path.relpath(OUT, ROOT)} ({len(DOC['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
