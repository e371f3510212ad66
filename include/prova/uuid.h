/* prova/uuid.h — UUIDs (RFC 9562): random ids (version 4) for new records, name-based ids (version 5) for the
 * deterministic OpenLineage runIds, and the one textual form both are written in.
 *
 * prova/ope.h and prova/openlineage.h include this header (their families declared these functions before).
 *
 * Example:
 *     char id[PROVA_UUID_STRLEN + 1];
 *     prova_uuid_v4(id);                                  // "0f8fad5b-d9cb-469f-a165-70867728950e"
 *     uint8_t b[PROVA_UUID_BYTES];
 *     if (prova_uuid_parse(id, PROVA_UUID_STRLEN, b) == 0) ...
 */
#ifndef PROVA_UUID_H
#define PROVA_UUID_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_UUID_BYTES  16U
#define PROVA_UUID_STRLEN 36U /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
/* The same as functions, for bindings: prova_uuid_bytes() == PROVA_UUID_BYTES, prova_uuid_strlen() ==
 * PROVA_UUID_STRLEN. */
PROVA_EXPORT size_t prova_uuid_bytes(void);
PROVA_EXPORT size_t prova_uuid_strlen(void);

/* A random RFC 9562 version 4 UUID (the OS CSPRNG), lowercase with dashes, NUL-terminated (36 bytes + NUL). */
PROVA_EXPORT void prova_uuid_v4(char buf[PROVA_UUID_STRLEN + 1]);

/* RFC 9562 §5.5 UUID version 5: SHA-1(ns || name), first 16 bytes, version 5, variant 0b10; written lowercase with
 * dashes, NUL-terminated (out: 37 bytes). name is len bytes (any bytes; Python's uuid5 uses the UTF-8 of a str).
 * Example: prova_uuid_v5(PROVA_OPENLINEAGE_RUNID_NAMESPACE bytes, proof_id, 64, out).
 * Errors: PROVA_EINVAL (NULL ns/out, or NULL name with len > 0), PROVA_ECRYPTO (libcrypto failed). */
PROVA_EXPORT PROVA_NODISCARD int prova_uuid_v5(const uint8_t ns[PROVA_UUID_BYTES], const void *name, size_t len,
                                               char out[PROVA_UUID_STRLEN + 1]);

/* Parses the 36-character form 8-4-4-4-12 (hex digits in either case) into 16 bytes. Nothing else is accepted
 * (no braces, no "urn:uuid:", no missing dashes). 0, PROVA_EINVAL (NULL), PROVA_ESYNTAX (not that form; ret
 * untouched). */
PROVA_EXPORT PROVA_NODISCARD int prova_uuid_parse(const char *s, size_t n, uint8_t ret[PROVA_UUID_BYTES]);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_UUID_H */
