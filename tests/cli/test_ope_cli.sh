#!/usr/bin/env bash
# Black-box tests of the OPE commands of `prova`: pack, verify, receipt append, bundle (docs/ope.md).
# Exit codes, messages, report members, tampering, chains (JSON Lines, stdin), key rotation, bundles.
# Usage: test_ope_cli.sh PROVA        prints "N passed, M failed" last; exits non-zero on any failure.
set -u
PROVA=${1:?usage: test_ope_cli.sh PROVA}
PY=/usr/bin/python3
. "$(dirname "$0")/../testlib.sh"

# pick FILE N...: the lines N... of FILE, in that order
pick() {
  local f=$1 n
  shift
  for n in "$@"; do sed -n "${n}p" "$f"; done
}

same_bytes() { # NAME A B
  if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi
}

TS=2025-08-22T04:18:05.123456+00:00
NOW=2025-08-22T04:18:30+00:00
PAST_NOW=2025-08-22T04:08:05+00:00   # the verifier's clock 10 min before ts: ts is in the future
FUTURE_NOW=2025-08-22T04:28:05+00:00 # 10 min after ts: ts is stale
KT=(--payload-type vendor.v1 --target-type canonical.v1)

# ---- keys ---------------------------------------------------------------------------------------------------------
SKID=$("$PROVA" keygen --out "$T/sender.jwk") || { bad "keygen sender"; echo "$pass passed, $fail failed"; exit 1; }
GW1KID=$("$PROVA" keygen --out "$T/gw1.jwk") || bad "keygen gw1"
GW2KID=$("$PROVA" keygen --out "$T/gw2.jwk") || bad "keygen gw2"
"$PROVA" keygen --out "$T/other.jwk" >/dev/null || bad "keygen other"
"$PROVA" jwks "$T/sender.jwk" >"$T/sender_jwks.json" || bad "jwks sender"
"$PROVA" jwks "$T/other.jwk" >"$T/other_jwks.json" || bad "jwks other"
"$PROVA" jwks "$T/gw1.jwk" >"$T/gw1_jwks.json" || bad "jwks gw1"
"$PROVA" jwks "$T/gw2.jwk" >"$T/gw2_jwks.json" || bad "jwks gw2"
"$PROVA" jwks "$T/gw1.jwk" "$T/gw2.jwk" >"$T/gw_jwks.json" || bad "jwks gw1+gw2"

printf '{"invoice_id": "INV-1", "amount": 100.25, "currency": "EUR", "note": "caf\\u00e9 \\ud83d\\ude00", "big": 123456789012345678901234567890}' >"$T/payload.json"

# ---- help ---------------------------------------------------------------------------------------------------------
for c in pack verify receipt bundle; do
  t "$c --help" 0 "usage: prova $c" - -- "$PROVA" "$c" --help
done

# ---- pack: usage and input errors -----------------------------------------------------------------------------------
t "pack without --key" 2 - "--key" -- "$PROVA" pack "${KT[@]}" "$T/payload.json"
if [ -s "$T/out" ]; then bad "pack without --key wrote to stdout"; else ok; fi
t "pack without --payload-type" 2 - "payload-type" -- "$PROVA" pack --key "$T/sender.jwk" --target-type u "$T/payload.json"
t "pack without --target-type" 2 - "target-type" -- "$PROVA" pack --key "$T/sender.jwk" --payload-type p "$T/payload.json"
t "pack without types" 2 - "payload-type|target-type" -- "$PROVA" pack --key "$T/sender.jwk" "$T/payload.json"
t "pack --key missing file" 2 - "nokey.jwk" -- "$PROVA" pack --key "$T/nokey.jwk" "${KT[@]}" "$T/payload.json"
t "pack unknown dialect" 2 - "dialect" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --dialect lite "$T/payload.json"
t "pack --bind with --dialect ope-lib" 2 - "bind" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --bind --dialect ope-lib "$T/payload.json"
t "pack bad --ts" 2 - "ts" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts yesterday "$T/payload.json"
t "pack --ts without offset" 2 - "ts" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts 2025-08-22T04:18:05 "$T/payload.json"
"$PROVA" jwks "$T/sender.jwk" | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["keys"][0]))' >"$T/sender_pub.jwk"
t "pack with a public key only" 2 - "." -- "$PROVA" pack --key "$T/sender_pub.jwk" "${KT[@]}" "$T/payload.json"
printf '[1, 2]' >"$T/array.json"
t "pack of an array payload" 2 - "array.json.*(object|payload_not_object)" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/array.json"
if [ -s "$T/out" ]; then bad "pack of an array wrote to stdout"; else ok; fi
printf '"just a string"' >"$T/string.json"
t "pack of a string payload" 2 - "string.json" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/string.json"
printf '{\n  "a": 1,\n  "b": tru\n}' >"$T/badjson.json"
t "pack of invalid JSON names file:line:col" 2 - "badjson.json:3:[0-9]+: .*\(json_[a-z_]+\)" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/badjson.json"
printf '{"a": 1,}' >"$T/trailing_comma.json"
t "pack of invalid JSON (trailing comma)" 2 - "trailing_comma.json:1:[0-9]+:" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/trailing_comma.json"
printf '' >"$T/empty.json"
t "pack of an empty file" 2 - "empty.json" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/empty.json"
t "pack of a missing file" 2 - "missing.json" -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/missing.json"

# ---- pack: the envelopes --------------------------------------------------------------------------------------------
P=("$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-cli-1)
t "pack (prova dialect)" 0 - - -- "${P[@]}" "$T/payload.json" && cp "$T/out" "$T/env_prova.json"
pycheck "pack prova members" "$T/env_prova.json" 'd["version"] == 1 and d["sig_alg"] == "ed25519" and len(d["sig"]) == 86 and d["kid"] == "'"$SKID"'" and d["trace_id"] == "trace-cli-1" and d["ts"] == "'"$TS"'" and d["payload_type"] == "vendor.v1" and d["target_type"] == "canonical.v1"'
t "pack --dialect ope-lib" 0 - - -- "${P[@]}" --dialect ope-lib "$T/payload.json" && cp "$T/out" "$T/env_opelib.json"
pycheck "pack ope-lib members" "$T/env_opelib.json" 'set(d) == {"payload","payload_type","target_type","cid","trace_id","ts","sender_sig","kid"}'
t "pack --dialect starter" 0 - - -- "${P[@]}" --dialect starter "$T/payload.json" && cp "$T/out" "$T/env_starter.json"
pycheck "pack starter members" "$T/env_starter.json" 'set(d) == {"trace_id","ts","sender","payload","payload_type","target_type","cid","signature"} and d["sender"]["kid"] == "'"$SKID"'" and "x" in d["sender"]["jwk"] and "d" not in d["sender"]["jwk"]'
t "pack --bind" 0 - - -- "${P[@]}" --bind "$T/payload.json" && cp "$T/out" "$T/env_bind.json"
pycheck "pack --bind sig_scope" "$T/env_bind.json" 'd["sig_scope"] == "envelope"'
t "pack from stdin (-)" 0 '"trace_id":"trace-cli-1"' - -- sh -c "'${P[0]}' pack --key '$T/sender.jwk' --payload-type a --target-type b --ts '$TS' --trace-id trace-cli-1 - <'$T/payload.json'"
t "pack from stdin (no file)" 0 '"payload"' - -- sh -c "'${P[0]}' pack --key '$T/sender.jwk' --payload-type a --target-type b <'$T/payload.json'"
t "pack with a default trace_id and ts" 0 - - -- "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/payload.json"
pycheck "default trace_id is a UUIDv4, ts has microseconds and +00:00" "$T/out" '__import__("re").fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", d["trace_id"]) and __import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", d["ts"])'
"$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" "$T/payload.json" >"$T/env_now.json"
t "a fresh envelope verifies with the real clock" 0 "VALID" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" "$T/env_now.json"

# ---- verify: valid --------------------------------------------------------------------------------------------------
V=("$PROVA" verify --jwks "$T/sender_jwks.json" --now "$NOW")
for e in prova opelib starter bind; do
  t "verify $e envelope" 0 "VALID" - -- "${V[@]}" "$T/env_$e.json"
  if [ "$(tail -n 1 "$T/out")" = VALID ]; then ok; else bad "verify $e: last line is not VALID; $(show)"; fi
  if grep -q INVALID "$T/out"; then bad "verify $e: output says INVALID"; else ok; fi
done
t "verify with --key instead of --jwks" 0 "VALID" - -- "$PROVA" verify --key "$T/sender.jwk" --now "$NOW" "$T/env_prova.json"
t "verify with the public JWK as --key" 0 "VALID" - -- "$PROVA" verify --key "$T/sender_pub.jwk" --now "$NOW" "$T/env_prova.json"
t "verify with two JWKS, the second holding the key" 0 "VALID" - -- "$PROVA" verify --jwks "$T/other_jwks.json" --jwks "$T/sender_jwks.json" --now "$NOW" "$T/env_prova.json"
t "verify from stdin (-)" 0 "VALID" - -- sh -c "'$PROVA' verify --jwks '$T/sender_jwks.json' --now '$NOW' - <'$T/env_prova.json'"
t "verify from stdin (no file)" 0 "VALID" - -- sh -c "'$PROVA' verify --jwks '$T/sender_jwks.json' --now '$NOW' <'$T/env_prova.json'"
t "verify a pretty-printed envelope" 0 "VALID" - -- sh -c "'$PY' -m json.tool '$T/env_prova.json' | '$PROVA' verify --jwks '$T/sender_jwks.json' --now '$NOW' -"

# ---- verify: --json -------------------------------------------------------------------------------------------------
t "verify --json valid" 0 - - -- "${V[@]}" --json "$T/env_prova.json" && cp "$T/out" "$T/rep.json"
pycheck "--json: documented members" "$T/rep.json" 'd["valid"] is True and d["kind"] == "ope_envelope" and isinstance(d["warnings"], list) and d["checks"] and all(set(c) >= {"check","ok","code","message","at"} for c in d["checks"])'
pycheck "--json: checks in order schema, cid, signature, timestamp" "$T/rep.json" '[c["check"] for c in d["checks"]][:4] == ["schema","cid","signature","timestamp"]'
pycheck "--json: unauthenticated_fields lists what cid|trace_id|ts does not cover" "$T/rep.json" 'set(d["unauthenticated_fields"]) == {"kid","payload_type","target_type","version","sig_alg"}'
pycheck "--json: a warning about the unauthenticated fields" "$T/rep.json" 'any(w["code"] == "unauthenticated_fields" for w in d["warnings"])'
pycheck "--json: keys says which key and where from" "$T/rep.json" 'd["keys"][0]["kid"] == "'"$SKID"'" and "sender_jwks.json" in d["keys"][0]["source"]'
t "verify --json bound envelope" 0 - - -- "${V[@]}" --json "$T/env_bind.json" && cp "$T/out" "$T/rep_bind.json"
pycheck "--json bound: nothing unauthenticated" "$T/rep_bind.json" 'd["valid"] and not d.get("unauthenticated_fields")'
t "verify --json single line" 0 - - -- "${V[@]}" --json "$T/env_prova.json"
if [ "$(wc -l <"$T/out")" = 1 ]; then ok; else bad "--json output is not one line"; fi

# ---- verify: tampered (exit 1, the reason code in the output) ------------------------------------------------------
pyedit "$T/env_prova.json" "$T/tp_payload.json" 'd["payload"]["amount"] = 999.99'
t "tampered payload" 1 "cid_mismatch" - -- "${V[@]}" "$T/tp_payload.json"
if [ "$(tail -n 1 "$T/out")" = INVALID ]; then ok; else bad "tampered payload: last line is not INVALID; $(show)"; fi
pyedit "$T/env_prova.json" "$T/tp_cid.json" 'd["cid"] = d["cid"][:-1] + ("0" if d["cid"][-1] != "0" else "1")'
t "tampered cid" 1 "cid_mismatch" - -- "${V[@]}" "$T/tp_cid.json"
pyedit "$T/env_prova.json" "$T/tp_trace.json" 'd["trace_id"] = "trace-cli-2"'
t "tampered trace_id" 1 "signature_invalid" - -- "${V[@]}" "$T/tp_trace.json"
pyedit "$T/env_prova.json" "$T/tp_ts.json" 'd["ts"] = d["ts"].replace(":05.", ":06.")'
t "tampered ts" 1 "signature_invalid" - -- "${V[@]}" "$T/tp_ts.json"
pyedit "$T/env_prova.json" "$T/tp_sig.json" 'd["sig"] = ("B" if d["sig"][0] == "A" else "A") + d["sig"][1:]'
t "tampered sig" 1 "signature_invalid" - -- "${V[@]}" "$T/tp_sig.json"
pyedit "$T/env_opelib.json" "$T/tp_opelib.json" 'd["payload"]["currency"] = "USD"'
t "tampered ope-lib payload" 1 "cid_mismatch" - -- "${V[@]}" "$T/tp_opelib.json"
pyedit "$T/env_starter.json" "$T/tp_starter.json" 'd["trace_id"] = "x"'
t "tampered starter trace_id" 1 "signature_invalid" - -- "${V[@]}" "$T/tp_starter.json"
pyedit "$T/env_bind.json" "$T/tp_bind.json" 'd["target_type"] = "evil.v1"'
t "tampered target_type of a bound envelope" 1 "signature_invalid" - -- "${V[@]}" "$T/tp_bind.json"
pyedit "$T/env_prova.json" "$T/tp_type.json" 'd["target_type"] = "evil.v1"'
t "changed target_type of an unbound envelope still verifies (unauthenticated)" 0 "VALID" - -- "${V[@]}" "$T/tp_type.json"
pyedit "$T/env_prova.json" "$T/tp_nosig.json" 'del d["sig"]'
t "envelope without sig" 1 "missing_sig_or_kid" - -- "${V[@]}" "$T/tp_nosig.json"
pyedit "$T/env_prova.json" "$T/tp_alg.json" 'd["sig_alg"] = "rs256"'
t "sig_alg not ed25519" 1 "schema_error" - -- "${V[@]}" "$T/tp_alg.json"
t "verify --json tampered" 1 - - -- "${V[@]}" --json "$T/tp_payload.json" && cp "$T/out" "$T/rep_bad.json"
pycheck "--json tampered: valid false, the failing check and its code" "$T/rep_bad.json" 'd["valid"] is False and fails(d)[0]["check"] == "cid" and fails(d)[0]["code"] == "cid_mismatch" and fails(d)[0]["at"] == "/cid"'
t "verify without any key" 1 "kid_not_found" - -- "$PROVA" verify --now "$NOW" "$T/env_prova.json"
t "verify with the wrong JWKS" 1 "kid_not_found" - -- "$PROVA" verify --jwks "$T/other_jwks.json" --now "$NOW" "$T/env_opelib.json"

# ---- verify: bad input (exit 2) -------------------------------------------------------------------------------------
printf 'this is not json\n' >"$T/notjson.txt"
t "verify not JSON" 2 - "notjson.txt:1:1:" -- "$PROVA" verify "$T/notjson.txt"
printf '{"env": "x", "payload": 1' >"$T/trunc.json"
t "verify truncated JSON" 2 - "trunc.json:1:[0-9]+:" -- "$PROVA" verify "$T/trunc.json"
t "verify --json not JSON" 2 - - -- "$PROVA" verify --json "$T/notjson.txt"
pycheck "verify --json not JSON: still a report" "$T/out" 'd["valid"] is False and d["checks"][0]["code"].startswith("json_")'
printf '{"hello": "world", "n": 1}' >"$T/notope.json"
t "verify not an OPE document" 2 "not a document prova knows" - -- "$PROVA" verify "$T/notope.json"
printf '[1, 2, 3]' >"$T/notope2.json"
t "verify an array of numbers" 2 - - -- "$PROVA" verify "$T/notope2.json"
t "verify an empty file" 2 - - -- "$PROVA" verify "$T/empty.json"
t "verify a missing file" 2 - "nothere.json" -- "$PROVA" verify "$T/nothere.json"
t "verify --now garbage" 2 - "now" -- "$PROVA" verify --now tomorrow "$T/env_prova.json"
t "verify --max-skew garbage" 2 - "max-skew" -- "$PROVA" verify --max-skew -5 "$T/env_prova.json"
t "verify unknown option" 2 - "bogus" -- "$PROVA" verify --bogus "$T/env_prova.json"
printf 'not a jwks' >"$T/junk_jwks.json"
t "verify --jwks that is not JSON" 2 - "junk_jwks.json" -- "$PROVA" verify --jwks "$T/junk_jwks.json" "$T/env_prova.json"

# ---- starter envelopes: the embedded key is trusted only on request -------------------------------------------------
t "starter envelope, no JWKS, no --trust-embedded-key" 1 "kid_not_found" - -- "$PROVA" verify --now "$NOW" "$T/env_starter.json"
t "starter envelope with --trust-embedded-key" 0 "VALID" - -- "$PROVA" verify --trust-embedded-key --now "$NOW" "$T/env_starter.json"
t "starter --trust-embedded-key --json" 0 - - -- "$PROVA" verify --json --trust-embedded-key --now "$NOW" "$T/env_starter.json"
pycheck "starter: keys says the key was embedded" "$T/out" '"embedded" in d["keys"][0]["source"]'
pyedit "$T/env_starter.json" "$T/starter_swapped.json" 'import json; o = json.load(open("'"$T"'/other_jwks.json"))["keys"][0]; d["sender"]["jwk"] = o'
t "starter with another embedded key" 1 "signature_invalid" - -- "$PROVA" verify --trust-embedded-key --now "$NOW" "$T/starter_swapped.json"

# ---- freshness --------------------------------------------------------------------------------------------------------
t "--now after ts beyond the window: valid, stale warning" 0 "stale_timestamp" - -- "${V[0]}" verify --jwks "$T/sender_jwks.json" --now "$FUTURE_NOW" "$T/env_prova.json"
if [ "$(tail -n 1 "$T/out")" = VALID ]; then ok; else bad "stale: last line is not VALID; $(show)"; fi
t "--now after ts --json: warning" 0 - - -- "$PROVA" verify --json --jwks "$T/sender_jwks.json" --now "$FUTURE_NOW" "$T/env_prova.json"
pycheck "stale_timestamp is a warning, not a failure" "$T/out" 'd["valid"] and any(w["code"] == "stale_timestamp" for w in d["warnings"])'
t "--now before ts beyond the window: timestamp_skew" 1 "timestamp_skew" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now "$PAST_NOW" "$T/env_prova.json"
t "--no-skew accepts a future ts" 0 "VALID" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now "$PAST_NOW" --no-skew "$T/env_prova.json"
t "--max-skew 900 accepts ts 10 min ahead" 0 "VALID" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now "$PAST_NOW" --max-skew 900 "$T/env_prova.json"
t "--max-skew 10 rejects ts 25 s ahead" 1 "timestamp_skew" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now 2025-08-22T04:17:40+00:00 --max-skew 10 "$T/env_prova.json"
t "--now with a Z offset" 0 "VALID" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now 2025-08-22T04:18:30Z "$T/env_prova.json"
t "ts exactly 300 s ahead is inside the window" 0 "VALID" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now 2025-08-22T04:13:05.123456+00:00 "$T/env_prova.json"
t "ts 300.000001 s ahead is beyond the window" 1 "timestamp_skew" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now 2025-08-22T04:13:05.123455+00:00 "$T/env_prova.json"
t "ts 300 s behind: no stale warning yet" 0 - - -- "$PROVA" verify --json --jwks "$T/sender_jwks.json" --now 2025-08-22T04:23:05.123456+00:00 "$T/env_prova.json"
pycheck "no stale warning at exactly 300 s" "$T/out" 'd["valid"] and not any(w["code"] == "stale_timestamp" for w in d["warnings"])'
"$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --expires-at 2025-08-22T04:20:00+00:00 --not-before 2025-08-22T04:18:00+00:00 "$T/payload.json" >"$T/env_window.json"
t "inside not_before/expires_at" 0 "VALID" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now "$NOW" "$T/env_window.json"
t "after expires_at" 1 "expired" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now 2025-08-22T04:21:00+00:00 "$T/env_window.json"
t "before not_before" 1 "not_yet_valid" - -- "$PROVA" verify --jwks "$T/sender_jwks.json" --now 2025-08-22T04:17:30+00:00 "$T/env_window.json"

# ---- receipt append -------------------------------------------------------------------------------------------------
C="$T/chain.jsonl"
RA=("$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C" --sender-jwks "$T/sender_jwks.json" --now "$NOW")
t "receipt append: an envelope that does not verify is refused (no chain yet)" 1 - "cid_mismatch|verify" -- "${RA[@]}" "$T/tp_payload.json"
if [ -e "$C" ]; then bad "receipt append of a bad envelope created the chain file"; else ok; fi
t "receipt append without --key" 2 - "key" -- "$PROVA" receipt append --chain "$C" --sender-jwks "$T/sender_jwks.json" "$T/env_prova.json"
t "receipt append without --chain" 2 - "chain" -- "$PROVA" receipt append --key "$T/gw1.jwk" --sender-jwks "$T/sender_jwks.json" "$T/env_prova.json"
t "receipt without a subcommand" 2 - "append" -- "$PROVA" receipt --key "$T/gw1.jwk" --chain "$C" "$T/env_prova.json"
t "receipt append of a non-envelope" 2 - "envelope|notope" -- "${RA[@]}" "$T/notope.json"
t "receipt append of non-JSON" 2 - - -- "${RA[@]}" "$T/notjson.txt"
if [ -e "$C" ]; then bad "receipt append of bad input created the chain file"; else ok; fi

for hop in 0 1 2; do
  "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-R --dialect "$([ $hop = 1 ] && echo ope-lib || echo prova)" "$T/payload.json" >"$T/renv$hop.json"
  t "receipt append hop $hop" 0 "\"hop\":$hop" - -- "${RA[@]}" --ts "2025-08-22T04:18:1$hop.000000+00:00" "$T/renv$hop.json"
  cp "$T/out" "$T/receipt$hop.json"
  if [ "$(tail -n 1 "$C")" = "$(cat "$T/out")" ]; then ok; else bad "receipt append hop $hop: printed receipt is not the last chain line"; fi
done
if [ "$(wc -l <"$C")" = 3 ]; then ok; else bad "chain has $(wc -l <"$C") lines, want 3"; fi
pycheck "receipt hop 0: prev null, gateway_kid, starter members" "$T/receipt0.json" 'd["prev_receipt_hash"] is None and d["gateway_kid"] == "'"$GW1KID"'" and d["trace_id"] == "trace-R" and d["policy"] == {"passed": True, "rules": []} and d["policy_engine"] is None and len(d["receipt_hash"]) == 64'
pycheck "receipt hop 1 links to hop 0" "$T/receipt1.json" 'd["prev_receipt_hash"] == json.load(open("'"$T"'/receipt0.json"))["receipt_hash"]'
cp "$C" "$T/chain_before.jsonl"
t "receipt append refuses a tampered envelope" 1 - "cid_mismatch|verify" -- "${RA[@]}" "$T/tp_payload.json"
same_bytes "chain unchanged after a refused envelope" "$T/chain_before.jsonl" "$C"
t "receipt append refuses a bad signature" 1 - "signature_invalid|verify" -- "${RA[@]}" "$T/tp_sig.json"
same_bytes "chain unchanged after a bad signature" "$T/chain_before.jsonl" "$C"
t "receipt append refuses an unknown sender" 1 - "kid_not_found|verify" -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C" --sender-jwks "$T/other_jwks.json" --now "$NOW" "$T/renv0.json"
same_bytes "chain unchanged after an unknown sender" "$T/chain_before.jsonl" "$C"
t "receipt append refuses a future envelope" 1 - "timestamp_skew|verify" -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C" --sender-jwks "$T/sender_jwks.json" --now "$PAST_NOW" "$T/renv0.json"
same_bytes "chain unchanged after a future envelope" "$T/chain_before.jsonl" "$C"
t "receipt append refuses a starter envelope without a trusted key" 1 - "kid_not_found|verify" -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C" --now "$NOW" "$T/env_starter.json"
same_bytes "chain unchanged after an untrusted starter envelope" "$T/chain_before.jsonl" "$C"

t "verify the chain" 0 "VALID" - -- "$PROVA" verify "$C" --jwks "$T/gw1_jwks.json"
t "verify the chain --json" 0 - - -- "$PROVA" verify --json "$C" --jwks "$T/gw1_jwks.json"
pycheck "chain kind ope_receipt_chain" "$T/out" 'd["valid"] and d["kind"] == "ope_receipt_chain"'
t "verify the chain from stdin (-)" 0 "VALID" - -- sh -c "'$PROVA' verify --jwks '$T/gw1_jwks.json' - <'$C'"
t "verify the chain from a pipe (no file)" 0 "VALID" - -- sh -c "cat '$C' | '$PROVA' verify --jwks '$T/gw1_jwks.json'"
t "verify the chain with CRLF line ends" 0 "VALID" - -- sh -c "sed 's/\$/\\r/' '$C' | '$PROVA' verify --jwks '$T/gw1_jwks.json' -"
t "verify the chain with blank lines" 0 "VALID" - -- sh -c "sed 'G' '$C' | '$PROVA' verify --jwks '$T/gw1_jwks.json' -"
t "verify the chain without the gateway key" 1 "kid_not_found" - -- "$PROVA" verify "$C" --jwks "$T/sender_jwks.json"
t "verify one receipt" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/receipt1.json"
t "verify one receipt --json" 0 - - -- "$PROVA" verify --json --jwks "$T/gw1_jwks.json" "$T/receipt1.json"
pycheck "one receipt: kind ope_receipt" "$T/out" 'd["kind"] == "ope_receipt"'
"$PY" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])], indent=2))' "$C" >"$T/chain_array.json"
t "verify the chain as a JSON array" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/chain_array.json"

# delete, reorder, duplicate lines
sed '2d' "$C" >"$T/c_del_mid.jsonl"
t "chain with the middle line deleted" 1 "hop_mismatch|chain_broken" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_del_mid.jsonl"
sed '1d' "$C" >"$T/c_del_first.jsonl"
t "chain with the first line deleted" 1 "hop_mismatch|chain_broken" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_del_first.jsonl"
sed '3d' "$C" >"$T/c_del_last.jsonl"
t "chain with the last line deleted is a shorter valid chain" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_del_last.jsonl"
pick "$C" 1 3 2 >"$T/c_swap.jsonl"
t "chain with lines 2 and 3 swapped" 1 "hop_mismatch|chain_broken" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_swap.jsonl"
pick "$C" 2 1 3 >"$T/c_swap01.jsonl"
t "chain with lines 1 and 2 swapped" 1 "hop_mismatch|chain_broken" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_swap01.jsonl"
pick "$C" 1 2 2 3 >"$T/c_dup.jsonl"
t "chain with line 2 duplicated" 1 "hop_mismatch|chain_broken" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_dup.jsonl"
pick "$C" 1 2 3 3 >"$T/c_dup_last.jsonl"
t "chain with the last line duplicated" 1 "hop_mismatch|chain_broken" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_dup_last.jsonl"
t "--json of a reordered chain names hop_mismatch/chain_broken" 1 - - -- "$PROVA" verify --json --jwks "$T/gw1_jwks.json" "$T/c_swap.jsonl"
pycheck "reordered chain codes" "$T/out" 'd["valid"] is False and set(codes(d)) <= {"hop_mismatch","chain_broken"} and codes(d)'
"$PY" - "$C" "$T/c_edit.jsonl" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
lines[1]["policy"]["passed"] = False
open(sys.argv[2], "w").write("".join(json.dumps(r) + "\n" for r in lines))
EOF
t "chain with a receipt edited" 1 "receipt_hash_mismatch" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_edit.jsonl"
"$PY" - "$C" "$T/c_badline.jsonl" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
lines[1] = lines[1][:-5]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
EOF
t "chain with a broken JSON line names the line" 2 - "c_badline.jsonl:2:" -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/c_badline.jsonl"

# receipt append from stdin
"$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-R "$T/payload.json" >"$T/renv3.json"
t "receipt append, envelope on stdin" 0 '"hop":3' - -- sh -c "'$PROVA' receipt append --key '$T/gw1.jwk' --chain '$C' --sender-jwks '$T/sender_jwks.json' --now '$NOW' - <'$T/renv3.json'"
t "chain of 4 verifies" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$C"

# receipt append: other sender-key options and --policy
C4="$T/chain_opts.jsonl"
"$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-O --dialect starter "$T/payload.json" >"$T/o0.json"
t "receipt append: starter envelope with --trust-embedded-key" 0 '"hop":0' - -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C4" --trust-embedded-key --now "$NOW" "$T/o0.json"
"$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-O "$T/payload.json" >"$T/o1.json"
t "receipt append: --sender-key" 0 '"hop":1' - -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C4" --sender-key "$T/sender_pub.jwk" --now "$NOW" "$T/o1.json"
"$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-O "$T/payload.json" >"$T/o2.json"
POL='{"passed": true, "rules": [{"rule": "HEL:HTTP_EGRESS_LIMITATION", "reasons": ["allowed:example.com"]}]}'
t "receipt append: --policy" 0 '"hop":2' - -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C4" --sender-jwks "$T/sender_jwks.json" --policy "$POL" --now "$NOW" "$T/o2.json"
pycheck "receipt append: the policy is in the receipt" "$T/out" 'd["policy"] == {"passed": True, "rules": [{"rule": "HEL:HTTP_EGRESS_LIMITATION", "reasons": ["allowed:example.com"]}]}'
cp "$C4" "$T/chain_opts_before.jsonl"
t "receipt append: --policy not an object" 2 - "policy" -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C4" --sender-jwks "$T/sender_jwks.json" --policy '[1]' --now "$NOW" "$T/o2.json"
t "receipt append: --policy not JSON" 2 - "policy" -- "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C4" --sender-jwks "$T/sender_jwks.json" --policy '{oops' --now "$NOW" "$T/o2.json"
same_bytes "chain unchanged after a bad --policy" "$T/chain_opts_before.jsonl" "$C4"
t "chain with starter, --sender-key and --policy receipts verifies" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$C4"

# ---- key rotation: a chain signed by two gateway keys ---------------------------------------------------------------
C2="$T/chain_rot.jsonl"
for hop in 0 1 2 3; do
  key=$([ $hop -lt 2 ] && echo gw1 || echo gw2)
  "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id trace-rot "$T/payload.json" >"$T/rot$hop.json"
  t "rotation: append hop $hop with $key" 0 "\"hop\":$hop" - -- "$PROVA" receipt append --key "$T/$key.jwk" --chain "$C2" --sender-jwks "$T/sender_jwks.json" --now "$NOW" "$T/rot$hop.json"
done
pycheck "rotation: hop 3 names the new key" "$T/out" 'd["gateway_kid"] == "'"$GW2KID"'"'
t "rotation: JWKS with both keys" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$C2"
t "rotation: two JWKS files, one key each" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" --jwks "$T/gw2_jwks.json" "$C2"
t "rotation: --key twice" 0 "VALID" - -- "$PROVA" verify --key "$T/gw1.jwk" --key "$T/gw2.jwk" "$C2"
t "rotation: JWKS with the old key only" 1 "kid_not_found" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$C2"
t "rotation: JWKS with the new key only" 1 "kid_not_found" - -- "$PROVA" verify --jwks "$T/gw2_jwks.json" "$C2"
t "rotation: --json lists both keys" 0 - - -- "$PROVA" verify --json --jwks "$T/gw_jwks.json" "$C2"
pycheck "rotation: keys has both kids" "$T/out" '{k["kid"] for k in d["keys"]} == {"'"$GW1KID"'", "'"$GW2KID"'"}'

# ---- bundles ----------------------------------------------------------------------------------------------------------
B=("$PROVA" bundle --key "$T/gw2.jwk" --chain "$C2" --trace-id trace-rot --exported-at 2025-08-22T05:00:00+00:00)
t "bundle (starter form)" 0 '"bundle_signature"' - -- "${B[@]}" && cp "$T/out" "$T/bundle_starter.json"
pycheck "starter bundle members" "$T/bundle_starter.json" 'set(d["bundle"]) == {"trace_id","exported_at","gateway_kid","receipts","chain_valid","count"} and d["bundle"]["count"] == 4 and d["bundle"]["chain_valid"] is True and d["bundle"]["gateway_kid"] == "'"$GW2KID"'"'
t "verify starter bundle" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/bundle_starter.json"
t "verify starter bundle --json" 0 - - -- "$PROVA" verify --json --jwks "$T/gw_jwks.json" "$T/bundle_starter.json"
pycheck "bundle kind ope_bundle" "$T/out" 'd["valid"] and d["kind"] == "ope_bundle"'
t "bundle --form ope-lib" 0 '"signature"' - -- "${B[@]}" --form ope-lib && cp "$T/out" "$T/bundle_opelib.json"
pycheck "ope-lib bundle members" "$T/bundle_opelib.json" 'set(d) == {"bundle","bundle_cid","signature","kid"} and set(d["bundle"]) == {"trace_id","exported_at","receipts"}'
t "verify ope-lib bundle" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/bundle_opelib.json"
t "verify bundle from stdin" 0 "VALID" - -- sh -c "'$PROVA' verify --jwks '$T/gw_jwks.json' <'$T/bundle_starter.json'"
for f in starter opelib; do
  pyedit "$T/bundle_$f.json" "$T/tb_cid_$f.json" 'd["bundle_cid"] = d["bundle_cid"][:-1] + ("0" if d["bundle_cid"][-1] != "0" else "1")'
  t "tampered bundle_cid ($f)" 1 "bundle_cid_mismatch" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tb_cid_$f.json"
  pyedit "$T/bundle_$f.json" "$T/tb_rc_$f.json" 'd["bundle"]["receipts"].pop()'
  t "bundle with a receipt removed ($f)" 1 "bundle_cid_mismatch" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tb_rc_$f.json"
done
# the flat form of seed 003 §4: built by prova, and by Python as the seed reads (no kid, "bundle_cid":"PENDING")
t "bundle --form flat" 0 '"bundle_signature"' - -- "${B[@]}" --form flat && cp "$T/out" "$T/bundle_flat.json"
pycheck "flat bundle members" "$T/bundle_flat.json" 'set(d) == {"trace_id","exported_at","kid","receipts","bundle_cid","bundle_signature"} and d["kid"] == "'"$GW2KID"'" and len(d["receipts"]) == 4'
t "verify flat bundle" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/bundle_flat.json"
t "verify flat bundle --json" 0 - - -- "$PROVA" verify --json --jwks "$T/gw_jwks.json" "$T/bundle_flat.json"
pycheck "flat bundle: kind, variant, nothing unauthenticated" "$T/out" 'd["valid"] and d["kind"] == "ope_bundle" and "cid variant without_cid)" in [c["message"] for c in d["checks"] if c["check"] == "bundle.cid"][0] and "unauthenticated_fields" not in d'
"$PY" - "$T/gw2.jwk" "$T/bundle_flat.json" "$T/bundle_flat_py.json" <<'PYEOF' 2>"$T/pyerr" && ok || bad "python flat bundle: $(tail -n 1 "$T/pyerr")"
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
jwk = json.load(open(sys.argv[1]))
sk = Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(jwk["d"] + "=" * (-len(jwk["d"]) % 4)))
src = json.load(open(sys.argv[2]))
b = {"trace_id": src["trace_id"], "exported_at": "2025-08-22T05:00:01+00:00", "receipts": src["receipts"],
     "bundle_cid": "PENDING"}
b["bundle_cid"] = "sha256:" + hashlib.sha256(json.dumps(b, sort_keys=True, separators=(",", ":"),
                                                        ensure_ascii=False).encode()).hexdigest()
msg = "%s|%s|%s" % (b["bundle_cid"], b["trace_id"], b["exported_at"])
b["bundle_signature"] = base64.urlsafe_b64encode(sk.sign(msg.encode())).rstrip(b"=").decode()
json.dump(b, open(sys.argv[3], "w"))
PYEOF
t "verify python's flat bundle (PENDING variant, no kid)" 0 "cid variant pending_cid\)" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/bundle_flat_py.json"
pyedit "$T/bundle_flat.json" "$T/tf_rc.json" 'd["receipts"][2]["policy"] = {"passed": False, "rules": []}'
t "flat: edited receipt" 1 "bundle_cid_mismatch" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tf_rc.json"
pyedit "$T/bundle_flat.json" "$T/tf_exp.json" 'd["exported_at"] = "2025-08-22T05:00:01+00:00"'
t "flat: edited exported_at" 1 "bundle_cid_mismatch" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tf_exp.json"
pyedit "$T/bundle_flat.json" "$T/tf_cid.json" 'd["bundle_cid"] = d["bundle_cid"][:-1] + ("0" if d["bundle_cid"][-1] != "0" else "1")'
t "flat: wrong bundle_cid" 1 "bundle_cid_mismatch" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tf_cid.json"
pyedit "$T/bundle_flat.json" "$T/tf_sig.json" 'd["bundle_signature"] = ("B" if d["bundle_signature"][0] == "A" else "A") + d["bundle_signature"][1:]'
t "flat: wrong bundle_signature" 1 "bundle_signature_invalid" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tf_sig.json"
t "flat: unknown kid" 1 "kid_not_found" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/bundle_flat.json"
t "flat: --json names each failure" 1 - - -- "$PROVA" verify --json --jwks "$T/gw_jwks.json" "$T/tf_sig.json"
pycheck "flat: only the signature fails" "$T/out" 'codes(d) == ["bundle_signature_invalid"]'
pyedit "$T/bundle_starter.json" "$T/tb_sig.json" 'd["bundle_signature"] = ("B" if d["bundle_signature"][0] == "A" else "A") + d["bundle_signature"][1:]'
t "tampered bundle_signature" 1 "bundle_signature_invalid" - -- "$PROVA" verify --jwks "$T/gw_jwks.json" "$T/tb_sig.json"
t "bundle with the signer's key missing" 1 "kid_not_found" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/bundle_starter.json"
t "bundle of an unknown trace" 2 - "no receipts|trace" -- "$PROVA" bundle --key "$T/gw2.jwk" --chain "$C2" --trace-id nope
t "bundle without --trace-id" 2 - "trace-id" -- "$PROVA" bundle --key "$T/gw2.jwk" --chain "$C2"
t "bundle without --key" 2 - "key" -- "$PROVA" bundle --chain "$C2" --trace-id trace-rot
t "bundle unknown form" 2 - "form" -- "${B[@]}" --form lite
t "bundle bad --exported-at" 2 - "exported_at|exported-at" -- "$PROVA" bundle --key "$T/gw2.jwk" --chain "$C2" --trace-id trace-rot --exported-at never
t "bundle with a default exported_at" 0 - - -- "$PROVA" bundle --key "$T/gw2.jwk" --chain "$C2" --trace-id trace-rot
pycheck "default exported_at is RFC 3339 with +00:00" "$T/out" 'd["bundle"]["exported_at"].endswith("+00:00")'

# a chain file holding two traces: bundle picks one trace
C3="$T/chain_two.jsonl"
for i in 0 1 2; do
  for tr in A B; do
    "$PROVA" pack --key "$T/sender.jwk" "${KT[@]}" --ts "$TS" --trace-id "trace-$tr" "$T/payload.json" >"$T/two.json"
    "$PROVA" receipt append --key "$T/gw1.jwk" --chain "$C3" --sender-jwks "$T/sender_jwks.json" --now "$NOW" "$T/two.json" >"$T/out" 2>"$T/err" || bad "two traces: append $tr $i: $(cat "$T/err")"
    if grep -q "\"hop\":$i" "$T/out"; then ok; else bad "two traces: trace-$tr append $i: hop is not $i: $(cat "$T/out")"; fi
  done
done
t "two traces: bundle of trace-B" 0 - - -- "$PROVA" bundle --key "$T/gw1.jwk" --chain "$C3" --trace-id trace-B --exported-at 2025-08-22T05:00:00+00:00
cp "$T/out" "$T/bundle_B.json"
pycheck "two traces: the bundle holds trace-B's 3 receipts" "$T/bundle_B.json" '[r["trace_id"] for r in d["bundle"]["receipts"]] == ["trace-B"] * 3 and [r["hop"] for r in d["bundle"]["receipts"]] == [0, 1, 2]'
t "two traces: the bundle verifies" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/bundle_B.json"
grep 'trace-A' "$C3" >"$T/chain_A.jsonl"
t "two traces: trace-A's lines alone verify" 0 "VALID" - -- "$PROVA" verify --jwks "$T/gw1_jwks.json" "$T/chain_A.jsonl"

# A document string that the report quotes cut to 80 bytes, cut inside a UTF-8 sequence: the report still has a
# JSON form (the split sequence becomes '?'), instead of failing as it once did ("out of memory").
"$PY" -c 'import json; print(json.dumps({"payload": {}, "payload_type": "a", "target_type": "b", "cid": "a" * 79 + "\u00e9",
  "trace_id": "t", "ts": "2026-01-01T00:00:00+00:00", "sig": "AA", "kid": "k", "version": 1, "sig_alg": "ed25519"},
  ensure_ascii=False))' >"$T/cut_utf8.json"
t "a quoted string cut inside a UTF-8 sequence: --json still works" 1 '"code":"cid_mismatch"' - -- "$PROVA" verify --json "$T/cut_utf8.json"
pycheck "the cut string's report is JSON" "$T/out" '"cid_mismatch" in codes(d)'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
