/* Internal helpers of the bottom layer (src/lib/core) for every layer of the library: ALWAYS/NEVER, errors,
 * growth, the calendar, the report's internals; codec.h and utf8.h come along. Not installed. */
#ifndef PROVA_INTERNAL_H
#define PROVA_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>

#include "codec.h"
#include "prova/common.h"
#include "utf8.h"

/* Defensive branches (SQLite's ALWAYS()/NEVER()): a condition that holds by construction, tested anyway so that a
 * release build fails safe if it ever does not. Debug and sanitizer builds (no NDEBUG) abort on the spot, so tests
 * and fuzzers find the broken invariant instead of the defensive branch hiding it.
 *   if (PROVA_NEVER(n >= cap)) return PROVA_EINVAL;
 */
#ifdef NDEBUG
#define PROVA_ALWAYS(x) (!!(x))
#define PROVA_NEVER(x)  (!!(x))
#else
/* "0 && msg", not "!msg": clang's -Wstring-conversion accepts a string literal as the right operand of && only. */
#define PROVA_ALWAYS(x) ((x) ? 1 : (assert(0 && "invariant: " #x), 0))
#define PROVA_NEVER(x)  ((x) ? (assert(0 && "invariant violated: " #x), 1) : 0)
#endif

/* Fills err (when not NULL) with status, a static reason code and a static message; returns status. */
int prova__fail(prova_error *err, int status, const char *reason, const char *message);

/* Grows the array *p (capacity *cap elements of elem bytes) to hold at least need elements, doubling from 32.
 * 0 or PROVA_ENOMEM (the array is then unchanged). */
int prova__grow_slow(const prova_allocator *a, void **p, size_t *cap, size_t need, size_t elem);
/* vsnprintf for %s, %.Ns, %d, %u, %zu, %lld, %llu and %% only (report.c): the length, or -1 for any other
 * conversion, a NULL string or output that does not fit cap (then use vsnprintf on a fresh copy of ap). */
int prova__fmt_fast(char *out, size_t cap, const char *fmt, va_list ap);
static inline int prova__grow(const prova_allocator *a, void **p, size_t *cap, size_t need, size_t elem) {
    return need <= *cap ? 0 : prova__grow_slow(a, p, cap, need, elem);
}

#include "text.h"

/* Time (time.c). Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil); the days of
 * month m (1..12) of year y. */
int64_t prova__days_from_civil(int64_t y, int64_t m, int64_t d);
/* The inverse: the date of day z since 1970-01-01. */
void prova__civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d);
int prova__days_in_month(int64_t y, int64_t m);
/* True when s is exactly "YYYY-MM-DDTHH:MM:SS.sssZ" with a real date and time: already normalized. */
bool prova__time_is_iso_ms(const char *s, size_t n);
/* Python's datetime.fromisoformat(s).isoformat() of an RFC 3339 time (prova_openlineage_time). */
int prova__time_isoformat(const char *s, size_t n, char out[40]);

typedef struct prova_report prova_report;

/* The library's own way to add a check or a warning to a report: the message is printf-style (the exported
 * prova_report_add_check / prova_report_add_warning take a finished sentence, which bindings can call). Same
 * arguments and returns otherwise: 0, PROVA_EINVAL or PROVA_ENOMEM (the report then records that it is incomplete
 * and is never valid); code is "ok" when ok is true. */
int prova__report_check(prova_report *r, const char *check, bool ok, const char *code, const char *at, const char *fmt,
                        ...) __attribute__((format(printf, 6, 7)));
int prova__report_warn(prova_report *r, const char *code, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Report internals: in quiet mode passing checks are counted, not stored (failures are always stored). */
void prova__report_quiet(prova_report *r, bool on);
size_t prova__report_quiet_passed(const prova_report *r);
/* Moves src's checks, warnings, keys, unauthenticated fields and quiet count to the end of dst (src is left empty
 * of them). 0 or PROVA_ENOMEM. */
int prova__report_append(prova_report *dst, prova_report *src);

#endif
