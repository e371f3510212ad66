/* The strict RFC 8259 parser (iterative, explicit stack; no recursion, so depth limits are real limits). */
#include <sodium.h>
#include <string.h>

#include "dtoa.h"
#include "parser.h"

/* Byte classes for the string scanner. */
enum { C_PLAIN = 0, C_QUOTE, C_ESC, C_CTRL, C_HIGH };

static const uint8_t str_class[256] = {
    /* 0x00-0x1f: control characters must be escaped (RFC 8259 §7) */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, /* '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

typedef struct frame {
    uint8_t type;     /* PROVA_JSON_ARRAY or PROVA_JSON_OBJECT */
    size_t count;     /* elements / members seen so far */
    size_t key_start; /* raw span of the current key token (inside the quotes), objects only */
    size_t key_end;
    bool has_key;     /* a member name has been read and names the value being parsed */
} frame;

struct json_parser {
    const uint8_t *in;
    size_t len;
    prova_parse_options lim;
    const prova_allocator *alloc;
    prova_error *err;
    frame *stack;
    size_t depth;
    size_t stack_cap;
    uint8_t *scratch; /* decoded strings with escapes */
    size_t scratch_cap;
    bool failed;
};

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
        case 'n': tmp[o++] = '\n'; break;
        case 't': tmp[o++] = '\t'; break;
        case 'r': tmp[o++] = '\r'; break;
        case 'b': tmp[o++] = '\b'; break;
        case 'f': tmp[o++] = '\f'; break;
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
        default: tmp[o++] = (char)c; break;
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

static int fail(json_parser *p, int status, const char *reason, const char *message, size_t off) {
    if (!p->failed) {
        p->failed = true;
        prova__error_at(p->err, p->in, p->len, off, status, reason, message);
        build_pointer(p, NULL, 0);
    }
    return status;
}

int prova__json_fail(json_parser *p, int status, const char *reason, const char *message, size_t off,
                     const char *key, size_t keylen) {
    if (!p->failed) {
        p->failed = true;
        prova__error_at(p->err, p->in, p->len, off, status, reason, message);
        build_pointer(p, key, keylen);
    }
    return status;
}

/* ---- Lexical helpers ------------------------------------------------------------------------------------ */

static inline bool is_ws(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

static inline size_t skip_ws(const uint8_t *in, size_t len, size_t i) {
    while (i < len && is_ws(in[i])) i++;
    return i;
}

static size_t hex4(const uint8_t *s, uint32_t *ret) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        uint8_t c = s[i];
        uint32_t d;
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else return i;
        v = v << 4 | d;
    }
    *ret = v;
    return 4;
}

/* Length of a valid UTF-8 sequence starting at s (s[0] >= 0x80), or 0 if invalid (overlong, surrogate,
 * > U+10FFFF, truncated, bad continuation). RFC 3629 §4 table. */
static inline size_t utf8_seq(const uint8_t *s, size_t avail) {
    uint8_t c = s[0];
    if (c >= 0xC2 && c <= 0xDF) return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F; /* no UTF-16 surrogates */
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4) return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
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

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Non-zero iff one of the 8 bytes is '"', '\\', < 0x20 or >= 0x80 (exact as a test for "any"). */
static inline uint64_t special8(uint64_t x) {
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) | x) & HIGHS;
}

/* The rest of a string that has an escape at in[i] (start = first content byte): decodes into scratch. */
static PROVA_NOINLINE int scan_string_escaped(json_parser *p, size_t *pos, size_t start, size_t i, const uint8_t **ret_s,
                                              size_t *ret_n, unsigned *ret_flags) {
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
            size_t n = utf8_seq(in + i, len - i);
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
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (len - i < 4)
                return fail(p, PROVA_ESYNTAX, "json_truncated", "truncated \\u escape", len);
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

/* Scans the string whose opening quote is at in[*pos]. On success *pos is past the closing quote, and
 * (*ret_s, *ret_n) is the decoded content: a span of the input when there were no escapes (STR_VERBATIM), else
 * scratch. STR_ASCII is set when every byte is 0x20..0x7E. */
/* Always inlined into the parser loop: most strings are short and need no escape handling, so a call costs
 * as much as the scan (measured: -5% instructions on agent traces). */
static PROVA_ALWAYS_INLINE int scan_string(json_parser *p, size_t *pos, const uint8_t **ret_s, size_t *ret_n,
                                           unsigned *ret_flags) {
    const uint8_t *in = p->in;
    size_t len = p->len;
    size_t start = *pos + 1;
    size_t i = start;
    unsigned sf = STR_VERBATIM | STR_ASCII;
    /* Fast path: no escapes. Eight bytes at a time; the first special byte in a word is found directly. */
    for (;;) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (len - i >= 8) {
            uint64_t x = load64(in + i);
            uint64_t m = special8(x);
            /* 0x7F bytes: x + 1 sets their high bit; exact for the bytes before the first special one. */
            uint64_t del = (x + ONES) & HIGHS;
            if (!m) {
                if (del) sf &= ~STR_ASCII;
                i += 8;
                continue;
            }
            /* The lowest flagged byte is a true match (the borrow tricks only misfire above a true match). */
            unsigned k = (unsigned)__builtin_ctzll(m) >> 3;
            if (del & ((1ull << (8 * k)) - 1)) sf &= ~STR_ASCII;
            i += k;
        }
#endif
        if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "unterminated string", len);
        uint8_t c = in[i];
        uint8_t cls = str_class[c];
        if (cls == C_PLAIN) {
            if (c == 0x7F) sf &= ~STR_ASCII;
            i++;
            continue;
        }
        if (cls == C_QUOTE) {
            if (i - start > p->lim.max_string)
                return fail(p, PROVA_ELIMIT, "json_string_limit", "string longer than the configured limit", start);
            *ret_s = in + start;
            *ret_n = i - start;
            *ret_flags = sf;
            *pos = i + 1;
            return 0;
        }
        if (cls == C_CTRL)
            return fail(p, PROVA_ESYNTAX, "json_control_character", "unescaped control character in string", i);
        if (cls == C_HIGH) { /* a run of non-ASCII text: validate sequence after sequence */
            sf &= ~STR_ASCII;
            do {
                size_t n = utf8_seq(in + i, len - i);
                if (!n) return fail(p, PROVA_ESYNTAX, "json_invalid_utf8", "invalid UTF-8 in string", i);
                i += n;
            } while (i < len && in[i] >= 0x80);
            continue;
        }
        return scan_string_escaped(p, pos, start, i, ret_s, ret_n, ret_flags); /* an escape */
    }
}

static bool match_lit(const uint8_t *in, size_t len, size_t i, const char *lit, size_t n) {
    return len - i >= n && memcmp(in + i, lit, n) == 0;
}

/* Scans a number (or NaN/Infinity when allowed) starting at *pos and hands it to the sink. */
static PROVA_ALWAYS_INLINE int scan_number(json_parser *p, const json_sink *sink, void *ctx, size_t *pos) {
    const uint8_t *in = p->in;
    size_t len = p->len;
    size_t start = *pos, i = start;
    unsigned flags = 0;
    bool allow_nf = (p->lim.flags & PROVA_PARSE_ALLOW_NONFINITE) != 0;
    if (i < len && in[i] == '-') i++;
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "number ends after '-'", len);
    if (in[i] == 'I' && allow_nf) {
        if (!match_lit(in, len, i, "Infinity", 8))
            return fail(p, PROVA_ESYNTAX, "json_syntax", "invalid literal", start);
        i += 8;
        *pos = i;
        return sink->scalar(p, ctx, PROVA_JSON_NUMBER, (const char *)in + start, i - start,
                            PROVA_NUM_FLOAT | PROVA_NUM_NONFINITE, start);
    }
    size_t int_digits = 0;
    if (in[i] == '0') {
        i++;
        int_digits = 1;
        if (i < len && in[i] >= '0' && in[i] <= '9')
            return fail(p, PROVA_ESYNTAX, "json_leading_zero", "number has a leading zero", start);
    } else if (in[i] >= '1' && in[i] <= '9') {
        while (i < len && in[i] >= '0' && in[i] <= '9') i++;
        int_digits = i - start - (in[start] == '-');
    } else {
        return fail(p, PROVA_ESYNTAX, "json_syntax", "invalid number", start);
    }
    size_t frac_digits = 0;
    if (i < len && in[i] == '.') {
        i++;
        flags |= PROVA_NUM_FLOAT;
        if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "number ends after '.'", len);
        if (!(in[i] >= '0' && in[i] <= '9'))
            return fail(p, PROVA_ESYNTAX, "json_syntax", "a digit must follow the decimal point", i);
        size_t f0 = i;
        while (i < len && in[i] >= '0' && in[i] <= '9') i++;
        frac_digits = i - f0;
    }
    if (int_digits + frac_digits <= 15) flags |= NUM_SHORT;
    bool maybe_overflow = int_digits > 300;
    if (i < len && (in[i] == 'e' || in[i] == 'E')) {
        i++;
        flags |= PROVA_NUM_FLOAT;
        bool neg = false;
        if (i < len && (in[i] == '+' || in[i] == '-')) neg = in[i++] == '-';
        if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "number ends in its exponent", len);
        if (!(in[i] >= '0' && in[i] <= '9'))
            return fail(p, PROVA_ESYNTAX, "json_syntax", "the exponent needs at least one digit", i);
        size_t e = 0;
        while (i < len && in[i] >= '0' && in[i] <= '9') {
            if (e < 100000) e = e * 10 + (size_t)(in[i] - '0');
            i++;
        }
        if (!neg && e + int_digits > 300) maybe_overflow = true;
    }
    if ((flags & PROVA_NUM_FLOAT) && maybe_overflow) {
        double d;
        if (prova__strtod((const char *)in + start, i - start, &d) < 0) {
            if (!allow_nf)
                return fail(p, PROVA_ERANGE, "json_number_range", "number is too large for a double", start);
            flags |= PROVA_NUM_NONFINITE;
        }
    }
    *pos = i;
    return sink->scalar(p, ctx, PROVA_JSON_NUMBER, (const char *)in + start, i - start, flags, start);
}

static int push_frame(json_parser *p, uint8_t type, size_t off) {
    if (p->depth >= p->lim.max_depth)
        return fail(p, PROVA_ELIMIT, "json_depth_limit", "nesting deeper than the configured limit", off);
    if (p->depth == p->stack_cap) {
        size_t cap = p->stack_cap ? p->stack_cap * 2 : 32;
        frame *n = p->alloc->realloc(p->alloc->ctx, p->stack, p->stack_cap * sizeof(frame), cap * sizeof(frame));
        if (!n) return fail(p, PROVA_ENOMEM, "out_of_memory", "out of memory", off);
        p->stack = n;
        p->stack_cap = cap;
    }
    frame *f = &p->stack[p->depth++];
    f->type = type;
    f->count = 0;
    f->key_start = f->key_end = 0;
    f->has_key = false;
    return 0;
}

static int run(json_parser *p, const json_sink *sink, void *ctx) {
    const uint8_t *in = p->in;
    const size_t len = p->len;
    size_t i = 0;
    int r;

    if (len > p->lim.max_size)
        return fail(p, PROVA_ELIMIT, "json_size_limit", "document larger than the configured limit", 0);
    if (len >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
        return fail(p, PROVA_ESYNTAX, "json_bom", "a byte order mark is not allowed", 0);
    i = skip_ws(in, len, i);
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_empty", "no JSON value in the input", i);

value:
    i = skip_ws(in, len, i);
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "input ends where a value is expected", len);
    switch (in[i]) {
    case '{':
    case '[': {
        uint8_t t = in[i] == '{' ? PROVA_JSON_OBJECT : PROVA_JSON_ARRAY;
        if ((r = push_frame(p, t, i)) < 0) return r;
        if ((r = sink->begin(p, ctx, (prova_json_type)t, i)) < 0) return fail(p, r, "out_of_memory", "out of memory", i);
        i = skip_ws(in, len, i + 1);
        if (i < len && in[i] == (t == PROVA_JSON_OBJECT ? '}' : ']')) goto close;
        if (t == PROVA_JSON_OBJECT) goto key;
        goto value;
    }
    case '"': {
        const uint8_t *s;
        size_t n, at = i;
        unsigned sf;
        if ((r = scan_string(p, &i, &s, &n, &sf)) < 0) return r;
        if ((r = sink->scalar(p, ctx, PROVA_JSON_STRING, (const char *)s, n, sf, at)) < 0) return r;
        goto after;
    }
    case 't':
        if (!match_lit(in, len, i, "true", 4)) goto bad_literal;
        if ((r = sink->scalar(p, ctx, PROVA_JSON_TRUE, "true", 4, 0, i)) < 0) return r;
        i += 4;
        goto after;
    case 'f':
        if (!match_lit(in, len, i, "false", 5)) goto bad_literal;
        if ((r = sink->scalar(p, ctx, PROVA_JSON_FALSE, "false", 5, 0, i)) < 0) return r;
        i += 5;
        goto after;
    case 'n':
        if (!match_lit(in, len, i, "null", 4)) goto bad_literal;
        if ((r = sink->scalar(p, ctx, PROVA_JSON_NULL, "null", 4, 0, i)) < 0) return r;
        i += 4;
        goto after;
    case 'N':
        if (!(p->lim.flags & PROVA_PARSE_ALLOW_NONFINITE))
            return fail(p, PROVA_ESYNTAX, "json_nonfinite", "NaN is not allowed in JSON", i);
        if (!match_lit(in, len, i, "NaN", 3)) goto bad_literal;
        if ((r = sink->scalar(p, ctx, PROVA_JSON_NUMBER, "NaN", 3, PROVA_NUM_FLOAT | PROVA_NUM_NONFINITE, i)) < 0)
            return r;
        i += 3;
        goto after;
    case 'I':
        if (!(p->lim.flags & PROVA_PARSE_ALLOW_NONFINITE))
            return fail(p, PROVA_ESYNTAX, "json_nonfinite", "Infinity is not allowed in JSON", i);
        if ((r = scan_number(p, sink, ctx, &i)) < 0) return r;
        goto after;
    case '-':
        if (i + 1 < len && in[i + 1] == 'I' && !(p->lim.flags & PROVA_PARSE_ALLOW_NONFINITE))
            return fail(p, PROVA_ESYNTAX, "json_nonfinite", "-Infinity is not allowed in JSON", i);
        if ((r = scan_number(p, sink, ctx, &i)) < 0) return r;
        goto after;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        if ((r = scan_number(p, sink, ctx, &i)) < 0) return r;
        goto after;
    default:
        if (in[i] >= 0x80 && !utf8_seq(in + i, len - i))
            return fail(p, PROVA_ESYNTAX, "json_invalid_utf8", "invalid UTF-8 where a value is expected", i);
        return fail(p, PROVA_ESYNTAX, "json_syntax", "unexpected character where a value is expected", i);
    }

bad_literal:
    /* A prefix of a literal that the input cuts short is truncation; anything else is a bad token. */
    {
        static const char *const lits[] = {"true", "false", "null", "NaN"};
        for (size_t k = 0; k < 4; k++) {
            size_t n = strlen(lits[k]);
            if (len - i < n && memcmp(in + i, lits[k], len - i) == 0)
                return fail(p, PROVA_ESYNTAX, "json_truncated", "input ends inside a literal", len);
        }
    }
    return fail(p, PROVA_ESYNTAX, "json_syntax", "invalid literal (expected true, false or null)", i);

key: {
    i = skip_ws(in, len, i);
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "input ends where a member name is expected", len);
    if (in[i] != '"') return fail(p, PROVA_ESYNTAX, "json_syntax", "expected a string as member name", i);
    frame *f = &p->stack[p->depth - 1];
    const uint8_t *s;
    size_t n, at = i;
    unsigned sf;
    f->has_key = false;
    if ((r = scan_string(p, &i, &s, &n, &sf)) < 0) return r;
    f->key_start = at + 1;
    f->key_end = i - 1;
    f->has_key = true;
    if ((r = sink->key(p, ctx, (const char *)s, n, sf, at)) < 0) return r;
    i = skip_ws(in, len, i);
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "input ends where ':' is expected", len);
    if (in[i] != ':') return fail(p, PROVA_ESYNTAX, "json_syntax", "expected ':' after member name", i);
    i++;
    goto value;
}

after:
    if (p->depth == 0) goto done;
    i = skip_ws(in, len, i);
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "input ends inside a container", len);
    {
        frame *f = &p->stack[p->depth - 1];
        uint8_t closer = f->type == PROVA_JSON_OBJECT ? '}' : ']';
        if (in[i] == ',') {
            if (++f->count >= p->lim.max_members)
                return fail(p, PROVA_ELIMIT, "json_member_limit", "more members or elements than the configured limit",
                            i);
            i++;
            if (f->type == PROVA_JSON_OBJECT) {
                f->has_key = false;
                goto key;
            }
            goto value;
        }
        if (in[i] == closer) goto close;
        return fail(p, PROVA_ESYNTAX, "json_syntax",
                    f->type == PROVA_JSON_OBJECT ? "expected ',' or '}' after member" : "expected ',' or ']' after element",
                    i);
    }

close: {
    frame *f = &p->stack[p->depth - 1];
    if ((r = sink->end(p, ctx, (prova_json_type)f->type, i)) < 0) return r;
    p->depth--;
    i++;
    goto after;
}

done:
    i = skip_ws(in, len, i);
    if (i < len) return fail(p, PROVA_ESYNTAX, "json_trailing_data", "unexpected data after the JSON value", i);
    return 0;
}

int prova__json_run(const uint8_t *in, size_t len, const prova_parse_options *opts, const json_sink *sink,
                    void *ctx, prova_error *err) {
    json_parser p;
    memset(&p, 0, sizeof p);
    p.in = in;
    p.len = len;
    p.lim = *opts;
    p.alloc = opts->alloc;
    p.err = err;
    int r = run(&p, sink, ctx);
    if (r < 0 && !p.failed) fail(&p, r, r == PROVA_ENOMEM ? "out_of_memory" : "json_syntax", prova_strerror(r), 0);
    if (p.stack) p.alloc->free(p.alloc->ctx, p.stack, p.stack_cap * sizeof(frame));
    if (p.scratch) {
        if (opts->flags & PROVA_PARSE_SECRET) sodium_memzero(p.scratch, p.scratch_cap);
        p.alloc->free(p.alloc->ctx, p.scratch, p.scratch_cap);
    }
    return r;
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
        if (key_ref_cmp(&keys[tmp[b]], &keys[tmp[a]], utf16) < 0) idx[o++] = tmp[b++];
        else idx[o++] = tmp[a++];
    }
    while (a < h) idx[o++] = tmp[a++];
    while (b < n) idx[o++] = tmp[b++];
}
