/* Unit tests for the OpenLineage bridge (src/lib/interop/openlineage.c, docs/openlineage.md).
 *
 * Expected values and where they come from:
 *  - UUIDv5: RFC 9562 Appendix A.4 (DNS namespace, "www.example.com" -> 2ed6657d-e927-568b-95e1-2665a8aea6a2) and the
 *    two runIds of reference/ophamin.md §4.3/§11 [VERIFIED there]: 80e22386... -> 3de785f4-92c4-50e6-a65b-2d2aa9d1b4ba,
 *    7b2498c1...a6ae66d -> 9e48bd13-19b2-54ac-a5e8-45c26c534b52. The "ope:trace:t-1" / "oe:chain:c-1" runIds were
 *    computed with Python's uuid.uuid5.
 *  - REF_EVENT: the reference's to_openlineage_event() for the §4.3 minimal proof signed under the default key, with
 *    producer "https://github.com/IdirBenSlama/Ophamin@0.1.0", computed by an independent Python re-implementation of
 *    §11 (json.dumps(event, separators=(",", ":")), dict order as the reference builds it); the same script checks
 *    the CLI's output in tests/cli/test_ol_cli.sh.
 *  - eventTime normalisation: Python 3.11 datetime.fromisoformat(s).isoformat() for each input.
 *  - the starter envelope's cid: "sha256:" + hashlib.sha256(json.dumps(p, sort_keys=True, separators=(",",":"),
 *    ensure_ascii=True)).hexdigest() for p = {"b":"\u00e9","a":1}.
 * Prints one line per failure and "N passed, M failed" last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/json.h"
#include "prova/openlineage.h"

#include "proof_fixture.h"
#define OPHAMIN_PRODUCER "https://github.com/IdirBenSlama/Ophamin@0.1.0"

static const char REF_EVENT[] =
    "{\"eventType\":\"COMPLETE\",\"eventTime\":\"2026-01-01T00:00:01+00:00\",\"run\":{\"runId\":\"3de785f4-9"
    "2c4-50e6-a65b-2d2aa9d1b4ba\",\"facets\":{\"ophamin_claim\":{\"_producer\":\"https://github.com/Idi"
    "rBenSlama/Ophamin@0.1.0\",\"_schemaURL\":\"https://github.com/IdirBenSlama/Ophamin/blob/main/S"
    "CHEMAS.md#claim-ophamin\",\"statement\":\"S\",\"operationalization\":\"O\",\"h0\":\"H0\",\"h1\":\"H1\",\"thr"
    "eshold\":{\"metric\":\"max_abs_diff\",\"comparator\":\"<=\",\"value\":1e-09,\"units\":\"correlation\"}},\""
    "ophamin_verdict\":{\"_producer\":\"https://github.com/IdirBenSlama/Ophamin@0.1.0\",\"_schemaURL\""
    ":\"https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#verdict-ophamin\",\"outcome\":"
    "\"VALIDATED\",\"observed_value\":0.0,\"reasoning\":\"r\",\"threshold\":{\"metric\":\"max_abs_diff\",\"com"
    "parator\":\"<=\",\"value\":1e-09,\"units\":\"correlation\"},\"ophamin_signature\":\"2e31eabe3e9c321f55"
    "226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470\",\"ophamin_signature_algorithm\":\"HMAC-SHA256"
    "\"}}},\"job\":{\"namespace\":\"ophamin\",\"name\":\"p\",\"facets\":{}},\"inputs\":[{\"namespace\":\"ophamin."
    "datasets\",\"name\":\"ds\",\"facets\":{\"dataSource\":{\"_producer\":\"https://github.com/IdirBenSlama"
    "/Ophamin@0.1.0\",\"_schemaURL\":\"https://openlineage.io/spec/facets/1-0-1/DataSourceDatasetFa"
    "cet.json\",\"name\":\"corpus\",\"uri\":\"\"},\"ophamin_dataset\":{\"_producer\":\"https://github.com/Idi"
    "rBenSlama/Ophamin@0.1.0\",\"_schemaURL\":\"https://github.com/IdirBenSlama/Ophamin/blob/main/S"
    "CHEMAS.md#datasetref-ophamin\",\"content_hash\":\"h\",\"n_records\":30,\"kind\":\"corpus\"}}}],\"outpu"
    "ts\":[{\"namespace\":\"ophamin.proofs\",\"name\":\"80e223866476e88839c59927fb2ab9f95554101e0fe8460"
    "14fc32e66d0e189ac\",\"facets\":{\"schema\":{\"_producer\":\"https://github.com/IdirBenSlama/Ophami"
    "n@0.1.0\",\"_schemaURL\":\"https://openlineage.io/spec/facets/1-0-1/SchemaDatasetFacet.json\",\""
    "fields\":[{\"name\":\"proof_id\",\"type\":\"string\"},{\"name\":\"verdict.outcome\",\"type\":\"string\"},{\""
    "name\":\"verdict.observed_value\",\"type\":\"number\"},{\"name\":\"signature\",\"type\":\"string\"}]}}}],"
    "\"producer\":\"https://github.com/IdirBenSlama/Ophamin@0.1.0\",\"schemaURL\":\"https://openlineag"
    "e.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent\"}\n";

static prova_doc *parse(const char *s) {
    prova_doc *doc = NULL;
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    if (prova_json_parse(s, strlen(s), &po, &doc, NULL) < 0) {
        fprintf(stderr, "cannot parse test input: %s\n", s);
        exit(3);
    }
    return doc;
}

/* The minimal proof with its signature member (the body's first '{' becomes '{"signature":"...",'), with the first
 * occurrence of replace_from replaced by replace_to. */
static char *signed_minimal(const char *replace_from, const char *replace_to) {
    size_t n = strlen(MIN_BODY) + 200;
    char *s = malloc(n), *t = malloc(n);
    if (!s || !t) exit(3);
    snprintf(s, n, "{\"signature\":\"%s\",%s", MIN_SIG, MIN_BODY + 1);
    if (replace_from) {
        char *p = strstr(s, replace_from);
        if (!p) exit(3);
        *p = '\0';
        snprintf(t, n, "%s%s%s", s, replace_to, p + strlen(replace_from));
        free(s);
        return t;
    }
    free(t);
    return s;
}

/* Runs the bridge; returns the status and leaves the text (NUL-terminated) in *out. */
static int events(const char *json, const prova_openlineage_options *o, prova_buf *out, size_t *count,
                  prova_error *err) {
    prova_doc *doc = parse(json);
    int r = prova_openlineage_events(prova_doc_root(doc), o, out, count, err);
    prova_doc_free(doc);
    if (prova_buf_append(out, "", 1) == 0) out->len--;
    return r;
}

static size_t count_lines(const prova_buf *b) {
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++) n += b->data[i] == '\n';
    return n;
}

static void test_uuid(void) {
    static const uint8_t dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    static const uint8_t ns[16] = PROVA_OPENLINEAGE_RUNID_NAMESPACE;
    char out[37];
    CHECK(prova_uuid_v5(dns, "www.example.com", 15, out) == 0);
    CHECK_STR(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2"); /* RFC 9562 A.4 */
    CHECK(prova_uuid_v5(ns, MIN_ID, 64, out) == 0);
    CHECK_STR(out, "3de785f4-92c4-50e6-a65b-2d2aa9d1b4ba"); /* ophamin.md §4.3 */
    CHECK(prova_uuid_v5(ns, "7b2498c1937091d10c1d71c32af4758d779d73c4b5024775e056b9db0a6ae66d", 64, out) == 0);
    CHECK_STR(out, "9e48bd13-19b2-54ac-a5e8-45c26c534b52"); /* ophamin.md §11 */
    CHECK(prova_uuid_v5(NULL, "x", 1, out) == PROVA_EINVAL);
    CHECK(prova_uuid_v5(ns, NULL, 1, out) == PROVA_EINVAL);
    CHECK(prova_uuid_v5(ns, NULL, 0, out) == 0);

    uint8_t b[16], keep[16];
    memset(keep, 0xAA, sizeof keep);
    memcpy(b, keep, sizeof b);
    CHECK(prova_uuid_parse("3DE785F4-92c4-50e6-a65b-2d2aa9d1b4ba", 36, b) == 0);
    CHECK(b[0] == 0x3d && b[1] == 0xe7 && b[15] == 0xba);
    memcpy(b, keep, sizeof b);
    static const char *const bad[] = {
        "3de785f4-92c4-50e6-a65b-2d2aa9d1b4b",     "3de785f4-92c4-50e6-a65b-2d2aa9d1b4bag",
        "3de785f4_92c4-50e6-a65b-2d2aa9d1b4ba",    "3de785f4-92c4-50e6-a65b-2d2aa9d1b4bg",
        "{de785f4-92c4-50e6-a65b-2d2aa9d1b4b}",    "3de785f492c450e6a65b2d2aa9d1b4ba",
        "urn:uuid:3de785f4-92c4-50e6-a65b-2d2aa9d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(prova_uuid_parse(bad[i], strlen(bad[i]), b) == PROVA_ESYNTAX, "%s", bad[i]);
        CHECK(memcmp(b, keep, 16) == 0);
    }
}

static void test_time(void) {
    static const char *const cases[][2] = {
        {"2026-01-01T00:00:01+00:00", "2026-01-01T00:00:01+00:00"},
        {"2026-01-01T00:00:01Z", "2026-01-01T00:00:01+00:00"},
        {"2026-01-01 00:00:01.5+02:00", "2026-01-01T00:00:01.500000+02:00"},
        {"2026-01-01T00:00:01.000000-00:00", "2026-01-01T00:00:01+00:00"},
        {"2026-01-01T00:00:01.123456789+05:30", "2026-01-01T00:00:01.123456+05:30"},
        {"2026-01-01T00:00:01.120Z", "2026-01-01T00:00:01.120000+00:00"},
        {"2026-11-22T12:13:20.192Z", "2026-11-22T12:13:20.192000+00:00"},
        {"2026-01-01T00:00:01+0530", "2026-01-01T00:00:01+05:30"},
        {"2026-01-01T00:00:01-08", "2026-01-01T00:00:01-08:00"},
    };
    char out[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_MSG(prova_openlineage_time(cases[i][0], strlen(cases[i][0]), out) == 0, "%s", cases[i][0]);
        CHECK_STR(out, cases[i][1]);
    }
    static const char *const bad[] = {
        "2026-01-01T00:00:01",      "2026-01-01", "2026-02-30T00:00:00Z",     "2026-01-01T00:00:01.Z",
        "2026-01-01T00:00:01+5:30", "yesterday",  "2026-01-01T00:00:01Zjunk", "2026-01-01T25:00:01Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(prova_openlineage_time(bad[i], strlen(bad[i]), out) == PROVA_ESYNTAX, "%s", bad[i]);
}

static void test_event_names(void) {
    prova_openlineage_event e = PROVA_OPENLINEAGE_RECORD;
    CHECK(prova_openlineage_event_lookup("running", &e) == 0 && e == PROVA_OPENLINEAGE_RUNNING);
    CHECK(prova_openlineage_event_lookup("RUNNING", &e) == PROVA_EUNSUPPORTED && e == PROVA_OPENLINEAGE_RUNNING);
    CHECK_STR(prova_openlineage_event_name(PROVA_OPENLINEAGE_FAIL), "fail");
    CHECK(prova_openlineage_event_name((prova_openlineage_event)99) == NULL);
}

static void test_proof_reference(void) {
    char *rec = signed_minimal(NULL, NULL);
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    size_t n = 0;
    prova_openlineage_options o = {.producer = OPHAMIN_PRODUCER, .flags = PROVA_OPENLINEAGE_VERBATIM_URI};
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(n == 1);
    CHECK_STR((const char *)out.data, REF_EVENT); /* byte for byte */

    /* Default: prova's producer, and no dataSource.uri for a source that is not a URI ("" here). */
    out.len = 0;
    CHECK(events(rec, NULL, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "\"_producer\":\"urn:prova:" PROVA_VERSION_STRING "\"") != NULL);
    CHECK(strstr((char *)out.data, "\"producer\":\"urn:prova:0.1.0\",\"schemaURL\"") != NULL);
    CHECK(strstr((char *)out.data, "\"uri\"") == NULL);
    CHECK(strstr((char *)out.data, "\"runId\":\"3de785f4-92c4-50e6-a65b-2d2aa9d1b4ba\"") != NULL);
    free(rec);

    /* An absolute-URI source is written; INCONCLUSIVE gives FAIL; --job and --namespace; analysis_plan. */
    rec = signed_minimal("\"source\":\"\"}", "\"source\":\"s:\"}");
    out.len = 0;
    CHECK(events(rec, NULL, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "\"name\":\"corpus\",\"uri\":\"s:\"}") != NULL);
    free(rec);
    rec = signed_minimal("\"outcome\":\"VALIDATED\"", "\"outcome\":\"INCONCLUSIVE\"");
    prova_openlineage_options o2 = {.ns = "lab", .job = "my-job"};
    out.len = 0;
    CHECK(events(rec, &o2, &out, &n, &err) == 0);
    CHECK(strncmp((char *)out.data, "{\"eventType\":\"FAIL\",", 20) == 0);
    CHECK(strstr((char *)out.data, "\"job\":{\"namespace\":\"lab\",\"name\":\"my-job\",\"facets\":{}}") != NULL);
    free(rec);
    rec = signed_minimal("\"analysis_plan\":\"\"", "\"analysis_plan\":\"A\"");
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data,
                 "\"facets\":{\"documentation\":{\"_producer\":\"" OPHAMIN_PRODUCER "\",\"_schemaURL\":"
                 "\"https://openlineage.io/spec/facets/1-0-1/DocumentationJobFacet.json\","
                 "\"description\":\"A\"}}") != NULL);
    free(rec);
    /* Integer tokens that the reference's dataclass makes float() are written as floats; 'Z' becomes +00:00. */
    char *tmp = signed_minimal("\"observed_value\":0.0,", "\"observed_value\":7,");
    rec = malloc(strlen(tmp) + 1);
    if (!rec) exit(3);
    char *p = strstr(tmp, "01T00:00:01+00:00\",\"ophamin_git");
    memcpy(p, "01T00:00:01Z\",     \"ophamin_git", 30);
    strcpy(rec, tmp);
    free(tmp);
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "\"observed_value\":7.0,") != NULL);
    CHECK(strstr((char *)out.data, "\"eventTime\":\"2026-01-01T00:00:01+00:00\"") != NULL);
    free(rec);
    prova_buf_free(&out);
}

static void test_proof_lifecycle(void) {
    char *rec = signed_minimal(NULL, NULL);
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    size_t n = 0;
    const char *rid = "0b9a0c7e-1d2f-4a3b-8c4d-5e6f7a8b9c0d";
    prova_openlineage_options o = {
        .event = PROVA_OPENLINEAGE_START, .event_time = "2026-05-01T10:00:00Z", .run_id = rid};
    CHECK(events(rec, &o, &out, &n, &err) == 0 && n == 1);
    CHECK(strncmp((char *)out.data,
                  "{\"eventType\":\"START\",\"eventTime\":\"2026-05-01T10:00:00+00:00\",\"run\":{"
                  "\"runId\":\"0b9a0c7e-1d2f-4a3b-8c4d-5e6f7a8b9c0d\",\"facets\":{\"ophamin_claim\":",
                  141) == 0);
    CHECK(strstr((char *)out.data, "\"outputs\":[]") != NULL);
    CHECK(strstr((char *)out.data, "\"inputs\":[{\"namespace\":\"ophamin.datasets\",\"name\":\"ds\"") != NULL);

    prova_doc *progress = parse("{\"percent_complete\":50,\"message\":\"half\"}");
    o.event = PROVA_OPENLINEAGE_RUNNING;
    o.progress = prova_doc_root(progress);
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "\"ophamin_progress\":{\"_producer\":\"urn:prova:0.1.0\",\"_schemaURL\":\"https://"
                                   "github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#progress-ophamin\","
                                   "\"message\":\"half\",\"percent_complete\":50}") != NULL);
    prova_doc_free(progress);
    prova_doc *notobj = parse("[1]");
    o.progress = prova_doc_root(notobj);
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_progress_invalid");
    prova_doc_free(notobj);
    o.progress = NULL;

    o.event = PROVA_OPENLINEAGE_FAIL;
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "ophamin_error") == NULL); /* neither message nor type */
    o.error_message = "boom";
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "\"error_message\":\"boom\",\"error_type\":\"\"}") != NULL);

    o.event = PROVA_OPENLINEAGE_COMPLETE; /* the single event with the caller's runId */
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == 0);
    CHECK(strstr((char *)out.data, "{\"eventType\":\"COMPLETE\",\"eventTime\":\"2026-01-01T00:00:01+00:00\",\"run\":"
                                   "{\"runId\":\"0b9a0c7e-") != NULL);

    /* START without its time; a bad run id, producer, namespace, job: errors, nothing written. */
    o.event = PROVA_OPENLINEAGE_START;
    o.event_time = NULL;
    out.len = 0;
    CHECK(events(rec, &o, &out, &n, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "openlineage_time_required");
    o.event_time = "2026-05-01T10:00:00";
    CHECK(events(rec, &o, &out, &n, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "openlineage_time_invalid");
    prova_openlineage_options bad1 = {.run_id = "not-a-uuid"}, bad2 = {.producer = "no scheme"}, bad3 = {.ns = ""},
                              bad4 = {.job = ""}, bad5 = {.producer = "ht tp://x"};
    CHECK(events(rec, &bad1, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_run_id_invalid");
    CHECK(events(rec, &bad2, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_producer_invalid");
    CHECK(events(rec, &bad5, &out, &n, &err) == PROVA_EINVAL);
    CHECK(events(rec, &bad3, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_namespace_invalid");
    CHECK(events(rec, &bad4, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_job_invalid");
    CHECK(out.len == 0);
    free(rec);

    /* A dataset without a name: the pointer says which. Output restored (pre-existing bytes kept). */
    rec = signed_minimal("\"name\":\"ds\"", "\"nxme\":\"ds\"");
    CHECK(prova_buf_append(&out, "keep", 4) == 0);
    size_t before = 4;
    n = 42;
    CHECK(events(rec, NULL, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_field_invalid");
    CHECK_STR(err.pointer, "/data/datasets/0/name");
    CHECK(out.len == before && n == 42);
    free(rec);
    prova_buf_free(&out);
}

static const char CHAIN[] =
    "[{\"trace_id\":\"t-1\",\"hop\":0,\"ts\":\"2026-01-01T00:00:01+00:00\",\"receipt_hash\":\"aa\","
    "\"prev_receipt_hash\":null,\"request_cid\":\"sha256:01\",\"normalized_cid\":\"sha256:01\","
    "\"gateway_kid\":\"gw\",\"policy\":{\"passed\":true,\"rules\":[]}},"
    "{\"trace_id\":\"t-1\",\"hop\":1,\"ts\":1767225602000,\"receipt_hash\":\"bb\",\"prev_receipt_hash\":\"aa\","
    "\"request_cid\":\"sha256:02\",\"normalized_cid\":\"sha256:02\",\"gateway_kid\":\"gw\"}]";

static void test_ope(void) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    size_t n = 0;
    CHECK(events(CHAIN, NULL, &out, &n, &err) == 0);
    CHECK(n == 3 && count_lines(&out) == 3); /* START + 2 RUNNING, no COMPLETE without an export */
    CHECK(strstr((char *)out.data, "\"runId\":\"2e5057af-dfde-5d47-bf66-da16243aa4dd\"") != NULL);
    CHECK(strstr((char *)out.data, "{\"eventType\":\"START\",\"eventTime\":\"2026-01-01T00:00:01+00:00\"") != NULL);
    /* integer milliseconds: 1767225602000 = 2026-01-01T00:00:02Z */
    CHECK(strstr((char *)out.data, "{\"eventType\":\"RUNNING\",\"eventTime\":\"2026-01-01T00:00:02+00:00\"") != NULL);
    CHECK(strstr((char *)out.data, "\"prova_ope_hop\":{\"_producer\":\"urn:prova:0.1.0\",\"_schemaURL\":\"urn:prova:"
                                   "openlineage:facet:prova_ope_hop:1\",\"hop\":1,\"receipt_hash\":\"bb\"") != NULL);
    CHECK(strstr((char *)out.data, "\"job\":{\"namespace\":\"prova\",\"name\":\"ope-trace\"") != NULL);
    prova_openlineage_options o = {.event = PROVA_OPENLINEAGE_COMPLETE};
    out.len = 0;
    CHECK(events(CHAIN, &o, &out, &n, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "openlineage_no_event");
    o.event = PROVA_OPENLINEAGE_RUNNING;
    CHECK(events(CHAIN, &o, &out, &n, &err) == 0 && n == 2);

    /* The bundle: COMPLETE at exported_at with the bundle_cid as output. */
    prova_buf b = PROVA_BUF_INIT;
    const char *head = "{\"bundle\":{\"trace_id\":\"t-1\",\"exported_at\":\"2026-01-01T00:00:03.25Z\",\"receipts\":";
    CHECK(prova_buf_append(&b, head, strlen(head)) == 0 && prova_buf_append(&b, CHAIN, strlen(CHAIN)) == 0);
    const char *tail = "},\"bundle_cid\":\"sha256:cc\",\"signature\":\"x\",\"kid\":\"gw\"}";
    CHECK(prova_buf_append(&b, tail, strlen(tail) + 1) == 0);
    out.len = 0;
    CHECK(events((char *)b.data, NULL, &out, &n, &err) == 0 && n == 4);
    CHECK(strstr((char *)out.data, "{\"eventType\":\"COMPLETE\",\"eventTime\":\"2026-01-01T00:00:03.250000+00:00\"") !=
          NULL);
    CHECK(strstr((char *)out.data, "\"count\":2,\"exported_at\":\"2026-01-01T00:00:03.25Z\",\"form\":\"ope-lib\"") !=
          NULL);
    CHECK(strstr((char *)out.data, "\"outputs\":[{\"namespace\":\"prova.ope\",\"name\":\"sha256:cc\"}]") != NULL);
    prova_buf_free(&b);

    /* A receipt with a bad ts: the pointer names it. */
    const char *badts = "[{\"trace_id\":\"t-1\",\"hop\":0,\"ts\":\"noon\",\"receipt_hash\":\"aa\"}]";
    out.len = 0;
    CHECK(events(badts, NULL, &out, &n, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "openlineage_time_invalid");
    CHECK_STR(err.pointer, "/0/ts");
    const char *notrace = "[{\"hop\":0,\"ts\":\"2026-01-01T00:00:01Z\",\"receipt_hash\":\"aa\"}]";
    CHECK(events(notrace, NULL, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.pointer, "/0/trace_id");

    /* A starter envelope (no cid): the cid its gateway computes (ASCII-escaped canonical payload). */
    const char *env = "{\"payload\":{\"b\":\"\\u00e9\",\"a\":1},\"payload_type\":\"T\",\"target_type\":\"U\","
                      "\"trace_id\":\"t-1\",\"ts\":\"2026-01-01T00:00:00+00:00\",\"signature\":\"s\","
                      "\"sender\":{\"kid\":\"k1\"}}";
    out.len = 0;
    CHECK(events(env, NULL, &out, &n, &err) == 0 && n == 1);
    CHECK(strstr((char *)out.data, "\"cid\":\"sha256:6071e7aa781e8adc235db31b17e6d0ee414a17031b1744a38fbf2cd17effcbce"
                                   "\"") != NULL);
    CHECK(strstr((char *)out.data, "\"kid\":\"k1\"") != NULL);
    CHECK(strstr((char *)out.data, "\"runId\":\"2e5057af-dfde-5d47-bf66-da16243aa4dd\"") != NULL); /* the trace's */
    prova_buf_free(&out);
}

static const char OE_CHAIN[] =
    "{\"id\":\"c-1\",\"created_at\":\"2026-01-01T00:00:00.000Z\",\"hash_algorithm\":\"sha256\",\"chain_hash\":\"ab\","
    "\"events\":[{\"seq\":1,\"event_type\":\"e1\",\"actor_id\":null,\"created_at\":\"2026-01-01T00:00:01.000Z\","
    "\"event_hash\":\"h1\",\"prev_hash\":\"00\"}]}";

static void test_oe(void) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    size_t n = 0;
    CHECK(events(OE_CHAIN, NULL, &out, &n, &err) == 0 && n == 2);
    CHECK(strstr((char *)out.data, "\"runId\":\"5c834bb6-952d-5c71-97c0-2b6db27e1092\"") != NULL);
    CHECK(strstr((char *)out.data, "\"name\":\"oe-chain\"") != NULL);
    CHECK(strstr((char *)out.data, "{\"eventType\":\"RUNNING\",\"eventTime\":\"2026-01-01T00:00:01+00:00\"") != NULL);

    prova_buf b = PROVA_BUF_INIT;
    const char *head = "{\"certificate\":{\"issued_at\":\"2026-01-01T00:00:05.000Z\",\"artifact_type\":\"run\","
                       "\"artifact_ref\":\"r-1\",\"chain_hash\":\"ab\"},\"certificate_id\":\"cert-1\",\"chain\":";
    CHECK(prova_buf_append(&b, head, strlen(head)) == 0 && prova_buf_append(&b, OE_CHAIN, strlen(OE_CHAIN)) == 0);
    size_t mark = b.len;
    CHECK(prova_buf_append(&b, "}", 2) == 0);
    out.len = 0;
    CHECK(events((char *)b.data, NULL, &out, &n, &err) == 0 && n == 3);
    CHECK(strstr((char *)out.data, "{\"eventType\":\"COMPLETE\",\"eventTime\":\"2026-01-01T00:00:05+00:00\"") != NULL);
    CHECK(strstr((char *)out.data, "\"outputs\":[{\"namespace\":\"prova.oe\",\"name\":\"cert-1\"}]") != NULL);
    CHECK(strstr((char *)out.data, "artifact_title") == NULL);
    b.len = mark;
    const char *rev = ",\"status\":{\"status\":\"revoked\",\"updated_at\":\"2026-01-02T00:00:00Z\",\"revoked_at\":"
                      "\"2026-01-02T00:00:00Z\",\"revocation_reason\":\"bad\"}}";
    CHECK(prova_buf_append(&b, rev, strlen(rev) + 1) == 0);
    out.len = 0;
    CHECK(events((char *)b.data, NULL, &out, &n, &err) == 0 && n == 3);
    CHECK(strstr((char *)out.data, "{\"eventType\":\"FAIL\",\"eventTime\":\"2026-01-02T00:00:00+00:00\"") != NULL);
    CHECK(strstr((char *)out.data, "\"COMPLETE\"") == NULL);
    CHECK(strstr((char *)out.data, "\"prova_oe_status\":{\"_producer\":\"urn:prova:0.1.0\",\"_schemaURL\":\"urn:prova:"
                                   "openlineage:facet:prova_oe_status:1\",\"status\":\"revoked\"") != NULL);
    prova_openlineage_options o = {.event = PROVA_OPENLINEAGE_FAIL};
    out.len = 0;
    CHECK(events((char *)b.data, &o, &out, &n, &err) == 0 && n == 1);
    prova_buf_free(&b);

    /* Not a record. */
    out.len = 0;
    CHECK(events("{\"x\":1}", NULL, &out, &n, &err) == PROVA_EINVAL && out.len == 0);
    CHECK_STR(err.reason, "openlineage_unknown_kind");
    CHECK(events("42", NULL, &out, &n, &err) == PROVA_EINVAL);
    prova_openlineage_options k = {.kind = "nonsense"};
    CHECK(events(OE_CHAIN, &k, &out, &n, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "openlineage_unknown_kind");
    CHECK(prova_openlineage_events(NULL, NULL, &out, &n, &err) == PROVA_EINVAL);
    prova_buf_free(&out);
}

/* Allocation failures: every allocation of the output buffer fails in turn; the call fails cleanly each time. */
typedef struct budget {
    int left;
} budget;
static void *f_malloc(void *ctx, size_t n) {
    budget *b = ctx;
    return b->left-- > 0 ? malloc(n) : NULL;
}
static void *f_realloc(void *ctx, void *p, size_t old, size_t n) {
    (void)old;
    budget *b = ctx;
    return b->left-- > 0 ? realloc(p, n) : NULL;
}
static void f_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}

static void test_enomem(void) {
    char *rec = signed_minimal(NULL, NULL);
    prova_doc *doc = parse(rec);
    int ok = 0, oom = 0;
    for (int k = 0; k < 40; k++) {
        budget bg = {k};
        prova_allocator a = {f_malloc, f_realloc, f_free, &bg};
        prova_buf out = {NULL, 0, 0, &a};
        prova_error err;
        int r = prova_openlineage_events(prova_doc_root(doc), NULL, &out, NULL, &err);
        if (r == 0) {
            ok++;
        } else {
            CHECK(r == PROVA_ENOMEM && out.len == 0);
            oom++;
        }
        prova_buf_free(&out);
    }
    CHECK(oom >= 1 && ok >= 1);
    prova_doc_free(doc);
    free(rec);
}

int main(void) {
    test_uuid();
    test_time();
    test_event_names();
    test_proof_reference();
    test_proof_lifecycle();
    test_ope();
    test_oe();
    test_enomem();
    TEST_SUMMARY();
}
