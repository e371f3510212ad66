#!/usr/bin/env bash
# Installs the Debian packages prova needs to build and test. Idempotent: installs only what is missing and
# runs `apt-get update` at most once, only when something is missing. Needs root (or sudo) when it installs.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build
  clang libclang-rt-14-dev          # fuzz targets (libFuzzer) and clang sanitizer runtimes
  clang-format                      # make check checks the layout against .clang-format
  libsodium-dev libssl-dev          # Ed25519 (libsodium); SHA-2/3, HMAC, Ed448, ECDSA, PEM (OpenSSL 3)
  libmicrohttpd-dev libsqlite3-dev  # the gateway: HTTP server (thread pool, TLS) and the embedded store
  libpq-dev                         # the PostgreSQL store (libpq)
  postgresql                        # tests start their own PostgreSQL 15 server (initdb, pg_ctl)
  libgnutls28-dev                   # the gateway checks its TLS policy (a GnuTLS priority string) with GnuTLS
  libcurl4-openssl-dev              # the event sink of `prova export --post` (CloudEvents, OpenLineage)
  zlib1g-dev                        # CRC-32 of the RO-Crate zip writer; gzip (bundles, exports, HTTP)
  libzstd-dev                       # zstd for bundles, exports, chains and HTTP (never inside what is signed)
  zstd                              # the zstd command line, an independent peer in the compression tests
  curl sqlite3                      # integration tests drive the gateway with curl and inspect the store
  openssl                           # the OpenSSL command line, an independent peer in the cross-checks
  python3 python3-cryptography      # independent implementations for differential tests
  python3-pycparser python3-cffi    # the ABI tests: the public headers as a binding's parser reads them, cffi's dlopen
  python3-pip python3-venv python3-pytest  # bindings/python: pip install --no-index into a venv, its pytest suite
  valgrind
  chromium                          # browser tests: the TypeScript package, the web view /ui (headless, puppeteer-core)
  graphviz                          # `dot` renders what `prova verify --format dot` writes, in the tests
  python3-networkx                  # reads the GraphML of `prova lineage` in the tests (an independent parser)
  prometheus                        # promtool: Prometheus' own parser checks /metrics in the tests
  gnuplot-nox                       # bench/chart.py draws the benchmarks' chart (SVG) of prova against its peers
  ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js (for the jcs differential tests): any node >= 18 on PATH will do; otherwise Debian's.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
fi
# npm installs the locked test peers of tests/package-lock.json (MCP SDK, cloudevents, ajv, autocannon ...).
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: missing packages (${missing[*]}) and not root; install them and re-run" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
