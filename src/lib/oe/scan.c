/* OpenExecution JSON Lines: the scanning fast path (one event line, no document, no canonicalization of the line).
 *
 * An event line is read once by a validating scan. Only what the event hash covers is canonicalized (actor_id,
 * event_type, payload: by a small RFC 8785 writer for the common case); prev_hash, event_hash, created_at must be
 * strings without escapes, seq a plain decimal integer, and every other member is scanned and checked (RFC 8259
 * grammar, UTF-8, duplicate names) without being kept. Anything outside that common case (an escape other than the
 * seven that RFC 8785 writes as they are, a fraction, an exponent, a long integer, a name with an escape or a byte
 * >= 0x80 in a member name of the event itself, more than 64 members, deep nesting, ...) makes the scan decline: the
 * line then goes to the previous paths (the canonicalizer's fast path, then the document path), which decide it as
 * before. The scan only ever accepts a line that those paths accept with the same effect (docs/openexecution.md).
 *
 * prova__oe_scan_event does the part of an event's checks that does not depend on the chain (the grammar, the
 * event hash recomputed and compared with the stored one), so threads can run it on different lines;
 * prova__oe_scan_apply then does the chain part (seq, prev_hash, the chain hashes, member names) in order.
 */
#include <stdlib.h>
#include <string.h>

#include "oe_internal.h"
#include "utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define SCAN_MAX_MEMBERS 64
#define SCAN_MAX_DEPTH   48
#define DECLINE          1 /* the scan does not decide this line (not an error) */

int prova__oe_scan_init(oe_scan *s, prova_hash_alg alg) {
    memset(s, 0, sizeof *s);
    s->alg = alg;
    s->hexlen = 2 * prova_hash_size(alg);
    int r = prova_hash_new(alg, &s->event);
    if (r == 0) r = prova_buf_reserve(&s->input, 1024);
    if (r == 0) r = prova_buf_reserve(&s->canon, 1024);
    if (r == 0) r = prova_buf_reserve(&s->tmp, 1024);
    if (r < 0) prova__oe_scan_free(s);
    return r;
}

void prova__oe_scan_free(oe_scan *s) {
    s->event = prova_hash_free(s->event);
    prova_buf_free(&s->input);
    prova_buf_free(&s->canon);
    prova_buf_free(&s->tmp);
}

static inline bool ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline size_t skip_ws(const unsigned char *p, size_t i, size_t n) {
    while (i < n && ws(p[i])) i++;
    return i;
}

/* Reads a string literal at p[i] == '"'. *end receives the index after the closing quote, *esc whether it holds an
 * escape. Accepts only what is its own RFC 8785 form (the escapes \" \\ \b \f \n \r \t, valid UTF-8 otherwise, no
 * raw control character); DECLINE for anything else (including what the strict parser would reject). */
static int scan_string(const unsigned char *p, size_t i, size_t n, size_t *end, bool *esc) {
    i++;
    bool e = false;
    for (;;) {
#if defined(__SSE2__)
        /* 16 bytes at a time up to the next byte that is not plain ASCII: '"', '\\', < 0x20 or >= 0x80. */
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        while (i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            /* signed compare: bytes >= 0x80 are negative, so (v > 0x1F) is false for them and for controls */
            __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                        _mm_cmpgt_epi8(space, v));
            unsigned mask = (unsigned)_mm_movemask_epi8(stop);
            if (mask) {
                i += (size_t)__builtin_ctz(mask);
                break;
            }
            i += 16;
        }
#endif
        while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\') i++;
        if (i >= n) return DECLINE;
        unsigned char c = p[i];
        if (c == '"') break;
        if (c == '\\') {
            if (i + 1 >= n) return DECLINE;
            switch (p[i + 1]) {
            case '"':
            case '\\':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                e = true;
                i += 2;
                continue;
            default:
                return DECLINE; /* \/ and \u are written differently in canonical form */
            }
        }
        if (c < 0x20) return DECLINE;
        size_t k = prova_utf8_seq(p + i, n - i);
        if (!k) return DECLINE;
        i += k;
    }
    *end = i + 1;
    *esc = e;
    return 0;
}

/* A number that is its own canonical form: -?(0|[1-9][0-9]{0,14}), not -0. */
static int scan_number(const unsigned char *p, size_t i, size_t n, size_t *end) {
    size_t a = i;
    if (p[i] == '-') i++;
    if (i >= n || p[i] < '0' || p[i] > '9') return DECLINE;
    size_t d = i;
    if (p[i] == '0') {
        i++;
        if (p[a] == '-') return DECLINE;
    } else {
        while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    }
    if (i - d > 15) return DECLINE;
    if (i < n && (p[i] == '.' || p[i] == 'e' || p[i] == 'E' || (p[i] >= '0' && p[i] <= '9'))) return DECLINE;
    *end = i;
    return 0;
}

/* Key order of RFC 8785: UTF-16 code units. UTF-8 byte order is code point order, which differs from it only
 * between U+E000..U+FFFF and the supplementary planes (surrogates sort before U+E000). Keys are valid UTF-8. */
static int key_cmp_slow(const unsigned char *a, size_t an, const unsigned char *b, size_t bn) {
    size_t m = an < bn ? an : bn, i = 0;
    while (i < m && a[i] == b[i]) i++;
    if (i == m) return an < bn ? -1 : an > bn ? 1 : 0;
    size_t s = i; /* the lead byte of the code point where they differ (same position in both) */
    while (s > 0 && (a[s] & 0xC0) == 0x80) s--;
    unsigned ca = a[s], cb = b[s];
    bool a_astral = ca >= 0xF0, b_astral = cb >= 0xF0;
    bool a_high = ca >= 0xEE && ca <= 0xEF, b_high = cb >= 0xEE && cb <= 0xEF;
    if (a_astral && b_high) return -1;
    if (b_astral && a_high) return 1;
    return a[i] < b[i] ? -1 : 1;
}

/* Most names differ at an ASCII first byte. */
static inline int key_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn) {
    if (an && bn && a[0] != b[0] && (a[0] | b[0]) < 0x80) return a[0] < b[0] ? -1 : 1;
    return key_cmp_slow(a, an, b, bn);
}

typedef struct member {
    const unsigned char *key;
    size_t keyn;
    size_t off, len; /* `"key":value` in the output */
} member;

static int canon_value(oe_scan *s, const unsigned char *p, size_t *pi, size_t n, prova_buf *out, unsigned depth);

/* The output never outgrows the input (every token is copied as it is, whitespace dropped): the caller reserves
 * the line's length, so writes need no check. */
static inline int put(prova_buf *out, const void *d, size_t n) {
    memcpy(out->data + out->len, d, n);
    out->len += n;
    return 0;
}

static int canon_object(oe_scan *s, const unsigned char *p, size_t *pi, size_t n, prova_buf *out, unsigned depth) {
    size_t i = *pi + 1;
    member m[SCAN_MAX_MEMBERS];
    size_t nm = 0;
    size_t start = out->len;
    int r = put(out, "{", 1);
    if (r < 0) return r;
    i = skip_ws(p, i, n);
    if (i < n && p[i] == '}') {
        *pi = i + 1;
        return put(out, "}", 1);
    }
    bool sorted = true;
    for (;;) {
        if (i >= n || p[i] != '"' || nm == SCAN_MAX_MEMBERS) return DECLINE;
        size_t kend;
        bool esc;
        r = scan_string(p, i, n, &kend, &esc);
        if (r) return r;
        if (esc) return DECLINE; /* escaped names: compared decoded, left to the canonicalizer */
        member *mm = &m[nm];
        mm->key = p + i + 1;
        mm->keyn = kend - i - 2;
        if (nm) {
            int c = key_cmp(m[nm - 1].key, m[nm - 1].keyn, mm->key, mm->keyn);
            if (c == 0) return DECLINE; /* duplicate */
            if (c > 0) sorted = false;
        }
        mm->off = out->len;
        if (nm && (r = put(out, ",", 1)) < 0) return r;
        if ((r = put(out, p + i, kend - i)) < 0 || (r = put(out, ":", 1)) < 0) return r;
        i = skip_ws(p, kend, n);
        if (i >= n || p[i] != ':') return DECLINE;
        i = skip_ws(p, i + 1, n);
        r = canon_value(s, p, &i, n, out, depth + 1);
        if (r) return r;
        mm->len = out->len - mm->off;
        nm++;
        i = skip_ws(p, i, n);
        if (i < n && p[i] == ',') {
            i = skip_ws(p, i + 1, n);
            continue;
        }
        if (i < n && p[i] == '}') break;
        return DECLINE;
    }
    *pi = i + 1;
    if (!sorted) {
        /* Insertion sort of the members (few), then duplicates, then the members rewritten in order. */
        size_t idx[SCAN_MAX_MEMBERS];
        for (size_t k = 0; k < nm; k++) {
            size_t v = k, j = k;
            while (j > 0 && key_cmp(m[idx[j - 1]].key, m[idx[j - 1]].keyn, m[v].key, m[v].keyn) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
        for (size_t k = 1; k < nm; k++)
            if (key_cmp(m[idx[k - 1]].key, m[idx[k - 1]].keyn, m[idx[k]].key, m[idx[k]].keyn) == 0) return DECLINE;
        size_t body = start + 1, blen = out->len - body;
        s->tmp.len = 0;
        put(&s->tmp, out->data + body, blen);
        out->len = body;
        for (size_t k = 0; k < nm; k++) {
            const member *mm = &m[idx[k]];
            const uint8_t *src = s->tmp.data + (mm->off - body);
            size_t len = mm->len;
            if (mm->off != body) { /* drop its leading comma */
                src++;
                len--;
            }
            if (k && (r = put(out, ",", 1)) < 0) return r;
            if ((r = put(out, src, len)) < 0) return r;
        }
    }
    return put(out, "}", 1);
}

static int canon_value(oe_scan *s, const unsigned char *p, size_t *pi, size_t n, prova_buf *out, unsigned depth) {
    size_t i = *pi, end;
    if (i >= n || depth > SCAN_MAX_DEPTH) return DECLINE;
    int r;
    bool esc;
    switch (p[i]) {
    case '{':
        return canon_object(s, p, pi, n, out, depth);
    case '[': {
        if ((r = put(out, "[", 1)) < 0) return r;
        i = skip_ws(p, i + 1, n);
        if (i < n && p[i] == ']') {
            *pi = i + 1;
            return put(out, "]", 1);
        }
        for (size_t k = 0;; k++) {
            if (k && (r = put(out, ",", 1)) < 0) return r;
            r = canon_value(s, p, &i, n, out, depth + 1);
            if (r) return r;
            i = skip_ws(p, i, n);
            if (i < n && p[i] == ',') {
                i = skip_ws(p, i + 1, n);
                continue;
            }
            if (i < n && p[i] == ']') break;
            return DECLINE;
        }
        *pi = i + 1;
        return put(out, "]", 1);
    }
    case '"':
        r = scan_string(p, i, n, &end, &esc);
        break;
    case 't':
        if (n - i < 4 || memcmp(p + i, "true", 4) != 0) return DECLINE;
        end = i + 4;
        r = 0;
        break;
    case 'f':
        if (n - i < 5 || memcmp(p + i, "false", 5) != 0) return DECLINE;
        end = i + 5;
        r = 0;
        break;
    case 'n':
        if (n - i < 4 || memcmp(p + i, "null", 4) != 0) return DECLINE;
        end = i + 4;
        r = 0;
        break;
    default:
        r = scan_number(p, i, n, &end);
        break;
    }
    if (r) return r;
    /* A literal must end at a delimiter (the caller checks which one). */
    if (end < n && !ws(p[end]) && p[end] != ',' && p[end] != '}' && p[end] != ']') return DECLINE;
    *pi = end;
    return put(out, p + i, end - i);
}

enum { M_ACTOR, M_TYPE, M_PAYLOAD, M_PREV, M_SEQ, M_CREATED, M_STORED, M_COUNT };

static int member_id(const unsigned char *k, size_t n) {
    switch (n) {
    case 3:
        return memcmp(k, "seq", 3) == 0 ? M_SEQ : -1;
    case 7:
        return memcmp(k, "payload", 7) == 0 ? M_PAYLOAD : -1;
    case 8:
        return memcmp(k, "actor_id", 8) == 0 ? M_ACTOR : -1;
    case 9:
        return memcmp(k, "prev_hash", 9) == 0 ? M_PREV : -1;
    case 10:
        return memcmp(k, "event_type", 10) == 0   ? M_TYPE
               : memcmp(k, "created_at", 10) == 0 ? M_CREATED
               : memcmp(k, "event_hash", 10) == 0 ? M_STORED
                                                  : -1;
    default:
        return -1;
    }
}

int prova__oe_scan_event(oe_scan *s, const char *line, size_t n, oe_pre *pre) {
    pre->ok = false;
    pre->nothers = 0;
    const unsigned char *p = (const unsigned char *)line;
    size_t i = skip_ws(p, 0, n);
    if (i >= n || p[i] != '{') return 0;
    /* Values: raw spans for the three plain strings and seq, canonical spans (in s->canon) for the hashed three. */
    size_t voff[M_COUNT], vlen[M_COUNT];
    bool have[M_COUNT] = {false};
    prova_buf *cb = &s->canon;
    cb->len = 0;
    int r = prova_buf_reserve(cb, n + 16);
    if (r == 0) {
        s->tmp.len = 0;
        r = prova_buf_reserve(&s->tmp, n + 16);
    }
    if (r < 0) return r;
    i = skip_ws(p, i + 1, n);
    if (i < n && p[i] == '}') return 0; /* no seq */
    for (;;) {
        if (i >= n || p[i] != '"') return 0;
        size_t kend;
        bool esc;
        if (scan_string(p, i, n, &kend, &esc) || esc) return 0;
        const unsigned char *key = p + i + 1;
        size_t keyn = kend - i - 2;
        i = skip_ws(p, kend, n);
        if (i >= n || p[i] != ':') return 0;
        i = skip_ws(p, i + 1, n);
        if (i >= n) return 0;
        int id = member_id(key, keyn);
        if (id >= 0) {
            if (have[id]) return 0; /* duplicate */
            have[id] = true;
        }
        if (id == M_PREV || id == M_STORED || id == M_CREATED) {
            size_t end;
            if (p[i] != '"' || scan_string(p, i, n, &end, &esc) || esc) return 0;
            voff[id] = i + 1;
            vlen[id] = end - i - 2;
            i = end;
        } else if (id == M_SEQ) {
            size_t end;
            if (p[i] == '-' || scan_number(p, i, n, &end)) return 0;
            voff[id] = i;
            vlen[id] = end - i;
            i = end;
        } else {
            if (id < 0) {
                if (pre->nothers == OE_SCAN_OTHERS) return 0;
                for (size_t k = 0; k < keyn; k++)
                    if (key[k] >= 0x80) return 0; /* left to the canonicalizer's path */
                for (size_t k = 0; k < pre->nothers; k++)
                    if (pre->others[k].n == keyn && memcmp(pre->others[k].p, key, keyn) == 0) return 0;
                pre->others[pre->nothers++] = (oe_span){(const char *)key, keyn};
            }
            size_t mark = cb->len;
            r = canon_value(s, p, &i, n, cb, 2);
            if (r < 0) return r;
            if (r) return 0;
            if (id < 0) {
                cb->len = mark; /* checked, not kept */
            } else {
                voff[id] = mark;
                vlen[id] = cb->len - mark;
            }
        }
        i = skip_ws(p, i, n);
        if (i < n && p[i] == ',') {
            i = skip_ws(p, i + 1, n);
            continue;
        }
        if (i < n && p[i] == '}') break;
        return 0;
    }
    if (skip_ws(p, i + 1, n) != n) return 0;
    if (!have[M_SEQ] || !have[M_PREV] || !have[M_STORED] || !have[M_CREATED]) return 0;
    if (vlen[M_STORED] != s->hexlen) return 0;
    char ts[PROVA_OE_TIME_LEN + 1];
    if (prova_oe_timestamp(line + voff[M_CREATED], vlen[M_CREATED], ts) < 0) return 0;
    /* The hash input, in RFC 8785 member order: actor_id || "system" (JS falsy: null, false, "", 0). */
    const char *cs = (const char *)cb->data;
    const char *actor = cs + (have[M_ACTOR] ? voff[M_ACTOR] : 0);
    size_t actorn = have[M_ACTOR] ? vlen[M_ACTOR] : 0;
#define IS(lit) (actorn == sizeof lit - 1 && memcmp(actor, lit, actorn) == 0)
    bool falsy = !actorn || IS("null") || IS("false") || IS("\"\"") || IS("0");
#undef IS
    prova_buf *in = &s->input;
    in->len = 0;
    r = prova_buf_reserve(in, 96 + cb->len + vlen[M_PREV] + vlen[M_SEQ] + PROVA_OE_TIME_LEN);
    if (r < 0) return r;
    char *o = (char *)in->data;
#define PUT(lit)       (memcpy(o, lit, sizeof lit - 1), o += sizeof lit - 1)
#define PUTN(src, len) (memcpy(o, src, len), o += len)
    PUT("{\"actor_id\":");
    if (falsy)
        PUT("\"system\"");
    else
        PUTN(actor, actorn);
    if (have[M_TYPE]) {
        PUT(",\"event_type\":");
        PUTN(cs + voff[M_TYPE], vlen[M_TYPE]);
    }
    if (have[M_PAYLOAD]) {
        PUT(",\"payload\":");
        PUTN(cs + voff[M_PAYLOAD], vlen[M_PAYLOAD]);
    }
    PUT(",\"prev_hash\":\"");
    PUTN(line + voff[M_PREV], vlen[M_PREV]);
    PUT("\",\"seq\":");
    PUTN(line + voff[M_SEQ], vlen[M_SEQ]);
    PUT(",\"timestamp\":\"");
    PUTN(ts, PROVA_OE_TIME_LEN);
    PUT("\"}");
#undef PUT
#undef PUTN
    in->len = (size_t)(o - (char *)in->data);
    uint8_t d[PROVA_HASH_MAX_BYTES];
    r = prova_hash_once(s->event, in->data, in->len, d);
    if (r < 0) return r;
    static const char digits[] = "0123456789abcdef";
    const char *eh = line + voff[M_STORED];
    for (size_t k = 0; k < s->hexlen / 2; k++)
        if (eh[2 * k] != digits[d[k] >> 4] || eh[2 * k + 1] != digits[d[k] & 15]) return 0;
    pre->seq = (oe_span){line + voff[M_SEQ], vlen[M_SEQ]};
    pre->prev = (oe_span){line + voff[M_PREV], vlen[M_PREV]};
    pre->stored = (oe_span){line + voff[M_STORED], vlen[M_STORED]};
    pre->ok = true;
    return 0;
}

int prova__oe_scan_apply(oe_chain *c, const oe_pre *pre, bool *handled) {
    *handled = false;
    if (!pre->ok) return 0;
    char expect[24];
    size_t wn = prova__oe_decimal(c->count + 1, expect);
    if (pre->seq.n != wn || memcmp(pre->seq.p, expect, wn) != 0) return 0;
    if (pre->prev.n != c->prev.len || memcmp(pre->prev.p, c->prev.data, pre->prev.n) != 0) return 0;
    int r = prova__oe_chain_pass(c, pre->stored.p, pre->stored.n, pre->others, pre->nothers);
    if (r == 0) *handled = true;
    return r;
}
