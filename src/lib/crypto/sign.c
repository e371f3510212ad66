/* Signature algorithms by name, key construction and checks, sign and verify.
 *
 *  - ed25519: libsodium. SPEC: RFC 8032 §5.1. crypto_sign_ed25519_verify_detached() rejects a non-canonical S
 *    (S >= L), a small-order R, and a non-canonical or small-order public key; we additionally refuse, when a
 *    key is loaded, any public key that is not a canonical point of the prime-order subgroup.
 *  - ed448: OpenSSL (pure Ed448, empty context). SPEC: RFC 8032 §5.2. Public keys are decoded and checked here
 *    (RFC 8032 §5.2.3) because OpenSSL accepts any 57 bytes as an Ed448 public key.
 *  - ecdsa-p256/p384/p521: OpenSSL, SHA-256/384/512 tied to the curve, DER ECDSA-Sig-Value signatures. OpenSSL
 *    re-encodes a parsed signature and rejects it unless the bytes are identical (strict DER, no trailing data).
 *    Note that ECDSA is malleable: (r, n - s) verifies too. Callers that key on signature bytes (replay caches)
 *    must not assume uniqueness for ECDSA.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "crypto_internal.h"
#include "internal.h"
#include "key_internal.h"
#include "prova/crypto.h"
#include "prova/encoding.h"

/* Indexed by prova_sig_alg. */
static const prova__sig_info sig_table[PROVA_SIG_ALG_COUNT] = {
    {PROVA_SIG_ED25519, "ed25519", "OKP", "Ed25519", "EdDSA", "ED25519", NULL, NULL, NULL, 32U, 32U, 0U, 64U},
    {PROVA_SIG_ED448, "ed448", "OKP", "Ed448", "EdDSA", "ED448", NULL, NULL, NULL, 57U, 57U, 0U, 114U},
    {PROVA_SIG_ECDSA_P256, "ecdsa-p256", "EC", "P-256", "ES256", "EC", "prime256v1", "P-256", "SHA256", 65U, 32U, 32U,
     72U},
    {PROVA_SIG_ECDSA_P384, "ecdsa-p384", "EC", "P-384", "ES384", "EC", "secp384r1", "P-384", "SHA384", 97U, 48U, 48U,
     104U},
    {PROVA_SIG_ECDSA_P521, "ecdsa-p521", "EC", "P-521", "ES512", "EC", "secp521r1", "P-521", "SHA512", 133U, 66U, 66U,
     139U},
};

const prova__sig_info *prova__sig_info_get(prova_sig_alg alg) {
    unsigned i = (unsigned)alg;
    return i < PROVA_SIG_ALG_COUNT ? &sig_table[i] : NULL;
}

const char *prova_sig_name(prova_sig_alg alg) {
    const prova__sig_info *si = prova__sig_info_get(alg);
    return si ? si->name : NULL;
}

int prova_sig_lookup(const char *name, prova_sig_alg *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    for (size_t i = 0; i < PROVA_SIG_ALG_COUNT; i++) {
        if (strcmp(name, sig_table[i].name) == 0) {
            *ret = sig_table[i].alg;
            return 0;
        }
    }
    return PROVA_EUNSUPPORTED;
}

/* ---- key accessors ------------------------------------------------------------------------------------- */

prova_key *prova_key_free(prova_key *key) {
    if (!key) return NULL;
    EVP_PKEY_free(key->pkey); /* OpenSSL cleanses its copy of the private key */
    sodium_memzero(key, sizeof *key);
    free(key);
    return NULL;
}

/* NULL has no algorithm: PROVA_SIG_ALG_COUNT (out of range; prova_sig_name() gives NULL for it). */
prova_sig_alg prova_key_alg(const prova_key *key) {
    return key ? key->alg : (prova_sig_alg)PROVA_SIG_ALG_COUNT;
}

bool prova_key_is_private(const prova_key *key) {
    return key && key->is_private;
}

const char *prova_key_kid(const prova_key *key) {
    return key ? key->kid : "";
}

bool prova__kid_valid(const char *kid, size_t len) {
    if (!kid || len == 0 || len >= PROVA_KID_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)kid[i];
        if (c < 0x20 || c > 0x7E) return false;
    }
    return true;
}

int prova_key_set_kid(prova_key *key, const char *kid) {
    if (!key || !kid) return PROVA_EINVAL;
    size_t len = 0;
    while (len < PROVA_KID_MAX && kid[len] != '\0') len++;
    if (!prova__kid_valid(kid, len)) return PROVA_EINVAL;
    memcpy(key->kid, kid, len);
    key->kid[len] = '\0';
    return 0;
}

size_t prova_key_public_raw(const prova_key *key, uint8_t *out, size_t cap) {
    if (!key || !out || cap < key->pub_len) return 0;
    memcpy(out, key->pub, key->pub_len);
    return key->pub_len;
}

/* ---- checks -------------------------------------------------------------------------------------------- */

/* SPEC: RFC 8032 §5.2.3 (decoding): "the final octet's bits other than the most significant must be zero";
 * y < p; x^2 = (y^2 - 1) / (d y^2 - 1) must have a square root; x = 0 with the sign bit set is invalid.
 * We also refuse the four points of order dividing 4 (x = 0 or y = 0): no signature checked against them
 * means anything. Public data only, so variable time is fine. */
static bool ed448_public_ok(const uint8_t pub[PROVA_ED448_PUBLICKEYBYTES]) {
    if ((pub[56] & 0x7F) != 0) return false;
    unsigned sign = pub[56] >> 7;
    bool ok = false;
    BN_CTX *bn = BN_CTX_new();
    if (!bn) return false;
    BN_CTX_start(bn);
    BIGNUM *p = BN_CTX_get(bn), *d = BN_CTX_get(bn), *y = BN_CTX_get(bn), *y2 = BN_CTX_get(bn);
    BIGNUM *u = BN_CTX_get(bn), *v = BN_CTX_get(bn), *w = BN_CTX_get(bn), *x = BN_CTX_get(bn);
    BIGNUM *e = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    if (!t) goto done;
    /* p = 2^448 - 2^224 - 1 */
    if (!BN_set_bit(p, 448) || !BN_set_word(t, 0) || !BN_set_bit(t, 224) || !BN_sub(p, p, t) || !BN_sub_word(p, 1))
        goto done;
    /* d = -39081 mod p */
    if (!BN_copy(d, p) || !BN_sub_word(d, 39081)) goto done;
    if (!BN_lebin2bn(pub, 56, y)) goto done;
    if (BN_cmp(y, p) >= 0 || BN_is_zero(y)) goto done;
    if (!BN_mod_sqr(y2, y, p, bn)) goto done;
    if (!BN_copy(u, y2) || !BN_sub_word(u, 1)) goto done; /* y^2 - 1 (y^2 >= 1 here) */
    if (!BN_mod_mul(v, d, y2, p, bn) || !BN_sub_word(v, 1)) goto done;
    if (BN_is_negative(v) && !BN_add(v, v, p)) goto done;
    if (BN_is_zero(u)) goto done; /* y = +-1: x = 0, the identity or the point of order 2 */
    if (!BN_mod_inverse(t, v, p, bn) || !BN_mod_mul(w, u, t, p, bn)) goto done;
    /* p = 3 (mod 4): a square root of w, if any, is w^((p+1)/4). */
    if (!BN_copy(e, p) || !BN_add_word(e, 1) || !BN_rshift(e, e, 2)) goto done;
    if (!BN_mod_exp(x, w, e, p, bn) || !BN_mod_sqr(t, x, p, bn)) goto done;
    if (BN_cmp(t, w) != 0) goto done; /* not on the curve */
    if (BN_is_zero(x) && sign) goto done;
    ok = true;
done:
    BN_CTX_end(bn);
    BN_CTX_free(bn);
    ERR_clear_error();
    return ok;
}

static int nid_of(const prova__sig_info *si) {
    switch (si->alg) {
    case PROVA_SIG_ECDSA_P256:
        return NID_X9_62_prime256v1;
    case PROVA_SIG_ECDSA_P384:
        return NID_secp384r1;
    case PROVA_SIG_ECDSA_P521:
        return NID_secp521r1;
    default:
        return NID_undef;
    }
}

/* pub = 04||X||Y = d * G. priv is secret; the ladder OpenSSL uses for a generator multiple is constant time. */
static int ec_derive_public(const prova__sig_info *si, const uint8_t *priv, uint8_t *pub) {
    int r = PROVA_ECRYPTO;
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid_of(si));
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    BIGNUM *dn = BN_secure_new();
    BN_CTX *bn = BN_CTX_new();
    if (!g || !pt || !dn || !bn) goto done;
    BN_set_flags(dn, BN_FLG_CONSTTIME);
    if (!BN_bin2bn(priv, (int)si->priv_len, dn)) goto done;
    if (BN_is_zero(dn) || BN_cmp(dn, EC_GROUP_get0_order(g)) >= 0) {
        r = PROVA_EKEY;
        goto done;
    }
    if (!EC_POINT_mul(g, pt, dn, NULL, NULL, bn)) goto done;
    if (EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub, si->pub_len, bn) != si->pub_len) goto done;
    r = 0;
done:
    BN_CTX_free(bn);
    BN_clear_free(dn);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    ERR_clear_error();
    return r;
}

/* Builds the OpenSSL EC key and runs OpenSSL's full checks. 0 or a negative status with the reason set. */
static int ec_build(const prova__sig_info *si, const uint8_t *pub, const uint8_t *priv, EVP_PKEY **ret,
                    const char **ret_reason) {
    int r = PROVA_ECRYPTO;
    *ret_reason = "crypto_backend";
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    BIGNUM *dn = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY_CTX *check = NULL;
    if (!bld || !ctx) goto done;
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, si->ossl_group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, si->pub_len))
        goto done;
    if (priv) {
        dn = BN_secure_new();
        if (!dn || !BN_bin2bn(priv, (int)si->priv_len, dn)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, dn)) goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    if (!params) goto done;
    if (EVP_PKEY_fromdata_init(ctx) != 1) goto done;
    if (EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
        /* The point did not decode (not on the curve, wrong form). */
        r = PROVA_EKEY;
        *ret_reason = "key_invalid_public";
        goto done;
    }
    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!check) goto done;
    if (EVP_PKEY_public_check(check) != 1) {
        r = PROVA_EKEY;
        *ret_reason = "key_invalid_public";
        goto done;
    }
    if (priv) {
        if (EVP_PKEY_private_check(check) != 1) {
            r = PROVA_EKEY;
            *ret_reason = "key_invalid_private";
            goto done;
        }
        if (EVP_PKEY_pairwise_check(check) != 1) {
            r = PROVA_EKEY;
            *ret_reason = "key_mismatch";
            goto done;
        }
    }
    *ret = pkey;
    pkey = NULL;
    r = 0;
done:
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* the secure part (the scalar) is cleansed */
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(dn);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return r;
}

/* "<prefix>" + first 16 hex digits of SHA-256(bytes). */
static int kid_from_hash(char kid[PROVA_KID_MAX], const char *prefix, const uint8_t *bytes, size_t n) {
    uint8_t h[PROVA_HASH_MAX_BYTES];
    int r = prova_hash_compute(PROVA_HASH_SHA256, bytes, n, h);
    if (r < 0) return r;
    size_t pl = strlen(prefix);
    memcpy(kid, prefix, pl);
    if (prova_hex_encode(h, 8, kid + pl, PROVA_KID_MAX - pl) != 16) return PROVA_ECRYPTO;
    kid[pl + 16] = '\0';
    return 0;
}

static int default_kid(prova_key *k, const prova__sig_info *si) {
    char prefix[32];
    size_t nl = strlen(si->name);
    memcpy(prefix, si->name, nl);
    prefix[nl] = '-';
    prefix[nl + 1] = '\0';
    /* SPEC: prova: Ed25519 kid = "ed25519-" + hex(SHA-256(raw public key))[:16] (the OPE v1 convention). */
    if (si->alg == PROVA_SIG_ED25519) return kid_from_hash(k->kid, prefix, k->pub, k->pub_len);
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pkey, &der);
    if (n <= 0) {
        ERR_clear_error();
        return PROVA_ECRYPTO;
    }
    int r = kid_from_hash(k->kid, prefix, der, (size_t)n);
    OPENSSL_free(der);
    return r;
}

/* ---- the one constructor ------------------------------------------------------------------------------- */

int prova__key_build(prova_sig_alg alg, const uint8_t *pub, size_t pub_len, const uint8_t *priv, size_t priv_len,
                     prova_key **ret_key, prova_error *reterr) {
    const prova__sig_info *si = prova__sig_info_get(alg);
    if (!si || !ret_key || (!pub && !priv)) return PROVA_EINVAL;
    if (pub && pub_len != si->pub_len)
        return prova__crypto_fail(reterr, PROVA_EKEY, "key_invalid_public", "public key has the wrong length", 0,
                                  false);
    if (priv && priv_len != si->priv_len)
        return prova__crypto_fail(reterr, PROVA_EKEY, "key_invalid_private", "private key has the wrong length", 0,
                                  false);
    if (sodium_init() < 0)
        return prova__crypto_fail(reterr, PROVA_ECRYPTO, "crypto_backend", "libsodium failed to initialise", 0, false);

    prova_key *k = calloc(1, sizeof *k);
    if (!k) return prova__crypto_fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory", 0, false);
    k->alg = alg;
    k->pub_len = si->pub_len;
    int r = PROVA_ECRYPTO;
    const char *reason = "crypto_backend";
    const char *message = "the crypto backend failed";
#define FAIL_WITH(status, why, sentence)                                                                               \
    do {                                                                                                               \
        r = (status);                                                                                                  \
        reason = (why);                                                                                                \
        message = (sentence);                                                                                          \
        goto fail;                                                                                                     \
    } while (0)

    switch (alg) {
    case PROVA_SIG_ED25519:
        if (priv) {
            if (crypto_sign_ed25519_seed_keypair(k->pub, k->ed25519_sk, priv) != 0) goto fail;
            if (pub && !prova_ct_equal(pub, k->pub, 32)) {
                FAIL_WITH(PROVA_EKEY, "key_mismatch", "the private key does not match the public key");
            }
            k->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, priv, 32);
        } else {
            if (!pub) FAIL_WITH(PROVA_EINVAL, "invalid_argument", "no key material");
            /* canonical encoding, on the curve, in the prime-order subgroup, not of small order */
            if (crypto_core_ed25519_is_valid_point(pub) != 1) {
                FAIL_WITH(PROVA_EKEY, "key_invalid_public", "not a valid Ed25519 public key");
            }
            memcpy(k->pub, pub, 32);
            k->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub, 32);
        }
        if (!k->pkey) goto fail;
        break;
    case PROVA_SIG_ED448:
        if (priv) {
            k->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED448", NULL, priv, 57);
            size_t n = 57;
            if (!k->pkey || EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &n) != 1 || n != 57) goto fail;
            if (pub && !prova_ct_equal(pub, k->pub, 57)) {
                FAIL_WITH(PROVA_EKEY, "key_mismatch", "the private key does not match the public key");
            }
        } else {
            if (!ed448_public_ok(pub)) {
                FAIL_WITH(PROVA_EKEY, "key_invalid_public", "not a valid Ed448 public key");
            }
            memcpy(k->pub, pub, 57);
            k->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED448", NULL, pub, 57);
            if (!k->pkey) goto fail;
        }
        break;
    default: /* ECDSA */
        if (pub) {
            if (pub[0] != 0x04) {
                FAIL_WITH(PROVA_EKEY, "key_invalid_public", "EC public key is not an uncompressed point");
            }
            memcpy(k->pub, pub, si->pub_len);
        } else {
            r = ec_derive_public(si, priv, k->pub);
            if (r < 0) {
                if (r == PROVA_EKEY) FAIL_WITH(r, "key_invalid_private", "EC private scalar out of range");
                goto fail;
            }
        }
        r = ec_build(si, k->pub, priv, &k->pkey, &reason);
        if (r < 0) {
            message = r == PROVA_EKEY ? "the EC key failed validation (point, scalar or pair)" : message;
            goto fail;
        }
        break;
    }
    if (priv) {
        memcpy(k->priv, priv, si->priv_len);
        k->priv_len = si->priv_len;
        k->is_private = true;
    }
    r = default_kid(k, si);
    if (r < 0) goto fail;
    *ret_key = k;
    return 0;
fail:
    ERR_clear_error();
    prova_key_free(k);
    if (r == PROVA_ECRYPTO) {
        reason = "crypto_backend";
        message = "the crypto backend failed";
    }
    return prova__crypto_fail(reterr, r, reason, message, 0, false);
#undef FAIL_WITH
}

int prova_key_from_ed25519_seed(const uint8_t seed[PROVA_ED25519_SEEDBYTES], prova_key **ret_key) {
    if (!seed || !ret_key) return PROVA_EINVAL;
    return prova__key_build(PROVA_SIG_ED25519, NULL, 0, seed, PROVA_ED25519_SEEDBYTES, ret_key, NULL);
}

int prova_key_from_ed25519_public(const uint8_t pk[PROVA_ED25519_PUBLICKEYBYTES], prova_key **ret_key) {
    if (!pk || !ret_key) return PROVA_EINVAL;
    return prova__key_build(PROVA_SIG_ED25519, pk, PROVA_ED25519_PUBLICKEYBYTES, NULL, 0, ret_key, NULL);
}

int prova_key_generate(prova_sig_alg alg, prova_key **ret_key) {
    const prova__sig_info *si = prova__sig_info_get(alg);
    if (!si || !ret_key) return PROVA_EINVAL;
    if (alg == PROVA_SIG_ED25519 || alg == PROVA_SIG_ED448) {
        /* EdDSA private keys are uniformly random seeds (RFC 8032 §5.1.5 step 1, §5.2.5 step 1). */
        uint8_t seed[PROVA__PRIV_MAX];
        prova_random_fill(seed, si->priv_len);
        int r = prova__key_build(alg, NULL, 0, seed, si->priv_len, ret_key, NULL);
        sodium_memzero(seed, sizeof seed);
        return r;
    }
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", si->ossl_group);
    if (!pkey) {
        ERR_clear_error();
        return PROVA_ECRYPTO;
    }
    prova_key *k = NULL;
    int r = prova__key_from_evp(pkey, true, &k, NULL);
    EVP_PKEY_free(pkey);
    if (r < 0) return r;
    if (PROVA_NEVER(k->alg != alg)) { /* OpenSSL generated the group we asked for */
        prova_key_free(k);
        return PROVA_ECRYPTO;
    }
    *ret_key = k;
    return 0;
}

/* ---- sign and verify ----------------------------------------------------------------------------------- */

int prova_key_sign(const prova_key *key, const void *msg, size_t len, uint8_t sig[PROVA_SIG_MAX_BYTES],
                   size_t *ret_len) {
    if (!key || !sig || !ret_len || (!msg && len > 0)) return PROVA_EINVAL;
    const prova__sig_info *si = prova__sig_info_get(key->alg);
    if (!si) return PROVA_EINVAL;
    if (!key->is_private) return PROVA_EKEY;
    const unsigned char *m = msg ? msg : (const unsigned char *)"";
    if (key->alg == PROVA_SIG_ED25519) {
        unsigned long long sl = 0;
        if (crypto_sign_ed25519_detached(sig, &sl, m, len, key->ed25519_sk) != 0 || sl != 64) return PROVA_ECRYPTO;
        *ret_len = 64;
        return 0;
    }
    uint8_t tmp[PROVA_SIG_MAX_BYTES];
    size_t sl = sizeof tmp;
    int r = PROVA_ECRYPTO;
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    if (!mc) return PROVA_ENOMEM;
    if (EVP_DigestSignInit_ex(mc, NULL, si->digest, NULL, NULL, key->pkey, NULL) != 1) goto done;
    if (EVP_DigestSign(mc, tmp, &sl, m, len) != 1 || sl == 0 || sl > si->sig_max) goto done;
    memcpy(sig, tmp, sl);
    *ret_len = sl;
    r = 0;
done:
    EVP_MD_CTX_free(mc);
    ERR_clear_error();
    return r;
}

int prova_key_verify(const prova_key *key, const void *msg, size_t len, const uint8_t *sig, size_t siglen) {
    return prova__verify_digest(key, NULL, msg, len, sig, siglen);
}

int prova__verify_digest(const prova_key *key, const char *ecdsa_digest, const void *msg, size_t len,
                         const uint8_t *sig, size_t siglen) {
    if (!key || (!msg && len > 0) || (!sig && siglen > 0)) return PROVA_EINVAL;
    const prova__sig_info *si = prova__sig_info_get(key->alg);
    if (!si) return PROVA_EINVAL;
    const unsigned char *m = msg ? msg : (const unsigned char *)"";
    if (key->alg == PROVA_SIG_ED25519) {
        if (siglen != PROVA_ED25519_SIGBYTES) return PROVA_EVERIFY;
        return crypto_sign_ed25519_verify_detached(sig, m, len, key->pub) == 0 ? 0 : PROVA_EVERIFY;
    }
    if (key->alg == PROVA_SIG_ED448 ? siglen != PROVA_ED448_SIGBYTES : (siglen < 8 || siglen > si->sig_max))
        return PROVA_EVERIFY;
    int r = PROVA_ECRYPTO;
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    if (!mc) return PROVA_ENOMEM;
    const char *digest = si->digest && ecdsa_digest ? ecdsa_digest : si->digest;
    if (EVP_DigestVerifyInit_ex(mc, NULL, digest, NULL, NULL, key->pkey, NULL) != 1) goto done;
    /* 1 = valid; 0 = invalid; < 0 = malformed (bad DER, wrong length): all not valid. */
    r = EVP_DigestVerify(mc, sig, siglen, m, len) == 1 ? 0 : PROVA_EVERIFY;
done:
    EVP_MD_CTX_free(mc);
    ERR_clear_error();
    return r;
}
