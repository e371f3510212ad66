/* Unit tests for log entries (prova/logentry.h, docs/tlog.md "Log entries"): the builder's bytes for every kind
 * (golden strings, written by hand in JCS order and cross-checked with Python's json.dumps(sort_keys=True,
 * separators=(',',':'))), the parser's round trip and its refusals, the entry of a record of each family; and the
 * store's sequence (prova_store_log_*): append inside savepoints, a rolled-back savepoint, a failed (rolled-back)
 * transaction, reopening, the upgrade of a version 1 store. No gap, no duplicate index in any of them.
 *   test_logentry DATA_DIR */
#define _POSIX_C_SOURCE 200809L

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "prova/prova.h"

#define H64 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static void check_write(const prova_log_entry *e, const char *want) {
    prova_buf b = PROVA_BUF_INIT;
    prova_error err;
    int rc = prova_log_entry_write(e, &b, &err);
    CHECK_MSG(rc == 0, "write: %s", rc ? err.reason : "");
    CHECK_MSG(rc == 0 && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "got %.*s\nwant %s", (int)b.len,
              (const char *)b.data, want);
    /* and the parser reads back the same fields */
    prova_log_entry back;
    prova_doc *doc = NULL;
    rc = prova_log_entry_parse(b.data, b.len, &back, &doc, &err);
    CHECK_MSG(rc == 0, "parse: %s", rc ? err.reason : "");
    if (rc == 0) {
        CHECK(back.kind == e->kind);
        CHECK_STR(back.digest, e->digest);
        CHECK_STR(back.time, e->time);
        CHECK(back.position == e->position);
        CHECK(!back.trace_id == !e->trace_id && !back.chain_id == !e->chain_id);
        CHECK(!back.certificate_id == !e->certificate_id && !back.status == !e->status);
    }
    prova_doc_free(doc);
    prova_buf_free(&b);
}

static void test_write(void) {
    prova_log_entry r = {.kind = PROVA_LOG_OPE_RECEIPT,
                         .digest = "sha256:" H64,
                         .time = "2025-08-22T00:00:01+00:00",
                         .trace_id = "t-1",
                         .position = 1};
    check_write(&r, "{\"digest\":\"sha256:" H64 "\",\"family\":\"ope\",\"format\":\"prova-log-entry/v1\",\"hop\":1,"
                    "\"kind\":\"receipt\",\"time\":\"2025-08-22T00:00:01+00:00\",\"trace_id\":\"t-1\"}");
    prova_log_entry ev = {.kind = PROVA_LOG_OE_EVENT,
                          .digest = "sha256:" H64,
                          .time = "2025-01-01T00:00:00.000Z",
                          .chain_id = "c-\xc3\xa9",
                          .position = 7};
    check_write(&ev, "{\"chain_id\":\"c-\xc3\xa9\",\"digest\":\"sha256:" H64 "\",\"family\":\"oe\",\"format\":"
                     "\"prova-log-entry/v1\",\"kind\":\"event\",\"seq\":7,\"time\":\"2025-01-01T00:00:00.000Z\"}");
    prova_log_entry c = {.kind = PROVA_LOG_OE_CERTIFICATE,
                         .digest = "sha256:" H64,
                         .time = "T",
                         .chain_id = "c",
                         .certificate_id = "x\"y"};
    check_write(&c, "{\"certificate_id\":\"x\\\"y\",\"chain_id\":\"c\",\"digest\":\"sha256:" H64 "\",\"family\":\"oe\","
                    "\"format\":\"prova-log-entry/v1\",\"kind\":\"certificate\",\"time\":\"T\"}");
    prova_log_entry s = {
        .kind = PROVA_LOG_OE_STATUS, .digest = "sha256:" H64, .time = "T", .certificate_id = "x", .status = "revoked"};
    check_write(&s, "{\"certificate_id\":\"x\",\"digest\":\"sha256:" H64 "\",\"family\":\"oe\",\"format\":"
                    "\"prova-log-entry/v1\",\"kind\":\"status\",\"status\":\"revoked\",\"time\":\"T\"}");
    prova_log_entry p = {.kind = PROVA_LOG_PROOF_RECORD, .digest = "sha256:" H64, .time = "T"};
    check_write(&p, "{\"digest\":\"sha256:" H64 "\",\"family\":\"proof\",\"format\":\"prova-log-entry/v1\","
                    "\"kind\":\"proof_record\",\"time\":\"T\"}");
    /* a sha3-384 digest: 96 hex */
    char d[200];
    snprintf(d, sizeof d, "sha3-384:%s%s", H64, "0123456789abcdef0123456789abcdef");
    prova_log_entry e3 = ev;
    e3.digest = d;
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_log_entry_write(&e3, &b, NULL) == 0);
    prova_buf_free(&b);

    /* refusals: nothing appended, a reason */
    static const struct {
        prova_log_entry e;
        const char *reason;
    } bad[] = {
        {{.kind = (prova_log_kind)9, .digest = "sha256:" H64, .time = "T"}, "log_entry_kind"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:" H64, .time = "T"}, "log_entry_member_missing"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:" H64, .time = "T", .trace_id = "t", .chain_id = "c"},
         "log_entry_member_unexpected"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .time = "T", .trace_id = "t"}, "log_entry_member_missing"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = H64, .time = "T", .trace_id = "t"}, "log_entry_digest"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:9F86", .time = "T", .trace_id = "t"}, "log_entry_digest"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "md5:" H64, .time = "T", .trace_id = "t"}, "log_entry_digest"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha384:" H64, .time = "T", .trace_id = "t"}, "log_entry_digest"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:" H64, .time = "", .trace_id = "t"}, "log_entry_value"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:" H64, .time = "T", .trace_id = "\xff"}, "log_entry_value"},
        {{.kind = PROVA_LOG_OPE_RECEIPT, .digest = "sha256:" H64, .time = "T", .trace_id = "t", .position = -1},
         "log_entry_value"},
        {{.kind = PROVA_LOG_PROOF_RECORD, .digest = "sha256:" H64, .time = "T", .position = 1}, "log_entry_value"},
        {{.kind = PROVA_LOG_OE_STATUS, .digest = "sha256:" H64, .time = "T", .certificate_id = "x", .status = "active"},
         "log_entry_value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prova_buf o = PROVA_BUF_INIT;
        prova_error err;
        int rc = prova_log_entry_write(&bad[i].e, &o, &err);
        CHECK_MSG(rc == PROVA_EINVAL && o.len == 0 && strcmp(err.reason, bad[i].reason) == 0,
                  "case %zu: rc %d reason %s, want %s", i, rc, rc ? err.reason : "-", bad[i].reason);
        prova_buf_free(&o);
    }
    CHECK(strcmp(prova_log_kind_family(PROVA_LOG_PROOF_RECORD), "proof") == 0);
    CHECK(strcmp(prova_log_kind_name(PROVA_LOG_OE_STATUS), "status") == 0);
    CHECK(prova_log_kind_name((prova_log_kind)0) == NULL);
}

static void test_parse_refusals(void) {
    static const struct {
        const char *text;
        int status;
        const char *reason;
    } bad[] = {
        {"{", PROVA_ESYNTAX, "log_entry_json"},
        {"[]", PROVA_EINVAL, "log_entry_type"},
        /* not JCS: a space, members out of order, an escape JCS does not write */
        {"{\"digest\":\"sha256:" H64 "\", \"family\":\"proof\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"proof_record\",\"time\":\"T\"}",
         PROVA_ESYNTAX, "log_entry_not_canonical"},
        {"{\"family\":\"proof\",\"digest\":\"sha256:" H64 "\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"proof_record\",\"time\":\"T\"}",
         PROVA_ESYNTAX, "log_entry_not_canonical"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"proof\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"proof_record\",\"time\":\"\\u0054\"}",
         PROVA_ESYNTAX, "log_entry_not_canonical"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"proof\",\"format\":\"prova-log-entry/v2\",\"kind\":"
         "\"proof_record\",\"time\":\"T\"}",
         PROVA_EUNSUPPORTED, "log_entry_format"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"ope\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"proof_record\",\"time\":\"T\"}",
         PROVA_EINVAL, "log_entry_kind"},
        {"{\"digest\":\"sha256:" H64 "\",\"extra\":1,\"family\":\"proof\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"proof_record\",\"time\":\"T\"}",
         PROVA_EINVAL, "log_entry_member_unknown"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"proof\",\"format\":\"prova-log-entry/v1\",\"hop\":1,\"kind\":"
         "\"proof_record\",\"time\":\"T\"}",
         PROVA_EINVAL, "log_entry_member_unexpected"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"ope\",\"format\":\"prova-log-entry/v1\",\"hop\":1.0,\"kind\":"
         "\"receipt\",\"time\":\"T\",\"trace_id\":\"t\"}",
         PROVA_EINVAL, "log_entry_type"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"ope\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"receipt\",\"time\":\"T\",\"trace_id\":\"t\"}",
         PROVA_EINVAL, "log_entry_member_missing"},
        {"{\"digest\":\"sha256:" H64 "\",\"family\":\"proof\",\"format\":\"prova-log-entry/v1\",\"kind\":"
         "\"proof_record\",\"time\":7}",
         PROVA_EINVAL, "log_entry_type"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prova_log_entry e;
        prova_doc *doc = (prova_doc *)1;
        prova_error err;
        int rc = prova_log_entry_parse(bad[i].text, strlen(bad[i].text), &e, &doc, &err);
        CHECK_MSG(rc == bad[i].status && doc == NULL && strcmp(err.reason, bad[i].reason) == 0,
                  "case %zu: rc %d reason %s, want %d %s", i, rc, rc ? err.reason : "-", bad[i].status, bad[i].reason);
    }
}

/* The entry of a record, compared with the expected bytes. */
static void check_record(int (*fn)(const prova_json *, prova_buf *, prova_error *), const char *record,
                         const char *want, const char *want_reason) {
    prova_doc *d = NULL;
    prova_buf b = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_json_parse(record, strlen(record), NULL, &d, NULL) == 0);
    int rc = fn(prova_doc_root(d), &b, &err);
    if (want) {
        CHECK_MSG(rc == 0 && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "rc %d %s got %.*s want %s", rc,
                  rc ? err.reason : "", (int)b.len, (const char *)b.data, want);
    } else {
        CHECK_MSG(rc < 0 && b.len == 0 && strcmp(err.reason, want_reason) == 0, "rc %d, want %s", rc, want_reason);
    }
    prova_buf_free(&b);
    prova_doc_free(d);
}

static int event_sha3_256(const prova_json *v, prova_buf *out, prova_error *e) {
    return prova_log_entry_of_oe_event(v, PROVA_HASH_SHA3_256, out, e);
}

static void sha256_jcs_hex(const char *json, char out[72]) {
    uint8_t h[PROVA_HASH_MAX_BYTES];
    char hex[65];
    CHECK(prova_canon_bytes_hash(json, strlen(json), PROVA_PROFILE_JCS, NULL, PROVA_HASH_SHA256, h, NULL) == 0);
    prova_hex_encode(h, 32, hex, sizeof hex);
    snprintf(out, 72, "sha256:%s", hex);
}

static void test_of_records(const char *data_dir) {
    check_record(prova_log_entry_of_receipt,
                 "{\"trace_id\":\"t-1\",\"hop\":2,\"ts\":\"2025-08-22T00:00:01+00:00\",\"receipt_hash\":\"" H64
                 "\",\"receipt_signature\":\"x\",\"prev_receipt_hash\":null}",
                 "{\"digest\":\"sha256:" H64 "\",\"family\":\"ope\",\"format\":\"prova-log-entry/v1\",\"hop\":2,"
                 "\"kind\":\"receipt\",\"time\":\"2025-08-22T00:00:01+00:00\",\"trace_id\":\"t-1\"}",
                 NULL);
    check_record(prova_log_entry_of_receipt, "{\"trace_id\":\"t-1\",\"hop\":2,\"ts\":\"T\"}", NULL,
                 "log_record_member");
    check_record(event_sha3_256,
                 "{\"id\":\"e\",\"chain_id\":\"c\",\"seq\":1,\"event_type\":\"x\",\"created_at\":"
                 "\"2025-01-01T00:00:00.000Z\",\"prev_hash\":\"0\",\"event_hash\":\"" H64 "\"}",
                 "{\"chain_id\":\"c\",\"digest\":\"sha3-256:" H64 "\",\"family\":\"oe\",\"format\":"
                 "\"prova-log-entry/v1\",\"kind\":\"event\",\"seq\":1,\"time\":\"2025-01-01T00:00:00.000Z\"}",
                 NULL);
    /* a bundle: the certificate's digest is SHA-256 of the JCS of certificate (here written out of order) */
    const char *cert = "{\"version\":\"1.0\",\"chain_id\":\"c\",\"issued_at\":\"2025-01-02T00:00:00.000Z\"}";
    const char *status = "{\"status\":\"revoked\",\"updated_at\":\"2025-01-03T00:00:00.000Z\",\"signature\":\"ab\"}";
    char bundle[1024], want[1024], dc[72], ds[72];
    snprintf(bundle, sizeof bundle,
             "{\"certificate\":%s,\"certificate_id\":\"k-1\",\"certificate_signature\":\"s\",\"status\":%s}", cert,
             status);
    sha256_jcs_hex(cert, dc);
    sha256_jcs_hex(status, ds);
    snprintf(want, sizeof want,
             "{\"certificate_id\":\"k-1\",\"chain_id\":\"c\",\"digest\":\"%s\",\"family\":\"oe\",\"format\":"
             "\"prova-log-entry/v1\",\"kind\":\"certificate\",\"time\":\"2025-01-02T00:00:00.000Z\"}",
             dc);
    check_record(prova_log_entry_of_oe_certificate, bundle, want, NULL);
    snprintf(want, sizeof want,
             "{\"certificate_id\":\"k-1\",\"digest\":\"%s\",\"family\":\"oe\",\"format\":\"prova-log-entry/v1\","
             "\"kind\":\"status\",\"status\":\"revoked\",\"time\":\"2025-01-03T00:00:00.000Z\"}",
             ds);
    check_record(prova_log_entry_of_oe_status, bundle, want, NULL);
    check_record(prova_log_entry_of_oe_status,
                 "{\"certificate_id\":\"k\",\"status\":{\"status\":\"active\",\"updated_at\":\"T\"}}", NULL,
                 "log_record_member");

    /* the minimal proof record of ophamin.md §4.3: proof_id 80e22386…e189ac */
    char path[4096];
    snprintf(path, sizeof path, "%s/proof_minimal.json", data_dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    prova_doc *d = NULL;
    prova_buf b = PROVA_BUF_INIT;
    char id[65];
    CHECK(prova_json_parse(text, n, NULL, &d, NULL) == 0);
    CHECK(prova_proof_id(prova_doc_root(d), id, NULL) == 0);
    CHECK(strncmp(id, "80e22386", 8) == 0);
    CHECK(prova_log_entry_of_proof_record(prova_doc_root(d), &b, NULL) == 0);
    prova_log_entry e;
    prova_doc *ed = NULL;
    CHECK(prova_log_entry_parse(b.data, b.len, &e, &ed, NULL) == 0);
    if (ed) {
        CHECK(e.kind == PROVA_LOG_PROOF_RECORD && strncmp(e.digest, "sha256:", 7) == 0 &&
              strcmp(e.digest + 7, id) == 0);
        const char *created =
            prova_json_str(prova_json_get(prova_json_get(prova_doc_root(d), "identity"), "created_at"));
        CHECK(created && strcmp(e.time, created) == 0);
    }
    prova_doc_free(ed);
    prova_doc_free(d);
    prova_buf_free(&b);
}

/* ---- The store's sequence ------------------------------------------------------------------------------------ */

static int64_t size_of(prova_store *s) {
    int64_t n = -1;
    CHECK(prova_store_log_size(s, &n) == 0);
    return n;
}

static int64_t append(prova_store *s, const char *entry) {
    int64_t idx = -1;
    CHECK(prova_store_log_append(s, entry, strlen(entry), 1, &idx) == 0);
    return idx;
}

/* Every entry 0..n-1 present, in order, and entry i is "e<i>" (what the test appended there). */
static void check_contiguous(prova_store *s, int64_t n) {
    prova_buf b = PROVA_BUF_INIT;
    size_t count = 0;
    CHECK(prova_store_log_entries(s, 0, n + 5, &b, &count) == 0);
    CHECK_MSG(count == (size_t)n, "%zu entries, want %lld", count, (long long)n);
    size_t at = 0;
    for (int64_t i = 0; i < n && at + 2 <= b.len; i++) {
        size_t len = (size_t)b.data[at] << 8 | b.data[at + 1];
        char want[32];
        snprintf(want, sizeof want, "e%lld", (long long)i);
        CHECK_MSG(len == strlen(want) && memcmp(b.data + at + 2, want, len) == 0, "entry %lld", (long long)i);
        at += 2 + len;
    }
    CHECK(at == b.len);
    prova_buf_free(&b);
}

static void test_store(void) {
    char dir[] = "/tmp/prova_logseq_XXXXXX", path[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/prova.db", dir);
    prova_store *s = NULL;
    CHECK(prova_store_open(path, 0, &s, NULL) == 0);
    if (!s) return;
    CHECK(size_of(s) == 0);
    /* one batch: three calls in savepoints, the second rolled back */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e0") == 0);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "rolled back") == 1);
    CHECK(prova_store_rollback_to(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "e1") == 1); /* the rolled-back index again: no gap */
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_commit(s) == 0);
    CHECK(size_of(s) == 2);
    /* a batch whose commit fails: the writer rolls the whole transaction back */
    CHECK(prova_store_begin(s) == 0);
    CHECK(prova_store_savepoint(s) == 0);
    CHECK(append(s, "lost") == 2);
    CHECK(append(s, "lost too") == 3);
    CHECK(prova_store_release(s) == 0);
    CHECK(prova_store_rollback(s) == 0);
    CHECK(size_of(s) == 2);
    CHECK(prova_store_begin(s) == 0);
    CHECK(append(s, "e2") == 2);
    CHECK(prova_store_commit(s) == 0);
    /* limits and lookups */
    static char big[PROVA_STORE_LOG_ENTRY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    CHECK(prova_store_log_append(s, big, PROVA_STORE_LOG_ENTRY_MAX + 1, 1, NULL) == PROVA_ELIMIT);
    CHECK(prova_store_log_append(s, "", 0, 1, NULL) == PROVA_EINVAL);
    prova_buf b = PROVA_BUF_INIT;
    CHECK(prova_store_log_get(s, 1, &b) == 0 && b.len == 2 && memcmp(b.data, "e1", 2) == 0);
    CHECK(prova_store_log_get(s, 3, &b) == PROVA_ENOTFOUND && b.len == 2);
    size_t count = 9;
    b.len = 0;
    CHECK(prova_store_log_entries(s, 1, 1, &b, &count) == 0 && count == 0 && b.len == 0);
    CHECK(prova_store_log_entries(s, 2, 1, &b, &count) == PROVA_EINVAL);
    prova_buf_free(&b);
    check_contiguous(s, 3);
    s = prova_store_close(s);

    /* reopen: the sequence goes on after the last committed entry */
    CHECK(prova_store_open(path, 0, &s, NULL) == 0);
    if (!s) return;
    CHECK(size_of(s) == 3);
    CHECK(prova_store_begin(s) == 0);
    CHECK(append(s, "e3") == 3);
    CHECK(prova_store_commit(s) == 0);
    check_contiguous(s, 4);
    s = prova_store_close(s);
    /* a reader sees it too */
    CHECK(prova_store_open(path, PROVA_STORE_READONLY, &s, NULL) == 0);
    if (s) CHECK(size_of(s) == 4);
    s = prova_store_close(s);

    /* a version 1 store (no log table) is upgraded by a writer, refused by a reader until then */
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "DROP TABLE log_entries; UPDATE prova_meta SET v = '1' WHERE k = 'schema_version';", NULL,
                       NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    prova_error err;
    CHECK(prova_store_open(path, PROVA_STORE_READONLY, &s, &err) == PROVA_EUNSUPPORTED && !s);
    CHECK(prova_store_open(path, 0, &s, NULL) == 0);
    if (s) {
        CHECK(size_of(s) == 0);
        CHECK(prova_store_begin(s) == 0);
        CHECK(append(s, "e0") == 0);
        CHECK(prova_store_commit(s) == 0);
    }
    s = prova_store_close(s);
    CHECK(prova_store_open(path, PROVA_STORE_READONLY, &s, NULL) == 0);
    s = prova_store_close(s);
    /* a version 2 store (no tiles, no checkpoints) is upgraded to 3 the same way, its entries kept */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "DROP TABLE log_tiles; DROP TABLE log_checkpoints;"
                       " UPDATE prova_meta SET v = '2' WHERE k = 'schema_version';",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(prova_store_open(path, PROVA_STORE_READONLY, &s, &err) == PROVA_EUNSUPPORTED && !s);
    CHECK(prova_store_open(path, 0, &s, NULL) == 0);
    if (s) {
        CHECK(size_of(s) == 1);
        prova_buf tb = PROVA_BUF_INIT;
        int64_t n = -1;
        CHECK(prova_store_log_checkpoint_latest(s, &tb, &n) == PROVA_ENOTFOUND && n == -1);
        CHECK(prova_store_log_tile_get(s, 0, 0, &tb) == PROVA_ENOTFOUND && tb.len == 0);
        uint8_t tile[64];
        memset(tile, 0xab, sizeof tile);
        CHECK(prova_store_begin(s) == 0);
        CHECK(prova_store_log_tile_put(s, 0, 0, tile, 32) == 0);
        CHECK(prova_store_log_tile_put(s, 0, 0, tile, 64) == 0); /* a partial tile grows: the row is replaced */
        CHECK(prova_store_log_tile_put(s, 64, 0, tile, 32) == PROVA_EINVAL);
        CHECK(prova_store_log_tile_put(s, 0, 0, tile, 0) == PROVA_EINVAL);
        CHECK(prova_store_log_checkpoint_put(s, 1, "a\n1\n", 5, 10) == 0);
        CHECK(prova_store_log_checkpoint_put(s, 1, "b\n1\n", 5, 11) == 0);
        CHECK(prova_store_commit(s) == 0);
        CHECK(prova_store_log_tile_get(s, 0, 0, &tb) == 0 && tb.len == 64 && memcmp(tb.data, tile, 64) == 0);
        tb.len = 0;
        CHECK(prova_store_log_checkpoint_latest(s, &tb, &n) == 0 && n == 1 && tb.len == 5 && tb.data[0] == 'b');
        prova_buf_free(&tb);
    }
    s = prova_store_close(s);
    /* records' log indexes (schema 4): stored with the record, null for one without */
    CHECK(prova_store_open(path, 0, &s, NULL) == 0);
    if (s) {
        prova_buf lb = PROVA_BUF_INIT;
        size_t n = 0;
        int64_t ci = 0, si = 0;
        CHECK(prova_store_begin(s) == 0);
        CHECK(prova_store_ope_append(s, "tr", 1, "h1", "{}", 2) == 0);
        CHECK(prova_store_ope_append_logged(s, "tr", 2, "h2", "{}", 2, 7) == 0);
        CHECK(prova_store_oe_event_append_logged(s, "ch", 1, "{}", 2, 8) == 0);
        CHECK(prova_store_oe_cert_put_logged(s, "c1", "ch", "{}", 2, 9, -1) == 0);
        CHECK(prova_store_commit(s) == 0);
        CHECK(prova_store_ope_chain_log(s, "tr", &lb, &n) == 0 && n == 2 && lb.len == 8 &&
              memcmp(lb.data, "[null,7]", 8) == 0);
        lb.len = 0;
        CHECK(prova_store_oe_events_log(s, "ch", &lb, &n) == 0 && n == 1 && lb.len == 3 &&
              memcmp(lb.data, "[8]", 3) == 0);
        CHECK(prova_store_oe_cert_log(s, "c1", &ci, &si) == 0 && ci == 9 && si == -1);
        CHECK(prova_store_begin(s) == 0);
        CHECK(prova_store_oe_cert_put_logged(s, "c1", "ch", "{}", 2, ci, 10) == 0); /* a status change */
        CHECK(prova_store_commit(s) == 0);
        CHECK(prova_store_oe_cert_log(s, "c1", &ci, &si) == 0 && ci == 9 && si == 10);
        CHECK(prova_store_oe_cert_log(s, "c2", &ci, &si) == PROVA_ENOTFOUND);
        prova_buf_free(&lb);
    }
    s = prova_store_close(s);
    /* a version 3 store (no log_index columns) gets them from a writer, its records' indexes null */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "ALTER TABLE ope_receipts DROP COLUMN log_index; ALTER TABLE oe_events DROP COLUMN log_index;"
                       " ALTER TABLE oe_certificates DROP COLUMN log_index;"
                       " ALTER TABLE oe_certificates DROP COLUMN status_log_index;"
                       " UPDATE prova_meta SET v = '3' WHERE k = 'schema_version';",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(prova_store_open(path, PROVA_STORE_READONLY, &s, &err) == PROVA_EUNSUPPORTED && !s);
    CHECK(prova_store_open(path, 0, &s, NULL) == 0);
    if (s) {
        prova_buf lb = PROVA_BUF_INIT;
        size_t n = 0;
        int64_t ci = 0, si = 0;
        CHECK(prova_store_ope_chain_log(s, "tr", &lb, &n) == 0 && n == 2 && lb.len == 11 &&
              memcmp(lb.data, "[null,null]", 11) == 0);
        CHECK(prova_store_oe_cert_log(s, "c1", &ci, &si) == 0 && ci == -1 && si == -1);
        prova_buf_free(&lb);
    }
    s = prova_store_close(s);
    CHECK(prova_store_open(path, PROVA_STORE_READONLY, &s, NULL) == 0);
    s = prova_store_close(s);
    /* a newer schema (one this prova does not know) is refused */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE prova_meta SET v = '999' WHERE k = 'schema_version';", NULL, NULL, NULL) ==
          SQLITE_OK);
    sqlite3_close(db);
    CHECK(prova_store_open(path, 0, &s, &err) == PROVA_EUNSUPPORTED && !s);

    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    test_write();
    test_parse_refusals();
    test_of_records(argv[1]);
    test_store();
    TEST_SUMMARY();
}
