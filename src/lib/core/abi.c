/* What a binding in another language reads at run time instead of from the headers: the version, every constant
 * it needs to size or check a buffer (a binding cannot see a #define), and the size of every public struct it may
 * allocate. Each function returns its macro or sizeof; the name is the macro's in lowercase, or the type's name
 * followed by _sizeof (docs/api.md, "The ABI"). tests/abi/test_abi.c compares each with the header, and
 * tests/abi/headers.py checks that every size macro of the public headers has its function.
 *
 * The types come from the public headers of every layer; nothing here calls into another layer. */
#include "prova/prova.h"

const char *prova_version(void) {
    return PROVA_VERSION_STRING;
}
int prova_version_number(void) {
    return PROVA_VERSION_NUMBER;
}

/* One line per function; clang-format would take the macro calls below for statements, so it is off for them. */
// clang-format off
#define CONSTANT(type, name, value) \
    type name(void) { return (type)(value); }
#define SIZEOF(t) \
    size_t t##_sizeof(void) { return sizeof(t); }

/* prova/common.h, prova/json.h, prova/time.h, prova/uuid.h */
CONSTANT(size_t, prova_pointer_max, PROVA_POINTER_MAX)
CONSTANT(size_t, prova_default_max_depth, PROVA_DEFAULT_MAX_DEPTH)
CONSTANT(size_t, prova_default_max_size, PROVA_DEFAULT_MAX_SIZE)
CONSTANT(size_t, prova_default_max_string, PROVA_DEFAULT_MAX_STRING)
CONSTANT(size_t, prova_default_max_members, PROVA_DEFAULT_MAX_MEMBERS)
CONSTANT(size_t, prova_canon_double_max, PROVA_CANON_DOUBLE_MAX)
CONSTANT(size_t, prova_oe_time_len, PROVA_OE_TIME_LEN)
CONSTANT(size_t, prova_time_max, PROVA_TIME_MAX)
CONSTANT(size_t, prova_uuid_bytes, PROVA_UUID_BYTES)
CONSTANT(size_t, prova_uuid_strlen, PROVA_UUID_STRLEN)

/* prova/encoding.h */
size_t prova_hex_len(size_t n) { return PROVA_HEX_LEN(n); }
size_t prova_base64_len(size_t n) { return PROVA_BASE64_LEN(n); }
size_t prova_base64url_len(size_t n) { return PROVA_BASE64URL_LEN(n); }

/* prova/crypto.h */
CONSTANT(size_t, prova_sha256_bytes, PROVA_SHA256_BYTES)
CONSTANT(size_t, prova_sha384_bytes, PROVA_SHA384_BYTES)
CONSTANT(size_t, prova_sha512_bytes, PROVA_SHA512_BYTES)
CONSTANT(size_t, prova_hash_max_bytes, PROVA_HASH_MAX_BYTES)
CONSTANT(size_t, prova_hmac_sha256_bytes, PROVA_HMAC_SHA256_BYTES)
CONSTANT(size_t, prova_ed25519_publickeybytes, PROVA_ED25519_PUBLICKEYBYTES)
CONSTANT(size_t, prova_ed25519_seedbytes, PROVA_ED25519_SEEDBYTES)
CONSTANT(size_t, prova_ed25519_sigbytes, PROVA_ED25519_SIGBYTES)
CONSTANT(size_t, prova_ed448_publickeybytes, PROVA_ED448_PUBLICKEYBYTES)
CONSTANT(size_t, prova_ed448_sigbytes, PROVA_ED448_SIGBYTES)
CONSTANT(size_t, prova_sig_max_bytes, PROVA_SIG_MAX_BYTES)
CONSTANT(size_t, prova_kid_max, PROVA_KID_MAX)
CONSTANT(size_t, prova_hash_alg_count, PROVA_HASH_ALG_COUNT)
CONSTANT(size_t, prova_sig_alg_count, PROVA_SIG_ALG_COUNT)

/* prova/verify.h, the families, the bridges */
CONSTANT(int64_t, prova_default_max_skew_s, PROVA_DEFAULT_MAX_SKEW_S)
CONSTANT(size_t, prova_oe_hex_max, PROVA_OE_HEX_MAX)
CONSTANT(size_t, prova_oe_reason_max, PROVA_OE_REASON_MAX)
CONSTANT(size_t, prova_proof_default_key_len, PROVA_PROOF_DEFAULT_KEY_LEN)
CONSTANT(size_t, prova_proof_hex_len, PROVA_PROOF_HEX_LEN)
CONSTANT(size_t, prova_proof_attest_sig_hex_len, PROVA_PROOF_ATTEST_SIG_HEX_LEN)
CONSTANT(size_t, prova_record_digest_max, PROVA_RECORD_DIGEST_MAX)
CONSTANT(size_t, prova_ce_max_extensions, PROVA_CE_MAX_EXTENSIONS)
CONSTANT(size_t, prova_ce_max_headers, PROVA_CE_MAX_HEADERS)
CONSTANT(size_t, prova_zip_max_entries, PROVA_ZIP_MAX_ENTRIES)

const uint8_t *prova_openlineage_runid_namespace(void) {
    static const uint8_t ns[PROVA_UUID_BYTES] = PROVA_OPENLINEAGE_RUNID_NAMESPACE;
    return ns;
}

/* The public structs a caller allocates or reads by value. */
SIZEOF(prova_error)
SIZEOF(prova_allocator)
SIZEOF(prova_buf)
SIZEOF(prova_json)
SIZEOF(prova_json_member)
SIZEOF(prova_parse_options)
SIZEOF(prova_member_text)
SIZEOF(prova_jsonl)
SIZEOF(prova_jsonl_line)
SIZEOF(prova_check)
SIZEOF(prova_verify_options)
SIZEOF(prova_ope_envelope_params)
SIZEOF(prova_ope_receipt_params)
SIZEOF(prova_sft_result)
SIZEOF(prova_ope_envelope_info)
SIZEOF(prova_oe_chain_params)
SIZEOF(prova_oe_event_params)
SIZEOF(prova_oe_cert_params)
SIZEOF(prova_oe_status_params)
SIZEOF(prova_oe_attest_params)
SIZEOF(prova_record_info)
SIZEOF(prova_dsse_signer)
SIZEOF(prova_dsse_verify_options)
SIZEOF(prova_ce_extension)
SIZEOF(prova_ce_options)
SIZEOF(prova_ce_header)
SIZEOF(prova_openlineage_options)
SIZEOF(prova_zip_entry)
SIZEOF(prova_store_counts)
// clang-format on
