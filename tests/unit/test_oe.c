/* Unit tests for OpenExecution v2 (src/lib/oe/): every vector of reference/openexecution.md §6, then the builders'
 * argument checks and the verifier's reports.
 *
 * §6.1 the spec's worked example under all six hash algorithms (event and chain hashes), §6.2 the null actor and
 * +09:00 offset event, §6.3 the JS and Python SDK test chains, §6.4 the RFC 8032 test-1 certificate (751 canonical
 * bytes, its SHA-256, the Ed25519 signature, the bundle result and the two negative cases with the JS SDK's error
 * strings), §6.5 Ed448 (deterministic signature) and the ECDSA P-256 verify vector, §6.6 JCS edge cases, §6.7 Merkle
 * roots; timestamp normalization (truncation, offsets, PostgreSQL forms).
 * Prints one line per failure and "N passed, M failed" last. */
#define _GNU_SOURCE /* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "oe/oe_internal.h" /* the chain checker's fast path (found through -Isrc/lib) */
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/oe.h"
#include "prova/ope.h"
#include "prova/report.h"
#include "prova/verify.h"
#include "report_query.h"

static prova_doc *parse(const char *s) {
    prova_doc *d = NULL;
    prova_error err;
    if (prova_json_parse(s, strlen(s), NULL, &d, &err) < 0) {
        fprintf(stderr, "parse failed: %s: %s\n", err.message, s);
        return NULL;
    }
    return d;
}

static prova_doc *parse_buf(const prova_buf *b) {
    prova_doc *d = NULL;
    if (prova_json_parse(b->data, b->len, NULL, &d, NULL) < 0) return NULL;
    return d;
}

/* ---- §6.1 ---------------------------------------------------------------------------------------------------- */

#define CHAIN_ID "11111111-2222-4333-8444-555555555555"

static const char *const P1 = "{\"ref\":\"refs/heads/main\",\"commits\":1}";
static const char *const P2 = "{\"pr_number\":42,\"title\":\"Fix bug\"}";
static const char *const P3 = "{\"pr_number\":42,\"merge_sha\":\"abc123\"}";

static const struct {
    const char *alg;
    const char *e[3];
    const char *chain;
} worked[] = {
    {"sha256",
     {"69a5e334f88b67ff0c7caa9226349e2410efa8944ee80fc60a25e60b851a1b0b",
      "47c6bc219c9e2d44ff990288fcaf9d563cfc5fd140238767a681dd159d826407",
      "5e7e9b1e58d97f29d36599205c6b6f5742e9bea3c21cd04b19d72b36a2d1ed72"},
     "d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd"},
    {"sha384",
     {"235e00261ec3cfb5a3bdf96806a740c329aa9d59b4ca6365ec814c618e3a68fa626a1b9a4293d01ee2498cfa12622304",
      "3c57f30858a680b1ed95b015c5a756bdc682d7b2186ed9c739e33b0b95cd1e7e11ba4654e08ea0480d229342f7ef8e3d",
      "f10ae274c6e4619210f2b94d8fc2e01aede2d7f24d88d2efd7ba8748088fa73e360bce9724950bfc6d4595550e63fb18"},
     "df08d4087ae41a270ffc109b9a64bd2c9f0f40c370b3f1d2b9725890b8ad4cd4c38250997e0761b37e2bb6e61c16c25d"},
    {"sha512",
     {"9f36637da9c20aabaf93f97804c1cba578b62a72dd618329b1f535fbf5ee5e417867476463f3760e6a4af8eaced61a2df67d8ec2537b0727"
      "d4713c9524cccc5c",
      "7d5841ff24f0945fdb5d6a60f185474125a2b2e62e5fcf65d4a44f45631439020ca8a676836d1428844580b64beb6b18adcb8295ee072323"
      "f85b8288f0e3d5ed",
      "e6b6f6c08a7a36838c5253ae61ec083839627e84126e16e5d137105a03665b31b9f0f01ddd0d5d6a4269896ed7eba34f7b20055bbaca84bc"
      "43d17ec3bbfbcee5"},
     "8dd42312cd5eed69514ed37e3d1cff2e10b1974902a6f3317213d015dd2c1403c113369ad518d18bb0fc3b8e725e1468310b757ac5022fab1"
     "e9abbb92dbc68d5"},
    {"sha3-256",
     {"ad59c852067e01adf2a6b1f6af92d2eefc564e989c9f9b6efc55113eaf136481",
      "4aedd71997dd526ef4a95fc36484621dd93d8188a8c35dbce5fd30989fe862fa",
      "d2a7a723e97b9801d9ce686763226e9e9c5f1600c773eb91a2fe813283af7b79"},
     "e2fb5d20b8813f8d09feacf884da16558b448706dc69c8476649670a53afaec4"},
    {"sha3-384",
     {"0195d11236f4a318311a37c99356db17b8e3ba4f94e7f1001059870884111c47f5f5282cbb9bcf07d4a252cce29ad03d",
      "fc3e4cba86ac639627dbff6e1f0a8219477472665503ff94fa05d696d032d850a2441ecce669cacfb4fe0bc03340005b",
      "2e71326efc37ea8657cb16f7dd3f8b3a5138688044e756f73528e6a7ee50eeb343e8fd8b34701240e3716beeda48c41a"},
     "ec55bcc8c79cf35a05adcf3cf272d7b877784db993adedb298abc18adfd7a290be7214e3712f5af4888b7a86a821d4a7"},
    {"sha3-512",
     {"ec45c2c4b795fc6ecb8ba46b4ea71c746fd50f77acebc7c52d9923685aaa5646df481cf73b51105f06d49c0439ab0168b156ab45e87d7bc9"
      "161bd1341516b153",
      "39cfdba5b57eb2b6be0a93d29144c0da40f69a37a11605f674449f7cd40f405453bd5acc448c54a6d108531b157e853ee8a85d03d33a2634"
      "1d1705861ba04be4",
      "2f806977f2d8bb0942323d42323f2ad9128ccf78155e950246abab6f6509a06ee4f4f1c3cbdcdb2c79f6a7af0b1840b22bf3d9cb90ae4005"
      "6734b5754e59add1"},
     "804a8e0b78f51d7cdd9440585048201413c0848dd2ad7e6084d18f4c78f7223c40e26febe9a2eb8216a5c0c778fe0a2b2b91dd3aea61a6d29"
     "cbc0613b410dca9"},
};

/* Builds the worked example as a resolved chain record (created 09:59:59, resolved 11:05:00) with the library's
 * own builders; returns the record (caller frees). */
static prova_doc *worked_chain(prova_hash_alg alg, prova_sig_alg sig) {
    prova_oe_chain_params cp = {.id = CHAIN_ID,
                                .chain_type = "resource_audit",
                                .origin_type = "github",
                                .origin_id = "octocat/hello-world",
                                .hash_alg = alg,
                                .sig_alg = sig,
                                .created_at = "2026-03-20T09:59:59.000Z"};
    prova_buf b = PROVA_BUF_INIT;
    if (prova_oe_chain_new(&cp, &b, NULL) < 0) return NULL;
    prova_doc *chain = parse_buf(&b);
    static const struct {
        const char *type, *actor, *sentiment, *at;
        const char *const *payload;
    } evs[] = {{"code_pushed", "octocat", NULL, "2026-03-20T10:00:00.000Z", &P1},
               {"pr_opened", "octocat", NULL, "2026-03-20T10:30:00.000Z", &P2},
               {"pr_merged", "maintainer-bot", "positive", "2026-03-20T11:00:00.000Z", &P3}};
    for (size_t i = 0; chain && i < 3; i++) {
        prova_doc *pd = parse(*evs[i].payload);
        prova_oe_event_params ep = {.event_type = evs[i].type,
                                    .actor_id = evs[i].actor,
                                    .sentiment = evs[i].sentiment,
                                    .created_at = evs[i].at,
                                    .payload = prova_doc_root(pd)};
        b.len = 0;
        int r = prova_oe_chain_append(prova_doc_root(chain), &ep, evs[i].at, &b, NULL);
        prova_doc_free(pd);
        prova_doc_free(chain);
        chain = r == 0 ? parse_buf(&b) : NULL;
    }
    b.len = 0;
    if (chain && prova_oe_chain_resolve(prova_doc_root(chain), "2026-03-20T11:05:00.000Z", &b, NULL) == 0) {
        prova_doc_free(chain);
        chain = parse_buf(&b);
    } else {
        chain = prova_doc_free(chain);
    }
    prova_buf_free(&b);
    return chain;
}

static void test_worked_example(void) {
    for (size_t k = 0; k < sizeof worked / sizeof worked[0]; k++) {
        prova_hash_alg alg;
        CHECK(prova_oe_hash_lookup(worked[k].alg, &alg) == 0);
        prova_doc *chain = worked_chain(alg, PROVA_SIG_ED25519);
        CHECK_MSG(chain != NULL, "%s: building the chain failed", worked[k].alg);
        if (!chain) continue;
        const prova_json *events = prova_json_get(prova_doc_root(chain), "events");
        CHECK(prova_json_len(events) == 3);
        for (size_t i = 0; i < 3 && i < prova_json_len(events); i++) {
            const prova_json *e = prova_json_at(events, i);
            CHECK_STR(prova_json_str(prova_json_get(e, "event_hash")), worked[k].e[i]);
            char hex[PROVA_OE_HEX_MAX + 1];
            CHECK(prova_oe_event_hash(e, alg, hex, NULL) == 0);
            CHECK_STR(hex, worked[k].e[i]);
        }
        CHECK_STR(prova_json_str(prova_json_get(prova_doc_root(chain), "chain_hash")), worked[k].chain);
        /* The chain record verifies; the report names no failure. */
        prova_report *rep = prova_report_new("t");
        CHECK(prova_oe_verify_doc(prova_doc_root(chain), NULL, rep) == 0);
        CHECK_MSG(prova_report_valid(rep), "%s chain record", worked[k].alg);
        CHECK_STR(prova_report_kind(rep), "oe_chain");
        prova_report_free(rep);
        prova_doc_free(chain);
    }
    /* The spec's canonical input of event 1, verbatim. */
    prova_doc *e1 = parse("{\"seq\":1,\"event_type\":\"code_pushed\",\"actor_id\":\"octocat\",\"created_at\":"
                          "\"2026-03-20T10:00:00.000Z\",\"payload\":{\"ref\":\"refs/heads/main\",\"commits\":1},"
                          "\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}");
    prova_buf in = PROVA_BUF_INIT;
    CHECK(prova_oe_event_input(prova_doc_root(e1), &in, NULL) == 0);
    CHECK(prova_buf_append(&in, "", 1) == 0);
    CHECK_STR(
        (const char *)in.data,
        "{\"actor_id\":\"octocat\",\"event_type\":\"code_pushed\",\"payload\":{\"commits\":1,\"ref\":\"refs/heads/"
        "main\"},\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"seq\":1,"
        "\"timestamp\":\"2026-03-20T10:00:00.000Z\"}");
    prova_buf_free(&in);
    prova_doc_free(e1);
}

/* ---- §6.2, §6.3, timestamps ------------------------------------------------------------------------------------ */

static void event_hash_is(const char *json, const char *want) {
    prova_doc *d = parse(json);
    char hex[PROVA_OE_HEX_MAX + 1] = "";
    CHECK(d && prova_oe_event_hash(prova_doc_root(d), PROVA_HASH_SHA256, hex, NULL) == 0);
    CHECK_STR(hex, want);
    prova_doc_free(d);
}

#define G64 "0000000000000000000000000000000000000000000000000000000000000000"

static void test_event_vectors(void) {
    event_hash_is(
        "{\"seq\":1,\"event_type\":\"session_started\",\"actor_id\":null,\"created_at\":\"2026-03-20T19:00:00."
        "123456+09:00\",\"payload\":{},\"prev_hash\":\"" G64 "\"}",
        "f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d");
    /* "" and a missing actor are "system" too (JS actor_id || 'system'). */
    event_hash_is(
        "{\"seq\":1,\"event_type\":\"session_started\",\"actor_id\":\"\",\"created_at\":\"2026-03-20T10:00:00."
        "123Z\",\"payload\":{},\"prev_hash\":\"" G64 "\"}",
        "f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d");
    event_hash_is("{\"seq\":1,\"event_type\":\"session_started\",\"created_at\":\"2026-03-20 10:00:00.1239+00\","
                  "\"payload\":{},\"prev_hash\":\"" G64 "\"}",
                  "f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d");

    /* §6.3: the JS SDK test chain (new Date(1700000000000 + i*1000)) and the Python one. */
    static const char *const js[] = {"579a197f2a5ca2df9335e61e6e713843123840a471333e81cfd50a689922edac",
                                     "1b2fb4262beb0d41dc034d85d468379b3480314988a17a11e8599c6fe60cc12a",
                                     "bf55cdc4058eff25efea3a7e9df5e3c859131353e6c632cdc9c7819c0d18fd1b"};
    static const char *const py[] = {"1ecdd5b5b08d8f9d5222d5ddec804267248818de50bec533f39ff9f2dee1eedf",
                                     "d13c63565a82dfc6067b855a770227f4d7d6d9c26675d851a1dbb548104b17ab",
                                     "c702357d5a61afe98ed46c0f49a38f5fe5a3504119955c4b6115f1632cf7b02e"};
    static const char *const js_times[] = {"2023-11-14T22:13:21.000Z", "2023-11-14T22:13:22.000Z",
                                           "2023-11-14T22:13:23.000Z"};
    static const char *const py_times[] = {"2023-11-15T00:00:01.000Z", "2023-11-15T00:00:02.000Z",
                                           "2023-11-15T00:00:03.000Z"};
    for (int set = 0; set < 2; set++) {
        const char *const *want = set ? py : js;
        const char *const *times = set ? py_times : js_times;
        prova_buf arr = PROVA_BUF_INIT;
        CHECK(prova_buf_append(&arr, "[", 1) == 0);
        const char *prev = G64;
        for (int i = 0; i < 3; i++) {
            char ev[512];
            snprintf(ev, sizeof ev,
                     "{\"seq\":%d,\"event_type\":\"test\",\"actor_id\":\"system\",\"created_at\":\"%s\",\"payload\":"
                     "{\"value\":%d},\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}",
                     i + 1, times[i], i + 1, prev, want[i]);
            event_hash_is(ev, want[i]);
            if (i) CHECK(prova_buf_append(&arr, ",", 1) == 0);
            CHECK(prova_buf_append(&arr, ev, strlen(ev)) == 0);
            prev = want[i];
        }
        CHECK(prova_buf_append(&arr, "]", 1) == 0);
        /* As an event array: valid, and the chain hash is the SDKs'. */
        prova_report *rep = NULL;
        CHECK(prova_verify_document(arr.data, arr.len, NULL, &rep, NULL) == 0);
        CHECK(rep && prova_report_valid(rep));
        CHECK_STR(prova_report_kind(rep), "oe_events");
        const prova_check *c = prova_report_check_at(rep, prova_report_check_count(rep) - 1);
        CHECK(c && strstr(c->message, set ? "665ebc6a0607f943973560f98484512cd5cafe37b516810d08b8deeafc86a29f"
                                          : "80180c4364998eef6a2941af5f56d9eb88ff65ca3bc8e247144d7d818bcd7d87"));
        prova_report_free(rep);
        prova_buf_free(&arr);
    }

    /* Timestamp normalization: truncation (never rounding), offsets, PostgreSQL text; no offset is refused. */
    static const struct {
        const char *in, *out;
    } ts[] = {{"2026-03-20T10:00:00.9999Z", "2026-03-20T10:00:00.999Z"},
              {"2026-03-20T10:00:00.123456Z", "2026-03-20T10:00:00.123Z"},
              {"2026-03-20T10:00:00Z", "2026-03-20T10:00:00.000Z"},
              {"2026-03-20T10:00:00.1Z", "2026-03-20T10:00:00.100Z"},
              {"2026-03-20T19:00:00+09:00", "2026-03-20T10:00:00.000Z"},
              {"2026-03-20 10:00:00+00", "2026-03-20T10:00:00.000Z"},
              {"2026-03-20 05:30:00.5-04:30", "2026-03-20T10:00:00.500Z"},
              {"1969-12-31T23:59:59.9999Z", "1969-12-31T23:59:59.999Z"},
              {"2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"}};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        char out[PROVA_OE_TIME_LEN + 1] = "";
        CHECK(prova_oe_timestamp(ts[i].in, strlen(ts[i].in), out) == 0);
        CHECK_STR(out, ts[i].out);
    }
    static const char *const bad[] = {"2026-03-20T10:00:00",
                                      "2026-03-20",
                                      "2026-02-30T10:00:00Z",
                                      "yesterday",
                                      "2026-03-20T10:00:00.Z",
                                      "2026-03-20T25:00:00Z",
                                      ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[PROVA_OE_TIME_LEN + 1];
        CHECK_MSG(prova_oe_timestamp(bad[i], strlen(bad[i]), out) == PROVA_ESYNTAX, "accepted '%s'", bad[i]);
    }
    /* A missing or bad created_at is an error with its own reason. */
    prova_doc *d = parse("{\"seq\":1,\"event_type\":\"x\",\"payload\":{},\"prev_hash\":\"" G64 "\"}");
    char hex[PROVA_OE_HEX_MAX + 1];
    prova_error err;
    CHECK(prova_oe_event_hash(prova_doc_root(d), PROVA_HASH_SHA256, hex, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "oe_timestamp_invalid");
    prova_doc_free(d);
    /* Genesis lengths. */
    char g[PROVA_OE_HEX_MAX + 1];
    prova_oe_genesis(PROVA_HASH_SHA3_384, g);
    CHECK(strlen(g) == 96 && strspn(g, "0") == 96);
    prova_hash_alg a;
    CHECK(prova_oe_hash_lookup("sha3_512", &a) == 0 && a == PROVA_HASH_SHA3_512);
    CHECK(prova_oe_hash_lookup("md5", &a) == PROVA_EUNSUPPORTED);
}

/* ---- §6.4 and §6.5: certificates -------------------------------------------------------------------------------- */

static const char CERT_751[] =
    "{\"artifact_ref\":\"octocat/hello-world\",\"artifact_title\":\"Hello World repository audit\",\"artifact_type\":"
    "\"repository\",\"chain_created_at\":\"2026-03-20T09:59:59.000Z\",\"chain_hash\":"
    "\"d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd\",\"chain_id\":"
    "\"11111111-2222-4333-8444-555555555555\",\"chain_resolved_at\":\"2026-03-20T11:05:00.000Z\",\"chain_type\":"
    "\"resource_audit\",\"event_count\":3,\"events\":[{\"actor_id\":\"octocat\",\"event_type\":\"code_pushed\","
    "\"sentiment\":\"neutral\",\"seq\":1},{\"actor_id\":\"octocat\",\"event_type\":\"pr_opened\",\"sentiment\":"
    "\"neutral\",\"seq\":2},{\"actor_id\":\"maintainer-bot\",\"event_type\":\"pr_merged\",\"sentiment\":\"positive\","
    "\"seq\":3}],\"issued_at\":\"2026-03-20T11:05:01.000Z\",\"origin_id\":\"octocat/hello-world\",\"origin_type\":"
    "\"github\",\"version\":\"1.0\"}";
static const char SIG_ED25519[] = "e3e6797d5a9e03b508acc8a6d56f410d31baf15c3315865afcd0e82680e350e591780c70608ccce6cfb"
                                  "f877ee684bfae1d4842d1752be8fe18afd0859cf39500";
static const char SIG_ED448[] =
    "472d108813e92310a60f7d90c1341882c9e8f9800c1bb248374d7539526cbdfd581324785f2bb3244f1f878e3bc16617cc5632ccd1481d9a"
    "007bc8ec260a299268cfa3f65f25098fd1c2c9bae47b3767bd45f9cc5cfb27ce0ea81df1f25907e7a3d5194192d343152b650765aa189e05"
    "3f00";

static prova_key *key_from_hex(const char *pkcs8_prefix, const char *seed) {
    char der_hex[400];
    snprintf(der_hex, sizeof der_hex, "%s%s", pkcs8_prefix, seed);
    uint8_t der[200];
    size_t n = 0;
    if (prova_hex_decode(der_hex, strlen(der_hex), der, sizeof der, &n, NULL) < 0) return NULL;
    char b64[400];
    prova_base64_encode(der, n, b64, sizeof b64);
    char pem[600];
    snprintf(pem, sizeof pem, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);
    prova_key *k = NULL;
    return prova_key_from_pem(pem, strlen(pem), &k, NULL) == 0 ? k : NULL;
}

/* The bundle of the worked example, certified with key (issued 11:05:01). */
static prova_doc *certify(const prova_key *key, prova_sig_alg alg, prova_buf *bundle) {
    prova_doc *chain = worked_chain(PROVA_HASH_SHA256, alg);
    prova_oe_cert_params p = {.artifact_type = "repository",
                              .artifact_ref = "octocat/hello-world",
                              .artifact_title = "Hello World repository audit",
                              .issued_at = "2026-03-20T11:05:01Z",
                              .certificate_id = "cert-1"};
    prova_error err;
    bundle->len = 0;
    int r = chain ? prova_oe_certify(key, prova_doc_root(chain), &p, bundle, NULL, &err) : -1;
    CHECK_MSG(r == 0, "certify: %s", r == -1 ? "no chain" : err.message);
    prova_doc_free(chain);
    return r == 0 ? parse_buf(bundle) : NULL;
}

static prova_report *verify_text(const char *s, size_t n) {
    prova_report *rep = NULL;
    prova_verify_options o = {0};
    CHECK(prova_verify_document(s, n, &o, &rep, NULL) == 0);
    return rep;
}

static void test_certificates(void) {
    /* §6.4 Ed25519, RFC 8032 test 1 key. */
    prova_key *k = key_from_hex("302e020100300506032b657004220420",
                                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    CHECK(k != NULL);
    prova_buf bundle = PROVA_BUF_INIT;
    prova_doc *b = k ? certify(k, PROVA_SIG_ED25519, &bundle) : NULL;
    CHECK(b != NULL);
    if (b) {
        const prova_json *cert = prova_json_get(prova_doc_root(b), "certificate");
        prova_buf canon = PROVA_BUF_INIT;
        CHECK(prova_canon_write(cert, PROVA_PROFILE_JCS, &canon, NULL) == 0);
        CHECK(canon.len == 751);
        CHECK(canon.len == strlen(CERT_751) && memcmp(canon.data, CERT_751, canon.len) == 0);
        char h[PROVA_OE_HEX_MAX + 1];
        CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, canon.data, canon.len, h) == 0);
        CHECK_STR(h, "fb98285ffdc1917bf8c1bfc098e4726fd920c7bccc17a984e47c0e8dae038096");
        CHECK_STR(prova_json_str(prova_json_get(prova_doc_root(b), "certificate_signature")), SIG_ED25519);
        prova_buf_free(&canon);
        /* The bundle verifies, and its SDK result is the reference's. */
        prova_report *rep = verify_text((const char *)bundle.data, bundle.len);
        CHECK(rep && prova_report_valid(rep));
        CHECK_STR(prova_report_kind(rep), "oe_bundle");
        CHECK_STR(prova_report_sdk_result(rep),
                  "{\"certificate_signature_valid\":true,\"chain_hash_valid\":true,\"chain_integrity\":{\"errors\":[],"
                  "\"event_count\":3,\"is_valid\":true},\"errors\":[],\"valid\":true}");
        prova_report_free(rep);

        /* Negative case 1: e2's payload title "Fix bugs" (chain_hash_valid stays true in the SDK). */
        char *t = malloc(bundle.len + 8);
        memcpy(t, bundle.data, bundle.len);
        t[bundle.len] = '\0';
        char *at = strstr(t, "\"title\":\"Fix bug\"");
        CHECK(at != NULL);
        if (at) {
            memmove(at + 17, at + 16, strlen(at + 16) + 1);
            at[16] = 's';
            rep = verify_text(t, strlen(t));
            CHECK(rep && !prova_report_valid(rep));
            CHECK_STR(prova_report_sdk_result(rep),
                      "{\"certificate_signature_valid\":true,\"chain_hash_valid\":true,\"chain_integrity\":{\"errors\":"
                      "[\"Event seq=2: event_hash mismatch (computed 94930fb04bb117e3..., got 47c6bc219c9e2d44...)\"],"
                      "\"event_count\":3,\"is_valid\":false},\"errors\":[\"Event seq=2: event_hash mismatch (computed "
                      "94930fb04bb117e3..., got 47c6bc219c9e2d44...)\"],\"valid\":false}");
            CHECK(has_failure(rep, "event_hash_mismatch"));
            CHECK(has_failure(rep, "chain_hash_recomputed_mismatch")); /* what prova adds */
            CHECK(!has_failure(rep, "chain_hash_mismatch"));
            prova_report_free(rep);
        }
        free(t);
        prova_doc_free(b);
    }
    /* The oe_sig_ display form verifies in prova (spec §4.3); the SDK, which does not strip it, says false. */
    if (k) {
        prova_buf pref = PROVA_BUF_INIT;
        b = certify(k, PROVA_SIG_ED25519, &bundle);
        char *t = malloc(bundle.len + 8);
        memcpy(t, bundle.data, bundle.len);
        t[bundle.len] = '\0';
        char *at = strstr(t, "\"certificate_signature\":\"");
        CHECK(at != NULL);
        if (at) {
            at += strlen("\"certificate_signature\":\"");
            CHECK(prova_buf_append(&pref, t, (size_t)(at - t)) == 0 && prova_buf_append(&pref, "oe_sig_", 7) == 0 &&
                  prova_buf_append(&pref, at, strlen(at)) == 0);
            prova_report *rep = verify_text((const char *)pref.data, pref.len);
            CHECK(rep && prova_report_valid(rep));
            CHECK(rep && strstr(prova_report_sdk_result(rep), "\"certificate_signature_valid\":false"));
            prova_report_free(rep);
        }
        /* A public_key that is a private key is refused: the bundle would disclose the issuer's secret. */
        prova_buf jwk = PROVA_BUF_INIT, priv = PROVA_BUF_INIT;
        CHECK(prova_key_to_jwk(k, true, &jwk) == 0);
        const char *pk = strstr(t, "\"public_key\":\"");
        const char *pk_end = pk ? strstr(pk + 14, "\",\"status\"") : NULL;
        CHECK(pk && pk_end);
        if (pk && pk_end) {
            CHECK(prova_buf_append(&priv, t, (size_t)(pk - t)) == 0 &&
                  prova_buf_append(&priv, "\"public_key\":", 13) == 0 &&
                  prova_buf_append(&priv, jwk.data, jwk.len) == 0 &&
                  prova_buf_append(&priv, pk_end + 1, strlen(pk_end + 1)) == 0);
            prova_report *rep = verify_text((const char *)priv.data, priv.len);
            CHECK(rep && !prova_report_valid(rep) && has_failure(rep, "key_is_private"));
            prova_report_free(rep);
        }
        prova_buf_free(&jwk);
        prova_buf_free(&priv);
        prova_buf_free(&pref);
        free(t);
        prova_doc_free(b);
    }
    prova_key_free(k);

    /* §6.5 Ed448 (deterministic). */
    k = key_from_hex(
        "3047020100300506032b6571043b0439",
        "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032"
        "e7549a20098f95b");
    CHECK(k != NULL);
    b = k ? certify(k, PROVA_SIG_ED448, &bundle) : NULL;
    if (b) {
        CHECK_STR(prova_json_str(prova_json_get(prova_doc_root(b), "certificate_signature")), SIG_ED448);
        prova_report *rep = verify_text((const char *)bundle.data, bundle.len);
        CHECK(rep && prova_report_valid(rep));
        prova_report_free(rep);
        prova_doc_free(b);
    }
    prova_key_free(k);

    /* §6.5 ECDSA P-256: the reference's DER signature over the 751 bytes verifies with its SPKI. */
    prova_key *pk = NULL;
    static const char spki[] =
        "3059301306072a8648ce3d020106082a8648ce3d0301070342000460fed4ba255a9d31c961eb74c6356d68c049"
        "b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d446"
        "2299";
    CHECK(prova_key_from_spki_hex(spki, strlen(spki), &pk, NULL) == 0);
    static const char der[] =
        "3046022100cb2483494a1fab678405885112b091837181357247f1e5502b66a9fe2d1b2ef0022100c0f6b4cd4cd9b9"
        "524733002621e838bc06832f6edf192c59b70b12622f023ba1";
    uint8_t sig[80];
    size_t sl = 0;
    CHECK(prova_hex_decode(der, strlen(der), sig, sizeof sig, &sl, NULL) == 0);
    CHECK(pk && prova_key_verify(pk, CERT_751, strlen(CERT_751), sig, sl) == 0);
    /* A bundle carrying that certificate, signature and key verifies as a whole (signature part). */
    prova_key_free(pk);
    prova_buf_free(&bundle);

    /* Every algorithm: issue, verify; a P-384 chain refuses an Ed25519 key. */
    static const prova_sig_alg algs[] = {PROVA_SIG_ED25519, PROVA_SIG_ED448, PROVA_SIG_ECDSA_P256, PROVA_SIG_ECDSA_P384,
                                         PROVA_SIG_ECDSA_P521};
    for (size_t i = 0; i < 5; i++) {
        prova_key *g = NULL;
        CHECK(prova_key_generate(algs[i], &g) == 0);
        prova_buf bb = PROVA_BUF_INIT;
        prova_doc *d = g ? certify(g, algs[i], &bb) : NULL;
        prova_report *rep = d ? verify_text((const char *)bb.data, bb.len) : NULL;
        CHECK_MSG(rep && prova_report_valid(rep), "%s bundle", prova_sig_name(algs[i]));
        prova_report_free(rep);
        /* Revoke, then supersede is refused (final); the revoked bundle is invalid with certificate_revoked. */
        if (d) {
            prova_oe_status_params sp = {
                .status = PROVA_OE_REVOKED, .reason = "key compromise", .at = "2026-03-21T00:00:00Z"};
            prova_buf rv = PROVA_BUF_INIT;
            CHECK(prova_oe_set_status(g, prova_doc_root(d), &sp, &rv, NULL) == 0);
            rep = verify_text((const char *)rv.data, rv.len);
            CHECK(rep && !prova_report_valid(rep) && has_failure(rep, "certificate_revoked"));
            /* The SDK has no status: its result stays valid; prova's verdict is not. */
            CHECK(rep && strstr(prova_report_sdk_result(rep), "\"errors\":[],\"valid\":true}"));
            prova_report_free(rep);
            prova_doc *rd = parse_buf(&rv);
            prova_buf again = PROVA_BUF_INIT;
            prova_oe_status_params sup = {
                .status = PROVA_OE_SUPERSEDED, .superseded_by = "cert-2", .at = "2026-03-22T00:00:00Z"};
            prova_error err;
            CHECK(prova_oe_set_status(g, prova_doc_root(rd), &sup, &again, &err) == PROVA_EINVAL);
            CHECK(again.len == 0);
            prova_doc_free(rd);
            prova_buf_free(&again);
            prova_buf_free(&rv);
        }
        prova_doc_free(d);
        prova_buf_free(&bb);
        prova_key_free(g);
    }
    prova_key *ed = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &ed) == 0);
    prova_doc *chain = worked_chain(PROVA_HASH_SHA256, PROVA_SIG_ECDSA_P384);
    prova_oe_cert_params p = {.artifact_type = "a", .artifact_ref = "b", .issued_at = "2026-03-20T11:05:01Z"};
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    CHECK(chain && prova_oe_certify(ed, prova_doc_root(chain), &p, &out, NULL, &err) == PROVA_EKEY);
    CHECK_STR(err.reason, "key_algorithm_mismatch");
    CHECK(out.len == 0);
    prova_doc_free(chain);
    prova_key_free(ed);
    prova_buf_free(&out);
}

/* ---- §6.6 JCS and §6.7 Merkle --------------------------------------------------------------------------------------
 */

static void jcs_is(const char *in, const char *want) {
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_canon_bytes(in, strlen(in), PROVA_PROFILE_JCS, NULL, &b, NULL) == 0);
    CHECK(prova_buf_append(&b, "", 1) == 0);
    CHECK_STR((const char *)b.data, want);
    prova_buf_free(&b);
}

static void test_jcs_and_merkle(void) {
    jcs_is("{\"k\":\"\\u00e9\"}", "{\"k\":\"\xc3\xa9\"}");
    jcs_is("{\"\xf0\x9f\x98\x80\":1,\"\\uffff\":2,\"a\":3}", "{\"a\":3,\"\xf0\x9f\x98\x80\":1,\"\xef\xbf\xbf\":2}");
    jcs_is("{\"s\":\"line\\nbreak\\t\\u0001\\u007f\\\"\\\\\\/\"}", "{\"s\":\"line\\nbreak\\t\\u0001\x7f\\\"\\\\/\"}");
    jcs_is("[1.0,0.1,1e21,1e20,1e-7,0.000001,123456789.123,-0.0,5e-324,1.7976931348623157e308]",
           "[1,0.1,1e+21,100000000000000000000,1e-7,0.000001,123456789.123,0,5e-324,1.7976931348623157e+308]");
    jcs_is("[9007199254740993,12345678901234567890]", "[9007199254740992,12345678901234567000]");
    jcs_is("{\"u\":\"\\u2028\\u2029\"}", "{\"u\":\"\xe2\x80\xa8\xe2\x80\xa9\"}");

    const char *leaves[] = {"5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d406c9",
                            "d98cf53e0c8b77c14a96358d5b69584225b4bb9026423cbc2f7b0161894c402c",
                            "f60f2d65da046fcaaf8a10bd96b5630104b629e111aff46ce89792e1caa11b18"};
    char root[PROVA_OE_HEX_MAX + 1];
    CHECK(prova_oe_merkle_root(PROVA_HASH_SHA256, leaves, 2, root) == 0);
    CHECK_STR(root, "f85c1c9e42529e980b8d1435e2cb0b01f970ce30c9754721fec8995e010fed67");
    CHECK(prova_oe_merkle_root(PROVA_HASH_SHA256, leaves, 3, root) == 0);
    CHECK_STR(root, "bf7e817bae7621bb5ef7148a50aed3323158d73188128721d47ba778e9a37a4e");
    CHECK(prova_oe_merkle_root(PROVA_HASH_SHA256, leaves, 0, root) == 0);
    CHECK_STR(root, G64);
    const char *badleaf[] = {"zz"};
    CHECK(prova_oe_merkle_root(PROVA_HASH_SHA256, badleaf, 1, root) == PROVA_ESYNTAX);
}

/* ---- builders refuse bad arguments, leaving nothing behind --------------------------------------------------------
 */

static void test_builders(void) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    prova_oe_chain_params cp = {.chain_type = "nonsense", .created_at = "2026-03-20T10:00:00Z"};
    CHECK(prova_oe_chain_new(&cp, &out, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "oe_chain_type");
    cp.chain_type = NULL;
    cp.created_at = "not a time";
    CHECK(prova_oe_chain_new(&cp, &out, &err) == PROVA_ESYNTAX && out.len == 0);
    cp.created_at = "2026-03-20T10:00:00Z";
    CHECK(prova_oe_chain_new(&cp, &out, &err) == 0);
    prova_doc *chain = parse_buf(&out);
    out.len = 0;
    prova_oe_event_params ep = {.event_type = "x", .created_at = "2026-03-20T10:00:01Z", .sentiment = "happy"};
    CHECK(prova_oe_chain_append(prova_doc_root(chain), &ep, ep.created_at, &out, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "oe_sentiment");
    ep.sentiment = NULL;
    ep.event_type = "";
    CHECK(prova_oe_chain_append(prova_doc_root(chain), &ep, ep.created_at, &out, &err) == PROVA_EINVAL && out.len == 0);
    /* Certifying an open chain is refused; resolving twice too. */
    prova_key *k = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &k) == 0);
    prova_oe_cert_params p = {.artifact_type = "a", .artifact_ref = "b", .issued_at = "2026-03-20T11:05:01Z"};
    CHECK(prova_oe_certify(k, prova_doc_root(chain), &p, &out, NULL, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "oe_chain_not_resolved");
    CHECK(prova_oe_chain_resolve(prova_doc_root(chain), "2026-03-20T11:00:00Z", &out, &err) == 0);
    prova_doc *resolved = parse_buf(&out);
    out.len = 0;
    CHECK(prova_oe_chain_resolve(prova_doc_root(resolved), "2026-03-20T11:00:00Z", &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "oe_chain_not_open");
    ep.event_type = "late";
    CHECK(prova_oe_chain_append(prova_doc_root(resolved), &ep, ep.created_at, &out, &err) == PROVA_EINVAL);
    CHECK(out.len == 0);
    /* An empty chain resolves to H(""), and its certificate verifies (as in the JS SDK). */
    CHECK_STR(prova_json_str(prova_json_get(prova_doc_root(resolved), "chain_hash")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(prova_oe_certify(k, prova_doc_root(resolved), &p, &out, NULL, &err) == 0);
    prova_report *rep = verify_text((const char *)out.data, out.len);
    CHECK(rep && prova_report_valid(rep));
    prova_report_free(rep);
    prova_doc_free(chain);
    prova_doc_free(resolved);
    prova_key_free(k);
    prova_buf_free(&out);
}

/* ---- JSON Lines: the fast path (JCS text, no document) gives the report of the full path ------------------------- */

/* The failed check codes of a report, joined; and the last check's message. */
static void summary(const prova_report *rep, char *codes, size_t cap, const char **last) {
    codes[0] = '\0';
    for (size_t i = 0; i < prova_report_check_count(rep); i++) {
        const prova_check *c = prova_report_check_at(rep, i);
        if (!c->ok && strlen(codes) + strlen(c->code) + strlen(c->at) + 3 < cap) {
            strcat(codes, c->code);
            strcat(codes, "@");
            strcat(codes, c->at);
            strcat(codes, " ");
        }
    }
    *last = prova_report_check_count(rep) ? prova_report_check_at(rep, prova_report_check_count(rep) - 1)->message : "";
}

static void test_jsonl_paths(void) {
    /* Events with the odd corners the fast path must get right: falsy actors, numbers spelled differently,
     * escapes, non-ASCII and astral keys, offsets, a created_at with escapes, members in any order. */
    static const char *const bodies[] = {
        "\"actor_id\":null,\"payload\":{}",
        "\"actor_id\":\"\",\"payload\":{\"b\":1,\"a\":[1.0,2e0,-0.0]}",
        "\"actor_id\":0,\"payload\":{\"\\u00e9\":\"\\u0041\\n\\\"q\\\"\"}",
        "\"actor_id\":false,\"payload\":{\"\\ud83d\\ude00\":1,\"\\uffff\":2}",
        "\"actor_id\":[],\"payload\":[\"x\",{\"y\":null}]",
        "\"actor_id\":\"bob\",\"payload\":\"a string with \\\"prev_hash\\\":\\\"\"",
        "\"payload\":{\"prev_hash\":\"nested\",\"seq\":99},\"actor_id\":\"eve\"",
        "\"actor_id\":\"\\u0061lice\",\"payload\":12345678901234567890",
    };
    prova_buf lines = PROVA_BUF_INIT, arr = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&arr, "[", 1) == 0);
    char prev[PROVA_OE_HEX_MAX + 1] = G64;
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char ev[1024], hex[PROVA_OE_HEX_MAX + 1];
        const char *seq = i == 2 ? "3.0" : i == 3 ? "4e0" : NULL;
        char seqbuf[8];
        snprintf(seqbuf, sizeof seqbuf, "%zu", i + 1);
        snprintf(ev, sizeof ev,
                 "{%s,\"seq\":%s,\"event_type\":\"t%zu\",\"created_at\":\"2026-03-20T1%zu:00:00.5%s\","
                 "\"prev_hash\":\"%s\"}",
                 bodies[i], seq ? seq : seqbuf, i, i, i % 2 ? "+09:00" : "Z", prev);
        prova_doc *d = parse(ev);
        CHECK(d && prova_oe_event_hash(prova_doc_root(d), PROVA_HASH_SHA256, hex, NULL) == 0);
        prova_doc_free(d);
        size_t n = strlen(ev);
        snprintf(ev + n - 1, sizeof ev - n + 1, ",\"event_hash\":\"%s\"}", hex);
        CHECK(prova_buf_append(&lines, ev, strlen(ev)) == 0 && prova_buf_append(&lines, "\n", 1) == 0);
        if (i) CHECK(prova_buf_append(&arr, ",", 1) == 0);
        CHECK(prova_buf_append(&arr, ev, strlen(ev)) == 0);
        memcpy(prev, hex, sizeof prev);
    }
    CHECK(prova_buf_append(&arr, "]", 1) == 0);
    /* Both forms, then each line broken in turn (a byte of the payload, of the hash, the seq): same verdicts. */
    prova_verify_options o = {.hash_alg = "sha256"};
    for (size_t mut = 0; mut <= 3 * 8; mut++) {
        prova_buf l2 = PROVA_BUF_INIT, a2 = PROVA_BUF_INIT;
        CHECK(prova_buf_append(&l2, lines.data, lines.len) == 0 && prova_buf_append(&a2, arr.data, arr.len) == 0);
        if (mut) {
            /* the k-th occurrence of a marker, in both texts */
            static const char *const marks[] = {"\"event_type\":\"t", "\"event_hash\":\"", "\"seq\":"};
            const char *m = marks[(mut - 1) % 3];
            size_t k = (mut - 1) / 3;
            prova_buf *bufs[2] = {&l2, &a2};
            for (int b = 0; b < 2; b++) {
                char *p = (char *)bufs[b]->data, *end = p + bufs[b]->len;
                for (size_t j = 0; p && j <= k; j++) {
                    p = memmem(p, (size_t)(end - p), m, strlen(m));
                    if (p && j < k) p += strlen(m);
                }
                if (p) p[strlen(m)] = p[strlen(m)] == '9' ? '8' : '9';
            }
        }
        prova_report *r1 = prova_report_new("t"), *r2 = NULL;
        prova_error err;
        CHECK(prova_oe_verify_jsonl(l2.data, l2.len, &o, r1, &err) == 0);
        CHECK(prova_verify_document(a2.data, a2.len, &o, &r2, NULL) == 0);
        char c1[2048], c2[2048];
        const char *m1, *m2;
        summary(r1, c1, sizeof c1, &m1);
        summary(r2, c2, sizeof c2, &m2);
        CHECK_MSG(prova_report_valid(r1) == prova_report_valid(r2) && strcmp(c1, c2) == 0,
                  "mutation %zu: lines [%s] vs array [%s]", mut, c1, c2);
        if (mut == 0) {
            CHECK(prova_report_valid(r1));
            CHECK_STR(m1, m2); /* the chain hash */
        } else {
            CHECK(!prova_report_valid(r1));
        }
        prova_report_free(r1);
        prova_report_free(r2);
        prova_buf_free(&l2);
        prova_buf_free(&a2);
    }
    prova_buf_free(&lines);
    prova_buf_free(&arr);
}

/* ---- members outside the event hash ------------------------------------------------------------------------- */

/* The report's JSON form, NUL-terminated (the caller frees). */
static char *report_json(const prova_report *r) {
    prova_buf b = PROVA_BUF_INIT;
    if (!r || prova_report_to_json(r, &b) != 0 || prova_buf_append(&b, "", 1) != 0) {
        prova_buf_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

/* JSON text with `add` inserted after the first occurrence of `after` (the caller frees). */
static char *insert_after(const char *s, size_t n, const char *after, const char *add) {
    const char *p = memmem(s, n, after, strlen(after));
    if (!p) return NULL;
    size_t a = (size_t)(p - s) + strlen(after), k = strlen(add);
    char *o = malloc(n + k + 1);
    if (!o) return NULL;
    memcpy(o, s, a);
    memcpy(o + a, add, k);
    memcpy(o + a + k, s + a, n - a);
    o[n + k] = '\0';
    return o;
}

static void test_unauthenticated_members(void) {
    /* A chain record: prova's own event members outside the hash (id, chain_id, sentiment: no certificate covers
     * it here) are listed; a member added to an event later is listed too, and the chain stays valid. */
    prova_doc *chain = worked_chain(PROVA_HASH_SHA256, PROVA_SIG_ED25519);
    prova_buf text = PROVA_BUF_INIT;
    CHECK(chain && prova_canon_write(prova_doc_root(chain), PROVA_PROFILE_JCS, &text, NULL) == 0);
    prova_report *r = verify_text((const char *)text.data, text.len);
    char *js = report_json(r);
    CHECK(r && prova_report_valid(r) && has_warning(r, "unauthenticated_fields"));
    CHECK(js && strstr(js, "\"/events/*/sentiment\"") && strstr(js, "\"/events/*/id\"") &&
          !strstr(js, "/events/*/payload") && !strstr(js, "/events/*/seq"));
    prova_report_free(r);
    free(js);
    char *t = insert_after((const char *)text.data, text.len, "\"event_type\":\"pr_opened\"",
                           ",\"note\":\"added later\",\"x/y~z\":{\"a\":[1,\"}\"]}");
    r = t ? verify_text(t, strlen(t)) : NULL;
    js = report_json(r);
    CHECK(r && prova_report_valid(r) && has_warning(r, "unauthenticated_fields"));
    CHECK_MSG(js && strstr(js, "\"/events/*/note\"") && strstr(js, "\"/events/*/x~1y~0z\""), "%s", js ? js : "");
    prova_report_free(r);
    free(js);

    /* The same events as an array and as JSON Lines (the fast path): the same list, with the index as "*". */
    prova_doc *d = t ? parse(t) : NULL;
    const prova_json *events = d ? prova_json_get(prova_doc_root(d), "events") : NULL;
    prova_buf arr = PROVA_BUF_INIT, lines = PROVA_BUF_INIT;
    CHECK(events && prova_canon_write(events, PROVA_PROFILE_JCS, &arr, NULL) == 0);
    for (size_t i = 0; events && i < events->len; i++) {
        CHECK(prova_canon_write(&events->u.items[i], PROVA_PROFILE_JCS, &lines, NULL) == 0);
        CHECK(prova_buf_append(&lines, "\n", 1) == 0);
    }
    prova_verify_options o = {.hash_alg = "sha256"};
    prova_report *ra = NULL, *rl = NULL;
    CHECK(prova_verify_document(arr.data, arr.len, &o, &ra, NULL) == 0);
    CHECK(prova_verify_document(lines.data, lines.len, &o, &rl, NULL) == 0);
    char *ja = report_json(ra), *jl = report_json(rl);
    CHECK(ra && rl && prova_report_valid(ra) && prova_report_valid(rl));
    const char *want = "\"unauthenticated_fields\":[\"/*/chain_id\",\"/*/id\",\"/*/sentiment\",\"/*/note\","
                       "\"/*/x~1y~0z\"]";
    CHECK_MSG(ja && strstr(ja, want), "%s", ja ? ja : "");
    CHECK_MSG(jl && strstr(jl, want), "%s", jl ? jl : "");
    prova_report_free(ra);
    prova_report_free(rl);
    free(ja);
    free(jl);

    /* The fast path keeps lines with such members (it does not fall back to a document for them), and collects
     * their names; a member name with an escape is left to the full step, which collects it too. */
    oe_chain c;
    prova_report *scratch = prova_report_new("t");
    CHECK(scratch && prova__oe_chain_init(&c, PROVA_HASH_SHA256, "", scratch, false) == 0);
    bool handled = false;
    for (size_t i = 0; events && i < events->len; i++) {
        prova_buf one = PROVA_BUF_INIT;
        CHECK(prova_canon_write(&events->u.items[i], PROVA_PROFILE_JCS, &one, NULL) == 0);
        CHECK(prova__oe_chain_step_text(&c, (const char *)one.data, one.len, &handled) == 0);
        CHECK_MSG(handled, "event %zu: the fast path fell back", i);
        prova_buf_free(&one);
    }
    CHECK(c.nextra == 5 && c.extra_more == 0);
    prova__oe_chain_free(&c);
    CHECK(scratch && prova__oe_chain_init(&c, PROVA_HASH_SHA256, "", scratch, false) == 0);
    {
        const char *line0 = (const char *)lines.data;
        size_t n0 = (size_t)((const char *)memchr(line0, '\n', lines.len) - line0);
        char *l0 = insert_after(line0, n0, "{", "\"q\\\"uote\":1,");
        CHECK(l0 && prova__oe_chain_step_text(&c, l0, strlen(l0), &handled) == 0 && !handled && c.count == 0);
        prova_doc *ld = l0 ? parse(l0) : NULL;
        CHECK(ld && prova__oe_chain_step(&c, prova_doc_root(ld)) == 0 && c.count == 1);
        bool seen = false;
        for (size_t i = 0; i < c.nextra; i++) seen = seen || strcmp(c.extra[i], "q\"uote") == 0;
        CHECK(seen);
        prova_doc_free(ld);
        free(l0);
    }
    prova__oe_chain_free(&c);
    prova_report_free(scratch);
    prova_buf_free(&arr);
    prova_buf_free(&lines);
    prova_doc_free(d);
    free(t);

    /* A bundle: the certificate's event summaries sign sentiment, so it is not listed; an added member is. */
    prova_key *k = key_from_hex("302e020100300506032b657004220420",
                                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    prova_buf bundle = PROVA_BUF_INIT;
    prova_doc *b = k ? certify(k, PROVA_SIG_ED25519, &bundle) : NULL;
    /* in the chain's events, not in the certificate's summaries (which come first in JCS order) */
    const char *ch = b ? memmem(bundle.data, bundle.len, "\"chain\":{", 9) : NULL;
    size_t choff = ch ? (size_t)(ch - (const char *)bundle.data) : 0;
    char *tail =
        ch ? insert_after(ch, bundle.len - choff, "\"event_type\":\"pr_opened\"", ",\"note\":\"added later\"") : NULL;
    char *bt = tail ? malloc(choff + strlen(tail) + 1) : NULL;
    if (bt) {
        memcpy(bt, bundle.data, choff);
        memcpy(bt + choff, tail, strlen(tail) + 1);
    }
    free(tail);
    r = bt ? verify_text(bt, strlen(bt)) : NULL;
    js = report_json(r);
    CHECK(r && prova_report_valid(r) && has_warning(r, "unauthenticated_fields"));
    CHECK_MSG(js && strstr(js, "\"/chain/events/*/note\"") && !strstr(js, "/chain/events/*/sentiment"), "%s",
              js ? js : "");
    /* the verdict and the SDK's result do not change */
    CHECK(r && strcmp(prova_report_sdk_result(r),
                      "{\"certificate_signature_valid\":true,\"chain_hash_valid\":true,\"chain_integrity\":{\"errors\":"
                      "[],\"event_count\":3,\"is_valid\":true},\"errors\":[],\"valid\":true}") == 0);
    prova_report_free(r);
    free(js);
    free(bt);
    prova_doc_free(b);
    prova_buf_free(&bundle);
    prova_key_free(k);
    prova_buf_free(&text);
    prova_doc_free(chain);
}

/* ---- creating attestations ------------------------------------------------------------------------------------ */

static void buf_is(prova_buf *b, const char *want) {
    CHECK_MSG(b->len == strlen(want) && memcmp(b->data, want, b->len) == 0, "got '%.*s', want '%s'", (int)b->len,
              b->data ? (const char *)b->data : "", want);
    b->len = 0;
}

/* The bundle with one attestation added holds want_att and verifies (prova, and the SDK result). */
static void attest_verifies(const prova_json *bundle, const prova_oe_attest_params *p, const char *want_att) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    int r = prova_oe_attest_bundle(bundle, p, &out, &err);
    CHECK_MSG(r == 0, "attest_bundle: %s", r == 0 ? "" : err.reason);
    if (r != 0) return;
    CHECK_MSG(memmem(out.data, out.len, want_att, strlen(want_att)) != NULL, "%.*s", (int)out.len, out.data);
    prova_report *rep = verify_text((const char *)out.data, out.len);
    CHECK(rep && prova_report_valid(rep));
    CHECK(rep && strstr(prova_report_sdk_result(rep), "\"attestation_results\":[{") != NULL);
    prova_report_free(rep);
    prova_buf_free(&out);
}

static void test_attest(void) {
    prova_buf b = PROVA_BUF_INIT;
    prova_error err;
    /* ContentIntegrity: the §6.7 vectors; leaves written lowercase; bad leaves refused, nothing written. */
    const char *leaves[] = {"5B41362BC82B7F3D56EDC5A306DB22105707D01FF4819E26FAEF9724A2D406C9",
                            "d98cf53e0c8b77c14a96358d5b69584225b4bb9026423cbc2f7b0161894c402c",
                            "f60f2d65da046fcaaf8a10bd96b5630104b629e111aff46ce89792e1caa11b18"};
    CHECK(prova_oe_attest_content_integrity(PROVA_HASH_SHA256, leaves, 3, &b, &err) == 0);
    buf_is(&b,
           "{\"hash_algorithm\":\"sha256\",\"leaves\":[\"5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d4"
           "06c9\",\"d98cf53e0c8b77c14a96358d5b69584225b4bb9026423cbc2f7b0161894c402c\",\"f60f2d65da046fcaaf8a10bd9"
           "6b5630104b629e111aff46ce89792e1caa11b18\"],\"root_hash\":\"bf7e817bae7621bb5ef7148a50aed3323158d7318812"
           "8721d47ba778e9a37a4e\",\"type\":\"ContentIntegrity\"}");
    CHECK(prova_oe_attest_content_integrity(PROVA_HASH_SHA256, leaves, 0, &b, &err) == 0);
    buf_is(&b, "{\"hash_algorithm\":\"sha256\",\"leaves\":[],\"root_hash\":\"" G64 "\",\"type\":\"ContentIntegrity\"}");
    const char *bad[][1] = {{"abc"}, {""}, {"zz"}, {"0x12"}};
    for (size_t i = 0; i < 4; i++) {
        CHECK(prova_oe_attest_content_integrity(PROVA_HASH_SHA256, bad[i], 1, &b, &err) == PROVA_ESYNTAX);
        CHECK(b.len == 0 && strcmp(err.reason, "oe_leaf_invalid") == 0);
    }
    CHECK(prova_oe_attest_content_integrity(PROVA_HASH_SHA256, NULL, 1, &b, &err) == PROVA_EINVAL);

    /* Timestamp: .sssZ, hash = sha256 of it, Ed25519 (RFC 8032 test 1 key) over it, as Python's cryptography. */
    prova_key *k = key_from_hex("302e020100300506032b657004220420",
                                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    CHECK(k != NULL);
    CHECK(prova_oe_attest_timestamp(k, PROVA_HASH_SHA256, "2026-03-20T12:00:00.987654+01:00", &b, &err) == 0);
    buf_is(&b, "{\"hash\":\"1107308a3aa5a5e25df8560fd8bcf30fea9571529748d55bf428602a67a7505b\",\"signed_timestamp\":"
               "\"5c1aa84d8cfe0b9f67bf5557b5af93cc4950b292468427642234a4d8a0f8f8348cc466d705436eae11626100de1113b1cf3b"
               "8bf9e1ffe4153bc7d6fe26f5b70a\",\"timestamp\":\"2026-03-20T11:00:00.987Z\",\"type\":\"Timestamp\"}");
    CHECK(prova_oe_attest_timestamp(NULL, PROVA_HASH_SHA256, "2026-03-20T11:00:00.987Z", &b, &err) == 0);
    buf_is(&b, "{\"hash\":\"1107308a3aa5a5e25df8560fd8bcf30fea9571529748d55bf428602a67a7505b\",\"timestamp\":"
               "\"2026-03-20T11:00:00.987Z\",\"type\":\"Timestamp\"}");
    CHECK(prova_oe_attest_timestamp(k, PROVA_HASH_SHA256, "2026-03-20 noon", &b, &err) == PROVA_ESYNTAX && !b.len);
    CHECK_STR(err.reason, "oe_timestamp_invalid");

    /* Blockchain: the record as given, block_number optional and JS-exact. */
    CHECK(prova_oe_attest_blockchain("d5756aae", "0xabc", "sepolia", 7, &b, &err) == 0);
    buf_is(&b, "{\"block_number\":7,\"chain_hash\":\"d5756aae\",\"network\":\"sepolia\",\"tx_hash\":\"0xabc\",\"type\":"
               "\"Blockchain\"}");
    CHECK(prova_oe_attest_blockchain("d5756aae", "0xabc", NULL, -1, &b, &err) == 0);
    buf_is(&b, "{\"chain_hash\":\"d5756aae\",\"tx_hash\":\"0xabc\",\"type\":\"Blockchain\"}");
    CHECK(prova_oe_attest_blockchain("d5756aae", "0xabc", NULL, 9007199254740991LL, &b, &err) == 0);
    b.len = 0;
    CHECK(prova_oe_attest_blockchain("d5756aae", "0xabc", NULL, 9007199254740992LL, &b, &err) == PROVA_EINVAL);
    CHECK(prova_oe_attest_blockchain("d5756aae", "", NULL, -1, &b, &err) == PROVA_EINVAL);
    CHECK(prova_oe_attest_blockchain("d5756aae", "a\nb", NULL, -1, &b, &err) == PROVA_EINVAL);
    CHECK(prova_oe_attest_blockchain("xyz", "0xabc", NULL, -1, &b, &err) == PROVA_EINVAL);
    CHECK(prova_oe_attest_blockchain("d5756aae", "0xabc", "", -1, &b, &err) == PROVA_EINVAL && b.len == 0);
    CHECK_STR(err.reason, "oe_attest_blockchain");

    /* Into the §6.4 bundle: the event hashes as leaves, the issuer key, the certificate's chain hash. */
    prova_buf bundle = PROVA_BUF_INIT;
    prova_doc *bd = k ? certify(k, PROVA_SIG_ED25519, &bundle) : NULL;
    const prova_json *root = bd ? prova_doc_root(bd) : NULL;
    if (root) {
        prova_oe_attest_params p = {.type = PROVA_OE_ATTEST_CONTENT_INTEGRITY, .block_number = -1};
        attest_verifies(
            root, &p,
            "\"attestations\":[{\"hash_algorithm\":\"sha256\",\"leaves\":[\"69a5e334f88b67ff0c7caa9226349e"
            "2410efa8944ee80fc60a25e60b851a1b0b\",\"47c6bc219c9e2d44ff990288fcaf9d563cfc5fd140238767a681dd1"
            "59d826407\",\"5e7e9b1e58d97f29d36599205c6b6f5742e9bea3c21cd04b19d72b36a2d1ed72\"],\"root_hash\""
            ":\"deb835abc082bb3ec4133f3cf97c130228b9898bc534a101afa04750b61c4b94\"");
        p.type = PROVA_OE_ATTEST_TIMESTAMP;
        p.key = k;
        p.at = "2026-03-20T11:00:00.987Z";
        attest_verifies(root, &p, "\"signed_timestamp\":\"5c1aa84d8cfe0b9f");
        p.type = PROVA_OE_ATTEST_BLOCKCHAIN;
        p.tx_hash = "0xabc";
        attest_verifies(
            root, &p,
            "{\"chain_hash\":\"d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd\",\"tx_hash\":"
            "\"0xabc\",\"type\":\"Blockchain\"}");
        /* another key, a public key, no key: refused */
        prova_key *other = key_from_hex("302e020100300506032b657004220420",
                                        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        p.type = PROVA_OE_ATTEST_TIMESTAMP;
        p.key = other;
        CHECK(prova_oe_attest_bundle(root, &p, &b, &err) == PROVA_EKEY && b.len == 0);
        CHECK_STR(err.reason, "oe_key_mismatch");
        p.key = NULL;
        CHECK(prova_oe_attest_bundle(root, &p, &b, &err) == PROVA_EKEY && b.len == 0);
        prova_key_free(other);
        p.type = (prova_oe_attest_type)42;
        CHECK(prova_oe_attest_bundle(root, &p, &b, &err) == PROVA_EINVAL && b.len == 0);
    }
    /* a bundle that does not verify, and not a bundle */
    char *tampered = bd ? insert_after((const char *)bundle.data, bundle.len, "\"title\":\"Fix bug", "s") : NULL;
    prova_doc *td = tampered ? parse_buf(&(prova_buf){.data = (uint8_t *)tampered, .len = strlen(tampered)}) : NULL;
    if (td) {
        prova_oe_attest_params p = {.type = PROVA_OE_ATTEST_CONTENT_INTEGRITY, .block_number = -1};
        CHECK(prova_oe_attest_bundle(prova_doc_root(td), &p, &b, &err) == PROVA_EVERIFY && b.len == 0);
        CHECK_STR(err.reason, "oe_bundle_invalid");
        CHECK(prova_oe_attest_bundle(prova_json_get(prova_doc_root(td), "chain"), &p, &b, &err) == PROVA_EINVAL);
        CHECK_STR(err.reason, "oe_schema");
    }
    CHECK(td != NULL);
    prova_doc_free(td);
    free(tampered);
    prova_doc_free(bd);
    prova_buf_free(&bundle);
    prova_key_free(k);
    prova_buf_free(&b);
}

/* ---- the scanning fast path (scan.c) against the canonicalizer's fast path, and --threads ---- */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the test's own formats, below */
/* One event line: the members in the order given by fmt (printf with seq, prev, hash), its hash computed. */
static char *event_line(const char *fmt, size_t seq, const char *prev) {
    char tmp[4096], hex[PROVA_OE_HEX_MAX + 1];
    snprintf(tmp, sizeof tmp, fmt, seq, prev, "");
    prova_doc *d = parse(tmp);
    CHECK(d && prova_oe_event_hash(prova_doc_root(d), PROVA_HASH_SHA256, hex, NULL) == 0);
    prova_doc_free(d);
    snprintf(tmp, sizeof tmp, fmt, seq, prev, hex);
    return strdup(tmp);
}

static const char *const line_fmt =
    "{ \"id\":\"e1\", \"seq\":%zu,\"event_type\":\"tool_call\",\"actor_id\":\"bot\",\"sentiment\":\"neutral\","
    "\"payload\":{\"tool\":\"grep\",\"args\":{\"z\":[1,-2,true,false,null,\"a\\nb\\\"c\"],\"a\":{}},"
    "\"\xc3\xa9t\xc3\xa9\":0,"
    "\"\xee\x80\x80\":1,\"\xf0\x9f\x98\x80\":2,\"n\":[]},\"created_at\":\"2026-03-20T10:00:01.449+09:00\","
    "\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}";

/* A, B: the same chain after `first`; `line` goes through the scan on A and the canonicalizer's path on B. The scan
 * may decline (then the earlier paths decide), but what it accepts the other path accepts with the same state. */
static bool scan_vs_canon(const char *first, const char *line, size_t n) {
    oe_chain a, b;
    oe_scan sc;
    prova_report *ra = prova_report_new("t"), *rb = prova_report_new("t");
    CHECK(prova__oe_chain_init(&a, PROVA_HASH_SHA256, "", ra, false) == 0);
    CHECK(prova__oe_chain_init(&b, PROVA_HASH_SHA256, "", rb, false) == 0);
    CHECK(prova__oe_scan_init(&sc, PROVA_HASH_SHA256) == 0);
    prova_doc *d = parse(first);
    CHECK(d && prova__oe_chain_step(&a, prova_doc_root(d)) == 0 && prova__oe_chain_step(&b, prova_doc_root(d)) == 0);
    prova_doc_free(d);
    oe_pre pre;
    bool ha = false, hb = false;
    CHECK(prova__oe_scan_event(&sc, line, n, &pre) == 0);
    CHECK(prova__oe_scan_apply(&a, &pre, &ha) == 0);
    CHECK(prova__oe_chain_step_text(&b, line, n, &hb) == 0);
    CHECK_MSG(!ha || hb, "the scan accepted what the canonicalizer's path refuses: %.*s", (int)n, line);
    if (ha && hb) {
        CHECK(a.count == b.count && a.prev.len == b.prev.len && memcmp(a.prev.data, b.prev.data, a.prev.len) == 0);
        CHECK(a.nextra == b.nextra);
        for (size_t i = 0; i < a.nextra && i < b.nextra; i++)
            CHECK_MSG(strcmp(a.extra[i], b.extra[i]) == 0, "%s / %s in %.*s", a.extra[i], b.extra[i], (int)n, line);
        char sa[PROVA_OE_HEX_MAX + 1], ca[PROVA_OE_HEX_MAX + 1], sb[PROVA_OE_HEX_MAX + 1], cb[PROVA_OE_HEX_MAX + 1];
        CHECK(prova__oe_chain_finish(&a, sa, ca) == 0 && prova__oe_chain_finish(&b, sb, cb) == 0);
        CHECK(strcmp(sa, sb) == 0 && strcmp(ca, cb) == 0);
    }
    prova__oe_scan_free(&sc);
    prova__oe_chain_free(&a);
    prova__oe_chain_free(&b);
    prova_report_free(ra);
    prova_report_free(rb);
    return ha;
}

static void test_scan_differential(void) {
    char genesis[PROVA_OE_HEX_MAX + 1];
    prova_oe_genesis(PROVA_HASH_SHA256, genesis);
    char *first = event_line(line_fmt, 1, genesis);
    prova_doc *d1 = parse(first);
    const prova_json *h1 = d1 ? prova_json_get(prova_doc_root(d1), "event_hash") : NULL;
    char prev[PROVA_OE_HEX_MAX + 1] = "";
    if (h1) memcpy(prev, h1->u.str, h1->len + 1);
    char *second = event_line(line_fmt, 2, prev);
    size_t n = strlen(second);
    /* The valid line, as written (whitespace, unsorted members, astral and U+E000 names): the scan takes it. */
    CHECK_MSG(scan_vs_canon(first, second, n), "the scan declined a valid event: %s", second);
    /* Every byte deleted, and replaced by bytes that matter to the grammar: never more accepting. */
    static const char subst[] = "\"\\{}[],: 0-e.un\x01\x1f\x7f\x80\xc3\xff";
    char *m = malloc(n + 1);
    size_t accepted = 0;
    for (size_t i = 0; m && i < n; i++) {
        memcpy(m, second, i);
        memcpy(m + i, second + i + 1, n - i - 1);
        accepted += scan_vs_canon(first, m, n - 1);
        for (size_t k = 0; k < sizeof subst - 1; k++) {
            memcpy(m, second, n);
            m[i] = subst[k];
            accepted += scan_vs_canon(first, m, n);
        }
    }
    free(m);
    /* Edits of the members outside the hash (id, sentiment) and of whitespace pass; the others must not. */
    CHECK_MSG(accepted > 0 && accepted < 600, "%zu", accepted);
    /* Hand-picked: escapes, numbers, duplicates, deep nesting, extra members, each with a recomputed hash. */
    static const char *const fmts[] = {
        "{\"seq\":%zu,\"payload\":{\"a\":\"\\u0041\"},\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\","
        "\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"payload\":{\"a\":\"x\\/y\"},\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\","
        "\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"payload\":{\"a\":1.0,\"b\":1e2,\"c\":-0,\"d\":12345678901234567},\"created_at\":"
        "\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"payload\":{\"a\":1,\"a\":2},\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\","
        "\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"payload\":{\"b\":1,\"a\":{\"y\":1,\"x\":2,\"y\":3}},\"created_at\":\"2026-03-20T10:00:01Z\","
        "\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"payload\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\",\"event_hash\":\"%"
        "s\"}",
        "{\"seq\":%zu,\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"created_at\":"
        "\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"z\":1,\"y\":{\"k\":[1]},\"actor_id\":0,\"event_type\":\"\",\"created_at\":"
        "\"2026-03-20T10:00:01.5-07:00\",\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"actor_id\":false,\"payload\":\"\x7f\",\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":"
        "\"%s\",\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"seq\":2,\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}",
        "{\"seq\":%zu,\"\xc3\xa9\":1,\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\",\"event_hash\":\"%"
        "s\"}",
    };
    static const bool taken[] = {false, false, false, false, false, false, false, true, true, false, false};
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        char tmp[4096], hex[PROVA_OE_HEX_MAX + 1] = "0";
        snprintf(tmp, sizeof tmp, fmts[k], (size_t)2, prev, "");
        prova_doc *d = parse(tmp); /* may not parse (duplicates): the stored hash is then any */
        if (d) CHECK(prova_oe_event_hash(prova_doc_root(d), PROVA_HASH_SHA256, hex, NULL) == 0);
        prova_doc_free(d);
        snprintf(tmp, sizeof tmp, fmts[k], (size_t)2, prev, hex);
        CHECK_MSG(scan_vs_canon(first, tmp, strlen(tmp)) == taken[k], "case %zu: %s", k, tmp);
    }
    prova_doc_free(d1);
    free(first);
    free(second);
}

#pragma GCC diagnostic pop

/* --threads: the same report, byte for byte, for any number of threads, on valid and tampered chains. */
static void test_jsonl_threads(void) {
    /* Long lines, then short ones: more than one 1 MiB range per thread, and ranges of more lines than a thread
     * keeps at once (8,192 lines of 2 MiB: they stop early and are resumed). */
    enum { N = 3000, NSHORT = 24000 };
    static const char *const short_fmt =
        "{\"seq\":%zu,\"created_at\":\"2026-03-20T10:00:01Z\",\"prev_hash\":\"%s\",\"event_hash\":\"%s\"}";
    prova_buf all = PROVA_BUF_INIT;
    char prev[PROVA_OE_HEX_MAX + 1];
    prova_oe_genesis(PROVA_HASH_SHA256, prev);
    size_t mid = 0, last = 0;
    for (size_t i = 1; i <= N + NSHORT; i++) {
        char *l = event_line(i <= N ? line_fmt : short_fmt, i, prev);
        prova_doc *d = parse(l);
        const prova_json *h = d ? prova_json_get(prova_doc_root(d), "event_hash") : NULL;
        if (h) memcpy(prev, h->u.str, h->len + 1);
        prova_doc_free(d);
        if (i == N / 2) mid = all.len;
        if (i == N + NSHORT) last = all.len;
        CHECK(prova_buf_append(&all, l, strlen(l)) == 0 && prova_buf_append(&all, "\n", 1) == 0);
        free(l);
    }
    const char *text = (const char *)all.data;
    for (int variant = 0; variant < 10; variant++) {
        char *t = malloc(all.len + 1);
        memcpy(t, text, all.len);
        size_t len = all.len;
        switch (variant) {
        case 1: /* a payload changed in the middle */
            t[mid + (size_t)(strstr(t + mid, "grep") - (t + mid))] = 'G';
            break;
        case 2: /* a broken link */
            t[mid + (size_t)(strstr(t + mid, "prev_hash\":\"") - (t + mid)) + 12] ^= 1;
            break;
        case 3: /* a bad stored hash */
            t[mid + (size_t)(strstr(t + mid, "event_hash\":\"") - (t + mid)) + 13] ^= 1;
            break;
        case 4: /* the last line truncated */
            len = last + 40;
            break;
        case 5: { /* a line repeated (duplicate seq) */
            size_t ll = (size_t)(strchr(text + mid, '\n') - (text + mid)) + 1;
            char *u = realloc(t, all.len + ll + 1);
            CHECK(u != NULL);
            t = u;
            memcpy(t + mid + ll, text + mid, all.len - mid);
            len = all.len + ll;
            break;
        }
        case 6: /* a syntax error in the middle */
            t[mid] = '[';
            break;
        case 7: /* a member outside the hash added to one line */
            t[mid + 3] = 'X';
            break;
        case 8: { /* blank lines early, then a syntax error late in the short lines: its line number */
            char *u = realloc(t, all.len + 4001);
            CHECK(u != NULL);
            t = u;
            memmove(t + 4000, text, all.len);
            memset(t, '\n', 4000);
            for (size_t k = 0; k < 4000; k += 4) t[k] = ' ';
            len = all.len + 4000;
            t[4000 + last - 5000] = '!';
            break;
        }
        case 9: /* a bad hash among the short lines */
            t[last - 3000 + (size_t)(strstr(t + last - 3000, "event_hash\":\"") - (t + last - 3000)) + 13] ^= 1;
            break;
        default:
            break;
        }
        char *ref = NULL;
        for (unsigned th = 1; th <= 4; th++) {
            prova_verify_options o = {.hash_alg = "sha256", .threads = th};
            prova_report *r = NULL;
            int vrc = prova_verify_document(t, len, &o, &r, NULL);
            CHECK(vrc == 0 || vrc == PROVA_ESYNTAX);
            char *js = report_json(r);
            CHECK(js != NULL);
            if (variant == 0) CHECK(r && prova_report_valid(r));
            if ((variant >= 1 && variant <= 6) || variant >= 8) CHECK(r && !prova_report_valid(r));
            if (th == 1)
                ref = js;
            else {
                CHECK_MSG(ref && js && strcmp(ref, js) == 0, "variant %d, %u threads", variant, th);
                free(js);
            }
            prova_report_free(r);
        }
        free(ref);
        free(t);
    }
    prova_buf_free(&all);
}

int main(void) {
    test_worked_example();
    test_event_vectors();
    test_certificates();
    test_jcs_and_merkle();
    test_builders();
    test_jsonl_paths();
    test_unauthenticated_members();
    test_attest();
    test_scan_differential();
    test_jsonl_threads();
    TEST_SUMMARY();
}
