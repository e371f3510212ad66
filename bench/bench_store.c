/* The store's write path as the gateway's writer drives it, without the gateway: batches of requests in one
 * transaction (group commit), each request in its own savepoint doing what an OPE append does (replay claim, the
 * trace's last receipt, the receipt of about 1 KB with its log index, the log entry). Prints durable requests/s and
 * the time per store call, for a SQLite file or a PostgreSQL URI.
 *   bench_store LOCATION [REQUESTS [BATCH]]      (defaults 5000, 32) */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prova/prova.h"

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int rc_ = (x);                                                                                                 \
        if (rc_ < 0) {                                                                                                 \
            fprintf(stderr, "%s: %s: %s\n", #x, prova_status_name(rc_), prova_store_errmsg(s));                        \
            return 1;                                                                                                  \
        }                                                                                                              \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_store LOCATION [REQUESTS [BATCH]]\n");
        return 2;
    }
    long total = argc > 2 ? atol(argv[2]) : 5000, batch = argc > 3 ? atol(argv[3]) : 32;
    if (total <= 0 || batch <= 0) return 2;
    prova_store *s = NULL;
    prova_error e;
    if (prova_store_open(argv[1], 0, &s, &e) < 0) {
        fprintf(stderr, "open: %s\n", e.message);
        return 1;
    }
    char receipt[1024], entry[300], key[80], trace[64];
    memset(receipt, 'r', sizeof receipt);
    receipt[0] = '{';
    receipt[sizeof receipt - 1] = '}';
    memset(entry, 'e', sizeof entry);
    prova_buf last = PROVA_BUF_INIT;
    int64_t run = now_us(), t0 = now_us(), calls = 0;
    for (long done = 0; done < total;) {
        TRY(prova_store_begin(s));
        TRY(prova_store_replay_purge(s, now_us(), 2 * batch + 16, NULL));
        for (long i = 0; i < batch && done < total; i++, done++) {
            snprintf(key, sizeof key, "bench-%lld-%ld", (long long)run, done);
            snprintf(trace, sizeof trace, "bench-%lld-%ld", (long long)run, done / 4); /* 4 hops a trace */
            int64_t hop = -1, idx = -1;
            last.len = 0;
            TRY(prova_store_savepoint(s));
            TRY(prova_store_replay_claim(s, key, now_us(), now_us() + 300000000));
            int rc = prova_store_ope_last(s, trace, &last, &hop);
            if (rc < 0 && rc != PROVA_ENOTFOUND) TRY(rc);
            TRY(prova_store_log_append(s, entry, sizeof entry, now_us(), &idx));
            /* as the gateway appends: with the receipt's time and kids (schema 5; no parse of the receipt) */
            TRY(prova_store_ope_append_meta(s, trace, hop + 1, "hash", receipt, sizeof receipt, idx, now_us(),
                                            "ed25519-0123456789abcdef", "sender-kid", "bench.v1"));
            TRY(prova_store_release(s));
            calls += 6;
        }
        TRY(prova_store_commit(s));
        calls += 3;
    }
    double secs = (double)(now_us() - t0) / 1e6;
    printf("%s: %ld requests in batches of %ld: %.0f durable requests/s, %.1f us per request, %.1f us per call\n",
           prova_store_backend(s), total, batch, (double)total / secs, secs * 1e6 / (double)total,
           secs * 1e6 / (double)calls);
    prova_buf_free(&last);
    prova_store_close(s);
    return 0;
}
