#!/usr/bin/env bash
# The OTLP encoders: encode_test writes every signal in both encodings (and checks the C side); encode_check.mjs
# decodes each file with protobufjs and the official .proto files and checks them (docs/observability.md).
#   test_encode.sh ENCODE_TEST
set -u
ENCODE_TEST=${1:?usage: test_encode.sh ENCODE_TEST}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! command -v node >/dev/null || [ ! -d "$HERE/../node_modules/protobufjs" ]; then
  echo "FAIL: node or tests/node_modules/protobufjs missing (scripts/setup-node.sh)" >&2
  exit 1
fi
"$ENCODE_TEST" "$T" || { echo "FAIL: encode_test" >&2; exit 1; }
node "$HERE/encode_check.mjs" "$T" || { echo "FAIL: encode_check.mjs" >&2; exit 1; }
echo "ok: OTLP encodings"
