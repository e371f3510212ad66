#!/usr/bin/env bash
# The README's walkthrough, run as written (the block after the "walkthrough" marker), in a scratch directory that
# has the repository's Makefile and scripts and this build as ./build, on a free port instead of 8080. Each step
# must succeed, the envelope must be accepted, and the exported bundle must verify offline.
#   test_readme.sh PROVA SOURCE_ROOT
set -u
PROVA=$(realpath "$1")
SRC=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
cd "$T" || exit 3
trap 'make -s stop >/dev/null 2>&1; rm -rf "$T"' EXIT

BUILD_DIR=$(dirname "$PROVA")
ln -s "$BUILD_DIR" build
ln -s "$SRC/scripts" scripts
cp "$SRC/Makefile" Makefile
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The block: from the line after the marker's ``` to the closing ```.
awk '/<!-- walkthrough:/ {m = 1; next} m == 1 && /^```/ {m = 2; next} m == 2 && /^```/ {exit} m == 2 {print}' \
  "$SRC/README.md" >walkthrough.sh
[ -s walkthrough.sh ] && ok || { bad "no walkthrough block in README.md"; exit 1; }
grep -q '^export PORT=8080' walkthrough.sh && ok || bad "the walkthrough does not start with export PORT=8080"
sed -i "s/^export PORT=8080/export PORT=$PORT/" walkthrough.sh

# As a user pastes it: one shell, every line; stop at the first failing command.
bash -e -o pipefail walkthrough.sh >out.txt 2>err.txt
rc=$?
[ $rc = 0 ] && ok || bad "the walkthrough failed (exit $rc): $(tail -n 5 err.txt) $(tail -n 5 out.txt)"
grep -q '"status":"ok"' out.txt && ok || bad "no /health answer in the output"
grep -q 'reloaded the trusted senders (1 keys)' out.txt && ok || bad "make reload did not report the new sender: $(cat out.txt)"
grep -q '"receipt":' out.txt && ok || bad "the envelope was not accepted: $(grep -v '^  ' out.txt | head -c 600)"
grep -q '^VALID' out.txt && ok || bad "the bundle did not verify: $(tail -n 8 out.txt)"
grep -q '^  \[ok\] *log_inclusion' out.txt && ok || bad "the bundle's log proof was not checked: $(grep -i log out.txt | head -n 5)"
grep -q 'prova serve stopped' out.txt && ok || bad "make stop did not stop the gateway"
[ ! -e var/serve.pid ] && ok || bad "var/serve.pid left behind"
summary
