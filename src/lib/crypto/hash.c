/* Hashes by name (SHA-2 and SHA-3 from OpenSSL libcrypto), HMAC-SHA256 and the OS CSPRNG.
 *
 * SPEC: FIPS 180-4 (SHA-256/384/512), FIPS 202 (SHA3-256/384/512: Keccak with the SHA-3 padding, not the
 * original Keccak-256), RFC 2104 / RFC 4231 (HMAC). */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init & co.: see prova_hash_compute */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "key_internal.h"
#include "prova/crypto.h"

typedef struct hash_info {
    prova_hash_alg alg;
    const char *name;
    size_t size;
    const EVP_MD *(*md)(void);
} hash_info;

/* Indexed by prova_hash_alg. */
static const hash_info hash_table[PROVA_HASH_ALG_COUNT] = {
    {PROVA_HASH_SHA256, "sha256", PROVA_SHA256_BYTES, EVP_sha256},
    {PROVA_HASH_SHA384, "sha384", PROVA_SHA384_BYTES, EVP_sha384},
    {PROVA_HASH_SHA512, "sha512", PROVA_SHA512_BYTES, EVP_sha512},
    {PROVA_HASH_SHA3_256, "sha3-256", 32U, EVP_sha3_256},
    {PROVA_HASH_SHA3_384, "sha3-384", 48U, EVP_sha3_384},
    {PROVA_HASH_SHA3_512, "sha3-512", 64U, EVP_sha3_512},
};

static const hash_info *hash_get(prova_hash_alg alg) {
    unsigned i = (unsigned)alg;
    return i < PROVA_HASH_ALG_COUNT ? &hash_table[i] : NULL;
}

const char *prova_hash_name(prova_hash_alg alg) {
    const hash_info *h = hash_get(alg);
    return h ? h->name : NULL;
}

int prova_hash_lookup(const char *name, prova_hash_alg *ret) {
    if (!name || !ret) return PROVA_EINVAL;
    for (size_t i = 0; i < PROVA_HASH_ALG_COUNT; i++) {
        if (strcmp(name, hash_table[i].name) == 0) {
            *ret = hash_table[i].alg;
            return 0;
        }
    }
    return PROVA_EUNSUPPORTED;
}

size_t prova_hash_size(prova_hash_alg alg) {
    const hash_info *h = hash_get(alg);
    return h ? h->size : 0;
}

int prova_hash_compute(prova_hash_alg alg, const void *data, size_t len, uint8_t out[PROVA_HASH_MAX_BYTES]) {
    const hash_info *h = hash_get(alg);
    if (!h || !out || (!data && len > 0)) return PROVA_EINVAL;
    /* SHA-2 through OpenSSL's low-level API (deprecated in OpenSSL 3, not removed; src/lib/tlog/merkle.c does the
     * same): the same assembly (SHA-NI) without EVP's implicit digest fetch per call, which costs ~0.3 us, a third
     * of hashing a 1 KB payload (the CID of every envelope). The state on the stack is wiped after, as
     * EVP_MD_CTX_free does. */
    if (alg == PROVA_HASH_SHA256) {
        SHA256_CTX c;
        int ok = SHA256_Init(&c) == 1 && (len == 0 || SHA256_Update(&c, data, len) == 1) && SHA256_Final(out, &c) == 1;
        OPENSSL_cleanse(&c, sizeof c);
        return ok ? 0 : PROVA_ECRYPTO;
    }
    if (alg == PROVA_HASH_SHA384 || alg == PROVA_HASH_SHA512) {
        SHA512_CTX c;
        bool is384 = alg == PROVA_HASH_SHA384;
        int ok = (is384 ? SHA384_Init(&c) : SHA512_Init(&c)) == 1 && (len == 0 || SHA512_Update(&c, data, len) == 1) &&
                 (is384 ? SHA384_Final(out, &c) : SHA512_Final(out, &c)) == 1;
        OPENSSL_cleanse(&c, sizeof c);
        return ok ? 0 : PROVA_ECRYPTO;
    }
    unsigned int outlen = 0;
    if (EVP_Digest(data ? data : "", len, out, &outlen, h->md(), NULL) != 1 || outlen != h->size) return PROVA_ECRYPTO;
    return 0;
}

int prova_hash_compute_hex(prova_hash_alg alg, const void *data, size_t len, char out[2 * PROVA_HASH_MAX_BYTES + 1]) {
    if (!out) return PROVA_EINVAL;
    uint8_t d[PROVA_HASH_MAX_BYTES];
    int r = prova_hash_compute(alg, data, len, d);
    if (r < 0) return r;
    size_t n = prova_hash_size(alg);
    if (prova_hex_encode(d, n, out, 2 * PROVA_HASH_MAX_BYTES + 1) != 2 * n) return PROVA_ECRYPTO;
    return 0;
}

/* ---- streaming ----------------------------------------------------------------------------------------- */

struct prova_hash_ctx {
    const hash_info *h;
    EVP_MD_CTX *md;
    EVP_MD *fetched; /* fetched once: an implicit fetch per EVP_DigestInit_ex costs as much as hashing 200 bytes */
};

int prova_hash_new(prova_hash_alg alg, prova_hash_ctx **ret_ctx) {
    const hash_info *h = hash_get(alg);
    if (!h || !ret_ctx) return PROVA_EINVAL;
    prova_hash_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return PROVA_ENOMEM;
    ctx->h = h;
    ctx->md = EVP_MD_CTX_new();
    ctx->fetched = EVP_MD_fetch(NULL, EVP_MD_get0_name(h->md()), NULL);
    if (!ctx->md || !ctx->fetched) {
        prova_hash_free(ctx);
        return PROVA_ENOMEM;
    }
    if (EVP_DigestInit_ex2(ctx->md, ctx->fetched, NULL) != 1) {
        prova_hash_free(ctx);
        return PROVA_ECRYPTO;
    }
    *ret_ctx = ctx;
    return 0;
}

int prova_hash_once(prova_hash_ctx *ctx, const void *data, size_t len, uint8_t out[PROVA_HASH_MAX_BYTES]) {
    if (!ctx || !out || (!data && len > 0)) return PROVA_EINVAL;
    unsigned int outlen = 0;
    if (EVP_DigestInit_ex2(ctx->md, ctx->fetched, NULL) != 1 || EVP_DigestUpdate(ctx->md, data ? data : "", len) != 1 ||
        EVP_DigestFinal_ex(ctx->md, out, &outlen) != 1 || outlen != ctx->h->size)
        return PROVA_ECRYPTO;
    return 0;
}

int prova_hash_update(prova_hash_ctx *ctx, const void *data, size_t len) {
    if (!ctx || (!data && len > 0)) return PROVA_EINVAL;
    if (len == 0) return 0;
    return EVP_DigestUpdate(ctx->md, data, len) == 1 ? 0 : PROVA_ECRYPTO;
}

/* Frees ctx whatever the outcome (except PROVA_EINVAL for a NULL out, where ctx stays usable). */
int prova_hash_final(prova_hash_ctx *ctx, uint8_t out[PROVA_HASH_MAX_BYTES]) {
    if (!ctx || !out) return PROVA_EINVAL;
    unsigned int outlen = 0;
    int ok = EVP_DigestFinal_ex(ctx->md, out, &outlen) == 1 && outlen == ctx->h->size;
    prova_hash_free(ctx);
    return ok ? 0 : PROVA_ECRYPTO;
}

prova_hash_ctx *prova_hash_free(prova_hash_ctx *ctx) {
    if (!ctx) return NULL;
    EVP_MD_CTX_free(ctx->md); /* EVP_MD_CTX_free cleanses the digest state */
    EVP_MD_free(ctx->fetched);
    free(ctx);
    return NULL;
}

/* ---- HMAC ---------------------------------------------------------------------------------------------- */

int prova_hmac_sha256_compute(const void *key, size_t keylen, const void *data, size_t len,
                              uint8_t out[PROVA_HMAC_SHA256_BYTES]) {
    if (!out || (!key && keylen > 0) || (!data && len > 0)) return PROVA_EINVAL;
    /* OpenSSL's HMAC treats a NULL key as "keep the previous key", so an empty key must be a real pointer. */
    static const uint8_t empty[1] = {0};
    size_t outlen = 0;
    unsigned char *r = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key ? key : empty, keylen, data ? data : empty,
                                 len, out, PROVA_HMAC_SHA256_BYTES, &outlen);
    if (!r || outlen != PROVA_HMAC_SHA256_BYTES) return PROVA_ECRYPTO;
    return 0;
}

/* ---- random -------------------------------------------------------------------------------------------- */

void prova_random_fill(void *buf, size_t n) {
    if (!buf || n == 0) return;
    /* sodium_init() is idempotent and thread-safe; randombytes_buf() works even if it failed (it then reads
     * the OS generator directly), and aborts rather than return weak bytes. */
    int init = sodium_init();
    (void)init;
    randombytes_buf(buf, n);
}
