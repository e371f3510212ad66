/* libFuzzer target: Ophamin proof records through the one verifier (detection, schema, the validate() checklist,
 * proof_id, HMAC under several key options, Ed25519 attestations), the reference's verify_proof_impl, the
 * sign_key_b64 decoder, and signing whatever parses. Invariants: no crash, leak or UB; every input gets a report
 * unless memory runs out; the report's JSON form is valid JSON; a report is never valid without checks;
 * verify_impl either fails with one of its documented codes (and writes nothing) or writes an object that parses;
 * a signed record parses back to the same body and proof_id, and verifies under the key it was signed with. */
#define _GNU_SOURCE /* memmem */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/ope.h" /* key sets */
#include "prova/proof.h"
#include "prova/verify.h"

static const prova_parse_options lenient = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};

static void sign_round_trip(const prova_json *rec, const prova_key *k) {
    prova_buf body = PROVA_BUF_INIT, signed_rec = PROVA_BUF_INIT, body2 = PROVA_BUF_INIT, impl = PROVA_BUF_INIT;
    prova_error err;
    char id[PROVA_PROOF_HEX_LEN + 1], id2[PROVA_PROOF_HEX_LEN + 1];
    int rc = prova_proof_body(rec, &body, &err);
    ASSERT(rc == 0 || rc == PROVA_EINVAL || rc == PROVA_ENOMEM);
    if (rc == 0) {
        ASSERT(prova_proof_id(rec, id, &err) == 0);
        rc = prova_proof_sign(rec, (const uint8_t *)"k", 1, k, "fuzz", &signed_rec, &err);
        ASSERT(rc == 0 || rc == PROVA_ENOMEM);
    }
    if (rc == 0) {
        prova_doc *back = NULL;
        ASSERT(prova_json_parse(signed_rec.data, signed_rec.len, &lenient, &back, NULL) == 0);
        ASSERT(prova_proof_body(prova_doc_root(back), &body2, &err) == 0);
        ASSERT(body2.len == body.len && memcmp(body.data, body2.data, body.len) == 0);
        ASSERT(prova_proof_id(prova_doc_root(back), id2, &err) == 0 && strcmp(id, id2) == 0);
        ASSERT(prova_json_str_eq(prova_json_get(prova_doc_root(back), "proof_id"), id));
        prova_doc_free(back);
        /* the reference's verifier agrees: HMAC and attestation */
        ASSERT(prova_proof_verify_impl(signed_rec.data, signed_rec.len, (const uint8_t *)"k", 1, "f", &impl, &err) ==
               0);
        ASSERT(impl.len > 17 && memcmp(impl.data, "{\"verified\":true,", 17) == 0);
        ASSERT(memmem(impl.data, impl.len, "\"attestation_verified\":true", 27) != NULL);
    }
    prova_buf_free(&body);
    prova_buf_free(&body2);
    prova_buf_free(&signed_rec);
    prova_buf_free(&impl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The RFC 8032 test-1 key: it signs, and (size & 4) its public half is the trusted key. */
    static const uint8_t seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                     0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                     0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
    static const char *const keys[] = {NULL, "", "b3BoYW1pbi1zY2VuYXJpby1wcm9vZi1rZXk=", "QQ", "aw=="};
    prova_key *k = NULL, *trusted = NULL;
    ASSERT(prova_key_from_ed25519_seed(seed, &k) == 0);
    ASSERT(prova_key_from_ed25519_seed(seed, &trusted) == 0);
    prova_keyset *ks = prova_keyset_new();
    ASSERT(ks && prova_keyset_add(ks, trusted, "fuzz") == 0);
    prova_verify_options o = {.keys = size & 4 ? ks : NULL,
                              .trust_embedded_key = size & 8,
                              .hmac_key_b64 = keys[size % 5],
                              .allow_default_hmac_key = size & 16};
    prova_report *r = NULL;
    prova_error err;
    int rc = prova_verify_document(data, size, &o, &r, &err);
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

    /* verify_impl: an answer that parses, or a documented error with nothing written */
    prova_buf out = PROVA_BUF_INIT;
    rc = prova_proof_verify_impl(data, size, size & 1 ? (const uint8_t *)"k" : NULL, size & 1, "fuzz", &out, &err);
    ASSERT(rc == 0 || rc == PROVA_ESYNTAX || rc == PROVA_EINVAL || rc == PROVA_ELIMIT || rc == PROVA_ENOMEM);
    if (rc == 0) {
        prova_doc *doc = NULL;
        ASSERT(prova_json_parse(out.data, out.len, &lenient, &doc, NULL) == 0);
        ASSERT(prova_json_is_object(prova_doc_root(doc)) && prova_json_get(prova_doc_root(doc), "verified"));
        prova_doc_free(doc);
    } else {
        ASSERT(out.len == 0);
        if (rc == PROVA_ESYNTAX) ASSERT(strcmp(err.reason, "proof_json_invalid") == 0);
        if (rc == PROVA_EINVAL) ASSERT(strcmp(err.reason, "proof_not_object") == 0);
    }
    prova_buf_free(&out);

    /* sign_key_b64 on the input as a string */
    if (size < 4096) {
        char *s = malloc(size + 1);
        ASSERT(s);
        memcpy(s, data, size);
        s[size] = '\0';
        uint8_t *key = NULL;
        size_t klen = 0;
        rc = prova_proof_key_decode(s, &key, &klen, &err);
        ASSERT(rc == 0 || rc == PROVA_PROOF_KEY_IS_DEFAULT || rc == PROVA_ESYNTAX || rc == PROVA_ENOMEM);
        if (rc == 0) ASSERT(key != NULL && klen <= strlen(s));
        if (rc == PROVA_PROOF_KEY_IS_DEFAULT) ASSERT(key != NULL && klen == PROVA_PROOF_DEFAULT_KEY_LEN && !s[0]);
        prova_proof_key_free(key, klen);
        free(s);
    }

    /* signing what parses */
    prova_doc *doc = NULL;
    if (prova_json_parse(data, size, &lenient, &doc, NULL) == 0) sign_round_trip(prova_doc_root(doc), k);
    prova_doc_free(doc);
    prova_keyset_free(ks);
    prova_key_free(k);
    return 0;
}
