/* Sign an agent's tool call as an OPE v1 envelope with libprova, verify it with the agent's public key, and see a
 * changed argument caught with its reason code. Self-asserting: exits 0 only when every step behaves as shown.
 *
 *   cc sign_tool_call.c $(pkg-config --cflags --libs prova) -o sign_tool_call && ./sign_tool_call
 */
#include <prova/prova.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The first occurrence of word in buf, or NULL. */
static uint8_t *find(const prova_buf *buf, const char *word) {
    size_t n = strlen(word);
    for (size_t i = 0; n <= buf->len && i <= buf->len - n; i++) {
        if (memcmp(buf->data + i, word, n) == 0) {
            return buf->data + i;
        }
    }
    return NULL;
}

static int fail(const char *what, const prova_error *err) {
    fprintf(stderr, "sign_tool_call: %s: %s (%s)\n", what, err->message ? err->message : "", err->reason);
    return 1;
}

/* Verifies an envelope against the agent's key; returns the report (caller frees) or NULL. */
static prova_report *verify_envelope(const prova_buf *env, const prova_key *agent_public) {
    prova_keyset *trusted = prova_keyset_new();
    prova_key *copy = NULL;
    uint8_t pk[32];
    prova_report *report = NULL;
    prova_error err = {0};
    if (trusted == NULL || prova_key_public_raw(agent_public, pk, sizeof pk) != sizeof pk ||
        prova_key_from_ed25519_public(pk, &copy) < 0) {
        prova_keyset_free(trusted);
        return NULL;
    }
    if (prova_keyset_add(trusted, copy, "example") < 0) { /* the set owns copy, also on failure */
        prova_keyset_free(trusted);
        return NULL;
    }
    prova_verify_options o = {.keys = trusted, .now_us = (int64_t)time(NULL) * 1000000};
    if (prova_verify_document(env->data, env->len, &o, &report, &err) < 0) {
        report = prova_report_free(report);
    }
    prova_keyset_free(trusted); /* owns copy */
    return report;
}

int main(void) {
    prova_key *agent = NULL;
    prova_doc *call = NULL;
    prova_buf env = PROVA_BUF_INIT;
    prova_error err = {0};
    int rc = 1;

    /* The agent's Ed25519 key (an operator would load it: prova_key_load_file). */
    if (prova_key_generate(PROVA_SIG_ED25519, &agent) < 0) {
        fputs("sign_tool_call: no key\n", stderr);
        return 1;
    }
    static const char payload[] = "{\"tool\":\"search\",\"args\":{\"q\":\"weather in Lyon\"}}";
    if (prova_json_parse(payload, sizeof payload - 1, NULL, &call, &err) < 0) {
        rc = fail("parse", &err);
        goto out;
    }
    char ts[PROVA_TIME_MAX];
    prova_time_format((int64_t)time(NULL) * 1000000, ts);
    prova_ope_envelope_params p = {
        .payload_type = "agent.tool_call", .target_type = "tool.result", .trace_id = "run-1", .ts = ts};
    if (prova_ope_envelope_pack(agent, prova_doc_root(call), &p, &env, &err) < 0) {
        rc = fail("pack", &err);
        goto out;
    }
    printf("%.*s\n", (int)env.len, (const char *)env.data);

    prova_report *r = verify_envelope(&env, agent);
    bool ok = r != NULL && prova_report_outcome(r) == PROVA_OUTCOME_VALID;
    prova_report_free(r);
    if (!ok) {
        fputs("sign_tool_call: the fresh envelope does not verify\n", stderr);
        goto out;
    }

    /* Someone edits the logged call: Lyon becomes Paris. */
    uint8_t *city = find(&env, "Lyon");
    if (city == NULL) {
        goto out;
    }
    memcpy(city, "Pari", 4);
    r = verify_envelope(&env, agent);
    const prova_check *first = r ? prova_report_first_failure(r) : NULL;
    ok = r != NULL && prova_report_outcome(r) == PROVA_OUTCOME_INVALID && first != NULL &&
         strcmp(first->code, "cid_mismatch") == 0;
    if (ok) {
        printf("edited call: INVALID, %s: %s (%s)\n", first->check, first->message, first->code);
        rc = 0;
    } else {
        fputs("sign_tool_call: the edited envelope was not caught as cid_mismatch\n", stderr);
    }
    prova_report_free(r);
out:
    prova_buf_free(&env);
    prova_doc_free(call);
    prova_key_free(agent);
    return rc;
}
