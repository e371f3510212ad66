/* OTLP over http/protobuf: ExportTraceServiceRequest, ExportLogsServiceRequest and ExportMetricsServiceRequest in
 * the protobuf wire format, written by hand (otel_data.h). The field numbers are opentelemetry-proto v1's
 * (the *_service.proto files of collector/{trace,logs,metrics}/v1 and the messages they import); the comment beside
 * each write names the field. Proto3: a scalar equal to its default is not written, except a oneof member (AnyValue's
 * value, NumberDataPoint's value) and an `optional` one (HistogramDataPoint.sum), which are written when set, whatever
 * the value.
 *
 * A submessage is written in place: its tag, five bytes reserved for the length, the body; then the length is
 * written as a minimal varint and the body moved back over the unused reserved bytes. One pass, no size precomputed,
 * no scratch buffer; each nesting level moves its body once (a batch of 512 spans is moved about three times).
 *
 * Wire types: 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit. SPEC: protobuf.dev/programming-guides/encoding. */
#include <string.h>

#include "encode.h"
#include "utf8.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5, LEN_RESERVED = 5 };

/* The writer: the output and the first failure (sticky), so a message is written without checking every call. */
typedef struct pw {
    prova_buf *out;
    int status;
} pw;

static void put(pw *w, const void *p, size_t n) {
    if (w->status == 0 && prova_buf_append(w->out, p, n) < 0) w->status = PROVA_ENOMEM;
}

static size_t varint_encode(uint8_t b[10], uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (uint8_t)v;
    return n;
}

static void varint(pw *w, uint64_t v) {
    uint8_t b[10];
    put(w, b, varint_encode(b, v));
}

static void tag(pw *w, unsigned field, unsigned wire_type) {
    varint(w, (uint64_t)field << 3 | wire_type);
}

static void le64(pw *w, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 8);
}

static uint64_t double_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* A varint field (uint32, int64 as two's complement in ten bytes, enum, bool), omitted when 0. */
static void f_varint(pw *w, unsigned field, uint64_t v) {
    if (v == 0) return;
    tag(w, field, WT_VARINT);
    varint(w, v);
}

static void f_fixed64(pw *w, unsigned field, uint64_t v) {
    if (v == 0) return;
    tag(w, field, WT_I64);
    le64(w, v);
}

static void f_fixed32(pw *w, unsigned field, uint32_t v) {
    if (v == 0) return;
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    tag(w, field, WT_I32);
    put(w, b, 4);
}

/* A double that is always written (a oneof member, an optional field). */
static void f_double_set(pw *w, unsigned field, double d) {
    tag(w, field, WT_I64);
    le64(w, double_bits(d));
}

static void f_bytes(pw *w, unsigned field, const void *p, size_t n) {
    tag(w, field, WT_LEN);
    varint(w, n);
    put(w, p, n);
}

/* A string field: PROVA_EINVAL when it is not UTF-8; omitted when empty unless always (a oneof member). NULL is "". */
static void f_str(pw *w, unsigned field, const char *s, bool always) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 && !always) return;
    if (!prova_utf8_valid(s, n)) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    f_bytes(w, field, s, n);
}

/* Opens a submessage: its tag and LEN_RESERVED bytes for the length. Returns where they start, for msg_end. */
static size_t msg_begin(pw *w, unsigned field) {
    static const uint8_t zeros[LEN_RESERVED];
    tag(w, field, WT_LEN);
    size_t mark = w->out->len;
    put(w, zeros, sizeof zeros);
    return mark;
}

/* Closes the submessage opened at mark: its length as a minimal varint, the body moved back to follow it. */
static void msg_end(pw *w, size_t mark) {
    if (w->status) return;
    size_t body = w->out->len - mark - LEN_RESERVED;
    if (body > UINT32_MAX) { /* 5 varint bytes hold 35 bits; protobuf messages stay below 2 GiB anyway */
        w->status = PROVA_ENOMEM;
        return;
    }
    uint8_t b[10];
    size_t k = varint_encode(b, body);
    uint8_t *p = w->out->data + mark;
    if (k < LEN_RESERVED) memmove(p + k, p + LEN_RESERVED, body);
    memcpy(p, b, k);
    w->out->len = mark + k + body;
}

/* ---- common/v1, resource/v1 ------------------------------------------------------------------------------------ */

/* KeyValue { key = 1; AnyValue value = 2 } with AnyValue { oneof value { string_value = 1; bool_value = 2;
 * int_value = 3; double_value = 4 } }. */
static void key_value(pw *w, unsigned field, const otel_attr *a) {
    size_t kv = msg_begin(w, field);
    f_str(w, 1, a->key, false);
    size_t any = msg_begin(w, 2);
    switch (a->type) {
    case OTEL_ATTR_STR:
        f_str(w, 1, a->s, true);
        break;
    case OTEL_ATTR_BOOL:
        tag(w, 2, WT_VARINT);
        varint(w, a->b ? 1 : 0);
        break;
    case OTEL_ATTR_INT:
        tag(w, 3, WT_VARINT);
        varint(w, (uint64_t)a->i);
        break;
    case OTEL_ATTR_DOUBLE:
        f_double_set(w, 4, a->d);
        break;
    default:
        if (w->status == 0) w->status = PROVA_EINVAL;
    }
    msg_end(w, any);
    msg_end(w, kv);
}

static void attrs(pw *w, unsigned field, const otel_attr *a, unsigned n, unsigned max) {
    if (n > max) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    for (unsigned i = 0; i < n; i++) key_value(w, field, &a[i]);
}

/* ResourceX { Resource resource = 1 { attributes = 1 }; ScopeX scope_x = 2 { InstrumentationScope scope = 1
 * { name = 1; version = 2 }; ... } }: opens ResourceX and ScopeX and returns their marks; the caller writes the
 * records (field 2 of ScopeX) and closes both. */
static void envelope_begin(pw *w, const otel_resource *r, size_t marks[2]) {
    marks[0] = msg_begin(w, 1);
    size_t res = msg_begin(w, 1);
    attrs(w, 1, r->attr, r->nattr, OTEL_RESOURCE_ATTRS);
    msg_end(w, res);
    marks[1] = msg_begin(w, 2);
    size_t scope = msg_begin(w, 1);
    f_str(w, 1, r->scope_name, false);
    f_str(w, 2, r->scope_version, false);
    msg_end(w, scope);
}

static int envelope_end(pw *w, size_t marks[2], size_t start) {
    msg_end(w, marks[1]);
    msg_end(w, marks[0]);
    if (w->status) w->out->len = start;
    return w->status;
}

/* ---- trace/v1 --------------------------------------------------------------------------------------------------- */

static void span(pw *w, const otel_span_data *s) {
    if (s->nevent > OTEL_SPAN_EVENTS || s->nlink > OTEL_SPAN_LINKS) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    size_t m = msg_begin(w, 2); /* ScopeSpans.spans */
    f_bytes(w, 1, s->trace_id, 16);
    f_bytes(w, 2, s->span_id, 8);
    f_str(w, 3, s->tracestate, false);
    if (s->has_parent) f_bytes(w, 4, s->parent_span_id, 8);
    f_str(w, 5, s->name, false);
    f_varint(w, 6, (uint64_t)(uint32_t)s->kind);
    f_fixed64(w, 7, s->start_ns);
    f_fixed64(w, 8, s->end_ns);
    attrs(w, 9, s->attr, s->nattr, OTEL_SPAN_ATTRS);
    f_varint(w, 10, s->dropped_attrs);
    for (unsigned i = 0; i < s->nevent; i++) {
        const otel_event *e = &s->event[i];
        size_t em = msg_begin(w, 11); /* Span.Event { time_unix_nano = 1; name = 2; attributes = 3 } */
        f_fixed64(w, 1, e->time_ns);
        f_str(w, 2, e->name, false);
        attrs(w, 3, e->attr, e->nattr, OTEL_EVENT_ATTRS);
        msg_end(w, em);
    }
    f_varint(w, 12, s->dropped_events);
    for (unsigned i = 0; i < s->nlink; i++) {
        const otel_link *l = &s->link[i];
        size_t lm = msg_begin(w, 13); /* Span.Link { trace_id = 1; span_id = 2; flags = 6 } */
        f_bytes(w, 1, l->trace_id, 16);
        f_bytes(w, 2, l->span_id, 8);
        f_fixed32(w, 6, l->flags & 0xFF);
        msg_end(w, lm);
    }
    f_varint(w, 14, s->dropped_links);
    if (s->status != OTEL_STATUS_UNSET || (s->status_msg && *s->status_msg)) {
        size_t st = msg_begin(w, 15); /* Status { message = 2; code = 3 } */
        f_str(w, 2, s->status_msg, false);
        f_varint(w, 3, (uint64_t)(uint32_t)s->status);
        msg_end(w, st);
    }
    /* SPEC: trace.proto: "Bits 0-7 (8 least significant bits) are the trace flags as defined in W3C Trace Context
     * specification." Bits 8 and 9 (whether the parent is remote) stay 0: the span does not know. */
    f_fixed32(w, 16, s->flags & 0xFF);
    msg_end(w, m);
}

int otel_encode_traces_proto(const otel_resource *r, const otel_span_data *const *spans, size_t n, prova_buf *out) {
    pw w = {out, 0};
    size_t start = out->len, marks[2];
    envelope_begin(&w, r, marks); /* ExportTraceServiceRequest.resource_spans = 1 */
    for (size_t i = 0; i < n && w.status == 0; i++) span(&w, spans[i]);
    return envelope_end(&w, marks, start);
}

/* ---- logs/v1 ------------------------------------------------------------------------------------------------------
 */

static void log_record(pw *w, const otel_log_data *l) {
    size_t m = msg_begin(w, 2); /* ScopeLogs.log_records */
    f_fixed64(w, 1, l->time_ns);
    f_varint(w, 2, (uint64_t)(uint32_t)l->severity);
    f_str(w, 3, l->severity_text, false);
    if (l->body) {
        size_t any = msg_begin(w, 5); /* body: AnyValue { string_value = 1 } */
        f_str(w, 1, l->body, true);
        msg_end(w, any);
    }
    attrs(w, 6, l->attr, l->nattr, OTEL_LOG_ATTRS);
    f_varint(w, 7, l->dropped_attrs);
    f_fixed32(w, 8, l->flags & 0xFF);
    if (l->has_ctx) {
        f_bytes(w, 9, l->trace_id, 16);
        f_bytes(w, 10, l->span_id, 8);
    }
    f_fixed64(w, 11, l->observed_ns);
    f_str(w, 12, l->event_name, false);
    msg_end(w, m);
}

int otel_encode_logs_proto(const otel_resource *r, const otel_log_data *const *logs, size_t n, prova_buf *out) {
    pw w = {out, 0};
    size_t start = out->len, marks[2];
    envelope_begin(&w, r, marks); /* ExportLogsServiceRequest.resource_logs = 1 */
    for (size_t i = 0; i < n && w.status == 0; i++) log_record(&w, logs[i]);
    return envelope_end(&w, marks, start);
}

/* ---- metrics/v1 ------------------------------------------------------------------------------------------------- */

/* A point's labels as string attributes. */
static void labels(pw *w, unsigned field, const otel_point *p) {
    if (p->nlabel > OTEL_POINT_LABELS) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    for (unsigned i = 0; i < p->nlabel; i++) {
        const otel_label *lb = &p->label[i];
        size_t kv = msg_begin(w, field);
        f_str(w, 1, lb->key, false);
        size_t any = msg_begin(w, 2);
        size_t vn = strnlen(lb->value, OTEL_LABEL_VALUE);
        if (!prova_utf8_valid(lb->value, vn) && w->status == 0) w->status = PROVA_EINVAL;
        f_bytes(w, 1, lb->value, vn);
        msg_end(w, any);
        msg_end(w, kv);
    }
}

static void metric(pw *w, const otel_metrics *ms, const otel_metric *mt) {
    static const unsigned data_field[] = {[OTEL_METRIC_COUNTER] = 7, /* sum */
                                          [OTEL_METRIC_GAUGE] = 5,
                                          [OTEL_METRIC_HISTOGRAM] = 9,
                                          [OTEL_METRIC_SUMMARY] = 11};
    if (mt->type < OTEL_METRIC_COUNTER || mt->type > OTEL_METRIC_SUMMARY ||
        (mt->type == OTEL_METRIC_HISTOGRAM && (mt->nbounds > OTEL_HIST_BOUNDS || (mt->nbounds && !mt->bounds))) ||
        (mt->npoint && !mt->point)) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    size_t m = msg_begin(w, 2); /* ScopeMetrics.metrics: Metric { name = 1; description = 2; unit = 3; data } */
    f_str(w, 1, mt->name, false);
    f_str(w, 2, mt->help, false);
    f_str(w, 3, mt->unit, false);
    size_t d = msg_begin(w, data_field[mt->type]);
    for (size_t i = 0; i < mt->npoint && w->status == 0; i++) {
        const otel_point *p = &mt->point[i];
        size_t dp = msg_begin(w, 1); /* data_points = 1 in Gauge, Sum, Histogram and Summary */
        switch (mt->type) {
        case OTEL_METRIC_COUNTER:
        case OTEL_METRIC_GAUGE:
            /* NumberDataPoint { attributes = 7; start_time_unix_nano = 2; time_unix_nano = 3;
             * oneof value { double as_double = 4; sfixed64 as_int = 6 } } */
            labels(w, 7, p);
            if (mt->type == OTEL_METRIC_COUNTER) f_fixed64(w, 2, ms->start_ns);
            f_fixed64(w, 3, ms->time_ns);
            if (p->is_double) {
                f_double_set(w, 4, p->d);
            } else {
                tag(w, 6, WT_I64);
                le64(w, (uint64_t)p->i);
            }
            break;
        case OTEL_METRIC_HISTOGRAM: {
            /* HistogramDataPoint { attributes = 9; start_time_unix_nano = 2; time_unix_nano = 3; count = 4;
             * optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7 },
             * the repeated ones packed (proto3's default). */
            labels(w, 9, p);
            f_fixed64(w, 2, ms->start_ns);
            f_fixed64(w, 3, ms->time_ns);
            f_fixed64(w, 4, p->count);
            f_double_set(w, 5, p->sum);
            tag(w, 6, WT_LEN);
            varint(w, 8 * ((uint64_t)mt->nbounds + 1));
            for (unsigned k = 0; k <= mt->nbounds; k++) le64(w, p->bucket[k]);
            if (mt->nbounds) {
                tag(w, 7, WT_LEN);
                varint(w, 8 * (uint64_t)mt->nbounds);
                for (unsigned k = 0; k < mt->nbounds; k++) le64(w, double_bits(mt->bounds[k]));
            }
            break;
        }
        default: /* OTEL_METRIC_SUMMARY: SummaryDataPoint { attributes = 7; start = 2; time = 3; count = 4;
                  * double sum = 5 } */
            labels(w, 7, p);
            f_fixed64(w, 2, ms->start_ns);
            f_fixed64(w, 3, ms->time_ns);
            f_fixed64(w, 4, p->count);
            f_fixed64(w, 5, double_bits(p->sum)); /* a plain double: omitted when +0.0, as protobuf does */
            break;
        }
        msg_end(w, dp);
    }
    if (mt->type == OTEL_METRIC_COUNTER) {
        f_varint(w, 2, 2); /* aggregation_temporality = AGGREGATION_TEMPORALITY_CUMULATIVE */
        f_varint(w, 3, 1); /* is_monotonic = true */
    } else if (mt->type == OTEL_METRIC_HISTOGRAM) {
        f_varint(w, 2, 2);
    }
    msg_end(w, d);
    msg_end(w, m);
}

int otel_encode_metrics_proto(const otel_resource *r, const otel_metrics *ms, prova_buf *out) {
    pw w = {out, 0};
    size_t start = out->len, marks[2];
    envelope_begin(&w, r, marks); /* ExportMetricsServiceRequest.resource_metrics = 1 */
    for (size_t i = 0; i < ms->n && w.status == 0; i++) metric(&w, ms, &ms->metric[i]);
    return envelope_end(&w, marks, start);
}

/* ---- The entry points (otel_data.h), for both encodings -------------------------------------------------------- */

static bool records_ok(const void *const *rec, size_t n) {
    if (n && !rec) return false;
    for (size_t i = 0; i < n; i++)
        if (!rec[i]) return false;
    return true;
}

int otel_encode_traces(int protocol, const otel_resource *r, const otel_span_data *const *spans, size_t n,
                       prova_buf *out) {
    if (!r || !out || !records_ok((const void *const *)spans, n)) return PROVA_EINVAL;
    if (protocol == OTEL_PROTOBUF) return otel_encode_traces_proto(r, spans, n, out);
    if (protocol == OTEL_JSON) return otel_encode_traces_json(r, spans, n, out);
    return PROVA_EINVAL;
}

int otel_encode_logs(int protocol, const otel_resource *r, const otel_log_data *const *logs, size_t n, prova_buf *out) {
    if (!r || !out || !records_ok((const void *const *)logs, n)) return PROVA_EINVAL;
    if (protocol == OTEL_PROTOBUF) return otel_encode_logs_proto(r, logs, n, out);
    if (protocol == OTEL_JSON) return otel_encode_logs_json(r, logs, n, out);
    return PROVA_EINVAL;
}

int otel_encode_metrics(int protocol, const otel_resource *r, const otel_metrics *ms, prova_buf *out) {
    if (!r || !ms || !out || (ms->n && !ms->metric)) return PROVA_EINVAL;
    if (protocol == OTEL_PROTOBUF) return otel_encode_metrics_proto(r, ms, out);
    if (protocol == OTEL_JSON) return otel_encode_metrics_json(r, ms, out);
    return PROVA_EINVAL;
}
