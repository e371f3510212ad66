/* prova/interop.h — what every bridge (in-toto/DSSE, CloudEvents, OpenLineage, RO-Crate) needs to know about a
 * record of any family: its family and kind, its content address, its own id and time. docs/interop.md.
 *
 * Content addresses (the in-toto subject digest, the CloudEvents id, the RO-Crate identifier):
 *   proof record        proof_id: SHA-256 of the ophamin canonical body, recomputed (a wire proof_id that differs is
 *                       refused: "record_digest_mismatch")
 *   OPE envelope        its cid: SHA-256 of the ope canonical payload, recomputed (a sent cid that differs is refused;
 *                       the starter dialect, which sends no cid, gets the recomputed one)
 *   OPE receipt         its receipt_hash (bare hex, or the lite form's "sha256:" + hex)
 *   OPE receipt chain   the last receipt's receipt_hash (the head: it commits to every receipt before it)
 *   OPE bundle          its bundle_cid
 *   OpenExecution       bundle: chain.chain_hash; chain record: chain_hash (a chain that is not resolved has none
 *                       and is refused: "record_not_resolved"); the algorithm is the chain's hash_algorithm
 * The stored addresses (receipt_hash, bundle_cid, chain_hash) are taken as the record states them: checking them is
 * verification's job (prova_verify_document), which `prova export` runs first.
 */
#ifndef PROVA_INTEROP_H
#define PROVA_INTEROP_H

#include <stdbool.h>

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum prova_record_family {
    PROVA_RECORD_OPE = 1, /* ODIN OPE v1: envelope, receipt, receipt chain, bundle */
    PROVA_RECORD_OE,      /* OpenExecution v2: certificate bundle, chain record */
    PROVA_RECORD_PROOF,   /* Ophamin EmpiricalProofRecord 1.0 */
} prova_record_family;

#define PROVA_RECORD_DIGEST_MAX 128 /* hex digits of the longest content address (sha512) */
PROVA_EXPORT size_t prova_record_digest_max(void);

typedef struct prova_record_info {
    prova_record_family family;
    const char *family_name; /* "ope", "oe", "proof" (static) */
    const char *kind;        /* "ope_envelope", "ope_receipt", "ope_receipt_chain", "ope_bundle", "oe_bundle",
                                "oe_chain", "proof_record" (static; the same names as the verification report) */
    char digest_alg[16];     /* in-toto DigestSet name: "sha256", "sha384", "sha512", "sha3-256", ... */
    char digest[PROVA_RECORD_DIGEST_MAX + 1]; /* lowercase hex */
    char id[130];  /* the record's own identifier: OPE trace_id, OE certificate_id (bundle) or chain id,
                      proof_id; "" when it has none or it is too long */
    char time[64]; /* the record's time as it states it: envelope/receipt ts, bundle exported_at,
                      certificate issued_at, chain resolved_at, proof identity.created_at; "" if none */
    char name[96]; /* a subject/file name: "<kind with '-' for '_'>-<digest[:16]>", for proof records
                      the reference's "empirical-proof-record-<proof_id[:16]>" */
} prova_record_info;
/* sizeof(prova_record_info) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_record_info_sizeof(void);

/* Describes a record (the root of a parsed document). For a receipt chain, record is the JSON array.
 * Errors (reterr->reason): PROVA_EINVAL "record_unknown_kind" (not a record of a known family),
 * "record_digest_mismatch" (a stated cid or proof_id that is not the content's), "record_not_resolved" (an
 * OpenExecution chain without chain_hash), "record_digest_invalid" (a stated address that is not hex of a known
 * length); PROVA_ESYNTAX from canonicalization (e.g. NaN in an OPE payload); PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_record_describe(const prova_json *record, prova_record_info *ret,
                                                       prova_error *reterr);

/* Parses a record's bytes as prova_verify_document() does (proof records may hold NaN/Infinity and lone surrogates,
 * as the Python values they come from; other families may not). opts may be NULL (default limits). */
PROVA_EXPORT PROVA_NODISCARD int prova_record_parse(const void *data, size_t len, const prova_parse_options *opts,
                                                    prova_doc **ret_doc, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_INTEROP_H */
