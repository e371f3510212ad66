#!/usr/bin/env bash
# Sign an agent's tool call as an OPE v1 envelope, verify it with the agent's public key, and see a changed
# argument caught.
. "$(dirname "$0")/lib.sh"

"$PROVA" keygen --out agent.key >/dev/null               # the agent's Ed25519 key (mode 0600)
"$PROVA" jwks agent.key >agent.jwks                      # its public half, to give to whoever checks

echo '{"tool":"search","args":{"q":"weather in Lyon"}}' |
  "$PROVA" pack --key agent.key --payload-type agent.tool_call --target-type tool.result --trace-id run-1 - >call.json

"$PROVA" verify --jwks agent.jwks call.json              # exit 0: VALID
report_has '"outcome":"valid"' "$PROVA" verify --json --jwks agent.jwks call.json

sed 's/Lyon/Paris/' call.json >changed.json              # someone edits the logged call
expect_exit 1 "$PROVA" verify --jwks agent.jwks changed.json
report_has '"code":"cid_mismatch"' "$PROVA" verify --json --jwks agent.jwks changed.json
echo "sign_tool_call: ok"
