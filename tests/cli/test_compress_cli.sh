#!/usr/bin/env bash
# Compression in the `prova` command (docs/compression.md), against independent peers: the zstd and gzip command
# lines and Python's gzip module write what prova reads, and decompress what prova writes byte for byte as the
# uncompressed run. Bombs (1 GiB of zeros in a few KB, a zstd frame header claiming 1 TiB) are refused quickly with
# bounded memory; truncated, corrupt and trailing data are refused with their reason codes.
# Usage: test_compress_cli.sh PROVA        prints "N passed, M failed" last; exits non-zero on any failure.
set -u
PROVA=${1:?usage: test_compress_cli.sh PROVA}
PY=/usr/bin/python3
. "$(dirname "$0")/../testlib.sh"
DATA=$(cd "$(dirname "$0")/../data" && pwd)
command -v zstd >/dev/null || { echo "zstd (the command) is missing: scripts/setup.sh installs it" >&2; exit 1; }

same() { # NAME A B
  if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi
}
magic() { od -An -tx1 -N4 "$1" | tr -d ' \n'; }

# ---- reading: every reader takes zstd and gzip by magic, never by name ------------------------------------------
P=$T/proof.json
"$PROVA" proof sign --default-key "$DATA/proof_minimal.json" >"$P" 2>/dev/null || bad "proof sign"
"$PROVA" verify --json --default-key "$P" >"$T/plain.report" || bad "verify plain"
zstd -q -c "$P" >"$T/p.zst"
gzip -c "$P" >"$T/p.gz"
"$PY" -c 'import gzip,sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(gzip.compress(d[:100])+gzip.compress(d[100:]))' "$P" "$T/p2members.gz"
head -c 100 "$P" | zstd -q -c >"$T/p2frames.zst"
tail -c +101 "$P" | zstd -q -c >>"$T/p2frames.zst"
# a skippable frame (magic 0x184D2A50, 4 bytes of length, then that many bytes) between two frames
{ head -c 100 "$P" | zstd -q -c; printf '\x50\x2a\x4d\x18\x03\x00\x00\x00abc'; tail -c +101 "$P" | zstd -q -c; } >"$T/pskip.zst"
cp "$T/p.zst" "$T/named.json" # the name says JSON, the magic says zstd
for f in p.zst p.gz p2members.gz p2frames.zst pskip.zst named.json; do
  t "verify $f" 0 - - -- "$PROVA" verify --json --default-key "$T/$f"
  same "verify $f: the same report" "$T/plain.report" "$T/out"
done
t "verify - (stdin, zstd)" 0 - - -- sh -c "\"$PROVA\" verify --json --default-key - <\"$T/p.zst\""
same "stdin zstd: the same report" "$T/plain.report" "$T/out"
cp "$P" "$T/plain.zst" # a plain file with a compressed name is read as it is
t "verify plain.zst (plain bytes)" 0 - - -- "$PROVA" verify --json --default-key "$T/plain.zst"
t "canon p.gz" 0 - - -- "$PROVA" canon --profile ophamin "$T/p.gz"
"$PROVA" canon --profile ophamin "$P" >"$T/canon.plain"
same "canon of gzip = canon of plain" "$T/canon.plain" "$T/out"
t "proof id p.zst" 0 - - -- "$PROVA" proof id "$T/p.zst"

# ---- broken streams -----------------------------------------------------------------------------------------------
head -c 30 "$T/p.zst" >"$T/trunc.zst"
head -c 30 "$T/p.gz" >"$T/trunc.gz"
t "truncated zstd" 2 - "compressed_truncated.*compressed byte 30" -- "$PROVA" verify --default-key "$T/trunc.zst"
t "truncated gzip" 2 - "compressed_truncated" -- "$PROVA" verify --default-key "$T/trunc.gz"
t "truncated --json" 2 '"code":"compressed_truncated"' - -- "$PROVA" verify --json --default-key "$T/trunc.gz"
"$PY" -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[len(d)//2]^=0x40; open(sys.argv[2],"wb").write(d)' "$T/p.gz" "$T/corrupt.gz"
"$PY" -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-2]^=0x01; open(sys.argv[2],"wb").write(d)' "$T/p.zst" "$T/badsum.zst"
t "corrupt gzip" 2 - "compressed_corrupt" -- "$PROVA" verify --default-key "$T/corrupt.gz"
t "zstd checksum" 2 - "compressed_corrupt" -- "$PROVA" verify --default-key "$T/badsum.zst"
{ cat "$T/p.gz"; printf 'trailing'; } >"$T/trail.gz"
{ cat "$T/p.zst"; printf 'trailing'; } >"$T/trail.zst"
t "gzip trailing data" 2 - "compressed_trailing_data" -- "$PROVA" verify --default-key "$T/trail.gz"
t "zstd trailing data" 2 - "compressed_trailing_data" -- "$PROVA" verify --default-key "$T/trail.zst"
{ cat "$T/p.zst" "$T/p.gz"; } >"$T/mixed.zst"
t "a gzip member after a zstd frame" 2 - "compressed_trailing_data" -- "$PROVA" verify --default-key "$T/mixed.zst"

# ---- bombs: refused fast, in bounded memory -----------------------------------------------------------------------
head -c 1073741824 /dev/zero | zstd -q -19 -c >"$T/bomb.zst"
# gzip: 64 members of 16 MiB of zeros each (1 GiB; one 1 GiB member takes gzip 15 s to write)
head -c 16777216 /dev/zero | gzip -9 -c >"$T/bomb16.gz"
for i in $(seq 64); do cat "$T/bomb16.gz"; done >"$T/bomb.gz"
# a zstd frame header claiming 1 TiB of content (single segment, 8-byte size), then an empty raw block
printf '\x28\xb5\x2f\xfd\xe4\x00\x00\x00\x00\x00\x01\x00\x00\x01\x00\x00' >"$T/liar.zst"
# a frame asking for a 2 GiB window
printf '\x28\xb5\x2f\xfd\x00\xa8\x01\x00\x00' >"$T/wide.zst"
echo "bombs: bomb.zst $(stat -c %s "$T/bomb.zst") bytes, bomb.gz $(stat -c %s "$T/bomb.gz") bytes (1 GiB of zeros)" >&2
# The memory bounds are what a bomb may add to prova's own footprint, measured first on a small input (a
# sanitizer build's baseline is several times a release build's).
printf '{}' >"$T/tiny.json"
/usr/bin/time -f '%M' -o "$T/time" "$PROVA" verify --default-key "$T/tiny.json" >/dev/null 2>&1
BASE_KB=$(tail -n 1 "$T/time")
echo "baseline: max RSS $BASE_KB KB on a 2-byte input" >&2
bomb() { # NAME FILE REASON MAX_KB [ENV...]: MAX_KB beyond the baseline
  local name=$1 file=$2 reason=$3 maxkb=$(($4 + BASE_KB))
  shift 4
  env "$@" /usr/bin/time -f '%M %e' -o "$T/time" "$PROVA" verify --default-key "$file" >"$T/out" 2>"$T/err"
  local rc=$? kb s
  read -r kb s < <(tail -n 1 "$T/time")
  echo "  $name: exit $rc, max RSS $kb KB, $s s" >&2
  if [ "$rc" = 2 ] && grep -q "$reason" "$T/err" && [ "$kb" -lt "$maxkb" ]; then ok; else
    bad "$name: exit $rc, ${kb} KB (limit $maxkb), stderr $(cat "$T/err")"
  fi
}
bomb "zstd bomb (ratio)" "$T/bomb.zst" compression_ratio_exceeded 30000
bomb "gzip bomb (ratio)" "$T/bomb.gz" compression_ratio_exceeded 30000
bomb "zstd bomb (size, no ratio limit)" "$T/bomb.zst" decompressed_too_large 390000 PROVA_MAX_RATIO=0
bomb "gzip bomb (size, no ratio limit)" "$T/bomb.gz" decompressed_too_large 390000 PROVA_MAX_RATIO=0
bomb "zstd header claiming 1 TiB" "$T/liar.zst" decompressed_too_large 30000
# a zip bomb (1 GiB of zeros, deflated, in one member): zip is not a compression prova reads, so it is never
# inflated; it is refused as the bytes it is
"$PY" -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("zeros.json", "w") as f:
        for _ in range(64): f.write(bytes(16 << 20))' "$T/bomb.zip"
bomb "zip bomb (never inflated)" "$T/bomb.zip" json_syntax 30000
bomb "zstd 2 GiB window" "$T/wide.zst" compressed_window_too_large 30000
ZLEN=$(stat -c %s "$T/p.zst")
t "the limit is the command's input limit" 2 - "decompressed_too_large.*limit $((ZLEN + 1)) bytes" -- \
  "$PROVA" canon --max-size $((ZLEN + 1)) "$T/p.zst"

# ---- writing: --compress gives exactly the uncompressed output, compressed ---------------------------------------
"$PROVA" keygen --out "$T/sender.jwk" >/dev/null || bad "keygen"
"$PROVA" keygen --out "$T/gw.jwk" >/dev/null || bad "keygen gw"
"$PROVA" jwks "$T/sender.jwk" >"$T/sender_jwks.json"
"$PROVA" jwks "$T/sender.jwk" "$T/gw.jwk" >"$T/all_jwks.json"
TS=2025-08-22T04:18:05.123456+00:00
NOW=2025-08-22T04:18:30+00:00
echo '{"invoice_id":"INV-1","amount":100.25}' >"$T/payload.json"
"$PROVA" pack --key "$T/sender.jwk" --payload-type vendor.v1 --target-type canonical.v1 --trace-id t-1 --ts "$TS" \
  "$T/payload.json" >"$T/env.json" || bad "pack"
R=(receipt append --key "$T/gw.jwk" --sender-jwks "$T/sender_jwks.json" --ts "$TS" --now "$NOW")
for c in plain zstd gzip; do
  opt=()
  [ "$c" != plain ] && opt=(--compress "$c")
  for i in 1 2 3; do
    "$PROVA" "${R[@]}" --chain "$T/chain.$c" "${opt[@]}" "$T/env.json" >/dev/null || bad "receipt append $c $i"
  done
done
[ "$(magic "$T/chain.zstd")" = 28b52ffd ] && ok || bad "the zstd chain starts with zstd's magic"
[ "$(magic "$T/chain.gzip" | head -c 4)" = 1f8b ] && ok || bad "the gzip chain starts with gzip's magic"
zstd -q -d -c "$T/chain.zstd" >"$T/chain.zstd.out"
same "zstd -d of the zstd chain = the plain chain" "$T/chain.plain" "$T/chain.zstd.out"
gzip -d -c <"$T/chain.gzip" >"$T/chain.gzip.out"
same "gzip -d of the gzip chain = the plain chain" "$T/chain.plain" "$T/chain.gzip.out"
"$PY" -c 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],"rb").read()))' "$T/chain.gzip" >"$T/chain.py.out"
same "Python's gzip of the gzip chain = the plain chain" "$T/chain.plain" "$T/chain.py.out"
# a compressed chain grows in its own format without --compress, and refuses another
"$PROVA" "${R[@]}" --chain "$T/chain.zstd" "$T/env.json" >/dev/null || bad "append to a zstd chain without --compress"
"$PROVA" "${R[@]}" --chain "$T/chain.plain" "$T/env.json" >/dev/null || bad "append to the plain chain"
zstd -q -d -c "$T/chain.zstd" >"$T/chain.zstd.out"
same "4 receipts: still the plain chain's bytes" "$T/chain.plain" "$T/chain.zstd.out"
t "--compress gzip on a zstd chain" 2 - "is zstd; --compress gzip would mix" -- \
  "$PROVA" "${R[@]}" --chain "$T/chain.zstd" --compress gzip "$T/env.json"
t "--compress zstd on a plain chain" 2 - "is not compressed" -- \
  "$PROVA" "${R[@]}" --chain "$T/chain.plain" --compress zstd "$T/env.json"
t "verify the zstd chain" 0 - - -- "$PROVA" verify --json --jwks "$T/all_jwks.json" --now "$NOW" "$T/chain.zstd"
cp "$T/out" "$T/zchain.report"
"$PROVA" verify --json --jwks "$T/all_jwks.json" --now "$NOW" "$T/chain.plain" >"$T/pchain.report"
same "the zstd chain's report = the plain chain's" "$T/pchain.report" "$T/zchain.report"

# bundle
B=(bundle --key "$T/gw.jwk" --chain "$T/chain.plain" --trace-id t-1 --exported-at 2025-08-22T05:00:00Z)
"$PROVA" "${B[@]}" >"$T/bundle.json" || bad "bundle"
"$PROVA" "${B[@]}" --compress zstd --compress-level 19 >"$T/bundle.zst" || bad "bundle --compress zstd"
"$PROVA" "${B[@]}" --compress gzip >"$T/bundle.gz" || bad "bundle --compress gzip"
zstd -q -d -c "$T/bundle.zst" >"$T/bundle.zst.out"
same "bundle: zstd -d = the uncompressed run" "$T/bundle.json" "$T/bundle.zst.out"
gzip -d -c <"$T/bundle.gz" >"$T/bundle.gz.out"
same "bundle: gzip -d = the uncompressed run" "$T/bundle.json" "$T/bundle.gz.out"
"$PROVA" bundle --key "$T/gw.jwk" --chain "$T/chain.zstd" --trace-id t-1 --exported-at 2025-08-22T05:00:00Z \
  >"$T/bundle.fromz.json" || bad "bundle from the zstd chain"
same "bundle of the zstd chain = bundle of the plain chain" "$T/bundle.json" "$T/bundle.fromz.json"
t "verify bundle.zst" 0 - - -- "$PROVA" verify --json --jwks "$T/all_jwks.json" --now "$NOW" "$T/bundle.zst"
"$PROVA" verify --json --jwks "$T/all_jwks.json" --now "$NOW" "$T/bundle.json" >"$T/bundle.report"
same "bundle.zst's report = bundle.json's" "$T/bundle.report" "$T/out"

# export (stdout and --out)
X=(export --to intoto --no-verify)
"$PROVA" "${X[@]}" "$P" >"$T/x.json" || bad "export"
"$PROVA" "${X[@]}" --compress gzip "$P" >"$T/x.gz" || bad "export --compress gzip"
"$PROVA" "${X[@]}" --compress zstd --out "$T/xo.zst" "$T/p.zst" || bad "export --compress zstd --out (of a .zst)"
gzip -d -c <"$T/x.gz" >"$T/x.gz.out"
same "export: gzip -d = the uncompressed run" "$T/x.json" "$T/x.gz.out"
zstd -q -d -c "$T/xo.zst" >"$T/xo.out"
same "export --out: zstd -d = the uncompressed run" "$T/x.json" "$T/xo.out"
"$PROVA" export --to openlineage --no-verify --run-id 0b1e0a55-0000-4000-8000-000000000001 "$P" >"$T/ol.jsonl" ||
  bad "export openlineage"
"$PROVA" export --to openlineage --no-verify --run-id 0b1e0a55-0000-4000-8000-000000000001 --compress zstd "$P" |
  zstd -q -d -c >"$T/ol.out"
same "export openlineage (JSON Lines): zstd -d = the uncompressed run" "$T/ol.jsonl" "$T/ol.out"
t "--compress with ro-crate" 2 - "not to an RO-Crate" -- \
  "$PROVA" export --to ro-crate --no-verify --compress zstd --out "$T/crate" "$P"
t "--compress brotli" 2 - "--compress must be zstd, gzip or none" -- "$PROVA" "${X[@]}" --compress brotli "$P"
t "--compress-level 10 with gzip" 2 - "gzip's levels are 1 to 9" -- "$PROVA" "${X[@]}" --compress gzip \
  --compress-level 10 "$P"
t "--compress-level without --compress" 2 - "needs --compress" -- "$PROVA" "${X[@]}" --compress-level 3 "$P"
t "--compress-level 23" 2 - "from 1 to 22" -- "$PROVA" "${X[@]}" --compress zstd --compress-level 23 "$P"

# events get random ids (UUIDv4): compare with them blanked
noids() { sed -E 's/"id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/"id":"-"/g' "$@"; }
# oe: a chain written compressed stays compressed; what is printed is compressed with --compress
echo '{"ref":"main"}' >"$T/e.json"
for c in plain zstd; do
  opt=()
  [ "$c" != plain ] && opt=(--compress "$c")
  "$PROVA" oe new --chain "$T/oe.$c" --id 11111111-2222-4333-8444-555555555555 --created-at 2026-03-20T09:59:59Z \
    "${opt[@]}" >/dev/null || bad "oe new $c"
  "$PROVA" oe append --chain "$T/oe.$c" --type code_pushed --created-at 2026-03-20T10:00:00.000Z "${opt[@]}" \
    "$T/e.json" >"$T/oe.$c.ev" || bad "oe append $c"
  # without --compress: the chain keeps its format, what is printed is plain
  "$PROVA" oe append --chain "$T/oe.$c" --type pr_opened --created-at 2026-03-20T10:01:00.000Z "$T/e.json" \
    >"$T/oe.$c.ev2" || bad "oe append 2 $c"
done
[ "$(magic "$T/oe.zstd")" = 28b52ffd ] && ok || bad "the oe chain stays zstd"
zstd -q -d -c "$T/oe.zstd" | noids >"$T/oe.zstd.out"
noids "$T/oe.plain" >"$T/oe.plain.out"
same "oe chain: zstd -d = the plain run" "$T/oe.plain.out" "$T/oe.zstd.out"
zstd -q -d -c "$T/oe.zstd.ev" | noids >"$T/oe.ev.out"
noids "$T/oe.plain.ev" >"$T/oe.plain.ev.out"
same "oe append --compress: the event printed, zstd -d = plain" "$T/oe.plain.ev.out" "$T/oe.ev.out"
noids "$T/oe.plain.ev2" >"$T/a"
noids "$T/oe.zstd.ev2" >"$T/b"
same "oe append without --compress prints plain" "$T/a" "$T/b"
t "verify the zstd oe chain" 0 "open chain" - -- "$PROVA" verify "$T/oe.zstd"
"$PROVA" oe append --chain "$T/oe.zstd" --type late --created-at 2026-03-20T10:02:00.000Z --compress none "$T/e.json" \
  >/dev/null || bad "oe append --compress none"
[ "$(head -c 1 "$T/oe.zstd")" = "{" ] && ok || bad "--compress none rewrites the chain plain"

summary
