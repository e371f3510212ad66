#!/usr/bin/env bash
# The transparency log's latency from acknowledgement to inclusion in a published checkpoint, at the default
# --log-interval (1 s): starts the gateway of BUILD_DIR on loopback and runs bench/log_latency.mjs against it.
#   bench/log_latency.sh [BUILD_DIR [RATE [SECONDS]]]     (defaults: build 500 20)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
"$root/scripts/setup-node.sh" >/dev/null
work="$here/out/log_latency"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$build/prova" keygen --out sender.key >/dev/null
"$build/prova" jwks sender.key >senders.jwks
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/prova" serve --listen "127.0.0.1:$port" --data data --trusted-senders senders.jwks --quiet 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
token=$(python3 -c 'import json; print(json.load(open("data/tokens.json"))["tokens"][0]["token"])')
node "$here/log_latency.mjs" "http://127.0.0.1:$port" "$token" sender.key "${2:-500}" "${3:-20}"
