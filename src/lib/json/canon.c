/* Canonical writers for the three profiles (see docs/canonical-json.md for the table):
 *   ope     — Python json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=False)
 *   ophamin — the same with ensure_ascii=True (and NaN/Infinity re-emitted when the parse allowed them)
 *   jcs     — RFC 8785 (ECMAScript number formatting, UTF-16 key order)
 * Two drivers share the string and number writers: one walks a parsed document, one is a parser sink that
 * writes while parsing (prova_canon_bytes) and reorders each object's members in place when needed. */
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "dtoa.h"
#include "internal.h"
#include "json_internal.h"
#include "parse_impl.h"

static const char *const profile_names[] = {"ope", "ophamin", "jcs"};

const char *prova_profile_name(prova_profile p) {
    return (unsigned)p < sizeof profile_names / sizeof *profile_names ? profile_names[p] : "unknown";
}

int prova_profile_lookup(const char *name, prova_profile *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    for (unsigned i = 0; i < sizeof profile_names / sizeof *profile_names; i++) {
        if (strcmp(name, profile_names[i]) == 0) {
            *ret = (prova_profile)i;
            return 0;
        }
    }
    return PROVA_EUNSUPPORTED;
}

size_t prova_canon_format_double(double v, prova_profile p, char buf[32]) {
    if (!buf || v != v || v - v != 0) return 0; /* NaN or infinite */
    return p == PROVA_PROFILE_JCS ? prova__format_double_js(v, buf) : prova__format_double_py(v, buf);
}

/* ---- Strings --------------------------------------------------------------------------------------------- */

/* 1 = copy as is. ope/jcs: everything but '"', '\\' and < 0x20 (and 0xED, checked for lone surrogates).
 * ophamin: only 0x20..0x7E except '"' and '\\'. */
static const uint8_t safe_utf8[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static const uint8_t safe_ascii[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

static const char hexdig[] = "0123456789abcdef";

static inline uint8_t *put_u(uint8_t *o, uint32_t u) {
    o[0] = '\\';
    o[1] = 'u';
    o[2] = (uint8_t)hexdig[u >> 12 & 0xF];
    o[3] = (uint8_t)hexdig[u >> 8 & 0xF];
    o[4] = (uint8_t)hexdig[u >> 4 & 0xF];
    o[5] = (uint8_t)hexdig[u & 0xF];
    return o + 6;
}

/* Writes "s" escaped for profile p. Returns 0, PROVA_ENOMEM, or PROVA_ESYNTAX when s holds a lone surrogate and
 * the profile cannot write one. Reserves for the common case (no escapes) and grows only when an escape needs
 * more, so the output buffer stays close to the size of the result. */
static int write_string(const uint8_t *s, size_t n, prova_profile p, prova_buf *out) {
    if (n > SIZE_MAX / 2) return PROVA_ENOMEM;
    if (prova_buf_reserve(out, n + 2) < 0) return PROVA_ENOMEM;
    const uint8_t *safe = p == PROVA_PROFILE_OPHAMIN ? safe_ascii : safe_utf8;
    uint8_t *o = out->data + out->len;
    uint8_t *lim = out->data + out->cap;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (i < n && safe[s[i]]) i++;
        if (i > run) { /* room is guaranteed: every earlier byte produced at least one output byte */
            memcpy(o, s + run, i - run);
            o += i - run;
        }
        if (i >= n) break;
        /* An escape writes at most 12 bytes for 4 input bytes; keep room for it and the rest of the input. */
        if ((size_t)(lim - o) < 12 + (n - i) + 1) {
            out->len = (size_t)(o - out->data);
            if (prova_buf_reserve(out, 12 + (n - i) + 1) < 0) return PROVA_ENOMEM;
            o = out->data + out->len;
            lim = out->data + out->cap;
        }
        uint8_t c = s[i];
        if (c < 0x80) {
            *o++ = '\\';
            switch (c) {
            case '"':
                *o++ = '"';
                break;
            case '\\':
                *o++ = '\\';
                break;
            case '\b':
                *o++ = 'b';
                break;
            case '\f':
                *o++ = 'f';
                break;
            case '\n':
                *o++ = 'n';
                break;
            case '\r':
                *o++ = 'r';
                break;
            case '\t':
                *o++ = 't';
                break;
            default:
                o = put_u(o - 1, c);
                break; /* < 0x20, or 0x7F under ophamin */
            }
            i++;
            continue;
        }
        /* A multi-byte sequence (validated by the parser; generalized UTF-8 for lone surrogates). */
        uint32_t cp;
        size_t len;
        if (c < 0xE0) {
            cp = (uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3Fu);
            len = 2;
        } else if (c < 0xF0) {
            cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3Fu);
            len = 3;
        } else {
            cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3F) << 12 | (uint32_t)(s[i + 2] & 0x3F) << 6 |
                 (s[i + 3] & 0x3Fu);
            len = 4;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            if (p != PROVA_PROFILE_OPHAMIN) return PROVA_ESYNTAX;
            o = put_u(o, cp);
        } else if (p != PROVA_PROFILE_OPHAMIN) {
            memcpy(o, s + i, len); /* 0xED lead byte of a non-surrogate */
            o += len;
        } else if (cp < 0x10000) {
            o = put_u(o, cp);
        } else {
            cp -= 0x10000;
            o = put_u(o, 0xD800 | cp >> 10);
            o = put_u(o, 0xDC00 | (cp & 0x3FF));
        }
        i += len;
    }
    *o++ = '"';
    out->len = (size_t)(o - out->data);
    return 0;
}

int prova_canon_write_string(const char *s, size_t n, prova_profile p, prova_buf *out) {
    if ((!s && n) || !out || (unsigned)p > PROVA_PROFILE_JCS) return PROVA_EINVAL;
    /* The writer trusts its input to be UTF-8 (the parser guarantees it for documents); callers of this entry
     * point may pass anything, so it is checked here. */
    if (!prova_utf8_valid(s ? s : "", n)) return PROVA_ESYNTAX;
    return write_string((const uint8_t *)(s ? s : ""), n, p, out);
}

/* ---- Numbers --------------------------------------------------------------------------------------------- */

typedef enum { NUM_OK = 0, NUM_NONFINITE, NUM_RANGE } num_status;

/* Reads a validated number token as digits * 10^exp10 when it has at most 15 significant digits and its value
 * is a normal double (decimal point position in [-306, 308]). Returns false otherwise. */
static bool short_decimal(const char *tok, size_t n, bool *ret_neg, uint64_t *ret_digits, int *ret_exp10) {
    const char *q = tok, *end = tok + n;
    bool neg = *q == '-';
    if (neg) q++;
    uint64_t digits = 0;
    int nd = 0;                       /* digits taken from the first non-zero one on (internal zeros included) */
    int exp10 = 0;                    /* value = digits * 10^exp10 */
    while (q < end && *q == '0') q++; /* leading zeros of the integer part */
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        if (++nd > 19) return false; /* more than a uint64_t holds: certainly more than 15 */
        digits = digits * 10 + (uint64_t)(*q - '0');
    }
    if (q < end && *q == '.') {
        q++;
        if (nd == 0)
            for (; q < end && *q == '0'; q++) exp10--; /* 0.000ddd */
        for (; q < end && *q >= '0' && *q <= '9'; q++) {
            if (++nd > 19) return false;
            digits = digits * 10 + (uint64_t)(*q - '0');
            exp10--;
        }
    }
    if (q < end) { /* exponent: 'e' or 'E', optional sign, digits */
        q++;
        bool eneg = false;
        if (*q == '+' || *q == '-') eneg = *q++ == '-';
        int e = 0;
        for (; q < end; q++) {
            if (e > 100000) return false;
            e = e * 10 + (*q - '0');
        }
        exp10 += eneg ? -e : e;
    }
    if (digits == 0) {
        *ret_neg = neg;
        *ret_digits = 0;
        *ret_exp10 = 0;
        return true;
    }
    while (digits % 10 == 0) { /* trailing zeros are not significant */
        digits /= 10;
        exp10++;
        nd--;
    }
    if (nd > 15) return false;
    int decpt = nd + exp10;
    if (decpt < -306 || decpt > 308) return false;
    *ret_neg = neg;
    *ret_digits = digits;
    *ret_exp10 = exp10;
    return true;
}

/* Writes a number token (validated JSON grammar, or NaN/Infinity flagged nonfinite) under profile p. */
static int write_number(const char *tok, size_t n, unsigned flags, prova_profile p, prova_buf *out, num_status *why) {
    char buf[32];
    size_t len;
    if (flags & PROVA_NUM_NONFINITE) {
        if (p != PROVA_PROFILE_OPHAMIN) {
            *why = NUM_NONFINITE;
            return PROVA_ESYNTAX;
        }
        /* Python writes NaN/Infinity/-Infinity; an overflowing float token (1e400) is an infinity. */
        if (tok[0] == 'N') return prova_buf_append(out, "NaN", 3);
        return tok[0] == '-' ? prova_buf_append(out, "-Infinity", 9) : prova_buf_append(out, "Infinity", 8);
    }
    if (!(flags & PROVA_NUM_FLOAT)) {
        if (n == 2 && tok[0] == '-' && tok[1] == '0') return prova_buf_append(out, "0", 1);
        /* ope/ophamin: integers are exact at any size. jcs: an integer token of at most 15 digits is an exact
         * double that ECMAScript prints as the same digits. */
        if (p != PROVA_PROFILE_JCS || n - (tok[0] == '-') <= 15) return prova_buf_append(out, tok, n);
    }
    /* A float token with at most 15 significant digits in the normal range: those digits ARE the shortest
     * round-trip digits of the nearest double (DBL_DIG = 15: two such decimals never share a double), so the
     * canonical form follows from the token without converting it. */
    bool neg;
    uint64_t digits;
    int exp10;
    if ((flags & NUM_SHORT) && short_decimal(tok, n, &neg, &digits, &exp10)) {
        len = prova__format_decimal(neg, digits, exp10, p == PROVA_PROFILE_JCS, buf);
        return prova_buf_append(out, buf, len);
    }
    double d;
    if (prova__strtod(tok, n, &d) < 0) {
        *why = p == PROVA_PROFILE_JCS ? NUM_RANGE : NUM_NONFINITE;
        return p == PROVA_PROFILE_JCS ? PROVA_ERANGE : PROVA_ESYNTAX;
    }
    len = p == PROVA_PROFILE_JCS ? prova__format_double_js(d, buf) : prova__format_double_py(d, buf);
    return prova_buf_append(out, buf, len);
}

static const char *num_reason(num_status why) {
    return why == NUM_RANGE ? "canon_number_range" : "canon_nonfinite";
}

static const char *num_message(num_status why, prova_profile p) {
    if (why == NUM_RANGE) return "number is outside the range of an IEEE double (required by jcs)";
    return p == PROVA_PROFILE_OPHAMIN ? "NaN/Infinity are accepted only when parsing with nonfinite numbers allowed"
                                      : "NaN and Infinity cannot be written in this profile";
}

/* ---- Driver 1: a parsed document -------------------------------------------------------------------------- */

typedef struct wframe {
    const prova_json *v;
    size_t i;
    uint32_t *order; /* jcs objects whose code point order differs from UTF-16 order; else NULL */
} wframe;

static void set_error(prova_error *err, int status, const char *reason, const char *message) {
    if (!err) return;
    prova_error_clear(err);
    err->status = status;
    err->reason = reason;
    err->message = message;
}

static void wpointer(prova_error *err, const wframe *st, size_t depth) {
    if (!err) return;
    size_t len = 0;
    err->pointer[0] = '\0';
    for (size_t d = 0; d < depth; d++) {
        const wframe *f = &st[d];
        size_t k = f->i - 1; /* the element being written */
        char tok[PROVA_POINTER_MAX];
        size_t tn;
        if (f->v->type == PROVA_JSON_ARRAY) {
            tn = (size_t)snprintf(tok, sizeof tok, "%zu", k);
        } else {
            const prova_json *key = &f->v->u.members[f->order ? f->order[k] : k].key;
            tn = 0;
            for (size_t j = 0; j < key->len && tn + 2 < sizeof tok; j++) {
                char c = key->u.str[j];
                if (c == '~' || c == '/') {
                    tok[tn++] = '~';
                    tok[tn++] = c == '~' ? '0' : '1';
                } else {
                    tok[tn++] = c;
                }
            }
        }
        if (len + 1 + tn >= PROVA_POINTER_MAX) break;
        err->pointer[len++] = '/';
        memcpy(err->pointer + len, tok, tn);
        len += tn;
        err->pointer[len] = '\0';
    }
}

static bool needs_utf16_order(const prova_json *obj) {
    for (size_t i = 1; i < obj->len; i++) {
        const prova_json *a = &obj->u.members[i - 1].key, *b = &obj->u.members[i].key;
        if (prova__key_cmp_utf16(a->u.str, a->len, b->u.str, b->len) > 0) return true;
    }
    return false;
}

static int utf16_order(const prova_json *obj, const prova_allocator *a, uint32_t **ret) {
    size_t m = obj->len;
    uint32_t *idx = a->malloc(a->ctx, 2 * m * sizeof *idx);
    key_ref *keys = a->malloc(a->ctx, m * sizeof *keys);
    if (!idx || !keys) {
        if (idx) a->free(a->ctx, idx, 2 * m * sizeof *idx);
        if (keys) a->free(a->ctx, keys, m * sizeof *keys);
        return PROVA_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        idx[i] = (uint32_t)i;
        key_ref_set(&keys[i], obj->u.members[i].key.u.str, obj->u.members[i].key.len);
    }
    prova__sort_keys(idx, idx + m, m, keys, true);
    a->free(a->ctx, keys, m * sizeof *keys);
    *ret = idx;
    return 0;
}

static int write_doc(const prova_json *root, prova_profile p, prova_buf *out, prova_error *err) {
    const prova_allocator *a = out->alloc ? out->alloc : prova_allocator_default();
    wframe small[64];
    wframe *st = small;
    size_t cap = 64, depth = 0;
    int r = 0;
    const prova_json *v = root;

    for (;;) {
        /* Write v (a scalar, or open a container). */
        switch (v->type) {
        case PROVA_JSON_NULL:
            r = prova_buf_append(out, "null", 4);
            break;
        case PROVA_JSON_TRUE:
            r = prova_buf_append(out, "true", 4);
            break;
        case PROVA_JSON_FALSE:
            r = prova_buf_append(out, "false", 5);
            break;
        case PROVA_JSON_STRING:
            r = write_string((const uint8_t *)v->u.str, v->len, p, out);
            if (r == PROVA_ESYNTAX) {
                set_error(err, r, "canon_lone_surrogate", "a lone surrogate cannot be written in this profile");
                wpointer(err, st, depth);
            }
            break;
        case PROVA_JSON_NUMBER: {
            num_status why = NUM_OK;
            r = write_number(v->u.str, v->len, v->flags, p, out, &why);
            if (r < 0 && why != NUM_OK) {
                set_error(err, r, num_reason(why), num_message(why, p));
                wpointer(err, st, depth);
            }
            break;
        }
        case PROVA_JSON_ARRAY:
        case PROVA_JSON_OBJECT: {
            if (depth == cap) {
                size_t ncap = cap * 2;
                wframe *n = a->malloc(a->ctx, ncap * sizeof *n);
                if (!n) {
                    r = PROVA_ENOMEM;
                    break;
                }
                memcpy(n, st, depth * sizeof *st);
                if (st != small) a->free(a->ctx, st, cap * sizeof *st);
                st = n;
                cap = ncap;
            }
            wframe *f = &st[depth++];
            f->v = v;
            f->i = 0;
            f->order = NULL;
            if (v->type == PROVA_JSON_OBJECT && p == PROVA_PROFILE_JCS && needs_utf16_order(v))
                r = utf16_order(v, a, &f->order);
            if (r == 0) r = prova_buf_append(out, v->type == PROVA_JSON_OBJECT ? "{" : "[", 1);
            break;
        }
        default:
            r = PROVA_EINVAL;
            break;
        }
        if (r < 0) break;

        /* Find the next value to write, closing finished containers. */
        v = NULL;
        while (depth > 0) {
            wframe *f = &st[depth - 1];
            if (f->i < f->v->len) {
                if (f->i > 0 && (r = prova_buf_append(out, ",", 1)) < 0) break;
                size_t k = f->i++;
                if (f->v->type == PROVA_JSON_ARRAY) {
                    v = &f->v->u.items[k];
                } else {
                    const prova_json_member *m = &f->v->u.members[f->order ? f->order[k] : k];
                    if ((r = write_string((const uint8_t *)m->key.u.str, m->key.len, p, out)) < 0) {
                        if (r == PROVA_ESYNTAX) {
                            set_error(err, r, "canon_lone_surrogate",
                                      "a lone surrogate cannot be written in this profile");
                            wpointer(err, st, depth);
                        }
                        break;
                    }
                    if ((r = prova_buf_append(out, ":", 1)) < 0) break;
                    v = &m->value;
                }
                break;
            }
            if ((r = prova_buf_append(out, f->v->type == PROVA_JSON_OBJECT ? "}" : "]", 1)) < 0) break;
            if (f->order) a->free(a->ctx, f->order, 2 * f->v->len * sizeof *f->order);
            f->order = NULL;
            depth--;
        }
        if (r < 0 || !v) break;
    }
    for (size_t d = 0; d < depth; d++)
        if (st[d].order) a->free(a->ctx, st[d].order, 2 * st[d].v->len * sizeof *st[d].order);
    if (st != small) a->free(a->ctx, st, cap * sizeof *st);
    if (r == PROVA_ENOMEM) set_error(err, r, "out_of_memory", "out of memory");
    return r;
}

int prova_canon_write(const prova_json *v, prova_profile p, prova_buf *out, prova_error *reterr) {
    prova_error_clear(reterr);
    if (!v || !out || (unsigned)p > PROVA_PROFILE_JCS) {
        set_error(reterr, PROVA_EINVAL, "invalid_argument", "NULL value/buffer or unknown profile");
        return PROVA_EINVAL;
    }
    size_t mark = out->len;
    int r = write_doc(v, p, out, reterr);
    if (r < 0) out->len = mark;
    return r;
}

int prova_canon_write_to(const prova_json *v, prova_profile p, void *buf, size_t cap, size_t *ret_len,
                         prova_error *reterr) {
    if (!ret_len || (!buf && cap)) return PROVA_EINVAL;
    prova_buf tmp = PROVA_BUF_INIT;
    int r = prova_canon_write(v, p, &tmp, reterr);
    if (r == 0) {
        *ret_len = tmp.len;
        if (tmp.len > cap)
            r = PROVA_ENOSPACE;
        else if (tmp.len)
            memcpy(buf, tmp.data, tmp.len);
    }
    prova_buf_free(&tmp);
    return r;
}

/* ---- Driver 2: canonicalize while parsing ----------------------------------------------------------------- */

typedef struct cmember {
    const char *ptr; /* the key in the input (verbatim keys), or NULL: then key_off into the keys buffer */
    size_t key_off;
    size_t key_len;
    size_t out_start; /* where this member's text ("key":value) begins in out */
    size_t out_len;   /* its length (without the comma), known when the next member starts or the object ends */
    uint32_t src_off; /* byte offset of the key in the input, for errors */
    uint32_t val_off; /* where the value begins, from out_start (after "key":) */
} cmember;

typedef struct cframe {
    uint8_t type;
    uint32_t out_mark; /* validate-only runs (discard): out->len before the opening bracket, dropped back to at the
                          close (32 bits keep the frame at 32 bytes; documents are < 4 GiB, as src_off assumes) */
    size_t count;
    size_t first_member; /* index into members */
    size_t keys_mark;    /* keys buffer length at open */
} cframe;

typedef struct canon_sink {
    prova_profile p;
    prova_buf *out;
    const prova_allocator *a;
    cframe *frames;
    size_t nframes, capframes;
    cmember *members;
    size_t nmembers, capmembers;
    prova_buf keys;    /* copies of keys that had escapes (decoded into the parser's scratch) */
    prova_buf tmp;     /* object bodies being reordered */
    uint32_t *sortbuf; /* idx + tmp */
    size_t capsort;
    key_ref *refs;
    size_t caprefs;
    unsigned raw_ok; /* string flags under which the input bytes are already canonical */
    /* Optional: report where the values of these top-level members ended up in out (prova__canon_top_members). */
    const char *const *want;
    size_t nwant;
    size_t wantlen[16];
    prova__span *found;
    prova__span *others; /* and the keys of the other top-level members, when not NULL */
    size_t maxothers, nothers;
    /* The streaming driver (prova_canon_stream): */
    size_t abort_at; /* a value still open at this input offset is too big to canonicalize in the buffer */
    bool aborted;    /* ... and the parse stopped because of it */
    bool discard;    /* validate only: checks everything, drops each container's text when it closes */
} canon_sink;

/* Appends without a call when there is room (the hot path writes many 1-byte separators). */
static inline int put(prova_buf *b, const void *s, size_t n) {
    if (b->cap - b->len < n && prova_buf_reserve(b, n) < 0) return PROVA_ENOMEM;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

static inline int put1(prova_buf *b, uint8_t c) {
    if (b->cap == b->len && prova_buf_reserve(b, 1) < 0) return PROVA_ENOMEM;
    b->data[b->len++] = c;
    return 0;
}

/* Copies n bytes without a call for the short keys and values that dominate JSON: two overlapping loads and
 * stores that stay inside [s, s + n). */
static inline void copy_short(uint8_t *d, const char *s, size_t n) {
    if (n >= 8 && n <= 16) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &z, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &z, 4);
    } else if (n > 0 && n < 4) {
        d[0] = (uint8_t)s[0];
        d[n / 2] = (uint8_t)s[n / 2];
        d[n - 1] = (uint8_t)s[n - 1];
    } else if (n > 16) {
        memcpy(d, s, n);
    }
}

/* A string whose input bytes are already its canonical form (no escapes, nothing the profile escapes). */
static inline int put_quoted(prova_buf *b, const char *s, size_t n) {
    if (b->cap - b->len < n + 2 && prova_buf_reserve(b, n + 2) < 0) return PROVA_ENOMEM;
    uint8_t *o = b->data + b->len;
    o[0] = '"';
    copy_short(o + 1, s, n);
    o[n + 1] = '"';
    b->len += n + 2;
    return 0;
}

static int oom(json_parser *p, size_t off) {
    return prova__json_fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off, NULL, 0);
}

/* Writes a string, verbatim when the parser says its bytes are already canonical for this profile. */
static inline int c_string(canon_sink *s, const char *str, size_t n, unsigned flags) {
    if ((flags & s->raw_ok) == s->raw_ok) return put_quoted(s->out, str, n);
    return write_string((const uint8_t *)str, n, s->p, s->out);
}

/* Separator before a value in an array (objects write theirs before the key). */
static inline int c_value_prefix(canon_sink *s) {
    if (s->nframes == 0) return 0;
    cframe *f = &s->frames[s->nframes - 1];
    if (f->type != PROVA_JSON_ARRAY) return 0;
    return f->count++ ? put1(s->out, ',') : 0;
}

static PROVA_ALWAYS_INLINE int c_begin(json_parser *p, void *ctx, prova_json_type t, size_t off) {
    canon_sink *s = ctx;
    if (c_value_prefix(s) < 0 ||
        prova__grow(s->a, (void **)&s->frames, &s->capframes, s->nframes + 1, sizeof *s->frames) < 0 ||
        put1(s->out, t == PROVA_JSON_OBJECT ? '{' : '[') < 0)
        return oom(p, off);
    cframe *f = &s->frames[s->nframes++];
    f->type = (uint8_t)t;
    f->count = 0;
    f->first_member = s->nmembers;
    f->keys_mark = s->keys.len;
    f->out_mark = (uint32_t)(s->out->len - 1);
    return 0;
}

static PROVA_ALWAYS_INLINE int c_key(json_parser *p, void *ctx, const char *str, size_t n, unsigned flags, size_t off) {
    canon_sink *s = ctx;
    cframe *f = &s->frames[s->nframes - 1];
    if (f->count++) {
        cmember *prev = &s->members[s->nmembers - 1];
        prev->out_len = s->out->len - prev->out_start;
        if (put1(s->out, ',') < 0) return oom(p, off);
    }
    if (s->nmembers == s->capmembers &&
        prova__grow(s->a, (void **)&s->members, &s->capmembers, s->nmembers + 1, sizeof *s->members) < 0)
        return oom(p, off);
    cmember *m = &s->members[s->nmembers++];
    m->key_len = n;
    m->out_start = s->out->len;
    m->src_off = (uint32_t)off;
    if (flags & STR_VERBATIM) {
        m->ptr = str; /* points into the input, stable for the whole run */
        m->key_off = 0;
    } else {
        m->ptr = NULL;
        m->key_off = s->keys.len;
        if (put(&s->keys, str, n) < 0) return oom(p, off);
    }
    int r = c_string(s, str, n, flags);
    if (r == PROVA_ESYNTAX)
        return prova__json_fail(p, r, "canon_lone_surrogate", "a lone surrogate cannot be written in this profile", off,
                                str, n);
    if (r < 0 || put1(s->out, ':') < 0) return oom(p, off);
    m->val_off = (uint32_t)(s->out->len - m->out_start);
    return 0;
}

static PROVA_ALWAYS_INLINE int c_scalar(json_parser *p, void *ctx, prova_json_type t, const char *str, size_t n,
                                        unsigned flags, size_t off) {
    canon_sink *s = ctx;
    if (c_value_prefix(s) < 0) return oom(p, off);
    int r;
    num_status why = NUM_OK;
    switch (t) {
    case PROVA_JSON_STRING:
        r = c_string(s, str, n, flags);
        if (r == PROVA_ESYNTAX)
            return prova__json_fail(p, r, "canon_lone_surrogate", "a lone surrogate cannot be written in this profile",
                                    off, NULL, 0);
        break;
    case PROVA_JSON_NUMBER:
        r = write_number(str, n, flags, s->p, s->out, &why);
        if (r < 0 && why != NUM_OK)
            return prova__json_fail(p, r, num_reason(why), num_message(why, s->p), off, NULL, 0);
        break;
    default:
        r = put(s->out, str, n);
        break;
    }
    return r < 0 ? oom(p, off) : 0;
}

/* Closes an object: checks the member order and, when it is not canonical, sorts, rejects duplicates, and
 * rewrites the members' text in place in key order. */
static int c_close_object(json_parser *p, canon_sink *s, cframe *f, size_t off) {
    size_t m = f->count;
    cmember *mem = s->members + f->first_member;
    mem[m - 1].out_len = s->out->len - mem[m - 1].out_start;
    bool utf16 = s->p == PROVA_PROFILE_JCS;
    if (prova__grow(s->a, (void **)&s->refs, &s->caprefs, m, sizeof *s->refs) < 0) return oom(p, off);
    const char *kb = (const char *)s->keys.data;
    key_ref *refs = s->refs;
    bool sorted = true;
    for (size_t i = 0; i < m; i++) {
        key_ref_set(&refs[i], mem[i].ptr ? mem[i].ptr : kb + mem[i].key_off, mem[i].key_len);
        if (i && sorted) sorted = key_ref_cmp(&refs[i - 1], &refs[i], utf16) < 0;
    }
    if (sorted) return 0; /* strictly increasing: no duplicates either (out_start stays each member's place) */
    if (prova__grow(s->a, (void **)&s->sortbuf, &s->capsort, 2 * m, sizeof *s->sortbuf) < 0) return oom(p, off);
    uint32_t *idx = s->sortbuf;
    for (size_t i = 0; i < m; i++) idx[i] = (uint32_t)i;
    prova__sort_keys(idx, idx + m, m, refs, utf16);
    for (size_t i = 1; i < m; i++) {
        const key_ref *x = &refs[idx[i - 1]], *y = &refs[idx[i]];
        if (x->n == y->n && memcmp(x->s, y->s, x->n) == 0) {
            uint32_t ao = mem[idx[i - 1]].src_off, bo = mem[idx[i]].src_off;
            return prova__json_fail(p, PROVA_ESYNTAX, "json_duplicate_key", "duplicate member name in object",
                                    ao > bo ? ao : bo, y->s, y->n);
        }
    }
    if (s->discard) return 0;
    /* Rewrite the body in key order. The largest member moves in place (memmove); only the others are copied
     * out and back, so a document whose bulk is one member (a top-level {"events":[...]}) needs no second copy. */
    uint8_t *out = s->out->data;
    size_t body = mem[0].out_start;
    size_t big = 0;
    for (size_t k = 1; k < m; k++)
        if (mem[k].out_len > mem[big].out_len) big = k;
    s->tmp.len = 0;
    if (prova_buf_reserve(&s->tmp, s->out->len - body - mem[big].out_len) < 0) return oom(p, off);
    uint32_t *toff = idx + m;        /* the sort's scratch half, free now: each saved member's offset in tmp */
    for (size_t k = 0; k < m; k++) { /* save the others, in input order (documents are < 4 GiB) */
        if (k == big) continue;
        toff[k] = (uint32_t)s->tmp.len;
        memcpy(s->tmp.data + s->tmp.len, out + mem[k].out_start, mem[k].out_len);
        s->tmp.len += mem[k].out_len;
    }
    size_t big_dst = body;
    for (size_t i = 0; idx[i] != big; i++) big_dst += mem[idx[i]].out_len + 1;
    memmove(out + big_dst, out + mem[big].out_start, mem[big].out_len);
    uint8_t *o = out + body;
    for (size_t i = 0; i < m; i++) {
        size_t k = idx[i];
        if (k != big) memcpy(o, s->tmp.data + toff[k], mem[k].out_len);
        mem[k].out_start = (size_t)(o - out); /* its place now (read by top_spans) */
        o += mem[k].out_len;
        if (i + 1 < m) *o++ = ',';
    }
    return 0;
}

/* At the close of the root object: the spans in out of the values of the wanted members. */
static void top_spans(canon_sink *s, const cframe *f) {
    const char *kb = (const char *)s->keys.data;
    for (size_t i = 0; i < f->count; i++) {
        const cmember *m = &s->members[f->first_member + i];
        const char *k = m->ptr ? m->ptr : kb + m->key_off;
        size_t w = 0;
        while (w < s->nwant && !(s->wantlen[w] == m->key_len && memcmp(s->want[w], k, m->key_len) == 0)) w++;
        if (w < s->nwant) {
            s->found[w].off = m->out_start + m->val_off;
            s->found[w].len = m->out_len - m->val_off;
        } else if (s->others) {
            /* The member's text is "key":value, so its key is val_off - 3 bytes after the opening quote. */
            if (s->nothers < s->maxothers) s->others[s->nothers] = (prova__span){m->out_start + 1, m->val_off - 3};
            s->nothers++;
        }
    }
}

static PROVA_ALWAYS_INLINE int c_end(json_parser *p, void *ctx, prova_json_type t, size_t off) {
    canon_sink *s = ctx;
    cframe *f = &s->frames[s->nframes - 1];
    if (t == PROVA_JSON_OBJECT) {
        if (f->count > 1) {
            int r = c_close_object(p, s, f, off);
            if (r < 0) return r;
        }
        if (s->nwant && s->nframes == 1 && f->count) {
            cmember *only = &s->members[f->first_member];
            if (f->count == 1) only->out_len = s->out->len - only->out_start; /* close_object sets it for more */
            top_spans(s, f);
        }
        s->nmembers = f->first_member;
        s->keys.len = f->keys_mark;
    }
    s->nframes--;
    if (s->discard) {
        s->out->len = f->out_mark;
        return 0;
    }
    if (put1(s->out, t == PROVA_JSON_OBJECT ? '}' : ']') < 0) return oom(p, off);
    return 0;
}

static const json_sink canon_sink_vtable = {c_begin, c_end, c_key, c_scalar};

static int canon_bytes(const void *data, size_t len, prova_profile p, const prova_parse_options *opts, prova_buf *out,
                       const char *const *want, size_t nwant, prova__span *found, prova__span *others, size_t maxothers,
                       size_t *ret_nothers, prova_error *reterr, bool discard) {
    prova_error_clear(reterr);
    if ((!data && len) || !out || (unsigned)p > PROVA_PROFILE_JCS) {
        set_error(reterr, PROVA_EINVAL, "invalid_argument", "NULL data/buffer or unknown profile");
        return PROVA_EINVAL;
    }
    prova_parse_options lim;
    prova__parse_limits(opts, &lim);
    if (p != PROVA_PROFILE_OPHAMIN)
        lim.flags &= ~(uint32_t)(PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES);
    canon_sink s = {.p = p,
                    .out = out,
                    .a = lim.alloc,
                    .want = want,
                    .nwant = nwant,
                    .found = found,
                    .others = others,
                    .maxothers = maxothers,
                    .discard = discard};
    s.keys.alloc = s.tmp.alloc = lim.alloc;
    for (size_t w = 0; w < nwant; w++) {
        found[w] = (prova__span){0, 0};
        s.wantlen[w] = strlen(want[w]);
    }
    /* ope/jcs write valid UTF-8 raw: an unescaped input string is already canonical. ophamin escapes
     * everything outside 0x20..0x7E, so only pure printable ASCII is. */
    s.raw_ok = p == PROVA_PROFILE_OPHAMIN ? STR_VERBATIM | STR_ASCII : STR_VERBATIM;
    size_t mark = out->len;
    /* Canonical output is rarely longer than the input; reserving it up front avoids regrowth copies. */
    int r = discard ? 0 : prova_buf_reserve(out, len + 16);
    if (r == 0)
        r = json_parse_with(data ? data : "", len, &lim, &canon_sink_vtable, &s, reterr);
    else
        set_error(reterr, r, "out_of_memory", "out of memory");
    if (r < 0) out->len = mark;
    const prova_allocator *a = lim.alloc;
    if (s.frames) a->free(a->ctx, s.frames, s.capframes * sizeof *s.frames);
    if (s.members) a->free(a->ctx, s.members, s.capmembers * sizeof *s.members);
    if (s.sortbuf) a->free(a->ctx, s.sortbuf, s.capsort * sizeof *s.sortbuf);
    if (s.refs) a->free(a->ctx, s.refs, s.caprefs * sizeof *s.refs);
    prova_buf_free(&s.keys);
    prova_buf_free(&s.tmp);
    if (r == 0 && ret_nothers) *ret_nothers = s.nothers;
    return r;
}

int prova_canon_bytes(const void *data, size_t len, prova_profile p, const prova_parse_options *opts, prova_buf *out,
                      prova_error *reterr) {
    return canon_bytes(data, len, p, opts, out, NULL, 0, NULL, NULL, 0, NULL, reterr, false);
}

int prova__canon_top_members(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                             prova_buf *out, const char *const *want, size_t nwant, prova__span *found,
                             prova__span *others, size_t maxothers, size_t *ret_nothers, prova_error *reterr) {
    if ((nwant && (!found || !want)) || nwant > 16 || (maxothers && !others)) return PROVA_EINVAL;
    return canon_bytes(data, len, p, opts, out, want, nwant, found, others, maxothers, ret_nothers, reterr, false);
}

/* ---- Driver 3: streaming (prova_canon_stream) --------------------------------------------------------------- */

/* A value whose text is at most this long is canonicalized in the output buffer by driver 2; a longer object is
 * sorted from a list of its members' spans in the input and each value emitted in turn, a longer array element
 * by element. The output buffer is flushed to the caller's function once it holds STREAM_FLUSH bytes. */
#define STREAM_SMALL ((size_t)64 << 10)
#define STREAM_FLUSH ((size_t)1 << 20)

static int st_abort(json_parser *p, canon_sink *s, size_t off) {
    s->aborted = true;
    return prova__json_fail(p, PROVA_ELIMIT, "canon_stream_big", "value too big for the buffer", off, NULL, 0);
}

static PROVA_ALWAYS_INLINE int s_begin(json_parser *p, void *ctx, prova_json_type t, size_t off) {
    canon_sink *s = ctx;
    if (off > s->abort_at) return st_abort(p, s, off);
    return c_begin(p, ctx, t, off);
}

static PROVA_ALWAYS_INLINE int s_key(json_parser *p, void *ctx, const char *str, size_t n, unsigned flags, size_t off) {
    canon_sink *s = ctx;
    if (off > s->abort_at) return st_abort(p, s, off);
    return c_key(p, ctx, str, n, flags, off);
}

static PROVA_ALWAYS_INLINE int s_scalar(json_parser *p, void *ctx, prova_json_type t, const char *str, size_t n,
                                        unsigned flags, size_t off) {
    canon_sink *s = ctx;
    if (off > s->abort_at) return st_abort(p, s, off);
    return c_scalar(p, ctx, t, str, n, flags, off);
}

static const json_sink stream_sink_vtable = {s_begin, c_end, s_key, s_scalar};

/* A member of a big object: its key (in the input, or at key_off in the keys buffer) and its value's span. */
typedef struct smember {
    const char *ptr;
    size_t key_off, key_len;
    unsigned flags; /* the scanner's string flags of the key */
    size_t src_off; /* the key's opening quote */
    size_t vstart, vend;
} smember;

typedef struct streamer {
    const uint8_t *in;
    size_t len;
    prova_profile p;
    prova_parse_options lim;
    const prova_allocator *a;
    canon_sink s; /* driver 2, reused for every small value; its out is obuf */
    prova_buf obuf;
    json_parser jp; /* the parser of the small values, reused */
    json_parser kp; /* scans the keys of big objects */
    prova_error perr;
    prova_buf keys; /* decoded keys (with escapes) of the open big objects */
    prova_canon_write_fn write;
    void *wctx;
    int werr;     /* the write function's failure */
    size_t small; /* STREAM_SMALL and STREAM_FLUSH (smaller in tests) */
    size_t flush;
} streamer;

static int st_flush(streamer *t) {
    if (t->obuf.len == 0) return 0;
    int r = t->write(t->wctx, t->obuf.data, t->obuf.len);
    t->obuf.len = 0;
    if (r != 0) {
        t->werr = PROVA_EIO;
        return PROVA_EIO;
    }
    return 0;
}

static inline int st_put1(streamer *t, uint8_t c) {
    return put1(&t->obuf, c);
}

/* Masks of 64 input bytes: quotes, backslashes, opening and closing brackets ('{' and '[' are the only bytes whose
 * value | 0x20 is 0x7B; '}' and ']' the only ones for 0x7D). */
static inline void block_masks(const uint8_t *b, uint64_t *q, uint64_t *bs, uint64_t *op, uint64_t *cl) {
#ifdef __SSE2__
    uint64_t mq = 0, mb = 0, mo = 0, mc = 0;
    const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\'), v20 = _mm_set1_epi8(0x20);
    const __m128i vo = _mm_set1_epi8('{'), vc = _mm_set1_epi8('}');
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
        __m128i lo = _mm_or_si128(v, v20);
        mq |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << 16 * k;
        mb |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vb)) << 16 * k;
        mo |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, vo)) << 16 * k;
        mc |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, vc)) << 16 * k;
    }
    *q = mq, *bs = mb, *op = mo, *cl = mc;
#else
    uint64_t mq = 0, mb = 0, mo = 0, mc = 0;
    for (int k = 0; k < 64; k++) {
        uint8_t c = b[k], lo = c | 0x20;
        mq |= (uint64_t)(c == '"') << k;
        mb |= (uint64_t)(c == '\\') << k;
        mo |= (uint64_t)(lo == '{') << k;
        mc |= (uint64_t)(lo == '}') << k;
    }
    *q = mq, *bs = mb, *op = mo, *cl = mc;
#endif
}

/* Set bits (without -mpopcnt, __builtin_popcountll is a libgcc call). */
static inline size_t popcount64(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (size_t)((x * 0x0101010101010101ull) >> 56);
}

/* Bit k set when an odd number of bits 0..k of x are set. */
static inline uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* The end of the container whose opening bracket is in[i] (structure only: brackets outside strings), or 0 when the
 * input ends first. 64 bytes at a time where a block has no backslash: the quotes' prefix parity marks the bytes
 * inside strings, and the brackets outside them change the depth; byte by byte otherwise. */
static size_t skip_container(const uint8_t *in, size_t len, size_t i) {
    size_t depth = 1;
    bool instr = false, esc = false;
    i++;
    while (i < len) {
        if (!esc && len - i >= 64) {
            uint64_t q, bs, op, cl;
            block_masks(in + i, &q, &bs, &op, &cl);
            if (!bs) {
                uint64_t inside = prefix_xor(q) ^ (instr ? ~(uint64_t)0 : 0);
                instr = inside >> 63;
                op &= ~inside;
                cl &= ~inside;
                size_t nc = popcount64(cl);
                if (depth > nc) {
                    depth = depth + popcount64(op) - nc;
                    i += 64;
                    continue;
                }
                for (uint64_t m = op | cl; m; m &= m - 1) {
                    int k = __builtin_ctzll(m);
                    if (op >> k & 1) {
                        depth++;
                    } else if (--depth == 0) {
                        return i + (size_t)k + 1;
                    }
                }
                i += 64;
                continue;
            }
        }
        size_t stop = len - i >= 64 ? i + 64 : len;
        for (; i < stop; i++) {
            uint8_t c = in[i];
            if (instr) {
                if (esc)
                    esc = false;
                else if (c == '\\')
                    esc = true;
                else if (c == '"')
                    instr = false;
            } else if (c == '"') {
                instr = true;
            } else if ((c | 0x20) == '{') {
                depth++;
            } else if ((c | 0x20) == '}' && --depth == 0) {
                return i + 1;
            }
        }
    }
    return 0;
}

/* The end of the JSON value that starts at in[i] (structure only), or 0 when the input ends first. Exact for valid
 * JSON; for anything else the strict parse of the span finds the error. */
static size_t skip_value(const uint8_t *in, size_t len, size_t i) {
    uint8_t c = in[i];
    if (c == '{' || c == '[') return skip_container(in, len, i);
    if (c == '"') {
        for (size_t j = i + 1; j < len; j++) {
            if (in[j] == '\\')
                j++;
            else if (in[j] == '"')
                return j + 1;
        }
        return 0;
    }
    while (i < len && !(in[i] == ',' || in[i] == '}' || in[i] == ']' || in[i] == ' ' || in[i] == '\t' ||
                        in[i] == '\n' || in[i] == '\r' || in[i] == ':'))
        i++;
    return i;
}

static int st_value(streamer *t, size_t i, size_t depth, size_t *ret_end);

/* Resets driver 2 and the value parser after a stopped or failed run. */
static void st_reset(streamer *t) {
    t->s.nframes = 0;
    t->s.nmembers = 0;
    t->s.keys.len = 0;
    t->s.aborted = false;
    t->jp.depth = 0;
    t->jp.failed = false;
}

static int st_object(streamer *t, size_t i, size_t depth, size_t *ret_end) {
    const uint8_t *in = t->in;
    size_t len = t->len;
    const prova_allocator *a = t->a;
    if (depth >= t->lim.max_depth) return PROVA_ESYNTAX;
    smember *mem = NULL;
    size_t n = 0, cap = 0;
    key_ref *refs = NULL;
    uint32_t *idx = NULL;
    size_t keys_mark = t->keys.len;
    int r = PROVA_ESYNTAX;
    size_t j = skip_ws(in, len, i + 1);
    if (j < len && in[j] == '}') {
        r = put(&t->obuf, "{}", 2);
        *ret_end = j + 1;
        return r;
    }
    /* 1. The members: each key scanned strictly, each value's span found by skip_value. */
    for (;;) {
        if (j >= len || in[j] != '"') goto out;
        const uint8_t *ks;
        size_t kn, at = j;
        unsigned kf;
        t->kp.failed = false;
        if (scan_string(&t->kp, &j, &ks, &kn, &kf) < 0) goto out;
        if (n == cap && prova__grow(a, (void **)&mem, &cap, n + 1, sizeof *mem) < 0) {
            r = PROVA_ENOMEM;
            goto out;
        }
        smember *m = &mem[n++];
        m->key_len = kn;
        m->flags = kf;
        m->src_off = at;
        if (kf & STR_VERBATIM) {
            m->ptr = (const char *)ks;
            m->key_off = 0;
        } else {
            m->ptr = NULL;
            m->key_off = t->keys.len;
            if (put(&t->keys, ks, kn) < 0) {
                r = PROVA_ENOMEM;
                goto out;
            }
        }
        j = skip_ws(in, len, j);
        if (j >= len || in[j] != ':') goto out;
        j = skip_ws(in, len, j + 1);
        if (j >= len) goto out;
        m->vstart = j;
        m->vend = skip_value(in, len, j);
        if (m->vend <= j) goto out;
        j = skip_ws(in, len, m->vend);
        if (j >= len) goto out;
        if (in[j] == '}') break;
        if (in[j] != ',' || n >= t->lim.max_members) goto out;
        j = skip_ws(in, len, j + 1);
    }
    *ret_end = j + 1;
    /* 2. Sort the keys; duplicates are an error. */
    if (!(refs = a->malloc(a->ctx, n * sizeof *refs)) || !(idx = a->malloc(a->ctx, 2 * n * sizeof *idx))) {
        r = PROVA_ENOMEM;
        goto out;
    }
    bool utf16 = t->p == PROVA_PROFILE_JCS;
    const char *kb = (const char *)t->keys.data;
    for (size_t k = 0; k < n; k++) {
        idx[k] = (uint32_t)k;
        key_ref_set(&refs[k], mem[k].ptr ? mem[k].ptr : kb + mem[k].key_off, mem[k].key_len);
    }
    prova__sort_keys(idx, idx + n, n, refs, utf16);
    for (size_t k = 1; k < n; k++) {
        const key_ref *x = &refs[idx[k - 1]], *y = &refs[idx[k]];
        if (x->n == y->n && memcmp(x->s, y->s, x->n) == 0) goto out;
    }
    /* 3. Each member in key order: its key, then its value (small: driver 2; big: recursively). */
    if ((r = st_put1(t, '{')) < 0) goto out;
    for (size_t k = 0; k < n; k++) {
        const smember *m = &mem[idx[k]];
        if (k && (r = st_put1(t, ',')) < 0) goto out;
        const char *key = m->ptr ? m->ptr : (const char *)t->keys.data + m->key_off;
        r = c_string(&t->s, key, m->key_len, m->flags);
        if (r < 0 || (r = st_put1(t, ':')) < 0) goto out;
        size_t e;
        if ((r = st_value(t, m->vstart, depth + 1, &e)) < 0) goto out;
        if (e != m->vend) {
            r = PROVA_ESYNTAX;
            goto out;
        }
    }
    r = st_put1(t, '}');
out:
    if (mem) a->free(a->ctx, mem, cap * sizeof *mem);
    if (refs) a->free(a->ctx, refs, n * sizeof *refs);
    if (idx) a->free(a->ctx, idx, 2 * n * sizeof *idx);
    t->keys.len = keys_mark;
    return r;
}

static int st_array(streamer *t, size_t i, size_t depth, size_t *ret_end) {
    const uint8_t *in = t->in;
    size_t len = t->len;
    if (depth >= t->lim.max_depth) return PROVA_ESYNTAX;
    int r = st_put1(t, '[');
    if (r < 0) return r;
    size_t j = skip_ws(in, len, i + 1);
    if (j < len && in[j] == ']') {
        *ret_end = j + 1;
        return st_put1(t, ']');
    }
    for (size_t count = 0;;) {
        size_t e;
        if ((r = st_value(t, j, depth + 1, &e)) < 0) return r;
        j = skip_ws(in, len, e);
        if (j >= len) return PROVA_ESYNTAX;
        if (in[j] == ']') break;
        if (in[j] != ',' || ++count >= t->lim.max_members) return PROVA_ESYNTAX;
        if ((r = st_put1(t, ',')) < 0) return r;
        j = skip_ws(in, len, j + 1);
    }
    *ret_end = j + 1;
    return st_put1(t, ']');
}

/* Emits the value that starts at in[i] (not whitespace) at nesting depth `depth`; *ret_end: where it ends. */
static int st_value(streamer *t, size_t i, size_t depth, size_t *ret_end) {
    if (i >= t->len) return PROVA_ESYNTAX;
    /* First as a small value: driver 2, stopped once it is still open STREAM_SMALL bytes further. */
    size_t mark = t->obuf.len;
    t->s.abort_at = i + t->small;
    /* Its containers count from depth on (at 0 left, a container fails and the validator reports it). */
    t->jp.lim.max_depth = depth < t->lim.max_depth ? t->lim.max_depth - (uint32_t)depth : 0;
    int r = json_run_from(&t->jp, &stream_sink_vtable, &t->s, i, ret_end);
    if (r == 0) return t->obuf.len >= t->flush ? st_flush(t) : 0;
    bool big = t->s.aborted;
    st_reset(t);
    t->obuf.len = mark;
    if (!big) return r == PROVA_ENOMEM ? r : PROVA_ESYNTAX;
    return t->in[i] == '{' ? st_object(t, i, depth, ret_end) : st_array(t, i, depth, ret_end);
}

/* Driver 2 without output (each container's text dropped when it closes), over the whole document: the error that
 * prova_canon_bytes reports. The same instance of the parser loop as prova_canon_bytes. */
static int validate_doc(const uint8_t *data, size_t len, prova_profile p, const prova_parse_options *lim,
                        prova_error *reterr) {
    prova_buf out = {NULL, 0, 0, lim->alloc};
    int r = canon_bytes(data, len, p, lim, &out, NULL, 0, NULL, NULL, 0, NULL, reterr, true);
    prova_buf_free(&out);
    return r;
}

/* prova_canon_stream with its two sizes as parameters: tests and the fuzz target make them tiny, so that small
 * documents take the paths of big ones. */
int prova__canon_stream_tuned(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                              size_t small, size_t flush, prova_canon_write_fn write, void *ctx, prova_error *reterr);
int prova__canon_stream_tuned(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                              size_t small, size_t flush, prova_canon_write_fn write, void *ctx, prova_error *reterr) {
    prova_error_clear(reterr);
    if ((!data && len) || !write || (unsigned)p > PROVA_PROFILE_JCS) {
        set_error(reterr, PROVA_EINVAL, "invalid_argument", "NULL data/write function or unknown profile");
        return PROVA_EINVAL;
    }
    const uint8_t *in = data ? data : (const uint8_t *)"";
    streamer t;
    memset(&t, 0, sizeof t);
    prova__parse_limits(opts, &t.lim);
    if (p != PROVA_PROFILE_OPHAMIN)
        t.lim.flags &= ~(uint32_t)(PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES);
    t.in = in;
    t.len = len;
    t.p = p;
    t.a = t.lim.alloc;
    t.write = write;
    t.wctx = ctx;
    t.small = small;
    t.flush = flush;
    t.obuf.alloc = t.keys.alloc = t.lim.alloc;
    t.s.p = p;
    t.s.out = &t.obuf;
    t.s.a = t.lim.alloc;
    t.s.keys.alloc = t.s.tmp.alloc = t.lim.alloc;
    t.s.raw_ok = p == PROVA_PROFILE_OPHAMIN ? STR_VERBATIM | STR_ASCII : STR_VERBATIM;
    for (json_parser *jp = &t.jp; jp <= &t.kp; jp++) {
        jp->in = in;
        jp->len = len;
        jp->lim = t.lim;
        jp->alloc = t.lim.alloc;
        jp->err = &t.perr;
    }
    int r = PROVA_ESYNTAX;
    size_t i = skip_ws(in, len, 0), end;
    if (len <= t.lim.max_size && !(len >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF) && i < len &&
        prova_buf_reserve(&t.obuf, flush + small + 64) == 0) {
        r = st_value(&t, i, 0, &end);
        if (r == 0 && skip_ws(in, len, end) != len) r = PROVA_ESYNTAX;
        if (r == 0) r = st_flush(&t);
    }
    const prova_allocator *a = t.lim.alloc;
    canon_sink *s = &t.s;
    if (s->frames) a->free(a->ctx, s->frames, s->capframes * sizeof *s->frames);
    if (s->members) a->free(a->ctx, s->members, s->capmembers * sizeof *s->members);
    if (s->sortbuf) a->free(a->ctx, s->sortbuf, s->capsort * sizeof *s->sortbuf);
    if (s->refs) a->free(a->ctx, s->refs, s->caprefs * sizeof *s->refs);
    prova_buf_free(&s->keys);
    prova_buf_free(&s->tmp);
    prova_buf_free(&t.obuf);
    prova_buf_free(&t.keys);
    prova__parser_free(&t.jp, 0);
    prova__parser_free(&t.kp, 0);
    if (r == 0) return 0;
    if (t.werr) {
        set_error(reterr, t.werr, "canon_write_failed", "the write function failed");
        return t.werr;
    }
    /* Any other failure: the whole document once more, as prova_canon_bytes reads it, for its first error in
     * document order (reason, offset and pointer as prova_canon_bytes reports them). */
    int v = validate_doc(in, len, p, &t.lim, reterr);
    if (v < 0) return v;
    if (r == PROVA_ENOMEM) {
        set_error(reterr, r, "out_of_memory", "out of memory");
        return r;
    }
    set_error(reterr, PROVA_EINVAL, "internal_error", "the streaming canonicalizer and the validator disagree");
    return PROVA_EINVAL;
}

int prova_canon_stream(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                       prova_canon_write_fn write, void *ctx, prova_error *reterr) {
    return prova__canon_stream_tuned(data, len, p, opts, STREAM_SMALL, STREAM_FLUSH, write, ctx, reterr);
}
