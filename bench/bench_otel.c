/* The CPU cost of one traced span, end to end: made on this thread with the attributes of a typical server span
 * (start, 8 attributes, an event, end), queued, encoded as OTLP protobuf and POSTed by the exporter's thread to the
 * endpoint of OTEL_EXPORTER_OTLP_ENDPOINT (bench/otel.sh passes its sink), paced so that none is dropped. Prints
 * the process's CPU time (both threads) per span. bench/README.md "OpenTelemetry".
 *   bench_otel [SPANS]      (default 1000000) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "otel.h"

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    static otel_config cfg;
    char err[512];
    otel *o = NULL;
    if (otel_config_from_env(&cfg, "bench", err, sizeof err) != 0 || otel_open(&cfg, &o, err, sizeof err) != 0 || !o) {
        fprintf(stderr, "bench_otel: set OTEL_EXPORTER_OTLP_ENDPOINT (%s)\n", err);
        return 2;
    }
    otel_ctx parent;
    otel_ctx_parse(&parent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", NULL);
    double c0 = cpu_s(), w0 = wall_s();
    for (long i = 0; i < n; i++) {
        otel_span *s = otel_span_start(o, &parent, "POST /v1/odin/envelope", OTEL_KIND_SERVER);
        otel_span_str(s, "http.request.method", "POST");
        otel_span_str(s, "url.path", "/v1/odin/envelope");
        otel_span_str(s, "url.scheme", "http");
        otel_span_str(s, "http.route", "/v1/odin/envelope");
        otel_span_str(s, "client.address", "127.0.0.1");
        otel_span_int(s, "client.port", 40000 + i % 1000);
        otel_span_str(s, "prova.ope.trace_id", "trace-0001");
        otel_attr ev =
            OTEL_STR("prova.receipt.hash", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        otel_span_event(s, "prova.receipt", &ev, 1);
        otel_span_int(s, "http.response.status_code", 200);
        otel_span_end(s);
        /* paced so that nothing is dropped: at most a queue's worth waits for the exporter */
        otel_stats st;
        if (i % 256 == 255)
            for (otel_stats_get(o, &st); st.queued[OTEL_TRACES] > 1024; otel_stats_get(o, &st)) {
                struct timespec t = {0, 200000};
                nanosleep(&t, NULL);
            }
    }
    double w1 = wall_s();
    otel_stats st;
    for (otel_stats_get(o, &st); st.queued[OTEL_TRACES] > 0; otel_stats_get(o, &st)) {
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
    otel_stats_get(o, &st);
    double c1 = cpu_s();
    otel_close(o);
    printf("{\"spans\": %ld, \"cpu_ns_per_span\": %.0f, \"wall_ns_per_span\": %.0f, \"dropped\": %llu}\n", n,
           (c1 - c0) / (double)n * 1e9, (w1 - w0) / (double)n * 1e9, (unsigned long long)st.dropped[OTEL_TRACES]);
    return 0;
}
