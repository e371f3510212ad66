/* libFuzzer target: the parser, the document writer and the streaming canonicalizer, every profile.
 * Invariants: no crash, leak or UB; the two drivers accept the same inputs and write the same bytes;
 * canon(parse(canon(x))) == canon(x) (idempotence); a failure never leaves partial output behind. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "prova/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The first byte picks parse flags so the lenient ophamin paths are fuzzed too. */
    uint32_t flags = 0;
    if (size > 0 && data[0] == '#') {
        flags = PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES;
        data++;
        size--;
    }
    prova_parse_options o = {.flags = flags, .max_depth = 256};
    prova_doc *doc = NULL;
    prova_error err;
    int r = prova_json_parse(data, size, &o, &doc, &err);
    for (int p = PROVA_PROFILE_OPE; p <= PROVA_PROFILE_JCS; p++) {
        prova_buf a = PROVA_BUF_INIT, b = PROVA_BUF_INIT, c = PROVA_BUF_INIT;
        ASSERT(prova_buf_append(&b, "x", 1) == 0);
        int rs = prova_canon_bytes(data, size, (prova_profile)p, &o, &a, &err);
        if (r == 0) {
            int rd = prova_canon_write(prova_doc_root(doc), (prova_profile)p, &b, &err);
            if (rd == 0) {
                /* Flags are honoured by canon_bytes only for ophamin; the document keeps what it was parsed with. */
                if (p == PROVA_PROFILE_OPHAMIN || flags == 0) {
                    ASSERT(rs == 0);
                    ASSERT(a.len + 1 == b.len && memcmp(a.data, b.data + 1, a.len) == 0);
                }
                /* Idempotence. */
                prova_parse_options o2 = o;
                o2.max_depth = 100000;
                ASSERT(prova_canon_bytes(b.data + 1, b.len - 1, (prova_profile)p, &o2, &c, &err) == 0);
                ASSERT(c.len == b.len - 1 && memcmp(c.data, b.data + 1, c.len) == 0);
            } else {
                ASSERT(b.len == 1); /* nothing partial */
                ASSERT(err.reason && err.reason[0]);
            }
        } else {
            /* The streaming path may meet a value the profile cannot write before the parse error. */
            ASSERT(rs < 0 && a.len == 0);
            ASSERT(err.reason && (strncmp(err.reason, "json_", 5) == 0 || strncmp(err.reason, "canon_", 6) == 0));
        }
        prova_buf_free(&a);
        prova_buf_free(&b);
        prova_buf_free(&c);
    }
    prova_doc_free(doc);
    return 0;
}
