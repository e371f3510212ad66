/* prova/intoto.h — any prova record as an in-toto Statement v1, wrapped in a DSSE envelope signed with Ed25519
 * (or any algorithm prova_key_sign() supports) and/or HMAC-SHA256 (the Ophamin reference's form). docs/intoto.md.
 *
 * SPEC (in-toto attestation framework, Statement v1): {"_type":"https://in-toto.io/Statement/v1",
 *   "subject":[{"name":..,"digest":{"<alg>":"<hex>"}}],"predicateType":"<URI>","predicate":{..}}
 * SPEC (DSSE v1 protocol): PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN = ASCII
 *   decimal byte count; signatures are over PAE(payloadType, payload bytes), never over the base64 text.
 *   Envelope {"payloadType":..,"payload":base64,"signatures":[{"keyid":..,"sig":base64}]}.
 * SPEC (reference/ophamin.md §9): proof records use predicateType PROVA_INTOTO_OPHAMIN_PREDICATE_V1 and the
 *   predicate {ophamin_version, schema_version, body, signature}; HMAC-SHA256(key, PAE) signatures.
 *
 * Example:
 *     prova_buf st = PROVA_BUF_INIT, env = PROVA_BUF_INIT;
 *     prova_intoto_statement(record, NULL, &st, &err);
 *     prova_dsse_signer s = {.key = ed25519_private_key};
 *     prova_dsse_sign(PROVA_DSSE_INTOTO_PAYLOAD_TYPE, st.data, st.len, &s, 1, &env, &err);
 *     prova_report *rep;
 *     prova_dsse_verify_options o = {.keys = trusted};
 *     prova_dsse_verify(env.data, env.len, &o, &rep, &err);   // valid iff envelope, Statement and record verify
 */
#ifndef PROVA_INTOTO_H
#define PROVA_INTOTO_H

#include <stdbool.h>

#include "common.h"
#include "crypto.h"
#include "json.h"
#include "report.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_INTOTO_STATEMENT_V1      "https://in-toto.io/Statement/v1"
#define PROVA_DSSE_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
/* The reference's OPHAMIN_PREDICATE_TYPE_V1 (proof records). */
#define PROVA_INTOTO_OPHAMIN_PREDICATE_V1                                                                              \
    "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empirical-proof-record-v1"
/* prova's own predicate types: predicate = {"kind": <record kind>, "record": <the record>}. */
#define PROVA_INTOTO_OPE_PREDICATE_V1 "urn:prova:predicate:ope:v1"
#define PROVA_INTOTO_OE_PREDICATE_V1  "urn:prova:predicate:openexecution:v1"

/* Appends the in-toto Statement v1 of a record (the root of a parsed document, as prova_record_describe() takes
 * it) to out. subject = [{"name": subject_name or the record's name (prova_record_info.name), "digest":
 * {digest_alg: content address}}].
 *  - Proof records: exactly the reference's to_in_toto_statement(): predicateType
 *    PROVA_INTOTO_OPHAMIN_PREDICATE_V1, predicate {"body": the signed body (prova_proof_body), "ophamin_version":
 *    PROVA_VERSION_STRING, "schema_version": the record's, "signature": the record's}, subject digest
 *    {"sha256": proof_id}; bytes = the ophamin canonical form (json.dumps sort_keys, compact, ensure_ascii).
 *  - OPE records: predicateType PROVA_INTOTO_OPE_PREDICATE_V1, canonical under the ope profile.
 *  - OpenExecution records: predicateType PROVA_INTOTO_OE_PREDICATE_V1, canonical under jcs (RFC 8785).
 * On failure out->len is restored. Errors: PROVA_EINVAL ("invalid_argument"; "intoto_unsigned": a proof record
 * without a non-empty string signature; "intoto_proof_id_invalid": a proof_id that is not 64 lowercase hex;
 * "intoto_subject_name_invalid": subject_name not UTF-8; the reasons of prova_record_describe(), e.g.
 * "record_unknown_kind", "record_digest_mismatch", "record_not_resolved"), PROVA_ESYNTAX (canonicalization:
 * "canon_nonfinite", "canon_lone_surrogate"), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_intoto_statement(const prova_json *record, const char *subject_name,
                                                        prova_buf *out, prova_error *reterr);

/* Appends PAE(type, payload) (DSSE v1) to out. type is type_len bytes (any bytes; the DSSE spec wants UTF-8).
 * 0, PROVA_EINVAL (NULL with a non-zero length) or PROVA_ENOMEM (out restored). */
PROVA_EXPORT PROVA_NODISCARD int prova_dsse_pae(const char *type, size_t type_len, const void *payload, size_t len,
                                                prova_buf *out);

/* One signature of an envelope: either a private key (prova_key_sign over PAE; keyid = prova_key_kid(key), so that a
 * verifier finds the key by it; the keyid member below is then ignored) or an HMAC-SHA256 key (hmac_key_len > 0
 * bytes; keyid = keyid, "" when NULL). */
typedef struct prova_dsse_signer {
    const prova_key *key;
    const uint8_t *hmac_key;
    size_t hmac_key_len;
    const char *keyid;
} prova_dsse_signer;
/* sizeof(prova_dsse_signer) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_dsse_signer_sizeof(void);

/* Appends a DSSE envelope {"payloadType":..,"payload":..,"signatures":[{"keyid":..,"sig":..},..]} (compact, the
 * members in this order, standard base64 with padding, ASCII only) with one signature per signer, in order.
 * payload_type must be non-empty UTF-8. On failure out->len is restored.
 * Errors: PROVA_EINVAL ("invalid_argument"; "dsse_no_signer": n == 0; "dsse_signer_invalid": a signer with
 * neither or both of key and hmac_key, or an empty HMAC key — the reference refuses an empty key too;
 * "dsse_payload_type_invalid": empty or not UTF-8; "dsse_keyid_invalid": a keyid that is not UTF-8),
 * PROVA_EKEY ("dsse_key_not_private"), PROVA_ECRYPTO, PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_dsse_sign(const char *payload_type, const void *payload, size_t len,
                                                 const prova_dsse_signer *signers, size_t n, prova_buf *out,
                                                 prova_error *reterr);

typedef struct prova_dsse_verify_options {
    const prova_keyset *keys; /* public keys, found by the signature's keyid */
    const uint8_t *hmac_key;  /* accept HMAC-SHA256 signatures under this key (NULL: none) */
    size_t hmac_key_len;
    const char *payload_type;          /* expected payloadType; NULL = PROVA_DSSE_INTOTO_PAYLOAD_TYPE */
    const prova_verify_options *inner; /* for the record inside the Statement (NULL: defaults, with no_skew) */
} prova_dsse_verify_options;
/* sizeof(prova_dsse_verify_options) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_dsse_verify_options_sizeof(void);

/* Verifies a DSSE envelope, the in-toto Statement in it and the record in that, into one report (kind
 * "dsse_envelope", owned by the caller):
 *   dsse.schema, dsse.payloadType, dsse.payload, dsse.signatures[i] (one per signature), dsse.signatures;
 *   intoto.statement, intoto._type, intoto.predicateType, intoto.subject;
 *   then the checks of prova_verify_document() on the record rebuilt from the Statement (their own names).
 * A signature whose keyid is in o->keys is verified with that key; otherwise, with o->hmac_key, as HMAC-SHA256
 * (the keyid of an HMAC signature is not checked: the reference ignores it). An unknown keyid is a warning when
 * another signature verified (the DSSE protocol skips unknown keys) and a failed check otherwise.
 * Reason codes: dsse_schema, dsse_payload_type, dsse_payload_base64, dsse_sig_base64, dsse_keyid_unknown,
 * dsse_signature_invalid, dsse_no_valid_signature; intoto_json, intoto_schema, intoto_type,
 * intoto_predicate_type, intoto_predicate_kind, intoto_subject_digest, intoto_record (docs/intoto.md).
 * Returns 0 whenever a report was produced (valid or not); PROVA_ESYNTAX when data is not JSON (the report is
 * still returned, with a failed "parse" check, and reterr names the parse error); PROVA_EINVAL; PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_dsse_verify(const void *data, size_t len, const prova_dsse_verify_options *o,
                                                   prova_report **ret_report, prova_error *reterr);

/* Appends the bytes of the record carried by an in-toto Statement (statement: its JSON text) to out, without
 * verifying anything: for OPE and OpenExecution predicates predicate.record canonical under the family's profile;
 * for the Ophamin predicate the proof record rebuilt as {"proof_id": subject digest sha256, <predicate.body
 * members>, "signature": predicate.signature} (ophamin canonical strings; the attestation, which the Statement
 * does not carry, is lost). On failure out->len is restored.
 * Errors: PROVA_ESYNTAX ("intoto_json": not JSON), PROVA_EINVAL ("intoto_schema", "intoto_type",
 * "intoto_predicate_type"), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_intoto_record(const void *statement, size_t len, prova_buf *out,
                                                     prova_error *reterr);

/* Appends the decoded payload of a DSSE envelope to out (no signature is checked). On failure out->len is
 * restored. Errors: PROVA_ESYNTAX ("dsse_json", "dsse_payload_base64"), PROVA_EINVAL ("dsse_schema"), PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_dsse_payload(const void *envelope, size_t len, prova_buf *out,
                                                    prova_error *reterr);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_INTOTO_H */
