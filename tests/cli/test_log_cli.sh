#!/usr/bin/env bash
# prova log, black box. Conformance with Tessera: from its published key and its 15 entries, `prova log append` once
# per entry writes checkpoint.N at every size and, at the end, the same tile tree byte for byte. Then proofs for every
# index (and each tampering with its reason code), audit (and a flipped byte in a tile and in a bundle), consistency
# proofs, keygen, a log of 1,000 entries over several calls, and an independent check of the CLI's proofs written
# with Python's hashlib and cryptography.
#   test_log_cli.sh PROVA
set -u
PROVA=${1:?usage: test_log_cli.sh PROVA}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
TESS="$HERE/../data/tlog/tessera/log"
SKEY='PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg'
VKEY='example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'
ENTRIES=(one two three four five six seven eit nain ten ileven twelf threeten fourten fivten)
D="$T/log"
printf '%s\n' "$SKEY" >"$T/log.key"

# ---- Tessera, byte for byte --------------------------------------------------------------------------------------
t "append nothing: the empty log's checkpoint" 0 '^example.com/log/testdata$' - -- "$PROVA" log append --dir "$D" --key "$T/log.key"
if cmp -s "$D/checkpoint" "$TESS/checkpoint.0"; then ok; else bad "checkpoint.0 differs"; fi
n=0
for e in "${ENTRIES[@]}"; do
  n=$((n + 1))
  printf '%s' "$e" >"$T/e$((n - 1))"
  t "append '$e'" 0 - - -- "$PROVA" log append --dir "$D" --key "$T/log.key" "$T/e$((n - 1))"
  if cmp -s "$D/checkpoint" "$TESS/checkpoint.$n"; then ok; else bad "checkpoint.$n differs: $(cat "$D/checkpoint")"; fi
done
if diff -r "$D/tile" "$TESS/tile" >"$T/diff" 2>&1; then ok; else bad "the tile tree differs from Tessera's: $(head -5 "$T/diff")"; fi
[ -z "$(cd "$D" && ls -A | grep -v -x -e checkpoint -e tile -e .lock)" ] && ok || bad "unexpected files in the log: $(ls -A "$D")"

# ---- checkpoint ----------------------------------------------------------------------------------------------------
t "checkpoint --log-key (text)" 0 '^15$' - -- "$PROVA" log checkpoint --dir "$D" --log-key "$VKEY"
printf '%s\n' "$VKEY" >"$T/log.vkey"
t "checkpoint --log-key FILE --json" 0 '"valid":true' - -- "$PROVA" log checkpoint --dir "$D" --log-key "$T/log.vkey" --json
OTHER='example.com/other+b7a8a7a0+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'
"$PROVA" log keygen --name example.com/other --out "$T/other.key" >"$T/other.vkey" 2>/dev/null
t "checkpoint with another log's key: invalid" 1 'checkpoint_origin_mismatch' - -- "$PROVA" log checkpoint --dir "$D" --log-key "$T/other.vkey" --json
t "checkpoint: a malformed vkey is bad input" 2 - 'vkey_' -- "$PROVA" log checkpoint --dir "$D" --log-key "$OTHER"
t "checkpoint: no log there" 2 - 'file_not_found|no such' -- "$PROVA" log checkpoint --dir "$T/nolog"

# ---- prove / verify-proof, every index ---------------------------------------------------------------------------
for i in $(seq 0 14); do
  t "prove $i" 0 - - -- "$PROVA" log prove --dir "$D" --index "$i" --out "$T/p$i"
  t "verify-proof $i" 0 'VALID' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$T/e$i" --entry-index "$i" "$T/p$i"
done
P="$T/p6"
E="$T/e6"
LEAF=$("$PY" -c 'import hashlib,base64,sys; print(base64.b64encode(hashlib.sha256(b"\0"+open(sys.argv[1],"rb").read()).digest()).decode())' "$E")
t "verify-proof --leaf-hash --json" 0 '"valid":true' - -- "$PROVA" log verify-proof --log-key "$VKEY" --leaf-hash "$LEAF" --json "$P"
t "another entry: log_inclusion_invalid" 1 '"code":"log_inclusion_invalid"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$T/e5" --json "$P"
t "another index asked: log_index_mismatch" 1 '"code":"log_index_mismatch"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --entry-index 5 --json "$P"
# a proof hash changed (the third line: the first hash)
"$PY" - "$P" "$T/tp1" <<'EOF'
import base64, sys
l = open(sys.argv[1]).read().split("\n")
h = bytearray(base64.b64decode(l[2])); h[0] ^= 1; l[2] = base64.b64encode(bytes(h)).decode()
open(sys.argv[2], "w").write("\n".join(l))
EOF
t "a tampered proof hash: log_inclusion_invalid" 1 '"code":"log_inclusion_invalid"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --json "$T/tp1"
sed 's/^index 6$/index 7/' "$P" >"$T/tp2"
t "a tampered index: log_inclusion_invalid" 1 '"code":"log_inclusion_invalid"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --json "$T/tp2"
sed 's/^15$/16/' "$P" >"$T/tp3"
t "a tampered checkpoint size: checkpoint_signature_invalid" 1 '"code":"checkpoint_signature_invalid"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --json "$T/tp3"
sed 's/^index 6$/index 99/' "$P" >"$T/tp4"
t "an index beyond the tree: log_index_out_of_range" 1 '"code":"log_index_out_of_range"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --json "$T/tp4"
t "another log's key: checkpoint_origin_mismatch" 1 '"code":"checkpoint_origin_mismatch"' - -- "$PROVA" log verify-proof --log-key "$T/other.vkey" --entry "$E" --json "$T/p6"
# witnesses: a policy whose quorum is a witness that did not cosign
"$PROVA" witness keygen --name witness.example/w1 --out "$T/w1.key" >"$T/w1.vkey" 2>/dev/null
printf 'log %s\nwitness w1 %s\nquorum w1\n' "$VKEY" "$(cat "$T/w1.vkey")" >"$T/policy"
t "a witness quorum not met: witness_quorum_not_met" 1 '"code":"witness_quorum_not_met"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --witness-policy "$T/policy" --entry "$E" --json "$P"
printf 'log %s\nwitness w1 %s\nquorum none\n' "$VKEY" "$(cat "$T/w1.vkey")" >"$T/policy0"
t "a policy with quorum none" 0 '"valid":true' - -- "$PROVA" log verify-proof --log-key "$VKEY" --witness-policy "$T/policy0" --entry "$E" --json "$P"
# malformed: bad input, exit 2
sed 's/^c2sp.org\/tlog-proof@v1$/c2sp.org\/tlog-proof@v2/' "$P" >"$T/mp1"
t "a bad header: exit 2" 2 '"code":"tlog_proof_header_invalid"' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --json "$T/mp1"
sed '3s/.*/not base64!/' "$P" >"$T/mp2"
t "a bad proof line: exit 2" 2 - 'tlog_proof_hash_invalid' -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" "$T/mp2"
sed 's/^— /- /' "$P" >"$T/mp3"
t "the em dash missing: exit 2" 2 '"code":"note_' - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --json "$T/mp3"
t "no entry given: usage" 2 - 'required' -- "$PROVA" log verify-proof --log-key "$VKEY" "$P"
t "both --entry and --leaf-hash: usage" 2 - - -- "$PROVA" log verify-proof --log-key "$VKEY" --entry "$E" --leaf-hash "$LEAF" "$P"
t "a bad --leaf-hash: exit 2" 2 - 'not base64 of 32 bytes' -- "$PROVA" log verify-proof --log-key "$VKEY" --leaf-hash AAAA "$P"
t "prove beyond the tree: exit 2" 2 - 'has 15 entries' -- "$PROVA" log prove --dir "$D" --index 15
t "prove --index x: exit 2" 2 - 'decimal' -- "$PROVA" log prove --dir "$D" --index x
t "prove --extra" 0 '^extra aGVsbG8=$' - -- "$PROVA" log prove --dir "$D" --index 0 --extra aGVsbG8=

# ---- the independent check: Python's hashlib and cryptography verify a proof the CLI wrote -----------------------
cat >"$T/indep.py" <<'EOF'
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
vkey, proof_path, entry_path = sys.argv[1], sys.argv[2], sys.argv[3]
name, kid, kb = vkey.split("+", 2)
k = base64.b64decode(kb); assert k[0] == 1
assert hashlib.sha256(name.encode() + b"\n" + k).digest()[:4].hex() == kid
pub = Ed25519PublicKey.from_public_key_bytes(k[1:]) if hasattr(Ed25519PublicKey, "from_public_key_bytes") else Ed25519PublicKey.from_public_bytes(k[1:])
text = open(proof_path, "rb").read().decode()
head, note = text.split("\n\n", 1)
lines = head.split("\n")
assert lines[0] == "c2sp.org/tlog-proof@v1"
idx_line = [l for l in lines if l.startswith("index ")][0]
index = int(idx_line[6:])
hashes = [base64.b64decode(l) for l in lines[lines.index(idx_line) + 1:]]
body, sigs = note.split("\n\n", 1)
body += "\n"
origin, size, root = body.split("\n")[:3]
size = int(size); root = base64.b64decode(root)
assert origin == name
ok = False
for s in sigs.strip("\n").split("\n"):
    assert s.startswith("\u2014 ")
    n, sig = s[2:].split(" ")
    sig = base64.b64decode(sig)
    if n == name and sig[:4].hex() == kid:
        pub.verify(sig[4:], body.encode()); ok = True
assert ok, "no signature by the log"
leaf = hashlib.sha256(b"\0" + open(entry_path, "rb").read()).digest()
node = lambda l, r: hashlib.sha256(b"\1" + l + r).digest()
# RFC 9162 2.1.3.2
fn, sn, r = index, size - 1, leaf
assert index < size
for p in hashes:
    assert sn != 0
    if fn & 1 or fn == sn:
        r = node(p, r)
        if not fn & 1:
            while fn and not fn & 1:
                fn >>= 1; sn >>= 1
    else:
        r = node(r, p)
    fn >>= 1; sn >>= 1
assert sn == 0 and r == root, "inclusion does not verify"
EOF
for i in 0 6 14; do
  if "$PY" "$T/indep.py" "$VKEY" "$T/p$i" "$T/e$i" 2>"$T/pyerr"; then ok; else bad "python verifies proof $i: $(tail -n 1 "$T/pyerr")"; fi
done
if ! "$PY" "$T/indep.py" "$VKEY" "$T/tp1" "$E" 2>/dev/null; then ok; else bad "python accepts a tampered proof"; fi

# ---- consistency -------------------------------------------------------------------------------------------------
t "consistency --from 7" 0 '^[A-Za-z0-9+/]{43}=$' - -- "$PROVA" log consistency --dir "$D" --from 7
[ "$(wc -l <"$T/out")" = 5 ] && ok || bad "consistency 7 -> 15 has 5 hashes: $(cat "$T/out")"
t "consistency --from 15: empty" 0 - - -- "$PROVA" log consistency --dir "$D" --from 15
[ ! -s "$T/out" ] && ok || bad "an empty proof prints nothing"
t "consistency --from 0: bad input" 2 - 'merkle_consistency_from_empty' -- "$PROVA" log consistency --dir "$D" --from 0
t "consistency --to 16: bad input" 2 - 'the log has 15 entries' -- "$PROVA" log consistency --dir "$D" --from 3 --to 16

# ---- audit -------------------------------------------------------------------------------------------------------
t "audit --json" 0 '"valid":true' - -- "$PROVA" log audit --dir "$D" --log-key "$VKEY" --json
t "audit Tessera's own log" 0 'VALID' - -- "$PROVA" log audit --dir "$TESS" --log-key "$VKEY"
cp -r "$D" "$T/flip"
"$PY" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[40]^=1; open(p,"wb").write(b)' "$T/flip/tile/0/000.p/15"
t "audit: a flipped tile byte names the tile" 1 '"code":"log_tile_mismatch".*tile/0/000.p/15' - -- "$PROVA" log audit --dir "$T/flip" --log-key "$VKEY" --json
cp -r "$D" "$T/flip2"
"$PY" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[3]^=1; open(p,"wb").write(b)' "$T/flip2/tile/entries/000.p/15"
t "audit: a flipped entry byte" 1 'log_tile_mismatch' - -- "$PROVA" log audit --dir "$T/flip2" --log-key "$VKEY" --json
cp -r "$D" "$T/flip3"
rm "$T/flip3/tile/entries/000.p/15"
t "audit: a missing bundle" 1 '"code":"log_tile_missing"' - -- "$PROVA" log audit --dir "$T/flip3" --json
t "audit: another log's key" 1 'checkpoint_origin_mismatch' - -- "$PROVA" log audit --dir "$D" --log-key "$T/other.vkey" --json
t "append refuses a log whose tiles do not match" 1 - 'log_root_mismatch|tile_bundle_mismatch|log_restore' -- "$PROVA" log append --dir "$T/flip" --key "$T/log.key" "$E"
t "append refuses another log's key" 1 - 'checkpoint_origin_mismatch' -- "$PROVA" log append --dir "$D" --key "$T/other.key" "$E"

# ---- audit --store: the gateway's store holds at each index the entry logged there -------------------------------
mkstore() { # mkstore DB ENTRY...: a real store (created by prova mcp --data, any schema version), its log entries
  local dir="$DB_DIRS/$(basename "$1" .db)"
  "$PROVA" mcp --data "$dir" </dev/null 2>/dev/null || { echo "mkstore: prova mcp --data failed" >&2; exit 1; }
  "$PY" - "$dir/prova.db" "${@:2}" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for i, e in enumerate(sys.argv[2:]):
    c.execute("INSERT INTO log_entries VALUES(?, ?, 0)", (i, e.encode()))
c.commit()
EOF
  ln -sf "$dir/prova.db" "$1"
}
DB_DIRS="$T/stores"
mkstore "$T/s1.db" "${ENTRIES[@]}" sixteen
t "audit --store: every stored entry is logged" 0 '"check":"log_store","code":"ok".*store_entries_not_checkpointed' - -- "$PROVA" log audit --dir "$D" --log-key "$VKEY" --store "$T/s1.db" --json
S2=("${ENTRIES[@]}"); S2[4]=FIVE
mkstore "$T/s2.db" "${S2[@]}"
t "audit --store: another entry at index 4" 1 '"code":"store_entry_mismatch".*entry 4 of the store' - -- "$PROVA" log audit --dir "$D" --store "$T/s2.db" --json
mkstore "$T/s3.db" "${ENTRIES[@]:0:10}"
t "audit --store: entries missing from the store" 1 '"code":"store_entry_missing".*entry 10 of the store' - -- "$PROVA" log audit --dir "$D" --store "$T/s3.db" --json
t "audit --store: no such store" 2 - - -- "$PROVA" log audit --dir "$D" --store "$T/nostore.db"

# ---- audit --url: the same log served over HTTP (libcurl) --------------------------------------------------------
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$T" && exec "$PY" -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
HTTPD=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
t "audit --url" 0 '"valid":true' - -- "$PROVA" log audit --url "http://127.0.0.1:$PORT/log/" --log-key "$VKEY" --json
t "audit --url: a flipped tile" 1 'tile/0/000.p/15' - -- "$PROVA" log audit --url "http://127.0.0.1:$PORT/flip" --json
t "audit --url: no log there" 2 - - -- "$PROVA" log audit --url "http://127.0.0.1:$PORT/nolog"
kill "$HTTPD" 2>/dev/null
wait "$HTTPD" 2>/dev/null

# ---- keygen and a bigger log -------------------------------------------------------------------------------------
[ "$(stat -c %a "$T/other.key")" = 600 ] && ok || bad "keygen writes mode 0600"
grep -Eq '^example.com/other\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$' "$T/other.vkey" && ok || bad "keygen prints the vkey: $(cat "$T/other.vkey")"
grep -q '^PRIVATE+KEY+example.com/other+' "$T/other.key" && ok || bad "keygen writes PRIVATE+KEY+"
t "keygen refuses to overwrite" 2 - 'exists' -- "$PROVA" log keygen --name example.com/other --out "$T/other.key"
B="$T/big"
"$PY" -c 'import sys
for i in range(1000): print("entry %d %s" % (i, "x" * (i % 50)))' >"$T/lines"
head -n 300 "$T/lines" >"$T/l1"
sed -n '301,700p' "$T/lines" >"$T/l2"
sed -n '701,1000p' "$T/lines" >"$T/l3"
for f in l1 l2 l3; do t "append --lines $f" 0 - - -- "$PROVA" log append --dir "$B" --key "$T/other.key" --lines "$T/$f"; done
t "audit the 1,000-entry log" 0 '1000 entries in 4 bundles' - -- "$PROVA" log audit --dir "$B" --log-key "$T/other.vkey" --json
"$PY" - "$B" "$T/lines" <<'EOF' 2>"$T/pyerr" && ok || bad "python recomputes the 1,000-entry root: $(tail -n 1 "$T/pyerr")"
import base64, hashlib, sys
d, lines = sys.argv[1], open(sys.argv[2], "rb").read().split(b"\n")[:-1]
H = lambda b: hashlib.sha256(b).digest()
def mth(l):
    if len(l) == 1: return l[0]
    k = 1
    while k * 2 < len(l): k *= 2
    return H(b"\1" + mth(l[:k]) + mth(l[k:]))
root = mth([H(b"\0" + e) for e in lines])
cp = open(d + "/checkpoint").read().split("\n")
assert cp[1] == "1000" and base64.b64decode(cp[2]) == root
EOF
sed -n '778p' "$T/lines" | tr -d '\n' >"$T/e777"
t "prove 777 in the bigger log" 0 - - -- "$PROVA" log prove --dir "$B" --index 777 --out "$T/p777"
if "$PY" "$T/indep.py" "$(cat "$T/other.vkey")" "$T/p777" "$T/e777" 2>"$T/pyerr"; then ok; else bad "python verifies proof 777: $(tail -n 1 "$T/pyerr")"; fi
t "verify-proof 777" 0 VALID - -- "$PROVA" log verify-proof --log-key "$T/other.vkey" --entry "$T/e777" --entry-index 777 "$T/p777"
# concurrent appends wait for the lock: none is lost
C="$T/conc"
"$PROVA" log append --dir "$C" --key "$T/other.key" >/dev/null
pids=()
for k in 1 2 3 4; do
  sed -n "$((k * 100 - 99)),$((k * 100))p" "$T/lines" >"$T/c$k"
  "$PROVA" log append --dir "$C" --key "$T/other.key" --lines "$T/c$k" >/dev/null 2>"$T/cerr$k" &
  pids+=($!)
done
cfail=0
for p in "${pids[@]}"; do wait "$p" || cfail=1; done
[ "$cfail" = 0 ] && ok || bad "concurrent appends: $(cat "$T"/cerr*)"
t "four concurrent appends of 100: 400 entries, audit passes" 0 '400 entries' - -- "$PROVA" log audit --dir "$C" --log-key "$T/other.vkey"
head -c 70000 /dev/zero >"$T/huge"
t "an entry over 64 KiB: exit 2" 2 - - -- "$PROVA" log append --dir "$B" --key "$T/other.key" "$T/huge"
t "a missing key: exit 2" 2 - 'file_not_found|No such' -- "$PROVA" log append --dir "$B" --key "$T/nokey" "$E"
t "a witness key is not a log key" 2 - 'not a log key' -- "$PROVA" log append --dir "$B" --key "$T/w1.key" "$E"
t "log without subcommand" 2 - - -- "$PROVA" log
summary
