#!/usr/bin/python3
"""Differential test: prova's OpenExecution v2 (event hash, chain hash, certificates, offline bundles) against an
independent Python implementation written from shared/reference/openexecution.md §2-§3 (hashlib, json and the
Debian python3-cryptography; it shares no code with prova nor with the JS model tests/diff/oe_sdk.js).

Canonical form. Python's
    json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
equals the JCS that the OpenExecution JS SDK computes ONLY on a restricted set of inputs, and every input this
script generates or accepts is inside it:
  - numbers are integers with |n| <= 2**53 (no floats at all: Python's float repr differs from ECMAScript's, e.g.
    1e21 / 1e+21, 1e-07 / 1e-7, and integers beyond 2**53 would be rounded by a JS parser);
  - object keys are ASCII or BMP characters (sort_keys orders by code point, JS by UTF-16 code unit; the two agree
    on the BMP; astral characters are used in string VALUES only, where both write raw UTF-8);
  - no lone surrogates (Python cannot encode them to UTF-8);
  - control characters, U+007F and U+2028/9 are allowed: with ensure_ascii=False Python escapes exactly what
    JSON.stringify escapes (\\b\\f\\n\\r\\t, other C0 as lowercase \\u00xx) and writes the rest raw.

Checks:
  a. prova -> Python, for every signature algorithm (ed25519, ed448, ecdsa-p256/p384/p521) times every hash
     algorithm (sha256, sha384, sha512, sha3-256, sha3-384, sha3-512): `prova keygen`, `prova oe append` x3,
     `prova oe resolve`, `prova oe certify`; Python recomputes every event hash (and prev_hash linkage), the
     chain hash, the certificate event summaries, and verifies the signature with the public key from the JWK
     file (EdDSA signatures must be byte-identical to Python's).
  b. Python -> prova: keys from cryptography, events / chain hash / certificate_data / signature built in Python,
     bundles written with Python's default json.dumps (spaces, ASCII escapes); public key as PEM and hex DER SPKI.
     `prova verify --json` must exit 0 with "valid": true; copies with one change (payload, signature,
     chain_hash) must exit 1 with "valid": false.
  c. `prova oe hash-event --hash-alg H` (stdin) against Python for 1,000 random events across the six algorithms:
     created_at with random offsets and fractions ("2026-03-20T19:00:00.123456+09:00", "2026-03-20 10:00:00+00",
     ".9999Z" truncated not rounded), actor_id absent / null / "" / a string.

Reproducible (fixed seed). Prints the first failures in detail and "oe_cross.py: N checks ok" (or
"N passed, M failed") last; exits 1 on any failure.
Run: /usr/bin/python3 tests/diff/oe_cross.py PROVA_BINARY [--events N] [--seed S] [--keep]
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

# ---- bookkeeping -----------------------------------------------------------------------------------------------

import tally  # noqa: E402  (check() and the counts)
from tally import check  # noqa: E402


PROVA = None
TMP = None


def prova(args, stdin=None):
    r = subprocess.run([PROVA] + args, input=stdin if stdin is not None else b"", stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=TMP)
    return r


def describe(r, args):
    return "prova %s\nexit %d\nstderr: %s\nstdout: %s" % (
        " ".join(args), r.returncode, r.stderr.decode("utf-8", "replace").strip(),
        r.stdout[:400].decode("utf-8", "replace"))


# ---- the reference rules ---------------------------------------------------------------------------------------

HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512,
          "sha3-256": hashlib.sha3_256, "sha3-384": hashlib.sha3_384, "sha3-512": hashlib.sha3_512}
HASH_ALGS = list(HASHES)
SIG_ALGS = ["ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"]
EC = {"ecdsa-p256": (ec.SECP256R1, hashes.SHA256, "P-256"), "ecdsa-p384": (ec.SECP384R1, hashes.SHA384, "P-384"),
      "ecdsa-p521": (ec.SECP521R1, hashes.SHA512, "P-521")}


def canon(x):
    """JCS on the restricted inputs described in the module docstring."""
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def H(alg, data):
    return HASHES[alg](data).hexdigest()


def genesis(alg):
    return "0" * (2 * HASHES[alg]().digest_size)


TS_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)([Tt ])(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d)(?::(\d\d))?)$")


def js_timestamp(s):
    """new Date(s).toISOString() for the forms generated here: UTC, milliseconds truncated (not rounded)."""
    m = TS_RE.match(s)
    if not m:
        raise ValueError("unsupported timestamp " + s)
    y, mo, d, _sep, hh, mi, ss, frac, z, sign, oh, om = m.groups()
    ms = int((frac or "").ljust(3, "0")[:3])
    t = datetime.datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss), ms * 1000,
                          tzinfo=datetime.timezone.utc)
    if not z:
        off = datetime.timedelta(hours=int(oh), minutes=int(om or 0))
        t = t - off if sign == "+" else t + off
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def event_input(ev):
    """The hash input of §2.1; members the event lacks are left out (JS drops undefined)."""
    x = {"seq": ev.get("seq"), "event_type": ev.get("event_type"), "actor_id": ev.get("actor_id") or "system",
         "timestamp": js_timestamp(ev["created_at"])}
    for k in ("seq", "event_type"):
        if k not in ev:
            del x[k]
    if "payload" in ev:
        x["payload"] = ev["payload"]
    if "prev_hash" in ev:
        x["prev_hash"] = ev["prev_hash"]
    return x


def event_hash(ev, alg):
    return H(alg, canon(event_input(ev)))


def chain_hash(hashes_, alg):
    return H(alg, "".join(hashes_).encode("ascii"))


# ---- keys and signatures ---------------------------------------------------------------------------------------

def b64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def keys_from_jwk(jwk):
    """(private, public) from a private JWK, by hand (OKP / EC)."""
    if jwk.get("kty") == "OKP":
        cls = {"Ed25519": ed25519.Ed25519PrivateKey, "Ed448": ed448.Ed448PrivateKey}[jwk["crv"]]
        priv = cls.from_private_bytes(b64u(jwk["d"]))
        pub = priv.public_key()
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if raw != b64u(jwk["x"]):
            raise ValueError("JWK x is not the public key of d")
        return priv, pub
    if jwk.get("kty") == "EC":
        curve = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}[jwk["crv"]]()
        x, y, d = (int.from_bytes(b64u(jwk[k]), "big") for k in ("x", "y", "d"))
        priv = ec.EllipticCurvePrivateNumbers(d, ec.EllipticCurvePublicNumbers(x, y, curve)).private_key()
        return priv, priv.public_key()
    raise ValueError("unknown JWK kty %r" % jwk.get("kty"))


def gen_key(alg):
    if alg == "ed25519":
        priv = ed25519.Ed25519PrivateKey.generate()
    elif alg == "ed448":
        priv = ed448.Ed448PrivateKey.generate()
    else:
        priv = ec.generate_private_key(EC[alg][0]())
    return priv, priv.public_key()


def sign(priv, alg, msg):
    if alg in EC:
        return priv.sign(msg, ec.ECDSA(EC[alg][1]())).hex()  # DER ECDSA-Sig-Value
    return priv.sign(msg).hex()


def verify(pub, alg, msg, sig_hex):
    try:
        sig = bytes.fromhex(sig_hex)
        if alg in EC:
            pub.verify(sig, msg, ec.ECDSA(EC[alg][1]()))
        else:
            pub.verify(sig, msg)
        return True
    except (InvalidSignature, ValueError):
        return False


def spki_der(pub):
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_bundle_key(s):
    if "-----BEGIN" in s:
        return serialization.load_pem_public_key(s.encode())
    return serialization.load_der_public_key(bytes.fromhex(s))


# ---- random data inside the restricted domain ------------------------------------------------------------------

ASCII = "abcxyzABC019 _-./:\"\\'"
BMP = "éüßñ日本語中文Ωπ€—…ŁĦĲ\u00a0\u200b\ue000\uffff\u2028\u2029"
ASTRAL = "😀🎉𝄞🀄"
CTRL = "\n\t\r\b\f\u0001\u001f\u007f"


def rand_text(rng, keys=False, maxlen=10):
    pool = ASCII * 3 + BMP + ("" if keys else ASTRAL + CTRL)
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, maxlen)))


def rand_int(rng):
    return rng.choice([0, 1, -1, 42, rng.randint(-1000, 1000), rng.randint(-2 ** 53, 2 ** 53), 2 ** 53, -2 ** 53,
                       rng.randint(0, 2 ** 31)])


def rand_value(rng, depth=0):
    r = rng.random()
    if depth >= 3 or r < 0.45:
        return rng.choice([lambda: rand_int(rng), lambda: rand_text(rng), lambda: True, lambda: False,
                           lambda: None])()
    if r < 0.7:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rand_text(rng, keys=True, maxlen=6): rand_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def rand_payload(rng):
    return {rand_text(rng, keys=True, maxlen=8): rand_value(rng) for _ in range(rng.randint(0, 6))}


def rand_created_at(rng):
    """A random instant in one of the spellings a JS Date parses as written (checked against V8)."""
    y = rng.randint(1971, 2098)
    base = "%04d-%02d-%02d" % (y, rng.randint(1, 12), rng.randint(1, 28))
    clock = "%02d:%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    frac = rng.choice(["", "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 9))), ".9999",
                       ".123456", ".000", ".999999999"])
    oh, om = rng.randint(0, 14), rng.choice([0, 0, 15, 30, 45])
    if oh == 14:
        om = 0
    sign_ = rng.choice("+-")
    form = rng.randint(0, 4)
    if form == 0:
        return base + "T" + clock + frac + "Z"
    if form == 1:
        return base + "T" + clock + frac + "%s%02d:%02d" % (sign_, oh, om)
    if form == 2:
        return base + " " + clock + frac + "%s%02d" % (sign_, oh)  # the Postgres text form
    if form == 3:
        return base + " " + clock + frac + "%s%02d:%02d" % (sign_, oh, om)
    return base + " " + clock + frac + "+00"


def rand_event(rng, alg):
    ev = {"seq": rng.choice([1, 2, 3, rng.randint(1, 10 ** 6)]),
          "event_type": rng.choice(["code_pushed", "pr_opened", "tool_completed", "événement", rand_text(rng, maxlen=20)]),
          "created_at": rng.choice([rand_created_at(rng), "2026-03-20T19:00:00.123456+09:00", "2026-03-20 10:00:00+00",
                                    "2026-03-20T10:00:00.9999Z"]),
          "payload": rand_payload(rng),
          "prev_hash": rng.choice([genesis(alg), "%0*x" % (len(genesis(alg)), rng.getrandbits(4 * len(genesis(alg))))])}
    a = rng.randint(0, 4)
    if a == 0:
        ev["actor_id"] = None
    elif a == 1:
        ev["actor_id"] = ""
    elif a == 2:
        ev["actor_id"] = rand_text(rng, maxlen=16) or "x"
    elif a == 3:
        ev["actor_id"] = "system"
    # a == 4: no actor_id member
    if rng.random() < 0.3:  # members that are not hashed
        ev.update({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "sentiment": "neutral",
                   "event_hash": "ab" * 32, "actor_type": "human"})
    return ev


# ---- a. prova issues, Python verifies --------------------------------------------------------------------------

def section_a(rng):
    n = 0
    for sig_alg in SIG_ALGS:
        for hash_alg in HASH_ALGS:
            n += 1
            tag = "a[%s/%s]" % (sig_alg, hash_alg)
            d = os.path.join(TMP, "a%d" % n)
            os.mkdir(d)
            kf = os.path.join(d, "k.jwk")
            args = ["keygen", "--alg", sig_alg, "--out", kf]
            r = prova(args)
            if not check(r.returncode == 0, tag + " keygen", describe(r, args)):
                continue
            priv, pub = keys_from_jwk(json.load(open(kf)))
            cf = os.path.join(d, "c.json")
            specs = []
            for i in range(3):
                p = rand_payload(rng)
                actor = rng.choice([None, "octocat", "Jürgen", "bot-%d" % i])
                # increasing instants in three spellings (RFC 3339 Z, the Postgres form, a negative offset)
                mm = rng.randint(0, 29)
                created = ["2026-03-20T10:%02d:00.%03dZ" % (mm, rng.randint(0, 999)),
                           "2026-03-20 20:%02d:00.123456+09" % mm,
                           "2026-03-20T07:%02d:00.9999-05:00" % mm][i]
                args = ["oe", "append", "--chain", cf, "--type", "t%d_é" % i, "--created-at", created]
                if actor is not None:
                    args += ["--actor", actor]
                if i == 0:
                    args += ["--hash-alg", hash_alg, "--sig-alg", sig_alg]
                pf = os.path.join(d, "p%d.json" % i)
                with open(pf, "w", encoding="utf-8") as f:
                    json.dump(p, f, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 2]))
                r = prova(args + [pf])
                if not check(r.returncode == 0, tag + " append", describe(r, args + [pf])):
                    break
                specs.append((p, actor, created))
            else:
                args = ["oe", "resolve", "--chain", cf]
                r = prova(args)
                if not check(r.returncode == 0, tag + " resolve", describe(r, args)):
                    continue
                args = ["oe", "certify", "--key", kf, "--chain", cf, "--artifact-type", "repository",
                        "--artifact-ref", "octocat/x", "--artifact-title", "Prüfung %d" % n]
                r = prova(args)
                if not check(r.returncode == 0, tag + " certify", describe(r, args)):
                    continue
                try:
                    bundle = json.loads(r.stdout)
                except ValueError as e:
                    check(False, tag + " certify prints JSON", str(e))
                    continue
                verify_prova_bundle(tag, bundle, specs, sig_alg, hash_alg, priv, pub)


def verify_prova_bundle(tag, bundle, specs, sig_alg, hash_alg, priv, pub):
    chain = bundle.get("chain") or {}
    events = chain.get("events") or []
    cert = bundle.get("certificate") or {}
    check(chain.get("hash_algorithm") == hash_alg and chain.get("signature_algorithm") == sig_alg
          and chain.get("canonicalization") == "jcs", tag + " chain algorithms", chain.get("hash_algorithm"))
    if not check(len(events) == len(specs), tag + " event count", len(events)):
        return
    prev = genesis(hash_alg)
    for i, (ev, (p, actor, created)) in enumerate(zip(events, specs)):
        check(ev.get("seq") == i + 1, tag + " seq %d" % (i + 1), ev.get("seq"))
        check("payload" in ev and canon(ev["payload"]) == canon(p), tag + " payload %d stored as given" % (i + 1), ev.get("payload"))
        check(ev.get("actor_id") == actor, tag + " actor_id %d" % (i + 1), ev.get("actor_id"))
        check(js_timestamp(ev.get("created_at", "")) == js_timestamp(created) if TS_RE.match(ev.get("created_at", ""))
              else False, tag + " created_at %d is the given instant" % (i + 1), (ev.get("created_at"), created))
        check(ev.get("prev_hash") == prev, tag + " prev_hash %d" % (i + 1), (ev.get("prev_hash"), prev))
        want = event_hash(ev, hash_alg)
        check(ev.get("event_hash") == want, tag + " event_hash %d" % (i + 1),
              "%s vs %s\n%s" % (ev.get("event_hash"), want, canon(event_input(ev)).decode()))
        prev = ev.get("event_hash")
    ch = chain_hash([e["event_hash"] for e in events], hash_alg)
    check(cert.get("chain_hash") == ch, tag + " chain_hash", (cert.get("chain_hash"), ch))
    check(cert.get("event_count") == len(events) and cert.get("chain_id") == chain.get("id")
          and cert.get("version") == "1.0" and cert.get("artifact_ref") == "octocat/x", tag + " certificate fields", cert)
    check(cert.get("events") == [{"seq": e["seq"], "event_type": e["event_type"], "actor_id": e["actor_id"],
                                  "sentiment": e.get("sentiment")} for e in events], tag + " certificate events",
          cert.get("events"))
    msg = canon(cert)
    sig = bundle.get("certificate_signature", "")
    check(verify(pub, sig_alg, msg, sig), tag + " signature verifies (Python) under the JWK's key", sig)
    if sig_alg in ("ed25519", "ed448"):
        check(sign(priv, sig_alg, msg) == sig, tag + " EdDSA signature byte-identical", sig)
    try:
        same = spki_der(load_bundle_key(bundle.get("public_key", ""))) == spki_der(pub)
    except ValueError:
        same = False
    check(same, tag + " bundle public_key = the JWK's public key", str(bundle.get("public_key"))[:100])


# ---- b. Python issues, prova verifies --------------------------------------------------------------------------

def python_bundle(rng, sig_alg, hash_alg, priv, pub, key_fmt, n_events=4):
    chain_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    events = []
    prev = genesis(hash_alg)
    for i in range(n_events):
        ev = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "chain_id": chain_id, "seq": i + 1,
              "event_type": rng.choice(["code_pushed", "pr_opened", "pr_merged", "tool_failed"]),
              "actor_id": rng.choice([None, "", "octocat", "Ærøskøbing", "system"]),
              "sentiment": rng.choice(["positive", "negative", "neutral"]),
              "created_at": rand_created_at(rng), "payload": rand_payload(rng), "prev_hash": prev}
        ev["event_hash"] = event_hash(ev, hash_alg)
        prev = ev["event_hash"]
        events.append(ev)
    cert = {"version": "1.0", "chain_id": chain_id, "chain_type": "incident_response", "origin_type": "manual",
            "origin_id": "py-" + chain_id[:8], "artifact_type": "report", "artifact_ref": "py/%s" % chain_id[:8],
            "artifact_title": "Bericht über Ω", "event_count": len(events),
            "chain_hash": chain_hash([e["event_hash"] for e in events], hash_alg),
            "events": [{"seq": e["seq"], "event_type": e["event_type"], "actor_id": e["actor_id"],
                        "sentiment": e["sentiment"]} for e in events],
            "chain_created_at": "2026-03-20T09:59:59.000Z", "chain_resolved_at": "2026-03-20T11:05:00.000Z",
            "issued_at": "2026-03-20T11:05:01.000Z"}
    pk = spki_der(pub).hex() if key_fmt == "hex" else pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return {"certificate": cert, "certificate_signature": sign(priv, sig_alg, canon(cert)),
            "chain": {"id": chain_id, "events": events, "hash_algorithm": hash_alg, "signature_algorithm": sig_alg,
                      "canonicalization": "jcs"},
            "public_key": pk}


def prova_verify(tag, bundle, want_valid, idx):
    f = os.path.join(TMP, "b%d.json" % idx)
    with open(f, "w") as fh:
        json.dump(bundle, fh)  # Python's default spelling: spaces, ASCII escapes
    args = ["verify", "--json", f]
    r = prova(args)
    check(r.returncode == (0 if want_valid else 1), tag + ": prova verify exit %d" % (0 if want_valid else 1),
          describe(r, args))
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        check(False, tag + ": prova verify --json prints JSON", describe(r, args))
        return
    check(rep.get("valid") is want_valid and rep.get("kind") == "oe_bundle", tag + ": report valid=%s" % want_valid,
          [c for c in rep.get("checks", []) if not c.get("ok")])
    sr = rep.get("sdk_result") or {}
    check(sr.get("valid") is want_valid, tag + ": sdk_result.valid=%s" % want_valid, sr)


def section_b(rng):
    idx = 0
    for sig_alg in SIG_ALGS:
        priv, pub = gen_key(sig_alg)
        for j, hash_alg in enumerate(HASH_ALGS):
            idx += 1
            tag = "b[%s/%s]" % (sig_alg, hash_alg)
            fmt = "pem" if j % 2 == 0 else "hex"
            b = python_bundle(rng, sig_alg, hash_alg, priv, pub, fmt)
            prova_verify(tag + "/" + fmt, b, True, idx)
            if j % 3 == 0:
                t = json.loads(json.dumps(b))
                t["chain"]["events"][1]["payload"]["tampered"] = 1
                idx += 1
                prova_verify(tag + " payload tampered", t, False, idx)
                t = json.loads(json.dumps(b))
                s = t["certificate_signature"]
                t["certificate_signature"] = s[:10] + ("0" if s[10] != "0" else "1") + s[11:]
                idx += 1
                prova_verify(tag + " signature tampered", t, False, idx)
                t = json.loads(json.dumps(b))
                t["certificate"]["chain_hash"] = H(hash_alg, b"x")
                idx += 1
                prova_verify(tag + " chain_hash tampered", t, False, idx)


# ---- c. prova oe hash-event ------------------------------------------------------------------------------------

def section_c(rng, count):
    shown = 0
    for i in range(count):
        alg = HASH_ALGS[i % len(HASH_ALGS)]
        ev = rand_event(rng, alg)
        text = json.dumps(ev, ensure_ascii=rng.random() < 0.5).encode("utf-8")
        want = event_hash(ev, alg)
        args = ["oe", "hash-event", "--hash-alg", alg, "-"]
        r = prova(args, text)
        ok = r.returncode == 0 and r.stdout.decode() == want + "\n"
        if not ok and shown < 5:
            shown += 1
            check(False, "c hash-event #%d (%s)" % (i, alg),
                  describe(r, args) + "\nwant %s\nevent %s\ninput %s" % (want, text.decode()[:400],
                                                                       canon(event_input(ev)).decode()[:400]))
        else:
            check(ok, "c hash-event #%d (%s)" % (i, alg))


# ---- self-check of the Python rules against the reference vectors ----------------------------------------------

def self_check():
    evs = [(1, "code_pushed", "octocat", "2026-03-20T10:00:00.000Z", {"ref": "refs/heads/main", "commits": 1}),
           (2, "pr_opened", "octocat", "2026-03-20T10:30:00.000Z", {"pr_number": 42, "title": "Fix bug"}),
           (3, "pr_merged", "maintainer-bot", "2026-03-20T11:00:00.000Z", {"pr_number": 42, "merge_sha": "abc123"})]
    want = {"sha256": ("69a5e334f88b67ff0c7caa9226349e2410efa8944ee80fc60a25e60b851a1b0b",
                       "d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd"),
            "sha3-256": ("ad59c852067e01adf2a6b1f6af92d2eefc564e989c9f9b6efc55113eaf136481",
                         "e2fb5d20b8813f8d09feacf884da16558b448706dc69c8476649670a53afaec4")}
    for alg, (e1, ch) in want.items():
        prev, hs = genesis(alg), []
        for seq, t, a, c, p in evs:
            ev = {"seq": seq, "event_type": t, "actor_id": a, "created_at": c, "payload": p, "prev_hash": prev}
            prev = event_hash(ev, alg)
            hs.append(prev)
        check(hs[0] == e1 and chain_hash(hs, alg) == ch, "self-check §6.1 " + alg, hs)
    ev = {"seq": 1, "event_type": "session_started", "actor_id": None,
          "created_at": "2026-03-20T19:00:00.123456+09:00", "payload": {}, "prev_hash": genesis("sha256")}
    check(event_hash(ev, "sha256") == "f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d",
          "self-check §6.2")
    check(js_timestamp("2026-03-20T10:00:00.9999Z") == "2026-03-20T10:00:00.999Z"
          and js_timestamp("2026-03-20 10:00:00+00") == "2026-03-20T10:00:00.000Z"
          and js_timestamp("2026-03-20 10:00:00.5-03") == "2026-03-20T13:00:00.500Z", "self-check timestamps")
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    sig = ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(b"").hex()
    check(sig.startswith("e5564300c360ac72") and sig.endswith("7a100b"), "self-check RFC 8032 test 1")


def main():
    global PROVA, TMP
    ap = argparse.ArgumentParser()
    ap.add_argument("prova")
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20260320)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    PROVA = os.path.abspath(a.prova)
    TMP = tempfile.mkdtemp(prefix="oe_cross_py-")
    rng = random.Random(a.seed)
    try:
        self_check()
        section_a(rng)
        section_b(rng)
        section_c(rng, a.events)
    finally:
        if a.keep:
            print("kept " + TMP)
        else:
            shutil.rmtree(TMP, ignore_errors=True)
    if tally.failed:
        print("oe_cross.py: %d passed, %d failed" % (tally.passed, tally.failed))
        sys.exit(1)
    print("oe_cross.py: %d checks ok" % tally.passed)


if __name__ == "__main__":
    main()
