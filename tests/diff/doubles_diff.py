#!/usr/bin/python3
"""Differential test of src/lib/json/dtoa.c against independent implementations.

    /usr/bin/python3 tests/diff/doubles_diff.py PATH_TO_DRIVER [count] [seed]

PATH_TO_DRIVER is tests/diff/dtoa_driver.c built with src/lib/json/dtoa.c. The script draws `count` doubles
(default 120000, deterministic for a given seed) from every hard class -- random bit patterns, subnormals, powers
of ten and of two and their neighbours, the notation thresholds 1e-4/1e16 (Python) and 1e-6/1e21 (ECMAScript)
plus or minus a few ulps, the extremes, 17-significant-digit and short decimals, integers near 2^53 -- and checks:

  * the driver's first column against CPython's repr(x);
  * the driver's second column against Node's String(x) (tests/diff/doubles_diff.js), (`node` must be on PATH; its absence is a failure)
    (otherwise that column is reported as skipped);
  * prova__strtod (driver --strtod) against CPython's float() -- which is correctly rounded -- on count / 2 number
    tokens: the repr strings, random and long digit strings, and exact midpoints between adjacent doubles and
    their immediate neighbours.

Prints the first 10 mismatches, then "N passed, M failed"; exits 1 if anything failed. Standard library only.
"""

import math
import os
import random
import shutil
import struct
import subprocess
import sys
from fractions import Fraction

DBL_MAX = sys.float_info.max
MIN_SUB = 5e-324


def bits_of(x):
    return struct.unpack('<Q', struct.pack('<d', x))[0]


def from_bits(b):
    return struct.unpack('<d', struct.pack('<Q', b & 0xffffffffffffffff))[0]


def finite(x):
    return not (math.isinf(x) or math.isnan(x))


def neighbours(x, n):
    """x and up to n ulps on each side (finite values only)."""
    out = [x]
    lo = hi = x
    for _ in range(n):
        lo = math.nextafter(lo, -math.inf)
        hi = math.nextafter(hi, math.inf)
        out.append(lo)
        out.append(hi)
    return [v for v in out if finite(v)]


def gen_doubles(count, rng):
    vals = []

    def add(v, signed=True):
        if finite(v):
            vals.append(v)
            if signed and rng.random() < 0.5:
                vals.append(-v)

    # fixed hard values
    for v in [0.0, -0.0, MIN_SUB, 2 * MIN_SUB, 3 * MIN_SUB, DBL_MAX, sys.float_info.min,
              math.nextafter(sys.float_info.min, 0), 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 63, 2.0 ** 64,
              0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e23, 9007199254740993.0, 8.988465674311579e307]:
        for w in neighbours(v, 3):
            add(w)
    # notation thresholds, +-40 ulps (both languages' thresholds and their neighbours)
    for t in [1e-4, 1e16, 1e-6, 1e21, 1e-5, 1e-7, 1e15, 1e17, 1e20, 1e22, 1e-3]:
        for w in neighbours(t, 40):
            add(w)
    # powers of ten and their neighbours
    for k in range(-325, 309):
        v = float('1e%d' % k)
        for w in neighbours(v, 2):
            add(w)
    # powers of two and their neighbours, and small multiples
    for k in range(-1074, 1024):
        v = math.ldexp(1.0, k)
        for w in neighbours(v, 1):
            add(w)
        if k < 1023:
            add(math.ldexp(3.0, k))
    base = len(vals)
    remaining = max(0, count - base)

    classes = [
        ('random bits', 30),
        ('subnormal', 10),
        ('near max', 3),
        ('near min normal', 3),
        ('17 digits', 14),
        ('short decimal', 14),
        ('near 2^53', 6),
        ('integers', 6),
        ('threshold random', 6),
        ('pow10 random ulps', 8),
    ]
    total_w = sum(w for _, w in classes)
    for name, weight in classes:
        n = remaining * weight // total_w
        for _ in range(n):
            if name == 'random bits':
                while True:
                    v = from_bits(rng.getrandbits(64))
                    if finite(v):
                        break
                vals.append(v)
            elif name == 'subnormal':
                m = rng.choice([rng.getrandbits(52), rng.getrandbits(rng.randint(1, 52)), rng.randint(1, 64),
                                (1 << 52) - rng.randint(1, 64)])
                add(from_bits(m))
            elif name == 'near max':
                add(from_bits(0x7fefffffffffffff - rng.getrandbits(rng.randint(1, 52))))
            elif name == 'near min normal':
                add(from_bits(0x0010000000000000 + rng.randint(-1 << 20, 1 << 20)))
            elif name == '17 digits':
                digs = rng.randint(10 ** 16, 10 ** 17 - 1)
                add(float('%de%d' % (digs, rng.randint(-340, 292))))
            elif name == 'short decimal':
                nd = rng.randint(1, 7)
                digs = rng.randint(0, 10 ** nd - 1)
                add(float('%de%d' % (digs, rng.randint(-12, 12) if rng.random() < 0.8 else rng.randint(-330, 300))))
            elif name == 'near 2^53':
                add(float(2 ** 53 + rng.randint(-4096, 4096)))
            elif name == 'integers':
                add(float(rng.getrandbits(rng.randint(1, 70))))
            elif name == 'threshold random':
                t = rng.choice([1e-4, 1e16, 1e-6, 1e21])
                add(from_bits(bits_of(t) + rng.randint(-1000, 1000)))
            else:
                k = rng.randint(-323, 308)
                v = float('1e%d' % k)
                if v != 0:
                    add(from_bits(bits_of(v) + rng.randint(-50, 50)))
    return [v for v in vals if finite(v)]


def exact_decimal(fr):
    """Exact decimal string of a non-negative Fraction whose denominator is a power of two."""
    den = fr.denominator
    k = den.bit_length() - 1
    assert den == 1 << k
    num = fr.numerator * 5 ** k
    s = str(num)
    if k == 0:
        return s
    if len(s) <= k:
        s = '0' * (k - len(s) + 1) + s
    return s[:-k] + '.' + s[-k:]


def gen_tokens(doubles, count, rng):
    toks = []
    # the repr spellings of a sample of the doubles (round trip of Python's own output)
    for v in rng.sample(doubles, min(len(doubles), count // 4)):
        toks.append(repr(v))
    # midpoints between adjacent doubles, and just above / below them
    n_mid = count // 8
    for _ in range(n_mid):
        r = rng.random()
        if r < 0.2:
            b = rng.getrandbits(52)                                # subnormal
        elif r < 0.3:
            b = 0x7fe0000000000000 | rng.getrandbits(52)           # top binade
        elif r < 0.5:
            b = (rng.randint(1000, 1100) << 52) | rng.getrandbits(52)
        else:
            b = rng.randint(0, 0x7fefffffffffffff)
        lo = Fraction(from_bits(b))
        hi = Fraction(from_bits(b + 1)) if b + 1 < 0x7ff0000000000000 else Fraction(2) ** 1024
        mid = (lo + hi) / 2
        s = exact_decimal(mid)
        sign = '-' if rng.random() < 0.3 else ''
        toks.append(sign + s)
        toks.append(sign + s + ('1' if '.' in s else '.0001'))
        if s[-1] != '0':
            toks.append(sign + s[:-1] + chr(ord(s[-1]) - 1) + ('999' if '.' in s else '.999'))
    # random digit strings with random exponents
    while len(toks) < count:
        kind = rng.random()
        if kind < 0.5:
            nd = rng.randint(1, 22)
            d = str(rng.randint(1, 9)) + ''.join(rng.choice('0123456789') for _ in range(nd - 1))
            if rng.random() < 0.5 and nd > 1:
                at = rng.randint(1, nd - 1)
                d = d[:at] + '.' + d[at:]
            toks.append(d + rng.choice(['e', 'E', 'e+', 'E-', 'e-']) + str(rng.randint(0, 340)))
        elif kind < 0.8:
            nd = rng.randint(1, 19)
            toks.append('0.' + '0' * rng.randint(0, 20) + ''.join(rng.choice('0123456789') for _ in range(nd)))
        elif kind < 0.95:
            nd = rng.randint(20, 900)
            d = str(rng.randint(1, 9)) + ''.join(rng.choice('0123456789') for _ in range(nd - 1))
            toks.append(d[0] + '.' + d[1:] + 'e' + str(rng.randint(-340, 308)))
        else:
            toks.append(rng.choice(['1e400', '-1e400', '1e-400', '-0', '0', '0.0e0', '1e99999999999999999999',
                                    '2.2250738585072011e-308', '2.2250738585072012e-308', '9007199254740993',
                                    '1.7976931348623158e308', '1.7976931348623159e308', '2.4703282292062328e-324',
                                    '2.4703282292062327e-324']))
    return toks


def main():
    if len(sys.argv) < 2:
        sys.stderr.write('usage: doubles_diff.py PATH_TO_DRIVER [count] [seed]\n')
        return 2
    driver = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 120000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20240613
    rng = random.Random(seed)

    doubles = gen_doubles(count, rng)
    hex_in = ''.join('%016x\n' % bits_of(v) for v in doubles)

    passed = failed = 0
    mismatches = []

    def report(msg):
        if len(mismatches) < 10:
            mismatches.append(msg)

    res = subprocess.run([driver], input=hex_in, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write('driver failed: %s\n' % res.stderr)
        return 2
    lines = res.stdout.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if len(lines) != len(doubles):
        sys.stderr.write('driver printed %d lines for %d doubles\n' % (len(lines), len(doubles)))
        return 2
    cols = [l.split('\t') for l in lines]
    for v, c in zip(doubles, cols):
        if c[0] == repr(v):
            passed += 1
        else:
            failed += 1
            report('py  %016x: driver %r, repr %r' % (bits_of(v), c[0], repr(v)))

    node = shutil.which('node')
    js_checked = 0
    if node:
        here = os.path.dirname(os.path.abspath(__file__))
        jres = subprocess.run([node, os.path.join(here, 'doubles_diff.js')], input=hex_in, capture_output=True,
                              text=True)
        if jres.returncode != 0:
            sys.stderr.write('node failed: %s\n' % jres.stderr)
            return 2
        jl = jres.stdout.split('\n')
        if jl and jl[-1] == '':
            jl.pop()
        if len(jl) != len(doubles):
            sys.stderr.write('node printed %d lines for %d doubles\n' % (len(jl), len(doubles)))
            return 2
        for v, c, ref in zip(doubles, cols, jl):
            js_checked += 1
            if len(c) > 1 and c[1] == ref:
                passed += 1
            else:
                failed += 1
                report('js  %016x: driver %r, String() %r' % (bits_of(v), c[1] if len(c) > 1 else None, ref))
    else:
        # A skipped comparison must not look like a pass: the jcs profile depends on this column.
        print('node not found on PATH: the ECMAScript column cannot be checked')
        failed += 1

    toks = gen_tokens(doubles, count // 2, rng)
    sres = subprocess.run([driver, '--strtod'], input=''.join(t + '\n' for t in toks), capture_output=True,
                          text=True)
    if sres.returncode != 0:
        sys.stderr.write('driver --strtod failed: %s\n' % sres.stderr)
        return 2
    sl = sres.stdout.split('\n')
    if sl and sl[-1] == '':
        sl.pop()
    if len(sl) != len(toks):
        sys.stderr.write('driver --strtod printed %d lines for %d tokens\n' % (len(sl), len(toks)))
        return 2
    for t, l in zip(toks, sl):
        want = float(t)
        want_s = '%016x\t%d' % (bits_of(want), -1 if math.isinf(want) else 0)
        if l == want_s:
            passed += 1
        else:
            failed += 1
            report('strtod %s: driver %s, float() %s' % (t if len(t) < 70 else t[:67] + '...', l, want_s))

    print('%d doubles (py%s), %d tokens (strtod), seed %d'
          % (len(doubles), ' + js' if js_checked else '', len(toks), seed))
    for m in mismatches:
        print('MISMATCH ' + m)
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
