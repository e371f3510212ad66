/* prova db status|migrate|check and prova store copy: a store's schema, a read-only check of everything it holds,
 * and a verified copy between stores of any backend (docs/operations.md "Schema and migrations", "Moving a store").
 *
 *   prova db status  [--store LOC] [--data DIR] [--json]
 *   prova db migrate [--store LOC] [--data DIR]
 *   prova db check   [--store LOC] [--data DIR] [--jwks F]... [--log-key VKEY] [--json]
 *   prova store copy FROM TO [--data DIR] [--jwks F]... [--log-key VKEY] [--json]
 *
 * The check and the copy share one walk over a source store: every OPE trace (its receipt chain as prova verify
 * checks it, with the gateway's keys), every OpenExecution chain (record and events) and certificate, the replay
 * claims, then the transparency log (entries, each checkpoint's signature and root, the stored hash tiles). The walk
 * reads in pages (PAGE ids, one trace or chain at a time, TILE_WIDTH log entries at a time): its memory is bounded
 * by the largest single trace or chain, not by the store. The copy writes each record after its checks passed, in
 * transactions of BATCH_ROWS rows, and stops at the first problem. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h" /* app_url_for_log */
#include "cli.h"
#include "progress.h"
#include "prova/checkpoint.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/keyset.h"
#include "prova/logentry.h"
#include "prova/merkle.h"
#include "prova/note.h"
#include "prova/oe.h"
#include "prova/ope.h"
#include "prova/proof.h"
#include "prova/report.h"
#include "prova/store.h"

#define HASH              PROVA_MERKLE_HASH_BYTES
#define PAGE              256u  /* ids or checkpoints per listing call */
#define BATCH_ROWS        4096  /* rows per destination transaction (store copy; --batch) */
#define JSON_PROBLEMS_MAX 1000u /* problems listed in a --json report; the rest are counted */
#define JWKS_MAX          16

static prova_error no_error(void) {
    prova_error e;
    prova_error_clear(&e);
    return e;
}

/* ---- options and locations ---------------------------------------------------------------------------------- */

typedef struct db_opts {
    const char *cmd; /* "db check", for messages */
    const char *store, *data, *log_key, *batch;
    const char *jwks[JWKS_MAX];
    size_t njwks;
    const char *pos[2];
    int npos;
    bool json;
    progress_mode progress; /* --progress / --no-progress (store copy) */
    char loc[4096];         /* the store's location */
    char dir[4096];         /* the data directory */
    char shown[512];        /* the location as printed (a PostgreSQL URI's password masked) */
} db_opts;

static int parse_opts(int argc, char **argv, const char *cmd, int maxpos, db_opts *o) {
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        if (cli_opt_value(argc, argv, &i, "--store", &o->store) || cli_opt_value(argc, argv, &i, "--data", &o->data) ||
            cli_opt_value(argc, argv, &i, "--log-key", &o->log_key) ||
            cli_opt_value(argc, argv, &i, "--batch", &o->batch)) {
        } else if (cli_opt_value(argc, argv, &i, "--jwks", &v)) {
            if (o->njwks == JWKS_MAX) return cli_fail(EXIT_USAGE, "%s: at most %d --jwks", cmd, JWKS_MAX);
            o->jwks[o->njwks++] = v;
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
        } else if (progress_option(argv[i], &o->progress)) {
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail(EXIT_USAGE, "%s: unknown option '%s' (see --help)", cmd, argv[i]);
        } else if (o->npos < maxpos) {
            o->pos[o->npos++] = argv[i];
        } else {
            return cli_fail(EXIT_USAGE, "%s: unexpected argument '%s' (see --help)", cmd, argv[i]);
        }
    }
    const char *d = o->data ? o->data : getenv("PROVA_DATA");
    if (!d || !*d) d = "var";
    if ((size_t)snprintf(o->dir, sizeof o->dir, "%s", d) >= sizeof o->dir)
        return cli_fail(EXIT_USAGE, "%s: --data: path too long", cmd);
    const char *s = o->store ? o->store : getenv("PROVA_STORE");
    int n = s && *s ? snprintf(o->loc, sizeof o->loc, "%s", s) : snprintf(o->loc, sizeof o->loc, "%s/prova.db", d);
    if (n < 0 || (size_t)n >= sizeof o->loc) return cli_fail(EXIT_USAGE, "%s: --store: location too long", cmd);
    return EXIT_OK;
}

/* The location as printed: a PostgreSQL URI's password (user:PASSWORD@) replaced by "***". */
/* The location as messages show it: a URI's credentials (userinfo, query values such as ?password=) hidden, as the
 * gateway logs it (app_url_for_log); a file path as it is. */
static void shown_location(const char *loc, char *out, size_t cap) {
    if (prova_store_is_postgresql(loc)) {
        app_url_for_log(loc, out, cap);
        return;
    }
    size_t n = strnlen(loc, cap - 1); /* a path, cut to fit */
    memcpy(out, loc, n);
    out[n] = '\0';
}

/* Opens the store at loc. A SQLite file must exist unless create; *ret_created (optional) says whether the open
 * created it. EXIT_OK, else EXIT_INTERNAL (3: cannot open) after printing why. */
static int open_store(const char *cmd, const char *loc, unsigned flags, bool create, prova_store **ret,
                      bool *ret_created) {
    char shown[512];
    shown_location(loc, shown, sizeof shown);
    if (ret_created) *ret_created = false;
    if (!prova_store_is_postgresql(loc)) {
        struct stat st;
        if (stat(loc, &st) != 0) {
            if (errno != ENOENT || !create)
                return cli_fail_as(EXIT_INTERNAL, "store", errno == ENOENT ? "store_not_found" : "store_unreadable",
                                   "%s: %s: %s", cmd, shown, strerror(errno));
            if (ret_created) *ret_created = true;
        } else if (!S_ISREG(st.st_mode)) {
            return cli_fail_as(EXIT_INTERNAL, "store", "store_unreadable", "%s: %s: not a file", cmd, shown);
        }
    }
    prova_error e = no_error();
    int s = prova_store_open(loc, flags, ret, &e);
    if (s != 0)
        return cli_fail_as(EXIT_INTERNAL, "store", e.reason ? e.reason : "store_open", "%s: %s: %s%s", cmd, shown,
                           e.message ? e.message : prova_status_message(s),
                           s == PROVA_EUNSUPPORTED && flags & PROVA_STORE_READONLY ? " (prova db status)" : "");
    return EXIT_OK;
}

/* Appends s as a JSON string. */
/* Appends s as a JSON string; bytes that are not UTF-8 (a message cut inside a character) become '?'. */
static int put_str(prova_buf *b, const char *s) {
    size_t n = strlen(s);
    int rc = prova_canon_write_string(s, n, PROVA_PROFILE_JCS, b);
    if (rc != PROVA_ESYNTAX && rc != PROVA_EINVAL) return rc;
    char *t = malloc(n + 1);
    if (!t) return PROVA_ENOMEM;
    for (size_t i = 0; i <= n; i++) t[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    rc = prova_canon_write_string(t, n, PROVA_PROFILE_JCS, b);
    free(t);
    return rc;
}

static int putf(prova_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int putf(prova_buf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return PROVA_EINVAL;
    return prova_buf_append(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Appends a string literal. */
#define LIT(b, s) prova_buf_append((b), (s), sizeof(s) - 1)

static int parse_json(const prova_buf *b, prova_doc **ret) {
    prova_parse_options po = {0};
    po.max_size = SIZE_MAX >> 1;
    po.max_members = SIZE_MAX >> 1;
    po.max_string = SIZE_MAX >> 1;
    return prova_json_parse(b->data, b->len, &po, ret, NULL);
}

/* ---- db status, db migrate ------------------------------------------------------------------------------------ */

static int status_cmd(int argc, char **argv) {
    db_opts o;
    int rc = parse_opts(argc, argv, "db status", 0, &o);
    if (rc != EXIT_OK) return rc;
    shown_location(o.loc, o.shown, sizeof o.shown);
    prova_store *s = NULL;
    if ((rc = open_store("db status", o.loc, PROVA_STORE_NO_MIGRATE, false, &s, NULL)) != EXIT_OK) return rc;
    prova_buf st = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    prova_doc *d = NULL;
    int x = prova_store_schema_status(s, &st);
    if (x == 0) x = parse_json(&st, &d);
    if (x != 0) rc = cli_fail(EXIT_INTERNAL, "db status: %s: %s", prova_status_name(x), prova_store_errmsg(s));
    const prova_json *root = d ? prova_doc_root(d) : NULL;
    int64_t version = 0, latest = 0, pending = 0;
    if (rc == EXIT_OK && (prova_json_get_int64(prova_json_get(root, "schema_version"), &version) != 0 ||
                          prova_json_get_int64(prova_json_get(root, "schema_latest"), &latest) != 0 ||
                          prova_json_get_int64(prova_json_get(root, "pending"), &pending) != 0))
        rc = cli_fail(EXIT_INTERNAL, "db status: the schema status is not the documented JSON");
    if (rc == EXIT_OK && o.json) {
        /* The library's status with the location first. */
        x = LIT(&out, "{\"location\":");
        if (x == 0) x = put_str(&out, o.shown);
        if (x == 0 && st.len > 2) x = prova_buf_append(&out, ",", 1);
        if (x == 0) x = prova_buf_append(&out, st.data + 1, st.len - 1);
        if (x == 0) x = prova_buf_append(&out, "\n", 1);
        rc = x == 0 ? cli_write_stdout(out.data, out.len) : cli_fail(EXIT_INTERNAL, "out of memory");
        if (rc == EXIT_OK) cli_json_wrote();
    } else if (rc == EXIT_OK) {
        const prova_json *migs = prova_json_get(root, "migrations");
        printf("store:    %s\nbackend:  %s\nschema:   version %" PRId64 ", latest %" PRId64 "\n", o.shown,
               prova_store_backend(s), version, latest);
        for (size_t i = 0; i < prova_json_len(migs); i++) {
            const prova_json *m = prova_json_at(migs, i), *at = prova_json_get(m, "applied_at");
            int64_t v = 0;
            if (prova_json_get_int64(prova_json_get(m, "version"), &v) != 0) v = -1;
            const char *desc = prova_json_str(prova_json_get(m, "description"));
            bool applied = v <= version;
            printf("  %3" PRId64 "  %-8s %-32s %s\n", v, applied ? "applied" : "pending",
                   prova_json_is_string(at) ? prova_json_str(at)
                   : applied                ? "-"
                                            : "",
                   desc ? desc : "");
        }
        if (pending > 0)
            printf("%" PRId64 " migration%s pending: prova db migrate%s applies them (a gateway does when it starts)\n",
                   pending, pending == 1 ? "" : "s", o.store ? " --store LOC" : "");
        else
            printf("up to date\n");
        fflush(stdout);
    }
    if (rc == EXIT_OK && pending > 0) rc = EXIT_INVALID;
    prova_doc_free(d);
    prova_buf_free(&st);
    prova_buf_free(&out);
    prova_store_close(s);
    return rc;
}

static int migrate_cmd(int argc, char **argv) {
    db_opts o;
    int rc = parse_opts(argc, argv, "db migrate", 0, &o);
    if (rc != EXIT_OK) return rc;
    shown_location(o.loc, o.shown, sizeof o.shown);
    prova_store *s = NULL;
    if ((rc = open_store("db migrate", o.loc, PROVA_STORE_NO_MIGRATE, false, &s, NULL)) != EXIT_OK) return rc;
    int applied = 0;
    int x = prova_store_migrate(s, &applied);
    if (x != 0) {
        rc = cli_fail_as(EXIT_INTERNAL, "store", x == PROVA_EUNSUPPORTED ? "store_version" : "store_migrate",
                         "db migrate: %s: %s%s%s", o.shown,
                         x == PROVA_EUNSUPPORTED ? "the store was written by a newer prova" : prova_status_name(x),
                         *prova_store_errmsg(s) ? ": " : "", prova_store_errmsg(s));
    } else {
        printf("%s: applied %d migration%s (%s)\n", o.shown, applied, applied == 1 ? "" : "s",
               applied ? "now at the latest schema" : "already at the latest schema");
        fflush(stdout);
    }
    prova_store_close(s);
    return rc;
}

/* ---- keys ----------------------------------------------------------------------------------------------------- */

/* The gateway's receipt and certificate keys: the --jwks files, else DIR/gateway.key's public half and the keys of
 * DIR/legacy.jwks (what the gateway publishes at /.well-known/jwks.json). *ret stays NULL when there are none. */
static int load_gateway_keys(const db_opts *o, prova_keyset **ret) {
    prova_keyset *ks = prova_keyset_new();
    if (!ks) return cli_fail(EXIT_INTERNAL, "out of memory");
    int rc = EXIT_OK;
    for (size_t i = 0; i < o->njwks && rc == EXIT_OK; i++) {
        prova_buf b = PROVA_BUF_INIT;
        rc = cli_read_file(o->jwks[i], (size_t)1 << 20, &b);
        prova_error e = no_error();
        if (rc == EXIT_OK && prova_keyset_add_jwks(ks, b.data, b.len, "jwks", &e) < 0)
            rc = cli_fail_as(EXIT_USAGE, "jwks", "jwks_invalid", "%s: %s: not a JWKS (%s)", o->cmd, o->jwks[i],
                             e.message ? e.message : "invalid");
        prova_buf_free(&b);
    }
    if (rc == EXIT_OK && o->njwks == 0) {
        char path[4200];
        snprintf(path, sizeof path, "%s/gateway.key", o->dir);
        if (access(path, F_OK) == 0) {
            prova_key *k = NULL;
            prova_error e = no_error();
            if (prova_key_load_file(path, &k, &e) != 0)
                rc = cli_fail_as(EXIT_USAGE, "key", "key_file_invalid", "%s: %s: %s", o->cmd, path,
                                 e.message ? e.message : "cannot load it");
            else if (prova_keyset_add(ks, k, "gateway") != 0)
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
        }
        snprintf(path, sizeof path, "%s/legacy.jwks", o->dir);
        if (rc == EXIT_OK && access(path, F_OK) == 0) {
            prova_buf b = PROVA_BUF_INIT;
            rc = cli_read_file(path, (size_t)1 << 20, &b);
            prova_error e = no_error();
            if (rc == EXIT_OK && prova_keyset_add_jwks(ks, b.data, b.len, "legacy", &e) < 0)
                rc = cli_fail_as(EXIT_USAGE, "jwks", "jwks_invalid", "%s: %s: not a JWKS (%s)", o->cmd, path,
                                 e.message ? e.message : "invalid");
            prova_buf_free(&b);
        }
    }
    if (rc != EXIT_OK || prova_keyset_count(ks) == 0) ks = prova_keyset_free(ks);
    *ret = ks;
    return rc;
}

/* The log's verifier key: --log-key (a vkey, or a file holding one), else DIR/log.key's public half. */
static int load_log_key(const db_opts *o, prova_note_key **ret) {
    *ret = NULL;
    char path[4200];
    const char *file = NULL;
    bool priv = false;
    struct stat st;
    if (o->log_key && strchr(o->log_key, '+') && stat(o->log_key, &st) != 0) {
        prova_error e = no_error();
        if (prova_note_key_parse_vkey(o->log_key, strlen(o->log_key), ret, &e) != 0)
            return cli_fail_as(EXIT_USAGE, "log_key", e.reason ? e.reason : "vkey_malformed",
                               "%s: --log-key: not a verifier key (%s)", o->cmd, e.message ? e.message : "invalid");
        return EXIT_OK;
    }
    if (o->log_key) {
        file = o->log_key;
    } else {
        snprintf(path, sizeof path, "%s/log.key", o->dir);
        if (access(path, F_OK) != 0) return EXIT_OK;
        file = path;
        priv = true;
    }
    prova_buf b = PROVA_BUF_INIT;
    int rc = cli_read_file(file, 1 << 16, &b);
    if (rc != EXIT_OK) return rc;
    size_t len = b.len;
    while (len && (b.data[len - 1] == '\n' || b.data[len - 1] == '\r' || b.data[len - 1] == ' ')) len--;
    prova_error e = no_error();
    int s = priv || (len > 8 && memcmp(b.data, "PRIVATE+", 8) == 0)
                ? prova_note_key_parse_private((const char *)b.data, len, ret, &e)
                : prova_note_key_parse_vkey((const char *)b.data, len, ret, &e);
    prova_mem_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (s != 0)
        return cli_fail_as(EXIT_USAGE, "log_key", e.reason ? e.reason : "vkey_malformed", "%s: %s: not a log key (%s)",
                           o->cmd, file, e.message ? e.message : "invalid");
    return EXIT_OK;
}

/* ---- the walk ------------------------------------------------------------------------------------------------- */

typedef struct walk {
    const char *cmd;
    prova_store *src;
    prova_store *dst; /* store copy: the destination; NULL for db check */
    const prova_keyset *gw;
    const prova_note_key *logkey;
    int64_t now_us;
    bool json;
    int rc; /* EXIT_INTERNAL once a read or write failed (the walk stops) */
    /* what was seen */
    int64_t traces, receipts, chains, events, certs, proofs, replay, replay_expired, entries, checkpoints, tiles;
    int64_t refs_logged, refs_unlogged, problems, later_root_mismatches;
    int64_t log_size, cp_size; /* the log's size; the latest checkpoint's size (-1: none) */
    /* --json: the first problems */
    prova_buf jprob;
    size_t jn;
    /* the log */
    prova_tile_writer *tw;
    uint64_t done;  /* entries read */
    bool broken;    /* a gap or an unreadable range: the Merkle checks stop */
    bool root_seen; /* a root mismatch was reported */
    /* the copy */
    int64_t batch_rows, batches, rows, batch_max;
    progress *pg; /* store copy: rows per table on stderr (progress.h) */
} walk;

static bool stopped(const walk *w) {
    return w->rc != EXIT_OK || (w->dst && w->problems > 0);
}

/* One problem: "WHERE: CODE: MESSAGE" on stdout (db check), or the reason the copy stops (on stderr, as the
 * command's failure). kind: trace, chain, certificate, replay, log, checkpoint, tile; pos: hop, seq, log index,
 * checkpoint number, or -1. */
static void problem(walk *w, const char *kind, const char *id, int64_t pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void problem(walk *w, const char *kind, const char *id, int64_t pos, const char *code, const char *fmt, ...) {
    char msg[768], where[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *posname = strcmp(kind, "trace") == 0 ? " hop " : strcmp(kind, "chain") == 0 ? " seq " : " ";
    if (strcmp(kind, "log") == 0)
        snprintf(where, sizeof where, "log index %" PRId64, pos);
    else if (strcmp(kind, "checkpoint") == 0)
        snprintf(where, sizeof where, "checkpoint %" PRId64 " (%s)", pos, id);
    else if (pos >= 0)
        snprintf(where, sizeof where, "%s %.500s%s%" PRId64, kind, id, posname, pos);
    else
        snprintf(where, sizeof where, "%s %.500s", kind, id);
    w->problems++;
    if (w->dst) {
        if (w->pg) progress_clear(w->pg);
        cli_fail_as(EXIT_INVALID, "store_copy", code, "%s: %s: %s: %s (the copy stops)", w->cmd, where, code, msg);
        return;
    }
    if (!w->json) {
        printf("%s: %s: %s\n", where, code, msg);
        return;
    }
    if (w->jn >= JSON_PROBLEMS_MAX) return;
    prova_buf *b = &w->jprob;
    int x = w->jn ? LIT(b, ",{\"record\":") : LIT(b, "{\"record\":");
    if (x == 0) x = put_str(b, kind);
    if (x == 0 && strcmp(kind, "log") != 0) {
        x = LIT(b, ",\"id\":");
        if (x == 0) x = put_str(b, id);
    }
    if (x == 0 && pos >= 0)
        x = putf(b, ",\"%s\":%" PRId64,
                 strcmp(kind, "trace") == 0   ? "hop"
                 : strcmp(kind, "chain") == 0 ? "seq"
                 : strcmp(kind, "log") == 0   ? "index"
                                              : "position",
                 pos);
    if (x == 0) x = LIT(b, ",\"code\":");
    if (x == 0) x = put_str(b, code);
    if (x == 0) x = LIT(b, ",\"message\":");
    if (x == 0) x = put_str(b, msg);
    if (x == 0) x = prova_buf_append(b, "}", 1);
    if (x != 0) w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
    w->jn++;
}

static int read_fail(walk *w, int s, prova_store *st, const char *what) {
    if (w->pg) progress_clear(w->pg);
    w->rc = cli_fail_as(EXIT_INTERNAL, "store", "store_unreadable", "%s: %s: %s%s%s", w->cmd, what,
                        prova_status_name(s), *prova_store_errmsg(st) ? ": " : "", prova_store_errmsg(st));
    return w->rc;
}

/* The destination: one more row written; a commit every BATCH_ROWS. */
static void row_written(walk *w) {
    w->rows++;
    if (w->pg && progress_due(w->pg))
        progress_show(w->pg,
                      "%" PRId64 " rows written: %" PRId64 " receipts, %" PRId64 " events, %" PRId64 " chains, %" PRId64
                      " certificates, %" PRId64 " replay claims, %" PRId64 " log entries, %" PRId64
                      " checkpoints, %" PRId64 " tiles",
                      w->rows, w->receipts, w->events, w->chains, w->certs, w->replay, w->entries, w->checkpoints,
                      w->tiles);
    if (++w->batch_rows < w->batch_max) return;
    int s = prova_store_commit(w->dst);
    if (s == 0) s = prova_store_begin(w->dst);
    if (s != 0) {
        read_fail(w, s, w->dst, "committing a batch to the destination");
        return;
    }
    w->batch_rows = 0;
    w->batches++;
}

static void write_result(walk *w, int s, const char *what) {
    if (s != 0)
        read_fail(w, s, w->dst, what);
    else
        row_written(w);
}

/* The elements of a JSON array text, each as its exact bytes: what the store returns is the stored bytes joined
 * with commas, and a copy writes those bytes again (what was signed or hashed). *pos starts at 0; returns false at
 * the end. */
static bool array_next(const uint8_t *d, size_t len, size_t *pos, const uint8_t **ret, size_t *ret_len) {
    size_t i = *pos;
    if (i == 0) {
        while (i < len && d[i] != '[') i++;
        i++;
    }
    while (i < len && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t' || d[i] == ',')) i++;
    if (i >= len || d[i] == ']') {
        *pos = len;
        return false;
    }
    size_t start = i;
    int depth = 0;
    bool str = false;
    for (; i < len; i++) {
        uint8_t c = d[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = false;
        } else if (c == '"') {
            str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) break;
            depth--;
        } else if (c == ',' && depth == 0) {
            break;
        }
    }
    size_t end = i;
    while (end > start && (d[end - 1] == ' ' || d[end - 1] == '\n' || d[end - 1] == '\r' || d[end - 1] == '\t')) end--;
    *ret = d + start;
    *ret_len = end - start;
    *pos = i;
    return true;
}

/* The position in an array that a report check's JSON Pointer names ("/3/receipt_signature" with prefix "/",
 * "/events/2/seq" with prefix "/events/"), or -1. */
static int64_t pointer_index(const char *at, const char *prefix) {
    size_t n = strlen(prefix);
    if (!at || strncmp(at, prefix, n) != 0 || at[n] < '0' || at[n] > '9') return -1;
    return strtoll(at + n, NULL, 10);
}

/* A stored log index (an integer, or null for a record stored before the log) as li (-1: none); false when it is
 * neither. */
static bool log_index_of(const prova_json *v, int64_t *li) {
    *li = -1;
    if (!v || prova_json_is_null(v)) return true;
    return prova_json_get_int64(v, li) == 0 && *li >= 0;
}

/* A record's log index li (-1: none): the entry there must be the one recomputed from the record (want). */
static void check_log_ref(walk *w, const char *kind, const char *id, int64_t pos, int64_t li, const prova_buf *want,
                          const char *unbuildable) {
    if (li < 0) {
        w->refs_unlogged++;
        return;
    }
    if (unbuildable) {
        problem(w, kind, id, pos, "record_log_entry_unbuildable",
                "the record's log entry cannot be built from it (%s); it is logged at index %" PRId64, unbuildable, li);
        return;
    }
    prova_buf got = PROVA_BUF_INIT;
    int s = prova_store_log_get(w->src, li, &got);
    if (s == PROVA_ENOTFOUND)
        problem(w, kind, id, pos, "record_log_index_missing", "its log index %" PRId64 " is beyond the log", li);
    else if (s != 0)
        read_fail(w, s, w->src, "reading a log entry");
    else if (got.len != want->len || memcmp(got.data, want->data, got.len) != 0)
        problem(w, kind, id, pos, "record_log_entry_mismatch",
                "the log entry at its index %" PRId64 " does not name this record", li);
    else
        w->refs_logged++;
    prova_buf_free(&got);
}

static void verify_options(const walk *w, prova_verify_options *o) {
    memset(o, 0, sizeof *o);
    o->keys = w->gw;
    o->now_us = w->now_us;
    o->no_skew = true; /* stored records are checked as records, not as fresh requests */
}

/* One OPE trace: its receipt chain as prova verify checks a chain (schema, receipt_hash, the signature with one of
 * the gateway's keys, hops 0, 1, 2, ..., each prev_receipt_hash the previous receipt's hash, one trace_id), the
 * trace_id the store files it under, and each receipt's log entry. */
static void walk_trace(walk *w, const char *trace) {
    prova_buf chain = PROVA_BUF_INIT, logs = PROVA_BUF_INIT, entry = PROVA_BUF_INIT;
    prova_doc *cd = NULL, *ld = NULL;
    prova_report *rep = NULL;
    size_t n = 0, nl = 0;
    int s = prova_store_ope_chain(w->src, trace, &chain, &n);
    if (s == 0) s = prova_store_ope_chain_log(w->src, trace, &logs, &nl);
    if (s != 0) {
        read_fail(w, s, w->src, "reading a trace");
        goto out;
    }
    w->traces++;
    w->receipts += (int64_t)n;
    prova_verify_options o;
    verify_options(w, &o);
    prova_error err = no_error();
    s = prova_ope_verify(chain.data, chain.len, &o, &rep, &err);
    if (s == PROVA_ENOMEM) {
        w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; rep && i < prova_report_check_count(rep) && !stopped(w); i++) {
        const prova_check *c = prova_report_check_at(rep, i);
        if (!c->ok) problem(w, "trace", trace, pointer_index(c->at, "/"), c->code, "%s", c->message);
    }
    if (stopped(w)) goto out;
    if (parse_json(&chain, &cd) != 0 || parse_json(&logs, &ld) != 0 || !prova_json_is_array(prova_doc_root(cd)) ||
        prova_json_len(prova_doc_root(cd)) != n || prova_json_len(prova_doc_root(ld)) != n) {
        problem(w, "trace", trace, -1, "store_unreadable", "the stored receipts or their log indexes are not JSON");
        goto out;
    }
    const prova_json *arr = prova_doc_root(cd), *la = prova_doc_root(ld);
    const prova_json *t0 = prova_json_get(prova_json_at(arr, 0), "trace_id");
    if (n && !(prova_json_is_string(t0) && strcmp(prova_json_str(t0), trace) == 0))
        problem(w, "trace", trace, 0, "trace_id_mismatch", "the receipts are filed under another trace id than theirs");
    size_t pos = 0;
    for (size_t i = 0; i < n && !stopped(w); i++) {
        const prova_json *r = prova_json_at(arr, i);
        int64_t li;
        if (!log_index_of(prova_json_at(la, i), &li)) {
            problem(w, "trace", trace, (int64_t)i, "record_log_index_invalid", "the stored log index is not an index");
            break;
        }
        entry.len = 0;
        err = no_error();
        int es = prova_log_entry_of_receipt(r, &entry, &err);
        check_log_ref(w, "trace", trace, (int64_t)i, li, &entry,
                      es ? (err.reason ? err.reason : prova_status_name(es)) : NULL);
        if (!w->dst || stopped(w)) continue;
        const uint8_t *rb;
        size_t rl;
        const prova_json *h = prova_json_get(r, "receipt_hash");
        if (!array_next(chain.data, chain.len, &pos, &rb, &rl) || !prova_json_is_string(h)) {
            w->rc = cli_fail(EXIT_INTERNAL, "%s: trace %s: cannot split the stored receipts", w->cmd, trace);
            break;
        }
        write_result(w, prova_store_ope_append_logged(w->dst, trace, (int64_t)i, prova_json_str(h), rb, rl, li),
                     "writing a receipt");
    }
out:
    prova_report_free(rep);
    prova_doc_free(cd);
    prova_doc_free(ld);
    prova_buf_free(&chain);
    prova_buf_free(&logs);
    prova_buf_free(&entry);
}

/* One OpenExecution chain: the record with its events as prova verify checks a chain record (seq 1, 2, 3, ..., each
 * prev_hash the previous event_hash from the genesis, each event_hash recomputed, event_count, chain_hash once
 * resolved), the id it is filed under, and each event's log entry. */
static void walk_chain(walk *w, const char *id) {
    prova_buf rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT, logs = PROVA_BUF_INIT, whole = PROVA_BUF_INIT,
              entry = PROVA_BUF_INIT;
    prova_doc *d = NULL, *ld = NULL;
    prova_report *rep = NULL;
    size_t n = 0, nl = 0;
    int s = prova_store_oe_chain_get(w->src, id, &rec);
    if (s == 0) s = prova_store_oe_events(w->src, id, &events, &n);
    if (s == 0) s = prova_store_oe_events_log(w->src, id, &logs, &nl);
    if (s != 0) {
        read_fail(w, s, w->src, "reading a chain");
        goto out;
    }
    w->chains++;
    w->events += (int64_t)n;
    /* The chain record with its events, as GET /api/v1/chains/{id} answers it. */
    if (rec.len < 2 || rec.data[0] != '{' || rec.data[rec.len - 1] != '}') {
        problem(w, "chain", id, -1, "store_unreadable", "the stored chain record is not a JSON object");
        goto out;
    }
    s = prova_buf_append(&whole, rec.data, rec.len - 1);
    if (s == 0) s = prova_buf_append(&whole, rec.len > 2 ? ",\"events\":" : "\"events\":", rec.len > 2 ? 10 : 9);
    if (s == 0) s = prova_buf_append(&whole, events.data, events.len);
    if (s == 0) s = prova_buf_append(&whole, "}", 1);
    if (s != 0) {
        w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    if (parse_json(&whole, &d) != 0 || parse_json(&logs, &ld) != 0 || !prova_json_is_object(prova_doc_root(d)) ||
        prova_json_len(prova_doc_root(ld)) != n) {
        problem(w, "chain", id, -1, "store_unreadable", "the stored chain record or its events are not JSON");
        goto out;
    }
    const prova_json *root = prova_doc_root(d), *ev = prova_json_get(root, "events"), *la = prova_doc_root(ld);
    if (!(rep = prova_report_new("oe_chain"))) {
        w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    prova_verify_options o;
    verify_options(w, &o);
    if (prova_oe_verify_doc(root, &o, rep) != 0) {
        w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < prova_report_check_count(rep) && !stopped(w); i++) {
        const prova_check *c = prova_report_check_at(rep, i);
        int64_t k = pointer_index(c->at, "/events/");
        if (!c->ok) problem(w, "chain", id, k >= 0 ? k + 1 : -1, c->code, "%s", c->message);
    }
    const prova_json *rid = prova_json_get(root, "id");
    if (!stopped(w) && !(prova_json_is_string(rid) && strcmp(prova_json_str(rid), id) == 0))
        problem(w, "chain", id, -1, "chain_id_mismatch", "the record is filed under another id than its own");
    prova_hash_alg alg = PROVA_HASH_SHA256;
    const prova_json *ha = prova_json_get(root, "hash_algorithm");
    bool have_alg = prova_json_is_string(ha) && prova_oe_hash_lookup(prova_json_str(ha), &alg) == 0;
    if (!stopped(w) && w->dst)
        write_result(w, prova_store_oe_chain_put(w->dst, id, rec.data, rec.len), "writing a chain");
    size_t pos = 0;
    for (size_t i = 0; i < n && !stopped(w); i++) {
        const prova_json *e = prova_json_at(ev, i);
        const prova_json *ec = prova_json_get(e, "chain_id");
        if (!(prova_json_is_string(ec) && strcmp(prova_json_str(ec), id) == 0)) {
            problem(w, "chain", id, (int64_t)i + 1, "event_chain_mismatch", "the event names another chain");
            break;
        }
        int64_t li;
        if (!log_index_of(prova_json_at(la, i), &li)) {
            problem(w, "chain", id, (int64_t)i + 1, "record_log_index_invalid", "the stored log index is not an index");
            break;
        }
        entry.len = 0;
        prova_error err = no_error();
        int es = have_alg ? prova_log_entry_of_oe_event(e, alg, &entry, &err) : PROVA_EUNSUPPORTED;
        check_log_ref(w, "chain", id, (int64_t)i + 1, li, &entry,
                      es ? (err.reason ? err.reason : prova_status_name(es)) : NULL);
        if (!w->dst || stopped(w)) continue;
        const uint8_t *eb;
        size_t el;
        if (!array_next(events.data, events.len, &pos, &eb, &el)) {
            w->rc = cli_fail(EXIT_INTERNAL, "%s: chain %s: cannot split the stored events", w->cmd, id);
            break;
        }
        write_result(w, prova_store_oe_event_append_logged(w->dst, id, (int64_t)i + 1, eb, el, li), "writing an event");
    }
out:
    prova_report_free(rep);
    prova_doc_free(d);
    prova_doc_free(ld);
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&logs);
    prova_buf_free(&whole);
    prova_buf_free(&entry);
}

/* One certificate: its offline bundle as prova verify checks one (signature with one of the gateway's keys, the
 * certified chain, the status block; a revoked or superseded certificate is a state, not a problem), the chain it is
 * filed under, the store's events against the certified ones (GET /api/v1/provenance/verify's integrity), and the
 * log entries of its issue and of its status change. */
static void walk_cert(walk *w, const char *id) {
    prova_buf b = PROVA_BUF_INIT, cid = PROVA_BUF_INIT, rec = PROVA_BUF_INIT, events = PROVA_BUF_INIT,
              out = PROVA_BUF_INIT, entry = PROVA_BUF_INIT;
    prova_doc *bd = NULL, *rd = NULL, *ed = NULL, *od = NULL;
    prova_report *rep = NULL;
    int64_t li = -1, si = -1;
    size_t n = 0;
    int s = prova_store_oe_cert_get(w->src, id, &b);
    if (s == 0) s = prova_store_oe_cert_chain(w->src, id, &cid);
    if (s == 0) s = prova_buf_append(&cid, "", 1); /* NUL-terminated */
    if (s == 0) s = prova_store_oe_cert_log(w->src, id, &li, &si);
    if (s != 0) {
        read_fail(w, s, w->src, "reading a certificate");
        goto out;
    }
    w->certs++;
    const char *chain_id = (const char *)cid.data;
    if (parse_json(&b, &bd) != 0 || !prova_json_is_object(prova_doc_root(bd))) {
        problem(w, "certificate", id, -1, "store_unreadable", "the stored bundle is not a JSON object");
        goto out;
    }
    const prova_json *root = prova_doc_root(bd);
    if (!(rep = prova_report_new("oe_bundle"))) {
        w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    prova_verify_options o;
    verify_options(w, &o);
    if (prova_oe_verify_doc(root, &o, rep) != 0) {
        w->rc = cli_fail(EXIT_INTERNAL, "out of memory");
        goto out;
    }
    bool bundle_ok = true;
    for (size_t i = 0; i < prova_report_check_count(rep) && !stopped(w); i++) {
        const prova_check *c = prova_report_check_at(rep, i);
        if (c->ok || !strcmp(c->code, "certificate_revoked") || !strcmp(c->code, "certificate_superseded")) continue;
        problem(w, "certificate", id, -1, c->code, "%s", c->message);
        bundle_ok = false;
    }
    const prova_json *bid = prova_json_get(root, "certificate_id");
    const prova_json *bch = prova_json_get(prova_json_get(root, "certificate"), "chain_id");
    if (!stopped(w) && !(prova_json_is_string(bid) && strcmp(prova_json_str(bid), id) == 0))
        problem(w, "certificate", id, -1, "certificate_id_mismatch",
                "the bundle is filed under another id than its own");
    if (!stopped(w) && !(prova_json_is_string(bch) && strcmp(prova_json_str(bch), chain_id) == 0))
        problem(w, "certificate", id, -1, "certificate_chain_mismatch",
                "the bundle is filed under chain %.200s, its certificate names another", chain_id);
    /* The store's chain against the certified one, as the gateway's verify API decides it. */
    if (!stopped(w) && bundle_ok) {
        s = prova_store_oe_chain_get(w->src, chain_id, &rec);
        if (s == PROVA_ENOTFOUND) s = 0, rec.len = 0;
        if (s == 0) s = prova_store_oe_events(w->src, chain_id, &events, &n);
        if (s != 0) {
            read_fail(w, s, w->src, "reading a certified chain");
            goto out;
        }
        bool valid = false;
        char reason[PROVA_OE_REASON_MAX] = "";
        if ((rec.len && parse_json(&rec, &rd) != 0) || parse_json(&events, &ed) != 0) {
            problem(w, "certificate", id, -1, "store_unreadable", "its chain's stored record or events are not JSON");
            goto out;
        }
        s = prova_oe_verify_stored(id, root, rd ? prova_doc_root(rd) : NULL, prova_doc_root(ed), w->gw, w->now_us, &out,
                                   &valid, reason, NULL);
        if (s == 0) s = parse_json(&out, &od);
        if (s != 0) {
            w->rc = cli_fail(EXIT_INTERNAL, "%s: certificate %s: %s", w->cmd, id, prova_status_name(s));
            goto out;
        }
        const prova_json *o_root = prova_doc_root(od);
        const prova_json *integ = prova_json_get(prova_json_get(o_root, "integrity"), "is_valid");
        const prova_json *chv = prova_json_get(o_root, "chain_hash_valid");
        if (prova_json_typeof(integ) != PROVA_JSON_TRUE)
            problem(w, "certificate", id, -1, "store_events_differ",
                    "the stored events of chain %.200s are not the certified ones", chain_id);
        else if (prova_json_typeof(chv) != PROVA_JSON_TRUE)
            problem(w, "certificate", id, -1, "chain_record_hash_mismatch",
                    "the stored record of chain %.200s does not carry the certified chain_hash", chain_id);
    }
    if (!stopped(w)) {
        prova_error err = no_error();
        entry.len = 0;
        int es = li >= 0 ? prova_log_entry_of_oe_certificate(root, &entry, &err) : 0;
        check_log_ref(w, "certificate", id, -1, li, &entry, es ? (err.reason ? err.reason : "invalid") : NULL);
    }
    if (!stopped(w) && si >= 0) {
        prova_error err = no_error();
        entry.len = 0;
        int es = prova_log_entry_of_oe_status(root, &entry, &err);
        check_log_ref(w, "certificate", id, -1, si, &entry, es ? (err.reason ? err.reason : "invalid") : NULL);
    }
    if (!stopped(w) && w->dst)
        write_result(w, prova_store_oe_cert_put_logged(w->dst, id, chain_id, b.data, b.len, li, si),
                     "writing a certificate");
out:
    prova_report_free(rep);
    prova_doc_free(bd);
    prova_doc_free(rd);
    prova_doc_free(ed);
    prova_doc_free(od);
    prova_buf_free(&b);
    prova_buf_free(&cid);
    prova_buf_free(&rec);
    prova_buf_free(&events);
    prova_buf_free(&out);
    prova_buf_free(&entry);
}

typedef int (*list_fn)(prova_store *, const char *, size_t, prova_buf *, size_t *);

/* Every id a listing gives, PAGE at a time, each handed to fn. */
static void walk_ids(walk *w, list_fn list, void (*fn)(walk *, const char *), const char *what) {
    char after[4096] = "";
    prova_buf page = PROVA_BUF_INIT;
    for (;;) {
        size_t count = 0;
        page.len = 0;
        int s = list(w->src, after, PAGE, &page, &count);
        if (s != 0) {
            read_fail(w, s, w->src, what);
            break;
        }
        prova_doc *d = NULL;
        if (parse_json(&page, &d) != 0) {
            w->rc = cli_fail(EXIT_INTERNAL, "%s: %s: the listing is not JSON", w->cmd, what);
            break;
        }
        const prova_json *arr = prova_doc_root(d);
        for (size_t i = 0; i < prova_json_len(arr) && !stopped(w); i++) {
            const prova_json *v = prova_json_at(arr, i);
            if (!prova_json_is_string(v) || v->len >= sizeof after) {
                w->rc = cli_fail(EXIT_INTERNAL, "%s: %s: an id that is not a string of at most %zu bytes", w->cmd, what,
                                 sizeof after - 1);
                break;
            }
            fn(w, prova_json_str(v));
            memcpy(after, prova_json_str(v), v->len + 1);
        }
        prova_doc_free(d);
        if (count < PAGE || stopped(w)) break;
    }
    prova_buf_free(&page);
}

/* The replay claims: counted; the copy takes the unexpired ones (an expired one guards nothing). */
static void walk_replay(walk *w) {
    char after[4096] = "";
    prova_buf page = PROVA_BUF_INIT;
    for (;;) {
        size_t count = 0;
        page.len = 0;
        int s = prova_store_replay_list(w->src, after, PAGE, &page, &count);
        prova_doc *d = NULL;
        if (s != 0 || parse_json(&page, &d) != 0) {
            read_fail(w, s ? s : PROVA_EIO, w->src, "listing the replay claims");
            break;
        }
        const prova_json *arr = prova_doc_root(d);
        for (size_t i = 0; i < prova_json_len(arr) && !stopped(w); i++) {
            const prova_json *p = prova_json_at(arr, i), *k = prova_json_at(p, 0);
            int64_t exp = 0;
            if (!prova_json_is_string(k) || k->len >= sizeof after ||
                prova_json_get_int64(prova_json_at(p, 1), &exp) != 0) {
                w->rc = cli_fail(EXIT_INTERNAL, "%s: a replay claim the listing cannot page past", w->cmd);
                break;
            }
            memcpy(after, prova_json_str(k), k->len + 1);
            if (exp <= w->now_us) {
                w->replay_expired++;
                continue;
            }
            w->replay++;
            if (w->dst)
                write_result(w, prova_store_replay_claim(w->dst, after, w->now_us, exp), "writing a replay claim");
        }
        prova_doc_free(d);
        if (count < PAGE || stopped(w)) break;
    }
    prova_buf_free(&page);
}

/* ---- the log -------------------------------------------------------------------------------------------------- */

/* A tile the tile writer emits: one that the tree of the latest checkpoint's size has (a full tile, or the partial
 * tile of a level at that size; the writer's intermediate partial tiles are not stored), compared with the source's
 * stored row, and in a copy written to the destination. */
static int tile_emit(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len) {
    walk *w = ctx;
    if (tile->width < PROVA_TILE_WIDTH) {
        uint64_t s = (uint64_t)w->cp_size;
        for (int l = 0; l < tile->level; l++) s >>= PROVA_TILE_HEIGHT;
        if ((s % PROVA_TILE_WIDTH) != tile->width || (s >> PROVA_TILE_HEIGHT) != tile->index) return 0;
    }
    char path[PROVA_TILE_PATH_MAX];
    prova_tile_path_format(tile, path, NULL);
    w->tiles++;
    prova_buf got = PROVA_BUF_INIT;
    int s = prova_store_log_tile_get(w->src, tile->level, (int64_t)tile->index, &got);
    if (s == PROVA_ENOTFOUND)
        problem(w, "tile", path, -1, "log_tile_missing", "the store has no row for this tile of the checkpoint's tree");
    else if (s != 0)
        read_fail(w, s, w->src, "reading a tile");
    else if (got.len != len || memcmp(got.data, data, len) != 0)
        problem(w, "tile", path, -1, "log_tile_mismatch", "the stored tile differs from the hashes of the entries");
    prova_buf_free(&got);
    if (!stopped(w) && w->dst)
        write_result(w, prova_store_log_tile_put(w->dst, tile->level, (int64_t)tile->index, data, len),
                     "writing a tile");
    return stopped(w) ? PROVA_EVERIFY : 0;
}

/* Reads the entries up to target: each must exist (contiguous from 0) and be a log entry; those below the latest
 * checkpoint's size go into the tree; a copy appends each at the same index. */
static void log_advance(walk *w, uint64_t target) {
    prova_buf bundle = PROVA_BUF_INIT;
    while (w->done < target && !w->broken && !stopped(w)) {
        uint64_t to = (w->done / PROVA_TILE_WIDTH + 1) * PROVA_TILE_WIDTH;
        if (to > target) to = target;
        size_t cnt = 0;
        bundle.len = 0;
        int s = prova_store_log_entries(w->src, (int64_t)w->done, (int64_t)to, &bundle, &cnt);
        if (s == PROVA_EIO || (s == 0 && cnt != to - w->done)) {
            /* a gap: name the first missing index */
            uint64_t k = w->done;
            prova_buf one = PROVA_BUF_INIT;
            for (; k < to; k++) {
                one.len = 0;
                if (prova_store_log_get(w->src, (int64_t)k, &one) == PROVA_ENOTFOUND) break;
            }
            prova_buf_free(&one);
            problem(w, "log", "", (int64_t)k, "log_entry_missing",
                    "the log's entries are not contiguous: no entry at this index (the log's size is %" PRId64 ")",
                    w->log_size);
            w->broken = true;
            break;
        }
        if (s != 0) {
            read_fail(w, s, w->src, "reading log entries");
            break;
        }
        prova_tile_entry ents[PROVA_TILE_WIDTH];
        uint8_t leaves[PROVA_TILE_WIDTH][HASH];
        size_t ne = 0;
        prova_error err = no_error();
        if (prova_tile_bundle_decode(bundle.data, bundle.len, cnt, ents, PROVA_TILE_WIDTH, &ne, &err) != 0) {
            w->rc = cli_fail(EXIT_INTERNAL, "%s: the store's entries %" PRIu64 "..%" PRIu64 " cannot be decoded (%s)",
                             w->cmd, w->done, to, err.reason ? err.reason : "invalid");
            break;
        }
        for (size_t k = 0; k < ne && !stopped(w); k++) {
            prova_log_entry le;
            prova_doc *d = NULL;
            err = no_error();
            if (prova_log_entry_parse(ents[k].data, ents[k].len, &le, &d, &err) != 0)
                problem(w, "log", "", (int64_t)(w->done + k), "log_entry_invalid", "not a prova log entry (%s)",
                        err.reason ? err.reason : "invalid");
            prova_doc_free(d);
            prova_merkle_hash_leaf(ents[k].data, ents[k].len, leaves[k]);
            if (w->dst && !stopped(w)) {
                int64_t idx = -1;
                int ws = prova_store_log_append(w->dst, ents[k].data, ents[k].len, w->now_us, &idx);
                if (ws == 0 && idx != (int64_t)(w->done + k)) {
                    w->rc = cli_fail(EXIT_INTERNAL, "%s: the destination put entry %" PRIu64 " at index %" PRId64,
                                     w->cmd, w->done + k, idx);
                    break;
                }
                write_result(w, ws, "writing a log entry");
            }
        }
        if (stopped(w)) break;
        /* into the tree: the entries below the latest checkpoint's size */
        size_t integrate = w->cp_size > 0 && w->done < (uint64_t)w->cp_size
                               ? (size_t)((uint64_t)w->cp_size - w->done < ne ? (uint64_t)w->cp_size - w->done : ne)
                               : 0;
        if (integrate) {
            err = no_error();
            s = prova_tile_writer_append(w->tw, (const uint8_t(*)[HASH])leaves, integrate, tile_emit, w, &err);
            if (s != 0 && !stopped(w))
                w->rc = cli_fail(EXIT_INTERNAL, "%s: tile writer: %s", w->cmd, err.reason ? err.reason : "failed");
        }
        w->entries += (int64_t)ne;
        w->done += ne;
    }
    prova_buf_free(&bundle);
}

static const char *cp_reason(const char *lib) {
    if (lib && strcmp(lib, "checkpoint_origin_mismatch") == 0) return "checkpoint_origin_mismatch";
    return "checkpoint_signature_invalid";
}

/* One checkpoint (number k, recorded for size): after the entries up to its size were read, its signature with
 * the log's key, its size, and its root against the root of those entries. */
static void log_checkpoint(walk *w, int64_t k, int64_t size, int64_t time_us, const char *note, size_t len,
                           int64_t *prev) {
    char sz[40];
    snprintf(sz, sizeof sz, "size %" PRId64, size);
    if (size < *prev)
        problem(w, "checkpoint", sz, k, "checkpoint_size_decreased",
                "its size is below the one before it (%" PRId64 ")", *prev);
    if (size > w->log_size) {
        problem(w, "checkpoint", sz, k, "checkpoint_beyond_log",
                "it covers more entries than the log holds (%" PRId64 ")", w->log_size);
        return;
    }
    if (stopped(w)) return;
    if (size > *prev) *prev = size;
    log_advance(w, (uint64_t)size);
    if (stopped(w)) return;
    prova_checkpoint *cp = NULL;
    prova_error err = no_error();
    int s = prova_checkpoint_verify(note, len, w->logkey, NULL, 0, &cp, NULL, &err);
    if (s != 0) {
        problem(w, "checkpoint", sz, k, cp_reason(err.reason), "its signature does not verify with the log key (%s)",
                err.reason ? err.reason : "invalid");
        /* the body, unverified, for the root check */
        prova_note *nt = NULL;
        if (prova_note_parse(note, len, &nt, NULL) == 0) {
            size_t tl;
            const char *text = prova_note_text(nt, &tl);
            if (prova_checkpoint_parse(text, tl, &cp, NULL) != 0) cp = NULL;
        }
        prova_note_free(nt);
    }
    if (cp && prova_checkpoint_size(cp) != (uint64_t)size)
        problem(w, "checkpoint", sz, k, "checkpoint_size_mismatch", "its note says size %" PRIu64,
                prova_checkpoint_size(cp));
    else if (cp && !w->broken && prova_tile_writer_size(w->tw) == (uint64_t)size) {
        uint8_t root[HASH], want[HASH];
        prova_checkpoint_root(cp, want);
        if (prova_tile_writer_root(w->tw, root) != 0 || memcmp(root, want, HASH) != 0) {
            if (!w->root_seen)
                problem(w, "checkpoint", sz, k, "log_root_mismatch",
                        "its root is not the Merkle root of the log's first %" PRId64 " entries", size);
            else
                w->later_root_mismatches++;
            w->root_seen = true;
        }
    }
    prova_checkpoint_free(cp);
    w->checkpoints++;
    if (!stopped(w) && w->dst)
        write_result(w, prova_store_log_checkpoint_put(w->dst, size, note, len, time_us), "writing a checkpoint");
}

static void walk_log(walk *w) {
    int s = prova_store_log_size(w->src, &w->log_size);
    prova_buf note = PROVA_BUF_INIT, page = PROVA_BUF_INIT;
    w->cp_size = -1;
    if (s == 0) {
        s = prova_store_log_checkpoint_latest(w->src, &note, &w->cp_size);
        if (s == PROVA_ENOTFOUND) s = 0, w->cp_size = -1;
    }
    if (s == 0 && prova_tile_writer_new(&w->tw) != 0) s = PROVA_ENOMEM;
    if (s != 0) {
        read_fail(w, s, w->src, "reading the log");
        goto out;
    }
    int64_t k = 0, prev = 0;
    for (;;) {
        size_t count = 0;
        page.len = 0;
        prova_doc *d = NULL;
        s = prova_store_log_checkpoints(w->src, k, PAGE, &page, &count);
        if (s != 0 || parse_json(&page, &d) != 0) {
            read_fail(w, s ? s : PROVA_EIO, w->src, "listing the checkpoints");
            break;
        }
        const prova_json *arr = prova_doc_root(d);
        for (size_t i = 0; i < prova_json_len(arr) && !stopped(w); i++, k++) {
            const prova_json *c = prova_json_at(arr, i), *nt = prova_json_get(c, "note");
            int64_t size = 0, t = 0;
            if (prova_json_get_int64(prova_json_get(c, "size"), &size) != 0 ||
                prova_json_get_int64(prova_json_get(c, "time_us"), &t) != 0 || !prova_json_is_string(nt)) {
                problem(w, "checkpoint", "?", k, "store_unreadable", "the stored checkpoint is not readable");
                continue;
            }
            log_checkpoint(w, k, size, t, prova_json_str(nt), nt->len, &prev);
        }
        prova_doc_free(d);
        if (count < PAGE || stopped(w)) break;
    }
    /* the entries after the latest checkpoint: sequenced, not yet integrated */
    if (!stopped(w)) log_advance(w, (uint64_t)w->log_size);
out:
    prova_buf_free(&note);
    prova_buf_free(&page);
}

/* One proof record (schema 5): its id is its content hash, its log entry (when it has one) names it; a copy stores
 * the same bytes with the same time and index. */
static void walk_proof(walk *w, const char *id, int64_t stored_us) {
    prova_buf rec = PROVA_BUF_INIT, entry = PROVA_BUF_INIT;
    prova_doc *d = NULL;
    int64_t li = -1;
    int s = prova_store_proof_get(w->src, id, &rec, &li);
    if (s != 0) {
        read_fail(w, s, w->src, "reading a proof record");
        goto out;
    }
    w->proofs++;
    char pid[PROVA_PROOF_HEX_LEN + 1] = "";
    if (parse_json(&rec, &d) != 0 || !prova_json_is_object(prova_doc_root(d)) ||
        prova_proof_id(prova_doc_root(d), pid, NULL) != 0) {
        problem(w, "proof", id, -1, "store_unreadable", "the stored proof record is not a JSON object");
        goto out;
    }
    if (strcmp(pid, id) != 0) {
        problem(w, "proof", id, -1, "proof_id_mismatch", "the record's content hash is %s", pid);
        goto out;
    }
    prova_error e;
    const char *unbuildable = NULL;
    if (prova_log_entry_of_proof_record(prova_doc_root(d), &entry, &e) != 0) unbuildable = e.reason ? e.reason : "?";
    check_log_ref(w, "proof", id, -1, li, &entry, unbuildable);
    if (w->dst && !stopped(w))
        write_result(w, prova_store_proof_put(w->dst, id, rec.data, rec.len, stored_us, li), "writing a proof record");
out:
    prova_doc_free(d);
    prova_buf_free(&rec);
    prova_buf_free(&entry);
}

static void walk_proofs(walk *w) {
    int64_t before = INT64_MAX;
    char before_id[PROVA_PROOF_HEX_LEN + 1] = "";
    prova_buf page = PROVA_BUF_INIT;
    for (;;) {
        size_t count = 0;
        page.len = 0;
        int s = prova_store_proof_list(w->src, before, before_id, INT64_MIN, INT64_MAX, PAGE, &page, &count);
        if (s != 0) {
            read_fail(w, s, w->src, "listing the proof records");
            break;
        }
        prova_doc *d = NULL;
        if (parse_json(&page, &d) != 0) {
            w->rc = cli_fail(EXIT_INTERNAL, "%s: listing the proof records: the listing is not JSON", w->cmd);
            break;
        }
        const prova_json *arr = prova_doc_root(d);
        for (size_t i = 0; i < prova_json_len(arr) && !stopped(w); i++) {
            const prova_json *it = prova_json_at(arr, i), *v = prova_json_get(it, "proof_id");
            int64_t us = 0;
            if (!prova_json_is_string(v) || v->len != PROVA_PROOF_HEX_LEN ||
                prova_json_get_int64(prova_json_get(it, "stored_us"), &us) != 0) {
                w->rc =
                    cli_fail(EXIT_INTERNAL, "%s: listing the proof records: an item without its id and time", w->cmd);
                break;
            }
            walk_proof(w, prova_json_str(v), us);
            before = us;
            memcpy(before_id, prova_json_str(v), v->len + 1);
        }
        prova_doc_free(d);
        if (count < PAGE || stopped(w)) break;
    }
    prova_buf_free(&page);
}

/* Everything in order: traces, chains, certificates, proof records, replay claims, the log. */
static void walk_all(walk *w) {
    walk_ids(w, prova_store_ope_traces, walk_trace, "listing the traces");
    if (!stopped(w)) walk_ids(w, prova_store_oe_chain_ids, walk_chain, "listing the chains");
    if (!stopped(w)) walk_ids(w, prova_store_oe_cert_ids, walk_cert, "listing the certificates");
    if (!stopped(w)) walk_proofs(w);
    if (!stopped(w)) walk_replay(w);
    if (!stopped(w)) walk_log(w);
}

static int counts_json(const walk *w, prova_buf *b) {
    return putf(b,
                "\"counts\":{\"traces\":%" PRId64 ",\"receipts\":%" PRId64 ",\"chains\":%" PRId64 ",\"events\":%" PRId64
                ",\"certificates\":%" PRId64 ",\"proofs\":%" PRId64 ",\"replay_claims\":%" PRId64
                ",\"log_entries\":%" PRId64 ",\"checkpoints\":%" PRId64 ",\"tiles\":%" PRId64
                ",\"records_logged\":%" PRId64 ",\"records_unlogged\":%" PRId64 "}",
                w->traces, w->receipts, w->chains, w->events, w->certs, w->proofs, w->replay, w->entries,
                w->checkpoints, w->tiles, w->refs_logged, w->refs_unlogged);
}

static void counts_text(const walk *w, char *out, size_t cap) {
    snprintf(out, cap,
             "%" PRId64 " traces (%" PRId64 " receipts), %" PRId64 " chains (%" PRId64 " events), %" PRId64
             " certificates, %" PRId64 " proof records, %" PRId64 " replay claims, %" PRId64 " log entries, %" PRId64
             " checkpoints, %" PRId64 " tiles; %" PRId64 " records' log entries matched (%" PRId64
             " records without one)",
             w->traces, w->receipts, w->chains, w->events, w->certs, w->proofs, w->replay, w->entries, w->checkpoints,
             w->tiles, w->refs_logged, w->refs_unlogged);
}

/* The keys a walk needs: the gateway's when the store has receipts or certificates, the log's when it has
 * checkpoints. EXIT_USAGE naming the option when one is missing. */
static int need_keys(walk *w, const db_opts *o) {
    prova_buf b = PROVA_BUF_INIT;
    size_t nt = 0, nc = 0;
    int64_t cps = 0;
    int s = prova_store_ope_traces(w->src, NULL, 1, &b, &nt);
    if (s == 0) s = prova_store_oe_cert_ids(w->src, NULL, 1, &b, &nc);
    if (s == 0) s = prova_store_log_checkpoint_latest(w->src, &b, &cps);
    prova_buf_free(&b);
    if (s != 0 && s != PROVA_ENOTFOUND) return read_fail(w, s, w->src, "reading the store");
    if (!w->gw && (nt || nc))
        return cli_fail_as(EXIT_USAGE, "keys", "gateway_keys_missing",
                           "%s: the gateway's keys are needed to check receipts and certificates: --data DIR (with "
                           "DIR/gateway.key) or --jwks FILE (the gateway's /.well-known/jwks.json)",
                           o->cmd);
    if (!w->logkey && s == 0)
        return cli_fail_as(EXIT_USAGE, "keys", "log_key_missing",
                           "%s: the log's key is needed to check its checkpoints: --data DIR (with DIR/log.key) or "
                           "--log-key VKEY (GET /log/vkey)",
                           o->cmd);
    return EXIT_OK;
}

/* ---- db check --------------------------------------------------------------------------------------------------- */

static int check_cmd(int argc, char **argv) {
    db_opts o;
    int rc = parse_opts(argc, argv, "db check", 0, &o);
    if (rc != EXIT_OK) return rc;
    shown_location(o.loc, o.shown, sizeof o.shown);
    prova_keyset *gw = NULL;
    prova_note_key *lk = NULL;
    walk w = {.cmd = "db check", .json = o.json, .now_us = cli_now_us()};
    rc = load_gateway_keys(&o, &gw);
    if (rc == EXIT_OK) rc = load_log_key(&o, &lk);
    if (rc == EXIT_OK) rc = open_store("db check", o.loc, PROVA_STORE_READONLY, false, &w.src, NULL);
    w.gw = gw;
    w.logkey = lk;
    if (rc == EXIT_OK) rc = need_keys(&w, &o);
    /* one snapshot: what a running gateway commits meanwhile is not half seen */
    if (rc == EXIT_OK && prova_store_read_begin(w.src) != 0) rc = read_fail(&w, PROVA_EIO, w.src, "beginning a read");
    if (rc == EXIT_OK) {
        walk_all(&w);
        prova_store_rollback(w.src);
        rc = w.rc;
    }
    if (rc == EXIT_OK) {
        char counts[1024];
        counts_text(&w, counts, sizeof counts);
        if (o.json) {
            prova_buf b = PROVA_BUF_INIT;
            int x = putf(&b, "{\"ok\":%s,\"location\":", w.problems ? "false" : "true");
            if (x == 0) x = put_str(&b, o.shown);
            if (x == 0) x = putf(&b, ",\"backend\":\"%s\",", prova_store_backend(w.src));
            if (x == 0) x = counts_json(&w, &b);
            if (x == 0)
                x = putf(&b,
                         ",\"log_size\":%" PRId64 ",\"checkpoint_size\":%" PRId64 ",\"problem_count\":%" PRId64
                         ",\"problems_omitted\":%" PRId64 ",\"problems\":[",
                         w.log_size, w.cp_size, w.problems, w.problems - (int64_t)w.jn);
            if (x == 0 && w.jprob.len) x = prova_buf_append(&b, w.jprob.data, w.jprob.len);
            if (x == 0) x = prova_buf_append(&b, "]}\n", 3);
            rc = x == 0 ? cli_write_stdout(b.data, b.len) : cli_fail(EXIT_INTERNAL, "out of memory");
            if (rc == EXIT_OK) cli_json_wrote();
            prova_buf_free(&b);
        } else {
            if (w.later_root_mismatches)
                printf("(%" PRId64 " later checkpoints' roots differ too, from the same cause)\n",
                       w.later_root_mismatches);
            printf("%s %s: %s; the log has %" PRId64 " entries, the latest checkpoint %s%" PRId64 "%s\n",
                   prova_store_backend(w.src), o.shown, counts, w.log_size, w.cp_size < 0 ? "(none" : "covers ",
                   w.cp_size < 0 ? 0 : w.cp_size, w.cp_size < 0 ? ")" : "");
            if (w.problems)
                printf("%" PRId64 " problem%s found\n", w.problems, w.problems == 1 ? "" : "s");
            else
                printf("no problems found\n");
            fflush(stdout);
        }
        if (rc == EXIT_OK && w.problems) rc = EXIT_INVALID;
    }
    prova_tile_writer_free(w.tw);
    prova_buf_free(&w.jprob);
    prova_store_close(w.src);
    prova_keyset_free(gw);
    prova_note_key_free(lk);
    return rc;
}

/* ---- store copy --------------------------------------------------------------------------------------------- */

/* What a destination holds, as "3 receipts, 12 log entries" into out; "" when it is empty. */
static int dest_contents(prova_store *d, int64_t now_us, char *out, size_t cap) {
    prova_store_counts c;
    int64_t size = 0, cps = 0;
    prova_buf b = PROVA_BUF_INIT;
    int s = prova_store_counts_get(d, &c);
    if (s == 0) s = prova_store_log_size(d, &size);
    if (s == 0) {
        s = prova_store_log_checkpoint_latest(d, &b, &cps);
        if (s == PROVA_ENOTFOUND) s = 0, cps = -1;
    }
    b.len = 0;
    bool tiles = false;
    if (s == 0) {
        s = prova_store_log_tile_get(d, 0, 0, &b);
        tiles = s == 0;
        if (s == PROVA_ENOTFOUND) s = 0;
    }
    /* unexpired replay claims (a gateway's own probe claim expires at once) */
    int64_t live = 0;
    char after[4096] = "";
    for (size_t count = PAGE; s == 0 && count == PAGE && live == 0;) {
        b.len = 0;
        prova_doc *doc = NULL;
        s = prova_store_replay_list(d, after, PAGE, &b, &count);
        if (s == 0 && parse_json(&b, &doc) != 0) s = PROVA_EIO;
        const prova_json *arr = doc ? prova_doc_root(doc) : NULL;
        for (size_t i = 0; i < prova_json_len(arr); i++) {
            const prova_json *p = prova_json_at(arr, i), *k = prova_json_at(p, 0);
            int64_t exp = 0;
            if (prova_json_get_int64(prova_json_at(p, 1), &exp) == 0 && exp > now_us) live++;
            if (prova_json_is_string(k) && k->len < sizeof after) memcpy(after, prova_json_str(k), k->len + 1);
        }
        prova_doc_free(doc);
    }
    prova_buf_free(&b);
    if (s != 0) return s;
    out[0] = '\0';
    size_t n = 0;
#define HOLDS(v, what)                                                                                                 \
    if ((v) > 0 && n < cap) n += (size_t)snprintf(out + n, cap - n, "%s%" PRId64 " " what, n ? ", " : "", (int64_t)(v))
    HOLDS(c.receipts, "receipts");
    HOLDS(c.chains, "chains");
    HOLDS(c.events, "events");
    HOLDS(c.certificates, "certificates");
    HOLDS(live, "unexpired replay claims");
    HOLDS(size, "log entries");
    HOLDS(cps >= 0 ? 1 : 0, "checkpoint(s)");
    HOLDS(tiles ? 1 : 0, "hash tile(s)");
#undef HOLDS
    return 0;
}

static double seconds_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void remove_sqlite(const char *path) {
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[4200];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static int copy_cmd(int argc, char **argv) {
    db_opts o;
    int rc = parse_opts(argc, argv, "store copy", 2, &o);
    if (rc != EXIT_OK) return rc;
    if (o.npos != 2) return cli_fail(EXIT_USAGE, "store copy: FROM and TO are required (prova store --help)");
    if (o.store) return cli_fail(EXIT_USAGE, "store copy: the stores are FROM and TO, not --store");
    const char *from = o.pos[0], *to = o.pos[1];
    char sfrom[512], sto[512];
    shown_location(from, sfrom, sizeof sfrom);
    shown_location(to, sto, sizeof sto);
    if (strcmp(from, to) == 0) return cli_fail(EXIT_USAGE, "store copy: FROM and TO are the same store");
    if (!prova_store_is_postgresql(from) && !prova_store_is_postgresql(to)) {
        struct stat a, b;
        if (stat(from, &a) == 0 && stat(to, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            return cli_fail(EXIT_USAGE, "store copy: FROM and TO are the same store");
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    prova_keyset *gw = NULL;
    prova_note_key *lk = NULL;
    bool created = false, began = false;
    walk w = {.cmd = "store copy", .now_us = cli_now_us(), .batch_max = BATCH_ROWS};
    progress pg;
    progress_init(&pg, "store copy", o.progress);
    unsigned long long bm = BATCH_ROWS;
    if (o.batch && (rc = cli_number_opt("store copy", "--batch", o.batch, 1, 1000000, &bm)) != EXIT_OK) return rc;
    w.batch_max = (int64_t)bm;
    rc = load_gateway_keys(&o, &gw);
    if (rc == EXIT_OK) rc = load_log_key(&o, &lk);
    w.gw = gw;
    w.logkey = lk;
    if (rc == EXIT_OK) rc = open_store("store copy", from, PROVA_STORE_READONLY, false, &w.src, NULL);
    if (rc == EXIT_OK) rc = need_keys(&w, &o);
    if (rc == EXIT_OK) rc = open_store("store copy", to, 0, true, &w.dst, &created);
    if (rc == EXIT_OK) {
        char holds[512];
        int s = dest_contents(w.dst, w.now_us, holds, sizeof holds);
        if (s != 0)
            rc = read_fail(&w, s, w.dst, "reading the destination");
        else if (holds[0])
            rc = cli_fail_as(EXIT_USAGE, "store_copy", "destination_not_empty",
                             "store copy: %s is not empty: it holds %s (copy into an empty store)", sto, holds);
    }
    if (rc == EXIT_OK && prova_store_read_begin(w.src) != 0) rc = read_fail(&w, PROVA_EIO, w.src, "beginning a read");
    if (rc == EXIT_OK) {
        int s = prova_store_begin(w.dst);
        if (s != 0) rc = read_fail(&w, s, w.dst, "beginning a write");
        began = s == 0;
    }
    if (rc == EXIT_OK) {
        w.pg = &pg;
        walk_all(&w);
        w.pg = NULL;
        prova_store_rollback(w.src);
        rc = w.rc != EXIT_OK ? w.rc : w.problems ? EXIT_INVALID : EXIT_OK;
    }
    if (rc == EXIT_OK) {
        int s = prova_store_commit(w.dst);
        if (s != 0)
            rc = read_fail(&w, s, w.dst, "committing the last batch");
        else
            w.batches++;
        began = false;
    }
    if (began) prova_store_rollback(w.dst);
    if (rc == EXIT_OK)
        progress_end(&pg, "%" PRId64 " rows", w.rows);
    else
        progress_end(&pg, NULL);
    double secs = seconds_since(&t0);
    if (rc == EXIT_OK) {
        char counts[1024];
        counts_text(&w, counts, sizeof counts);
        if (o.json) {
            prova_buf b = PROVA_BUF_INIT;
            int x = LIT(&b, "{\"ok\":true,\"from\":");
            if (x == 0) x = put_str(&b, sfrom);
            if (x == 0) x = putf(&b, ",\"from_backend\":\"%s\",\"to\":", prova_store_backend(w.src));
            if (x == 0) x = put_str(&b, sto);
            if (x == 0) x = putf(&b, ",\"to_backend\":\"%s\",", prova_store_backend(w.dst));
            if (x == 0) x = counts_json(&w, &b);
            if (x == 0)
                x = putf(&b,
                         ",\"replay_claims_expired\":%" PRId64 ",\"rows\":%" PRId64 ",\"batches\":%" PRId64
                         ",\"seconds\":%.3f}\n",
                         w.replay_expired, w.rows, w.batches, secs);
            rc = x == 0 ? cli_write_stdout(b.data, b.len) : cli_fail(EXIT_INTERNAL, "out of memory");
            if (rc == EXIT_OK) cli_json_wrote();
            prova_buf_free(&b);
        } else {
            printf("copied %s %s to %s %s: %s; %" PRId64 " rows in %" PRId64 " transaction%s, %.3f s\n",
                   prova_store_backend(w.src), sfrom, prova_store_backend(w.dst), sto, counts, w.rows, w.batches,
                   w.batches == 1 ? "" : "s", secs);
            fflush(stdout);
        }
    } else if (w.dst) {
        /* Nothing of a failed copy is kept that this copy made: a file it created goes; else the batches it
         * committed stay, and the destination must be emptied before another try. */
        if (created) {
            w.dst = prova_store_close(w.dst);
            remove_sqlite(to);
            fprintf(stderr, "prova: store copy: nothing was written (%s removed)\n", sto);
        } else if (w.batches > 0) {
            fprintf(stderr,
                    "prova: store copy: %s keeps %" PRId64 " rows of the %" PRId64
                    " transactions committed before the failure: empty it before another copy\n",
                    sto, w.rows - w.batch_rows, w.batches);
        } else if (w.rows > 0 || began) {
            fprintf(stderr, "prova: store copy: nothing was written to %s (its transaction was rolled back)\n", sto);
        }
    }
    prova_tile_writer_free(w.tw);
    prova_store_close(w.src);
    prova_store_close(w.dst);
    prova_keyset_free(gw);
    prova_note_key_free(lk);
    return rc;
}

int cmd_db(int argc, char **argv) {
    if (argc < 2)
        return cli_fail(EXIT_USAGE, "db: a subcommand is required: status, migrate or check (prova db --help)");
    const char *v = argv[1];
    if (strcmp(v, "status") == 0) return status_cmd(argc, argv);
    if (strcmp(v, "migrate") == 0) return migrate_cmd(argc, argv);
    if (strcmp(v, "check") == 0) return check_cmd(argc, argv);
    return cli_fail_as(EXIT_USAGE, "usage", "unknown_subcommand", "unknown db subcommand '%s' (status, migrate, check)",
                       v);
}

int cmd_store(int argc, char **argv) {
    if (argc < 2) return cli_fail(EXIT_USAGE, "store: a subcommand is required: copy (prova store --help)");
    if (strcmp(argv[1], "copy") == 0) return copy_cmd(argc, argv);
    return cli_fail_as(EXIT_USAGE, "usage", "unknown_subcommand", "unknown store subcommand '%s' (copy)", argv[1]);
}
