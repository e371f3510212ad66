/* C2SP tlog-tiles: tile paths, the tiles of a tree, hashes read from tile data, entry bundles, and the incremental
 * tile writer that integrates new entries from the right edge of the tree.
 *
 * SPEC: c2sp.org/tlog-tiles: "the n-th tile at level l ... is the sequence of the following Merkle Tree Hashes,
 * with i from 0 to 255: MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l])"; "The partial tile at level l
 * for a tree of size s has floor(s / 256**l) mod 256 entries. Empty tiles MUST NOT be served."
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "prova/encoding.h"
#include "tlog_internal.h"

size_t prova_tile_height(void) {
    return PROVA_TILE_HEIGHT;
}
size_t prova_tile_width(void) {
    return PROVA_TILE_WIDTH;
}
size_t prova_tile_level_max(void) {
    return PROVA_TILE_LEVEL_MAX;
}
size_t prova_tile_path_max(void) {
    return PROVA_TILE_PATH_MAX;
}
size_t prova_tile_entry_max(void) {
    return PROVA_TILE_ENTRY_MAX;
}
size_t prova_tile_sizeof(void) {
    return sizeof(prova_tile);
}
size_t prova_tile_entry_sizeof(void) {
    return sizeof(prova_tile_entry);
}

/* Tile levels a tree of at most 2^64 - 1 leaves uses: 256^8 = 2^64. */
#define TILE_LEVELS 8U

/* ---- paths ----------------------------------------------------------------------------------------------- */

static bool tile_valid(const prova_tile *t) {
    return t && (t->level == PROVA_TILE_LEVEL_ENTRIES || (t->level >= 0 && t->level <= (int)PROVA_TILE_LEVEL_MAX)) &&
           t->width >= 1 && t->width <= PROVA_TILE_WIDTH;
}

static size_t put_uint(char *out, uint64_t v, unsigned min_digits) {
    char d[20];
    unsigned n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    for (unsigned i = 0; i < n; i++) out[i] = d[n - 1 - i];
    return n;
}

int prova_tile_path_format(const prova_tile *tile, char ret_path[PROVA_TILE_PATH_MAX], size_t *ret_len) {
    if (!tile_valid(tile) || !ret_path) return PROVA_EINVAL;
    char *p = ret_path;
    memcpy(p, "tile/", 5);
    p += 5;
    if (tile->level == PROVA_TILE_LEVEL_ENTRIES) {
        memcpy(p, "entries/", 8);
        p += 8;
    } else {
        p += put_uint(p, (uint64_t)tile->level, 1);
        *p++ = '/';
    }
    /* SPEC: "zero-padded 3-digit path elements. All but the last path element MUST begin with an x." */
    unsigned groups[7], ng = 0;
    uint64_t v = tile->index;
    do {
        groups[ng++] = (unsigned)(v % 1000);
        v /= 1000;
    } while (v);
    while (ng-- > 1) {
        *p++ = 'x';
        p += put_uint(p, groups[ng], 3);
        *p++ = '/';
    }
    p += put_uint(p, groups[0], 3);
    if (tile->width < PROVA_TILE_WIDTH) {
        memcpy(p, ".p/", 3);
        p += 3;
        p += put_uint(p, tile->width, 1);
    }
    *p = '\0';
    if (ret_len) *ret_len = (size_t)(p - ret_path);
    return 0;
}

static int path_fail(prova_error *reterr, const char *reason, const char *message, size_t at) {
    prova__fail(reterr, PROVA_ESYNTAX, reason, message);
    if (reterr) {
        reterr->offset = at;
        reterr->line = 1;
        reterr->column = at + 1;
    }
    return PROVA_ESYNTAX;
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* A decimal without leading zeros at s[*i..), at most max; advances *i. */
static bool parse_small(const char *s, size_t len, size_t *i, unsigned max, unsigned *ret) {
    size_t j = *i;
    unsigned v = 0;
    if (j >= len || !is_digit(s[j])) return false;
    if (s[j] == '0' && j + 1 < len && is_digit(s[j + 1])) return false;
    while (j < len && is_digit(s[j])) {
        v = v * 10 + (unsigned)(s[j++] - '0');
        if (v > max) return false;
    }
    *i = j;
    *ret = v;
    return true;
}

int prova_tile_path_parse(const char *path, size_t len, prova_tile *ret_tile, prova_error *reterr) {
    if (!path || !ret_tile) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_tile t = {0, 0, PROVA_TILE_WIDTH};
    size_t i = 5;
    if (len < 5 || memcmp(path, "tile/", 5) != 0)
        return path_fail(reterr, "tile_path_prefix", "a tile path starts with tile/", 0);
    if (len - i >= 8 && memcmp(path + i, "entries/", 8) == 0) {
        t.level = PROVA_TILE_LEVEL_ENTRIES;
        i += 8;
    } else {
        unsigned l;
        if (!parse_small(path, len, &i, PROVA_TILE_LEVEL_MAX, &l) || i >= len || path[i] != '/')
            return path_fail(reterr, "tile_path_level", "the level is a decimal 0..63 without leading zeros", i);
        t.level = (int)l;
        i++;
    }
    /* The index: "x" + 3 digits + "/" for all but the last element, 3 digits for the last; canonical, so the
     * first of several elements is not x000. */
    size_t first = i;
    for (;;) {
        bool more = i < len && path[i] == 'x';
        size_t d = i + (more ? 1 : 0);
        if (len - d < 3 || !is_digit(path[d]) || !is_digit(path[d + 1]) || !is_digit(path[d + 2]))
            return path_fail(reterr, "tile_path_index", "an index element is 3 digits (x and 3 digits before a /)", i);
        unsigned g = (unsigned)((path[d] - '0') * 100 + (path[d + 1] - '0') * 10 + (path[d + 2] - '0'));
        if (more && i == first && g == 0)
            return path_fail(reterr, "tile_path_index", "the index has a leading x000 element", i);
        if (t.index > (UINT64_MAX - g) / 1000)
            return path_fail(reterr, "tile_path_index", "the index does not fit 64 bits", i);
        t.index = t.index * 1000 + g;
        i = d + 3;
        if (!more) break;
        if (i >= len || path[i] != '/')
            return path_fail(reterr, "tile_path_index", "an x element is followed by a /", i);
        i++;
    }
    if (i < len) {
        unsigned w;
        if (len - i < 3 || memcmp(path + i, ".p/", 3) != 0)
            return path_fail(reterr, "tile_path_index", "the index ends the path or is followed by .p/", i);
        i += 3;
        if (!parse_small(path, len, &i, PROVA_TILE_WIDTH - 1, &w) || w == 0 || i != len)
            return path_fail(reterr, "tile_path_width", "a partial width is a decimal 1..255 without leading zeros", i);
        t.width = w;
    }
    *ret_tile = t;
    return 0;
}

/* ---- the tiles of a tree --------------------------------------------------------------------------------- */

int prova_tile_list(uint64_t old_size, uint64_t new_size, prova_tile *ret_tiles, size_t cap, size_t *ret_n,
                    prova_error *reterr) {
    if (!ret_n || (!ret_tiles && cap)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (old_size > new_size)
        return prova__fail(reterr, PROVA_EINVAL, "tile_size_order", "the old size is larger than the new one");
    uint64_t c = 0;
    for (unsigned l = 0; l < TILE_LEVELS; l++) {
        uint64_t o = tlog_shr(old_size, 8 * l), n = tlog_shr(new_size, 8 * l); /* hashes at this level */
        if (n == 0) break;
        uint64_t k = o >> 8;
        for (; k < n >> 8 && c < cap; k++) ret_tiles[c++] = (prova_tile){(int)l, k, PROVA_TILE_WIDTH};
        c += (n >> 8) - k; /* counted, not listed, past cap */
        if ((n & 255) && n != o) {
            if (c < cap) ret_tiles[c] = (prova_tile){(int)l, n >> 8, (unsigned)(n & 255)};
            c++;
        }
    }
    if (c > cap) {
        *ret_n = c > SIZE_MAX ? SIZE_MAX : (size_t)c;
        return prova__fail(reterr, PROVA_ENOSPACE, "tile_list_too_long", "the tiles do not fit the array given");
    }
    *ret_n = (size_t)c;
    return 0;
}

int prova_tile_for_hash(uint64_t size, unsigned level, uint64_t index, prova_tile *ret_tile, prova_error *reterr) {
    if (!ret_tile) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    /* (index + 1) << level <= size, without overflow. */
    if (level >= 64 || index >= (size >> level))
        return prova__fail(reterr, PROVA_EINVAL, "tile_hash_not_in_tree",
                           "that hash is not a complete subtree of a tree of that size");
    unsigned l = level / PROVA_TILE_HEIGHT, k = level % PROVA_TILE_HEIGHT;
    uint64_t at = index << k;                      /* the first hash it covers at the tile level */
    uint64_t count = tlog_shr(size, 8 * l);        /* hashes at the tile level in this tree */
    uint64_t n = at >> 8, left = count - (n << 8); /* > at - (n << 8), since the subtree is complete */
    *ret_tile = (prova_tile){(int)l, n, left >= PROVA_TILE_WIDTH ? PROVA_TILE_WIDTH : (unsigned)left};
    return 0;
}

int prova_tile_hash_read(const prova_tile *tile, const uint8_t *data, size_t len, unsigned level, uint64_t index,
                         uint8_t ret_hash[PROVA_MERKLE_HASH_BYTES], prova_error *reterr) {
    if (!tile_valid(tile) || tile->level == PROVA_TILE_LEVEL_ENTRIES || !ret_hash || (!data && len))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument or not a hash tile");
    if (len != (size_t)tile->width * TLOG_HASH)
        return prova__fail(reterr, PROVA_ESYNTAX, "tile_data_wrong_size", "the tile's data is not 32 bytes a hash");
    unsigned base = (unsigned)tile->level * PROVA_TILE_HEIGHT, k = level - base;
    const char *why = "that hash is not stored in this tile";
    if (level < base || k > PROVA_TILE_HEIGHT || index > (UINT64_MAX >> k))
        return prova__fail(reterr, PROVA_EINVAL, "tile_hash_not_in_tile", why);
    uint64_t at = index << k, span = (uint64_t)1 << k, start = tile->index << 8;
    if ((tile->index >> 56) != 0 || at < start || at - start + span > tile->width)
        return prova__fail(reterr, PROVA_EINVAL, "tile_hash_not_in_tile", why);
    const uint8_t *h = data + (size_t)(at - start) * TLOG_HASH;
    if (k == 0) {
        memcpy(ret_hash, h, TLOG_HASH);
        return 0;
    }
    /* SPEC: "The Merkle Tree levels between those expressed by the tile hashes are reconstructed by hashing". */
    uint8_t tmp[PROVA_TILE_WIDTH][TLOG_HASH];
    memcpy(tmp, h, (size_t)span * TLOG_HASH);
    prova__merkle_reduce(tmp, (size_t)span, ret_hash);
    return 0;
}

/* ---- entry bundles --------------------------------------------------------------------------------------- */

int prova_tile_bundle_encode(const prova_tile_entry *entries, size_t n, prova_buf *out, prova_error *reterr) {
    if (!out || (!entries && n)) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (n > PROVA_TILE_WIDTH)
        return prova__fail(reterr, PROVA_ELIMIT, "tile_bundle_too_many_entries", "a bundle holds at most 256 entries");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (entries[i].len > PROVA_TILE_ENTRY_MAX) {
            prova__fail(reterr, PROVA_ELIMIT, "tile_bundle_entry_too_long",
                        "an entry of a bundle is at most 65,535 bytes (a uint16 length)");
            if (reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "/%zu", i);
            return PROVA_ELIMIT;
        }
        if (!entries[i].data && entries[i].len)
            return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "an entry has NULL data");
        total += 2 + entries[i].len;
    }
    if (prova_buf_reserve(out, total) < 0) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = out->data + out->len;
        p[0] = (uint8_t)(entries[i].len >> 8);
        p[1] = (uint8_t)entries[i].len;
        if (entries[i].len) memcpy(p + 2, entries[i].data, entries[i].len);
        out->len += 2 + entries[i].len;
    }
    return 0;
}

static int bundle_fail(prova_error *reterr, int status, const char *reason, const char *message, size_t at) {
    prova__fail(reterr, status, reason, message);
    if (reterr) reterr->offset = at;
    return status;
}

int prova_tile_bundle_decode(const uint8_t *data, size_t len, size_t want, prova_tile_entry *ret_entries, size_t cap,
                             size_t *ret_n, prova_error *reterr) {
    if (!ret_n || (!data && len) || (!ret_entries && cap))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (want > PROVA_TILE_WIDTH)
        return prova__fail(reterr, PROVA_ELIMIT, "tile_bundle_too_many_entries", "a bundle holds at most 256 entries");
    size_t limit = cap < PROVA_TILE_WIDTH ? cap : PROVA_TILE_WIDTH, n = 0, i = 0;
    while (i < len) {
        if (want && n == want)
            return bundle_fail(reterr, PROVA_ESYNTAX, "tile_bundle_trailing_data",
                               "bytes follow the last entry of the bundle", i);
        if (n == limit)
            return bundle_fail(reterr, PROVA_ELIMIT, "tile_bundle_too_many_entries",
                               "the bundle holds more entries than allowed", i);
        if (len - i < 2)
            return bundle_fail(reterr, PROVA_ESYNTAX, "tile_bundle_truncated", "the bundle ends inside a length", i);
        size_t el = (size_t)data[i] << 8 | data[i + 1];
        if (len - i - 2 < el)
            return bundle_fail(reterr, PROVA_ESYNTAX, "tile_bundle_entry_overlong",
                               "an entry's length runs past the end of the bundle", i);
        n++;
        i += 2 + el;
    }
    if (want && n < want)
        return bundle_fail(reterr, PROVA_ESYNTAX, "tile_bundle_truncated",
                           "the bundle has fewer entries than its width", len);
    /* Second pass: the outputs are written only once the whole bundle is known to be good. */
    for (size_t j = 0, at = 0; j < n; j++) {
        size_t el = (size_t)data[at] << 8 | data[at + 1];
        ret_entries[j] = (prova_tile_entry){data + at + 2, el};
        at += 2 + el;
    }
    *ret_n = n;
    return 0;
}

/* ---- the incremental writer ------------------------------------------------------------------------------ */

typedef uint8_t tile_hashes[PROVA_TILE_WIDTH][TLOG_HASH];

struct prova_tile_writer {
    uint64_t size;
    tile_hashes *edge;  /* TILE_LEVELS tiles: the partial tile of each level; width (size >> 8l) & 255 */
    tile_hashes *saved; /* the same, saved at the start of an append to undo it on failure */
    prova_buf bundle;   /* the partial entry bundle, when known */
    prova_buf saved_bundle;
    bool have_bundle; /* bundle holds the entries of the partial level-0 tile */
};

int prova_tile_writer_new(prova_tile_writer **ret) {
    if (!ret) return PROVA_EINVAL;
    prova_tile_writer *w = calloc(1, sizeof *w);
    if (!w) return PROVA_ENOMEM;
    w->edge = calloc(TILE_LEVELS, sizeof *w->edge);
    w->saved = calloc(TILE_LEVELS, sizeof *w->saved);
    if (!w->edge || !w->saved) {
        prova_tile_writer_free(w);
        return PROVA_ENOMEM;
    }
    w->have_bundle = true;
    *ret = w;
    return 0;
}

prova_tile_writer *prova_tile_writer_free(prova_tile_writer *w) {
    if (!w) return NULL;
    free(w->edge);
    free(w->saved);
    prova_buf_free(&w->bundle);
    prova_buf_free(&w->saved_bundle);
    free(w);
    return NULL;
}

uint64_t prova_tile_writer_size(const prova_tile_writer *w) {
    return w ? w->size : 0;
}

static unsigned width_at(uint64_t size, unsigned l) {
    return (unsigned)(tlog_shr(size, 8 * l) & 255);
}

int prova_tile_writer_root(const prova_tile_writer *w, uint8_t ret_root[PROVA_MERKLE_HASH_BYTES]) {
    if (!w || !ret_root) return PROVA_EINVAL;
    if (w->size == 0) return prova_merkle_hash_empty(ret_root);
    /* The perfect subtrees of the size's binary digits, largest (top level) first: digit 8l + b is 2^b consecutive
     * hashes of the partial tile of level l. Folded from the right. */
    uint8_t part[64][TLOG_HASH], tmp[128][TLOG_HASH];
    size_t k = 0;
    for (unsigned l = TILE_LEVELS; l-- > 0;) {
        unsigned wl = width_at(w->size, l), pos = 0;
        for (unsigned b = 8; b-- > 0;) {
            if (!((wl >> b) & 1)) continue;
            unsigned span = 1U << b;
            memcpy(tmp, w->edge[l][pos], (size_t)span * TLOG_HASH);
            prova__merkle_reduce(tmp, span, part[k++]);
            pos += span;
        }
    }
    while (k > 1) {
        prova__merkle_node(part[k - 2], part[k - 1], part[k - 2]);
        k--;
    }
    memcpy(ret_root, part[0], TLOG_HASH);
    return 0;
}

int prova_tile_writer_restore(prova_tile_writer *w, uint64_t size, bool entries, prova_tile_read_fn read, void *ctx,
                              prova_error *reterr) {
    if (!w || !read) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_buf data = PROVA_BUF_INIT, bundle = PROVA_BUF_INIT;
    int r = 0;
    /* Into w->saved first: w changes only once every tile has been read and checked. */
    for (unsigned l = 0; l < TILE_LEVELS && r == 0; l++) {
        unsigned wl = width_at(size, l);
        if (!wl) continue;
        prova_tile t = {(int)l, tlog_shr(size, 8 * l + 8), wl};
        data.len = 0;
        r = read(ctx, &t, &data);
        if (r != 0) {
            r = prova__fail(reterr, r < 0 ? r : PROVA_EIO, "tile_read_failed", "reading a stored tile failed");
        } else if (data.len != (size_t)wl * TLOG_HASH) {
            r = prova__fail(reterr, PROVA_ESYNTAX, "tile_data_wrong_size", "a stored partial tile has the wrong size");
        } else {
            memcpy(w->saved[l], data.data, data.len);
        }
    }
    unsigned w0 = width_at(size, 0);
    if (r == 0 && entries && w0) {
        prova_tile t = {PROVA_TILE_LEVEL_ENTRIES, size >> 8, w0};
        prova_tile_entry e[PROVA_TILE_WIDTH];
        size_t n;
        r = read(ctx, &t, &bundle);
        if (r != 0) {
            r = prova__fail(reterr, r < 0 ? r : PROVA_EIO, "tile_read_failed", "reading the stored bundle failed");
        } else if ((r = prova_tile_bundle_decode(bundle.data, bundle.len, w0, e, PROVA_TILE_WIDTH, &n, reterr)) == 0) {
            for (size_t i = 0; i < n && r == 0; i++) {
                uint8_t h[TLOG_HASH];
                prova__merkle_leaf(e[i].data, e[i].len, h);
                if (!prova_ct_equal(h, w->saved[0][i], TLOG_HASH))
                    r = prova__fail(reterr, PROVA_EVERIFY, "tile_bundle_mismatch",
                                    "an entry of the stored bundle does not hash to its level-0 tile");
            }
        }
    }
    prova_buf_free(&data);
    if (r != 0) {
        prova_buf_free(&bundle);
        return r;
    }
    tile_hashes *t = w->edge;
    w->edge = w->saved;
    w->saved = t;
    w->size = size;
    prova_buf_free(&w->bundle);
    w->bundle = bundle;
    w->have_bundle = entries || w0 == 0;
    return 0;
}

static int emit_tile(prova_tile_emit_fn emit, void *ctx, const prova_tile *t, const uint8_t *data, size_t len,
                     prova_error *reterr) {
    int r = emit(ctx, t, data, len);
    if (r == 0) return 0;
    return prova__fail(reterr, r < 0 ? r : PROVA_EIO, "tile_emit_failed", "storing a tile failed");
}

static void save(prova_tile_writer *w) {
    for (unsigned l = 0; l < TILE_LEVELS; l++)
        memcpy(w->saved[l], w->edge[l], (size_t)width_at(w->size, l) * TLOG_HASH);
}

static void undo(prova_tile_writer *w, uint64_t size, bool with_bundle) {
    for (unsigned l = 0; l < TILE_LEVELS; l++) memcpy(w->edge[l], w->saved[l], (size_t)width_at(size, l) * TLOG_HASH);
    w->size = size;
    if (with_bundle) {
        if (w->saved_bundle.len) memcpy(w->bundle.data, w->saved_bundle.data, w->saved_bundle.len);
        w->bundle.len = w->saved_bundle.len;
    }
}

/* Adds one leaf hash (and, with an entry, its bundle bytes): fills the level-0 tile and carries each completed tile's
 * root into the level above, emitting the completed tiles. */
static int add_one(prova_tile_writer *w, const uint8_t leaf[TLOG_HASH], const prova_tile_entry *e,
                   prova_tile_emit_fn emit, void *ctx, prova_error *reterr) {
    uint8_t carry[TLOG_HASH];
    memcpy(carry, leaf, TLOG_HASH);
    if (e) {
        uint8_t *p = w->bundle.data + w->bundle.len; /* reserved by the caller */
        p[0] = (uint8_t)(e->len >> 8);
        p[1] = (uint8_t)e->len;
        if (e->len) memcpy(p + 2, e->data, e->len);
        w->bundle.len += 2 + e->len;
    }
    uint64_t size = w->size;
    w->size = size + 1;
    for (unsigned l = 0; l < TILE_LEVELS; l++) {
        uint64_t count = tlog_shr(size, 8 * l); /* hashes at this level before this leaf */
        unsigned pos = (unsigned)(count & 255);
        memcpy(w->edge[l][pos], carry, TLOG_HASH);
        if (pos != 255) break;
        prova_tile t = {(int)l, count >> 8, PROVA_TILE_WIDTH};
        int r;
        if (l == 0 && e) {
            prova_tile b = {PROVA_TILE_LEVEL_ENTRIES, count >> 8, PROVA_TILE_WIDTH};
            if ((r = emit_tile(emit, ctx, &b, w->bundle.data, w->bundle.len, reterr)) < 0) return r;
            w->bundle.len = 0;
        }
        if ((r = emit_tile(emit, ctx, &t, w->edge[l][0], sizeof w->edge[l], reterr)) < 0) return r;
        uint8_t tmp[PROVA_TILE_WIDTH][TLOG_HASH];
        memcpy(tmp, w->edge[l], sizeof tmp);
        prova__merkle_reduce(tmp, PROVA_TILE_WIDTH, carry);
    }
    return 0;
}

static int append(prova_tile_writer *w, const uint8_t (*hashes)[TLOG_HASH], const prova_tile_entry *entries, size_t n,
                  prova_tile_emit_fn emit, void *ctx, prova_error *reterr) {
    if (!w || !emit || (!hashes && !entries && n))
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (entries && !w->have_bundle)
        return prova__fail(reterr, PROVA_EINVAL, "tile_bundle_unknown",
                           "the writer was restored without its partial entry bundle");
    if (n > UINT64_MAX - w->size)
        return prova__fail(reterr, PROVA_ELIMIT, "tile_log_full", "the log cannot grow past 2^64 - 1 entries");
    uint64_t old = w->size;
    int r = 0;
    if (entries) { /* bundle bytes: the largest a bundle can grow to in this call */
        size_t need = 0;
        for (size_t i = 0; i < n; i++) {
            if (entries[i].len > PROVA_TILE_ENTRY_MAX) {
                r = prova__fail(reterr, PROVA_ELIMIT, "tile_bundle_entry_too_long",
                                "an entry of a bundle is at most 65,535 bytes (a uint16 length)");
                if (reterr) snprintf(reterr->pointer, sizeof reterr->pointer, "/%zu", i);
                return r;
            }
            if (!entries[i].data && entries[i].len)
                return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "an entry has NULL data");
            need += 2 + entries[i].len;
        }
        size_t room = need < (size_t)PROVA_TILE_WIDTH * (2 + PROVA_TILE_ENTRY_MAX)
                          ? need
                          : (size_t)PROVA_TILE_WIDTH * (2 + PROVA_TILE_ENTRY_MAX);
        w->saved_bundle.len = 0;
        if (prova_buf_reserve(&w->bundle, room) < 0 ||
            prova_buf_append(&w->saved_bundle, w->bundle.data, w->bundle.len) < 0)
            return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    }
    save(w);
    for (size_t i = 0; i < n && r == 0; i++) {
        uint8_t leaf[TLOG_HASH];
        if (entries) prova__merkle_leaf(entries[i].data, entries[i].len, leaf);
        r = add_one(w, entries ? leaf : hashes[i], entries ? &entries[i] : NULL, emit, ctx, reterr);
    }
    /* The new partial tiles (and bundle), bottom up, of each level whose width changed. */
    for (unsigned l = 0; l < TILE_LEVELS && r == 0; l++) {
        uint64_t o = tlog_shr(old, 8 * l), c = tlog_shr(w->size, 8 * l);
        if (c == o) break; /* nothing changed at this level, nor above */
        unsigned wl = (unsigned)(c & 255);
        if (!wl) continue;
        prova_tile t = {(int)l, c >> 8, wl};
        if (l == 0 && entries) {
            prova_tile b = {PROVA_TILE_LEVEL_ENTRIES, c >> 8, wl};
            r = emit_tile(emit, ctx, &b, w->bundle.data, w->bundle.len, reterr);
            if (r < 0) break;
        }
        r = emit_tile(emit, ctx, &t, w->edge[l][0], (size_t)wl * TLOG_HASH, reterr);
    }
    if (r < 0) {
        undo(w, old, entries != NULL);
        return r;
    }
    if (!entries) { /* hashes alone: the bundle is known again only at a tile boundary */
        w->bundle.len = 0;
        w->have_bundle = (w->size & 255) == 0;
    }
    return 0;
}

int prova_tile_writer_append(prova_tile_writer *w, const uint8_t leaf_hashes[][PROVA_MERKLE_HASH_BYTES], size_t n,
                             prova_tile_emit_fn emit, void *ctx, prova_error *reterr) {
    if (!leaf_hashes && n) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    return append(w, leaf_hashes, NULL, n, emit, ctx, reterr);
}

int prova_tile_writer_append_entries(prova_tile_writer *w, const prova_tile_entry *entries, size_t n,
                                     prova_tile_emit_fn emit, void *ctx, prova_error *reterr) {
    if (!entries && n) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    static const prova_tile_entry none[1] = {{NULL, 0}};
    return append(w, NULL, entries ? entries : none, n, emit, ctx, reterr);
}
