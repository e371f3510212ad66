/* prova/logentry.h — the entries of prova's transparency log: one small statement per record the gateway accepts,
 * naming the record by its content address, never carrying its payload. Format, member names and the reasons for
 * them: docs/tlog.md, "Log entries".
 *
 * An entry is the JCS (RFC 8785) bytes of an object such as
 *     {"digest":"sha256:<hex>","family":"ope","format":"prova-log-entry/v1","hop":3,"kind":"receipt",
 *      "time":"2025-01-02T03:04:05Z","trace_id":"t-1"}
 * Which members an entry has depends on its kind (family + kind, the table below); every one is required.
 *
 *   family  kind          members besides format, family, kind, digest, time
 *   ope     receipt       trace_id, hop
 *   oe      event         chain_id, seq
 *   oe      certificate   chain_id, certificate_id
 *   oe      status        certificate_id, status ("revoked" or "superseded")
 *   proof   proof_record  (none)
 *
 * The builder (prova_log_entry_write) and the parser (prova_log_entry_parse) are the log layer's (src/lib/tlog).
 * The functions that derive the entry of a record (prova_log_entry_of_*) are the verify layer's: they read the
 * records of every family, and an offline verifier recomputes a record's entry from an export with them, so the
 * gateway and the verifier get the bytes from the same function.
 */
#ifndef PROVA_LOGENTRY_H
#define PROVA_LOGENTRY_H

#include <stdint.h>

#include "common.h"
#include "crypto.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The value of "format" in every entry this version writes and reads. */
#define PROVA_LOG_ENTRY_FORMAT "prova-log-entry/v1"

/* The kinds of record that are logged. The numbers are part of the ABI. */
typedef enum prova_log_kind {
    PROVA_LOG_OPE_RECEIPT = 1,    /* ope / receipt: a signed receipt appended to a trace */
    PROVA_LOG_OE_EVENT = 2,       /* oe / event: an event appended to an execution chain */
    PROVA_LOG_OE_CERTIFICATE = 3, /* oe / certificate: a provenance certificate issued */
    PROVA_LOG_OE_STATUS = 4,      /* oe / status: a certificate revoked or superseded */
    PROVA_LOG_PROOF_RECORD = 5,   /* proof / proof_record: a proof record accepted */
} prova_log_kind;

/* The family and kind names of k ("ope", "receipt"), or NULL for a value outside the enum. */
PROVA_EXPORT const char *prova_log_kind_family(prova_log_kind k);
PROVA_EXPORT const char *prova_log_kind_name(prova_log_kind k);

/* The statement, as explicit fields. Strings are NUL-terminated UTF-8, 1-1024 bytes; a member the kind does not
 * have must be NULL (or position 0). After prova_log_entry_parse the strings point into the parsed document. */
typedef struct prova_log_entry {
    prova_log_kind kind;
    const char *digest;         /* the content address: "<alg>:<lowercase hex>", alg one of prova_hash_name()'s */
    const char *time;           /* the record's own timestamp, as the record writes it */
    const char *trace_id;       /* receipt */
    const char *chain_id;       /* event, certificate */
    const char *certificate_id; /* certificate, status */
    const char *status;         /* status: "revoked" or "superseded" */
    int64_t position;           /* receipt: hop, event: seq (0 .. 2^53-1); 0 for the other kinds */
} prova_log_entry;
/* sizeof(prova_log_entry) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_log_entry_sizeof(void);

/* Appends the entry's bytes (JCS) to out. Errors (out unchanged): PROVA_EINVAL with a reason:
 * "log_entry_kind" (unknown kind), "log_entry_member_missing" / "log_entry_member_unexpected" (a member the kind
 * needs is NULL, or one it does not have is set; reterr->pointer names it), "log_entry_digest" (not
 * "<alg>:<hex>" of the algorithm's length), "log_entry_value" (a string empty, over 1024 bytes, not UTF-8; a
 * position out of range; a status other than revoked/superseded); PROVA_ENOMEM.
 * Example:
 *     prova_log_entry e = {.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:9f86...", .time = ts,
 *                          .trace_id = "t-1", .position = 3};
 *     prova_log_entry_write(&e, &out, &err); */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_write(const prova_log_entry *e, prova_buf *out, prova_error *reterr);

/* Parses and validates entry bytes: JSON, an object with exactly the members of its kind, each of its type, and
 * the bytes exactly what prova_log_entry_write writes for them (JCS: no other spelling of the same statement is
 * an entry). On success *ret_doc is the parsed document (free it with prova_doc_free) and *ret points into it.
 * Errors (nothing returned): PROVA_ESYNTAX "log_entry_json" (not JSON; offset set), "log_entry_not_canonical";
 * PROVA_EUNSUPPORTED "log_entry_format" (another format or version); PROVA_EINVAL "log_entry_kind",
 * "log_entry_member_missing", "log_entry_member_unknown", "log_entry_type" and the write errors above;
 * PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_parse(const void *data, size_t len, prova_log_entry *ret,
                                                       prova_doc **ret_doc, prova_error *reterr);

/* ---- The entry of a record (src/lib/verify/logentry.c) -------------------------------------------------------- */

/* Each appends the entry of one record (parsed) to out. They read the record's own members and hash what has no
 * content address of its own; they do not verify the record (its verifier does). Errors (out unchanged):
 * PROVA_EINVAL "log_record_member" (a member the entry needs is missing or of the wrong type; reterr->pointer
 * names it) or a prova_log_entry_write error; PROVA_ENOMEM.
 *
 * receipt: digest "sha256:" + receipt_hash, trace_id, hop, time = ts. */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_of_receipt(const prova_json *receipt, prova_buf *out,
                                                            prova_error *reterr);
/* An OpenExecution event of a chain whose hash_algorithm is alg (the event does not say it): digest
 * "<alg>:" + event_hash, chain_id, seq, time = created_at. */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_of_oe_event(const prova_json *event, prova_hash_alg alg,
                                                             prova_buf *out, prova_error *reterr);
/* An offline certificate bundle, as issued: digest "sha256:" + SHA-256 of the JCS bytes of certificate (the bytes
 * the issuer signed), chain_id = certificate.chain_id, certificate_id, time = certificate.issued_at. */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_of_oe_certificate(const prova_json *bundle, prova_buf *out,
                                                                   prova_error *reterr);
/* An offline certificate bundle after a status change: digest "sha256:" + SHA-256 of the JCS bytes of the signed
 * status block, certificate_id, status, time = status.updated_at. A bundle whose status is "active" has no status
 * entry (PROVA_EINVAL "log_record_member": its issue is the certificate entry). */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_of_oe_status(const prova_json *bundle, prova_buf *out,
                                                              prova_error *reterr);
/* A proof record: digest "sha256:" + its proof_id recomputed from the body (prova_proof_id; a proof_id member is
 * not trusted), time = identity.created_at. */
PROVA_EXPORT PROVA_NODISCARD int prova_log_entry_of_proof_record(const prova_json *record, prova_buf *out,
                                                                 prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_LOGENTRY_H */
