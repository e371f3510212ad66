#!/usr/bin/env bash
# The web view's HTTP surface with curl (docs/browse.md "The web view"): every /ui path is the HTML shell, the assets
# have their media types, a strong ETag (304 on If-None-Match, the same ETag as the bytes' SHA-256 prefix), no-cache,
# the strict Content-Security-Policy and nosniff; an unknown asset is a JSON 404; only GET/HEAD; the shell loads
# nothing but /ui/assets/ (no inline script or style, no other origin).
#   test_ui_headers.sh PROVA_CLI
set -u
PROVA=$(realpath "$1")
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
cd "$T" || exit 3
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$PROVA" serve --listen "127.0.0.1:$PORT" --data data --quiet 2>serve.log &
SPID=$!
trap 'kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done

CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# get NAME PATH WANT_STATUS WANT_TYPE [curl args]: headers in $T/h.NAME, body in $T/b.NAME
get() {
  local name=$1 path=$2 want=$3 type=$4
  shift 4
  local got
  got=$(curl -s -D "$T/h.$name" -o "$T/b.$name" -w '%{http_code} %{content_type}' "$@" "$BASE$path")
  [ "$got" = "$want $type" ] && ok || bad "$name: $path: want '$want $type', got '$got'"
}
hdr() { grep -i "^$2:" "$T/h.$1" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
has() { # NAME HEADER VALUE
  [ "$(hdr "$1" "$2")" = "$3" ] && ok || bad "$1: $2 is '$(hdr "$1" "$2")', want '$3'"
}

for p in /ui /ui/ /ui/traces/tr-1 /ui/chains/c-1 /ui/certificates/x /ui/log /ui/log/7 /ui/verify /ui/no/such/page; do
  n=shell$(echo "$p" | tr '/' '_')
  get "$n" "$p" 200 'text/html; charset=utf-8'
  has "$n" Content-Security-Policy "$CSP"
  has "$n" X-Content-Type-Options nosniff
  has "$n" Cache-Control no-cache
  has "$n" X-Frame-Options DENY
  cmp -s "$T/b.$n" "$T/b.shell_ui" && ok || bad "$p is not the same shell as /ui"
done
# The shell: its only script and style sheet are /ui/assets/ files; no inline script, style or handler.
"$PY" - "$T/b.shell_ui" <<'PYEOF' && ok || bad "the shell has inline script/style or a foreign resource"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
assert scripts and all('src="/ui/assets/' in a and not body.strip() for a, body in scripts), scripts
assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html, re.I)
for url in re.findall(r'(?:src|href)="([^"]+)"', html):
    assert url.startswith("/") or url.startswith("#") or url == "data:,", url
PYEOF

for a in app.js:text/javascript app.css:text/css prova.js:text/javascript; do
  f=${a%%:*} type=${a#*:}
  get "$f" "/ui/assets/$f" 200 "$type; charset=utf-8"
  has "$f" Content-Security-Policy "$CSP"
  has "$f" Cache-Control no-cache
  etag=$(hdr "$f" ETag)
  want="\"$(sha256sum "$T/b.$f" | cut -c1-32)\""
  [ "$etag" = "$want" ] && ok || bad "$f: ETag $etag, want $want (a strong tag of the bytes)"
  get "$f-304" "/ui/assets/$f" 304 '' -H "If-None-Match: $etag"
  [ ! -s "$T/b.$f-304" ] && ok || bad "$f: a 304 has a body"
  get "$f-stale" "/ui/assets/$f" 200 "$type; charset=utf-8" -H 'If-None-Match: "0000"'
done
cmp -s "$T/b.app.js" "$HERE/../../src/http/ui/app.js" && ok || bad "app.js served is not src/http/ui/app.js"
cmp -s "$T/b.prova.js" "$HERE/../../src/http/ui/prova.js" && ok || bad "prova.js served is not src/http/ui/prova.js"
get head "/ui/assets/app.css" 200 'text/css; charset=utf-8' -I

for p in /ui/assets/nope /ui/assets/app.js.map /ui/assets/x/app.js; do
  n=nf$(echo "$p" | tr '/.' '__')
  get "$n" "$p" 404 application/json
  "$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["error"]["code"] == "not_found"' "$T/b.$n" && ok \
    || bad "$p: not a JSON not_found error"
done
get post_ui /ui 405 application/json -X POST -H 'Content-Type: application/json' --data '{}'
summary
