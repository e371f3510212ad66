/* prova/common.h — status codes, error report, allocator and export macros shared by every module.
 *
 * Conventions (see docs/api.md):
 *  - Functions return int: 0 on success, a negative PROVA_E* code on failure. The numbers are stable.
 *  - Inputs first, then ret_ outputs, then an optional prova_error *reterr that receives the reason code,
 *    a constant message, the byte offset/line/column and the JSON Pointer of what was wrong.
 *  - On failure, ret_ outputs are left untouched (no half-written results).
 *  - The library never prints, exits or reads the environment, and has no global mutable state.
 */
#ifndef PROVA_COMMON_H
#define PROVA_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compiler attributes, and nothing else that a C parser would not know. Header parsers of other languages'
 * bindings (pycparser for cffi, ctypes generators) read the output of `cc -E -DPROVA_NO_ATTRIBUTES prova/prova.h`:
 * with PROVA_NO_ATTRIBUTES defined, and with a compiler other than GCC or clang, every macro below expands to
 * nothing. PROVA_NONNULL takes one parenthesized list of 1-based argument positions, PROVA_NONNULL((1, 3)), so
 * that no macro of the public headers is variadic. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(PROVA_NO_ATTRIBUTES)
#define PROVA_EXPORT             __attribute__((visibility("default")))
#define PROVA_NODISCARD          __attribute__((warn_unused_result))
#define PROVA_NONNULL(positions) __attribute__((nonnull positions))
#else
#define PROVA_EXPORT
#define PROVA_NODISCARD
#define PROVA_NONNULL(positions)
#endif

/* PROVA_VERSION_STRING ("0.1.0"), PROVA_VERSION_NUMBER (major * 10000 + minor * 100 + patch): the headers'. */
#include "prova/version.h" /* generated (include/prova/meson.build); beside this header once installed */

/* The version of the library that is loaded (the headers' version is PROVA_VERSION_STRING): "0.1.0"; static
 * storage, never NULL. */
PROVA_EXPORT const char *prova_version(void);
/* The same as a number, major * 10000 + minor * 100 + patch (0.1.0 is 100): compare it with PROVA_VERSION_NUMBER. */
PROVA_EXPORT int prova_version_number(void);

/* Status codes. Stable numbers: never renumber, only append. */
enum prova_status {
    PROVA_OK = 0,
    PROVA_ENOMEM = -1,       /* allocation failed */
    PROVA_EINVAL = -2,       /* invalid argument from the caller (NULL, bad enum, ...) */
    PROVA_ESYNTAX = -3,      /* malformed input (JSON, base64, hex, PEM, JWK ...); see reterr->reason */
    PROVA_ELIMIT = -4,       /* input exceeds a configured limit (depth, size, string length, members) */
    PROVA_EUNSUPPORTED = -5, /* unknown algorithm, profile or key type */
    PROVA_EVERIFY = -6,      /* well-formed input that does not verify (bad signature, MAC, hash) */
    PROVA_EKEY = -7,         /* key material is unusable (wrong size, wrong curve, not a private key) */
    PROVA_EIO = -8,          /* file or system I/O failed; errno is preserved */
    PROVA_ECRYPTO = -9,      /* the crypto backend failed for a reason other than the above */
    PROVA_ERANGE = -10,      /* a value is outside what the format can represent (e.g. 1e400 as a double) */
    PROVA_ENOSPACE = -11,    /* the caller's buffer is too small; the needed size is reported */
    PROVA_ENOTFOUND = -12,   /* the store has no such record (trace, chain, certificate) */
    PROVA_ECONFLICT = -13,   /* the write conflicts with what is stored (replay, a chain not open, a taken hop) */
};

/* A constant English sentence for a status code; never NULL. */
PROVA_EXPORT const char *prova_status_message(int status);

/* A stable snake_case name for a status code ("syntax", "limit", ...); never NULL. */
PROVA_EXPORT const char *prova_status_name(int status);

#define PROVA_POINTER_MAX 256
/* The constants a binding needs, as functions (a binding cannot read a #define): each returns its macro,
 * prova_pointer_max() == PROVA_POINTER_MAX; the name is always the macro's in lowercase (docs/api.md). */
PROVA_EXPORT size_t prova_pointer_max(void);

/* Where and why something failed: what a parser, verifier or builder fills in when it returns a negative status
 * and the caller passed a prova_error * (callers may pass NULL). A stable struct (docs/api.md, "The error struct"):
 *  - every member below is part of the ABI, with the meaning written beside it; a binding may read them by offset;
 *  - the layout only grows at the end: members are never removed, reordered, resized or retyped, and a new one is
 *    appended after `pointer`. Growing it is still an ABI change that bumps the library's soname (the library
 *    writes the whole struct, so a caller built with the smaller one would be overrun); code that reads the
 *    members it knows keeps working once rebuilt. A binding that allocates a prova_error itself allocates
 *    prova_error_sizeof() bytes;
 *  - reason and message point to static storage (never freed, valid for the life of the process); reason is a
 *    stable snake_case code ("json_duplicate_key", ...) to compare with, message a sentence for people that may be
 *    reworded;
 *  - on success the struct is left as it was, or cleared (status 0, reason "ok"); on failure every member is set.
 */
typedef struct prova_error {
    int status;                      /* the negative PROVA_E* code that was returned */
    const char *reason;              /* stable snake_case reason code, e.g. "json_duplicate_key"; static storage */
    const char *message;             /* constant human sentence; static storage */
    size_t offset;                   /* byte offset into the input (0-based), when the error has a position */
    size_t line;                     /* 1-based line of offset, 0 when no position */
    size_t column;                   /* 1-based column in bytes of offset, 0 when no position */
    char pointer[PROVA_POINTER_MAX]; /* RFC 6901 JSON Pointer of the offending value ("" = the root or none);
                                        always NUL-terminated; a longer one is cut (the parser ends it "...") */
} prova_error;

/* sizeof(prova_error) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_error_sizeof(void);

/* Clears an error report to "no error". */
PROVA_EXPORT void prova_error_clear(prova_error *err);

/* A pluggable allocator. All three functions must be set; ctx is passed through unchanged.
 * realloc(ctx, NULL, 0, n) must behave as malloc(n). free(ctx, NULL, 0) must be a no-op. */
typedef struct prova_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} prova_allocator;
/* sizeof(prova_allocator) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_allocator_sizeof(void);

/* The allocator used when NULL is passed: malloc/realloc/free from libc. */
PROVA_EXPORT const prova_allocator *prova_allocator_default(void);

/* A growable byte buffer. Zero-initialise it (or use PROVA_BUF_INIT); free it with prova_buf_free().
 * The bytes are not NUL-terminated unless a function says so. */
typedef struct prova_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    const prova_allocator *alloc; /* NULL = default */
} prova_buf;

#define PROVA_BUF_INIT                                                                                                 \
    { NULL, 0, 0, NULL }
/* sizeof(prova_buf) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_buf_sizeof(void);

PROVA_EXPORT void prova_buf_free(prova_buf *buf);
/* Ensures room for `extra` more bytes. 0 or PROVA_ENOMEM (buffer unchanged). */
PROVA_EXPORT PROVA_NODISCARD int prova_buf_reserve(prova_buf *buf, size_t extra);
/* Appends n bytes. 0 or PROVA_ENOMEM (buffer unchanged). */
PROVA_EXPORT PROVA_NODISCARD int prova_buf_append(prova_buf *buf, const void *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_COMMON_H */
