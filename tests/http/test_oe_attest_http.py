"""GET /api/v1/provenance/bundle/{id}?attest=content-integrity,timestamp (docs/openexecution.md "Creating
attestations"): the gateway adds the attestations to the stored bundle before sending it, the timestamp signed
with its own key. The answer verifies (prova verify --key with the gateway's public key: the Timestamp signature
checked, signature_valid true), the leaves are the chain's event hashes, the root is recomputed here with hashlib
(RFC 6962, the odd last node promoted), the bundle without ?attest is unchanged, ?attest=1 and ?attest=blockchain
are 400 attest_invalid, ?log_proofs=1 still proves every record, and a revoked certificate is 409
oe_bundle_invalid. Usage: test_oe_attest_http.py PROVA"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, first_token, gateway_keys, jcs, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-oeattest-")


def req(method, url, body=None, token=None):
    st, _, b = request(method, url, body, token)
    return st, b


def verify(doc, *opts):
    path = os.path.join(T, "doc.json")
    with open(path, "wb") as f:
        f.write(doc)
    r = subprocess.run([PROVA, "verify", "--json"] + list(opts) + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        return r.returncode, {}


def merkle_root(leaves):
    if not leaves:
        return "0" * 64
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(x)).digest() for x in leaves]
    while len(level) > 1:
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0].hex()


def main():
    data = os.path.join(T, "data")
    gw = Gateway(PROVA, data, os.path.join(T, "server.log"), ["--quiet", "--log-interval", "60000"])
    base = gw.base
    try:
        token = first_token(data)
        vkey, _ = gateway_keys(base, T)
        api = base + "/api/v1"
        st, b = req("POST", api + "/chains", jcs({"chain_type": "manual", "origin_type": "manual",
                                                  "origin_id": "run-1"}), token)
        ok(st == 201, "chain created (%d)" % st)
        ch = json.loads(b)["data"]["id"]
        for i in range(5):  # 5 leaves: a node is promoted twice
            st, _ = req("POST", api + "/chains/%s/events" % ch,
                        jcs({"event_type": "step", "actor_id": "a", "payload": {"i": i}}), token)
            ok(st == 201, "event %d (%d)" % (i, st))
        st, _ = req("POST", api + "/chains/%s/resolve" % ch, b"{}", token)
        ok(st == 200, "resolved (%d)" % st)
        st, b = req("POST", api + "/chains/%s/certificate" % ch, jcs({"artifact_type": "run", "artifact_ref": "r"}),
                    token)
        ok(st == 201, "certified (%d)" % st)
        cert = json.loads(b)
        cert_id = (cert.get("data") or cert).get("certificate_id")
        st, pk = req("GET", api + "/provenance/public-key")
        pem = os.path.join(T, "issuer.pem")
        with open(pem, "w") as f:
            f.write(json.loads(pk)["public_key_pem"])

        st, plain = req("GET", api + "/provenance/bundle/%s" % cert_id)
        ok(st == 200 and b"attestations" not in plain, "without ?attest: no attestations (%d)" % st)
        st, att = req("GET", api + "/provenance/bundle/%s?attest=content-integrity,timestamp" % cert_id)
        ok(st == 200, "?attest=content-integrity,timestamp: %d %s" % (st, att[:300]))
        doc = json.loads(att) if st == 200 else {}
        atts = doc.get("attestations", [])
        ok([a.get("type") for a in atts] == ["ContentIntegrity", "Timestamp"], "two attestations: %s" % atts)
        pl = json.loads(plain)
        ok(all(doc.get(k) == pl[k] for k in pl), "every member of the stored bundle unchanged")
        if len(atts) == 2:
            hashes = [e["event_hash"] for e in doc["chain"]["events"]]
            ok(atts[0]["leaves"] == hashes and atts[0]["root_hash"] == merkle_root(hashes),
               "CI over the 5 event hashes, root recomputed with hashlib")
            ts = atts[1]["timestamp"]
            ok(atts[1]["hash"] == hashlib.sha256(ts.encode()).hexdigest(), "timestamp hash = sha256(timestamp)")
        rc, rep = verify(att, "--key", pem)
        ac = [c for c in rep.get("checks", []) if c.get("check", "").startswith("attestations[")]
        res = rep.get("sdk_result", {}).get("attestation_results", [])
        ok(rc == 0 and len(ac) == 2 and all(c["ok"] for c in ac), "verifies with the gateway key (rc %d)" % rc)
        ok(len(res) == 2 and res[1].get("signature_valid") is True, "the timestamp signature checked: %s" % res)

        st, b = req("GET", api + "/provenance/bundle/%s?attest=content-integrity&log_proofs=1" % cert_id)
        d2 = json.loads(b) if st == 200 else {}
        ok(st == 200 and len(d2.get("attestations", [])) == 1 and len(d2.get("tlog_proofs", [])) == 6,
           "with log_proofs: the attestation and 6 proofs (%d)" % st)
        rc, rep = verify(b, "--key", pem, "--log-key", vkey, "--require-log-proof")
        ok(rc == 0, "attested export with proofs verifies (rc %d)" % rc)
        for bad in ("1", "blockchain", "content-integrity,merkle"):
            st, b = req("GET", api + "/provenance/bundle/%s?attest=%s" % (cert_id, bad))
            ok(st == 400 and b"attest_invalid" in b, "?attest=%s: 400 attest_invalid (%d %s)" % (bad, st, b[:200]))
        st, b = req("GET", api + "/provenance/bundle/nope?attest=timestamp")
        ok(st == 404, "unknown certificate: 404 (%d)" % st)

        st, _ = req("POST", api + "/provenance/certificates/%s/revoke" % cert_id, jcs({"reason": "test"}), token)
        ok(st in (200, 201), "revoked (%d)" % st)
        st, b = req("GET", api + "/provenance/bundle/%s?attest=timestamp" % cert_id)
        ok(st == 409 and b"oe_bundle_invalid" in b, "a revoked certificate is not attested: %d %s" % (st, b[:200]))
        st, b = req("GET", api + "/provenance/bundle/%s" % cert_id)
        ok(st == 200, "its plain export still works (%d)" % st)
    finally:
        gw.p.terminate()
        gw.p.wait(30)
        gw.log.close()


try:
    main()
finally:
    shutil.rmtree(T, ignore_errors=True)
sys.exit(gwtest.summary())
