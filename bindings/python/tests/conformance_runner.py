#!/usr/bin/env python3
"""The Python runner of prova's conformance suite (conformance/README.md), through the package's public API only.

    conformance_runner.py DIR        (DIR: the conformance/ directory)

Runs DIR/fixtures/canonical.json (canonicalize_json per profile, cid_json), signing.json (the package's builders)
and verify/*.json (prova.verify) and prints one JSON line per case:
    {"impl": "python", "id": ..., "result": "pass" | "fail" | "skip", "got": {...}, "note": ...}
Exits 0 when no case failed, 1 when one did, 2 on a usage or I/O error. The package is imported from this source
tree unless PROVA_TEST_INSTALLED=1; libprova is found as the package finds it (PROVA_LIBRARY_DIR first).
"""
import base64
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("PROVA_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.dirname(HERE))

import prova  # noqa: E402
from prova import bridges, oe, ope, proof  # noqa: E402

FORMAT = "prova-conformance/1"
FEATURES = {"ed448"}  # libprova always has Ed448 (OpenSSL 3)


def canonical_case(case, d):
    data = base64.b64decode(case["input_base64"]) if "input_base64" in case else case["input"].encode("utf-8")
    got = {}
    for profile in ("jcs", "ope", "ophamin"):
        try:
            got[profile] = {"output": prova.canonicalize_json(data, profile).decode("utf-8", "surrogateescape")}
        except prova.ProvaError as e:
            got[profile] = {"error": e.code}
    if "output" in got["ope"]:
        got["cid"] = prova.cid_json(data)
    return got


class Ctx:
    def __init__(self, d):
        self.dir = d
        self.keys = {}

    def key(self, name):
        if name not in self.keys:
            self.keys[name] = prova.Key.load(os.path.join(self.dir, "keys", name))
        return self.keys[name]


def signing_op(op, i, ctx):
    if op == "ed25519_sign":
        k = prova.Key.from_ed25519_seed(bytes.fromhex(i["seed_hex"]))
        return {"public_key_hex": k.public_bytes().hex(), "signature_hex": k.sign(i["message"].encode()).hex()}
    if op == "cid":
        return {"cid": prova.cid_json(i["json"])}
    if op == "ope_envelope_pack":
        return {"envelope": ope.pack_envelope(
            ctx.key(i["key"]), i["payload"], payload_type=i.get("payload_type"), target_type=i.get("target_type"),
            trace_id=i["trace_id"], ts=i.get("ts"), not_before=i.get("not_before"), expires_at=i.get("expires_at"),
            dialect=i["dialect"], bind=bool(i.get("bind", False))).decode()}
    if op == "ope_receipt_build":
        return {"receipt": ope.build_receipt(
            ctx.key(i["key"]), i.get("prev"), trace_id=i["trace_id"], ts=i.get("ts"), created_at=i.get("created_at"),
            request_cid=i["request_cid"], normalized_cid=i.get("normalized_cid"), policy=i.get("policy")).decode()}
    if op == "ope_bundle_build":
        return {"bundle": ope.build_bundle(ctx.key(i["key"]), i["trace_id"], i["exported_at"], i["receipts"],
                                           i["form"]).decode()}
    if op == "oe_event_hash":
        return {"event_hash": oe.event_hash(i["event"], i["hash_alg"]),
                "hash_input": oe.event_input(i["event"]).decode()}
    if op == "oe_chain":
        alg = i["hash_alg"]
        prev = oe.genesis(alg)
        hashes = []
        for ev in json.loads(i["events"]):
            ev["prev_hash"] = prev
            prev = oe.event_hash(ev, alg)
            hashes.append(prev)
        return {"event_hashes": hashes, "chain_hash": prova.hashing.hash(alg, "".join(hashes)).hex()}
    if op == "proof_id":
        return {"proof_id": proof.proof_id(i["record"])}
    if op == "proof_sign":
        key, is_default = proof.decode_key(i["hmac_key_b64"])
        attest = ctx.key(i["attest_key"]) if i.get("attest_key") else None
        return {"record": proof.sign_proof(i["record"], None if is_default else key, attest_key=attest,
                                           author=i.get("author")).decode()}
    if op == "dsse_pae":
        return {"pae_hex": bridges.dsse_pae(i["payload_type"], i["payload"]).hex()}
    if op == "dsse_sign":
        if i.get("key"):
            signer = ctx.key(i["key"])
        else:
            signer = bridges.HmacSigner(base64.b64decode(i["hmac_key_b64"]), i.get("keyid") or "")
        return {"envelope": bridges.dsse_sign(i["payload_type"], i["payload"], [signer]).decode()}
    raise NotImplementedError("unknown op %r" % op)


def signing_case(case, ctx):
    try:
        return signing_op(case["op"], case["input"], ctx)
    except prova.ProvaError as e:
        return {"error": e.code}


def verify_case(case, ctx):
    doc = base64.b64decode(case["document_base64"]) if "document_base64" in case else case["document"].encode()
    o = case.get("options", {})
    rep = prova.verify(doc, jwks=[os.path.join(ctx.dir, p) for p in o.get("jwks", [])],
                       trust_embedded_key=bool(o.get("trust_embedded_key", False)), now=o["now"],
                       max_skew=o.get("max_skew_s"), no_skew=bool(o.get("no_skew", False)),
                       hmac_key=o.get("hmac_key_b64"), default_hmac_key=bool(o.get("allow_default_hmac_key", False)),
                       hash_alg=o.get("hash_alg"))
    return {"valid": rep.valid, "outcome": rep.outcome, "kind": rep.kind, "failed": rep.failed_codes,
            "warnings": rep.warning_codes}


def agree(case, got, kind):
    want = case.get("expect")
    if want is None:
        return False
    if kind == "verify":
        keys = ("valid", "outcome", "kind", "failed", "warnings")
        return all(got.get(k) == want.get(k, [] if k in ("failed", "warnings") else None) for k in keys)
    return got == want


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    ctx = Ctx(d)
    files = [("canonical", os.path.join(d, "fixtures", "canonical.json")),
             ("signing", os.path.join(d, "fixtures", "signing.json"))]
    files += [("verify", p) for p in sorted(glob.glob(os.path.join(d, "fixtures", "verify", "*.json")))]
    failed = 0
    for kind, path in files:
        try:
            with open(path, encoding="utf-8") as f:
                fixture = json.load(f)
        except (OSError, ValueError) as e:
            print("conformance_runner.py: %s: %s" % (path, e), file=sys.stderr)
            sys.exit(2)
        if fixture.get("format") != FORMAT:
            print("conformance_runner.py: %s: format is not %s" % (path, FORMAT), file=sys.stderr)
            sys.exit(2)
        for case in fixture["cases"]:
            line = {"impl": "python", "id": case["id"]}
            missing = sorted(set(case.get("requires", [])) - FEATURES)
            if missing:
                line.update(result="skip", got={}, note="requires %s, which this runtime lacks" % ", ".join(missing))
                print(json.dumps(line, ensure_ascii=False))
                continue
            try:
                got = {"canonical": lambda: canonical_case(case, d), "signing": lambda: signing_case(case, ctx),
                       "verify": lambda: verify_case(case, ctx)}[kind]()
                ok = agree(case, got, kind)
                note = "" if ok else "expected %s" % json.dumps(case.get("expect"), ensure_ascii=False)
            except Exception as e:  # a binding bug: report it as this case's failure, keep going
                got, ok, note = {}, False, "%s: %s" % (type(e).__name__, e)
            line.update(result="pass" if ok else "fail", got=got, note=note)
            failed += not ok
            print(json.dumps(line, ensure_ascii=False))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
