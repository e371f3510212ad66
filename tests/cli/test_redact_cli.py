#!/usr/bin/python3
"""Selective redaction (docs/redaction.md) against an independent Python implementation.

The Python side is written from RFC 9901 (disclosures, digests, the verification procedure) and docs/redaction.md only (no code shared with prova):
  disclosure = b64url-no-pad(JSON [salt, name, value] | [salt, value])     (any JSON spelling)
  digest     = b64url-no-pad(SHA-256(ASCII of the disclosure))
  committed  = object members in "_sd" (sorted digests), array elements as {"...": digest}, "_sd_alg" on top
  envelope   = OPE v1 (prova dialect) over the committed payload + an unsigned "disclosures" array
  canonical  = json.dumps(sort_keys, separators=(",", ":"), ensure_ascii=False)  (OPE profile)
  signature  = Ed25519 over "{cid}|{trace_id}|{ts}" (python3-cryptography)

Checks: (a) Python builds redactable envelopes that prova verifies, reveals and redacts; (b) Python verifies
prova's redactable envelopes (cid, signature, every disclosure) and reconstructs the same disclosed payload as
`prova redact --reveal`; round trips through `prova redact`; tampering (changed value, swapped salt, a disclosure
from another envelope, a removed digest); every reason code; a plain OPE verification of the committed envelope;
receipts and bundles of redactable envelopes.
Run: /usr/bin/python3 tests/cli/test_redact_cli.py PROVA_BINARY
"""
import base64
import copy
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PROVA = sys.argv[1]
TS = "2026-01-02T03:04:05.000000+00:00"
NOW = "2026-01-02T03:05:00+00:00"
failures = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def canon(v, ascii_only=False):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only).encode()


def cid(v, ascii_only=False):
    return "sha256:" + hashlib.sha256(canon(v, ascii_only)).hexdigest()


def digest(disclosure):
    return b64u(hashlib.sha256(disclosure.encode("ascii")).digest())


def make_disclosure(parts, spaced=False):
    text = json.dumps(parts) if spaced else json.dumps(parts, separators=(",", ":"), ensure_ascii=False)
    return b64u(text.encode())


# ---- The independent implementation ------------------------------------------------------------------------


def commit(v, out, top=False, keep=(), spaced=False):
    """The committed form of v; disclosures appended to out. Members named in keep stay in the clear."""
    if isinstance(v, dict):
        res, sd = {}, []
        for k, x in v.items():
            cx = commit(x, out, spaced=spaced)
            if k in keep:
                res[k] = cx
                continue
            d = make_disclosure([b64u(secrets.token_bytes(16)), k, cx], spaced)
            out.append(d)
            sd.append(digest(d))
        if sd:
            res["_sd"] = sorted(sd)
        if top:
            res["_sd_alg"] = "sha-256"
        return res
    if isinstance(v, list):
        res = []
        for x in v:
            d = make_disclosure([b64u(secrets.token_bytes(16)), commit(x, out, spaced=spaced)], spaced)
            out.append(d)
            res.append({"...": digest(d)})
        return res
    return v


class Invalid(Exception):
    pass


def reveal(payload, disclosures):
    """RFC 9901's processing of disclosures: the disclosed payload and the pointers of what is withheld."""
    by_digest = {}
    for d in disclosures:
        if digest(d) in by_digest:
            raise Invalid("disclosure_duplicate")
        parts = json.loads(b64u_dec(d))
        if not isinstance(parts, list) or len(parts) not in (2, 3) or not isinstance(parts[0], str):
            raise Invalid("disclosure_malformed")
        by_digest[digest(d)] = parts
    used, seen, withheld = set(), set(), []

    def esc(k):
        return k.replace("~", "~0").replace("/", "~1")

    def walk(v, path):
        if isinstance(v, dict):
            res, n = {}, 0
            for k, x in v.items():
                if k not in ("_sd", "_sd_alg"):
                    res[k] = walk(x, path + "/" + esc(k))
            for dg in v.get("_sd", []):
                if dg in seen:
                    raise Invalid("digest_duplicate")
                seen.add(dg)
                p = by_digest.get(dg)
                if p is None:
                    n += 1
                    continue
                used.add(dg)
                if len(p) != 3:
                    raise Invalid("disclosure_wrong_place")
                if p[1] in res:
                    raise Invalid("disclosure_name_conflict")
                res[p[1]] = walk(p[2], path + "/" + esc(p[1]))
            if n:
                withheld.append(path)
            return res
        if isinstance(v, list):
            res = []
            for i, x in enumerate(v):
                if isinstance(x, dict) and list(x) == ["..."]:
                    dg = x["..."]
                    if dg in seen:
                        raise Invalid("digest_duplicate")
                    seen.add(dg)
                    p = by_digest.get(dg)
                    if p is None:
                        withheld.append("%s/%d" % (path, i))
                        continue
                    used.add(dg)
                    if len(p) != 2:
                        raise Invalid("disclosure_wrong_place")
                    res.append(walk(p[1], "%s/%d" % (path, i)))
                else:
                    res.append(walk(x, "%s/%d" % (path, i)))
            return res
        return v

    out = walk(payload, "/payload")
    if set(by_digest) - used:
        raise Invalid("disclosure_not_committed")
    return out, sorted(withheld)


def sign_envelope(sk, kid, payload, trace_id="0b0c6d0e-1111-4222-8333-444455556666"):
    c = cid(payload)
    sig = b64u(sk.sign(("%s|%s|%s" % (c, trace_id, TS)).encode()))
    return {"version": 1, "sig_alg": "ed25519", "kid": kid, "payload": payload, "payload_type": "t.v1",
            "target_type": "u.v1", "cid": c, "trace_id": trace_id, "ts": TS, "sig": sig}


def py_verify(env, pk):
    """A plain OPE check (cid + signature), then the disclosures."""
    if env["cid"] != cid(env["payload"]):
        raise Invalid("cid_mismatch")
    pk.verify(b64u_dec(env["sig"]), ("%s|%s|%s" % (env["cid"], env["trace_id"], env["ts"])).encode())
    return reveal(env["payload"], env.get("disclosures", []))


# ---- Driving prova -------------------------------------------------------------------------------------------

tmp = tempfile.mkdtemp(prefix="redact_")


def path(name):
    return os.path.join(tmp, name)


def write(name, obj):
    with open(path(name), "w") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))
    return path(name)


def prova(*args, stdin=None):
    p = subprocess.run([PROVA, *args], capture_output=True, text=True, input=stdin)
    return p.returncode, p.stdout, p.stderr


def verify(env_or_file, jwks):
    f = env_or_file if isinstance(env_or_file, str) else write("v.json", env_or_file)
    rc, out, err = prova("verify", "--json", "--jwks", jwks, "--now", NOW, f)
    return rc, json.loads(out)


def failed_codes(rep):
    return [c["code"] for c in rep["checks"] if not c["ok"]]


def redacted_ats(rep):
    return sorted(w["at"] for w in rep.get("warnings", []) if w["code"] == "redacted")


# Keys: prova's (keygen) and Python's.
rc, _, err = prova("keygen", "--kid", "prova-1", "--out", path("k.jwk"), "--force")
assert rc == 0, err
jwk = json.load(open(path("k.jwk")))
prova_sk = Ed25519PrivateKey.from_private_bytes(b64u_dec(jwk["d"]))
prova_pk = prova_sk.public_key()
py_sk = Ed25519PrivateKey.generate()
py_x = b64u(py_sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
jwks = write("jwks.json", {"keys": [
    {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": "prova-1"},
    {"kty": "OKP", "crv": "Ed25519", "x": py_x, "kid": "py-1"}]})

PAYLOAD = {"name": "Ada Lovelace", "email": "ada@example.com", "né": "Zürich ✓ 𝄞",
           "address": {"street": "12 Analytical Way", "city": "London", "geo": {"lat": 51.5, "lon": -0.12}},
           "items": [{"sku": "A-1", "qty": 2}, "gift", 3, [True, None]], "big": 123456789012345678901234567890,
           "a/b~c": "escaped name", "empty": {}, "none": []}

# A known answer from the SD-JWT specification's examples (draft 07 onwards, as RFC 9901): the disclosure of
# ["6Ij7tM-a5iVPGboS5tmvVA", "email", "johndoe@example.com"], spelled with spaces, has this digest.
KAT_DISCLOSURE = "WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgImVtYWlsIiwgImpvaG5kb2VAZXhhbXBsZS5jb20iXQ"
KAT_DIGEST = "JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE"
check(digest(KAT_DISCLOSURE) == KAT_DIGEST, "python's digest of the specification's example")
kat = sign_envelope(py_sk, "py-1", {"_sd": [KAT_DIGEST], "_sd_alg": "sha-256"})
kat["disclosures"] = [KAT_DISCLOSURE]
rc, rep = verify(kat, jwks)
check(rc == 0 and rep["valid"], "prova verifies the specification's example disclosure: %r" % failed_codes(rep))
rc, out, err = prova("redact", "--reveal", write("kat.json", kat))
check(rc == 0 and json.loads(out) == {"email": "johndoe@example.com"}, "prova reveals the example: %s" % out)

# (b) prova -> Python: pack, Python verifies and reconstructs.
pf = write("payload.json", PAYLOAD)
rc, out, err = prova("pack", "--redactable", "--key", path("k.jwk"), "--payload-type", "t.v1", "--target-type",
                     "u.v1", "--ts", TS, pf)
check(rc == 0, "pack --redactable: %s" % err)
env = json.loads(out)
env_file = write("env.json", out)
check("_sd" in env["payload"] and env["payload"]["_sd_alg"] == "sha-256", "committed payload has _sd and _sd_alg")
check(set(env["payload"]) == {"_sd", "_sd_alg"}, "every top member is redactable")
check(env["payload"]["_sd"] == sorted(env["payload"]["_sd"]), "_sd digests are sorted")
for d in env["disclosures"]:
    salt = json.loads(b64u_dec(d))[0]
    check(len(b64u_dec(salt)) >= 16, "salt has >= 128 bits")
full, withheld = py_verify(env, prova_pk)
check(full == PAYLOAD, "python reconstructs prova's full payload")
check(withheld == [], "nothing withheld at first")
rc, rep = verify(env_file, jwks)
check(rc == 0 and rep["valid"], "prova verifies its redactable envelope")
check("disclosures" in rep["unauthenticated_fields"], "disclosures reported as unsigned")
rc, out, err = prova("redact", "--reveal", env_file)
check(rc == 0 and json.loads(out) == PAYLOAD, "prova --reveal == payload")
check(rc == 0 and out.strip().encode() == canon(PAYLOAD), "prova --reveal is the canonical payload")

# Round trip: withhold several paths.
paths = ["/payload/email", "/payload/address/geo", "/payload/items/1", "/payload/items/0/qty", "/payload/a~1b~0c",
         "/payload/né"]
args = []
for p in paths:
    args += ["--path", p]
rc, out, err = prova("redact", *args, env_file)
check(rc == 0, "redact several paths: %s" % err)
red = json.loads(out)
red_file = write("red.json", out)
check(red["payload"] == env["payload"] and red["sig"] == env["sig"], "redaction changes nothing signed")
disclosed, withheld = py_verify(red, prova_pk)
expect = copy.deepcopy(PAYLOAD)
del expect["email"], expect["address"]["geo"], expect["a/b~c"], expect["né"]
del expect["items"][0]["qty"]
del expect["items"][1]
check(disclosed == expect, "python's disclosed payload after redaction: %r" % disclosed)
check(withheld == sorted(["/payload", "/payload/address", "/payload/items/0", "/payload/items/1"]),
      "python's withheld pointers: %r" % withheld)
rc, rep = verify(red_file, jwks)
check(rc == 0 and rep["valid"], "redacted envelope verifies: %r" % failed_codes(rep))
check(redacted_ats(rep) == withheld, "prova's redacted pointers %r == python's %r" % (redacted_ats(rep), withheld))
rc, out, err = prova("redact", "--reveal", red_file)
check(rc == 0 and json.loads(out) == disclosed, "prova --reveal == python's reconstruction")
# nested disclosures of a withheld member go with it
geo_children = [d for d in env["disclosures"] if json.loads(b64u_dec(d))[1:2] in (["lat"], ["lon"])]
check(len(geo_children) == 2 and not set(geo_children) & set(red["disclosures"]), "nested disclosures dropped")
# redact again: the same path is gone now
rc, out, err = prova("redact", "--path", "/payload/email", red_file)
check(rc == 2 and "redact_path_not_found" in err, "withheld path again: redact_path_not_found")
# a member and one inside it, in either order, or one path twice: the same result
outs = set()
for order in (["/payload/address", "/payload/address/city"], ["/payload/address/city", "/payload/address"],
              ["/payload/address", "/payload/address"]):
    rc, out, err = prova("redact", *sum([["--path", p] for p in order], []), env_file)
    check(rc == 0, "redact %r: %s" % (order, err))
    outs.add(json.dumps(sorted(json.loads(out)["disclosures"])))
check(len(outs) == 1, "path order does not matter")
# withhold everything: still verifies
rc, out, err = prova("redact", *sum([["--path", "/payload/" + k.replace("~", "~0").replace("/", "~1")]
                                     for k in PAYLOAD], []), env_file)
check(rc == 0 and json.loads(out)["disclosures"] == [], "withhold every member: %s" % err)
rc, rep = verify(write("all.json", out), jwks)
check(rc == 0 and rep["valid"] and redacted_ats(rep) == ["/payload"], "all withheld still verifies")

# (a) Python -> prova: some members in the clear, disclosures spelled with spaces and \u escapes.
py_payload = {"order": "o-77", "amount": {"value": "12.50", "currency": "EUR"}, "lines": ["x", {"y": 1}],
              "secret": "ünïcødé"}
discs = []
committed = commit(py_payload, discs, top=True, keep=("order",), spaced=True)
py_env = sign_envelope(py_sk, "py-1", committed)
py_env["disclosures"] = discs
py_file = write("py_env.json", json.dumps(py_env, indent=1))
rc, rep = verify(py_file, jwks)
check(rc == 0 and rep["valid"], "prova verifies python's redactable envelope: %r" % failed_codes(rep))
rc, out, err = prova("redact", "--reveal", py_file)
check(rc == 0 and json.loads(out) == py_payload, "prova reveals python's payload")
rc, out, err = prova("redact", "--path", "/payload/secret", "--path", "/payload/lines/1/y", py_file)
check(rc == 0, "prova redacts python's envelope: %s" % err)
d2, w2 = py_verify(json.loads(out), py_sk.public_key())
check(d2 == {"order": "o-77", "amount": {"value": "12.50", "currency": "EUR"}, "lines": ["x", {}]},
      "python reads prova's redaction of its envelope: %r" % d2)
check(w2 == ["/payload", "/payload/lines/1"], "withheld %r" % w2)
rc, out, err = prova("redact", "--path", "/payload/order", py_file)
check(rc == 2 and "redact_not_redactable" in err, "a member in the clear: redact_not_redactable")

# ---- Tampering --------------------------------------------------------------------------------------------


def tampered(mutate, envelope=None, signer=None):
    e = copy.deepcopy(envelope or env)
    mutate(e)
    if signer:  # re-sign a changed committed payload (an issuer's own mistakes)
        s, kid = signer
        e2 = sign_envelope(s, kid, e["payload"], e["trace_id"])
        e2["disclosures"] = e.get("disclosures", [])
        e = e2
    return verify(e, jwks)


def expect_code(code, mutate, envelope=None, signer=None, what=None):
    rc, rep = tampered(mutate, envelope, signer)
    check(rc == 1 and not rep["valid"] and code in failed_codes(rep),
          "%s: expected %s, got rc %d %r" % (what or code, code, rc, failed_codes(rep)))
    # The independent verifier agrees (when it can tell).
    return rep


def find_disc(e, name):
    for i, d in enumerate(e["disclosures"]):
        p = json.loads(b64u_dec(d))
        if len(p) == 3 and p[1] == name:
            return i, p
    raise KeyError(name)


def change_value(e):
    i, p = find_disc(e, "email")
    e["disclosures"][i] = make_disclosure([p[0], "email", "mallory@example.com"])


def swap_salt(e):
    i, p = find_disc(e, "email")
    j, q = find_disc(e, "name")
    e["disclosures"][i] = make_disclosure([q[0], "email", p[2]])


def foreign(e):
    other = json.loads(prova("pack", "--redactable", "--key", path("k.jwk"), "--payload-type", "t.v1",
                             "--target-type", "u.v1", "--ts", TS, pf)[1])
    i, _ = find_disc(other, "email")
    j, _ = find_disc(e, "email")
    e["disclosures"][j] = other["disclosures"][i]


for what, m in (("changed disclosed value", change_value), ("swapped salt", swap_salt),
                ("disclosure from another envelope", foreign)):
    expect_code("disclosure_not_committed", m, what=what)
    e = copy.deepcopy(env)
    m(e)
    try:
        py_verify(e, prova_pk)
        check(False, "python accepts " + what)
    except Invalid as x:
        check(str(x) == "disclosure_not_committed", "python: %s -> %s" % (what, x))


def removed_digest(e):
    e["payload"]["_sd"] = e["payload"]["_sd"][1:]


rep = expect_code("cid_mismatch", removed_digest, what="removed digest")
check(any(c["check"] == "signature" and not c["ok"] for c in rep["checks"]), "removed digest: signature fails")
expect_code("disclosure_duplicate", lambda e: e["disclosures"].append(e["disclosures"][0]))
rep = expect_code("disclosure_duplicate", lambda e: e["disclosures"].extend([e["disclosures"][0]] * 2),
                  what="a disclosure three times")
check(failed_codes(rep) == ["disclosure_duplicate"] * 2, "three times: two duplicates, %r" % failed_codes(rep))
for what, bad in (("not base64url", "!!!"), ("not JSON", b64u(b"[1,")), ("wrong length", make_disclosure(["s"])),
                  ("salt not a string", make_disclosure([1, "a", 1])), ("name not a string",
                                                                         make_disclosure(["s", 2, 1])),
                  ("reserved name", make_disclosure(["s", "_sd", 1])), ("not a string", 7)):
    expect_code("disclosure_malformed", lambda e, bad=bad: e["disclosures"].append(bad), what=what)
expect_code("disclosure_malformed", lambda e: e.__setitem__("disclosures", {"x": 1}), what="disclosures not array")

# Issuer-side inconsistencies, signed (so only the redaction checks can catch them).
conflict = make_disclosure(["c2FsdHNhbHRzYWx0c2FsdA", "order", "other"])


def add_conflict(e):
    e["payload"]["_sd"] = sorted(e["payload"]["_sd"] + [digest(conflict)])
    e["disclosures"].append(conflict)


expect_code("disclosure_name_conflict", add_conflict, py_env, (py_sk, "py-1"))
twice = [make_disclosure(["c2FsdA", "dup", 1]), make_disclosure(["c2FsdDI", "dup", 2])]


def add_twice(e):
    e["payload"]["_sd"] = sorted(e["payload"]["_sd"] + [digest(d) for d in twice])
    e["disclosures"] += twice


expect_code("disclosure_name_conflict", add_twice, py_env, (py_sk, "py-1"), what="two disclosures, one name")
elem = make_disclosure(["c2FsdA", "element"])


def wrong_place(e):
    e["payload"]["_sd"] = sorted(e["payload"]["_sd"] + [digest(elem)])
    e["disclosures"].append(elem)


expect_code("disclosure_wrong_place", wrong_place, py_env, (py_sk, "py-1"))


def dup_digest(e):
    e["payload"]["_sd"] = sorted(e["payload"]["_sd"] + [e["payload"]["_sd"][0]])


expect_code("digest_duplicate", dup_digest, py_env, (py_sk, "py-1"))
expect_code("sd_alg_unsupported", lambda e: e["payload"].__setitem__("_sd_alg", "sha-512"), py_env,
            (py_sk, "py-1"))
expect_code("sd_malformed", lambda e: e["payload"].__setitem__("_sd", "x"), py_env, (py_sk, "py-1"))
expect_code("sd_malformed", lambda e: e["payload"].__setitem__("plain", [{"...": 5}]), py_env, (py_sk, "py-1"),
            what="array digest not a string")
expect_code("sd_malformed", lambda e: e["payload"].__setitem__("inner", {"_sd_alg": "sha-256"}), py_env,
            (py_sk, "py-1"), what="_sd_alg below the top")

# A chain of nested disclosures deeper than the limit (each part is shallow JSON).
deep_discs, inner = [], {"leaf": 1}
for i in range(140):
    d = make_disclosure([b64u(bytes([i % 256]) * 16), "n", inner])
    deep_discs.append(d)
    inner = {"_sd": [digest(d)]}
deep = sign_envelope(py_sk, "py-1", dict(inner, _sd_alg="sha-256"))
deep["disclosures"] = deep_discs
rc, rep = verify(deep, jwks)
check(rc == 1 and "redaction_depth_limit" in failed_codes(rep), "depth limit: %r" % failed_codes(rep))
many = copy.deepcopy(env)
many["disclosures"] = ["x"] * 10001
rc, rep = verify(many, jwks)
check(rc == 1 and "redaction_limit" in failed_codes(rep), "disclosure count limit: %r" % failed_codes(rep))

# prova redact's own errors.
for p, code in (("/payload", "redact_path_invalid"), ("payload/x", "redact_path_invalid"),
                ("/other/x", "redact_path_invalid"), ("/payload/x~2", "redact_path_invalid"),
                ("/payload/nope", "redact_path_not_found"), ("/payload/items/9", "redact_path_not_found"),
                ("/payload/items/01", "redact_path_not_found"), ("/payload/name/x", "redact_path_not_found")):
    rc, out, err = prova("redact", "--path", p, env_file)
    check(rc == 2 and code in err, "redact --path %s: expected %s, got %d %s" % (p, code, rc, err.strip()))
plain = sign_envelope(py_sk, "py-1", {"a": 1})
rc, out, err = prova("redact", "--path", "/payload/a", write("plain.json", plain))
check(rc == 2 and "not_redactable" in err, "plain envelope: not_redactable (%s)" % err.strip())
bad = copy.deepcopy(env)
change_value(bad)
rc, out, err = prova("redact", "--path", "/payload/name", write("bad.json", bad))
check(rc == 1 and "disclosure_not_committed" in err, "redact refuses a tampered input: %d %s" % (rc, err))
rc, out, err = prova("redact", "--reveal", write("bad.json", bad))
check(rc == 1 and "disclosure_not_committed" in err, "reveal refuses a tampered input")
rc, out, err = prova("pack", "--redactable", "--key", path("k.jwk"), "--payload-type", "t", "--target-type", "u",
                     write("res.json", {"x": {"_sd": 1}}))
check(rc == 2 and "redact_reserved_name" in err, "pack: redact_reserved_name (%s)" % err.strip())
rc, out, err = prova("pack", "--redactable", "--bind", "--key", path("k.jwk"), "--payload-type", "t",
                     "--target-type", "u", pf)
check(rc == 2 and "redact_bind_unsupported" in err, "pack: redact_bind_unsupported")
for dialect in ("ope-lib", "starter"):
    rc, out, err = prova("pack", "--redactable", "--dialect", dialect, "--key", path("k.jwk"), "--payload-type",
                         "t", "--target-type", "u", "--ts", TS, pf)
    check(rc == 0, "pack --redactable --dialect %s" % dialect)
    f = write("d.json", out)
    rc, out, err = prova("redact", "--path", "/payload/email", f)
    rc2, rep = verify(write("d2.json", out), jwks) if rc == 0 else (1, {"checks": []})
    check(rc == 0 and rc2 == 0 and rep["valid"], "%s dialect redacts and verifies: %r" % (dialect, failed_codes(rep)))

# --clear and --decoys: Python reads the result (a decoy is an undisclosed digest like a withheld member's).
rc, out, err = prova("pack", "--redactable", "--clear", "/payload/name", "--clear", "/payload/items/2", "--decoys",
                     "2", "--key", path("k.jwk"), "--payload-type", "t.v1", "--target-type", "u.v1", "--ts", TS, pf)
check(rc == 0, "pack --clear --decoys: %s" % err)
ce = json.loads(out)
check(ce["payload"].get("name") == "Ada Lovelace" and find_disc(ce, "items")[1][2][2] == 3,
      "clear members stay plain")
check(len(ce["payload"]["_sd"]) == len(PAYLOAD) - 1 + 2, "top _sd: members but the clear one, plus 2 decoys")
d3, w3 = py_verify(ce, prova_pk)
check(d3 == PAYLOAD, "python reconstructs the payload of a --clear --decoys envelope")
check(w3 == ["/payload", "/payload/address", "/payload/address/geo", "/payload/empty", "/payload/items/0"],
      "decoys in every object: %r" % w3)
rc, rep = verify(write("ce.json", ce), jwks)
check(rc == 0 and rep["valid"] and redacted_ats(rep) == w3, "prova: decoys reported as undisclosed digests")
rc, out, err = prova("redact", "--path", "/payload/name", write("ce.json", ce))
check(rc == 2 and "redact_not_redactable" in err, "a --clear member cannot be withheld")
for extra, code in ((["--clear", "/payload/nope"], "redact_path_not_found"), (["--clear", "/x"], "redact_path_invalid"),
                    (["--decoys", "17"], "0..16"), (["--decoys", "x"], "0..16")):
    rc, out, err = prova("pack", "--redactable", *extra, "--key", path("k.jwk"), "--payload-type", "t",
                         "--target-type", "u", pf)
    check(rc == 2 and code in err, "pack %s: %s (%s)" % (extra, code, err.strip()))
rc, out, err = prova("pack", "--decoys", "1", "--key", path("k.jwk"), "--payload-type", "t", "--target-type", "u", pf)
check(rc == 2 and "need --redactable" in err, "--decoys without --redactable")

# ---- A plain OPE verification still accepts the committed envelope ---------------------------------------
bare = {k: v for k, v in red.items() if k != "disclosures"}
try:
    py_verify(bare, prova_pk)
    check(True, "")
except Exception as x:  # noqa: BLE001
    check(False, "python plain OPE check of the committed envelope: %r" % x)
rc, rep = verify(bare, jwks)
check(rc == 0 and rep["valid"], "prova verifies the committed envelope without disclosures")

# The TypeScript package (bindings/js, plain OPE: it knows nothing of redaction) accepts the redacted envelope too,
# when its build is there (the meson test `js` builds it; PROVA_JS_DIST names another build).
dist = os.environ.get("PROVA_JS_DIST") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                       "bindings", "js", "dist", "index.js")
if os.path.exists(dist) and subprocess.run(["node", "--version"], capture_output=True).returncode == 0:
    script = ("const [d, f, j, now] = process.argv.slice(1); const m = await import(d);"
              "const fs = await import('node:fs');"
              "const r = await m.verify(fs.readFileSync(f, 'utf8'), {jwks: fs.readFileSync(j, 'utf8'), now});"
              "console.log(JSON.stringify(r.toJSON()));")
    p = subprocess.run(["node", "--input-type=module", "-e", script, os.path.abspath(dist), red_file, jwks, NOW],
                       capture_output=True, text=True)
    js = json.loads(p.stdout) if p.returncode == 0 else {}
    check(js.get("valid") is True, "TypeScript OPE verifier accepts the redacted envelope: %s" % p.stderr[-300:])
else:
    print("skipped: the TypeScript package is not built (%s)" % dist)

# ---- Receipts and bundles ------------------------------------------------------------------------------------
chain = path("chain.jsonl")
rc, out, err = prova("receipt", "append", "--key", path("k.jwk"), "--chain", chain, "--sender-jwks", jwks,
                     "--ts", TS, "--now", NOW, env_file)
check(rc == 0, "receipt append of a redactable envelope: %s" % err)
receipt = json.loads(out)
check(receipt["request_cid"] == cid(red["payload"], ascii_only=True),
      "the receipt's request_cid is the redacted envelope's committed payload cid")
rc, out, err = prova("receipt", "append", "--key", path("k.jwk"), "--chain", chain, "--sender-jwks", jwks,
                     "--ts", TS, "--now", NOW, write("red2.json", json.loads(open(red_file).read())))
check(rc == 0, "receipt append of the redacted envelope: %s" % err)
check(json.loads(out)["request_cid"] == receipt["request_cid"], "same request_cid before and after redaction")
rc, out, err = prova("bundle", "--key", path("k.jwk"), "--chain", chain, "--trace-id", env["trace_id"],
                     "--exported-at", TS)
check(rc == 0, "bundle: %s" % err)
rc, rep = verify(write("bundle.json", out), jwks)
check(rc == 0 and rep["valid"], "bundle of redactable envelopes verifies")

# The gateway (prova serve): it receipts the committed payload; the export bundle verifies; a redacted copy of the
# same envelope is a replay (same signature); /v1/verify runs the redaction checks.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from gwtest import Gateway, first_token, request  # noqa: E402

data = path("gw")
os.makedirs(data)
with open(os.path.join(data, "senders.jwks"), "w") as f:
    f.write(open(jwks).read())
rc, out, err = prova("pack", "--redactable", "--key", path("k.jwk"), "--payload-type", "t.v1", "--target-type",
                     "u.v1", pf)  # ts now: the gateway checks freshness
fresh = json.loads(out)
rc, out, err = prova("redact", "--path", "/payload/email", "--path", "/payload/address", write("fresh.json", fresh))
fresh_red = out.encode()
gw = Gateway(PROVA, data, path("gw.log"), ["--sft-passthrough"])  # t.v1 -> u.v1 is no registered pair
try:
    check(gw.up, "prova serve started")
    if gw.up:
        tok = first_token(data)
        st, _, body = request("POST", gw.base + "/v1/odin/envelope", json.dumps(fresh).encode(), token=tok)
        check(st == 200, "gateway accepts a redactable envelope: %d %s" % (st, body[:200]))
        resp = json.loads(body)
        check(resp["receipt"]["request_cid"] == cid(fresh["payload"], ascii_only=True),
              "gateway receipt: request_cid of the committed payload")
        check(resp["receipt"]["request_cid"] == cid(json.loads(fresh_red)["payload"], ascii_only=True),
              "the redacted copy has the receipted cid")
        st, _, body = request("POST", gw.base + "/v1/odin/envelope", fresh_red, token=tok)
        check(st == 409 and b"replay" in body, "a redacted copy is a replay: %d %s" % (st, body[:120]))
        st, _, body = request("GET", gw.base + "/v1/receipts/export/" + fresh["trace_id"], token=tok)
        check(st == 200, "export bundle")
        _, _, gwjwks = request("GET", gw.base + "/.well-known/jwks.json")
        gj = write("gw.jwks", gwjwks.decode())
        rc, out, err = prova("verify", "--json", "--jwks", gj, write("gwbundle.json", body.decode()))
        check(rc == 0 and json.loads(out)["valid"], "the gateway's bundle verifies")
        st, _, body = request("POST", gw.base + "/v1/verify", fresh_red, token=tok)
        rep = json.loads(body) if st == 200 else {"checks": [], "warnings": []}
        check(rep.get("valid") is True and any(c["check"] == "redaction" and c["ok"] for c in rep["checks"]) and
              redacted_ats(rep) == ["/payload"], "/v1/verify runs the redaction checks: %s" % body[:300])
        bad = json.loads(fresh_red)
        bad["disclosures"].append(make_disclosure(["c2FsdA", "x", 1]))
        st, _, body = request("POST", gw.base + "/v1/verify", json.dumps(bad).encode(), token=tok)
        check(st == 200 and "disclosure_not_committed" in failed_codes(json.loads(body)),
              "/v1/verify catches a foreign disclosure: %s" % body[:300])
finally:
    gw.stop()

print("%d passed, %d failed" % (passed, len(failures)))
sys.exit(1 if failures else 0)
