/* The store on SQLite 3: WAL journal, synchronous=FULL (every commit is fsynced before it returns), prepared
 * statements kept per connection. Receipts and events are rows appended in rowid order with a unique
 * (trace, hop) / (chain, seq) index: "the last receipt of a trace" is one descent of a small index, "the chain of a
 * trace" one index range scan, and a batch of appends writes few pages. Small keyed records (chains,
 * certificates, replay claims) are WITHOUT ROWID tables. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "jsonw.h"
#include "prova/time.h"
#include "store_internal.h"

/* 1: records and replay claims. 2: + log_entries (the transparency log's sequence); a version 1 store is
 * upgraded when a writer opens it (the table is created empty: records stored before are not in the log).
 * 3: + log_tiles and log_checkpoints (the integrated tree and its signed checkpoints); a version 1 or 2 store is
 * upgraded the same way (the tables start empty: the log is integrated from its first entry).
 * 4: + a log_index column on ope_receipts, oe_events and oe_certificates (and status_log_index on the latter): the
 * index of the record's log entry, written with the record in the same savepoint, so that an export can carry each
 * record's proof without searching the log for its entry (no index on the entries' bytes on the write path); an
 * older store gets the columns when a writer opens it, NULL for the records stored before (exported without a
 * proof).
 * 5: what the listings need (docs/browse.md): per receipt its time (ts_us) and the kids and payload type the gateway
 * knew (gateway_kid, sender_kid, payload_type); ope_traces, one summary row per trace (hops, first and last times,
 * last receipt hash) upserted with each receipt, indexed by (last_us, trace_id); columns of oe_chains (chain_type,
 * status, created_us, updated_us, events) and oe_certificates (issued_us, status, superseded_by) that store.c reads
 * from the record when it is put, with indexes by time (and status, chain); proofs, the stored proof records. An
 * older store gets them when a writer opens it: times are read back from the stored JSON (json_extract and
 * prova_time_us, a function of this connection), the kids of older receipts stay NULL. */
#define SCHEMA_VERSION 5

enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_OPE_LAST,
    Q_OPE_APPEND,
    Q_OPE_CHAIN,
    Q_OPE_CHAIN_LOG,
    Q_REPLAY_GET,
    Q_REPLAY_PUT,
    Q_REPLAY_PURGE,
    Q_OE_CHAIN_PUT,
    Q_OE_CHAIN_GET,
    Q_OE_EVENT_APPEND,
    Q_OE_EVENT_LAST,
    Q_OE_EVENTS,
    Q_OE_EVENTS_LOG,
    Q_OE_CERT_PUT,
    Q_OE_CERT_GET,
    Q_OE_CERT_LOG,
    Q_OE_CERT_CHAIN,
    Q_LOG_APPEND,
    Q_LOG_GET,
    Q_LOG_RANGE,
    Q_LOG_SIZE,
    Q_TILE_PUT,
    Q_TILE_GET,
    Q_CP_PUT,
    Q_CP_LATEST,
    Q_CP_LIST,
    Q_LIST_TRACES,
    Q_LIST_CHAINS,
    Q_LIST_CERTS,
    Q_LIST_REPLAY,
    Q_TRACE_UPSERT,
    Q_PROOF_PUT,
    Q_PROOF_GET,
    Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT req",
    [Q_RELEASE] = "RELEASE req",
    [Q_ROLLBACK_TO] = "ROLLBACK TO req",
    [Q_OPE_LAST] = "SELECT hop, receipt FROM ope_receipts WHERE trace_id = ?1 ORDER BY hop DESC LIMIT 1",
    [Q_OPE_APPEND] = ("INSERT INTO ope_receipts(trace_id, hop, receipt_hash, receipt, log_index, ts_us, gateway_kid,"
                      " sender_kid, payload_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
    /* The trace's summary follows its last hop (receipts are appended in hop order). */
    [Q_TRACE_UPSERT] =
        ("INSERT INTO ope_traces(trace_id, hops, first_us, last_us, last_hash) VALUES (?1, ?2, ?3, ?3, ?4)"
         " ON CONFLICT(trace_id) DO UPDATE SET hops = excluded.hops, last_us = excluded.last_us,"
         " last_hash = excluded.last_hash WHERE excluded.hops > ope_traces.hops"),
    [Q_PROOF_PUT] = "INSERT INTO proofs(id, record, stored_us, log_index) VALUES (?1, ?2, ?3, ?4)",
    [Q_PROOF_GET] = "SELECT log_index, record FROM proofs WHERE id = ?1",
    [Q_OPE_CHAIN] = "SELECT receipt FROM ope_receipts WHERE trace_id = ?1 ORDER BY hop",
    [Q_OPE_CHAIN_LOG] = "SELECT log_index FROM ope_receipts WHERE trace_id = ?1 ORDER BY hop",
    [Q_REPLAY_GET] = "SELECT expires_us FROM ope_replay WHERE key = ?1",
    [Q_REPLAY_PUT] = "INSERT OR REPLACE INTO ope_replay(key, expires_us) VALUES (?1, ?2)",
    [Q_REPLAY_PURGE] = ("DELETE FROM ope_replay WHERE key IN"
                        " (SELECT key FROM ope_replay WHERE expires_us < ?1 ORDER BY expires_us LIMIT ?2)"),
    [Q_OE_CHAIN_PUT] =
        ("INSERT OR REPLACE INTO oe_chains(id, record, chain_type, status, created_us, updated_us, events)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    [Q_OE_CHAIN_GET] = "SELECT record FROM oe_chains WHERE id = ?1",
    [Q_OE_EVENT_APPEND] = "INSERT INTO oe_events(chain_id, seq, event, log_index) VALUES (?1, ?2, ?3, ?4)",
    [Q_OE_EVENT_LAST] = "SELECT seq, event FROM oe_events WHERE chain_id = ?1 ORDER BY seq DESC LIMIT 1",
    [Q_OE_EVENTS] = "SELECT event FROM oe_events WHERE chain_id = ?1 ORDER BY seq",
    [Q_OE_EVENTS_LOG] = "SELECT log_index FROM oe_events WHERE chain_id = ?1 ORDER BY seq",
    [Q_OE_CERT_PUT] = ("INSERT OR REPLACE INTO oe_certificates(id, chain_id, bundle, log_index, status_log_index,"
                       " issued_us, status, superseded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
    [Q_OE_CERT_GET] = "SELECT bundle FROM oe_certificates WHERE id = ?1",
    [Q_OE_CERT_LOG] = "SELECT log_index, status_log_index FROM oe_certificates WHERE id = ?1",
    [Q_OE_CERT_CHAIN] = "SELECT chain_id FROM oe_certificates WHERE id = ?1",
    /* The next index is derived from the table inside the transaction that appends: a rolled-back savepoint or
     * a failed commit takes its rows with it, and the next append reuses their indexes (no gap, no duplicate).
     * max() of the rowid is one descent to the last leaf. */
    [Q_LOG_APPEND] = ("INSERT INTO log_entries(idx, entry, sequenced_us)"
                      " VALUES ((SELECT coalesce(max(idx) + 1, 0) FROM log_entries), ?1, ?2) RETURNING idx"),
    [Q_LOG_GET] = "SELECT entry FROM log_entries WHERE idx = ?1",
    [Q_LOG_RANGE] = "SELECT idx, entry FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
    [Q_LOG_SIZE] = "SELECT coalesce(max(idx) + 1, 0) FROM log_entries",
    [Q_TILE_PUT] = "INSERT OR REPLACE INTO log_tiles(level, idx, data) VALUES (?1, ?2, ?3)",
    [Q_TILE_GET] = "SELECT data FROM log_tiles WHERE level = ?1 AND idx = ?2",
    [Q_CP_PUT] = "INSERT INTO log_checkpoints(size, note, time_us) VALUES (?1, ?2, ?3)",
    [Q_CP_LATEST] = "SELECT size, note FROM log_checkpoints ORDER BY rowid DESC LIMIT 1",
    [Q_CP_LIST] = "SELECT size, time_us, note FROM log_checkpoints ORDER BY rowid LIMIT ?2 OFFSET ?1",
    /* hop 0 is every trace's first receipt: the unique index (trace_id, hop) gives the ids in order */
    [Q_LIST_TRACES] = "SELECT DISTINCT trace_id FROM ope_receipts WHERE trace_id > ?1 ORDER BY trace_id LIMIT ?2",
    [Q_LIST_CHAINS] = "SELECT id FROM oe_chains WHERE id > ?1 ORDER BY id LIMIT ?2",
    [Q_LIST_CERTS] = "SELECT id FROM oe_certificates WHERE id > ?1 ORDER BY id LIMIT ?2",
    [Q_LIST_REPLAY] = "SELECT key, expires_us FROM ope_replay WHERE key > ?1 ORDER BY key LIMIT ?2",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS prova_meta(k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;"
    /* Records are appended in rowid order (sequential pages, written once); the unique (key, position) index is
     * small, stays in the cache, and is what makes a second receipt at a taken hop a conflict. */
    "CREATE TABLE IF NOT EXISTS ope_receipts(id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, hop INTEGER NOT NULL,"
    " receipt_hash TEXT NOT NULL, receipt TEXT NOT NULL, log_index INTEGER, ts_us INTEGER, gateway_kid TEXT,"
    " sender_kid TEXT, payload_type TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS ope_receipts_trace ON ope_receipts(trace_id, hop);"
    "CREATE TABLE IF NOT EXISTS ope_replay(key TEXT PRIMARY KEY, expires_us INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS ope_replay_expiry ON ope_replay(expires_us);"
    "CREATE TABLE IF NOT EXISTS oe_chains(id TEXT PRIMARY KEY, record TEXT NOT NULL, chain_type TEXT, status TEXT,"
    " created_us INTEGER, updated_us INTEGER NOT NULL DEFAULT 0, events INTEGER) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS oe_events(id INTEGER PRIMARY KEY, chain_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " event TEXT NOT NULL, log_index INTEGER);"
    "CREATE UNIQUE INDEX IF NOT EXISTS oe_events_chain ON oe_events(chain_id, seq);"
    "CREATE TABLE IF NOT EXISTS oe_certificates(id TEXT PRIMARY KEY, chain_id TEXT NOT NULL, bundle TEXT NOT NULL,"
    " log_index INTEGER, status_log_index INTEGER, issued_us INTEGER NOT NULL DEFAULT 0, status TEXT,"
    " superseded_by TEXT) WITHOUT ROWID;"
    /* The transparency log's entries in sequence: idx is the rowid (0, 1, 2, ...), the entry its JCS bytes
     * (prova/logentry.h), sequenced_us when the writer appended it. */
    "CREATE TABLE IF NOT EXISTS log_entries(idx INTEGER PRIMARY KEY, entry BLOB NOT NULL,"
    " sequenced_us INTEGER NOT NULL);"
    /* The integrated tree: hash tiles (tlog-tiles level L, index N) at their latest width (a partial tile's row is
     * overwritten as it grows, and a partial tile of width W is the first W hashes of the row; a full tile is
     * final), and every checkpoint the log signed, in order (rowid), with the size it covers. Entry bundles are
     * not stored twice: they are log_entries' rows. */
    "CREATE TABLE IF NOT EXISTS log_tiles(level INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(level, idx)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS log_checkpoints(id INTEGER PRIMARY KEY, size INTEGER NOT NULL, note BLOB NOT NULL,"
    " time_us INTEGER NOT NULL);"
    /* 5: one summary row per trace (the listing's keyset), the proof records */
    "CREATE TABLE IF NOT EXISTS ope_traces(trace_id TEXT PRIMARY KEY, hops INTEGER NOT NULL, first_us INTEGER NOT NULL,"
    " last_us INTEGER NOT NULL, last_hash TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS proofs(id TEXT PRIMARY KEY, record TEXT NOT NULL, stored_us INTEGER NOT NULL,"
    " log_index INTEGER) WITHOUT ROWID;"
    /* A new store is recorded at 4 and brought to 5 by upgrade5 (its columns exist: only the indexes are made). */
    "INSERT OR IGNORE INTO prova_meta(k, v) VALUES ('schema_version', '4');"
    /* Upgrades to 3: the tables above exist by now, so the step only records the new version (4 adds columns to
     * tables that existed before: upgrade4, after it). */
    "UPDATE prova_meta SET v = '3' WHERE k = 'schema_version' AND v IN ('1', '2');";

/* From 3 to 4: the log_index columns (schema_sql created the tables of a new store with them already). Each is
 * added unless the table has it, in one transaction with the version. */
static const char *const upgrade4_columns[][2] = {
    {"ope_receipts", "log_index"},
    {"oe_events", "log_index"},
    {"oe_certificates", "log_index"},
    {"oe_certificates", "status_log_index"},
};

static int upgrade4(sqlite3 *db) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof upgrade4_columns / sizeof upgrade4_columns[0]; i++) {
        char sql[160];
        sqlite3_stmt *st = NULL;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                 upgrade4_columns[i][0], upgrade4_columns[i][1]);
        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        int have = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_finalize(st);
        if (rc == SQLITE_OK && !have) {
            snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s INTEGER", upgrade4_columns[i][0],
                     upgrade4_columns[i][1]);
            rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "UPDATE prova_meta SET v = '4' WHERE k = 'schema_version' AND v = '3'", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* From 4 to 5: the listings' columns (a new store has them), indexes, and what can be read back from older rows. */
static const char *const upgrade5_columns[][3] = {
    {"ope_receipts", "ts_us", "INTEGER"},   {"ope_receipts", "gateway_kid", "TEXT"},
    {"ope_receipts", "sender_kid", "TEXT"}, {"ope_receipts", "payload_type", "TEXT"},
    {"oe_chains", "chain_type", "TEXT"},    {"oe_chains", "status", "TEXT"},
    {"oe_chains", "created_us", "INTEGER"}, {"oe_chains", "updated_us", "INTEGER NOT NULL DEFAULT 0"},
    {"oe_chains", "events", "INTEGER"},     {"oe_certificates", "issued_us", "INTEGER NOT NULL DEFAULT 0"},
    {"oe_certificates", "status", "TEXT"},  {"oe_certificates", "superseded_by", "TEXT"},
};

static const char upgrade5_sql[] =
    "CREATE INDEX IF NOT EXISTS ope_traces_recent ON ope_traces(last_us, trace_id);"
    "CREATE INDEX IF NOT EXISTS oe_chains_recent ON oe_chains(updated_us, id);"
    "CREATE INDEX IF NOT EXISTS oe_chains_status ON oe_chains(status, updated_us, id);"
    "CREATE INDEX IF NOT EXISTS oe_certificates_recent ON oe_certificates(issued_us, id);"
    "CREATE INDEX IF NOT EXISTS oe_certificates_status ON oe_certificates(status, issued_us, id);"
    "CREATE INDEX IF NOT EXISTS oe_certificates_chain ON oe_certificates(chain_id, issued_us, id);"
    "CREATE INDEX IF NOT EXISTS proofs_recent ON proofs(stored_us, id);"
    /* Older rows: the receipts' times, the traces' summaries, the chains' and certificates' columns (the same members
     * store.c reads on a put). A record that is not JSON keeps NULLs (0 for a time). */
    "UPDATE ope_receipts SET ts_us = coalesce(prova_time_us(json_extract(receipt, '$.ts')), 0)"
    " WHERE ts_us IS NULL AND json_valid(receipt);"
    "INSERT OR IGNORE INTO ope_traces(trace_id, hops, first_us, last_us, last_hash)"
    " SELECT r.trace_id, r.hop + 1,"
    " coalesce((SELECT f.ts_us FROM ope_receipts f WHERE f.trace_id = r.trace_id ORDER BY f.hop LIMIT 1), 0),"
    " coalesce(r.ts_us, 0), r.receipt_hash FROM ope_receipts r"
    " WHERE r.hop = (SELECT max(m.hop) FROM ope_receipts m WHERE m.trace_id = r.trace_id);"
    "UPDATE oe_chains SET chain_type = json_extract(record, '$.chain_type'), status = json_extract(record, '$.status'),"
    " created_us = prova_time_us(json_extract(record, '$.created_at')),"
    " updated_us = coalesce(prova_time_us(json_extract(record, '$.updated_at')), 0),"
    " events = json_extract(record, '$.event_count') WHERE json_valid(record);"
    "UPDATE oe_certificates SET"
    " issued_us = coalesce(prova_time_us(json_extract(bundle, '$.certificate.issued_at')), 0),"
    " status = coalesce(json_extract(bundle, '$.status.status'), 'active'),"
    " superseded_by = json_extract(bundle, '$.status.superseded_by') WHERE json_valid(bundle);"
    "UPDATE prova_meta SET v = '5' WHERE k = 'schema_version' AND v = '4';";

static int upgrade5(sqlite3 *db) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof upgrade5_columns / sizeof upgrade5_columns[0]; i++) {
        char sql[200];
        sqlite3_stmt *st = NULL;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                 upgrade5_columns[i][0], upgrade5_columns[i][1]);
        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        int have = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_finalize(st);
        if (rc == SQLITE_OK && !have) {
            snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", upgrade5_columns[i][0], upgrade5_columns[i][1],
                     upgrade5_columns[i][2]);
            rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        }
    }
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, upgrade5_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* prova_time_us(text): an RFC 3339 time in microseconds since the epoch (prova_time_parse), NULL when it is not one.
 * Used by upgrade5 only (never in the schema: the file stays readable by any SQLite). */
static void time_us_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    int64_t us;
    if (t && sqlite3_value_type(argv[0]) == SQLITE_TEXT && prova_time_parse(t, (size_t)n, &us) == 0)
        sqlite3_result_int64(ctx, us);
    else
        sqlite3_result_null(ctx);
}

typedef struct sq_store {
    prova_store base; /* first: a prova_store * is a sq_store * */
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
    char *path;
    int version; /* the schema's version when opened or migrated */
} sq_store;

#define SQ(p)  ((sq_store *)(void *)(p))
#define CSQ(p) ((const sq_store *)(const void *)(p))

static int fail(sq_store *s, int rc) {
    snprintf(s->base.msg, sizeof s->base.msg, "%s", sqlite3_errmsg(s->db));
    if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) return PROVA_ECONFLICT;
    if (rc == SQLITE_NOMEM) return PROVA_ENOMEM;
    return PROVA_EIO;
}

static int stmt(sq_store *s, int which, sqlite3_stmt **ret) {
    if (!s->q[which]) {
        int rc = sqlite3_prepare_v3(s->db, sql_text[which], -1, SQLITE_PREPARE_PERSISTENT, &s->q[which], NULL);
        if (rc != SQLITE_OK) return fail(s, rc);
    }
    *ret = s->q[which];
    return 0;
}

static int exec_simple(sq_store *s, int which) {
    sqlite3_stmt *st;
    int rc = stmt(s, which, &st);
    if (rc < 0) return rc;
    int sr = sqlite3_step(st);
    sqlite3_reset(st);
    return sr == SQLITE_DONE ? 0 : fail(s, sr);
}

static int bind_text(sqlite3_stmt *st, int i, const char *t) {
    return sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
}

static int bind_blob_text(sqlite3_stmt *st, int i, const void *p, size_t n) {
    if (n > INT_MAX) return SQLITE_TOOBIG;
    return sqlite3_bind_text(st, i, (const char *)p, (int)n, SQLITE_STATIC);
}

static const store_migration migrations[] = {
    {1, "OPE receipts, replay claims, OpenExecution chains, events and certificates"},
    {2, "the transparency log's sequence (log_entries)"},
    {3, "the integrated log: hash tiles and signed checkpoints"},
    {4, "each record's log index (ope_receipts, oe_events, oe_certificates)"},
    {5, "listings: receipts' times and kids, trace summaries, chain and certificate columns, proof records"},
};

static int read_version(sq_store *s) {
    sqlite3_stmt *st = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT v FROM prova_meta WHERE k = 'schema_version'", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

/* Every migration at once: schema_sql creates what is missing (a new store at the latest version, 1 and 2 brought
 * to 3), upgrade4 adds the columns of 4. */
static int sq_migrate(prova_store *ps, int *ret_applied) {
    sq_store *s = SQ(ps);
    if (sqlite3_db_readonly(s->db, "main") == 1) return PROVA_EINVAL;
    int before = read_version(s);
    if (before > SCHEMA_VERSION) return PROVA_EUNSUPPORTED;
    int rc = sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK && read_version(s) == 3) rc = upgrade4(s->db);
    if (rc == SQLITE_OK && read_version(s) == 4) rc = upgrade5(s->db);
    if (rc != SQLITE_OK) return fail(s, rc);
    s->version = read_version(s);
    *ret_applied = s->version - (before ? before : 0);
    return 0;
}

static int sq_schema_status(prova_store *ps, prova_buf *out) {
    sq_store *s = SQ(ps);
    size_t n = sizeof migrations / sizeof migrations[0];
    int64_t applied[sizeof migrations / sizeof migrations[0]];
    s->version = read_version(s);
    for (size_t i = 0; i < n; i++) applied[i] = migrations[i].version <= s->version ? 0 : -1;
    return prova__store_status_json(out, "sqlite", s->version, migrations, n, applied);
}

static const store_ops sqlite_ops;

static void sq_close(prova_store *ps) {
    sq_store *s = SQ(ps);
    for (int i = 0; i < Q_COUNT; i++) sqlite3_finalize(s->q[i]);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int prova__store_sqlite_open(const char *path, unsigned flags, prova_store **ret, prova_error *reterr) {
    sq_store *s = calloc(1, sizeof *s);
    if (!s) return PROVA_ENOMEM;
    s->base.ops = &sqlite_ops;
    s->path = strdup(path);
    if (!s->path) {
        free(s);
        return PROVA_ENOMEM;
    }
    bool ro = flags & PROVA_STORE_READONLY;
    int oflags = (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        int st = rc == SQLITE_NOMEM ? PROVA_ENOMEM : PROVA_EIO;
        prova__fail(reterr, st, "store_open", "cannot open the store");
        sq_close(&s->base);
        return st;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_create_function(s->db, "prova_time_us", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, time_us_fn, NULL,
                            NULL);
    /* A reader waits for a checkpoint or the writer's schema setup instead of failing. */
    sqlite3_busy_timeout(s->db, 10000);
    /* 64 MiB of page cache and reads through a mapping: the hot b-tree pages of a busy store stay in memory
     * instead of being read() again for every lookup. */
    const char *pragmas = ro ? "PRAGMA query_only=1; PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456;"
                             : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                               " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;";
    rc = sqlite3_exec(s->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        fail(s, rc);
        prova__fail(reterr, PROVA_EIO, "store_open",
                    (rc & 0xff) == SQLITE_NOTADB ? "not a SQLite database" : "cannot set up the store's connection");
        sq_close(&s->base);
        return PROVA_EIO;
    }
    int applied = 0;
    if (!ro && !(flags & PROVA_STORE_NO_MIGRATE) && (rc = sq_migrate(&s->base, &applied)) < 0) {
        prova__fail(reterr, rc, "store_schema",
                    rc == PROVA_EUNSUPPORTED ? "the store was written by a newer prova"
                                             : "cannot set up or upgrade the store's schema");
        sq_close(&s->base);
        return rc;
    }
    s->version = read_version(s);
    if (s->version > SCHEMA_VERSION || (s->version != SCHEMA_VERSION && ro)) {
        prova__fail(reterr, PROVA_EUNSUPPORTED, "store_version",
                    s->version > SCHEMA_VERSION ? "the store was written by a newer prova"
                    : s->version > 0 ? "the store has an older schema: open it for writing once (or prova db migrate)"
                                     : "not a prova store (no schema version)");
        sq_close(&s->base);
        return PROVA_EUNSUPPORTED;
    }
    *ret = &s->base;
    return 0;
}

static int sq_tx(prova_store *ps, store_tx op) {
    sq_store *s = SQ(ps);
    int rc;
    switch (op) {
    case STORE_BEGIN:
        return exec_simple(s, Q_BEGIN);
    case STORE_COMMIT:
        return exec_simple(s, Q_COMMIT);
    case STORE_ROLLBACK:
        return sqlite3_get_autocommit(s->db) ? 0 : exec_simple(s, Q_ROLLBACK);
    case STORE_SAVEPOINT:
        return exec_simple(s, Q_SAVEPOINT);
    case STORE_RELEASE:
        return exec_simple(s, Q_RELEASE);
    case STORE_ROLLBACK_TO:
        rc = exec_simple(s, Q_ROLLBACK_TO);
        return rc < 0 ? rc : exec_simple(s, Q_RELEASE);
    case STORE_READ_BEGIN:
        rc = sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : fail(s, rc);
    }
    return PROVA_EINVAL;
}

/* Appends column col of the current row (text) to out. */
static int take_text(sqlite3_stmt *st, int col, prova_buf *out) {
    const void *p = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (!p && n) return PROVA_ENOMEM;
    return prova_buf_append(out, p ? p : "", (size_t)n);
}

/* One-row lookup: binds key, appends column text_col to out and, when ret_int, column 0 as an integer. */
static int get_one(sq_store *s, int which, const char *key, int text_col, prova_buf *out, int64_t *ret_int) {
    sqlite3_stmt *st;
    int rc = stmt(s, which, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, key);
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        if (ret_int) *ret_int = sqlite3_column_int64(st, 0);
        rc = out ? take_text(st, text_col, out) : 0;
    } else {
        rc = sr == SQLITE_DONE ? PROVA_ENOTFOUND : fail(s, sr);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Rows of one key as a JSON array "[a,b,...]" appended to out. */
static int get_array(sq_store *s, int which, const char *key, prova_buf *out, size_t *ret_count) {
    sqlite3_stmt *st;
    int rc = stmt(s, which, &st);
    if (rc < 0) return rc;
    size_t mark = out->len, n = 0;
    bind_text(st, 1, key);
    rc = prova_buf_append(out, "[", 1);
    int sr;
    while (rc == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ && (rc = prova_buf_append(out, ",", 1)) < 0) break;
        int type = sqlite3_column_type(st, 0);
        if (type == SQLITE_NULL) {
            rc = prova_buf_append(out, "null", 4); /* a log index of a record stored before the log */
        } else if (type == SQLITE_INTEGER) {
            char num[24];
            int k = snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, 0));
            rc = prova_buf_append(out, num, (size_t)k);
        } else {
            rc = take_text(st, 0, out);
        }
    }
    if (rc == 0 && sr != SQLITE_DONE) rc = fail(s, sr);
    if (rc == 0) rc = prova_buf_append(out, "]", 1);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc < 0) {
        out->len = mark;
        return rc;
    }
    if (ret_count) *ret_count = n;
    return 0;
}

/* An insert (or insert-or-replace, by the statement) of (key, [integer], [text], json). */
static int put(sq_store *s, int which, const char *key, const int64_t *num, const char *text, const void *json,
               size_t len, int64_t log_index, int64_t status_log_index) {
    sqlite3_stmt *st;
    int rc = stmt(s, which, &st);
    if (rc < 0) return rc;
    int i = 1;
    bind_text(st, i++, key);
    if (num) sqlite3_bind_int64(st, i++, *num);
    if (text) bind_text(st, i++, text);
    int br = bind_blob_text(st, i, json, len);
    /* The log indexes follow the json (a negative one, or an unbound parameter, is NULL: not logged). */
    if (br == SQLITE_OK && log_index >= 0) br = sqlite3_bind_int64(st, i + 1, log_index);
    if (br == SQLITE_OK && status_log_index >= 0) br = sqlite3_bind_int64(st, i + 2, status_log_index);
    int sr = br == SQLITE_OK ? sqlite3_step(st) : br;
    rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_ope_last(prova_store *ps, const char *trace_id, prova_buf *out, int64_t *ret_hop) {
    return get_one(SQ(ps), Q_OPE_LAST, trace_id, 1, out, ret_hop);
}

/* Binds a string, or NULL for NULL or "". */
static int bind_opt(sqlite3_stmt *st, int i, const char *t) {
    return t && *t ? bind_text(st, i, t) : sqlite3_bind_null(st, i);
}

/* Steps a statement of binds made by the caller, then resets it. */
static int step_done(sq_store *s, sqlite3_stmt *st, int br) {
    int sr = br == SQLITE_OK ? sqlite3_step(st) : br;
    int rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* The receipt's row, then its trace's summary (one small upsert: the listing's keyset). */
static int sq_ope_append(prova_store *ps, const char *trace_id, int64_t hop, const char *receipt_hash, const void *json,
                         size_t len, int64_t log_index, const store_receipt_meta *m) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_OPE_APPEND, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, trace_id);
    sqlite3_bind_int64(st, 2, hop);
    bind_text(st, 3, receipt_hash);
    int br = bind_blob_text(st, 4, json, len);
    if (log_index >= 0) sqlite3_bind_int64(st, 5, log_index);
    sqlite3_bind_int64(st, 6, m->ts_us);
    bind_opt(st, 7, m->gateway_kid);
    bind_opt(st, 8, m->sender_kid);
    bind_opt(st, 9, m->payload_type);
    if ((rc = step_done(s, st, br)) < 0) return rc;
    if ((rc = stmt(s, Q_TRACE_UPSERT, &st)) < 0) return rc;
    bind_text(st, 1, trace_id);
    sqlite3_bind_int64(st, 2, hop + 1);
    sqlite3_bind_int64(st, 3, m->ts_us);
    bind_text(st, 4, receipt_hash);
    return step_done(s, st, SQLITE_OK);
}

static int sq_rows(prova_store *ps, store_rows which, const char *key, prova_buf *out, size_t *ret_count) {
    static const int q[] = {
        [STORE_ROWS_RECEIPTS] = Q_OPE_CHAIN,
        [STORE_ROWS_RECEIPTS_LOG] = Q_OPE_CHAIN_LOG,
        [STORE_ROWS_EVENTS] = Q_OE_EVENTS,
        [STORE_ROWS_EVENTS_LOG] = Q_OE_EVENTS_LOG,
    };
    return get_array(SQ(ps), q[which], key, out, ret_count);
}

static int sq_replay_claim(prova_store *ps, const char *key, int64_t now_us, int64_t expires_us) {
    sq_store *s = SQ(ps);
    int64_t until = 0;
    int rc = get_one(s, Q_REPLAY_GET, key, 0, NULL, &until);
    if (rc == 0 && until >= now_us) return PROVA_ECONFLICT;
    if (rc < 0 && rc != PROVA_ENOTFOUND) return rc;
    sqlite3_stmt *st;
    if ((rc = stmt(s, Q_REPLAY_PUT, &st)) < 0) return rc;
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, expires_us);
    int sr = sqlite3_step(st);
    rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_replay_purge(prova_store *ps, int64_t now_us, int64_t limit, int64_t *ret_deleted) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_REPLAY_PURGE, &st);
    if (rc < 0) return rc;
    sqlite3_bind_int64(st, 1, now_us);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1); /* LIMIT -1: no limit */
    int sr = sqlite3_step(st);
    rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    if (rc == 0 && ret_deleted) *ret_deleted = sqlite3_changes64(s->db);
    sqlite3_reset(st);
    return rc;
}

static int sq_oe_chain_put(prova_store *ps, const char *chain_id, const void *json, size_t len,
                           const store_chain_meta *m) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_OE_CHAIN_PUT, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, chain_id);
    int br = bind_blob_text(st, 2, json, len);
    bind_opt(st, 3, m->chain_type);
    bind_opt(st, 4, m->status);
    if (m->created_us) sqlite3_bind_int64(st, 5, m->created_us);
    sqlite3_bind_int64(st, 6, m->updated_us);
    if (m->events >= 0) sqlite3_bind_int64(st, 7, m->events);
    return step_done(s, st, br);
}

static int sq_oe_chain_get(prova_store *ps, const char *chain_id, prova_buf *out) {
    return get_one(SQ(ps), Q_OE_CHAIN_GET, chain_id, 0, out, NULL);
}

static int sq_oe_event_append(prova_store *ps, const char *chain_id, int64_t seq, const void *json, size_t len,
                              int64_t log_index) {
    return put(SQ(ps), Q_OE_EVENT_APPEND, chain_id, &seq, NULL, json, len, log_index, -1);
}

static int sq_oe_event_last(prova_store *ps, const char *chain_id, prova_buf *out, int64_t *ret_seq) {
    return get_one(SQ(ps), Q_OE_EVENT_LAST, chain_id, 1, out, ret_seq);
}

static int sq_oe_cert_put(prova_store *ps, const char *cert_id, const char *chain_id, const void *json, size_t len,
                          int64_t log_index, int64_t status_log_index, const store_cert_meta *m) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_OE_CERT_PUT, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, cert_id);
    bind_text(st, 2, chain_id);
    int br = bind_blob_text(st, 3, json, len);
    if (log_index >= 0) sqlite3_bind_int64(st, 4, log_index);
    if (status_log_index >= 0) sqlite3_bind_int64(st, 5, status_log_index);
    sqlite3_bind_int64(st, 6, m->issued_us);
    bind_opt(st, 7, m->status);
    bind_opt(st, 8, m->superseded_by);
    return step_done(s, st, br);
}

/* ---- Proof records -------------------------------------------------------------------------------------------- */

static int sq_proof_put(prova_store *ps, const char *id, const void *json, size_t len, int64_t stored_us,
                        int64_t log_index) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_PROOF_PUT, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, id);
    int br = bind_blob_text(st, 2, json, len);
    sqlite3_bind_int64(st, 3, stored_us);
    if (log_index >= 0) sqlite3_bind_int64(st, 4, log_index);
    return step_done(s, st, br);
}

static int sq_proof_get(prova_store *ps, const char *id, prova_buf *out, int64_t *ret_log_index) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_PROOF_GET, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, id);
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        *ret_log_index = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
        rc = take_text(st, 1, out);
    } else {
        rc = sr == SQLITE_DONE ? PROVA_ENOTFOUND : fail(s, sr);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_oe_cert_get(prova_store *ps, const char *cert_id, prova_buf *out) {
    return get_one(SQ(ps), Q_OE_CERT_GET, cert_id, 0, out, NULL);
}

static int sq_oe_cert_chain(prova_store *ps, const char *cert_id, prova_buf *out) {
    return get_one(SQ(ps), Q_OE_CERT_CHAIN, cert_id, 0, out, NULL);
}

static int sq_oe_cert_log(prova_store *ps, const char *cert_id, int64_t *ret_log_index, int64_t *ret_status_log_index) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_OE_CERT_LOG, &st);
    if (rc < 0) return rc;
    bind_text(st, 1, cert_id);
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        if (ret_log_index)
            *ret_log_index = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
        if (ret_status_log_index)
            *ret_status_log_index = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
        rc = 0;
    } else {
        rc = sr == SQLITE_DONE ? PROVA_ENOTFOUND : fail(s, sr);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* ---- The transparency log's entries -------------------------------------------------------------------------- */

static int sq_log_append(prova_store *ps, const void *entry, size_t len, int64_t now_us, int64_t *ret_index) {
    sq_store *s = SQ(ps);
    if (len > PROVA_STORE_LOG_ENTRY_MAX) return PROVA_ELIMIT;
    sqlite3_stmt *st;
    int rc = stmt(s, Q_LOG_APPEND, &st);
    if (rc < 0) return rc;
    sqlite3_bind_blob(st, 1, entry, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_us);
    int sr = sqlite3_step(st);
    int64_t idx = sr == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    if (sr == SQLITE_ROW) sr = sqlite3_step(st); /* RETURNING: the insert completes at SQLITE_DONE */
    rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == 0 && ret_index) *ret_index = idx;
    return rc;
}

static int sq_log_get(prova_store *ps, int64_t index, prova_buf *out) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_LOG_GET, &st);
    if (rc < 0) return rc;
    sqlite3_bind_int64(st, 1, index);
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        rc = !p && n ? PROVA_ENOMEM : prova_buf_append(out, p ? p : "", (size_t)n);
    } else {
        rc = sr == SQLITE_DONE ? PROVA_ENOTFOUND : fail(s, sr);
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_log_entries(prova_store *ps, int64_t from, int64_t to, prova_buf *out, size_t *ret_count) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_LOG_RANGE, &st);
    if (rc < 0) return rc;
    size_t mark = out->len, n = 0;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int sr;
    while (rc == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *p = sqlite3_column_blob(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        /* Rows are contiguous from 0 (every append takes max + 1): a missing index is a damaged store. */
        if (sqlite3_column_int64(st, 0) != from + (int64_t)n || len <= 0 || (unsigned)len > PROVA_STORE_LOG_ENTRY_MAX ||
            !p) {
            snprintf(s->base.msg, sizeof s->base.msg, "log entry %lld is missing or malformed",
                     (long long)(from + (int64_t)n));
            rc = PROVA_EIO;
            break;
        }
        uint8_t be[2] = {(uint8_t)(len >> 8), (uint8_t)len};
        rc = prova_buf_append(out, be, 2);
        if (rc == 0) rc = prova_buf_append(out, p, (size_t)len);
        n++;
    }
    if (rc == 0 && sr != SQLITE_DONE) rc = fail(s, sr);
    sqlite3_reset(st);
    if (rc < 0) {
        out->len = mark;
        return rc;
    }
    if (ret_count) *ret_count = n;
    return 0;
}

static int sq_log_size(prova_store *ps, int64_t *ret) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_LOG_SIZE, &st);
    if (rc < 0) return rc;
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) *ret = sqlite3_column_int64(st, 0);
    rc = sr == SQLITE_ROW ? 0 : fail(s, sr);
    sqlite3_reset(st);
    return rc;
}

static int sq_tile_put(prova_store *ps, int level, int64_t index, const void *data, size_t len) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_TILE_PUT, &st);
    if (rc < 0) return rc;
    sqlite3_bind_int(st, 1, level);
    sqlite3_bind_int64(st, 2, index);
    sqlite3_bind_blob(st, 3, data, (int)len, SQLITE_STATIC);
    int sr = sqlite3_step(st);
    rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_tile_get(prova_store *ps, int level, int64_t index, prova_buf *out) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_TILE_GET, &st);
    if (rc < 0) return rc;
    sqlite3_bind_int(st, 1, level);
    sqlite3_bind_int64(st, 2, index);
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        rc = !p || n <= 0 ? PROVA_EIO : prova_buf_append(out, p, (size_t)n);
        if (rc == PROVA_EIO)
            snprintf(s->base.msg, sizeof s->base.msg, "log tile %d/%lld is empty", level, (long long)index);
    } else {
        rc = sr == SQLITE_DONE ? PROVA_ENOTFOUND : fail(s, sr);
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_cp_put(prova_store *ps, int64_t size, const void *note, size_t len, int64_t time_us) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_CP_PUT, &st);
    if (rc < 0) return rc;
    sqlite3_bind_int64(st, 1, size);
    sqlite3_bind_blob(st, 2, note, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, time_us);
    int sr = sqlite3_step(st);
    rc = sr == SQLITE_DONE ? 0 : fail(s, sr);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_cp_latest(prova_store *ps, prova_buf *out, int64_t *ret_size) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_CP_LATEST, &st);
    if (rc < 0) return rc;
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        rc = !p || n <= 0 ? PROVA_EIO : prova_buf_append(out, p, (size_t)n);
        if (rc == 0 && ret_size) *ret_size = sqlite3_column_int64(st, 0);
    } else {
        rc = sr == SQLITE_DONE ? PROVA_ENOTFOUND : fail(s, sr);
    }
    sqlite3_reset(st);
    return rc;
}

static int64_t sq_bytes(const prova_store *ps);

static int count_of(sq_store *s, const char *sql, int64_t *ret) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return fail(s, rc);
    int sr = sqlite3_step(st);
    if (sr == SQLITE_ROW) *ret = sqlite3_column_int64(st, 0);
    rc = sr == SQLITE_ROW ? 0 : fail(s, sr);
    sqlite3_finalize(st);
    return rc;
}

static int sq_counts_get(prova_store *ps, prova_store_counts *c) {
    sq_store *s = SQ(ps);
    int rc = count_of(s, "SELECT count(*) FROM ope_receipts", &c->receipts);
    if (rc == 0) rc = count_of(s, "SELECT count(*) FROM ope_receipts WHERE hop = 0", &c->traces);
    if (rc == 0) rc = count_of(s, "SELECT count(*) FROM ope_replay", &c->replay_claims);
    if (rc == 0) rc = count_of(s, "SELECT count(*) FROM oe_chains", &c->chains);
    if (rc == 0) rc = count_of(s, "SELECT count(*) FROM oe_events", &c->events);
    if (rc == 0) rc = count_of(s, "SELECT count(*) FROM oe_certificates", &c->certificates);
    c->bytes = sq_bytes(ps);
    return rc;
}

static int64_t sq_bytes(const prova_store *ps) {
    const sq_store *s = CSQ(ps);
    int64_t total = 0;
    struct stat sb;
    char wal[4096];
    if (stat(s->path, &sb) == 0) total += sb.st_size;
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", s->path) < sizeof wal && stat(wal, &sb) == 0) total += sb.st_size;
    return total;
}

/* ---- Listing ------------------------------------------------------------------------------------------------ */

static int sq_list(prova_store *ps, store_list which, const char *after, size_t limit, prova_buf *out,
                   size_t *ret_count) {
    static const int q[] = {
        [STORE_LIST_TRACES] = Q_LIST_TRACES,
        [STORE_LIST_CHAINS] = Q_LIST_CHAINS,
        [STORE_LIST_CERTS] = Q_LIST_CERTS,
        [STORE_LIST_REPLAY] = Q_LIST_REPLAY,
    };
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, q[which], &st);
    if (rc < 0) return rc;
    bind_text(st, 1, after);
    sqlite3_bind_int64(st, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_arr(&w);
    size_t n = 0;
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        if (which == STORE_LIST_REPLAY) prova_jw_arr(&w);
        prova_jw_strn(&w, key ? key : "", (size_t)sqlite3_column_bytes(st, 0));
        if (which == STORE_LIST_REPLAY) {
            prova_jw_i64(&w, sqlite3_column_int64(st, 1));
            prova_jw_end(&w);
        }
        n++;
    }
    prova_jw_end(&w);
    rc = sr == SQLITE_DONE ? prova_jw_finish(&w) : fail(s, sr);
    if (rc < 0 && sr != SQLITE_DONE) prova_jw_finish(&w); /* back to where it started */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == 0 && ret_count) *ret_count = n;
    return rc;
}

/* ---- Browsing (schema 5) ---------------------------------------------------------------------------------------- */

/* The listings' statements. Parameters: ?1, ?2 the keyset position (a row-value comparison with the index's key, so
 * that a page deep in the listing is one descent of the index and limit steps), ?3, ?4 since and until, ?5..?8 the
 * filters, ?9 the limit. Filters that are not given are left out of the text (so each variant uses its index). */
#define TRACE_KIDS                                                                                                     \
    "(SELECT json_group_array(k) FROM (SELECT k FROM (SELECT sender_kid AS k, 2 * hop AS o FROM ope_receipts"          \
    " WHERE trace_id = t.trace_id UNION ALL SELECT gateway_kid, 2 * hop + 1 FROM ope_receipts"                         \
    " WHERE trace_id = t.trace_id) WHERE k IS NOT NULL GROUP BY k ORDER BY min(o)))"
#define TRACE_TYPES                                                                                                    \
    "(SELECT json_group_array(payload_type) FROM (SELECT payload_type FROM ope_receipts WHERE trace_id = t.trace_id"   \
    " AND payload_type IS NOT NULL GROUP BY payload_type ORDER BY min(hop)))"

/* A column's kind in the page's items: S text, I integer, J JSON text (embedded), B bytes as a JSON string. */
typedef struct browse_shape {
    const char *select; /* up to WHERE's conditions */
    const char *order;  /* ORDER BY ... LIMIT ?9 */
    const char *names[8];
    const char *kinds;
} browse_shape;

static const browse_shape shapes[] = {
    [STORE_BROWSE_TRACES] = {"SELECT trace_id, hops, first_us, last_us, last_hash, " TRACE_KIDS ", " TRACE_TYPES
                             " FROM ope_traces t WHERE (last_us, trace_id) < (?1, ?2) AND last_us >= ?3"
                             " AND last_us < ?4",
                             " ORDER BY last_us DESC, trace_id DESC LIMIT ?9",
                             {"trace_id", "hops", "first_us", "last_us", "last_receipt_hash", "kids", "payload_types"},
                             "SIIISJJ"},
    [STORE_BROWSE_CHAINS] = {"SELECT id, chain_type, status, events, created_us, updated_us, (SELECT c.id FROM"
                             " oe_certificates c WHERE c.chain_id = h.id ORDER BY c.issued_us DESC, c.id DESC LIMIT 1)"
                             " FROM oe_chains h WHERE (updated_us, id) < (?1, ?2) AND updated_us >= ?3"
                             " AND updated_us < ?4",
                             " ORDER BY h.updated_us DESC, h.id DESC LIMIT ?9",
                             {"chain_id", "chain_type", "status", "events", "created_us", "updated_us",
                              "certificate_id"},
                             "SSSIIIS"},
    [STORE_BROWSE_CERTS] = {"SELECT id, chain_id, status, issued_us, superseded_by, log_index FROM oe_certificates"
                            " WHERE (issued_us, id) < (?1, ?2) AND issued_us >= ?3 AND issued_us < ?4",
                            " ORDER BY issued_us DESC, id DESC LIMIT ?9",
                            {"certificate_id", "chain_id", "status", "issued_us", "superseded_by", "log_index"},
                            "SSSISI"},
    [STORE_BROWSE_PROOFS] = {"SELECT id, stored_us, log_index FROM proofs WHERE (stored_us, id) < (?1, ?2)"
                             " AND stored_us >= ?3 AND stored_us < ?4",
                             " ORDER BY stored_us DESC, id DESC LIMIT ?9",
                             {"proof_id", "stored_us", "log_index"},
                             "SII"},
    [STORE_BROWSE_LOG] = {"SELECT idx, sequenced_us, entry FROM log_entries WHERE idx >= ?1 AND sequenced_us >= ?3"
                          " AND sequenced_us < ?4",
                          " ORDER BY idx LIMIT ?9",
                          {"index", "sequenced_us", "entry"},
                          "IIB"},
    [STORE_BROWSE_CHECKPOINTS] = {"SELECT id, size, time_us, note FROM log_checkpoints WHERE id < ?1"
                                  " AND time_us >= ?3 AND time_us < ?4",
                                  " ORDER BY id DESC LIMIT ?9",
                                  {"id", "size", "time_us", "note"},
                                  "IIIB"},
};

static int sq_browse(prova_store *ps, const store_browse *q, prova_buf *out, size_t *ret_count) {
    sq_store *s = SQ(ps);
    const browse_shape *sh = &shapes[q->kind];
    char sql[1536];
    size_t n = (size_t)snprintf(sql, sizeof sql, "%s", sh->select);
    if (q->kind == STORE_BROWSE_TRACES && q->kid)
        n += (size_t)snprintf(sql + n, sizeof sql - n,
                              " AND EXISTS (SELECT 1 FROM ope_receipts r WHERE r.trace_id = t.trace_id"
                              " AND (r.sender_kid = ?5 OR r.gateway_kid = ?5))");
    if (q->kind == STORE_BROWSE_TRACES && q->payload_type)
        n += (size_t)snprintf(sql + n, sizeof sql - n,
                              " AND EXISTS (SELECT 1 FROM ope_receipts r WHERE r.trace_id = t.trace_id"
                              " AND r.payload_type = ?6)");
    if ((q->kind == STORE_BROWSE_CHAINS || q->kind == STORE_BROWSE_CERTS) && q->status)
        n += (size_t)snprintf(sql + n, sizeof sql - n, " AND status = ?7");
    if (q->kind == STORE_BROWSE_CERTS && q->chain_id)
        n += (size_t)snprintf(sql + n, sizeof sql - n, " AND chain_id = ?8");
    n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", sh->order);
    if (n >= sizeof sql) return PROVA_EINVAL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return fail(s, rc);
    sqlite3_bind_int64(st, 1, q->before_us);
    bind_text(st, 2, q->before_id);
    sqlite3_bind_int64(st, 3, q->since_us);
    sqlite3_bind_int64(st, 4, q->until_us);
    if (q->kid) bind_text(st, 5, q->kid);
    if (q->payload_type) bind_text(st, 6, q->payload_type);
    if (q->status) bind_text(st, 7, q->status);
    if (q->chain_id) bind_text(st, 8, q->chain_id);
    sqlite3_bind_int64(st, 9, (int64_t)q->limit);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_arr(&w);
    size_t count = 0;
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        prova_jw_obj(&w);
        for (int i = 0; sh->kinds[i]; i++) {
            prova_jw_key(&w, sh->names[i]);
            int type = sqlite3_column_type(st, i);
            const char *t = type == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, i);
            size_t tl = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
            if (type == SQLITE_NULL)
                prova_jw_null(&w);
            else if (sh->kinds[i] == 'I')
                prova_jw_i64(&w, sqlite3_column_int64(st, i));
            else if (sh->kinds[i] == 'J')
                prova_jw_raw(&w, t ? t : "[]", t ? tl : 2);
            else if (sh->kinds[i] == 'B')
                prova_jw_strn(&w, (const char *)sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i));
            else
                prova_jw_strn(&w, t ? t : "", tl);
        }
        prova_jw_end(&w);
        count++;
    }
    prova_jw_end(&w);
    rc = sr == SQLITE_DONE ? prova_jw_finish(&w) : fail(s, sr);
    if (rc < 0 && sr != SQLITE_DONE) prova_jw_finish(&w); /* back to where it started */
    sqlite3_finalize(st);
    if (rc == 0) *ret_count = count;
    return rc;
}

static int sq_cp_list(prova_store *ps, int64_t from, size_t limit, prova_buf *out, size_t *ret_count) {
    sq_store *s = SQ(ps);
    sqlite3_stmt *st;
    int rc = stmt(s, Q_CP_LIST, &st);
    if (rc < 0) return rc;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_arr(&w);
    size_t n = 0;
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        prova_jw_obj(&w);
        prova_jw_ki64(&w, "size", sqlite3_column_int64(st, 0));
        prova_jw_ki64(&w, "time_us", sqlite3_column_int64(st, 1));
        prova_jw_key(&w, "note");
        const char *note = sqlite3_column_blob(st, 2);
        prova_jw_strn(&w, note ? note : "", (size_t)sqlite3_column_bytes(st, 2));
        prova_jw_end(&w);
        n++;
    }
    prova_jw_end(&w);
    rc = sr == SQLITE_DONE ? prova_jw_finish(&w) : fail(s, sr);
    if (rc < 0 && sr != SQLITE_DONE) prova_jw_finish(&w);
    sqlite3_reset(st);
    if (rc == 0 && ret_count) *ret_count = n;
    return rc;
}

/* One gateway per file: its connection always integrates. */
static int sq_log_lead(prova_store *ps, bool *ret_leading) {
    (void)ps;
    *ret_leading = true;
    return 0;
}

static const store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .tx = sq_tx,
    .ope_last = sq_ope_last,
    .ope_append = sq_ope_append,
    .rows = sq_rows,
    .replay_claim = sq_replay_claim,
    .replay_purge = sq_replay_purge,
    .oe_chain_put = sq_oe_chain_put,
    .oe_chain_get = sq_oe_chain_get,
    .oe_event_append = sq_oe_event_append,
    .oe_event_last = sq_oe_event_last,
    .oe_cert_put = sq_oe_cert_put,
    .oe_cert_get = sq_oe_cert_get,
    .oe_cert_log = sq_oe_cert_log,
    .oe_cert_chain = sq_oe_cert_chain,
    .log_append = sq_log_append,
    .log_get = sq_log_get,
    .log_entries = sq_log_entries,
    .log_size = sq_log_size,
    .tile_put = sq_tile_put,
    .tile_get = sq_tile_get,
    .cp_put = sq_cp_put,
    .cp_latest = sq_cp_latest,
    .cp_list = sq_cp_list,
    .log_lead = sq_log_lead,
    .proof_put = sq_proof_put,
    .proof_get = sq_proof_get,
    .browse = sq_browse,
    .list = sq_list,
    .schema_status = sq_schema_status,
    .migrate = sq_migrate,
    .counts_get = sq_counts_get,
    .bytes = sq_bytes,
};
