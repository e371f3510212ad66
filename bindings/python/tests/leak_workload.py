#!/usr/bin/env python3
"""A workload over every family, N times, for leak checks: the leak summary of valgrind must not grow with N.

    PYTHONMALLOC=malloc PROVA_LIBRARY_DIR=build valgrind --leak-check=full /usr/bin/python3 leak_workload.py 5
    (then 40: "definitely lost" and "possibly lost" must be the same)
"""
import json
import os
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import prova
from prova import ope, oe, proof, bridges
n = int(sys.argv[1])
rec = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "data", "proof_minimal.json"), "rb").read()
T = "2026-01-01T00:00:00Z"
for i in range(n):
    k = prova.Key.generate()
    env = ope.pack_envelope(k, {"i": i, "f": 1.5}, payload_type="p", target_type="t", ts=T)
    assert prova.verify(env, keys=[k], jwks=[prova.jwks(k2 for k2 in [k])], now=T).valid
    r0 = ope.build_receipt(k, None, trace_id="t", request_cid=prova.cid({"i": i}), ts=T)
    b = ope.build_bundle(k, "t", T, [r0], "flat")
    prova.verify(b, keys=[k], now=T)
    c = oe.chain_resolve(oe.chain_append(oe.chain_new(created_at=T), event_type="x", created_at=T), T)
    bundle, _ = oe.certify(k, c, artifact_type="a", artifact_ref="r", issued_at=T)
    prova.verify(bundle, keys=[k], now=T)
    s = proof.sign_proof(rec, b"k", attest_key=k, author="A")
    prova.verify(s, hmac_key=b"k")
    proof.verify_proof_impl(s, b"k")
    prova.verify(bridges.intoto_envelope(s, [k, bridges.HmacSigner(b"k")]), keys=[k], hmac_key=b"k")
    prova.verify(bridges.cloudevent(env, source="urn:x"), keys=[k], now=T)
    bridges.openlineage_events(bundle); bridges.rocrate_zip(s, mtime=0)
    prova.canonicalize({"a": [1.0, float("nan")]}, "ophamin")
    for bad in (lambda: prova.canonicalize_json('{"a":1,"a":2}', "ope"), lambda: prova.Key.from_jwk({"kty": "x"}),
                lambda: proof.decode_key("*"), lambda: oe.chain_append(bundle, event_type="x")):
        try:
            bad()
        except prova.ProvaError:
            pass
    prova.verify(b"{bad")
    with tempfile.TemporaryDirectory() as d:
        k.save(os.path.join(d, "k.jwk"))
        prova.Key.load(os.path.join(d, "k.jwk"))
print("ok", n)
