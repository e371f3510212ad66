/* Internal to src/lib/crypto: the layout of struct prova_key, the algorithm table and helpers shared by
 * encoding.c, hash.c, sign.c and key_io.c. Not installed; nothing here is exported.
 *
 * Every key, whatever it was loaded from (raw bytes, JWK, PEM, SPKI, generated), is built by one function,
 * prova__key_build(), from its raw components. That is where every check lives (lengths, point on the curve,
 * private part matching the public part), so no loader can skip one. */
#ifndef PROVA_CRYPTO_KEY_INTERNAL_H
#define PROVA_CRYPTO_KEY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "internal.h" /* core: codec, PROVA_NEVER */
#include "prova/crypto.h"
#include "prova/encoding.h"

#define PROVA__PUB_MAX   133U /* uncompressed P-521 point: 04 || X(66) || Y(66) */
#define PROVA__PRIV_MAX  66U  /* P-521 scalar; Ed448 seed is 57, Ed25519 seed 32 */
#define PROVA__COORD_MAX 66U  /* P-521 coordinate */
#define PROVA__SPKI_MAX  512U /* far above the largest SPKI we accept (P-521: 158 bytes) */

/* One row per signature algorithm. The table drives names, JWK members, OpenSSL names and sizes. */
typedef struct prova__sig_info {
    prova_sig_alg alg;
    const char *name;       /* "ed25519", "ecdsa-p256" ... (prova_sig_name) */
    const char *jwk_kty;    /* "OKP" or "EC" */
    const char *jwk_crv;    /* "Ed25519", "Ed448", "P-256", "P-384", "P-521" */
    const char *jwk_alg;    /* "EdDSA", "ES256", "ES384", "ES512" */
    const char *ossl_type;  /* OpenSSL key type: "ED25519", "ED448", "EC" */
    const char *ossl_group; /* OpenSSL group name for EC ("prime256v1" ...), NULL for OKP */
    const char *nist_group; /* NIST name of the EC group ("P-256" ...), NULL for OKP */
    const char *digest;     /* ECDSA digest ("SHA256" ...); NULL for EdDSA (pure, no pre-hash) */
    size_t pub_len;         /* raw public key: 32, 57, or 1 + 2 * coord_len */
    size_t priv_len;        /* seed (32, 57) or scalar (32, 48, 66) */
    size_t coord_len;       /* EC coordinate length (32, 48, 66); 0 for OKP */
    size_t sig_max;         /* largest signature: 64, 114, DER 72 / 104 / 139 */
} prova__sig_info;

/* The row for alg, or NULL when alg is out of range. */
const prova__sig_info *prova__sig_info_get(prova_sig_alg alg);

/* The key. Secret members (priv, ed25519_sk) are wiped by prova_key_free() and on every failed build. */
struct prova_key {
    prova_sig_alg alg;
    bool is_private;
    size_t pub_len;
    size_t priv_len;               /* 0 for a public key */
    uint8_t pub[PROVA__PUB_MAX];   /* raw public key (Ed) or 04||X||Y (EC) */
    uint8_t priv[PROVA__PRIV_MAX]; /* SECRET: Ed seed or EC scalar (big-endian, fixed length) */
    uint8_t ed25519_sk[64];        /* SECRET: libsodium's seed||pk, Ed25519 private keys only */
    EVP_PKEY *pkey;                /* OpenSSL key (all algorithms: formats; Ed448/ECDSA: sign and verify) */
    char kid[PROVA_KID_MAX];       /* NUL-terminated; default computed at build time */
};

/* Builds a key from raw components and checks all of them:
 *  - Ed25519: pub 32 bytes (canonical, on the curve, not of small order), priv = 32-byte seed;
 *  - Ed448:   pub 57 bytes (decodes to a curve point, not of small order), priv = 57-byte seed;
 *  - ECDSA:   pub = 04||X||Y (on the curve, in the group), priv = scalar in [1, n-1], fixed length.
 * pub may be NULL when priv is given (it is derived); when both are given they must match (PROVA_EKEY
 * "key_mismatch"). kid (NULL = the default) must pass prova_key_set_kid()'s rules.
 * Returns 0, PROVA_EKEY ("key_invalid_public", "key_invalid_private", "key_mismatch"), PROVA_EINVAL,
 * PROVA_ENOMEM or PROVA_ECRYPTO; on failure *ret_key is untouched. */
int prova__key_build(prova_sig_alg alg, const uint8_t *pub, size_t pub_len, const uint8_t *priv, size_t priv_len,
                     prova_key **ret_key, prova_error *reterr);

/* (key_io.c) Builds a key from an OpenSSL key of a supported type, through prova__key_build(). With
 * want_private the private part must be present and is kept; without, only the public part is used.
 * PROVA_EUNSUPPORTED ("key_unsupported_type", "key_wrong_curve") for other keys. */
int prova__key_from_evp(EVP_PKEY *pkey, bool want_private, prova_key **ret_key, prova_error *reterr);

/* True when kid is 1..PROVA_KID_MAX-1 bytes of printable ASCII (0x20..0x7E). */
bool prova__kid_valid(const char *kid, size_t len);

/* Fills reterr (when not NULL) and returns status. has_pos: the error has a byte offset into a one-line input
 * (line 1, column offset + 1). */
static inline int prova__crypto_fail(prova_error *reterr, int status, const char *reason, const char *message,
                                     size_t offset, bool has_pos) {
    if (reterr) {
        reterr->status = status;
        reterr->reason = reason;
        reterr->message = message;
        reterr->offset = has_pos ? offset : 0;
        reterr->line = has_pos ? 1 : 0;
        reterr->column = has_pos ? offset + 1 : 0;
        reterr->pointer[0] = '\0';
    }
    return status;
}

#endif /* PROVA_CRYPTO_KEY_INTERNAL_H */
