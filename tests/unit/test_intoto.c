/* Unit tests for the in-toto Statement v1 + DSSE bridge (src/lib/interop/intoto.c).
 *
 * Expected values and where they come from:
 *  - PAE("application/vnd.in-toto+json", {"a":1}) and its HMAC-SHA256 under the default key, base64
 *    eD853qyG6JcYnbhFLQ3GJ/mpUDmTbgI9GK8fLhn7vH4= : reference/ophamin.md §9 [VERIFIED].
 *  - PAE("", "") = "DSSEv1 0  0 " : the DSSE v1 protocol's definition, by hand.
 *  - base64({"a":1}) = eyJhIjoxfQ== : Python base64.b64encode.
 *  - The minimal proof body, proof_id 80e22386... and signature 2e31eabe... : reference/ophamin.md §4.3 [VERIFIED];
 *    the Statement around them is the reference's to_in_toto_statement() layout written out by hand with its keys
 *    sorted (json.dumps sort_keys).
 * Node's crypto and @sigstore/core check prova's envelopes independently in tests/interop/dsse_peer.mjs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/interop.h"
#include "prova/intoto.h"
#include "prova/json.h"
#include "prova/ope.h"
#include "prova/proof.h"
#include "prova/report.h"
#include "prova/verify.h"
#include "report_query.h"

#define T           PROVA_DSSE_INTOTO_PAYLOAD_TYPE
#define DEFAULT_KEY "ophamin-scenario-proof-key"
#define REF_SIG     "eD853qyG6JcYnbhFLQ3GJ/mpUDmTbgI9GK8fLhn7vH4="

#include "proof_fixture.h"

static const char *buf_str(prova_buf *b) {
    if (prova_buf_append(b, "", 1) < 0) return "";
    b->len--;
    return (const char *)b->data;
}

static prova_doc *parse(const char *s) {
    prova_doc *d = NULL;
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    if (prova_json_parse(s, strlen(s), &po, &d, NULL) < 0) return NULL;
    return d;
}

/* Does the report hold a failed check with this code / a warning with this code? */
static void test_pae(void) {
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_dsse_pae(T, strlen(T), "{\"a\":1}", 7, &b) == 0);
    CHECK_STR(buf_str(&b), "DSSEv1 28 application/vnd.in-toto+json 7 {\"a\":1}");
    b.len = 0;
    CHECK(prova_dsse_pae("", 0, NULL, 0, &b) == 0);
    CHECK_STR(buf_str(&b), "DSSEv1 0  0 ");
    /* The payload is bytes, not a string: a NUL inside counts. */
    b.len = 0;
    CHECK(prova_dsse_pae("t", 1, "a\0b", 3, &b) == 0);
    CHECK(b.len == 16 && memcmp(b.data, "DSSEv1 1 t 3 a\0b", 16) == 0);
    CHECK(prova_dsse_pae(NULL, 1, "", 0, &b) == PROVA_EINVAL);
    CHECK(prova_dsse_pae("t", 1, NULL, 2, &b) == PROVA_EINVAL);
    prova_buf_free(&b);
}

static void test_sign_hmac_reference(void) {
    /* §9: to_dsse_envelope with DEFAULT_SIGN_KEY over the payload {"a":1}. */
    prova_dsse_signer s = {.hmac_key = (const uint8_t *)DEFAULT_KEY, .hmac_key_len = strlen(DEFAULT_KEY)};
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    CHECK(prova_dsse_sign(T, "{\"a\":1}", 7, &s, 1, &b, &e) == 0);
    CHECK_STR(buf_str(&b), "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"eyJhIjoxfQ==\","
                           "\"signatures\":[{\"keyid\":\"\",\"sig\":\"" REF_SIG "\"}]}");
    /* The keyid is the caller's. */
    b.len = 0;
    s.keyid = "ophamin-default";
    CHECK(prova_dsse_sign(T, "{\"a\":1}", 7, &s, 1, &b, &e) == 0);
    CHECK(strstr(buf_str(&b), "{\"keyid\":\"ophamin-default\",\"sig\":\"" REF_SIG "\"}") != NULL);

    /* The same envelope verifies as the reference's verify_dsse_envelope would accept it; its payload is not a
     * Statement, so with the in-toto type the Statement layer fails (intoto_type: no _type). */
    prova_report *r = NULL;
    prova_dsse_verify_options o = {.hmac_key = (const uint8_t *)DEFAULT_KEY, .hmac_key_len = strlen(DEFAULT_KEY)};
    CHECK(prova_dsse_verify(b.data, b.len, &o, &r, &e) == 0);
    CHECK(r && !prova_report_valid(r));
    CHECK(r && !has_failure(r, "dsse_no_valid_signature") && has_failure(r, "intoto_type"));
    CHECK(r && strcmp(prova_report_kind(r), "dsse_envelope") == 0);
    prova_report_free(r);
    prova_buf_free(&b);
}

static void test_sign_errors(void) {
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    CHECK(prova_buf_append(&b, "keep", 4) == 0);
    prova_dsse_signer none = {0};
    prova_dsse_signer empty = {.hmac_key = (const uint8_t *)"", .hmac_key_len = 0};
    prova_dsse_signer ok = {.hmac_key = (const uint8_t *)"k", .hmac_key_len = 1};
    CHECK(prova_dsse_sign(T, "x", 1, &ok, 0, &b, &e) == PROVA_EINVAL && strcmp(e.reason, "dsse_no_signer") == 0);
    CHECK(prova_dsse_sign(T, "x", 1, &none, 1, &b, &e) == PROVA_EINVAL && strcmp(e.reason, "dsse_signer_invalid") == 0);
    CHECK(prova_dsse_sign(T, "x", 1, &empty, 1, &b, &e) == PROVA_EINVAL &&
          strcmp(e.reason, "dsse_signer_invalid") == 0);
    CHECK(prova_dsse_sign("", "x", 1, &ok, 1, &b, &e) == PROVA_EINVAL &&
          strcmp(e.reason, "dsse_payload_type_invalid") == 0);
    CHECK(prova_dsse_sign("\xff", "x", 1, &ok, 1, &b, &e) == PROVA_EINVAL &&
          strcmp(e.reason, "dsse_payload_type_invalid") == 0);
    prova_dsse_signer badkid = {.hmac_key = (const uint8_t *)"k", .hmac_key_len = 1, .keyid = "\xc3("};
    CHECK(prova_dsse_sign(T, "x", 1, &badkid, 1, &b, &e) == PROVA_EINVAL &&
          strcmp(e.reason, "dsse_keyid_invalid") == 0);
    /* A public key cannot sign. */
    uint8_t pk[32] = {0};
    prova_key *seed = NULL, *pub = NULL;
    uint8_t zero[32] = {0};
    CHECK(prova_key_from_ed25519_seed(zero, &seed) == 0);
    CHECK(prova_key_public_raw(seed, pk, sizeof pk) == 32);
    CHECK(prova_key_from_ed25519_public(pk, &pub) == 0);
    prova_dsse_signer two[2] = {{.hmac_key = (const uint8_t *)"k", .hmac_key_len = 1}, {.key = pub}};
    CHECK(prova_dsse_sign(T, "x", 1, two, 2, &b, &e) == PROVA_EKEY && strcmp(e.reason, "dsse_key_not_private") == 0);
    prova_dsse_signer both = {.key = seed, .hmac_key = (const uint8_t *)"k", .hmac_key_len = 1};
    CHECK(prova_dsse_sign(T, "x", 1, &both, 1, &b, &e) == PROVA_EINVAL);
    /* Nothing was written by any failure. */
    CHECK(b.len == 4 && memcmp(b.data, "keep", 4) == 0);
    prova_key_free(seed);
    prova_key_free(pub);
    prova_buf_free(&b);
}

/* An Ed25519 + HMAC envelope over an arbitrary payload type: the envelope layer alone. */
static void test_ed25519_envelope(void) {
    uint8_t zero[32] = {0};
    prova_key *k = NULL, *other = NULL;
    CHECK(prova_key_from_ed25519_seed(zero, &k) == 0);
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &other) == 0);
    CHECK_STR(prova_key_kid(k), "ed25519-139e3940e64b5491");
    prova_dsse_signer s[2] = {{.key = k}, {.hmac_key = (const uint8_t *)"hk", .hmac_key_len = 2, .keyid = "h"}};
    prova_buf b = PROVA_BUF_INIT;
    prova_error e;
    CHECK(prova_dsse_sign("text/plain", "hello", 5, s, 2, &b, &e) == 0);
    const char *env = buf_str(&b);
    CHECK(strstr(env, "{\"keyid\":\"ed25519-139e3940e64b5491\",\"sig\":\"") != NULL);
    /* The Ed25519 signature is over the PAE written by hand here. */
    prova_doc *d = parse(env);
    CHECK(d != NULL);
    const prova_json *sig = prova_json_get(prova_json_at(prova_json_get(prova_doc_root(d), "signatures"), 0), "sig");
    uint8_t raw[64];
    size_t rl = 0;
    CHECK(sig && prova_base64_decode(prova_json_str(sig), prova_json_len(sig), raw, sizeof raw, &rl, NULL) == 0);
    CHECK(rl == 64 && prova_key_verify(k, "DSSEv1 10 text/plain 5 hello", 28, raw, rl) == 0);
    CHECK(prova_key_verify(k, "DSSEv1 10 text/plain 5 hellp", 28, raw, rl) == PROVA_EVERIFY);
    prova_doc_free(d);

    prova_keyset *ks = prova_keyset_new();
    uint8_t pk[32];
    prova_key *pub = NULL;
    CHECK(prova_key_public_raw(k, pk, sizeof pk) == 32 && prova_key_from_ed25519_public(pk, &pub) == 0);
    CHECK(prova_keyset_add(ks, pub, "test") == 0);
    prova_report *r = NULL;
    /* Ed25519 only: the HMAC signature's keyid "h" is unknown, skipped with a warning. */
    prova_dsse_verify_options o = {.keys = ks, .payload_type = "text/plain"};
    CHECK(prova_dsse_verify(b.data, b.len, &o, &r, &e) == 0);
    CHECK(r && prova_report_valid(r));
    CHECK(r && has_warning(r, "dsse_keyid_unknown"));
    CHECK(r && !has_check(r, "intoto.statement")); /* not an in-toto payload: no Statement layer */
    if (r && !prova_report_valid(r)) dump(r);
    prova_report_free(r);
    /* HMAC only. */
    prova_dsse_verify_options oh = {.hmac_key = (const uint8_t *)"hk", .hmac_key_len = 2, .payload_type = "text/plain"};
    CHECK(prova_dsse_verify(b.data, b.len, &oh, &r, &e) == 0 && prova_report_valid(r));
    prova_report_free(r);
    /* Wrong HMAC key, no keys: both unknown, no valid signature. */
    prova_dsse_verify_options ow = {.hmac_key = (const uint8_t *)"hx", .hmac_key_len = 2, .payload_type = "text/plain"};
    CHECK(prova_dsse_verify(b.data, b.len, &ow, &r, &e) == 0 && !prova_report_valid(r));
    CHECK(has_failure(r, "dsse_keyid_unknown") && has_failure(r, "dsse_no_valid_signature"));
    prova_report_free(r);
    /* The expected payloadType differs. */
    CHECK(prova_dsse_verify(b.data, b.len, &(prova_dsse_verify_options){.keys = ks}, &r, &e) == 0);
    CHECK(!prova_report_valid(r) && has_failure(r, "dsse_payload_type"));
    prova_report_free(r);
    /* A key set holding another key under the same kid: the signature does not verify. */
    prova_keyset *ks2 = prova_keyset_new();
    CHECK(prova_key_set_kid(other, "ed25519-139e3940e64b5491") == 0);
    CHECK(prova_keyset_add(ks2, other, "other") == 0);
    o.keys = ks2;
    CHECK(prova_dsse_verify(b.data, b.len, &o, &r, &e) == 0 && !prova_report_valid(r));
    CHECK(has_failure(r, "dsse_signature_invalid") && has_failure(r, "dsse_no_valid_signature"));
    prova_report_free(r);
    prova_keyset_free(ks2);
    prova_keyset_free(ks);
    prova_key_free(k);
    prova_buf_free(&b);
}

/* Returns the minimal proof record signed under the default key (reference §4.3). */
static prova_doc *signed_min_proof(void) {
    prova_doc *body = parse(MIN_BODY);
    prova_buf rec = PROVA_BUF_INIT;
    prova_doc *out = NULL;
    if (body && prova_proof_sign(prova_doc_root(body), NULL, 0, NULL, NULL, &rec, NULL) == 0)
        out = parse(buf_str(&rec));
    prova_buf_free(&rec);
    prova_doc_free(body);
    return out;
}

static const char WANT_STATEMENT_HEAD[] = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"body\":";
static const char WANT_STATEMENT_TAIL[] =
    ",\"ophamin_version\":\"" PROVA_VERSION_STRING "\",\"schema_version\":\"1.0\",\"signature\":\"" MIN_SIG
    "\"},\"predicateType\":\"https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empirical-proof-record-v1\","
    "\"subject\":[{\"digest\":{\"sha256\":\"" MIN_ID "\"},\"name\":\"empirical-proof-record-80e223866476e888\"}]}";

static void test_proof_statement(void) {
    prova_doc *rec = signed_min_proof();
    CHECK(rec != NULL);
    if (!rec) return;
    prova_buf st = PROVA_BUF_INIT;
    prova_error e;
    CHECK(prova_intoto_statement(prova_doc_root(rec), NULL, &st, &e) == 0);
    size_t hl = strlen(WANT_STATEMENT_HEAD), bl = strlen(MIN_BODY), tl = strlen(WANT_STATEMENT_TAIL);
    CHECK(st.len == hl + bl + tl);
    CHECK(st.len == hl + bl + tl && memcmp(st.data, WANT_STATEMENT_HEAD, hl) == 0 &&
          memcmp(st.data + hl, MIN_BODY, bl) == 0 && memcmp(st.data + hl + bl, WANT_STATEMENT_TAIL, tl) == 0);
    /* A subject name of the caller's. */
    prova_buf st2 = PROVA_BUF_INIT;
    CHECK(prova_intoto_statement(prova_doc_root(rec), "run-\xc3\xa9", &st2, &e) == 0);
    CHECK(strstr(buf_str(&st2), "\"name\":\"run-\\u00e9\"}]}") != NULL);
    CHECK(prova_intoto_statement(prova_doc_root(rec), "\xff", &st2, &e) == PROVA_EINVAL &&
          strcmp(e.reason, "intoto_subject_name_invalid") == 0);

    /* The record the Statement carries verifies as the original: the same body, proof_id and signature. */
    prova_buf back = PROVA_BUF_INIT;
    CHECK(prova_intoto_record(st.data, st.len, &back, &e) == 0);
    prova_doc *bd = parse(buf_str(&back));
    char id[65];
    CHECK(bd && prova_proof_id(prova_doc_root(bd), id, NULL) == 0 && strcmp(id, MIN_ID) == 0);
    CHECK(bd && prova_json_str_eq(prova_json_get(prova_doc_root(bd), "signature"), MIN_SIG));
    CHECK(bd && prova_json_str_eq(prova_json_get(prova_doc_root(bd), "proof_id"), MIN_ID));
    prova_doc_free(bd);

    /* Refusals as the reference's: unsigned, and a proof_id that is not 64 lowercase hex. */
    prova_doc *body = parse(MIN_BODY);
    prova_buf x = PROVA_BUF_INIT;
    CHECK(prova_intoto_statement(prova_doc_root(body), NULL, &x, &e) == PROVA_EINVAL &&
          strcmp(e.reason, "intoto_unsigned") == 0);
    CHECK(x.len == 0);
    prova_doc_free(body);
    prova_buf_free(&back);
    prova_buf_free(&st2);
    prova_buf_free(&st);
    prova_doc_free(rec);
}

/* Builds an envelope (HMAC under the default key) around a Statement given as text. */
static void envelope_of(const void *st, size_t len, prova_buf *out) {
    prova_dsse_signer s = {.hmac_key = (const uint8_t *)DEFAULT_KEY, .hmac_key_len = strlen(DEFAULT_KEY)};
    out->len = 0;
    if (prova_dsse_sign(T, st, len, &s, 1, out, NULL) < 0) out->len = 0;
}

static prova_report *verify_proof_env(const prova_buf *env, int *ret) {
    prova_verify_options inner = {.no_skew = true, .allow_default_hmac_key = true};
    prova_dsse_verify_options o = {
        .hmac_key = (const uint8_t *)DEFAULT_KEY, .hmac_key_len = strlen(DEFAULT_KEY), .inner = &inner};
    prova_report *r = NULL;
    prova_error e;
    *ret = prova_dsse_verify(env->data, env->len, &o, &r, &e);
    return r;
}

/* Replaces the first occurrence of from by to in s (a new string). */
static char *replace(const char *s, const char *from, const char *to) {
    const char *p = strstr(s, from);
    if (!p) return NULL;
    size_t n = strlen(s) - strlen(from) + strlen(to);
    char *o = malloc(n + 1);
    if (!o) return NULL;
    size_t a = (size_t)(p - s);
    memcpy(o, s, a);
    strcpy(o + a, to);
    strcat(o, p + strlen(from));
    return o;
}

static void test_proof_dsse_verify(void) {
    prova_doc *rec = signed_min_proof();
    prova_buf st = PROVA_BUF_INIT, env = PROVA_BUF_INIT;
    CHECK(rec && prova_intoto_statement(prova_doc_root(rec), NULL, &st, NULL) == 0);
    const char *sts = buf_str(&st);
    envelope_of(st.data, st.len, &env);
    int rc;
    prova_report *r = verify_proof_env(&env, &rc);
    CHECK(rc == 0 && r && prova_report_valid(r));
    if (r && !prova_report_valid(r)) dump(r);
    /* Both layers: the envelope's, the Statement's and the record's own checks. */
    CHECK(r && has_check(r, "dsse.signatures[0]") && has_check(r, "intoto.subject") && has_check(r, "signature"));
    prova_report_free(r);

    /* The payload extracts back to the Statement. */
    prova_buf pl = PROVA_BUF_INIT;
    CHECK(prova_dsse_payload(env.data, env.len, &pl, NULL) == 0 && pl.len == st.len &&
          memcmp(pl.data, st.data, st.len) == 0);
    prova_buf_free(&pl);

    /* A subject digest that is not the body's proof_id (the envelope re-signed, so only the Statement is wrong). */
    char *bad = replace(sts, "{\"sha256\":\"80e2", "{\"sha256\":\"90e2");
    envelope_of(bad, strlen(bad), &env);
    r = verify_proof_env(&env, &rc);
    CHECK(rc == 0 && r && !prova_report_valid(r) && has_failure(r, "intoto_subject_digest"));
    prova_report_free(r);
    free(bad);
    /* A body changed after signing: the subject digest no longer matches and the inner HMAC fails. */
    bad = replace(sts, "\"statement\":\"S\"", "\"statement\":\"T\"");
    envelope_of(bad, strlen(bad), &env);
    r = verify_proof_env(&env, &rc);
    CHECK(rc == 0 && r && !prova_report_valid(r) && has_failure(r, "intoto_subject_digest"));
    prova_report_free(r);
    free(bad);
    /* Wrong _type, unknown predicateType, no subject, not JSON. */
    struct {
        const char *from, *to, *code;
    } cases[] = {
        {"Statement/v1", "Statement/v0.1", "intoto_type"},
        {"#empirical-proof-record-v1", "#other", "intoto_predicate_type"},
        {"\"subject\":[{", "\"subject\":[],\"x\":[{", "intoto_schema"},
        {"{\"_type\"", "[{\"_type\"", "intoto_json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bad = replace(sts, cases[i].from, cases[i].to);
        envelope_of(bad, strlen(bad), &env);
        r = verify_proof_env(&env, &rc);
        CHECK_MSG(rc == 0 && r && !prova_report_valid(r) && has_failure(r, cases[i].code), "case %zu", i);
        prova_report_free(r);
        free(bad);
    }
    /* An OPE predicateType around a proof record: the family does not match. */
    bad = replace(sts, "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empirical-proof-record-v1",
                  PROVA_INTOTO_OPE_PREDICATE_V1);
    envelope_of(bad, strlen(bad), &env);
    r = verify_proof_env(&env, &rc);
    CHECK(rc == 0 && r && !prova_report_valid(r) && has_failure(r, "intoto_schema"));
    prova_report_free(r);
    free(bad);

    /* Envelope-level damage, starting from the good envelope. */
    envelope_of(st.data, st.len, &env);
    const char *good = buf_str(&env);
    struct {
        const char *from, *to, *code;
    } ecases[] = {
        {"application/vnd.in-toto+json", "application/json", "dsse_payload_type"},
        {"\"payload\":\"eyJ", "\"payload\":\"!yJ", "dsse_payload_base64"},
        {"\"sig\":\"", "\"sig\":\"*", "dsse_sig_base64"},
        {"\"sig\":\"", "\"sig\":\"AAAA", "dsse_signature_invalid"},
        {"\"signatures\":[{", "\"signatures\":[],\"x\":[{", "dsse_schema"},
        {"\"keyid\":\"\"", "\"keyid\":7", "dsse_schema"},
        {"\"payloadType\"", "\"payloadtype\"", "dsse_schema"},
    };
    for (size_t i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
        bad = replace(good, ecases[i].from, ecases[i].to);
        prova_buf b = {(uint8_t *)bad, strlen(bad), strlen(bad) + 1, NULL};
        r = verify_proof_env(&b, &rc);
        CHECK_MSG(rc == 0 && r && !prova_report_valid(r) && has_failure(r, ecases[i].code), "envelope case %zu", i);
        prova_report_free(r);
        free(bad);
    }
    /* Truncated envelopes: every prefix is refused, never valid; the JSON ones say why. */
    size_t bad_count = 0;
    for (size_t n = 0; n < env.len; n++) {
        prova_buf b = {env.data, n, n, NULL};
        prova_error e;
        prova_dsse_verify_options o = {.hmac_key = (const uint8_t *)DEFAULT_KEY, .hmac_key_len = strlen(DEFAULT_KEY)};
        r = NULL;
        rc = prova_dsse_verify(b.data, b.len, &o, &r, &e);
        if (rc != PROVA_ESYNTAX || !r || prova_report_valid(r) || !has_check(r, "parse")) bad_count++;
        prova_report_free(r);
    }
    CHECK_MSG(bad_count == 0, "%zu truncations not refused as PROVA_ESYNTAX", bad_count);

    /* Without any HMAC key or keys: no valid signature, but the report is produced. */
    prova_report *r2 = NULL;
    CHECK(prova_dsse_verify(env.data, env.len, NULL, &r2, NULL) == 0 && r2 && !prova_report_valid(r2));
    CHECK(r2 && has_failure(r2, "dsse_keyid_unknown") && has_failure(r2, "dsse_no_valid_signature"));
    prova_report_free(r2);
    CHECK(prova_dsse_verify(NULL, 3, NULL, &r2, NULL) == PROVA_EINVAL);
    prova_buf_free(&st);
    prova_buf_free(&env);
    prova_doc_free(rec);
}

/* An OPE envelope (Ed25519, the all-zero seed) as a Statement and in an Ed25519 DSSE envelope. The subject digest is
 * the envelope's cid without "sha256:" (checked here against SHA-256 of the payload's bytes written by hand). */
static void test_ope_statement(void) {
    uint8_t zero[32] = {0};
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(zero, &k) == 0);
    prova_doc *payload = parse("{\"b\":\"caf\\u00e9\",\"a\":1}");
    prova_ope_envelope_params ep = {.payload_type = "vendor.v1",
                                    .target_type = "canonical.v1",
                                    .trace_id = "6f1c7c3e-8f1d-4b7a-9a53-2d1b8f0f6a11",
                                    .ts = "2026-01-01T00:00:00+00:00"};
    prova_buf env = PROVA_BUF_INIT, st = PROVA_BUF_INIT, dsse = PROVA_BUF_INIT;
    prova_error e;
    CHECK(payload && prova_ope_envelope_pack(k, prova_doc_root(payload), &ep, &env, &e) == 0);
    prova_doc *envd = parse(buf_str(&env));
    CHECK(envd && prova_intoto_statement(prova_doc_root(envd), NULL, &st, &e) == 0);
    char hex[129];
    static const char ope_bytes[] = "{\"a\":1,\"b\":\"caf\xc3\xa9\"}";
    CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, ope_bytes, sizeof ope_bytes - 1, hex) == 0);
    char want_head[2048];
    snprintf(want_head, sizeof want_head,
             "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"kind\":\"ope_envelope\",\"record\":%s},"
             "\"predicateType\":\"urn:prova:predicate:ope:v1\",\"subject\":[{\"digest\":{\"sha256\":\"%s\"},"
             "\"name\":\"ope-envelope-%.16s\"}]}",
             buf_str(&env), hex, hex);
    CHECK_STR(buf_str(&st), want_head);

    prova_keyset *ks = prova_keyset_new();
    uint8_t pk[32];
    prova_key *pub = NULL;
    CHECK(prova_key_public_raw(k, pk, sizeof pk) == 32 && prova_key_from_ed25519_public(pk, &pub) == 0);
    CHECK(prova_keyset_add(ks, pub, "test") == 0);
    prova_verify_options inner = {.keys = ks, .no_skew = true};
    prova_dsse_verify_options o = {.keys = ks, .inner = &inner};
    prova_dsse_signer s = {.key = k};
    prova_report *r = NULL;
    CHECK(prova_dsse_sign(T, st.data, st.len, &s, 1, &dsse, &e) == 0);
    CHECK(prova_dsse_verify(dsse.data, dsse.len, &o, &r, &e) == 0 && r && prova_report_valid(r));
    if (r && !prova_report_valid(r)) dump(r);
    CHECK(r && has_check(r, "intoto.predicate.kind") && has_check(r, "cid"));
    prova_report_free(r);
    /* The extracted record is the envelope's canonical bytes. */
    prova_buf back = PROVA_BUF_INIT;
    CHECK(prova_intoto_record(st.data, st.len, &back, &e) == 0 && back.len == env.len &&
          memcmp(back.data, env.data, env.len) == 0);
    prova_buf_free(&back);

    struct {
        const char *from, *to, *code;
    } cases[] = {
        {"\"kind\":\"ope_envelope\"", "\"kind\":\"ope_bundle\"", "intoto_predicate_kind"},
        {"urn:prova:predicate:ope:v1", "urn:prova:predicate:openexecution:v1", "intoto_predicate_type"},
        {"{\"sha256\":\"", "{\"sha256\":\"0", "intoto_subject_digest"},
        /* The payload changed under its cid: the record itself does not hold together. */
        {"\"a\":1", "\"a\":2", "intoto_record"},
        {"\"a\":1", "\"a\":2", "cid_mismatch"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *bad = replace(buf_str(&st), cases[i].from, cases[i].to);
        CHECK_MSG(bad != NULL, "case %zu", i);
        if (!bad) continue;
        dsse.len = 0;
        r = NULL;
        CHECK(prova_dsse_sign(T, bad, strlen(bad), &s, 1, &dsse, &e) == 0);
        CHECK(prova_dsse_verify(dsse.data, dsse.len, &o, &r, &e) == 0);
        CHECK_MSG(r && !prova_report_valid(r) && has_failure(r, cases[i].code), "OPE case %zu", i);
        prova_report_free(r);
        free(bad);
    }
    prova_keyset_free(ks);
    prova_buf_free(&dsse);
    prova_buf_free(&st);
    prova_buf_free(&env);
    prova_doc_free(envd);
    prova_doc_free(payload);
    prova_key_free(k);
}

int main(void) {
    test_pae();
    test_sign_hmac_reference();
    test_sign_errors();
    test_ed25519_envelope();
    test_proof_statement();
    test_proof_dsse_verify();
    test_ope_statement();
    TEST_SUMMARY();
}
