#!/usr/bin/env bash
# The gateway's own CPU time per durable envelope at a fixed rate: utime + stime of the `prova serve` process
# (/proc/PID/stat) over a run of bench/log_latency.mjs (NOPOLL=1: fresh signed envelopes at RATE/s, 64 keep-alive
# connections), divided by the 2xx answers. The load generator's CPU does not count, and the figure moves much less
# than throughput when the machine is shared: compare two builds back to back (e.g. with and without a feature).
#   bench/gateway_cpu.sh [BUILD_DIR [RATE [SECONDS]]]     (defaults: build 1000 10)
# Also, in the same run:
#   - the writer thread's share (the thread named prova-writer: the store's transactions, commits, fsyncs, the
#     transparency log's integration) and the mean batch (2xx answers / prova_writer_commits_total from /metrics);
#   - the peer: the three Ed25519 signatures' own CPU (one verify of the sender's signature, two signs: the receipt
#     and the response), from BUILD/bench/bench_sodium run right after the load (its rates are scaled by its own
#     wall/CPU time, so that preemption does not count);
#   - the model: envelopes/s on N dedicated cores (N = 1, 2, 4, 8) = min(N x 1e6 / cpu_us, 1e6 / writer_us). The
#     assumptions: the gateway's CPU per envelope stays what it was at RATE (at higher rates batches grow, so the
#     writer's share per envelope shrinks: the model is conservative there); the HTTP threads' work spreads over the
#     cores, the writer's does not (one thread: its CPU per envelope bounds the total whatever N is); the load
#     generator, the disk's fsync latency and the network are not the limit (they run elsewhere).
# The gateway's environment: GATEWAY_ENV (e.g. GATEWAY_ENV=PROVA_COMMIT_DELAY=2000, docs/operations.md).
# Prints one JSON line, and writes bench/out/results-gateway.tsv (section, name, prova_value, peer_name, peer_value,
# unit; TSV_OUT overrides the path).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
tsv="${TSV_OUT:-$here/out/results-gateway.tsv}"
# shellcheck source=gateway_start.sh
. "$here/gateway_start.sh"
gateway_start "${1:-build}" gateway_cpu
ticks() { awk '{print $14 + $15}' "/proc/$spid/stat"; }
writer_ticks() {
  local t
  for t in /proc/"$spid"/task/*; do
    if [ "$(cat "$t/comm" 2>/dev/null)" = prova-writer ]; then awk '{print $14 + $15}' "$t/stat"; return; fi
  done
  echo 0
}
commits() {
  curl -s -H "authorization: Bearer $token" "http://127.0.0.1:$port/metrics" |
    awk '$1 == "prova_writer_commits_total" {print $2; f = 1} END {if (!f) print 0}'
}
hz=$(getconf CLK_TCK)
before=$(ticks)
wbefore=$(writer_ticks)
cbefore=$(commits)
out=$(NOPOLL=1 node "$here/log_latency.mjs" "http://127.0.0.1:$port" "$token" sender.key "${2:-1000}" "${3:-10}")
sleep 1.5 # the log's integration of the last entries (every second) belongs to their cost
after=$(ticks)
wafter=$(writer_ticks)
cafter=$(commits)
sodium="$build_dir/bench/bench_sodium"
sod=""
if [ -x "$sodium" ]; then
  sod=$( { /usr/bin/time -f 'time %e %U %S' "$sodium" 1; } 2>&1 | tr '\n' ' ')
fi
mkdir -p "$(dirname "$tsv")"
python3 - "$out" "$before" "$after" "$hz" "$wbefore" "$wafter" "$cbefore" "$cafter" "$sod" "$tsv" "${GATEWAY_ENV:-}" <<'PY'
import json, re, sys
r = json.loads(sys.argv[1])
before, after, hz, wb, wa, cb, ca = (int(float(x)) for x in sys.argv[2:9])
sod, tsv, genv = sys.argv[9], sys.argv[10], sys.argv[11]
ok = max(1, r["ok"])
cpu = (after - before) / hz
us = cpu / ok * 1e6
w_us = (wa - wb) / hz / ok * 1e6
commits = ca - cb
res = {**r, "server_cpu_s": round(cpu, 2), "cpu_us_per_envelope": round(us), "writer_us_per_envelope": round(w_us),
       "commits": commits, "mean_batch": round(r["ok"] / commits, 2) if commits else None}
if genv:
    res["gateway_env"] = genv
sig_us = None
m = {k: float(v) for k, v in re.findall(r"(\w+_per_s)=([0-9.]+)", sod)}
t = re.search(r"time ([0-9.]+) ([0-9.]+) ([0-9.]+)", sod)
if "sign_per_s" in m and "verify_per_s" in m and t:
    wall, cpu_s = float(t.group(1)), float(t.group(2)) + float(t.group(3))
    scale = wall / cpu_s if cpu_s > 0 else 1.0  # rates per CPU-second, not per wall second
    sign_us = 1e6 / (m["sign_per_s"] * scale)
    verify_us = 1e6 / (m["verify_per_s"] * scale)
    sig_us = verify_us + 2 * sign_us
    res.update({"sign_us": round(sign_us, 1), "verify_us": round(verify_us, 1), "signatures_us": round(sig_us, 1),
                "signatures_share": round(sig_us / us, 3)})
model = {}
for n in (1, 2, 4, 8):
    cap = n * 1e6 / us
    if w_us > 0:
        cap = min(cap, 1e6 / w_us)
    model[str(n)] = round(cap)
res["model_envelopes_per_s"] = model
res["model_assumptions"] = ("min(N*1e6/cpu_us, 1e6/writer_us): CPU per envelope as measured at this rate, HTTP work "
                            "spread over N cores, the writer one thread, load generator/disk/network not limiting")
print(json.dumps(res))
rows = [("gateway", "cpu_us_per_envelope", round(us, 1), "three_signatures_us", round(sig_us, 1) if sig_us else "", "us"),
        ("gateway", "writer_us_per_envelope", round(w_us, 1), "", "", "us"),
        ("gateway", "mean_batch", res["mean_batch"] if res["mean_batch"] is not None else "", "", "", "envelopes/commit")]
if sig_us:
    rows.append(("gateway", "signatures_share", round(sig_us / us, 3), "", "", "ratio"))
for n in (1, 2, 4, 8):
    rows.append(("gateway_model", "envelopes_per_s_%d_cores" % n, model[str(n)], "signatures_only",
                 round(n * 1e6 / sig_us) if sig_us else "", "envelopes/s"))
with open(tsv, "w") as f:
    f.write("section\tname\tprova_value\tpeer_name\tpeer_value\tunit\n")
    for row in rows:
        f.write("\t".join(str(x) for x in row) + "\n")
PY
