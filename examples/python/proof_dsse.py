#!/usr/bin/env python3
"""An Ophamin proof record sealed with an HMAC key, wrapped as an in-toto Statement in a DSSE envelope signed with
an Ed25519 key, and verified in one report (the envelope's signature, the Statement, the record inside). The DSSE
signature is cross-checked with cryptography over PAE; a changed payloadType is caught.

    PROVA_LIBRARY_DIR=build python3 examples/python/proof_dsse.py [RECORD.json]
"""
import base64
import json
import os
import pathlib
import sys

import prova
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

here = pathlib.Path(__file__).resolve().parent
record = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else here.parent.parent / "tests/data/proof_minimal.json")
seal_key = os.urandom(32)
signer = prova.Key.generate()

proof = prova.proof.sign_proof(record.read_bytes(), seal_key)       # proof_id + HMAC-SHA256 seal
assert prova.verify(proof, hmac_key=seal_key).valid

envelope = prova.bridges.intoto_envelope(proof, [signer])
report = prova.verify(envelope, jwks=prova.jwks([signer.public_key()]), hmac_key=seal_key)
assert report.valid and report.kind == "dsse_envelope", report.to_json()

# DSSE signs PAE(payloadType, payload): check it with cryptography alone.
env = json.loads(envelope)
payload = base64.b64decode(env["payload"])
pae = prova.bridges.dsse_pae(env["payloadType"], payload)
assert pae == b"DSSEv1 %d %s %d %s" % (len(env["payloadType"]), env["payloadType"].encode(), len(payload), payload)
Ed25519PublicKey.from_public_bytes(signer.public_bytes()).verify(base64.b64decode(env["signatures"][0]["sig"]), pae)

env["payloadType"] = "application/json"
report = prova.verify(env, jwks=prova.jwks([signer.public_key()]), hmac_key=seal_key)
assert report.outcome == "invalid" and "dsse_no_valid_signature" in report.failed_codes, report.failed_codes
print("payloadType changed:", report.failed_codes)
print("proof_dsse: ok")
