/* The OTEL_* environment variables (opentelemetry-specification: "Environment Variable Specification" and the
 * OTLP exporter's configuration), read into an otel_config. Where the specification lets an SDK ignore a value it
 * cannot use with a warning, prova refuses it instead: a telemetry setting that is silently not applied is found
 * out only when the traces are missing (docs/observability.md "Configuration"). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "otel.h"

typedef struct reader {
    const char *(*lookup)(void *ctx, const char *name);
    void *ctx;
    char *err;
    size_t errlen;
} reader;

static const char *const signal_name[OTEL_SIGNALS] = {"TRACES", "METRICS", "LOGS"};
static const char *const signal_path[OTEL_SIGNALS] = {"v1/traces", "v1/metrics", "v1/logs"};

__attribute__((format(printf, 2, 3))) static int fail(reader *r, const char *fmt, ...) {
    if (r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, r->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The variable's value, or NULL when unset or empty (the specification treats both as unset). */
static const char *get(reader *r, const char *name) {
    const char *v = r->lookup(r->ctx, name);
    return v && *v ? v : NULL;
}

/* A non-negative integer of milliseconds or a count; dflt when unset. */
static int get_uint(reader *r, const char *name, unsigned dflt, unsigned min, unsigned *ret) {
    const char *v = get(r, name);
    if (!v) {
        *ret = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end || !isdigit((unsigned char)v[0]) || n > 86400000ul || n < min)
        return fail(r, "%s=%s: expected an integer from %u to 86400000", name, v, min);
    *ret = (unsigned)n;
    return 0;
}

static bool is_true(const char *v) {
    return v && strcasecmp(v, "true") == 0;
}

/* OTEL_EXPORTER_OTLP_<SIGNAL>_<what>, or OTEL_EXPORTER_OTLP_<what> when that is unset; *which is the name used. */
static const char *get_signal(reader *r, int sig, const char *what, char *which, size_t whichlen) {
    snprintf(which, whichlen, "OTEL_EXPORTER_OTLP_%s_%s", signal_name[sig], what);
    const char *v = get(r, which);
    if (v) return v;
    snprintf(which, whichlen, "OTEL_EXPORTER_OTLP_%s", what);
    return get(r, which);
}

static bool http_url(const char *v) {
    return (strncasecmp(v, "http://", 7) == 0 && v[7]) || (strncasecmp(v, "https://", 8) == 0 && v[8]);
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Copies src[0..n) trimmed of blanks and percent-decoded into dst (cap bytes with the NUL). -1 on a bad escape, a
 * NUL or when it does not fit. */
static int decode_part(const char *src, size_t n, char *dst, size_t cap) {
    while (n && (*src == ' ' || *src == '\t')) src++, n--;
    while (n && (src[n - 1] == ' ' || src[n - 1] == '\t')) n--;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= n) return -1;
            int a = hexval(src[i + 1]), b = hexval(src[i + 2]);
            if (a < 0 || b < 0) return -1;
            c = a * 16 + b;
            i += 2;
        }
        if (c == 0 || k + 1 >= cap) return -1;
        dst[k++] = (char)c;
    }
    dst[k] = '\0';
    return 0;
}

/* A list "key1=value1,key2=value2" (the W3C Baggage shape the specification uses for _HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES): calls each(key, value) with both trimmed and percent-decoded. */
static int each_pair(reader *r, const char *name, const char *list,
                     int (*each)(void *ctx, const char *key, const char *value), void *ctx) {
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char key[128], value[512];
        if (!eq || decode_part(p, (size_t)(eq - p), key, sizeof key) != 0 || !key[0] ||
            decode_part(eq + 1, (size_t)(end - eq - 1), value, sizeof value) != 0)
            return fail(r,
                        "%s: \"%.*s\" is not key=value (percent-encoded, a key of at most 127 bytes and a value of "
                        "at most 511)",
                        name, (int)(end - p), p);
        int rc = each(ctx, key, value);
        if (rc == -2) return fail(r, "%s: \"%s\" is not a header name", name, key);
        if (rc == -3) return fail(r, "%s: the value of %s has a control character", name, key);
        if (rc != 0) return fail(r, "%s: too many entries (at most %d)", name, OTEL_MAX_HEADERS);
        p = *end ? end + 1 : end;
    }
    return 0;
}

static int add_header(void *ctx, const char *key, const char *value) {
    otel_exporter_config *e = ctx;
    for (const char *k = key; *k; k++)
        if ((unsigned char)*k <= ' ' || *k == ':' || *k == 127) return -2;
    for (const char *v = value; *v; v++)
        if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 127) return -3;
    if (e->nheaders == OTEL_MAX_HEADERS) return -1;
    snprintf(e->header_name[e->nheaders], sizeof e->header_name[0], "%s", key);
    snprintf(e->header_value[e->nheaders], sizeof e->header_value[0], "%s", value);
    e->nheaders++;
    return 0;
}

static int load_exporter(reader *r, int sig, otel_exporter_config *e) {
    char which[96];
    snprintf(which, sizeof which, "OTEL_%s_EXPORTER", signal_name[sig]);
    const char *kind = get(r, which);
    bool explicit_otlp = false;
    if (kind) {
        if (strcmp(kind, "none") == 0) return 0;
        if (strcmp(kind, "otlp") != 0)
            return fail(r, "%s=%s: prova exports with \"otlp\" (or not at all: \"none\")", which, kind);
        explicit_otlp = true;
    }
    snprintf(which, sizeof which, "OTEL_EXPORTER_OTLP_%s_ENDPOINT", signal_name[sig]);
    const char *v = get(r, which);
    if (v) {
        if (!http_url(v)) return fail(r, "%s=%s: expected an http:// or https:// URL", which, v);
        if (strlen(v) >= sizeof e->url)
            return fail(r, "%s: the URL is longer than %zu bytes", which, sizeof e->url - 1);
        strcpy(e->url, v); /* the signal's own endpoint is used as is */
    } else {
        const char *base = get(r, "OTEL_EXPORTER_OTLP_ENDPOINT");
        if (!base && !explicit_otlp) return 0; /* not configured: this signal is not exported */
        if (!base) base = "http://localhost:4318";
        if (!http_url(base))
            return fail(r, "OTEL_EXPORTER_OTLP_ENDPOINT=%s: expected an http:// or https:// URL", base);
        size_t n = strlen(base);
        int k = snprintf(e->url, sizeof e->url, "%s%s%s", base, base[n - 1] == '/' ? "" : "/", signal_path[sig]);
        if (k < 0 || (size_t)k >= sizeof e->url)
            return fail(r, "OTEL_EXPORTER_OTLP_ENDPOINT: the URL is longer than %zu bytes", sizeof e->url - 20);
    }
    const char *proto = get_signal(r, sig, "PROTOCOL", which, sizeof which);
    if (!proto || strcmp(proto, "http/protobuf") == 0)
        e->protocol = OTEL_PROTOBUF;
    else if (strcmp(proto, "http/json") == 0)
        e->protocol = OTEL_JSON;
    else
        return fail(r, "%s=%s: prova exports over OTLP/HTTP: \"http/protobuf\" (the default) or \"http/json\"%s", which,
                    proto, strcmp(proto, "grpc") == 0 ? " (gRPC is not supported)" : "");
    const char *comp = get_signal(r, sig, "COMPRESSION", which, sizeof which);
    if (comp && strcmp(comp, "gzip") != 0 && strcmp(comp, "none") != 0)
        return fail(r, "%s=%s: expected \"gzip\" or \"none\"", which, comp);
    e->gzip = comp && strcmp(comp, "gzip") == 0;
    snprintf(which, sizeof which, "OTEL_EXPORTER_OTLP_%s_TIMEOUT", signal_name[sig]);
    const char *tname = get(r, which) ? which : "OTEL_EXPORTER_OTLP_TIMEOUT";
    if (get_uint(r, tname, 10000, 1, &e->timeout_ms) != 0) return -1;
    const char *headers = get_signal(r, sig, "HEADERS", which, sizeof which);
    if (headers) {
        if (each_pair(r, which, headers, add_header, e) != 0) return -1;
    }
    /* TLS: the CA bundle that verifies the collector, and a client certificate and key for mutual TLS (PEM) */
    static const char *const tls_var[] = {"CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY"};
    char *const tls_path[] = {e->ca_file, e->client_cert, e->client_key};
    for (size_t i = 0; i < 3; i++) {
        const char *path = get_signal(r, sig, tls_var[i], which, sizeof which);
        if (!path) continue;
        if (strlen(path) >= sizeof e->ca_file) return fail(r, "%s: the path is too long", which);
        if (access(path, R_OK) != 0) return fail(r, "%s=%s: %s", which, path, strerror(errno));
        strcpy(tls_path[i], path);
    }
    if (!e->client_cert[0] != !e->client_key[0])
        return fail(r,
                    "OTEL_EXPORTER_OTLP_%s_CLIENT_CERTIFICATE and _CLIENT_KEY (or the variables without the "
                    "signal's name) go together",
                    signal_name[sig]);
    return 0;
}

static int load_sampler(reader *r, otel_config *c) {
    static const struct {
        const char *name;
        int sampler;
    } names[] = {
        {"always_on", OTEL_SAMPLER_ALWAYS_ON},
        {"always_off", OTEL_SAMPLER_ALWAYS_OFF},
        {"traceidratio", OTEL_SAMPLER_RATIO},
        {"parentbased_always_on", OTEL_SAMPLER_PARENT_ON},
        {"parentbased_always_off", OTEL_SAMPLER_PARENT_OFF},
        {"parentbased_traceidratio", OTEL_SAMPLER_PARENT_RATIO},
    };
    c->sampler = OTEL_SAMPLER_PARENT_ON;
    c->sampler_ratio = 1.0;
    const char *v = get(r, "OTEL_TRACES_SAMPLER");
    if (v) {
        size_t i = 0;
        while (i < sizeof names / sizeof names[0] && strcmp(names[i].name, v) != 0) i++;
        if (i == sizeof names / sizeof names[0])
            return fail(r,
                        "OTEL_TRACES_SAMPLER=%s: expected always_on, always_off, traceidratio, "
                        "parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
                        v);
        c->sampler = names[i].sampler;
    }
    const char *arg = get(r, "OTEL_TRACES_SAMPLER_ARG");
    if (arg && (c->sampler == OTEL_SAMPLER_RATIO || c->sampler == OTEL_SAMPLER_PARENT_RATIO)) {
        char *end;
        errno = 0;
        double d = strtod(arg, &end);
        if (errno || end == arg || *end || !(d >= 0.0 && d <= 1.0))
            return fail(r, "OTEL_TRACES_SAMPLER_ARG=%s: expected a probability from 0 to 1", arg);
        c->sampler_ratio = d;
    }
    return 0;
}

static int load_processor(reader *r, otel_config *c, int sig, const char *prefix, unsigned delay) {
    char name[64];
    snprintf(name, sizeof name, "%s_SCHEDULE_DELAY", prefix);
    if (get_uint(r, name, delay, 1, &c->schedule_delay_ms[sig]) != 0) return -1;
    snprintf(name, sizeof name, "%s_EXPORT_TIMEOUT", prefix);
    if (get_uint(r, name, 30000, 1, &c->export_timeout_ms[sig]) != 0) return -1;
    snprintf(name, sizeof name, "%s_MAX_QUEUE_SIZE", prefix);
    if (get_uint(r, name, 2048, 1, &c->max_queue[sig]) != 0) return -1;
    snprintf(name, sizeof name, "%s_MAX_EXPORT_BATCH_SIZE", prefix);
    if (get_uint(r, name, 512, 1, &c->max_batch[sig]) != 0) return -1;
    if (c->max_queue[sig] > 1000000) return fail(r, "%s_MAX_QUEUE_SIZE: at most 1000000", prefix);
    if (c->max_batch[sig] > c->max_queue[sig]) c->max_batch[sig] = c->max_queue[sig]; /* as the specification says */
    return 0;
}

static int take_service_name(void *ctx, const char *key, const char *value) {
    otel_config *c = ctx;
    if (strcmp(key, "service.name") == 0 && *value) snprintf(c->service_name, sizeof c->service_name, "%s", value);
    return 0;
}

int otel_config_load(otel_config *c, const char *(*lookup)(void *ctx, const char *name), void *ctx,
                     const char *default_service, char *err, size_t errlen) {
    reader r = {lookup, ctx, err, errlen};
    memset(c, 0, sizeof *c);
    if (errlen) err[0] = '\0';
    const char *v = get(&r, "OTEL_SDK_DISABLED");
    if (v && !is_true(v) && strcasecmp(v, "false") != 0)
        return fail(&r, "OTEL_SDK_DISABLED=%s: expected true or false", v);
    c->disabled = is_true(v);
    for (int sig = 0; sig < OTEL_SIGNALS; sig++)
        if (load_exporter(&r, sig, &c->exporter[sig]) != 0) return -1;
    /* service.name: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else the front end's */
    const char *name = get(&r, "OTEL_SERVICE_NAME");
    snprintf(c->service_name, sizeof c->service_name, "%s", name ? name : default_service ? default_service : "prova");
    const char *attrs = get(&r, "OTEL_RESOURCE_ATTRIBUTES");
    if (attrs) {
        if (strlen(attrs) >= sizeof c->resource_attributes)
            return fail(&r, "OTEL_RESOURCE_ATTRIBUTES: longer than %zu bytes", sizeof c->resource_attributes - 1);
        strcpy(c->resource_attributes, attrs);
        if (otel_resource_attributes_each(c->resource_attributes, name ? NULL : take_service_name, c, err, errlen) != 0)
            return -1;
    }
    if (load_sampler(&r, c) != 0) return -1;
    if (load_processor(&r, c, OTEL_TRACES, "OTEL_BSP", 5000) != 0 ||
        load_processor(&r, c, OTEL_LOGS, "OTEL_BLRP", 1000) != 0)
        return -1;
    if (get_uint(&r, "OTEL_METRIC_EXPORT_INTERVAL", 60000, 1, &c->metric_interval_ms) != 0 ||
        get_uint(&r, "OTEL_METRIC_EXPORT_TIMEOUT", 30000, 1, &c->export_timeout_ms[OTEL_METRICS]) != 0)
        return -1;
    c->max_queue[OTEL_METRICS] = c->max_batch[OTEL_METRICS] = 1;
    c->schedule_delay_ms[OTEL_METRICS] = c->metric_interval_ms;
    return 0;
}

typedef struct pair_fwd {
    int (*each)(void *ctx, const char *key, const char *value);
    void *ctx;
} pair_fwd;

static int fwd(void *ctx, const char *key, const char *value) {
    pair_fwd *f = ctx;
    return f->each ? (f->each(f->ctx, key, value) == 0 ? 0 : -1) : 0;
}

static const char *no_lookup(void *ctx, const char *name) {
    (void)ctx, (void)name;
    return NULL;
}

int otel_resource_attributes_each(const char *list, int (*each)(void *ctx, const char *key, const char *value),
                                  void *ctx, char *err, size_t errlen) {
    reader r = {no_lookup, NULL, err, errlen};
    pair_fwd f = {each, ctx};
    return each_pair(&r, "OTEL_RESOURCE_ATTRIBUTES", list, fwd, &f);
}

static const char *env_lookup(void *ctx, const char *name) {
    (void)ctx;
    return getenv(name);
}

int otel_config_from_env(otel_config *c, const char *default_service, char *err, size_t errlen) {
    return otel_config_load(c, env_lookup, NULL, default_service, err, errlen);
}

bool otel_config_active(const otel_config *c) {
    if (c->disabled) return false;
    for (int sig = 0; sig < OTEL_SIGNALS; sig++)
        if (c->exporter[sig].url[0]) return true;
    return false;
}
