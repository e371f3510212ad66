/* Calls: results, errors, waiting for the writer; the rules every operation shares (ids, scopes, documents). */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"

void app_call_init(app_call *c, app *a, const app_token *token) {
    memset(c, 0, sizeof *c);
    c->a = a;
    c->token = token;
    pthread_mutex_init(&c->wait_lock, NULL);
    pthread_cond_init(&c->wait_cond, NULL);
}

static void result_free(app_result *r) {
    prova_buf_free(&r->body);
    for (unsigned i = 0; i < r->nmeta; i++) free(r->meta_value[i]);
    r->nmeta = 0;
}

void app_call_free(app_call *c) {
    if (!c) return;
    result_free(&c->res);
    if (c->state_free) c->state_free(c->state);
    c->state = NULL;
    c->state_free = NULL;
    pthread_mutex_destroy(&c->wait_lock);
    pthread_cond_destroy(&c->wait_cond);
}

void app_call_complete(app_call *c) {
    void (*finish)(app_call *) = c->finish;
    c->finish = NULL;
    if (finish) finish(c);
    if (!c->err.status && !c->res.status) app_fail(c, APP_E_INTERNAL, "internal", "the operation produced no result");
}

void app_call_done(app_call *c) {
    if (c->wake) { /* a front end that does not block: it owns what happens next */
        atomic_store(&c->job_done, 1);
        c->wake(c);
        return;
    }
    /* The blocked thread may free c as soon as it sees job_done: set and signal in one critical section. */
    pthread_mutex_lock(&c->wait_lock);
    atomic_store(&c->job_done, 1);
    pthread_cond_signal(&c->wait_cond);
    pthread_mutex_unlock(&c->wait_lock);
}

int app_call_run(app_call *c, int rc) {
    if (rc == APP_PENDING) {
        pthread_mutex_lock(&c->wait_lock);
        while (!atomic_load(&c->job_done)) pthread_cond_wait(&c->wait_cond, &c->wait_lock);
        pthread_mutex_unlock(&c->wait_lock);
        app_call_complete(c);
    } else if (rc < 0 && !c->err.status) {
        app_fail_status(c, rc);
    }
    if (!c->err.status && !c->res.status) app_fail(c, APP_E_INTERNAL, "internal", "the operation produced no result");
    return APP_DONE;
}

bool app_call_failed(const app_call *c) {
    return c->err.status != 0;
}

int app_fail(app_call *c, unsigned status, const char *code, const char *fmt, ...) {
    if (c->err.status) return APP_DONE; /* the first error is the one that counts */
    c->err.status = status;
    snprintf(c->err.code, sizeof c->err.code, "%s", code ? code : "error");
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->err.message, sizeof c->err.message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof c->err.message) memcpy(c->err.message + sizeof c->err.message - 4, "...", 4);
    result_free(&c->res);
    c->res.status = 0;
    return APP_DONE;
}

int app_fail_lib(app_call *c, unsigned status, const prova_error *e) {
    const char *msg = e->message ? e->message : "invalid input";
    const char *reason = e->reason ? e->reason : "invalid_input";
    if (e->line)
        return app_fail(c, status, reason, "%s at line %zu, column %zu (byte %zu)%s%s", msg, e->line, e->column,
                        e->offset, e->pointer[0] ? ", at " : "", e->pointer);
    return app_fail(c, status, reason, "%s%s%s", msg, e->pointer[0] ? " at " : "", e->pointer);
}

int app_fail_status(app_call *c, int status) {
    if (status == PROVA_ENOMEM) {
        app_fail(c, APP_E_UNAVAILABLE, "out_of_memory", "the gateway is out of memory");
        c->err.retry_after_s = 1;
        return APP_DONE;
    }
    return app_fail(c, APP_E_INTERNAL, "internal", "internal error (%s)", prova_status_name(status));
}

int app_fail_store(app_call *c, int rc, prova_store *s) {
    /* Without a connection the cause is already logged once: the batch's failed commit, the read connection that
     * did not open. Not once more per refused write (a failed batch can hold thousands). */
    if (s) app_log(c->a, "store: %s: %s", prova_status_name(rc), prova_store_errmsg(s));
    if (rc == PROVA_ENOMEM) return app_fail_status(c, rc);
    app_fail(c, APP_E_UNAVAILABLE, "store_unavailable", "the store cannot be read or written now");
    c->err.retry_after_s = 1;
    return APP_DONE;
}

int app_ok(app_call *c, unsigned status, prova_buf *body) {
    assert(status >= 200 && status < 300 && !c->err.status); /* a call has a result or an error, never both */
    prova_buf_free(&c->res.body);
    c->res.body = *body;
    *body = (prova_buf)PROVA_BUF_INIT;
    c->res.status = status;
    return APP_DONE;
}

int app_meta(app_call *c, const char *name, const char *value) {
    app_result *r = &c->res;
    if (r->nmeta == APP_MAX_META) return PROVA_ELIMIT;
    char *v = strdup(value ? value : "");
    if (!v) return PROVA_ENOMEM;
    r->meta_name[r->nmeta] = name;
    r->meta_value[r->nmeta++] = v;
    return 0;
}

const char *app_result_meta(const app_result *r, const char *name) {
    for (unsigned i = 0; i < r->nmeta; i++)
        if (strcmp(r->meta_name[i], name) == 0) return r->meta_value[i];
    return NULL;
}

int app_need_store(app_call *c) {
    if (app_has_store(c->a)) return 0;
    return app_fail(c, APP_E_UNAVAILABLE, "no_store",
                    "no store: start the server with a data directory (prova serve, or prova mcp --data DIR)"),
           APP_REFUSED;
}

static const char *scope_name(unsigned scope) {
    return scope == APP_SCOPE_OPE_WRITE     ? "ope:write"
           : scope == APP_SCOPE_OE_WRITE    ? "oe:write"
           : scope == APP_SCOPE_PROOF_WRITE ? "proof:write"
                                            : "write";
}

int app_need_scope(app_call *c, unsigned scope) {
    if (!c->token)
        return app_fail(c, APP_E_AUTH, "token_missing",
                        "this operation needs a bearer token (Authorization: Bearer ...) with scope %s",
                        scope_name(scope)),
               APP_REFUSED;
    if ((c->token->scopes & scope) != scope)
        return app_fail(c, APP_E_SCOPE, "scope_missing", "token %s lacks scope %s", c->token->name, scope_name(scope)),
               APP_REFUSED;
    return 0;
}

const char *app_id_problem(const char *s, size_t n) {
    if (n == 0 || n > APP_ID_MAX) return "an id must be 1-128 bytes";
    /* (a NUL is below 0x21: refused like any control character) */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x21 || ch > 0x7e || strchr("/?#%\\", ch))
            return "an id must be visible ASCII without '/', '?', '#', '%' or '\\' (it is used in URLs and headers)";
    }
    return NULL;
}

int app_check_id(app_call *c, unsigned status, const char *what, const char *s, size_t n) {
    const char *bad = app_id_problem(s, n);
    if (!bad) return 0;
    app_fail(c, status, APP_ID_INVALID, "%s: %s", what, bad);
    return -1;
}

int app_parse_doc(app_call *c, const void *data, size_t len, prova_doc **ret) {
    const app_config *cfg = &c->a->cfg;
    if (len > cfg->max_body) {
        app_fail(c, APP_E_TOO_LARGE, "body_too_large", "the document exceeds the limit of %zu bytes", cfg->max_body);
        return PROVA_ELIMIT;
    }
    prova_parse_options po = {0};
    po.max_depth = cfg->max_depth;
    po.max_size = cfg->max_body;
    prova_error e;
    int rc = prova_json_parse(data ? data : "", len, &po, ret, &e);
    if (rc == PROVA_ENOMEM)
        app_fail_status(c, rc);
    else if (rc < 0)
        app_fail_lib(c, APP_E_INPUT, &e);
    return rc;
}

/* ---- Telemetry ------------------------------------------------------------------------------------------------ */

otel_span *app_span(const app_call *c, const char *name) {
    return otel_span_child(app_otel(c->a), c->span, name, OTEL_KIND_INTERNAL);
}

void app_span_end(otel_span *s, const app_call *c) {
    if (c && c->err.status && otel_span_recording(s)) {
        otel_span_str(s, "error.type", c->err.code);
        otel_span_error(s, c->err.code);
    }
    otel_span_end(s);
}

void app_span_verdict(otel_span *s, const char *kind, bool valid, const char *reason) {
    if (!otel_span_recording(s)) return;
    if (kind) otel_span_str(s, "prova.verify.kind", kind);
    otel_span_bool(s, "prova.verify.valid", valid);
    if (!valid && reason) otel_span_str(s, "prova.verify.reason", reason);
}

otel_span *app_span_sign(const app_call *c, const char *document) {
    otel_span *s = app_span(c, "prova.sign");
    if (otel_span_recording(s)) {
        const prova_key *k = app_key(c->a);
        const char *alg = k ? prova_sig_name(prova_key_alg(k)) : NULL;
        if (alg) otel_span_str(s, "prova.sign.alg", alg);
        otel_span_str(s, "prova.sign.document", document);
    }
    return s;
}

otel_span *app_span_canon(const app_call *c, prova_profile profile) {
    otel_span *s = app_span(c, "prova.canonical.encode");
    if (otel_span_recording(s)) otel_span_str(s, "prova.canonical.profile", prova_profile_name(profile));
    return s;
}
