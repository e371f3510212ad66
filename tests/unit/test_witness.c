/* The witness (src/app/witness.c): the RFC 9162 consistency check on the C2SP / transparency-dev vectors
 * (tests/data/tlog/merkle/consistency, each labelled wantErr) and the add-checkpoint body parser. The witness over
 * HTTP is tests/witness/test_witness.py. */
#define _DEFAULT_SOURCE /* d_type */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "witness.h"

static int slurp(const char *path, prova_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = prova_buf_append(out, chunk, n);
    fclose(f);
    return rc;
}

/* A base64 member of 32 bytes into out; false otherwise. A root of another length (some vectors use "don't care"
 * strings where only equality matters) is mapped to its SHA-256, which keeps equality. */
static bool hash32(const prova_json *v, uint8_t out[32], bool any_length) {
    size_t got = 0;
    uint8_t tmp[256], h[PROVA_HASH_MAX_BYTES];
    if (!v || !prova_json_is_string(v)) return false;
    if (prova_base64_decode(prova_json_str(v), prova_json_len(v), tmp, sizeof tmp, &got, NULL) != 0) return false;
    if (got != 32) {
        if (!any_length || prova_hash_compute(PROVA_HASH_SHA256, tmp, got, h) != 0) return false;
        memcpy(out, h, 32);
        return true;
    }
    memcpy(out, tmp, 32);
    return true;
}

static unsigned vectors_run;

static void one_vector(const char *path) {
    prova_buf b = PROVA_BUF_INIT;
    prova_doc *doc = NULL;
    CHECK_MSG(slurp(path, &b) == 0, "%s", path);
    CHECK_MSG(prova_json_parse(b.data, b.len, NULL, &doc, NULL) == 0, "%s", path);
    if (!doc) {
        prova_buf_free(&b);
        return;
    }
    const prova_json *r = prova_doc_root(doc);
    int64_t s1 = -1, s2 = -1;
    bool want_err = prova_json_typeof(prova_json_get(r, "wantErr")) == PROVA_JSON_TRUE;
    (void)!prova_json_get_int64(prova_json_get(r, "size1"), &s1);
    (void)!prova_json_get_int64(prova_json_get(r, "size2"), &s2);
    uint8_t root1[32] = {0}, root2[32] = {0}, proof[70 * 32];
    bool well_formed = s1 >= 0 && s2 >= 0 && hash32(prova_json_get(r, "root1"), root1, true) &&
                       hash32(prova_json_get(r, "root2"), root2, true);
    const prova_json *pr = prova_json_get(r, "proof");
    size_t n = pr && prova_json_is_array(pr) ? prova_json_len(pr) : 0;
    if (n > 70) well_formed = false;
    for (size_t i = 0; well_formed && i < n; i++) well_formed = hash32(prova_json_at(pr, i), proof + 32 * i, false);
    bool ok = well_formed && witness_consistency_ok((uint64_t)s1, (uint64_t)s2, root1, root2, proof, n);
    CHECK_MSG(ok == !want_err, "%s: consistent=%d, wantErr=%d", path, ok, want_err);
    vectors_run++;
    prova_doc_free(doc);
    prova_buf_free(&b);
}

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    CHECK_MSG(d != NULL, "%s", dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t l = strlen(e->d_name);
        if (e->d_type == DT_DIR)
            walk(path);
        else if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
            one_vector(path);
    }
    closedir(d);
}

static const char *parse_reason(const char *body) {
    witness_request rq;
    const char *reason = NULL;
    int rc = witness_parse_request((const uint8_t *)body, strlen(body), &rq, &reason);
    return rc == 0 ? "ok" : reason;
}

static void test_parser(void) {
    static const char cp[] = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— x AAAA\n";
    char body[8192];
    snprintf(body, sizeof body, "old 0\n\n%s", cp);
    CHECK_STR(parse_reason(body), "ok");
    witness_request rq;
    const char *reason;
    CHECK(witness_parse_request((const uint8_t *)body, strlen(body), &rq, &reason) == 0);
    CHECK(rq.old_size == 0 && rq.nproof == 0 && rq.note_len == strlen(cp) && memcmp(rq.note, cp, rq.note_len) == 0);
    snprintf(body, sizeof body, "old 18446744073709551615\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n%s", cp);
    CHECK_STR(parse_reason(body), "ok");
    CHECK(witness_parse_request((const uint8_t *)body, strlen(body), &rq, &reason) == 0 && rq.nproof == 1 &&
          rq.old_size == UINT64_MAX);
    CHECK_STR(parse_reason("old 18446744073709551616\n\nx\n"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("old 01\n\nx\n"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("old -1\n\nx\n"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("old  1\n\nx\n"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("old \n\nx\n"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("Old 1\n\nx\n"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("old 1"), "witness_old_size_invalid");
    CHECK_STR(parse_reason("old 1\n"), "witness_body_truncated");
    CHECK_STR(parse_reason("old 1\n\n"), "witness_body_truncated");
    CHECK_STR(parse_reason("old 1\nAAAA\n\nx\n"), "witness_proof_hash_invalid");
    CHECK_STR(parse_reason("old 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n\nx\n"), "witness_proof_hash_invalid");
    CHECK_STR(parse_reason("old 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n\nx\n"), "witness_proof_hash_invalid");
    /* 63 proof lines are the most a client may send; 64 is refused. */
    for (size_t lines = 63; lines <= 64; lines++) {
        size_t off = (size_t)snprintf(body, sizeof body, "old 5\n");
        for (size_t i = 0; i < lines; i++)
            off += (size_t)snprintf(body + off, sizeof body - off, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        snprintf(body + off, sizeof body - off, "\nx\n");
        CHECK_STR(parse_reason(body), lines == 63 ? "ok" : "witness_proof_too_long");
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_witness DATA_DIR\n");
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tlog/merkle/consistency", argv[1]);
    walk(dir);
    CHECK_MSG(vectors_run >= 90, "only %u consistency vectors", vectors_run);
    printf("%u consistency vectors\n", vectors_run);
    /* The cases RFC 9162 leaves to the caller. */
    uint8_t a[32] = {1}, b[32] = {2}, empty[PROVA_HASH_MAX_BYTES];
    CHECK(prova_hash_compute(PROVA_HASH_SHA256, "", 0, empty) == 0);
    CHECK(witness_consistency_ok(0, 0, empty, empty, NULL, 0));
    CHECK(!witness_consistency_ok(0, 0, a, a, NULL, 0));     /* size 0 has one root */
    CHECK(!witness_consistency_ok(0, 7, empty, b, NULL, 0)); /* meaningless: add-checkpoint handles old 0 itself */
    CHECK(!witness_consistency_ok(0, 7, empty, b, a, 1));
    CHECK(witness_consistency_ok(7, 7, a, a, NULL, 0));
    CHECK(!witness_consistency_ok(7, 7, a, b, NULL, 0));
    CHECK(!witness_consistency_ok(7, 7, a, a, a, 1));
    CHECK(!witness_consistency_ok(8, 7, a, a, NULL, 0));
    test_parser();
    TEST_SUMMARY();
}
