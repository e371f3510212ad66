"""verify/*.json: documents, valid and tampered, with the C library's verdicts."""
import base64
import copy
import json

import gen_keys
from cases_signing import PAYLOAD, TRACE, proof_record

NOW = "2026-01-01T00:00:00Z"
TS = "2025-12-31T23:59:30Z"

DESC = (
    "Verify `document` (exact text; or the bytes of `document_base64`) with prova_verify_document and the "
    "options given (jwks: trusted key files relative to conformance/; now: the verifier's clock; absent members: "
    "the library's defaults). expect: valid, outcome, kind, failed (the reason codes of the failed checks, sorted, "
    "unique) and warnings (the warning codes, sorted, unique). ")


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


class Family:
    def __init__(self, prefix):
        self.prefix = prefix
        self.cases = []

    def add(self, id, desc, doc, requires=None, b64=False, **opts):
        o = {"now": NOW}
        o.update(opts)
        c = {"id": f"verify/{self.prefix}/{id}", "description": desc}
        if b64:
            c["document_base64"] = base64.b64encode(doc).decode()
        else:
            c["document"] = doc if isinstance(doc, str) else dumps(doc)
        c["options"] = o
        if requires:
            c["requires"] = requires
        self.cases.append(c)


def mutate(doc, fn):
    d = copy.deepcopy(doc)
    fn(d)
    return d


def flip_b64u(sig):
    """Changes one character of a base64url/hex signature (keeps its length and alphabet)."""
    i = len(sig) // 2
    ch = sig[i]
    alt = "A" if ch != "A" else "B"
    return sig[:i] + alt + sig[i + 1:]


# ---- OPE ------------------------------------------------------------------------------------------------------

def ope(g):
    f = Family("ope")
    SND = ["keys/ope-sender.jwks"]
    GW = ["keys/ope-gateway.jwks"]
    envs = {}
    for d in ["prova", "ope-lib", "starter"]:
        envs[d] = json.loads(g.op("ope_envelope_pack", key="ope-sender.jwk", dialect=d, payload=PAYLOAD,
                                  payload_type="transfer.request", target_type="bank", trace_id=TRACE, ts=TS)["envelope"])
    envs["prova-bound"] = json.loads(g.op("ope_envelope_pack", key="ope-sender.jwk", dialect="prova", payload=PAYLOAD,
                                          payload_type="transfer.request", target_type="bank", trace_id=TRACE, ts=TS,
                                          bind=True)["envelope"])
    sigkey = {"prova": "sig", "prova-bound": "sig", "ope-lib": "sender_sig", "starter": "signature"}
    for d, env in envs.items():
        p = f"envelope/{d}/"
        sk = sigkey[d]
        f.add(p + "valid", f"a {d} envelope signed by the trusted sender", env, jwks=SND)
        f.add(p + "valid-trust-all", "the same, with every key of the suite trusted", env, jwks=["keys/all.jwks"])
        f.add(p + "key-not-trusted", "the sender's key is not among the trusted keys", env, jwks=GW)
        f.add(p + "no-keys", "no trusted keys at all", env)
        f.add(p + "payload-changed", "one payload value changed after signing",
              mutate(env, lambda e: e["payload"].__setitem__("amount", 1000)), jwks=SND)
        f.add(p + "payload-member-added", "a member added to the payload",
              mutate(env, lambda e: e["payload"].__setitem__("memo", "x")), jwks=SND)
        f.add(p + "payload-float-form", "amount 100 rewritten as 100.0 (another canonical form)",
              dumps(env).replace('"amount":100', '"amount":100.0'), jwks=SND)
        f.add(p + "signature-changed", "one character of the signature changed",
              mutate(env, lambda e: e.__setitem__(sk, flip_b64u(e[sk]))), jwks=SND)
        f.add(p + "signature-truncated", "the signature cut short",
              mutate(env, lambda e: e.__setitem__(sk, e[sk][:40])), jwks=SND)
        f.add(p + "signature-not-base64url", "the signature has characters outside base64url",
              mutate(env, lambda e: e.__setitem__(sk, "!!" + e[sk][2:])), jwks=SND)
        f.add(p + "signature-missing", "the signature member removed",
              mutate(env, lambda e: e.pop(sk)), jwks=SND)
        f.add(p + "signature-wrong-type", "the signature is a number",
              mutate(env, lambda e: e.__setitem__(sk, 12345)), jwks=SND)
        f.add(p + "trace-changed", "trace_id changed after signing",
              mutate(env, lambda e: e.__setitem__("trace_id", TRACE[:-1] + "2")), jwks=SND)
        f.add(p + "ts-changed", "ts changed after signing (one second)",
              mutate(env, lambda e: e.__setitem__("ts", "2025-12-31T23:59:31Z")), jwks=SND)
        f.add(p + "payload-missing", "the payload member removed", mutate(env, lambda e: e.pop("payload")), jwks=SND)
        f.add(p + "payload-not-object", "the payload is an array",
              mutate(env, lambda e: e.__setitem__("payload", [1])), jwks=SND)
        f.add(p + "ts-missing", "ts removed", mutate(env, lambda e: e.pop("ts")), jwks=SND)
        f.add(p + "trace-missing", "trace_id removed", mutate(env, lambda e: e.pop("trace_id")), jwks=SND)
        f.add(p + "payload-type-changed", "payload_type changed (covered only by a bound signature)",
              mutate(env, lambda e: e.__setitem__("payload_type", "other")), jwks=SND)
        f.add(p + "extra-member", "an unknown top-level member added",
              mutate(env, lambda e: e.__setitem__("zz_extra", 1)), jwks=SND)
        f.add(p + "future-ts", "now is 1 hour before ts (beyond the 300 s skew)", env, jwks=SND,
              now="2025-12-31T22:59:30Z")
        f.add(p + "future-ts-within-skew", "now is 200 s before ts (within the skew)", env, jwks=SND,
              now="2025-12-31T23:56:10Z")
        f.add(p + "stale-ts", "now is 30 days after ts", env, jwks=SND, now="2026-01-31T00:00:00Z")
        f.add(p + "stale-ts-no-skew", "now is 30 days after ts, freshness not checked", env, jwks=SND,
              now="2026-01-31T00:00:00Z", no_skew=True)
        f.add(p + "future-ts-large-skew", "now is 1 hour before ts, max_skew_s 7200", env, jwks=SND,
              now="2025-12-31T22:59:30Z", max_skew_s=7200)
        f.add(p + "wrong-key", "re-signed by another key (keys/other.jwk) under the sender's kid",
              mutate(env, lambda e: e.__setitem__(sk, other_sig(g, e, sk))), jwks=SND)
        f.add(p + "duplicate-member", "a member written twice (rejected by the parser)",
              dumps(env)[:-1] + ',"ts":"' + TS + '"}', jwks=SND)
    st = envs["starter"]
    f.add("envelope/starter/trust-embedded", "starter envelope, its embedded sender.jwk trusted", st,
          trust_embedded_key=True)
    f.add("envelope/starter/embedded-other-key", "starter envelope whose embedded jwk is another key, trusted",
          mutate(st, lambda e: e["sender"].__setitem__("jwk", json.loads(open_key("other.jwks"))["keys"][0])),
          trust_embedded_key=True)
    win = json.loads(g.op("ope_envelope_pack", key="ope-sender.jwk", dialect="prova", payload=PAYLOAD,
                          payload_type="transfer.request", target_type="bank", trace_id=TRACE, ts=TS,
                          not_before="2025-12-31T23:00:00Z", expires_at="2026-01-01T01:00:00Z")["envelope"])
    f.add("envelope/prova/window-valid", "not_before <= now < expires_at", win, jwks=SND)
    f.add("envelope/prova/window-expired", "now after expires_at", win, jwks=SND, now="2026-01-01T02:00:00Z")
    f.add("envelope/prova/window-not-yet", "now before not_before (ts within skew of now)", win, jwks=SND,
          now="2025-12-31T22:59:00Z", max_skew_s=7200)
    f.add("envelope/prova/wrong-sig-alg", "sig_alg changed to ES256",
          mutate(envs["prova"], lambda e: e.__setitem__("sig_alg", "ES256")), jwks=SND)
    f.add("envelope/prova/wrong-version", "version changed",
          mutate(envs["prova"], lambda e: e.__setitem__("version", "9")), jwks=SND)
    f.add("envelope/prova/kid-unknown", "kid names no trusted key",
          mutate(envs["prova"], lambda e: e.__setitem__("kid", "ed25519-0000000000000000")), jwks=SND)
    # receipts, chains and bundles
    rs = [json.loads(r) for r in receipts_for(g, 3)]
    f.add("receipt/valid", "one receipt (hop 0) signed by the trusted gateway", rs[0], jwks=GW)
    f.add("receipt/hop1-alone", "a hop-1 receipt on its own", rs[1], jwks=GW)
    f.add("receipt/key-not-trusted", "gateway key not trusted", rs[0], jwks=SND)
    f.add("receipt/hash-changed", "receipt_hash changed",
          mutate(rs[0], lambda r: r.__setitem__("receipt_hash", "0" * 64)), jwks=GW)
    f.add("receipt/signature-changed", "receipt_signature changed",
          mutate(rs[0], lambda r: r.__setitem__("receipt_signature", flip_b64u(r["receipt_signature"]))), jwks=GW)
    f.add("receipt/field-changed", "request_cid changed after signing",
          mutate(rs[0], lambda r: r.__setitem__("request_cid", "sha256:" + "1" * 64)), jwks=GW)
    f.add("receipt/policy-changed", "policy.passed flipped after signing",
          mutate(rs[0], lambda r: r["policy"].__setitem__("passed", False)), jwks=GW)
    f.add("receipt/hop-wrong-type", "hop is a string", mutate(rs[0], lambda r: r.__setitem__("hop", "0")), jwks=GW)
    f.add("receipt/missing-hash", "receipt_hash removed", mutate(rs[0], lambda r: r.pop("receipt_hash")), jwks=GW)
    chain = rs
    f.add("chain/valid", "three linked receipts as a JSON array", chain, jwks=GW)
    f.add("chain/removed-middle", "the middle receipt removed", [chain[0], chain[2]], jwks=GW)
    f.add("chain/removed-first", "the first receipt removed", chain[1:], jwks=GW)
    f.add("chain/reordered", "receipts 2 and 3 swapped", [chain[0], chain[2], chain[1]], jwks=GW)
    f.add("chain/duplicated", "a receipt repeated", [chain[0], chain[1], chain[1], chain[2]], jwks=GW)
    f.add("chain/link-broken", "prev_receipt_hash of hop 2 changed (its own hash and signature then fail too)",
          [chain[0], chain[1], mutate(chain[2], lambda r: r.__setitem__("prev_receipt_hash", "0" * 64))], jwks=GW)
    bad_prev = mutate(chain[0], lambda r: r.__setitem__("receipt_hash", "ab" * 32))
    relinked = json.loads(g.op("ope_receipt_build", key="ope-gateway.jwk", prev=dumps(bad_prev), trace_id=TRACE,
                               ts="2025-12-31T23:59:31Z", request_cid=chain[1]["request_cid"])["receipt"])
    f.add("chain/link-broken-resigned", "hop 1 validly signed but linked to a hash that is not hop 0's",
          [chain[0], relinked], jwks=GW)
    other_trace = [json.loads(r) for r in receipts_for(g, 1, trace=TRACE[:-1] + "9")]
    f.add("chain/mixed-trace", "a receipt of another trace appended", chain + other_trace, jwks=GW)
    f.add("chain/one-tampered", "the last receipt's created_at changed",
          [chain[0], chain[1], mutate(chain[2], lambda r: r.__setitem__("created_at", "2020-01-01T00:00:00Z"))],
          jwks=GW)
    f.add("chain/empty", "an empty array", [], jwks=GW)
    f.add("chain/not-receipts", "an array of numbers", [1, 2], jwks=GW)
    other_gw = [json.loads(r) for r in receipts_for(g, 2, key="other.jwk")]
    f.add("chain/wrong-gateway-key", "receipts signed by an untrusted gateway", other_gw, jwks=GW)
    f.add("chain/jsonl", "the chain as JSON Lines", "\n".join(dumps(r) for r in chain) + "\n", jwks=GW)
    f.add("chain/jsonl-reordered", "JSON Lines, two lines swapped",
          "\n".join(dumps(r) for r in [chain[0], chain[2], chain[1]]) + "\n", jwks=GW)
    rtext = "[" + ",".join(dumps(r) for r in chain) + "]"
    for form in ["starter", "ope-lib", "flat"]:
        b = json.loads(g.op("ope_bundle_build", key="ope-gateway.jwk", trace_id=TRACE,
                            exported_at="2025-12-31T23:59:59Z", receipts=rtext, form=form)["bundle"])
        p = f"bundle/{form}/"
        inner = (lambda d: d["bundle"]) if form != "flat" else (lambda d: d)
        sigk = {"starter": "bundle_signature", "ope-lib": "signature", "flat": "bundle_signature"}[form]
        f.add(p + "valid", f"a {form} bundle of three receipts", b, jwks=GW)
        f.add(p + "key-not-trusted", "the gateway key not trusted", b, jwks=SND)
        f.add(p + "receipt-removed", "the middle receipt removed",
              mutate(b, lambda d: inner(d)["receipts"].pop(1)), jwks=GW)
        f.add(p + "receipt-reordered", "two receipts swapped",
              mutate(b, lambda d: inner(d)["receipts"].reverse()), jwks=GW)
        f.add(p + "receipt-duplicated", "a receipt repeated",
              mutate(b, lambda d: inner(d)["receipts"].append(inner(d)["receipts"][2])), jwks=GW)
        f.add(p + "receipt-tampered", "a receipt's request_cid changed",
              mutate(b, lambda d: inner(d)["receipts"][1].__setitem__("request_cid", "sha256:" + "2" * 64)), jwks=GW)
        f.add(p + "bundle-cid-changed", "bundle_cid changed",
              mutate(b, lambda d: d.__setitem__("bundle_cid", "sha256:" + "3" * 64)), jwks=GW)
        f.add(p + "signature-changed", "the bundle signature changed",
              mutate(b, lambda d: d.__setitem__(sigk, flip_b64u(d[sigk]))), jwks=GW)
        f.add(p + "signature-missing", "the bundle signature removed", mutate(b, lambda d: d.pop(sigk)), jwks=GW)
        f.add(p + "exported-at-changed", "exported_at changed",
              mutate(b, lambda d: inner(d).__setitem__("exported_at", "2025-12-31T23:59:58Z")), jwks=GW)
        f.add(p + "trace-changed", "the bundle's trace_id changed",
              mutate(b, lambda d: inner(d).__setitem__("trace_id", TRACE[:-1] + "7")), jwks=GW)
        f.add(p + "receipts-not-array", "receipts is an object",
              mutate(b, lambda d: inner(d).__setitem__("receipts", {})), jwks=GW)
    return f


def open_key(name):
    import os
    with open(os.path.join(os.path.dirname(gen_keys.__file__), "..", "keys", name)) as f:
        return f.read()


def other_sig(g, env, sk):
    """The envelope's signing string signed by keys/other.jwk (base64url)."""
    cid = g.op("cid", json=dumps(env["payload"]))["cid"]
    sig = g.op("sign_raw", key="other.jwk", message=f"{cid}|{env['trace_id']}|{env['ts']}")["signature_hex"]
    return base64.urlsafe_b64encode(bytes.fromhex(sig)).rstrip(b"=").decode()


def receipts_for(g, n, key="ope-gateway.jwk", trace=TRACE):
    out, prev = [], None
    for i in range(n):
        inp = dict(key=key, trace_id=trace, ts=f"2025-12-31T23:59:{30 + i:02d}Z",
                   request_cid=g.op("cid", json=dumps({"hop": i, "trace": trace}))["cid"])
        if prev:
            inp["prev"] = prev
        prev = g.op("ope_receipt_build", **inp)["receipt"]
        out.append(prev)
    return out


# ---- OpenExecution -----------------------------------------------------------------------------------------------

OE_KEYS = {"ed25519": ("oe-ed25519", None), "ecdsa-p256": ("oe-p256", None), "ecdsa-p384": ("oe-p384", None),
           "ecdsa-p521": ("oe-p521", None), "ed448": ("oe-ed448", ["ed448"])}


def oe_build(g, sig_alg="ed25519", hash_alg="sha256", n=3, status=None, chain_id="c0000000-0000-4000-8000-000000000001",
             cert_id="ce000000-0000-4000-8000-000000000001"):
    key = OE_KEYS[sig_alg][0]
    evs = [{"id": f"e0000000-0000-4000-8000-00000000000{i + 1}", "event_type": "step", "actor_id": "agent-1",
            "created_at": f"2025-12-31T12:00:0{i}.000Z", "payload": {"i": i, "note": "caf\u00e9"}} for i in range(n)]
    inp = dict(key=key + ".jwk", hash_alg=hash_alg, sig_alg=sig_alg, chain_id=chain_id,
               created_at="2025-12-31T11:59:00Z", events=evs, resolved_at="2025-12-31T12:01:00Z",
               cert={"certificate_id": cert_id, "artifact_type": "report", "artifact_ref": "doc-1",
                     "issued_at": "2025-12-31T12:02:00Z"})
    if status:
        inp["status"] = status
    r = g.op("oe_build", **inp)
    return {k: json.loads(v) for k, v in r.items()}


def oe(g):
    f = Family("oe")
    for alg, (key, req) in OE_KEYS.items():
        built = oe_build(g, sig_alg=alg)
        b = built["bundle"]
        J = [f"keys/{key}.jwks"]
        p = f"bundle/{alg}/"
        f.add(p + "valid", f"an offline bundle certified with {alg}", b, requires=req, jwks=J)
        f.add(p + "valid-no-keys", "the same, no trusted keys (the bundle's public_key is used)", b, requires=req)
        f.add(p + "key-not-trusted", "trusted keys given, the issuer not among them", b, requires=req,
              jwks=["keys/ope-gateway.jwks"])
        f.add(p + "signature-changed", "certificate_signature changed",
              mutate(b, lambda d: d.__setitem__("certificate_signature", flip_hex(d["certificate_signature"]))),
              requires=req, jwks=J)
        f.add(p + "certificate-changed", "certificate.artifact_ref changed",
              mutate(b, lambda d: d["certificate"].__setitem__("artifact_ref", "doc-2")), requires=req, jwks=J)
        f.add(p + "event-payload-changed", "an event's payload changed",
              mutate(b, lambda d: d["chain"]["events"][1]["payload"].__setitem__("i", 99)), requires=req, jwks=J)
        if alg in ("ed25519", "ecdsa-p256"):
            f.add(p + "event-removed", "the middle event removed",
                  mutate(b, lambda d: d["chain"]["events"].pop(1)), requires=req, jwks=J)
            f.add(p + "events-reordered", "two events swapped",
                  mutate(b, lambda d: d["chain"]["events"].reverse()), requires=req, jwks=J)
            f.add(p + "chain-hash-changed", "chain.chain_hash changed",
                  mutate(b, lambda d: d["chain"].__setitem__("chain_hash", "0" * 64)), requires=req, jwks=J)
            f.add(p + "public-key-other", "public_key replaced by another key's",
                  mutate(b, lambda d: d.__setitem__("public_key", oe_build(g, sig_alg="ecdsa-p384")["bundle"]["public_key"]
                                                   if alg == "ed25519" else oe_build(g)["bundle"]["public_key"])),
                  requires=req, jwks=J)
            f.add(p + "certificate-missing", "certificate removed", mutate(b, lambda d: d.pop("certificate")),
                  requires=req, jwks=J)
            f.add(p + "status-missing", "status removed", mutate(b, lambda d: d.pop("status")), requires=req, jwks=J)
    b = oe_build(g)["bundle"]
    J = ["keys/oe-ed25519.jwks"]
    for h in ["sha384", "sha512"]:
        bb = oe_build(g, hash_alg=h)
        f.add(f"bundle/hash-{h}/valid", f"chain hashed with {h}", bb["bundle"], jwks=J)
        f.add(f"chain/hash-{h}/valid", f"certified chain record, {h}", bb["certified"], jwks=J)
        f.add(f"events/hash-{h}/valid", f"events array, {h}", bb["certified"]["events"], jwks=J)
    other = oe_build(g, chain_id="c0000000-0000-4000-8000-000000000002", n=2)["bundle"]
    f.add("bundle/certificate-other-chain", "the certificate of another chain put on this chain",
          mutate(b, lambda d: d.__setitem__("chain", other["chain"])), jwks=J)
    rv = oe_build(g, status={"status": "revoked", "reason": "key compromise", "at": "2025-12-31T12:30:00Z"})["bundle"]
    f.add("bundle/revoked", "a revoked certificate", rv, jwks=J)
    sp = oe_build(g, status={"status": "superseded", "reason": "newer report",
                             "superseded_by": "ce000000-0000-4000-8000-000000000009",
                             "at": "2025-12-31T12:30:00Z"})["bundle"]
    f.add("bundle/superseded", "a superseded certificate", sp, jwks=J)
    f.add("bundle/revoked-status-forged", "status rewritten from revoked to active, signature kept",
          mutate(rv, lambda d: d["status"].__setitem__("status", "active")), jwks=J)
    f.add("bundle/status-changed", "status.status set to revoked without a new signature",
          mutate(b, lambda d: d["status"].__setitem__("status", "revoked")), jwks=J)
    f.add("bundle/sig-alg-changed", "chain.signature_algorithm changed to ecdsa-p256",
          mutate(b, lambda d: d["chain"].__setitem__("signature_algorithm", "ecdsa-p256")), jwks=J)
    f.add("bundle/hash-alg-changed", "chain.hash_algorithm changed to sha512",
          mutate(b, lambda d: d["chain"].__setitem__("hash_algorithm", "sha512")), jwks=J)
    built = oe_build(g)
    ch, evs = built["certified"], built["certified"]["events"]
    f.add("chain/valid", "a certified chain record with its events", ch, jwks=J)
    f.add("chain/resolved-valid", "a resolved (not certified) chain record", built["chain"], jwks=J)
    f.add("chain/event-changed", "an event's event_type changed",
          mutate(ch, lambda d: d["events"][0].__setitem__("event_type", "other")), jwks=J)
    f.add("chain/event-hash-changed", "an event_hash changed",
          mutate(ch, lambda d: d["events"][2].__setitem__("event_hash", "f" * 64)), jwks=J)
    f.add("chain/prev-hash-broken", "prev_hash of event 2 changed",
          mutate(ch, lambda d: d["events"][1].__setitem__("prev_hash", "a" * 64)), jwks=J)
    f.add("chain/seq-gap", "seq of the last event changed to 5",
          mutate(ch, lambda d: d["events"][2].__setitem__("seq", 5)), jwks=J)
    f.add("chain/event-count-wrong", "event_count says 4", mutate(ch, lambda d: d.__setitem__("event_count", 4)),
          jwks=J)
    f.add("chain/chain-hash-changed", "chain_hash changed", mutate(ch, lambda d: d.__setitem__("chain_hash", "1" * 64)),
          jwks=J)
    f.add("chain/timestamp-changed", "an event's created_at moved by one second",
          mutate(ch, lambda d: d["events"][1].__setitem__("created_at", "2025-12-31T12:00:09.000Z")), jwks=J)
    f.add("events/valid", "the events of a chain as a JSON array", evs, jwks=J)
    f.add("events/removed", "the first event removed", evs[1:], jwks=J)
    f.add("events/removed-last", "the last event removed (a prefix still verifies)", evs[:-1], jwks=J)
    f.add("events/reordered", "two events swapped", [evs[1], evs[0], evs[2]], jwks=J)
    f.add("events/duplicated", "an event repeated", [evs[0], evs[1], evs[1], evs[2]], jwks=J)
    f.add("events/payload-changed", "an event's payload changed",
          [evs[0], mutate(evs[1], lambda e: e["payload"].__setitem__("i", 7)), evs[2]], jwks=J)
    f.add("events/jsonl", "the events as JSON Lines", "\n".join(dumps(e) for e in evs) + "\n", jwks=J)
    f.add("events/jsonl-sha256-given", "JSON Lines with hash_alg sha256", "\n".join(dumps(e) for e in evs) + "\n",
          jwks=J, hash_alg="sha256")
    f.add("events/jsonl-wrong-hash-alg", "JSON Lines with hash_alg sha512 (the chain is sha256)",
          "\n".join(dumps(e) for e in evs) + "\n", jwks=J, hash_alg="sha512")
    f.add("events/jsonl-tampered", "JSON Lines, one payload changed",
          "\n".join(dumps(e) for e in [evs[0], mutate(evs[1], lambda e: e.__setitem__("payload", {})), evs[2]]) + "\n",
          jwks=J)
    return f


def flip_hex(h):
    i = len(h) // 2
    return h[:i] + ("0" if h[i] != "0" else "1") + h[i + 1:]


# ---- proof records ------------------------------------------------------------------------------------------------

def proof(g):
    f = Family("proof")
    K = gen_keys.hmac_key_b64()
    rec = proof_record()
    signed = json.loads(g.op("proof_sign", record=rec, hmac_key_b64=K)["record"])
    att = json.loads(g.op("proof_sign", record=rec, hmac_key_b64=K, attest_key="proof-attest.jwk",
                          author="conformance")["record"])
    dflt = json.loads(g.op("proof_sign", record=rec, hmac_key_b64="")["record"])
    f.add("hmac/valid", "signed with the fixed HMAC key, verified with it", signed, hmac_key_b64=K)
    f.add("hmac/wrong-key", "verified with another HMAC key", signed,
          hmac_key_b64=base64.b64encode(b"another key").decode())
    f.add("hmac/no-key", "no HMAC key given (signature not checked)", signed)
    f.add("hmac/default-key-not-allowed", "signed with the default key, verified with no key", dflt)
    f.add("hmac/default-key-allowed", "signed with the default key, default allowed (warning)", dflt,
          allow_default_hmac_key=True)
    f.add("hmac/default-key-explicit", "signed with the default key, hmac_key_b64 \"\"", dflt, hmac_key_b64="")
    f.add("hmac/fixed-key-default-tried", "signed with the fixed key, only the default key tried", signed,
          allow_default_hmac_key=True)
    f.add("hmac/bad-key-b64", "hmac_key_b64 that is not base64", signed, hmac_key_b64="***")
    f.add("hmac/claim-changed", "claim.statement changed",
          mutate(signed, lambda d: d["claim"].__setitem__("statement", "S2")), hmac_key_b64=K)
    f.add("hmac/verdict-changed", "verdict.outcome changed",
          mutate(signed, lambda d: d["verdict"].__setitem__("outcome", "REFUTED")), hmac_key_b64=K)
    f.add("hmac/proof-id-changed", "proof_id changed",
          mutate(signed, lambda d: d.__setitem__("proof_id", "0" * 64)), hmac_key_b64=K)
    f.add("hmac/signature-changed", "signature changed",
          mutate(signed, lambda d: d.__setitem__("signature", flip_hex(d["signature"]))), hmac_key_b64=K)
    f.add("hmac/signature-missing", "signature removed", mutate(signed, lambda d: d.pop("signature")), hmac_key_b64=K)
    f.add("hmac/signature-wrong-type", "signature is a number",
          mutate(signed, lambda d: d.__setitem__("signature", 1)), hmac_key_b64=K)
    f.add("hmac/member-added", "an unknown member added (covered by the body)",
          mutate(signed, lambda d: d.__setitem__("extra", 1)), hmac_key_b64=K)
    f.add("hmac/schema-version-changed", "schema_version 2.0",
          mutate(signed, lambda d: d.__setitem__("schema_version", "2.0")), hmac_key_b64=K)
    f.add("hmac/identity-missing", "identity removed", mutate(signed, lambda d: d.pop("identity")), hmac_key_b64=K)
    f.add("hmac/float-rewritten", "0.0 written as 0 (another value for Python)",
          dumps(signed).replace('"observed_value":0.0', '"observed_value":0'), hmac_key_b64=K)
    for n, extra in [("nan", "NaN"), ("infinity", "[Infinity,-Infinity]"), ("lone-surrogate", '"\\ud800x"'),
                     ("non-ascii", '"caf\u00e9 \U0001F600"')]:
        r = g.op("proof_sign", record=rec[:-1] + ',"extra":' + extra + "}", hmac_key_b64=K)["record"]
        f.add(f"values/{n}-valid", f"a record holding {n} values, signed", r, hmac_key_b64=K)
        f.add(f"values/{n}-tampered", f"the same, signature changed",
              r.replace('"signature":"', '"signature":"0', 1).replace('"signature":"0' + "x", '"signature":"0x'),
              hmac_key_b64=K)
    f.add("attest/valid-trusted", "attested, key trusted by jwks, HMAC checked", att, hmac_key_b64=K,
          jwks=["keys/proof-attest.jwks"])
    f.add("attest/valid-embedded", "attested, embedded key trusted", att, hmac_key_b64=K, trust_embedded_key=True)
    f.add("attest/key-not-trusted", "attested, key not trusted, HMAC checked", att, hmac_key_b64=K)
    f.add("attest/attestation-only", "attested, trusted, no HMAC key", att, jwks=["keys/proof-attest.jwks"])
    f.add("attest/signature-changed", "attestation.signature changed",
          mutate(att, lambda d: d["attestation"].__setitem__("signature", flip_hex(d["attestation"]["signature"]))),
          hmac_key_b64=K, jwks=["keys/proof-attest.jwks"])
    f.add("attest/author-changed", "attestation.author changed",
          mutate(att, lambda d: d["attestation"].__setitem__("author", "mallory")), hmac_key_b64=K,
          jwks=["keys/proof-attest.jwks"])
    f.add("attest/algorithm-changed", "attestation.algorithm rsa",
          mutate(att, lambda d: d["attestation"].__setitem__("algorithm", "rsa")), hmac_key_b64=K,
          jwks=["keys/proof-attest.jwks"])
    f.add("attest/public-key-other", "attestation.public_key of another key",
          mutate(att, lambda d: d["attestation"].__setitem__("public_key", "00" * 32)), hmac_key_b64=K,
          jwks=["keys/proof-attest.jwks"])
    f.add("attest/body-changed", "claim changed: HMAC and attestation fail",
          mutate(att, lambda d: d["claim"].__setitem__("h0", "X")), hmac_key_b64=K, jwks=["keys/proof-attest.jwks"])
    return f


# ---- DSSE -----------------------------------------------------------------------------------------------------

def dsse(g):
    f = Family("dsse")
    K = gen_keys.hmac_key_b64()
    T = "application/vnd.in-toto+json"
    D = ["keys/dsse.jwks"]
    rec = g.op("proof_sign", record=proof_record(), hmac_key_b64=K)["record"]
    st = g.op("intoto_statement", record=rec)["statement"]
    env = json.loads(g.op("dsse_sign", payload_type=T, payload=st, key="dsse.jwk")["envelope"])
    f.add("proof/valid", "a DSSE envelope (Ed25519) around a proof record's Statement", env, jwks=D, hmac_key_b64=K)
    f.add("proof/key-not-trusted", "the DSSE key not trusted", env, jwks=["keys/ope-sender.jwks"], hmac_key_b64=K)
    f.add("proof/no-hmac-key", "inner proof record without HMAC key", env, jwks=D)
    f.add("proof/payload-type-changed", "payloadType changed",
          mutate(env, lambda e: e.__setitem__("payloadType", "application/json")), jwks=D, hmac_key_b64=K)
    f.add("proof/signature-changed", "the signature changed",
          mutate(env, lambda e: e["signatures"][0].__setitem__("sig", flip_b64(e["signatures"][0]["sig"]))), jwks=D,
          hmac_key_b64=K)
    f.add("proof/keyid-unknown", "the keyid changed", mutate(env, lambda e: e["signatures"][0].__setitem__(
        "keyid", "ed25519-0000000000000000")), jwks=D, hmac_key_b64=K)
    f.add("proof/signatures-empty", "no signatures", mutate(env, lambda e: e.__setitem__("signatures", [])), jwks=D,
          hmac_key_b64=K)
    f.add("proof/payload-not-base64", "payload is not base64",
          mutate(env, lambda e: e.__setitem__("payload", "***")), jwks=D, hmac_key_b64=K)
    st2 = json.loads(st)
    st2["predicate"]["body"]["claim"]["statement"] = "S2"
    env2 = json.loads(g.op("dsse_sign", payload_type=T, payload=dumps(st2), key="dsse.jwk")["envelope"])
    f.add("proof/record-tampered-resigned", "the record inside changed, the envelope re-signed", env2, jwks=D,
          hmac_key_b64=K)
    st3 = json.loads(st)
    st3["subject"][0]["digest"]["sha256"] = "0" * 64
    env3 = json.loads(g.op("dsse_sign", payload_type=T, payload=dumps(st3), key="dsse.jwk")["envelope"])
    f.add("proof/subject-digest-wrong", "the subject digest changed, re-signed", env3, jwks=D, hmac_key_b64=K)
    hm = json.loads(g.op("dsse_sign", payload_type=T, payload=st, hmac_key_b64=K, keyid="hmac")["envelope"])
    f.add("proof/hmac-signed", "a DSSE envelope with an HMAC signature", hm, hmac_key_b64=K)
    f.add("proof/hmac-wrong-key", "HMAC signature, another key", hm,
          hmac_key_b64=base64.b64encode(b"other").decode())
    f.add("proof/not-statement", "a DSSE envelope around plain JSON",
          json.loads(g.op("dsse_sign", payload_type=T, payload='{"a":1}', key="dsse.jwk")["envelope"]), jwks=D)
    # around an OPE bundle
    rs = [json.loads(r) for r in receipts_for(g, 2)]
    b = g.op("ope_bundle_build", key="ope-gateway.jwk", trace_id=TRACE, exported_at="2025-12-31T23:59:59Z",
             receipts=dumps(rs), form="starter")["bundle"]
    st = g.op("intoto_statement", record=b)["statement"]
    env = json.loads(g.op("dsse_sign", payload_type=T, payload=st, key="dsse.jwk")["envelope"])
    f.add("ope-bundle/valid", "a DSSE envelope around an OPE bundle", env, jwks=["keys/dsse.jwks",
                                                                                  "keys/ope-gateway.jwks"])
    f.add("ope-bundle/gateway-not-trusted", "the bundle's gateway key not trusted", env, jwks=D)
    f.add("ope-bundle/payload-type-changed", "payloadType changed",
          mutate(env, lambda e: e.__setitem__("payloadType", "text/plain")), jwks=["keys/dsse.jwks",
                                                                                 "keys/ope-gateway.jwks"])
    f.add("ope-bundle/signed-by-other", "re-signed by keys/other.jwk under its own keyid",
          json.loads(g.op("dsse_sign", payload_type=T, payload=st, key="other.jwk")["envelope"]),
          jwks=["keys/dsse.jwks", "keys/ope-gateway.jwks"])
    return f


def flip_b64(s):
    i = len(s) // 2
    return s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1:]


# ---- malformed ------------------------------------------------------------------------------------------------

def malformed(g):
    f = Family("malformed")
    for n, t in [("not-json", "hello"), ("empty", ""), ("truncated", '{"a":'), ("number", "42"), ("string", '"x"'),
                 ("null", "null"), ("empty-object", "{}"), ("unknown-object", '{"hello":"world"}'),
                 ("array-of-strings", '["a","b"]'), ("duplicate-key", '{"a":1,"a":2}'), ("nan", "[NaN]"),
                 ("deep", "[" * 200 + "]" * 200), ("trailing", "{} x")]:
        f.add(n, "a document prova does not know or cannot read: " + n, t)
    for n, b in [("invalid-utf8", b'{"a":"\xff"}'), ("bom", b'\xef\xbb\xbf{}')]:
        f.add(n, "bytes: " + n, b, b64=True)
    return f


def files(g):
    out = {}
    for fam, desc in [(ope, "ODIN OPE v1: envelopes (prova, ope-lib, starter dialects), receipts, receipt chains, "
                            "bundles (starter, ope-lib, flat forms). "),
                      (oe, "OpenExecution v2: offline bundles (Ed25519, ECDSA P-256/P-384/P-521, Ed448: ECDSA and "
                           "Ed448 signatures were made once and frozen), chain records, events. "),
                      (proof, "Ophamin proof records: HMAC-SHA256 (keys/proof-hmac.b64), attestations, NaN and lone "
                              "surrogate values. "),
                      (dsse, "DSSE envelopes (in-toto Statements) around a proof record and an OPE bundle. "),
                      (malformed, "Input that is not JSON, not a known kind, or over a limit. ")]:
        fa = fam(g)
        out[fa.prefix + ".json"] = (desc + DESC, fa.cases)
    return out
