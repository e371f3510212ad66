#!/usr/bin/env bash
# Tool calls per second over stdio: prova mcp vs the official TypeScript MCP SDK server (bench/mcp_peer.mjs, the
# same tools doing the same work), both pinned to one core (taskset -c 0), driven by bench/mcp_bench.py from
# another core with a window of 64 calls in flight. Small inputs: a 3-member object to canonicalize, a 2-member
# OPE envelope to verify against a one-key JWKS. Target (issue 7): >= 5,000 calls/s per tool on one core.
#   bench/mcp.sh [BUILD_DIR] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
n=${2:-50000}
prova=$(cd "$build" && pwd)/prova
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pin() { if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then taskset -c 0 "$@"; else "$@"; fi; }
drv() { if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then taskset -c 1 /usr/bin/python3 "$here/mcp_bench.py" "$@"; else /usr/bin/python3 "$here/mcp_bench.py" "$@"; fi; }

"$prova" keygen --out "$T/k.json" >/dev/null
"$prova" jwks "$T/k.json" >"$T/k.jwks"
printf '{"task":"summarise","n":3}' >"$T/p.json"
"$prova" pack --key "$T/k.json" --payload-type t.v1 --target-type u.v1 "$T/p.json" >"$T/env.json"
canon_args='{"value":{"b":[1,2.5,"x"],"a":"héllo","c":{"z":null,"y":true}},"profile":"ope"}'
verify_args=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"document": json.load(open(sys.argv[1])), "jwks": json.load(open(sys.argv[2])), "no_skew": True}))' "$T/env.json" "$T/k.jwks")
verify_doc_args=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"document": json.load(open(sys.argv[1])), "no_skew": True}))' "$T/env.json")
peer_verify_args=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"document": json.load(open(sys.argv[1])), "jwks": json.load(open(sys.argv[2]))}))' "$T/env.json" "$T/k.jwks")

echo "prova mcp vs the TypeScript MCP SDK server ($(node -p 'require("'"$here"'/../tests/node_modules/@modelcontextprotocol/sdk/package.json").version')), stdio, one core each, $n calls, window 64"
for tool in canonicalize verify; do
  if [ $tool = canonicalize ]; then a=$canon_args; pa=$canon_args; else a=$verify_args; pa=$peer_verify_args; fi
  p_line=$(drv $tool "$a" "$n" 64 -- taskset -c 0 "$prova" mcp)
  s_line=$(cd "$here/../tests" && drv $tool "$pa" "$n" 64 -- taskset -c 0 node "$here/mcp_peer.mjs")
  p=$(echo "$p_line" | awk '{print $(NF-1)}'); s=$(echo "$s_line" | awk '{print $(NF-1)}')
  printf '%-13s prova %7s calls/s   SDK server %7s calls/s   ratio %.1fx\n' "$tool" "$p" "$s" "$(awk -v a="$p" -v b="$s" 'BEGIN{print a / b}')"
done
# The same verification with the key given once to the server (prova mcp --jwks) instead of in every call: importing
# an Ed25519 key validates the point (about one signature verification's cost), so a per-call JWKS doubles the work.
p_line=$(drv verify "$verify_doc_args" "$n" 64 -- taskset -c 0 "$prova" mcp --jwks "$T/k.jwks")
echo "verify with prova mcp --jwks (the key imported once): $(echo "$p_line" | awk '{print $(NF-1)}') calls/s"
