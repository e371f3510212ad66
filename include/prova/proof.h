/* prova/proof.h — Ophamin EmpiricalProofRecord 1.0: HMAC-SHA256 sealed, content-addressed proof records with an
 * optional Ed25519 author attestation. Formats, every decision and every reason code: docs/proof.md.
 *
 * SPEC (reference/ophamin.md §3.2, the wire path of verify_proof_impl):
 *   body      = the record's top-level object minus "signature", "proof_id" and "attestation" (unknown members stay)
 *   bytes     = UTF-8(json.dumps(body, sort_keys=True, separators=(",",":"), ensure_ascii=True)) = the ophamin
 *               canonical profile (prova/json.h)
 *   proof_id  = lowercase hex SHA-256(bytes)
 *   signature = lowercase hex HMAC-SHA256(key, bytes); the default key is "ophamin-scenario-proof-key"
 *   attestation = {author, algorithm:"ed25519", public_key: 64 hex, signature: 128 hex}, Ed25519 over bytes
 *
 * Example:
 *     prova_doc *doc;
 *     if (prova_json_parse(text, len, NULL, &doc, &err) < 0) return;
 *     prova_buf signed_record = PROVA_BUF_INIT;
 *     prova_proof_sign(prova_doc_root(doc), key, key_len, NULL, NULL, &signed_record, &err);
 *
 *     prova_buf result = PROVA_BUF_INIT;   // what the Python reference's verify_proof_impl returns, as JSON
 *     prova_proof_verify_impl(text, len, NULL, 0, "0.1.0", &result, &err);
 */
#ifndef PROVA_PROOF_H
#define PROVA_PROOF_H

#include <stdbool.h>

#include "common.h"
#include "crypto.h"
#include "json.h"
#include "report.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The framework-wide default HMAC key of the reference (ophamin.measuring.scenarios.base.DEFAULT_SIGN_KEY).
 * It is public: a signature under it proves integrity against accidents only, never who wrote the record. */
#define PROVA_PROOF_DEFAULT_KEY     "ophamin-scenario-proof-key"
#define PROVA_PROOF_DEFAULT_KEY_LEN 26U
/* Hex lengths of proof_id / signature (64) and of an attestation's public key (64) and signature (128). */
#define PROVA_PROOF_HEX_LEN            (2 * PROVA_SHA256_BYTES)
#define PROVA_PROOF_ATTEST_SIG_HEX_LEN (2 * PROVA_ED25519_SIGBYTES)
/* The sizes above as functions, for bindings: prova_proof_hex_len() == PROVA_PROOF_HEX_LEN, ... */
PROVA_EXPORT size_t prova_proof_default_key_len(void);
PROVA_EXPORT size_t prova_proof_hex_len(void);
PROVA_EXPORT size_t prova_proof_attest_sig_hex_len(void);

/* Returned (positive) by prova_proof_key_decode() when the empty string selected the default key. */
#define PROVA_PROOF_KEY_IS_DEFAULT 1

/* Appends the ophamin canonical bytes of the signed body of record (an object): every top-level member except
 * "signature", "proof_id" and "attestation". On failure out->len is restored.
 * Errors: PROVA_EINVAL (NULL argument; reterr->reason "proof_not_object" when record is not an object),
 * PROVA_ENOMEM. A document parsed with the ophamin flags (NaN, lone surrogates) is written as Python writes it. */
PROVA_EXPORT PROVA_NODISCARD int prova_proof_body(const prova_json *record, prova_buf *out, prova_error *reterr);

/* The content address: lowercase hex SHA-256 of the body bytes, NUL-terminated. Errors as prova_proof_body(). */
PROVA_EXPORT PROVA_NODISCARD int prova_proof_id(const prova_json *record, char out[PROVA_PROOF_HEX_LEN + 1],
                                                prova_error *reterr);

/* Signs record and appends the signed record as compact JSON (ASCII only: strings as the ophamin profile writes
 * them, nested objects in code point order) in the order of the reference's to_dict():
 *   {"proof_id":..,"schema_version":..,"identity":..,"claim":..,"preregistration":..,"data":..,"evidence":..,
 *    "verdict":..,"reproduction":..,"provenance":..,<other body members in code point order>,"signature":..
 *    [,"attestation":{"author":..,"algorithm":"ed25519","public_key":..,"signature":..}]}
 * (sections the record lacks are left out; members named proof_id, signature or attestation in the input are
 * replaced). The record is not validated: prova_proof_verify_doc() says what a verifier will think of it.
 * hmac_key: key_len bytes; NULL with key_len 0 selects PROVA_PROOF_DEFAULT_KEY (a non-NULL key of length 0 is the
 * empty key). attest_key: NULL, or an Ed25519 private key; author (required with attest_key, non-empty UTF-8) is
 * written as attestation.author. On failure out->len is restored.
 * Errors: PROVA_EINVAL ("proof_not_object", "proof_author_invalid"), PROVA_EKEY ("proof_attest_key_invalid": not
 * an Ed25519 private key), PROVA_ENOMEM, PROVA_ECRYPTO. */
PROVA_EXPORT PROVA_NODISCARD int prova_proof_sign(const prova_json *record, const uint8_t *hmac_key, size_t key_len,
                                                  const prova_key *attest_key, const char *author, prova_buf *out,
                                                  prova_error *reterr);

/* Decodes a key given as the reference's sign_key_b64: "" selects the default key (returns
 * PROVA_PROOF_KEY_IS_DEFAULT = 1, so that callers can warn); otherwise standard base64 exactly as Python's
 * base64.b64decode(s, validate=True) accepts it: only A-Z a-z 0-9 + / followed by at most two '=', padding
 * required, non-zero trailing bits ignored, data after a complete padded group ignored ("QUJD==" is "ABC", "=="
 * is the empty key). On success *ret is a new buffer of *ret_len bytes (never NULL; free it with
 * prova_proof_key_free(), which wipes it) and 0 or 1 is returned.
 * Errors: PROVA_EINVAL (NULL argument), PROVA_ESYNTAX ("proof_key_b64_invalid", offset = first bad character),
 * PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_proof_key_decode(const char *b64, uint8_t **ret, size_t *ret_len,
                                                        prova_error *reterr);
/* Wipes and frees a key returned by prova_proof_key_decode(). NULL is a no-op. Returns NULL. */
PROVA_EXPORT uint8_t *prova_proof_key_free(uint8_t *key, size_t len);

/* Exactly what the reference's verify_proof_impl(proof_json, sign_key_b64) returns (reference/ophamin.md §3.3
 * item 1, newest version with the attested* keys), appended to out as compact JSON with the members in this order:
 *   {"verified":bool,"proof_id":hex,"schema_version":..,"attested":bool,"attestation_author":..,
 *    "attestation_verified":bool,"verdict":{"outcome":..,"observed_value":..,"reasoning":..,"threshold":..},
 *    "claim_statement":..,"framework_versions":{"ophamin_version_in_record":..,"ophamin_version_in_server":..}}
 * Values are Python's: a member's JSON value is copied whatever its type (schema_version "" when absent,
 * observed_value null when absent, threshold {} when absent, outcome/reasoning/claim_statement/... "" when
 * absent; verdict, claim, identity or attestation that are falsy count as {}); copied values are written in
 * the ophamin canonical form (ASCII, nested members in code point order, NaN/Infinity as Python writes them).
 * Divergences (docs/proof.md): duplicate member names are rejected (Python keeps the last); a claim or identity
 * that is a non-empty non-object gives "" (Python raises AttributeError: HTTP 500); a non-ASCII signature string
 * is a mismatch (Python raises TypeError: HTTP 500); Ed25519 verification is libsodium's strict one.
 * key: the HMAC key (key_len bytes); NULL with key_len 0 = the default key. server_version: the
 * ophamin_version_in_server string (NULL: PROVA_VERSION_STRING). A signature mismatch is not an error.
 * Errors (out untouched): PROVA_ESYNTAX reason "proof_json_invalid", message "proof_json is not valid JSON: ..."
 * (offset/line/column/pointer of the parse error); PROVA_EINVAL reason "proof_not_object", message
 * "proof_json must decode to a JSON object"; PROVA_ELIMIT (a parse limit: the parser's reason); PROVA_EINVAL for
 * NULL arguments; PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_proof_verify_impl(const void *proof_json, size_t len, const uint8_t *key,
                                                         size_t key_len, const char *server_version, prova_buf *out,
                                                         prova_error *reterr);

/* True for what prova_proof_verify_doc() verifies: an object whose "schema_version" is a string and whose
 * "identity", "claim" and "verdict" are objects. Deliberately narrow; prova_verify_document() asks it only after
 * the OPE and OpenExecution detectors said no. */
PROVA_EXPORT bool prova_proof_detect(const prova_json *doc);

/* Verifies a proof record into r (kind "proof_record"): schema_version and the eight sections' schema, the
 * reference's record.validate() checklist (one reason code per item), the wire proof_id against the recomputed
 * one, the HMAC signature under o->hmac_key_b64 (standard base64, "" = the default key; NULL = the default key
 * only if o->allow_default_hmac_key, otherwise the signature is not checked and the report can be valid only
 * through a trusted attestation), and the Ed25519 attestation (its embedded key is trusted only when it is in
 * o->keys or o->trust_embedded_key is set). Reason codes: docs/proof.md. o may be NULL. 0 or PROVA_ENOMEM
 * (PROVA_EINVAL for NULL doc/r). */
PROVA_EXPORT PROVA_NODISCARD int prova_proof_verify_doc(const prova_json *doc, const prova_verify_options *o,
                                                        prova_report *r);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_PROOF_H */
