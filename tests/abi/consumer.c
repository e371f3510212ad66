/* A program outside the project: built against an installed prefix with nothing but `pkg-config prova` and
 * <prova/prova.h> (tests/abi/consumer.sh builds it once against libprova.so and once statically). It parses,
 * canonicalizes, signs and verifies, and checks that the library it runs is the version it was compiled against.
 *   usage: consumer VERSION      (meson's project version)
 * Prints "consumer: ok <version>" and exits 0, or names the first step that failed and exits 1. */
#include <prova/prova.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *step, int status, const prova_error *err) {
    fprintf(stderr, "consumer: %s failed: %s (%s)\n", step, prova_status_message(status),
            err && err->reason ? err->reason : "-");
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: consumer VERSION\n");
        return 2;
    }
    if (strcmp(prova_version(), argv[1]) != 0 || strcmp(prova_version(), PROVA_VERSION_STRING) != 0 ||
        prova_version_number() != PROVA_VERSION_NUMBER) {
        fprintf(stderr, "consumer: the library is %s (%d), the headers %s (%d), meson says %s\n", prova_version(),
                prova_version_number(), PROVA_VERSION_STRING, PROVA_VERSION_NUMBER, argv[1]);
        return 1;
    }
    prova_error err;
    int r;

    /* Parse and canonicalize (RFC 8785). */
    const char *text = "{ \"b\": [1.50, \"\\u00e9\"], \"a\": 1e2 }";
    prova_doc *doc = NULL;
    if ((r = prova_json_parse(text, strlen(text), NULL, &doc, &err)) < 0) return fail("prova_json_parse", r, &err);
    prova_buf canon = PROVA_BUF_INIT;
    if ((r = prova_canon_write(prova_doc_root(doc), PROVA_PROFILE_JCS, &canon, &err)) < 0)
        return fail("prova_canon_write", r, &err);
    const char *want = "{\"a\":100,\"b\":[1.5,\"\xc3\xa9\"]}";
    if (canon.len != strlen(want) || memcmp(canon.data, want, canon.len) != 0) {
        fprintf(stderr, "consumer: canonical form %.*s, want %s\n", (int)canon.len, (const char *)canon.data, want);
        return 1;
    }
    if (!prova_json_is_array(prova_json_get(prova_doc_root(doc), "b")) ||
        strcmp(prova_json_str(prova_json_at(prova_json_get(prova_doc_root(doc), "b"), 1)), "\xc3\xa9") != 0) {
        fprintf(stderr, "consumer: the accessors disagree with the document\n");
        return 1;
    }

    /* Sign the canonical bytes with Ed25519 and verify them; a changed byte does not verify. */
    uint8_t seed[PROVA_ED25519_SEEDBYTES] = {7};
    prova_key *key = NULL;
    if ((r = prova_key_from_ed25519_seed(seed, &key)) < 0) return fail("prova_key_from_ed25519_seed", r, NULL);
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t siglen = 0;
    if ((r = prova_key_sign(key, canon.data, canon.len, sig, &siglen)) < 0) return fail("prova_key_sign", r, NULL);
    if (siglen != prova_ed25519_sigbytes()) return fail("signature length", PROVA_EINVAL, NULL);
    if ((r = prova_key_verify(key, canon.data, canon.len, sig, siglen)) != 0) return fail("prova_key_verify", r, NULL);
    canon.data[0] ^= 1;
    if (prova_key_verify(key, canon.data, canon.len, sig, siglen) != PROVA_EVERIFY) {
        fprintf(stderr, "consumer: a changed message verified\n");
        return 1;
    }

    /* An OPE envelope around the document, verified by the dispatcher against a key set. */
    prova_ope_envelope_params p = {.payload_type = "consumer.test.v1",
                                   .target_type = "consumer.test.v1",
                                   .trace_id = "consumer-trace",
                                   .ts = "2026-01-02T03:04:05.000000+00:00"};
    prova_buf env = PROVA_BUF_INIT;
    if ((r = prova_ope_envelope_pack(key, prova_doc_root(doc), &p, &env, &err)) < 0)
        return fail("prova_ope_envelope_pack", r, &err);
    prova_buf jwk = PROVA_BUF_INIT;
    prova_key *pub = NULL;
    prova_keyset *ks = prova_keyset_new();
    if (!ks || (r = prova_key_to_jwk(key, false, &jwk)) < 0 ||
        (r = prova_key_from_jwk(jwk.data, jwk.len, &pub, &err)) < 0 || (r = prova_keyset_add(ks, pub, "consumer")) < 0)
        return fail("the key set", r, &err);
    int64_t now = 0;
    if ((r = prova_time_parse(p.ts, strlen(p.ts), &now)) < 0) return fail("prova_time_parse", r, NULL);
    prova_verify_options o = {.keys = ks, .now_us = now};
    prova_report *rep = NULL;
    if ((r = prova_verify_document(env.data, env.len, &o, &rep, &err)) < 0)
        return fail("prova_verify_document", r, &err);
    if (!prova_report_valid(rep) || prova_report_outcome(rep) != PROVA_OUTCOME_VALID ||
        strcmp(prova_report_kind(rep), "ope_envelope") != 0) {
        const prova_check *f = prova_report_first_failure(rep);
        fprintf(stderr, "consumer: the envelope did not verify: %s\n", f ? f->code : "?");
        return 1;
    }

    prova_report_free(rep);
    prova_keyset_free(ks);
    prova_buf_free(&jwk);
    prova_buf_free(&env);
    prova_key_free(key);
    prova_buf_free(&canon);
    prova_doc_free(doc);
    printf("consumer: ok %s\n", prova_version());
    return 0;
}
