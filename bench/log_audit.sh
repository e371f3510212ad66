#!/usr/bin/env bash
# prova log on a log of 2^20 entries (bench/README.md, "Transparency log"): builds it with one `prova log append
# --lines` call (every tile and bundle written with temp+fsync+rename), then times `prova log audit` (every bundle
# and tile read, every leaf, tile and the root recomputed, the checkpoint verified) and prints leaves/s.
#   bench/log_audit.sh [PROVA] [N]      (default build/prova, 1048576)
set -euo pipefail
PROVA=${1:-build/prova}
N=${2:-1048576}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 -c '
import sys
w = sys.stdout.write
for i in range(int(sys.argv[1])):
    w("{\"digest\":\"sha256:%064x\",\"format\":\"prova-log-entry/v1\",\"n\":%d}\n" % (i * 2654435761, i))' "$N" >"$W/lines"
"$PROVA" log keygen --name bench.example/log --out "$W/k" >"$W/vk"
t0=$(date +%s.%N)
"$PROVA" log append --dir "$W/log" --key "$W/k" --lines "$W/lines" >/dev/null
t1=$(date +%s.%N)
echo "append: $N entries in $(echo "$t1 - $t0" | bc) s: $(echo "$N / ($t1 - $t0)" | bc) entries/s"
best=
for r in 1 2 3; do
  t0=$(date +%s.%N)
  taskset -c 0 "$PROVA" log audit --dir "$W/log" --log-key "$W/vk" >/dev/null
  t1=$(date +%s.%N)
  s=$(echo "$t1 - $t0" | bc)
  echo "audit run $r: $s s: $(echo "$N / $s" | bc) leaves/s"
done
