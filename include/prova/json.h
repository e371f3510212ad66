/* prova/json.h — strict RFC 8259 parser into an arena-owned, read-only document, and the canonical writers.
 *
 * A document owns every value and string it contains; one prova_doc_free() releases all of it.
 * Objects keep their members sorted by key in Unicode code point order (= UTF-8 byte order), so lookups are
 * binary searches and the `ope`/`ophamin` writers need no sort. Duplicate keys are an error, never "last wins".
 * Numbers keep their original token and whether it was an integer token (no '.', 'e' or 'E') or a float token.
 * Strings are decoded to UTF-8 (a lone surrogate, allowed only with PROVA_PARSE_ALLOW_LONE_SURROGATES, is kept as
 * the 3-byte generalized-UTF-8 form ED A0 80..ED BF BF so it sorts by code point and is written back escaped).
 *
 * Example:
 *     prova_doc *doc;
 *     prova_error err;
 *     if (prova_json_parse(bytes, n, NULL, &doc, &err) < 0) { report(err.reason, err.line, err.column); }
 *     const prova_json *name = prova_json_get(prova_doc_root(doc), "name");
 *     prova_doc_free(doc);
 */
#ifndef PROVA_JSON_H
#define PROVA_JSON_H

#include <stdbool.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum prova_json_type {
    PROVA_JSON_NULL = 0,
    PROVA_JSON_FALSE,
    PROVA_JSON_TRUE,
    PROVA_JSON_NUMBER,
    PROVA_JSON_STRING,
    PROVA_JSON_ARRAY,
    PROVA_JSON_OBJECT,
} prova_json_type;

/* Number flags. */
#define PROVA_NUM_FLOAT     0x1u /* the token had '.', 'e' or 'E' (or was NaN/Infinity) */
#define PROVA_NUM_NONFINITE 0x2u /* the token was NaN, Infinity or -Infinity */
/* Other bits of `flags` are reserved for the library's own use. */

typedef struct prova_json prova_json;
typedef struct prova_json_member prova_json_member;

/* A value. Read it with the accessors below; the layout is public only so that iteration is cheap. */
struct prova_json {
    uint8_t type;  /* prova_json_type */
    uint8_t flags; /* PROVA_NUM_* for numbers */
    uint16_t reserved;
    uint32_t len; /* bytes of a string or number token; element count of an array or object */
    union {
        const char *str;                  /* STRING: decoded UTF-8 (NUL-terminated); NUMBER: token (NUL-terminated) */
        const prova_json *items;          /* ARRAY */
        const prova_json_member *members; /* OBJECT, sorted by key in code point order */
    } u;
};

struct prova_json_member {
    prova_json key; /* always a STRING */
    prova_json value;
};

/* sizeof(prova_json) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_json_sizeof(void);
/* sizeof(prova_json_member) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_json_member_sizeof(void);

typedef struct prova_doc prova_doc;

/* Parse flags. */
#define PROVA_PARSE_ALLOW_NONFINITE       0x1u /* accept NaN, Infinity, -Infinity tokens (ophamin verify) */
#define PROVA_PARSE_ALLOW_LONE_SURROGATES 0x2u /* accept \ud800-style escapes without a partner (ophamin) */
#define PROVA_PARSE_SECRET                                                                                             \
    0x4u /* the input holds secrets (a private JWK): the parser's scratch                                              \
            and the document's memory are wiped when freed */

/* Limits; 0 in a field means "the default". Defaults: depth 128, document 256 MiB, string 64 MiB,
 * 1,000,000 members per object / elements per array. Hard maxima: depth 100000, document < 4 GiB,
 * string and count < 4 Gi. */
typedef struct prova_parse_options {
    uint32_t flags;
    uint32_t max_depth;
    size_t max_size;
    size_t max_string;
    size_t max_members;
    const prova_allocator *alloc; /* NULL = default */
} prova_parse_options;
/* sizeof(prova_parse_options) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_parse_options_sizeof(void);

#define PROVA_DEFAULT_MAX_DEPTH   128u
#define PROVA_DEFAULT_MAX_SIZE    ((size_t)256 << 20)
#define PROVA_DEFAULT_MAX_STRING  ((size_t)64 << 20)
#define PROVA_DEFAULT_MAX_MEMBERS ((size_t)1000000)
/* The defaults as functions, for bindings: prova_default_max_depth() == PROVA_DEFAULT_MAX_DEPTH, ... */
PROVA_EXPORT size_t prova_default_max_depth(void);
PROVA_EXPORT size_t prova_default_max_size(void);
PROVA_EXPORT size_t prova_default_max_string(void);
PROVA_EXPORT size_t prova_default_max_members(void);

/* Parses exactly one JSON text (leading/trailing whitespace allowed, nothing else). The input is copied as
 * needed; it may be freed after the call. On success *ret_doc owns everything; on failure *ret_doc is untouched
 * and reterr (if not NULL) names the reason ("json_syntax", "json_invalid_utf8", "json_duplicate_key",
 * "json_trailing_data", "json_leading_zero", "json_control_character", "json_invalid_escape",
 * "json_lone_surrogate", "json_nonfinite", "json_number_range", "json_depth_limit", "json_size_limit",
 * "json_string_limit", "json_member_limit", "json_truncated", "json_empty"), the byte offset, line, column and
 * the JSON Pointer of the value being parsed.
 * Returns 0, PROVA_ESYNTAX, PROVA_ELIMIT, PROVA_ERANGE, PROVA_ENOMEM or PROVA_EINVAL. */
PROVA_EXPORT PROVA_NODISCARD int prova_json_parse(const void *data, size_t len, const prova_parse_options *opts,
                                                  prova_doc **ret_doc, prova_error *reterr);

/* Frees a document and everything it owns. NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_doc *prova_doc_free(prova_doc *doc);

/* The root value of a document (never NULL for a parsed document). */
PROVA_EXPORT const prova_json *prova_doc_root(const prova_doc *doc);

/* Accessors. All accept NULL and return NULL/0/false for a value of the wrong type. Plain exported functions (none
 * is inline), so that a binding calls them like any other. */
/* The type; PROVA_JSON_NULL for NULL. */
PROVA_EXPORT prova_json_type prova_json_typeof(const prova_json *v);
PROVA_EXPORT bool prova_json_is_string(const prova_json *v);
PROVA_EXPORT bool prova_json_is_object(const prova_json *v);
PROVA_EXPORT bool prova_json_is_array(const prova_json *v);
PROVA_EXPORT bool prova_json_is_number(const prova_json *v);
/* A NUMBER whose token is an integer token (no '.', 'e' or 'E'; PROVA_NUM_FLOAT not set). */
PROVA_EXPORT bool prova_json_is_int(const prova_json *v);
/* true or false. */
PROVA_EXPORT bool prova_json_is_bool(const prova_json *v);
/* The value null (false for a NULL pointer). */
PROVA_EXPORT bool prova_json_is_null(const prova_json *v);
/* Bytes of a string or of a number's token; elements of an array; members of an object; 0 otherwise. */
PROVA_EXPORT size_t prova_json_len(const prova_json *v);
/* The string of a STRING value (NUL-terminated; may contain NUL bytes — use prova_json_len). */
PROVA_EXPORT const char *prova_json_str(const prova_json *v);
/* True when v is a STRING equal to the NUL-terminated s. */
PROVA_EXPORT bool prova_json_str_eq(const prova_json *v, const char *s);
/* Member value by key (NUL-terminated), binary search. NULL when absent or v is not an object. */
PROVA_EXPORT const prova_json *prova_json_get(const prova_json *obj, const char *key);
/* Same, with an explicit key length (keys may contain NUL). */
PROVA_EXPORT const prova_json *prova_json_getn(const prova_json *obj, const char *key, size_t keylen);
/* Array element i, or NULL. */
PROVA_EXPORT const prova_json *prova_json_at(const prova_json *arr, size_t i);
/* An integer number as int64. 0, PROVA_EINVAL (not an integer token) or PROVA_ERANGE. */
PROVA_EXPORT PROVA_NODISCARD int prova_json_get_int64(const prova_json *v, int64_t *ret);
/* A number as the nearest double (correctly rounded). 0, PROVA_EINVAL or PROVA_ERANGE (overflow). */
PROVA_EXPORT PROVA_NODISCARD int prova_json_get_double(const prova_json *v, double *ret);

/* ---- Canonical writers ------------------------------------------------------------------------------- */

typedef enum prova_profile {
    PROVA_PROFILE_OPE = 0, /* Python json.dumps(sort_keys, compact, ensure_ascii=False); ODIN OPE v1 */
    PROVA_PROFILE_OPHAMIN, /* Python json.dumps(sort_keys, compact, ensure_ascii=True); proof records */
    PROVA_PROFILE_JCS,     /* RFC 8785; OpenExecution */
} prova_profile;

/* "ope", "ophamin", "jcs" <-> enum. Lookup returns 0 or PROVA_EUNSUPPORTED. */
PROVA_EXPORT const char *prova_profile_name(prova_profile p);
PROVA_EXPORT PROVA_NODISCARD int prova_profile_lookup(const char *name, prova_profile *ret);

/* Appends the canonical bytes of v under profile p to out. On failure out->len is restored.
 * Errors: PROVA_ESYNTAX with reason "canon_nonfinite" (NaN/Infinity under ope or jcs, or a float token that
 * overflows to infinity), "canon_lone_surrogate" (under ope or jcs), PROVA_ENOMEM. reterr->pointer names the value. */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_write(const prova_json *v, prova_profile p, prova_buf *out,
                                                   prova_error *reterr);

/* Same into a caller buffer. On PROVA_ENOSPACE *ret_len holds the size needed. */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_write_to(const prova_json *v, prova_profile p, void *buf, size_t cap,
                                                      size_t *ret_len, prova_error *reterr);

/* Parses `data` and appends its canonical form to out, in one pass that does not build a document (the fast path
 * for whole files: memory stays near the output size). Rejects exactly what prova_json_parse() rejects, plus what
 * the profile cannot represent. opts may be NULL; for the ophamin profile, PROVA_PARSE_ALLOW_NONFINITE and
 * PROVA_PARSE_ALLOW_LONE_SURROGATES are honoured. On failure out->len is restored. */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_bytes(const void *data, size_t len, prova_profile p,
                                                   const prova_parse_options *opts, prova_buf *out,
                                                   prova_error *reterr);

/* Receives the canonical bytes of prova_canon_stream in order, a chunk at a time (at most about 1 MiB, except a
 * single string longer than that). Returns 0, or non-zero to stop: prova_canon_stream then fails with PROVA_EIO
 * (reason "canon_write_failed"). */
typedef int (*prova_canon_write_fn)(void *ctx, const void *data, size_t len);

/* The same bytes as prova_canon_bytes, passed to write through a fixed buffer instead of built in memory: memory
 * stays bounded whatever the size of data (a buffer of about 1 MiB, the member lists of the open objects larger
 * than 64 KiB, the longest string; docs/canonical-json.md "Streaming"). Accepts and rejects exactly what
 * prova_canon_bytes does, with the same error (reason, offset, pointer). On failure the bytes already passed to
 * write are not a result: discard them. */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_stream(const void *data, size_t len, prova_profile p,
                                                    const prova_parse_options *opts, prova_canon_write_fn write,
                                                    void *ctx, prova_error *reterr);

/* A member to set in prova_canon_edit: its name and its value as JSON text. */
typedef struct prova_member_text {
    const char *name;
    const char *json;
    size_t len;
} prova_member_text;
/* sizeof(prova_member_text) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_member_text_sizeof(void);

/* The canonical form (profile p) of object obj with the members named in drop removed and the members of set
 * added or replacing obj's (a record updated by a gateway: a chain record without its events, with a new
 * event_count). Appends to out: 0, PROVA_EINVAL (obj not an object, a set value not JSON), PROVA_ELIMIT or
 * PROVA_ENOMEM (out unchanged on failure). */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_edit(const prova_json *obj, const char *const *drop, size_t ndrop,
                                                  const prova_member_text *set, size_t nset, prova_profile p,
                                                  prova_buf *out, prova_error *reterr);

/* Writes one string as a JSON string literal under profile p. s must be strict UTF-8 (checked: PROVA_ESYNTAX
 * otherwise, nothing appended); lone surrogates can reach the ophamin writer only through a parsed document. */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_write_string(const char *s, size_t n, prova_profile p, prova_buf *out);

#define PROVA_CANON_DOUBLE_MAX 32 /* the buffer of prova_canon_format_double() (no NUL is written) */
PROVA_EXPORT size_t prova_canon_double_max(void);

/* Formats a finite double the way the profile writes float tokens: Python repr() for ope/ophamin
 * ("1e-05", "100.0", "1e+16"), ECMAScript Number::toString for jcs ("1e-7", "100", "1e+21").
 * Writes at most 32 bytes (no NUL) and returns the length, or 0 when v is not finite. */
PROVA_EXPORT size_t prova_canon_format_double(double v, prova_profile p, char buf[PROVA_CANON_DOUBLE_MAX]);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_JSON_H */
