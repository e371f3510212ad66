/* The Merkle half of the transparency log (prova/merkle.h): RFC 9162 hashing and proofs, tlog-tiles paths, tiles,
 * entry bundles and the incremental writer.
 *
 *   test_merkle MERKLE_VECTORS TESSERA_LOG   the tests
 *   test_merkle --write DIR SIZE             writes the tiles, bundles and root of a SIZE-leaf log into DIR (for
 *                                            tests/unit/merkle_cross.py, the independent Python check)
 *
 * MERKLE_VECTORS is transparency-dev/merkle's testdata (inclusion/, consistency/: each case must verify or fail as
 * its wantErr says); TESSERA_LOG is Tessera's test log (tile/0/000.p/N, tile/entries/000.p/N, checkpoint.N).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "prova/prova.h"

#define H PROVA_MERKLE_HASH_BYTES

/* ---- helpers --------------------------------------------------------------------------------------------- */

static bool read_file(const char *path, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t chunk[65536];
    size_t n;
    bool ok = true;
    out->len = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (prova_buf_append(out, chunk, n) < 0) ok = false;
    fclose(f);
    return ok;
}

static bool b64(const char *s, uint8_t *out, size_t cap, size_t *n) {
    prova_error err;
    return prova_base64_decode(s, strlen(s), out, cap, n, &err) == 0;
}

/* The naive MTH of leaves[lo, hi) (RFC 9162 §2.1.1, recursively). */
static void mth(const uint8_t (*leaves)[H], uint64_t lo, uint64_t hi, uint8_t out[H]) {
    if (hi == lo) {
        CHECK(prova_merkle_hash_empty(out) == 0);
        return;
    }
    if (hi - lo == 1) {
        memcpy(out, leaves[lo], H);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < hi - lo) k *= 2;
    uint8_t l[H], r[H];
    mth(leaves, lo, lo + k, l);
    mth(leaves, lo + k, hi, r);
    CHECK(prova_merkle_hash_node(l, r, out) == 0);
}

/* ---- transparency-dev/merkle's vectors ------------------------------------------------------------------- */

/* prova's proof API takes hashes as 32-byte arrays. Go's takes byte slices, and some cases hold values of other
 * lengths: Go rejects a leaf hash of the wrong size ("leafHash has unexpected size"), so such a case is an error
 * here before the call; roots and proof hashes it only compares or hashes, so a value of another length becomes
 * a stand-in no SHA-256 output meets, SHA-256(0xff || value) (equal values, equal stand-ins), and the case runs. */
static void as_hash(const uint8_t *v, size_t n, uint8_t out[H]) {
    if (n == H) {
        memcpy(out, v, H);
        return;
    }
    uint8_t tmp[256];
    tmp[0] = 0xff;
    memcpy(tmp + 1, v, n);
    CHECK(prova_merkle_hash_leaf(tmp, n + 1, out) == 0); /* 0x00 || 0xff || v: not a leaf of any real tree */
}

static bool field_hash(const prova_json *obj, const char *key, uint8_t out[H], bool *exact) {
    const prova_json *v = prova_json_get(obj, key);
    uint8_t raw[200];
    size_t n;
    if (!v || !prova_json_is_string(v) || !b64(prova_json_str(v), raw, sizeof raw, &n)) return false;
    as_hash(raw, n, out);
    if (exact) *exact = n == H;
    return true;
}

/* A size or an index: a JSON integer up to 2^64 - 1 (some cases hold 18446744073709551615), from its token. */
static bool field_u64(const prova_json *obj, const char *key, uint64_t *ret) {
    const prova_json *v = prova_json_get(obj, key);
    if (!v || !prova_json_is_int(v) || v->u.str[0] == '-') return false;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(v->u.str, &end, 10);
    if (errno || *end) return false;
    *ret = (uint64_t)x;
    return true;
}

static size_t field_proof(const prova_json *obj, uint8_t (*proof)[H], size_t cap, bool *ok) {
    const prova_json *p = prova_json_get(obj, "proof");
    *ok = true;
    if (!p || prova_json_is_null(p)) return 0;
    if (!prova_json_is_array(p) || prova_json_len(p) > cap) {
        *ok = false;
        return 0;
    }
    for (size_t i = 0; i < prova_json_len(p); i++) {
        uint8_t raw[200];
        size_t n;
        const prova_json *e = prova_json_at(p, i);
        if (!prova_json_is_string(e) || !b64(prova_json_str(e), raw, sizeof raw, &n))
            *ok = false;
        else
            as_hash(raw, n, proof[i]);
    }
    return prova_json_len(p);
}

typedef struct vec_counts {
    int inclusion, consistency, skipped;
} vec_counts;

static void run_vector(const char *path, bool inclusion, vec_counts *c) {
    prova_buf text = PROVA_BUF_INIT;
    prova_doc *doc = NULL;
    prova_error err;
    if (!read_file(path, &text) || prova_json_parse(text.data, text.len, NULL, &doc, &err) < 0) {
        CHECK_MSG(false, "%s: unreadable", path);
        prova_buf_free(&text);
        return;
    }
    const prova_json *o = prova_doc_root(doc);
    const prova_json *we = prova_json_get(o, "wantErr");
    bool want_err = prova_json_typeof(we) == PROVA_JSON_TRUE;
    CHECK_MSG(prova_json_is_bool(we), "%s: wantErr", path);
    uint8_t proof[PROVA_MERKLE_PROOF_MAX][H];
    bool pok;
    size_t plen = field_proof(o, proof, PROVA_MERKLE_PROOF_MAX, &pok);
    CHECK_MSG(pok, "%s: proof", path);
    int r;
    const char *reason = "";
    if (inclusion) {
        uint8_t leaf[H], root[H];
        bool leaf_exact = false;
        uint64_t idx = 0, size = 0;
        CHECK_MSG(field_hash(o, "leafHash", leaf, &leaf_exact) && field_hash(o, "root", root, NULL) &&
                      field_u64(o, "leafIdx", &idx) && field_u64(o, "treeSize", &size),
                  "%s: fields", path);
        if (!leaf_exact) {
            r = PROVA_EINVAL; /* as Go: a leaf hash of the wrong size */
            reason = "leaf hash of the wrong size";
        } else {
            r = prova_merkle_inclusion_verify(idx, size, leaf, (const uint8_t(*)[H])proof, plen, root, &err);
            if (r < 0) reason = err.reason;
        }
        c->inclusion++;
    } else {
        uint8_t root1[H], root2[H];
        uint64_t s1 = 0, s2 = 0;
        CHECK_MSG(field_hash(o, "root1", root1, NULL) && field_hash(o, "root2", root2, NULL) &&
                      field_u64(o, "size1", &s1) && field_u64(o, "size2", &s2),
                  "%s: fields", path);
        r = prova_merkle_consistency_verify(s1, s2, root1, root2, (const uint8_t(*)[H])proof, plen, &err);
        if (r < 0) reason = err.reason;
        c->consistency++;
    }
    CHECK_MSG((r < 0) == want_err, "%s: got %d (%s), wantErr %d", path, r, reason, want_err);
    prova_doc_free(doc);
    prova_buf_free(&text);
}

static void walk(const char *dir, bool inclusion, vec_counts *c) {
    DIR *d = opendir(dir);
    if (!d) {
        CHECK_MSG(false, "cannot open %s: %s", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path, inclusion, c);
        } else {
            size_t n = strlen(e->d_name);
            if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) run_vector(path, inclusion, c);
        }
    }
    closedir(d);
}

static void test_vectors(const char *root) {
    vec_counts c = {0, 0, 0};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/inclusion", root);
    walk(dir, true, &c);
    snprintf(dir, sizeof dir, "%s/consistency", root);
    walk(dir, false, &c);
    printf("merkle vectors: %d inclusion, %d consistency\n", c.inclusion, c.consistency);
    CHECK_MSG(c.inclusion > 50 && c.consistency > 50, "too few vectors found under %s", root);
}

/* ---- a tile store in memory ------------------------------------------------------------------------------ */

/* Every tile a writer emitted, by path: full tiles once, each partial width of each tile. Enough for the test
 * trees (a few thousand leaves). */
typedef struct store_tile {
    char path[PROVA_TILE_PATH_MAX];
    prova_buf data;
} store_tile;

#define STORE_INDEX 512 /* tile indexes 0..511 per level, levels entries, 0, 1, 2: enough for 70,000 leaves */

typedef struct store {
    store_tile *t;
    size_t n, cap;
    int32_t *slot;   /* [(level + 1) * STORE_INDEX + index][width]: 1 + position in t, or 0 */
    size_t emitted;  /* tiles emitted by the last append */
    const char *dir; /* when set, also written under dir */
} store;

static int32_t *store_slot(store *s, const prova_tile *tile) {
    if (tile->level < -1 || tile->level > 2 || tile->index >= STORE_INDEX) return NULL;
    if (!s->slot && !(s->slot = calloc((size_t)4 * STORE_INDEX * 257, sizeof *s->slot))) return NULL;
    return &s->slot[((size_t)(tile->level + 1) * STORE_INDEX + tile->index) * 257 + tile->width];
}

static store_tile *store_get(store *s, const prova_tile *tile) {
    int32_t *k = store_slot(s, tile);
    return k && *k ? &s->t[*k - 1] : NULL;
}

static store_tile *store_find(store *s, const char *path) {
    prova_tile t;
    if (prova_tile_path_parse(path, strlen(path), &t, NULL) < 0) return NULL;
    return store_get(s, &t);
}

static void mkdirs(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(tmp, 0755);
        *p = '/';
    }
}

static int store_emit(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len) {
    store *s = ctx;
    char path[PROVA_TILE_PATH_MAX];
    if (prova_tile_path_format(tile, path, NULL) < 0) return PROVA_EINVAL;
    s->emitted++;
    store_tile *t = store_get(s, tile);
    int32_t *k = store_slot(s, tile);
    if (!k) return PROVA_ELIMIT;
    if (!t) {
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 64;
            s->t = realloc(s->t, s->cap * sizeof *s->t);
            if (!s->t) return PROVA_ENOMEM;
        }
        t = &s->t[s->n++];
        memset(t, 0, sizeof *t);
        memcpy(t->path, path, sizeof path);
        *k = (int32_t)s->n;
    } else if (tile->width == PROVA_TILE_WIDTH) {
        CHECK_MSG(false, "full tile %s emitted twice", path);
    }
    t->data.len = 0;
    if (prova_buf_append(&t->data, data, len) < 0) return PROVA_ENOMEM;
    if (s->dir) {
        char fp[4096];
        snprintf(fp, sizeof fp, "%s/%s", s->dir, path);
        mkdirs(fp);
        FILE *f = fopen(fp, "wb");
        if (!f || fwrite(data, 1, len, f) != len) return PROVA_EIO;
        fclose(f);
    }
    return 0;
}

static void store_free(store *s) {
    for (size_t i = 0; i < s->n; i++) prova_buf_free(&s->t[i].data);
    free(s->t);
    free(s->slot);
}

static int store_read_tile(void *ctx, const prova_tile *tile, prova_buf *out) {
    store_tile *t = store_get(ctx, tile);
    if (!t) return PROVA_ENOTFOUND;
    return prova_buf_append(out, t->data.data, t->data.len);
}

/* A hash reader over the store for the tree of one size: the tile that holds the hash, then the hash in it. */
typedef struct tree_reader {
    store *s;
    uint64_t size;
    int reads;
} tree_reader;

static int tree_read(void *ctx, unsigned level, uint64_t index, uint8_t out[H]) {
    tree_reader *tr = ctx;
    prova_tile t;
    tr->reads++;
    if (prova_tile_for_hash(tr->size, level, index, &t, NULL) < 0) return PROVA_EINVAL;
    store_tile *st = store_get(tr->s, &t);
    if (!st) return PROVA_ENOTFOUND;
    return prova_tile_hash_read(&t, st->data.data, st->data.len, level, index, out, NULL);
}

/* ---- Tessera conformance --------------------------------------------------------------------------------- */

static const char *const tessera_entries[] = {"one",  "two", "three",  "four",  "five",     "six",     "seven", "eit",
                                              "nain", "ten", "ileven", "twelf", "threeten", "fourten", "fivten"};

static bool checkpoint_root(const char *dir, size_t n, uint8_t root[H]) {
    char path[4096];
    prova_buf text = PROVA_BUF_INIT;
    snprintf(path, sizeof path, "%s/checkpoint.%zu", dir, n);
    bool ok = read_file(path, &text) && prova_buf_append(&text, "", 1) == 0;
    char *line = ok ? (char *)text.data : NULL;
    for (int i = 0; ok && i < 2; i++) { /* origin, size, then the root */
        line = strchr(line, '\n');
        ok = line != NULL;
        if (ok) line++;
    }
    char *end = ok ? strchr(line, '\n') : NULL;
    size_t got = 0;
    if (end) *end = '\0';
    ok = end && b64(line, root, H, &got) && got == H;
    prova_buf_free(&text);
    return ok;
}

static bool file_equals(const char *dir, const char *rel, const prova_buf *data) {
    char path[4096];
    prova_buf want = PROVA_BUF_INIT;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    bool ok = read_file(path, &want) && want.len == data->len && memcmp(want.data, data->data, want.len) == 0;
    prova_buf_free(&want);
    return ok;
}

static int dir_read_tile(void *ctx, const prova_tile *tile, prova_buf *out) {
    char rel[PROVA_TILE_PATH_MAX], path[4096];
    if (prova_tile_path_format(tile, rel, NULL) < 0) return PROVA_EINVAL;
    snprintf(path, sizeof path, "%s/%s", (const char *)ctx, rel);
    prova_buf b = PROVA_BUF_INIT;
    int r = read_file(path, &b) ? prova_buf_append(out, b.data, b.len) : PROVA_ENOTFOUND;
    prova_buf_free(&b);
    return r;
}

static void test_tessera(const char *dir) {
    prova_tile_writer *w = NULL;
    store s = {0};
    prova_error err;
    CHECK(prova_tile_writer_new(&w) == 0);
    uint8_t root[H], want[H], empty[H];
    CHECK(checkpoint_root(dir, 0, want) && prova_tile_writer_root(w, root) == 0 && memcmp(root, want, H) == 0);
    CHECK(prova_merkle_hash_empty(empty) == 0 && memcmp(empty, want, H) == 0);
    int compared = 0;
    for (size_t i = 0; i < 15; i++) {
        prova_tile_entry e = {(const uint8_t *)tessera_entries[i], strlen(tessera_entries[i])};
        s.emitted = 0;
        CHECK(prova_tile_writer_append_entries(w, &e, 1, store_emit, &s, &err) == 0);
        CHECK_MSG(s.emitted == 2, "append %zu emitted %zu tiles", i + 1, s.emitted);
        char rel[64];
        snprintf(rel, sizeof rel, "tile/0/000.p/%zu", i + 1);
        store_tile *t = store_find(&s, rel);
        CHECK_MSG(t && file_equals(dir, rel, &t->data), "%s is Tessera's", rel);
        snprintf(rel, sizeof rel, "tile/entries/000.p/%zu", i + 1);
        store_tile *b = store_find(&s, rel);
        CHECK_MSG(b && file_equals(dir, rel, &b->data), "%s is Tessera's", rel);
        CHECK(prova_tile_writer_size(w) == i + 1);
        CHECK_MSG(checkpoint_root(dir, i + 1, want) && prova_tile_writer_root(w, root) == 0 &&
                      memcmp(root, want, H) == 0,
                  "root of size %zu is checkpoint.%zu's", i + 1, i + 1);
        compared++;

        /* A writer restored from Tessera's stored files at this size has the same root and appends the same. */
        prova_tile_writer *w2 = NULL;
        uint8_t root2[H];
        CHECK(prova_tile_writer_new(&w2) == 0);
        CHECK(prova_tile_writer_restore(w2, i + 1, true, dir_read_tile, (void *)dir, &err) == 0);
        CHECK(prova_tile_writer_root(w2, root2) == 0 && memcmp(root2, root, H) == 0);
        if (i + 1 < 15) {
            store s2 = {0};
            prova_tile_entry e2 = {(const uint8_t *)tessera_entries[i + 1], strlen(tessera_entries[i + 1])};
            CHECK(prova_tile_writer_append_entries(w2, &e2, 1, store_emit, &s2, &err) == 0);
            snprintf(rel, sizeof rel, "tile/entries/000.p/%zu", i + 2);
            store_tile *b2 = store_find(&s2, rel);
            CHECK_MSG(b2 && file_equals(dir, rel, &b2->data), "restored writer: %s", rel);
            store_free(&s2);
        }
        prova_tile_writer_free(w2);
    }
    printf("tessera: %d sizes compared\n", compared);
    /* The same 15 entries in one append: the same final tiles. */
    prova_tile_writer *w3 = NULL;
    prova_tile_entry all[15];
    for (size_t i = 0; i < 15; i++)
        all[i] = (prova_tile_entry){(const uint8_t *)tessera_entries[i], strlen(tessera_entries[i])};
    store s3 = {0};
    CHECK(prova_tile_writer_new(&w3) == 0 && prova_tile_writer_append_entries(w3, all, 15, store_emit, &s3, NULL) == 0);
    CHECK(s3.emitted == 2 && file_equals(dir, "tile/0/000.p/15", &s3.t[1].data) &&
          file_equals(dir, "tile/entries/000.p/15", &s3.t[0].data));
    /* A restore whose bundle does not match its tile is refused, and leaves the writer as it was. */
    CHECK(prova_tile_writer_restore(w3, 16, true, dir_read_tile, (void *)dir, &err) < 0);
    CHECK(prova_tile_writer_size(w3) == 15);
    prova_tile_writer_free(w3);
    store_free(&s3);
    prova_tile_writer_free(w);
    store_free(&s);
}

/* ---- proofs made from tiles ------------------------------------------------------------------------------ */

#define BIG 1000

static void leaf_of(uint64_t i, uint8_t out[H]) {
    char text[32];
    int n = snprintf(text, sizeof text, "leaf %llu", (unsigned long long)i);
    CHECK(prova_merkle_hash_leaf(text, (size_t)n, out) == 0);
}

static void test_proofs(void) {
    static uint8_t leaves[BIG][H];
    static uint8_t roots[BIG + 1][H];
    store s = {0};
    prova_tile_writer *w = NULL;
    prova_error err;
    CHECK(prova_tile_writer_new(&w) == 0);
    for (uint64_t i = 0; i < BIG; i++) leaf_of(i, leaves[i]);
    /* Appended in uneven batches, so full tiles complete inside a batch and at its end. */
    for (uint64_t done = 0, step = 1; done < BIG; step = step * 3 % 301 + 1) {
        size_t n = (size_t)(BIG - done < step ? BIG - done : step);
        CHECK(prova_tile_writer_append(w, (const uint8_t(*)[H])leaves[done], n, store_emit, &s, &err) == 0);
        done += n;
        mth((const uint8_t(*)[H])leaves, 0, done, roots[done]);
        uint8_t r[H];
        CHECK_MSG(prova_tile_writer_root(w, r) == 0 && memcmp(r, roots[done], H) == 0, "writer root at %llu",
                  (unsigned long long)done);
    }
    for (uint64_t n = 0; n <= BIG; n++) mth((const uint8_t(*)[H])leaves, 0, n, roots[n]);
    /* The partial tiles of the sizes the batches skipped are missing from the store: fill them with a writer per
     * size (what a log serving a checkpoint of that size has). Cheap: one append per size. */
    for (uint64_t n = 1; n <= BIG; n++) {
        prova_tile_writer *x = NULL;
        store tmp = {0};
        CHECK(prova_tile_writer_new(&x) == 0);
        CHECK(prova_tile_writer_append(x, (const uint8_t(*)[H])leaves, (size_t)n, store_emit, &tmp, NULL) == 0);
        for (size_t i = 0; i < tmp.n; i++) {
            prova_tile t;
            CHECK(prova_tile_path_parse(tmp.t[i].path, strlen(tmp.t[i].path), &t, NULL) == 0);
            if (!store_get(&s, &t)) CHECK(store_emit(&s, &t, tmp.t[i].data.data, tmp.t[i].data.len) == 0);
        }
        store_free(&tmp);
        prova_tile_writer_free(x);
    }

    long inclusion = 0, consistency = 0, bad = 0;
    uint8_t proof[PROVA_MERKLE_PROOF_MAX][H];
    size_t plen;
    for (uint64_t size = 1; size <= BIG; size++) {
        tree_reader tr = {&s, size, 0};
        uint8_t root[H];
        CHECK(prova_merkle_root(size, tree_read, &tr, root, &err) == 0 && memcmp(root, roots[size], H) == 0);
        /* Every index of the sizes up to 300, and a spread (with both ends) above. */
        uint64_t stride = size <= 300 ? 1 : 17;
        for (uint64_t idx = 0; idx < size; idx = (idx + stride < size || idx == size - 1) ? idx + stride : size - 1) {
            int r = prova_merkle_inclusion_prove(idx, size, tree_read, &tr, proof, PROVA_MERKLE_PROOF_MAX, &plen, &err);
            CHECK(r == 0);
            r = prova_merkle_inclusion_verify(idx, size, leaves[idx], (const uint8_t(*)[H])proof, plen, roots[size],
                                              &err);
            CHECK_MSG(r == 0, "inclusion %llu in %llu: %s", (unsigned long long)idx, (unsigned long long)size,
                      err.reason);
            inclusion++;
            if (idx % 97 == 0) { /* a wrong leaf, a shorter proof, a flipped bit */
                CHECK(prova_merkle_inclusion_verify(idx, size, leaves[(idx + 1) % BIG], (const uint8_t(*)[H])proof,
                                                    plen, roots[size], &err) == PROVA_EVERIFY &&
                      strcmp(err.reason, "merkle_root_mismatch") == 0);
                if (plen) {
                    CHECK(prova_merkle_inclusion_verify(idx, size, leaves[idx], (const uint8_t(*)[H])proof, plen - 1,
                                                        roots[size], &err) == PROVA_EVERIFY &&
                          strcmp(err.reason, "merkle_proof_wrong_length") == 0);
                    proof[plen - 1][7] ^= 1;
                    CHECK(prova_merkle_inclusion_verify(idx, size, leaves[idx], (const uint8_t(*)[H])proof, plen,
                                                        roots[size], &err) == PROVA_EVERIFY);
                }
                bad++;
            }
            if (idx == size - 1) break;
        }
    }
    CHECK(prova_merkle_inclusion_verify(5, 5, leaves[0], NULL, 0, roots[5], &err) == PROVA_EINVAL &&
          strcmp(err.reason, "merkle_index_out_of_range") == 0);
    /* Consistency: every pair up to 130, and a spread of pairs up to BIG. */
    for (uint64_t s2 = 1; s2 <= BIG; s2 = s2 < 130 ? s2 + 1 : s2 + 29) {
        tree_reader tr = {&s, s2, 0};
        for (uint64_t s1 = 1; s1 <= s2; s1 = s2 <= 130 ? s1 + 1 : s1 + 13) {
            int r = prova_merkle_consistency_prove(s1, s2, tree_read, &tr, proof, PROVA_MERKLE_PROOF_MAX, &plen, &err);
            CHECK(r == 0);
            r = prova_merkle_consistency_verify(s1, s2, roots[s1], roots[s2], (const uint8_t(*)[H])proof, plen, &err);
            CHECK_MSG(r == 0, "consistency %llu -> %llu: %s", (unsigned long long)s1, (unsigned long long)s2,
                      err.reason);
            if (s1 < s2 && (s1 + s2) % 11 == 0) {
                CHECK(prova_merkle_consistency_verify(s1, s2, roots[s1 - 1], roots[s2], (const uint8_t(*)[H])proof,
                                                      plen, &err) == PROVA_EVERIFY);
                CHECK(prova_merkle_consistency_verify(s1, s2, roots[s1], roots[s2 - 1], (const uint8_t(*)[H])proof,
                                                      plen, &err) == PROVA_EVERIFY &&
                      strcmp(err.reason, "merkle_root_mismatch") == 0);
            }
            consistency++;
        }
    }
    tree_reader tr = {&s, 10, 0};
    CHECK(prova_merkle_consistency_prove(0, 10, tree_read, &tr, proof, PROVA_MERKLE_PROOF_MAX, &plen, &err) ==
              PROVA_EINVAL &&
          strcmp(err.reason, "merkle_consistency_from_empty") == 0);
    CHECK(prova_merkle_consistency_prove(11, 10, tree_read, &tr, proof, PROVA_MERKLE_PROOF_MAX, &plen, &err) ==
              PROVA_EINVAL &&
          strcmp(err.reason, "merkle_size_order") == 0);
    CHECK(prova_merkle_inclusion_prove(3, 10, tree_read, &tr, proof, 1, &plen, &err) == PROVA_ENOSPACE);
    tree_reader far = {&s, BIG + 256, 0}; /* tiles this store does not have */
    CHECK(prova_merkle_inclusion_prove(3, BIG + 256, tree_read, &far, proof, PROVA_MERKLE_PROOF_MAX, &plen, &err) ==
              PROVA_ENOTFOUND &&
          strcmp(err.reason, "merkle_read_failed") == 0);
    printf("proofs from tiles: %ld inclusion, %ld consistency, %ld tampered\n", inclusion, consistency, bad);

    /* A writer restored from the store at a size with partial tiles at two levels goes on like the first one. */
    prova_tile_writer *w2 = NULL;
    uint8_t r1[H], r2[H];
    CHECK(prova_tile_writer_new(&w2) == 0);
    CHECK(prova_tile_writer_restore(w2, 700, false, store_read_tile, &s, &err) == 0);
    CHECK(prova_tile_writer_root(w2, r2) == 0 && memcmp(r2, roots[700], H) == 0);
    store s2 = {0};
    CHECK(prova_tile_writer_append(w2, (const uint8_t(*)[H])leaves[700], 300, store_emit, &s2, &err) == 0);
    CHECK(prova_tile_writer_root(w, r1) == 0 && prova_tile_writer_root(w2, r2) == 0 && memcmp(r1, r2, H) == 0);
    /* Without its bundle, the writer refuses entries until a tile boundary. */
    prova_tile_entry e = {(const uint8_t *)"x", 1};
    CHECK(prova_tile_writer_append_entries(w2, &e, 1, store_emit, &s2, &err) == PROVA_EINVAL &&
          strcmp(err.reason, "tile_bundle_unknown") == 0);
    /* A failing emitter leaves the writer as it was. */
    prova_tile_writer_free(w2);
    store_free(&s2);
    store_free(&s);
    prova_tile_writer_free(w);
}

static int failing_emit(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len) {
    (void)data, (void)len;
    int *left = ctx;
    if (tile->width == PROVA_TILE_WIDTH && (*left)-- == 0) return PROVA_EIO;
    return 0;
}

static void test_writer_failure(void) {
    prova_tile_writer *w = NULL;
    prova_error err;
    uint8_t leaves[600][H], before[H], after[H];
    for (int i = 0; i < 600; i++) leaf_of((uint64_t)i, leaves[i]);
    CHECK(prova_tile_writer_new(&w) == 0);
    int ok = 100;
    CHECK(prova_tile_writer_append(w, (const uint8_t(*)[H])leaves, 300, failing_emit, &ok, &err) == 0);
    CHECK(prova_tile_writer_root(w, before) == 0);
    int left = 0; /* the next full tile fails */
    CHECK(prova_tile_writer_append(w, (const uint8_t(*)[H])leaves[300], 300, failing_emit, &left, &err) == PROVA_EIO &&
          strcmp(err.reason, "tile_emit_failed") == 0);
    CHECK(prova_tile_writer_size(w) == 300 && prova_tile_writer_root(w, after) == 0 && memcmp(before, after, H) == 0);
    ok = 100;
    CHECK(prova_tile_writer_append(w, (const uint8_t(*)[H])leaves[300], 300, failing_emit, &ok, &err) == 0);
    uint8_t want[H];
    mth((const uint8_t(*)[H])leaves, 0, 600, want);
    CHECK(prova_tile_writer_root(w, after) == 0 && memcmp(want, after, H) == 0);
    prova_tile_writer_free(w);
    CHECK(prova_tile_writer_free(NULL) == NULL);
}

/* ---- paths, tiles, bundles ------------------------------------------------------------------------------- */

static void test_paths(void) {
    static const struct {
        int level;
        uint64_t index;
        unsigned width;
        const char *path;
    } good[] = {
        {0, 0, 256, "tile/0/000"},
        {0, 1234067, 256, "tile/0/x001/x234/067"},
        {3, 1234067, 5, "tile/3/x001/x234/067.p/5"},
        {63, 999, 255, "tile/63/999.p/255"},
        {PROVA_TILE_LEVEL_ENTRIES, 0, 1, "tile/entries/000.p/1"},
        {PROVA_TILE_LEVEL_ENTRIES, 1000, 256, "tile/entries/x001/000"},
        {1, UINT64_MAX, 256, "tile/1/x018/x446/x744/x073/x709/x551/615"},
        {PROVA_TILE_LEVEL_ENTRIES, UINT64_MAX, 255, "tile/entries/x018/x446/x744/x073/x709/x551/615.p/255"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        prova_tile t = {good[i].level, good[i].index, good[i].width}, back;
        char path[PROVA_TILE_PATH_MAX];
        size_t n;
        CHECK(prova_tile_path_format(&t, path, &n) == 0 && n == strlen(path));
        CHECK_STR(path, good[i].path);
        CHECK(n < PROVA_TILE_PATH_MAX);
        CHECK(prova_tile_path_parse(good[i].path, strlen(good[i].path), &back, NULL) == 0 && back.level == t.level &&
              back.index == t.index && back.width == t.width);
    }
    static const struct {
        const char *path, *reason;
    } bad[] = {
        {"", "tile_path_prefix"},
        {"/tile/0/000", "tile_path_prefix"},
        {"tiles/0/000", "tile_path_prefix"},
        {"tile/00/000", "tile_path_level"},
        {"tile/01/000", "tile_path_level"},
        {"tile/64/000", "tile_path_level"},
        {"tile/-1/000", "tile_path_level"},
        {"tile/entry/000", "tile_path_level"},
        {"tile/0", "tile_path_level"},
        {"tile/0/", "tile_path_index"},
        {"tile/0/00", "tile_path_index"},
        {"tile/0/0000", "tile_path_index"},
        {"tile/0/1", "tile_path_index"},
        {"tile/0/x000/001", "tile_path_index"},
        {"tile/0/x001", "tile_path_index"},
        {"tile/0/x001/", "tile_path_index"},
        {"tile/0/001/002", "tile_path_index"},
        {"tile/0/x1/002", "tile_path_index"},
        {"tile/0/x018/x446/x744/x073/x709/x551/616", "tile_path_index"},
        {"tile/0/x999/x999/x999/x999/x999/x999/x999/999", "tile_path_index"},
        {"tile/0/000.p", "tile_path_index"},
        {"tile/0/000/", "tile_path_index"},
        {"tile/0/000.p/0", "tile_path_width"},
        {"tile/0/000.p/256", "tile_path_width"},
        {"tile/0/000.p/05", "tile_path_width"},
        {"tile/0/000.p/", "tile_path_width"},
        {"tile/0/000.p/5/", "tile_path_width"},
        {"tile/0/000.p/5x", "tile_path_width"},
        {"tile/entries/000.p/1000", "tile_path_width"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prova_tile t = {7, 7, 7};
        prova_error err;
        int r = prova_tile_path_parse(bad[i].path, strlen(bad[i].path), &t, &err);
        CHECK_MSG(r == PROVA_ESYNTAX && strcmp(err.reason, bad[i].reason) == 0 && t.level == 7, "'%s': %d %s, want %s",
                  bad[i].path, r, r ? err.reason : "ok", bad[i].reason);
    }
    /* A NUL inside the length is not the end of the path. */
    prova_tile t;
    CHECK(prova_tile_path_parse("tile/0/000\0", 11, &t, NULL) == PROVA_ESYNTAX);
    prova_tile wide = {64, 0, 256}, thin = {0, 0, 0};
    char p[PROVA_TILE_PATH_MAX];
    CHECK(prova_tile_path_format(&wide, p, NULL) == PROVA_EINVAL &&
          prova_tile_path_format(&thin, p, NULL) == PROVA_EINVAL);
}

static void test_tiles(void) {
    /* SPEC tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0 tile
     * of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2 tile of
     * width 1. ... a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile". */
    prova_tile t[300];
    size_t n;
    prova_error err;
    CHECK(prova_tile_list(0, 70000, t, 300, &n, &err) == 0 && n == 273 + 1 + 1 + 1 + 1);
    CHECK(t[272].level == 0 && t[272].index == 272 && t[272].width == 256);
    CHECK(t[273].level == 0 && t[273].index == 273 && t[273].width == 112);
    CHECK(t[274].level == 1 && t[274].index == 0 && t[274].width == 256);
    CHECK(t[275].level == 1 && t[275].index == 1 && t[275].width == 17);
    CHECK(t[276].level == 2 && t[276].index == 0 && t[276].width == 1);
    CHECK(prova_tile_list(0, 256, t, 300, &n, &err) == 0 && n == 2 && t[0].width == 256 && t[1].level == 1 &&
          t[1].width == 1);
    CHECK(prova_tile_list(0, 70000, t, 10, &n, &err) == PROVA_ENOSPACE && n == 277);
    CHECK(prova_tile_list(70000, 70000, t, 10, &n, &err) == 0 && n == 0);
    CHECK(prova_tile_list(69999, 70001, t, 10, &n, &err) == 0 && n == 1 && t[0].width == 113);
    CHECK(prova_tile_list(65535, 65536, t, 10, &n, &err) == 0 && n == 3); /* 0/255 and 1/0 full, 2/000.p/1 */
    CHECK(prova_tile_list(2, 1, t, 10, &n, &err) == PROVA_EINVAL && strcmp(err.reason, "tile_size_order") == 0);
    CHECK(prova_tile_list(0, 0, t, 10, &n, &err) == 0 && n == 0);
    CHECK(prova_tile_list(0, UINT64_MAX, NULL, 0, &n, &err) == PROVA_ENOSPACE && n > ((size_t)1 << 55));

    prova_tile x;
    CHECK(prova_tile_for_hash(70000, 0, 69999, &x, &err) == 0 && x.level == 0 && x.index == 273 && x.width == 112);
    CHECK(prova_tile_for_hash(70000, 3, 10, &x, &err) == 0 && x.level == 0 && x.index == 0 && x.width == 256);
    CHECK(prova_tile_for_hash(70000, 8, 256, &x, &err) == 0 && x.level == 1 && x.index == 1 && x.width == 17);
    CHECK(prova_tile_for_hash(70000, 16, 1, &x, &err) == PROVA_EINVAL &&
          strcmp(err.reason, "tile_hash_not_in_tree") == 0);
    CHECK(prova_tile_for_hash(70000, 0, 70000, &x, &err) == PROVA_EINVAL);
    CHECK(prova_tile_for_hash(70000, 64, 0, &x, &err) == PROVA_EINVAL);

    uint8_t data[4 * H], out[H];
    prova_tile small = {0, 0, 4};
    memset(data, 1, sizeof data);
    CHECK(prova_tile_hash_read(&small, data, sizeof data - 1, 0, 0, out, &err) == PROVA_ESYNTAX &&
          strcmp(err.reason, "tile_data_wrong_size") == 0);
    CHECK(prova_tile_hash_read(&small, data, sizeof data, 0, 4, out, &err) == PROVA_EINVAL &&
          strcmp(err.reason, "tile_hash_not_in_tile") == 0);
    CHECK(prova_tile_hash_read(&small, data, sizeof data, 2, 0, out, &err) == 0);
    CHECK(prova_tile_hash_read(&small, data, sizeof data, 3, 0, out, &err) == PROVA_EINVAL);
    CHECK(prova_tile_hash_read(&small, data, sizeof data, 8, 0, out, &err) == PROVA_EINVAL);
}

static void test_bundles(void) {
    prova_buf b = PROVA_BUF_INIT;
    prova_error err;
    static uint8_t big[PROVA_TILE_ENTRY_MAX + 1];
    prova_tile_entry e[3] = {{(const uint8_t *)"one", 3}, {NULL, 0}, {big, PROVA_TILE_ENTRY_MAX}};
    CHECK(prova_tile_bundle_encode(e, 3, &b, &err) == 0 && b.len == 2 + 3 + 2 + 2 + PROVA_TILE_ENTRY_MAX);
    CHECK(b.data[0] == 0 && b.data[1] == 3 && b.data[5] == 0 && b.data[6] == 0 && b.data[7] == 0xff &&
          b.data[8] == 0xff);
    prova_tile_entry d[4];
    size_t n;
    CHECK(prova_tile_bundle_decode(b.data, b.len, 0, d, 4, &n, &err) == 0 && n == 3 && d[0].len == 3 &&
          memcmp(d[0].data, "one", 3) == 0 && d[1].len == 0 && d[2].len == PROVA_TILE_ENTRY_MAX);
    CHECK(prova_tile_bundle_decode(b.data, b.len, 3, d, 4, &n, &err) == 0);
    CHECK(prova_tile_bundle_decode(b.data, b.len, 2, d, 4, &n, &err) == PROVA_ESYNTAX &&
          strcmp(err.reason, "tile_bundle_trailing_data") == 0 && err.offset == 7);
    CHECK(prova_tile_bundle_decode(b.data, b.len, 4, d, 4, &n, &err) == PROVA_ESYNTAX &&
          strcmp(err.reason, "tile_bundle_truncated") == 0);
    CHECK(prova_tile_bundle_decode(b.data, 6, 0, d, 4, &n, &err) == PROVA_ESYNTAX &&
          strcmp(err.reason, "tile_bundle_truncated") == 0 && err.offset == 5);
    CHECK(prova_tile_bundle_decode(b.data, b.len - 1, 0, d, 4, &n, &err) == PROVA_ESYNTAX &&
          strcmp(err.reason, "tile_bundle_entry_overlong") == 0 && err.offset == 7);
    CHECK(prova_tile_bundle_decode(b.data, b.len, 0, d, 2, &n, &err) == PROVA_ELIMIT &&
          strcmp(err.reason, "tile_bundle_too_many_entries") == 0);
    CHECK(prova_tile_bundle_decode(NULL, 0, 0, d, 4, &n, &err) == 0 && n == 0);
    size_t before = b.len;
    prova_tile_entry over = {big, PROVA_TILE_ENTRY_MAX + 1};
    CHECK(prova_tile_bundle_encode(&over, 1, &b, &err) == PROVA_ELIMIT &&
          strcmp(err.reason, "tile_bundle_entry_too_long") == 0 && b.len == before);
    prova_tile_entry many[257];
    for (int i = 0; i < 257; i++) many[i] = (prova_tile_entry){(const uint8_t *)"a", 1};
    CHECK(prova_tile_bundle_encode(many, 257, &b, &err) == PROVA_ELIMIT && b.len == before);
    b.len = 0;
    CHECK(prova_tile_bundle_encode(many, 256, &b, &err) == 0 && b.len == 768);
    prova_tile_entry d256[300];
    CHECK(prova_tile_bundle_decode(b.data, b.len, 256, d256, 300, &n, &err) == 0 && n == 256);
    CHECK(prova_tile_bundle_decode(b.data, b.len, 257, d256, 300, &n, &err) == PROVA_ELIMIT);
    /* The writer refuses an over-long entry and stays as it was. */
    prova_tile_writer *w = NULL;
    store s = {0};
    CHECK(prova_tile_writer_new(&w) == 0);
    CHECK(prova_tile_writer_append_entries(w, &over, 1, store_emit, &s, &err) == PROVA_ELIMIT &&
          prova_tile_writer_size(w) == 0 && s.emitted == 0);
    prova_tile_writer_free(w);
    store_free(&s);
    prova_buf_free(&b);
}

static void test_hashes(void) {
    /* RFC 6962 test vectors (as in transparency-dev/merkle's rfc6962 tests). */
    uint8_t h[H], want[H];
    size_t n;
    CHECK(prova_merkle_hash_empty(h) == 0 && b64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", want, H, &n) &&
          memcmp(h, want, H) == 0);
    CHECK(prova_merkle_hash_leaf("", 0, h) == 0 && b64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", want, H, &n) &&
          memcmp(h, want, H) == 0);
    CHECK(prova_merkle_hash_leaf(NULL, 1, h) == PROVA_EINVAL && prova_merkle_hash_node(h, NULL, h) == PROVA_EINVAL);
    CHECK(prova_merkle_hash_bytes() == 32 && prova_tile_width() == 256 && prova_tile_sizeof() == sizeof(prova_tile));
}

/* ---- the --write helper ---------------------------------------------------------------------------------- */

static int write_log(const char *dir, uint64_t size) {
    prova_tile_writer *w = NULL;
    store s = {0};
    s.dir = dir;
    prova_error err;
    if (prova_tile_writer_new(&w) < 0) return 3;
    uint64_t state = 0x9e3779b97f4a7c15ULL, done = 0;
    uint8_t buf[64];
    while (done < size) { /* random entries, in random batches */
        prova_tile_entry e[64];
        uint8_t data[64][64];
        size_t n = 1 + (size_t)(state % 64);
        if (n > size - done) n = (size_t)(size - done);
        for (size_t i = 0; i < n; i++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t len = (size_t)(state >> 58);
            for (size_t j = 0; j < len; j++) data[i][j] = (uint8_t)(state >> (j % 56));
            e[i] = (prova_tile_entry){data[i], len};
        }
        if (prova_tile_writer_append_entries(w, e, n, store_emit, &s, &err) < 0) {
            fprintf(stderr, "append: %s\n", err.reason);
            return 1;
        }
        done += n;
    }
    uint8_t root[H];
    char path[4096], text[64];
    (void)buf;
    if (prova_tile_writer_root(w, root) < 0 || prova_base64_encode(root, H, text, sizeof text) == 0) return 3;
    snprintf(path, sizeof path, "%s/root", dir);
    FILE *f = fopen(path, "w");
    if (!f) return 3;
    fprintf(f, "%llu\n%s\n", (unsigned long long)size, text);
    fclose(f);
    prova_tile_writer_free(w);
    store_free(&s);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--write") == 0) return write_log(argv[2], strtoull(argv[3], NULL, 10));
    if (argc != 3) {
        fprintf(stderr, "usage: test_merkle MERKLE_VECTORS TESSERA_LOG | --write DIR SIZE\n");
        return 2;
    }
    test_hashes();
    test_vectors(argv[1]);
    test_paths();
    test_tiles();
    test_bundles();
    test_tessera(argv[2]);
    test_writer_failure();
    test_proofs();
    TEST_SUMMARY();
}
