#!/usr/bin/env python3
"""Payload transforms (docs/transforms.md) through a real gateway on loopback and `prova transform` offline:
- every built-in pair gives the reference's exact bytes and notes: the expected values are written out here from
  packages/odin_core/sft.py (starter f4854158, reference/odin.md §5.6) and the CIDs recomputed with hashlib over
  Python's json.dumps(sort_keys, compact) bytes;
- the receipt carries request_cid, normalized_cid (= sha256 of the normalized payload) and "sft":{id,version} inside
  what it signs: its signature and hash check out in Python and `prova verify` accepts it; the response's CID and
  signature still verify;
- an unregistered pair is a 400 sft_unregistered and no receipt is written; a payload the transform refuses is a
  400 sft_payload_rejected; --sft-passthrough makes the pair an identity with notes "not_transformed";
- mapping files: every operation, override of a built-in, and each bad file refused at start with its file,
  operation pointer and reason code.
Usage: test_sft.py PROVA"""
import base64
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, b64u, first_token, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-sft-")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PROVA_")}
GATEWAYS = []  # every gateway started, killed at the end whatever happened


def gateway(data, log, args, env):
    gw = Gateway(PROVA, data, log, args, env=env)
    GATEWAYS.append(gw)
    return gw


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def cid(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


ISO = "invoice.iso20022.v1"
TS = "2025-08-22T00:00:00+00:00"
# (payload_type, target_type, payload, expected normalized payload, expected notes, transform id)
CASES = [
    ("invoice.vendor.v1", ISO,
     {"invoice_id": "INV-1", "amount": 321.50, "currency": "EUR", "customer_name": "Caf\u00e9 Ltd",
      "description": "Tool use", "created_at": TS},
     {"Document": {"FIToFICstmrCdtTrf": {"GrpHdr": {"MsgId": "INV-1", "CreDtTm": TS}, "CdtTrfTxInf": [
         {"Amt": {"InstdAmt": {"ccy": "EUR", "value": 321.5}}, "Cdtr": {"Nm": "Caf\u00e9 Ltd"},
          "RmtInf": {"Ustrd": ["Tool use"]}}]}}},
     {"fields_mapped": ["invoice_id->MsgId", "amount->InstdAmt", "customer_name->Cdtr.Nm"]},
     "odin.vendor_to_iso20022"),
    # defaults: currency "USD" and description "" only when absent; absent members are null
    ("invoice.vendor.v1", ISO, {"invoice_id": "INV-2", "amount": 100, "description": None},
     {"Document": {"FIToFICstmrCdtTrf": {"GrpHdr": {"MsgId": "INV-2", "CreDtTm": None}, "CdtTrfTxInf": [
         {"Amt": {"InstdAmt": {"ccy": "USD", "value": 100}}, "Cdtr": {"Nm": None}, "RmtInf": {"Ustrd": [None]}}]}}},
     {"fields_mapped": ["invoice_id->MsgId", "amount->InstdAmt", "customer_name->Cdtr.Nm"]},
     "odin.vendor_to_iso20022"),
    ("openai.tooluse.invoice.v1", ISO,
     {"tool_calls": [{"type": "function", "function": {"name": "create_invoice", "arguments": json.dumps(
         {"invoice_id": "INV-OAI-1", "amount": 321.5, "currency": "USD", "customer_name": "OpenAI Co",
          "description": "Tool use"})}}], "created_at": TS},
     {"Document": {"FIToFICstmrCdtTrf": {"GrpHdr": {"MsgId": "INV-OAI-1", "CreDtTm": TS}, "CdtTrfTxInf": [
         {"Amt": {"InstdAmt": {"ccy": "USD", "value": 321.5}}, "Cdtr": {"Nm": "OpenAI Co"},
          "RmtInf": {"Ustrd": ["Tool use"]}}]}}},
     {"fields_mapped": ["invoice_id->MsgId", "amount->InstdAmt", "customer_name->Cdtr.Nm"]},
     "odin.openai_tooluse_invoice_to_iso20022"),
    ("claude.tooluse.invoice.v1", ISO,
     {"content": [{"type": "text", "text": "x"}, {"type": "tool_use", "name": "create_invoice", "input": {
         "invoice_id": "INV-CL-1", "amount": 77.7, "currency": "USD", "customer_name": "Claude Corp",
         "description": "Claude tool"}}], "created_at": TS},
     {"Document": {"FIToFICstmrCdtTrf": {"GrpHdr": {"MsgId": "INV-CL-1", "CreDtTm": TS}, "CdtTrfTxInf": [
         {"Amt": {"InstdAmt": {"ccy": "USD", "value": 77.7}}, "Cdtr": {"Nm": "Claude Corp"},
          "RmtInf": {"Ustrd": ["Claude tool"]}}]}}},
     {"fields_mapped": ["invoice_id->MsgId", "amount->InstdAmt", "customer_name->Cdtr.Nm"]},
     "odin.claude_tooluse_invoice_to_iso20022"),
    # the reverse mapping: arguments is Python's json.dumps with its defaults (", ", ": ", ASCII escapes)
    (ISO, "openai.tooluse.invoice.v1",
     {"Document": {"FIToFICstmrCdtTrf": {"GrpHdr": {"MsgId": "INV-1", "CreDtTm": TS}, "CdtTrfTxInf": [
         {"Amt": {"InstdAmt": {"ccy": "EUR", "value": 321.5}}, "Cdtr": {"Nm": "Caf\u00e9 \u2603 \U0001F600"},
          "RmtInf": {"Ustrd": ["Tool use"]}}]}}},
     {"tool_calls": [{"type": "function", "function": {"name": "create_invoice", "arguments":
                     '{"invoice_id": "INV-1", "amount": 321.5, "currency": "EUR", "customer_name": '
                     '"Caf\\u00e9 \\u2603 \\ud83d\\ude00", "description": "Tool use"}'}}], "created_at": TS},
     {"fields_mapped": ["MsgId->invoice_id", "InstdAmt->amount", "Cdtr.Nm->customer_name"], "reverse": True},
     "odin.iso20022_back_to_openai"),
    ("health.observation.vendor.v1", "fhir.observation.v1",
     {"observation_id": "obs123", "code": "heart-rate", "value": 72, "unit": "bpm", "patient_id": "pat9",
      "effective_at": "2024-05-01T10:00:00Z"},
     {"resourceType": "Observation", "id": "obs123", "code": {"text": "heart-rate"},
      "valueQuantity": {"value": 72, "unit": "bpm"}, "subject": {"reference": "Patient/pat9"},
      "effectiveDateTime": "2024-05-01T10:00:00Z"},
     {"fields_mapped": ["observation_id->id", "code->code.text", "value->valueQuantity.value",
                        "patient_id->subject.reference"]},
     "odin.vendor_obs_to_fhir"),
    # f"Patient/{x}" of a missing id is "Patient/None"
    ("health.observation.vendor.v1", "fhir.observation.v1", {"observation_id": "o2"},
     {"resourceType": "Observation", "id": "o2", "code": {"text": None}, "valueQuantity": {"value": None, "unit": None},
      "subject": {"reference": "Patient/None"}, "effectiveDateTime": None},
     {"fields_mapped": ["observation_id->id", "code->code.text", "value->valueQuantity.value",
                        "patient_id->subject.reference"]},
     "odin.vendor_obs_to_fhir"),
    # str() of an empty list, of true, of a float
    ("health.observation.vendor.v1", "fhir.observation.v1", {"patient_id": [], "code": True, "value": 1.50},
     {"resourceType": "Observation", "id": None, "code": {"text": True}, "valueQuantity": {"value": 1.5, "unit": None},
      "subject": {"reference": "Patient/[]"}, "effectiveDateTime": None},
     {"fields_mapped": ["observation_id->id", "code->code.text", "value->valueQuantity.value",
                        "patient_id->subject.reference"]},
     "odin.vendor_obs_to_fhir"),
    ("health.observation.vendor.v1", "fhir.observation.v1", {"patient_id": 1.50},
     {"resourceType": "Observation", "id": None, "code": {"text": None}, "valueQuantity": {"value": None, "unit": None},
      "subject": {"reference": "Patient/1.5"}, "effectiveDateTime": None},
     {"fields_mapped": ["observation_id->id", "code->code.text", "value->valueQuantity.value",
                        "patient_id->subject.reference"]},
     "odin.vendor_obs_to_fhir"),
    ("health.patient.vendor.v1", "fhir.patient.v1",
     {"patient_id": "pat9", "name": "Ada Lovelace", "gender": "female", "birth_date": "1815-12-10"},
     {"resourceType": "Patient", "id": "pat9", "name": [{"text": "Ada Lovelace"}], "gender": "female",
      "birthDate": "1815-12-10"},
     {"fields_mapped": ["patient_id->id", "name->name[0].text"]},
     "odin.vendor_patient_to_fhir"),
    ("insurance.claim_notice.vendor.v1", "acord.claim_notice.v1",
     {"claim_number": "CLM-77", "loss_date": "2024-01-02", "insured_name": "Contoso LLC",
      "description": "Minor water damage"},
     {"ClaimNotice": {"ClaimNumber": "CLM-77", "LossDate": "2024-01-02", "Insured": {"Name": "Contoso LLC"},
                      "LossDescription": "Minor water damage"}},
     {"fields_mapped": ["claim_number->ClaimNumber", "insured_name->Insured.Name"]},
     "odin.vendor_claim_notice"),
    # Python equality: 100 == 100.0
    ("procurement.match.vendor.v1", "procurement.match.v1",
     {"po": {"id": "PO1", "amount": 100.0}, "gr": {"id": "GR1", "amount": 100}, "invoice": {"id": "INV1",
                                                                                          "amount": 100.0}},
     {"three_way_match": {"po": {"id": "PO1", "amount": 100.0}, "goods_receipt": {"id": "GR1", "amount": 100},
                          "invoice": {"id": "INV1", "amount": 100.0}, "amounts_consistent": True}},
     {"fields_mapped": ["po.id->three_way_match.po.id", "invoice.id->three_way_match.invoice.id"],
      "consistency": True},
     "odin.vendor_three_way_match"),
    ("procurement.match.vendor.v1", "procurement.match.v1",
     {"po": {"id": "PO1", "amount": 100.0}, "gr": {"id": "GR1", "amount": 90.0}, "invoice": {"id": "INV1",
                                                                                           "amount": 100.0}},
     {"three_way_match": {"po": {"id": "PO1", "amount": 100.0}, "goods_receipt": {"id": "GR1", "amount": 90.0},
                          "invoice": {"id": "INV1", "amount": 100.0}, "amounts_consistent": False}},
     {"fields_mapped": ["po.id->three_way_match.po.id", "invoice.id->three_way_match.invoice.id"],
      "consistency": False},
     "odin.vendor_three_way_match"),
    # equal types: the identity
    ("same.v1", "same.v1", {"z": 1, "a": [1.50, "\u00e9"]}, {"z": 1, "a": [1.5, "\u00e9"]},
     {"notes": "already_normalized"}, None),
]


def envelope(sender, trace_id, payload, pt, tt):
    c = cid(canon(payload))
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sig = sender[1].sign(("%s|%s|%s" % (c, trace_id, ts)).encode())
    return canon({"trace_id": trace_id, "ts": ts, "sender": {"kid": sender[0]}, "payload": payload,
                  "payload_type": pt, "target_type": tt, "cid": c,
                  "signature": base64.urlsafe_b64encode(sig).rstrip(b"=").decode()})


def gw_key(base):
    _, _, jwks = request("GET", base + "/.well-known/jwks.json")
    k = [k for k in json.loads(jwks)["keys"] if k.get("status") == "active"][0]
    with open(os.path.join(T, "gw.jwks"), "wb") as f:
        f.write(jwks)
    return k["kid"], Ed25519PublicKey.from_public_bytes(b64u(k["x"]))


def verify_receipt(rc, key, what):
    """The starter's rule: sign and hash the ope canonical bytes without receipt_signature and receipt_hash."""
    core = {k: v for k, v in rc.items() if k not in ("receipt_signature", "receipt_hash")}
    b = canon(core)
    ok(hashlib.sha256(b).hexdigest() == rc["receipt_hash"], "%s: receipt_hash is sha256 of the core" % what)
    try:
        key.verify(b64u(rc["receipt_signature"]), b)
        ok(True, "")
    except Exception:
        ok(False, "%s: receipt_signature verifies over the core (sft member included)" % what)


def verify_response(headers, body, receipt, key, what):
    doc = json.loads(body)
    rcid = "sha256:" + hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    ok(headers.get("X-ODIN-Response-CID") == rcid, "%s: X-ODIN-Response-CID is the body's (ASCII) CID" % what)
    try:
        key.verify(b64u(headers.get("X-ODIN-Signature", "")),
                   ("%s|%s|%s" % (rcid, doc["trace_id"], receipt["ts"])).encode())
        ok(True, "")
    except Exception:
        ok(False, "%s: X-ODIN-Signature verifies" % what)


def prova_verify(doc, what):
    p = os.path.join(T, "doc.json")
    with open(p, "wb") as f:
        f.write(doc)
    r = subprocess.run([PROVA, "verify", "--jwks", os.path.join(T, "gw.jwks"), p], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    ok(r.returncode == 0, "%s: prova verify accepts it: %s %s" % (what, r.stdout.decode()[-300:], r.stderr.decode()))


def test_gateway(sender):
    gw = gateway(os.path.join(T, "data"), os.path.join(T, "serve.log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"], ENV)
    if not ok(gw.up, "prova serve starts"):
        return
    token = first_token(os.path.join(T, "data"))
    kid, key = gw_key(gw.base)
    for i, (pt, tt, payload, want, notes, tid) in enumerate(CASES):
        what = "%s -> %s #%d" % (pt, tt, i)
        trace = "trace-sft-%d" % i
        env = envelope(sender, trace, payload, pt, tt)
        st, h, body = request("POST", gw.base + "/v1/odin/envelope", env, token=token)
        if not ok(st == 200, "%s: 200 (got %d %s)" % (what, st, body[:300])):
            continue
        doc = json.loads(body)
        ok(canon(doc["normalized_payload"]) == canon(want), "%s: normalized_payload\n  got  %s\n  want %s" %
           (what, canon(doc["normalized_payload"]), canon(want)))
        ok(doc["sft_notes"] == notes, "%s: sft_notes %s, want %s" % (what, doc["sft_notes"], notes))
        rc = doc["receipt"]
        ok(rc["request_cid"] == cid(canon(payload)), "%s: request_cid is the payload's CID" % what)
        ok(rc["normalized_cid"] == cid(canon(want)), "%s: normalized_cid = sha256 of the reference's output bytes" %
           what)
        ok(rc["normalized_cid"] == cid(canon(doc["normalized_payload"])),
           "%s: normalized_cid = sha256 of the normalized payload sent" % what)
        if tid:
            ok(rc.get("sft") == {"id": tid, "version": "1"}, "%s: receipt sft %s" % (what, rc.get("sft")))
        else:
            ok("sft" not in rc, "%s: an identity leaves no sft member" % what)
        verify_receipt(rc, key, what)
        verify_response(h, body, rc, key, what)
        if i in (0, 4):
            prova_verify(canon(rc), what + " receipt")
            st, _, bundle = request("GET", gw.base + "/v1/receipts/export/" + trace, token=token)
            ok(st == 200, "%s: export 200" % what)
            prova_verify(bundle, what + " bundle")
        # the same bytes offline
        r = subprocess.run([PROVA, "transform", "--from", pt, "--to", tt], input=json.dumps(payload).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        ok(r.returncode == 0 and r.stdout == canon(want), "%s: prova transform prints the same bytes: %s %s" %
           (what, r.stdout[:200], r.stderr))

    # an unregistered pair: 400 sft_unregistered, no receipt
    env = envelope(sender, "trace-unreg", {"hello": "world"}, "demo.v1", "example.v1")
    st, _, body = request("POST", gw.base + "/v1/odin/envelope", env, token=token)
    err = json.loads(body)
    ok(st == 400 and err["error"]["code"] == "sft_unregistered", "unregistered: 400 sft_unregistered (%d %s)" %
       (st, body))
    ok("Normalization failed: No SFT transformer registered for demo.v1 -> example.v1" in err["error"]["message"],
       "unregistered: the reference's message: %s" % body)
    st, _, body = request("GET", gw.base + "/v1/receipts/hops/chain/trace-unreg", token=token)
    ok(st == 200 and json.loads(body)["hops"] == [], "unregistered: no receipt written (%d %s)" % (st, body))
    # a type no transform can be registered for (over 1024 bytes) is unregistered too, not an identity
    st, _, body = request("POST", gw.base + "/v1/odin/envelope",
                          envelope(sender, "trace-long", {"a": 1}, "x" * 2000, "y.v1"), token=token)
    ok(st == 400 and json.loads(body)["error"]["code"] == "sft_unregistered", "a 2000-byte type: 400 (%d %s)" %
       (st, body[:200]))
    # a payload the transform refuses
    for pt, tt, payload, msg in [
        ("openai.tooluse.invoice.v1", ISO, {"tool_calls": []}, "No tool_calls found"),
        ("openai.tooluse.invoice.v1", ISO, {"tool_calls": [{"function": {"arguments": "{not json"}}]},
         "not valid JSON"),
        ("claude.tooluse.invoice.v1", ISO, {"tool_calls": []}, "No tool_use arguments found"),
        (ISO, "openai.tooluse.invoice.v1", {"Document": {"FIToFICstmrCdtTrf": {"GrpHdr": {}, "CdtTrfTxInf": []}}},
         "Missing CdtTrfTxInf array"),
        ("procurement.match.vendor.v1", "procurement.match.v1", {"po": None}, "must be objects"),
        ("health.observation.vendor.v1", "fhir.observation.v1", {"patient_id": ["a", 1]}, "non-empty list or object"),
    ]:
        trace = "trace-rej-" + hashlib.sha256(canon(payload)).hexdigest()[:8]
        st, _, body = request("POST", gw.base + "/v1/odin/envelope", envelope(sender, trace, payload, pt, tt),
                              token=token)
        err = json.loads(body)["error"]
        ok(st == 400 and err["code"] == "sft_payload_rejected" and msg in err["message"],
           "%s rejected: 400 sft_payload_rejected '%s' (%d %s)" % (pt, msg, st, body))
        st, _, body = request("GET", gw.base + "/v1/receipts/hops/chain/" + trace, token=token)
        ok(json.loads(body)["hops"] == [], "%s rejected: no receipt" % pt)
    gw.stop()

    # --sft-passthrough (and PROVA_SFT_PASSTHROUGH): the lite gateway's identity
    for args, env in ((["--sft-passthrough"], ENV), ([], dict(ENV, PROVA_SFT_PASSTHROUGH="1"))):
        gw = gateway(os.path.join(T, "data"), os.path.join(T, "serve.log"),
                     ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"] + args, env)
        if not ok(gw.up, "prova serve %s starts" % args):
            continue
        trace = "trace-pass-%d" % len(args)
        st, _, body = request("POST", gw.base + "/v1/odin/envelope",
                              envelope(sender, trace, {"hello": "world"}, "demo.v1", "example.v1"), token=token)
        doc = json.loads(body)
        ok(st == 200 and doc["sft_notes"] == {"notes": "not_transformed"} and "sft" not in doc["receipt"],
           "passthrough %s: 200, not_transformed, no sft member (%d %s)" % (args, st, body[:300]))
        ok(doc["receipt"]["normalized_cid"] ==
           "sha256:93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588",
           "passthrough: normalized_cid is odin.md §7.3's for {\"hello\":\"world\"}")
        # the built-ins still apply
        st, _, body = request("POST", gw.base + "/v1/odin/envelope",
                              envelope(sender, trace + "b", CASES[0][2], CASES[0][0], CASES[0][1]), token=token)
        ok(st == 200 and json.loads(body)["receipt"].get("sft", {}).get("id") == "odin.vendor_to_iso20022",
           "passthrough: registered pairs still transform")
        gw.stop()


MAPPING = {
    "id": "acme.invoice-to-canonical", "version": "2.1", "from": "acme.invoice.v1", "to": "canonical.invoice.v1",
    "description": "every operation once",
    "operations": [
        {"op": "rename", "path": "/amt", "to": "amount"},
        {"op": "move", "from": "/customer/name", "path": "/party/buyer/name"},
        {"op": "drop", "path": "/internal"},
        {"op": "default", "path": "/currency", "value": "USD"},
        {"op": "default", "path": "/status", "value": {"state": "new"}},
        {"op": "coerce", "path": "/amount", "type": "number"},
        {"op": "coerce", "path": "/qty", "type": "integer"},
        {"op": "coerce", "path": "/paid", "type": "boolean"},
        {"op": "coerce", "path": "/code", "type": "string"},
        {"op": "drop", "path": "/absent"},
        {"op": "rename", "path": "/a~1b", "to": "c~d"},
        {"op": "move", "from": "/lines/0", "path": "/first_line"},
    ],
}
MAP_IN = {"amt": "12.50", "customer": {"name": "Ada", "id": 7}, "internal": {"x": 1}, "currency": "EUR",
          "qty": "3", "paid": "true", "code": 1.50, "a/b": 1, "lines": [{"n": 1}, {"n": 2}]}
MAP_OUT = {"amount": 12.5, "customer": {"id": 7}, "party": {"buyer": {"name": "Ada"}}, "currency": "EUR",
           "status": {"state": "new"}, "qty": 3, "paid": True, "code": "1.5", "c~d": 1, "lines": [{"n": 2}],
           "first_line": {"n": 1}}
MAP_NOTES = {"fields_mapped": ["/amt->/amount", "/customer/name->/party/buyer/name", "/a~1b->/c~0d",
                               "/lines/0->/first_line"],
             "dropped": ["/internal"], "defaulted": ["/status"], "coerced": ["/amount", "/qty", "/paid", "/code"],
             "mapping": "acme.invoice-to-canonical", "version": "2.1"}


def transform(args, payload):
    r = subprocess.run([PROVA, "transform"] + args, input=json.dumps(payload).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV)
    return r.returncode, r.stdout, r.stderr.decode()


def write_dir(name, files):
    d = os.path.join(T, name)
    os.makedirs(d)
    for fn, content in files.items():
        with open(os.path.join(d, fn), "w" if isinstance(content, str) else "wb") as f:
            f.write(content)
    return d


def test_mappings(sender):
    d = write_dir("maps", {"acme.json": json.dumps(MAPPING), "README.txt": "not a mapping"})
    rc, out, err = transform(["--transforms", d, "--from", "acme.invoice.v1", "--to", "canonical.invoice.v1",
                              "--json"], MAP_IN)
    ok(rc == 0, "mapping: exit 0 (%d %s)" % (rc, err))
    if rc == 0:
        doc = json.loads(out)
        ok(canon(doc["normalized_payload"]) == canon(MAP_OUT), "mapping: output\n  got  %s\n  want %s" %
           (canon(doc["normalized_payload"]), canon(MAP_OUT)))
        ok(doc["sft_notes"] == MAP_NOTES, "mapping: notes %s" % doc["sft_notes"])
        ok(doc["normalized_cid"] == cid(canon(MAP_OUT)), "mapping: normalized_cid")
        ok(doc["transform"] == {"id": "acme.invoice-to-canonical", "version": "2.1"}, "mapping: transform")
    # required: an absent member is refused
    req = dict(MAPPING, operations=[{"op": "rename", "path": "/nope", "to": "x", "required": True}])
    d2 = write_dir("maps-req", {"m.json": json.dumps(req)})
    rc, _, err = transform(["--transforms", d2, "--from", "acme.invoice.v1", "--to", "canonical.invoice.v1"], {})
    ok(rc == 2 and "sft_payload_rejected" in err and "/nope" in err, "required absent: refused (%d %s)" % (rc, err))
    # a coerce that cannot: 400-class refusal naming the path
    rc, _, err = transform(["--transforms", d, "--from", "acme.invoice.v1", "--to", "canonical.invoice.v1"],
                           {"amt": "twelve"})
    ok(rc == 2 and "sft_payload_rejected" in err and "/amount" in err, "bad coerce: refused (%d %s)" % (rc, err))
    # a mapping file replaces a built-in pair
    over = {"id": "my.vendor-invoice", "version": "7", "from": "invoice.vendor.v1", "to": ISO,
            "operations": [{"op": "rename", "path": "/invoice_id", "to": "MsgId"}]}
    d3 = write_dir("maps-over", {"over.json": json.dumps(over)})
    rc, out, err = transform(["--transforms", d3, "--from", "invoice.vendor.v1", "--to", ISO, "--json"],
                             {"invoice_id": "X"})
    ok(rc == 0 and json.loads(out)["normalized_payload"] == {"MsgId": "X"} and "replaces a built-in" in err,
       "override: the file's transform runs, and is announced (%d %s %s)" % (rc, out, err))

    # the gateway with --transforms: the receipt names the mapping
    gw = gateway(os.path.join(T, "data2"), os.path.join(T, "serve2.log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--transforms", d, "--quiet"], ENV)
    if ok(gw.up, "prova serve --transforms starts"):
        token = first_token(os.path.join(T, "data2"))
        _, key = gw_key(gw.base)
        st, h, body = request("POST", gw.base + "/v1/odin/envelope",
                              envelope(sender, "trace-map", MAP_IN, "acme.invoice.v1", "canonical.invoice.v1"),
                              token=token)
        ok(st == 200, "mapping over HTTP: 200 (%d %s)" % (st, body[:300]))
        if st == 200:
            doc = json.loads(body)
            ok(canon(doc["normalized_payload"]) == canon(MAP_OUT) and doc["sft_notes"] == MAP_NOTES,
               "mapping over HTTP: payload and notes")
            rc_ = doc["receipt"]
            ok(rc_.get("sft") == {"id": "acme.invoice-to-canonical", "version": "2.1"}, "mapping over HTTP: receipt sft")
            ok(rc_["normalized_cid"] == cid(canon(MAP_OUT)), "mapping over HTTP: normalized_cid")
            verify_receipt(rc_, key, "mapping receipt")
            verify_response(h, body, rc_, key, "mapping response")
        gw.stop()

    # bad files: refused at start (serve exit 2, transform exit 2), naming file, pointer and reason
    base = {"id": "x", "version": "1", "from": "a.v1", "to": "b.v1", "operations": []}
    bad = [
        ("json", "{not json", "sft_map_json", "bad.json:1:2"),
        ("not-object", "[]", "sft_map_schema", "bad.json: /:"),
        ("unknown-member", dict(base, extra=1), "sft_map_schema", "bad.json: /:"),
        ("no-id", {k: v for k, v in base.items() if k != "id"}, "sft_map_schema", "/id"),
        ("version-number", dict(base, version=1), "sft_map_schema", "/version"),
        ("from-space", dict(base, **{"from": "a v1"}), "sft_map_type", "/from"),
        ("to-missing", {k: v for k, v in base.items() if k != "to"}, "sft_map_type", "/to"),
        ("same-types", dict(base, to="a.v1"), "sft_map_type", "/to"),
        ("ops-object", dict(base, operations={}), "sft_map_schema", "/operations"),
        ("op-unknown", dict(base, operations=[{"op": "rename", "path": "/a", "to": "b"}, {"op": "copy"}]),
         "sft_map_op", "/operations/1/op"),
        ("op-not-object", dict(base, operations=["drop"]), "sft_map_op", "/operations/0"),
        ("op-extra", dict(base, operations=[{"op": "drop", "path": "/a", "value": 1}]), "sft_map_op",
         "/operations/0"),
        ("rename-no-to", dict(base, operations=[{"op": "rename", "path": "/a"}]), "sft_map_op", "/operations/0/to"),
        ("rename-empty-to", dict(base, operations=[{"op": "rename", "path": "/a", "to": ""}]), "sft_map_op",
         "/operations/0/to"),
        ("path-root", dict(base, operations=[{"op": "drop", "path": ""}]), "sft_map_pointer", "/operations/0/path"),
        ("path-no-slash", dict(base, operations=[{"op": "drop", "path": "a"}]), "sft_map_pointer",
         "/operations/0/path"),
        ("path-bad-tilde", dict(base, operations=[{"op": "drop", "path": "/a~2"}]), "sft_map_pointer",
         "/operations/0/path"),
        ("path-missing", dict(base, operations=[{"op": "drop"}]), "sft_map_op", "/operations/0/path"),
        ("move-no-from", dict(base, operations=[{"op": "move", "path": "/a"}]), "sft_map_op", "/operations/0/from"),
        ("move-into-itself", dict(base, operations=[{"op": "move", "from": "/a", "path": "/a/b"}]), "sft_map_pointer",
         "/operations/0/path"),
        ("default-no-value", dict(base, operations=[{"op": "default", "path": "/a"}]), "sft_map_op",
         "/operations/0/value"),
        ("coerce-type", dict(base, operations=[{"op": "coerce", "path": "/a", "type": "date"}]),
         "sft_map_coerce_type", "/operations/0/type"),
        ("required-string", dict(base, operations=[{"op": "drop", "path": "/a", "required": "yes"}]), "sft_map_op",
         "/operations/0/required"),
    ]
    for name, content, reason, where in bad:
        text = content if isinstance(content, str) else json.dumps(content)
        dd = write_dir("bad-" + name, {"bad.json": text})
        rc, _, err = transform(["--transforms", dd, "--list"], {})
        ok(rc == 2 and reason in err and where in err and dd in err,
           "bad file %s: transform exit 2 naming %s and %s (%d %s)" % (name, reason, where, rc, err.strip()))
        if name in ("json", "op-unknown", "move-into-itself"):
            r = subprocess.run([PROVA, "serve", "--listen", "127.0.0.1:%d" % gwtest.free_port(), "--data",
                                os.path.join(T, "data-bad"), "--transforms", dd], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=ENV, timeout=30)
            e = r.stderr.decode()
            ok(r.returncode == 2 and reason in e and where in e, "bad file %s: serve refuses to start (%d %s)" %
               (name, r.returncode, e.strip()))
    # two files for the same pair
    dd = write_dir("dup", {"1.json": json.dumps(base), "2.json": json.dumps(dict(base, id="y"))})
    rc, _, err = transform(["--transforms", dd, "--list"], {})
    ok(rc == 2 and "sft_map_duplicate" in err and "2.json" in err, "duplicate pair refused (%d %s)" % (rc, err))
    rc, _, err = transform(["--transforms", os.path.join(T, "no-such-dir"), "--list"], {})
    ok(rc == 2 and "no-such-dir" in err, "a missing directory is refused (%d %s)" % (rc, err))


def test_cli():
    rc, out, err = transform(["--from", "demo.v1", "--to", "example.v1"], {"a": 1})
    ok(rc == 2 and "sft_unregistered" in err or "No SFT transformer registered for demo.v1 -> example.v1" in err,
       "transform: unregistered exit 2 (%d %s)" % (rc, err))
    rc, out, err = transform(["--from", "demo.v1", "--to", "example.v1", "--sft-passthrough", "--json"], {"a": 1})
    ok(rc == 0 and json.loads(out) == {"normalized_payload": {"a": 1}, "normalized_cid": cid(b'{"a":1}'),
                                       "sft_notes": {"notes": "not_transformed"}, "transform": None},
       "transform --sft-passthrough --json (%d %s)" % (rc, out))
    rc, out, err = transform(["--list"], {})
    ok(rc == 0 and out.decode().count("\n") == 8 and "procurement.match.vendor.v1 -> procurement.match.v1" in
       out.decode(), "transform --list: the eight built-ins (%s)" % out)
    rc, out, err = transform(["--from", "a"], {})
    ok(rc == 2 and "--to" in err, "transform without --to: usage (%d %s)" % (rc, err))


def main():
    sender = make_sender(PROVA, T)
    try:
        test_cli()
        test_mappings(sender)
        test_gateway(sender)
    finally:
        for gw in GATEWAYS:
            if gw.p.poll() is None:
                gw.kill()
        shutil.rmtree(T, ignore_errors=True)
    return gwtest.summary()


if __name__ == "__main__":
    sys.exit(main())
