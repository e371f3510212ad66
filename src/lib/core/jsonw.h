/* One JSON writer for everything prova builds as JSON: gateway responses, MCP results, exporters, reports.
 *
 * It appends to a prova_buf, places the commas itself, escapes strings as the canonical profiles `ope` and `jcs`
 * do (raw UTF-8; `"` `\` `\b\f\n\r\t` and other bytes below 0x20 as \u00xx), and keeps the first failure, so a whole
 * document is written without checking every call and checked once at the end:
 *
 *   prova_jw w;
 *   prova_jw_init(&w, &out);
 *   prova_jw_obj(&w);
 *   prova_jw_kstr(&w, "trace_id", id);
 *   prova_jw_key(&w, "hops");
 *   prova_jw_arr(&w);
 *   ...
 *   prova_jw_end(&w);          (closes the array)
 *   prova_jw_end(&w);          (closes the object)
 *   int rc = prova_jw_finish(&w);
 *
 * prova_jw_finish returns 0, PROVA_ENOMEM, or PROVA_EINVAL when a string was not UTF-8 (prova_jw_str_lossy writes
 * U+FFFD for such bytes instead) or the nesting was unbalanced; on failure the buffer is back at its length when
 * prova_jw_init was called, so nothing half-written is ever sent. Nothing is bounded by a fixed-size buffer.
 * Not part of the public ABI: internal to prova's layers. */
#ifndef PROVA_CORE_JSONW_H
#define PROVA_CORE_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "prova/common.h"

#define PROVA_JW_MAX_DEPTH 64

typedef struct prova_jw {
    prova_buf *out;
    size_t mark;    /* out->len at init: restored on failure */
    int status;     /* the first failure (sticky), 0 while all is well */
    bool comma;     /* a value was written at this level: the next one needs a comma */
    uint8_t depth;  /* open objects and arrays */
    uint64_t kinds; /* bit d: level d+1 is an object (1) or an array (0) */
} prova_jw;

void prova_jw_init(prova_jw *w, prova_buf *out);
/* 0 or the first failure; on failure out is truncated back to where the writer started. */
int prova_jw_finish(prova_jw *w);

void prova_jw_obj(prova_jw *w);
void prova_jw_arr(prova_jw *w);
/* Closes the innermost open object or array. */
void prova_jw_end(prova_jw *w);

/* A member name (an object must be open); the next value is its value. */
void prova_jw_key(prova_jw *w, const char *name);
void prova_jw_keyn(prova_jw *w, const char *name, size_t n);

void prova_jw_str(prova_jw *w, const char *s);
void prova_jw_strn(prova_jw *w, const char *s, size_t n);
/* A string whose bytes may not be UTF-8 (messages quoting input): each invalid byte becomes U+FFFD. */
void prova_jw_str_lossy(prova_jw *w, const char *s, size_t n);
/* A string formatted printf-style, of any length. */
void prova_jw_strf(prova_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void prova_jw_i64(prova_jw *w, int64_t v);
void prova_jw_u64(prova_jw *w, uint64_t v);
void prova_jw_bool(prova_jw *w, bool v);
void prova_jw_null(prova_jw *w);
/* A value that is already JSON text (canonical bytes, a stored record), copied as is. */
void prova_jw_raw(prova_jw *w, const void *json, size_t n);

/* "name": value in one call. */
void prova_jw_kstr(prova_jw *w, const char *name, const char *s);
void prova_jw_ki64(prova_jw *w, const char *name, int64_t v);
void prova_jw_ku64(prova_jw *w, const char *name, uint64_t v);
void prova_jw_kbool(prova_jw *w, const char *name, bool v);
void prova_jw_kraw(prova_jw *w, const char *name, const void *json, size_t n);
/* s, or null when s is NULL. */
void prova_jw_kstr_or_null(prova_jw *w, const char *name, const char *s);

/* Appends s as one JSON string literal to out (the writer's escaping, strict UTF-8): 0, PROVA_EINVAL (not UTF-8;
 * out unchanged) or PROVA_ENOMEM. */
int prova_json_put_string(prova_buf *out, const char *s, size_t n);

#endif
