/* What prova tells an OpenTelemetry backend, as data: finished spans, log records and a snapshot of the metrics,
 * and their OTLP encodings (http/protobuf and http/json, opentelemetry-proto v1). The runtime (otel.c) fills these
 * and hands batches to the encoders (encode_proto.c, encode_json.c); /metrics renders the same metrics snapshot as
 * Prometheus text (metrics.c), so the two expositions cannot drift apart. docs/observability.md. */
#ifndef PROVA_OTEL_DATA_H
#define PROVA_OTEL_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prova/common.h"

/* ---- Attributes ---------------------------------------------------------------------------------------------- */

enum { OTEL_ATTR_STR = 1, OTEL_ATTR_INT, OTEL_ATTR_DOUBLE, OTEL_ATTR_BOOL };

/* One key-value. In a span or log record both strings point into the record's own arena; in arguments they are the
 * caller's and are copied. */
typedef struct otel_attr {
    const char *key;
    union { /* the value, by type */
        const char *s;
        int64_t i;
        double d;
        bool b;
    };
    uint8_t type; /* OTEL_ATTR_* */
} otel_attr;

#define OTEL_STR(k, v)    ((otel_attr){.key = (k), .type = OTEL_ATTR_STR, .s = (v)})
#define OTEL_INT(k, v)    ((otel_attr){.key = (k), .type = OTEL_ATTR_INT, .i = (int64_t)(v)})
#define OTEL_DOUBLE(k, v) ((otel_attr){.key = (k), .type = OTEL_ATTR_DOUBLE, .d = (double)(v)})
#define OTEL_BOOL(k, v)   ((otel_attr){.key = (k), .type = OTEL_ATTR_BOOL, .b = (v)})

/* The Resource of everything one process sends (service.name, service.version, service.instance.id, host.name,
 * process.pid, telemetry.sdk.*, and OTEL_RESOURCE_ATTRIBUTES), and the instrumentation scope ("prova", version). */
enum { OTEL_RESOURCE_ATTRS = 32 };
typedef struct otel_resource {
    otel_attr attr[OTEL_RESOURCE_ATTRS];
    unsigned nattr;
    const char *scope_name, *scope_version;
    char arena[4096];
} otel_resource;

/* ---- Spans --------------------------------------------------------------------------------------------------- */

/* SpanKind of opentelemetry-proto (trace.proto), the numbers on the wire. */
enum {
    OTEL_KIND_INTERNAL = 1,
    OTEL_KIND_SERVER = 2,
    OTEL_KIND_CLIENT = 3,
    OTEL_KIND_PRODUCER = 4,
    OTEL_KIND_CONSUMER = 5
};
/* Status.StatusCode. */
enum { OTEL_STATUS_UNSET = 0, OTEL_STATUS_OK = 1, OTEL_STATUS_ERROR = 2 };

enum { OTEL_SPAN_ATTRS = 24, OTEL_SPAN_EVENTS = 4, OTEL_EVENT_ATTRS = 4, OTEL_SPAN_LINKS = 8, OTEL_SPAN_ARENA = 2048 };

typedef struct otel_event {
    const char *name;
    uint64_t time_ns;
    otel_attr attr[OTEL_EVENT_ATTRS];
    unsigned nattr;
} otel_event;

typedef struct otel_link {
    uint8_t trace_id[16], span_id[8];
    uint32_t flags; /* the W3C trace flags of the linked context (bit 0: sampled) */
} otel_link;

/* A span. Beyond the fixed limits (attributes, events, links, arena bytes) what does not fit is dropped and counted
 * in the dropped_* members, as the OTLP messages have them. */
typedef struct otel_span_data {
    uint8_t trace_id[16], span_id[8], parent_span_id[8];
    bool has_parent;
    uint32_t flags;         /* W3C trace flags (bit 0: sampled) */
    const char *tracestate; /* "" when none */
    const char *name;
    int kind;                  /* OTEL_KIND_* */
    uint64_t start_ns, end_ns; /* Unix epoch nanoseconds */
    otel_attr attr[OTEL_SPAN_ATTRS];
    unsigned nattr, dropped_attrs;
    otel_event event[OTEL_SPAN_EVENTS];
    unsigned nevent, dropped_events;
    otel_link link[OTEL_SPAN_LINKS];
    unsigned nlink, dropped_links;
    int status;             /* OTEL_STATUS_* */
    const char *status_msg; /* "" when none */
    size_t arena_used;
    char arena[OTEL_SPAN_ARENA];
} otel_span_data;

/* ---- Log records ----------------------------------------------------------------------------------------------- */

/* SeverityNumber of logs.proto. */
enum { OTEL_SEV_DEBUG = 5, OTEL_SEV_INFO = 9, OTEL_SEV_WARN = 13, OTEL_SEV_ERROR = 17 };
enum { OTEL_LOG_ATTRS = 16, OTEL_LOG_ARENA = 2048 };

typedef struct otel_log_data {
    uint64_t time_ns, observed_ns;
    int severity;              /* OTEL_SEV_* */
    const char *severity_text; /* "INFO", ... */
    const char *event_name;    /* "" when none (e.g. "prova.access") */
    const char *body;          /* a string body */
    otel_attr attr[OTEL_LOG_ATTRS];
    unsigned nattr, dropped_attrs;
    bool has_ctx; /* trace_id and span_id are set */
    uint8_t trace_id[16], span_id[8];
    uint32_t flags;
    size_t arena_used;
    char arena[OTEL_LOG_ARENA];
} otel_log_data;

/* ---- Metrics ---------------------------------------------------------------------------------------------------- */

/* A monotonic cumulative counter (OTLP Sum, is_monotonic, CUMULATIVE), a gauge, a histogram with explicit bounds
 * (cumulative), a summary (count and sum only). */
enum { OTEL_METRIC_COUNTER = 1, OTEL_METRIC_GAUGE, OTEL_METRIC_HISTOGRAM, OTEL_METRIC_SUMMARY };
enum { OTEL_POINT_LABELS = 4, OTEL_LABEL_VALUE = 96, OTEL_HIST_BOUNDS = 24 };

typedef struct otel_label {
    const char *key; /* static */
    char value[OTEL_LABEL_VALUE];
} otel_label;

typedef struct otel_point {
    otel_label label[OTEL_POINT_LABELS];
    unsigned nlabel;
    /* counter, gauge: the value, an integer (is_double false) or a double */
    bool is_double;
    int64_t i;
    double d;
    /* histogram, summary: count and sum; histogram: bucket[k] counts the values in (bounds[k-1], bounds[k]] (not
     * cumulative, as OTLP has it), bucket[nbounds] those above the last bound */
    uint64_t count;
    double sum;
    uint64_t bucket[OTEL_HIST_BOUNDS + 1];
} otel_point;

typedef struct otel_metric {
    const char *name, *help, *unit; /* static; unit as UCUM ("s", "By", "1", "{request}") */
    int type;                       /* OTEL_METRIC_* */
    const double *bounds;           /* histogram: the upper bounds, ascending (+Inf is implicit) */
    unsigned nbounds;
    otel_point *point;
    size_t npoint, cap;
} otel_metric;

/* A snapshot of every metric: what /metrics prints and what the exporter sends. */
typedef struct otel_metrics {
    otel_metric *metric;
    size_t n, cap;
    uint64_t start_ns, time_ns; /* the process start (start_time_unix_nano of cumulative points) and now */
    int status;                 /* the first allocation failure (sticky): PROVA_ENOMEM, else 0 */
} otel_metrics;

void otel_metrics_init(otel_metrics *ms, uint64_t start_ns, uint64_t time_ns);
void otel_metrics_free(otel_metrics *ms);
/* Adds a metric (name, help and unit are static strings); NULL on allocation failure (ms->status set). The pointer
 * is valid until the next otel_metrics_add (the array may move): add a metric's points before the next metric. */
otel_metric *otel_metrics_add(otel_metrics *ms, const char *name, int type, const char *help, const char *unit);
/* Adds a zeroed point to m (NULL m: NULL); NULL on allocation failure (ms->status set). Valid until the next point
 * of m. Labels are set with otel_point_label (the value copied, cut at OTEL_LABEL_VALUE - 1 bytes; a label past
 * OTEL_POINT_LABELS is dropped; a NULL point is a no-op). */
otel_point *otel_metric_point(otel_metrics *ms, otel_metric *m);
void otel_point_label(otel_point *p, const char *key, const char *value);

/* /metrics: the snapshot in the Prometheus text format 0.0.4 (HELP, TYPE, the samples; histograms as cumulative
 * _bucket{le} with _sum and _count), appended to out. Every metric is announced (HELP, TYPE) even without points.
 * 0 or PROVA_ENOMEM (out as it was). (metrics.c) */
int otel_metrics_prometheus(const otel_metrics *ms, prova_buf *out);

/* ---- OTLP encodings ------------------------------------------------------------------------------------------- */

enum { OTEL_PROTOBUF = 0, OTEL_JSON = 1 };

/* An ExportTraceServiceRequest / ExportLogsServiceRequest / ExportMetricsServiceRequest with one ResourceSpans
 * (ResourceLogs, ResourceMetrics) and one ScopeSpans (...) holding the batch, appended to out in the protocol's
 * encoding: protobuf (opentelemetry-proto's field numbers), or JSON as OTLP/HTTP specifies it (lowerCamelCase names,
 * trace and span ids as lowercase hex, enums as integers, 64-bit integers as decimal strings). 0, PROVA_ENOMEM or
 * PROVA_EINVAL (a string that is not UTF-8). */
int otel_encode_traces(int protocol, const otel_resource *r, const otel_span_data *const *spans, size_t n,
                       prova_buf *out);
int otel_encode_logs(int protocol, const otel_resource *r, const otel_log_data *const *logs, size_t n, prova_buf *out);
int otel_encode_metrics(int protocol, const otel_resource *r, const otel_metrics *ms, prova_buf *out);

#endif /* PROVA_OTEL_DATA_H */
