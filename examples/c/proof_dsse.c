/* An Ophamin proof record sealed with an HMAC key, wrapped as an in-toto Statement in a DSSE envelope signed with
 * an Ed25519 key, and verified in one report with libprova (the envelope's signature, the Statement, the record
 * inside); a changed payloadType is caught. Self-asserting: exits 0 only when every step behaves as shown.
 *
 *   cc proof_dsse.c $(pkg-config --cflags --libs prova) -o proof_dsse && ./proof_dsse tests/data/proof_minimal.json
 */
#include <prova/prova.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file into buf. 0 or -1. */
static int read_file(const char *path, prova_buf *buf) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    char chunk[4096];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (prova_buf_append(buf, chunk, n) < 0) {
            rc = -1;
            break;
        }
    }
    if (ferror(f)) {
        rc = -1;
    }
    fclose(f);
    return rc;
}

/* Verifies doc with the signer's public key and the seal key; the outcome, the kind and whether a failed check has
 * the reason code `code` (NULL: none asked). */
static prova_outcome verify(const prova_buf *doc, const prova_key *signer, const char *seal_b64, const char *code,
                            bool *has_code, char kind[32]) {
    prova_outcome outcome = PROVA_OUTCOME_BAD_INPUT;
    prova_keyset *trusted = prova_keyset_new();
    prova_buf jwks = PROVA_BUF_INIT;
    prova_report *r = NULL;
    prova_error err = {0};
    *has_code = false;
    kind[0] = 0;
    if (trusted != NULL && prova_key_to_jwks((const prova_key *const[]){signer}, 1, &jwks) == 0 &&
        prova_keyset_add_jwks(trusted, jwks.data, jwks.len, "jwks:signer", &err) > 0) {
        prova_verify_options o = {.keys = trusted, .hmac_key_b64 = seal_b64, .no_skew = true};
        if (prova_verify_document(doc->data, doc->len, &o, &r, &err) == 0) {
            outcome = prova_report_outcome(r);
            snprintf(kind, 32, "%s", prova_report_kind(r));
            for (size_t i = 0; code != NULL && i < prova_report_check_count(r); i++) {
                const prova_check *c = prova_report_check_at(r, i);
                *has_code |= !c->ok && strcmp(c->code, code) == 0;
            }
        }
    }
    prova_report_free(r);
    prova_buf_free(&jwks);
    prova_keyset_free(trusted);
    return outcome;
}

int main(int argc, char **argv) {
    const char *record_path = argc > 1 ? argv[1] : "tests/data/proof_minimal.json";
    prova_key *signer = NULL;
    prova_doc *record = NULL, *sealed_doc = NULL;
    prova_buf text = PROVA_BUF_INIT, sealed = PROVA_BUF_INIT, statement = PROVA_BUF_INIT, envelope = PROVA_BUF_INIT;
    prova_error err = {0};
    int rc = 1;
    uint8_t seal[32];
    char seal_b64[64], kind[32];
    bool has_code;

    prova_random_fill(seal, sizeof seal); /* the proof records' HMAC key */
    if (prova_base64_encode(seal, sizeof seal, seal_b64, sizeof seal_b64) == 0 ||
        prova_key_generate(PROVA_SIG_ED25519, &signer) < 0) {
        goto out;
    }
    if (read_file(record_path, &text) < 0) {
        fprintf(stderr, "proof_dsse: cannot read %s\n", record_path);
        goto out;
    }
    /* proof_id + HMAC-SHA256 seal, then the in-toto Statement of the sealed record, then a signed DSSE envelope. */
    if (prova_json_parse(text.data, text.len, NULL, &record, &err) < 0 ||
        prova_proof_sign(prova_doc_root(record), seal, sizeof seal, NULL, NULL, &sealed, &err) < 0 ||
        prova_json_parse(sealed.data, sealed.len, NULL, &sealed_doc, &err) < 0 ||
        prova_intoto_statement(prova_doc_root(sealed_doc), NULL, &statement, &err) < 0) {
        goto out;
    }
    prova_dsse_signer s = {.key = signer};
    if (prova_dsse_sign(PROVA_DSSE_INTOTO_PAYLOAD_TYPE, statement.data, statement.len, &s, 1, &envelope, &err) < 0) {
        goto out;
    }
    if (verify(&envelope, signer, seal_b64, NULL, &has_code, kind) != PROVA_OUTCOME_VALID ||
        strcmp(kind, "dsse_envelope") != 0) {
        fputs("proof_dsse: the envelope does not verify\n", stderr);
        goto out;
    }
    printf("proof record in a DSSE envelope: VALID (%s)\n", kind);

    /* The payloadType is signed (PAE): rename it and no signature verifies. */
    static const char type_member[] = "\"payloadType\":\"application/vnd.in-toto+json\"";
    static const char retyped[] = "\"payloadType\":\"application/vnd.in-toto+jsox\"";
    uint8_t *at = NULL;
    for (size_t i = 0; at == NULL && i + sizeof type_member - 1 <= envelope.len; i++) {
        if (memcmp(envelope.data + i, type_member, sizeof type_member - 1) == 0) {
            at = envelope.data + i;
        }
    }
    if (at == NULL) {
        goto out;
    }
    memcpy(at, retyped, sizeof retyped - 1);
    if (verify(&envelope, signer, seal_b64, "dsse_no_valid_signature", &has_code, kind) != PROVA_OUTCOME_INVALID ||
        !has_code) {
        fputs("proof_dsse: the changed payloadType was not caught\n", stderr);
        goto out;
    }
    printf("payloadType changed: INVALID (dsse_no_valid_signature)\n");
    rc = 0;
out:
    if (rc != 0 && err.status != 0) {
        fprintf(stderr, "proof_dsse: %s (%s)\n", err.message, err.reason);
    }
    prova_buf_free(&envelope);
    prova_buf_free(&statement);
    prova_buf_free(&sealed);
    prova_buf_free(&text);
    prova_doc_free(sealed_doc);
    prova_doc_free(record);
    prova_key_free(signer);
    return rc;
}
