/* prova/merkle.h — the Merkle half of prova's transparency log: RFC 6962 / RFC 9162 hashing, inclusion and
 * consistency proofs, and the tiles and entry bundles of C2SP tlog-tiles (docs/tlog.md).
 *
 * Hashing (SPEC: RFC 9162 §2.1.1): leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), and the
 * root of the empty tree is SHA-256(""). Hashes are arrays of PROVA_MERKLE_HASH_BYTES.
 *
 * A "hash reader" (prova_merkle_read_fn) gives the hash of the perfect subtree of 2^level leaves that starts at leaf
 * index << level: exactly what tiles store. Proofs and roots are built from it; the nodes at the right edge of a
 * tree that are not perfect subtrees are computed from perfect ones.
 *
 * Errors: every function returns 0 or a negative PROVA_E* code; reterr (optional) gets a stable reason code:
 *   merkle_index_out_of_range, merkle_size_order, merkle_consistency_from_empty, merkle_proof_wrong_length,
 *   merkle_root_mismatch, merkle_old_root_mismatch (PROVA_EVERIFY for the last two and for a proof of the wrong
 *   length; PROVA_EINVAL for arguments outside what the proof can be about), merkle_read_failed (the reader's
 *   status), tile_path_* (PROVA_ESYNTAX), tile_* and tile_bundle_* (see each function).
 * The library keeps no state between calls: the functions are safe on different objects from many threads.
 */
#ifndef PROVA_MERKLE_H
#define PROVA_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prova/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_MERKLE_HASH_BYTES 32U    /* SHA-256 */
#define PROVA_MERKLE_PROOF_MAX  128U   /* no proof about trees of at most 2^64 - 1 leaves is longer (65 at most) */
#define PROVA_TILE_HEIGHT       8U     /* a tile is a subtree of height 8 ... */
#define PROVA_TILE_WIDTH        256U   /* ... whose full width is 256 hashes (8,192 bytes) or 256 entries */
#define PROVA_TILE_LEVEL_MAX    63U    /* tlog-tiles: L is 0..63 */
#define PROVA_TILE_PATH_MAX     64U    /* the longest tile path ("tile/entries/x018/.../615.p/255") + NUL */
#define PROVA_TILE_ENTRY_MAX    65535U /* an entry of a bundle: a big-endian uint16 length prefix */

/* The constants as functions, for bindings: prova_merkle_hash_bytes() == PROVA_MERKLE_HASH_BYTES, ... */
PROVA_EXPORT size_t prova_merkle_hash_bytes(void);
PROVA_EXPORT size_t prova_merkle_proof_max(void);
PROVA_EXPORT size_t prova_tile_height(void);
PROVA_EXPORT size_t prova_tile_width(void);
PROVA_EXPORT size_t prova_tile_level_max(void);
PROVA_EXPORT size_t prova_tile_path_max(void);
PROVA_EXPORT size_t prova_tile_entry_max(void);

/* ---- hashes ---------------------------------------------------------------------------------------------- */

/* SHA-256(0x00 || data[0..len)) into ret_hash. 0, or PROVA_EINVAL (ret_hash NULL, data NULL with len > 0). */
PROVA_EXPORT int prova_merkle_hash_leaf(const void *data, size_t len, uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]);
/* SHA-256(0x01 || left || right) into ret_hash (which may be left or right). 0 or PROVA_EINVAL. */
PROVA_EXPORT int prova_merkle_hash_node(const uint8_t left[PROVA_MERKLE_HASH_BYTES],
                                        const uint8_t right[PROVA_MERKLE_HASH_BYTES],
                                        uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]);
/* The root of the empty tree, SHA-256(""). 0 or PROVA_EINVAL. */
PROVA_EXPORT int prova_merkle_hash_empty(uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]);

/* ---- proofs ---------------------------------------------------------------------------------------------- */

/* A hash reader: the hash of the perfect subtree of 2^level leaves [index << level, (index + 1) << level) into
 * ret_hash. Returns 0 or a negative PROVA_E* code (PROVA_ENOTFOUND, PROVA_EIO ...), which the caller passes on with
 * the reason merkle_read_failed. prova_tile_hash_read over stored tiles is one. */
typedef int (*prova_merkle_read_fn)(void *ctx, unsigned level, uint64_t index,
                                    uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES]);

/* SPEC: RFC 9162 §2.1.3.2. Verifies that leaf_hash is the leaf at index of the tree of size with root, given the
 * proof (proof_len hashes, bottom up). 0 when it verifies; PROVA_EINVAL merkle_index_out_of_range (index >= size);
 * PROVA_EVERIFY merkle_proof_wrong_length or merkle_root_mismatch. The root is compared in constant time.
 *   if (prova_merkle_inclusion_verify(i, n, leaf, proof, len, root, &err) == 0) { ... included ... } */
PROVA_EXPORT PROVA_NODISCARD int
prova_merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf_hash[PROVA_MERKLE_HASH_BYTES],
                              const uint8_t proof[][PROVA_MERKLE_HASH_BYTES], size_t proof_len,
                              const uint8_t root[PROVA_MERKLE_HASH_BYTES], prova_error *reterr);

/* SPEC: RFC 9162 §2.1.4.2. Verifies that the tree of size1 with root1 is a prefix of the tree of size2 with root2.
 * 0 when it does; PROVA_EINVAL merkle_size_order (size1 > size2) or merkle_consistency_from_empty (size1 == 0: every
 * tree extends the empty one, so a proof from it proves nothing, and its "root" is never checked); PROVA_EVERIFY
 * merkle_proof_wrong_length (also a non-empty proof when size1 == size2), merkle_old_root_mismatch (the proof does
 * not lead to root1) or merkle_root_mismatch (nor to root2). */
PROVA_EXPORT PROVA_NODISCARD int prova_merkle_consistency_verify(uint64_t size1, uint64_t size2,
                                                                 const uint8_t root1[PROVA_MERKLE_HASH_BYTES],
                                                                 const uint8_t root2[PROVA_MERKLE_HASH_BYTES],
                                                                 const uint8_t proof[][PROVA_MERKLE_HASH_BYTES],
                                                                 size_t proof_len, prova_error *reterr);

/* The inclusion proof of leaf index in the tree of size (RFC 9162 §2.1.3.1), from the reader, into ret_proof
 * (cap hashes; PROVA_MERKLE_PROOF_MAX always suffice) and its length into ret_len. 0; PROVA_EINVAL
 * merkle_index_out_of_range; PROVA_ENOSPACE merkle_proof_too_long (cap too small); the reader's status with
 * merkle_read_failed. Outputs are untouched on failure (but for ret_proof's first cap hashes). */
PROVA_EXPORT PROVA_NODISCARD int prova_merkle_inclusion_prove(uint64_t index, uint64_t size, prova_merkle_read_fn read,
                                                              void *ctx, uint8_t ret_proof[][PROVA_MERKLE_HASH_BYTES],
                                                              size_t cap, size_t *ret_len, prova_error *reterr);

/* The consistency proof from size1 to size2 (RFC 9162 §2.1.4.1), as prova_merkle_inclusion_prove. 0 < size1 <=
 * size2 (else PROVA_EINVAL merkle_consistency_from_empty or merkle_size_order); size1 == size2 gives an empty proof. */
PROVA_EXPORT PROVA_NODISCARD int prova_merkle_consistency_prove(uint64_t size1, uint64_t size2,
                                                                prova_merkle_read_fn read, void *ctx,
                                                                uint8_t ret_proof[][PROVA_MERKLE_HASH_BYTES],
                                                                size_t cap, size_t *ret_len, prova_error *reterr);

/* The root of the tree of size (RFC 9162 §2.1.1's MTH) from the reader: at most 64 reads, one per set bit of size;
 * size 0 is the empty root. 0 or the reader's status (merkle_read_failed). */
PROVA_EXPORT PROVA_NODISCARD int prova_merkle_root(uint64_t size, prova_merkle_read_fn read, void *ctx,
                                                   uint8_t ret_root[PROVA_MERKLE_HASH_BYTES], prova_error *reterr);

/* ---- tiles (C2SP tlog-tiles) ----------------------------------------------------------------------------- */

enum { PROVA_TILE_LEVEL_ENTRIES = -1 }; /* prova_tile.level of an entry bundle (tile/entries/...) */

/* A tile or an entry bundle: tile/<level>/<index>[.p/<width>] or tile/entries/<index>[.p/<width>]. */
typedef struct prova_tile {
    int level;      /* 0..63, or PROVA_TILE_LEVEL_ENTRIES */
    uint64_t index; /* the tile's index within its level */
    unsigned width; /* 1..256; 256 is a full tile (no .p/ suffix) */
} prova_tile;
PROVA_EXPORT size_t prova_tile_sizeof(void);

/* The path of a tile, relative to the log's prefix ("tile/0/x001/x234/067.p/5"), NUL-terminated into ret_path; its
 * length into ret_len (may be NULL). 0 or PROVA_EINVAL (a level, width or NULL outside the above). */
PROVA_EXPORT int prova_tile_path_format(const prova_tile *tile, char ret_path[PROVA_TILE_PATH_MAX], size_t *ret_len);

/* Parses a tile path relative to the prefix (no leading '/'). Strict: the canonical form only (L and W without
 * leading zeros, L 0..63, W 1..255, 3-digit index elements all but the last with an 'x', no leading "x000/", an
 * index that fits 64 bits). 0, PROVA_EINVAL, or PROVA_ESYNTAX with tile_path_prefix, tile_path_level,
 * tile_path_index or tile_path_width and the offset of the fault. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_path_parse(const char *path, size_t len, prova_tile *ret_tile,
                                                       prova_error *reterr);

/* The hash tiles that a tree of new_size has and a tree of old_size does not (old_size 0: all of them), every
 * level, bottom up: the full tiles completed since old_size, then the partial tile of each level of new_size
 * (width floor(new_size / 256^level) mod 256, when not 0). The entry bundles are the level-0 tiles' twins. Into
 * ret_tiles (cap of them) and the count into ret_n; PROVA_ENOSPACE tile_list_too_long with ret_n = the count needed;
 * PROVA_EINVAL tile_size_order when old_size > new_size. */
PROVA_EXPORT int prova_tile_list(uint64_t old_size, uint64_t new_size, prova_tile *ret_tiles, size_t cap, size_t *ret_n,
                                 prova_error *reterr);

/* Which tile of the tree of size stores the hash (level, index) (a perfect subtree, complete in that tree): the
 * tile at level / 8 covering it, full, or the partial one of that size. 0, or PROVA_EINVAL tile_hash_not_in_tree. */
PROVA_EXPORT int prova_tile_for_hash(uint64_t size, unsigned level, uint64_t index, prova_tile *ret_tile,
                                     prova_error *reterr);

/* The hash (level, index) from the data of a tile that stores it (tile, data[0..len), len == 32 * width): stored
 * at a tile level, or recomputed by hashing within the tile for the levels between. 0; PROVA_ESYNTAX
 * tile_data_wrong_size; PROVA_EINVAL tile_hash_not_in_tile. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_hash_read(const prova_tile *tile, const uint8_t *data, size_t len,
                                                      unsigned level, uint64_t index,
                                                      uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES], prova_error *reterr);

/* ---- entry bundles --------------------------------------------------------------------------------------- */

/* One entry of a bundle: borrowed bytes (a decoded entry points into the bundle). */
typedef struct prova_tile_entry {
    const uint8_t *data;
    size_t len;
} prova_tile_entry;
PROVA_EXPORT size_t prova_tile_entry_sizeof(void);

/* Appends the bundle of n entries (each a big-endian uint16 length, then its bytes) to out. 0; PROVA_ELIMIT
 * tile_bundle_entry_too_long (an entry over 65,535 bytes) or tile_bundle_too_many_entries (n > 256); PROVA_EINVAL;
 * PROVA_ENOMEM. out is unchanged on failure. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_bundle_encode(const prova_tile_entry *entries, size_t n, prova_buf *out,
                                                          prova_error *reterr);

/* Decodes a bundle: its entries (pointing into data) into ret_entries (cap of them, at most 256 are ever decoded)
 * and their count into ret_n. want is the number of entries the bundle must hold (its tile's width), or 0 for
 * "whatever it holds". 0; PROVA_ESYNTAX tile_bundle_truncated (ends inside a length prefix, or fewer than want
 * entries), tile_bundle_entry_overlong (a length beyond the end of the data) or tile_bundle_trailing_data (bytes
 * after the want-th entry); PROVA_ELIMIT tile_bundle_too_many_entries (more than cap or 256); offset = the byte. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_bundle_decode(const uint8_t *data, size_t len, size_t want,
                                                          prova_tile_entry *ret_entries, size_t cap, size_t *ret_n,
                                                          prova_error *reterr);

/* ---- the incremental tile writer ------------------------------------------------------------------------- */

/* The right edge of a tiled log: the partial tile of each level for its current size (and, when entries are
 * appended, the partial entry bundle), which is everything needed to append and to compute the root. It is
 * restored from the stored partial tiles of a size, so a writer integrates new entries without rereading the tree.
 * One owner; not safe for concurrent use; prova_tile_writer_free. */
typedef struct prova_tile_writer prova_tile_writer;

/* Reads a stored tile (or bundle) into ret_data (appending; the writer passes an empty buffer). 0, or a negative
 * PROVA_E* code (PROVA_ENOTFOUND ...) that the writer returns with the reason tile_read_failed. */
typedef int (*prova_tile_read_fn)(void *ctx, const prova_tile *tile, prova_buf *ret_data);
/* Receives a tile (or bundle) that changed: store data[0..len) at the tile's path. A full tile is emitted once, when
 * it is completed; a partial one each time its width changes. 0, or a negative code that aborts the append. */
typedef int (*prova_tile_emit_fn)(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len);

/* A writer for the empty tree (size 0) into *ret. 0, PROVA_EINVAL or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_writer_new(prova_tile_writer **ret);
/* Frees w; NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_tile_writer *prova_tile_writer_free(prova_tile_writer *w);

/* Sets w to the tree of size, reading its partial tiles (every level whose width is not 0) and, when entries is
 * true and size % 256 != 0, its partial entry bundle, through read. The caller then checks prova_tile_writer_root
 * against the checkpoint it trusts. 0; the reader's status (tile_read_failed); PROVA_ESYNTAX tile_data_wrong_size or
 * a bundle's reason. w is unchanged on failure. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_writer_restore(prova_tile_writer *w, uint64_t size, bool entries,
                                                           prova_tile_read_fn read, void *ctx, prova_error *reterr);

/* Appends n leaf hashes and emits, through emit, every tile that changed: the full tiles completed (bottom level
 * first, in order) and then the new partial tile of each level whose width changed. 0; PROVA_ELIMIT tile_log_full;
 * the emitter's status (tile_emit_failed); PROVA_EINVAL (also when the writer holds entries: use
 * prova_tile_writer_append_entries). On failure w is as it was before the call (tiles already emitted are
 * idempotent to store again). */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_writer_append(prova_tile_writer *w,
                                                          const uint8_t leaf_hashes[][PROVA_MERKLE_HASH_BYTES],
                                                          size_t n, prova_tile_emit_fn emit, void *ctx,
                                                          prova_error *reterr);

/* Appends n entries (leaf hash SHA-256(0x00 || entry)) and emits, beside the hash tiles, the entry bundles: each
 * level-0 tile that changed is emitted right after its bundle. Refused (PROVA_EINVAL) when the writer was restored
 * without entries at a size that is not a multiple of 256. Errors as prova_tile_writer_append and
 * prova_tile_bundle_encode's. */
PROVA_EXPORT PROVA_NODISCARD int prova_tile_writer_append_entries(prova_tile_writer *w, const prova_tile_entry *entries,
                                                                  size_t n, prova_tile_emit_fn emit, void *ctx,
                                                                  prova_error *reterr);

/* The writer's tree size; its root (the empty root at size 0) into ret_root (0 or PROVA_EINVAL). */
PROVA_EXPORT uint64_t prova_tile_writer_size(const prova_tile_writer *w);
PROVA_EXPORT int prova_tile_writer_root(const prova_tile_writer *w, uint8_t ret_root[PROVA_MERKLE_HASH_BYTES]);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_MERKLE_H */
