/* The unified verification report: checks, warnings, the outcome, and its JSON and text forms. The bottom layer:
 * every family, wrapper and the dispatcher write into it. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsonw.h"
#include "prova/report.h"
#include "utf8.h"

typedef struct entry_list {
    prova_check *v;
    size_t n, cap;
} entry_list;

typedef struct str_list {
    char **v;
    size_t n, cap;
} str_list;

struct prova_report {
    char *kind;
    entry_list checks;
    entry_list warnings;
    str_list unauthenticated;
    str_list key_kids;
    str_list key_sources;
    char *sdk_result; /* JSON text, or NULL */
    size_t sdk_result_len;
    prova_outcome said; /* set by a verifier: BAD_INPUT or UNKNOWN_KIND; VALID = read the checks */
    bool incomplete;    /* an allocation failed while recording: never valid */
    bool quiet;         /* count passing checks instead of storing them */
    size_t quiet_passed;
    /* The short strings of the lists (unauthenticated member names, key ids and sources) live here while they fit:
     * an envelope's report has seven of them, each a malloc and a free otherwise. Never moved to another report
     * (prova__report_append copies the strings). */
    size_t strs_used;
    char strs[384];
};

void prova__report_quiet(prova_report *r, bool on) {
    if (r) r->quiet = on;
}

size_t prova__report_quiet_passed(const prova_report *r) {
    return r ? r->quiet_passed : 0;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s ? s : "");
    char *d = malloc(n + 1);
    if (d) memcpy(d, s ? s : "", n + 1);
    return d;
}

/* An entry's four strings live in one allocation that starts at c->check. */
static void free_entry(prova_check *c) {
    free((char *)c->check);
}

static bool in_strs(const prova_report *r, const char *p) {
    return (uintptr_t)p - (uintptr_t)r->strs < sizeof r->strs;
}

static void free_str(prova_report *r, char *p) {
    if (!in_strs(r, p)) free(p);
}

static void free_strs(prova_report *r, str_list *l) {
    for (size_t i = 0; i < l->n; i++) free_str(r, l->v[i]);
    free(l->v);
}

prova_report *prova_report_new(const char *kind) {
    prova_report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->kind = dup_str(kind ? kind : "unknown");
    if (!r->kind) {
        free(r);
        return NULL;
    }
    return r;
}

prova_report *prova_report_free(prova_report *r) {
    if (!r) return NULL;
    for (size_t i = 0; i < r->checks.n; i++) free_entry(&r->checks.v[i]);
    for (size_t i = 0; i < r->warnings.n; i++) free_entry(&r->warnings.v[i]);
    free(r->checks.v);
    free(r->warnings.v);
    free_strs(r, &r->unauthenticated);
    free_strs(r, &r->key_kids);
    free_strs(r, &r->key_sources);
    free(r->kind);
    free(r->sdk_result);
    free(r);
    return NULL;
}

int prova_report_set_sdk_result(prova_report *r, const char *json, size_t len) {
    if (!r || (!json && len)) return PROVA_EINVAL;
    char *copy = malloc(len + 1);
    if (!copy) {
        r->incomplete = true;
        return PROVA_ENOMEM;
    }
    if (len) memcpy(copy, json, len);
    copy[len] = '\0';
    free(r->sdk_result);
    r->sdk_result = copy;
    r->sdk_result_len = len;
    return 0;
}

int prova_report_set_kind(prova_report *r, const char *kind) {
    if (!r || !kind) return PROVA_EINVAL;
    char *k = dup_str(kind);
    if (!k) return PROVA_ENOMEM;
    free(r->kind);
    r->kind = k;
    return 0;
}

/* Appends one entry whose message is msg[0..mn) (not necessarily NUL-terminated). The four strings live in one
 * allocation. 0 or PROVA_ENOMEM (the report is then incomplete: never valid). */
static int push_entry(prova_report *r, entry_list *l, const char *check, bool ok, const char *code, const char *at,
                      const char *msg, size_t mn) {
    if (prova__grow(prova_allocator_default(), (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0) {
        r->incomplete = true;
        return PROVA_ENOMEM;
    }
    const char *cd = ok ? "ok" : code;
    at = at ? at : "";
    size_t cl = strlen(check) + 1, dl = strlen(cd) + 1, ml = mn + 1, al = strlen(at) + 1;
    char *blk = malloc(cl + dl + ml + al);
    if (!blk) {
        r->incomplete = true;
        return PROVA_ENOMEM;
    }
    memcpy(blk, check, cl);
    memcpy(blk + cl, cd, dl);
    if (mn) memcpy(blk + cl + dl, msg, mn);
    blk[cl + dl + mn] = '\0';
    memcpy(blk + cl + dl + ml, at, al);
    /* Messages quote the document's strings cut to a width ("%.80s"), which can split a UTF-8 sequence, and JSON
     * Pointers are cut to their buffer: so that the report always has a JSON form, such bytes become '?'. */
    prova_utf8_scrub(blk + cl + dl, ml - 1, '?');
    prova_utf8_scrub(blk + cl + dl + ml, al - 1, '?');
    l->v[l->n++] = (prova_check){blk, ok, blk + cl, blk + cl + dl, blk + cl + dl + ml};
    return 0;
}

/* vsnprintf(out, cap, fmt, ap) for the conversions reports use -- %s, %.Ns, %d, %u, %zu, %lld, %llu, %% -- without
 * glibc's format machinery (several hundred ns a call, five calls per envelope verified). Returns the length written
 * (the output NUL-terminated), or -1 when fmt has anything else or the result does not fit (the caller then formats
 * with vsnprintf from a fresh copy of the arguments: the same bytes either way; tests/unit/test_core.c compares the
 * two). */
int prova__fmt_fast(char *out, size_t cap, const char *fmt, va_list ap) {
    size_t n = 0;
    if (cap == 0) return -1;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            const char *pc = strchr(f, '%');
            size_t run = pc ? (size_t)(pc - f) : strlen(f);
            if (run >= cap - n) return -1;
            memcpy(out + n, f, run);
            n += run;
            f += run - 1;
            continue;
        }
        f++;
        char num[24];
        const char *src = NULL;
        size_t len = 0;
        if (*f == '%') {
            src = "%";
            len = 1;
        } else if (*f == 's' || (*f == '.' && f[1] >= '0' && f[1] <= '9')) {
            size_t prec = SIZE_MAX;
            if (*f == '.') {
                prec = 0;
                for (f++; *f >= '0' && *f <= '9'; f++) prec = prec * 10 + (size_t)(*f - '0');
                if (*f != 's') return -1;
            }
            src = va_arg(ap, const char *);
            if (!src) return -1; /* glibc prints "(null)": not ours to imitate */
            len = prec == SIZE_MAX ? strlen(src) : strnlen(src, prec);
        } else {
            unsigned long long u = 0;
            bool neg = false;
            if (*f == 'd') {
                int v = va_arg(ap, int);
                neg = v < 0;
                u = neg ? 0ULL - (unsigned long long)(long long)v : (unsigned long long)v;
            } else if (*f == 'u') {
                u = va_arg(ap, unsigned);
            } else if (f[0] == 'z' && f[1] == 'u') {
                f++;
                u = va_arg(ap, size_t);
            } else if (f[0] == 'l' && f[1] == 'l' && f[2] == 'd') {
                f += 2;
                long long v = va_arg(ap, long long);
                neg = v < 0;
                u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            } else if (f[0] == 'l' && f[1] == 'l' && f[2] == 'u') {
                f += 2;
                u = va_arg(ap, unsigned long long);
            } else {
                return -1;
            }
            size_t k = sizeof num;
            do {
                num[--k] = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            if (neg) num[--k] = '-';
            src = num + k;
            len = sizeof num - k;
        }
        if (len >= cap - n) return -1;
        memcpy(out + n, src, len);
        n += len;
    }
    if (n >= cap) return -1;
    out[n] = '\0';
    return (int)n;
}

__attribute__((format(printf, 7, 0))) static int add_entry(prova_report *r, entry_list *l, const char *check, bool ok,
                                                           const char *code, const char *at, const char *fmt,
                                                           va_list ap) {
    /* Most messages fit a line: format on the stack; a longer one is formatted once more into its own buffer. */
    char line[512];
    va_list aq;
    va_copy(aq, ap);
    int mn = prova__fmt_fast(line, sizeof line, fmt, aq);
    va_end(aq);
    if (mn >= 0) return push_entry(r, l, check, ok, code, at, line, (size_t)mn);
    va_copy(aq, ap);
    mn = vsnprintf(line, sizeof line, fmt, aq);
    va_end(aq);
    if (mn < 0) mn = 0;
    if ((size_t)mn < sizeof line) return push_entry(r, l, check, ok, code, at, line, (size_t)mn);
    char *msg = malloc((size_t)mn + 1);
    if (!msg) {
        r->incomplete = true;
        return PROVA_ENOMEM;
    }
    vsnprintf(msg, (size_t)mn + 1, fmt, ap);
    int rc = push_entry(r, l, check, ok, code, at, msg, (size_t)mn);
    free(msg);
    return rc;
}

int prova__report_check(prova_report *r, const char *check, bool ok, const char *code, const char *at, const char *fmt,
                        ...) {
    if (!r || !check || !fmt || (!ok && !code)) return PROVA_EINVAL;
    if (ok && r->quiet) {
        r->quiet_passed++;
        return 0;
    }
    va_list ap;
    va_start(ap, fmt);
    int rc = add_entry(r, &r->checks, check, ok, code, at, fmt, ap);
    va_end(ap);
    return rc;
}

int prova__report_warn(prova_report *r, const char *code, const char *at, const char *fmt, ...) {
    if (!r || !code || !fmt) return PROVA_EINVAL;
    va_list ap;
    va_start(ap, fmt);
    int rc = add_entry(r, &r->warnings, "warning", false, code, at, fmt, ap);
    va_end(ap);
    return rc;
}

int prova_report_add_check(prova_report *r, const char *check, bool ok, const char *code, const char *at,
                           const char *message) {
    if (!r || !check || !message || (!ok && !code)) return PROVA_EINVAL;
    if (ok && r->quiet) {
        r->quiet_passed++;
        return 0;
    }
    return push_entry(r, &r->checks, check, ok, code, at, message, strlen(message));
}

int prova_report_add_warning(prova_report *r, const char *code, const char *at, const char *message) {
    if (!r || !code || !message) return PROVA_EINVAL;
    return push_entry(r, &r->warnings, "warning", false, code, at, message, strlen(message));
}

static int push_str(prova_report *r, str_list *l, const char *s) {
    size_t n = strlen(s) + 1;
    char *d;
    if (n <= sizeof r->strs - r->strs_used) {
        d = r->strs + r->strs_used;
        memcpy(d, s, n);
        r->strs_used += n;
    } else {
        d = dup_str(s);
    }
    if (!d || prova__grow(prova_allocator_default(), (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0) {
        if (d) free_str(r, d); /* from the inline buffer: left unused, harmless */
        r->incomplete = true;
        return PROVA_ENOMEM;
    }
    l->v[l->n++] = d;
    return 0;
}

int prova_report_add_unauthenticated(prova_report *r, const char *field) {
    if (!r || !field) return PROVA_EINVAL;
    for (size_t i = 0; i < r->unauthenticated.n; i++)
        if (strcmp(r->unauthenticated.v[i], field) == 0) return 0;
    return push_str(r, &r->unauthenticated, field);
}

int prova_report_add_key(prova_report *r, const char *kid, const char *source) {
    if (!r || !kid || !source) return PROVA_EINVAL;
    for (size_t i = 0; i < r->key_kids.n; i++)
        if (strcmp(r->key_kids.v[i], kid) == 0 && strcmp(r->key_sources.v[i], source) == 0) return 0;
    int rc = push_str(r, &r->key_kids, kid);
    if (rc == 0 && (rc = push_str(r, &r->key_sources, source)) < 0) free_str(r, r->key_kids.v[--r->key_kids.n]);
    return rc;
}

bool prova_report_valid(const prova_report *r) {
    if (!r || r->incomplete || r->checks.n == 0 || r->said != PROVA_OUTCOME_VALID) return false;
    for (size_t i = 0; i < r->checks.n; i++)
        if (!r->checks.v[i].ok) return false;
    return true;
}

static const char *const outcome_names[] = {"valid", "invalid", "unknown_kind", "bad_input"};

const char *prova_outcome_name(prova_outcome outcome) {
    return (unsigned)outcome < sizeof outcome_names / sizeof outcome_names[0] ? outcome_names[outcome] : NULL;
}

int prova_report_set_outcome(prova_report *r, prova_outcome outcome) {
    if (!r || !prova_outcome_name(outcome)) return PROVA_EINVAL;
    if (r->said == PROVA_OUTCOME_BAD_INPUT && outcome == PROVA_OUTCOME_UNKNOWN_KIND) return 0; /* bad input stays */
    r->said = outcome == PROVA_OUTCOME_INVALID ? PROVA_OUTCOME_VALID : outcome;
    return 0;
}

prova_outcome prova_report_outcome(const prova_report *r) {
    if (!r || r->said == PROVA_OUTCOME_BAD_INPUT) return PROVA_OUTCOME_BAD_INPUT;
    if (prova_report_valid(r)) return PROVA_OUTCOME_VALID;
    return r->said == PROVA_OUTCOME_UNKNOWN_KIND ? PROVA_OUTCOME_UNKNOWN_KIND : PROVA_OUTCOME_INVALID;
}

const char *prova_report_kind(const prova_report *r) {
    return r ? r->kind : NULL;
}
size_t prova_report_check_count(const prova_report *r) {
    return r ? r->checks.n : 0;
}
const prova_check *prova_report_check_at(const prova_report *r, size_t i) {
    return r && i < r->checks.n ? &r->checks.v[i] : NULL;
}
size_t prova_report_warning_count(const prova_report *r) {
    return r ? r->warnings.n : 0;
}
const prova_check *prova_report_warning_at(const prova_report *r, size_t i) {
    return r && i < r->warnings.n ? &r->warnings.v[i] : NULL;
}

const prova_check *prova_report_first_failure(const prova_report *r) {
    for (size_t i = 0; r && i < r->checks.n; i++)
        if (!r->checks.v[i].ok) return &r->checks.v[i];
    return NULL;
}

/* ---- JSON ------------------------------------------------------------------------------------------------ */

static int put(prova_buf *b, const char *s) {
    return prova_buf_append(b, s, strlen(s));
}

/* Text for a terminal: a hostile document must not be able to send escape sequences through a kid or a message,
 * so control bytes become '?'. */
static int put_safe(prova_buf *b, const char *s) {
    size_t n = strlen(s);
    if (prova_buf_reserve(b, n) < 0) return PROVA_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        b->data[b->len++] = c < 0x20 || c == 0x7f ? '?' : c;
    }
    return 0;
}

/* [{"at":..,"check":..,"code":..,"message":..,"ok":..},..] — members in code point order; warnings have no
 * "check" and no "ok". */
static void put_entries(prova_jw *w, const entry_list *l, bool warning) {
    prova_jw_arr(w);
    for (size_t i = 0; i < l->n; i++) {
        const prova_check *c = &l->v[i];
        prova_jw_obj(w);
        prova_jw_kstr(w, "at", c->at);
        if (!warning) prova_jw_kstr(w, "check", c->check);
        prova_jw_kstr(w, "code", c->code);
        prova_jw_kstr(w, "message", c->message);
        if (!warning) prova_jw_kbool(w, "ok", c->ok);
        prova_jw_end(w);
    }
    prova_jw_end(w);
}

int prova_report_to_json(const prova_report *rep, prova_buf *out) {
    if (!rep || !out) return PROVA_EINVAL;
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_obj(&w);
    prova_jw_key(&w, "checks");
    put_entries(&w, &rep->checks, false);
    if (rep->key_kids.n) {
        prova_jw_key(&w, "keys");
        prova_jw_arr(&w);
        for (size_t i = 0; i < rep->key_kids.n; i++) {
            prova_jw_obj(&w);
            prova_jw_kstr(&w, "kid", rep->key_kids.v[i]);
            prova_jw_kstr(&w, "source", rep->key_sources.v[i]);
            prova_jw_end(&w);
        }
        prova_jw_end(&w);
    }
    prova_jw_kstr(&w, "kind", rep->kind);
    prova_jw_kstr(&w, "outcome", prova_outcome_name(prova_report_outcome(rep)));
    if (rep->sdk_result) prova_jw_kraw(&w, "sdk_result", rep->sdk_result, rep->sdk_result_len);
    if (rep->unauthenticated.n) {
        prova_jw_key(&w, "unauthenticated_fields");
        prova_jw_arr(&w);
        for (size_t i = 0; i < rep->unauthenticated.n; i++) prova_jw_str(&w, rep->unauthenticated.v[i]);
        prova_jw_end(&w);
    }
    prova_jw_kbool(&w, "valid", prova_report_valid(rep));
    prova_jw_key(&w, "warnings");
    put_entries(&w, &rep->warnings, true);
    prova_jw_end(&w);
    return prova_jw_finish(&w);
}

int prova_report_to_text(const prova_report *rep, prova_buf *out) {
    if (!rep || !out) return PROVA_EINVAL;
    size_t mark = out->len;
    int r = put_safe(out, rep->kind);
    if (!r) r = put(out, "\n");
    for (size_t i = 0; !r && i < rep->checks.n; i++) {
        const prova_check *c = &rep->checks.v[i];
        r = put(out, c->ok ? "  [ok]   " : "  [FAIL] ");
        if (!r) r = put_safe(out, c->check);
        if (!r) r = put(out, ": ");
        if (!r) r = put_safe(out, c->message);
        if (!r && !c->ok) {
            r = put(out, " (");
            if (!r) r = put_safe(out, c->code);
            if (!r) r = put(out, ")");
        }
        if (!r && c->at[0]) {
            r = put(out, " at ");
            if (!r) r = put_safe(out, c->at);
        }
        if (!r) r = put(out, "\n");
    }
    for (size_t i = 0; !r && i < rep->warnings.n; i++) {
        const prova_check *c = &rep->warnings.v[i];
        r = put(out, "  [warn] ");
        if (!r) r = put_safe(out, c->message);
        if (!r) r = put(out, " (");
        if (!r) r = put_safe(out, c->code);
        if (!r) r = put(out, ")\n");
    }
    if (!r && rep->unauthenticated.n) {
        r = put(out, "  not covered by any signature:");
        for (size_t i = 0; !r && i < rep->unauthenticated.n; i++) {
            r = put(out, i ? ", " : " ");
            if (!r) r = put_safe(out, rep->unauthenticated.v[i]);
        }
        if (!r) r = put(out, "\n");
    }
    for (size_t i = 0; !r && i < rep->key_kids.n; i++) {
        r = put(out, "  key ");
        if (!r) r = put_safe(out, rep->key_kids.v[i]);
        if (!r) r = put(out, " from ");
        if (!r) r = put_safe(out, rep->key_sources.v[i]);
        if (!r) r = put(out, "\n");
    }
    if (!r) r = put(out, prova_report_valid(rep) ? "VALID\n" : "INVALID\n");
    if (r) out->len = mark;
    return r;
}

static int move_entries(prova_report *dst, entry_list *d, entry_list *s) {
    if (s->n == 0) return 0; /* nothing to move (and s->v may be NULL) */
    if (prova__grow(prova_allocator_default(), (void **)&d->v, &d->cap, d->n + s->n, sizeof *d->v) < 0) {
        dst->incomplete = true;
        return PROVA_ENOMEM;
    }
    memcpy(d->v + d->n, s->v, s->n * sizeof *s->v);
    d->n += s->n;
    s->n = 0;
    return 0;
}

int prova__report_append(prova_report *dst, prova_report *src) {
    if (!dst || !src) return PROVA_EINVAL;
    /* An inner document of no known kind is the answer only when nothing failed before it (the first failure
     * decides); an inner document that was not JSON is a failed check of the wrapper, not bad input. */
    if (src->said == PROVA_OUTCOME_UNKNOWN_KIND && dst->said == PROVA_OUTCOME_VALID && !prova_report_first_failure(dst))
        dst->said = PROVA_OUTCOME_UNKNOWN_KIND;
    int rc = move_entries(dst, &dst->checks, &src->checks);
    if (!rc) rc = move_entries(dst, &dst->warnings, &src->warnings);
    for (size_t i = 0; !rc && i < src->unauthenticated.n; i++)
        rc = prova_report_add_unauthenticated(dst, src->unauthenticated.v[i]);
    for (size_t i = 0; !rc && i < src->key_kids.n; i++)
        rc = prova_report_add_key(dst, src->key_kids.v[i], src->key_sources.v[i]);
    dst->quiet_passed += src->quiet_passed;
    src->quiet_passed = 0;
    if (src->incomplete) dst->incomplete = true;
    return rc;
}

const char *prova_report_sdk_result(const prova_report *r) {
    return r ? r->sdk_result : NULL;
}
