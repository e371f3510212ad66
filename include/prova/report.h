/* prova/report.h — the one verification report shared by every record family.
 *
 * A report is a list of checks, each with a stable snake_case reason code and a sentence, and a list of warnings.
 * It is valid when it has at least one check and none failed. Its outcome (prova_report_outcome) says in one word
 * what the answer is: valid, invalid (a document prova knows that does not verify), unknown_kind (not a document
 * prova knows) or bad_input (not JSON, malformed, over a limit). The JSON form is the answer of
 * `prova verify --json`, of the HTTP API and of MCP:
 *
 *   {"valid":true,"outcome":"valid","kind":"ope_envelope",
 *    "checks":[{"check":"cid","ok":true,"code":"ok","message":"...","at":"/cid"}],
 *    "warnings":[{"code":"unauthenticated_fields","message":"...","at":""}],"unauthenticated_fields":["payload_type"],
 *    "keys":[{"kid":"ed25519-...","source":"jwks"}]}
 *
 * "unauthenticated_fields", "keys" and "sdk_result" appear when the verifier filled them.
 */
#ifndef PROVA_REPORT_H
#define PROVA_REPORT_H

#include <stdbool.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prova_check {
    const char *check; /* what was checked: "cid", "signature", "timestamp", "receipt[3].hash", ... (owned) */
    bool ok;
    const char *code;    /* "ok" for a passing check, else a stable reason code (owned) */
    const char *message; /* a sentence (owned) */
    const char *at;      /* JSON Pointer of the checked value, "" for the document (owned) */
} prova_check;
/* sizeof(prova_check) at run time, for bindings (docs/api.md). */
PROVA_EXPORT size_t prova_check_sizeof(void);

typedef struct prova_report prova_report;

/* What a report answers, in one word. Stable numbers and names (prova_outcome_name). Front ends map it to their
 * own codes: the CLI exits 0 (valid), 1 (invalid) or 2 (unknown_kind, bad_input). */
typedef enum prova_outcome {
    PROVA_OUTCOME_VALID = 0,        /* "valid": every check passed */
    PROVA_OUTCOME_INVALID = 1,      /* "invalid": a document prova knows, verified, and it does not verify */
    PROVA_OUTCOME_UNKNOWN_KIND = 2, /* "unknown_kind": JSON, but not a document prova knows */
    PROVA_OUTCOME_BAD_INPUT = 3,    /* "bad_input": not JSON, malformed, or over a limit */
} prova_outcome;

/* A new empty report of the given kind ("ope_envelope", "ope_receipt_chain", ...). NULL on allocation failure. */
PROVA_EXPORT prova_report *prova_report_new(const char *kind);
PROVA_EXPORT prova_report *prova_report_free(prova_report *r);

/* Changes the kind (detection may refine it). 0 or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_set_kind(prova_report *r, const char *kind);

/* Appends a check: what was checked (check), whether it passed (ok), its reason code (code: "ok" is written when
 * ok is true, and code may then be NULL), the JSON Pointer of the checked value (at; NULL = "") and a sentence
 * (message; copied, any length; bytes that are not UTF-8 become '?'). A verifier of a new family, or a binding,
 * adds its checks with it. 0, PROVA_EINVAL (NULL r, check or message, or NULL code with ok false) or PROVA_ENOMEM
 * (the report then records that it is incomplete and is never valid). */
PROVA_EXPORT int prova_report_add_check(prova_report *r, const char *check, bool ok, const char *code, const char *at,
                                        const char *message);

/* Appends a warning (does not affect validity): reason code, JSON Pointer (NULL = "") and sentence, as above.
 * 0, PROVA_EINVAL or PROVA_ENOMEM. */
PROVA_EXPORT int prova_report_add_warning(prova_report *r, const char *code, const char *at, const char *message);

/* Records a field that no signature covers, and which key verified what. */
PROVA_EXPORT int prova_report_add_unauthenticated(prova_report *r, const char *field);
PROVA_EXPORT int prova_report_add_key(prova_report *r, const char *kid, const char *source);

/* Attaches the result of a family's reference SDK for the same input, as canonical JSON text (copied); to_json
 * writes it as "sdk_result". 0, PROVA_EINVAL or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_set_sdk_result(prova_report *r, const char *json, size_t len);
/* The attached SDK result (NUL-terminated JSON) or NULL. */
PROVA_EXPORT const char *prova_report_sdk_result(const prova_report *r);

/* The outcome: bad_input when a verifier said so (prova_report_set_outcome), else valid when the report is valid,
 * else unknown_kind when a verifier said so and no other check had failed before, else invalid. NULL: bad_input.
 * Example: exit(prova_report_outcome(r) == PROVA_OUTCOME_INVALID ? 1 : ...). */
PROVA_EXPORT prova_outcome prova_report_outcome(const prova_report *r);
/* Says what a verifier found, beside the failed check it adds: PROVA_OUTCOME_BAD_INPUT (the input could not be
 * read as a document: it stays the outcome whatever else is added) or PROVA_OUTCOME_UNKNOWN_KIND (the outcome
 * when no check had failed before). Either makes the report invalid. VALID or INVALID clears what was set (the
 * outcome is then read from the checks). 0 or PROVA_EINVAL. */
PROVA_EXPORT int prova_report_set_outcome(prova_report *r, prova_outcome outcome);
/* "valid", "invalid", "unknown_kind", "bad_input"; NULL for another value. */
PROVA_EXPORT const char *prova_outcome_name(prova_outcome outcome);

PROVA_EXPORT bool prova_report_valid(const prova_report *r);
PROVA_EXPORT const char *prova_report_kind(const prova_report *r);
PROVA_EXPORT size_t prova_report_check_count(const prova_report *r);
PROVA_EXPORT const prova_check *prova_report_check_at(const prova_report *r, size_t i);
PROVA_EXPORT size_t prova_report_warning_count(const prova_report *r);
PROVA_EXPORT const prova_check *prova_report_warning_at(const prova_report *r, size_t i);
/* The first failed check, or NULL. */
PROVA_EXPORT const prova_check *prova_report_first_failure(const prova_report *r);

/* Appends the JSON form (compact, members in code point order: canonical under the ope profile): checks, keys,
 * kind, outcome, sdk_result, unauthenticated_fields, valid, warnings. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_to_json(const prova_report *r, prova_buf *out);
/* Appends a short human-readable list: one line per check ("[ok] cid ..." / "[FAIL] signature ... (code)"), then
 * warnings, then "VALID" or "INVALID". ASCII only, so the bytes never depend on the terminal. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_to_text(const prova_report *r, prova_buf *out);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_REPORT_H */
