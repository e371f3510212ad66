/* Internal: the one strict JSON parser, driving a sink (the DOM builder or the streaming canonicalizer).
 *
 * The parser owns syntax, UTF-8, escapes, number grammar, limits and error positions. A sink receives
 * already-validated tokens; strings arrive decoded (pointer valid only during the call). Sinks report their
 * own errors (duplicate keys, what a profile cannot represent) through prova__json_fail(), so every error,
 * whoever finds it, carries the same offset/line/column/pointer. */
#ifndef PROVA_JSON_PARSER_H
#define PROVA_JSON_PARSER_H

#include <string.h>

#include "prova/json.h"

typedef struct json_parser json_parser;

/* String flags passed to key() and scalar() for strings (numbers get PROVA_NUM_* flags instead). */
#define STR_VERBATIM 0x1u /* s points into the input, which had no escapes: valid for the whole run */
#define STR_ASCII    0x2u /* every byte is in 0x20..0x7E (so no escaping is needed under any profile) */

#if defined(__GNUC__) || defined(__clang__)
#define PROVA_ALWAYS_INLINE __attribute__((always_inline)) inline
#define PROVA_NOINLINE      __attribute__((noinline))
#else
#define PROVA_ALWAYS_INLINE inline
#define PROVA_NOINLINE
#endif

/* Internal number flag (beside PROVA_NUM_*): the token has at most 15 mantissa digits, so it may take the
 * exact short path of the canonical writers. */
#define NUM_SHORT 0x4u

typedef struct json_sink {
    int (*begin)(json_parser *p, void *ctx, prova_json_type t, size_t off);
    int (*end)(json_parser *p, void *ctx, prova_json_type t, size_t off);
    int (*key)(json_parser *p, void *ctx, const char *s, size_t n, unsigned flags, size_t off);
    int (*scalar)(json_parser *p, void *ctx, prova_json_type t, const char *s, size_t n, unsigned flags, size_t off);
} json_sink;

/* Records an error found by a sink at byte offset off. When key is not NULL it is appended to the pointer of the
 * current container (for "duplicate key" errors). Returns status. */
int prova__json_fail(json_parser *p, int status, const char *reason, const char *message, size_t off, const char *key,
                     size_t keylen);

/* Fills err from a position in a document (line/column computed from in). */
void prova__error_at(prova_error *err, const uint8_t *in, size_t len, size_t off, int status, const char *reason,
                     const char *message);

/* Resolved limits (defaults applied, hard maxima enforced). */
void prova__parse_limits(const prova_parse_options *opts, prova_parse_options *ret);

/* Key orders. Both return <0, 0, >0. Strings are UTF-8 (or generalized UTF-8 with lone surrogates). */
int prova__key_cmp_codepoint(const char *a, size_t an, const char *b, size_t bn);
int prova__key_cmp_utf16(const char *a, size_t an, const char *b, size_t bn);

/* A key to sort: the string and its first 8 bytes as a big-endian integer (zero padded), so that most
 * comparisons are one integer compare. Fill with key_ref_set(). */
typedef struct key_ref {
    const char *s;
    size_t n;
    uint64_t prefix;
} key_ref;

static inline uint64_t key_load_be32(const char *s) {
    uint32_t v;
    memcpy(&v, s, sizeof v);
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline void key_ref_set(key_ref *k, const char *s, size_t n) {
    /* Reads only the n bytes of the key: overlapping loads cover every length without a byte loop. */
    const uint8_t *u = (const uint8_t *)s;
    uint64_t v;
    if (n >= 8) {
        v = key_load_be32(s) << 32 | key_load_be32(s + 4);
    } else if (n >= 4) {
        v = key_load_be32(s) << 32 | key_load_be32(s + n - 4) << (64 - 8 * n);
    } else if (n > 0) {
        v = (uint64_t)u[0] << 56 | (uint64_t)u[n / 2] << (56 - 8 * (n / 2)) | (uint64_t)u[n - 1] << (56 - 8 * (n - 1));
    } else {
        v = 0;
    }
    k->s = s;
    k->n = n;
    k->prefix = v;
}

/* Compares two keys in code point order, or in UTF-16 order when utf16 is true. */
static inline int key_ref_cmp(const key_ref *a, const key_ref *b, bool utf16) {
    /* Differing prefixes decide code point order; for UTF-16 order only when both are ASCII. */
    if (a->prefix != b->prefix && (!utf16 || !((a->prefix | b->prefix) & 0x8080808080808080ull)))
        return a->prefix < b->prefix ? -1 : 1;
    return utf16 ? prova__key_cmp_utf16(a->s, a->n, b->s, b->n) : prova__key_cmp_codepoint(a->s, a->n, b->s, b->n);
}

/* Sorts idx[0..n) (indices into keys), stably; tmp has room for n entries. */
void prova__sort_keys(uint32_t *idx, uint32_t *tmp, size_t n, const key_ref *keys, bool utf16);

#endif
