#!/usr/bin/env bash
# GET /v1/lineage (docs/lineage.md "Over HTTP"), black box over real HTTP: a gateway seeded through its own write API
# (two OPE traces; two OpenExecution chains certified, the first
# certificate superseded by the second), then: the JSON graph is byte for byte what `prova lineage` draws from the
# same records read back through the gateway's own reads; every format with its content type, read by a real tool
# (Graphviz dot -Tsvg, networkx); every 400/404 reason code; JSON responses checked against openapi.json.
#   test_lineage_http.sh PROVA
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

"$PROVA" keygen --out s1.key >/dev/null || exit 3
"$PROVA" jwks s1.key >senders.jwks || exit 3
FULL=full-token-0123456789abcdef
cat >tokens.json <<EOF
{"tokens":[{"name":"ci","token":"$FULL","scopes":["ope:write","oe:write","proof:write"]}],"odin_api_keys":[]}
EOF
chmod 600 tokens.json
"$PROVA" serve --listen "127.0.0.1:$PORT" --data data --trusted-senders senders.jwks --tokens tokens.json --quiet \
  2>>serve.log &
SPID=$!
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$BASE/health" >/dev/null || { cat serve.log >&2; exit 3; }
AUTH=(-H "Authorization: Bearer $FULL")
JSON=(-H 'Content-Type: application/json')
: >responses.txt
N=0
# c NAME WANT METHOD PATH [curl args...]: the body in body, the headers in hdr
c() {
  local name=$1 want=$2 method=$3 path=$4 got
  shift 4
  got=$(curl -s -o body -D hdr -w '%{http_code}' -X "$method" "$@" "$BASE$path")
  N=$((N + 1))
  cp body "resp.$N"
  cp hdr "hdr.$N"
  if grep -qi '^content-type: application/json' hdr; then
    printf '%s\t%s\t%s\t%s\n' "$method" "$path" "$got" "resp.$N" >>responses.txt
  fi
  if [ "$got" = "$want" ]; then ok; return 0; fi
  bad "$name: want HTTP $want, got $got: $(head -c 300 body)"
  return 1
}
j() {
  if "$PY" - "$2" 2>pyerr <<'EOF'
import json, sys
d = json.load(open("body", encoding="utf-8"))
assert eval(sys.argv[1]), "false"
EOF
  then ok; else bad "$1: $2 does not hold: $(head -c 400 body) $(tail -n 1 pyerr)"; fi
}
ctype() { grep -qi "^content-type: $2" hdr && ok || bad "$1: content type $(grep -i '^content-type' hdr), want $2"; }

# ---- Seed -------------------------------------------------------------------------------------------------------------
post_env() { # TRACE PAYLOAD
  echo "$2" | "$PROVA" pack --key s1.key --payload-type p.v1 --target-type p.v1 --trace-id "$1" - >env.json
  c "envelope $1" 200 POST /v1/odin/envelope "${AUTH[@]}" "${JSON[@]}" --data-binary @env.json
}
post_env tr-a '{"step":0}'
post_env tr-a '{"step":1}'
post_env tr-b '{"step":0}'
post_env tr-b '{"other":1}'
chain() {
  curl -s "${AUTH[@]}" "${JSON[@]}" -d '{"chain_type":"manual"}' "$BASE/api/v1/chains" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])'
}
certify() {
  for e in one two; do
    curl -s -o /dev/null "${AUTH[@]}" "${JSON[@]}" -d "{\"event_type\":\"$e\"}" "$BASE/api/v1/chains/$1/events"
  done
  curl -s -o /dev/null "${AUTH[@]}" "${JSON[@]}" -d '{}' "$BASE/api/v1/chains/$1/resolve"
  curl -s "${AUTH[@]}" "${JSON[@]}" -d '{"artifact_type":"a","artifact_ref":"r"}' "$BASE/api/v1/chains/$1/certificate" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"]["certificate_id"])'
}
C1=$(chain) C2=$(chain)
X1=$(certify "$C1") X2=$(certify "$C2")
c supersede 200 POST "/api/v1/provenance/certificates/$X1/supersede" "${AUTH[@]}" "${JSON[@]}" -d "{\"superseded_by\":\"$X2\"}"

# ---- The records read back, drawn by the CLI ----------------------------------------------------------------------------
c hops_a 200 GET /v1/receipts/hops/chain/tr-a && "$PY" -c 'import json; json.dump(json.load(open("body"))["hops"], open("a.json", "w"))'
c hops_b 200 GET /v1/receipts/hops/chain/tr-b && "$PY" -c 'import json; json.dump(json.load(open("body"))["hops"], open("b.json", "w"))'
c chain1 200 GET "/api/v1/chains/$C1" && "$PY" -c 'import json; json.dump(json.load(open("body"))["data"], open("c1.json", "w"))'
c bundle1 200 GET "/api/v1/provenance/bundle/$X1" && cp body x1.json

c lineage_trace 200 GET "/v1/lineage?trace_id=tr-a" && ctype lineage_trace application/json
"$PROVA" lineage a.json >want.json && cmp -s body want.json && ok || bad "trace: not prova lineage's bytes"
c lineage_both 200 GET "/v1/lineage?trace_id=tr-b&chain_id=$C1"
"$PROVA" lineage b.json c1.json x1.json >want.json && cmp -s body want.json && ok || bad "both: not prova lineage's bytes"
j both_supersedes "{'from': 'cert:$X2', 'to': 'cert:$X1', 'type': 'supersedes'} in d['edges']"
j both_certifies "{'from': 'cert:$X1', 'to': 'chain:$C1', 'type': 'certifies'} in d['edges']"
j both_events "sum(n['type'] == 'event' for n in d['nodes']) == 2 and sum(e['type'] == 'prev' for e in d['edges']) == 2"
c lineage_chain 200 GET "/v1/lineage?chain_id=$C1&format=json"
"$PROVA" lineage c1.json x1.json >want.json && cmp -s body want.json && ok || bad "chain: not prova lineage's bytes"

c lineage_trace_a 200 GET "/v1/lineage?trace_id=tr-a"
j trace_a "[n['type'] for n in d['nodes']].count('hop') == 2 and [n['type'] for n in d['nodes']].count('cid') == 2"

# ---- Formats ----------------------------------------------------------------------------------------------------------
c dot 200 GET "/v1/lineage?trace_id=tr-b&chain_id=$C1&format=dot" && ctype dot 'text/vnd.graphviz'
"$PROVA" lineage --format dot b.json c1.json x1.json >want.dot && cmp -s body want.dot && ok || bad "dot: not the CLI's bytes"
if dot -Tsvg body >/dev/null 2>dot.err && [ ! -s dot.err ]; then ok; else bad "dot -Tsvg: $(cat dot.err)"; fi
c graphml 200 GET "/v1/lineage?trace_id=tr-b&chain_id=$C1&format=graphml" && ctype graphml 'application/graphml+xml'
cp body g.graphml
c graphml_json 200 GET "/v1/lineage?trace_id=tr-b&chain_id=$C1"
cp body gj.json
"$PY" - <<'EOF' && ok || bad "networkx: the GraphML is not the JSON's graph"
import json, networkx
G = networkx.read_graphml("g.graphml")
d = json.load(open("gj.json"))
assert {n: a["type"] for n, a in G.nodes(data=True)} == {n["id"]: n["type"] for n in d["nodes"]}
assert sorted((u, v, a["type"]) for u, v, a in G.edges(data=True)) == sorted((e["from"], e["to"], e["type"]) for e in d["edges"])
EOF
c mermaid 200 GET "/v1/lineage?chain_id=$C1&format=mermaid" && ctype mermaid 'text/vnd.mermaid'
head -4 body | grep -q '^flowchart LR' && ok || bad "mermaid: no flowchart"

# ---- Errors -----------------------------------------------------------------------------------------------------------
e() { c "$1" "$2" GET "$3" && j "$1" "d['error']['code'] == '$4'"; }
e none 400 "/v1/lineage" missing_parameter
e empty 400 "/v1/lineage?trace_id=" missing_parameter
e format 400 "/v1/lineage?trace_id=tr-a&format=svg" invalid_format
e unknown_param 400 "/v1/lineage?trace=tr-a" unknown_parameter
e no_trace 404 "/v1/lineage?trace_id=nope" trace_not_found
e no_chain 404 "/v1/lineage?chain_id=00000000-0000-4000-8000-000000000000" chain_not_found
e bad_id 400 "/v1/lineage?trace_id=a%0Ab" invalid_id

# ---- Every JSON response against openapi.json -------------------------------------------------------------------------
curl -s "$BASE/openapi.json" >openapi.json
if "$NODE" --input-type=module - "$HERE/oas_check.mjs" <<'EOF' >oas.out 2>&1; then ok; else bad "openapi: $(tail -n 5 oas.out)"; fi
import fs from 'node:fs';
const { loadSpec, checkResponse } = await import(process.argv[2]);
const spec = await loadSpec('openapi.json');
let n = 0, bad = [];
for (const line of fs.readFileSync('responses.txt', 'utf8').split('\n').filter(Boolean)) {
  const [method, path, status, file] = line.split('\t');
  if (!path.startsWith('/v1/lineage')) continue;
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
grep -q 'checked [1-9][0-9]* responses' oas.out || bad "openapi: nothing checked"

stop_server
summary
