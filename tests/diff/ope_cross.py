#!/usr/bin/python3
"""Differential test: prova's OPE v1 (envelopes, receipts, bundles) against an independent Python implementation.

The Python side is written from shared/reference/odin.md §1-§4 only (it shares no code with prova):
  canonical(x) = json.dumps(x, sort_keys=True, separators=(",",":"), ensure_ascii=False).encode()
  cid          = "sha256:" + sha256(canonical(payload)).hexdigest()   (starter: the ensure_ascii=True form)
  signature    = b64url-no-pad(Ed25519("{cid}|{trace_id}|{ts}"))       (Debian python3-cryptography)
  receipt      : receipt_hash = sha256 hex and receipt_signature = Ed25519, both over canonical(receipt minus
                 receipt_signature and receipt_hash); per-trace hop from 0 and prev_receipt_hash linkage
  bundle       : bundle_cid = cid(canonical(inner bundle)); signature over "{bundle_cid}|{trace_id}|{exported_at}"
  flat bundle  : seed 003 §4, {trace_id, exported_at, receipts, bundle_cid, bundle_signature[, kid]}; bundle_cid =
                 cid of the bundle without bundle_signature, read each way a peer may (without bundle_cid, with
                 "bundle_cid":"PENDING" as §7.3 shows, kid inside or attached after, the receipts alone)

Both directions:
  a. prova -> Python: keys from `prova keygen`; `prova pack` of random payloads (nested objects, unicode including
     astral characters, escapes, floats, big integers, alternative number spellings) in every dialect and with
     --bind; `prova receipt append` (several hops, two traces interleaved in one chain file, a gateway key rotation);
     `prova bundle` in every form (starter, ope-lib, flat). Python recomputes every cid/hash and verifies every signature.
  b. Python -> prova: Python signs envelopes shaped as the reference implementations shape them (ope-lib, starter,
     prova, prova bound), receipts (starter rules) and bundles (every form, the flat one in each cid variant), writes them with Python's default
     json.dumps (spaces, ensure_ascii=True), and `prova verify --json` must say valid; tampered copies must be
     invalid with the reason code the Python verifier predicts.
  Plus the known-answer vectors of odin.md §7.1/§7.2, reproduced by Python and checked in prova.

Reproducible: fixed seed, fixed timestamps and `--now`. Prints the first failures in detail and
"N passed, M failed" last; exits 1 on any failure.
Run: /usr/bin/python3 tests/diff/ope_cross.py PROVA_BINARY [--rounds N] [--seed S] [--keep DIR]
"""
import argparse
import base64
import copy
import datetime
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

# ---- bookkeeping -----------------------------------------------------------------------------------------------

import tally  # noqa: E402  (check() and the counts)
from tally import check  # noqa: E402


# ---- the reference rules (odin.md §1) --------------------------------------------------------------------------

def canon(x, ascii_=False):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_).encode("utf-8")


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def cid_of(x, ascii_=False):
    return "sha256:" + sha256_hex(canon(x, ascii_))


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def raw_pub(pub):
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def kid16(pub_raw):
    return "ed25519-" + sha256_hex(pub_raw)[:16]


def ed_verify(pub, sig_b64, msg):
    try:
        pub.verify(b64u_dec(sig_b64), msg)
        return True
    except (InvalidSignature, ValueError, TypeError, base64.binascii.Error):
        return False


class PyKey:
    """A Python-side Ed25519 key (never touched by prova except through its public JWK)."""

    def __init__(self, seed=None, kid=None):
        self.priv = ed25519.Ed25519PrivateKey.from_private_bytes(seed) if seed else ed25519.Ed25519PrivateKey.generate()
        self.pub = self.priv.public_key()
        self.x = b64u(raw_pub(self.pub))
        self.kid = kid or kid16(raw_pub(self.pub))

    def sign(self, msg):
        return b64u(self.priv.sign(msg))

    def jwk(self):
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid}


def load_prova_jwk(path):
    """A private JWK written by `prova keygen`: "d" and "x" are b64url raw 32 bytes."""
    with open(path, encoding="utf-8") as f:
        j = json.load(f)
    k = PyKey.__new__(PyKey)
    k.priv = ed25519.Ed25519PrivateKey.from_private_bytes(b64u_dec(j["d"]))
    k.pub = k.priv.public_key()
    k.x = b64u(raw_pub(k.pub))
    k.kid = j.get("kid")
    check(j.get("kty") == "OKP" and j.get("crv") == "Ed25519", "keygen JWK is OKP/Ed25519", j)
    check(k.x == j.get("x"), "keygen JWK: x is the public key of d", (k.x, j.get("x")))
    check(k.kid == kid16(raw_pub(k.pub)), "keygen kid = ed25519- + 16 hex of SHA-256(pub)", (k.kid, kid16(raw_pub(k.pub))))
    return k


def parse_ts(s):
    """ope-lib: datetime.fromisoformat(ts.replace("Z", "+00:00")); naive is an error."""
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if d.tzinfo is None:
        raise ValueError("naive")
    return d


# ---- an independent verifier (the order of docs/ope.md: schema, cid, signature, timestamp, windows) -------------

def py_verify_envelope(env, keys, now, skew=300, trust_embedded=False):
    """Returns (valid, first_failure_code or None, unauthenticated member names)."""
    if "sig" in env:
        dialect, sig_name = "prova", "sig"
    elif "sender_sig" in env:
        dialect, sig_name = "ope-lib", "sender_sig"
    elif "signature" in env or "sender" in env:
        dialect, sig_name = "starter", "signature"
    else:
        dialect, sig_name = "prova", "sig"
    starter = dialect == "starter"
    payload, cid, trace, ts = env.get("payload"), env.get("cid"), env.get("trace_id"), env.get("ts")
    sender = env.get("sender") if isinstance(env.get("sender"), dict) else {}
    kid = sender.get("kid") if starter else env.get("kid")
    bound = env.get("sig_scope") == "envelope"
    if (not isinstance(payload, dict) or not isinstance(trace, str) or not trace
            or not (isinstance(ts, str) or (isinstance(ts, int) and not isinstance(ts, bool)))
            or (cid is not None and not isinstance(cid, str)) or (not starter and cid is None)
            or (not starter and not (isinstance(env.get("payload_type"), str) and isinstance(env.get("target_type"), str)))
            or ("sig_alg" in env and env["sig_alg"] != "ed25519")
            or ("sig_scope" in env and not bound)
            or (starter and not isinstance(env.get("sender"), dict))):
        return False, "schema_error", []
    first = None
    ope_cid, ascii_cid = cid_of(payload), cid_of(payload, True)
    if cid is None:
        use = ascii_cid
    elif cid == ope_cid or (starter and cid == ascii_cid):
        use = cid
    else:
        use = None
        first = first or "cid_mismatch"
    sig = env.get(sig_name)
    if not isinstance(sig, str) or not sig or not isinstance(kid, str) or not kid:
        first = first or "missing_sig_or_kid"
    else:
        pub = keys.get(kid)
        if pub is None and starter and trust_embedded and isinstance(sender.get("jwk"), dict):
            pub = ed25519.Ed25519PublicKey.from_public_bytes(b64u_dec(sender["jwk"]["x"]))
        if pub is None:
            first = first or "kid_not_found"
        elif use is None:
            first = first or "cid_mismatch"
        else:
            if bound:
                msg = canon({k: v for k, v in env.items() if k != "sig"})
            else:
                msg = ("%s|%s|%s" % (use, trace, ts)).encode("utf-8")
            if not ed_verify(pub, sig, msg):
                first = first or "signature_invalid"
    if skew is not None:
        try:
            t = parse_ts(ts) if isinstance(ts, str) else datetime.datetime.fromtimestamp(ts / 1000, datetime.timezone.utc)
            if (t - now).total_seconds() > skew:
                first = first or "timestamp_skew"
        except ValueError:
            first = first or "schema_error"
    for name, code, after in (("not_before", "not_yet_valid", False), ("expires_at", "expired", True)):
        if name in env:
            try:
                w = parse_ts(env[name])
                if (now >= w) if after else (now < w):
                    first = first or code
            except (ValueError, AttributeError):
                first = first or "schema_error"
    covered = {"cid", "trace_id", "ts", "payload", "sig", "sender_sig", "signature"}
    unauth = [] if bound else sorted(k for k in env if k not in covered)
    return first is None, first, unauth


def receipt_core(r):
    return {k: v for k, v in r.items() if k not in ("receipt_signature", "receipt_hash")}


def py_verify_chain(receipts, keys):
    """Starter chain rules. Returns a list of problems (empty = valid)."""
    problems = []
    for i, r in enumerate(receipts):
        core = canon(receipt_core(r))
        if sha256_hex(core) != r.get("receipt_hash"):
            problems.append("receipt[%d]: receipt_hash_mismatch" % i)
        pub = keys.get(r.get("gateway_kid"))
        if pub is None:
            problems.append("receipt[%d]: kid_not_found %s" % (i, r.get("gateway_kid")))
        elif not ed_verify(pub, r.get("receipt_signature", ""), core):
            problems.append("receipt[%d]: receipt_signature_invalid" % i)
        if r.get("hop") != i:
            problems.append("receipt[%d]: hop_mismatch (hop %r)" % (i, r.get("hop")))
        want_prev = None if i == 0 else receipts[i - 1].get("receipt_hash")
        if r.get("prev_receipt_hash") != want_prev:
            problems.append("receipt[%d]: chain_broken" % i)
        if r.get("trace_id") != receipts[0].get("trace_id"):
            problems.append("receipt[%d]: chain_broken (trace)" % i)
    return problems


def py_build_receipt(gw, prev, trace_id, ts, request_cid, normalized_cid=None, policy=None, created_at=None):
    """odin_core.receipts.build_receipt, in its key insertion order (odin.md §3.1)."""
    r = {
        "trace_id": trace_id,
        "hop": 0 if prev is None else prev["hop"] + 1,
        "ts": ts,
        "created_at": created_at or ts,
        "gateway_kid": gw.kid,
        "request_cid": request_cid,
        "normalized_cid": normalized_cid or request_cid,
        "policy": policy if policy is not None else {"passed": True, "rules": []},
        "policy_engine": None,
        "prev_receipt_hash": None if prev is None else prev["receipt_hash"],
    }
    core = canon(r)
    r["receipt_signature"] = gw.sign(core)
    r["receipt_hash"] = sha256_hex(core)
    return r


def py_bundle_starter(gw, trace_id, exported_at, receipts):
    chain_valid = all(receipts[i].get("prev_receipt_hash") == receipts[i - 1].get("receipt_hash")
                      for i in range(1, len(receipts)))
    b = {"trace_id": trace_id, "exported_at": exported_at, "gateway_kid": gw.kid, "receipts": receipts,
         "chain_valid": chain_valid, "count": len(receipts)}
    bcid = cid_of(b)
    return {"bundle": b, "bundle_cid": bcid,
            "bundle_signature": gw.sign(("%s|%s|%s" % (bcid, trace_id, exported_at)).encode())}


def py_bundle_opelib(gw, trace_id, exported_at, receipts):
    b = {"trace_id": trace_id, "exported_at": exported_at, "receipts": receipts}
    bcid = cid_of(b)
    return {"bundle": b, "bundle_cid": bcid,
            "signature": gw.sign(("%s|%s|%s" % (bcid, trace_id, exported_at)).encode()), "kid": gw.kid}


# seed 003 §4's flat bundle; variant = what bundle_cid hashes (prova's report names it "cid variant <variant>"):
#   without_cid: the bundle without bundle_signature and bundle_cid (kid, when given, inside);
#   without_cid_and_kid: kid attached after hashing; pending_cid(_without_kid): "bundle_cid":"PENDING" hashed in its
#   place (the spec's §7.3); receipts_only: the receipts array alone.
FLAT_VARIANTS = ("without_cid", "without_cid_and_kid", "pending_cid", "pending_cid_without_kid", "receipts_only")


def py_bundle_flat(gw, trace_id, exported_at, receipts, variant, kid=True):
    b = {"trace_id": trace_id, "exported_at": exported_at, "receipts": receipts}
    if kid and variant in ("without_cid", "pending_cid"):
        b["kid"] = gw.kid
    if variant == "receipts_only":
        bcid = cid_of(receipts)
    elif variant.startswith("pending_cid"):
        bcid = cid_of(dict(b, bundle_cid="PENDING"))
    else:
        bcid = cid_of(b)
    b["bundle_cid"] = bcid
    b["bundle_signature"] = gw.sign(("%s|%s|%s" % (bcid, trace_id, exported_at)).encode())
    if kid:
        b["kid"] = gw.kid
    return b


def flat_variant_of(rep):
    """The variant named by a report's bundle.cid check, or None."""
    for c in (rep or {}).get("checks", []):
        if c.get("check") == "bundle.cid" and c.get("ok") and "(cid variant " in c.get("message", ""):
            return c["message"].rsplit("(cid variant ", 1)[1].rstrip(")")
    return None


# ---- random payloads and how they are spelled on disk ---------------------------------------------------------

CHARS = (list("abcxyzABZ019 _-.:/") +
         ['"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x00", "\x01", "\x1f", "\x7f", "\x80", "\u00e9", "\u00ff",
          "\u0100", "\u4e2d", "\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff", "\ue000",
          "\U0001F600", "\U0001D11E", "\U00010000", "\U0010FFFF", "\U0001F469\u200d\U0001F4BB"])
SPECIAL_FLOATS = [0.0, -0.0, 1.5, 0.1, 1e-05, 1e-07, 1e16, 1e21, 1e22, 1e23, 1.2345678901234568e+16, 5e-324,
                  2.2250738585072014e-308, 1.7976931348623157e+308, 123456789.123, 2.5e-08, -3.14159, 100.0,
                  9007199254740993.0, 0.30000000000000004]
SPECIAL_INTS = [0, -1, 1, 2 ** 53, 2 ** 53 + 1, -2 ** 63, 2 ** 63 - 1, 2 ** 64, 10 ** 30, -10 ** 40,
                123456789012345678901234567890]


def rand_str(rng, maxlen=8):
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(0, maxlen)))


def rand_float(rng):
    c = rng.random()
    if c < 0.4:
        return rng.choice(SPECIAL_FLOATS)
    if c < 0.7:
        return round(rng.uniform(-1e6, 1e6), rng.randint(0, 8))
    while True:  # any finite double
        f = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if f == f and f not in (float("inf"), float("-inf")):
            return f


def rand_value(rng, depth):
    c = rng.random()
    if depth > 0 and c < 0.2:
        return rand_object(rng, depth - 1)
    if depth > 0 and c < 0.32:
        return [rand_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    if c < 0.55:
        return rand_str(rng, 12)
    if c < 0.7:
        return rng.choice(SPECIAL_INTS) if rng.random() < 0.4 else rng.randint(-10 ** 6, 10 ** 6)
    if c < 0.88:
        return rand_float(rng)
    return rng.choice([True, False, None])


def rand_object(rng, depth):
    return {rand_str(rng, 6): rand_value(rng, depth) for _ in range(rng.randint(0, 5))}


def spell_str(rng, s, ascii_):
    """A JSON string token for s: Python's spelling, or every non-ASCII char randomly raw or \\u-escaped (upper or
    lower hex, astral characters as surrogate pairs)."""
    if rng.random() < 0.5:
        return json.dumps(s, ensure_ascii=ascii_)
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 0x20 or (o >= 0x7f and (ascii_ or rng.random() < 0.3)) or (ch == "/" and rng.random() < 0.5):
            if ch == "/":
                out.append("\\/")
                continue
            units = [o] if o < 0x10000 else [0xD800 + ((o - 0x10000) >> 10), 0xDC00 + ((o - 0x10000) & 0x3FF)]
            fmt = "\\u%04X" if rng.random() < 0.5 else "\\u%04x"
            out.extend(fmt % u for u in units)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def spell_float(rng, f):
    r = repr(f)
    c = rng.random()
    if c < 0.5:
        return r
    if c < 0.7:
        t = "%.17g" % f  # 17 significant digits: the same double, a longer token
    elif c < 0.85:
        t = r.replace("e", "E").replace("E+", "E")
    else:
        m, _, e = r.partition("e")
        t = (m + "0" if "." in m else m + ".0") + ("e" + e if e else "")
    if not any(ch in t for ch in ".eE"):
        t += ".0"
    return t


def spell(rng, v, ascii_, indent, level=0):
    """JSON text of v, spelled in random but equivalent ways (Python's json.loads gives v back)."""
    nl = ("\n" + " " * (indent * (level + 1))) if indent else ""
    end = ("\n" + " " * (indent * level)) if indent else ""
    sep = ", " if rng.random() < 0.5 else ","
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return "-0" if v == 0 and rng.random() < 0.2 else str(v)
    if isinstance(v, float):
        return spell_float(rng, v)
    if isinstance(v, str):
        return spell_str(rng, v, ascii_)
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[" + nl + (sep.strip() + nl if indent else sep).join(spell(rng, x, ascii_, indent, level + 1) for x in v) + end + "]"
    items = [spell_str(rng, k, ascii_) + (": " if rng.random() < 0.5 else ":") + spell(rng, x, ascii_, indent, level + 1)
             for k, x in v.items()]
    if not items:
        return "{}"
    return "{" + nl + (sep.strip() + nl if indent else sep).join(items) + end + "}"


# ---- running prova ---------------------------------------------------------------------------------------------

class Prova:
    def __init__(self, exe, tmp):
        self.exe, self.tmp, self.n = exe, tmp, 0

    def run(self, *args, stdin=None):
        p = subprocess.run([self.exe] + [str(a) for a in args], input=stdin, capture_output=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def file(self, name, data):
        self.n += 1
        path = os.path.join(self.tmp, "%04d-%s" % (self.n, name))
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def verify_json(self, path, *opts, stdin=None):
        """Runs `prova verify --json`; returns (rc, report or None, stderr)."""
        rc, out, err = self.run("verify", "--json", *opts, path, stdin=stdin)
        try:
            rep = json.loads(out)
        except ValueError:
            rep = None
        return rc, rep, err


def first_failure(rep):
    for c in rep.get("checks", []):
        if not c.get("ok"):
            return c.get("code")
    return None


def report_ok(rep):
    """The documented members of the --json report."""
    if not isinstance(rep, dict):
        return False
    if not isinstance(rep.get("valid"), bool) or not isinstance(rep.get("kind"), str):
        return False
    if not isinstance(rep.get("checks"), list) or not isinstance(rep.get("warnings"), list):
        return False
    for c in rep["checks"]:
        if not all(k in c for k in ("check", "ok", "code", "message", "at")):
            return False
    return True


def expect_valid(pv, label, path, opts, kind, stdin=None):
    rc, rep, err = pv.verify_json(path, *opts, stdin=stdin)
    ok = rc == 0 and report_ok(rep) and rep["valid"] is True and rep["kind"] == kind
    check(ok, label + ": prova verify says valid (%s)" % kind,
          "exit %d; report %s; stderr %s" % (rc, json.dumps(rep)[:1500] if rep else None, err[:300]))
    return rep if ok else None


def expect_invalid(pv, label, path, opts, code, stdin=None):
    rc, rep, err = pv.verify_json(path, *opts, stdin=stdin)
    got = first_failure(rep) if isinstance(rep, dict) else None
    ok = rc == 1 and report_ok(rep) and rep["valid"] is False and got == code
    check(ok, label + ": prova verify says invalid with %s" % code,
          "exit %d, first failing code %r; report %s; stderr %s" % (rc, got, json.dumps(rep)[:1500] if rep else None,
                                                                  err[:300]))


# ---- a. prova -> Python ----------------------------------------------------------------------------------------

DIALECT_MEMBERS = {
    "prova": {"payload", "payload_type", "target_type", "cid", "trace_id", "ts", "version", "sig_alg", "sig", "kid"},
    "bind": {"payload", "payload_type", "target_type", "cid", "trace_id", "ts", "version", "sig_alg", "sig", "kid",
             "sig_scope"},
    "ope-lib": {"payload", "payload_type", "target_type", "cid", "trace_id", "ts", "sender_sig", "kid"},
    "starter": {"trace_id", "ts", "sender", "payload", "payload_type", "target_type", "cid", "signature"},
}
TS_FORMS = ["2025-08-22T04:18:05.123456+00:00", "2025-08-22T04:18:05+00:00", "2025-08-22T04:18:05Z",
            "2025-08-22T06:18:05.5+02:00", "2025-08-22T04:18:05.000001+00:00"]
NOW = "2025-08-22T04:19:00+00:00"  # within 300 s of every TS_FORMS entry
NOW_DT = parse_ts(NOW)


def rand_trace(rng):
    c = rng.random()
    if c < 0.5:
        return "%08x-%04x-4%03x-a%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                rng.getrandbits(12), rng.getrandbits(48))
    if c < 0.8:
        return "trace-%d" % rng.randint(0, 10 ** 9)
    return "tr\u00e9ce-\U0001F600-%d|x" % rng.randint(0, 999)  # non-ASCII and a '|' in the signed string


def pack_round(pv, rng, key, jwks_path, dialect, rounds):
    label0 = "pack[%s]" % dialect
    for i in range(rounds):
        obj = rand_object(rng, 3)
        if i % 3 == 0:  # make sure the interesting characters and numbers are there
            obj["\U0001F600k"] = "astral \U0001F600 \U0010FFFF"
            obj["\uffffk"] = [1.5, -0.0, 10 ** 30, "\u2028\x00\"\\/"]
        ascii_ = rng.random() < 0.5
        text = spell(rng, obj, ascii_, rng.choice([0, 0, 2]))
        ref = json.loads(text)
        if canon(ref) != canon(obj):
            check(False, "python self-check: spelled payload parses back", text[:300])
            continue
        path = pv.file("payload.json", text)
        trace = rand_trace(rng)
        ts = rng.choice(TS_FORMS)
        ptype, ttype = "pt." + rand_str(rng, 4).replace("\x00", "0"), "tt.v1"
        args = ["pack", "--key", key.path, "--payload-type", ptype, "--target-type", ttype, "--trace-id", trace,
                "--ts", ts]
        if dialect == "bind":
            args.append("--bind")
        elif dialect != "prova" or rng.random() < 0.5:
            args += ["--dialect", dialect]
        args.append(path)
        rc, out, err = pv.run(*args)
        label = "%s #%d" % (label0, i)
        if not check(rc == 0 and out.endswith(b"\n") and out.count(b"\n") == 1, label + ": exit 0, one line",
                     "exit %d stderr %s payload %s" % (rc, err[:300], text[:300])):
            continue
        try:
            env = json.loads(out)
        except ValueError as e:
            check(False, label + ": output is JSON", "%s: %r" % (e, out[:300]))
            continue
        check(out == canon(env) + b"\n", label + ": the envelope is written canonically (compact, sorted)",
              out[:400])
        check(set(env) == DIALECT_MEMBERS[dialect], label + ": members of the %s dialect" % dialect,
              sorted(set(env) ^ DIALECT_MEMBERS[dialect]))
        check(canon(env.get("payload")) == canon(ref), label + ": payload round-trips (Python's canonical form)",
              "prova %r\npython %r" % (canon(env.get("payload"))[:300], canon(ref)[:300]))
        want_cid = cid_of(ref, ascii_=(dialect == "starter"))
        check(env.get("cid") == want_cid, label + ": cid recomputed by Python",
              "prova %s\npython %s\ncanonical %r" % (env.get("cid"), want_cid, canon(ref, dialect == "starter")[:300]))
        check(env.get("trace_id") == trace and env.get("ts") == ts and env.get("payload_type") == ptype
              and env.get("target_type") == ttype, label + ": trace_id, ts, types as given",
              (env.get("trace_id"), env.get("ts"), env.get("payload_type"), env.get("target_type")))
        if dialect == "starter":
            sender = env.get("sender") or {}
            jwk = sender.get("jwk") or {}
            kid = sender.get("kid")
            check(jwk.get("x") == key.x and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "d" not in jwk,
                  label + ": sender.jwk is the public key (no private part)", sender)
            sig = env.get("signature")
        else:
            kid = env.get("kid")
            sig = env.get("sig" if dialect in ("prova", "bind") else "sender_sig")
        check(kid == key.kid, label + ": kid", (kid, key.kid))
        if dialect in ("prova", "bind"):
            check(env.get("version") == 1 and env.get("sig_alg") == "ed25519", label + ": version 1, sig_alg ed25519",
                  (env.get("version"), env.get("sig_alg")))
        if dialect == "bind":
            check(env.get("sig_scope") == "envelope", label + ": sig_scope envelope", env.get("sig_scope"))
            msg = canon({k: v for k, v in env.items() if k != "sig"})
        else:
            msg = ("%s|%s|%s" % (env.get("cid"), trace, ts)).encode()
        check(isinstance(sig, str) and len(sig) == 86 and "=" not in sig, label + ": signature is 86 b64url chars",
              sig)
        check(isinstance(sig, str) and ed_verify(key.pub, sig, msg), label + ": Python verifies the Ed25519 signature",
              "message %r" % msg[:300])
        ok, code, _ = py_verify_envelope(env, {key.kid: key.pub}, NOW_DT)
        check(ok, label + ": the Python verifier accepts it", code)
        # And prova accepts what it made (the round trip).
        epath = pv.file("env.json", out)
        opts = ["--now", NOW]
        opts += ["--jwks", jwks_path] if dialect != "starter" or i % 2 else ["--trust-embedded-key"]
        expect_valid(pv, label, epath, opts, "ope_envelope")


def receipts_round(pv, rng, sender, sender_jwks, gw1, gw2, gw_jwks):
    chain = pv.file("chain.jsonl", b"")
    os.unlink(chain)  # receipt append creates it
    traces = ["trace-A-%d" % rng.randint(0, 999), "tr\u00e9ce-B-\U0001F600"]
    sent = {t: [] for t in traces}  # per trace: (envelope dict, dialect, receipt ts, gateway key)
    hops = 4
    for hop in range(hops):
        for t in traces:
            dialect = ["prova", "ope-lib", "starter", "prova"][hop]
            obj = rand_object(rng, 2)
            obj["n\u00e9"] = "\u00e9\U0001F600"  # non-ASCII: the ope and ASCII cids differ
            p = pv.file("payload.json", json.dumps(obj))
            ets = "2025-08-22T04:%02d:00.%06d+00:00" % (10 + hop, rng.randint(0, 999999))
            rc, out, err = pv.run("pack", "--key", sender.path, "--payload-type", "a.v1", "--target-type", "b.v1",
                                  "--trace-id", t, "--ts", ets, "--dialect", dialect, p)
            if not check(rc == 0, "receipts: pack for hop %d" % hop, err[:300]):
                return
            env = json.loads(out)
            epath = pv.file("env.json", out)
            gw = gw1 if hop < 2 else gw2  # the gateway key rotates between hop 1 and hop 2
            rts = "2025-08-22T04:%02d:01.%06d+00:00" % (10 + hop, rng.randint(0, 999999))
            now = "2025-08-22T04:%02d:30+00:00" % (10 + hop)
            before = open(chain, "rb").read() if os.path.exists(chain) else b""
            rc, out, err = pv.run("receipt", "append", "--key", gw.path, "--chain", chain, "--sender-jwks",
                                  sender_jwks, "--ts", rts, "--now", now, epath)
            after = open(chain, "rb").read() if os.path.exists(chain) else b""
            label = "receipt append %s hop %d" % (t, hop)
            check(rc == 0, label + ": exit 0", "exit %d stderr %s" % (rc, err[:300]))
            check(after.startswith(before) and after[len(before):] == out and out.endswith(b"\n")
                  and out.count(b"\n") == 1, label + ": stdout is the one line appended to the chain file",
                  "appended %r\nstdout %r" % (after[len(before):][:300], out[:300]))
            sent[t].append((env, dialect, rts, gw))
    # Python reads the chain file on its own.
    lines = [json.loads(l) for l in open(chain, "rb").read().splitlines() if l.strip()]
    check(len(lines) == hops * len(traces), "receipts: chain file has one line per append", len(lines))
    check([r.get("trace_id") for r in lines] == [t for _ in range(hops) for t in traces],
          "receipts: the two traces are interleaved in append order", [r.get("trace_id") for r in lines])
    keys = {gw1.kid: gw1.pub, gw2.kid: gw2.pub}
    want_members = {"trace_id", "hop", "ts", "created_at", "gateway_kid", "request_cid", "normalized_cid", "policy",
                    "policy_engine", "prev_receipt_hash", "receipt_signature", "receipt_hash"}
    for t in traces:
        rs = [r for r in lines if r.get("trace_id") == t]
        for i, r in enumerate(rs):
            label = "receipt %s hop %d" % (t, i)
            env, dialect, rts, gw = sent[t][i]
            core = canon(receipt_core(r))
            check(set(r) == want_members, label + ": the starter receipt's members", sorted(set(r) ^ want_members))
            check(r.get("receipt_hash") == sha256_hex(core), label + ": receipt_hash = sha256 hex of the canonical core",
                  "prova %s\npython %s\ncore %r" % (r.get("receipt_hash"), sha256_hex(core), core[:300]))
            check(r.get("gateway_kid") == gw.kid, label + ": gateway_kid is the appending key", (r.get("gateway_kid"), gw.kid))
            check(ed_verify(gw.pub, r.get("receipt_signature", ""), core), label + ": Python verifies receipt_signature")
            check(r.get("hop") == i, label + ": hop is the index in its trace", r.get("hop"))
            check(r.get("prev_receipt_hash") == (None if i == 0 else rs[i - 1].get("receipt_hash")),
                  label + ": prev_receipt_hash links to the previous receipt of the same trace", r.get("prev_receipt_hash"))
            ope_cid, ascii_cid = cid_of(env["payload"]), cid_of(env["payload"], True)
            rq = r.get("request_cid")
            # The starter gateway recomputes the payload CID with ensure_ascii=True whatever the dialect
            # (odin.md §1.1 (a)/(b)); prova's receipt append does the same.
            check(rq == ascii_cid,
                  label + ": request_cid is the payload's ensure_ascii=True cid (%s envelope)" % dialect,
                  "request_cid %s\nope %s\nascii %s" % (rq, ope_cid, ascii_cid))
            check(r.get("normalized_cid") == rq, label + ": normalized_cid = request_cid (identity transform)")
            check(r.get("policy") == {"passed": True, "rules": []} and "policy_engine" in r and r["policy_engine"] is None,
                  label + ": default policy and policy_engine null", (r.get("policy"), r.get("policy_engine")))
            check(r.get("ts") == rts and r.get("created_at") == rts, label + ": ts and created_at as given",
                  (r.get("ts"), r.get("created_at"), rts))
        check(not py_verify_chain(rs, keys), "receipts %s: the independent chain verifier accepts it" % t,
              py_verify_chain(rs, keys))
        # prova verifies each trace's chain (a chain file holds one trace per chain check).
        sub = pv.file("trace.jsonl", b"".join(json.dumps(r).encode() + b"\n" for r in rs))
        expect_valid(pv, "receipts %s" % t, sub, ["--jwks", gw_jwks], "ope_receipt_chain")
        # Bundles of this trace, every form.
        for form in ("starter", "ope-lib", "flat"):
            exp = "2025-08-22T05:00:0%d.250000+00:00" % {"starter": 1, "ope-lib": 2, "flat": 3}[form]
            gwb = gw2
            rc, out, err = pv.run("bundle", "--key", gwb.path, "--chain", chain, "--trace-id", t, "--form", form,
                                  "--exported-at", exp)
            label = "bundle %s %s" % (form, t)
            if not check(rc == 0, label + ": exit 0", "exit %d stderr %s" % (rc, err[:300])):
                continue
            doc = json.loads(out)
            # the flat form: the members beside bundle_cid and bundle_signature are what bundle_cid covers
            if form == "flat":
                b = {k: v for k, v in doc.items() if k not in ("bundle_cid", "bundle_signature")}
            else:
                b = doc.get("bundle") or {}
            bcid = cid_of(b)
            check(doc.get("bundle_cid") == bcid, label + ": bundle_cid = cid(canonical(bundle))",
                  "prova %s\npython %s" % (doc.get("bundle_cid"), bcid))
            msg = ("%s|%s|%s" % (doc.get("bundle_cid"), t, exp)).encode()
            if form == "starter":
                wantm = {"trace_id", "exported_at", "gateway_kid", "receipts", "chain_valid", "count"}
                check(set(doc) == {"bundle", "bundle_cid", "bundle_signature"} and set(b) == wantm,
                      label + ": starter bundle members", (sorted(doc), sorted(b)))
                check(b.get("gateway_kid") == gwb.kid and b.get("chain_valid") is True and b.get("count") == len(rs),
                      label + ": gateway_kid, chain_valid, count", (b.get("gateway_kid"), b.get("chain_valid"), b.get("count")))
                sig = doc.get("bundle_signature", "")
            elif form == "flat":
                check(set(doc) == {"trace_id", "exported_at", "kid", "receipts", "bundle_cid", "bundle_signature"},
                      label + ": flat bundle members (seed 003 §4, kid inside what bundle_cid covers)", sorted(doc))
                check(doc.get("kid") == gwb.kid, label + ": kid", doc.get("kid"))
                sig = doc.get("bundle_signature", "")
            else:
                check(set(doc) == {"bundle", "bundle_cid", "signature", "kid"}
                      and set(b) == {"trace_id", "exported_at", "receipts"}, label + ": ope-lib bundle members",
                      (sorted(doc), sorted(b)))
                check(doc.get("kid") == gwb.kid, label + ": kid", doc.get("kid"))
                sig = doc.get("signature", "")
            check(ed_verify(gwb.pub, sig, msg), label + ": Python verifies the bundle signature", msg)
            check(b.get("trace_id") == t and b.get("exported_at") == exp, label + ": trace_id, exported_at")
            check(canon(b.get("receipts")) == canon(rs), label + ": receipts are the trace's chain, in hop order",
                  [r.get("hop") for r in b.get("receipts") or []])
            check(not py_verify_chain(b.get("receipts") or [], keys), label + ": its receipts verify in Python")
            bpath = pv.file("bundle.json", out)
            rep = expect_valid(pv, label, bpath, ["--jwks", gw_jwks], "ope_bundle")
            if rep is not None and form == "flat":
                check(flat_variant_of(rep) == "without_cid" and "unauthenticated_fields" not in rep,
                      label + ": the report names the cid variant and lists nothing unauthenticated",
                      (flat_variant_of(rep), rep.get("unauthenticated_fields")))


# ---- b. Python -> prova ----------------------------------------------------------------------------------------

def py_envelope(rng, pk, dialect, payload, trace, ts, sdk_cid=False):
    """Shaped and ordered as the reference implementations build them."""
    if dialect == "ope-lib":  # build_envelope + sign_envelope
        env = {"payload": payload, "payload_type": "demo.v1", "target_type": "example.v1", "cid": cid_of(payload),
               "trace_id": trace, "ts": ts}
        env["sender_sig"] = pk.sign(("%s|%s|%s" % (env["cid"], trace, ts)).encode())
        env["kid"] = pk.kid
    elif dialect == "starter":  # the starter's OPE model; the gateway's (ASCII) cid, or an SDK's (ensure_ascii=False)
        cid = cid_of(payload, ascii_=not sdk_cid)
        env = {"trace_id": trace, "ts": ts, "sender": {"kid": pk.kid, "jwk": pk.jwk()}, "payload": payload,
               "payload_type": "invoice.vendor.v1", "target_type": "invoice.iso20022.v1", "cid": cid,
               "signature": pk.sign(("%s|%s|%s" % (cid, trace, ts)).encode())}
    elif dialect == "prova":
        env = {"version": 1, "payload": payload, "payload_type": "a.v1", "target_type": "b.v1",
               "cid": cid_of(payload), "trace_id": trace, "ts": ts, "sig_alg": "ed25519", "kid": pk.kid}
        env["sig"] = pk.sign(("%s|%s|%s" % (env["cid"], trace, ts)).encode())
    else:  # prova, bound: the canonical envelope without "sig"
        env = {"version": 1, "payload": payload, "payload_type": "a.v1", "target_type": "b.v1",
               "cid": cid_of(payload), "trace_id": trace, "ts": ts, "sig_alg": "ed25519", "kid": pk.kid,
               "sig_scope": "envelope"}
        env["sig"] = pk.sign(canon(env))
    return env


def sig_member(env):
    for k in ("sig", "sender_sig", "signature"):
        if k in env:
            return k
    return None


def bump_ts(ts):
    """Another valid timestamp one second later, same spelling."""
    return ts.replace(":05", ":06", 1) if ":05" in ts else ts.replace(":00", ":01", 1)


def tampers(env, dialect):
    """(name, tampered envelope, expected first failure code)."""
    out = []
    e = copy.deepcopy(env)
    e["payload"]["tampered"] = True
    out.append(("payload", e, "cid_mismatch"))
    e = copy.deepcopy(env)
    h = e["cid"][-1]
    e["cid"] = e["cid"][:-1] + ("0" if h != "0" else "1")
    out.append(("cid", e, "cid_mismatch"))
    e = copy.deepcopy(env)
    e["trace_id"] += "x"
    out.append(("trace_id", e, "signature_invalid"))
    e = copy.deepcopy(env)
    e["ts"] = bump_ts(e["ts"])
    out.append(("ts", e, "signature_invalid"))
    e = copy.deepcopy(env)
    s = e[sig_member(e)]
    raw = bytearray(b64u_dec(s))
    raw[5] ^= 0x01
    e[sig_member(e)] = b64u(bytes(raw))
    out.append(("sig", e, "signature_invalid"))
    if dialect == "bind":  # bound: members outside cid|trace_id|ts are signed too
        e = copy.deepcopy(env)
        e["payload_type"] = "evil.v1"
        out.append(("payload_type (bound)", e, "signature_invalid"))
        e = copy.deepcopy(env)
        del e["sig_scope"]
        out.append(("sig_scope removed (bound)", e, "signature_invalid"))
    return out


def dump_py(rng, obj):
    """As Python writes files by default, sometimes indented or with ensure_ascii=False."""
    c = rng.random()
    if c < 0.6:
        return json.dumps(obj)
    if c < 0.8:
        return json.dumps(obj, indent=2)
    return json.dumps(obj, ensure_ascii=False)


def envelopes_from_python(pv, rng, pk, pk_jwks, other_jwks, rounds):
    for dialect in ("ope-lib", "starter", "prova", "bind"):
        for i in range(rounds):
            obj = rand_object(rng, 3)
            if i % 3 == 0:
                obj["\U0001F600k"] = ["\U0001F600\u00e9\u2028", 1e-07, -0.0, 2 ** 70]
            trace = rand_trace(rng)
            ts = rng.choice(TS_FORMS)
            sdk = dialect == "starter" and i % 2 == 1
            env = py_envelope(rng, pk, dialect, obj, trace, ts, sdk_cid=sdk)
            label = "python %s%s #%d" % (dialect, " (SDK cid)" if sdk else "", i)
            ok, code, unauth = py_verify_envelope(env, {pk.kid: pk.pub}, NOW_DT)
            check(ok, label + ": the Python verifier accepts its own envelope", code)
            path = pv.file("pyenv.json", dump_py(rng, env))
            opts = ["--now", NOW, "--jwks", pk_jwks]
            rep = expect_valid(pv, label, path, opts, "ope_envelope")
            if rep is not None:
                check(sorted(rep.get("unauthenticated_fields", [])) == unauth,
                      label + ": unauthenticated_fields", (rep.get("unauthenticated_fields"), unauth))
                check(any(k.get("kid") == pk.kid for k in rep.get("keys", [])), label + ": keys names the kid",
                      rep.get("keys"))
            if dialect == "starter":
                expect_valid(pv, label + " embedded key", path, ["--now", NOW, "--trust-embedded-key"], "ope_envelope")
                expect_invalid(pv, label + " no trusted key", path, ["--now", NOW, "--jwks", other_jwks],
                               "kid_not_found")
            for name, t, code in tampers(env, dialect):
                ok2, pcode, _ = py_verify_envelope(t, {pk.kid: pk.pub}, NOW_DT)
                check(not ok2 and pcode == code, "%s tampered %s: the Python verifier says %s" % (label, name, code),
                      pcode)
                tpath = pv.file("tampered.json", dump_py(rng, t))
                expect_invalid(pv, "%s tampered %s" % (label, name), tpath, opts, code)
            if dialect in ("ope-lib", "prova") and i < 5:
                # Not bound: the types can be changed without breaking the signature (docs/ope.md), and are listed.
                t = copy.deepcopy(env)
                t["target_type"] = "changed.v9"
                rep = expect_valid(pv, label + " target_type changed (unauthenticated)", pv.file("t.json", json.dumps(t)),
                                   opts, "ope_envelope")
                if rep is not None:
                    check("target_type" in rep.get("unauthenticated_fields", []),
                          label + ": target_type is reported unauthenticated", rep.get("unauthenticated_fields"))
        # freshness, with the verifier's clock fixed
        env = py_envelope(rng, pk, dialect, {"x": 1}, "trace-fresh", "2025-08-22T04:18:05+00:00")
        path = pv.file("fresh.json", json.dumps(env))
        expect_invalid(pv, "python %s ts 10 min in the future" % dialect, path,
                       ["--jwks", pk_jwks, "--now", "2025-08-22T04:08:05+00:00"], "timestamp_skew")
        rep = expect_valid(pv, "python %s ts 10 min in the past" % dialect, path,
                           ["--jwks", pk_jwks, "--now", "2025-08-22T04:28:05+00:00"], "ope_envelope")
        if rep is not None:
            check(any(w.get("code") == "stale_timestamp" for w in rep["warnings"]),
                  "python %s ts in the past: stale_timestamp warning" % dialect, rep["warnings"])


def receipts_from_python(pv, rng, gws, gws_jwks, one_jwks):
    trace = "11111111-2222-4333-8444-%012x" % rng.getrandbits(48)
    chain, prev = [], None
    for hop in range(5):
        gw = gws[0] if hop < 3 else gws[1]  # rotation in the middle of the trace
        payload = rand_object(rng, 2)
        payload["\u00e9"] = "\U0001F600"
        ts = "2025-08-22T00:00:%02d+00:00" % hop
        policy = {"passed": True, "rules": []} if hop % 2 == 0 else \
            {"passed": True, "rules": [{"rule": "HEL:HTTP_EGRESS_LIMITATION", "reasons": ["allowed:example.com"]}]}
        r = py_build_receipt(gw, prev, trace, ts, cid_of(payload, True), policy=policy,
                             created_at="2025-08-22T00:00:%02d.%06d+00:00" % (hop, rng.randint(0, 999999)))
        chain.append(r)
        prev = r
    check(not py_verify_chain(chain, {g.kid: g.pub for g in gws}), "python receipts: self-check",
          py_verify_chain(chain, {g.kid: g.pub for g in gws}))
    jsonl = "".join(json.dumps(r) + "\n" for r in chain)  # the starter's JSONL store: json.dumps(receipt)
    path = pv.file("pychain.jsonl", jsonl)
    expect_valid(pv, "python receipt chain (JSONL)", path, ["--jwks", gws_jwks], "ope_receipt_chain")
    expect_valid(pv, "python receipt chain (JSONL on stdin)", "-", ["--jwks", gws_jwks], "ope_receipt_chain",
                 stdin=jsonl.encode())
    expect_valid(pv, "python receipt chain (JSON array)", pv.file("pychain.json", json.dumps(chain, indent=1)),
                 ["--jwks", gws_jwks], "ope_receipt_chain")
    expect_valid(pv, "python single receipt", pv.file("pyreceipt.json", json.dumps(chain[0])), ["--jwks", gws_jwks],
                 "ope_receipt")
    expect_invalid(pv, "python chain across a rotation, JWKS with one key", path, ["--jwks", one_jwks],
                   "kid_not_found")
    # tampering
    t = copy.deepcopy(chain)
    t[2]["policy"]["passed"] = False
    expect_invalid(pv, "python chain, receipt 2 policy edited", pv.file("t.jsonl", "".join(json.dumps(r) + "\n" for r in t)),
                   ["--jwks", gws_jwks], "receipt_hash_mismatch")
    t = copy.deepcopy(chain)
    raw = bytearray(b64u_dec(t[1]["receipt_signature"]))
    raw[0] ^= 0x80
    t[1]["receipt_signature"] = b64u(bytes(raw))
    expect_invalid(pv, "python chain, receipt 1 signature flipped",
                   pv.file("t.jsonl", "".join(json.dumps(r) + "\n" for r in t)), ["--jwks", gws_jwks],
                   "receipt_signature_invalid")
    for name, t in (("receipt 2 dropped", chain[:2] + chain[3:]), ("receipts 1 and 2 swapped",
                                                                   [chain[0], chain[2], chain[1]] + chain[3:]),
                    ("receipt 1 duplicated", chain[:2] + chain[1:])):
        rc, rep, err = pv.verify_json(pv.file("t.jsonl", "".join(json.dumps(r) + "\n" for r in t)), "--jwks", gws_jwks)
        codes = {c.get("code") for c in (rep or {}).get("checks", []) if not c.get("ok")}
        check(rc == 1 and rep is not None and rep.get("valid") is False and codes & {"hop_mismatch", "chain_broken"},
              "python chain, %s: invalid with hop_mismatch/chain_broken" % name, "exit %d codes %s" % (rc, codes))
    # bundles of the chain, both forms, signed by the current key
    for form, build in (("starter", py_bundle_starter), ("ope-lib", py_bundle_opelib)):
        b = build(gws[1], trace, "2025-08-22T00:01:00.123456+00:00", chain)
        if form == "starter":
            b["transparency"] = {"leaf_index": 0, "tree_size": 1, "root": "00" * 32, "audit_path": [],
                                 "leaf_hash": sha256_hex(b["bundle_cid"].encode())}
        path = pv.file("pybundle.json", json.dumps(b))
        rep = expect_valid(pv, "python bundle (%s)" % form, path, ["--jwks", gws_jwks], "ope_bundle")
        if rep is not None and form == "starter":
            check("transparency" in rep.get("unauthenticated_fields", []), "python bundle (starter): transparency is "
                  "listed as unauthenticated", rep.get("unauthenticated_fields"))
        t = copy.deepcopy(b)
        t["bundle_cid"] = "sha256:" + "0" * 64
        expect_invalid(pv, "python bundle (%s), bundle_cid replaced" % form, pv.file("t.json", json.dumps(t)),
                       ["--jwks", gws_jwks], "bundle_cid_mismatch")
        t = copy.deepcopy(b)
        t["bundle"]["exported_at"] = "2025-08-22T00:02:00+00:00"
        expect_invalid(pv, "python bundle (%s), exported_at edited" % form, pv.file("t.json", json.dumps(t)),
                       ["--jwks", gws_jwks], "bundle_cid_mismatch")
        t = copy.deepcopy(b)
        t["bundle"]["exported_at"] = "2025-08-22T00:02:00+00:00"
        t["bundle_cid"] = cid_of(t["bundle"])  # a consistent cid, but the signature covers the old one
        expect_invalid(pv, "python bundle (%s), exported_at edited and bundle_cid recomputed" % form,
                       pv.file("t.json", json.dumps(t)), ["--jwks", gws_jwks], "bundle_signature_invalid")
    # the flat form (seed 003 §4), in every cid variant, with and without kid
    other_jwks = pv.file("pygw0_jwks.json", json.dumps({"keys": [gws[0].jwk()]}))
    exp = "2025-08-22T00:01:00.5+00:00"
    for variant in FLAT_VARIANTS:
        for kid in (True, False):
            if not kid and variant.endswith("_kid"):
                continue  # the same bytes as the variant before it
            b = py_bundle_flat(gws[1], trace, exp, chain, variant, kid)
            label = "python flat bundle (%s, %s)" % (variant, "kid" if kid else "no kid")
            rep = expect_valid(pv, label, pv.file("pyflat.json", json.dumps(b)), ["--jwks", gws_jwks], "ope_bundle")
            if rep is not None:
                check(flat_variant_of(rep) == variant, label + ": the report names the cid variant",
                      (flat_variant_of(rep), variant))
                unauth = ["kid"] if kid and variant in ("without_cid_and_kid", "pending_cid_without_kid",
                                                         "receipts_only") else []
                check(rep.get("unauthenticated_fields", []) == unauth,
                      label + ": unauthenticated_fields lists exactly what bundle_cid and the signature leave out",
                      rep.get("unauthenticated_fields"))
    b = py_bundle_flat(gws[1], trace, exp, chain, "without_cid")
    for name, edit, code, jw in (
            ("receipt 3 edited", lambda t: t["receipts"][3].update(ts="2025-08-22T00:00:09+00:00"),
             "bundle_cid_mismatch", gws_jwks),
            ("exported_at edited", lambda t: t.update(exported_at="2025-08-22T00:02:00+00:00"),
             "bundle_cid_mismatch", gws_jwks),
            ("bundle_cid replaced", lambda t: t.update(bundle_cid="sha256:" + "0" * 64), "bundle_cid_mismatch",
             gws_jwks),
            ("signature of another message", lambda t: t.update(bundle_signature=gws[1].sign(b"other")),
             "bundle_signature_invalid", gws_jwks),
            ("unknown kid", lambda t: None, "kid_not_found", other_jwks)):
        t = copy.deepcopy(b)
        edit(t)
        expect_invalid(pv, "python flat bundle, " + name, pv.file("t.json", json.dumps(t)), ["--jwks", jw], code)
    # without a kid, every trusted key is tried: none of them signed it
    t = py_bundle_flat(gws[1], trace, exp, chain, "without_cid", kid=False)
    expect_invalid(pv, "python flat bundle without kid, signer not trusted", pv.file("t.json", json.dumps(t)),
                   ["--jwks", other_jwks], "bundle_signature_invalid")


# ---- other documented forms (docs/ope.md) ------------------------------------------------------------------------

def extras_from_python(pv, pk, pk_jwks):
    opts = ["--jwks", pk_jwks, "--now", NOW]
    payload = {"msg": "caf\u00e9 \U0001F600", "n": 1}
    # ts as integer milliseconds (seed 001): its token is what was signed
    ms = 1755836285123  # 2025-08-22T04:18:05.123Z
    env = {"payload": payload, "payload_type": "a.v1", "target_type": "b.v1", "cid": cid_of(payload),
           "trace_id": "trace-ms", "ts": ms}
    env["sender_sig"] = pk.sign(("%s|%s|%d" % (env["cid"], env["trace_id"], ms)).encode())
    env["kid"] = pk.kid
    expect_valid(pv, "python ope-lib envelope with integer-ms ts", pv.file("ms.json", json.dumps(env)), opts,
                 "ope_envelope")
    t = dict(env, ts=ms + 1)
    expect_invalid(pv, "python integer-ms ts tampered", pv.file("ms_t.json", json.dumps(t)), opts, "signature_invalid")
    expect_invalid(pv, "python integer-ms ts in the future", pv.file("ms2.json", json.dumps(env)),
                   ["--jwks", pk_jwks, "--now", "2025-08-22T04:00:00+00:00"], "timestamp_skew")
    # a starter envelope without cid: the gateway computes it (ASCII form) and that is what was signed
    c = cid_of(payload, True)
    env = {"trace_id": "trace-nocid", "ts": "2025-08-22T04:18:05.123456+00:00",
           "sender": {"kid": pk.kid, "jwk": pk.jwk()}, "payload": payload, "payload_type": "invoice.vendor.v1",
           "target_type": "invoice.iso20022.v1",
           "signature": pk.sign(("%s|trace-nocid|2025-08-22T04:18:05.123456+00:00" % c).encode())}
    expect_valid(pv, "python starter envelope without cid", pv.file("nocid.json", json.dumps(env)), opts,
                 "ope_envelope")
    t = copy.deepcopy(env)
    t["payload"]["n"] = 2
    expect_invalid(pv, "python starter envelope without cid, payload edited", pv.file("nocid_t.json", json.dumps(t)),
                   opts, "signature_invalid")
    # a starter envelope may carry either cid form; the report says which matched (docs/ope.md)
    msgs = []
    for sdk in (False, True):
        e = py_envelope(None, pk, "starter", payload, "trace-forms", "2025-08-22T04:18:05+00:00", sdk_cid=sdk)
        rep = expect_valid(pv, "python starter envelope, %s cid" % ("SDK (ensure_ascii=False)" if sdk else "gateway (ASCII)"),
                           pv.file("forms.json", json.dumps(e)), opts, "ope_envelope")
        msgs.append([c.get("message") for c in (rep or {}).get("checks", []) if c.get("check") == "cid"])
    check(msgs[0] != msgs[1], "starter cid forms: the cid check says which form matched", msgs)
    # lite receipts (odin.md §3.2, vectors §7.3): "sha256:"-prefixed hash, no signature, a global chain
    hello = {"hello": "world"}
    ncid = cid_of(hello)
    check(ncid == "sha256:93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588", "vector 7.3: normalized_cid",
          ncid)
    lite, prev = [], None
    for trace in ("trace-A", "trace-B"):
        r = {"trace_id": trace, "hop": 0, "ts": "2025-01-01T00:00:00+00:00", "payload_type": "vendor.event.v1",
             "target_type": "canonical.event.v1", "normalized_cid": ncid,
             "policy": {"engine": "HEL", "allowed": True, "reason": "no_forward_url"}}
        r["prev_receipt_hash"] = prev
        r["receipt_hash"] = "sha256:" + sha256_hex(canon(r))
        prev = r["receipt_hash"]
        lite.append(r)
    check(lite[0]["receipt_hash"] == "sha256:c92f1f8d16ca4a5aa1d47bd57088e97fab131054110039a3132ba57b9c205c5f",
          "vector 7.3: lite receipt_hash (trace-A)", lite[0]["receipt_hash"])
    check(lite[1]["receipt_hash"] == "sha256:8f1f00f22c6e2f94f7edfebfd4dd669afd03f80bf8ff5a31c913c1ffa5ec0074",
          "vector 7.3: lite receipt_hash (trace-B, linked to trace-A)", lite[1]["receipt_hash"])
    path = pv.file("lite.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lite))
    rep = expect_valid(pv, "lite receipt chain (global, unsigned)", path, [], "ope_receipt_chain")
    if rep is not None:
        check(any(w.get("code") == "unsigned" for w in rep["warnings"]), "lite chain: reported as unsigned",
              rep["warnings"])
    t = copy.deepcopy(lite)
    t[1]["policy"]["allowed"] = False
    expect_invalid(pv, "lite chain, receipt edited", pv.file("lite_t.jsonl", "".join(json.dumps(r) + "\n" for r in t)),
                   [], "receipt_hash_mismatch")
    t = copy.deepcopy(lite)
    t[1]["prev_receipt_hash"] = "sha256:" + "0" * 64
    t[1]["receipt_hash"] = "sha256:" + sha256_hex(canon({k: v for k, v in t[1].items() if k != "receipt_hash"}))
    expect_invalid(pv, "lite chain, link replaced (hash recomputed)",
                   pv.file("lite_l.jsonl", "".join(json.dumps(r) + "\n" for r in t)), [], "chain_broken")


# ---- known answers (odin.md §7) ---------------------------------------------------------------------------------

def vectors(pv):
    zero = bytes(32)
    k8 = PyKey(zero, "ed25519-139e3940")
    k16 = PyKey(zero, "ed25519-139e3940e64b5491")
    check(k8.x == "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik", "vector 7.1: jwk.x of the zero seed", k8.x)
    check(k16.kid == kid16(raw_pub(k16.pub)), "vector 7.2: kid16 is derived", kid16(raw_pub(k16.pub)))
    # 7.1 ope-lib envelope
    payload = {"user": "alice", "amount": 42}
    env = {"payload": payload, "payload_type": "demo.v1", "target_type": "example.v1", "cid": cid_of(payload),
           "trace_id": "trace-test-1", "ts": "2025-01-01T00:00:00+00:00"}
    env["sender_sig"] = k8.sign(("%s|%s|%s" % (env["cid"], env["trace_id"], env["ts"])).encode())
    env["kid"] = k8.kid
    check(env["cid"] == "sha256:56530bcc3b30c0ecab93638d3ba23f069e632ca4530bdd453fb8c31951562279", "vector 7.1: cid")
    check(env["sender_sig"] == "ZkYWcstwR_Rejjl5TT_SNcMXHKKV-Irb0WtXSiPQKyf9fx_S82pCRjZDdiL3nYHaT1QGjEabPUXZWE2o7lZIBA",
          "vector 7.1: sender_sig", env["sender_sig"])
    jw8 = pv.file("jwks8.json", json.dumps({"keys": [k8.jwk()]}))
    jw16 = pv.file("jwks16.json", json.dumps({"keys": [k16.jwk()]}))
    expect_valid(pv, "vector 7.1 envelope", pv.file("v71.json", json.dumps(env)),
                 ["--jwks", jw8, "--now", "2025-01-01T00:00:30+00:00"], "ope_envelope")
    # prova pack with the zero-seed key reproduces the literal signature (Ed25519 is deterministic)
    priv = dict(k8.jwk(), d=b64u(zero))
    kpath = pv.file("zero.jwk", json.dumps(priv))
    os.chmod(kpath, 0o600)
    rc, out, err = pv.run("pack", "--key", kpath, "--payload-type", "demo.v1", "--target-type", "example.v1",
                          "--trace-id", "trace-test-1", "--ts", "2025-01-01T00:00:00+00:00", "--dialect", "ope-lib",
                          pv.file("p.json", '{"user": "alice", "amount": 42}'))
    got = json.loads(out) if rc == 0 else {}
    check(got == env, "vector 7.1: prova pack --dialect ope-lib reproduces the envelope",
          "exit %d %s\ngot  %s\nwant %s" % (rc, err[:200], got, env))
    # 7.1 bundle (ope-lib, opaque receipts)
    b = {"exported_at": "2025-01-01T00:00:05+00:00",
         "receipts": [{"hop": 0, "prev_receipt_hash": None, "receipt_hash": "h0"},
                      {"hop": 1, "prev_receipt_hash": "h0", "receipt_hash": "h1"}], "trace_id": "trace-test-1"}
    bcid = cid_of(b)
    bsig = k8.sign(("%s|%s|%s" % (bcid, b["trace_id"], b["exported_at"])).encode())
    check(bcid == "sha256:3b08bfd21932c602e2e2d1362106e95305d33d545a322c55a9ed053b5de46c2c", "vector 7.1: bundle_cid")
    check(bsig == "is9ew2U4C2r6lN-kd39VwBuj-EQriY2hmjQybx6IpsovKl_z6zyZoX4FPaEK1XzqH2oZP4DU6cnUn4Oyn8noBA",
          "vector 7.1: bundle signature", bsig)
    expect_valid(pv, "vector 7.1 bundle (ope-lib form, opaque receipts)",
                 pv.file("v71b.json", json.dumps({"bundle": b, "bundle_cid": bcid, "signature": bsig, "kid": k8.kid})),
                 ["--jwks", jw8], "ope_bundle")
    # 7.2 starter
    payload = {"message": "hello", "value": 42}
    c = cid_of(payload, True)
    check(c == "sha256:cbb4e253064f82c49b4f8cc0670e2166c5325ab0f397d559a01b2d5fde52e79e", "vector 7.2: cid", c)
    trace = "11111111-1111-1111-1111-111111111111"
    senv = {"trace_id": trace, "ts": "2025-08-22T00:00:00+00:00", "sender": {"kid": k16.kid, "jwk": k16.jwk()},
            "payload": payload, "payload_type": "invoice.vendor.v1", "target_type": "invoice.iso20022.v1", "cid": c,
            "signature": k16.sign(("%s|%s|2025-08-22T00:00:00+00:00" % (c, trace)).encode())}
    check(senv["signature"] == "xh2DijCeXmnjgFBS_9j8Jy83lCDPuJ7YN7ZR4ACfge3_0kbx9G-18feK8Sc99VlMMEoGLC_W-zIzl_JU_FhcAA",
          "vector 7.2: envelope signature", senv["signature"])
    expect_valid(pv, "vector 7.2 envelope", pv.file("v72.json", json.dumps(senv)),
                 ["--jwks", jw16, "--now", "2025-08-22T00:00:10+00:00"], "ope_envelope")
    r0 = py_build_receipt(k16, None, trace, "2025-08-22T00:00:00+00:00", c)
    r1 = py_build_receipt(k16, r0, trace, "2025-08-22T00:00:01+00:00", c)
    check(r0["receipt_signature"] == "pL6_F2lb5BaO5NSbSYUAmordLjpKe0IUSQqv0xcAze3uTXPO-HOX26Z5rPJE_jmWub9N7ZNg0NawZCXTbf0hAA",
          "vector 7.2: receipt_signature", r0["receipt_signature"])
    check(r0["receipt_hash"] == "0704edfcddcdec0da5731d8bdb2d5af641ac04feb7420165660306cdca5d128f",
          "vector 7.2: receipt_hash", r0["receipt_hash"])
    check(r1["receipt_hash"] == "022de1a1a20d590edeb93b4f5d03a5bcbecd530d07fd5c2682ff40b67fc19366",
          "vector 7.2: hop 1 receipt_hash", r1["receipt_hash"])
    expect_valid(pv, "vector 7.2 receipts", pv.file("v72.jsonl", json.dumps(r0) + "\n" + json.dumps(r1) + "\n"),
                 ["--jwks", jw16], "ope_receipt_chain")
    sb = py_bundle_starter(k16, trace, "2025-08-22T00:00:05+00:00", [r0, r1])
    check(sb["bundle_cid"] == "sha256:35a554dbb9cbfbc5f23c387be85ab017ed045449e45471939f4775d49969e4a9",
          "vector 7.2: bundle_cid", sb["bundle_cid"])
    check(sb["bundle_signature"] == "la0zoc1RYAH6AwJvyWQxBxWDOwmtATHi40cREq4bn-RE6xAPNTtj9d6HTArA5uD8dmTyoR9jIYzrMAdilLDKBA",
          "vector 7.2: bundle_signature", sb["bundle_signature"])
    expect_valid(pv, "vector 7.2 bundle", pv.file("v72b.json", json.dumps(sb)), ["--jwks", jw16], "ope_bundle")


# ---- main -------------------------------------------------------------------------------------------------------

def keygen(pv, name):
    path = os.path.join(pv.tmp, name + ".jwk")
    rc, out, err = pv.run("keygen", "--out", path)
    if not check(rc == 0 and os.path.exists(path), "prova keygen %s" % name, err[:300]):
        return None
    k = load_prova_jwk(path)
    check(out.decode().strip() == k.kid, "keygen prints the kid", (out, k.kid))
    k.path = path
    return k


def jwks_of(pv, name, *keys):
    rc, out, err = pv.run("jwks", *[k.path for k in keys])
    check(rc == 0, "prova jwks", err[:300])
    j = json.loads(out)
    check(sorted(k.get("x") for k in j.get("keys", [])) == sorted(k.x for k in keys) and
          all("d" not in k for k in j.get("keys", [])), "prova jwks: the public keys only", j)
    return pv.file(name + ".json", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("prova")
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20250822)
    ap.add_argument("--keep", help="keep the work files in this directory")
    a = ap.parse_args()
    exe = os.path.abspath(a.prova)
    if not os.access(exe, os.X_OK):
        print("not executable: " + exe, file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    tmp = a.keep or tempfile.mkdtemp(prefix="ope_cross.")
    os.makedirs(tmp, exist_ok=True)
    pv = Prova(exe, tmp)

    def phase(name, fn, *args):
        """One part of the run; an exception there is a failure, and the other parts still run."""
        try:
            return fn(*args)
        except Exception:  # noqa: BLE001 - report and go on
            import traceback
            check(False, "%s raised an exception" % name, traceback.format_exc()[-1500:])
            return None

    try:
        keys = phase("key setup", lambda: [keygen(pv, n) for n in ("sender", "gw1", "gw2")])
        jw = phase("jwks setup", lambda: (jwks_of(pv, "sender_jwks", keys[0]), jwks_of(pv, "gw_jwks", *keys[1:]))) \
            if keys and all(keys) else None
        if jw:
            sender, gw1, gw2 = keys
            sender_jwks, gw_jwks = jw
            # a. prova -> Python
            for dialect in ("prova", "ope-lib", "starter", "bind"):
                phase("pack " + dialect, pack_round, pv, rng, sender, sender_jwks, dialect, a.rounds)
            phase("receipts and bundles (prova)", receipts_round, pv, rng, sender, sender_jwks, gw1, gw2, gw_jwks)
        # b. Python -> prova (keys generated by Python from the seeded generator)
        pk = PyKey(bytes(rng.getrandbits(8) for _ in range(32)))
        other = PyKey(bytes(rng.getrandbits(8) for _ in range(32)))
        pk_jwks = pv.file("py_jwks.json", json.dumps({"keys": [pk.jwk()]}))
        other_jwks = pv.file("other_jwks.json", json.dumps({"keys": [other.jwk()]}))
        phase("envelopes (Python)", envelopes_from_python, pv, rng, pk, pk_jwks, other_jwks, a.rounds)
        pgws = [PyKey(bytes(rng.getrandbits(8) for _ in range(32))) for _ in range(2)]
        pgws[1].kid = "gw-rotated-2"  # a non-derived kid, as ODIN_GATEWAY_KID allows
        both = pv.file("pygw_jwks.json", json.dumps({"keys": [dict(pgws[0].jwk(), status="legacy"),
                                                              dict(pgws[1].jwk(), status="active")]}))
        one = pv.file("pygw1_jwks.json", json.dumps({"keys": [pgws[1].jwk()]}))
        phase("receipts and bundles (Python)", receipts_from_python, pv, rng, pgws, both, one)
        phase("other forms (Python)", extras_from_python, pv, pk, pk_jwks)
        phase("vectors", vectors, pv)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
