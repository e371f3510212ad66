/* The OTLP encoders (otel_data.h, src/otel/encode_proto.c and encode_json.c). On fixed data (spans with every
 * attribute type, events, links, an error status, a parent, a tracestate, non-ASCII strings, a negative int, a bool
 * false; log records with and without a trace context; a metrics snapshot with a counter, gauges, a histogram and a
 * summary), filled in by hand: writes each request in both encodings to DIR/{traces,logs,metrics}.{pb,json}, for
 * tests/otel/encode_check.mjs to decode with protobufjs and the official .proto files. Checks here what needs the C
 * side: invalid UTF-8 and bad arguments refused with the output untouched, appending after existing bytes, the wire
 * form of a negative int, the time of a batch of 512 spans.
 *   encode_test DIR */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "otel_data.h"

static const uint8_t TRACE_ID[16] = {0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03,
                                     0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c};
static const uint8_t SPAN_ROOT[8] = {0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74};
static const uint8_t SPAN_CHILD[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
static const uint8_t SPAN_OTHER[8] = {0xff, 0x00, 0xab, 0xcd, 0x00, 0x00, 0x00, 0x01};
static const uint8_t LINK_TRACE[16] = {0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd,
                                       0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c};
static const uint8_t LINK_SPAN[8] = {0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31};

#define T0 1544712660000000000ull

static otel_resource resource;
static otel_span_data spans[3];
static otel_log_data logs[3];
static otel_metric metric[6];
static otel_point points[12];
static otel_metrics snapshot;
static const double BOUNDS[] = {0.005, 0.01, 0.1, 1, 10};

static void fill_resource(void) {
    memset(&resource, 0, sizeof resource);
    resource.attr[0] = OTEL_STR("service.name", "prova");
    resource.attr[1] = OTEL_STR("service.version", "0.1.0");
    resource.attr[2] = OTEL_INT("process.pid", 4242);
    resource.attr[3] = OTEL_STR("host.name", "h\xc3\xb4te"); /* "hôte" */
    resource.nattr = 4;
    resource.scope_name = "prova";
    resource.scope_version = "0.1.0";
}

static void fill_spans(void) {
    memset(spans, 0, sizeof spans);
    otel_span_data *s = &spans[0]; /* a server span: every attribute type, events, a link, an error */
    memcpy(s->trace_id, TRACE_ID, 16);
    memcpy(s->span_id, SPAN_ROOT, 8);
    s->flags = 1;
    s->tracestate = "vendor=abc,other=1";
    s->name = "POST /v1/ope";
    s->kind = OTEL_KIND_SERVER;
    s->start_ns = T0;
    s->end_ns = T0 + 1500000;
    s->attr[0] = OTEL_STR("http.request.method", "POST");
    s->attr[1] = OTEL_INT("http.response.status_code", 500);
    s->attr[2] = OTEL_INT("prova.negative", -42);
    s->attr[3] = OTEL_INT("prova.min", INT64_MIN);
    s->attr[4] = OTEL_DOUBLE("prova.ratio", 0.1);
    s->attr[5] = OTEL_BOOL("prova.cache_hit", false);
    s->attr[6] = OTEL_BOOL("prova.verified", true);
    s->attr[7] = OTEL_STR("prova.note", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \"quoted\"\n"); /* café ✓ 😀 */
    s->attr[8] = OTEL_STR("prova.empty", "");
    s->attr[9] = OTEL_DOUBLE("prova.neg_inf", -INFINITY);
    s->nattr = 10;
    s->dropped_attrs = 3;
    s->event[0].name = "exception";
    s->event[0].time_ns = T0 + 1000000;
    s->event[0].attr[0] = OTEL_STR("exception.type", "prova.store");
    s->event[0].attr[1] = OTEL_STR("exception.message", "disk full \xe2\x80\x94 retry");
    s->event[0].nattr = 2;
    s->event[1].name = "retry";
    s->event[1].time_ns = T0 + 1200000;
    s->nevent = 2;
    s->dropped_events = 1;
    memcpy(s->link[0].trace_id, LINK_TRACE, 16);
    memcpy(s->link[0].span_id, LINK_SPAN, 8);
    s->link[0].flags = 1;
    s->nlink = 1;
    s->status = OTEL_STATUS_ERROR;
    s->status_msg = "store failed \xe2\x80\x94 503";

    s = &spans[1]; /* a child span, status OK */
    memcpy(s->trace_id, TRACE_ID, 16);
    memcpy(s->span_id, SPAN_CHILD, 8);
    memcpy(s->parent_span_id, SPAN_ROOT, 8);
    s->has_parent = true;
    s->flags = 1;
    s->tracestate = "";
    s->name = "store.append";
    s->kind = OTEL_KIND_INTERNAL;
    s->start_ns = T0 + 100000;
    s->end_ns = T0 + 900000;
    s->status = OTEL_STATUS_OK;
    s->status_msg = "";

    s = &spans[2]; /* a client span, no status, no attribute, flags 0, NULL strings */
    memcpy(s->trace_id, LINK_TRACE, 16);
    memcpy(s->span_id, SPAN_OTHER, 8);
    s->name = "witness.add-checkpoint";
    s->kind = OTEL_KIND_CLIENT;
    s->start_ns = T0 + 2000000;
    s->end_ns = T0 + 2000001;
}

static void fill_logs(void) {
    memset(logs, 0, sizeof logs);
    otel_log_data *l = &logs[0]; /* in a span's context */
    l->time_ns = T0 + 300000000;
    l->observed_ns = T0 + 300000001;
    l->severity = OTEL_SEV_INFO;
    l->severity_text = "INFO";
    l->event_name = "prova.access";
    l->body = "POST /v1/ope 500 \xe2\x80\x94 1.5 ms";
    l->attr[0] = OTEL_STR("http.route", "/v1/ope");
    l->attr[1] = OTEL_INT("http.response.status_code", 500);
    l->attr[2] = OTEL_INT("prova.bytes", -1);
    l->attr[3] = OTEL_BOOL("prova.tls", false);
    l->attr[4] = OTEL_DOUBLE("prova.duration_s", 0.0015);
    l->nattr = 5;
    l->dropped_attrs = 2;
    l->has_ctx = true;
    memcpy(l->trace_id, TRACE_ID, 16);
    memcpy(l->span_id, SPAN_ROOT, 8);
    l->flags = 1;

    l = &logs[1]; /* no context, no time (observed only), an empty body */
    l->observed_ns = T0 + 400000000;
    l->severity = OTEL_SEV_ERROR;
    l->severity_text = "ERROR";
    l->event_name = "";
    l->body = "";

    l = &logs[2]; /* no body */
    l->time_ns = T0 + 500000000;
    l->observed_ns = T0 + 500000000;
    l->severity = OTEL_SEV_WARN;
    l->severity_text = "WARN";
    l->attr[0] = OTEL_STR("prova.queue", "logs");
    l->nattr = 1;
}

static otel_point *point(unsigned i, const char *k1, const char *v1, const char *k2, const char *v2) {
    otel_point *p = &points[i];
    memset(p, 0, sizeof *p);
    if (k1) {
        p->label[p->nlabel].key = k1;
        strcpy(p->label[p->nlabel++].value, v1);
    }
    if (k2) {
        p->label[p->nlabel].key = k2;
        strcpy(p->label[p->nlabel++].value, v2);
    }
    return p;
}

static void fill_metrics(void) {
    memset(metric, 0, sizeof metric);
    otel_point *p;

    metric[0] = (otel_metric){.name = "prova_requests_total",
                              .help = "Requests answered.",
                              .unit = "{request}",
                              .type = OTEL_METRIC_COUNTER,
                              .point = &points[0],
                              .npoint = 2};
    p = point(0, "route", "/v1/ope", "code", "200");
    p->i = 12;
    p = point(1, "route", "/v1/oe", "code", "500");
    p->i = 0;

    metric[1] = (otel_metric){.name = "prova_queue_length",
                              .help = "Records queued.",
                              .unit = "{record}",
                              .type = OTEL_METRIC_GAUGE,
                              .point = &points[2],
                              .npoint = 2};
    p = point(2, "signal", "traces", NULL, NULL);
    p->i = 5;
    p = point(3, "signal", "logs", NULL, NULL);
    p->i = -3;

    metric[2] = (otel_metric){.name = "process_cpu_ratio",
                              .help = "CPU use.",
                              .unit = "1",
                              .type = OTEL_METRIC_GAUGE,
                              .point = &points[4],
                              .npoint = 2};
    p = point(4, NULL, NULL, NULL, NULL);
    p->is_double = true;
    p->d = 0.25;
    p = point(5, "kind", "nan", NULL, NULL);
    p->is_double = true;
    p->d = NAN;

    metric[3] = (otel_metric){.name = "prova_request_duration_seconds",
                              .help = "Time to answer.",
                              .unit = "s",
                              .type = OTEL_METRIC_HISTOGRAM,
                              .bounds = BOUNDS,
                              .nbounds = 5,
                              .point = &points[6],
                              .npoint = 2};
    p = point(6, "route", "/v1/ope", NULL, NULL);
    p->count = 11;
    p->sum = 12.5;
    const uint64_t buckets[] = {1, 2, 0, 3, 4, 1};
    memcpy(p->bucket, buckets, sizeof buckets);
    point(7, "route", "/v1/oe", NULL, NULL); /* nothing observed: count 0, sum 0 */

    metric[4] = (otel_metric){.name = "prova_gc_seconds",
                              .help = "Store checkpoints.",
                              .unit = "s",
                              .type = OTEL_METRIC_SUMMARY,
                              .point = &points[8],
                              .npoint = 1};
    p = point(8, "store", "d\xc3\xa9p\xc3\xb4t", NULL, NULL); /* "dépôt" */
    p->count = 7;
    p->sum = 0.75;

    metric[5] = (otel_metric){.name = "prova_build_info",
                              .help = "",
                              .unit = "",
                              .type = OTEL_METRIC_GAUGE,
                              .point = &points[9],
                              .npoint = 1};
    p = point(9, "version", "0.1.0", NULL, NULL);
    p->i = 1;

    snapshot = (otel_metrics){.metric = metric, .n = 6, .cap = 6, .start_ns = T0 - 60000000000ull, .time_ns = T0};
}

static const otel_span_data *span_ptr[3] = {&spans[0], &spans[1], &spans[2]};
static const otel_log_data *log_ptr[3] = {&logs[0], &logs[1], &logs[2]};

static int encode(int signal, int protocol, prova_buf *out) {
    switch (signal) {
    case 0:
        return otel_encode_traces(protocol, &resource, span_ptr, 3, out);
    case 1:
        return otel_encode_logs(protocol, &resource, log_ptr, 3, out);
    default:
        return otel_encode_metrics(protocol, &resource, &snapshot, out);
    }
}

static void write_file(const char *dir, const char *name, const prova_buf *b) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK_MSG(f != NULL, "cannot write %s", path);
    if (!f) return;
    CHECK(fwrite(b->data, 1, b->len, f) == b->len);
    CHECK(fclose(f) == 0);
}

/* Every encoding refuses what it is given with out exactly as it was (a prefix already there). */
static void expect_refused(const char *what, int want) {
    for (int signal = 0; signal < 3; signal++) {
        for (int protocol = 0; protocol < 2; protocol++) {
            prova_buf out = PROVA_BUF_INIT;
            CHECK(prova_buf_append(&out, "prefix", 6) == 0);
            int rc = encode(signal, protocol, &out);
            CHECK_MSG(rc == want, "%s: signal %d protocol %d: %d, want %d", what, signal, protocol, rc, want);
            CHECK_MSG(out.len == 6 && memcmp(out.data, "prefix", 6) == 0, "%s: signal %d protocol %d: out changed",
                      what, signal, protocol);
            prova_buf_free(&out);
        }
    }
}

static void test_refusals(void) {
    /* Invalid UTF-8 anywhere a string is written: each case refuses the signal(s) it touches; the others encode. */
    static const char *const bad[] = {"\xff", "caf\xc3", "\xed\xa0\x80" /* a surrogate */, "\xc0\xaf" /* overlong */};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        const char *saved = resource.attr[3].s;
        resource.attr[3].s = bad[k]; /* in the resource: every signal */
        expect_refused("resource attribute", PROVA_EINVAL);
        resource.attr[3].s = saved;
        saved = resource.scope_version;
        resource.scope_version = bad[k];
        expect_refused("scope version", PROVA_EINVAL);
        resource.scope_version = saved;
    }
    for (int protocol = 0; protocol < 2; protocol++) {
        prova_buf out = PROVA_BUF_INIT;
        CHECK(prova_buf_append(&out, "xy", 2) == 0);
#define REFUSE(field, call)                                                                                            \
    do {                                                                                                               \
        const char *saved_ = field;                                                                                    \
        field = "ok \xff";                                                                                             \
        int rc_ = call;                                                                                                \
        CHECK_MSG(rc_ == PROVA_EINVAL && out.len == 2, "%s (protocol %d): %d, len %zu", #field, protocol, rc_,         \
                  out.len);                                                                                            \
        field = saved_;                                                                                                \
    } while (0)
        REFUSE(spans[0].name, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[2].name, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[0].attr[1].key, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[0].attr[7].s, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[0].event[0].attr[1].s, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[0].event[1].name, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[0].status_msg, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(spans[0].tracestate, otel_encode_traces(protocol, &resource, span_ptr, 3, &out));
        REFUSE(logs[0].body, otel_encode_logs(protocol, &resource, log_ptr, 3, &out));
        REFUSE(logs[0].event_name, otel_encode_logs(protocol, &resource, log_ptr, 3, &out));
        REFUSE(logs[2].severity_text, otel_encode_logs(protocol, &resource, log_ptr, 3, &out));
        REFUSE(logs[2].attr[0].key, otel_encode_logs(protocol, &resource, log_ptr, 3, &out));
        REFUSE(metric[3].name, otel_encode_metrics(protocol, &resource, &snapshot, &out));
        REFUSE(metric[4].help, otel_encode_metrics(protocol, &resource, &snapshot, &out));
        REFUSE(points[9].label[0].key, otel_encode_metrics(protocol, &resource, &snapshot, &out));
#undef REFUSE
        strcpy(points[8].label[0].value, "d\xe9p\xf4t"); /* Latin-1, not UTF-8 */
        CHECK(otel_encode_metrics(protocol, &resource, &snapshot, &out) == PROVA_EINVAL && out.len == 2);
        strcpy(points[8].label[0].value, "d\xc3\xa9p\xc3\xb4t");

        /* Bad arguments: an unknown protocol, attribute type or metric type, counts beyond the arrays, NULLs. */
        CHECK(otel_encode_traces(7, &resource, span_ptr, 3, &out) == PROVA_EINVAL);
        CHECK(otel_encode_traces(protocol, NULL, span_ptr, 3, &out) == PROVA_EINVAL);
        CHECK(otel_encode_traces(protocol, &resource, NULL, 3, &out) == PROVA_EINVAL);
        const otel_span_data *with_null[2] = {&spans[0], NULL};
        CHECK(otel_encode_traces(protocol, &resource, with_null, 2, &out) == PROVA_EINVAL);
        CHECK(otel_encode_metrics(protocol, &resource, NULL, &out) == PROVA_EINVAL);
        spans[1].attr[0] = (otel_attr){.key = "k", .type = 9};
        spans[1].nattr = 1;
        CHECK(otel_encode_traces(protocol, &resource, span_ptr, 3, &out) == PROVA_EINVAL);
        spans[1].nattr = OTEL_SPAN_ATTRS + 1;
        CHECK(otel_encode_traces(protocol, &resource, span_ptr, 3, &out) == PROVA_EINVAL);
        spans[1].nattr = 0;
        spans[1].nevent = OTEL_SPAN_EVENTS + 1;
        CHECK(otel_encode_traces(protocol, &resource, span_ptr, 3, &out) == PROVA_EINVAL);
        spans[1].nevent = 0;
        logs[1].nattr = OTEL_LOG_ATTRS + 1;
        CHECK(otel_encode_logs(protocol, &resource, log_ptr, 3, &out) == PROVA_EINVAL);
        logs[1].nattr = 0;
        metric[1].type = 9;
        CHECK(otel_encode_metrics(protocol, &resource, &snapshot, &out) == PROVA_EINVAL);
        metric[1].type = OTEL_METRIC_GAUGE;
        metric[3].nbounds = OTEL_HIST_BOUNDS + 1;
        CHECK(otel_encode_metrics(protocol, &resource, &snapshot, &out) == PROVA_EINVAL);
        metric[3].nbounds = 5;
        points[0].nlabel = OTEL_POINT_LABELS + 1;
        CHECK(otel_encode_metrics(protocol, &resource, &snapshot, &out) == PROVA_EINVAL);
        points[0].nlabel = 2;
        CHECK(out.len == 2 && memcmp(out.data, "xy", 2) == 0);
        prova_buf_free(&out);
    }
}

/* The bytes after a prefix are the bytes of a fresh encoding. */
static void test_append(void) {
    for (int signal = 0; signal < 3; signal++) {
        for (int protocol = 0; protocol < 2; protocol++) {
            prova_buf fresh = PROVA_BUF_INIT, after = PROVA_BUF_INIT;
            CHECK(encode(signal, protocol, &fresh) == 0);
            CHECK(prova_buf_append(&after, "0123456789", 10) == 0);
            CHECK(encode(signal, protocol, &after) == 0);
            CHECK(after.len == fresh.len + 10 && memcmp(after.data + 10, fresh.data, fresh.len) == 0);
            prova_buf_free(&fresh);
            prova_buf_free(&after);
        }
    }
}

/* An allocator that fails once `budget` reallocations have been made. */
static int budget;
static void *limited_malloc(void *ctx, size_t n) {
    (void)ctx;
    return budget-- > 0 ? malloc(n ? n : 1) : NULL;
}
static void *limited_realloc(void *ctx, void *p, size_t old, size_t n) {
    (void)ctx;
    (void)old;
    return budget-- > 0 ? realloc(p, n ? n : 1) : NULL;
}
static void limited_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}
static const prova_allocator limited = {limited_malloc, limited_realloc, limited_free, NULL};

/* Allocation failures at every point: PROVA_ENOMEM with out as it was, until there is room and the bytes are those of
 * a fresh encoding. The buffer starts small (16 bytes) so that it grows many times. */
static void test_enomem(void) {
    for (int signal = 0; signal < 3; signal++) {
        for (int protocol = 0; protocol < 2; protocol++) {
            prova_buf fresh = PROVA_BUF_INIT;
            CHECK(encode(signal, protocol, &fresh) == 0);
            int n;
            for (n = 0; n < 64; n++) {
                prova_buf out = {NULL, 0, 0, &limited};
                budget = 1;
                CHECK(prova_buf_reserve(&out, 16) == 0 && prova_buf_append(&out, "prefix", 6) == 0);
                budget = n;
                int rc = encode(signal, protocol, &out);
                bool same = out.len == 6 && memcmp(out.data, "prefix", 6) == 0;
                if (rc == PROVA_ENOMEM) {
                    CHECK_MSG(same, "signal %d protocol %d budget %d: out changed", signal, protocol, n);
                } else {
                    CHECK_MSG(rc == 0 && out.len == fresh.len + 6 && memcmp(out.data + 6, fresh.data, fresh.len) == 0,
                              "signal %d protocol %d budget %d: %d", signal, protocol, n, rc);
                }
                budget = 1000;
                prova_buf_free(&out);
                if (rc == 0) break;
            }
            CHECK_MSG(n > 0 && n < 64, "signal %d protocol %d: %d", signal, protocol, n);
            prova_buf_free(&fresh);
        }
    }
}

static bool contains(const prova_buf *b, const void *needle, size_t n) {
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, needle, n) == 0) return true;
    return false;
}

/* A few wire forms checked byte by byte, independently of protobufjs. */
static void test_wire(void) {
    prova_buf b = PROVA_BUF_INIT;
    CHECK(otel_encode_traces(OTEL_PROTOBUF, &resource, span_ptr, 3, &b) == 0);
    /* ExportTraceServiceRequest.resource_spans (1, LEN) first */
    CHECK(b.len > 2 && b.data[0] == 0x0a);
    /* AnyValue.int_value = -42: tag 0x18, ten bytes of two's complement */
    static const uint8_t neg42[] = {0x18, 0xd6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(contains(&b, neg42, sizeof neg42));
    /* AnyValue.bool_value = false: tag 0x10, 0, as the whole AnyValue (length 2) */
    static const uint8_t bool_false[] = {0x12, 0x02, 0x10, 0x00};
    CHECK(contains(&b, bool_false, sizeof bool_false));
    /* Span.flags (16, I32): tag 0x85 0x01, 1 */
    static const uint8_t flags[] = {0x85, 0x01, 0x01, 0x00, 0x00, 0x00};
    CHECK(contains(&b, flags, sizeof flags));
    /* Span.trace_id (1, LEN 16) */
    uint8_t tid[18] = {0x0a, 16};
    memcpy(tid + 2, TRACE_ID, 16);
    CHECK(contains(&b, tid, sizeof tid));
    prova_buf_free(&b);

    CHECK(otel_encode_metrics(OTEL_PROTOBUF, &resource, &snapshot, &b) == 0);
    /* NumberDataPoint.as_int = -3 (6, sfixed64) */
    static const uint8_t as_int[] = {0x31, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(contains(&b, as_int, sizeof as_int));
    prova_buf_free(&b);

    CHECK(otel_encode_traces(OTEL_JSON, &resource, span_ptr, 3, &b) == 0);
#define CONTAINS(b, lit) contains(b, lit, sizeof lit - 1)
    CHECK(CONTAINS(&b, "\"intValue\":\"-9223372036854775808\""));
    CHECK(CONTAINS(&b, "\"doubleValue\":\"-Infinity\""));
    CHECK(CONTAINS(&b, "\"doubleValue\":0.1}"));
    CHECK(CONTAINS(&b, "\"traceId\":\"5b8efff798038103d269b633813fc60c\""));
    prova_buf_free(&b);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A batch of 512 spans (the default OTEL_BSP_MAX_EXPORT_BATCH_SIZE) like the server span above: the best of 20
 * runs per encoding, printed; over 5 ms fails (protobuf takes about 0.09 ms, JSON 1 ms; the bound leaves room for a
 * busy machine). Printed only in an unoptimized or ASan build, or with PROVA_NO_TIMING set (valgrind). */
static void test_batch_time(void) {
    enum { N = 512 };
    const otel_span_data **batch = malloc(N * sizeof *batch);
    CHECK(batch != NULL);
    if (!batch) return;
    for (int i = 0; i < N; i++) batch[i] = &spans[i % 3];
    for (int protocol = 0; protocol < 2; protocol++) {
        prova_buf b = PROVA_BUF_INIT;
        double best = 1e9;
        for (int run = 0; run < 20; run++) {
            b.len = 0;
            double t = now_s();
            int rc = otel_encode_traces(protocol, &resource, batch, N, &b);
            t = now_s() - t;
            CHECK(rc == 0);
            if (t < best) best = t;
        }
        printf("512 spans, %s: %zu bytes in %.3f ms\n", protocol ? "json" : "protobuf", b.len, best * 1e3);
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
        if (!getenv("PROVA_NO_TIMING")) CHECK_MSG(best < 0.005, "%.3f ms", best * 1e3);
#endif
        prova_buf_free(&b);
    }
    free(batch);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: encode_test DIR\n");
        return 2;
    }
    fill_resource();
    fill_spans();
    fill_logs();
    fill_metrics();

    static const char *const names[3][2] = {
        {"traces.pb", "traces.json"}, {"logs.pb", "logs.json"}, {"metrics.pb", "metrics.json"}};
    for (int signal = 0; signal < 3; signal++) {
        for (int protocol = 0; protocol < 2; protocol++) {
            prova_buf out = PROVA_BUF_INIT;
            int rc = encode(signal, protocol, &out);
            CHECK_MSG(rc == 0, "%s: %d", names[signal][protocol], rc);
            if (rc == 0) write_file(argv[1], names[signal][protocol], &out);
            prova_buf_free(&out);
        }
    }
    test_wire();
    test_append();
    test_enomem();
    test_refusals();
    /* The data is as it was after the refusals: the files written above are written again, the same. */
    test_append();
    test_batch_time();
    TEST_SUMMARY();
}
