/* The strict RFC 8259 parser (iterative, explicit stack; no recursion, so depth limits are real limits). */
#include <sodium.h>
#include <string.h>

#include "parse_impl.h"

void prova__parse_limits(const prova_parse_options *opts, prova_parse_options *ret) {
    prova_parse_options o = {0};
    if (opts) o = *opts;
    if (o.max_depth == 0) o.max_depth = PROVA_DEFAULT_MAX_DEPTH;
    if (o.max_depth > 100000) o.max_depth = 100000;
    if (o.max_size == 0) o.max_size = PROVA_DEFAULT_MAX_SIZE;
    if (o.max_size > UINT32_MAX) o.max_size = UINT32_MAX;
    if (o.max_string == 0) o.max_string = PROVA_DEFAULT_MAX_STRING;
    if (o.max_string > UINT32_MAX) o.max_string = UINT32_MAX;
    if (o.max_members == 0) o.max_members = PROVA_DEFAULT_MAX_MEMBERS;
    if (o.max_members > UINT32_MAX / 2) o.max_members = UINT32_MAX / 2;
    if (!o.alloc) o.alloc = prova_allocator_default();
    *ret = o;
}

void prova__error_at(prova_error *err, const uint8_t *in, size_t len, size_t off, int status, const char *reason,
                     const char *message) {
    if (!err) return;
    err->status = status;
    err->reason = reason;
    err->message = message;
    if (off > len) off = len;
    err->offset = off;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (in[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    err->line = line;
    err->column = col;
    err->pointer[0] = '\0';
}

/* ---- JSON Pointer of the current position --------------------------------------------------------------- */

typedef struct ptr_writer {
    char *buf;
    size_t len;
    bool full;
} ptr_writer;

static void ptr_put(ptr_writer *w, const char *s, size_t n) {
    if (w->full) return;
    if (w->len + n >= PROVA_POINTER_MAX) {
        /* Truncate visibly rather than silently naming a different member. */
        size_t room = PROVA_POINTER_MAX - 1 - w->len;
        if (room >= 3) {
            memcpy(w->buf + w->len, "...", 3);
            w->len += 3;
        }
        w->full = true;
        w->buf[w->len] = '\0';
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* Appends one reference token, escaping '~' and '/' per RFC 6901. */
static void ptr_token(ptr_writer *w, const char *s, size_t n) {
    ptr_put(w, "/", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '~' || s[i] == '/') {
            ptr_put(w, s + run, i - run);
            ptr_put(w, s[i] == '~' ? "~0" : "~1", 2);
            run = i + 1;
        }
    }
    ptr_put(w, s + run, n - run);
}

static size_t hex4(const uint8_t *s, uint32_t *ret);

/* Decodes a raw key token for the pointer (best effort: escapes resolved, invalid ones kept verbatim). */
static void ptr_raw_key(ptr_writer *w, const uint8_t *s, size_t n) {
    char tmp[PROVA_POINTER_MAX];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < sizeof tmp; i++) {
        uint8_t c = s[i];
        if (c != '\\' || i + 1 >= n) {
            tmp[o++] = (char)c;
            continue;
        }
        c = s[++i];
        switch (c) {
        case 'n':
            tmp[o++] = '\n';
            break;
        case 't':
            tmp[o++] = '\t';
            break;
        case 'r':
            tmp[o++] = '\r';
            break;
        case 'b':
            tmp[o++] = '\b';
            break;
        case 'f':
            tmp[o++] = '\f';
            break;
        case 'u': {
            uint32_t cp;
            if (i + 4 < n && hex4(s + i + 1, &cp) == 4 && cp < 0x80) {
                tmp[o++] = (char)cp;
                i += 4;
            } else {
                tmp[o++] = '\\';
                tmp[o++] = 'u';
            }
            break;
        }
        default:
            tmp[o++] = (char)c;
            break;
        }
    }
    ptr_token(w, tmp, o);
}

static void build_pointer(json_parser *p, const char *key, size_t keylen) {
    if (!p->err) return;
    ptr_writer w = {p->err->pointer, 0, false};
    w.buf[0] = '\0';
    for (size_t d = 0; d < p->depth; d++) {
        const frame *f = &p->stack[d];
        if (f->type == PROVA_JSON_ARRAY) {
            char rev[24], num[24];
            size_t n = 0, v = f->count;
            do {
                rev[n++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            for (size_t i = 0; i < n; i++) num[i] = rev[n - 1 - i];
            ptr_token(&w, num, n);
        } else if (f->has_key && !(key && d + 1 == p->depth)) {
            ptr_raw_key(&w, p->in + f->key_start, f->key_end - f->key_start);
        }
    }
    if (key) ptr_token(&w, key, keylen);
}

int prova__json_fail(json_parser *p, int status, const char *reason, const char *message, size_t off, const char *key,
                     size_t keylen) {
    if (!p->failed) {
        p->failed = true;
        prova__error_at(p->err, p->in, p->len, off, status, reason, message);
        build_pointer(p, key, keylen);
    }
    return status;
}

/* ---- Lexical helpers ------------------------------------------------------------------------------------ */

static size_t hex4(const uint8_t *s, uint32_t *ret) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        uint8_t c = s[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            return i;
        v = v << 4 | d;
    }
    *ret = v;
    return 4;
}

static size_t put_utf8(uint8_t *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) { /* includes lone surrogates as generalized UTF-8 */
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static int scratch_reserve(json_parser *p, size_t need) {
    if (need <= p->scratch_cap) return 0;
    size_t cap = p->scratch_cap ? p->scratch_cap : 256;
    while (cap < need) cap *= 2;
    uint8_t *n = p->alloc->realloc(p->alloc->ctx, p->scratch, p->scratch_cap, cap);
    if (!n) return PROVA_ENOMEM;
    p->scratch = n;
    p->scratch_cap = cap;
    return 0;
}

/* The rest of a string that has an escape at in[i] (start = first content byte): decodes into scratch. */
PROVA_NOINLINE int prova__scan_string_escaped(json_parser *p, size_t *pos, size_t start, size_t i,
                                              const uint8_t **ret_s, size_t *ret_n, unsigned *ret_flags) {
    const uint8_t *in = p->in;
    size_t len = p->len;
    /* Slow path: decode into scratch. The decoded form is never longer than the raw form. */
    size_t o = i - start;
    {
        size_t end = i;
        while (end < len && in[end] != '"') end += in[end] == '\\' ? 2 : 1;
        size_t raw = (end < len ? end : len) - start;
        if (scratch_reserve(p, raw + 4) < 0) return fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", i);
    }
    uint8_t *out = p->scratch;
    memcpy(out, in + start, o);
    for (;;) {
        if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "unterminated string", len);
        uint8_t c = in[i];
        uint8_t cls = str_class[c];
        if (cls == C_PLAIN) {
            out[o++] = c;
            i++;
            continue;
        }
        if (cls == C_QUOTE) break;
        if (cls == C_CTRL)
            return fail(p, PROVA_ESYNTAX, "json_control_character", "unescaped control character in string", i);
        if (cls == C_HIGH) {
            size_t n = prova_utf8_seq(in + i, len - i);
            if (!n) return fail(p, PROVA_ESYNTAX, "json_invalid_utf8", "invalid UTF-8 in string", i);
            memcpy(out + o, in + i, n);
            o += n;
            i += n;
            continue;
        }
        /* escape */
        size_t esc = i;
        if (i + 1 >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "unterminated escape", len);
        c = in[i + 1];
        i += 2;
        switch (c) {
        case '"':
            out[o++] = '"';
            break;
        case '\\':
            out[o++] = '\\';
            break;
        case '/':
            out[o++] = '/';
            break;
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'u': {
            uint32_t cp;
            if (len - i < 4) return fail(p, PROVA_ESYNTAX, "json_truncated", "truncated \\u escape", len);
            if (hex4(in + i, &cp) != 4)
                return fail(p, PROVA_ESYNTAX, "json_invalid_escape", "\\u must be followed by four hex digits", esc);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && len - i >= 6 && in[i] == '\\' && in[i + 1] == 'u') {
                uint32_t lo = 0;
                if (hex4(in + i + 2, &lo) == 4 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF && !(p->lim.flags & PROVA_PARSE_ALLOW_LONE_SURROGATES))
                return fail(p, PROVA_ESYNTAX, "json_lone_surrogate", "lone UTF-16 surrogate in \\u escape", esc);
            o += put_utf8(out + o, cp);
            break;
        }
        default:
            return fail(p, PROVA_ESYNTAX, "json_invalid_escape", "invalid escape sequence", esc);
        }
    }
    if (o > p->lim.max_string)
        return fail(p, PROVA_ELIMIT, "json_string_limit", "string longer than the configured limit", start);
    *ret_s = out;
    *ret_n = o;
    *ret_flags = 0;
    *pos = i + 1;
    return 0;
}

void prova__parser_free(json_parser *p, int status) {
    if (status < 0 && !p->failed)
        fail(p, status, status == PROVA_ENOMEM ? "out_of_memory" : "json_syntax", prova_status_message(status), 0);
    if (p->stack) p->alloc->free(p->alloc->ctx, p->stack, p->stack_cap * sizeof(frame));
    if (p->scratch) {
        if (p->lim.flags & PROVA_PARSE_SECRET) sodium_memzero(p->scratch, p->scratch_cap);
        p->alloc->free(p->alloc->ctx, p->scratch, p->scratch_cap);
    }
}

/* ---- Key orders ------------------------------------------------------------------------------------------- */

int prova__key_cmp_codepoint(const char *a, size_t an, const char *b, size_t bn) {
    /* UTF-8 (and generalized UTF-8) byte order is code point order. */
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

static uint32_t decode_at(const uint8_t *s, size_t n, size_t i) {
    uint8_t c = s[i];
    if (c < 0x80 || i + 1 >= n) return c;
    if (c < 0xE0) return (uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3Fu);
    if (c < 0xF0 || i + 3 >= n)
        return (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3Fu);
    return (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3F) << 12 | (uint32_t)(s[i + 2] & 0x3F) << 6 |
           (s[i + 3] & 0x3Fu);
}

int prova__key_cmp_utf16(const char *a_, size_t an, const char *b_, size_t bn) {
    const uint8_t *a = (const uint8_t *)a_, *b = (const uint8_t *)b_;
    size_t n = an < bn ? an : bn, i = 0;
    while (i < n && a[i] == b[i]) i++;
    if (i == n) return an < bn ? -1 : an > bn;
    /* Back up to the start of the code point that differs (same prefix in both). */
    while (i > 0 && (a[i] & 0xC0) == 0x80) i--;
    uint32_t ca = decode_at(a, an, i), cb = decode_at(b, bn, i);
    bool aa = ca >= 0x10000, ba = cb >= 0x10000;
    if (aa == ba) return ca < cb ? -1 : 1;
    /* One astral (a surrogate pair in UTF-16, first unit D800-DBFF) against a BMP character. */
    uint32_t bmp = aa ? cb : ca;
    int astral_first = bmp >= 0xE000 ? -1 : 1; /* sign of (astral - bmp) in UTF-16 order */
    return aa ? astral_first : -astral_first;
}

void prova__sort_keys(uint32_t *idx, uint32_t *tmp, size_t n, const key_ref *keys, bool utf16) {
    if (n < 2) return;
    if (n <= 12) { /* insertion sort: stable */
        for (size_t i = 1; i < n; i++) {
            uint32_t v = idx[i];
            size_t j = i;
            while (j > 0 && key_ref_cmp(&keys[idx[j - 1]], &keys[v], utf16) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    prova__sort_keys(idx, tmp, h, keys, utf16);
    prova__sort_keys(idx + h, tmp, n - h, keys, utf16);
    if (key_ref_cmp(&keys[idx[h - 1]], &keys[idx[h]], utf16) <= 0) return;
    memcpy(tmp, idx, n * sizeof *idx);
    size_t a = 0, b = h, o = 0;
    while (a < h && b < n) {
        if (key_ref_cmp(&keys[tmp[b]], &keys[tmp[a]], utf16) < 0)
            idx[o++] = tmp[b++];
        else
            idx[o++] = tmp[a++];
    }
    while (a < h) idx[o++] = tmp[a++];
    while (b < n) idx[o++] = tmp[b++];
}
