#!/usr/bin/env bash
# The gateway's files and its secrets (docs/operations.md "Files and permissions", "Secrets"), black box: under
# umask 000, `prova serve` with writes and the transparency log on (and `prova mcp --data`) leaves every file under
# the data directory 0600 and its directories 0700 (the store's -wal and -shm included), the log's static files 0644
# and directories 0755; a data directory open to others and a store file left wider get a warning naming the fix,
# and the store's modes are narrowed at start; the development token never reaches a stderr that is not a terminal.
#   test_files.sh PROVA
set -u
PROVA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
. "$HERE/../testlib.sh"
cd "$T" || exit 3
umask 000

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SPID=
stop_server() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; SPID=; }
trap 'stop_server; rm -rf "$T"' EXIT

start_server() { # LOGFILE extra args...
  local log=$1
  shift
  "$PROVA" serve --listen "127.0.0.1:$PORT" --data data --log-dir pub --log-interval 100 "$@" 2>>"$log" &
  SPID=$!
  for _ in $(seq 100); do
    curl -sf "$BASE/health" >/dev/null 2>&1 && return 0
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the gateway did not start:" >&2
  cat "$log" >&2
  return 1
}

# modes NAME ROOT FILE_MODE DIR_MODE: every file under ROOT has FILE_MODE, every directory (ROOT too) DIR_MODE.
modes() {
  local name=$1 root=$2 fm=$3 dm=$4 wrong
  wrong=$(find "$root" \( -type f ! -perm "$fm" -printf '%p %m\n' \) -o \( -type d ! -perm "$dm" -printf '%p %m/\n' \))
  if [ -z "$wrong" ]; then ok; else bad "$name: want files $fm, directories $dm under $root: $(echo $wrong)"; fi
}
has() { # NAME FILE: exists
  if [ -e "$2" ]; then ok; else bad "$1: no $2 ($(ls "$(dirname "$2")" | tr '\n' ' '))"; fi
}

# ---- First run under umask 000, stderr to a file ------------------------------------------------------------------
start_server serve.log || exit 3
TOKEN=$("$PY" -c 'import json;print(json.load(open("data/tokens.json"))["tokens"][0]["token"])')
[ ${#TOKEN} -ge 32 ] && ok || bad "token: '$TOKEN'"
CH=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary '{"chain_type":"manual"}' "$BASE/api/v1/chains" | "$PY" -c 'import json,sys;print(json.load(sys.stdin)["data"]["id"])')
for i in 1 2 3; do
  code=$(curl -s -o resp.json -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "{\"event_type\":\"step\",\"actor_id\":\"a\",\"payload\":{\"i\":$i}}" \
    "$BASE/api/v1/chains/$CH/events")
  [ "$code" = 201 ] && ok || bad "event $i: HTTP $code: $(head -c 300 resp.json)"
done
for _ in $(seq 100); do [ -s pub/checkpoint ] && grep -q '^4$' pub/checkpoint && break; sleep 0.1; done
has checkpoint pub/checkpoint
# While it runs: the store's -wal and -shm are there.
has wal data/prova.db-wal
has shm data/prova.db-shm
has log_key data/log.key
has gateway_key data/gateway.key
modes data_running data 600 700
modes pub_running pub 644 755

# The token is in tokens.json only: stderr (a file here, a journal in production) says where, not what.
if grep -qF "$TOKEN" serve.log; then bad "token_in_stderr: $(grep -F "$TOKEN" serve.log | head -2)"; else ok; fi
grep -q 'tokens.json' serve.log && ok || bad "token_path: stderr does not say where the token is: $(head -c 600 serve.log)"
t print_token 0 "^$TOKEN\$" - -- "$PROVA" serve --data data --print-token
# The access log names the path, never the query string (a secret sent there by mistake stays out of the log).
curl -s -o /dev/null "$BASE/v1/verify?hmac_key_b64=q-secret-123" -X POST --data-binary '{}'
curl -s -o /dev/null -H "Authorization: Bearer hdr-secret-456" "$BASE/health?token=q-secret-789"
sleep 0.2
if grep -Eq 'secret-(123|456|789)' serve.log; then bad "secret_in_access_log: $(grep -E 'secret-' serve.log | head -3)"; else ok; fi
grep -q '^GET /health 200' serve.log && ok || bad "access_log: no line for GET /health: $(tail -c 400 serve.log)"
stop_server
modes data_stopped data 600 700
modes pub_stopped pub 644 755
if grep -qF "$TOKEN" serve.log; then bad "token_in_stderr_at_stop"; else ok; fi

# ---- A data directory open to others, a store left wider: a warning with the fix, the store narrowed ---------------
chmod 755 data
chmod 644 data/prova.db data/tokens.json
start_server wide.log || exit 3
stop_server
grep -Eq "data.*(readable|writable) by others.*chmod 700 .*data" wide.log && ok ||
  bad "wide_dir_warning: $(head -c 600 wide.log)"
grep -Eq "prova.db.*0?600" wide.log && ok || bad "wide_db_told: $(head -c 600 wide.log)"
m=$(stat -c %a data/prova.db)
[ "$m" = 600 ] && ok || bad "wide_db_fixed: prova.db is $m"
chmod 777 data
start_server wide2.log || exit 3
stop_server
grep -Eq "data.*writable by others.*chmod 700 .*data" wide2.log && ok || bad "writable_dir_warning: $(head -c 600 wide2.log)"
chmod 700 data
start_server narrow.log || exit 3
stop_server
if grep -Eq "by others|chmod" narrow.log; then bad "narrow_no_warning: $(head -c 600 narrow.log)"; else ok; fi

# ---- Under umask 077 the log's files are still public (0644, 0755): a web server of another user serves them -------
umask 077
start_server u77.log --log-dir pub77 || exit 3
code=$(curl -s -o resp.json -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data-binary '{"event_type":"step","actor_id":"a","payload":{}}' \
  "$BASE/api/v1/chains/$CH/events")
for _ in $(seq 100); do [ -s pub77/checkpoint ] && break; sleep 0.1; done
stop_server
has checkpoint77 pub77/checkpoint
modes pub_umask077 pub77 644 755
modes data_umask077 data 600 700
umask 000

# ---- prova mcp --data under umask 000 ---------------------------------------------------------------------------
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' |
  "$PROVA" mcp --data mcpdata >mcp.out 2>mcp.log
has mcp_store mcpdata/prova.db
modes mcp_data mcpdata 600 700
if [ -s mcpdata/tokens.json ]; then
  MT=$("$PY" -c 'import json;print(json.load(open("mcpdata/tokens.json"))["tokens"][0]["token"])')
  if grep -qF "$MT" mcp.log mcp.out; then bad "mcp_token_logged"; else ok; fi
fi

# ---- A URL's credentials stay out of messages (prova export --post to an endpoint that is down) -----------------------
"$PROVA" proof sign --default-key "$HERE/../data/proof_minimal.json" >proof.json || bad "fixture: proof sign"
"$PROVA" export --to cloudevents --default-key --spool spool \
  --post "http://user:pw-secret-1@127.0.0.1:1/ev?token=q-secret-2" proof.json >post.out 2>post.err
if grep -Eq 'secret-[12]' post.err; then bad "post_url_credentials: $(cat post.err)"; else ok; fi
grep -q '127.0.0.1:1/ev' post.err && ok || bad "post_url_named: $(cat post.err)"

summary
