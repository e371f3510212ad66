#!/usr/bin/python3
"""Differential test: prova's crypto against Python's `cryptography` (Debian python3-cryptography, OpenSSL).

For every signature algorithm (ed25519, ed448, ecdsa-p256/p384/p521), in both directions:
  prova signs  -> cryptography verifies (key exchanged as PEM SPKI, as PKCS#8, and as JWK);
  cryptography signs -> prova verifies (key given to prova as PEM SPKI, hex DER SPKI, public JWK, private JWK,
                        PKCS#8), and prova signs with keys that cryptography generated;
and tampered signatures are rejected on both sides. Hashes (all six) and HMAC-SHA256 are compared on random
inputs. The C side is tests/diff/crypto_driver (path: --driver PATH, $PROVA_CRYPTO_DRIVER, or the usual build
directories).

Prints one line per failure and "N passed, M failed" last; exits non-zero on any failure.
Run: /usr/bin/python3 tests/diff/crypto_cross.py [--driver PATH] [--rounds N]
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

EC = {
    "ecdsa-p256": (ec.SECP256R1(), hashes.SHA256(), "P-256", 32),
    "ecdsa-p384": (ec.SECP384R1(), hashes.SHA384(), "P-384", 48),
    "ecdsa-p521": (ec.SECP521R1(), hashes.SHA512(), "P-521", 66),
}
ALGS = ["ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"]
HASHES = {
    "sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
    "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512",
}

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what, flush=True)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def find_driver(arg):
    explicit = arg or os.environ.get("PROVA_CRYPTO_DRIVER")
    if explicit:  # asked for: that one or nothing
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    cands = []
    for d in ("build", "builddir", "build-asan", "_build"):
        cands += [os.path.join(ROOT, d, "tests", "crypto_driver"), os.path.join(ROOT, d, "tests", "diff", "crypto_driver")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


class Driver:
    def __init__(self, path):
        self.path = path

    def run(self, *args, stdin=None):
        p = subprocess.run([self.path] + list(args), input=stdin, capture_output=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def out(self, *args, stdin=None):
        rc, out, err = self.run(*args, stdin=stdin)
        if rc != 0:
            raise RuntimeError("crypto_driver %s: exit %d: %s" % (" ".join(args[:2]), rc, err.decode(errors="replace")))
        return out.decode()

    def sign(self, keyfile, msg):
        return bytes.fromhex(self.out("sign", keyfile, msg.hex()).strip())

    def verify(self, keyfile, msg, sig):
        rc, out, err = self.run("verify", keyfile, msg.hex(), sig.hex())
        if rc not in (0, 1):
            raise RuntimeError("crypto_driver verify: exit %d: %s" % (rc, err.decode(errors="replace")))
        return rc == 0


# ---- Python-side key helpers ---------------------------------------------------------------------------

def py_generate(alg):
    if alg == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "ed448":
        return ed448.Ed448PrivateKey.generate()
    return ec.generate_private_key(EC[alg][0])


def py_sign(alg, key, msg):
    if alg in ("ed25519", "ed448"):
        return key.sign(msg)
    return key.sign(msg, ec.ECDSA(EC[alg][1]))  # DER


def py_verify(alg, pub, msg, sig):
    try:
        if alg in ("ed25519", "ed448"):
            pub.verify(sig, msg)
        else:
            pub.verify(sig, msg, ec.ECDSA(EC[alg][1]))
        return True
    except InvalidSignature:
        return False


def raw_public(pub):
    if isinstance(pub, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def py_jwk(alg, key, private):
    """RFC 8037 / RFC 7518 JWK of a cryptography key, built by hand (cryptography has no JWK support)."""
    pub = key.public_key() if private else key
    if alg in ("ed25519", "ed448"):
        j = {"kty": "OKP", "crv": "Ed25519" if alg == "ed25519" else "Ed448", "x": b64u(raw_public(pub))}
        if private:
            j["d"] = b64u(key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                            serialization.NoEncryption()))
        return j
    _, _, crv, n = EC[alg]
    nums = pub.public_numbers()
    j = {"kty": "EC", "crv": crv, "x": b64u(nums.x.to_bytes(n, "big")), "y": b64u(nums.y.to_bytes(n, "big"))}
    if private:
        j["d"] = b64u(key.private_numbers().private_value.to_bytes(n, "big"))
    return j


def py_from_jwk(alg, j):
    """A cryptography key from a JWK that prova wrote; checks the member layout on the way."""
    if alg in ("ed25519", "ed448"):
        cls = ed25519 if alg == "ed25519" else ed448
        priv = cls.Ed25519PrivateKey if alg == "ed25519" else cls.Ed448PrivateKey
        pubc = cls.Ed25519PublicKey if alg == "ed25519" else cls.Ed448PublicKey
        if "d" in j:
            return priv.from_private_bytes(unb64u(j["d"]))
        return pubc.from_public_bytes(unb64u(j["x"]))
    curve, _, _, n = EC[alg]
    x = unb64u(j["x"])
    y = unb64u(j["y"])
    if len(x) != n or len(y) != n:
        raise ValueError("coordinate length %d/%d, want %d" % (len(x), len(y), n))
    pubnums = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve)
    if "d" in j:
        d = unb64u(j["d"])
        if len(d) != n:
            raise ValueError("d length %d, want %d" % (len(d), n))
        return ec.EllipticCurvePrivateNumbers(int.from_bytes(d, "big"), pubnums).private_key()
    return pubnums.public_key()


def pub_of(key):
    return key.public_key() if hasattr(key, "public_key") else key


# ---- the tests -----------------------------------------------------------------------------------------

def messages(rng, rounds):
    msgs = [b"", b"\x00", b"abc", bytes(range(256)) * 4]
    for _ in range(rounds):
        msgs.append(rng.randbytes(rng.randrange(0, 2000)))
    return msgs


def tamper(sig, rng):
    b = bytearray(sig)
    i = rng.randrange(len(b))
    b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def prova_to_python(drv, tmp, alg, rng, rounds):
    kf = os.path.join(tmp, "prova-%s.jwk" % alg)
    if os.path.exists(kf):
        os.unlink(kf)
    kid = drv.out("keygen", alg, kf).strip()
    check(kid.startswith(alg + "-") and len(kid) == len(alg) + 17, "%s: kid format %r" % (alg, kid))
    check(oct(os.stat(kf).st_mode & 0o777) == "0o600", "%s: key file mode" % alg)

    # the public key three ways, and the private key two ways
    spki_pem = drv.out("export", kf, "pem").encode()
    k_pem = serialization.load_pem_public_key(spki_pem)
    spki_der = bytes.fromhex(drv.out("export", kf, "spki-hex").strip())
    k_der = serialization.load_der_public_key(spki_der)
    check(k_der.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == spki_der,
          "%s: SPKI DER re-encodes identically" % alg)
    jwk_pub = json.loads(drv.out("export", kf, "jwk"))
    check("d" not in jwk_pub and jwk_pub.get("use") == "sig" and jwk_pub.get("kid") == kid, "%s: public JWK members" % alg)
    check(list(jwk_pub.keys()) == sorted(jwk_pub.keys()), "%s: JWK members in code point order" % alg)
    k_jwk = py_from_jwk(alg, jwk_pub)
    jwk_priv = json.loads(drv.out("export", kf, "jwk-private"))
    k_jwk_priv = py_from_jwk(alg, jwk_priv)
    k_p8 = serialization.load_pem_private_key(drv.out("export", kf, "pem-private").encode(), password=None)
    raw = bytes.fromhex(drv.out("export", kf, "raw-hex").strip())
    for name, k in (("pem", k_pem), ("der", k_der), ("jwk", k_jwk), ("jwk-private", k_jwk_priv), ("pkcs8", k_p8)):
        check(raw_public(pub_of(k)) == raw, "%s: public key via %s matches prova's" % (alg, name))
    if alg == "ed25519":
        check(kid == "ed25519-" + hashlib.sha256(raw).hexdigest()[:16], "ed25519: kid = sha256(raw)[:16]")
    else:
        check(kid == alg + "-" + hashlib.sha256(spki_der).hexdigest()[:16], "%s: kid = sha256(spki)[:16]" % alg)

    for msg in messages(rng, rounds):
        sig = drv.sign(kf, msg)
        check(py_verify(alg, k_pem, msg, sig), "%s: prova sig verifies in cryptography (PEM key, %d bytes)" % (alg, len(msg)))
        check(py_verify(alg, k_jwk, msg, sig), "%s: prova sig verifies in cryptography (JWK key)" % alg)
        check(not py_verify(alg, k_pem, msg, tamper(sig, rng)), "%s: tampered prova sig rejected by cryptography" % alg)
        check(not py_verify(alg, k_pem, msg + b"x", sig), "%s: prova sig over another message rejected" % alg)
        if alg in ("ed25519", "ed448"):  # deterministic: the same bytes as cryptography's own signature
            check(py_sign(alg, k_p8, msg) == sig, "%s: prova sig == cryptography sig (deterministic)" % alg)
        # cryptography signs with the key prova exported as PKCS#8; prova verifies
        psig = py_sign(alg, k_p8, msg)
        check(drv.verify(kf, msg, psig), "%s: cryptography sig (prova's PKCS#8 key) verifies in prova" % alg)


def python_to_prova(drv, tmp, alg, rng, rounds):
    key = py_generate(alg)
    pub = key.public_key()
    files = {}

    def write(name, data):
        p = os.path.join(tmp, "py-%s.%s" % (alg, name))
        with open(p, "wb") as f:
            f.write(data)
        files[name] = p

    write("spki.pem", pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write("spki.hex", pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo).hex().encode() + b"\n")
    write("pub.jwk", json.dumps(py_jwk(alg, pub, False)).encode())
    write("priv.jwk", json.dumps(py_jwk(alg, key, True)).encode())
    write("pkcs8.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
    if alg.startswith("ecdsa"):
        write("sec1.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                            serialization.NoEncryption()))
    if alg == "ed25519":
        write("raw.hex", raw_public(pub).hex().encode())

    raw = raw_public(pub)
    for name, path in files.items():
        got = bytes.fromhex(drv.out("export", path, "raw-hex").strip())
        check(got == raw, "%s: prova reads cryptography's %s" % (alg, name))
        check(drv.out("export", path, "alg").strip() == alg, "%s: prova detects the algorithm of %s" % (alg, name))

    for msg in messages(rng, rounds):
        sig = py_sign(alg, key, msg)
        for name, path in files.items():
            check(drv.verify(path, msg, sig), "%s: cryptography sig verifies in prova (%s, %d bytes)" % (alg, name, len(msg)))
        check(not drv.verify(files["spki.pem"], msg, tamper(sig, rng)), "%s: tampered cryptography sig rejected by prova" % alg)
        check(not drv.verify(files["pub.jwk"], msg + b"x", sig), "%s: sig over another message rejected by prova" % alg)
        # prova signs with cryptography's private key (JWK and PKCS#8)
        for name in ("priv.jwk", "pkcs8.pem"):
            s = drv.sign(files[name], msg)
            check(py_verify(alg, pub, msg, s), "%s: prova sig with cryptography's %s key verifies" % (alg, name))


def hashes_and_hmac(drv, rng, rounds):
    for alg, py in HASHES.items():
        for n in [0, 1, 55, 56, 63, 64, 127, 128, 135, 136, 143, 144] + [rng.randrange(0, 5000) for _ in range(rounds)]:
            data = rng.randbytes(n)
            check(drv.out("hash", alg, data.hex()).strip() == hashlib.new(py, data).hexdigest(),
                  "%s of %d random bytes" % (alg, n))
        big = rng.randbytes(3 * 1024 * 1024 + 7)  # through stdin
        check(drv.out("hash", alg, "-", stdin=big).strip() == hashlib.new(py, big).hexdigest(), "%s of 3 MiB" % alg)
    for klen in [0, 1, 31, 32, 63, 64, 65, 200] + [rng.randrange(0, 300) for _ in range(rounds)]:
        key = rng.randbytes(klen)
        msg = rng.randbytes(rng.randrange(0, 3000))
        check(drv.out("hmac", key.hex(), msg.hex()).strip() == hmac.new(key, msg, hashlib.sha256).hexdigest(),
              "hmac-sha256 key %d bytes, message %d bytes" % (klen, len(msg)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    drv_path = find_driver(a.driver)
    if not drv_path:
        print("crypto_driver not found (use --driver or PROVA_CRYPTO_DRIVER)")
        print("0 passed, 1 failed")
        return 1
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "big")
    print("seed %d, driver %s" % (seed, drv_path))
    rng = random.Random(seed)
    drv = Driver(drv_path)
    with tempfile.TemporaryDirectory(prefix="prova_cross_py_") as tmp:
        for alg in ALGS:
            for fn in (prova_to_python, python_to_prova):
                try:
                    fn(drv, tmp, alg, rng, a.rounds)
                except Exception as e:  # a crash of one step is one failure, not the end of the run
                    check(False, "%s %s: %s: %s" % (fn.__name__, alg, type(e).__name__, e))
        try:
            hashes_and_hmac(drv, rng, a.rounds)
        except Exception as e:
            check(False, "hashes: %s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
