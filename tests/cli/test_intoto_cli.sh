#!/usr/bin/env bash
# `prova export --to intoto|dsse` black box, checked by independent peers: the reference's to_in_toto_statement and
# to_dsse_envelope re-implemented with Python's json/hmac/hashlib/base64 (reference/ophamin.md §9), @sigstore/core's
# PAE and node:crypto (Ed25519 verification, HMAC) in tests/interop/dsse_peer.mjs; then `prova import` on good and
# damaged envelopes (truncated, wrong payloadType, base64 errors, a changed payload, unknown keys).
#   test_intoto_cli.sh PROVA
set -u
PROVA=${1:?usage: test_intoto_cli.sh PROVA}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
MIN="$HERE/../data/proof_minimal.json"
PEER="$HERE/../interop/dsse_peer.mjs"
DEFAULT_B64=b3BoYW1pbi1zY2VuYXJpby1wcm9vZi1rZXk=
NODE=$(command -v node || true)

# peer NAME WANT_RC ARGS...: runs the Node peer
peer() {
  local name=$1 want=$2
  shift 2
  if [ -z "$NODE" ]; then bad "$name: node is not installed"; return 1; fi
  run "$NODE" "$PEER" "$@"
  if [ "$RC" != "$want" ]; then bad "$name: peer exit $RC, want $want; $(show)"; return 1; fi
  ok
}

# ---- fixtures, made with prova itself ------------------------------------------------------------------------------
"$PROVA" proof sign --default-key "$MIN" >"$T/proof.json" || bad "proof sign"
KID=$("$PROVA" keygen --out "$T/k.json") || bad "keygen"
"$PROVA" keygen --out "$T/k2.json" >/dev/null || bad "keygen 2"
"$PROVA" jwks "$T/k.json" >"$T/jwks.json" || bad "jwks"
"$PROVA" jwks "$T/k.json" "$T/k2.json" >"$T/jwks2.json" || bad "jwks 2"
"$PROVA" jwks "$T/k2.json" >"$T/jwks_other.json" || bad "jwks other"
"$PROVA" keygen --out "$T/k3.json" >/dev/null && "$PROVA" jwks "$T/k3.json" >"$T/jwks3.json" || bad "jwks 3"
printf '{"order":{"id":7,"item":"caf\xc3\xa9"},"n":[1,2,3]}' >"$T/payload.json"
"$PROVA" pack --key "$T/k.json" --payload-type vendor.v1 --target-type canonical.v1 "$T/payload.json" >"$T/ope.json" \
  || bad "pack"
echo '{"ref":"refs/heads/main","commits":1}' >"$T/p1.json"
C=$T/chain.json
{ "$PROVA" oe new --chain "$C" --id 11111111-2222-4333-8444-555555555555 --chain-type resource_audit \
    --origin-type github --origin-id octocat/hello-world --created-at 2026-03-20T09:59:59Z &&
  "$PROVA" oe append --chain "$C" --type code_pushed --actor octocat --created-at 2026-03-20T10:00:00.000Z "$T/p1.json" &&
  "$PROVA" oe resolve --chain "$C" --at 2026-03-20T11:05:00Z &&
  "$PROVA" oe certify --key "$T/k.json" --chain "$C" --artifact-type repository --artifact-ref octocat/hello-world \
    --issued-at 2026-03-20T11:05:01Z --certificate-id cert-1 --out "$T/oe.json"; } >/dev/null || bad "oe fixture"

# ---- the PAE vector through Sigstore's own PAE (reference §9, VERIFIED values) -------------------------------------
peer "sigstore PAE + node HMAC: the §9 vector" 0 vector
pycheck "§9: PAE and HMAC" "$T/out" \
  'd["pae"] == "DSSEv1 28 application/vnd.in-toto+json 7 {\"a\":1}" and d["hmac"] == "eD853qyG6JcYnbhFLQ3GJ/mpUDmTbgI9GK8fLhn7vH4="'

# ---- proof records: the reference's Statement and envelope, byte for byte ------------------------------------------
t "export --to intoto (proof)" 0 - - -- "$PROVA" export --to intoto --default-key "$T/proof.json"
cp "$T/out" "$T/proof_st.json"
cat >"$T/ref.py" <<'PYEOF'
# The reference's in_toto.py, re-implemented (reference/ophamin.md §9).
import base64, hashlib, hmac, json, sys
def canon(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
def statement(proof, version="0.1.0"):
    assert proof["signature"] and len(proof["proof_id"]) == 64
    body = {k: v for k, v in proof.items() if k not in ("signature", "proof_id", "attestation")}
    return {"_type": "https://in-toto.io/Statement/v1",
            "predicateType": "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empirical-proof-record-v1",
            "subject": [{"name": "empirical-proof-record-" + proof["proof_id"][:16], "digest": {"sha256": proof["proof_id"]}}],
            "predicate": {"ophamin_version": version, "schema_version": proof["schema_version"], "body": body,
                          "signature": proof["signature"]}}
def pae(t, b):
    t = t.encode()
    return b"DSSEv1 " + str(len(t)).encode() + b" " + t + b" " + str(len(b)).encode() + b" " + b
def envelope(proof, key, keyid=""):
    p = canon(statement(proof))
    return {"payloadType": "application/vnd.in-toto+json", "payload": base64.b64encode(p).decode(),
            "signatures": [{"keyid": keyid, "sig": base64.b64encode(hmac.new(key, pae("application/vnd.in-toto+json", p), hashlib.sha256).digest()).decode()}]}
proof = json.load(open(sys.argv[2]))
got = open(sys.argv[3], "rb").read()
if sys.argv[1] == "statement":
    assert got == canon(statement(proof)) + b"\n", got[:200]
else:
    env = json.loads(got)
    want = envelope(proof, b"ophamin-scenario-proof-key", sys.argv[4] if len(sys.argv) > 4 else "")
    assert got == json.dumps(want, separators=(",", ":")).encode() + b"\n", (got[:200], want)
PYEOF
if "$PY" "$T/ref.py" statement "$T/proof.json" "$T/proof_st.json" 2>"$T/pyerr"; then ok; else
  bad "the Statement is the reference's to_in_toto_statement: $(tail -n 1 "$T/pyerr")"; fi
t "export --to dsse --default-key: warns" 0 - 'public default key.*integrity' -- \
  "$PROVA" export --to dsse --default-key "$T/proof.json"
cp "$T/out" "$T/proof_env.json"
if "$PY" "$T/ref.py" envelope "$T/proof.json" "$T/proof_env.json" 2>"$T/pyerr"; then ok; else
  bad "the envelope is the reference's to_dsse_envelope: $(tail -n 1 "$T/pyerr")"; fi
t "export --to dsse --keyid" 0 - - -- "$PROVA" export --to dsse --default-key --keyid ophamin-demo "$T/proof.json"
cp "$T/out" "$T/proof_env_kid.json"
if "$PY" "$T/ref.py" envelope "$T/proof.json" "$T/proof_env_kid.json" ophamin-demo 2>"$T/pyerr"; then ok; else
  bad "--keyid is the reference's keyid: $(tail -n 1 "$T/pyerr")"; fi
peer "node: the HMAC signature" 0 verify "$T/proof_env.json" --hmac-key-b64 "$DEFAULT_B64"
peer "node: the HMAC under another key fails" 1 verify "$T/proof_env.json" --hmac-key-b64 QUJD

# Ed25519 + HMAC in one envelope; the Ed25519 keyid is the key's kid.
t "export --to dsse --sign-key + HMAC" 0 - - -- \
  "$PROVA" export --to dsse --sign-key "$T/k.json" --sign-key "$T/k2.json" --default-key "$T/proof.json"
cp "$T/out" "$T/proof_env3.json"
peer "node: two Ed25519 signatures and the HMAC verify" 0 verify "$T/proof_env3.json" --jwks "$T/jwks2.json" --hmac-key-b64 "$DEFAULT_B64"
pycheck "node saw ed25519, ed25519, hmac; keyid = kid" "$T/out" \
  '[(s["method"], s.get("alg")) for s in d["signatures"]] == [("jwk", "ed25519"), ("jwk", "ed25519"), ("hmac", None)] and d["signatures"][0]["keyid"] == "'"$KID"'"'
t "import: both layers valid" 0 'VALID' - -- "$PROVA" import --jwks "$T/jwks.json" --default-key "$T/proof_env3.json"
t "import --json" 0 - - -- "$PROVA" import --json --jwks "$T/jwks.json" --default-key "$T/proof_env3.json"
pycheck "the report has the envelope, the Statement and the record" "$T/out" \
  'd["valid"] and d["kind"] == "dsse_envelope" and {"dsse.signatures[0]", "intoto.subject", "signature", "proof_id"} <= {c["check"] for c in d["checks"]} and "dsse_keyid_unknown" in [w["code"] for w in d["warnings"]]'
t "import: HMAC only" 0 'VALID' - -- "$PROVA" import --default-key "$T/proof_env.json"
t "import: no key for any signature" 1 'dsse_no_valid_signature' - -- "$PROVA" import --jwks "$T/jwks3.json" "$T/proof_env3.json"

# ---- OPE: an envelope, Ed25519 -------------------------------------------------------------------------------------
t "export --to intoto (OPE envelope)" 0 - - -- "$PROVA" export --to intoto --jwks "$T/jwks.json" "$T/ope.json"
cp "$T/out" "$T/ope_st.json"
if "$PY" - "$T/ope.json" "$T/ope_st.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "OPE Statement: $(tail -n 1 "$T/pyerr")"; fi
import hashlib, json, sys
env = json.load(open(sys.argv[1], encoding="utf-8"))
got = open(sys.argv[2], "rb").read()
def ope(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
digest = hashlib.sha256(ope(env["payload"])).hexdigest()
assert env["cid"] == "sha256:" + digest
want = {"_type": "https://in-toto.io/Statement/v1", "predicateType": "urn:prova:predicate:ope:v1",
        "subject": [{"name": "ope-envelope-" + digest[:16], "digest": {"sha256": digest}}],
        "predicate": {"kind": "ope_envelope", "record": env}}
assert got == ope(want) + b"\n", got[:300]
PYEOF
t "export --to dsse (OPE, Ed25519)" 0 - - -- "$PROVA" export --to dsse --jwks "$T/jwks.json" --sign-key "$T/k.json" "$T/ope.json"
cp "$T/out" "$T/ope_env.json"
peer "node: Ed25519 over sigstore's PAE" 0 verify "$T/ope_env.json" --jwks "$T/jwks.json"
pycheck "node decoded the same Statement" "$T/out" \
  'd["statement"]["predicate"]["record"] == json.load(open("'"$T/ope.json"'", encoding="utf-8")) and d["payload_sha256"] == __import__("hashlib").sha256(open("'"$T/ope_st.json"'", "rb").read().rstrip(b"\n")).hexdigest()'
peer "node: another key does not verify" 1 verify "$T/ope_env.json" --jwks "$T/jwks_other.json"
t "import (OPE)" 0 'VALID' - -- "$PROVA" import --jwks "$T/jwks.json" "$T/ope_env.json"

# ---- OpenExecution: a certificate bundle ---------------------------------------------------------------------------
t "export --to intoto (OE bundle)" 0 - - -- "$PROVA" export --to intoto --key "$T/k.json" "$T/oe.json"
cp "$T/out" "$T/oe_st.json"
pycheck "OE Statement: chain_hash subject, the bundle inside" "$T/oe_st.json" \
  'd["predicateType"] == "urn:prova:predicate:openexecution:v1" and d["predicate"]["kind"] == "oe_bundle" and d["predicate"]["record"] == json.load(open("'"$T/oe.json"'")) and d["subject"][0]["digest"] == {"sha256": d["predicate"]["record"]["chain"]["chain_hash"]}'
t "export --to dsse (OE)" 0 - - -- "$PROVA" export --to dsse --key "$T/k.json" --sign-key "$T/k.json" --out "$T/oe_env.json" "$T/oe.json"
peer "node: the OE envelope" 0 verify "$T/oe_env.json" --jwks "$T/jwks.json"
t "import (OE)" 0 'VALID' - -- "$PROVA" import --jwks "$T/jwks.json" --key "$T/k.json" "$T/oe_env.json"
t "--out exists" 2 - 'exists' -- "$PROVA" export --to dsse --key "$T/k.json" --sign-key "$T/k.json" --out "$T/oe_env.json" "$T/oe.json"

# ---- refusals ------------------------------------------------------------------------------------------------------
t "--to dsse without a signing key" 2 - 'needs a signing key' -- "$PROVA" export --to dsse --no-verify "$T/proof.json"
[ -s "$T/out" ] && bad "a refused export wrote to stdout" || ok
t "--to dsse without a signing key (no HMAC)" 2 - 'needs a signing key' -- "$PROVA" export --to dsse --jwks "$T/jwks.json" "$T/ope.json"
t "an unsigned proof record" 2 - 'intoto_unsigned' -- "$PROVA" export --to intoto --no-verify "$MIN"
[ -s "$T/out" ] && bad "a refused Statement wrote to stdout" || ok
"$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["keys"][0]))' "$T/jwks.json" >"$T/pub.json"
t "--sign-key with a public key" 2 - 'pub.json is a public key \(.*\); a private key is needed' -- \
  "$PROVA" export --to dsse --sign-key "$T/pub.json" --default-key "$T/proof.json"

# ---- damaged envelopes, through prova import and the peer ----------------------------------------------------------
dmg() { # NAME PYTHON (edits the envelope dict e; b64/json available)
  "$PY" - "$T/proof_env3.json" "$T/dmg.json" "$2" <<'PYEOF'
import base64, json, sys
e = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(e) if not isinstance(e, str) else e)
PYEOF
}
IMP=(--jwks "$T/jwks2.json" --default-key)
dmg wrongtype 'e["payloadType"] = "application/json"'
t "wrong payloadType" 1 'dsse_payload_type' - -- "$PROVA" import "${IMP[@]}" "$T/dmg.json"
dmg b64 'e["payload"] = e["payload"][:-3] + "!" + e["payload"][-2:]'
t "payload base64 error" 1 'dsse_payload_base64' - -- "$PROVA" import "${IMP[@]}" "$T/dmg.json"
dmg sigb64 'e["signatures"][0]["sig"] = "%%%%" + e["signatures"][0]["sig"][4:]'
t "sig base64 error" 1 'dsse_sig_base64' - -- "$PROVA" import "${IMP[@]}" "$T/dmg.json"
dmg changed 'e["payload"] = base64.b64encode(base64.b64decode(e["payload"]).replace(b"\"statement\":\"S\"", b"\"statement\":\"X\"")).decode()'
t "a changed payload: signatures fail" 1 'dsse_signature_invalid' - -- "$PROVA" import "${IMP[@]}" "$T/dmg.json"
peer "node: the changed payload does not verify" 1 verify "$T/dmg.json" --jwks "$T/jwks2.json" --hmac-key-b64 "$DEFAULT_B64"
dmg nosigs 'e["signatures"] = []'
t "no signatures" 1 'dsse_schema' - -- "$PROVA" import "${IMP[@]}" "$T/dmg.json"
dmg unknown 'e["signatures"] = e["signatures"][:1]'
t "an unknown keyid only" 1 'dsse_keyid_unknown' - -- "$PROVA" import --jwks "$T/jwks3.json" "$T/dmg.json"
head -c 200 "$T/proof_env3.json" >"$T/trunc.json"
t "a truncated envelope" 2 - 'json_truncated|truncated' -- "$PROVA" import "${IMP[@]}" "$T/trunc.json"
: >"$T/empty.json"
t "an empty file" 2 - 'json' -- "$PROVA" import "${IMP[@]}" "$T/empty.json"

summary
