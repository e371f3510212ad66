/* The spans of an MCP request and of the service below it (docs/observability.md "Spans"), counted without a
 * receiver: the exporter is configured with an endpoint and a schedule delay of ten minutes, so every span that
 * records stays in its queue (otel_stats.queued), and one that does not record is never queued. The parent's
 * sampled flag decides (the default sampler is parentbased_always_on), which shows whose child each span is: the
 * traceparent in params._meta, else the transport's context, else a new trace; the service's spans (prova.verify,
 * prova.canonical.encode) follow the MCP span's decision because they are its children. The spans' contents are
 * checked end to end by the OTLP tests (a receiver decoding what is sent). */
#define _GNU_SOURCE /* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "harness.h"
#include "mcp.h"
#include "otel.h"

static const char *lookup(void *ctx, const char *name) {
    (void)ctx;
    static const char *const vars[][2] = {
        /* nothing listens there: the queue is not exported before otel_close, which gives up within the timeout */
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:9/v1/traces"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT", "200"},
        {"OTEL_BSP_SCHEDULE_DELAY", "600000"},
        {"OTEL_METRICS_EXPORTER", "none"},
        {"OTEL_LOGS_EXPORTER", "none"},
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (strcmp(name, vars[i][0]) == 0) return vars[i][1];
    return NULL;
}

static otel *tel;
static mcp_session *ss;

static unsigned queued(void) {
    otel_stats st;
    otel_stats_get(tel, &st);
    return st.queued[OTEL_TRACES];
}

/* The spans one message adds to the queue (transport: the transport's context, or NULL). */
static unsigned spans_of(const char *msg, const otel_ctx *transport, const char *want_in_reply) {
    unsigned before = queued();
    prova_buf out = PROVA_BUF_INIT;
    int rc = mcp_handle(ss, (const uint8_t *)msg, strlen(msg), transport, &out);
    CHECK_MSG(rc == 0, "mcp_handle: %d", rc);
    if (want_in_reply) {
        bool found = out.len && memmem(out.data, out.len, want_in_reply, strlen(want_in_reply)) != NULL;
        CHECK_MSG(found, "the reply lacks %s: %.*s", want_in_reply, (int)out.len, out.data ? (char *)out.data : "");
    }
    prova_buf_free(&out);
    return queued() - before;
}

#define TP_SAMPLED   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
#define TP_UNSAMPLED "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
#define VERIFY(meta)                                                                                                   \
    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{" meta "\"name\":\"verify\","                 \
    "\"arguments\":{\"document\":{\"hello\":\"world\"}}}}"
#define CANON(meta)                                                                                                    \
    "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{" meta "\"name\":\"canonicalize_value\"," \
    "\"arguments\":{\"value_json\":\"{\\\"b\\\":1,\\\"a\\\":2}\"}}}"

int main(void) {
    otel_config cfg;
    char err[256];
    CHECK_MSG(otel_config_load(&cfg, lookup, NULL, "prova-test", err, sizeof err) == 0, "%s", err);
    CHECK_MSG(otel_open(&cfg, &tel, err, sizeof err) == 0 && tel, "%s", err);
    if (!tel) TEST_SUMMARY();
    app_config ac;
    app_config_defaults(&ac);
    ac.data_dir = NULL; /* no store: document operations only */
    ac.otel = tel;
    app *a = NULL;
    CHECK(app_open(&ac, &a) == 0 && a);
    mcp_config mc = {0};
    mc.a = a;
    mc.quiet = true;
    mcp_server *s = a ? mcp_server_new(&mc) : NULL;
    ss = s ? mcp_session_new(s, NULL) : NULL;
    CHECK(ss != NULL);
    if (!ss) TEST_SUMMARY();

    /* initialize is a request: its span. The notification after it is not one. */
    CHECK(spans_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                   "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                   NULL, "protocolVersion") == 1);
    CHECK(spans_of("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", NULL, NULL) == 0);
    CHECK(spans_of("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", NULL, "\"result\":{}") == 1);
    /* An error answer has a span too (its status is the error). */
    CHECK(spans_of("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such\"}", NULL, "-32601") == 1);

    /* tools/call verify: the MCP span and the service's prova.verify under it. */
    CHECK(spans_of(VERIFY(""), NULL, "\"isError\":false") == 2);
    /* canonicalize_value: the MCP span and prova.canonical.encode. */
    CHECK(spans_of(CANON(""), NULL, "\"isError\":false") == 2);

    /* params._meta.traceparent is the parent: not sampled, nothing records, the service's spans included. */
    CHECK(spans_of(VERIFY("\"_meta\":{\"traceparent\":\"" TP_UNSAMPLED "\"},"), NULL, "\"isError\":false") == 0);
    CHECK(spans_of(CANON("\"_meta\":{\"traceparent\":\"" TP_UNSAMPLED "\"},"), NULL, "\"isError\":false") == 0);
    CHECK(spans_of(VERIFY("\"_meta\":{\"traceparent\":\"" TP_SAMPLED "\",\"tracestate\":\"k=v\"},"), NULL,
                   "\"isError\":false") == 2);
    /* An invalid traceparent is no parent (a new trace, sampled). */
    CHECK(spans_of(VERIFY("\"_meta\":{\"traceparent\":\"00-zz-00f067aa0ba902b7-00\"},"), NULL, "\"isError\":false") ==
          2);

    /* Without _meta, the transport's context is the parent; with _meta, _meta wins. */
    otel_ctx unsampled, sampled;
    CHECK(otel_ctx_parse(&unsampled, TP_UNSAMPLED, NULL) == 0);
    CHECK(otel_ctx_parse(&sampled, TP_SAMPLED, NULL) == 0);
    CHECK(spans_of(VERIFY(""), &unsampled, "\"isError\":false") == 0);
    CHECK(spans_of(VERIFY(""), &sampled, "\"isError\":false") == 2);
    CHECK(spans_of(VERIFY("\"_meta\":{\"traceparent\":\"" TP_SAMPLED "\"},"), &unsampled, "\"isError\":false") == 2);
    CHECK(spans_of(VERIFY("\"_meta\":{\"traceparent\":\"" TP_UNSAMPLED "\"},"), &sampled, "\"isError\":false") == 0);

    /* A batch: one span per request in it. */
    CHECK(spans_of("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":"
                   "\"tools/list\"}]",
                   NULL, "\"tools\"") == 2);

    mcp_session_free(ss);
    mcp_server_free(s);
    app_close(a);
    otel_close(tel);
    TEST_SUMMARY();
}
