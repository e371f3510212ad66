/* Micro-benchmark of the tlog layer (prova/merkle.h): leaf hashes per second, a log's integration rate through the
 * tile writer (what `prova log audit` and `prova log append` run at; target >= 1 M leaves/s), and inclusion proofs
 * verified per second (target >= 100,000 per core). One core; prints one line per measure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prova/checkpoint.h"
#include "prova/merkle.h"
#include "prova/note.h"

#define H PROVA_MERKLE_HASH_BYTES

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int discard(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len) {
    (void)tile, (void)data;
    *(size_t *)ctx += len;
    return 0;
}

typedef struct tree {
    uint8_t (*leaves)[H];
    uint64_t size;
} tree;

/* A reader from the leaves themselves (the benchmark measures verification, not the reader). */
static int read_leaves(void *ctx, unsigned level, uint64_t index, uint8_t out[H]) {
    tree *t = ctx;
    uint64_t n = (uint64_t)1 << level, lo = index << level;
    if (n == 1) {
        memcpy(out, t->leaves[lo], H);
        return 0;
    }
    uint8_t l[H], r[H];
    if (read_leaves(ctx, level - 1, index * 2, l) < 0 || read_leaves(ctx, level - 1, index * 2 + 1, r) < 0) return -1;
    return prova_merkle_hash_node(l, r, out);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
    uint8_t(*leaves)[H] = malloc(n * H);
    char entry[100];
    memset(entry, 'e', sizeof entry);
    if (!leaves) return 3;

    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        memcpy(entry, &i, sizeof i);
        if (prova_merkle_hash_leaf(entry, sizeof entry, leaves[i]) < 0) return 3;
    }
    double t1 = now();
    printf("leaf hashes (100-byte entries): %.2f M/s\n", (double)n / (t1 - t0) / 1e6);

    prova_tile_writer *w = NULL;
    size_t bytes = 0;
    if (prova_tile_writer_new(&w) < 0) return 3;
    t0 = now();
    for (size_t done = 0; done < n; done += 1000) {
        size_t k = n - done < 1000 ? n - done : 1000;
        if (prova_tile_writer_append(w, (const uint8_t(*)[H])leaves[done], k, discard, &bytes, NULL) < 0) return 3;
    }
    t1 = now();
    printf("tile writer, leaf hashes in batches of 1000: %.2f M leaves/s (%zu tile bytes)\n",
           (double)n / (t1 - t0) / 1e6, bytes);
    prova_tile_writer_free(w);

    prova_tile_entry *e = malloc(1000 * sizeof *e);
    if (!e || prova_tile_writer_new(&w) < 0) return 3;
    for (size_t i = 0; i < 1000; i++) e[i] = (prova_tile_entry){(const uint8_t *)entry, sizeof entry};
    t0 = now();
    for (size_t done = 0; done < n; done += 1000)
        if (prova_tile_writer_append_entries(w, e, 1000, discard, &bytes, NULL) < 0) return 3;
    t1 = now();
    printf("tile writer, 100-byte entries (leaf hash + bundles) in batches of 1000: %.2f M leaves/s\n",
           (double)((n + 999) / 1000 * 1000) / (t1 - t0) / 1e6);
    prova_tile_writer_free(w);
    free(e);

    /* Inclusion proofs in a tree of 2^20 leaves (20 hashes each). */
    tree t = {leaves, (uint64_t)1 << 20};
    if (n < t.size) return 2;
    uint8_t root[H], proof[PROVA_MERKLE_PROOF_MAX][H];
    size_t plen;
    if (prova_merkle_root(t.size, read_leaves, &t, root, NULL) < 0) return 3;
    size_t m = 200000, ok = 0;
    /* Verify one proof per 1000 iterations' index, repeatedly. */
    uint64_t idx = 12345;
    if (prova_merkle_inclusion_prove(idx, t.size, read_leaves, &t, proof, PROVA_MERKLE_PROOF_MAX, &plen, NULL) < 0)
        return 3;
    t0 = now();
    for (size_t i = 0; i < m; i++)
        ok +=
            prova_merkle_inclusion_verify(idx, t.size, leaves[idx], (const uint8_t(*)[H])proof, plen, root, NULL) == 0;
    t1 = now();
    printf("inclusion proofs verified (2^20 leaves, %zu hashes): %.0f /s (%zu ok)\n", plen, (double)m / (t1 - t0), ok);

    /* Whole c2sp.org/tlog-proof@v1 files, as `prova log verify-proof` reads them: parsed, then the checkpoint's
     * Ed25519 signature under a policy and the inclusion proof; and parsed with the inclusion proof alone (a verifier
     * of many proofs against one checkpoint checks its signature once). */
    prova_note_key *key = NULL;
    prova_buf body = PROVA_BUF_INIT, note = PROVA_BUF_INIT, pf = PROVA_BUF_INIT, vk = PROVA_BUF_INIT,
              pol = PROVA_BUF_INIT;
    prova_tlog_policy *policy = NULL;
    if (prova_note_key_generate("bench.example/log", 17, PROVA_NOTE_ED25519, &key, NULL) != 0 ||
        prova_checkpoint_write("bench.example/log", 17, t.size, root, NULL, 0, &body, NULL) != 0 ||
        prova_note_sign(body.data, body.len, key, 0, &note, NULL) != 0 ||
        prova_tlog_proof_write(NULL, 0, idx, &proof[0][0], plen, note.data, note.len, &pf, NULL) != 0 ||
        prova_note_key_write_vkey(key, &vk) != 0 || prova_buf_append(&pol, "log ", 4) != 0 ||
        prova_buf_append(&pol, vk.data, vk.len) != 0 || prova_buf_append(&pol, "\nquorum none\n", 13) != 0 ||
        prova_tlog_policy_parse(pol.data, pol.len, &policy, NULL) != 0)
        return 3;
    size_t mp = 20000, okp = 0;
    t0 = now();
    for (size_t i = 0; i < mp; i++) {
        prova_tlog_proof *tp = NULL;
        if (prova_tlog_proof_parse(pf.data, pf.len, &tp, NULL) == 0)
            okp += prova_tlog_proof_verify(tp, policy, NULL, leaves[idx], NULL, NULL) == 0;
        prova_tlog_proof_free(tp);
    }
    t1 = now();
    printf("tlog-proof files parsed and verified (Ed25519 checkpoint + %zu hashes): %.0f /s (%zu ok)\n", plen,
           (double)mp / (t1 - t0), okp);
    size_t mq = 200000, okq = 0;
    t0 = now();
    for (size_t i = 0; i < mq; i++) {
        prova_tlog_proof *tp = NULL;
        if (prova_tlog_proof_parse(pf.data, pf.len, &tp, NULL) == 0) {
            uint8_t hs[PROVA_TLOG_PROOF_MAX_HASHES][H], r[H];
            size_t nh = prova_tlog_proof_hash_count(tp);
            for (size_t k = 0; k < nh; k++) memcpy(hs[k], prova_tlog_proof_hash(tp, k), H);
            prova_checkpoint_root(prova_tlog_proof_checkpoint_body(tp), r);
            okq += prova_merkle_inclusion_verify(prova_tlog_proof_index(tp), t.size, leaves[idx],
                                                 (const uint8_t(*)[H])hs, nh, r, NULL) == 0;
        }
        prova_tlog_proof_free(tp);
    }
    t1 = now();
    printf("tlog-proof files parsed + inclusion verified (checkpoint checked once): %.0f /s (%zu ok)\n",
           (double)mq / (t1 - t0), okq);
    prova_tlog_policy_free(policy);
    prova_note_key_free(key);
    prova_buf_free(&body);
    prova_buf_free(&note);
    prova_buf_free(&pf);
    prova_buf_free(&vk);
    prova_buf_free(&pol);
    if (okp != mp || okq != mq) return 1;
    free(leaves);
    return ok == m ? 0 : 1;
}
