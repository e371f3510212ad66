/* prova_verify: parse any document, detect its family and kind, verify it into one report. */
#include <string.h>

#include "oe_internal.h"
#include "ope_internal.h"
#include "prova/cloudevents.h"
#include "prova/intoto.h"
#include "prova/jsonl.h"
#include "prova/proof.h"
#include "prova/verify.h"

/* The first non-empty line of a JSON Lines text, parsed (NULL when it does not parse). */
static prova_doc *first_line(const char *s, size_t len) {
    prova_jsonl it;
    prova_jsonl_line l;
    prova_doc *doc = NULL;
    prova_jsonl_init(&it, s, len, PROVA_DEFAULT_MAX_SIZE);
    if (prova_jsonl_next(&it, &l, NULL) <= 0) return NULL;
    return prova_json_parse(l.text, l.len, NULL, &doc, NULL) == 0 ? doc : NULL;
}

/* A DSSE envelope: both layers, as prova_dsse_verify(). HMAC signatures verify under the proof records' HMAC key
 * option (o->hmac_key_b64, or the public default key with o->allow_default_hmac_key, which the report warns about). */
static int verify_dsse(const prova_json *env, const prova_verify_options *o, prova_report *r) {
    int rc = prova_report_set_kind(r, "dsse_envelope");
    uint8_t *owned = NULL; /* a decoded key, wiped and freed here */
    const uint8_t *key = NULL;
    size_t key_len = 0;
    bool is_default = false;
    if (rc == 0 && o && o->hmac_key_b64) {
        int kr = prova_proof_b64_key(o->hmac_key_b64, &owned, &key_len, NULL);
        if (kr == PROVA_ENOMEM) rc = kr;
        is_default = kr == PROVA_PROOF_KEY_IS_DEFAULT;
        if (kr < 0) {
            owned = NULL;
            key_len = 0;
        }
        key = owned;
    } else if (rc == 0 && o && o->allow_default_hmac_key) {
        key = (const uint8_t *)PROVA_PROOF_DEFAULT_KEY;
        key_len = PROVA_PROOF_DEFAULT_KEY_LEN;
        is_default = true;
    }
    prova_dsse_verify_options d = {.keys = o ? o->keys : NULL, .hmac_key = key, .hmac_key_len = key_len, .inner = o};
    if (rc == 0) rc = prova__dsse_verify_root(env, &d, r);
    if (rc == 0 && key && is_default)
        rc = prova_report_warn(r, "dsse_default_key", "",
                               "HMAC signatures were checked under the public default key \"%s\": a match proves "
                               "integrity against accidents only", PROVA_PROOF_DEFAULT_KEY) < 0 ? PROVA_ENOMEM : 0;
    prova_proof_key_free(owned, key_len);
    return rc;
}

/* A structured CloudEvent: its attributes (prova_ce_unwrap), then the record in its data, verified like any
 * document; one report. */
static int verify_cloudevent(const prova_json *ev, const prova_verify_options *o, prova_report *r) {
    int rc = prova_report_set_kind(r, "cloudevent");
    prova_buf data = PROVA_BUF_INIT;
    prova_error e;
    int ur = rc ? rc : prova_ce_unwrap(ev, &data, &e);
    if (ur == PROVA_ENOMEM) {
        rc = ur;
    } else if (ur < 0 && e.reason && strncmp(e.reason, "ce_uri", 6) == 0) { /* name the byte of the value */
        rc = prova_report_check(r, "cloudevent", false, e.reason, e.pointer, "%s (byte %zu of the value at %s)",
                                e.message, e.offset, e.pointer) < 0 ? PROVA_ENOMEM : 0;
    } else if (ur < 0) {
        rc = prova_report_check(r, "cloudevent", false, e.reason, e.pointer, "%s", e.message) < 0 ? PROVA_ENOMEM : 0;
    } else {
        const prova_json *type = prova_json_get(ev, "type");
        rc = prova_report_check(r, "cloudevent", true, "ok", "", "a CloudEvents 1.0 event of type %s; its data verified "
                                "below", prova_json_str(type) ? prova_json_str(type) : "?") < 0 ? PROVA_ENOMEM : 0;
        prova_report *inner = NULL;
        int vr = rc ? rc : prova_verify_document(data.data ? (const char *)data.data : "", data.len, o, &inner, NULL);
        if (vr == PROVA_ENOMEM || (!inner && !rc)) rc = PROVA_ENOMEM;
        else if (inner) rc = prova__report_append(r, inner);
        prova_report_free(inner);
    }
    prova_buf_free(&data);
    return rc;
}

int prova__verify_family(const void *data, size_t len, const prova_verify_options *o, prova__family family,
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
        bool oe = first && family != PROVA__FAMILY_OPE && prova__oe_is_event(prova_doc_root(first));
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
        if (reterr) *reterr = perr;
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        *ret_report = r;
        return PROVA_ESYNTAX;
    }
    prova_doc_free(first);
    /* Proof records are Python values: NaN/Infinity and lone surrogates are legal in them (ophamin.md §1.2 R10). A
     * document rejected only for those is read again leniently, and accepted only if it is a proof record. */
    if (family == PROVA__FAMILY_ANY && (rc == PROVA_ESYNTAX || rc == PROVA_ERANGE)) {
        int lr = prova__parse_proof_lenient(data, len, po.max_depth, &perr, &doc);
        if (lr == 0 || lr == PROVA_ENOMEM) rc = lr;
    }
    if (rc < 0) {
        prova_report_check(r, "parse", false, perr.reason, perr.pointer, "%s at line %zu, column %zu", perr.message,
                           perr.line, perr.column);
        if (reterr) *reterr = perr;
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        *ret_report = r;
        return rc == PROVA_ENOMEM ? rc : PROVA_ESYNTAX;
    }
    const prova_json *root = prova_doc_root(doc);
    int vr;
    if (family == PROVA__FAMILY_ANY && prova__dsse_detect(root)) vr = verify_dsse(root, o, r);
    else if (family == PROVA__FAMILY_ANY && prova_json_is_string(prova_json_get(root, "specversion")))
        vr = verify_cloudevent(root, o, r);
    else if (family != PROVA__FAMILY_OPE && prova_oe_detect(root)) vr = prova_oe_verify_doc(root, o, r);
    else if (family != PROVA__FAMILY_OE && (family == PROVA__FAMILY_OPE || prova__ope_detect(root)))
        vr = prova__ope_verify_root(root, o, r);
    else if (family == PROVA__FAMILY_ANY && prova_proof_detect(root))
        vr = prova_proof_verify_doc(root, o, r);
    else {
        prova_report_set_outcome(r, PROVA_OUTCOME_UNKNOWN_KIND);
        vr = prova_report_check(r, "kind", false, "schema_error", "",
                                "not a document prova knows: expected an OPE envelope, receipt, receipt chain or bundle, "
                                "an OpenExecution bundle, chain record or events, or an Ophamin proof record");
    }
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
    return prova__verify_family(data, len, o, PROVA__FAMILY_ANY, ret_report, reterr);
}
