/* The wrappers composed with the documents they carry: a DSSE envelope (in-toto Statement inside) and a structured
 * CloudEvent. Interop verifies the wrapper's own layers (prova__dsse_verify_layers, prova_ce_unwrap) and hands back
 * the document inside; this layer verifies that document like any other (prova_verify_document) and merges the
 * reports. Interop never calls up into the dispatcher: the layers point one way. */
#include <string.h>

#include "internal.h"
#include "interop_internal.h"
#include "prova/cloudevents.h"
#include "prova/intoto.h"
#include "prova/proof.h"
#include "verify_internal.h"

/* The record inside a wrapper, verified as `prova verify` would verify it on its own; its checks join r. */
static int verify_inner(const prova_buf *rec, const prova_verify_options *o, prova_report *r) {
    prova_report *inner = NULL;
    int vr = prova_verify_document(rec->data ? (const char *)rec->data : "", rec->len, o, &inner, NULL);
    int rc = vr == PROVA_ENOMEM || !inner ? PROVA_ENOMEM : prova__report_append(r, inner);
    prova_report_free(inner);
    return rc;
}

/* Both layers of a parsed envelope, then the record (o->inner, or defaults without the freshness check). */
static int dsse_root(const prova_json *env, const prova_dsse_verify_options *o, prova_report *r) {
    prova_buf rec = PROVA_BUF_INIT;
    int rc = prova__dsse_verify_layers(env, o, r, &rec);
    if (rc == 0 && rec.len) {
        prova_verify_options dflt = {.no_skew = true};
        rc = verify_inner(&rec, o && o->inner ? o->inner : &dflt, r);
    }
    prova_buf_free(&rec);
    return rc;
}

int prova_dsse_verify(const void *data, size_t len, const prova_dsse_verify_options *o, prova_report **ret_report,
                      prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!data && len) || !ret_report) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_report *r = prova_report_new("dsse_envelope");
    if (!r) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    prova_doc *doc = NULL;
    prova_error perr;
    int rc = prova_json_parse(data ? data : "", len, NULL, &doc, &perr);
    if (rc == PROVA_ENOMEM) {
        prova_report_free(r);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    if (rc < 0) {
        prova__report_check(r, "parse", false, perr.reason, perr.pointer, "%s at line %zu, column %zu", perr.message,
                            perr.line, perr.column);
        prova_report_set_outcome(r, PROVA_OUTCOME_BAD_INPUT);
        if (reterr) *reterr = perr;
        *ret_report = r;
        return PROVA_ESYNTAX;
    }
    rc = dsse_root(prova_doc_root(doc), o, r);
    prova_doc_free(doc);
    if (rc < 0) {
        prova_report_free(r);
        return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    *ret_report = r;
    return 0;
}

int prova__verify_dsse(const prova_json *env, const prova_verify_options *o, prova_report *r) {
    int rc = prova_report_set_kind(r, "dsse_envelope");
    uint8_t *owned = NULL; /* a decoded key, wiped and freed here */
    const uint8_t *key = NULL;
    size_t key_len = 0;
    bool is_default = false;
    if (rc == 0 && o && o->hmac_key_b64) {
        int kr = prova_proof_key_decode(o->hmac_key_b64, &owned, &key_len, NULL);
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
    if (rc == 0) rc = dsse_root(env, &d, r);
    if (rc == 0 && key && is_default)
        rc = prova__report_warn(r, "dsse_default_key", "",
                                "HMAC signatures were checked under the public default key \"%s\": a match proves "
                                "integrity against accidents only",
                                PROVA_PROOF_DEFAULT_KEY) < 0
                 ? PROVA_ENOMEM
                 : 0;
    prova_proof_key_free(owned, key_len);
    return rc;
}

int prova__verify_cloudevent(const prova_json *ev, const prova_verify_options *o, prova_report *r) {
    int rc = prova_report_set_kind(r, "cloudevent");
    prova_buf data = PROVA_BUF_INIT;
    prova_error e;
    int ur = rc ? rc : prova_ce_unwrap(ev, &data, &e);
    if (ur == PROVA_ENOMEM) {
        rc = ur;
    } else if (ur < 0 && e.reason && strncmp(e.reason, "ce_uri", 6) == 0) { /* name the byte of the value */
        rc = prova__report_check(r, "cloudevent", false, e.reason, e.pointer, "%s (byte %zu of the value at %s)",
                                 e.message, e.offset, e.pointer) < 0
                 ? PROVA_ENOMEM
                 : 0;
    } else if (ur < 0) {
        rc = prova__report_check(r, "cloudevent", false, e.reason, e.pointer, "%s", e.message) < 0 ? PROVA_ENOMEM : 0;
    } else {
        const prova_json *type = prova_json_get(ev, "type");
        rc = prova__report_check(r, "cloudevent", true, "ok", "",
                                 "a CloudEvents 1.0 event of type %s; its data verified "
                                 "below",
                                 prova_json_str(type) ? prova_json_str(type) : "?") < 0
                 ? PROVA_ENOMEM
                 : 0;
        if (rc == 0) rc = verify_inner(&data, o, r);
    }
    prova_buf_free(&data);
    return rc;
}
