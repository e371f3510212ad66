/* The OpenTelemetry runtime (otel.h): W3C trace context, the sampler, spans and log records, and the resource.
 * The batch processors and the exporter thread are in export.c. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "otel_internal.h"
#include "prova/version.h"

uint64_t otel_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void otel_hex(const uint8_t *id, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- Trace context ------------------------------------------------------------------------------------------ */

static int lowhex(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1; /* uppercase is not allowed in traceparent */
}

static bool parse_hex(const char *s, uint8_t *out, size_t n) {
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++) {
        int a = lowhex(s[2 * i]), b = lowhex(s[2 * i + 1]);
        if (a < 0 || b < 0) return false;
        out[i] = (uint8_t)(a << 4 | b);
        any |= out[i];
    }
    return any != 0; /* an all-zero id is invalid */
}

/* tracestate is kept when it is at most 512 printable ASCII characters (the specification's limit): the list-members'
 * syntax is the vendors' business, and a header prova cannot keep whole is dropped rather than cut. */
static void take_tracestate(otel_ctx *c, const char *ts) {
    c->tracestate[0] = '\0';
    if (!ts) return;
    size_t n = strlen(ts);
    if (n > OTEL_TRACESTATE_MAX) return;
    for (size_t i = 0; i < n; i++)
        if (ts[i] < 0x20 || ts[i] > 0x7e) return;
    memcpy(c->tracestate, ts, n + 1);
}

int otel_ctx_parse(otel_ctx *c, const char *tp, const char *ts) {
    memset(c, 0, sizeof *c);
    if (!tp) return -1;
    size_t n = strlen(tp);
    if (n < OTEL_TRACEPARENT_LEN) return -1;
    int v1 = lowhex(tp[0]), v2 = lowhex(tp[1]);
    if (v1 < 0 || v2 < 0 || (v1 == 15 && v2 == 15)) return -1; /* version ff is invalid */
    bool v00 = v1 == 0 && v2 == 0;
    /* version 00 is exactly 55 characters; a later version may append "-" and more, which is ignored */
    if ((v00 && n != OTEL_TRACEPARENT_LEN) || (!v00 && n > OTEL_TRACEPARENT_LEN && tp[OTEL_TRACEPARENT_LEN] != '-'))
        return -1;
    if (tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return -1;
    uint8_t flags[1];
    int f1 = lowhex(tp[53]), f2 = lowhex(tp[54]);
    if (!parse_hex(tp + 3, c->trace_id, 16) || !parse_hex(tp + 36, c->span_id, 8) || f1 < 0 || f2 < 0) {
        memset(c, 0, sizeof *c);
        return -1;
    }
    flags[0] = (uint8_t)(f1 << 4 | f2);
    c->flags = v00 ? flags[0] : (uint8_t)(flags[0] & 1); /* unknown flags of a later version are not passed on */
    take_tracestate(c, ts);
    c->valid = true;
    return 0;
}

void otel_ctx_traceparent(const otel_ctx *c, char out[OTEL_TRACEPARENT_LEN + 1]) {
    if (!c || !c->valid) {
        out[0] = '\0';
        return;
    }
    char t[33], s[17];
    otel_hex(c->trace_id, 16, t);
    otel_hex(c->span_id, 8, s);
    snprintf(out, OTEL_TRACEPARENT_LEN + 1, "00-%s-%s-%02x", t, s, c->flags);
}

/* ---- Sampling ------------------------------------------------------------------------------------------------- */

/* TraceIdRatioBased: the trace id's last 8 bytes (random in every W3C trace id) as an integer below ratio x 2^63,
 * so that every service deciding on the same trace id with the same ratio decides alike. */
static bool ratio_sample(double ratio, const uint8_t trace_id[16]) {
    if (ratio >= 1.0) return true;
    if (ratio <= 0.0) return false;
    uint64_t x = 0;
    for (int i = 8; i < 16; i++) x = x << 8 | trace_id[i];
    return (x >> 1) < (uint64_t)(ratio * 9223372036854775808.0);
}

static bool sampled(const otel *o, const otel_ctx *parent, const uint8_t trace_id[16]) {
    int s = o->cfg.sampler;
    bool parent_based = s == OTEL_SAMPLER_PARENT_ON || s == OTEL_SAMPLER_PARENT_OFF || s == OTEL_SAMPLER_PARENT_RATIO;
    if (parent_based && parent && parent->valid) return parent->flags & 1;
    switch (s) {
    case OTEL_SAMPLER_ALWAYS_ON:
    case OTEL_SAMPLER_PARENT_ON:
        return true;
    case OTEL_SAMPLER_RATIO:
    case OTEL_SAMPLER_PARENT_RATIO:
        return ratio_sample(o->cfg.sampler_ratio, trace_id);
    default:
        return false;
    }
}

/* ---- Records' arenas -------------------------------------------------------------------------------------------- */

/* A copy of s[0..n) in the arena, or NULL when it is full. */
static const char *arena_put(char *arena, size_t cap, size_t *used, const char *s, size_t n) {
    if (n >= cap - *used) return NULL;
    char *p = arena + *used;
    memcpy(p, s, n);
    p[n] = '\0';
    *used += n + 1;
    return p;
}

/* Copies attribute a into slot *dst: its string value into the arena, and its key too when copy_key (the keys of
 * spans' and log records' attributes are literals, otel.h, and are not copied). false when the arena is full. */
static bool attr_put(char *arena, size_t cap, size_t *used, otel_attr *dst, const otel_attr *a, bool copy_key) {
    size_t used0 = *used;
    const char *k = !a->key ? NULL : copy_key ? arena_put(arena, cap, used, a->key, strlen(a->key)) : a->key;
    if (!k) return false;
    *dst = *a;
    dst->key = k;
    if (a->type == OTEL_ATTR_STR) {
        const char *v = arena_put(arena, cap, used, a->s ? a->s : "", a->s ? strlen(a->s) : 0);
        if (!v) {
            *used = used0;
            return false;
        }
        dst->s = v;
    }
    return true;
}

/* ---- Spans ----------------------------------------------------------------------------------------------------------
 */

/* Trace and span ids: SipHash-2-4 (a PRF) of a counter taken atomically, under a key drawn once per exporter: ids
 * as unpredictable as W3C asks without a getrandom system call per span (which cost more than the rest of a span;
 * otel_open draws the key). */
static void random_id(otel *o, uint8_t *id, size_t n) {
    for (size_t k = 0; k < n; k += 8) {
        uint8_t ctr[8];
        do {
            uint64_t c = atomic_fetch_add_explicit(&o->id_counter, 1, memory_order_relaxed);
            for (size_t b = 0; b < sizeof ctr; b++) ctr[b] = (uint8_t)(c >> (8 * b));
            crypto_shorthash_siphash24(id + k, ctr, sizeof ctr, o->id_key);
        } while (sodium_is_zero(id + k, 8)); /* an all-zero id is invalid (one chance in 2^64) */
    }
}

otel_span *otel_span_start(otel *o, const otel_ctx *parent, const char *name, int kind) {
    if (!o) return NULL;
    otel_span *s = otel_record_get(o, OTEL_TRACES);
    if (!s) return NULL;
    otel_span_data *d = &s->d;
    s->o = o;
    d->arena_used = 0;
    d->nattr = d->dropped_attrs = d->nevent = d->dropped_events = d->nlink = d->dropped_links = 0;
    d->status = OTEL_STATUS_UNSET;
    d->status_msg = "";
    d->tracestate = "";
    d->kind = kind;
    if (parent && parent->valid) {
        memcpy(d->trace_id, parent->trace_id, 16);
        memcpy(d->parent_span_id, parent->span_id, 8);
        d->has_parent = true;
    } else {
        random_id(o, d->trace_id, 16);
        memset(d->parent_span_id, 0, 8);
        d->has_parent = false;
    }
    random_id(o, d->span_id, 8);
    s->recording = o->export[OTEL_TRACES] && sampled(o, parent, d->trace_id);
    d->flags = s->recording ? 1u : 0u;
    if (parent && parent->valid && parent->tracestate[0]) {
        const char *ts =
            arena_put(d->arena, sizeof d->arena, &d->arena_used, parent->tracestate, strlen(parent->tracestate));
        d->tracestate = ts ? ts : "";
    }
    const char *nm = arena_put(d->arena, sizeof d->arena, &d->arena_used, name, strlen(name));
    d->name = nm ? nm : "span";
    d->start_ns = otel_now_ns();
    d->end_ns = 0;
    return s;
}

otel_span *otel_span_child(otel *o, const otel_span *parent, const char *name, int kind) {
    otel_ctx c;
    otel_span_context(parent, &c);
    return otel_span_start(o, &c, name, kind);
}

bool otel_span_recording(const otel_span *s) {
    return s && s->recording;
}

void otel_span_context(const otel_span *s, otel_ctx *ret) {
    ret->valid = false;
    ret->tracestate[0] = '\0';
    if (!s) return;
    memcpy(ret->trace_id, s->d.trace_id, 16);
    memcpy(ret->span_id, s->d.span_id, 8);
    ret->flags = (uint8_t)s->d.flags;
    snprintf(ret->tracestate, sizeof ret->tracestate, "%s", s->d.tracestate);
    ret->valid = true;
}

void otel_span_rename(otel_span *s, const char *name) {
    if (!otel_span_recording(s)) return;
    const char *nm = arena_put(s->d.arena, sizeof s->d.arena, &s->d.arena_used, name, strlen(name));
    if (nm) s->d.name = nm;
}

void otel_span_attrs(otel_span *s, const otel_attr *attrs, size_t n) {
    if (!otel_span_recording(s)) return;
    otel_span_data *d = &s->d;
    for (size_t i = 0; i < n; i++) {
        /* a key set again (the same literal) replaces its value, as the SDKs do */
        unsigned k = 0;
        while (k < d->nattr && d->attr[k].key != attrs[i].key) k++;
        if (k == d->nattr && d->nattr == OTEL_SPAN_ATTRS) {
            d->dropped_attrs++;
            continue;
        }
        if (!attr_put(d->arena, sizeof d->arena, &d->arena_used, &d->attr[k], &attrs[i], false))
            d->dropped_attrs++;
        else if (k == d->nattr)
            d->nattr++;
    }
}

void otel_span_str(otel_span *s, const char *key, const char *value) {
    otel_attr a = OTEL_STR(key, value ? value : "");
    otel_span_attrs(s, &a, 1);
}

void otel_span_strn(otel_span *s, const char *key, const char *value, size_t n) {
    if (!otel_span_recording(s)) return;
    char buf[512];
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, value, n);
    buf[n] = '\0';
    otel_span_str(s, key, buf);
}

void otel_span_int(otel_span *s, const char *key, int64_t value) {
    otel_attr a = OTEL_INT(key, value);
    otel_span_attrs(s, &a, 1);
}

void otel_span_double(otel_span *s, const char *key, double value) {
    otel_attr a = OTEL_DOUBLE(key, value);
    otel_span_attrs(s, &a, 1);
}

void otel_span_bool(otel_span *s, const char *key, bool value) {
    otel_attr a = OTEL_BOOL(key, value);
    otel_span_attrs(s, &a, 1);
}

void otel_span_event(otel_span *s, const char *name, const otel_attr *attrs, size_t n) {
    if (!otel_span_recording(s)) return;
    otel_span_data *d = &s->d;
    if (d->nevent == OTEL_SPAN_EVENTS) {
        d->dropped_events++;
        return;
    }
    otel_event *e = &d->event[d->nevent];
    e->name = name; /* a literal (otel.h) */
    e->time_ns = otel_now_ns();
    e->nattr = 0;
    for (size_t i = 0; i < n && e->nattr < OTEL_EVENT_ATTRS; i++)
        if (attr_put(d->arena, sizeof d->arena, &d->arena_used, &e->attr[e->nattr], &attrs[i], false)) e->nattr++;
    d->nevent++;
}

void otel_span_link(otel_span *s, const otel_ctx *linked) {
    if (!otel_span_recording(s) || !linked || !linked->valid) return;
    otel_span_data *d = &s->d;
    if (d->nlink == OTEL_SPAN_LINKS) {
        d->dropped_links++;
        return;
    }
    otel_link *l = &d->link[d->nlink++];
    memcpy(l->trace_id, linked->trace_id, 16);
    memcpy(l->span_id, linked->span_id, 8);
    l->flags = linked->flags;
}

void otel_span_error(otel_span *s, const char *description) {
    if (!otel_span_recording(s)) return;
    s->d.status = OTEL_STATUS_ERROR;
    const char *m =
        description ? arena_put(s->d.arena, sizeof s->d.arena, &s->d.arena_used, description, strnlen(description, 256))
                    : NULL;
    s->d.status_msg = m ? m : "";
}

void otel_span_ok(otel_span *s) {
    if (otel_span_recording(s)) s->d.status = OTEL_STATUS_OK;
}

void otel_span_end(otel_span *s) {
    if (!s) return;
    if (s->recording) {
        s->d.end_ns = otel_now_ns();
        if (s->d.end_ns < s->d.start_ns) s->d.end_ns = s->d.start_ns; /* the wall clock stepped back */
        if (otel_enqueue(s->o, OTEL_TRACES, s) == 0) return;          /* the exporter gives it back */
    }
    otel_record_put(s->o, OTEL_TRACES, (void *const *)&s, 1);
}

const otel_span_data *otel_span_data_of(const otel_span *s) {
    return &s->d;
}

/* ---- Log records ------------------------------------------------------------------------------------------------- */

void otel_log(otel *o, const otel_ctx *ctx, int severity, const char *event_name, const char *body,
              const otel_attr *attrs, size_t n) {
    if (!o || !o->export[OTEL_LOGS]) return;
    otel_log_data *l = otel_record_get(o, OTEL_LOGS);
    if (!l) {
        atomic_fetch_add(&o->dropped[OTEL_LOGS], 1);
        return;
    }
    l->time_ns = l->observed_ns = otel_now_ns();
    l->severity = severity;
    l->severity_text = severity >= OTEL_SEV_ERROR  ? "ERROR"
                       : severity >= OTEL_SEV_WARN ? "WARN"
                       : severity >= OTEL_SEV_INFO ? "INFO"
                                                   : "DEBUG";
    l->arena_used = 0;
    l->nattr = l->dropped_attrs = 0;
    l->event_name = event_name ? event_name : ""; /* a literal (otel.h) */
    const char *b = body ? arena_put(l->arena, sizeof l->arena, &l->arena_used, body, strnlen(body, 1024)) : NULL;
    l->body = b ? b : "";
    for (size_t i = 0; i < n; i++) {
        if (l->nattr < OTEL_LOG_ATTRS &&
            attr_put(l->arena, sizeof l->arena, &l->arena_used, &l->attr[l->nattr], &attrs[i], false))
            l->nattr++;
        else
            l->dropped_attrs++;
    }
    l->has_ctx = ctx && ctx->valid;
    if (l->has_ctx) {
        memcpy(l->trace_id, ctx->trace_id, 16);
        memcpy(l->span_id, ctx->span_id, 8);
        l->flags = ctx->flags;
    } else {
        memset(l->trace_id, 0, 16);
        memset(l->span_id, 0, 8);
        l->flags = 0;
    }
    if (otel_enqueue(o, OTEL_LOGS, l) != 0) otel_record_put(o, OTEL_LOGS, (void *const *)&l, 1);
}

/* ---- The resource --------------------------------------------------------------------------------------------------
 */

static bool resource_has(const otel_resource *r, const char *key) {
    for (unsigned i = 0; i < r->nattr; i++)
        if (strcmp(r->attr[i].key, key) == 0) return true;
    return false;
}

static int resource_put(otel_resource *r, const otel_attr *a) {
    size_t used = 0;
    for (unsigned i = 0; i < r->nattr; i++) {
        used += strlen(r->attr[i].key) + 1;
        if (r->attr[i].type == OTEL_ATTR_STR) used += strlen(r->attr[i].s) + 1;
    }
    if (r->nattr == OTEL_RESOURCE_ATTRS || !attr_put(r->arena, sizeof r->arena, &used, &r->attr[r->nattr], a, true))
        return -1;
    r->nattr++;
    return 0;
}

static int resource_from_list(void *ctx, const char *key, const char *value) {
    otel_resource *r = ctx;
    if (strcmp(key, "service.name") == 0 || resource_has(r, key)) return 0; /* service.name is set first */
    otel_attr a = OTEL_STR(key, value);
    return resource_put(r, &a);
}

int otel_resource_build(otel_resource *r, const otel_config *c, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->scope_name = "prova";
    r->scope_version = PROVA_VERSION_STRING;
    otel_attr name = OTEL_STR("service.name", c->service_name);
    if (resource_put(r, &name) != 0) return -1;
    if (c->resource_attributes[0] &&
        otel_resource_attributes_each(c->resource_attributes, resource_from_list, r, err, errlen) != 0)
        return -1;
    uint8_t uuid[16];
    randombytes_buf(uuid, sizeof uuid);
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4 */
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* the RFC 4122 variant */
    char hex[33], instance[37], host[256];
    otel_hex(uuid, 16, hex);
    snprintf(instance, sizeof instance, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    if (gethostname(host, sizeof host) != 0) host[0] = '\0';
    host[sizeof host - 1] = '\0';
    const otel_attr defaults[] = {
        OTEL_STR("service.version", PROVA_VERSION_STRING),
        OTEL_STR("service.instance.id", instance),
        OTEL_STR("host.name", host),
        OTEL_INT("process.pid", getpid()),
        OTEL_STR("process.executable.name", "prova"),
        OTEL_STR("telemetry.sdk.name", "prova"),
        OTEL_STR("telemetry.sdk.language", "c"),
        OTEL_STR("telemetry.sdk.version", PROVA_VERSION_STRING),
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (!resource_has(r, defaults[i].key) && (defaults[i].type != OTEL_ATTR_STR || defaults[i].s[0]))
            (void)resource_put(r, &defaults[i]); /* a full resource keeps what the operator set */
    return 0;
}
