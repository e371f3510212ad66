#!/usr/bin/env bash
# Black-box tests of the OpenExecution endpoints of `prova serve` (docs/http-oe.md) over real HTTP with curl:
# the lifecycle (create, append, resolve, certify, verify, the offline bundle checked by `prova verify`, the public
# key, revoke, supersede), every refusal (401, 403, 404, 409, 422, 400) with its code, a store tampered behind the
# gateway's back, 20 concurrent appends to one chain (exactly seq 1..20, no fork), a restart on the same data
# (everything persisted), and a clean SIGTERM (exit 0).
# Usage: test_oe_http.sh PROVA        one line per check, "N passed, M failed" last; exits non-zero on any failure.
set -u
PROVA=${1:?usage: test_oe_http.sh PROVA}
PY=${PY:-python3}
. "$(dirname "$0")/../testlib.sh"
command -v curl >/dev/null || { echo "curl is required"; exit 77; }

SPID=
cleanup() {
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill -KILL "$SPID" 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT

pass_() { ok; echo "ok   $1"; }
fail_() { bad "$1: $2"; echo "FAIL $1"; }

free_port() { "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_server LOG [ARGS...]: starts prova serve on a free port over $T/data; sets SPID and BASE.
start_server() {
  local log=$1
  shift
  local port
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  "$PROVA" serve --listen "127.0.0.1:$port" --data "$T/data" --quiet "$@" >>"$log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$BASE/health"; then return 0; fi
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$log" >&2
  exit 1
}

# stop_server NAME: SIGTERM, then the exit status must be 0 within 15 s.
stop_server() {
  kill -TERM "$SPID"
  for _ in $(seq 1 150); do
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SPID" 2>/dev/null; then
    fail_ "$1" "still running 15 s after SIGTERM"
    kill -KILL "$SPID"
    wait "$SPID" 2>/dev/null
  else
    wait "$SPID"
    local rc=$?
    if [ "$rc" = 0 ]; then pass_ "$1"; else fail_ "$1" "exit status $rc"; fi
  fi
  SPID=
}

# call METHOD PATH [BODY|-] [TOKEN|-]: the status in CODE, the body in $T/resp (TOKEN defaults to the dev token).
call() {
  local m=$1 p=$2 body=${3:--} tok=${4-$TOKEN}
  local args=(-s -o "$T/resp" -w '%{http_code}' -X "$m")
  [ "$tok" != - ] && args+=(-H "Authorization: Bearer $tok")
  [ "$body" != - ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  CODE=$(curl "${args[@]}" "$BASE$p")
}

# expect NAME STATUS [PYEXPR]: the last call answered STATUS and PYEXPR holds for d = its JSON body.
expect() {
  local name=$1 want=$2 expr=${3-}
  if [ "$CODE" != "$want" ]; then
    fail_ "$name" "HTTP $CODE, want $want: $(head -c 400 "$T/resp")"
    return 1
  fi
  if [ -n "$expr" ] && ! "$PY" - "$T/resp" "$expr" 2>"$T/pyerr" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
x = d.get("data") if isinstance(d, dict) else None
e = x.get("events") if isinstance(x, dict) else None
assert eval("(" + sys.argv[2] + ")"), "false"
EOF
  then
    fail_ "$name" "$expr does not hold for $(head -c 600 "$T/resp") ($(tail -n 1 "$T/pyerr"))"
    return 1
  fi
  pass_ "$name"
}

# refuse NAME STATUS CODE METHOD PATH [BODY|-] [TOKEN|-]: a refusal with this status and error code.
refuse() {
  local name=$1 st=$2 code=$3
  shift 3
  call "$@"
  expect "$name" "$st" "d['error']['code'] == '$code' and d['detail'] == d['error']['message']"
}

# jq-like: field PYEXPR FILE
field() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[2],encoding="utf-8")); print(eval(sys.argv[1]))' "$1" "$2"; }

# check NAME CMD...: the command succeeds
check() {
  local name=$1
  shift
  if "$@" >"$T/out" 2>"$T/err"; then pass_ "$name"; else fail_ "$name" "$(head -c 300 "$T/out") $(head -c 300 "$T/err")"; fi
}

mkdir -p "$T/data"
start_server "$T/server1.log"
TOKEN=$(field 'd["tokens"][0]["token"]' "$T/data/tokens.json")
API=/api/v1

# ---- lifecycle --------------------------------------------------------------------------------------------------
call POST $API/chains '{"chain_type":"resource_audit","origin_type":"github","origin_id":"octocat/hello"}'
expect "create a chain" 201 'd["data"]["status"] == "open" and d["data"]["events"] == [] and d["data"]["event_count"] == 0
  and d["data"]["chain_type"] == "resource_audit" and d["data"]["origin_id"] == "octocat/hello"
  and d["data"]["hash_algorithm"] == "sha256" and d["data"]["signature_algorithm"] == "ed25519"
  and d["data"]["canonicalization"] == "jcs" and d["data"]["chain_hash"] is None'
CH=$(field 'd["data"]["id"]' "$T/resp")

call GET $API/chains/$CH - -
expect "read the new chain (no token needed)" 200 'd["data"]["id"] == "'"$CH"'" and d["data"]["events"] == []'

for i in 1 2 3 4 5; do
  call POST $API/chains/$CH/events '{"event_type":"step_'$i'","actor_id":"agent-7","actor_type":"bot","sentiment":"positive","payload":{"i":'$i',"text":"caf\u00e9 \ud83d\ude00"}}'
  expect "append event $i" 201 'd["data"]["seq"] == '$i' and d["data"]["chain_id"] == "'"$CH"'" and d["data"]["event_type"] == "step_'$i'"
    and d["data"]["payload"] == {"i": '$i', "text": "caf\u00e9 \U0001F600"} and len(d["data"]["event_hash"]) == 64
    and d["data"]["created_at"].endswith("Z") and len(d["data"]["created_at"]) == 24'
done
check "the event is answered in JCS form" "$PY" -c '
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
top = json.loads(raw)
assert sorted(top) == ["data", "log_index"] and isinstance(top["log_index"], int)
assert raw == json.dumps(top, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
' "$T/resp"

call GET $API/chains/$CH - -
expect "the chain has 5 linked events, event_count 5" 200 'd["data"]["event_count"] == 5 and [x["seq"] for x in d["data"]["events"]] == [1,2,3,4,5]
  and d["data"]["events"][0]["prev_hash"] == "0" * 64
  and all(d["data"]["events"][k]["prev_hash"] == d["data"]["events"][k-1]["event_hash"] for k in range(1, 5))
  and d["data"]["updated_at"] == d["data"]["events"][4]["created_at"]'
cp "$T/resp" "$T/chain_open.json"
"$PY" -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["data"], open(sys.argv[2],"w"))' "$T/chain_open.json" "$T/chain_open_record.json"
check "the open chain record verifies offline" "$PROVA" verify "$T/chain_open_record.json"

refuse "certify an open chain" 409 chain_not_resolved POST $API/chains/$CH/certificate '{"artifact_type":"report","artifact_ref":"r-1"}'
call POST $API/chains/$CH/resolve
expect "resolve (empty body)" 200 'd["data"]["status"] == "resolved" and len(d["data"]["chain_hash"]) == 64
  and d["data"]["resolved_at"] is not None and len(d["data"]["events"]) == 5'
HASH=$(field 'd["data"]["chain_hash"]' "$T/resp")
refuse "append to a resolved chain" 409 chain_not_open POST $API/chains/$CH/events '{"event_type":"late"}'
refuse "resolve twice" 409 chain_not_open POST $API/chains/$CH/resolve '{}'

call POST $API/chains/$CH/certificate '{"artifact_type":"repository","artifact_ref":"octocat/hello","artifact_title":"Audit of hello"}'
expect "certify" 201 'x["certificate"]["chain_hash"] == "'"$HASH"'" and x["certificate"]["chain_id"] == "'"$CH"'"
  and x["certificate"]["artifact_title"] == "Audit of hello" and x["certificate"]["event_count"] == 5
  and x["status"]["status"] == "active" and x["chain"]["status"] == "certified" and len(x["chain"]["events"]) == 5
  and x["public_key"].startswith("-----BEGIN PUBLIC KEY-----")'
CERT=$(field 'd["data"]["certificate_id"]' "$T/resp")
refuse "certify twice" 409 chain_not_resolved POST $API/chains/$CH/certificate '{"artifact_type":"report","artifact_ref":"r-1"}'
call GET $API/chains/$CH - -
expect "the chain is certified" 200 'd["data"]["status"] == "certified" and d["data"]["certified_at"] is not None'

call GET $API/provenance/verify/$CERT - -
expect "verify: valid, exactly the seed's members" 200 'set(d) == {"data"}
  and list(x) == ["valid","signature_valid","chain_hash_valid","certificate","chain","integrity"]
  and x["valid"] is True and x["signature_valid"] is True and x["chain_hash_valid"] is True
  and x["certificate"] == {"id": "'"$CERT"'", "chain_id": "'"$CH"'", "artifact_type": "repository", "artifact_ref": "octocat/hello",
                           "status": "active", "signature_algorithm": "ed25519", "hash_algorithm": "sha256"}
  and x["chain"] == {"id": "'"$CH"'", "chain_type": "resource_audit", "status": "certified"}
  and x["integrity"] == {"chain_id": "'"$CH"'", "event_count": 5, "is_valid": True, "errors": []}'

call GET $API/provenance/bundle/$CERT - -
expect "download the bundle" 200 'd["certificate_id"] == "'"$CERT"'" and d["status"]["status"] == "active"'
cp "$T/resp" "$T/bundle.json"
check "the bundle verifies offline (prova verify exits 0)" "$PROVA" verify "$T/bundle.json"

call GET $API/provenance/public-key - -
expect "public key: the members" 200 'list(d) == ["algorithm","public_key","format","public_key_pem","fingerprint"]
  and d["algorithm"] == "ed25519" and d["format"] == "DER (SPKI)" and d["public_key"].startswith("302a300506032b6570032100")'
cp "$T/resp" "$T/pubkey.json"
check "public key = the bundle's public_key; fingerprint = SHA-256 of the DER" "$PY" - "$T/pubkey.json" "$T/bundle.json" <<'EOF'
import base64, hashlib, json, sys
k = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
der = bytes.fromhex(k["public_key"])
body = "".join(l for l in k["public_key_pem"].splitlines() if not l.startswith("-----"))
assert base64.b64decode(body) == der
assert k["public_key_pem"].strip() == b["public_key"].strip()
assert k["fingerprint"] == hashlib.sha256(der).hexdigest()
EOF
"$PY" -c 'import json,sys; open(sys.argv[2],"w").write(json.load(open(sys.argv[1]))["public_key_pem"])' "$T/pubkey.json" "$T/issuer.pub.pem"
check "the bundle verifies offline against the published key (--key)" "$PROVA" verify --key "$T/issuer.pub.pem" "$T/bundle.json"

# ---- revoke -----------------------------------------------------------------------------------------------------
refuse "revoke without a reason" 422 missing_member POST $API/provenance/certificates/$CERT/revoke '{}'
call POST $API/provenance/certificates/$CERT/revoke '{"reason":"key compromise"}'
expect "revoke" 200 'd["data"]["status"]["status"] == "revoked" and d["data"]["status"]["revocation_reason"] == "key compromise"
  and d["data"]["chain"]["status"] == "revoked"'
call GET $API/provenance/verify/$CERT - -
expect "verify a revoked certificate: valid false, status revoked" 200 'x["valid"] is False
  and x["signature_valid"] is True and x["chain_hash_valid"] is True and x["integrity"]["is_valid"] is True
  and x["certificate"]["status"] == "revoked" and x["chain"]["status"] == "revoked"'
call GET $API/chains/$CH - -
expect "the revoked certificate's chain is revoked" 200 'd["data"]["status"] == "revoked"'
refuse "revoke twice" 409 status_transition POST $API/provenance/certificates/$CERT/revoke '{"reason":"again"}'
call GET $API/provenance/bundle/$CERT - -
cp "$T/resp" "$T/revoked.json"
if "$PROVA" verify "$T/revoked.json" >"$T/out" 2>&1; then rc=0; else rc=$?; fi
if [ "$rc" = 1 ] && grep -q certificate_revoked "$T/out"; then pass_ "the revoked bundle fails offline (exit 1, certificate_revoked)"
else fail_ "the revoked bundle fails offline" "exit $rc: $(head -c 300 "$T/out")"; fi

# ---- supersede (two more chains, sha3-512) -------------------------------------------------------------------------
# new_certificate NAME HASH: a chain of 2 events, resolved and certified; sets NC (chain) and NCERT.
new_certificate() {
  call POST $API/chains "{\"chain_type\":\"compliance_report\",\"hash_algorithm\":\"$2\"}"
  NC=$(field 'd["data"]["id"]' "$T/resp")
  call POST $API/chains/$NC/events '{"event_type":"collected","actor_id":null,"sentiment":"neutral","payload":{}}'
  call POST $API/chains/$NC/events '{"event_type":"reviewed","actor_id":"auditor","sentiment":"negative"}'
  call POST $API/chains/$NC/resolve '{}'
  call POST $API/chains/$NC/certificate '{"artifact_type":"report","artifact_ref":"'"$1"'"}'
  NCERT=$(field 'd["data"]["certificate_id"]' "$T/resp")
  expect "chain $1 ($2) certified" 201 'len(d["data"]["chain"]["events"][0]["event_hash"]) == '"$3"' and d["data"]["chain"]["hash_algorithm"] == "'"$2"'"'
}
new_certificate old sha3-512 128
C2=$NC CERT2=$NCERT
new_certificate new sha384 96
C3=$NC CERT3=$NCERT
refuse "supersede by an unknown certificate" 422 superseded_by_unknown POST $API/provenance/certificates/$CERT2/supersede '{"superseded_by":"no-such-cert"}'
refuse "supersede by itself" 422 invalid_value POST $API/provenance/certificates/$CERT2/supersede "{\"superseded_by\":\"$CERT2\"}"
refuse "supersede without superseded_by" 422 missing_member POST $API/provenance/certificates/$CERT2/supersede '{"reason":"x"}'
refuse "superseded_by not a string" 422 schema_error POST $API/provenance/certificates/$CERT2/supersede '{"superseded_by":7}'
call POST $API/provenance/certificates/$CERT2/supersede "{\"superseded_by\":\"$CERT3\",\"reason\":\"algorithm_upgrade\"}"
expect "supersede" 200 'd["data"]["status"]["status"] == "superseded" and d["data"]["status"]["superseded_by"] == "'"$CERT3"'"
  and d["data"]["status"]["supersession_reason"] == "algorithm_upgrade"'
call GET $API/provenance/verify/$CERT2 - -
expect "verify a superseded certificate: valid false, status superseded" 200 'x["valid"] is False
  and x["signature_valid"] and x["chain_hash_valid"] and x["integrity"]["is_valid"]
  and x["certificate"]["status"] == "superseded" and x["certificate"]["hash_algorithm"] == "sha3-512"
  and x["chain"] == {"id": "'"$C2"'", "chain_type": "compliance_report", "status": "certified"}'
refuse "supersede a revoked certificate" 409 status_transition POST $API/provenance/certificates/$CERT/supersede "{\"superseded_by\":\"$CERT3\"}"
refuse "supersede twice" 409 status_transition POST $API/provenance/certificates/$CERT2/supersede "{\"superseded_by\":\"$CERT3\"}"
call GET $API/provenance/verify/$CERT3 - -
expect "verify the successor: valid" 200 'd["data"]["valid"] is True and d["data"]["certificate"]["hash_algorithm"] == "sha384"'
call GET $API/provenance/bundle/$CERT2 - -
cp "$T/resp" "$T/superseded.json"
if "$PROVA" verify "$T/superseded.json" >"$T/out" 2>&1; then rc=0; else rc=$?; fi
if [ "$rc" = 1 ] && grep -q certificate_superseded "$T/out"; then pass_ "the superseded bundle fails offline (exit 1)"
else fail_ "the superseded bundle fails offline" "exit $rc: $(head -c 300 "$T/out")"; fi

# ---- refusals ---------------------------------------------------------------------------------------------------
refuse "create without a token" 401 token_missing POST $API/chains '{}' -
refuse "create with a wrong token" 401 token_invalid POST $API/chains '{}' not-a-valid-token-at-all
refuse "append without a token" 401 token_missing POST $API/chains/$C3/events '{"event_type":"x"}' -
refuse "revoke without a token" 401 token_missing POST $API/provenance/certificates/$CERT3/revoke '{"reason":"x"}' -
refuse "read an unknown chain" 404 chain_not_found GET $API/chains/no-such-chain - -
refuse "append to an unknown chain" 404 chain_not_found POST $API/chains/no-such-chain/events '{"event_type":"x"}'
refuse "resolve an unknown chain" 404 chain_not_found POST $API/chains/no-such-chain/resolve
refuse "certify an unknown chain" 404 chain_not_found POST $API/chains/no-such-chain/certificate '{"artifact_type":"a","artifact_ref":"b"}'
refuse "revoke an unknown certificate" 404 certificate_not_found POST $API/provenance/certificates/no-such-cert/revoke '{"reason":"x"}'
refuse "supersede an unknown certificate" 404 certificate_not_found POST $API/provenance/certificates/no-such-cert/supersede "{\"superseded_by\":\"$CERT3\"}"
refuse "bundle of an unknown certificate" 404 certificate_not_found GET $API/provenance/bundle/no-such-cert - -
call GET $API/provenance/verify/no-such-cert - -
expect "verify an unknown certificate: 404, the seed's message" 404 'd["error"]["code"] == "certificate_not_found" and d["error"]["message"] == "Certificate not found: no-such-cert"'
LONG=$(printf 'a%.0s' $(seq 1 129))
refuse "a chain id of 129 characters" 400 invalid_id GET $API/chains/$LONG - -
refuse "a certificate id of 129 characters" 400 invalid_id GET $API/provenance/verify/$LONG - -
refuse "a chain id with a space" 400 invalid_id POST "$API/chains/a%20b/events" '{"event_type":"x"}'
call GET "$API/chains/a%22b" - -
expect "a chain id with a quote is an id (visible ASCII): 404, escaped in the message" 404 'd["error"]["message"] == "Chain not found: a" + chr(34) + "b"'
call POST $API/chains '{}'
CE=$(field 'd["data"]["id"]' "$T/resp")
expect "create with an empty object: the defaults" 201 'd["data"]["chain_type"] == "manual" and d["data"]["origin_type"] == "manual" and d["data"]["origin_id"] == d["data"]["id"]'
refuse "resolve a chain without events" 409 chain_empty POST $API/chains/$CE/resolve
call POST $API/chains '{"chain_type":'
expect "truncated JSON" 400 'd["error"]["code"] == "json_truncated" and "byte 14" in d["error"]["message"]'
refuse "bad JSON (events)" 400 json_syntax POST $API/chains/$CE/events '{event_type:"x"}'
refuse "duplicate member" 400 json_duplicate_key POST $API/chains/$CE/events '{"event_type":"x","event_type":"y"}'
refuse "a number beyond a double in the payload" 400 json_number_range POST $API/chains/$CE/events '{"event_type":"x","payload":{"n":1e400}}'
refuse "a lone surrogate in the payload" 400 json_lone_surrogate POST $API/chains/$CE/events '{"event_type":"x","payload":{"s":"\ud800"}}'
refuse "the body is an array" 422 schema_error POST $API/chains '[]'
refuse "a misspelt member" 422 unknown_member POST $API/chains '{"chain_typ":"manual"}'
refuse "an unknown chain_type" 422 invalid_value POST $API/chains '{"chain_type":"everything"}'
refuse "chain_type not a string" 422 schema_error POST $API/chains '{"chain_type":1}'
refuse "an unknown hash_algorithm" 422 invalid_value POST $API/chains '{"hash_algorithm":"md5"}'
refuse "the Python form sha3_256 is refused" 422 invalid_value POST $API/chains '{"hash_algorithm":"sha3_256"}'
refuse "origin_type longer than 32 bytes" 422 invalid_value POST $API/chains '{"origin_type":"'"$(printf 'o%.0s' $(seq 1 33))"'"}'
refuse "origin_id empty" 422 invalid_value POST $API/chains '{"origin_id":""}'
refuse "event_type missing" 422 missing_member POST $API/chains/$CE/events '{"actor_id":"a"}'
refuse "event_type empty" 422 invalid_value POST $API/chains/$CE/events '{"event_type":""}'
refuse "event_type of 65 bytes" 422 invalid_value POST $API/chains/$CE/events '{"event_type":"'"$(printf 'e%.0s' $(seq 1 65))"'"}'
refuse "event_type with NUL" 422 invalid_value POST $API/chains/$CE/events '{"event_type":"a\u0000b"}'
refuse "an unknown sentiment" 422 invalid_value POST $API/chains/$CE/events '{"event_type":"x","sentiment":"happy"}'
refuse "actor_id not a string" 422 schema_error POST $API/chains/$CE/events '{"event_type":"x","actor_id":42}'
refuse "payload an array" 422 schema_error POST $API/chains/$CE/events '{"event_type":"x","payload":[1]}'
refuse "payload a string" 422 schema_error POST $API/chains/$CE/events '{"event_type":"x","payload":"{}"}'
refuse "created_at is the gateway's" 422 unknown_member POST $API/chains/$CE/events '{"event_type":"x","created_at":"2026-01-01T00:00:00Z"}'
refuse "resolve with a member" 422 unknown_member POST $API/chains/$CE/resolve '{"at":"now"}'
refuse "certify without artifact_ref" 422 missing_member POST $API/chains/$C3/certificate '{"artifact_type":"a"}'
refuse "certify with artifact_type a number" 422 schema_error POST $API/chains/$C3/certificate '{"artifact_type":1,"artifact_ref":"b"}'
refuse "revoke with reason not a string" 422 schema_error POST $API/provenance/certificates/$CERT3/revoke '{"reason":["x"]}'
call GET $API/chains/$CE - -
expect "refused appends changed nothing" 200 'd["data"]["event_count"] == 0 and d["data"]["events"] == [] and d["data"]["status"] == "open"'
call POST $API/chains/$CE/events '{"event_type":"\u00e9v\u00e9nement","payload":{"big":12345678901234567890,"f":1.5e-7}}'
expect "numbers in the payload take their RFC 8785 form" 201 'd["data"]["payload"] == {"big": 12345678901234567000, "f": 1.5e-7}'

# ---- the store tampered behind the gateway's back -----------------------------------------------------------------
call GET $API/provenance/verify/$CERT3 - -
expect "before tampering: valid" 200 'd["data"]["valid"] is True'
"$PY" - "$T/data/prova.db" "$C3" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("UPDATE oe_events SET event = replace(event, '\"auditor\"', '\"mallory\"') WHERE chain_id = ? AND seq = 2", (sys.argv[2],))
db.commit()
EOF
call GET $API/provenance/verify/$CERT3 - -
expect "an event changed in the store: chain_hash_valid false, integrity errors" 200 'x["valid"] is False
  and x["signature_valid"] is True and x["chain_hash_valid"] is False and x["integrity"]["is_valid"] is False
  and any(e.startswith("Event seq=2: event_hash mismatch (computed ") for e in x["integrity"]["errors"])
  and "Event seq=2: the stored event differs from the certified one" in x["integrity"]["errors"]'
"$PY" - "$T/data/prova.db" "$C3" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("DELETE FROM oe_events WHERE chain_id = ?", (sys.argv[2],))
db.commit()
EOF
call GET $API/provenance/verify/$CERT3 - -
expect "events missing from the store: chain_hash_valid false" 200 'x["valid"] is False
  and x["signature_valid"] is True and x["chain_hash_valid"] is False and x["integrity"]["event_count"] == 0
  and x["integrity"]["errors"] == ["Event seq=1: missing from the store", "Event seq=2: missing from the store"]'
"$PY" - "$T/data/prova.db" "$CERT2" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("UPDATE oe_certificates SET bundle = replace(bundle, '\"artifact_ref\":\"old\"', '\"artifact_ref\":\"forged\"') WHERE id = ?", (sys.argv[1+1],))
db.commit()
EOF
call GET $API/provenance/verify/$CERT2 - -
expect "a certificate changed in the store: signature_valid false" 200 'x["valid"] is False
  and x["signature_valid"] is False and x["certificate"]["artifact_ref"] == "forged"'

# ---- concurrency: 20 appends to one chain at once ------------------------------------------------------------------
call POST $API/chains '{"chain_type":"incident_response"}'
CC=$(field 'd["data"]["id"]' "$T/resp")
pids=()
for i in $(seq 1 20); do
  curl -s -o "$T/par_$i.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary '{"event_type":"parallel","actor_id":"worker-'$i'","payload":{"worker":'$i'}}' \
    "$BASE$API/chains/$CC/events" >"$T/par_$i.code" &
  pids+=($!)
done
wait "${pids[@]}"
codes=$(cat "$T"/par_*.code | tr -d '\n')
[ "$codes" = "$(printf '201%.0s' $(seq 1 20))" ] && pass_ "20 parallel appends: all 201" || fail_ "20 parallel appends: all 201" "$codes"
check "20 parallel appends: 20 distinct seqs 1..20 in the answers" "$PY" - "$T" <<'EOF'
import json, sys
seqs = sorted(json.load(open(f"{sys.argv[1]}/par_{i}.json"))["data"]["seq"] for i in range(1, 21))
assert seqs == list(range(1, 21)), seqs
EOF
call GET $API/chains/$CC - -
expect "the chain: exactly 20 events, seq 1..20, every link, every worker once" 200 'd["data"]["event_count"] == 20
  and [x["seq"] for x in e] == list(range(1, 21)) and e[0]["prev_hash"] == "0" * 64
  and all(e[k]["prev_hash"] == e[k-1]["event_hash"] for k in range(1, 20))
  and sorted(x["payload"]["worker"] for x in e) == list(range(1, 21))
  and all(e[k]["created_at"] >= e[k-1]["created_at"] for k in range(1, 20))'
call POST $API/chains/$CC/resolve
expect "the concurrent chain resolves" 200 'd["data"]["status"] == "resolved" and d["data"]["event_count"] == 20'
call POST $API/chains/$CC/certificate '{"artifact_type":"incident","artifact_ref":"INC-20"}'
expect "the concurrent chain is certified" 201 'd["data"]["certificate"]["event_count"] == 20'
CCERT=$(field 'd["data"]["certificate_id"]' "$T/resp")
call GET $API/provenance/bundle/$CCERT - -
cp "$T/resp" "$T/bundle20.json"
check "its bundle verifies offline with the published key" "$PROVA" verify --key "$T/issuer.pub.pem" "$T/bundle20.json"
call GET $API/provenance/verify/$CCERT - -
expect "its verify answer: valid, 20 events" 200 'd["data"]["valid"] is True and d["data"]["integrity"]["event_count"] == 20'

call GET /health - -
expect "health counts what was written" 200 'd["store"]["chains"] == 5 and d["store"]["certificates"] == 4 and d["store"]["events"] == 5 + 2 + 2 + 1 + 20'
call GET /metrics - -
if grep -q 'prova_http_requests_total{route="/api/v1/chains/{chainId}/events",method="POST",code="201"} 30$' "$T/resp"; then
  pass_ "metrics count the appends by route"
else
  fail_ "metrics count the appends by route" "$(grep 'chainId}/events' "$T/resp" | head -5)"
fi
stop_server "SIGTERM: the server exits 0"

# ---- restart on the same data, with a token lacking oe:write ---------------------------------------------------------
cat >"$T/tokens2.json" <<EOF
{"tokens":[{"name":"dev","token":"$TOKEN","scopes":["*"]},
           {"name":"ope-only","token":"ope-only-token-0123456789","scopes":["ope:write"]}],
 "odin_api_keys":[]}
EOF
chmod 600 "$T/tokens2.json"
start_server "$T/server2.log" --tokens "$T/tokens2.json"
refuse "create with a token lacking oe:write" 403 scope_missing POST $API/chains '{}' ope-only-token-0123456789
refuse "append with a token lacking oe:write" 403 scope_missing POST $API/chains/$CE/events '{"event_type":"x"}' ope-only-token-0123456789
refuse "revoke with a token lacking oe:write" 403 scope_missing POST $API/provenance/certificates/$CCERT/revoke '{"reason":"x"}' ope-only-token-0123456789
call GET $API/chains/$CE - ope-only-token-0123456789
expect "reads need no scope" 200 'd["data"]["event_count"] == 1'
call GET $API/provenance/verify/$CCERT - -
expect "after a restart: the certificate still verifies" 200 'd["data"]["valid"] is True and d["data"]["integrity"]["event_count"] == 20'
call GET $API/provenance/verify/$CERT - -
expect "after a restart: the revoked one is still revoked" 200 'd["data"]["valid"] is False and d["data"]["certificate"]["status"] == "revoked"'
call POST $API/chains/$CE/events '{"event_type":"after_restart"}'
expect "after a restart: appends continue the chain" 201 'd["data"]["seq"] == 2'
call GET /health - -
expect "after a restart: the counts are read from the store" 200 'd["store"]["chains"] == 5 and d["store"]["certificates"] == 4 and d["store"]["events"] == 30 - 2 + 1'
stop_server "SIGTERM after the restart: exit 0"

summary
