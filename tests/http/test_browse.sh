#!/usr/bin/env bash
# The listing API (docs/browse.md), black box over real HTTP: a gateway seeded through its own write API (OPE
# envelopes from two senders with two payload types, OpenExecution chains certified, superseded and revoked, proof
# records), then every listing read whole and page by page with limit=1 (each item exactly once, in the same order),
# every filter against what Python computes from the whole list, since/until, every 400 reason code, POST
# /v1/proofs (201, 200 again, 422 with the verifier's reason, 403 without proof:write), and every response checked
# against openapi.json (tests/http/oas_check.mjs).
#   test_browse.sh PROVA
set -u
PROVA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-/usr/bin/python3}
NODE=${NODE:-node}
. "$HERE/../testlib.sh"
cd "$T" || exit 3

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SPID=
stop_server() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; SPID=; }
trap 'stop_server; rm -rf "$T"' EXIT

"$PROVA" keygen --out s1.key >/dev/null && "$PROVA" keygen --out s2.key >/dev/null || exit 3
"$PROVA" jwks s1.key s2.key >senders.jwks || exit 3
FULL=full-token-0123456789abcdef
NOPROOF=noproof-token-0123456789abcdef
cat >tokens.json <<EOF
{"tokens":[{"name":"ci","token":"$FULL","scopes":["ope:write","oe:write","proof:write"]},
           {"name":"old","token":"$NOPROOF","scopes":["ope:write","oe:write"]}],"odin_api_keys":[]}
EOF
chmod 600 tokens.json
"$PROVA" serve --listen "127.0.0.1:$PORT" --data data --trusted-senders senders.jwks --tokens tokens.json --quiet \
  --log-interval 100 2>>serve.log &
SPID=$!
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$BASE/health" >/dev/null || { cat serve.log >&2; exit 3; }
AUTH=(-H "Authorization: Bearer $FULL")
JSON=(-H 'Content-Type: application/json')
: >responses.txt # METHOD PATH STATUS FILE, checked against openapi.json at the end
N=0

# c NAME WANT METHOD PATH [curl args...]: the body in body (and kept for the OpenAPI check)
c() {
  local name=$1 want=$2 method=$3 path=$4 got
  shift 4
  got=$(curl -s -o body -D hdr -w '%{http_code}' -X "$method" "$@" "$BASE$path")
  N=$((N + 1))
  cp body "resp.$N"
  cp hdr "hdr.$N"
  printf '%s\t%s\t%s\t%s\n' "$method" "$path" "$got" "resp.$N" >>responses.txt
  if [ "$got" = "$want" ]; then ok; return 0; fi
  bad "$name: want HTTP $want, got $got: $(head -c 300 body)"
  return 1
}
# j NAME EXPR: a Python expression over d = the last body
j() {
  if "$PY" - "$2" 2>pyerr <<'EOF'
import json, sys
d = json.load(open("body", encoding="utf-8"))
assert eval(sys.argv[1]), "false"
EOF
  then ok; else bad "$1: $2 does not hold: $(head -c 400 body) $(tail -n 1 pyerr)"; fi
}

# ---- Seed: 7 traces (1..3 hops; sender s2 and payload type pt.b on some), 4 chains, 3 certificates, 3 proofs -----
KID1=$("$PY" -c 'import json,sys; print(json.load(open("senders.jwks"))["keys"][0]["kid"])')
KID2=$("$PY" -c 'import json,sys; print(json.load(open("senders.jwks"))["keys"][1]["kid"])')
for i in 1 2 3 4 5 6 7; do
  for h in $(seq $((i % 3 + 1))); do
    key=s1.key pt=pt.a
    [ $((i % 2)) = 0 ] && [ "$h" = 2 ] && key=s2.key
    [ "$i" = 5 ] && pt=pt.b
    echo "{\"i\":$i,\"h\":$h}" | "$PROVA" pack --key $key --payload-type $pt --target-type $pt --trace-id "tr-$i" - >env.json
    c "envelope tr-$i/$h" 200 POST /v1/odin/envelope "${AUTH[@]}" "${JSON[@]}" --data-binary @env.json
  done
done
chain() { # prints the new chain's id
  curl -s "${AUTH[@]}" "${JSON[@]}" -d '{"chain_type":"manual"}' "$BASE/api/v1/chains" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])'
}
certify() { # CHAIN: events, resolve, certificate; prints the certificate id
  curl -s -o /dev/null "${AUTH[@]}" "${JSON[@]}" -d '{"event_type":"step"}' "$BASE/api/v1/chains/$1/events"
  curl -s -o /dev/null "${AUTH[@]}" "${JSON[@]}" -d '{}' "$BASE/api/v1/chains/$1/resolve"
  curl -s "${AUTH[@]}" "${JSON[@]}" -d '{"artifact_type":"a","artifact_ref":"r"}' "$BASE/api/v1/chains/$1/certificate" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"]["certificate_id"])'
}
C1=$(chain) C2=$(chain) C3=$(chain) C4=$(chain)
X1=$(certify "$C1") X2=$(certify "$C2") X3=$(certify "$C3")
curl -s -o /dev/null "${AUTH[@]}" "${JSON[@]}" -d '{"event_type":"open-one"}' "$BASE/api/v1/chains/$C4/events"
c supersede 200 POST "/api/v1/provenance/certificates/$X1/supersede" "${AUTH[@]}" "${JSON[@]}" -d "{\"superseded_by\":\"$X2\"}"
c revoke 200 POST "/api/v1/provenance/certificates/$X3/revoke" "${AUTH[@]}" "${JSON[@]}" -d '{"reason":"test"}'

for k in 1 2 3; do
  pyedit "$HERE/../data/proof_minimal.json" rec$k.json "d['claim']['statement'] = 'statement $k'"
  "$PROVA" proof sign --default-key rec$k.json >proof$k.json || bad "proof sign $k"
done
c proof_store 201 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" --data-binary @proof1.json &&
  j proof_store 'd["data"]["proof_id"] and isinstance(d["log_index"], int)'
PID1=$("$PY" -c 'import json; print(json.load(open("proof1.json"))["proof_id"])')
c proof_again 200 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" --data-binary @proof1.json &&
  j proof_again "d['data']['proof_id'] == '$PID1'"
c proof_2 201 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" --data-binary @proof2.json
c proof_3 201 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" --data-binary @proof3.json
pyedit proof3.json tampered.json "d['claim']['statement'] = 'changed after signing'"
c proof_tampered 422 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" --data-binary @tampered.json &&
  j proof_tampered 'd["error"]["code"] == "proof_id_mismatch"'
pyedit proof3.json badsig.json "d['signature'] = '0' * 64"
c proof_badsig 422 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" --data-binary @badsig.json &&
  j proof_badsig 'd["error"]["code"].startswith("proof_") or "signature" in d["error"]["code"]'
c proof_not_record 422 POST /v1/proofs "${AUTH[@]}" "${JSON[@]}" -d '{"a":1}' &&
  j proof_not_record 'd["error"]["code"] == "proof_not_record"'
c proof_no_scope 403 POST /v1/proofs -H "Authorization: Bearer $NOPROOF" "${JSON[@]}" --data-binary @proof2.json &&
  j proof_no_scope 'd["error"]["code"] == "scope_missing" and "proof:write" in d["error"]["message"]'
c proof_no_token 401 POST /v1/proofs "${JSON[@]}" --data-binary @proof2.json
c proof_get 200 GET "/v1/proofs/$PID1" && cmp -s body proof1.json && ok || bad "proof_get: not the stored bytes"
c proof_get_404 404 GET "/v1/proofs/$(printf '0%.0s' $(seq 64))" && j proof_get_404 'd["error"]["code"] == "proof_not_found"'
c proof_get_bad 400 GET /v1/proofs/nothex && j proof_get_bad 'd["error"]["code"] == "invalid_id"'
sleep 0.5 # a checkpoint or two

# ---- Every listing: whole, then page by page -------------------------------------------------------------------
# pages NAME PATH KEY: pages with limit=1 (then 2) until next_cursor is null; the keys must be the whole list's, in
# order, each once.
pages() {
  local name=$1 path=$2 key=$3 sep='?' cur lim
  case "$path" in *\?*) sep='&' ;; esac
  c "$name whole" 200 GET "$path${sep}limit=500" || return
  "$PY" -c "import json,sys; print(json.dumps([i['$key'] for i in json.load(open('body'))['items']]))" >whole.json
  cp body whole.body
  for lim in 1 2; do
    : >paged.txt
    cur=
    for _ in $(seq 200); do
      if [ -n "$cur" ]; then c "$name page" 200 GET "$path${sep}limit=$lim&cursor=$cur" || return
      else c "$name page" 200 GET "$path${sep}limit=$lim" || return; fi
      "$PY" -c "import json; d=json.load(open('body')); assert len(d['items']) <= $lim; [print(json.dumps(i['$key'])) for i in d['items']]" >>paged.txt
      cur=$("$PY" -c "import json; d=json.load(open('body')); print(d['next_cursor'] or '')")
      [ -z "$cur" ] && break
    done
    if "$PY" - <<'EOF' 2>pyerr; then ok; else bad "$name limit=$lim pages: $(tail -n 1 pyerr)"; fi
import json
whole = json.load(open("whole.json"))
paged = [json.loads(l) for l in open("paged.txt")]
assert paged == whole, (paged, whole)
assert len(set(map(json.dumps, paged))) == len(paged), "an item twice"
EOF
  done
}
pages traces /v1/traces trace_id
cp whole.body traces.json
pages chains /v1/chains chain_id
cp whole.body chains.json
pages certificates /v1/certificates certificate_id
cp whole.body certs.json
pages proofs /v1/proofs proof_id
cp whole.body proofs.json
pages log_entries /v1/log/entries index
cp whole.body entries.json
pages checkpoints /v1/log/checkpoints time
cp whole.body checkpoints.json

# The shapes and the orders, checked in Python against what was written.
if "$PY" - "$KID1" "$KID2" "$C1" "$C2" "$C3" "$C4" "$X1" "$X2" "$X3" "$PID1" 2>pyerr <<'EOF'; then ok; else bad "contents: $(tail -n 3 pyerr)"; fi
import json, sys
kid1, kid2, c1, c2, c3, c4, x1, x2, x3, pid1 = sys.argv[1:]
tr = json.load(open("traces.json"))["items"]
assert [t["trace_id"] for t in tr] == ["tr-%d" % i for i in range(7, 0, -1)], [t["trace_id"] for t in tr]
last = [t["last_at"] for t in tr]
assert last == sorted(last, reverse=True)
for t in tr:
    i = int(t["trace_id"][3:])
    assert t["hops"] == i % 3 + 1, t
    assert t["first_at"] <= t["last_at"]
    assert t["payload_types"] == (["pt.b"] if i == 5 else ["pt.a"]), t
    want = [kid1] + ([kid2] if i % 2 == 0 and t["hops"] >= 2 else [])
    assert [k for k in t["kids"] if k in (kid1, kid2)] == want, (t, want)
    assert len(t["kids"]) == len(want) + 1, t  # and the gateway's kid
ch = {c["chain_id"]: c for c in json.load(open("chains.json"))["items"]}
assert set(ch) == {c1, c2, c3, c4}
assert ch[c1]["status"] == "certified" and ch[c1]["certificate_id"] == x1 and ch[c1]["events"] == 1
assert ch[c3]["status"] == "revoked" and ch[c3]["certificate_id"] == x3
assert ch[c4]["status"] == "open" and ch[c4]["certificate_id"] is None and ch[c4]["events"] == 1
up = [c["updated_at"] for c in json.load(open("chains.json"))["items"]]
assert up == sorted(up, reverse=True)
ce = json.load(open("certs.json"))["items"]
assert [c["certificate_id"] for c in ce] == [x3, x2, x1], ce
byid = {c["certificate_id"]: c for c in ce}
assert byid[x1]["status"] == "superseded" and byid[x1]["superseded_by"] == x2 and byid[x1]["chain_id"] == c1
assert byid[x2]["status"] == "active" and byid[x2]["superseded_by"] is None
assert byid[x3]["status"] == "revoked"
assert all(isinstance(c["log_index"], int) for c in ce)
pr = json.load(open("proofs.json"))["items"]
assert len(pr) == 3 and pr[-1]["proof_id"] == pid1 and all(isinstance(p["log_index"], int) for p in pr)
en = json.load(open("entries.json"))
assert en["size"] == len(en["items"]) and [e["index"] for e in en["items"]] == list(range(en["size"]))
kinds = [e["entry"]["kind"] for e in en["items"]]
assert kinds.count("receipt") == 14 and kinds.count("proof_record") == 3, kinds
cp = json.load(open("checkpoints.json"))["items"]
assert cp and [c["size"] for c in cp] == sorted([c["size"] for c in cp], reverse=True) and cp[0]["note"].count("\n") >= 4
EOF

# ---- Filters, each against the whole list ---------------------------------------------------------------------
# f NAME PATH KEY PYTHON-FILTER (over i, an item of the whole listing in WHOLE)
f() {
  local name=$1 path=$2 key=$3 whole=$4 expr=$5
  pages "$name" "$path" "$key"
  if "$PY" - "$whole" "$key" "$expr" 2>pyerr <<'EOF'; then ok; else bad "$name: $(tail -n 1 pyerr)"; fi
import json, sys
whole, key, expr = sys.argv[1:]
got = json.load(open("whole.json"))
want = [i[key] for i in json.load(open(whole))["items"] if eval(expr)]
assert got == want and want, (got, want)
EOF
}
GWKID=$(curl -s "$BASE/.well-known/jwks.json" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["keys"][0]["kid"])')
f kid2 "/v1/traces?kid=$KID2" trace_id traces.json "'$KID2' in i['kids']"
f kid1 "/v1/traces?kid=$KID1" trace_id traces.json "'$KID1' in i['kids']"
f gwkid "/v1/traces?kid=$GWKID" trace_id traces.json "True"
f payload_type "/v1/traces?payload_type=pt.b" trace_id traces.json "'pt.b' in i['payload_types']"
f both "/v1/traces?payload_type=pt.a&kid=$KID2" trace_id traces.json "'pt.a' in i['payload_types'] and '$KID2' in i['kids']"
c kid_none 200 GET "/v1/traces?kid=nobody" && j kid_none 'd["items"] == [] and d["next_cursor"] is None'
for st in certified revoked open; do f "chains_$st" "/v1/chains?status=$st" chain_id chains.json "i['status'] == '$st'"; done
c chains_resolved 200 GET "/v1/chains?status=resolved" && j chains_resolved 'd["items"] == []'
for st in active superseded revoked; do f "certs_$st" "/v1/certificates?status=$st" certificate_id certs.json "i['status'] == '$st'"; done
f certs_chain "/v1/certificates?chain_id=$C2" certificate_id certs.json "i['chain_id'] == '$C2'"
f certs_chain_status "/v1/certificates?chain_id=$C1&status=superseded" certificate_id certs.json "i['chain_id'] == '$C1'"
# since/until: the window [tr-2's last_at, tr-6's last_at) holds tr-2 .. tr-5
read -r S U < <("$PY" -c 'import json; t={i["trace_id"]: i["last_at"] for i in json.load(open("traces.json"))["items"]}; print(t["tr-2"].replace("+00:00","Z"), t["tr-6"].replace("+00:00","Z"))')
f window "/v1/traces?since=$S&until=$U" trace_id traces.json "i['trace_id'] in ('tr-2', 'tr-3', 'tr-4', 'tr-5')"
f since_entries "/v1/log/entries?since=$S" index entries.json "i['sequenced_at'] >= '$S'.replace('Z', '+00:00')"
c from 200 GET "/v1/log/entries?from=5&limit=2" && j from '[i["index"] for i in d["items"]] == [5, 6] and d["next_cursor"]'
c until_empty 200 GET "/v1/traces?until=2000-01-01T00:00:00Z" && j until_empty 'd["items"] == [] and d["next_cursor"] is None'

# ---- 400s: each reason code ------------------------------------------------------------------------------------
e() { # NAME PATH CODE
  c "$1" 400 GET "$2" && j "$1" "d['error']['code'] == '$3'"
}
e limit_0 "/v1/traces?limit=0" invalid_limit
e limit_501 "/v1/chains?limit=501" invalid_limit
e limit_word "/v1/certificates?limit=ten" invalid_limit
e limit_sign "/v1/proofs?limit=+5" invalid_limit
e cursor_junk "/v1/traces?cursor=%%%" invalid_cursor
e cursor_b64 "/v1/traces?cursor=bm90IGEgY3Vyc29y" invalid_cursor
c cursor_get 200 GET "/v1/traces?limit=1"
TCUR=$("$PY" -c 'import json; print(json.load(open("body"))["next_cursor"])')
e cursor_other "/v1/chains?cursor=$TCUR" invalid_cursor
# a cursor tampered: its position edited to something that is not a number or an id
BADCUR=$("$PY" -c "import base64,sys; r=base64.urlsafe_b64decode('$TCUR'+'=='); r=r.replace(b'.', b'.x', 1); print(base64.urlsafe_b64encode(r).decode().rstrip('='))")
e cursor_tampered "/v1/traces?cursor=$BADCUR" invalid_cursor
BADCUR=$("$PY" -c "import base64; r=base64.urlsafe_b64decode('$TCUR'+'=='); print(base64.urlsafe_b64encode(r + b'/x').decode().rstrip('='))")
e cursor_bad_id "/v1/traces?cursor=$BADCUR" invalid_cursor
e since_bad "/v1/traces?since=yesterday" invalid_time
e until_bad "/v1/log/entries?until=2026-13-01T00:00:00Z" invalid_time
e since_nozone "/v1/chains?since=2026-01-01T00:00:00" invalid_time
e status_chain "/v1/chains?status=active" invalid_status
e status_cert "/v1/certificates?status=open" invalid_status
e unknown "/v1/traces?status=open" unknown_parameter
e unknown_proofs "/v1/proofs?kid=x" unknown_parameter
e unknown_cp "/v1/log/checkpoints?from=1" unknown_parameter
e from_bad "/v1/log/entries?from=-1" invalid_from
e chain_id_bad "/v1/certificates?chain_id=a%2Fb" invalid_id
e kid_empty "/v1/traces?kid=" invalid_filter
e kid_newline "/v1/traces?kid=a%0Ab" invalid_filter
e payload_type_long "/v1/traces?payload_type=$(printf 'x%.0s' $(seq 300))" invalid_filter

# ---- Every response against openapi.json ------------------------------------------------------------------------
curl -s "$BASE/openapi.json" >openapi.json
if "$NODE" --input-type=module - "$HERE/oas_check.mjs" <<'EOF' >oas.out 2>&1; then ok; else bad "openapi: $(tail -n 5 oas.out)"; fi
import fs from 'node:fs';
const { loadSpec, checkResponse } = await import(process.argv[2]);
const spec = await loadSpec('openapi.json');
let n = 0, bad = [];
for (const line of fs.readFileSync('responses.txt', 'utf8').split('\n').filter(Boolean)) {
  const [method, path, status, file] = line.split('\t');
  const body = JSON.parse(fs.readFileSync(file, 'utf8'));
  const headers = new Headers();
  for (const h of fs.readFileSync(file.replace('resp.', 'hdr.'), 'latin1').split('\r\n').slice(1)) {
    const k = h.indexOf(':');
    if (k > 0) headers.append(h.slice(0, k).trim(), h.slice(k + 1).trim());
  }
  const r = checkResponse(spec, method, path.split('?')[0], Number(status), headers.get('content-type'), body, headers);
  n++;
  if (!r.ok) bad.push(`${method} ${path} ${status}: ${r.errors.join('; ')}`);
}
console.log(`checked ${n} responses`);
for (const b of bad) console.error(b);
process.exit(bad.length ? 1 : 0);
EOF
grep -q 'checked [0-9]* responses' oas.out || bad "openapi: nothing checked"

stop_server
summary
