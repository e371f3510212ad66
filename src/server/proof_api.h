/* The Ophamin proof-record operations behind POST /verify and POST /canonicalize (routes_proof.c) and the MCP tools
 * verify_proof and canonicalize_value (src/mcp/tools.c): one implementation, so the two answers are byte-equal.
 * Bodies and results are the reference's (reference/ophamin.md §3.3 and §5-6). */
#ifndef PROVA_SERVER_PROOF_API_H
#define PROVA_SERVER_PROOF_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prova/common.h"

/* A refusal of the caller's input: the HTTP status the gateway answers, a stable reason code (static) and the
 * message (the reference's wording where it has one). */
typedef struct proof_api_error {
    unsigned status;
    const char *code;
    char message[512];
} proof_api_error;

/* verify_proof_impl(proof_json, sign_key_b64): appends the §3.3 dict (prova_proof_verify_impl) to out and sets
 * *ret_verified. key_b64 NULL means "" (the default key). Returns 0, 1 when err describes a refusal (bad base64
 * key: 400; proof_json not JSON / not an object: 400; out untouched), or PROVA_ENOMEM. */
int proof_api_verify(const char *proof_json, size_t len, const char *key_b64, prova_buf *out, bool *ret_verified,
                     proof_api_error *err);

/* canonicalize_value(value_json, sign_key_b64): appends {canonical, canonical_bytes_len, sha256_hex,
 * hmac_sha256_hex, content_hash} (the ophamin profile; NaN/Infinity and lone surrogates accepted as Python's
 * json.loads does) to out. max_depth: the parser's nesting limit (0: 128). Returns 0, 1 with err, or
 * PROVA_ENOMEM. */
int proof_api_canonicalize(const char *value_json, size_t len, const char *key_b64, uint32_t max_depth,
                           prova_buf *out, proof_api_error *err);

#endif
