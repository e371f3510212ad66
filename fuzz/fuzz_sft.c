/* libFuzzer target: payload transforms (prova/sft.h). The input is a mapping file, a NUL byte, then a payload: the
 * file goes through prova_sft_registry_add_mapping (validation), the payload through the file's transform (when it
 * loaded) and every built-in pair. Invariants: no crash, leak or UB; a refused file leaves the registry unchanged;
 * a successful run's payload is canonical (canonicalizing it again gives the same bytes), its cid is the SHA-256 of
 * those bytes, and its notes are one JSON object; a failure has a reason code. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

#include "prova/crypto.h"
#include "prova/encoding.h"
#include "prova/json.h"
#include "prova/sft.h"

static void check_run(const prova_sft_registry *r, const prova_json *payload, const char *from, const char *to) {
    prova_sft_result res = {0};
    prova_error err;
    int rc = prova_sft_run(r, payload, from, to, 0, &res, &err);
    if (rc < 0) {
        ASSERT(err.reason && err.reason[0] && err.status == rc);
        ASSERT(res.payload.len == 0 && res.id == NULL);
        return;
    }
    prova_buf again = PROVA_BUF_INIT;
    prova_parse_options po = {.max_depth = 100000};
    ASSERT(prova_canon_bytes(res.payload.data, res.payload.len, PROVA_PROFILE_OPE, &po, &again, NULL) == 0);
    ASSERT(again.len == res.payload.len && memcmp(again.data, res.payload.data, again.len) == 0);
    prova_buf_free(&again);
    uint8_t h[PROVA_SHA256_BYTES];
    char hex[2 * PROVA_SHA256_BYTES + 1];
    ASSERT(prova_hash_compute(PROVA_HASH_SHA256, res.payload.data, res.payload.len, h) == 0);
    for (size_t i = 0; i < sizeof h; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
    ASSERT(strncmp(res.cid, "sha256:", 7) == 0 && strcmp(res.cid + 7, hex) == 0);
    prova_doc *nd = NULL;
    ASSERT(prova_json_parse(res.notes.data, res.notes.len, NULL, &nd, NULL) == 0);
    ASSERT(prova_json_is_object(prova_doc_root(nd)));
    prova_doc_free(nd);
    prova_sft_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = memchr(data, 0, size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    prova_sft_registry *r = NULL;
    ASSERT(prova_sft_registry_new(&r) == 0);
    size_t before = prova_sft_registry_count(r);
    prova_error err;
    bool over = false;
    int rc = prova_sft_registry_add_mapping(r, data, mlen, &over, &err);
    if (rc < 0) {
        ASSERT(err.reason && strncmp(err.reason, "sft_map_", 8) == 0 && rc == PROVA_ESYNTAX);
        ASSERT(prova_sft_registry_count(r) == before);
    }
    if (nul) {
        prova_doc *doc = NULL;
        if (prova_json_parse(nul + 1, size - mlen - 1, NULL, &doc, NULL) == 0) {
            const prova_json *p = prova_doc_root(doc);
            size_t n = prova_sft_registry_count(r);
            for (size_t i = 0; i < n; i++) {
                const char *f, *t;
                ASSERT(prova_sft_registry_at(r, i, &f, &t, NULL, NULL) == 0);
                check_run(r, p, f, t);
            }
            check_run(r, p, "same.v1", "same.v1");
            prova_doc_free(doc);
        }
    }
    prova_sft_registry_free(r);
    return 0;
}
