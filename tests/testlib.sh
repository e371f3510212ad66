# Shared by the shell tests: a scratch directory T (removed on exit), pass/fail counters, ok/bad, and summary,
# which prints "N passed, M failed" and returns non-zero on any failure. Source it after `set -u`.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
summary() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
