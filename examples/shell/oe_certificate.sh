#!/usr/bin/env bash
# An OpenExecution v2 run: a hash-chained chain of events, resolved, certified with an ECDSA P-256 key into an
# offline bundle that anyone verifies with the public key; an edited event and a revoked certificate are caught.
. "$(dirname "$0")/lib.sh"

"$PROVA" keygen --alg ecdsa-p256 --out issuer.key >/dev/null && "$PROVA" jwks issuer.key >issuer.jwks

"$PROVA" oe new --chain chain.json --chain-type manual --sig-alg ecdsa-p256 --origin-type agent --origin-id bot-1
echo '{"prompt":"summarize the incident"}' | "$PROVA" oe append --chain chain.json --type task_started --actor bot-1 - >/dev/null
echo '{"tokens":120}' | "$PROVA" oe append --chain chain.json --type task_completed --actor bot-1 - >/dev/null
"$PROVA" oe resolve --chain chain.json >/dev/null                      # prints the chain hash
"$PROVA" oe certify --key issuer.key --chain chain.json --artifact-type report --artifact-ref report-1 --out cert.json

"$PROVA" verify --jwks issuer.jwks cert.json >/dev/null
report_has '"kind":"oe_bundle"' "$PROVA" verify --json --jwks issuer.jwks cert.json

sed 's/"tokens":120/"tokens":12/' cert.json >edited.json              # an event's payload edited afterwards
expect_exit 1 "$PROVA" verify --jwks issuer.jwks edited.json
report_has '"code":"event_hash_mismatch"' "$PROVA" verify --json --jwks issuer.jwks edited.json

"$PROVA" oe revoke --key issuer.key --reason "model retracted" --out revoked.json cert.json
expect_exit 1 "$PROVA" verify --jwks issuer.jwks revoked.json
report_has '"code":"certificate_revoked"' "$PROVA" verify --json --jwks issuer.jwks revoked.json
echo "oe_certificate: ok"
