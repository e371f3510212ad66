#!/usr/bin/env bash
# The C sources in the style pinned in .clang-format (STYLE.md item 15).
#   scripts/format.sh           reformat every tracked C file in place
#   scripts/format.sh --check   list the files that differ and exit 1 (make check runs this)
# Generated files (src/lib/json/dtoa_tables.h from scripts/gen_dtoa_tables.py, bindings/python/prova/_cdef.h from
# bindings/python/tools/gen_cdef.py) are left as their generators write them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format: clang-format is missing (scripts/setup.sh installs it)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v -e '^src/lib/json/dtoa_tables\.h$' -e '^bindings/python/prova/_cdef\.h$' -e node_modules)
if [ "${1:-}" = --check ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'format: not as .clang-format lays it out (scripts/format.sh fixes it): %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files as .clang-format lays them out ($(clang-format --version | grep -o 'version [0-9.]*'))"
else
  clang-format --style=file -i "${files[@]}"
fi
