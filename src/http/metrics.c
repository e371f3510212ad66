/* The daemon's metrics: its requests by route, method and status, their latency, its connections, and the service's
 * counters (verifications, the writer, the store, the log), as a snapshot (otel_data.h) that /metrics renders in
 * the Prometheus text format (src/otel/metrics.c) and the OTLP exporter sends; tests/http run promtool's parser
 * over /metrics. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "otel_data.h"

static const unsigned code_table[HTTP_CODES] = {200, 201, 204, 400, 401, 403, 404, 405,
                                                409, 413, 415, 422, 429, 500, 503, 0};

static unsigned code_index(unsigned status) {
    for (unsigned i = 0; i + 1 < HTTP_CODES; i++)
        if (code_table[i] == status) return i;
    return HTTP_CODES - 1;
}

/* Upper bounds of the latency buckets, microseconds (the last is +Inf). */
static const int64_t bucket_us[HTTP_BUCKETS] = {250,   500,    1000,   2500,   5000,    10000,   25000,
                                                50000, 100000, 250000, 500000, 1000000, 5000000, INT64_MAX};

/* The upper bounds of the latency histogram in seconds, as the snapshot has them (bucket_us / 1e6 without its +Inf;
 * keep the two tables alike). */
static const double bucket_s[HTTP_BUCKETS - 1] = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,    0.1,    0.25,  0.5,    1,     5};

void http_record(httpd *d, size_t route, unsigned status, int64_t us) {
    http_route_metrics *m = &d->route_metrics[route];
    atomic_fetch_add_explicit(&m->by_code[code_index(status)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)(us < 0 ? 0 : us), memory_order_relaxed);
    for (unsigned b = 0; b < HTTP_BUCKETS; b++)
        if (us <= bucket_us[b]) {
            atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
            break;
        }
}

static const char *route_label(size_t i) {
    return i < http_nroutes ? http_routes[i].name : "unmatched";
}
static const char *route_method(size_t i) {
    static const char *const names[] = {"any", "GET", "POST", "DELETE"};
    if (i >= http_nroutes || http_routes[i].method < HTTP_GET || http_routes[i].method > HTTP_DELETE) return "any";
    return names[http_routes[i].method];
}

/* Metrics slots i and k (http_nroutes: unmatched requests) are one series: the same route name (an alias such as
 * /healthz, or one endpoint under several methods) and, when by_method, the same method. */
static bool same_series(size_t i, size_t k, bool by_method) {
    if (i == k) return true;
    if (i == http_nroutes || k == http_nroutes) return false;
    return strcmp(http_routes[i].name, http_routes[k].name) == 0 &&
           (!by_method || http_routes[i].method == http_routes[k].method);
}

/* True when no earlier slot belongs to i's series (the series is printed once, at its first slot). */
static bool series_first(size_t i, bool by_method) {
    for (size_t j = 0; j < i; j++)
        if (same_series(j, i, by_method)) return false;
    return true;
}

/* One metric with a single unlabelled integer point. */
static void one(otel_metrics *ms, const char *name, int type, const char *help, const char *unit, int64_t v) {
    otel_point *p = otel_metric_point(ms, otel_metrics_add(ms, name, type, help, unit));
    if (p) p->i = v;
}

/* One metric with an integer point per value of one label. */
static void by_label(otel_metrics *ms, const char *name, int type, const char *help, const char *unit, const char *key,
                     const char *const *values, const int64_t *v, size_t n) {
    otel_metric *m = otel_metrics_add(ms, name, type, help, unit);
    for (size_t i = 0; m && i < n; i++) {
        otel_point *p = otel_metric_point(ms, m);
        if (!p) return;
        otel_point_label(p, key, values[i]);
        p->i = v[i];
    }
}

static void collect_requests(httpd *d, otel_metrics *ms) {
    otel_metric *m = otel_metrics_add(ms, "prova_http_requests_total", OTEL_METRIC_COUNTER,
                                      "HTTP requests by route, method and status code.", "{request}");
    for (size_t i = 0; m && i <= http_nroutes; i++) {
        if (!series_first(i, true)) continue; /* an alias (/healthz) is counted under its route's own series */
        for (unsigned c = 0; c < HTTP_CODES; c++) {
            unsigned long long n = 0;
            for (size_t k = i; k <= http_nroutes; k++)
                if (same_series(i, k, true)) n += atomic_load(&d->route_metrics[k].by_code[c]);
            if (!n) continue;
            char code[16];
            if (code_table[c])
                snprintf(code, sizeof code, "%u", code_table[c]);
            else
                strcpy(code, "other");
            otel_point *p = otel_metric_point(ms, m);
            if (!p) return;
            otel_point_label(p, "route", route_label(i));
            otel_point_label(p, "method", route_method(i));
            otel_point_label(p, "code", code);
            p->i = (int64_t)n;
        }
    }
}

static void collect_latency(httpd *d, otel_metrics *ms) {
    otel_metric *m = otel_metrics_add(ms, "prova_http_request_duration_seconds", OTEL_METRIC_HISTOGRAM,
                                      "Time from the request line to the response, by route.", "s");
    if (!m) return;
    m->bounds = bucket_s;
    m->nbounds = HTTP_BUCKETS - 1;
    for (size_t i = 0; i <= http_nroutes; i++) {
        if (!series_first(i, false)) continue; /* one histogram per route name, whatever the method */
        unsigned long long count = 0, sum_us = 0, bucket[HTTP_BUCKETS] = {0};
        for (size_t k = i; k <= http_nroutes; k++) {
            if (!same_series(i, k, false)) continue;
            http_route_metrics *rm = &d->route_metrics[k];
            count += atomic_load(&rm->count);
            sum_us += atomic_load(&rm->sum_us);
            for (unsigned q = 0; q < HTTP_BUCKETS; q++) bucket[q] += atomic_load(&rm->bucket[q]);
        }
        if (!count) continue;
        otel_point *p = otel_metric_point(ms, m);
        if (!p) return;
        otel_point_label(p, "route", route_label(i));
        p->count = count;
        p->sum = (double)sum_us / 1e6;
        for (unsigned q = 0; q < HTTP_BUCKETS; q++) p->bucket[q] = bucket[q]; /* the last: above 5 s */
    }
}

void http_metrics_collect(httpd *d, otel_metrics *ms) {
    app_stats st;
    app_stats_get(d->a, &st);
    otel_point *p =
        otel_metric_point(ms, otel_metrics_add(ms, "prova_build_info", OTEL_METRIC_GAUGE, "The running prova.", "1"));
    if (p) {
        otel_point_label(p, "version", PROVA_VERSION_STRING);
        p->i = 1;
    }
    p = otel_metric_point(
        ms, otel_metrics_add(ms, "prova_uptime_seconds", OTEL_METRIC_GAUGE, "Seconds since the server started.", "s"));
    if (p) {
        p->is_double = true;
        p->d = (double)(app_now_us() - app_started_us(d->a)) / 1e6;
    }
    collect_requests(d, ms);
    collect_latency(d, ms);
    one(ms, "prova_http_requests_in_flight", OTEL_METRIC_GAUGE, "Requests being handled now.", "{request}",
        atomic_load(&d->inflight));
    one(ms, "prova_http_connections_open", OTEL_METRIC_GAUGE, "Client connections open now.", "{connection}",
        atomic_load(&d->conn_open));
    static const char *const reasons[HTTP_CLOSE_REASONS] = {"header_timeout", "body_rate", "shed"};
    int64_t closed[HTTP_CLOSE_REASONS];
    for (unsigned r = 0; r < HTTP_CLOSE_REASONS; r++) closed[r] = (int64_t)atomic_load(&d->conn_closed[r]);
    by_label(ms, "prova_http_connections_closed_total", OTEL_METRIC_COUNTER,
             "Connections the gateway closed by reason: a request head past the deadline, a body below the "
             "minimum rate, shed while waiting for a head to keep room for new requests.",
             "{connection}", "reason", reasons, closed, HTTP_CLOSE_REASONS);
    one(ms, "prova_http_connections_refused_total", OTEL_METRIC_COUNTER,
        "Connections refused at once: over --max-connections or --max-connections-per-ip.", "{connection}",
        (int64_t)atomic_load(&d->conn_refused));
    static const char *const codings[] = {"gzip", "zstd"}; /* docs/compression.md */
    const int64_t decoded[] = {(int64_t)atomic_load(&d->coded_in[1]), (int64_t)atomic_load(&d->coded_in[2])};
    const int64_t compressed[] = {(int64_t)atomic_load(&d->coded_out[1]), (int64_t)atomic_load(&d->coded_out[2])};
    by_label(ms, "prova_http_request_bodies_decoded_total", OTEL_METRIC_COUNTER,
             "Request bodies sent with a Content-Encoding and decoded within the limits, by coding.", "{request}",
             "encoding", codings, decoded, 2);
    by_label(ms, "prova_http_responses_compressed_total", OTEL_METRIC_COUNTER,
             "Responses sent compressed (Accept-Encoding), by coding.", "{response}", "encoding", codings, compressed,
             2);
    static const char *const results[] = {"valid", "invalid", "error"};
    const int64_t verified[] = {(int64_t)st.verify_valid, (int64_t)st.verify_invalid, (int64_t)st.verify_error};
    by_label(ms, "prova_verifications_total", OTEL_METRIC_COUNTER,
             "Documents verified (envelopes accepted or refused, /v1/verify, /verify, certificate checks) by "
             "result.",
             "{document}", "result", results, verified, 3);
    static const char *const verdicts[] = {"allowed", "blocked"}, *const outcomes[] = {"ok", "error"};
    const int64_t judged[] = {(int64_t)st.egress_allowed, (int64_t)st.egress_blocked};
    const int64_t forwarded[] = {(int64_t)st.forwards_ok, (int64_t)st.forwards_failed};
    by_label(ms, "prova_egress_verdicts_total", OTEL_METRIC_COUNTER,
             "Envelope forward_urls judged by the egress policy, by verdict (docs/egress.md).", "{envelope}", "verdict",
             verdicts, judged, 2);
    by_label(ms, "prova_forwards_total", OTEL_METRIC_COUNTER,
             "Forwards made after a receipt: ok (an HTTP answer, any status) or error (refused, timed out, ...).",
             "{forward}", "outcome", outcomes, forwarded, 2);
    one(ms, "prova_writer_commits_total", OTEL_METRIC_COUNTER, "Group commits (one fsync each).", "{commit}",
        (int64_t)st.commits);
    one(ms, "prova_writer_writes_total", OTEL_METRIC_COUNTER, "Writes made durable.", "{write}",
        (int64_t)st.committed_writes);
    one(ms, "prova_writer_failed_commits_total", OTEL_METRIC_COUNTER,
        "Commits that failed (their writes were refused).", "{commit}", (int64_t)st.failed_commits);
    one(ms, "prova_writer_queue_length", OTEL_METRIC_GAUGE, "Writes waiting for the writer.", "{write}",
        st.queue_length);
    one(ms, "prova_store_writable", OTEL_METRIC_GAUGE, "0 from a failed commit until one succeeds, else 1.", "1",
        st.store_writable ? 1 : 0);
    one(ms, "prova_store_bytes", OTEL_METRIC_GAUGE,
        "Size of the store (SQLite: database and WAL on disk; PostgreSQL: the database).", "By", st.store_bytes);
    if (st.log_enabled) {
        one(ms, "prova_log_size", OTEL_METRIC_GAUGE, "Entries in the transparency log's published checkpoint.",
            "{entry}", st.log_size);
        one(ms, "prova_log_integrating", OTEL_METRIC_GAUGE,
            "1 when this gateway integrates the log (of several on one store, one at a time), else 0.", "1",
            st.log_integrating ? 1 : 0);
        one(ms, "prova_log_checkpoints_total", OTEL_METRIC_COUNTER, "Checkpoints the log signed since the start.",
            "{checkpoint}", (int64_t)st.log_checkpoints);
        p = otel_metric_point(ms,
                              otel_metrics_add(ms, "prova_log_integration_seconds", OTEL_METRIC_SUMMARY,
                                               "Time to integrate new entries: tiles, checkpoint and commit.", "s"));
        if (p) {
            p->sum = (double)st.log_integration_us / 1e6;
            p->count = st.log_integrations;
        }
        one(ms, "prova_log_integration_failures_total", OTEL_METRIC_COUNTER,
            "Integrations that failed and were undone.", "{integration}", (int64_t)st.log_failures);
    }
    static const char *const kinds[] = {"receipt", "trace", "chain", "event", "certificate"};
    const int64_t records[] = {st.receipts, st.traces, st.chains, st.events, st.certificates};
    by_label(ms, "prova_store_records", OTEL_METRIC_GAUGE, "Records in the store by kind.", "{record}", "kind", kinds,
             records, 5);
    otel_metrics_add_stats(app_otel(d->a), ms); /* the OTLP exporter's own, when there is one */
}

static void collect(void *ctx, otel_metrics *ms) {
    http_metrics_collect(ctx, ms);
}

void http_metrics_export(httpd *d, bool on) {
    otel_set_metrics_source(app_otel(d->a), on ? collect : NULL, on ? d : NULL);
}

int http_metrics_text(httpd *d, prova_buf *b) {
    otel_metrics ms;
    otel_metrics_init(&ms, (uint64_t)app_started_us(d->a) * 1000u, (uint64_t)app_now_us() * 1000u);
    http_metrics_collect(d, &ms);
    int rc = ms.status ? ms.status : otel_metrics_prometheus(&ms, b);
    otel_metrics_free(&ms);
    return rc;
}
