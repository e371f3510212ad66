/* The store's conformance suite (prova/store.h): every operation, its edge cases and its errors, run the same way
 * against either backend, so that SQLite and PostgreSQL answer alike.
 *
 *   test_store                          a SQLite file in a new temporary directory
 *   test_store PATH                     a SQLite file (created)
 *   test_store URL [STOP_CMD START_CMD] an empty PostgreSQL database (tests/pg/run_with_pg.py passes all three)
 *
 * With a URL the PostgreSQL-only part runs too: the write lock across connections, the integrator's lock and its
 * hand-over, concurrent migrations, and a server stopped (pg_ctl stop -m immediate) and started again under open
 * connections, which fail with PROVA_EIO meanwhile and work again without being reopened. The raw SQL that damages
 * a store on purpose goes through the backend's own library (sqlite3, libpq). */
#define _POSIX_C_SOURCE 200809L

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "prova/prova.h"

static const char *loc;
static bool is_pg;
static int latest; /* the backend's latest schema version, read from schema_status */

/* ---- Helpers ------------------------------------------------------------------------------------------------- */

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The buffer's bytes equal s. */
static bool buf_is(const prova_buf *b, const char *s) {
    return b->len == strlen(s) && memcmp(b->data, s, b->len) == 0;
}

#define CHECK_BUF(b, want)                                                                                             \
    CHECK_MSG(buf_is(&(b), want), "got '%.*s', want '%s'", (int)(b).len, (const char *)(b).data, want)

static void quiet(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* Raw SQL through the backend's own library (to damage or age a store on purpose): 0 or -1. */
static int raw_sql(const char *where, const char *sql) {
    if (prova_store_is_postgresql(where)) {
        PGconn *c = PQconnectdb(where);
        PQsetNoticeProcessor(c, quiet, NULL);
        int ok = PQstatus(c) == CONNECTION_OK;
        if (ok) {
            PGresult *r = PQexec(c, sql);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
            if (!ok) fprintf(stderr, "raw_sql: %s", PQresultErrorMessage(r));
            PQclear(r);
        }
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open(where, &db);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static prova_store *open_ok(unsigned flags) {
    prova_store *s = NULL;
    prova_error e;
    int rc = prova_store_open(loc, flags, &s, &e);
    CHECK_MSG(rc == 0 && s, "open(%u): %s", flags, rc ? e.message : "");
    return s;
}

/* The strings of a JSON array of strings (or of [string, number] pairs) without escapes: n of them in keys. */
static size_t strings_of(const prova_buf *b, char keys[][64], size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < b->len && n < cap; i++) {
        if (b->data[i] != '"') continue;
        size_t j = i + 1;
        while (j < b->len && b->data[j] != '"') j++;
        size_t len = j - i - 1 < 63 ? j - i - 1 : 63;
        memcpy(keys[n], b->data + i + 1, len);
        keys[n++][len] = 0;
        i = j;
    }
    return n;
}

static int json_int(const prova_buf *b, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *hay = (const char *)b->data;
    for (size_t i = 0; i + strlen(pat) <= b->len; i++)
        if (memcmp(hay + i, pat, strlen(pat)) == 0) return atoi(hay + i + strlen(pat));
    return -999;
}

static bool buf_has(const prova_buf *b, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, needle, n) == 0) return true;
    return false;
}

/* ---- Schema: a new store, migrations, versions ---------------------------------------------------------------- */

static void test_schema_fresh(void) {
    prova_store *s = open_ok(PROVA_STORE_NO_MIGRATE);
    if (!s) return;
    CHECK_STR(prova_store_backend(s), is_pg ? "postgresql" : "sqlite");
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_store_schema_status(s, &b) == 0);
    latest = json_int(&b, "schema_latest");
    CHECK_MSG(latest >= 1, "%.*s", (int)b.len, (const char *)b.data);
    CHECK(json_int(&b, "schema_version") == 0);
    CHECK(json_int(&b, "pending") == latest);
    CHECK(buf_has(&b, is_pg ? "\"backend\":\"postgresql\"" : "\"backend\":\"sqlite\""));
    CHECK(buf_has(&b, "\"applied_at\":null,\"applied\":false"));
    /* a reader refuses a store that is not at the latest version */
    prova_store *r = NULL;
    prova_error e;
    int rc = prova_store_open(loc, PROVA_STORE_READONLY, &r, &e);
    CHECK_MSG(rc == PROVA_EUNSUPPORTED && !r, "reader on a new store: %d", rc);
    if (rc == PROVA_EUNSUPPORTED) CHECK(strstr(e.message, "prova store") || strstr(e.message, "schema"));
    /* migrate applies every migration, once */
    int applied = -1;
    CHECK(prova_store_migrate(s, &applied) == 0);
    CHECK_MSG(applied == latest, "applied %d of %d", applied, latest);
    CHECK(prova_store_migrate(s, &applied) == 0 && applied == 0);
    b.len = 0;
    CHECK(prova_store_schema_status(s, &b) == 0);
    CHECK(json_int(&b, "schema_version") == latest && json_int(&b, "pending") == 0);
    CHECK(!buf_has(&b, "\"applied\":false"));
    /* PostgreSQL records when (RFC 3339), SQLite does not */
    CHECK(buf_has(&b, is_pg ? "\"applied_at\":\"20" : "\"applied_at\":null,\"applied\":true"));
    s = prova_store_close(s);
    /* now a reader opens it, and cannot migrate */
    r = open_ok(PROVA_STORE_READONLY);
    if (r) CHECK(prova_store_migrate(r, &applied) == PROVA_EINVAL);
    prova_store_close(r);
    /* a writer that migrates finds nothing to do */
    s = open_ok(0);
    if (s) CHECK(prova_store_migrate(s, &applied) == 0 && applied == 0);
    prova_store_close(s);
    prova_buf_free(&b);
}

/* A store written by a newer prova is refused by everyone. */
static void test_schema_newer(void) {
    CHECK(raw_sql(loc, is_pg ? "INSERT INTO prova_migrations(version, description) VALUES (999, 'the future')"
                             : "UPDATE prova_meta SET v = '999' WHERE k = 'schema_version'") == 0);
    static const unsigned flags[] = {0, PROVA_STORE_READONLY, PROVA_STORE_NO_MIGRATE};
    for (size_t i = 0; i < 3; i++) {
        prova_store *s = NULL;
        prova_error e;
        int rc = prova_store_open(loc, flags[i], &s, &e);
        CHECK_MSG(rc == PROVA_EUNSUPPORTED && !s, "flags %u: %d", flags[i], rc);
        if (rc == PROVA_EUNSUPPORTED) CHECK(strstr(e.message, "newer prova") != NULL);
        prova_store_close(s);
    }
    char sql[80];
    snprintf(sql, sizeof sql, "UPDATE prova_meta SET v = '%d' WHERE k = 'schema_version'", latest);
    CHECK(raw_sql(loc, is_pg ? "DELETE FROM prova_migrations WHERE version = 999" : sql) == 0);
    prova_store *s = open_ok(PROVA_STORE_READONLY);
    prova_store_close(s);
}

/* ---- OPE receipts ------------------------------------------------------------------------------------------------ */

static void test_ope(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    prova_buf b = PROVA_BUF_INIT;
    int64_t hop = -5;
    CHECK(prova_store_ope_last(s, "ope-1", &b, &hop) == PROVA_ENOTFOUND && b.len == 0 && hop == -5);
    size_t count = 9;
    CHECK(prova_store_ope_chain(s, "ope-1", &b, &count) == 0 && count == 0);
    CHECK_BUF(b, "[]");
    b.len = 0;
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_ope_append(s, "ope-1", 0, "h0", "{\"hop\":0}", 9) == 0);
    CHECK(prova_store_ope_append_logged(s, "ope-1", 1, "h1", "{\"hop\":1}", 9, 7) == 0);
    CHECK(prova_store_commit(s) == 0);
    /* a taken hop, outside and inside a transaction; inside, the transaction goes on (PostgreSQL aborts a
     * transaction on an error: the backend must not raise one for a conflict) */
    CHECK(prova_store_ope_append(s, "ope-1", 1, "hx", "{\"x\":1}", 7) == PROVA_ECONFLICT);
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_ope_append(s, "ope-1", 0, "hx", "{\"x\":1}", 7) == PROVA_ECONFLICT);
    CHECK(prova_store_ope_append(s, "ope-1", 2, "h2", "{\"hop\":2}", 9) == 0);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    CHECK(prova_store_ope_last(s, "ope-1", &b, &hop) == 0 && hop == 2);
    CHECK_BUF(b, "{\"hop\":2}");
    b.len = 0;
    CHECK(prova_store_ope_chain(s, "ope-1", &b, &count) == 0 && count == 3);
    CHECK_BUF(b, "[{\"hop\":0},{\"hop\":1},{\"hop\":2}]");
    b.len = 0;
    CHECK(prova_store_ope_chain_log(s, "ope-1", &b, &count) == 0 && count == 3);
    CHECK_BUF(b, "[null,7,null]");
    /* appended to what out holds */
    CHECK(prova_store_ope_last(s, "ope-1", &b, NULL) == 0);
    CHECK_BUF(b, "[null,7,null]{\"hop\":2}");
    CHECK(prova_store_ope_append(s, "ope-1", -1, "h", "{}", 2) == PROVA_EINVAL);
    CHECK(prova_store_ope_append(s, NULL, 3, "h", "{}", 2) == PROVA_EINVAL);
    CHECK(prova_store_ope_last(s, "ope-1", NULL, NULL) == PROVA_EINVAL);
    /* ROLLBACK outside a transaction is a no-op */
    CHECK(prova_store_rollback(s) == 0);
    prova_store_close(s);
    prova_buf_free(&b);
}

/* ---- Replay claims ------------------------------------------------------------------------------------------- */

static void test_replay(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    CHECK(prova_store_replay_claim(s, "rp-1", 100, 200) == 0);
    CHECK(prova_store_replay_claim(s, "rp-1", 150, 900) == PROVA_ECONFLICT);
    CHECK(prova_store_replay_claim(s, "rp-1", 200, 900) == PROVA_ECONFLICT); /* expires_us itself is unexpired */
    CHECK(prova_store_replay_claim(s, "rp-1", 201, 300) == 0);               /* expired: taken over */
    CHECK(prova_store_replay_claim(s, "rp-1", 250, 900) == PROVA_ECONFLICT); /* the new claim holds */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_replay_claim(s, "rp-2", 100, 400) == 0);
    CHECK(prova_store_replay_claim(s, "rp-2", 100, 400) == PROVA_ECONFLICT);
    CHECK(prova_store_replay_claim(s, "rp-3", 100, 500) == 0); /* the transaction goes on after a conflict */
    CHECK(prova_store_commit(s) == 0);
    prova_buf b = PROVA_BUF_INIT;
    size_t n = 0;
    CHECK(prova_store_replay_list(s, "rp-", 10, &b, &n) == 0 && n == 3);
    CHECK_BUF(b, "[[\"rp-1\",300],[\"rp-2\",400],[\"rp-3\",500]]");
    /* purge: the oldest expired first, at most limit */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_replay_claim(s, "rp-4", 0, 10) == 0);
    CHECK(prova_store_replay_claim(s, "rp-5", 0, 20) == 0);
    CHECK(prova_store_replay_claim(s, "rp-6", 0, 30) == 0);
    CHECK(prova_store_commit(s) == 0);
    int64_t del = -1;
    CHECK(prova_store_replay_purge(s, 35, 2, &del) == 0 && del == 2);
    b.len = 0;
    CHECK(prova_store_replay_list(s, "rp-3", 10, &b, &n) == 0 && n == 1);
    CHECK_BUF(b, "[[\"rp-6\",30]]");
    CHECK(prova_store_replay_purge(s, 35, 0, &del) == 0 && del == 1);
    CHECK(prova_store_replay_purge(s, 35, 0, NULL) == 0);
    CHECK(prova_store_replay_purge(s, 450, 0, &del) == 0 && del == 2); /* rp-1 (300), rp-2 (400) */
    b.len = 0;
    CHECK(prova_store_replay_list(s, "rp-", 10, &b, &n) == 0 && n == 1);
    CHECK_BUF(b, "[[\"rp-3\",500]]");
    CHECK(prova_store_replay_purge(s, 450, -1, &del) == PROVA_EINVAL);
    /* a purged key can be claimed again */
    CHECK(prova_store_replay_claim(s, "rp-1", 460, 999) == 0);
    CHECK(prova_store_replay_purge(s, 1000000, 0, NULL) == 0);
    prova_store_close(s);
    prova_buf_free(&b);
}

/* ---- OpenExecution ---------------------------------------------------------------------------------------------- */

static void test_oe(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_store_oe_chain_get(s, "oe-c1", &b) == PROVA_ENOTFOUND && b.len == 0);
    CHECK(prova_store_oe_chain_put(s, "oe-c1", "{\"v\":1}", 7) == 0);
    CHECK(prova_store_oe_chain_put(s, "oe-c1", "{\"v\":2}", 7) == 0); /* put replaces */
    CHECK(prova_store_oe_chain_get(s, "oe-c1", &b) == 0);
    CHECK_BUF(b, "{\"v\":2}");
    b.len = 0;
    int64_t seq = -5;
    CHECK(prova_store_oe_event_last(s, "oe-c1", &b, &seq) == PROVA_ENOTFOUND && seq == -5);
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_oe_event_append(s, "oe-c1", 0, "{\"e\":0}", 7) == 0);
    CHECK(prova_store_oe_event_append_logged(s, "oe-c1", 1, "{\"e\":1}", 7, 5) == 0);
    CHECK(prova_store_oe_event_append(s, "oe-c1", 1, "{\"e\":9}", 7) == PROVA_ECONFLICT);
    CHECK(prova_store_commit(s) == 0); /* the conflict did not spoil the transaction */
    CHECK(prova_store_oe_event_last(s, "oe-c1", &b, &seq) == 0 && seq == 1);
    CHECK_BUF(b, "{\"e\":1}");
    b.len = 0;
    size_t n = 0;
    CHECK(prova_store_oe_events(s, "oe-c1", &b, &n) == 0 && n == 2);
    CHECK_BUF(b, "[{\"e\":0},{\"e\":1}]");
    b.len = 0;
    CHECK(prova_store_oe_events_log(s, "oe-c1", &b, &n) == 0 && n == 2);
    CHECK_BUF(b, "[null,5]");
    b.len = 0;
    CHECK(prova_store_oe_events(s, "oe-none", &b, &n) == 0 && n == 0);
    CHECK_BUF(b, "[]");
    b.len = 0;
    /* certificates: put replaces, indexes included */
    int64_t li = 0, sli = 0;
    CHECK(prova_store_oe_cert_get(s, "oe-x1", &b) == PROVA_ENOTFOUND);
    CHECK(prova_store_oe_cert_log(s, "oe-x1", &li, &sli) == PROVA_ENOTFOUND);
    CHECK(prova_store_oe_cert_chain(s, "oe-x1", &b) == PROVA_ENOTFOUND && b.len == 0);
    CHECK(prova_store_oe_cert_put(s, "oe-x1", "oe-c1", "{\"s\":\"ok\"}", 10) == 0);
    CHECK(prova_store_oe_cert_log(s, "oe-x1", &li, &sli) == 0 && li == -1 && sli == -1);
    CHECK(prova_store_oe_cert_put_logged(s, "oe-x1", "oe-c1", "{\"s\":\"ok\"}", 10, 3, -1) == 0);
    CHECK(prova_store_oe_cert_log(s, "oe-x1", &li, &sli) == 0 && li == 3 && sli == -1);
    CHECK(prova_store_oe_cert_put_logged(s, "oe-x1", "oe-c2", "{\"s\":\"revoked\"}", 15, 3, 9) == 0);
    CHECK(prova_store_oe_cert_log(s, "oe-x1", &li, &sli) == 0 && li == 3 && sli == 9);
    CHECK(prova_store_oe_cert_log(s, "oe-x1", NULL, NULL) == 0);
    CHECK(prova_store_oe_cert_get(s, "oe-x1", &b) == 0);
    CHECK_BUF(b, "{\"s\":\"revoked\"}");
    b.len = 0;
    CHECK(prova_store_oe_cert_chain(s, "oe-x1", &b) == 0);
    CHECK_BUF(b, "oe-c2");
    prova_store_close(s);
    prova_buf_free(&b);
}

/* ---- The log: sequence, savepoints, tiles, checkpoints ---------------------------------------------------------- */

static int64_t log_size(prova_store *s) {
    int64_t n = -1;
    CHECK(prova_store_log_size(s, &n) == 0);
    return n;
}

static int64_t append(prova_store *s, const char *entry) {
    int64_t idx = -1;
    int rc = prova_store_log_append(s, entry, strlen(entry), 42, &idx);
    CHECK_MSG(rc == 0, "append %s: %d %s", entry, rc, prova_store_errmsg(s));
    return idx;
}

static void test_log(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    prova_buf b = PROVA_BUF_INIT;
    int64_t hop = 0;
    CHECK(log_size(s) == 0);
    CHECK(prova_store_log_get(s, 0, &b) == PROVA_ENOTFOUND);
    /* a batch of three requests, the second rolled back: its rows go, its index is reused */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e0") == 0);
    CHECK(prova_store_ope_append_logged(s, "log-t", 0, "h", "{\"a\":0}", 7, 0) == 0);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "undone") == 1);
    CHECK(prova_store_ope_append_logged(s, "log-t", 1, "h", "{\"undone\":1}", 12, 1) == 0);
    CHECK(prova_store_oe_chain_put(s, "log-undone", "{}", 2) == 0);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e1") == 1);
    CHECK(prova_store_ope_last(s, "log-t", &b, &hop) == 0 && hop == 0); /* the undone receipt is gone */
    CHECK(prova_store_ope_append_logged(s, "log-t", 1, "h", "{\"a\":1}", 7, 1) == 0);
    CHECK(prova_store_release(s) == 0);
    /* rollback_to after a conflict undoes only that request */
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e2") == 2);
    CHECK(prova_store_ope_append(s, "log-t", 1, "h", "{}", 2) == PROVA_ECONFLICT);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e2") == 2);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    CHECK(log_size(s) == 3);
    b.len = 0;
    CHECK(prova_store_oe_chain_get(s, "log-undone", &b) == PROVA_ENOTFOUND);
    size_t n = 0;
    CHECK(prova_store_ope_chain(s, "log-t", &b, &n) == 0 && n == 2);
    CHECK_BUF(b, "[{\"a\":0},{\"a\":1}]");
    /* a rolled-back transaction gives its indexes back */
    CHECK(prova_store_begin(s) == 0);
    CHECK(append(s, "lost") == 3);
    CHECK(append(s, "lost too") == 4);
    CHECK(prova_store_rollback(s) == 0);
    CHECK(prova_store_rollback(s) == 0); /* again: a no-op */
    CHECK(log_size(s) == 3);
    /* savepoints in which nothing ran, released or rolled back, around one that did */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e3") == 3);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    /* lookups and limits */
    static char big[PROVA_STORE_LOG_ENTRY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    CHECK(prova_store_log_append(s, big, PROVA_STORE_LOG_ENTRY_MAX + 1, 1, NULL) == PROVA_ELIMIT);
    CHECK(prova_store_log_append(s, "", 0, 1, NULL) == PROVA_EINVAL);
    b.len = 0;
    CHECK(prova_store_log_get(s, 1, &b) == 0);
    CHECK_BUF(b, "e1");
    CHECK(prova_store_log_get(s, 4, &b) == PROVA_ENOTFOUND && b.len == 2);
    CHECK(prova_store_log_get(s, -1, &b) == PROVA_EINVAL);
    /* entry bundles: 2-byte big-endian length, bytes; fewer at the end of the log */
    b.len = 0;
    CHECK(prova_store_log_entries(s, 1, 3, &b, &n) == 0 && n == 2);
    CHECK(b.len == 8 && memcmp(b.data, "\0\2e1\0\2e2", 8) == 0);
    b.len = 0;
    CHECK(prova_store_log_entries(s, 2, 100, &b, &n) == 0 && n == 2);
    CHECK(b.len == 8 && memcmp(b.data, "\0\2e2\0\2e3", 8) == 0);
    b.len = 0;
    CHECK(prova_store_log_entries(s, 7, 9, &b, &n) == 0 && n == 0 && b.len == 0);
    CHECK(prova_store_log_entries(s, 1, 1, &b, &n) == 0 && n == 0 && b.len == 0);
    CHECK(prova_store_log_entries(s, 2, 1, &b, &n) == PROVA_EINVAL);
    /* the largest entry, and one of every byte value: bytes as they were */
    CHECK(prova_store_begin(s) == 0);
    int64_t idx = -1;
    CHECK(prova_store_log_append(s, big, PROVA_STORE_LOG_ENTRY_MAX, 1, &idx) == 0 && idx == 4);
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    CHECK(prova_store_log_append(s, all, sizeof all, 1, &idx) == 0 && idx == 5);
    CHECK(prova_store_commit(s) == 0);
    CHECK(prova_store_log_get(s, 4, &b) == 0 && b.len == PROVA_STORE_LOG_ENTRY_MAX);
    b.len = 0;
    CHECK(prova_store_log_entries(s, 4, 6, &b, &n) == 0 && n == 2);
    CHECK(b.len == 2 + PROVA_STORE_LOG_ENTRY_MAX + 2 + 256 && b.data[0] == 0xff && b.data[1] == 0xff);
    if (b.len == 2 + PROVA_STORE_LOG_ENTRY_MAX + 2 + 256)
        CHECK(b.data[2 + PROVA_STORE_LOG_ENTRY_MAX] == 1 && b.data[3 + PROVA_STORE_LOG_ENTRY_MAX] == 0 &&
              memcmp(b.data + 4 + PROVA_STORE_LOG_ENTRY_MAX, all, 256) == 0);

    /* tiles: replaced as a partial tile grows */
    unsigned char tile[64];
    for (int i = 0; i < 64; i++) tile[i] = (unsigned char)(i * 7);
    b.len = 0;
    CHECK(prova_store_log_tile_get(s, 0, 0, &b) == PROVA_ENOTFOUND && b.len == 0);
    CHECK(prova_store_log_tile_put(s, 0, 0, tile, 32) == 0);
    CHECK(prova_store_log_tile_get(s, 0, 0, &b) == 0 && b.len == 32 && memcmp(b.data, tile, 32) == 0);
    CHECK(prova_store_log_tile_put(s, 0, 0, tile, 64) == 0);
    b.len = 0;
    CHECK(prova_store_log_tile_get(s, 0, 0, &b) == 0 && b.len == 64 && memcmp(b.data, tile, 64) == 0);
    CHECK(prova_store_log_tile_put(s, 63, 1, tile + 32, 32) == 0);
    b.len = 0;
    CHECK(prova_store_log_tile_get(s, 63, 1, &b) == 0 && b.len == 32 && memcmp(b.data, tile + 32, 32) == 0);
    CHECK(prova_store_log_tile_get(s, 1, 0, &b) == PROVA_ENOTFOUND);
    CHECK(prova_store_log_tile_put(s, 64, 0, tile, 32) == PROVA_EINVAL);
    CHECK(prova_store_log_tile_put(s, 0, 0, tile, 0) == PROVA_EINVAL);

    /* checkpoints: the latest, and the list in recorded order with paging */
    b.len = 0;
    int64_t size = -1;
    CHECK(prova_store_log_checkpoint_latest(s, &b, &size) == PROVA_ENOTFOUND && b.len == 0 && size == -1);
    CHECK(prova_store_log_checkpoint_put(s, 1, "note one\n", 9, 1000) == 0);
    CHECK(prova_store_log_checkpoint_put(s, 3, "note \"two\"\n", 11, 2000) == 0);
    CHECK(prova_store_log_checkpoint_latest(s, &b, &size) == 0 && size == 3);
    CHECK_BUF(b, "note \"two\"\n");
    b.len = 0;
    CHECK(prova_store_log_checkpoints(s, 0, 10, &b, &n) == 0 && n == 2);
    CHECK_BUF(b, "[{\"size\":1,\"time_us\":1000,\"note\":\"note one\\n\"},"
                 "{\"size\":3,\"time_us\":2000,\"note\":\"note \\\"two\\\"\\n\"}]");
    b.len = 0;
    CHECK(prova_store_log_checkpoints(s, 1, 1, &b, &n) == 0 && n == 1);
    CHECK_BUF(b, "[{\"size\":3,\"time_us\":2000,\"note\":\"note \\\"two\\\"\\n\"}]");
    b.len = 0;
    CHECK(prova_store_log_checkpoints(s, 0, 1, &b, &n) == 0 && n == 1);
    CHECK(prova_store_log_checkpoints(s, 5, 1, &b, &n) == 0 && n == 0);
    CHECK(prova_store_log_checkpoints(s, 0, 0, &b, &n) == PROVA_EINVAL);

    /* the integrator: this connection leads (SQLite: always; PostgreSQL: nobody else holds the lock) */
    bool leading = false;
    CHECK(prova_store_log_lead(s, &leading) == 0 && leading);
    CHECK(prova_store_log_lead(s, &leading) == 0 && leading);
    prova_store_close(s);
    prova_buf_free(&b);
}

/* Appends inside a write transaction (on PostgreSQL the index is counted under the write lock and the insert goes
 * with the next statement): several in one savepoint undone and taken again without a gap, whether they were sent
 * or not; the transaction's own reads see them; a rollback drops them; more than one round trip's worth; durable
 * at commit for another connection, and invisible to it before. */
static void test_log_queue(void) {
    prova_store *s = open_ok(0), *other = open_ok(PROVA_STORE_READONLY);
    prova_buf b = PROVA_BUF_INIT;
    size_t n = 0;
    if (!s || !other) goto out;
    int64_t base = log_size(s), idx = -1;
    CHECK(prova_store_begin(s) == 0);
    /* undone before anything was sent */
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "undone-0") == base);
    CHECK(append(s, "undone-1") == base + 1);
    CHECK(append(s, "undone-2") == base + 2);
    CHECK(prova_store_rollback_to(s) == 0);
    /* undone after the savepoint was sent (a statement ran in it), the appends not */
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_oe_chain_put(s, "queue-undone", "{}", 2) == 0);
    CHECK(append(s, "undone-3") == base);
    CHECK(append(s, "undone-4") == base + 1);
    CHECK(prova_store_rollback_to(s) == 0);
    /* undone after they were sent (a read ran after them: it sees them) */
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "undone-5") == base);
    CHECK(append(s, "undone-6") == base + 1);
    CHECK(log_size(s) == base + 2);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(log_size(s) == base);
    /* the same indexes again, kept; the transaction's reads see what was appended just before them */
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "q0") == base);
    CHECK(append(s, "q1") == base + 1);
    CHECK(log_size(s) == base + 2);
    CHECK(append(s, "q2") == base + 2);
    CHECK(prova_store_log_get(s, base + 2, &b) == 0);
    CHECK_BUF(b, "q2");
    CHECK(append(s, "q3") == base + 3);
    b.len = 0;
    CHECK(prova_store_log_entries(s, base, base + 10, &b, &n) == 0 && n == 4);
    CHECK(b.len == 16 && memcmp(b.data, "\0\2q0\0\2q1\0\2q2\0\2q3", 16) == 0);
    CHECK(append(s, "q4") == base + 4); /* nothing after it in its savepoint */
    CHECK(prova_store_release(s) == 0);
    /* a request kept (its append not sent), the next one undone before anything of it was sent */
    CHECK(prova_store_savepoint(s) == 0);
    char mine[3] = "q5";
    CHECK(prova_store_log_append(s, mine, 2, 42, &idx) == 0 && idx == base + 5);
    memcpy(mine, "XX", 2); /* the caller's bytes may change (or be freed) once the call returned */
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "undone-7") == base + 6);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(log_size(other) == base); /* nothing before the commit */
    CHECK(prova_store_commit(s) == 0);
    CHECK(prova_store_oe_chain_get(s, "queue-undone", &b) == PROVA_ENOTFOUND);
    /* durable: another connection sees every entry, in order, without a gap */
    CHECK(log_size(other) == base + 6);
    b.len = 0;
    CHECK(prova_store_log_entries(other, base, base + 10, &b, &n) == 0 && n == 6);
    CHECK(b.len == 24 && memcmp(b.data, "\0\2q0\0\2q1\0\2q2\0\2q3\0\2q4\0\2q5", 24) == 0);
    /* a rollback drops what was appended, sent or not */
    CHECK(prova_store_begin(s) == 0);
    CHECK(append(s, "lost-0") == base + 6);
    CHECK(log_size(s) == base + 7);
    CHECK(append(s, "lost-1") == base + 7);
    CHECK(prova_store_rollback(s) == 0);
    CHECK(log_size(s) == base + 6);
    /* many appends in a row, small and large (more than one round trip's worth on PostgreSQL), then commit */
    static char big[PROVA_STORE_LOG_ENTRY_MAX];
    CHECK(prova_store_begin(s) == 0);
    for (int i = 0; i < 150; i++) {
        char e[16];
        snprintf(e, sizeof e, "m%d", i);
        CHECK(append(s, e) == base + 6 + i);
    }
    for (int i = 0; i < 8; i++) {
        memset(big, 'a' + i, sizeof big);
        CHECK(prova_store_log_append(s, big, sizeof big - (size_t)i, 1, &idx) == 0 && idx == base + 156 + i);
    }
    CHECK(prova_store_commit(s) == 0);
    CHECK(log_size(other) == base + 164);
    b.len = 0;
    CHECK(prova_store_log_get(other, base + 6, &b) == 0);
    CHECK_BUF(b, "m0");
    b.len = 0;
    CHECK(prova_store_log_get(other, base + 155, &b) == 0);
    CHECK_BUF(b, "m149");
    for (int i = 0; i < 8; i++) {
        b.len = 0;
        CHECK(prova_store_log_get(other, base + 156 + i, &b) == 0 && b.len == sizeof big - (size_t)i);
        CHECK(b.len > 0 && b.data[0] == 'a' + i && b.data[b.len - 1] == 'a' + i);
    }
out:
    prova_store_close(s);
    prova_store_close(other);
    prova_buf_free(&b);
}

/* A missing index before the end of the log is a damaged store: PROVA_EIO, out unchanged. */
static void test_log_damaged(void) {
    CHECK(raw_sql(loc, "DELETE FROM log_entries WHERE idx = 2") == 0);
    prova_store *s = open_ok(PROVA_STORE_READONLY);
    if (!s) return;
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_buf_append(&b, "keep", 4) == 0);
    size_t n = 99;
    CHECK(prova_store_log_entries(s, 0, 4, &b, &n) == PROVA_EIO && n == 99);
    CHECK_BUF(b, "keep");
    CHECK(strstr(prova_store_errmsg(s), "log entry 2") != NULL);
    CHECK(prova_store_log_entries(s, 0, 2, &b, &n) == 0 && n == 2); /* before the hole: fine */
    prova_store_close(s);
    prova_buf_free(&b);
}

/* ---- Listing and paging ------------------------------------------------------------------------------------------ */

/* Lists everything in pages of 2 and at once: the same keys, in strictly ascending byte order, want among them in
 * this order. */
static void check_listing(prova_store *s, int (*list)(prova_store *, const char *, size_t, prova_buf *, size_t *),
                          const char *const *want, size_t nwant) {
    static char all[64][64], page[64][64];
    prova_buf b = PROVA_BUF_INIT;
    size_t n = 0;
    CHECK(list(s, NULL, 64, &b, &n) == 0);
    size_t nall = strings_of(&b, all, 64);
    CHECK_MSG(nall == n && n < 64, "%zu strings, count %zu: %.*s", nall, n, (int)b.len, (const char *)b.data);
    for (size_t i = 1; i < nall; i++) CHECK_MSG(strcmp(all[i - 1], all[i]) < 0, "%s before %s", all[i - 1], all[i]);
    size_t at = 0;
    for (size_t i = 0; i < nall && at < nwant; i++)
        if (strcmp(all[i], want[at]) == 0) at++;
    CHECK_MSG(at == nwant, "found %zu of %zu keys in order", at, nwant);
    /* pages: "after" the last key of the previous one; a short page is the end */
    char after[64] = "";
    size_t total = 0;
    for (int guard = 0; guard < 64; guard++) {
        b.len = 0;
        CHECK(list(s, after, 2, &b, &n) == 0);
        size_t k = strings_of(&b, page, 64);
        CHECK(k == n && n <= 2);
        for (size_t i = 0; i < k && total + i < nall; i++) CHECK_STR(page[i], all[total + i]);
        total += k;
        if (n < 2) break;
        snprintf(after, sizeof after, "%s", page[k - 1]);
    }
    CHECK(total == nall);
    b.len = 0;
    CHECK(list(s, NULL, 0, &b, &n) == PROVA_EINVAL);
    prova_buf_free(&b);
}

static void test_listing(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    /* byte order: upper case before lower case, UTF-8 (é = C3 A9) after ASCII */
    static const char *const keys[] = {"L-Z", "L-a", "L-b", "L-c", "L-\xc3\xa9"};
    const char *const order[] = {keys[0], keys[1], keys[2], keys[3], keys[4]};
    const size_t nk = sizeof keys / sizeof keys[0];
    CHECK(prova_store_begin(s) == 0);
    for (size_t i = nk; i-- > 0;) {
        CHECK(prova_store_ope_append(s, keys[i], 0, "h", "{}", 2) == 0);
        CHECK(prova_store_ope_append(s, keys[i], 1, "h", "{}", 2) == 0); /* a trace is listed once */
        CHECK(prova_store_oe_chain_put(s, keys[i], "{}", 2) == 0);
        CHECK(prova_store_oe_cert_put(s, keys[i], "c", "{}", 2) == 0);
        CHECK(prova_store_replay_claim(s, keys[i], 0, INT64_MAX - 1) == 0);
    }
    CHECK(prova_store_commit(s) == 0);
    check_listing(s, prova_store_ope_traces, order, nk);
    check_listing(s, prova_store_oe_chain_ids, order, nk);
    check_listing(s, prova_store_oe_cert_ids, order, nk);
    check_listing(s, prova_store_replay_list, order, nk);
    prova_buf b = PROVA_BUF_INIT;
    size_t n = 0;
    CHECK(prova_store_replay_list(s, "L-c", 1, &b, &n) == 0 && n == 1);
    CHECK_BUF(b, "[[\"L-\xc3\xa9\",9223372036854775806]]");
    b.len = 0;
    CHECK(prova_store_ope_traces(s, "\xf4\x8f\xbf\xbf", 5, &b, &n) == 0 && n == 0); /* after U+10FFFF */
    CHECK_BUF(b, "[]");
    CHECK(prova_store_replay_purge(s, INT64_MAX, 0, NULL) == 0);
    prova_store_close(s);
    prova_buf_free(&b);
}

/* ---- Records are the bytes that were stored ------------------------------------------------------------------ */

static void test_bytes_exact(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    /* not canonical on purpose (spaces, key order, escapes the store must not touch), and every kind of UTF-8 */
    static const char json[] = "{ \"z\" : \"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\","
                               " \"a\":\"tab\\t nl\\n quote\\\" bs\\\\ nul\\u0000 \\ud83d\\ude00 \\/\","
                               "\"n\":1.50e+00,  \"big\":123456789012345678901234567890 }";
    const size_t len = sizeof json - 1;
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_ope_append(s, "bx-\xe2\x82\xac", 0, "h", json, len) == 0);
    CHECK(prova_store_oe_chain_put(s, "bx-c", json, len) == 0);
    CHECK(prova_store_oe_event_append(s, "bx-c", 0, json, len) == 0);
    CHECK(prova_store_oe_cert_put(s, "bx-x", "bx-c", json, len) == 0);
    CHECK(prova_store_commit(s) == 0);
    prova_store *r = open_ok(PROVA_STORE_READONLY);
    prova_store *both[2] = {s, r};
    for (int k = 0; k < 2 && r; k++) {
        prova_buf b = PROVA_BUF_INIT;
        int64_t num;
        CHECK(prova_store_ope_last(both[k], "bx-\xe2\x82\xac", &b, &num) == 0);
        CHECK_BUF(b, json);
        b.len = 0;
        CHECK(prova_store_oe_chain_get(both[k], "bx-c", &b) == 0);
        CHECK_BUF(b, json);
        b.len = 0;
        CHECK(prova_store_oe_event_last(both[k], "bx-c", &b, &num) == 0);
        CHECK_BUF(b, json);
        b.len = 0;
        CHECK(prova_store_oe_cert_get(both[k], "bx-x", &b) == 0);
        CHECK_BUF(b, json);
        b.len = 0;
        size_t n;
        CHECK(prova_store_ope_chain(both[k], "bx-\xe2\x82\xac", &b, &n) == 0 && n == 1);
        CHECK(b.len == len + 2 && b.data[0] == '[' && memcmp(b.data + 1, json, len) == 0);
        prova_buf_free(&b);
    }
    prova_store_close(r);
    prova_store_close(s);
}

/* ---- Readers ----------------------------------------------------------------------------------------------------- */

static void test_reader(void) {
    prova_store *w = open_ok(0), *r = open_ok(PROVA_STORE_READONLY);
    if (!w || !r) {
        prova_store_close(w);
        prova_store_close(r);
        return;
    }
    /* a reader refuses writes */
    CHECK(prova_store_ope_append(r, "rd-1", 0, "h", "{}", 2) == PROVA_EIO);
    CHECK(prova_store_errmsg(r)[0] != 0);
    CHECK(prova_store_oe_chain_put(r, "rd-1", "{}", 2) == PROVA_EIO);
    CHECK(prova_store_replay_claim(r, "rd-1", 0, 1) == PROVA_EIO);
    /* a snapshot: what the writer commits meanwhile is not seen until it ends */
    int64_t before = log_size(r);
    CHECK(prova_store_read_begin(r) == 0);
    CHECK(log_size(r) == before);
    CHECK(prova_store_begin(w) == 0);
    CHECK(append(w, "snapshot") == before);
    CHECK(prova_store_ope_append(w, "rd-2", 0, "h", "{}", 2) == 0);
    CHECK(prova_store_commit(w) == 0);
    prova_buf b = PROVA_BUF_INIT;
    CHECK(log_size(r) == before);
    CHECK(prova_store_ope_last(r, "rd-2", &b, NULL) == PROVA_ENOTFOUND);
    CHECK(prova_store_rollback(r) == 0);
    CHECK(log_size(r) == before + 1);
    CHECK(prova_store_ope_last(r, "rd-2", &b, NULL) == 0);
    CHECK_BUF(b, "{}");
    prova_store_close(w);
    prova_store_close(r);
    prova_buf_free(&b);
}

/* ---- Counts and size ------------------------------------------------------------------------------------------- */

static void test_counts(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    prova_store_counts a, c;
    CHECK(prova_store_counts_sizeof() == sizeof a);
    CHECK(prova_store_counts_get(s, &a) == 0);
    CHECK(a.bytes > 0 && prova_store_bytes(s) > 0);
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_ope_append(s, "cnt-1", 0, "h", "{}", 2) == 0);
    CHECK(prova_store_ope_append(s, "cnt-1", 1, "h", "{}", 2) == 0);
    CHECK(prova_store_replay_claim(s, "cnt-1", 0, INT64_MAX) == 0);
    CHECK(prova_store_oe_chain_put(s, "cnt-1", "{}", 2) == 0);
    CHECK(prova_store_oe_event_append(s, "cnt-1", 0, "{}", 2) == 0);
    CHECK(prova_store_oe_cert_put(s, "cnt-1", "cnt-1", "{}", 2) == 0);
    CHECK(prova_store_commit(s) == 0);
    /* inside a transaction too, right after a savepoint */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_counts_get(s, &c) == 0 && c.receipts == a.receipts + 2);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    CHECK(prova_store_counts_get(s, &c) == 0);
    CHECK(c.receipts == a.receipts + 2 && c.traces == a.traces + 1 && c.replay_claims == a.replay_claims + 1);
    CHECK(c.chains == a.chains + 1 && c.events == a.events + 1 && c.certificates == a.certificates + 1);
    CHECK(prova_store_bytes(s) == (is_pg ? c.bytes : prova_store_bytes(s)));
    CHECK(prova_store_bytes(NULL) == 0);
    CHECK(prova_store_counts_get(s, NULL) == PROVA_EINVAL);
    prova_store_close(s);
}

/* ---- Browsing (schema 5): keyset pages, filters, proofs, and the migration from schema 4 ------------------------- */

#define BW_BASE 3786912000000000LL /* 2090-01-01: only this test's rows are at or after it */

/* The values of member key of the page's items (strings, or integers printed), n of them. */
static size_t page_keys(const prova_buf *b, const char *key, char out[][80], size_t cap) {
    prova_doc *d = NULL;
    prova_parse_options po = {0};
    po.max_size = 1u << 30;
    if (prova_json_parse(b->data, b->len, &po, &d, NULL) < 0) return (size_t)-1;
    const prova_json *a = prova_doc_root(d);
    size_t n = 0;
    for (size_t i = 0; i < prova_json_len(a) && n < cap; i++) {
        const prova_json *v = prova_json_get(prova_json_at(a, i), key);
        if (prova_json_is_string(v))
            snprintf(out[n++], 80, "%s", prova_json_str(v));
        else if (v && v->type == PROVA_JSON_NUMBER)
            snprintf(out[n++], 80, "%s", v->u.str);
        else
            snprintf(out[n++], 80, "null");
    }
    prova_doc_free(d);
    return n;
}

/* A member (string or number as text) of item i of the page. */
static void page_member(const prova_buf *b, size_t i, const char *key, char out[80]) {
    char all[64][80];
    size_t n = page_keys(b, key, all, 64);
    snprintf(out, 80, "%s", n != (size_t)-1 && i < n ? all[i] : "?");
}

enum { BW_TRACES = 40 };

/* Pages the traces with limit lim from the newest (filters kid, pt): their ids in order into got. */
static size_t trace_pages(prova_store *s, size_t lim, const char *kid, const char *pt, char got[][80], size_t cap) {
    int64_t before = INT64_MAX;
    char before_id[80] = "";
    size_t n = 0;
    for (int guard = 0; guard < 1000; guard++) {
        prova_buf b = PROVA_BUF_INIT;
        size_t k = 0;
        int rc = prova_store_ope_trace_list(s, before, before_id, BW_BASE, INT64_MAX, kid, pt, lim, &b, &k);
        CHECK_MSG(rc == 0, "trace_list: %d %s", rc, prova_store_errmsg(s));
        static char ids[PROVA_STORE_PAGE_MAX][80], us[PROVA_STORE_PAGE_MAX][80];
        size_t ni = page_keys(&b, "trace_id", ids, PROVA_STORE_PAGE_MAX),
               nu = page_keys(&b, "last_us", us, PROVA_STORE_PAGE_MAX);
        CHECK(ni == k && nu == k && k <= lim);
        prova_buf_free(&b);
        if (rc < 0 || ni != k) return n;
        for (size_t i = 0; i < k && n < cap; i++) snprintf(got[n++], 80, "%.79s", ids[i]);
        if (k < lim) break;
        before = strtoll(us[k - 1], NULL, 10);
        snprintf(before_id, sizeof before_id, "%.79s", ids[k - 1]);
    }
    return n;
}

static void test_browse(void) {
    prova_store *s = open_ok(0);
    if (!s) return;
    /* 40 traces, 1..3 hops each; trace i's last receipt at BW_BASE + (i / 2) s (pairs tie: the id breaks it);
     * sender kid "k-even"/"k-odd", payload type "pt-<i % 3>"; hop 1 of trace 7 by sender "k-seven". */
    CHECK(prova_store_begin(s) == 0);
    for (int i = 0; i < BW_TRACES; i++) {
        char id[32], hash[80];
        snprintf(id, sizeof id, "bw-%02d", i);
        int hops = i % 3 + 1;
        for (int h = 0; h < hops; h++) {
            char pt[16];
            snprintf(pt, sizeof pt, "pt-%d", i % 3);
            snprintf(hash, sizeof hash, "%064d", i * 10 + h);
            int64_t ts = BW_BASE + (int64_t)(i / 2) * 1000000 - (hops - 1 - h) * 1000;
            const char *kid = i == 7 && h == 1 ? "k-seven" : i % 2 ? "k-odd" : "k-even";
            CHECK(prova_store_ope_append_meta(s, id, h, hash, "{}", 2, -1, ts, "gw-kid", kid, pt) == 0);
        }
    }
    /* a taken hop is still a conflict, and leaves the summary alone */
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_ope_append_meta(s, "bw-00", 0, "x", "{}", 2, -1, BW_BASE * 2, NULL, NULL, NULL) ==
          PROVA_ECONFLICT);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_commit(s) == 0);

    /* every page size lists every trace exactly once, newest first, ties by id descending */
    char want[BW_TRACES][80], got[BW_TRACES + 8][80];
    for (int i = 0; i < BW_TRACES; i++) snprintf(want[i], 80, "bw-%02d", BW_TRACES - 1 - i);
    static const size_t lims[] = {1, 3, 7, 40, 500};
    for (size_t l = 0; l < sizeof lims / sizeof lims[0]; l++) {
        size_t n = trace_pages(s, lims[l], NULL, NULL, got, BW_TRACES + 8);
        CHECK_MSG(n == BW_TRACES, "limit %zu: %zu traces", lims[l], n);
        for (size_t i = 0; i < n && i < BW_TRACES; i++)
            CHECK_MSG(strcmp(got[i], want[i]) == 0, "limit %zu #%zu: %s, want %s", lims[l], i, got[i], want[i]);
    }
    /* one page's members */
    prova_buf b = PROVA_BUF_INIT;
    size_t k = 0;
    char v[80];
    CHECK(prova_store_ope_trace_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, "k-seven", NULL, 5, &b, &k) == 0 &&
          k == 1);
    page_member(&b, 0, "trace_id", v);
    CHECK_STR(v, "bw-07");
    page_member(&b, 0, "hops", v);
    CHECK_STR(v, "2");
    page_member(&b, 0, "first_us", v);
    CHECK(strtoll(v, NULL, 10) == BW_BASE + 3 * 1000000 - 1000);
    page_member(&b, 0, "last_receipt_hash", v);
    CHECK(strtoll(v, NULL, 10) == 71);
    CHECK_MSG(buf_has(&b, "\"kids\":[\"k-odd\",\"gw-kid\",\"k-seven\"]"), "%.*s", (int)b.len, b.data);
    CHECK(buf_has(&b, "\"payload_types\":[\"pt-1\"]"));
    prova_buf_free(&b);
    /* filters: kid (a sender's or the gateway's), payload_type, both; paged too */
    size_t n = trace_pages(s, 3, "k-odd", NULL, got, BW_TRACES + 8);
    CHECK(n == BW_TRACES / 2);
    for (size_t i = 0; i < n; i++) CHECK(atoi(got[i] + 3) % 2 == 1);
    CHECK(trace_pages(s, 4, "gw-kid", NULL, got, BW_TRACES + 8) == BW_TRACES);
    n = trace_pages(s, 2, NULL, "pt-2", got, BW_TRACES + 8);
    CHECK(n == 13);
    for (size_t i = 0; i < n; i++) CHECK(atoi(got[i] + 3) % 3 == 2);
    n = trace_pages(s, 2, "k-even", "pt-0", got, BW_TRACES + 8);
    CHECK(n == 7); /* i even and i % 3 == 0: 0, 6, ..., 36 */
    CHECK(trace_pages(s, 2, "nobody", NULL, got, BW_TRACES + 8) == 0);
    /* since/until: [BW_BASE + 5 s, BW_BASE + 8 s) holds the traces 10..15 */
    CHECK(prova_store_ope_trace_list(s, BW_BASE + 8000000, NULL, BW_BASE + 5000000, BW_BASE + 8000000, NULL, NULL, 50,
                                     &b, &k) == 0 &&
          k == 6);
    page_member(&b, 0, "trace_id", v);
    CHECK_STR(v, "bw-15");
    page_member(&b, 5, "trace_id", v);
    CHECK_STR(v, "bw-10");
    prova_buf_free(&b);
    /* bad arguments */
    CHECK(prova_store_ope_trace_list(s, INT64_MAX, NULL, 0, INT64_MAX, NULL, NULL, 0, &b, &k) == PROVA_EINVAL);
    CHECK(prova_store_ope_trace_list(s, INT64_MAX, NULL, 0, INT64_MAX, NULL, NULL, PROVA_STORE_PAGE_MAX + 1, &b, &k) ==
          PROVA_EINVAL);
    CHECK(prova_store_ope_trace_list(s, INT64_MAX, NULL, 10, 5, NULL, NULL, 5, &b, &k) == PROVA_EINVAL);

    /* chains and certificates: their columns read from the records */
    CHECK(prova_store_begin(s) == 0);
    static const char *const st[] = {"open", "resolved", "certified", "revoked"};
    for (int i = 0; i < 8; i++) {
        char id[32], rec[256];
        snprintf(id, sizeof id, "bw-chain-%d", i);
        int len = snprintf(rec, sizeof rec,
                           "{\"chain_type\":\"manual\",\"created_at\":\"2090-01-01T00:00:0%d.000Z\",\"event_count\":%d,"
                           "\"status\":\"%s\",\"updated_at\":\"2090-01-02T00:00:0%d.000Z\"}",
                           i, i, st[i % 4], i);
        CHECK(prova_store_oe_chain_put(s, id, rec, (size_t)len) == 0);
    }
    for (int i = 0; i < 4; i++) {
        char id[32], chain[32], rec[300];
        snprintf(id, sizeof id, "bw-cert-%d", i);
        snprintf(chain, sizeof chain, "bw-chain-%d", i % 2 ? 2 : 6);
        int len = snprintf(rec, sizeof rec, "{\"certificate\":{\"issued_at\":\"2090-01-03T00:00:0%d.000Z\"}%s}", i,
                           i == 1   ? ",\"status\":{\"status\":\"revoked\"}"
                           : i == 2 ? ",\"status\":{\"status\":\"superseded\",\"superseded_by\":\"bw-cert-3\"}"
                                    : "");
        CHECK(prova_store_oe_cert_put_logged(s, id, chain, rec, (size_t)len, 100 + i, -1) == 0);
    }
    CHECK(prova_store_commit(s) == 0);
    int rc = prova_store_oe_chain_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, NULL, 3, &b, &k);
    CHECK_MSG(rc == 0 && k == 3, "chain_list: %d %zu %s", rc, k, prova_store_errmsg(s));
    char keys[16][80];
    CHECK(page_keys(&b, "chain_id", keys, 16) == 3 && strcmp(keys[0], "bw-chain-7") == 0 &&
          strcmp(keys[2], "bw-chain-5") == 0);
    page_member(&b, 0, "status", v);
    CHECK_STR(v, "revoked");
    page_member(&b, 0, "events", v);
    CHECK_STR(v, "7");
    page_member(&b, 0, "chain_type", v);
    CHECK_STR(v, "manual");
    page_member(&b, 0, "certificate_id", v);
    CHECK_STR(v, "null");
    prova_buf_free(&b);
    CHECK(prova_store_oe_chain_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, "certified", 10, &b, &k) == 0 && k == 2);
    CHECK(page_keys(&b, "chain_id", keys, 16) == 2 && strcmp(keys[0], "bw-chain-6") == 0 &&
          strcmp(keys[1], "bw-chain-2") == 0);
    page_member(&b, 0, "certificate_id", v); /* the newest certificate of chain 6: cert 2 */
    CHECK_STR(v, "bw-cert-2");
    page_member(&b, 0, "updated_us", v);
    CHECK(strtoll(v, NULL, 10) == BW_BASE + 86400LL * 1000000 + 6000000);
    prova_buf_free(&b);
    CHECK(prova_store_oe_cert_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, NULL, NULL, 10, &b, &k) == 0 && k == 4);
    CHECK(page_keys(&b, "certificate_id", keys, 16) == 4 && strcmp(keys[0], "bw-cert-3") == 0);
    page_member(&b, 0, "status", v);
    CHECK_STR(v, "active");
    page_member(&b, 1, "superseded_by", v);
    CHECK_STR(v, "bw-cert-3");
    page_member(&b, 3, "log_index", v);
    CHECK_STR(v, "100");
    prova_buf_free(&b);
    CHECK(prova_store_oe_cert_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, "bw-chain-2", NULL, 10, &b, &k) == 0 &&
          k == 2);
    prova_buf_free(&b);
    CHECK(prova_store_oe_cert_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, "bw-chain-2", "revoked", 10, &b, &k) == 0 &&
          k == 1 && buf_has(&b, "bw-cert-1"));
    prova_buf_free(&b);
    /* the position after cert 2: cert 1, cert 0 */
    CHECK(prova_store_oe_cert_list(s, BW_BASE + 2 * 86400LL * 1000000 + 2000000, "bw-cert-2", BW_BASE, INT64_MAX, NULL,
                                   NULL, 10, &b, &k) == 0 &&
          k == 2);
    CHECK(page_keys(&b, "certificate_id", keys, 16) == 2 && strcmp(keys[0], "bw-cert-1") == 0);
    prova_buf_free(&b);

    /* proof records: stored once, read back, listed newest first */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_proof_put(s, "bw-p1", "{\"p\":1}", 7, BW_BASE + 1, 7) == 0);
    CHECK(prova_store_proof_put(s, "bw-p2", "{\"p\":2}", 7, BW_BASE + 2, -1) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(prova_store_proof_put(s, "bw-p1", "{\"p\":9}", 7, BW_BASE + 3, 8) == PROVA_ECONFLICT);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    int64_t li = -2;
    CHECK(prova_store_proof_get(s, "bw-p1", &b, &li) == 0 && buf_is(&b, "{\"p\":1}") && li == 7);
    b.len = 0;
    CHECK(prova_store_proof_get(s, "bw-p2", &b, &li) == 0 && li == -1);
    b.len = 0;
    CHECK(prova_store_proof_get(s, "bw-none", &b, &li) == PROVA_ENOTFOUND);
    CHECK(prova_store_proof_list(s, INT64_MAX, NULL, BW_BASE, INT64_MAX, 1, &b, &k) == 0 && k == 1 &&
          buf_has(&b, "\"proof_id\":\"bw-p2\"") && buf_has(&b, "\"log_index\":null"));
    b.len = 0;
    CHECK(prova_store_proof_list(s, BW_BASE + 2, "bw-p2", BW_BASE, INT64_MAX, 1, &b, &k) == 0 && k == 1 &&
          buf_has(&b, "\"proof_id\":\"bw-p1\"") && buf_has(&b, "\"log_index\":7"));
    prova_buf_free(&b);

    /* the log's entries from an index, the checkpoints newest first */
    int64_t size = 0;
    CHECK(prova_store_log_size(s, &size) == 0);
    if (size >= 2) {
        CHECK(prova_store_log_entry_list(s, size - 2, INT64_MIN, INT64_MAX, 5, &b, &k) == 0 && k == 2);
        page_member(&b, 0, "index", v);
        CHECK(strtoll(v, NULL, 10) == size - 2);
        prova_buf_free(&b);
    }
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_log_checkpoint_put(s, 1, "bw-note-1", 9, BW_BASE) == 0);
    CHECK(prova_store_log_checkpoint_put(s, 2, "bw-note-2", 9, BW_BASE + 1) == 0);
    CHECK(prova_store_commit(s) == 0);
    CHECK(prova_store_log_checkpoint_list(s, INT64_MAX, BW_BASE, INT64_MAX, 1, &b, &k) == 0 && k == 1 &&
          buf_has(&b, "\"note\":\"bw-note-2\""));
    page_member(&b, 0, "id", v);
    prova_buf_free(&b);
    CHECK(prova_store_log_checkpoint_list(s, strtoll(v, NULL, 10), BW_BASE, INT64_MAX, 5, &b, &k) == 0 && k == 1 &&
          buf_has(&b, "\"note\":\"bw-note-1\""));
    prova_buf_free(&b);
    prova_store_close(s);
}

/* A store at schema 4 (the listings' columns, tables and indexes taken away) is migrated by a writer: receipts'
 * times and the traces' summaries, chains' and certificates' columns come back from the stored JSON. */
static void test_browse_migration(void) {
    char url[512];
    const char *where = loc;
    if (is_pg) {
        CHECK(raw_sql(loc, "DROP DATABASE IF EXISTS prova_browse_test") == 0);
        CHECK(raw_sql(loc, "CREATE DATABASE prova_browse_test") == 0);
        const char *slash = strrchr(loc, '/');
        const char *q = strchr(slash ? slash : loc, '?');
        snprintf(url, sizeof url, "%.*sprova_browse_test%s", (int)(slash - loc + 1), loc, q ? q : "");
    } else {
        snprintf(url, sizeof url, "%s.v4", loc);
        unlink(url);
    }
    where = url;
    prova_store *s = NULL;
    prova_error e;
    CHECK(prova_store_open(where, 0, &s, &e) == 0);
    if (!s) return;
    CHECK(prova_store_begin(s) == 0);
    static const char r0[] = "{\"hop\":0,\"ts\":\"2090-01-01T00:00:01.000001+00:00\"}",
                      r1[] = "{\"hop\":1,\"ts\":\"2090-01-01T00:00:02.5Z\"}", r2[] = "not json";
    CHECK(prova_store_ope_append(s, "mg-a", 0, "ha0", r0, sizeof r0 - 1) == 0);
    CHECK(prova_store_ope_append(s, "mg-a", 1, "ha1", r1, sizeof r1 - 1) == 0);
    CHECK(prova_store_ope_append(s, "mg-b", 0, "hb0", r2, sizeof r2 - 1) == 0);
    static const char ch[] = "{\"status\":\"certified\",\"updated_at\":\"2090-01-05T00:00:00.000Z\",\"event_count\":3}";
    CHECK(prova_store_oe_chain_put(s, "mg-c", ch, sizeof ch - 1) == 0);
    static const char ce[] = "{\"certificate\":{\"issued_at\":\"2090-01-06T00:00:00.000Z\"},"
                             "\"status\":{\"status\":\"superseded\",\"superseded_by\":\"mg-y\"}}";
    CHECK(prova_store_oe_cert_put(s, "mg-x", "mg-c", ce, sizeof ce - 1) == 0);
    CHECK(prova_store_commit(s) == 0);
    prova_store_close(s);
    /* back to schema 4 */
    CHECK(raw_sql(where, is_pg ? "DROP TABLE ope_traces; DROP TABLE proofs;"
                                 " ALTER TABLE ope_receipts DROP COLUMN ts_us, DROP COLUMN gateway_kid,"
                                 " DROP COLUMN sender_kid, DROP COLUMN payload_type;"
                                 " ALTER TABLE oe_chains DROP COLUMN chain_type, DROP COLUMN status,"
                                 " DROP COLUMN created_us, DROP COLUMN updated_us, DROP COLUMN events;"
                                 " ALTER TABLE oe_certificates DROP COLUMN issued_us, DROP COLUMN status,"
                                 " DROP COLUMN superseded_by; DELETE FROM prova_migrations WHERE version = 2"
                               : "DROP INDEX oe_chains_recent; DROP INDEX oe_chains_status;"
                                 " DROP INDEX oe_certificates_recent; DROP INDEX oe_certificates_status;"
                                 " DROP INDEX oe_certificates_chain; DROP TABLE ope_traces; DROP TABLE proofs;"
                                 " ALTER TABLE ope_receipts DROP COLUMN ts_us; ALTER TABLE ope_receipts DROP COLUMN"
                                 " gateway_kid; ALTER TABLE ope_receipts DROP COLUMN sender_kid;"
                                 " ALTER TABLE ope_receipts DROP COLUMN payload_type;"
                                 " ALTER TABLE oe_chains DROP COLUMN chain_type; ALTER TABLE oe_chains DROP COLUMN"
                                 " status; ALTER TABLE oe_chains DROP COLUMN created_us; ALTER TABLE oe_chains DROP"
                                 " COLUMN updated_us; ALTER TABLE oe_chains DROP COLUMN events;"
                                 " ALTER TABLE oe_certificates DROP COLUMN issued_us; ALTER TABLE oe_certificates DROP"
                                 " COLUMN status; ALTER TABLE oe_certificates DROP COLUMN superseded_by;"
                                 " UPDATE prova_meta SET v = '4' WHERE k = 'schema_version'") == 0);
    /* a reader refuses it; status says one pending; a writer migrates it */
    CHECK(prova_store_open(where, PROVA_STORE_READONLY, &s, &e) == PROVA_EUNSUPPORTED);
    CHECK(prova_store_open(where, PROVA_STORE_NO_MIGRATE, &s, &e) == 0);
    prova_buf b = PROVA_BUF_INIT;
    if (s) {
        CHECK(prova_store_schema_status(s, &b) == 0 && json_int(&b, "pending") == 1);
        b.len = 0;
        int applied = 0;
        CHECK(prova_store_migrate(s, &applied) == 0 && applied == 1);
        prova_store_close(s);
    }
    CHECK(prova_store_open(where, PROVA_STORE_READONLY, &s, &e) == 0);
    if (!s) return;
    size_t k = 0;
    char v[80];
    CHECK(prova_store_ope_trace_list(s, INT64_MAX, NULL, INT64_MIN, INT64_MAX, NULL, NULL, 10, &b, &k) == 0 && k == 2);
    page_member(&b, 0, "trace_id", v);
    CHECK_STR(v, "mg-a");
    page_member(&b, 0, "hops", v);
    CHECK_STR(v, "2");
    page_member(&b, 0, "first_us", v);
    CHECK(strtoll(v, NULL, 10) == BW_BASE + 1000001);
    page_member(&b, 0, "last_us", v);
    CHECK(strtoll(v, NULL, 10) == BW_BASE + 2500000);
    page_member(&b, 0, "last_receipt_hash", v);
    CHECK_STR(v, "ha1");
    CHECK(buf_has(&b, "\"kids\":[]"));
    page_member(&b, 1, "last_us", v); /* not JSON: no time */
    CHECK_STR(v, "0");
    b.len = 0;
    CHECK(prova_store_oe_chain_list(s, INT64_MAX, NULL, INT64_MIN, INT64_MAX, "certified", 10, &b, &k) == 0 && k == 1);
    page_member(&b, 0, "events", v);
    CHECK_STR(v, "3");
    page_member(&b, 0, "certificate_id", v);
    CHECK_STR(v, "mg-x");
    page_member(&b, 0, "updated_us", v);
    CHECK(strtoll(v, NULL, 10) == BW_BASE + 4 * 86400LL * 1000000);
    b.len = 0;
    CHECK(prova_store_oe_cert_list(s, INT64_MAX, NULL, INT64_MIN, INT64_MAX, "mg-c", "superseded", 10, &b, &k) == 0 &&
          k == 1 && buf_has(&b, "\"superseded_by\":\"mg-y\""));
    page_member(&b, 0, "issued_us", v);
    CHECK(strtoll(v, NULL, 10) == BW_BASE + 5 * 86400LL * 1000000);
    prova_buf_free(&b);
    prova_store_close(s);
    if (is_pg) {
        CHECK(raw_sql(loc, "DROP DATABASE prova_browse_test") == 0);
    } else {
        char f[600];
        static const char *const suffix[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(f, sizeof f, "%s%s", url, suffix[i]);
            unlink(f);
        }
    }
}

/* ---- PostgreSQL: several connections, one database -------------------------------------------------------------- */

typedef struct second_writer {
    prova_store *s;
    atomic_int began;
    int64_t index;
    int rc;
} second_writer;

static void *second_main(void *arg) {
    second_writer *w = arg;
    w->rc = prova_store_begin(w->s);
    atomic_store(&w->began, 1);
    if (w->rc == 0) w->rc = prova_store_log_append(w->s, "second", 6, 1, &w->index);
    if (w->rc == 0) w->rc = prova_store_commit(w->s);
    return NULL;
}

/* The write lock: a second connection's BEGIN waits for the first's COMMIT, and then sees its entry. */
static void test_pg_write_lock(void) {
    prova_store *a = open_ok(0);
    second_writer w = {.s = open_ok(0), .index = -1, .rc = -99};
    atomic_init(&w.began, 0);
    if (!a || !w.s) goto out;
    CHECK(prova_store_begin(a) == 0);
    int64_t mine = append(a, "first");
    pthread_t t;
    CHECK(pthread_create(&t, NULL, second_main, &w) == 0);
    sleep_ms(400);
    CHECK_MSG(atomic_load(&w.began) == 0, "the second BEGIN did not wait for the first transaction");
    CHECK(prova_store_commit(a) == 0);
    pthread_join(t, NULL);
    CHECK(atomic_load(&w.began) == 1 && w.rc == 0);
    CHECK_MSG(w.index == mine + 1, "second index %lld after %lld", (long long)w.index, (long long)mine);
out:
    prova_store_close(a);
    prova_store_close(w.s);
}

/* An entry's insert that fails on the server (its index was taken by a writer that ignored the write lock: raw SQL
 * from another connection) fails the call whose round trip carried it; after rollback_to the index is read again
 * and the transaction goes on. Carried by COMMIT, it fails the commit, which ends the transaction. */
static void test_pg_log_taken(void) {
    prova_store *s = open_ok(0);
    prova_buf b = PROVA_BUF_INIT;
    if (!s) return;
    int64_t base = log_size(s);
    char sql[160];
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    snprintf(sql, sizeof sql, "INSERT INTO log_entries(idx, entry, sequenced_us) VALUES (%lld, 'intruder', 0)",
             (long long)base);
    CHECK(raw_sql(loc, sql) == 0);
    CHECK(append(s, "mine") == base);
    CHECK(prova_store_ope_append_logged(s, "taken", 0, "h", "{}", 2, base) == PROVA_EIO);
    CHECK_MSG(strstr(prova_store_errmsg(s), "log entry") && strstr(prova_store_errmsg(s), "23505"), "%s",
              prova_store_errmsg(s));
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "mine") == base + 1);
    CHECK(prova_store_ope_append_logged(s, "taken", 0, "h", "{}", 2, base + 1) == 0);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    CHECK(log_size(s) == base + 2);
    CHECK(prova_store_log_get(s, base, &b) == 0);
    CHECK_BUF(b, "intruder");
    b.len = 0;
    CHECK(prova_store_log_get(s, base + 1, &b) == 0);
    CHECK_BUF(b, "mine");
    /* reported by the read that carried it */
    CHECK(prova_store_begin(s) == 0);
    snprintf(sql, sizeof sql, "INSERT INTO log_entries(idx, entry, sequenced_us) VALUES (%lld, 'intruder', 0)",
             (long long)base + 2);
    CHECK(raw_sql(loc, sql) == 0);
    CHECK(append(s, "read") == base + 2);
    int64_t size = -1;
    CHECK(prova_store_log_size(s, &size) == PROVA_EIO && size == -1);
    CHECK(prova_store_rollback(s) == 0);
    /* reported by the COMMIT that carried it: nothing committed, the transaction over, the next one fine */
    CHECK(prova_store_begin(s) == 0);
    snprintf(sql, sizeof sql, "INSERT INTO log_entries(idx, entry, sequenced_us) VALUES (%lld, 'intruder', 0)",
             (long long)base + 3);
    CHECK(raw_sql(loc, sql) == 0);
    CHECK(append(s, "late") == base + 3);
    CHECK(prova_store_ope_append(s, "taken-late", 0, "h", "{}", 2) == PROVA_EIO); /* the insert went with it */
    CHECK(prova_store_commit(s) == PROVA_EIO);
    CHECK(prova_store_begin(s) == 0);
    snprintf(sql, sizeof sql, "INSERT INTO log_entries(idx, entry, sequenced_us) VALUES (%lld, 'intruder', 0)",
             (long long)base + 4);
    CHECK(raw_sql(loc, sql) == 0);
    CHECK(append(s, "late") == base + 4);
    CHECK(prova_store_commit(s) == PROVA_EIO);
    CHECK_MSG(strstr(prova_store_errmsg(s), "log entry") != NULL, "%s", prova_store_errmsg(s));
    CHECK(prova_store_begin(s) == 0); /* no rollback needed: the failed commit ended it */
    CHECK(append(s, "after") == base + 5);
    CHECK(prova_store_commit(s) == 0);
    CHECK(log_size(s) == base + 6);
    b.len = 0;
    CHECK(prova_store_ope_chain(s, "taken-late", &b, NULL) == 0);
    CHECK_BUF(b, "[]");
    prova_store_close(s);
    prova_buf_free(&b);
}

/* The integrator's lock: one connection at a time; free again when its holder closes. */
static void test_pg_lead(void) {
    prova_store *a = open_ok(0), *b = open_ok(0);
    bool la = false, lb = true;
    if (!a || !b) goto out;
    CHECK(prova_store_log_lead(a, &la) == 0 && la);
    CHECK(prova_store_log_lead(b, &lb) == 0 && !lb);
    CHECK(prova_store_log_lead(a, &la) == 0 && la);
    CHECK(prova_store_log_lead(b, &lb) == 0 && !lb);
    a = prova_store_close(a);
    /* the server ends a's session a moment after the connection closes */
    int64_t until = now_ms() + 5000;
    while (prova_store_log_lead(b, &lb) == 0 && !lb && now_ms() < until) sleep_ms(20);
    CHECK_MSG(lb, "the lock was not handed over");
out:
    prova_store_close(a);
    prova_store_close(b);
}

typedef struct migrator {
    const char *url;
    int rc;
} migrator;

static void *migrator_main(void *arg) {
    migrator *m = arg;
    prova_store *s = NULL;
    m->rc = prova_store_open(m->url, 0, &s, NULL);
    prova_store_close(s);
    return NULL;
}

/* Gateways starting together on a new database: every one opens, each migration is applied once. */
static void test_pg_migrate_together(void) {
    CHECK(raw_sql(loc, "DROP DATABASE IF EXISTS prova_migrate_test") == 0);
    CHECK(raw_sql(loc, "CREATE DATABASE prova_migrate_test") == 0);
    char url[512];
    const char *slash = strrchr(loc, '/');
    const char *q = strchr(slash ? slash : loc, '?');
    snprintf(url, sizeof url, "%.*sprova_migrate_test%s", (int)(slash - loc + 1), loc, q ? q : "");
    enum { N = 4 };
    pthread_t t[N];
    migrator m[N];
    for (int i = 0; i < N; i++) {
        m[i] = (migrator){.url = url, .rc = -99};
        CHECK(pthread_create(&t[i], NULL, migrator_main, &m[i]) == 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        CHECK_MSG(m[i].rc == 0, "open %d: %d", i, m[i].rc);
    }
    char sql[160];
    snprintf(sql, sizeof sql,
             "DO $$ BEGIN IF (SELECT count(*) FROM prova_migrations) <> %d THEN RAISE 'migrated twice'; END IF; END $$",
             latest);
    CHECK(raw_sql(url, sql) == 0);
    CHECK(raw_sql(loc, "DROP DATABASE prova_migrate_test") == 0);
    /* a wrong database name: PROVA_EIO, "cannot connect", and no password in the message */
    snprintf(url, sizeof url, "%.*sno_such_db", (int)(slash - loc + 1), loc);
    prova_store *s = NULL;
    prova_error e;
    CHECK(prova_store_open(url, 0, &s, &e) == PROVA_EIO && !s);
    CHECK(strstr(e.message, "cannot connect to PostgreSQL") != NULL);
    CHECK(strstr(e.message, "does not exist") != NULL);
    CHECK(prova_store_open("postgresql://user:s3cret@127.0.0.1:1/x?connect_timeout=2", 0, &s, &e) == PROVA_EIO);
    CHECK(strstr(e.message, "cannot connect to PostgreSQL") != NULL && strstr(e.message, "s3cret") == NULL);
}

/* Waits (up to 20 s) until ope_last answers something other than PROVA_EIO. */
static int until_back(prova_store *s, const char *trace, int64_t *hop) {
    int rc = PROVA_EIO;
    prova_buf b = PROVA_BUF_INIT;
    for (int64_t until = now_ms() + 20000; rc == PROVA_EIO && now_ms() < until;) {
        b.len = 0;
        rc = prova_store_ope_last(s, trace, &b, hop);
        if (rc == PROVA_EIO) sleep_ms(50);
    }
    prova_buf_free(&b);
    return rc;
}

static void server(const char *cmd) {
    fflush(stdout);
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
}

/* The server stopped (immediate: like a crash) and started under open connections. */
static void test_pg_restart(const char *stop_cmd, const char *start_cmd) {
    prova_store *w = open_ok(0), *r = open_ok(PROVA_STORE_READONLY);
    prova_buf b = PROVA_BUF_INIT;
    int64_t hop = -1;
    bool lead = false;
    if (!w || !r) goto out;
    CHECK(prova_store_begin(w) == 0);
    CHECK(prova_store_ope_append(w, "restart", 0, "h", "{\"r\":0}", 7) == 0);
    CHECK(prova_store_commit(w) == 0);
    CHECK(prova_store_log_lead(w, &lead) == 0 && lead);
    CHECK(prova_store_ope_last(r, "restart", &b, &hop) == 0 && hop == 0);

    server(stop_cmd);
    CHECK(prova_store_ope_last(w, "restart", &b, &hop) == PROVA_EIO);
    CHECK_MSG(strstr(prova_store_errmsg(w), "PostgreSQL") != NULL, "%s", prova_store_errmsg(w));
    /* fails fast until the backoff delay has passed */
    int64_t t0 = now_ms();
    CHECK(prova_store_ope_last(w, "restart", &b, &hop) == PROVA_EIO);
    CHECK(now_ms() - t0 < 1000);
    CHECK_MSG(strstr(prova_store_errmsg(w), "unreachable (next attempt in") != NULL, "%s", prova_store_errmsg(w));
    CHECK(prova_store_ope_last(r, "restart", &b, &hop) == PROVA_EIO);
    CHECK(prova_store_begin(w) == PROVA_EIO);
    CHECK(prova_store_rollback(w) == 0);
    CHECK(prova_store_log_lead(w, &lead) == PROVA_EIO);
    sleep_ms(300);
    CHECK(prova_store_ope_last(w, "restart", &b, &hop) == PROVA_EIO); /* an attempt, refused */

    server(start_cmd);
    hop = -1;
    CHECK(until_back(w, "restart", &hop) == 0 && hop == 0);
    hop = -1;
    CHECK(until_back(r, "restart", &hop) == 0 && hop == 0);
    /* the integrator's lock went with the old session: taken again by a query */
    CHECK(prova_store_log_lead(w, &lead) == 0 && lead);

    /* lost in the middle of a transaction: the transaction fails, the rollback neither crashes nor hangs, and
     * nothing of it was committed */
    CHECK(prova_store_begin(w) == 0);
    CHECK(prova_store_savepoint(w) == 0);
    CHECK(prova_store_ope_append(w, "restart", 1, "h", "{\"r\":1}", 7) == 0);
    CHECK(prova_store_release(w) == 0);
    CHECK(prova_store_savepoint(w) == 0);
    server(stop_cmd);
    CHECK(prova_store_ope_append(w, "restart", 2, "h", "{\"r\":2}", 7) == PROVA_EIO);
    CHECK(prova_store_rollback_to(w) == PROVA_EIO);
    CHECK(prova_store_commit(w) == PROVA_EIO);
    t0 = now_ms();
    CHECK(prova_store_rollback(w) == 0);
    CHECK(now_ms() - t0 < 1000);
    server(start_cmd);
    hop = -1;
    CHECK(until_back(w, "restart", &hop) == 0 && hop == 0);
    CHECK(prova_store_begin(w) == 0);
    CHECK(prova_store_ope_append(w, "restart", 1, "h", "{\"r\":1}", 7) == 0);
    CHECK(prova_store_commit(w) == 0);
    b.len = 0;
    CHECK(prova_store_ope_last(r, "restart", &b, &hop) == 0 && hop == 1);
    CHECK_BUF(b, "{\"r\":1}");
out:
    prova_store_close(w);
    prova_store_close(r);
    prova_buf_free(&b);
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/prova_store_XXXXXX", path[128];
    bool temp = argc < 2;
    if (temp) {
        if (!mkdtemp(dir)) return 2;
        snprintf(path, sizeof path, "%s/store.db", dir);
        loc = path;
    } else {
        loc = argv[1];
    }
    is_pg = prova_store_is_postgresql(loc);
    printf("store conformance on %s\n", is_pg ? "PostgreSQL" : "SQLite");
    test_schema_fresh();
    test_schema_newer();
    test_ope();
    test_replay();
    test_oe();
    test_log();
    test_log_queue();
    test_listing();
    test_bytes_exact();
    test_reader();
    test_counts();
    test_log_damaged();
    test_browse();
    test_browse_migration();
    if (is_pg) {
        test_pg_write_lock();
        test_pg_log_taken();
        test_pg_lead();
        test_pg_migrate_together();
        if (argc >= 4)
            test_pg_restart(argv[2], argv[3]);
        else
            printf("no stop/start commands: the restart test is skipped\n");
    }
    if (temp) {
        char f[160];
        static const char *const suffix[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(f, sizeof f, "%s%s", path, suffix[i]);
            unlink(f);
        }
        rmdir(dir);
    }
    TEST_SUMMARY();
}
