/* Unit tests for prova_record_describe / prova_record_parse (src/lib/interop/record.c): the content address, id,
 * time and name of every record kind, and each refusal with its reason code and JSON Pointer.
 * Expected digests: the §4.3 minimal proof's proof_id (reference/ophamin.md, VERIFIED); for OPE and OpenExecution
 * records, the address the record states (receipt_hash, bundle_cid, chain_hash) or, for an envelope, the SHA-256
 * of the payload's canonical bytes computed here with the hash API over prova_canon_write (the CLI test
 * tests/cli/test_import_cli.sh recomputes addresses with Python's hashlib).
 * Usage: test_interop DATA_DIR. Prints one line per failure and "N passed, M failed" last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/interop.h"
#include "prova/ope.h"

#define MIN_ID "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac"

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

/* Describes the JSON text; returns the status and fills info/err. */
static int describe(const char *json, prova_record_info *info, prova_error *err) {
    prova_doc *doc = NULL;
    int rc = prova_record_parse(json, strlen(json), NULL, &doc, err);
    if (rc < 0) return rc;
    rc = prova_record_describe(prova_doc_root(doc), info, err);
    prova_doc_free(doc);
    return rc;
}

static void expect_refusal(const char *json, const char *reason, const char *pointer) {
    prova_record_info info;
    prova_error err;
    int rc = describe(json, &info, &err);
    CHECK_MSG(rc < 0, "accepted: %s", json);
    if (rc < 0) {
        CHECK_STR(err.reason, reason);
        CHECK_STR(err.pointer, pointer);
    }
}

static void test_proof(const char *dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/proof_minimal.json", dir);
    size_t len;
    char *text = slurp(path, &len);
    CHECK(text != NULL);
    if (!text) return;
    prova_record_info info;
    prova_error err;
    CHECK(describe(text, &info, &err) == 0);
    CHECK(info.family == PROVA_RECORD_PROOF);
    CHECK_STR(info.family_name, "proof");
    CHECK_STR(info.kind, "proof_record");
    CHECK_STR(info.digest_alg, "sha256");
    CHECK_STR(info.digest, MIN_ID);
    CHECK_STR(info.id, MIN_ID);
    CHECK_STR(info.time, "2026-01-01T00:00:01+00:00");
    CHECK_STR(info.name, "empirical-proof-record-80e223866476e888");

    /* A stated proof_id that is the content's is accepted; another one is refused. */
    char *with = malloc(len + 200);
    snprintf(with, len + 200, "{\"proof_id\":\"%s\",%s", MIN_ID, strchr(text, '{') + 1);
    CHECK(describe(with, &info, &err) == 0);
    snprintf(with, len + 200, "{\"proof_id\":\"%.63s0\",%s", MIN_ID, strchr(text, '{') + 1);
    expect_refusal(with, "record_digest_mismatch", "/proof_id");
    /* NaN is a legal Python value in a proof record (read leniently), not in other records. */
    char *nan = strstr(text, "\"statistic_value\":0.0");
    if (nan) {
        snprintf(with, len + 200, "%.*s\"statistic_value\":NaN%s", (int)(nan - text), text,
                 nan + strlen("\"statistic_value\":0.0"));
        CHECK(describe(with, &info, &err) == 0);
        CHECK(strcmp(info.digest, MIN_ID) != 0);
    } else {
        CHECK_MSG(0, "proof_minimal.json lacks \"statistic_value\":0.0");
    }
    free(with);
    free(text);
    prova_doc *doc = NULL;
    CHECK(prova_record_parse("{\"a\":NaN}", 9, NULL, &doc, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "json_nonfinite");
}

static void test_envelope(void) {
    prova_key *k = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &k) == 0);
    prova_doc *payload = NULL;
    const char *ptext = "{\"b\":\"\\u00e9\",\"a\":[1,2.5]}";
    CHECK(prova_json_parse(ptext, strlen(ptext), NULL, &payload, NULL) == 0);
    prova_ope_envelope_params p = {
        .payload_type = "t", .target_type = "u", .trace_id = "trace-1", .ts = "2026-01-02T03:04:05Z"};
    prova_buf env = PROVA_BUF_INIT, canon = PROVA_BUF_INIT;
    CHECK(prova_ope_envelope_pack(k, prova_doc_root(payload), &p, &env, NULL) == 0);
    CHECK(prova_canon_write(prova_doc_root(payload), PROVA_PROFILE_OPE, &canon, NULL) == 0);
    char want[2 * PROVA_HASH_MAX_BYTES + 1];
    CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, canon.data, canon.len, want) == 0);
    CHECK(prova_buf_append(&env, "", 1) == 0);
    prova_record_info info;
    prova_error err;
    CHECK(describe((const char *)env.data, &info, &err) == 0);
    CHECK_STR(info.kind, "ope_envelope");
    CHECK_STR(info.family_name, "ope");
    CHECK_STR(info.digest, want);
    CHECK_STR(info.id, "trace-1");
    CHECK_STR(info.time, "2026-01-02T03:04:05Z");
    char name[64];
    snprintf(name, sizeof name, "ope-envelope-%.16s", want);
    CHECK_STR(info.name, name);
    /* A cid that is not the payload's. */
    char *cid = strstr((char *)env.data, "\"cid\":\"sha256:");
    CHECK(cid != NULL);
    if (cid) {
        char *h = cid + strlen("\"cid\":\"sha256:");
        *h = *h == '0' ? '1' : '0';
        expect_refusal((const char *)env.data, "record_digest_mismatch", "/cid");
    }
    prova_buf_free(&env);
    prova_buf_free(&canon);
    prova_doc_free(payload);
    prova_key_free(k);
}

static void test_stated(void) {
    prova_record_info info;
    prova_error err;
    const char *h64 = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
    const char *lo64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char buf[2048];
    /* A receipt (bare hex; uppercase is lowered) and a lite receipt ("sha256:" prefix). */
    snprintf(buf, sizeof buf, "{\"receipt_hash\":\"%s\",\"trace_id\":\"t1\",\"hop\":0,\"ts\":\"2026-01-01T00:00:00Z\"}",
             h64);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.kind, "ope_receipt");
    CHECK_STR(info.digest, lo64);
    CHECK_STR(info.id, "t1");
    snprintf(buf, sizeof buf, "{\"receipt_hash\":\"sha256:%s\",\"trace_id\":\"t1\",\"ts\":1767225600000}", lo64);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.digest, lo64);
    CHECK_STR(info.time, "2026-01-01T00:00:00.000000+00:00");
    /* A chain: the head (last receipt) is the address. */
    snprintf(buf, sizeof buf,
             "[{\"receipt_hash\":\"%s\",\"trace_id\":\"t2\"},{\"receipt_hash\":\"%.63s1\",\"trace_id\":\"t2\"}]", lo64,
             lo64);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.kind, "ope_receipt_chain");
    CHECK(strncmp(info.digest, lo64, 63) == 0 && info.digest[63] == '1');
    snprintf(buf, sizeof buf,
             "[{\"receipt_hash\":\"%s\",\"trace_id\":\"t2\"},{\"receipt_hash\":\"xyz\",\"trace_id\":\"t2\"}]", lo64);
    expect_refusal(buf, "record_digest_invalid", "/1/receipt_hash");
    /* A bundle. */
    snprintf(buf, sizeof buf,
             "{\"bundle\":{\"trace_id\":\"t3\",\"exported_at\":\"2026-02-01T00:00:00Z\",\"receipts\":[]},"
             "\"bundle_cid\":\"sha256:%s\",\"signature\":\"s\",\"kid\":\"k\"}",
             lo64);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.kind, "ope_bundle");
    CHECK_STR(info.id, "t3");
    CHECK_STR(info.time, "2026-02-01T00:00:00Z");
    CHECK_STR(info.name, "ope-bundle-0011223344556677");
    snprintf(buf, sizeof buf, "{\"bundle\":{\"receipts\":[]},\"bundle_cid\":\"sha512:%s\"}", lo64);
    expect_refusal(buf, "record_digest_invalid", "/bundle_cid");
    /* OpenExecution: a resolved chain record (sha384 by name), a bundle, an open chain. */
    char h96[97];
    memset(h96, 'a', 96);
    h96[96] = '\0';
    snprintf(buf, sizeof buf,
             "{\"id\":\"c1\",\"events\":[],\"hash_algorithm\":\"sha384\",\"chain_hash\":\"%s\","
             "\"resolved_at\":\"2026-03-01T00:00:00.000Z\"}",
             h96);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.kind, "oe_chain");
    CHECK_STR(info.family_name, "oe");
    CHECK_STR(info.digest_alg, "sha384");
    CHECK_STR(info.digest, h96);
    CHECK_STR(info.id, "c1");
    CHECK_STR(info.time, "2026-03-01T00:00:00.000Z");
    snprintf(buf, sizeof buf, "{\"id\":\"c1\",\"events\":[],\"hash_algorithm\":\"sha3-256\",\"chain_hash\":\"%s\"}",
             lo64);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.digest_alg, "sha3_256");
    snprintf(buf, sizeof buf,
             "{\"certificate\":{\"issued_at\":\"2026-04-01T00:00:00.000Z\"},\"certificate_id\":\"cert-9\","
             "\"chain\":{\"id\":\"c1\",\"hash_algorithm\":\"sha256\",\"chain_hash\":\"%s\"},\"public_key\":\"pk\"}",
             lo64);
    CHECK(describe(buf, &info, &err) == 0);
    CHECK_STR(info.kind, "oe_bundle");
    CHECK_STR(info.id, "cert-9");
    CHECK_STR(info.time, "2026-04-01T00:00:00.000Z");
    CHECK_STR(info.digest, lo64);
    expect_refusal(
        "{\"id\":\"c1\",\"events\":[],\"hash_algorithm\":\"sha256\",\"chain_hash\":null,\"status\":\"open\"}",
        "record_not_resolved", "/chain_hash");
    expect_refusal("{\"id\":\"c1\",\"events\":[],\"hash_algorithm\":\"md5\",\"chain_hash\":\"00\"}",
                   "record_digest_invalid", "/hash_algorithm");
    snprintf(buf, sizeof buf, "{\"id\":\"c1\",\"events\":[],\"hash_algorithm\":\"sha384\",\"chain_hash\":\"%s\"}",
             lo64);
    expect_refusal(buf, "record_digest_invalid", "/chain_hash");
    expect_refusal("{\"certificate\":{},\"certificate_id\":\"x\",\"public_key\":\"pk\"}", "record_not_resolved",
                   "/chain");
    /* Not a record. */
    expect_refusal("{\"hello\":1}", "record_unknown_kind", "");
    expect_refusal("[]", "record_unknown_kind", "");
    expect_refusal("{\"payload\":[1],\"sig\":\"x\"}", "record_unknown_kind", "/payload");
    CHECK(prova_record_describe(NULL, &info, &err) == PROVA_EINVAL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_interop DATA_DIR\n");
        return 2;
    }
    test_proof(argv[1]);
    test_envelope();
    test_stated();
    TEST_SUMMARY();
}
