/* The JSON writer (jsonw.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsonw.h"
#include "utf8.h"

static const char hexdig[] = "0123456789abcdef";

/* Appends the escaped body of a string (no quotes). lossy: invalid UTF-8 bytes become U+FFFD, else PROVA_EINVAL. */
static int put_escaped(prova_buf *out, const uint8_t *s, size_t n, bool lossy) {
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = prova_utf8_seq(s + i, n - i);
            if (k) {
                i += k;
                continue;
            }
            if (!lossy) return PROVA_EINVAL;
        }
        int rc = prova_buf_append(out, s + run, i - run);
        if (rc < 0) return rc;
        char esc[6] = {'\\', 0};
        size_t el = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            if (c >= 0x80) { /* an invalid byte, lossy: U+FFFD */
                memcpy(esc, "\xEF\xBF\xBD", 3);
                el = 3;
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hexdig[c >> 4];
                esc[5] = hexdig[c & 15];
                el = 6;
            }
        }
        if ((rc = prova_buf_append(out, esc, el)) < 0) return rc;
        run = ++i;
    }
    return prova_buf_append(out, s + run, n - run);
}

int prova_json_put_string(prova_buf *out, const char *s, size_t n) {
    size_t mark = out->len;
    int rc = prova_buf_append(out, "\"", 1);
    if (rc == 0) rc = put_escaped(out, (const uint8_t *)s, n, false);
    if (rc == 0) rc = prova_buf_append(out, "\"", 1);
    if (rc < 0) out->len = mark;
    return rc;
}

void prova_jw_init(prova_jw *w, prova_buf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
    w->mark = out->len;
}

int prova_jw_finish(prova_jw *w) {
    if (w->status == 0 && w->depth != 0) w->status = PROVA_EINVAL;
    if (w->status < 0) w->out->len = w->mark;
    return w->status;
}

static void put(prova_jw *w, const void *s, size_t n) {
    if (w->status == 0) w->status = prova_buf_append(w->out, s, n);
}

/* Before a value: the comma that separates it from the previous one. */
static void sep(prova_jw *w) {
    if (w->comma) put(w, ",", 1);
    w->comma = true;
}

static void open(prova_jw *w, char c, bool object) {
    sep(w);
    if (w->depth >= PROVA_JW_MAX_DEPTH) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    uint64_t bit = (uint64_t)1 << w->depth;
    w->kinds = object ? w->kinds | bit : w->kinds & ~bit;
    w->depth++;
    put(w, &c, 1);
    w->comma = false;
}

void prova_jw_obj(prova_jw *w) {
    open(w, '{', true);
}
void prova_jw_arr(prova_jw *w) {
    open(w, '[', false);
}

void prova_jw_end(prova_jw *w) {
    if (w->depth == 0) { /* more ends than opens (or an open refused at the depth limit) */
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    w->depth--;
    put(w, (w->kinds >> w->depth) & 1 ? "}" : "]", 1);
    w->comma = true;
}

static void string(prova_jw *w, const char *s, size_t n, bool lossy) {
    put(w, "\"", 1);
    if (w->status == 0) w->status = put_escaped(w->out, (const uint8_t *)s, n, lossy);
    put(w, "\"", 1);
}

void prova_jw_keyn(prova_jw *w, const char *name, size_t n) {
    sep(w);
    string(w, name, n, false);
    put(w, ":", 1);
    w->comma = false;
}

void prova_jw_key(prova_jw *w, const char *name) {
    prova_jw_keyn(w, name, strlen(name));
}

void prova_jw_strn(prova_jw *w, const char *s, size_t n) {
    sep(w);
    string(w, s, n, false);
}

void prova_jw_str(prova_jw *w, const char *s) {
    prova_jw_strn(w, s, strlen(s));
}

void prova_jw_str_lossy(prova_jw *w, const char *s, size_t n) {
    sep(w);
    string(w, s, n, true);
}

void prova_jw_strf(prova_jw *w, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        if (w->status == 0) w->status = PROVA_EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        prova_jw_str_lossy(w, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        if (w->status == 0) w->status = PROVA_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    prova_jw_str_lossy(w, big, (size_t)n);
    free(big);
}

void prova_jw_i64(prova_jw *w, int64_t v) {
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);
    sep(w);
    put(w, b, (size_t)n);
}

void prova_jw_u64(prova_jw *w, uint64_t v) {
    char b[24];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    sep(w);
    put(w, b, (size_t)n);
}

void prova_jw_bool(prova_jw *w, bool v) {
    sep(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void prova_jw_null(prova_jw *w) {
    sep(w);
    put(w, "null", 4);
}

void prova_jw_raw(prova_jw *w, const void *json, size_t n) {
    sep(w);
    put(w, json, n);
}

void prova_jw_kstr(prova_jw *w, const char *name, const char *s) {
    prova_jw_key(w, name);
    prova_jw_str(w, s);
}

void prova_jw_ki64(prova_jw *w, const char *name, int64_t v) {
    prova_jw_key(w, name);
    prova_jw_i64(w, v);
}

void prova_jw_ku64(prova_jw *w, const char *name, uint64_t v) {
    prova_jw_key(w, name);
    prova_jw_u64(w, v);
}

void prova_jw_kbool(prova_jw *w, const char *name, bool v) {
    prova_jw_key(w, name);
    prova_jw_bool(w, v);
}

void prova_jw_kraw(prova_jw *w, const char *name, const void *json, size_t n) {
    prova_jw_key(w, name);
    prova_jw_raw(w, json, n);
}

void prova_jw_kstr_or_null(prova_jw *w, const char *name, const char *s) {
    prova_jw_key(w, name);
    if (s)
        prova_jw_str(w, s);
    else
        prova_jw_null(w);
}
