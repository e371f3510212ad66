#!/usr/bin/python3
"""prova oe attest: the OpenExecution SDKs' extension attestations that prova creates (docs/openexecution.md
"Creating attestations"), checked three ways: prova's own verifier (`prova verify --json`: valid, the check
attestations[i] ok, sdk_result.attestation_results), an independent Python implementation written here from
shared/reference/openexecution.md §5.4 (hashlib for the RFC 6962 root with the odd last node promoted and for
hash = H(timestamp); Debian python3-cryptography for the signature over the timestamp), and the JS model of the SDK
(tests/diff/oe_sdk.js verifyBundle, Node's crypto) when node is installed.

- every signature algorithm (ed25519, ed448, ecdsa-p256/p384/p521) and every hash algorithm, chains of 0, 1, 2, 3,
  4, 5 and 7 events (1 leaf; the odd counts promote a node); EdDSA timestamp signatures byte-identical to Python's;
- the reference's Merkle vectors (§6.7) through --leaves; the timestamp written as .sssZ (UTC, truncated);
- determinism (same bytes twice with --at) and no duplicate when the same attestation is added again;
- tampering each field of each attestation: exit 1, reason attestation_invalid, and the SDK's error string
  ("Attestation ContentIntegrity: invalid", "... Missing root_hash/merkle_root", ...); what nothing covers
  (tx_hash, network, block_number; removing signed_timestamp) stays valid, as in the SDKs, and is asserted so;
- refusals: a key that is not the issuer's (oe_key_mismatch), a bundle that does not verify (oe_bundle_invalid,
  exit 1), bad leaves, bad block numbers, missing options (exit 2).

Usage: test_oe_attest_cli.py PROVA"""
import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

HERE = os.path.dirname(os.path.abspath(__file__))
OE_SDK = os.path.join(HERE, "..", "diff", "oe_sdk.js")
PROVA = os.path.abspath(sys.argv[1])
NODE = shutil.which("node")

HASHES = {"sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
          "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}
ECDSA_HASH = {"ecdsa-p256": hashes.SHA256, "ecdsa-p384": hashes.SHA384, "ecdsa-p521": hashes.SHA512}

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(args, stdin=None):
    p = subprocess.run([PROVA] + args, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode()


def H(alg, data):
    return hashlib.new(HASHES[alg], data).hexdigest()


# ---- the independent model (reference §5.4) ------------------------------------------------------------------


def merkle_root(alg, leaves_hex):
    """RFC 6962 domain separation, the odd last node promoted (not duplicated); no leaves: '0' x hex length."""
    if not leaves_hex:
        return "0" * (2 * hashlib.new(HASHES[alg]).digest_size)
    level = [hashlib.new(HASHES[alg], b"\x00" + bytes.fromhex(l)).digest() for l in leaves_hex]
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                nxt.append(hashlib.new(HASHES[alg], b"\x01" + level[i] + level[i + 1]).digest())
            else:
                nxt.append(level[i])
        level = nxt
    return level[0].hex()


def sig_verify(pem, sig_alg, sig_hex, msg):
    key = serialization.load_pem_public_key(pem.encode())
    sig = bytes.fromhex(sig_hex)
    try:
        if sig_alg in ("ed25519", "ed448"):
            key.verify(sig, msg)
        else:
            key.verify(sig, msg, ec.ECDSA(ECDSA_HASH[sig_alg]()))
        return True
    except InvalidSignature:
        return False


def b64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def eddsa_sign(jwk_path, sig_alg, msg):
    jwk = json.load(open(jwk_path))
    d = b64u(jwk["d"])
    k = (ed25519.Ed25519PrivateKey if sig_alg == "ed25519" else ed448.Ed448PrivateKey).from_private_bytes(d)
    return k.sign(msg).hex()


def model_check(bundle, what):
    """Every attestation of bundle, recomputed here."""
    chain = bundle["chain"]
    alg = chain.get("hash_algorithm", "sha256")
    sig_alg = chain.get("signature_algorithm", "ed25519")
    for att in bundle["attestations"]:
        t = att["type"]
        if t == "ContentIntegrity":
            check(att["hash_algorithm"] == alg, what + ": CI hash_algorithm is the chain's")
            check(merkle_root(att["hash_algorithm"], att["leaves"]) == att["root_hash"],
                  what + ": CI root recomputed by hashlib")
        elif t == "Timestamp":
            ts = att["timestamp"]
            check(H(alg, ts.encode()) == att["hash"], what + ": Timestamp hash = H(timestamp)")
            check(sig_verify(bundle["public_key"], sig_alg, att["signed_timestamp"], ts.encode()),
                  what + ": signed_timestamp verifies with cryptography and the bundle's public_key")
        elif t == "Blockchain":
            check(att["chain_hash"] == bundle["certificate"]["chain_hash"], what + ": Blockchain chain_hash")
            check(isinstance(att["tx_hash"], str) and att["tx_hash"], what + ": Blockchain tx_hash")
        else:
            check(False, what + ": unexpected type " + t)


def sdk_js(bundle_path):
    """The JS model of the SDK's verifyBundle (Node crypto), or None without node."""
    if not NODE:
        return None
    code = ("const s=require(%s);const b=JSON.parse(require('fs').readFileSync(%s,'utf8'));"
            "process.stdout.write(JSON.stringify(s.verifyBundle(b)));") % (json.dumps(OE_SDK), json.dumps(bundle_path))
    p = subprocess.run([NODE, "-e", code], capture_output=True)
    if p.returncode != 0:
        print(p.stderr.decode())
        return {"valid": None}
    return json.loads(p.stdout)


def verify(path):
    rc, out, err = run(["verify", "--json", path])
    try:
        rep = json.loads(out)
    except ValueError:
        rep = {"valid": None, "checks": [], "sdk_result": {}}
        print(err)
    return rc, rep


def att_checks(rep):
    return [c for c in rep.get("checks", []) if c.get("check", "").startswith("attestations[")]


# ---- building bundles ------------------------------------------------------------------------------------------


def make_bundle(d, sig_alg, hash_alg, n):
    key = os.path.join(d, "k-%s.jwk" % sig_alg)
    if not os.path.exists(key):
        rc, _, err = run(["keygen", "--alg", sig_alg, "--out", key])
        assert rc == 0, err
    chain = os.path.join(d, "c-%s-%s-%d.json" % (sig_alg, hash_alg, n))
    bundle = os.path.join(d, "b-%s-%s-%d.json" % (sig_alg, hash_alg, n))
    if os.path.exists(bundle):
        return key, bundle
    rc, _, err = run(["oe", "new", "--chain", chain, "--hash-alg", hash_alg, "--sig-alg", sig_alg,
                      "--created-at", "2026-03-20T10:00:00Z", "--id", "chain-%d" % n])
    assert rc == 0, err
    for i in range(n):
        rc, _, err = run(["oe", "append", "--chain", chain, "--type", "step", "--actor", "agent-%d" % (i % 3),
                          "--created-at", "2026-03-20T10:%02d:00.5Z" % (i + 1), "-"],
                         stdin=json.dumps({"i": i, "note": "é ✓"}).encode())
        assert rc == 0, err
    rc, _, err = run(["oe", "resolve", "--chain", chain, "--at", "2026-03-20T11:00:00Z"])
    assert rc == 0, err
    rc, _, err = run(["oe", "certify", "--key", key, "--chain", chain, "--artifact-type", "run", "--artifact-ref",
                      "r-%d" % n, "--issued-at", "2026-03-20T11:00:01Z", "--certificate-id", "cert-%d" % n,
                      "--out", bundle])
    assert rc == 0, err
    return key, bundle


def attest_all(key, bundle, out):
    steps = [["--type", "content-integrity"],
             ["--type", "timestamp", "--key", key, "--at", "2026-03-20T12:00:00.987654+01:00"],
             ["--type", "blockchain", "--tx-hash", "0x" + "ab" * 32, "--network", "ethereum-sepolia",
              "--block", "5123456"]]
    src = bundle
    for s in steps:
        rc, _, err = run(["oe", "attest"] + s + ["--out", out, src])
        if rc != 0:
            return rc, err
        src = out
    return 0, ""


def main():
    d = tempfile.mkdtemp(prefix="prova-oe-attest-")
    try:
        matrix = [(s, "sha256") for s in ("ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521")]
        matrix += [("ed25519", h) for h in ("sha384", "sha512", "sha3-256", "sha3-384", "sha3-512")]
        # 1. Every algorithm, several chain lengths: all three attestations verify in prova, in the model, in JS.
        for sig_alg, hash_alg in matrix:
            for n in ((0, 1, 2, 3, 4, 5, 7) if (sig_alg, hash_alg) == ("ed25519", "sha256") else (3,)):
                what = "%s/%s/%d events" % (sig_alg, hash_alg, n)
                key, bundle = make_bundle(d, sig_alg, hash_alg, n)
                out = os.path.join(d, "a-%s-%s-%d.json" % (sig_alg, hash_alg, n))
                rc, err = attest_all(key, bundle, out)
                check(rc == 0, what + ": attest exit 0 (" + err.strip() + ")")
                if rc != 0:
                    continue
                b = json.load(open(out))
                atts = b["attestations"]
                check([a["type"] for a in atts] == ["ContentIntegrity", "Timestamp", "Blockchain"], what + ": types")
                ev_hashes = [e["event_hash"] for e in b["chain"]["events"]]
                check(atts[0]["leaves"] == ev_hashes, what + ": CI leaves are the event hashes in seq order")
                if n == 1:
                    check(atts[0]["root_hash"] == H(hash_alg, b"\x00" + bytes.fromhex(ev_hashes[0])),
                          what + ": one leaf: root = H(0x00 || leaf)")
                if n == 0:
                    check(atts[0]["root_hash"] == "0" * 64 and atts[0]["leaves"] == [],
                          what + ": no events: leaves [] and the all-zero root")
                check(atts[1]["timestamp"] == "2026-03-20T11:00:00.987Z", what + ": timestamp as .sssZ (UTC, cut)")
                if sig_alg in ("ed25519", "ed448"):
                    check(atts[1]["signed_timestamp"] == eddsa_sign(key, sig_alg, atts[1]["timestamp"].encode()),
                          what + ": EdDSA signed_timestamp byte-identical to cryptography's")
                check(atts[2] == {"type": "Blockchain", "tx_hash": "0x" + "ab" * 32, "network": "ethereum-sepolia",
                                  "block_number": 5123456, "chain_hash": b["certificate"]["chain_hash"]},
                      what + ": Blockchain record")
                for k in ("certificate", "certificate_signature", "chain", "public_key", "status"):
                    check(b[k] == json.load(open(bundle))[k], what + ": " + k + " unchanged")
                model_check(b, what)
                rc, rep = verify(out)
                check(rc == 0 and rep["valid"] is True, what + ": prova verify valid (rc %d)" % rc)
                ac = att_checks(rep)
                check(len(ac) == 3 and all(c["ok"] for c in ac), what + ": three attestation checks ok")
                res = rep.get("sdk_result", {}).get("attestation_results", [])
                check(len(res) == 3 and all(r["valid"] for r in res), what + ": sdk_result attestations valid")
                check(len(res) == 3 and res[1].get("signature_valid") is True, what + ": signature_valid true")
                js = sdk_js(out)
                if js is not None:
                    check(js.get("valid") is True and all(r["valid"] for r in js.get("attestation_results", [])),
                          what + ": the JS SDK model verifies the bundle: " + json.dumps(js)[:300])

        key, bundle = make_bundle(d, "ed25519", "sha256", 3)
        full = os.path.join(d, "a-ed25519-sha256-3.json")

        # 2. Reference §6.7 vectors through --leaves (hex of sha256("data1") ...), either case, blank lines.
        leaves = [hashlib.sha256(b"data%d" % i).hexdigest() for i in (1, 2, 3)]
        check(leaves[0] == "5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d406c9", "§6.7 leaf 1")
        for k, want in ((2, "f85c1c9e42529e980b8d1435e2cb0b01f970ce30c9754721fec8995e010fed67"),
                        (3, "bf7e817bae7621bb5ef7148a50aed3323158d73188128721d47ba778e9a37a4e")):
            lf = os.path.join(d, "leaves%d.txt" % k)
            with open(lf, "w") as f:
                f.write("\n\n".join(l.upper() if i == 0 else l for i, l in enumerate(leaves[:k])) + "\n")
            rc, out, err = run(["oe", "attest", "--type", "content-integrity", "--leaves", lf, bundle])
            check(rc == 0, "--leaves %d: exit 0 %s" % (k, err))
            if rc == 0:
                att = json.loads(out)["attestations"][0]
                check(att["root_hash"] == want, "§6.7 root of %d leaves: %s" % (k, att["root_hash"]))
                check(att["leaves"] == leaves[:k], "--leaves written lowercase")
                check(merkle_root("sha256", leaves[:k]) == want, "the model gives the §6.7 root of %d leaves" % k)
        # odd counts 5 and 7 over arbitrary leaves: prova == model
        for k in (5, 6, 7, 9):
            lv = [hashlib.sha256(b"x%d" % i).hexdigest()[: 2 * (1 + i % 40)] for i in range(k)]
            lf = os.path.join(d, "lv%d.txt" % k)
            open(lf, "w").write("\n".join(lv))
            rc, out, err = run(["oe", "attest", "--type", "content-integrity", "--leaves", lf, bundle])
            check(rc == 0 and json.loads(out)["attestations"][0]["root_hash"] == merkle_root("sha256", lv),
                  "%d leaves of mixed lengths: prova's root = the model's" % k)

        # 3. Deterministic with --at, and no duplicate.
        again = os.path.join(d, "again.json")
        attest_all(key, bundle, again)
        check(open(again, "rb").read() == open(full, "rb").read(), "same inputs, same bytes")
        for s in (["--type", "content-integrity"],
                  ["--type", "timestamp", "--key", key, "--at", "2026-03-20T11:00:00.987Z"],
                  ["--type", "blockchain", "--tx-hash", "0x" + "ab" * 32, "--network", "ethereum-sepolia",
                   "--block", "5123456"]):
            rc, out, _ = run(["oe", "attest"] + s + [full])
            check(rc == 0 and out == open(full, "rb").read(), "an equal attestation is not added twice: " + s[1])
        rc, out, _ = run(["oe", "attest", "--type", "timestamp", "--key", key, "--at", "2026-03-21T00:00:00Z", full])
        check(rc == 0 and len(json.loads(out)["attestations"]) == 4, "a second, different timestamp is added")
        inplace = os.path.join(d, "inplace.json")
        shutil.copy(bundle, inplace)
        rc, out, _ = run(["oe", "attest", "--type", "content-integrity", "--in-place", inplace])
        check(rc == 0 and out == b"" and len(json.load(open(inplace))["attestations"]) == 1, "--in-place")

        # 4. Tampering: each field breaks verification with the existing reason strings.
        base = json.load(open(full))
        sha_wrong = "f" * 64
        cases = [
            (0, lambda a: a.__setitem__("root_hash", sha_wrong), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a.__setitem__("root_hash", a["root_hash"].upper()), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a["leaves"].__setitem__(1, sha_wrong), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a["leaves"].pop(), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a["leaves"].reverse(), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a.__setitem__("leaves", []), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a.__setitem__("hash_algorithm", "sha3-256"), "Attestation ContentIntegrity: invalid"),
            (0, lambda a: a.pop("root_hash"), "Attestation ContentIntegrity: Missing root_hash/merkle_root"),
            (1, lambda a: a.__setitem__("timestamp", "2026-03-20T11:00:00.988Z"), "Attestation Timestamp: invalid"),
            (1, lambda a: a.__setitem__("hash", sha_wrong), "Attestation Timestamp: invalid"),
            (1, lambda a: a.__setitem__("signed_timestamp", ("0" if a["signed_timestamp"][0] != "0" else "1")
                                        + a["signed_timestamp"][1:]), "Attestation Timestamp: invalid"),
            (1, lambda a: a.pop("timestamp"), "Attestation Timestamp: Missing timestamp/anchored_at or hash/anchor_hash"),
            (1, lambda a: a.pop("hash"), "Attestation Timestamp: Missing timestamp/anchored_at or hash/anchor_hash"),
            (2, lambda a: a.__setitem__("chain_hash", sha_wrong), "Attestation Blockchain: invalid"),
            (2, lambda a: a.pop("tx_hash"), "Attestation Blockchain: Missing tx_hash"),
            (2, lambda a: a.__setitem__("type", "Anchor"), "Attestation Anchor: Unknown attestation type: Anchor"),
        ]
        for idx, mutate, want in cases:
            b = copy.deepcopy(base)
            mutate(b["attestations"][idx])
            p = os.path.join(d, "t.json")
            json.dump(b, open(p, "w"))
            rc, rep = verify(p)
            ac = att_checks(rep)
            errs = rep.get("sdk_result", {}).get("errors", [])
            what = "tamper attestations[%d] -> %s" % (idx, want)
            check(rc == 1 and rep["valid"] is False, what + ": exit 1, invalid (rc %d)" % rc)
            check(len(ac) == 3 and not ac[idx]["ok"] and ac[idx]["code"] == "attestation_invalid",
                  what + ": check attestations[%d] attestation_invalid" % idx)
            check(errs == [want], what + ": sdk errors " + json.dumps(errs))
            js = sdk_js(p)
            if js is not None:
                check(js.get("valid") is False and js.get("errors") == [want], what + ": JS model " + json.dumps(js)[:200])
        # What no check covers (SDK semantics, documented): still valid.
        for idx, mutate, what in [
            (2, lambda a: a.__setitem__("tx_hash", "0xdead"), "tx_hash edited"),
            (2, lambda a: a.__setitem__("network", "mainnet"), "network edited"),
            (2, lambda a: a.__setitem__("block_number", 1), "block_number edited"),
            (1, lambda a: a.pop("signed_timestamp"), "signed_timestamp removed (signature_valid null)"),
        ]:
            b = copy.deepcopy(base)
            mutate(b["attestations"][idx])
            p = os.path.join(d, "t.json")
            json.dump(b, open(p, "w"))
            rc, rep = verify(p)
            check(rc == 0 and rep["valid"] is True, "uncovered: " + what + " stays valid")
        b = copy.deepcopy(base)
        b["attestations"][1].pop("signed_timestamp")
        json.dump(b, open(p, "w"))
        rc, rep = verify(p)
        check(rep["sdk_result"]["attestation_results"][1]["signature_valid"] is None, "no signature: null")

        # A timestamp signed by another key of the same algorithm does not verify.
        other = os.path.join(d, "other.jwk")
        run(["keygen", "--out", other])
        rc, _, err = run(["oe", "attest", "--type", "timestamp", "--key", other, bundle])
        check(rc == 2 and "oe_key_mismatch" in err, "another key: refused (oe_key_mismatch): " + err)
        b = copy.deepcopy(base)
        jwk = json.load(open(other))
        sk = ed25519.Ed25519PrivateKey.from_private_bytes(b64u(jwk["d"]))
        b["attestations"][1]["signed_timestamp"] = sk.sign(b["attestations"][1]["timestamp"].encode()).hex()
        json.dump(b, open(p, "w"))
        rc, rep = verify(p)
        check(rc == 1 and rep["sdk_result"]["attestation_results"][1]["signature_valid"] is False,
              "a timestamp signed by another key: signature_valid false")

        # 5. Refusals.
        bad = copy.deepcopy(json.load(open(bundle)))
        bad["chain"]["events"][1]["payload"]["i"] = 99
        badp = os.path.join(d, "bad.json")
        json.dump(bad, open(badp, "w"))
        rc, _, err = run(["oe", "attest", "--type", "content-integrity", badp])
        check(rc == 1 and "oe_bundle_invalid" in err, "a bundle that does not verify: exit 1 oe_bundle_invalid")
        rc, _, err = run(["oe", "attest", "--type", "content-integrity", "--out", os.path.join(d, "x.json"), p])
        check(rc == 1 and "oe_bundle_invalid" in err, "a bundle with an invalid attestation: refused")
        for args, want in [
            (["--type", "content-integrity", "--leaves", "LEAVES_ODD"], "oe_leaf_invalid"),
            (["--type", "content-integrity", "--leaves", "LEAVES_NOTHEX"], "oe_leaf_invalid"),
            (["--type", "blockchain", "--tx-hash", "x", "--block", "9007199254740992"], "oe_attest_blockchain"),
            (["--type", "blockchain", "--tx-hash", "x", "--block", "-1"], "--block"),
            (["--type", "blockchain", "--tx-hash", "x", "--block", "12a"], "--block"),
            (["--type", "blockchain", "--tx-hash", "a\tb"], "oe_attest_blockchain"),
            (["--type", "blockchain"], "--tx-hash"),
            (["--type", "timestamp"], "--key"),
            (["--type", "timestamp", "--key", key, "--at", "2026-03-20T10:00:00"], "oe_timestamp_invalid"),
            (["--type", "content-integrity", "--key", key], "--key"),
            (["--type", "merkle"], "--type"),
        ]:
            args = [a.replace("LEAVES_ODD", os.path.join(d, "odd.txt")).replace("LEAVES_NOTHEX",
                                                                                os.path.join(d, "nothex.txt"))
                    for a in args]
            open(os.path.join(d, "odd.txt"), "w").write("abc\n")
            open(os.path.join(d, "nothex.txt"), "w").write("zz\n")
            rc, _, err = run(["oe", "attest"] + args + [bundle])
            check(rc == 2 and want in err, "refused %s: exit 2 naming %s (%d %s)" % (args, want, rc, err.strip()))
        rc, _, err = run(["oe", "attest", "--type", "content-integrity", os.path.join(d, "c-ed25519-sha256-3.json")])
        check(rc == 2 and "oe_schema" in err, "a chain record is not a bundle: oe_schema")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if failed:
        print("%d passed, %d failed" % (passed, failed))
        return 1
    print("test_oe_attest_cli.py: %d checks ok%s" % (passed, "" if NODE else " (node not found: no JS model)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
