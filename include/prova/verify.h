/* prova/verify.h — one entry point that verifies any document prova knows, and the options every family takes.
 *
 * Families: ODIN OPE v1 (prova/ope.h), OpenExecution v2 (prova/oe.h) and Ophamin proof records (prova/proof.h).
 * The answer is always the unified report of prova/report.h.
 */
#ifndef PROVA_VERIFY_H
#define PROVA_VERIFY_H

#include <stdbool.h>

#include "common.h"
#include "keyset.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_DEFAULT_MAX_SKEW_S 300
PROVA_EXPORT int64_t prova_default_max_skew_s(void);

typedef struct prova_verify_options {
    const prova_keyset *keys;    /* trusted keys (may be NULL) */
    bool trust_embedded_key;     /* accept a key carried by the document (starter sender.jwk); the report says so */
    int64_t now_us;              /* the verifier's clock, microseconds since the epoch (reproducible runs pass it) */
    int64_t max_skew_s;          /* freshness window; 0 = PROVA_DEFAULT_MAX_SKEW_S */
    bool no_skew;                /* do not check ts freshness */
    const char *hmac_key_b64;    /* proof records: the HMAC key as standard base64 ("" = the public default key);
                                    NULL = see allow_default_hmac_key (prova/proof.h) */
    const char *hash_alg;        /* OpenExecution events as JSON Lines: the chain's hash algorithm (NULL: from the
                                    hash length, 64/96/128 hex = sha256/sha384/sha512) */
    unsigned threads;            /* JSON Lines chains: verify with this many threads (0 or 1: the calling thread) */
    bool allow_default_hmac_key; /* proof records without hmac_key_b64: try the public default key (a match
                                    proves integrity against accidents only; the report warns) */
    uint32_t max_depth;          /* nesting limit of a whole-document input (0: the parser's default, 128); each
                                    line of JSON Lines keeps the default */
} prova_verify_options;
/* sizeof(prova_verify_options) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_verify_options_sizeof(void);

/* Parses data, detects the family and kind (an OPE envelope, receipt, receipt chain or bundle; an OpenExecution
 * bundle, chain record or events; JSON Lines of OPE receipts or of OpenExecution events; an Ophamin proof record,
 * which may hold NaN/Infinity and lone surrogates like the Python values it comes from; and the wrappers of
 * prova/intoto.h and prova/cloudevents.h: a DSSE envelope (kind "dsse_envelope": its signatures by keyid against
 * o->keys, HMAC ones under the proof records' HMAC key option, its Statement, then the record inside) or a
 * structured CloudEvent (kind "cloudevent": its attributes, then the record in its data)) and verifies it.
 * Returns 0 whenever a report was produced (*ret_report, owned by the caller; valid or not); PROVA_ESYNTAX for
 * input that is not JSON (a report is still returned, with the parse failure as a check, and reterr names it);
 * PROVA_ENOMEM or PROVA_EINVAL otherwise. A document of no known kind gives a report with a failed "kind" check. */
PROVA_EXPORT PROVA_NODISCARD int prova_verify_document(const void *data, size_t len, const prova_verify_options *o,
                                                       prova_report **ret_report, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_VERIFY_H */
