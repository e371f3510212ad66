#!/usr/bin/env bash
# A program outside the project, built the way a user builds one: `meson install` into a destdir, then
# tests/abi/consumer.c compiled with nothing but the installed <prova/prova.h> and `pkg-config prova` (its -I and -L
# moved into the destdir by PKG_CONFIG_SYSROOT_DIR), once against libprova.so (run with LD_LIBRARY_PATH) and once
# statically against libprova.a (pkg-config --static: the private requirements and libraries), with warnings as
# errors in C11 and as C++.
#   usage: consumer.sh BUILD_DIR CONSUMER_C VERSION        CC, CXX override the compilers
set -uo pipefail
[ $# -eq 3 ] || { echo "usage: $0 BUILD_DIR CONSUMER_C VERSION" >&2; exit 2; }
build=$1 src=$2 version=$3
CC=${CC:-cc}
CXX=${CXX:-c++}
t=$(mktemp -d) || exit 2
trap 'rm -rf "$t"' EXIT
passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

if ! meson install -C "$build" --destdir "$t/root" --no-rebuild --quiet >"$t/install.log" 2>&1; then
  cat "$t/install.log"
  echo "FAIL: meson install --destdir"
  exit 1
fi
pc=$(find "$t/root" -name prova.pc -print -quit)
[ -n "$pc" ] || { echo "FAIL: no prova.pc under the destdir"; exit 1; }
pcdir=$(dirname "$pc")
echo "installed prova.pc: ${pc#"$t/root"}"
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$t/root

cflags=$(pkg-config --cflags prova) && libs=$(pkg-config --libs prova) && slibs=$(pkg-config --static --libs prova) ||
  { echo "FAIL: pkg-config prova"; exit 1; }
echo "cflags: $cflags"
echo "libs: $libs"
echo "static libs: $slibs"
libdir=$(dirname "$pcdir") # prova.pc is in LIBDIR/pkgconfig
case "$cflags" in *"$t/root/"*) ok "pkg-config's -I is in the destdir" ;; *) bad "pkg-config --cflags ignores the sysroot: $cflags" ;; esac
# The installed headers only: the project's include/ (and the build's) is on no path here.
for h in prova.h version.h; do
  if [ -n "$(find "$t/root" -path "*/include/prova/$h")" ]; then ok "prova/$h is installed"; else bad "prova/$h is not installed"; fi
done
[ -z "$(find "$t/root" -path '*/include/prova/*' \( -name meson.build -o -name '*.in' \))" ] &&
  ok "no build files among the installed headers" || bad "build files installed among the headers"

warn=(-Wall -Wextra -Wpedantic -Werror)
# shellcheck disable=SC2086 # pkg-config's output is a list of words
if "$CC" -std=c11 "${warn[@]}" $cflags "$src" $libs -o "$t/consumer" 2>"$t/cc.log"; then
  ok "compiled against libprova.so"
  if out=$(LD_LIBRARY_PATH=$libdir "$t/consumer" "$version" 2>&1) && [ "$out" = "consumer: ok $version" ]; then
    ok "ran against the installed libprova.so: $out"
  else
    bad "the shared consumer: $out"
  fi
  so=$(LD_LIBRARY_PATH=$libdir ldd "$t/consumer" | awk '$1 ~ /^libprova\.so/ {print $3}')
  case "$so" in "$t/root/"*) ok "it loaded $(basename "$so") from the destdir" ;; *) bad "it loaded libprova from '$so'" ;; esac
else
  cat "$t/cc.log"
  bad "compiling consumer.c against libprova.so"
fi

# Statically: the same flags, libprova.a instead of libprova.so, and the private requirements pkg-config lists.
# shellcheck disable=SC2086
slibs_a=$(printf '%s\n' $slibs | sed 's/^-lprova$/-l:libprova.a/' | tr '\n' ' ')
# shellcheck disable=SC2086
if "$CC" -std=c11 "${warn[@]}" $cflags "$src" $slibs_a -o "$t/consumer_static" 2>"$t/cc.log"; then
  ok "compiled statically"
  if readelf -d "$t/consumer_static" | grep -q 'NEEDED.*libprova'; then
    bad "the static consumer still needs libprova.so"
  else
    ok "the static consumer needs no libprova.so"
  fi
  if out=$("$t/consumer_static" "$version" 2>&1) && [ "$out" = "consumer: ok $version" ]; then
    ok "ran statically: $out"
  else
    bad "the static consumer: $out"
  fi
else
  cat "$t/cc.log"
  bad "compiling consumer.c statically"
fi

# The umbrella from C++ (extern "C", no C-only constructs in declarations).
# shellcheck disable=SC2086
if command -v "$CXX" >/dev/null 2>&1; then
  if printf '#include <prova/prova.h>\nint main() { return prova_version_number() > 0 ? 0 : 1; }\n' |
    "$CXX" -x c++ -std=c++11 "${warn[@]}" $cflags - $libs -o "$t/consumer_cxx" 2>"$t/cxx.log" &&
    LD_LIBRARY_PATH=$libdir "$t/consumer_cxx"; then
    ok "prova/prova.h compiles, links and runs as C++"
  else
    cat "$t/cxx.log"
    bad "prova/prova.h as C++"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
