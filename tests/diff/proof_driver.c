/* A tiny command-line face on prova's proof-record API, for the differential test proof_cross.py (an independent
 * Python implementation of the Ophamin reference). Not installed.
 *
 *   proof_driver all KEYHEX SEEDHEX AUTHOR FILE   four lines: the body bytes, proof_id, the record signed under the
 *                                                 key, the record signed and attested with the Ed25519 seed
 *   proof_driver impl KEYB64 SERVER FILE          prova_proof_verify_impl() with the key from
 *                                                 prova_proof_key_decode() (KEYB64 "-" = the empty string)
 *   proof_driver report [--key B64] [--allow-default] [--trust-embedded] FILE
 *                                                 prova_verify_document()'s report as JSON
 *   proof_driver iso STRING...                    datetime.fromisoformat as validate() uses it: one line per
 *                                                 argument, "<microseconds> aware|naive" or "invalid"
 *
 * Records are parsed with NaN/Infinity and lone surrogates allowed (they are Python values). Errors go to stdout
 * as "error: <status> <reason>" (exit status 2), so that the test can compare them. */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prova/encoding.h"
#include "prova/proof.h"
#include "prova/verify.h"

/* Internal (src/lib/proof/proof_internal.h); the driver links the static library. */
bool prova__py_isoformat(const char *s, size_t n, int64_t *us, bool *aware);

static int fail(int status, const char *reason) {
    printf("error: %s %s\n", prova_status_name(status), reason ? reason : "");
    return 2;
}

static char *read_file(const char *path, size_t *ret_n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *ret_n = n;
    return b;
}

static uint8_t *hex_arg(const char *hex, size_t *ret_n) {
    size_t len = strlen(hex);
    uint8_t *b = malloc(len / 2 + 1);
    if (b && prova_hex_decode(hex, len, b, len / 2 + 1, ret_n, NULL) < 0) {
        free(b);
        return NULL;
    }
    return b;
}

static void put_line(const prova_buf *b) {
    fwrite(b->data, 1, b->len, stdout);
    fputc('\n', stdout);
}

static int cmd_all(const char *keyhex, const char *seedhex, const char *author, const char *path) {
    size_t kn = 0, sn = 0, n = 0;
    uint8_t *key = hex_arg(keyhex, &kn), *seed = hex_arg(seedhex, &sn);
    char *text = read_file(path, &n);
    int rc = 2;
    prova_doc *doc = NULL;
    prova_key *ak = NULL;
    prova_error err;
    prova_parse_options po = {.flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES};
    if (!key || !seed || sn != 32 || !text) {
        fprintf(stderr, "bad arguments\n");
        goto done;
    }
    int r = prova_json_parse(text, n, &po, &doc, &err);
    if (r < 0) {
        rc = fail(r, err.reason);
        goto done;
    }
    if ((r = prova_key_from_ed25519_seed(seed, &ak)) < 0) {
        rc = fail(r, "seed");
        goto done;
    }
    const prova_json *rec = prova_doc_root(doc);
    prova_buf body = PROVA_BUF_INIT, s1 = PROVA_BUF_INIT, s2 = PROVA_BUF_INIT;
    char id[PROVA_PROOF_HEX_LEN + 1];
    r = prova_proof_body(rec, &body, &err);
    if (r == 0) r = prova_proof_id(rec, id, &err);
    if (r == 0) r = prova_proof_sign(rec, key, kn, NULL, NULL, &s1, &err);
    if (r == 0) r = prova_proof_sign(rec, key, kn, ak, author, &s2, &err);
    if (r == 0) {
        put_line(&body);
        printf("%s\n", id);
        put_line(&s1);
        put_line(&s2);
        rc = 0;
    } else {
        rc = fail(r, err.reason);
    }
    prova_buf_free(&body);
    prova_buf_free(&s1);
    prova_buf_free(&s2);
done:
    prova_key_free(ak);
    prova_doc_free(doc);
    free(key);
    free(seed);
    free(text);
    return rc;
}

static int cmd_impl(const char *b64, const char *server, const char *path) {
    size_t n = 0;
    char *text = read_file(path, &n);
    if (!text) return fail(PROVA_EIO, "read");
    uint8_t *key = NULL;
    size_t kn = 0;
    prova_error err;
    int r = prova_proof_key_decode(strcmp(b64, "-") == 0 ? "" : b64, &key, &kn, &err);
    if (r < 0) {
        free(text);
        return fail(r, err.reason);
    }
    prova_buf out = PROVA_BUF_INIT;
    r = prova_proof_verify_impl(text, n, key, kn, server, &out, &err);
    int rc = r == 0 ? 0 : fail(r, err.reason);
    if (r == 0) put_line(&out);
    prova_buf_free(&out);
    prova_proof_key_free(key, kn);
    free(text);
    return rc;
}

static int cmd_report(int argc, char **argv) {
    prova_verify_options o = {0};
    int i = 0;
    for (; i < argc - 1; i++) {
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc - 1)
            o.hmac_key_b64 = argv[++i];
        else if (strcmp(argv[i], "--allow-default") == 0)
            o.allow_default_hmac_key = true;
        else if (strcmp(argv[i], "--trust-embedded") == 0)
            o.trust_embedded_key = true;
        else
            return fail(PROVA_EINVAL, "usage");
    }
    if (i != argc - 1) return fail(PROVA_EINVAL, "usage");
    size_t n = 0;
    char *text = read_file(argv[i], &n);
    if (!text) return fail(PROVA_EIO, "read");
    prova_report *r = NULL;
    prova_error err;
    int rc = prova_verify_document(text, n, &o, &r, &err);
    free(text);
    if (!r) return fail(rc, err.reason);
    prova_buf js = PROVA_BUF_INIT;
    if (prova_report_to_json(r, &js) == 0) put_line(&js);
    prova_buf_free(&js);
    prova_report_free(r);
    return 0;
}

static int cmd_iso(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        int64_t us;
        bool aware;
        if (prova__py_isoformat(argv[i], strlen(argv[i]), &us, &aware))
            printf("%lld %s\n", (long long)us, aware ? "aware" : "naive");
        else
            printf("invalid\n");
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "all") == 0) return cmd_all(argv[2], argv[3], argv[4], argv[5]);
    if (argc == 5 && strcmp(argv[1], "impl") == 0) return cmd_impl(argv[2], argv[3], argv[4]);
    if (argc >= 3 && strcmp(argv[1], "report") == 0) return cmd_report(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "iso") == 0) return cmd_iso(argc - 2, argv + 2);
    fprintf(stderr, "usage: proof_driver all KEYHEX SEEDHEX AUTHOR FILE | impl KEYB64 SERVER FILE |\n"
                    "       report [--key B64] [--allow-default] [--trust-embedded] FILE | iso STRING...\n");
    return 2;
}
