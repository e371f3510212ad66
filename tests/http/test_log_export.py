#!/usr/bin/env python3
"""Exports with log proofs (docs/tlog.md "Proofs in exports", issue 14): a trace's OPE bundle and an OpenExecution
certificate bundle fetched with ?log_proofs=1 carry one tlog-proof per record, and `prova verify --log-key
--require-log-proof` passes with one log_inclusion check per record; without the parameter the export is unchanged;
a tampered receipt fails log_inclusion_invalid. Usage: test_log_export.py PROVA"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, envelope, first_token, gateway_keys, jcs, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-logexport-")


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
        rep = json.loads(r.stdout)
    except ValueError:
        rep = {}
    return r.returncode, rep


def checks(rep, name):
    return [c for c in rep.get("checks", []) if c.get("check") == name]


def main():
    sender = make_sender(PROVA, T)
    data = os.path.join(T, "data")
    # A long interval: a fresh record is integrated because the export asks, not because the interval passed.
    gw = Gateway(PROVA, data, os.path.join(T, "server.log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet", "--log-interval", "60000"])
    base = gw.base
    try:
        token = first_token(data)
        vkey, _ = gateway_keys(base, T)

        # ---- OPE: three receipts of one trace ---------------------------------------------------------------
        for i in range(3):
            st, _ = req("POST", base + "/v1/odin/envelope", envelope(sender, "tx-1", {"i": i}), token)
            ok(st == 200, "envelope %d accepted (%d)" % (i, st))
        st, plain = req("GET", base + "/v1/receipts/export/tx-1")
        ok(st == 200 and b"tlog_proofs" not in plain, "without log_proofs: no proofs")
        st, withp = req("GET", base + "/v1/receipts/export/tx-1?log_proofs=1")
        ok(st == 200, "export with log_proofs: %d %s" % (st, withp[:200]))
        doc = json.loads(withp)
        ok(len(doc.get("tlog_proofs", [])) == 3, "one proof per receipt: %s" % withp[-300:])
        pl = json.loads(plain)
        ok(doc["bundle"]["receipts"] == pl["bundle"]["receipts"], "the receipts are the plain export's")
        rc, rep = verify(withp, "--jwks", os.path.join(T, "gw.jwks"), "--log-key", vkey, "--require-log-proof")
        li = checks(rep, "log_inclusion")
        ok(rc == 0 and len(li) == 3 and all(c.get("ok") for c in li),
           "OPE export verifies with 3 log_inclusion checks (rc %d): %s" % (rc, li))
        rc, rep = verify(plain, "--jwks", os.path.join(T, "gw.jwks"), "--log-key", vkey, "--require-log-proof")
        ok(rc == 1, "without proofs --require-log-proof fails (rc %d)" % rc)
        rc, _ = verify(plain, "--jwks", os.path.join(T, "gw.jwks"))
        ok(rc == 0, "the plain export verifies as before (rc %d)" % rc)
        # a tampered receipt: its entry no longer reaches the root
        bad = json.loads(withp)
        r0 = bad["bundle"]["receipts"][0]
        r0["ts"] = r0["ts"][:-2] + ("1Z" if r0["ts"][-2] != "1" else "2Z")
        rc, rep = verify(jcs(bad), "--log-key", vkey)
        codes = [c.get("code") for c in checks(rep, "log_inclusion")]
        ok(rc == 1 and "log_inclusion_invalid" in codes, "tampered receipt: rc %d %s" % (rc, codes))

        # ---- the MCP tool export_bundle takes log_proofs the same way ----------------------------------------
        hdr = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "Authorization": "Bearer " + token}

        def mcp(body, sid=None):
            h = dict(hdr, **({"Mcp-Session-Id": sid} if sid else {}))
            r = urllib.request.Request(base + "/mcp", data=jcs(body), method="POST", headers=h)
            with urllib.request.urlopen(r, timeout=30) as resp:
                raw = resp.read()
                return resp.headers.get("Mcp-Session-Id"), json.loads(raw) if raw else None
        sid, _ = mcp({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
        mcp({"jsonrpc": "2.0", "method": "notifications/initialized"}, sid)
        for flag, want in ((True, 3), (False, 0)):
            _, r = mcp({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                "name": "export_bundle", "arguments": {"trace_id": "tx-1", "log_proofs": flag}}}, sid)
            sc = (r or {}).get("result", {}).get("structuredContent", {})
            ok(len(sc.get("tlog_proofs", [])) == want, "MCP export_bundle log_proofs=%s: %s" % (flag, str(r)[:300]))

        # ---- OpenExecution: a chain with two events, certified ----------------------------------------------
        api = base + "/api/v1"
        st, b = req("POST", api + "/chains", jcs({"chain_type": "resource_audit", "origin_type": "github",
                                                  "origin_id": "octocat/hello"}), token)
        ok(st == 201, "chain created (%d)" % st)
        ch = json.loads(b)["data"]["id"]
        for i in range(2):
            st, _ = req("POST", api + "/chains/%s/events" % ch,
                        jcs({"event_type": "step_%d" % i, "actor_id": "a", "actor_type": "bot",
                             "sentiment": "positive", "payload": {"i": i}}), token)
            ok(st == 201, "event %d (%d)" % (i, st))
        st, _ = req("POST", api + "/chains/%s/resolve" % ch, b"{}", token)
        ok(st == 200, "resolved (%d)" % st)
        st, b = req("POST", api + "/chains/%s/certificate" % ch,
                    jcs({"artifact_type": "repository", "artifact_ref": "octocat/hello"}), token)
        ok(st == 201, "certified (%d)" % st)
        cert = json.loads(b)
        cert_id = (cert.get("data") or cert).get("certificate", {}).get("certificate_id") or \
            (cert.get("data") or cert).get("certificate_id")
        st, pk = req("GET", api + "/provenance/public-key")
        with open(os.path.join(T, "issuer.pem"), "w") as f:
            f.write(json.loads(pk)["public_key_pem"])
        st, plain = req("GET", api + "/provenance/bundle/%s" % cert_id)
        ok(st == 200 and b"tlog_proofs" not in plain, "OE bundle without log_proofs (%d)" % st)
        st, withp = req("GET", api + "/provenance/bundle/%s?log_proofs=1" % cert_id)
        doc = json.loads(withp) if st == 200 else {}
        kinds = sorted(i["kind"] for i in doc.get("tlog_proofs", []))
        ok(kinds == ["certificate", "event", "event"], "OE proofs: %s" % kinds)
        ok(withp.startswith(plain[:-1]), "the bundle's bytes are kept, the proofs appended")
        rc, rep = verify(withp, "--key", os.path.join(T, "issuer.pem"), "--log-key", vkey, "--require-log-proof")
        li = checks(rep, "log_inclusion")
        ok(rc == 0 and len(li) == 3 and all(c.get("ok") for c in li),
           "OE bundle verifies with 3 log_inclusion checks (rc %d): %s" % (rc, li))

        # ---- a revoked certificate: its status change is proved too ----------------------------------------
        st, _ = req("POST", api + "/provenance/certificates/%s/revoke" % cert_id, jcs({"reason": "test"}), token)
        if st in (200, 201):
            st, withp = req("GET", api + "/provenance/bundle/%s?log_proofs=1" % cert_id)
            kinds = sorted(i["kind"] for i in json.loads(withp).get("tlog_proofs", []))
            ok(kinds == ["certificate", "event", "event", "status"], "revoked: %s" % kinds)
            rc, rep = verify(withp, "--key", os.path.join(T, "issuer.pem"), "--log-key", vkey,
                             "--require-log-proof")
            li = checks(rep, "log_inclusion")
            failed = [c.get("code") for c in rep.get("checks", []) if not c.get("ok")]
            # A revoked certificate is invalid (exit 1) by its status alone; every record's proof still holds.
            ok(rc == 1 and failed == ["certificate_revoked"] and len(li) == 4 and all(c.get("ok") for c in li),
               "revoked bundle: 4 log_inclusion ok, only certificate_revoked fails (rc %d): %s" % (rc, failed))
        else:
            ok(False, "revoke route answered %d" % st)
    finally:
        gw.p.terminate()
        gw.p.wait(30)
        gw.log.close()


try:
    main()
finally:
    shutil.rmtree(T, ignore_errors=True)
sys.exit(gwtest.summary())
