"""The bridges (in-toto/DSSE, CloudEvents, OpenLineage, RO-Crate) and verify()'s inputs, options and report;
the GIL released during long calls."""
import base64
import datetime
import hashlib
import io
import json
import pathlib
import threading
import time
import uuid
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

import prova
from prova import bridges, ope, proof

T0 = "2026-01-01T00:00:00Z"
HK = b"hmac-key-for-tests"


@pytest.fixture
def key():
    return prova.Key.from_ed25519_seed(bytes(range(32)))


@pytest.fixture
def signed_proof(proof_record):
    return proof.sign_proof(proof_record, HK)


def test_intoto_dsse(signed_proof, key):
    st = json.loads(bridges.intoto_statement(signed_proof))
    pid = json.loads(signed_proof)["proof_id"]
    assert st["_type"] == "https://in-toto.io/Statement/v1" and st["subject"][0]["digest"] == {"sha256": pid}
    payload = bridges.intoto_statement(signed_proof)
    pae = bridges.dsse_pae(bridges.DSSE_INTOTO_PAYLOAD_TYPE, payload)
    assert pae == b"DSSEv1 %d %s %d %s" % (len(bridges.DSSE_INTOTO_PAYLOAD_TYPE), bridges.DSSE_INTOTO_PAYLOAD_TYPE.encode(),
                                          len(payload), payload)
    env = bridges.intoto_envelope(signed_proof, [key, bridges.HmacSigner(HK, "hmac-1")])
    e = json.loads(env)
    assert base64.b64decode(e["payload"]) == payload == bridges.dsse_payload(env)
    ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key().verify(
        base64.b64decode(e["signatures"][0]["sig"]), pae)
    assert e["signatures"][0]["keyid"] == key.kid and e["signatures"][1]["keyid"] == "hmac-1"
    rep = prova.verify(env, keys=[key], hmac_key=HK)
    assert rep.valid and rep.kind == "dsse_envelope", rep.failed_codes
    assert json.loads(bridges.intoto_record(payload))["proof_id"] == pid
    e["payload"] = base64.b64encode(payload.replace(b'"S"', b'"T"')).decode()
    assert not prova.verify(e, keys=[key], hmac_key=HK).valid
    with pytest.raises(prova.InvalidArgumentError) as err:
        bridges.dsse_sign("t", b"x", [])
    assert err.value.code == "dsse_no_signer"


def test_cloudevents(key, signed_proof):
    env = ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts=T0)
    ev = json.loads(bridges.cloudevent(env, source="urn:prova:test", extensions={"team": "x"}))
    assert ev["specversion"] == "1.0" and ev["team"] == "x" and ev["id"].endswith(json.loads(env)["cid"][7:])
    assert json.loads(bridges.cloudevent_unwrap(ev)) == json.loads(env)
    rep = prova.verify(ev, keys=[key], now=T0)
    assert rep.valid and rep.kind == "cloudevent"
    pev = json.loads(bridges.cloudevent(signed_proof, source="urn:x"))
    assert pev["type"] == "dev.ophamin.proof.emitted.v1" and pev["id"] == json.loads(signed_proof)["proof_id"]
    batch = json.loads(bridges.cloudevents_batch([env, signed_proof], source="urn:x"))
    assert [b["id"] for b in batch] == [ev["id"], pev["id"]]
    headers, body = bridges.cloudevent_binary(env, source="urn:x")
    assert headers[0] == ("Content-Type", "application/json") and ("ce-specversion", "1.0") in headers
    assert bridges.cloudevent_unwrap_binary(headers, body) == body
    with pytest.raises(prova.ProvaError) as e:
        bridges.cloudevent(env, source="")
    assert e.value.code == "ce_source"
    with pytest.raises(prova.ParseError) as e:
        bridges.cloudevent_unwrap(dict(ev, specversion="0.3"))
    assert e.value.code == "ce_specversion" and e.value.pointer == "/specversion"


def test_openlineage_and_rocrate(signed_proof):
    rec = json.loads(signed_proof)
    lines = bridges.openlineage_events(signed_proof).splitlines()
    assert len(lines) == 1
    ev = json.loads(lines[0])
    ns = uuid.UUID("ec1e6b1c-0000-4000-8000-000000000001")
    assert ev["run"]["runId"] == str(uuid.uuid5(ns, rec["proof_id"])) and ev["eventType"] == "COMPLETE"
    start = json.loads(bridges.openlineage_events(signed_proof, event="start", event_time=T0))
    assert start["eventType"] == "START"
    with pytest.raises(prova.ProvaError) as e:
        bridges.openlineage_events(signed_proof, event="start")
    assert e.value.code == "openlineage_time_required"
    meta = json.loads(bridges.rocrate_metadata(signed_proof))
    assert any(x.get("@id") == "ro-crate-metadata.json" for x in meta["@graph"])
    assert bridges.rocrate_filename("proof_record") == "proof.json"
    z = zipfile.ZipFile(io.BytesIO(bridges.rocrate_zip(signed_proof, mtime=1767225600)))
    assert z.read("proof.json") == signed_proof and json.loads(z.read("ro-crate-metadata.json")) == meta
    info = bridges.describe_record(signed_proof)
    assert (info.family, info.kind, info.digest) == ("proof", "proof_record", rec["proof_id"])
    with pytest.raises(prova.InvalidArgumentError) as e:
        bridges.describe_record({"not": "a record"})
    assert e.value.code == "record_unknown_kind"


def test_verify_inputs_and_report(key, tmp_path):
    env = ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts=T0)
    jwks_path = tmp_path / "k.jwks"
    jwks_path.write_bytes(prova.jwks_text([key]))
    doc_path = tmp_path / "env.json"
    doc_path.write_bytes(env)
    when = datetime.datetime(2026, 1, 1, 0, 0, 10, tzinfo=datetime.timezone.utc)
    for doc in (env, env.decode(), doc_path, json.loads(env), bytearray(env)):
        for trust in ({"jwks": jwks_path}, {"jwks": str(jwks_path)}, {"jwks": [prova.jwks([key])]},
                      {"jwks": prova.jwks_text([key])}, {"keys": [key]}):
            rep = prova.verify(doc, now=when, **trust)
            assert rep.valid, (doc, trust, rep.failed_codes)
    rep = prova.verify(env, keys=[key], now=T0)
    d = json.loads(rep.to_json())
    assert d["valid"] is True and d["kind"] == "ope_envelope" and len(d["checks"]) == len(rep.checks)
    assert all(c.ok and c.code == "ok" for c in rep.checks) and rep.checks[0].check and rep.to_dict() == d
    assert rep.keys[0]["kid"] == key.kid
    assert prova.report_from_json(rep.to_json()) == rep
    with pytest.raises(Exception):
        rep.valid = False  # frozen
    bad = prova.verify(b"{nope")
    assert bad.outcome == "bad_input" and not bad.valid and bad.failed_codes == ["json_syntax"]
    assert prova.verify({"x": 1}).outcome == "unknown_kind"
    # the clock: a ts 10 minutes in the verifier's future is outside the default 300 s window (a failure), inside a
    # 1 h one, or unchecked; 10 minutes in its past is a warning
    late = "2025-12-31T23:50:00Z"
    assert prova.verify(env, keys=[key], now=late).failed_codes == ["timestamp_skew"]
    assert "stale_timestamp" in prova.verify(env, keys=[key], now="2026-01-01T00:10:00Z").warning_codes
    assert prova.verify(env, keys=[key], now=late, max_skew=3600).valid
    assert prova.verify(env, keys=[key], now=late, max_skew=datetime.timedelta(hours=1)).valid
    assert prova.verify(env, keys=[key], now=late, no_skew=True).valid
    with pytest.raises(ValueError):
        prova.verify(env, now=datetime.datetime(2026, 1, 1))
    with pytest.raises(prova.ParseError):
        prova.verify(env, jwks=b"{}")
    with pytest.raises(TypeError):
        prova.verify(42)


def test_threads_share_nothing_and_release_the_gil(key):
    docs = [ope.pack_envelope(key, {"i": i}, payload_type="p", target_type="t", ts=T0) for i in range(40)]
    results = {}

    def work(n):
        results[n] = [prova.verify(d, keys=[key], now=T0).valid for d in docs]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(all(r) for r in results.values()) and len(results) == 4
    # One long C call (canonicalizing ~24 MB) in a thread while the main thread keeps stamping the clock: if the call
    # held the GIL, the main thread could not run during it and the longest gap between its stamps would be the whole
    # call. (Under a loaded machine one attempt may be unlucky: three are made.)
    big = b"[" + b",".join(b'{"k":[1.5,"abc",12345678901234567890]}' for _ in range(600_000)) + b"]"
    attempts = [_longest_gap(lambda: prova.canonicalize_json(big, "jcs")) for _ in range(3)]
    assert all(took > 0.05 for took, _ in attempts)
    assert any(gap < took / 2 for took, gap in attempts), "the main thread was starved: is the GIL released? %r" % (
        attempts,)


def _longest_gap(fn):
    """(how long fn took in a thread, the longest time meanwhile during which the main thread did not run)."""
    done = threading.Event()
    window = []

    def worker():
        t = time.perf_counter()
        fn()
        window.extend([t, time.perf_counter()])
        done.set()

    th = threading.Thread(target=worker)
    th.start()
    stamps, last = [], 0.0
    while not done.is_set():
        now = time.perf_counter()
        if now - last >= 0.001:
            stamps.append(now)
            last = now
    th.join()
    t0, t1 = window
    pts = [t0] + [x for x in stamps if t0 < x < t1] + [t1]
    return t1 - t0, max(b - a for a, b in zip(pts, pts[1:]))


def test_library_identity():
    assert prova.library_version() == prova.__version__
    assert pathlib.Path(prova.library_path).name.startswith("libprova.so")
