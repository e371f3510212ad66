/* OpenTelemetry for the command line: the exporter opened from the OTEL_* environment, with the flags of `prova
 * serve` (and their config-file keys) standing in for the variables they name. docs/observability.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "otel.h"

typedef struct lookup_ctx {
    const cli_otel_opts *opts;
} lookup_ctx;

static const char *lookup(void *ctx, const char *name) {
    const cli_otel_opts *o = ((lookup_ctx *)ctx)->opts;
    if (o) {
        const struct {
            const char *name, *value;
        } flags[] = {
            {"OTEL_EXPORTER_OTLP_ENDPOINT", o->endpoint},
            {"OTEL_EXPORTER_OTLP_PROTOCOL", o->protocol},
            {"OTEL_EXPORTER_OTLP_HEADERS", o->headers},
            {"OTEL_EXPORTER_OTLP_COMPRESSION", o->compression},
            {"OTEL_SERVICE_NAME", o->service_name},
            {"OTEL_TRACES_SAMPLER", o->sampler},
            {"OTEL_TRACES_SAMPLER_ARG", o->sampler_arg},
            {"OTEL_METRIC_EXPORT_INTERVAL", o->metric_interval},
            {"OTEL_SDK_DISABLED", o->disabled ? "true" : NULL},
        };
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
            if (flags[i].value && strcmp(flags[i].name, name) == 0) return flags[i].value;
    }
    return getenv(name);
}

int cli_otel_open(const cli_otel_opts *opts, const char *default_service, otel **ret) {
    *ret = NULL;
    otel_config *c = malloc(sizeof *c); /* about 70 KB: not on the stack */
    if (!c) return cli_fail(EXIT_INTERNAL, "out of memory");
    lookup_ctx lc = {opts};
    char err[512];
    int rc = EXIT_OK;
    if (otel_config_load(c, lookup, &lc, default_service, err, sizeof err) != 0)
        rc = cli_fail(EXIT_USAGE, "telemetry: %s", err);
    else if (otel_open(c, ret, err, sizeof err) != 0)
        rc = cli_fail(EXIT_INTERNAL, "telemetry: %s", err);
    free(c);
    return rc;
}

/* ---- A span per command ------------------------------------------------------------------------------------------ */

/* The command's exporter and span, like the failure kept for --json (util.c): one command runs per process. */
static struct {
    otel *o;
    otel_span *span;
    otel_ctx ctx; /* what outgoing calls propagate (cli_telemetry_ctx) */
} run;

void cli_telemetry_begin(const char *command) {
    otel_config *c = malloc(sizeof *c);
    if (!c) return;
    lookup_ctx lc = {NULL};
    char err[512];
    /* A command's job is its own: a bad telemetry setting is said once and the command runs without it. */
    if (otel_config_load(c, lookup, &lc, "prova-cli", err, sizeof err) != 0) {
        fprintf(stderr, "prova: telemetry is off: %s\n", err);
    } else if (otel_config_active(c) && otel_open(c, &run.o, err, sizeof err) != 0) {
        fprintf(stderr, "prova: telemetry is off: %s\n", err);
        run.o = NULL;
    }
    free(c);
    if (!run.o) return;
    /* The caller's context, as the environment carries it (TRACEPARENT, TRACESTATE: the names the OpenTelemetry
     * specification gives for environment carriers). */
    otel_ctx parent;
    otel_ctx_parse(&parent, getenv("TRACEPARENT"), getenv("TRACESTATE"));
    char name[96];
    snprintf(name, sizeof name, "prova %s", command);
    run.span = otel_span_start(run.o, &parent, name, OTEL_KIND_INTERNAL);
    otel_span_str(run.span, "prova.command", command);
}

otel *cli_telemetry(void) {
    return run.o;
}

otel_span *cli_telemetry_span(void) {
    return run.span;
}

const otel_ctx *cli_telemetry_ctx(void) {
    otel_span_context(run.span, &run.ctx);
    if (!run.ctx.valid) otel_ctx_parse(&run.ctx, getenv("TRACEPARENT"), getenv("TRACESTATE"));
    return run.ctx.valid ? &run.ctx : NULL;
}

void cli_telemetry_end(int exit_code) {
    if (!run.o) return;
    otel_span_int(run.span, "process.exit.code", exit_code);
    if (exit_code == EXIT_USAGE || exit_code == EXIT_INTERNAL)
        otel_span_error(run.span, exit_code == EXIT_USAGE ? "usage" : "internal");
    otel_span_end(run.span);
    otel_close(run.o); /* sends what is queued, within 5 s */
    run.o = NULL;
    run.span = NULL;
}
