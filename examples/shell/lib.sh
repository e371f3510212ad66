# Shared by the shell examples: find prova, make a scratch directory, assert.
set -euo pipefail
PROVA=${PROVA:-prova}
command -v "$PROVA" >/dev/null 2>&1 || { echo "example: prova not found (set PROVA=path/to/prova)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# expect_exit CODE CMD...: runs CMD and fails the example unless it exits with CODE.
expect_exit() {
  local want=$1 rc=0
  shift
  "$@" >/dev/null 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { echo "example: '$*' exited $rc, expected $want" >&2; exit 1; }
}
# report_has PATTERN CMD...: runs CMD (a `prova ... --json` command; its exit code is not checked here) and fails
# the example unless its output contains PATTERN.
report_has() {
  local pattern=$1 out
  shift
  out=$("$@" 2>/dev/null) || true
  case $out in *"$pattern"*) ;; *) echo "example: '$*' does not report $pattern" >&2; exit 1 ;; esac
}
