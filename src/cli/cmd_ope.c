/* prova pack / prova verify / prova receipt / prova bundle: OPE v1 envelopes, receipts, chains and bundles; verify
 * takes every family (OpenExecution too). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "prova/compress.h"
#include "prova/encoding.h"
#include "prova/jsonl.h"
#include "prova/oe.h"
#include "prova/ope.h"
#include "prova/redact.h"
#include "verify_view.h"

int cmd_pack(int argc, char **argv) {
    prova_ope_envelope_params p = {0};
    const char *key_path = NULL, *file = "-";
    bool have_file = false, redactable = false;
    const char *clear[256];
    prova_redact_params rp = {.clear = clear};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_opt_value(argc, argv, &i, "--key", &v))
            key_path = v;
        else if (strcmp(argv[i], "--redactable") == 0) {
            redactable = true; /* docs/redaction.md */
            continue;
        } else if (cli_opt_value(argc, argv, &i, "--clear", &v)) {
            if (v && rp.nclear == sizeof clear / sizeof *clear) return cli_fail(EXIT_USAGE, "at most 256 --clear");
            if (v) clear[rp.nclear++] = v;
        } else if (cli_opt_value(argc, argv, &i, "--decoys", &v)) {
            char *end = NULL;
            unsigned long d = v ? strtoul(v, &end, 10) : 0;
            if (v && (!*v || *end || d > PROVA_REDACT_MAX_DECOYS))
                return cli_fail(EXIT_USAGE, "--decoys takes 0..%u", PROVA_REDACT_MAX_DECOYS);
            rp.decoys = (unsigned)d;
        } else if (cli_opt_value(argc, argv, &i, "--payload-type", &v))
            p.payload_type = v;
        else if (cli_opt_value(argc, argv, &i, "--target-type", &v))
            p.target_type = v;
        else if (cli_opt_value(argc, argv, &i, "--trace-id", &v))
            p.trace_id = v;
        else if (cli_opt_value(argc, argv, &i, "--ts", &v))
            p.ts = v;
        else if (cli_opt_value(argc, argv, &i, "--not-before", &v))
            p.not_before = v;
        else if (cli_opt_value(argc, argv, &i, "--expires-at", &v))
            p.expires_at = v;
        else if (cli_opt_value(argc, argv, &i, "--dialect", &v)) {
            if (v && prova_ope_dialect_lookup(v, &p.dialect) < 0)
                return cli_fail(EXIT_USAGE, "unknown dialect '%s' (prova, ope-lib, starter)", v);
        } else if (strcmp(argv[i], "--bind") == 0) {
            p.bind = true;
            continue;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else {
            if (have_file) return cli_fail(EXIT_USAGE, "only one payload file is accepted");
            file = argv[i];
            have_file = true;
            continue;
        }
        if (!v) return cli_fail(EXIT_USAGE, "%s needs a value", argv[i]);
    }
    if (!key_path) return cli_fail(EXIT_USAGE, "--key KEY is required");
    if (!redactable && (rp.nclear || rp.decoys)) return cli_fail(EXIT_USAGE, "--clear and --decoys need --redactable");
    if (!p.payload_type || !p.target_type) return cli_fail(EXIT_USAGE, "--payload-type and --target-type are required");
    char ts[40];
    if (!p.ts) {
        if (!prova_time_format(cli_now_us(), ts)) return cli_fail(EXIT_INTERNAL, "the system clock is out of range");
        p.ts = ts;
    }

    prova_key *key = NULL;
    int rc = cli_load_private_key(key_path, &key);
    if (rc != EXIT_OK) return rc;
    cli_input in;
    rc = cli_input_open(file, PROVA_DEFAULT_MAX_SIZE, &in);
    prova_doc *doc = NULL;
    prova_buf out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) {
        prova_error err;
        if (prova_json_parse(in.data, in.len, NULL, &doc, &err) < 0) {
            cli_report(file, &err);
            rc = EXIT_USAGE;
        } else {
            int r = redactable ? prova_redact_pack(key, prova_doc_root(doc), &p, &rp, &out, &err)
                               : prova_ope_envelope_pack(key, prova_doc_root(doc), &p, &out, &err);
            if (r < 0) {
                rc = r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
                cli_fail(rc, "%s: %s (%s)", file, err.message, err.reason);
            } else if (prova_buf_append(&out, "\n", 1) < 0) {
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
            } else {
                rc = cli_write_stdout(out.data, out.len);
            }
        }
    }
    prova_buf_free(&out);
    prova_doc_free(doc);
    cli_input_close(&in);
    prova_key_free(key);
    return rc;
}

/* Adds the keys of the JWKS file path to ks ("jwks:PATH" as their source). EXIT_OK, or an exit code after printing
 * why (file_not_found, file_unreadable, jwks_invalid). A single key file given instead is named as such, private
 * or public, with the way to use it: key_option takes a single key. */
static int load_jwks(prova_keyset *ks, const char *path, const char *key_option) {
    cli_input in;
    int rc = cli_input_open(path, (size_t)4 << 20, &in);
    if (rc == EXIT_OK) {
        prova_error err;
        char src[512];
        snprintf(src, sizeof src, "jwks:%s", path);
        int r = prova_keyset_add_jwks(ks, in.data, in.len, src, &err);
        prova_key *k = NULL;
        if (r == PROVA_ENOMEM) {
            rc = cli_fail_as(EXIT_INTERNAL, "internal", "out_of_memory", "%s: out of memory", path);
        } else if (r < 0 && prova_key_from_text(in.data, in.len, &k, NULL) == 0) {
            size_t lead = 0;
            while (lead < in.len &&
                   (in.data[lead] == ' ' || in.data[lead] == '\t' || in.data[lead] == '\r' || in.data[lead] == '\n'))
                lead++;
            const char *form = "hex"; /* as prova_key_from_text detects it */
            if (lead < in.len && in.data[lead] == '{')
                form = "JWK";
            else if (lead < in.len && in.data[lead] == '-')
                form = "PEM";
            if (prova_key_is_private(k))
                rc = cli_fail_as(EXIT_USAGE, "key", "jwks_invalid",
                                 "%s is a private key (%s), not a JWKS; make one of its public half with prova jwks %s "
                                 "(or give the key with %s)",
                                 path, form, path, key_option);
            else
                rc = cli_fail_as(EXIT_USAGE, "key", "jwks_invalid",
                                 "%s is a public key (%s), not a JWKS; give it with %s", path, form, key_option);
        } else if (r < 0) {
            cli_report_as(path, &err, "key", "jwks_invalid");
            rc = EXIT_USAGE;
        }
        prova_key_free(k);
    }
    cli_input_close(&in);
    return rc;
}

int cli_verify_args_init(cli_verify_args *va) {
    memset(va, 0, sizeof *va);
    va->ks = prova_keyset_new();
    if (!va->ks) return cli_fail(EXIT_INTERNAL, "out of memory");
    va->o.keys = va->ks;
    va->o.now_us = cli_now_us();
    /* Long JSON Lines chains are split across the CPUs; the report is the same as with one thread. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    va->o.threads = cpus < 1 ? 1 : cpus > 16 ? 16 : (unsigned)cpus;
    return EXIT_OK;
}

bool cli_verify_option(int argc, char **argv, int *ip, cli_verify_args *va, int *rc) {
    prova_verify_options *o = &va->o;
    const char *v = NULL;
    int i = *ip;
    bool took = true;
    if (cli_opt_value(argc, argv, &i, "--jwks", &v)) {
        *rc = v ? load_jwks(va->ks, v, "--key") : cli_fail(EXIT_USAGE, "--jwks needs a file");
    } else if (cli_opt_value(argc, argv, &i, "--key", &v)) {
        prova_key *k = NULL;
        if (!v)
            *rc = cli_fail(EXIT_USAGE, "--key needs a file");
        else
            *rc = cli_load_trusted_key(v, "--jwks", &k);
        char src[512];
        snprintf(src, sizeof src, "key:%s", v ? v : "");
        if (*rc == EXIT_OK && prova_keyset_add(va->ks, k, src) < 0) *rc = cli_fail(EXIT_INTERNAL, "out of memory");
    } else if (cli_opt_value(argc, argv, &i, "--max-skew", &v)) {
        char *end;
        long long s = v ? strtoll(v, &end, 10) : 0;
        if (!v || *end || s <= 0 || s > 100LL * 365 * 86400) *rc = cli_fail(EXIT_USAGE, "--max-skew needs seconds > 0");
        o->max_skew_s = s;
    } else if (cli_opt_value(argc, argv, &i, "--now", &v)) {
        if (!v || prova_time_parse(v, strlen(v), &o->now_us) < 0)
            *rc = cli_fail(EXIT_USAGE, "--now needs an RFC 3339 timestamp with an offset");
    } else if (cli_opt_value(argc, argv, &i, "--hash-alg", &v)) {
        prova_hash_alg a;
        if (!v || prova_oe_hash_lookup(v, &a) < 0)
            *rc = cli_fail(EXIT_USAGE, "--hash-alg needs sha256, sha384, sha512, sha3-256, sha3-384 or sha3-512");
        o->hash_alg = v;
    } else if (cli_opt_value(argc, argv, &i, "--threads", &v)) {
        char *end;
        long t = v ? strtol(v, &end, 10) : 0;
        if (!v || *end || t < 1 || t > 16) *rc = cli_fail(EXIT_USAGE, "--threads needs a number 1..16");
        o->threads = (unsigned)t;
    } else if (cli_hmac_option(argc, argv, &i, &va->hmac)) {
        /* taken */
    } else if (strcmp(argv[i], "--no-skew") == 0) {
        o->no_skew = true;
    } else if (strcmp(argv[i], "--trust-embedded-key") == 0) {
        o->trust_embedded_key = true;
    } else {
        took = false;
    }
    *ip = i;
    return took;
}

int cli_verify_args_finish(cli_verify_args *va) {
    int rc = cli_hmac_resolve(&va->hmac);
    va->o.hmac_key_b64 = va->hmac.resolved;
    return rc;
}

void cli_verify_args_free(cli_verify_args *va) {
    cli_hmac_free(&va->hmac);
    va->ks = prova_keyset_free(va->ks);
    va->o.keys = NULL;
}

int cmd_verify(int argc, char **argv) {
    const char *file = "-";
    bool have_file = false, json = false;
    progress_mode pmode = PROGRESS_AUTO;
    const char *format = NULL, *now = NULL; /* --format (verify_view.h); --now as given, for the views */
    cli_verify_args va;
    cli_log_verify lv;
    cli_log_verify_init(&lv);
    int rc = cli_verify_args_init(&va);
    if (rc != EXIT_OK) return rc;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) now = argv[i + 1];
        if (strncmp(argv[i], "--now=", 6) == 0) now = argv[i] + 6;
        if (cli_verify_option(argc, argv, &i, &va, &rc) || cli_log_verify_option(argc, argv, &i, &lv, &rc)) {
            continue;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (cli_opt_value(argc, argv, &i, "--format", &format)) {
            continue;
        } else if (progress_option(argv[i], &pmode)) {
            continue;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else if (have_file) {
            rc = cli_fail(EXIT_USAGE, "only one document is accepted");
        } else {
            file = argv[i];
            have_file = true;
        }
    }
    if (rc == EXIT_OK && format && !vv_format_known(format))
        rc = cli_fail(EXIT_USAGE, "--format must be text, json, html, dot or mermaid, not '%s'", format);
    if (rc == EXIT_OK && format && json && strcmp(format, "json") != 0)
        rc = cli_fail(EXIT_USAGE, "--json and --format %s do not go together", format);
    if (format && strcmp(format, "json") == 0) json = true;
    if (format && strcmp(format, "text") == 0) format = NULL;
    if (rc == EXIT_OK) rc = cli_verify_args_finish(&va);
    if (rc == EXIT_OK) rc = cli_log_verify_finish(&lv, &va.o);
    if (rc != EXIT_OK) {
        cli_verify_args_free(&va);
        cli_log_verify_free(&lv);
        return rc;
    }
    cli_input in;
    progress pg; /* progress.h: reading the file, then verifying (the library has no hook: elapsed time) */
    uint64_t records = 0;
    progress_init(&pg, "verify", pmode);
    rc = progress_input_open(&pg, file, PROVA_DEFAULT_MAX_SIZE, &in, &records);
    if (rc == EXIT_OK) {
        prova_report *rep = NULL;
        prova_error err;
        if (records)
            progress_phase_begin(&pg, "verifying %llu records", (unsigned long long)records);
        else
            progress_phase_begin(&pg, "verifying");
        int r = prova_verify_document(in.data, in.len, &va.o, &rep, &err);
        progress_end(&pg, "%zu bytes, %llu record%s", in.len, records ? (unsigned long long)records : 1ULL,
                     records > 1 ? "s" : "");
        if (format && !json)
            rc = vv_print(file, now, format, r, rep, &err, in.data, in.len);
        else
            rc = cli_print_report(file, r, rep, &err, json);
        prova_report_free(rep);
    }
    progress_end(&pg, NULL);
    cli_input_close(&in);
    cli_verify_args_free(&va);
    cli_log_verify_free(&lv);
    return rc;
}

int cli_print_report(const char *file, int status, const prova_report *rep, const prova_error *err, bool json) {
    if (status == PROVA_ENOMEM || !rep) return cli_fail(EXIT_INTERNAL, "out of memory");
    prova_buf out = PROVA_BUF_INIT;
    int w = json ? prova_report_to_json(rep, &out) : prova_report_to_text(rep, &out);
    if (w == 0 && json) w = prova_buf_append(&out, "\n", 1);
    int rc = w < 0 ? cli_fail(EXIT_INTERNAL, "out of memory") : cli_write_stdout(out.data, out.len);
    if (rc == EXIT_OK) cli_json_wrote();
    prova_buf_free(&out);
    if (status == PROVA_ESYNTAX) {
        if (!json) cli_report(file, err);
        if (rc == EXIT_OK) rc = EXIT_USAGE;
    } else if (rc == EXIT_OK && !prova_report_valid(rep)) {
        rc = prova_report_outcome(rep) == PROVA_OUTCOME_INVALID ? EXIT_INVALID : EXIT_USAGE;
    }
    return rc;
}

/* ---- prova receipt append / prova bundle: a gateway's steps, offline, on a JSON Lines chain file ---------- */

/* How a chain file is stored: its compression (prova_compression) and whether it holds anything. */
typedef struct chain_form {
    int compression;
    bool nonempty;
} chain_form;

/* Reads the receipts of trace_id from a JSON Lines file (missing file = empty chain) into a JSON array text
 * (`arr`, "[...]") and the last one's line into `last` (empty when none). */
static int read_chain(const char *path, const char *trace_id, prova_buf *arr, prova_buf *last, chain_form *ret_form) {
    cli_input in;
    if (ret_form) *ret_form = (chain_form){0, false};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return prova_buf_append(arr, "[]", 2) < 0 ? EXIT_INTERNAL : EXIT_OK;
    if (fd >= 0) close(fd);
    int rc = cli_input_open(path, PROVA_DEFAULT_MAX_SIZE, &in); /* a .zst or .gz chain is read decompressed */
    if (rc != EXIT_OK) return rc;
    if (ret_form) *ret_form = (chain_form){in.compression, in.len > 0 || in.compression != 0};
    prova_jsonl it;
    prova_jsonl_line l;
    size_t count = 0;
    prova_jsonl_init(&it, in.data, in.len, PROVA_DEFAULT_MAX_SIZE);
    rc = prova_buf_append(arr, "[", 1) < 0 ? EXIT_INTERNAL : EXIT_OK;
    while (rc == EXIT_OK) {
        prova_doc *doc = NULL;
        prova_error err;
        int more = prova_jsonl_next(&it, &l, &err);
        if (more == 0) break;
        if (more < 0 || prova_json_parse(l.text, l.len, NULL, &doc, &err) < 0) {
            fprintf(stderr, "prova: %s:%zu:%zu: %s (%s)\n", path, it.line, more < 0 ? 1 : l.column + err.column - 1,
                    err.message, err.reason);
            rc = EXIT_USAGE;
        } else if (prova_json_str_eq(prova_json_get(prova_doc_root(doc), "trace_id"), trace_id)) {
            if ((count++ && prova_buf_append(arr, ",", 1) < 0) || prova_buf_append(arr, l.text, l.len) < 0)
                rc = EXIT_INTERNAL;
            last->len = 0;
            if (prova_buf_append(last, l.text, l.len) < 0) rc = EXIT_INTERNAL;
        }
        prova_doc_free(doc);
    }
    if (rc == EXIT_OK && prova_buf_append(arr, "]", 1) < 0) rc = EXIT_INTERNAL;
    cli_input_close(&in);
    return rc;
}

typedef struct gw_args {
    const char *key, *chain, *trace_id, *policy, *ts, *form;
    const char *file;
    prova_verify_options vo;
    prova_keyset *senders;
    cli_compress cz; /* --compress, --compress-level */
} gw_args;

/* Options shared by `receipt append` and `bundle`. */
static int parse_gw(int argc, char **argv, gw_args *a, bool receipt) {
    a->senders = prova_keyset_new();
    if (!a->senders) return cli_fail(EXIT_INTERNAL, "out of memory");
    a->vo.keys = a->senders;
    a->vo.now_us = cli_now_us();
    bool have_file = false;
    int crc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        bool jwks = false;
        if (cli_opt_value(argc, argv, &i, "--key", &v))
            a->key = v;
        else if (cli_opt_value(argc, argv, &i, "--chain", &v))
            a->chain = v;
        else if (!receipt && cli_opt_value(argc, argv, &i, "--trace-id", &v))
            a->trace_id = v;
        else if (!receipt && cli_opt_value(argc, argv, &i, "--form", &v))
            a->form = v;
        else if (!receipt && cli_opt_value(argc, argv, &i, "--exported-at", &v))
            a->ts = v;
        else if (receipt && cli_opt_value(argc, argv, &i, "--policy", &v))
            a->policy = v;
        else if (receipt && cli_opt_value(argc, argv, &i, "--ts", &v))
            a->ts = v;
        else if (receipt && cli_opt_value(argc, argv, &i, "--now", &v)) {
            if (v && prova_time_parse(v, strlen(v), &a->vo.now_us) < 0)
                return cli_fail(EXIT_USAGE, "--now needs an RFC 3339 timestamp with an offset");
        } else if (receipt && ((jwks = cli_opt_value(argc, argv, &i, "--sender-jwks", &v)) ||
                               cli_opt_value(argc, argv, &i, "--sender-key", &v))) {
            if (!v) return cli_fail(EXIT_USAGE, "--sender-jwks/--sender-key need a file");
            char src[512];
            snprintf(src, sizeof src, "%s:%s", jwks ? "jwks" : "key", v);
            if (jwks) {
                int rc = load_jwks(a->senders, v, "--sender-key");
                if (rc != EXIT_OK) return rc;
            } else {
                prova_key *k = NULL;
                int rc = cli_load_trusted_key(v, "--sender-jwks", &k);
                if (rc != EXIT_OK) return rc;
                if (prova_keyset_add(a->senders, k, src) < 0) return cli_fail(EXIT_INTERNAL, "out of memory");
            }
            continue;
        } else if (receipt && strcmp(argv[i], "--trust-embedded-key") == 0) {
            a->vo.trust_embedded_key = true;
            continue;
        } else if (receipt && strcmp(argv[i], "--no-skew") == 0) {
            a->vo.no_skew = true;
            continue;
        } else if (cli_compress_option(argc, argv, &i, &a->cz, &crc)) {
            if (crc != EXIT_OK) return crc;
            continue;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        } else {
            if (!receipt || have_file) return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[i]);
            a->file = argv[i];
            have_file = true;
            continue;
        }
        if (!v) return cli_fail(EXIT_USAGE, "%s needs a value", argv[i]);
    }
    if (!a->key || !a->chain) return cli_fail(EXIT_USAGE, "--key GWKEY and --chain CHAIN.jsonl are required");
    if (receipt && !a->file) return cli_fail(EXIT_USAGE, "give the envelope file (or - for stdin)");
    if (!receipt && !a->trace_id) return cli_fail(EXIT_USAGE, "--trace-id is required");
    return cli_compress_check(&a->cz);
}

/* Appends one line to the chain file and syncs it: an acknowledged receipt is on disk. */
static int append_line(const char *path, const uint8_t *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return cli_fail(EXIT_INTERNAL, "%s: %s", path, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            close(fd);
            return cli_fail(EXIT_INTERNAL, "%s: %s", path, strerror(errno));
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) return cli_fail(EXIT_INTERNAL, "%s: %s", path, strerror(errno));
    return EXIT_OK;
}

int cmd_receipt(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "append") != 0)
        return cli_fail(EXIT_USAGE, "usage: prova receipt append --key GWKEY --chain CHAIN.jsonl ... ENVELOPE");
    gw_args a = {0};
    int rc = parse_gw(argc - 1, argv + 1, &a, true);
    prova_key *gw = NULL;
    cli_input in = {0};
    prova_doc *env = NULL, *prev = NULL, *policy = NULL;
    prova_report *rep = NULL;
    prova_buf arr = PROVA_BUF_INIT, last = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) rc = cli_load_private_key(a.key, &gw);
    if (rc == EXIT_OK) rc = cli_input_open(a.file, PROVA_DEFAULT_MAX_SIZE, &in);
    if (rc == EXIT_OK) {
        /* The gateway accepts only an envelope that verifies with the trusted sender keys. */
        prova_error err;
        int r = prova_ope_verify(in.data, in.len, &a.vo, &rep, &err);
        if (r == PROVA_ENOMEM || !rep) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        } else if (strcmp(prova_report_kind(rep), "ope_envelope") != 0) {
            rc = cli_fail(EXIT_USAGE, "%s: not an OPE envelope", a.file);
        } else if (!prova_report_valid(rep)) {
            const prova_check *f = prova_report_first_failure(rep);
            rc = cli_fail(EXIT_INVALID, "%s: the envelope does not verify: %s (%s)", a.file, f ? f->message : "?",
                          f ? f->code : "?");
        } else if (prova_json_parse(in.data, in.len, NULL, &env, &err) < 0) {
            cli_report(a.file, &err);
            rc = EXIT_USAGE;
        }
    }
    const prova_json *e = prova_doc_root(env);
    const char *trace = rc == EXIT_OK ? prova_json_str(prova_json_get(e, "trace_id")) : NULL;
    chain_form form = {0, false};
    if (rc == EXIT_OK) rc = read_chain(a.chain, trace, &arr, &last, &form);
    /* A compressed chain grows by one frame (zstd) or member (gzip) per receipt, in its own format; --compress
     * chooses the format of a new chain and must agree with an existing one (docs/compression.md). */
    int cformat = form.compression;
    if (rc == EXIT_OK && a.cz.given) {
        if (form.nonempty && a.cz.format != form.compression)
            rc = cli_fail(EXIT_USAGE, "%s is %s; --compress %s would mix formats in one chain", a.chain,
                          form.compression ? prova_compression_name((prova_compression)form.compression)
                                           : "not compressed",
                          prova_compression_name((prova_compression)a.cz.format));
        cformat = a.cz.format;
    }
    if (rc == EXIT_OK && last.len) {
        prova_error err;
        if (prova_json_parse(last.data, last.len, NULL, &prev, &err) < 0) {
            cli_report(a.chain, &err);
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_OK && a.policy) {
        prova_error err;
        if (prova_json_parse(a.policy, strlen(a.policy), NULL, &policy, &err) < 0) {
            cli_report("--policy", &err);
            rc = EXIT_USAGE;
        }
    }
    char ts[40];
    if (rc == EXIT_OK && !a.ts) {
        if (!prova_time_format(a.vo.now_us, ts)) rc = cli_fail(EXIT_INTERNAL, "the clock is out of range");
        a.ts = ts;
    }
    if (rc == EXIT_OK) {
        /* request_cid / normalized_cid: the starter gateway recomputes the payload CID with ensure_ascii=True
         * (odin.md §1.1), i.e. the ophamin string rules; identity transform, so normalized = request. */
        char cid[80];
        uint8_t dg[PROVA_HASH_MAX_BYTES];
        prova_error err;
        if (prova_canon_hash(prova_json_get(e, "payload"), PROVA_PROFILE_OPHAMIN, PROVA_HASH_SHA256, dg, &err) < 0) {
            rc = cli_fail(EXIT_USAGE, "%s: %s (%s)", a.file, err.message, err.reason);
        } else {
            memcpy(cid, "sha256:", 7);
            prova_hex_encode(dg, PROVA_SHA256_BYTES, cid + 7, 65);
            prova_ope_receipt_params p = {
                .trace_id = trace, .ts = a.ts, .request_cid = cid, .policy = prova_doc_root(policy)};
            int r = prova_ope_receipt_build(gw, prova_doc_root(prev), &p, &out, &err);
            if (r < 0)
                rc = cli_fail(r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s (%s)", err.message, err.reason);
        }
    }
    if (rc == EXIT_OK && prova_buf_append(&out, "\n", 1) < 0) rc = cli_fail(EXIT_INTERNAL, "out of memory");
    if (rc == EXIT_OK && cformat) {
        prova_buf z = PROVA_BUF_INIT;
        rc = cli_compress_bytes(cformat, a.cz.level, out.data, out.len, &z);
        if (rc == EXIT_OK) rc = append_line(a.chain, z.data, z.len);
        prova_buf_free(&z);
    } else if (rc == EXIT_OK) {
        rc = append_line(a.chain, out.data, out.len);
    }
    if (rc == EXIT_OK) rc = cli_write_stdout(out.data, out.len);
    prova_buf_free(&arr);
    prova_buf_free(&last);
    prova_buf_free(&out);
    prova_doc_free(env);
    prova_doc_free(prev);
    prova_doc_free(policy);
    prova_report_free(rep);
    cli_input_close(&in);
    prova_key_free(gw);
    prova_keyset_free(a.senders);
    return rc;
}

int cmd_bundle(int argc, char **argv) {
    gw_args a = {0};
    int rc = parse_gw(argc, argv, &a, false);
    prova_ope_bundle_form form = PROVA_OPE_BUNDLE_STARTER;
    if (rc == EXIT_OK && a.form) {
        if (strcmp(a.form, "ope-lib") == 0)
            form = PROVA_OPE_BUNDLE_OPE_LIB;
        else if (strcmp(a.form, "flat") == 0)
            form = PROVA_OPE_BUNDLE_FLAT;
        else if (strcmp(a.form, "starter") != 0)
            rc = cli_fail(EXIT_USAGE, "unknown form '%s' (starter, ope-lib, flat)", a.form);
    }
    prova_key *gw = NULL;
    prova_buf arr = PROVA_BUF_INIT, last = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    prova_doc *doc = NULL;
    if (rc == EXIT_OK) rc = cli_load_private_key(a.key, &gw);
    if (rc == EXIT_OK) rc = read_chain(a.chain, a.trace_id, &arr, &last, NULL);
    if (rc == EXIT_OK) cli_output_compress(a.cz.format, a.cz.level); /* --compress: the bundle on stdout */
    if (rc == EXIT_OK && last.len == 0) rc = cli_fail(EXIT_USAGE, "%s: no receipts for trace %s", a.chain, a.trace_id);
    char ts[40];
    if (rc == EXIT_OK && !a.ts) {
        if (!prova_time_format(a.vo.now_us, ts)) rc = cli_fail(EXIT_INTERNAL, "the clock is out of range");
        a.ts = ts;
    }
    if (rc == EXIT_OK) {
        prova_error err;
        if (prova_json_parse(arr.data, arr.len, NULL, &doc, &err) < 0) {
            cli_report(a.chain, &err);
            rc = EXIT_USAGE;
        } else {
            int r = prova_ope_bundle_build(gw, a.trace_id, a.ts, prova_doc_root(doc), form, &out, &err);
            if (r < 0)
                rc = cli_fail(r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s (%s)", err.message, err.reason);
            else if (prova_buf_append(&out, "\n", 1) < 0)
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
            else
                rc = cli_write_stdout(out.data, out.len);
        }
    }
    prova_buf_free(&arr);
    prova_buf_free(&last);
    prova_buf_free(&out);
    prova_doc_free(doc);
    prova_key_free(gw);
    prova_keyset_free(a.senders);
    return rc;
}
