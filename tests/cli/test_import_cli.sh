#!/usr/bin/env bash
# prova export's shared part (option parsing, verification before export, refusals) and prova import (DSSE
# envelopes and CloudEvents in structured, binary and batch mode back to their records, both layers verified),
# and the --post sink (a real HTTP server on loopback: Python's http.server): delivery, retries, the spool while
# the endpoint is down, `prova sink flush`, a refusing endpoint.
#   test_import_cli.sh PROVA
set -u
PROVA=${1:?usage: test_import_cli.sh PROVA}
PROVA=$(cd "$(dirname "$PROVA")" && pwd)/$(basename "$PROVA")
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
MIN="$HERE/../data/proof_minimal.json"
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$T"' EXIT

# ---- fixtures: one record of each family --------------------------------------------------------------------
"$PROVA" keygen --out "$T/k.json" >/dev/null
"$PROVA" jwks "$T/k.json" >"$T/k.jwks"
"$PROVA" keygen --out "$T/other.json" >/dev/null
"$PROVA" jwks "$T/other.json" >"$T/other.jwks"
"$PROVA" proof sign --default-key "$MIN" >"$T/proof.json"
printf '{"task":"summarise","n":3}' >"$T/payload.json"
"$PROVA" pack --key "$T/k.json" --payload-type t.v1 --target-type u.v1 "$T/payload.json" >"$T/env.json"
"$PROVA" oe new --chain "$T/chain.json" >/dev/null
printf '{"x":1}' >"$T/event.json"
"$PROVA" oe append --chain "$T/chain.json" --type step "$T/event.json" >/dev/null
"$PROVA" oe resolve --chain "$T/chain.json" >/dev/null
"$PROVA" oe certify --key "$T/k.json" --chain "$T/chain.json" --artifact-type report --artifact-ref r1 \
  --out "$T/oe_bundle.json" >/dev/null
[ -s "$T/oe_bundle.json" ] && ok || bad "fixture: OpenExecution bundle"

# ---- prova export: the shared part ----------------------------------------------------------------------------
t "export without --to" 2 - '--to is required' -- "$PROVA" export "$T/proof.json"
t "export --to an unknown format" 2 - 'unknown format' -- "$PROVA" export --to yaml "$T/proof.json"
t "export a proof record without its key: refused" 1 - 'does not verify.*proof_hmac_key_missing' -- \
  "$PROVA" export --to intoto "$T/proof.json"
t "export an envelope without trusted keys: refused" 1 - 'does not verify' -- "$PROVA" export --to intoto "$T/env.json"
t "export an envelope with another key: refused" 1 - 'does not verify' -- \
  "$PROVA" export --to intoto --jwks "$T/other.jwks" "$T/env.json"
t "export --no-verify skips verification" 0 'in-toto.io/Statement/v1' - -- "$PROVA" export --to intoto --no-verify "$T/env.json"
t "export a document that is not a record" 2 - 'record_unknown_kind' -- "$PROVA" export --to intoto --no-verify "$T/payload.json"
printf '{"a":' >"$T/trunc.json"
t "export truncated JSON" 2 - 'json_truncated|json_syntax' -- "$PROVA" export --to intoto "$T/trunc.json"
t "export two files without batch mode" 2 - 'only one record' -- \
  "$PROVA" export --to intoto --default-key "$T/proof.json" "$T/proof.json"
t "export a missing file" 2 - 'nope.json' -- "$PROVA" export --to intoto "$T/nope.json"
t "export --out" 0 - - -- "$PROVA" export --to intoto --default-key --out "$T/st.json" "$T/proof.json"
t "export --out onto an existing file: refused" 2 - 'exists \(use --force' -- \
  "$PROVA" export --to intoto --default-key --out "$T/st.json" "$T/proof.json"
t "export --out --force replaces it" 0 - - -- "$PROVA" export --to intoto --default-key --force --out "$T/st.json" "$T/proof.json"
pycheck "the Statement's subject is the proof_id" "$T/st.json" \
  'd["subject"][0]["digest"]["sha256"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac"'

# A receipt chain as JSON Lines (as prova receipt append writes it) is one record: its head is the address.
"$PROVA" keygen --out "$T/gw.json" >/dev/null
"$PROVA" jwks "$T/gw.json" >"$T/gw.jwks"
for i in 1 2 3; do
  "$PROVA" pack --key "$T/k.json" --payload-type t.v1 --target-type u.v1 --trace-id trace-jl "$T/payload.json" >"$T/e$i.json"
  "$PROVA" receipt append --key "$T/gw.json" --chain "$T/chain.jsonl" --sender-jwks "$T/k.jwks" "$T/e$i.json" >/dev/null
done
t "export a JSON Lines receipt chain" 0 - - -- "$PROVA" export --to intoto --jwks "$T/gw.jwks" --out "$T/jl.st" "$T/chain.jsonl"
if "$PY" - "$T/jl.st" "$T/chain.jsonl" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "JSON Lines chain: $(tail -n 1 "$T/pyerr")"; fi
import json, sys
st = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert len(lines) == 3 and st["predicate"]["record"] == lines, "the predicate is not the chain"
assert st["subject"][0]["digest"]["sha256"] == lines[-1]["receipt_hash"], "the subject is not the head's receipt_hash"
assert st["predicate"]["kind"] == "ope_receipt_chain"
PYEOF
printf '{"receipt_hash":"00","trace_id":"x"}\n{"a":\n' >"$T/bad.jsonl"
t "export JSON Lines with a broken line" 2 - 'json_trailing_data' -- "$PROVA" export --to intoto --no-verify "$T/bad.jsonl"

# ---- DSSE round trips ------------------------------------------------------------------------------------------
t "dsse: proof record, Ed25519 + HMAC" 0 - - -- \
  "$PROVA" export --to dsse --default-key --sign-key "$T/k.json" --out "$T/proof.dsse" "$T/proof.json"
t "import the DSSE envelope" 0 'VALID' - -- "$PROVA" import --jwks "$T/k.jwks" --default-key "$T/proof.dsse"
t "import --json: one report, both layers" 0 '"kind":"dsse_envelope"' - -- \
  "$PROVA" import --json --jwks "$T/k.jwks" --default-key "$T/proof.dsse"
cp "$T/out" "$T/report.json"
pycheck "the report has DSSE and record checks" "$T/report.json" \
  'd["valid"] and any("proof" in c["check"] or "signature" in c["check"] for c in d["checks"]) and len(d["checks"]) >= 5'
t "import without the Ed25519 key: the HMAC signature still verifies" 0 'VALID' - -- \
  "$PROVA" import --default-key "$T/proof.dsse"
t "dsse: envelope record" 0 - - -- \
  "$PROVA" export --to dsse --jwks "$T/k.jwks" --sign-key "$T/k.json" --out "$T/env.dsse" "$T/env.json"
t "import the envelope's DSSE" 0 'VALID' - -- "$PROVA" import --jwks "$T/k.jwks" "$T/env.dsse"
t "import --extract a DSSE envelope's record" 0 - - -- "$PROVA" import --extract "$T/env.dsse"
cp "$T/out" "$T/env_back.json"
if "$PY" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
  "$T/env_back.json" "$T/env.json"; then ok; else bad "--extract (DSSE): not the envelope that was exported"; fi
t "the extracted envelope still verifies" 0 'VALID' - -- "$PROVA" verify --jwks "$T/k.jwks" --no-skew "$T/env_back.json"
t "import --extract the proof record's DSSE" 0 - - -- "$PROVA" import --extract "$T/proof.dsse"
cp "$T/out" "$T/proof_back.json"
t "the rebuilt proof record verifies" 0 'VALID' - -- "$PROVA" verify --default-key "$T/proof_back.json"
pyedit "$T/env.dsse" "$T/bad_payload.dsse" 'd["payload"] = "!!" + d["payload"][2:]'
t "import --extract a DSSE envelope with a bad payload" 2 - 'dsse_payload_base64' -- \
  "$PROVA" import --extract "$T/bad_payload.dsse"
t "import with only another key: invalid" 1 - - -- "$PROVA" import --jwks "$T/other.jwks" "$T/env.dsse"
t "dsse: OpenExecution bundle" 0 - - -- \
  "$PROVA" export --to dsse --sign-key "$T/k.json" --out "$T/oe.dsse" "$T/oe_bundle.json"
t "import the OpenExecution DSSE" 0 'VALID' - -- "$PROVA" import --jwks "$T/k.jwks" "$T/oe.dsse"
pyedit "$T/env.dsse" "$T/bad_type.dsse" 'd["payloadType"] = "application/json"'
t "import: wrong payloadType" 1 'dsse_payload_type' - -- "$PROVA" import --jwks "$T/k.jwks" "$T/bad_type.dsse"
pyedit "$T/env.dsse" "$T/bad_b64.dsse" 'd["payload"] = d["payload"][:-3] + "!!="'
t "import: payload not base64" 1 'dsse_payload_base64' - -- "$PROVA" import --jwks "$T/k.jwks" "$T/bad_b64.dsse"
pyedit "$T/env.dsse" "$T/bad_sig.dsse" \
  'import base64; s = bytearray(base64.b64decode(d["signatures"][0]["sig"])); s[0] ^= 1; d["signatures"][0]["sig"] = base64.b64encode(bytes(s)).decode()'
t "import: a flipped signature bit" 1 'dsse_signature_invalid|dsse_no_valid_signature' - -- \
  "$PROVA" import --jwks "$T/k.jwks" "$T/bad_sig.dsse"
pyedit "$T/proof.dsse" "$T/inner.dsse" \
  'import base64, json as j; s = j.loads(base64.b64decode(d["payload"])); s["predicate"]["body"]["verdict"]["reasoning"] = "edited"; d["payload"] = base64.b64encode(j.dumps(s).encode()).decode()'
t "import: an edited Statement fails its signatures" 1 - - -- "$PROVA" import --jwks "$T/k.jwks" --default-key "$T/inner.dsse"
head -c 60 "$T/env.dsse" >"$T/trunc.dsse"
t "import: a truncated envelope" 2 - 'json_truncated|json_syntax' -- "$PROVA" import "$T/trunc.dsse"

# One verifier for everything: prova verify detects DSSE envelopes and CloudEvents too (both layers, one report).
t "verify a DSSE envelope" 0 'VALID' - -- "$PROVA" verify --jwks "$T/k.jwks" --default-key "$T/proof.dsse"
t "verify --json: kind dsse_envelope, the record's checks inside" 0 '"kind":"dsse_envelope"' - -- \
  "$PROVA" verify --json --jwks "$T/k.jwks" --default-key "$T/proof.dsse"
pycheck "verify DSSE: the signature checks and the proof's" "$T/out" \
  'd["valid"] and any(c["check"].startswith("dsse.signatures[") for c in d["checks"]) and any(c["check"] == "proof_id" for c in d["checks"])'
t "verify a DSSE envelope with a flipped bit" 1 'dsse_signature_invalid|dsse_no_valid_signature' - -- \
  "$PROVA" verify --jwks "$T/k.jwks" "$T/bad_sig.dsse"

# ---- CloudEvents round trips -----------------------------------------------------------------------------------
t "cloudevents: proof record" 0 - - -- \
  "$PROVA" export --to cloudevents --default-key --source urn:test --out "$T/proof.ce" "$T/proof.json"
pycheck "the event's attributes (ophamin.md §7)" "$T/proof.ce" \
  'd["specversion"] == "1.0" and d["id"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac" and d["type"] == "dev.ophamin.proof.emitted.v1" and d["source"] == "urn:test" and d["ophaminverdict"] == "VALIDATED" and d["data"]["signature"] == "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470"'
t "import the CloudEvent" 0 'VALID' - -- "$PROVA" import --default-key "$T/proof.ce"
t "import --extract prints the record" 0 - - -- "$PROVA" import --extract "$T/proof.ce"
cp "$T/out" "$T/extracted.json"
if "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a != b)' \
  "$T/extracted.json" "$T/proof.json"; then ok; else bad "--extract: the record differs from the original"; fi
pyedit "$T/proof.ce" "$T/tampered.ce" 'd["data"]["verdict"]["outcome"] = "REFUTED"'
t "import: a CloudEvent with an edited record" 1 'proof_id_mismatch|proof_signature' - -- \
  "$PROVA" import --default-key "$T/tampered.ce"
pyedit "$T/proof.ce" "$T/noid.ce" 'del d["id"]'
t "import: a CloudEvent without id" 2 - 'ce_missing_attribute' -- "$PROVA" import "$T/noid.ce"
t "verify a CloudEvent (data verified)" 0 'VALID' - -- "$PROVA" verify --default-key "$T/proof.ce"
t "verify a CloudEvent with an edited record" 1 'proof_id_mismatch|proof_signature' - -- \
  "$PROVA" verify --default-key "$T/tampered.ce"
t "verify a CloudEvent without id" 1 'ce_missing_attribute' - -- "$PROVA" verify "$T/noid.ce"
pyedit "$T/proof.ce" "$T/spec.ce" 'd["specversion"] = "0.3"'
t "import: specversion 0.3" 2 - 'ce_specversion' -- "$PROVA" import "$T/spec.ce"
pyedit "$T/proof.ce" "$T/ext.ce" 'd["Bad-Ext"] = "x"'
t "import: an invalid extension name" 2 - 'ce_extension_name' -- "$PROVA" import "$T/ext.ce"
t "import: neither DSSE nor CloudEvent" 2 - 'neither' -- "$PROVA" import "$T/payload.json"

t "cloudevents batch: three records" 0 - - -- "$PROVA" export --to cloudevents --mode batch --jwks "$T/k.jwks" \
  --default-key --out "$T/batch.ce" "$T/proof.json" "$T/env.json" "$T/oe_bundle.json"
t "import the batch" 0 'event 2:' - -- "$PROVA" import --jwks "$T/k.jwks" --default-key "$T/batch.ce"
[ "$(grep -c '^VALID$' "$T/out")" = 3 ] && ok || bad "batch: three VALID reports; $(show)"
pyedit "$T/batch.ce" "$T/batch_bad.ce" 'd[1]["data"]["payload"]["n"] = 4'
t "import a batch with one edited record" 1 'INVALID' - -- "$PROVA" import --jwks "$T/k.jwks" --default-key "$T/batch_bad.ce"

t "cloudevents binary mode" 0 - - -- "$PROVA" export --to cloudevents --mode binary --jwks "$T/k.jwks" \
  --out "$T/binary.http" "$T/env.json"
"$PY" - "$T/binary.http" "$T/binary.headers" "$T/binary.body" <<'PYEOF' || bad "split the binary-mode message"
import sys
raw = open(sys.argv[1], "rb").read()
sep = raw.find(b"\r\n\r\n")
n = 4
if sep < 0:
    sep, n = raw.find(b"\n\n"), 2
assert sep > 0, "no blank line between headers and body"
open(sys.argv[2], "wb").write(raw[:sep] + b"\n")
open(sys.argv[3], "wb").write(raw[sep + n:])
PYEOF
t "import binary mode (--headers)" 0 'VALID' - -- "$PROVA" import --jwks "$T/k.jwks" --headers "$T/binary.headers" "$T/binary.body"
grep -iv '^ce-id' "$T/binary.headers" >"$T/noid.headers"
t "import binary mode without ce-id" 2 - 'ce_missing_attribute' -- \
  "$PROVA" import --headers "$T/noid.headers" "$T/binary.body"

# ---- the sink: --post to a real HTTP server on loopback --------------------------------------------------------
cat >"$T/server.py" <<'PYEOF'
import http.server, os, sys
out, port_file = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = int(open(os.path.join(out, "status")).read()) if os.path.exists(os.path.join(out, "status")) else 202
        if status < 300:
            n = len([f for f in os.listdir(out) if f.endswith(".body")])
            open(os.path.join(out, "%03d.body" % n), "wb").write(body)
            open(os.path.join(out, "%03d.ctype" % n), "w").write(self.headers.get("Content-Type", ""))
            open(os.path.join(out, "%03d.auth" % n), "w").write(self.headers.get("Authorization", ""))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"no")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[3]) if len(sys.argv) > 3 else 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PYEOF
start_server() { # DIR [PORT]
  mkdir -p "$1"
  rm -f "$T/port"
  "$PY" "$T/server.py" "$1" "$T/port" ${2:-} &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  PORT=$(cat "$T/port")
}
start_server "$T/recv"
URL="http://127.0.0.1:$PORT/events"
t "--post delivers the event" 0 - - -- "$PROVA" export --to cloudevents --default-key --source urn:test \
  --post "$URL" --token s3cret --spool "$T/spool" "$T/proof.json"
# The same bytes as the printed event (which ends with a newline for the terminal).
if "$PY" -c 'import sys; a=open(sys.argv[1],"rb").read(); b=open(sys.argv[2],"rb").read(); sys.exit(a.rstrip(b"\n") != b.rstrip(b"\n"))' \
  "$T/recv/000.body" "$T/proof.ce"; then ok; else bad "the posted body is not the event printed by export"; fi
grep -q '^application/cloudevents+json' "$T/recv/000.ctype" && ok || bad "content type: $(cat "$T/recv/000.ctype")"
[ "$(cat "$T/recv/000.auth")" = "Bearer s3cret" ] && ok || bad "bearer token: $(cat "$T/recv/000.auth")"
echo 400 >"$T/recv/status"
t "an endpoint that refuses (400): an error, nothing spooled" 1 - 'refused the event: HTTP 400' -- \
  "$PROVA" export --to cloudevents --default-key --post "$URL" --spool "$T/spool" "$T/proof.json"
[ -z "$(ls "$T/spool" 2>/dev/null)" ] && ok || bad "the spool is not empty after a 400"
rm -f "$T/recv/status"
stop_server
# The endpoint is down: both events wait in the spool, in order; the next export waits behind them.
t "endpoint down: spooled, exit 0 with a warning" 0 - 'spooled' -- \
  env PROVA_SINK_RETRIES=1 "$PROVA" export --to cloudevents --default-key --source urn:first --post "$URL" \
  --spool "$T/spool" "$T/proof.json"
t "endpoint still down: the second event is spooled too" 0 - 'spooled' -- \
  env PROVA_SINK_RETRIES=0 "$PROVA" export --to cloudevents --default-key --source urn:second --post "$URL" \
  --spool "$T/spool" "$T/proof.json"
[ "$(ls "$T/spool" | grep -c '\.event$')" = 2 ] && ok || bad "two spooled events: $(ls "$T/spool")"
# A spooled event holds the Authorization header: 0600 whatever the umask (the second export ran under umask 000).
(umask 000 && env PROVA_SINK_RETRIES=0 "$PROVA" export --to cloudevents --default-key --source urn:third --post "$URL" \
  --token s3cret --spool "$T/spool3" "$T/proof.json" 2>/dev/null)
modes=$(stat -c '%a' "$T"/spool3/*.event)
[ "$modes" = 600 ] && ok || bad "a spooled event's mode: $modes (want 600)"
t "sink flush while down: exit non-zero, nothing lost" 3 - 'unreachable' -- \
  env PROVA_SINK_RETRIES=0 "$PROVA" sink flush --spool "$T/spool"
[ "$(ls "$T/spool" | grep -c '\.event$')" = 2 ] && ok || bad "the spool lost events: $(ls "$T/spool")"
start_server "$T/recv2" "$PORT"
t "sink flush: delivered" 0 - - -- "$PROVA" sink flush --spool "$T/spool"
[ -z "$(ls "$T/spool")" ] && ok || bad "the spool is not empty after flush: $(ls "$T/spool")"
if "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(not (a["source"]=="urn:first" and b["source"]=="urn:second"))' \
  "$T/recv2/000.body" "$T/recv2/001.body"; then ok; else bad "spooled events delivered out of order"; fi
stop_server
t "sink without a verb" 2 - 'usage: prova sink flush' -- "$PROVA" sink --spool "$T/spool"
t "--post to a non-HTTP URL" 1 - 'refused|Protocol|protocol' -- \
  "$PROVA" export --to cloudevents --default-key --post "ftp://127.0.0.1/x" --spool "$T/spool2" "$T/proof.json"

summary
