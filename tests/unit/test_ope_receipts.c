/* Unit tests for OPE v1 receipts, receipt chains and export bundles (src/lib/ope/receipt.c, bundle.c).
 *
 * Vectors: reference/odin.md §7.1 (ope-lib basic_vector.json bundle), §7.2 (starter odin_core, zero seed:
 * receipts hop 0 and hop 1, the starter bundle, the RFC §7.2 literal receipt) and §7.3 (lite receipts, global
 * chain). The full hop-1 receipt (its signature is not in odin.md) was cross-checked with Python's json.dumps and
 * cryptography's Ed25519.
 * Then: every built receipt, chain and bundle verifies; a tampering matrix (one field at a time, drop, reorder,
 * duplicate, splice, another key, unknown kid) where each case must fail with the expected reason code on the first
 * failing check; argument validation of both builders (nothing appended on failure).
 * Prints one line per failure and "N passed, M failed" last; exit status 0 only when nothing failed. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ope/ope_internal.h" /* internal helpers and verifiers (found through -Isrc/lib) */
#include "prova/crypto.h"
#include "prova/json.h"
#include "prova/ope.h"
#include "prova/report.h"
#include "report_query.h"

/* ---- Vectors ---------------------------------------------------------------------------------------------- */

#define TRACE      "11111111-1111-1111-1111-111111111111"
#define TS0        "2025-08-22T00:00:00+00:00"
#define TS1        "2025-08-22T00:00:01+00:00"
#define EXPORTED   "2025-08-22T00:00:05+00:00"
#define CID        "sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e"
#define KID0       "ed25519-139e3940e64b5491"
#define SIG0       "pL6_F2lb5BaO5NSbSYUAmordLjpKe0IUSQqv0xcAze3uTXPO-HOX26Z5rPJE_jmWub9N7ZNg0NawZCXTbf0hAA"
#define HASH0      "0704edfcddcdec0da5731d8bdb2d5af641ac04feb7420165660306cdca5d128f"
#define HASH1      "022de1a1a20d590edeb93b4f5d03a5bcbecd530d07fd5c2682ff40b67fc19366"
#define SIG1       "EOJ74WUs-FDGmYjDR3hYIt0TSOU46zfaezLiERydhOdt6olju6oVBEJDZNBZKEw4Vp1J38ht_lhQkQ3Wag6OAA"
#define BUNDLE_CID "sha256:35a554dbb9cbfbc5f23c387be85ab017ed045449e45471939f4775d49969e4a9"
#define BUNDLE_SIG "la0zoc1RYAH6AwJvyWQxBxWDOwmtATHi40cREq4bn-RE6xAPNTtj9d6HTArA5uD8dmTyoR9jIYzrMAdilLDKBA"

static const char R0[] =
    "{\"created_at\":\"" TS0 "\",\"gateway_kid\":\"" KID0 "\",\"hop\":0,\"normalized_cid\":\"" CID
    "\",\"policy\":{\"passed\":true,\"rules\":[]},\"policy_engine\":null,\"prev_receipt_hash\":null,"
    "\"receipt_hash\":\"" HASH0 "\",\"receipt_signature\":\"" SIG0 "\",\"request_cid\":\"" CID
    "\",\"trace_id\":\"" TRACE "\",\"ts\":\"" TS0 "\"}";
static const char R1[] =
    "{\"created_at\":\"" TS1 "\",\"gateway_kid\":\"" KID0 "\",\"hop\":1,\"normalized_cid\":\"" CID
    "\",\"policy\":{\"passed\":true,\"rules\":[]},\"policy_engine\":null,\"prev_receipt_hash\":\"" HASH0 "\","
    "\"receipt_hash\":\"" HASH1 "\",\"receipt_signature\":\"" SIG1 "\",\"request_cid\":\"" CID
    "\",\"trace_id\":\"" TRACE "\",\"ts\":\"" TS1 "\"}";

/* ope-lib tests/vectors/basic_vector.json (odin.md §7.1). */
static const char OPELIB_RECEIPTS[] = "[{\"hop\":0,\"prev_receipt_hash\":null,\"receipt_hash\":\"h0\"},"
                                      "{\"hop\":1,\"prev_receipt_hash\":\"h0\",\"receipt_hash\":\"h1\"}]";
#define OPELIB_CID "sha256:3b08bfd21932c602e2e2d1362106e95305d33d545a322c55a9ed053b5de46c2c"
#define OPELIB_SIG "is9ew2U4C2r6lN-kd39VwBuj-EQriY2hmjQybx6IpsovKl_z6zyZoX4FPaEK1XzqH2oZP4DU6cnUn4Oyn8noBA"

/* lite (odin.md §7.3). */
#define LITE_A_HASH "sha256:c92f1f8d16ca4a5aa1d47bd57088e97fab131054110039a3132ba57b9c205c5f"
#define LITE_B_HASH "sha256:8f1f00f22c6e2f94f7edfebfd4dd669afd03f80bf8ff5a31c913c1ffa5ec0074"
#define LITE_BODY(trace, prev)                                                                                         \
    "{\"hop\":0,\"normalized_cid\":\"sha256:93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588\","       \
    "\"payload_type\":\"vendor.event.v1\",\"policy\":{\"allowed\":true,\"engine\":\"HEL\",\"reason\":"                 \
    "\"no_forward_url\"},\"prev_receipt_hash\":" prev ",\"target_type\":\"canonical.event.v1\",\"trace_id\":\"" trace  \
    "\",\"ts\":\"2025-01-01T00:00:00+00:00\""
static const char LITE_A[] = LITE_BODY("trace-A", "null") ",\"receipt_hash\":\"" LITE_A_HASH "\"}";
static const char LITE_B[] = LITE_BODY("trace-B", "\"" LITE_A_HASH "\"") ",\"receipt_hash\":\"" LITE_B_HASH "\"}";

/* ---- Helpers ---------------------------------------------------------------------------------------------- */

static prova_key *gw;      /* zero seed */
static prova_key *gw2;     /* seed 0x01..: another gateway key */
static prova_keyset *ks;   /* the public half of gw */
static prova_keyset *ks2;  /* the public halves of gw and gw2 */
static prova_keyset *none; /* empty */

static prova_key *seed_key(uint8_t fill) {
    uint8_t seed[PROVA_ED25519_SEEDBYTES];
    memset(seed, fill, sizeof seed);
    prova_key *k = NULL;
    if (prova_key_from_ed25519_seed(seed, &k) != 0) {
        printf("cannot make a key\n");
        exit(2);
    }
    return k;
}

static prova_key *public_of(const prova_key *k) {
    uint8_t pk[64];
    prova_key *p = NULL;
    if (prova_key_public_raw(k, pk, sizeof pk) != PROVA_ED25519_PUBLICKEYBYTES ||
        prova_key_from_ed25519_public(pk, &p) != 0) {
        printf("cannot make a public key\n");
        exit(2);
    }
    return p;
}

static prova_doc *parse(const char *s, size_t n) {
    prova_doc *d = NULL;
    prova_error e;
    if (prova_json_parse(s, n, NULL, &d, &e) != 0) {
        printf("test JSON does not parse: %s at %zu: %.120s\n", e.reason, e.offset, s);
        exit(2);
    }
    return d;
}
static prova_doc *parse_str(const char *s) {
    return parse(s, strlen(s));
}

/* A NUL-terminated copy of a buffer (the caller frees). */
static char *buf_text(const prova_buf *b) {
    char *s = malloc(b->len + 1);
    if (!s) exit(2);
    memcpy(s, b->data, b->len);
    s[b->len] = '\0';
    return s;
}

/* s with the first occurrence of from replaced by to (the caller frees); exits when from is absent. */
static char *replace(const char *s, const char *from, const char *to) {
    const char *p = strstr(s, from);
    if (!p) {
        printf("test bug: '%s' not found\n", from);
        exit(2);
    }
    size_t a = (size_t)(p - s), fl = strlen(from), tl = strlen(to), n = strlen(s);
    char *o = malloc(n - fl + tl + 1);
    if (!o) exit(2);
    memcpy(o, s, a);
    memcpy(o + a, to, tl);
    memcpy(o + a + tl, p + fl, n - a - fl + 1);
    return o;
}

/* "[a,b,c...]" from NUL-terminated JSON texts (the caller frees). */
static char *array_of(const char *const *items, size_t n) {
    size_t len = 3;
    for (size_t i = 0; i < n; i++) len += strlen(items[i]) + 1;
    char *s = malloc(len);
    if (!s) exit(2);
    size_t k = 0;
    s[k++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i) s[k++] = ',';
        size_t l = strlen(items[i]);
        memcpy(s + k, items[i], l);
        k += l;
    }
    s[k++] = ']';
    s[k] = '\0';
    return s;
}

static prova_verify_options opts(const prova_keyset *keys) {
    prova_verify_options o = {0};
    o.keys = keys;
    o.no_skew = true;
    return o;
}

enum what { RECEIPT, CHAIN, BUNDLE };

/* Verifies a JSON text as a receipt, a chain or a bundle. The caller frees the report. */
static prova_report *verify_text(enum what w, const char *json, const prova_keyset *keys) {
    prova_doc *d = parse_str(json);
    prova_report *r = prova_report_new("test");
    prova_verify_options o = opts(keys);
    int rc = w == RECEIPT ? prova__ope_verify_receipt(prova_doc_root(d), "", &o, r)
             : w == CHAIN ? prova__ope_verify_chain(prova_doc_root(d), "", &o, r)
                          : prova__ope_verify_bundle(prova_doc_root(d), &o, r);
    if (rc != 0) {
        printf("verifier returned %d\n", rc);
        exit(2);
    }
    prova_doc_free(d);
    return r;
}

static const char *first_code(const prova_report *r) {
    const prova_check *c = prova_report_first_failure(r);
    return c ? c->code : "ok";
}

static const char *first_check(const prova_report *r) {
    const prova_check *c = prova_report_first_failure(r);
    return c ? c->check : "";
}

static const char *first_at(const prova_report *r) {
    const prova_check *c = prova_report_first_failure(r);
    return c ? c->at : "";
}

/* The code of the check named name, or "" when there is none. */
static const char *code_of(const prova_report *r, const char *name) {
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (strcmp(c->check, name) == 0) return c->code;
    }
    return "";
}

/* Verifies and expects invalid with this first failing code (and, when given, check name). */
#define EXPECT_FAIL(w, json, keys, code, check)                                                                        \
    do {                                                                                                               \
        prova_report *rep_ = verify_text((w), (json), (keys));                                                         \
        CHECK(!prova_report_valid(rep_));                                                                              \
        CHECK_STR(first_code(rep_), (code));                                                                           \
        if ((check)[0]) CHECK_STR(first_check(rep_), (check));                                                         \
        prova_report_free(rep_);                                                                                       \
    } while (0)

#define EXPECT_VALID(w, json, keys)                                                                                    \
    do {                                                                                                               \
        prova_report *rep_ = verify_text((w), (json), (keys));                                                         \
        CHECK_MSG(prova_report_valid(rep_), "first failure %s (%s)", first_check(rep_), first_code(rep_));             \
        prova_report_free(rep_);                                                                                       \
    } while (0)

static prova_ope_receipt_params params(const char *trace, const char *ts) {
    prova_ope_receipt_params p = {0};
    p.trace_id = trace;
    p.ts = ts;
    p.request_cid = CID;
    return p;
}

/* Builds a receipt (prev given as JSON text or NULL); returns its text (the caller frees). */
static char *build_receipt(const prova_key *key, const char *prev_json, const char *trace, const char *ts) {
    prova_doc *pd = prev_json ? parse_str(prev_json) : NULL;
    prova_ope_receipt_params p = params(trace, ts);
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    int rc = prova_ope_receipt_build(key, pd ? prova_doc_root(pd) : NULL, &p, &b, &e);
    if (rc != 0) {
        printf("prova_ope_receipt_build: %d %s\n", rc, e.reason);
        exit(2);
    }
    char *s = buf_text(&b);
    prova_buf_free(&b);
    prova_doc_free(pd);
    return s;
}

/* Builds a bundle from a JSON array text; returns its text (the caller frees). */
static char *build_bundle_at(const prova_key *key, const char *trace, const char *exported, const char *array_json,
                             prova_ope_bundle_form form) {
    prova_doc *d = parse_str(array_json);
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    int rc = prova_ope_bundle_build(key, trace, exported, prova_doc_root(d), form, &b, &e);
    if (rc != 0) {
        printf("prova_ope_bundle_build: %d %s\n", rc, e.reason);
        exit(2);
    }
    char *s = buf_text(&b);
    prova_buf_free(&b);
    prova_doc_free(d);
    return s;
}

static char *build_bundle(const prova_key *key, const char *trace, const char *array_json, prova_ope_bundle_form form) {
    return build_bundle_at(key, trace, EXPORTED, array_json, form);
}

/* A starter bundle document around an inner bundle text, with a correct bundle_cid and signature by key: lets a
 * test reach the checks that come after the CID and the signature. */
static char *sign_inner(const prova_key *key, const char *inner) {
    prova_doc *d = parse_str(inner);
    const prova_json *b = prova_doc_root(d);
    char cid[OPE_CID_LEN + 1], sig[OPE_SIG_B64_LEN + 1];
    if (prova__ope_cid(b, cid, NULL) != 0) exit(2);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s|%s|%s", cid, prova_json_str(prova_json_get(b, "trace_id")),
             prova_json_str(prova_json_get(b, "exported_at")));
    if (prova__ope_sign_b64(key, msg, strlen(msg), sig) != 0) exit(2);
    size_t n = strlen(inner) + 300;
    char *s = malloc(n);
    if (!s) exit(2);
    snprintf(s, n, "{\"bundle\":%s,\"bundle_cid\":\"%s\",\"bundle_signature\":\"%s\"}", inner, cid, sig);
    prova_doc_free(d);
    return s;
}

/* The inner bundle object of a bundle text (the caller frees). */
static char *inner_of(const char *bundle_json) {
    prova_doc *d = parse_str(bundle_json);
    prova_buf b = PROVA_BUF_INIT;
    if (prova_canon_write(prova_json_get(prova_doc_root(d), "bundle"), PROVA_PROFILE_OPE, &b, NULL) != 0) exit(2);
    char *s = buf_text(&b);
    prova_buf_free(&b);
    prova_doc_free(d);
    return s;
}

/* ---- Vectors ---------------------------------------------------------------------------------------------- */

static void test_vectors_starter(void) {
    CHECK_STR(prova_key_kid(gw), KID0);
    char *r0 = build_receipt(gw, NULL, TRACE, TS0);
    CHECK_STR(r0, R0); /* odin.md §7.2: receipt_signature and receipt_hash, byte for byte */
    char *r1 = build_receipt(gw, r0, TRACE, TS1);
    CHECK_STR(r1, R1); /* hop 1, prev = hop 0 */

    /* The starter bundle of both (odin.md §7.2). */
    const char *items[] = {R0, R1};
    char *arr = array_of(items, 2);
    char *bundle = build_bundle(gw, TRACE, arr, PROVA_OPE_BUNDLE_STARTER);
    size_t n = strlen(R0) + strlen(R1) + 600;
    char *want = malloc(n);
    if (!want) exit(2);
    snprintf(want, n,
             "{\"bundle\":{\"chain_valid\":true,\"count\":2,\"exported_at\":\"" EXPORTED "\",\"gateway_kid\":\"" KID0
             "\",\"receipts\":%s,\"trace_id\":\"" TRACE "\"},\"bundle_cid\":\"" BUNDLE_CID
             "\",\"bundle_signature\":\"" BUNDLE_SIG "\"}",
             arr);
    CHECK_STR(bundle, want);
    free(want);

    /* Everything verifies with the trusted public key, and the report says which key. */
    EXPECT_VALID(RECEIPT, r0, ks);
    EXPECT_VALID(RECEIPT, r1, ks);
    EXPECT_VALID(CHAIN, arr, ks);
    prova_report *rep = verify_text(BUNDLE, bundle, ks);
    CHECK(prova_report_valid(rep));
    CHECK_STR(code_of(rep, "bundle.cid"), "ok");
    CHECK_STR(code_of(rep, "bundle.signature"), "ok");
    CHECK_STR(code_of(rep, "receipt[1].link"), "ok");
    CHECK_STR(code_of(rep, "receipt[1].hop"), "ok");
    CHECK_STR(code_of(rep, "bundle.chain_valid"), "ok");
    CHECK(prova_report_warning_count(rep) == 0);
    prova_buf js = PROVA_BUF_INIT;
    CHECK(prova_report_to_json(rep, &js) == 0);
    char *jt = buf_text(&js);
    CHECK(strstr(jt, "\"keys\":[{\"kid\":\"" KID0 "\",\"source\":\"test\"}]") != NULL);
    free(jt);
    prova_buf_free(&js);
    prova_report_free(rep);

    /* A single receipt's checks and pointers. */
    rep = verify_text(RECEIPT, r0, ks);
    CHECK(prova_report_check_count(rep) == 3);
    CHECK_STR(code_of(rep, "receipt.schema"), "ok");
    CHECK_STR(code_of(rep, "receipt.hash"), "ok");
    CHECK_STR(code_of(rep, "receipt.signature"), "ok");
    CHECK_STR(prova_report_check_at(rep, 2)->at, "/receipt_signature");
    prova_report_free(rep);

    /* The same bundle in ope-lib form verifies too (full receipts: verified as a chain). */
    char *ob = build_bundle(gw, TRACE, arr, PROVA_OPE_BUNDLE_OPE_LIB);
    CHECK(strncmp(ob, "{\"bundle\":{\"exported_at\":", 24) == 0);
    CHECK(strstr(ob, "\"kid\":\"" KID0 "\",\"signature\":\"") != NULL);
    rep = verify_text(BUNDLE, ob, ks);
    CHECK(prova_report_valid(rep));
    CHECK_STR(code_of(rep, "receipt[0].signature"), "ok");
    CHECK(has_warning(rep, "unauthenticated_fields")); /* "kid" only selects the key */
    prova_report_free(rep);
    free(ob);

    free(bundle);
    free(arr);
    free(r1);
    free(r0);
}

static void test_vector_rfc_literal(void) {
    /* seed 003 §7.2: hashing strips receipt_signature (and receipt_hash). */
    static const char lit[] = "{\"trace_id\":\"t\",\"hop\":0,\"ts\":\"T\",\"created_at\":\"T\",\"gateway_kid\":\"k\","
                              "\"request_cid\":\"sha256:aaa\",\"normalized_cid\":\"sha256:bbb\",\"policy\":{},"
                              "\"prev_receipt_hash\":null}";
    static const char with[] = "{\"trace_id\":\"t\",\"hop\":0,\"ts\":\"T\",\"created_at\":\"T\",\"gateway_kid\":\"k\","
                               "\"request_cid\":\"sha256:aaa\",\"normalized_cid\":\"sha256:bbb\",\"policy\":{},"
                               "\"prev_receipt_hash\":null,\"receipt_signature\":\"IGNORED\",\"receipt_hash\":\"x\"}";
    static const char *const skip[] = {"receipt_signature", "receipt_hash"};
    const char *texts[] = {lit, with};
    for (size_t i = 0; i < 2; i++) {
        prova_doc *d = parse_str(texts[i]);
        prova_buf b = PROVA_BUF_INIT;
        CHECK(prova__canon_without(prova_doc_root(d), skip, 2, &b) == 0);
        char hex[2 * PROVA_SHA256_BYTES + 1];
        prova__sha256_hex(b.data, b.len, hex);
        CHECK_STR(hex, "69d7dc6bc8b3bfd5b0038c023ea127d0f6c8ee2e82b25d3f47fa6d31f3372367");
        prova_buf_free(&b);
        prova_doc_free(d);
    }
}

static void test_vector_opelib(void) {
    /* odin.md §7.1: ope-lib's dict as given; prova carries the detached signature and the kid beside it. */
    char *b =
        build_bundle_at(gw, "trace-test-1", "2025-01-01T00:00:05+00:00", OPELIB_RECEIPTS, PROVA_OPE_BUNDLE_OPE_LIB);
    CHECK_STR(b, "{\"bundle\":{\"exported_at\":\"2025-01-01T00:00:05+00:00\",\"receipts\":[{\"hop\":0,"
                 "\"prev_receipt_hash\":null,\"receipt_hash\":\"h0\"},{\"hop\":1,\"prev_receipt_hash\":\"h0\","
                 "\"receipt_hash\":\"h1\"}],\"trace_id\":\"trace-test-1\"},\"bundle_cid\":\"" OPELIB_CID
                 "\",\"kid\":\"" KID0 "\",\"signature\":\"" OPELIB_SIG "\"}");
    prova_report *rep = verify_text(BUNDLE, b, ks);
    CHECK_MSG(prova_report_valid(rep), "%s %s", first_check(rep), first_code(rep));
    CHECK(has_warning(rep, "receipt_hashes_opaque"));
    CHECK_STR(code_of(rep, "receipt[1].link"), "ok");
    prova_report_free(rep);

    /* Tampered content, a detached kid left out, a wrong signature. */
    char *t = replace(b, "\"receipt_hash\":\"h1\"", "\"receipt_hash\":\"h2\"");
    EXPECT_FAIL(BUNDLE, t, ks, "bundle_cid_mismatch", "bundle.cid");
    free(t);
    t = replace(b, ",\"kid\":\"" KID0 "\"", "");
    EXPECT_FAIL(BUNDLE, t, ks, "kid_not_found", "bundle.signature");
    free(t);
    t = replace(b, "\"signature\":\"is9e", "\"signature\":\"js9e");
    EXPECT_FAIL(BUNDLE, t, ks, "bundle_signature_invalid", "bundle.signature");
    free(t);

    /* Signed bundles whose opaque receipts do not link or skip a hop (what ope-lib's verifier rejects). */
    t = build_bundle_at(gw, "trace-test-1", "2025-01-01T00:00:05+00:00",
                        "[{\"hop\":0,\"prev_receipt_hash\":null,\"receipt_hash\":\"h0\"},"
                        "{\"hop\":1,\"prev_receipt_hash\":\"hX\",\"receipt_hash\":\"h1\"}]",
                        PROVA_OPE_BUNDLE_OPE_LIB);
    EXPECT_FAIL(BUNDLE, t, ks, "chain_broken", "receipt[1].link");
    free(t);
    t = build_bundle_at(gw, "trace-test-1", "2025-01-01T00:00:05+00:00",
                        "[{\"hop\":0,\"prev_receipt_hash\":\"\",\"receipt_hash\":\"h0\"},"
                        "{\"hop\":2,\"prev_receipt_hash\":\"h0\",\"receipt_hash\":\"h1\"}]",
                        PROVA_OPE_BUNDLE_OPE_LIB);
    EXPECT_FAIL(BUNDLE, t, ks, "hop_mismatch", "receipt[1].hop");
    free(t);
    t = build_bundle_at(gw, "trace-test-1", "2025-01-01T00:00:05+00:00",
                        "[{\"hop\":0,\"prev_receipt_hash\":\"\",\"receipt_hash\":\"h0\"}]", PROVA_OPE_BUNDLE_OPE_LIB);
    EXPECT_VALID(BUNDLE, t, ks); /* ope-lib: "" for the first prev_receipt_hash */
    free(t);
    t = build_bundle_at(gw, "trace-test-1", "2025-01-01T00:00:05+00:00", "[{\"hop\":0,\"receipt_hash\":\"h0\"}]",
                        PROVA_OPE_BUNDLE_OPE_LIB);
    EXPECT_FAIL(BUNDLE, t, ks, "schema_error", "receipt[0].schema");
    free(t);
    free(b);
}

static void test_lite(void) {
    const char *items[] = {LITE_A, LITE_B};
    char *arr = array_of(items, 2);
    prova_report *rep = verify_text(CHAIN, arr, NULL);
    CHECK_MSG(prova_report_valid(rep), "%s %s", first_check(rep), first_code(rep));
    CHECK_STR(code_of(rep, "receipt[0].hash"), "ok");
    CHECK_STR(code_of(rep, "receipt[1].hash"), "ok");
    CHECK_STR(code_of(rep, "receipt[1].link"), "ok");
    CHECK_STR(code_of(rep, "receipt[0].signature"), ""); /* nothing to verify */
    CHECK(prova_report_warning_count(rep) == 2);
    CHECK(has_warning(rep, "unsigned"));
    prova_report_free(rep);
    free(arr);

    rep = verify_text(RECEIPT, LITE_A, NULL);
    CHECK(prova_report_valid(rep));
    CHECK(has_warning(rep, "unsigned"));
    prova_report_free(rep);

    /* A lite export of one trace starts in the middle of the global chain; reordered; tampered. */
    const char *onlyb[] = {LITE_B};
    arr = array_of(onlyb, 1);
    EXPECT_FAIL(CHAIN, arr, NULL, "chain_broken", "receipt[0].link");
    free(arr);
    const char *ba[] = {LITE_B, LITE_A};
    arr = array_of(ba, 2);
    EXPECT_FAIL(CHAIN, arr, NULL, "chain_broken", "receipt[0].link");
    free(arr);
    char *t = replace(LITE_A, "\"allowed\":true", "\"allowed\":false");
    EXPECT_FAIL(RECEIPT, t, NULL, "receipt_hash_mismatch", "receipt.hash");
    free(t);
    t = replace(LITE_A, "\"hop\":0", "\"hop\":0,\"receipt_signature\":\"AAAA\"");
    EXPECT_FAIL(RECEIPT, t, ks, "schema_error", "receipt.schema");
    free(t);
    /* A chain does not mix signed and lite receipts. */
    const char *mixed[] = {R0, LITE_A};
    arr = array_of(mixed, 2);
    EXPECT_FAIL(CHAIN, arr, ks, "schema_error", "receipt[1].schema");
    free(arr);
}

/* Recomputes a receipt text's receipt_hash after tampering (the attacker's next move); the caller frees. */
static char *rehash(const char *receipt, const char *old_hash) {
    static const char *const skip[] = {"receipt_signature", "receipt_hash"};
    prova_doc *d = parse_str(receipt);
    prova_buf b = PROVA_BUF_INIT;
    if (prova__canon_without(prova_doc_root(d), skip, 2, &b) != 0) exit(2);
    char hex[2 * PROVA_SHA256_BYTES + 1];
    prova__sha256_hex(b.data, b.len, hex);
    prova_buf_free(&b);
    prova_doc_free(d);
    return replace(receipt, old_hash, hex);
}

static void test_receipt_tampering(void) {
    static const struct {
        const char *from, *to, *code, *check;
    } cases[] = {
        {"\"trace_id\":\"1111", "\"trace_id\":\"2111", "receipt_hash_mismatch", "receipt.hash"},
        {"\"hop\":1", "\"hop\":2", "receipt_hash_mismatch", "receipt.hash"},
        {"\"ts\":\"2025-08-22T00:00:01", "\"ts\":\"2025-08-22T00:00:02", "receipt_hash_mismatch", "receipt.hash"},
        {"\"created_at\":\"2025-08-22T00:00:01", "\"created_at\":\"2025-08-22T00:00:09", "receipt_hash_mismatch",
         "receipt.hash"},
        {"\"gateway_kid\":\"ed25519-139e", "\"gateway_kid\":\"ed25519-139f", "receipt_hash_mismatch", "receipt.hash"},
        {"\"request_cid\":\"sha256:cbb4", "\"request_cid\":\"sha256:dbb4", "receipt_hash_mismatch", "receipt.hash"},
        {"\"normalized_cid\":\"sha256:cbb4", "\"normalized_cid\":\"sha256:cbb5", "receipt_hash_mismatch",
         "receipt.hash"},
        {"\"passed\":true", "\"passed\":false", "receipt_hash_mismatch", "receipt.hash"},
        {"\"rules\":[]", "\"rules\":[{}]", "receipt_hash_mismatch", "receipt.hash"},
        {"\"policy_engine\":null", "\"policy_engine\":\"rego\"", "receipt_hash_mismatch", "receipt.hash"},
        {",\"policy_engine\":null", "", "receipt_hash_mismatch", "receipt.hash"},
        {"{\"created_at\"", "{\"a\":1,\"created_at\"", "receipt_hash_mismatch", "receipt.hash"},
        {"\"prev_receipt_hash\":\"0704", "\"prev_receipt_hash\":\"1704", "receipt_hash_mismatch", "receipt.hash"},
        {"\"prev_receipt_hash\":\"" HASH0 "\"", "\"prev_receipt_hash\":null", "receipt_hash_mismatch", "receipt.hash"},
        {"\"receipt_hash\":\"022d", "\"receipt_hash\":\"122d", "receipt_hash_mismatch", "receipt.hash"},
        {"\"receipt_signature\":\"EOJ7", "\"receipt_signature\":\"FOJ7", "receipt_signature_invalid",
         "receipt.signature"},
        {"\"receipt_signature\":\"EOJ7", "\"receipt_signature\":\"E*J7", "receipt_signature_invalid",
         "receipt.signature"},
        {"\"receipt_signature\":\"" SIG1 "\"", "\"receipt_signature\":\"" SIG0 "\"", "receipt_signature_invalid",
         "receipt.signature"},
        /* schema */
        {"\"hop\":1", "\"hop\":\"1\"", "schema_error", "receipt.schema"},
        {"\"hop\":1", "\"hop\":1.0", "schema_error", "receipt.schema"},
        {"\"hop\":1", "\"hop\":-1", "schema_error", "receipt.schema"},
        {"\"hop\":1", "\"hop\":99999999999999999999", "schema_error", "receipt.schema"},
        {"\"receipt_hash\":\"022de1a1", "\"receipt_hash\":\"022DE1A1", "schema_error", "receipt.schema"},
        {"\"receipt_hash\":\"022d", "\"receipt_hash\":\"sha256:022d", "schema_error", "receipt.schema"},
        {"\"receipt_hash\":\"" HASH1 "\"", "\"receipt_hash\":\"" HASH1 "0\"", "schema_error", "receipt.schema"},
        {"\"receipt_hash\":\"" HASH1 "\",", "", "schema_error", "receipt.schema"},
        {",\"receipt_signature\":\"" SIG1 "\"", "", "schema_error", "receipt.schema"},
        {"\"gateway_kid\":\"" KID0 "\"", "\"gateway_kid\":7", "schema_error", "receipt.schema"},
        {"\"prev_receipt_hash\":\"" HASH0 "\",", "", "schema_error", "receipt.schema"},
        {"\"prev_receipt_hash\":\"" HASH0 "\"", "\"prev_receipt_hash\":1", "schema_error", "receipt.schema"},
        {"\"trace_id\":\"" TRACE "\"", "\"trace_id\":\"\"", "schema_error", "receipt.schema"},
        {"\"ts\":\"" TS1 "\"", "\"ts\":1", "schema_error", "receipt.schema"},
    };
    EXPECT_VALID(RECEIPT, R1, ks);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = replace(R1, cases[i].from, cases[i].to);
        prova_report *rep = verify_text(RECEIPT, t, ks);
        CHECK_MSG(!prova_report_valid(rep), "case %zu (%s) verified", i, cases[i].to);
        CHECK_MSG(strcmp(first_code(rep), cases[i].code) == 0 && strcmp(first_check(rep), cases[i].check) == 0,
                  "case %zu (%s -> %s): first failure %s %s, want %s %s", i, cases[i].from, cases[i].to,
                  first_check(rep), first_code(rep), cases[i].check, cases[i].code);
        prova_report_free(rep);
        free(t);
    }
    /* A tampered gateway_kid also names the unknown kid at the signature. */
    char *t = replace(R1, "\"gateway_kid\":\"ed25519-139e", "\"gateway_kid\":\"ed25519-139f");
    prova_report *rep = verify_text(RECEIPT, t, ks);
    CHECK_STR(code_of(rep, "receipt.signature"), "kid_not_found");
    CHECK_STR(first_at(rep), "/receipt_hash");
    prova_report_free(rep);
    free(t);
    /* Tampered and re-hashed: the hash now matches, the signature does not. */
    static const char *const rehash_from[] = {"\"trace_id\":\"1111", "\"hop\":1", "\"passed\":true",
                                              "\"prev_receipt_hash\":\"0704"};
    static const char *const rehash_to[] = {"\"trace_id\":\"2111", "\"hop\":3", "\"passed\":false",
                                            "\"prev_receipt_hash\":\"1704"};
    for (size_t i = 0; i < 4; i++) {
        char *a = replace(R1, rehash_from[i], rehash_to[i]);
        char *b = rehash(a, HASH1);
        prova_report *rp = verify_text(RECEIPT, b, ks);
        CHECK_STR(code_of(rp, "receipt.hash"), "ok");
        CHECK_STR(first_code(rp), "receipt_signature_invalid");
        prova_report_free(rp);
        free(b);
        free(a);
    }
    /* Not a receipt at all. */
    EXPECT_FAIL(RECEIPT, "[]", ks, "schema_error", "receipt.schema");
    EXPECT_FAIL(RECEIPT, "{}", ks, "schema_error", "receipt.schema");
    rep = prova_report_new("test");
    prova_verify_options o = opts(ks);
    CHECK(prova__ope_verify_receipt(NULL, "", &o, rep) == 0);
    CHECK_STR(first_code(rep), "schema_error");
    prova_report_free(rep);
    /* A pointer prefix is carried into every check. */
    prova_doc *d = parse_str(R1);
    rep = prova_report_new("test");
    CHECK(prova__ope_verify_receipt(prova_doc_root(d), "/receipt", &o, rep) == 0);
    CHECK(prova_report_valid(rep));
    CHECK_STR(prova_report_check_at(rep, 1)->at, "/receipt/receipt_hash");
    prova_report_free(rep);
    prova_doc_free(d);
}

static void test_keys(void) {
    /* Unknown kid: no keyset, an empty keyset, a keyset without it. */
    EXPECT_FAIL(RECEIPT, R0, NULL, "kid_not_found", "receipt.signature");
    EXPECT_FAIL(RECEIPT, R0, none, "kid_not_found", "receipt.signature");
    char *other = build_receipt(gw2, NULL, TRACE, TS0);
    EXPECT_FAIL(RECEIPT, other, ks, "kid_not_found", "receipt.signature");
    EXPECT_VALID(RECEIPT, other, ks2);

    /* Another key claiming the trusted kid. */
    prova_key *impostor = seed_key(0x42);
    CHECK(prova_key_set_kid(impostor, KID0) == 0);
    char *fake = build_receipt(impostor, NULL, TRACE, TS0);
    CHECK(strstr(fake, "\"gateway_kid\":\"" KID0 "\"") != NULL);
    EXPECT_FAIL(RECEIPT, fake, ks, "receipt_signature_invalid", "receipt.signature");
    /* ... also in a bundle: the receipts are genuine, the bundle signature is not. */
    const char *items[] = {R0, R1};
    char *arr = array_of(items, 2);
    char *fb = build_bundle(impostor, TRACE, arr, PROVA_OPE_BUNDLE_STARTER);
    EXPECT_FAIL(BUNDLE, fb, ks, "bundle_signature_invalid", "bundle.signature");
    free(fb);

    /* A trusted key of another algorithm under the kid. */
    prova_key *ec = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ECDSA_P256, &ec) == 0);
    CHECK(prova_key_set_kid(ec, KID0) == 0);
    prova_keyset *eks = prova_keyset_new();
    CHECK(prova_keyset_add(eks, ec, "ec") == 0);
    EXPECT_FAIL(RECEIPT, R0, eks, "receipt_signature_invalid", "receipt.signature");
    prova_keyset_free(eks);

    /* Key rotation inside a trace: each receipt verifies with its own gateway_kid. */
    char *rot1 = build_receipt(gw2, R0, TRACE, TS1);
    const char *rot[] = {R0, rot1};
    char *rarr = array_of(rot, 2);
    prova_report *rep = verify_text(CHAIN, rarr, ks2);
    CHECK_MSG(prova_report_valid(rep), "%s %s", first_check(rep), first_code(rep));
    prova_buf js = PROVA_BUF_INIT;
    CHECK(prova_report_to_json(rep, &js) == 0);
    char *jt = buf_text(&js);
    CHECK(strstr(jt, KID0) != NULL && strstr(jt, prova_key_kid(gw2)) != NULL);
    free(jt);
    prova_buf_free(&js);
    prova_report_free(rep);
    EXPECT_FAIL(CHAIN, rarr, ks, "kid_not_found", "receipt[1].signature");
    char *rb = build_bundle(gw2, TRACE, rarr, PROVA_OPE_BUNDLE_STARTER);
    EXPECT_VALID(BUNDLE, rb, ks2);
    EXPECT_FAIL(BUNDLE, rb, ks, "kid_not_found", "bundle.signature");
    free(rb);

    free(rarr);
    free(rot1);
    free(arr);
    free(fake);
    prova_key_free(impostor);
    free(other);
}

static void test_chain(void) {
    char *r0 = build_receipt(gw, NULL, TRACE, TS0);
    char *r1 = build_receipt(gw, r0, TRACE, TS1);
    char *r2 = build_receipt(gw, r1, TRACE, "2025-08-22T00:00:02+00:00");
    CHECK(strstr(r2, "\"hop\":2") != NULL);
    CHECK(strstr(r2, "\"prev_receipt_hash\":\"" HASH1 "\"") != NULL);
    /* Another trace, and another branch of the same trace. */
    char *o0 = build_receipt(gw, NULL, "22222222-2222-2222-2222-222222222222", TS0);
    char *o1 = build_receipt(gw, o0, "22222222-2222-2222-2222-222222222222", TS1);
    char *b0 = build_receipt(gw, NULL, TRACE, "2025-08-22T00:00:00.5+00:00");
    char *b1 = build_receipt(gw, b0, TRACE, TS1);

    static const struct {
        const char *items[3];
        size_t n;
        const char *code, *check;
    } cases[] = {
        {{"r0", "r1", "r2"}, 3, "ok", ""},
        {{"r0", "r1"}, 2, "ok", ""}, /* a prefix is a chain; truncation shows only against a signed count */
        {{"r1", "r2"}, 2, "hop_mismatch", "receipt[0].hop"},
        {{"r0", "r2"}, 2, "hop_mismatch", "receipt[1].hop"},
        {{"r0", "r2", "r1"}, 3, "hop_mismatch", "receipt[1].hop"},
        {{"r1", "r0", "r2"}, 3, "hop_mismatch", "receipt[0].hop"},
        {{"r0", "r0", "r1"}, 3, "hop_mismatch", "receipt[1].hop"},
        {{"r0", "r1", "r1"}, 3, "hop_mismatch", "receipt[2].hop"},
        {{"r0", "o1"}, 2, "chain_broken", "receipt[1].trace"},
        {{"o0", "r1"}, 2, "chain_broken", "receipt[1].trace"},
        {{"r0", "b1"}, 2, "chain_broken", "receipt[1].link"},
        {{"b0", "r1", "r2"}, 3, "chain_broken", "receipt[1].link"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *items[3];
        for (size_t k = 0; k < cases[i].n; k++) {
            const char *name = cases[i].items[k];
            items[k] = !strcmp(name, "r0")   ? r0
                       : !strcmp(name, "r1") ? r1
                       : !strcmp(name, "r2") ? r2
                       : !strcmp(name, "o0") ? o0
                       : !strcmp(name, "o1") ? o1
                       : !strcmp(name, "b0") ? b0
                                             : b1;
        }
        char *arr = array_of(items, cases[i].n);
        prova_report *rep = verify_text(CHAIN, arr, ks);
        CHECK_MSG(prova_report_valid(rep) == (strcmp(cases[i].code, "ok") == 0), "chain case %zu", i);
        CHECK_MSG(strcmp(first_code(rep), cases[i].code) == 0 && strcmp(first_check(rep), cases[i].check) == 0,
                  "chain case %zu: first failure %s %s, want %s %s", i, first_check(rep), first_code(rep),
                  cases[i].check, cases[i].code);
        prova_report_free(rep);
        free(arr);
    }

    /* Tampering inside a chain is found at its own receipt, and a changed hash also breaks the next link. */
    char *t1 = replace(r1, "\"ts\":\"2025-08-22T00:00:01", "\"ts\":\"2025-08-22T00:00:03");
    const char *a[] = {r0, t1, r2};
    char *arr = array_of(a, 3);
    prova_report *rep = verify_text(CHAIN, arr, ks);
    CHECK_STR(first_check(rep), "receipt[1].hash");
    CHECK_STR(first_code(rep), "receipt_hash_mismatch");
    CHECK_STR(first_at(rep), "/1/receipt_hash");
    CHECK_STR(code_of(rep, "receipt[2].link"), "ok");
    prova_report_free(rep);
    free(arr);
    free(t1);
    t1 = replace(r1, "\"receipt_hash\":\"022d", "\"receipt_hash\":\"122d");
    a[1] = t1;
    arr = array_of(a, 3);
    rep = verify_text(CHAIN, arr, ks);
    CHECK_STR(first_code(rep), "receipt_hash_mismatch");
    CHECK_STR(code_of(rep, "receipt[2].link"), "chain_broken");
    prova_report_free(rep);
    free(arr);
    free(t1);
    /* The first receipt of a long chain is checked too (link by link, not just the last). */
    char *t0 = replace(r0, "\"passed\":true", "\"passed\":false");
    a[0] = t0;
    a[1] = r1;
    arr = array_of(a, 3);
    EXPECT_FAIL(CHAIN, arr, ks, "receipt_hash_mismatch", "receipt[0].hash");
    free(arr);
    free(t0);

    /* Not a chain. */
    EXPECT_FAIL(CHAIN, "[]", ks, "schema_error", "chain.schema");
    EXPECT_FAIL(CHAIN, "{}", ks, "schema_error", "chain.schema");
    EXPECT_FAIL(CHAIN, "[1]", ks, "schema_error", "receipt[0].schema");

    /* Pointers under a prefix. */
    const char *two[] = {r0, r1};
    arr = array_of(two, 2);
    prova_doc *d = parse_str(arr);
    rep = prova_report_new("test");
    prova_verify_options o = opts(ks);
    CHECK(prova__ope_verify_chain(prova_doc_root(d), "/bundle/receipts", &o, rep) == 0);
    CHECK(prova_report_valid(rep));
    bool seen = false;
    for (size_t i = 0; i < prova_report_check_count(rep); i++) {
        const prova_check *c = prova_report_check_at(rep, i);
        if (!strcmp(c->check, "receipt[1].link")) seen = !strcmp(c->at, "/bundle/receipts/1/prev_receipt_hash");
    }
    CHECK(seen);
    prova_report_free(rep);
    prova_doc_free(d);
    free(arr);

    free(b1);
    free(b0);
    free(o1);
    free(o0);
    free(r2);
    free(r1);
    free(r0);
}

static void test_bundle_tampering(void) {
    const char *items[] = {R0, R1};
    char *arr = array_of(items, 2);
    char *b = build_bundle(gw, TRACE, arr, PROVA_OPE_BUNDLE_STARTER);
    EXPECT_VALID(BUNDLE, b, ks);

    static const struct {
        const char *from, *to, *code, *check;
    } cases[] = {
        {"\"trace_id\":\"" TRACE "\"},", "\"trace_id\":\"21111111-1111-1111-1111-111111111111\"},",
         "bundle_cid_mismatch", "bundle.cid"},
        {"\"exported_at\":\"" EXPORTED "\"", "\"exported_at\":\"2025-08-22T00:00:06+00:00\"", "bundle_cid_mismatch",
         "bundle.cid"},
        {"\"gateway_kid\":\"" KID0 "\",\"receipts\"", "\"gateway_kid\":\"ed25519-0000000000000000\",\"receipts\"",
         "bundle_cid_mismatch", "bundle.cid"},
        {"\"chain_valid\":true", "\"chain_valid\":false", "bundle_cid_mismatch", "bundle.cid"},
        {"\"count\":2", "\"count\":3", "bundle_cid_mismatch", "bundle.cid"},
        {"\"hop\":1", "\"hop\":5", "bundle_cid_mismatch", "bundle.cid"},
        {"\"receipt_signature\":\"EOJ7", "\"receipt_signature\":\"FOJ7", "bundle_cid_mismatch", "bundle.cid"},
        {"{\"bundle\":{", "{\"bundle\":{\"extra\":1,", "bundle_cid_mismatch", "bundle.cid"},
        {"\"bundle_cid\":\"sha256:35a5", "\"bundle_cid\":\"sha256:45a5", "bundle_cid_mismatch", "bundle.cid"},
        {"\"bundle_signature\":\"la0z", "\"bundle_signature\":\"ma0z", "bundle_signature_invalid", "bundle.signature"},
        {"\"bundle_signature\":\"la0z", "\"bundle_signature\":\"l!0z", "bundle_signature_invalid", "bundle.signature"},
        /* schema */
        {",\"bundle_signature\":\"" BUNDLE_SIG "\"", "", "schema_error", "bundle.schema"},
        {"\"count\":2", "\"count\":\"2\"", "schema_error", "bundle.schema"},
        {"\"chain_valid\":true", "\"chain_valid\":\"true\"", "schema_error", "bundle.schema"},
        {"\"bundle_cid\":\"" BUNDLE_CID "\"", "\"bundle_cid\":null", "schema_error", "bundle.schema"},
        {"\"gateway_kid\":\"" KID0 "\",\"receipts\"", "\"receipts\"", "schema_error", "bundle.schema"},
        {"\"exported_at\":\"" EXPORTED "\"", "\"exported_at\":5", "schema_error", "bundle.schema"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = replace(b, cases[i].from, cases[i].to);
        prova_report *rep = verify_text(BUNDLE, t, ks);
        CHECK_MSG(!prova_report_valid(rep), "bundle case %zu verified", i);
        CHECK_MSG(strcmp(first_code(rep), cases[i].code) == 0 && strcmp(first_check(rep), cases[i].check) == 0,
                  "bundle case %zu (%s): first failure %s %s, want %s %s", i, cases[i].to, first_check(rep),
                  first_code(rep), cases[i].check, cases[i].code);
        prova_report_free(rep);
        free(t);
    }
    EXPECT_FAIL(BUNDLE, b, none, "kid_not_found", "bundle.signature");
    EXPECT_FAIL(BUNDLE, b, NULL, "kid_not_found", "bundle.signature");

    /* Properly signed bundles whose content is wrong: the checks after CID and signature must catch it. */
    char *inner = inner_of(b);
    static const struct {
        const char *from, *to, *code, *check;
    } signed_cases[] = {
        {"\"count\":2", "\"count\":3", "schema_error", "bundle.count"},
        {"\"count\":2", "\"count\":1", "schema_error", "bundle.count"},
        {"\"chain_valid\":true", "\"chain_valid\":false", "chain_broken", "bundle.chain_valid"},
        {"\"trace_id\":\"" TRACE "\"}", "\"trace_id\":\"other\"}", "chain_broken", "bundle.trace"},
        {"\"receipts\":[", "\"receipts\":[", "ok", ""},
    };
    for (size_t i = 0; i < sizeof signed_cases / sizeof *signed_cases; i++) {
        char *t = replace(inner, signed_cases[i].from, signed_cases[i].to);
        char *s = sign_inner(gw, t);
        prova_report *rep = verify_text(BUNDLE, s, ks);
        CHECK_MSG(strcmp(first_code(rep), signed_cases[i].code) == 0 &&
                      strcmp(first_check(rep), signed_cases[i].check) == 0,
                  "signed bundle case %zu: first failure %s %s, want %s %s", i, first_check(rep), first_code(rep),
                  signed_cases[i].check, signed_cases[i].code);
        prova_report_free(rep);
        free(s);
        free(t);
    }
    /* chain_valid true over receipts that do not link (reordered). */
    {
        const char *rev[] = {R1, R0};
        char *ra = array_of(rev, 2);
        char *t = replace(inner, arr, ra);
        char *s = sign_inner(gw, t);
        prova_report *rep = verify_text(BUNDLE, s, ks);
        CHECK_STR(first_code(rep), "hop_mismatch");
        CHECK_STR(first_check(rep), "receipt[0].hop");
        CHECK_STR(first_at(rep), "/bundle/receipts/0/hop");
        CHECK_STR(code_of(rep, "bundle.chain_valid"), "chain_broken");
        prova_report_free(rep);
        free(s);
        free(t);
        free(ra);
    }
    free(inner);

    /* Bundles built (and honestly signed) from dropped, reordered, duplicated receipts. */
    static const struct {
        const char *items[3];
        size_t n;
        const char *code, *check;
    } built[] = {
        {{R1}, 1, "hop_mismatch", "receipt[0].hop"},
        {{R0, R0}, 2, "hop_mismatch", "receipt[1].hop"},
        {{R1, R0}, 2, "hop_mismatch", "receipt[0].hop"},
        {{R0, R1, R1}, 3, "hop_mismatch", "receipt[2].hop"},
        {{R0}, 1, "ok", ""},
    };
    for (size_t i = 0; i < sizeof built / sizeof *built; i++) {
        char *ba = array_of(built[i].items, built[i].n);
        char *bb = build_bundle(gw, TRACE, ba, PROVA_OPE_BUNDLE_STARTER);
        prova_report *rep = verify_text(BUNDLE, bb, ks);
        CHECK_MSG(strcmp(first_code(rep), built[i].code) == 0 && strcmp(first_check(rep), built[i].check) == 0,
                  "built bundle case %zu: first failure %s %s, want %s %s", i, first_check(rep), first_code(rep),
                  built[i].check, built[i].code);
        prova_report_free(rep);
        free(bb);
        free(ba);
    }
    /* chain_valid is the gateway's own linkage test: [R0, R0] does not link (R0's prev is null, its hash is not). */
    {
        const char *dup[] = {R0, R0};
        char *ba = array_of(dup, 2);
        char *bb = build_bundle(gw, TRACE, ba, PROVA_OPE_BUNDLE_STARTER);
        CHECK(strstr(bb, "\"chain_valid\":false,\"count\":2") != NULL);
        free(bb);
        free(ba);
    }

    /* A starter export also carries "transparency": not covered by the signature, not checked, but valid. */
    {
        char *t = replace(b, "{\"bundle\":", "{\"transparency\":{\"leaf_index\":0},\"bundle\":");
        prova_report *rep = verify_text(BUNDLE, t, ks);
        CHECK(prova_report_valid(rep));
        CHECK(has_warning(rep, "transparency_not_checked"));
        CHECK(has_warning(rep, "unauthenticated_fields"));
        prova_report_free(rep);
        free(t);
    }
    /* Not a bundle. */
    EXPECT_FAIL(BUNDLE, "{}", ks, "schema_error", "bundle.schema");
    EXPECT_FAIL(BUNDLE, "[]", ks, "schema_error", "bundle.schema");
    {
        char *t = replace(b, "\"receipts\":[", "\"receipts\":[],\"x\":[");
        EXPECT_FAIL(BUNDLE, t, ks, "schema_error", "bundle.schema");
        free(t);
    }
    free(b);
    free(arr);
}

/* ---- The flat form (seed 003 §4) ------------------------------------------------------------------------------ */

/* Computed with Python's json.dumps(sort_keys, compact, ensure_ascii=False), hashlib and cryptography's Ed25519
 * (zero seed): the flat bundle of [R0, R1] as prova builds it (bundle_cid over the bundle without bundle_signature
 * and bundle_cid, kid inside), and the RFC §7.3 reading ("bundle_cid":"PENDING" hashed, no kid). */
#define FLAT_CID    "sha256:997f7da495eb7d542992ed9dfe1895f7713331c3fe9a91e6ecf41fc9bd4486e3"
#define FLAT_SIG    "EKss_x2Ob2DgYH1TUB3HuUl_cCPqIzbOUjRA2cR5JWtHorshR-PxBq6U9ezOhQFP2kpORQor-EQXWTaRI2WjCw"
#define PENDING_CID "sha256:0107cc8101ff0817a7333e0e1aa8c09dc933a927d542164686cd04801ea1c45a"
#define PENDING_SIG "jmN3bnOUtbVucntLHxE0HDp6m7Pqvt7OfWRv4iiNrk-Bo4oKu7AWv-D1iZXYAfWUscI7_RZ0rY1WmHQL7uf1CQ"

/* The message of the check named name, or "". */
static const char *message_of(const prova_report *r, const char *name) {
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (strcmp(c->check, name) == 0) return c->message;
    }
    return "";
}

/* The JSON form of a report, NUL-terminated (the caller frees). */
static char *report_json(const prova_report *r) {
    prova_buf b = PROVA_BUF_INIT;
    if (prova_report_to_json(r, &b) != 0) exit(2);
    char *s = buf_text(&b);
    prova_buf_free(&b);
    return s;
}

/* A flat bundle around `members` (the JSON text of the members other than bundle_cid and bundle_signature, without
 * braces), signed by key, with bundle_cid the CID of `hashed` (a JSON text; "" = "{members}"). The caller frees. */
static char *flat_signed(const prova_key *key, const char *members, const char *hashed) {
    size_t n = strlen(members) + 400;
    char *obj = malloc(n), *s = malloc(n);
    if (!obj || !s) exit(2);
    snprintf(obj, n, "{%s}", members);
    prova_doc *d = parse_str(hashed[0] ? hashed : obj);
    char cid[OPE_CID_LEN + 1], sig[OPE_SIG_B64_LEN + 1], msg[512];
    if (prova__ope_cid(prova_doc_root(d), cid, NULL) != 0) exit(2);
    prova_doc_free(d);
    d = parse_str(obj);
    snprintf(msg, sizeof msg, "%s|%s|%s", cid, prova_json_str(prova_json_get(prova_doc_root(d), "trace_id")),
             prova_json_str(prova_json_get(prova_doc_root(d), "exported_at")));
    prova_doc_free(d);
    if (prova__ope_sign_b64(key, msg, strlen(msg), sig) != 0) exit(2);
    snprintf(s, n, "{\"bundle_cid\":\"%s\",\"bundle_signature\":\"%s\",%s}", cid, sig, members);
    free(obj);
    return s;
}

static void test_flat_bundle(void) {
    const char *items[] = {R0, R1};
    char *arr = array_of(items, 2);
    char *b = build_bundle(gw, TRACE, arr, PROVA_OPE_BUNDLE_FLAT);
    size_t n = strlen(arr) + 600;
    char *want = malloc(n);
    if (!want) exit(2);
    snprintf(want, n,
             "{\"bundle_cid\":\"" FLAT_CID "\",\"bundle_signature\":\"" FLAT_SIG "\",\"exported_at\":\"" EXPORTED
             "\",\"kid\":\"" KID0 "\",\"receipts\":%s,\"trace_id\":\"" TRACE "\"}",
             arr);
    CHECK_STR(b, want);
    free(want);

    /* It verifies, says which variant matched, and leaves nothing unauthenticated (kid is inside the cid). */
    prova_report *rep = verify_text(BUNDLE, b, ks);
    CHECK_MSG(prova_report_valid(rep), "%s %s", first_check(rep), first_code(rep));
    CHECK(strstr(message_of(rep, "bundle.cid"), "cid variant without_cid)") != NULL);
    CHECK_STR(code_of(rep, "receipt[1].link"), "ok");
    CHECK_STR(code_of(rep, "bundle.trace"), "ok");
    CHECK(!has_warning(rep, "unauthenticated_fields"));
    prova_report_free(rep);

    /* Detected by the one verifier (it answered "not a document prova knows" before). */
    prova_verify_options o = opts(ks);
    rep = NULL;
    CHECK(prova_verify_document(b, strlen(b), &o, &rep, NULL) == 0);
    CHECK(rep && strcmp(prova_report_kind(rep), "ope_bundle") == 0 && prova_report_valid(rep));
    prova_report_free(rep);
    rep = NULL;
    CHECK(prova_ope_verify(b, strlen(b), &o, &rep, NULL) == 0);
    CHECK(rep && strcmp(prova_report_kind(rep), "ope_bundle") == 0 && prova_report_valid(rep));
    prova_report_free(rep);

    /* Tampering: each a failed check with its reason code (the first failure named). */
    static const struct {
        const char *from, *to, *code, *check;
    } cases[] = {
        {"\"hop\":1", "\"hop\":5", "bundle_cid_mismatch", "bundle.cid"}, /* a receipt */
        {"\"exported_at\":\"" EXPORTED "\"", "\"exported_at\":\"2025-08-22T00:00:06+00:00\"", "bundle_cid_mismatch",
         "bundle.cid"},
        {"\"bundle_cid\":\"sha256:997f", "\"bundle_cid\":\"sha256:097f", "bundle_cid_mismatch", "bundle.cid"},
        {"\"bundle_signature\":\"EKss", "\"bundle_signature\":\"FKss", "bundle_signature_invalid", "bundle.signature"},
        {"\"bundle_signature\":\"EKss", "\"bundle_signature\":\"E!ss", "bundle_signature_invalid", "bundle.signature"},
        {"\"trace_id\":\"" TRACE "\"}", "\"trace_id\":\"other\"}", "bundle_cid_mismatch", "bundle.cid"},
        {"\"kid\":\"" KID0 "\"", "\"kid\":\"ed25519-0000000000000000\"", "bundle_cid_mismatch", "bundle.cid"},
        {"{\"bundle_cid\"", "{\"note\":1,\"bundle_cid\"", "bundle_cid_mismatch", "bundle.cid"},
        /* schema */
        {",\"bundle_signature\":\"" FLAT_SIG "\"", "", "schema_error", "bundle.schema"},
        {"\"kid\":\"" KID0 "\"", "\"kid\":7", "schema_error", "bundle.schema"},
        {"\"exported_at\":\"" EXPORTED "\"", "\"exported_at\":5", "schema_error", "bundle.schema"},
        {"\"bundle_cid\":\"" FLAT_CID "\"", "\"bundle_cid\":null", "schema_error", "bundle.schema"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = replace(b, cases[i].from, cases[i].to);
        rep = verify_text(BUNDLE, t, ks);
        CHECK_MSG(!prova_report_valid(rep), "flat case %zu verified", i);
        CHECK_MSG(strcmp(first_code(rep), cases[i].code) == 0 && strcmp(first_check(rep), cases[i].check) == 0,
                  "flat case %zu (%s): first failure %s %s, want %s %s", i, cases[i].to, first_check(rep),
                  first_code(rep), cases[i].check, cases[i].code);
        prova_report_free(rep);
        free(t);
    }
    /* Unknown kid: the verifier trusts no key of that name. */
    EXPECT_FAIL(BUNDLE, b, none, "kid_not_found", "bundle.signature");
    EXPECT_FAIL(BUNDLE, b, NULL, "kid_not_found", "bundle.signature");
    {
        char *t = replace(b, "\"receipts\":[", "\"receipts\":[],\"x\":[");
        EXPECT_FAIL(BUNDLE, t, ks, "schema_error", "bundle.schema");
        free(t);
    }

    /* The RFC §7.3 reading, no kid: bundle_cid over the bundle with "bundle_cid":"PENDING"; the key is found among
     * the trusted ones. */
    size_t mlen = strlen(arr) + 600;
    char *m = malloc(mlen);
    if (!m) exit(2);
    snprintf(m, mlen,
             "{\"bundle_cid\":\"" PENDING_CID "\",\"bundle_signature\":\"" PENDING_SIG "\",\"exported_at\":\"" EXPORTED
             "\",\"receipts\":%s,\"trace_id\":\"" TRACE "\"}",
             arr);
    rep = verify_text(BUNDLE, m, ks);
    CHECK_MSG(prova_report_valid(rep), "%s %s", first_check(rep), first_code(rep));
    CHECK(strstr(message_of(rep, "bundle.cid"), "cid variant pending_cid)") != NULL);
    CHECK(strstr(message_of(rep, "bundle.signature"), KID0) != NULL);
    prova_report_free(rep);
    EXPECT_FAIL(BUNDLE, m, none, "kid_not_found", "bundle.signature");
    {
        prova_keyset *only2 = prova_keyset_new();
        if (!only2 || prova_keyset_add(only2, public_of(gw2), "test2") != 0) exit(2);
        EXPECT_FAIL(BUNDLE, m, only2, "bundle_signature_invalid", "bundle.signature");
        EXPECT_VALID(BUNDLE, m, ks2); /* gw2 tried first or not: gw verifies */
        prova_keyset_free(only2);
    }
    free(m);

    /* The other variants, built here: kid attached after hashing, the receipts alone. */
    size_t mn = strlen(arr) + 300;
    char *members = malloc(mn), *hashed = malloc(mn);
    if (!members || !hashed) exit(2);
    snprintf(members, mn,
             "\"exported_at\":\"" EXPORTED "\",\"kid\":\"" KID0 "\",\"receipts\":%s,\"trace_id\":\"" TRACE "\"", arr);
    snprintf(hashed, mn, "{\"exported_at\":\"" EXPORTED "\",\"receipts\":%s,\"trace_id\":\"" TRACE "\"}", arr);
    static const struct {
        const char *hashed; /* "" the members, "H" the members without kid, "R" the receipts */
        const char *variant;
        bool kid_unauthenticated;
    } variants[] = {{"", "without_cid", false},
                    {"H", "without_cid_and_kid", true},
                    {"P", "pending_cid", false},
                    {"R", "receipts_only", true}};
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        char *pend = NULL;
        const char *h = variants[i].hashed;
        if (h[0] == 'H')
            h = hashed;
        else if (h[0] == 'R')
            h = arr;
        else if (h[0] == 'P') {
            pend = malloc(mn + 40);
            if (!pend) exit(2);
            snprintf(pend, mn + 40, "{\"bundle_cid\":\"PENDING\",%s}", members);
            h = pend;
        }
        char *t = flat_signed(gw, members, h);
        rep = verify_text(BUNDLE, t, ks);
        CHECK_MSG(prova_report_valid(rep), "variant %s: %s %s", variants[i].variant, first_check(rep), first_code(rep));
        char want_v[64];
        snprintf(want_v, sizeof want_v, "cid variant %s)", variants[i].variant);
        CHECK_MSG(strstr(message_of(rep, "bundle.cid"), want_v) != NULL, "variant %s: %s", variants[i].variant,
                  message_of(rep, "bundle.cid"));
        CHECK(has_warning(rep, "unauthenticated_fields") == variants[i].kid_unauthenticated);
        if (variants[i].kid_unauthenticated) {
            char *js = report_json(rep);
            CHECK(strstr(js, "\"unauthenticated_fields\":[\"kid\"]") != NULL);
            free(js);
        }
        prova_report_free(rep);
        free(t);
        free(pend);
    }
    /* A member added outside the receipts-only cid: still valid, listed as unauthenticated. */
    {
        char *t = flat_signed(gw, members, arr);
        char *u = replace(t, "{\"bundle_cid\"", "{\"note\":\"added later\",\"bundle_cid\"");
        rep = verify_text(BUNDLE, u, ks);
        CHECK(prova_report_valid(rep) && has_warning(rep, "unauthenticated_fields"));
        char *js = report_json(rep);
        CHECK(strstr(js, "\"unauthenticated_fields\":[\"kid\",\"note\"]") != NULL);
        free(js);
        prova_report_free(rep);
        free(u);
        free(t);
    }
    free(hashed);
    free(members);

    /* ope-lib's opaque receipts in the flat form: hop order and linkage. */
    {
        char *t =
            build_bundle_at(gw, "trace-test-1", "2025-01-01T00:00:05+00:00", OPELIB_RECEIPTS, PROVA_OPE_BUNDLE_FLAT);
        rep = verify_text(BUNDLE, t, ks);
        CHECK_MSG(prova_report_valid(rep), "%s %s", first_check(rep), first_code(rep));
        CHECK(has_warning(rep, "receipt_hashes_opaque"));
        CHECK_STR(code_of(rep, "receipt[1].link"), "ok");
        prova_report_free(rep);
        free(t);
    }
    free(b);
    free(arr);
}

static void test_builder_arguments(void) {
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&out, "PREFIX", 6) == 0);
    prova_error e;
    prova_key *pub = public_of(gw);
    prova_ope_receipt_params p = params(TRACE, TS0);

#define EXPECT_BUILD(call, want_status, want_reason)                                                                   \
    do {                                                                                                               \
        int rc_ = (call);                                                                                              \
        CHECK_MSG(rc_ == (want_status), "got %d, want %d", rc_, (want_status));                                        \
        CHECK_STR(e.reason ? e.reason : "", (want_reason));                                                            \
        CHECK(out.len == 6 && memcmp(out.data, "PREFIX", 6) == 0);                                                     \
    } while (0)

    EXPECT_BUILD(prova_ope_receipt_build(pub, NULL, &p, &out, &e), PROVA_EKEY, "key_not_ed25519_private");
    EXPECT_BUILD(prova_ope_receipt_build(NULL, NULL, &p, &out, &e), PROVA_EINVAL, "invalid_argument");
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, NULL, &out, &e), PROVA_EINVAL, "invalid_argument");
    p.trace_id = NULL;
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "trace_id_invalid");
    p.trace_id = "";
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "trace_id_invalid");
    p.trace_id = "bad\xed\xa0\x80";
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "trace_id_invalid");
    p.trace_id = "bad\xc3";
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "trace_id_invalid");
    p = params(TRACE, "yesterday");
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_ESYNTAX, "ts_invalid");
    p = params(TRACE, NULL);
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_ESYNTAX, "ts_invalid");
    p = params(TRACE, TS0);
    p.created_at = "2025-08-22T00:00:00"; /* no offset */
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_ESYNTAX, "created_at_invalid");
    p = params(TRACE, TS0);
    p.request_cid = NULL;
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "cid_invalid");
    p.request_cid = "sha256:CBB4E253064F82C49B4F8CC0670E2166C5325AB0F397D559A01B2D5FDE52E79E";
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "cid_invalid");
    p.request_cid = "cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e";
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "cid_invalid");
    p = params(TRACE, TS0);
    p.normalized_cid = "sha256:abc";
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "cid_invalid");
    p = params(TRACE, TS0);
    prova_doc *arrdoc = parse_str("[1]");
    p.policy = prova_doc_root(arrdoc);
    EXPECT_BUILD(prova_ope_receipt_build(gw, NULL, &p, &out, &e), PROVA_EINVAL, "policy_invalid");
    prova_doc_free(arrdoc);

    /* prev: same trace, integer hop, 64-hex receipt_hash. */
    p = params(TRACE, TS1);
    static const char *const bad_prev[] = {
        "[]",
        "{\"trace_id\":\"other\",\"hop\":0,\"receipt_hash\":\"" HASH0 "\"}",
        "{\"hop\":0,\"receipt_hash\":\"" HASH0 "\"}",
        "{\"trace_id\":\"" TRACE "\",\"hop\":0.0,\"receipt_hash\":\"" HASH0 "\"}",
        "{\"trace_id\":\"" TRACE "\",\"hop\":-1,\"receipt_hash\":\"" HASH0 "\"}",
        "{\"trace_id\":\"" TRACE "\",\"hop\":9223372036854775807,\"receipt_hash\":\"" HASH0 "\"}",
        "{\"trace_id\":\"" TRACE "\",\"receipt_hash\":\"" HASH0 "\"}",
        "{\"trace_id\":\"" TRACE "\",\"hop\":0,\"receipt_hash\":\"sha256:" HASH0 "\"}",
        "{\"trace_id\":\"" TRACE "\",\"hop\":0,\"receipt_hash\":\"0704\"}",
        "{\"trace_id\":\"" TRACE "\",\"hop\":0,\"receipt_hash\":null}",
    };
    for (size_t i = 0; i < sizeof bad_prev / sizeof *bad_prev; i++) {
        prova_doc *pd = parse_str(bad_prev[i]);
        EXPECT_BUILD(prova_ope_receipt_build(gw, prova_doc_root(pd), &p, &out, &e), PROVA_EINVAL,
                     "receipt_prev_invalid");
        prova_doc_free(pd);
    }

    /* Success appends after what the buffer held; explicit created_at, normalized_cid and policy. */
    p = params(TRACE, TS0);
    p.created_at = "2025-08-22T00:00:00.123456+00:00";
    p.normalized_cid = "sha256:93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588";
    prova_doc *pol = parse_str("{\"rules\":[{\"rule\":\"HEL:HTTP_EGRESS_LIMITATION\",\"reasons\":[\"allowed:x\","
                               "\"caf\xc3\xa9\"]}],\"passed\":true,\"score\":1.50}");
    p.policy = prova_doc_root(pol);
    CHECK(prova_ope_receipt_build(gw, NULL, &p, &out, &e) == 0);
    CHECK(out.len > 6 && memcmp(out.data, "PREFIX{\"created_at\":\"2025-08-22T00:00:00.123456+00:00\"", 54) == 0);
    char *full = buf_text(&out);
    CHECK(strstr(full, "\"policy\":{\"passed\":true,\"rules\":[{\"reasons\":[\"allowed:x\",\"caf\xc3\xa9\"],"
                       "\"rule\":\"HEL:HTTP_EGRESS_LIMITATION\"}],\"score\":1.5}") != NULL);
    CHECK(strstr(full, "\"normalized_cid\":\"sha256:93a2") != NULL);
    EXPECT_VALID(RECEIPT, full + 6, ks);
    free(full);
    prova_doc_free(pol);

    /* A non-ASCII trace_id is written as raw UTF-8 and verifies. */
    out.len = 6;
    p = params("trace-\xc3\xa9-\xf0\x9f\x98\x80", TS0);
    CHECK(prova_ope_receipt_build(gw, NULL, &p, &out, &e) == 0);
    full = buf_text(&out);
    CHECK(strstr(full, "\"trace_id\":\"trace-\xc3\xa9-\xf0\x9f\x98\x80\"") != NULL);
    EXPECT_VALID(RECEIPT, full + 6, ks);
    free(full);
    out.len = 6;

    /* Bundles. */
    prova_doc *two = NULL;
    {
        const char *items[] = {R0, R1};
        char *arr = array_of(items, 2);
        two = parse_str(arr);
        free(arr);
    }
    const prova_json *receipts = prova_doc_root(two);
    EXPECT_BUILD(prova_ope_bundle_build(pub, TRACE, EXPORTED, receipts, PROVA_OPE_BUNDLE_STARTER, &out, &e), PROVA_EKEY,
                 "key_not_ed25519_private");
    EXPECT_BUILD(prova_ope_bundle_build(gw, TRACE, EXPORTED, receipts, (prova_ope_bundle_form)7, &out, &e),
                 PROVA_EINVAL, "unknown_bundle_form");
    EXPECT_BUILD(prova_ope_bundle_build(gw, NULL, EXPORTED, receipts, PROVA_OPE_BUNDLE_STARTER, &out, &e), PROVA_EINVAL,
                 "invalid_argument");
    EXPECT_BUILD(prova_ope_bundle_build(gw, "", EXPORTED, receipts, PROVA_OPE_BUNDLE_STARTER, &out, &e), PROVA_EINVAL,
                 "trace_id_invalid");
    EXPECT_BUILD(prova_ope_bundle_build(gw, TRACE, "now", receipts, PROVA_OPE_BUNDLE_STARTER, &out, &e), PROVA_ESYNTAX,
                 "exported_at_invalid");
    EXPECT_BUILD(prova_ope_bundle_build(gw, "another-trace", EXPORTED, receipts, PROVA_OPE_BUNDLE_STARTER, &out, &e),
                 PROVA_EINVAL, "bundle_receipt_trace_mismatch");
    prova_doc *empty = parse_str("[]");
    EXPECT_BUILD(prova_ope_bundle_build(gw, TRACE, EXPORTED, prova_doc_root(empty), PROVA_OPE_BUNDLE_STARTER, &out, &e),
                 PROVA_EINVAL, "bundle_receipts_invalid");
    prova_doc_free(empty);
    prova_doc *notarr = parse_str("{}");
    EXPECT_BUILD(
        prova_ope_bundle_build(gw, TRACE, EXPORTED, prova_doc_root(notarr), PROVA_OPE_BUNDLE_OPE_LIB, &out, &e),
        PROVA_EINVAL, "bundle_receipts_invalid");
    prova_doc_free(notarr);
    prova_doc *scalars = parse_str("[1]");
    EXPECT_BUILD(
        prova_ope_bundle_build(gw, TRACE, EXPORTED, prova_doc_root(scalars), PROVA_OPE_BUNDLE_STARTER, &out, &e),
        PROVA_EINVAL, "bundle_receipts_invalid");
    prova_doc_free(scalars);
    CHECK(prova_ope_bundle_build(gw, TRACE, EXPORTED, receipts, PROVA_OPE_BUNDLE_STARTER, &out, &e) == 0);
    CHECK(out.len > 6 && memcmp(out.data, "PREFIX{\"bundle\":{\"chain_valid\":true,\"count\":2,", 46) == 0);
    prova_doc_free(two);
#undef EXPECT_BUILD

    prova_key_free(pub);
    prova_buf_free(&out);
}

/* The report of a JSON Lines chain is the same, byte for byte, whether it is checked by one thread or split. */
static void same_with_threads(const prova_buf *lines, const prova_verify_options *base) {
    prova_buf js[3] = {PROVA_BUF_INIT, PROVA_BUF_INIT, PROVA_BUF_INIT};
    for (unsigned t = 1; t <= 3; t++) {
        prova_verify_options o = *base;
        o.threads = t;
        prova_report *r = NULL;
        CHECK(prova_ope_verify(lines->data, lines->len, &o, &r, NULL) == 0 && r);
        CHECK(prova_report_to_json(r, &js[t - 1]) == 0);
        prova_report_free(r);
    }
    for (int i = 1; i < 3; i++)
        CHECK_MSG(js[i].len == js[0].len && memcmp(js[i].data, js[0].data, js[0].len) == 0,
                  "the report with %d threads differs from one thread", i + 1);
    for (int i = 0; i < 3; i++) prova_buf_free(&js[i]);
}

/* A long chain as JSON Lines streams through the verifier: every receipt is checked, the report stays bounded
 * (passing checks beyond OPE_CHAIN_DETAIL receipts are counted in one summary), and a break anywhere is found. */
static void test_long_jsonl_chain(void) {
    const size_t n = 2000; /* ~1.3 MB: long enough to be split across threads */
    prova_buf lines = PROVA_BUF_INIT, one = PROVA_BUF_INIT;
    prova_doc *prev = NULL;
    size_t break_at = 0;
    for (size_t i = 0; i < n; i++) {
        one.len = 0;
        prova_ope_receipt_params p = {
            "long-trace", "2025-08-22T00:00:00+00:00",
            NULL,         "sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e",
            NULL,         NULL,
            NULL,         NULL};
        CHECK(prova_ope_receipt_build(gw, prova_doc_root(prev), &p, &one, NULL) == 0);
        prova_doc_free(prev);
        prev = NULL;
        CHECK(prova_json_parse(one.data, one.len, NULL, &prev, NULL) == 0);
        if (i == 1200) break_at = lines.len;
        CHECK(prova_buf_append(&lines, one.data, one.len) == 0 && prova_buf_append(&lines, "\n", 1) == 0);
    }
    prova_doc_free(prev);
    prova_verify_options o = opts(ks);
    prova_report *r = NULL;
    CHECK(prova_ope_verify(lines.data, lines.len, &o, &r, NULL) == 0 && r);
    CHECK(prova_report_valid(r));
    CHECK(strcmp(prova_report_kind(r), "ope_receipt_chain") == 0);
    size_t checks = prova_report_check_count(r);
    CHECK_MSG(checks > 1000 * 5 && checks < 1000 * 7, "%zu checks", checks);
    const prova_check *last = prova_report_check_at(r, checks - 1);
    CHECK(last && strcmp(last->check, "chain.summary") == 0 && strstr(last->message, "2000 receipts"));
    prova_report_free(r);
    same_with_threads(&lines, &o);
    /* receipt 1200 (in the quiet part) loses a byte of its link */
    char *p = strstr((char *)lines.data + break_at, "\"prev_receipt_hash\":\"");
    CHECK(p != NULL);
    if (p) p[22] = p[22] == 'a' ? 'b' : 'a';
    CHECK(prova_ope_verify(lines.data, lines.len, &o, &r, NULL) == 0 && r);
    CHECK(!prova_report_valid(r));
    const prova_check *f = prova_report_first_failure(r);
    CHECK(f && strcmp(f->code, "receipt_hash_mismatch") == 0 && strcmp(f->at, "/1200/receipt_hash") == 0);
    bool link = false;
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        link |= !c->ok && strcmp(c->code, "chain_broken") == 0 && strcmp(c->at, "/1200/prev_receipt_hash") == 0;
    }
    CHECK(link);
    prova_report_free(r);
    same_with_threads(&lines, &o);
    prova_buf_free(&one);
    prova_buf_free(&lines);
}

/* Input that looks like JSON Lines but has a line that does not parse: bad input, and the report names the parser's
 * reason (it once had no check at all). */
static void test_jsonl_unparsable_line(void) {
    static const char *const inputs[] = {"{} x", "{\"hop\":0}\n{\"hop\":\n"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        prova_report *r = NULL;
        prova_verify_options o = {.no_skew = true};
        CHECK(prova_verify_document(inputs[i], strlen(inputs[i]), &o, &r, NULL) == PROVA_ESYNTAX && r);
        CHECK(prova_report_outcome(r) == PROVA_OUTCOME_BAD_INPUT);
        const prova_check *f = prova_report_first_failure(r);
        CHECK_MSG(f != NULL && (strncmp(f->code, "json_", 5) == 0 || strcmp(f->code, "schema_error") == 0),
                  "input %zu: %s", i, f ? f->code : "no failed check");
        prova_report_free(r);
    }
}

/* The receipt's "sft" member (docs/transforms.md): after request_cid in the canonical core, inside what is signed
 * and hashed, so the verifier accepts it and a changed id breaks the hash; both or neither of id and version. */
static void test_sft_member(void) {
    prova_ope_receipt_params p = params(TRACE, TS0);
    p.sft_id = "odin.vendor_to_iso20022";
    p.sft_version = "1";
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    CHECK(prova_ope_receipt_build(gw, NULL, &p, &b, &e) == 0);
    char *r = buf_text(&b);
    CHECK(strstr(r, "\"request_cid\":\"" CID "\",\"sft\":{\"id\":\"odin.vendor_to_iso20022\",\"version\":\"1\"},"
                    "\"trace_id\":") != NULL);
    EXPECT_VALID(RECEIPT, r, ks);
    char *t = strstr(r, "vendor_to_iso20022");
    CHECK(t != NULL);
    if (t) t[0] = 'V'; /* another transform named: the hash no longer matches */
    prova_report *rep = verify_text(RECEIPT, r, ks);
    CHECK(!prova_report_valid(rep));
    prova_report_free(rep);
    free(r);
    prova_buf_free(&b);
    p.sft_version = NULL;
    CHECK(prova_ope_receipt_build(gw, NULL, &p, &b, &e) == PROVA_EINVAL && b.len == 0);
    CHECK_STR(e.reason, "sft_invalid");
    p.sft_id = NULL;
    p.sft_version = "1";
    CHECK(prova_ope_receipt_build(gw, NULL, &p, &b, &e) == PROVA_EINVAL && b.len == 0);
    p.sft_id = "";
    CHECK(prova_ope_receipt_build(gw, NULL, &p, &b, &e) == PROVA_EINVAL && b.len == 0);
    prova_buf_free(&b);
}

/* The builder writes the canonical core once and splices receipt_hash and receipt_signature into it (no parse back,
 * no second canonicalization). What the old path produced, by definition: the ope canonical form of the core plus
 * those two members, the hash over receipt_core_bytes, the signature over the same bytes. Checked on receipts of
 * every shape: policy with escapes, non-ASCII, numbers and a nested "receipt_hash" member, sft, prev, created_at,
 * a non-ASCII trace_id. */
static void test_build_splice(void) {
    static const char *const policies[] = {
        NULL,
        "{\"rules\":[{\"id\":\"r\\u00e9gle-1\",\"ok\":true,\"n\":1.5e-05,\"big\":12345678901234567890}],\"passed\":"
        "true,"
        "\"note\":\"tab\\there \\\"quoted\\\" \\ud83d\\ude80 \\u0001\",\"receipt_hash\":\"zz\",\"z\":null,\"a\":[]}",
        "{}",
    };
    static const char *const traces[] = {TRACE, "trace-\xc3\xa9\xe2\x82\xac-\xf0\x9f\x98\x80"};
    prova_doc *prevdoc = NULL;
    prova_key *pub = public_of(gw);
    for (size_t pi = 0; pi < sizeof policies / sizeof *policies; pi++) {
        for (size_t ti = 0; ti < 2; ti++) {
            for (int variant = 0; variant < 4; variant++) {
                prova_doc *pol = NULL;
                if (policies[pi]) CHECK(prova_json_parse(policies[pi], strlen(policies[pi]), NULL, &pol, NULL) == 0);
                prova_ope_receipt_params p = params(traces[ti], TS1);
                p.policy = pol ? prova_doc_root(pol) : NULL;
                if (variant & 1) {
                    p.sft_id = "odin.x\xc3\xa9";
                    p.sft_version = "2";
                }
                if (variant & 2) p.created_at = TS0;
                prova_buf b = PROVA_BUF_INIT, canon = PROVA_BUF_INIT, core = PROVA_BUF_INIT;
                prova_error e;
                const prova_json *prev = prevdoc && (variant & 1) ? prova_doc_root(prevdoc) : NULL;
                if (prev && !prova_json_str_eq(prova_json_get(prev, "trace_id"), traces[ti])) prev = NULL;
                int rc = prova_ope_receipt_build(gw, prev, &p, &b, &e);
                CHECK_MSG(rc == 0, "policy %zu trace %zu variant %d: %d", pi, ti, variant, rc);
                /* 1. the receipt is its own ope canonical form */
                CHECK(prova_canon_bytes(b.data, b.len, PROVA_PROFILE_OPE, NULL, &canon, NULL) == 0);
                CHECK_MSG(canon.len == b.len && memcmp(canon.data, b.data, b.len) == 0,
                          "policy %zu trace %zu variant %d: not canonical", pi, ti, variant);
                /* 2. receipt_hash is the SHA-256 of the core bytes, 3. the signature verifies over them */
                prova_doc *rd = NULL;
                CHECK(prova_json_parse(b.data, b.len, NULL, &rd, NULL) == 0);
                static const char *const skip[] = {"receipt_hash", "receipt_signature"};
                CHECK(rd && prova__canon_without(prova_doc_root(rd), skip, 2, &core) == 0);
                char hex[2 * PROVA_SHA256_BYTES + 1];
                prova__sha256_hex(core.data, core.len, hex);
                const prova_json *h = prova_json_get(prova_doc_root(rd), "receipt_hash");
                const prova_json *sg = prova_json_get(prova_doc_root(rd), "receipt_signature");
                CHECK(prova_json_str_eq(h, hex));
                CHECK(prova_json_is_string(sg) &&
                      prova__ope_verify_b64(pub, core.data, core.len, sg->u.str, sg->len) == 0);
                char *text = buf_text(&b);
                EXPECT_VALID(RECEIPT, text, ks);
                free(text);
                if (pi == 0 && variant == 0 && ti == 0) {
                    prova_doc_free(prevdoc);
                    prevdoc = rd; /* the next ones with prev link to it */
                    rd = NULL;
                }
                prova_doc_free(rd);
                prova_doc_free(pol);
                prova_buf_free(&b);
                prova_buf_free(&canon);
                prova_buf_free(&core);
            }
        }
    }
    prova_doc_free(prevdoc);
    prova_key_free(pub);
}

int main(void) {
    test_jsonl_unparsable_line();
    gw = seed_key(0);
    gw2 = seed_key(1);
    ks = prova_keyset_new();
    ks2 = prova_keyset_new();
    none = prova_keyset_new();
    if (!ks || !ks2 || !none || prova_keyset_add(ks, public_of(gw), "test") != 0 ||
        prova_keyset_add(ks2, public_of(gw), "test") != 0 || prova_keyset_add(ks2, public_of(gw2), "test2") != 0) {
        printf("cannot make key sets\n");
        return 2;
    }

    test_vectors_starter();
    test_vector_rfc_literal();
    test_vector_opelib();
    test_lite();
    test_receipt_tampering();
    test_keys();
    test_chain();
    test_bundle_tampering();
    test_flat_bundle();
    test_builder_arguments();
    test_long_jsonl_chain();
    test_sft_member();
    test_build_splice();

    prova_keyset_free(none);
    prova_keyset_free(ks2);
    prova_keyset_free(ks);
    prova_key_free(gw2);
    prova_key_free(gw);
    TEST_SUMMARY();
}
