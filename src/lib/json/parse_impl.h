/* Internal: the parser loop and its scanners, as always-inline functions. Each sink's file (doc.c, canon.c)
 * instantiates the loop with its own constant sink table, so the compiler calls (and may inline) the sink
 * functions directly instead of through pointers. Included only by parse.c, doc.c and canon.c. */
#ifndef PROVA_PARSE_IMPL_H
#define PROVA_PARSE_IMPL_H

#include <string.h>

#include "dtoa.h"
#include "parser.h"
#include "utf8.h"

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
    bool has_key; /* a member name has been read and names the value being parsed */
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

/* Shared out-of-line parts (parse.c). */
int prova__scan_string_escaped(json_parser *p, size_t *pos, size_t start, size_t i, const uint8_t **ret_s,
                               size_t *ret_n, unsigned *ret_flags);
void prova__parser_free(json_parser *p, int status);

static inline int fail(json_parser *p, int status, const char *reason, const char *message, size_t off) {
    return prova__json_fail(p, status, reason, message, off, NULL, 0);
}

/* ---- Lexical helpers ------------------------------------------------------------------------------------ */

static inline bool is_ws(uint8_t c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline size_t skip_ws(const uint8_t *in, size_t len, size_t i) {
    while (i < len && is_ws(in[i])) i++;
    return i;
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Non-zero iff one of the 8 bytes is '"', '\\', < 0x20 or >= 0x80 (exact as a test for "any"). */
static inline uint64_t special8(uint64_t x) {
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) | x) & HIGHS;
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
                size_t n = prova_utf8_seq(in + i, len - i);
                if (!n) return fail(p, PROVA_ESYNTAX, "json_invalid_utf8", "invalid UTF-8 in string", i);
                i += n;
            } while (i < len && in[i] >= 0x80);
            continue;
        }
        return prova__scan_string_escaped(p, pos, start, i, ret_s, ret_n, ret_flags); /* an escape */
    }
}

static inline bool match_lit(const uint8_t *in, size_t len, size_t i, const char *lit, size_t n) {
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
            if (!allow_nf) return fail(p, PROVA_ERANGE, "json_number_range", "number is too large for a double", start);
            flags |= PROVA_NUM_NONFINITE;
        }
    }
    *pos = i;
    return sink->scalar(p, ctx, PROVA_JSON_NUMBER, (const char *)in + start, i - start, flags, start);
}

static inline int push_frame(json_parser *p, uint8_t type, size_t off) {
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

/* Parses one document in[0..len) (ret_end NULL), or, with ret_end, the one value that starts at in[start]: it
 * stops right after that value (*ret_end) without the document checks (size, BOM, empty, trailing data). The
 * streaming canonicalizer parses a document a value at a time this way. */
static PROVA_ALWAYS_INLINE int json_run_from(json_parser *p, const json_sink *sink, void *ctx, size_t start,
                                             size_t *ret_end) {
    const uint8_t *in = p->in;
    const size_t len = p->len;
    size_t i = start;
    int r;

    if (!ret_end) {
        if (len > p->lim.max_size)
            return fail(p, PROVA_ELIMIT, "json_size_limit", "document larger than the configured limit", 0);
        if (len >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
            return fail(p, PROVA_ESYNTAX, "json_bom", "a byte order mark is not allowed", 0);
        i = skip_ws(in, len, i);
        if (i >= len) return fail(p, PROVA_ESYNTAX, "json_empty", "no JSON value in the input", i);
    }

value:
    i = skip_ws(in, len, i);
    if (i >= len) return fail(p, PROVA_ESYNTAX, "json_truncated", "input ends where a value is expected", len);
    switch (in[i]) {
    case '{':
    case '[': {
        uint8_t t = in[i] == '{' ? PROVA_JSON_OBJECT : PROVA_JSON_ARRAY;
        if ((r = push_frame(p, t, i)) < 0) return r;
        if ((r = sink->begin(p, ctx, (prova_json_type)t, i)) < 0)
            return fail(p, r, "out_of_memory", "out of memory", i);
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
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        if ((r = scan_number(p, sink, ctx, &i)) < 0) return r;
        goto after;
    default:
        if (in[i] >= 0x80 && !prova_utf8_seq(in + i, len - i))
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

key : {
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
        return fail(
            p, PROVA_ESYNTAX, "json_syntax",
            f->type == PROVA_JSON_OBJECT ? "expected ',' or '}' after member" : "expected ',' or ']' after element", i);
    }

close : {
    frame *f = &p->stack[p->depth - 1];
    if ((r = sink->end(p, ctx, (prova_json_type)f->type, i)) < 0) return r;
    p->depth--;
    i++;
    goto after;
}

done:
    if (ret_end) {
        *ret_end = i;
        return 0;
    }
    i = skip_ws(in, len, i);
    if (i < len) return fail(p, PROVA_ESYNTAX, "json_trailing_data", "unexpected data after the JSON value", i);
    return 0;
}

static PROVA_ALWAYS_INLINE int json_run(json_parser *p, const json_sink *sink, void *ctx) {
    return json_run_from(p, sink, ctx, 0, NULL);
}

/* Parses in[0..len) with resolved limits, driving sink (pass a static const table for direct calls).
 * Returns 0 or a negative status; err filled. */
static PROVA_ALWAYS_INLINE int json_parse_with(const uint8_t *in, size_t len, const prova_parse_options *opts,
                                               const json_sink *sink, void *ctx, prova_error *err) {
    json_parser p;
    memset(&p, 0, sizeof p);
    p.in = in;
    p.len = len;
    p.lim = *opts;
    p.alloc = opts->alloc;
    p.err = err;
    int r = json_run(&p, sink, ctx);
    prova__parser_free(&p, r);
    return r;
}

#endif
