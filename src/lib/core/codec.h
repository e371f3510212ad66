/* Internal helpers of the one hex/base64 module (codec.c) for the library's layers; the public part is
 * prova/encoding.h. Not installed. */
#ifndef PROVA_CORE_CODEC_H
#define PROVA_CORE_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "prova/common.h"

/* 0..15 for a hex digit of either case, -1 otherwise. Branches on the value: for public text (ids, percent-
 * encoding, Python's bytes.fromhex), never for secrets (prova_hex_decode is for those). */
int prova__hex_value(int c);
/* 0..63 for a character of the standard (url false) or URL-safe alphabet, -1 otherwise ('=' is not in either).
 * Branches on the value, as prova__hex_value. */
int prova__base64_value(int c, bool url);
/* True when s[0..n) are n hex digits: lowercase only (lower_only), or of either case. */
bool prova__is_hex(const char *s, size_t n, bool lower_only);

/* Appends the lowercase hex, the standard base64 (with padding) or the base64url (without) of n bytes to out.
 * 0, PROVA_EINVAL (in NULL with n > 0) or PROVA_ENOMEM; out is unchanged on failure. */
int prova__buf_hex(prova_buf *out, const void *in, size_t n);
int prova__buf_base64(prova_buf *out, const void *in, size_t n, bool url);
/* Decodes n characters of strict base64 (url: base64url), as prova_base64_decode / prova_base64url_decode do, and
 * appends the bytes to out. 0, PROVA_ESYNTAX (reterr as those functions fill it), PROVA_EINVAL or PROVA_ENOMEM;
 * out is unchanged on failure. */
/* prova_base64_decode for public text (hashes, signatures, checkpoint roots: never key material): the same checks,
 * reasons and offsets, decoded with branches instead of libsodium's constant-time code (several times faster). */
int prova__base64_decode_public(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr);
/* prova_base64url_decode for public text (signatures), as prova__base64_decode_public. */
int prova__base64url_decode_public(const char *in, size_t n, void *out, size_t cap, size_t *ret_len,
                                   prova_error *reterr);
int prova__buf_base64_decode(prova_buf *out, const char *in, size_t n, bool url, prova_error *reterr);

#endif
