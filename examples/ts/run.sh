#!/bin/sh
# The meson test example_ts: compiles bindings/js (tsc, as `npm run build`) and runs every TypeScript example
# against it (PROVA_JS), as a user who installed @prova/prova would.
set -e
here=$(cd "$(dirname "$0")" && pwd)
js="$here/../../bindings/js"
[ -d "$js/node_modules/typescript" ] || { echo "bindings/js/node_modules is missing: run scripts/setup-node.sh" >&2; exit 1; }
(cd "$js" && npm run --silent build)
export PROVA_JS="$js/dist/index.js"
for example in "$here"/*.mjs; do
  echo "== $(basename "$example")"
  node "$example"
done
