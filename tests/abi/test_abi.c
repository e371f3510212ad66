/* The run-time face of the headers (src/lib/core/abi.c): every constant function returns its macro, every _sizeof
 * function the sizeof of its type, and the version is meson's project version (argv[1]). A binding relies on these
 * instead of the macros it cannot see. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/prova.h"

#define SAME(fn, value) CHECK_MSG(fn() == (value), "%s() = %lld, want %lld", #fn, (long long)fn(), (long long)(value))
#define SIZE(t)         CHECK_MSG(t##_sizeof() == sizeof(t), "%s_sizeof() = %zu, want %zu", #t, t##_sizeof(), sizeof(t))

static void test_version(const char *want) {
    CHECK_STR(prova_version(), want);
    CHECK_STR(prova_version(), PROVA_VERSION_STRING);
    CHECK(prova_version_number() == PROVA_VERSION_NUMBER);
    unsigned major = 0, minor = 0, patch = 0;
    CHECK(sscanf(want, "%u.%u.%u", &major, &minor, &patch) == 3);
    CHECK(prova_version_number() == (int)(major * 10000 + minor * 100 + patch));
    CHECK(PROVA_VERSION_MAJOR == major && PROVA_VERSION_MINOR == minor && PROVA_VERSION_PATCH == patch);
}

static void test_constants(void) {
    SAME(prova_pointer_max, PROVA_POINTER_MAX);
    SAME(prova_default_max_depth, PROVA_DEFAULT_MAX_DEPTH);
    SAME(prova_default_max_size, PROVA_DEFAULT_MAX_SIZE);
    SAME(prova_default_max_string, PROVA_DEFAULT_MAX_STRING);
    SAME(prova_default_max_members, PROVA_DEFAULT_MAX_MEMBERS);
    SAME(prova_canon_double_max, PROVA_CANON_DOUBLE_MAX);
    SAME(prova_oe_time_len, PROVA_OE_TIME_LEN);
    SAME(prova_time_max, PROVA_TIME_MAX);
    SAME(prova_uuid_bytes, PROVA_UUID_BYTES);
    SAME(prova_uuid_strlen, PROVA_UUID_STRLEN);
    SAME(prova_sha256_bytes, PROVA_SHA256_BYTES);
    SAME(prova_merkle_hash_bytes, PROVA_MERKLE_HASH_BYTES);
    SAME(prova_merkle_proof_max, PROVA_MERKLE_PROOF_MAX);
    SAME(prova_tile_height, PROVA_TILE_HEIGHT);
    SAME(prova_tile_width, PROVA_TILE_WIDTH);
    SAME(prova_tile_level_max, PROVA_TILE_LEVEL_MAX);
    SAME(prova_tile_path_max, PROVA_TILE_PATH_MAX);
    SAME(prova_tile_entry_max, PROVA_TILE_ENTRY_MAX);
    SAME(prova_sha384_bytes, PROVA_SHA384_BYTES);
    SAME(prova_sha512_bytes, PROVA_SHA512_BYTES);
    SAME(prova_hash_max_bytes, PROVA_HASH_MAX_BYTES);
    SAME(prova_hmac_sha256_bytes, PROVA_HMAC_SHA256_BYTES);
    SAME(prova_ed25519_publickeybytes, PROVA_ED25519_PUBLICKEYBYTES);
    SAME(prova_ed25519_seedbytes, PROVA_ED25519_SEEDBYTES);
    SAME(prova_ed25519_sigbytes, PROVA_ED25519_SIGBYTES);
    SAME(prova_ed448_publickeybytes, PROVA_ED448_PUBLICKEYBYTES);
    SAME(prova_ed448_sigbytes, PROVA_ED448_SIGBYTES);
    SAME(prova_sig_max_bytes, PROVA_SIG_MAX_BYTES);
    SAME(prova_kid_max, PROVA_KID_MAX);
    SAME(prova_hash_alg_count, PROVA_HASH_ALG_COUNT);
    SAME(prova_sig_alg_count, PROVA_SIG_ALG_COUNT);
    SAME(prova_default_max_skew_s, PROVA_DEFAULT_MAX_SKEW_S);
    SAME(prova_oe_hex_max, PROVA_OE_HEX_MAX);
    SAME(prova_oe_reason_max, PROVA_OE_REASON_MAX);
    SAME(prova_proof_default_key_len, PROVA_PROOF_DEFAULT_KEY_LEN);
    SAME(prova_proof_hex_len, PROVA_PROOF_HEX_LEN);
    SAME(prova_proof_attest_sig_hex_len, PROVA_PROOF_ATTEST_SIG_HEX_LEN);
    SAME(prova_store_log_entry_max, PROVA_STORE_LOG_ENTRY_MAX);
    SAME(prova_store_page_max, PROVA_STORE_PAGE_MAX);
    SAME(prova_record_digest_max, PROVA_RECORD_DIGEST_MAX);
    SAME(prova_ce_max_extensions, PROVA_CE_MAX_EXTENSIONS);
    SAME(prova_ce_max_headers, PROVA_CE_MAX_HEADERS);
    SAME(prova_zip_max_entries, PROVA_ZIP_MAX_ENTRIES);
    SAME(prova_redact_salt_bytes, PROVA_REDACT_SALT_BYTES);
    SAME(prova_redact_max_disclosures, PROVA_REDACT_MAX_DISCLOSURES);
    SAME(prova_redact_max_decoys, PROVA_REDACT_MAX_DECOYS);
    SAME(prova_decompress_default_max_size, PROVA_DECOMPRESS_DEFAULT_MAX_SIZE);
    SAME(prova_decompress_default_max_ratio, PROVA_DECOMPRESS_DEFAULT_MAX_RATIO);
    SAME(prova_decompress_default_ratio_floor, PROVA_DECOMPRESS_DEFAULT_RATIO_FLOOR);
    SAME(prova_compress_default_level_zstd, PROVA_COMPRESS_DEFAULT_LEVEL_ZSTD);
    SAME(prova_compress_default_level_gzip, PROVA_COMPRESS_DEFAULT_LEVEL_GZIP);
    /* the values the sizes are for */
    CHECK(prova_proof_default_key_len() == strlen(PROVA_PROOF_DEFAULT_KEY));
    CHECK(prova_hash_size(PROVA_HASH_SHA512) == prova_hash_max_bytes());
    char t[PROVA_TIME_MAX];
    CHECK(prova_time_format(0, t) < prova_time_max());
    const uint8_t ns[PROVA_UUID_BYTES] = PROVA_OPENLINEAGE_RUNID_NAMESPACE;
    CHECK(memcmp(prova_openlineage_runid_namespace(), ns, sizeof ns) == 0);
}

static void test_lengths(void) {
    static const size_t ns[] = {0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 1000, 1u << 20};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t n = ns[i];
        CHECK(prova_hex_len(n) == PROVA_HEX_LEN(n));
        CHECK(prova_base64_len(n) == PROVA_BASE64_LEN(n));
        CHECK(prova_base64url_len(n) == PROVA_BASE64URL_LEN(n));
    }
    /* and they are what the encoders write */
    uint8_t in[33] = {0};
    char out[128];
    CHECK(prova_base64url_encode(in, sizeof in, out, sizeof out) == prova_base64url_len(sizeof in));
    CHECK(prova_base64_encode(in, 32, out, sizeof out) == prova_base64_len(32));
    CHECK(prova_hex_encode(in, 32, out, sizeof out) == prova_hex_len(32));
}

static void test_sizes(void) {
    SIZE(prova_error);
    SIZE(prova_tile);
    SIZE(prova_tile_entry);
    SIZE(prova_allocator);
    SIZE(prova_buf);
    SIZE(prova_json);
    SIZE(prova_json_member);
    SIZE(prova_parse_options);
    SIZE(prova_member_text);
    SIZE(prova_jsonl);
    SIZE(prova_jsonl_line);
    SIZE(prova_check);
    SIZE(prova_verify_options);
    SIZE(prova_ope_envelope_params);
    SIZE(prova_ope_receipt_params);
    SIZE(prova_sft_result);
    SIZE(prova_ope_envelope_info);
    SIZE(prova_oe_chain_params);
    SIZE(prova_oe_event_params);
    SIZE(prova_oe_cert_params);
    SIZE(prova_oe_status_params);
    SIZE(prova_oe_attest_params);
    SIZE(prova_record_info);
    SIZE(prova_dsse_signer);
    SIZE(prova_dsse_verify_options);
    SIZE(prova_ce_extension);
    SIZE(prova_ce_options);
    SIZE(prova_ce_header);
    SIZE(prova_openlineage_options);
    SIZE(prova_zip_entry);
    SIZE(prova_decompress_options);
    SIZE(prova_store_counts);
    SIZE(prova_log_entry);
    SIZE(prova_redact_params);
}

/* prova_error's documented layout: the stable members, in this order, at the start (docs/api.md). */
static void test_error_layout(void) {
    CHECK(offsetof(prova_error, status) == 0);
    CHECK(offsetof(prova_error, reason) < offsetof(prova_error, message));
    CHECK(offsetof(prova_error, message) < offsetof(prova_error, offset));
    CHECK(offsetof(prova_error, offset) < offsetof(prova_error, line));
    CHECK(offsetof(prova_error, line) < offsetof(prova_error, column));
    CHECK(offsetof(prova_error, column) < offsetof(prova_error, pointer));
    CHECK(sizeof(((prova_error *)0)->pointer) == PROVA_POINTER_MAX);
    prova_error e;
    prova_error_clear(&e);
    CHECK(e.status == 0 && strcmp(e.reason, "ok") == 0 && e.pointer[0] == '\0');
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_abi VERSION\n");
        return 2;
    }
    test_version(argv[1]);
    test_constants();
    test_lengths();
    test_sizes();
    test_error_layout();
    TEST_SUMMARY();
}
