/* Trusted keys by kid, with where each came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ope_internal.h"

typedef struct ks_entry {
    prova_key *key;
    char *source;
} ks_entry;

struct prova_keyset {
    ks_entry *v;
    size_t n, cap;
};

prova_keyset *prova_keyset_new(void) {
    return calloc(1, sizeof(prova_keyset));
}

prova_keyset *prova_keyset_free(prova_keyset *ks) {
    if (!ks) return NULL;
    for (size_t i = 0; i < ks->n; i++) {
        prova_key_free(ks->v[i].key);
        free(ks->v[i].source);
    }
    free(ks->v);
    free(ks);
    return NULL;
}

int prova_keyset_add(prova_keyset *ks, prova_key *key, const char *source) {
    if (!ks || !key) {
        prova_key_free(key);
        return PROVA_EINVAL;
    }
    size_t sl = strlen(source ? source : "");
    char *src = malloc(sl + 1);
    if (!src || prova__grow(prova_allocator_default(), (void **)&ks->v, &ks->cap, ks->n + 1, sizeof *ks->v) < 0) {
        free(src);
        prova_key_free(key);
        return PROVA_ENOMEM;
    }
    memcpy(src, source ? source : "", sl + 1);
    ks->v[ks->n].key = key;
    ks->v[ks->n].source = src;
    ks->n++;
    return 0;
}

int prova_keyset_add_jwks(prova_keyset *ks, const void *json, size_t len, const char *source, prova_error *reterr) {
    if (!ks || (!json && len)) return PROVA_EINVAL;
    prova_parse_options o = {.max_depth = 16, .max_size = (size_t)4 << 20};
    prova_doc *doc = NULL;
    int r = prova_json_parse(json, len, &o, &doc, reterr);
    if (r < 0) return r;
    const prova_json *root = prova_doc_root(doc);
    const prova_json *keys = prova_json_get(root, "keys");
    if (!prova_json_is_array(keys)) {
        if (reterr) {
            /* One JWK where a set was expected: name it, and whether it holds a private key. */
            bool single = prova_json_get(root, "kty") != NULL;
            prova_error_clear(reterr);
            reterr->status = PROVA_ESYNTAX;
            reterr->reason = single ? "jwks_single_key" : "jwks_invalid";
            reterr->message = !single ? "a JWKS must be an object with a \"keys\" array"
                              : prova_json_get(root, "d")
                                  ? "a single JWK holding a private key, not a JWKS {\"keys\":[...]} of public keys"
                                  : "a single JWK, not a JWKS {\"keys\":[...]}";
        }
        prova_doc_free(doc);
        return PROVA_ESYNTAX;
    }
    int added = 0;
    for (size_t i = 0; i < prova_json_len(keys); i++) {
        prova_key *k = NULL;
        r = prova_key_from_jwk_value(prova_json_at(keys, i), &k, reterr);
        if (r == PROVA_EUNSUPPORTED) continue; /* e.g. an RSA key published beside ours */
        if (r == 0) r = prova_keyset_add(ks, k, source);
        if (r < 0) {
            prova_doc_free(doc);
            return r;
        }
        added++;
    }
    prova_doc_free(doc);
    return added;
}

const prova_key *prova_keyset_find(const prova_keyset *ks, const char *kid, const char **ret_source) {
    if (!ks || !kid) return NULL;
    /* Latest first: a key added later (e.g. a rotated key file) wins over an older entry with the same kid. */
    for (size_t i = ks->n; i-- > 0;) {
        if (strcmp(prova_key_kid(ks->v[i].key), kid) == 0) {
            if (ret_source) *ret_source = ks->v[i].source;
            return ks->v[i].key;
        }
    }
    return NULL;
}

size_t prova_keyset_count(const prova_keyset *ks) {
    return ks ? ks->n : 0;
}

const prova_key *prova__keyset_at(const prova_keyset *ks, size_t i, const char **ret_source) {
    if (!ks || i >= ks->n) return NULL;
    if (ret_source) *ret_source = ks->v[i].source;
    return ks->v[i].key;
}

const char *prova__keyset_describe(const prova_keyset *ks, char *buf, size_t cap) {
    if (!buf || cap == 0) return buf;
    size_t n = ks ? ks->n : 0, listed = 0, i = 0, len = 0;
    buf[0] = '\0';
    if (n == 0) {
        snprintf(buf, cap, "no keys are trusted");
        return buf;
    }
    len = (size_t)snprintf(buf, cap, "trusted:");
    for (; i < n && listed < PROVA__KEYSET_LISTED && len < cap; i++) {
        const char *kid = prova_key_kid(ks->v[i].key);
        bool seen = false; /* the same key from two files is listed once */
        for (size_t j = 0; j < i && !seen; j++) seen = strcmp(prova_key_kid(ks->v[j].key), kid) == 0;
        if (seen) continue;
        len += (size_t)snprintf(buf + len, cap - len, "%s %s", listed ? "," : "", kid);
        listed++;
    }
    if (i < n && len < cap) snprintf(buf + len, cap - len, " and %zu more", n - i);
    return buf;
}

bool prova__key_same_public(const prova_key *a, const prova_key *b) {
    if (!a || !b || prova_key_alg(a) != prova_key_alg(b)) return false;
    uint8_t pa[160], pb[160]; /* the largest is a P-521 point, 133 bytes */
    size_t na = prova_key_public_raw(a, pa, sizeof pa), nb = prova_key_public_raw(b, pb, sizeof pb);
    return na && na == nb && memcmp(pa, pb, na) == 0;
}

const prova_key *prova__keyset_find_public(const prova_keyset *ks, const prova_key *key, const char **ret_source) {
    for (size_t i = 0; ks && i < ks->n; i++) {
        if (prova__key_same_public(ks->v[i].key, key)) {
            if (ret_source) *ret_source = ks->v[i].source;
            return ks->v[i].key;
        }
    }
    return NULL;
}
