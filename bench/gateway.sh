#!/usr/bin/env bash
# Section 6 of the benchmarks: the gateway (`prova serve`) on loopback, loaded by autocannon from the same 2-core
# machine (bench/gateway_load.mjs). In one run:
#   - the ceiling: libsodium Ed25519 sign/s and verify/s on one core (bench_sodium); an accepted envelope costs one
#     verify and two signs (receipt, response), which gives envelopes/s per core;
#   - durable envelopes/s (every 200 is a receipt fsynced to the SQLite WAL) at full speed, p50/p99 latency, and
#     p50/p99 at 50% of that rate; the ratio to the ceiling (2 cores);
#   - POST /v1/verify requests/s;
#   - the gateway's RSS before and after.
#   bench/gateway.sh [BUILD_DIR [SECONDS [CONNECTIONS]]]      (defaults: build 10 256)
#   bench/gateway.sh BUILD_DIR soak MINUTES RATE              (memory over a long run; default 10 min at 1000/s)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=gateway_start.sh
. "$here/gateway_start.sh"
gateway_start "${1:-build}" gateway
rss() { awk '/VmRSS/ {print $2}' "/proc/$spid/status"; }

if [ "${2:-}" = soak ]; then
  minutes=${3:-10}
  rate=${4:-1000}
  echo "soak: $minutes min at $rate envelopes/s; gateway RSS at start $(rss) KiB"
  node "$here/gateway_load.mjs" "http://127.0.0.1:$port" "$token" sender.key 60 64 soak "$minutes" "$rate" "$spid"
  echo "store: $(du -sh data | cut -f1)"
  exit 0
fi

seconds=${2:-10}
conns=${3:-256}
echo "machine: $(nproc) cores, $(uname -r); fdatasync of a 4 KiB write: $(python3 -c '
import os, time
fd = os.open("fs.tst", os.O_WRONLY | os.O_CREAT, 0o600); n = 100; t = time.time()
for i in range(n): os.write(fd, b"x" * 4096); os.fdatasync(fd)
os.close(fd); os.unlink("fs.tst")
print("%.2f ms" % ((time.time() - t) / n * 1000))'))"
ceiling=$("$build_dir/bench/bench_sodium" 2)
echo "$ceiling"
echo "gateway RSS before: $(rss) KiB"
node "$here/gateway_load.mjs" "http://127.0.0.1:$port" "$token" sender.key "$seconds" "$conns" | tee load.jsonl
echo "gateway RSS after: $(rss) KiB"
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
commits=$(echo "$metrics" | awk '/^prova_writer_commits_total/ {print $2}')
writes=$(echo "$metrics" | awk '/^prova_writer_writes_total/ {print $2}')
python3 - "$ceiling" "$commits" "$writes" <<'PY'
import json, re, sys
ceiling = float(re.search(r"envelope_ceiling_per_core=(\d+)", sys.argv[1]).group(1))
phases = {p["phase"]: p for p in map(json.loads, open("load.jsonl"))}
mx, half = phases["envelopes_max"], phases["envelopes_50pct"]
print(f"durable envelopes/s: {mx['ok_per_s']} (p50 {mx['p50_ms']} ms, p99 {mx['p99_ms']} ms at full speed; "
      f"{mx['non2xx']} non-2xx, {mx['errors']} errors)")
print(f"at 50% ({half['target_rate']}/s): {half['ok_per_s']}/s, p50 {half['p50_ms']} ms, p99 {half['p99_ms']} ms")
print(f"/v1/verify: {phases['verify']['ok_per_s']} requests/s (p99 {phases['verify']['p99_ms']} ms)")
print(f"ceiling (libsodium, 2 cores, no HTTP, no disk, no load generator): {2 * ceiling:.0f} envelopes/s; "
      f"gateway/ceiling = {mx['ok_per_s'] / (2 * ceiling):.2f}")
print(f"group commit: {sys.argv[3]} writes in {sys.argv[2]} commits "
      f"({int(sys.argv[3]) / max(1, int(sys.argv[2])):.1f} per fsync)")
print(f"targets: >= 3000 durable envelopes/s: {'met' if mx['ok_per_s'] >= 3000 else 'NOT met'}; "
      f"p99 <= 50 ms at 50% load: {'met' if half['p99_ms'] <= 50 else 'NOT met'}")
PY
