/* The route table and the family-independent endpoints: health, version, OpenAPI, docs, metrics, JWKS and the
 * one verifier for every document. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "prova/verify.h"

const gw_route gw_routes[] = {
    {GW_GET, "/health", gw_h_health, 0, "/health"},
    {GW_GET, "/healthz", gw_h_health, 0, "/health"},
    {GW_GET, "/version", gw_h_version, 0, "/version"},
    {GW_GET, "/openapi.json", gw_h_openapi, 0, "/openapi.json"},
    {GW_GET, "/docs", gw_h_docs, 0, "/docs"},
    {GW_GET, "/metrics", gw_h_metrics, 0, "/metrics"},
    {GW_GET, "/.well-known/jwks.json", gw_h_jwks, 0, "/.well-known/jwks.json"},
    {GW_POST, "/v1/verify", gw_h_verify_any, 0, "/v1/verify"},
    {GW_POST, "/verify", gw_h_proof_verify, 0, "/verify"},
    {GW_POST, "/canonicalize", gw_h_proof_canonicalize, 0, "/canonicalize"},
    {GW_POST, "/v1/odin/envelope", gw_h_ope_envelope, GW_SCOPE_OPE_WRITE, "/v1/odin/envelope"},
    {GW_GET, "/v1/receipts/hops/chain/*", gw_h_ope_chain, 0, "/v1/receipts/hops/chain/{trace_id}"},
    {GW_GET, "/v1/receipts/export/*", gw_h_ope_export, 0, "/v1/receipts/export/{trace_id}"},
    {GW_POST, "/api/v1/chains", gw_h_oe_chain_create, GW_SCOPE_OE_WRITE, "/api/v1/chains"},
    {GW_GET, "/api/v1/chains/*", gw_h_oe_chain_get, 0, "/api/v1/chains/{chainId}"},
    {GW_POST, "/api/v1/chains/*/events", gw_h_oe_event_append, GW_SCOPE_OE_WRITE, "/api/v1/chains/{chainId}/events"},
    {GW_POST, "/api/v1/chains/*/resolve", gw_h_oe_resolve, GW_SCOPE_OE_WRITE, "/api/v1/chains/{chainId}/resolve"},
    {GW_POST, "/api/v1/chains/*/certificate", gw_h_oe_certify, GW_SCOPE_OE_WRITE,
     "/api/v1/chains/{chainId}/certificate"},
    {GW_POST, "/api/v1/provenance/certificates/*/revoke", gw_h_oe_revoke, GW_SCOPE_OE_WRITE,
     "/api/v1/provenance/certificates/{certificateId}/revoke"},
    {GW_POST, "/api/v1/provenance/certificates/*/supersede", gw_h_oe_supersede, GW_SCOPE_OE_WRITE,
     "/api/v1/provenance/certificates/{certificateId}/supersede"},
    {GW_GET, "/api/v1/provenance/verify/*", gw_h_oe_verify, 0, "/api/v1/provenance/verify/{certificateId}"},
    {GW_GET, "/api/v1/provenance/public-key", gw_h_oe_public_key, 0, "/api/v1/provenance/public-key"},
    {GW_GET, "/api/v1/provenance/bundle/*", gw_h_oe_bundle, 0, "/api/v1/provenance/bundle/{certificateId}"},
    {GW_POST, "/mcp", gw_h_mcp, 0, "/mcp"},
    {GW_GET, "/mcp", gw_h_mcp, 0, "/mcp"},
    {GW_DELETE, "/mcp", gw_h_mcp, 0, "/mcp"},
};
const size_t gw_nroutes = sizeof gw_routes / sizeof gw_routes[0];

/* ---- Health, version ----------------------------------------------------------------------------------------- */

int gw_h_health(gw_req *req) {
    gw *g = req->g;
    char body[512];
    int n = snprintf(body, sizeof body,
                     "{\"status\":\"ok\",\"kid\":\"%s\",\"store\":{\"backend\":\"sqlite\",\"receipts\":%lld,"
                     "\"traces\":%lld,\"chains\":%lld,\"events\":%lld,\"certificates\":%lld,\"bytes\":%lld}}",
                     g->kid, (long long)atomic_load(&g->receipts), (long long)atomic_load(&g->traces),
                     (long long)atomic_load(&g->chains), (long long)atomic_load(&g->events),
                     (long long)atomic_load(&g->certificates), (long long)prova_store_bytes(g->w));
    return gw_json(req, 200, body, (size_t)n);
}

int gw_h_version(gw_req *req) {
    static const char body[] = "{\"name\":\"prova\",\"version\":\"" PROVA_VERSION_STRING "\",\"api\":\"v1\"}";
    return gw_json(req, 200, body, sizeof body - 1);
}


int gw_h_openapi(gw_req *req) { return gw_json(req, 200, gw_openapi_json, gw_openapi_json_len); }

int gw_h_docs(gw_req *req) { return gw_text(req, 200, "text/html; charset=utf-8", gw_docs_html, gw_docs_html_len); }

int gw_h_jwks(gw_req *req) {
    int rc = gw_json(req, 200, req->g->jwks.data, req->g->jwks.len);
    if (rc == 0) rc = gw_header(req, "Access-Control-Allow-Origin", "*");
    return rc;
}

/* ---- Metrics (Prometheus text format 0.0.4) -------------------------------------------------------------- */


static int putf(prova_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int putf(prova_buf *b, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return PROVA_EINVAL;
    return prova_buf_append(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static const char *route_label(size_t i) { return i < gw_nroutes ? gw_routes[i].name : "unmatched"; }
static const char *route_method(size_t i) {
    static const char *const names[] = {"any", "GET", "POST", "DELETE"};
    if (i >= gw_nroutes || gw_routes[i].method < GW_GET || gw_routes[i].method > GW_DELETE) return "any";
    return names[gw_routes[i].method];
}

/* Metrics slots i and k (gw_nroutes: unmatched requests) are one series: the same route name (an alias such as
 * /healthz, or one endpoint under several methods) and, when by_method, the same method. */
static bool same_series(size_t i, size_t k, bool by_method) {
    if (i == k) return true;
    if (i == gw_nroutes || k == gw_nroutes) return false;
    return strcmp(gw_routes[i].name, gw_routes[k].name) == 0 &&
           (!by_method || gw_routes[i].method == gw_routes[k].method);
}

/* True when no earlier slot belongs to i's series (the series is printed once, at its first slot). */
static bool series_first(size_t i, bool by_method) {
    for (size_t j = 0; j < i; j++)
        if (same_series(j, i, by_method)) return false;
    return true;
}

int gw_h_metrics(gw_req *req) {
    gw *g = req->g;
    prova_buf b = PROVA_BUF_INIT;
    int rc = putf(&b, "# HELP prova_build_info The running prova.\n# TYPE prova_build_info gauge\n"
                      "prova_build_info{version=\"%s\"} 1\n",
                  PROVA_VERSION_STRING);
    rc |= putf(&b, "# HELP prova_uptime_seconds Seconds since the gateway started.\n# TYPE prova_uptime_seconds gauge\n"
                   "prova_uptime_seconds %.3f\n",
               (double)(gw_now_us() - g->started_us) / 1e6);
    rc |= putf(&b, "# HELP prova_http_requests_total HTTP requests by route, method and status code.\n"
                   "# TYPE prova_http_requests_total counter\n");
    for (size_t i = 0; i <= gw_nroutes; i++) {
        if (!series_first(i, true)) continue; /* an alias (/healthz) is counted under its route's own series */
        for (unsigned c = 0; c < GW_CODES; c++) {
            unsigned long long n = 0;
            for (size_t k = i; k <= gw_nroutes; k++)
                if (same_series(i, k, true)) n += atomic_load(&g->route_metrics[k].by_code[c]);
            if (!n) continue;
            unsigned code = gw_code_at(c);
            if (code) rc |= putf(&b, "prova_http_requests_total{route=\"%s\",method=\"%s\",code=\"%u\"} %llu\n",
                                 route_label(i), route_method(i), code, n);
            else rc |= putf(&b, "prova_http_requests_total{route=\"%s\",method=\"%s\",code=\"other\"} %llu\n",
                            route_label(i), route_method(i), n);
        }
    }
    rc |= putf(&b, "# HELP prova_http_request_duration_seconds Time from the request line to the response, by "
                   "route.\n# TYPE prova_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= gw_nroutes; i++) {
        if (!series_first(i, false)) continue; /* one histogram per route name, whatever the method */
        unsigned long long count = 0, sum_us = 0, bucket[GW_BUCKETS] = {0};
        for (size_t k = i; k <= gw_nroutes; k++) {
            if (!same_series(i, k, false)) continue;
            gw_route_metrics *m = &g->route_metrics[k];
            count += atomic_load(&m->count);
            sum_us += atomic_load(&m->sum_us);
            for (unsigned q = 0; q < GW_BUCKETS; q++) bucket[q] += atomic_load(&m->bucket[q]);
        }
        if (!count) continue;
        unsigned long long cum = 0;
        for (unsigned k = 0; k < GW_BUCKETS; k++) {
            cum += bucket[k];
            if (gw_bucket_us[k] == INT64_MAX)
                rc |= putf(&b, "prova_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                           route_label(i), cum);
            else
                rc |= putf(&b, "prova_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                           route_label(i), (double)gw_bucket_us[k] / 1e6, cum);
        }
        rc |= putf(&b, "prova_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_label(i),
                   (double)sum_us / 1e6);
        rc |= putf(&b, "prova_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route_label(i), count);
    }
    rc |= putf(&b, "# HELP prova_http_requests_in_flight Requests being handled now.\n"
                   "# TYPE prova_http_requests_in_flight gauge\nprova_http_requests_in_flight %ld\n",
               atomic_load(&g->inflight));
    rc |= putf(&b, "# HELP prova_verifications_total Documents verified (envelopes accepted or refused, /v1/verify, "
                   "/verify, certificate checks) by result.\n# TYPE prova_verifications_total counter\n"
                   "prova_verifications_total{result=\"valid\"} %llu\n"
                   "prova_verifications_total{result=\"invalid\"} %llu\n"
                   "prova_verifications_total{result=\"error\"} %llu\n",
               atomic_load(&g->verify_valid), atomic_load(&g->verify_invalid), atomic_load(&g->verify_error));
    pthread_mutex_lock(&g->qlock);
    unsigned qlen = g->qlen;
    pthread_mutex_unlock(&g->qlock);
    rc |= putf(&b, "# HELP prova_writer_commits_total Group commits (one fsync each).\n"
                   "# TYPE prova_writer_commits_total counter\nprova_writer_commits_total %llu\n"
                   "# HELP prova_writer_writes_total Writes made durable.\n"
                   "# TYPE prova_writer_writes_total counter\nprova_writer_writes_total %llu\n"
                   "# HELP prova_writer_failed_commits_total Commits that failed (their writes were refused).\n"
                   "# TYPE prova_writer_failed_commits_total counter\nprova_writer_failed_commits_total %llu\n"
                   "# HELP prova_writer_queue_length Writes waiting for the writer.\n"
                   "# TYPE prova_writer_queue_length gauge\nprova_writer_queue_length %u\n",
               atomic_load(&g->commits), atomic_load(&g->committed_jobs), atomic_load(&g->failed_commits), qlen);
    rc |= putf(&b, "# HELP prova_store_bytes Size of the store on disk (database and WAL).\n"
                   "# TYPE prova_store_bytes gauge\nprova_store_bytes %lld\n",
               (long long)prova_store_bytes(g->w));
    rc |= putf(&b, "# HELP prova_store_records Records in the store by kind.\n# TYPE prova_store_records gauge\n"
                   "prova_store_records{kind=\"receipt\"} %lld\nprova_store_records{kind=\"trace\"} %lld\n"
                   "prova_store_records{kind=\"chain\"} %lld\nprova_store_records{kind=\"event\"} %lld\n"
                   "prova_store_records{kind=\"certificate\"} %lld\n",
               (long long)atomic_load(&g->receipts), (long long)atomic_load(&g->traces),
               (long long)atomic_load(&g->chains), (long long)atomic_load(&g->events),
               (long long)atomic_load(&g->certificates));
    if (rc) {
        prova_buf_free(&b);
        return PROVA_ENOMEM;
    }
    int r = gw_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    prova_buf_free(&b);
    return r;
}

/* ---- POST /v1/verify: any document -> the unified report ------------------------------------------------ */

static bool truthy(const char *v) {
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

void gw_count_verdict(gw *g, bool valid) { atomic_fetch_add(valid ? &g->verify_valid : &g->verify_invalid, 1); }

int gw_h_verify_any(gw_req *req) {
    gw *g = req->g;
    prova_verify_options o = {0};
    o.keys = g->verify_keys;
    o.now_us = gw_now_us();
    o.max_skew_s = g->cfg.max_skew_s;
    o.max_depth = g->cfg.max_depth;
    o.trust_embedded_key = truthy(gw_query(req, "trust_embedded_key"));
    o.hash_alg = gw_query(req, "hash_alg");
    o.hmac_key_b64 = gw_query(req, "hmac_key_b64");
    const char *skew = gw_query(req, "no_skew");
    o.no_skew = truthy(skew);
    prova_report *r = NULL;
    prova_error e;
    int rc = prova_verify_document(req->body, req->body_len, &o, &r, &e);
    if (rc == PROVA_ESYNTAX || rc == PROVA_ELIMIT || rc == PROVA_ERANGE) {
        prova_report_free(r);
        atomic_fetch_add(&g->verify_error, 1);
        return gw_error_lib(req, 400, &e);
    }
    if (rc < 0 || !r) {
        prova_report_free(r);
        if (rc == PROVA_EINVAL) return gw_error(req, 400, "invalid_argument", "%s", e.message);
        return rc < 0 ? rc : PROVA_ENOMEM;
    }
    gw_count_verdict(g, prova_report_valid(r));
    prova_buf b = PROVA_BUF_INIT;
    rc = prova_report_to_json(r, &b);
    prova_report_free(r);
    if (rc < 0) {
        prova_buf_free(&b);
        return rc;
    }
    return gw_json_buf(req, 200, &b);
}
