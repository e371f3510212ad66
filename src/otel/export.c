/* The batch processors and the OTLP/HTTP exporter: one thread takes the finished spans and log records off their
 * bounded queues and sends them in batches (when a batch is full or the schedule delay has passed), asks the metrics
 * source for a snapshot every export interval, and POSTs each request with libcurl, gzip-compressed when configured,
 * retrying 429, 502, 503, 504 and transport failures with exponential backoff (or the server's Retry-After) until the
 * export timeout. A request thread only ever takes the queue's lock for a push: a full queue drops the record and
 * counts it (otel.h). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include <sodium.h>

#include "otel_internal.h"
#include "prova/version.h"

static const char *const signal_label[OTEL_SIGNALS] = {"traces", "metrics", "logs"};

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- The pools of records --------------------------------------------------------------------------------------- */

void *otel_record_get(otel *o, int sig) {
    void *r = NULL;
    pthread_mutex_lock(&o->pool_lock);
    otel_pool *p = &o->pool[sig];
    if (p->len) r = p->item[--p->len];
    pthread_mutex_unlock(&o->pool_lock);
    return r ? r : malloc(sig == OTEL_TRACES ? sizeof(struct otel_span) : sizeof(otel_log_data));
}

void otel_record_put(otel *o, int sig, void *const *records, size_t n) {
    size_t k = 0;
    pthread_mutex_lock(&o->pool_lock);
    otel_pool *p = &o->pool[sig];
    while (k < n && p->len < p->cap) p->item[p->len++] = records[k++];
    pthread_mutex_unlock(&o->pool_lock);
    while (k < n) free(records[k++]);
}

/* ---- The queues ----------------------------------------------------------------------------------------------- */

int otel_enqueue(otel *o, int sig, void *record) {
    pthread_mutex_lock(&o->lock);
    otel_queue *q = &o->queue[sig];
    bool ok = !o->stopping && q->len < q->cap;
    if (ok) {
        q->item[(q->head + q->len) % q->cap] = record;
        q->len++;
        /* the first record starts the schedule delay's clock, and a full batch goes at once */
        if (q->len == 1 || q->len == o->cfg.max_batch[sig]) pthread_cond_signal(&o->wake);
    }
    pthread_mutex_unlock(&o->lock);
    if (!ok) atomic_fetch_add_explicit(&o->dropped[sig], 1, memory_order_relaxed);
    return ok ? 0 : -1;
}

/* Takes up to max records off q (the lock held). */
static size_t take(otel_queue *q, void **out, size_t max) {
    size_t n = 0;
    while (n < max && q->len) {
        out[n++] = q->item[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    return n;
}

/* ---- Complaints ----------------------------------------------------------------------------------------------------
 */

__attribute__((format(printf, 3, 4))) static void complain(otel *o, int sig, const char *fmt, ...) {
    int64_t now = mono_ms();
    if (o->complained_ms[sig] && now - o->complained_ms[sig] < 10000) return; /* one line per signal and 10 s */
    o->complained_ms[sig] = now;
    char line[768];
    int k = snprintf(line, sizeof line, "otel: %s: ", signal_label[sig]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
    va_end(ap);
    if (o->log)
        o->log(o->log_ctx, line);
    else
        fprintf(stderr, "prova: %s\n", line);
}

/* ---- One request ------------------------------------------------------------------------------------------------- */

typedef struct answer {
    char text[256]; /* the start of the response body, for a complaint */
    size_t len;
} answer;

static size_t keep(char *ptr, size_t size, size_t nmemb, void *ud) {
    answer *a = ud;
    size_t n = size * nmemb, room = sizeof a->text - 1 - a->len;
    memcpy(a->text + a->len, ptr, n < room ? n : room);
    a->len += n < room ? n : room;
    a->text[a->len] = '\0';
    return n;
}

static int gzip(const prova_buf *in, prova_buf *out) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return PROVA_ENOMEM;
    uLong bound = deflateBound(&z, (uLong)in->len);
    int rc = prova_buf_reserve(out, bound);
    if (rc == 0) {
        z.next_in = (Bytef *)in->data;
        z.avail_in = (uInt)in->len;
        z.next_out = out->data + out->len;
        z.avail_out = (uInt)bound;
        rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : PROVA_ENOMEM;
        if (rc == 0) out->len += z.total_out;
    }
    deflateEnd(&z);
    return rc;
}

static bool retryable(long status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

static bool transient(CURLcode e) {
    return e == CURLE_COULDNT_CONNECT || e == CURLE_OPERATION_TIMEDOUT || e == CURLE_SEND_ERROR ||
           e == CURLE_RECV_ERROR || e == CURLE_GOT_NOTHING || e == CURLE_COULDNT_RESOLVE_HOST ||
           e == CURLE_PARTIAL_FILE;
}

/* Waits ms on the exporter's condition (so that close wakes it), the lock not held. */
static void pause_ms(otel *o, int64_t ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
    pthread_mutex_lock(&o->lock);
    while (!o->stopping && pthread_cond_timedwait(&o->wake, &o->lock, &ts) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&o->lock);
}

/* POSTs body to the signal's endpoint until it is accepted, refused for good, or deadline (mono_ms) passes.
 * 0 when accepted. */
static int post(otel *o, int sig, const prova_buf *body, int64_t deadline) {
    const otel_exporter_config *e = &o->cfg.exporter[sig];
    CURL *c = o->curl[sig];
    if (!c) c = o->curl[sig] = curl_easy_init();
    if (!c) return -1;
    struct curl_slist *hl = NULL, *next;
    char h[700];
    snprintf(h, sizeof h, "Content-Type: %s", e->protocol == OTEL_JSON ? "application/json" : "application/x-protobuf");
    bool ok = (hl = curl_slist_append(hl, h)) != NULL;
    if (ok && e->gzip) ok = (next = curl_slist_append(hl, "Content-Encoding: gzip")) != NULL && (hl = next);
    if (ok) ok = (next = curl_slist_append(hl, "Expect:")) != NULL && (hl = next);
    for (unsigned i = 0; ok && i < e->nheaders; i++) {
        snprintf(h, sizeof h, "%s: %s", e->header_name[i], e->header_value[i]);
        ok = (next = curl_slist_append(hl, h)) != NULL && (hl = next);
    }
    if (!ok) {
        curl_slist_free_all(hl);
        return -1;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, e->url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "prova/" PROVA_VERSION_STRING " (OTLP exporter)");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    if (e->ca_file[0]) curl_easy_setopt(c, CURLOPT_CAINFO, e->ca_file);
    if (e->client_cert[0]) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, e->client_cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, e->client_key);
    }
    answer ans;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
    int64_t backoff = 100;
    int rc = -1;
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            complain(o, sig, "export to %s gave up: the export timeout passed", e->url);
            break;
        }
        ans.len = 0;
        ans.text[0] = '\0';
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left < (int64_t)e->timeout_ms ? left : e->timeout_ms));
        CURLcode cr = curl_easy_perform(c);
        long status = 0;
        curl_off_t retry_after = 0;
        if (cr == CURLE_OK) {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after);
            if (status >= 200 && status < 300) {
                rc = 0;
                break;
            }
            if (!retryable(status)) {
                complain(o, sig, "%s refused the export: HTTP %ld %s", e->url, status, ans.text);
                break;
            }
        } else if (!transient(cr)) {
            complain(o, sig, "export to %s failed: %s", e->url, curl_easy_strerror(cr));
            break;
        }
        /* retry: after Retry-After when the server gave one, else 100 ms doubling to 5 s, with jitter */
        int64_t wait = retry_after > 0 ? (int64_t)retry_after * 1000
                                       : backoff / 2 + (int64_t)randombytes_uniform((uint32_t)backoff / 2 + 1);
        backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
        if (mono_ms() + wait >= deadline) {
            if (cr == CURLE_OK)
                complain(o, sig, "%s answered HTTP %ld; no time left to retry within the export timeout", e->url,
                         status);
            else
                complain(o, sig, "export to %s failed: %s; no time left to retry", e->url, curl_easy_strerror(cr));
            break;
        }
        atomic_fetch_add_explicit(&o->retries[sig], 1, memory_order_relaxed);
        pause_ms(o, wait);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    return rc;
}

/* Encodes records (spans or log records) or a metrics snapshot, compresses, posts; counts the outcome. */
static void export_request(otel *o, int sig, void *const *records, size_t n, const otel_metrics *ms, int64_t deadline) {
    const otel_exporter_config *e = &o->cfg.exporter[sig];
    prova_buf body = PROVA_BUF_INIT, zipped = PROVA_BUF_INIT;
    int rc;
    if (sig == OTEL_TRACES) {
        const otel_span_data **spans = malloc(n * sizeof *spans);
        rc = spans ? 0 : PROVA_ENOMEM;
        for (size_t i = 0; spans && i < n; i++) spans[i] = otel_span_data_of(records[i]);
        if (rc == 0) rc = otel_encode_traces(e->protocol, &o->res, spans, n, &body);
        free(spans);
    } else if (sig == OTEL_LOGS) {
        rc = otel_encode_logs(e->protocol, &o->res, (const otel_log_data *const *)records, n, &body);
    } else {
        rc = otel_encode_metrics(e->protocol, &o->res, ms, &body);
    }
    if (rc == 0 && e->gzip) rc = gzip(&body, &zipped);
    size_t count = ms ? ms->n : n;
    if (rc != 0) {
        complain(o, sig, "could not encode %zu records (%s)", count,
                 rc == PROVA_ENOMEM ? "out of memory" : "not UTF-8");
        atomic_fetch_add_explicit(&o->failed[sig], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&o->dropped[sig], count, memory_order_relaxed);
    } else if (post(o, sig, e->gzip ? &zipped : &body, deadline) == 0) {
        atomic_fetch_add_explicit(&o->exported[sig], count, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&o->failed[sig], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&o->dropped[sig], count, memory_order_relaxed);
    }
    prova_buf_free(&body);
    prova_buf_free(&zipped);
}

static void export_metrics(otel *o, int64_t deadline) {
    otel_metrics ms;
    otel_metrics_init(&ms, o->start_ns, otel_now_ns());
    pthread_mutex_lock(&o->collect_lock); /* otel_set_metrics_source waits for a collection in progress */
    if (o->collect) {
        o->collect(o->collect_ctx, &ms); /* which adds the exporter's counters too (otel_metrics_add_stats) */
    } else if (o->has_last) {            /* the source's last snapshot, taken when it went away */
        otel_metrics_free(&ms);
        ms = o->last;
        o->has_last = false;
    } else {
        otel_metrics_add_stats(o, &ms);
    }
    pthread_mutex_unlock(&o->collect_lock);
    if (ms.status == 0)
        export_request(o, OTEL_METRICS, NULL, 0, &ms, deadline);
    else
        complain(o, OTEL_METRICS, "could not take a snapshot of the metrics (out of memory)");
    otel_metrics_free(&ms);
}

/* ---- The thread ---------------------------------------------------------------------------------------------------
 */

/* How long a final flush at close may take in all, whatever the export timeouts: a stopping gateway does not wait
 * half a minute for a collector that is down. */
#define OTEL_CLOSE_BUDGET_MS 5000

static void *run(void *arg) {
    otel *o = arg;
    pthread_setname_np(pthread_self(), "prova-otel"); /* top -H, perf: the exporter's CPU apart from the rest */
    int64_t last[OTEL_SIGNALS], now = mono_ms(), close_deadline = 0;
    bool final_metrics_sent = false;
    for (int s = 0; s < OTEL_SIGNALS; s++) last[s] = now;
    size_t maxb = 1;
    for (int s = 0; s < OTEL_SIGNALS; s++)
        if (o->cfg.max_batch[s] > maxb) maxb = o->cfg.max_batch[s];
    void **batch = malloc(maxb * sizeof *batch);
    pthread_mutex_lock(&o->lock);
    for (;;) {
        now = mono_ms();
        bool stopping = o->stopping;
        if (stopping && !close_deadline) close_deadline = now + OTEL_CLOSE_BUDGET_MS;
        int due = -1;
        int64_t next = now + 60000;
        for (int s = 0; s < OTEL_SIGNALS && due < 0; s++) {
            if (!o->export[s] || (s == OTEL_METRICS && final_metrics_sent)) continue;
            int64_t at;
            if (s == OTEL_METRICS)
                at = stopping ? now : last[s] + o->cfg.schedule_delay_ms[s];
            else if (!o->queue[s].len)
                continue; /* the first record wakes the thread (otel_enqueue) */
            else if (stopping || o->queue[s].len >= o->cfg.max_batch[s])
                at = now;
            else
                at = last[s] + o->cfg.schedule_delay_ms[s];
            if (at <= now)
                due = s;
            else if (at < next)
                next = at;
        }
        if (due < 0) {
            if (stopping) break;
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t wait = next - now;
            ts.tv_sec += wait / 1000;
            ts.tv_nsec += (wait % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
            pthread_cond_timedwait(&o->wake, &o->lock, &ts);
            continue;
        }
        size_t n = due == OTEL_METRICS || !batch ? 0 : take(&o->queue[due], batch, o->cfg.max_batch[due]);
        last[due] = now;
        pthread_mutex_unlock(&o->lock);
        int64_t deadline = now + o->cfg.export_timeout_ms[due];
        if (stopping && close_deadline < deadline) deadline = close_deadline;
        if (due == OTEL_METRICS) {
            export_metrics(o, deadline);
        } else if (n) {
            export_request(o, due, batch, n, NULL, deadline);
            otel_record_put(o, due, batch, n);
        }
        pthread_mutex_lock(&o->lock);
        if (stopping && due == OTEL_METRICS) final_metrics_sent = true; /* one last snapshot at close */
    }
    pthread_mutex_unlock(&o->lock);
    free(batch);
    return NULL;
}

/* ---- Open and close -----------------------------------------------------------------------------------------------
 */

int otel_open(const otel_config *c, otel **ret, char *err, size_t errlen) {
    *ret = NULL;
    if (errlen) err[0] = '\0';
    if (!otel_config_active(c)) return 0;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not start");
        return -1;
    }
    otel *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    o->cfg = *c;
    o->start_ns = otel_now_ns();
    randombytes_buf(o->id_key, sizeof o->id_key);
    if (otel_resource_build(&o->res, c, err, errlen) != 0) {
        free(o);
        return -1;
    }
    for (int s = 0; s < OTEL_SIGNALS; s++) {
        o->export[s] = c->exporter[s].url[0] != '\0';
        if (s == OTEL_METRICS || !o->export[s]) continue;
        o->queue[s].cap = c->max_queue[s];
        o->queue[s].item = calloc(c->max_queue[s], sizeof(void *));
        o->pool[s].cap = c->max_queue[s] + 64; /* a full queue, and the records being made meanwhile */
        o->pool[s].item = calloc(o->pool[s].cap, sizeof(void *));
        if (!o->queue[s].item || !o->pool[s].item) {
            for (int k = 0; k <= s; k++) free(o->queue[k].item), free(o->pool[k].item);
            free(o);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&o->lock, NULL);
    pthread_mutex_init(&o->collect_lock, NULL);
    pthread_mutex_init(&o->pool_lock, NULL);
    pthread_cond_init(&o->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&o->thread, NULL, run, o) != 0) {
        snprintf(err, errlen, "could not start the exporter's thread");
        pthread_cond_destroy(&o->wake);
        pthread_mutex_destroy(&o->lock);
        pthread_mutex_destroy(&o->collect_lock);
        pthread_mutex_destroy(&o->pool_lock);
        for (int s = 0; s < OTEL_SIGNALS; s++) free(o->queue[s].item), free(o->pool[s].item);
        free(o);
        return -1;
    }
    *ret = o;
    return 0;
}

void otel_close(otel *o) {
    if (!o) return;
    pthread_mutex_lock(&o->lock);
    o->stopping = true;
    pthread_cond_broadcast(&o->wake);
    pthread_mutex_unlock(&o->lock);
    pthread_join(o->thread, NULL);
    for (int s = 0; s < OTEL_SIGNALS; s++) {
        void *rec;
        while (o->queue[s].len && take(&o->queue[s], &rec, 1)) free(rec); /* past the close budget */
        free(o->queue[s].item);
        for (unsigned i = 0; i < o->pool[s].len; i++) free(o->pool[s].item[i]);
        free(o->pool[s].item);
        if (o->curl[s]) curl_easy_cleanup(o->curl[s]);
    }
    pthread_cond_destroy(&o->wake);
    pthread_mutex_destroy(&o->lock);
    if (o->has_last) otel_metrics_free(&o->last);
    pthread_mutex_destroy(&o->collect_lock);
    pthread_mutex_destroy(&o->pool_lock);
    free(o);
}

void otel_set_log(otel *o, void (*log)(void *ctx, const char *line), void *ctx) {
    if (!o) return;
    pthread_mutex_lock(&o->lock);
    o->log = log;
    o->log_ctx = ctx;
    pthread_mutex_unlock(&o->lock);
}

void otel_set_metrics_source(otel *o, void (*collect)(void *ctx, otel_metrics *ms), void *ctx) {
    if (!o) return;
    pthread_mutex_lock(&o->collect_lock);
    if (o->collect && !collect) { /* a last snapshot from the source that goes, for the next (or the final) export */
        if (o->has_last) otel_metrics_free(&o->last);
        otel_metrics_init(&o->last, o->start_ns, otel_now_ns());
        o->collect(o->collect_ctx, &o->last);
        o->has_last = o->last.status == 0;
        if (!o->has_last) otel_metrics_free(&o->last);
    }
    o->collect = collect;
    o->collect_ctx = ctx;
    pthread_mutex_unlock(&o->collect_lock);
}

void otel_stats_get(otel *o, otel_stats *ret) {
    memset(ret, 0, sizeof *ret);
    if (!o) return;
    for (int s = 0; s < OTEL_SIGNALS; s++) {
        ret->exported[s] = atomic_load(&o->exported[s]);
        ret->dropped[s] = atomic_load(&o->dropped[s]);
        ret->failed[s] = atomic_load(&o->failed[s]);
        ret->retries[s] = atomic_load(&o->retries[s]);
    }
    pthread_mutex_lock(&o->lock);
    for (int s = 0; s < OTEL_SIGNALS; s++) ret->queued[s] = o->queue[s].len;
    pthread_mutex_unlock(&o->lock);
}

void otel_metrics_add_stats(otel *o, otel_metrics *ms) {
    if (!o) return;
    otel_stats st;
    otel_stats_get(o, &st);
    static const struct {
        const char *name, *help, *unit;
        int type;
    } fam[] = {
        {"prova_otel_exported_total", "Spans, log records and metric points the OTLP endpoint accepted, by signal.",
         "1", OTEL_METRIC_COUNTER},
        {"prova_otel_dropped_total",
         "Records not exported, by signal: the queue was full, or the endpoint refused or could not be reached "
         "within the export timeout.",
         "1", OTEL_METRIC_COUNTER},
        {"prova_otel_export_failures_total", "Export requests that failed for good, by signal.", "{request}",
         OTEL_METRIC_COUNTER},
        {"prova_otel_retries_total", "Export requests retried (429, 502, 503, 504, transport errors), by signal.",
         "{request}", OTEL_METRIC_COUNTER},
        {"prova_otel_queue_length", "Records waiting for the exporter, by signal.", "1", OTEL_METRIC_GAUGE},
    };
    for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++) {
        otel_metric *m = otel_metrics_add(ms, fam[f].name, fam[f].type, fam[f].help, fam[f].unit);
        for (int s = 0; m && s < OTEL_SIGNALS; s++) {
            if (!o->export[s] && s != OTEL_METRICS) continue;
            if (f == 4 && s == OTEL_METRICS) continue;
            otel_point *p = otel_metric_point(ms, m);
            if (!p) break;
            otel_point_label(p, "signal", signal_label[s]);
            uint64_t v = f == 0   ? st.exported[s]
                         : f == 1 ? st.dropped[s]
                         : f == 2 ? st.failed[s]
                         : f == 3 ? st.retries[s]
                                  : st.queued[s];
            p->i = (int64_t)v;
        }
    }
}
