/* The dispatcher, the top of the library: parse any document, detect its family and kind, verify it into one
 * report (prova_verify_document, and prova_ope_verify for OPE documents only). */
#include <string.h>

#include "interop_internal.h"
#include "oe_internal.h"
#include "ope_internal.h"
#include "prova/jsonl.h"
#include "prova/proof.h"
#include "prova/verify.h"
#include "verify_internal.h"

/* The first non-empty line of a JSON Lines text, parsed (NULL when it does not parse). */
static prova_doc *first_line(const char *s, size_t len) {
    prova_jsonl it;
    prova_jsonl_line l;
    prova_doc *doc = NULL;
    prova_jsonl_init(&it, s, len, PROVA_DEFAULT_MAX_SIZE);
    if (prova_jsonl_next(&it, &l, NULL) <= 0) return NULL;
    return prova_json_parse(l.text, l.len, NULL, &doc, NULL) == 0 ? doc : NULL;
}

/* Which documents an entry point accepts: prova_verify_document any, prova_ope_verify OPE ones only. */
typedef enum doc_family { FAMILY_ANY = 0, FAMILY_OPE } doc_family;

/* The shared parse-detect-verify driver of prova_verify_document() and prova_ope_verify(). */
static int verify_family(const void *data, size_t len, const prova_verify_options *o, doc_family family,
                         prova_report **ret_report, prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!data && len) || !ret_report) return PROVA_EINVAL;
    prova_report *r = prova_report_new("unknown");
    if (!r) return PROVA_ENOMEM;
    prova_doc *doc = NULL;
    prova_error perr;
    prova_parse_options po = {.max_depth = o ? o->max_depth : 0};
    int rc = prova_json_parse(data ? data : "", len, &po, &doc, &perr);
    /* More than one value: JSON Lines, of OpenExecution events or of OPE receipts (the first line decides). A text
     * over the document size limit may be JSON Lines too: their limits apply to each line, not to the whole. */
    bool lines = rc == PROVA_ESYNTAX && strcmp(perr.reason, "json_trailing_data") == 0;
    prova_doc *first = NULL;
    if (lines || (rc == PROVA_ELIMIT && strcmp(perr.reason, "json_size_limit") == 0)) first = first_line(data, len);
    if (!lines && first) {
        const prova_json *f = prova_doc_root(first);
        lines = prova__oe_is_event(f) || prova__ope_is_receipt(f);
    }
    if (lines) {
        bool oe = first && family != FAMILY_OPE && prova__oe_is_event(prova_doc_root(first));
        prova_doc_free(first);
        rc = oe ? prova_oe_verify_jsonl(data, len, o, r, &perr) : prova__ope_verify_jsonl(data, len, o, r, &perr);
        if (rc == 0) {
            *ret_report = r;
            return 0;
        }
        if (rc == PROVA_ENOMEM) {
            prova_report_free(r);
            return rc;
        }
        /* A line that does not parse: the report names it, as for a whole document (a report with no check
         * would say nothing of what was wrong). */
        if (!prova_report_first_failure(r) &&
            prova__report_check(r, "parse", false, perr.reason, perr.pointer, "%s at line %zu, column %zu",
                                perr.message, perr.line, perr.column) == PROVA_ENOMEM) {
            prova_report_free(r);
            return PROVA_ENOMEM;
        }
        if (reterr) *reterr = perr;
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        *ret_report = r;
        return PROVA_ESYNTAX;
    }
    prova_doc_free(first);
    /* Proof records are Python values: NaN/Infinity and lone surrogates are legal in them (ophamin.md §1.2 R10). A
     * document rejected only for those is read again leniently, and accepted only if it is a proof record. */
    if (family == FAMILY_ANY && (rc == PROVA_ESYNTAX || rc == PROVA_ERANGE)) {
        int lr = prova__parse_proof_lenient(data, len, po.max_depth, &perr, &doc);
        if (lr == 0 || lr == PROVA_ENOMEM) rc = lr;
    }
    if (rc < 0) {
        prova__report_check(r, "parse", false, perr.reason, perr.pointer, "%s at line %zu, column %zu", perr.message,
                            perr.line, perr.column);
        if (reterr) *reterr = perr;
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        *ret_report = r;
        return rc == PROVA_ENOMEM ? rc : PROVA_ESYNTAX;
    }
    const prova_json *root = prova_doc_root(doc);
    int vr;
    if (family == FAMILY_ANY && prova__dsse_detect(root))
        vr = prova__verify_dsse(root, o, r);
    else if (family == FAMILY_ANY && prova_json_is_string(prova_json_get(root, "specversion")))
        vr = prova__verify_cloudevent(root, o, r);
    else if (family != FAMILY_OPE && prova_oe_detect(root))
        vr = prova_oe_verify_doc(root, o, r);
    else if (family == FAMILY_OPE || prova__ope_detect(root))
        vr = prova__ope_verify_root(root, o, r);
    else if (family == FAMILY_ANY && prova_proof_detect(root))
        vr = prova_proof_verify_doc(root, o, r);
    else {
        prova_report_set_outcome(r, PROVA_OUTCOME_UNKNOWN_KIND);
        vr = prova__report_check(
            r, "kind", false, "schema_error", "",
            "not a document prova knows: expected an OPE envelope, receipt, receipt chain or bundle, "
            "an OpenExecution bundle, chain record or events, or an Ophamin proof record");
    }
    if (vr == 0 && family == FAMILY_ANY) vr = prova__verify_log_proofs(root, o, r);
    prova_doc_free(doc);
    if (vr < 0) {
        prova_report_free(r);
        return vr;
    }
    *ret_report = r;
    return 0;
}

int prova_verify_document(const void *data, size_t len, const prova_verify_options *o, prova_report **ret_report,
                          prova_error *reterr) {
    return verify_family(data, len, o, FAMILY_ANY, ret_report, reterr);
}

/* Declared in prova/ope.h; here because it is the dispatcher restricted to OPE documents (the families are below
 * this layer and never call up into it). */
int prova_ope_verify(const void *data, size_t len, const prova_verify_options *o, prova_report **ret_report,
                     prova_error *reterr) {
    return verify_family(data, len, o, FAMILY_OPE, ret_report, reterr);
}
