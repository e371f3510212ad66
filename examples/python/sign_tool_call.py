#!/usr/bin/env python3
"""Sign an agent's tool call as an OPE v1 envelope with the prova package, verify it with the agent's public key,
and see a changed argument caught with its reason code. Self-asserting: exits 0 only when every step behaves as
shown. Cross-checks the CID and the signature with Python's own hashlib and cryptography.

    PROVA_LIBRARY_DIR=build python3 examples/python/sign_tool_call.py
"""
import base64
import hashlib
import json

import prova
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

agent = prova.Key.generate("ed25519")
call = {"tool": "search", "args": {"q": "weather in Lyon", "max_results": 3, "temperature": 0.0}}
envelope = prova.ope.pack_envelope(agent, call, payload_type="agent.tool_call", target_type="tool.result",
                                   trace_id="run-1")
print(envelope.decode())

# Whoever checks holds only the public half, as a JWKS.
jwks = prova.jwks([agent.public_key()])
report = prova.verify(envelope, jwks=jwks)
assert report.valid and report.kind == "ope_envelope", report.to_json()

# The same facts from independent code: the CID is SHA-256 of the payload's canonical bytes (the ope profile keeps
# 0.0 a float, as Python does), and the signature is Ed25519 over "cid|trace_id|ts".
env = json.loads(envelope)
canonical = prova.canonicalize(call, "ope")
assert canonical == json.dumps(call, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
assert env["cid"] == "sha256:" + hashlib.sha256(canonical).hexdigest()
signed = f'{env["cid"]}|{env["trace_id"]}|{env["ts"]}'.encode()
Ed25519PublicKey.from_public_bytes(agent.public_bytes()).verify(
    base64.urlsafe_b64decode(env["sig"] + "=" * (-len(env["sig"]) % 4)), signed)  # raises if it does not verify

# Someone edits the logged call.
edited = envelope.replace(b"Lyon", b"Paris")
report = prova.verify(edited, jwks=jwks)
assert not report.valid and report.outcome == "invalid"
assert "cid_mismatch" in report.failed_codes, report.failed_codes
print("edited call:", report.outcome, report.failed_codes)
print("sign_tool_call: ok")
