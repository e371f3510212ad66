#!/usr/bin/env bash
# The ABI is a deliberate list: the dynamic symbols libprova.so defines (nm -D --defined-only, without the symbol
# version) must be exactly tests/abi/symbols.txt, sorted. A new, renamed or removed export fails here until the list
# is edited in the same commit (docs/api.md, "The ABI").
#   usage: symbols.sh LIBPROVA_SO SYMBOLS_TXT        NM overrides the nm program
set -uo pipefail
NM=${NM:-nm}
[ $# -eq 2 ] || { echo "usage: $0 LIBPROVA_SO SYMBOLS_TXT" >&2; exit 2; }
lib=$1 list=$2
# The version node (type A, "PROVA_0") is the only defined symbol that is not a function or an object of the API.
got=$("$NM" -D --defined-only "$lib" | awk '$2 != "A" {sub(/@.*/, "", $3); print $3}' | LC_ALL=C sort) ||
  { echo "symbols: $NM failed on $lib" >&2; exit 2; }
[ -n "$got" ] || { echo "symbols: $NM listed nothing for $lib" >&2; exit 2; }
if ! LC_ALL=C sort -c "$list" 2>/dev/null; then
  echo "FAIL: $list is not sorted (LC_ALL=C sort)"
  exit 1
fi
# Every export carries the version node of src/lib/libprova.map.
unversioned=$("$NM" -D --defined-only "$lib" | awk '$2 != "A" && $3 !~ /@@?PROVA_0$/ {print $3}')
if [ -n "$unversioned" ]; then
  echo "FAIL: exported without the PROVA_0 version: $unversioned"
  exit 1
fi
if ! d=$(diff -u "$list" <(printf '%s\n' "$got")); then
  echo "FAIL: libprova.so exports a different ABI than $list ('-' listed, not exported; '+' exported, not listed):"
  printf '%s\n' "$d" | sed -n '3,$p' | grep '^[-+]'
  exit 1
fi
echo "symbols: $(printf '%s\n' "$got" | wc -l) exported, as listed"
