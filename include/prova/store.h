/* prova/store.h — the gateway's durable store: OPE receipt chains per trace, the replay register, OpenExecution
 * chains, events and certificates, and the transparency log. Two backends behind one API (docs/operations.md,
 * docs/postgresql.md):
 *
 *  - SQLite 3 (the embedded default): a file path. WAL mode with synchronous=FULL (a committed transaction is on
 *    disk). One gateway process per file.
 *  - PostgreSQL 15 through libpq: a "postgresql://" or "postgres://" URI (libpq's connection URI). Any number of
 *    gateway processes, on any number of machines, share one database. A commit returns once PostgreSQL has made
 *    it durable (synchronous_commit on for prova's sessions).
 *
 * A prova_store is one connection: use it from one thread at a time. Open one per thread (the gateway has one
 * writer and a pool of readers); readers run beside the writer (WAL; MVCC). Records are stored as the exact bytes
 * that were signed or hashed (compact JSON): what a reader gets back is what was acknowledged.
 *
 * The transparency log's sequence (log_entries) is appended in the same transaction as the records it names.
 *
 * Every function returns 0 or a negative PROVA_E* status; on PROVA_EIO prova_store_errmsg() tells what the
 * backend said. PROVA_ENOTFOUND: no such record. PROVA_ECONFLICT: the write conflicts (a taken hop or seq, a
 * replayed envelope). On PostgreSQL a lost connection is PROVA_EIO, and a later call outside a transaction
 * reconnects (at most once per backoff delay, which grows from 100 ms to 5 s while the server stays away).
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

#define PROVA_STORE_READONLY   0x1u /* a reader: no schema changes, no writes */
#define PROVA_STORE_NO_MIGRATE 0x2u /* a writer that applies no migration (prova_store_migrate does, later) */

/* Opens the store at location: a PostgreSQL URI (prova_store_is_postgresql) or a SQLite file path (created when
 * missing, unless READONLY). A writer applies the schema's pending migrations (unless NO_MIGRATE; on PostgreSQL
 * under a lock, so that gateways starting together migrate once). A reader refuses a store that is not at the
 * latest version (PROVA_EUNSUPPORTED: the writer migrates it first); a NO_MIGRATE writer opens it, for
 * prova_store_schema_status and prova_store_migrate. A store written by a newer prova is refused by all
 * (PROVA_EUNSUPPORTED). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_open(const char *location, unsigned flags, prova_store **ret,
                                                  prova_error *reterr);
/* True when location names a PostgreSQL database ("postgresql://..." or "postgres://..."). */
PROVA_EXPORT bool prova_store_is_postgresql(const char *location);
/* "sqlite" or "postgresql" (the OpenTelemetry db.system.name). */
PROVA_EXPORT const char *prova_store_backend(const prova_store *s);
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

/* ---- Records' log indexes ---------------------------------------------------------------------------------- */

/* The index of each record's transparency-log entry, stored with the record (in the caller's savepoint, with the
 * entry prova_store_log_append sequenced): what lets an export carry each record's tlog-proof (docs/tlog.md
 * "Proofs in exports"). A negative index stores none (NULL: a record stored before the log). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_append_logged(prova_store *s, const char *trace_id, int64_t hop,
                                                               const char *receipt_hash, const void *json, size_t len,
                                                               int64_t log_index);
/* The log indexes of a trace's receipts in hop order, as a JSON array (an integer, or null for a receipt without
 * one), parallel to prova_store_ope_chain; *ret_count their number. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_chain_log(prova_store *s, const char *trace_id, prova_buf *out,
                                                           size_t *ret_count);
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_event_append_logged(prova_store *s, const char *chain_id, int64_t seq,
                                                                    const void *json, size_t len, int64_t log_index);
/* The log indexes of a chain's events in seq order, parallel to prova_store_oe_events (as above). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_events_log(prova_store *s, const char *chain_id, prova_buf *out,
                                                           size_t *ret_count);
/* put replaces the row, its indexes included: the certificate's entry, and its latest status change's (-1: none). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_put_logged(prova_store *s, const char *cert_id,
                                                                const char *chain_id, const void *json, size_t len,
                                                                int64_t log_index, int64_t status_log_index);
/* A certificate's indexes (-1: none); PROVA_ENOTFOUND for an unknown certificate. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_log(prova_store *s, const char *cert_id, int64_t *ret_log_index,
                                                         int64_t *ret_status_log_index);

/* ---- The transparency log's entries ------------------------------------------------------------------------ */

/* The sequence of the transparency log (docs/tlog.md): entry i is the i-th record the gateway accepted, as the
 * bytes of its log entry (prova/logentry.h). Indexes run 0, 1, 2, ... without gaps. */
#define PROVA_STORE_LOG_ENTRY_MAX 65535U /* bytes of one entry (tlog-tiles entry bundles: a 2-byte length) */
PROVA_EXPORT size_t prova_store_log_entry_max(void);

/* Appends an entry at the next index (the log's size), inside the caller's transaction or savepoint, so that the
 * entry is durable exactly when the record it names is: a rollback removes both, and the next append takes the
 * same index again. now_us is the time it was sequenced. *ret_index (optional) receives the index.
 * PROVA_EINVAL (empty), PROVA_ELIMIT (over PROVA_STORE_LOG_ENTRY_MAX). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_append(prova_store *s, const void *entry, size_t len, int64_t now_us,
                                                        int64_t *ret_index);
/* Appends entry index's bytes to out; PROVA_ENOTFOUND beyond the log's size. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_get(prova_store *s, int64_t index, prova_buf *out);
/* Appends the entries [from, to) that exist, in index order, each as a 2-byte big-endian length and its bytes (the
 * body of a tlog-tiles entry bundle); *ret_count (optional) their number (less than to - from at the end of the
 * log). PROVA_EIO when an index in the range is missing before the end (a damaged store); out unchanged then. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_entries(prova_store *s, int64_t from, int64_t to, prova_buf *out,
                                                         size_t *ret_count);
/* The log's size: the number of entries, which is also the next index. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_size(prova_store *s, int64_t *ret);

/* ---- The integrated log: tiles and checkpoints (docs/tlog.md "The gateway's log") --------------------------- */

/* Stores hash tile (level 0..63, index) of the tlog-tiles layout, replacing the row (a partial tile is overwritten
 * as it grows; a partial tile of width W is the first W hashes of the row). len is 32 * width, at most 8,192. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_tile_put(prova_store *s, int level, int64_t index, const void *data,
                                                          size_t len);
/* Appends the stored row of tile (level, index) to out; PROVA_ENOTFOUND when there is none. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_tile_get(prova_store *s, int level, int64_t index, prova_buf *out);
/* Records a checkpoint the log signed (its signed note) for the tree of size, at time_us. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_checkpoint_put(prova_store *s, int64_t size, const void *note,
                                                                size_t len, int64_t time_us);
/* Appends the last checkpoint recorded to out and its size to *ret_size (optional); PROVA_ENOTFOUND when none. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_checkpoint_latest(prova_store *s, prova_buf *out, int64_t *ret_size);

/* ---- Several gateways on one store (PostgreSQL) ------------------------------------------------------------- */

/* Whether this connection integrates the log: on PostgreSQL one connection of all the gateways' at a time holds
 * the log's integrator lock (a session advisory lock, released when the connection ends, so a gateway that dies
 * hands it over); the first call that finds it free takes it. *ret_leading: whether this connection holds it now.
 * SQLite: always true (one gateway per file). Call it outside a transaction. Whoever integrates must still compare
 * the stored checkpoint with its own state inside the write transaction (prova_store_begin serializes writers):
 * a lost and re-taken lock means another gateway may have integrated meanwhile. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_lead(prova_store *s, bool *ret_leading);

/* ---- Listing, for checks and copies (prova db check, prova store copy) -------------------------------------- */

/* Up to limit keys greater than after (NULL or "": from the first), in ascending byte order, as a JSON array of
 * strings appended to out; *ret_count their number (fewer than limit: the end). The trace ids of the stored
 * receipts, the OpenExecution chain ids, the certificate ids. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_traces(prova_store *s, const char *after, size_t limit, prova_buf *out,
                                                        size_t *ret_count);
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_chain_ids(prova_store *s, const char *after, size_t limit,
                                                          prova_buf *out, size_t *ret_count);
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_ids(prova_store *s, const char *after, size_t limit,
                                                         prova_buf *out, size_t *ret_count);
/* Up to limit replay claims with key greater than after, as a JSON array of [key, expires_us] pairs. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_replay_list(prova_store *s, const char *after, size_t limit,
                                                         prova_buf *out, size_t *ret_count);
/* A certificate's chain id (appended to out); PROVA_ENOTFOUND for an unknown certificate. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_chain(prova_store *s, const char *cert_id, prova_buf *out);
/* The signed checkpoints in the order they were recorded, from position from (0: the first), at most limit, as a
 * JSON array of {"size":N,"time_us":T,"note":"<the signed note>"}; *ret_count their number. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_checkpoints(prova_store *s, int64_t from, size_t limit, prova_buf *out,
                                                             size_t *ret_count);

/* ---- Browsing: what the gateway holds, the most recent first (schema 5, docs/browse.md) --------------------- */

/* prova_store_ope_append_logged with what the trace listing needs beside the receipt: its ts in microseconds since
 * the epoch (the receipt's "ts", which the caller built), the gateway's kid that signed it, and the envelope's sender
 * kid and payload_type (NULL: unknown). Same statuses. Every append (this one or the others, which read ts_us from
 * the receipt's JSON and leave the kids unknown) also updates the trace's summary row in the same statement batch:
 * its hop count, first and last times and last receipt hash, what prova_store_ope_trace_list pages over. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_append_meta(prova_store *s, const char *trace_id, int64_t hop,
                                                             const char *receipt_hash, const void *json, size_t len,
                                                             int64_t log_index, int64_t ts_us, const char *gateway_kid,
                                                             const char *sender_kid, const char *payload_type);

/* The listings. Each appends one page as a JSON array of items to out and *ret_count (optional) their number, in
 * the listing's order by a key (t, id): the items strictly after the position (before_us, before_id) in that order
 * (before_us = until_us and before_id NULL or "" for the first page), with since_us <= t < until_us, at most limit
 * (1..PROVA_STORE_PAGE_MAX). A page costs O(limit · log n) whatever the position, filters aside (a filter that
 * matches few items scans the ones it skips; the status, chain_id filters have their own indexes).
 *
 * Traces, by their last receipt's time, newest first; kid (a receipt's sender or gateway kid) and payload_type
 * filter (NULL: any). Items: {"trace_id","hops","first_us","last_us","last_receipt_hash","kids":[...],
 * "payload_types":[...]} (kids: the distinct sender and gateway kids over the hops in hop order). */
#define PROVA_STORE_PAGE_MAX 1000
PROVA_EXPORT size_t prova_store_page_max(void);
PROVA_EXPORT PROVA_NODISCARD int prova_store_ope_trace_list(prova_store *s, int64_t before_us, const char *before_id,
                                                            int64_t since_us, int64_t until_us, const char *kid,
                                                            const char *payload_type, size_t limit, prova_buf *out,
                                                            size_t *ret_count);
/* Chains, by their record's updated_at, newest first; status filter (NULL: any). Items: {"chain_id","chain_type",
 * "status","events","created_us","updated_us","certificate_id"} (null members for a record without them). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_chain_list(prova_store *s, int64_t before_us, const char *before_id,
                                                           int64_t since_us, int64_t until_us, const char *status,
                                                           size_t limit, prova_buf *out, size_t *ret_count);
/* Certificates, by the certificate's issued_at, newest first; chain_id and status filters. Items:
 * {"certificate_id","chain_id","status","issued_us","superseded_by","log_index"}. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_oe_cert_list(prova_store *s, int64_t before_us, const char *before_id,
                                                          int64_t since_us, int64_t until_us, const char *chain_id,
                                                          const char *status, size_t limit, prova_buf *out,
                                                          size_t *ret_count);

/* Proof records, keyed by id (the record's content hash), stored once: PROVA_ECONFLICT when the id is stored.
 * stored_us: when; log_index: its log entry's (negative: none). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_proof_put(prova_store *s, const char *id, const void *json, size_t len,
                                                       int64_t stored_us, int64_t log_index);
/* The stored record appended to out, its log index in *ret_log_index (optional; -1: none). PROVA_ENOTFOUND. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_proof_get(prova_store *s, const char *id, prova_buf *out,
                                                       int64_t *ret_log_index);
/* Proof records by stored time, newest first. Items: {"proof_id","stored_us","log_index"}. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_proof_list(prova_store *s, int64_t before_us, const char *before_id,
                                                        int64_t since_us, int64_t until_us, size_t limit,
                                                        prova_buf *out, size_t *ret_count);
/* The log's entries from index from on, in index order, sequenced at since_us <= t < until_us. Items:
 * {"index","sequenced_us","entry":"<the entry's bytes as a JSON string>"}. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_entry_list(prova_store *s, int64_t from, int64_t since_us,
                                                            int64_t until_us, size_t limit, prova_buf *out,
                                                            size_t *ret_count);
/* The signed checkpoints, newest first: those recorded before position before (INT64_MAX: from the newest), with
 * since_us <= time < until_us. Items: {"id","size","time_us","note"}; id is the position to continue before. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_log_checkpoint_list(prova_store *s, int64_t before, int64_t since_us,
                                                                 int64_t until_us, size_t limit, prova_buf *out,
                                                                 size_t *ret_count);

/* ---- Schema ------------------------------------------------------------------------------------------------- */

/* The schema's state as JSON appended to out: {"backend":"sqlite"|"postgresql","schema_version":N,
 * "schema_latest":M,"pending":M-N,"migrations":[{"version":V,"description":"...","applied_at":"RFC 3339"|null},
 * ...]} (every migration this prova knows, applied_at null for a pending one, and for SQLite, which does not record
 * when). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_schema_status(prova_store *s, prova_buf *out);
/* Applies the pending migrations, each in its own transaction with its record (on PostgreSQL under a lock: one
 * process migrates, the others wait and find nothing to do). *ret_applied (optional): how many. A read-only
 * connection: PROVA_EINVAL. */
PROVA_EXPORT PROVA_NODISCARD int prova_store_migrate(prova_store *s, int *ret_applied);

/* ---- Size -------------------------------------------------------------------------------------------------- */

typedef struct prova_store_counts {
    int64_t receipts, traces, replay_claims, chains, events, certificates;
    int64_t bytes; /* SQLite: database + WAL file size; PostgreSQL: pg_database_size() */
} prova_store_counts;
/* sizeof(prova_store_counts) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_store_counts_sizeof(void);

/* Counts every table (a full scan of each: for startup and occasional reads, not per request). */
PROVA_EXPORT PROVA_NODISCARD int prova_store_counts_get(prova_store *s, prova_store_counts *ret);
/* SQLite: database + WAL bytes on disk (a stat). PostgreSQL: the size prova_store_counts_get last read (no query:
 * it may be called from another thread than the connection's user). */
PROVA_EXPORT int64_t prova_store_bytes(const prova_store *s);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_STORE_H */
