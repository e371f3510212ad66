/* libFuzzer target: the tlog layer's parsers and verifiers on arbitrary bytes (prova/merkle.h): tile paths, entry
 * bundles, inclusion and consistency proof verification, and reading a hash out of tile data.
 * Invariants: no crash, leak or UB; a path that parses formats back to the same bytes; a bundle that decodes
 * encodes back to the same bytes; a proof that verifies has the length its sizes need. */
#include <string.h>

#include "fuzz.h"

#include "prova/merkle.h"

static uint64_t u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    prova_error err;
    prova_tile t;
    if (prova_tile_path_parse((const char *)data, size, &t, &err) == 0) {
        char path[PROVA_TILE_PATH_MAX];
        size_t n;
        ASSERT(prova_tile_path_format(&t, path, &n) == 0 && n == size && memcmp(path, data, n) == 0);
    }

    prova_tile_entry e[PROVA_TILE_WIDTH];
    size_t n;
    if (prova_tile_bundle_decode(data, size, 0, e, PROVA_TILE_WIDTH, &n, &err) == 0) {
        prova_buf b = PROVA_BUF_INIT;
        ASSERT(prova_tile_bundle_encode(e, n, &b, &err) == 0 && b.len == size && memcmp(b.data, data, size) == 0);
        prova_buf_free(&b);
    }

    /* Proofs: two 8-byte numbers, then 32-byte hashes (the first one or two are the leaf/roots). */
    if (size >= 16 + 2 * PROVA_MERKLE_HASH_BYTES) {
        uint64_t a = u64(data), b = u64(data + 8);
        const uint8_t(*h)[PROVA_MERKLE_HASH_BYTES] = (const uint8_t(*)[PROVA_MERKLE_HASH_BYTES])(data + 16);
        size_t nh = (size - 16) / PROVA_MERKLE_HASH_BYTES;
        /* Small sizes too, so that the proof lengths can match. */
        uint64_t sa = a % 4096, sb = b % 4096;
        for (int round = 0; round < 2; round++) {
            uint64_t x = round ? a : sa, y = round ? b : sb;
            if (prova_merkle_inclusion_verify(x, y, h[0], h + 2, nh - 2, h[1], &err) == 0) ASSERT(x < y);
            if (prova_merkle_consistency_verify(x, y, h[0], h[1], h + 2, nh - 2, &err) == 0) ASSERT(x <= y && x > 0);
        }
        prova_tile tile = {(int)(data[0] % 64), u64(data) >> 8, 1 + data[1] % 256};
        uint8_t out[PROVA_MERKLE_HASH_BYTES];
        size_t len = (size - 16) / PROVA_MERKLE_HASH_BYTES * PROVA_MERKLE_HASH_BYTES;
        if (prova_tile_hash_read(&tile, data + 16, len, data[2] % 70, u64(data + 8), out, &err) == 0)
            ASSERT(len == tile.width * PROVA_MERKLE_HASH_BYTES);
        prova_tile_for_hash(a, data[3] % 70, b, &tile, &err);
    }
    return 0;
}
