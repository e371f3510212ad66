/* prova oe: OpenExecution chains (new, append, resolve), certificates (certify, revoke, supersede), event hashes.
 * A chain is one JSON file, rewritten atomically (temporary file, fsync, rename) at every step. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "prova/oe.h"
#include "prova/ope.h"

typedef struct oe_args {
    const char *chain, *key, *file;
    const char *chain_type, *origin_type, *origin_id, *id, *created_at, *hash_alg, *sig_alg;
    const char *type, *actor, *actor_type, *sentiment;
    const char *at, *artifact_type, *artifact_ref, *artifact_title, *certificate_id, *out;
    const char *reason, *by;
    const char *tx_hash, *network, *block, *leaves;
    bool in_place, input, force;
    cli_compress cz; /* --compress, --compress-level */
} oe_args;

/* Every option of every subcommand; each subcommand checks what it needs. */
static int parse(int argc, char **argv, oe_args *a) {
    static const struct {
        const char *name;
        size_t off;
    } opts[] = {
#define OPT(n, f) {n, offsetof(oe_args, f)}
        OPT("--chain", chain),
        OPT("--key", key),
        OPT("--chain-type", chain_type),
        OPT("--origin-type", origin_type),
        OPT("--origin-id", origin_id),
        OPT("--id", id),
        OPT("--created-at", created_at),
        OPT("--hash-alg", hash_alg),
        OPT("--sig-alg", sig_alg),
        OPT("--type", type),
        OPT("--actor", actor),
        OPT("--actor-type", actor_type),
        OPT("--sentiment", sentiment),
        OPT("--at", at),
        OPT("--issued-at", at),
        OPT("--artifact-type", artifact_type),
        OPT("--artifact-ref", artifact_ref),
        OPT("--artifact-title", artifact_title),
        OPT("--certificate-id", certificate_id),
        OPT("--out", out),
        OPT("--reason", reason),
        OPT("--by", by),
        OPT("--tx-hash", tx_hash),
        OPT("--network", network),
        OPT("--block", block),
        OPT("--leaves", leaves),
#undef OPT
    };
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        bool matched = false;
        for (size_t k = 0; !matched && k < sizeof opts / sizeof opts[0]; k++) {
            if (cli_opt_value(argc, argv, &i, opts[k].name, &v)) {
                if (!v) return cli_fail(EXIT_USAGE, "%s needs a value", opts[k].name);
                *(const char **)((char *)a + opts[k].off) = v;
                matched = true;
            }
        }
        if (matched) continue;
        int crc;
        if (cli_compress_option(argc, argv, &i, &a->cz, &crc)) {
            if (crc != EXIT_OK) return crc;
            continue;
        }
        if (strcmp(argv[i], "--in-place") == 0)
            a->in_place = true;
        else if (strcmp(argv[i], "--input") == 0)
            a->input = true;
        else if (strcmp(argv[i], "--force") == 0)
            a->force = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        else if (a->file)
            return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[i]);
        else
            a->file = argv[i];
    }
    return cli_compress_check(&a->cz);
}

/* Maps a library failure to an exit code, printing it. */
static int lib_fail(const char *what, int r, const prova_error *err) {
    int code = r == PROVA_ENOMEM ? EXIT_INTERNAL : r == PROVA_EVERIFY ? EXIT_INVALID : EXIT_USAGE;
    if (err->line)
        cli_report(what, err);
    else
        cli_fail(code, "%s: %s (%s)", what, err->message ? err->message : prova_status_message(r),
                 err->reason ? err->reason : prova_status_name(r));
    return code;
}

/* The compression of the files read (a chain or bundle rewritten keeps its own): a few paths at most. */
static struct {
    const char *path;
    int format;
} read_forms[4];

/* What a file written to path is compressed with: --compress, else the format path was read in, else none. */
static int out_format(const oe_args *a, const char *path) {
    if (a->cz.given) return a->cz.format;
    for (size_t k = 0; path && k < sizeof read_forms / sizeof *read_forms; k++)
        if (read_forms[k].path && strcmp(read_forms[k].path, path) == 0) return read_forms[k].format;
    return 0;
}

/* Reads and parses a JSON file ("-" = stdin); a zstd or gzip file is read decompressed. */
static int read_doc(const char *path, prova_doc **ret) {
    cli_input in;
    int rc = cli_input_open(path, PROVA_DEFAULT_MAX_SIZE, &in);
    if (rc != EXIT_OK) return rc;
    for (size_t k = 0; k < sizeof read_forms / sizeof *read_forms; k++)
        if (!read_forms[k].path || strcmp(read_forms[k].path, path) == 0) {
            read_forms[k].path = path;
            read_forms[k].format = in.compression;
            break;
        }
    prova_error err;
    if (prova_json_parse(in.data, in.len, NULL, ret, &err) < 0) {
        cli_report(path, &err);
        rc = EXIT_USAGE;
    }
    cli_input_close(&in);
    return rc;
}

static int now_text(char out[40]) {
    return prova_time_format(cli_now_us(), out) ? EXIT_OK : cli_fail(EXIT_INTERNAL, "the system clock is out of range");
}

/* Writes out + "\n" to stdout or, with path, atomically to that file; compressed as out_format says (stdout: as
 * --compress says, cmd_oe). */
static int emit(const oe_args *a, const char *path, prova_buf *out) {
    if (prova_buf_append(out, "\n", 1) < 0) return cli_fail(EXIT_INTERNAL, "out of memory");
    return path ? cli_write_output_file(path, out->data, out->len, out_format(a, path), a->cz.level)
                : cli_write_stdout(out->data, out->len);
}

/* ---- chains ------------------------------------------------------------------------------------------------ */

static int new_chain(const oe_args *a, const char *created, prova_buf *out) {
    prova_oe_chain_params p = {.id = a->id,
                               .chain_type = a->chain_type,
                               .origin_type = a->origin_type,
                               .origin_id = a->origin_id,
                               .created_at = a->created_at ? a->created_at : created};
    if (a->hash_alg && prova_oe_hash_lookup(a->hash_alg, &p.hash_alg) < 0)
        return cli_fail(EXIT_USAGE, "--hash-alg: '%s' is not sha256, sha384, sha512, sha3-256, sha3-384 or sha3-512",
                        a->hash_alg);
    if (a->sig_alg && prova_sig_lookup(a->sig_alg, &p.sig_alg) < 0)
        return cli_fail(EXIT_USAGE, "--sig-alg: '%s' is not ed25519, ed448, ecdsa-p256, ecdsa-p384 or ecdsa-p521",
                        a->sig_alg);
    if (!a->hash_alg) p.hash_alg = PROVA_HASH_SHA256;
    if (!a->sig_alg) p.sig_alg = PROVA_SIG_ED25519;
    prova_error err;
    int r = prova_oe_chain_new(&p, out, &err);
    return r < 0 ? lib_fail("oe new", r, &err) : EXIT_OK;
}

static int cmd_new(const oe_args *a) {
    if (!a->chain) return cli_fail(EXIT_USAGE, "--chain FILE is required");
    if (!a->force && access(a->chain, F_OK) == 0)
        return cli_fail(EXIT_USAGE, "%s exists (use --force to replace it)", a->chain);
    char now[40];
    int rc = now_text(now);
    prova_buf out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) rc = new_chain(a, now, &out);
    if (rc == EXIT_OK) rc = emit(a, a->chain, &out);
    prova_buf_free(&out);
    return rc;
}

static int cmd_append(const oe_args *a) {
    if (!a->chain || !a->type) return cli_fail(EXIT_USAGE, "--chain FILE and --type TYPE are required");
    char now[40];
    int rc = now_text(now);
    prova_buf created = PROVA_BUF_INIT, out = PROVA_BUF_INIT, ev = PROVA_BUF_INIT;
    prova_doc *chain = NULL, *payload = NULL;
    /* The first append creates the chain, with the creation options. */
    if (rc == EXIT_OK && access(a->chain, F_OK) != 0) {
        if (errno != ENOENT)
            rc = cli_fail(EXIT_USAGE, "%s: %s", a->chain, strerror(errno));
        else
            rc = new_chain(a, a->created_at ? a->created_at : now, &created);
        prova_error err;
        if (rc == EXIT_OK && prova_json_parse(created.data, created.len, NULL, &chain, &err) < 0)
            rc = lib_fail("oe append", PROVA_ESYNTAX, &err);
    } else if (rc == EXIT_OK) {
        if (a->hash_alg || a->sig_alg || a->chain_type || a->origin_type || a->origin_id || a->id)
            rc = cli_fail(EXIT_USAGE,
                          "%s exists: --hash-alg, --sig-alg, --chain-type, --origin-*, --id only apply when "
                          "the chain is created",
                          a->chain);
        if (rc == EXIT_OK) rc = read_doc(a->chain, &chain);
    }
    if (rc == EXIT_OK && a->file) rc = read_doc(a->file, &payload);
    if (rc == EXIT_OK) {
        prova_oe_event_params p = {.event_type = a->type,
                                   .actor_id = a->actor,
                                   .actor_type = a->actor_type,
                                   .sentiment = a->sentiment,
                                   .created_at = a->created_at ? a->created_at : now,
                                   .payload = payload ? prova_doc_root(payload) : NULL};
        prova_error err;
        int r = prova_oe_chain_append(prova_doc_root(chain), &p, p.created_at, &out, &err);
        if (r < 0) rc = lib_fail(a->chain, r, &err);
    }
    if (rc == EXIT_OK) {
        /* Print the event just added: the last element of the new chain's events. */
        prova_doc *nd = NULL;
        prova_error err;
        if (prova_json_parse(out.data, out.len, NULL, &nd, &err) < 0) {
            rc = lib_fail("oe append", PROVA_ESYNTAX, &err);
        } else {
            const prova_json *events = prova_json_get(prova_doc_root(nd), "events");
            if (prova_canon_write(prova_json_at(events, prova_json_len(events) - 1), PROVA_PROFILE_JCS, &ev, NULL) < 0)
                rc = cli_fail(EXIT_INTERNAL, "out of memory");
            prova_doc_free(nd);
        }
    }
    if (rc == EXIT_OK) rc = emit(a, a->chain, &out);
    if (rc == EXIT_OK) rc = emit(a, NULL, &ev);
    prova_doc_free(chain);
    prova_doc_free(payload);
    prova_buf_free(&created);
    prova_buf_free(&out);
    prova_buf_free(&ev);
    return rc;
}

static int cmd_resolve(const oe_args *a) {
    if (!a->chain) return cli_fail(EXIT_USAGE, "--chain FILE is required");
    char now[40];
    int rc = now_text(now);
    prova_doc *chain = NULL, *nd = NULL;
    prova_buf out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) rc = read_doc(a->chain, &chain);
    if (rc == EXIT_OK) {
        prova_error err;
        int r = prova_oe_chain_resolve(prova_doc_root(chain), a->at ? a->at : now, &out, &err);
        if (r < 0) rc = lib_fail(a->chain, r, &err);
    }
    if (rc == EXIT_OK && prova_json_parse(out.data, out.len, NULL, &nd, NULL) < 0)
        rc = cli_fail(EXIT_INTERNAL, "internal error");
    const prova_json *h = nd ? prova_json_get(prova_doc_root(nd), "chain_hash") : NULL;
    if (rc == EXIT_OK) rc = emit(a, a->chain, &out);
    if (rc == EXIT_OK && prova_json_is_string(h)) {
        printf("%s\n", h->u.str);
        rc = cli_write_stdout("", 0);
    }
    prova_doc_free(nd);
    prova_doc_free(chain);
    prova_buf_free(&out);
    return rc;
}

/* ---- certificates --------------------------------------------------------------------------------------------- */

static int cmd_certify(const oe_args *a) {
    if (!a->key || !a->chain || !a->artifact_type || !a->artifact_ref)
        return cli_fail(EXIT_USAGE, "--key, --chain, --artifact-type and --artifact-ref are required");
    char now[40];
    int rc = now_text(now);
    prova_key *key = NULL;
    prova_doc *chain = NULL;
    prova_buf bundle = PROVA_BUF_INIT, certified = PROVA_BUF_INIT;
    if (rc == EXIT_OK) rc = cli_load_private_key(a->key, &key);
    if (rc == EXIT_OK) rc = read_doc(a->chain, &chain);
    if (rc == EXIT_OK) {
        prova_oe_cert_params p = {.artifact_type = a->artifact_type,
                                  .artifact_ref = a->artifact_ref,
                                  .artifact_title = a->artifact_title,
                                  .origin_type = a->origin_type,
                                  .origin_id = a->origin_id,
                                  .issued_at = a->at ? a->at : now,
                                  .certificate_id = a->certificate_id};
        prova_error err;
        int r = prova_oe_certify(key, prova_doc_root(chain), &p, &bundle, &certified, &err);
        if (r < 0) rc = lib_fail(a->chain, r, &err);
    }
    /* The bundle first: if writing it fails, the chain stays resolved and certify can be run again. */
    if (rc == EXIT_OK) rc = emit(a, a->out, &bundle);
    if (rc == EXIT_OK) rc = emit(a, a->chain, &certified);
    prova_key_free(key);
    prova_doc_free(chain);
    prova_buf_free(&bundle);
    prova_buf_free(&certified);
    return rc;
}

static int cmd_status(const oe_args *a, prova_oe_cert_status status) {
    if (!a->key || !a->file) return cli_fail(EXIT_USAGE, "--key KEY and a BUNDLE file are required");
    if (status == PROVA_OE_SUPERSEDED && !a->by) return cli_fail(EXIT_USAGE, "--by CERTIFICATE_ID is required");
    if (a->in_place && strcmp(a->file, "-") == 0) return cli_fail(EXIT_USAGE, "--in-place needs a file, not stdin");
    char now[40];
    int rc = now_text(now);
    prova_key *key = NULL;
    prova_doc *bundle = NULL;
    prova_buf out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) rc = cli_load_private_key(a->key, &key);
    if (rc == EXIT_OK) rc = read_doc(a->file, &bundle);
    if (rc == EXIT_OK) {
        prova_oe_status_params p = {
            .status = status, .reason = a->reason, .superseded_by = a->by, .at = a->at ? a->at : now};
        prova_error err;
        int r = prova_oe_set_status(key, prova_doc_root(bundle), &p, &out, &err);
        if (r < 0) rc = lib_fail(a->file, r, &err);
    }
    if (rc == EXIT_OK) rc = emit(a, a->in_place ? a->file : a->out, &out);
    prova_key_free(key);
    prova_doc_free(bundle);
    prova_buf_free(&out);
    return rc;
}

/* ---- attestations ------------------------------------------------------------------------------------------- */

/* --leaves FILE: one hex leaf a line (blank lines skipped, trailing whitespace cut). *ret_text owns the strings. */
static int read_leaves(const char *path, char **ret_text, char ***ret, size_t *ret_n) {
    cli_input in;
    int rc = cli_input_open(path, PROVA_DEFAULT_MAX_SIZE, &in);
    if (rc != EXIT_OK) return rc;
    char *text = malloc(in.len + 1);
    size_t cap = 16, n = 0;
    char **v = malloc(cap * sizeof *v);
    if (text) {
        memcpy(text, in.data, in.len);
        text[in.len] = '\0';
    }
    cli_input_close(&in);
    for (char *line = text; v && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t')) line[--len] = '\0';
        if (len && n == cap) {
            char **nv = realloc(v, 2 * cap * sizeof *v);
            if (!nv) free(v);
            v = nv;
            cap *= 2;
        }
        if (len && v) v[n++] = line;
        line = nl ? nl + 1 : NULL;
    }
    if (!text || !v) {
        free(text);
        free(v);
        return cli_fail(EXIT_INTERNAL, "out of memory");
    }
    *ret_text = text;
    *ret = v;
    *ret_n = n;
    return EXIT_OK;
}

static int cmd_attest(const oe_args *a) {
    if (!a->type || !a->file)
        return cli_fail(EXIT_USAGE, "--type content-integrity|timestamp|blockchain and a BUNDLE file are required");
    if (a->in_place && strcmp(a->file, "-") == 0) return cli_fail(EXIT_USAGE, "--in-place needs a file, not stdin");
    prova_oe_attest_params p = {.block_number = -1};
    if (strcmp(a->type, "content-integrity") == 0 || strcmp(a->type, "ContentIntegrity") == 0)
        p.type = PROVA_OE_ATTEST_CONTENT_INTEGRITY;
    else if (strcmp(a->type, "timestamp") == 0 || strcmp(a->type, "Timestamp") == 0)
        p.type = PROVA_OE_ATTEST_TIMESTAMP;
    else if (strcmp(a->type, "blockchain") == 0 || strcmp(a->type, "Blockchain") == 0)
        p.type = PROVA_OE_ATTEST_BLOCKCHAIN;
    else
        return cli_fail(EXIT_USAGE, "--type: '%s' is not content-integrity, timestamp or blockchain", a->type);
    if (p.type == PROVA_OE_ATTEST_TIMESTAMP && !a->key) return cli_fail(EXIT_USAGE, "--type timestamp needs --key");
    if (p.type == PROVA_OE_ATTEST_BLOCKCHAIN && !a->tx_hash)
        return cli_fail(EXIT_USAGE,
                        "--type blockchain needs --tx-hash (prova records an anchor, it does not make one)");
    if (p.type != PROVA_OE_ATTEST_TIMESTAMP && (a->key || a->at))
        return cli_fail(EXIT_USAGE, "--key and --at only apply to --type timestamp");
    if (p.type != PROVA_OE_ATTEST_BLOCKCHAIN && (a->tx_hash || a->network || a->block))
        return cli_fail(EXIT_USAGE, "--tx-hash, --network and --block only apply to --type blockchain");
    if (p.type != PROVA_OE_ATTEST_CONTENT_INTEGRITY && a->leaves)
        return cli_fail(EXIT_USAGE, "--leaves only applies to --type content-integrity");
    if (a->leaves && strcmp(a->leaves, "-") == 0 && strcmp(a->file, "-") == 0)
        return cli_fail(EXIT_USAGE, "--leaves and the bundle cannot both be stdin");
    if (a->block) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(a->block, &end, 10);
        if (errno || !end || *end || end == a->block || v < 0 || a->block[0] == '+' || a->block[0] == '-')
            return cli_fail(EXIT_USAGE, "--block: '%s' is not a block number (a non-negative integer)", a->block);
        p.block_number = v;
    }
    p.tx_hash = a->tx_hash;
    p.network = a->network;
    char now[40];
    int rc = now_text(now);
    p.at = a->at ? a->at : now;
    prova_key *key = NULL;
    prova_doc *bundle = NULL;
    prova_buf out = PROVA_BUF_INIT;
    char *leaves_text = NULL;
    char **leaves = NULL;
    size_t nleaves = 0;
    if (rc == EXIT_OK && a->key) rc = cli_load_private_key(a->key, &key);
    if (rc == EXIT_OK && a->leaves) {
        rc = read_leaves(a->leaves, &leaves_text, &leaves, &nleaves);
        p.leaves = (const char *const *)leaves;
        p.nleaves = nleaves;
    }
    if (rc == EXIT_OK) rc = read_doc(a->file, &bundle);
    if (rc == EXIT_OK) {
        p.key = key;
        prova_error err;
        int r = prova_oe_attest_bundle(prova_doc_root(bundle), &p, &out, &err);
        if (r < 0) rc = lib_fail(a->file, r, &err);
    }
    if (rc == EXIT_OK) rc = emit(a, a->in_place ? a->file : a->out, &out);
    free(leaves);
    free(leaves_text);
    prova_key_free(key);
    prova_doc_free(bundle);
    prova_buf_free(&out);
    return rc;
}

static int cmd_hash_event(const oe_args *a) {
    prova_hash_alg alg = PROVA_HASH_SHA256;
    if (a->hash_alg && prova_oe_hash_lookup(a->hash_alg, &alg) < 0)
        return cli_fail(EXIT_USAGE, "--hash-alg: '%s' is not a supported hash algorithm", a->hash_alg);
    prova_doc *ev = NULL;
    int rc = read_doc(a->file ? a->file : "-", &ev);
    prova_buf out = PROVA_BUF_INIT;
    if (rc == EXIT_OK) {
        prova_error err;
        int r;
        if (a->input) {
            r = prova_oe_event_input(prova_doc_root(ev), &out, &err);
        } else {
            char hex[PROVA_OE_HEX_MAX + 1];
            r = prova_oe_event_hash(prova_doc_root(ev), alg, hex, &err);
            if (r == 0) r = prova_buf_append(&out, hex, strlen(hex));
        }
        if (r < 0) rc = lib_fail(a->file ? a->file : "<stdin>", r, &err);
    }
    if (rc == EXIT_OK) rc = emit(a, NULL, &out);
    prova_doc_free(ev);
    prova_buf_free(&out);
    return rc;
}

int cmd_oe(int argc, char **argv) {
    if (argc < 2)
        return cli_fail(EXIT_USAGE,
                        "oe needs a subcommand: new, append, resolve, certify, revoke, supersede, attest, hash-event");
    oe_args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc != EXIT_OK) return rc;
    cli_output_compress(a.cz.format, a.cz.level); /* what is printed; files: out_format */
    const char *sub = argv[1];
    if (strcmp(sub, "new") == 0) return cmd_new(&a);
    if (strcmp(sub, "append") == 0) return cmd_append(&a);
    if (strcmp(sub, "resolve") == 0) return cmd_resolve(&a);
    if (strcmp(sub, "certify") == 0) return cmd_certify(&a);
    if (strcmp(sub, "revoke") == 0) return cmd_status(&a, PROVA_OE_REVOKED);
    if (strcmp(sub, "supersede") == 0) return cmd_status(&a, PROVA_OE_SUPERSEDED);
    if (strcmp(sub, "hash-event") == 0) return cmd_hash_event(&a);
    if (strcmp(sub, "attest") == 0) return cmd_attest(&a);
    return cli_fail(EXIT_USAGE,
                    "unknown oe subcommand '%s' (new, append, resolve, certify, revoke, supersede, attest, hash-event)",
                    sub);
}
