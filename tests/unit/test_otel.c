/* The telemetry layer's configuration and trace context (src/otel): the OTEL_* variables with the specification's
 * defaults and precedence, refusals that name the variable, W3C traceparent parsing against the specification's
 * rules, the samplers, and spans' limits. The exporter itself is tested over HTTP (tests/otel). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "otel.h"

/* A fake environment: NAME=VALUE strings. */
typedef struct env {
    const char *const *kv;
} env;

static const char *lookup(void *ctx, const char *name) {
    const env *e = ctx;
    size_t n = strlen(name);
    for (const char *const *p = e->kv; *p; p++)
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=') return *p + n + 1;
    return NULL;
}

static otel_config cfg; /* large: not on the stack */
static char err[512];

static int load(const char *const *kv) {
    env e = {kv};
    return otel_config_load(&cfg, lookup, &e, "prova", err, sizeof err);
}

static void test_config(void) {
    const char *none[] = {NULL};
    CHECK(load(none) == 0);
    CHECK(!otel_config_active(&cfg)); /* nothing set: nothing exported, no thread */
    CHECK_STR(cfg.service_name, "prova");
    CHECK(cfg.sampler == OTEL_SAMPLER_PARENT_ON);
    CHECK(cfg.schedule_delay_ms[OTEL_TRACES] == 5000 && cfg.max_queue[OTEL_TRACES] == 2048 &&
          cfg.max_batch[OTEL_TRACES] == 512 && cfg.export_timeout_ms[OTEL_TRACES] == 30000);
    CHECK(cfg.schedule_delay_ms[OTEL_LOGS] == 1000);
    CHECK(cfg.metric_interval_ms == 60000);

    const char *base[] = {"OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318", NULL};
    CHECK(load(base) == 0);
    CHECK(otel_config_active(&cfg));
    CHECK_STR(cfg.exporter[OTEL_TRACES].url, "http://collector:4318/v1/traces");
    CHECK_STR(cfg.exporter[OTEL_METRICS].url, "http://collector:4318/v1/metrics");
    CHECK_STR(cfg.exporter[OTEL_LOGS].url, "http://collector:4318/v1/logs");
    CHECK(cfg.exporter[OTEL_TRACES].protocol == OTEL_PROTOBUF && !cfg.exporter[OTEL_TRACES].gzip);
    CHECK(cfg.exporter[OTEL_TRACES].timeout_ms == 10000);

    /* a base with a path and a trailing slash; a signal's own endpoint is used as is; per-signal settings win */
    const char *mixed[] = {"OTEL_EXPORTER_OTLP_ENDPOINT=https://c.example/otlp/",
                           "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://t.example:9/x",
                           "OTEL_EXPORTER_OTLP_PROTOCOL=http/json",
                           "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=http/protobuf",
                           "OTEL_EXPORTER_OTLP_COMPRESSION=gzip",
                           "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT=2500",
                           "OTEL_EXPORTER_OTLP_HEADERS=api-key=s%20e%2Ccret , x-tenant = a",
                           "OTEL_EXPORTER_OTLP_LOGS_HEADERS=only=logs",
                           "OTEL_METRICS_EXPORTER=none",
                           NULL};
    CHECK(load(mixed) == 0);
    CHECK_STR(cfg.exporter[OTEL_TRACES].url, "http://t.example:9/x");
    CHECK_STR(cfg.exporter[OTEL_LOGS].url, "https://c.example/otlp/v1/logs");
    CHECK_STR(cfg.exporter[OTEL_METRICS].url, ""); /* OTEL_METRICS_EXPORTER=none */
    CHECK(cfg.exporter[OTEL_TRACES].protocol == OTEL_JSON && cfg.exporter[OTEL_LOGS].protocol == OTEL_PROTOBUF);
    CHECK(cfg.exporter[OTEL_TRACES].gzip && cfg.exporter[OTEL_LOGS].gzip);
    CHECK(cfg.exporter[OTEL_TRACES].nheaders == 2);
    CHECK_STR(cfg.exporter[OTEL_TRACES].header_name[0], "api-key");
    CHECK_STR(cfg.exporter[OTEL_TRACES].header_value[0], "s e,cret");
    CHECK_STR(cfg.exporter[OTEL_TRACES].header_name[1], "x-tenant");
    CHECK_STR(cfg.exporter[OTEL_TRACES].header_value[1], "a");
    CHECK(cfg.exporter[OTEL_LOGS].nheaders == 1);
    CHECK_STR(cfg.exporter[OTEL_LOGS].header_name[0], "only");

    /* TLS files: per signal or for all, checked readable */
    const char *tls[] = {"OTEL_EXPORTER_OTLP_ENDPOINT=https://c:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE=/dev/null",
                         "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE=/dev/null",
                         "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY=/dev/null", NULL};
    CHECK(load(tls) == 0);
    CHECK_STR(cfg.exporter[OTEL_LOGS].ca_file, "/dev/null");
    CHECK_STR(cfg.exporter[OTEL_TRACES].client_cert, "/dev/null");
    CHECK_STR(cfg.exporter[OTEL_LOGS].client_cert, "");

    /* an exporter asked for by name with no endpoint: the specification's default endpoint */
    const char *named[] = {"OTEL_TRACES_EXPORTER=otlp", NULL};
    CHECK(load(named) == 0);
    CHECK_STR(cfg.exporter[OTEL_TRACES].url, "http://localhost:4318/v1/traces");
    CHECK_STR(cfg.exporter[OTEL_LOGS].url, "");

    const char *disabled[] = {"OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318", "OTEL_SDK_DISABLED=TRUE", NULL};
    CHECK(load(disabled) == 0);
    CHECK(!otel_config_active(&cfg));

    /* service.name: OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES, else the default */
    const char *svc[] = {"OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=prod,service.name=from-attrs", NULL};
    CHECK(load(svc) == 0);
    CHECK_STR(cfg.service_name, "from-attrs");
    const char *svc2[] = {"OTEL_RESOURCE_ATTRIBUTES=service.name=from-attrs", "OTEL_SERVICE_NAME=gw-1", NULL};
    CHECK(load(svc2) == 0);
    CHECK_STR(cfg.service_name, "gw-1");

    const char *sampler[] = {"OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG=0.25",
                             "OTEL_BSP_MAX_QUEUE_SIZE=100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=500", NULL};
    CHECK(load(sampler) == 0);
    CHECK(cfg.sampler == OTEL_SAMPLER_PARENT_RATIO && cfg.sampler_ratio == 0.25);
    CHECK(cfg.max_queue[OTEL_TRACES] == 100 && cfg.max_batch[OTEL_TRACES] == 100); /* batch capped by the queue */

    /* refusals name the variable */
    static const struct {
        const char *kv, *names;
    } bad[] = {
        {"OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=ftp://x/", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "gRPC is not supported"},
        {"OTEL_EXPORTER_OTLP_COMPRESSION=zstd", "OTEL_EXPORTER_OTLP_COMPRESSION"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT=10s", "OTEL_EXPORTER_OTLP_TIMEOUT"},
        {"OTEL_EXPORTER_OTLP_HEADERS=novalue", "OTEL_EXPORTER_OTLP_HEADERS"},
        {"OTEL_EXPORTER_OTLP_HEADERS=a=%zz", "OTEL_EXPORTER_OTLP_HEADERS"},
        {"OTEL_EXPORTER_OTLP_HEADERS=bad name=v", "not a header name"},
        {"OTEL_EXPORTER_OTLP_HEADERS=a=line%0Abreak", "control character"},
        {"OTEL_TRACES_SAMPLER=sometimes", "OTEL_TRACES_SAMPLER"},
        {"OTEL_TRACES_SAMPLER_ARG=1.5", "OTEL_TRACES_SAMPLER_ARG"},
        {"OTEL_BSP_MAX_QUEUE_SIZE=-1", "OTEL_BSP_MAX_QUEUE_SIZE"},
        {"OTEL_SDK_DISABLED=maybe", "OTEL_SDK_DISABLED"},
        {"OTEL_LOGS_EXPORTER=console", "OTEL_LOGS_EXPORTER"},
        {"OTEL_RESOURCE_ATTRIBUTES=a=b,=c", "OTEL_RESOURCE_ATTRIBUTES"},
        {"OTEL_EXPORTER_OTLP_CERTIFICATE=/nonexistent/ca.pem",
         "OTEL_EXPORTER_OTLP_CERTIFICATE=/nonexistent/ca.pem: No such"},
        {"OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY=/dev/null", "go together"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *kv[] = {"OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318", "OTEL_TRACES_SAMPLER=traceidratio", bad[i].kv,
                            NULL};
        if (strncmp(bad[i].kv, "OTEL_EXPORTER_OTLP_ENDPOINT=", 28) == 0) kv[0] = "OTEL_SERVICE_NAME=x";
        if (strncmp(bad[i].kv, "OTEL_TRACES_SAMPLER=", 20) == 0) kv[1] = "OTEL_SERVICE_NAME=y";
        err[0] = '\0';
        CHECK_MSG(load(kv) == -1 && strstr(err, bad[i].names), "%s: %s", bad[i].kv, err);
    }
}

static void test_traceparent(void) {
    otel_ctx c;
    const char *good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    CHECK(otel_ctx_parse(&c, good, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7") == 0);
    CHECK(c.valid && c.flags == 1 && c.trace_id[0] == 0x4b && c.span_id[7] == 0xb7);
    CHECK_STR(c.tracestate, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    char tp[OTEL_TRACEPARENT_LEN + 1];
    otel_ctx_traceparent(&c, tp);
    CHECK_STR(tp, good);
    /* a later version may be longer, after a '-'; its unknown flags are not passed on */
    CHECK(otel_ctx_parse(&c, "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future-holds", NULL) ==
          0);
    CHECK(c.valid && c.flags == 1);
    static const char *const bad[] = {
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   /* version ff */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   /* zero trace id */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   /* zero span id */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   /* upper case */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", /* version 00 is exactly 55 */
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",   /* dashes in the wrong places */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",   /* flags not hex */
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  /* a longer later version without '-' */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      /* short */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(otel_ctx_parse(&c, bad[i], NULL) == -1 && !c.valid, "%s", bad[i]);
        otel_ctx_traceparent(&c, tp);
        CHECK_STR(tp, "");
    }
    CHECK(otel_ctx_parse(&c, NULL, NULL) == -1);
    /* a tracestate over 512 bytes or with a control character is dropped, the context kept */
    char longts[600];
    memset(longts, 'a', sizeof longts - 1);
    longts[sizeof longts - 1] = '\0';
    longts[1] = '=';
    CHECK(otel_ctx_parse(&c, good, longts) == 0 && c.tracestate[0] == '\0');
    CHECK(otel_ctx_parse(&c, good, "a=b\nc=d") == 0 && c.tracestate[0] == '\0');
}

/* The samplers and spans, through a real exporter object pointing at an address nothing listens on (no span is
 * ever sent: only their contexts are looked at, and recording spans are dropped at close). */
static otel *open_with(const char *const *kv) {
    CHECK(load(kv) == 0);
    otel *o = NULL;
    CHECK(otel_open(&cfg, &o, err, sizeof err) == 0 && o);
    return o;
}

static void test_sampling(void) {
    const char *on[] = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:9/v1/traces",
                        "OTEL_BSP_EXPORT_TIMEOUT=200", NULL};
    otel *o = open_with(on);
    otel_ctx parent, child;
    /* parentbased_always_on: a root records; a child follows its parent's sampled flag */
    otel_span *s = otel_span_start(o, NULL, "root", OTEL_KIND_SERVER);
    CHECK(otel_span_recording(s));
    otel_span_context(s, &child);
    CHECK(child.valid && (child.flags & 1));
    CHECK(otel_ctx_parse(&parent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "k=v") == 0);
    otel_span *u = otel_span_start(o, &parent, "unsampled", OTEL_KIND_SERVER);
    CHECK(u && !otel_span_recording(u));
    otel_span_context(u, &child);
    /* the same trace, a new span id, the flag clear, the tracestate passed on */
    CHECK(child.valid && memcmp(child.trace_id, parent.trace_id, 16) == 0 && !(child.flags & 1));
    CHECK(memcmp(child.span_id, parent.span_id, 8) != 0);
    CHECK_STR(child.tracestate, "k=v");
    otel_span_str(u, "ignored", "x"); /* no-ops on a span that does not record */
    otel_span_end(u);
    otel_span *k = otel_span_child(o, s, "child", OTEL_KIND_INTERNAL);
    otel_ctx kc, sc;
    otel_span_context(k, &kc);
    otel_span_context(s, &sc);
    CHECK(memcmp(kc.trace_id, sc.trace_id, 16) == 0 && (kc.flags & 1));
    otel_span_end(k);
    otel_span_end(s);
    otel_close(o);

    /* traceidratio 0.25: about a quarter of the roots, decided by the trace id alone */
    const char *ratio[] = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:9/v1/traces",
                           "OTEL_TRACES_SAMPLER=traceidratio",
                           "OTEL_TRACES_SAMPLER_ARG=0.25",
                           "OTEL_BSP_EXPORT_TIMEOUT=200",
                           "OTEL_BSP_MAX_QUEUE_SIZE=4000",
                           NULL};
    o = open_with(ratio);
    int rec = 0;
    for (int i = 0; i < 4000; i++) {
        otel_span *r = otel_span_start(o, NULL, "r", OTEL_KIND_INTERNAL);
        rec += otel_span_recording(r);
        otel_span_context(r, &child);
        /* the same decision for a remote parent with that trace id under traceidratio (not parent-based) */
        if (i < 50) {
            otel_span *again = otel_span_start(o, &child, "again", OTEL_KIND_INTERNAL);
            CHECK(otel_span_recording(again) == otel_span_recording(r));
            otel_span_end(again);
        }
        otel_span_end(r);
    }
    CHECK_MSG(rec > 850 && rec < 1150, "%d of 4000 sampled", rec);
    otel_close(o);

    /* no traces endpoint: spans exist (their context propagates) but never record */
    const char *logs_only[] = {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=http://127.0.0.1:9/v1/logs", NULL};
    o = open_with(logs_only);
    s = otel_span_start(o, NULL, "x", OTEL_KIND_SERVER);
    CHECK(s && !otel_span_recording(s));
    otel_span_end(s);
    otel_close(o);

    /* NULL everywhere is a no-op */
    CHECK(otel_span_start(NULL, NULL, "x", OTEL_KIND_SERVER) == NULL);
    otel_span_str(NULL, "k", "v");
    otel_span_end(NULL);
    otel_log(NULL, NULL, OTEL_SEV_INFO, NULL, "x", NULL, 0);
    otel_close(NULL);
    otel_span_context(NULL, &child);
    CHECK(!child.valid);
}

int main(void) {
    test_config();
    test_traceparent();
    test_sampling();
    TEST_SUMMARY();
}
