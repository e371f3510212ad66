/* prova demo: canonicalize a sample record, sign it, verify it, and show that an edit is detected.
 * This is what `make run` does until the gateway exists. */
#include <string.h>

#include "cli.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/ope.h"

static const char sample[] =
    "{\n"
    "  \"agent\": \"travel-assistant\",\n"
    "  \"action\": \"book_flight\",\n"
    "  \"args\": {\"from\": \"ZRH\", \"to\": \"LIS\", \"date\": \"2026-12-03\", \"max_price_eur\": 420.0},\n"
    "  \"user\": \"Zoë\",\n"
    "  \"approved\": true,\n"
    "  \"step\": 3\n"
    "}\n";

static const char trace_id[] = "11111111-2222-4333-8444-555555555555";
static const char ts[] = "2026-11-22T12:00:00.000000+00:00";

/* The OPE v1 signing string "{cid}|{trace_id}|{ts}" into msg (replacing what it held); -1 on failure. */
static int sign_string(const char *cid, prova_buf *msg) {
    msg->len = 0;
    int r = prova_ope_signing_string(cid, strlen(cid), trace_id, sizeof trace_id - 1, ts, sizeof ts - 1, msg);
    return r < 0 ? -1 : (int)msg->len;
}

#define CID_LEN (7 + 2 * PROVA_SHA256_BYTES + 1)

static int cid_of(const char *json, size_t len, char cid[CID_LEN], prova_error *err) {
    prova_buf canon = PROVA_BUF_INIT;
    int r = prova_canon_bytes(json, len, PROVA_PROFILE_OPE, NULL, &canon, err);
    if (r == 0) {
        char hex[2 * PROVA_HASH_MAX_BYTES + 1];
        r = prova_hash_compute_hex(PROVA_HASH_SHA256, canon.data, canon.len, hex);
        if (r == 0) {
            memcpy(cid, "sha256:", 7);
            memcpy(cid + 7, hex, 2 * PROVA_SHA256_BYTES + 1);
        }
    }
    prova_buf_free(&canon);
    return r;
}

int cmd_demo(int argc, char **argv) {
    (void)argv;
    if (argc > 1) return cli_fail(EXIT_USAGE, "demo takes no arguments");
    prova_error err;
    prova_buf canon = PROVA_BUF_INIT, msg = PROVA_BUF_INIT;
    prova_key *key = NULL;
    int rc = EXIT_INTERNAL;

    printf("1. A record an agent produced (pretty JSON, %zu bytes):\n%s\n", strlen(sample), sample);
    if (prova_canon_bytes(sample, strlen(sample), PROVA_PROFILE_OPE, NULL, &canon, &err) < 0) {
        cli_report("sample", &err);
        goto out;
    }
    printf("2. Its canonical form under the ope profile (%zu bytes; keys sorted, no whitespace, raw UTF-8):\n%.*s\n\n",
           canon.len, (int)canon.len, (const char *)canon.data);

    char cid[CID_LEN];
    if (cid_of(sample, strlen(sample), cid, &err) < 0) goto out;
    printf("3. Content address (CID) = sha256 of those bytes:\n   %s\n\n", cid);

    if (prova_key_generate(PROVA_SIG_ED25519, &key) < 0) goto out;
    int mlen = sign_string(cid, &msg);
    uint8_t sig[PROVA_SIG_MAX_BYTES];
    size_t siglen;
    if (mlen < 0 || prova_key_sign(key, msg.data, (size_t)mlen, sig, &siglen) < 0) goto out;
    char sig_b64[PROVA_BASE64URL_LEN(PROVA_SIG_MAX_BYTES) + 1];
    prova_base64url_encode(sig, siglen, sig_b64, sizeof sig_b64);
    printf("4. Signed with a fresh Ed25519 key (kid %s)\n   over \"%.*s\":\n   sig = %s\n\n", prova_key_kid(key), mlen,
           (const char *)msg.data, sig_b64);

    int ok = prova_key_verify(key, msg.data, (size_t)mlen, sig, siglen);
    printf("5. Verify the untouched record: %s\n", ok == 0 ? "VALID" : "INVALID");

    /* An operator edits the log: 420.0 becomes 4200.0. Same signature, new content. */
    static const char edited[] =
        "{\"agent\":\"travel-assistant\",\"action\":\"book_flight\",\"args\":{\"from\":\"ZRH\",\"to\":\"LIS\","
        "\"date\":\"2026-12-03\",\"max_price_eur\":4200.0},\"user\":\"Zo\xc3\xab\",\"approved\":true,\"step\":3}";
    char cid2[CID_LEN];
    if (cid_of(edited, strlen(edited), cid2, &err) < 0) goto out;
    int m2 = sign_string(cid2, &msg);
    int bad = m2 < 0 ? -1 : prova_key_verify(key, msg.data, (size_t)m2, sig, siglen);
    printf("6. Verify after max_price_eur was edited to 4200.0: %s (CID is now %.23s...)\n",
           bad == 0 ? "VALID (unexpected!)" : "INVALID - the edit is detected", cid2);
    rc = ok == 0 && bad != 0 ? EXIT_OK : EXIT_INVALID;
out:
    if (rc == EXIT_INTERNAL) fprintf(stderr, "prova: demo failed\n");
    prova_key_free(key);
    prova_buf_free(&msg);
    prova_buf_free(&canon);
    return rc;
}
