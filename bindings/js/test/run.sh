#!/bin/sh
# The meson test `js`: builds the package (tsc --strict) and runs node's test runner, with PROVA_CLI=$1 so the
# differential tests compare with the C library. Needs bindings/js/node_modules (scripts/setup-node.sh).
set -e
cd "$(dirname "$0")/.."
[ -d node_modules/typescript ] || { echo "bindings/js/node_modules is missing: run scripts/setup-node.sh" >&2; exit 77; }
npm run --silent build
PROVA_CLI="$1" exec node --test test/
