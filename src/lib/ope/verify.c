/* OPE verification: detect the kind of a document, run its checks into one report (prova_ope_verify, in
 * src/lib/verify, drives it). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ope_internal.h"
#include "prova/redact.h"

bool prova__ope_is_envelope(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "payload") &&
           (prova_json_get(v, "sig") || prova_json_get(v, "sender_sig") || prova_json_get(v, "signature") ||
            prova_json_get(v, "sender") || prova_json_get(v, "cid"));
}

bool prova__ope_is_receipt(const prova_json *v) {
    return prova_json_is_object(v) && prova_json_get(v, "receipt_hash") && prova_json_get(v, "trace_id");
}

bool prova__ope_is_bundle(const prova_json *v) {
    if (!prova_json_is_object(v)) return false;
    const prova_json *b = prova_json_get(v, "bundle");
    return prova_json_is_object(b) && prova_json_get(v, "bundle_cid") &&
           prova_json_is_array(prova_json_get(b, "receipts"));
}

bool prova__ope_is_chain(const prova_json *arr) {
    if (!prova_json_is_array(arr) || arr->len == 0) return false;
    for (size_t i = 0; i < arr->len; i++)
        if (!prova__ope_is_receipt(&arr->u.items[i])) return false;
    return true;
}

/* The lines of [start, end) of data, numbered after the line lines. */
static void lines_init(prova_jsonl *it, const char *data, size_t start, size_t end, size_t line) {
    prova_jsonl_init(it, data, end, PROVA_DEFAULT_MAX_SIZE);
    it->pos = start;
    it->line = line;
}

/* One stretch of JSON Lines [start, end), checked against chain state c (already seeded for a later stretch).
 * line is the number of the line before start. */
typedef struct segment {
    const char *data;
    size_t start, end, line;
    ope_chain c;
    const prova_verify_options *o;
    prova_report *r;
    prova_error err;
    int rc;
} segment;

static void run_segment(segment *s) {
    prova_jsonl it;
    prova_jsonl_line l;
    int more;
    s->rc = 0;
    lines_init(&it, s->data, s->start, s->end, s->line);
    if (s->c.count >= OPE_CHAIN_DETAIL) prova__report_quiet(s->r, true);
    while (s->rc == 0 && (more = prova_jsonl_next(&it, &l, &s->err)) != 0) {
        s->line = it.line;
        if (more < 0) {
            s->rc = more;
            break;
        }
        prova_doc *one = NULL;
        s->rc = prova_json_parse(l.text, l.len, NULL, &one, &s->err);
        if (s->rc < 0) { /* re-anchor the position in the whole input */
            s->err.offset += l.offset;
            s->err.line = s->line;
            break;
        }
        const prova_json *rcpt = prova_doc_root(one);
        if (!prova__ope_is_receipt(rcpt)) {
            char at[32];
            snprintf(at, sizeof at, "/%zu", s->c.count);
            s->rc = prova__report_check(s->r, "chain.schema", false, "schema_error", at,
                                        "line %zu is not a receipt: JSON Lines input must be a receipt chain", s->line);
            s->c.count++;
        } else {
            if (s->c.count == OPE_CHAIN_DETAIL) prova__report_quiet(s->r, true);
            s->rc = prova__ope_chain_step(&s->c, rcpt, "", s->o, s->r);
        }
        prova_doc_free(one);
    }
    prova__report_quiet(s->r, false);
}

static void *segment_thread(void *arg) {
    run_segment(arg);
    return NULL;
}

#define MAX_THREADS        16
#define MIN_PARALLEL_BYTES ((size_t)1 << 20)

/* Splits [0, len) into up to n stretches at line starts and seeds each stretch's chain state from the receipt 0
 * and the receipt just before it, so the stretches can be checked in parallel and give, merged in order, the same
 * report as one pass. Returns the number of stretches (1 when splitting is not possible or not worth it). */
static size_t split(const char *data, size_t len, unsigned n, const prova_verify_options *o, segment *seg) {
    memset(seg, 0, sizeof *seg * MAX_THREADS);
    seg[0] = (segment){.data = data, .start = 0, .end = len, .o = o};
    prova__ope_chain_init(&seg[0].c);
    if (n < 2 || len < MIN_PARALLEL_BYTES) return 1;
    if (n > MAX_THREADS) n = MAX_THREADS;
    prova_jsonl it;
    prova_jsonl_line l;
    prova_doc *first = NULL;
    lines_init(&it, data, 0, len, 0);
    if (prova_jsonl_next(&it, &l, NULL) <= 0 || prova_json_parse(l.text, l.len, NULL, &first, NULL) < 0 ||
        !prova__ope_is_receipt(prova_doc_root(first))) {
        prova_doc_free(first);
        return 1;
    }
    /* Walk the lines once, counting receipts, and cut at the first line start past each k*len/n. */
    size_t k = 1, count = 0;
    prova_jsonl_line prev = l;
    lines_init(&it, data, 0, len, 0);
    size_t cut = len / n;
    while (k < n && prova_jsonl_next(&it, &l, NULL) > 0) {
        if (l.offset >= cut && count > 0) {
            prova_doc *last = NULL;
            if (prova_json_parse(prev.text, prev.len, NULL, &last, NULL) < 0 ||
                !prova__ope_is_receipt(prova_doc_root(last))) {
                prova_doc_free(last);
                break; /* leave the rest to the previous stretch: it reports that line */
            }
            seg[k - 1].end = l.offset;
            seg[k] = (segment){.data = data, .start = l.offset, .end = len, .line = l.number - 1, .o = o};
            int rc = prova__ope_chain_seed(&seg[k].c, count, prova_doc_root(first), prova_doc_root(last));
            prova_doc_free(last);
            if (rc < 0) break;
            k++;
            cut = len / n * k;
        }
        count++;
        prev = l;
    }
    prova_doc_free(first);
    return k;
}

/* JSON Lines: one receipt per non-empty line, verified as a chain one line at a time, so memory stays at one
 * receipt per thread (plus the report, whose size is bounded: see OPE_CHAIN_DETAIL). With o->threads > 1 the
 * input is cut into stretches checked in parallel and merged in order. Returns 0 when every line parsed (the report
 * holds the verdict), PROVA_ESYNTAX with err anchored in the whole input, or PROVA_ENOMEM. */
int prova__ope_verify_jsonl(const char *data, size_t len, const prova_verify_options *o, prova_report *r,
                            prova_error *err) {
    int rc = prova_report_set_kind(r, "ope_receipt_chain");
    if (rc < 0) return rc;
    segment seg[MAX_THREADS];
    size_t n = split(data, len, o ? o->threads : 1, o, seg);
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    for (size_t i = 0; i < n; i++) {
        seg[i].r = i == 0 ? r : prova_report_new("ope_receipt_chain");
        if (!seg[i].r) {
            rc = PROVA_ENOMEM;
            break;
        }
    }
    for (size_t i = 1; rc == 0 && i < n; i++) started[i] = pthread_create(&tid[i], NULL, segment_thread, &seg[i]) == 0;
    if (rc == 0) run_segment(&seg[0]);
    for (size_t i = 1; i < n; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else if (rc == 0 && seg[i].r)
            run_segment(&seg[i]); /* no thread to be had: do it here */
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && seg[i].rc < 0) {
            rc = seg[i].rc;
            if (err) *err = seg[i].err;
        }
        if (rc == 0 && i > 0) rc = prova__report_append(r, seg[i].r);
        if (i == n - 1) count = seg[i].c.count;
        if (i > 0) prova_report_free(seg[i].r);
    }
    if (rc == 0 && count == 0)
        rc = prova__report_check(r, "chain.schema", false, "schema_error", "", "no receipts in the input");
    if (rc == 0 && count > OPE_CHAIN_DETAIL) rc = prova__ope_chain_summary(&seg[n - 1].c, r);
    for (size_t i = 0; i < n; i++) prova__ope_chain_free(&seg[i].c);
    return rc;
}

bool prova__ope_detect(const prova_json *root) {
    return prova__ope_is_bundle(root) || prova__ope_is_flat_bundle(root) || prova__ope_is_envelope(root) ||
           prova__ope_is_receipt(root) || prova__ope_is_chain(root);
}

int prova__ope_verify_root(const prova_json *root, const prova_verify_options *o, prova_report *r) {
    int vr = 0;
    if (prova__ope_is_bundle(root) || prova__ope_is_flat_bundle(root)) {
        vr = prova_report_set_kind(r, "ope_bundle");
        if (!vr) vr = prova__ope_verify_bundle(root, o, r);
    } else if (prova__ope_is_envelope(root)) {
        vr = prova_report_set_kind(r, "ope_envelope");
        if (!vr) vr = prova__ope_verify_envelope(root, "", o, r);
        if (!vr && prova_redact_detect(root)) vr = prova_redact_verify(root, "", r); /* docs/redaction.md */
    } else if (prova__ope_is_receipt(root)) {
        vr = prova_report_set_kind(r, "ope_receipt");
        if (!vr) vr = prova__ope_verify_receipt(root, "", o, r);
    } else if (prova__ope_is_chain(root)) {
        vr = prova_report_set_kind(r, "ope_receipt_chain");
        if (!vr) vr = prova__ope_verify_chain(root, "", o, r);
    } else {
        prova_report_set_outcome(r, PROVA_OUTCOME_UNKNOWN_KIND);
        vr = prova__report_check(r, "kind", false, "schema_error", "",
                                 "not an OPE document: expected an envelope, a receipt, a receipt chain or a bundle");
    }
    return vr;
}
