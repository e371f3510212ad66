/* Verify any document prova knows: the options a front end passes (HTTP query or body members, MCP arguments), the
 * service's keys and limits, the unified report. */
#include <string.h>

#include "app_internal.h"

static int verify_doc(app_call *c, const void *data, size_t len, const app_verify_args *args, prova_report **ret_report,
                      otel_span *vs) {
    app *a = c->a;
    if (ret_report) *ret_report = NULL;
    if (len > a->cfg.max_body)
        return app_fail(c, APP_E_TOO_LARGE, "body_too_large", "the document exceeds the limit of %zu bytes",
                        a->cfg.max_body);
    app_verify_args none = {0};
    if (!args) args = &none;
    prova_verify_options o = {0};
    o.now_us = args->now_us ? args->now_us : app_now_us();
    o.max_skew_s = args->max_skew_s ? args->max_skew_s : a->cfg.max_skew_s;
    o.max_depth = a->cfg.max_depth;
    o.trust_embedded_key = args->trust_embedded_key;
    o.no_skew = args->no_skew;
    o.hash_alg = args->hash_alg;
    o.hmac_key_b64 = args->hmac_key_b64;
    prova_report *r = NULL;
    prova_error e;
    app_keys_acquire(a, NULL, &o.keys);
    if (args->keys) o.keys = args->keys;
    int rc = prova_verify_document(data, len, &o, &r, &e);
    app_keys_release(a);
    if (!r) {
        if (rc == PROVA_EINVAL)
            return app_fail(c, APP_E_INPUT, "invalid_argument", "%s", e.message ? e.message : "invalid argument");
        return app_fail_status(c, rc < 0 ? rc : PROVA_ENOMEM);
    }
    /* Input that is not a document (not JSON, over a limit) is the caller's error, not a verdict. */
    if (otel_span_recording(vs)) otel_span_str(vs, "prova.verify.kind", prova_report_kind(r));
    if (prova_report_outcome(r) == PROVA_OUTCOME_BAD_INPUT) {
        const prova_check *f = prova_report_first_failure(r);
        app_count_verify_error(a);
        if (rc < 0)
            app_fail_lib(c, APP_E_INPUT, &e);
        else
            app_fail(c, APP_E_INPUT, f ? f->code : "bad_input", "%s", f ? f->message : "not a document");
        prova_report_free(r);
        return APP_DONE;
    }
    bool valid = prova_report_valid(r);
    app_count_verdict(a, valid);
    if (otel_span_recording(vs)) {
        const prova_check *f = valid ? NULL : prova_report_first_failure(r);
        app_span_verdict(vs, NULL, valid, f ? f->code : NULL);
    }
    prova_buf b = PROVA_BUF_INIT;
    rc = prova_report_to_json(r, &b);
    if (rc < 0) {
        prova_buf_free(&b);
        prova_report_free(r);
        return app_fail_status(c, rc);
    }
    app_ok(c, 200, &b);
    if (ret_report)
        *ret_report = r;
    else
        prova_report_free(r);
    return APP_DONE;
}

/* The verification as a "prova.verify" span: a verdict (valid or not) is the span's result, input that is no
 * document (or a failure to verify at all) its error. */
int app_verify(app_call *c, const void *data, size_t len, const app_verify_args *args, prova_report **ret_report) {
    otel_span *vs = app_span(c, "prova.verify");
    int rc = verify_doc(c, data, len, args, ret_report, vs);
    app_span_end(vs, c);
    return rc;
}
