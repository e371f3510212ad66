/* prova/keyset.h — a set of trusted public keys, looked up by kid: what every verifier is given (prova_verify_options
 * in prova/verify.h, prova_dsse_verify_options in prova/intoto.h) to decide which signatures it trusts.
 *
 * Each key remembers where it came from ("jwks:FILE", "key:FILE", "embedded") so that reports can say which key
 * verified what. prova/ope.h includes this header (the key sets were declared there before).
 *
 * Example:
 *     prova_keyset *ks = prova_keyset_new();
 *     int n = prova_keyset_add_jwks(ks, jwks_text, jwks_len, "jwks:senders.json", &err);   // keys added, or < 0
 *     prova_verify_options o = {.keys = ks};
 *     ...
 *     prova_keyset_free(ks);
 */
#ifndef PROVA_KEYSET_H
#define PROVA_KEYSET_H

#include "common.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prova_keyset prova_keyset;

/* A new empty set; NULL on allocation failure. */
PROVA_EXPORT prova_keyset *prova_keyset_new(void);
/* Frees the set and its keys. NULL is a no-op. Returns NULL. */
PROVA_EXPORT prova_keyset *prova_keyset_free(prova_keyset *ks);
/* Adds key (ownership moves to the set, also on failure). 0, PROVA_EINVAL or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_keyset_add(prova_keyset *ks, prova_key *key, const char *source);
/* Adds every key of a JWKS document {"keys":[...]}; keys of unsupported types (e.g. RSA) are skipped, malformed
 * ones are an error. A "status" member ("active"/"legacy") is accepted and does not matter for verification: a
 * legacy key still verifies what it signed. Returns the number of keys added (>= 0) or a negative status. */
PROVA_EXPORT PROVA_NODISCARD int prova_keyset_add_jwks(prova_keyset *ks, const void *json, size_t len,
                                                       const char *source, prova_error *reterr);
/* The key with this kid, or NULL; *ret_source (optional) receives its source. */
PROVA_EXPORT const prova_key *prova_keyset_find(const prova_keyset *ks, const char *kid, const char **ret_source);
/* The number of keys in the set (0 for NULL). */
PROVA_EXPORT size_t prova_keyset_count(const prova_keyset *ks);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_KEYSET_H */
