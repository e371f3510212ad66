"""Keys and signatures, cross-checked with python3-cryptography in both directions."""
import base64
import hashlib
import os
import stat

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

import prova


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def test_ed25519_both_directions():
    seed = bytes(range(32))
    k = prova.Key.from_ed25519_seed(seed)
    ck = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    pub = ck.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert k.public_bytes() == pub
    assert k.to_jwk()["x"] == b64u(pub) and k.to_jwk(private=True)["d"] == b64u(seed)
    assert "d" not in k.to_jwk()
    assert k.kid == "ed25519-" + hashlib.sha256(pub).hexdigest()[:16]
    msg = b"prova \x00 message"
    sig = k.sign(msg)
    assert sig == ck.sign(msg)  # Ed25519 is deterministic
    ck.public_key().verify(sig, msg)
    assert k.verify(msg, ck.sign(msg)) and not k.verify(msg + b"!", sig)
    assert prova.Key.from_ed25519_seed(bytes(32)).kid == "ed25519-139e3940e64b5491"


def test_ecdsa_and_ed448_both_directions():
    for alg, curve, h in (("ecdsa-p256", ec.SECP256R1(), hashes.SHA256()), ("ecdsa-p384", ec.SECP384R1(),
                                                                             hashes.SHA384()),
                          ("ecdsa-p521", ec.SECP521R1(), hashes.SHA512())):
        k = prova.Key.generate(alg)
        ck = serialization.load_pem_private_key(k.to_pem(private=True).encode(), None)
        assert isinstance(ck.curve, type(curve))
        sig = k.sign(b"m")
        ck.public_key().verify(sig, b"m", ec.ECDSA(h))
        assert k.verify(b"m", ck.sign(b"m", ec.ECDSA(h)))
        other = ec.generate_private_key(curve)
        pk = prova.Key.from_pem(other.public_key().public_bytes(serialization.Encoding.PEM,
                                                                serialization.PublicFormat.SubjectPublicKeyInfo))
        assert pk.alg == alg and not pk.is_private
        assert pk.verify(b"x", other.sign(b"x", ec.ECDSA(h)))
    k = prova.Key.generate("ed448")
    ck = serialization.load_der_public_key(k.to_spki_der())
    assert isinstance(ck, ed448.Ed448PublicKey)
    ck.verify(k.sign(b"m"), b"m")
    with pytest.raises(InvalidSignature):
        ck.verify(k.sign(b"m"), b"n")


def test_jwk_round_trip_and_jwks():
    k = prova.Key.generate()
    k.kid = "my-key"
    assert prova.Key.from_jwk(k.to_jwk(private=True)).kid == "my-key"
    pub = k.public_key()
    assert not pub.is_private and pub.kid == "my-key" and pub.public_bytes() == k.public_bytes()
    assert prova.jwks([k, pub])["keys"][0] == k.to_jwk()
    with pytest.raises(prova.KeyMaterialError) as e:
        pub.sign(b"x")
    assert e.value.code == "key_not_private"
    with pytest.raises(prova.ParseError) as e:
        prova.Key.from_jwk({"kty": "OKP", "crv": "Ed25519"})
    assert e.value.code.startswith("jwk_")
    with pytest.raises(prova.ProvaError):
        prova.Key.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64u(bytes(31))})
    with pytest.raises(prova.UnsupportedError):
        prova.Key.generate("rsa")
    with pytest.raises(ValueError):
        k.kid = "bad kid \x01"


def test_save_is_0600_and_loads(tmp_path):
    k = prova.Key.generate()
    p = tmp_path / "k.jwk"
    k.save(p)
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    assert prova.Key.load(p).to_jwk(private=True) == k.to_jwk(private=True)
    k.save(p)  # replaced atomically, still 0600
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    with pytest.raises(prova.ProvaIOError):
        k.save(tmp_path / "missing" / "k.jwk")
    with pytest.raises(prova.ProvaError):
        prova.Key.load(tmp_path / "nothing")


def test_close():
    k = prova.Key.generate()
    with k:
        pass
    with pytest.raises(ValueError):
        k.sign(b"x")
    assert "closed" in repr(k)
