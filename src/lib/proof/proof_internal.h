/* Internal: helpers shared by the proof record modules (proof.c: body, id, signing, keys, verify_impl; verify.c:
 * detection and the unified report). Not installed. */
#ifndef PROVA_PROOF_INTERNAL_H
#define PROVA_PROOF_INTERNAL_H

#include <stdbool.h>
#include <string.h>

#include "internal.h"
#include "prova/encoding.h"
#include "prova/proof.h"

/* The parse flags of the reference's json.loads: NaN/Infinity tokens and lone surrogates are Python values. */
#define PROOF_PARSE_FLAGS (PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES)

/* Fills err (if not NULL) with status/reason/message and returns status. */

/* The HMAC key to use: key/key_len, or the default key when key is NULL and key_len is 0. False for NULL with a
 * non-zero length. */
bool prova__proof_key(const uint8_t *key, size_t key_len, const uint8_t **ret_key, size_t *ret_len);

/* The body bytes, their SHA-256 (proof_id) and HMAC-SHA256 (signature) as lowercase hex, NUL-terminated. body
 * receives the bytes (appended); hmac_hex may be NULL. */
int prova__proof_digests(const prova_json *record, const uint8_t *key, size_t key_len, prova_buf *body,
                         char id_hex[PROVA_PROOF_HEX_LEN + 1], char hmac_hex[PROVA_PROOF_HEX_LEN + 1],
                         prova_error *reterr);

/* Python truthiness of a JSON value (absent = NULL = false): null, false, 0, 0.0, "", [], {} are false. */
bool prova__py_truthy(const prova_json *v);

/* bytes.fromhex(): pairs of hex digits (either case), ASCII whitespace allowed before each pair. Writes at most
 * cap bytes; *ret_len receives the decoded length (which may exceed cap: only cap bytes are written). False when
 * v is not a string or not valid for fromhex. */
bool prova__py_fromhex(const prova_json *v, uint8_t *out, size_t cap, size_t *ret_len);

/* True when the string is exactly n lowercase hex digits. */
bool prova__lower_hex(const prova_json *v, size_t n);

/* Python's s.strip() == "" for a UTF-8 string (whitespace per str.isspace()). */
bool prova__py_blank(const char *s, size_t n);

/* datetime.fromisoformat() of the common ISO 8601 forms (Python 3.11): YYYY-MM-DD or YYYYMMDD, optionally one
 * separator character and hh[:mm[:ss[.f+]]] (or hhmm[ss]), optionally Z or +-hh[:mm[:ss[.f+]]]. *us receives
 * microseconds since 1970-01-01 of the wall time minus the offset (fractions truncated to microseconds, as Python);
 * *aware whether an offset was given. */
bool prova__py_isoformat(const char *s, size_t n, int64_t *us, bool *aware);

/* A number value as a Python float: NaN/Infinity tokens, overflow to +-inf, integers rounded. False for a value
 * that is not a number. */
bool prova__py_float(const prova_json *v, double *ret);

/* threshold.decide(observed) for a comparator among >=, <=, >, <, ==. False in *ret_known for another comparator. */
bool prova__proof_decide(const char *comparator, size_t n, double observed, double value, bool *ret_known);

#endif
