/* OPE v1 envelopes: odin.md §7 vectors, the three dialects, the bound mode, time handling, and a tampering matrix
 * in which every change gives its reason code. */
#include <stdlib.h>

#include "harness.h"
#include "prova/encoding.h"
#include "prova/ope.h"

static const char *T0 = "2025-01-01T00:00:00+00:00";

static prova_key *zero_key(void) {
    uint8_t seed[32] = {0};
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &k) == 0);
    return k;
}

/* Packs payload (JSON text) into out (NUL-terminated). */
static int pack(const prova_key *k, const char *payload, const prova_ope_envelope_params *p, char **out) {
    prova_doc *doc = NULL;
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_json_parse(payload, strlen(payload), NULL, &doc, NULL);
    if (r == 0) r = prova_ope_envelope_pack(k, prova_doc_root(doc), p, &b, NULL);
    if (r == 0) r = prova_buf_append(&b, "", 1);
    *out = r == 0 ? (char *)b.data : NULL;
    if (r) prova_buf_free(&b);
    prova_doc_free(doc);
    return r;
}

static prova_report *verify(const char *doc, const prova_keyset *ks, int64_t now, bool trust) {
    prova_verify_options o = {.keys = ks, .now_us = now, .trust_embedded_key = trust};
    prova_report *r = NULL;
    int rc = prova_ope_verify(doc, strlen(doc), &o, &r, NULL);
    CHECK(r != NULL);
    (void)rc;
    return r;
}

/* The reason code of the first failed check, "valid" when none failed. */
static const char *outcome(const char *doc, const prova_keyset *ks, int64_t now) {
    static char code[64];
    prova_report *r = verify(doc, ks, now, false);
    const prova_check *f = prova_report_first_failure(r);
    snprintf(code, sizeof code, "%s", r && prova_report_valid(r) ? "valid" : f ? f->code : "no_report");
    prova_report_free(r);
    return code;
}

static char *replace(const char *s, const char *from, const char *to) {
    const char *at = strstr(s, from);
    if (!at) return NULL;
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *o = malloc(n);
    snprintf(o, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return o;
}

static void test_time(void) {
    int64_t us;
    CHECK(prova_time_parse("1970-01-01T00:00:00Z", 20, &us) == 0 && us == 0);
    CHECK(prova_time_parse("2025-08-22T04:18:05.123456+00:00", 32, &us) == 0 && us == 1755836285123456LL);
    CHECK(prova_time_parse("2026-03-20T19:00:00.123456789+09:00", 35, &us) == 0);
    int64_t us2;
    CHECK(prova_time_parse("2026-03-20 10:00:00.123456+00", 29, &us2) == 0 && us == us2);
    CHECK(prova_time_parse("2024-02-29T00:00:00Z", 20, &us) == 0);
    CHECK(prova_time_parse("2023-02-29T00:00:00Z", 20, &us) == PROVA_ESYNTAX);
    CHECK(prova_time_parse("2025-01-01T00:00:00", 19, &us) == PROVA_ESYNTAX); /* no offset */
    CHECK(prova_time_parse("2025-01-01T24:00:00Z", 20, &us) == PROVA_ESYNTAX);
    CHECK(prova_time_parse("2025-01-01T00:00:00.Z", 21, &us) == PROVA_ESYNTAX);
    CHECK(prova_time_parse("2025-01-01T00:00:00Z ", 21, &us) == PROVA_ESYNTAX);
    char buf[40];
    CHECK(prova_time_format(1755836285123456LL, buf) == 32);
    CHECK_STR(buf, "2025-08-22T04:18:05.123456+00:00");
    CHECK(prova_time_format(0, buf) == 32);
    CHECK_STR(buf, "1970-01-01T00:00:00.000000+00:00");
    char u[37];
    prova_uuid_v4(u);
    CHECK(strlen(u) == 36 && u[14] == '4' && strchr("89ab", u[19]) && u[8] == '-');
}

static void test_vectors(void) {
    prova_key *k = zero_key();
    /* ope-lib basic_vector.json (odin.md §7.1), with ope-lib's 8-hex kid. */
    CHECK(prova_key_set_kid(k, "ed25519-139e3940") == 0);
    prova_ope_envelope_params p = {"demo.v1", "example.v1", "trace-test-1", T0, NULL, NULL, PROVA_OPE_DIALECT_OPE_LIB,
                                   false};
    char *env = NULL;
    CHECK(pack(k, "{\"user\":\"alice\",\"amount\":42}", &p, &env) == 0);
    CHECK_STR(
        env,
        "{\"cid\":\"sha256:56530bcc3b30c0ecab93638d3ba23f069e632ca4530bdd453fb8c31951562279\",\"kid\":"
        "\"ed25519-139e3940\",\"payload\":{\"amount\":42,\"user\":\"alice\"},\"payload_type\":\"demo.v1\","
        "\"sender_sig\":\"ZkYWcstwR_Rejjl5TT_SNcMXHKKV-Irb0WtXSiPQKyf9fx_S82pCRjZDdiL3nYHaT1QGjEabPUXZWE2o7lZIBA\","
        "\"target_type\":\"example.v1\",\"trace_id\":\"trace-test-1\",\"ts\":\"2025-01-01T00:00:00+00:00\"}");
    free(env);
    /* starter §7.2: {"message":"hello","value":42}, trace 1111..., ts 2025-08-22T00:00:00+00:00. */
    CHECK(prova_key_set_kid(k, "ed25519-139e3940e64b5491") == 0);
    prova_ope_envelope_params s = {"t",
                                   "u",
                                   "11111111-1111-1111-1111-111111111111",
                                   "2025-08-22T00:00:00+00:00",
                                   NULL,
                                   NULL,
                                   PROVA_OPE_DIALECT_PROVA,
                                   false};
    CHECK(pack(k, "{\"message\":\"hello\",\"value\":42}", &s, &env) == 0);
    CHECK(env &&
          strstr(env,
                 "\"sig\":\"xh2DijCeXmnjgFBS_9j8Jy83lCDPuJ7YN7ZR4ACfge3_0kbx9G-18feK8Sc99VlMMEoGLC_W-zIzl_JU_FhcAA\""));
    CHECK(env && strstr(env, "\"cid\":\"sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e\""));
    CHECK(env && strstr(env, "\"version\":1") && strstr(env, "\"sig_alg\":\"ed25519\""));
    free(env);
    prova_key_free(k);
}

static void test_dialects_and_tampering(void) {
    prova_key *k = NULL, *other = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &k) == 0);
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &other) == 0);
    prova_buf jwk = PROVA_BUF_INIT;
    CHECK(prova_key_to_jwk(k, false, &jwk) == 0);
    prova_key *pub = NULL;
    CHECK(prova_key_from_jwk(jwk.data, jwk.len, &pub, NULL) == 0);
    prova_buf_free(&jwk);
    prova_keyset *ks = prova_keyset_new();
    CHECK(prova_keyset_add(ks, pub, "test") == 0);
    int64_t now;
    CHECK(prova_time_parse(T0, strlen(T0), &now) == 0);
    const char *payload = "{\"agent\":\"a\",\"text\":\"caf\xc3\xa9 \xf0\x9f\x9a\x80\",\"n\":1.5}";

    for (int d = PROVA_OPE_DIALECT_PROVA; d <= PROVA_OPE_DIALECT_STARTER; d++) {
        prova_ope_envelope_params p = {"agent.step", "llm.call", "tr-1", T0, NULL, NULL, (prova_ope_dialect)d, false};
        char *env = NULL;
        CHECK(pack(k, payload, &p, &env) == 0);
        if (!env) continue;
        CHECK_MSG(strcmp(outcome(env, ks, now), "valid") == 0, "dialect %d: %s", d, outcome(env, ks, now));
        prova_report *r = verify(env, ks, now, false);
        /* payload_type and target_type are never signed in v1: the report says so */
        bool listed = false;
        prova_buf js = PROVA_BUF_INIT;
        CHECK(prova_report_to_json(r, &js) == 0 && prova_buf_append(&js, "", 1) == 0);
        listed = strstr((char *)js.data, "\"unauthenticated_fields\":[") && strstr((char *)js.data, "\"payload_type\"");
        CHECK_MSG(listed, "dialect %d: %s", d, (char *)js.data);
        CHECK(strstr((char *)js.data, "\"keys\":[{\"kid\":") != NULL);
        prova_buf_free(&js);
        prova_report_free(r);

        const char *sig = d == PROVA_OPE_DIALECT_PROVA     ? "\"sig\":\""
                          : d == PROVA_OPE_DIALECT_OPE_LIB ? "\"sender_sig\":\""
                                                           : "\"signature\":\"";
        /* Tampering matrix: each change and the code of the first failing check. */
        const struct {
            const char *from, *to, *code;
        } cases[] = {
            {"\"agent\":\"a\"", "\"agent\":\"b\"", "cid_mismatch"},
            {"\"n\":1.5", "\"n\":1.50000001", "cid_mismatch"},
            {"\"trace_id\":\"tr-1\"", "\"trace_id\":\"tr-2\"", "signature_invalid"},
            {"\"ts\":\"2025-01-01T00:00:00+00:00\"", "\"ts\":\"2025-01-01T00:00:01+00:00\"", "signature_invalid"},
            {sig,
             d == 0   ? "\"sig\":\"A"
             : d == 1 ? "\"sender_sig\":\"A"
                      : "\"signature\":\"A",
             "signature_invalid"},
            {"\"payload\":{", "\"payload\":[{\"x\":1}],\"ignored\":{", "schema_error"},
        };
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            char *t = replace(env, cases[c].from, cases[c].to);
            CHECK_MSG(t != NULL, "dialect %d case %zu: pattern not found", d, c);
            if (!t) continue;
            const char *got = outcome(t, ks, now);
            CHECK_MSG(strcmp(got, cases[c].code) == 0, "dialect %d case %zu: got %s, want %s", d, c, got,
                      cases[c].code);
            free(t);
        }
        /* the cid itself changed to another valid-looking hash */
        char *t = replace(env, "\"cid\":\"sha256:", "\"cid\":\"sha256:");
        if (t) {
            char *h = strstr(t, "\"cid\":\"sha256:") + 14; /* flip the first hex digit */
            *h = *h == '0' ? '1' : '0';
            CHECK_MSG(strcmp(outcome(t, ks, now), "cid_mismatch") == 0, "dialect %d cid: %s", d, outcome(t, ks, now));
            free(t);
        }
        /* the clock: 10 minutes later the ts is stale (a warning), 10 minutes earlier it is in the future */
        CHECK(strcmp(outcome(env, ks, now + 600000000LL), "valid") == 0);
        CHECK(strcmp(outcome(env, ks, now - 600000000LL), "timestamp_skew") == 0);
        prova_report *late = verify(env, ks, now + 600000000LL, false);
        bool stale = false;
        for (size_t w = 0; w < prova_report_warning_count(late); w++)
            stale |= strcmp(prova_report_warning_at(late, w)->code, "stale_timestamp") == 0;
        CHECK(stale);
        prova_report_free(late);
        /* an unknown signer */
        prova_keyset *empty = prova_keyset_new();
        const char *want = "kid_not_found";
        CHECK_MSG(strcmp(outcome(env, empty, now), want) == 0, "dialect %d: %s", d, outcome(env, empty, now));
        prova_keyset_free(empty);
        if (d == PROVA_OPE_DIALECT_STARTER) {
            /* the key inside the envelope counts only when the caller trusts it */
            prova_keyset *none = prova_keyset_new();
            prova_report *r2 = verify(env, none, now, true);
            CHECK(prova_report_valid(r2));
            prova_report_free(r2);
            prova_keyset_free(none);
        }
        free(env);
    }

    /* Missing signature / kid. */
    prova_ope_envelope_params p = {"a", "b", "tr-1", T0, NULL, NULL, PROVA_OPE_DIALECT_PROVA, false};
    char *env = NULL;
    CHECK(pack(k, "{\"x\":1}", &p, &env) == 0);
    char *nokid = replace(env, "\"kid\":", "\"kid_\":");
    CHECK(nokid && strcmp(outcome(nokid, ks, now), "missing_sig_or_kid") == 0);
    free(nokid);
    /* Unauthenticated in v1: changing payload_type keeps the signature valid, and the report says it. */
    char *pt = replace(env, "\"payload_type\":\"a\"", "\"payload_type\":\"zzz\"");
    CHECK(pt && strcmp(outcome(pt, ks, now), "valid") == 0);
    free(pt);
    free(env);

    /* Bound mode: payload_type is covered. */
    p.bind = true;
    CHECK(pack(k, "{\"x\":1}", &p, &env) == 0);
    CHECK(env && strstr(env, "\"sig_scope\":\"envelope\""));
    CHECK(strcmp(outcome(env, ks, now), "valid") == 0);
    pt = replace(env, "\"payload_type\":\"a\"", "\"payload_type\":\"zzz\"");
    CHECK(pt && strcmp(outcome(pt, ks, now), "signature_invalid") == 0);
    free(pt);
    prova_report *rb = verify(env, ks, now, false);
    prova_buf js = PROVA_BUF_INIT;
    CHECK(prova_report_to_json(rb, &js) == 0 && prova_buf_append(&js, "", 1) == 0);
    CHECK(strstr((char *)js.data, "unauthenticated_fields") == NULL);
    prova_buf_free(&js);
    prova_report_free(rb);
    free(env);
    p.bind = true;
    p.dialect = PROVA_OPE_DIALECT_OPE_LIB;
    CHECK(pack(k, "{\"x\":1}", &p, &env) == PROVA_EINVAL);

    /* Validity windows. */
    prova_ope_envelope_params w = {
        "a", "b", "tr-1", T0, "2025-01-01T00:01:00+00:00", "2025-01-01T00:02:00+00:00", PROVA_OPE_DIALECT_PROVA, false};
    CHECK(pack(k, "{\"x\":1}", &w, &env) == 0);
    CHECK(strcmp(outcome(env, ks, now), "not_yet_valid") == 0);
    CHECK(strcmp(outcome(env, ks, now + 90000000LL), "valid") == 0);
    CHECK(strcmp(outcome(env, ks, now + 120000000LL), "expired") == 0);
    free(env);

    /* ts as integer milliseconds (seed 001): signed as its token. */
    {
        uint8_t sig[PROVA_SIG_MAX_BYTES];
        size_t sl = 0;
        const char *msg = "sha256:bb0b7ee0acb0dc8bbe7d0d1e3a8e7b7d6e0fb8e7ec2f0a9e5c7dfc7ba2f8c7e1|tr-9|1735689600000";
        (void)msg;
        char cid[80];
        prova_doc *pd = NULL;
        CHECK(prova_json_parse("{\"x\":1}", 7, NULL, &pd, NULL) == 0);
        uint8_t d[PROVA_HASH_MAX_BYTES];
        CHECK(prova_canon_hash(prova_doc_root(pd), PROVA_PROFILE_OPE, PROVA_HASH_SHA256, d, NULL) == 0);
        prova_doc_free(pd);
        memcpy(cid, "sha256:", 7);
        prova_hex_encode(d, 32, cid + 7, 65);
        char m[256];
        snprintf(m, sizeof m, "%s|tr-9|1735689600000", cid);
        CHECK(prova_key_sign(k, m, strlen(m), sig, &sl) == 0);
        char b64[100];
        prova_base64url_encode(sig, sl, b64, sizeof b64);
        char doc[1024];
        snprintf(
            doc, sizeof doc,
            "{\"version\":1,\"payload_type\":\"a\",\"target_type\":\"b\",\"trace_id\":\"tr-9\",\"ts\":1735689600000,"
            "\"cid\":\"%s\",\"kid\":\"%s\",\"sig_alg\":\"ed25519\",\"sig\":\"%s\",\"payload\":{\"x\":1}}",
            cid, prova_key_kid(k), b64);
        CHECK_MSG(strcmp(outcome(doc, ks, now), "valid") == 0, "integer ts: %s", outcome(doc, ks, now));
    }

    /* Not OPE at all, and not JSON. */
    CHECK(strcmp(outcome("{\"hello\":1}", ks, now), "schema_error") == 0);
    CHECK(strcmp(outcome("{\"hello\":", ks, now), "json_truncated") == 0);
    prova_keyset_free(ks);
    prova_key_free(k);
    prova_key_free(other);
}

/* What a failed key lookup says it was offered, and key files given where the other kind was expected. */
static void test_key_messages(void) {
    prova_key *k = zero_key(); /* kid ed25519-139e3940e64b5491 */
    prova_ope_envelope_params p = {"a", "b", "tr-1", T0, NULL, NULL, PROVA_OPE_DIALECT_PROVA, false};
    char *env = NULL;
    CHECK(pack(k, "{\"x\":1}", &p, &env) == 0);
    int64_t now;
    CHECK(prova_time_parse(T0, strlen(T0), &now) == 0);
    prova_keyset *ks = prova_keyset_new();
    const struct {
        size_t keys;
        const char *want;
    } cases[] = {
        {0, "no trusted key has kid ed25519-139e3940e64b5491; no keys are trusted"},
        {1, "no trusted key has kid ed25519-139e3940e64b5491; trusted: k01"},
        {8, "no trusted key has kid ed25519-139e3940e64b5491; trusted: k01, k02, k03, k04, k05, k06, k07, k08"},
        {10, "no trusted key has kid ed25519-139e3940e64b5491; trusted: k01, k02, k03, k04, k05, k06, k07, k08 and 2 "
             "more"},
    };
    size_t have = 0;
    for (size_t c = 0; env && c < sizeof cases / sizeof *cases; c++) {
        for (; have < cases[c].keys; have++) {
            prova_key *t = NULL;
            char kid[32];
            snprintf(kid, sizeof kid, "k%02zu", have + 1);
            CHECK(prova_key_generate(PROVA_SIG_ED25519, &t) == 0 && prova_key_set_kid(t, kid) == 0);
            CHECK(prova_keyset_add(ks, t, "test") == 0);
        }
        prova_report *r = verify(env, ks, now, false);
        const prova_check *f = prova_report_first_failure(r);
        CHECK(f && strcmp(f->code, "kid_not_found") == 0);
        if (f) CHECK_STR(f->message, cases[c].want);
        prova_report_free(r);
    }
    prova_keyset_free(ks);
    /* the same key twice is listed once */
    ks = prova_keyset_new();
    for (int i = 0; i < 2; i++) {
        prova_key *t = NULL;
        CHECK(prova_key_generate(PROVA_SIG_ED25519, &t) == 0 && prova_key_set_kid(t, "twice") == 0);
        CHECK(prova_keyset_add(ks, t, "test") == 0);
    }
    prova_report *r = env ? verify(env, ks, now, false) : NULL;
    const prova_check *f = prova_report_first_failure(r);
    if (f) CHECK_STR(f->message, "no trusted key has kid ed25519-139e3940e64b5491; trusted: twice");
    prova_report_free(r);

    /* a JWKS where one key is expected, one key where a JWKS is expected */
    prova_buf jwk = PROVA_BUF_INIT, pub = PROVA_BUF_INIT, jwks = PROVA_BUF_INIT;
    CHECK(prova_key_to_jwk(k, true, &jwk) == 0 && prova_key_to_jwk(k, false, &pub) == 0);
    const prova_key *one[1] = {k};
    CHECK(prova_key_to_jwks(one, 1, &jwks) == 0);
    prova_key *got = NULL;
    prova_error e;
    CHECK(prova_key_from_jwk(jwks.data, jwks.len, &got, &e) == PROVA_ESYNTAX && strcmp(e.reason, "key_is_jwks") == 0);
    CHECK(prova_keyset_add_jwks(ks, jwk.data, jwk.len, "test", &e) == PROVA_ESYNTAX &&
          strcmp(e.reason, "jwks_single_key") == 0 && strstr(e.message, "private") != NULL);
    CHECK(prova_keyset_add_jwks(ks, pub.data, pub.len, "test", &e) == PROVA_ESYNTAX &&
          strcmp(e.reason, "jwks_single_key") == 0 && strstr(e.message, "private") == NULL);
    CHECK(prova_keyset_add_jwks(ks, "{\"a\":1}", 7, "test", &e) == PROVA_ESYNTAX &&
          strcmp(e.reason, "jwks_invalid") == 0);
    CHECK(prova_keyset_add_jwks(ks, jwks.data, jwks.len, "test", &e) == 1);
    prova_buf_free(&jwk);
    prova_buf_free(&pub);
    prova_buf_free(&jwks);
    prova_keyset_free(ks);
    free(env);
    prova_key_free(k);
}

/* The signing string is the parts joined by '|', byte for byte (a U+0000 inside a part included); out is appended to
 * and left as it was on failure. */
static void test_signing_string(void) {
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&b, ">", 1) == 0);
    CHECK(prova_ope_signing_string("sha256:ab", 9, "t\0x", 3, "2026-01-01T00:00:00Z", 20, &b) == 0);
    CHECK(b.len == 1 + 9 + 1 + 3 + 1 + 20 && memcmp(b.data, ">sha256:ab|t\0x|2026-01-01T00:00:00Z", b.len) == 0);
    CHECK(prova_ope_signing_string(NULL, 0, "t", 1, "x", 1, &b) == PROVA_EINVAL && b.len == 35);
    CHECK(prova_ope_signing_string("", 0, "", 0, "", 0, &b) == 0 && b.len == 37);
    CHECK(prova_ope_signing_string("a", 1, "b", 1, "c", 1, NULL) == PROVA_EINVAL);
    prova_buf_free(&b);
}

int main(void) {
    test_time();
    test_signing_string();
    test_vectors();
    test_dialects_and_tampering();
    test_key_messages();
    TEST_SUMMARY();
}
