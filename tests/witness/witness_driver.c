/* The witness client (src/app/witness_client.c) for tests/witness/test_witness.py, over real HTTP.
 *
 *   witness_driver submit URL OLD NOTE_FILE [BASE64_HASH...]
 *       0: the cosignature lines on stdout; 1: "conflict SIZE" (409); 2: an error on stderr. TRACEPARENT and
 *       TRACESTATE in the environment: the trace context sent along; WITNESS_DRIVER_STATUS set: "status N" (the
 *       answer's HTTP status) on stderr
 *   witness_driver quorum POLICY_FILE NOTE_FILE [REPLY_FILE...]
 *       0: quorum met, the cosigned note on stdout; 1: not met (the reason on stderr); 2: other errors */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prova/encoding.h"
#include "witness.h"

static int slurp(const char *path, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (prova_buf_append(out, chunk, n) != 0) break;
    fclose(f);
    return 0;
}

static int submit(int argc, char **argv) {
    uint64_t old = strtoull(argv[3], NULL, 10);
    prova_buf note = PROVA_BUF_INIT, cosigs = PROVA_BUF_INIT;
    if (slurp(argv[4], &note) != 0) return 2;
    uint8_t proof[WITNESS_MAX_PROOF * WITNESS_HASH_BYTES];
    size_t n = 0;
    for (int i = 5; i < argc && n < WITNESS_MAX_PROOF; i++, n++) {
        size_t got;
        if (prova_base64_decode(argv[i], strlen(argv[i]), proof + n * WITNESS_HASH_BYTES, WITNESS_HASH_BYTES, &got,
                                NULL) != 0)
            return 2;
    }
    char err[512];
    uint64_t size = 0;
    long status = 0;
    /* TRACEPARENT (and TRACESTATE) in the environment: the caller's trace context, sent along */
    otel_ctx ctx;
    otel_ctx_parse(&ctx, getenv("TRACEPARENT"), getenv("TRACESTATE"));
    int rc = witness_submit(argv[2], old, proof, n, note.data, note.len, 5000, &ctx, &cosigs, &size, &status, err,
                            sizeof err);
    if (getenv("WITNESS_DRIVER_STATUS")) fprintf(stderr, "status %ld\n", status);
    if (rc == 0) fwrite(cosigs.data, 1, cosigs.len, stdout);
    if (rc == WITNESS_SUBMIT_CONFLICT) printf("conflict %" PRIu64 "\n", size);
    if (rc < 0) fprintf(stderr, "%s (%s)\n", err, prova_status_name(rc));
    prova_buf_free(&note);
    prova_buf_free(&cosigs);
    return rc == 0 ? 0 : rc == WITNESS_SUBMIT_CONFLICT ? 1 : 2;
}

static int quorum(int argc, char **argv) {
    prova_buf pol = PROVA_BUF_INIT, note = PROVA_BUF_INIT, out = PROVA_BUF_INIT;
    prova_buf replies[16];
    size_t nr = 0;
    if (slurp(argv[2], &pol) != 0 || slurp(argv[3], &note) != 0) return 2;
    for (int i = 4; i < argc && nr < 16; i++) {
        replies[nr] = (prova_buf)PROVA_BUF_INIT;
        if (slurp(argv[i], &replies[nr++]) != 0) return 2;
    }
    prova_tlog_policy *p = NULL;
    prova_error err;
    prova_error_clear(&err);
    if (prova_tlog_policy_parse(pol.data, pol.len, &p, &err) != 0) {
        fprintf(stderr, "policy: %s\n", err.reason);
        return 2;
    }
    int rc = witness_cosigned_quorum(p, NULL, note.data, note.len, replies, nr, &out, &err);
    if (rc == 0) fwrite(out.data, 1, out.len, stdout);
    if (rc) fprintf(stderr, "%s %s\n", prova_status_name(rc), err.reason);
    for (size_t i = 0; i < nr; i++) prova_buf_free(&replies[i]);
    prova_tlog_policy_free(p);
    prova_buf_free(&pol);
    prova_buf_free(&note);
    prova_buf_free(&out);
    return rc == 0 ? 0 : rc == PROVA_EVERIFY ? 1 : 2;
}

int main(int argc, char **argv) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = 2;
    if (argc >= 5 && strcmp(argv[1], "submit") == 0)
        rc = submit(argc, argv);
    else if (argc >= 4 && strcmp(argv[1], "quorum") == 0)
        rc = quorum(argc, argv);
    else
        fprintf(stderr, "usage: witness_driver submit URL OLD NOTE [HASH...] | quorum POLICY NOTE [REPLY...]\n");
    curl_global_cleanup();
    return rc;
}
