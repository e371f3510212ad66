#!/usr/bin/env bash
# prova canon on an input far larger than its memory bound: bench/out/traces_big.json, COPIES (default 10) copies of
# the traces of bench/out/traces.json (bench/run.sh makes it) in one {"generator":..,"traces":[...],"version":1}
# document (~1 GB), generated once. For each profile: CPU time (user + sys), MB/s per CPU-second, peak RSS (wait4)
# and peak RSS beyond the (mapped) input, and whether the output is the expected one (the 100 MB document's
# canonical form with its traces repeated, by SHA-256). About 1 minute per profile on 2 cores, plus ~10 s once.
#   bench/canon_big.sh [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
copies="${COPIES:-10}"
out="$here/out"
src="$out/traces.json"
big="$out/traces_big.json"
[ -s "$src" ] || { echo "canon_big: $src missing: run bench/run.sh BUILD canon first" >&2; exit 2; }
mkdir -p "$out/bin"
cp "$build/prova" "$out/bin/prova_big"
exec /usr/bin/python3 - "$out/bin/prova_big" "$src" "$big" "$copies" <<'PYEOF'
import hashlib
import os
import subprocess
import sys

prova, src, big, copies = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(src, "rb").read()
head = data.index(b'"traces":[') + len(b'"traces":[')
assert data.endswith(b"]}"), "traces.json must end with ]}"
stamp = "%d %d %d" % (copies, len(data), os.path.getmtime(src))
old = open(big + ".stamp").read() if os.path.exists(big + ".stamp") else None
if not os.path.exists(big) or old != stamp:
    print("canon_big: writing %s (%d copies of the traces) ..." % (big, copies), flush=True)
    inner = data[head:-2]
    with open(big, "wb") as f:
        f.write(data[:head])
        for k in range(copies):
            if k:
                f.write(b",")
            f.write(inner)
        f.write(b"]}")
    with open(big + ".stamp", "w") as f:
        f.write(stamp)
size = os.path.getsize(big)
MiB = 2 ** 20
print("input: %s, %.1f MB (%.2f GiB)" % (big, size / 1e6, size / 2 ** 30))
print("%-8s %8s %8s %14s %12s %16s   %s" % ("profile", "user s", "sys s", "MB/cpu-s", "peak MiB", "beyond input MiB",
                                             "output"))
ok = True
for prof in ("ope", "ophamin", "jcs"):
    # The expected output: the 100 MB document's canonical form with its traces array repeated.
    small = subprocess.run([prova, "canon", "--profile", prof, src], check=True, capture_output=True).stdout
    a = small.index(b'"traces":[') + len(b'"traces":[')
    b = small.rindex(b'],"version":')
    h = hashlib.sha256(small[:a])
    for k in range(copies):
        if k:
            h.update(b",")
        h.update(small[a:b])
    h.update(small[b:])
    want = h.hexdigest()
    del small
    outp = big + ".out"
    if os.path.exists(outp):
        os.unlink(outp)
    pid = os.posix_spawn(prova, [prova, "canon", "--max-size", "4294967295", "--profile", prof, big], os.environ,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, outp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)])
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("canon_big: prova canon failed")
    h = hashlib.sha256()
    with open(outp, "rb") as f:
        while True:
            c = f.read(1 << 24)
            if not c:
                break
            h.update(c)
    os.unlink(outp)
    same = h.hexdigest() == want
    ok = ok and same
    cpu = ru.ru_utime + ru.ru_stime
    rss = ru.ru_maxrss * 1024
    print("%-8s %8.2f %8.2f %14.1f %12.1f %16.1f   %s" % (prof, ru.ru_utime, ru.ru_stime, size / 1e6 / cpu, rss / MiB,
                                                        (rss - size) / MiB, "expected" if same else "DIFFERS"),
          flush=True)
sys.exit(0 if ok else 1)
PYEOF
