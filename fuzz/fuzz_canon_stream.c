/* libFuzzer target: prova_canon_stream against prova_canon_bytes. Invariant: for every input, profile and size,
 * the same bytes, or the same error (status, reason, offset, pointer); no crash, leak or UB. The first byte picks
 * the internal sizes (tiny ones send small inputs down the paths of big documents) and the lenient flags. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/json.h"

int prova__canon_stream_tuned(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                              size_t small, size_t flush, prova_canon_write_fn write, void *ctx, prova_error *reterr);

static int collect(void *ctx, const void *data, size_t len) {
    return prova_buf_append(ctx, data, len) < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    static const size_t smalls[] = {0, 1, 2, 5, 16, 64, 512, 65536};
    size_t small = smalls[sel & 7], flush = (sel & 8) ? 1 : 4096;
    prova_parse_options o = {.max_depth = 64 + (sel >> 6), .max_members = (sel & 32) ? 4 : 0};
    if (sel & 16) o.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
    for (int p = PROVA_PROFILE_OPE; p <= PROVA_PROFILE_JCS; p++) {
        prova_buf want = PROVA_BUF_INIT, got = PROVA_BUF_INIT;
        prova_error we, ge;
        int wr = prova_canon_bytes(data, size, (prova_profile)p, &o, &want, &we);
        int gr = prova__canon_stream_tuned(data, size, (prova_profile)p, &o, small, flush, collect, &got, &ge);
        ASSERT(wr == gr);
        if (wr == 0) {
            ASSERT(want.len == got.len && memcmp(want.data, got.data, want.len) == 0);
        } else {
            ASSERT(we.status == ge.status && strcmp(we.reason, ge.reason) == 0);
            ASSERT(we.offset == ge.offset && strcmp(we.pointer, ge.pointer) == 0);
        }
        prova_buf_free(&want);
        prova_buf_free(&got);
    }
    return 0;
}
