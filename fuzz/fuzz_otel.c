/* libFuzzer target: what the telemetry layer reads from outside (src/otel) — a W3C traceparent and tracestate (every
 * HTTP request's headers, an MCP request's _meta), the OTEL_* variables (headers and resource attribute lists,
 * endpoints, numbers), and strings of any bytes as span and log attributes through both OTLP encoders.
 * Invariants: no crash, leak or UB; a parsed traceparent is written back in its canonical form and parses again to
 * the same ids; an encoding that fails leaves its buffer as it was; a string that is not UTF-8 is refused. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "otel.h"
#include "utf8.h"

/* The input split at its first two NUL bytes into three strings (empty when the input has fewer); *a is the copy. */
static void split(const uint8_t *data, size_t size, char **a, char **b, char **c) {
    char *s = malloc(size + 3);
    memcpy(s, data, size);
    s[size] = s[size + 1] = s[size + 2] = '\0'; /* so that b and c stay inside: at most s + size + 2 */
    *a = s;
    *b = *a + strlen(*a) + 1;
    *c = *b + strlen(*b) + 1;
}

static void fuzz_traceparent(const char *tp, const char *ts) {
    otel_ctx c;
    if (otel_ctx_parse(&c, tp, ts) != 0) {
        ASSERT(!c.valid);
        return;
    }
    char out[OTEL_TRACEPARENT_LEN + 1];
    otel_ctx_traceparent(&c, out);
    ASSERT(strlen(out) == OTEL_TRACEPARENT_LEN);
    otel_ctx again;
    ASSERT(otel_ctx_parse(&again, out, c.tracestate) == 0);
    ASSERT(memcmp(again.trace_id, c.trace_id, 16) == 0 && memcmp(again.span_id, c.span_id, 8) == 0);
    ASSERT(strlen(c.tracestate) <= OTEL_TRACESTATE_MAX);
}

typedef struct vars {
    const char *value;
} vars;

/* Every variable the configuration reads gets the fuzzed value, except the endpoint (so that exporters are made). */
static const char *lookup(void *ctx, const char *name) {
    if (strcmp(name, "OTEL_EXPORTER_OTLP_ENDPOINT") == 0) return "http://127.0.0.1:9";
    if (strcmp(name, "OTEL_SDK_DISABLED") == 0) return NULL;
    return ((vars *)ctx)->value;
}

static void fuzz_config(const char *value) {
    static otel_config cfg;
    char err[512];
    vars v = {value};
    int rc = otel_config_load(&cfg, lookup, &v, "fuzz", err, sizeof err);
    ASSERT(rc == 0 || (rc == -1 && err[0]));
    ASSERT(otel_resource_attributes_each(value, NULL, NULL, err, sizeof err) == 0 || err[0]);
}

static void fuzz_encode(const char *a, const char *b) {
    static otel_span_data sd;
    static otel_log_data ld;
    memset(&sd, 0, sizeof sd);
    memset(&ld, 0, sizeof ld);
    sd.trace_id[0] = sd.span_id[0] = 1;
    sd.name = a;
    sd.tracestate = "";
    sd.status_msg = b;
    sd.status = OTEL_STATUS_ERROR;
    sd.kind = OTEL_KIND_SERVER;
    sd.attr[0] = OTEL_STR(a, b);
    sd.attr[1] = OTEL_INT("n", (int64_t)strlen(b) - 7);
    sd.nattr = 2;
    sd.event[0].name = b;
    sd.event[0].attr[0] = OTEL_STR("k", a);
    sd.event[0].nattr = 1;
    sd.nevent = 1;
    ld.body = a;
    ld.event_name = "";
    ld.severity_text = "INFO";
    ld.attr[0] = OTEL_STR(b, a);
    ld.nattr = 1;
    static otel_resource res;
    res.scope_name = "prova";
    res.scope_version = "0";
    res.nattr = 0;
    bool utf8 = prova_utf8_valid((const uint8_t *)a, strlen(a)) && prova_utf8_valid((const uint8_t *)b, strlen(b));
    const otel_span_data *spans[1] = {&sd};
    const otel_log_data *logs[1] = {&ld};
    for (int p = OTEL_PROTOBUF; p <= OTEL_JSON; p++) {
        prova_buf out = PROVA_BUF_INIT;
        ASSERT(prova_buf_append(&out, "x", 1) == 0);
        int rc = otel_encode_traces(p, &res, spans, 1, &out);
        ASSERT(utf8 ? rc == 0 : (rc == PROVA_EINVAL && out.len == 1));
        rc = otel_encode_logs(p, &res, logs, 1, &out);
        ASSERT(utf8 ? rc == 0 : (rc == PROVA_EINVAL && out.len == 1));
        prova_buf_free(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *a, *b, *c;
    split(data, size, &a, &b, &c);
    fuzz_traceparent(a, b);
    fuzz_config(c);
    fuzz_encode(a, b);
    free(a);
    return 0;
}
