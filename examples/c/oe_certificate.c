/* An OpenExecution v2 run with libprova: a chain of hash-linked events, resolved and certified with an Ed25519 key
 * into an offline bundle, verified with the issuer's public key; then revoked, and the revocation is caught.
 * Self-asserting: exits 0 only when every step behaves as shown.
 *
 *   cc oe_certificate.c $(pkg-config --cflags --libs prova) -o oe_certificate && ./oe_certificate
 */
#include <prova/prova.h>

#include <stdio.h>
#include <string.h>

#define AT "2026-03-20T10:00:00Z" /* fixed times keep the example's output reproducible */

/* Parses buf into *doc (replacing it). 0 or a negative status. */
static int reparse(const prova_buf *buf, prova_doc **doc, prova_error *err) {
    prova_doc *next = NULL;
    int rc = prova_json_parse(buf->data, buf->len, NULL, &next, err);
    if (rc == 0) {
        prova_doc_free(*doc);
        *doc = next;
    }
    return rc;
}

/* Verifies a bundle against the issuer's key; the outcome, and the first failure's code in *code. */
static prova_outcome verify_bundle(const prova_buf *bundle, const prova_key *issuer, char code[64]) {
    prova_outcome outcome = PROVA_OUTCOME_BAD_INPUT;
    prova_keyset *trusted = prova_keyset_new();
    prova_buf jwk = PROVA_BUF_INIT;
    prova_report *r = NULL;
    prova_error err = {0};
    code[0] = 0;
    if (trusted != NULL && prova_key_to_jwk(issuer, false, &jwk) == 0) {
        prova_key *pub = NULL;
        if (prova_key_from_jwk(jwk.data, jwk.len, &pub, &err) == 0 && prova_keyset_add(trusted, pub, "issuer") == 0) {
            prova_verify_options o = {.keys = trusted, .no_skew = true};
            if (prova_verify_document(bundle->data, bundle->len, &o, &r, &err) == 0) {
                outcome = prova_report_outcome(r);
                const prova_check *first = prova_report_first_failure(r);
                snprintf(code, 64, "%s", first ? first->code : "ok");
            }
        }
    }
    prova_report_free(r);
    prova_buf_free(&jwk);
    prova_keyset_free(trusted);
    return outcome;
}

int main(void) {
    prova_key *issuer = NULL;
    prova_doc *chain = NULL, *payload = NULL, *bundle_doc = NULL;
    prova_buf buf = PROVA_BUF_INIT, bundle = PROVA_BUF_INIT, revoked = PROVA_BUF_INIT;
    prova_error err = {0};
    int rc = 1;
    char code[64];

    if (prova_key_generate(PROVA_SIG_ED25519, &issuer) < 0) {
        return 1;
    }
    prova_oe_chain_params cp = {.chain_type = "manual",
                                .origin_type = "agent",
                                .origin_id = "bot-1",
                                .hash_alg = PROVA_HASH_SHA256,
                                .sig_alg = PROVA_SIG_ED25519,
                                .created_at = AT};
    if (prova_oe_chain_new(&cp, &buf, &err) < 0 || reparse(&buf, &chain, &err) < 0) {
        goto out;
    }
    static const char *const steps[][2] = {{"task_started", "{\"prompt\":\"summarize the incident\"}"},
                                           {"task_completed", "{\"tokens\":120}"}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        prova_doc_free(payload);
        payload = NULL;
        if (prova_json_parse(steps[i][1], strlen(steps[i][1]), NULL, &payload, &err) < 0) {
            goto out;
        }
        prova_oe_event_params ep = {
            .event_type = steps[i][0], .actor_id = "bot-1", .created_at = AT, .payload = prova_doc_root(payload)};
        buf.len = 0;
        if (prova_oe_chain_append(prova_doc_root(chain), &ep, AT, &buf, &err) < 0 || reparse(&buf, &chain, &err) < 0) {
            goto out;
        }
    }
    buf.len = 0;
    if (prova_oe_chain_resolve(prova_doc_root(chain), AT, &buf, &err) < 0 || reparse(&buf, &chain, &err) < 0) {
        goto out;
    }
    prova_oe_cert_params cert = {.artifact_type = "report", .artifact_ref = "report-1", .issued_at = AT};
    if (prova_oe_certify(issuer, prova_doc_root(chain), &cert, &bundle, NULL, &err) < 0) {
        goto out;
    }
    if (verify_bundle(&bundle, issuer, code) != PROVA_OUTCOME_VALID) {
        fprintf(stderr, "oe_certificate: the certificate does not verify (%s)\n", code);
        goto out;
    }
    printf("certificate: VALID\n");

    prova_oe_status_params sp = {.status = PROVA_OE_REVOKED, .reason = "model retracted", .at = AT};
    if (reparse(&bundle, &bundle_doc, &err) < 0 ||
        prova_oe_set_status(issuer, prova_doc_root(bundle_doc), &sp, &revoked, &err) < 0) {
        goto out;
    }
    if (verify_bundle(&revoked, issuer, code) != PROVA_OUTCOME_INVALID || strcmp(code, "certificate_revoked") != 0) {
        fprintf(stderr, "oe_certificate: the revocation was not caught (%s)\n", code);
        goto out;
    }
    printf("revoked certificate: INVALID (%s)\n", code);
    rc = 0;
out:
    if (rc != 0 && err.status != 0) {
        fprintf(stderr, "oe_certificate: %s (%s)\n", err.message, err.reason);
    }
    prova_buf_free(&revoked);
    prova_buf_free(&bundle);
    prova_buf_free(&buf);
    prova_doc_free(bundle_doc);
    prova_doc_free(payload);
    prova_doc_free(chain);
    prova_key_free(issuer);
    return rc;
}
