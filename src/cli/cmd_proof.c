/* prova proof sign | id: Ophamin proof records (docs/proof.md); and the HMAC key options that `prova verify` shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/proof.h"

/* The key options: --hmac-key FILE (the file's bytes; one trailing newline is dropped), --hmac-key-b64 S (standard
 * base64, as the reference's sign_key_b64), the environment's PROVA_HMAC_KEY_B64, --default-key (the public
 * "ophamin-scenario-proof-key": integrity against accidents only). One of them at most. */
bool cli_hmac_option(int argc, char **argv, int *i, cli_hmac *h) {
    const char *v;
    if (cli_opt_value(argc, argv, i, "--hmac-key", &v)) {
        h->file = v;
        h->count++;
    } else if (cli_opt_value(argc, argv, i, "--hmac-key-b64", &v)) {
        h->b64 = v;
        h->count++;
    } else if (strcmp(argv[*i], "--default-key") == 0) {
        h->use_default = true;
        h->count++;
    } else {
        return false;
    }
    return true;
}

/* Resolves the options to a standard-base64 key in h->resolved (NULL: none given). EXIT_OK or EXIT_USAGE. */
int cli_hmac_resolve(cli_hmac *h) {
    if (h->count > 1) return cli_fail(EXIT_USAGE, "give one of --hmac-key, --hmac-key-b64, --default-key");
    if (!h->count) {
        const char *env = getenv("PROVA_HMAC_KEY_B64");
        if (env && *env) h->b64 = env;
    }
    if (h->use_default) {
        h->resolved = strdup("b3BoYW1pbi1zY2VuYXJpby1wcm9vZi1rZXk="); /* base64 of PROVA_PROOF_DEFAULT_KEY */
        return h->resolved ? EXIT_OK : cli_fail(EXIT_INTERNAL, "out of memory");
    }
    if (h->b64) {
        uint8_t *k = NULL;
        size_t kl = 0;
        prova_error e;
        int r = prova_proof_key_decode(h->b64, &k, &kl, &e);
        prova_proof_key_free(k, kl);
        if (r < 0) return cli_fail(EXIT_USAGE, "the HMAC key is not standard base64: %s", e.message);
        if (r == PROVA_PROOF_KEY_IS_DEFAULT)
            return cli_fail(EXIT_USAGE, "the HMAC key is empty (use --default-key for the public default key)");
        h->resolved = strdup(h->b64);
        return h->resolved ? EXIT_OK : cli_fail(EXIT_INTERNAL, "out of memory");
    }
    if (h->file) {
        prova_buf b = PROVA_BUF_INIT;
        int rc = cli_read_file(h->file, 1 << 16, &b);
        if (rc) return rc;
        size_t n = b.len;
        if (n && b.data[n - 1] == '\n') n--;
        if (n && b.data[n - 1] == '\r') n--;
        if (!n) {
            prova_buf_free(&b);
            return cli_fail(EXIT_USAGE, "%s: the HMAC key file is empty", h->file);
        }
        size_t cap = 4 * ((n + 2) / 3) + 1;
        h->resolved = malloc(cap);
        if (h->resolved) prova_base64_encode(b.data, n, h->resolved, cap);
        prova_mem_wipe(b.data, b.cap);
        prova_buf_free(&b);
        return h->resolved ? EXIT_OK : cli_fail(EXIT_INTERNAL, "out of memory");
    }
    return EXIT_OK;
}

void cli_hmac_free(cli_hmac *h) {
    if (h->resolved) {
        prova_mem_wipe(h->resolved, strlen(h->resolved));
        free(h->resolved);
    }
    h->resolved = NULL;
}

/* A proof record: Python values, so NaN/Infinity and lone surrogates are accepted. */
static int load_record(const char *file, prova_doc **ret) {
    cli_input in;
    int rc = cli_input_open(file, PROVA_DEFAULT_MAX_SIZE, &in);
    if (rc) return rc;
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    prova_error e;
    if (prova_json_parse(in.data, in.len, &po, ret, &e) < 0) {
        cli_report(file, &e);
        rc = e.status == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    } else if (!prova_json_is_object(prova_doc_root(*ret))) {
        *ret = prova_doc_free(*ret);
        rc = cli_fail(EXIT_USAGE, "%s: a proof record is a JSON object", file);
    }
    cli_input_close(&in);
    return rc;
}

static int proof_sign(int argc, char **argv) {
    cli_hmac h = {0};
    const char *file = "-", *attest = NULL, *author = NULL;
    bool have_file = false;
    int rc = EXIT_OK;
    for (int i = 2; i < argc && rc == EXIT_OK; i++) {
        const char *v;
        if (cli_hmac_option(argc, argv, &i, &h)) continue;
        if (cli_opt_value(argc, argv, &i, "--attest-key", &v))
            attest = v;
        else if (cli_opt_value(argc, argv, &i, "--author", &v))
            author = v;
        else if (argv[i][0] == '-' && argv[i][1])
            rc = cli_fail(EXIT_USAGE, "proof sign: unknown option '%s'", argv[i]);
        else if (have_file)
            rc = cli_fail(EXIT_USAGE, "proof sign: only one record is accepted");
        else
            file = argv[i], have_file = true;
    }
    if (rc == EXIT_OK) rc = cli_hmac_resolve(&h);
    if (rc == EXIT_OK && !h.resolved)
        rc = cli_fail(EXIT_USAGE, "proof sign needs a key: --hmac-key FILE, --hmac-key-b64 S, PROVA_HMAC_KEY_B64 or "
                                  "--default-key");
    if (rc == EXIT_OK && (!attest != !author)) rc = cli_fail(EXIT_USAGE, "--attest-key and --author go together");
    prova_key *ak = NULL;
    prova_doc *doc = NULL;
    uint8_t *key = NULL;
    size_t kl = 0;
    if (rc == EXIT_OK && attest) rc = cli_load_private_key(attest, &ak);
    if (rc == EXIT_OK) rc = load_record(file, &doc);
    if (rc == EXIT_OK) {
        prova_error e;
        prova_buf out = PROVA_BUF_INIT;
        int r = prova_proof_key_decode(h.resolved, &key, &kl, &e);
        if (r >= 0) r = prova_proof_sign(prova_doc_root(doc), key, kl, ak, author, &out, &e);
        if (r < 0) {
            cli_report(file, &e);
            rc = r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
        } else if (prova_buf_append(&out, "\n", 1) < 0) {
            rc = cli_fail(EXIT_INTERNAL, "out of memory");
        } else {
            rc = cli_write_stdout(out.data, out.len);
        }
        prova_buf_free(&out);
    }
    prova_proof_key_free(key, kl);
    prova_doc_free(doc);
    prova_key_free(ak);
    cli_hmac_free(&h);
    return rc;
}

static int proof_id(int argc, char **argv) {
    if (argc > 3) return cli_fail(EXIT_USAGE, "proof id takes one record (FILE or -)");
    const char *file = argc == 3 ? argv[2] : "-";
    if (file[0] == '-' && file[1]) return cli_fail(EXIT_USAGE, "proof id: unknown option '%s'", file);
    prova_doc *doc = NULL;
    int rc = load_record(file, &doc);
    if (rc) return rc;
    char id[PROVA_PROOF_HEX_LEN + 1];
    prova_error e;
    if (prova_proof_id(prova_doc_root(doc), id, &e) < 0) {
        cli_report(file, &e);
        rc = EXIT_USAGE;
    } else {
        printf("%s\n", id);
        rc = cli_write_stdout(NULL, 0);
    }
    prova_doc_free(doc);
    return rc;
}

int cmd_proof(int argc, char **argv) {
    if (argc < 2 || cli_is_help(argv[1])) {
        cli_print_help(cli_find("proof"), argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "sign") == 0) return proof_sign(argc, argv);
    if (strcmp(argv[1], "id") == 0) return proof_id(argc, argv);
    return cli_fail(EXIT_USAGE, "proof: unknown subcommand '%s' (sign or id)", argv[1]);
}
