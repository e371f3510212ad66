/* Unit tests for prova/encoding.h: strict hex, base64 (RFC 4648 §4), base64url (RFC 4648 §5), prova_ct_equal,
 * prova_mem_wipe. Vectors: RFC 4648 §10. Independent reference: libsodium's codecs on random inputs.
 * Prints one line per failure and "N passed, M failed" last; exit status 0 only when nothing failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "codec.h" /* prova__base64_decode_public */
#include "harness.h"
#include "prova/encoding.h"

/* ---- hex ----------------------------------------------------------------------------------------------- */

static void test_hex_encode(void) {
    char out[16];
    memset(out, 'X', sizeof out);
    CHECK(prova_hex_encode("\x00\xff\x10\xab", 4, out, sizeof out) == 8);
    CHECK(memcmp(out, "00ff10ab", 9) == 0); /* NUL written: cap allows */
    memset(out, 'X', sizeof out);
    CHECK(prova_hex_encode("\x01\x02", 2, out, 4) == 4);
    CHECK(memcmp(out, "0102X", 5) == 0); /* exact cap: no NUL */
    CHECK(prova_hex_encode("\x01\x02", 2, out, 3) == 0);
    CHECK(prova_hex_encode(NULL, 2, out, 16) == 0);
    CHECK(prova_hex_encode("a", 1, NULL, 16) == 0);
    out[0] = 'X';
    CHECK(prova_hex_encode("", 0, out, 16) == 0 && out[0] == '\0');
    CHECK(prova_hex_encode(NULL, 0, out, 16) == 0);
    /* every byte value */
    uint8_t all[256];
    char hex[513];
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    CHECK(prova_hex_encode(all, 256, hex, sizeof hex) == 512);
    char ref[513];
    sodium_bin2hex(ref, sizeof ref, all, 256);
    CHECK(strcmp(hex, ref) == 0);
}

static void test_hex_decode(void) {
    uint8_t out[8];
    size_t n = 99;
    prova_error err;
    CHECK(prova_hex_decode("00FFaB10", 8, out, sizeof out, &n, &err) == 0);
    CHECK(n == 4 && memcmp(out, "\x00\xff\xab\x10", 4) == 0);
    CHECK(prova_hex_decode("", 0, out, sizeof out, &n, &err) == 0 && n == 0);
    CHECK(prova_hex_decode(NULL, 0, NULL, 0, &n, &err) == 0 && n == 0);

    /* odd length */
    CHECK(prova_hex_decode("abc", 3, out, sizeof out, &n, &err) == PROVA_ESYNTAX);
    CHECK(strcmp(err.reason, "hex_invalid") == 0 && err.offset == 3 && err.status == PROVA_ESYNTAX);
    /* bad characters, with their offsets */
    CHECK(prova_hex_decode("00g0", 4, out, sizeof out, &n, &err) == PROVA_ESYNTAX && err.offset == 2);
    CHECK(err.line == 1 && err.column == 3);
    CHECK(prova_hex_decode("00 0", 4, out, sizeof out, &n, &err) == PROVA_ESYNTAX && err.offset == 2);
    CHECK(prova_hex_decode("0000\n", 5, out, sizeof out, &n, &err) == PROVA_ESYNTAX && err.offset == 4);
    CHECK(prova_hex_decode("0x00", 4, out, sizeof out, &n, &err) == PROVA_ESYNTAX && err.offset == 1);
    CHECK(prova_hex_decode("00\0000", 4, out, sizeof out, &n, &err) == PROVA_ESYNTAX && err.offset == 2);
    CHECK(prova_hex_decode("ab", 2, out, sizeof out, &n, NULL) == 0); /* reterr optional */
    CHECK(prova_hex_decode("zz", 2, out, sizeof out, &n, NULL) == PROVA_ESYNTAX);

    /* every character: exactly 0-9 a-f A-F are digits */
    int wrong = 0;
    for (int c = 0; c < 256; c++) {
        char in[2] = {(char)c, '0'};
        int r = prova_hex_decode(in, 2, out, sizeof out, &n, NULL);
        bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (digit != (r == 0)) wrong++;
        if (digit && r == 0) {
            unsigned v = (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            if (out[0] != (uint8_t)(v << 4)) wrong++;
        }
    }
    CHECK(wrong == 0);

    /* too small: ENOSPACE and the size needed; output untouched */
    memset(out, 0xEE, sizeof out);
    n = 0;
    CHECK(prova_hex_decode("0102030405", 10, out, 4, &n, &err) == PROVA_ENOSPACE && n == 5);
    CHECK(out[0] == 0xEE);
    CHECK(prova_hex_decode("0102", 4, NULL, 0, &n, NULL) == PROVA_ENOSPACE && n == 2);
    /* a syntax error leaves the output untouched too */
    CHECK(prova_hex_decode("0102zz", 6, out, sizeof out, &n, NULL) == PROVA_ESYNTAX && out[0] == 0xEE);

    /* arguments */
    CHECK(prova_hex_decode("00", 2, out, sizeof out, NULL, NULL) == PROVA_EINVAL);
    CHECK(prova_hex_decode(NULL, 2, out, sizeof out, &n, NULL) == PROVA_EINVAL);
    CHECK(prova_hex_decode("00", 2, NULL, 4, &n, NULL) == PROVA_EINVAL);
}

/* ---- base64 -------------------------------------------------------------------------------------------- */

static const struct {
    const char *in, *b64, *b64url;
} rfc4648[] = {
    /* SPEC: RFC 4648 §10 */
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void test_base64_vectors(void) {
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const char *in = rfc4648[i].in;
        size_t n = strlen(in);
        char enc[32];
        uint8_t dec[32];
        size_t dn = 99;
        size_t el = strlen(rfc4648[i].b64);
        CHECK(PROVA_BASE64_LEN(n) == el);
        CHECK(prova_base64_encode(in, n, enc, sizeof enc) == el && strcmp(enc, rfc4648[i].b64) == 0);
        CHECK(prova_base64_decode(rfc4648[i].b64, el, dec, sizeof dec, &dn, NULL) == 0 && dn == n &&
              memcmp(dec, in, n) == 0);
        size_t ul = strlen(rfc4648[i].b64url);
        CHECK(PROVA_BASE64URL_LEN(n) == ul);
        CHECK(prova_base64url_encode(in, n, enc, sizeof enc) == ul && strcmp(enc, rfc4648[i].b64url) == 0);
        CHECK(prova_base64url_decode(rfc4648[i].b64url, ul, dec, sizeof dec, &dn, NULL) == 0 && dn == n &&
              memcmp(dec, in, n) == 0);
        /* base64url accepts the padded form too */
        CHECK(prova_base64url_decode(rfc4648[i].b64, el, dec, sizeof dec, &dn, NULL) == 0 && dn == n);
    }
    /* the two alphabets */
    char enc[8];
    CHECK(prova_base64_encode("\xfb\xff", 2, enc, sizeof enc) == 4 && strcmp(enc, "+/8=") == 0);
    CHECK(prova_base64url_encode("\xfb\xff", 2, enc, sizeof enc) == 3 && strcmp(enc, "-_8") == 0);
    /* exact cap: no NUL written; too small: 0 */
    memset(enc, 'X', sizeof enc);
    CHECK(prova_base64_encode("f", 1, enc, 4) == 4 && enc[4] == 'X');
    CHECK(prova_base64_encode("f", 1, enc, 3) == 0);
    CHECK(prova_base64url_encode("f", 1, enc, 1) == 0);
    CHECK(prova_base64_encode(NULL, 1, enc, 8) == 0);
    CHECK(prova_base64_encode("f", 1, NULL, 8) == 0);
}

typedef int (*decode_fn)(const char *, size_t, void *, size_t, size_t *, prova_error *);

static int dec_status(decode_fn f, const char *s, size_t *ret_off) {
    uint8_t out[64];
    size_t n = 0;
    prova_error err;
    memset(&err, 0, sizeof err);
    int r = f(s, strlen(s), out, sizeof out, &n, &err);
    if (r == PROVA_ESYNTAX && ret_off) *ret_off = err.offset;
    if (r == PROVA_ESYNTAX && strcmp(err.reason, "base64_invalid") != 0) return 12345;
    return r;
}

static void test_base64_strict(void) {
    size_t off = 0;
    /* padding required for base64 */
    CHECK(dec_status(prova_base64_decode, "Zg", &off) == PROVA_ESYNTAX && off == 2);
    CHECK(dec_status(prova_base64_decode, "Zg=", &off) == PROVA_ESYNTAX && off == 3);
    CHECK(dec_status(prova_base64_decode, "Zm8", &off) == PROVA_ESYNTAX);
    /* too much or misplaced padding */
    CHECK(dec_status(prova_base64_decode, "Zg===", &off) == PROVA_ESYNTAX && off == 4);
    CHECK(dec_status(prova_base64_decode, "Zm8==", &off) == PROVA_ESYNTAX && off == 4);
    CHECK(dec_status(prova_base64_decode, "Zm9v=", &off) == PROVA_ESYNTAX && off == 4);
    CHECK(dec_status(prova_base64_decode, "Zg==Zg==", &off) == PROVA_ESYNTAX && off == 2);
    CHECK(dec_status(prova_base64_decode, "=Zg=", &off) == PROVA_ESYNTAX && off == 0);
    CHECK(dec_status(prova_base64_decode, "====", &off) == PROVA_ESYNTAX);
    CHECK(dec_status(prova_base64_decode, "=", &off) == PROVA_ESYNTAX);
    /* dangling single character */
    CHECK(dec_status(prova_base64_decode, "Z===", &off) == PROVA_ESYNTAX && off == 0);
    CHECK(dec_status(prova_base64url_decode, "Z", &off) == PROVA_ESYNTAX && off == 0);
    CHECK(dec_status(prova_base64url_decode, "Zm9vZ", &off) == PROVA_ESYNTAX && off == 4);
    /* non-zero trailing bits (RFC 4648 §3.5) */
    CHECK(dec_status(prova_base64_decode, "Zh==", &off) == PROVA_ESYNTAX && off == 1);
    CHECK(dec_status(prova_base64_decode, "Zm9=", &off) == PROVA_ESYNTAX && off == 2);
    CHECK(dec_status(prova_base64url_decode, "Zh", &off) == PROVA_ESYNTAX && off == 1);
    CHECK(dec_status(prova_base64url_decode, "Zm9", &off) == PROVA_ESYNTAX && off == 2);
    CHECK(dec_status(prova_base64_decode, "Zm8=", NULL) == 0);
    /* whitespace anywhere */
    CHECK(dec_status(prova_base64_decode, "Zm9v\n", &off) == PROVA_ESYNTAX && off == 4);
    CHECK(dec_status(prova_base64_decode, " Zm9v", &off) == PROVA_ESYNTAX && off == 0);
    CHECK(dec_status(prova_base64_decode, "Zm 9v", &off) == PROVA_ESYNTAX && off == 2);
    CHECK(dec_status(prova_base64_decode, "Zm9v\r\nZm9v", &off) == PROVA_ESYNTAX && off == 4);
    CHECK(dec_status(prova_base64url_decode, "Zm9v\t", &off) == PROVA_ESYNTAX && off == 4);
    /* wrong alphabet */
    CHECK(dec_status(prova_base64_decode, "-_8=", &off) == PROVA_ESYNTAX && off == 0);
    CHECK(dec_status(prova_base64url_decode, "+/8", &off) == PROVA_ESYNTAX && off == 0);
    CHECK(dec_status(prova_base64url_decode, "-_8", NULL) == 0);
    CHECK(dec_status(prova_base64_decode, "+/8=", NULL) == 0);
    CHECK(dec_status(prova_base64_decode, "Zm9.", &off) == PROVA_ESYNTAX && off == 3);
    /* base64url: padding optional but, when present, exact */
    CHECK(dec_status(prova_base64url_decode, "Zg", NULL) == 0);
    CHECK(dec_status(prova_base64url_decode, "Zg==", NULL) == 0);
    CHECK(dec_status(prova_base64url_decode, "Zg=", &off) == PROVA_ESYNTAX);
    CHECK(dec_status(prova_base64url_decode, "Zm8=", NULL) == 0);
    CHECK(dec_status(prova_base64url_decode, "Zm8==", &off) == PROVA_ESYNTAX);
    CHECK(dec_status(prova_base64url_decode, "Zm9v=", &off) == PROVA_ESYNTAX);

    /* every character: the alphabet is exactly A-Z a-z 0-9 + / (std) or - _ (url) */
    int wrong = 0;
    for (int c = 0; c < 256; c++) {
        char in[5] = {'A', 'A', 'A', (char)c, 0};
        uint8_t out[4];
        size_t n;
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        bool in_std = alnum || c == '+' || c == '/';
        bool in_url = alnum || c == '-' || c == '_';
        int rs = prova_base64_decode(in, 4, out, sizeof out, &n, NULL);
        int ru = prova_base64url_decode(in, 4, out, sizeof out, &n, NULL);
        if (c == '=') { /* "AAA=" is a valid padded encoding of 2 bytes */
            if (rs != 0 || ru != 0) wrong++;
            continue;
        }
        if (in_std != (rs == 0)) wrong++;
        if (in_url != (ru == 0)) wrong++;
    }
    CHECK(wrong == 0);

    /* ENOSPACE reports the size; the output is untouched on every error */
    uint8_t out[4];
    size_t n = 0;
    memset(out, 0xEE, sizeof out);
    CHECK(prova_base64_decode("Zm9vYmFy", 8, out, 4, &n, NULL) == PROVA_ENOSPACE && n == 6 && out[0] == 0xEE);
    CHECK(prova_base64_decode("Zm9v", 4, NULL, 0, &n, NULL) == PROVA_ENOSPACE && n == 3);
    CHECK(prova_base64_decode("Zm9vZh==", 8, out, 4, &n, NULL) == PROVA_ESYNTAX && out[0] == 0xEE);
    CHECK(prova_base64_decode("Zm9v", 4, out, 4, NULL, NULL) == PROVA_EINVAL);
    CHECK(prova_base64url_decode(NULL, 4, out, 4, &n, NULL) == PROVA_EINVAL);
    CHECK(prova_base64url_decode("", 0, out, 4, &n, NULL) == 0 && n == 0);
}

/* Random inputs: round trips, and the same output as libsodium's (independent) encoders. */
static void test_random_roundtrip(void) {
    int bad = 0;
    for (int iter = 0; iter < 2000; iter++) {
        uint8_t in[200], dec[200];
        size_t n = (size_t)randombytes_uniform(200);
        randombytes_buf(in, n);
        char enc[512], ref[512];
        size_t dn = 0;

        size_t el = prova_base64_encode(in, n, enc, sizeof enc);
        sodium_bin2base64(ref, sizeof ref, in, n, sodium_base64_VARIANT_ORIGINAL);
        if (el != strlen(ref) || strcmp(enc, ref) != 0) bad++;
        if (prova_base64_decode(enc, el, dec, sizeof dec, &dn, NULL) != 0 || dn != n || memcmp(dec, in, n) != 0) bad++;

        el = prova_base64url_encode(in, n, enc, sizeof enc);
        sodium_bin2base64(ref, sizeof ref, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        if (el != strlen(ref) || strcmp(enc, ref) != 0) bad++;
        if (prova_base64url_decode(enc, el, dec, sizeof dec, &dn, NULL) != 0 || dn != n || memcmp(dec, in, n) != 0)
            bad++;

        el = prova_hex_encode(in, n, enc, sizeof enc);
        sodium_bin2hex(ref, sizeof ref, in, n);
        if (el != 2 * n || strcmp(enc, ref) != 0) bad++;
        if (prova_hex_decode(enc, el, dec, sizeof dec, &dn, NULL) != 0 || dn != n || memcmp(dec, in, n) != 0) bad++;

        /* random strings: we accept exactly what libsodium's strict decoder accepts */
        size_t sl = (size_t)randombytes_uniform(12);
        static const char pool[] = "AZaz09+/-_=Qw \n.";
        for (size_t i = 0; i < sl; i++) enc[i] = pool[randombytes_uniform(sizeof pool - 1)];
        enc[sl] = '\0';
        size_t rn = 0;
        const char *end = NULL;
        int mine = prova_base64_decode(enc, sl, dec, sizeof dec, &dn, NULL);
        int theirs = sodium_base642bin(dec, sizeof dec, enc, sl, NULL, &rn, &end, sodium_base64_VARIANT_ORIGINAL);
        bool theirs_ok = theirs == 0 && end == enc + sl;
        if ((mine == 0) != theirs_ok) bad++;
        mine = prova_base64url_decode(enc, sl, dec, sizeof dec, &dn, NULL);
        theirs = sodium_base642bin(dec, sizeof dec, enc, sl, NULL, &rn, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        theirs_ok = theirs == 0 && end == enc + sl;
        int theirs_p = sodium_base642bin(dec, sizeof dec, enc, sl, NULL, &rn, &end, sodium_base64_VARIANT_URLSAFE);
        theirs_ok = theirs_ok || (theirs_p == 0 && end == enc + sl);
        if ((mine == 0) != theirs_ok) bad++;
    }
    CHECK(bad == 0);
}

/* An output buffer of exactly the encoded length (no room for a NUL) gets the same characters, and nothing is
 * written past it: every length of 1 to 40 bytes, the three encodings. */
static void test_exact_cap(void) {
    int bad = 0;
    for (size_t n = 1; n <= 40; n++) {
        uint8_t in[40];
        randombytes_buf(in, n);
        char big[128], exact[129];
        size_t (*enc[3])(const void *, size_t, char *, size_t) = {prova_hex_encode, prova_base64_encode,
                                                                  prova_base64url_encode};
        for (int e = 0; e < 3; e++) {
            size_t len = enc[e](in, n, big, sizeof big);
            memset(exact, 'X', sizeof exact);
            if (len == 0 || enc[e](in, n, exact, len) != len || memcmp(exact, big, len) != 0 || exact[len] != 'X')
                bad++;
        }
    }
    CHECK(bad == 0);
}

static void test_ct_and_wipe(void) {
    CHECK(prova_ct_equal("abc", "abc", 3));
    CHECK(!prova_ct_equal("abc", "abd", 3));
    CHECK(!prova_ct_equal("\x80", "\x00", 1));
    CHECK(prova_ct_equal("a", "b", 0));
    CHECK(prova_ct_equal(NULL, NULL, 0));
    CHECK(!prova_ct_equal(NULL, "a", 1));
    uint8_t big1[1000], big2[1000];
    randombytes_buf(big1, sizeof big1);
    memcpy(big2, big1, sizeof big1);
    CHECK(prova_ct_equal(big1, big2, sizeof big1));
    big2[999] ^= 1;
    CHECK(!prova_ct_equal(big1, big2, sizeof big1));
    prova_mem_wipe(big1, sizeof big1);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof big1; i++) nonzero |= big1[i];
    CHECK(nonzero == 0);
    prova_mem_wipe(NULL, 10); /* no-op */
    CHECK(1);
}

/* The decoder for public text (tlog hashes, signatures) answers exactly as the constant-time one: the same bytes, or
 * the same status, reason and offset, on random strings over the alphabet, '=' and a few strangers. */
static void test_base64_public_agrees(void) {
    static const char pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n*";
    char in[64];
    uint8_t a[64], b[64];
    unsigned disagree = 0, ok = 0;
    for (unsigned t = 0; t < 200000; t++) {
        size_t n = randombytes_uniform(sizeof in);
        for (size_t i = 0; i < n; i++) {
            /* Mostly alphabet characters, so that many strings decode. */
            uint32_t k = randombytes_uniform(100);
            in[i] = k < 95 ? pool[k % 64] : pool[64 + randombytes_uniform((uint32_t)sizeof pool - 65)];
        }
        size_t cap = randombytes_uniform(2) ? sizeof a : n / 2, la = 0, lb = 0;
        prova_error ea, eb;
        int ra = prova_base64_decode(in, n, a, cap, &la, &ea);
        int rb = prova__base64_decode_public(in, n, b, cap, &lb, &eb);
        if (ra == 0) ok++;
        if (ra != rb || la != lb || (ra == 0 && memcmp(a, b, la) != 0) ||
            (ra != 0 && (strcmp(ea.reason, eb.reason) != 0 || ea.offset != eb.offset)))
            disagree++;
    }
    CHECK_MSG(disagree == 0, "%u of 200000 strings decoded differently", disagree);
    CHECK_MSG(ok > 1000, "only %u strings were valid base64: the test proves little", ok);
}

int main(void) {
    if (sodium_init() < 0) {
        printf("sodium_init failed\n0 passed, 1 failed\n");
        return 1;
    }
    test_hex_encode();
    test_hex_decode();
    test_base64_vectors();
    test_base64_strict();
    test_random_roundtrip();
    test_exact_cap();
    test_ct_and_wipe();
    test_base64_public_agrees();
    TEST_SUMMARY();
}
