#!/usr/bin/env bash
# The MCP tools and resources of `prova mcp` (docs/mcp-tools.md), driven over stdio by the official TypeScript SDK
# client (tools_client.mjs): every tool with good and bad arguments, structuredContent against each outputSchema,
# verify_proof / canonicalize_value against the reference's fixtures (reference/ophamin.md §4) and byte-equal to
# POST /verify of `prova serve`, then the store tools, the OpenExecution lifecycle and the prova:// resources
# against `prova mcp --data DIR`.
#   test_mcp_tools.sh PROVA
set -u
PROVA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
NODE=${NODE:-node}
. "$HERE/../testlib.sh"
cd "$T" || exit 3
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

# ---- inputs ----
"$PROVA" keygen --out sender.key >/dev/null && "$PROVA" jwks sender.key >senders.jwks || exit 3
"$PROVA" keygen --out server.key >/dev/null && "$PROVA" jwks server.key >server.jwks || exit 3
"$PROVA" proof sign --default-key "$HERE/../data/proof_minimal.json" >proof_signed.json || exit 3
echo '{"invoice":7}' >payload.json
"$PROVA" pack --key sender.key --payload-type a.v1 --target-type b.v1 --trace-id trace-mcp-1 payload.json \
  >envelope.json || exit 3
echo '{"invoice":8}' >payload2.json
"$PROVA" pack --key sender.key --payload-type a.v1 --target-type b.v1 --trace-id trace-mcp-1 payload2.json \
  >envelope2.json || exit 3

# The five cross-language fixtures: inputs as the reference's generator writes them (Python json.dumps indent=2,
# sort_keys, ensure_ascii=False), expected bytes, HMAC (test key) and SHA-256 from reference/ophamin.md §4.1-4.2.
"$PY" - <<'PYEOF' || exit 3
import json
fx = [
 ("simple", {"z_string":"ophamin","a_integer":42,"m_float":3.14159,"y_true":True,"x_false":False,"w_null":None,"list":[1,2,3],"nested":{"inner_b":2,"inner_a":1}},
  '{"a_integer":42,"list":[1,2,3],"m_float":3.14159,"nested":{"inner_a":1,"inner_b":2},"w_null":null,"x_false":false,"y_true":true,"z_string":"ophamin"}',
  149, "0dbc86d5e4b913051857c4529b0bf2a77c1eb8ebc65bb84158d52c4db40938ce", "7fb1f1c95a9503347ef5f3bb6a025d4b172649f5ceb918e3363b8f26959ff46c"),
 ("unicode", {"ascii_only":"hello world","latin_supp":"café résumé","cyrillic":"привет","cjk":"字幕","emoji":"\U0001F680","ключ":"value"},
  '{"ascii_only":"hello world","cjk":"\\u5b57\\u5e55","cyrillic":"\\u043f\\u0440\\u0438\\u0432\\u0435\\u0442","emoji":"\\ud83d\\ude80","latin_supp":"caf\\u00e9 r\\u00e9sum\\u00e9","\\u043a\\u043b\\u044e\\u0447":"value"}',
  199, "6fb5233eef1d7569d248451075d6e9a379e6f4e12b56a4bfce526af40e85b1e9", "06471785461e5a50b28a7183a66fcf24bcf1ec6e91716457b32a950426e20b31"),
 ("numerical_edge", {"zero_float":0.0,"neg_zero_float":-0.0,"zero_int":0,"large_pos":1e20,"small_neg_exp":1e-7,"pi":3.14159,"neg_value":-2.5},
  '{"large_pos":1e+20,"neg_value":-2.5,"neg_zero_float":-0.0,"pi":3.14159,"small_neg_exp":1e-07,"zero_float":0.0,"zero_int":0}',
  123, "9cdd55061cf0d86f4195bb6b2996df2361d19cc6546dff28f24c5266e4ce3b82", "94768203132adcb54575c78debc32ba987b03d45456f5fdc5ebd7e9b08e599b5"),
 ("deeply_nested", {"level1":{"level2":{"level3":{"level4":{"list":[1,2,[3,4,[5,6]]],"value":42}}}},"siblings":[{"a":1,"b":{"c":2,"d":{"e":3}}},{"a":4,"b":{"c":5,"d":{"e":6}}}],"mixed_array_levels":[[],[[]],[[[]]],[[[[]]]]]},
  '{"level1":{"level2":{"level3":{"level4":{"list":[1,2,[3,4,[5,6]]],"value":42}}}},"mixed_array_levels":[[],[[]],[[[]]],[[[[]]]]],"siblings":[{"a":1,"b":{"c":2,"d":{"e":3}}},{"a":4,"b":{"c":5,"d":{"e":6}}}]}',
  205, "1441c2e18b25ae3a62dfcda128269dce663958d888bdb7cd717015102180a1dc", "4026029c07bb407e091f6f20f4cb84c354f01864119e88e19715ebacaeb2d6fe"),
 ("boundary_cases", {"empty_object":{},"empty_array":[],"nested_empty":{"empty_inner_array":[]},"long_ascii":"a"*200,
   "json_special_escapes":"\"\\/\b\f\n\r\t","control_chars":"\x00\x01\x02\x05\x1f"," ":"key-with-single-space","empty_string_value":""},
  '{" ":"key-with-single-space","control_chars":"\\u0000\\u0001\\u0002\\u0005\\u001f","empty_array":[],"empty_object":{},"empty_string_value":"","json_special_escapes":"\\"\\\\/\\b\\f\\n\\r\\t","long_ascii":"' + "a"*200 + '","nested_empty":{"empty_inner_array":[]}}',
  434, "6b45f08c1439c1a933965df719d5e766c73c292b5154ccb4a165fd240729881c", "541ba18a3d27849bc6919342bdf6cb4b13833775a18cf97611126c1c43fd28dc"),
]
out = []
for stem, value, canon, n, mac, sha in fx:
    assert len(canon) == n, (stem, len(canon))
    out.append({"stem": stem, "input": json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                "canonical": canon, "bytes": n, "hmac": mac, "sha256": sha})
json.dump(out, open("fixtures.json", "w"))
PYEOF

# A directory of proof records for read_proof_index: two records, a broken file, a JSON file that is no proof,
# and what must be skipped (a symbolic link, a hidden file, a non-.json file).
mkdir -p proofs/a && cp proof_signed.json proofs/a/one.json
printf '{"broken":' >proofs/a/z_bad.json
pyedit proof_signed.json proofs/b.json 'd["evidence"][0]["pillar"]="q"; d["verdict"]["outcome"]="FALSIFIED"'
echo '{"hello":1}' >proofs/c.json
ln -s "$T/proofs/a/one.json" proofs/link.json
cp proof_signed.json proofs/.hidden.json
cp proof_signed.json proofs/notes.txt

# POST /verify of `prova serve` for the same record (verify_proof must answer the same bytes).
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PROVA" serve --listen "127.0.0.1:$PORT" --data serve-data --sft-passthrough --quiet >serve.log 2>&1 &
SPID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
"$PY" -c 'import json,sys; print(json.dumps({"proof_json": open("proof_signed.json").read()}))' >verify_body.json
curl -sf -X POST -H "Content-Type: application/json" --data-binary @verify_body.json "http://127.0.0.1:$PORT/verify" >post_verify.json || bad "POST /verify failed"
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=

# ---- the SDK client ----
phase() { # NAME ARGS...
  local name=$1
  shift
  (cd "$HERE" && "$NODE" tools_client.mjs "$@") >"$T/$name.out" 2>&1
  local rc=$?
  local p f
  p=$(tail -n 50 "$T/$name.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -n 1)
  f=$(tail -n 50 "$T/$name.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -n 1)
  if [ -z "$p" ]; then
    bad "$name: the client did not finish (exit $rc): $(tail -n 20 "$T/$name.out")"
    return
  fi
  pass=$((pass + p))
  fail=$((fail + f))
  grep '^FAIL\|^prova stderr' "$T/$name.out" >&2
  [ "$rc" = 0 ] || [ "$f" != 0 ] || bad "$name: exit $rc"
}
phase docs docs "$PROVA" "$T" --key "$T/server.key" --quiet
phase store store "$PROVA" "$T" --data "$T/store-data" --trusted-senders "$T/senders.jwks" --sft-passthrough --quiet

# The same checks over streamable HTTP: `prova mcp --http` with the same options (a fresh store: the store phase
# appends envelopes, which would be replays in the first one).
http_phase() { # NAME PHASE prova-mcp-args...
  local name=$1 ph=$2
  shift 2
  local port
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$PROVA" mcp --http "127.0.0.1:$port" "$@" >"$T/$name.server.log" 2>&1 &
  SPID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
  MCP_URL="http://127.0.0.1:$port/mcp" phase "$name" "$ph" "$PROVA" "$T"
  kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=
}
printf '{"tokens":[{"name":"agent","token":"mcp-agent-token-0123456789","scopes":["ope:write","oe:write"]}]}' \
  >"$T/tokens.json"
chmod 600 "$T/tokens.json"
http_phase docs_http docs --key "$T/server.key" --quiet
MCP_TOKEN=mcp-agent-token-0123456789 http_phase store_http store --data "$T/store-data-http" \
  --trusted-senders "$T/senders.jwks" --tokens "$T/tokens.json" --sft-passthrough --quiet
summary
