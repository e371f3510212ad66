/* /metrics in the Prometheus text format 0.0.4: the daemon's requests by route, method and status, their latency,
 * and the service's counters (verifications, the writer, the store). Every line is written whole (prova_buf_printf
 * grows; nothing is cut), and tests/http run promtool's parser over the output. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "text.h"

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

/* "# HELP" and "# TYPE" of one metric family. */
static int family(prova_buf *b, const char *name, const char *type, const char *help) {
    return prova_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int http_metrics_text(httpd *d, prova_buf *b) {
    app_stats st;
    app_stats_get(d->a, &st);
    int rc = family(b, "prova_build_info", "gauge", "The running prova.");
    rc |= prova_buf_printf(b, "prova_build_info{version=\"%s\"} 1\n", PROVA_VERSION_STRING);
    rc |= family(b, "prova_uptime_seconds", "gauge", "Seconds since the server started.");
    rc |= prova_buf_printf(b, "prova_uptime_seconds %.3f\n", (double)(app_now_us() - app_started_us(d->a)) / 1e6);
    rc |= family(b, "prova_http_requests_total", "counter", "HTTP requests by route, method and status code.");
    for (size_t i = 0; i <= http_nroutes; i++) {
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
            rc |= prova_buf_printf(b, "prova_http_requests_total{route=\"%s\",method=\"%s\",code=\"%s\"} %llu\n",
                                   route_label(i), route_method(i), code, n);
        }
    }
    rc |= family(b, "prova_http_request_duration_seconds", "histogram",
                 "Time from the request line to the response, by route.");
    for (size_t i = 0; i <= http_nroutes; i++) {
        if (!series_first(i, false)) continue; /* one histogram per route name, whatever the method */
        unsigned long long count = 0, sum_us = 0, bucket[HTTP_BUCKETS] = {0};
        for (size_t k = i; k <= http_nroutes; k++) {
            if (!same_series(i, k, false)) continue;
            http_route_metrics *m = &d->route_metrics[k];
            count += atomic_load(&m->count);
            sum_us += atomic_load(&m->sum_us);
            for (unsigned q = 0; q < HTTP_BUCKETS; q++) bucket[q] += atomic_load(&m->bucket[q]);
        }
        if (!count) continue;
        unsigned long long cum = 0;
        for (unsigned k = 0; k < HTTP_BUCKETS; k++) {
            cum += bucket[k];
            if (bucket_us[k] == INT64_MAX)
                rc |= prova_buf_printf(b, "prova_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                                       route_label(i), cum);
            else
                rc |= prova_buf_printf(b, "prova_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                                       route_label(i), (double)bucket_us[k] / 1e6, cum);
        }
        rc |= prova_buf_printf(b, "prova_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_label(i),
                               (double)sum_us / 1e6);
        rc |= prova_buf_printf(b, "prova_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route_label(i),
                               count);
    }
    rc |= family(b, "prova_http_requests_in_flight", "gauge", "Requests being handled now.");
    rc |= prova_buf_printf(b, "prova_http_requests_in_flight %ld\n", atomic_load(&d->inflight));
    rc |= family(b, "prova_http_connections_open", "gauge", "Client connections open now.");
    rc |= prova_buf_printf(b, "prova_http_connections_open %ld\n", atomic_load(&d->conn_open));
    rc |= family(b, "prova_http_connections_closed_total", "counter",
                 "Connections the gateway closed by reason: a request head past the deadline, a body below the "
                 "minimum rate, shed while waiting for a head to keep room for new requests.");
    static const char *const reasons[HTTP_CLOSE_REASONS] = {"header_timeout", "body_rate", "shed"};
    for (unsigned r = 0; r < HTTP_CLOSE_REASONS; r++)
        rc |= prova_buf_printf(b, "prova_http_connections_closed_total{reason=\"%s\"} %llu\n", reasons[r],
                               (unsigned long long)atomic_load(&d->conn_closed[r]));
    rc |= family(b, "prova_http_connections_refused_total", "counter",
                 "Connections refused at once: over --max-connections or --max-connections-per-ip.");
    rc |= prova_buf_printf(b, "prova_http_connections_refused_total %llu\n",
                           (unsigned long long)atomic_load(&d->conn_refused));
    rc |= family(b, "prova_verifications_total", "counter",
                 "Documents verified (envelopes accepted or refused, /v1/verify, /verify, certificate checks) by "
                 "result.");
    rc |= prova_buf_printf(b,
                           "prova_verifications_total{result=\"valid\"} %llu\n"
                           "prova_verifications_total{result=\"invalid\"} %llu\n"
                           "prova_verifications_total{result=\"error\"} %llu\n",
                           (unsigned long long)st.verify_valid, (unsigned long long)st.verify_invalid,
                           (unsigned long long)st.verify_error);
    rc |= family(b, "prova_writer_commits_total", "counter", "Group commits (one fsync each).");
    rc |= prova_buf_printf(b, "prova_writer_commits_total %llu\n", (unsigned long long)st.commits);
    rc |= family(b, "prova_writer_writes_total", "counter", "Writes made durable.");
    rc |= prova_buf_printf(b, "prova_writer_writes_total %llu\n", (unsigned long long)st.committed_writes);
    rc |= family(b, "prova_writer_failed_commits_total", "counter", "Commits that failed (their writes were refused).");
    rc |= prova_buf_printf(b, "prova_writer_failed_commits_total %llu\n", (unsigned long long)st.failed_commits);
    rc |= family(b, "prova_writer_queue_length", "gauge", "Writes waiting for the writer.");
    rc |= prova_buf_printf(b, "prova_writer_queue_length %u\n", st.queue_length);
    rc |= family(b, "prova_store_writable", "gauge", "0 from a failed commit until one succeeds, else 1.");
    rc |= prova_buf_printf(b, "prova_store_writable %d\n", st.store_writable ? 1 : 0);
    rc |= family(b, "prova_store_bytes", "gauge", "Size of the store on disk (database and WAL).");
    rc |= prova_buf_printf(b, "prova_store_bytes %lld\n", (long long)st.store_bytes);
    if (st.log_enabled) {
        rc |= family(b, "prova_log_size", "gauge", "Entries in the transparency log's published checkpoint.");
        rc |= prova_buf_printf(b, "prova_log_size %lld\n", (long long)st.log_size);
        rc |= family(b, "prova_log_checkpoints_total", "counter", "Checkpoints the log signed since the start.");
        rc |= prova_buf_printf(b, "prova_log_checkpoints_total %llu\n", (unsigned long long)st.log_checkpoints);
        rc |= family(b, "prova_log_integration_seconds", "summary",
                     "Time to integrate new entries: tiles, checkpoint and commit.");
        rc |= prova_buf_printf(b, "prova_log_integration_seconds_sum %.6f\nprova_log_integration_seconds_count %llu\n",
                               (double)st.log_integration_us / 1e6, (unsigned long long)st.log_integrations);
        rc |= family(b, "prova_log_integration_failures_total", "counter", "Integrations that failed and were undone.");
        rc |= prova_buf_printf(b, "prova_log_integration_failures_total %llu\n", (unsigned long long)st.log_failures);
    }
    rc |= family(b, "prova_store_records", "gauge", "Records in the store by kind.");
    rc |= prova_buf_printf(b,
                           "prova_store_records{kind=\"receipt\"} %lld\nprova_store_records{kind=\"trace\"} %lld\n"
                           "prova_store_records{kind=\"chain\"} %lld\nprova_store_records{kind=\"event\"} %lld\n"
                           "prova_store_records{kind=\"certificate\"} %lld\n",
                           (long long)st.receipts, (long long)st.traces, (long long)st.chains, (long long)st.events,
                           (long long)st.certificates);
    return rc ? PROVA_ENOMEM : 0;
}
