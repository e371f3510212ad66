/* Unit tests for src/lib/json/dtoa.c: shortest round-trip formatting (Python repr and ECMAScript spellings) and
 * correctly rounded parsing.
 *
 * Build and run (from the repository root):
 *   gcc -std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wconversion -I src/lib/json \
 *       tests/unit/test_dtoa.c src/lib/json/dtoa.c -lm -o test_dtoa && ./test_dtoa [random_count] [seed]
 *
 * The reference for parsing is glibc's strtod_l() in the "C" locale (correctly rounded); the reference for
 * shortest/closest is glibc's exact printf ("%.*e") plus round-tripping through strtod_l(). The last line printed
 * is "N passed, M failed"; the exit status is 0 iff M == 0.
 */
#define _GNU_SOURCE
#include "dtoa.h"

#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long g_passed, g_failed;
static locale_t g_c_locale;

#define MAX_REPORTED 40

static void fail_msg(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void fail_msg(const char *file, int line, const char *fmt, ...) {
    g_failed++;
    if (g_failed <= MAX_REPORTED) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "FAIL %s:%d: ", file, line);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            g_passed++;                                                                                                \
        } else {                                                                                                       \
            fail_msg(__FILE__, __LINE__, __VA_ARGS__);                                                                 \
        }                                                                                                              \
    } while (0)

static uint64_t bits_of(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double from_bits(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static double ref_strtod(const char *s) {
    return strtod_l(s, NULL, g_c_locale);
}

/* splitmix64 */
static uint64_t g_rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) {
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n) {
    return rnd() % n;
}

static const char *fmt_py(double v, char *out) {
    char buf[32];
    memset(buf, 'X', sizeof buf);
    const size_t n = prova__format_double_py(v, buf);
    if (n > 25) {
        strcpy(out, "<too long>");
        return out;
    }
    memcpy(out, buf, n);
    out[n] = 0;
    return out;
}

static const char *fmt_js(double v, char *out) {
    char buf[32];
    memset(buf, 'X', sizeof buf);
    const size_t n = prova__format_double_js(v, buf);
    if (n > 25) {
        strcpy(out, "<too long>");
        return out;
    }
    memcpy(out, buf, n);
    out[n] = 0;
    return out;
}

/* Reference layouts built from (digits, exp10) by plain string operations, independent of dtoa.c's. */
static void ref_layout(int neg, const char *d, int n, int e10, int js, char *out) {
    char *p = out;
    const int decpt = n + e10;
    if (neg) *p++ = '-';
    int fixed = js ? (decpt > -6 && decpt <= 21) : (decpt > -4 && decpt <= 16);
    if (fixed) {
        if (decpt <= 0) {
            p += sprintf(p, "0.");
            for (int i = 0; i < -decpt; i++) *p++ = '0';
            memcpy(p, d, (size_t)n);
            p += n;
        } else if (decpt < n) {
            memcpy(p, d, (size_t)decpt);
            p += decpt;
            *p++ = '.';
            memcpy(p, d + decpt, (size_t)(n - decpt));
            p += n - decpt;
        } else {
            memcpy(p, d, (size_t)n);
            p += n;
            for (int i = n; i < decpt; i++) *p++ = '0';
            if (!js) p += sprintf(p, ".0");
        }
    } else {
        *p++ = d[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)(n - 1));
            p += n - 1;
        }
        p += sprintf(p, js ? "e%+d" : "e%+03d", decpt - 1);
    }
    *p = 0;
}

/* Parses "d.ddde[+-]x" (glibc %e output) into an integer significand (<= 18 digits) and the exponent of its
 * last digit. */
static void parse_e_format(const char *s, uint64_t *m, int *e_last) {
    uint64_t v = 0;
    int nfrac = 0, seen_dot = 0;
    const char *p = s;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            seen_dot = 1;
        } else {
            v = v * 10 + (uint64_t)(*p - '0');
            nfrac += seen_dot;
        }
    }
    *m = v;
    *e_last = atoi(p + 1) - nfrac;
}

/* The full property check of one finite double. Returns 1 on success (counts one pass), 0 after reporting. */
static int check_value(double v) {
    char d[18], tmp[64], tmp2[64], py[40], js[40], ref[64];
    int e10 = 12345;
    const double a = fabs(v);
    const int n = prova__dtoa_shortest(v, d, &e10);
    const uint64_t vb = bits_of(v);

    if (n < 1 || n > 17) {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": bad length %d", vb, n);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9') {
            fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": bad digit", vb);
            return 0;
        }
    }
    d[n] = 0;
    if (a == 0) {
        if (!(n == 1 && d[0] == '0' && e10 == 0)) {
            fail_msg(__FILE__, __LINE__, "zero gives %s e%d", d, e10);
            return 0;
        }
    } else if (d[0] == '0' || d[n - 1] == '0') {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": leading/trailing zero in %s e%d", vb, d, e10);
        return 0;
    }

    /* round trip of the digits */
    snprintf(tmp, sizeof tmp, "%se%d", d, e10);
    if (bits_of(ref_strtod(tmp)) != bits_of(a)) {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 " (%.17g): %s does not round-trip", vb, a, tmp);
        return 0;
    }

    if (a != 0 && n >= 2) {
        /* minimality: none of the (n-1)-digit decimals next to v reads back to v */
        uint64_t m;
        int el;
        snprintf(tmp, sizeof tmp, "%.*e", n - 2, a);
        parse_e_format(tmp, &m, &el);
        for (int delta = -1; delta <= 1; delta++) {
            snprintf(tmp2, sizeof tmp2, "%" PRIu64 "e%d", m + (uint64_t)(int64_t)delta, el);
            if (bits_of(ref_strtod(tmp2)) == bits_of(a)) {
                fail_msg(__FILE__, __LINE__, "%016" PRIx64 " (%.17g): %s e%d is not shortest: %s reads back", vb, a, d,
                         e10, tmp2);
                return 0;
            }
        }
        /* closest: when the correctly rounded n-digit decimal reads back, it must be ours */
        snprintf(tmp, sizeof tmp, "%.*e", n - 1, a);
        if (bits_of(ref_strtod(tmp)) == bits_of(a)) {
            parse_e_format(tmp, &m, &el);
            while (m % 10 == 0) {
                m /= 10;
                el++;
            }
            snprintf(tmp2, sizeof tmp2, "%" PRIu64, m);
            if (strcmp(tmp2, d) != 0 || el != e10) {
                fail_msg(__FILE__, __LINE__, "%016" PRIx64 " (%.17g): %s e%d is not the closest (%s)", vb, a, d, e10,
                         tmp);
                return 0;
            }
        }
    }

    /* layouts, and both spellings parse back with prova__strtod */
    fmt_py(v, py);
    ref_layout(signbit(v) != 0, d, n, e10, 0, ref);
    if (strcmp(py, ref) != 0) {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": py layout %s, expected %s", vb, py, ref);
        return 0;
    }
    fmt_js(v, js);
    ref_layout(v < 0, d, n, e10, 1, ref);
    if (strcmp(js, ref) != 0) {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": js layout %s, expected %s", vb, js, ref);
        return 0;
    }
    double back;
    if (prova__strtod(py, strlen(py), &back) != 0 || bits_of(back) != vb) {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": %s parses back to %016" PRIx64, vb, py, bits_of(back));
        return 0;
    }
    if (prova__strtod(js, strlen(js), &back) != 0 || bits_of(back) != bits_of(v == 0 ? 0.0 : v)) {
        fail_msg(__FILE__, __LINE__, "%016" PRIx64 ": %s parses back to %016" PRIx64, vb, js, bits_of(back));
        return 0;
    }
    g_passed++;
    return 1;
}

/* ---------------------------------------------------------------------------------------------------------------
 * formatting tests
 * ------------------------------------------------------------------------------------------------------------- */

static void test_literals(void) {
    static const struct {
        double v;
        const char *py;
    } pys[] = {
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {100.0, "100.0"},
        {1e15, "1000000000000000.0"},
        {9999999999999998.0, "9999999999999998.0"},
        {1e-4, "0.0001"},
        {123456.789, "123456.789"},
        {1e16, "1e+16"},
        {1e-5, "1e-05"},
        {2.5e-5, "2.5e-05"},
        {1e22, "1e+22"},
        {1.5e300, "1.5e+300"},
        {5e-324, "5e-324"},
        {-1e-7, "-1e-07"},
        {1e-100, "1e-100"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {1.2345678901234568e16, "1.2345678901234568e+16"},
        {1.0, "1.0"},
        {-1.5, "-1.5"},
        {0.1, "0.1"},
        {0.30000000000000004, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {2.225073858507201e-308, "2.225073858507201e-308"},
        {9007199254740992.0, "9007199254740992.0"},
        {9223372036854775808.0, "9.223372036854776e+18"},
        {1e23, "1e+23"},
        {1.5e-323, "1.5e-323"},
        {123e-20, "1.23e-18"},
        {0.001, "0.001"},
        {12345678.9, "12345678.9"},
        {4.35, "4.35"},
        {5e-5, "5e-05"},
        {1e100, "1e+100"},
        {-123.456, "-123.456"},
    };
    static const struct {
        double v;
        const char *js;
    } jss[] = {
        {1.0, "1"},
        {100.0, "100"},
        {1e20, "100000000000000000000"},
        {1e-6, "0.000001"},
        {123456789.123, "123456789.123"},
        {1e21, "1e+21"},
        {1e-7, "1e-7"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {1.5e-7, "1.5e-7"},
        {-0.0, "0"},
        {0.0, "0"},
        {-1.0, "-1"},
        {-1e21, "-1e+21"},
        {9223372036854775808.0, "9223372036854776000"},
        {1e16, "10000000000000000"},
        {2.5e-5, "0.000025"},
        {1.2345678901234568e16, "12345678901234568"},
        {0.1, "0.1"},
        {-1.5e300, "-1.5e+300"},
        {1e-100, "1e-100"},
        {123e-20, "1.23e-18"},
        {1.5, "1.5"},
    };
    char buf[40];
    for (size_t i = 0; i < sizeof pys / sizeof pys[0]; i++) {
        fmt_py(pys[i].v, buf);
        CHECK(strcmp(buf, pys[i].py) == 0, "py(%.17g) = %s, expected %s", pys[i].v, buf, pys[i].py);
    }
    for (size_t i = 0; i < sizeof jss / sizeof jss[0]; i++) {
        fmt_js(jss[i].v, buf);
        CHECK(strcmp(buf, jss[i].js) == 0, "js(%.17g) = %s, expected %s", jss[i].v, buf, jss[i].js);
    }

    /* the digits interface */
    char d[17];
    int e = 99;
    int n = prova__dtoa_shortest(0.0, d, &e);
    CHECK(n == 1 && d[0] == '0' && e == 0, "shortest(0)");
    n = prova__dtoa_shortest(-0.0, d, &e);
    CHECK(n == 1 && d[0] == '0' && e == 0, "shortest(-0)");
    n = prova__dtoa_shortest(-123.456, d, &e);
    CHECK(n == 6 && memcmp(d, "123456", 6) == 0 && e == -3, "shortest(-123.456)");
    n = prova__dtoa_shortest(5e-324, d, &e);
    CHECK(n == 1 && d[0] == '5' && e == -324, "shortest(5e-324)");
    n = prova__dtoa_shortest(DBL_MAX, d, &e);
    CHECK(n == 17 && memcmp(d, "17976931348623157", 17) == 0 && e == 292, "shortest(DBL_MAX)");
    n = prova__dtoa_shortest(1e22, d, &e);
    CHECK(n == 1 && d[0] == '1' && e == 22, "shortest(1e22)");
    n = prova__dtoa_shortest(1200.0, d, &e);
    CHECK(n == 2 && memcmp(d, "12", 2) == 0 && e == 2, "shortest(1200)");
}

/* nextafter neighbourhoods of the notation thresholds; expected strings from CPython repr() and Node String(). */
static void test_boundaries(void) {
    static const struct {
        double base;
        int k;
        const char *py, *js;
    } t[] = {
        {1e-4, -4, "9.999999999999995e-05", "0.00009999999999999995"},
        {1e-4, -3, "9.999999999999996e-05", "0.00009999999999999996"},
        {1e-4, -2, "9.999999999999998e-05", "0.00009999999999999998"},
        {1e-4, -1, "9.999999999999999e-05", "0.00009999999999999999"},
        {1e-4, 0, "0.0001", "0.0001"},
        {1e-4, 1, "0.00010000000000000002", "0.00010000000000000002"},
        {1e-4, 2, "0.00010000000000000003", "0.00010000000000000003"},
        {1e-4, 3, "0.00010000000000000005", "0.00010000000000000005"},
        {1e-4, 4, "0.00010000000000000006", "0.00010000000000000006"},
        {1e16, -4, "9999999999999992.0", "9999999999999992"},
        {1e16, -3, "9999999999999994.0", "9999999999999994"},
        {1e16, -2, "9999999999999996.0", "9999999999999996"},
        {1e16, -1, "9999999999999998.0", "9999999999999998"},
        {1e16, 0, "1e+16", "10000000000000000"},
        {1e16, 1, "1.0000000000000002e+16", "10000000000000002"},
        {1e16, 2, "1.0000000000000004e+16", "10000000000000004"},
        {1e16, 3, "1.0000000000000006e+16", "10000000000000006"},
        {1e16, 4, "1.0000000000000008e+16", "10000000000000008"},
        {1e-6, -4, "9.999999999999991e-07", "9.999999999999991e-7"},
        {1e-6, -3, "9.999999999999993e-07", "9.999999999999993e-7"},
        {1e-6, -2, "9.999999999999995e-07", "9.999999999999995e-7"},
        {1e-6, -1, "9.999999999999997e-07", "9.999999999999997e-7"},
        {1e-6, 0, "1e-06", "0.000001"},
        {1e-6, 1, "1.0000000000000002e-06", "0.0000010000000000000002"},
        {1e-6, 2, "1.0000000000000004e-06", "0.0000010000000000000004"},
        {1e-6, 3, "1.0000000000000006e-06", "0.0000010000000000000006"},
        {1e-6, 4, "1.0000000000000008e-06", "0.0000010000000000000008"},
        {1e21, -4, "9.999999999999995e+20", "999999999999999500000"},
        {1e21, -3, "9.999999999999996e+20", "999999999999999600000"},
        {1e21, -2, "9.999999999999997e+20", "999999999999999700000"},
        {1e21, -1, "9.999999999999999e+20", "999999999999999900000"},
        {1e21, 0, "1e+21", "1e+21"},
        {1e21, 1, "1.0000000000000001e+21", "1.0000000000000001e+21"},
        {1e21, 2, "1.0000000000000003e+21", "1.0000000000000003e+21"},
        {1e21, 3, "1.0000000000000004e+21", "1.0000000000000004e+21"},
        {1e21, 4, "1.0000000000000005e+21", "1.0000000000000005e+21"},
        {1e-5, -4, "9.999999999999994e-06", "0.000009999999999999994"},
        {1e-5, -3, "9.999999999999996e-06", "0.000009999999999999996"},
        {1e-5, -2, "9.999999999999997e-06", "0.000009999999999999997"},
        {1e-5, -1, "9.999999999999999e-06", "0.000009999999999999999"},
        {1e-5, 0, "1e-05", "0.00001"},
        {1e-5, 1, "1.0000000000000003e-05", "0.000010000000000000003"},
        {1e-5, 2, "1.0000000000000004e-05", "0.000010000000000000004"},
        {1e-5, 3, "1.0000000000000006e-05", "0.000010000000000000006"},
        {1e-5, 4, "1.0000000000000008e-05", "0.000010000000000000008"},
        {1e15, -4, "999999999999999.5", "999999999999999.5"},
        {1e15, -3, "999999999999999.6", "999999999999999.6"},
        {1e15, -2, "999999999999999.8", "999999999999999.8"},
        {1e15, -1, "999999999999999.9", "999999999999999.9"},
        {1e15, 0, "1000000000000000.0", "1000000000000000"},
        {1e15, 1, "1000000000000000.1", "1000000000000000.1"},
        {1e15, 2, "1000000000000000.2", "1000000000000000.2"},
        {1e15, 3, "1000000000000000.4", "1000000000000000.4"},
        {1e15, 4, "1000000000000000.5", "1000000000000000.5"},
        {1e-7, -4, "9.999999999999994e-08", "9.999999999999994e-8"},
        {1e-7, -3, "9.999999999999996e-08", "9.999999999999996e-8"},
        {1e-7, -2, "9.999999999999997e-08", "9.999999999999997e-8"},
        {1e-7, -1, "9.999999999999998e-08", "9.999999999999998e-8"},
        {1e-7, 0, "1e-07", "1e-7"},
        {1e-7, 1, "1.0000000000000001e-07", "1.0000000000000001e-7"},
        {1e-7, 2, "1.0000000000000002e-07", "1.0000000000000002e-7"},
        {1e-7, 3, "1.0000000000000004e-07", "1.0000000000000004e-7"},
        {1e-7, 4, "1.0000000000000005e-07", "1.0000000000000005e-7"},
        {1e20, -4, "9.999999999999993e+19", "99999999999999930000"},
        {1e20, -3, "9.999999999999995e+19", "99999999999999950000"},
        {1e20, -2, "9.999999999999997e+19", "99999999999999970000"},
        {1e20, -1, "9.999999999999998e+19", "99999999999999980000"},
        {1e20, 0, "1e+20", "100000000000000000000"},
        {1e20, 1, "1.0000000000000002e+20", "100000000000000020000"},
        {1e20, 2, "1.0000000000000003e+20", "100000000000000030000"},
        {1e20, 3, "1.0000000000000005e+20", "100000000000000050000"},
        {1e20, 4, "1.0000000000000007e+20", "100000000000000070000"},
        {1e22, -4, "9.999999999999992e+21", "9.999999999999992e+21"},
        {1e22, -3, "9.999999999999994e+21", "9.999999999999994e+21"},
        {1e22, -2, "9.999999999999996e+21", "9.999999999999996e+21"},
        {1e22, -1, "9.999999999999998e+21", "9.999999999999998e+21"},
        {1e22, 0, "1e+22", "1e+22"},
        {1e22, 1, "1.0000000000000002e+22", "1.0000000000000002e+22"},
        {1e22, 2, "1.0000000000000004e+22", "1.0000000000000004e+22"},
        {1e22, 3, "1.0000000000000006e+22", "1.0000000000000006e+22"},
        {1e22, 4, "1.0000000000000008e+22", "1.0000000000000008e+22"},
        {1e17, -4, "9.999999999999994e+16", "99999999999999940"},
        {1e17, -3, "9.999999999999995e+16", "99999999999999950"},
        {1e17, -2, "9.999999999999997e+16", "99999999999999970"},
        {1e17, -1, "9.999999999999998e+16", "99999999999999980"},
        {1e17, 0, "1e+17", "100000000000000000"},
        {1e17, 1, "1.0000000000000002e+17", "100000000000000020"},
        {1e17, 2, "1.0000000000000003e+17", "100000000000000030"},
        {1e17, 3, "1.0000000000000005e+17", "100000000000000050"},
        {1e17, 4, "1.0000000000000006e+17", "100000000000000060"},
    };
    char buf[40], exp_neg[48];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double x = t[i].base;
        for (int k = 0; k < t[i].k; k++) x = nextafter(x, INFINITY);
        for (int k = 0; k > t[i].k; k--) x = nextafter(x, 0.0);
        fmt_py(x, buf);
        CHECK(strcmp(buf, t[i].py) == 0, "py(%.17g) = %s, expected %s", x, buf, t[i].py);
        fmt_js(x, buf);
        CHECK(strcmp(buf, t[i].js) == 0, "js(%.17g) = %s, expected %s", x, buf, t[i].js);
        fmt_py(-x, buf);
        snprintf(exp_neg, sizeof exp_neg, "-%s", t[i].py);
        CHECK(strcmp(buf, exp_neg) == 0, "py(%.17g) = %s, expected %s", -x, buf, exp_neg);
        fmt_js(-x, buf);
        snprintf(exp_neg, sizeof exp_neg, "-%s", t[i].js);
        CHECK(strcmp(buf, exp_neg) == 0, "js(%.17g) = %s, expected %s", -x, buf, exp_neg);
        check_value(x);
        check_value(-x);
    }
}

static void test_special_values(void) {
    const double specials[] = {0.0,
                               -0.0,
                               5e-324,
                               -5e-324,
                               1e-323,
                               DBL_MIN,
                               nextafter(DBL_MIN, 0.0),
                               nextafter(DBL_MIN, 1.0),
                               DBL_MAX,
                               -DBL_MAX,
                               nextafter(DBL_MAX, 0.0),
                               DBL_EPSILON,
                               1.0,
                               nextafter(1.0, 0.0),
                               nextafter(1.0, 2.0),
                               9007199254740992.0,
                               9007199254740993.0,
                               4503599627370496.5,
                               0.1,
                               0.2,
                               0.3,
                               2.0 / 3.0,
                               1e23,
                               8.988465674311579e307,
                               5.0,
                               1.5e-323,
                               2.4703282292062328e-324};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) {
        check_value(specials[i]);
    }
}

static void test_powers(void) {
    char tok[32], buf[40], exp_py[64], exp_js[64];
    /* powers of ten 1e-330 .. 1e308 */
    for (int k = -330; k <= 308; k++) {
        snprintf(tok, sizeof tok, "1e%d", k);
        const double v = ref_strtod(tok);
        if (v == 0) {
            fmt_py(v, buf);
            CHECK(strcmp(buf, "0.0") == 0, "py(%s) = %s", tok, buf);
            continue;
        }
        check_value(v);
        char d[17];
        int e;
        const int n = prova__dtoa_shortest(v, d, &e);
        CHECK(n == 1 && d[0] == '1' && e == k, "shortest(%s) = %.*s e%d", tok, n, d, e);
        ref_layout(0, "1", 1, k, 0, exp_py);
        ref_layout(0, "1", 1, k, 1, exp_js);
        fmt_py(v, buf);
        CHECK(strcmp(buf, exp_py) == 0, "py(%s) = %s, expected %s", tok, buf, exp_py);
        fmt_js(v, buf);
        CHECK(strcmp(buf, exp_js) == 0, "js(%s) = %s, expected %s", tok, buf, exp_js);
        check_value(nextafter(v, 0.0));
        check_value(nextafter(v, INFINITY));
    }
    /* 2^n for every exponent, and neighbours */
    for (int k = -1074; k <= 1023; k++) {
        const double v = ldexp(1.0, k);
        check_value(v);
        check_value(nextafter(v, 0.0));
        check_value(nextafter(v, INFINITY));
        check_value(-v);
    }
    /* 3 * 2^n, 5 * 2^n, 10^k * 2^n-ish products */
    for (int k = -1074; k <= 1020; k++) {
        check_value(ldexp(3.0, k));
        check_value(ldexp(5.0, k));
        check_value(ldexp(7.0, k));
    }
}

static void test_integers(void) {
    char buf[40], exp_s[40];
    uint64_t samples[4096];
    size_t ns = 0;
    for (uint64_t i = 0; i < 1000; i++) samples[ns++] = i;
    for (uint64_t i = 0; i < 100; i++) samples[ns++] = ((uint64_t)1 << 53) - i;
    for (int k = 0; k <= 53; k++) samples[ns++] = (uint64_t)1 << k;
    for (uint64_t p = 10, i = 0; i < 15; i++, p *= 10) {
        samples[ns++] = p - 1;
        samples[ns++] = p;
        samples[ns++] = p + 1;
    }
    while (ns < sizeof samples / sizeof samples[0]) samples[ns++] = rnd() >> (11 + rnd_below(53));
    for (size_t i = 0; i < ns; i++) {
        const uint64_t u = samples[i];
        const double v = (double)u;
        snprintf(exp_s, sizeof exp_s, "%" PRIu64 ".0", u);
        fmt_py(v, buf);
        CHECK(strcmp(buf, exp_s) == 0, "py(%" PRIu64 ") = %s", u, buf);
        snprintf(exp_s, sizeof exp_s, "%" PRIu64, u);
        fmt_js(v, buf);
        CHECK(strcmp(buf, exp_s) == 0, "js(%" PRIu64 ") = %s", u, buf);
        check_value(v);
    }
}

static void test_random_roundtrip(unsigned long count) {
    unsigned long ok = 0, tried = 0;
    const unsigned long before = g_failed;
    while (tried < count) {
        uint64_t b = rnd();
        /* a quarter of the draws from the subnormal and lowest/highest binades, the rest uniform bits */
        const uint64_t r = rnd_below(16);
        if (r == 0)
            b &= 0x800fffffffffffffu; /* subnormal */
        else if (r == 1)
            b = (b & 0x801fffffffffffffu);
        else if (r == 2)
            b |= 0x7fe0000000000000u;
        else if (r == 3)
            b = (b & 0x800fffffffffffffu) | ((uint64_t)(1023 + rnd_below(80) - 40) << 52);
        const double v = from_bits(b);
        if (!isfinite(v)) continue;
        tried++;
        if (check_value(v)) ok++;
    }
    printf("random round-trip: %lu of %lu doubles ok (%lu failures)\n", ok, tried, g_failed - before);
}

/* "Short" doubles: few random digits at random exponents, the common case in JSON. */
static void test_short_decimals(unsigned long count) {
    char tok[64];
    for (unsigned long i = 0; i < count; i++) {
        const int nd = 1 + (int)rnd_below(15);
        uint64_t m = 0;
        for (int k = 0; k < nd; k++) m = m * 10 + rnd_below(10);
        const int e = (int)rnd_below(640) - 330;
        snprintf(tok, sizeof tok, "%" PRIu64 "e%d", m, e);
        const double v = ref_strtod(tok);
        if (!isfinite(v)) continue;
        check_value(v);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * parsing tests
 * ------------------------------------------------------------------------------------------------------------- */

/* Parses tok with prova__strtod (not NUL-terminated: the token is followed by digits in memory) and compares
 * with glibc in the C locale. */
static int check_parse(const char *tok) {
    const size_t len = strlen(tok);
    char *copy = malloc(len + 8);
    if (!copy) {
        fail_msg(__FILE__, __LINE__, "out of memory");
        return 0;
    }
    memcpy(copy, tok, len);
    memcpy(copy + len, "9876e99", 7); /* garbage that must not be read */
    copy[len + 7] = 0;
    double got = 1234.5;
    const int rc = prova__strtod(copy, len, &got);
    free(copy);
    const double want = ref_strtod(tok);
    const int want_rc = isinf(want) ? -1 : 0;
    if (bits_of(got) != bits_of(want) || rc != want_rc) {
        fail_msg(__FILE__, __LINE__,
                 "strtod(%.60s%s) = %.17g (%016" PRIx64 ", rc %d), expected %.17g (%016" PRIx64 ", rc %d)", tok,
                 len > 60 ? "..." : "", got, bits_of(got), rc, want, bits_of(want), want_rc);
        return 0;
    }
    g_passed++;
    return 1;
}

static void test_parse_literals(void) {
    static const char *const toks[] = {
        "0",
        "-0",
        "0.0",
        "-0.0",
        "0e0",
        "0E+5",
        "-0e-5",
        "0.000000e999999999999999999999",
        "1",
        "-1",
        "1.5",
        "1e5",
        "1E5",
        "1e+5",
        "1E-5",
        "-1.25e-3",
        "123456789",
        "0.1",
        "0.2",
        "0.3",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "2.2250738585072013e-308",
        "2.2250738585072014e-308",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "9007199254740993",
        "9007199254740992",
        "9007199254740994",
        "9007199254740995",
        "9007199254740993.0000000000000000000000000000001",
        "9007199254740992.9999999999999999999999999999",
        "1e23",
        "8.988465674311579e+307",
        "8.98846567431158e307",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "-1.7976931348623159e308",
        "1.8e308",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330"
        "286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069"
        "855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330"
        "286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069"
        "855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792",
        "1e400",
        "-1e400",
        "1e309",
        "1e308",
        "1e-400",
        "-1e-400",
        "1e-324",
        "2e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.47032822920623272088284396434110686182529901307162382212792841250337753635104"
        "3750e-324",
        "4.9406564584124654e-324",
        "5e-324",
        "7.4109846876186981e-324",
        "7.4109846876186982e-324",
        "1e-323",
        "4.4501477170144023e-308",
        "4.4501477170144022e-308",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "1.0000000000000002220446049250313080847263336181640625",
        "0.500000000000000166533453693773481063544750213623046875",
        "3.518437208883201171875e13",
        "62.5364939768271845828",
        "8.10109172351e-10",
        "1.1920928955078125e-07",
        "9.5367431640625e-07",
        "1448997445238699",
        "5.0216813883093446110686315385661331328818843555712276103"
        "e-16",
        "7.3177701707893310e+15",
        "1.7800590868057611e-307",
        "2.0522684006491881e-308",
        "4.9406564584124654417656879286822137236505980e-324",
        "1e-2147483649",
        "1e2147483648",
        "1e99999999999999999999999999999",
        "1e-99999999999999999999999999999",
        "123456789012345678901234567890",
        "0.000000000000000000000000000000000000001",
        "12345678901234567890123456789e-20",
        "10000000000000000000000000000000000000000000000000000000000000000e-64",
        "4.35",
        "1.15",
        "3.14",
        "-3.14",
        "1e22",
        "1e-22",
        "12345e22",
        "123456789e22",
        "9007199254740993e15",
        "9007199254740992e22",
        "1e37",
        "4294967296",
        "18446744073709551615",
        "18446744073709551616",
        "18446744073709551617",
        "9999999999999999999",
        "99999999999999999999",
        "10000000000000000000",
        "0.1e1",
        "0.01e2",
    };
    for (size_t i = 0; i < sizeof toks / sizeof toks[0]; i++) {
        check_parse(toks[i]);
    }

    /* return codes and signs */
    double v = 0;
    CHECK(prova__strtod("1e400", 5, &v) == -1 && isinf(v) && v > 0, "1e400");
    CHECK(prova__strtod("-1e400", 6, &v) == -1 && isinf(v) && v < 0, "-1e400");
    CHECK(prova__strtod("1e-400", 6, &v) == 0 && v == 0 && !signbit(v), "1e-400");
    CHECK(prova__strtod("-1e-400", 7, &v) == 0 && v == 0 && signbit(v), "-1e-400");
    CHECK(prova__strtod("-0", 2, &v) == 0 && v == 0 && signbit(v), "-0");
    /* not NUL-terminated and followed by more digits */
    CHECK(prova__strtod("1.5e10", 3, &v) == 0 && v == 1.5, "prefix 1.5");
    CHECK(prova__strtod("123456", 2, &v) == 0 && v == 12, "prefix 12");
    CHECK(prova__strtod("1e1000", 3, &v) == 0 && v == 10.0, "prefix 1e1");
    CHECK(prova__strtod("-2.5E+0300", 8, &v) == 0 && v == -2.5e3, "prefix -2.5E+03");
}

/* Exact decimal expansion of a long double into "d.ddd...e[+-]x" with trailing zeros removed. */
static void exact_expansion(long double x, char *out, size_t cap) {
    snprintf(out, cap, "%.1100Le", x);
    char *e = strchr(out, 'e');
    char *p = e;
    while (p[-1] == '0') p--;
    if (p[-1] == '.') p--;
    memmove(p, e, strlen(e) + 1);
}

static void test_parse_midpoints(unsigned long count) {
    static char exact[1300], tok[1400];
    if (LDBL_MANT_DIG < 64) {
        printf("midpoints: long double too narrow, skipped\n");
        return;
    }
    for (unsigned long i = 0; i < count; i++) {
        uint64_t b = rnd() & 0x7fffffffffffffffu;
        const uint64_t r = rnd_below(8);
        if (r == 0)
            b &= 0x000fffffffffffffu; /* subnormal */
        else if (r == 1)
            b = (b & 0x000fffffffffffffu) | 0x7fe0000000000000u; /* top binade */
        else if (r == 2)
            b &= 0xfff0000000000000u; /* powers of two: lower gap */
        else if (r == 3)
            b = (b & 0x000fffffffffffffu) | ((uint64_t)(1023 + rnd_below(130) - 65) << 52);
        if (b >= 0x7ff0000000000000u) continue;
        const double lo = from_bits(b);
        const double hi = from_bits(b + 1); /* may be +inf */
        long double mid;
        if (isinf(hi)) {
            mid = (long double)lo + ldexpl(1.0L, 1023 - 52 - 1); /* DBL_MAX + half an ulp */
        } else {
            mid = ((long double)lo + (long double)hi) / 2;
        }
        exact_expansion(mid, exact, sizeof exact);
        check_parse(exact);
        /* just above: append a 1 after the last digit */
        char *e = strchr(exact, 'e');
        const size_t mlen = (size_t)(e - exact);
        memcpy(tok, exact, mlen);
        size_t k = mlen;
        if (!memchr(exact, '.', mlen)) tok[k++] = '.';
        memcpy(tok + k, "0001", 4);
        k += 4;
        strcpy(tok + k, e);
        check_parse(tok);
        /* just below: the last digit minus one followed by nines */
        memcpy(tok, exact, mlen);
        k = mlen;
        if (tok[k - 1] >= '1' && tok[k - 1] <= '9') {
            tok[k - 1] = (char)(tok[k - 1] - 1);
            if (!memchr(exact, '.', mlen)) tok[k++] = '.';
            memcpy(tok + k, "999999", 6);
            k += 6;
            strcpy(tok + k, e);
            check_parse(tok);
        }
        /* the same value written as an integer with a negative exponent or with leading zeros */
        if (mlen > 2 && exact[1] == '.') {
            const int x = atoi(e + 1);
            const size_t nfrac = mlen - 2;
            snprintf(tok, sizeof tok, "%c%.*se%d", exact[0], (int)nfrac, exact + 2, x - (int)nfrac);
            check_parse(tok);
            snprintf(tok, sizeof tok, "0.0000%c%.*sE+%d", exact[0], (int)nfrac, exact + 2, x + 5);
            check_parse(tok);
        }
    }
}

static void random_digits(char *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (char)('0' + rnd_below(10));
}

static void test_parse_random(unsigned long count) {
    static char tok[12000];
    for (unsigned long i = 0; i < count; i++) {
        const uint64_t kind = rnd_below(10);
        size_t n = 0;
        if (rnd_below(2)) tok[n++] = '-';
        if (kind <= 5) {
            /* 1 .. 25 digits, a random exponent */
            const size_t nd = 1 + (size_t)rnd_below(25);
            tok[n++] = (char)('1' + rnd_below(9));
            random_digits(tok + n, nd - 1);
            n += nd - 1;
            if (rnd_below(2)) {
                const size_t at = 1 + (size_t)rnd_below(nd);
                if (at < nd) {
                    memmove(tok + n - (nd - at) + 1, tok + n - (nd - at), nd - at);
                    tok[n - (nd - at)] = '.';
                    n++;
                }
            }
            static const char *const e_forms[4] = {"e", "E", "e+", "E+"};
            const int x = (int)rnd_below(700) - 350;
            n += (size_t)sprintf(tok + n, "%s%d", x < 0 ? (rnd_below(2) ? "e" : "E") : e_forms[rnd_below(4)], x);
        } else if (kind == 6) {
            /* 0.000ddd with many digits */
            n += (size_t)sprintf(tok + n, "0.");
            const size_t nz = (size_t)rnd_below(330);
            memset(tok + n, '0', nz);
            n += nz;
            const size_t nd = 1 + (size_t)rnd_below(40);
            tok[n++] = (char)('1' + rnd_below(9));
            random_digits(tok + n, nd - 1);
            n += nd - 1;
        } else if (kind == 7) {
            /* 800 digits */
            tok[n++] = (char)('1' + rnd_below(9));
            tok[n++] = '.';
            random_digits(tok + n, 799);
            n += 799;
            n += (size_t)sprintf(tok + n, "E%d", (int)rnd_below(660) - 340);
        } else if (kind == 8) {
            /* thousands of digits, mostly zeros or nines after the first ones */
            const size_t nd = 1000 + (size_t)rnd_below(9000);
            const char fill = rnd_below(2) ? '0' : '9';
            tok[n++] = (char)('1' + rnd_below(9));
            random_digits(tok + n, 17);
            n += 17;
            memset(tok + n, fill, nd);
            n += nd;
            if (rnd_below(2)) tok[n++] = (char)('1' + rnd_below(9));
            n += (size_t)sprintf(tok + n, "e-%d", (int)(nd + rnd_below(300)));
        } else {
            /* integers near powers of two and ten */
            const uint64_t base = rnd_below(2) ? ((uint64_t)1 << (40 + rnd_below(24))) : 10000000000000000000u;
            n += (size_t)sprintf(tok + n, "%" PRIu64, base + rnd_below(2048) - 1024);
        }
        tok[n] = 0;
        check_parse(tok);
    }
}

int main(int argc, char **argv) {
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000ul;
    if (argc > 2) g_rng = strtoull(argv[2], NULL, 0);
    g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!g_c_locale) {
        fprintf(stderr, "newlocale failed\n");
        return 2;
    }
    /* the library must not depend on the process locale: run everything under one with a ',' decimal point
     * when the system has one */
    if (!setlocale(LC_ALL, "de_DE.UTF-8") && !setlocale(LC_ALL, "fr_FR.UTF-8")) {
        setlocale(LC_ALL, "C");
    }

    test_literals();
    printf("literals: %lu passed, %lu failed\n", g_passed, g_failed);
    test_boundaries();
    test_special_values();
    test_powers();
    printf("boundaries/specials/powers: %lu passed, %lu failed\n", g_passed, g_failed);
    test_integers();
    test_short_decimals(200000);
    printf("integers/short decimals: %lu passed, %lu failed\n", g_passed, g_failed);
    test_random_roundtrip(count);
    test_parse_literals();
    test_parse_midpoints(20000);
    test_parse_random(200000);
    printf("parsing: %lu passed, %lu failed\n", g_passed, g_failed);

    freelocale(g_c_locale);
    printf("%lu passed, %lu failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
