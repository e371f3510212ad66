/* libFuzzer target: the bounded decompressor (prova/compress.h). The first byte picks the options (the format
 * required or detected, a small or large size limit, a ratio limit or none, and the size of the pieces the stream
 * is fed in); the rest is the compressed input. Invariants: no crash, leak or UB; the one-shot and the streaming
 * decoder agree on the status, the reason and the bytes; a success is within max_size and the output buffer never
 * grew far past the limit; a failure restores the output and has one of the documented reasons; what decoded
 * compresses and decodes back to the same bytes. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/compress.h"

static const char *const reasons[] = {
    "decompressed_too_large",     "compression_ratio_exceeded", "compressed_window_too_large",
    "compressed_corrupt",         "compressed_truncated",       "compressed_trailing_data",
    "compressed_format_mismatch", "compression_unknown",        "out_of_memory",
};

static bool known_reason(const char *r) {
    for (size_t i = 0; r && i < sizeof reasons / sizeof *reasons; i++)
        if (strcmp(r, reasons[i]) == 0) return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    static const size_t steps[] = {0, 1, 3, 64, 4096, 0, 7, 100000};
    prova_decompress_options o = {
        .format = sel % 3,                                         /* auto, gzip, zstd */
        .max_size = (sel & 0x08) ? (size_t)1 << 20 : (size_t)4096, /* small limits keep each run fast */
        .max_ratio = (sel & 0x10) ? SIZE_MAX : 0,
        .ratio_floor = (sel & 0x20) ? 1 : 0,
    };
    size_t step = steps[(sel >> 5) & 7];

    prova_buf one = PROVA_BUF_INIT;
    prova_error e1;
    ASSERT(prova_buf_append(&one, "x", 1) == 0);
    int r1 = prova_decompress_write(data, size, &o, &one, &e1);
    if (r1 < 0) {
        ASSERT(one.len == 1); /* restored */
        ASSERT(known_reason(e1.reason));
        ASSERT(e1.offset <= size);
    } else {
        ASSERT(one.len - 1 <= o.max_size);
    }
    ASSERT(one.cap <= 2 * (o.max_size + ((size_t)256 << 10)) + 256);

    /* the same input fed in pieces */
    prova_decompressor *d = NULL;
    prova_buf two = PROVA_BUF_INIT;
    prova_error e2;
    ASSERT(prova_buf_append(&two, "x", 1) == 0);
    int r2 = prova_decompress_new(&o, &d, &e2);
    ASSERT(r2 == 0);
    size_t piece = step ? step : size ? size : 1;
    for (size_t at = 0; r2 == 0 && at < size; at += piece) {
        size_t before = two.len;
        r2 = prova_decompress_update(d, data + at, size - at < piece ? size - at : piece, &two, &e2);
        if (r2 < 0) ASSERT(two.len == before); /* the failing call's output is taken back */
    }
    if (r2 == 0) r2 = prova_decompress_finish(d, &e2);
    prova_decompress_free(d);
    if (r2 < 0) ASSERT(known_reason(e2.reason));
    /* The limits depend on how the input arrives (the ratio is checked against the bytes consumed so far, a frame
     * header's size only when it arrives whole); anything else does not. */
    if (r1 != PROVA_ELIMIT && r2 != PROVA_ELIMIT) {
        ASSERT(r1 == r2);
        if (r1 == 0)
            ASSERT(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
        else
            ASSERT(strcmp(e1.reason, e2.reason) == 0);
    }

    /* what decoded round-trips through the compressor */
    if (r1 == 0) {
        prova_compression f = (sel & 0x40) ? PROVA_COMPRESSION_ZSTD : PROVA_COMPRESSION_GZIP;
        prova_buf z = PROVA_BUF_INIT, back = PROVA_BUF_INIT;
        ASSERT(prova_compress_write(one.data + 1, one.len - 1, f, 1, &z, NULL) == 0);
        prova_decompress_options roomy = {.max_size = one.len + 1, .max_ratio = SIZE_MAX};
        ASSERT(prova_decompress_write(z.data, z.len, &roomy, &back, NULL) == 0);
        ASSERT(back.len == one.len - 1 && (back.len == 0 || memcmp(back.data, one.data + 1, back.len) == 0));
        prova_buf_free(&z);
        prova_buf_free(&back);
    }
    prova_buf_free(&one);
    prova_buf_free(&two);
    return 0;
}
