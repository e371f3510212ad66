/* Strict hex, base64 (RFC 4648 §4) and base64url (RFC 4648 §5); constant-time equality; wiping.
 *
 * Decoders carry secrets (JWK "d", PEM bodies), so the mapping between characters and values is branch-free:
 * the time taken depends on the length of the input and on where the first error is, never on the value of a
 * valid character. The technique (mask arithmetic on bytes) is the one libsodium's codecs use.
 *
 * Every decoder validates the whole input before it writes a byte, so on failure the caller's buffer is
 * untouched. */
#include <string.h>

#include <sodium.h>

#include "key_internal.h"
#include "prova/encoding.h"

/* ---- Branch-free byte predicates: each returns 0xFF when true, 0x00 when false; x, y in 0..255. ------------ */

static unsigned ct_eq(unsigned x, unsigned y) { return (((0u - (x ^ y)) >> 8) & 0xFFu) ^ 0xFFu; }
static unsigned ct_gt(unsigned x, unsigned y) { return ((y - x) >> 8) & 0xFFu; }
static unsigned ct_ge(unsigned x, unsigned y) { return ct_gt(y, x) ^ 0xFFu; }
static unsigned ct_lt(unsigned x, unsigned y) { return ct_gt(y, x); }
static unsigned ct_le(unsigned x, unsigned y) { return ct_ge(y, x); }

/* ---- hex --------------------------------------------------------------------------------------------------- */

static char hex_char(unsigned nibble) {
    /* '0'..'9' for 0..9, 'a'..'f' for 10..15, without a branch on the value. */
    unsigned c = nibble + 0x30u + (ct_gt(nibble, 9u) & (0x61u - 0x3Au));
    return (char)c;
}

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
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_char((unsigned)p[i] >> 4);
        out[2 * i + 1] = hex_char((unsigned)p[i] & 0x0Fu);
    }
    if (cap > len) out[len] = '\0';
    return len;
}

int prova_hex_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    if (!ret_len || (!in && n > 0) || (!out && cap > 0)) return PROVA_EINVAL;
    /* Pass 1: validate. */
    for (size_t i = 0; i < n; i++) {
        if (hex_value((unsigned char)in[i]) > 0x0Fu)
            return prova__crypto_fail(reterr, PROVA_ESYNTAX, "hex_invalid", "not a hexadecimal digit", i, true);
    }
    if (n % 2 != 0)
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "hex_invalid", "odd number of hexadecimal digits", n, true);
    size_t need = n / 2;
    if (cap < need) {
        *ret_len = need;
        return prova__crypto_fail(reterr, PROVA_ENOSPACE, "no_space", "output buffer too small", 0, false);
    }
    /* Pass 2: decode. */
    uint8_t *o = out;
    for (size_t i = 0; i < need; i++) {
        unsigned hi = hex_value((unsigned char)in[2 * i]);
        unsigned lo = hex_value((unsigned char)in[2 * i + 1]);
        o[i] = (uint8_t)((hi << 4) | lo);
    }
    *ret_len = need;
    return 0;
}

/* ---- base64 / base64url ------------------------------------------------------------------------------------ */

/* 62 and 63 map to '+' '/' (standard) or '-' '_' (url). */
static char b64_char(unsigned x, bool url) {
    unsigned c62 = url ? 0x2Du : 0x2Bu;
    unsigned c63 = url ? 0x5Fu : 0x2Fu;
    unsigned c = (ct_lt(x, 26u) & (x + 0x41u)) | (ct_ge(x, 26u) & ct_lt(x, 52u) & (x + (0x61u - 26u))) |
                 (ct_ge(x, 52u) & ct_lt(x, 62u) & (x - (52u - 0x30u))) | (ct_eq(x, 62u) & c62) | (ct_eq(x, 63u) & c63);
    return (char)c;
}

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

static size_t b64_encode(const void *in, size_t n, char *out, size_t cap, bool url) {
    if (!out || (!in && n > 0) || n > (SIZE_MAX - 3) / 4) return 0;
    size_t len = url ? PROVA_BASE64URL_LEN(n) : PROVA_BASE64_LEN(n);
    if (cap < len || len == 0) {
        if (cap > 0 && len == 0) out[0] = '\0';
        return 0;
    }
    const uint8_t *p = in;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8) | p[i + 2];
        out[o++] = b64_char((v >> 18) & 63u, url);
        out[o++] = b64_char((v >> 12) & 63u, url);
        out[o++] = b64_char((v >> 6) & 63u, url);
        out[o++] = b64_char(v & 63u, url);
    }
    size_t rem = n - i;
    if (rem == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = b64_char((v >> 18) & 63u, url);
        out[o++] = b64_char((v >> 12) & 63u, url);
        if (!url) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (rem == 2) {
        uint32_t v = ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8);
        out[o++] = b64_char((v >> 18) & 63u, url);
        out[o++] = b64_char((v >> 12) & 63u, url);
        out[o++] = b64_char((v >> 6) & 63u, url);
        if (!url) out[o++] = '=';
    }
    if (cap > len) out[len] = '\0';
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
static int b64_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr, bool url) {
    if (!ret_len || (!in && n > 0) || (!out && cap > 0)) return PROVA_EINVAL;
    size_t pad = 0;
    while (pad < n && in[n - 1 - pad] == '=') pad++;
    size_t data = n - pad;
    /* Pass 1: the alphabet. */
    for (size_t i = 0; i < data; i++) {
        if (b64_value((unsigned char)in[i], url) > 63u)
            return prova__crypto_fail(reterr, PROVA_ESYNTAX, "base64_invalid", "character outside the alphabet", i,
                                      true);
    }
    size_t rem = data % 4;
    if (rem == 1)
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "base64_invalid", "truncated base64 (one dangling character)",
                                  data - 1, true);
    size_t want_pad = rem == 0 ? 0 : 4 - rem;
    if (pad > 0 && pad != want_pad) {
        size_t at = pad > want_pad ? data + want_pad : n;
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "base64_invalid", "wrong base64 padding", at, true);
    }
    if (!url && pad != want_pad)
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "base64_invalid", "missing base64 padding", n, true);
    if (rem != 0) {
        unsigned last = b64_value((unsigned char)in[data - 1], url);
        unsigned mask = rem == 2 ? 0x0Fu : 0x03u;
        if ((last & mask) != 0)
            return prova__crypto_fail(reterr, PROVA_ESYNTAX, "base64_invalid", "non-zero trailing bits", data - 1,
                                      true);
    }
    size_t need = data / 4 * 3 + (rem == 0 ? 0 : rem - 1);
    if (cap < need) {
        *ret_len = need;
        return prova__crypto_fail(reterr, PROVA_ENOSPACE, "no_space", "output buffer too small", 0, false);
    }
    /* Pass 2: decode. */
    uint8_t *o = out;
    size_t w = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < data; i++) {
        acc = (acc << 6) | b64_value((unsigned char)in[i], url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[w++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    prova_wipe(&acc, sizeof acc);
    *ret_len = w;
    return 0;
}

int prova_base64_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    return b64_decode(in, n, out, cap, ret_len, reterr, false);
}

int prova_base64url_decode(const char *in, size_t n, void *out, size_t cap, size_t *ret_len, prova_error *reterr) {
    return b64_decode(in, n, out, cap, ret_len, reterr, true);
}

/* ---- constant time and wiping ------------------------------------------------------------------------------ */

bool prova_ct_equal(const void *a, const void *b, size_t n) {
    if (n == 0) return true;
    if (!a || !b) return false;
    return sodium_memcmp(a, b, n) == 0;
}

void prova_wipe(void *p, size_t n) {
    if (p && n) sodium_memzero(p, n);
}
