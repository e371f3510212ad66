#!/usr/bin/env bash
# The kill -9 crash harness (docs/testing.md "Crash testing"), separate from `make check` for long runs:
# N cycles of start the gateway (transparency log on), concurrent writers recording every acknowledged receipt,
# kill -9 at a random moment, restart, and an independent check (tests/http/crash_harness.py): every acknowledged
# record stored once, chains contiguous with their hashes and signatures checked in Python, the log append-only
# across the crashes, `prova verify` of every export and `prova log audit`. The last line is the summary:
#   crash-test: C cycles, A acknowledged records, S stored, K checkpoints, F failures (T s)
#
#   scripts/crash-test.sh [N]          (default 20 cycles; CRASH_WRITERS=4 writer threads)
#   make crash-test N=100
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=debugoptimized >/dev/null || exit 2
ninja -C "$BUILD" prova >/dev/null || exit 2
exec python3 tests/http/crash_harness.py "$BUILD/prova" "${1:-20}"
