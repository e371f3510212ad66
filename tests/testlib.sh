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

# The helpers below need PY (a python3) set by the caller.

# run CMD...: sets RC; stdout in $T/out, stderr in $T/err
run() {
  "$@" >"$T/out" 2>"$T/err"
  RC=$?
}
show() { echo "exit $RC; stdout: $(head -c 400 "$T/out" | tr '\n' ' '); stderr: $(head -c 300 "$T/err" | tr '\n' ' ')"; }

# t NAME WANT_RC [PATTERN_STDOUT|-] [PATTERN_STDERR|-] -- CMD...    (ERE patterns, grep -E)
t() {
  local name=$1 want=$2 pout=$3 perr=$4
  shift 5
  run "$@"
  if [ "$RC" != "$want" ]; then bad "$name: want exit $want; $(show)"; return 1; fi
  if [ "$pout" != - ] && ! grep -Eq -e "$pout" "$T/out"; then bad "$name: stdout lacks /$pout/; $(show)"; return 1; fi
  if [ "$perr" != - ] && ! grep -Eq -e "$perr" "$T/err"; then bad "$name: stderr lacks /$perr/; $(show)"; return 1; fi
  ok
}

# pycheck NAME FILE EXPR: Python's json.load(FILE) as d; EXPR must hold
pycheck() {
  local name=$1 file=$2 expr=$3
  if "$PY" - "$file" "$expr" 2>"$T/pyerr" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
def fails(d):
    return [c for c in d["checks"] if not c["ok"]]
def codes(d):
    return [c["code"] for c in fails(d)]
assert eval(sys.argv[2]), "expression is false"
EOF
  then ok; else bad "$name: $expr does not hold for $(head -c 600 "$file"): $(tail -n 1 "$T/pyerr")"; fi
}

# pyedit IN OUT PYTHON: d = json.load(IN); PYTHON modifies d; json.dump(d) to OUT
pyedit() {
  "$PY" - "$1" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[3])
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(d))
EOF
}

