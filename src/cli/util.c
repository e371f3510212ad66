/* `prova` helpers: file input, stdout, error messages, options, a large-buffer allocator. */
#define _GNU_SOURCE /* mremap, MAP_POPULATE */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "prova/compress.h"
#include "prova/crypto.h"
#include "prova/report.h"

/* Buffers of BIG bytes or more live in their own anonymous mappings, advised to use transparent huge pages:
 * canonicalizing a 100 MB file otherwise spends a third of its time in 4 KiB page faults. Whether a block is
 * mapped follows from its size, which the library passes back on every realloc/free. */
#define BIG       ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

static size_t round_huge(size_t n) {
    return (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

static void *big_map(size_t n) {
    void *p = mmap(NULL, round_huge(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, round_huge(n), MADV_HUGEPAGE);
#endif
    return p;
}

static void *big_malloc(void *ctx, size_t n) {
    (void)ctx;
    return n >= BIG ? big_map(n) : malloc(n ? n : 1);
}

static void big_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    if (!p) return;
    if (n >= BIG)
        munmap(p, round_huge(n));
    else
        free(p);
}

static void *big_realloc(void *ctx, void *p, size_t old, size_t n) {
    (void)ctx;
    if (!p) return big_malloc(ctx, n);
    if (old < BIG && n < BIG) return realloc(p, n ? n : 1);
    if (old >= BIG && n >= BIG) {
        if (round_huge(n) == round_huge(old)) return p;
        void *q = mremap(p, round_huge(old), round_huge(n), MREMAP_MAYMOVE);
        return q == MAP_FAILED ? NULL : q;
    }
    void *q = big_malloc(ctx, n); /* crossing the threshold: copy */
    if (!q) return NULL;
    memcpy(q, p, old < n ? old : n);
    big_free(ctx, p, old);
    return q;
}

static const prova_allocator big_allocator = {big_malloc, big_realloc, big_free, NULL};

const prova_allocator *cli_allocator(void) {
    return &big_allocator;
}

static int input_open(const char *path, size_t max_size, bool map_any, cli_input *ret);

int cli_input_open(const char *path, size_t max_size, cli_input *ret) {
    int rc = input_open(path, max_size, false, ret);
    return rc == EXIT_OK ? cli_input_decompress(path, max_size, ret) : rc;
}

int cli_input_open_stream(const char *path, size_t pipe_max, cli_input *ret) {
    int rc = input_open(path, pipe_max, true, ret);
    return rc == EXIT_OK ? cli_input_decompress(path, pipe_max, ret) : rc;
}

int cli_input_open_raw(const char *path, size_t max_size, cli_input *ret) {
    return input_open(path, max_size, false, ret);
}

/* The ratio limit of every compressed input: PROVA_MAX_RATIO (docs/cli.md), else the library's default. */
static size_t max_ratio(void) {
    const char *v = getenv("PROVA_MAX_RATIO");
    if (!v || !*v) return PROVA_DECOMPRESS_DEFAULT_MAX_RATIO;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || v[0] == '-') return PROVA_DECOMPRESS_DEFAULT_MAX_RATIO;
    return n == 0 ? SIZE_MAX : (size_t)n; /* 0: no ratio limit */
}

int cli_input_decompress(const char *path, size_t max_size, cli_input *in) {
    prova_compression f = prova_compress_detect(in->data, in->len);
    if (f == PROVA_COMPRESSION_NONE) return EXIT_OK;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    prova_decompress_options o = {.max_size = max_size, .max_ratio = max_ratio()};
    prova_buf out = PROVA_BUF_INIT;
    out.alloc = &big_allocator;
    prova_error err;
    if (prova_decompress_write(in->data, in->len, &o, &out, &err) < 0 || prova_buf_reserve(&out, 1) < 0) {
        prova_buf_free(&out);
        if (err.status == PROVA_ENOMEM)
            return cli_fail_as(EXIT_INTERNAL, "internal", "out_of_memory", "%s: out of memory", name);
        if (strcmp(err.reason, "decompressed_too_large") == 0)
            return cli_fail_as(EXIT_USAGE, "input", err.reason,
                               "%s: %s (%s; %s, limit %zu bytes; found at compressed byte %zu)", name, err.message,
                               err.reason, prova_compression_name(f), max_size, err.offset);
        if (strcmp(err.reason, "compression_ratio_exceeded") == 0)
            return cli_fail_as(EXIT_USAGE, "input", err.reason,
                               "%s: %s (%s; %s, limit %zu:1, PROVA_MAX_RATIO; found at compressed byte %zu)", name,
                               err.message, err.reason, prova_compression_name(f), o.max_ratio, err.offset);
        return cli_fail_as(EXIT_USAGE, "input", err.reason, "%s: %s (%s; %s, at compressed byte %zu)", name,
                           err.message, err.reason, prova_compression_name(f), err.offset);
    }
    out.data[out.len] = '\0'; /* as cli_read_file leaves it */
    if (in->map) munmap(in->map, in->maplen);
    prova_buf_free(&in->buf);
    in->map = NULL;
    in->maplen = 0;
    in->buf = out;
    in->data = out.data;
    in->len = out.len;
    in->compression = (int)f;
    return EXIT_OK;
}

/* ---- Compressed output (--compress): stdout as one stream, finished by cli_output_end; files whole ---------- */

static struct {
    prova_compression format;
    int level;
    prova_compressor *z;
} outz;

void cli_output_compress(int format, int level) {
    outz.format = (prova_compression)format;
    outz.level = level;
}

bool cli_compress_option(int argc, char **argv, int *i, cli_compress *c, int *rc) {
    const char *v = NULL;
    *rc = EXIT_OK;
    if (cli_opt_value(argc, argv, i, "--compress", &v)) {
        prova_compression f;
        if (!v || prova_compression_lookup(v, &f) < 0 || strcmp(v, "identity") == 0 || strcmp(v, "x-gzip") == 0)
            *rc = cli_fail(EXIT_USAGE, "--compress must be zstd, gzip or none, not '%s'", v ? v : "");
        else {
            c->format = (int)f;
            c->given = true;
        }
        return true;
    }
    if (cli_opt_value(argc, argv, i, "--compress-level", &v)) {
        unsigned long long n = 0;
        *rc = v ? cli_number_opt("prova", "--compress-level", v, 1, 22, &n)
                : cli_fail(EXIT_USAGE, "--compress-level needs a value");
        c->level = (int)n;
        return true;
    }
    return false;
}

int cli_compress_check(const cli_compress *c) {
    if (c->level && c->format == PROVA_COMPRESSION_NONE)
        return cli_fail(EXIT_USAGE, "--compress-level needs --compress zstd or gzip");
    if (c->format == PROVA_COMPRESSION_GZIP && c->level > 9)
        return cli_fail(EXIT_USAGE, "--compress-level: gzip's levels are 1 to 9");
    return EXIT_OK;
}

int cli_compress_bytes(int format, int level, const void *data, size_t len, prova_buf *ret) {
    prova_error err;
    int r = prova_compress_write(data, len, (prova_compression)format, level, ret, &err);
    if (r == PROVA_ENOMEM) return cli_fail(EXIT_INTERNAL, "out of memory");
    if (r < 0) return cli_fail(EXIT_USAGE, "--compress: %s (%s)", err.message, err.reason);
    return EXIT_OK;
}

int cli_write_output_file(const char *path, const void *data, size_t len, int format, int level) {
    if (format == PROVA_COMPRESSION_NONE) return cli_write_file_atomic(path, data, len);
    prova_buf z = PROVA_BUF_INIT;
    z.alloc = &big_allocator;
    int rc = cli_compress_bytes(format, level, data, len, &z);
    if (rc == EXIT_OK) rc = cli_write_file_atomic(path, z.data, z.len);
    prova_buf_free(&z);
    return rc;
}

static int write_raw_stdout(const void *data, size_t len) {
    if (len && fwrite(data, 1, len, stdout) != len)
        return cli_fail(EXIT_INTERNAL, "write to stdout: %s", strerror(errno));
    if (fflush(stdout) != 0) return cli_fail(EXIT_INTERNAL, "write to stdout: %s", strerror(errno));
    return EXIT_OK;
}

/* Compresses data onto stdout (--compress): the stream is opened on the first write and ended by cli_output_end. */
static int write_compressed_stdout(const void *data, size_t len, bool end) {
    prova_error err;
    if (!outz.z && prova_compress_new(outz.format, outz.level, &outz.z, &err) < 0)
        return cli_fail(err.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "--compress: %s (%s)", err.message,
                        err.reason);
    prova_buf z = PROVA_BUF_INIT;
    int r = end ? prova_compress_finish(outz.z, &z, &err) : prova_compress_update(outz.z, data, len, &z, &err);
    int rc = r < 0 ? cli_fail(EXIT_INTERNAL, "--compress: %s", err.message) : write_raw_stdout(z.data, z.len);
    prova_buf_free(&z);
    return rc;
}

int cli_output_end(int rc) {
    if (outz.format != PROVA_COMPRESSION_NONE && rc == EXIT_OK) {
        /* a command that printed nothing still writes an empty stream, which decompresses to nothing */
        rc = write_compressed_stdout(NULL, 0, true);
    }
    outz.z = prova_compress_free(outz.z);
    outz.format = PROVA_COMPRESSION_NONE;
    return rc;
}

static int input_open(const char *path, size_t max_size, bool map_any, cli_input *ret) {
    memset(ret, 0, sizeof *ret);
    ret->buf.alloc = &big_allocator;
    if (strcmp(path, "-") != 0) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return cli_fail_file("input", path, errno);
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
            if (!map_any && (uint64_t)st.st_size > max_size) {
                close(fd);
                return cli_fail_as(EXIT_USAGE, "input", "json_size_limit",
                                   "%s: larger than the limit of %zu bytes (json_size_limit)", path, max_size);
            }
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
            if (m != MAP_FAILED) {
                close(fd);
                ret->map = m;
                ret->maplen = (size_t)st.st_size;
                ret->data = m;
                ret->len = ret->maplen;
                return EXIT_OK;
            }
        }
        close(fd);
    } else {
        /* stdin redirected from a regular file (`prova canon < big.json`) is mapped too, when it is read from its
         * start; a pipe, a terminal or a file read part-way is read as before. */
        struct stat st;
        if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            (map_any || (uint64_t)st.st_size <= max_size) && lseek(STDIN_FILENO, 0, SEEK_CUR) == 0) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, STDIN_FILENO, 0);
            if (m != MAP_FAILED) {
                (void)lseek(STDIN_FILENO, 0, SEEK_END); /* consumed, as if read */
                ret->map = m;
                ret->maplen = (size_t)st.st_size;
                ret->data = m;
                ret->len = ret->maplen;
                return EXIT_OK;
            }
        }
    }
    int rc = cli_read_file(path, max_size, &ret->buf);
    ret->data = ret->buf.data ? ret->buf.data : (const uint8_t *)"";
    ret->len = ret->buf.len;
    return rc;
}

void cli_input_close(cli_input *in) {
    if (in->map) munmap(in->map, in->maplen);
    prova_buf_free(&in->buf);
    memset(in, 0, sizeof *in);
}

/* ---- Failures, and the report that --json prints in their place ------------------------------------------------
 *
 * Every failure is printed on stderr. With --json, the first one is also kept: a command that fails before it
 * printed a report gets this one printed for it (cli_json_end), a failed check with a stable reason code, so that
 * stdout holds one JSON document whatever happened. */

static struct {
    bool json;    /* --json was given to a command that takes it */
    bool wrote;   /* a report went to stdout */
    bool pending; /* a failure is kept */
    char check[32], reason[64], at[PROVA_POINTER_MAX], message[1024];
} fails;

static void keep(const char *check, const char *reason, const char *at, const char *message) {
    if (!fails.json || fails.pending) return;
    snprintf(fails.check, sizeof fails.check, "%s", check);
    snprintf(fails.reason, sizeof fails.reason, "%s", reason && *reason ? reason : "usage");
    snprintf(fails.at, sizeof fails.at, "%s", at ? at : "");
    snprintf(fails.message, sizeof fails.message, "%s", message);
    fails.pending = true;
}

/* Prints "prova[ WHO]: message" and keeps it. Returns code. */
static int vfail(const char *who, int code, const char *check, const char *reason, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
static int vfail(const char *who, int code, const char *check, const char *reason, const char *fmt, va_list ap) {
    char msg[1024];
    va_list aq;
    va_copy(aq, ap);
    fprintf(stderr, "prova%s%s: ", who ? " " : "", who ? who : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    vsnprintf(msg, sizeof msg, fmt, aq);
    va_end(aq);
    keep(check, reason, "", msg);
    return code;
}

int cli_fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const char *what = code == EXIT_INTERNAL ? "internal" : code == EXIT_INVALID ? "invalid" : "usage";
    vfail(NULL, code, code == EXIT_INVALID ? "verify" : what, what, fmt, ap);
    va_end(ap);
    return code;
}

int cli_fail_as(int code, const char *check, const char *reason, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(NULL, code, check, reason, fmt, ap);
    va_end(ap);
    return code;
}

int cli_fail_file(const char *check, const char *path, int err) {
    /* A missing or forbidden file is the user's to fix (2); anything else the system's (3). */
    return cli_fail_as(err == ENOENT || err == EACCES ? EXIT_USAGE : EXIT_INTERNAL, check,
                       err == ENOENT ? "file_not_found" : "file_unreadable", "%s: %s",
                       strcmp(path, "-") == 0 ? "<stdin>" : path, strerror(err));
}

void cli_json_begin(bool on) {
    memset(&fails, 0, sizeof fails);
    fails.json = on;
}

void cli_json_wrote(void) {
    fails.wrote = true;
}

/* The kept failure (or, if none was kept, one that says where to look) as a report on one line of stdout. */
static int print_kept(int rc) {
    if (!fails.pending) {
        bool internal = rc == EXIT_INTERNAL;
        keep(internal ? "internal" : "usage", internal ? "internal" : "usage", "",
             "the command failed; its diagnostics are on stderr");
    }
    prova_report *rep = prova_report_new("unknown");
    prova_buf out = PROVA_BUF_INIT;
    /* Nothing was verified: the input or the command line was at fault (exit 2), or prova was (exit 3). */
    int w = !rep || prova_report_add_check(rep, fails.check, false, fails.reason, fails.at, fails.message) < 0 ||
                    prova_report_set_outcome(rep, PROVA_OUTCOME_BAD_INPUT) < 0 || prova_report_to_json(rep, &out) < 0 ||
                    prova_buf_append(&out, "\n", 1) < 0
                ? EXIT_INTERNAL
                : EXIT_OK;
    fails.pending = false;
    if (w == EXIT_OK)
        w = cli_write_stdout(out.data, out.len);
    else
        fputs("prova: out of memory\n", stderr);
    prova_buf_free(&out);
    prova_report_free(rep);
    if (w == EXIT_OK) fails.wrote = true;
    return w;
}

void cli_json_flush(void) {
    if (fails.json && fails.pending) (void)print_kept(EXIT_USAGE);
}

int cli_json_end(int rc) {
    if (fails.json && rc != EXIT_OK && !fails.wrote) (void)print_kept(rc);
    return rc;
}

int cli_read_file(const char *path, size_t max_size, prova_buf *ret) {
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cli_fail_file("input", name, errno);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!is_stdin) close(fd);
        return cli_fail_as(EXIT_USAGE, "input", "file_unreadable", "%s: is a directory", name);
    }
    size_t hint = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 65536;
    if (hint > max_size) hint = max_size;
    int rc = EXIT_OK;
    if (prova_buf_reserve(ret, hint + 1) < 0) {
        rc = cli_fail_as(EXIT_INTERNAL, "internal", "out_of_memory", "%s: out of memory", name);
        goto out;
    }
    for (;;) {
        if (ret->cap - ret->len < 2 && prova_buf_reserve(ret, ret->cap) < 0) {
            rc = cli_fail_as(EXIT_INTERNAL, "internal", "out_of_memory", "%s: out of memory", name);
            goto out;
        }
        ssize_t n = read(fd, ret->data + ret->len, ret->cap - ret->len - 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = cli_fail_as(EXIT_INTERNAL, "input", "file_unreadable", "%s: read: %s", name, strerror(errno));
            goto out;
        }
        if (n == 0) break;
        ret->len += (size_t)n;
        if (ret->len > max_size) {
            rc = cli_fail_as(EXIT_USAGE, "input", "json_size_limit",
                             "%s: larger than the limit of %zu bytes (json_size_limit)", name, max_size);
            goto out;
        }
    }
    ret->data[ret->len] = '\0';
out:
    if (!is_stdin) close(fd);
    return rc;
}

int cli_write_stdout(const void *data, size_t len) {
    if (outz.format != PROVA_COMPRESSION_NONE) return len ? write_compressed_stdout(data, len, false) : EXIT_OK;
    return write_raw_stdout(data, len);
}

void cli_report(const char *file, const prova_error *err) {
    cli_report_as(file, err, err->line ? "parse" : "input", err->reason);
}

void cli_report_as(const char *file, const prova_error *err, const char *check, const char *reason) {
    const char *name = !file || strcmp(file, "-") == 0 ? "<stdin>" : file;
    const char *message = err->message ? err->message : prova_status_message(err->status);
    const char *why = err->reason ? err->reason : prova_status_name(err->status);
    char msg[1024];
    if (err->line) {
        fprintf(stderr, "prova: %s:%zu:%zu: %s (%s)", name, err->line, err->column, message, why);
        snprintf(msg, sizeof msg, "%s:%zu:%zu: %s (%s)", name, err->line, err->column, message, why);
    } else {
        fprintf(stderr, "prova: %s: %s (%s)", name, message, why);
        snprintf(msg, sizeof msg, "%s: %s (%s)", name, message, why);
    }
    if (err->pointer[0]) fprintf(stderr, " at %s", err->pointer);
    fputc('\n', stderr);
    keep(check, reason ? reason : why, err->pointer, msg);
}

bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **ret) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return false;
    if (a[n] == '=') {
        *ret = a + n + 1;
        return true;
    }
    if (a[n] != '\0') return false;
    if (*i + 1 >= argc) {
        *ret = NULL; /* caller reports the missing value */
        return true;
    }
    *ret = argv[++*i];
    return true;
}

/* ---- Checking the command line against the tables: unknown, repeated and mistyped names ------------------ */

#define NAME_MAX_CMP 64 /* longer names are never close to anything */

/* Damerau-Levenshtein distance in its optimal string alignment form (insertions, deletions, substitutions, and
 * transpositions of two adjacent characters, each 1). Both lengths are at most NAME_MAX_CMP. */
static size_t distance(const char *a, size_t n, const char *b, size_t m) {
    size_t d[NAME_MAX_CMP + 1][NAME_MAX_CMP + 1];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

static const char *undashed(const char *s) {
    while (*s == '-') s++;
    return s;
}

const char *cli_nearest(const char *typed, const char *const *names, size_t n) {
    size_t tl = strlen(typed), ul = strlen(undashed(typed));
    if (tl > NAME_MAX_CMP || ul == 0) return NULL;
    size_t limit = ul <= 3 ? 1 : ul <= 6 ? 2 : 3;
    const char *best = NULL, *prefixed = NULL;
    size_t best_d = limit + 1, nprefixed = 0;
    for (size_t k = 0; k < n; k++) {
        size_t nl = strlen(names[k]);
        if (nl > NAME_MAX_CMP) continue;
        size_t d = distance(typed, tl, names[k], nl);
        /* a distance as long as the name itself means nothing was in common */
        if (d < best_d && d < strlen(undashed(names[k]))) {
            best = names[k];
            best_d = d;
        }
        if (ul >= 3 && strncmp(undashed(names[k]), undashed(typed), ul) == 0) {
            prefixed = names[k];
            nprefixed++;
        }
    }
    return best ? best : nprefixed == 1 ? prefixed : NULL;
}

/* Prints "prova WHO: message" and keeps it for --json, check "usage". Returns EXIT_USAGE. */
static int usage_fail(const char *who, const char *reason, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int usage_fail(const char *who, const char *reason, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(who, EXIT_USAGE, "usage", reason, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_unknown_command(const char *typed) {
    const char *names[64];
    size_t n = 0;
    for (const cli_cmd *c = cli_commands; c->name && n < sizeof names / sizeof *names; c++) names[n++] = c->name;
    const char *near = cli_nearest(typed, names, n);
    if (near) return usage_fail(NULL, "unknown_command", "unknown command '%s'; did you mean '%s'?", typed, near);
    usage_fail(NULL, "unknown_command", "unknown command '%s'", typed);
    cli_usage(stderr);
    return EXIT_USAGE;
}

bool cli_has_opt(const cli_cmd *cmd, const char *name) {
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        if (strcmp(o->name, name) == 0) return true;
    return false;
}

#define MAX_OPTS 64

int cli_check_args(const cli_cmd *cmd, int argc, char **argv) {
    if (!cmd->opts) return EXIT_OK; /* the command checks its own */
    const char *names[MAX_OPTS];
    size_t nopts = 0;
    for (const cli_opt *o = cmd->opts; o->name; o++) {
        assert(nopts < MAX_OPTS); /* a table that grows past it must raise MAX_OPTS */
        if (nopts == MAX_OPTS) return EXIT_OK;
        names[nopts++] = o->name;
    }
    bool seen[MAX_OPTS] = {false};
    bool have_sub = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) break;
        if (a[0] != '-' || a[1] == '\0') { /* an operand; the first one of a noun-verb command is its verb */
            if (cmd->subs && !have_sub) {
                have_sub = true;
                bool known = false;
                size_t nsubs = 0;
                for (const char *const *s = cmd->subs; *s; s++, nsubs++) known |= strcmp(*s, a) == 0;
                /* Without a close one, the command's own message lists its verbs. */
                const char *near = known ? NULL : cli_nearest(a, cmd->subs, nsubs);
                if (near)
                    return usage_fail(NULL, "unknown_subcommand", "unknown %s subcommand '%s'; did you mean '%s'?",
                                      cmd->name, a, near);
            }
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
        size_t k = 0;
        while (k < nopts && !(strlen(names[k]) == nl && strncmp(names[k], a, nl) == 0)) k++;
        if (k == nopts) {
            char typed[NAME_MAX_CMP + 1];
            snprintf(typed, sizeof typed, "%.*s", (int)(nl < NAME_MAX_CMP ? nl : NAME_MAX_CMP), a);
            const char *near = cli_nearest(typed, names, nopts);
            if (near)
                return usage_fail(cmd->name, "unknown_option", "unknown option '%.*s'; did you mean '%s'?", (int)nl, a,
                                  near);
            return usage_fail(cmd->name, "unknown_option", "unknown option '%.*s' (see prova %s --help)", (int)nl, a,
                              cmd->name);
        }
        const cli_opt *o = &cmd->opts[k];
        if (seen[k] && !(o->flags & CLI_OPT_REPEAT))
            return usage_fail(cmd->name, "option_repeated", "%s given twice", o->name);
        seen[k] = true;
        if (!(o->flags & CLI_OPT_VALUE) && eq) return usage_fail(cmd->name, "usage", "%s takes no value", o->name);
        if ((o->flags & CLI_OPT_VALUE) && !eq) i++; /* its value, whatever it looks like */
    }
    return EXIT_OK;
}

bool cli_is_help(const char *arg) {
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

void cli_print_help(const cli_cmd *cmd, FILE *f) {
    fprintf(f, "usage: prova %s\n\n%s", cmd->synopsis, cmd->help);
    for (size_t i = 0; i < sizeof cmd->help_more / sizeof cmd->help_more[0] && cmd->help_more[i]; i++)
        fputs(cmd->help_more[i], f);
}

int64_t cli_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Loads a key file. need_private: a public key (or a JWKS) is refused as such. jwks_option: the option that takes
 * a JWKS, named when one is given here instead. */
static int load_key(const char *path, bool need_private, const char *jwks_option, prova_key **ret) {
    prova_error err;
    *ret = NULL;
    int r = prova_key_load_file(path, ret, &err);
    if (r == PROVA_ESYNTAX && err.reason && strcmp(err.reason, "key_is_jwks") == 0) {
        if (need_private)
            return cli_fail_as(EXIT_USAGE, "key", "key_not_private",
                               "%s is a JWKS of public keys; a private key is needed", path);
        return cli_fail_as(EXIT_USAGE, "key", "key_file_invalid", "%s is a JWKS, not a single key%s%s", path,
                           jwks_option ? "; give it with " : "", jwks_option ? jwks_option : "");
    }
    if (r == 0 && need_private && !prova_key_is_private(*ret)) {
        cli_fail_as(EXIT_USAGE, "key", "key_not_private", "%s is a public key (%s); a private key is needed", path,
                    prova_key_kid(*ret));
        *ret = prova_key_free(*ret);
        return EXIT_USAGE;
    }
    if (r == PROVA_EIO) {
        int e = errno;
        if (err.reason && strcmp(err.reason, "key_file_not_regular") == 0)
            return cli_fail_as(EXIT_USAGE, "key", "file_unreadable", "%s: not a regular file", path);
        return cli_fail_as(EXIT_USAGE, "key", e == ENOENT ? "file_not_found" : "file_unreadable", "%s: %s", path,
                           strerror(e));
    }
    if (r < 0) {
        cli_report_as(path, &err, "key", r == PROVA_ENOMEM ? "out_of_memory" : "key_file_invalid");
        return r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_load_key(const char *path, prova_key **ret) {
    return load_key(path, false, NULL, ret);
}

int cli_load_private_key(const char *path, prova_key **ret) {
    return load_key(path, true, NULL, ret);
}

int cli_load_trusted_key(const char *path, const char *jwks_option, prova_key **ret) {
    return load_key(path, false, jwks_option, ret);
}

int cli_write_file_atomic(const char *path, const void *data, size_t len) {
    return cli_write_file_atomic_mode(path, data, len, -1);
}

int cli_write_file_atomic_mode(const char *path, const void *data, size_t len, int mode_or_default) {
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) return cli_fail(EXIT_INTERNAL, "out of memory");
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return cli_fail(EXIT_INTERNAL, "%s: cannot create a temporary file: %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600: give it the mode asked for, else the mode of the file it replaces, or the umask's
     * default for a new one. */
    struct stat st;
    mode_t mode;
    if (mode_or_default >= 0) {
        mode = (mode_t)mode_or_default;
    } else if (stat(path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(fd, mode);
    const uint8_t *p = data;
    size_t off = 0;
    int rc = EXIT_OK;
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            rc = cli_fail(EXIT_INTERNAL, "%s: write: %s", path, strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    /* The data reaches the disk before the rename makes it the file: a crash leaves the old file or the new one. */
    if (rc == EXIT_OK && fsync(fd) != 0) rc = cli_fail(EXIT_INTERNAL, "%s: fsync: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == EXIT_OK) rc = cli_fail(EXIT_INTERNAL, "%s: close: %s", path, strerror(errno));
    if (rc == EXIT_OK && rename(tmp, path) != 0) rc = cli_fail(EXIT_INTERNAL, "%s: rename: %s", path, strerror(errno));
    if (rc != EXIT_OK) unlink(tmp);
    free(tmp);
    if (rc == EXIT_OK) {
        /* And the rename itself: fsync the directory. */
        char *dir = strdup(path);
        if (dir) {
            char *slash = strrchr(dir, '/');
            const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
            int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
            }
            free(dir);
        }
    }
    return rc;
}

int cli_split_list(const char *s, cli_list *ret) {
    ret->v = NULL;
    ret->n = 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++) cap += *p == ',';
    if (!(ret->v = calloc(cap, sizeof *ret->v))) return -1;
    for (const char *p = s;;) {
        size_t n = strcspn(p, ",");
        const char *b = p, *e = p + n;
        while (b < e && *b == ' ') b++;
        while (e > b && e[-1] == ' ') e--;
        if (e > b) {
            char *item = malloc((size_t)(e - b) + 1);
            if (!item) {
                cli_list_free(ret);
                return -1;
            }
            memcpy(item, b, (size_t)(e - b));
            item[e - b] = '\0';
            ret->v[ret->n++] = item;
        }
        if (!p[n]) break;
        p += n + 1;
    }
    return 0;
}

void cli_list_free(cli_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int cli_number_opt(const char *cmd, const char *name, const char *v, unsigned long long lo, unsigned long long hi,
                   unsigned long long *ret) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || !*v || *end || n < lo || n > hi)
        return cli_fail(EXIT_USAGE, "%s: %s must be a number from %llu to %llu", cmd, name, lo, hi);
    *ret = n;
    return EXIT_OK;
}
