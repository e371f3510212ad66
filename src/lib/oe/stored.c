/* seed 002 §7 / reference/openexecution.md §5.5: the answer of a gateway's verify API for a certificate it stores.
 * The gateway reads the stored offline bundle, the chain record and the chain's events; this decides, from those
 * alone, what the answer is, as OpenExecution's platform does:
 *   1. the stored bundle as a verifier offline checks it (signature with one of the gateway's keys, status, the
 *      bundle's own chain);
 *   2. the store's events against the certified ones: when they differ, the live events are checked in the
 *      bundle's place (the SDK's error strings for them) and each difference is listed;
 *   3. the certificate's chain hash against the chain record's (step 6).
 * The body's members and their order are the seed's; why it is not valid is said apart (ret_reason). */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "jsonw.h"
#include "oe_internal.h"
#include "prova/report.h"

#define DIFF_MAX 100 /* store/bundle event differences listed before the rest are counted */

/* The state of the checks named `name` in r: -1 none, 0 one failed, 1 all passed. */
static int check_state(const prova_report *r, const char *name) {
    int st = -1;
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (strcmp(c->check, name) != 0) continue;
        if (!c->ok) return 0;
        st = 1;
    }
    return st;
}

/* A failed per-event check ("events[3].prev_hash", "events" too_many_failures). */
static bool events_failed(const prova_report *r) {
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (!c->ok && strncmp(c->check, "events", 6) == 0) return true;
    }
    return false;
}

/* The chain hash checks: the certificate's against the stored and the recomputed hashes, and the chain record's
 * (seed 002 §4 steps 5-6). */
static bool hash_checks_ok(const prova_report *r) {
    return check_state(r, "chain_hash") == 1 && check_state(r, "chain_hash.recomputed") != 0 &&
           check_state(r, "chain.chain_hash") != 0;
}

static const char *str_or(const prova_json *v, const char *fallback) {
    return prova_json_is_string(v) ? v->u.str : fallback;
}

/* The bundle's events against the store's: one error string per difference (up to DIFF_MAX) into w (an open
 * array). */
static int diff_events(const prova_json *bundle_events, const prova_json *store_events, prova_jw *w, bool *ret_same) {
    size_t nb = prova_json_is_array(bundle_events) ? bundle_events->len : 0;
    size_t ns = prova_json_is_array(store_events) ? store_events->len : 0;
    size_t diffs = 0;
    int rc = 0;
    prova_buf x = PROVA_BUF_INIT, y = PROVA_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < (nb > ns ? nb : ns); i++) {
        const char *what = NULL;
        if (i >= ns)
            what = "missing from the store";
        else if (i >= nb)
            what = "in the store but not in the certificate";
        else {
            x.len = y.len = 0;
            rc = prova_canon_write(&bundle_events->u.items[i], PROVA_PROFILE_JCS, &x, NULL);
            if (rc == 0) rc = prova_canon_write(&store_events->u.items[i], PROVA_PROFILE_JCS, &y, NULL);
            if (rc == 0 && (x.len != y.len || memcmp(x.data, y.data, x.len) != 0))
                what = "the stored event differs from the certified one";
        }
        if (rc < 0 || !what) continue;
        if (diffs++ < DIFF_MAX) prova_jw_strf(w, "Event seq=%zu: %s", i + 1, what);
    }
    if (rc == 0 && diffs > DIFF_MAX)
        prova_jw_strf(w, "%zu more events differ between the store and the certificate", diffs - DIFF_MAX);
    prova_buf_free(&x);
    prova_buf_free(&y);
    *ret_same = diffs == 0;
    return rc;
}

/* Writes the string errors of r's sdk_result.chain_integrity into w (an open array); *ret_valid its is_valid. */
static int sdk_integrity(const prova_report *r, prova_jw *w, bool *ret_valid) {
    *ret_valid = false;
    const char *s = prova_report_sdk_result(r);
    if (!s) return 0;
    prova_doc *d = NULL;
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    int rc = prova_json_parse(s, strlen(s), &po, &d, NULL);
    if (rc < 0) return rc;
    const prova_json *ci = prova_json_get(prova_doc_root(d), "chain_integrity");
    *ret_valid = prova_json_typeof(prova_json_get(ci, "is_valid")) == PROVA_JSON_TRUE;
    const prova_json *errs = prova_json_get(ci, "errors");
    prova_buf t = PROVA_BUF_INIT;
    for (size_t i = 0; rc == 0 && prova_json_is_array(errs) && i < prova_json_len(errs); i++) {
        const prova_json *e = &errs->u.items[i];
        if (!prova_json_is_string(e)) continue;
        t.len = 0;
        rc = prova_canon_write(e, PROVA_PROFILE_JCS, &t, NULL);
        if (rc == 0) prova_jw_raw(w, t.data, t.len);
    }
    prova_buf_free(&t);
    prova_doc_free(d);
    return rc;
}

/* The value of v under jcs, or null. */
static int put_value(prova_jw *w, const char *key, const prova_json *v, prova_buf *scratch) {
    prova_jw_key(w, key);
    if (!v) {
        prova_jw_null(w);
        return 0;
    }
    scratch->len = 0;
    int rc = prova_canon_write(v, PROVA_PROFILE_JCS, scratch, NULL);
    if (rc == 0) prova_jw_raw(w, scratch->data, scratch->len);
    return rc;
}

static int verify_one(const prova_json *doc, const prova_keyset *keys, int64_t now_us, prova_report **ret) {
    prova_report *r = prova_report_new("oe_bundle");
    if (!r) return PROVA_ENOMEM;
    prova_verify_options o = {0};
    o.keys = keys;
    o.now_us = now_us;
    int rc = prova_oe_verify_doc(doc, &o, r);
    if (rc < 0) {
        prova_report_free(r);
        return rc;
    }
    *ret = r;
    return 0;
}

int prova_oe_verify_stored(const char *cert_id, const prova_json *bundle, const prova_json *record,
                           const prova_json *events, const prova_keyset *keys, int64_t now_us, prova_buf *out,
                           bool *ret_valid, char ret_reason[PROVA_OE_REASON_MAX], prova_error *reterr) {
    prova_error_clear(reterr);
    if (!cert_id || !bundle || !events || !keys || !out || !ret_valid || !ret_reason)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "prova_oe_verify_stored: a NULL argument");
    const prova_json *cert = prova_json_get(bundle, "certificate"), *bchain = prova_json_get(bundle, "chain");
    if (record && !prova_json_is_object(record)) record = NULL;
    prova_report *r1 = NULL, *r2 = NULL;
    prova_buf c2 = PROVA_BUF_INIT, d2 = PROVA_BUF_INIT, errs = PROVA_BUF_INIT, scratch = PROVA_BUF_INIT;
    prova_doc *dd = NULL;

    /* 1. The stored bundle. */
    int rc = verify_one(bundle, keys, now_us, &r1);
    bool signature_valid = rc == 0 && check_state(r1, "certificate_signature") == 1;

    /* 2. The store's events against the certified ones, listed into errs (an array body written by ew). */
    prova_jw ew;
    prova_jw_init(&ew, &errs);
    prova_jw_arr(&ew);
    bool same = false;
    if (rc == 0) rc = diff_events(prova_json_get(bchain, "events"), events, &ew, &same);
    if (rc == 0 && !same) {
        prova_member_text ev = {"events", NULL, 0};
        prova_buf evs = PROVA_BUF_INIT;
        rc = prova_canon_write(events, PROVA_PROFILE_JCS, &evs, NULL);
        ev.json = (const char *)evs.data;
        ev.len = evs.len;
        if (rc == 0)
            rc = prova_canon_edit(prova_json_is_object(bchain) ? bchain : bundle, NULL, 0, &ev, 1, PROVA_PROFILE_JCS,
                                  &c2, NULL);
        prova_buf_free(&evs);
        prova_member_text ch = {"chain", (const char *)c2.data, c2.len};
        if (rc == 0) rc = prova_canon_edit(bundle, NULL, 0, &ch, 1, PROVA_PROFILE_JCS, &d2, NULL);
        prova_parse_options po = {0};
        po.max_size = SIZE_MAX >> 1;
        po.max_members = SIZE_MAX >> 1;
        po.max_string = SIZE_MAX >> 1;
        po.max_depth = PROVA_DEFAULT_MAX_DEPTH + 64;
        if (rc == 0) rc = prova_json_parse(d2.data, d2.len, &po, &dd, NULL);
        if (rc == 0) rc = verify_one(prova_doc_root(dd), keys, now_us, &r2);
    }
    const prova_report *live_r = same ? r1 : r2;
    prova_buf integ = PROVA_BUF_INIT;
    prova_jw iw;
    prova_jw_init(&iw, &integ);
    bool sdk_ok = false;
    if (rc == 0) rc = sdk_integrity(live_r, &iw, &sdk_ok);
    prova_jw_end(&ew);
    if (rc == 0) rc = prova_jw_finish(&ew);
    if (rc == 0) rc = prova_jw_finish(&iw);
    bool valid = false;
    if (rc == 0) {
        bool integrity_valid = same && sdk_ok && !events_failed(live_r);
        const prova_json *cert_hash = prova_json_get(cert, "chain_hash");
        bool record_ok = record && prova_json_is_string(cert_hash) &&
                         prova_json_str_eq(prova_json_get(record, "chain_hash"), cert_hash->u.str);
        bool chain_hash_valid = same && record_ok && hash_checks_ok(r1);
        const char *status = str_or(prova_json_get(prova_json_get(bundle, "status"), "status"), "unknown");
        valid = prova_report_valid(r1) && signature_valid && chain_hash_valid && integrity_valid &&
                strcmp(status, "active") == 0;

        /* The answer: seed 002 §7, members in its order. */
        const prova_json *chain_src = record ? record : bchain;
        const prova_json *cid = prova_json_get(cert, "chain_id");
        prova_jw w;
        prova_jw_init(&w, out);
        prova_jw_obj(&w);
        prova_jw_kbool(&w, "valid", valid);
        prova_jw_kbool(&w, "signature_valid", signature_valid);
        prova_jw_kbool(&w, "chain_hash_valid", chain_hash_valid);
        prova_jw_key(&w, "certificate");
        prova_jw_obj(&w);
        prova_jw_kstr(&w, "id", cert_id);
        rc = put_value(&w, "chain_id", cid, &scratch);
        if (rc == 0) rc = put_value(&w, "artifact_type", prova_json_get(cert, "artifact_type"), &scratch);
        if (rc == 0) rc = put_value(&w, "artifact_ref", prova_json_get(cert, "artifact_ref"), &scratch);
        prova_jw_kstr(&w, "status", status);
        prova_jw_kstr(&w, "signature_algorithm", str_or(prova_json_get(bchain, "signature_algorithm"), "ed25519"));
        prova_jw_kstr(&w, "hash_algorithm", str_or(prova_json_get(bchain, "hash_algorithm"), "sha256"));
        prova_jw_end(&w);
        prova_jw_key(&w, "chain");
        prova_jw_obj(&w);
        if (rc == 0) rc = put_value(&w, "id", prova_json_get(chain_src, "id"), &scratch);
        if (rc == 0) rc = put_value(&w, "chain_type", prova_json_get(chain_src, "chain_type"), &scratch);
        if (rc == 0) rc = put_value(&w, "status", prova_json_get(chain_src, "status"), &scratch);
        prova_jw_end(&w);
        prova_jw_key(&w, "integrity");
        prova_jw_obj(&w);
        if (rc == 0) rc = put_value(&w, "chain_id", cid, &scratch);
        prova_jw_ku64(&w, "event_count", prova_json_len(events));
        prova_jw_kbool(&w, "is_valid", integrity_valid);
        prova_jw_key(&w, "errors");
        prova_jw_arr(&w);
        /* The SDK's strings for the live events ("s1,s2": values written with no container), then the
         * differences (the inside of the array errs). */
        if (integ.len) prova_jw_raw(&w, integ.data, integ.len);
        if (errs.len > 2) prova_jw_raw(&w, errs.data + 1, errs.len - 2);
        prova_jw_end(&w);
        prova_jw_end(&w);
        prova_jw_end(&w);
        int wr = prova_jw_finish(&w);
        if (rc == 0) rc = wr;
        /* Why, when invalid: the first failed check's code. */
        const prova_check *f = valid ? NULL : prova_report_first_failure(r1);
        if (!f && !valid && r2) f = prova_report_first_failure(r2);
        snprintf(ret_reason, PROVA_OE_REASON_MAX, "%s",
                 valid   ? ""
                 : f     ? f->code
                 : !same ? "store_events_differ"
                         : "chain_record_hash_mismatch");
    }
    prova_report_free(r1);
    prova_report_free(r2);
    prova_doc_free(dd);
    prova_buf_free(&c2);
    prova_buf_free(&d2);
    prova_buf_free(&errs);
    prova_buf_free(&integ);
    prova_buf_free(&scratch);
    if (rc < 0)
        return prova__fail(reterr, rc, rc == PROVA_ENOMEM ? "out_of_memory" : "oe_verify_failed",
                           "the stored certificate could not be verified");
    *ret_valid = valid;
    return 0;
}
