/* libFuzzer target: the OPE verifier (kind detection, envelopes of every dialect, receipts, chains as arrays or
 * JSON Lines, bundles). Invariants: no crash, leak or UB; every input gets a report unless memory runs out; the
 * report's JSON form is valid JSON; a report is never valid without checks. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/ope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A fixed trusted key: the all-zero seed (kid ed25519-139e3940e64b5491), as in the ODIN vectors. */
    static const uint8_t seed[32] = {0};
    prova_key *k = NULL;
    ASSERT(prova_key_from_ed25519_seed(seed, &k) == 0);
    prova_keyset *ks = prova_keyset_new();
    ASSERT(ks && prova_keyset_add(ks, k, "fuzz") == 0);
    prova_verify_options o = {.keys = ks, .now_us = 1755820800000000LL, .trust_embedded_key = size & 1};
    prova_report *r = NULL;
    prova_error err;
    int rc = prova_ope_verify(data, size, &o, &r, &err);
    ASSERT(rc == 0 || rc == PROVA_ESYNTAX || rc == PROVA_ENOMEM);
    if (rc != PROVA_ENOMEM) ASSERT(r != NULL);
    if (r) {
        ASSERT(!prova_report_valid(r) || prova_report_check_count(r) > 0);
        prova_buf js = PROVA_BUF_INIT, txt = PROVA_BUF_INIT;
        ASSERT(prova_report_to_json(r, &js) == 0);
        ASSERT(prova_report_to_text(r, &txt) == 0);
        prova_doc *doc = NULL;
        ASSERT(prova_json_parse(js.data, js.len, NULL, &doc, NULL) == 0);
        prova_doc_free(doc);
        prova_buf_free(&js);
        prova_buf_free(&txt);
        prova_report_free(r);
    }
    prova_keyset_free(ks);
    return 0;
}
