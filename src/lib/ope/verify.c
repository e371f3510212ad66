/* prova_ope_verify: parse any OPE document, detect its kind, run its checks into one report. */
#include <stdio.h>
#include <string.h>

#include "ope_internal.h"

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
    return prova_json_is_object(b) && prova_json_get(v, "bundle_cid") && prova_json_is_array(prova_json_get(b, "receipts"));
}

static bool all_receipts(const prova_json *arr) {
    if (!prova_json_is_array(arr) || arr->len == 0) return false;
    for (size_t i = 0; i < arr->len; i++)
        if (!prova__ope_is_receipt(&arr->u.items[i])) return false;
    return true;
}

/* JSON Lines: one receipt per non-empty line, verified as a chain one line at a time, so memory stays at one
 * receipt (plus the report, whose size is bounded: see OPE_CHAIN_DETAIL). Returns 0 when every line parsed (the
 * report holds the verdict), PROVA_ESYNTAX with err anchored in the whole input, or PROVA_ENOMEM. */
static int verify_jsonl(const char *data, size_t len, const prova_verify_options *o, prova_report *r,
                        prova_error *err) {
    ope_chain c;
    prova__ope_chain_init(&c);
    int rc = prova_report_set_kind(r, "ope_receipt_chain");
    size_t start = 0, line = 0;
    while (rc == 0 && start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - data) : len;
        line++;
        size_t a = start, b = end;
        while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r')) a++;
        while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r')) b--;
        start = end + 1;
        if (b == a) continue;
        prova_doc *one = NULL;
        rc = prova_json_parse(data + a, b - a, NULL, &one, err);
        if (rc < 0) {
            if (err) { /* re-anchor the position in the whole input */
                err->offset += a;
                err->line = line;
            }
            break;
        }
        const prova_json *rcpt = prova_doc_root(one);
        if (!prova__ope_is_receipt(rcpt)) {
            char at[32];
            snprintf(at, sizeof at, "/%zu", c.count);
            rc = prova_report_check(r, "chain.schema", false, "schema_error", at,
                                    "line %zu is not a receipt: JSON Lines input must be a receipt chain", line);
            c.count++;
        } else {
            if (c.count == OPE_CHAIN_DETAIL) prova__report_quiet(r, true);
            rc = prova__ope_chain_step(&c, rcpt, "", o, r);
        }
        prova_doc_free(one);
    }
    prova__report_quiet(r, false);
    if (rc == 0 && c.count == 0)
        rc = prova_report_check(r, "chain.schema", false, "schema_error", "", "no receipts in the input");
    if (rc == 0 && c.count > OPE_CHAIN_DETAIL) rc = prova__ope_chain_summary(&c, r);
    prova__ope_chain_free(&c);
    return rc;
}

int prova_ope_verify(const void *data, size_t len, const prova_verify_options *o, prova_report **ret_report,
                     prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!data && len) || !ret_report) return PROVA_EINVAL;
    prova_report *r = prova_report_new("unknown");
    if (!r) return PROVA_ENOMEM;
    prova_doc *doc = NULL;
    prova_error perr;
    int rc = prova_json_parse(data ? data : "", len, NULL, &doc, &perr);
    if (rc == PROVA_ESYNTAX && strcmp(perr.reason, "json_trailing_data") == 0) {
        /* More than one value: JSON Lines. The first line parsed, so this is a chain (or a clear error). */
        rc = verify_jsonl(data, len, o, r, &perr);
        if (rc == 0) {
            *ret_report = r;
            return 0;
        }
        if (rc == PROVA_ENOMEM) {
            prova_report_free(r);
            return rc;
        }
    }
    if (rc < 0) {
        prova_report_check(r, "parse", false, perr.reason, perr.pointer, "%s at line %zu, column %zu", perr.message,
                           perr.line, perr.column);
        if (reterr) *reterr = perr;
        *ret_report = r;
        return rc == PROVA_ENOMEM ? rc : PROVA_ESYNTAX;
    }
    const prova_json *root = prova_doc_root(doc);
    int vr = 0;
    if (prova__ope_is_bundle(root)) {
        vr = prova_report_set_kind(r, "ope_bundle");
        if (!vr) vr = prova__ope_verify_bundle(root, o, r);
    } else if (prova__ope_is_envelope(root)) {
        vr = prova_report_set_kind(r, "ope_envelope");
        if (!vr) vr = prova__ope_verify_envelope(root, "", o, r);
    } else if (prova__ope_is_receipt(root)) {
        vr = prova_report_set_kind(r, "ope_receipt");
        if (!vr) vr = prova__ope_verify_receipt(root, "", o, r);
    } else if (all_receipts(root)) {
        vr = prova_report_set_kind(r, "ope_receipt_chain");
        if (!vr) vr = prova__ope_verify_chain(root, "", o, r);
    } else {
        prova_report_check(r, "kind", false, "schema_error", "",
                           "not an OPE document: expected an envelope, a receipt, a receipt chain or a bundle");
    }
    prova_doc_free(doc);
    if (vr < 0) {
        prova_report_free(r);
        return vr;
    }
    *ret_report = r;
    return 0;
}
