/* OpenTelemetry for prova: spans, log records and metrics, exported over OTLP/HTTP (http/protobuf or http/json) by
 * a background thread, configured by the standard OTEL_* environment variables (and flags that name them).
 * docs/observability.md.
 *
 * There is no official C SDK, so this is the small part of one that prova needs: W3C trace context, the samplers of
 * OTEL_TRACES_SAMPLER, a batch processor per signal with a bounded queue (full: the record is dropped and counted,
 * a request never waits), an exporter with gzip and retries (429, 502, 503, 504, honouring Retry-After, within the
 * export timeout), and a periodic reader that asks its metrics source for a snapshot.
 *
 * Everything here takes a NULL otel or a NULL span as "telemetry off" and does nothing, so an instrumented call site
 * needs no test: `otel_span *s = otel_span_start(o, parent, "name", OTEL_KIND_INTERNAL); ... otel_span_end(s);`.
 * No global state: the otel object is owned by the front end that opened it and passed down explicitly. Every
 * function may be called from any thread. */
#ifndef PROVA_OTEL_H
#define PROVA_OTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otel_data.h"

/* ---- Configuration ------------------------------------------------------------------------------------------- */

enum { OTEL_TRACES = 0, OTEL_METRICS = 1, OTEL_LOGS = 2, OTEL_SIGNALS = 3 };
enum {
    OTEL_SAMPLER_ALWAYS_ON,
    OTEL_SAMPLER_ALWAYS_OFF,
    OTEL_SAMPLER_RATIO,        /* traceidratio */
    OTEL_SAMPLER_PARENT_ON,    /* parentbased_always_on (the default) */
    OTEL_SAMPLER_PARENT_OFF,   /* parentbased_always_off */
    OTEL_SAMPLER_PARENT_RATIO, /* parentbased_traceidratio */
};
enum { OTEL_MAX_HEADERS = 16 };

/* One signal's exporter. */
typedef struct otel_exporter_config {
    char url[1024]; /* where its requests go; "" when the signal is not exported */
    int protocol;   /* OTEL_PROTOBUF or OTEL_JSON */
    bool gzip;
    unsigned timeout_ms; /* of one export, retries included */
    char header_name[OTEL_MAX_HEADERS][128];
    char header_value[OTEL_MAX_HEADERS][512];
    unsigned nheaders;
    /* _CERTIFICATE: the CA bundle that verifies an https endpoint (else the system's); _CLIENT_CERTIFICATE and
     * _CLIENT_KEY: mutual TLS. PEM files; "" when not set. */
    char ca_file[512], client_cert[512], client_key[512];
} otel_exporter_config;

typedef struct otel_config {
    bool disabled; /* OTEL_SDK_DISABLED=true: nothing is created */
    otel_exporter_config exporter[OTEL_SIGNALS];
    char service_name[256];
    char resource_attributes[4096]; /* OTEL_RESOURCE_ATTRIBUTES as given (key=value,... percent-encoded) */
    int sampler;                    /* OTEL_SAMPLER_* */
    double sampler_ratio;           /* 0..1 */
    /* The batch processors (OTEL_BSP_* for spans, OTEL_BLRP_* for logs). */
    unsigned schedule_delay_ms[OTEL_SIGNALS], max_queue[OTEL_SIGNALS], max_batch[OTEL_SIGNALS],
        export_timeout_ms[OTEL_SIGNALS];
    unsigned metric_interval_ms; /* OTEL_METRIC_EXPORT_INTERVAL */
} otel_config;

/* Reads the configuration through lookup(ctx, "OTEL_...") (getenv's shape: the value or NULL), with the defaults of
 * the OpenTelemetry specification where a variable is unset or empty. OTEL_EXPORTER_OTLP_ENDPOINT is a base URL
 * ("/v1/traces" etc. appended), OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT the signal's URL as is; the _PROTOCOL,
 * _HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE, _CLIENT_CERTIFICATE and _CLIENT_KEY variables likewise, the
 * per-signal one winning (a TLS file must be readable). OTEL_TRACES_EXPORTER,
 * OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER take "otlp" or "none". A signal is exported when an endpoint
 * applies to it and its exporter is not "none". default_service: service.name when OTEL_SERVICE_NAME is unset.
 * 0, or -1 with a sentence naming the variable and what is wrong in err. */
int otel_config_load(otel_config *c, const char *(*lookup)(void *ctx, const char *name), void *ctx,
                     const char *default_service, char *err, size_t errlen);
/* The same from the process environment. */
int otel_config_from_env(otel_config *c, const char *default_service, char *err, size_t errlen);
/* Calls each(ctx, key, value) for the entries of an OTEL_RESOURCE_ATTRIBUTES list (trimmed, percent-decoded; each may
 * be NULL to only check the list). 0, or -1 with the reason in err (or each's nonzero result, as -1). */
int otel_resource_attributes_each(const char *list, int (*each)(void *ctx, const char *key, const char *value),
                                  void *ctx, char *err, size_t errlen);
/* True when at least one signal is exported. */
bool otel_config_active(const otel_config *c);

/* ---- The exporter ------------------------------------------------------------------------------------------------ */

typedef struct otel otel;

/* Starts the exporter's thread. *ret is NULL (telemetry off, no thread) when the configuration exports nothing.
 * 0, or -1 with the reason in err. */
int otel_open(const otel_config *c, otel **ret, char *err, size_t errlen);
/* Exports what is queued (one last metrics snapshot included) within the export timeout, stops the thread, frees.
 * NULL is a no-op. */
void otel_close(otel *o);

/* Where the exporter's own complaints go (an endpoint that refuses, a queue that overflows), at most one line per
 * signal and 10 s; NULL: stderr, prefixed "prova: otel: ". Call before any record is made. */
void otel_set_log(otel *o, void (*log)(void *ctx, const char *line), void *ctx);
/* The metrics source: called on the exporter's thread every OTEL_METRIC_EXPORT_INTERVAL and at close, it adds its
 * metrics to ms (a snapshot initialized by the caller), the exporter's own counters included (otel_metrics_add_stats);
 * without a source only those are sent. Setting it (NULL: none) waits for a collection in progress, so that the
 * source's owner may free its context once this returns; unsetting it takes one last snapshot from the old source,
 * sent with the next export (at the latest at close), so that a stopping gateway's final counts are not lost. */
void otel_set_metrics_source(otel *o, void (*collect)(void *ctx, otel_metrics *ms), void *ctx);

/* The exporter's counters, per signal: records exported, dropped (queue full, or an export that failed for good),
 * export requests that failed, retries. */
typedef struct otel_stats {
    uint64_t exported[OTEL_SIGNALS], dropped[OTEL_SIGNALS], failed[OTEL_SIGNALS], retries[OTEL_SIGNALS];
    unsigned queued[OTEL_SIGNALS];
} otel_stats;
void otel_stats_get(otel *o, otel_stats *ret);
/* Adds the exporter's counters to a snapshot: prova_otel_exported_total, prova_otel_dropped_total,
 * prova_otel_export_failures_total, prova_otel_queue_length (by signal). */
void otel_metrics_add_stats(otel *o, otel_metrics *ms);

uint64_t otel_now_ns(void); /* Unix epoch nanoseconds */

/* ---- Trace context (W3C Trace Context level 1) ------------------------------------------------------------------ */

#define OTEL_TRACEPARENT_LEN 55 /* "00-" 32 hex "-" 16 hex "-" 2 hex */
#define OTEL_TRACESTATE_MAX  512

typedef struct otel_ctx {
    bool valid;
    uint8_t trace_id[16], span_id[8];
    uint8_t flags; /* bit 0: sampled */
    char tracestate[OTEL_TRACESTATE_MAX + 1];
} otel_ctx;

/* Parses a traceparent header (and tracestate, may be NULL) into c. A header that does not follow the
 * specification (version ff, all-zero ids, wrong length or case, a future version's prefix done wrong) leaves c
 * invalid, as the specification says: the request then starts a new trace. 0 when valid, else -1. */
int otel_ctx_parse(otel_ctx *c, const char *traceparent, const char *tracestate);
/* The traceparent of c, NUL-terminated (OTEL_TRACEPARENT_LEN + 1 bytes); "" when c is not valid. */
void otel_ctx_traceparent(const otel_ctx *c, char out[OTEL_TRACEPARENT_LEN + 1]);
/* Lowercase hex of the trace id (33 bytes with the NUL) and span id (17 bytes). */
void otel_hex(const uint8_t *id, size_t n, char *out);

/* ---- Spans ----------------------------------------------------------------------------------------------------------
 */

typedef struct otel_span otel_span;

/* Starts a span, child of parent (a remote context from traceparent, or a span's context; NULL or invalid: a new
 * trace). The sampler decides whether it records: a span that does not record still has a context to propagate
 * (its traceparent has the sampled flag clear), takes attributes as no-ops and is freed at end. NULL when o is NULL
 * (or on allocation failure). name is copied. */
otel_span *otel_span_start(otel *o, const otel_ctx *parent, const char *name, int kind);
/* The same as a child of span (which may be NULL: a root span). */
otel_span *otel_span_child(otel *o, const otel_span *parent, const char *name, int kind);
/* Whether attributes are worth computing. */
bool otel_span_recording(const otel_span *s);
void otel_span_context(const otel_span *s, otel_ctx *ret); /* ret->valid false when s is NULL */
void otel_span_rename(otel_span *s, const char *name);

/* Attributes. Their keys, and events' names and attribute keys, are string literals (or otherwise live as long as the
 * exporter): they are kept by pointer, not copied, since every span would otherwise copy the same few names; a key
 * set again with the same pointer replaces its value. Values are copied. */
void otel_span_str(otel_span *s, const char *key, const char *value);
void otel_span_strn(otel_span *s, const char *key, const char *value, size_t n);
void otel_span_int(otel_span *s, const char *key, int64_t value);
void otel_span_double(otel_span *s, const char *key, double value);
void otel_span_bool(otel_span *s, const char *key, bool value);
void otel_span_attrs(otel_span *s, const otel_attr *attrs, size_t n);
/* An event now, with attributes (copied). */
void otel_span_event(otel_span *s, const char *name, const otel_attr *attrs, size_t n);
void otel_span_link(otel_span *s, const otel_ctx *linked);
/* Status ERROR with a description (copied); OK with NULL. */
void otel_span_error(otel_span *s, const char *description);
void otel_span_ok(otel_span *s);
/* Ends the span: a recording one is queued for export (or dropped and counted when the queue is full); the span is
 * freed either way. NULL is a no-op. */
void otel_span_end(otel_span *s);

/* ---- Log records ------------------------------------------------------------------------------------------------- */

/* Queues a log record (body and attribute values copied; event_name and the attributes' keys are literals, as for
 * spans), in the context of span ctx when valid. */
void otel_log(otel *o, const otel_ctx *ctx, int severity, const char *event_name, const char *body,
              const otel_attr *attrs, size_t n);

#endif /* PROVA_OTEL_H */
