/* prova/compress.h: round trips, detection, concatenated frames and members, skippable frames, truncation,
 * corruption, trailing data, and bombs stopped by the size and ratio limits with bounded memory. The independent
 * peers (the zstd and gzip commands, Python's gzip module) are in tests/cli/test_compress_cli.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/compress.h"

static const char *reason_of(const prova_error *e) {
    return e->reason ? e->reason : "(null)";
}

/* Decompresses in pieces of step bytes (0: whole). */
static int inflate_in_steps(const prova_buf *in, size_t step, const prova_decompress_options *o, prova_buf *out,
                            prova_error *err) {
    if (!step) return prova_decompress_write(in->data, in->len, o, out, err);
    prova_decompressor *d;
    int r = prova_decompress_new(o, &d, err);
    for (size_t at = 0; r == 0 && at < in->len; at += step)
        r = prova_decompress_update(d, in->data + at, in->len - at < step ? in->len - at : step, out, err);
    if (r == 0) r = prova_decompress_finish(d, err);
    prova_decompress_free(d);
    return r;
}

static void round_trip(prova_compression f, const uint8_t *data, size_t len) {
    prova_buf z = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_compress_write(data, len, f, 0, &z, &err) == 0);
    CHECK(prova_compress_detect(z.data, z.len) == f);
    size_t steps[] = {0, 1, 7, 4096};
    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
        prova_buf back = PROVA_BUF_INIT;
        int r = inflate_in_steps(&z, steps[s], NULL, &back, &err);
        CHECK_MSG(r == 0, "%s step %zu: %s", prova_compression_name(f), steps[s], reason_of(&err));
        CHECK(back.len == len && (len == 0 || memcmp(back.data, data, len) == 0));
        prova_buf_free(&back);
    }
    /* the streaming compressor, in pieces, gives data back too */
    prova_compressor *c;
    prova_buf zs = PROVA_BUF_INIT;
    CHECK(prova_compress_new(f, 1, &c, &err) == 0);
    for (size_t at = 0; at < len; at += 1000)
        CHECK(prova_compress_update(c, data + at, len - at < 1000 ? len - at : 1000, &zs, &err) == 0);
    CHECK(prova_compress_finish(c, &zs, &err) == 0);
    prova_compress_free(c);
    prova_buf back = PROVA_BUF_INIT;
    CHECK(prova_decompress_write(zs.data, zs.len, NULL, &back, &err) == 0);
    CHECK(back.len == len && (len == 0 || memcmp(back.data, data, len) == 0));
    prova_buf_free(&back);
    prova_buf_free(&zs);
    prova_buf_free(&z);
}

static void expect_fail(const char *what, const void *data, size_t len, const prova_decompress_options *o, int status,
                        const char *reason) {
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&out, "keep", 4) == 0);
    prova_error err;
    int r = prova_decompress_write(data, len, o, &out, &err);
    CHECK_MSG(r == status, "%s: status %d, want %d (%s)", what, r, status, reason_of(&err));
    CHECK_MSG(r < 0 && strcmp(reason_of(&err), reason) == 0, "%s: reason %s, want %s", what, reason_of(&err), reason);
    CHECK_MSG(out.len == 4, "%s: output not restored (%zu)", what, out.len); /* restored on failure */
    prova_buf_free(&out);
}

int main(void) {
    prova_error err;
    /* names and detection */
    prova_compression c;
    CHECK(prova_compression_lookup("ZSTD", &c) == 0 && c == PROVA_COMPRESSION_ZSTD);
    CHECK(prova_compression_lookup("x-gzip", &c) == 0 && c == PROVA_COMPRESSION_GZIP);
    CHECK(prova_compression_lookup("identity", &c) == 0 && c == PROVA_COMPRESSION_NONE);
    CHECK(prova_compression_lookup("br", &c) == PROVA_EUNSUPPORTED);
    CHECK_STR(prova_compression_name(PROVA_COMPRESSION_ZSTD), "zstd");
    CHECK(prova_compress_detect("\x1f\x8b", 2) == PROVA_COMPRESSION_GZIP);
    CHECK(prova_compress_detect("\x28\xb5\x2f\xfd", 4) == PROVA_COMPRESSION_ZSTD);
    CHECK(prova_compress_detect("\x5a\x2a\x4d\x18", 4) == PROVA_COMPRESSION_ZSTD);
    CHECK(prova_compress_detect("\x28\xb5\x2f", 3) == PROVA_COMPRESSION_NONE);
    CHECK(prova_compress_detect("{\"a\":1}", 7) == PROVA_COMPRESSION_NONE);

    /* round trips, empty and not, in pieces */
    size_t n = 300000;
    uint8_t *data = malloc(n);
    for (size_t i = 0; i < n; i++) data[i] = (uint8_t)((i * 2654435761u) >> 13 ^ (i % 7 == 0 ? 'x' : 'a'));
    for (int f = 1; f <= 2; f++) {
        round_trip((prova_compression)f, data, n);
        round_trip((prova_compression)f, data, 0);
        round_trip((prova_compression)f, (const uint8_t *)"{}", 2);
    }
    /* levels */
    prova_buf z = PROVA_BUF_INIT;
    CHECK(prova_compress_write("x", 1, PROVA_COMPRESSION_GZIP, 10, &z, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "compression_level_invalid");
    CHECK(prova_compress_write("x", 1, PROVA_COMPRESSION_ZSTD, 23, &z, &err) == PROVA_EINVAL);
    CHECK(prova_compress_write("x", 1, PROVA_COMPRESSION_NONE, 0, &z, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "compression_unknown");
    CHECK(z.len == 0);

    /* concatenated frames / members, and a skippable frame between zstd frames */
    for (int f = 1; f <= 2; f++) {
        prova_buf cat = PROVA_BUF_INIT, back = PROVA_BUF_INIT;
        CHECK(prova_compress_write("ab", 2, (prova_compression)f, 0, &cat, &err) == 0);
        if (f == PROVA_COMPRESSION_ZSTD) CHECK(prova_buf_append(&cat, "\x50\x2a\x4d\x18\x03\x00\x00\x00xyz", 11) == 0);
        CHECK(prova_compress_write("cd", 2, (prova_compression)f, 9, &cat, &err) == 0);
        CHECK(inflate_in_steps(&cat, 1, NULL, &back, &err) == 0);
        CHECK(back.len == 4 && memcmp(back.data, "abcd", 4) == 0);
        /* trailing bytes that start no frame or member */
        CHECK(prova_buf_append(&cat, "garbage!", 8) == 0);
        expect_fail("trailing", cat.data, cat.len, NULL, PROVA_ESYNTAX, "compressed_trailing_data");
        /* truncated anywhere inside: never a success */
        prova_buf one = PROVA_BUF_INIT;
        CHECK(prova_compress_write(data, 5000, (prova_compression)f, 0, &one, &err) == 0);
        for (size_t cut = 0; cut < one.len; cut += (cut < 40 ? 1 : 97))
            expect_fail("truncated", one.data, cut, NULL, PROVA_ESYNTAX, "compressed_truncated");
        /* a flipped byte in the body or in the checksum */
        one.data[one.len / 2] ^= 0x55;
        prova_buf bad = PROVA_BUF_INIT;
        CHECK(prova_decompress_write(one.data, one.len, NULL, &bad, &err) == PROVA_ESYNTAX);
        CHECK_STR(reason_of(&err), "compressed_corrupt");
        one.data[one.len / 2] ^= 0x55;
        one.data[one.len - 2] ^= 0x01;
        CHECK(prova_decompress_write(one.data, one.len, NULL, &bad, &err) == PROVA_ESYNTAX);
        CHECK_STR(reason_of(&err), "compressed_corrupt");
        /* the format asked for */
        prova_decompress_options want = {.format = f == 1 ? PROVA_COMPRESSION_ZSTD : PROVA_COMPRESSION_GZIP};
        one.data[one.len - 2] ^= 0x01;
        expect_fail("mismatch", one.data, one.len, &want, PROVA_ESYNTAX, "compressed_format_mismatch");
        prova_buf_free(&bad);
        prova_buf_free(&one);
        prova_buf_free(&cat);
        prova_buf_free(&back);
    }
    expect_fail("plain", "{\"a\":1}", 7, NULL, PROVA_EUNSUPPORTED, "compression_unknown");
    expect_fail("empty", "", 0, NULL, PROVA_ESYNTAX, "compressed_truncated");
    prova_decompress_options gz = {.format = PROVA_COMPRESSION_GZIP};
    expect_fail("plain as gzip", "{\"a\":1}", 7, &gz, PROVA_ESYNTAX, "compressed_format_mismatch");

    /* bombs: 64 MiB of zeros compress to a few KB; the limits stop them after about one chunk of output */
    size_t big = (size_t)64 << 20;
    uint8_t *zeros = calloc(1, big);
    for (int f = 1; f <= 2; f++) {
        prova_buf bomb = PROVA_BUF_INIT;
        CHECK(prova_compress_write(zeros, big, (prova_compression)f, 9, &bomb, &err) == 0);
        CHECK(bomb.len < 200000);
        prova_decompress_options size_only = {.max_size = 1 << 20, .max_ratio = SIZE_MAX};
        expect_fail("bomb size", bomb.data, bomb.len, &size_only, PROVA_ELIMIT, "decompressed_too_large");
        expect_fail("bomb ratio", bomb.data, bomb.len, NULL, PROVA_ELIMIT, "compression_ratio_exceeded");
        /* the output buffer stays near the limit */
        prova_buf out = PROVA_BUF_INIT;
        CHECK(prova_decompress_write(bomb.data, bomb.len, &size_only, &out, &err) == PROVA_ELIMIT);
        CHECK_MSG(out.cap <= (size_t)4 << 20, "capacity %zu", out.cap);
        CHECK(err.offset <= bomb.len);
        /* with limits that fit, it is fine */
        prova_decompress_options roomy = {.max_size = big, .max_ratio = SIZE_MAX};
        CHECK(prova_decompress_write(bomb.data, bomb.len, &roomy, &out, &err) == 0 && out.len == big);
        prova_decompress_options tight = {.max_size = big - 1, .max_ratio = SIZE_MAX};
        out.len = 0;
        CHECK(prova_decompress_write(bomb.data, bomb.len, &tight, &out, &err) == PROVA_ELIMIT);
        prova_buf_free(&out);
        prova_buf_free(&bomb);
    }
    /* a zstd frame header claiming 1 TiB (single segment, 8-byte content size) is refused at its header */
    const uint8_t liar[] = {0x28, 0xb5, 0x2f, 0xfd, 0xe4, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0x00, 0x00};
    expect_fail("claimed size", liar, sizeof liar, NULL, PROVA_ELIMIT, "decompressed_too_large");
    /* a frame asking for a 2 GiB window (window descriptor exponent 21: 2^(10+21)) is refused before allocating */
    const uint8_t wide[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa8, 0x01, 0x00, 0x00};
    expect_fail("window", wide, sizeof wide, NULL, PROVA_ELIMIT, "compressed_window_too_large");
    /* a frame that declares 31 bytes and holds none is corrupt however its input is cut (libzstd 1.5.4 lets it
     * through when fed a byte at a time; the decoder checks the declared size itself) */
    const uint8_t short_frame[] = {0x28, 0xb5, 0x2f, 0xfd, 0x30, 0x1f, 0x01, 0x00, 0x00};
    for (size_t step = 0; step <= 9; step++) {
        prova_buf in = {(uint8_t *)(uintptr_t)short_frame, sizeof short_frame, sizeof short_frame, NULL},
                  o2 = PROVA_BUF_INIT;
        CHECK_MSG(inflate_in_steps(&in, step, NULL, &o2, &err) == PROVA_ESYNTAX &&
                      strcmp(reason_of(&err), "compressed_corrupt") == 0,
                  "short frame in steps of %zu: %s", step, reason_of(&err));
        prova_buf_free(&o2);
    }
    /* one to three bytes after the last frame or member are trailing data, whole or a byte at a time */
    for (int f = 1; f <= 2; f++)
        for (size_t extra = 1; extra <= 3; extra++)
            for (size_t step = 0; step <= 1; step++) {
                prova_buf t = PROVA_BUF_INIT, o2 = PROVA_BUF_INIT;
                CHECK(prova_compress_write("{}", 2, (prova_compression)f, 0, &t, &err) == 0);
                CHECK(prova_buf_append(&t, "\x1f\x28\xb5", extra) == 0);
                CHECK_MSG(inflate_in_steps(&t, step, NULL, &o2, &err) == PROVA_ESYNTAX &&
                              strcmp(reason_of(&err), "compressed_trailing_data") == 0,
                          "%s + %zu bytes, step %zu: %s", prova_compression_name((prova_compression)f), extra, step,
                          reason_of(&err));
                prova_buf_free(&o2);
                prova_buf_free(&t);
            }
    /* sticky errors: after one, every call says the same */
    prova_decompressor *d;
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_decompress_new(NULL, &d, &err) == 0);
    CHECK(prova_decompress_update(d, "nope", 4, &out, &err) == PROVA_EUNSUPPORTED);
    CHECK(prova_decompress_update(d, "\x1f\x8b", 2, &out, &err) == PROVA_EUNSUPPORTED);
    CHECK(prova_decompress_finish(d, &err) == PROVA_EUNSUPPORTED);
    CHECK_STR(reason_of(&err), "compression_unknown");
    prova_decompress_free(d);
    CHECK(prova_decompress_free(NULL) == NULL && prova_compress_free(NULL) == NULL);
    prova_buf_free(&out);
    prova_buf_free(&z);
    free(zeros);
    free(data);
    TEST_SUMMARY();
}
