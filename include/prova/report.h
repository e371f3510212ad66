/* prova/report.h — the one verification report shared by every record family.
 *
 * A report is a list of checks, each with a stable snake_case reason code and a sentence, and a list of warnings.
 * It is valid when it has at least one check and none failed. The JSON form is the answer of `prova verify --json`,
 * of the HTTP API and of MCP:
 *
 *   {"valid":true,"kind":"ope_envelope","checks":[{"check":"cid","ok":true,"code":"ok","message":"...","at":"/cid"}],
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
    const char *check;   /* what was checked: "cid", "signature", "timestamp", "receipt[3].hash", ... (owned) */
    bool ok;
    const char *code;    /* "ok" for a passing check, else a stable reason code (owned) */
    const char *message; /* a sentence (owned) */
    const char *at;      /* JSON Pointer of the checked value, "" for the document (owned) */
} prova_check;

typedef struct prova_report prova_report;

/* A new empty report of the given kind ("ope_envelope", "ope_receipt_chain", ...). NULL on allocation failure. */
PROVA_EXPORT prova_report *prova_report_new(const char *kind);
PROVA_EXPORT prova_report *prova_report_free(prova_report *r);

/* Changes the kind (detection may refine it). 0 or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_set_kind(prova_report *r, const char *kind);

/* Appends a check. code is "ok" when ok is true; message is printf-style. 0 or PROVA_ENOMEM (the report then
 * records that it is incomplete and is never valid). */
PROVA_EXPORT int prova_report_check(prova_report *r, const char *check, bool ok, const char *code, const char *at,
                                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Appends a warning (does not affect validity). */
PROVA_EXPORT int prova_report_warn(prova_report *r, const char *code, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a field that no signature covers, and which key verified what. */
PROVA_EXPORT int prova_report_unauthenticated(prova_report *r, const char *field);
PROVA_EXPORT int prova_report_key(prova_report *r, const char *kid, const char *source);

/* Attaches the result of a family's reference SDK for the same input, as canonical JSON text (copied); to_json
 * writes it as "sdk_result". 0, PROVA_EINVAL or PROVA_ENOMEM. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_set_sdk_result(prova_report *r, const char *json, size_t len);
/* The attached SDK result (NUL-terminated JSON) or NULL. */
PROVA_EXPORT const char *prova_report_sdk_result(const prova_report *r);

PROVA_EXPORT bool prova_report_valid(const prova_report *r);
PROVA_EXPORT const char *prova_report_kind(const prova_report *r);
PROVA_EXPORT size_t prova_report_check_count(const prova_report *r);
PROVA_EXPORT const prova_check *prova_report_check_at(const prova_report *r, size_t i);
PROVA_EXPORT size_t prova_report_warning_count(const prova_report *r);
PROVA_EXPORT const prova_check *prova_report_warning_at(const prova_report *r, size_t i);
/* The first failed check, or NULL. */
PROVA_EXPORT const prova_check *prova_report_first_failure(const prova_report *r);

/* Appends the JSON form (compact, members in code point order: canonical under the ope profile). */
PROVA_EXPORT PROVA_NODISCARD int prova_report_to_json(const prova_report *r, prova_buf *out);
/* Appends a short human-readable list: one line per check ("[ok] cid ..." / "[FAIL] signature ... (code)"), then
 * warnings, then "VALID" or "INVALID". ASCII only, so the bytes never depend on the terminal. */
PROVA_EXPORT PROVA_NODISCARD int prova_report_to_text(const prova_report *r, prova_buf *out);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_REPORT_H */
