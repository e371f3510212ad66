#!/usr/bin/env bash
# Also installs bindings/js's locked devDependencies (TypeScript, @types/node) the same way (npm ci when missing or
# older than bindings/js/package-lock.json).
# Installs the Node test peers of tests/package-lock.json into tests/node_modules (OpenAPI lint, response validation,
# autocannon, MCP SDK, CloudEvents, RO-Crate). Idempotent: runs `npm ci` only when tests/node_modules is missing or
# older than tests/package-lock.json. Prints one line; on failure, a clear message (and npm's log tail) on stderr
# and a non-zero exit.
set -uo pipefail
cd "$(dirname "$0")/../tests" || { echo "setup-node: cannot find the tests/ directory" >&2; exit 1; }

fail() {
  echo "setup-node: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (need Node.js >= 20: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (need npm with Node.js >= 20: apt-get install npm)"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || fail "cannot run node"
[ "$major" -ge 20 ] 2>/dev/null || fail "Node.js $(node --version) is too old: the test peers need >= 20"
[ -f package-lock.json ] || fail "tests/package-lock.json is missing"

# One installer at a time (a lock on the lock file itself: no extra file in the tree).
if command -v flock >/dev/null 2>&1; then
  exec 9<package-lock.json
  flock 9 || fail "cannot lock tests/package-lock.json"
fi

# bindings/js: the TypeScript package's compiler (its own lock file; same idempotence rule).
if [ -f ../bindings/js/package-lock.json ]; then
  (
    cd ../bindings/js || exit 1
    jstamp=node_modules/.package-lock.json
    if [ -d node_modules ] && [ -f "$jstamp" ] && ! [ package-lock.json -nt "$jstamp" ]; then
      echo "setup-node: bindings/js/node_modules is up to date"
      exit 0
    fi
    jlog=$(mktemp) || exit 1
    if ! npm ci --no-audit --no-fund >"$jlog" 2>&1; then
      echo "setup-node: 'npm ci' failed in bindings/js; npm said:" >&2
      grep -v 'Unknown user config' "$jlog" | head -n 15 | sed 's/^/  /' >&2
      rm -f "$jlog"
      exit 1
    fi
    rm -f "$jlog"
    touch "$jstamp" 2>/dev/null
    echo "setup-node: installed bindings/js's devDependencies (npm ci)"
  ) || exit 1
fi

# npm ci writes node_modules/.package-lock.json last: its age is the age of the install.
stamp=node_modules/.package-lock.json
if [ -d node_modules ] && [ -f "$stamp" ] && ! [ package-lock.json -nt "$stamp" ]; then
  echo "setup-node: tests/node_modules is up to date ($(node -p 'Object.keys(require("./node_modules/.package-lock.json").packages).length' 2>/dev/null || echo '?') packages)"
  exit 0
fi

log=$(mktemp) || fail "cannot create a temporary file"
trap 'rm -f "$log"' EXIT
if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
  {
    echo "setup-node: 'npm ci' failed in tests/ (is the npm registry reachable? are package.json and package-lock.json in sync?); npm said:"
    grep -v 'Unknown user config' "$log" | head -n 15 | sed 's/^/  /'
  } >&2
  exit 1
fi
touch "$stamp" 2>/dev/null # even when npm kept old files, the install is now newer than the lock
added=$(sed -n 's/^added \([0-9]*\) packages.*/\1/p' "$log" | tail -n 1)
echo "setup-node: installed ${added:-the} packages into tests/node_modules (npm ci, node $(node --version))"
