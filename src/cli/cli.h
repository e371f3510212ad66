/* Shared helpers of the `prova` command: argument parsing, file input, error printing. */
#ifndef PROVA_CLI_H
#define PROVA_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "prova/common.h"
#include "prova/note.h"
#include "prova/verify.h"

/* Exit codes (docs/cli.md). */
enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* An option of a command. The table of a command's options is checked before the command runs
 * (cli_check_args): an option not in it is refused with the nearest one suggested, one given twice is refused
 * unless CLI_OPT_REPEAT, and --json in it makes every outcome a JSON report. Each command still parses its options
 * itself; its table must list exactly what it parses (tests/cli/test_cli_errors.sh runs every documented one). */
enum {
    CLI_OPT_VALUE = 1u << 0,  /* takes a value: --name VALUE or --name=VALUE */
    CLI_OPT_REPEAT = 1u << 1, /* may be given more than once (documented as repeatable) */
};
typedef struct cli_opt {
    const char *name; /* "--profile" */
    unsigned flags;
} cli_opt;

typedef struct cli_cmd {
    const char *name;
    const char *synopsis; /* one line, after "prova " */
    const char *help;     /* the rest of --help */
    int (*run)(int argc, char **argv);
    const cli_opt *opts;      /* its options, ending with {NULL, 0}; NULL: the command checks its own (serve, mcp) */
    const char *const *subs;  /* noun-verb commands: the verbs, ending with NULL; else NULL */
    const char *help_more[4]; /* printed after help, in order, up to the first NULL (C11 bounds one string literal
                                 to 4095 bytes) */
} cli_cmd;

/* Reads a whole file ("-" = stdin) into *ret (NUL-terminated, not counted in len). max_size bounds the read.
 * On failure prints "prova: NAME: reason" and returns EXIT_USAGE (missing, forbidden, a directory, too large:
 * file_not_found, file_unreadable, json_size_limit) or EXIT_INTERNAL (file_unreadable, out_of_memory). */
int cli_read_file(const char *path, size_t max_size, prova_buf *ret);

/* An input document: a read-only mapping of a regular file, or the bytes read from a pipe or stdin. */
typedef struct cli_input {
    const uint8_t *data;
    size_t len;
    void *map;
    size_t maplen;
    prova_buf buf;
    int compression; /* the prova_compression the file was in (data is then decompressed), or 0 */
} cli_input;

/* Opens FILE ("-" = stdin) for reading whole; errors as cli_read_file. Release with cli_input_close().
 * A zstd or gzip file (by its magic bytes, never its name) is decompressed transparently (cli_input_decompress):
 * max_size bounds the decompressed bytes. */
int cli_input_open(const char *path, size_t max_size, cli_input *ret);
void cli_input_close(cli_input *in);
/* The same for inputs that are read a line at a time (JSON Lines): a regular file is mapped whatever its size
 * (the library bounds each line); a pipe is read up to pipe_max bytes. A compressed one is decompressed, up to
 * pipe_max bytes. */
int cli_input_open_stream(const char *path, size_t pipe_max, cli_input *ret);
/* cli_input_open without decompression: for opaque bytes (a log entry) whose magic means nothing. */
int cli_input_open_raw(const char *path, size_t max_size, cli_input *ret);
/* When in holds zstd or gzip, replaces its bytes with the decompressed ones: at most max_size bytes and at most
 * PROVA_MAX_RATIO (environment; default 1000, 0: none) bytes out per byte in once past 1 MiB (docs/compression.md).
 * EXIT_OK (also when not compressed), or EXIT_USAGE printed as "FILE: message (reason; format, at compressed byte
 * N)" with the library's reason (decompressed_too_large, compression_ratio_exceeded, compressed_corrupt,
 * compressed_truncated, compressed_trailing_data, compressed_window_too_large), EXIT_INTERNAL. */
int cli_input_decompress(const char *path, size_t max_size, cli_input *in);

/* --compress zstd|gzip|none and --compress-level N (docs/compression.md) on the commands that write bundles,
 * exports and chains. format is a prova_compression; level 0: the format's default. */
typedef struct cli_compress {
    int format;
    int level;
    bool given; /* --compress was given (none included) */
} cli_compress;
/* Consumes --compress or --compress-level at argv[*i]: true when it was one, *rc set (EXIT_OK or a usage error). */
bool cli_compress_option(int argc, char **argv, int *i, cli_compress *c, int *rc);
/* A level without a format, or gzip above 9: EXIT_USAGE. */
int cli_compress_check(const cli_compress *c);
/* From now on, cli_write_stdout compresses what it writes (one stream, ended by cli_output_end, which main() calls
 * after the command: a command that fails leaves it unfinished, so a partial output never decompresses as whole). */
void cli_output_compress(int format, int level);
int cli_output_end(int rc);
/* Appends data compressed (one frame or member) to ret; an exit code. */
int cli_compress_bytes(int format, int level, const void *data, size_t len, prova_buf *ret);
/* cli_write_file_atomic of data compressed with format (PROVA_COMPRESSION_NONE: as it is). */
int cli_write_output_file(const char *path, const void *data, size_t len, int format, int level);

/* malloc for small blocks, huge-page-advised mappings for large ones (output buffers of big documents). */
const prova_allocator *cli_allocator(void);

/* Writes all of data to stdout and flushes; EXIT_OK or EXIT_INTERNAL (with a message). */
int cli_write_stdout(const void *data, size_t len);

/* Failures. Each prints "prova: message" on stderr and returns code. With --json, the first failure of the run is
 * also kept: when the command ends without having printed a report, cli_json_end prints one in its place (kind
 * "unknown", one failed check CHECK with reason code REASON), so that stdout holds one JSON document whatever
 * happened. The reason codes are stable (docs/cli.md): usage, unknown_option, option_repeated, unknown_command,
 * unknown_subcommand, file_not_found, file_unreadable, json_size_limit, key_file_invalid, key_not_private,
 * jwks_invalid, out_of_memory, internal, and the library's codes for what it parsed.
 *
 * cli_fail: check and reason "usage" (EXIT_USAGE), "internal" (EXIT_INTERNAL), "verify"/"invalid" (EXIT_INVALID).
 * cli_fail_file: "FILE: strerror(err)" for a file that cannot be opened or read; file_not_found (ENOENT) or
 * file_unreadable, exit 2 for ENOENT and EACCES, else 3.
 * cli_report: "FILE:LINE:COL: message (reason) at /pointer" for a library error; check "parse" when the error has a
 * position, else "input"; the library's reason. cli_report_as: the same with the check and reason given. */
struct otel;
/* The OTEL_* variables a command's flags stand in for (NULL: the variable decides). */
typedef struct cli_otel_opts {
    const char *endpoint, *protocol, *headers, *compression, *service_name, *sampler, *sampler_arg, *metric_interval;
    bool disabled;
} cli_otel_opts;
/* Opens the OpenTelemetry exporter from the environment and opts (NULL: none): *ret is NULL when nothing is
 * exported. EXIT_OK, or EXIT_USAGE for a bad setting (the variable named), EXIT_INTERNAL. docs/observability.md. */
int cli_otel_open(const cli_otel_opts *opts, const char *default_service, struct otel **ret);
/* Every command but serve, mcp and witness (which open their own) runs in a span "prova COMMAND" when the OTEL_*
 * variables export traces, child of the TRACEPARENT variable's context; a bad setting is reported on stderr and the
 * command runs without telemetry. cli_telemetry() and cli_telemetry_span() are NULL otherwise. */
struct otel_span;
void cli_telemetry_begin(const char *command);
struct otel *cli_telemetry(void);
struct otel_span *cli_telemetry_span(void);
/* The context outgoing calls propagate: the command's span's, else TRACEPARENT's; NULL when neither. */
struct otel_ctx;
const struct otel_ctx *cli_telemetry_ctx(void);
void cli_telemetry_end(int exit_code);

int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail_as(int code, const char *check, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cli_fail_file(const char *check, const char *path, int err);
void cli_report(const char *file, const prova_error *err);
void cli_report_as(const char *file, const prova_error *err, const char *check, const char *reason);

/* --json (main.c): cli_json_begin(on) before the command runs; cli_json_wrote() when a report went to stdout;
 * cli_json_flush() prints the kept failure now (one line of a JSON Lines answer, e.g. a CloudEvents batch);
 * cli_json_end(rc) prints it unless a report was written or rc is EXIT_OK, and returns rc. */
void cli_json_begin(bool on);
void cli_json_wrote(void);
void cli_json_flush(void);
int cli_json_end(int rc);

/* Option helpers: if argv[*i] is `--name VALUE` or `--name=VALUE`, stores VALUE and advances *i. */
bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **ret);

/* Checks argv (argv[0] is the command's name) against cmd's tables before the command runs: unknown options
 * (unknown_option: "prova verify: unknown option '--jwsk'; did you mean '--jwks'?"), a mistyped verb of a noun-verb
 * command (unknown_subcommand: "prova: unknown oe subcommand 'certfy'; did you mean 'certify'?"; one that is close
 * to none is left to the command, which lists its verbs),
 * options given twice ("prova canon: --profile given twice", option_repeated), and values given to options that take
 * none. Stops at "--". EXIT_OK, or EXIT_USAGE after printing why. */
int cli_check_args(const cli_cmd *cmd, int argc, char **argv);
/* True when cmd's table has the option name. */
bool cli_has_opt(const cli_cmd *cmd, const char *name);
/* "prova: unknown command 'verfy'; did you mean 'verify'?" (unknown_command), or without a close one the command
 * list. Returns EXIT_USAGE. */
int cli_unknown_command(const char *typed);
/* The candidate nearest to typed (Damerau-Levenshtein distance, leading dashes ignored for the length limit: 1 edit
 * for up to 3 characters, 2 up to 6, 3 beyond; or the only candidate that typed is a prefix of), or NULL. */
const char *cli_nearest(const char *typed, const char *const *names, size_t n);

/* The wall clock in microseconds since the epoch. */
int64_t cli_now_us(void);
/* Loads a key file (any form prova_key_load_file reads), printing why on failure (file_not_found, file_unreadable,
 * key_file_invalid; a JWKS is named as such). EXIT_OK, EXIT_USAGE or EXIT_INTERNAL.
 * cli_load_private_key: for signing; a public key or a JWKS is refused as such (key_not_private).
 * cli_load_trusted_key: for verifying (a private key verifies with its public half); a JWKS is refused with the
 * option that takes one (jwks_option, e.g. "--jwks"). */
typedef struct prova_key prova_key;
int cli_load_key(const char *path, prova_key **ret);
int cli_load_private_key(const char *path, prova_key **ret);
int cli_load_trusted_key(const char *path, const char *jwks_option, prova_key **ret);
/* Replaces path with data: a temporary file in the same directory, fsync, rename, fsync of the directory. */
int cli_write_file_atomic(const char *path, const void *data, size_t len);
/* The same with the file's mode given (mode_or_default >= 0: whatever the umask, e.g. 0600 for a secret). */
int cli_write_file_atomic_mode(const char *path, const void *data, size_t len, int mode_or_default);
/* An option's decimal value within [lo, hi] into *ret; EXIT_OK, or EXIT_USAGE printed as "CMD: NAME must be a number
 * from LO to HI". */
int cli_number_opt(const char *cmd, const char *name, const char *v, unsigned long long lo, unsigned long long hi,
                   unsigned long long *ret);

/* A list of strings split from one option value ("a, b,c"), each trimmed of spaces, empty ones dropped. */
typedef struct cli_list {
    char **v;
    size_t n;
} cli_list;
/* 0, or -1 when out of memory (the list is then freed). */
int cli_split_list(const char *s, cli_list *ret);
void cli_list_free(cli_list *l);

/* Prints the list of commands (prova --help) to f. */
void cli_usage(FILE *f);

/* Prints the help text of a command to f. */
void cli_print_help(const cli_cmd *cmd, FILE *f);

/* True when argv[i] asks for help. */
bool cli_is_help(const char *arg);

/* The commands (one file each). */
int cmd_canon(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_jwks(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_receipt(int argc, char **argv);
int cmd_transform(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_oe(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_proof(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_lineage(int argc, char **argv);
int cmd_sink(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_redact(int argc, char **argv);

/* Proof records' HMAC key options (cmd_proof.c), shared by `prova proof sign` and `prova verify`. */
typedef struct cli_hmac {
    const char *file, *b64;
    bool use_default;
    int count;
    char *resolved; /* standard base64 of the key, or NULL when none was given */
} cli_hmac;
bool cli_hmac_option(int argc, char **argv, int *i, cli_hmac *h);
int cli_hmac_resolve(cli_hmac *h);
void cli_hmac_free(cli_hmac *h);

/* The HMAC key options (cli_hmac_option) and the verification options (cli_verify_option), for the option tables. */
#define CLI_HMAC_OPTS                                                                                                  \
    {"--hmac-key", CLI_OPT_VALUE}, {"--hmac-key-b64", CLI_OPT_VALUE}, {                                                \
        "--default-key", 0                                                                                             \
    }
#define CLI_VERIFY_OPTS                                                                                                \
    {"--jwks", CLI_OPT_VALUE | CLI_OPT_REPEAT}, {"--key", CLI_OPT_VALUE | CLI_OPT_REPEAT},                             \
        {"--max-skew", CLI_OPT_VALUE}, {"--now", CLI_OPT_VALUE}, {"--hash-alg", CLI_OPT_VALUE},                        \
        {"--threads", CLI_OPT_VALUE}, {"--no-skew", 0}, {"--trust-embedded-key", 0}, CLI_HMAC_OPTS

/* The verification options shared by `prova verify`, `prova export` and `prova import` (cmd_ope.c): trusted keys
 * (--jwks, --key), HMAC keys, clock and freshness, hash algorithm, threads. */
typedef struct prova_keyset prova_keyset;
typedef struct cli_verify_args {
    prova_verify_options o;
    prova_keyset *ks;
    cli_hmac hmac;
} cli_verify_args;
int cli_verify_args_init(cli_verify_args *va);
/* Consumes the verification option at argv[*i] (advancing *i past its value): true when it was one, with *rc set
 * to an exit code (EXIT_OK or the error's). */
bool cli_verify_option(int argc, char **argv, int *i, cli_verify_args *va, int *rc);
/* Resolves the HMAC key options into va->o.hmac_key_b64. An exit code. */
int cli_verify_args_finish(cli_verify_args *va);
void cli_verify_args_free(cli_verify_args *va);
/* Prints a verification report (text or JSON) and returns the exit code of `prova verify`: 0 valid, 1 invalid,
 * 2 not JSON / not a known kind (status: what the verifier returned; err: its error for PROVA_ESYNTAX). */
typedef struct prova_report prova_report;
int cli_print_report(const char *file, int status, const prova_report *rep, const prova_error *err, bool json);

/* The log-proof options of `prova verify` (cmd_logproof.c): --log-key VKEY|FILE (repeatable), --witness-policy
 * FILE, --require-log-proof, --log-proof FILE (repeatable); finish points the verify options at them (they must outlive
 * the verification). */
typedef struct cli_log_verify {
    char **keys;
    size_t nkeys;
    prova_buf *proofs; /* --log-proof FILE (repeatable): the texts, and proof_in pointing at them */
    struct prova_log_proof_in *proof_in;
    size_t nproofs;
    prova_buf policy;
    bool have_policy, require;
} cli_log_verify;
void cli_log_verify_init(cli_log_verify *lv);
bool cli_log_verify_option(int argc, char **argv, int *i, cli_log_verify *lv, int *rc);
int cli_log_verify_finish(cli_log_verify *lv, prova_verify_options *o);
void cli_log_verify_free(cli_log_verify *lv);
int cmd_log_attach(int argc, char **argv);
/* `prova log keygen` / `prova witness keygen` (cmd_log.c): a new note key of type (prova/note.h) named --name in
 * --out (0600, PRIVATE+KEY form; --force replaces), its vkey on stdout; cmd names the command in messages. */
int cli_note_keygen(int argc, char **argv, const char *cmd, prova_note_type type);

extern const cli_cmd cli_commands[];
const cli_cmd *cli_find(const char *name);

#endif
