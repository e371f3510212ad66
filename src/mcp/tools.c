/* The MCP tools of `prova mcp` (docs/mcp-tools.md): the table of names, schemas and annotations that tools/list
 * shows and tools/call dispatches on. The tools themselves: tools_proof.c (the reference's read-only proof tools,
 * reference/ophamin.md §5), tools_docs.c (verify, canonicalize, hash, pack_envelope, export, jwks) and
 * tools_store.c (the store tools, through the service layer as the HTTP routes). */
#include <string.h>

#include "tools_internal.h"

/* ---- The table ------------------------------------------------------------------------------------------------- */

#define S_STR(d) "{\"type\":\"string\",\"description\":\"" d "\"}"
#define S_KEY    S_STR("The HMAC key as standard base64; empty (the default) means the reference's public default key.")
#define S_DOC    "{\"description\":\"Any JSON value, or a string holding JSON text.\"}"

static const char OUT_VERIFY_PROOF[] =
    "{\"type\":\"object\",\"required\":[\"verified\",\"proof_id\",\"schema_version\",\"attested\","
    "\"attestation_author\",\"attestation_verified\",\"verdict\",\"claim_statement\",\"framework_versions\"],"
    "\"properties\":{\"verified\":{\"type\":\"boolean\"},\"proof_id\":{\"type\":\"string\"},"
    "\"schema_version\":{},\"attested\":{\"type\":\"boolean\"},\"attestation_author\":{},"
    "\"attestation_verified\":{\"type\":\"boolean\"},\"verdict\":{\"type\":\"object\",\"required\":[\"outcome\","
    "\"observed_value\",\"reasoning\",\"threshold\"]},\"claim_statement\":{},\"framework_versions\":{\"type\":"
    "\"object\",\"required\":[\"ophamin_version_in_record\",\"ophamin_version_in_server\"]}}}";

static const char OUT_CANON_VALUE[] =
    "{\"type\":\"object\",\"required\":[\"canonical\",\"canonical_bytes_len\",\"sha256_hex\",\"hmac_sha256_hex\","
    "\"content_hash\"],\"additionalProperties\":false,\"properties\":{\"canonical\":{\"type\":\"string\"},"
    "\"canonical_bytes_len\":{\"type\":\"integer\",\"minimum\":0},\"sha256_hex\":{\"type\":\"string\",\"pattern\":"
    "\"^[0-9a-f]{64}$\"},\"hmac_sha256_hex\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64}$\"},\"content_hash\":"
    "{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64}$\"}}}";

static const char OUT_INDEX[] =
    "{\"type\":\"object\",\"required\":[\"directory\",\"total_proofs\",\"load_errors\",\"by_scenario\",\"proofs\"],"
    "\"properties\":{\"directory\":{\"type\":\"string\"},\"total_proofs\":{\"type\":\"integer\"},\"load_errors\":"
    "{\"type\":\"integer\"},\"truncated\":{\"type\":\"boolean\"},\"by_scenario\":{\"type\":\"object\","
    "\"additionalProperties\":{\"type\":\"object\",\"required\":[\"count\",\"by_verdict\"],\"properties\":{\"count\":"
    "{\"type\":\"integer\"},\"by_verdict\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}}}},"
    "\"proofs\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"path\"],\"oneOf\":[{\"required\":"
    "[\"error\"]},{\"required\":[\"scenario_pillar\",\"verdict\",\"proof_id_prefix\",\"schema_version\"]}],"
    "\"properties\":{\"path\":{\"type\":\"string\"},\"error\":{\"type\":\"string\"},\"scenario_pillar\":{\"type\":"
    "\"string\"},\"verdict\":{\"type\":\"string\"},\"proof_id_prefix\":{\"type\":\"string\",\"pattern\":"
    "\"^[0-9a-f]{16}$\"},\"schema_version\":{}}}}}}";

static const char OUT_REPORT[] =
    "{\"type\":\"object\",\"required\":[\"valid\",\"kind\",\"checks\",\"warnings\"],\"properties\":{\"valid\":"
    "{\"type\":\"boolean\"},\"kind\":{\"type\":\"string\"},\"checks\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"required\":[\"check\",\"ok\",\"code\",\"message\",\"at\"],\"properties\":{\"check\":{\"type\":"
    "\"string\"},\"ok\":{\"type\":\"boolean\"},\"code\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"},"
    "\"at\":{\"type\":\"string\"}}}},\"warnings\":{\"type\":\"array\"},\"unauthenticated_fields\":{\"type\":"
    "\"array\",\"items\":{\"type\":\"string\"}},\"keys\":{\"type\":\"array\"},\"sdk_result\":{}}}";

static const char OUT_CANON[] =
    "{\"type\":\"object\",\"required\":[\"profile\",\"canonical\",\"bytes_len\",\"sha256_hex\",\"cid\"],"
    "\"additionalProperties\":false,\"properties\":{\"profile\":{\"enum\":[\"ope\",\"ophamin\",\"jcs\"]},"
    "\"canonical\":{\"type\":\"string\"},\"bytes_len\":{\"type\":\"integer\",\"minimum\":0},\"sha256_hex\":{\"type\":"
    "\"string\",\"pattern\":\"^[0-9a-f]{64}$\"},\"cid\":{\"type\":\"string\",\"pattern\":\"^sha256:[0-9a-f]{64}$\"}}}";

static const char OUT_HASH[] =
    "{\"type\":\"object\",\"required\":[\"alg\",\"profile\",\"hex\"],\"additionalProperties\":false,\"properties\":"
    "{\"alg\":{\"enum\":[\"sha256\",\"sha384\",\"sha512\",\"sha3-256\",\"sha3-384\",\"sha3-512\"]},\"profile\":"
    "{\"enum\":[\"ope\",\"ophamin\",\"jcs\"]},\"hex\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64,128}$\"}}}";

static const char OUT_PACK[] =
    "{\"type\":\"object\",\"required\":[\"envelope\",\"cid\",\"trace_id\",\"kid\"],\"properties\":{\"envelope\":"
    "{\"type\":\"object\",\"required\":[\"payload\",\"trace_id\",\"ts\"]},\"cid\":{\"type\":\"string\",\"pattern\":"
    "\"^sha256:[0-9a-f]{64}$\"},\"trace_id\":{\"type\":\"string\"},\"kid\":{\"type\":\"string\"}}}";

static const char OUT_RECEIPT[] =
    "{\"type\":\"object\",\"required\":[\"trace_id\",\"receipt\"],\"properties\":{\"trace_id\":{\"type\":"
    "\"string\"},\"receipt\":{\"type\":\"object\",\"required\":[\"hop\",\"receipt_hash\",\"receipt_signature\"],"
    "\"properties\":{\"hop\":{\"type\":\"integer\",\"minimum\":0},\"receipt_hash\":{\"type\":\"string\"}}},"
    "\"normalized_payload\":{},\"forwarded\":{},\"policy_engine\":{},\"sft_notes\":{},\"log_index\":{\"type\":"
    "\"integer\",\"minimum\":0}}}";

static const char OUT_CHAIN[] =
    "{\"type\":\"object\",\"required\":[\"trace_id\",\"receipts\"],\"additionalProperties\":false,\"properties\":"
    "{\"trace_id\":{\"type\":\"string\"},\"receipts\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"required\":[\"hop\",\"receipt_hash\"]}}}}";

static const char OUT_BUNDLE[] =
    "{\"type\":\"object\",\"required\":[\"bundle\",\"bundle_cid\",\"bundle_signature\"],\"properties\":"
    "{\"bundle\":{\"type\":\"object\",\"required\":[\"trace_id\",\"exported_at\",\"gateway_kid\",\"receipts\","
    "\"chain_valid\",\"count\"],\"properties\":{\"trace_id\":{\"type\":\"string\"},\"receipts\":{\"type\":"
    "\"array\"},\"count\":{\"type\":\"integer\"}}},\"bundle_cid\":{\"type\":\"string\",\"pattern\":"
    "\"^sha256:[0-9a-f]{64}$\"},\"bundle_signature\":{\"type\":\"string\"}}}";

static const char OUT_OE_EVENT[] =
    "{\"type\":\"object\",\"required\":[\"chain_id\",\"chain_created\",\"event\"],\"additionalProperties\":false,"
    "\"properties\":{\"chain_id\":{\"type\":\"string\"},\"chain_created\":{\"type\":\"boolean\"},\"event\":{\"type\":"
    "\"object\",\"required\":[\"id\",\"chain_id\",\"seq\",\"event_type\",\"event_hash\",\"prev_hash\","
    "\"created_at\"]},\"log_index\":{\"type\":\"integer\",\"minimum\":0}}}";

static const char OUT_OE_CERT[] =
    "{\"type\":\"object\",\"required\":[\"certificate\",\"certificate_id\",\"certificate_signature\",\"chain\","
    "\"public_key\",\"status\"],\"properties\":{\"log_index\":{\"type\":\"integer\",\"minimum\":0},"
    "\"certificate_id\":{\"type\":\"string\"},\"certificate\":{\"type\":"
    "\"object\"},\"certificate_signature\":{\"type\":\"string\"},\"chain\":{\"type\":\"object\"},\"public_key\":"
    "{\"type\":\"string\"},\"status\":{\"type\":\"object\"}}}";

static const char OUT_OE_VERIFY[] =
    "{\"type\":\"object\",\"required\":[\"valid\"],\"properties\":{\"valid\":{\"type\":\"boolean\"},"
    "\"signature_valid\":{\"type\":\"boolean\"},\"chain_hash_valid\":{\"type\":\"boolean\"},\"certificate\":{\"type\":"
    "\"object\"},\"chain\":{\"type\":\"object\"},\"integrity\":{\"type\":\"object\"},\"kind\":{\"type\":\"string\"},"
    "\"checks\":{\"type\":\"array\"},\"warnings\":{\"type\":\"array\"}},\"oneOf\":[{\"required\":[\"signature_valid\","
    "\"chain_hash_valid\",\"certificate\",\"chain\",\"integrity\"]},{\"required\":[\"kind\",\"checks\","
    "\"warnings\"]}]}";

static const char OUT_EXPORT[] =
    "{\"type\":\"object\",\"required\":[\"to\",\"content_type\",\"kind\",\"output\"],\"additionalProperties\":false,"
    "\"properties\":{\"to\":{\"enum\":[\"intoto\",\"dsse\",\"cloudevents\",\"openlineage\",\"ro-crate\"]},"
    "\"content_type\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"output\":{\"type\":[\"object\","
    "\"array\"]},\"files\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}}}";

static const char OUT_JWKS[] =
    "{\"type\":\"object\",\"required\":[\"keys\"],\"properties\":{\"keys\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"required\":[\"kty\"]}}}}";

#define ID_ARG(name, d) "\"" name "\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":128,\"description\":\"" d "\"}"

/* The tool table keeps its hand layout: clang-format would split the schema strings one character per line. */
// clang-format off
static const mcp_tool tools[] = {
    {"verify_proof", "Verify an Ophamin proof record",
     "Verifies an Ophamin empirical-proof record exactly as the reference's verify_proof does: recomputes the "
     "proof_id, checks the HMAC-SHA256 signature under sign_key_b64 (default: the public default key) and the "
     "optional ed25519 attestation. A signature mismatch is a result (verified false), not an error.",
     "{\"type\":\"object\",\"properties\":{\"proof_json\":" S_STR("The proof record as JSON text.") ",\"sign_key_b64\":"
     S_KEY "},\"required\":[\"proof_json\"],\"additionalProperties\":false}",
     OUT_VERIFY_PROOF, true, false, true, false, mcp_tool_verify_proof},
    {"canonicalize_value", "Ophamin canonical form of a value",
     "The reference's canonicalize_value: the canonical bytes of a JSON value (Python json.dumps sort_keys, compact, "
     "ensure_ascii), their length, SHA-256 and HMAC-SHA256 under sign_key_b64 (default: the public default key).",
     "{\"type\":\"object\",\"properties\":{\"value_json\":" S_STR("The value as JSON text (NaN and Infinity "
     "accepted as Python does).") ",\"sign_key_b64\":" S_KEY "},\"required\":[\"value_json\"],"
     "\"additionalProperties\":false}",
     OUT_CANON_VALUE, true, false, true, false, mcp_tool_canonicalize_value},
    {"read_proof_index", "Index the proof records of a directory",
     "The reference's read_proof_index: reads every *.json file under a directory on the server (recursively, sorted, "
     "symbolic links and hidden entries skipped, at most 10000 files of 16 MiB) and counts the proof records by "
     "scenario pillar (evidence[0].pillar) and verdict; files that are not proof records are listed with an error.",
     "{\"type\":\"object\",\"properties\":{\"directory\":" S_STR("A directory path on the server; a leading ~ is the "
     "server user's home.") "},\"required\":[\"directory\"],\"additionalProperties\":false}",
     OUT_INDEX, true, false, true, true, mcp_tool_read_proof_index},
    {"verify", "Verify any prova document",
     "Verifies any document prova knows (ODIN OPE envelopes, receipts, receipt chains and bundles; OpenExecution "
     "bundles, chains and events; Ophamin proof records; JSON Lines of receipts or events) and answers the unified "
     "report: valid, kind, one entry per check with a reason code, warnings and the keys used.",
     "{\"type\":\"object\",\"properties\":{\"document\":" S_DOC ",\"jwks\":{\"description\":\"Trusted public keys: a "
     "JWKS object {keys:[...]} or its JSON text. When given, only these keys are trusted; otherwise the server's.\"},"
     "\"hmac_key_b64\":" S_STR("Proof records: the HMAC key as standard base64.") ",\"trust_embedded_key\":{\"type\":"
     "\"boolean\",\"description\":\"Accept a public key carried by the document itself (the report says so).\"},"
     "\"now\":" S_STR("The verifier's clock, RFC 3339 (default: now).") ",\"max_skew_s\":{\"type\":\"integer\","
     "\"minimum\":1,\"maximum\":315360000,\"description\":\"Freshness window of envelope timestamps in seconds "
     "(default 300).\"},\"no_skew\":{\"type\":\"boolean\",\"description\":\"Do not check timestamp freshness.\"}},"
     "\"required\":[\"document\"],\"additionalProperties\":false}",
     OUT_REPORT, true, false, true, false, mcp_tool_verify},
    {"canonicalize", "Canonical bytes of a JSON value",
     "The canonical form of a JSON value under a profile: ope (Python json.dumps sort_keys, compact, UTF-8; ODIN OPE), "
     "ophamin (the same, ASCII; proof records) or jcs (RFC 8785; OpenExecution), with its SHA-256 and content id.",
     "{\"type\":\"object\",\"properties\":{\"value\":{\"description\":\"Any JSON value.\"},\"value_json\":"
     S_STR("The value as JSON text (instead of value).") ",\"profile\":{\"enum\":[\"ope\",\"ophamin\",\"jcs\"],"
     "\"default\":\"ope\",\"description\":\"The canonical form.\"}},\"additionalProperties\":false}",
     OUT_CANON, true, false, true, false, mcp_tool_canonicalize},
    {"hash", "Hash of a value's canonical bytes",
     "The digest of a JSON value's canonical bytes (profile ope, ophamin or jcs) with sha256, sha384, sha512, "
     "sha3-256, sha3-384 or sha3-512, as lowercase hex.",
     "{\"type\":\"object\",\"properties\":{\"value\":{\"description\":\"Any JSON value.\"},\"value_json\":"
     S_STR("The value as JSON text (instead of value).") ",\"profile\":{\"enum\":[\"ope\",\"ophamin\",\"jcs\"],"
     "\"default\":\"ope\",\"description\":\"The canonical form.\"},\"alg\":{\"enum\":[\"sha256\",\"sha384\","
     "\"sha512\",\"sha3-256\",\"sha3-384\",\"sha3-512\"],\"default\":\"sha256\",\"description\":\"The hash "
     "algorithm.\"}},\"additionalProperties\":false}",
     OUT_HASH, true, false, true, false, mcp_tool_hash},
    {"pack_envelope", "Sign an ODIN OPE envelope",
     "Builds an ODIN OPE v1 envelope around a payload object and signs it with the server's key (timestamp: now). "
     "Nothing is stored: pass the envelope to append_receipt to record it.",
     "{\"type\":\"object\",\"properties\":{\"payload\":{\"type\":\"object\",\"description\":\"The payload object.\"},"
     "\"payload_type\":" S_STR("The payload's type, e.g. openai.tooluse.invoice.v1.") ",\"target_type\":"
     S_STR("The target type, e.g. invoice.iso20022.v1.") ",\"trace_id\":" S_STR("The trace to join (default: a new "
     "UUIDv4).") ",\"dialect\":{\"enum\":[\"prova\",\"ope-lib\",\"starter\"],\"default\":\"prova\",\"description\":"
     "\"The envelope's wire dialect.\"}},\"required\":[\"payload\",\"payload_type\",\"target_type\"],"
     "\"additionalProperties\":false}",
     OUT_PACK, false, false, false, false, mcp_tool_pack_envelope},
    {"append_receipt", "Record an envelope in the store",
     "Submits a signed OPE envelope to the gateway (POST /v1/odin/envelope, same rules as HTTP: trusted sender keys, "
     "freshness, replay protection) and answers the gateway's signed receipt. Needs a store.",
     "{\"type\":\"object\",\"properties\":{\"envelope\":{\"type\":\"object\",\"description\":\"A signed OPE envelope "
     "(e.g. pack_envelope's).\"}},\"required\":[\"envelope\"],\"additionalProperties\":false}",
     OUT_RECEIPT, false, false, false, true, mcp_tool_append_receipt},
    {"get_chain", "Receipts of a trace",
     "The receipt chain of a trace in the store, in hop order (GET /v1/receipts/hops/chain/{trace_id}).",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("trace_id", "The trace id.") "},\"required\":[\"trace_id\"],"
     "\"additionalProperties\":false}",
     OUT_CHAIN, true, false, true, true, mcp_tool_get_chain},
    {"export_bundle", "Signed export bundle of a trace",
     "The gateway-signed export bundle of a trace (GET /v1/receipts/export/{trace_id}); verify it offline with the "
     "gateway's JWKS (the jwks tool). With log_proofs, each receipt's tlog-proof is attached (tlog_proofs).",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("trace_id", "The trace id.") ",\"log_proofs\":{\"type\":"
     "\"boolean\",\"description\":\"Attach each receipt's tlog-proof (?log_proofs=1).\"}},\"required\":"
     "[\"trace_id\"],\"additionalProperties\":false}",
     OUT_BUNDLE, true, false, false, true, mcp_tool_export_bundle},
    {"oe_append_event", "Append an OpenExecution event",
     "Appends an event to an OpenExecution chain in the store; without chain_id a new chain is created first (with "
     "the optional chain fields). The gateway computes seq, prev_hash and event_hash.",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("chain_id", "The chain; absent: create one.") ",\"chain\":{\"type\":"
     "\"object\",\"description\":\"Fields of a new chain: chain_type, origin_type, origin_id, hash_algorithm.\"},"
     "\"event\":{\"type\":\"object\",\"description\":\"The event: event_type (or type), payload (object), actor_id "
     "(or actor), actor_type, sentiment (positive, negative, neutral).\"}},\"required\":[\"event\"],"
     "\"additionalProperties\":false}",
     OUT_OE_EVENT, false, false, false, true, mcp_tool_oe_append_event},
    {"oe_issue_certificate", "Certify an OpenExecution chain",
     "Resolves the chain when it is still open, then issues its provenance certificate; answers the offline "
     "certificate bundle. A chain has one certificate.",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("chain_id", "The chain to certify.") ",\"artifact_type\":"
     S_STR("1-64 bytes, e.g. report.") ",\"artifact_ref\":" S_STR("1-512 bytes: what the certificate is about.")
     ",\"artifact_title\":" S_STR("1-500 bytes (optional).") "},\"required\":[\"chain_id\",\"artifact_type\","
     "\"artifact_ref\"],\"additionalProperties\":false}",
     OUT_OE_CERT, false, false, false, true, mcp_tool_oe_issue_certificate},
    {"oe_verify_certificate", "Verify an OpenExecution certificate",
     "With certificate_id: the store's verification (GET /api/v1/provenance/verify/{id}: valid, signature_valid, "
     "chain_hash_valid, certificate, chain, integrity). With bundle: the offline bundle verified here (the unified "
     "report).",
     "{\"type\":\"object\",\"properties\":{" ID_ARG("certificate_id", "A certificate in the store.") ",\"bundle\":"
     "{\"type\":\"object\",\"description\":\"An offline certificate bundle (instead of certificate_id).\"}},"
     "\"additionalProperties\":false}",
     OUT_OE_VERIFY, true, false, true, true, mcp_tool_oe_verify_certificate},
    {"export", "Export a record to an interop format",
     "Turns a record (any family) into an in-toto Statement, a DSSE envelope signed with the server's key, a "
     "CloudEvent (structured or batch), OpenLineage RunEvents (an array) or an RO-Crate (metadata and file texts; "
     "nothing is written). The record is described, not verified: call verify first.",
     "{\"type\":\"object\",\"properties\":{\"document\":" S_DOC ",\"to\":{\"enum\":[\"intoto\",\"dsse\","
     "\"cloudevents\",\"openlineage\",\"ro-crate\"],\"description\":\"The format.\"},\"options\":{\"type\":\"object\","
     "\"description\":\"cloudevents: source (default urn:prova:mcp), type, mode (structured or batch); openlineage: "
     "namespace, job.\",\"properties\":{\"source\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"},\"mode\":"
     "{\"enum\":[\"structured\",\"batch\"]},\"namespace\":{\"type\":\"string\"},\"job\":{\"type\":\"string\"}},"
     "\"additionalProperties\":false}},\"required\":[\"document\",\"to\"],\"additionalProperties\":false}",
     OUT_EXPORT, true, false, false, false, mcp_tool_export},
    {"jwks", "Public keys",
     "The gateway's JWKS (active and legacy keys) with a store, else the public key of the server's signing key.",
     "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
     OUT_JWKS, true, false, true, false, mcp_tool_jwks},
};
// clang-format on

const mcp_tool *mcp_tools(size_t *ret_n) {
    *ret_n = sizeof tools / sizeof *tools;
    return tools;
}

const mcp_tool *mcp_tool_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof tools / sizeof *tools; i++)
        if (strlen(tools[i].name) == len && memcmp(tools[i].name, name, len) == 0) return &tools[i];
    return NULL;
}
