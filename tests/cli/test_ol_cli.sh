#!/usr/bin/env bash
# prova export --to openlineage, black box: every mapping (proof record: the single event and the four lifecycle
# events; OPE bundle in both forms, receipt chain, envelope; OpenExecution chain, bundle, revoked bundle) validated
# by ajv against the official OpenLineage 2-0-2 schema and the facet schemas (tests/interop/ol_validate.mjs); the proof
# record's event compared byte for byte with an independent Python implementation of reference/ophamin.md §11; the
# runIds recomputed with Python's uuid.uuid5; --post checked against a Python HTTP receiver; bad options refused.
#   test_ol_cli.sh PROVA        (schemas: $PROVA_OL_SCHEMAS, default tests/data/openlineage)
set -u
PROVA=${1:?usage: test_ol_cli.sh PROVA}
case $PROVA in /*) ;; *) PROVA="$(cd "$(dirname "$PROVA")" && pwd)/$(basename "$PROVA")" ;; esac # the test cd's to $T
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
MIN="$HERE/../data/proof_minimal.json"
VALIDATE="$HERE/../interop/ol_validate.mjs"
NOW=2026-05-01T10:00:00Z
cd "$T" || exit 3

# An independent implementation of the reference's to_openlineage_event (ophamin.md §11), with prova's two
# documented differences as parameters: the producer, and dataSource.uri only for a source that is a URI.
cat >"$T/ref_ol.py" <<'PYEOF'
import hashlib, json, sys, uuid
from datetime import datetime
NS = uuid.UUID("ec1e6b1c-0000-4000-8000-000000000001")
S = "https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md"
def th(t):
    return {"metric": t["metric"], "comparator": t["comparator"], "value": float(t["value"]), "units": t.get("units", "")}
def event(p, producer, verbatim_uri, ns="ophamin", job=None):
    body = {k: v for k, v in p.items() if k not in ("signature", "proof_id", "attestation")}
    pid = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()).hexdigest()
    c, v = p["claim"], p["verdict"]
    vf = {"_producer": producer, "_schemaURL": S + "#verdict-ophamin", "outcome": v["outcome"],
          "observed_value": float(v["observed_value"]), "reasoning": v["reasoning"], "threshold": th(v["threshold"])}
    if p.get("signature"):
        vf["ophamin_signature"] = p["signature"]; vf["ophamin_signature_algorithm"] = "HMAC-SHA256"
    plan = p["preregistration"].get("analysis_plan", "")
    inputs = []
    for d in p["data"]["datasets"]:
        ds = {"_producer": producer, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/DataSourceDatasetFacet.json",
              "name": d.get("kind", "corpus")}
        if verbatim_uri or ":" in d["source"]:
            ds["uri"] = d["source"]
        inputs.append({"namespace": "ophamin.datasets", "name": d["name"], "facets": {"dataSource": ds,
            "ophamin_dataset": {"_producer": producer, "_schemaURL": S + "#datasetref-ophamin",
                "content_hash": d["content_hash"], "n_records": int(d["n_records"]), "kind": d.get("kind", "corpus")}}})
    return {
        "eventType": "FAIL" if v["outcome"] == "INCONCLUSIVE" else "COMPLETE",
        "eventTime": datetime.fromisoformat(p["identity"]["created_at"].replace("Z", "+00:00")).isoformat(),
        "run": {"runId": str(uuid.uuid5(NS, pid)), "facets": {
            "ophamin_claim": {"_producer": producer, "_schemaURL": S + "#claim-ophamin", "statement": c["statement"],
                "operationalization": c["operationalization"], "h0": c["h0"], "h1": c["h1"], "threshold": th(c["threshold"])},
            "ophamin_verdict": vf}},
        "job": {"namespace": ns, "name": job or (p["evidence"][0].get("pillar") if p["evidence"] else None) or "empirical-claim",
                "facets": {"documentation": {"_producer": producer, "_schemaURL":
                    "https://openlineage.io/spec/facets/1-0-1/DocumentationJobFacet.json", "description": plan}} if plan else {}},
        "inputs": inputs,
        "outputs": [{"namespace": "ophamin.proofs", "name": pid, "facets": {"schema": {"_producer": producer,
            "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/SchemaDatasetFacet.json", "fields": [
                {"name": "proof_id", "type": "string"}, {"name": "verdict.outcome", "type": "string"},
                {"name": "verdict.observed_value", "type": "number"}, {"name": "signature", "type": "string"}]}}}],
        "producer": producer,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}
p = json.load(open(sys.argv[1]))
sys.stdout.write(json.dumps(event(p, sys.argv[2], sys.argv[3] == "1"), separators=(",", ":")) + "\n")
PYEOF

# olcheck NAME FILE 'STMT; ...; EXPR': ev = the events of the JSON Lines FILE, types their eventTypes; the statements
# run, then EXPR must hold (u5 = uuid5 in the §11 namespace, iso = Python's isoformat of a time).
olcheck() {
  local name=$1 file=$2 expr=$3
  if "$PY" - "$file" "$expr" 2>"$T/pyerr" <<'PYEOF'
import json, sys, uuid
from datetime import datetime
NS = uuid.UUID("ec1e6b1c-0000-4000-8000-000000000001")
def u5(name): return str(uuid.uuid5(NS, name))
def iso(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).isoformat()
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n")
ev = [json.loads(l) for l in text.split("\n")[:-1]]
types = [e["eventType"] for e in ev]
*prelude, expr = sys.argv[2].split("; ")
exec("\n".join(prelude))
assert eval(expr), "expression is false"
PYEOF
  then ok; else bad "$name: $expr does not hold for $(head -c 400 "$file"): $(tail -n 1 "$T/pyerr")"; fi
}

# ---- fixtures, made with the CLI ---------------------------------------------------------------------------------
"$PROVA" keygen --out k.json >/dev/null 2>&1 && "$PROVA" keygen --out gw.json >/dev/null 2>&1 || { bad "keygen"; summary; exit; }
"$PROVA" jwks k.json gw.json >keys.json
echo '{"q":"caf\u00e9","n":1}' >payload.json
"$PROVA" pack --key k.json --payload-type T --target-type U payload.json >env.json || bad "pack"
TRACE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["trace_id"])' env.json)
"$PROVA" pack --key k.json --payload-type T --target-type U --trace-id "$TRACE" payload.json >env2.json || bad "pack 2"
"$PROVA" receipt append --key gw.json --chain chain.jsonl --sender-jwks keys.json env.json >/dev/null || bad "receipt 1"
"$PROVA" receipt append --key gw.json --chain chain.jsonl --sender-jwks keys.json env2.json >/dev/null || bad "receipt 2"
"$PY" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' chain.jsonl >chain.json
"$PROVA" bundle --key gw.json --chain chain.jsonl --trace-id "$TRACE" >bundle.json || bad "bundle"
"$PROVA" bundle --key gw.json --chain chain.jsonl --trace-id "$TRACE" --form ope-lib >bundle_opelib.json || bad "bundle ope-lib"
echo '{"step":1}' >a.json
"$PROVA" oe append --chain oe.json --type tool_started --actor agent-7 a.json >/dev/null || bad "oe append"
"$PROVA" oe append --chain oe.json --type tool_completed --sentiment positive a.json >/dev/null || bad "oe append 2"
"$PROVA" oe resolve --chain oe.json >/dev/null || bad "oe resolve"
cp oe.json oe_resolved.json
"$PROVA" oe certify --key k.json --chain oe.json --artifact-type agent_run --artifact-ref run-42 --out oebundle.json || bad "certify"
"$PROVA" oe revoke --key k.json --reason withdrawn --out oerevoked.json oebundle.json || bad "revoke"
"$PROVA" proof sign --default-key "$MIN" >proof.json || bad "proof sign"
pyedit proof.json inconclusive.json 'd["verdict"]["outcome"] = "INCONCLUSIVE"; d["data"]["datasets"][0]["source"] = "https://example.org/ds"'
"$PROVA" proof sign --default-key inconclusive.json >inconclusive_signed.json || bad "proof sign 2"

X() { "$PROVA" export --to openlineage "$@"; }

# ---- proof records ----------------------------------------------------------------------------------------------
t "proof: the single event" 0 - - -- X --default-key proof.json
cp "$T/out" proof.jsonl
"$PY" ref_ol.py proof.json urn:prova:0.1.0 0 >proof_ref.jsonl
if cmp -s proof.jsonl proof_ref.jsonl; then ok; else bad "proof event differs from the Python §11 implementation: $(diff proof.jsonl proof_ref.jsonl | head -c 800)"; fi
olcheck "proof: the §4.3 runId" proof.jsonl 'len(ev) == 1 and ev[0]["run"]["runId"] == "3de785f4-92c4-50e6-a65b-2d2aa9d1b4ba" and types == ["COMPLETE"]'
t "proof INCONCLUSIVE (a URI source)" 0 - - -- X --default-key inconclusive_signed.json
cp "$T/out" inconclusive.jsonl
"$PY" ref_ol.py inconclusive_signed.json urn:prova:0.1.0 0 >inconclusive_ref.jsonl
if cmp -s inconclusive.jsonl inconclusive_ref.jsonl; then ok; else bad "INCONCLUSIVE event differs from Python: $(diff inconclusive.jsonl inconclusive_ref.jsonl | head -c 600)"; fi
olcheck "INCONCLUSIVE -> FAIL, uri kept" inconclusive.jsonl 'types == ["FAIL"] and ev[0]["inputs"][0]["facets"]["dataSource"]["uri"] == "https://example.org/ds"'
t "proof: --namespace --job" 0 - - -- X --default-key --namespace lab --job my-job proof.json
cp "$T/out" proof_nsjob.jsonl
olcheck "namespace and job" proof_nsjob.jsonl 'ev[0]["job"]["namespace"] == "lab" and ev[0]["job"]["name"] == "my-job"'

RID=0b9a0c7e-1d2f-4a3b-8c4d-5e6f7a8b9c0d
: >lifecycle.jsonl
for e in start running complete fail; do
  t "proof lifecycle --event $e" 0 - - -- X --default-key --event $e --now $NOW proof.json
  cat "$T/out" >>lifecycle.jsonl
  cp "$T/out" "life_$e.jsonl"
done
olcheck "lifecycle: types, one shared runId (the record's), times" lifecycle.jsonl \
  'types == ["START", "RUNNING", "COMPLETE", "FAIL"] and {e["run"]["runId"] for e in ev} == {u5("80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac")} and [e["eventTime"] for e in ev] == ["2026-05-01T10:00:00+00:00", "2026-05-01T10:00:00+00:00", "2026-01-01T00:00:01+00:00", "2026-05-01T10:00:00+00:00"]'
olcheck "lifecycle: START carries the claim and inputs, RUNNING the progress facet" lifecycle.jsonl \
  '"ophamin_claim" in ev[0]["run"]["facets"] and ev[0]["inputs"][0]["name"] == "ds" and ev[0]["outputs"] == [] and "ophamin_progress" in ev[1]["run"]["facets"] and ev[3]["inputs"] == []'
if cmp -s life_complete.jsonl proof.jsonl; then ok; else bad "--event complete is the single event"; fi
t "lifecycle --run-id" 0 "\"runId\":\"$RID\"" - -- X --default-key --event running --run-id $RID --now $NOW proof.json
cat "$T/out" >>lifecycle.jsonl
t "lifecycle --progress" 0 - - -- X --default-key --event running --progress '{"percent_complete":50,"message":"half"}' \
  --now $NOW proof.json
cp "$T/out" progress.jsonl
cat "$T/out" >>lifecycle.jsonl
olcheck "RUNNING: --progress members in the ophamin_progress facet" progress.jsonl \
  'f = ev[0]["run"]["facets"]["ophamin_progress"]; f["percent_complete"] == 50 and f["message"] == "half" and f["_schemaURL"].endswith("#progress-ophamin")'
t "lifecycle --error-message --error-type" 0 - - -- X --default-key --event fail --error-message boom \
  --error-type RuntimeError --now $NOW proof.json
cp "$T/out" failed.jsonl
cat "$T/out" >>lifecycle.jsonl
olcheck "FAIL: the ophamin_error facet" failed.jsonl \
  'f = ev[0]["run"]["facets"]["ophamin_error"]; types == ["FAIL"] and f["error_message"] == "boom" and f["error_type"] == "RuntimeError"'
t "--progress that is not an object" 2 - 'progress.*object' -- X --default-key --event running --progress '[1]' \
  --now $NOW proof.json
t "--progress that is not JSON" 2 - 'progress.*json_truncated' -- X --default-key --event running --progress '{"a":' \
  --now $NOW proof.json

# ---- OPE ----------------------------------------------------------------------------------------------------------
t "OPE bundle (starter)" 0 - - -- X --jwks keys.json bundle.json
cp "$T/out" bundle.jsonl
olcheck "bundle: START, a RUNNING per hop (request CID in, normalized CID out), COMPLETE; runId of the trace; times; output = bundle_cid" bundle.jsonl \
  'b = json.load(open("bundle.json")); rs = b["bundle"]["receipts"]; types == ["START", "RUNNING", "RUNNING", "COMPLETE"] and {e["run"]["runId"] for e in ev} == {u5("ope:trace:" + b["bundle"]["trace_id"])} and [e["eventTime"] for e in ev] == [iso(rs[0]["ts"]), iso(rs[0]["ts"]), iso(rs[1]["ts"]), iso(b["bundle"]["exported_at"])] and ev[3]["outputs"][0]["name"] == b["bundle_cid"] and [e["run"]["facets"]["prova_ope_hop"]["receipt_hash"] for e in ev[1:3]] == [r["receipt_hash"] for r in rs] and ev[2]["inputs"][0]["name"] == rs[1]["request_cid"] and [e["outputs"] for e in ev[1:3]] == [[{"namespace": "prova.ope", "name": r["normalized_cid"]}] for r in rs] and ev[0]["inputs"] == ev[0]["outputs"] == []'
t "OPE bundle (ope-lib)" 0 - - -- X --jwks keys.json bundle_opelib.json
cp "$T/out" bundle_opelib.jsonl
olcheck "ope-lib bundle" bundle_opelib.jsonl 'types == ["START", "RUNNING", "RUNNING", "COMPLETE"] and ev[3]["run"]["facets"]["prova_ope_bundle"]["form"] == "ope-lib"'
t "OPE receipt chain (JSON array)" 0 - - -- X --jwks keys.json chain.json
cp "$T/out" chain_ev.jsonl
olcheck "chain: no COMPLETE without an export, same run as the bundle" chain_ev.jsonl \
  'types == ["START", "RUNNING", "RUNNING"] and ev[0]["run"]["runId"] == json.loads(open("bundle.jsonl").readline())["run"]["runId"]'
t "OPE chain --event complete: none" 2 - 'openlineage_no_event' -- X --jwks keys.json --event complete chain.json
t "OPE chain --event running" 0 - - -- X --jwks keys.json --event running chain.json
cp "$T/out" chain_running.jsonl
olcheck "the filter" chain_running.jsonl 'types == ["RUNNING", "RUNNING"]'
t "OPE envelope" 0 - - -- X --jwks keys.json env.json
cp "$T/out" env.jsonl
olcheck "envelope: START of the trace's run, input = the cid" env.jsonl \
  'en = json.load(open("env.json")); types == ["START"] and ev[0]["run"]["runId"] == u5("ope:trace:" + en["trace_id"]) and ev[0]["inputs"][0]["name"] == en["cid"] and ev[0]["eventTime"] == iso(en["ts"])'

# ---- OpenExecution ---------------------------------------------------------------------------------------------------
t "OE chain record" 0 - - -- X oe_resolved.json
cp "$T/out" oechain.jsonl
olcheck "OE chain: START + a RUNNING per event" oechain.jsonl \
  'c = json.load(open("oe_resolved.json")); types == ["START", "RUNNING", "RUNNING"] and {e["run"]["runId"] for e in ev} == {u5("oe:chain:" + c["id"])} and [e["eventTime"] for e in ev] == [iso(c["created_at"])] + [iso(x["created_at"]) for x in c["events"]] and [e["run"]["facets"]["prova_oe_event"]["event_hash"] for e in ev[1:]] == [x["event_hash"] for x in c["events"]]'
t "OE bundle" 0 - - -- X oebundle.json
cp "$T/out" oebundle.jsonl
olcheck "OE bundle: COMPLETE at issued_at, output = certificate" oebundle.jsonl \
  'b = json.load(open("oebundle.json")); types == ["START", "RUNNING", "RUNNING", "COMPLETE"] and ev[3]["eventTime"] == iso(b["certificate"]["issued_at"]) and ev[3]["outputs"][0]["name"] == b["certificate_id"] and ev[3]["run"]["facets"]["prova_oe_status"]["status"] == "active" and ev[3]["inputs"] == [{"namespace": "prova.oe", "name": "chain:" + b["chain"]["id"]}] and all(e["inputs"] == e["outputs"] == [] for e in ev[:3])'
t "OE revoked bundle is refused without --no-verify" 1 - - -- X oerevoked.json
t "OE revoked bundle --no-verify" 0 - - -- X --no-verify oerevoked.json
cp "$T/out" oerevoked.jsonl
olcheck "revoked: FAIL at revoked_at" oerevoked.jsonl \
  'b = json.load(open("oerevoked.json")); types == ["START", "RUNNING", "RUNNING", "FAIL"] and ev[3]["eventTime"] == iso(b["status"]["revoked_at"]) and ev[3]["run"]["facets"]["prova_oe_status"]["revocation_reason"] == "withdrawn"'

# ---- every event against the official schemas (ajv 2020 + ajv-formats) -------------------------------------------------
ALL="proof.jsonl inconclusive.jsonl proof_nsjob.jsonl lifecycle.jsonl bundle.jsonl bundle_opelib.jsonl chain_ev.jsonl env.jsonl oechain.jsonl oebundle.jsonl oerevoked.jsonl"
NEV=$(cat $ALL | wc -l)
t "ajv: all $NEV events valid" 0 "^$NEV events valid$" - -- node "$VALIDATE" $ALL
# The validator can fail: the reference's exact event (dataSource.uri "" is not a URI), a runId that is not a UUID,
# an eventTime without an offset, a facet without _producer, a documentation facet without a description.
"$PY" ref_ol.py proof.json https://github.com/IdirBenSlama/Ophamin@0.1.0 1 >neg_uri.jsonl
t "ajv rejects dataSource.uri \"\"" 1 'dataSource/uri must match format "uri"' - -- node "$VALIDATE" neg_uri.jsonl
mutate() { "$PY" -c 'import json,sys; e=json.loads(open(sys.argv[1]).readline()); exec(sys.argv[2]); print(json.dumps(e))' "$1" "$2"; }
mutate proof.jsonl 'e["run"]["runId"] = "3de785f4"' >neg1.jsonl
t "ajv rejects a bad runId" 1 'runId must match format "uuid"' - -- node "$VALIDATE" neg1.jsonl
mutate proof.jsonl 'e["eventTime"] = "2026-01-01T00:00:01"' >neg2.jsonl
t "ajv rejects an eventTime without offset" 1 'must match format "date-time"' - -- node "$VALIDATE" neg2.jsonl
mutate bundle.jsonl 'del e["run"]["facets"]["prova_ope_trace"]["_producer"]' >neg3.jsonl
t "ajv rejects a facet without _producer" 1 "_producer" - -- node "$VALIDATE" neg3.jsonl
mutate proof.jsonl 'e["job"]["facets"]["documentation"] = {"_producer": "urn:x", "_schemaURL": "urn:y"}' >neg4.jsonl
t "ajv rejects a documentation facet without description (facet schema)" 1 'DocumentationJobFacet.json' - -- node "$VALIDATE" neg4.jsonl

# ---- output, errors ------------------------------------------------------------------------------------------------
t "--out" 0 - - -- X --default-key --out out.jsonl proof.json
if cmp -s out.jsonl proof.jsonl; then ok; else bad "--out differs from stdout"; fi
t "--out exists" 2 - 'exists' -- X --default-key --out out.jsonl proof.json
t "--event bogus" 2 - 'event' -- X --default-key --event done proof.json
t "--event record is not an option value" 2 - 'event' -- X --default-key --event record proof.json
t "--run-id not a UUID" 2 - 'openlineage_run_id_invalid' -- X --default-key --run-id 1234 proof.json
t "--namespace empty" 2 - 'openlineage_namespace_invalid' -- X --default-key --namespace '' proof.json
t "--job empty" 2 - 'openlineage_job_invalid' -- X --default-key --job '' proof.json
pyedit proof.json noname.json 'del d["data"]["datasets"][0]["name"]; del d["proof_id"]'
t "a dataset without a name (--no-verify)" 2 - 'openlineage_field_invalid' -- X --no-verify noname.json
if [ ! -s "$T/out" ]; then ok; else bad "nothing written on error"; fi
pyedit proof.json badtime.json 'd["identity"]["created_at"] = "2026-01-01T00:00:01"; del d["proof_id"]'
t "created_at without offset (--no-verify)" 2 - 'openlineage_time_invalid' -- X --no-verify badtime.json

# ---- --post: every event, in order, as application/json ----------------------------------------------------------------
cat >"$T/recv.py" <<'PYEOF'
import http.server, json, sys
status = int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps({"ct": self.headers["Content-Type"], "path": self.path, "body": body.decode()}) + "\n")
        self.send_response(status); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PYEOF
start_recv() {
  : >"$T/$1.log"
  "$PY" "$T/recv.py" "$T/$1.log" "$2" >"$T/$1.port" &
  RECV_PID=$!
  for _ in $(seq 50); do [ -s "$T/$1.port" ] && break; sleep 0.1; done
  PORT=$(cat "$T/$1.port")
}
start_recv ok 200
t "--post to a receiver" 0 - - -- X --jwks keys.json --spool "$T/spool" --post "http://127.0.0.1:$PORT/api/v1/lineage" bundle.json
kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null
if "$PY" - "$T/ok.log" bundle.jsonl <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "--post: $(tail -n 1 "$T/pyerr")"; fi
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = open(sys.argv[2]).read().split("\n")[:-1]
assert [g["body"] for g in got] == want, "bodies differ from the JSON Lines output, or out of order"
assert all(g["ct"].startswith("application/json") and g["path"] == "/api/v1/lineage" for g in got), got[0]
PYEOF
start_recv rej 400
t "--post answered 400: stops at the first event" 1 - - -- X --jwks keys.json --spool "$T/spool" --post "http://127.0.0.1:$PORT/" bundle.json
kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null
if [ "$(wc -l <"$T/rej.log")" = 1 ]; then ok; else bad "--post after a 400: $(wc -l <"$T/rej.log") requests"; fi

summary
