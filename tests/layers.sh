#!/usr/bin/env bash
# The library's layers point one way (docs/architecture.md): a layer may call into the layers below it, never into
# one above. The build already refuses an upward #include of an internal header (each layer's static library sees
# only its own folders and those below); this test catches the rest — a call upward through a public header, which
# compiles but makes the layers a cycle. For each layer's static library it lists the undefined prova_/prova__
# symbols (nm) and fails when one is defined only by a higher layer.
#   usage: layers.sh NAME LIBRARY [NAME LIBRARY ...]    bottom layer first; NM overrides the nm program
set -uo pipefail
NM=${NM:-nm}
names=()
libs=()
while [ $# -ge 2 ]; do
  names+=("$1")
  libs+=("$2")
  shift 2
done
if [ ${#libs[@]} -lt 2 ] || [ $# -ne 0 ]; then
  echo "usage: $0 NAME LIBRARY NAME LIBRARY ... (bottom layer first)" >&2
  exit 2
fi

declare -A owner # symbol -> index of the layer that defines it
for i in "${!libs[@]}"; do
  defined=$("$NM" -g --defined-only "${libs[$i]}") || { echo "layers: $NM failed on ${libs[$i]}" >&2; exit 2; }
  while read -r sym; do
    [ -n "$sym" ] && owner[$sym]=$i
  done < <(awk 'NF >= 3 && $NF ~ /^prova_/ {print $NF}' <<<"$defined")
done

bad=0
checked=0
for i in "${!libs[@]}"; do
  undefined=$("$NM" -g --undefined-only "${libs[$i]}") || { echo "layers: $NM failed on ${libs[$i]}" >&2; exit 2; }
  while read -r sym; do
    [ -n "$sym" ] || continue
    checked=$((checked + 1))
    o=${owner[$sym]:-}
    if [ -n "$o" ] && [ "$o" -gt "$i" ]; then
      echo "FAIL: layer ${names[$i]} calls $sym, which only the higher layer ${names[$o]} defines"
      bad=$((bad + 1))
    fi
  done < <(awk '$NF ~ /^prova_/ {print $NF}' <<<"$undefined" | sort -u)
done

echo "layers: ${names[*]} (bottom first): $checked references checked, $bad upward"
[ "$bad" -eq 0 ]
