#!/usr/bin/env bash
# The gateway's own CPU time per durable envelope at a fixed rate: utime + stime of the `prova serve` process
# (/proc/PID/stat) over a run of bench/log_latency.mjs (NOPOLL=1: fresh signed envelopes at RATE/s, 64 keep-alive
# connections), divided by the 2xx answers. The load generator's CPU does not count, and the figure moves much less
# than throughput when the machine is shared: compare two builds back to back (e.g. with and without a feature).
#   bench/gateway_cpu.sh [BUILD_DIR [RATE [SECONDS]]]     (defaults: build 1000 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
"$root/scripts/setup-node.sh" >/dev/null
work="$here/out/gateway_cpu"
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
ticks() { awk '{print $14 + $15}' "/proc/$spid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
out=$(NOPOLL=1 node "$here/log_latency.mjs" "http://127.0.0.1:$port" "$token" sender.key "${2:-1000}" "${3:-10}")
sleep 1.5 # the log's integration of the last entries (every second) belongs to their cost
after=$(ticks)
python3 - "$out" "$before" "$after" "$hz" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); cpu = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4])
print(json.dumps({**r, "server_cpu_s": round(cpu, 2), "cpu_us_per_envelope": round(cpu / max(1, r["ok"]) * 1e6)}))
PY
