/* Binary64 <-> decimal conversions for the canonical JSON encoder and the parser.
 *
 * Binary -> decimal (prova__dtoa_shortest): the Ryu algorithm (Ulf Adams, "Ryu: fast float-to-string
 * conversion", PLDI 2018), written from the paper. The exact value and its rounding interval are scaled by a
 * 125-bit approximation of 10^-q (tables in dtoa_tables.h, made by scripts/gen_dtoa_tables.py), which is precise
 * enough that the three scaled integers vm < vr <= vp are exact floors; digits are then removed while the interval
 * still contains a shorter number, and the last one is rounded to the nearest (ties to even when the removed tail
 * is exactly one half). The result is the shortest digit string that reads back to the same double and, among
 * those, the one closest to the exact binary value: the digits of Python repr() and of ECMAScript
 * Number::toString.
 *
 * Decimal -> binary (prova__strtod), three stages, all integer arithmetic except stage 1, none touching the C
 * locale or any global state:
 *   1. Clinger's fast path: a significand <= 2^53 and a power of ten <= 10^22 are both exact doubles, so one IEEE
 *      multiplication or division is correctly rounded (only when FLT_EVAL_METHOD == 0).
 *   2. An Eisel-Lemire style product: the first 19 significant digits w (normalised to 64 bits) times a 128-bit
 *      truncation of 5^q. The product is a lower bound of the exact one with an error below 2^64 (of 2^192); the
 *      result is accepted unless that error could move the value across a rounding midpoint. When digits were
 *      dropped, both w and w + 1 must give the same double.
 *   3. Otherwise (ties, near-ties, long inputs whose rounding depends on far digits) an exact big-integer
 *      comparison of the decimal input with the midpoints next to a candidate double, moving the candidate until
 *      it is correctly rounded (round half to even). Inputs longer than 780 significant digits are replaced by
 *      their first 780 digits followed by a 1 when any dropped digit is non-zero: no midpoint between two doubles
 *      has more than 768 significant digits, so this never changes the rounding.
 */

#include "dtoa.h"
#include "dtoa_tables.h"
#include "internal.h" /* PROVA_NEVER */

#include <float.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------------------------
 * 64 x 64 -> 128 multiplication
 * ------------------------------------------------------------------------------------------------------------- */

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 prova_u128;

static inline uint64_t umul128(uint64_t a, uint64_t b, uint64_t *hi) {
    prova_u128 p = (prova_u128)a * b;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
}
#else
static inline uint64_t umul128(uint64_t a, uint64_t b, uint64_t *hi) {
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return (mid << 32) | (p00 & 0xffffffffu);
}
#endif

static inline int clz64(uint64_t v) /* v != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(v);
#else
    int n = 0;
    while (!(v & ((uint64_t)1 << 63))) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

static inline uint64_t double_bits(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static inline double bits_double(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

#define MANT_BITS    52
#define EXP_BIAS     1023
#define MANT_MASK    ((((uint64_t)1) << MANT_BITS) - 1)
#define EXP_INF_BITS ((uint64_t)0x7ff << MANT_BITS)

/* ---------------------------------------------------------------------------------------------------------------
 * Shortest binary -> decimal (Ryu)
 * ------------------------------------------------------------------------------------------------------------- */

/* bitlen(5^e) for 0 <= e <= 3528 (1 for e == 0). Checked by the generator. */
static inline int32_t pow5bits(int32_t e) {
    return (int32_t)(((uint32_t)e * 1217359u) >> 19) + 1;
}

/* floor(log10(2^e)) for 0 <= e <= 1650. */
static inline int32_t log10_pow2(int32_t e) {
    return (int32_t)(((uint32_t)e * 78913u) >> 18);
}

/* floor(log10(5^e)) for 0 <= e <= 2620. */
static inline int32_t log10_pow5(int32_t e) {
    return (int32_t)(((uint32_t)e * 732923u) >> 20);
}

static inline int pow5_factor(uint64_t v) /* v != 0 */
{
    int n = 0;
    while (v % 5 == 0) {
        v /= 5;
        n++;
    }
    return n;
}

static inline int multiple_of_pow5(uint64_t v, int32_t p) {
    return pow5_factor(v) >= p;
}

static inline int multiple_of_pow2(uint64_t v, int32_t p) /* 0 <= p < 64 */
{
    return (v & ((((uint64_t)1) << p) - 1)) == 0;
}

/* floor(m * mul / 2^j) for a 128-bit mul = {lo, hi} and 64 <= j < 128 (ranges checked by the generator). */
static inline uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int32_t j) {
    uint64_t h0, h1;
    (void)umul128(m, mul[0], &h0);
    uint64_t l1 = umul128(m, mul[1], &h1);
    uint64_t sum = l1 + h0;
    h1 += (sum < l1);
    unsigned s = (unsigned)(j - 64);
    if (s == 0) {
        return sum;
    }
    return (sum >> s) | (h1 << (64 - s));
}

typedef struct {
    uint64_t digits; /* the decimal significand, no trailing zero (0 for zero) */
    int32_t exp10;   /* value == digits * 10^exp10 */
} decimal64;

static const uint64_t pow10_u64[20] = {1u,
                                       10u,
                                       100u,
                                       1000u,
                                       10000u,
                                       100000u,
                                       1000000u,
                                       10000000u,
                                       100000000u,
                                       1000000000u,
                                       10000000000u,
                                       100000000000u,
                                       1000000000000u,
                                       10000000000000u,
                                       100000000000000u,
                                       1000000000000000u,
                                       10000000000000000u,
                                       100000000000000000u,
                                       1000000000000000000u,
                                       10000000000000000000u};

/* Number of decimal digits of v (1 for 0), without data-dependent branches: bitlen * log10(2) is the digit
 * count or one less. */
static inline int decimal_length(uint64_t v) {
    v |= 1; /* same digit count (10^k is even for k >= 1), and 0 counts as one digit */
    const int bitlen = 64 - clz64(v);
    const int t = (bitlen * 1233) >> 12; /* floor(bitlen * log10(2)) */
    return t + (v >= pow10_u64[t]);
}

/* Removes the last k digits (pow = 10^k) of vr/vp/vm when the interval still holds a shorter decimal,
 * recording whether the removed block rounds vr up. */
static inline void remove_block(uint64_t *vr, uint64_t *vp, uint64_t *vm, int *round_up, int32_t *removed, uint64_t pow,
                                int32_t k) {
    const uint64_t vpq = *vp / pow, vmq = *vm / pow;
    if (vpq <= vmq) {
        return;
    }
    const uint64_t vrq = *vr / pow;
    *round_up = (*vr - pow * vrq) >= pow / 2;
    *vr = vrq;
    *vp = vpq;
    *vm = vmq;
    *removed += k;
}

/* The shortest, closest decimal for a finite non-zero double given by its fields. */
static inline decimal64 shortest(uint64_t ieee_mant, uint32_t ieee_exp) {
    decimal64 r;
    int32_t e2;
    uint64_t m2;

    /* Integers below 2^53: the integer itself (an ulp <= 1 leaves no room for a shorter neighbour). */
    if (ieee_exp != 0) {
        m2 = ((uint64_t)1 << MANT_BITS) | ieee_mant;
        e2 = (int32_t)ieee_exp - EXP_BIAS - MANT_BITS;
        if (e2 <= 0 && e2 >= -MANT_BITS) {
            uint64_t mask = (((uint64_t)1) << -e2) - 1;
            if ((m2 & mask) == 0) {
                uint64_t v = m2 >> -e2;
                int32_t e = 0;
                for (;;) {
                    uint64_t q = v / 10;
                    if (v - 10 * q != 0) break;
                    v = q;
                    e++;
                }
                r.digits = v;
                r.exp10 = e;
                return r;
            }
        }
    }

    if (ieee_exp == 0) {
        e2 = 1 - EXP_BIAS - MANT_BITS - 2;
        m2 = ieee_mant;
    } else {
        e2 = (int32_t)ieee_exp - EXP_BIAS - MANT_BITS - 2;
        m2 = ((uint64_t)1 << MANT_BITS) | ieee_mant;
    }
    const int accept_bounds = (m2 & 1) == 0;

    /* The value is mv * 2^e2 with mv = 4 * m2; the rounding interval is [mm, mp] * 2^e2 (bounds included iff
     * m2 is even); the lower gap is half as wide at a power of two (except at the lowest binades). */
    const uint64_t mv = 4 * m2;
    const uint32_t mm_shift = (ieee_mant != 0 || ieee_exp <= 1) ? 1u : 0u;

    uint64_t vr, vp, vm;
    int32_t e10;
    int vm_trailing_zeros = 0, vr_trailing_zeros = 0;

    if (e2 >= 0) {
        const int32_t q = log10_pow2(e2) - (e2 > 3);
        e10 = q;
        const int32_t k = PROVA_DTOA_POW5_INV_BITCOUNT + pow5bits(q) - 1;
        const int32_t i = -e2 + q + k;
        const uint64_t *mul = prova_dtoa_pow5_inv_split[q];
        vr = mul_shift(4 * m2, mul, i);
        vp = mul_shift(4 * m2 + 2, mul, i);
        vm = mul_shift(4 * m2 - 1 - mm_shift, mul, i);
        if (q <= 21) {
            /* Only here can the scaled values be exact integers (10^q must divide mv * 2^e2). */
            const uint64_t mv_mod5 = mv % 5;
            if (mv_mod5 == 0) {
                vr_trailing_zeros = multiple_of_pow5(mv, q);
            } else if (accept_bounds) {
                vm_trailing_zeros = multiple_of_pow5(mv - 1 - mm_shift, q);
            } else {
                vp -= (uint64_t)multiple_of_pow5(mv + 2, q);
            }
        }
    } else {
        const int32_t q = log10_pow5(-e2) - (-e2 > 1);
        e10 = q + e2;
        const int32_t i = -e2 - q;
        const int32_t k = pow5bits(i) - PROVA_DTOA_POW5_BITCOUNT;
        const int32_t j = q - k;
        const uint64_t *mul = prova_dtoa_pow5_split[i];
        vr = mul_shift(4 * m2, mul, j);
        vp = mul_shift(4 * m2 + 2, mul, j);
        vm = mul_shift(4 * m2 - 1 - mm_shift, mul, j);
        if (q <= 1) {
            /* mv has at least q trailing zero bits, so vr is exact. */
            vr_trailing_zeros = 1;
            if (accept_bounds) {
                vm_trailing_zeros = mm_shift == 1;
            } else {
                --vp;
            }
        } else if (q < 63) {
            vr_trailing_zeros = multiple_of_pow2(mv, q);
        }
    }

    int32_t removed = 0;
    unsigned last_removed = 0;
    uint64_t output;
    if (vm_trailing_zeros || vr_trailing_zeros) {
        /* Rare general case: track whether the removed digits are all zero (exact halves, inclusive bounds). */
        for (;;) {
            const uint64_t vp10 = vp / 10, vm10 = vm / 10;
            if (vp10 <= vm10) break;
            const uint64_t vr10 = vr / 10;
            vm_trailing_zeros &= (vm - 10 * vm10) == 0;
            vr_trailing_zeros &= last_removed == 0;
            last_removed = (unsigned)(vr - 10 * vr10);
            vr = vr10;
            vp = vp10;
            vm = vm10;
            ++removed;
        }
        if (vm_trailing_zeros) {
            for (;;) {
                const uint64_t vm10 = vm / 10;
                if (vm - 10 * vm10 != 0) break;
                const uint64_t vr10 = vr / 10;
                vr_trailing_zeros &= last_removed == 0;
                last_removed = (unsigned)(vr - 10 * vr10);
                vr = vr10;
                vp = vp / 10;
                vm = vm10;
                ++removed;
            }
        }
        if (vr_trailing_zeros && last_removed == 5 && vr % 2 == 0) {
            last_removed = 4; /* exactly half way: round to even */
        }
        output = vr + (uint64_t)((vr == vm && (!accept_bounds || !vm_trailing_zeros)) || last_removed >= 5);
    } else {
        /* Common case: no exact halves possible, so round on the first removed digit. Whether k digits can go
         * is monotone in k (floor(vp / 10^k) > floor(vm / 10^k) implies it for every smaller k), so remove
         * blocks of 8, then 4, 2 and 1: rounding up iff the removed block is at least half of 10^k. */
        int round_up = 0;
        for (;;) {
            const uint64_t vpq = vp / 100000000u, vmq = vm / 100000000u;
            if (vpq <= vmq) break;
            const uint64_t vrq = vr / 100000000u;
            round_up = (vr - 100000000u * vrq) >= 50000000u;
            vr = vrq;
            vp = vpq;
            vm = vmq;
            removed += 8;
        }
        remove_block(&vr, &vp, &vm, &round_up, &removed, 10000u, 4);
        remove_block(&vr, &vp, &vm, &round_up, &removed, 100u, 2);
        remove_block(&vr, &vp, &vm, &round_up, &removed, 10u, 1);
        output = vr + (uint64_t)(vr == vm || round_up);
    }
    r.digits = output;
    r.exp10 = e10 + removed;
    return r;
}

/* Writes the 8 digits of v < 10^8 (with leading zeros) to p[0 .. 8). */
static inline void write8(char *p, uint32_t v) {
    const char *pairs = prova_dtoa_digit_pairs;
    const uint32_t hi = v / 10000u, lo = v % 10000u;
    memcpy(p, pairs + 2 * (hi / 100u), 2);
    memcpy(p + 2, pairs + 2 * (hi % 100u), 2);
    memcpy(p + 4, pairs + 2 * (lo / 100u), 2);
    memcpy(p + 6, pairs + 2 * (lo % 100u), 2);
}

/* Writes the len decimal digits of v (len == decimal_length(v) <= 17) to out[0 .. len). */
static inline void write_digits(char *out, uint64_t v, int len) {
    const char *pairs = prova_dtoa_digit_pairs;
    char *p = out + len;
    while (len > 8) { /* at most twice: len <= 17 */
        const uint64_t q = v / 100000000u;
        write8(p - 8, (uint32_t)(v - q * 100000000u));
        p -= 8;
        len -= 8;
        v = q;
    }
    uint32_t v32 = (uint32_t)v; /* < 10^8, len digits */
    if (len > 4) {
        const uint32_t lo = v32 % 10000u;
        v32 /= 10000u;
        memcpy(p - 4, pairs + 2 * (lo / 100u), 2);
        memcpy(p - 2, pairs + 2 * (lo % 100u), 2);
        p -= 4;
        len -= 4;
    }
    if (len > 2) {
        memcpy(p - 2, pairs + 2 * (v32 % 100u), 2);
        v32 /= 100u;
        p -= 2;
        len -= 2;
    }
    if (len == 2) {
        memcpy(p - 2, pairs + 2 * v32, 2);
    } else {
        p[-1] = (char)('0' + v32);
    }
}

/* Decimal form of a finite double's magnitude; zero is {0, 0}. */
static inline decimal64 to_decimal(uint64_t bits) {
    const uint64_t mant = bits & MANT_MASK;
    const uint32_t e = (uint32_t)((bits >> MANT_BITS) & 0x7ffu);
    if (e == 0 && mant == 0) {
        decimal64 z = {0, 0};
        return z;
    }
    return shortest(mant, e);
}

int prova__dtoa_shortest(double v, char digits[17], int *ret_exp10) {
    const uint64_t bits = double_bits(v);
    if (((bits >> MANT_BITS) & 0x7ffu) == 0x7ffu) { /* not finite: outside the contract, answer "0" */
        digits[0] = '0';
        *ret_exp10 = 0;
        return 1;
    }
    const decimal64 d = to_decimal(bits);
    const int n = decimal_length(d.digits);
    write_digits(digits, d.digits, n);
    *ret_exp10 = (int)d.exp10;
    return n;
}

/* Non-finite values are outside the contract of the formatters; they still write the language's spelling. */
static size_t format_nonfinite(uint64_t bits, char *buf, int js) {
    const char *s;
    if (bits & MANT_MASK) {
        s = js ? "NaN" : "nan";
    } else if (bits >> 63) {
        s = js ? "-Infinity" : "-inf";
    } else {
        s = js ? "Infinity" : "inf";
    }
    const size_t n = strlen(s);
    memcpy(buf, s, n);
    return n;
}

/* Writes "e", the sign and the exponent with at least min_digits digits (1 or 2); returns the new end. */
static inline char *write_exponent(char *p, int32_t x, int min_digits) {
    *p++ = 'e';
    if (x < 0) {
        *p++ = '-';
        x = -x;
    } else {
        *p++ = '+';
    }
    if (x >= 100) {
        *p++ = (char)('0' + x / 100);
        x %= 100;
        memcpy(p, prova_dtoa_digit_pairs + 2 * x, 2);
        return p + 2;
    }
    if (x >= 10 || min_digits >= 2) {
        memcpy(p, prova_dtoa_digit_pairs + 2 * x, 2);
        return p + 2;
    }
    *p++ = (char)('0' + x);
    return p;
}

/* Scientific form d[.ddd]e<sign><exp>, the digits already written at p + 1 (n of them). */
static inline char *finish_scientific(char *p, int n, int32_t x, int min_exp_digits) {
    p[0] = p[1];
    if (n > 1) {
        p[1] = '.';
        p += n + 1;
    } else {
        p += 1;
    }
    return write_exponent(p, x, min_exp_digits);
}

/* Python repr() of the finite value (-1)^neg * d.digits * 10^d.exp10 (d.digits == 0 is zero). */
static size_t format_py(int neg, decimal64 d, char *buf) {
    char *p = buf;
    if (neg) {
        *p++ = '-';
    }
    const int n = decimal_length(d.digits);
    const int32_t decpt = n + d.exp10; /* value = 0.d1...dn * 10^decpt */

    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) { /* 0.000ddd */
            const int z = -decpt;
            p[0] = '0';
            p[1] = '.';
            memset(p + 2, '0', (size_t)z);
            write_digits(p + 2 + z, d.digits, n);
            p += 2 + z + n;
        } else if (decpt < n) { /* ddd.ddd */
            write_digits(p + 1, d.digits, n);
            memmove(p, p + 1, (size_t)decpt);
            p[decpt] = '.';
            p += n + 1;
        } else { /* ddd000.0 */
            write_digits(p, d.digits, n);
            memset(p + n, '0', (size_t)(decpt - n));
            p += decpt;
            p[0] = '.';
            p[1] = '0';
            p += 2;
        }
    } else {
        write_digits(p + 1, d.digits, n);
        p = finish_scientific(p, n, decpt - 1, 2);
    }
    return (size_t)(p - buf);
}

/* ECMAScript Number::toString of the finite value (-1)^neg * d.digits * 10^d.exp10; -0 is "0". */
static size_t format_js(int neg, decimal64 d, char *buf) {
    char *p = buf;
    if (neg && d.digits != 0) {
        *p++ = '-';
    }
    const int n = decimal_length(d.digits);
    const int32_t decpt = n + d.exp10; /* ECMA-262: k = n digits, "n" = decpt */

    if (n <= decpt && decpt <= 21) { /* ddd000 */
        write_digits(p, d.digits, n);
        memset(p + n, '0', (size_t)(decpt - n));
        p += decpt;
    } else if (0 < decpt && decpt <= 21) { /* ddd.ddd */
        write_digits(p + 1, d.digits, n);
        memmove(p, p + 1, (size_t)decpt);
        p[decpt] = '.';
        p += n + 1;
    } else if (-6 < decpt && decpt <= 0) { /* 0.000ddd */
        const int z = -decpt;
        p[0] = '0';
        p[1] = '.';
        memset(p + 2, '0', (size_t)z);
        write_digits(p + 2 + z, d.digits, n);
        p += 2 + z + n;
    } else {
        write_digits(p + 1, d.digits, n);
        p = finish_scientific(p, n, decpt - 1, 1);
    }
    return (size_t)(p - buf);
}

size_t prova__format_double_py(double v, char buf[32]) {
    const uint64_t bits = double_bits(v);
    if (((bits >> MANT_BITS) & 0x7ffu) == 0x7ffu) {
        return format_nonfinite(bits, buf, 0);
    }
    return format_py((int)(bits >> 63), to_decimal(bits), buf);
}

size_t prova__format_double_js(double v, char buf[32]) {
    const uint64_t bits = double_bits(v);
    if (((bits >> MANT_BITS) & 0x7ffu) == 0x7ffu) {
        return format_nonfinite(bits, buf, 1);
    }
    return format_js((int)(bits >> 63), to_decimal(bits), buf);
}

size_t prova__format_decimal(int neg, uint64_t digits, int exp10, int js, char buf[32]) {
    while (digits != 0 && digits % 10 == 0) { /* the formatters expect no trailing zeros */
        digits /= 10;
        exp10++;
    }
    decimal64 d = {digits, digits ? exp10 : 0};
    return js ? format_js(neg, d, buf) : format_py(neg, d, buf);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Decimal -> binary
 * ------------------------------------------------------------------------------------------------------------- */

#define MAX_DIGITS_KEPT 780 /* > 768, the most significant digits a midpoint between two doubles can have */

/* Exponent digits beyond this magnitude cannot matter (the digit count of a token is far below it). */
#define EXP_CLAMP ((int64_t)1000000000000000)

typedef struct {
    const char *int_digits; /* integer part */
    size_t int_len;
    const char *frac_digits; /* fraction part (may be empty) */
    size_t frac_len;
    int64_t exp; /* explicit exponent, clamped to +-EXP_CLAMP */
} number_parts;

static inline int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* --- stage 2 ----------------------------------------------------------------------------------------------------- */

/* Double bits of M * 2^ef (M < 2^54, positive). Normal results have M in [2^52, 2^53]; a subnormal one has
 * ef == -1074 and M <= 2^52. Overflow gives the infinity bits. */
static inline uint64_t compose(uint64_t M, int32_t ef) {
    if (M == ((uint64_t)1 << (MANT_BITS + 1))) {
        M >>= 1;
        ef++;
    }
    if (M < ((uint64_t)1 << MANT_BITS)) {
        return M; /* subnormal (or zero) */
    }
    const int32_t biased = ef + MANT_BITS + EXP_BIAS;
    if (biased >= 0x7ff) {
        return EXP_INF_BITS;
    }
    return ((uint64_t)biased << MANT_BITS) | (M & MANT_MASK);
}

/* w * 10^q for 1 <= w < 2^64 and PROVA_DTOA_Q_MIN <= q <= PROVA_DTOA_Q_MAX. Returns 1 with the correctly
 * rounded bits, or 0 when the truncated product cannot decide; *bits is then a candidate below the answer by at
 * most one ulp. */
static int eisel_lemire(uint64_t w, int32_t q, uint64_t *bits) {
    const int32_t idx = q - PROVA_DTOA_Q_MIN;
    const uint64_t t_hi = prova_dtoa_pow5_128[idx][0];
    const uint64_t t_lo = prova_dtoa_pow5_128[idx][1];
    const int lz = clz64(w);
    const uint64_t wn = w << lz;

    /* P = wn * T as three 64-bit words p2:p1:p0. X = wn * 5^q / 2^e5 satisfies P <= X < P + 2^64. */
    uint64_t a_hi, b_hi;
    const uint64_t a_lo = umul128(wn, t_hi, &a_hi);
    const uint64_t p0 = umul128(wn, t_lo, &b_hi);
    const uint64_t p1 = a_lo + b_hi;
    const uint64_t p2 = a_hi + (p1 < a_lo);

    /* value == X * 2^E, X in [2^190, 2^192) */
    const int32_t E = (int32_t)prova_dtoa_pow5_128_exp[idx] + q - lz;
    const int32_t top = (p2 >> 63) ? 191 : 190;
    int32_t lsb = top - MANT_BITS; /* bit of P that becomes the mantissa's last bit */
    if (lsb < -1074 - E) {
        lsb = -1074 - E; /* subnormal */
    }
    if (lsb > 192) { /* X < 2^192 <= half of the smallest subnormal: zero */
        *bits = 0;
        return 1;
    }
    const unsigned s = (unsigned)(lsb - 128); /* 10 .. 64 */
    const uint64_t M = s >= 64 ? 0 : p2 >> s;
    const uint64_t hh = s >= 64 ? p2 : p2 & ((((uint64_t)1) << s) - 1); /* bits 128 .. lsb-1 */
    const uint64_t half = ((uint64_t)1) << (s - 1);                     /* bit lsb-1 */
    int up;
    if (q >= 0 && q <= PROVA_DTOA_EXACT_Q_MAX) { /* T exact: P == X, decide exactly */
        if (hh > half || (hh == half && (p1 | p0) != 0)) {
            up = 1;
        } else if (hh == half) {
            up = (int)(M & 1); /* tie: to even */
        } else {
            up = 0;
        }
    } else {
        /* remainder R = hh:p1:p0, the exact one in [R, R + 2^64). Decided unless R is within 2^64 of the half. */
        if ((hh == half && p1 == 0) || (hh == half - 1 && p1 == UINT64_MAX)) {
            *bits = compose(M, lsb + E);
            return 0;
        }
        up = hh >= half;
    }
    *bits = compose(M + (uint64_t)up, lsb + E);
    return 1;
}

/* --- stage 3: big integers --------------------------------------------------------------------------------------- */

/* Operands stay below about 2650 bits (a 781-digit D, or c < 2^55 times 5^-e10 with e10 >= -1106, balanced by a
 * power of two; measured peak 82 limbs); 160 limbs is 5120 bits. */
#define BIG_LIMBS 160

typedef struct {
    uint32_t d[BIG_LIMBS]; /* little endian */
    int n;                 /* used limbs, no leading zero limb */
} bigint;

static void big_set_u64(bigint *b, uint64_t v) {
    b->n = 0;
    while (v) {
        b->d[b->n++] = (uint32_t)v;
        v >>= 32;
    }
}

static void big_mul_add_small(bigint *b, uint32_t m, uint32_t a) {
    uint64_t carry = a;
    for (int i = 0; i < b->n; i++) {
        const uint64_t t = (uint64_t)b->d[i] * m + carry;
        b->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry && b->n < BIG_LIMBS) {
        b->d[b->n++] = (uint32_t)carry;
    }
}

static void big_mul_pow5(bigint *b, int32_t k) {
    static const uint32_t p5[14] = {1u,     5u,      25u,      125u,     625u,      3125u,      15625u,
                                    78125u, 390625u, 1953125u, 9765625u, 48828125u, 244140625u, 1220703125u};
    while (k >= 13) {
        big_mul_add_small(b, p5[13], 0);
        k -= 13;
    }
    if (k > 0) {
        big_mul_add_small(b, p5[k], 0);
    }
}

static void big_shl(bigint *b, int32_t s) {
    if (b->n == 0 || s <= 0) {
        return;
    }
    const int limbs = (int)(s / 32);
    const unsigned bits = (unsigned)(s % 32);
    int n = b->n;
    if (PROVA_NEVER(n + limbs + 1 > BIG_LIMBS)) { /* within the documented bounds it cannot; memory stays safe */
        return;
    }
    if (bits) {
        b->d[n + limbs] = 0;
        for (int i = n - 1; i >= 0; i--) {
            b->d[i + limbs + 1] |= b->d[i] >> (32 - bits);
            b->d[i + limbs] = b->d[i] << bits;
        }
        n = n + limbs + 1;
    } else {
        for (int i = n - 1; i >= 0; i--) {
            b->d[i + limbs] = b->d[i];
        }
        n = n + limbs;
    }
    for (int i = 0; i < limbs; i++) {
        b->d[i] = 0;
    }
    while (n > 0 && b->d[n - 1] == 0) {
        n--;
    }
    b->n = n;
}

static int big_cmp(const bigint *a, const bigint *b) {
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    for (int i = a->n - 1; i >= 0; i--) {
        if (a->d[i] != b->d[i]) {
            return a->d[i] < b->d[i] ? -1 : 1;
        }
    }
    return 0;
}

/* The decimal input as D * 10^e10 (D exact, or truncated to MAX_DIGITS_KEPT digits plus a sticky 1). */
typedef struct {
    bigint base; /* D * 5^e10 if e10 >= 0, else D */
    int32_t e10;
} big_decimal;

static void big_decimal_init(big_decimal *bd, const number_parts *np) {
    bigint *b = &bd->base;
    int64_t e = 0;
    int nsig = 0, sticky = 0;
    uint32_t chunk = 0, chunk_mul = 1;
    b->n = 0;
    for (int part = 0; part < 2; part++) {
        const char *s = part ? np->frac_digits : np->int_digits;
        const size_t len = part ? np->frac_len : np->int_len;
        for (size_t i = 0; i < len; i++) {
            const uint32_t dg = (uint32_t)(s[i] - '0');
            if (nsig == 0 && dg == 0) {
                e -= part; /* leading zeros of the fraction scale down */
                continue;
            }
            if (nsig < MAX_DIGITS_KEPT) {
                chunk = chunk * 10 + dg;
                chunk_mul *= 10;
                nsig++;
                e -= part;
                if (chunk_mul == 1000000000u) {
                    big_mul_add_small(b, chunk_mul, chunk); /* also right for b == 0 */
                    chunk = 0;
                    chunk_mul = 1;
                }
            } else {
                e += 1 - part; /* a dropped integer digit scales up */
                sticky |= dg != 0;
            }
        }
    }
    if (sticky) {
        chunk = chunk * 10 + 1;
        chunk_mul *= 10;
        e -= 1;
    }
    if (chunk_mul != 1) {
        big_mul_add_small(b, chunk_mul, chunk);
    }
    e += np->exp; /* in range: the caller checked the magnitude */
    bd->e10 = (int32_t)e;
    if (bd->e10 > 0) {
        big_mul_pow5(b, bd->e10);
    }
}

/* Sign of (input - c * 2^f). */
static int big_decimal_cmp(const big_decimal *bd, uint64_t c, int32_t f) {
    bigint lhs = bd->base, rhs;
    big_set_u64(&rhs, c);
    if (bd->e10 < 0) {
        big_mul_pow5(&rhs, -bd->e10);
    }
    /* lhs * 2^e10 versus rhs * 2^f */
    if (bd->e10 > f) {
        big_shl(&lhs, bd->e10 - f);
    } else {
        big_shl(&rhs, f - bd->e10);
    }
    return big_cmp(&lhs, &rhs);
}

/* Moves the candidate (positive, finite, within a few ulps) to the correctly rounded result. */
static uint64_t big_correct(const number_parts *np, uint64_t cand) {
    big_decimal bd;
    big_decimal_init(&bd, np);
    for (int guard = 0; guard < 64; guard++) {
        if (cand >= EXP_INF_BITS) {
            return EXP_INF_BITS;
        }
        const uint64_t be = cand >> MANT_BITS, fr = cand & MANT_MASK;
        const uint64_t m = be ? (fr | ((uint64_t)1 << MANT_BITS)) : fr;
        const int32_t e = be ? (int32_t)be - EXP_BIAS - MANT_BITS : 1 - EXP_BIAS - MANT_BITS;
        /* upper midpoint (2m + 1) * 2^(e-1) */
        int c = big_decimal_cmp(&bd, 2 * m + 1, e - 1);
        if (c > 0) {
            cand++;
            continue;
        }
        if (c == 0) {
            return (cand & 1) ? cand + 1 : cand;
        }
        if (cand == 0) {
            return 0;
        }
        /* lower midpoint: (4m - 1) * 2^(e-2) at the bottom of a normal binade above the first, else (2m-1)*2^(e-1) */
        if (fr == 0 && be > 1) {
            c = big_decimal_cmp(&bd, 4 * m - 1, e - 2);
        } else {
            c = big_decimal_cmp(&bd, 2 * m - 1, e - 1);
        }
        if (c < 0) {
            cand--;
            continue;
        }
        if (c == 0) {
            return (cand & 1) ? cand - 1 : cand;
        }
        return cand;
    }
    return cand; /* not reached for candidates within a few ulps */
}

/* Eight ASCII digits in one little-endian word: the test and the value (the classic SWAR reduction: pairs,
 * then quads, then the eight). Only used where the byte order is known. */
static inline int eight_digits(uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ((v & 0xF0F0F0F0F0F0F0F0u) == 0x3030303030303030u) &&
           (((v + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) == 0x3030303030303030u);
#else
    (void)v;
    return 0;
#endif
}

static inline uint64_t parse_eight_digits(uint64_t v) {
    v -= 0x3030303030303030u;
    v = (v * 10) + (v >> 8); /* each 16-bit lane: two digits */
    v = (((v & 0x000000FF000000FFu) * (100 + (1000000ull << 32))) +
         (((v >> 16) & 0x000000FF000000FFu) * (1 + (10000ull << 32)))) >>
        32;
    return v;
}

/* --- entry point ------------------------------------------------------------------------------------------------- */

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define PROVA_CLINGER 1
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#endif

int prova__strtod(const char *tok, size_t len, double *ret) {
    size_t i = 0;
    int neg = 0;
    number_parts np;

    if (i < len && (tok[i] == '-' || tok[i] == '+')) {
        neg = tok[i] == '-';
        i++;
    }

    /* Significand: the first 19 significant digits into w; value = w * 10^dexp (exact unless truncated). */
    uint64_t w = 0;
    int nw = 0;        /* digits in w */
    int64_t dexp = 0;  /* power of ten of w's last digit, before the explicit exponent */
    int truncated = 0; /* a non-zero digit was dropped */

    np.int_digits = tok + i;
    while (i < len && is_digit(tok[i])) {
        const unsigned dg = (unsigned)(tok[i] - '0');
        if (nw < 19) {
            if (nw > 0 || dg != 0) {
                w = w * 10 + dg;
                nw++;
            }
        } else {
            dexp++;
            truncated |= dg != 0;
        }
        i++;
    }
    np.int_len = (size_t)(tok + i - np.int_digits);
    np.frac_digits = tok + i;
    np.frac_len = 0;
    if (i < len && tok[i] == '.') {
        i++;
        np.frac_digits = tok + i;
        if (nw == 0) { /* 0.000ddd: leading zeros only move the point */
            while (i < len && tok[i] == '0') {
                dexp--;
                i++;
            }
        }
        /* Eight digits at a time while they fit in w (at most 11 digits already, so 19 is not exceeded; leading
         * zeros were skipped above, so the first of the eight is significant). */
        while (nw <= 11 && len - i >= 8) {
            uint64_t v;
            memcpy(&v, tok + i, sizeof v);
            if (!eight_digits(v)) {
                break;
            }
            w = w * 100000000u + parse_eight_digits(v);
            nw += 8;
            dexp -= 8;
            i += 8;
        }
        while (i < len && is_digit(tok[i])) {
            const unsigned dg = (unsigned)(tok[i] - '0');
            if (nw < 19) {
                if (nw > 0 || dg != 0) {
                    w = w * 10 + dg;
                    nw++;
                }
                dexp--;
            } else {
                truncated |= dg != 0;
            }
            i++;
        }
        np.frac_len = (size_t)(tok + i - np.frac_digits);
    }
    int64_t ex = 0;
    if (i < len && (tok[i] == 'e' || tok[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < len && (tok[i] == '-' || tok[i] == '+')) {
            eneg = tok[i] == '-';
            i++;
        }
        while (i < len && is_digit(tok[i])) {
            if (ex < EXP_CLAMP) {
                ex = ex * 10 + (tok[i] - '0');
            }
            i++;
        }
        if (eneg) {
            ex = -ex;
        }
    }
    np.exp = ex;

    uint64_t bits;
    int rc = 0;
    if (w == 0) {
        bits = 0;
        goto done;
    }
    {
        const int64_t q64 = dexp + ex; /* value ~ w * 10^q64, w has nw digits */
        if (q64 + nw > 309) {          /* >= 10^309 */
            bits = EXP_INF_BITS;
            goto done;
        }
        if (q64 + nw < -323) { /* < 10^-324 < 2^-1075 */
            bits = 0;
            goto done;
        }
        const int32_t q = (int32_t)q64; /* now in [-342, 308] */

#ifdef PROVA_CLINGER
        if (!truncated && w <= ((uint64_t)1 << 53)) {
            if (q >= -22 && q <= 22) {
                double d = (double)w;
                d = q < 0 ? d / exact_pow10[-q] : d * exact_pow10[q];
                *ret = neg ? -d : d;
                return 0;
            }
            if (q > 22 && q <= 22 + 15) {
                /* w * 10^(q-22) may still be an exact integer below 2^53 */
                const uint64_t p = (uint64_t)exact_pow10[q - 22];
                uint64_t hi;
                const uint64_t lo = umul128(w, p, &hi);
                if (hi == 0 && lo <= ((uint64_t)1 << 53)) {
                    const double d = (double)lo * 1e22;
                    *ret = neg ? -d : d;
                    return 0;
                }
            }
        }
#endif
        uint64_t b1;
        const int ok1 = eisel_lemire(w, q, &b1);
        if (!truncated) {
            bits = ok1 ? b1 : big_correct(&np, b1);
        } else {
            /* the value lies in [w, w + 1) * 10^q: both ends must round alike (w + 1 <= 10^19 < 2^64) */
            uint64_t b2;
            const int ok2 = eisel_lemire(w + 1, q, &b2);
            bits = (ok1 && ok2 && b1 == b2) ? b1 : big_correct(&np, b1 < EXP_INF_BITS ? b1 : EXP_INF_BITS);
        }
        if (bits >= EXP_INF_BITS) {
            bits = EXP_INF_BITS;
        }
    }
done:
    if (bits == EXP_INF_BITS) {
        rc = -1;
    }
    if (neg) {
        bits |= (uint64_t)1 << 63;
    }
    *ret = bits_double(bits);
    return rc;
}
