#!/usr/bin/env bash
# prova export --to cloudevents, black box (docs/cloudevents.md): the proof event of reference/ophamin.md §7
# (attribute order and values checked by Python; the record inside `data` re-verified by Python's hmac/hashlib and
# by prova verify), the other families' types, ids and data (content addresses read by Python from the records),
# binary mode (percent-encoding decoded by Python's urllib), batch mode, the CloudEvents SDK for JavaScript
# (tests/node_modules/cloudevents 10.0.0, HTTP.toEvent + validate) reading structured, binary and batch output,
# --post to a Python HTTP server, bad input (each a clear error, nothing written), and the URI-typed attributes
# (source, dataschema, dataref) on which prova and the SDK must agree, both ways.
#   test_ce_cli.sh PROVA
set -u
PROVA=${1:?usage: test_ce_cli.sh PROVA}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
MIN="$HERE/../data/proof_minimal.json"
PEER="$HERE/../interop/ce_peer.mjs"
HAVE_NODE=1
if ! command -v node >/dev/null || [ ! -d "$HERE/../node_modules/cloudevents" ]; then
  HAVE_NODE=0
  echo "note: node or tests/node_modules/cloudevents missing (scripts/setup-node.sh): the SDK checks fail" >&2
fi
X=("$PROVA" export --to cloudevents)

# peer MODE FILE NAME EXPR: the SDK parses FILE; EXPR (Python) on d = the SDK's events (ce_peer.mjs's summary) and
# rec() = the record in $T/rec.json
peer() {
  local mode=$1 file=$2 name=$3 expr=$4
  if [ "$HAVE_NODE" = 0 ]; then bad "$name: no node/cloudevents SDK"; return; fi
  if ! node "$PEER" "$mode" "$file" >"$T/peer.json" 2>"$T/peer.err"; then
    bad "$name: the SDK refused it: $(head -c 400 "$T/peer.err")"
    return
  fi
  pycheck "$name" "$T/peer.json" "(lambda rec: $expr)(lambda: json.load(open('$T/rec.json')))"
}

# ---- fixtures, made with prova itself ---------------------------------------------------------------------------
"$PROVA" proof sign --default-key "$MIN" >"$T/proof.json" || bad "fixture: proof sign"
"$PROVA" keygen --out "$T/sender.jwk" >/dev/null && "$PROVA" keygen --out "$T/gw.jwk" >/dev/null || bad "fixture: keygen"
"$PROVA" jwks "$T/sender.jwk" >"$T/sender_jwks.json" || bad "fixture: jwks"
printf '{"a":1,"name":"caf\\u00e9"}' >"$T/payload.json"
for i in 0 1; do
  "$PROVA" pack --key "$T/sender.jwk" --payload-type vendor.v1 --target-type canonical.v1 --trace-id tr-1 \
    --ts "2025-08-22T04:18:0$i.123456+00:00" "$T/payload.json" >"$T/env$i.json" || bad "fixture: pack $i"
  "$PROVA" receipt append --key "$T/gw.jwk" --chain "$T/chain.jsonl" --sender-jwks "$T/sender_jwks.json" \
    --now 2025-08-22T04:18:09Z "$T/env$i.json" >"$T/rcpt$i.json" || bad "fixture: receipt append $i"
done
"$PROVA" bundle --key "$T/gw.jwk" --chain "$T/chain.jsonl" --trace-id tr-1 --exported-at 2025-08-22T05:00:00+00:00 \
  >"$T/bundle.json" || bad "fixture: bundle"
echo '{"x":1}' >"$T/op.json"
"$PROVA" oe new --chain "$T/oc.json" --chain-type resource_audit >/dev/null || bad "fixture: oe new"
"$PROVA" oe append --chain "$T/oc.json" --type code_pushed --actor me --created-at 2026-03-20T10:00:00.000Z \
  "$T/op.json" >/dev/null || bad "fixture: oe append"
"$PROVA" oe resolve --chain "$T/oc.json" --at 2026-03-20T11:05:00Z >/dev/null || bad "fixture: oe resolve"
"$PROVA" keygen --out "$T/issuer.jwk" >/dev/null
"$PROVA" oe certify --key "$T/issuer.jwk" --chain "$T/oc.json" --artifact-type repository --artifact-ref r1 \
  --issued-at 2026-03-21T00:00:00Z --out "$T/ob.json" >/dev/null || bad "fixture: oe certify"
"$PROVA" jwks "$T/sender.jwk" "$T/gw.jwk" "$T/issuer.jwk" >"$T/jwks.json" || bad "fixture: jwks"
"$PY" -c 'import json,sys; json.dump([json.loads(l) for l in open(sys.argv[1]) if l.strip()], open(sys.argv[2], "w"))' "$T/chain.jsonl" "$T/chain.json"
"$PROVA" oe revoke --key "$T/issuer.jwk" --at 2026-04-01T00:00:00Z --out "$T/orv.json" "$T/ob.json" >/dev/null || bad "fixture: oe revoke"
"$PROVA" oe supersede --key "$T/issuer.jwk" --by cert-2 --at 2026-04-02T00:00:00Z --out "$T/osup.json" "$T/ob.json" >/dev/null || bad "fixture: oe supersede"

# ---- proof records: reference §7 ---------------------------------------------------------------------------------
t "proof: structured event" 0 - - -- "${X[@]}" --default-key "$T/proof.json"
cp "$T/out" "$T/pe.json"
cp "$T/proof.json" "$T/rec.json"
if "$PY" - "$T/pe.json" "$T/proof.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "proof event as reference §7: $(tail -n 2 "$T/pyerr")"; fi
import json, sys, hashlib, hmac
raw = open(sys.argv[1], encoding="utf-8").read()
assert raw.endswith("}\n") and raw.count("\n") == 1, "one compact line"
e = json.loads(raw)
r = json.load(open(sys.argv[2]))
assert list(e) == ["specversion", "id", "source", "type", "datacontenttype", "dataschema", "time",
                   "ophaminversion", "ophaminschema", "ophaminverdict", "data"], list(e)
want = {"specversion": "1.0", "id": r["proof_id"], "source": "urn:prova:cli", "type": "dev.ophamin.proof.emitted.v1",
        "datacontenttype": "application/json",
        "dataschema": "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empiricalproofrecord--10",
        "time": r["identity"]["created_at"], "ophaminversion": r["identity"]["ophamin_version"],
        "ophaminschema": str(r["schema_version"]), "ophaminverdict": str(r["verdict"]["outcome"])}
for k, v in want.items():
    assert e[k] == v, (k, e[k], v)
assert e["data"] == r
# the record inside data still verifies (reference §3.2, default key)
body = {k: v for k, v in e["data"].items() if k not in ("signature", "proof_id", "attestation")}
b = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
assert hashlib.sha256(b).hexdigest() == e["data"]["proof_id"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac"
assert hmac.new(b"ophamin-scenario-proof-key", b, hashlib.sha256).hexdigest() == e["data"]["signature"]
# compact, and the event as a whole is ASCII (ensure_ascii, as json.dumps(envelope) in the reference README)
assert ", " not in raw[:200] and raw.isascii()
PYEOF
"$PY" -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["data"], open(sys.argv[2], "w"))' "$T/pe.json" "$T/pdata.json"
t "proof: the record in data verifies" 0 'VALID' - -- "$PROVA" verify --default-key "$T/pdata.json"
peer structured "$T/pe.json" "SDK reads the proof event" \
  'd[0]["id"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac" and d[0]["type"] == "dev.ophamin.proof.emitted.v1" and d[0]["source"] == "urn:prova:cli" and d[0]["data"] == rec() and d[0]["extensions"] == {"ophaminversion": "0.1.0", "ophaminschema": "1.0", "ophaminverdict": "VALIDATED"} and d[0]["time"] == "2026-01-01T00:00:01.000Z" and d[0]["dataschema"].endswith("empiricalproofrecord--10")'
t "proof: --source --type --ext" 0 - - -- "${X[@]}" --default-key --source urn:my-deployment:ophamin --type dev.ophamin.proof.validated.v1 --ext team=blue --ext run42=yes "$T/proof.json"
pycheck "--source/--type/--ext in order after ophaminverdict" "$T/out" \
  'd["source"] == "urn:my-deployment:ophamin" and d["type"] == "dev.ophamin.proof.validated.v1" and list(d)[-4:] == ["ophaminverdict", "team", "run42", "data"] and d["team"] == "blue" and d["run42"] == "yes"'
t "proof without a key: does not verify, nothing exported" 1 - 'proof_hmac_key_missing' -- "${X[@]}" "$T/proof.json"
pyedit "$T/proof.json" "$T/badsig.json" 'd["signature"] = "0" * 64'
t "proof with a wrong signature: does not verify" 1 - 'proof_signature_mismatch' -- "${X[@]}" --default-key "$T/badsig.json"
if [ -s "$T/out" ]; then bad "a record that does not verify was exported"; else ok; fi
# NaN survives in data (ophamin profile); --no-verify for an unsigned record without proof_id: the fallback id
pyedit "$MIN" "$T/nan.json" 'd["verdict"]["observed_value"] = float("nan"); d["verdict"]["outcome"] = "REFUTED"'
t "proof with NaN, unsigned, --no-verify" 0 '"observed_value":NaN' - -- "${X[@]}" --no-verify "$T/nan.json"
if "$PY" - "$T/out" "$T/nan.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "fallback id = sha256(canonical(record)): $(tail -n 1 "$T/pyerr")"; fi
import json, sys, hashlib, math
e = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
b = json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
assert e["id"] == hashlib.sha256(b).hexdigest(), e["id"]
assert math.isnan(e["data"]["verdict"]["observed_value"]) and e["ophaminverdict"] == "REFUTED" and "proof_id" not in e["data"]
PYEOF

# ---- binary mode -------------------------------------------------------------------------------------------------
t "proof: binary mode" 0 - - -- "${X[@]}" --default-key --mode binary --ext note='a b"%é~' "$T/proof.json"
cp "$T/out" "$T/pb.txt"
if "$PY" - "$T/pb.txt" "$T/proof.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "binary mode headers/body: $(tail -n 2 "$T/pyerr")"; fi
import json, sys, urllib.parse
raw = open(sys.argv[1], "rb").read()
head, body = raw.split(b"\r\n\r\n", 1)
r = json.load(open(sys.argv[2]))
lines = head.decode("ascii").split("\r\n")
names = [l.split(": ", 1)[0] for l in lines]
h = dict(l.split(": ", 1) for l in lines)
assert names == ["Content-Type", "ce-specversion", "ce-id", "ce-source", "ce-type", "ce-dataschema", "ce-time",
                 "ce-ophaminversion", "ce-ophaminschema", "ce-ophaminverdict", "ce-note"], names
assert h["Content-Type"] == "application/json" and h["ce-specversion"] == "1.0" and h["ce-id"] == r["proof_id"]
assert h["ce-time"] == "2026-01-01T00:00:01+00:00"  # '+' and ':' are printable: not encoded
assert h["ce-note"] == "a%20b%22%25%C3%A9~", h["ce-note"]
assert urllib.parse.unquote(h["ce-note"], errors="strict") == 'a b"%é~'
assert all(0x21 <= c <= 0x7e or c == 0x20 for c in head.replace(b"\r\n", b"")), "headers are printable ASCII"
assert body == json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
PYEOF
t "proof: binary mode for the SDK" 0 - - -- "${X[@]}" --default-key --mode binary --ext team=blue "$T/proof.json"
cp "$T/out" "$T/pb2.txt"
peer binary "$T/pb2.txt" "SDK reads the binary-mode message" \
  'd[0]["id"] == rec()["proof_id"] and d[0]["type"] == "dev.ophamin.proof.emitted.v1" and d[0]["source"] == "urn:prova:cli" and d[0]["datacontenttype"] == "application/json" and d[0]["extensions"]["team"] == "blue" and d[0]["extensions"]["ophaminverdict"] == "VALIDATED" and d[0]["data"] == rec()'

# ---- the other families ------------------------------------------------------------------------------------------
# check_family NAME FILE KIND TYPE ADDRESS_EXPR [export options...]: ADDRESS_EXPR (Python, r = the record) is the
# content address the record states; the event's id must be KIND:sha256:ADDRESS, data the record, subject/time.
check_family() {
  local name=$1 file=$2 kind=$3 type=$4 addr=$5
  shift 5
  t "$name: export" 0 - - -- "${X[@]}" "$@" "$file" || return
  cp "$T/out" "$T/ev_$kind.json"
  if "$PY" - "$T/out" "$file" "$kind" "$type" "$addr" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "$name: $(tail -n 2 "$T/pyerr")"; fi
import json, sys
e = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8").read()
r = json.loads(text)
kind, typ = sys.argv[3], sys.argv[4]
addr = eval(sys.argv[5])
if addr.startswith("sha256:"): addr = addr[7:]
keys = [k for k in e]
assert keys[:5] == ["specversion", "id", "source", "type", "datacontenttype"] and keys[-2:] == ["provakind", "data"], keys
assert e["specversion"] == "1.0" and e["type"] == typ and e["provakind"] == kind, (e["type"], e["provakind"])
assert e["id"] == f"{kind}:sha256:{addr}", (e["id"], addr)
assert e["data"] == r
PYEOF
  cp "$file" "$T/rec.json"
  peer structured "$T/ev_$kind.json" "$name: the SDK reads it" \
    "d[0][\"type\"] == \"$type\" and d[0][\"id\"].startswith(\"$kind:sha256:\") and d[0][\"extensions\"][\"provakind\"] == \"$kind\" and d[0][\"data\"] == rec()"
}
check_family "OPE envelope" "$T/env0.json" ope_envelope prova.ope.envelope.accepted.v1 'r["cid"]' --jwks "$T/jwks.json"
pycheck "OPE envelope: subject = trace_id, time = ts, é as UTF-8" "$T/ev_ope_envelope.json" \
  'd["subject"] == "tr-1" and d["time"] == "2025-08-22T04:18:00.123456+00:00" and d["data"]["payload"]["name"] == "café"'
check_family "OPE receipt" "$T/rcpt1.json" ope_receipt prova.ope.receipt.appended.v1 'r["receipt_hash"]' --jwks "$T/jwks.json"
check_family "OPE receipt chain" "$T/chain.json" ope_receipt_chain prova.ope.chain.exported.v1 'r[-1]["receipt_hash"]' --jwks "$T/jwks.json"
check_family "OPE bundle" "$T/bundle.json" ope_bundle prova.ope.bundle.exported.v1 'r["bundle_cid"]' --jwks "$T/jwks.json"
check_family "OE chain" "$T/oc.json" oe_chain prova.oe.chain.resolved.v1 'r["chain_hash"]'
pycheck "OE chain: subject = chain id, time = resolved_at" "$T/ev_oe_chain.json" \
  'd["subject"] == d["data"]["id"] and d["time"] == d["data"]["resolved_at"]'
check_family "OE bundle (active)" "$T/ob.json" oe_bundle prova.oe.certificate.issued.v1 'r["chain"]["chain_hash"]'
check_family "OE bundle (revoked, --no-verify)" "$T/orv.json" oe_bundle prova.oe.certificate.revoked.v1 'r["chain"]["chain_hash"]' --no-verify
check_family "OE bundle (superseded, --no-verify)" "$T/osup.json" oe_bundle prova.oe.certificate.superseded.v1 'r["chain"]["chain_hash"]' --no-verify
t "OE revoked without --no-verify: does not verify" 1 - 'revoked' -- "${X[@]}" "$T/orv.json"
t "OPE without keys: does not verify" 1 - 'kid_not_found' -- "${X[@]}" "$T/env0.json"

# ---- batch -------------------------------------------------------------------------------------------------------
t "batch of a proof, an envelope and an OE bundle" 0 '^\[' - -- "${X[@]}" --mode batch --default-key --jwks "$T/jwks.json" "$T/proof.json" "$T/env0.json" "$T/ob.json"
cp "$T/out" "$T/batch.json"
pycheck "batch: a JSON array of three structured events in order" "$T/batch.json" \
  'isinstance(d, list) and [x["type"] for x in d] == ["dev.ophamin.proof.emitted.v1", "prova.ope.envelope.accepted.v1", "prova.oe.certificate.issued.v1"] and all(x["specversion"] == "1.0" for x in d)'
peer batch "$T/batch.json" "SDK reads the batch" \
  'len(d) == 3 and d[0]["id"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac" and d[1]["id"].startswith("ope_envelope:sha256:") and d[2]["extensions"]["provakind"] == "oe_bundle" and d[1]["data"]["trace_id"] == "tr-1"'
t "two FILEs without --mode batch" 2 - 'batch' -- "${X[@]}" --default-key "$T/proof.json" "$T/proof.json"

# ---- --out -------------------------------------------------------------------------------------------------------
t "--out" 0 - - -- "${X[@]}" --default-key --out "$T/o.json" "$T/proof.json"
if [ -s "$T/o.json" ] && [ ! -s "$T/out" ] && cmp -s "$T/o.json" "$T/pe.json"; then ok; else bad "--out: file differs from stdout output"; fi
t "--out exists" 2 - 'exists' -- "${X[@]}" --default-key --out "$T/o.json" "$T/proof.json"
t "--out --force" 0 - - -- "${X[@]}" --default-key --force --out "$T/o.json" "$T/proof.json"

# ---- bad input: a clear error, exit 2, nothing on stdout ---------------------------------------------------------
bad_case() {
  local name=$1 pat=$2
  shift 2
  t "$name" 2 - "$pat" -- "$@"
  if [ -s "$T/out" ]; then bad "$name: wrote to stdout"; else ok; fi
}
bad_case "--ext name with uppercase" 'ce_extension_name' "${X[@]}" --default-key --ext Team=x "$T/proof.json"
bad_case "--ext name with a dash" 'ce_extension_name' "${X[@]}" --default-key --ext my-ext=x "$T/proof.json"
bad_case "--ext name of 21 characters" 'ce_extension_name' "${X[@]}" --default-key --ext abcdefghijklmnopqrstu=x "$T/proof.json"
bad_case "--ext colliding with id" 'ce_extension_collision' "${X[@]}" --default-key --ext id=x "$T/proof.json"
bad_case "--ext colliding with data" 'ce_extension_collision' "${X[@]}" --default-key --ext data=x "$T/proof.json"
bad_case "--ext colliding with ophaminverdict" 'ce_extension_collision' "${X[@]}" --default-key --ext ophaminverdict=x "$T/proof.json"
bad_case "--ext colliding with provakind" 'ce_extension_collision' "${X[@]}" --jwks "$T/jwks.json" --ext provakind=x "$T/env0.json"
bad_case "--ext twice" 'ce_extension_collision' "${X[@]}" --default-key --ext a=1 --ext a=2 "$T/proof.json"
bad_case "--ext value not UTF-8" 'ce_extension_value' "${X[@]}" --default-key --ext a=$'\xff' "$T/proof.json"
bad_case "--ext without =" 'NAME=VALUE' "${X[@]}" --default-key --ext novalue "$T/proof.json"
bad_case "--source empty" 'ce_source' "${X[@]}" --default-key --source '' "$T/proof.json"
bad_case "--type empty" 'ce_type' "${X[@]}" --default-key --type '' "$T/proof.json"
bad_case "--mode unknown" 'mode' "${X[@]}" --default-key --mode stream "$T/proof.json"
bad_case "not a record" 'record_unknown_kind|not a' "${X[@]}" --no-verify "$T/op.json"
printf '{"a":' >"$T/trunc.json"
bad_case "truncated JSON" 'json_' "${X[@]}" --no-verify "$T/trunc.json"
bad_case "binary mode, bad --ext" 'ce_extension_name' "${X[@]}" --default-key --mode binary --ext X=1 "$T/proof.json"
bad_case "batch, bad --ext" 'ce_extension_collision' "${X[@]}" --default-key --mode batch --ext time=1 "$T/proof.json" "$T/proof.json"

# ---- the way back: prova import unwraps (prova_ce_unwrap / _binary) and verifies --------------------------------
t "import of the structured event" 0 'VALID' - -- "$PROVA" import --default-key "$T/pe.json"
"$PY" -c '
import sys
raw = open(sys.argv[1], "rb").read(); h, b = raw.split(b"\r\n\r\n", 1)
open(sys.argv[2], "wb").write(h + b"\r\n"); open(sys.argv[3], "wb").write(b)' "$T/pb.txt" "$T/pb.headers" "$T/pb.body"
t "import of the binary-mode message (percent-encoded extension)" 0 'VALID' - -- "$PROVA" import --default-key --headers "$T/pb.headers" "$T/pb.body"
t "import of the batch" 0 'VALID' - -- "$PROVA" import --default-key --jwks "$T/jwks.json" "$T/batch.json"
pyedit "$T/pe.json" "$T/pe_badver.json" 'd["specversion"] = "0.3"'
t "import: wrong specversion" 2 - 'ce_specversion' -- "$PROVA" import --default-key "$T/pe_badver.json"
pyedit "$T/pe.json" "$T/pe_noid.json" 'del d["id"]'
t "import: missing id" 2 - 'ce_missing_attribute' -- "$PROVA" import --default-key "$T/pe_noid.json"
pyedit "$T/pe.json" "$T/pe_badext.json" 'd["Bad-Ext"] = "x"'
t "import: invalid extension name" 2 - 'ce_extension_name' -- "$PROVA" import --default-key "$T/pe_badext.json"
pyedit "$T/pe.json" "$T/pe_extobj.json" 'd["ext"] = {"a": 1}'
t "import: invalid extension value" 2 - 'ce_extension_value' -- "$PROVA" import --default-key "$T/pe_extobj.json"

# ---- URI-typed attributes (CloudEvents 1.0.2 type system, RFC 3986): prova and the SDK agree ------------------------
# sdk_agrees NAME WANT FILE [ATTR]: the SDK (HTTP.toEvent + validate) accepts (WANT=accept) or rejects (WANT=reject)
# FILE; a rejection must be about ATTR (the SDK's schema error names it as instancePath)
sdk_agrees() {
  local name=$1 want=$2 file=$3 attr=${4:-}
  if [ "$HAVE_NODE" = 0 ]; then bad "$name: no node/cloudevents SDK"; return; fi
  if node "$PEER" structured "$file" >"$T/peer.json" 2>"$T/peer.err"; then got=accept; else got=reject; fi
  if [ "$got" != "$want" ]; then bad "$name: the SDK would $got it, prova would $want it: $(head -c 300 "$T/peer.err")"; return; fi
  if [ -n "$attr" ] && ! grep -q "\"instancePath\":\"/$attr\"" "$T/peer.err"; then
    bad "$name: the SDK rejected it for another reason: $(head -c 300 "$T/peer.err")"
    return
  fi
  ok
}
for src in '/agents/a1' 'urn:prova:x'; do
  t "export --source '$src'" 0 - - -- "${X[@]}" --default-key --source "$src" "$T/proof.json" && cp "$T/out" "$T/src_ok.json"
  sdk_agrees "SDK accepts source '$src'" accept "$T/src_ok.json"
  t "import accepts source '$src'" 0 'VALID' - -- "$PROVA" import --default-key "$T/src_ok.json"
  t "verify accepts source '$src'" 0 'VALID' - -- "$PROVA" verify --default-key "$T/src_ok.json"
done
bad_case "--source 'has spaces ::'" '"has spaces ::": byte 3 \(0x20\).*\(ce_uri_invalid\) at /source' \
  "${X[@]}" --default-key --source 'has spaces ::' "$T/proof.json"
bad_case "--source with a bad percent-encoding" "byte 1 \(0x25 '%'\).*ce_uri_invalid" "${X[@]}" --default-key --source 'a%zz' "$T/proof.json"
bad_case "binary mode, --source 'has spaces ::'" 'ce_uri_invalid' "${X[@]}" --default-key --mode binary --source 'has spaces ::' "$T/proof.json"
bad_case "batch, --source 'has spaces ::'" 'ce_uri_invalid.*at /0/source' "${X[@]}" --default-key --mode batch --source 'has spaces ::' "$T/proof.json" "$T/proof.json"
bad_case "--ext dataref that is not a URI-reference" 'ce_uri_invalid.*at /dataref' "${X[@]}" --default-key --ext 'dataref=s3://b/a key' "$T/proof.json"
# an event written by someone else with that source: the SDK rejects it, and so do prova import and prova verify
pyedit "$T/pe.json" "$T/pe_badsrc.json" 'd["source"] = "has spaces ::"'
sdk_agrees "SDK rejects source 'has spaces ::'" reject "$T/pe_badsrc.json" source
t "import rejects source 'has spaces ::'" 2 - 'byte 3 of the value \(ce_uri_invalid\) at /source' -- "$PROVA" import --default-key "$T/pe_badsrc.json"
t "verify: a failed check for source 'has spaces ::'" 1 'ce_uri_invalid' - -- "$PROVA" verify --default-key "$T/pe_badsrc.json"
t "verify --json" 1 - - -- "$PROVA" verify --json --default-key "$T/pe_badsrc.json"
pycheck "verify --json: kind cloudevent, the source named" "$T/out" 'd["kind"] == "cloudevent" and codes(d) == ["ce_uri_invalid"] and fails(d)[0]["at"] == "/source" and "byte 3" in fails(d)[0]["message"]'
pyedit "$T/pe.json" "$T/pe_relschema.json" 'd["dataschema"] = "/schemas/proof.json"'
sdk_agrees "SDK rejects a relative dataschema" reject "$T/pe_relschema.json" dataschema
t "import rejects a relative dataschema" 2 - 'ce_uri_not_absolute.*at /dataschema' -- "$PROVA" import --default-key "$T/pe_relschema.json"
pyedit "$T/pe.json" "$T/pe_badschema.json" 'd["dataschema"] = "https://example.com/a b"'
sdk_agrees "SDK rejects a dataschema with a space" reject "$T/pe_badschema.json" dataschema
t "import rejects a dataschema with a space" 2 - 'ce_uri_invalid.*at /dataschema' -- "$PROVA" import --default-key "$T/pe_badschema.json"
printf 'ce-specversion: 1.0\r\nce-id: i\r\nce-type: t\r\nce-source: has%%20spaces%%20::\r\nContent-Type: application/json\r\n' >"$T/badsrc.headers"
t "import of a binary-mode message with that source" 2 - 'ce_uri_invalid.*at /source' -- "$PROVA" import --default-key --headers "$T/badsrc.headers" "$T/pb.body"

# ---- --post to a local HTTP server (Python http.server) ----------------------------------------------------------
cat >"$T/server.py" <<'PYEOF'
import http.server, json, sys
log = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8")
        log.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\n")
        log.flush()
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PYEOF
"$PY" "$T/server.py" "$T/port" "$T/requests.jsonl" &
SRV=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port" 2>/dev/null)
t "--post structured" 0 - - -- "${X[@]}" --default-key --spool "$T/spool" --post "http://127.0.0.1:$PORT/ev" "$T/proof.json"
t "--post binary" 0 - - -- "${X[@]}" --default-key --spool "$T/spool" --mode binary --ext note='a b' --post "http://127.0.0.1:$PORT/ev" "$T/proof.json"
t "--post batch" 0 - - -- "${X[@]}" --default-key --spool "$T/spool" --mode batch --post "http://127.0.0.1:$PORT/ev" "$T/proof.json" "$T/proof.json"
kill "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null
if "$PY" - "$T/requests.jsonl" "$T/proof.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "--post requests: $(tail -n 2 "$T/pyerr")"; fi
import json, sys, urllib.parse
reqs = [json.loads(l) for l in open(sys.argv[1])]
r = json.load(open(sys.argv[2]))
assert len(reqs) == 3, len(reqs)
s, b, bt = reqs
assert s["headers"]["content-type"].startswith("application/cloudevents+json")
assert json.loads(s["body"])["id"] == r["proof_id"] and json.loads(s["body"])["data"] == r
assert b["headers"]["content-type"].startswith("application/json")
assert b["headers"]["ce-id"] == r["proof_id"] and b["headers"]["ce-specversion"] == "1.0"
assert b["headers"]["ce-type"] == "dev.ophamin.proof.emitted.v1"
assert urllib.parse.unquote(b["headers"]["ce-note"]) == "a b"
assert json.loads(b["body"]) == r
assert bt["headers"]["content-type"].startswith("application/cloudevents-batch+json") and len(json.loads(bt["body"])) == 2
PYEOF

summary
