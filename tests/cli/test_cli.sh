#!/usr/bin/env bash
# Black-box tests of the `prova` command: outputs, exit codes, error messages, key files.
# Usage: test_cli.sh PROVA        prints "N passed, M failed" last.
set -u
PROVA=${1:?usage: test_cli.sh PROVA}
PY=/usr/bin/python3
. "$(dirname "$0")/../testlib.sh"

# expect CODE STDOUT_WANT -- command...   (STDOUT_WANT "*" = don't care)
expect() {
  local code=$1 want=$2
  shift 3
  local out rc
  out=$("$@" 2>"$T/err"); rc=$?
  if [ "$rc" != "$code" ]; then bad "$* → exit $rc, want $code ($(head -c 300 "$T/err"))"; return; fi
  if [ "$want" != "*" ] && [ "$out" != "$want" ]; then bad "$* → '$out', want '$want'"; return; fi
  ok
}

# expect_err CODE REGEX -- command...    (stderr must match REGEX)
expect_err() {
  local code=$1 re=$2
  shift 3
  local rc
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ "$rc" != "$code" ]; then bad "$* → exit $rc, want $code"; return; fi
  if ! grep -Eq -e "$re" "$T/err"; then bad "$* → stderr '$(cat "$T/err")' does not match /$re/"; return; fi
  if [ -s "$T/out" ]; then bad "$* wrote to stdout on error: $(head -c 100 "$T/out")"; return; fi
  ok
}

printf '{"b": [1, 2.50, "x"], "a": {"é": -0, "big": 123456789012345678901234567890}}' >"$T/doc.json"

# canon: profiles, stdin, no trailing newline
expect 0 '{"a":{"big":123456789012345678901234567890,"é":0},"b":[1,2.5,"x"]}' -- "$PROVA" canon "$T/doc.json"
expect 0 '{"a":{"big":123456789012345678901234567890,"\u00e9":0},"b":[1,2.5,"x"]}' -- "$PROVA" canon --profile ophamin "$T/doc.json"
expect 0 '{"a":{"big":1.2345678901234568e+29,"é":0},"b":[1,2.5,"x"]}' -- "$PROVA" canon --profile=jcs "$T/doc.json"
expect 0 '[1,2]' -- sh -c "printf '[1, 2]' | '$PROVA' canon -"
expect 0 '[1,2]' -- sh -c "printf '[1, 2]' | '$PROVA' canon"
"$PROVA" canon "$T/doc.json" >"$T/c.out"
if [ "$(tail -c 1 "$T/c.out" | od -An -c | tr -d ' ')" = "}" ]; then ok; else bad "canon output ends with a newline"; fi

# hash: the OPE CID by default, other algorithms, and cross-checked against Python hashlib
expect 0 'sha256:56530bcc3b30c0ecab93638d3ba23f069e632ca4530bdd453fb8c31951562279' -- sh -c "printf '{\"user\":\"alice\",\"amount\":42}' | '$PROVA' hash"
for alg in sha256 sha384 sha512 sha3-256 sha3-384 sha3-512; do
  got=$("$PROVA" hash --alg "$alg" --profile jcs "$T/doc.json")
  want=$("$PY" -c 'import hashlib,sys; a=sys.argv[1].replace("-","_"); d=open(sys.argv[2],"rb").read(); print(sys.argv[1]+":"+hashlib.new(a, d).hexdigest())' "$alg" <("$PROVA" canon --profile jcs "$T/doc.json"))
  if [ "$got" = "$want" ]; then ok; else bad "hash $alg: $got vs python $want"; fi
done

# errors: file:line:col, reason code, exit 2, nothing on stdout
printf '{\n  "a": 1,\n  "a": 2\n}' >"$T/dup.json"
expect_err 2 "dup.json:3:3: duplicate member name in object \(json_duplicate_key\) at /a" -- "$PROVA" canon "$T/dup.json"
printf '[1, 2' >"$T/trunc.json"
expect_err 2 "trunc.json:1:6: .*\(json_truncated\)" -- "$PROVA" canon "$T/trunc.json"
printf '["\xff"]' >"$T/utf8.json"
expect_err 2 "utf8.json:1:3: invalid UTF-8 in string \(json_invalid_utf8\) at /0" -- "$PROVA" canon "$T/utf8.json"
printf '[NaN]' >"$T/nan.json"
expect_err 2 "\(json_nonfinite\)" -- "$PROVA" canon "$T/nan.json"
expect 0 '[NaN]' -- "$PROVA" canon --profile ophamin --allow-nonfinite "$T/nan.json"
expect_err 2 "applies to the ophamin profile only" -- "$PROVA" canon --allow-nonfinite "$T/nan.json"
printf '{"a":[[[1]]]}' >"$T/deep.json"
expect_err 2 "\(json_depth_limit\) at /a/0/0" -- "$PROVA" canon --max-depth 3 "$T/deep.json"
expect_err 2 "json_size_limit" -- "$PROVA" canon --max-size 5 "$T/deep.json"
printf '1e400' >"$T/big.json"
expect_err 2 "\(json_number_range\)" -- "$PROVA" canon "$T/big.json"
printf '100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' >"$T/hugeint.json"
expect_err 2 "\(canon_number_range\)" -- "$PROVA" canon --profile jcs "$T/hugeint.json"
printf '' >"$T/empty.json"
expect_err 2 "\(json_empty\)" -- "$PROVA" canon "$T/empty.json"
expect_err 2 "No such file" -- "$PROVA" canon "$T/missing.json"
expect_err 2 "is a directory" -- "$PROVA" canon "$T"
expect_err 2 "unknown profile 'xml'" -- "$PROVA" canon --profile xml "$T/doc.json"
expect_err 2 "--profile needs a value" -- "$PROVA" canon --profile
expect_err 2 "unknown hash algorithm 'md5'" -- "$PROVA" hash --alg md5 "$T/doc.json"
expect_err 2 "unknown option '--bogus'" -- "$PROVA" canon --bogus
expect_err 2 "only one input file" -- "$PROVA" canon "$T/doc.json" "$T/doc.json"
expect_err 2 "unknown command 'frobnicate'" -- "$PROVA" frobnicate
expect_err 2 "usage: prova" -- "$PROVA"

# help on every command, exit 0, on stdout
for c in canon hash keygen jwks demo; do
  expect 0 '*' -- "$PROVA" "$c" --help
  if "$PROVA" "$c" --help | grep -q "usage: prova $c"; then ok; else bad "$c --help"; fi
done
expect 0 '*' -- "$PROVA" --help
expect 0 "prova 0.1.0" -- "$PROVA" --version

# keygen: 0600, kid printed, refuses to overwrite, every algorithm; jwks has no private parts
for alg in ed25519 ed448 ecdsa-p256 ecdsa-p384 ecdsa-p521; do
  kid=$("$PROVA" keygen --alg "$alg" --out "$T/$alg.jwk") || { bad "keygen $alg"; continue; }
  mode=$(stat -c %a "$T/$alg.jwk")
  if [ "$mode" = 600 ]; then ok; else bad "keygen $alg: mode $mode"; fi
  if grep -q "\"kid\":\"$kid\"" "$T/$alg.jwk" && grep -q '"d":' "$T/$alg.jwk"; then ok; else bad "keygen $alg: file lacks kid/d"; fi
done
expect_err 2 "already exists" -- "$PROVA" keygen --out "$T/ed25519.jwk"
expect_err 2 "--out FILE is required" -- "$PROVA" keygen
expect_err 2 "unknown algorithm 'rsa'" -- "$PROVA" keygen --alg rsa --out "$T/x.jwk"
expect 0 "mykey-1" -- "$PROVA" keygen --kid mykey-1 --out "$T/named.jwk"
kid=$("$PROVA" keygen --force --out "$T/ed25519.jwk")
case "$kid" in ed25519-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ok ;; *) bad "default kid '$kid'" ;; esac
"$PROVA" jwks "$T/ed25519.jwk" "$T/ecdsa-p256.jwk" "$T/named.jwk" >"$T/jwks.json"
if "$PY" - "$T/jwks.json" "$kid" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
keys = j["keys"]
assert len(keys) == 3, keys
assert all("d" not in k for k in keys), "private part in JWKS"
assert keys[0]["kid"] == sys.argv[2] and keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"
assert keys[1]["kty"] == "EC" and keys[1]["crv"] == "P-256" and "y" in keys[1]
assert keys[2]["kid"] == "mykey-1"
EOF
then ok; else bad "jwks content"; fi
# key rotation: the keys after --legacy are published with "status":"legacy", after the active ones
"$PROVA" jwks "$T/named.jwk" --legacy "$T/ed25519.jwk" >"$T/rot.json"
if "$PY" - "$T/rot.json" <<'EOF'
import json, sys
keys = json.load(open(sys.argv[1]))["keys"]
assert [k["status"] for k in keys] == ["active", "legacy"], keys
assert keys[0]["kid"] == "mykey-1" and all("d" not in k for k in keys)
EOF
then ok; else bad "jwks --legacy"; fi
printf 'not a key' >"$T/junk.key"
expect_err 2 "junk.key" -- "$PROVA" jwks "$T/junk.key"
expect_err 2 "No such file" -- "$PROVA" jwks "$T/nope.jwk"
expect_err 2 "at least one key file" -- "$PROVA" jwks

# demo: runs and reports both outcomes
out=$("$PROVA" demo) && echo "$out" | grep -q "Verify the untouched record: VALID" && echo "$out" | grep -q "INVALID - the edit is detected" && ok || bad "demo"
# demo CID matches Python's canonical form + hashlib
cid=$(echo "$out" | sed -n 's/^   \(sha256:[0-9a-f]*\)$/\1/p')
pycid=$("$PY" -c '
import json, hashlib
d = {"agent":"travel-assistant","action":"book_flight","args":{"from":"ZRH","to":"LIS","date":"2026-12-03","max_price_eur":420.0},"user":"Zo\u00eb","approved":True,"step":3}
print("sha256:" + hashlib.sha256(json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest())')
if [ "$cid" = "$pycid" ]; then ok; else bad "demo CID $cid vs python $pycid"; fi

# output to a closed pipe / full device is an I/O error (exit 3), not a crash
if [ -w /dev/full ]; then
  "$PROVA" canon "$T/doc.json" >/dev/full 2>"$T/err"; rc=$?
  if [ $rc = 3 ] && grep -q "write to stdout" "$T/err"; then ok; else bad "/dev/full → exit $rc"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
