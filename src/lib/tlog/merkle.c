/* RFC 6962 / RFC 9162 Merkle trees: hashing, inclusion and consistency proofs (verify, and make from a reader of
 * perfect-subtree hashes), the root of a tree of any size.
 *
 * SPEC: RFC 9162 §2.1.1: "MTH({d(0)}) = SHA-256(0x00 || d(0))", "MTH(D_n) = SHA-256(0x01 || MTH(D[0:k]) ||
 * MTH(D[k:n])) where k is the largest power of two smaller than n", "MTH({}) = SHA-256()".
 *
 * SHA-256 is OpenSSL's low-level SHA256_Init/Update/Final, deprecated in OpenSSL 3 but not removed: on this kind of
 * machine (SHA-NI) it hashes the 1-block messages of a log (a short leaf, a 65-byte node) in ~105 ns, against ~200
 * ns for EVP with a pre-fetched SHA256 and a reused EVP_MD_CTX (which would also need state), ~320/560 ns for
 * libsodium's crypto_hash_sha256 (no SHA-NI) and ~500-800 ns for one-shot EVP_Digest/SHA256() (an implicit fetch
 * per call). Auditing a log is two hashes per leaf, so this is what `prova log audit` runs at. If a later OpenSSL
 * drops the low-level API, the fallback is EVP with a fetched digest kept in the writer.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <string.h>

#include "internal.h"
#include "prova/encoding.h"
#include "tlog_internal.h"

size_t prova_merkle_hash_bytes(void) {
    return PROVA_MERKLE_HASH_BYTES;
}
size_t prova_merkle_proof_max(void) {
    return PROVA_MERKLE_PROOF_MAX;
}

void prova__merkle_leaf(const void *data, size_t len, uint8_t out[TLOG_HASH]) {
    static const uint8_t prefix = 0x00;
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, &prefix, 1);
    if (len) SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

void prova__merkle_node(const uint8_t left[TLOG_HASH], const uint8_t right[TLOG_HASH], uint8_t out[TLOG_HASH]) {
    uint8_t m[1 + 2 * TLOG_HASH]; /* one Update of 65 bytes: the fastest path through SHA256_Update */
    m[0] = 0x01;
    memcpy(m + 1, left, TLOG_HASH);
    memcpy(m + 1 + TLOG_HASH, right, TLOG_HASH);
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, m, sizeof m);
    SHA256_Final(out, &c);
}

void prova__merkle_reduce(uint8_t (*h)[TLOG_HASH], size_t n, uint8_t out[TLOG_HASH]) {
    assert(n >= 1 && n <= PROVA_TILE_WIDTH);
    /* Pairing neighbours level by level and promoting an odd last one is the RFC's split at the largest power of
     * two: the left part of every split is a perfect subtree. */
    while (n > 1) {
        size_t m = 0;
        for (size_t i = 0; i + 1 < n; i += 2) prova__merkle_node(h[i], h[i + 1], h[m++]);
        if (n & 1) memmove(h[m++], h[n - 1], TLOG_HASH);
        n = m;
    }
    memcpy(out, h[0], TLOG_HASH);
}

int prova_merkle_hash_leaf(const void *data, size_t len, uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]) {
    if (!ret_hash || (!data && len > 0)) return PROVA_EINVAL;
    prova__merkle_leaf(data, len, ret_hash);
    return 0;
}

int prova_merkle_hash_node(const uint8_t left[PROVA_MERKLE_HASH_BYTES], const uint8_t right[PROVA_MERKLE_HASH_BYTES],
                           uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]) {
    if (!left || !right || !ret_hash) return PROVA_EINVAL;
    prova__merkle_node(left, right, ret_hash);
    return 0;
}

int prova_merkle_hash_empty(uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]) {
    if (!ret_hash) return PROVA_EINVAL;
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Final(ret_hash, &c);
    return 0;
}

/* ---- verification ---------------------------------------------------------------------------------------- */

static int root_check(const uint8_t got[TLOG_HASH], const uint8_t want[TLOG_HASH], const char *reason,
                      prova_error *reterr) {
    if (prova_ct_equal(got, want, TLOG_HASH)) return 0;
    return prova__fail(reterr, PROVA_EVERIFY, reason, "the proof does not lead to the expected root");
}

static int wrong_length(prova_error *reterr) {
    return prova__fail(reterr, PROVA_EVERIFY, "merkle_proof_wrong_length",
                       "the proof does not have the number of hashes these sizes need");
}

int prova_merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf_hash[PROVA_MERKLE_HASH_BYTES],
                                  const uint8_t proof[][PROVA_MERKLE_HASH_BYTES], size_t proof_len,
                                  const uint8_t root[PROVA_MERKLE_HASH_BYTES], prova_error *reterr) {
    if (!leaf_hash || !root || (!proof && proof_len))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (index >= size)
        return prova__fail(reterr, PROVA_EINVAL, "merkle_index_out_of_range", "the leaf index is not below the size");
    /* The path from the leaf splits where it parts from the path of the last leaf (size - 1): below that level
     * ("inner") every level has a sibling, left or right by the index's bit; above it the path runs along the right
     * edge ("border"), where only the levels at which the index's bit is 1 have a (left) sibling. */
    unsigned inner = tlog_bitlen(index ^ (size - 1));
    unsigned border = (unsigned)__builtin_popcountll(tlog_shr(index, inner));
    if (proof_len != (size_t)inner + border) return wrong_length(reterr);
    uint8_t h[TLOG_HASH];
    memcpy(h, leaf_hash, TLOG_HASH);
    for (unsigned i = 0; i < inner; i++) {
        if ((index >> i) & 1)
            prova__merkle_node(proof[i], h, h);
        else
            prova__merkle_node(h, proof[i], h);
    }
    for (size_t i = inner; i < proof_len; i++) prova__merkle_node(proof[i], h, h);
    return root_check(h, root, "merkle_root_mismatch", reterr);
}

/* The sizes a consistency proof can be between (both verify and prove): 0 < size1 <= size2. */
static int consistency_sizes(uint64_t size1, uint64_t size2, prova_error *reterr) {
    if (size1 > size2)
        return prova__fail(reterr, PROVA_EINVAL, "merkle_size_order", "the first size is larger than the second");
    if (size1 == 0)
        return prova__fail(reterr, PROVA_EINVAL, "merkle_consistency_from_empty",
                           "every tree extends the empty tree: a consistency proof from size 0 proves nothing");
    return 0;
}

int prova_merkle_consistency_verify(uint64_t size1, uint64_t size2, const uint8_t root1[PROVA_MERKLE_HASH_BYTES],
                                    const uint8_t root2[PROVA_MERKLE_HASH_BYTES],
                                    const uint8_t proof[][PROVA_MERKLE_HASH_BYTES], size_t proof_len,
                                    prova_error *reterr) {
    if (!root1 || !root2 || (!proof && proof_len))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    int sr = consistency_sizes(size1, size2, reterr);
    if (sr < 0) return sr;
    if (size1 == size2) {
        if (proof_len) return wrong_length(reterr);
        return root_check(root1, root2, "merkle_root_mismatch", reterr);
    }
    /* SPEC: RFC 9162 §2.1.4.2. The proof is the inclusion path of leaf size1 - 1 in the tree of size2 from the level
     * of the largest perfect subtree that ends the old tree (its lowest set bit, "shift"), preceded by that
     * subtree's hash unless it is the whole old tree (size1 a power of two: then it is root1). Chaining only the
     * left siblings rebuilds root1; chaining all of them rebuilds root2. */
    unsigned inner = tlog_bitlen((size1 - 1) ^ (size2 - 1));
    unsigned border = (unsigned)__builtin_popcountll(tlog_shr(size1 - 1, inner));
    unsigned shift = (unsigned)__builtin_ctzll(size1);
    inner -= shift; /* shift < inner: size1 - 1 and size2 - 1 differ above bit shift - 1 */
    bool seeded = size1 == ((uint64_t)1 << shift);
    size_t start = seeded ? 0 : 1;
    if (proof_len != start + inner + border) return wrong_length(reterr);
    uint8_t h1[TLOG_HASH], h2[TLOG_HASH];
    memcpy(h1, seeded ? root1 : proof[0], TLOG_HASH);
    memcpy(h2, h1, TLOG_HASH);
    const uint8_t(*p)[TLOG_HASH] = proof + start;
    uint64_t mask = (size1 - 1) >> shift;
    for (unsigned i = 0; i < inner; i++) {
        if ((mask >> i) & 1) {
            prova__merkle_node(p[i], h1, h1);
            prova__merkle_node(p[i], h2, h2);
        } else {
            prova__merkle_node(h2, p[i], h2);
        }
    }
    for (size_t i = inner; i < (size_t)inner + border; i++) {
        prova__merkle_node(p[i], h1, h1);
        prova__merkle_node(p[i], h2, h2);
    }
    int r = root_check(h1, root1, "merkle_old_root_mismatch", reterr);
    if (r < 0) return r;
    return root_check(h2, root2, "merkle_root_mismatch", reterr);
}

/* ---- proofs from a reader -------------------------------------------------------------------------------- */

static int read_perfect(prova_merkle_read_fn read, void *ctx, unsigned level, uint64_t index, uint8_t out[TLOG_HASH],
                        prova_error *reterr) {
    int r = read(ctx, level, index, out);
    if (r == 0) return 0;
    return prova__fail(reterr, r < 0 ? r : PROVA_EIO, "merkle_read_failed", "the hash reader failed");
}

/* The MTH of leaves [lo, hi), where lo is a multiple of a power of two >= hi - lo (a right-edge node of some tree:
 * every range a proof or a root needs is one): the perfect subtrees of the binary digits of hi - lo, largest
 * first, folded from the right. */
static int range_hash(prova_merkle_read_fn read, void *ctx, uint64_t lo, uint64_t hi, uint8_t out[TLOG_HASH],
                      prova_error *reterr) {
    assert(hi > lo);
    uint8_t part[64][TLOG_HASH];
    size_t k = 0;
    uint64_t n = hi - lo, pos = lo;
    for (unsigned b = 64; b-- > 0;) {
        if (!((n >> b) & 1)) continue;
        int r = read_perfect(read, ctx, b, pos >> b, part[k++], reterr);
        if (r < 0) return r;
        pos += (uint64_t)1 << b;
    }
    while (k > 1) {
        prova__merkle_node(part[k - 2], part[k - 1], part[k - 2]);
        k--;
    }
    memcpy(out, part[0], TLOG_HASH);
    return 0;
}

/* The largest power of two smaller than n (n >= 2), and its log2. */
static unsigned split_level(uint64_t n) {
    return tlog_bitlen(n - 1) - 1;
}

static int proof_out(uint8_t (*tmp)[TLOG_HASH], size_t c, uint8_t (*ret_proof)[PROVA_MERKLE_HASH_BYTES], size_t cap,
                     size_t *ret_len, prova_error *reterr) {
    if (c > cap)
        return prova__fail(reterr, PROVA_ENOSPACE, "merkle_proof_too_long", "the proof does not fit the array given");
    /* tmp was collected from the root down; a proof lists its hashes from the leaf up. */
    for (size_t i = 0; i < c; i++) memcpy(ret_proof[i], tmp[c - 1 - i], TLOG_HASH);
    *ret_len = c;
    return 0;
}

int prova_merkle_inclusion_prove(uint64_t index, uint64_t size, prova_merkle_read_fn read, void *ctx,
                                 uint8_t ret_proof[][PROVA_MERKLE_HASH_BYTES], size_t cap, size_t *ret_len,
                                 prova_error *reterr) {
    if (!read || !ret_len || (!ret_proof && cap))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (index >= size)
        return prova__fail(reterr, PROVA_EINVAL, "merkle_index_out_of_range", "the leaf index is not below the size");
    /* SPEC: RFC 9162 §2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, and
     * PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k. */
    uint8_t tmp[64][TLOG_HASH];
    size_t c = 0;
    uint64_t lo = 0, hi = size;
    while (hi - lo > 1) {
        unsigned kl = split_level(hi - lo);
        uint64_t mid = lo + ((uint64_t)1 << kl);
        int r;
        if (index < mid) {
            r = range_hash(read, ctx, mid, hi, tmp[c++], reterr);
            hi = mid;
        } else {
            r = read_perfect(read, ctx, kl, lo >> kl, tmp[c++], reterr);
            lo = mid;
        }
        if (r < 0) return r;
    }
    return proof_out(tmp, c, ret_proof, cap, ret_len, reterr);
}

int prova_merkle_consistency_prove(uint64_t size1, uint64_t size2, prova_merkle_read_fn read, void *ctx,
                                   uint8_t ret_proof[][PROVA_MERKLE_HASH_BYTES], size_t cap, size_t *ret_len,
                                   prova_error *reterr) {
    if (!read || !ret_len || (!ret_proof && cap))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    int sr = consistency_sizes(size1, size2, reterr);
    if (sr < 0) return sr;
    /* SPEC: RFC 9162 §2.1.4.1: SUBPROOF(m, D[m], true) = {}, SUBPROOF(m, D[m], false) = {MTH(D[m])};
     * for m < n: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) when m <= k, else SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
     * Here m stays absolute: the old tree is leaves [0, size1). */
    uint8_t tmp[PROVA_MERKLE_PROOF_MAX][TLOG_HASH];
    size_t c = 0;
    uint64_t lo = 0, hi = size2;
    bool whole = true;
    for (;;) {
        int r = 0;
        if (size1 == hi) {
            if (!whole) r = range_hash(read, ctx, lo, hi, tmp[c++], reterr);
            if (r < 0) return r;
            break;
        }
        unsigned kl = split_level(hi - lo);
        uint64_t mid = lo + ((uint64_t)1 << kl);
        if (size1 <= mid) {
            r = range_hash(read, ctx, mid, hi, tmp[c++], reterr);
            hi = mid;
        } else {
            r = read_perfect(read, ctx, kl, lo >> kl, tmp[c++], reterr);
            lo = mid;
            whole = false;
        }
        if (r < 0) return r;
    }
    return proof_out(tmp, c, ret_proof, cap, ret_len, reterr);
}

int prova_merkle_root(uint64_t size, prova_merkle_read_fn read, void *ctx, uint8_t ret_root[PROVA_MERKLE_HASH_BYTES],
                      prova_error *reterr) {
    if (!read || !ret_root) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (size == 0) return prova_merkle_hash_empty(ret_root);
    uint8_t h[TLOG_HASH];
    int r = range_hash(read, ctx, 0, size, h, reterr);
    if (r < 0) return r;
    memcpy(ret_root, h, TLOG_HASH);
    return 0;
}
