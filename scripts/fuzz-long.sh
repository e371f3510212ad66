#!/usr/bin/env bash
# Long fuzzing, separate from `make check`: each libFuzzer target for a time budget, starting from its kept corpus
# (fuzz/corpus/NAME), then that corpus minimized (-merge=1) and written back, so that the next run and the 90 s runs
# of `make check` start from what this one found. Prints one line per target: executions, coverage (edges and
# features at the end), corpus files before and after.
#
#   scripts/fuzz-long.sh [SECONDS_PER_TARGET] [TARGET...]      (default 900 s, every target in fuzz/targets)
#   make fuzz-long FUZZ_LONG_SECONDS=900
#
# A crash, leak or timeout stops that target: its input is copied to fuzz/artifacts/ and the script exits non-zero
# after the other targets have run. Each run's libFuzzer log is kept in $FUZZ_BUILD/fuzz-long/NAME.log.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
seconds=${1:-900}
shift || true
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(grep -v '^#' fuzz/targets); fi

[ -f "$FUZZ_BUILD/build.ninja" ] || CC=clang meson setup "$FUZZ_BUILD" --buildtype=debugoptimized -Dfuzz=true \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 2
ninja -C "$FUZZ_BUILD" >/dev/null || exit 2

out="$FUZZ_BUILD/fuzz-long"
mkdir -p "$out"
failed=()
printf '%-20s %8s %12s %8s %8s %8s %8s %s\n' target seconds executions exec/s cov ft files result
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  kept="fuzz/corpus/$name"
  mkdir -p "$kept"
  before=$(find "$kept" -type f | wc -l)
  work=$(mktemp -d)
  cp -r "$kept/." "$work/"
  log="$out/$name.log"
  start=$(date +%s)
  "$FUZZ_BUILD/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work" >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if [ $rc != 0 ]; then
    result="FAILED (exit $rc)"
    failed+=("$target")
    mkdir -p fuzz/artifacts
    cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* fuzz/artifacts/ 2>/dev/null
    grep -E "ERROR|SUMMARY" "$log" | head -n 5 >&2
  fi
  # Minimize: the smallest set of inputs with the same coverage becomes the kept corpus.
  rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
  merged=$(mktemp -d)
  if "$FUZZ_BUILD/fuzz/$target" -merge=1 -max_len=65536 -timeout=10 -rss_limit_mb=2048 "$merged" "$work" \
    >>"$log" 2>&1; then
    rm -rf "$kept" && mkdir -p "$kept" && cp "$merged"/* "$kept/" 2>/dev/null
  fi
  after=$(find "$kept" -type f | wc -l)
  rm -rf "$work" "$merged"
  printf '%-20s %8s %12s %8s %8s %8s %8s %s\n' "$target" "$took" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "$before->$after" "$result"
done
[ ${#failed[@]} = 0 ] || { printf 'FAILED: %s\n' "${failed[@]}" >&2; exit 1; }
