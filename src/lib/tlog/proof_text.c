/* Offline transparency log proofs (c2sp.org/tlog-proof@v1): parse, write, verify under a policy. */
#include <stdlib.h>
#include <string.h>

#include "note_internal.h"
#include "prova/merkle.h"

size_t prova_tlog_proof_max_hashes(void) {
    return PROVA_TLOG_PROOF_MAX_HASHES;
}

#define PROOF_HEADER     "c2sp.org/tlog-proof@v1"
#define PROOF_HEADER_LEN (sizeof PROOF_HEADER - 1)
/* The header, the extra data, the index and the hashes around a checkpoint of at most PROVA_NOTE_MAX_BYTES. */
#define PROOF_MAX_BYTES (2U * PROVA_NOTE_MAX_BYTES)

struct prova_tlog_proof {
    uint64_t index;
    bool has_extra;
    uint8_t *extra;
    size_t extra_len;
    size_t nhashes;
    uint8_t hashes[PROVA_TLOG_PROOF_MAX_HASHES][32];
    char *checkpoint; /* verbatim, NUL-terminated */
    size_t checkpoint_len;
    prova_checkpoint *body;
};

prova_tlog_proof *prova_tlog_proof_free(prova_tlog_proof *proof) {
    if (!proof) return NULL;
    free(proof->extra);
    free(proof->checkpoint);
    prova_checkpoint_free(proof->body);
    free(proof);
    return NULL;
}

/* The checkpoint part: a note whose text is a checkpoint. Errors keep their note_ / checkpoint_ reasons; offsets
 * are moved to the whole proof. */
static int parse_checkpoint(const uint8_t *cp, size_t n, size_t base, prova_checkpoint **ret_body,
                            prova_error *reterr) {
    prova_note *note = NULL;
    int r = prova_note_parse(cp, n, &note, reterr);
    if (r == 0) {
        size_t tl = 0;
        const char *text = prova_note_text(note, &tl);
        r = prova_checkpoint_parse(text, tl, ret_body, reterr);
        prova_note_free(note);
    }
    if (r < 0 && reterr && reterr->line) {
        reterr->offset += base;
        reterr->line = 0; /* recomputed by the caller */
    }
    return r;
}

int prova_tlog_proof_parse(const void *vdata, size_t len, prova_tlog_proof **ret_proof, prova_error *reterr) {
    const uint8_t *data = vdata;
    if ((!data && len) || !ret_proof) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (len > PROOF_MAX_BYTES)
        return prova__fail(reterr, PROVA_ELIMIT, "tlog_proof_too_large", "the proof is larger than 2 MiB");
#define FAIL(status, reason, msg, off) prova__tlog_fail(reterr, status, reason, msg, data, len, off)
    prova_tlog_proof *p = calloc(1, sizeof *p);
    if (!p) return prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
    int r = 0;
    size_t pos = 0, line = 0;
    bool seen_index = false, blank = false;
    while (r == 0 && !blank) {
        const uint8_t *eol = pos < len ? memchr(data + pos, '\n', len - pos) : NULL;
        if (!eol) {
            r = FAIL(PROVA_ESYNTAX, "tlog_proof_truncated", "no blank line before the checkpoint", len);
            break;
        }
        const char *s = (const char *)data + pos;
        size_t n = (size_t)(eol - data) - pos;
        if (line == 0) {
            if (n != PROOF_HEADER_LEN || memcmp(s, PROOF_HEADER, n) != 0)
                r = FAIL(PROVA_ESYNTAX, "tlog_proof_header_invalid", "the first line is not c2sp.org/tlog-proof@v1",
                         pos);
        } else if (line == 1 && n >= 6 && memcmp(s, "extra ", 6) == 0) {
            /* SPEC: "The second line MAY start with the string extra followed by a space (U+0020) and
             * base64-encoded opaque extra data." */
            p->extra = malloc(n); /* >= the decoded size */
            size_t got = 0;
            if (!p->extra)
                r = prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
            else if (prova__base64_decode_public(s + 6, n - 6, p->extra, n, &got, NULL) < 0)
                r = FAIL(PROVA_ESYNTAX, "tlog_proof_extra_invalid", "the extra data is not base64", pos + 6);
            p->has_extra = true;
            p->extra_len = got;
        } else if (!seen_index) {
            uint64_t idx = 0;
            if (n < 6 || memcmp(s, "index ", 6) != 0 || !prova__tlog_parse_u64(s + 6, n - 6, &idx))
                r = FAIL(PROVA_ESYNTAX, "tlog_proof_index_invalid",
                         "expected index and a decimal without leading zeros", pos);
            p->index = idx;
            seen_index = true;
        } else if (n == 0) {
            blank = true;
        } else {
            uint8_t h[36];
            size_t got = 0;
            if (p->nhashes == PROVA_TLOG_PROOF_MAX_HASHES)
                r = FAIL(PROVA_ELIMIT, "tlog_proof_too_many_hashes", "more than 64 proof hashes", pos);
            else if (n != 44 || prova__base64_decode_public(s, n, h, sizeof h, &got, NULL) < 0 || got != 32)
                r = FAIL(PROVA_ESYNTAX, "tlog_proof_hash_invalid", "a proof line is not the base64 of 32 bytes", pos);
            else
                memcpy(p->hashes[p->nhashes++], h, 32);
        }
        pos = (size_t)(eol - data) + 1;
        line++;
    }
    if (r == 0) {
        /* SPEC: "After the inclusion proof lines and an empty line, the checkpoint issued by the log is included
         * verbatim" */
        r = parse_checkpoint(data + pos, len - pos, pos, &p->body, reterr);
        if (r < 0 && reterr && reterr->column) {
            size_t off = reterr->offset;
            const char *reason = reterr->reason, *msg = reterr->message;
            prova__tlog_fail(reterr, r, reason, msg, data, len, off);
        }
    }
    if (r == 0) {
        p->checkpoint = malloc(len - pos + 1);
        if (!p->checkpoint) {
            r = prova__fail(reterr, PROVA_ENOMEM, "out_of_memory", "out of memory");
        } else {
            memcpy(p->checkpoint, data + pos, len - pos);
            p->checkpoint[len - pos] = '\0';
            p->checkpoint_len = len - pos;
        }
    }
#undef FAIL
    if (r < 0) {
        prova_tlog_proof_free(p);
        return r;
    }
    *ret_proof = p;
    return 0;
}

uint64_t prova_tlog_proof_index(const prova_tlog_proof *p) {
    return p ? p->index : 0;
}
const uint8_t *prova_tlog_proof_extra(const prova_tlog_proof *p, size_t *ret_len) {
    if (ret_len) *ret_len = p && p->has_extra ? p->extra_len : 0;
    return p && p->has_extra ? p->extra : NULL;
}
size_t prova_tlog_proof_hash_count(const prova_tlog_proof *p) {
    return p ? p->nhashes : 0;
}
const uint8_t *prova_tlog_proof_hash(const prova_tlog_proof *p, size_t i) {
    return p && i < p->nhashes ? p->hashes[i] : NULL;
}
const char *prova_tlog_proof_checkpoint(const prova_tlog_proof *p, size_t *ret_len) {
    if (ret_len) *ret_len = p ? p->checkpoint_len : 0;
    return p ? p->checkpoint : NULL;
}
const prova_checkpoint *prova_tlog_proof_checkpoint_body(const prova_tlog_proof *p) {
    return p ? p->body : NULL;
}

int prova_tlog_proof_write(const uint8_t *extra, size_t extra_len, uint64_t index, const uint8_t *hashes,
                           size_t nhashes, const void *checkpoint, size_t checkpoint_len, prova_buf *out,
                           prova_error *reterr) {
    if ((!extra && extra_len) || (!hashes && nhashes) || !checkpoint || !out)
        return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    if (nhashes > PROVA_TLOG_PROOF_MAX_HASHES)
        return prova__fail(reterr, PROVA_ELIMIT, "tlog_proof_too_many_hashes", "more than 64 proof hashes");
    prova_checkpoint *body = NULL;
    int r = parse_checkpoint(checkpoint, checkpoint_len, 0, &body, reterr);
    prova_checkpoint_free(body);
    if (r < 0) return r;
    size_t start = out->len;
    char num[21];
    size_t nd = 0;
    do {
        num[sizeof num - 1 - nd++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    r = prova_buf_append(out, PROOF_HEADER "\n", PROOF_HEADER_LEN + 1);
    if (r == 0 && extra) {
        r = prova_buf_append(out, "extra ", 6);
        if (r == 0) r = prova__buf_base64(out, extra, extra_len, false);
        if (r == 0) r = prova_buf_append(out, "\n", 1);
    }
    if (r == 0) r = prova_buf_append(out, "index ", 6);
    if (r == 0) r = prova_buf_append(out, num + sizeof num - nd, nd);
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    for (size_t i = 0; r == 0 && i < nhashes; i++) {
        r = prova__buf_base64(out, hashes + 32 * i, 32, false);
        if (r == 0) r = prova_buf_append(out, "\n", 1);
    }
    if (r == 0) r = prova_buf_append(out, "\n", 1);
    if (r == 0) r = prova_buf_append(out, checkpoint, checkpoint_len);
    if (r < 0) {
        out->len = start;
        return prova__fail(reterr, r, "out_of_memory", "out of memory");
    }
    return 0;
}

int prova_tlog_proof_verify(const prova_tlog_proof *proof, const prova_tlog_policy *policy,
                            const prova_note_key *log_key, const uint8_t leaf_hash[PROVA_CHECKPOINT_HASH_BYTES],
                            prova_checkpoint **ret_cp, prova_error *reterr) {
    if (!proof || !policy || !leaf_hash) return prova__fail(reterr, PROVA_EINVAL, "invalid_argument", "NULL argument");
    prova_checkpoint *cp = NULL;
    int r = prova_tlog_policy_verify_checkpoint(policy, log_key, proof->checkpoint, proof->checkpoint_len, &cp, reterr);
    if (r < 0) return r;
    uint8_t root[32];
    prova_checkpoint_root(cp, root);
    uint64_t size = prova_checkpoint_size(cp);
    if (proof->index >= size) {
        r = prova__fail(reterr, PROVA_EVERIFY, "tlog_proof_index_out_of_range", "the index is not below the size");
    } else {
        r = prova_merkle_inclusion_verify(proof->index, size, leaf_hash,
                                          (const uint8_t(*)[PROVA_MERKLE_HASH_BYTES])proof->hashes, proof->nhashes,
                                          root, NULL);
        if (r == PROVA_EVERIFY)
            r = prova__fail(reterr, r, "tlog_proof_inclusion_invalid", "the inclusion proof does not reach the root");
        else if (r < 0)
            r = prova__fail(reterr, r, "crypto_failed", "SHA-256 failed");
    }
    if (r == 0 && ret_cp) {
        *ret_cp = cp;
        cp = NULL;
    }
    prova_checkpoint_free(cp);
    return r;
}
