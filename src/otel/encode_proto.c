/* OTLP over http/protobuf: ExportTraceServiceRequest, ExportLogsServiceRequest and ExportMetricsServiceRequest in
 * the protobuf wire format, written by hand (otel_data.h). The field numbers are opentelemetry-proto v1's
 * (the *_service.proto files of collector/{trace,logs,metrics}/v1 and the messages they import); the comment beside
 * each write names the field. Proto3: a scalar equal to its default is not written, except a oneof member (AnyValue's
 * value, NumberDataPoint's value) and an `optional` one (HistogramDataPoint.sum), which are written when set, whatever
 * the value.
 *
 * Two passes, one code path. A request is written by one function that runs twice over the same data: the size pass
 * (w->p NULL) counts the bytes, measures and checks each string, and notes in order each string's length and each
 * submessage's body length; then out is reserved for the exact total, and the write pass (w->p set) writes through
 * a raw pointer, reading the noted lengths back in the same order, so a length prefix is written before its body
 * and nothing is moved, measured or checked twice. The notes (a few dozen 32-bit lengths a span) are a scratch
 * buffer from out's allocator. A string that is not UTF-8 fails the size pass, before out is touched.
 *
 * Wire types: 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit. SPEC: protobuf.dev/programming-guides/encoding. */
#include <assert.h>
#include <string.h>

#include "encode.h"
#include "utf8.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* The writer: the pass, the noted lengths, the first failure (sticky), so a message is written without checking
 * every call. The primitives below are inline: a few instructions each, in either pass (a batch of 512 spans:
 * 0.11 ms with calls, 0.09 ms inline). */
typedef struct pw {
    uint8_t *p;      /* the write pass's cursor; NULL in the size pass */
    size_t size;     /* the size pass's count */
    prova_buf notes; /* uint32_t lengths, in the order they are noted */
    uint32_t *note;  /* notes.data */
    size_t nnote;    /* size pass: the lengths noted; write pass: the next to read */
    size_t cap;      /* room in note */
    int status;
} pw;

static void fail(pw *w, int status) {
    if (w->status == 0) w->status = status;
}

/* Size pass: notes n and returns its index (msg_end changes it). Write pass: returns the index of the next noted
 * length. */
static inline size_t note(pw *w, size_t n) {
    if (w->p) return w->nnote++;
    if (w->nnote == w->cap) {
        size_t have = w->cap * sizeof *w->note;
        if (w->status || prova_buf_reserve(&w->notes, have ? have : 1024) < 0) {
            fail(w, PROVA_ENOMEM);
            return 0; /* the notes are not read after a failure */
        }
        w->note = (uint32_t *)(void *)w->notes.data; /* aligned: an allocation */
        w->cap = w->notes.cap / sizeof *w->note;
        w->notes.len = w->notes.cap;
    }
    if (n > UINT32_MAX) fail(w, PROVA_ENOMEM); /* a protobuf message stays below 2 GiB */
    w->note[w->nnote] = (uint32_t)n;
    return w->nnote++;
}

static inline size_t varint_size(uint64_t v) {
    size_t n = 1;
    for (; v >= 0x80; v >>= 7) n++;
    return n;
}

static inline void varint(pw *w, uint64_t v) {
    if (!w->p) {
        w->size += varint_size(v);
        return;
    }
    uint8_t *p = w->p;
    for (; v >= 0x80; v >>= 7) *p++ = (uint8_t)(v | 0x80);
    *p++ = (uint8_t)v;
    w->p = p;
}

static inline void put(pw *w, const void *s, size_t n) {
    if (!w->p) {
        w->size += n;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

static inline void tag(pw *w, unsigned field, unsigned wire_type) {
    varint(w, (uint64_t)field << 3 | wire_type);
}

static inline void le64(pw *w, uint64_t v) {
    if (!w->p) {
        w->size += 8;
        return;
    }
    for (int i = 0; i < 8; i++) *w->p++ = (uint8_t)(v >> (8 * i));
}

static uint64_t double_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* A varint field (uint32, int64 as two's complement in ten bytes, enum, bool), omitted when 0. */
static inline void f_varint(pw *w, unsigned field, uint64_t v) {
    if (v == 0) return;
    tag(w, field, WT_VARINT);
    varint(w, v);
}

static inline void f_fixed64(pw *w, unsigned field, uint64_t v) {
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

static inline void f_bytes(pw *w, unsigned field, const void *p, size_t n) {
    tag(w, field, WT_LEN);
    varint(w, n);
    put(w, p, n);
}

/* A string of n bytes (size pass: checked, noted; write pass: n is the one noted, the argument unused). */
static inline void f_text(pw *w, unsigned field, const char *s, size_t n) {
    if (!w->p && !prova_utf8_valid(s, n)) fail(w, PROVA_EINVAL);
    size_t i = note(w, n);
    f_bytes(w, field, s, w->p ? w->note[i] : n);
}

/* A string field: PROVA_EINVAL when it is not UTF-8; omitted when empty unless always (a oneof member). NULL is "".
 * Measured in the size pass only. */
static inline void f_str(pw *w, unsigned field, const char *s, bool always) {
    if (!s) s = "";
    if (!always && !*s) return;
    f_text(w, field, s, w->p ? 0 : strlen(s));
}

/* Opens a submessage: its tag, and in the write pass its length. Returns its note, for msg_end. */
static inline size_t msg_begin(pw *w, unsigned field) {
    tag(w, field, WT_LEN);
    size_t i = note(w, w->size); /* size pass: where the body starts, until msg_end */
    if (w->p) varint(w, w->note[i]);
    return i;
}

/* Closes the submessage opened as note i. Size pass: notes its body's length and counts the length's bytes. */
static inline void msg_end(pw *w, size_t i) {
    if (w->p || w->status) return;
    size_t body = w->size - w->note[i];
    w->note[i] = (uint32_t)body;
    w->size += varint_size(body);
}

/* A request is written by the body of
 *     pw w;
 *     pw_init(&w, out);
 *     do { ...the request's messages... } while (next_pass(&w, out));
 *     return pw_finish(&w, out);
 * which runs the size pass, then the write pass into out reserved for the exact size. */
static void pw_init(pw *w, const prova_buf *out) {
    *w = (pw){.notes = {NULL, 0, 0, out->alloc}};
}

/* After the size pass: reserves out and starts the write pass (true). After the write pass or a failure: false. */
static bool next_pass(pw *w, prova_buf *out) {
    if (w->p || w->status) return false;
    if (prova_buf_reserve(out, w->size) < 0) {
        fail(w, PROVA_ENOMEM);
        return false;
    }
    w->p = out->data + out->len;
    w->nnote = 0;
    return true;
}

/* 0 with the request appended to out, or the failure with out as it was. */
static int pw_finish(pw *w, prova_buf *out) {
    if (w->status == 0) {
        assert(w->p == out->data + out->len + w->size);
        out->len += w->size;
    }
    prova_buf_free(&w->notes);
    return w->status;
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
        fail(w, PROVA_EINVAL);
    }
    msg_end(w, any);
    msg_end(w, kv);
}

static void attrs(pw *w, unsigned field, const otel_attr *a, unsigned n, unsigned max) {
    if (n > max) {
        fail(w, PROVA_EINVAL);
        return;
    }
    for (unsigned i = 0; i < n; i++) key_value(w, field, &a[i]);
}

/* ResourceX { Resource resource = 1 { attributes = 1 }; ScopeX scope_x = 2 { InstrumentationScope scope = 1
 * { name = 1; version = 2 }; ... } }: opens ResourceX and ScopeX (their notes in env); the caller writes the records
 * (field 2 of ScopeX) and closes both with envelope_end. */
static void envelope_begin(pw *w, const otel_resource *r, size_t env[2]) {
    env[0] = msg_begin(w, 1);
    size_t res = msg_begin(w, 1);
    attrs(w, 1, r->attr, r->nattr, OTEL_RESOURCE_ATTRS);
    msg_end(w, res);
    env[1] = msg_begin(w, 2);
    size_t scope = msg_begin(w, 1);
    f_str(w, 1, r->scope_name, false);
    f_str(w, 2, r->scope_version, false);
    msg_end(w, scope);
}

static void envelope_end(pw *w, const size_t env[2]) {
    msg_end(w, env[1]);
    msg_end(w, env[0]);
}

/* ---- trace/v1 --------------------------------------------------------------------------------------------------- */

static void span(pw *w, const otel_span_data *s) {
    if (s->nevent > OTEL_SPAN_EVENTS || s->nlink > OTEL_SPAN_LINKS) {
        fail(w, PROVA_EINVAL);
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
    pw w;
    pw_init(&w, out);
    do {
        size_t env[2];
        envelope_begin(&w, r, env); /* ExportTraceServiceRequest.resource_spans = 1 */
        for (size_t i = 0; i < n && w.status == 0; i++) span(&w, spans[i]);
        envelope_end(&w, env);
    } while (next_pass(&w, out));
    return pw_finish(&w, out);
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
    pw w;
    pw_init(&w, out);
    do {
        size_t env[2];
        envelope_begin(&w, r, env); /* ExportLogsServiceRequest.resource_logs = 1 */
        for (size_t i = 0; i < n && w.status == 0; i++) log_record(&w, logs[i]);
        envelope_end(&w, env);
    } while (next_pass(&w, out));
    return pw_finish(&w, out);
}

/* ---- metrics/v1 ------------------------------------------------------------------------------------------------- */

/* A point's labels as string attributes. */
static void labels(pw *w, unsigned field, const otel_point *p) {
    if (p->nlabel > OTEL_POINT_LABELS) {
        fail(w, PROVA_EINVAL);
        return;
    }
    for (unsigned i = 0; i < p->nlabel; i++) {
        const otel_label *lb = &p->label[i];
        size_t kv = msg_begin(w, field);
        f_str(w, 1, lb->key, false);
        size_t any = msg_begin(w, 2);
        f_text(w, 1, lb->value, w->p ? 0 : strnlen(lb->value, OTEL_LABEL_VALUE));
        msg_end(w, any);
        msg_end(w, kv);
    }
}

/* data_points = 1 in Gauge, Sum, Histogram and Summary. */
static void point(pw *w, const otel_metrics *ms, const otel_metric *mt, const otel_point *p) {
    size_t dp = msg_begin(w, 1);
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
    case OTEL_METRIC_HISTOGRAM:
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

/* ScopeMetrics.metrics: Metric { name = 1; description = 2; unit = 3; data }. */
static void metric(pw *w, const otel_metrics *ms, const otel_metric *mt) {
    static const unsigned data_field[] = {[OTEL_METRIC_COUNTER] = 7, /* sum */
                                          [OTEL_METRIC_GAUGE] = 5,
                                          [OTEL_METRIC_HISTOGRAM] = 9,
                                          [OTEL_METRIC_SUMMARY] = 11};
    if (mt->type < OTEL_METRIC_COUNTER || mt->type > OTEL_METRIC_SUMMARY ||
        (mt->type == OTEL_METRIC_HISTOGRAM && (mt->nbounds > OTEL_HIST_BOUNDS || (mt->nbounds && !mt->bounds))) ||
        (mt->npoint && !mt->point)) {
        fail(w, PROVA_EINVAL);
        return;
    }
    size_t m = msg_begin(w, 2);
    f_str(w, 1, mt->name, false);
    f_str(w, 2, mt->help, false);
    f_str(w, 3, mt->unit, false);
    size_t d = msg_begin(w, data_field[mt->type]);
    for (size_t i = 0; i < mt->npoint && w->status == 0; i++) point(w, ms, mt, &mt->point[i]);
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
    pw w;
    pw_init(&w, out);
    do {
        size_t env[2];
        envelope_begin(&w, r, env); /* ExportMetricsServiceRequest.resource_metrics = 1 */
        for (size_t i = 0; i < ms->n && w.status == 0; i++) metric(&w, ms, &ms->metric[i]);
        envelope_end(&w, env);
    } while (next_pass(&w, out));
    return pw_finish(&w, out);
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
