#!/usr/bin/env bash
# The transparency log's latency from acknowledgement to inclusion in a published checkpoint, at the default
# --log-interval (1 s): starts the gateway of BUILD_DIR on loopback and runs bench/log_latency.mjs against it.
#   bench/log_latency.sh [BUILD_DIR [RATE [SECONDS]]]     (defaults: build 500 20)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=gateway_start.sh
. "$here/gateway_start.sh"
gateway_start "${1:-build}" log_latency
node "$here/log_latency.mjs" "http://127.0.0.1:$port" "$token" sender.key "${2:-500}" "${3:-20}"
