/* libFuzzer target: the text half of the transparency log (prova/note.h, prova/checkpoint.h) — signed notes (parse
 * and verify against a fixed log key and witness), vkeys, checkpoint bodies, tlog-policy files and tlog-proof files.
 * Invariants: no crash, leak or UB; a parsed checkpoint body is written back byte for byte; a parsed tlog-proof is
 * written back byte for byte; a policy's quorum evaluates for every witness set tried. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/checkpoint.h"
#include "prova/note.h"

#define LOG_VKEY "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
#define WIT_VKEY "witness.example/w1+e75f6532+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"

static void fuzz_checkpoint_body(const uint8_t *data, size_t size) {
    prova_checkpoint *cp = NULL;
    if (prova_checkpoint_parse(data, size, &cp, NULL) != 0) return;
    size_t ol = 0, el = 0;
    const char *origin = prova_checkpoint_origin(cp, &ol);
    const char *ext = prova_checkpoint_extensions(cp, &el);
    uint8_t root[PROVA_CHECKPOINT_HASH_BYTES];
    prova_checkpoint_root(cp, root);
    prova_buf out = PROVA_BUF_INIT;
    ASSERT(prova_checkpoint_write(origin, ol, prova_checkpoint_size(cp), root, ext, el, &out, NULL) == 0);
    ASSERT(out.len == size && memcmp(out.data, data, size) == 0);
    prova_buf_free(&out);
    prova_checkpoint_free(cp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    prova_error err;
    prova_note_key *keys[2] = {NULL, NULL};
    ASSERT(prova_note_key_parse_vkey(LOG_VKEY, strlen(LOG_VKEY), &keys[0], NULL) == 0);
    ASSERT(prova_note_key_parse_vkey(WIT_VKEY, strlen(WIT_VKEY), &keys[1], NULL) == 0);

    /* A signed note, verified against the two keys; its text as a checkpoint. */
    prova_note *note = NULL;
    if (prova_note_parse(data, size, &note, &err) == 0) {
        bool ok[2];
        uint64_t times[2];
        int r = prova_note_verify(note, (const prova_note_key *const *)keys, 2, ok, times, &err);
        ASSERT(r == 0 || r == PROVA_EVERIFY);
        size_t tl = 0;
        const char *text = prova_note_text(note, &tl);
        ASSERT(tl > 0 && tl < size && text[tl - 1] == '\n');
        for (size_t i = 0; i < prova_note_signature_count(note); i++) {
            size_t nl = 0;
            ASSERT(prova_note_signature_name(note, i, &nl) != NULL && nl > 0);
        }
        fuzz_checkpoint_body((const uint8_t *)text, tl);
        prova_note_free(note);
        bool wit[1];
        r = prova_checkpoint_verify(data, size, keys[0], (const prova_note_key *const *)&keys[1], 1, NULL, wit, &err);
        ASSERT(r == 0 || r == PROVA_EVERIFY || r == PROVA_ESYNTAX);
    }
    fuzz_checkpoint_body(data, size);

    /* A vkey and a private key. */
    prova_note_key *k = NULL;
    if (size < 4096 && prova_note_key_parse_vkey((const char *)data, size, &k, &err) == 0) {
        prova_buf out = PROVA_BUF_INIT;
        ASSERT(prova_note_key_write_vkey(k, &out) == 0);
        ASSERT(out.len == size && memcmp(out.data, data, size) == 0);
        prova_buf_free(&out);
        k = prova_note_key_free(k);
    }
    if (size < 4096 && prova_note_key_parse_private((const char *)data, size, &k, &err) == 0)
        k = prova_note_key_free(k);

    /* A policy, its quorum over a few witness sets, and a checkpoint verified under it. */
    prova_tlog_policy *policy = NULL;
    if (prova_tlog_policy_parse(data, size, &policy, &err) == 0) {
        size_t nw = prova_tlog_policy_witness_count(policy);
        bool *w = calloc(nw ? nw : 1, sizeof *w);
        bool met;
        ASSERT(w && prova_tlog_policy_quorum(policy, w, &met) == 0);
        for (size_t i = 0; i < nw; i++) w[i] = (data[i % size] & 1) != 0;
        ASSERT(prova_tlog_policy_quorum(policy, w, &met) == 0);
        for (size_t i = 0; i < nw; i++) w[i] = true;
        ASSERT(prova_tlog_policy_quorum(policy, w, &met) == 0 && met);
        free(w);
        prova_tlog_policy_free(policy);
    }

    /* A tlog-proof, written back, and verified under a policy of the two keys. */
    prova_tlog_proof *proof = NULL;
    if (prova_tlog_proof_parse(data, size, &proof, &err) == 0) {
        size_t n = prova_tlog_proof_hash_count(proof), el = 0, cl = 0;
        uint8_t *hashes = malloc(n ? 32 * n : 1);
        ASSERT(hashes);
        for (size_t i = 0; i < n; i++) memcpy(hashes + 32 * i, prova_tlog_proof_hash(proof, i), 32);
        const uint8_t *extra = prova_tlog_proof_extra(proof, &el);
        const char *cp = prova_tlog_proof_checkpoint(proof, &cl);
        prova_buf out = PROVA_BUF_INIT;
        ASSERT(prova_tlog_proof_write(extra, el, prova_tlog_proof_index(proof), hashes, n, cp, cl, &out, NULL) == 0);
        ASSERT(out.len == size && memcmp(out.data, data, size) == 0);
        prova_buf_free(&out);
        static const char pol[] = "log " LOG_VKEY "\nwitness W " WIT_VKEY "\nquorum none\n";
        prova_tlog_policy *p = NULL;
        ASSERT(prova_tlog_policy_parse(pol, sizeof pol - 1, &p, NULL) == 0);
        uint8_t leaf[32] = {0};
        int r = prova_tlog_proof_verify(proof, p, NULL, n ? hashes : leaf, NULL, &err);
        ASSERT(r == 0 || r == PROVA_EVERIFY);
        prova_tlog_policy_free(p);
        free(hashes);
        prova_tlog_proof_free(proof);
    }
    prova_note_key_free(keys[0]);
    prova_note_key_free(keys[1]);
    return 0;
}
