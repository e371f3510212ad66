"""Canonical JSON and CIDs, cross-checked with Python's json and hashlib."""
import hashlib
import json
import math
import random

import pytest

import prova

T0 = "2026-01-01T00:00:00Z"


def rand_value(rng, depth=0):
    choice = rng.randrange(9 if depth < 3 else 6)
    if choice == 0:
        return None
    if choice == 1:
        return rng.random() < 0.5
    if choice == 2:
        return rng.choice([0, -1, 7, 2**53 + 1, -(2**70), 10**30, rng.randrange(-10**6, 10**6)])
    if choice == 3:
        return rng.choice([0.0, -0.0, 1.0, 0.1, 1e16, 1e-5, 1e-4, 123456789.125, 5e-324, 1.7976931348623157e308,
                           rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randrange(-30, 30)])
    if choice in (4, 5):
        alphabet = "ab\"\\/\n\t\x01\x1f\x7fé€😀\u2028 zZ"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
    if choice == 6:
        return [rand_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["a", "b", "B", "é", "😀", "\u00ff", "aa", "", "z\n"]
    return {rng.choice(keys): rand_value(rng, depth + 1) for _ in range(rng.randrange(5))}


@pytest.mark.parametrize("seed", range(5))
def test_ope_and_ophamin_equal_python_json(seed):
    rng = random.Random(seed)
    for _ in range(400):
        v = rand_value(rng)
        ope = json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        oph = json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
        assert prova.canonicalize(v, "ope") == ope
        assert prova.canonicalize(v, prova.Profile.OPHAMIN) == oph
        assert prova.cid(v) == "sha256:" + hashlib.sha256(ope).hexdigest()
        assert prova.canonicalize_json(ope, "ope") == ope
        assert prova.cid_json(json.dumps(v)) == prova.cid(v)


def test_int_and_float_tokens_are_kept():
    assert prova.canonicalize(1, "ope") == b"1"
    assert prova.canonicalize(1.0, "ope") == b"1.0"
    assert prova.canonicalize([1e16, 1e-05, 2**100], "ophamin") == b"[1e+16,1e-05,1267650600228229401496703205376]"
    assert prova.canonicalize(True, "ope") == b"true"  # bool is not an int
    assert prova.canonicalize({"b": 1.0, "a": 1}, "jcs") == b'{"a":1,"b":1}'  # RFC 8785: numbers are doubles
    assert prova.canonicalize([1e21, 1e-7, 0.1], "jcs") == b"[1e+21,1e-7,0.1]"
    assert prova.canonicalize(["\u20ac"], "jcs") == "[\"\u20ac\"]".encode()


def test_jcs_key_order_is_utf16():
    # U+E000 sorts after U+1F600 by code point but before it by UTF-16 code units (0xE000 > 0xD83D).
    v = {"\ue000": 1, "\U0001f600": 2}
    assert prova.canonicalize(v, "jcs") == '{"\U0001f600":2,"\ue000":1}'.encode()
    assert prova.canonicalize(v, "ope") == '{"\ue000":1,"\U0001f600":2}'.encode()


def test_nonfinite_only_under_ophamin():
    assert prova.canonicalize([math.nan, math.inf, -math.inf], "ophamin") == b"[NaN,Infinity,-Infinity]"
    for p in ("ope", "jcs"):
        with pytest.raises(prova.ParseError) as e:
            prova.canonicalize({"x": [math.inf]}, p)
        assert e.value.code == "json_nonfinite" and e.value.pointer == "/x/0"


def test_lone_surrogate_only_under_ophamin():
    assert prova.canonicalize("\udc00", "ophamin") == b'"\\udc00"'
    with pytest.raises(prova.ParseError) as e:
        prova.canonicalize("\udc00", "ope")
    assert e.value.code in ("json_lone_surrogate", "canon_lone_surrogate")


def test_python_values_refused():
    with pytest.raises(TypeError):
        prova.canonicalize({1: "x"}, "ope")
    with pytest.raises(TypeError):
        prova.canonicalize({"a": b"bytes"}, "ope")
    with pytest.raises(TypeError):
        prova.canonicalize({"a": {1, 2}}, "ope")
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError):
        prova.canonicalize(loop, "ope")
    with pytest.raises(ValueError):
        prova.canonicalize(1, "nope")


def test_parse_errors_carry_code_position_pointer():
    with pytest.raises(prova.ParseError) as e:
        prova.canonicalize_json('{"a":1,\n"a":2}', "jcs")
    err = e.value
    assert (err.code, err.line, err.column, err.pointer, err.status_name) == ("json_duplicate_key", 2, 1, "/a",
                                                                              "syntax")
    assert isinstance(err, ValueError) and isinstance(err, prova.ProvaError)
    with pytest.raises(prova.ParseError) as e:
        prova.canonicalize_json(b'["ok", "\xff"]', "ope")
    assert e.value.code == "json_invalid_utf8" and e.value.offset == 8
    deep = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(prova.LimitError) as e:
        prova.canonicalize(deep, "ope")
    assert e.value.code == "json_depth_limit"


def test_format_double():
    assert prova.format_double(1e16, "ope") == "1e+16"
    assert prova.format_double(100.0, "ophamin") == "100.0"
    assert prova.format_double(100.0, "jcs") == "100"
    assert prova.format_double(1e-7, "jcs") == "1e-7"
    rng = random.Random(1)
    for _ in range(2000):
        x = rng.uniform(-1, 1) * 10 ** rng.randrange(-300, 300)
        assert prova.format_double(x, "ope") == repr(x)
    with pytest.raises(ValueError):
        prova.format_double(math.nan, "ope")


def test_hashes_and_hmac():
    import hmac

    for alg, h in (("sha256", hashlib.sha256), ("sha384", hashlib.sha384), ("sha512", hashlib.sha512),
                   ("sha3-256", hashlib.sha3_256), ("sha3-512", hashlib.sha3_512)):
        assert prova.hashing.hash(alg, b"abc") == h(b"abc").digest()
    assert prova.hashing.hmac_sha256(b"k", b"m") == hmac.new(b"k", b"m", hashlib.sha256).digest()
    assert prova.hashing.hmac_sha256(b"", b"m") == hmac.new(b"", b"m", hashlib.sha256).digest()
    with pytest.raises(prova.UnsupportedError):
        prova.hashing.hash("md5", b"")
