#!/usr/bin/env bash
# The gateway, black box over real HTTP on loopback: `prova serve` driven with curl and Node. OPE endpoints and
# their headers (checked with Python's hashlib/cryptography), every error path, auth (bearer scopes, ODIN API key +
# MAC), limits, concurrent appends to one trace, /v1/verify, the OpenAPI document (validated, and responses checked
# against it), metrics, SIGTERM under load, and kill -9 under load: every acknowledged receipt survives.
#   test_gateway.sh PROVA
set -u
PROVA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
NODE=${NODE:-node}
. "$HERE/../testlib.sh"
cd "$T" || exit 3

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SPID=
stop_server() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; SPID=; }
trap 'stop_server; rm -rf "$T"' EXIT

# Keys and tokens: a trusted sender, an untrusted one, a full token, an OE-only token, an ODIN API key.
"$PROVA" keygen --out sender.key >/dev/null && "$PROVA" keygen --out stranger.key >/dev/null || exit 3
"$PROVA" jwks sender.key >senders.jwks || exit 3
FULL=full-token-0123456789abcdef
OEONLY=oe-only-token-0123456789abcdef
HASHED=hashed-token-0123456789abcdef
HASHED_SHA=$(printf %s "$HASHED" | sha256sum | cut -c1-64)
cat >tokens.json <<EOF
{"tokens":[{"name":"ci","token":"$FULL","scopes":["ope:write","oe:write"]},
           {"name":"oe-bot","token":"$OEONLY","scopes":["oe:write"]},
           {"name":"hashed","sha256":"$HASHED_SHA","scopes":["*"]}],
 "odin_api_keys":[{"key":"k_test","secret":"s_secret"}]}
EOF
chmod 600 tokens.json

start_server() { # extra args...
  "$PROVA" serve --listen "127.0.0.1:$PORT" --data data --trusted-senders senders.jwks --tokens tokens.json \
    --max-body 65536 --max-depth 32 --sft-passthrough --quiet "$@" 2>>serve.log &
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

# c NAME WANT_STATUS METHOD PATH [curl args...]: body in $T/body, headers in $T/hdr. A POST's body is JSON (without
# a Content-Type curl labels it application/x-www-form-urlencoded, which the gateway refuses with 415).
JSON=(-H 'Content-Type: application/json')
c() {
  local name=$1 want=$2 method=$3 path=$4
  shift 4
  local got ct=()
  [ "$method" = POST ] && ct=("${JSON[@]}")
  got=$(curl -s -o body -D hdr -w '%{http_code}' -X "$method" "${ct[@]}" "$@" "$BASE$path")
  if [ "$got" = "$want" ]; then ok; return 0; fi
  bad "$name: want HTTP $want, got $got: $(head -c 400 body)"
  return 1
}
# j NAME EXPR: Python expression over d = json.load(body) (and h = the response headers, lower-case names)
j() {
  if "$PY" - "$2" 2>pyerr <<'EOF'
import json, sys
d = json.load(open("body", encoding="utf-8"))
h = {}
for line in open("hdr", encoding="latin-1"):
    if ":" in line:
        k, v = line.split(":", 1)
        h[k.strip().lower()] = v.strip()
assert eval(sys.argv[1]), "false"
EOF
  then ok; else bad "$1: $2 does not hold: $(head -c 500 body) $(tail -n 1 pyerr)"; fi
}
pack() { # KEY TRACE [pack args...] < payload
  local key=$1 trace=$2
  shift 2
  "$PROVA" pack --key "$key" --payload-type invoice.vendor.v1 --target-type invoice.iso20022.v1 --trace-id "$trace" "$@"
}
AUTH=(-H "Authorization: Bearer $FULL")

# ---- open endpoints ----------------------------------------------------------------------------------------
c health 200 GET /health && j health 'd["status"] == "ok" and d["store"]["backend"] == "sqlite"'
c healthz 200 GET /healthz
c version 200 GET /version && j version 'd["name"] == "prova" and d["version"]'
c jwks 200 GET /.well-known/jwks.json && j jwks 'd["keys"][0]["status"] == "active" and d["keys"][0]["crv"] == "Ed25519"'
cp body gw.jwks
KID=$("$PY" -c 'import json; print(json.load(open("gw.jwks"))["keys"][0]["kid"])')
c openapi 200 GET /openapi.json && j openapi 'd["openapi"].startswith("3.1") and "/v1/odin/envelope" in d["paths"]'
cp body openapi.json
c docs 200 GET /docs && grep -q '<html' body && ok || bad "docs: not HTML"
c unknown_path 404 GET /nope && j unknown_path 'd["error"]["code"] == "not_found" and d["detail"]'
c wrong_method 405 GET /v1/odin/envelope && j wrong_method 'd["error"]["code"] == "method_not_allowed"'

# ---- POST /v1/odin/envelope: the three dialects --------------------------------------------------------------
n=0
for dialect in starter prova ope-lib; do
  n=$((n + 1))
  echo "{\"invoice_id\":\"INV-$n\",\"amount\":12.5,\"customer_name\":\"Zo\u00eb\"}" | pack sender.key tr-dialects --dialect "$dialect" >env.json
  c "envelope_$dialect" 200 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @env.json
  j "envelope_$dialect.body" "d['trace_id'] == 'tr-dialects' and d['receipt']['hop'] == $((n - 1)) and d['forwarded'] is None and d['policy_engine'] is None"
  j "envelope_$dialect.headers" "h['x-odin-trace-id'] == 'tr-dialects' and h['x-odin-receipt-hash'] == d['receipt']['receipt_hash'] and h['x-odin-kid'] == '$KID'"
  # The response CID is the SHA-256 of Python's json.dumps(body, sort_keys, compact, ASCII); the signature covers
  # "{cid}|{trace_id}|{receipt.ts}" under the gateway's JWKS key. Checked with hashlib and cryptography.
  if "$PY" - <<'EOF' 2>pyerr; then ok; else bad "envelope_$dialect.signed_response: $(tail -n 1 pyerr)"; fi
import base64, hashlib, json
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
raw = open("body", "rb").read()
d = json.loads(raw)
h = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in open("hdr", encoding="latin-1") if ":" in l)}
again = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
assert again == raw, "the body is not in canonical form"
cid = "sha256:" + hashlib.sha256(raw).hexdigest()
assert h["x-odin-response-cid"] == cid, (h["x-odin-response-cid"], cid)
jwk = json.load(open("gw.jwks"))["keys"][0]
pub = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
sig = base64.urlsafe_b64decode(h["x-odin-signature"] + "==")
pub.verify(sig, f"{cid}|{d['trace_id']}|{d['receipt']['ts']}".encode())
r = d["receipt"]
core = {k: v for k, v in r.items() if k not in ("receipt_signature", "receipt_hash")}
cb = json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
assert hashlib.sha256(cb).hexdigest() == r["receipt_hash"]
pub.verify(base64.urlsafe_b64decode(r["receipt_signature"] + "=="), cb)
EOF
done
c chain 200 GET /v1/receipts/hops/chain/tr-dialects && j chain 'len(d["hops"]) == 3 and [r["hop"] for r in d["hops"]] == [0, 1, 2] and d["hops"][1]["prev_receipt_hash"] == d["hops"][0]["receipt_hash"]'
c chain_unknown 200 GET /v1/receipts/hops/chain/no-such-trace && j chain_unknown 'd["hops"] == []'
c export 200 GET /v1/receipts/export/tr-dialects && j export 'd["bundle"]["count"] == 3 and h["x-odin-bundle-cid"] == d["bundle_cid"] and h["x-odin-kid"] == "'"$KID"'"'
cp body export.json
t export_offline 0 '^VALID' - -- "$PROVA" verify --jwks gw.jwks export.json
c export_unknown 404 GET /v1/receipts/export/no-such-trace && j export_unknown 'd["error"]["code"] == "trace_not_found"'

# ---- envelope errors: each a clear 4xx, nothing stored --------------------------------------------------------
echo '{"n":1}' | pack sender.key tr-err >good.json
c replay_first 200 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @good.json
c replay 409 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @good.json && j replay 'd["error"]["code"] == "replay_detected"'
pyedit good.json tampered.json 'd["payload"]["n"] = 2'
c cid_mismatch 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @tampered.json && j cid_mismatch 'd["error"]["code"] == "cid_mismatch"'
echo '{"n":3}' | pack sender.key tr-err >s.json
pyedit s.json badsig.json 'd["sig"] = d["sig"][:-4] + ("AAAA" if d["sig"][-4:] != "AAAA" else "BBBB")'
c signature_invalid 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @badsig.json && j signature_invalid 'd["error"]["code"] == "signature_invalid"'
echo '{"n":4}' | pack stranger.key tr-err >stranger.json
c kid_not_found 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @stranger.json && j kid_not_found 'd["error"]["code"] == "kid_not_found"'
echo '{"n":5}' | pack stranger.key tr-err --dialect starter >inline.json
c inline_not_trusted 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @inline.json && j inline_not_trusted 'd["error"]["code"] == "kid_not_found"'
echo '{"n":6}' | pack sender.key tr-err --ts 2020-01-01T00:00:00+00:00 >old.json
c ts_past 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @old.json && j ts_past 'd["error"]["code"] == "timestamp_skew" and "past" in d["detail"]'
echo '{"n":7}' | pack sender.key tr-err --ts 2099-01-01T00:00:00+00:00 >future.json
c ts_future 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @future.json && j ts_future 'd["error"]["code"] == "timestamp_skew"'
echo '{"n":8}' | pack sender.key 'bad/trace' >slash.json
c invalid_id 422 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @slash.json && j invalid_id 'd["error"]["code"] == "invalid_id"'
c not_json 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary '{"trace_id":' && j not_json 'd["error"]["code"].startswith("json_") and "line" in d["error"]["message"]'
c not_object 422 POST /v1/odin/envelope "${AUTH[@]}" --data-binary '[1,2]' && j not_object 'd["error"]["code"] == "schema_error"'
c missing_members 422 POST /v1/odin/envelope "${AUTH[@]}" --data-binary '{"payload":{}}' && j missing_members 'd["error"]["code"] == "schema_error"'
c duplicate_key 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary '{"a":1,"a":2}' && j duplicate_key 'd["error"]["code"] == "json_duplicate_key"'
"$PY" -c 'print("[" * 40 + "]" * 40)' >deep.json
c too_deep 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @deep.json && j too_deep 'd["error"]["code"] == "json_depth_limit"'
head -c 70000 /dev/zero | tr '\0' ' ' >big.json
c too_large 413 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @big.json && j too_large 'd["error"]["code"] == "body_too_large"'
c too_large_chunked 413 POST /v1/odin/envelope "${AUTH[@]}" -H 'Transfer-Encoding: chunked' --data-binary @big.json
c big_header 431 GET /health -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"
c receipts_unchanged 200 GET /v1/receipts/hops/chain/tr-err && j receipts_unchanged 'len(d["hops"]) == 1'

# ---- auth ------------------------------------------------------------------------------------------------------
echo '{"n":9}' | pack sender.key tr-auth >a.json
c no_token 401 POST /v1/odin/envelope --data-binary @a.json && j no_token 'd["error"]["code"] == "token_missing" and "bearer" in h["www-authenticate"].lower()'
c bad_token 401 POST /v1/odin/envelope -H 'Authorization: Bearer wrong-token-0123456789' --data-binary @a.json && j bad_token 'd["error"]["code"] == "token_invalid"'
c scope_missing 403 POST /v1/odin/envelope -H "Authorization: Bearer $OEONLY" --data-binary @a.json && j scope_missing 'd["error"]["code"] == "scope_missing"'
c hashed_token 200 POST /v1/odin/envelope -H "Authorization: Bearer $HASHED" --data-binary @a.json
# ODIN API key: MAC = b64url(HMAC-SHA256(secret, "{cid}|{trace_id}|{ts}")), computed here with Python's hmac.
echo '{"n":10}' | pack sender.key tr-auth >b.json
MAC=$("$PY" -c '
import base64, hashlib, hmac, json
d = json.load(open("b.json"))
msg = "|".join([d["cid"], d["trace_id"], d["ts"]]).encode()
print(base64.urlsafe_b64encode(hmac.new(b"s_secret", msg, hashlib.sha256).digest()).decode().rstrip("="))')
c api_key_bad_mac 401 POST /v1/odin/envelope -H 'X-ODIN-API-Key: k_test' -H 'X-ODIN-API-MAC: AAAA' --data-binary @b.json && j api_key_bad_mac 'd["error"]["code"] == "api_mac_invalid"'
c api_key_unknown 401 POST /v1/odin/envelope -H 'X-ODIN-API-Key: k_nope' -H "X-ODIN-API-MAC: $MAC" --data-binary @b.json
c api_key 200 POST /v1/odin/envelope -H 'X-ODIN-API-Key: k_test' -H "X-ODIN-API-MAC: $MAC" --data-binary @b.json
c reads_open 200 GET /v1/receipts/hops/chain/tr-auth && j reads_open 'len(d["hops"]) == 2'

# ---- /v1/verify: any document -> the unified report ---------------------------------------------------------------
c verify_bundle 200 POST /v1/verify --data-binary @export.json && j verify_bundle 'd["valid"] is True and d["kind"] == "ope_bundle"'
pyedit export.json export_bad.json 'd["bundle"]["receipts"][1]["hop"] = 7'
c verify_tampered 200 POST /v1/verify --data-binary @export_bad.json && j verify_tampered 'd["valid"] is False'
c verify_envelope 200 POST /v1/verify --data-binary @good.json && j verify_envelope 'd["valid"] is True and d["kind"] == "ope_envelope"'
c verify_not_json 400 POST /v1/verify --data-binary 'nope' && j verify_not_json 'd["error"]["code"].startswith("json_")'
# A proof record's HMAC key is a secret: taken from the X-Prova-HMAC-Key header, refused in the query string (URLs
# end up in access logs and proxies).
HK=$(printf 'a secret hmac key' | base64)
"$PROVA" proof sign --hmac-key-b64 "$HK" "$HERE/../data/proof_minimal.json" >proof.json || bad "proof sign"
c verify_hmac_header 200 POST /v1/verify -H "X-Prova-HMAC-Key: $HK" --data-binary @proof.json && j verify_hmac_header 'd["valid"] is True and d["kind"] == "proof_record"'
c verify_hmac_wrong 200 POST /v1/verify -H "X-Prova-HMAC-Key: $(printf 'another key' | base64)" --data-binary @proof.json && j verify_hmac_wrong 'd["valid"] is False'
c verify_hmac_query 400 POST "/v1/verify?hmac_key_b64=$HK" --data-binary @proof.json && j verify_hmac_query 'd["error"]["code"] == "secret_in_query" and "X-Prova-HMAC-Key" in d["error"]["message"]'

# ---- concurrency: 40 clients append to one trace at once; no fork, no duplicate hop ------------------------------
for i in $(seq 40); do echo "{\"c\":$i}" | pack sender.key tr-concurrent >"conc_$i.json"; done
pids=()
for i in $(seq 40); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "${AUTH[@]}" "${JSON[@]}" --data-binary @"conc_$i.json" "$BASE/v1/odin/envelope" >>conc_codes &
  pids+=($!)
done
wait "${pids[@]}"
[ "$(grep -c '^200$' conc_codes)" = 40 ] && ok || bad "concurrent: not all 200: $(sort conc_codes | uniq -c | tr '\n' ' ')"
c concurrent_chain 200 GET /v1/receipts/hops/chain/tr-concurrent && j concurrent_chain '[r["hop"] for r in d["hops"]] == list(range(40))'
c concurrent_export 200 GET /v1/receipts/export/tr-concurrent && cp body conc_export.json
t concurrent_offline 0 '^VALID' - -- "$PROVA" verify --jwks gw.jwks conc_export.json

# ---- metrics and the OpenAPI document ---------------------------------------------------------------------------
c metrics 200 GET /metrics
grep -q '^prova_http_requests_total{route="/v1/odin/envelope",method="POST",code="409"} 1$' body && ok || bad "metrics: no 409 counter: $(grep odin/envelope body | head -3)"
grep -q '^prova_verifications_total{result="valid"} [1-9]' body && ok || bad "metrics: no valid verifications"
grep -q '^prova_http_request_duration_seconds_bucket{route="/health",le="+Inf"} [1-9]' body && ok || bad "metrics: no histogram"
grep -q '^prova_store_records{kind="receipt"} [1-9]' body && ok || bad "metrics: no store size"
# Prometheus' own parser and linter over the whole text (promtool, Debian's prometheus package).
if command -v promtool >/dev/null 2>&1; then
  promtool check metrics <body >promtool.out 2>&1 && ok || bad "promtool check metrics: $(head -c 400 promtool.out)"
else
  bad "promtool is missing (scripts/setup.sh installs Debian's prometheus package)"
fi

# ---- SIGHUP: a sender added to --trusted-senders is trusted without a restart ----------------------------------
"$PROVA" keygen --out late.key >/dev/null || exit 3
echo '{"late":1}' | pack late.key tr-late >late.json
c late_untrusted 400 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @late.json && j late_untrusted 'd["error"]["code"] == "kid_not_found"'
"$PROVA" jwks sender.key late.key >senders.jwks.new && mv senders.jwks.new senders.jwks
kill -HUP "$SPID"
for _ in $(seq 50); do grep -q 'reloaded the trusted senders' serve.log && break; sleep 0.1; done
echo '{"late":2}' | pack late.key tr-late >late2.json
c late_trusted 200 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @late2.json
echo 'not a jwks' >senders.jwks
kill -HUP "$SPID"
for _ in $(seq 50); do grep -q 'previous ones stay in use' serve.log && break; sleep 0.1; done
grep -q 'previous ones stay in use' serve.log && ok || bad "a bad --trusted-senders file on SIGHUP: no message in the log"
echo '{"late":3}' | pack late.key tr-late >late3.json
c late_kept 200 POST /v1/odin/envelope "${AUTH[@]}" --data-binary @late3.json
"$PROVA" jwks sender.key late.key >senders.jwks
if [ -d "$HERE/../node_modules" ]; then
  t openapi_valid 0 - - -- "$NODE" "$HERE/openapi_lint.mjs" openapi.json
  t openapi_responses 0 'checked [0-9]+ responses' - -- "$NODE" "$HERE/oas_conform.mjs" "$BASE" openapi.json "$FULL" sender.key
else
  bad "tests/node_modules is missing: run scripts/setup-node.sh"
fi

# ---- overload, timeouts, TLS, key rotation: a second gateway on another port ----------------------------------------
PORT2=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.crt -days 2 \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || bad "openssl: cannot make a certificate"
"$PROVA" serve --listen "127.0.0.1:$PORT2" --data data2 --trusted-senders senders.jwks --tokens tokens.json \
  --max-queue 1 --max-batch 1 --timeout 2 --tls-cert tls.crt --tls-key tls.key --quiet 2>>serve2.log &
S2=$!
for _ in $(seq 100); do curl -sf --cacert tls.crt "https://127.0.0.1:$PORT2/health" >/dev/null 2>&1 && break; sleep 0.1; done
t tls_health 0 '"status":"ok"' - -- curl -sf --cacert tls.crt "https://127.0.0.1:$PORT2/health"
t tls_plain_refused 0 - - -- sh -c "! curl -sf 'http://127.0.0.1:$PORT2/health'"
# One write per commit and a queue of one: 40 concurrent envelopes overflow it; the overflow gets 429 + Retry-After,
# the rest are stored in order.
for i in $(seq 40); do echo "{\"q\":$i}" | pack sender.key tr-overload >"q_$i.json"; done
pids=()
for i in $(seq 40); do
  curl -s --cacert tls.crt -o "q_$i.out" -D "q_$i.hdr" -w '%{http_code}\n' -X POST "${AUTH[@]}" "${JSON[@]}" --data-binary @"q_$i.json" \
    "https://127.0.0.1:$PORT2/v1/odin/envelope" >>q_codes &
  pids+=($!)
done
wait "${pids[@]}"
n429=$(grep -c '^429$' q_codes); n200=$(grep -c '^200$' q_codes)
[ "$n429" -gt 0 ] && [ $((n429 + n200)) = 40 ] && ok || bad "overload: want some 429 and the rest 200: $(sort q_codes | uniq -c | tr '\n' ' ')"
grep -l '^HTTP/1.1 429' q_*.hdr | head -1 | xargs grep -qi '^retry-after: 1' && ok || bad "overload: 429 without Retry-After"
curl -s --cacert tls.crt "https://127.0.0.1:$PORT2/v1/receipts/hops/chain/tr-overload" >body
j overload_chain "[r['hop'] for r in d['hops']] == list(range($n200))"
# An idle connection that never finishes its request is closed after --timeout (2 s).
cat >slow.py <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x16\x03\x01")  # the start of a TLS record, then nothing
s.settimeout(10)
t = time.time()
try:
    data = s.recv(100)
except OSError:
    data = b""
# closed, or a TLS alert (0x15) then closed, well before the client's own 10 s
assert (data == b"" or data[:1] == b"\x15") and time.time() - t < 8, (data, time.time() - t)
PYEOF
"$PY" slow.py "$PORT2" && ok || bad "timeout: a half-sent request was not closed"
kill -TERM "$S2" && wait "$S2"
[ $? = 0 ] && ok || bad "second gateway: SIGTERM exit status"
# Rotation: the old key becomes legacy in the JWKS, the new one signs.
OLDKID=$("$PY" -c 'import json; print(json.load(open("data2/gateway.key"))["kid"])')
t rotate 0 "rotated: $OLDKID is now legacy" - -- "$PROVA" serve --data data2 --rotate-key
"$PROVA" serve --listen "127.0.0.1:$PORT2" --data data2 --tokens tokens.json --quiet 2>>serve2.log &
S2=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT2/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -s "http://127.0.0.1:$PORT2/.well-known/jwks.json" >body
j rotated_jwks "[(k['kid'] == '$OLDKID', k['status']) for k in d['keys']] == [(False, 'active'), (True, 'legacy')]"
kill -TERM "$S2" && wait "$S2"

# ---- configuration: a config file, an environment variable over it, a flag over both; bad settings refused ---------
cat >serve.conf <<EOF
# a comment
listen = 127.0.0.1:$PORT2
data = data3   # trailing comment
tokens = tokens.json
max-body = 4096
quiet = true
EOF
PROVA_MAX_BODY=300 "$PROVA" serve --config serve.conf --max-depth 8 2>>serve3.log &
S3=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT2/health" >/dev/null 2>&1 && break; sleep 0.1; done
"$PY" -c 'print("{\"a\":\"" + "x" * 400 + "\"}")' >400.json
got=$(curl -s -o body -w '%{http_code}' -X POST "${JSON[@]}" --data-binary @400.json "http://127.0.0.1:$PORT2/v1/verify")
[ "$got" = 413 ] && ok || bad "config: PROVA_MAX_BODY=300 did not override max-body = 4096 ($got)"
got=$(curl -s -o body -w '%{http_code}' -X POST "${JSON[@]}" --data-binary '[[[[[[[[[[1]]]]]]]]]]' "http://127.0.0.1:$PORT2/v1/verify")
[ "$got" = 400 ] && grep -q json_depth_limit body && ok || bad "config: --max-depth 8 not applied ($got $(head -c 200 body))"
[ -f data3/prova.db ] && ok || bad "config: data = data3 not applied"
kill -TERM "$S3" && wait "$S3"
printf 'listen = 127.0.0.1:1\nno-such-setting = 1\n' >bad.conf
t config_unknown_setting 2 - "bad.conf:2: unknown setting 'no-such-setting'" -- "$PROVA" serve --config bad.conf
t config_bad_value 2 - "max-body must be a size" -- env PROVA_MAX_BODY=lots "$PROVA" serve --data data3
t listen_bad 2 - "expected HOST:PORT" -- "$PROVA" serve --listen nowhere --data data3
t unknown_flag 2 - "unknown option '--frobnicate'" -- "$PROVA" serve --frobnicate
t serve_help 0 "--trusted-senders JWKS" - -- "$PROVA" serve --help

# ---- SIGTERM under load: in-flight requests finish, acknowledged writes are there after a restart -------------------
"$NODE" "$HERE/gw_client.mjs" "$BASE" "$FULL" sender.key 3000 32 8 acks_term.txt term >term.json 2>&1 &
LPID=$!
sleep 1.5
kill -TERM "$SPID"
wait "$SPID"
RC=$?
SPID=
wait "$LPID"
[ "$RC" = 0 ] && ok || bad "SIGTERM: the gateway exited $RC: $(tail -n 3 serve.log)"
grep -q 'stopped' serve.log && ok || bad "SIGTERM: no 'stopped' in the log"

# ---- kill -9 under load ---------------------------------------------------------------------------------------------
start_server || exit 3
"$NODE" "$HERE/gw_client.mjs" "$BASE" "$FULL" sender.key 20000 32 8 acks_kill.txt kill >kill.json 2>&1 &
LPID=$!
sleep 2.5
kill -KILL "$SPID"
wait "$SPID" 2>/dev/null
SPID=
wait "$LPID"
NKILL=$(wc -l <acks_kill.txt)
[ "$NKILL" -gt 100 ] && ok || bad "kill -9: only $NKILL acknowledged before the kill: $(cat kill.json)"
start_server || exit 3
# Every acknowledged receipt is in its trace at its hop, and every trace exports and verifies offline.
for f in acks_term.txt acks_kill.txt; do
  prefix=${f#acks_}; prefix=${prefix%.txt}
  for i in $(seq 0 7); do
    curl -s "$BASE/v1/receipts/export/$prefix-$i" >"exp_$prefix-$i.json"
    run "$PROVA" verify --jwks gw.jwks "exp_$prefix-$i.json"
    [ "$RC" = 0 ] && ok || bad "crash: trace $prefix-$i does not verify after restart: $(show)"
  done
  if "$PY" - "$f" "$prefix" <<'EOF' 2>pyerr; then ok; else bad "crash ($f): $(tail -n 1 pyerr)"; fi
import json, sys
acks = [l.split() for l in open(sys.argv[1])]
stored = {}
for i in range(8):
    b = json.load(open(f"exp_{sys.argv[2]}-{i}.json"))["bundle"]
    for r in b["receipts"]:
        stored[(r["trace_id"], r["hop"])] = r["receipt_hash"]
missing = [a for a in acks if stored.get((a[0], int(a[1]))) != a[2]]
assert not missing, f"{len(missing)} of {len(acks)} acknowledged receipts are missing, e.g. {missing[:3]}"
print(f"{len(acks)} acknowledged, {len(stored)} stored", file=sys.stderr)
EOF
done
echo "kill -9: $NKILL acknowledged before the kill; $(cat kill.json)"

stop_server
summary
