/* libFuzzer target: the interop layer on hostile input. prova import's unwrappers (a DSSE envelope through
 * prova_dsse_verify, a structured CloudEvent or a batch through prova_ce_unwrap, and — splitting the input at its
 * first blank line into header lines and a body — a binary-mode event through prova_ce_unwrap_binary), and, for
 * whatever prova_record_describe accepts, every exporter: the in-toto Statement, a CloudEvent, the OpenLineage
 * events and the RO-Crate metadata. Invariants: no crash, leak or UB; a DSSE input always gets a report (unless
 * memory runs out) whose JSON form parses; an unwrap either fails with a reason code and writes nothing, or
 * succeeds; every exporter either fails with a reason code and writes nothing, or writes JSON that parses
 * (OpenLineage: one JSON object per line). */
#include <string.h>

#include "fuzz.h"

#include "prova/cloudevents.h"
#include "prova/interop.h"
#include "prova/intoto.h"
#include "prova/openlineage.h"
#include "prova/report.h"
#include "prova/rocrate.h"

static const prova_parse_options lenient = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};

static void parses(const prova_buf *b) {
    prova_doc *d = NULL;
    ASSERT(prova_json_parse(b->data ? (const char *)b->data : "", b->len, &lenient, &d, NULL) == 0);
    prova_doc_free(d);
}

/* An exporter's result: 0 with JSON output, or an error with a reason and nothing written. */
static void exported(int rc, const prova_buf *out, const prova_error *err) {
    if (rc == 0) {
        parses(out);
    } else {
        ASSERT(rc == PROVA_ENOMEM || (err->reason && err->reason[0]));
        ASSERT(out->len == 0);
    }
}

static void unwrap(const prova_json *ev) {
    prova_buf data = PROVA_BUF_INIT;
    prova_error err;
    int rc = prova_ce_unwrap(ev, &data, &err);
    if (rc < 0) ASSERT(rc == PROVA_ENOMEM || (data.len == 0 && err.reason && strncmp(err.reason, "ce_", 3) == 0));
    prova_buf_free(&data);
}

static void export_all(const prova_json *root, const uint8_t *bytes, size_t size) {
    prova_record_info info;
    prova_error err;
    if (prova_record_describe(root, &info, &err) < 0) return;
    ASSERT(info.digest[0] && info.kind && info.name[0]);
    prova_buf out = PROVA_BUF_INIT;
    exported(prova_intoto_statement(root, NULL, &out, &err), &out, &err);
    out.len = 0;
    prova_ce_options co = {.source = "urn:fuzz"};
    exported(prova_ce_wrap(root, &info, &co, &out, &err), &out, &err);
    out.len = 0;
    exported(prova_rocrate_metadata(root, bytes, size, NULL, &out, &err), &out, &err);
    out.len = 0;
    size_t n = 0;
    int rc = prova_openlineage_events(root, NULL, &out, &n, &err);
    if (rc == 0) {
        size_t at = 0, lines = 0;
        while (at < out.len) {
            const uint8_t *nl = memchr(out.data + at, '\n', out.len - at);
            size_t end = nl ? (size_t)(nl - out.data) : out.len;
            prova_doc *d = NULL;
            ASSERT(prova_json_parse(out.data + at, end - at, &lenient, &d, NULL) == 0);
            ASSERT(prova_json_is_object(prova_doc_root(d)));
            prova_doc_free(d);
            lines++;
            at = end + 1;
        }
        ASSERT(lines == n);
    } else {
        ASSERT(rc == PROVA_ENOMEM || (err.reason && out.len == 0));
    }
    prova_buf_free(&out);
}

static void binary(const uint8_t *data, size_t size) {
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 1 < size && !sep; i++)
        if (data[i] == '\n' && data[i + 1] == '\n') sep = data + i;
    if (!sep) return;
    prova_ce_header h[64];
    size_t n = 0, at = 0, end = (size_t)(sep - data);
    while (at < end && n < 64) {
        const uint8_t *nl = memchr(data + at, '\n', end - at);
        size_t le = nl ? (size_t)(nl - data) : end;
        const uint8_t *colon = memchr(data + at, ':', le - at);
        if (colon) {
            size_t c = (size_t)(colon - data);
            h[n++] = (prova_ce_header){(const char *)data + at, c - at, (const char *)data + c + 1, le - c - 1};
        }
        at = le + 1;
    }
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    int rc = prova_ce_unwrap_binary(h, n, sep + 2, size - end - 2, &out, &err);
    if (rc < 0) ASSERT(rc == PROVA_ENOMEM || (out.len == 0 && err.reason && err.reason[0]));
    prova_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    prova_report *rep = NULL;
    prova_error err;
    int rc = prova_dsse_verify(data, size, NULL, &rep, &err);
    ASSERT(rc == 0 || rc == PROVA_ESYNTAX || rc == PROVA_ENOMEM);
    if (rep) {
        prova_buf j = PROVA_BUF_INIT;
        if (prova_report_to_json(rep, &j) == 0) parses(&j);
        prova_buf_free(&j);
        prova_report_free(rep);
    } else {
        ASSERT(rc == PROVA_ENOMEM);
    }
    prova_doc *doc = NULL;
    if (prova_record_parse(data, size, NULL, &doc, NULL) == 0) {
        export_all(prova_doc_root(doc), data, size);
        prova_doc_free(doc);
    }
    if (prova_json_parse(data, size, &lenient, &doc, NULL) == 0) {
        const prova_json *root = prova_doc_root(doc);
        if (prova_json_is_array(root))
            for (size_t i = 0; i < root->len; i++) unwrap(prova_json_at(root, i));
        else
            unwrap(root);
        prova_doc_free(doc);
    }
    binary(data, size);
    return 0;
}
