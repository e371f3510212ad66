"""canonical.json: the three canonical profiles and the OPE CID of each input."""
import base64
import os

DESCRIPTION = (
    "Canonical bytes per profile. For each case, parse `input` (UTF-8 JSON text) or the bytes of `input_base64` "
    "and write it canonically under each profile: `jcs` (RFC 8785) and `ope` with the strict parser (NaN, "
    "Infinity and lone surrogates rejected), `ophamin` with the lenient parser of proof records (NaN, Infinity, "
    "-Infinity and lone surrogate escapes accepted, a float token that overflows a double is an infinity). "
    "expect.<profile> is {\"output\": the canonical text} or {\"error\": the reason code}; expect.cid is "
    "\"sha256:\" + hex SHA-256 of the ope output, present when ope succeeds. Reason codes: docs/canonical-json.md.")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
RFC = os.path.join(ROOT, "tests", "data", "rfc8785", "input")


def c(id, desc, text=None, b=None):
    d = {"id": "canonical/" + id, "description": desc}
    if b is not None:
        d["input_base64"] = base64.b64encode(b).decode()
    else:
        d["input"] = text
    return d


def cases(g):
    out = []
    for name in sorted(os.listdir(RFC)):
        with open(os.path.join(RFC, name), encoding="utf-8") as f:
            out.append(c("rfc8785/" + name[:-5], f"RFC 8785 test vector {name} (cyberphone/json-canonicalization)",
                         f.read()))
    ints = [("zero", "0"), ("minus-zero", "-0"), ("one", "1"), ("minus-one", "-1"),
            ("2p53", "9007199254740992"), ("2p53-plus-1", "9007199254740993"), ("2p63", "9223372036854775808"),
            ("2p64", "18446744073709551616"), ("minus-2p63", "-9223372036854775808"),
            ("huge", "123456789012345678901234567890123456789"),
            ("1e21-digits", "1000000000000000000000"), ("1e20-digits", "100000000000000000000"),
            ("beyond-double", "1" + "0" * 309), ("beyond-double-negative", "-1" + "0" * 309)]
    for n, t in ints:
        out.append(c("integer/" + n, f"integer token {t[:40]}: exact under ope/ophamin, a double under jcs", t))
    floats = [
        ("zero", "0.0"), ("minus-zero", "-0.0"), ("minus-zero-exp", "-0e0"), ("one", "1.0"), ("one-exp", "1e0"),
        ("one-E", "1E0"), ("hundred", "100.0"), ("1e2", "1e2"), ("half", "0.5"), ("tenth", "0.1"),
        ("point-one-plus-point-two", "0.30000000000000004"), ("third", "0.3333333333333333"),
        ("1e-4", "0.0001"), ("1e-4-exp", "1e-4"), ("0.00009999", "0.00009999"), ("1e-5", "0.00001"),
        ("1e-6", "0.000001"), ("1e-7", "0.0000001"), ("1e-7-exp", "1e-7"), ("9.99e-7", "9.99e-7"),
        ("1e15", "1e15"), ("9999999999999998", "9999999999999998.0"), ("1e16", "1e16"), ("1e16-fixed", "10000000000000000.0"),
        ("1.5e16", "1.5e16"), ("1e17", "1e17"), ("1e20", "1e20"), ("1e21", "1e21"), ("1e21-fixed", "1000000000000000000000.0"),
        ("1e22", "1e22"), ("1.5e300", "1.5e300"), ("max-double", "1.7976931348623157e308"),
        ("min-normal", "2.2250738585072014e-308"), ("max-subnormal", "2.225073858507201e-308"),
        ("min-subnormal", "5e-324"), ("subnormal-rounds", "4.9406564584124654e-324"), ("underflow-to-zero", "1e-400"),
        ("negative-underflow", "-1e-400"), ("overflow", "1e400"), ("negative-overflow", "-1e400"),
        ("2p53-float", "9007199254740993.0"), ("many-digits", "3.141592653589793238462643383279"),
        ("rounding-tie", "0.1000000000000000055511151231257827"), ("negative", "-123.456"),
        ("exp-plus", "1.5E+3"), ("exp-leading-zeros", "1e-0005"), ("333e-3", "333e-3"),
        ("5e-7-neg", "-5e-7"), ("1.2345678901234567e-5", "1.2345678901234567e-5"),
    ]
    for n, t in floats:
        out.append(c("float/" + n, f"float token {t}: Python repr (ope, ophamin) vs ECMAScript (jcs)", t))
    strs = [
        ("empty", '""'), ("ascii", '"hello"'), ("quote-backslash", r'"a\"b\\c"'), ("solidus", r'"a\/b"'),
        ("short-escapes", r'"\b\f\n\r\t"'), ("control-u0000", r'"\u0000"'), ("control-u001f", r'"\u001f"'),
        ("control-u0007", r'"\u0007"'), ("del", r'"\u007f"'), ("u0080", r'"\u0080"'), ("latin1", '"caf\u00e9"'),
        ("latin1-escaped", r'"caf\u00e9"'), ("bmp", '"\u20ac\u4e2d"'), ("u2028", r'"\u2028\u2029"'),
        ("ufeff", r'"\ufeff"'), ("uffff", r'"\uffff"'), ("non-bmp-raw", '"\U0001F600"'),
        ("non-bmp-escaped", r'"\ud83d\ude00"'), ("non-bmp-uppercase-escape", r'"\uD83D\uDE00"'),
        ("u10ffff", r'"\udbff\udfff"'), ("lone-high", r'"\ud800"'), ("lone-low", r'"\udc00"'),
        ("lone-high-then-text", r'"\ud83dx"'), ("reversed-pair", r'"\ude00\ud83d"'),
        ("lone-in-key", r'{"\ud800":1}'), ("escaped-letters", r'"\u0041\u0062"'),
    ]
    for n, t in strs:
        out.append(c("string/" + n, f"string {t}: escapes per profile (ophamin ASCII only)", t))
    keys = [
        ("utf16-vs-codepoint", r'{"\ud800\udc00":1,"\uffff":2}', "U+10000 sorts after U+FFFF by code point, before it by UTF-16"),
        ("utf16-vs-codepoint-raw", '{"\U0001F600":1,"\uff61":2,"\u00e9":3,"z":4}', "astral, BMP high, Latin-1, ASCII"),
        ("ascii-order", '{"b":1,"a":2,"B":3,"_":4,"1":5,"":6}', "byte order of ASCII keys"),
        ("prefix", '{"ab":1,"a":2,"abc":3}', "a key before its extensions"),
        ("nested", '{"z":{"b":1,"a":[{"d":1,"c":2}]},"a":0}', "nested objects sorted too"),
        ("escaped-key", r'{"\n":1,"\t":2,"\u0000":3}', "control characters in keys"),
        ("case", '{"a":1,"A":2,"\u00e0":3,"\u00c0":4}', "case and accents"),
    ]
    for n, t, d in keys:
        out.append(c("keys/" + n, "key order: " + d, t))
    misc = [
        ("empty-object", "{}"), ("empty-array", "[]"), ("nested-empty", '{"a":[],"b":{},"c":[[]],"d":[{}]}'),
        ("literals", "[true,false,null]"), ("whitespace", ' \t\n\r{ "a" : [ 1 , 2 ] } \n'),
        ("scalar-root-string", '"x"'), ("scalar-root-number", "42"), ("scalar-root-null", "null"),
        ("deep-20", "[" * 20 + "]" * 20), ("deep-128", "[" * 128 + "]" * 128),
        ("mixed", '{"n":1.0,"i":1,"s":"\u00e9","a":[1e21,1e-7,-0.0],"o":{"k":null}}'),
    ]
    for n, t in misc:
        out.append(c("structure/" + n, "structure: " + n, t))
    errors = [
        ("duplicate-key", '{"a":1,"a":2}'), ("duplicate-key-nested", '{"x":{"a":1,"a":1}}'),
        ("duplicate-key-escaped", r'{"a":1,"\u0061":2}'), ("nan", "NaN"), ("nan-in-array", "[NaN]"),
        ("infinity", "Infinity"), ("minus-infinity", "-Infinity"), ("nonfinite-in-object", '{"x":-Infinity}'),
        ("nan-lowercase", "nan"), ("empty", ""), ("whitespace-only", "  "), ("trailing-comma", "[1,]"),
        ("trailing-data", "{} {}"), ("leading-zero", "01"), ("leading-zero-negative", "-012"),
        ("plus-sign", "+1"), ("dot-first", ".5"), ("dot-last", "1."), ("hex-number", "0x10"),
        ("single-quote", "'a'"), ("unquoted-key", "{a:1}"), ("truncated-object", '{"a":'),
        ("truncated-string", '"abc'), ("raw-control-char", '"a\tb"'), ("raw-newline", '"a\nb"'),
        ("invalid-escape", r'"\x41"'), ("bad-unicode-escape", r'"\u12G4"'), ("comment", "[1]//c"),
        ("deep-129", "[" * 129 + "]" * 129), ("nul-after", "{}\u0000"),
    ]
    for n, t in errors:
        out.append(c("error/" + n, "rejected input: " + n, t))
    byts = [
        ("invalid-utf8-lead", b'"\xff"'), ("invalid-utf8-continuation", b'"\xc3("'), ("overlong-slash", b'"\xc0\xaf"'),
        ("overlong-3byte", b'"\xe0\x80\xaf"'), ("encoded-surrogate", b'"\xed\xa0\x80"'),
        ("above-10ffff", b'"\xf4\x90\x80\x80"'), ("truncated-utf8", b'"\xe2\x82"'), ("bom", b'\xef\xbb\xbf{}'),
        ("utf16le", '{"a":1}'.encode("utf-16-le")), ("latin1-byte-in-key", b'{"\xe9":1}'),
        ("valid-utf8-4byte", '"\U0001F600"'.encode()),
    ]
    for n, b in byts:
        out.append(c("bytes/" + n, "input bytes (base64): " + n, b=b))
    return out
