/* The route table and the handlers: each reads what the request carries (path segments, body, headers, query) and
 * calls one operation of the service (src/app), or answers itself for what only HTTP has (health, version, the
 * OpenAPI document, /docs, the web view /ui, /metrics, the JWKS, /mcp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jsonw.h"
#include "witness.h"

/* ---- Family-independent endpoints --------------------------------------------------------------------------- */

static int h_health(http_req *r) {
    app_stats st;
    app_stats_get(r->d->a, &st);
    prova_buf b = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &b);
    prova_jw_obj(&w);
    bool degraded = app_has_store(r->d->a) && !st.store_writable;
    prova_jw_kstr(&w, "status", degraded ? "degraded" : "ok");
    prova_jw_kstr(&w, "kid", app_kid(r->d->a));
    if (r->d->cfg.witness) {
        size_t nl;
        const char *name = prova_note_key_name(witness_key(r->d->cfg.witness), &nl);
        prova_jw_key(&w, "witness");
        prova_jw_obj(&w);
        prova_jw_key(&w, "name");
        prova_jw_str_lossy(&w, name, nl);
        prova_jw_ki64(&w, "logs", (int64_t)witness_log_count(r->d->cfg.witness));
        prova_jw_end(&w);
    }
    prova_jw_key(&w, "store");
    if (app_has_store(r->d->a)) {
        prova_jw_obj(&w);
        prova_jw_kstr(&w, "backend", st.store_backend);
        prova_jw_ki64(&w, "receipts", st.receipts);
        prova_jw_ki64(&w, "traces", st.traces);
        prova_jw_ki64(&w, "chains", st.chains);
        prova_jw_ki64(&w, "events", st.events);
        prova_jw_ki64(&w, "certificates", st.certificates);
        prova_jw_ki64(&w, "bytes", st.store_bytes);
        prova_jw_kbool(&w, "writable", st.store_writable);
        prova_jw_key(&w, "fault"); /* docs/operations.md "Faults" */
        if (degraded) {
            prova_jw_obj(&w);
            prova_jw_kstr(&w, "code", "store_write_failed");
            prova_jw_kstr(&w, "message", st.store_fault);
            prova_jw_ki64(&w, "since_us", st.store_fault_since_us);
            prova_jw_end(&w);
        } else {
            prova_jw_null(&w);
        }
        prova_jw_end(&w);
    } else {
        prova_jw_null(&w);
    }
    prova_jw_end(&w);
    int rc = prova_jw_finish(&w);
    if (rc == 0) rc = http_text(r, 200, "application/json", b.data, b.len);
    prova_buf_free(&b);
    return rc;
}

static int h_version(http_req *r) {
    static const char body[] = "{\"name\":\"prova\",\"version\":\"" PROVA_VERSION_STRING "\",\"api\":\"v1\"}";
    return http_text(r, 200, "application/json", body, sizeof body - 1);
}

static int h_openapi(http_req *r) {
    return http_text(r, 200, "application/json", http_openapi_json, http_openapi_json_len);
}

static int h_docs(http_req *r) {
    return http_text(r, 200, "text/html; charset=utf-8", http_docs_html, http_docs_html_len);
}

/* ---- /ui: the web view (docs/browse.md "The web view") ----------------------------------------------------------- */

/* The view's policy: its own script and style sheet only (no inline script or style, no eval), fetches to this
 * origin only, no plugins, never framed. */
#define UI_CSP                                                                                                         \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "              \
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* One embedded file with its strong ETag: 304 when If-None-Match names it; revalidated on each use (no-cache), since
 * the URLs carry no version. */
static int ui_send(http_req *r, const char *type, const unsigned char *data, size_t len, const char *etag) {
    const char *inm = http_header_in(r, "If-None-Match");
    int rc;
    if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
        r->resp.status = 304;
        r->resp.content_type = NULL;
        r->resp.body.len = 0;
        rc = HTTP_RESPONDED;
    } else {
        rc = http_text(r, 200, type, data, len);
    }
    if (rc == 0) rc = http_header(r, "ETag", etag);
    if (rc == 0) rc = http_header(r, "Cache-Control", "no-cache");
    if (rc == 0) rc = http_header(r, "Content-Security-Policy", UI_CSP);
    if (rc == 0) rc = http_header(r, "Referrer-Policy", "no-referrer");
    if (rc == 0) rc = http_header(r, "X-Frame-Options", "DENY");
    return rc;
}

/* GET /ui and /ui/...: the HTML shell; the script routes on location.pathname, so every deep link is this page. */
static int h_ui(http_req *r) {
    return ui_send(r, "text/html; charset=utf-8", http_ui_index_html, http_ui_index_html_len, http_ui_index_html_etag);
}

/* GET /ui/assets/NAME: app.js, app.css, prova.js; anything else 404. */
static int h_ui_asset(http_req *r) {
    const char *n = r->param[0];
    if (strcmp(n, "app.js") == 0)
        return ui_send(r, "text/javascript; charset=utf-8", http_ui_app_js, http_ui_app_js_len, http_ui_app_js_etag);
    if (strcmp(n, "prova.js") == 0)
        return ui_send(r, "text/javascript; charset=utf-8", http_ui_prova_js, http_ui_prova_js_len,
                       http_ui_prova_js_etag);
    if (strcmp(n, "app.css") == 0)
        return ui_send(r, "text/css; charset=utf-8", http_ui_app_css, http_ui_app_css_len, http_ui_app_css_etag);
    return http_error(r, 404, "not_found", "no such asset of the web view: %s", n);
}

static int h_jwks(http_req *r) {
    const prova_buf *j = app_jwks(r->d->a);
    int rc = http_text(r, 200, "application/json", j->data, j->len);
    if (rc == 0) rc = http_header(r, "Access-Control-Allow-Origin", "*");
    return rc;
}

static int h_metrics(http_req *r) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = http_metrics_text(r->d, &b);
    if (rc == 0) rc = http_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    prova_buf_free(&b);
    return rc;
}

/* ---- POST /v1/verify: any document -> the unified report ------------------------------------------------ */

static bool truthy(const char *v) {
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

static int h_verify_any(http_req *r) {
    app_verify_args args = {0};
    args.trust_embedded_key = truthy(http_query(r, "trust_embedded_key"));
    args.no_skew = truthy(http_query(r, "no_skew"));
    args.hash_alg = http_query(r, "hash_alg");
    /* A secret belongs in a header, never in a URL (access logs, proxies, browser history). */
    args.hmac_key_b64 = http_header_in(r, "X-Prova-HMAC-Key");
    if (http_query(r, "hmac_key_b64"))
        return http_error(r, 400, "secret_in_query",
                          "hmac_key_b64 is a secret and is not taken from the query string: send it in the "
                          "X-Prova-HMAC-Key header");
    app_verify(&r->call, r->body, r->body_len, &args, NULL);
    return HTTP_CALLED;
}

/* ---- Ophamin proof-record endpoints (the reference REST API, ophamin.md §6) --------------------------------- */

/* The request body: {"<name>": string (required), "sign_key_b64": string (default "")}. FastAPI answers a body
 * that does not fit its model with 422; so does this. */
static int proof_body(http_req *r, const char *name, prova_doc **ret_doc, const prova_json **ret_text,
                      const char **ret_key) {
    prova_parse_options po = {0};
    po.max_depth = app_cfg(r->d->a)->max_depth;
    po.max_size = r->d->cfg.max_body;
    prova_error e;
    int rc = prova_json_parse(r->body, r->body_len, &po, ret_doc, &e);
    if (rc == PROVA_ENOMEM) return rc;
    if (rc < 0) return app_fail_lib(&r->call, APP_E_INPUT, &e), 1;
    const prova_json *root = prova_doc_root(*ret_doc);
    const prova_json *text = prova_json_get(root, name), *k = prova_json_get(root, "sign_key_b64");
    if (!prova_json_is_object(root))
        return app_fail(&r->call, APP_E_SCHEMA, "schema_error",
                        "the body must be an object {\"%s\": string, \"sign_key_b64\": string}", name),
               1;
    if (!prova_json_is_string(text))
        return app_fail(&r->call, APP_E_SCHEMA, text ? "schema_error" : "missing_member",
                        "%s must be a string (the document as JSON text)", name),
               1;
    if (k && !prova_json_is_string(k) && !prova_json_is_null(k))
        return app_fail(&r->call, APP_E_SCHEMA, "schema_error", "sign_key_b64 must be a string (standard base64)"), 1;
    *ret_text = text;
    *ret_key = prova_json_is_string(k) ? prova_json_str(k) : "";
    return 0;
}

static int h_proof_verify(http_req *r) {
    prova_doc *doc = NULL;
    const prova_json *text = NULL;
    const char *key = NULL;
    int rc = proof_body(r, "proof_json", &doc, &text, &key);
    if (rc == 0) app_proof_verify(&r->call, prova_json_str(text), prova_json_len(text), key);
    prova_doc_free(doc);
    return rc < 0 ? rc : HTTP_CALLED;
}

static int h_proof_canonicalize(http_req *r) {
    prova_doc *doc = NULL;
    const prova_json *text = NULL;
    const char *key = NULL;
    int rc = proof_body(r, "value_json", &doc, &text, &key);
    if (rc == 0) app_proof_canonicalize(&r->call, prova_json_str(text), prova_json_len(text), key);
    prova_doc_free(doc);
    return rc < 0 ? rc : HTTP_CALLED;
}

/* ---- OPE and OpenExecution: one operation each ---------------------------------------------------------------- */

static int called(int rc) {
    return rc == APP_PENDING ? HTTP_PENDING : HTTP_CALLED;
}

static int h_ope_envelope(http_req *r) {
    const char *key = http_header_in(r, "X-ODIN-API-Key");
    if (!key) key = http_header_in(r, "X-API-Key");
    return called(app_ope_append(&r->call, r->body, r->body_len, key, http_header_in(r, "X-ODIN-API-MAC")));
}

/* GET /v1/receipts/hops/chain/{trace_id}: {"trace_id", "hops": [...]}. */
static int h_ope_chain(http_req *r) {
    app_ope_chain(&r->call, r->param[0]);
    if (app_call_failed(&r->call)) return HTTP_CALLED;
    prova_buf b = PROVA_BUF_INIT;
    prova_jw w;
    prova_jw_init(&w, &b);
    prova_jw_obj(&w);
    prova_jw_kstr(&w, "trace_id", r->param[0]);
    prova_jw_kraw(&w, "hops", r->call.res.body.data, r->call.res.body.len);
    prova_jw_end(&w);
    int rc = prova_jw_finish(&w);
    if (rc == 0) app_ok(&r->call, 200, &b);
    prova_buf_free(&b);
    return rc < 0 ? rc : HTTP_CALLED;
}

static int h_ope_export(http_req *r) {
    return called(app_ope_export(&r->call, r->param[0], truthy(http_query(r, "log_proofs"))));
}

static int h_oe_chain_create(http_req *r) {
    return called(app_oe_chain_create(&r->call, r->body, r->body_len));
}
static int h_oe_chain_get(http_req *r) {
    return called(app_oe_chain_get(&r->call, r->param[0]));
}
static int h_oe_event_append(http_req *r) {
    return called(app_oe_event_append(&r->call, r->param[0], r->body, r->body_len));
}
static int h_oe_resolve(http_req *r) {
    return called(app_oe_resolve(&r->call, r->param[0], r->body, r->body_len));
}
static int h_oe_certify(http_req *r) {
    return called(app_oe_certify(&r->call, r->param[0], r->body, r->body_len));
}
static int h_oe_revoke(http_req *r) {
    return called(app_oe_revoke(&r->call, r->param[0], r->body, r->body_len));
}
static int h_oe_supersede(http_req *r) {
    return called(app_oe_supersede(&r->call, r->param[0], r->body, r->body_len));
}
static int h_oe_verify(http_req *r) {
    return called(app_oe_verify(&r->call, r->param[0]));
}
static int h_oe_bundle(http_req *r) {
    return called(
        app_oe_bundle_attest(&r->call, r->param[0], truthy(http_query(r, "log_proofs")), http_query(r, "attest")));
}

static int h_oe_public_key(http_req *r) {
    app_oe_public_key(&r->call);
    bool ok = !app_call_failed(&r->call);
    http_from_call(r, false);
    return ok ? http_header(r, "Access-Control-Allow-Origin", "*") : HTTP_RESPONDED;
}

/* ---- /log/: the transparency log, C2SP tlog-tiles (docs/tlog.md "The gateway's log"); public, no auth ----------- */

static int log_unavailable(http_req *r) {
    return http_error(r, 404, "log_disabled", "this gateway has no transparency log (it runs without a store)");
}

static int h_log_checkpoint(http_req *r) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = app_log_checkpoint(r->d->a, &b, NULL);
    if (rc == PROVA_ENOTFOUND) {
        prova_buf_free(&b);
        return app_log_vkey(r->d->a) ? http_error(r, 404, "log_no_checkpoint", "no checkpoint is published yet")
                                     : log_unavailable(r);
    }
    if (rc == 0) rc = http_text(r, 200, "text/plain; charset=utf-8", b.data, b.len);
    if (rc == 0) rc = http_header(r, "Cache-Control", "no-cache");
    if (rc == 0) rc = http_header(r, "Access-Control-Allow-Origin", "*");
    prova_buf_free(&b);
    return rc;
}

static int h_log_vkey(http_req *r) {
    const prova_buf *v = app_log_vkey(r->d->a);
    if (!v) return log_unavailable(r);
    prova_buf b = PROVA_BUF_INIT;
    int rc = prova_buf_append(&b, v->data, v->len);
    if (rc == 0) rc = prova_buf_append(&b, "\n", 1);
    if (rc == 0) rc = http_text(r, 200, "text/plain; charset=utf-8", b.data, b.len);
    if (rc == 0) rc = http_header(r, "Access-Control-Allow-Origin", "*");
    prova_buf_free(&b);
    return rc;
}

/* GET /log/tile/<L>/<N>[.p/<W>] and /log/tile/entries/<N>[.p/<W>]: the path after /log/ parsed strictly; a tile
 * (at that width) that the published tree does not have is 404. Full tiles never change: cached for a year. */
static int h_log_tile(http_req *r) {
    if (!app_log_vkey(r->d->a)) return log_unavailable(r);
    const char *path = r->path + strlen("/log/");
    prova_tile t;
    prova_error e;
    if (prova_tile_path_parse(path, strlen(path), &t, &e) < 0)
        return http_error(r, 400, e.reason ? e.reason : "tile_path_invalid", "not a tlog-tiles tile path: %s",
                          e.message ? e.message : "malformed");
    prova_buf b = PROVA_BUF_INIT;
    int rc = app_log_tile(r->d->a, &t, &b);
    if (rc == PROVA_ENOTFOUND) {
        prova_buf_free(&b);
        return http_error(r, 404, "log_tile_not_found", "the log's tree has no such tile at that width (yet)");
    }
    if (rc < 0) {
        prova_buf_free(&b);
        return http_error(r, 503, "store_unavailable", "the store cannot be read now");
    }
    rc = http_text(r, 200, "application/octet-stream", b.data, b.len);
    if (rc == 0)
        rc = http_header(r, "Cache-Control",
                         t.width == PROVA_TILE_WIDTH ? "public, max-age=31536000, immutable" : "public, max-age=1");
    if (rc == 0) rc = http_header(r, "Access-Control-Allow-Origin", "*");
    prova_buf_free(&b);
    return rc;
}

/* GET /log/proof/{index}: a c2sp.org/tlog-proof@v1 of that entry against the published checkpoint. */
static int h_log_proof(http_req *r) {
    if (!app_log_vkey(r->d->a)) return log_unavailable(r);
    const char *p = r->param[0];
    char *end = NULL;
    if (!(p[0] >= '0' && p[0] <= '9') || (p[0] == '0' && p[1]) || strlen(p) > 19)
        return http_error(r, 400, "log_index_invalid", "the index must be a decimal integer without leading zeros");
    unsigned long long idx = strtoull(p, &end, 10);
    if (*end) return http_error(r, 400, "log_index_invalid", "the index must be a decimal integer");
    prova_buf b = PROVA_BUF_INIT;
    int rc = app_log_proof(r->d->a, (uint64_t)idx, &b);
    if (rc == PROVA_ENOTFOUND) {
        prova_buf_free(&b);
        rc = http_error(r, 404, "log_entry_not_integrated",
                        "entry %llu is not in the published checkpoint (yet): retry shortly", idx);
        if (rc == 0) rc = http_header(r, "Retry-After", "1");
        return rc;
    }
    if (rc < 0) {
        prova_buf_free(&b);
        return http_error(r, 503, "store_unavailable", "the proof cannot be computed now");
    }
    rc = http_text(r, 200, "text/plain; charset=utf-8", b.data, b.len);
    if (rc == 0) rc = http_header(r, "Cache-Control", "no-cache");
    if (rc == 0) rc = http_header(r, "Access-Control-Allow-Origin", "*");
    prova_buf_free(&b);
    return rc;
}

/* ---- The listings (docs/browse.md): open GETs, their query checked here against the listing's parameters ---- */

/* The query of a listing: a parameter that is not one of the listing's is 400 unknown_parameter. */
static int browse_query(http_req *r, const char *const *extra, app_browse_query *q) {
    static const char *const common[] = {"limit", "cursor", "since", "until"};
    const char *allowed[12];
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) allowed[n++] = common[i];
    for (size_t i = 0; extra && extra[i] && n < 11; i++) allowed[n++] = extra[i];
    allowed[n] = NULL;
    const char *unknown = http_query_unknown(r, allowed);
    if (unknown) {
        int rc = http_error(r, 400, "unknown_parameter", "%.64s is not a parameter of %s", unknown, r->path);
        return rc < 0 ? rc : 1;
    }
    memset(q, 0, sizeof *q);
    q->limit = http_query(r, "limit");
    q->cursor = http_query(r, "cursor");
    q->since = http_query(r, "since");
    q->until = http_query(r, "until");
    q->kid = http_query(r, "kid");
    q->payload_type = http_query(r, "payload_type");
    q->status = http_query(r, "status");
    q->chain_id = http_query(r, "chain_id");
    q->from = http_query(r, "from");
    return 0;
}

#define BROWSE_HANDLER(fn, op, ...)                                                                                    \
    static int fn(http_req *r) {                                                                                       \
        static const char *const extra[] = {__VA_ARGS__};                                                              \
        app_browse_query q;                                                                                            \
        int rc = browse_query(r, extra, &q);                                                                           \
        if (rc) return rc < 0 ? rc : HTTP_RESPONDED;                                                                   \
        op(&r->call, &q);                                                                                              \
        return HTTP_CALLED;                                                                                            \
    }

BROWSE_HANDLER(h_browse_traces, app_browse_traces, "kid", "payload_type", NULL)
BROWSE_HANDLER(h_browse_chains, app_browse_chains, "status", NULL)
BROWSE_HANDLER(h_browse_certs, app_browse_certificates, "chain_id", "status", NULL)
BROWSE_HANDLER(h_browse_proofs, app_browse_proofs, NULL)
BROWSE_HANDLER(h_browse_log_entries, app_browse_log_entries, "from", NULL)
BROWSE_HANDLER(h_browse_checkpoints, app_browse_log_checkpoints, NULL)

/* GET /v1/lineage?trace_id=&chain_id=&format= (docs/lineage.md "Over HTTP"): an open GET, as the listings. */
static int h_lineage(http_req *r) {
    static const char *const allowed[] = {"trace_id", "chain_id", "format", NULL};
    const char *unknown = http_query_unknown(r, allowed);
    if (unknown) {
        int rc = http_error(r, 400, "unknown_parameter", "%.64s is not a parameter of %s", unknown, r->path);
        return rc < 0 ? rc : HTTP_RESPONDED;
    }
    app_lineage(&r->call, http_query(r, "trace_id"), http_query(r, "chain_id"), http_query(r, "format"));
    return HTTP_CALLED;
}

static int h_proof_store(http_req *r) {
    return called(app_proof_store(&r->call, r->body, r->body_len, http_header_in(r, "X-Prova-HMAC-Key")));
}

static int h_proof_get(http_req *r) {
    app_proof_get(&r->call, r->param[0]);
    return HTTP_CALLED;
}

/* ---- /mcp: the MCP streamable HTTP transport (src/mcp/http.c) on this daemon ----------------------------------- */

static int h_mcp(http_req *r) {
    httpd *d = r->d;
    if (!d->mcp) return http_error(r, 404, "not_found", "the MCP endpoint is disabled (--no-mcp)");
    otel_ctx parent; /* the request's server span: the MCP request's span is its child */
    otel_span_context(r->call.span, &parent);
    mcp_http_in in = {
        .parent = parent.valid ? &parent : NULL,
        .method = r->method == HTTP_POST     ? MCP_HTTP_POST
                  : r->method == HTTP_DELETE ? MCP_HTTP_DELETE
                                             : MCP_HTTP_GET,
        .session_id = http_header_in(r, "Mcp-Session-Id"),
        .protocol = http_header_in(r, "MCP-Protocol-Version"),
        .origin = http_header_in(r, "Origin"),
        .accept = http_header_in(r, "Accept"),
        .content_type = http_header_in(r, "Content-Type"),
        .token = r->token,
        .token_required = !d->loopback,
        .body = r->body,
        .body_len = r->body_len,
    };
    mcp_http_out out;
    memset(&out, 0, sizeof out);
    int rc = mcp_http_handle(d->mcp, &in, &out);
    if (rc < 0) {
        mcp_http_out_free(&out);
        return rc;
    }
    if (out.session_id[0]) http_header(r, "Mcp-Session-Id", out.session_id);
    if (out.allow) http_header(r, "Allow", out.allow);
    if (out.www_authenticate) http_header(r, "WWW-Authenticate", "Bearer realm=\"prova\"");
    prova_buf_free(&r->resp.body);
    r->resp.body = out.body;
    out.body = (prova_buf)PROVA_BUF_INIT;
    r->resp.status = out.status;
    /* An empty 202/204 has no media type. */
    r->resp.content_type = !r->resp.body.len ? NULL : out.content_type ? out.content_type : "application/json";
    mcp_http_out_free(&out);
    return HTTP_RESPONDED;
}

/* ---- The table ------------------------------------------------------------------------------------------------- */

#define OPE APP_SCOPE_OPE_WRITE
#define OE  APP_SCOPE_OE_WRITE
#define PRF APP_SCOPE_PROOF_WRITE

/* ---- prova witness (c2sp.org/tlog-witness): add-checkpoint and the monitoring checkpoint ---------------------- */

static int witness_respond(http_req *r, int rc, witness_answer *a) {
    if (rc == 0) rc = http_text(r, a->status, a->content_type, a->body.data, a->body.len);
    witness_answer_free(a);
    return rc;
}

static int h_witness_add(http_req *r) {
    witness_answer a;
    int rc = witness_add_checkpoint(r->d->cfg.witness, r->body, r->body_len, 0, &a);
    return witness_respond(r, rc, &a);
}

static int h_witness_checkpoint(http_req *r) {
    witness_answer a;
    int rc = witness_get_checkpoint(r->d->cfg.witness, r->param[0], &a);
    return witness_respond(r, rc, &a);
}

const http_route http_routes[] = {
    {HTTP_GET, "/health", h_health, 0, "/health", false, true, HTTP_W_ALSO, NULL},
    {HTTP_GET, "/healthz", h_health, 0, "/health", false, true, HTTP_W_ALSO, NULL},
    {HTTP_GET, "/version", h_version, 0, "/version", false, true, HTTP_W_ALSO, NULL},
    {HTTP_GET, "/openapi.json", h_openapi, 0, "/openapi.json", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/docs", h_docs, 0, "/docs", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/ui", h_ui, 0, "/ui", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/ui/", h_ui, 0, "/ui", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/ui/assets/**", h_ui_asset, 0, "/ui/assets/{name}", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/ui/**", h_ui, 0, "/ui/{page}", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/metrics", h_metrics, 0, "/metrics", false, true, HTTP_W_ALSO, NULL},
    {HTTP_GET, "/.well-known/jwks.json", h_jwks, 0, "/.well-known/jwks.json", false, false, HTTP_W_NO, NULL},
    {HTTP_POST, "/v1/verify", h_verify_any, 0, "/v1/verify", false, false, HTTP_W_NO, HTTP_JSON_ANY},
    {HTTP_POST, "/verify", h_proof_verify, 0, "/verify", false, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_POST, "/canonicalize", h_proof_canonicalize, 0, "/canonicalize", false, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_POST, "/v1/odin/envelope", h_ope_envelope, OPE, "/v1/odin/envelope", false, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_GET, "/v1/receipts/hops/chain/*", h_ope_chain, 0, "/v1/receipts/hops/chain/{trace_id}", false, false,
     HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/receipts/export/*", h_ope_export, 0, "/v1/receipts/export/{trace_id}", false, false, HTTP_W_NO,
     NULL},
    {HTTP_POST, "/api/v1/chains", h_oe_chain_create, OE, "/api/v1/chains", true, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_GET, "/api/v1/chains/*", h_oe_chain_get, 0, "/api/v1/chains/{chainId}", true, false, HTTP_W_NO, NULL},
    {HTTP_POST, "/api/v1/chains/*/events", h_oe_event_append, OE, "/api/v1/chains/{chainId}/events", true, false,
     HTTP_W_NO, HTTP_JSON},
    {HTTP_POST, "/api/v1/chains/*/resolve", h_oe_resolve, OE, "/api/v1/chains/{chainId}/resolve", true, false,
     HTTP_W_NO, HTTP_JSON},
    {HTTP_POST, "/api/v1/chains/*/certificate", h_oe_certify, OE, "/api/v1/chains/{chainId}/certificate", true, false,
     HTTP_W_NO, HTTP_JSON},
    {HTTP_POST, "/api/v1/provenance/certificates/*/revoke", h_oe_revoke, OE,
     "/api/v1/provenance/certificates/{certificateId}/revoke", true, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_POST, "/api/v1/provenance/certificates/*/supersede", h_oe_supersede, OE,
     "/api/v1/provenance/certificates/{certificateId}/supersede", true, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_GET, "/api/v1/provenance/verify/*", h_oe_verify, 0, "/api/v1/provenance/verify/{certificateId}", true, false,
     HTTP_W_NO, NULL},
    {HTTP_GET, "/api/v1/provenance/public-key", h_oe_public_key, 0, "/api/v1/provenance/public-key", false, false,
     HTTP_W_NO, NULL},
    {HTTP_GET, "/api/v1/provenance/bundle/*", h_oe_bundle, 0, "/api/v1/provenance/bundle/{certificateId}", false, false,
     HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/traces", h_browse_traces, 0, "/v1/traces", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/chains", h_browse_chains, 0, "/v1/chains", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/certificates", h_browse_certs, 0, "/v1/certificates", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/proofs", h_browse_proofs, 0, "/v1/proofs", false, false, HTTP_W_NO, NULL},
    {HTTP_POST, "/v1/proofs", h_proof_store, PRF, "/v1/proofs", false, false, HTTP_W_NO, HTTP_JSON},
    {HTTP_GET, "/v1/proofs/*", h_proof_get, 0, "/v1/proofs/{id}", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/log/entries", h_browse_log_entries, 0, "/v1/log/entries", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/log/checkpoints", h_browse_checkpoints, 0, "/v1/log/checkpoints", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/v1/lineage", h_lineage, 0, "/v1/lineage", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/log/checkpoint", h_log_checkpoint, 0, "/log/checkpoint", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/log/vkey", h_log_vkey, 0, "/log/vkey", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/log/proof/*", h_log_proof, 0, "/log/proof/{index}", false, false, HTTP_W_NO, NULL},
    {HTTP_GET, "/log/tile/**", h_log_tile, 0, "/log/tile/{path}", false, false, HTTP_W_NO, NULL},
    {HTTP_POST, "/mcp", h_mcp, 0, "/mcp", false, true, HTTP_W_NO, HTTP_JSON},
    {HTTP_GET, "/mcp", h_mcp, 0, "/mcp", false, true, HTTP_W_NO, NULL},
    {HTTP_DELETE, "/mcp", h_mcp, 0, "/mcp", false, true, HTTP_W_NO, NULL},
    {HTTP_POST, "/add-checkpoint", h_witness_add, 0, "/add-checkpoint", false, false, HTTP_W_ONLY, HTTP_CHECKPOINT},
    {HTTP_GET, "/*/checkpoint", h_witness_checkpoint, 0, "/{origin_hash}/checkpoint", false, false, HTTP_W_ONLY, NULL},
};
const size_t http_nroutes = sizeof http_routes / sizeof http_routes[0];
