#!/usr/bin/python3
"""Differential test: prova's Ophamin proof records against an independent Python implementation of the reference
(shared/reference/ophamin.md §2-§3; json, hmac, hashlib, datetime and the Debian python3-cryptography; it shares no
code with prova). The reference itself is Python, so here the "implementation" is mostly the reference's own
one-liners:

    canonical(body) = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    body            = the record minus "signature", "proof_id", "attestation"
    proof_id        = sha256(canonical).hexdigest();  signature = hmac(key, canonical, sha256).hexdigest()
    verify_impl     = the newest _impls.verify_proof_impl, copied below (its dict, json.dumps'd compactly with the
                      record's nested objects in sorted order, which is how prova writes copied values)

Checks (C side: tests/diff/proof_driver):
  a. prova signs: ~200 random proof-shaped records (strings with control characters, DEL, Latin-1, CJK, astral
     characters and lone surrogates; floats across the whole double range incl. -0.0, subnormals, NaN/Infinity;
     integers beyond 64 bits; unknown extra members; stale signature/proof_id/attestation members), written in
     random member order and layout; prova's body bytes, proof_id, signed record and attested record (Ed25519 is
     deterministic) must equal Python's byte for byte, and Python must verify prova's attestation.
  b. Python signs (to_dict() order, indent=2 as on disk, optionally attested with a cryptography key): prova's
     verify_impl answer must equal Python's byte for byte, for the record, a tampered copy, under a wrong key, and
     with a tampered attestation.
  c. record.validate(): records with random defects (blank strings by Python's str.isspace(), timestamps in every
     form datetime.fromisoformat knows, naive vs aware, verdicts against every comparator, empty datasets/evidence,
     n_records <= 0, ...) signed by Python: the set of reason codes in prova's report equals the set Python's
     validate() mirror yields, and the report is valid exactly when the set is empty.
  d. datetime.fromisoformat: ~3,000 generated strings (valid, quirky and broken) against prova's parser.
  e. sign_key_b64 (CPython 3.11 only: base64's strict mode changed later): ~2,000 random strings decoded by
     base64.b64decode(s, validate=True) and by prova (through verify_impl on a record Python signed with that key).

Reproducible (fixed seed, --seed to change). Prints the first failures and "N passed, M failed" last; exit 1 on
any failure.
Run: /usr/bin/python3 tests/diff/proof_cross.py --driver PATH [--records N] [--seed S]
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

import tally  # noqa: E402  (check() and the counts)
from tally import check  # noqa: E402


# ---- the reference ---------------------------------------------------------------------------------------------

DEFAULT_KEY = b"ophamin-scenario-proof-key"
SECTIONS = ["schema_version", "identity", "claim", "preregistration", "data", "evidence", "verdict", "reproduction",
            "provenance"]
OUTSIDE = ("signature", "proof_id", "attestation")
SERVER_VERSION = "0.63.0"


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("utf-8")


def body_of(rec):
    return {k: v for k, v in rec.items() if k not in OUTSIDE}


def sorted_hook(pairs):
    return dict(sorted(pairs, key=lambda kv: kv[0]))


def ed25519_public(sk):
    return sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def expected_signed(rec, key, sk=None, author=None):
    """What prova_proof_sign writes: to_dict() order (proof_id, the nine sections, other body members sorted,
    signature), the attestation last in the schema's member order; nested values canonical."""
    b = canonical(body_of(rec))
    out = {"proof_id": hashlib.sha256(b).hexdigest()}
    for s in SECTIONS:
        if s in rec:
            out[s] = rec[s]
    for k in sorted(rec):
        if k not in SECTIONS and k not in OUTSIDE:
            out[k] = rec[k]
    out["signature"] = hmac.new(key, b, hashlib.sha256).hexdigest()
    if sk is not None:
        out["attestation"] = {"author": author, "algorithm": "ed25519", "public_key": ed25519_public(sk).hex(),
                              "signature": sk.sign(b).hex()}
    parts = [json.dumps(k) + ":" + (json.dumps(v, separators=(",", ":")) if k == "attestation"
                                    else canonical(v).decode()) for k, v in out.items()]
    return ("{" + ",".join(parts) + "}").encode()


def verify_impl(proof_json, key, server_version):
    """_impls.verify_proof_impl (newest, with the attested* keys). Raises ValueError like the reference."""
    try:
        record_dict = json.loads(proof_json, object_pairs_hook=sorted_hook)
    except json.JSONDecodeError as exc:
        raise ValueError("proof_json is not valid JSON: %s" % exc) from exc
    if not isinstance(record_dict, dict):
        raise ValueError("proof_json must decode to a JSON object")
    body = {k: v for k, v in record_dict.items() if k not in ("signature", "proof_id", "attestation")}
    can = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")
    expected_hex = hmac.new(key, can, hashlib.sha256).hexdigest()
    sig = record_dict.get("signature", "")
    verified = isinstance(sig, str) and hmac.compare_digest(sig, expected_hex)
    proof_id = hashlib.sha256(can).hexdigest()
    att = record_dict.get("attestation") or {}
    attested = bool(att)
    attestation_author = att.get("author", "") if isinstance(att, dict) else ""
    attestation_verified = False
    if attested and isinstance(att, dict):
        try:
            pub = bytes.fromhex(att.get("public_key", ""))
            ed_sig = bytes.fromhex(att.get("signature", ""))
            ok = att.get("algorithm") == "ed25519" and len(pub) == 32 and len(ed_sig) == 64
            if ok:
                try:
                    Ed25519PublicKey.from_public_bytes(pub).verify(ed_sig, can)
                except InvalidSignature:
                    ok = False
            attestation_verified = ok
        except Exception:  # noqa: BLE001 - malformed attestation = unverified, as the reference
            attestation_verified = False
    verdict = record_dict.get("verdict") or {}
    outcome = verdict.get("outcome", "") if isinstance(verdict, dict) else ""
    res = {
        "verified": verified,
        "proof_id": proof_id,
        "schema_version": record_dict.get("schema_version", ""),
        "attested": attested,
        "attestation_author": attestation_author,
        "attestation_verified": attestation_verified,
        "verdict": {
            "outcome": outcome,
            "observed_value": verdict.get("observed_value", None) if isinstance(verdict, dict) else None,
            "reasoning": verdict.get("reasoning", "") if isinstance(verdict, dict) else "",
            "threshold": verdict.get("threshold", {}) if isinstance(verdict, dict) else {},
        },
        "claim_statement": (record_dict.get("claim") or {}).get("statement", ""),
        "framework_versions": {
            "ophamin_version_in_record": (record_dict.get("identity") or {}).get("ophamin_version", ""),
            "ophamin_version_in_server": server_version,
        },
    }
    return json.dumps(res, separators=(",", ":")).encode()


COMPARATORS = {
    ">=": lambda o, t: o >= t, "<=": lambda o, t: o <= t, ">": lambda o, t: o > t, "<": lambda o, t: o < t,
    "==": lambda o, t: o == t,
}


def validate_codes(rec):
    """EmpiricalProofRecord.validate() on the wire record (the reference's checklist), as prova's reason codes."""
    codes = set()
    c, p, d, v, r = rec["claim"], rec["preregistration"], rec["data"], rec["verdict"], rec["reproduction"]
    if not c["statement"].strip():
        codes.add("proof_claim_statement_empty")
    if not c["h0"].strip() or not c["h1"].strip():
        codes.add("proof_claim_hypotheses_empty")
    if not p["config_hash"]:
        codes.add("proof_config_hash_empty")
    if not p["data_hash"]:
        codes.add("proof_data_hash_empty")
    try:
        pre = datetime.datetime.fromisoformat(p["preregistered_at"])
        created = datetime.datetime.fromisoformat(rec["identity"]["created_at"])
        try:
            if pre > created:
                codes.add("proof_preregistered_after_created")
        except TypeError:  # naive vs aware: the reference raises; prova reports it
            codes.add("proof_timestamp_invalid")
    except ValueError:
        codes.add("proof_timestamp_invalid")
    if not d["datasets"]:
        codes.add("proof_no_datasets")
    for ds in d["datasets"]:
        if not ds["content_hash"]:
            codes.add("proof_dataset_content_hash_empty")
        if int(ds["n_records"]) <= 0:
            codes.add("proof_dataset_n_records")
    if not d["substrate_git_commit"]:
        codes.add("proof_substrate_commit_empty")
    if not rec["evidence"]:
        codes.add("proof_no_evidence")
    for e in rec["evidence"]:
        if not e["library"] or not e["library_version"]:
            codes.add("proof_evidence_attribution_missing")
    if v["outcome"] not in ("VALIDATED", "REFUTED", "INCONCLUSIVE"):
        codes.add("proof_verdict_outcome_invalid")
    elif v["outcome"] != "INCONCLUSIVE":
        t = v["threshold"]
        expected = "VALIDATED" if COMPARATORS[t["comparator"]](float(v["observed_value"]), float(t["value"])) \
            else "REFUTED"
        if v["outcome"] != expected:
            codes.add("proof_verdict_threshold_disagrees")
    if not r["command"].strip():
        codes.add("proof_reproduction_command_empty")
    if not r["environment"]:
        codes.add("proof_reproduction_environment_empty")
    if not rec["identity"]["ophamin_version"]:
        codes.add("proof_ophamin_version_empty")
    return codes


# ---- random values ---------------------------------------------------------------------------------------------

POOLS = [
    "abcdefghijklmnopqrstuvwxyz ABCDEFXYZ0123456789-_.:/",
    "\"\\/\b\f\n\r\t\x00\x01\x1f\x7f",
    "\u00e9\u00fc\u00df\u00a0\u00ff",
    "\u043f\u0440\u0438\u0432\u0435\u0442\u5b57\u5e55\u2028\u2029\ufeff\uffff\ue000",
    "\U0001F680\U0001F600\U00010000\U0010FFFF",
    " \t\u3000\u2003\u0085",
]


def rstr(rng, lo=0, hi=12, lone=False):
    n = rng.randint(lo, hi)
    s = "".join(rng.choice(rng.choice(POOLS)) for _ in range(n))
    if lone and rng.random() < 0.5:
        s += rng.choice(["\ud800", "\udfff", "\udbff"])
    return s


def word(rng):
    return "x" + rstr(rng, 0, 8)


def rfloat(rng, special=True):
    k = rng.randint(0, 11)
    if k == 0:
        return rng.uniform(-1000, 1000)
    if k == 1:
        return math.copysign(10 ** rng.uniform(-320, 308), rng.choice([-1, 1]))
    if k == 2:
        return float(rng.randint(-10 ** 6, 10 ** 6))
    if k == 3:
        return rng.choice([0.0, -0.0, 1e16, 1e15, 1e-4, 1e-5, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 2.5e-05])
    if k == 4:
        while True:
            x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if math.isfinite(x):
                return x
    if k == 5 and special:
        return rng.choice([float("nan"), float("inf"), float("-inf")])
    return round(rng.uniform(-1, 1), rng.randint(0, 8))


def rint(rng):
    return rng.choice([rng.randint(-5, 5), rng.randint(-2 ** 63, 2 ** 63), rng.randint(-10 ** 40, 10 ** 40)])


def rvalue(rng, depth=0, lone=False):
    k = rng.randint(0, 7 if depth < 3 else 4)
    if k == 0:
        return rstr(rng, lone=lone)
    if k == 1:
        return rfloat(rng)
    if k == 2:
        return rint(rng)
    if k == 3:
        return rng.choice([True, False, None])
    if k == 4:
        return rstr(rng, 0, 4)
    if k == 5:
        return [rvalue(rng, depth + 1, lone) for _ in range(rng.randint(0, 4))]
    return {rstr(rng, 0, 6, lone): rvalue(rng, depth + 1, lone) for _ in range(rng.randint(0, 4))}


def threshold(rng):
    return {"metric": word(rng), "comparator": rng.choice(list(COMPARATORS)), "value": rfloat(rng, special=False),
            "units": rstr(rng)}


def timestamp(rng, base=None):
    t = base if base is not None else datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    t = t + datetime.timedelta(seconds=rng.randint(-5, 5), microseconds=rng.choice([0, rng.randint(0, 999999)]))
    return t.isoformat()


def proof_record(rng, lone=False):
    """A record of the right shape, valid for validate()."""
    thr = threshold(rng)
    observed = rfloat(rng, special=rng.random() < 0.1)
    outcome = "VALIDATED" if COMPARATORS[thr["comparator"]](observed, thr["value"]) else "REFUTED"
    if rng.random() < 0.15:
        outcome = "INCONCLUSIVE"
    created = timestamp(rng)
    rec = {
        "schema_version": "1.0",
        "identity": {"ophamin_version": word(rng), "ophamin_git_commit": rstr(rng), "created_at": created},
        "claim": {"statement": word(rng), "operationalization": word(rng), "threshold": thr, "h0": word(rng),
                  "h1": word(rng)},
        "preregistration": {"config_hash": word(rng), "data_hash": word(rng), "analysis_plan": rstr(rng),
                            "sweep_grid": {word(rng): rvalue(rng, 2) for _ in range(rng.randint(0, 2))},
                            "preregistered_at": "2025-12-31T00:00:00+00:00"},
        "data": {"substrate_name": word(rng), "substrate_git_commit": word(rng),
                 "datasets": [{"name": word(rng), "content_hash": word(rng), "n_records": rng.randint(1, 10 ** 6),
                               "source": rstr(rng), "kind": rng.choice(["corpus", rstr(rng)])}
                              for _ in range(rng.randint(1, 3))]},
        "evidence": [{"pillar": word(rng), "statistic_name": word(rng), "statistic_value": rfloat(rng),
                      "library": word(rng), "library_version": word(rng),
                      "effect_size": rng.choice([None, rfloat(rng)]), "ci_low": rng.choice([None, rfloat(rng)]),
                      "ci_high": rng.choice([None, rfloat(rng)]), "p_value": rng.choice([None, rfloat(rng)]),
                      "cross_check": rng.choice(["passed", "skipped", "failed", "n/a"]),
                      "detail": {rstr(rng, 0, 5, lone): rvalue(rng, 1, lone) for _ in range(rng.randint(0, 3))}}
                     for _ in range(rng.randint(1, 3))],
        "verdict": {"outcome": outcome, "observed_value": observed, "threshold": dict(thr), "reasoning": word(rng)},
        "reproduction": {"command": word(rng), "environment": {"python": "3.12.0", word(rng): rstr(rng)},
                         "lineage_chain": [rstr(rng) for _ in range(rng.randint(0, 2))]},
        "provenance": {rstr(rng, 0, 6, lone): rvalue(rng, 1, lone) for _ in range(rng.randint(0, 4))},
    }
    return rec


def shuffled(rng, v):
    """The same value with every object's members in a random order."""
    if isinstance(v, dict):
        items = list(v.items())
        rng.shuffle(items)
        return {k: shuffled(rng, x) for k, x in items}
    if isinstance(v, list):
        return [shuffled(rng, x) for x in v]
    return v


def has_lone(v):
    if isinstance(v, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in v)
    if isinstance(v, dict):
        return any(has_lone(k) or has_lone(x) for k, x in v.items())
    if isinstance(v, list):
        return any(has_lone(x) for x in v)
    return False


def dump(rng, rec):
    """JSON text of rec in a random layout; ASCII-escaped when it holds lone surrogates (UTF-8 cannot)."""
    ascii_only = has_lone(rec) or rng.random() < 0.5
    indent = rng.choice([None, None, 2, 1])
    seps = rng.choice([None, (",", ":"), (", ", ": ")]) if indent is None else None
    return json.dumps(shuffled(rng, rec), ensure_ascii=ascii_only, indent=indent, separators=seps).encode("utf-8")


# ---- the driver ------------------------------------------------------------------------------------------------

DRIVER = None
TMP = None
FILE_N = 0


def find_driver(arg):
    cands = [arg] if arg else []
    if os.environ.get("PROVA_PROOF_DRIVER"):
        cands.append(os.environ["PROVA_PROOF_DRIVER"])
    for d in ("build", "builddir", "build-asan"):
        cands.append(os.path.join(ROOT, d, "tests", "proof_driver"))
    for c in cands:
        if c and os.access(c, os.X_OK):
            return c
    return None


def write_tmp(data):
    global FILE_N
    FILE_N += 1
    path = os.path.join(TMP, "r%d.json" % FILE_N)
    with open(path, "wb") as f:
        f.write(data)
    return path


def run(*args):
    p = subprocess.run([DRIVER] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout


# ---- a. prova signs --------------------------------------------------------------------------------------------

def check_prova_signs(rng, n):
    for i in range(n):
        lone = rng.random() < 0.15
        rec = proof_record(rng, lone)
        if rng.random() < 0.3:  # unknown members: in the body
            for _ in range(rng.randint(1, 3)):
                rec[rstr(rng, 0, 8, lone)] = rvalue(rng, 1, lone)
        if rng.random() < 0.3:  # stale members: replaced
            rec["signature"] = rng.choice([rstr(rng), "0" * 64, 5])
            rec["proof_id"] = rng.choice([rstr(rng), None])
            rec["attestation"] = rvalue(rng, 1)
        key = rng.randbytes(rng.choice([0, 1, 16, 32, 64, 100]))
        seed = rng.randbytes(32)
        sk = Ed25519PrivateKey.from_private_bytes(seed)
        author = rng.choice(["idir", word(rng).replace("\x00", "")])  # an argv holds no NUL
        path = write_tmp(dump(rng, rec))
        rc, out = run("all", key.hex(), seed.hex(), author, path)
        if not check(rc == 0, "[a%d] driver all exit %d" % (i, rc), out.decode(errors="replace")):
            continue
        lines = out.split(b"\n")
        body = canonical(body_of(rec))
        check(lines[0] == body, "[a%d] body bytes" % i, "prova  %s\npython %s" % (lines[0][:400], body[:400]))
        check(lines[1] == hashlib.sha256(body).hexdigest().encode(), "[a%d] proof_id" % i)
        want = expected_signed(rec, key)
        check(lines[2] == want, "[a%d] signed record" % i, "prova  %s\npython %s" % (lines[2][:400], want[:400]))
        want = expected_signed(rec, key, sk, author)
        check(lines[3] == want, "[a%d] attested record" % i, "prova  %s\npython %s" % (lines[3][-300:], want[-300:]))
        # Python reads prova's output back: same body, its HMAC and Ed25519 verify
        try:
            back = json.loads(lines[3])
            b2 = canonical(body_of(back))
            check(b2 == body, "[a%d] prova's record parses back to the same body" % i)
            check(hmac.compare_digest(back["signature"], hmac.new(key, b2, hashlib.sha256).hexdigest()),
                  "[a%d] Python verifies prova's HMAC" % i)
            a = back["attestation"]
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(a["public_key"])).verify(bytes.fromhex(a["signature"]), b2)
            check(True, "")
        except (ValueError, KeyError, InvalidSignature) as exc:
            check(False, "[a%d] Python reads prova's attested record" % i, repr(exc))


# ---- b. Python signs, prova's verify_impl ------------------------------------------------------------------------

def python_signed(rec, key, sk=None, author="idir"):
    b = canonical(body_of(rec))
    out = {"proof_id": hashlib.sha256(b).hexdigest()}
    out.update({k: v for k, v in rec.items() if k not in OUTSIDE})
    out["signature"] = hmac.new(key, b, hashlib.sha256).hexdigest()
    if sk is not None:
        out["attestation"] = {"author": author, "algorithm": "ed25519", "public_key": ed25519_public(sk).hex(),
                              "signature": sk.sign(b).hex()}
    return out


def impl_case(tag, text, key, key_b64):
    path = write_tmp(text)
    rc, out = run("impl", key_b64 if key_b64 else "-", SERVER_VERSION, path)
    try:
        want = verify_impl(text.decode("utf-8"), key, SERVER_VERSION)
    except ValueError as exc:
        reason = b"proof_not_object" if "JSON object" in str(exc) else b"proof_json_invalid"
        return check(rc == 2 and reason in out, "[%s] error %s" % (tag, exc), out)
    return check(rc == 0 and out.rstrip(b"\n") == want, "[%s] verify_impl answer" % tag,
                 "prova  %s\npython %s" % (out[:700], want[:700]))


def check_python_signs(rng, n):
    for i in range(n):
        rec = proof_record(rng, rng.random() < 0.1)
        key = rng.choice([DEFAULT_KEY, rng.randbytes(32), rng.randbytes(rng.randint(1, 70))])
        b64 = "" if key == DEFAULT_KEY and rng.random() < 0.5 else base64.b64encode(key).decode()
        sk = Ed25519PrivateKey.generate() if rng.random() < 0.5 else None
        signed = python_signed(rec, key, sk)
        text = json.dumps(signed, indent=2, ensure_ascii=has_lone(signed) or rng.random() < 0.7).encode()
        impl_case("b%d" % i, text, key, b64)
        # wrong key
        impl_case("b%d wrong key" % i, text, b"wrong", base64.b64encode(b"wrong").decode())
        # tampered: one value changed
        t = json.loads(text)
        t["verdict"]["reasoning"] = t["verdict"]["reasoning"] + "!"
        impl_case("b%d tampered" % i, json.dumps(t).encode(), key, b64)
        if sk is not None:
            t = json.loads(text)
            s = t["attestation"]["signature"]
            t["attestation"]["signature"] = s[:-1] + ("0" if s[-1] != "0" else "1")
            impl_case("b%d attestation tampered" % i, json.dumps(t).encode(), key, b64)
            t = json.loads(text)
            t["attestation"]["public_key"] = " ".join(t["attestation"]["public_key"][j:j + 2].upper()
                                                      for j in range(0, 64, 2))
            impl_case("b%d attestation fromhex" % i, json.dumps(t).encode(), key, b64)
    # odd shapes, where the reference passes values through .get()
    odd = [b"{}", b"[]", b"\"x\"", b"{", b"", b"1", b"null", b'{"verdict":[1]}', b'{"verdict":{"outcome":5}}',
           b'{"attestation":true}', b'{"attestation":{"public_key":1}}', b'{"claim":{"statement":{"a":[1,2]}}}',
           b'{"identity":{"ophamin_version":null},"schema_version":[]}', b'{"signature":"' + b"a" * 64 + b'"}',
           b'{"verdict":{"observed_value":-0,"threshold":{"z":1E400,"a":-1e-400}}}']
    for j, text in enumerate(odd):
        impl_case("odd%d" % j, text, DEFAULT_KEY, "")


# ---- c. validate() -----------------------------------------------------------------------------------------------

BLANKS = ["", " ", "\t\n", "\u00a0", "\u3000 ", "\u2028", "\u0085", "\x1c", "\u200b", "\ufeff", "x"]


def iso_form(rng):
    """A timestamp in one of the forms datetime.fromisoformat reads (and a few it does not)."""
    y, mo, d = rng.randint(2025, 2026), rng.randint(1, 12), rng.randint(1, 28)
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    date = rng.choice(["%04d-%02d-%02d" % (y, mo, d), "%04d%02d%02d" % (y, mo, d), "%04d-W%02d-%d" %
                       (y, rng.randint(1, 53), rng.randint(1, 7)), "%04dW%02d" % (y, rng.randint(1, 52))])
    if rng.random() < 0.1:
        return date
    sep = rng.choice(["T", " ", "t", "\u00e9", "x"])
    time = rng.choice(["%02d" % h, "%02d:%02d" % (h, mi), "%02d:%02d:%02d" % (h, mi, s), "%02d%02d%02d" % (h, mi, s),
                       "%02d:%02d:%02d.%s" % (h, mi, s, "".join(rng.choice("0123456789")
                                                                for _ in range(rng.randint(1, 9)))),
                       "%02d:%02d:%02d,5" % (h, mi, s)])
    tz = rng.choice(["", "Z", "+00:00", "-05:00", "+05:30", "+0530", "+05", "-23:59:59.999999", "+24:00", "+5",
                     " +00:00", ".+01:00"])
    bad = rng.choice(["", "", "", "", "", " ", "x", "Z"])
    return date + sep + time + tz + bad


def defective_record(rng):
    rec = proof_record(rng)
    c = rec["claim"]
    if rng.random() < 0.2:
        c["statement"] = rng.choice(BLANKS)
    if rng.random() < 0.1:
        c["h0"] = rng.choice(BLANKS)
    if rng.random() < 0.1:
        c["h1"] = rng.choice(BLANKS)
    if rng.random() < 0.1:
        rec["preregistration"]["config_hash"] = rng.choice(["", " "])
    if rng.random() < 0.1:
        rec["preregistration"]["data_hash"] = ""
    if rng.random() < 0.6:
        rec["preregistration"]["preregistered_at"] = iso_form(rng)
        rec["identity"]["created_at"] = iso_form(rng) if rng.random() < 0.5 else timestamp(rng)
    if rng.random() < 0.1:
        rec["data"]["datasets"] = []
    for ds in rec["data"]["datasets"]:
        if rng.random() < 0.1:
            ds["content_hash"] = ""
        if rng.random() < 0.1:
            ds["n_records"] = rng.choice([0, -1, -10 ** 30])
    if rng.random() < 0.1:
        rec["data"]["substrate_git_commit"] = ""
    if rng.random() < 0.1:
        rec["evidence"] = []
    for e in rec["evidence"]:
        if rng.random() < 0.1:
            e[rng.choice(["library", "library_version"])] = ""
    v = rec["verdict"]
    if rng.random() < 0.3:
        v["outcome"] = rng.choice(["VALIDATED", "REFUTED", "INCONCLUSIVE"])
    if rng.random() < 0.1:
        v["observed_value"] = v["threshold"]["value"]  # on the boundary
    if rng.random() < 0.1:
        v["observed_value"] = rng.randint(-3, 3)  # an int: Python's float() of it
    if rng.random() < 0.1:
        rec["reproduction"]["command"] = rng.choice(BLANKS)
    if rng.random() < 0.1:
        rec["reproduction"]["environment"] = {}
    if rng.random() < 0.1:
        rec["identity"]["ophamin_version"] = ""
    return rec


def check_validate(rng, n):
    key = rng.randbytes(24)
    b64 = base64.b64encode(key).decode()
    for i in range(n):
        rec = defective_record(rng)
        want = validate_codes(rec)
        text = json.dumps(python_signed(rec, key), ensure_ascii=rng.random() < 0.5).encode()
        rc, out = run("report", "--key", b64, write_tmp(text))
        if not check(rc == 0, "[c%d] driver report exit %d" % (i, rc), out):
            continue
        rep = json.loads(out)
        got = {c["code"] for c in rep["checks"] if not c["ok"]}
        check(rep["kind"] == "proof_record", "[c%d] kind %s" % (i, rep["kind"]))
        check(got == want, "[c%d] reason codes" % i,
              "prova  %s\npython %s\npre %r created %r" % (sorted(got), sorted(want),
                                                          rec["preregistration"]["preregistered_at"],
                                                          rec["identity"]["created_at"]))
        check(rep["valid"] == (not want), "[c%d] valid" % i)


# ---- d. fromisoformat ----------------------------------------------------------------------------------------------

def py_iso(s):
    try:
        d = datetime.datetime.fromisoformat(s)
    except (ValueError, TypeError):
        return "invalid"
    delta = d.replace(tzinfo=None) - datetime.datetime(1, 1, 1)
    if d.tzinfo is not None:
        delta -= d.utcoffset()
    us = delta // datetime.timedelta(microseconds=1)
    return (us, "aware" if d.tzinfo is not None else "naive")


def check_isoformat(rng, n):
    forms = [iso_form(rng) for _ in range(n)]
    forms += ["2026-01-01T10:00:00.123456abc+00:00", "2026-01-01T10:00:00abc+00:00", "2026-W53", "2020-W53-7",
              "9999-W52-7", "0001-01-01", "2026-01-0110:00", "2026-01-01T", "2026-01-01TZ", "2026W011", "202601",
              "2026-01-01T10:00:00+05:75", "2026-01-01T10:60", "2026-01-01T10:00:00:00", "2026-01-01T1000.5"]
    offset = None
    for k in range(0, len(forms), 200):
        chunk = forms[k:k + 200]
        rc, out = run("iso", *chunk)
        lines = out.decode().splitlines()
        if not check(rc == 0 and len(lines) == len(chunk), "[d] driver iso"):
            continue
        for s, line in zip(chunk, lines):
            want = py_iso(s)
            if want == "invalid" or line == "invalid":
                check(line == want, "[d] fromisoformat(%r)" % s, "prova %s, python %s" % (line, want))
                continue
            us, kind = line.split()
            # prova counts days from another origin: compare differences through the first valid form
            if offset is None:
                offset = int(us) - want[0]
            check(int(us) - offset == want[0] and kind == want[1], "[d] fromisoformat(%r)" % s,
                  "prova %s, python %r" % (line, want))


# ---- e. sign_key_b64 --------------------------------------------------------------------------------------------------

def check_b64(rng, n):
    alphabet = "ABCDEFabcdef0123456789+/===="
    cases = ["", "==", "=", "QQ==", "QR==", "QUJD=", "QUJD==", "QUI=", "QUI==", "QQ", " QQ==", "QQ==\n", "QQ=a",
             "Q-_A", base64.b64encode(DEFAULT_KEY).decode()]
    for _ in range(n):
        cases.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
    for j, s in enumerate(cases):
        try:
            key = base64.b64decode(s, validate=True) if s else DEFAULT_KEY
        except ValueError:
            key = None
        if key is None:
            path = write_tmp(b"{}")
            rc, out = run("impl", s, SERVER_VERSION, path)
            check(rc == 2 and b"proof_key_b64_invalid" in out, "[e] %r is rejected by Python" % s, out)
            continue
        rec = {"signature": hmac.new(key, b"{}", hashlib.sha256).hexdigest()}
        path = write_tmp(json.dumps(rec).encode())
        rc, out = run("impl", s if s else "-", SERVER_VERSION, path)
        check(rc == 0 and out.startswith(b'{"verified":true,'), "[e] %r decodes to %r" % (s, key), out)


def main():
    global DRIVER, TMP
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver")
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20260101)
    a = ap.parse_args()
    DRIVER = find_driver(a.driver)
    if not DRIVER:
        print("proof_driver not found (use --driver or PROVA_PROOF_DRIVER)")
        return 2
    rng = random.Random(a.seed)
    print("seed %d, driver %s, %d records" % (a.seed, DRIVER, a.records), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        TMP = tmp
        check_prova_signs(rng, a.records)
        print("a. prova signs: %d passed, %d failed" % (tally.passed, tally.failed), flush=True)
        check_python_signs(rng, a.records // 2)
        print("b. Python signs: %d passed, %d failed" % (tally.passed, tally.failed), flush=True)
        check_validate(rng, a.records)
        print("c. validate(): %d passed, %d failed" % (tally.passed, tally.failed), flush=True)
        if sys.version_info >= (3, 11):
            check_isoformat(rng, 3000)
            print("d. fromisoformat: %d passed, %d failed" % (tally.passed, tally.failed), flush=True)
        else:
            print("d. skipped: datetime.fromisoformat before Python 3.11 reads fewer forms")
        if sys.version_info[:2] == (3, 11):
            check_b64(rng, 2000)
            print("e. sign_key_b64: %d passed, %d failed" % (tally.passed, tally.failed), flush=True)
        else:
            print("e. skipped: base64's strict mode is CPython 3.11's reference behaviour")
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
