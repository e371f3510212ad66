/* prova/time.h — RFC 3339 timestamps: one parser and the writers of the forms the record families carry.
 *
 * Every family reads and writes time through these functions (OPE ts, OpenExecution created_at and its hash
 * input, CloudEvents time, OpenLineage eventTime), so that one calendar and one set of rules decide what a
 * timestamp is. prova/ope.h and prova/oe.h include this header.
 *
 * Example:
 *     int64_t us;
 *     char ts[40];
 *     if (prova_time_parse("2025-08-22T06:18:05.5+02:00", 27, &us) == 0) prova_time_format(us, ts);
 *     // ts = "2025-08-22T04:18:05.500000+00:00"
 */
#ifndef PROVA_TIME_H
#define PROVA_TIME_H

#include <stdbool.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROVA_OE_TIME_LEN 24 /* "2026-03-20T10:00:00.000Z" */
#define PROVA_TIME_MAX    40 /* the buffer of prova_time_format() (and of prova_openlineage_time()), NUL included */
/* The same as functions, for bindings: prova_oe_time_len() == PROVA_OE_TIME_LEN, prova_time_max() == PROVA_TIME_MAX. */
PROVA_EXPORT size_t prova_oe_time_len(void);
PROVA_EXPORT size_t prova_time_max(void);

/* Parses an RFC 3339 / ISO 8601 timestamp ("2025-08-22T04:18:05.123456+00:00", "...Z", any fraction, any
 * offset; also a ' ' separator and a "+HH" offset as PostgreSQL prints them) to microseconds since the Unix
 * epoch (sub-microsecond digits truncated). A timestamp without an offset is rejected (ambiguous).
 * 0 or PROVA_ESYNTAX. */
PROVA_EXPORT PROVA_NODISCARD int prova_time_parse(const char *s, size_t n, int64_t *ret_us);
/* Writes "YYYY-MM-DDTHH:MM:SS.ffffff+00:00" (32 bytes + NUL). Returns 32, or 0 for a year outside 0001-9999. */
PROVA_EXPORT size_t prova_time_format(int64_t us, char buf[PROVA_TIME_MAX]);
/* True when s[0..n) is an RFC 3339 date-time exactly as §5.6 writes it (full-date "T" full-time, 'T'/'Z' in
 * either case, optional fraction, "Z" or a ±HH:MM offset; fields in range, leap days checked, second 60 allowed):
 * stricter than prova_time_parse, which also reads PostgreSQL's forms. */
PROVA_EXPORT bool prova_time_valid(const char *s, size_t n);

/* OpenExecution (JavaScript's Date.prototype.toISOString): created_at (RFC 3339 with any fraction and offset, a
 * ' ' separator, a "+HH" offset) as the hash input's "YYYY-MM-DDTHH:MM:SS.sssZ": UTC, sub-millisecond digits
 * truncated. 0 or PROVA_ESYNTAX. */
PROVA_EXPORT PROVA_NODISCARD int prova_oe_timestamp(const char *s, size_t n, char out[PROVA_OE_TIME_LEN + 1]);
/* Microseconds since the epoch as the same form (milliseconds truncated). Returns 24, or 0 out of range. */
PROVA_EXPORT size_t prova_oe_time_format(int64_t us, char out[PROVA_OE_TIME_LEN + 1]);

#ifdef __cplusplus
}
#endif
#endif /* PROVA_TIME_H */
