#!/usr/bin/env bash
# An Ophamin proof record sealed with an HMAC key, wrapped as an in-toto Statement in a DSSE envelope signed with
# an Ed25519 key (what Sigstore and in-toto tooling carry), and verified in one report: the envelope's signatures,
# the Statement, and the record inside. A changed payloadType is caught.
RECORD=${RECORD:-$(cd "$(dirname "$0")/../.." && pwd)/tests/data/proof_minimal.json}
. "$(dirname "$0")/lib.sh"

head -c 32 /dev/urandom >seal.key                                    # the proof records' HMAC key
"$PROVA" keygen --out signer.key >/dev/null && "$PROVA" jwks signer.key >signer.jwks

"$PROVA" proof sign --hmac-key seal.key "$RECORD" >proof.json        # proof_id + HMAC seal
"$PROVA" verify --hmac-key seal.key proof.json >/dev/null

# export verifies the record first, then wraps it: one Ed25519 signature by signer.key and one HMAC signature.
"$PROVA" export --to dsse --hmac-key seal.key --sign-key signer.key proof.json >proof.dsse.json
report_has '"kind":"dsse_envelope"' "$PROVA" verify --json --jwks signer.jwks --hmac-key seal.key proof.dsse.json
"$PROVA" verify --jwks signer.jwks --hmac-key seal.key proof.dsse.json >/dev/null

# The payloadType is signed (DSSE's PAE): changing it breaks every signature.
sed 's#application/vnd.in-toto+json#application/json#' proof.dsse.json >retyped.json
expect_exit 1 "$PROVA" verify --jwks signer.jwks --hmac-key seal.key retyped.json
report_has '"code":"dsse_no_valid_signature"' "$PROVA" verify --json --jwks signer.jwks --hmac-key seal.key retyped.json
echo "proof_dsse: ok"
