#!/usr/bin/env bash
# Before/after without the noise of a shared machine: the instructions that two builds execute on the same inputs,
# counted by valgrind's callgrind (deterministic, unlike time on a VM with neighbours), for the paths the other
# sections time: `prova canon` (ope and jcs profiles), `prova verify` of a receipt chain and of an OpenExecution
# chain, one thread each. Prints one row per path with both counts and B/A.
#   bench/compare.sh BUILD_A BUILD_B          e.g. a build of the previous release against build
# Inputs: bench/out/ (run `bench/run.sh BUILD canon` and `bench/run.sh BUILD oe` once to generate the corpora);
# SLICE_MB (default 20) cuts traces.json to its first traces so that a run under callgrind takes seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 2 ] || { echo "usage: bench/compare.sh BUILD_A BUILD_B" >&2; exit 2; }
out="$here/out"
work="$out/compare"
mkdir -p "$work"
for f in traces.json numbers.json oe_events_100000.jsonl; do
  [ -f "$out/$f" ] || { echo "compare: $out/$f is missing (bench/run.sh BUILD canon / oe generate it)" >&2; exit 2; }
done
command -v valgrind >/dev/null || { echo "compare: valgrind is missing" >&2; exit 2; }

# A valid slice of the traces corpus: the root object with its first traces, about SLICE_MB megabytes.
slice="$work/traces_slice.json"
if [ ! -f "$slice" ]; then
  python3 - "$out/traces.json" "$slice" "${SLICE_MB:-20}" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
limit, size, keep = int(sys.argv[3]) * 10**6, 0, []
for t in doc["traces"]:
    size += len(json.dumps(t, ensure_ascii=False, separators=(",", ":")).encode())
    if size > limit:
        break
    keep.append(t)
doc["traces"] = keep
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
EOF
fi
oe="$work/oe_20000.jsonl"
[ -f "$oe" ] || head -n 20000 "$out/oe_events_100000.jsonl" >"$oe"
# The receipt chain and its key come from BUILD_A's bench_ope, so that both builds verify the same bytes.
chain="$work/chain_5000.jsonl"
[ -f "$chain" ] || "$1/bench/bench_ope" chain 5000 "$chain" "$work/chain.jwks" >/dev/null

count() { # BUILD ARGS... -> instructions executed by BUILD/prova ARGS (the process's whole run)
  local b=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b/prova" "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-34s %16s %16s %8s\n' "path (instructions, callgrind)" "A" "B" "B/A"
row() { # LABEL ARGS...
  local label=$1
  shift
  local a b
  a=$(count "$A" "$@")
  b=$(count "$B" "$@")
  printf '%-34s %16s %16s %8s\n' "$label" "$a" "$b" "$(python3 -c "print(f'{$b / $a:.3f}')")"
}
A=$(cd "$1" && pwd)
B=$(cd "$2" && pwd)
row "canon ope, traces $(du -m "$slice" | cut -f1) MB" canon --profile ope "$slice"
row "canon jcs, traces $(du -m "$slice" | cut -f1) MB" canon --profile jcs "$slice"
row "canon ope, numbers 20 MB" canon --profile ope "$out/numbers.json"
row "verify OPE chain, 5000 receipts" verify --threads 1 --jwks "$work/chain.jwks" "$chain"
row "verify OE chain, 20000 events" verify --threads 1 --hash-alg sha256 "$oe"
echo "A: $A"
echo "B: $B"
