#!/usr/bin/env bash
# prova proof sign | id and prova verify on proof records, black box: the ophamin.md §4.3 minimal proof (its
# proof_id and default-key signature), keys from a file, base64, the environment and --default-key, attestations
# (checked by Python's cryptography), signatures recomputed by Python's hmac/hashlib/json, bad input.
#   test_proof_cli.sh PROVA
set -u
PROVA=${1:?usage: test_proof_cli.sh PROVA}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
MIN="$HERE/../data/proof_minimal.json"

t "proof id: the §4.3 minimal proof" 0 '^80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac$' - -- "$PROVA" proof id "$MIN"
t "proof sign --default-key" 0 - - -- "$PROVA" proof sign --default-key "$MIN"
cp "$T/out" "$T/signed.json"
pycheck "the §4.3 signature under the default key" "$T/signed.json" \
  'd["proof_id"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac" and d["signature"] == "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470" and list(d)[0] == "proof_id" and list(d)[-1] == "signature"'
t "verify without a key: not valid" 1 'proof_hmac_key_missing' - -- "$PROVA" verify "$T/signed.json"
t "verify --default-key: valid, with the warning" 0 'proof_default_key' - -- "$PROVA" verify --default-key "$T/signed.json"
printf 'ophamin-scenario-proof-key\n' >"$T/k.txt"
t "verify --hmac-key FILE (trailing newline dropped)" 0 'VALID' - -- "$PROVA" verify --hmac-key "$T/k.txt" "$T/signed.json"
t "verify --hmac-key-b64" 0 'VALID' - -- "$PROVA" verify --hmac-key-b64 b3BoYW1pbi1zY2VuYXJpby1wcm9vZi1rZXk= "$T/signed.json"
t "verify PROVA_HMAC_KEY_B64" 0 'VALID' - -- env PROVA_HMAC_KEY_B64=b3BoYW1pbi1zY2VuYXJpby1wcm9vZi1rZXk= "$PROVA" verify "$T/signed.json"

# A secret key, signed by prova, checked by Python; tampering detected.
printf 'a-secret-key-0123' >"$T/secret.txt"
t "proof sign --hmac-key" 0 - - -- "$PROVA" proof sign --hmac-key "$T/secret.txt" "$MIN"
cp "$T/out" "$T/secret.json"
if "$PY" - "$T/secret.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "python recomputes the signature: $(tail -n 1 "$T/pyerr")"; fi
import hashlib, hmac, json, sys
d = json.load(open(sys.argv[1]))
body = {k: v for k, v in d.items() if k not in ("signature", "proof_id", "attestation")}
b = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
assert hashlib.sha256(b).hexdigest() == d["proof_id"]
assert hmac.new(b"a-secret-key-0123", b, hashlib.sha256).hexdigest() == d["signature"]
PYEOF
t "verify with the right key" 0 'VALID' - -- "$PROVA" verify --hmac-key "$T/secret.txt" "$T/secret.json"
t "verify with the default key: mismatch" 1 'proof_signature_mismatch' - -- "$PROVA" verify --default-key "$T/secret.json"
pyedit "$T/secret.json" "$T/tampered.json" 'd["verdict"]["reasoning"] = "edited"'
t "a tampered record: signature and proof_id fail" 1 'proof_id_mismatch' - -- "$PROVA" verify --hmac-key "$T/secret.txt" "$T/tampered.json"

# Attestation: Ed25519 over the same bytes, checked by Python's cryptography.
"$PROVA" keygen --out "$T/author.key" >/dev/null
t "proof sign --attest-key --author" 0 - - -- "$PROVA" proof sign --default-key --attest-key "$T/author.key" --author alice "$MIN"
cp "$T/out" "$T/attested.json"
if "$PY" - "$T/attested.json" <<'PYEOF' 2>"$T/pyerr"; then ok; else bad "python verifies the attestation: $(tail -n 1 "$T/pyerr")"; fi
import json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
d = json.load(open(sys.argv[1]))
a = d["attestation"]
assert a["author"] == "alice" and a["algorithm"] == "ed25519"
body = {k: v for k, v in d.items() if k not in ("signature", "proof_id", "attestation")}
b = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
Ed25519PublicKey.from_public_bytes(bytes.fromhex(a["public_key"])).verify(bytes.fromhex(a["signature"]), b)
PYEOF
t "verify the attested record with the author's key pinned" 0 'VALID' - -- "$PROVA" verify --default-key --key "$T/author.key" "$T/attested.json"

# Bad input: each a clear error, exit 2, nothing printed on stdout.
t "sign without a key" 2 - 'needs a key' -- "$PROVA" proof sign "$MIN"
t "two keys" 2 - 'give one of' -- "$PROVA" proof sign --default-key --hmac-key-b64 QUJD "$MIN"
t "bad base64" 2 - 'not standard base64' -- "$PROVA" proof sign --hmac-key-b64 'QU!D' "$MIN"
t "empty base64 key" 2 - 'empty' -- "$PROVA" proof sign --hmac-key-b64 '' "$MIN"
: >"$T/empty.txt"
t "empty key file" 2 - 'empty' -- "$PROVA" proof sign --hmac-key "$T/empty.txt" "$MIN"
t "attest key without author" 2 - 'go together' -- "$PROVA" proof sign --default-key --attest-key "$T/author.key" "$MIN"
echo '[1,2]' >"$T/array.json"
t "not an object" 2 - 'JSON object' -- "$PROVA" proof id "$T/array.json"
printf '{"schema_version":' >"$T/trunc.json"
t "truncated" 2 - 'trunc.json:1:19: .*json_truncated' -- "$PROVA" proof id "$T/trunc.json"
t "unknown subcommand" 2 - 'unknown subcommand' -- "$PROVA" proof frobnicate
t "missing file" 2 - 'nope.json' -- "$PROVA" proof id "$T/nope.json"
summary
