/* The witness: a c2sp.org/tlog-witness server's state and rules (`prova witness`), and the client side a log uses
 * to collect cosignatures (witness_client.c). docs/tlog.md, "Witness".
 *
 * A witness holds a cosigner key (cosignature/v1, type 0x04) and the keys of the logs it witnesses; per origin it
 * keeps the latest checkpoint it cosigned, in memory and in one file of its state directory (written atomically:
 * temporary file, fsync, rename, fsync of the directory). add-checkpoint checks the log's signature, the old size
 * against that state, the RFC 9162 consistency proof from it, then cosigns, persists and answers, with the
 * origin's lock held from the check to the update (the spec's race between two requests). No HTTP here: the
 * daemon (src/http) maps a witness_answer to a response; the CLI (src/cli/cmd_witness.c) configures and runs it.
 *
 * Threads: witness_add_checkpoint and witness_get_checkpoint may be called from any number of threads. */
#ifndef PROVA_APP_WITNESS_H
#define PROVA_APP_WITNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "otel.h"
#include "prova/checkpoint.h"
#include "prova/common.h"
#include "prova/note.h"

#define WITNESS_MAX_PROOF  63U /* SPEC: "The client MUST NOT send more than 63 consistency proof lines" */
#define WITNESS_MAX_BODY   ((size_t)64 << 10) /* an add-checkpoint body */
#define WITNESS_MAX_LOGS   4096U
#define WITNESS_SIZE_TYPE  "text/x.tlog.size"
#define WITNESS_HASH_BYTES 32U

/* ---- Consistency proofs ---------------------------------------------------------------------------------------- */

/* True when proof[0..n) (32-byte hashes) proves that the tree of size1 leaves with root1 is a prefix of the tree of
 * size2 leaves with root2 (RFC 9162 §2.1.4.2). size1 == size2 needs an empty proof and equal roots; size1 == 0
 * only size2 == 0 and both roots the empty tree's (a proof from the empty tree is meaningless: the caller decides,
 * as add-checkpoint does for old size 0); size1 > size2 is never consistent. prova_merkle_consistency_verify does
 * the rest. */
bool witness_consistency_ok(uint64_t size1, uint64_t size2, const uint8_t root1[WITNESS_HASH_BYTES],
                            const uint8_t root2[WITNESS_HASH_BYTES], const uint8_t *proof, size_t n);

/* ---- The add-checkpoint body ------------------------------------------------------------------------------- */

typedef struct witness_request {
    uint64_t old_size;
    uint8_t proof[WITNESS_MAX_PROOF][WITNESS_HASH_BYTES];
    size_t nproof;
    const uint8_t *note; /* the checkpoint (a signed note), pointing into the body */
    size_t note_len;
} witness_request;

/* Parses "old N\n", up to 63 base64 hash lines, "\n", then the checkpoint (not parsed here). 0, or PROVA_ESYNTAX /
 * PROVA_ELIMIT with *ret_reason set to a stable code (witness_old_size_invalid, witness_proof_hash_invalid,
 * witness_proof_too_long, witness_body_truncated, witness_body_too_large). */
int witness_parse_request(const uint8_t *body, size_t len, witness_request *ret, const char **ret_reason);

/* ---- The witness --------------------------------------------------------------------------------------------- */

typedef struct witness witness;

typedef struct witness_config {
    const char *key_path;  /* PRIVATE+KEY+name+id+base64(0x04 || seed), mode 0600 */
    const char *logs_path; /* one vkey a line, or tlog-policy "log <vkey> [url]" lines (others ignored) */
    const char *state_dir; /* created when missing */
    void (*log)(void *ctx, const char *line); /* NULL: stderr */
    void *log_ctx;
} witness_config;

/* Loads the key, the logs and the saved state. 0, or a CLI exit code (2: configuration, 3: system) after logging
 * why; *ret is NULL then. */
int witness_open(const witness_config *cfg, witness **ret);
/* NULL is a no-op. Returns NULL. */
witness *witness_free(witness *w);
/* The cosigner key (private; owned by the witness) and the number of logs. */
const prova_note_key *witness_key(const witness *w);
size_t witness_log_count(const witness *w);

/* An answer: the HTTP status, its content type and body. For 4xx the body is one line "reason: sentence\n", except
 * 409's, which is the spec's "<size>\n" (text/x.tlog.size). */
typedef struct witness_answer {
    unsigned status;
    const char *content_type;
    const char *reason; /* stable code ("" for 200) */
    prova_buf body;
} witness_answer;

void witness_answer_free(witness_answer *a);

/* POST add-checkpoint. now_s: the cosignature's timestamp (seconds since the epoch; 0 = the clock). Returns 0 with
 * *ret set (any status), or PROVA_ENOMEM. */
int witness_add_checkpoint(witness *w, const uint8_t *body, size_t len, uint64_t now_s, witness_answer *ret);
/* GET <hex SHA-256(origin)>/checkpoint: the latest cosigned checkpoint (200, text/plain) or 404. */
int witness_get_checkpoint(witness *w, const char *origin_hash_hex, witness_answer *ret);

/* ---- The client side (witness_client.c) ---------------------------------------------------------------------- */

#define WITNESS_SUBMIT_CONFLICT 1 /* 409: *ret_size is the witness's size; resend from it */

/* POSTs old_size, proof[0..nproof) and the signed checkpoint note to <url>/add-checkpoint (url: the submission
 * prefix, no trailing slash needed). ctx: the caller's trace context (its client span's), sent as traceparent and
 * tracestate (W3C Trace Context); NULL or invalid: none. 0: *ret_cosigs holds the signature lines of the answer
 * (each "— ...\n"; appended). WITNESS_SUBMIT_CONFLICT: *ret_size is the size the witness last cosigned. Negative on
 * failure: PROVA_EIO (transport, or an answer that is not a list of signature lines), PROVA_EVERIFY (the witness
 * refused: 4xx other than 409, or 5xx), PROVA_EINVAL, PROVA_ENOMEM; errbuf (errlen bytes) says why. *ret_status
 * (may be NULL): the answer's HTTP status, 0 when there was none. */
int witness_submit(const char *url, uint64_t old_size, const uint8_t *proof, size_t nproof, const void *note,
                   size_t note_len, long timeout_ms, const otel_ctx *ctx, prova_buf *ret_cosigs, uint64_t *ret_size,
                   long *ret_status, char *errbuf, size_t errlen);

/* Before publishing: appends to out the note followed by every cosignature line from replies[0..nreplies) that
 * verifies under the policy (a reply whose lines fail is dropped whole; lines of unknown keys are dropped), then
 * checks the result with prova_tlog_policy_verify_checkpoint (log_key: the log's own key, or NULL). 0 when the
 * quorum is met; PROVA_EVERIFY policy_quorum_not_met (out still holds the cosigned note); other errors of
 * prova_tlog_policy_verify_checkpoint. */
int witness_cosigned_quorum(const prova_tlog_policy *policy, const prova_note_key *log_key, const void *note,
                            size_t note_len, const prova_buf *replies, size_t nreplies, prova_buf *out,
                            prova_error *reterr);

#endif
