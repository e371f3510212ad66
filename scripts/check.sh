#!/usr/bin/env bash
# Every test, in four builds: the normal build (every suite: unit, vectors, CLI, differential, HTTP, MCP, ABI,
# readme), an ASan+UBSan build, a valgrind run of the unit and vector tests, and the libFuzzer targets for a bounded
# time each.
# Ends with "N passed, M failed" (one count per test program / fuzz target) and a non-zero exit on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-90}
passed=0
failed=0
failures=()

note() { printf '\n==> %s\n' "$*"; }
record() { # NAME RC
  if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}

# meson test prints "Ok: N" / "Fail: N" / ... in its summary; add them to the totals.
meson_suite() { # LABEL BUILD_DIR [meson test args...]
  local label=$1 dir=$2
  shift 2
  local log
  log=$(mktemp)
  meson test -C "$dir" --print-errorlogs "$@" 2>&1 | tee "$log"
  local ok fail
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  fail=$(awk '/^(Fail|Unexpected Pass|Timeout):/ {s += $2} END {print s + 0}' "$log")
  rm -f "$log"
  [ -n "$ok" ] || { ok=0; fail=$((fail + 1)); failures+=("$label: meson test did not run"); }
  passed=$((passed + ok))
  failed=$((failed + fail))
  [ "$fail" = 0 ] || failures+=("$label: $fail test(s)")
}

note "format (.clang-format, scripts/format.sh --check)"
scripts/format.sh --check
record "format" $?

note "node test peers (tests/package-lock.json)"
scripts/setup-node.sh || record "setup-node" 1

note "build ($BUILD, gcc, -Werror)"
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=debugoptimized >/dev/null
meson configure "$BUILD" -Dwerror=true >/dev/null
if ninja -C "$BUILD"; then
  note "tests: every suite (unit, vectors, cli, diff, http, mcp, abi, readme)"
  meson_suite normal "$BUILD"
else
  record "build" 1
fi

note "sanitizers ($ASAN_BUILD, ASan+UBSan)"
[ -f "$ASAN_BUILD/build.ninja" ] || meson setup "$ASAN_BUILD" --buildtype=debug -Db_sanitize=address,undefined \
  -Db_lundef=false >/dev/null
meson configure "$ASAN_BUILD" -Dwerror=true >/dev/null
if ninja -C "$ASAN_BUILD"; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson_suite asan "$ASAN_BUILD" --suite unit --suite vectors --suite cli --suite http --suite mcp --suite witness --suite otel --suite pg --suite examples --suite ui
else
  record "asan build" 1
fi

note "valgrind (memcheck) on the unit and vector tests"
for t in test_core test_json test_encoding test_crypto test_rfc8032 test_ope_envelope test_ope_receipts test_oe test_proof \
  test_intoto test_cloudevents test_openlineage test_rocrate test_otel test_otel_metrics test_store \
  test_redact test_lineage test_compress test_egress_policy; do
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$BUILD/tests/$t" >/dev/null
  rc=$?
  echo "valgrind $t: exit $rc"
  record "valgrind $t" $rc
done
valgrind -q --leak-check=full --error-exitcode=99 "$BUILD/tests/test_vectors" tests/data >/dev/null
rc=$?; echo "valgrind test_vectors: exit $rc"; record "valgrind test_vectors" $rc
valgrind -q --leak-check=full --error-exitcode=99 "$BUILD/tests/test_interop" tests/data >/dev/null
rc=$?; echo "valgrind test_interop: exit $rc"; record "valgrind test_interop" $rc
# Wycheproof: every case, about 30 s of CPU under memcheck.
valgrind -q --leak-check=full --error-exitcode=99 "$BUILD/tests/test_wycheproof" tests/data >/dev/null
rc=$?; echo "valgrind test_wycheproof: exit $rc"; record "valgrind test_wycheproof" $rc
# The transparency log: notes and checkpoints, entries and the store's log, the witness. (test_merkle's 700,000
# proofs take minutes under memcheck; the ASan stage runs it.)
for t in test_note test_logentry test_witness; do
  valgrind -q --leak-check=full --error-exitcode=99 "$BUILD/tests/$t" tests/data >/dev/null
  rc=$?; echo "valgrind $t: exit $rc"; record "valgrind $t" $rc
done
# The conformance suite's C runner over every fixture, and the C examples.
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
  "$BUILD/conformance/prova-conformance" conformance >/dev/null
rc=$?; echo "valgrind prova-conformance: exit $rc"; record "valgrind prova-conformance" $rc
for t in sign_tool_call verify_bundle_offline oe_certificate proof_dsse; do
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$BUILD/examples/example_$t" tests/data/proof_minimal.json >/dev/null
  rc=$?; echo "valgrind example_$t: exit $rc"; record "valgrind example_$t" $rc
done
# The OTLP encoders (the protobufjs half of otel_encode needs no memcheck: it reads the files).
otel_tmp=$(mktemp -d)
PROVA_NO_TIMING=1 valgrind -q --leak-check=full --error-exitcode=99 "$BUILD/tests/otel_encode_test" "$otel_tmp" >/dev/null
rc=$?; rm -rf "$otel_tmp"; echo "valgrind otel_encode_test: exit $rc"; record "valgrind otel_encode_test" $rc

note "fuzz ($FUZZ_BUILD, clang libFuzzer + ASan/UBSan, ${FUZZ_SECONDS}s per target)"
[ -f "$FUZZ_BUILD/build.ninja" ] || CC=clang meson setup "$FUZZ_BUILD" --buildtype=debugoptimized -Dfuzz=true \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
meson configure "$FUZZ_BUILD" -Dwerror=true >/dev/null
if ninja -C "$FUZZ_BUILD"; then
  for target in $(grep -v '^#' fuzz/targets); do
    corpus_name=${target#fuzz_}
    work=$(mktemp -d)
    cp -r "fuzz/corpus/$corpus_name/." "$work/" 2>/dev/null
    "$FUZZ_BUILD/fuzz/$target" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/" "$work" >"$work/log" 2>&1
    rc=$?
    tail -n 3 "$work/log"
    if [ $rc != 0 ]; then
      grep -E "ERROR|SUMMARY|Test unit written" "$work/log" | head -n 20
      mkdir -p fuzz/artifacts && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* fuzz/artifacts/ 2>/dev/null
    fi
    echo "fuzz $target: exit $rc"
    record "fuzz $target" $rc
    rm -rf "$work"
  done
else
  record "fuzz build" 1
fi

echo
if [ ${#failures[@]} -gt 0 ]; then printf 'FAILED: %s\n' "${failures[@]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
