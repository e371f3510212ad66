#!/usr/bin/env python3
"""An OpenExecution v2 run with the prova package: a hash-chained chain of events, resolved and certified with an
ECDSA P-256 key into an offline bundle that verifies with the public key; an edited event and a revoked
certificate are caught. The event hashes are recomputed with hashlib as a cross-check.

    PROVA_LIBRARY_DIR=build python3 examples/python/oe_certificate.py
"""
import hashlib
import json

import prova

issuer = prova.Key.generate("ecdsa-p256")
chain = prova.oe.chain_new(sig_alg="ecdsa-p256", chain_type="manual", origin_type="agent", origin_id="bot-1")
chain = prova.oe.chain_append(chain, event_type="task_started", actor_id="bot-1",
                              payload={"prompt": "summarize the incident"})
chain = prova.oe.chain_append(chain, event_type="task_completed", actor_id="bot-1", payload={"tokens": 120})
chain = prova.oe.chain_resolve(chain)
bundle, _certified_chain = prova.oe.certify(issuer, chain, artifact_type="report", artifact_ref="report-1")

# Each event hash is SHA-256 of the event's JCS hash input, and events link by prev_hash.
events = json.loads(bundle)["chain"]["events"]
for e in events:
    assert e["event_hash"] == hashlib.sha256(prova.oe.event_input(e)).hexdigest()
assert events[0]["prev_hash"] == prova.oe.genesis() and events[1]["prev_hash"] == events[0]["event_hash"]

trusted = prova.jwks([issuer.public_key()])
report = prova.verify(bundle, jwks=trusted)
assert report.valid and report.kind == "oe_bundle", report.to_json()

edited = bundle.replace(b'"tokens":120', b'"tokens":12')
report = prova.verify(edited, jwks=trusted)
assert report.outcome == "invalid" and "event_hash_mismatch" in report.failed_codes, report.failed_codes
print("edited event:", report.failed_codes)

revoked = prova.oe.set_status(issuer, bundle, "revoked", reason="model retracted")
report = prova.verify(revoked, jwks=trusted)
assert report.outcome == "invalid" and "certificate_revoked" in report.failed_codes, report.failed_codes
print("revoked:", report.failed_codes)
print("oe_certificate: ok")
