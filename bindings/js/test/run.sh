#!/bin/sh
# The meson test `js`: builds the package (tsc --strict) and runs node's test runner, with PROVA_CLI=$1 so the
# differential tests compare with the C library. Needs bindings/js/node_modules (scripts/setup-node.sh).
set -e
cli=$(realpath "$1") # meson may pass it relative to the build directory
cd "$(dirname "$0")/.."
[ -d node_modules/typescript ] || { echo "bindings/js/node_modules is missing: run scripts/setup-node.sh" >&2; exit 77; }
npm run --silent build
PROVA_CLI="$cli" exec node --test test/*.test.mjs  # not test/: that would run every .mjs there (the conformance runner too)
