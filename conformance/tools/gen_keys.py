"""The fixed test keys of the conformance suite, derived from labels (test only: their private halves are public)."""
import base64
import hashlib
import json
import os

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, ed448
from cryptography.hazmat.primitives import serialization

PREFIX = b"prova-conformance/"

# name -> algorithm. Ed25519 seeds are SHA-256(PREFIX + name); ECDSA private scalars are
# 1 + (SHA-512(PREFIX + name) as a big-endian integer mod (n - 1)); the Ed448 key is SHAKE-256(PREFIX + name, 57).
KEYS = {
    "ope-sender": "ed25519",
    "ope-gateway": "ed25519",
    "oe-ed25519": "ed25519",
    "oe-p256": "ecdsa-p256",
    "oe-p384": "ecdsa-p384",
    "oe-p521": "ecdsa-p521",
    "oe-ed448": "ed448",
    "dsse": "ed25519",
    "proof-attest": "ed25519",
    "other": "ed25519",  # a key nobody trusts: "signed by the wrong key"
}
HMAC_LABEL = "proof-hmac"  # the proof records' HMAC key: SHA-256(PREFIX + label), as standard base64

CURVES = {"ecdsa-p256": (ec.SECP256R1(), "P-256", 32), "ecdsa-p384": (ec.SECP384R1(), "P-384", 48),
          "ecdsa-p521": (ec.SECP521R1(), "P-521", 66)}
ORDERS = {
    "ecdsa-p256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ecdsa-p384": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16),
    "ecdsa-p521": int("01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
}


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def raw(k):
    return k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_jwk(name, alg):
    label = PREFIX + name.encode()
    if alg == "ed25519":
        seed = hashlib.sha256(label).digest()
        k = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        return {"kty": "OKP", "crv": "Ed25519", "d": b64u(seed), "x": b64u(raw(k))}
    if alg == "ed448":
        d = hashlib.shake_256(label).digest(57)
        k = ed448.Ed448PrivateKey.from_private_bytes(d)
        return {"kty": "OKP", "crv": "Ed448", "d": b64u(d), "x": b64u(raw(k))}
    curve, crv, size = CURVES[alg]
    d = 1 + int.from_bytes(hashlib.sha512(label).digest(), "big") % (ORDERS[alg] - 1)
    k = ec.derive_private_key(d, curve)
    pn = k.public_key().public_numbers()
    return {"kty": "EC", "crv": crv, "d": b64u(d.to_bytes(size, "big")), "x": b64u(pn.x.to_bytes(size, "big")),
            "y": b64u(pn.y.to_bytes(size, "big"))}


def ed25519_seed_hex(name):
    return hashlib.sha256(PREFIX + name.encode()).hexdigest()


def hmac_key_b64():
    return base64.b64encode(hashlib.sha256(PREFIX + HMAC_LABEL.encode()).digest()).decode()


def write_keys(keydir, op):
    """Writes NAME.jwk (private) and NAME.jwks (public) for every key, normalized by the C library (kid, alg, use).
    Returns {name: kid}."""
    os.makedirs(keydir, exist_ok=True)
    kids = {}
    for name, alg in KEYS.items():
        got = op("key_jwk", jwk=json.dumps(private_jwk(name, alg)))
        with open(os.path.join(keydir, name + ".jwk"), "w") as f:
            f.write(got["private_jwk"] + "\n")
        with open(os.path.join(keydir, name + ".jwks"), "w") as f:
            f.write(got["public_jwks"] + "\n")
        kids[name] = got["kid"]
    with open(os.path.join(keydir, "all.jwks"), "w") as f:
        allkeys = []
        for name in KEYS:
            if name != "other":
                allkeys += json.load(open(os.path.join(keydir, name + ".jwks")))["keys"]
        f.write(json.dumps({"keys": allkeys}, separators=(",", ":")) + "\n")
    with open(os.path.join(keydir, "proof-hmac.b64"), "w") as f:
        f.write(hmac_key_b64() + "\n")
    return kids
