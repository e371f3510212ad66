#!/usr/bin/env bash
# The store on PostgreSQL against SQLite (issue 16), in one run on this machine: durable 1 KB envelopes/s at full
# speed with p50/p99 (bench/pg_load.mjs, autocannon on the same machine), for
#   - one gateway on SQLite (its data directory),
#   - 1, 2 and 3 gateway processes sharing one PostgreSQL 15 (tests/pg/pgserver.py: a server of the benchmark's own,
#     fsync and synchronous_commit on, a fresh database per configuration),
# and the CPU each costs per envelope: the gateways' utime + stime (/proc/PID/stat) and PostgreSQL's (the postmaster,
# its live backends and what its exited children left in its cutime/cstime), divided by the 2xx answers; from them,
# how many gateways' writes one PostgreSQL core serves.
#   bench/pg.sh [BUILD_DIR [SECONDS [CONNECTIONS]]]      (defaults: build 10 64)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
prova="$build/prova"
seconds=${2:-10}
conns=${3:-64}
"$root/scripts/setup-node.sh" >/dev/null
work="$here/out/pg"
python3 "$root/tests/pg/pgserver.py" stop "$work" immediate 2>/dev/null || true
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$prova" keygen --out sender.key >/dev/null
"$prova" jwks sender.key >senders.jwks
url=$(python3 "$root/tests/pg/pgserver.py" start "$work")
base_url=${url%/*}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  python3 "$root/tests/pg/pgserver.py" stop "$work" immediate >/dev/null 2>&1 || true
}
trap cleanup EXIT
hz=$(getconf CLK_TCK)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
pg_ticks() { # the postmaster (its own and its reaped children's) and its live children
  local pm t
  pm=$(head -1 "$work/pgdata/postmaster.pid")
  t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
# start NAME STORE [ARGS...]: a gateway with the data directory NAME; sets gw_pid, gw_base
start() {
  local name=$1 store=$2
  shift 2
  local port
  port=$(free_port)
  "$prova" serve --listen "127.0.0.1:$port" --data "$name" --store "$store" --trusted-senders senders.jwks --quiet \
    --max-connections-per-ip 0 "$@" 2>"$name.log" &
  gw_pid=$!
  pids+=("$gw_pid")
  gw_base="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$gw_base/health" >/dev/null && return 0; sleep 0.1; done
  echo "the gateway $name did not start:" >&2
  cat "$name.log" >&2
  exit 1
}
# run LABEL N STORE: N gateways on STORE, loaded together; prints one JSON line
run() {
  local label=$1 n=$2 store=$3 bases=() gws=() i
  start "$label-0" "$store"
  bases+=("$gw_base")
  gws+=("$gw_pid")
  for ((i = 1; i < n; i++)); do
    start "$label-$i" "$store" --key "$label-0/gateway.key" --log-key "$label-0/log.key" --tokens "$label-0/tokens.json"
    bases+=("$gw_base")
    gws+=("$gw_pid")
  done
  local token
  token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"][0]["token"])' "$label-0/tokens.json")
  local g0 p0 out g1 p1
  g0=$(ticks_of "${gws[@]}")
  p0=$([ "$store" = "${store#postgresql}" ] && echo 0 || pg_ticks)
  out=$(node "$here/pg_load.mjs" "$token" sender.key "$seconds" "$conns" "${bases[@]}")
  sleep 1.5 # the log's last integration belongs to the run's cost
  g1=$(ticks_of "${gws[@]}")
  p1=$([ "$store" = "${store#postgresql}" ] && echo 0 || pg_ticks)
  for p in "${gws[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  python3 - "$label" "$out" "$g0" "$g1" "$p0" "$p1" "$hz" <<'PY'
import json, sys
label, out, g0, g1, p0, p1, hz = sys.argv[1], json.loads(sys.argv[2]), *map(int, sys.argv[3:])
ok = max(1, out["ok"])
gw, pg = (g1 - g0) / hz, (p1 - p0) / hz
out.update(store=label, gateway_cpu_us_per_envelope=round(gw / ok * 1e6), postgres_cpu_us_per_envelope=round(pg / ok * 1e6))
del out["per_gateway"]
print(json.dumps(out))
PY
}
echo "machine: $(nproc) cores, $(uname -r); PostgreSQL $(psql "$url" -Atc 'show server_version'), fsync $(psql "$url" -Atc 'show fsync'), synchronous_commit $(psql "$url" -Atc 'show synchronous_commit')"
run sqlite 1 "sqlite-0/prova.db" | tee results.jsonl
for n in 1 2 3; do
  psql "$base_url/postgres" -qc "CREATE DATABASE prova$n" >/dev/null
  run "postgresql-$n" "$n" "$base_url/prova$n" | tee -a results.jsonl
done
python3 - results.jsonl <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sq = rows[0]
print("| store | gateways | durable 1 KB envelopes/s | vs SQLite | p50 ms | p99 ms | gateway CPU µs/env | PostgreSQL CPU µs/env |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %d | %d | %.2f | %.1f | %.1f | %d | %s |" % (r["store"].split("-")[0], r["gateways"], r["ok_per_s"],
          r["ok_per_s"] / max(1, sq["ok_per_s"]), r["p50_ms"], r["p99_ms"], r["gateway_cpu_us_per_envelope"],
          r["postgres_cpu_us_per_envelope"] if r["store"] != "sqlite" else "—"))
pg = [r for r in rows if r["store"] != "sqlite"]
best = max(pg, key=lambda r: r["ok_per_s"])
per_core = 1e6 / max(1, best["postgres_cpu_us_per_envelope"])
gw_core = 1e6 / max(1, best["gateway_cpu_us_per_envelope"])
print("model: one PostgreSQL core serves %.0f envelopes/s, one gateway core %.0f: one PostgreSQL core keeps %.1f "
      "gateway cores busy" % (per_core, gw_core, per_core / gw_core))
PY
