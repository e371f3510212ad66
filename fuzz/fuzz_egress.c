/* libFuzzer target: the egress policy (src/app/egress_policy.c) on hostile text — forward_url parsing, allowlist
 * and CIDR settings, the verdict, address classes. The input is split at its first NUL byte: before it a URL,
 * after it the settings (allowlist entries, then after a second NUL the addresses). Invariants: no crash, leak or
 * UB; a parsed URL has a non-empty lowercase host and a port in 1-65535; the verdict is JSON of the starter's shape;
 * an address allowed by a policy without settings is public. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"

#include "egress_policy.h"
#include "prova/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *in = (const char *)data;
    const char *nul = memchr(in, 0, size);
    size_t ulen = nul ? (size_t)(nul - in) : size;
    /* the settings, as NUL-terminated strings */
    char *allow = NULL, *addrs = NULL;
    if (nul) {
        size_t rest = size - ulen - 1;
        allow = malloc(rest + 1);
        ASSERT(allow);
        memcpy(allow, nul + 1, rest);
        allow[rest] = '\0';
        size_t al = strlen(allow);
        if (al < rest) addrs = allow + al + 1; /* after the second NUL (terminated by the one added) */
    }
    static const char *const profiles[] = {NULL, "medium", "open"};
    egress_policy *p = NULL;
    char err[300];
    int rc = egress_policy_new(profiles[size % 3], allow, NULL, addrs, size & 4, &p, err, sizeof err);
    ASSERT(rc == 0 || (rc == PROVA_EINVAL && !p && err[0]));
    egress_url u;
    const char *why = NULL;
    if (egress_url_parse(in, ulen, &u, &why) == 0) {
        ASSERT(u.host[0] && u.port >= 1 && u.port <= 65535 && !why);
        for (const char *h = u.host; *h; h++) ASSERT(!(*h >= 'A' && *h <= 'Z'));
        if (p) {
            prova_buf b = PROVA_BUF_INIT;
            bool passed = false;
            char reason[320];
            ASSERT(egress_policy_eval(p, &u, &b, &passed, reason, sizeof reason) == 0);
            prova_doc *d = NULL;
            ASSERT(prova_json_parse(b.data, b.len, NULL, &d, NULL) == 0);
            const prova_json *root = prova_doc_root(d);
            ASSERT(prova_json_is_bool(prova_json_get(root, "passed")));
            ASSERT(prova_json_len(prova_json_get(root, "rules")) == 1);
            prova_doc_free(d);
            prova_buf_free(&b);
        }
    } else {
        ASSERT(why);
    }
    /* the first 16 bytes as an address of each family */
    uint8_t a[16] = {0};
    memcpy(a, data, size < 16 ? size : 16);
    egress_policy *bare = NULL;
    ASSERT(egress_policy_new(NULL, NULL, NULL, NULL, false, &bare, err, sizeof err) == 0);
    for (int fam = 0; fam < 2; fam++) {
        int f = fam ? AF_INET6 : AF_INET;
        egress_addr_class c = egress_addr_classify(f, a);
        const char *bare_why = egress_policy_address(bare, f, a);
        ASSERT((c == EGRESS_ADDR_PUBLIC) == (bare_why == NULL));
        if (p) (void)egress_policy_address(p, f, a);
    }
    egress_policy_free(bare);
    egress_policy_free(p);
    free(allow);
    return 0;
}
