/* A tiny command-line face on prova's crypto API, for the differential tests crypto_cross.py (Python
 * cryptography) and crypto_cross.js (Node crypto). Not installed.
 *
 *   crypto_driver keygen ALG OUT                 new private key -> OUT (a 0600 JWK key file); prints the kid
 *   crypto_driver export KEYFILE FORMAT          FORMAT: jwk | jwk-private | pem | pem-private | spki-hex |
 *                                                raw-hex | kid | alg
 *   crypto_driver sign KEYFILE MSGHEX            prints the signature (hex)
 *   crypto_driver verify KEYFILE MSGHEX SIGHEX   prints "valid" (exit 0) or "invalid" (exit 1)
 *   crypto_driver hash ALG HEX                   prints the digest (hex)
 *   crypto_driver hmac KEYHEX MSGHEX             prints HMAC-SHA256 (hex)
 *
 * KEYFILE is anything prova_key_load_file() reads (JWK, PEM, hex SPKI, hex raw Ed25519 public key). A hex
 * argument of "-" means "read raw bytes from standard input". Errors go to stderr as
 * "error: <status> <reason>", exit status 2. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prova/crypto.h"
#include "prova/encoding.h"

static int fail(int status, const char *reason) {
    fprintf(stderr, "error: %s %s\n", prova_status_name(status), reason ? reason : "");
    return 2;
}

/* Decodes a hex argument (or stdin for "-") into a new buffer; *ret_n gets the length. NULL on error. */
static uint8_t *arg_bytes(const char *arg, size_t *ret_n) {
    if (strcmp(arg, "-") == 0) {
        size_t cap = 4096, n = 0;
        uint8_t *b = malloc(cap);
        while (b) {
            if (n == cap) {
                uint8_t *nb = realloc(b, cap * 2);
                if (!nb) {
                    free(b);
                    return NULL;
                }
                b = nb;
                cap *= 2;
            }
            size_t got = fread(b + n, 1, cap - n, stdin);
            n += got;
            if (got == 0) break;
        }
        *ret_n = n;
        return b;
    }
    size_t len = strlen(arg);
    uint8_t *b = malloc(len / 2 + 1);
    if (!b) return NULL;
    prova_error err;
    if (prova_hex_decode(arg, len, b, len / 2 + 1, ret_n, &err) != 0) {
        fprintf(stderr, "error: bad hex argument (%s at %zu)\n", err.reason, err.offset);
        free(b);
        return NULL;
    }
    return b;
}

static void print_hex(const uint8_t *b, size_t n) {
    char *h = malloc(2 * n + 1);
    if (!h) return;
    prova_hex_encode(b, n, h, 2 * n + 1);
    h[2 * n] = '\0';
    printf("%s\n", h);
    free(h);
}

static int load(const char *path, prova_key **k) {
    prova_error err;
    memset(&err, 0, sizeof err);
    int r = prova_key_load_file(path, k, &err);
    if (r < 0) return fail(r, err.reason);
    return 0;
}

static int cmd_keygen(const char *alg_name, const char *out) {
    prova_sig_alg alg;
    if (prova_sig_lookup(alg_name, &alg) != 0) return fail(PROVA_EUNSUPPORTED, "unknown algorithm");
    prova_key *k = NULL;
    int r = prova_key_generate(alg, &k);
    if (r < 0) return fail(r, "keygen");
    r = prova_key_save_file(k, out);
    if (r == 0) printf("%s\n", prova_key_kid(k));
    prova_key_free(k);
    return r < 0 ? fail(r, "save") : 0;
}

static int cmd_export(const char *path, const char *format) {
    prova_key *k = NULL;
    if (load(path, &k)) return 2;
    prova_buf b = PROVA_BUF_INIT;
    int r = 0;
    if (strcmp(format, "jwk") == 0 || strcmp(format, "jwk-private") == 0) {
        r = prova_key_to_jwk(k, strcmp(format, "jwk-private") == 0, &b);
        if (r == 0) printf("%.*s\n", (int)b.len, (const char *)b.data);
    } else if (strcmp(format, "pem") == 0 || strcmp(format, "pem-private") == 0) {
        r = prova_key_to_pem(k, strcmp(format, "pem-private") == 0, &b);
        if (r == 0) fwrite(b.data, 1, b.len, stdout);
    } else if (strcmp(format, "spki-hex") == 0) {
        r = prova_key_to_spki_der(k, &b);
        if (r == 0) print_hex(b.data, b.len);
    } else if (strcmp(format, "raw-hex") == 0) {
        uint8_t raw[200];
        size_t n = prova_key_public_raw(k, raw, sizeof raw);
        if (n == 0)
            r = PROVA_ECRYPTO;
        else
            print_hex(raw, n);
    } else if (strcmp(format, "kid") == 0) {
        printf("%s\n", prova_key_kid(k));
    } else if (strcmp(format, "alg") == 0) {
        printf("%s\n", prova_sig_name(prova_key_alg(k)));
    } else {
        r = PROVA_EINVAL;
    }
    if (b.data) prova_mem_wipe(b.data, b.cap);
    prova_buf_free(&b);
    prova_key_free(k);
    return r < 0 ? fail(r, "export") : 0;
}

static int cmd_sign(const char *path, const char *msghex) {
    prova_key *k = NULL;
    if (load(path, &k)) return 2;
    size_t n = 0;
    uint8_t *msg = arg_bytes(msghex, &n);
    if (!msg) {
        prova_key_free(k);
        return 2;
    }
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t sl = 0;
    int r = prova_key_sign(k, msg, n, sig, &sl);
    if (r == 0) print_hex(sig, sl);
    free(msg);
    prova_key_free(k);
    return r < 0 ? fail(r, "sign") : 0;
}

static int cmd_verify(const char *path, const char *msghex, const char *sighex) {
    prova_key *k = NULL;
    if (load(path, &k)) return 2;
    size_t n = 0, sl = 0;
    uint8_t *msg = arg_bytes(msghex, &n);
    uint8_t *sig = msg ? arg_bytes(sighex, &sl) : NULL;
    int rc = 2;
    if (msg && sig) {
        int r = prova_key_verify(k, msg, n, sig, sl);
        if (r == 0) {
            printf("valid\n");
            rc = 0;
        } else if (r == PROVA_EVERIFY) {
            printf("invalid\n");
            rc = 1;
        } else {
            rc = fail(r, "verify");
        }
    }
    free(msg);
    free(sig);
    prova_key_free(k);
    return rc;
}

static int cmd_hash(const char *alg_name, const char *hex) {
    prova_hash_alg alg;
    if (prova_hash_lookup(alg_name, &alg) != 0) return fail(PROVA_EUNSUPPORTED, "unknown hash");
    size_t n = 0;
    uint8_t *data = arg_bytes(hex, &n);
    if (!data) return 2;
    uint8_t d[PROVA_HASH_MAX_BYTES];
    int r = prova_hash_compute(alg, data, n, d);
    free(data);
    if (r < 0) return fail(r, "hash");
    print_hex(d, prova_hash_size(alg));
    return 0;
}

static int cmd_hmac(const char *keyhex, const char *msghex) {
    size_t kn = 0, mn = 0;
    uint8_t *key = arg_bytes(keyhex, &kn);
    uint8_t *msg = key ? arg_bytes(msghex, &mn) : NULL;
    int rc = 2;
    if (key && msg) {
        uint8_t mac[PROVA_HMAC_SHA256_BYTES];
        int r = prova_hmac_sha256_compute(key, kn, msg, mn, mac);
        if (r == 0) {
            print_hex(mac, sizeof mac);
            rc = 0;
        } else {
            rc = fail(r, "hmac");
        }
    }
    free(key);
    free(msg);
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "keygen") == 0) return cmd_keygen(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "export") == 0) return cmd_export(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "sign") == 0) return cmd_sign(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "verify") == 0) return cmd_verify(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "hash") == 0) return cmd_hash(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "hmac") == 0) return cmd_hmac(argv[2], argv[3]);
    fprintf(stderr, "usage: crypto_driver keygen ALG OUT | export KEYFILE FORMAT | sign KEYFILE MSGHEX |\n"
                    "       verify KEYFILE MSGHEX SIGHEX | hash ALG HEX | hmac KEYHEX MSGHEX\n");
    return 2;
}
