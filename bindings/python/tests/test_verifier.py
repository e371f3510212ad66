"""prova.Verifier (options and keys prepared once), the lazily read Report, and the key-set cache of verify():
the same answers as before, byte for byte."""
import base64
import datetime
import json
import os
import threading

import pytest

import prova
from prova import ope

T0 = "2026-01-01T00:00:00Z"


@pytest.fixture
def key():
    return prova.Key.from_ed25519_seed(bytes(range(32)))


def _eager(rep):
    """The Report as report_from_json builds it from the library's JSON (every field read eagerly)."""
    return prova.report_from_json(rep.to_json())


def _documents(key):
    env = ope.pack_envelope(key, {"a": 1.5, "t": "é"}, payload_type="p", target_type="t", ts=T0)
    d = json.loads(env)
    d["sig"] = d["sig"][:-2] + ("AA" if not d["sig"].endswith("AA") else "BA")
    forged = json.dumps(d).encode()
    d = json.loads(env)
    d["payload"]["a"] = 2
    tampered = json.dumps(d).encode()
    return [env, forged, tampered, b"{nope", b'{"x":1}', b"", env + b"\n" + env]


def test_verifier_equals_verify(key, tmp_path):
    jwks = tmp_path / "k.jwks"
    jwks.write_bytes(prova.jwks_text([key]))
    other = prova.Key.generate()
    for trust in ({"jwks": str(jwks)}, {"jwks": jwks.read_bytes()}, {"keys": [key]}, {"keys": [other]}, {}):
        for now in (T0, "2025-12-31T23:50:00Z", datetime.datetime(2026, 1, 1, 0, 10, tzinfo=datetime.timezone.utc)):
            v = prova.Verifier(now=now, **trust)
            for doc in _documents(key):
                a, b = prova.verify(doc, now=now, **trust), v.verify(doc)
                assert a.to_json() == b.to_json(), (trust, now, doc)
                assert a == b == _eager(a) and v(doc) == a
                assert (a.valid, a.outcome, a.kind) == (_eager(a).valid, _eager(a).outcome, _eager(a).kind)


def test_lazy_report_fields(key):
    rep = prova.verify(ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts=T0), keys=[key], now=T0)
    # valid, outcome and kind come from the library's report without its JSON
    assert rep.valid and rep.outcome == "valid" and rep.kind == "ope_envelope" and bool(rep)
    assert rep._json is None and rep._ptr is not None
    eager = _eager(rep)  # makes the JSON, frees the library's report
    assert rep._ptr is None and rep._json is not None
    for f in ("valid", "outcome", "kind", "checks", "warnings", "unauthenticated_fields", "keys", "sdk_result",
              "failed", "failed_codes", "warning_codes"):
        assert getattr(rep, f) == getattr(eager, f), f
    assert rep.to_dict() == json.loads(rep.to_json()) and hash(rep) == hash(eager)
    assert repr(rep) == repr(eager) and "ope_envelope" in repr(rep)
    fresh = prova.verify(ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t", ts=T0), keys=[key],
                         now=T0)
    assert fresh.checks == eager.checks  # a field other than valid/outcome/kind makes the JSON too
    with pytest.raises(AttributeError):
        rep.valid = False
    with pytest.raises(AttributeError):
        rep.extra = 1
    # a Report made by its constructor, as the dataclass was
    r = prova.Report(valid=False, outcome="invalid", kind="x", checks=(), warnings=())
    assert not r and r.keys == () and r.to_json() == b""


def test_bad_input_and_unknown_kind_outcomes():
    v = prova.Verifier(now=T0)
    for doc, outcome in ((b"{nope", "bad_input"), (b'{"x":1}', "unknown_kind"), (b"[1,2]", "unknown_kind")):
        rep = v.verify(doc)
        assert rep.outcome == outcome == _eager(rep).outcome and not rep.valid
        assert rep.kind == _eager(rep).kind


def test_verifier_clock_and_options(key):
    now = datetime.datetime.now(datetime.timezone.utc)
    env = ope.pack_envelope(key, {"a": 1}, payload_type="p", target_type="t",
                            ts=now.isoformat(timespec="microseconds"))
    v = prova.Verifier(keys=[key])  # now=None: the system clock at each call
    assert v.verify(env).valid
    late = prova.Verifier(keys=[key], now=now - datetime.timedelta(minutes=10))
    assert late.verify(env).failed_codes == ["timestamp_skew"]
    assert prova.Verifier(keys=[key], now=now - datetime.timedelta(minutes=10), max_skew=3600).verify(env).valid
    assert prova.Verifier(keys=[key], now=now - datetime.timedelta(minutes=10), no_skew=True).verify(env).valid
    with pytest.raises(AttributeError):
        v.x = 1
    with pytest.raises(ValueError):
        prova.Verifier(now=datetime.datetime(2026, 1, 1))
    with pytest.raises(prova.ParseError):
        prova.Verifier(jwks=b"{}")
    with pytest.raises(TypeError):
        prova.Verifier(keys=["not a key"])
    with pytest.raises(TypeError):
        v.verify(42)


def test_hmac_option_kept_alive(proof_record):
    from prova import proof

    signed = proof.sign_proof(proof_record, b"k" * 16)
    v = prova.Verifier(hmac_key=b"k" * 16, now=T0)
    import gc

    gc.collect()  # the options' strings must live as long as the Verifier
    assert v.verify(signed).valid
    assert v.verify(signed).to_json() == prova.verify(signed, hmac_key=base64.b64encode(b"k" * 16).decode(),
                                                      now=T0).to_json()


def test_keyset_cache_follows_the_inputs(tmp_path):
    a, b = prova.Key.generate(), prova.Key.generate()
    env = ope.pack_envelope(b, {"a": 1}, payload_type="p", target_type="t", ts=T0)
    path = tmp_path / "k.jwks"
    path.write_bytes(prova.jwks_text([a]))
    assert prova.verify(env, jwks=path, now=T0).failed_codes == ["kid_not_found"]
    path.write_bytes(prova.jwks_text([b]))  # the file is read at each call: the new key is used
    assert prova.verify(env, jwks=path, now=T0).valid
    assert prova.verify(env, keys=[a], now=T0).failed_codes == ["kid_not_found"]
    assert prova.verify(env, keys=[a, b], now=T0).valid
    for i in range(40):  # more distinct key sets than the cache holds: still right
        k = prova.Key.generate()
        assert prova.verify(env, keys=[k], now=T0).failed_codes == ["kid_not_found"]
    assert prova.verify(env, jwks=path, now=T0).valid
    assert len(prova.report._KEYSET_CACHE) <= prova.report._KEYSET_CACHE_MAX


def test_verifier_shared_by_threads(key):
    envs = [ope.pack_envelope(key, {"i": i}, payload_type="p", target_type="t", ts=T0) for i in range(8)]
    v = prova.Verifier(keys=[key], now=T0)
    want = [prova.verify(e, keys=[key], now=T0).to_json() for e in envs]
    errors = []

    def work():
        for _ in range(50):
            for e, w in zip(envs, want):
                if v.verify(e).to_json() != w:
                    errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


def test_conformance_reports_lazy_equals_eager(conformance_dir):
    """Every verify case of the conformance suite: valid, outcome and kind read from the library's report equal
    what its JSON says."""
    n = 0
    for name in sorted(os.listdir(conformance_dir / "fixtures" / "verify")):
        fixture = json.loads((conformance_dir / "fixtures" / "verify" / name).read_text(encoding="utf-8"))
        for case in fixture["cases"]:
            doc = (base64.b64decode(case["document_base64"]) if "document_base64" in case
                   else case["document"].encode())
            o = case.get("options", {})
            rep = prova.verify(doc, jwks=[str(conformance_dir / p) for p in o.get("jwks", [])],
                               trust_embedded_key=bool(o.get("trust_embedded_key", False)), now=o["now"],
                               max_skew=o.get("max_skew_s"), no_skew=bool(o.get("no_skew", False)),
                               hmac_key=o.get("hmac_key_b64"),
                               default_hmac_key=bool(o.get("allow_default_hmac_key", False)),
                               hash_alg=o.get("hash_alg"))
            lazy = (rep.valid, rep.outcome, rep.kind)
            d = json.loads(rep.to_json())
            assert lazy == (d["valid"], d["outcome"], d.get("kind", "")), case["id"]
            n += 1
    assert n > 50
