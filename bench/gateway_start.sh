# Sourced by the gateway benchmarks (gateway.sh, gateway_cpu.sh, log_latency.sh): a fresh work directory
# bench/out/NAME, a sender key trusted by a `prova serve` of BUILD on a free loopback port, its development token.
#   gateway_start BUILD_DIR NAME      sets build_dir, prova, work, port, spid (the gateway's pid; stopped on exit),
#                                     token; cds to work
gateway_start() {
  local build=$1
  case "$build" in /*) ;; *) build="$root/$build" ;; esac
  build_dir=$build
  prova="$build/prova"
  "$root/scripts/setup-node.sh" >/dev/null
  work="$here/out/$2"
  rm -rf "$work"
  mkdir -p "$work"
  cd "$work"
  "$prova" keygen --out sender.key >/dev/null
  "$prova" jwks sender.key >senders.jwks
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The load comes from one address, 127.0.0.1, with up to 256 connections: no per-address limit.
  # GATEWAY_ENV: NAME=VALUE words for the gateway's environment (bench/otel.sh: the OTEL_* variables)
  # shellcheck disable=SC2086
  env ${GATEWAY_ENV:-} "$prova" serve --listen "127.0.0.1:$port" --data data --trusted-senders senders.jwks --quiet \
    --max-connections-per-ip 0 2>serve.log &
  spid=$!
  trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  token=$(python3 -c 'import json; print(json.load(open("data/tokens.json"))["tokens"][0]["token"])')
}
