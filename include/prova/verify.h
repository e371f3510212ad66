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
    /* Log proofs carried by the document ("tlog_proofs", docs/tlog.md "Proofs in exports"). Without a log key and
       without a policy they are reported as present and unchecked (warning log_proof_unchecked). */
    const char *const *log_keys; /* the log's verifier keys (vkey text, NUL-terminated), nlog_keys of them */
    size_t nlog_keys;
    const char *log_policy; /* a c2sp.org/tlog-policy text (witnesses and quorum; its logs are trusted too) */
    size_t log_policy_len;  /* NULL/0: no policy, quorum none */
    bool require_log_proof; /* a record without a proof is a failed check (log_proof_missing), not a warning */
    /* Proofs carried beside the document (FILE.tlog-proof, for formats that cannot embed them: proof records, flat
       OPE bundles; or any other): each is matched to the record whose entry it includes and checked like an
       embedded one. */
    const struct prova_log_proof_in *log_proofs;
    size_t nlog_proofs;
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

/* ---- Log proofs in exports (docs/tlog.md, "Proofs in exports") -------------------------------------------- */

/* One proof to attach: the c2sp.org/tlog-proof@v1 text of a record's log entry. */
typedef struct prova_log_proof_in { /* also the sidecar proofs of prova_verify_options */
    const char *proof;              /* the tlog-proof text (not NUL-terminated necessarily) */
    size_t len;
} prova_log_proof_in;
/* sizeof(prova_log_proof_in) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_log_proof_in_sizeof(void);

/* Attaches proofs to a document (an OPE bundle of the starter or ope-lib form, an OpenExecution offline bundle):
 * appends to out the document's bytes with a top-level member "tlog_proofs" added (the bytes before it unchanged,
 * so what the record's own hashes and signatures cover is unchanged), one item per proof:
 *   {"kind":"receipt","log_index":N,"proof":"<tlog-proof text>","record":"/bundle/receipts/3"}
 * Each proof is matched to its record without any key: the record whose entry (prova_log_entry_of_*) has the
 * leaf hash from which the proof's inclusion path reaches its checkpoint's root. The checkpoint's signatures are
 * not checked here (the verifier does). Errors (out unchanged): PROVA_ESYNTAX "json_*" (not JSON) or a
 * prova_tlog_proof_parse reason; PROVA_EUNSUPPORTED "log_proofs_not_embeddable" (a document whose hashes cover every
 * top-level member: a proof record, a flat OPE bundle; or of no known kind); PROVA_EINVAL "log_proof_no_record" (no
 * record of the document is the proof's entry), "log_proofs_present" (the document has a tlog_proofs member already:
 * attach all proofs at once, to the document as exported), "log_proof_duplicate" (two proofs of one record);
 * PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_log_proofs_attach(const void *doc, size_t len, const prova_log_proof_in *proofs,
                                                         size_t nproofs, prova_buf *out, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_VERIFY_H */
