/* Key formats: JWK (RFC 7517, RFC 8037 OKP, RFC 7518 EC), PEM (RFC 7468: SPKI, PKCS#8, SEC1), DER SPKI
 * (RFC 5280, RFC 8410), text detection, key files and JWKS.
 *
 * Every loader extracts raw components and hands them to prova__key_build() (sign.c), which performs every
 * check; nothing here trusts OpenSSL's decoders to have validated a key. Buffers that held private material are
 * wiped on every path. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "key_internal.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"

#define KEY_FILE_MAX ((size_t)1 << 20) /* 1 MiB */
#define PEM_MAX      ((size_t)1 << 20)
#define JWK_MAX      ((size_t)1 << 20)

static bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims ASCII whitespace; returns the start and sets *n to the trimmed length. */
static const char *trim(const char *s, size_t *n, size_t *ret_lead) {
    size_t a = 0, b = *n;
    while (a < b && is_space((unsigned char)s[a])) a++;
    while (b > a && is_space((unsigned char)s[b - 1])) b--;
    *n = b - a;
    if (ret_lead) *ret_lead = a;
    return s + a;
}

/* ---- from an OpenSSL key ------------------------------------------------------------------------------- */

static int sig_alg_of_evp(const EVP_PKEY *pkey, prova_sig_alg *ret, prova_error *reterr) {
    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        *ret = PROVA_SIG_ED25519;
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "ED448")) {
        *ret = PROVA_SIG_ED448;
        return 0;
    }
    if (!EVP_PKEY_is_a(pkey, "EC"))
        return prova__crypto_fail(reterr, PROVA_EUNSUPPORTED, "key_unsupported_type",
                                  "unsupported key type (want Ed25519, Ed448 or EC P-256/P-384/P-521)", 0, false);
    char group[64];
    size_t glen = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen) == 1) {
        for (int a = PROVA_SIG_ECDSA_P256; a <= PROVA_SIG_ECDSA_P521; a++) {
            const prova__sig_info *si = prova__sig_info_get((prova_sig_alg)a);
            if (strcmp(group, si->ossl_group) == 0 || strcmp(group, si->nist_group) == 0) {
                *ret = (prova_sig_alg)a;
                return 0;
            }
        }
    }
    ERR_clear_error();
    return prova__crypto_fail(reterr, PROVA_EUNSUPPORTED, "key_wrong_curve",
                              "EC key on an unsupported curve (want P-256, P-384 or P-521 by name)", 0, false);
}

static bool bn_param_fixed(const EVP_PKEY *pkey, const char *param, uint8_t *out, size_t len) {
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1 || !bn) return false;
    bool ok = BN_bn2binpad(bn, out, (int)len) == (int)len;
    BN_clear_free(bn);
    return ok;
}

int prova__key_from_evp(EVP_PKEY *pkey, bool want_private, prova_key **ret_key, prova_error *reterr) {
    if (!pkey || !ret_key) return PROVA_EINVAL;
    prova_sig_alg alg;
    int r = sig_alg_of_evp(pkey, &alg, reterr);
    if (r < 0) return r;
    const prova__sig_info *si = prova__sig_info_get(alg);
    uint8_t pub[PROVA__PUB_MAX];
    uint8_t priv[PROVA__PRIV_MAX];
    bool have_pub = false, have_priv = false;
    if (si->coord_len == 0) {
        size_t n = si->pub_len;
        have_pub = EVP_PKEY_get_raw_public_key(pkey, pub, &n) == 1 && n == si->pub_len;
        if (want_private) {
            n = si->priv_len;
            have_priv = EVP_PKEY_get_raw_private_key(pkey, priv, &n) == 1 && n == si->priv_len;
        }
    } else {
        pub[0] = 0x04;
        have_pub = bn_param_fixed(pkey, OSSL_PKEY_PARAM_EC_PUB_X, pub + 1, si->coord_len) &&
                   bn_param_fixed(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, pub + 1 + si->coord_len, si->coord_len);
        if (want_private) have_priv = bn_param_fixed(pkey, OSSL_PKEY_PARAM_PRIV_KEY, priv, si->priv_len);
    }
    ERR_clear_error();
    if (want_private && !have_priv) {
        r = prova__crypto_fail(reterr, PROVA_EKEY, "key_invalid_private", "the private key could not be read", 0,
                               false);
    } else if (!have_pub && !have_priv) {
        r = prova__crypto_fail(reterr, PROVA_EKEY, "key_invalid_public", "the public key could not be read", 0, false);
    } else {
        r = prova__key_build(alg, have_pub ? pub : NULL, si->pub_len, have_priv ? priv : NULL, si->priv_len, ret_key,
                             reterr);
    }
    prova_mem_wipe(priv, sizeof priv);
    return r;
}

/* ---- JWK: read ----------------------------------------------------------------------------------------- */

static int jwk_fail(prova_error *reterr, int status, const char *reason, const char *message, const char *member) {
    prova__crypto_fail(reterr, status, reason, message, 0, false);
    if (reterr && member) {
        size_t n = strlen(member);
        if (n + 2 > sizeof reterr->pointer) n = sizeof reterr->pointer - 2;
        reterr->pointer[0] = '/';
        memcpy(reterr->pointer + 1, member, n);
        reterr->pointer[n + 1] = '\0';
    }
    return status;
}

/* Decodes member `name` (base64url, no padding) into exactly `want` bytes. *present tells whether it was there;
 * a missing member is an error only when required. */
static int jwk_bytes(const prova_json *jwk, const char *name, uint8_t *out, size_t want, bool required, bool *present,
                     prova_error *reterr) {
    const prova_json *v = prova_json_get(jwk, name);
    *present = false;
    if (!v) {
        if (!required) return 0;
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_missing_member", "a required JWK member is missing", name);
    }
    if (!prova_json_is_string(v))
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_coordinate", "a JWK key parameter is not a string", name);
    const char *s = prova_json_str(v);
    size_t n = prova_json_len(v);
    /* SPEC: RFC 7515 §2: base64url "with all trailing '=' characters omitted". */
    if (memchr(s, '=', n))
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_coordinate", "JWK base64url must not be padded", name);
    size_t got = 0;
    int r = prova_base64url_decode(s, n, out, want, &got, NULL);
    if (r == PROVA_ENOSPACE || (r == 0 && got != want)) {
        prova_mem_wipe(out, want);
        return jwk_fail(reterr, PROVA_EKEY, "jwk_bad_coordinate", "a JWK key parameter has the wrong length", name);
    }
    if (r < 0)
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_coordinate", "a JWK key parameter is not base64url", name);
    *present = true;
    return 0;
}

int prova_key_from_jwk_value(const prova_json *jwk, prova_key **ret_key, prova_error *reterr) {
    if (!jwk || !ret_key) return PROVA_EINVAL;
    if (!prova_json_is_object(jwk))
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_not_object", "a JWK must be a JSON object", NULL);
    const prova_json *kty = prova_json_get(jwk, "kty");
    const prova_json *crv = prova_json_get(jwk, "crv");
    /* A JWKS where one key was expected: say so, rather than that "kty" is missing. */
    if (!kty && prova_json_is_array(prova_json_get(jwk, "keys")))
        return jwk_fail(reterr, PROVA_ESYNTAX, "key_is_jwks", "a JWKS (a set of keys under \"keys\"), not a single key",
                        NULL);
    if (!kty) return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_missing_member", "a required JWK member is missing", "kty");
    if (!prova_json_is_string(kty))
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_member", "JWK \"kty\" is not a string", "kty");
    bool okp = prova_json_str_eq(kty, "OKP"), ec = prova_json_str_eq(kty, "EC");
    if (!okp && !ec)
        return jwk_fail(reterr, PROVA_EUNSUPPORTED, "jwk_unsupported_kty", "unsupported JWK \"kty\" (want OKP or EC)",
                        "kty");
    if (!crv) return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_missing_member", "a required JWK member is missing", "crv");
    if (!prova_json_is_string(crv))
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_member", "JWK \"crv\" is not a string", "crv");
    const prova__sig_info *si = NULL;
    for (int a = 0; a < PROVA_SIG_ALG_COUNT; a++) {
        const prova__sig_info *t = prova__sig_info_get((prova_sig_alg)a);
        if (prova_json_str_eq(kty, t->jwk_kty) && prova_json_str_eq(crv, t->jwk_crv)) si = t;
    }
    if (!si)
        return jwk_fail(reterr, PROVA_EUNSUPPORTED, "jwk_unsupported_crv",
                        okp ? "unsupported OKP curve (want Ed25519 or Ed448)"
                            : "unsupported EC curve (want P-256, P-384 or P-521)",
                        "crv");

    /* Optional members with fixed meanings. */
    const prova_json *alg = prova_json_get(jwk, "alg");
    if (alg && !(prova_json_str_eq(alg, si->jwk_alg) || (okp && prova_json_str_eq(alg, si->jwk_crv))))
        return jwk_fail(reterr, PROVA_EKEY, "jwk_alg_mismatch", "JWK \"alg\" does not match the key's curve", "alg");
    const prova_json *use = prova_json_get(jwk, "use");
    if (use && !prova_json_str_eq(use, "sig"))
        return jwk_fail(reterr, PROVA_EKEY, "jwk_bad_use", "JWK \"use\" is not \"sig\"", "use");
    const prova_json *kid = prova_json_get(jwk, "kid");
    if (kid && !(prova_json_is_string(kid) && prova__kid_valid(prova_json_str(kid), prova_json_len(kid))))
        return jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_kid", "JWK \"kid\" must be 1 to 127 printable ASCII characters",
                        "kid");

    uint8_t pub[PROVA__PUB_MAX];
    uint8_t priv[PROVA__PRIV_MAX];
    bool have_x = false, have_y = false, have_d = false;
    size_t xlen = si->coord_len ? si->coord_len : si->pub_len;
    int r = jwk_bytes(jwk, "x", si->coord_len ? pub + 1 : pub, xlen, true, &have_x, reterr);
    if (r == 0 && si->coord_len) {
        pub[0] = 0x04;
        r = jwk_bytes(jwk, "y", pub + 1 + si->coord_len, si->coord_len, true, &have_y, reterr);
    }
    if (r == 0) r = jwk_bytes(jwk, "d", priv, si->priv_len, false, &have_d, reterr);
    if (r == 0) {
        prova_key *k = NULL;
        prova_error e = {0};
        r = prova__key_build(si->alg, pub, si->pub_len, have_d ? priv : NULL, si->priv_len, &k, &e);
        if (r == PROVA_EKEY && e.reason) {
            if (strcmp(e.reason, "key_mismatch") == 0)
                r = jwk_fail(reterr, r, "jwk_key_mismatch", "JWK \"d\" does not match \"x\"/\"y\"", "d");
            else if (strcmp(e.reason, "key_invalid_private") == 0)
                r = jwk_fail(reterr, r, "jwk_bad_coordinate", "JWK \"d\" is not a valid private key", "d");
            else
                r = jwk_fail(reterr, r, "jwk_bad_coordinate", "JWK \"x\"/\"y\" is not a valid point of the curve", "x");
        } else if (r < 0) {
            if (reterr && e.reason) *reterr = e;
        } else {
            if (kid && prova_key_set_kid(k, prova_json_str(kid)) < 0) { /* cannot fail: checked above */
                prova_key_free(k);
                r = jwk_fail(reterr, PROVA_ESYNTAX, "jwk_bad_kid", "JWK \"kid\" is not valid", "kid");
            } else {
                *ret_key = k;
            }
        }
    }
    prova_mem_wipe(priv, sizeof priv);
    return r;
}

int prova_key_from_jwk(const void *json, size_t len, prova_key **ret_key, prova_error *reterr) {
    if (!json || !ret_key) return PROVA_EINVAL;
    /* A JWK is a small flat object: tight limits keep a hostile "key" from costing more than a key. */
    prova_parse_options opts;
    memset(&opts, 0, sizeof opts);
    opts.max_depth = 16;
    opts.max_size = JWK_MAX;
    opts.flags = PROVA_PARSE_SECRET; /* "d" is decoded into the document: wipe it on free */
    prova_doc *doc = NULL;
    int r = prova_json_parse(json, len, &opts, &doc, reterr);
    if (r < 0) return r;
    r = prova_key_from_jwk_value(prova_doc_root(doc), ret_key, reterr);
    prova_doc_free(doc);
    return r;
}

/* ---- JWK: write ---------------------------------------------------------------------------------------- */

static int put(prova_buf *o, const char *s) {
    return prova_buf_append(o, s, strlen(s));
}

/* No copy on the stack to wipe: the encoding goes straight into o. n > 0 (an empty key part is a bug). */
static int put_b64url(prova_buf *o, const uint8_t *b, size_t n) {
    return PROVA_NEVER(n == 0) ? PROVA_EINVAL : prova__buf_base64(o, b, n, true);
}

/* A JSON string of printable ASCII (the kid): only '"' and '\' need escaping. */
static int put_ascii_string(prova_buf *o, const char *s) {
    int r = put(o, "\"");
    for (const char *p = s; r == 0 && *p; p++) {
        if (*p == '"' || *p == '\\') r = prova_buf_append(o, "\\", 1);
        if (r == 0) r = prova_buf_append(o, p, 1);
    }
    if (r == 0) r = put(o, "\"");
    return r;
}

/* Members in code point order: alg, crv, d, kid, kty, use, x, y. */
static int jwk_write(const prova_key *key, bool include_private, prova_buf *out) {
    const prova__sig_info *si = prova__sig_info_get(key->alg);
    if (!si) return PROVA_EINVAL;
    bool priv = include_private && key->is_private;
    /* Reserve everything first, so that the secret is never left behind in a buffer freed by a realloc. */
    int r = prova_buf_reserve(out, 1024);
    if (r == 0) r = put(out, "{\"alg\":\"");
    if (r == 0) r = put(out, si->jwk_alg);
    if (r == 0) r = put(out, "\",\"crv\":\"");
    if (r == 0) r = put(out, si->jwk_crv);
    if (r == 0) r = put(out, "\"");
    if (r == 0 && priv) {
        r = put(out, ",\"d\":\"");
        if (r == 0) r = put_b64url(out, key->priv, key->priv_len);
        if (r == 0) r = put(out, "\"");
    }
    if (r == 0) r = put(out, ",\"kid\":");
    if (r == 0) r = put_ascii_string(out, key->kid);
    if (r == 0) r = put(out, ",\"kty\":\"");
    if (r == 0) r = put(out, si->jwk_kty);
    if (r == 0) r = put(out, "\",\"use\":\"sig\",\"x\":\"");
    if (si->coord_len == 0) {
        if (r == 0) r = put_b64url(out, key->pub, key->pub_len);
        if (r == 0) r = put(out, "\"}");
    } else {
        if (r == 0) r = put_b64url(out, key->pub + 1, si->coord_len);
        if (r == 0) r = put(out, "\",\"y\":\"");
        if (r == 0) r = put_b64url(out, key->pub + 1 + si->coord_len, si->coord_len);
        if (r == 0) r = put(out, "\"}");
    }
    return r;
}

int prova_key_to_jwk(const prova_key *key, bool include_private, prova_buf *out) {
    if (!key || !out) return PROVA_EINVAL;
    size_t start = out->len;
    int r = jwk_write(key, include_private, out);
    if (r < 0) {
        if (out->data && out->len > start) prova_mem_wipe(out->data + start, out->len - start);
        out->len = start;
    }
    return r;
}

int prova_key_to_jwks(const prova_key *const *keys, size_t n, prova_buf *out) {
    if (!out || (!keys && n > 0)) return PROVA_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!keys[i]) return PROVA_EINVAL;
    size_t start = out->len;
    int r = put(out, "{\"keys\":[");
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i > 0) r = put(out, ",");
        if (r == 0) r = jwk_write(keys[i], false, out);
    }
    if (r == 0) r = put(out, "]}");
    if (r < 0) out->len = start;
    return r;
}

/* ---- SPKI (DER) ---------------------------------------------------------------------------------------- */

int prova_key_from_spki_der(const void *der, size_t len, prova_key **ret_key, prova_error *reterr) {
    if (!der || !ret_key) return PROVA_EINVAL;
    if (len == 0 || len > PROVA__SPKI_MAX)
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "spki_invalid", "not a DER SubjectPublicKeyInfo", 0, false);
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY_ex(NULL, &p, (long)len, NULL, NULL);
    int r;
    if (!pkey || p != (const unsigned char *)der + len)
        r = prova__crypto_fail(reterr, PROVA_ESYNTAX, "spki_invalid", "not a DER SubjectPublicKeyInfo", 0, false);
    else
        r = prova__key_from_evp(pkey, false, ret_key, reterr);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return r;
}

int prova_key_from_spki_hex(const char *hex, size_t len, prova_key **ret_key, prova_error *reterr) {
    if (!hex || !ret_key) return PROVA_EINVAL;
    uint8_t der[PROVA__SPKI_MAX];
    size_t n = 0;
    int r = prova_hex_decode(hex, len, der, sizeof der, &n, reterr);
    if (r == PROVA_ENOSPACE)
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "spki_invalid", "too long for a SubjectPublicKeyInfo", 0,
                                  false);
    if (r < 0) return r;
    return prova_key_from_spki_der(der, n, ret_key, reterr);
}

int prova_key_to_spki_der(const prova_key *key, prova_buf *out) {
    if (!key || !out || !key->pkey) return PROVA_EINVAL;
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key->pkey, &der);
    if (n <= 0) {
        ERR_clear_error();
        return PROVA_ECRYPTO;
    }
    int r = prova_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    return r;
}

/* ---- PEM ----------------------------------------------------------------------------------------------- */

/* SPEC: RFC 7468 §2: lines of exactly 64 base64 characters except the last; LF line endings. */
static int pem_write(prova_buf *out, const char *label, const uint8_t *der, size_t n) {
    size_t lines = (n + 47) / 48;
    /* "-----BEGIN " label "-----\n" body "-----END " label "-----\n": reserved at once, so that a private key
     * is never left behind in a buffer that a later realloc frees */
    size_t total = 2 * (strlen(label) + 17) + PROVA_BASE64_LEN(n) + lines;
    int r = prova_buf_reserve(out, total);
    if (r == 0) r = put(out, "-----BEGIN ");
    if (r == 0) r = put(out, label);
    if (r == 0) r = put(out, "-----\n");
    for (size_t i = 0; r == 0 && i < n; i += 48) {
        size_t chunk = n - i < 48 ? n - i : 48;
        size_t el = PROVA_BASE64_LEN(chunk);
        if (PROVA_NEVER(out->cap - out->len < el + 1) || /* reserved above */
            prova_base64_encode(der + i, chunk, (char *)out->data + out->len, el) != el)
            r = PROVA_ECRYPTO;
        if (r == 0) {
            out->len += el;
            r = prova_buf_append(out, "\n", 1);
        }
    }
    if (r == 0) r = put(out, "-----END ");
    if (r == 0) r = put(out, label);
    if (r == 0) r = put(out, "-----\n");
    return r;
}

int prova_key_to_pem(const prova_key *key, bool include_private, prova_buf *out) {
    if (!key || !out || !key->pkey) return PROVA_EINVAL;
    size_t start = out->len;
    int r;
    if (include_private && key->is_private) {
        unsigned char *der = NULL;
        size_t n = 0;
        OSSL_ENCODER_CTX *ec =
            OSSL_ENCODER_CTX_new_for_pkey(key->pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", NULL);
        if (!ec || OSSL_ENCODER_CTX_get_num_encoders(ec) == 0 || OSSL_ENCODER_to_data(ec, &der, &n) != 1 || !der) {
            r = PROVA_ECRYPTO;
        } else {
            r = pem_write(out, "PRIVATE KEY", der, n);
        }
        OSSL_ENCODER_CTX_free(ec);
        if (der) OPENSSL_clear_free(der, n);
    } else {
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(key->pkey, &der);
        r = n > 0 ? pem_write(out, "PUBLIC KEY", der, (size_t)n) : PROVA_ECRYPTO;
        OPENSSL_free(der);
    }
    ERR_clear_error();
    if (r < 0) {
        if (out->data && out->len > start) prova_mem_wipe(out->data + start, out->len - start);
        out->len = start;
    }
    return r;
}

static EVP_PKEY *pem_decode_der(const char *label, const unsigned char *der, long n, bool *ret_private,
                                prova_error *reterr, int *ret_status) {
    const unsigned char *p = der;
    EVP_PKEY *pkey = NULL;
    *ret_status = 0;
    if (strcmp(label, "PUBLIC KEY") == 0) {
        *ret_private = false;
        pkey = d2i_PUBKEY_ex(NULL, &p, n, NULL, NULL);
    } else if (strcmp(label, "PRIVATE KEY") == 0) {
        *ret_private = true;
        PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, n);
        if (p8) pkey = EVP_PKCS82PKEY_ex(p8, NULL, NULL);
        PKCS8_PRIV_KEY_INFO_free(p8); /* cleanses the key octets */
    } else if (strcmp(label, "EC PRIVATE KEY") == 0) {
        *ret_private = true;
        pkey = d2i_PrivateKey_ex(EVP_PKEY_EC, NULL, &p, n, NULL, NULL);
    } else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
        *ret_status = prova__crypto_fail(reterr, PROVA_EUNSUPPORTED, "pem_encrypted",
                                         "encrypted private keys are not supported; decrypt it first", 0, false);
        return NULL;
    } else {
        *ret_status =
            prova__crypto_fail(reterr, PROVA_EUNSUPPORTED, "pem_unsupported_label",
                               "unsupported PEM label (want PUBLIC KEY, PRIVATE KEY or EC PRIVATE KEY)", 0, false);
        return NULL;
    }
    if (pkey && p != der + n) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    if (!pkey)
        *ret_status =
            prova__crypto_fail(reterr, PROVA_ESYNTAX, "pem_invalid", "the PEM body is not a valid key", 0, false);
    return pkey;
}

int prova_key_from_pem(const void *pem, size_t len, prova_key **ret_key, prova_error *reterr) {
    if (!pem || !ret_key) return PROVA_EINVAL;
    if (len > PEM_MAX) return prova__crypto_fail(reterr, PROVA_ELIMIT, "pem_too_large", "PEM text too large", 0, false);
    size_t n = len;
    const char *t = trim(pem, &n, NULL);
    static const char begin[] = "-----BEGIN ";
    if (n < sizeof begin + 5 || memcmp(t, begin, sizeof begin - 1) != 0 || memcmp(t + n - 5, "-----", 5) != 0 ||
        memchr(t, '\0', n))
        return prova__crypto_fail(reterr, PROVA_ESYNTAX, "pem_invalid", "not a PEM block", 0, false);
    /* Exactly one block: no second BEGIN line. */
    for (size_t i = 1; i + 10 <= n; i++) {
        if (t[i] == '-' && memcmp(t + i, "-----BEGIN", 10) == 0)
            return prova__crypto_fail(reterr, PROVA_ESYNTAX, "pem_invalid", "more than one PEM block", 0, false);
    }
    BIO *bio = BIO_new_mem_buf(t, (int)n);
    if (!bio) return prova__crypto_fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory", 0, false);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    int r;
    /* PEM_FLAG_SECURE: the decoded body lives in (and is wiped from) OpenSSL's secure heap.
     * PEM_FLAG_ONLY_B64: no RFC 1421 headers (legacy encrypted keys). */
    if (PEM_read_bio_ex(bio, &name, &header, &data, &dlen, PEM_FLAG_SECURE | PEM_FLAG_ONLY_B64) != 1 || dlen <= 0) {
        r = prova__crypto_fail(reterr, PROVA_ESYNTAX, "pem_invalid", "malformed PEM", 0, false);
    } else {
        bool priv = false;
        EVP_PKEY *pkey = pem_decode_der(name, data, dlen, &priv, reterr, &r);
        if (pkey) r = prova__key_from_evp(pkey, priv, ret_key, reterr);
        EVP_PKEY_free(pkey);
    }
    if (data) OPENSSL_secure_clear_free(data, (size_t)(dlen > 0 ? dlen : 0));
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    BIO_free(bio);
    ERR_clear_error();
    return r;
}

/* ---- text detection ------------------------------------------------------------------------------------ */

int prova_key_from_text(const void *text, size_t len, prova_key **ret_key, prova_error *reterr) {
    if (!text || !ret_key) return PROVA_EINVAL;
    size_t n = len, lead = 0;
    const char *t = trim(text, &n, &lead);
    if (n > 0 && t[0] == '{') return prova_key_from_jwk(text, len, ret_key, reterr);
    if (n >= 10 && memcmp(t, "-----BEGIN", 10) == 0) return prova_key_from_pem(text, len, ret_key, reterr);
    if (n > 0 && prova__is_hex(t, n, false)) {
        int r;
        if (n == 2 * PROVA_ED25519_PUBLICKEYBYTES) {
            uint8_t pk[PROVA_ED25519_PUBLICKEYBYTES];
            size_t got = 0;
            r = prova_hex_decode(t, n, pk, sizeof pk, &got, reterr);
            if (r == 0) r = prova__key_build(PROVA_SIG_ED25519, pk, sizeof pk, NULL, 0, ret_key, reterr);
        } else {
            r = prova_key_from_spki_hex(t, n, ret_key, reterr);
        }
        if (r < 0 && reterr && reterr->line == 1) {
            reterr->offset += lead;
            reterr->column += lead;
        }
        return r;
    }
    return prova__crypto_fail(reterr, PROVA_ESYNTAX, "key_unrecognized_format",
                              "not a key in a known format (JWK, PEM, hex DER SPKI, hex Ed25519 public key)", 0, false);
}

/* ---- key files ----------------------------------------------------------------------------------------- */

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += (size_t)w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync the directory holding path, so that the rename itself is durable. Best effort on filesystems that do
 * not support it (EINVAL). */
static int sync_parent(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash) {
        dir = strdup(".");
    } else if (slash == path) {
        dir = strdup("/");
    } else {
        dir = strndup(path, (size_t)(slash - path));
    }
    if (!dir) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0) return -1;
    int r = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return (r < 0 && errno != EINVAL) ? -1 : 0;
}

int prova_key_save_file(const prova_key *key, const char *path) {
    if (!key || !path || !*path) return PROVA_EINVAL;
    prova_buf buf = PROVA_BUF_INIT;
    int r = prova_key_to_jwk(key, true, &buf);
    if (r == 0) r = prova_buf_append(&buf, "\n", 1);
    if (r < 0) {
        if (buf.data) prova_mem_wipe(buf.data, buf.cap);
        prova_buf_free(&buf);
        return r;
    }
    /* A unique temporary name beside the target (path.tmp.<16 hex>), so a file left by a crash never blocks the
     * next save, and O_EXCL|O_NOFOLLOW never writes through something another user put there. */
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 5 + 1 + 16 + 1);
    if (!tmp) {
        prova_mem_wipe(buf.data, buf.cap);
        prova_buf_free(&buf);
        return PROVA_ENOMEM;
    }
    uint8_t rnd[8];
    prova_random_fill(rnd, sizeof rnd);
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp.", 5);
    prova_hex_encode(rnd, sizeof rnd, tmp + pl + 5, 17);

    r = PROVA_EIO;
    int saved = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        saved = errno;
    } else {
        if (write_all(fd, buf.data, buf.len) < 0 || fsync(fd) < 0) {
            saved = errno;
            close(fd);
        } else if (close(fd) < 0) {
            saved = errno;
        } else if (rename(tmp, path) < 0) {
            saved = errno;
        } else {
            r = sync_parent(path) < 0 ? PROVA_EIO : 0;
            saved = errno;
        }
        if (r < 0 && saved != 0) unlink(tmp); /* no-op after a successful rename */
    }
    prova_mem_wipe(buf.data, buf.cap);
    prova_buf_free(&buf);
    free(tmp);
    if (r < 0) errno = saved;
    return r;
}

int prova_key_load_file(const char *path, prova_key **ret_key, prova_error *reterr) {
    if (!path || !ret_key) return PROVA_EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return prova__crypto_fail(reterr, PROVA_EIO, "key_file_unreadable", "cannot open the key file", 0, false);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return prova__crypto_fail(reterr, PROVA_EIO, "key_file_unreadable", "cannot stat the key file", 0, false);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return prova__crypto_fail(reterr, PROVA_EIO, "key_file_not_regular", "the key file is not a regular file", 0,
                                  false);
    }
    if ((uintmax_t)st.st_size > KEY_FILE_MAX) {
        close(fd);
        return prova__crypto_fail(reterr, PROVA_ELIMIT, "key_file_too_large", "the key file is larger than 1 MiB", 0,
                                  false);
    }
    size_t cap = (size_t)st.st_size + 1; /* +1 to notice a file that grew past its stat size */
    uint8_t *data = malloc(cap);
    if (!data) {
        close(fd);
        return prova__crypto_fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory", 0, false);
    }
    size_t n = 0;
    int r = 0;
    for (;;) {
        if (n == cap) {
            if (cap > KEY_FILE_MAX) {
                r = prova__crypto_fail(reterr, PROVA_ELIMIT, "key_file_too_large", "the key file is larger than 1 MiB",
                                       0, false);
                break;
            }
            size_t ncap = cap * 2 > KEY_FILE_MAX + 1 ? KEY_FILE_MAX + 1 : cap * 2;
            uint8_t *nd = malloc(ncap);
            if (!nd) {
                r = prova__crypto_fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory", 0, false);
                break;
            }
            memcpy(nd, data, n);
            prova_mem_wipe(data, cap);
            free(data);
            data = nd;
            cap = ncap;
        }
        ssize_t got = read(fd, data + n, cap - n);
        if (got < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            r = prova__crypto_fail(reterr, PROVA_EIO, "key_file_unreadable", "cannot read the key file", 0, false);
            errno = e;
            break;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    int e = errno;
    close(fd);
    errno = e;
    if (r == 0) r = prova_key_from_text(data, n, ret_key, reterr);
    prova_mem_wipe(data, cap);
    free(data);
    return r;
}

/* Appends one public JWK with a "status" member. prova_key_to_jwk writes members in code point order and always
 * ends with "use" then the coordinates, so "status" (between "kty" and "use") goes right before ",\"use\":". */
int prova_key_to_jwk_status(const prova_key *k, const char *status, prova_buf *out) {
    if (!k || !status || !out) return PROVA_EINVAL;
    prova_buf j = PROVA_BUF_INIT;
    int r = prova_key_to_jwk(k, false, &j);
    const char *use = NULL;
    for (size_t i = 0; r == 0 && i + 7 <= j.len; i++)
        if (memcmp(j.data + i, ",\"use\":", 7) == 0) {
            use = (const char *)j.data + i;
            break;
        }
    if (r == 0 && !use) r = PROVA_EINVAL;
    if (r == 0) {
        size_t head = (size_t)(use - (const char *)j.data);
        r = prova_buf_append(out, j.data, head);
        if (r == 0) r = prova_buf_append(out, ",\"status\":\"", 11);
        if (r == 0) r = prova_buf_append(out, status, strlen(status));
        if (r == 0) r = prova_buf_append(out, "\"", 1);
        if (r == 0) r = prova_buf_append(out, j.data + head, j.len - head);
    }
    prova_buf_free(&j);
    return r;
}
