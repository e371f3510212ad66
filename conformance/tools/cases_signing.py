"""signing.json: deterministic outputs under the fixed keys."""
import json

import gen_keys

DESCRIPTION = (
    "Deterministic operations. Every case is {id, description, op, input, expect}; a key is named by its file in "
    "keys/ (a private JWK); JSON values are given as text and parsed strictly (proof records: with NaN, Infinity and "
    "lone surrogates allowed); strings are UTF-8. expect is either the op's result or {\"error\": reason code}. Ops: "
    "ed25519_sign {seed_hex, message} -> {public_key_hex, signature_hex} (Ed25519 over the UTF-8 message); "
    "cid {json} -> {cid: \"sha256:\" + hex SHA-256 of the ope canonical bytes}; "
    "ope_envelope_pack {key, dialect: prova|ope-lib|starter, payload, payload_type, target_type, trace_id, ts, "
    "not_before?, expires_at?, bind?} -> {envelope: exact text}; "
    "ope_receipt_build {key, prev?: the previous receipt, trace_id, ts, created_at?, request_cid, normalized_cid?, "
    "policy?} -> {receipt: exact text}; "
    "ope_bundle_build {key, trace_id, exported_at, receipts: array text, form: starter|ope-lib|flat} -> "
    "{bundle: exact text}; "
    "oe_event_hash {event, hash_alg} -> {event_hash, hash_input: the JCS text hashed}; "
    "oe_chain {events: array of events without prev_hash, hash_alg} -> {event_hashes, chain_hash}: each event gets "
    "prev_hash = the previous event's hash (the first: the genesis, '0' x hex length) and is hashed as "
    "oe_event_hash; chain_hash = hex H(concatenation of the event hashes' hex text); "
    "proof_id {record} -> {proof_id}; "
    "proof_sign {record, hmac_key_b64 (\"\": the default key), attest_key?, author?} -> {record: exact text}; "
    "dsse_pae {payload_type, payload} -> {pae_hex}; "
    "dsse_sign {payload_type, payload, key | (hmac_key_b64, keyid)} -> {envelope: exact text}. "
    "Formats: docs/ope.md, docs/openexecution.md, docs/proof.md, docs/intoto.md.")

TS = "2025-12-31T23:59:30Z"
TRACE = "4b1c2d3e-0000-4000-8000-000000000001"
PAYLOAD = '{"action":"transfer","amount":100,"currency":"EUR","to":"acct-2"}'


def s(id, desc, op, **inp):
    return {"id": "signing/" + id, "description": desc, "op": op, "input": inp}


def proof_record():
    with open(gen_keys.__file__.replace("conformance/tools/gen_keys.py", "tests/data/proof_minimal.json")) as f:
        return f.read().strip()


def receipts(g, n, key="ope-gateway.jwk", trace=TRACE):
    out, prev = [], None
    for i in range(n):
        inp = dict(key=key, trace_id=trace, ts=f"2025-12-31T23:59:{30 + i:02d}Z",
                   request_cid=g.op("cid", json=json.dumps({"hop": i}))["cid"])
        if prev:
            inp["prev"] = prev
        prev = g.op("ope_receipt_build", **inp)["receipt"]
        out.append(prev)
    return out


def cases(g):
    out = []
    for label, msg in [("ope-sender", ""), ("ope-sender", "abc"), ("ope-gateway", "hello world"),
                       ("dsse", "caf\u00e9 \U0001F600"), ("other", "x" * 1000)]:
        out.append(s(f"ed25519_sign/{label}/len{len(msg.encode())}", "Ed25519 (RFC 8032, deterministic)",
                     "ed25519_sign", seed_hex=gen_keys.ed25519_seed_hex(label), message=msg))
    out.append(s("ed25519_sign/rfc8032-test1", "RFC 8032 section 7.1 TEST 1 (empty message)", "ed25519_sign",
                 seed_hex="9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", message=""))
    for n, t in [("object", PAYLOAD), ("unicode", '{"name":"caf\u00e9","emoji":"\U0001F600"}'),
                 ("float", '{"x":1.0,"y":1e-7,"z":1e16}'), ("empty", "{}"), ("duplicate-key", '{"a":1,"a":2}'),
                 ("nan", '{"a":NaN}')]:
        out.append(s("cid/" + n, "OPE content id of a JSON value", "cid", json=t))
    for d in ["prova", "ope-lib", "starter"]:
        out.append(s(f"ope_envelope_pack/{d}", f"an envelope of the {d} dialect", "ope_envelope_pack",
                     key="ope-sender.jwk", dialect=d, payload=PAYLOAD, payload_type="transfer.request",
                     target_type="bank", trace_id=TRACE, ts=TS))
    out.append(s("ope_envelope_pack/prova-bound", "prova dialect with sig_scope envelope", "ope_envelope_pack",
                 key="ope-sender.jwk", dialect="prova", payload=PAYLOAD, payload_type="transfer.request",
                 target_type="bank", trace_id=TRACE, ts=TS, bind=True))
    out.append(s("ope_envelope_pack/prova-window", "prova dialect with not_before and expires_at", "ope_envelope_pack",
                 key="ope-sender.jwk", dialect="prova", payload=PAYLOAD, payload_type="transfer.request",
                 target_type="bank", trace_id=TRACE, ts=TS, not_before="2025-12-31T23:00:00Z",
                 expires_at="2026-01-01T01:00:00Z"))
    out.append(s("ope_envelope_pack/unicode-payload", "non-ASCII payload (ope profile: raw UTF-8)",
                 "ope_envelope_pack", key="ope-sender.jwk", dialect="ope-lib",
                 payload='{"note":"caf\u00e9 \U0001F600","n":1.5}', payload_type="note", target_type="t",
                 trace_id=TRACE, ts=TS))
    out.append(s("ope_envelope_pack/payload-not-object", "a payload that is not an object", "ope_envelope_pack",
                 key="ope-sender.jwk", dialect="prova", payload="[1]", payload_type="p", target_type="t",
                 trace_id=TRACE, ts=TS))
    out.append(s("ope_envelope_pack/bad-ts", "ts that is not RFC 3339", "ope_envelope_pack",
                 key="ope-sender.jwk", dialect="prova", payload="{}", payload_type="p", target_type="t",
                 trace_id=TRACE, ts="yesterday"))
    rs = receipts(g, 3)
    cid0 = g.op("cid", json=json.dumps({"hop": 0}))["cid"]
    out.append(s("ope_receipt_build/first", "the first receipt of a trace (hop 0)", "ope_receipt_build",
                 key="ope-gateway.jwk", trace_id=TRACE, ts="2025-12-31T23:59:30Z", request_cid=cid0))
    out.append(s("ope_receipt_build/second", "the next receipt, linked to the first", "ope_receipt_build",
                 key="ope-gateway.jwk", prev=rs[0], trace_id=TRACE, ts="2025-12-31T23:59:31Z",
                 request_cid=g.op("cid", json=json.dumps({"hop": 1}))["cid"]))
    out.append(s("ope_receipt_build/policy", "explicit policy, created_at and normalized_cid", "ope_receipt_build",
                 key="ope-gateway.jwk", trace_id=TRACE, ts="2025-12-31T23:59:30Z", created_at="2025-12-31T23:59:29Z",
                 request_cid=cid0, normalized_cid=g.op("cid", json="{}")["cid"],
                 policy='{"passed":false,"rules":["amount<=1000"]}'))
    for form in ["starter", "ope-lib", "flat"]:
        out.append(s(f"ope_bundle_build/{form}", f"a bundle of three receipts, {form} form", "ope_bundle_build",
                     key="ope-gateway.jwk", trace_id=TRACE, exported_at="2025-12-31T23:59:59Z",
                     receipts="[" + ",".join(rs) + "]", form=form))
    out.append(s("ope_bundle_build/empty", "a bundle of no receipts", "ope_bundle_build", key="ope-gateway.jwk",
                 trace_id=TRACE, exported_at="2025-12-31T23:59:59Z", receipts="[]", form="starter"))
    ev = {"seq": 1, "event_type": "step", "actor_id": "agent-1", "created_at": "2025-12-31T12:00:00.123456Z",
          "payload": {"k": "v", "n": 1.0}, "prev_hash": "0" * 64}
    for alg in ["sha256", "sha384", "sha512", "sha3-256"]:
        e = dict(ev, prev_hash="0" * {"sha256": 64, "sha384": 96, "sha512": 128, "sha3-256": 64}[alg])
        out.append(s(f"oe_event_hash/{alg}", f"an OpenExecution event hash under {alg}", "oe_event_hash",
                     event=json.dumps(e), hash_alg=alg))
    out.append(s("oe_event_hash/actor-null", "actor_id null hashes as \"system\"", "oe_event_hash",
                 event=json.dumps(dict(ev, actor_id=None)), hash_alg="sha256"))
    out.append(s("oe_event_hash/no-created-at", "an event without created_at", "oe_event_hash",
                 event=json.dumps({k: v for k, v in ev.items() if k != "created_at"}), hash_alg="sha256"))
    out.append(s("oe_event_hash/timestamp-offset", "created_at with an offset, normalized to UTC .sssZ",
                 "oe_event_hash", event=json.dumps(dict(ev, created_at="2026-01-01T01:00:00.5+01:00")),
                 hash_alg="sha256"))
    evs = [{"seq": i + 1, "event_type": "step", "actor_id": "agent-1",
            "created_at": f"2025-12-31T12:00:0{i}.000Z", "payload": {"i": i}} for i in range(3)]
    for alg in ["sha256", "sha384", "sha512"]:
        out.append(s(f"oe_chain/{alg}", f"three events chained under {alg}", "oe_chain", events=json.dumps(evs),
                     hash_alg=alg))
    out.append(s("oe_chain/empty", "no events", "oe_chain", events="[]", hash_alg="sha256"))
    rec = proof_record()
    out.append(s("proof_id/minimal", "proof_id of tests/data/proof_minimal.json", "proof_id", record=rec))
    r2 = json.loads(rec)
    r2["provenance"] = {"note": "caf\u00e9 \U0001F600", "nan": "x"}
    out.append(s("proof_id/unicode", "non-ASCII strings (ophamin: \\u escapes)", "proof_id",
                 record=json.dumps(r2, ensure_ascii=False)))
    out.append(s("proof_id/nan", "NaN and Infinity values, as Python writes them", "proof_id",
                 record=rec[:-1] + ',"extra":[NaN,Infinity,-Infinity]}'))
    out.append(s("proof_id/lone-surrogate", "a lone surrogate kept as \\ud800", "proof_id",
                 record=rec[:-1] + ',"extra":"\\ud800"}'))
    out.append(s("proof_sign/hmac", "HMAC-SHA256 under the fixed key (keys/proof-hmac.b64)", "proof_sign",
                 record=rec, hmac_key_b64=gen_keys.hmac_key_b64()))
    out.append(s("proof_sign/default-key", "HMAC under the public default key", "proof_sign", record=rec,
                 hmac_key_b64=""))
    out.append(s("proof_sign/attested", "HMAC plus an Ed25519 attestation", "proof_sign", record=rec,
                 hmac_key_b64=gen_keys.hmac_key_b64(), attest_key="proof-attest.jwk", author="conformance"))
    out.append(s("proof_sign/bad-key-b64", "an HMAC key that is not base64", "proof_sign", record=rec,
                 hmac_key_b64="not base64!"))
    for n, t, p in [("intoto", "application/vnd.in-toto+json", '{"a":1}'), ("empty", "t", ""),
                    ("unicode", "application/x-caf\u00e9", "\U0001F600")]:
        out.append(s("dsse_pae/" + n, "DSSE v1 pre-authentication encoding", "dsse_pae", payload_type=t, payload=p))
        out.append(s("dsse_sign/" + n, "a DSSE envelope signed with Ed25519 (keys/dsse.jwk)", "dsse_sign",
                     payload_type=t, payload=p, key="dsse.jwk"))
    out.append(s("dsse_sign/hmac", "a DSSE envelope with an HMAC-SHA256 signature", "dsse_sign",
                 payload_type="application/vnd.in-toto+json", payload='{"a":1}', hmac_key_b64=gen_keys.hmac_key_b64(),
                 keyid="hmac-1"))
    return out
