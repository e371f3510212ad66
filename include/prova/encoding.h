/* prova/encoding.h — strict hex, base64 and base64url; constant-time equality.
 *
 * Decoders are strict: no whitespace, no characters outside the alphabet, and the unused trailing bits of the
 * last character must be zero (so every byte string has exactly one accepted encoding, modulo padding).
 *  - base64 (RFC 4648 §4): padding required.
 *  - base64url (RFC 4648 §5): padding optional on input, never written.
 *  - hex: even length; upper- and lowercase accepted on input, lowercase written.
 * Errors: PROVA_ESYNTAX (reterr->reason "hex_invalid", "base64_invalid"; offset = first bad character),
 * PROVA_ENOSPACE (output buffer too small; *ret_len = size needed).
 */
#ifndef PROVA_ENCODING_H
#define PROVA_ENCODING_H

#include <stdbool.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exact sizes of encodings of n bytes (without NUL). */
#define PROVA_HEX_LEN(n)       ((n)*2u)
#define PROVA_BASE64_LEN(n)    ((((n) + 2u) / 3u) * 4u)
#define PROVA_BASE64URL_LEN(n) (((n)*4u + 2u) / 3u)
/* The same as functions (for bindings): prova_hex_len(n) == PROVA_HEX_LEN(n), ... */
PROVA_EXPORT size_t prova_hex_len(size_t n);
PROVA_EXPORT size_t prova_base64_len(size_t n);
PROVA_EXPORT size_t prova_base64url_len(size_t n);

/* Encoders write exactly the length above, followed by a NUL when cap allows one more byte (cap must be at least
 * the encoded length). Return the encoded length, or 0 if cap is too small (or n is 0: check n first). */
PROVA_EXPORT size_t prova_hex_encode(const void *in, size_t n, char *out, size_t cap);
PROVA_EXPORT size_t prova_base64_encode(const void *in, size_t n, char *out, size_t cap);
PROVA_EXPORT size_t prova_base64url_encode(const void *in, size_t n, char *out, size_t cap);

/* Decoders write at most cap bytes to out and the decoded length to *ret_len. */
PROVA_EXPORT PROVA_NODISCARD int prova_hex_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len,
                                                  prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_base64_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len,
                                                     prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_base64url_decode(const char *in, size_t n, void *out, size_t cap,
                                                        size_t *ret_len, prova_error *reterr);

/* Constant-time comparison of two equal-length byte strings (time depends only on n). True when equal. */
PROVA_EXPORT bool prova_ct_equal(const void *a, const void *b, size_t n);

/* Wipes memory so that the compiler cannot elide it (sodium_memzero). */
PROVA_EXPORT void prova_mem_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_ENCODING_H */
