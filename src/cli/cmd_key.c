/* prova keygen / prova jwks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "prova/crypto.h"

int cmd_keygen(int argc, char **argv) {
    prova_sig_alg alg = PROVA_SIG_ED25519;
    const char *kid = NULL, *out = NULL;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_opt_value(argc, argv, &i, "--alg", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--alg needs a value");
            if (prova_sig_lookup(v, &alg) < 0)
                return cli_fail(EXIT_USAGE,
                                "unknown algorithm '%s' (ed25519, ed448, ecdsa-p256, ecdsa-p384, ecdsa-p521)", v);
        } else if (cli_opt_value(argc, argv, &i, "--kid", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--kid needs a value");
            kid = v;
        } else if (cli_opt_value(argc, argv, &i, "--out", &v)) {
            if (!v) return cli_fail(EXIT_USAGE, "--out needs a file name");
            out = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else {
            return cli_fail(EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[i]);
        }
    }
    if (!out) return cli_fail(EXIT_USAGE, "--out FILE is required (the private key is never written to stdout)");
    struct stat st;
    if (!force && stat(out, &st) == 0)
        return cli_fail(EXIT_USAGE, "%s: already exists (use --force to replace it)", out);

    prova_key *key = NULL;
    int r = prova_key_generate(alg, &key);
    if (r < 0) return cli_fail(EXIT_INTERNAL, "key generation failed: %s", prova_status_message(r));
    int rc = EXIT_OK;
    if (kid && prova_key_set_kid(key, kid) < 0) {
        rc = cli_fail(EXIT_USAGE, "invalid --kid '%s' (1-127 printable ASCII characters)", kid);
    } else if ((r = prova_key_save_file(key, out)) < 0) {
        rc = cli_fail(EXIT_INTERNAL, "%s: cannot write key: %s", out,
                      r == PROVA_EIO ? strerror(errno) : prova_status_message(r));
    } else {
        printf("%s\n", prova_key_kid(key));
        rc = cli_write_stdout(NULL, 0);
    }
    prova_key_free(key);
    return rc;
}

int cmd_jwks(int argc, char **argv) {
    if (argc < 2) return cli_fail(EXIT_USAGE, "give at least one key file (see --help)");
    prova_key **keys = calloc((size_t)argc, sizeof *keys);
    bool *legacy = calloc((size_t)argc, sizeof *legacy);
    if (!keys || !legacy) {
        free(keys);
        free(legacy);
        return cli_fail(EXIT_INTERNAL, "out of memory");
    }
    size_t n = 0;
    int rc = EXIT_OK;
    bool after_legacy = false;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        if (strcmp(argv[i], "--legacy") == 0) {
            after_legacy = true;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
            break;
        }
        rc = cli_load_key(argv[i], &keys[n]);
        if (rc != EXIT_OK) break;
        legacy[n++] = after_legacy;
    }
    if (rc == EXIT_OK && n == 0) rc = cli_fail(EXIT_USAGE, "give at least one key file (see --help)");
    if (rc == EXIT_OK) {
        /* {"keys":[...]}: the active keys first, then the legacy ones, each with its status (key rotation:
         * receipts signed with a legacy key still verify). */
        prova_buf out = PROVA_BUF_INIT;
        int r = prova_buf_append(&out, "{\"keys\":[", 9);
        size_t written = 0;
        for (int pass = 0; pass < 2 && r == 0; pass++)
            for (size_t i = 0; i < n && r == 0; i++) {
                if (legacy[i] != (pass == 1)) continue;
                if (written++) r = prova_buf_append(&out, ",", 1);
                if (r == 0) r = prova_key_to_jwk_status(keys[i], legacy[i] ? "legacy" : "active", &out);
            }
        if (r == 0) r = prova_buf_append(&out, "]}\n", 3);
        rc = r < 0 ? cli_fail(EXIT_INTERNAL, "cannot write the JWKS") : cli_write_stdout(out.data, out.len);
        prova_buf_free(&out);
    }
    for (size_t i = 0; i < n; i++) prova_key_free(keys[i]);
    free(keys);
    free(legacy);
    return rc;
}
