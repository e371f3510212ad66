#!/usr/bin/env bash
# prova mcp's protocol and transports, black box: the official TypeScript MCP SDK client (tests/node_modules,
# locked) over stdio and streamable HTTP (proto_sdk.mjs), raw JSON-RPC over stdio for what the SDK never sends
# (proto_raw.py), and the streamable HTTP rules with curl (sessions, Origin, Accept, methods, sizes, protocol
# version, bearer tokens on a non-loopback bind). Then the same SDK runs with --data DIR (a gateway store).
#   test_mcp_protocol.sh PROVA
set -u
PROVA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
NODE=${NODE:-node}
. "$HERE/../testlib.sh"
cd "$T" || exit 3

# count OUTPUT_FILE: adds the "ok"/"FAIL" lines of a driver script to the counters
count() {
  local f=$1 name=$2
  local n_ok n_fail
  n_ok=$(grep -c '^ok ' "$f")
  n_fail=$(grep -c '^FAIL ' "$f")
  pass=$((pass + n_ok))
  if [ "$n_fail" != 0 ] || [ "$n_ok" = 0 ]; then
    fail=$((fail + (n_fail ? n_fail : 1)))
    echo "FAIL: $name:" >&2
    grep '^FAIL ' "$f" >&2
    [ "$n_ok" = 0 ] && head -c 2000 "$f" >&2
  fi
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

# start_http PORT_VAR ARGS...: starts `prova mcp --http ARGS` and waits for /health on 127.0.0.1:$port
start_http() {
  local port=$1
  shift
  "$PROVA" mcp --quiet "$@" 2>>mcp.log &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "prova mcp --http did not start:" >&2
  cat mcp.log >&2
  return 1
}

# ---- SDK over stdio -------------------------------------------------------------------------------------------
(cd "$HERE" && "$NODE" proto_sdk.mjs stdio "$PROVA") >sdk_stdio.out 2>&1
count sdk_stdio.out "SDK over stdio"

# ---- Raw JSON-RPC over stdio ------------------------------------------------------------------------------
"$PY" "$HERE/proto_raw.py" "$PROVA" >raw.out 2>&1
count raw.out "raw JSON-RPC over stdio"

# ---- Streamable HTTP on loopback ------------------------------------------------------------------------------
PORT=$(free_port)
URL="http://127.0.0.1:$PORT/mcp"
start_http "$PORT" --http "127.0.0.1:$PORT" --max-message 4096 --allow-origin https://app.example.org || exit 3

(cd "$HERE" && "$NODE" proto_sdk.mjs http "$URL") >sdk_http.out 2>&1
count sdk_http.out "SDK over streamable HTTP"

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"0"}}}'
LIST='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
JSON=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
# h NAME WANT_STATUS [curl args...]: POSTs (unless -X says otherwise) to $URL; body in body, headers in hdr
h() {
  local name=$1 want=$2
  shift 2
  local got
  got=$(curl -s -o body -D hdr -w '%{http_code}' "$@" "$URL")
  if [ "$got" = "$want" ]; then ok; return 0; fi
  bad "$name: want HTTP $want, got $got: $(head -c 300 body)"
  return 1
}
# j NAME EXPR: Python over d = json.load(body), h = headers (lower-case names), b = the raw body
j() {
  if "$PY" - "$2" 2>pyerr <<'EOF'
import json, sys
b = open("body", encoding="utf-8").read()
try:
    d = json.loads(b)
except ValueError:
    d = None
h = {}
for line in open("hdr", encoding="latin-1"):
    if ":" in line:
        k, v = line.split(":", 1)
        h[k.strip().lower()] = v.strip()
assert eval(sys.argv[1]), "false"
EOF
  then ok; else bad "$1: $2 does not hold: $(head -c 400 body) $(tail -n 1 pyerr)"; fi
}

h "initialize" 200 "${JSON[@]}" -d "$INIT"
j "initialize: session id and version" "len(h['mcp-session-id']) == 48 and d['result']['protocolVersion'] == '2025-06-18' and h['content-type'].startswith('application/json')"
SID=$(tr -d '\r' <hdr | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
S=(-H "Mcp-Session-Id: $SID")
h "notifications/initialized: 202" 202 "${JSON[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
j "202 has no body" "b == ''"
h "tools/list" 200 "${JSON[@]}" "${S[@]}" -H 'MCP-Protocol-Version: 2025-06-18' -d "$LIST"
j "tools/list result" "d['id'] == 2 and len(d['result']['tools']) > 5"
h "a response from the client: 202" 202 "${JSON[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":9,"result":{}}'
h "no session: 400" 400 "${JSON[@]}" -d "$LIST"
j "no session: JSON-RPC error body" "d['error']['code'] == -32000 and 'Mcp-Session-Id' in d['error']['message'] and d['id'] is None"
h "unknown session: 404" 404 "${JSON[@]}" -H 'Mcp-Session-Id: 0123456789abcdef0123456789abcdef0123456789abcdef' -d "$LIST"
h "bad Origin: 403" 403 "${JSON[@]}" "${S[@]}" -H 'Origin: http://evil.example' -d "$LIST"
h "Origin null: 403" 403 "${JSON[@]}" "${S[@]}" -H 'Origin: null' -d "$LIST"
h "lookalike loopback Origin: 403" 403 "${JSON[@]}" "${S[@]}" -H 'Origin: http://localhost.evil.example' -d "$LIST"
h "loopback Origin: 200" 200 "${JSON[@]}" "${S[@]}" -H 'Origin: http://localhost:5173' -d "$LIST"
h "[::1] Origin: 200" 200 "${JSON[@]}" "${S[@]}" -H 'Origin: http://[::1]:8080' -d "$LIST"
h "listed Origin: 200" 200 "${JSON[@]}" "${S[@]}" -H 'Origin: https://app.example.org' -d "$LIST"
h "wrong Accept: 406" 406 -H 'Content-Type: application/json' -H 'Accept: text/html' "${S[@]}" -d "$LIST"
h "wrong Content-Type: 415" 415 -H 'Content-Type: text/plain' -H 'Accept: application/json' "${S[@]}" -d "$LIST"
h "SSE only" 200 -H 'Content-Type: application/json' -H 'Accept: text/event-stream' "${S[@]}" -d "$LIST"
j "SSE only: one message event" "h['content-type'].startswith('text/event-stream') and b.startswith('event: message\ndata: {') and b.endswith('}\n\n') and json.loads(b.split('data: ',1)[1])['id'] == 2"
h "GET: 405" 405 -X GET -H 'Accept: text/event-stream' "${S[@]}"
j "GET: Allow" "h['allow'] == 'POST, DELETE'"
h "PUT: 405" 405 -X PUT "${JSON[@]}" "${S[@]}" -d "$LIST"
h "unsupported MCP-Protocol-Version: 400" 400 "${JSON[@]}" "${S[@]}" -H 'MCP-Protocol-Version: 1999-01-01' -d "$LIST"
j "400 names the supported versions" "'2025-11-25' in d['error']['message']"
"$PY" -c 'print("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{\"p\":\"" + "x"*5000 + "\"}}")' >big.json
h "body over --max-message: 413" 413 "${JSON[@]}" "${S[@]}" --data-binary @big.json
j "413 names the limit" "'4096' in d['error']['message']"
h "413 chunked" 413 "${JSON[@]}" "${S[@]}" -H 'Transfer-Encoding: chunked' --data-binary @big.json
h "malformed JSON: 400" 400 "${JSON[@]}" "${S[@]}" -d '{"jsonrpc":'
j "malformed JSON: -32700" "d['error']['code'] == -32700 and d['id'] is None"
h "a request without a session: 400" 400 "${JSON[@]}" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
h "second initialize on the session: JSON-RPC error" 200 "${JSON[@]}" "${S[@]}" -d "$INIT"
j "second initialize: -32600" "d['error']['code'] == -32600"
h "failed initialize: no session" 200 "${JSON[@]}" -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}'
j "failed initialize: -32602 and no Mcp-Session-Id" "d['error']['code'] == -32602 and 'mcp-session-id' not in h"
h "DELETE without session: 400" 400 -X DELETE
h "DELETE: 204" 204 -X DELETE "${S[@]}"
h "after DELETE: 404" 404 "${JSON[@]}" "${S[@]}" -d "$LIST"
h "DELETE again: 404" 404 -X DELETE "${S[@]}"
got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/other")
[ "$got" = 404 ] && ok || bad "other path: want 404, got $got"

# Many sessions at once from parallel clients: each gets its own id, all answer.
CPIDS=()
for i in $(seq 20); do
  curl -s -D "par$i.hdr" -o "par$i.body" "${JSON[@]}" -d "$INIT" "$URL" &
  CPIDS+=($!)
done
for p in "${CPIDS[@]}"; do wait "$p"; done
ids=$(cat par*.hdr | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}' | sort -u | wc -l)
[ "$ids" = 20 ] && ok || bad "20 parallel initializes: want 20 distinct session ids, got $ids"

# ---- A non-loopback bind: bearer tokens ----------------------------------------------------------------------
TOKEN=mcp-test-token-0123456789abcdef
cat >tokens.json <<EOF
{"tokens":[{"name":"agent","token":"$TOKEN","scopes":["*"]}]}
EOF
chmod 600 tokens.json
P2=$(free_port)
t "0.0.0.0 without tokens refused" 2 - "not a loopback address" -- "$PROVA" mcp --http "0.0.0.0:$P2"
start_http "$P2" --http "0.0.0.0:$P2" --tokens tokens.json || exit 3
URL="http://127.0.0.1:$P2/mcp"
h "non-loopback without token: 401" 401 "${JSON[@]}" -d "$INIT"
j "401: WWW-Authenticate" "h['www-authenticate'].startswith('Bearer')"
h "non-loopback with a wrong token: 401" 401 "${JSON[@]}" -H 'Authorization: Bearer not-the-token-000000' -d "$INIT"
h "non-loopback with the token: 200" 200 "${JSON[@]}" -H "Authorization: Bearer $TOKEN" -d "$INIT"
SID2=$(tr -d '\r' <hdr | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
h "the session without the token: 401" 401 "${JSON[@]}" -H "Mcp-Session-Id: $SID2" -d "$LIST"
h "the session with the token: 200" 200 "${JSON[@]}" -H "Authorization: Bearer $TOKEN" -H "Mcp-Session-Id: $SID2" -d "$LIST"
(cd "$HERE" && "$NODE" proto_sdk.mjs http "$URL" "$TOKEN") >sdk_http_token.out 2>&1
count sdk_http_token.out "SDK over streamable HTTP with a bearer token"

# SIGTERM stops the HTTP server cleanly.
last=${PIDS[-1]}
kill -TERM "$last"
for _ in $(seq 50); do kill -0 "$last" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$last" 2>/dev/null; then bad "SIGTERM: still running"; else wait "$last"; rc=$?; [ "$rc" = 0 ] && ok || bad "SIGTERM: exit $rc"; fi

# ---- Usage errors -----------------------------------------------------------------------------------------------
t "unknown option" 2 - "unknown option" -- "$PROVA" mcp --bogus
t "bad --max-message" 2 - "max-message" -- "$PROVA" mcp --max-message 12
t "bad --http address" 2 - "expected PORT" -- "$PROVA" mcp --http "nohost:abc"
t "--help" 0 "mcp" - -- "$PROVA" mcp --help

# ---- With a gateway store (--data DIR) -------------------------------------------------------------------------
(cd "$HERE" && "$NODE" proto_sdk.mjs stdio "$PROVA" --data "$T/data") >sdk_data.out 2>&1
count sdk_data.out "SDK over stdio with --data"
[ -f "$T/data/prova.db" ] && ok || bad "--data: the store was not created"
P3=$(free_port)
start_http "$P3" --http "127.0.0.1:$P3" --data "$T/data" || exit 3
(cd "$HERE" && "$NODE" proto_sdk.mjs http "http://127.0.0.1:$P3/mcp") >sdk_data_http.out 2>&1
count sdk_data_http.out "SDK over streamable HTTP with --data"
"$PY" "$HERE/proto_raw.py" "$PROVA" --data "$T/data2" >raw_data.out 2>&1
count raw_data.out "raw JSON-RPC over stdio with --data"

# Sanitizer builds: any report from a server or a stdio child fails the test.
if grep -l -E 'Sanitizer|runtime error:' mcp.log ./*.out >/dev/null 2>&1; then
  bad "sanitizer reports: $(grep -h -E -A3 'Sanitizer|runtime error:' mcp.log ./*.out | head -c 1500)"
else
  ok
fi

summary
