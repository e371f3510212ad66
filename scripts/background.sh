#!/usr/bin/env bash
# The gateway in the background for `make start | stop | reload` (README's walkthrough).
#   scripts/background.sh start|stop|reload PROVA PORT DATA
set -euo pipefail
action=$1 prova=$2 port=$3 data=$4
pidfile=$data/serve.pid
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case "$action" in
start)
  if running; then echo "prova serve is already running (pid $(cat "$pidfile"); make stop)" >&2; exit 1; fi
  mkdir -p "$data" && chmod 700 "$data"
  nohup "$prova" serve --listen "127.0.0.1:$port" --data "$data" >>"$data/serve.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 100); do
    if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      echo "prova serve: http://127.0.0.1:$port (pid $(cat "$pidfile"), log $data/serve.log);" \
        "token: export TOKEN=\$(./build/prova serve --data $data --print-token)"
      exit 0
    fi
    running || break
    sleep 0.1
  done
  echo "prova serve did not start; the end of $data/serve.log:" >&2
  tail -n 20 "$data/serve.log" >&2
  rm -f "$pidfile"
  exit 1
  ;;
stop)
  if ! running; then echo "prova serve is not running" >&2; rm -f "$pidfile"; exit 0; fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
  echo "prova serve stopped"
  ;;
reload)
  if ! running; then echo "prova serve is not running (make start)" >&2; exit 1; fi
  kill -HUP "$(cat "$pidfile")"
  sleep 0.2
  grep -E 'trusted senders' "$data/serve.log" | tail -n 1
  ;;
*) echo "usage: scripts/background.sh start|stop|reload PROVA PORT DATA" >&2; exit 2 ;;
esac
