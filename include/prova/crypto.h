/* prova/crypto.h — hashes and MACs by name, signatures by algorithm name, keys.
 *
 * Hashes: sha256, sha384, sha512, sha3-256, sha3-384, sha3-512 (OpenSSL libcrypto). HMAC-SHA256.
 * Signatures: ed25519 (libsodium; strict RFC 8032 verification), ed448, ecdsa-p256, ecdsa-p384, ecdsa-p521
 * (OpenSSL; ECDSA signatures are DER ECDSA-Sig-Value, digests SHA-256/384/512 tied to the curve).
 * Keys: prova_key holds a private or a public key of one algorithm. Load and save as JWK (RFC 8037 OKP,
 * RFC 7518 EC), PEM (SPKI / PKCS#8), DER SPKI as hex, raw Ed25519 seed / public key.
 *
 * Every function that can fail returns 0 or a negative PROVA_E* code; verification returns PROVA_EVERIFY for a
 * well-formed signature that does not verify, and PROVA_ESYNTAX / PROVA_EKEY for malformed input.
 * Secrets are wiped on every path; MACs and digests are compared in constant time.
 * Thread-safe: no global mutable state (libsodium is initialised with sodium_init(), which is idempotent and
 * thread-safe, on first use).
 */
#ifndef PROVA_CRYPTO_H
#define PROVA_CRYPTO_H

#include <stdbool.h>

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_SHA256_BYTES           32U
#define PROVA_SHA384_BYTES           48U
#define PROVA_SHA512_BYTES           64U
#define PROVA_HASH_MAX_BYTES         64U
#define PROVA_HMAC_SHA256_BYTES      32U
#define PROVA_ED25519_PUBLICKEYBYTES 32U
#define PROVA_ED25519_SEEDBYTES      32U
#define PROVA_ED25519_SIGBYTES       64U
#define PROVA_ED448_PUBLICKEYBYTES   57U
#define PROVA_ED448_SIGBYTES         114U
#define PROVA_SIG_MAX_BYTES          144U /* DER ECDSA P-521 is at most 139 bytes */
#define PROVA_KID_MAX                128U
/* The sizes above as functions, for bindings: prova_sha256_bytes() == PROVA_SHA256_BYTES, ... */
PROVA_EXPORT size_t prova_sha256_bytes(void);
PROVA_EXPORT size_t prova_sha384_bytes(void);
PROVA_EXPORT size_t prova_sha512_bytes(void);
PROVA_EXPORT size_t prova_hash_max_bytes(void);
PROVA_EXPORT size_t prova_hmac_sha256_bytes(void);
PROVA_EXPORT size_t prova_ed25519_publickeybytes(void);
PROVA_EXPORT size_t prova_ed25519_seedbytes(void);
PROVA_EXPORT size_t prova_ed25519_sigbytes(void);
PROVA_EXPORT size_t prova_ed448_publickeybytes(void);
PROVA_EXPORT size_t prova_ed448_sigbytes(void);
PROVA_EXPORT size_t prova_sig_max_bytes(void);
PROVA_EXPORT size_t prova_kid_max(void);

/* ---- Hashes -------------------------------------------------------------------------------------------- */

typedef enum prova_hash_alg {
    PROVA_HASH_SHA256 = 0,
    PROVA_HASH_SHA384,
    PROVA_HASH_SHA512,
    PROVA_HASH_SHA3_256,
    PROVA_HASH_SHA3_384,
    PROVA_HASH_SHA3_512,
} prova_hash_alg;

#define PROVA_HASH_ALG_COUNT 6
PROVA_EXPORT size_t prova_hash_alg_count(void);

/* "sha256", ... <-> enum; lookup returns 0 or PROVA_EUNSUPPORTED. prova_hash_name() returns NULL for a value
 * outside the enum. */
PROVA_EXPORT const char *prova_hash_name(prova_hash_alg alg);
PROVA_EXPORT PROVA_NODISCARD int prova_hash_lookup(const char *name, prova_hash_alg *ret);
/* Digest size in bytes (32, 48 or 64). */
PROVA_EXPORT size_t prova_hash_size(prova_hash_alg alg);

/* One-shot digest. out must have room for PROVA_HASH_MAX_BYTES (the declared array size, which compilers check);
 * prova_hash_size(alg) bytes are written. 0, PROVA_EINVAL or PROVA_ECRYPTO. */
PROVA_EXPORT PROVA_NODISCARD int prova_hash_compute(prova_hash_alg alg, const void *data, size_t len,
                                                    uint8_t out[PROVA_HASH_MAX_BYTES]);

/* Digest as lowercase hex, NUL-terminated; out must hold 2*size+1 bytes. */
PROVA_EXPORT PROVA_NODISCARD int prova_hash_compute_hex(prova_hash_alg alg, const void *data, size_t len,
                                                        char out[2 * PROVA_HASH_MAX_BYTES + 1]);

/* Streaming digest. new -> update* -> final (which also frees). free on an abandoned context. */
typedef struct prova_hash_ctx prova_hash_ctx;
PROVA_EXPORT PROVA_NODISCARD int prova_hash_new(prova_hash_alg alg, prova_hash_ctx **ret_ctx);
PROVA_EXPORT PROVA_NODISCARD int prova_hash_update(prova_hash_ctx *ctx, const void *data, size_t len);
PROVA_EXPORT PROVA_NODISCARD int prova_hash_final(prova_hash_ctx *ctx, uint8_t out[PROVA_HASH_MAX_BYTES]);
PROVA_EXPORT prova_hash_ctx *prova_hash_free(prova_hash_ctx *ctx);
/* One-shot digest with a reusable context: whatever was fed to ctx before is discarded, and ctx stays usable
 * (hashing many short messages this way avoids the per-call setup of prova_hash_compute). */
PROVA_EXPORT PROVA_NODISCARD int prova_hash_once(prova_hash_ctx *ctx, const void *data, size_t len,
                                                 uint8_t out[PROVA_HASH_MAX_BYTES]);

/* Hash of the canonical bytes of a value (or of a JSON text) under a profile: the content address of a record.
 * prova_canon_hash(v, PROVA_PROFILE_OPE, PROVA_HASH_SHA256, out, &err) is the OPE CID's digest.
 * Errors as prova_canon_write() / prova_canon_bytes(), plus PROVA_EINVAL. */
PROVA_EXPORT PROVA_NODISCARD int prova_canon_hash(const prova_json *v, prova_profile p, prova_hash_alg alg,
                                                  uint8_t out[PROVA_HASH_MAX_BYTES], prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_canon_bytes_hash(const void *data, size_t len, prova_profile p,
                                                        const prova_parse_options *opts, prova_hash_alg alg,
                                                        uint8_t out[PROVA_HASH_MAX_BYTES], prova_error *reterr);

/* HMAC-SHA256 (any key length, including 0). */
PROVA_EXPORT PROVA_NODISCARD int prova_hmac_sha256_compute(const void *key, size_t keylen, const void *data, size_t len,
                                                           uint8_t out[PROVA_HMAC_SHA256_BYTES]);

/* Fills buf with n bytes from the OS CSPRNG (libsodium randombytes). */
PROVA_EXPORT void prova_random_fill(void *buf, size_t n);

/* ---- Signature algorithms and keys --------------------------------------------------------------------- */

typedef enum prova_sig_alg {
    PROVA_SIG_ED25519 = 0,
    PROVA_SIG_ED448,
    PROVA_SIG_ECDSA_P256,
    PROVA_SIG_ECDSA_P384,
    PROVA_SIG_ECDSA_P521,
} prova_sig_alg;

#define PROVA_SIG_ALG_COUNT 5
PROVA_EXPORT size_t prova_sig_alg_count(void);

/* "ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521" <-> enum. prova_sig_name() returns NULL for a value
 * outside the enum. */
PROVA_EXPORT const char *prova_sig_name(prova_sig_alg alg);
PROVA_EXPORT PROVA_NODISCARD int prova_sig_lookup(const char *name, prova_sig_alg *ret);

typedef struct prova_key prova_key;

/* Frees a key and wipes its secret part. NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_key *prova_key_free(prova_key *key);

/* Generates a new private key. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_generate(prova_sig_alg alg, prova_key **ret_key);

/* The key's algorithm; PROVA_SIG_ALG_COUNT for NULL. */
PROVA_EXPORT prova_sig_alg prova_key_alg(const prova_key *key);
PROVA_EXPORT bool prova_key_is_private(const prova_key *key);

/* The key id: the one set with prova_key_set_kid() or loaded from a JWK "kid"; otherwise the default,
 * which for Ed25519 is "ed25519-" + the first 16 hex digits of SHA-256(raw public key)
 * (the all-zero seed gives "ed25519-139e3940e64b5491"), and for the other algorithms
 * "<alg>-" + the first 16 hex digits of SHA-256(DER SPKI). Never NULL. */
PROVA_EXPORT const char *prova_key_kid(const prova_key *key);
/* Sets the kid (1..PROVA_KID_MAX-1 printable ASCII bytes). 0 or PROVA_EINVAL. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_set_kid(prova_key *key, const char *kid);

/* Raw Ed25519 keys: a 32-byte seed (private) or a 32-byte public key. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_ed25519_seed(const uint8_t seed[PROVA_ED25519_SEEDBYTES],
                                                             prova_key **ret_key);
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_ed25519_public(const uint8_t pk[PROVA_ED25519_PUBLICKEYBYTES],
                                                               prova_key **ret_key);

/* The raw public key bytes for Ed25519/Ed448 (32/57), or the uncompressed point 04||X||Y for ECDSA.
 * Returns the length written (<= cap), or 0 if cap is too small. */
PROVA_EXPORT size_t prova_key_public_raw(const prova_key *key, uint8_t *out, size_t cap);

/* JWK. Parse accepts an object with kty OKP (crv Ed25519/Ed448, x, optional d) or EC (crv P-256/P-384/P-521,
 * x, y, optional d); every coordinate is checked (length, on the curve, d matches x/y); "kid" is kept.
 * prova_key_from_jwk_value() takes an already parsed value (e.g. one element of a JWKS "keys" array). */
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_jwk(const void *json, size_t len, prova_key **ret_key,
                                                    prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_jwk_value(const prova_json *jwk, prova_key **ret_key,
                                                          prova_error *reterr);
/* Appends the JWK (compact JSON, members in code point order) to out. With include_private and a private key,
 * writes "d" too. Always writes "kid" and "alg" ("EdDSA", "ES256", "ES384", "ES512") and "use":"sig". */
PROVA_EXPORT PROVA_NODISCARD int prova_key_to_jwk(const prova_key *key, bool include_private, prova_buf *out);
/* The public JWK with a "status" member ("active", "legacy"), as gateways publish keys in a JWKS. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_to_jwk_status(const prova_key *key, const char *status, prova_buf *out);

/* PEM: "PUBLIC KEY" (SPKI) or "PRIVATE KEY" (PKCS#8, unencrypted). Also accepts "EC PRIVATE KEY". */
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_pem(const void *pem, size_t len, prova_key **ret_key,
                                                    prova_error *reterr);
/* Appends PEM text: PKCS#8 when private and include_private, else SPKI. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_to_pem(const prova_key *key, bool include_private, prova_buf *out);

/* DER SubjectPublicKeyInfo, as bytes or as hex text (what the OpenExecution SDKs take). */
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_spki_der(const void *der, size_t len, prova_key **ret_key,
                                                         prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_spki_hex(const char *hex, size_t len, prova_key **ret_key,
                                                         prova_error *reterr);
PROVA_EXPORT PROVA_NODISCARD int prova_key_to_spki_der(const prova_key *key, prova_buf *out);

/* Loads a key from text in any supported form, detected: JWK (starts with '{'), PEM ("-----BEGIN"),
 * hex DER SPKI, 64-hex raw Ed25519 public key, 43-character base64url Ed25519 seed is NOT guessed (ambiguous). */
PROVA_EXPORT PROVA_NODISCARD int prova_key_from_text(const void *text, size_t len, prova_key **ret_key,
                                                     prova_error *reterr);

/* Sign msg. sig must hold PROVA_SIG_MAX_BYTES; *ret_len receives the length (64, 114 or DER length).
 * 0, PROVA_EKEY (not a private key), PROVA_ECRYPTO. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_sign(const prova_key *key, const void *msg, size_t len,
                                                uint8_t sig[PROVA_SIG_MAX_BYTES], size_t *ret_len);
/* Verify sig over msg with key (private keys verify with their public half). 0 when valid, PROVA_EVERIFY when
 * the signature does not verify (including wrong length or malformed DER). */
PROVA_EXPORT PROVA_NODISCARD int prova_key_verify(const prova_key *key, const void *msg, size_t len, const uint8_t *sig,
                                                  size_t siglen);

/* ---- Key files ---------------------------------------------------------------------------------------- */

/* Writes the private JWK (with a trailing newline) to path, created with mode 0600 (an existing file is replaced
 * atomically: written to a new path.tmp.<random> (O_EXCL|O_NOFOLLOW, 0600), fsync, rename, fsync of the
 * directory). 0 or PROVA_EIO (errno kept). */
PROVA_EXPORT PROVA_NODISCARD int prova_key_save_file(const prova_key *key, const char *path);
/* Reads a key file in any form prova_key_from_text() accepts. Refuses files larger than 1 MiB. */
PROVA_EXPORT PROVA_NODISCARD int prova_key_load_file(const char *path, prova_key **ret_key, prova_error *reterr);

/* Appends a JWKS {"keys":[...]} of the public halves of keys[0..n). */
PROVA_EXPORT PROVA_NODISCARD int prova_key_to_jwks(const prova_key *const *keys, size_t n, prova_buf *out);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_CRYPTO_H */
