#!/usr/bin/env bash
# A gateway's receipts for one trace, exported as a signed bundle and verified offline with nothing but the
# gateway's public key; a receipt cut out of the bundle, or the wrong key, is caught.
. "$(dirname "$0")/lib.sh"

"$PROVA" keygen --out agent.key >/dev/null && "$PROVA" jwks agent.key >agent.jwks
"$PROVA" keygen --out gateway.key >/dev/null && "$PROVA" jwks gateway.key >gateway.jwks

# Three steps of an agent, each received by the gateway (offline here: `prova serve` does the same over HTTP),
# which checks the sender's signature and appends a hash-linked, signed receipt.
for step in plan search answer; do
  echo "{\"step\":\"$step\"}" |
    "$PROVA" pack --key agent.key --payload-type agent.step --target-type agent.step --trace-id run-7 - |
    "$PROVA" receipt append --key gateway.key --chain chain.jsonl --sender-jwks agent.jwks - >/dev/null
done
"$PROVA" bundle --key gateway.key --chain chain.jsonl --trace-id run-7 >bundle.json

# Whoever holds bundle.json and gateway.jwks can check it, offline.
"$PROVA" verify --jwks gateway.jwks bundle.json >/dev/null
report_has '"kind":"ope_bundle"' "$PROVA" verify --json --jwks gateway.jwks bundle.json

# The middle receipt removed: the links and the bundle's signed CID no longer agree.
/usr/bin/env python3 -c '
import json, sys
b = json.load(open("bundle.json"))
del b["bundle"]["receipts"][1]
json.dump(b, open("cut.json", "w"))'
expect_exit 1 "$PROVA" verify --jwks gateway.jwks cut.json
report_has '"code":"chain_broken"' "$PROVA" verify --json --jwks gateway.jwks cut.json
report_has '"code":"bundle_cid_mismatch"' "$PROVA" verify --json --jwks gateway.jwks cut.json

# The agent's key is not the gateway's: nothing verifies the bundle's signature.
expect_exit 1 "$PROVA" verify --jwks agent.jwks bundle.json
report_has '"code":"kid_not_found"' "$PROVA" verify --json --jwks agent.jwks bundle.json
echo "verify_bundle_offline: ok"
