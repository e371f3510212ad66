#!/usr/bin/python3
"""Differential test of `prova canon` against independent implementations.

ope     vs Python: json.dumps(json.loads(x), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
ophamin vs Python: the same with ensure_ascii=True
jcs     vs Node:   tests/diff/jcs.js (a JCS over JSON.stringify and Number.prototype.toString)

Documents are generated with a fixed seed: nesting, unicode in keys and values (astral against U+E000-U+FFFF keys,
which is where code point order and UTF-16 order differ), control characters, escapes, big integers, floats from the
hard classes, pretty and compact layouts. Each profile is also checked document by document when a batch differs,
to name the first failing document.

Usage: canon_diff.py PROVA [COUNT] [SEED]      prints "N passed, M failed" last; exit 1 on any mismatch.
"""
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def rand_char(rng):
    r = rng.random()
    if r < 0.55:
        return chr(rng.randint(0x20, 0x7E))
    if r < 0.62:
        return chr(rng.randint(0x00, 0x1F))
    if r < 0.64:
        return "\x7f"
    if r < 0.74:
        return chr(rng.randint(0x80, 0x7FF))
    if r < 0.82:
        return chr(rng.choice([rng.randint(0x800, 0xD7FF), rng.randint(0xE000, 0xFFFF)]))
    if r < 0.88:
        return chr(rng.randint(0xE000, 0xFFFF))  # private use / specials: sort after astral in UTF-16
    if r < 0.95:
        return chr(rng.randint(0x10000, 0x10FFFF))
    return rng.choice(['"', "\\", "/", "\u2028", "\u2029", "\ufeff", "\ud7ff"])


def rand_string(rng, maxlen=12):
    return "".join(rand_char(rng) for _ in range(rng.randint(0, maxlen)))


def rand_double(rng):
    c = rng.randint(0, 11)
    if c == 0:  # random bit pattern
        while True:
            x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if math.isfinite(x):
                return x
    if c == 1:  # subnormal
        return struct.unpack("<d", struct.pack("<Q", rng.randint(1, (1 << 52) - 1)))[0] * rng.choice([1, -1])
    if c == 2:  # powers of ten and neighbours
        x = float("1e%d" % rng.randint(-323, 308))
        return rng.choice([x, math.nextafter(x, 0), math.nextafter(x, math.inf)])
    if c == 3:  # around the repr / ECMAScript notation boundaries
        b = rng.choice([1e-4, 1e16, 1e-6, 1e21, 1e-5, 1e-7, 1e15, 1e20, 1e22])
        x = b
        for _ in range(rng.randint(0, 3)):
            x = math.nextafter(x, rng.choice([0, math.inf]))
        return x * rng.choice([1, -1])
    if c == 4:  # 17 significant digits
        return float("%d.%016de%d" % (rng.randint(1, 9), rng.randint(0, 10 ** 16 - 1), rng.randint(-30, 30)))
    if c == 5:
        return rng.choice([0.0, -0.0, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 0.1, 0.2 + 0.1])
    if c == 6:  # short decimals
        return round(rng.uniform(-1000, 1000), rng.randint(0, 6))
    if c == 7:  # integers as floats, around 2^53
        return float(rng.choice([rng.randint(-2 ** 53, 2 ** 53), 2 ** 53 + rng.randint(-4, 4)]))
    return rng.uniform(-1, 1) * 10 ** rng.randint(-20, 25)


def float_token(rng, x):
    """A token that parses to x, in one of several spellings (Python repr, %.17g, exponent forms)."""
    s = rng.choice([repr(x), "%.17g" % x, "%.20e" % x, repr(x).upper()])
    if "." not in s and "e" not in s.lower() and "n" not in s.lower():
        s += ".0"
    return s


class Gen:
    def __init__(self, rng):
        self.rng = rng

    def value(self, depth):
        r = self.rng.random()
        if depth > 0 and r < 0.18:
            return ("obj", [(self.key(), self.value(depth - 1)) for _ in range(self.rng.randint(0, 6))])
        if depth > 0 and r < 0.30:
            return ("arr", [self.value(depth - 1) for _ in range(self.rng.randint(0, 6))])
        r = self.rng.random()
        if r < 0.3:
            return ("str", rand_string(self.rng))
        if r < 0.5:
            k = self.rng.random()
            if k < 0.6:
                n = self.rng.randint(-10 ** 6, 10 ** 6)
            elif k < 0.85:
                n = self.rng.randint(-2 ** 64, 2 ** 64)
            else:
                n = self.rng.randint(-10 ** 40, 10 ** 40)
            return ("int", n)
        if r < 0.85:
            return ("float", rand_double(self.rng))
        return ("lit", self.rng.choice([True, False, None]))

    def key(self):
        r = self.rng.random()
        if r < 0.15:  # keys that make UTF-16 and code point order disagree
            return self.rng.choice(["\ue000", "\uffff", "\U0001F600", "\U00010000", "a\uff00", "a\U0001F680"]) + \
                rand_string(self.rng, 2)
        return rand_string(self.rng, 8)


def dedupe(items):
    seen, out = set(), []
    for k, v in items:
        if k not in seen:
            seen.add(k)
            out.append((k, v))
    return out


def enc_str(rng, s):
    """Encodes a JSON string with a random mix of raw UTF-8 and escapes."""
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif cp < 0x20:
            out.append(rng.choice(["\\u%04x" % cp, "\\u%04X" % cp]))
        elif rng.random() < 0.2:
            if cp >= 0x10000:
                v = cp - 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)))
            else:
                out.append("\\u%04x" % cp)
        elif ch == "/" and rng.random() < 0.5:
            out.append("\\/")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def to_text(rng, node, pretty, ind=0):
    kind, v = node
    nl = "\n" + "  " * (ind + 1) if pretty else ""
    end = "\n" + "  " * ind if pretty else ""
    sep = ": " if pretty else ":"
    if kind == "obj":
        items = dedupe(v)
        if not items:
            return "{}"
        return "{" + ",".join(nl + enc_str(rng, k) + sep + to_text(rng, x, pretty, ind + 1) for k, x in items) + end + "}"
    if kind == "arr":
        if not v:
            return "[]"
        return "[" + ",".join(nl + to_text(rng, x, pretty, ind + 1) for x in v) + end + "]"
    if kind == "str":
        return enc_str(rng, v)
    if kind == "int":
        return str(v)
    if kind == "float":
        return float_token(rng, v)
    return json.dumps(v)


def run_prova(prova, profile, path):
    p = subprocess.run([prova, "canon", "--profile", profile, "--max-depth", "1000", path], capture_output=True)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace")
    return p.stdout, None


def python_canon(text, ascii_only):
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only).encode("utf-8")


def node_canon(texts):
    p = subprocess.run(["node", os.path.join(HERE, "jcs.js")], input=json.dumps(texts).encode(), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("node failed: " + p.stderr.decode())
    return [bytes.fromhex(h) for h in json.loads(p.stdout)]


def main():
    prova = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261122
    rng = random.Random(seed)
    gen = Gen(rng)
    texts = []
    for i in range(count):
        node = gen.value(rng.randint(1, 6))
        texts.append(to_text(rng, node, pretty=rng.random() < 0.3))

    passed = failed = 0
    node_out = node_canon(texts)
    with tempfile.TemporaryDirectory() as tmp:
        # One batch per profile: the documents as elements of one array, whose canonical form is the array of
        # their canonical forms. Then, on a mismatch, per document.
        batch = os.path.join(tmp, "batch.json")
        with open(batch, "w", encoding="utf-8") as f:
            f.write("[" + ",\n".join(texts) + "]")
        for profile in ("ope", "ophamin", "jcs"):
            if profile == "jcs":
                expect = [x for x in node_out]
            else:
                expect = [python_canon(t, profile == "ophamin") for t in texts]
            want = b"[" + b",".join(expect) + b"]"
            got, err = run_prova(prova, profile, batch)
            if got == want:
                passed += count
                continue
            print("batch mismatch for %s (%s); checking documents one by one" % (profile, err or "bytes differ"))
            shown = 0
            for t, e in zip(texts, expect):
                path = os.path.join(tmp, "one.json")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(t)
                g, err = run_prova(prova, profile, path)
                if g == e:
                    passed += 1
                else:
                    failed += 1
                    if shown < 5:
                        shown += 1
                        print("MISMATCH %s\n  input %r\n  want  %r\n  got   %r %s" % (profile, t, e, g, err or ""))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
