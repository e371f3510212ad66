#!/usr/bin/env bash
# The gateway's own CPU time per durable envelope at a fixed rate: utime + stime of the `prova serve` process
# (/proc/PID/stat) over a run of bench/log_latency.mjs (NOPOLL=1: fresh signed envelopes at RATE/s, 64 keep-alive
# connections), divided by the 2xx answers. The load generator's CPU does not count, and the figure moves much less
# than throughput when the machine is shared: compare two builds back to back (e.g. with and without a feature).
#   bench/gateway_cpu.sh [BUILD_DIR [RATE [SECONDS]]]     (defaults: build 1000 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=gateway_start.sh
. "$here/gateway_start.sh"
gateway_start "${1:-build}" gateway_cpu
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
