/* The listing of traces on a large store (docs/browse.md): RECEIPTS receipts in TRACES traces appended through the
 * store API (prova_store_ope_append_meta, batches of 1,000 per transaction, as the gateway's writer does), then the
 * time of the first page and of a page deep in the listing (90% of the way to the oldest trace), each the median of
 * 50 reads (wall and CPU of this process; PostgreSQL's work is in its server process, so its CPU is not counted
 * here, wall is what to read there). Also a page through a kid filter (a sender on 1 trace in 100) and the cost per
 * append (the receipt row + the trace's summary upsert).
 *   bench_browse LOCATION [RECEIPTS [TRACES]]      (defaults 1000000, 100000; LOCATION must not exist yet) */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prova/prova.h"

static int64_t clock_us(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int rc_ = (x);                                                                                                 \
        if (rc_ < 0) {                                                                                                 \
            fprintf(stderr, "%s: %s: %s\n", #x, prova_status_name(rc_), prova_store_errmsg(s));                        \
            return 1;                                                                                                  \
        }                                                                                                              \
    } while (0)

#define BASE_US 1796601600000000LL /* 2026-12-07 */
#define RUNS    50

/* Reads one page of limit traces before (before_us, before_id) RUNS times: the median wall and CPU µs. */
static int page_time(prova_store *s, const char *what, int64_t before_us, const char *before_id, const char *kid,
                     size_t limit) {
    int64_t wall[RUNS], cpu[RUNS];
    size_t n = 0;
    for (int r = 0; r < RUNS; r++) {
        prova_buf b = PROVA_BUF_INIT;
        int64_t w0 = clock_us(CLOCK_MONOTONIC), c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID);
        TRY(prova_store_ope_trace_list(s, before_us, before_id, INT64_MIN, INT64_MAX, kid, NULL, limit, &b, &n));
        wall[r] = clock_us(CLOCK_MONOTONIC) - w0;
        cpu[r] = clock_us(CLOCK_PROCESS_CPUTIME_ID) - c0;
        prova_buf_free(&b);
    }
    qsort(wall, RUNS, sizeof wall[0], cmp64);
    qsort(cpu, RUNS, sizeof cpu[0], cmp64);
    printf("%-34s %4zu items  wall %7lld µs  cpu %7lld µs  (median of %d)\n", what, n, (long long)wall[RUNS / 2],
           (long long)cpu[RUNS / 2], RUNS);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_browse LOCATION [RECEIPTS [TRACES]]\n");
        return 2;
    }
    long receipts = argc > 2 ? atol(argv[2]) : 1000000, traces = argc > 3 ? atol(argv[3]) : 100000;
    if (receipts <= 0 || traces <= 0 || traces > receipts) return 2;
    prova_store *s = NULL;
    prova_error e;
    if (prova_store_open(argv[1], 0, &s, &e) < 0) {
        fprintf(stderr, "open: %s\n", e.message);
        return 1;
    }
    /* Receipt r goes to trace r % traces at hop r / traces, at BASE + r ms: the traces' last receipts are in trace
     * order, so trace t's position in the listing is known. A receipt of about 400 bytes, like the gateway's. */
    char body[512], id[32], hash[65];
    int64_t w0 = clock_us(CLOCK_MONOTONIC), c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID);
    for (long r = 0; r < receipts;) {
        TRY(prova_store_begin(s));
        for (long k = 0; k < 1000 && r < receipts; k++, r++) {
            long t = r % traces, hop = r / traces;
            snprintf(id, sizeof id, "bench-%07ld", t);
            snprintf(hash, sizeof hash, "%064ld", r);
            int len = snprintf(body, sizeof body,
                               "{\"gateway_kid\":\"ed25519-0123456789abcdef\",\"hop\":%ld,\"receipt_hash\":\"%s\","
                               "\"request_cid\":\"sha256:%s\",\"trace_id\":\"%s\",\"ts\":\"2026-12-07T00:00:00Z\","
                               "\"receipt_signature\":\"%0150d\"}",
                               hop, hash, hash, id, 0);
            const char *sender = t % 100 == 0 ? "sender-rare" : "sender-common";
            TRY(prova_store_ope_append_meta(s, id, hop, hash, body, (size_t)len, r, BASE_US + r * 1000,
                                            "ed25519-0123456789abcdef", sender, "bench.v1"));
        }
        TRY(prova_store_commit(s));
    }
    int64_t wall = clock_us(CLOCK_MONOTONIC) - w0, cpu = clock_us(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("%s: %ld receipts in %ld traces appended in %.1f s (%.1f µs wall, %.1f µs cpu per receipt)\n",
           prova_store_backend(s), receipts, traces, (double)wall / 1e6, (double)wall / (double)receipts,
           (double)cpu / (double)receipts);
    prova_store_close(s);
    /* the reads on a reader connection, as the gateway's */
    if (prova_store_open(argv[1], PROVA_STORE_READONLY, &s, &e) < 0) {
        fprintf(stderr, "open: %s\n", e.message);
        return 1;
    }
    /* the last receipt of trace t is receipt (receipts - traces + t) when every trace has the same hops */
    long deep_t = traces / 10; /* 90% of the way down the listing (newest first) */
    long deep_r = receipts - traces + deep_t;
    snprintf(id, sizeof id, "bench-%07ld", deep_t);
    if (page_time(s, "first page (limit 50)", INT64_MAX, NULL, NULL, 50) ||
        page_time(s, "deep page, 90% down (limit 50)", BASE_US + deep_r * 1000, id, NULL, 50) ||
        page_time(s, "first page (limit 500)", INT64_MAX, NULL, NULL, 500) ||
        page_time(s, "deep page, 90% down (limit 500)", BASE_US + deep_r * 1000, id, NULL, 500) ||
        page_time(s, "kid on 1% of traces (limit 50)", INT64_MAX, NULL, "sender-rare", 50))
        return 1;
    prova_store_close(s);
    return 0;
}
