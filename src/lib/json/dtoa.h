/* Internal: shortest round-trip binary64 -> decimal, and decimal -> binary64. Not installed. */
#ifndef PROVA_DTOA_H
#define PROVA_DTOA_H

#include <stddef.h>
#include <stdint.h>

/* Shortest decimal digit string that parses back to exactly |v| (Ryu-class, ties to the closest and then even,
 * the same digits as Python repr() and ECMAScript Number::toString). v must be finite; the sign is ignored.
 * Writes n ASCII digits (1 <= n <= 17, no leading zero, no trailing zero; zero is "0") to digits and the
 * decimal exponent to *ret_exp10 such that |v| == digits * 10^exp10. Returns n. */
int prova__dtoa_shortest(double v, char digits[17], int *ret_exp10);

/* Python repr() of a finite double: fixed notation iff 1e-4 <= |v| < 1e16 (always with a '.', "100.0"),
 * otherwise d[.ddd]e{+|-}XX with at least two exponent digits ("1e-05", "1e+16", "1.5e+300"); "-0.0".
 * Writes at most 25 bytes, no NUL. Returns the length. */
size_t prova__format_double_py(double v, char buf[32]);

/* ECMAScript Number::toString of a finite double: fixed iff 1e-6 <= |v| < 1e21 ("100", "0.000001"),
 * otherwise d[.ddd]e{+|-}X ("1e+21", "1e-7", "5e-324"); -0 is "0". Writes at most 25 bytes, no NUL.
 * Returns the length. */
size_t prova__format_double_js(double v, char buf[32]);

/* Formats (-1)^neg * digits * 10^exp10 exactly as the two formatters above format a double whose shortest digits
 * are `digits` (js selects the ECMAScript style). The caller guarantees that digits/exp10 ARE the shortest
 * round-trip digits of the value it stands for (e.g. <= 15 significant digits of a normal double: DBL_DIG). */
size_t prova__format_decimal(int neg, uint64_t digits, int exp10, int js, char buf[32]);

/* Parses a JSON number token (RFC 8259 grammar, already validated by the caller; exactly len bytes, need not be
 * NUL-terminated) to the correctly rounded double, independent of the C locale. Returns 0, or -1 when the result
 * overflows to infinity (*ret is then +-inf). Underflow gives +-0 or a subnormal, as IEEE round-to-nearest does. */
int prova__strtod(const char *tok, size_t len, double *ret);

#endif
