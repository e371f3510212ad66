#!/usr/bin/env bash
# The gateway's TLS policy (docs/operations.md "TLS"), checked by handshakes of an independent client (the openssl
# command line) against `prova serve --tls-cert --tls-key` on loopback: TLS 1.0 and 1.1 are refused even by a client
# willing to speak them, TLS 1.2 and 1.3 are accepted, a TLS 1.2 suite without ECDHE or without an AEAD cipher is
# refused, curl --cacert works, --tls-priority changes the policy, and a bad priority string stops the start (exit 2).
#   test_tls.sh PROVA
set -u
PROVA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
. "$HERE/../testlib.sh"
cd "$T" || exit 3

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SPID=
stop_server() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; SPID=; }
trap 'stop_server; rm -rf "$T"' EXIT

# A self-signed RSA certificate: RSA allows the suites with RSA key exchange the policy must refuse.
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null || exit 3

start_server() { # extra args...
  "$PROVA" serve --listen "127.0.0.1:$PORT" --data data --tls-cert tls.crt --tls-key tls.key --quiet "$@" \
    2>>serve.log &
  SPID=$!
  for _ in $(seq 100); do
    curl -sf --cacert tls.crt "https://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the gateway did not start:" >&2
  cat serve.log >&2
  return 1
}

# hs NAME WANT(ok|refused) OPENSSL_ARGS...: one handshake with openssl s_client; the protocol and cipher agreed
# are in $T/hs.
hs() {
  local name=$1 want=$2
  shift 2
  local got=refused
  if openssl s_client -connect "127.0.0.1:$PORT" -servername 127.0.0.1 "$@" </dev/null >hs 2>&1 &&
    grep -Eq '^ *(Protocol *:|New, TLSv)' hs && ! grep -q 'Cipher is (NONE)' hs; then
    got=ok
  fi
  if [ "$got" = "$want" ]; then ok; else bad "$name: want $want, got $got: $(grep -E 'Protocol|Cipher|alert|error' hs | head -5 | tr '\n' ' ')"; fi
}

# ---- The default policy ---------------------------------------------------------------------------------------
start_server || exit 3
LEGACY=(-cipher 'DEFAULT:@SECLEVEL=0')
hs tls10_refused refused -tls1 "${LEGACY[@]}"
hs tls11_refused refused -tls1_1 "${LEGACY[@]}"
hs tls12_ok ok -tls1_2
grep -Eq 'ECDHE-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)' hs && ok ||
  bad "tls12_suite: not an ECDHE AEAD suite: $(grep -E 'Cipher' hs | head -2 | tr '\n' ' ')"
hs tls13_ok ok -tls1_3
hs tls12_cbc_refused refused -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:@SECLEVEL=0'
hs tls12_cbc_sha256_refused refused -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:@SECLEVEL=0'
hs tls12_rsa_kx_refused refused -tls1_2 -cipher 'AES256-GCM-SHA384:AES128-GCM-SHA256:@SECLEVEL=0'
hs tls12_dhe_refused refused -tls1_2 -cipher 'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
t curl_cacert 0 '"status":"ok"' - -- curl -sf --cacert tls.crt "https://127.0.0.1:$PORT/health"
t curl_tls12_max 0 '"status":"ok"' - -- curl -sf --cacert tls.crt --tlsv1.2 --tls-max 1.2 \
  "https://127.0.0.1:$PORT/health"
t plain_http_refused 0 - - -- sh -c "! curl -sf 'http://127.0.0.1:$PORT/health'"
stop_server

# ---- --tls-priority: the operator's policy instead (here, TLS 1.1 back on) --------------------------------------
start_server --tls-priority 'NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:+AES-128-CBC:+SHA1:+RSA' || exit 3
hs priority_tls11_ok ok -tls1_1 "${LEGACY[@]}"
hs priority_tls13_ok ok -tls1_3
stop_server
# The same from the environment.
PROVA_TLS_PRIORITY='NORMAL:-VERS-ALL:+VERS-TLS1.3' start_server || exit 3
hs env_priority_tls12_refused refused -tls1_2
hs env_priority_tls13_ok ok -tls1_3
stop_server

# ---- A bad priority string: a clear error, exit 2, nothing listening --------------------------------------------
t bad_priority 2 - "tls-priority 'NORMAL:\+NO-SUCH-THING'.*'\+NO-SUCH-THING'" -- "$PROVA" serve \
  --listen "127.0.0.1:$PORT" --data bad --tls-cert tls.crt --tls-key tls.key --tls-priority 'NORMAL:+NO-SUCH-THING'
[ ! -e bad ] && ok || bad "bad_priority: the data directory was created: $(ls bad)"
t no_version_priority 2 - "tls-priority 'NORMAL:-VERS-ALL'" -- "$PROVA" serve --listen "127.0.0.1:$PORT" --data bad \
  --tls-cert tls.crt --tls-key tls.key --tls-priority 'NORMAL:-VERS-ALL'
t priority_without_tls 2 - 'tls-priority.*tls-cert' -- "$PROVA" serve --listen "127.0.0.1:$PORT" --data bad \
  --tls-priority 'NORMAL' --quiet
t mcp_bad_priority 2 - "prova mcp: --tls-priority 'NORMAL:\+NO-SUCH-THING'" -- "$PROVA" mcp --http "127.0.0.1:$PORT" \
  --data bad --tls-cert tls.crt --tls-key tls.key --tls-priority 'NORMAL:+NO-SUCH-THING'
[ ! -e bad ] && ok || bad "bad_priority: the data directory was created: $(ls bad)"
t help_mentions_priority 0 'tls-priority' - -- "$PROVA" serve --help

summary
