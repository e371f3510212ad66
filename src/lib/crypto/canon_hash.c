/* The digest of canonical bytes: canonicalize into a scratch buffer, hash it, free it. */
#include "prova/crypto.h"

static int hash_buf(prova_buf *b, prova_hash_alg alg, uint8_t out[PROVA_HASH_MAX_BYTES]) {
    int r = prova_hash_compute(alg, b->data ? b->data : (const uint8_t *)"", b->len, out);
    prova_buf_free(b);
    return r;
}

int prova_canon_hash(const prova_json *v, prova_profile p, prova_hash_alg alg, uint8_t out[PROVA_HASH_MAX_BYTES],
                     prova_error *reterr) {
    if (!v || !out || (unsigned)alg >= PROVA_HASH_ALG_COUNT) return PROVA_EINVAL;
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_canon_write(v, p, &b, reterr);
    if (r < 0) {
        prova_buf_free(&b);
        return r;
    }
    return hash_buf(&b, alg, out);
}

int prova_canon_bytes_hash(const void *data, size_t len, prova_profile p, const prova_parse_options *opts,
                           prova_hash_alg alg, uint8_t out[PROVA_HASH_MAX_BYTES], prova_error *reterr) {
    if ((!data && len) || !out || (unsigned)alg >= PROVA_HASH_ALG_COUNT) return PROVA_EINVAL;
    prova_buf b = PROVA_BUF_INIT;
    int r = prova_canon_bytes(data, len, p, opts, &b, reterr);
    if (r < 0) {
        prova_buf_free(&b);
        return r;
    }
    return hash_buf(&b, alg, out);
}
