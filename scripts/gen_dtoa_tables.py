#!/usr/bin/python3
"""Generates src/lib/json/dtoa_tables.h: the constant tables of src/lib/json/dtoa.c.

Everything is computed with Python's exact integers; the script also checks, over the whole binary64 exponent
range, the integer approximations of logarithms and the shift ranges that dtoa.c relies on, and fails loudly
if one of them does not hold.

Usage: /usr/bin/python3 scripts/gen_dtoa_tables.py [OUTPUT]   (default: src/lib/json/dtoa_tables.h beside this
script's repository root). Deterministic: running it twice gives the same bytes.
"""

import os
import sys

# --- binary64 ---------------------------------------------------------------------------------------------------
MANT_BITS = 52
EXP_BIAS = 1023

# --- shortest (Ryu-style) tables ----------------------------------------------------------------------------------
POW5_BITCOUNT = 125      # 5^i is stored as its top 125 bits (truncated)
POW5_INV_BITCOUNT = 125  # 1/5^q is stored as floor(2^(bitlen(5^q) - 1 + 125) / 5^q) + 1


def pow5bits(e):
    """The C approximation of bitlen(5^e) used by dtoa.c (checked below)."""
    return ((e * 1217359) >> 19) + 1


def log10_pow2(e):
    """floor(log10(2^e)) for e >= 0, as computed in dtoa.c."""
    return (e * 78913) >> 18


def log10_pow5(e):
    """floor(log10(5^e)) for e >= 0, as computed in dtoa.c."""
    return (e * 732923) >> 20


def floor_log10(n):
    """Exact floor(log10(n)) for a positive integer n."""
    k = len(str(n)) - 1
    assert 10 ** k <= n < 10 ** (k + 1)
    return k


def check_log_formulas():
    for e in range(0, 1651):
        assert log10_pow2(e) == floor_log10(2 ** e), e
    for e in range(0, 2621):
        assert log10_pow5(e) == floor_log10(5 ** e), e
    for e in range(0, 3529):
        assert pow5bits(e) == max(1, (5 ** e).bit_length()), e


def shortest_index_ranges():
    """Walks every binary exponent the way dtoa.c does and returns the table sizes needed, checking on the way
    that the 64x128 -> 64 multiply-shift never needs a shift outside [64, 128) and never loses bits of the
    result."""
    max_inv_q = 0
    max_pow_i = 0
    for ieee_exp in range(0, 2047):
        if ieee_exp == 0:
            e2 = 1 - EXP_BIAS - MANT_BITS - 2
            m2_max = (1 << MANT_BITS) - 1
        else:
            e2 = ieee_exp - EXP_BIAS - MANT_BITS - 2
            m2_max = (1 << (MANT_BITS + 1)) - 1
        mv_max = 4 * m2_max + 2
        if e2 >= 0:
            q = log10_pow2(e2) - (1 if e2 > 3 else 0)
            k = POW5_INV_BITCOUNT + pow5bits(q) - 1
            j = -e2 + q + k
            mul = inv_split(q)
            max_inv_q = max(max_inv_q, q)
        else:
            q = log10_pow5(-e2) - (1 if -e2 > 1 else 0)
            i = -e2 - q
            k = pow5bits(i) - POW5_BITCOUNT
            j = q - k
            mul = pow_split(i)
            max_pow_i = max(max_pow_i, i)
        assert 64 <= j < 128, (ieee_exp, j)
        # the middle sum ((m*lo) >> 64) + m*hi must fit in 128 bits, the result in 64 bits
        assert ((mv_max * (mul & (2 ** 64 - 1))) >> 64) + mv_max * (mul >> 64) < 2 ** 128
        assert (mv_max * mul) >> j < 2 ** 64, ieee_exp
    return max_inv_q + 1, max_pow_i + 1


def pow_split(i):
    p = 5 ** i
    shift = p.bit_length() - POW5_BITCOUNT
    v = p >> shift if shift >= 0 else p << -shift
    assert v < 2 ** POW5_BITCOUNT
    return v


def inv_split(q):
    p = 5 ** q
    j = p.bit_length() - 1 + POW5_INV_BITCOUNT
    v = (1 << j) // p + 1
    assert v < 2 ** POW5_INV_BITCOUNT + 2 ** 64
    return v


# --- decimal -> binary tables (128-bit powers of five) ------------------------------------------------------------
# For every q in [Q_MIN, Q_MAX], 5^q == T * 2^E5 with T real in [2^127, 2^128); the table holds floor(T)
# (so the stored value is never above the exact one, error < 1) and E5. For 0 <= q <= EXACT_Q_MAX the stored
# value is exact.
Q_MIN = -342   # w * 10^q with w < 2^64 and q < -342 is below 2^-1075: rounds to zero
Q_MAX = 308    # w >= 1 and q > 308 overflows


def pow5_128(q):
    if q >= 0:
        p = 5 ** q
        bl = p.bit_length()
        if bl <= 128:
            t = p << (128 - bl)
        else:
            t = p >> (bl - 128)
        e5 = bl - 128
    else:
        d = 5 ** (-q)
        bl = d.bit_length()  # 2^(bl-1) < d < 2^bl, so 2^(127+bl)/d is in (2^127, 2^128)
        t = (1 << (127 + bl)) // d
        e5 = -(127 + bl)
    assert 2 ** 127 <= t < 2 ** 128, q
    # check floor(T) against the definition exactly: t * 2^e5 <= 5^q < (t + 1) * 2^e5
    if e5 >= 0:
        assert t * 2 ** e5 <= 5 ** q < (t + 1) * 2 ** e5
    else:
        if q >= 0:
            assert t == 5 ** q * 2 ** (-e5)
        else:
            # 5^q = 1/d: t <= 2^-e5 / d < t + 1
            assert t * d <= 2 ** (-e5) < (t + 1) * d
    return t, e5


def exact_q_max():
    q = 0
    while (5 ** (q + 1)).bit_length() <= 128:
        q += 1
    return q


# --- output -------------------------------------------------------------------------------------------------------
def hex64(v):
    return "0x%016xu" % v


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "src", "lib", "json", "dtoa_tables.h")

    check_log_formulas()
    inv_size, pow_size = shortest_index_ranges()
    eq = exact_q_max()

    lines = []
    w = lines.append
    w("/* GENERATED by scripts/gen_dtoa_tables.py -- do not edit. Regenerate with:")
    w(" *   /usr/bin/python3 scripts/gen_dtoa_tables.py")
    w(" * Constant tables for src/lib/json/dtoa.c (computed with exact integer arithmetic). */")
    w("#ifndef PROVA_DTOA_TABLES_H")
    w("#define PROVA_DTOA_TABLES_H")
    w("")
    w("#include <stdint.h>")
    w("")
    w("/* Shortest binary -> decimal. pow5_split[i] = top %d bits of 5^i; pow5_inv_split[q] ="
      % POW5_BITCOUNT)
    w(" * floor(2^(bitlen(5^q) - 1 + %d) / 5^q) + 1. Each entry is {low 64 bits, high 64 bits}. */"
      % POW5_INV_BITCOUNT)
    w("#define PROVA_DTOA_POW5_BITCOUNT %d" % POW5_BITCOUNT)
    w("#define PROVA_DTOA_POW5_INV_BITCOUNT %d" % POW5_INV_BITCOUNT)
    w("#define PROVA_DTOA_POW5_TABLE_SIZE %d" % pow_size)
    w("#define PROVA_DTOA_POW5_INV_TABLE_SIZE %d" % inv_size)
    w("")
    w("static const uint64_t prova_dtoa_pow5_inv_split[PROVA_DTOA_POW5_INV_TABLE_SIZE][2] = {")
    for q in range(inv_size):
        v = inv_split(q)
        w("    {%s, %s}, /* %d */" % (hex64(v & (2 ** 64 - 1)), hex64(v >> 64), q))
    w("};")
    w("")
    w("static const uint64_t prova_dtoa_pow5_split[PROVA_DTOA_POW5_TABLE_SIZE][2] = {")
    for i in range(pow_size):
        v = pow_split(i)
        w("    {%s, %s}, /* %d */" % (hex64(v & (2 ** 64 - 1)), hex64(v >> 64), i))
    w("};")
    w("")
    w("/* Decimal -> binary. For PROVA_DTOA_Q_MIN <= q <= PROVA_DTOA_Q_MAX, 5^q == T * 2^e with T real in")
    w(" * [2^127, 2^128): prova_dtoa_pow5_128[q - Q_MIN] = {high 64 bits, low 64 bits} of floor(T), and")
    w(" * prova_dtoa_pow5_128_exp[q - Q_MIN] = e. floor(T) == T exactly for 0 <= q <= PROVA_DTOA_EXACT_Q_MAX. */")
    w("#define PROVA_DTOA_Q_MIN (%d)" % Q_MIN)
    w("#define PROVA_DTOA_Q_MAX %d" % Q_MAX)
    w("#define PROVA_DTOA_EXACT_Q_MAX %d" % eq)
    w("")
    w("static const uint64_t prova_dtoa_pow5_128[%d][2] = {" % (Q_MAX - Q_MIN + 1))
    exps = []
    for q in range(Q_MIN, Q_MAX + 1):
        t, e5 = pow5_128(q)
        exps.append(e5)
        w("    {%s, %s}, /* %d */" % (hex64(t >> 64), hex64(t & (2 ** 64 - 1)), q))
    w("};")
    w("")
    w("static const int16_t prova_dtoa_pow5_128_exp[%d] = {" % (Q_MAX - Q_MIN + 1))
    for k in range(0, len(exps), 12):
        w("    " + ", ".join("%d" % x for x in exps[k:k + 12]) + ",")
    w("};")
    w("")
    w("/* \"00\" \"01\" ... \"99\" */")
    w("static const char prova_dtoa_digit_pairs[201] =")
    for k in range(0, 100, 20):
        w("    \"" + "".join("%02d" % x for x in range(k, k + 20)) + "\"" + (";" if k == 80 else ""))
    w("")
    w("#endif")
    w("")

    text = "\n".join(lines)
    with open(out, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    print("wrote %s (pow5_inv %d, pow5 %d, pow5_128 %d entries, exact q <= %d)"
          % (out, inv_size, pow_size, Q_MAX - Q_MIN + 1, eq))


if __name__ == "__main__":
    main()
