/* prova/redact.h — selectively disclosable OPE envelopes: payload members and array elements committed by salted
 * digests (the idea of SD-JWT, RFC 9901), so a holder can withhold some of them and the signature still verifies.
 * Formats, checks and reason codes: docs/redaction.md.
 *
 * A redactable envelope is an ordinary OPE v1 envelope whose payload is in committed form — an object's
 * redactable members replaced by "_sd": [digest, ...] (sorted), an array's redactable elements by {"...": digest},
 * "_sd_alg": "sha-256" at the payload's top — plus an unsigned member "disclosures": an array of disclosures, each
 * the base64url (no padding) of the JSON array [salt, name, value] (object member) or [salt, value] (array
 * element). digest = base64url(SHA-256(the disclosure's base64url text)). The cid, and so the signature, covers
 * the committed payload only: removing a disclosure changes nothing that is signed.
 */
#ifndef PROVA_REDACT_H
#define PROVA_REDACT_H

#include <stdbool.h>

#include "common.h"
#include "crypto.h"
#include "json.h"
#include "ope.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of randomness in each salt (128 bits, as RFC 9901's security considerations ask), written as 22 base64url
 * characters. */
#define PROVA_REDACT_SALT_BYTES 16U
/* At most this many disclosures in one envelope (PROVA_ELIMIT, redaction_limit). */
#define PROVA_REDACT_MAX_DISCLOSURES 10000U
PROVA_EXPORT size_t prova_redact_salt_bytes(void);
PROVA_EXPORT size_t prova_redact_max_disclosures(void);

/* What prova_redact_pack makes redactable (NULL: everything, no decoys). */
typedef struct prova_redact_params {
    const char *const *clear; /* JSON Pointers below /payload of members or elements kept in the clear: signed as
                                 plain JSON, never withheld (what is inside them stays redactable) */
    size_t nclear;
    unsigned decoys; /* decoy digests added to each object's _sd (RFC 9901 "Decoy Digests"), 0..PROVA_REDACT_MAX_DECOYS:
                        they hide how many members an object has */
} prova_redact_params;
/* At most this many decoys per object. */
#define PROVA_REDACT_MAX_DECOYS 16U
PROVA_EXPORT size_t prova_redact_max_decoys(void);
/* sizeof(prova_redact_params) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_redact_params_sizeof(void);

/* Packs payload (a JSON object) as a redactable envelope: every member of every object and every array element,
 * at any depth, becomes a disclosure with a fresh salt (libsodium randombytes), nested ones recursively (a parent's
 * disclosure holds the committed form of its value), except those rp->clear names. p as for
 * prova_ope_envelope_pack (any dialect; bind is refused: a bound signature would cover the disclosures). rp may be
 * NULL. Appends the envelope with its "disclosures" (compact, members in code point order) to out. Errors: those of
 * prova_ope_envelope_pack; PROVA_EINVAL redact_reserved_name (a member named "_sd", "_sd_alg" or "..." in the
 * payload), redact_bind_unsupported, redact_params_invalid, redact_path_invalid / redact_path_not_found (a clear
 * pointer not below /payload / naming nothing; reterr's pointer is it); PROVA_ELIMIT redaction_limit. */
PROVA_EXPORT PROVA_NODISCARD int prova_redact_pack(const prova_key *key, const prova_json *payload,
                                                   const prova_ope_envelope_params *p, const prova_redact_params *rp,
                                                   prova_buf *out, prova_error *reterr);

/* Withholds the members or elements at paths (RFC 6901 JSON Pointers into the disclosed envelope, each starting
 * with "/payload/"; an array index counts the elements of the committed array, withheld ones included) from the
 * redactable envelope env: their disclosures, and the disclosures nested in them, are dropped. Nothing signed
 * changes and no key is needed. Appends the envelope (canonical, ope profile) to out. Errors: PROVA_EINVAL
 * redact_path_invalid, redact_path_not_found (no such disclosed member, or already withheld),
 * redact_not_redactable (a member the issuer did not make redactable), not_redactable (env has no disclosures),
 * redact_bind_unsupported (env's signature covers every member: "sig_scope":"envelope"),
 * or any reason of prova_redact_reveal for a malformed envelope. */
PROVA_EXPORT PROVA_NODISCARD int prova_redact_remove(const prova_json *env, const char *const *paths, size_t npaths,
                                                     prova_buf *out, prova_error *reterr);

/* Appends the disclosed payload of env (the committed payload with every disclosure put back and every withheld
 * member or element left out; ope canonical bytes) to out. Checks the disclosures as prova_redact_verify does
 * (not the signature): the first failure is returned as PROVA_EVERIFY (or PROVA_ESYNTAX for a malformed one) with
 * its reason code (docs/redaction.md) and pointer in reterr. */
PROVA_EXPORT PROVA_NODISCARD int prova_redact_reveal(const prova_json *env, prova_buf *out, prova_error *reterr);

/* True when env looks like a redactable envelope: a "disclosures" member, or "_sd_alg" in its payload. */
PROVA_EXPORT bool prova_redact_detect(const prova_json *env);

/* The redaction checks of one envelope into r (prova_verify_document runs them after the envelope's own checks):
 * a "redaction" check — every disclosure well-formed and committed exactly once, no name clash, no duplicate
 * digest — one failed check per problem with its reason code, and a warning "redacted" at each object with
 * withheld members (their number: names are not disclosed) and at each withheld array element. at is the JSON
 * Pointer prefix of env ("" for a root envelope). 0 or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_redact_verify(const prova_json *env, const char *at, prova_report *r);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_REDACT_H */
