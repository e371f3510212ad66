/* libFuzzer target: OpenExecution documents through the one verifier (bundles, chain records, event arrays, events
 * as JSON Lines, attestations, status blocks), and the chain builders on whatever parses (append, resolve, certify
 * must refuse or succeed, never crash). Invariants: no crash, leak or UB; every input gets a report unless memory
 * runs out; the report's JSON form (with sdk_result) is valid JSON; a report is never valid without checks; a
 * builder that fails appends nothing; an input with a newline gives the same report with 3 threads as with one. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/oe.h"
#include "prova/ope.h"
#include "prova/verify.h"

static void builders(const prova_json *root, const prova_key *k) {
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    prova_oe_event_params ep = {.event_type = "fuzz", .actor_id = "f", .created_at = "2026-03-20T10:00:00Z"};
    int rc = prova_oe_chain_append(root, &ep, ep.created_at, &out, &err);
    ASSERT(rc == 0 || out.len == 0);
    out.len = 0;
    rc = prova_oe_chain_resolve(root, "2026-03-20T11:00:00Z", &out, &err);
    ASSERT(rc == 0 || out.len == 0);
    out.len = 0;
    prova_oe_cert_params cp = {
        .artifact_type = "a", .artifact_ref = "b", .issued_at = "2026-03-20T11:00:01Z", .certificate_id = "c"};
    rc = prova_oe_certify(k, root, &cp, &out, NULL, &err);
    ASSERT(rc == 0 || out.len == 0);
    out.len = 0;
    prova_oe_status_params sp = {.status = PROVA_OE_REVOKED, .at = "2026-03-21T00:00:00Z"};
    rc = prova_oe_set_status(k, root, &sp, &out, &err);
    ASSERT(rc == 0 || out.len == 0);
    char hex[PROVA_OE_HEX_MAX + 1];
    (void)prova_oe_event_hash(root, PROVA_HASH_SHA3_256, hex, &err);
    prova_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The RFC 8032 test-1 key, trusted when the size is even (the bundle key must then be it). */
    static const uint8_t seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                     0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                     0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
    prova_key *k = NULL, *trusted = NULL;
    ASSERT(prova_key_from_ed25519_seed(seed, &k) == 0);
    ASSERT(prova_key_from_ed25519_seed(seed, &trusted) == 0);
    prova_keyset *ks = prova_keyset_new();
    ASSERT(ks && prova_keyset_add(ks, trusted, "fuzz") == 0);
    prova_verify_options o = {
        .keys = size & 1 ? NULL : ks, .now_us = 1774000000000000LL, .hash_alg = size & 2 ? "sha3-256" : NULL};
    prova_report *r = NULL;
    prova_error err;
    int rc = prova_verify_document(data, size, &o, &r, &err);
    ASSERT(rc == 0 || rc == PROVA_ESYNTAX || rc == PROVA_ENOMEM);
    if (rc != PROVA_ENOMEM) ASSERT(r != NULL);
    if (r) {
        ASSERT(!prova_report_valid(r) || prova_report_check_count(r) > 0);
        prova_buf js = PROVA_BUF_INIT;
        ASSERT(prova_report_to_json(r, &js) == 0);
        prova_doc *doc = NULL;
        ASSERT(prova_json_parse(js.data, js.len, NULL, &doc, NULL) == 0);
        prova_doc_free(doc);
        /* JSON Lines with threads: the same report as with one (the scan and the chain checks split). */
        if (memchr(data, 0x0A, size)) {
            prova_verify_options o3 = o;
            o3.threads = 3;
            prova_report *r3 = NULL;
            prova_error err3;
            int rc3 = prova_verify_document(data, size, &o3, &r3, &err3);
            ASSERT(rc3 == rc);
            if (r3) {
                prova_buf js3 = PROVA_BUF_INIT;
                ASSERT(prova_report_to_json(r3, &js3) == 0);
                ASSERT(js3.len == js.len && memcmp(js3.data, js.data, js.len) == 0);
                prova_buf_free(&js3);
                prova_report_free(r3);
            }
        }
        prova_buf_free(&js);
        prova_report_free(r);
    }
    prova_doc *doc = NULL;
    if (prova_json_parse(data, size, NULL, &doc, NULL) == 0) builders(prova_doc_root(doc), k);
    prova_doc_free(doc);
    prova_keyset_free(ks);
    prova_key_free(k);
    return 0;
}
