/* The metrics snapshot (otel_data.h "Metrics") and its Prometheus text (format 0.0.4), which /metrics serves.
 *
 * SPEC: prometheus.io/docs/instrumenting/exposition_formats: "label_value can be any sequence of UTF-8 characters,
 * but the backslash (\), double-quote ("), and line feed (\n) characters have to be escaped as \\, \", and \n,
 * respectively"; in HELP "backslash and line feed characters have to be escaped as \\ and \n"; "Each bucket count
 * of a histogram named x is given as a separate sample line with the name x_bucket and a label {le="y"} (where y
 * is the upper bound of the bucket)"; "A histogram must have a bucket with {le="+Inf"}. Its value must be identical
 * to the value of x_count." */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otel_data.h"
#include "text.h"

void otel_metrics_init(otel_metrics *ms, uint64_t start_ns, uint64_t time_ns) {
    memset(ms, 0, sizeof *ms);
    ms->start_ns = start_ns;
    ms->time_ns = time_ns;
}

void otel_metrics_free(otel_metrics *ms) {
    if (!ms) return;
    for (size_t i = 0; i < ms->n; i++) free(ms->metric[i].point);
    free(ms->metric);
    ms->metric = NULL;
    ms->n = ms->cap = 0;
}

/* Grows an array of n elements of size sz to room for one more. 0, or -1 (the array is unchanged). */
static int grow(void **v, size_t *cap, size_t n, size_t sz) {
    if (n < *cap) return 0;
    size_t nc = *cap ? 2 * *cap : 8;
    if (nc > SIZE_MAX / sz) return -1;
    void *nv = realloc(*v, nc * sz);
    if (!nv) return -1;
    *v = nv;
    *cap = nc;
    return 0;
}

otel_metric *otel_metrics_add(otel_metrics *ms, const char *name, int type, const char *help, const char *unit) {
    void *v = ms->metric;
    if (grow(&v, &ms->cap, ms->n, sizeof *ms->metric) < 0) {
        if (!ms->status) ms->status = PROVA_ENOMEM;
        return NULL;
    }
    ms->metric = v;
    otel_metric *m = &ms->metric[ms->n++];
    memset(m, 0, sizeof *m);
    m->name = name;
    m->type = type;
    m->help = help ? help : "";
    m->unit = unit ? unit : "";
    return m;
}

otel_point *otel_metric_point(otel_metrics *ms, otel_metric *m) {
    if (!m) return NULL; /* the metric itself could not be added: ms->status says so already */
    void *v = m->point;
    if (grow(&v, &m->cap, m->npoint, sizeof *m->point) < 0) {
        if (!ms->status) ms->status = PROVA_ENOMEM;
        return NULL;
    }
    m->point = v;
    otel_point *p = &m->point[m->npoint++];
    memset(p, 0, sizeof *p);
    return p;
}

void otel_point_label(otel_point *p, const char *key, const char *value) {
    if (!p || p->nlabel == OTEL_POINT_LABELS) return; /* a fifth label is a bug of the caller: dropped */
    otel_label *l = &p->label[p->nlabel++];
    l->key = key;
    size_t n = strlen(value);
    if (n >= sizeof l->value) { /* cut at a UTF-8 character boundary */
        n = sizeof l->value - 1;
        while (n && ((unsigned char)value[n] & 0xC0) == 0x80) n--;
    }
    memcpy(l->value, value, n);
    l->value[n] = '\0';
}

/* ---- Prometheus text --------------------------------------------------------------------------------------------- */

static const char *type_name(int type) {
    switch (type) {
    case OTEL_METRIC_COUNTER:
        return "counter";
    case OTEL_METRIC_GAUGE:
        return "gauge";
    case OTEL_METRIC_HISTOGRAM:
        return "histogram";
    case OTEL_METRIC_SUMMARY:
        return "summary";
    }
    return "untyped";
}

/* s with the escapes of a label value (quote true: \\ \" \n) or of a HELP text (\\ \n). */
static int put_escaped(prova_buf *b, const char *s, bool quote) {
    int rc = 0;
    const char *run = s;
    for (; *s && rc == 0; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : quote && *s == '"' ? "\\\"" : NULL;
        if (!esc) continue;
        rc = prova_buf_append(b, run, (size_t)(s - run));
        if (rc == 0) rc = prova_buf_append(b, esc, 2);
        run = s + 1;
    }
    if (rc == 0) rc = prova_buf_append(b, run, (size_t)(s - run));
    return rc;
}

/* A double as Go's strconv.ParseFloat reads it (what Prometheus parses): the shortest of %.15g, %.16g and %.17g
 * that reads back as the same number, so 0.1 is "0.1", not "0.10000000000000001"; "+Inf", "-Inf", "NaN". */
static void format_double(double v, char out[32]) {
    if (isnan(v)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

/* name[suffix]{labels[,le="le"]} */
static int put_series(prova_buf *b, const char *name, const char *suffix, const otel_point *p, const char *le) {
    int rc = prova_buf_printf(b, "%s%s", name, suffix);
    if (rc == 0 && (p->nlabel || le)) rc = prova_buf_append(b, "{", 1);
    for (unsigned i = 0; rc == 0 && i < p->nlabel; i++) {
        rc = prova_buf_printf(b, "%s%s=\"", i ? "," : "", p->label[i].key);
        if (rc == 0) rc = put_escaped(b, p->label[i].value, true);
        if (rc == 0) rc = prova_buf_append(b, "\"", 1);
    }
    if (rc == 0 && le) rc = prova_buf_printf(b, "%sle=\"%s\"", p->nlabel ? "," : "", le);
    if (rc == 0 && (p->nlabel || le)) rc = prova_buf_append(b, "}", 1);
    return rc;
}

static int put_u64(prova_buf *b, const char *name, const char *suffix, const otel_point *p, const char *le,
                   uint64_t v) {
    int rc = put_series(b, name, suffix, p, le);
    return rc ? rc : prova_buf_printf(b, " %llu\n", (unsigned long long)v);
}

static int put_double(prova_buf *b, const char *name, const char *suffix, const otel_point *p, double v) {
    char num[32];
    format_double(v, num);
    int rc = put_series(b, name, suffix, p, NULL);
    return rc ? rc : prova_buf_printf(b, " %s\n", num);
}

static int put_point(prova_buf *b, const otel_metric *m, const otel_point *p) {
    int rc = 0;
    switch (m->type) {
    case OTEL_METRIC_COUNTER:
    case OTEL_METRIC_GAUGE:
        if (p->is_double) return put_double(b, m->name, "", p, p->d);
        rc = put_series(b, m->name, "", p, NULL);
        return rc ? rc : prova_buf_printf(b, " %lld\n", (long long)p->i);
    case OTEL_METRIC_HISTOGRAM: {
        unsigned nb = m->bounds && m->nbounds <= OTEL_HIST_BOUNDS ? m->nbounds : 0;
        uint64_t cum = 0;
        for (unsigned k = 0; rc == 0 && k < nb; k++) {
            char le[32];
            snprintf(le, sizeof le, "%g", m->bounds[k]);
            cum += p->bucket[k];
            rc = put_u64(b, m->name, "_bucket", p, le, cum);
        }
        cum += p->bucket[nb];
        if (rc == 0) rc = put_u64(b, m->name, "_bucket", p, "+Inf", cum);
        if (rc == 0) rc = put_double(b, m->name, "_sum", p, p->sum);
        if (rc == 0) rc = put_u64(b, m->name, "_count", p, NULL, p->count);
        return rc;
    }
    case OTEL_METRIC_SUMMARY:
        rc = put_double(b, m->name, "_sum", p, p->sum);
        if (rc == 0) rc = put_u64(b, m->name, "_count", p, NULL, p->count);
        return rc;
    }
    return 0; /* a type this renderer does not know: the family is announced, its samples are not written */
}

int otel_metrics_prometheus(const otel_metrics *ms, prova_buf *out) {
    size_t mark = out->len;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ms->n; i++) {
        const otel_metric *m = &ms->metric[i];
        /* A family is announced even without samples (no request on any route yet), as /metrics always did. */
        rc = prova_buf_printf(out, "# HELP %s ", m->name);
        if (rc == 0) rc = put_escaped(out, m->help, false);
        if (rc == 0) rc = prova_buf_printf(out, "\n# TYPE %s %s\n", m->name, type_name(m->type));
        for (size_t k = 0; rc == 0 && k < m->npoint; k++) rc = put_point(out, m, &m->point[k]);
    }
    if (rc) {
        out->len = mark;
        return PROVA_ENOMEM;
    }
    return 0;
}
