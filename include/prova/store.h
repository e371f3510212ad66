/* prova/store.h — the gateway's durable store: OPE receipt chains per trace, the replay register, OpenExecution
 * chains, events and certificates. Backend: SQLite 3 in WAL mode with synchronous=FULL (a committed transaction
 * is on disk). Layout and operations: docs/operations.md.
 *
 * A prova_store is one connection: use it from one thread at a time. Open one per thread (the gateway has one
 * writer and a pool of readers); WAL lets readers run beside the writer. Records are stored as the exact bytes
 * that were signed or hashed (compact JSON): what a reader gets back is what was acknowledged.
 *
 * Every function returns 0 or a negative PROVA_E* status; on PROVA_EIO prova_store_errmsg() tells what the
 * backend said. PROVA_ENOTFOUND: no such record. PROVA_ECONFLICT: the write conflicts (a taken hop or seq, a
 * replayed envelope).
 */
#ifndef PROVA_STORE_H
#define PROVA_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prova_store prova_store;

#define PROVA_STORE_READONLY 0x1u /* a reader: no schema changes, no writes */

/* Opens (creating when missing, unless READONLY) the store at path. The schema is created or checked; a store
 * written by a newer prova is refused (PROVA_EUNSUPPORTED). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_open(const char *path, unsigned flags, prova_store **ret,
                                                  prova_error *reterr);
/* Closes the connection. NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_store *prova_store_close(prova_store *s);
/* The backend's last error message (static until the next call on s); "" when none. */
PROVA_EXPORT const char *prova_store_errmsg(const prova_store *s);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE); commit returns after the transaction is
 * durable. A savepoint scopes one request inside a group commit: release keeps its writes, rollback_to undoes
 * them and leaves the transaction open. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_begin(prova_store *s);
PROVA_EXPORT PROVA_NODISCARD int prova_store_commit(prova_store *s);
PROVA_EXPORT int prova_store_rollback(prova_store *s);
PROVA_EXPORT PROVA_NODISCARD int prova_store_savepoint(prova_store *s);
PROVA_EXPORT PROVA_NODISCARD int prova_store_release(prova_store *s);
PROVA_EXPORT int prova_store_rollback_to(prova_store *s);
/* A read snapshot (a deferred transaction; on a reader too): every read until prova_store_rollback() sees one
 * consistent state of the store, whatever the writer commits meanwhile (WAL). End it with prova_store_rollback(). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_read_begin(prova_store *s);

/* ---- OPE ------------------------------------------------------------------------------------------------ */

/* The last receipt of a trace (its JSON appended to out) and its hop; PROVA_ENOTFOUND for a new trace. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_last(prova_store *s, const char *trace_id, prova_buf *out,
                                                      int64_t *ret_hop);
/* Stores a receipt at (trace_id, hop). PROVA_ECONFLICT when the hop is taken. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_append(prova_store *s, const char *trace_id, int64_t hop,
                                                        const char *receipt_hash, const void *json, size_t len);
/* Appends the receipts of a trace in hop order as a JSON array to out; *ret_count receives their number (0 for
 * an unknown trace, which is not an error). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_chain(prova_store *s, const char *trace_id, prova_buf *out,
                                                       size_t *ret_count);
/* Claims a replay key (e.g. hex SHA-256 of what the envelope signs) until expires_us. PROVA_ECONFLICT when an
 * unexpired claim exists; an expired one is taken over. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_replay_claim(prova_store *s, const char *key, int64_t now_us,
                                                          int64_t expires_us);
/* Deletes claims that expired before now_us, the oldest first, at most limit of them (0: all); *ret_deleted
 * (optional) receives their number. A writer calls it with a small limit in every batch, so that expiry costs a
 * little per write instead of one long transaction that stalls the writes behind it. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_replay_purge(prova_store *s, int64_t now_us, int64_t limit,
                                                          int64_t *ret_deleted);

/* ---- OpenExecution ------------------------------------------------------------------------------------- */

/* A chain record is stored without its events (they are rows of their own); get returns it the same way. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_chain_put(prova_store *s, const char *chain_id, const void *json,
                                                          size_t len);
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_chain_get(prova_store *s, const char *chain_id, prova_buf *out);
/* Stores an event at (chain_id, seq); PROVA_ECONFLICT when the seq is taken. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_event_append(prova_store *s, const char *chain_id, int64_t seq,
                                                             const void *json, size_t len);
/* The last event of a chain (appended to out) and its seq; PROVA_ENOTFOUND when the chain has none. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_event_last(prova_store *s, const char *chain_id, prova_buf *out,
                                                           int64_t *ret_seq);
/* The events of a chain in seq order as a JSON array; *ret_count their number. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_events(prova_store *s, const char *chain_id, prova_buf *out,
                                                       size_t *ret_count);
/* Certificates: the offline bundle, keyed by certificate id (put replaces: revocation rewrites the status). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_put(prova_store *s, const char *cert_id, const char *chain_id,
                                                         const void *json, size_t len);
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_get(prova_store *s, const char *cert_id, prova_buf *out);

/* ---- Size -------------------------------------------------------------------------------------------------- */

typedef struct prova_store_counts {
    int64_t receipts, traces, replay_claims, chains, events, certificates;
    int64_t bytes; /* database + WAL file size */
} prova_store_counts;
/* sizeof(prova_store_counts) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_store_counts_sizeof(void);

/* Counts every table (a full scan of each: for startup and occasional reads, not per request). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_counts_get(prova_store *s, prova_store_counts *ret);
/* Database + WAL bytes on disk (cheap). */
PROVA_EXPORT int64_t prova_store_bytes(const prova_store *s);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_STORE_H */
