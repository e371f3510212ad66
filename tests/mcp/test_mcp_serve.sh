#!/usr/bin/env bash
# MCP inside the gateway: `prova serve` answers POST /mcp (streamable HTTP), and its store tools go through the
# gateway's own routes: a write needs a token with the route's scope, an envelope appended by MCP is a replay when
# POSTed again over HTTP, the bundle exported by MCP verifies offline with the key of /.well-known/jwks.json.
# Also the generic protocol checks of proto_sdk.mjs against /mcp, the transport's HTTP rules, metrics, --no-mcp.
#   test_mcp_serve.sh PROVA
set -u
PROVA=${1:?usage: test_mcp_serve.sh PROVA}
PROVA=$(cd "$(dirname "$PROVA")" && pwd)/$(basename "$PROVA")
PY=/usr/bin/python3
NODE=${NODE:-node}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
cd "$T" || exit 3
SPID=
stop_server() { if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=; fi; }
trap 'stop_server; rm -rf "$T"' EXIT
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"

"$PROVA" keygen --out sender.key >/dev/null && "$PROVA" jwks sender.key >senders.jwks || exit 3
FULL=full-token-0123456789abcdef
OEONLY=oe-only-token-0123456789abcdef
cat >tokens.json <<JSON
{"tokens":[{"name":"ci","token":"$FULL","scopes":["ope:write","oe:write"]},
           {"name":"oe-bot","token":"$OEONLY","scopes":["oe:write"]}]}
JSON
chmod 600 tokens.json
start_server() { # extra args...
  "$PROVA" serve --listen "127.0.0.1:$PORT" --data data --trusted-senders senders.jwks --tokens tokens.json \
    --sft-passthrough --quiet "$@" 2>>serve.log &
  SPID=$!
  for _ in $(seq 100); do
    curl -sf "$BASE/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the gateway did not start:" >&2
  cat serve.log >&2
  return 1
}
start_server || exit 3

printf '{"tool":"search","q":"prova"}' >payload.json
"$PROVA" pack --key sender.key --payload-type tool.call --target-type tool.result --trace-id trace-mcp payload.json \
  >env.json || exit 3

# The SDK client: tools on the gateway's store, with and without authority.
(cd "$HERE" && "$NODE" serve_client.mjs "$BASE/mcp" "$FULL" "$OEONLY" "$T/env.json" "$T") >client.out 2>&1
while read -r status rest; do
  case "$status" in ok) ok ;; FAIL) bad "serve_client: $rest" ;; esac
done <client.out
grep -q '^ok export_bundle' client.out || bad "serve_client did not run: $(tail -n 5 client.out)"

# Same rules as HTTP: the envelope MCP appended is a replay for POST /v1/odin/envelope.
code=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $FULL" -H 'Content-Type: application/json' \
  --data-binary @env.json "$BASE/v1/odin/envelope")
[ "$code" = 409 ] && ok || bad "the envelope appended over MCP, POSTed over HTTP: want 409, got $code $(head -c 200 body)"
curl -sf "$BASE/.well-known/jwks.json" >gw.jwks || bad "jwks"
t "the bundle exported over MCP verifies offline" 0 'VALID' - -- "$PROVA" verify --jwks gw.jwks bundle.json
if "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a != b)' \
  gw.jwks gw_mcp.jwks; then ok; else bad "the jwks tool differs from /.well-known/jwks.json"; fi
t "the chain over HTTP has the MCP receipt" 0 '"hop":0' - -- curl -sf "$BASE/v1/receipts/hops/chain/trace-mcp"

# The protocol checks of proto_sdk.mjs, against the gateway's /mcp.
(cd "$HERE" && "$NODE" proto_sdk.mjs http "$BASE/mcp" "$FULL") >proto.out 2>&1
n_ok=$(grep -c '^ok ' proto.out)
n_fail=$(grep -c '^FAIL ' proto.out)
[ "$n_ok" -ge 5 ] && [ "$n_fail" = 0 ] && ok || bad "proto_sdk against /mcp: $n_ok ok, $n_fail failed: $(grep -m3 '^FAIL' proto.out)"

# Transport rules through the gateway.
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
h=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
code=$(curl -s -o body -D hdr -w '%{http_code}' "${h[@]}" --data "$init" "$BASE/mcp")
sid=$(tr -d '\r' <hdr | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
[ "$code" = 200 ] && [ -n "$sid" ] && ok || bad "initialize over curl: $code, session '$sid'"
code=$(curl -s -o body -w '%{http_code}' "${h[@]}" --data '{"jsonrpc":"2.0","id":2,"method":"ping"}' "$BASE/mcp")
[ "$code" = 400 ] && ok || bad "a request without Mcp-Session-Id: want 400, got $code"
code=$(curl -s -o body -w '%{http_code}' "${h[@]}" -H "Mcp-Session-Id: $sid" \
  --data '{"jsonrpc":"2.0","id":2,"method":"ping"}' "$BASE/mcp")
[ "$code" = 200 ] && grep -q '"result":{}' body && ok || bad "ping in the session: $code $(head -c 200 body)"
code=$(curl -s -o body -w '%{http_code}' "${h[@]}" -H "Mcp-Session-Id: $sid" -H 'Origin: https://evil.example' \
  --data '{"jsonrpc":"2.0","id":3,"method":"ping"}' "$BASE/mcp")
[ "$code" = 403 ] && ok || bad "a foreign Origin: want 403, got $code"
code=$(curl -s -o body -D hdr -w '%{http_code}' "$BASE/mcp")
[ "$code" = 405 ] && ok || bad "GET /mcp: want 405, got $code"
code=$(curl -s -o body -w '%{http_code}' -X DELETE -H "Mcp-Session-Id: $sid" "$BASE/mcp")
[ "$code" = 204 ] || [ "$code" = 200 ] && ok || bad "DELETE /mcp: $code"
code=$(curl -s -o body -w '%{http_code}' "${h[@]}" -H "Mcp-Session-Id: $sid" \
  --data '{"jsonrpc":"2.0","id":4,"method":"ping"}' "$BASE/mcp")
[ "$code" = 404 ] && ok || bad "a deleted session: want 404, got $code"
curl -sf "$BASE/metrics" >metrics || bad "metrics"
grep -q 'prova_http_requests_total{route="/mcp",method="POST",code="200"} [1-9]' metrics && ok || bad "metrics: no /mcp POST series"
[ "$(grep -c 'prova_http_request_duration_seconds_count{route="/mcp"}' metrics)" = 1 ] && ok ||
  bad "metrics: one histogram for /mcp across methods"
"$PY" - metrics <<'PYEOF' && ok || bad "metrics: a series printed twice"
import sys, collections
lines = [l.rsplit(" ", 1)[0] for l in open(sys.argv[1]) if l and not l.startswith("#")]
dup = [k for k, n in collections.Counter(lines).items() if n > 1]
assert not dup, dup[:3]
PYEOF

# --no-mcp: the endpoint is gone (404), the rest of the gateway is not.
stop_server
start_server --no-mcp || exit 3
code=$(curl -s -o body -w '%{http_code}' "${h[@]}" --data "$init" "$BASE/mcp")
[ "$code" = 404 ] && ok || bad "--no-mcp: want 404, got $code"
stop_server

summary
