/* prova/oe.h — OpenExecution v2: execution chains, provenance certificates, offline bundles, attestations.
 * Formats and every decision where the reference is silent: docs/openexecution.md.
 *
 * Event hash  = hex H(JCS({seq, event_type, actor_id || "system", timestamp, payload, prev_hash})), timestamp =
 *               created_at as UTC "YYYY-MM-DDTHH:MM:SS.sssZ" (truncated to milliseconds).
 * Genesis     = '0' x hex length of H.  Chain hash = hex H(event_hash[1] || ... || event_hash[N]) over the hex text.
 * Certificate = signature (lowercase hex; DER for ECDSA) over the UTF-8 JCS bytes of certificate_data.
 */
#ifndef PROVA_OE_H
#define PROVA_OE_H

#include <stdbool.h>

#include "common.h"
#include "crypto.h"
#include "json.h"
#include "report.h"
#include "time.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_OE_HEX_MAX (2 * PROVA_HASH_MAX_BYTES) /* 128: the longest event or chain hash */
PROVA_EXPORT size_t prova_oe_hex_max(void);

/* The six chain hash algorithms by their OE names ("sha256", ..., "sha3-512"; the Python SDK's "sha3_256" forms
 * too). 0 or PROVA_EUNSUPPORTED. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_hash_lookup(const char *name, prova_hash_alg *ret);

/* prova_oe_timestamp, prova_oe_time_format: prova/time.h. */

/* The genesis prev_hash of alg: hex length '0' characters, NUL-terminated. */
PROVA_EXPORT void prova_oe_genesis(prova_hash_alg alg, char out[PROVA_OE_HEX_MAX + 1]);

/* Appends the hash input of an event object (the JCS bytes above) to out. A member the event lacks is left out of
 * the input, as the JS SDK drops undefined values; actor_id null, "", false or 0 becomes "system".
 * Errors: PROVA_EINVAL (not an object), PROVA_ESYNTAX with reason "oe_timestamp_invalid" (created_at missing or
 * not a timestamp) or a canon_* reason, PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_event_input(const prova_json *event, prova_buf *out, prova_error *reterr);
/* The event hash (lowercase hex, NUL-terminated). Errors as prova_oe_event_input. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_event_hash(const prova_json *event, prova_hash_alg alg,
                                                     char out[PROVA_OE_HEX_MAX + 1], prova_error *reterr);

/* ---- Chain records ----------------------------------------------------------------------------------------- */

/* A chain record is one JSON object: {id, chain_type, origin_type, origin_id, status, protocol_version,
 * hash_algorithm, signature_algorithm, canonicalization, event_count, chain_hash, created_at, resolved_at,
 * certified_at, updated_at, events:[...]}. Status moves open -> resolved -> certified -> revoked; the algorithms
 * are fixed when the chain is created. */
typedef struct prova_oe_chain_params {
    const char *id;          /* NULL: a new UUIDv4 */
    const char *chain_type;  /* NULL: "manual"; resource_audit, manual, incident_response, compliance_report */
    const char *origin_type; /* NULL: "manual" */
    const char *origin_id;   /* NULL: the chain id */
    prova_hash_alg hash_alg;
    prova_sig_alg sig_alg;
    const char *created_at; /* RFC 3339, required (stored as .sssZ) */
} prova_oe_chain_params;
/* sizeof(prova_oe_chain_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_oe_chain_params_sizeof(void);

PROVA_EXPORT PROVA_NODISCARD int prova_oe_chain_new(const prova_oe_chain_params *p, prova_buf *out,
                                                    prova_error *reterr);

typedef struct prova_oe_event_params {
    const char *event_type;    /* required, 1-64 bytes */
    const char *actor_id;      /* NULL: null (hashed as "system") */
    const char *actor_type;    /* NULL: omitted */
    const char *sentiment;     /* NULL: "neutral"; positive, negative, neutral */
    const char *created_at;    /* RFC 3339, required (stored as .sssZ, the hashed form) */
    const prova_json *payload; /* NULL: {} */
    const char *id;            /* NULL: a new UUIDv4 */
} prova_oe_event_params;
/* sizeof(prova_oe_event_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_oe_event_params_sizeof(void);

/* Builds the next event after prev (the chain's last event, or NULL for seq 1) as a JSON object {id, chain_id,
 * seq, event_type, actor_id, actor_type?, sentiment, payload, created_at, prev_hash, event_hash} into out. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_event_build(const char *chain_id, prova_hash_alg alg, const prova_json *prev,
                                                      const prova_oe_event_params *p, prova_buf *out,
                                                      prova_error *reterr);

/* The chain record with one more event (the chain must be open). Errors: PROVA_EINVAL with reason
 * "oe_chain_not_open", "oe_schema" ..., PROVA_ESYNTAX for a bad created_at, PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_chain_append(const prova_json *chain, const prova_oe_event_params *p,
                                                       const char *updated_at, prova_buf *out, prova_error *reterr);
/* open -> resolved: computes chain_hash (after checking every event), sets resolved_at. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_chain_resolve(const prova_json *chain, const char *resolved_at,
                                                        prova_buf *out, prova_error *reterr);

/* ---- Certificates and bundles ------------------------------------------------------------------------------ */

typedef struct prova_oe_cert_params {
    const char *artifact_type;  /* required */
    const char *artifact_ref;   /* required */
    const char *artifact_title; /* NULL: omitted from certificate_data */
    const char *origin_type;    /* NULL: the chain's */
    const char *origin_id;      /* NULL: the chain's */
    const char *issued_at;      /* RFC 3339, required */
    const char *certificate_id; /* NULL: a new UUIDv4 */
} prova_oe_cert_params;
/* sizeof(prova_oe_cert_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_oe_cert_params_sizeof(void);

/* Issues a certificate over a resolved chain and appends the offline bundle to bundle_out:
 * {certificate: certificate_data, certificate_id, certificate_signature, chain: {id, events, hash_algorithm,
 *  signature_algorithm, canonicalization, chain_hash, chain_type, origin_type, origin_id, status:"certified", ...},
 *  public_key: PEM SPKI, status: {status:"active", ... signed}}.
 * If chain_out is not NULL the certified chain record is appended to it. The key's algorithm must be the chain's
 * signature_algorithm. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_certify(const prova_key *key, const prova_json *chain,
                                                  const prova_oe_cert_params *p, prova_buf *bundle_out,
                                                  prova_buf *chain_out, prova_error *reterr);

typedef enum prova_oe_cert_status {
    PROVA_OE_ACTIVE = 0,
    PROVA_OE_REVOKED,
    PROVA_OE_SUPERSEDED,
} prova_oe_cert_status;

typedef struct prova_oe_status_params {
    prova_oe_cert_status status; /* REVOKED or SUPERSEDED */
    const char *reason;          /* revocation_reason / supersession_reason (optional for superseded) */
    const char *superseded_by;   /* the successor certificate id (SUPERSEDED: required) */
    const char *at;              /* RFC 3339, required */
} prova_oe_status_params;
/* sizeof(prova_oe_status_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_oe_status_params_sizeof(void);

/* Rewrites a bundle's status block: active -> revoked | superseded, signed by the issuer key (whose public key
 * must be the bundle's public_key). Errors: "oe_status_transition" (not active), "oe_key_mismatch", ... */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_set_status(const prova_key *key, const prova_json *bundle,
                                                     const prova_oe_status_params *p, prova_buf *out,
                                                     prova_error *reterr);

/* ---- Verification ------------------------------------------------------------------------------------------ */

/* ---- A gateway's verify API ---------------------------------------------------------------------------- */

#define PROVA_OE_REASON_MAX 64
PROVA_EXPORT size_t prova_oe_reason_max(void);

/* seed 002 §7: the answer of GET /api/v1/provenance/verify/{cert_id} for a certificate a gateway stores, decided
 * from what it stores: bundle (the certificate's offline bundle), record (the chain record without its events, or
 * NULL when it is gone) and events (the chain's events as stored, an array). keys: the gateway's own keys, active
 * and legacy (a certificate verifies only with the key that issued it, and only with one of the gateway's).
 * Appends the answer's "data" object (members in the seed's order: valid, signature_valid, chain_hash_valid,
 * certificate, chain, integrity) to out and sets *ret_valid; when not valid, ret_reason receives the first failed
 * check's reason code (or store_events_differ / chain_record_hash_mismatch). 0, PROVA_EINVAL (NULL) or
 * PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_verify_stored(const char *cert_id, const prova_json *bundle,
                                                        const prova_json *record, const prova_json *events,
                                                        const prova_keyset *keys, int64_t now_us, prova_buf *out,
                                                        bool *ret_valid, char ret_reason[PROVA_OE_REASON_MAX],
                                                        prova_error *reterr);

/* True for documents prova_oe_verify_doc() accepts: an offline bundle, a chain record, an array of events. */
PROVA_EXPORT bool prova_oe_detect(const prova_json *doc);

/* Verifies an offline bundle, a chain record or an event array into r (kind "oe_bundle", "oe_chain",
 * "oe_events"). Every check of seed 002 and the SDKs, with stable reason codes; for a bundle the report also
 * carries "sdk_result": what the JS SDK's verifyBundle returns for the same input (same members, values and error
 * strings; the SDK has no status, no oe_sig_ prefix, no JWK keys), for comparison: the verdict is the report's.
 * The issuer key is the bundle's
 * public_key; when o->keys is not empty it must be one of them. 0 or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_verify_doc(const prova_json *doc, const prova_verify_options *o,
                                                     prova_report *r);

/* Verifies events given one per line (JSON Lines) as one chain, streaming: memory stays at one event. The hash
 * algorithm is o->hash_alg, or follows from the hash length (64: sha256, 96: sha384, 128: sha512).
 * 0 (the report holds the verdict), PROVA_ESYNTAX (a line is not JSON; reterr anchored in the whole input),
 * PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_verify_jsonl(const void *data, size_t len, const prova_verify_options *o,
                                                       prova_report *r, prova_error *reterr);

/* ---- Attestations (the SDKs' extension attestations) -------------------------------------------------------- */

/* The RFC 6962 Merkle root (leaf = H(0x00 || leaf bytes), node = H(0x01 || L || R), an odd last node promoted) of
 * hex leaves, as lowercase hex; no leaves: '0' x hex length. 0, PROVA_ESYNTAX (a leaf is not hex), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_merkle_root(prova_hash_alg alg, const char *const *leaves, size_t n,
                                                      char out[PROVA_OE_HEX_MAX + 1]);

/* Creating attestations (docs/openexecution.md "Creating attestations"). Each function appends one attestation
 * object in JCS form to out; each verifies with prova's verifier (and the SDKs') inside the bundle it is made for.
 *
 * ContentIntegrity: {"hash_algorithm", "leaves": [lowercase hex], "root_hash", "type":"ContentIntegrity"}: the RFC
 * 6962 root of prova_oe_merkle_root over the leaves (each non-empty, even-length hex; written lowercase); no
 * leaves: root '0' x hex length. Errors: PROVA_ESYNTAX "oe_leaf_invalid", PROVA_EINVAL, PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_attest_content_integrity(prova_hash_alg alg, const char *const *leaves,
                                                                   size_t n, prova_buf *out, prova_error *reterr);
/* Timestamp (the SDK form): {"hash": hex H(timestamp), "signed_timestamp": hex signature over the timestamp's
 * UTF-8 bytes (DER for ECDSA), "timestamp", "type":"Timestamp"}. at is RFC 3339, written as
 * YYYY-MM-DDTHH:MM:SS.sssZ; H is the bundle chain's hash algorithm. key (a private key) signs; NULL: no
 * signed_timestamp (the hash alone proves nothing about who wrote it). Errors: PROVA_ESYNTAX
 * "oe_timestamp_invalid", PROVA_EKEY "key_not_private", PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_attest_timestamp(const prova_key *key, prova_hash_alg alg, const char *at,
                                                           prova_buf *out, prova_error *reterr);
/* Blockchain: {"block_number"?, "chain_hash", "network"?, "tx_hash", "type":"Blockchain"}: a record of an anchor
 * made elsewhere (prova talks to no chain). chain_hash: the chain hash anchored (hex); tx_hash: 1-256 bytes of
 * printable ASCII; network: NULL or 1-64 bytes; block_number: < 0 for none, at most 2^53 - 1. Errors: PROVA_EINVAL
 * "oe_attest_blockchain", PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_attest_blockchain(const char *chain_hash, const char *tx_hash,
                                                            const char *network, int64_t block_number, prova_buf *out,
                                                            prova_error *reterr);

typedef enum prova_oe_attest_type {
    PROVA_OE_ATTEST_CONTENT_INTEGRITY = 0,
    PROVA_OE_ATTEST_TIMESTAMP,
    PROVA_OE_ATTEST_BLOCKCHAIN,
} prova_oe_attest_type;

typedef struct prova_oe_attest_params {
    prova_oe_attest_type type;
    /* ContentIntegrity: the leaves; NULL (nleaves 0): the chain's event hashes in seq order. */
    const char *const *leaves;
    size_t nleaves;
    /* Timestamp: the issuer's private key (the bundle's public_key) and the time (RFC 3339, required). */
    const prova_key *key;
    const char *at;
    /* Blockchain: tx_hash (required), network (NULL: omitted), block_number (< 0: omitted). */
    const char *tx_hash;
    const char *network;
    int64_t block_number;
} prova_oe_attest_params;
/* sizeof(prova_oe_attest_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_oe_attest_params_sizeof(void);

/* The offline bundle with one more attestation in its "attestations" array (outside what the certificate signs),
 * written in JCS form to out. The bundle must verify (prova_oe_verify_doc, no pinned key): PROVA_EVERIFY
 * "oe_bundle_invalid" otherwise. The hash algorithm is the chain's; a Blockchain record anchors certificate.chain_hash;
 * a Timestamp key must be the bundle's public_key ("oe_key_mismatch"). An attestation equal to one the bundle already
 * has is not added twice. Errors: PROVA_EINVAL "oe_schema", PROVA_EVERIFY, PROVA_EKEY "oe_key_mismatch" /
 * "key_not_private", PROVA_EUNSUPPORTED "unsupported_hash_algorithm", and the errors above. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_attest_bundle(const prova_json *bundle, const prova_oe_attest_params *p,
                                                        prova_buf *out, prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_OE_H */
