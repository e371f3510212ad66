/* OTLP over http/json: the same requests as encode_proto.c in the JSON encoding OTLP/HTTP specifies (otel_data.h).
 *
 * SPEC: opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: "JSON-encoded Protobuf payloads use proto3
 * standard defined JSON Mapping", with these differences: "traceId and spanId byte arrays are represented as
 * case-insensitive hex-encoded strings" (we write lowercase); "Values of enum fields MUST be encoded as integer
 * values"; keys are the lowerCamelCase field names. The proto3 mapping writes 64-bit integers (fixed64 times,
 * intValue, counts, asInt) as decimal strings, doubles as numbers, and NaN, Infinity, -Infinity as those strings.
 *
 * The same fields as the protobuf encoding are written, and omitted under the same conditions (a default value),
 * except that a span always has traceId, spanId, name, kind, startTimeUnixNano and endTimeUnixNano. The JSON writer
 * (jsonw.h) checks that every string is UTF-8 and puts the output back at its length on failure. */
#include <math.h>
#include <string.h>

#include "encode.h"
#include "jsonw.h"
#include "otel.h" /* otel_hex */
#include "prova/json.h"

/* A double: the shortest decimal that reads back as the same double, as ECMAScript's Number::toString writes it
 * (the jcs profile's writer: "0.1", "1e+21", "5e-324"), a JSON number in any locale; NaN and the infinities, which
 * JSON has no number for, as the strings of proto3's JSON mapping. */
static void jw_double(prova_jw *w, double d) {
    if (isnan(d)) {
        prova_jw_str(w, "NaN");
        return;
    }
    if (isinf(d)) {
        prova_jw_str(w, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0 && signbit(d)) { /* Number::toString writes "0" for -0; proto3's JSON keeps the sign */
        prova_jw_raw(w, "-0", 2);
        return;
    }
    char b[PROVA_CANON_DOUBLE_MAX];
    size_t n = prova_canon_format_double(d, PROVA_PROFILE_JCS, b);
    prova_jw_raw(w, b, n);
}

/* The decimal digits of v, ending at end (no NUL); returns where they start. */
static char *u64_digits(uint64_t v, char *end) {
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* A 64-bit integer as a decimal string (proto3's JSON mapping of int64, uint64, fixed64, sfixed64). */
static void jw_int64_str(prova_jw *w, int64_t v, bool is_signed) {
    char b[24], *end = b + sizeof b;
    char *p = u64_digits(is_signed && v < 0 ? 0 - (uint64_t)v : (uint64_t)v, end);
    if (is_signed && v < 0) *--p = '-';
    prova_jw_strn(w, p, (size_t)(end - p));
}

static void jw_u64s(prova_jw *w, const char *key, uint64_t v) {
    prova_jw_key(w, key);
    jw_int64_str(w, (int64_t)v, false);
}

static void jw_id(prova_jw *w, const char *key, const uint8_t *id, size_t n) {
    char hex[33];
    otel_hex(id, n, hex);
    prova_jw_kstr(w, key, hex);
}

static void fail(prova_jw *w, int status) {
    if (w->status == 0) w->status = status;
}

/* A string member, omitted when empty (NULL is ""). */
static void kstr_opt(prova_jw *w, const char *key, const char *s) {
    if (s && *s) prova_jw_kstr(w, key, s);
}

/* {"key": k, "value": {"stringValue" | "boolValue" | "intValue" | "doubleValue": v}} */
static void key_value(prova_jw *w, const otel_attr *a) {
    prova_jw_obj(w);
    prova_jw_kstr(w, "key", a->key ? a->key : "");
    prova_jw_key(w, "value");
    prova_jw_obj(w);
    switch (a->type) {
    case OTEL_ATTR_STR:
        prova_jw_kstr(w, "stringValue", a->s ? a->s : "");
        break;
    case OTEL_ATTR_BOOL:
        prova_jw_kbool(w, "boolValue", a->b);
        break;
    case OTEL_ATTR_INT:
        prova_jw_key(w, "intValue");
        jw_int64_str(w, a->i, true);
        break;
    case OTEL_ATTR_DOUBLE:
        prova_jw_key(w, "doubleValue");
        jw_double(w, a->d);
        break;
    default:
        fail(w, PROVA_EINVAL);
    }
    prova_jw_end(w);
    prova_jw_end(w);
}

/* "attributes": [...], omitted when there are none. */
static void attrs(prova_jw *w, const otel_attr *a, unsigned n, unsigned max) {
    if (n > max) {
        fail(w, PROVA_EINVAL);
        return;
    }
    if (n == 0) return;
    prova_jw_key(w, "attributes");
    prova_jw_arr(w);
    for (unsigned i = 0; i < n; i++) key_value(w, &a[i]);
    prova_jw_end(w);
}

static void kuint(prova_jw *w, const char *key, uint64_t v) {
    if (v) prova_jw_ku64(w, key, v);
}

/* {"resourceX": [{"resource": {...}, "scopeX": [{"scope": {...}, "<records>": [ -- left open for the records. */
static void envelope_begin(prova_jw *w, const otel_resource *r, const char *resource_x, const char *scope_x,
                           const char *records) {
    prova_jw_obj(w);
    prova_jw_key(w, resource_x);
    prova_jw_arr(w);
    prova_jw_obj(w);
    prova_jw_key(w, "resource");
    prova_jw_obj(w);
    attrs(w, r->attr, r->nattr, OTEL_RESOURCE_ATTRS);
    prova_jw_end(w);
    prova_jw_key(w, scope_x);
    prova_jw_arr(w);
    prova_jw_obj(w);
    prova_jw_key(w, "scope");
    prova_jw_obj(w);
    kstr_opt(w, "name", r->scope_name);
    kstr_opt(w, "version", r->scope_version);
    prova_jw_end(w);
    prova_jw_key(w, records);
    prova_jw_arr(w);
}

static int envelope_end(prova_jw *w) {
    for (int i = 0; i < 6; i++) prova_jw_end(w); /* records, ScopeX, scopeX, ResourceX, resourceX, the request */
    return prova_jw_finish(w);
}

/* ---- Traces ------------------------------------------------------------------------------------------------------ */

static void span(prova_jw *w, const otel_span_data *s) {
    if (s->nevent > OTEL_SPAN_EVENTS || s->nlink > OTEL_SPAN_LINKS) {
        fail(w, PROVA_EINVAL);
        return;
    }
    prova_jw_obj(w);
    jw_id(w, "traceId", s->trace_id, 16);
    jw_id(w, "spanId", s->span_id, 8);
    kstr_opt(w, "traceState", s->tracestate);
    if (s->has_parent) jw_id(w, "parentSpanId", s->parent_span_id, 8);
    kuint(w, "flags", s->flags & 0xFF); /* the W3C trace flags (trace.proto's SpanFlags, bits 0-7) */
    prova_jw_kstr(w, "name", s->name ? s->name : "");
    prova_jw_ki64(w, "kind", s->kind);
    jw_u64s(w, "startTimeUnixNano", s->start_ns);
    jw_u64s(w, "endTimeUnixNano", s->end_ns);
    attrs(w, s->attr, s->nattr, OTEL_SPAN_ATTRS);
    kuint(w, "droppedAttributesCount", s->dropped_attrs);
    if (s->nevent) {
        prova_jw_key(w, "events");
        prova_jw_arr(w);
        for (unsigned i = 0; i < s->nevent; i++) {
            const otel_event *e = &s->event[i];
            prova_jw_obj(w);
            if (e->time_ns) jw_u64s(w, "timeUnixNano", e->time_ns);
            kstr_opt(w, "name", e->name);
            attrs(w, e->attr, e->nattr, OTEL_EVENT_ATTRS);
            prova_jw_end(w);
        }
        prova_jw_end(w);
    }
    kuint(w, "droppedEventsCount", s->dropped_events);
    if (s->nlink) {
        prova_jw_key(w, "links");
        prova_jw_arr(w);
        for (unsigned i = 0; i < s->nlink; i++) {
            const otel_link *l = &s->link[i];
            prova_jw_obj(w);
            jw_id(w, "traceId", l->trace_id, 16);
            jw_id(w, "spanId", l->span_id, 8);
            kuint(w, "flags", l->flags & 0xFF);
            prova_jw_end(w);
        }
        prova_jw_end(w);
    }
    kuint(w, "droppedLinksCount", s->dropped_links);
    if (s->status != OTEL_STATUS_UNSET || (s->status_msg && *s->status_msg)) {
        prova_jw_key(w, "status");
        prova_jw_obj(w);
        kstr_opt(w, "message", s->status_msg);
        if (s->status) prova_jw_ki64(w, "code", s->status);
        prova_jw_end(w);
    }
    prova_jw_end(w);
}

int otel_encode_traces_json(const otel_resource *r, const otel_span_data *const *spans, size_t n, prova_buf *out) {
    prova_jw w;
    prova_jw_init(&w, out);
    envelope_begin(&w, r, "resourceSpans", "scopeSpans", "spans");
    for (size_t i = 0; i < n && w.status == 0; i++) span(&w, spans[i]);
    return envelope_end(&w);
}

/* ---- Logs ---------------------------------------------------------------------------------------------------------
 */

static void log_record(prova_jw *w, const otel_log_data *l) {
    prova_jw_obj(w);
    if (l->time_ns) jw_u64s(w, "timeUnixNano", l->time_ns);
    if (l->observed_ns) jw_u64s(w, "observedTimeUnixNano", l->observed_ns);
    if (l->severity) prova_jw_ki64(w, "severityNumber", l->severity);
    kstr_opt(w, "severityText", l->severity_text);
    kstr_opt(w, "eventName", l->event_name);
    if (l->body) {
        prova_jw_key(w, "body");
        prova_jw_obj(w);
        prova_jw_kstr(w, "stringValue", l->body);
        prova_jw_end(w);
    }
    attrs(w, l->attr, l->nattr, OTEL_LOG_ATTRS);
    kuint(w, "droppedAttributesCount", l->dropped_attrs);
    kuint(w, "flags", l->flags & 0xFF);
    if (l->has_ctx) {
        jw_id(w, "traceId", l->trace_id, 16);
        jw_id(w, "spanId", l->span_id, 8);
    }
    prova_jw_end(w);
}

int otel_encode_logs_json(const otel_resource *r, const otel_log_data *const *logs, size_t n, prova_buf *out) {
    prova_jw w;
    prova_jw_init(&w, out);
    envelope_begin(&w, r, "resourceLogs", "scopeLogs", "logRecords");
    for (size_t i = 0; i < n && w.status == 0; i++) log_record(&w, logs[i]);
    return envelope_end(&w);
}

/* ---- Metrics ------------------------------------------------------------------------------------------------------
 */

static void labels(prova_jw *w, const otel_point *p) {
    if (p->nlabel > OTEL_POINT_LABELS) {
        fail(w, PROVA_EINVAL);
        return;
    }
    if (p->nlabel == 0) return;
    prova_jw_key(w, "attributes");
    prova_jw_arr(w);
    for (unsigned i = 0; i < p->nlabel; i++) {
        const otel_label *lb = &p->label[i];
        prova_jw_obj(w);
        prova_jw_kstr(w, "key", lb->key ? lb->key : "");
        prova_jw_key(w, "value");
        prova_jw_obj(w);
        prova_jw_key(w, "stringValue");
        prova_jw_strn(w, lb->value, strnlen(lb->value, OTEL_LABEL_VALUE));
        prova_jw_end(w);
        prova_jw_end(w);
    }
    prova_jw_end(w);
}

static void point(prova_jw *w, const otel_metrics *ms, const otel_metric *mt, const otel_point *p) {
    prova_jw_obj(w);
    labels(w, p);
    if (mt->type != OTEL_METRIC_GAUGE && ms->start_ns) jw_u64s(w, "startTimeUnixNano", ms->start_ns);
    if (ms->time_ns) jw_u64s(w, "timeUnixNano", ms->time_ns);
    switch (mt->type) {
    case OTEL_METRIC_COUNTER:
    case OTEL_METRIC_GAUGE:
        if (p->is_double) {
            prova_jw_key(w, "asDouble");
            jw_double(w, p->d);
        } else {
            prova_jw_key(w, "asInt");
            jw_int64_str(w, p->i, true);
        }
        break;
    case OTEL_METRIC_HISTOGRAM:
        if (p->count) jw_u64s(w, "count", p->count);
        prova_jw_key(w, "sum"); /* optional double: written whatever its value, as in protobuf */
        jw_double(w, p->sum);
        prova_jw_key(w, "bucketCounts");
        prova_jw_arr(w);
        for (unsigned k = 0; k <= mt->nbounds; k++) jw_int64_str(w, (int64_t)p->bucket[k], false);
        prova_jw_end(w);
        if (mt->nbounds) {
            prova_jw_key(w, "explicitBounds");
            prova_jw_arr(w);
            for (unsigned k = 0; k < mt->nbounds; k++) jw_double(w, mt->bounds[k]);
            prova_jw_end(w);
        }
        break;
    default: /* OTEL_METRIC_SUMMARY */
        if (p->count) jw_u64s(w, "count", p->count);
        prova_jw_key(w, "sum");
        jw_double(w, p->sum);
        break;
    }
    prova_jw_end(w);
}

static void metric(prova_jw *w, const otel_metrics *ms, const otel_metric *mt) {
    static const char *const data_key[] = {[OTEL_METRIC_COUNTER] = "sum",
                                           [OTEL_METRIC_GAUGE] = "gauge",
                                           [OTEL_METRIC_HISTOGRAM] = "histogram",
                                           [OTEL_METRIC_SUMMARY] = "summary"};
    if (mt->type < OTEL_METRIC_COUNTER || mt->type > OTEL_METRIC_SUMMARY ||
        (mt->type == OTEL_METRIC_HISTOGRAM && (mt->nbounds > OTEL_HIST_BOUNDS || (mt->nbounds && !mt->bounds))) ||
        (mt->npoint && !mt->point)) {
        fail(w, PROVA_EINVAL);
        return;
    }
    prova_jw_obj(w);
    prova_jw_kstr(w, "name", mt->name ? mt->name : "");
    kstr_opt(w, "description", mt->help);
    kstr_opt(w, "unit", mt->unit);
    prova_jw_key(w, data_key[mt->type]);
    prova_jw_obj(w);
    if (mt->type == OTEL_METRIC_COUNTER || mt->type == OTEL_METRIC_HISTOGRAM)
        prova_jw_ki64(w, "aggregationTemporality", 2); /* AGGREGATION_TEMPORALITY_CUMULATIVE */
    if (mt->type == OTEL_METRIC_COUNTER) prova_jw_kbool(w, "isMonotonic", true);
    prova_jw_key(w, "dataPoints");
    prova_jw_arr(w);
    for (size_t i = 0; i < mt->npoint && w->status == 0; i++) point(w, ms, mt, &mt->point[i]);
    prova_jw_end(w);
    prova_jw_end(w);
    prova_jw_end(w);
}

int otel_encode_metrics_json(const otel_resource *r, const otel_metrics *ms, prova_buf *out) {
    prova_jw w;
    prova_jw_init(&w, out);
    envelope_begin(&w, r, "resourceMetrics", "scopeMetrics", "metrics");
    for (size_t i = 0; i < ms->n && w.status == 0; i++) metric(&w, ms, &ms->metric[i]);
    return envelope_end(&w);
}
