#!/usr/bin/env bash
# The gateway's transparency-log sequence (issue 14, docs/tlog.md "Log entries"), black box over real HTTP: each kind
# of record the gateway accepts (receipt, OpenExecution event, certificate, revocation, supersession) answers a
# log_index one more than the last; a refused write (replay, bad body, closed chain, a second revocation) answers
# none and leaves no gap; writes that store no record (chain create, resolve) take no index. Then the store is read
# behind the gateway's back with Python's sqlite3: entries 0..N-1, each exactly the JCS bytes of the documented
# statement, recomputed here from the record the response carried (json.dumps(sort_keys=True, separators=(",", ":"),
# ensure_ascii=False) and hashlib). A restart continues the sequence.
# Usage: test_log_http.sh PROVA        "N passed, M failed" last; exits non-zero on any failure.
set -u
PROVA=$(realpath "${1:?usage: test_log_http.sh PROVA}")
PY=${PY:-python3}
. "$(dirname "$0")/../testlib.sh"
command -v curl >/dev/null || { echo "curl is required"; exit 77; }
cd "$T" || exit 3

SPID=
cleanup() {
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill -KILL "$SPID" 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT

start_server() {
  local port
  port=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  BASE=http://127.0.0.1:$port
  "$PROVA" serve --listen "127.0.0.1:$port" --data "$T/data" --trusted-senders senders.jwks --quiet \
    >>server.log 2>&1 &
  SPID=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$BASE/health" && return 0
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat server.log >&2
  exit 1
}
stop_server() {
  kill -TERM "$SPID"
  wait "$SPID"
  local rc=$?
  [ "$rc" = 0 ] && ok || bad "SIGTERM: exit status $rc"
  SPID=
}

"$PROVA" keygen --out sender.key >/dev/null && "$PROVA" jwks sender.key >senders.jwks || exit 3
mkdir -p data
start_server
TOKEN=$("$PY" -c 'import json;print(json.load(open("data/tokens.json"))["tokens"][0]["token"])')

# post NAME WANT_STATUS PATH BODY_FILE: the response in resp.json
post() {
  local name=$1 want=$2 path=$3 body=$4
  CODE=$(curl -s -o resp.json -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$body" "$BASE$path")
  if [ "$CODE" = "$want" ]; then ok; return 0; fi
  bad "$name: HTTP $CODE, want $want: $(head -c 300 resp.json)"
  return 1
}

# logged NAME KIND: the last response carries log_index = the next expected one; it is kept as rec_<index>.json
# with its kind (for the store check below).
NEXT=0
logged() {
  local name=$1 kind=$2 got
  got=$("$PY" -c 'import json;print(json.load(open("resp.json")).get("log_index"))')
  if [ "$got" = "$NEXT" ]; then ok; else bad "$name: log_index $got, want $NEXT"; fi
  cp resp.json "rec_$NEXT.json"
  echo "$NEXT $kind" >>kinds.txt
  NEXT=$((NEXT + 1))
}
# unlogged NAME: the last response carries no log_index
unlogged() {
  if "$PY" -c 'import json,sys;sys.exit("log_index" in json.load(open("resp.json")))'; then ok; else
    bad "$1: a log_index in $(head -c 300 resp.json)"
  fi
}
pack() { # TRACE PAYLOAD > envelope
  printf '%s' "$2" | "$PROVA" pack --key sender.key --payload-type a.v1 --target-type a.v1 --trace-id "$1" -
}

# ---- receipts ---------------------------------------------------------------------------------------------------
pack tr-1 '{"n":1}' >e1.json && pack tr-1 '{"n":2}' >e2.json && pack tr-2 '{"n":"caf\u00e9"}' >e3.json || exit 3
post receipt_1 200 /v1/odin/envelope e1.json && logged receipt_1 receipt
post receipt_2 200 /v1/odin/envelope e2.json && logged receipt_2 receipt
post replay 409 /v1/odin/envelope e1.json && unlogged replay
echo '{"not":"an envelope"}' >junk.json
post bad_envelope 422 /v1/odin/envelope junk.json && unlogged bad_envelope
post receipt_3 200 /v1/odin/envelope e3.json && logged receipt_3 receipt

# ---- OpenExecution ------------------------------------------------------------------------------------------------
API=/api/v1
echo '{"chain_type":"manual"}' >chain.json
post chain_create 201 $API/chains chain.json && unlogged chain_create
CH=$("$PY" -c 'import json;print(json.load(open("resp.json"))["data"]["id"])')
echo '{"event_type":"step","actor_id":"a","payload":{"t":"caf\u00e9 \ud83d\ude00"}}' >ev.json
post event_1 201 $API/chains/$CH/events ev.json && logged event_1 event
echo '{"event_type":"step","bogus":1}' >badev.json
post bad_event 422 $API/chains/$CH/events badev.json && unlogged bad_event
post event_2 201 $API/chains/$CH/events ev.json && logged event_2 event
echo '{}' >empty.json
post resolve 200 $API/chains/$CH/resolve empty.json && unlogged resolve
post event_closed 409 $API/chains/$CH/events ev.json && unlogged event_closed
echo '{"artifact_type":"report","artifact_ref":"doc://1","artifact_title":"T\u00e9"}' >cert.json
post certify 201 $API/chains/$CH/certificate cert.json && logged certify certificate
CERT1=$("$PY" -c 'import json;print(json.load(open("resp.json"))["data"]["certificate_id"])')
echo '{"reason":"wrong"}' >revoke.json
post revoke 200 $API/provenance/certificates/$CERT1/revoke revoke.json && logged revoke status
post revoke_again 409 $API/provenance/certificates/$CERT1/revoke revoke.json && unlogged revoke_again

post chain_create_2 201 $API/chains chain.json
CH2=$("$PY" -c 'import json;print(json.load(open("resp.json"))["data"]["id"])')
post event_3 201 $API/chains/$CH2/events ev.json && logged event_3 event
post resolve_2 200 $API/chains/$CH2/resolve empty.json
post certify_2 201 $API/chains/$CH2/certificate cert.json && logged certify_2 certificate
CERT2=$("$PY" -c 'import json;print(json.load(open("resp.json"))["data"]["certificate_id"])')
echo "{\"superseded_by\":\"$CERT1\",\"reason\":\"newer\"}" >supersede.json
post supersede 200 $API/provenance/certificates/$CERT2/supersede supersede.json && logged supersede status

# ---- a restart continues the sequence -------------------------------------------------------------------------
stop_server
start_server
pack tr-1 '{"n":3}' >e4.json || exit 3
post receipt_after_restart 200 /v1/odin/envelope e4.json && logged receipt_after_restart receipt

# ---- the store, read behind the gateway's back ---------------------------------------------------------------------
if "$PY" - "$NEXT" 2>pyerr.txt <<'EOF'; then ok; else bad "the log entries in the store: $(tail -n 3 pyerr.txt)"; fi
import hashlib, json, sqlite3, sys
n = int(sys.argv[1])
def jcs(v):
    # JCS (RFC 8785) for these statements: ASCII member names, strings and integers only
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
def sha(v):
    return "sha256:" + hashlib.sha256(jcs(v)).hexdigest()
kinds = dict(line.split() for line in open("kinds.txt"))
db = sqlite3.connect("file:data/prova.db?mode=ro", uri=True)
rows = db.execute("SELECT idx, entry FROM log_entries ORDER BY idx").fetchall()
assert [r[0] for r in rows] == list(range(n)), "indexes %s, want 0..%d" % ([r[0] for r in rows], n - 1)
base = {"format": "prova-log-entry/v1"}
for idx, entry in rows:
    rec = json.load(open("rec_%d.json" % idx, encoding="utf-8"))
    kind = kinds[str(idx)]
    if kind == "receipt":
        r = rec["receipt"]
        want = dict(base, family="ope", kind="receipt", digest="sha256:" + r["receipt_hash"], trace_id=r["trace_id"],
                    hop=r["hop"], time=r["ts"])
    elif kind == "event":
        e = rec["data"]
        want = dict(base, family="oe", kind="event", digest="sha256:" + e["event_hash"], chain_id=e["chain_id"],
                    seq=e["seq"], time=e["created_at"])
    elif kind == "certificate":
        b = rec["data"]
        want = dict(base, family="oe", kind="certificate", digest=sha(b["certificate"]),
                    certificate_id=b["certificate_id"], chain_id=b["certificate"]["chain_id"],
                    time=b["certificate"]["issued_at"])
    else:
        b = rec["data"]
        want = dict(base, family="oe", kind="status", digest=sha(b["status"]), certificate_id=b["certificate_id"],
                    status=b["status"]["status"], time=b["status"]["updated_at"])
    got = bytes(entry)
    assert got == jcs(want), "entry %d:\n got  %r\n want %r" % (idx, got, jcs(want))
# the statuses are the ones posted
st = [json.loads(bytes(e)) for i, e in rows if kinds[str(i)] == "status"]
assert [s["status"] for s in st] == ["revoked", "superseded"], st
EOF
stop_server
summary
