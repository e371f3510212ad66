/* RFC 8032 test vectors, checked byte for byte through prova's public API.
 *
 * SPEC: RFC 8032 §7.1 (Ed25519): TEST 1, TEST 2, TEST 3, TEST 1024 (whose message is 1023 octets long, as
 * printed in the RFC) and TEST SHA(abc); §7.4 (Ed448): "Blank" and "1 octet" (empty context).
 *
 * For each vector: the secret key gives exactly the public key; signing gives exactly the signature; the
 * signature verifies under the private key and under the public key alone (loaded from raw bytes or JWK);
 * and flipping any single bit of the signature, or the message, makes verification fail.
 * Prints "N passed, M failed" last; exit status 0 only when nothing failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"

typedef struct vector {
    const char *name;
    prova_sig_alg alg;
    const char *secret;
    const char *public_key;
    const char *message;
    const char *signature;
} vector;

static const vector vectors[] = {
    {"RFC 8032 7.1 TEST 1", PROVA_SIG_ED25519, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe246"
     "5"
     "5141438e7a100b"},
    {"RFC 8032 7.1 TEST 2", PROVA_SIG_ED25519, "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
     "b00d291612bb0c00"},
    {"RFC 8032 7.1 TEST 3", PROVA_SIG_ED25519, "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28d"
     "c027beceea1ec40a"},
    {"RFC 8032 7.1 TEST 1024", PROVA_SIG_ED25519, "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
     "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
     "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
     "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
     "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
     "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
     "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
     "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
     "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
     "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
     "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
     "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
     "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
     "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
     "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
     "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
     "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
     "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
     "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
     "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
     "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
     "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
     "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
     "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
     "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
     "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
     "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
     "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
     "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
     "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
     "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
     "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6"
     "ac00a9704a188a03"},
    {"RFC 8032 7.1 TEST SHA(abc)", PROVA_SIG_ED25519,
     "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e"
     "2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17a"
     "d9bef1177331a704"},
    {"RFC 8032 7.4 Ed448 Blank", PROVA_SIG_ED448,
     "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f9"
     "5b",
     "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe82561"
     "80",
     "",
     "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd39"
     "80ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e65"
     "2600"},
    {"RFC 8032 7.4 Ed448 1 octet", PROVA_SIG_ED448,
     "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a1227"
     "4e",
     "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a94"
     "80",
     "03",
     "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779"
     "805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c0"
     "3a00"},
};

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    if (prova_hex_decode(hex, strlen(hex), out, cap, &n, NULL) != 0) {
        printf("bad vector hex\n");
        exit(2);
    }
    return n;
}

/* A JWK built from raw bytes: {"crv":..., "d":..., "kty":"OKP", "x":...}. */
static prova_key *jwk_key(const char *crv, const uint8_t *d, size_t dn, const uint8_t *x, size_t xn) {
    char db[100], xb[100], json[400];
    prova_base64url_encode(x, xn, xb, sizeof xb);
    if (d) {
        prova_base64url_encode(d, dn, db, sizeof db);
        snprintf(json, sizeof json, "{\"crv\":\"%s\",\"d\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}", crv, db, xb);
    } else {
        snprintf(json, sizeof json, "{\"crv\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}", crv, xb);
    }
    prova_key *k = NULL;
    prova_error err;
    if (prova_key_from_jwk(json, strlen(json), &k, &err) != 0) {
        printf("  JWK rejected: %s\n", err.reason);
        return NULL;
    }
    return k;
}

static void run(const vector *v) {
    uint8_t secret[64], pub[64], sig[PROVA_SIG_MAX_BYTES], want[PROVA_SIG_MAX_BYTES];
    uint8_t *msg = malloc(2048);
    if (!msg) exit(2);
    size_t sn = unhex(v->secret, secret, sizeof secret);
    size_t pn = unhex(v->public_key, pub, sizeof pub);
    size_t mn = unhex(v->message, msg, 2048);
    size_t wn = unhex(v->signature, want, sizeof want);
    bool ed25519 = v->alg == PROVA_SIG_ED25519;
    const char *crv = ed25519 ? "Ed25519" : "Ed448";
    int before = test_failed;

    prova_key *k = ed25519 ? NULL : jwk_key(crv, secret, sn, pub, pn);
    if (ed25519) CHECK(prova_key_from_ed25519_seed(secret, &k) == 0);
    CHECK(k != NULL);
    if (!k) {
        free(msg);
        return;
    }
    /* secret -> public */
    uint8_t got[64];
    CHECK(prova_key_public_raw(k, got, sizeof got) == pn && memcmp(got, pub, pn) == 0);
    /* the signature, byte for byte */
    size_t sl = 0;
    CHECK(prova_key_sign(k, msg, mn, sig, &sl) == 0 && sl == wn && memcmp(sig, want, wn) == 0);
    CHECK(prova_key_verify(k, msg, mn, want, wn) == 0);
    /* the public key alone: raw (Ed25519) and JWK */
    prova_key *p = NULL;
    if (ed25519) {
        CHECK(prova_key_from_ed25519_public(pub, &p) == 0);
        CHECK(p && prova_key_verify(p, msg, mn, want, wn) == 0);
        prova_key_free(p);
    }
    p = jwk_key(crv, NULL, 0, pub, pn);
    CHECK(p && !prova_key_is_private(p) && prova_key_verify(p, msg, mn, want, wn) == 0);
    /* any single flipped bit of the signature fails */
    int accepted = 0;
    for (size_t bit = 0; p && bit < wn * 8; bit++) {
        memcpy(sig, want, wn);
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (prova_key_verify(p, msg, mn, sig, wn) != PROVA_EVERIFY) accepted++;
    }
    CHECK(accepted == 0);
    /* a changed or extended message fails */
    if (p && mn > 0) {
        msg[mn - 1] ^= 1;
        CHECK(prova_key_verify(p, msg, mn, want, wn) == PROVA_EVERIFY);
        msg[mn - 1] ^= 1;
    }
    msg[mn] = 0;
    CHECK(p && prova_key_verify(p, msg, mn + 1, want, wn) == PROVA_EVERIFY);
    /* a wrong length never verifies */
    CHECK(p && prova_key_verify(p, msg, mn, want, wn - 1) == PROVA_EVERIFY);
    prova_key_free(p);
    prova_key_free(k);
    free(msg);
    printf("%s %s\n", test_failed == before ? "ok  " : "FAIL", v->name);
}

int main(void) {
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) run(&vectors[i]);
    TEST_SUMMARY();
}
