/* prova log: a transparency log directory in the C2SP tlog-tiles layout, from the command line (docs/tlog.md,
 * "The command line").
 *
 *   prova log keygen --name ORIGIN --out FILE [--force]
 *   prova log append --dir DIR --key KEYFILE [--lines FILE] [FILE...]
 *   prova log checkpoint --dir DIR [--log-key VKEY] [--json]
 *   prova log prove --dir DIR --index N [--extra B64] [--out FILE]
 *   prova log consistency --dir DIR --from SIZE [--to SIZE]
 *   prova log verify-proof --log-key VKEY [--witness-policy F] (--entry FILE | --leaf-hash B64) [--entry-index N]
 *                          [--json] PROOF
 *   prova log audit (--dir DIR | --url URL) [--log-key VKEY] [--store PATH] [--json]
 *
 * A log directory holds `checkpoint`, `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, byte for byte what
 * Tessera's POSIX driver writes for the same key and entries (tests/cli/test_log_cli.sh), and `.lock`. */
#define _DEFAULT_SOURCE

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "prova/checkpoint.h"
#include "prova/encoding.h"
#include "prova/merkle.h"
#include "prova/note.h"
#include "prova/report.h"
#include "prova/store.h"

#define HASH PROVA_MERKLE_HASH_BYTES

static prova_error no_error(void) {
    prova_error e;
    prova_error_clear(&e);
    return e;
}

static int parse_u64(const char *opt, const char *v, uint64_t *ret) {
    char *end;
    errno = 0;
    if (!v || !*v || *v < '0' || *v > '9') return cli_fail(EXIT_USAGE, "log: %s must be a decimal number", opt);
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end) return cli_fail(EXIT_USAGE, "log: %s must be a decimal number", opt);
    *ret = (uint64_t)n;
    return EXIT_OK;
}

/* ---- keys -------------------------------------------------------------------------------------------------- */

/* A vkey given literally or as a file holding one (trailing whitespace dropped). */
static int load_vkey(const char *arg, prova_note_key **ret) {
    prova_buf b = PROVA_BUF_INIT;
    const char *text = arg;
    size_t len = strlen(arg);
    struct stat st;
    if (strchr(arg, '+') == NULL || stat(arg, &st) == 0) {
        int rc = cli_read_file(arg, 1 << 16, &b);
        if (rc != EXIT_OK) return rc;
        text = (const char *)b.data;
        len = b.len;
    }
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ')) len--;
    prova_error err = no_error();
    int s = prova_note_key_parse_vkey(text, len, ret, &err);
    prova_buf_free(&b);
    if (s != 0) {
        cli_report_as("--log-key", &err, "log_key", err.reason ? err.reason : "vkey_malformed");
        return s == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    }
    if (prova_note_key_type(*ret) != PROVA_NOTE_ED25519) {
        *ret = prova_note_key_free(*ret);
        return cli_fail_as(EXIT_USAGE, "log_key", "vkey_unsupported_type", "--log-key: not a log key (type 0x01)");
    }
    return EXIT_OK;
}

static int load_private(const char *path, prova_note_key **ret) {
    prova_buf b = PROVA_BUF_INIT;
    int rc = cli_read_file(path, 1 << 16, &b);
    if (rc != EXIT_OK) return rc;
    size_t len = b.len;
    while (len && (b.data[len - 1] == '\n' || b.data[len - 1] == '\r' || b.data[len - 1] == ' ')) len--;
    prova_error err = no_error();
    int s = prova_note_key_parse_private((const char *)b.data, len, ret, &err);
    prova_mem_wipe(b.data, b.len);
    prova_buf_free(&b);
    if (s != 0) {
        cli_report_as(path, &err, "key", err.reason ? err.reason : "skey_malformed");
        return s == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    }
    if (prova_note_key_type(*ret) != PROVA_NOTE_ED25519) {
        *ret = prova_note_key_free(*ret);
        return cli_fail_as(EXIT_USAGE, "key", "skey_unsupported_type", "%s: not a log key (type 0x01)", path);
    }
    return EXIT_OK;
}

/* `prova log keygen` and `prova witness keygen`: a new note key of the given type named --name, written to --out in
 * the PRIVATE+KEY form (a new file of mode 0600, replaced only with --force); its vkey on stdout. cmd names the
 * command in messages ("log keygen"). */
int cli_note_keygen(int argc, char **argv, const char *cmd, prova_note_type type) {
    const char *name = NULL, *out = NULL;
    bool force = false;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--name", &name) || cli_opt_value(argc, argv, &i, "--out", &out)) {
        } else if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else {
            return cli_fail(EXIT_USAGE, "%s: unknown option '%s' (see --help)", cmd, argv[i]);
        }
    }
    if (!name || !out) return cli_fail(EXIT_USAGE, "%s: --name NAME and --out FILE are required", cmd);
    prova_note_key *k = NULL;
    prova_error err = no_error();
    if (prova_note_key_generate(name, strlen(name), type, &k, &err) != 0) {
        cli_report("--name", &err);
        return EXIT_USAGE;
    }
    prova_buf priv = PROVA_BUF_INIT, pub = PROVA_BUF_INIT;
    int rc = EXIT_OK;
    if (prova_note_key_write_private(k, &priv) != 0 || prova_buf_append(&priv, "\n", 1) != 0 ||
        prova_note_key_write_vkey(k, &pub) != 0 || prova_buf_append(&pub, "\n", 1) != 0)
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
    if (rc == EXIT_OK && force && unlink(out) != 0 && errno != ENOENT) rc = cli_fail_file("output", out, errno);
    if (rc == EXIT_OK) {
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            rc = errno == EEXIST ? cli_fail(EXIT_USAGE, "%s: %s exists (--force replaces it)", cmd, out)
                                 : cli_fail_file("output", out, errno);
        } else {
            bool ok = write(fd, priv.data, priv.len) == (ssize_t)priv.len && fsync(fd) == 0;
            int e = errno;
            if (close(fd) != 0) ok = false;
            if (!ok) {
                unlink(out);
                rc = cli_fail_file("output", out, e);
            }
        }
    }
    if (rc == EXIT_OK) rc = cli_write_stdout(pub.data, pub.len);
    prova_mem_wipe(priv.data, priv.len);
    prova_buf_free(&priv);
    prova_buf_free(&pub);
    prova_note_key_free(k);
    return rc;
}

/* ---- reading a log: a directory or a URL -------------------------------------------------------------------- */

typedef struct source {
    const char *dir; /* or */
    const char *url;
    CURL *curl;
    char errbuf[256];
} source;

static size_t curl_sink(char *p, size_t size, size_t n, void *ctx) {
    prova_buf *b = ctx;
    return prova_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* Reads rel (relative to the log) into out (appended). 0, PROVA_ENOTFOUND, PROVA_EIO or PROVA_ENOMEM. */
static int source_read(source *s, const char *rel, prova_buf *out) {
    char path[4096];
    if (s->dir) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s", s->dir, rel) >= sizeof path) return PROVA_EINVAL;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return errno == ENOENT ? PROVA_ENOTFOUND : PROVA_EIO;
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 24)) {
            close(fd);
            return PROVA_EIO;
        }
        if (prova_buf_reserve(out, (size_t)st.st_size + 1) != 0) {
            close(fd);
            return PROVA_ENOMEM;
        }
        size_t want = (size_t)st.st_size, got = 0;
        while (got < want) {
            ssize_t r = read(fd, out->data + out->len + got, want - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        close(fd);
        if (got != want) return PROVA_EIO;
        out->len += got;
        return 0;
    }
    size_t ul = strlen(s->url);
    bool slash = ul && s->url[ul - 1] == '/';
    if ((size_t)snprintf(path, sizeof path, "%s%s%s", s->url, slash ? "" : "/", rel) >= sizeof path)
        return PROVA_EINVAL;
    if (!s->curl) {
        s->curl = curl_easy_init();
        if (!s->curl) return PROVA_ENOMEM;
    }
    curl_easy_setopt(s->curl, CURLOPT_URL, path);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, curl_sink);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 60L);
    size_t before = out->len;
    if (curl_easy_perform(s->curl) != CURLE_OK) return PROVA_EIO;
    long code = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 404) {
        out->len = before;
        return PROVA_ENOTFOUND;
    }
    return code == 200 ? 0 : PROVA_EIO;
}

static void source_close(source *s) {
    if (s->curl) curl_easy_cleanup(s->curl);
    s->curl = NULL;
}

static int tile_read(void *ctx, const prova_tile *tile, prova_buf *ret) {
    char rel[PROVA_TILE_PATH_MAX];
    if (prova_tile_path_format(tile, rel, NULL) != 0) return PROVA_EINVAL;
    return source_read(ctx, rel, ret);
}

/* A hash reader over the stored tiles of a tree of `size`, caching the last tile read. */
typedef struct hash_reader {
    source *src;
    uint64_t size;
    prova_tile cached;
    bool have;
    prova_buf data;
} hash_reader;

static int hash_read(void *ctx, unsigned level, uint64_t index, uint8_t ret[HASH]) {
    hash_reader *h = ctx;
    prova_tile t;
    int s = prova_tile_for_hash(h->size, level, index, &t, NULL);
    if (s) return s;
    if (!h->have || h->cached.level != t.level || h->cached.index != t.index || h->cached.width != t.width) {
        h->data.len = 0;
        h->have = false;
        if ((s = tile_read(h->src, &t, &h->data)) != 0) return s;
        h->cached = t;
        h->have = true;
    }
    return prova_tile_hash_read(&t, h->data.data, h->data.len, level, index, ret, NULL);
}

/* The log's checkpoint: the signed note (note), its parsed body (*ret_cp). EXIT_* after printing why. */
static int read_checkpoint(source *s, prova_buf *note, prova_checkpoint **ret_cp, bool *ret_missing) {
    int st = source_read(s, "checkpoint", note);
    if (st == PROVA_ENOTFOUND && ret_missing) {
        *ret_missing = true;
        return EXIT_OK;
    }
    if (st != 0)
        return cli_fail_as(st == PROVA_ENOTFOUND ? EXIT_USAGE : EXIT_INTERNAL, "checkpoint",
                           st == PROVA_ENOTFOUND ? "file_not_found" : "file_unreadable", "%s/checkpoint: %s",
                           s->dir ? s->dir : s->url, st == PROVA_ENOTFOUND ? "no such file" : "cannot read it");
    prova_note *n = NULL;
    prova_error err = no_error();
    st = prova_note_parse(note->data, note->len, &n, &err);
    if (st == 0) {
        size_t tl;
        const char *text = prova_note_text(n, &tl);
        st = prova_checkpoint_parse(text, tl, ret_cp, &err);
    }
    prova_note_free(n);
    if (st != 0) {
        cli_report("checkpoint", &err);
        return st == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    }
    return EXIT_OK;
}

/* ---- append ------------------------------------------------------------------------------------------------- */

static int mkdirs_for(const char *path) {
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

static int tile_emit(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len) {
    const char *dir = ctx;
    char rel[PROVA_TILE_PATH_MAX], path[4096];
    if (prova_tile_path_format(tile, rel, NULL) != 0) return PROVA_EINVAL;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, rel) >= sizeof path) return PROVA_EINVAL;
    if (mkdirs_for(path) != 0) {
        cli_fail_file("output", path, errno);
        return PROVA_EIO;
    }
    return cli_write_file_atomic(path, data, len) == EXIT_OK ? 0 : PROVA_EIO;
}

typedef struct entry_file {
    cli_input in;
} entry_file;

static int append(int argc, char **argv) {
    const char *dir = NULL, *keyfile = NULL, *lines = NULL;
    size_t nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return cli_fail(EXIT_INTERNAL, "out of memory");
    int rc = EXIT_OK;
    for (int i = 2; i < argc && rc == EXIT_OK; i++) {
        if (cli_opt_value(argc, argv, &i, "--dir", &dir) || cli_opt_value(argc, argv, &i, "--key", &keyfile) ||
            cli_opt_value(argc, argv, &i, "--lines", &lines)) {
        } else if (strcmp(argv[i], "--") == 0) {
            while (++i < argc) files[nfiles++] = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_fail(EXIT_USAGE, "log append: unknown option '%s' (prova log --help)", argv[i]);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (rc == EXIT_OK && (!dir || !keyfile))
        rc = cli_fail(EXIT_USAGE, "log append: --dir DIR and --key KEYFILE are required");
    prova_note_key *key = NULL;
    if (rc == EXIT_OK) rc = load_private(keyfile, &key);

    /* The entries: each FILE whole, then each line of --lines. */
    cli_input *ins = calloc(nfiles + 1, sizeof *ins);
    size_t nins = 0, nentries = 0, cap = 0;
    prova_tile_entry *entries = NULL;
    if (!ins && rc == EXIT_OK) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    for (size_t f = 0; f < nfiles && rc == EXIT_OK; f++) {
        if ((rc = cli_input_open_raw(files[f], PROVA_TILE_ENTRY_MAX, &ins[nins])) != EXIT_OK) break; /* opaque */
        nins++;
    }
    cli_input lin = {0};
    bool have_lines = false;
    if (rc == EXIT_OK && lines) {
        if ((rc = cli_input_open_stream(lines, (size_t)1 << 32, &lin)) == EXIT_OK) have_lines = true;
    }
    if (rc == EXIT_OK) {
        size_t nl = 0;
        if (have_lines)
            for (size_t k = 0; k < lin.len; k++) nl += lin.data[k] == '\n';
        cap = nins + nl + 1;
        entries = calloc(cap, sizeof *entries);
        if (!entries) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    }
    for (size_t f = 0; f < nins && rc == EXIT_OK; f++)
        entries[nentries++] = (prova_tile_entry){ins[f].data, ins[f].len};
    if (rc == EXIT_OK && have_lines) {
        size_t start = 0, line = 1;
        for (size_t k = 0; k < lin.len && rc == EXIT_OK; k++) {
            if (lin.data[k] != '\n') continue;
            if (k - start > PROVA_TILE_ENTRY_MAX)
                rc = cli_fail_as(EXIT_USAGE, "input", "log_entry_too_long", "%s:%zu: an entry over 65535 bytes", lines,
                                 line);
            entries[nentries++] = (prova_tile_entry){lin.data + start, k - start};
            start = k + 1;
            line++;
        }
        if (rc == EXIT_OK && start < lin.len)
            rc = cli_fail_as(EXIT_USAGE, "input", "log_lines_truncated", "%s: the last line has no newline", lines);
    }

    /* One append at a time per directory. */
    int lockfd = -1;
    if (rc == EXIT_OK) {
        char lp[4096];
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) rc = cli_fail_file("output", dir, errno);
        snprintf(lp, sizeof lp, "%s/.lock", dir);
        if (rc == EXIT_OK && (lockfd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
            rc = cli_fail_file("output", lp, errno);
        if (rc == EXIT_OK && flock(lockfd, LOCK_EX) != 0)
            rc = cli_fail(EXIT_INTERNAL, "%s: flock: %s", lp, strerror(errno));
    }

    /* Restore from the checkpoint, which must be this key's and match the tiles. */
    source src = {.dir = dir};
    prova_buf note = PROVA_BUF_INIT, out = PROVA_BUF_INIT, body = PROVA_BUF_INIT;
    prova_checkpoint *cp = NULL;
    prova_tile_writer *w = NULL;
    bool missing = false;
    prova_error err = no_error();
    size_t olen = 0;
    const char *origin = key ? prova_note_key_name(key, &olen) : NULL;
    if (rc == EXIT_OK) rc = read_checkpoint(&src, &note, &cp, &missing);
    if (rc == EXIT_OK && prova_tile_writer_new(&w) != 0) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    if (rc == EXIT_OK && !missing) {
        const prova_note_key *keys[1] = {key};
        prova_checkpoint *vcp = NULL;
        int s = prova_checkpoint_verify(note.data, note.len, key, NULL, 0, &vcp, NULL, &err);
        prova_checkpoint_free(vcp);
        (void)keys;
        if (s != 0) {
            cli_report_as("checkpoint", &err, "checkpoint_signature",
                          strcmp(err.reason ? err.reason : "", "checkpoint_origin_mismatch") == 0
                              ? "checkpoint_origin_mismatch"
                              : "checkpoint_signature_invalid");
            rc = EXIT_INVALID;
        }
    }
    if (rc == EXIT_OK && !missing) {
        uint8_t root[HASH], want[HASH];
        int s = prova_tile_writer_restore(w, prova_checkpoint_size(cp), true, tile_read, &src, &err);
        if (s != 0) {
            cli_report_as("tiles", &err, "log_restore_failed", err.reason ? err.reason : "tile_read_failed");
            rc = s == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_INVALID;
        } else {
            prova_checkpoint_root(cp, want);
            if (prova_tile_writer_root(w, root) != 0 || memcmp(root, want, HASH) != 0)
                rc = cli_fail_as(EXIT_INVALID, "log_root", "log_root_mismatch",
                                 "%s: the tiles do not hash to the checkpoint's root", dir);
        }
    }
    if (rc == EXIT_OK && nentries) {
        int s = prova_tile_writer_append_entries(w, entries, nentries, tile_emit, (void *)dir, &err);
        if (s != 0) {
            cli_report_as("append", &err, "append", err.reason ? err.reason : "tile_emit_failed");
            rc = s == PROVA_EIO ? EXIT_INTERNAL : EXIT_USAGE;
        }
    }
    /* The checkpoint last: every tile it implies is on disk already. */
    if (rc == EXIT_OK) {
        uint8_t root[HASH];
        if (prova_tile_writer_root(w, root) != 0 ||
            prova_checkpoint_write(origin, olen, prova_tile_writer_size(w), root, NULL, 0, &body, &err) != 0 ||
            prova_note_sign(body.data, body.len, key, 0, &out, &err) != 0) {
            cli_report_as("checkpoint", &err, "checkpoint", err.reason ? err.reason : "internal");
            rc = EXIT_INTERNAL;
        }
    }
    if (rc == EXIT_OK) {
        char cpath[4096];
        snprintf(cpath, sizeof cpath, "%s/checkpoint", dir);
        rc = cli_write_file_atomic(cpath, out.data, out.len);
    }
    if (rc == EXIT_OK) rc = cli_write_stdout(out.data, out.len);

    if (lockfd >= 0) close(lockfd);
    prova_tile_writer_free(w);
    prova_checkpoint_free(cp);
    prova_buf_free(&note);
    prova_buf_free(&out);
    prova_buf_free(&body);
    for (size_t f = 0; f < nins; f++) cli_input_close(&ins[f]);
    if (have_lines) cli_input_close(&lin);
    free(ins);
    free(entries);
    free(files);
    prova_note_key_free(key);
    return rc;
}

/* ---- checkpoint, prove, consistency ------------------------------------------------------------------------ */

static const char *verify_reason(const char *lib) {
    if (!lib) return "checkpoint_signature_invalid";
    if (strcmp(lib, "policy_quorum_not_met") == 0) return "witness_quorum_not_met";
    if (strcmp(lib, "checkpoint_origin_mismatch") == 0 || strcmp(lib, "policy_unknown_log") == 0)
        return "checkpoint_origin_mismatch";
    return "checkpoint_signature_invalid";
}

/* A report's JSON or text on stdout and the exit code it implies. */
static int finish(prova_report *rep, bool json, bool bad_input) {
    if (bad_input) prova_report_set_outcome(rep, PROVA_OUTCOME_BAD_INPUT);
    int rc = cli_print_report("log", 0, rep, NULL, json);
    prova_report_free(rep);
    return rc;
}

static int checkpoint_cmd(int argc, char **argv) {
    const char *dir = NULL, *vk = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--dir", &dir) || cli_opt_value(argc, argv, &i, "--log-key", &vk)) {
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return cli_fail(EXIT_USAGE, "log checkpoint: unknown argument '%s' (prova log --help)", argv[i]);
        }
    }
    if (!dir) return cli_fail(EXIT_USAGE, "log checkpoint: --dir DIR is required");
    prova_note_key *key = NULL;
    int rc = vk ? load_vkey(vk, &key) : EXIT_OK;
    source src = {.dir = dir};
    prova_buf note = PROVA_BUF_INIT;
    prova_checkpoint *cp = NULL;
    if (rc == EXIT_OK) rc = read_checkpoint(&src, &note, &cp, NULL);
    if (rc == EXIT_OK) {
        prova_report *rep = prova_report_new("tlog_checkpoint");
        if (!rep) rc = cli_fail(EXIT_INTERNAL, "out of memory");
        char msg[256];
        snprintf(msg, sizeof msg, "origin %s, size %llu", prova_checkpoint_origin(cp, NULL),
                 (unsigned long long)prova_checkpoint_size(cp));
        if (rep) prova_report_add_check(rep, "checkpoint_parse", true, "ok", NULL, msg);
        if (rep && key) {
            prova_error err = no_error();
            int s = prova_checkpoint_verify(note.data, note.len, key, NULL, 0, NULL, NULL, &err);
            prova_report_add_check(rep, "checkpoint_signature", s == 0, s == 0 ? "ok" : verify_reason(err.reason), NULL,
                                   s == 0        ? "signed by the log key"
                                   : err.message ? err.message
                                                 : "invalid");
        } else if (rep) {
            prova_report_add_warning(rep, "checkpoint_not_verified", NULL,
                                     "no --log-key: the signature is not checked");
        }
        if (rep && json) {
            rc = finish(rep, true, false);
        } else if (rep) {
            bool valid = prova_report_valid(rep);
            const prova_check *f = prova_report_first_failure(rep);
            (void)f;
            prova_report_free(rep);
            rc = cli_write_stdout(note.data, note.len);
            if (rc == EXIT_OK && !valid)
                rc = cli_fail_as(EXIT_INVALID, "checkpoint_signature", "checkpoint_signature_invalid",
                                 "%s/checkpoint: not validly signed by the log key", dir);
        }
    }
    prova_checkpoint_free(cp);
    prova_buf_free(&note);
    prova_note_key_free(key);
    return rc;
}

static int prove_cmd(int argc, char **argv) {
    const char *dir = NULL, *idx = NULL, *extra = NULL, *outp = NULL;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--dir", &dir) || cli_opt_value(argc, argv, &i, "--index", &idx) ||
            cli_opt_value(argc, argv, &i, "--extra", &extra) || cli_opt_value(argc, argv, &i, "--out", &outp)) {
        } else {
            return cli_fail(EXIT_USAGE, "log prove: unknown argument '%s' (prova log --help)", argv[i]);
        }
    }
    if (!dir || !idx) return cli_fail(EXIT_USAGE, "log prove: --dir DIR and --index N are required");
    uint64_t index;
    int rc = parse_u64("--index", idx, &index);
    if (rc) return rc;
    uint8_t xbuf[4096];
    size_t xlen = 0;
    if (extra) {
        prova_error e = no_error();
        if (prova_base64_decode(extra, strlen(extra), xbuf, sizeof xbuf, &xlen, &e) != 0)
            return cli_fail_as(EXIT_USAGE, "extra", "tlog_proof_extra_invalid", "--extra: not base64 (up to 4 KiB)");
    }
    source src = {.dir = dir};
    prova_buf note = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    prova_checkpoint *cp = NULL;
    rc = read_checkpoint(&src, &note, &cp, NULL);
    hash_reader h = {.src = &src, .size = cp ? prova_checkpoint_size(cp) : 0};
    uint8_t proof[PROVA_MERKLE_PROOF_MAX][HASH];
    size_t n = 0;
    prova_error err = no_error();
    if (rc == EXIT_OK) {
        if (index >= h.size) {
            rc = cli_fail_as(EXIT_USAGE, "index", "merkle_index_out_of_range",
                             "--index %llu: the checkpoint's tree has %llu entries", (unsigned long long)index,
                             (unsigned long long)h.size);
        } else if (prova_merkle_inclusion_prove(index, h.size, hash_read, &h, proof, PROVA_MERKLE_PROOF_MAX, &n,
                                                &err) != 0) {
            cli_report_as("tiles", &err, "tiles", err.reason ? err.reason : "merkle_read_failed");
            rc = EXIT_INVALID;
        } else if (prova_tlog_proof_write(extra ? xbuf : NULL, xlen, index, &proof[0][0], n, note.data, note.len, &out,
                                          &err) != 0) {
            cli_report_as("checkpoint", &err, "checkpoint", err.reason ? err.reason : "internal");
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_OK) rc = outp ? cli_write_file_atomic(outp, out.data, out.len) : cli_write_stdout(out.data, out.len);
    prova_buf_free(&h.data);
    prova_buf_free(&note);
    prova_buf_free(&out);
    prova_checkpoint_free(cp);
    return rc;
}

static int consistency_cmd(int argc, char **argv) {
    const char *dir = NULL, *from = NULL, *to = NULL;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--dir", &dir) || cli_opt_value(argc, argv, &i, "--from", &from) ||
            cli_opt_value(argc, argv, &i, "--to", &to)) {
        } else {
            return cli_fail(EXIT_USAGE, "log consistency: unknown argument '%s' (prova log --help)", argv[i]);
        }
    }
    if (!dir || !from) return cli_fail(EXIT_USAGE, "log consistency: --dir DIR and --from SIZE are required");
    uint64_t s1, s2 = 0;
    int rc = parse_u64("--from", from, &s1);
    if (rc == EXIT_OK && to) rc = parse_u64("--to", to, &s2);
    if (rc) return rc;
    source src = {.dir = dir};
    prova_buf note = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    prova_checkpoint *cp = NULL;
    rc = read_checkpoint(&src, &note, &cp, NULL);
    hash_reader h = {.src = &src, .size = cp ? prova_checkpoint_size(cp) : 0};
    if (!to) s2 = h.size;
    uint8_t proof[PROVA_MERKLE_PROOF_MAX][HASH];
    size_t n = 0;
    prova_error err = no_error();
    if (rc == EXIT_OK && s2 > h.size)
        rc = cli_fail_as(EXIT_USAGE, "size", "merkle_size_order", "--to %llu: the log has %llu entries",
                         (unsigned long long)s2, (unsigned long long)h.size);
    if (rc == EXIT_OK) {
        int s = prova_merkle_consistency_prove(s1, s2, hash_read, &h, proof, PROVA_MERKLE_PROOF_MAX, &n, &err);
        if (s != 0) {
            cli_report_as("size", &err, "size", err.reason ? err.reason : "merkle_read_failed");
            rc = s == PROVA_EINVAL ? EXIT_USAGE : EXIT_INVALID;
        }
    }
    for (size_t k = 0; k < n && rc == EXIT_OK; k++) {
        char b64[48];
        size_t l = prova_base64_encode(proof[k], HASH, b64, sizeof b64);
        if (prova_buf_append(&out, b64, l) != 0 || prova_buf_append(&out, "\n", 1) != 0)
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
    }
    if (rc == EXIT_OK && out.len) rc = cli_write_stdout(out.data, out.len);
    prova_buf_free(&h.data);
    prova_buf_free(&note);
    prova_buf_free(&out);
    prova_checkpoint_free(cp);
    return rc;
}

/* ---- verify-proof ------------------------------------------------------------------------------------------- */

static int verify_proof_cmd(int argc, char **argv) {
    const char *vk = NULL, *pol = NULL, *entry = NULL, *leaf = NULL, *eidx = NULL, *file = NULL;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--log-key", &vk) ||
            cli_opt_value(argc, argv, &i, "--witness-policy", &pol) ||
            cli_opt_value(argc, argv, &i, "--entry", &entry) || cli_opt_value(argc, argv, &i, "--leaf-hash", &leaf) ||
            cli_opt_value(argc, argv, &i, "--entry-index", &eidx)) {
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if ((argv[i][0] != '-' || !argv[i][1]) && !file) {
            file = argv[i];
        } else {
            return cli_fail(EXIT_USAGE, "log verify-proof: unknown argument '%s' (prova log --help)", argv[i]);
        }
    }
    if (!vk || !file || (!entry == !leaf))
        return cli_fail(EXIT_USAGE,
                        "log verify-proof: --log-key VKEY, one of --entry FILE and --leaf-hash B64, and PROOF are "
                        "required");
    uint64_t want_index = 0;
    int rc = eidx ? parse_u64("--entry-index", eidx, &want_index) : EXIT_OK;
    prova_note_key *key = NULL;
    if (rc == EXIT_OK) rc = load_vkey(vk, &key);
    prova_tlog_policy *policy = NULL;
    prova_error err = no_error();
    prova_buf pb = PROVA_BUF_INIT, pf = PROVA_BUF_INIT;
    if (rc == EXIT_OK) {
        if (pol) {
            rc = cli_read_file(pol, 1 << 20, &pf);
        } else {
            /* Without a policy: this log alone, no witness required. */
            if (prova_note_key_write_vkey(key, &pb) != 0) rc = cli_fail(EXIT_INTERNAL, "out of memory");
            if (rc == EXIT_OK &&
                (prova_buf_append(&pf, "log ", 4) != 0 || prova_buf_append(&pf, pb.data, pb.len) != 0 ||
                 prova_buf_append(&pf, "\nquorum none\n", 13) != 0))
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
        }
        if (rc == EXIT_OK && prova_tlog_policy_parse(pf.data, pf.len, &policy, &err) != 0) {
            cli_report(pol ? pol : "--log-key", &err);
            rc = EXIT_USAGE;
        }
    }
    uint8_t lh[HASH];
    if (rc == EXIT_OK && entry) {
        prova_buf eb = PROVA_BUF_INIT;
        rc = cli_read_file(entry, PROVA_TILE_ENTRY_MAX, &eb);
        if (rc == EXIT_OK) prova_merkle_hash_leaf(eb.data, eb.len, lh);
        prova_buf_free(&eb);
    } else if (rc == EXIT_OK) {
        size_t l = 0;
        if (prova_base64_decode(leaf, strlen(leaf), lh, sizeof lh, &l, NULL) != 0 || l != HASH)
            rc = cli_fail_as(EXIT_USAGE, "leaf_hash", "leaf_hash_invalid", "--leaf-hash: not base64 of 32 bytes");
    }
    cli_input in = {0};
    bool opened = false;
    if (rc == EXIT_OK && (rc = cli_input_open(file, (size_t)2 << 20, &in)) == EXIT_OK) opened = true;
    prova_tlog_proof *proof = NULL;
    if (rc == EXIT_OK && prova_tlog_proof_parse(in.data, in.len, &proof, &err) != 0) {
        if (!json) cli_report(file, &err);
        prova_report *rep = prova_report_new("tlog_proof");
        if (!rep)
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        else {
            prova_report_add_check(rep, "tlog_proof_parse", false, err.reason ? err.reason : "tlog_proof_invalid", NULL,
                                   err.message ? err.message : "malformed");
            rc = json ? finish(rep, true, true) : (prova_report_free(rep), EXIT_USAGE);
        }
    } else if (rc == EXIT_OK) {
        prova_report *rep = prova_report_new("tlog_proof");
        if (!rep) rc = cli_fail(EXIT_INTERNAL, "out of memory");
        size_t clen;
        const char *cnote = prova_tlog_proof_checkpoint(proof, &clen);
        const prova_checkpoint *cp = prova_tlog_proof_checkpoint_body(proof);
        uint64_t index = prova_tlog_proof_index(proof), size = prova_checkpoint_size(cp);
        char msg[256];
        if (rep) {
            prova_checkpoint *vcp = NULL;
            int s = prova_tlog_policy_verify_checkpoint(policy, key, cnote, clen, &vcp, &err);
            prova_checkpoint_free(vcp);
            const char *code = s == 0 ? "ok" : verify_reason(err.reason);
            if (s != 0 && strcmp(code, "witness_quorum_not_met") != 0)
                prova_report_add_check(rep, "checkpoint_signature", false, code, NULL,
                                       err.message ? err.message : "invalid");
            else
                prova_report_add_check(rep, "checkpoint_signature", true, "ok", NULL, "signed by the log key");
            if (pol)
                prova_report_add_check(rep, "witness_quorum", s == 0, s == 0 ? "ok" : code, NULL,
                                       s == 0 ? "the policy's quorum cosigned" : "the policy's quorum is not met");
            if (eidx) {
                snprintf(msg, sizeof msg, "the proof is for entry %llu, not %llu", (unsigned long long)index,
                         (unsigned long long)want_index);
                prova_report_add_check(rep, "log_index", index == want_index,
                                       index == want_index ? "ok" : "log_index_mismatch", NULL,
                                       index == want_index ? "the proof is for the entry asked" : msg);
            }
            if (index >= size) {
                snprintf(msg, sizeof msg, "index %llu is not below the tree size %llu", (unsigned long long)index,
                         (unsigned long long)size);
                prova_report_add_check(rep, "log_inclusion", false, "log_index_out_of_range", NULL, msg);
            } else {
                uint8_t root[HASH];
                prova_checkpoint_root(cp, root);
                size_t nh = prova_tlog_proof_hash_count(proof);
                uint8_t hashes[PROVA_TLOG_PROOF_MAX_HASHES][HASH];
                for (size_t k = 0; k < nh; k++) memcpy(hashes[k], prova_tlog_proof_hash(proof, k), HASH);
                s = prova_merkle_inclusion_verify(index, size, lh, (const uint8_t(*)[HASH])hashes, nh, root, &err);
                snprintf(msg, sizeof msg, "entry %llu of %llu%s%s", (unsigned long long)index, (unsigned long long)size,
                         s == 0 ? "" : ": ", s == 0 ? "" : (err.reason ? err.reason : ""));
                prova_report_add_check(rep, "log_inclusion", s == 0, s == 0 ? "ok" : "log_inclusion_invalid", NULL,
                                       msg);
            }
            rc = finish(rep, json, false);
        }
    }
    if (opened) cli_input_close(&in);
    prova_tlog_proof_free(proof);
    prova_tlog_policy_free(policy);
    prova_buf_free(&pb);
    prova_buf_free(&pf);
    prova_note_key_free(key);
    return rc;
}

/* ---- audit -------------------------------------------------------------------------------------------------- */

typedef struct audit_ctx {
    source *src;
    uint64_t size;
    uint64_t tiles, bytes;
    char bad[PROVA_TILE_PATH_MAX]; /* the first tile that differs */
    const char *bad_code;
    prova_buf buf;
} audit_ctx;

/* The writer's emitted tiles, compared with the stored ones: every full tile, and each level's partial tile of the
 * audited size (the intermediate partial tiles of earlier sizes are not implied by the checkpoint). */
static int audit_emit(void *ctx, const prova_tile *tile, const uint8_t *data, size_t len) {
    audit_ctx *a = ctx;
    if (tile->width < PROVA_TILE_WIDTH) {
        uint64_t s = a->size;
        for (int l = 0; l < tile->level; l++) s >>= PROVA_TILE_HEIGHT;
        if ((s % PROVA_TILE_WIDTH) != tile->width || (s >> PROVA_TILE_HEIGHT) != tile->index) return 0;
    }
    a->buf.len = 0;
    int s = tile_read(a->src, tile, &a->buf);
    a->tiles++;
    a->bytes += a->buf.len;
    if (s != 0 || a->buf.len != len || memcmp(a->buf.data, data, len) != 0) {
        prova_tile_path_format(tile, a->bad, NULL);
        a->bad_code = s == PROVA_ENOTFOUND ? "log_tile_missing" : s != 0 ? "log_tile_unreadable" : "log_tile_mismatch";
        return PROVA_EVERIFY;
    }
    return 0;
}

static int audit_cmd(int argc, char **argv) {
    const char *dir = NULL, *url = NULL, *vk = NULL, *store_path = NULL;
    bool json = false;
    progress_mode pmode = PROGRESS_AUTO;
    for (int i = 2; i < argc; i++) {
        if (cli_opt_value(argc, argv, &i, "--dir", &dir) || cli_opt_value(argc, argv, &i, "--url", &url) ||
            cli_opt_value(argc, argv, &i, "--log-key", &vk) || cli_opt_value(argc, argv, &i, "--store", &store_path)) {
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (progress_option(argv[i], &pmode)) {
        } else {
            return cli_fail(EXIT_USAGE, "log audit: unknown argument '%s' (prova log --help)", argv[i]);
        }
    }
    if (!dir == !url) return cli_fail(EXIT_USAGE, "log audit: one of --dir DIR and --url URL is required");
    prova_note_key *key = NULL;
    int rc = vk ? load_vkey(vk, &key) : EXIT_OK;
    source src = {.dir = dir, .url = url};
    prova_buf note = PROVA_BUF_INIT, bundle = PROVA_BUF_INIT;
    prova_checkpoint *cp = NULL;
    prova_tile_writer *w = NULL;
    prova_report *rep = NULL;
    prova_store *store = NULL;
    prova_buf sbuf = PROVA_BUF_INIT;
    if (rc == EXIT_OK && store_path) {
        prova_error e = no_error();
        if (access(store_path, R_OK) != 0) {
            rc = cli_fail_file("store", store_path, errno);
        } else if (prova_store_open(store_path, PROVA_STORE_READONLY, &store, &e) != 0) {
            cli_report(store_path, &e);
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_OK) rc = read_checkpoint(&src, &note, &cp, NULL);
    if (rc == EXIT_OK && (prova_tile_writer_new(&w) != 0 || !(rep = prova_report_new("tlog_audit"))))
        rc = cli_fail(EXIT_INTERNAL, "out of memory");
    if (rc == EXIT_OK) {
        prova_error err = no_error();
        char msg[512];
        if (key) {
            int s = prova_checkpoint_verify(note.data, note.len, key, NULL, 0, NULL, NULL, &err);
            prova_report_add_check(rep, "checkpoint_signature", s == 0, s == 0 ? "ok" : verify_reason(err.reason), NULL,
                                   s == 0        ? "signed by the log key"
                                   : err.message ? err.message
                                                 : "invalid");
        } else {
            prova_report_add_warning(rep, "checkpoint_not_verified", NULL,
                                     "no --log-key: the signature is not checked");
        }
        audit_ctx a = {.src = &src, .size = prova_checkpoint_size(cp)};
        uint64_t size = a.size, done = 0, bundles = 0;
        progress pg; /* entries and tiles checked, on stderr (progress.h) */
        progress_init(&pg, "log audit", pmode);
        prova_tile_entry ents[PROVA_TILE_WIDTH];
        uint8_t leaves[PROVA_TILE_WIDTH][HASH];
        bool failed = false;
        while (done < size && !failed) {
            prova_tile t = {.level = PROVA_TILE_LEVEL_ENTRIES, .index = done / PROVA_TILE_WIDTH};
            uint64_t left = size - done;
            t.width = left >= PROVA_TILE_WIDTH ? PROVA_TILE_WIDTH : (unsigned)left;
            bundle.len = 0;
            size_t ne = 0;
            int s = tile_read(&src, &t, &bundle);
            if (s == 0)
                s = prova_tile_bundle_decode(bundle.data, bundle.len, t.width, ents, PROVA_TILE_WIDTH, &ne, &err);
            a.bytes += bundle.len;
            if (s != 0) {
                prova_tile_path_format(&t, a.bad, NULL);
                snprintf(msg, sizeof msg, "%s: %s", a.bad,
                         s == PROVA_ENOTFOUND ? "missing"
                         : err.reason         ? err.reason
                                              : "unreadable");
                prova_report_add_check(rep, "log_entries", false,
                                       s == PROVA_ENOTFOUND ? "log_tile_missing" : "log_bundle_invalid", a.bad, msg);
                failed = true;
                break;
            }
            bundles++;
            if (store) {
                /* The store's entries of this bundle, in the bundle's own encoding: equal bytes or a named index. */
                size_t cnt = 0;
                sbuf.len = 0;
                int64_t from = (int64_t)done;
                s = prova_store_log_entries(store, from, from + (int64_t)ne, &sbuf, &cnt);
                if (s == 0 &&
                    (cnt != ne || sbuf.len != bundle.len || memcmp(sbuf.data, bundle.data, bundle.len) != 0)) {
                    prova_tile_entry se[PROVA_TILE_WIDTH];
                    size_t sn = 0, k = 0;
                    if (prova_tile_bundle_decode(sbuf.data, sbuf.len, 0, se, PROVA_TILE_WIDTH, &sn, NULL) == 0)
                        while (k < sn && k < ne && se[k].len == ents[k].len &&
                               memcmp(se[k].data, ents[k].data, se[k].len) == 0)
                            k++;
                    snprintf(msg, sizeof msg, "entry %llu of the store %s", (unsigned long long)(done + k),
                             k >= cnt ? "is missing" : "is not the one logged at its index");
                    prova_report_add_check(rep, "log_store", false,
                                           k >= cnt ? "store_entry_missing" : "store_entry_mismatch", NULL, msg);
                    failed = true;
                    break;
                }
                if (s != 0) {
                    prova_report_add_check(rep, "log_store", false, "store_unreadable", NULL,
                                           "the store's log entries cannot be read");
                    failed = true;
                    break;
                }
            }
            for (size_t k = 0; k < ne; k++) prova_merkle_hash_leaf(ents[k].data, ents[k].len, leaves[k]);
            s = prova_tile_writer_append(w, (const uint8_t(*)[HASH])leaves, ne, audit_emit, &a, &err);
            if (s != 0) {
                snprintf(msg, sizeof msg, "%s differs from the hashes recomputed from %s", a.bad,
                         a.bad[5] == '0' ? "the entry bundles" : "the tiles below");
                prova_report_add_check(rep, "log_tiles", false, a.bad_code ? a.bad_code : "log_tile_mismatch", a.bad,
                                       msg);
                failed = true;
                break;
            }
            done += ne;
            if (progress_due(&pg)) {
                char extra[96];
                snprintf(extra, sizeof extra, "%llu tiles checked", (unsigned long long)a.tiles);
                progress_count(&pg, "entries", done, size, extra);
            }
        }
        progress_end(&pg, "%llu entries, %llu tiles", (unsigned long long)done, (unsigned long long)a.tiles);
        if (!failed) {
            snprintf(msg, sizeof msg, "%llu entries in %llu bundles, %llu hash tiles, %llu bytes",
                     (unsigned long long)done, (unsigned long long)bundles, (unsigned long long)a.tiles,
                     (unsigned long long)a.bytes);
            prova_report_add_check(rep, "log_tiles", true, "ok", NULL, msg);
            if (store) {
                int64_t ssize = 0;
                if (prova_store_log_size(store, &ssize) == 0 && (uint64_t)ssize > done) {
                    snprintf(msg, sizeof msg, "%llu entries of the store are beyond the checkpoint (not yet logged)",
                             (unsigned long long)((uint64_t)ssize - done));
                    prova_report_add_warning(rep, "store_entries_not_checkpointed", NULL, msg);
                }
                snprintf(msg, sizeof msg, "the store's first %llu entries are the ones logged",
                         (unsigned long long)done);
                prova_report_add_check(rep, "log_store", true, "ok", NULL, msg);
            }
            uint8_t root[HASH], want[HASH];
            prova_checkpoint_root(cp, want);
            bool same = prova_tile_writer_root(w, root) == 0 && memcmp(root, want, HASH) == 0;
            prova_report_add_check(rep, "log_root", same, same ? "ok" : "log_root_mismatch", NULL,
                                   same ? "the recomputed root is the checkpoint's"
                                        : "the recomputed root is not the checkpoint's");
        }
        prova_buf_free(&a.buf);
        if (!json) {
            /* The summary on stderr keeps stdout for the report. */
        }
        rc = finish(rep, json, false);
        rep = NULL;
    }
    prova_report_free(rep);
    prova_store_close(store);
    prova_buf_free(&sbuf);
    source_close(&src);
    prova_tile_writer_free(w);
    prova_checkpoint_free(cp);
    prova_buf_free(&note);
    prova_buf_free(&bundle);
    prova_note_key_free(key);
    return rc;
}

int cmd_log(int argc, char **argv) {
    if (argc < 2) return cli_fail(EXIT_USAGE, "log: a subcommand is required (prova log --help)");
    const char *v = argv[1];
    if (strcmp(v, "keygen") == 0) return cli_note_keygen(argc, argv, "log keygen", PROVA_NOTE_ED25519);
    if (strcmp(v, "append") == 0) return append(argc, argv);
    if (strcmp(v, "checkpoint") == 0) return checkpoint_cmd(argc, argv);
    if (strcmp(v, "prove") == 0) return prove_cmd(argc, argv);
    if (strcmp(v, "consistency") == 0) return consistency_cmd(argc, argv);
    if (strcmp(v, "verify-proof") == 0) return verify_proof_cmd(argc, argv);
    if (strcmp(v, "audit") == 0) return audit_cmd(argc, argv);
    if (strcmp(v, "attach") == 0) return cmd_log_attach(argc - 1, argv + 1);
    return cli_fail_as(EXIT_USAGE, "usage", "unknown_subcommand",
                       "unknown log subcommand '%s' (keygen, append, checkpoint, prove, consistency, verify-proof, "
                       "audit, attach)",
                       v);
}
