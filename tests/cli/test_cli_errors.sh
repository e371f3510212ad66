#!/usr/bin/env bash
# Black-box tests of what `prova` says when something is wrong: --json answers every outcome with one report, key
# errors name what was offered and what was needed, a repeated option says so, and a mistyped command, subcommand or
# option gets the nearest one suggested. Usage: test_cli_errors.sh PROVA     prints "N passed, M failed" last.
set -u
PROVA=${1:?usage: test_cli_errors.sh PROVA}
PY=/usr/bin/python3
. "$(dirname "$0")/../testlib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
MIN="$HERE/../data/proof_minimal.json"

# ---- fixtures ---------------------------------------------------------------------------------------------------
"$PROVA" keygen --out "$T/a.jwk" >"$T/a.kid" || bad "fixture: keygen a"
AKID=$(cat "$T/a.kid")
"$PROVA" keygen --kid bee --out "$T/b.jwk" >/dev/null || bad "fixture: keygen b"
"$PROVA" jwks "$T/a.jwk" >"$T/a.jwks" || bad "fixture: jwks a"
"$PROVA" jwks "$T/b.jwk" >"$T/b.jwks" || bad "fixture: jwks b"
"$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["keys"][0]))' "$T/a.jwks" >"$T/a.pub.jwk"
# ten trusted keys k01..k10: the message lists eight and counts the rest
for i in 01 02 03 04 05 06 07 08 09 10; do
  "$PROVA" keygen --kid "k$i" --out "$T/k$i.jwk" >/dev/null || bad "fixture: keygen k$i"
done
"$PROVA" jwks "$T"/k??.jwk >"$T/ten.jwks" || bad "fixture: jwks ten"
echo '{"tool":"search"}' >"$T/p.json"
"$PROVA" pack --key "$T/a.jwk" --payload-type t --target-type u "$T/p.json" >"$T/env.json" || bad "fixture: pack"
printf '{"a":' >"$T/trunc.json"
printf 'not a key' >"$T/junk.key"
mkdir "$T/dir"
# an OpenExecution bundle issued by a, a proof record attested by a, DSSE envelopes signed by a, a PEM private key
echo '{"x":1}' >"$T/op.json"
"$PROVA" oe append --chain "$T/oc.json" --type code_pushed "$T/op.json" >/dev/null || bad "fixture: oe append"
"$PROVA" oe resolve --chain "$T/oc.json" >/dev/null || bad "fixture: oe resolve"
"$PROVA" oe certify --key "$T/a.jwk" --chain "$T/oc.json" --artifact-type repository --artifact-ref r1 \
  --out "$T/ob.json" >/dev/null || bad "fixture: oe certify"
"$PROVA" proof sign --default-key --attest-key "$T/a.jwk" --author me "$MIN" >"$T/proof.json" || bad "fixture: proof sign"
"$PROVA" export --to dsse --default-key --sign-key "$T/a.jwk" "$T/proof.json" >"$T/proof.dsse" 2>/dev/null || bad "fixture: export dsse"
"$PROVA" export --to dsse --jwks "$T/a.jwks" --sign-key "$T/a.jwk" "$T/env.json" >"$T/env.dsse" || bad "fixture: export dsse"
openssl genpkey -algorithm ed25519 -out "$T/a2.pem" 2>/dev/null || bad "fixture: openssl genpkey"

# json1 NAME WANT_RC CODE -- CMD...: stdout is exactly one JSON document, a report that is not valid and whose first
# failed check has reason code CODE; the exit code is WANT_RC.
json1() {
  local name=$1 want=$2 code=$3
  shift 4
  run "$@"
  if [ "$RC" != "$want" ]; then bad "$name: want exit $want; $(show)"; return; fi
  if ! "$PY" -c 'import json,sys; json.load(sys.stdin)' <"$T/out" 2>/dev/null; then
    bad "$name: stdout is not one JSON document; $(show)"
    return
  fi
  pycheck "$name: report shape, code $code" "$T/out" \
    "d['valid'] is False and isinstance(d['kind'], str) and isinstance(d['warnings'], list) and \
     all(set(c) >= {'check','ok','code','message','at'} for c in d['checks']) and codes(d)[:1] == ['$code']"
  # The exit code and the report's outcome say the same thing.
  pycheck "$name: outcome agrees with exit $want" "$T/out" \
    "d['outcome'] == 'invalid' if $want == 1 else d['outcome'] in ('bad_input', 'unknown_kind')"
}

# ---- 1. --json: one JSON document for every outcome ----------------------------------------------------------------
V=("$PROVA" verify --json)
json1 "verify --json, missing file" 2 file_not_found -- "${V[@]}" "$T/missing.json"
json1 "verify --json, a directory" 2 file_unreadable -- "${V[@]}" "$T/dir"
json1 "verify --json, missing --key file" 2 file_not_found -- "${V[@]}" --key "$T/missing.jwk" "$T/env.json"
json1 "verify --json, bad --key file" 2 key_file_invalid -- "${V[@]}" --key "$T/junk.key" "$T/env.json"
json1 "verify --json, bad --jwks file" 2 jwks_invalid -- "${V[@]}" --jwks "$T/junk.key" "$T/env.json"
json1 "verify --json, missing --jwks file" 2 file_not_found -- "${V[@]}" --jwks "$T/missing.jwks" "$T/env.json"
json1 "verify --json, missing --hmac-key file" 2 file_not_found -- "${V[@]}" --hmac-key "$T/missing.key" "$MIN"
json1 "verify --json, bad --max-skew" 2 usage -- "${V[@]}" --max-skew abc "$T/env.json"
json1 "verify --json, --now without a value" 2 usage -- "${V[@]}" "$T/env.json" --now
json1 "verify --json, two documents" 2 usage -- "${V[@]}" "$T/env.json" "$T/env.json"
json1 "verify --json, two HMAC key options" 2 usage -- "${V[@]}" --default-key --hmac-key-b64 a2V5 "$MIN"
json1 "verify --json, unknown option" 2 unknown_option -- "${V[@]}" --bogus "$T/env.json"
json1 "verify --json, --json after the error" 2 unknown_option -- "$PROVA" verify --bogus "$T/env.json" --json
json1 "verify --json, repeated option" 2 option_repeated -- "${V[@]}" --now 2025-01-01T00:00:00Z --now 2025-01-01T00:00:00Z "$T/env.json"
json1 "verify --json, malformed input" 2 json_truncated -- "${V[@]}" "$T/trunc.json"
json1 "verify --json, stdin missing is empty" 2 json_empty -- sh -c "'$PROVA' verify --json </dev/null"
json1 "verify --json, invalid document" 1 kid_not_found -- "${V[@]}" --jwks "$T/b.jwks" "$T/env.json"
I=("$PROVA" import --json)
json1 "import --json, missing file" 2 file_not_found -- "${I[@]}" "$T/missing.json"
json1 "import --json, a directory" 2 file_unreadable -- "${I[@]}" "$T/dir"
json1 "import --json, malformed input" 2 json_truncated -- "${I[@]}" "$T/trunc.json"
json1 "import --json, neither DSSE nor CloudEvent" 2 schema_error -- "${I[@]}" "$T/p.json"
json1 "import --json, missing --headers file" 2 file_not_found -- "${I[@]}" --headers "$T/missing.h" "$T/p.json"
json1 "import --json, bad --key file" 2 key_file_invalid -- "${I[@]}" --key "$T/junk.key" "$T/p.json"
json1 "import --json, unknown option" 2 unknown_option -- "${I[@]}" --extrct "$T/p.json"
json1 "import --json, repeated option" 2 option_repeated -- "${I[@]}" --headers "$T/p.json" --headers "$T/p.json" "$T/p.json"
json1 "unknown command with --json" 2 unknown_command -- "$PROVA" verfy --json "$T/env.json"
# the diagnostics still go to stderr, and without --json nothing goes to stdout
t "verify --json: the diagnostic on stderr too" 2 - 'missing.json' -- "${V[@]}" "$T/missing.json"
t "verify without --json: nothing on stdout" 2 - 'missing.json' -- "$PROVA" verify "$T/missing.json"
[ -s "$T/out" ] && bad "verify without --json wrote to stdout: $(show)" || ok

# ---- 2. key errors name what was offered ---------------------------------------------------------------------------
t "kid not found: the trusted kids are listed" 1 "no trusted key has kid $AKID; trusted: bee" - -- \
  "$PROVA" verify --jwks "$T/b.jwks" "$T/env.json"
t "kid not found: eight listed, the rest counted" 1 \
  "no trusted key has kid $AKID; trusted: k01, k02, k03, k04, k05, k06, k07, k08 and 2 more" - -- \
  "$PROVA" verify --jwks "$T/ten.jwks" "$T/env.json"
t "kid not found, no trusted keys at all" 1 "no trusted key has kid $AKID; no keys are trusted" - -- \
  "$PROVA" verify "$T/env.json"
t "kid not found --json: the message lists them" 1 '"code":"kid_not_found","message":"no trusted key has kid [^"]*; trusted: bee"' - -- \
  "$PROVA" verify --json --jwks "$T/b.jwks" "$T/env.json"
# OpenExecution: the bundle's key is not one of the trusted ones
t "oe bundle, untrusted key: the trusted kids are listed" 1 "not one of the 1 trusted keys; trusted: bee" - -- \
  "$PROVA" verify --jwks "$T/b.jwks" "$T/ob.json"
# a proof record's attestation by an untrusted key
t "proof attestation, untrusted key: the trusted kids are listed" 1 "trusted: bee" - -- \
  "$PROVA" verify --default-key --jwks "$T/b.jwks" "$T/proof.json"
# a DSSE envelope signed by a key nobody trusts
t "DSSE keyid unknown: the trusted kids are listed" 1 "no trusted key has keyid \"$AKID\"; trusted: bee" - -- \
  "$PROVA" import --jwks "$T/b.jwks" "$T/env.dsse"

# A JWKS (public keys) where a private key is needed
NEED='is a JWKS of public keys; a private key is needed'
t "pack --key JWKS" 2 - "a.jwks $NEED" -- "$PROVA" pack --key "$T/a.jwks" --payload-type t --target-type u "$T/p.json"
t "pack --key public JWK" 2 - "a.pub.jwk is a public key \($AKID\); a private key is needed" -- \
  "$PROVA" pack --key "$T/a.pub.jwk" --payload-type t --target-type u "$T/p.json"
t "proof sign --attest-key JWKS" 2 - "a.jwks $NEED" -- \
  "$PROVA" proof sign --default-key --attest-key "$T/a.jwks" --author me "$MIN"
t "oe certify --key JWKS" 2 - "a.jwks $NEED" -- \
  "$PROVA" oe certify --key "$T/a.jwks" --chain "$T/oc.json" --artifact-type repository --artifact-ref r1
t "oe revoke --key JWKS" 2 - "a.jwks $NEED" -- "$PROVA" oe revoke --key "$T/a.jwks" "$T/ob.json"
t "export --sign-key JWKS" 2 - "a.jwks $NEED" -- "$PROVA" export --to dsse --default-key --sign-key "$T/a.jwks" "$T/proof.json"
t "receipt append --key JWKS" 2 - "a.jwks $NEED" -- \
  "$PROVA" receipt append --key "$T/a.jwks" --chain "$T/c.jsonl" --sender-jwks "$T/a.jwks" "$T/env.json"
t "bundle --key JWKS" 2 - "a.jwks $NEED" -- "$PROVA" bundle --key "$T/a.jwks" --chain "$T/c.jsonl" --trace-id x
[ -e "$T/c.jsonl" ] && bad "receipt append with a JWKS key wrote the chain" || ok
# A private key where a JWKS is expected (verify --jwks documents a JWKS: refused, and says why)
t "verify --jwks private key: named" 2 - "a.jwk is a private key \(JWK\), not a JWKS" -- \
  "$PROVA" verify --jwks "$T/a.jwk" "$T/env.json"
t "verify --jwks public JWK: named" 2 - "a.pub.jwk is a public key \(JWK\), not a JWKS" -- \
  "$PROVA" verify --jwks "$T/a.pub.jwk" "$T/env.json"
t "verify --jwks PEM private key: named" 2 - "a2.pem is a private key \(PEM\), not a JWKS" -- \
  "$PROVA" verify --jwks "$T/a2.pem" "$T/env.json"
t "receipt append --sender-jwks private key: named" 2 - "a.jwk is a private key \(JWK\), not a JWKS" -- \
  "$PROVA" receipt append --key "$T/a.jwk" --chain "$T/c.jsonl" --sender-jwks "$T/a.jwk" "$T/env.json"
# --key of verify documents trusted keys: a private key is accepted (its public half is used); a JWKS is named
t "verify --key private key: accepted" 0 'VALID' - -- "$PROVA" verify --key "$T/a.jwk" "$T/env.json"
t "verify --key JWKS: named" 2 - "a.jwks is a JWKS, not a single key; give it with --jwks" -- \
  "$PROVA" verify --key "$T/a.jwks" "$T/env.json"

# ---- 3. a repeated option says it was repeated ---------------------------------------------------------------------
t "canon --profile twice" 2 - '^prova canon: --profile given twice' -- "$PROVA" canon --profile ope --profile jcs "$T/p.json"
t "canon --profile= twice" 2 - '^prova canon: --profile given twice' -- "$PROVA" canon --profile=ope --profile=jcs "$T/p.json"
t "hash --alg twice" 2 - '^prova hash: --alg given twice' -- "$PROVA" hash --alg sha256 --alg sha512 "$T/p.json"
t "keygen --out twice" 2 - '^prova keygen: --out given twice' -- "$PROVA" keygen --out "$T/x1.jwk" --out "$T/x2.jwk"
[ -e "$T/x1.jwk" ] || [ -e "$T/x2.jwk" ] && bad "keygen with --out twice wrote a key" || ok
t "pack --key twice" 2 - '^prova pack: --key given twice' -- \
  "$PROVA" pack --key "$T/a.jwk" --key "$T/b.jwk" --payload-type t --target-type u "$T/p.json"
t "verify --max-skew twice" 2 - '^prova verify: --max-skew given twice' -- \
  "$PROVA" verify --max-skew 5 --max-skew 6 "$T/env.json"
t "verify --json twice" 2 - '^prova verify: --json given twice' -- "$PROVA" verify --json --json "$T/env.json"
t "oe append --type twice" 2 - '^prova oe: --type given twice' -- \
  "$PROVA" oe append --chain "$T/oc2.json" --type a --type b "$T/op.json"
[ -e "$T/oc2.json" ] && bad "oe append with --type twice created the chain" || ok
t "proof sign --author twice" 2 - '^prova proof: --author given twice' -- \
  "$PROVA" proof sign --default-key --attest-key "$T/a.jwk" --author a --author b "$MIN"
t "proof sign --hmac-key-b64 twice" 2 - '^prova proof: --hmac-key-b64 given twice' -- \
  "$PROVA" proof sign --hmac-key-b64 a2V5 --hmac-key-b64 a2V5 "$MIN"
t "export --to twice" 2 - '^prova export: --to given twice' -- "$PROVA" export --to intoto --to dsse --default-key "$MIN"
t "bundle --trace-id twice" 2 - '^prova bundle: --trace-id given twice' -- \
  "$PROVA" bundle --key "$T/a.jwk" --chain "$T/c.jsonl" --trace-id x --trace-id y
t "sink --spool twice" 2 - '^prova sink: --spool given twice' -- "$PROVA" sink flush --spool "$T/s1" --spool "$T/s2"
# documented as repeatable: still repeatable
t "verify --jwks twice" 0 'VALID' - -- "$PROVA" verify --jwks "$T/b.jwks" --jwks "$T/a.jwks" "$T/env.json"
t "verify --key twice" 0 'VALID' - -- "$PROVA" verify --key "$T/b.jwk" --key "$T/a.jwk" "$T/env.json"
t "verify --jwks and --key" 0 'VALID' - -- "$PROVA" verify --jwks "$T/b.jwks" --key "$T/a.jwk" "$T/env.json"
t "jwks --legacy twice" 0 '"status":"legacy"' - -- "$PROVA" jwks "$T/a.jwk" --legacy "$T/b.jwk" --legacy "$T/k01.jwk"
t "export --sign-key twice" 0 - - -- "$PROVA" export --to dsse --default-key --sign-key "$T/a.jwk" --sign-key "$T/b.jwk" "$T/proof.json"
t "export --ext twice" 0 - - -- "$PROVA" export --to cloudevents --default-key --ext aa=1 --ext bb=2 "$T/proof.json"
t "import --jwks twice" 0 'VALID' - -- "$PROVA" import --default-key --jwks "$T/b.jwks" --jwks "$T/a.jwks" "$T/proof.dsse"
t "receipt append --sender-jwks twice" 0 - - -- "$PROVA" receipt append --key "$T/b.jwk" --chain "$T/c.jsonl" \
  --sender-jwks "$T/b.jwks" --sender-jwks "$T/a.jwks" "$T/env.json"
# a value that looks like an option is a value, not a second option
t "a value equal to the option's name" 0 - - -- "$PROVA" oe append --chain "$T/oc3.json" --type --type "$T/op.json"

# ---- 4. a mistyped command, subcommand or option suggests the nearest one ------------------------------------------
t "verfy" 2 - "^prova: unknown command 'verfy'; did you mean 'verify'\?$" -- "$PROVA" verfy "$T/env.json"
t "cannon" 2 - "did you mean 'canon'\?" -- "$PROVA" cannon "$T/p.json"
t "exprot" 2 - "did you mean 'export'\?" -- "$PROVA" exprot --to intoto "$MIN"
t "frobnicate: no suggestion, the usage" 2 - 'usage: prova' -- "$PROVA" frobnicate
grep -q 'did you mean' "$T/err" && bad "frobnicate: a suggestion for nothing close: $(show)" || ok
t "help verfy" 2 - "unknown command 'verfy'; did you mean 'verify'\?" -- "$PROVA" help verfy
t "oe certfy" 2 - "^prova: unknown oe subcommand 'certfy'; did you mean 'certify'\?$" -- \
  "$PROVA" oe certfy --key "$T/a.jwk" --chain "$T/oc.json" --artifact-type repository --artifact-ref r1
t "oe hash-evnt" 2 - "did you mean 'hash-event'\?" -- "$PROVA" oe hash-evnt "$T/op.json"
t "proof sing" 2 - "^prova: unknown proof subcommand 'sing'; did you mean 'sign'\?$" -- "$PROVA" proof sing --default-key "$MIN"
t "receipt apend" 2 - "did you mean 'append'\?" -- "$PROVA" receipt apend --key "$T/a.jwk" --chain "$T/c.jsonl" "$T/env.json"
t "sink flsh" 2 - "did you mean 'flush'\?" -- "$PROVA" sink flsh
t "oe frobnicate: no suggestion, the list" 2 - "unknown oe subcommand 'frobnicate' \(new, append" -- "$PROVA" oe frobnicate
t "verify --jwsk" 2 - "^prova verify: unknown option '--jwsk'; did you mean '--jwks'\?$" -- \
  "$PROVA" verify --jwsk "$T/a.jwks" "$T/env.json"
t "verify --trust-embeded-key" 2 - "did you mean '--trust-embedded-key'\?" -- "$PROVA" verify --trust-embeded-key "$T/env.json"
t "canon --profle=jcs" 2 - "unknown option '--profle'; did you mean '--profile'\?" -- "$PROVA" canon --profle=jcs "$T/p.json"
t "export --sing-key" 2 - "did you mean '--sign-key'\?" -- "$PROVA" export --to dsse --sing-key "$T/a.jwk" "$MIN"
t "oe certify --artifact-tpye" 2 - "did you mean '--artifact-type'\?" -- "$PROVA" oe certify --artifact-tpye x
t "verify -json" 2 - "did you mean '--json'\?" -- "$PROVA" verify -json "$T/env.json"
t "verify --bogus: no suggestion" 2 - "unknown option '--bogus' \(see prova verify --help\)" -- "$PROVA" verify --bogus "$T/env.json"

# ---- every option a command documents is one it takes ------------------------------------------------------------
for c in canon hash keygen jwks pack verify receipt bundle oe proof export import sink db store; do
  "$PROVA" "$c" --help >"$T/help" || { bad "$c --help"; continue; }
  for o in $(grep -Eo -- '--[a-z0-9][a-z0-9-]*' "$T/help" | sort -u); do
    case "$c:$o" in sink:--post) continue ;; # "what prova export --post spooled"
      oe:*) args=(oe new "$o") ;; proof:*) args=(proof sign "$o") ;; receipt:*) args=(receipt append "$o") ;;
      sink:*) args=(sink flush "$o") ;; db:*) args=(db status "$o") ;;
      store:*) args=(store copy "$T/none.db" "$T/none2.db" "$o") ;; *) args=("$c" "$o") ;; esac
    timeout 20 "$PROVA" "${args[@]}" </dev/null >/dev/null 2>"$T/err"
    if grep -Eq 'unknown option|given twice' "$T/err"; then bad "prova ${args[*]}: documented but refused: $(cat "$T/err")"; else ok; fi
  done
done

summary
