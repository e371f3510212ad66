/* Internal to src/lib/tlog (the Merkle tree and tiles half): the unchecked hash primitives and the hash of a
 * right-edge range from a reader. Not installed. */
#ifndef PROVA_TLOG_INTERNAL_H
#define PROVA_TLOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prova/merkle.h"

#define TLOG_HASH 32U

/* RFC 9162 §2.1.1: SHA-256(0x00 || data), SHA-256(0x01 || left || right). out may alias left or right. */
void prova__merkle_leaf(const void *data, size_t len, uint8_t out[TLOG_HASH]);
void prova__merkle_node(const uint8_t left[TLOG_HASH], const uint8_t right[TLOG_HASH], uint8_t out[TLOG_HASH]);
/* The MTH of n consecutive hashes (1 <= n <= 256, hashes[] is overwritten): how a tile's levels between tile levels
 * are recomputed. For a power of two n this is the perfect subtree's hash. */
void prova__merkle_reduce(uint8_t (*hashes)[TLOG_HASH], size_t n, uint8_t out[TLOG_HASH]);

/* Bit helpers on 64-bit sizes: shifts of 64 or more give 0 (C leaves them undefined). */
static inline uint64_t tlog_shr(uint64_t x, unsigned n) {
    return n >= 64 ? 0 : x >> n;
}
static inline unsigned tlog_bitlen(uint64_t x) {
    return x ? 64U - (unsigned)__builtin_clzll(x) : 0U;
}

#endif
