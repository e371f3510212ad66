/* prova/redact.h: the C API of selective redaction (docs/redaction.md). The format is checked against an
 * independent implementation in tests/cli/test_redact_cli.py; here: arguments, error codes and pointers, the
 * report's checks and warnings under a pointer prefix, round trips, and that nothing signed changes. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/ope.h"
#include "prova/redact.h"

static prova_doc *parse(const void *s, size_t n) {
    prova_doc *d = NULL;
    if (prova_json_parse(s, n, NULL, &d, NULL) < 0) return NULL;
    return d;
}

static size_t count_warnings(const prova_report *r, const char *code, const char *at) {
    size_t n = 0;
    for (size_t i = 0; i < prova_report_warning_count(r); i++) {
        const prova_check *w = prova_report_warning_at(r, i);
        if (strcmp(w->code, code) == 0 && (!at || strcmp(w->at, at) == 0)) n++;
    }
    return n;
}

int main(void) {
    uint8_t seed[32] = {7};
    prova_key *k = NULL;
    CHECK(prova_key_from_ed25519_seed(seed, &k) == 0);
    CHECK(prova_redact_salt_bytes() == PROVA_REDACT_SALT_BYTES && PROVA_REDACT_SALT_BYTES >= 16);
    CHECK(prova_redact_max_disclosures() == PROVA_REDACT_MAX_DISCLOSURES);

    const char *payload = "{\"a\":{\"b\":1,\"c\":[true,{\"d\":\"x\"}]},\"e\":\"f\"}";
    prova_doc *pd = parse(payload, strlen(payload));
    CHECK(pd != NULL);
    prova_ope_envelope_params p = {.payload_type = "t", .target_type = "u", .ts = "2026-01-02T03:04:05+00:00"};
    prova_buf env = PROVA_BUF_INIT;
    prova_error err;
    CHECK(prova_redact_pack(k, prova_doc_root(pd), &p, NULL, &env, &err) == 0);
    prova_doc *ed = parse(env.data, env.len);
    CHECK(ed != NULL);
    const prova_json *e = prova_doc_root(ed);
    CHECK(prova_redact_detect(e));
    CHECK(prova_json_len(prova_json_get(e, "disclosures")) == 7); /* a, b, c, c/0, c/1, d, e */
    CHECK(prova_json_str_eq(prova_json_get(prova_json_get(e, "payload"), "_sd_alg"), "sha-256"));

    /* The reveal is the payload, canonical. */
    prova_buf out = PROVA_BUF_INIT;
    CHECK(prova_redact_reveal(e, &out, &err) == 0);
    prova_buf want = PROVA_BUF_INIT;
    CHECK(prova_canon_write(prova_doc_root(pd), PROVA_PROFILE_OPE, &want, NULL) == 0);
    CHECK(out.len == want.len && memcmp(out.data, want.data, out.len) == 0);

    /* The envelope verifies as OPE, and the redaction check passes, under a prefix. */
    prova_report *r = prova_report_new("ope_envelope");
    CHECK(prova_redact_verify(e, "/x", r) == 0);
    CHECK(prova_report_valid(r));
    CHECK(prova_report_check_count(r) == 1 && strcmp(prova_report_check_at(r, 0)->at, "/x/disclosures") == 0);
    prova_report_free(r);

    /* Withhold /payload/a/c/1 and /payload/e: three disclosures go (c/1 and d inside it, e). */
    const char *paths[] = {"/payload/a/c/1", "/payload/e"};
    prova_buf red = PROVA_BUF_INIT;
    CHECK(prova_redact_remove(e, paths, 2, &red, &err) == 0);
    prova_doc *rd = parse(red.data, red.len);
    CHECK(rd != NULL);
    const prova_json *re = prova_doc_root(rd);
    CHECK(prova_json_len(prova_json_get(re, "disclosures")) == 4);
    prova_buf a = PROVA_BUF_INIT, b = PROVA_BUF_INIT;
    CHECK(prova_canon_write(prova_json_get(e, "payload"), PROVA_PROFILE_OPE, &a, NULL) == 0);
    CHECK(prova_canon_write(prova_json_get(re, "payload"), PROVA_PROFILE_OPE, &b, NULL) == 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0); /* nothing signed changed */
    CHECK(prova_json_str_eq(prova_json_get(re, "sig"), prova_json_str(prova_json_get(e, "sig"))));
    out.len = 0;
    CHECK(prova_redact_reveal(re, &out, &err) == 0);
    const char *disclosed = "{\"a\":{\"b\":1,\"c\":[true]}}";
    CHECK(out.len == strlen(disclosed) && memcmp(out.data, disclosed, out.len) == 0);
    r = prova_report_new("ope_envelope");
    CHECK(prova_redact_verify(re, "", r) == 0);
    CHECK(prova_report_valid(r));
    CHECK(count_warnings(r, "redacted", "/payload") == 1);
    CHECK(count_warnings(r, "redacted", "/payload/a/c/1") == 1);
    CHECK(count_warnings(r, "redacted", NULL) == 2);
    prova_report_free(r);

    /* Errors name their reason and the path. */
    const char *bad[][2] = {{"/payload", "redact_path_invalid"},         {"/payload/e", "redact_path_not_found"},
                            {"/payload/a/c/5", "redact_path_not_found"}, {"/payload/a/~", "redact_path_invalid"},
                            {"/payload/a/b/c", "redact_path_not_found"}, {"", "redact_path_invalid"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        prova_buf o = PROVA_BUF_INIT;
        CHECK(prova_redact_remove(re, &bad[i][0], 1, &o, &err) == PROVA_EINVAL);
        CHECK_STR(err.reason, bad[i][1]);
        CHECK_STR(err.pointer, bad[i][0]);
        CHECK(o.len == 0);
        prova_buf_free(&o);
    }

    /* A tampered disclosure: reveal and remove refuse with its pointer; verify lists it. */
    char *t = malloc(red.len + 1);
    memcpy(t, red.data, red.len);
    t[red.len] = 0;
    char *q = strstr(t, "\"disclosures\":[\"") + 16;
    *q = *q == 'W' ? 'X' : 'W';
    prova_doc *td = parse(t, red.len);
    CHECK(td != NULL);
    out.len = 0;
    int rc = prova_redact_reveal(prova_doc_root(td), &out, &err);
    CHECK(rc == PROVA_EVERIFY || rc == PROVA_ESYNTAX);
    CHECK(strcmp(err.reason, "disclosure_not_committed") == 0 || strcmp(err.reason, "disclosure_malformed") == 0);
    CHECK_STR(err.pointer, "/disclosures/0");
    r = prova_report_new("ope_envelope");
    CHECK(prova_redact_verify(prova_doc_root(td), "", r) == 0);
    CHECK(!prova_report_valid(r));
    prova_report_free(r);
    prova_doc_free(td);
    free(t);

    /* Arguments. */
    CHECK(prova_redact_pack(NULL, prova_doc_root(pd), &p, NULL, &out, &err) == PROVA_EINVAL);
    CHECK(prova_redact_remove(NULL, paths, 1, &out, &err) == PROVA_EINVAL);
    CHECK(prova_redact_reveal(NULL, &out, &err) == PROVA_EINVAL);
    CHECK(prova_redact_verify(NULL, "", NULL) == PROVA_EINVAL);
    CHECK(!prova_redact_detect(NULL));
    p.bind = true;
    CHECK(prova_redact_pack(k, prova_doc_root(pd), &p, NULL, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "redact_bind_unsupported");
    p.bind = false;
    prova_doc *rs = parse("{\"x\":[{\"...\":1}]}", 17);
    CHECK(prova_redact_pack(k, prova_doc_root(rs), &p, NULL, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "redact_reserved_name");
    /* Clear pointers and decoys. */
    const char *clear[] = {"/payload/e", "/payload/a/c/0"};
    prova_redact_params rp = {.clear = clear, .nclear = 2, .decoys = 3};
    prova_buf ce = PROVA_BUF_INIT;
    CHECK(prova_redact_pack(k, prova_doc_root(pd), &p, &rp, &ce, &err) == 0);
    prova_doc *cd = parse(ce.data, ce.len);
    CHECK(cd != NULL);
    const prova_json *cp = prova_json_get(prova_doc_root(cd), "payload");
    CHECK(prova_json_str_eq(prova_json_get(cp, "e"), "f"));
    CHECK(prova_json_len(prova_json_get(cp, "_sd")) == 1 + 3);                     /* a + decoys */
    CHECK(prova_json_len(prova_json_get(prova_doc_root(cd), "disclosures")) == 5); /* a, b, c, c/1, d */
    out.len = 0;
    CHECK(prova_redact_reveal(prova_doc_root(cd), &out, &err) == 0);
    CHECK(out.len == want.len && memcmp(out.data, want.data, out.len) == 0);
    const char *pe[] = {"/payload/e"};
    prova_buf o2 = PROVA_BUF_INIT;
    CHECK(prova_redact_remove(prova_doc_root(cd), pe, 1, &o2, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "redact_not_redactable");
    r = prova_report_new("ope_envelope");
    CHECK(prova_redact_verify(prova_doc_root(cd), "", r) == 0);
    CHECK(prova_report_valid(r) && count_warnings(r, "redacted", NULL) == 3); /* each object's decoys */
    prova_report_free(r);
    const char *nowhere[] = {"/payload/zz"};
    rp = (prova_redact_params){.clear = nowhere, .nclear = 1};
    CHECK(prova_redact_pack(k, prova_doc_root(pd), &p, &rp, &o2, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "redact_path_not_found");
    CHECK_STR(err.pointer, "/payload/zz");
    rp = (prova_redact_params){.decoys = 17};
    CHECK(prova_redact_pack(k, prova_doc_root(pd), &p, &rp, &o2, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "redact_params_invalid");
    CHECK(o2.len == 0);
    prova_buf_free(&o2);
    prova_doc_free(cd);
    prova_buf_free(&ce);

    prova_doc *bound = parse("{\"disclosures\":[],\"payload\":{},\"sig_scope\":\"envelope\"}", 54);
    CHECK(bound != NULL);
    CHECK(prova_redact_remove(prova_doc_root(bound), paths, 1, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "redact_bind_unsupported");
    prova_doc_free(bound);
    /* A known answer from the SD-JWT specification's examples (as RFC 9901): the digest of this disclosure of
     * ["6Ij7tM-a5iVPGboS5tmvVA", "email", "johndoe@example.com"] is JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE. */
    const char *kat =
        "{\"disclosures\":[\"WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgImVtYWlsIiwgImpvaG5kb2VAZXhhbXBsZS5jb20iXQ\"],"
        "\"payload\":{\"_sd\":[\"JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE\"],\"_sd_alg\":\"sha-256\"}}";
    prova_doc *kd = parse(kat, strlen(kat));
    CHECK(kd != NULL);
    out.len = 0;
    CHECK(prova_redact_reveal(prova_doc_root(kd), &out, &err) == 0);
    const char *kat_payload = "{\"email\":\"johndoe@example.com\"}";
    CHECK(out.len == strlen(kat_payload) && memcmp(out.data, kat_payload, out.len) == 0);
    prova_doc_free(kd);

    prova_doc *plain = parse("{\"payload\":{\"a\":1}}", 19);
    CHECK(prova_redact_remove(prova_doc_root(plain), paths, 1, &out, &err) == PROVA_EINVAL);
    CHECK_STR(err.reason, "not_redactable");

    prova_doc_free(plain);
    prova_doc_free(rs);
    prova_buf_free(&a);
    prova_buf_free(&b);
    prova_doc_free(rd);
    prova_buf_free(&red);
    prova_buf_free(&want);
    prova_buf_free(&out);
    prova_doc_free(ed);
    prova_buf_free(&env);
    prova_doc_free(pd);
    prova_key_free(k);
    TEST_SUMMARY();
}
