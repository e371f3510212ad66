#!/usr/bin/env bash
# Black-box tests of the OpenExecution commands of `prova` (docs/openexecution.md): oe append / resolve / certify /
# revoke / supersede / hash-event, and prova verify on bundles, chain records and events (array and JSON Lines).
# The worked example of openexecution.md §6.1/§6.4 through the command line, key pinning, status changes, bad input
# (each with its exit code and reason, and the chain file unchanged), and a tampering matrix over every field of
# events, chain and certificate, each with its reason code.
# Usage: test_oe_cli.sh PROVA        prints "N passed, M failed" last; exits non-zero on any failure.
set -u
PROVA=${1:?usage: test_oe_cli.sh PROVA}
PY=/usr/bin/python3
. "$(dirname "$0")/../testlib.sh"

# ---- the worked example, step by step ----------------------------------------------------------------------------
"$PY" - "$T" <<'EOF'
import sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization as s
k = Ed25519PrivateKey.from_private_bytes(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
open(sys.argv[1] + "/issuer.pem", "wb").write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))
open(sys.argv[1] + "/issuer.pub.pem", "wb").write(k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))
EOF
echo '{"ref":"refs/heads/main","commits":1}' >"$T/p1.json"
echo '{"pr_number":42,"title":"Fix bug"}' >"$T/p2.json"
echo '{"pr_number":42,"merge_sha":"abc123"}' >"$T/p3.json"
C=$T/chain.json
t "new" 0 - - -- "$PROVA" oe new --chain "$C" --id 11111111-2222-4333-8444-555555555555 --chain-type resource_audit \
  --origin-type github --origin-id octocat/hello-world --created-at 2026-03-20T09:59:59Z
t "new refuses to replace" 2 - "exists" -- "$PROVA" oe new --chain "$C"
t "append 1" 0 '"event_hash":"69a5e334f88b67ff0c7caa9226349e2410efa8944ee80fc60a25e60b851a1b0b"' - -- \
  "$PROVA" oe append --chain "$C" --type code_pushed --actor octocat --created-at 2026-03-20T10:00:00.000Z "$T/p1.json"
t "append 2 (offset form)" 0 '"event_hash":"47c6bc219c9e2d44ff990288fcaf9d563cfc5fd140238767a681dd159d826407"' - -- \
  "$PROVA" oe append --chain "$C" --type pr_opened --actor octocat --created-at "2026-03-20 19:30:00+09" "$T/p2.json"
t "append 3 (stdin)" 0 '"seq":3' - -- sh -c "\"$PROVA\" oe append --chain \"$C\" --type pr_merged --actor maintainer-bot --sentiment positive --created-at 2026-03-20T11:00:00.000Z - <\"$T/p3.json\""
t "verify open chain" 0 "open chain: its current sha256 chain hash is d5756aae" - -- "$PROVA" verify "$C"
t "certify refuses an open chain" 2 - "oe_chain_not_resolved" -- "$PROVA" oe certify --key "$T/issuer.pem" --chain "$C" \
  --artifact-type repository --artifact-ref octocat/hello-world
t "resolve" 0 "^d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd$" - -- \
  "$PROVA" oe resolve --chain "$C" --at 2026-03-20T11:05:00Z
cp "$C" "$T/resolved.json"
before=$(sha256sum <"$C")
t "append to a resolved chain" 2 - "oe_chain_not_open" -- "$PROVA" oe append --chain "$C" --type late
t "resolve twice" 2 - "oe_chain_not_open" -- "$PROVA" oe resolve --chain "$C"
[ "$(sha256sum <"$C")" = "$before" ] && ok || bad "a refused step changed the chain file"
t "certify" 0 - - -- "$PROVA" oe certify --key "$T/issuer.pem" --chain "$C" --artifact-type repository \
  --artifact-ref octocat/hello-world --artifact-title "Hello World repository audit" --issued-at 2026-03-20T11:05:01Z \
  --certificate-id cert-1 --out "$T/bundle.json"
B=$T/bundle.json
pycheck "certificate signature is the reference's" "$B" \
  'd["certificate_signature"] == "e3e6797d5a9e03b508acc8a6d56f410d31baf15c3315865afcd0e82680e350e591780c70608ccce6cfbf877ee684bfae1d4842d1752be8fe18afd0859cf39500"'
pycheck "chain marked certified" "$C" 'd["status"] == "certified" and d["certified_at"] == "2026-03-20T11:05:01.000Z"'
t "verify bundle" 0 "^VALID" - -- "$PROVA" verify "$B"
"$PROVA" verify --json "$B" >"$T/r.json"
pycheck "sdk_result of the reference" "$T/r.json" \
  'd["sdk_result"] == {"valid": True, "certificate_signature_valid": True, "chain_integrity": {"is_valid": True, "event_count": 3, "errors": []}, "chain_hash_valid": True, "errors": []}'
pycheck "embedded key warned" "$T/r.json" '"key_from_bundle" in [w["code"] for w in d["warnings"]]'
"$PROVA" verify --json --key "$T/issuer.pub.pem" "$B" >"$T/r.json"
pycheck "pinned key: trusted, no warning" "$T/r.json" \
  'd["valid"] and "key_from_bundle" not in [w["code"] for w in d["warnings"]] and d["keys"][0]["source"].startswith("key:")'
"$PROVA" keygen --out "$T/other.jwk" >/dev/null
t "pinned to another key" 1 "key_not_trusted" - -- "$PROVA" verify --key "$T/other.jwk" "$B"
t "hash-event" 0 "^69a5e334f88b67ff" - -- sh -c "$PY -c 'import json;print(json.dumps(json.load(open(\"$C\"))[\"events\"][0]))' | \"$PROVA\" oe hash-event"
t "hash-event --input" 0 '^\{"actor_id":"octocat","event_type":"code_pushed","payload":\{"commits":1,"ref":"refs/heads/main"\}' - -- \
  sh -c "$PY -c 'import json;print(json.dumps(json.load(open(\"$C\"))[\"events\"][0]))' | \"$PROVA\" oe hash-event --input"

# ---- status ---------------------------------------------------------------------------------------------------------
t "revoke with another key" 2 - "oe_key_mismatch" -- "$PROVA" oe revoke --key "$T/other.jwk" "$B"
t "revoke" 0 - - -- "$PROVA" oe revoke --key "$T/issuer.pem" --reason "key compromise" --at 2026-04-01T00:00:00Z --out "$T/revoked.json" "$B"
t "revoked bundle is invalid" 1 "certificate_revoked" - -- "$PROVA" verify "$T/revoked.json"
"$PROVA" verify --json "$T/revoked.json" >"$T/r.json"
pycheck "revoked: prova says invalid, the SDK (which has no status) valid" "$T/r.json" \
  'not d["valid"] and d["sdk_result"]["valid"] and d["sdk_result"]["errors"] == []'
t "revoked is final" 2 - "oe_status_transition" -- "$PROVA" oe supersede --key "$T/issuer.pem" --by cert-2 "$T/revoked.json"
t "supersede needs --by" 2 - "--by" -- "$PROVA" oe supersede --key "$T/issuer.pem" "$B"
cp "$B" "$T/sup.json"
t "supersede in place" 0 - - -- "$PROVA" oe supersede --key "$T/issuer.pem" --by cert-2 --reason algorithm_upgrade --in-place "$T/sup.json"
t "superseded bundle is invalid" 1 "certificate_superseded.*|superseded at .* by cert-2" - -- "$PROVA" verify "$T/sup.json"

# ---- algorithms ------------------------------------------------------------------------------------------------------
for alg in ed448 ecdsa-p256 ecdsa-p384 ecdsa-p521; do
  for h in sha384 sha3-512; do
    "$PROVA" keygen --alg "$alg" --out "$T/k-$alg.jwk" --force >/dev/null
    rm -f "$T/c2.json"
    "$PROVA" oe append --chain "$T/c2.json" --hash-alg "$h" --sig-alg "$alg" --type tool_started --actor agent >/dev/null &&
      "$PROVA" oe append --chain "$T/c2.json" --type tool_completed "$T/p1.json" >/dev/null &&
      "$PROVA" oe resolve --chain "$T/c2.json" >/dev/null
    t "$alg/$h certify+verify" 0 "^VALID" - -- sh -c "\"$PROVA\" oe certify --key \"$T/k-$alg.jwk\" --chain \"$T/c2.json\" --artifact-type run --artifact-ref r1 | \"$PROVA\" verify -"
  done
done
rm -f "$T/c3.json"
"$PROVA" oe append --chain "$T/c3.json" --sig-alg ecdsa-p384 --type x >/dev/null && "$PROVA" oe resolve --chain "$T/c3.json" >/dev/null
t "key of the wrong algorithm" 2 - "key_algorithm_mismatch" -- "$PROVA" oe certify --key "$T/issuer.pem" --chain "$T/c3.json" --artifact-type a --artifact-ref b

# ---- bad input ---------------------------------------------------------------------------------------------------
rm -f "$T/c4.json"
t "bad sentiment" 2 - "oe_sentiment" -- "$PROVA" oe append --chain "$T/c4.json" --type x --sentiment happy
[ ! -e "$T/c4.json" ] && ok || bad "a refused first append created the chain"
t "bad hash alg" 2 - "hash-alg" -- "$PROVA" oe append --chain "$T/c4.json" --type x --hash-alg md5
t "bad chain type" 2 - "oe_chain_type" -- "$PROVA" oe append --chain "$T/c4.json" --type x --chain-type party
t "bad created_at" 2 - "oe_timestamp_invalid" -- "$PROVA" oe append --chain "$T/c4.json" --type x --created-at 2026-03-20T10:00:00
t "no type" 2 - "--type" -- "$PROVA" oe append --chain "$T/c4.json"
t "unknown subcommand" 2 - "unknown oe subcommand" -- "$PROVA" oe frobnicate
t "unknown option" 2 - "unknown option" -- "$PROVA" oe append --chain "$T/c4.json" --type x --colour red
printf '{"events": [' >"$T/trunc.json"
t "truncated chain file" 2 - "trunc.json:1:[0-9]+: .*\(json_" -- "$PROVA" oe append --chain "$T/trunc.json" --type x
t "creation options on an existing chain" 2 - "only apply when the chain is created" -- \
  "$PROVA" oe append --chain "$T/resolved.json" --type x --hash-alg sha512
printf '{"a":1}' >"$T/payload-ok.json"
printf '[1,2' >"$T/payload-bad.json"
t "malformed payload" 2 - "payload-bad.json:1:5" -- "$PROVA" oe append --chain "$T/c4.json" --type x "$T/payload-bad.json"
t "verify not a known document" 2 "not a document prova knows" - -- "$PROVA" verify "$T/payload-ok.json"

# ---- events as JSON Lines and as an array ----------------------------------------------------------------------------
"$PY" -c 'import json,sys; [print(json.dumps(e)) for e in json.load(open(sys.argv[1]))["events"]]' "$C" >"$T/events.jsonl"
t "events JSON Lines" 0 "the sha256 chain hash of these events is d5756aae" - -- "$PROVA" verify "$T/events.jsonl"
t "events JSON Lines, sha3-256 assumed wrongly" 1 "event_hash_mismatch" - -- "$PROVA" verify --hash-alg sha3-256 "$T/events.jsonl"
"$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["events"]))' "$C" >"$T/events.json"
t "events array" 0 "^VALID" - -- "$PROVA" verify --hash-alg sha256 "$T/events.json"
{ head -n 1 "$T/events.jsonl"; echo '{"seq": 2, oops}'; tail -n 1 "$T/events.jsonl"; } >"$T/broken.jsonl"
t "broken JSON Lines" 2 - "broken.jsonl:2:" -- "$PROVA" verify "$T/broken.jsonl"
{ head -n 1 "$T/events.jsonl"; tail -n 1 "$T/events.jsonl"; } >"$T/gap.jsonl"
t "JSON Lines with a gap" 1 "seq_mismatch" - -- "$PROVA" verify "$T/gap.jsonl"

# ---- tampering matrix: one change at a time, each with its reason code -----------------------------------------------
"$PY" - "$PROVA" "$B" "$T" <<'EOF' >"$T/tamper.out" 2>&1
import copy, json, subprocess, sys
prova, bundle_path, tmp = sys.argv[1:4]
base = json.load(open(bundle_path))

def other_pem():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization as s
    return Ed25519PrivateKey.generate().public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode()

def setp(d, path, value):
    for k in path[:-1]:
        d = d[k]
    if value is DROP:
        del d[path[-1]]
    else:
        d[path[-1]] = value

DROP = object()
cases = []
ev = lambda i, f: ["chain", "events", i, f]
for i in range(3):
    cases += [
        (f"event {i} payload", ev(i, "payload"), {"edited": True}, ["event_hash_mismatch", "chain_hash_recomputed_mismatch"]),
        (f"event {i} event_type", ev(i, "event_type"), "other", ["event_hash_mismatch", "certificate_events_mismatch"]),
        (f"event {i} actor_id", ev(i, "actor_id"), "mallory", ["event_hash_mismatch", "certificate_events_mismatch"]),
        (f"event {i} created_at", ev(i, "created_at"), "2026-03-20T12:00:00.000Z", ["event_hash_mismatch"]),
        (f"event {i} seq", ev(i, "seq"), 9, ["seq_mismatch", "event_hash_mismatch", "certificate_events_mismatch"]),
        (f"event {i} prev_hash", ev(i, "prev_hash"), "ab" * 32, ["genesis_mismatch" if i == 0 else "link_broken", "event_hash_mismatch"]),
        (f"event {i} event_hash", ev(i, "event_hash"), "cd" * 32, ["event_hash_mismatch", "chain_hash_mismatch"]),
        (f"event {i} sentiment", ev(i, "sentiment"), "negative", ["certificate_events_mismatch"]),
        (f"event {i} created_at garbage", ev(i, "created_at"), "yesterday", ["timestamp_invalid"]),
        (f"event {i} dropped payload", ev(i, "payload"), DROP, ["event_hash_mismatch"]),
    ]
cases += [
    ("chain id", ["chain", "id"], "22222222-2222-4333-8444-555555555555", ["chain_id_mismatch"]),
    ("chain hash_algorithm", ["chain", "hash_algorithm"], "sha512", ["genesis_mismatch", "event_hash_mismatch"]),
    ("chain hash_algorithm unknown", ["chain", "hash_algorithm"], "md5", ["unsupported_hash_algorithm"]),
    ("chain signature_algorithm", ["chain", "signature_algorithm"], "ed448", ["key_algorithm_mismatch"]),
    ("chain signature_algorithm unknown", ["chain", "signature_algorithm"], "rsa", ["unsupported_signature_algorithm"]),
    ("chain canonicalization", ["chain", "canonicalization"], "c14n", ["unsupported_canonicalization"]),
    ("chain chain_hash", ["chain", "chain_hash"], "ef" * 32, ["chain_record_hash_mismatch"]),
    ("chain created_at", ["chain", "created_at"], "2026-01-01T00:00:00.000Z", ["certificate_chain_mismatch"]),
    ("chain chain_type", ["chain", "chain_type"], "manual", ["certificate_chain_mismatch"]),
    ("chain events missing", ["chain", "events"], DROP, ["schema_error"]),
    ("certificate_signature", ["certificate_signature"], "00" + base["certificate_signature"][2:], ["signature_invalid"]),
    ("certificate_signature not hex", ["certificate_signature"], "not-hex", ["signature_encoding"]),
    ("public_key another key", ["public_key"], other_pem(), ["signature_invalid"]),
    ("public_key garbage", ["public_key"], "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", ["pem_invalid", "key_invalid", "asn1_invalid", "spki_invalid"]),
    ("status revoked, unsigned edit", ["status", "status"], "revoked", ["status_signature_invalid", "certificate_revoked"]),
    ("status of another certificate", ["status", "certificate_signature"], "00" * 64, ["status_mismatch"]),
    ("attestation wrong root", ["attestations"], [{"type": "ContentIntegrity", "root_hash": "00" * 32, "leaves": ["aa" * 32]}], ["attestation_invalid"]),
    ("attestation unknown type", ["attestations"], [{"type": "Notary"}], ["attestation_invalid"]),
]
for field, value in base["certificate"].items():
    new = value + 1 if isinstance(value, int) else (value[:-1] if isinstance(value, list) else str(value) + "x")
    extra = {"chain_hash": "chain_hash_mismatch", "version": "unsupported_certificate_version",
             "event_count": "event_count_mismatch", "chain_id": "chain_id_mismatch", "events": "certificate_events_mismatch"}
    cases.append((f"certificate {field}", ["certificate", field], new, ["signature_invalid"] + ([extra[field]] if field in extra else [])))
cases.append(("certificate field added", ["certificate", "extra"], 1, ["signature_invalid"]))
cases.append(("event dropped", ["chain", "events", 1], DROP, ["seq_mismatch", "chain_hash_mismatch", "event_count_mismatch"]))

passed = failed = 0
for name, path, value, want in cases:
    d = copy.deepcopy(base)
    setp(d, path, value)
    f = f"{tmp}/tamper.json"
    json.dump(d, open(f, "w"))
    p = subprocess.run([prova, "verify", "--json", f], capture_output=True, text=True)
    try:
        r = json.loads(p.stdout)
        codes = [c["code"] for c in r["checks"] if not c["ok"]]
    except Exception as e:
        codes = [f"<no report: {e}: {p.stderr.strip()[:200]}>"]
    # Every listed code must appear, except the alternatives of a key parse error (one of them).
    if name == "public_key garbage":
        good = p.returncode == 1 and any(c in codes for c in want)
    else:
        good = p.returncode == 1 and all(c in codes for c in want)
    if good:
        passed += 1
    else:
        failed += 1
        print(f"FAIL tamper {name}: exit {p.returncode}, codes {codes}, want {want}")
print(f"TAMPER {passed} {failed}")
EOF
read -r _ tp tf < <(grep '^TAMPER' "$T/tamper.out")
grep '^FAIL' "$T/tamper.out" >&2
if [ "${tf:-1}" = 0 ] && [ "${tp:-0}" -gt 40 ]; then ok; else bad "tampering matrix: ${tp:-?} passed, ${tf:-?} failed"; cat "$T/tamper.out" | tail -3 >&2; fi
pass=$((pass + ${tp:-0}))

summary
