/* libFuzzer target: selective redaction (docs/redaction.md) — the disclosure parser and verifier, the disclosed
 * payload's reconstruction and the withholding of paths. Invariants: no crash, leak or UB; the verifier's
 * redaction checks fail exactly when prova_redact_reveal refuses; a revealed payload is canonical JSON; withholding
 * from a sound envelope gives a sound envelope. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/redact.h"

/* True when r has a failed "redaction" check. */
static int redaction_failed(const prova_report *r) {
    for (size_t i = 0; i < prova_report_check_count(r); i++) {
        const prova_check *c = prova_report_check_at(r, i);
        if (!c->ok && strcmp(c->check, "redaction") == 0) return 1;
    }
    return 0;
}

static void sound(const prova_json *env) {
    prova_report *r = prova_report_new("ope_envelope");
    ASSERT(r);
    int rc = prova_redact_verify(env, "", r);
    ASSERT(rc == 0 || rc == PROVA_ENOMEM);
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    int rv = prova_redact_reveal(env, &out, &err);
    if (rc == 0 && rv != PROVA_ENOMEM) ASSERT((rv == 0) == !redaction_failed(r));
    if (rv == 0) {
        prova_buf again = PROVA_BUF_INIT;
        ASSERT(prova_canon_bytes(out.data, out.len, PROVA_PROFILE_OPE, NULL, &again, NULL) == 0 ||
               out.len > PROVA_DEFAULT_MAX_SIZE);
        ASSERT(again.len == 0 || (again.len == out.len && memcmp(again.data, out.data, out.len) == 0));
        prova_buf_free(&again);
    } else {
        ASSERT(err.status == rv && err.reason != NULL);
    }
    prova_buf_free(&out);
    prova_report_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    prova_doc *doc = NULL;
    if (prova_json_parse(data, size, NULL, &doc, NULL) < 0) return 0;
    const prova_json *env = prova_doc_root(doc);
    (void)prova_redact_detect(env);
    sound(env);
    /* Withhold the paths the input names in "fuzz_paths" (or a few fixed ones). */
    const char *fixed[] = {"/payload/a", "/payload/items/0", "/payload/a/b", "/payload/~0~1"};
    const char *paths[8];
    size_t n = 0;
    const prova_json *fp = prova_json_get(env, "fuzz_paths");
    for (size_t i = 0; i < prova_json_len(fp) && n < 8; i++)
        if (prova_json_is_string(prova_json_at(fp, i))) paths[n++] = prova_json_str(prova_json_at(fp, i));
    if (!n) {
        for (size_t i = 0; i < (size & 3) + 1; i++) paths[n++] = fixed[i];
    }
    prova_buf out = PROVA_BUF_INIT;
    prova_error err;
    int rc = prova_redact_remove(env, paths, n, &out, &err);
    if (rc == 0) {
        prova_doc *red = NULL;
        ASSERT(prova_json_parse(out.data, out.len, NULL, &red, NULL) == 0 || out.len > PROVA_DEFAULT_MAX_SIZE);
        if (red) {
            prova_buf shown = PROVA_BUF_INIT;
            ASSERT(prova_redact_reveal(prova_doc_root(red), &shown, NULL) == 0);
            prova_buf_free(&shown);
            sound(prova_doc_root(red));
        }
        prova_doc_free(red);
    } else {
        ASSERT(err.status == rc && err.reason != NULL);
    }
    prova_buf_free(&out);
    prova_doc_free(doc);
    return 0;
}
