"""OPE, OpenExecution and proof records: builders cross-checked with hashlib, hmac, json and cryptography; round
trips through verify(); tampering detected with the right reason codes."""
import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

import prova
from prova import oe, ope, proof

T0, T1, T2, T3 = ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z")
SEED = bytes(range(1, 33))


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def ope_canon(v):  # the ope profile for values with ASCII keys (Python json, sort_keys, compact)
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.fixture
def key():
    return prova.Key.from_ed25519_seed(SEED)


def crypto_pub():
    return ed25519.Ed25519PrivateKey.from_private_bytes(SEED).public_key()


def test_envelope_signature_checked_by_cryptography(key):
    payload = {"amount": 1.0, "n": 2, "s": "é"}
    env = json.loads(ope.pack_envelope(key, payload, payload_type="t.req", target_type="bank", trace_id="tr-1", ts=T0))
    assert env["cid"] == prova.cid(payload) == "sha256:" + hashlib.sha256(ope_canon(payload)).hexdigest()
    assert env["payload"] == payload and isinstance(env["payload"]["amount"], float)
    msg = ope.signing_string(env["cid"], "tr-1", T0)
    assert msg == ("%s|tr-1|%s" % (env["cid"], T0)).encode()
    crypto_pub().verify(b64u_dec(env["sig"]), msg)
    rep = prova.verify(env, keys=[key], now=T0)
    assert rep.valid and rep.outcome == "valid" and rep.kind == "ope_envelope" and bool(rep)
    assert "payload_type" in rep.unauthenticated_fields


@pytest.mark.parametrize("dialect", ["prova", "ope-lib", "starter"])
def test_envelope_dialects_round_trip_and_tamper(key, dialect):
    env = ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts=T0, dialect=dialect)
    trust = {"trust_embedded_key": True} if dialect == "starter" else {"keys": [key]}
    assert prova.verify(env, now=T0, **trust).valid
    bad = json.loads(env)
    bad["payload"]["a"] = 2
    rep = prova.verify(bad, now=T0, **trust)
    assert not rep.valid and rep.outcome == "invalid" and not bool(rep)
    assert rep.failed_codes and set(rep.failed_codes) <= {"cid_mismatch", "signature_invalid"}


def test_envelope_untrusted_and_errors(key):
    env = ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts=T0)
    assert prova.verify(env, now=T0).failed_codes == ["kid_not_found"]
    bad = json.loads(env)
    bad["trace_id"] = "other"
    assert prova.verify(bad, keys=[key], now=T0).failed_codes == ["signature_invalid"]
    with pytest.raises(prova.InvalidArgumentError) as e:
        ope.pack_envelope(key, [1], payload_type="p", target_type="t", ts=T0)
    assert e.value.code == "payload_not_object"
    with pytest.raises(prova.ParseError) as e:
        ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts="yesterday")
    assert e.value.code == "ts_invalid"
    with pytest.raises(prova.KeyMaterialError):
        ope.pack_envelope(key.public_key(), {"a": 1}, payload_type="p", target_type="t", ts=T0)


def test_receipts_and_bundles(key):
    r0 = ope.build_receipt(key, None, trace_id="tr", request_cid=prova.cid({"i": 0}), ts=T0)
    r1 = ope.build_receipt(key, r0, trace_id="tr", request_cid=prova.cid({"i": 1}), ts=T1)
    d0, d1 = json.loads(r0), json.loads(r1)
    body = {k: v for k, v in d0.items() if k not in ("receipt_hash", "receipt_signature")}
    assert d0["receipt_hash"] == hashlib.sha256(ope_canon(body)).hexdigest()
    crypto_pub().verify(b64u_dec(d0["receipt_signature"]), ope_canon(body))
    assert d1["hop"] == 1 and d1["prev_receipt_hash"] == d0["receipt_hash"]
    for form in ope.BUNDLE_FORMS:
        b = ope.build_bundle(key, "tr", T2, [r0, d1], form)
        rep = prova.verify(b, keys=[key], now=T3)
        assert rep.valid and rep.kind == "ope_bundle", (form, rep.failed_codes)
    b = json.loads(ope.build_bundle(key, "tr", T2, [r0, r1]))
    b["bundle"]["receipts"][1]["hop"] = 5
    assert "receipt_hash_mismatch" in prova.verify(b, keys=[key], now=T3).failed_codes
    chain = b"\n".join([r0, r1]) + b"\n"  # a receipt chain as JSON Lines
    rep = prova.verify(chain, keys=[key], now=T3)
    assert rep.valid and rep.kind == "ope_receipt_chain"


def test_openexecution_chain_certificate(key):
    c = oe.chain_new(created_at=T0, id="chain-1")
    c = oe.chain_append(c, event_type="tool_completed", actor_id="agent-7", created_at=T1, payload={"x": 1.5})
    c = oe.chain_append(c, event_type="tool_completed", created_at=T2, payload={"x": 2})
    c = oe.chain_resolve(c, T2)
    cd = json.loads(c)
    evs = cd["events"]
    # event hash = sha256 of JCS({seq, event_type, actor_id || "system", timestamp, payload, prev_hash})
    for i, ev in enumerate(evs):
        jcs = json.dumps({"seq": ev["seq"], "event_type": ev["event_type"], "actor_id": ev["actor_id"] or "system",
                          "timestamp": ev["created_at"], "payload": ev["payload"], "prev_hash": ev["prev_hash"]},
                         sort_keys=True, separators=(",", ":")).encode()
        assert oe.event_input(ev) == jcs
        assert ev["event_hash"] == hashlib.sha256(jcs).hexdigest() == oe.event_hash(ev)
        assert ev["prev_hash"] == (oe.genesis() if i == 0 else evs[i - 1]["event_hash"])
    assert cd["chain_hash"] == hashlib.sha256("".join(e["event_hash"] for e in evs).encode()).hexdigest()
    bundle, certified = oe.certify(key, c, artifact_type="agent_run", artifact_ref="run-42", issued_at=T3)
    bd = json.loads(bundle)
    jcs = prova.canonicalize_json(json.dumps(bd["certificate"]), "jcs")
    crypto_pub().verify(bytes.fromhex(bd["certificate_signature"]), jcs)
    assert json.loads(certified)["status"] == "certified"
    rep = prova.verify(bundle, keys=[key], now=T3)
    assert rep.valid and rep.kind == "oe_bundle" and rep.sdk_result is not None
    assert prova.verify(c, now=T3).kind == "oe_chain"
    bd["chain"]["events"][0]["payload"]["x"] = 9.5
    assert not prova.verify(bd, keys=[key], now=T3).valid
    revoked = oe.set_status(key, bundle, "revoked", at=T3, reason="compromised")
    assert "certificate_revoked" in prova.verify(revoked, keys=[key], now=T3).failed_codes
    with pytest.raises(prova.ProvaError) as e:
        oe.chain_append(certified, event_type="x", created_at=T3)
    assert e.value.code == "oe_chain_not_open"
    with pytest.raises(prova.ParseError) as e:
        oe.event_hash({"seq": 1, "event_type": "x"})
    assert e.value.code == "oe_timestamp_invalid"
    other = prova.Key.generate("ecdsa-p256")
    with pytest.raises(prova.ProvaError):
        oe.certify(other, c, artifact_type="a", artifact_ref="r", issued_at=T3)


def test_oe_rows_and_merkle():
    e1 = oe.event_build("c", None, event_type="a", created_at=T0, hash_alg="sha384")
    e2 = oe.event_build("c", e1, event_type="b", created_at=T1, hash_alg="sha384")
    assert json.loads(e2)["prev_hash"] == json.loads(e1)["event_hash"] and len(json.loads(e1)["event_hash"]) == 96
    rep = prova.verify(e1 + b"\n" + e2 + b"\n", hash_alg="sha384", now=T1)
    assert rep.valid, rep.failed_codes
    leaves = [hashlib.sha256(b"x").hexdigest(), hashlib.sha256(b"y").hexdigest()]
    lh = [hashlib.sha256(b"\0" + bytes.fromhex(x)).digest() for x in leaves]
    assert oe.merkle_root(leaves) == hashlib.sha256(b"\1" + lh[0] + lh[1]).hexdigest()


def test_oe_attest(key):
    c = oe.chain_new(created_at=T0, id="c-attest")
    for i in range(3):
        c = oe.chain_append(c, event_type="step", created_at=T1, payload={"i": i})
    c = oe.chain_resolve(c, T2)
    bundle, _ = oe.certify(key, c, artifact_type="run", artifact_ref="r", issued_at=T3)
    b = oe.attest(bundle, "content-integrity")
    b = oe.attest(b, "timestamp", key=key, at=T3)
    b = oe.attest(b, "blockchain", tx_hash="0xabc", network="sepolia", block_number=7)
    atts = json.loads(b)["attestations"]
    hashes = [e["event_hash"] for e in json.loads(b)["chain"]["events"]]
    lh = [hashlib.sha256(b"\0" + bytes.fromhex(x)).digest() for x in hashes]
    root = hashlib.sha256(b"\1" + hashlib.sha256(b"\1" + lh[0] + lh[1]).digest() + lh[2]).hexdigest()
    assert atts[0]["leaves"] == hashes and atts[0]["root_hash"] == root
    ts = atts[1]["timestamp"]
    assert atts[1]["hash"] == hashlib.sha256(ts.encode()).hexdigest()
    crypto_pub().verify(bytes.fromhex(atts[1]["signed_timestamp"]), ts.encode())
    assert atts[2] == {"type": "Blockchain", "tx_hash": "0xabc", "network": "sepolia", "block_number": 7,
                       "chain_hash": json.loads(b)["certificate"]["chain_hash"]}
    rep = prova.verify(b, keys=[key], now=T3)
    assert rep.valid, rep.failed_codes
    assert json.loads(oe.attest(bundle, "content-integrity", leaves=[]))["attestations"][0]["root_hash"] == "0" * 64
    with pytest.raises(prova.ProvaError) as e:
        oe.attest(bundle, "timestamp", key=prova.Key.generate("ed25519"), at=T3)
    assert e.value.code == "oe_key_mismatch"
    with pytest.raises(prova.ProvaError) as e:
        oe.attest(bundle, "content-integrity", leaves=["abc"])
    assert e.value.code == "oe_leaf_invalid"


def test_proof_records(proof_record, key):
    rec = json.loads(proof_record)
    body = {k: v for k, v in rec.items() if k not in ("signature", "proof_id", "attestation")}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    assert proof.proof_body(rec) == canon
    assert proof.proof_id(proof_record) == hashlib.sha256(canon).hexdigest()
    hk = b"\x01secret-key"
    signed = json.loads(proof.sign_proof(rec, hk, attest_key=key, author="Ada"))
    assert signed["signature"] == hmac.new(hk, canon, hashlib.sha256).hexdigest()
    assert signed["proof_id"] == hashlib.sha256(canon).hexdigest()
    att = signed["attestation"]
    assert att["public_key"] == key.public_bytes().hex()
    crypto_pub().verify(bytes.fromhex(att["signature"]), canon)
    text = json.dumps(signed)
    rep = prova.verify(text, hmac_key=hk)
    assert rep.valid and rep.kind == "proof_record", rep.failed_codes
    assert prova.verify(text, hmac_key=base64.b64encode(hk).decode()).valid  # str: the reference's sign_key_b64
    assert not prova.verify(text, hmac_key=b"wrong").valid
    assert prova.verify(text, keys=[key]).valid  # a trusted attestation alone
    default = proof.sign_proof(rec)
    assert json.loads(default)["signature"] == hmac.new(proof.DEFAULT_KEY, canon, hashlib.sha256).hexdigest()
    rep = prova.verify(default, default_hmac_key=True)
    assert rep.valid and rep.warning_codes
    impl = json.loads(proof.verify_proof_impl(text, hk))
    assert impl["verified"] is True and impl["attested"] is True and impl["attestation_author"] == "Ada"
    assert json.loads(proof.verify_proof_impl(text, b"no"))["verified"] is False
    assert proof.decode_key("") == (proof.DEFAULT_KEY, True)
    assert proof.decode_key("QUJD") == (b"ABC", False)
    with pytest.raises(prova.ParseError) as e:
        proof.decode_key("QU*D")
    assert e.value.code == "proof_key_b64_invalid" and e.value.offset == 2
    # NaN and lone surrogates are Python values: kept, and hashed as Python writes them
    rec2 = dict(rec, extra=[float("nan"), "\ud800"])
    body2 = {k: v for k, v in rec2.items() if k not in ("signature", "proof_id", "attestation")}
    assert proof.proof_id(rec2) == hashlib.sha256(
        json.dumps(body2, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()).hexdigest()
