#!/usr/bin/env python3
"""Log proofs in exports (docs/tlog.md, "Proofs in exports"): `prova log attach` and `prova verify --log-key`.

The log is built here, independently of prova's library: each receipt's entry (prova-log-entry/v1, JCS) is
recomputed from the documented format, leaf and node hashes with hashlib (RFC 6962), inclusion proofs by RFC 6962
§2.1.1, the checkpoint signed as a C2SP signed note with python3-cryptography (Ed25519, key ID = SHA-256(name ‖ 0x0A
‖ type ‖ key)[:4]), a witness's cosignature/v1 (type 0x04, timestamped). Then: valid, tampered record, index
mismatch, wrong log key, unknown log, quorum not met/met, malformed proof, missing proof (warning, then failure with
--require-log-proof), unchecked without a key, and the record's own checks unchanged.
Usage: test_logproof_cli.py PROVA"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PROVA = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "data")
T = tempfile.mkdtemp(prefix="prova-logproof-")
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name} {detail}", file=sys.stderr)


def run(*args, stdin=None):
    p = subprocess.run([PROVA, *args], input=stdin, capture_output=True, cwd=T)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def path(name):
    return os.path.join(T, name)


def write(name, data):
    with open(path(name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path(name)


# ---- a signed OPE bundle of 3 receipts, made with prova -----------------------------------------------------------
for k in ("s", "g"):
    assert run("keygen", "--out", path(k + ".jwk"))[0] == 0
write("sj.json", run("jwks", path("s.jwk"))[1])
write("gj.json", run("jwks", path("g.jwk"))[1])
for i in range(3):
    write(f"p{i}.json", json.dumps({"n": i}))
    rc, env, err = run("pack", "--key", path("s.jwk"), "--trace-id", "t-1", "--payload-type", "a.v1",
                       "--target-type", "b.v1", path(f"p{i}.json"))
    assert rc == 0, err
    write(f"e{i}.json", env)
    rc, _, err = run("receipt", "append", "--key", path("g.jwk"), "--chain", path("c.jsonl"), "--sender-jwks",
                     path("sj.json"), "--no-skew", path(f"e{i}.json"))
    assert rc == 0, err
rc, bundle_text, err = run("bundle", "--key", path("g.jwk"), "--chain", path("c.jsonl"), "--trace-id", "t-1")
assert rc == 0, err
write("bundle.json", bundle_text)
receipts = json.loads(bundle_text)["bundle"]["receipts"]


# ---- the log, in Python ---------------------------------------------------------------------------------------------
def jcs(v):  # ASCII strings and integers only: JCS = sorted keys, no whitespace
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_of_receipt(r):  # docs/tlog.md, "Format prova-log-entry/v1"
    return jcs({"digest": "sha256:" + r["receipt_hash"], "family": "ope", "format": "prova-log-entry/v1",
                "hop": r["hop"], "kind": "receipt", "time": r["ts"], "trace_id": r["trace_id"]})


def leaf(e):
    return hashlib.sha256(b"\x00" + e).digest()


def node(a, b):
    return hashlib.sha256(b"\x01" + a + b).digest()


def mth(ls):
    if len(ls) == 1:
        return ls[0]
    k = 1
    while k * 2 < len(ls):
        k *= 2
    return node(mth(ls[:k]), mth(ls[k:]))


def path_of(m, ls):  # RFC 6962 §2.1.1 PATH(m, D[n])
    if len(ls) == 1:
        return []
    k = 1
    while k * 2 < len(ls):
        k *= 2
    return path_of(m, ls[:k]) + [mth(ls[k:])] if m < k else path_of(m - k, ls[k:]) + [mth(ls[:k])]


def inclusion_ok(index, size, lf, proof, root):  # RFC 9162 §2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, lf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


class NoteKey:
    def __init__(self, name, typ):
        self.name, self.typ = name, typ
        self.sk = Ed25519PrivateKey.generate()
        self.pub = self.sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.kid = hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + self.pub).digest()[:4]

    def vkey(self):
        return f"{self.name}+{self.kid.hex()}+{base64.b64encode(bytes([self.typ]) + self.pub).decode()}"

    def line(self, text, t=1767225600):
        if self.typ == 1:
            sig = self.sk.sign(text)
        else:
            ts = t.to_bytes(8, "big")
            sig = ts + self.sk.sign(b"cosignature/v1\ntime %d\n" % t + text)
        return f"— {self.name} {base64.b64encode(self.kid + sig).decode()}\n".encode()


ORIGIN = "example.com/prova-test-log"
log_key = NoteKey(ORIGIN, 1)
wit1 = NoteKey("witness1.example", 4)
wit2 = NoteKey("witness2.example", 4)

# 2 unrelated entries, then the 3 receipts, then 2 more: the receipts are entries 2, 3, 4 of a tree of 7.
others = [jcs({"filler": i}) for i in range(4)]
entries = others[:2] + [entry_of_receipt(r) for r in receipts] + others[2:]
leaves = [leaf(e) for e in entries]
root = mth(leaves)
cp_text = f"{ORIGIN}\n{len(leaves)}\n{base64.b64encode(root).decode()}\n".encode()
signed = cp_text + b"\n" + log_key.line(cp_text)
cosigned = signed + wit1.line(cp_text)


def proof_text(index, cp=signed, hashes=None):
    hs = path_of(index, leaves) if hashes is None else hashes
    lines = "".join(base64.b64encode(h).decode() + "\n" for h in hs)
    return f"c2sp.org/tlog-proof@v1\nindex {index}\n{lines}\n".encode() + cp


# The independent check of the format itself: one record's leaf hash from the documented entry, its proof verified.
check("python: receipt 1's proof reaches the root", inclusion_ok(3, len(leaves), leaf(entry_of_receipt(receipts[1])),
                                                                 path_of(3, leaves), root))

for i in range(3):
    write(f"r{i}.tlog-proof", proof_text(2 + i))
    write(f"w{i}.tlog-proof", proof_text(2 + i, cosigned))
write("log.vkey", log_key.vkey() + "\n")
other_key = NoteKey(ORIGIN, 1)  # same name, another key
stranger = NoteKey("example.org/another-log", 1)
write("policy1", f"log {log_key.vkey()}\nwitness w1 {wit1.vkey()}\nwitness w2 {wit2.vkey()}\n"
                 "group g1 1 w1 w2\nquorum g1\n")
write("policy2", f"log {log_key.vkey()}\nwitness w1 {wit1.vkey()}\nwitness w2 {wit2.vkey()}\n"
                 "group g2 all w1 w2\nquorum g2\n")


def verify(doc, *opts):
    rc, out, err = run("verify", "--json", "--jwks", path("gj.json"), *opts, doc)
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {"_out": out, "_err": err}


def log_checks(rep):
    return [c for c in rep.get("checks", []) if c["check"] == "log_inclusion"]


def codes(rep):
    return sorted(c["code"] for c in log_checks(rep))


def attach(out, *proofs, doc="bundle.json"):
    args = ["log", "attach"]
    for p in proofs:
        args += ["--proof", path(p)]
    return run(*args, "--out", path(out), path(doc))


# ---- attach, then verify --------------------------------------------------------------------------------------------
rc, _, err = attach("withproofs.json", "r2.tlog-proof", "r0.tlog-proof", "r1.tlog-proof")
check("attach: exit 0", rc == 0, err)
doc = json.load(open(path("withproofs.json")))
items = doc.get("tlog_proofs", [])
check("attach: one item per record, matched", sorted((x["record"], x["log_index"], x["kind"]) for x in items) ==
      [("/bundle/receipts/0", 2, "receipt"), ("/bundle/receipts/1", 3, "receipt"), ("/bundle/receipts/2", 4, "receipt")],
      str(items))
check("attach: bytes before the member unchanged",
      open(path("withproofs.json")).read().startswith(bundle_text.rstrip().rstrip("}")))

rc, rep = verify(path("withproofs.json"), "--log-key", log_key.vkey())
check("valid: exit 0", rc == 0, str(rep)[:2000])
check("valid: one ok log_inclusion per record", codes(rep) == ["ok"] * 3 and
      sorted(c["at"] for c in log_checks(rep)) == ["/bundle/receipts/0", "/bundle/receipts/1", "/bundle/receipts/2"],
      str(log_checks(rep)))
check("valid: the record's own checks still pass", all(c["ok"] for c in rep.get("checks", [])) and
      any(c["check"] == "bundle.signature" and c["ok"] for c in rep.get("checks", [])))
check("valid: tlog_proofs reported unauthenticated", "tlog_proofs" in rep.get("unauthenticated_fields", []),
      str(rep.get("unauthenticated_fields")))
rc, rep = verify(path("withproofs.json"), "--log-key", path("log.vkey"))
check("log key from a file", rc == 0 and codes(rep) == ["ok"] * 3)

rc, rep = verify(path("withproofs.json"))
check("no log key: valid, proofs unchecked (warning)", rc == 0 and not log_checks(rep) and
      any(w["code"] == "log_proof_unchecked" for w in rep.get("warnings", [])), str(rep.get("warnings")))

rc, rep = verify(path("withproofs.json"), "--log-key", other_key.vkey())
check("wrong log key: checkpoint_signature_invalid", rc == 1 and codes(rep) == ["checkpoint_signature_invalid"] * 3,
      str(codes(rep)))
rc, rep = verify(path("withproofs.json"), "--log-key", stranger.vkey())
check("another log's key: checkpoint_origin_unknown", rc == 1 and codes(rep) == ["checkpoint_origin_unknown"] * 3,
      str(codes(rep)))

# tampered record: its entry changes (ts), so its leaf is not in the log
tampered = json.loads(open(path("withproofs.json")).read())
tampered["bundle"]["receipts"][1]["ts"] = "2020-01-01T00:00:00+00:00"
write("tampered.json", json.dumps(tampered))
rc, rep = verify(path("tampered.json"), "--log-key", log_key.vkey())
bad = [c for c in log_checks(rep) if not c["ok"]]
check("tampered record: exit 1, log_inclusion_invalid for it", rc == 1 and len(bad) == 1 and
      bad[0]["code"] == "log_inclusion_invalid" and bad[0]["at"] == "/bundle/receipts/1", str(log_checks(rep)))

# the item says another index than its proof
mism = json.loads(open(path("withproofs.json")).read())
mism["tlog_proofs"][0]["log_index"] += 1
write("mismatch.json", json.dumps(mism))
rc, rep = verify(path("mismatch.json"), "--log-key", log_key.vkey())
check("log_index mismatch", rc == 1 and "log_index_mismatch" in codes(rep), str(codes(rep)))

# a proof of another index, carried for receipt 0
swap = json.loads(open(path("withproofs.json")).read())
p0 = next(x for x in swap["tlog_proofs"] if x["record"] == "/bundle/receipts/0")
p0["proof"] = proof_text(3).decode()
p0["log_index"] = 3
write("swap.json", json.dumps(swap))
rc, rep = verify(path("swap.json"), "--log-key", log_key.vkey())
check("proof of another record's entry: log_inclusion_invalid", rc == 1 and "log_inclusion_invalid" in codes(rep))

# malformed proof text
mal = json.loads(open(path("withproofs.json")).read())
mal["tlog_proofs"][1]["proof"] = "c2sp.org/tlog-proof@v1\nindex x\n"
write("malformed.json", json.dumps(mal))
rc, rep = verify(path("malformed.json"), "--log-key", log_key.vkey())
check("malformed proof: exit 1, log_proof_malformed", rc == 1 and "log_proof_malformed" in codes(rep),
      str(codes(rep)))
mal2 = json.loads(open(path("withproofs.json")).read())
mal2["tlog_proofs"] = {"no": "array"}
write("malformed2.json", json.dumps(mal2))
rc, rep = verify(path("malformed2.json"), "--log-key", log_key.vkey())
check("tlog_proofs not an array: log_proof_malformed", rc == 1 and "log_proof_malformed" in codes(rep))

# missing proofs
rc, _, err = attach("partial.json", "r0.tlog-proof")
check("attach one proof", rc == 0, err)
rc, rep = verify(path("partial.json"), "--log-key", log_key.vkey())
check("missing proof: a warning, still valid", rc == 0 and
      sum(w["code"] == "log_proof_missing" for w in rep.get("warnings", [])) == 2, str(rep.get("warnings")))
rc, rep = verify(path("partial.json"), "--log-key", log_key.vkey(), "--require-log-proof")
check("--require-log-proof: missing fails", rc == 1 and codes(rep).count("log_proof_missing") == 2)
rc, rep = verify(path("bundle.json"), "--log-key", log_key.vkey(), "--require-log-proof")
check("--require-log-proof on a bundle without proofs", rc == 1 and codes(rep) == ["log_proof_missing"] * 3)
rc, _, _ = run("verify", "--require-log-proof", path("bundle.json"))
check("--require-log-proof without a key: usage", rc == 2)

# witness policies: quorum 1 of 2 met by one cosignature; all of 2 not met
rc, _, err = attach("witnessed.json", "w0.tlog-proof", "w1.tlog-proof", "w2.tlog-proof")
check("attach cosigned proofs", rc == 0, err)
rc, rep = verify(path("witnessed.json"), "--witness-policy", path("policy1"))
check("policy quorum 1: valid", rc == 0 and codes(rep) == ["ok"] * 3, str(codes(rep)))
rc, rep = verify(path("witnessed.json"), "--log-key", log_key.vkey(), "--witness-policy", path("policy2"))
check("policy quorum 2 with one cosignature: witness_quorum_not_met",
      rc == 1 and codes(rep) == ["witness_quorum_not_met"] * 3, str(codes(rep)))
rc, rep = verify(path("withproofs.json"), "--witness-policy", path("policy1"))
check("policy quorum 1, no cosignature: witness_quorum_not_met", rc == 1 and
      codes(rep) == ["witness_quorum_not_met"] * 3)
write("badpolicy", "quorum\n")
rc, rep = verify(path("withproofs.json"), "--witness-policy", path("badpolicy"))
check("malformed policy: exit 2", rc == 2, str(rep)[:300])
rc, rep = verify(path("withproofs.json"), "--log-key", "not-a-vkey")
check("malformed log key: exit 2", rc == 2)

# attach refusals
rc, _, err = attach("x.json", "r0.tlog-proof", "r0.tlog-proof")
check("attach: two proofs of one record refused", rc == 2 and "log_proof_duplicate" in err, err)
write("foreign.tlog-proof", proof_text(0))
rc, _, err = attach("x.json", "foreign.tlog-proof")
check("attach: a proof of no record refused", rc == 2 and "log_proof_no_record" in err, err)
rc, _, err = attach("x.json", "r0.tlog-proof", doc="withproofs.json")
check("attach: a document with proofs already refused", rc == 2 and "log_proofs_present" in err, err)
write("bad.tlog-proof", "not a proof\n")
rc, _, err = attach("x.json", "bad.tlog-proof")
check("attach: a malformed proof refused", rc == 2, err)

# ---- an OpenExecution offline bundle: the certificate and each event --------------------------------------------------
from cryptography.hazmat.primitives import serialization  # noqa: E402

ik = Ed25519PrivateKey.generate()
write("issuer.pem", ik.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
C = path("chain.json")
assert run("oe", "new", "--chain", C, "--chain-type", "resource_audit", "--origin-type", "github", "--origin-id",
           "o/r", "--created-at", "2026-03-20T09:59:59Z")[0] == 0
for i in range(2):
    write(f"op{i}.json", json.dumps({"i": i}))
    r = run("oe", "append", "--chain", C, "--type", "step", "--actor", "a", "--created-at",
            f"2026-03-20T10:00:0{i}.000Z", path(f"op{i}.json"))
    assert r[0] == 0, r[2]
assert run("oe", "resolve", "--chain", C, "--at", "2026-03-20T11:05:00Z")[0] == 0
r = run("oe", "certify", "--key", path("issuer.pem"), "--chain", C, "--artifact-type", "run", "--artifact-ref", "x",
        "--issued-at", "2026-03-20T11:05:01Z", "--certificate-id", "cert-1", "--out", path("oe.json"))
assert r[0] == 0, r[2]
oe = json.load(open(path("oe.json")))
cert = oe["certificate"]
oe_entries = [jcs({"certificate_id": "cert-1", "chain_id": cert["chain_id"],
                   "digest": "sha256:" + hashlib.sha256(jcs(cert)).hexdigest(), "family": "oe",
                   "format": "prova-log-entry/v1", "kind": "certificate", "time": cert["issued_at"]})]
alg = oe["chain"].get("hash_algorithm", "sha256")
for ev in oe["chain"]["events"]:
    oe_entries.append(jcs({"chain_id": ev["chain_id"], "digest": f"{alg}:" + ev["event_hash"], "family": "oe",
                           "format": "prova-log-entry/v1", "kind": "event", "seq": ev["seq"],
                           "time": ev["created_at"]}))
leaves = [leaf(e) for e in [others[0]] + oe_entries[1:] + [oe_entries[0]]]  # events 1, 2, then the certificate
root = mth(leaves)
cp_text = f"{ORIGIN}\n{len(leaves)}\n{base64.b64encode(root).decode()}\n".encode()
signed = cp_text + b"\n" + log_key.line(cp_text)
for i in range(len(leaves) - 1):
    write(f"oe{i}.tlog-proof", proof_text(1 + i, signed))
rc, _, err = attach("oe_proofs.json", *[f"oe{i}.tlog-proof" for i in range(len(leaves) - 1)], doc="oe.json")
check("oe: attach certificate and events", rc == 0, err)
items = json.load(open(path("oe_proofs.json"))).get("tlog_proofs", [])
check("oe: items", sorted((x["kind"], x["record"], x["log_index"]) for x in items) ==
      [("certificate", "", 3), ("event", "/chain/events/0", 1), ("event", "/chain/events/1", 2)], str(items))
rc, out, err = run("verify", "--json", "--key", path("issuer.pem"), "--log-key", log_key.vkey(),
                   "--require-log-proof", path("oe_proofs.json"))
rep = json.loads(out) if out else {}
check("oe: valid with every record proved", rc == 0 and codes(rep) == ["ok"] * 3, out[:3000] + err)
check("oe: the bundle's own checks still pass", all(c["ok"] for c in rep.get("checks", [])))
tam = json.load(open(path("oe_proofs.json")))
tam["certificate"]["artifact_ref"] = "y"
write("oe_tampered.json", json.dumps(tam))
rc, rep = verify(path("oe_tampered.json"), "--log-key", log_key.vkey())
check("oe: a changed certificate is not the logged one",
      rc == 1 and any(c["code"] == "log_inclusion_invalid" and c["at"] == "" for c in log_checks(rep)),
      str(log_checks(rep)))

# Proofs beside the document (--log-proof FILE): a proof record cannot carry its proof (its seal covers every
# top-level member), so its proof travels as a .tlog-proof file; a bundle's proofs can travel that way too.
rc, pid, err = run("proof", "id", os.path.join(DATA, "proof_minimal.json"))
assert rc == 0, err
pr = json.load(open(os.path.join(DATA, "proof_minimal.json")))
pr_entry = jcs({"digest": "sha256:" + pid.strip(), "family": "proof", "format": "prova-log-entry/v1",
                "kind": "proof_record", "time": pr["identity"]["created_at"]})
leaves = [leaf(others[0]), leaf(pr_entry), leaf(others[1])]
root = mth(leaves)
cp_text = f"{ORIGIN}\n{len(leaves)}\n{base64.b64encode(root).decode()}\n".encode()
signed = cp_text + b"\n" + log_key.line(cp_text)
write("pr.tlog-proof", proof_text(1, signed))
write("pr_other.tlog-proof", proof_text(2, signed))
rc, rep = verify(os.path.join(DATA, "proof_minimal.json"), "--default-key", "--log-key", log_key.vkey(),
                 "--log-proof", path("pr.tlog-proof"), "--require-log-proof")
check("sidecar: a proof record's proof beside it", codes(rep) == ["ok"] and log_checks(rep)[0]["at"] == "",
      str(log_checks(rep)))
pr["verdict"] = {"tampered": True}
write("pr_tampered.json", json.dumps(pr))
rc, rep = verify(path("pr_tampered.json"), "--default-key", "--log-key", log_key.vkey(), "--log-proof",
                 path("pr.tlog-proof"))
check("sidecar: a changed proof record is not the logged one",
      rc == 1 and codes(rep) == ["log_inclusion_invalid"], str(log_checks(rep)))
rc, rep = verify(os.path.join(DATA, "proof_minimal.json"), "--default-key", "--log-key", log_key.vkey(),
                 "--log-proof", path("pr_other.tlog-proof"))
check("sidecar: another entry's proof", rc == 1 and codes(rep) == ["log_inclusion_invalid"], str(log_checks(rep)))
rc, rep = verify(os.path.join(DATA, "proof_minimal.json"), "--default-key", "--log-proof", path("pr.tlog-proof"))
check("sidecar: without a key, unchecked", "log_proof_unchecked" in [w.get("code") for w in rep.get("warnings", [])]
      and not log_checks(rep), str(rep.get("warnings")))
rc, rep = verify(path("bundle.json"), "--log-key", log_key.vkey(), "--require-log-proof",
                 *sum((["--log-proof", path(f"r{i}.tlog-proof")] for i in range(3)), []))
check("sidecar: a bundle's three proofs beside it", rc == 0 and codes(rep) == ["ok"] * 3, str(log_checks(rep)))
rc, rep = verify(path("bundle.json"), "--log-key", log_key.vkey(), "--log-proof", path("r0.tlog-proof"),
                 "--log-proof", path("r0.tlog-proof"))
check("sidecar: the same proof twice", rc == 1 and "log_proof_malformed" in codes(rep), str(log_checks(rep)))

# A wrapper carries the proofs of the record inside it: a bundle with tlog_proofs, exported as DSSE, verifies with one
# log_inclusion check per receipt (the envelope's own layer has no records of its own); sidecars apply inside too.
for src, out in (("withproofs.json", "withproofs.dsse.json"), ("bundle.json", "bundle.dsse.json")):
    rc, _, err = run("export", "--to", "dsse", "--jwks", path("gj.json"), "--sign-key", path("g.jwk"), "--out",
                     path(out), path(src))
    assert rc == 0, err
rc, rep = verify(path("withproofs.dsse.json"), "--log-key", log_key.vkey(), "--require-log-proof")
check("dsse: the bundle's embedded proofs are checked inside the envelope",
      rc == 0 and codes(rep) == ["ok"] * 3, str(log_checks(rep)))
rc, rep = verify(path("bundle.dsse.json"), "--log-key", log_key.vkey(), "--require-log-proof",
                 *sum((["--log-proof", path(f"r{i}.tlog-proof")] for i in range(3)), []))
check("dsse: sidecar proofs of the records inside the envelope", rc == 0 and codes(rep) == ["ok"] * 3,
      str(log_checks(rep)))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
