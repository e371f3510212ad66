/* The store on PostgreSQL (libpq), for any number of gateway processes sharing one database (docs/postgresql.md).
 *
 * One prova_store is one libpq connection. Statements are prepared once per connection (on first use) and run with
 * binary parameters and results: JSON records travel as the exact bytes of a text value (UTF-8 on both sides, the
 * encoding is checked at open), log entries, tiles and notes as bytea, numbers as 8-byte big-endian integers.
 *
 * Writers are serialized across every gateway by a transaction-scoped advisory lock taken with BEGIN (the write
 * lock), which is what makes "the log's next index is max(idx) + 1" and "a trace's next hop" correct across
 * processes, as SQLite's BEGIN IMMEDIATE does for one. Inserts that may hit a taken key say so with ON CONFLICT ...
 * DO NOTHING RETURNING (no row: PROVA_ECONFLICT) instead of raising a unique violation, because an error aborts a
 * PostgreSQL transaction where SQLite's keeps going.
 *
 * A lost connection (server restarted, backend killed) fails the call with PROVA_EIO; the next call outside a
 * transaction reconnects with PQreset, at most once per backoff delay (100 ms doubling to 5 s). */
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "jsonw.h"
#include "store_internal.h"

/* Advisory lock keys (one bigint each: "prova" in ASCII, then 1, 2, 3 = 0x70726f76610000NN): fixed, so that every
 * gateway agrees on them. In decimal, for the SQL texts. */
#define LOCK_WRITE     "8102661233817157633" /* one write transaction at a time (xact lock) */
#define LOCK_INTEGRATE "8102661233817157634" /* the log's integrator (session lock) */
#define LOCK_MIGRATE   "8102661233817157635" /* one migration at a time (xact lock) */

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

/* ---- The schema's migrations ------------------------------------------------------------------------------- */

/* PostgreSQL has no history to upgrade: version 1 is the whole schema of SQLite's version 4. A later change is a
 * new entry {2, "...", "ALTER TABLE ..."}, applied once by the first writer that opens the database. Keys are
 * COLLATE "C" so that listing order and "after" are byte order whatever the database's collation; records are text
 * (never jsonb, which would re-serialize them). */
static const store_migration migrations[] = {
    {1, "OPE receipts, replay claims, OpenExecution chains, events, certificates and the transparency log"},
    {2, "listings: receipts' times and kids, trace summaries, chain and certificate columns, proof records"},
};

static const char *const migration_sql[] = {
    "CREATE TABLE ope_receipts(trace_id text COLLATE \"C\" NOT NULL, hop bigint NOT NULL,"
    " receipt_hash text NOT NULL, receipt text NOT NULL, log_index bigint, PRIMARY KEY(trace_id, hop));"
    "CREATE TABLE ope_replay(key text COLLATE \"C\" PRIMARY KEY, expires_us bigint NOT NULL);"
    "CREATE INDEX ope_replay_expiry ON ope_replay(expires_us);"
    "CREATE TABLE oe_chains(id text COLLATE \"C\" PRIMARY KEY, record text NOT NULL);"
    "CREATE TABLE oe_events(chain_id text COLLATE \"C\" NOT NULL, seq bigint NOT NULL, event text NOT NULL,"
    " log_index bigint, PRIMARY KEY(chain_id, seq));"
    "CREATE TABLE oe_certificates(id text COLLATE \"C\" PRIMARY KEY, chain_id text COLLATE \"C\" NOT NULL,"
    " bundle text NOT NULL, log_index bigint, status_log_index bigint);"
    "CREATE TABLE log_entries(idx bigint PRIMARY KEY, entry bytea NOT NULL, sequenced_us bigint NOT NULL);"
    "CREATE TABLE log_tiles(level integer NOT NULL, idx bigint NOT NULL, data bytea NOT NULL,"
    " PRIMARY KEY(level, idx));"
    "CREATE TABLE log_checkpoints(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, size bigint NOT NULL,"
    " note bytea NOT NULL, time_us bigint NOT NULL);",
    /* 2 (SQLite's 5, docs/browse.md): the listings' columns, the traces' summaries and the proof records; the rows
     * stored before get their times (and the chains' and certificates' columns) from their JSON, through two
     * functions of this session that answer NULL for what does not parse instead of aborting the migration. */
    "ALTER TABLE ope_receipts ADD COLUMN ts_us bigint, ADD COLUMN gateway_kid text, ADD COLUMN sender_kid text,"
    " ADD COLUMN payload_type text;"
    "CREATE TABLE ope_traces(trace_id text COLLATE \"C\" PRIMARY KEY, hops bigint NOT NULL, first_us bigint NOT NULL,"
    " last_us bigint NOT NULL, last_hash text NOT NULL);"
    "CREATE INDEX ope_traces_recent ON ope_traces(last_us, trace_id);"
    "ALTER TABLE oe_chains ADD COLUMN chain_type text, ADD COLUMN status text, ADD COLUMN created_us bigint,"
    " ADD COLUMN updated_us bigint NOT NULL DEFAULT 0, ADD COLUMN events bigint;"
    "CREATE INDEX oe_chains_recent ON oe_chains(updated_us, id);"
    "CREATE INDEX oe_chains_status ON oe_chains(status, updated_us, id);"
    "ALTER TABLE oe_certificates ADD COLUMN issued_us bigint NOT NULL DEFAULT 0, ADD COLUMN status text,"
    " ADD COLUMN superseded_by text;"
    "CREATE INDEX oe_certificates_recent ON oe_certificates(issued_us, id);"
    "CREATE INDEX oe_certificates_status ON oe_certificates(status, issued_us, id);"
    "CREATE INDEX oe_certificates_chain ON oe_certificates(chain_id, issued_us, id);"
    "CREATE TABLE proofs(id text COLLATE \"C\" PRIMARY KEY, record text NOT NULL, stored_us bigint NOT NULL,"
    " log_index bigint);"
    "CREATE INDEX proofs_recent ON proofs(stored_us, id);"
    "CREATE OR REPLACE FUNCTION pg_temp.prova_j(t text) RETURNS jsonb LANGUAGE plpgsql AS"
    " $$BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END$$;"
    "CREATE OR REPLACE FUNCTION pg_temp.prova_us(t text) RETURNS bigint LANGUAGE plpgsql AS"
    " $$BEGIN RETURN (extract(epoch FROM t::timestamptz) * 1000000)::bigint;"
    " EXCEPTION WHEN others THEN RETURN NULL; END$$;"
    "UPDATE ope_receipts SET ts_us = coalesce(pg_temp.prova_us(pg_temp.prova_j(receipt) ->> 'ts'), 0);"
    "INSERT INTO ope_traces(trace_id, hops, first_us, last_us, last_hash)"
    " SELECT DISTINCT ON (r.trace_id) r.trace_id, r.hop + 1,"
    " coalesce((SELECT f.ts_us FROM ope_receipts f WHERE f.trace_id = r.trace_id ORDER BY f.hop LIMIT 1), 0),"
    " coalesce(r.ts_us, 0), r.receipt_hash FROM ope_receipts r ORDER BY r.trace_id, r.hop DESC;"
    "UPDATE oe_chains h SET chain_type = j ->> 'chain_type', status = j ->> 'status',"
    " created_us = pg_temp.prova_us(j ->> 'created_at'), updated_us = coalesce(pg_temp.prova_us(j ->> 'updated_at'), "
    "0),"
    " events = CASE WHEN jsonb_typeof(j -> 'event_count') = 'number' THEN (j ->> 'event_count')::numeric::bigint END"
    " FROM (SELECT id, pg_temp.prova_j(record) AS j FROM oe_chains) x WHERE x.id = h.id AND j IS NOT NULL;"
    "UPDATE oe_certificates c SET issued_us = coalesce(pg_temp.prova_us(j #>> '{certificate,issued_at}'), 0),"
    " status = coalesce(j #>> '{status,status}', 'active'), superseded_by = j #>> '{status,superseded_by}'"
    " FROM (SELECT id, pg_temp.prova_j(bundle) AS j FROM oe_certificates) x WHERE x.id = c.id AND j IS NOT NULL;",
};

#define NMIGRATIONS (sizeof migrations / sizeof migrations[0])
_Static_assert(sizeof migration_sql / sizeof migration_sql[0] == NMIGRATIONS, "one SQL text per migration");
#define SCHEMA_LATEST 2

/* ---- Statements ---------------------------------------------------------------------------------------------- */

enum {
    Q_OPE_LAST,
    Q_OPE_APPEND,
    Q_OPE_CHAIN,
    Q_OPE_CHAIN_LOG,
    Q_REPLAY_CLAIM,
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
    Q_LOG_INSERT,
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
    Q_LEAD,
    Q_PROOF_PUT,
    Q_PROOF_GET,
    Q_COUNT
};

/* Parameters are typed in the text ($n::type): they are sent in binary, and the server must not guess. */
static const char *const sql_text[Q_COUNT] = {
    [Q_OPE_LAST] = "SELECT hop, receipt FROM ope_receipts WHERE trace_id = $1::text ORDER BY hop DESC LIMIT 1",
    /* The receipt and, when it was inserted, its trace's summary (which follows the last hop), in one statement. */
    [Q_OPE_APPEND] =
        ("WITH r AS (INSERT INTO ope_receipts(trace_id, hop, receipt_hash, receipt, log_index, ts_us,"
         " gateway_kid, sender_kid, payload_type) VALUES ($1::text, $2::int8, $3::text, $4::text, $5::int8,"
         " $6::int8, $7::text, $8::text, $9::text) ON CONFLICT DO NOTHING RETURNING 1),"
         " t AS (INSERT INTO ope_traces(trace_id, hops, first_us, last_us, last_hash)"
         " SELECT $1::text, $2::int8 + 1, $6::int8, $6::int8, $3::text FROM r"
         " ON CONFLICT (trace_id) DO UPDATE SET hops = EXCLUDED.hops, last_us = EXCLUDED.last_us,"
         " last_hash = EXCLUDED.last_hash WHERE EXCLUDED.hops > ope_traces.hops)"
         " SELECT 1 FROM r"),
    [Q_OPE_CHAIN] = "SELECT receipt FROM ope_receipts WHERE trace_id = $1::text ORDER BY hop",
    [Q_OPE_CHAIN_LOG] = "SELECT log_index FROM ope_receipts WHERE trace_id = $1::text ORDER BY hop",
    /* One statement: a new key is inserted, an expired claim taken over, an unexpired one left alone (no row). */
    [Q_REPLAY_CLAIM] = ("INSERT INTO ope_replay(key, expires_us) VALUES ($1::text, $2::int8)"
                        " ON CONFLICT (key) DO UPDATE SET expires_us = EXCLUDED.expires_us"
                        " WHERE ope_replay.expires_us < $3::int8 RETURNING 1"),
    /* LIMIT NULL is no limit */
    [Q_REPLAY_PURGE] = ("DELETE FROM ope_replay WHERE key IN (SELECT key FROM ope_replay WHERE expires_us < $1::int8"
                        " ORDER BY expires_us LIMIT $2::int8)"),
    [Q_OE_CHAIN_PUT] = ("INSERT INTO oe_chains(id, record, chain_type, status, created_us, updated_us, events)"
                        " VALUES ($1::text, $2::text, $3::text, $4::text, $5::int8, $6::int8, $7::int8)"
                        " ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, chain_type = EXCLUDED.chain_type,"
                        " status = EXCLUDED.status, created_us = EXCLUDED.created_us,"
                        " updated_us = EXCLUDED.updated_us, events = EXCLUDED.events"),
    [Q_OE_CHAIN_GET] = "SELECT record FROM oe_chains WHERE id = $1::text",
    [Q_OE_EVENT_APPEND] = ("INSERT INTO oe_events(chain_id, seq, event, log_index)"
                           " VALUES ($1::text, $2::int8, $3::text, $4::int8) ON CONFLICT DO NOTHING RETURNING 1"),
    [Q_OE_EVENT_LAST] = "SELECT seq, event FROM oe_events WHERE chain_id = $1::text ORDER BY seq DESC LIMIT 1",
    [Q_OE_EVENTS] = "SELECT event FROM oe_events WHERE chain_id = $1::text ORDER BY seq",
    [Q_OE_EVENTS_LOG] = "SELECT log_index FROM oe_events WHERE chain_id = $1::text ORDER BY seq",
    [Q_OE_CERT_PUT] =
        ("INSERT INTO oe_certificates(id, chain_id, bundle, log_index, status_log_index, issued_us, status,"
         " superseded_by) VALUES ($1::text, $2::text, $3::text, $4::int8, $5::int8, $6::int8, $7::text,"
         " $8::text) ON CONFLICT (id) DO UPDATE SET"
         " chain_id = EXCLUDED.chain_id, bundle = EXCLUDED.bundle, log_index = EXCLUDED.log_index,"
         " status_log_index = EXCLUDED.status_log_index, issued_us = EXCLUDED.issued_us,"
         " status = EXCLUDED.status, superseded_by = EXCLUDED.superseded_by"),
    [Q_OE_CERT_GET] = "SELECT bundle FROM oe_certificates WHERE id = $1::text",
    [Q_OE_CERT_LOG] = "SELECT log_index, status_log_index FROM oe_certificates WHERE id = $1::text",
    [Q_OE_CERT_CHAIN] = "SELECT chain_id FROM oe_certificates WHERE id = $1::text",
    /* Outside a write transaction (autocommit): the next index is derived by the statement itself. A rolled-back
     * savepoint or a failed commit takes its rows with it and the next append reuses their indexes. max(idx) is
     * one descent of the primary key. */
    [Q_LOG_APPEND] = ("INSERT INTO log_entries(idx, entry, sequenced_us)"
                      " SELECT coalesce(max(idx) + 1, 0), $1::bytea, $2::int8 FROM log_entries RETURNING idx"),
    /* Inside one: the index the store counted under the write lock (pg_log_append), queued. */
    [Q_LOG_INSERT] = "INSERT INTO log_entries(idx, entry, sequenced_us) VALUES ($1::int8, $2::bytea, $3::int8)",
    [Q_LOG_GET] = "SELECT entry FROM log_entries WHERE idx = $1::int8",
    [Q_LOG_RANGE] = "SELECT idx, entry FROM log_entries WHERE idx >= $1::int8 AND idx < $2::int8 ORDER BY idx",
    [Q_LOG_SIZE] = "SELECT coalesce(max(idx) + 1, 0) FROM log_entries",
    [Q_TILE_PUT] = ("INSERT INTO log_tiles(level, idx, data) VALUES ($1::int8, $2::int8, $3::bytea)"
                    " ON CONFLICT (level, idx) DO UPDATE SET data = EXCLUDED.data"),
    [Q_TILE_GET] = "SELECT data FROM log_tiles WHERE level = $1::int8 AND idx = $2::int8",
    [Q_CP_PUT] = "INSERT INTO log_checkpoints(size, note, time_us) VALUES ($1::int8, $2::bytea, $3::int8)",
    [Q_CP_LATEST] = "SELECT size, note FROM log_checkpoints ORDER BY id DESC LIMIT 1",
    [Q_CP_LIST] = "SELECT size, time_us, note FROM log_checkpoints ORDER BY id LIMIT $2::int8 OFFSET $1::int8",
    [Q_LIST_TRACES] = ("SELECT DISTINCT trace_id FROM ope_receipts WHERE trace_id > $1::text ORDER BY trace_id"
                       " LIMIT $2::int8"),
    [Q_LIST_CHAINS] = "SELECT id FROM oe_chains WHERE id > $1::text ORDER BY id LIMIT $2::int8",
    [Q_LIST_CERTS] = "SELECT id FROM oe_certificates WHERE id > $1::text ORDER BY id LIMIT $2::int8",
    [Q_LIST_REPLAY] = "SELECT key, expires_us FROM ope_replay WHERE key > $1::text ORDER BY key LIMIT $2::int8",
    [Q_LEAD] = "SELECT pg_try_advisory_lock(" LOCK_INTEGRATE ")",
    [Q_PROOF_PUT] =
        ("INSERT INTO proofs(id, record, stored_us, log_index) VALUES ($1::text, $2::text, $3::int8, $4::int8)"
         " ON CONFLICT DO NOTHING RETURNING 1"),
    [Q_PROOF_GET] = "SELECT log_index, record FROM proofs WHERE id = $1::text",
};

/* ---- The connection ------------------------------------------------------------------------------------------- */

/* A statement queued on the client, sent with the next one in the same round trip (pipeline mode): a savepoint's
 * SAVEPOINT or RELEASE, or a log entry's INSERT (the entry's bytes in pg_store.qbytes, the store's copy). */
enum { P_SAVEPOINT, P_RELEASE, P_LOG };
static const char *const pending_sql[] = {[P_SAVEPOINT] = "SAVEPOINT req", [P_RELEASE] = "RELEASE SAVEPOINT req"};

typedef struct pg_item {
    int kind;            /* P_* */
    int64_t idx, now_us; /* P_LOG: the entry's index and sequencing time */
    size_t off, len;     /* P_LOG: its bytes in qbytes */
} pg_item;

/* The queue is sent on its own when it grows past these (a long run of appends without another statement). */
#define QUEUE_MAX_ITEMS 64
#define QUEUE_MAX_BYTES ((size_t)256 * 1024)

typedef struct pg_store {
    prova_store base; /* first: a prova_store * is a pg_store * */
    PGconn *conn;
    bool readonly;
    bool tx_open; /* a transaction (write or read) was begun and not yet ended by us */
    bool writing; /* that transaction is prova_store_begin's: the write lock is held, log appends are queued */
    bool doomed;  /* queued statements could not be sent: the transaction must not commit */
    bool leading; /* this session holds LOCK_INTEGRATE */
    bool prepared[Q_COUNT];
    /* Statements not sent yet (pg_item), in order: they go with the next statement, in the same round trip. A
     * savepoint and its release cost no round trip of their own, nor does a log append inside a write
     * transaction. */
    pg_item *queue;
    size_t nqueue, capqueue;
    prova_buf qbytes; /* their entries' bytes */
    /* The log's next index inside a write transaction (-1: not known, read at the next append): under the write
     * lock nobody else appends, so it is read once (with BEGIN) and counted on. */
    int64_t next;
    int64_t sp_next;       /* next when the innermost savepoint was set (-1: not known); rollback_to restores it */
    bool sp_open;          /* that savepoint was set and has not ended since */
    int version;           /* the schema's version when opened or migrated */
    int backoff_ms;        /* the delay before the next reconnection attempt after this one fails */
    int64_t next_try_us;   /* monotonic: no reconnection attempt before */
    char lost[160];        /* libpq's message when the connection was lost or the last attempt failed */
    _Atomic int64_t bytes; /* pg_database_size at the last counts_get (read from any thread) */
} pg_store;

#define PG(p) ((pg_store *)(void *)(p))

/* Forgets the queue (sent, or undone with its transaction). */
static void queue_clear(pg_store *s) {
    s->nqueue = 0;
    s->qbytes.len = 0;
}

/* Forgets the items from position k on (undone before they were sent). */
static void queue_truncate(pg_store *s, size_t k) {
    for (size_t i = k; i < s->nqueue; i++) {
        if (s->queue[i].kind == P_LOG) { /* entries are stored in queue order: the first one's offset */
            s->qbytes.len = s->queue[i].off;
            break;
        }
    }
    if (k < s->nqueue) s->nqueue = k;
}

/* The write transaction's log state, forgotten when it ends (the next one reads the index again: another gateway
 * may have appended meanwhile). */
static void log_state_reset(pg_store *s) {
    s->next = -1;
    s->sp_next = -1;
    s->sp_open = false;
}

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* libpq's messages end with a newline and may span lines: one line, for logs. */
static void one_line(char *dst, size_t cap, const char *src) {
    size_t n = 0;
    for (; src && *src && n + 1 < cap; src++) dst[n++] = (*src == '\n' || *src == '\r') ? ' ' : *src;
    while (n && dst[n - 1] == ' ') n--;
    dst[n] = 0;
}

/* The library never prints: notices (e.g. "relation already exists, skipping") are dropped. */
static void quiet(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* Session settings, applied after every (re)connection in one round trip. */
static int session_setup(pg_store *s) {
    const char *sql = s->readonly ? "SET synchronous_commit = on; SET application_name = 'prova';"
                                    " SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s';"
                                    " SET client_encoding = 'UTF8';"
                                    " SET default_transaction_read_only = on"
                                  : "SET synchronous_commit = on; SET application_name = 'prova';"
                                    " SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s';"
                                    " SET client_encoding = 'UTF8'";
    PGresult *r = PQexec(s->conn, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) one_line(s->lost, sizeof s->lost, r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
    PQclear(r);
    if (!ok) return PROVA_EIO;
    /* Records are the bytes that were signed: the server must store UTF-8 as it is, not convert it. */
    const char *enc = PQparameterStatus(s->conn, "server_encoding");
    if (!enc || strcmp(enc, "UTF8") != 0) {
        snprintf(s->lost, sizeof s->lost, "the database's encoding is %s, not UTF8", enc ? enc : "unknown");
        return PROVA_EUNSUPPORTED;
    }
    memset(s->prepared, 0, sizeof s->prepared);
    queue_clear(s);
    return 0;
}

/* Is the connection still there? A server that went away closed the socket: a readable socket with nothing
 * pending is its end of file, which PQconsumeInput turns into CONNECTION_BAD. One poll() without waiting. */
static bool healthy(pg_store *s) {
    if (PQstatus(s->conn) != CONNECTION_OK) return false;
    struct pollfd p = {.fd = PQsocket(s->conn), .events = POLLIN};
    if (p.fd < 0) return false;
    /* A server that shut down may first send its reason (an error), then close: read until nothing is pending. */
    for (int i = 0; i < 4 && poll(&p, 1, 0) > 0; i++)
        if (!PQconsumeInput(s->conn) || PQstatus(s->conn) != CONNECTION_OK) return false;
    return PQstatus(s->conn) == CONNECTION_OK;
}

/* Before every call: the connection is usable, or the call fails fast. Inside a transaction a lost connection
 * fails every call until the caller rolls back; outside one, the connection is reset (once per backoff delay). */
static int ready(pg_store *s) {
    if (PQstatus(s->conn) == CONNECTION_OK && (s->tx_open || healthy(s))) return 0;
    if (s->lost[0] == 0) one_line(s->lost, sizeof s->lost, PQerrorMessage(s->conn));
    s->leading = false; /* the server released the session's locks with it */
    if (s->tx_open) {
        prova__store_msg(&s->base, "the connection to PostgreSQL was lost in the transaction: %s", s->lost);
        return PROVA_EIO;
    }
    int64_t now = mono_us();
    if (now < s->next_try_us) {
        prova__store_msg(&s->base, "PostgreSQL is unreachable (next attempt in %" PRId64 " ms): %s",
                         (s->next_try_us - now + 999) / 1000, s->lost);
        return PROVA_EIO;
    }
    PQreset(s->conn);
    int rc = PQstatus(s->conn) == CONNECTION_OK ? session_setup(s) : PROVA_EIO;
    if (rc == 0) {
        s->backoff_ms = BACKOFF_MIN_MS;
        s->next_try_us = 0;
        s->lost[0] = 0;
        return 0;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) one_line(s->lost, sizeof s->lost, PQerrorMessage(s->conn));
    s->next_try_us = mono_us() + (int64_t)s->backoff_ms * 1000;
    prova__store_msg(&s->base, "PostgreSQL is unreachable (next attempt in %d ms): %s", s->backoff_ms, s->lost);
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
    return PROVA_EIO;
}

/* The status of a failed result (r may be NULL), its message in s->msg. A unique violation is a conflict. */
static int fail_result(pg_store *s, const PGresult *r) {
    if (PQstatus(s->conn) != CONNECTION_OK) {
        one_line(s->lost, sizeof s->lost, PQerrorMessage(s->conn));
        s->leading = false;
        prova__store_msg(&s->base, "the connection to PostgreSQL was lost: %s", s->lost);
        return PROVA_EIO;
    }
    if (!r) {
        char m[200];
        one_line(m, sizeof m, PQerrorMessage(s->conn));
        prova__store_msg(&s->base, "PostgreSQL: %s", m[0] ? m : "out of memory");
        return m[0] ? PROVA_EIO : PROVA_ENOMEM;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    char m[200];
    one_line(m, sizeof m, primary ? primary : PQresultErrorMessage(r));
    prova__store_msg(&s->base, "PostgreSQL: %s%s%s%s", m, state ? " (SQLSTATE " : "", state ? state : "",
                     state ? ")" : "");
    if (state && strcmp(state, "23505") == 0) return PROVA_ECONFLICT;
    return PROVA_EIO;
}

/* Up to 10 parameters, all in binary: text as its bytes, bytea as its bytes, int8 as 8 big-endian bytes. */
typedef struct pg_params {
    int n;
    const char *v[10];
    int len[10];
    int fmt[10];
    char num[10][8];
} pg_params;

static void p_bytes(pg_params *p, const void *data, size_t len) {
    p->v[p->n] = data ? (const char *)data : "";
    p->len[p->n] = (int)len; /* callers bound len (p_fits) */
    p->fmt[p->n++] = 1;
}

static void p_text(pg_params *p, const char *t) {
    p_bytes(p, t, strlen(t));
}

/* NULL (for NULL or "") */
static void p_null(pg_params *p) {
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 1;
}

static void p_opt(pg_params *p, const char *t) {
    if (t && *t)
        p_text(p, t);
    else
        p_null(p);
}

static void p_i64(pg_params *p, int64_t x) {
    uint64_t u = (uint64_t)x;
    for (int i = 7; i >= 0; i--, u >>= 8) p->num[p->n][i] = (char)(u & 0xff);
    p->v[p->n] = p->num[p->n];
    p->len[p->n] = 8;
    p->fmt[p->n++] = 1;
}

/* A log index: NULL when negative (a record without one). */
static void p_index(pg_params *p, int64_t x) {
    if (x >= 0) {
        p_i64(p, x);
        return;
    }
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 1;
}

/* PostgreSQL's largest field is 1 GB; libpq's lengths are ints. */
static bool p_fits(size_t len) {
    return len < (size_t)1 << 30;
}

static void stmt_name(char name[8], int q) {
    snprintf(name, 8, "q%d", q);
}

/* Prepares statement q on this connection the first time it is used. */
static int prepare(pg_store *s, int q) {
    if (s->prepared[q]) return 0;
    char name[8];
    stmt_name(name, q);
    PGresult *r = PQprepare(s->conn, name, sql_text[q], 0, NULL);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail_result(s, r);
    PQclear(r);
    if (rc == 0) s->prepared[q] = true;
    return rc;
}

/* A statement sent after the queue: a text without parameters, or a prepared statement and its parameters. */
typedef struct pg_stmt {
    const char *sql;
    const char *name;
    const pg_params *p;
} pg_stmt;

/* The queue, then the statements of tail, in one round trip (libpq's pipeline mode). The first failure is the
 * call's (the statements after a failed one are not run); a queued log insert that fails is PROVA_EIO whatever its
 * SQLSTATE (it is not the caller's key that was taken) and makes the log's next index unknown. *ret (optional):
 * the last statement's result when everything succeeded; the caller PQclears it. The queue is empty afterwards. */
static int pipeline(pg_store *s, const pg_stmt *tail, int ntail, PGresult **ret) {
    if (ret) *ret = NULL;
    size_t nq = s->nqueue, total = nq + (size_t)ntail;
    int rc = 0;
    if (!PQenterPipelineMode(s->conn)) {
        queue_clear(s);
        s->doomed = s->tx_open;
        return fail_result(s, NULL);
    }
    char logname[8];
    stmt_name(logname, Q_LOG_INSERT);
    bool sent = true;
    for (size_t i = 0; sent && i < total; i++) {
        if (i < nq && s->queue[i].kind == P_LOG) {
            const pg_item *it = &s->queue[i];
            pg_params p = {0};
            p_i64(&p, it->idx);
            p_bytes(&p, s->qbytes.data + it->off, it->len);
            p_i64(&p, it->now_us);
            sent = PQsendQueryPrepared(s->conn, logname, p.n, p.v, p.len, p.fmt, 1) == 1;
        } else if (i < nq) {
            sent = PQsendQueryParams(s->conn, pending_sql[s->queue[i].kind], 0, NULL, NULL, NULL, NULL, 0) == 1;
        } else {
            const pg_stmt *t = &tail[i - nq];
            const pg_params *p = t->p;
            sent = t->sql ? PQsendQueryParams(s->conn, t->sql, 0, NULL, NULL, NULL, NULL, 0) == 1 /* text, as PQexec */
                          : PQsendQueryPrepared(s->conn, t->name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
                                                p ? p->fmt : NULL, 1) == 1;
        }
    }
    if (sent) sent = PQpipelineSync(s->conn) == 1;
    if (!sent) {
        rc = fail_result(s, NULL);
        s->doomed = s->tx_open; /* what was queued may not have reached the server */
    }
    /* each statement's result, then NULL; then the sync point */
    for (size_t i = 0; sent && i < total; i++) {
        PGresult *r = PQgetResult(s->conn);
        if (!r) {
            rc = rc < 0 ? rc : fail_result(s, NULL);
            break;
        }
        ExecStatusType st = PQresultStatus(r);
        bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (ok && rc == 0 && i == total - 1 && ret) {
            *ret = r;
        } else {
            if (!ok && rc == 0) {
                rc = fail_result(s, r);
                if (i < nq && s->queue[i].kind == P_LOG && PQstatus(s->conn) == CONNECTION_OK) {
                    char why[sizeof s->base.msg];
                    memcpy(why, s->base.msg, sizeof why);
                    prova__store_msg(&s->base, "log entry %" PRId64 " was not stored: %s", s->queue[i].idx, why);
                    rc = PROVA_EIO;
                    log_state_reset(s); /* the store's count was wrong: read it again after the rollback */
                }
            }
            PQclear(r);
        }
        while ((r = PQgetResult(s->conn)) != NULL) PQclear(r);
    }
    for (int guard = 0; sent && guard < 8 && PQstatus(s->conn) == CONNECTION_OK; guard++) {
        PGresult *r = PQgetResult(s->conn);
        if (!r) continue;
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC) break;
    }
    if (PQstatus(s->conn) == CONNECTION_OK && !PQexitPipelineMode(s->conn) && rc == 0) rc = fail_result(s, NULL);
    queue_clear(s);
    if (rc < 0 && ret && *ret) {
        PQclear(*ret);
        *ret = NULL;
    }
    return rc;
}

/* A simple query (transaction control, DDL): one round trip, its result checked. A non-empty queue goes first in
 * the same round trip (pipeline mode: one statement in sql), or, before several statements, in one of its own. */
static int exec_simple(pg_store *s, const char *sql, PGresult **ret) {
    if (s->nqueue) {
        pg_stmt t = {.sql = sql};
        if (!strchr(sql, ';')) return pipeline(s, &t, 1, ret);
        int rc = pipeline(s, NULL, 0, NULL);
        if (rc < 0) return rc;
    }
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (ret)
            *ret = r;
        else
            PQclear(r);
        return 0;
    }
    int rc = fail_result(s, r);
    PQclear(r);
    return rc;
}

/* Queues an item, sending the queue first when it is full. */
static int queue_push(pg_store *s, pg_item it) {
    if (s->nqueue == QUEUE_MAX_ITEMS || (it.kind == P_LOG && s->qbytes.len + it.len > QUEUE_MAX_BYTES)) {
        int rc = pipeline(s, NULL, 0, NULL);
        if (rc < 0) return rc;
    }
    if (s->nqueue == s->capqueue) {
        size_t cap = s->capqueue ? 2 * s->capqueue : 8;
        pg_item *q = realloc(s->queue, cap * sizeof *q);
        if (!q) return PROVA_ENOMEM;
        s->queue = q;
        s->capqueue = cap;
    }
    s->queue[s->nqueue++] = it;
    return 0;
}

/* Runs prepared statement q (preparing it on this connection the first time) with binary results, after the
 * queue. *ret: the result when it is rows or a command's completion; the caller PQclears it. */
static int run(pg_store *s, int q, const pg_params *p, PGresult **ret) {
    *ret = NULL;
    int rc = ready(s);
    if (rc == 0) rc = prepare(s, q);
    if (rc < 0) return rc;
    char name[8];
    stmt_name(name, q);
    if (s->nqueue) {
        pg_stmt t = {.name = name, .p = p};
        return pipeline(s, &t, 1, ret);
    }
    PGresult *r = PQexecPrepared(s->conn, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL, p ? p->fmt : NULL, 1);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *ret = r;
        return 0;
    }
    rc = fail_result(s, r);
    PQclear(r);
    return rc;
}

/* An integer column in binary (int2, int4 or int8, big-endian). */
static int64_t col_i64(const PGresult *r, int row, int col) {
    const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
    int n = PQgetlength(r, row, col);
    uint64_t u = 0;
    for (int i = 0; i < n && i < 8; i++) u = u << 8 | b[i];
    if (n == 4) return (int32_t)(uint32_t)u;
    if (n == 2) return (int16_t)(uint16_t)u;
    return (int64_t)u;
}

static int col_append(const PGresult *r, int row, int col, prova_buf *out) {
    return prova_buf_append(out, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* A statement's row count (DELETE n, INSERT ... RETURNING rows). */
static int64_t affected(const PGresult *r) {
    const char *t = PQcmdTuples((PGresult *)r);
    return t && *t ? strtoll(t, NULL, 10) : 0;
}

/* ---- Schema and migrations ---------------------------------------------------------------------------------- */

/* The highest version recorded in prova_migrations (0: no such table, or empty). */
static int read_version(pg_store *s, int *ret) {
    PGresult *r = NULL;
    int rc = exec_simple(s, "SELECT to_regclass('prova_migrations') IS NOT NULL", &r);
    if (rc < 0) return rc;
    bool have = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    *ret = 0;
    if (!have) return 0;
    if ((rc = exec_simple(s, "SELECT coalesce(max(version), 0) FROM prova_migrations", &r)) < 0) return rc;
    *ret = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return 0;
}

/* Migration i in its own transaction, under the migration lock: whoever waited for the lock finds it applied and
 * does nothing. *ret_applied: whether this call applied it. */
static int migrate_one(pg_store *s, size_t i, bool *ret_applied) {
    *ret_applied = false;
    int rc = exec_simple(s,
                         "BEGIN; SELECT pg_advisory_xact_lock(" LOCK_MIGRATE ");"
                         " CREATE TABLE IF NOT EXISTS prova_migrations(version integer PRIMARY KEY,"
                         " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                         NULL);
    int version = 0;
    if (rc == 0) rc = read_version(s, &version);
    if (rc == 0 && version > SCHEMA_LATEST) rc = PROVA_EUNSUPPORTED;
    if (rc == 0 && version < migrations[i].version) {
        rc = exec_simple(s, migration_sql[i], NULL);
        if (rc == 0) {
            pg_params p = {0};
            p_i64(&p, migrations[i].version);
            p_text(&p, migrations[i].description);
            PGresult *r =
                PQexecParams(s->conn, "INSERT INTO prova_migrations(version, description) VALUES ($1::int8, $2::text)",
                             p.n, NULL, p.v, p.len, p.fmt, 0);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) rc = fail_result(s, r);
            PQclear(r);
        }
        if (rc == 0) rc = exec_simple(s, "COMMIT", NULL);
        if (rc == 0) *ret_applied = true;
    } else if (rc == 0) {
        rc = exec_simple(s, "COMMIT", NULL);
    }
    if (rc < 0 && PQtransactionStatus(s->conn) != PQTRANS_IDLE) PQclear(PQexec(s->conn, "ROLLBACK"));
    return rc;
}

static int pg_migrate(prova_store *ps, int *ret_applied) {
    pg_store *s = PG(ps);
    if (s->readonly) return PROVA_EINVAL;
    if (s->tx_open) return PROVA_EINVAL;
    int rc = ready(s);
    int version = 0;
    if (rc == 0) rc = read_version(s, &version);
    if (rc == 0 && version > SCHEMA_LATEST) {
        prova__store_msg(ps, "the database's schema (version %d) was written by a newer prova (this one knows %d)",
                         version, SCHEMA_LATEST);
        return PROVA_EUNSUPPORTED;
    }
    int applied = 0;
    for (size_t i = 0; rc == 0 && i < NMIGRATIONS; i++) {
        if (migrations[i].version <= version) continue;
        bool did = false;
        rc = migrate_one(s, i, &did);
        applied += did;
    }
    if (rc == PROVA_EUNSUPPORTED)
        prova__store_msg(ps, "the database's schema was written by a newer prova (this one knows version %d)",
                         SCHEMA_LATEST);
    if (rc == 0) rc = read_version(s, &s->version);
    *ret_applied = applied;
    return rc;
}

static int pg_schema_status(prova_store *ps, prova_buf *out) {
    pg_store *s = PG(ps);
    int64_t applied[NMIGRATIONS];
    for (size_t i = 0; i < NMIGRATIONS; i++) applied[i] = -1;
    int rc = ready(s);
    if (rc == 0) rc = read_version(s, &s->version);
    if (rc < 0) return rc;
    if (s->version > 0) {
        PGresult *r = NULL;
        rc = exec_simple(s,
                         "SELECT version, (extract(epoch FROM applied_at) * 1000000)::int8 FROM prova_migrations"
                         " ORDER BY version",
                         &r);
        if (rc < 0) return rc;
        for (int row = 0; row < PQntuples(r); row++) {
            int v = atoi(PQgetvalue(r, row, 0));
            int64_t us = strtoll(PQgetvalue(r, row, 1), NULL, 10);
            for (size_t i = 0; i < NMIGRATIONS; i++)
                if (migrations[i].version == v) applied[i] = us > 0 ? us : 0;
        }
        PQclear(r);
    }
    return prova__store_status_json(out, "postgresql", s->version, migrations, NMIGRATIONS, applied);
}

/* ---- Open and close ---------------------------------------------------------------------------------------------- */

static const store_ops pg_ops;

static void pg_close(prova_store *ps) {
    pg_store *s = PG(ps);
    PQfinish(s->conn); /* ends the session: its advisory locks (the integrator's) go with it */
    free(s->queue);
    prova_buf_free(&s->qbytes);
    free(s);
}

/* Why a connection could not be made, in a static sentence (prova_error's message outlives the store; libpq's own
 * message, which names the host but never the password, is for logs and cannot be returned from a failed open). */
static const char *connect_reason(const char *m) {
    if (!m) return "cannot connect to PostgreSQL";
    if (strstr(m, "password") || strstr(m, "authentication"))
        return "cannot connect to PostgreSQL: authentication failed (user, password or pg_hba.conf)";
    if (strstr(m, "does not exist")) return "cannot connect to PostgreSQL: the database or role does not exist";
    if (strstr(m, "Connection refused"))
        return "cannot connect to PostgreSQL: connection refused (is the server running on that host and port?)";
    if (strstr(m, "timeout") || strstr(m, "timed out")) return "cannot connect to PostgreSQL: the connection timed out";
    if (strstr(m, "could not translate host name") || strstr(m, "Name or service not known"))
        return "cannot connect to PostgreSQL: unknown host";
    if (strstr(m, "invalid") || strstr(m, "URI")) return "cannot connect to PostgreSQL: invalid connection URI";
    if (strstr(m, "too many") || strstr(m, "remaining connection slots"))
        return "cannot connect to PostgreSQL: the server has no free connection slot";
    return "cannot connect to PostgreSQL";
}

int prova__store_pg_open(const char *uri, unsigned flags, prova_store **ret, prova_error *reterr) {
    pg_store *s = calloc(1, sizeof *s);
    if (!s) return PROVA_ENOMEM;
    s->base.ops = &pg_ops;
    s->readonly = flags & PROVA_STORE_READONLY;
    s->backoff_ms = BACKOFF_MIN_MS;
    log_state_reset(s);
    atomic_init(&s->bytes, 0);
    /* Defaults first, the URI last: what the URI says wins. Keepalives notice a peer that vanished without closing
     * the connection (a host that died) in about a minute instead of the kernel's two hours. */
    const char *const keys[] = {"connect_timeout",  "keepalives_idle", "keepalives_interval",
                                "keepalives_count", "dbname",          NULL};
    const char *const vals[] = {"10", "30", "10", "3", uri, NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->conn) {
        free(s);
        return prova__fail(reterr, PROVA_ENOMEM, "store_open", "out of memory");
    }
    PQsetNoticeProcessor(s->conn, quiet, NULL);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        const char *why = connect_reason(PQerrorMessage(s->conn));
        pg_close(&s->base);
        return prova__fail(reterr, PROVA_EIO, "store_connect", why);
    }
    int rc = session_setup(s);
    if (rc < 0) {
        pg_close(&s->base);
        return prova__fail(reterr, rc, "store_open",
                           rc == PROVA_EUNSUPPORTED ? "the PostgreSQL database's encoding is not UTF8 (CREATE DATABASE"
                                                      " ... ENCODING 'UTF8')"
                                                    : "cannot set up the PostgreSQL session");
    }
    int applied = 0;
    if (!s->readonly && !(flags & PROVA_STORE_NO_MIGRATE) && (rc = pg_migrate(&s->base, &applied)) < 0) {
        pg_close(&s->base);
        return prova__fail(reterr, rc, "store_schema",
                           rc == PROVA_EUNSUPPORTED ? "the store was written by a newer prova"
                                                    : "cannot set up or upgrade the store's schema");
    }
    if ((rc = read_version(s, &s->version)) < 0) {
        pg_close(&s->base);
        return prova__fail(reterr, rc, "store_open", "cannot read the store's schema version");
    }
    if (s->version > SCHEMA_LATEST || (s->version != SCHEMA_LATEST && s->readonly)) {
        int v = s->version;
        pg_close(&s->base);
        return prova__fail(reterr, PROVA_EUNSUPPORTED, "store_version",
                           v > SCHEMA_LATEST ? "the store was written by a newer prova"
                           : v > 0 ? "the store has an older schema: open it for writing once (or prova db migrate)"
                                   : "not a prova store (no schema version): open it for writing once"
                                     " (or prova db migrate)");
    }
    *ret = &s->base;
    return 0;
}

/* ---- Transactions --------------------------------------------------------------------------------------------- */

/* ROLLBACK TO the innermost savepoint. One still in the queue was never sent: forgetting it and what was queued
 * after it undoes them. One that was sent: what was queued since (log inserts, after its SAVEPOINT or the last
 * RELEASE) would be undone at once, so it is dropped, and the rollback goes with whatever precedes it. */
static int rollback_to(pg_store *s) {
    size_t i = s->nqueue;
    while (i > 0 && s->queue[i - 1].kind == P_LOG) i--;
    if (i > 0 && s->queue[i - 1].kind == P_SAVEPOINT) {
        queue_truncate(s, i - 1);
        return 0;
    }
    queue_truncate(s, i);
    if (!s->nqueue) return exec_simple(s, "ROLLBACK TO SAVEPOINT req; RELEASE SAVEPOINT req", NULL);
    const pg_stmt t[] = {{.sql = "ROLLBACK TO SAVEPOINT req"}, {.sql = "RELEASE SAVEPOINT req"}};
    return pipeline(s, t, 2, NULL);
}

/* BEGIN and the write lock, in one round trip; with them, once the lock is held, the log's size (the next index
 * this transaction appends at), when the schema has the table. */
static int begin_write(pg_store *s) {
    bool size = s->version >= 1 && prepare(s, Q_LOG_SIZE) == 0;
    char name[8];
    stmt_name(name, Q_LOG_SIZE);
    /* separate statements: the size's snapshot is taken after the lock is granted, so it sees the commit of
     * whoever held the lock before */
    const pg_stmt t[] = {{.sql = "BEGIN"}, {.sql = "SELECT pg_advisory_xact_lock(" LOCK_WRITE ")"}, {.name = name}};
    PGresult *r = NULL;
    int rc = pipeline(s, t, size ? 3 : 2, &r);
    if (rc == 0 && size && PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 8) s->next = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_tx(prova_store *ps, store_tx op) {
    pg_store *s = PG(ps);
    int rc;
    PGresult *r = NULL;
    switch (op) {
    case STORE_BEGIN:
    case STORE_READ_BEGIN:
        if ((rc = ready(s)) < 0) return rc;
        if (!s->tx_open) queue_clear(s);
        log_state_reset(s);
        s->doomed = false;
        /* One round trip: the transaction and, for a writer, the write lock of every gateway (held until COMMIT
         * or ROLLBACK), so that the reads that decide the next hop or index see every earlier commit. */
        rc = op == STORE_BEGIN ? begin_write(s)
                               : exec_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL);
        if (rc == 0) {
            s->tx_open = true;
            s->writing = op == STORE_BEGIN;
        } else if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
            PQclear(PQexec(s->conn, "ROLLBACK"));
        }
        return rc;
    case STORE_COMMIT:
        if ((rc = ready(s)) < 0) return rc;
        if (s->doomed) {
            prova__store_msg(ps, "statements of the transaction could not be sent to PostgreSQL: it was rolled back");
            rc = PROVA_EIO;
        } else {
            /* the queue (a last log insert, a release) goes with the COMMIT: a failure of it fails the commit */
            rc = exec_simple(s, "COMMIT", &r);
            /* COMMIT of a transaction that an error aborted answers ROLLBACK: nothing was written. */
            if (rc == 0 && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
                prova__store_msg(ps, "PostgreSQL rolled the transaction back (an earlier statement failed)");
                rc = PROVA_EIO;
            }
            PQclear(r);
        }
        /* A COMMIT that a failed statement before it in the pipeline kept from running leaves the transaction
         * open: a failed commit ends it all the same. */
        if (rc < 0 && PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
            PQclear(PQexec(s->conn, "ROLLBACK"));
        s->tx_open = s->writing = s->doomed = false;
        queue_clear(s);
        log_state_reset(s);
        return rc;
    case STORE_ROLLBACK:
        s->tx_open = s->writing = s->doomed = false;
        queue_clear(s); /* undone with the rest */
        log_state_reset(s);
        /* A lost connection took its transaction with it: nothing to undo, and no round trip to a dead socket. */
        if (PQstatus(s->conn) != CONNECTION_OK || PQtransactionStatus(s->conn) == PQTRANS_IDLE) return 0;
        return exec_simple(s, "ROLLBACK", NULL);
    /* Savepoints are queued, and sent with the next statement. One that nothing ran in since it was set needs no
     * statement at all: its release or its rollback only forgets it. */
    case STORE_SAVEPOINT:
        if ((rc = ready(s)) < 0) return rc;
        if (!s->tx_open) return exec_simple(s, "SAVEPOINT req", NULL);
        if ((rc = queue_push(s, (pg_item){.kind = P_SAVEPOINT})) < 0) return rc;
        s->sp_next = s->next;
        s->sp_open = true;
        return 0;
    case STORE_RELEASE:
        if ((rc = ready(s)) < 0) return rc;
        s->sp_next = -1; /* an enclosing savepoint's is not known */
        s->sp_open = false;
        if (s->nqueue && s->queue[s->nqueue - 1].kind == P_SAVEPOINT) {
            s->nqueue--;
            return 0;
        }
        if (!s->tx_open) return exec_simple(s, "RELEASE SAVEPOINT req", NULL);
        return queue_push(s, (pg_item){.kind = P_RELEASE});
    case STORE_ROLLBACK_TO:
        if ((rc = ready(s)) < 0) return rc;
        /* the savepoint's indexes are given back (unknown: read again at the next append) */
        s->next = s->sp_next;
        s->sp_next = -1;
        s->sp_open = false;
        return rollback_to(s);
    }
    return PROVA_EINVAL;
}

/* ---- Records ------------------------------------------------------------------------------------------------- */

/* One-row lookup by key: column text_col appended to out (when out), column 0 as an integer (when ret_int). */
static int get_one(pg_store *s, int q, const char *key, int text_col, prova_buf *out, int64_t *ret_int) {
    pg_params p = {0};
    p_text(&p, key);
    PGresult *r;
    int rc = run(s, q, &p, &r);
    if (rc < 0) return rc;
    if (PQntuples(r) < 1) {
        rc = PROVA_ENOTFOUND;
    } else {
        int64_t v = ret_int ? col_i64(r, 0, 0) : 0;
        rc = out ? col_append(r, 0, text_col, out) : 0;
        if (rc == 0 && ret_int) *ret_int = v;
    }
    PQclear(r);
    return rc;
}

/* A statement that changes rows; with `returning`, no row back is a conflict (ON CONFLICT DO NOTHING). */
static int put(pg_store *s, int q, const pg_params *p, bool returning) {
    PGresult *r;
    int rc = run(s, q, p, &r);
    if (rc < 0) return rc;
    if (returning && PQntuples(r) < 1) {
        prova__store_msg(&s->base, "the key is taken");
        rc = PROVA_ECONFLICT;
    }
    PQclear(r);
    return rc;
}

static int pg_ope_last(prova_store *ps, const char *trace_id, prova_buf *out, int64_t *ret_hop) {
    return get_one(PG(ps), Q_OPE_LAST, trace_id, 1, out, ret_hop);
}

static int pg_ope_append(prova_store *ps, const char *trace_id, int64_t hop, const char *receipt_hash, const void *json,
                         size_t len, int64_t log_index, const store_receipt_meta *m) {
    if (!p_fits(len)) return PROVA_ELIMIT;
    pg_params p = {0};
    p_text(&p, trace_id);
    p_i64(&p, hop);
    p_text(&p, receipt_hash);
    p_bytes(&p, json, len);
    p_index(&p, log_index);
    p_i64(&p, m->ts_us);
    p_opt(&p, m->gateway_kid);
    p_opt(&p, m->sender_kid);
    p_opt(&p, m->payload_type);
    return put(PG(ps), Q_OPE_APPEND, &p, true);
}

static int pg_rows(prova_store *ps, store_rows which, const char *key, prova_buf *out, size_t *ret_count) {
    static const int q[] = {
        [STORE_ROWS_RECEIPTS] = Q_OPE_CHAIN,
        [STORE_ROWS_RECEIPTS_LOG] = Q_OPE_CHAIN_LOG,
        [STORE_ROWS_EVENTS] = Q_OE_EVENTS,
        [STORE_ROWS_EVENTS_LOG] = Q_OE_EVENTS_LOG,
    };
    bool numbers = which == STORE_ROWS_RECEIPTS_LOG || which == STORE_ROWS_EVENTS_LOG;
    pg_store *s = PG(ps);
    pg_params p = {0};
    p_text(&p, key);
    PGresult *r;
    int rc = run(s, q[which], &p, &r);
    if (rc < 0) return rc;
    size_t mark = out->len;
    int n = PQntuples(r);
    rc = prova_buf_append(out, "[", 1);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (i && (rc = prova_buf_append(out, ",", 1)) < 0) break;
        if (PQgetisnull(r, i, 0)) {
            rc = prova_buf_append(out, "null", 4); /* a record stored without a log index */
        } else if (numbers) {
            char num[24];
            int k = snprintf(num, sizeof num, "%" PRId64, col_i64(r, i, 0));
            rc = prova_buf_append(out, num, (size_t)k);
        } else {
            rc = col_append(r, i, 0, out);
        }
    }
    if (rc == 0) rc = prova_buf_append(out, "]", 1);
    PQclear(r);
    if (rc < 0) {
        out->len = mark;
        return rc;
    }
    if (ret_count) *ret_count = (size_t)n;
    return 0;
}

static int pg_replay_claim(prova_store *ps, const char *key, int64_t now_us, int64_t expires_us) {
    pg_params p = {0};
    p_text(&p, key);
    p_i64(&p, expires_us);
    p_i64(&p, now_us);
    int rc = put(PG(ps), Q_REPLAY_CLAIM, &p, true);
    if (rc == PROVA_ECONFLICT) prova__store_msg(ps, "the replay key is claimed");
    return rc;
}

static int pg_replay_purge(prova_store *ps, int64_t now_us, int64_t limit, int64_t *ret_deleted) {
    pg_params p = {0};
    p_i64(&p, now_us);
    p_index(&p, limit > 0 ? limit : -1); /* NULL: no limit */
    PGresult *r;
    int rc = run(PG(ps), Q_REPLAY_PURGE, &p, &r);
    if (rc < 0) return rc;
    if (ret_deleted) *ret_deleted = affected(r);
    PQclear(r);
    return 0;
}

static int pg_oe_chain_put(prova_store *ps, const char *chain_id, const void *json, size_t len,
                           const store_chain_meta *m) {
    if (!p_fits(len)) return PROVA_ELIMIT;
    pg_params p = {0};
    p_text(&p, chain_id);
    p_bytes(&p, json, len);
    p_opt(&p, m->chain_type);
    p_opt(&p, m->status);
    if (m->created_us)
        p_i64(&p, m->created_us);
    else
        p_null(&p);
    p_i64(&p, m->updated_us);
    p_index(&p, m->events);
    return put(PG(ps), Q_OE_CHAIN_PUT, &p, false);
}

static int pg_oe_chain_get(prova_store *ps, const char *chain_id, prova_buf *out) {
    return get_one(PG(ps), Q_OE_CHAIN_GET, chain_id, 0, out, NULL);
}

static int pg_oe_event_append(prova_store *ps, const char *chain_id, int64_t seq, const void *json, size_t len,
                              int64_t log_index) {
    if (!p_fits(len)) return PROVA_ELIMIT;
    pg_params p = {0};
    p_text(&p, chain_id);
    p_i64(&p, seq);
    p_bytes(&p, json, len);
    p_index(&p, log_index);
    return put(PG(ps), Q_OE_EVENT_APPEND, &p, true);
}

static int pg_oe_event_last(prova_store *ps, const char *chain_id, prova_buf *out, int64_t *ret_seq) {
    return get_one(PG(ps), Q_OE_EVENT_LAST, chain_id, 1, out, ret_seq);
}

static int pg_oe_cert_put(prova_store *ps, const char *cert_id, const char *chain_id, const void *json, size_t len,
                          int64_t log_index, int64_t status_log_index, const store_cert_meta *m) {
    if (!p_fits(len)) return PROVA_ELIMIT;
    pg_params p = {0};
    p_text(&p, cert_id);
    p_text(&p, chain_id);
    p_bytes(&p, json, len);
    p_index(&p, log_index);
    p_index(&p, status_log_index);
    p_i64(&p, m->issued_us);
    p_opt(&p, m->status);
    p_opt(&p, m->superseded_by);
    return put(PG(ps), Q_OE_CERT_PUT, &p, false);
}

/* ---- Proof records ---------------------------------------------------------------------------------------------- */

static int pg_proof_put(prova_store *ps, const char *id, const void *json, size_t len, int64_t stored_us,
                        int64_t log_index) {
    if (!p_fits(len)) return PROVA_ELIMIT;
    pg_params p = {0};
    p_text(&p, id);
    p_bytes(&p, json, len);
    p_i64(&p, stored_us);
    p_index(&p, log_index);
    return put(PG(ps), Q_PROOF_PUT, &p, true);
}

static int pg_proof_get(prova_store *ps, const char *id, prova_buf *out, int64_t *ret_log_index) {
    pg_params p = {0};
    p_text(&p, id);
    PGresult *r;
    int rc = run(PG(ps), Q_PROOF_GET, &p, &r);
    if (rc < 0) return rc;
    if (PQntuples(r) < 1) {
        rc = PROVA_ENOTFOUND;
    } else {
        *ret_log_index = PQgetisnull(r, 0, 0) ? -1 : col_i64(r, 0, 0);
        rc = col_append(r, 0, 1, out);
    }
    PQclear(r);
    return rc;
}

/* ---- Browsing (schema 2) ---------------------------------------------------------------------------------------- */

/* As sqlite.c's: $1, $2 the keyset position (a row comparison with the index's key), $3, $4 since and until, $5..$8
 * the filters (left out of the text when not given), $9 the limit. Results in text; JSON columns as json text. */
#define TRACE_KIDS                                                                                                     \
    "(SELECT coalesce(array_to_json(array_agg(k ORDER BY o)), '[]') FROM (SELECT k, min(o) AS o FROM (SELECT "         \
    "sender_kid AS k,"                                                                                                 \
    " 2 * hop AS o FROM ope_receipts WHERE trace_id = t.trace_id UNION ALL SELECT gateway_kid, 2 * hop + 1"            \
    " FROM ope_receipts WHERE trace_id = t.trace_id) u WHERE k IS NOT NULL GROUP BY k) v)"
#define TRACE_TYPES                                                                                                    \
    "(SELECT coalesce(array_to_json(array_agg(payload_type ORDER BY o)), '[]') FROM (SELECT payload_type, min(hop) "   \
    "AS o"                                                                                                             \
    " FROM ope_receipts WHERE trace_id = t.trace_id AND payload_type IS NOT NULL GROUP BY payload_type) v)"

typedef struct browse_shape {
    const char *select;
    const char *order;
    const char *names[8];
    const char *kinds; /* S text, I integer, J JSON text (embedded), B bytea as a JSON string */
} browse_shape;

static const browse_shape shapes[] = {
    [STORE_BROWSE_TRACES] = {"SELECT trace_id, hops, first_us, last_us, last_hash, " TRACE_KIDS ", " TRACE_TYPES
                             " FROM ope_traces t WHERE (last_us, trace_id) < ($1::int8, $2::text)"
                             " AND last_us >= $3::int8 AND last_us < $4::int8",
                             " ORDER BY last_us DESC, trace_id DESC LIMIT $9::int8",
                             {"trace_id", "hops", "first_us", "last_us", "last_receipt_hash", "kids", "payload_types"},
                             "SIIISJJ"},
    [STORE_BROWSE_CHAINS] = {"SELECT id, chain_type, status, events, created_us, updated_us, (SELECT c.id FROM"
                             " oe_certificates c WHERE c.chain_id = h.id ORDER BY c.issued_us DESC, c.id DESC LIMIT 1)"
                             " FROM oe_chains h WHERE (updated_us, id) < ($1::int8, $2::text)"
                             " AND updated_us >= $3::int8 AND updated_us < $4::int8",
                             " ORDER BY h.updated_us DESC, h.id DESC LIMIT $9::int8",
                             {"chain_id", "chain_type", "status", "events", "created_us", "updated_us",
                              "certificate_id"},
                             "SSSIIIS"},
    [STORE_BROWSE_CERTS] = {"SELECT id, chain_id, status, issued_us, superseded_by, log_index FROM oe_certificates"
                            " WHERE (issued_us, id) < ($1::int8, $2::text) AND issued_us >= $3::int8"
                            " AND issued_us < $4::int8",
                            " ORDER BY issued_us DESC, id DESC LIMIT $9::int8",
                            {"certificate_id", "chain_id", "status", "issued_us", "superseded_by", "log_index"},
                            "SSSISI"},
    [STORE_BROWSE_PROOFS] = {"SELECT id, stored_us, log_index FROM proofs WHERE (stored_us, id) < ($1::int8, $2::text)"
                             " AND stored_us >= $3::int8 AND stored_us < $4::int8",
                             " ORDER BY stored_us DESC, id DESC LIMIT $9::int8",
                             {"proof_id", "stored_us", "log_index"},
                             "SII"},
    [STORE_BROWSE_LOG] = {"SELECT idx, sequenced_us, entry FROM log_entries WHERE idx >= $1::int8"
                          " AND sequenced_us >= $3::int8 AND sequenced_us < $4::int8",
                          " ORDER BY idx LIMIT $9::int8",
                          {"index", "sequenced_us", "entry"},
                          "IIB"},
    [STORE_BROWSE_CHECKPOINTS] = {"SELECT id, size, time_us, note FROM log_checkpoints WHERE id < $1::int8"
                                  " AND time_us >= $3::int8 AND time_us < $4::int8",
                                  " ORDER BY id DESC LIMIT $9::int8",
                                  {"id", "size", "time_us", "note"},
                                  "IIIB"},
};

static int pg_browse(prova_store *ps, const store_browse *q, prova_buf *out, size_t *ret_count) {
    pg_store *s = PG(ps);
    const browse_shape *sh = &shapes[q->kind];
    char sql[1536];
    size_t n = (size_t)snprintf(sql, sizeof sql, "%s", sh->select);
    if (q->kind == STORE_BROWSE_TRACES && q->kid)
        n += (size_t)snprintf(sql + n, sizeof sql - n,
                              " AND EXISTS (SELECT 1 FROM ope_receipts r WHERE r.trace_id = t.trace_id"
                              " AND (r.sender_kid = $5::text OR r.gateway_kid = $5::text))");
    if (q->kind == STORE_BROWSE_TRACES && q->payload_type)
        n += (size_t)snprintf(sql + n, sizeof sql - n,
                              " AND EXISTS (SELECT 1 FROM ope_receipts r WHERE r.trace_id = t.trace_id"
                              " AND r.payload_type = $6::text)");
    if ((q->kind == STORE_BROWSE_CHAINS || q->kind == STORE_BROWSE_CERTS) && q->status)
        n += (size_t)snprintf(sql + n, sizeof sql - n, " AND status = $7::text");
    if (q->kind == STORE_BROWSE_CERTS && q->chain_id)
        n += (size_t)snprintf(sql + n, sizeof sql - n, " AND chain_id = $8::text");
    n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", sh->order);
    if (n >= sizeof sql) return PROVA_EINVAL;
    /* every parameter is sent (an unused one as NULL, typed by a cast in a statement that never reads it is not
     * possible: the unused ones are declared text) */
    pg_params p = {0};
    p_i64(&p, q->before_us);
    p_text(&p, q->before_id);
    p_i64(&p, q->since_us);
    p_i64(&p, q->until_us);
    p_opt(&p, q->kid);
    p_opt(&p, q->payload_type);
    p_opt(&p, q->status);
    p_opt(&p, q->chain_id);
    p_i64(&p, (int64_t)q->limit);
    Oid types[9] = {20, 25, 20, 20, 25, 25, 25, 25, 20}; /* int8, text */
    int rc = ready(s);
    if (rc == 0 && s->nqueue) rc = pipeline(s, NULL, 0, NULL);
    if (rc < 0) return rc;
    PGresult *r = PQexecParams(s->conn, sql, p.n, types, p.v, p.len, p.fmt, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail_result(s, r);
        PQclear(r);
        return rc;
    }
    int rows = PQntuples(r);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_arr(&w);
    for (int i = 0; i < rows; i++) {
        prova_jw_obj(&w);
        for (int c = 0; sh->kinds[c]; c++) {
            prova_jw_key(&w, sh->names[c]);
            const char *v = PQgetvalue(r, i, c);
            size_t vl = (size_t)PQgetlength(r, i, c);
            if (PQgetisnull(r, i, c)) {
                prova_jw_null(&w);
            } else if (sh->kinds[c] == 'I') {
                prova_jw_i64(&w, strtoll(v, NULL, 10));
            } else if (sh->kinds[c] == 'J') {
                prova_jw_raw(&w, v, vl);
            } else if (sh->kinds[c] == 'B') {
                size_t bl = 0;
                unsigned char *b = PQunescapeBytea((const unsigned char *)v, &bl);
                prova_jw_strn(&w, b ? (const char *)b : "", b ? bl : 0);
                PQfreemem(b);
            } else {
                prova_jw_strn(&w, v, vl);
            }
        }
        prova_jw_end(&w);
    }
    prova_jw_end(&w);
    PQclear(r);
    rc = prova_jw_finish(&w);
    if (rc == 0) *ret_count = (size_t)rows;
    return rc;
}

static int pg_oe_cert_get(prova_store *ps, const char *cert_id, prova_buf *out) {
    return get_one(PG(ps), Q_OE_CERT_GET, cert_id, 0, out, NULL);
}

static int pg_oe_cert_chain(prova_store *ps, const char *cert_id, prova_buf *out) {
    return get_one(PG(ps), Q_OE_CERT_CHAIN, cert_id, 0, out, NULL);
}

static int pg_oe_cert_log(prova_store *ps, const char *cert_id, int64_t *ret_log_index, int64_t *ret_status_log_index) {
    pg_params p = {0};
    p_text(&p, cert_id);
    PGresult *r;
    int rc = run(PG(ps), Q_OE_CERT_LOG, &p, &r);
    if (rc < 0) return rc;
    if (PQntuples(r) < 1) {
        rc = PROVA_ENOTFOUND;
    } else {
        if (ret_log_index) *ret_log_index = PQgetisnull(r, 0, 0) ? -1 : col_i64(r, 0, 0);
        if (ret_status_log_index) *ret_status_log_index = PQgetisnull(r, 0, 1) ? -1 : col_i64(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

/* ---- The transparency log ------------------------------------------------------------------------------------ */

/* Outside a write transaction: one statement that derives the index (autocommit, or a read snapshot, which
 * refuses it). Inside one the write lock is held, so nobody else appends: the index is the store's count (read
 * with BEGIN, or here once), returned at once, and the insert, with a copy of the entry, is queued to go with the
 * next statement (the record that names the entry), in its round trip. */
static int pg_log_append(prova_store *ps, const void *entry, size_t len, int64_t now_us, int64_t *ret_index) {
    if (len > PROVA_STORE_LOG_ENTRY_MAX) return PROVA_ELIMIT;
    pg_store *s = PG(ps);
    pg_params p = {0};
    PGresult *r;
    int rc;
    if (!s->writing) {
        p_bytes(&p, entry, len);
        p_i64(&p, now_us);
        if ((rc = run(s, Q_LOG_APPEND, &p, &r)) < 0) return rc;
        if (PQntuples(r) != 1) {
            prova__store_msg(ps, "the log append returned no index");
            rc = PROVA_EIO;
        } else if (ret_index) {
            *ret_index = col_i64(r, 0, 0);
        }
        PQclear(r);
        return rc;
    }
    if ((rc = ready(s)) < 0 || (rc = prepare(s, Q_LOG_INSERT)) < 0) return rc;
    if (s->next < 0) { /* not known yet: read with whatever is queued */
        if ((rc = run(s, Q_LOG_SIZE, NULL, &r)) < 0) return rc;
        rc = PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 8 ? 0 : PROVA_EIO;
        if (rc == 0) s->next = col_i64(r, 0, 0);
        PQclear(r);
        if (rc < 0) {
            prova__store_msg(ps, "unexpected answer to the log's size");
            return rc;
        }
        /* nothing was appended since the savepoint was set (the index would be known): this is its index too */
        if (s->sp_open && s->sp_next < 0) s->sp_next = s->next;
    }
    if ((rc = queue_push(s, (pg_item){.kind = P_LOG, .idx = s->next, .now_us = now_us, .len = len})) < 0) return rc;
    size_t off = s->qbytes.len; /* after the push, which may have sent the queue */
    if ((rc = prova_buf_append(&s->qbytes, entry, len)) < 0) {
        s->nqueue--;
        return rc;
    }
    s->queue[s->nqueue - 1].off = off;
    if (ret_index) *ret_index = s->next;
    s->next++;
    return 0;
}

static int pg_log_get(prova_store *ps, int64_t index, prova_buf *out) {
    pg_params p = {0};
    p_i64(&p, index);
    PGresult *r;
    int rc = run(PG(ps), Q_LOG_GET, &p, &r);
    if (rc < 0) return rc;
    rc = PQntuples(r) < 1 ? PROVA_ENOTFOUND : col_append(r, 0, 0, out);
    PQclear(r);
    return rc;
}

static int pg_log_entries(prova_store *ps, int64_t from, int64_t to, prova_buf *out, size_t *ret_count) {
    pg_params p = {0};
    p_i64(&p, from);
    p_i64(&p, to);
    PGresult *r;
    int rc = run(PG(ps), Q_LOG_RANGE, &p, &r);
    if (rc < 0) return rc;
    size_t mark = out->len;
    int n = PQntuples(r);
    for (int i = 0; rc == 0 && i < n; i++) {
        int len = PQgetlength(r, i, 1);
        /* Rows are contiguous from 0 (every append takes max + 1): a missing index is a damaged store. */
        if (col_i64(r, i, 0) != from + i || len <= 0 || (unsigned)len > PROVA_STORE_LOG_ENTRY_MAX) {
            prova__store_msg(ps, "log entry %" PRId64 " is missing or malformed", from + i);
            rc = PROVA_EIO;
            break;
        }
        uint8_t be[2] = {(uint8_t)(len >> 8), (uint8_t)len};
        rc = prova_buf_append(out, be, 2);
        if (rc == 0) rc = col_append(r, i, 1, out);
    }
    PQclear(r);
    if (rc < 0) {
        out->len = mark;
        return rc;
    }
    if (ret_count) *ret_count = (size_t)n;
    return 0;
}

static int pg_log_size(prova_store *ps, int64_t *ret) {
    PGresult *r;
    int rc = run(PG(ps), Q_LOG_SIZE, NULL, &r);
    if (rc < 0) return rc;
    if (PQntuples(r) == 1)
        *ret = col_i64(r, 0, 0);
    else
        rc = PROVA_EIO;
    PQclear(r);
    return rc;
}

static int pg_tile_put(prova_store *ps, int level, int64_t index, const void *data, size_t len) {
    pg_params p = {0};
    p_i64(&p, level);
    p_i64(&p, index);
    p_bytes(&p, data, len);
    return put(PG(ps), Q_TILE_PUT, &p, false);
}

static int pg_tile_get(prova_store *ps, int level, int64_t index, prova_buf *out) {
    pg_params p = {0};
    p_i64(&p, level);
    p_i64(&p, index);
    PGresult *r;
    int rc = run(PG(ps), Q_TILE_GET, &p, &r);
    if (rc < 0) return rc;
    if (PQntuples(r) < 1) {
        rc = PROVA_ENOTFOUND;
    } else if (PQgetlength(r, 0, 0) <= 0) {
        prova__store_msg(ps, "log tile %d/%" PRId64 " is empty", level, index);
        rc = PROVA_EIO;
    } else {
        rc = col_append(r, 0, 0, out);
    }
    PQclear(r);
    return rc;
}

static int pg_cp_put(prova_store *ps, int64_t size, const void *note, size_t len, int64_t time_us) {
    pg_params p = {0};
    p_i64(&p, size);
    p_bytes(&p, note, len);
    p_i64(&p, time_us);
    return put(PG(ps), Q_CP_PUT, &p, false);
}

static int pg_cp_latest(prova_store *ps, prova_buf *out, int64_t *ret_size) {
    PGresult *r;
    int rc = run(PG(ps), Q_CP_LATEST, NULL, &r);
    if (rc < 0) return rc;
    if (PQntuples(r) < 1) {
        rc = PROVA_ENOTFOUND;
    } else if (PQgetlength(r, 0, 1) <= 0) {
        prova__store_msg(ps, "the latest checkpoint is empty");
        rc = PROVA_EIO;
    } else {
        rc = col_append(r, 0, 1, out);
        if (rc == 0 && ret_size) *ret_size = col_i64(r, 0, 0);
    }
    PQclear(r);
    return rc;
}

static int pg_cp_list(prova_store *ps, int64_t from, size_t limit, prova_buf *out, size_t *ret_count) {
    pg_params p = {0};
    p_i64(&p, from);
    p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    PGresult *r;
    int rc = run(PG(ps), Q_CP_LIST, &p, &r);
    if (rc < 0) return rc;
    int n = PQntuples(r);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_arr(&w);
    for (int i = 0; i < n; i++) {
        prova_jw_obj(&w);
        prova_jw_ki64(&w, "size", col_i64(r, i, 0));
        prova_jw_ki64(&w, "time_us", col_i64(r, i, 1));
        prova_jw_key(&w, "note");
        prova_jw_strn(&w, PQgetvalue(r, i, 2), (size_t)PQgetlength(r, i, 2));
        prova_jw_end(&w);
    }
    prova_jw_end(&w);
    PQclear(r);
    rc = prova_jw_finish(&w);
    if (rc == 0 && ret_count) *ret_count = (size_t)n;
    return rc;
}

/* The integrator's lock: a session advisory lock, so a gateway that dies (its connection ends) hands it over. Held
 * already and the connection healthy: no query. A reconnection lost it (ready() clears leading). */
static int pg_log_lead(prova_store *ps, bool *ret_leading) {
    pg_store *s = PG(ps);
    int rc = ready(s);
    if (rc < 0) return rc;
    if (!s->leading) {
        PGresult *r;
        if ((rc = run(s, Q_LEAD, NULL, &r)) < 0) return rc;
        s->leading = PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 1 && PQgetvalue(r, 0, 0)[0] == 1;
        PQclear(r);
    }
    *ret_leading = s->leading;
    return 0;
}

/* ---- Listing and size ------------------------------------------------------------------------------------------- */

static int pg_list(prova_store *ps, store_list which, const char *after, size_t limit, prova_buf *out,
                   size_t *ret_count) {
    static const int q[] = {
        [STORE_LIST_TRACES] = Q_LIST_TRACES,
        [STORE_LIST_CHAINS] = Q_LIST_CHAINS,
        [STORE_LIST_CERTS] = Q_LIST_CERTS,
        [STORE_LIST_REPLAY] = Q_LIST_REPLAY,
    };
    pg_params p = {0};
    p_text(&p, after);
    p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    PGresult *r;
    int rc = run(PG(ps), q[which], &p, &r);
    if (rc < 0) return rc;
    int n = PQntuples(r);
    prova_jw w;
    prova_jw_init(&w, out);
    prova_jw_arr(&w);
    for (int i = 0; i < n; i++) {
        if (which == STORE_LIST_REPLAY) prova_jw_arr(&w);
        prova_jw_strn(&w, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
        if (which == STORE_LIST_REPLAY) {
            prova_jw_i64(&w, col_i64(r, i, 1));
            prova_jw_end(&w);
        }
    }
    prova_jw_end(&w);
    PQclear(r);
    rc = prova_jw_finish(&w);
    if (rc == 0 && ret_count) *ret_count = (size_t)n;
    return rc;
}

/* Every count and the database's size in one round trip (full scans: for startup and occasional reads). */
static int pg_counts_get(prova_store *ps, prova_store_counts *c) {
    pg_store *s = PG(ps);
    int rc = ready(s);
    if (rc < 0) return rc;
    PGresult *r = NULL;
    rc = exec_simple(s,
                     "SELECT (SELECT count(*) FROM ope_receipts), (SELECT count(*) FROM ope_receipts WHERE hop = 0),"
                     " (SELECT count(*) FROM ope_replay), (SELECT count(*) FROM oe_chains),"
                     " (SELECT count(*) FROM oe_events), (SELECT count(*) FROM oe_certificates),"
                     " pg_database_size(current_database())",
                     &r);
    if (rc < 0) return rc;
    if (PQntuples(r) != 1 || PQnfields(r) != 7) {
        PQclear(r);
        prova__store_msg(ps, "unexpected answer to the counts");
        return PROVA_EIO;
    }
    int64_t v[7];
    for (int i = 0; i < 7; i++) v[i] = strtoll(PQgetvalue(r, 0, i), NULL, 10);
    PQclear(r);
    c->receipts = v[0];
    c->traces = v[1];
    c->replay_claims = v[2];
    c->chains = v[3];
    c->events = v[4];
    c->certificates = v[5];
    c->bytes = v[6];
    atomic_store(&s->bytes, v[6]);
    return 0;
}

static int64_t pg_bytes(const prova_store *ps) {
    const pg_store *s = (const pg_store *)(const void *)ps;
    return atomic_load(&s->bytes);
}

static const store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .tx = pg_tx,
    .ope_last = pg_ope_last,
    .ope_append = pg_ope_append,
    .rows = pg_rows,
    .replay_claim = pg_replay_claim,
    .replay_purge = pg_replay_purge,
    .oe_chain_put = pg_oe_chain_put,
    .oe_chain_get = pg_oe_chain_get,
    .oe_event_append = pg_oe_event_append,
    .oe_event_last = pg_oe_event_last,
    .oe_cert_put = pg_oe_cert_put,
    .oe_cert_get = pg_oe_cert_get,
    .oe_cert_log = pg_oe_cert_log,
    .oe_cert_chain = pg_oe_cert_chain,
    .log_append = pg_log_append,
    .log_get = pg_log_get,
    .log_entries = pg_log_entries,
    .log_size = pg_log_size,
    .tile_put = pg_tile_put,
    .tile_get = pg_tile_get,
    .cp_put = pg_cp_put,
    .cp_latest = pg_cp_latest,
    .cp_list = pg_cp_list,
    .log_lead = pg_log_lead,
    .proof_put = pg_proof_put,
    .proof_get = pg_proof_get,
    .browse = pg_browse,
    .list = pg_list,
    .schema_status = pg_schema_status,
    .migrate = pg_migrate,
    .counts_get = pg_counts_get,
    .bytes = pg_bytes,
};
