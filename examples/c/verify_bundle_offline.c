/* A gateway's receipts for one trace, built and exported as a signed bundle with libprova, then verified offline
 * with nothing but the gateway's public JWKS; a receipt cut out of the bundle is caught, with its reason codes.
 * Self-asserting: exits 0 only when every step behaves as shown.
 *
 *   cc verify_bundle_offline.c $(pkg-config --cflags --libs prova) -o verify_bundle_offline && ./verify_bundle_offline
 */
#include <prova/prova.h>

#include <stdio.h>
#include <string.h>

#define TRACE "run-7"
#define TS    "2026-03-20T10:00:00Z"

/* Verifies doc against the keys of a JWKS text; the report (caller frees) or NULL. */
static prova_report *verify_with_jwks(const prova_buf *doc, const prova_buf *jwks) {
    prova_keyset *trusted = prova_keyset_new();
    prova_report *r = NULL;
    prova_error err = {0};
    if (trusted != NULL && prova_keyset_add_jwks(trusted, jwks->data, jwks->len, "jwks:gateway", &err) > 0) {
        prova_verify_options o = {.keys = trusted, .no_skew = true};
        if (prova_verify_document(doc->data, doc->len, &o, &r, &err) < 0) {
            r = prova_report_free(r);
        }
    }
    prova_keyset_free(trusted);
    return r;
}

static bool failed_with(const prova_report *r, const char *code) {
    for (size_t i = 0; r != NULL && i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (!c->ok && strcmp(c->code, code) == 0) {
            return true;
        }
    }
    return false;
}

int main(void) {
    prova_key *gateway = NULL;
    prova_doc *prev = NULL, *receipts = NULL;
    prova_buf one = PROVA_BUF_INIT, all = PROVA_BUF_INIT, bundle = PROVA_BUF_INIT, jwks = PROVA_BUF_INIT;
    prova_error err = {0};
    int rc = 1;

    if (prova_key_generate(PROVA_SIG_ED25519, &gateway) < 0 ||
        prova_key_to_jwks((const prova_key *const[]){gateway}, 1, &jwks) < 0) { /* the public half only */
        goto out;
    }
    /* Three receipts, each linked to the one before (the gateway writes one per envelope it accepts). */
    static const char *const cids[] = {"sha256:1111111111111111111111111111111111111111111111111111111111111111",
                                       "sha256:2222222222222222222222222222222222222222222222222222222222222222",
                                       "sha256:3333333333333333333333333333333333333333333333333333333333333333"};
    if (prova_buf_append(&all, "[", 1) < 0) {
        goto out;
    }
    for (size_t i = 0; i < 3; i++) {
        prova_ope_receipt_params p = {.trace_id = TRACE, .ts = TS, .request_cid = cids[i]};
        one.len = 0;
        if (prova_ope_receipt_build(gateway, prev ? prova_doc_root(prev) : NULL, &p, &one, &err) < 0) {
            goto out;
        }
        prova_doc_free(prev);
        prev = NULL;
        if (prova_json_parse(one.data, one.len, NULL, &prev, &err) < 0 || (i && prova_buf_append(&all, ",", 1) < 0) ||
            prova_buf_append(&all, one.data, one.len) < 0) {
            goto out;
        }
    }
    if (prova_buf_append(&all, "]", 1) < 0 || prova_json_parse(all.data, all.len, NULL, &receipts, &err) < 0 ||
        prova_ope_bundle_build(gateway, TRACE, TS, prova_doc_root(receipts), PROVA_OPE_BUNDLE_STARTER, &bundle, &err) <
            0) {
        goto out;
    }

    /* Whoever holds the bundle and the gateway's JWKS checks it, offline. */
    prova_report *r = verify_with_jwks(&bundle, &jwks);
    bool ok =
        r != NULL && prova_report_outcome(r) == PROVA_OUTCOME_VALID && strcmp(prova_report_kind(r), "ope_bundle") == 0;
    prova_report_free(r);
    if (!ok) {
        fputs("verify_bundle_offline: the bundle does not verify\n", stderr);
        goto out;
    }
    printf("bundle of 3 receipts: VALID\n");

    /* The middle receipt cut out of the bundle's text: receipts are the only objects that follow one another
     * ("},{"), so the second receipt runs from the first such comma to the second. */
    prova_buf cut = PROVA_BUF_INIT;
    const uint8_t *start = NULL, *end = NULL;
    for (size_t i = 0; i + 2 < bundle.len && end == NULL; i++) {
        if (bundle.data[i] == '}' && bundle.data[i + 1] == ',' && bundle.data[i + 2] == '{') {
            if (start == NULL) {
                start = bundle.data + i + 1; /* the comma before receipt 1 */
            } else {
                end = bundle.data + i + 1; /* the comma before receipt 2 */
            }
        }
    }
    if (start == NULL || end == NULL || prova_buf_append(&cut, bundle.data, (size_t)(start - bundle.data)) < 0 ||
        prova_buf_append(&cut, end, bundle.len - (size_t)(end - bundle.data)) < 0) {
        prova_buf_free(&cut);
        goto out;
    }
    r = verify_with_jwks(&cut, &jwks);
    ok = r != NULL && prova_report_outcome(r) == PROVA_OUTCOME_INVALID && failed_with(r, "chain_broken") &&
         failed_with(r, "bundle_cid_mismatch");
    prova_report_free(r);
    prova_buf_free(&cut);
    if (!ok) {
        fputs("verify_bundle_offline: the cut bundle was not caught\n", stderr);
        goto out;
    }
    printf("receipt removed: INVALID (chain_broken, bundle_cid_mismatch)\n");
    rc = 0;
out:
    if (rc != 0 && err.status != 0) {
        fprintf(stderr, "verify_bundle_offline: %s (%s)\n", err.message, err.reason);
    }
    prova_buf_free(&jwks);
    prova_buf_free(&bundle);
    prova_buf_free(&all);
    prova_buf_free(&one);
    prova_doc_free(receipts);
    prova_doc_free(prev);
    prova_key_free(gateway);
    return rc;
}
