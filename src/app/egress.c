/* The egress policy on an envelope's forward_url and the forwarding itself (reference/odin.md §5.1, §5.5;
 * docs/egress.md). The policy is egress_policy.c (pure), the network forward.c; this file ties them to a call. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "egress_policy.h"
#include "forward.h"
#include "jsonw.h"
#include "text.h"

int app_egress_open(app *a) {
    const app_egress_config *e = &a->cfg.egress;
    char err[400];
    int rc = egress_policy_new(e->profile, e->allow, e->allow_file, e->allow_address, e->allow_private, &a->egress, err,
                               sizeof err);
    if (rc) {
        app_log(a, "%s", err);
        return rc == PROVA_ENOMEM ? 3 : 2;
    }
    if (e->relay_url) {
        egress_url u;
        const char *why;
        if (egress_url_parse(e->relay_url, strlen(e->relay_url), &u, &why) < 0) {
            app_log(a, "--relay: %s", why);
            return 2;
        }
    }
    /* Zero (a config not from app_config_defaults) means the default. */
    if (!a->cfg.egress.timeout_ms) a->cfg.egress.timeout_ms = 10000;
    if (!a->cfg.egress.connect_timeout_ms) a->cfg.egress.connect_timeout_ms = 5000;
    if (!a->cfg.egress.max_response) a->cfg.egress.max_response = (size_t)1 << 20;
    /* Before any thread forwards (libcurl's global state is set up once, here). */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

void app_egress_close(app *a) {
    egress_policy_free(a->egress);
    a->egress = NULL;
}

int app_egress_check(app_call *c, const prova_json *env, app_egress_out *out) {
    memset(out, 0, sizeof *out);
    const prova_json *fu = prova_json_get(env, "forward_url");
    /* SPEC: starter main.py _egress_policy: `if not ope.forward_url: return {"passed": True, "rules": []}` (absent,
     * null and "" alike). */
    if (!fu || prova_json_is_null(fu) || (prova_json_is_string(fu) && prova_json_len(fu) == 0)) return 0;
    if (!prova_json_is_string(fu))
        return app_fail(c, APP_E_SCHEMA, "schema_error", "forward_url must be a string"), APP_REFUSED;
    const char *s = prova_json_str(fu);
    size_t n = prova_json_len(fu);
    egress_url u;
    const char *why = NULL;
    if (memchr(s, 0, n) || egress_url_parse(s, n, &u, &why) < 0)
        return app_fail(c, APP_E_INPUT, "invalid_forward_url", "Invalid forward_url: %s",
                        why ? why : "it holds a NUL byte"),
               APP_REFUSED;
    prova_buf pj = PROVA_BUF_INIT;
    bool passed = false;
    int rc = egress_policy_eval(c->a->egress, &u, &pj, &passed, out->reason, sizeof out->reason);
    if (rc == 0) rc = prova_json_parse(pj.data, pj.len, NULL, &out->policy, NULL);
    prova_buf_free(&pj);
    if (rc == 0 && passed && !(out->forward_url = strndup(s, n))) rc = PROVA_ENOMEM;
    if (rc < 0) {
        app_egress_out_free(out);
        return app_fail_status(c, rc), APP_REFUSED;
    }
    out->blocked = !passed;
    atomic_fetch_add(passed ? &c->a->egress_allowed : &c->a->egress_blocked, 1);
    otel_span_str(c->span, "prova.egress.host", u.host);
    otel_span_str(c->span, "prova.egress.verdict", passed ? "allowed" : "blocked");
    return 0;
}

int app_egress_forward(app_call *c, const app_egress_out *e, const char *trace_id, const prova_buf *payload,
                       prova_buf *forwarded) {
    app *a = c->a;
    const app_egress_config *cfg = &a->cfg.egress;
    int rc;
    if (!e->forward_url) {
        rc = prova_buf_append(forwarded, "null", 4);
        return rc < 0 ? (app_fail_status(c, rc), APP_REFUSED) : 0;
    }
    forward_opts o = {0};
    o.connect_timeout_ms = cfg->connect_timeout_ms;
    o.timeout_ms = cfg->timeout_ms;
    o.max_response = cfg->max_response;
    o.max_depth = a->cfg.max_depth;
    o.ca_file = cfg->ca_file;
    o.ca_path = cfg->ca_path;
    forward_info info = {0};
    otel_span *s = app_span(c, "prova.forward");
    if (cfg->relay_url) {
        /* SPEC: starter main.py _maybe_forward: POST {RELAY_URL}/v1/relay
         * {"trace_id","target_url","method":"POST","body":normalized}; the relay applies its own allowlist and
         * address checks, the gateway trusts the relay it was configured with (no address rule, no redirect). */
        prova_buf req = PROVA_BUF_INIT, url = PROVA_BUF_INIT;
        size_t rl = strlen(cfg->relay_url);
        while (rl && cfg->relay_url[rl - 1] == '/') rl--;
        rc = prova_buf_printf(&url, "%.*s/v1/relay", (int)rl, cfg->relay_url);
        if (rc == 0) rc = prova_buf_append(&url, "", 1);
        if (rc == 0) rc = prova_buf_printf(&req, "{\"body\":");
        if (rc == 0) rc = prova_buf_append(&req, payload->data, payload->len);
        if (rc == 0) rc = prova_buf_printf(&req, ",\"method\":\"POST\",\"target_url\":");
        if (rc == 0) rc = prova_json_put_string(&req, e->forward_url, strlen(e->forward_url));
        if (rc == 0) rc = prova_buf_printf(&req, ",\"trace_id\":");
        if (rc == 0) rc = prova_json_put_string(&req, trace_id, strlen(trace_id));
        if (rc == 0) rc = prova_buf_append(&req, "}", 1);
        if (otel_span_recording(s)) otel_span_str(s, "prova.forward.mode", "relay");
        if (rc == 0) rc = forward_post(&o, (const char *)url.data, trace_id, req.data, req.len, forwarded, &info);
        prova_buf_free(&req);
        prova_buf_free(&url);
    } else {
        o.policy = a->egress;
        o.max_redirects = cfg->max_redirects;
        if (otel_span_recording(s)) otel_span_str(s, "prova.forward.mode", "direct");
        rc = forward_post(&o, e->forward_url, trace_id, payload->data, payload->len, forwarded, &info);
    }
    if (otel_span_recording(s)) {
        if (info.status) otel_span_int(s, "http.response.status_code", info.status);
        if (info.address[0]) otel_span_str(s, "network.peer.address", info.address);
        otel_span_int(s, "prova.forward.redirects", info.redirects);
        if (info.code) otel_span_error(s, info.code);
    }
    otel_span_end(s);
    if (info.code) app_log(a, "forward of trace %s: %s", trace_id, info.code);
    if (rc == 0) atomic_fetch_add(info.code ? &a->forwards_failed : &a->forwards_ok, 1);
    return rc < 0 ? (app_fail_status(c, rc), APP_REFUSED) : 0;
}

void app_egress_out_free(app_egress_out *o) {
    if (!o) return;
    prova_doc_free(o->policy);
    free(o->forward_url);
    memset(o, 0, sizeof *o);
}
