/* Every test case of C2SP/wycheproof's testvectors_v1 for the algorithms prova verifies (tests/data/wycheproof):
 * Ed25519, Ed448, ECDSA P-256/P-384/P-521 (DER ECDSA-Sig-Value), ECDSA P-256 as IEEE P1363 r||s, HMAC-SHA256.
 * Each case goes through prova's public API: the group's public key through prova_key_from_spki_hex(), the
 * signature through prova_key_verify(), the MAC through prova_hmac_sha256_compute() and prova_ct_equal().
 * A "valid" case must verify, an "invalid" one must not; an "acceptable" one must get the answer listed in
 * ACCEPTABLE below (docs/keys.md "Wycheproof" gives each and why) — one that is not listed fails the test, so that
 * new vectors force a decision. Prints one line of counts per file; exits non-zero on any mismatch.
 * Usage: test_wycheproof DATA_DIR (the tests/data directory). */
#include <stdlib.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"

typedef enum kind { KIND_SIG, KIND_P1363, KIND_HMAC } kind;

typedef struct vector_file {
    const char *name; /* under DATA_DIR/wycheproof, without "_test.json" */
    kind kind;
    prova_sig_alg alg;   /* KIND_SIG, KIND_P1363 */
    size_t scalar_bytes; /* KIND_P1363: the length of r and of s */
} vector_file;

static const vector_file FILES[] = {
    {"ed25519", KIND_SIG, PROVA_SIG_ED25519, 0},
    {"ed448", KIND_SIG, PROVA_SIG_ED448, 0},
    {"ecdsa_secp256r1_sha256", KIND_SIG, PROVA_SIG_ECDSA_P256, 0},
    {"ecdsa_secp256r1_sha256_p1363", KIND_P1363, PROVA_SIG_ECDSA_P256, 32},
    {"ecdsa_secp384r1_sha384", KIND_SIG, PROVA_SIG_ECDSA_P384, 0},
    {"ecdsa_secp521r1_sha512", KIND_SIG, PROVA_SIG_ECDSA_P521, 0},
    {"hmac_sha256", KIND_HMAC, PROVA_SIG_ALG_COUNT, 0},
};

/* prova's answer for each "acceptable" case: {file, tcId, accepted}. The files at C2SP/wycheproof dac1dd47 have
 * none for these algorithms (docs/keys.md "Wycheproof"). */
typedef struct acceptable {
    const char *file;
    int64_t tc_id;
    bool accepted;
} acceptable;
static const acceptable ACCEPTABLE[] = {{NULL, 0, false}};

typedef struct counts {
    size_t valid_ok, invalid_ok, acceptable_ok, mismatch, key_refused;
} counts;

static char *read_file(const char *path, size_t *ret_len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *ret_len = len;
    return buf;
}

/* Decodes the hex string member `name` of obj into a new buffer (NULL on error; an empty string gives a 1-byte
 * buffer and *ret_n 0). */
static uint8_t *hex_member(const prova_json *obj, const char *name, size_t *ret_n) {
    const prova_json *v = prova_json_get(obj, name);
    if (!prova_json_is_string(v)) return NULL;
    size_t len = prova_json_len(v);
    uint8_t *b = malloc(len / 2 + 1);
    if (b && prova_hex_decode(prova_json_str(v), len, b, len / 2 + 1, ret_n, NULL) != 0) {
        free(b);
        b = NULL;
    }
    return b;
}

/* Appends a DER INTEGER of the unsigned big-endian n bytes at p (minimal: leading zeros dropped, a 0x00 before a
 * high bit). */
static size_t der_integer(const uint8_t *p, size_t n, uint8_t *out) {
    while (n > 1 && p[0] == 0) p++, n--;
    size_t pad = p[0] & 0x80 ? 1 : 0, at = 0;
    out[at++] = 0x02;
    out[at++] = (uint8_t)(n + pad);
    if (pad) out[at++] = 0;
    memcpy(out + at, p, n);
    return at + n;
}

/* A P1363 signature (r||s, each exactly scalar_bytes long: JOSE ES256 / RFC 7518 §3.4) as DER ECDSA-Sig-Value,
 * which is what prova_key_verify() takes. False for any other length: such a signature is refused. */
static bool p1363_to_der(const uint8_t *sig, size_t n, size_t scalar_bytes, uint8_t der[PROVA_SIG_MAX_BYTES],
                         size_t *ret_len) {
    if (n != 2 * scalar_bytes || scalar_bytes > 66) return false;
    uint8_t body[2 * (2 + 1 + 66)];
    size_t len = der_integer(sig, scalar_bytes, body);
    len += der_integer(sig + scalar_bytes, scalar_bytes, body + len);
    size_t at = 0;
    der[at++] = 0x30;
    if (len >= 0x80) der[at++] = 0x81;
    der[at++] = (uint8_t)len;
    memcpy(der + at, body, len);
    *ret_len = at + len;
    return true;
}

/* prova's answer for one case: true when it verifies. */
static bool run_case(const vector_file *vf, const prova_key *key, const prova_json *group, const prova_json *tc) {
    size_t msg_n = 0, sig_n = 0;
    uint8_t *msg = hex_member(tc, "msg", &msg_n);
    uint8_t *sig = hex_member(tc, vf->kind == KIND_HMAC ? "tag" : "sig", &sig_n);
    bool ok = false;
    if (!msg || !sig) {
        CHECK_MSG(false, "%s: a test case without hex msg/sig", vf->name);
    } else if (vf->kind == KIND_HMAC) {
        /* A tag of tagSize bits: the first tagSize/8 bytes of HMAC-SHA256 (prova's formats use all 32). */
        int64_t tag_bits = 0;
        size_t key_n = 0;
        uint8_t *k = hex_member(tc, "key", &key_n);
        uint8_t mac[PROVA_HMAC_SHA256_BYTES];
        CHECK(prova_json_get_int64(prova_json_get(group, "tagSize"), &tag_bits) == 0);
        CHECK(k != NULL);
        size_t tag_n = (size_t)tag_bits / 8;
        ok = k && tag_n <= sizeof mac && sig_n == tag_n && prova_hmac_sha256_compute(k, key_n, msg, msg_n, mac) == 0 &&
             prova_ct_equal(mac, sig, tag_n);
        free(k);
    } else if (key) {
        if (vf->kind == KIND_P1363) {
            uint8_t der[PROVA_SIG_MAX_BYTES];
            size_t der_n = 0;
            ok = p1363_to_der(sig, sig_n, vf->scalar_bytes, der, &der_n) &&
                 prova_key_verify(key, msg, msg_n, der, der_n) == 0;
        } else {
            ok = prova_key_verify(key, msg, msg_n, sig, sig_n) == 0;
        }
    }
    free(msg);
    free(sig);
    return ok;
}

static void print_flags(const prova_json *tc) {
    const prova_json *flags = prova_json_get(tc, "flags");
    for (size_t i = 0; i < prova_json_len(flags); i++)
        fprintf(stderr, "%s%s", i ? "," : "", prova_json_str(prova_json_at(flags, i)));
}

static void run_file(const char *data_dir, const vector_file *vf) {
    char path[4096];
    snprintf(path, sizeof path, "%s/wycheproof/%s_test.json", data_dir, vf->name);
    size_t len = 0;
    char *text = read_file(path, &len);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    if (!text) return;
    prova_doc *doc = NULL;
    prova_error err;
    int rc = prova_json_parse(text, len, NULL, &doc, &err);
    free(text);
    CHECK_MSG(rc == 0, "%s: %s at %zu", path, rc ? err.reason : "", rc ? err.offset : 0);
    if (rc) return;
    const prova_json *root = prova_doc_root(doc);
    const prova_json *groups = prova_json_get(root, "testGroups");
    counts c = {0};
    size_t ran = 0;
    for (size_t g = 0; g < prova_json_len(groups); g++) {
        const prova_json *group = prova_json_at(groups, g);
        prova_key *key = NULL;
        if (vf->kind != KIND_HMAC) {
            const prova_json *der = prova_json_get(group, "publicKeyDer");
            if (prova_key_from_spki_hex(prova_json_str(der), prova_json_len(der), &key, NULL) != 0)
                key = NULL; /* a key prova refuses: every signature under it is refused */
            else
                CHECK_MSG(prova_key_alg(key) == vf->alg, "%s group %zu: key of another algorithm", vf->name, g);
        }
        const prova_json *tests = prova_json_get(group, "tests");
        for (size_t t = 0; t < prova_json_len(tests); t++) {
            const prova_json *tc = prova_json_at(tests, t);
            int64_t id = 0;
            CHECK(prova_json_get_int64(prova_json_get(tc, "tcId"), &id) == 0);
            const prova_json *result = prova_json_get(tc, "result");
            bool got = run_case(vf, key, group, tc);
            bool want;
            size_t *ok_count;
            ran++;
            if (!key && vf->kind != KIND_HMAC) c.key_refused++;
            if (prova_json_str_eq(result, "valid")) {
                want = true;
                ok_count = &c.valid_ok;
            } else if (prova_json_str_eq(result, "invalid")) {
                want = false;
                ok_count = &c.invalid_ok;
            } else {
                CHECK_MSG(prova_json_str_eq(result, "acceptable"), "%s tcId %lld: result is not a known value",
                          vf->name, (long long)id);
                const acceptable *a = ACCEPTABLE;
                while (a->file && !(strcmp(a->file, vf->name) == 0 && a->tc_id == id)) a++;
                CHECK_MSG(a->file != NULL, "%s tcId %lld: acceptable case without a decided answer (prova: %s)",
                          vf->name, (long long)id, got ? "accepts" : "rejects");
                want = a->accepted;
                ok_count = &c.acceptable_ok;
            }
            if (got == want) {
                (*ok_count)++;
                test_passed++;
            } else {
                c.mismatch++;
                test_failed++;
                fprintf(stderr, "FAIL %s tcId %lld (%s; flags ", vf->name, (long long)id, prova_json_str(result));
                print_flags(tc);
                fprintf(stderr, "): prova %s it — %s\n", got ? "accepts" : "rejects",
                        prova_json_str(prova_json_get(tc, "comment")));
            }
        }
        prova_key_free(key);
    }
    int64_t declared = -1;
    CHECK(prova_json_get_int64(prova_json_get(root, "numberOfTests"), &declared) == 0);
    CHECK_MSG((int64_t)ran == declared, "%s: ran %zu cases, the file declares %lld", vf->name, ran,
              (long long)declared);
    printf("%s: %zu valid ok, %zu invalid ok, %zu acceptable as documented, %zu under a refused key, %zu mismatches "
           "(of %zu)\n",
           vf->name, c.valid_ok, c.invalid_ok, c.acceptable_ok, c.key_refused, c.mismatch, ran);
    prova_doc_free(doc);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_wycheproof DATA_DIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) run_file(argv[1], &FILES[i]);
    TEST_SUMMARY();
}
