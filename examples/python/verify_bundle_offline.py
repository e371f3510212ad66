#!/usr/bin/env python3
"""A gateway's receipts for one trace, built and exported as a signed bundle with the prova package, then
verified offline with nothing but the gateway's public JWKS; a receipt cut out, or the wrong key, is caught.

    PROVA_LIBRARY_DIR=build python3 examples/python/verify_bundle_offline.py
"""
import json

import prova

agent, gateway = prova.Key.generate(), prova.Key.generate()
trace = "run-7"
receipts = []
for step in ("plan", "search", "answer"):
    envelope = prova.ope.pack_envelope(agent, {"step": step}, payload_type="agent.step", target_type="agent.step",
                                       trace_id=trace)
    # The gateway checks the sender first (prova serve does this over HTTP)...
    assert prova.verify(envelope, keys=[agent]).valid
    # ...then appends the next hash-linked receipt, signed with its own key.
    receipt = prova.ope.build_receipt(gateway, receipts[-1] if receipts else None, trace_id=trace,
                                      request_cid=json.loads(envelope)["cid"])
    receipts.append(receipt)
bundle = prova.ope.build_bundle(gateway, trace, None, receipts)

gateway_jwks = prova.jwks([gateway.public_key()])                 # all a verifier needs
report = prova.verify(bundle, jwks=gateway_jwks)
assert report.valid and report.kind == "ope_bundle", report.to_json()

cut = json.loads(bundle)
del cut["bundle"]["receipts"][1]
report = prova.verify(cut, jwks=gateway_jwks)
assert report.outcome == "invalid" and {"chain_broken", "bundle_cid_mismatch"} <= set(report.failed_codes), \
    report.failed_codes
print("receipt removed:", report.failed_codes)

report = prova.verify(bundle, jwks=prova.jwks([agent.public_key()]))
assert report.outcome == "invalid" and "kid_not_found" in report.failed_codes, report.failed_codes
print("wrong key:", report.failed_codes)
print("verify_bundle_offline: ok")
