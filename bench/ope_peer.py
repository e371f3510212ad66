#!/usr/bin/python3
"""Python peer of prova's OPE v1 verifier, timed by bench/run.sh (Debian's /usr/bin/python3 + python3-cryptography).

It runs the same checks as prova_ope_verify, with the standard library's json and hashlib and cryptography's
Ed25519 (OpenSSL underneath):

    ope_peer.py envelope N RUNS ENVELOPE.json JWKS NOWFILE
        Verifies the envelope N times per run, best of RUNS. Each verification: json.loads of the envelope bytes;
        schema (payload an object, trace_id / ts / cid / sig / kid strings, sig_alg "ed25519"); the payload's
        canonical bytes json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) as UTF-8; the CID
        "sha256:" + sha256 hex compared with the envelope's cid; the key looked up by kid; the base64url signature
        decoded and verified with Ed25519 over "cid|trace_id|ts"; ts parsed (datetime.fromisoformat) and checked
        against the time in NOWFILE (RFC 3339, written by bench_ope) with prova's default window (at most 300 s
        in the future). The key set is loaded from the JWKS once, outside the timing (prova's keyset is too).
        Prints
            envelope n=N runs=RUNS best_s=S eps=E valid=1

    ope_peer.py chain FILE.jsonl JWKS
        Streams FILE line by line: json.loads; schema; canonical bytes of the receipt without receipt_signature and
        receipt_hash; sha256 hex compared with receipt_hash; Ed25519 verify of receipt_signature with the key of
        gateway_kid from the JWKS; trace_id equal to the first receipt's; hop == index; prev_receipt_hash null for
        the first receipt and equal to the previous receipt's receipt_hash after that. Memory holds one receipt at
        a time. Times the whole loop, reading included. Prints
            chain receipts=N best_s=S rps=R valid=1|0 [first_failure=...]
"""
import base64
import hashlib
import json
import sys
import time
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_SKEW_S = 300


def b64u_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def load_jwks(path):
    with open(path, "rb") as f:
        doc = json.loads(f.read())
    keys = {}
    for jwk in doc["keys"]:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            keys[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(b64u_decode(jwk["x"]))
    return keys


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def verify_envelope(data, keys, now):
    """The failure reason, or None when the envelope verifies."""
    env = json.loads(data)
    payload = env.get("payload")
    trace_id, ts, cid = env.get("trace_id"), env.get("ts"), env.get("cid")
    sig, kid = env.get("sig"), env.get("kid")
    if not isinstance(payload, dict) or not isinstance(trace_id, str) or not trace_id:
        return "schema_error"
    if not isinstance(ts, str) or not isinstance(cid, str) or env.get("sig_alg", "ed25519") != "ed25519":
        return "schema_error"
    if "sha256:" + hashlib.sha256(canonical(payload)).hexdigest() != cid:
        return "cid_mismatch"
    if not isinstance(sig, str) or not sig or not isinstance(kid, str) or not kid:
        return "missing_sig_or_kid"
    key = keys.get(kid)
    if key is None:
        return "kid_not_found"
    try:
        key.verify(b64u_decode(sig), ("%s|%s|%s" % (cid, trace_id, ts)).encode("utf-8"))
    except (InvalidSignature, ValueError):
        return "signature_invalid"
    try:
        t = datetime.fromisoformat(ts)
    except ValueError:
        return "schema_error"
    if t.tzinfo is None:
        return "schema_error"
    if (t - now).total_seconds() > MAX_SKEW_S:
        return "timestamp_skew"
    return None


def bench_envelope(n, runs, env_path, jwks_path, now_text):
    with open(env_path, "rb") as f:
        data = f.read()
    keys = load_jwks(jwks_path)
    now = datetime.fromisoformat(now_text.strip())
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    best = None
    failure = None
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(n):
            failure = verify_envelope(data, keys, now) or failure
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print("envelope n=%d runs=%d best_s=%.6f eps=%.1f valid=%d%s" % (
        n, runs, best, n / best, failure is None, "" if failure is None else " first_failure=" + failure),
        flush=True)
    return 0 if failure is None else 1


def verify_chain(path, keys):
    """(receipts, first failure or None). Checks every receipt, never stops early."""
    failure = None
    index = 0
    trace0 = None
    prev_hash = None
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rc = json.loads(line)
            here = None
            trace_id, hop, rhash = rc.get("trace_id"), rc.get("hop"), rc.get("receipt_hash")
            sig, kid = rc.get("receipt_signature"), rc.get("gateway_kid")
            if (not isinstance(trace_id, str) or not trace_id or type(hop) is not int or hop < 0
                    or not isinstance(rhash, str) or not isinstance(sig, str) or not sig
                    or not isinstance(kid, str) or not kid or "prev_receipt_hash" not in rc):
                here = "schema_error"
            else:
                core = canonical({k: v for k, v in rc.items() if k not in ("receipt_signature", "receipt_hash")})
                if hashlib.sha256(core).hexdigest() != rhash:
                    here = "receipt_hash_mismatch"
                key = keys.get(kid)
                if key is None:
                    here = here or "kid_not_found"
                else:
                    try:
                        key.verify(b64u_decode(sig), core)
                    except (InvalidSignature, ValueError):
                        here = here or "receipt_signature_invalid"
                if index == 0:
                    trace0 = trace_id
                elif trace_id != trace0:
                    here = here or "chain_broken"
                if hop != index:
                    here = here or "hop_mismatch"
                prev = rc.get("prev_receipt_hash")
                if index == 0 and prev not in (None, ""):
                    here = here or "chain_broken"
                elif index > 0 and prev != prev_hash:
                    here = here or "chain_broken"
            if here and failure is None:
                failure = "receipt[%d]:%s" % (index, here)
            prev_hash = rhash
            index += 1
    return index, failure


def bench_chain(path, jwks_path):
    keys = load_jwks(jwks_path)
    t0 = time.perf_counter()
    n, failure = verify_chain(path, keys)
    dt = time.perf_counter() - t0
    print("chain receipts=%d best_s=%.6f rps=%.1f valid=%d%s" % (
        n, dt, n / dt, failure is None and n > 0, "" if failure is None else " first_failure=" + failure),
        flush=True)
    return 0 if failure is None and n > 0 else 1


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "envelope":
        with open(a[5]) as f:
            now_text = f.read()
        return bench_envelope(int(a[1]), int(a[2]), a[3], a[4], now_text)
    if len(a) == 3 and a[0] == "chain":
        return bench_chain(a[1], a[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
