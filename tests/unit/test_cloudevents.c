/* Unit tests for the CloudEvents bridge (src/lib/interop/cloudevents.c, docs/cloudevents.md).
 *
 * Expected values: the proof event's attribute order and values are reference/ophamin.md §7 (wrap()); the fallback
 * id 9385ae1d... is SHA-256 of Python's json.dumps(body, sort_keys=True, separators=(",",":"), ensure_ascii=True)
 * of the record minus signature/proof_id (computed with Python hashlib, printed alongside the body here); the
 * percent-encoding "a%20b%22%25%C3%A9%01~" is Python's urllib.parse.quote with every printable ASCII character but
 * space/'"'/'%' marked safe (HTTP binding 1.0.2 §3.1.3.2); the RFC 3339 cases are RFC 3339 §5.8's examples and
 * its grammar (§5.6) with the leap-year rule of Appendix C.
 * Prints one line per failure and "N passed, M failed" last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/cloudevents.h"
#include "prova/interop.h"
#include "prova/json.h"
#include "prova/verify.h"
#include "report_query.h"

static prova_doc *parse(const char *s, uint32_t flags) {
    prova_parse_options o = {.flags = flags};
    prova_doc *d = NULL;
    if (prova_json_parse(s, strlen(s), &o, &d, NULL) < 0) {
        fprintf(stderr, "test input does not parse: %s\n", s);
        exit(3);
    }
    return d;
}

static bool buf_is(const prova_buf *b, const char *s) {
    return b->len == strlen(s) && (b->len == 0 || memcmp(b->data, s, b->len) == 0);
}

#define CHECK_BUF(b, s) CHECK_MSG(buf_is(&(b), (s)), "got '%.*s', want '%s'", (int)(b).len, (const char *)(b).data, (s))

static prova_record_info proof_info(void) {
    prova_record_info i;
    memset(&i, 0, sizeof i);
    i.family = PROVA_RECORD_PROOF;
    i.family_name = "proof";
    i.kind = "proof_record";
    strcpy(i.digest_alg, "sha256");
    return i;
}

static prova_record_info other_info(prova_record_family f, const char *kind, const char *digest, const char *id,
                                    const char *time) {
    prova_record_info i;
    memset(&i, 0, sizeof i);
    i.family = f;
    i.family_name = f == PROVA_RECORD_OE ? "oe" : "ope";
    i.kind = kind;
    strcpy(i.digest_alg, "sha256");
    strcpy(i.digest, digest);
    strcpy(i.id, id);
    strcpy(i.time, time);
    return i;
}

static void test_time(void) {
    static const char *const good[] = {"1985-04-12T23:20:50.52Z",
                                       "1996-12-19T16:39:57-08:00",
                                       "1990-12-31T23:59:60Z",
                                       "1990-12-31T15:59:60-08:00",
                                       "1937-01-01T12:00:27.87+00:20",
                                       "2024-02-29t00:00:00z",
                                       "2000-02-29T00:00:00.123456789+23:59"};
    static const char *const badt[] = {
        "2026-02-29T00:00:00Z",     "1900-02-29T00:00:00Z",      "2026-01-01T00:00:00",
        "2026-01-01 00:00:00Z",     "2026-13-01T00:00:00Z",      "2026-04-31T00:00:00Z",
        "2026-01-01T24:00:00Z",     "2026-01-01T00:60:00Z",      "2026-01-01T00:00:61Z",
        "2026-01-01T00:00:00.Z",    "2026-01-01T00:00:00+00:60", "2026-01-01T00:00:00+0000",
        "2026-01-01T00:00:00Zjunk", "26-01-01T00:00:00Z",        "",
        "2026-01-00T00:00:00Z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_MSG(prova_ce_time_valid(good[i], strlen(good[i])), "%s", good[i]);
    for (size_t i = 0; i < sizeof badt / sizeof badt[0]; i++)
        CHECK_MSG(!prova_ce_time_valid(badt[i], strlen(badt[i])), "%s", badt[i]);
}

/* §7: the attributes in the reference's order, extensions after ophaminverdict, data last (NaN survives). */
static void test_proof_event(void) {
    prova_doc *d = parse("{\"proof_id\":\"abc\",\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\","
                         "\"ophamin_version\":\"9.9\"},\"schema_version\":\"1.0\",\"verdict\":{\"outcome\":"
                         "\"REFUTED\"},\"x\":NaN,\"s\":\"\\u00e9\"}",
                         PROVA_PARSE_ALLOW_NONFINITE);
    prova_record_info info = proof_info();
    prova_ce_extension ext[] = {{"team", "blue"}};
    prova_ce_options o = {.source = "urn:my-deployment:ophamin", .extensions = ext, .nextensions = 1};
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK_BUF(out, "{\"specversion\":\"1.0\",\"id\":\"abc\",\"source\":\"urn:my-deployment:ophamin\",\"type\":"
                   "\"dev.ophamin.proof.emitted.v1\",\"datacontenttype\":\"application/json\",\"dataschema\":"
                   "\"https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empiricalproofrecord--10\","
                   "\"time\":\"2026-01-01T00:00:01+00:00\",\"ophaminversion\":\"9.9\",\"ophaminschema\":\"1.0\","
                   "\"ophaminverdict\":\"REFUTED\",\"team\":\"blue\",\"data\":{\"identity\":{\"created_at\":"
                   "\"2026-01-01T00:00:01+00:00\",\"ophamin_version\":\"9.9\"},\"proof_id\":\"abc\",\"s\":"
                   "\"\\u00e9\",\"schema_version\":\"1.0\",\"verdict\":{\"outcome\":\"REFUTED\"},\"x\":NaN}}");
    /* --type overrides; unwrap gives back the record's ophamin bytes */
    out.len = 0;
    o.type = "dev.ophamin.proof.refuted.v1";
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK(strstr((const char *)out.data, "\"type\":\"dev.ophamin.proof.refuted.v1\"") != NULL);
    prova_doc_free(d);
    prova_buf_free(&out);

    /* No proof_id: the id is SHA-256 of canonical(record minus signature and proof_id), attestation kept; no time
       (created_at not a non-empty string); schema 1.0 as Python's str(1.0); outcome true -> "True"; no
       ophamin_version -> prova's version. */
    d = parse("{\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\"},\"schema_version\":1.0,\"verdict\":"
              "{\"outcome\":true},\"attestation\":{\"a\":\"b\"},\"signature\":\"ff\",\"z\":\"\\u00e9\"}",
              0);
    o.type = NULL;
    o.nextensions = 0;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK(prova_buf_append(&out, "", 1) == 0);
    CHECK(strstr((const char *)out.data,
                 "\"id\":\"9385ae1d164df766a7ba8e3e606a9208c5d408ce8ecc1f077c7d835cee600ac3\"") != NULL);
    CHECK(strstr((const char *)out.data, "\"time\":\"2026-01-01T00:00:01+00:00\"") != NULL);
    CHECK(strstr((const char *)out.data, "\"ophaminversion\":\"" PROVA_VERSION_STRING "\",\"ophaminschema\":\"1.0\","
                                         "\"ophaminverdict\":\"True\",\"data\":") != NULL);
    prova_doc_free(d);
    out.len = 0;
    d = parse("{\"identity\":{\"created_at\":\"\",\"ophamin_version\":\"\"},\"schema_version\":2,\"verdict\":{}}", 0);
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK(prova_buf_append(&out, "", 1) == 0);
    CHECK(strstr((const char *)out.data, "\"time\"") == NULL);
    CHECK(strstr((const char *)out.data, "\"ophaminversion\":\"" PROVA_VERSION_STRING "\",\"ophaminschema\":\"2\","
                                         "\"ophaminverdict\":\"\",\"data\":") != NULL);
    prova_doc_free(d);
    prova_buf_free(&out);
}

static void test_other_families(void) {
    const char *dg = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    prova_doc *d = parse("{\"payload\":{\"name\":\"caf\\u00e9\"},\"ts\":\"2025-08-22 04:18:05+00\"}", 0);
    prova_record_info info = other_info(PROVA_RECORD_OPE, "ope_envelope", dg, "trace-1", "2025-08-22 04:18:05+00");
    prova_ce_options o = {.source = "urn:prova:test"};
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    /* ope profile: raw UTF-8 (é = C3 A9); time normalised by prova_time_format */
    CHECK_BUF(out, "{\"specversion\":\"1.0\",\"id\":\"ope_envelope:sha256:00112233445566778899aabbccddeeff0011223344"
                   "5566778899aabbccddeeff\",\"source\":\"urn:prova:test\",\"type\":\"prova.ope.envelope.accepted.v1\","
                   "\"datacontenttype\":\"application/json\",\"subject\":\"trace-1\",\"time\":"
                   "\"2025-08-22T04:18:05.000000+00:00\",\"provakind\":\"ope_envelope\",\"data\":{\"payload\":"
                   "{\"name\":\"caf\xc3\xa9\"},\"ts\":\"2025-08-22 04:18:05+00\"}}");
    /* an RFC 3339 time is kept as is; an unreadable one and an empty id are left out */
    out.len = 0;
    strcpy(info.time, "2025-08-22T04:18:05.123456789Z");
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK(prova_buf_append(&out, "", 1) == 0);
    CHECK(strstr((const char *)out.data, "\"time\":\"2025-08-22T04:18:05.123456789Z\"") != NULL);
    out.len = 0;
    strcpy(info.time, "yesterday");
    info.id[0] = 0;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK(prova_buf_append(&out, "", 1) == 0);
    CHECK(strstr((const char *)out.data, "\"time\"") == NULL && strstr((const char *)out.data, "\"subject\"") == NULL);
    prova_doc_free(d);

    /* types by kind, OE bundle by status.status */
    static const struct {
        const char *kind, *rec, *type;
    } types[] = {
        {"ope_receipt", "{}", "prova.ope.receipt.appended.v1"},
        {"ope_receipt_chain", "[]", "prova.ope.chain.exported.v1"},
        {"ope_bundle", "{}", "prova.ope.bundle.exported.v1"},
        {"oe_chain", "{}", "prova.oe.chain.resolved.v1"},
        {"oe_bundle", "{\"status\":{\"status\":\"active\"}}", "prova.oe.certificate.issued.v1"},
        {"oe_bundle", "{\"status\":{\"status\":\"revoked\"}}", "prova.oe.certificate.revoked.v1"},
        {"oe_bundle", "{\"status\":{\"status\":\"superseded\"}}", "prova.oe.certificate.superseded.v1"},
        {"oe_bundle", "{\"status\":{}}", "prova.oe.certificate.exported.v1"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        d = parse(types[i].rec, 0);
        prova_record_info in = other_info(PROVA_RECORD_OE, types[i].kind, dg, "", "");
        const char *t = prova_ce_type_for(prova_doc_root(d), &in);
        CHECK_MSG(t && strcmp(t, types[i].type) == 0, "%s: %s", types[i].kind, t ? t : "NULL");
        prova_doc_free(d);
    }
    prova_record_info unk = other_info(PROVA_RECORD_OE, "nope", dg, "", "");
    CHECK(prova_ce_type_for(NULL, &unk) == NULL);

    /* OE data under JCS: numbers as ECMAScript writes them */
    d = parse("{\"b\":1.0,\"a\":1e21}", 0);
    info = other_info(PROVA_RECORD_OE, "oe_chain", dg, "c", "2026-03-20T11:05:00.000Z");
    out.len = 0;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    CHECK(prova_buf_append(&out, "", 1) == 0);
    CHECK(strstr((const char *)out.data, ",\"data\":{\"a\":1e+21,\"b\":1}}") != NULL);
    /* NaN in an OPE record cannot be written: canon error, buffer restored */
    prova_doc_free(d);
    d = parse("{\"x\":NaN}", PROVA_PARSE_ALLOW_NONFINITE);
    info = other_info(PROVA_RECORD_OPE, "ope_envelope", dg, "", "");
    out.len = 3;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_ESYNTAX);
    CHECK(out.len == 3);
    CHECK_STR(err.reason, "canon_nonfinite");
    prova_doc_free(d);
    prova_buf_free(&out);
}

static void test_extensions(void) {
    prova_doc *d = parse("{\"proof_id\":\"p\"}", 0);
    prova_record_info info = proof_info();
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    static const struct {
        const char *name, *value, *reason, *pointer;
    } cases[] = {
        {"Foo", "v", "ce_extension_name", "/Foo"},
        {"a-b", "v", "ce_extension_name", "/a-b"},
        {"abcdefghijklmnopqrstu", "v", "ce_extension_name", "/abcdefghijklmnopqrstu"},
        {"", "v", "ce_extension_name", "/"},
        {"a/b", "v", "ce_extension_name", "/a~1b"},
        {"id", "v", "ce_extension_collision", "/id"},
        {"time", "v", "ce_extension_collision", "/time"}, /* not set here (no created_at): still refused */
        {"subject", "v", "ce_extension_collision", "/subject"},
        {"data", "v", "ce_extension_collision", "/data"},
        {"ophaminverdict", "v", "ce_extension_collision", "/ophaminverdict"},
        {"ok", "\xff", "ce_extension_value", "/ok"},
        {"ok", NULL, "ce_extension_value", "/ok"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        prova_ce_extension e[] = {{cases[i].name, cases[i].value}};
        prova_ce_options o = {.source = "s", .extensions = e, .nextensions = 1};
        out.len = 0;
        int r = prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err);
        CHECK_MSG(r == PROVA_EINVAL && out.len == 0, "%s: %d", cases[i].name, r);
        CHECK_STR(err.reason, cases[i].reason);
        CHECK_STR(err.pointer, cases[i].pointer);
    }
    prova_ce_extension two[] = {{"x1", "a"}, {"x1", "b"}};
    prova_ce_options o = {.source = "s", .extensions = two, .nextensions = 2};
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "ce_extension_collision");
    prova_ce_extension many[PROVA_CE_MAX_EXTENSIONS + 1];
    for (size_t i = 0; i < PROVA_CE_MAX_EXTENSIONS + 1; i++) many[i] = (prova_ce_extension){"x", "y"};
    o = (prova_ce_options){.source = "s", .extensions = many, .nextensions = PROVA_CE_MAX_EXTENSIONS + 1};
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_ELIMIT);
    CHECK_STR(err.reason, "ce_extension_limit");
    o = (prova_ce_options){.source = ""};
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "ce_source");
    o = (prova_ce_options){.source = "s", .type = ""};
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "ce_type");
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, NULL, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "invalid_argument");
    prova_doc_free(d);
    prova_buf_free(&out);
}

static void test_binary(void) {
    prova_doc *d = parse("{\"proof_id\":\"p\",\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\"}}", 0);
    prova_record_info info = proof_info();
    prova_ce_extension e[] = {{"note", "a b\"%\xc3\xa9\x01~"}};
    prova_ce_options o = {.source = "urn:x", .extensions = e, .nextensions = 1};
    prova_buf h = PROVA_BUF_INIT, body = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_ce_wrap_binary(prova_doc_root(d), &info, &o, &h, &body, &err) == 0);
    CHECK_BUF(h, "Content-Type: application/json\r\nce-specversion: 1.0\r\nce-id: p\r\nce-source: urn:x\r\n"
                 "ce-type: dev.ophamin.proof.emitted.v1\r\nce-dataschema: "
                 "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empiricalproofrecord--10\r\n"
                 "ce-time: 2026-01-01T00:00:01+00:00\r\nce-ophaminversion: " PROVA_VERSION_STRING "\r\n"
                 "ce-ophaminschema: \r\nce-ophaminverdict: \r\nce-note: a%20b%22%25%C3%A9%01~\r\n");
    CHECK_BUF(body, "{\"identity\":{\"created_at\":\"2026-01-01T00:00:01+00:00\"},\"proof_id\":\"p\"}");

    /* back: split the block, unwrap, the body comes back */
    prova_ce_header hs[16];
    size_t n = 0;
    const char *p = (const char *)h.data, *end = p + h.len;
    while (p < end && n < 16) {
        const char *colon = strstr(p, ": "), *eol = strstr(p, "\r\n");
        hs[n++] = (prova_ce_header){p, (size_t)(colon - p), colon + 2, (size_t)(eol - colon - 2)};
        p = eol + 2;
    }
    prova_buf data = PROVA_BUF_INIT;
    CHECK(prova_ce_unwrap_binary(hs, n, body.data, body.len, &data, &err) == 0);
    CHECK(data.len == body.len && memcmp(data.data, body.data, body.len) == 0);

    /* each a clear error, data untouched */
    prova_ce_header base[] = {{"ce-specversion", 14, "1.0", 3},
                              {"CE-Id", 5, "x", 1},
                              {"ce-source", 9, "s", 1},
                              {"Ce-Type", 7, "t", 1},
                              {"X-Other", 7, "%zz", 3}};
    data.len = 0;
    CHECK(prova_ce_unwrap_binary(base, 5, "{}", 2, &data, &err) == 0); /* case-insensitive; others ignored */
    CHECK_BUF(data, "{}");
    static const struct {
        size_t at;
        prova_ce_header hd;
        const char *reason, *pointer;
    } bad[] = {
        {0, {"ce-specversion", 14, "0.3", 3}, "ce_specversion", "/specversion"},
        {1, {"ce-idx", 6, "x", 1}, "ce_missing_attribute", "/id"},
        {1, {"ce-id", 5, "", 0}, "ce_attribute_empty", "/id"},
        {1, {"ce-id", 5, "a%G1", 4}, "ce_header_encoding", "/id"},
        {1, {"ce-id", 5, "a%C3", 4}, "ce_header_encoding", "/id"},
        {1, {"ce-id", 5, "a%4", 3}, "ce_header_encoding", "/id"},
        {4, {"ce-time", 7, "2026-01-01T00:00:00", 19}, "ce_time", "/time"},
        {1, {"ce-Bad_Name", 11, "x", 1}, "ce_extension_name", "/Bad_Name"},
        {1, {"ce-abcdefghijklmnopqrstu", 24, "x", 1}, "ce_extension_name", "/abcdefghijklmnopqrstu"},
        {1, {"ce-datacontenttype", 18, "application/json", 16}, "ce_header_invalid", "/datacontenttype"},
        {4, {"ce-source", 9, "dup", 3}, "ce_header_duplicate", "/source"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prova_ce_header t[5];
        memcpy(t, base, sizeof t);
        t[bad[i].at] = bad[i].hd;
        data.len = 0;
        int r = prova_ce_unwrap_binary(t, 5, "{}", 2, &data, &err);
        CHECK_MSG(r == PROVA_ESYNTAX && data.len == 0, "case %zu: %d", i, r);
        CHECK_STR(err.reason, bad[i].reason);
        CHECK_STR(err.pointer, bad[i].pointer);
    }
    CHECK(prova_ce_unwrap_binary(base, 4, "", 0, &data, &err) == PROVA_ESYNTAX);
    CHECK_STR(err.reason, "ce_data_missing");
    prova_ce_header lots[PROVA_CE_MAX_HEADERS + 1];
    for (size_t i = 0; i < PROVA_CE_MAX_HEADERS + 1; i++) lots[i] = base[4];
    CHECK(prova_ce_unwrap_binary(lots, PROVA_CE_MAX_HEADERS + 1, "{}", 2, &data, &err) == PROVA_ELIMIT);
    CHECK_STR(err.reason, "ce_header_limit");
    prova_buf_free(&data);
    prova_buf_free(&h);
    prova_buf_free(&body);
    prova_doc_free(d);
}

static void test_unwrap(void) {
    /* round trip: a proof with NaN comes back as its ophamin bytes */
    prova_doc *d = parse("{\"proof_id\":\"p\",\"x\":NaN,\"s\":\"\\ud800\"}",
                         PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES);
    prova_record_info info = proof_info();
    prova_ce_options o = {.source = "s"};
    prova_buf ev = PROVA_BUF_INIT, data = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &ev, &err) == 0);
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    prova_doc *evd = NULL;
    CHECK(prova_json_parse(ev.data, ev.len, &po, &evd, &err) == 0);
    CHECK(prova_ce_unwrap(prova_doc_root(evd), &data, &err) == 0);
    CHECK_BUF(data, "{\"proof_id\":\"p\",\"s\":\"\\ud800\",\"x\":NaN}");
    prova_doc_free(evd);
    prova_doc_free(d);

#define EV(extra) "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\"" extra "}"
    static const struct {
        const char *event, *reason, *pointer;
    } bad[] = {
        {"[]", "ce_not_object", ""},
        {"{\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":1}", "ce_missing_attribute", "/specversion"},
        {"{\"specversion\":\"0.3\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":1}", "ce_specversion",
         "/specversion"},
        {"{\"specversion\":1.0,\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":1}", "ce_specversion",
         "/specversion"},
        {"{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\",\"data\":1}", "ce_missing_attribute", "/id"},
        {"{\"specversion\":\"1.0\",\"id\":null,\"source\":\"s\",\"type\":\"t\",\"data\":1}", "ce_missing_attribute",
         "/id"},
        {"{\"specversion\":\"1.0\",\"id\":5,\"source\":\"s\",\"type\":\"t\",\"data\":1}", "ce_attribute_type", "/id"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"\",\"type\":\"t\",\"data\":1}", "ce_attribute_empty",
         "/source"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"data\":1}", "ce_missing_attribute", "/type"},
        {EV(",\"time\":\"2026-01-01\",\"data\":1"), "ce_time", "/time"},
        {EV(",\"time\":5,\"data\":1"), "ce_attribute_type", "/time"},
        {EV(",\"subject\":[],\"data\":1"), "ce_attribute_type", "/subject"},
        {EV(",\"datacontenttype\":\"\",\"data\":1"), "ce_attribute_empty", "/datacontenttype"},
        {EV(",\"Bad\":\"x\",\"data\":1"), "ce_extension_name", "/Bad"},
        {EV(",\"a~b/c\":\"x\",\"data\":1"), "ce_extension_name", "/a~0b~1c"},
        {EV(",\"abcdefghijklmnopqrstu\":\"x\",\"data\":1"), "ce_extension_name", "/abcdefghijklmnopqrstu"},
        {EV(",\"ext\":1.5,\"data\":1"), "ce_extension_value", "/ext"},
        {EV(",\"ext\":2147483648,\"data\":1"), "ce_extension_value", "/ext"},
        {EV(",\"ext\":{},\"data\":1"), "ce_extension_value", "/ext"},
        {EV(""), "ce_data_missing", "/data"},
        {EV(",\"data\":null"), "ce_data_missing", "/data"},
        {EV(",\"data\":1,\"data_base64\":\"AA==\""), "ce_data_conflict", "/data_base64"},
        {EV(",\"data_base64\":\"AA=\""), "ce_data_base64", "/data_base64"},
        {EV(",\"data_base64\":7"), "ce_attribute_type", "/data_base64"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prova_doc *x = parse(bad[i].event, 0);
        data.len = 0;
        int r = prova_ce_unwrap(prova_doc_root(x), &data, &err);
        CHECK_MSG(r == PROVA_ESYNTAX && data.len == 0, "%s: %d", bad[i].event, r);
        CHECK_MSG(strcmp(err.reason, bad[i].reason) == 0, "%s: %s", bad[i].event, err.reason);
        CHECK_MSG(strcmp(err.pointer, bad[i].pointer) == 0, "%s: %s", bad[i].event, err.pointer);
        prova_doc_free(x);
    }
    static const struct {
        const char *event, *data;
    } good[] = {
        {EV(",\"ext\":-2147483648,\"b\":true,\"n\":null,\"data\":{\"b\":1,\"a\":\"\\u00e9\"}"),
         "{\"a\":\"\\u00e9\",\"b\":1}"},
        {EV(",\"data_base64\":\"aGVsbG8=\""), "hello"},
        {EV(",\"datacontenttype\":\"text/plain\",\"data\":\"hi \\\"x\\\"\""), "hi \"x\""},
        {EV(",\"datacontenttype\":\"application/vnd.x+json; charset=utf-8\",\"data\":\"hi\""), "\"hi\""},
        {EV(",\"data\":\"hi\""), "\"hi\""},
        {EV(",\"time\":\"1990-12-31T23:59:60Z\",\"data\":[]"), "[]"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        prova_doc *x = parse(good[i].event, 0);
        data.len = 0;
        int r = prova_ce_unwrap(prova_doc_root(x), &data, &err);
        CHECK_MSG(r == 0, "%s: %s", good[i].event, err.reason);
        CHECK_BUF(data, good[i].data);
        prova_doc_free(x);
    }
#undef EV
    prova_buf_free(&ev);
    prova_buf_free(&data);
}

/* RFC 3986 URI-references and URIs: its grammar (§2-§4), its examples (§1.1.2, §5.4) and the CloudEvents spec's
 * source examples; each refused one with the byte the error names. */
static void test_uri(void) {
    static const char *const refs[] = {
        "/agents/a1",
        "urn:prova:x",
        "urn:prova:cli",
        "https://github.com/cloudevents",
        "mailto:cncf-wg-serverless@lists.cncf.io",
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "cloudevents/spec/pull/123",
        "/sensors/tn-1234567/alerts",
        "1-555-123-4567",
        "ftp://ftp.is.co.za/rfc/rfc1808.txt",
        "http://www.ietf.org/rfc/rfc2396.txt",
        "ldap://[2001:db8::7]/c=GB?objectClass?one",
        "news:comp.infosystems.www.servers.unix",
        "tel:+1-816-555-1212",
        "telnet://192.0.2.16:80/",
        "urn:oasis:names:specification:docbook:dtd:xml:4.1.2",
        "g;x?y#s",
        "../../../g",
        "./g:h",
        "?y",
        "#s",
        "//g",
        "",
        "a%20b",
        "http://u:p@h.example:8080/p?q=1&r=[x]#f",
        "http://[v7.a:b]/",
        "http://[::ffff:192.0.2.1]/",
        "s://h/?a?b#c?d/e",
        "x:",
        "a+b-c.d:e",
    };
    prova_error err;
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        /* the query of the example above holds '[': RFC 3986 does not allow it there */
        bool want = strstr(refs[i], "[x]") == NULL;
        int r = prova_ce_uri_check(refs[i], strlen(refs[i]), false, &err);
        CHECK_MSG((r == 0) == want, "URI-reference '%s': %d %s", refs[i], r, r ? err.reason : "");
    }
    static const struct {
        const char *s;
        bool absolute;
        const char *reason;
        size_t offset;
    } bad[] = {
        {"has spaces ::", false, "ce_uri_invalid", 3},
        {"a\"b", false, "ce_uri_invalid", 1},
        {"caf\xc3\xa9", false, "ce_uri_invalid", 3},
        {"a<b>", false, "ce_uri_invalid", 1},
        {"a\\b", false, "ce_uri_invalid", 1},
        {"100%", false, "ce_uri_invalid", 3},
        {"a%2", false, "ce_uri_invalid", 1},
        {"a%zz", false, "ce_uri_invalid", 1},
        {"9a:b", false, "ce_uri_invalid", 2},
        {"::", false, "ce_uri_invalid", 0},
        {"http://h:8o/", false, "ce_uri_invalid", 10},
        {"http://[::1/", false, "ce_uri_invalid", 7},
        {"http://[1:2]/", false, "ce_uri_invalid", 8},
        {"http://a@b@c/", false, "ce_uri_invalid", 10},
        {"http://h/p[1]", false, "ce_uri_invalid", 10},
        {"a#b#c", false, "ce_uri_invalid", 3},
        {"x\x01", false, "ce_uri_invalid", 1},
        {"/agents/a1", true, "ce_uri_not_absolute", 0},
        {"cloudevents/spec", true, "ce_uri_not_absolute", 0},
        {"", true, "ce_uri_not_absolute", 0},
        {"has spaces ::", true, "ce_uri_invalid", 3},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = prova_ce_uri_check(bad[i].s, strlen(bad[i].s), bad[i].absolute, &err);
        CHECK_MSG(r == PROVA_ESYNTAX && strcmp(err.reason, bad[i].reason) == 0 && err.offset == bad[i].offset,
                  "'%s' (%s): %d %s at %zu, want %s at %zu", bad[i].s, bad[i].absolute ? "URI" : "URI-reference", r,
                  r ? err.reason : "", err.offset, bad[i].reason, bad[i].offset);
        CHECK(r == 0 || (err.message && err.message[0]));
    }
    CHECK(prova_ce_uri_check("https://example.com/s.json#frag", 31, true, &err) == 0);
    CHECK(prova_ce_uri_check(PROVA_CE_PROOF_DATASCHEMA, strlen(PROVA_CE_PROOF_DATASCHEMA), true, &err) == 0);
    CHECK(prova_ce_uri_check(NULL, 3, false, &err) == PROVA_EINVAL);

    /* Writing: the source, and a dataref extension, are checked; nothing is written. */
    prova_doc *d = parse("{\"proof_id\":\"p\"}", 0);
    prova_record_info info = proof_info();
    prova_buf out = PROVA_BUF_INIT, h = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&out, "KEEP", 4) == 0);
    prova_ce_options o = {.source = "has spaces ::"};
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_EINVAL && out.len == 4);
    CHECK_STR(err.reason, "ce_uri_invalid");
    CHECK_STR(err.pointer, "/source");
    CHECK(err.offset == 3);
    CHECK(prova_ce_wrap_binary(prova_doc_root(d), &info, &o, &h, &out, &err) == PROVA_EINVAL && h.len == 0);
    const prova_json *one[] = {prova_doc_root(d)};
    CHECK(prova_ce_wrap_batch(one, &info, 1, &o, &out, &err) == PROVA_EINVAL && out.len == 4);
    CHECK_STR(err.pointer, "/0/source");
    prova_ce_extension e[] = {{"dataref", "s3://bucket/has space"}};
    o = (prova_ce_options){.source = "/agents/a1", .extensions = e, .nextensions = 1};
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "ce_uri_invalid");
    CHECK_STR(err.pointer, "/dataref");
    e[0].value = "s3://bucket/key";
    out.len = 0;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    o = (prova_ce_options){.source = "urn:prova:x"};
    out.len = 0;
    CHECK(prova_ce_wrap(prova_doc_root(d), &info, &o, &out, &err) == 0);
    prova_doc_free(d);

    /* Reading: structured, binary, and through prova_verify_document (a failed check with the reason code). */
#define EV(src, extra)                                                                                                 \
    "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"" src "\",\"type\":\"t\"" extra ",\"data\":1}"
    static const struct {
        const char *event, *reason, *pointer;
        size_t offset;
    } rd[] = {
        {EV("has spaces ::", ""), "ce_uri_invalid", "/source", 3},
        {EV("a%zz", ""), "ce_uri_invalid", "/source", 1},
        {EV("9a:b", ""), "ce_uri_invalid", "/source", 2},
        {EV("/agents/a1", ",\"dataschema\":\"/schemas/x.json\""), "ce_uri_not_absolute", "/dataschema", 0},
        {EV("/agents/a1", ",\"dataschema\":\"https://x/a b\""), "ce_uri_invalid", "/dataschema", 11},
        {EV("/agents/a1", ",\"dataref\":\"a b\""), "ce_uri_invalid", "/dataref", 1},
        {EV("/agents/a1", ",\"dataref\":true"), "ce_attribute_type", "/dataref", 0},
    };
    prova_buf data = PROVA_BUF_INIT;
    for (size_t i = 0; i < sizeof rd / sizeof rd[0]; i++) {
        prova_doc *x = parse(rd[i].event, 0);
        data.len = 0;
        int r = prova_ce_unwrap(prova_doc_root(x), &data, &err);
        CHECK_MSG(r == PROVA_ESYNTAX && data.len == 0 && strcmp(err.reason, rd[i].reason) == 0 &&
                      strcmp(err.pointer, rd[i].pointer) == 0 && (rd[i].offset == 0 || err.offset == rd[i].offset),
                  "%s: %d %s %s %zu", rd[i].event, r, r ? err.reason : "", err.pointer, err.offset);
        prova_doc_free(x);
        prova_report *rep = NULL;
        prova_verify_options vo = {0};
        CHECK(prova_verify_document(rd[i].event, strlen(rd[i].event), &vo, &rep, NULL) == 0);
        CHECK_MSG(rep && !prova_report_valid(rep) && has_failure(rep, rd[i].reason), "verify %s", rd[i].event);
        const prova_check *f = rep ? prova_report_first_failure(rep) : NULL;
        CHECK(f && strcmp(f->check, "cloudevent") == 0 && strcmp(f->at, rd[i].pointer) == 0);
        if (f && strncmp(rd[i].reason, "ce_uri", 6) == 0) {
            char byte[40];
            snprintf(byte, sizeof byte, "byte %zu", rd[i].offset);
            CHECK_MSG(strstr(f->message, byte) != NULL, "%s", f->message);
        }
        prova_report_free(rep);
    }
    static const char *const ok[] = {
        EV("/agents/a1", ""),
        EV("urn:prova:x", ""),
        EV("1-555-123-4567", ""),
        EV("urn:x", ",\"dataschema\":\"https://example.com/s.json#v1\",\"dataref\":\"../d?x=1\""),
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        prova_doc *x = parse(ok[i], 0);
        data.len = 0;
        CHECK_MSG(prova_ce_unwrap(prova_doc_root(x), &data, &err) == 0, "%s: %s", ok[i], err.reason);
        prova_doc_free(x);
    }
#undef EV
    static const struct {
        const char *name, *value, *reason, *pointer;
    } hd[] = {
        {"ce-source", "has%20spaces%20::", "ce_uri_invalid", "/source"},
        {"ce-dataschema", "schemas/x.json", "ce_uri_not_absolute", "/dataschema"},
        {"ce-dataref", "a%20b", "ce_uri_invalid", "/dataref"},
        {"ce-source", "urn:prova:x", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof hd / sizeof hd[0]; i++) {
        prova_ce_header hs[] = {{"ce-specversion", 14, "1.0", 3},
                                {"ce-id", 5, "i", 1},
                                {"ce-type", 7, "t", 1},
                                {"ce-source", 9, "/agents/a1", 10},
                                {hd[i].name, strlen(hd[i].name), hd[i].value, strlen(hd[i].value)}};
        size_t n = 5;
        if (strcmp(hd[i].name, "ce-source") == 0) { /* replaces the default source */
            hs[3] = hs[4];
            n = 4;
        }
        data.len = 0;
        int r = prova_ce_unwrap_binary(hs, n, "{}", 2, &data, &err);
        if (hd[i].reason) {
            CHECK_MSG(r == PROVA_ESYNTAX && strcmp(err.reason, hd[i].reason) == 0 &&
                          strcmp(err.pointer, hd[i].pointer) == 0,
                      "%s: %s: %d %s %s", hd[i].name, hd[i].value, r, r ? err.reason : "", err.pointer);
        } else {
            CHECK_MSG(r == 0, "%s: %s: %s", hd[i].name, hd[i].value, err.reason);
        }
    }
    prova_buf_free(&data);
    prova_buf_free(&out);
    prova_buf_free(&h);
}

static void test_batch(void) {
    prova_doc *a = parse("{\"proof_id\":\"a\"}", 0), *b = parse("{\"proof_id\":\"b\"}", 0);
    const prova_json *recs[] = {prova_doc_root(a), prova_doc_root(b)};
    prova_record_info infos[] = {proof_info(), proof_info()};
    prova_ce_options o = {.source = "s"};
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_ce_wrap_batch(recs, infos, 2, &o, &out, &err) == 0);
    CHECK(out.len > 2 && out.data[0] == '[' && out.data[out.len - 1] == ']');
    CHECK(prova_buf_append(&out, "", 1) == 0);
    CHECK(strstr((const char *)out.data, "\"id\":\"a\"") != NULL && strstr((const char *)out.data, "},{") != NULL &&
          strstr((const char *)out.data, "\"id\":\"b\"") != NULL);
    infos[1].kind = "nope";
    infos[1].family = PROVA_RECORD_OPE;
    out.len = 0;
    CHECK(prova_ce_wrap_batch(recs, infos, 2, &o, &out, &err) == PROVA_EINVAL);
    CHECK(out.len == 0);
    CHECK_STR(err.reason, "ce_unknown_kind");
    CHECK_STR(err.pointer, "/1");
    CHECK(prova_ce_wrap_batch(recs, infos, 0, &o, &out, &err) == PROVA_EINVAL);
    prova_doc_free(a);
    prova_doc_free(b);
    prova_buf_free(&out);
}

int main(void) {
    test_time();
    test_proof_event();
    test_other_families();
    test_extensions();
    test_binary();
    test_unwrap();
    test_batch();
    test_uri();
    TEST_SUMMARY();
}
