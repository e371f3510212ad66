/* Unit tests for prova/crypto.h: hashes, HMAC, random, algorithm names, keys in every format, sign/verify for
 * every algorithm, strict verification, key files, JWKS.
 * Vectors: FIPS 180-4 / FIPS 202 "abc", RFC 4231 §4.2-4.3, RFC 8037 §A.1, and reference/openexecution.md
 * §6.4-6.5 (SPKI, PEM and signatures over the 751-byte certificate).
 * Prints one line per failure and "N passed, M failed" last; exit status 0 only when nothing failed. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"

/* ---- helpers ------------------------------------------------------------------------------------------- */

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    if (prova_hex_decode(hex, strlen(hex), out, cap, &n, NULL) != 0) {
        printf("bad test vector hex: %.40s\n", hex);
        exit(2);
    }
    return n;
}

static bool hex_eq(const uint8_t *b, size_t n, const char *hex) {
    char tmp[1024];
    if (prova_hex_encode(b, n, tmp, sizeof tmp) != 2 * n) return false;
    return strcmp(tmp, hex) == 0;
}

static bool buf_eq_str(const prova_buf *b, const char *s) {
    return b->len == strlen(s) && memcmp(b->data, s, b->len) == 0;
}

static bool buf_has(const prova_buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len < n) return false;
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, s, n) == 0) return true;
    return false;
}

static bool same_public(const prova_key *a, const prova_key *b) {
    uint8_t pa[200], pb[200];
    size_t na = prova_key_public_raw(a, pa, sizeof pa), nb = prova_key_public_raw(b, pb, sizeof pb);
    return prova_key_alg(a) == prova_key_alg(b) && na > 0 && na == nb && memcmp(pa, pb, na) == 0;
}

/* The canonical certificate_data of reference/openexecution.md §6.4 (751 bytes). */
static const char MSG751[] =
    "{\"artifact_ref\":\"octocat/hello-world\",\"artifact_title\":\"Hello World repository audit\",\"arti"
    "fact_type\":\"repository\",\"chain_created_at\":\"2026-03-20T09:59:59.000Z\",\"chain_hash\":\"d5756a"
    "ae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd\",\"chain_id\":\"11111111-2222-4333-8444-"
    "555555555555\",\"chain_resolved_at\":\"2026-03-20T11:05:00.000Z\",\"chain_type\":\"resource_audit\","
    "\"event_count\":3,\"events\":[{\"actor_id\":\"octocat\",\"event_type\":\"code_pushed\",\"sentiment\""
    ":\"neutral\",\"seq\":1},{\"actor_id\":\"octocat\",\"event_type\":\"pr_opened\",\"sentiment\":\"neutr"
    "al\",\"seq\":2},{\"actor_id\":\"maintainer-bot\",\"event_type\":\"pr_merged\",\"sentiment\":\"positi"
    "ve\",\"seq\":3}],\"issued_at\":\"2026-03-20T11:05:01.000Z\",\"origin_id\":\"octocat/hello-world\",\""
    "origin_type\":\"github\",\"version\":\"1.0\"}";

static const char ED25519_SEED1[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char ED25519_PUB1[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char ED448_SEED[] = "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3f"
                                 "c5b94492f8f032e7549a20098f95b";
static const char ED448_PUB[] = "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd678"
                                "3df1e50f6cd1fa1abeafe8256180";
static const char P256_D[] = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

/* ---- hashes, HMAC, random ------------------------------------------------------------------------------ */

static void test_hashes(void) {
    static const struct {
        const char *name;
        const char *abc;
    } v[] = {
        {"sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"sha384", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
        {"sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                   "454d4423643ce80e2a9ac94fa54ca49f"},
        {"sha3-256", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
        {"sha3-384",
         "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"},
        {"sha3-512", "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e39340"
                     "57340b4cf408d5a56592f8274eec53f0"},
    };
    CHECK(sizeof v / sizeof v[0] == PROVA_HASH_ALG_COUNT);
    for (size_t i = 0; i < PROVA_HASH_ALG_COUNT; i++) {
        prova_hash_alg a;
        CHECK(prova_hash_lookup(v[i].name, &a) == 0 && (size_t)a == i);
        CHECK(strcmp(prova_hash_name(a), v[i].name) == 0);
        CHECK(prova_hash_size(a) == strlen(v[i].abc) / 2);
        uint8_t d[PROVA_HASH_MAX_BYTES];
        CHECK(prova_hash_compute(a, "abc", 3, d) == 0 && hex_eq(d, prova_hash_size(a), v[i].abc));
        char hex[2 * PROVA_HASH_MAX_BYTES + 1];
        CHECK(prova_hash_compute_hex(a, "abc", 3, hex) == 0 && strcmp(hex, v[i].abc) == 0);
        /* streaming over odd-sized chunks equals one-shot */
        uint8_t data[3001], d1[PROVA_HASH_MAX_BYTES], d2[PROVA_HASH_MAX_BYTES];
        prova_random_fill(data, sizeof data);
        prova_hash_ctx *ctx = NULL;
        CHECK(prova_hash_new(a, &ctx) == 0 && ctx);
        int ok = 1;
        for (size_t off = 0; off < sizeof data; off += 7) {
            size_t n = sizeof data - off < 7 ? sizeof data - off : 7;
            ok &= prova_hash_update(ctx, data + off, n) == 0;
        }
        ok &= prova_hash_update(ctx, NULL, 0) == 0;
        CHECK(ok && prova_hash_final(ctx, d1) == 0);
        CHECK(prova_hash_compute(a, data, sizeof data, d2) == 0 && memcmp(d1, d2, prova_hash_size(a)) == 0);
        /* abandoned context */
        CHECK(prova_hash_new(a, &ctx) == 0 && prova_hash_update(ctx, "x", 1) == 0 && prova_hash_free(ctx) == NULL);
    }
    uint8_t d[PROVA_HASH_MAX_BYTES];
    prova_hash_alg a;
    CHECK(prova_hash_compute(PROVA_HASH_SHA256, NULL, 0, d) == 0 &&
          hex_eq(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(prova_hash_lookup("md5", &a) == PROVA_EUNSUPPORTED);
    CHECK(prova_hash_lookup("SHA256", &a) == PROVA_EUNSUPPORTED);
    CHECK(prova_hash_lookup(NULL, &a) == PROVA_EINVAL && prova_hash_lookup("sha256", NULL) == PROVA_EINVAL);
    CHECK(prova_hash_compute((prova_hash_alg)99, "a", 1, d) == PROVA_EINVAL);
    CHECK(prova_hash_compute(PROVA_HASH_SHA256, NULL, 1, d) == PROVA_EINVAL);
    CHECK(prova_hash_compute(PROVA_HASH_SHA256, "a", 1, NULL) == PROVA_EINVAL);
    CHECK(prova_hash_name((prova_hash_alg)99) == NULL && prova_hash_size((prova_hash_alg)99) == 0);
    prova_hash_ctx *ctx = NULL;
    CHECK(prova_hash_new((prova_hash_alg)-1, &ctx) == PROVA_EINVAL && ctx == NULL);
    CHECK(prova_hash_new(PROVA_HASH_SHA256, NULL) == PROVA_EINVAL);
    CHECK(prova_hash_update(NULL, "a", 1) == PROVA_EINVAL && prova_hash_final(NULL, d) == PROVA_EINVAL);
    CHECK(prova_hash_free(NULL) == NULL);
    CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, "a", 1, NULL) == PROVA_EINVAL);
}

static void test_hmac(void) {
    uint8_t mac[PROVA_HMAC_SHA256_BYTES];
    uint8_t key[20];
    memset(key, 0x0b, sizeof key);
    /* SPEC: RFC 4231 §4.2 (test case 1) and §4.3 (test case 2) */
    CHECK(prova_hmac_sha256_compute(key, sizeof key, "Hi There", 8, mac) == 0 &&
          hex_eq(mac, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
    CHECK(prova_hmac_sha256_compute("Jefe", 4, "what do ya want for nothing?", 28, mac) == 0 &&
          hex_eq(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    /* empty key and empty message */
    CHECK(prova_hmac_sha256_compute(NULL, 0, NULL, 0, mac) == 0 &&
          hex_eq(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
    CHECK(prova_hmac_sha256_compute("", 0, "", 0, mac) == 0 &&
          hex_eq(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
    /* a key longer than the block is hashed first (RFC 4231 §4.7) */
    uint8_t longkey[131];
    memset(longkey, 0xaa, sizeof longkey);
    CHECK(prova_hmac_sha256_compute(longkey, sizeof longkey, "Test Using Larger Than Block-Size Key - Hash Key First",
                                    54, mac) == 0 &&
          hex_eq(mac, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
    CHECK(prova_hmac_sha256_compute(NULL, 1, "a", 1, mac) == PROVA_EINVAL);
    CHECK(prova_hmac_sha256_compute("k", 1, NULL, 1, mac) == PROVA_EINVAL);
    CHECK(prova_hmac_sha256_compute("k", 1, "a", 1, NULL) == PROVA_EINVAL);
}

static void test_random(void) {
    uint8_t a[32] = {0}, b[32] = {0};
    prova_random_fill(a, sizeof a);
    prova_random_fill(b, sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    prova_random_fill(NULL, 10);
    prova_random_fill(a, 0);
    CHECK(1);
}

/* ---- names --------------------------------------------------------------------------------------------- */

static void test_names(void) {
    static const char *names[] = {"ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"};
    for (int i = 0; i < PROVA_SIG_ALG_COUNT; i++) {
        prova_sig_alg a;
        CHECK(prova_sig_lookup(names[i], &a) == 0 && (int)a == i && strcmp(prova_sig_name(a), names[i]) == 0);
    }
    prova_sig_alg a;
    CHECK(prova_sig_lookup("rsa", &a) == PROVA_EUNSUPPORTED && prova_sig_lookup("Ed25519", &a) == PROVA_EUNSUPPORTED);
    CHECK(prova_sig_lookup(NULL, &a) == PROVA_EINVAL && prova_sig_lookup("ed25519", NULL) == PROVA_EINVAL);
    CHECK(prova_sig_name((prova_sig_alg)7) == NULL);
}

/* ---- reference vectors --------------------------------------------------------------------------------- */

static void test_ed25519_kid_zero_seed(void) {
    uint8_t seed[32] = {0};
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &k) == 0 && k);
    uint8_t pub[32];
    CHECK(prova_key_public_raw(k, pub, sizeof pub) == 32 &&
          hex_eq(pub, 32, "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"));
    CHECK(strcmp(prova_key_kid(k), "ed25519-139e3940e64b5491") == 0);
    CHECK(prova_key_is_private(k) && prova_key_alg(k) == PROVA_SIG_ED25519);
    prova_key *p = NULL;
    CHECK(prova_key_from_ed25519_public(pub, &p) == 0 && strcmp(prova_key_kid(p), "ed25519-139e3940e64b5491") == 0);
    CHECK(!prova_key_is_private(p));
    prova_key_free(k);
    prova_key_free(p);
}

static void test_openexecution_ed25519(void) {
    uint8_t seed[32];
    unhex(ED25519_SEED1, seed, sizeof seed);
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &k) == 0);
    if (!k) return;
    uint8_t pub[32];
    CHECK(prova_key_public_raw(k, pub, sizeof pub) == 32 && hex_eq(pub, 32, ED25519_PUB1));
    /* SPKI DER and its hex */
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_key_to_spki_der(k, &b) == 0 &&
          hex_eq(b.data, b.len,
                 "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    prova_buf_free(&b);
    /* PEM body */
    CHECK(prova_key_to_pem(k, false, &b) == 0);
    CHECK(buf_eq_str(&b, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                         "-----END PUBLIC KEY-----\n"));
    prova_buf_free(&b);
    /* PKCS#8 = 302e020100300506032b657004220420 || seed (base64 of those 48 bytes) */
    uint8_t p8[48];
    unhex("302e020100300506032b657004220420", p8, 16);
    memcpy(p8 + 16, seed, 32);
    char p8b64[65];
    CHECK(prova_base64_encode(p8, 48, p8b64, sizeof p8b64) == 64);
    char want[200];
    snprintf(want, sizeof want, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", p8b64);
    CHECK(prova_key_to_pem(k, true, &b) == 0 && buf_eq_str(&b, want));
    prova_buf_free(&b);
    /* include_private on a private key, but a public-only request still gives SPKI */
    /* The signature of §6.4, byte for byte */
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t sl = 0;
    CHECK(sizeof MSG751 - 1 == 751);
    uint8_t h[PROVA_HASH_MAX_BYTES];
    CHECK(prova_hash_compute(PROVA_HASH_SHA256, MSG751, 751, h) == 0 &&
          hex_eq(h, 32, "fb98285ffdc1917bf8c1bfc098e4726fd920c7bccc17a984e47c0e8dae038096"));
    CHECK(prova_key_sign(k, MSG751, 751, sig, &sl) == 0 && sl == 64 &&
          hex_eq(sig, 64,
                 "e3e6797d5a9e03b508acc8a6d56f410d31baf15c3315865afcd0e82680e350e591780c70608ccce6cfbf877ee684bfae"
                 "1d4842d1752be8fe18afd0859cf39500"));
    CHECK(prova_key_verify(k, MSG751, 751, sig, sl) == 0);
    /* RFC 8032 sanity check: the empty message */
    CHECK(prova_key_sign(k, NULL, 0, sig, &sl) == 0 &&
          hex_eq(sig, 64,
                 "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd"
                 "25bf5f0595bbe24655141438e7a100b"));
    /* the public PEM loads back and verifies */
    prova_key *p = NULL;
    const char pem[] = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                       "-----END PUBLIC KEY-----\n";
    CHECK(prova_key_from_pem(pem, sizeof pem - 1, &p, NULL) == 0 && p && same_public(p, k) && !prova_key_is_private(p));
    CHECK(p && prova_key_verify(p, MSG751, 751, sig, sl) == PROVA_EVERIFY); /* sig is now over the empty message */
    CHECK(p && prova_key_verify(p, NULL, 0, sig, sl) == 0);
    prova_key_free(p);
    p = NULL;
    CHECK(prova_key_from_spki_hex(
              "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", 88, &p,
              NULL) == 0);
    prova_key_free(p);
    p = NULL;
    CHECK(prova_key_from_pem(want, strlen(want), &p, NULL) == 0 && p && prova_key_is_private(p) && same_public(p, k));
    prova_key_free(p);
    prova_key_free(k);
}

static void test_openexecution_ed448(void) {
    uint8_t seed[57];
    unhex(ED448_SEED, seed, sizeof seed);
    /* build through PKCS#8 (the prefix given in §6.5) */
    uint8_t p8[16 + 57];
    unhex("3047020100300506032b6571043b0439", p8, 16);
    memcpy(p8 + 16, seed, 57);
    char b64[200];
    CHECK(prova_base64_encode(p8, sizeof p8, b64, sizeof b64) == 100);
    char pem[300];
    snprintf(pem, sizeof pem, "-----BEGIN PRIVATE KEY-----\n%.64s\n%s\n-----END PRIVATE KEY-----\n", b64, b64 + 64);
    prova_key *k = NULL;
    prova_error err;
    CHECK(prova_key_from_pem(pem, strlen(pem), &k, &err) == 0 && k);
    if (!k) return;
    CHECK(prova_key_alg(k) == PROVA_SIG_ED448 && prova_key_is_private(k));
    uint8_t pub[57];
    CHECK(prova_key_public_raw(k, pub, sizeof pub) == 57 && hex_eq(pub, 57, ED448_PUB));
    prova_buf b = PROVA_BUF_INIT;
    CHECK(
        prova_key_to_spki_der(k, &b) == 0 &&
        hex_eq(b.data, b.len,
               "3043300506032b6571033a005fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7"
               "061bd6783df1e50f6cd1fa1abeafe8256180"));
    prova_buf_free(&b);
    /* our own PKCS#8 output is the same bytes as the PEM we loaded */
    CHECK(prova_key_to_pem(k, true, &b) == 0 && buf_eq_str(&b, pem));
    prova_buf_free(&b);
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t sl = 0;
    CHECK(
        prova_key_sign(k, MSG751, 751, sig, &sl) == 0 && sl == 114 &&
        hex_eq(sig, 114,
               "472d108813e92310a60f7d90c1341882c9e8f9800c1bb248374d7539526cbdfd581324785f2bb3244f1f878e3bc16617cc5632"
               "ccd1481d9a007bc8ec260a299268cfa3f65f25098fd1c2c9bae47b3767bd45f9cc5cfb27ce0ea81df1f25907e7a3d5194192"
               "d343152b650765aa189e053f00"));
    /* verify with the public key loaded from the SPKI hex */
    prova_key *p = NULL;
    const char *spki =
        "3043300506032b6571033a005fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b4"
        "6c7061bd6783df1e50f6cd1fa1abeafe8256180";
    CHECK(prova_key_from_spki_hex(spki, strlen(spki), &p, NULL) == 0 && p);
    CHECK(prova_key_verify(p, MSG751, 751, sig, sl) == 0);
    sig[10] ^= 1;
    CHECK(prova_key_verify(p, MSG751, 751, sig, sl) == PROVA_EVERIFY);
    CHECK(prova_key_verify(p, MSG751, 751, sig, 113) == PROVA_EVERIFY);
    prova_key_free(p);
    prova_key_free(k);
}

/* SEC1 ECPrivateKey for P-256 without the optional public key: the public key must be derived. */
static prova_key *p256_from_d(void) {
    uint8_t der[51];
    unhex("30310201010420", der, 7);
    unhex(P256_D, der + 7, 32);
    unhex("a00a06082a8648ce3d030107", der + 39, 12);
    char b64[80], pem[200];
    CHECK(prova_base64_encode(der, sizeof der, b64, sizeof b64) == 68);
    snprintf(pem, sizeof pem, "-----BEGIN EC PRIVATE KEY-----\n%.64s\n%s\n-----END EC PRIVATE KEY-----\n", b64,
             b64 + 64);
    prova_key *k = NULL;
    prova_error err;
    int r = prova_key_from_pem(pem, strlen(pem), &k, &err);
    CHECK(r == 0);
    if (r != 0) printf("  p256_from_d: %d %s\n", r, err.reason);
    return k;
}

static const char P256_SPKI[] =
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000460fed4ba255a9d31c961eb74c6356d68c049b8923b"
    "61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
static const char P256_SIG[] =
    "3046022100cb2483494a1fab678405885112b091837181357247f1e5502b66a9fe2d1b2ef0022100c0f6b4cd4cd9b9524"
    "733002621e838bc06832f6edf192c59b70b12622f023ba1";

static void test_openexecution_p256(void) {
    prova_key *k = p256_from_d();
    if (!k) return;
    CHECK(prova_key_alg(k) == PROVA_SIG_ECDSA_P256 && prova_key_is_private(k));
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_key_to_spki_der(k, &b) == 0 && hex_eq(b.data, b.len, P256_SPKI));
    prova_buf_free(&b);
    uint8_t sig[80];
    size_t sl = unhex(P256_SIG, sig, sizeof sig);
    CHECK(sl == 72);
    CHECK(prova_key_verify(k, MSG751, 751, sig, sl) == 0);
    prova_key *p = NULL;
    CHECK(prova_key_from_spki_hex(P256_SPKI, strlen(P256_SPKI), &p, NULL) == 0 && p);
    if (!p) {
        prova_key_free(k);
        return;
    }
    CHECK(prova_key_verify(p, MSG751, 751, sig, sl) == 0);
    CHECK(prova_key_verify(p, MSG751, 750, sig, sl) == PROVA_EVERIFY);
    /* malformed DER signatures are "does not verify", never a crash */
    uint8_t bad[PROVA_SIG_MAX_BYTES];
    CHECK(prova_key_verify(p, MSG751, 751, sig, sl - 1) == PROVA_EVERIFY); /* truncated */
    memcpy(bad, sig, sl);
    bad[sl] = 0;
    CHECK(prova_key_verify(p, MSG751, 751, bad, sl + 1) == PROVA_EVERIFY); /* trailing byte */
    bad[1] = 0x45;
    CHECK(prova_key_verify(p, MSG751, 751, bad, sl) == PROVA_EVERIFY); /* wrong length byte */
    /* BER long-form length: same r and s, not DER */
    uint8_t ber[80];
    ber[0] = 0x30;
    ber[1] = 0x81;
    ber[2] = 0x46;
    memcpy(ber + 3, sig + 2, sl - 2);
    CHECK(prova_key_verify(p, MSG751, 751, ber, sl + 1) == PROVA_EVERIFY);
    /* raw r||s (IEEE P1363) is not accepted */
    uint8_t rs[64];
    memcpy(rs, sig + 5, 32);
    memcpy(rs + 32, sig + 40, 32);
    CHECK(prova_key_verify(p, MSG751, 751, rs, 64) == PROVA_EVERIFY);
    CHECK(prova_key_verify(p, MSG751, 751, sig, 0) == PROVA_EVERIFY);
    CHECK(prova_key_verify(p, MSG751, 751, NULL, 0) == PROVA_EVERIFY);
    for (int i = 0; i < 200; i++) { /* random garbage */
        size_t n = 1 + (size_t)i % PROVA_SIG_MAX_BYTES;
        prova_random_fill(bad, n);
        if (i % 2) bad[0] = 0x30;
        CHECK(prova_key_verify(p, MSG751, 751, bad, n) == PROVA_EVERIFY);
    }
    /* sign and verify with the derived key */
    CHECK(prova_key_sign(k, MSG751, 751, bad, &sl) == 0 && sl >= 8 && sl <= 72 && bad[0] == 0x30);
    CHECK(prova_key_verify(p, MSG751, 751, bad, sl) == 0);
    CHECK(prova_key_sign(p, MSG751, 751, bad, &sl) == PROVA_EKEY);
    prova_key_free(p);
    prova_key_free(k);
}

/* ---- Ed25519 strictness -------------------------------------------------------------------------------- */

static void test_ed25519_strict(void) {
    uint8_t seed[32];
    unhex(ED25519_SEED1, seed, sizeof seed);
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &k) == 0);
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t sl = 0;
    CHECK(prova_key_sign(k, "msg", 3, sig, &sl) == 0 && prova_key_verify(k, "msg", 3, sig, sl) == 0);
    /* S + L: the same signature with a non-canonical S must be rejected (RFC 8032 §5.1.7, malleability) */
    static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    uint8_t mal[64];
    memcpy(mal, sig, 64);
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        unsigned s = (unsigned)mal[32 + i] + L[i] + carry;
        mal[32 + i] = (uint8_t)s;
        carry = s >> 8;
    }
    CHECK(prova_key_verify(k, "msg", 3, mal, 64) == PROVA_EVERIFY);
    /* bit flips anywhere */
    int bad = 0;
    for (int i = 0; i < 64 * 8; i += 5) {
        memcpy(mal, sig, 64);
        mal[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (prova_key_verify(k, "msg", 3, mal, 64) != PROVA_EVERIFY) bad++;
    }
    CHECK(bad == 0);
    CHECK(prova_key_verify(k, "msg", 3, sig, 63) == PROVA_EVERIFY &&
          prova_key_verify(k, "msg", 3, sig, 65) == PROVA_EVERIFY);
    /* small-order R with S = 0 ("signature" valid for any message under a cofactored, non-strict check) */
    memset(mal, 0, 64);
    mal[0] = 1;
    CHECK(prova_key_verify(k, "msg", 3, mal, 64) == PROVA_EVERIFY);
    prova_key_free(k);

    /* small-order, non-canonical and off-curve public keys are refused when loaded */
    static const char *weak[] = {
        "0100000000000000000000000000000000000000000000000000000000000000", /* identity */
        "0000000000000000000000000000000000000000000000000000000000000000", /* order 4 */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* order 2 (y = -1) */
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* order 8 */
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", /* order 8 */
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = p, non-canonical */
        "0200000000000000000000000000000000000000000000000000000000000000", /* not on the curve */
    };
    for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
        uint8_t pk[32];
        unhex(weak[i], pk, sizeof pk);
        prova_key *p = NULL;
        CHECK(prova_key_from_ed25519_public(pk, &p) == PROVA_EKEY && p == NULL);
        prova_error err;
        memset(&err, 0, sizeof err);
        CHECK(prova_key_from_text(weak[i], 64, &p, &err) == PROVA_EKEY &&
              strcmp(err.reason, "key_invalid_public") == 0);
    }
}

/* ---- Ed448 public key checks --------------------------------------------------------------------------- */

static void test_ed448_points(void) {
    uint8_t pub[57];
    unhex(ED448_PUB, pub, sizeof pub);
    prova_key *k = NULL;
    prova_buf b = PROVA_BUF_INIT;
    char spki[300];
    /* via JWK (the only way in for raw Ed448 bytes) */
#define ED448_JWK(x) "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"" x "\"}"
    char x[100];
    CHECK(prova_base64url_encode(pub, 57, x, sizeof x) == 76);
    snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
    CHECK(prova_key_from_jwk(spki, strlen(spki), &k, NULL) == 0);
    prova_key_free(k);
    k = NULL;
    /* low bits of the last byte set */
    uint8_t t[57];
    memcpy(t, pub, 57);
    t[56] |= 1;
    prova_base64url_encode(t, 57, x, sizeof x);
    snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
    prova_error err;
    CHECK(prova_key_from_jwk(spki, strlen(spki), &k, &err) == PROVA_EKEY &&
          strcmp(err.reason, "jwk_bad_coordinate") == 0);
    /* y >= p */
    memset(t, 0xff, 57);
    t[56] = 0;
    prova_base64url_encode(t, 57, x, sizeof x);
    snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
    CHECK(prova_key_from_jwk(spki, strlen(spki), &k, &err) == PROVA_EKEY);
    /* the identity (y = 1) and y = 0 */
    memset(t, 0, 57);
    t[0] = 1;
    prova_base64url_encode(t, 57, x, sizeof x);
    snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
    CHECK(prova_key_from_jwk(spki, strlen(spki), &k, &err) == PROVA_EKEY);
    t[0] = 0;
    prova_base64url_encode(t, 57, x, sizeof x);
    snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
    CHECK(prova_key_from_jwk(spki, strlen(spki), &k, &err) == PROVA_EKEY);
    /* Perturbing y gives a point about half of the time: both outcomes must occur, and every generated key's
     * public key (always a point) must be accepted. */
    int acc = 0, rej = 0;
    for (int i = 1; i <= 64; i++) {
        memcpy(t, pub, 57);
        t[0] = (uint8_t)(t[0] + i);
        prova_base64url_encode(t, 57, x, sizeof x);
        snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
        int r = prova_key_from_jwk(spki, strlen(spki), &k, NULL);
        if (r == 0) {
            acc++;
            prova_key_free(k);
            k = NULL;
        } else {
            rej++;
        }
    }
    CHECK(acc > 10 && rej > 10);
    int badgen = 0;
    for (int i = 0; i < 20; i++) {
        prova_key *g = NULL, *q = NULL;
        if (prova_key_generate(PROVA_SIG_ED448, &g) != 0) {
            badgen++;
            continue;
        }
        prova_key_public_raw(g, t, sizeof t);
        t[56] ^= 0x80; /* the negated point is a point too */
        prova_base64url_encode(t, 57, x, sizeof x);
        snprintf(spki, sizeof spki, "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"%s\"}", x);
        if (prova_key_from_jwk(spki, strlen(spki), &q, NULL) != 0) badgen++;
        prova_key_free(q);
        prova_buf_free(&b);
        if (prova_key_to_jwk(g, false, &b) != 0 || prova_key_from_jwk(b.data, b.len, &q, NULL) != 0) badgen++;
        prova_key_free(q);
        prova_key_free(g);
    }
    CHECK(badgen == 0);
    prova_buf_free(&b);
#undef ED448_JWK
}

/* ---- every algorithm: sign/verify and every format round trip ------------------------------------------ */

static void test_roundtrips(void) {
    for (int a = 0; a < PROVA_SIG_ALG_COUNT; a++) {
        prova_sig_alg alg = (prova_sig_alg)a;
        prova_key *k = NULL;
        CHECK(prova_key_generate(alg, &k) == 0 && k && prova_key_is_private(k) && prova_key_alg(k) == alg);
        if (!k) continue;
        /* default kid: "<alg>-" + 16 hex digits */
        const char *kid = prova_key_kid(k);
        size_t nl = strlen(prova_sig_name(alg));
        CHECK(strlen(kid) == nl + 17 && strncmp(kid, prova_sig_name(alg), nl) == 0 && kid[nl] == '-');
        if (alg != PROVA_SIG_ED25519) { /* = SHA-256 of the DER SPKI */
            prova_buf d = PROVA_BUF_INIT;
            char h[129];
            CHECK(prova_key_to_spki_der(k, &d) == 0 &&
                  prova_hash_compute_hex(PROVA_HASH_SHA256, d.data, d.len, h) == 0 &&
                  strncmp(kid + nl + 1, h, 16) == 0);
            prova_buf_free(&d);
        }
        uint8_t msg[100], sig[PROVA_SIG_MAX_BYTES];
        size_t sl = 0;
        prova_random_fill(msg, sizeof msg);
        CHECK(prova_key_sign(k, msg, sizeof msg, sig, &sl) == 0 && prova_key_verify(k, msg, sizeof msg, sig, sl) == 0);
        CHECK(prova_key_sign(k, NULL, 0, sig, &sl) == 0 && prova_key_verify(k, NULL, 0, sig, sl) == 0);
        CHECK(prova_key_verify(k, "x", 1, sig, sl) == PROVA_EVERIFY);
        CHECK(prova_key_sign(k, msg, sizeof msg, sig, &sl) == 0);

        /* JWK private */
        prova_buf b = PROVA_BUF_INIT;
        prova_key *r = NULL;
        CHECK(prova_key_to_jwk(k, true, &b) == 0 && buf_has(&b, "\"d\":\"") && b.data[0] == '{');
        CHECK(prova_key_from_jwk(b.data, b.len, &r, NULL) == 0 && r && prova_key_is_private(r) && same_public(r, k) &&
              strcmp(prova_key_kid(r), kid) == 0);
        prova_buf b2 = PROVA_BUF_INIT;
        CHECK(r && prova_key_to_jwk(r, true, &b2) == 0 && b2.len == b.len && memcmp(b.data, b2.data, b.len) == 0);
        prova_buf_free(&b2);
        prova_key_free(r);
        r = NULL;
        prova_buf_free(&b);
        /* JWK public: no "d"; verifies, cannot sign */
        CHECK(prova_key_to_jwk(k, false, &b) == 0 && !buf_has(&b, "\"d\""));
        CHECK(prova_key_from_jwk(b.data, b.len, &r, NULL) == 0 && r && !prova_key_is_private(r) && same_public(r, k));
        CHECK(r && prova_key_verify(r, msg, sizeof msg, sig, sl) == 0);
        uint8_t sig2[PROVA_SIG_MAX_BYTES];
        size_t sl2;
        CHECK(r && prova_key_sign(r, msg, sizeof msg, sig2, &sl2) == PROVA_EKEY);
        prova_key_free(r);
        r = NULL;
        prova_buf_free(&b);
        /* PEM private (PKCS#8) and public (SPKI) */
        CHECK(prova_key_to_pem(k, true, &b) == 0 && buf_has(&b, "-----BEGIN PRIVATE KEY-----\n"));
        CHECK(prova_key_from_pem(b.data, b.len, &r, NULL) == 0 && r && prova_key_is_private(r) && same_public(r, k));
        CHECK(r && prova_key_sign(r, msg, sizeof msg, sig2, &sl2) == 0 &&
              prova_key_verify(k, msg, sizeof msg, sig2, sl2) == 0);
        prova_key_free(r);
        r = NULL;
        prova_buf_free(&b);
        CHECK(prova_key_to_pem(k, false, &b) == 0 && buf_has(&b, "-----BEGIN PUBLIC KEY-----\n"));
        CHECK(prova_key_from_pem(b.data, b.len, &r, NULL) == 0 && r && !prova_key_is_private(r) && same_public(r, k));
        prova_key_free(r);
        r = NULL;
        prova_buf_free(&b);
        /* SPKI DER and hex; from_text */
        CHECK(prova_key_to_spki_der(k, &b) == 0);
        CHECK(prova_key_from_spki_der(b.data, b.len, &r, NULL) == 0 && r && same_public(r, k));
        prova_key_free(r);
        r = NULL;
        char hex[600];
        size_t hl = prova_hex_encode(b.data, b.len, hex, sizeof hex);
        CHECK(prova_key_from_text(hex, hl, &r, NULL) == 0 && r && same_public(r, k));
        prova_key_free(r);
        r = NULL;
        prova_buf_free(&b);
        /* public raw */
        uint8_t raw[200];
        size_t rl = prova_key_public_raw(k, raw, sizeof raw);
        static const size_t want_len[] = {32, 57, 65, 97, 133};
        CHECK(rl == want_len[a] && prova_key_public_raw(k, raw, rl - 1) == 0);
        prova_key_free(k);
    }
}

/* ---- JWK details and errors ---------------------------------------------------------------------------- */

static int jwk_err(const char *json, const char *reason, const char *pointer) {
    prova_key *k = NULL;
    prova_error err;
    memset(&err, 0, sizeof err);
    int r = prova_key_from_jwk(json, strlen(json), &k, &err);
    if (r == 0) {
        prova_key_free(k);
        printf("  accepted: %s\n", json);
        return 0;
    }
    if (k != NULL) return 0;
    if (reason && (!err.reason || strcmp(err.reason, reason) != 0)) {
        printf("  reason %s, want %s: %s\n", err.reason ? err.reason : "(null)", reason, json);
        return 0;
    }
    if (pointer && strcmp(err.pointer, pointer) != 0) {
        printf("  pointer %s, want %s\n", err.pointer, pointer);
        return 0;
    }
    return r;
}

static void test_jwk(void) {
    /* SPEC: RFC 8037 §A.1 / §A.2 */
    const char *a1 = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
                     "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
    prova_key *k = NULL;
    CHECK(prova_key_from_jwk(a1, strlen(a1), &k, NULL) == 0 && k && prova_key_is_private(k));
    if (!k) return;
    uint8_t pub[32];
    CHECK(prova_key_public_raw(k, pub, 32) == 32 && hex_eq(pub, 32, ED25519_PUB1));
    /* exact output: members in code point order */
    char h[2 * PROVA_HASH_MAX_BYTES + 1];
    CHECK(prova_hash_compute_hex(PROVA_HASH_SHA256, pub, 32, h) == 0);
    char want[400];
    snprintf(want, sizeof want,
             "{\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
             "\"kid\":\"ed25519-%.16s\",\"kty\":\"OKP\",\"use\":\"sig\",\"x\":\"11qYAYKxCrfVS_"
             "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
             h);
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_key_to_jwk(k, true, &b) == 0 && buf_eq_str(&b, want));
    prova_buf_free(&b);
    /* appends; the kid is escaped */
    CHECK(prova_buf_append(&b, "X", 1) == 0);
    CHECK(prova_key_set_kid(k, "a\"b\\c") == 0 && strcmp(prova_key_kid(k), "a\"b\\c") == 0);
    CHECK(prova_key_to_jwk(k, false, &b) == 0 && b.data[0] == 'X' && buf_has(&b, "\"kid\":\"a\\\"b\\\\c\""));
    prova_key *r = NULL;
    CHECK(prova_key_from_jwk(b.data + 1, b.len - 1, &r, NULL) == 0 && r && strcmp(prova_key_kid(r), "a\"b\\c") == 0);
    prova_key_free(r);
    prova_buf_free(&b);
    /* kid rules */
    char longkid[200];
    memset(longkid, 'k', sizeof longkid);
    longkid[128] = '\0';
    CHECK(prova_key_set_kid(k, longkid) == PROVA_EINVAL); /* 128 bytes */
    longkid[127] = '\0';
    CHECK(prova_key_set_kid(k, longkid) == 0); /* 127 bytes */
    CHECK(prova_key_set_kid(k, "") == PROVA_EINVAL && prova_key_set_kid(k, "a\nb") == PROVA_EINVAL &&
          prova_key_set_kid(k, "caf\xc3\xa9") == PROVA_EINVAL && prova_key_set_kid(k, NULL) == PROVA_EINVAL &&
          prova_key_set_kid(NULL, "a") == PROVA_EINVAL);
    CHECK(strcmp(prova_key_kid(k), longkid) == 0);
    /* a JWK kid is kept; alg and use are accepted when right */
    const char *withkid = "{\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"kid\":\"my key\",\"kty\":\"OKP\",\"use\":\"sig\","
                          "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"key_ops\":[\"verify\"]}";
    CHECK(prova_key_from_jwk(withkid, strlen(withkid), &r, NULL) == 0 && r && strcmp(prova_key_kid(r), "my key") == 0);
    prova_key_free(r);
    prova_key_free(k);

    /* errors, with reason and pointer */
    const char *X = "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"";
    char j[600];
    CHECK(jwk_err("[1]", "jwk_not_object", "") == PROVA_ESYNTAX);
    CHECK(jwk_err("{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "json_depth_limit", NULL) == PROVA_ELIMIT);
    CHECK(jwk_err("{\"kty\":\"OKP\"", "json_truncated", NULL) < 0);
    CHECK(jwk_err("{\"kty\":\"OKP\",\"kty\":\"OKP\"}", "json_duplicate_key", NULL) == PROVA_ESYNTAX);
    snprintf(j, sizeof j, "{\"crv\":\"Ed25519\",%s}", X);
    CHECK(jwk_err(j, "jwk_missing_member", "/kty") == PROVA_ESYNTAX);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",%s}", X);
    CHECK(jwk_err(j, "jwk_missing_member", "/crv") == PROVA_ESYNTAX);
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}", "jwk_missing_member", "/x") == PROVA_ESYNTAX);
    snprintf(j, sizeof j, "{\"kty\":\"RSA\",\"crv\":\"Ed25519\",%s}", X);
    CHECK(jwk_err(j, "jwk_unsupported_kty", "/kty") == PROVA_EUNSUPPORTED);
    snprintf(j, sizeof j, "{\"kty\":7,\"crv\":\"Ed25519\",%s}", X);
    CHECK(jwk_err(j, "jwk_bad_member", "/kty") == PROVA_ESYNTAX);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"X25519\",%s}", X);
    CHECK(jwk_err(j, "jwk_unsupported_crv", "/crv") == PROVA_EUNSUPPORTED);
    snprintf(j, sizeof j, "{\"kty\":\"EC\",\"crv\":\"Ed25519\",%s}", X);
    CHECK(jwk_err(j, "jwk_unsupported_crv", "/crv") == PROVA_EUNSUPPORTED);
    snprintf(j, sizeof j, "{\"kty\":\"EC\",\"crv\":\"secp256k1\",%s,\"y\":\"AA\"}", X);
    CHECK(jwk_err(j, "jwk_unsupported_crv", "/crv") == PROVA_EUNSUPPORTED);
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcH\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_EKEY); /* 30 bytes */
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURoA\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_EKEY); /* 33 bytes */
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURoAB\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_ESYNTAX); /* 45 characters: dangling */
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_ESYNTAX); /* padded */
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_ESYNTAX); /* standard alphabet */
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_ESYNTAX); /* non-zero trailing bits */
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":32}", "jwk_bad_coordinate", "/x") == PROVA_ESYNTAX);
    CHECK(jwk_err("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
                  "jwk_bad_coordinate", "/x") == PROVA_EKEY); /* identity point */
    /* d does not match x: the zero seed's d with the RFC 8032 x */
    snprintf(j, sizeof j,
             "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",%s}", X);
    CHECK(jwk_err(j, "jwk_key_mismatch", "/d") == PROVA_EKEY);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"AAAA\",%s}", X);
    CHECK(jwk_err(j, "jwk_bad_coordinate", "/d") == PROVA_EKEY);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"ES256\",%s}", X);
    CHECK(jwk_err(j, "jwk_alg_mismatch", "/alg") == PROVA_EKEY);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"Ed25519\",%s}", X);
    CHECK(prova_key_from_jwk(j, strlen(j), &r, NULL) == 0);
    prova_key_free(r);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"enc\",%s}", X);
    CHECK(jwk_err(j, "jwk_bad_use", "/use") == PROVA_EKEY);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"\",%s}", X);
    CHECK(jwk_err(j, "jwk_bad_kid", "/kid") == PROVA_ESYNTAX);
    snprintf(j, sizeof j, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":5,%s}", X);
    CHECK(jwk_err(j, "jwk_bad_kid", "/kid") == PROVA_ESYNTAX);

    /* EC: a point that is not on the curve, and d that does not match */
    prova_key *e = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ECDSA_P256, &e) == 0);
    CHECK(prova_key_to_jwk(e, true, &b) == 0);
    char *s = calloc(1, b.len + 1);
    memcpy(s, b.data, b.len);
    char *y = strstr(s, "\"y\":\"");
    y[5] = y[5] == 'A' ? 'B' : 'A';
    CHECK(jwk_err(s, "jwk_bad_coordinate", "/x") == PROVA_EKEY);
    y[5] = (char)b.data[y - s + 5];
    char *d = strstr(s, "\"d\":\"");
    d[6] = d[6] == 'A' ? 'B' : 'A';
    CHECK(jwk_err(s, "jwk_key_mismatch", "/d") == PROVA_EKEY);
    /* missing y */
    const char *noy = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"YP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Y\"}";
    CHECK(jwk_err(noy, "jwk_missing_member", "/y") == PROVA_ESYNTAX);
    free(s);
    prova_buf_free(&b);
    prova_key_free(e);

    /* the P-256 key of §6.5 as a JWK */
    const char *p256 = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"YP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Y\","
                       "\"y\":\"eQP-EAi4vJmkGunpVii8ZPLxsgwtfp9Rd6PClNRGIpk\"}";
    CHECK(prova_key_from_jwk(p256, strlen(p256), &r, NULL) == 0 && r);
    if (r) {
        uint8_t sig[80];
        size_t sl = unhex(P256_SIG, sig, sizeof sig);
        CHECK(prova_key_verify(r, MSG751, 751, sig, sl) == 0);
        prova_key_free(r);
    }
}

/* ---- PEM / SPKI / text errors -------------------------------------------------------------------------- */

static int text_err(const char *text, int (*fn)(const void *, size_t, prova_key **, prova_error *),
                    const char *reason) {
    prova_key *k = NULL;
    prova_error err;
    memset(&err, 0, sizeof err);
    int r = fn(text, strlen(text), &k, &err);
    if (r == 0) {
        prova_key_free(k);
        printf("  accepted: %.60s\n", text);
        return 0;
    }
    if (reason && (!err.reason || strcmp(err.reason, reason) != 0)) {
        printf("  reason %s, want %s: %.60s\n", err.reason ? err.reason : "(null)", reason, text);
        return 0;
    }
    return r;
}

static int spki_hex_fn(const void *t, size_t n, prova_key **k, prova_error *e) {
    return prova_key_from_spki_hex(t, n, k, e);
}

static int spki_of_evp(EVP_PKEY *pkey, prova_error *err) {
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(pkey, &der);
    prova_key *k = NULL;
    int r = prova_key_from_spki_der(der, (size_t)n, &k, err);
    OPENSSL_free(der);
    prova_key_free(k);
    EVP_PKEY_free(pkey);
    return r;
}

static void test_pem_spki_text(void) {
    const char *good = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                       "-----END PUBLIC KEY-----\n";
    char t[1000];
    CHECK(text_err("", prova_key_from_pem, "pem_invalid") == PROVA_ESYNTAX);
    CHECK(text_err("hello", prova_key_from_pem, "pem_invalid") == PROVA_ESYNTAX);
    snprintf(t, sizeof t, "%s%s", good, good);
    CHECK(text_err(t, prova_key_from_pem, "pem_invalid") == PROVA_ESYNTAX);
    CHECK(text_err("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUR==\n"
                   "-----END PUBLIC KEY-----\n",
                   prova_key_from_pem, "pem_invalid") == PROVA_ESYNTAX);
    CHECK(text_err("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURoA\n"
                   "-----END PUBLIC KEY-----\n",
                   prova_key_from_pem, "pem_invalid") == PROVA_ESYNTAX);
    CHECK(text_err("-----BEGIN RSA PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                   "-----END RSA PUBLIC KEY-----\n",
                   prova_key_from_pem, "pem_unsupported_label") == PROVA_EUNSUPPORTED);
    CHECK(
        text_err("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                 "-----END ENCRYPTED PRIVATE KEY-----\n",
                 prova_key_from_pem, "pem_encrypted") == PROVA_EUNSUPPORTED);
    /* the SPKI under a PRIVATE KEY label */
    CHECK(text_err("-----BEGIN PRIVATE KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                   "-----END PRIVATE KEY-----\n",
                   prova_key_from_pem, "pem_invalid") == PROVA_ESYNTAX);
    /* legacy encryption headers */
    CHECK(text_err("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: "
                   "AES-128-CBC,00000000000000000000000000000000\n\n"
                   "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END EC PRIVATE KEY-----\n",
                   prova_key_from_pem, NULL) < 0);
    /* surrounding whitespace is fine, CRLF too */
    snprintf(t, sizeof t, "\n  %s\n\n", good);
    prova_key *k = NULL;
    CHECK(prova_key_from_pem(t, strlen(t), &k, NULL) == 0);
    prova_key_free(k);
    k = NULL;
    const char *crlf = "-----BEGIN PUBLIC KEY-----\r\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\r\n"
                       "-----END PUBLIC KEY-----\r\n";
    CHECK(prova_key_from_pem(crlf, strlen(crlf), &k, NULL) == 0);
    prova_key_free(k);
    k = NULL;

    /* SPKI */
    const char *spki = "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    CHECK(text_err("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00",
                   prova_key_from_text, "spki_invalid") == PROVA_ESYNTAX); /* trailing byte */
    CHECK(text_err("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f70751",
                   prova_key_from_text, "spki_invalid") == PROVA_ESYNTAX); /* truncated */
    CHECK(text_err("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511",
                   spki_hex_fn, "hex_invalid") == PROVA_ESYNTAX); /* odd */
    CHECK(prova_key_from_spki_hex(
              "302A300506032B6570032100D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A", 88, &k,
              NULL) == 0); /* uppercase */
    prova_key_free(k);
    k = NULL;
    /* other key types */
    prova_error err;
    memset(&err, 0, sizeof err);
    CHECK(spki_of_evp(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024), &err) == PROVA_EUNSUPPORTED &&
          strcmp(err.reason, "key_unsupported_type") == 0);
    CHECK(spki_of_evp(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"), &err) == PROVA_EUNSUPPORTED &&
          strcmp(err.reason, "key_unsupported_type") == 0);
    CHECK(spki_of_evp(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1"), &err) == PROVA_EUNSUPPORTED &&
          strcmp(err.reason, "key_wrong_curve") == 0);
    CHECK(spki_of_evp(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224"), &err) == PROVA_EUNSUPPORTED &&
          strcmp(err.reason, "key_wrong_curve") == 0);

    /* text detection */
    snprintf(t, sizeof t, "  %s\n", spki);
    CHECK(prova_key_from_text(t, strlen(t), &k, NULL) == 0 && k);
    prova_key_free(k);
    k = NULL;
    snprintf(t, sizeof t, "%s\n", ED25519_PUB1);
    CHECK(prova_key_from_text(t, strlen(t), &k, NULL) == 0 && k && prova_key_alg(k) == PROVA_SIG_ED25519);
    prova_key_free(k);
    k = NULL;
    CHECK(prova_key_from_text(good, strlen(good), &k, NULL) == 0);
    prova_key_free(k);
    k = NULL;
    const char *jwk = "\n{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}\n";
    CHECK(prova_key_from_text(jwk, strlen(jwk), &k, NULL) == 0);
    prova_key_free(k);
    k = NULL;
    CHECK(text_err("", prova_key_from_text, "key_unrecognized_format") == PROVA_ESYNTAX);
    CHECK(text_err("  \n", prova_key_from_text, "key_unrecognized_format") == PROVA_ESYNTAX);
    CHECK(text_err("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", prova_key_from_text, "key_unrecognized_format") ==
          PROVA_ESYNTAX); /* base64url seed: not guessed */
    CHECK(text_err("MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", prova_key_from_text,
                   "key_unrecognized_format") == PROVA_ESYNTAX);
    memset(&err, 0, sizeof err);
    CHECK(prova_key_from_text("  abc", 5, &k, &err) == PROVA_ESYNTAX && strcmp(err.reason, "hex_invalid") == 0 &&
          err.offset == 5);
}

/* ---- key files ----------------------------------------------------------------------------------------- */

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 4096);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Number of entries in dir (besides . and ..): a save must leave no temporary file behind. */
static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    if (d) closedir(d);
    return n;
}

static void test_key_files(void) {
    char dir[] = "/tmp/prova_test_crypto_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(false); /* mkdtemp */
        return;
    }
    char path[256], tmp[300];
    snprintf(path, sizeof path, "%s/key.jwk", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    for (int a = 0; a < PROVA_SIG_ALG_COUNT; a++) {
        prova_key *k = NULL, *l = NULL;
        CHECK(prova_key_generate((prova_sig_alg)a, &k) == 0);
        CHECK(prova_key_save_file(k, path) == 0);
        struct stat st;
        CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
        CHECK(count_entries(dir) == 1); /* only key.jwk: the temporary file was renamed */
        char *txt = read_text(path);
        CHECK(txt && txt[0] == '{' && txt[strlen(txt) - 1] == '\n' && strstr(txt, "\"d\":\""));
        free(txt);
        CHECK(prova_key_load_file(path, &l, NULL) == 0 && l && prova_key_is_private(l) && same_public(k, l) &&
              strcmp(prova_key_kid(k), prova_key_kid(l)) == 0);
        prova_key_free(l);
        prova_key_free(k);
    }
    /* a stale temp file (or a symlink planted there) neither blocks the save nor is written through:
     * every save uses a fresh random temporary name */
    FILE *f = fopen(tmp, "w");
    if (f) fclose(f);
    prova_key *k = NULL;
    CHECK(prova_key_generate(PROVA_SIG_ED25519, &k) == 0);
    CHECK(prova_key_save_file(k, path) == 0);
    struct stat st2;
    CHECK(stat(tmp, &st2) == 0 && st2.st_size == 0); /* untouched */
    unlink(tmp);
    char target[300];
    snprintf(target, sizeof target, "%s/target", dir);
    CHECK(symlink(target, tmp) == 0);
    CHECK(prova_key_save_file(k, path) == 0);
    CHECK(access(target, F_OK) != 0);
    unlink(tmp);
    /* missing directory */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/dir/key", dir);
    CHECK(prova_key_save_file(k, bad) == PROVA_EIO);
    /* load errors */
    prova_key *l = NULL;
    prova_error err;
    CHECK(prova_key_load_file(bad, &l, &err) == PROVA_EIO && strcmp(err.reason, "key_file_unreadable") == 0);
    CHECK(prova_key_load_file(dir, &l, &err) == PROVA_EIO && strcmp(err.reason, "key_file_not_regular") == 0);
    char big[300];
    snprintf(big, sizeof big, "%s/big", dir);
    f = fopen(big, "wb");
    if (f) {
        for (int i = 0; i < (1 << 20) + 1; i++) fputc(' ', f);
        fclose(f);
    }
    CHECK(prova_key_load_file(big, &l, &err) == PROVA_ELIMIT && strcmp(err.reason, "key_file_too_large") == 0);
    unlink(big);
    /* a PEM public key file loads */
    f = fopen(big, "wb");
    if (f) {
        fputs("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
              "-----END PUBLIC KEY-----\n",
              f);
        fclose(f);
    }
    CHECK(prova_key_load_file(big, &l, &err) == 0 && l && !prova_key_is_private(l));
    prova_key_free(l);
    l = NULL;
    unlink(big);
    /* a public key can be saved too (as a public JWK) */
    prova_key *p = NULL;
    uint8_t pub[32];
    prova_key_public_raw(k, pub, 32);
    CHECK(prova_key_from_ed25519_public(pub, &p) == 0 && prova_key_save_file(p, path) == 0);
    char *txt = read_text(path);
    CHECK(txt && !strstr(txt, "\"d\""));
    free(txt);
    prova_key_free(p);
    CHECK(prova_key_save_file(NULL, path) == PROVA_EINVAL && prova_key_save_file(k, NULL) == PROVA_EINVAL &&
          prova_key_save_file(k, "") == PROVA_EINVAL);
    CHECK(prova_key_load_file(NULL, &l, NULL) == PROVA_EINVAL && prova_key_load_file(path, NULL, NULL) == PROVA_EINVAL);
    prova_key_free(k);
    unlink(path);
    rmdir(dir);
}

/* ---- JWKS ---------------------------------------------------------------------------------------------- */

static void test_jwks(void) {
    prova_key *keys[3] = {NULL, NULL, NULL};
    uint8_t seed[32] = {0};
    CHECK(prova_key_from_ed25519_seed(seed, &keys[0]) == 0);
    CHECK(prova_key_generate(PROVA_SIG_ECDSA_P384, &keys[1]) == 0);
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_key_to_jwks(NULL, 0, &b) == 0 && buf_eq_str(&b, "{\"keys\":[]}"));
    prova_buf_free(&b);
    CHECK(prova_key_to_jwks((const prova_key *const *)keys, 1, &b) == 0 &&
          buf_eq_str(&b, "{\"keys\":[{\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"kid\":\"ed25519-139e3940e64b5491\","
                         "\"kty\":\"OKP\",\"use\":\"sig\",\"x\":\"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik\"}]}"));
    prova_buf_free(&b);
    CHECK(prova_key_to_jwks((const prova_key *const *)keys, 2, &b) == 0 && !buf_has(&b, "\"d\"") &&
          buf_has(&b, "\"crv\":\"P-384\""));
    prova_buf_free(&b);
    CHECK(prova_key_to_jwks((const prova_key *const *)keys, 3, &b) == PROVA_EINVAL && b.len == 0);
    CHECK(prova_key_to_jwks(NULL, 1, &b) == PROVA_EINVAL &&
          prova_key_to_jwks((const prova_key *const *)keys, 1, NULL) == PROVA_EINVAL);
    prova_buf_free(&b);
    prova_key_free(keys[0]);
    prova_key_free(keys[1]);
}

/* ---- arguments ----------------------------------------------------------------------------------------- */

static void test_arguments(void) {
    prova_key *k = NULL;
    uint8_t seed[32] = {0}, sig[PROVA_SIG_MAX_BYTES];
    size_t sl;
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_key_from_ed25519_seed(seed, &k) == 0);
    CHECK(prova_key_free(NULL) == NULL);
    CHECK(prova_key_generate((prova_sig_alg)9, &k) == PROVA_EINVAL &&
          prova_key_generate(PROVA_SIG_ED25519, NULL) == PROVA_EINVAL);
    CHECK(prova_key_from_ed25519_seed(NULL, &k) == PROVA_EINVAL &&
          prova_key_from_ed25519_seed(seed, NULL) == PROVA_EINVAL);
    CHECK(prova_key_from_ed25519_public(NULL, &k) == PROVA_EINVAL);
    CHECK(prova_key_kid(NULL)[0] == '\0' && !prova_key_is_private(NULL) && prova_sig_name(prova_key_alg(NULL)) == NULL);
    CHECK(prova_key_public_raw(NULL, seed, 32) == 0 && prova_key_public_raw(k, NULL, 32) == 0);
    CHECK(prova_key_sign(NULL, "a", 1, sig, &sl) == PROVA_EINVAL &&
          prova_key_sign(k, NULL, 1, sig, &sl) == PROVA_EINVAL &&
          prova_key_sign(k, "a", 1, NULL, &sl) == PROVA_EINVAL && prova_key_sign(k, "a", 1, sig, NULL) == PROVA_EINVAL);
    CHECK(prova_key_verify(NULL, "a", 1, sig, 64) == PROVA_EINVAL &&
          prova_key_verify(k, NULL, 1, sig, 64) == PROVA_EINVAL &&
          prova_key_verify(k, "a", 1, NULL, 64) == PROVA_EINVAL);
    CHECK(prova_key_from_jwk(NULL, 1, &k, NULL) == PROVA_EINVAL &&
          prova_key_from_jwk("{}", 2, NULL, NULL) == PROVA_EINVAL);
    CHECK(prova_key_from_jwk_value(NULL, &k, NULL) == PROVA_EINVAL);
    CHECK(prova_key_to_jwk(NULL, true, &b) == PROVA_EINVAL && prova_key_to_jwk(k, true, NULL) == PROVA_EINVAL);
    CHECK(prova_key_from_pem(NULL, 1, &k, NULL) == PROVA_EINVAL &&
          prova_key_from_pem("x", 1, NULL, NULL) == PROVA_EINVAL);
    CHECK(prova_key_to_pem(NULL, true, &b) == PROVA_EINVAL && prova_key_to_pem(k, true, NULL) == PROVA_EINVAL);
    CHECK(prova_key_from_spki_der(NULL, 1, &k, NULL) == PROVA_EINVAL &&
          prova_key_from_spki_hex(NULL, 1, &k, NULL) == PROVA_EINVAL);
    CHECK(prova_key_to_spki_der(NULL, &b) == PROVA_EINVAL && prova_key_to_spki_der(k, NULL) == PROVA_EINVAL);
    CHECK(prova_key_from_text(NULL, 1, &k, NULL) == PROVA_EINVAL &&
          prova_key_from_text("x", 1, NULL, NULL) == PROVA_EINVAL);
    CHECK(b.len == 0);
    prova_buf_free(&b);
    prova_key_free(k);
}

int main(void) {
    test_hashes();
    test_hmac();
    test_random();
    test_names();
    test_ed25519_kid_zero_seed();
    test_openexecution_ed25519();
    test_openexecution_ed448();
    test_openexecution_p256();
    test_ed25519_strict();
    test_ed448_points();
    test_roundtrips();
    test_jwk();
    test_pem_spki_text();
    test_key_files();
    test_jwks();
    test_arguments();
    TEST_SUMMARY();
}
