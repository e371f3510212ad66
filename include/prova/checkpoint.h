/* prova/checkpoint.h — transparency log checkpoints (c2sp.org/tlog-checkpoint), trust policies
 * (c2sp.org/tlog-policy) and offline proofs (c2sp.org/tlog-proof@v1), over the signed notes of prova/note.h.
 *
 * A checkpoint is a signed note whose text is "origin\nsize\nbase64(root)\n" plus optional extension lines; the log
 * signs it with a key named as the origin, witnesses cosign it (cosignature/v1). A policy names the logs and
 * witnesses a verifier trusts and the quorum of witnesses it requires. A tlog-proof carries a checkpoint, the index
 * of an entry and its RFC 6962 inclusion proof, so that anyone with the policy can check that the entry is logged.
 * Every error has a stable reason code (docs/tlog.md).
 */
#ifndef PROVA_CHECKPOINT_H
#define PROVA_CHECKPOINT_H

#include <stdbool.h>

#include "common.h"
#include "note.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_CHECKPOINT_HASH_BYTES   32U  /* SHA-256 */
#define PROVA_TLOG_POLICY_MAX_ENTRIES 256U /* logs, witnesses and groups, each (the spec asks for at least 32) */
#define PROVA_TLOG_PROOF_MAX_HASHES   64U  /* an inclusion proof in a tree of fewer than 2^64 leaves */
/* The sizes above as functions, for bindings. */
PROVA_EXPORT size_t prova_checkpoint_hash_bytes(void);
PROVA_EXPORT size_t prova_tlog_policy_max_entries(void);
PROVA_EXPORT size_t prova_tlog_proof_max_hashes(void);

/* ---- Checkpoints --------------------------------------------------------------------------------------------- */

typedef struct prova_checkpoint prova_checkpoint;

/* Parses a checkpoint body (the note text, not the signatures): origin (non-empty), tree size (decimal, no leading
 * zero), root hash (base64 of exactly 32 bytes), then optional non-empty extension lines; every line ends in a
 * newline. 0, PROVA_ESYNTAX (checkpoint_truncated, checkpoint_origin_empty, checkpoint_size_invalid,
 * checkpoint_root_invalid, checkpoint_extension_empty, note_invalid_utf8, note_control_character), PROVA_ELIMIT
 * (note_too_large), PROVA_EINVAL, PROVA_ENOMEM. Free with prova_checkpoint_free(). */
PROVA_EXPORT PROVA_NODISCARD int prova_checkpoint_parse(const void *text, size_t len, prova_checkpoint **ret_cp,
                                                        prova_error *reterr);
PROVA_EXPORT prova_checkpoint *prova_checkpoint_free(prova_checkpoint *cp);
/* The origin (NUL-terminated; length in *ret_len), the tree size, the root hash, the extension lines (each ending in
 * a newline; "" when none). Strings are owned by the checkpoint. */
PROVA_EXPORT const char *prova_checkpoint_origin(const prova_checkpoint *cp, size_t *ret_len);
PROVA_EXPORT uint64_t prova_checkpoint_size(const prova_checkpoint *cp);
PROVA_EXPORT void prova_checkpoint_root(const prova_checkpoint *cp, uint8_t out[PROVA_CHECKPOINT_HASH_BYTES]);
PROVA_EXPORT const char *prova_checkpoint_extensions(const prova_checkpoint *cp, size_t *ret_len);

/* Appends a checkpoint body to out: origin[0..origin_len) "\n" size "\n" base64(root) "\n" then ext[0..ext_len)
 * (extension lines, each non-empty and ending in a newline; NULL/0 for none). 0, PROVA_ESYNTAX (the reasons of
 * prova_checkpoint_parse for a bad origin or extension), PROVA_EINVAL, PROVA_ENOMEM; out unchanged on failure. */
PROVA_EXPORT PROVA_NODISCARD int prova_checkpoint_write(const char *origin, size_t origin_len, uint64_t size,
                                                        const uint8_t root[PROVA_CHECKPOINT_HASH_BYTES],
                                                        const char *ext, size_t ext_len, prova_buf *out,
                                                        prova_error *reterr);

/* Verifies a signed checkpoint: a note signed by log_key, whose name must equal the origin, and optionally cosigned
 * by witnesses[0..nwitnesses). *ret_cp (optional) receives the parsed body; ret_witnessed (optional, nwitnesses
 * entries) which witnesses' cosignatures verified. Errors of prova_note_parse, prova_checkpoint_parse and
 * prova_note_verify, and PROVA_EVERIFY checkpoint_origin_mismatch (origin is not the log key's name),
 * checkpoint_not_signed_by_log (only witnesses signed). */
PROVA_EXPORT PROVA_NODISCARD int prova_checkpoint_verify(const void *note, size_t len, const prova_note_key *log_key,
                                                         const prova_note_key *const *witnesses, size_t nwitnesses,
                                                         prova_checkpoint **ret_cp, bool *ret_witnessed,
                                                         prova_error *reterr);

/* ---- Policies (c2sp.org/tlog-policy) ------------------------------------------------------------------------- */

typedef struct prova_tlog_policy prova_tlog_policy;

/* Parses a policy file: "log <vkey> [url]", "witness <name> <vkey> [url]", "group <name> all|any|<k> <name>...",
 * exactly one "quorum <name>|none"; comments (#) and blank lines; space and tab separate fields. Log keys are
 * Ed25519 (type 0x01), witness keys cosignature/v1 (0x04). 0, PROVA_ESYNTAX (policy_control_character,
 * policy_unknown_keyword, policy_line_malformed, policy_vkey_invalid, policy_key_type, policy_duplicate_log,
 * policy_duplicate_witness, policy_duplicate_name, policy_reserved_name, policy_undefined_name,
 * policy_none_member, policy_duplicate_member, policy_threshold_invalid, policy_duplicate_quorum,
 * policy_no_quorum), PROVA_ELIMIT (policy_too_large, policy_too_many_logs, policy_too_many_witnesses,
 * policy_too_many_groups), PROVA_EINVAL, PROVA_ENOMEM. reterr's line is the policy line. */
PROVA_EXPORT PROVA_NODISCARD int prova_tlog_policy_parse(const void *data, size_t len, prova_tlog_policy **ret_policy,
                                                         prova_error *reterr);
PROVA_EXPORT prova_tlog_policy *prova_tlog_policy_free(prova_tlog_policy *policy);
PROVA_EXPORT size_t prova_tlog_policy_log_count(const prova_tlog_policy *policy);
/* Log i's key, owned by the policy; NULL when out of range. */
PROVA_EXPORT const prova_note_key *prova_tlog_policy_log(const prova_tlog_policy *policy, size_t i);
PROVA_EXPORT size_t prova_tlog_policy_witness_count(const prova_tlog_policy *policy);
PROVA_EXPORT const prova_note_key *prova_tlog_policy_witness(const prova_tlog_policy *policy, size_t i);
/* Witness i's name in the policy (NUL-terminated), not its key name. */
PROVA_EXPORT const char *prova_tlog_policy_witness_name(const prova_tlog_policy *policy, size_t i);
/* Whether the quorum is met when witnessed[i] says that witness i cosigned (witness_count entries; NULL = none).
 * 0 and *ret_met, PROVA_EINVAL or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_tlog_policy_quorum(const prova_tlog_policy *policy, const bool *witnessed,
                                                          bool *ret_met);
/* Verifies a signed checkpoint under the policy: signed by a log of the policy whose key name is the origin (or by
 * log_key when not NULL, for an application that knows its log), every known witness's cosignature verified, and
 * the quorum met. *ret_cp (optional) receives the body. Errors of prova_checkpoint_verify, and PROVA_EVERIFY
 * policy_unknown_log, policy_quorum_not_met. */
PROVA_EXPORT PROVA_NODISCARD int prova_tlog_policy_verify_checkpoint(const prova_tlog_policy *policy,
                                                                     const prova_note_key *log_key, const void *note,
                                                                     size_t len, prova_checkpoint **ret_cp,
                                                                     prova_error *reterr);

/* ---- Proofs (c2sp.org/tlog-proof@v1) ------------------------------------------------------------------------- */

typedef struct prova_tlog_proof prova_tlog_proof;

/* Parses a tlog-proof: "c2sp.org/tlog-proof@v1", optional "extra <base64>", "index <n>", zero or more base64
 * SHA-256 hash lines, a blank line, then the signed checkpoint verbatim (parsed as a note and a checkpoint body,
 * not verified). 0, PROVA_ESYNTAX (tlog_proof_header_invalid, tlog_proof_extra_invalid, tlog_proof_index_invalid,
 * tlog_proof_hash_invalid, tlog_proof_truncated, and the note_* / checkpoint_* reasons of the checkpoint),
 * PROVA_ELIMIT (tlog_proof_too_large, tlog_proof_too_many_hashes), PROVA_EINVAL, PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_tlog_proof_parse(const void *data, size_t len, prova_tlog_proof **ret_proof,
                                                        prova_error *reterr);
PROVA_EXPORT prova_tlog_proof *prova_tlog_proof_free(prova_tlog_proof *proof);
PROVA_EXPORT uint64_t prova_tlog_proof_index(const prova_tlog_proof *proof);
/* The decoded extra data, NULL when the line is absent (then *ret_len is 0). Unauthenticated. */
PROVA_EXPORT const uint8_t *prova_tlog_proof_extra(const prova_tlog_proof *proof, size_t *ret_len);
PROVA_EXPORT size_t prova_tlog_proof_hash_count(const prova_tlog_proof *proof);
/* Hash i of the inclusion proof (32 bytes, owned by the proof); NULL when out of range. */
PROVA_EXPORT const uint8_t *prova_tlog_proof_hash(const prova_tlog_proof *proof, size_t i);
/* The signed checkpoint, verbatim; and its parsed body. Owned by the proof. */
PROVA_EXPORT const char *prova_tlog_proof_checkpoint(const prova_tlog_proof *proof, size_t *ret_len);
PROVA_EXPORT const prova_checkpoint *prova_tlog_proof_checkpoint_body(const prova_tlog_proof *proof);

/* Appends a tlog-proof: the header, "extra <base64>" when extra is not NULL, "index <index>", the nhashes hashes
 * (32 bytes each, flat), a blank line and checkpoint[0..checkpoint_len) (a signed note). 0, PROVA_ESYNTAX (the
 * checkpoint does not parse), PROVA_ELIMIT, PROVA_EINVAL, PROVA_ENOMEM; out unchanged on failure. */
PROVA_EXPORT PROVA_NODISCARD int prova_tlog_proof_write(const uint8_t *extra, size_t extra_len, uint64_t index,
                                                        const uint8_t *hashes, size_t nhashes, const void *checkpoint,
                                                        size_t checkpoint_len, prova_buf *out, prova_error *reterr);

/* Verifies a proof for the entry whose RFC 6962 leaf hash (SHA-256(0x00 || entry)) is leaf_hash: the checkpoint under
 * the policy (prova_tlog_policy_verify_checkpoint, log_key as there), index below the tree size, and the inclusion
 * proof from leaf_hash to the root (RFC 9162 §2.1.3.2). *ret_cp (optional) receives a copy of the body. Errors of
 * prova_tlog_policy_verify_checkpoint, and PROVA_EVERIFY tlog_proof_index_out_of_range, tlog_proof_inclusion_invalid.
 */
PROVA_EXPORT PROVA_NODISCARD int prova_tlog_proof_verify(const prova_tlog_proof *proof, const prova_tlog_policy *policy,
                                                         const prova_note_key *log_key,
                                                         const uint8_t leaf_hash[PROVA_CHECKPOINT_HASH_BYTES],
                                                         prova_checkpoint **ret_cp, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_CHECKPOINT_H */
