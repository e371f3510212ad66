/* `prova export --to intoto` (the in-toto Statement v1 of the record) and `--to dsse` (the Statement in a DSSE
 * envelope signed with every --sign-key and/or the HMAC key). docs/intoto.md. */
#include <stdio.h>

#include "export.h"
#include "prova/intoto.h"

/* The Statement of x->record into out, or an exit code after a message. */
static int statement(const cli_export *x, prova_buf *out) {
    prova_error e;
    int r = prova_intoto_statement(x->record, NULL, out, &e);
    if (r == 0) return EXIT_OK;
    cli_report(x->file, &e);
    return r == PROVA_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
}

static int finish(const cli_export *x, prova_buf *out) {
    int rc = prova_buf_append(out, "\n", 1) < 0 ? cli_fail(EXIT_INTERNAL, "out of memory")
                                                : cli_export_write(x, out->data, out->len);
    prova_buf_free(out);
    return rc;
}

int cli_export_intoto(const cli_export *x) {
    prova_buf out = PROVA_BUF_INIT;
    int rc = statement(x, &out);
    if (rc != EXIT_OK) {
        prova_buf_free(&out);
        return rc;
    }
    return finish(x, &out);
}

int cli_export_dsse(const cli_export *x) {
    if (x->nsign == 0 && !x->hmac_key)
        return cli_fail(EXIT_USAGE, "--to dsse needs a signing key: --sign-key K (Ed25519 or another private key) "
                                    "and/or an HMAC key (--hmac-key F, --hmac-key-b64 S, --default-key)");
    if (x->hmac_key && x->hmac_key_len == 0)
        return cli_fail(EXIT_USAGE, "the HMAC key for the DSSE signature is empty");
    prova_dsse_signer signers[CLI_EXPORT_MAX_KEYS + 1];
    size_t n = 0;
    for (size_t i = 0; i < x->nsign && i < CLI_EXPORT_MAX_KEYS; i++)
        signers[n++] = (prova_dsse_signer){.key = x->sign_keys[i]};
    if (x->hmac_key) {
        signers[n++] = (prova_dsse_signer){
            .hmac_key = x->hmac_key, .hmac_key_len = x->hmac_key_len, .keyid = x->keyid ? x->keyid : ""};
        if (x->hmac_default)
            fprintf(stderr, "prova: warning: the DSSE HMAC signature uses the public default key "
                            "\"ophamin-scenario-proof-key\": it proves integrity against accidents only, never who "
                            "signed\n");
    }
    prova_buf st = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    int rc = statement(x, &st);
    if (rc == EXIT_OK) {
        prova_error e;
        int r = prova_dsse_sign(PROVA_DSSE_INTOTO_PAYLOAD_TYPE, st.data, st.len, signers, n, &out, &e);
        if (r < 0) {
            cli_report(x->file, &e);
            rc = r == PROVA_ENOMEM || r == PROVA_ECRYPTO ? EXIT_INTERNAL : EXIT_USAGE;
        }
    }
    prova_buf_free(&st);
    if (rc != EXIT_OK) {
        prova_buf_free(&out);
        return rc;
    }
    return finish(x, &out);
}
