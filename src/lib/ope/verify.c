/* prova_ope_verify: parse any OPE document, detect its kind, run its checks into one report. */
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

/* JSON Lines: one value per non-empty line. Re-assembled as a JSON array so the chain verifier sees one value;
 * each line is first parsed on its own, so an error names the line. */
static int parse_jsonl(const char *data, size_t len, prova_doc **ret_doc, prova_error *err, size_t *ret_lines) {
    prova_buf arr = PROVA_BUF_INIT;
    int r = prova_buf_append(&arr, "[", 1);
    size_t lines = 0, start = 0;
    while (r == 0 && start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t a = start, b = end;
        while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r')) a++;
        while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r')) b--;
        if (b > a) {
            prova_doc *one = NULL;
            r = prova_json_parse(data + a, b - a, NULL, &one, err);
            if (r < 0) {
                if (err) { /* re-anchor the position in the whole input */
                    size_t line = 1;
                    for (size_t i = 0; i < a; i++) line += data[i] == '\n';
                    err->offset += a;
                    err->line = line;
                }
                break;
            }
            prova_doc_free(one);
            if (lines++ && (r = prova_buf_append(&arr, ",", 1)) < 0) break;
            r = prova_buf_append(&arr, data + a, b - a);
        }
        start = end + 1;
    }
    if (r == 0) r = prova_buf_append(&arr, "]", 1);
    if (r == 0) r = prova_json_parse(arr.data, arr.len, NULL, ret_doc, err);
    prova_buf_free(&arr);
    *ret_lines = lines;
    return r;
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
    size_t lines = 0;
    if (rc == PROVA_ESYNTAX && strcmp(perr.reason, "json_trailing_data") == 0) {
        prova_error lerr;
        int lrc = parse_jsonl(data, len, &doc, &lerr, &lines);
        if (lrc == 0) rc = 0;
        else if (lines > 0) perr = lerr; /* the second line parsed and a later one failed: report that one */
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
