/* prova/ope.h — ODIN OPE v1: envelopes (three dialects), per-trace receipt chains, export bundles, key sets,
 * and verification into the unified report (prova/report.h). Formats: docs/ope.md.
 *
 * Key sets: prova/keyset.h; random ids: prova/uuid.h (both included here).
 *
 * Envelope signing string (all dialects): UTF-8 of "{cid}|{trace_id}|{ts}", Ed25519, base64url without padding.
 * cid = "sha256:" + hex SHA-256 of the payload's canonical bytes under the ope profile.
 */
#ifndef PROVA_OPE_H
#define PROVA_OPE_H

#include <stdbool.h>

#include "common.h"
#include "crypto.h"
#include "json.h"
#include "keyset.h" /* the key sets (prova_keyset_*) were declared here before prova/keyset.h */
#include "report.h"
#include "time.h"
#include "uuid.h" /* random ids (prova_uuid_v4) were declared here before prova/uuid.h */
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Envelopes ------------------------------------------------------------------------------------------- */

typedef enum prova_ope_dialect {
    PROVA_OPE_DIALECT_PROVA = 0, /* seed 001/003: version, sig_alg, sig, kid (+ optional sig_scope) */
    PROVA_OPE_DIALECT_OPE_LIB,   /* ope-lib: sender_sig + kid, key in an out-of-band JWKS */
    PROVA_OPE_DIALECT_STARTER,   /* starter gateway: signature + sender{kid, jwk} */
} prova_ope_dialect;

PROVA_EXPORT const char *prova_ope_dialect_name(prova_ope_dialect d);
PROVA_EXPORT PROVA_NODISCARD int prova_ope_dialect_lookup(const char *name, prova_ope_dialect *ret);

/* The signing string of OPE v1: "{cid}|{trace_id}|{ts}" (envelopes, the gateway's responses, the reference's API-key
 * MAC) and "{bundle_cid}|{trace_id}|{exported_at}" (bundles) are the same pattern, built here for signing and
 * verifying alike. Appends the bytes to out: 0, PROVA_EINVAL (NULL) or PROVA_ENOMEM (out unchanged). */
PROVA_EXPORT PROVA_NODISCARD int prova_ope_signing_string(const char *cid, size_t cid_len, const char *trace_id,
                                                          size_t trace_len, const char *ts, size_t ts_len,
                                                          prova_buf *out);

typedef struct prova_ope_envelope_params {
    const char *payload_type; /* required */
    const char *target_type;  /* required */
    const char *trace_id;     /* NULL: a new UUIDv4 */
    const char *ts;           /* required: the signed timestamp, RFC 3339 (prova_time_format of now) */
    const char *not_before;   /* optional RFC 3339 */
    const char *expires_at;   /* optional RFC 3339 */
    prova_ope_dialect dialect;
    bool bind; /* prova dialect only: "sig_scope":"envelope", the signature covers every member but "sig" */
} prova_ope_envelope_params;
/* sizeof(prova_ope_envelope_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_ope_envelope_params_sizeof(void);

/* Builds and signs an envelope for payload (a JSON object) with an Ed25519 key, and appends it to out as compact
 * JSON (members in code point order). Errors: PROVA_EINVAL (missing field, payload not an object, bind with another
 * dialect), PROVA_EKEY (not an Ed25519 private key), PROVA_ESYNTAX (ts not RFC 3339), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_ope_envelope_pack(const prova_key *key, const prova_json *payload,
                                                         const prova_ope_envelope_params *p, prova_buf *out,
                                                         prova_error *reterr);

/* ---- Receipts and bundles (the starter gateway's forms) ---------------------------------------------------- */

typedef struct prova_ope_receipt_params {
    const char *trace_id;       /* required */
    const char *ts;             /* required RFC 3339 */
    const char *created_at;     /* NULL: same as ts */
    const char *request_cid;    /* required "sha256:<hex>" */
    const char *normalized_cid; /* NULL: same as request_cid */
    const prova_json *policy;   /* NULL: {"passed":true,"rules":[]} */
    /* The transform that normalized the payload (prova/sft.h), written as the receipt's member
     * "sft":{"id":sft_id,"version":sft_version}; NULL: no such member (an identity). Both or neither. */
    const char *sft_id;
    const char *sft_version;
} prova_ope_receipt_params;
/* sizeof(prova_ope_receipt_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_ope_receipt_params_sizeof(void);

/* Builds the next receipt of a trace: hop = prev ? prev.hop + 1 : 0, prev_receipt_hash = prev ? prev.receipt_hash
 * : null, gateway_kid = kid of gw, policy_engine null; receipt_signature = b64url Ed25519 and receipt_hash = bare
 * hex SHA-256, both over the ope canonical bytes of the receipt without those two members. Appends the receipt
 * (compact JSON) to out. */
PROVA_EXPORT PROVA_NODISCARD int prova_ope_receipt_build(const prova_key *gw, const prova_json *prev,
                                                         const prova_ope_receipt_params *p, prova_buf *out,
                                                         prova_error *reterr);

typedef enum prova_ope_bundle_form {
    PROVA_OPE_BUNDLE_STARTER = 0, /* {"bundle":{trace_id,exported_at,gateway_kid,receipts,chain_valid,count},
                                 "bundle_cid","bundle_signature"} */
    PROVA_OPE_BUNDLE_OPE_LIB,     /* {"bundle":{trace_id,exported_at,receipts},"bundle_cid","signature","kid"} */
    PROVA_OPE_BUNDLE_FLAT,        /* seed 003 §4: {trace_id,exported_at,kid,receipts,bundle_cid,bundle_signature} */
} prova_ope_bundle_form;

/* Exports receipts (a JSON array of one trace's receipts, in hop order) as a signed bundle: bundle_cid =
 * "sha256:" + hex SHA-256 of the ope canonical bundle object (the flat form: of the whole bundle without
 * bundle_cid and bundle_signature, kid included); signature over "{bundle_cid}|{trace_id}|{exported_at}". */
PROVA_EXPORT PROVA_NODISCARD int prova_ope_bundle_build(const prova_key *gw, const char *trace_id,
                                                        const char *exported_at, const prova_json *receipts,
                                                        prova_ope_bundle_form form, prova_buf *out,
                                                        prova_error *reterr);

/* ---- Verification ------------------------------------------------------------------------------------------ */

/* What a verified envelope signs, for a gateway that acts on it. Pointers point into the envelope's document. */
typedef struct prova_ope_envelope_info {
    char cid[72];         /* the cid the signature covers ("sha256:" + 64 hex): the sent one, or the starter's */
    const char *trace_id; /* the signed trace_id */
    size_t trace_len;
    const char *ts; /* the signed ts, exactly as sent */
    size_t ts_len;
    int64_t ts_us; /* ts parsed (ts_parsed) */
    bool ts_parsed;
    const char *kid;       /* the kid whose key verified */
    const char *dialect;   /* "prova", "ope-lib", "starter" */
    bool bound;            /* prova sig_scope "envelope" */
    const char *signature; /* the signature string (base64url) */
    size_t signature_len;
} prova_ope_envelope_info;
/* sizeof(prova_ope_envelope_info) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_ope_envelope_info_sizeof(void);

/* Verifies one parsed envelope (any dialect) into r, as prova_ope_verify() does for an envelope document; at is
 * the JSON Pointer prefix for the report ("" or NULL for a root envelope). info (optional) is filled only when the
 * signature verified (info->cid[0] != 0); it says nothing about the time checks, which are in the report.
 * 0 or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_ope_envelope_verify(const prova_json *env, const char *at,
                                                           const prova_verify_options *o, prova_report *r,
                                                           prova_ope_envelope_info *info);

/* Verifies any OPE document: an envelope of any dialect, a receipt, a receipt chain (JSON array or JSON Lines),
 * any bundle form (the flat one's bundle_cid under each variant a peer may use; docs/ope.md), or lite-style unsigned
 * receipts. Detects the kind, runs every check and returns a report
 * (*ret_report, owned by the caller) for any input that is JSON of a known kind. Malformed input is PROVA_ESYNTAX
 * with reterr naming the problem (a report is still returned, with the parse failure as a check).
 * Returns 0 whenever a report was produced (valid or not), or a negative status. */
PROVA_EXPORT PROVA_NODISCARD int prova_ope_verify(const void *data, size_t len, const prova_verify_options *o,
                                                  prova_report **ret_report, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_OPE_H */
