/* prova canon / prova hash: canonical bytes of a JSON document and their digest. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"

typedef struct canon_args {
    prova_profile profile;
    prova_hash_alg alg;
    prova_parse_options opts;
    const char *file;
} canon_args;

/* Parses the options shared by canon and hash. Returns EXIT_OK, or an exit code after printing why. */
static int parse_args(int argc, char **argv, bool with_alg, canon_args *a) {
    a->profile = PROVA_PROFILE_OPE;
    a->alg = PROVA_HASH_SHA256;
    memset(&a->opts, 0, sizeof a->opts);
    a->file = "-";
    bool have_file = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt_value(argc, argv, &i, "--profile", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--profile needs a value (ope, ophamin or jcs)");
            if (prova_profile_lookup(v, &a->profile) < 0)
                return cli_fail(EXIT_USAGE, "unknown profile '%s' (expected ope, ophamin or jcs)", v);
        } else if (with_alg && cli_opt_value(argc, argv, &i, "--alg", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--alg needs a value");
            if (prova_hash_lookup(v, &a->alg) < 0)
                return cli_fail(EXIT_USAGE,
                                "unknown hash algorithm '%s' (sha256, sha384, sha512, sha3-256, sha3-384, sha3-512)",
                                v);
        } else if (cli_opt_value(argc, argv, &i, "--max-depth", &v)) {
            char *end;
            unsigned long n = v ? strtoul(v, &end, 10) : 0;
            if (!v || *end || n == 0 || n > 100000) return cli_fail(EXIT_USAGE, "--max-depth needs a number 1..100000");
            a->opts.max_depth = (uint32_t)n;
        } else if (cli_opt_value(argc, argv, &i, "--max-size", &v)) {
            char *end;
            unsigned long long n = v ? strtoull(v, &end, 10) : 0;
            if (!v || *end || n == 0 || n > UINT32_MAX)
                return cli_fail(EXIT_USAGE, "--max-size needs a byte count 1..4294967295");
            a->opts.max_size = (size_t)n;
        } else if (strcmp(argv[i], "--allow-nonfinite") == 0) {
            a->opts.flags |= PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else {
            if (have_file) return cli_fail(EXIT_USAGE, "only one input file is accepted");
            a->file = argv[i];
            have_file = true;
        }
    }
    if ((a->opts.flags & PROVA_PARSE_ALLOW_NONFINITE) && a->profile != PROVA_PROFILE_OPHAMIN)
        return cli_fail(EXIT_USAGE, "--allow-nonfinite applies to the ophamin profile only");
    return EXIT_OK;
}

static int write_chunk(void *ctx, const void *data, size_t len) {
    int *wrc = ctx;
    *wrc = cli_write_stdout(data, len);
    return *wrc != EXIT_OK;
}

/* prova canon streams: the input mapped (a regular file, also as stdin) or read whole (a pipe, a compressed file),
 * its canonical bytes written to stdout a chunk (about 1 MiB) at a time (prova_canon_stream), so that memory does
 * not grow with the output. On an error after some output was written, a regular file on stdout is truncated back
 * to where it stood, so that it never holds a partial result; a pipe has received those bytes, and the exit status
 * (non-zero) and the message on stderr say that they are not a result (docs/cli.md). */
int cmd_canon(int argc, char **argv) {
    canon_args a;
    int rc = parse_args(argc, argv, false, &a);
    if (rc != EXIT_OK) return rc;
    cli_input in;
    size_t max = a.opts.max_size ? a.opts.max_size : PROVA_DEFAULT_MAX_SIZE;
    rc = cli_input_open(a.file, max, &in);
    if (rc != EXIT_OK) return rc;
    fflush(stdout);
    struct stat st;
    off_t start = fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? lseek(STDOUT_FILENO, 0, SEEK_CUR) : -1;
    prova_error err;
    int wrc = EXIT_OK;
    int r = prova_canon_stream(in.data, in.len, a.profile, &a.opts, write_chunk, &wrc, &err);
    if (r < 0) {
        if (start >= 0) {
            fflush(stdout);
            if (ftruncate(STDOUT_FILENO, start) == 0) (void)lseek(STDOUT_FILENO, start, SEEK_SET);
        }
        if (wrc != EXIT_OK) {
            rc = wrc; /* the write's failure, already printed */
        } else {
            cli_report(a.file, &err);
            rc = r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        }
    }
    cli_input_close(&in);
    return rc;
}

static int hash_chunk(void *ctx, const void *data, size_t len) {
    return prova_hash_update(ctx, data, len) < 0;
}

/* prova hash: the canonical bytes streamed into the digest (bounded memory, as prova canon). */
int cmd_hash(int argc, char **argv) {
    canon_args a;
    int rc = parse_args(argc, argv, true, &a);
    if (rc != EXIT_OK) return rc;
    cli_input in;
    size_t max = a.opts.max_size ? a.opts.max_size : PROVA_DEFAULT_MAX_SIZE;
    rc = cli_input_open(a.file, max, &in);
    if (rc != EXIT_OK) return rc;
    prova_hash_ctx *h = NULL;
    uint8_t d[PROVA_HASH_MAX_BYTES];
    char hex[2 * PROVA_HASH_MAX_BYTES + 1];
    prova_error err;
    if (prova_hash_new(a.alg, &h) < 0) {
        rc = cli_fail(EXIT_INTERNAL, "hashing failed");
    } else {
        int r = prova_canon_stream(in.data, in.len, a.profile, &a.opts, hash_chunk, h, &err);
        if (r == PROVA_EIO) {
            rc = cli_fail(EXIT_INTERNAL, "hashing failed");
        } else if (r < 0) {
            cli_report(a.file, &err);
            rc = r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        } else if (r = prova_hash_final(h, d), h = NULL, /* final frees the context */
                   r < 0 ||
                       prova_hex_encode(d, prova_hash_size(a.alg), hex, sizeof hex) != 2 * prova_hash_size(a.alg)) {
            rc = cli_fail(EXIT_INTERNAL, "hashing failed");
        } else {
            printf("%s:%s\n", prova_hash_name(a.alg), hex);
            rc = cli_write_stdout(NULL, 0);
        }
    }
    prova_hash_free(h);
    cli_input_close(&in);
    return rc;
}
