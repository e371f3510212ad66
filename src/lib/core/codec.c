/* Strict hex, base64 (RFC 4648 §4) and base64url (RFC 4648 §5); constant-time equality; wiping. The one codec
 * module of the library (prova/encoding.h, and the internal helpers of codec.h).
 *
 * Encoding and decoding are libsodium's (sodium_bin2hex, sodium_hex2bin, sodium_bin2base64, sodium_base642bin:
 * constant-time, the same alphabets). The decoders keep a validation pass of their own in front of libsodium's,
 * because prova promises more than libsodium reports: the reason and the offset of the first bad character
 * (libsodium stops at the first character it cannot use and says only where, e.g. 4 instead of 2 for the first
 * '=' of "Zg==Zg=="), "wrong" versus "missing" padding, and a caller's buffer that is untouched on every failure
 * (libsodium writes bytes as it goes). libsodium is not laxer than that pass (no whitespace unless asked, pad bits
 * checked), so once it passed, libsodium's decode cannot fail. The pass maps characters to values without a branch
 * on the value (JWK "d" and PEM bodies are secrets), with the mask arithmetic libsodium's codecs use. */
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "internal.h"
#include "prova/encoding.h"

/* Fills reterr (when not NULL) and returns status; has_pos: the error has a byte offset into a one-line input
 * (line 1, column offset + 1). */
static int fail(prova_error *reterr, int status, const char *reason, const char *message, size_t offset, bool has_pos) {
    if (reterr) {
        prova__fail(reterr, status, reason, message);
        reterr->offset = has_pos ? offset : 0;
        reterr->line = has_pos ? 1 : 0;
        reterr->column = has_pos ? offset + 1 : 0;
    }
    return status;
}

/* ---- Branch-free byte predicates: each returns 0xFF when true, 0x00 when false; x, y in 0..255. ------------ */

static unsigned ct_eq(unsigned x, unsigned y) {
    return (((0u - (x ^ y)) >> 8) & 0xFFu) ^ 0xFFu;
}
static unsigned ct_gt(unsigned x, unsigned y) {
    return ((y - x) >> 8) & 0xFFu;
}
static unsigned ct_ge(unsigned x, unsigned y) {
    return ct_gt(y, x) ^ 0xFFu;
}
static unsigned ct_lt(unsigned x, unsigned y) {
    return ct_gt(y, x);
}
static unsigned ct_le(unsigned x, unsigned y) {
    return ct_ge(y, x);
}

/* ---- hex --------------------------------------------------------------------------------------------------- */

/* 0..15, or a value > 15 when c is not a hex digit. */
static unsigned hex_value(unsigned c) {
    unsigned num = c ^ 0x30u;
    unsigned num_ok = ct_lt(num, 10u);
    unsigned alpha = (c & ~0x20u) - 55u; /* 'A' -> 10 */
    unsigned alpha_ok = ct_ge(c & ~0x20u, 0x41u) & ct_le(c & ~0x20u, 0x46u);
    unsigned v = (num_ok & num) | (alpha_ok & alpha);
    unsigned ok = num_ok | alpha_ok;
    return (v & 0x0Fu & ok) | ((ok ^ 0xFFu) << 1);
}

size_t prova_hex_encode(const void *in, size_t n, char *out, size_t cap) {
    if (!out || (!in && n > 0) || n > (SIZE_MAX - 1) / 2) return 0;
    size_t len = PROVA_HEX_LEN(n);
    if (cap < len || len == 0) {
        if (cap > 0 && len == 0) out[0] = '\0';
        return 0;
    }
    const uint8_t *p = in;
    if (cap > len) {
        sodium_bin2hex(out, cap, p, n);
        return len;
    }
    /* No room for the NUL that sodium_bin2hex always writes: the last byte goes through a small buffer. */
    char last[3];
    if (n > 1) sodium_bin2hex(out, len - 1, p, n - 1);
    sodium_bin2hex(last, sizeof last, p + n - 1, 1);
    memcpy(out + len - 2, last, 2);
    sodium_memzero(last, sizeof last);
    return len;
}

int prova_hex_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    if (!ret_len || (!in && n > 0) || (!out && cap > 0)) return PROVA_EINVAL;
    /* Pass 1: validate. */
    for (size_t i = 0; i < n; i++) {
        if (hex_value((unsigned char)in[i]) > 0x0Fu)
            return fail(reterr, PROVA_ESYNTAX, "hex_invalid", "not a hexadecimal digit", i, true);
    }
    if (n % 2 != 0) return fail(reterr, PROVA_ESYNTAX, "hex_invalid", "odd number of hexadecimal digits", n, true);
    size_t need = n / 2;
    if (cap < need) {
        *ret_len = need;
        return fail(reterr, PROVA_ENOSPACE, "no_space", "output buffer too small", 0, false);
    }
    /* Pass 2: decode (valid, and room for every byte: libsodium cannot fail here). */
    size_t got = 0;
    if (need > 0 && PROVA_NEVER(sodium_hex2bin(out, cap, in, n, NULL, &got, NULL) != 0 || got != need))
        return fail(reterr, PROVA_ECRYPTO, "crypto_backend", "the hex decoder failed", 0, false);
    *ret_len = need;
    return 0;
}

/* ---- base64 / base64url ------------------------------------------------------------------------------------ */

/* 0..63, or 0xFF when c is not in the alphabet ('=' is not in it). */
static unsigned b64_value(unsigned c, bool url) {
    unsigned c62 = url ? 0x2Du : 0x2Bu;
    unsigned c63 = url ? 0x5Fu : 0x2Fu;
    unsigned x =
        (ct_ge(c, 0x41u) & ct_le(c, 0x5Au) & (c - 0x41u)) | (ct_ge(c, 0x61u) & ct_le(c, 0x7Au) & (c - (0x61u - 26u))) |
        (ct_ge(c, 0x30u) & ct_le(c, 0x39u) & (c + (52u - 0x30u))) | (ct_eq(c, c62) & 62u) | (ct_eq(c, c63) & 63u);
    /* x == 0 is either 'A' or an invalid character. */
    return x | (ct_eq(x, 0u) & (ct_eq(c, 0x41u) ^ 0xFFu));
}

/* The same mapping with branches, for public text (hashes, signatures, roots): several times faster, and what it
 * decodes is no secret. */
static inline unsigned b64_value_public(unsigned c, bool url) {
    if (c - 0x41u < 26u) return c - 0x41u;
    if (c - 0x61u < 26u) return c - 0x61u + 26u;
    if (c - 0x30u < 10u) return c - 0x30u + 52u;
    if (c == (url ? 0x2Du : 0x2Bu)) return 62u;
    if (c == (url ? 0x5Fu : 0x2Fu)) return 63u;
    return 0xFFu;
}

static size_t b64_encode(const void *in, size_t n, char *out, size_t cap, bool url) {
    if (!out || (!in && n > 0) || n > (SIZE_MAX - 3) / 4) return 0;
    size_t len = url ? PROVA_BASE64URL_LEN(n) : PROVA_BASE64_LEN(n);
    if (cap < len || len == 0) {
        if (cap > 0 && len == 0) out[0] = '\0';
        return 0;
    }
    const int variant = url ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : sodium_base64_VARIANT_ORIGINAL;
    const uint8_t *p = in;
    if (cap > len) {
        sodium_bin2base64(out, cap, p, n, variant);
        return len;
    }
    /* No room for the NUL that sodium_bin2base64 always writes: every group of three bytes but the last goes
     * straight to out, the last one (1 to 3 bytes, 2 to 4 characters) through a small buffer. */
    size_t head = (n - 1) / 3 * 3, head_len = head / 3 * 4;
    char tail[5];
    if (head > 0) sodium_bin2base64(out, cap, p, head, variant);
    sodium_bin2base64(tail, sizeof tail, p + head, n - head, variant);
    memcpy(out + head_len, tail, len - head_len);
    sodium_memzero(tail, sizeof tail);
    return len;
}

size_t prova_base64_encode(const void *in, size_t n, char *out, size_t cap) {
    return b64_encode(in, n, out, cap, false);
}

size_t prova_base64url_encode(const void *in, size_t n, char *out, size_t cap) {
    return b64_encode(in, n, out, cap, true);
}

/* SPEC: RFC 4648 §3.5: "decoders MAY chose to reject an encoding if the pad bits have not been set to zero" —
 * we do, and we reject everything else §3.3 allows us to (characters outside the alphabet, whitespace). */
static int b64_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr, bool url,
                      bool secret) {
    if (!ret_len || (!in && n > 0) || (!out && cap > 0)) return PROVA_EINVAL;
    size_t pad = 0;
    while (pad < n && in[n - 1 - pad] == '=') pad++;
    size_t data = n - pad;
    /* Pass 1: the alphabet. */
    for (size_t i = 0; i < data; i++) {
        unsigned c = (unsigned char)in[i];
        if ((secret ? b64_value(c, url) : b64_value_public(c, url)) > 63u)
            return fail(reterr, PROVA_ESYNTAX, "base64_invalid", "character outside the alphabet", i, true);
    }
    size_t rem = data % 4;
    if (rem == 1)
        return fail(reterr, PROVA_ESYNTAX, "base64_invalid", "truncated base64 (one dangling character)", data - 1,
                    true);
    size_t want_pad = rem == 0 ? 0 : 4 - rem;
    if (pad > 0 && pad != want_pad) {
        size_t at = pad > want_pad ? data + want_pad : n;
        return fail(reterr, PROVA_ESYNTAX, "base64_invalid", "wrong base64 padding", at, true);
    }
    if (!url && pad != want_pad)
        return fail(reterr, PROVA_ESYNTAX, "base64_invalid", "missing base64 padding", n, true);
    if (rem != 0) {
        unsigned last = b64_value((unsigned char)in[data - 1], url);
        unsigned mask = rem == 2 ? 0x0Fu : 0x03u;
        if ((last & mask) != 0)
            return fail(reterr, PROVA_ESYNTAX, "base64_invalid", "non-zero trailing bits", data - 1, true);
    }
    size_t need = data / 4 * 3 + (rem == 0 ? 0 : rem - 1);
    if (cap < need) {
        *ret_len = need;
        return fail(reterr, PROVA_ENOSPACE, "no_space", "output buffer too small", 0, false);
    }
    if (!secret) { /* Pass 2, public text: valid characters, room for every byte. */
        uint8_t *o = out;
        size_t i = 0;
        for (; i + 4 <= data; i += 4) {
            uint32_t v = b64_value_public((unsigned char)in[i], url) << 18 |
                         b64_value_public((unsigned char)in[i + 1], url) << 12 |
                         b64_value_public((unsigned char)in[i + 2], url) << 6 |
                         b64_value_public((unsigned char)in[i + 3], url);
            *o++ = (uint8_t)(v >> 16);
            *o++ = (uint8_t)(v >> 8);
            *o++ = (uint8_t)v;
        }
        if (rem >= 2) {
            uint32_t v = b64_value_public((unsigned char)in[i], url) << 18 |
                         b64_value_public((unsigned char)in[i + 1], url) << 12 |
                         (rem == 3 ? b64_value_public((unsigned char)in[i + 2], url) << 6 : 0u);
            *o++ = (uint8_t)(v >> 16);
            if (rem == 3) *o++ = (uint8_t)(v >> 8);
        }
        *ret_len = need;
        return 0;
    }
    /* Pass 2: decode the characters before the padding (valid, and room for every byte: libsodium cannot fail). */
    size_t w = 0;
    const int variant = url ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    if (need > 0 && PROVA_NEVER(sodium_base642bin(out, cap, in, data, NULL, &w, NULL, variant) != 0 || w != need))
        return fail(reterr, PROVA_ECRYPTO, "crypto_backend", "the base64 decoder failed", 0, false);
    *ret_len = need;
    return 0;
}

int prova_base64_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    return b64_decode(in, n, out, cap, ret_len, reterr, false, true);
}

int prova__base64_decode_public(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    return b64_decode(in, n, out, cap, ret_len, reterr, false, false);
}

int prova_base64url_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    return b64_decode(in, n, out, cap, ret_len, reterr, true, true);
}

int prova__base64url_decode_public(const char *in, size_t n, void *out, size_t cap, size_t *ret_len,
                                   prova_error *reterr) {
    return b64_decode(in, n, out, cap, ret_len, reterr, true, false);
}

/* ---- constant time and wiping ------------------------------------------------------------------------------ */

bool prova_ct_equal(const void *a, const void *b, size_t n) {
    if (n == 0) return true;
    if (!a || !b) return false;
    return sodium_memcmp(a, b, n) == 0;
}

void prova_mem_wipe(void *p, size_t n) {
    if (p && n) sodium_memzero(p, n);
}

/* ---- helpers for the library (codec.h) ------------------------------------------------------------------------ */

int prova__hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int prova__base64_value(int c, bool url) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

bool prova__is_hex(const char *s, size_t n, bool lower_only) {
    /* Branch-free per character, one test per string (a receipt build checks several 64-digit hashes). */
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        unsigned lc = c | 0x20u; /* 'A'-'F' -> 'a'-'f' */
        bool digit = c - '0' < 10u, lower = c - 'a' < 6u, upper = !lower_only && lc - 'a' < 6u && c < 'a';
        bad |= !(digit | lower | upper);
    }
    return !bad;
}

/* Appends an encoding of len characters (plus room for the encoders' NUL, which is not kept). */
static int buf_encode(prova_buf *out, const void *in, size_t n, size_t len,
                      size_t (*enc)(const void *, size_t, char *, size_t)) {
    if (!out || (!in && n > 0)) return PROVA_EINVAL;
    if (n == 0) return 0;
    if (len == SIZE_MAX) return PROVA_ENOMEM;
    int r = prova_buf_reserve(out, len + 1);
    if (r < 0) return r;
    if (PROVA_NEVER(enc(in, n, (char *)out->data + out->len, len + 1) != len)) return PROVA_EINVAL;
    out->len += len;
    return 0;
}

int prova__buf_hex(prova_buf *out, const void *in, size_t n) {
    return buf_encode(out, in, n, n > (SIZE_MAX - 1) / 2 ? SIZE_MAX : PROVA_HEX_LEN(n), prova_hex_encode);
}

int prova__buf_base64(prova_buf *out, const void *in, size_t n, bool url) {
    size_t len = n > (SIZE_MAX - 3) / 4 ? SIZE_MAX : url ? PROVA_BASE64URL_LEN(n) : PROVA_BASE64_LEN(n);
    return buf_encode(out, in, n, len, url ? prova_base64url_encode : prova_base64_encode);
}

int prova__buf_base64_decode(prova_buf *out, const char *in, size_t n, bool url, prova_error *reterr) {
    if (!out || (!in && n > 0)) return fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument", 0, false);
    size_t cap = n / 4 * 3 + 3, got = 0;
    int r = prova_buf_reserve(out, cap);
    if (r < 0) return fail(reterr, r, "out_of_memory", "out of memory", 0, false);
    r = b64_decode(in, n, out->data + out->len, cap, &got, reterr, url, true);
    if (r < 0) return r;
    out->len += got;
    return 0;
}
