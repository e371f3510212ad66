/* Inside the telemetry layer: the otel object, shared by the runtime (otel.c) and the exporter (export.c). */
#ifndef PROVA_OTEL_INTERNAL_H
#define PROVA_OTEL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <sodium.h>

#include "otel.h"

/* A bounded FIFO of records (otel_span or otel_log_data) waiting for the exporter. */
typedef struct otel_queue {
    void **item;
    unsigned cap, head, len;
} otel_queue;

struct otel_span {
    otel *o;
    bool recording;
    otel_span_data d;
};

/* Spans and log records are recycled: a request takes one from its pool and the exporter gives a batch back, so
 * that a traced request costs no malloc (4 KB blocks malloc'd on one thread and freed on another were the largest
 * part of tracing's cost). */
typedef struct otel_pool {
    void **item;
    unsigned len, cap;
} otel_pool;

struct otel {
    otel_config cfg;
    otel_resource res;
    bool export[OTEL_SIGNALS]; /* the signal has an exporter */
    pthread_mutex_t lock;      /* the queues, stopping */
    pthread_cond_t wake;       /* the exporter thread waits on it (CLOCK_MONOTONIC) */
    pthread_t thread;
    bool stopping;
    otel_queue queue[OTEL_SIGNALS];
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    pthread_mutex_t collect_lock; /* the metrics source, held while it collects */
    void (*collect)(void *ctx, otel_metrics *ms);
    void *collect_ctx;
    otel_metrics last; /* the source's last snapshot, taken when it was unset (has_last), under collect_lock */
    bool has_last;
    uint64_t start_ns;
    pthread_mutex_t pool_lock;
    otel_pool pool[OTEL_SIGNALS];                        /* OTEL_TRACES: struct otel_span, OTEL_LOGS: otel_log_data */
    uint8_t id_key[crypto_shorthash_siphash24_KEYBYTES]; /* trace and span ids (otel.c random_id) */
    atomic_ullong id_counter;
    atomic_ullong exported[OTEL_SIGNALS], dropped[OTEL_SIGNALS], failed[OTEL_SIGNALS], retries[OTEL_SIGNALS];
    /* the exporter thread's own */
    void *curl[OTEL_SIGNALS];
    int64_t complained_ms[OTEL_SIGNALS];
};

/* Queues a finished record of signal sig for export: 0, or -1 when the queue is full or the exporter is stopping (the
 * record was counted as dropped; the caller frees it). */
int otel_enqueue(otel *o, int sig, void *record);
/* A record for signal sig (OTEL_TRACES: a span, OTEL_LOGS: a log record) from the pool, else malloc'd; NULL when out
 * of memory. otel_record_put gives n back (freed beyond the pool's capacity). */
void *otel_record_get(otel *o, int sig);
void otel_record_put(otel *o, int sig, void *const *records, size_t n);
/* The data of a queued span. */
const otel_span_data *otel_span_data_of(const otel_span *s);
/* service.name, OTEL_RESOURCE_ATTRIBUTES and the process's own attributes. 0 or -1 (err). */
int otel_resource_build(otel_resource *r, const otel_config *c, char *err, size_t errlen);

#endif
