#!/usr/bin/env bash
# prova benchmarks: `make bench` (= bench/run.sh BUILD_DIR; BUILD_DIR defaults to build).
#
# In one run, on the same inputs, prints:
#   1. MB/s (10^6 bytes of input per second of wall time) of the whole `prova canon --profile P FILE > OUT` process
#      (read file, canonicalize, write the output file) for ope, ophamin and jcs, against the peers with the same
#      I/O (bench/peers.py: Python json.loads + json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=False
#      for ope / True for ophamin); bench/peers.js: Node JSON.parse + a JCS canonicalizer for jcs), best of N runs,
#      the ratio prova/peer, and whether prova's output bytes are identical to the peer's;
#      on (a) ~100 MB of compact agent traces and (b) ~20 MB of numbers (bench/gen_corpus.py).
#   2. Peak memory (max RSS, from wait4) of `prova canon` on (a), as a multiple of the input size.
#   3. Doubles formatted per second by prova_format_double (bench_doubles.c), Python repr() and Node String().
# and whether the targets are met (>= 300 MB/s on (a) in every profile, >= 10x Python, peak RSS <= 3x input).
#
# Environment: PROVA_RUNS (default 5), PEER_RUNS (default 2), DOUBLES_N (default 10000000).
# Corpora and outputs live in bench/out/ (git-ignored); the corpora are regenerated only when missing or when
# bench/gen_corpus.py changed. The whole run takes about 2 minutes on 2 cores (plus ~6 s the first time).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3)"

prova="$build/prova"
bench_doubles="$build/bench/bench_doubles"
for f in "$prova" "$bench_doubles"; do
  if [ ! -x "$f" ]; then
    echo "bench: $f not found; build first (make build)" >&2
    exit 2
  fi
done
if ! command -v node >/dev/null 2>&1; then
  echo "bench: node not found (needed for the jcs peer); run make setup" >&2
  exit 2
fi

out="$here/out"
mkdir -p "$out/bin"
# Time copies, so that a rebuild running in parallel cannot swap the binaries in the middle of the run.
cp "$prova" "$out/bin/prova"
cp "$bench_doubles" "$out/bin/bench_doubles"
prova="$out/bin/prova"
bench_doubles="$out/bin/bench_doubles"
stamp="$(sha256sum "$here/gen_corpus.py" | cut -d' ' -f1)"
if [ ! -s "$out/traces.json" ] || [ ! -s "$out/numbers.json" ] || [ "$(cat "$out/corpus.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "bench: generating the corpora in $out (once) ..."
  rm -f "$out/corpus.stamp"
  "$py" "$here/gen_corpus.py" "$out"
  echo "$stamp" > "$out/corpus.stamp"
fi

exec "$py" - "$prova" "$bench_doubles" "$here" "$out" "$py" "$(command -v node)" <<'PYEOF'
import os
import re
import subprocess
import sys
import time

prova, bench_doubles, here, out, py, node = sys.argv[1:7]
PROVA_RUNS = int(os.environ.get("PROVA_RUNS", "5"))
PEER_RUNS = int(os.environ.get("PEER_RUNS", "2"))
DOUBLES_N = int(os.environ.get("DOUBLES_N", "10000000"))
MB = 1e6


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def run(argv, outpath):
    """Runs argv with stdout to outpath; returns (wall seconds, rusage). Fails loudly on a non-zero exit."""
    if os.path.exists(outpath):
        os.unlink(outpath)  # untimed: truncating last run's 100 MB of page cache would be charged to the child
    actions = [(os.POSIX_SPAWN_OPEN, 1, outpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("bench: %s exited with %d" % (" ".join(argv), code))
    return dt, ru


def best_of(n, argv, outpath):
    """Best wall time of n runs, the max RSS (bytes) over them, and the rusage of the best run."""
    best, rss, best_ru = None, 0, None
    for _ in range(n):
        dt, ru = run(argv, outpath)
        if best is None or dt < best:
            best, best_ru = dt, ru
        rss = max(rss, ru.ru_maxrss * 1024)
    return best, rss, best_ru


def first_diff(a, b):
    """None when the files are byte for byte identical, else the first differing byte offset."""
    off = 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca, cb = fa.read(1 << 20), fb.read(1 << 20)
            if ca != cb:
                n = min(len(ca), len(cb))
                i = next((k for k in range(n) if ca[k] != cb[k]), n)
                return off + i
            if not ca:
                return None
            off += len(ca)


def describe_diff(a, b, off):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        fa.seek(max(0, off - 40))
        fb.seek(max(0, off - 40))
        return "prova ...%r... vs peer ...%r..." % (fa.read(80), fb.read(80))


print("prova benchmark  (%s; %d cores, %s)" % (time.strftime("%Y-%m-%d"), os.cpu_count(), cpu_model()))
print("load average at start: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
print("prova: %s" % prova)
print("peers: %s (Python %s), node %s" % (py, subprocess.run([py, "-c", "import sys;print(sys.version.split()[0])"],
                                                               capture_output=True, text=True).stdout.strip(),
                                           subprocess.run([node, "--version"], capture_output=True,
                                                          text=True).stdout.strip()))
corpora = [("a", "traces.json", "agent traces, compact JSON"), ("b", "numbers.json", "numbers, compact JSON")]
for tag, name, what in corpora:
    print("corpus (%s) %-13s %7.1f MB  %s" % (tag, name, os.path.getsize(os.path.join(out, name)) / MB, what))
print()
print("1. Throughput: wall time of the whole process (read file, canonicalize, write the output to a file),")
print("   MB/s = input MB (10^6 bytes) / best time; prova best of %d, peers best of %d" % (PROVA_RUNS, PEER_RUNS))
print()
hdr = "%-6s %-8s %11s   %-22s %10s %11s   %s" % ("corpus", "profile", "prova MB/s", "peer", "peer MB/s",
                                                 "prova/peer", "output vs peer")
print(hdr)
print("-" * len(hdr))

results = {}
peer_desc = {"ope": "python3 json (ea=False)", "ophamin": "python3 json (ea=True)", "jcs": "node JSON + JCS"}
for tag, name, _ in corpora:
    inp = os.path.join(out, name)
    size = os.path.getsize(inp)
    for prof in ("ope", "ophamin", "jcs"):
        pout = os.path.join(out, "run_%s_prova_%s.out" % (tag, prof))
        qout = os.path.join(out, "run_%s_peer_%s.out" % (tag, prof))
        t_prova, rss_prova, ru_prova = best_of(PROVA_RUNS, [prova, "canon", "--profile", prof, inp], pout)
        if prof == "jcs":
            peer_argv = [node, os.path.join(here, "peers.js"), "canon", inp]
        else:
            peer_argv = [py, os.path.join(here, "peers.py"), "canon", prof, inp]
        t_peer, rss_peer, _ = best_of(PEER_RUNS, peer_argv, qout)
        d = first_diff(pout, qout)
        verdict = "identical" if d is None else "DIFFER at byte %d" % d
        print("%-6s %-8s %11.1f   %-22s %10.1f %10.1fx   %s" % ("(%s)" % tag, prof, size / MB / t_prova,
                                                               peer_desc[prof], size / MB / t_peer,
                                                               t_peer / t_prova, verdict), flush=True)
        if d is not None:
            print("         " + describe_diff(pout, qout, d))
        results[(tag, prof)] = dict(size=size, t_prova=t_prova, t_peer=t_peer, rss_prova=rss_prova,
                                    rss_peer=rss_peer, identical=d is None, ru=ru_prova)
        os.unlink(pout)
        os.unlink(qout)

print()
print("2. Peak memory on (a): max RSS (wait4) over the runs above, as a multiple of the input size;")
print("   and the CPU time of prova's best run (user, sys) and its minor page faults")
print()
print("%-8s %10s %8s %7s %7s %8s   %-22s %10s %8s" % ("profile", "prova MiB", "x input", "user s", "sys s",
                                                     "minflt", "peer", "peer MiB", "x input"))
for prof in ("ope", "ophamin", "jcs"):
    r = results[("a", prof)]
    ru = r["ru"]
    print("%-8s %10.1f %7.2fx %7.2f %7.2f %8d   %-22s %10.1f %7.2fx" % (
        prof, r["rss_prova"] / 2**20, r["rss_prova"] / r["size"], ru.ru_utime, ru.ru_stime, ru.ru_minflt,
        peer_desc[prof], r["rss_peer"] / 2**20, r["rss_peer"] / r["size"]))

print()
print("3. Doubles formatted per second (formatting loop only; %d doubles per set; prova best of 3," % DOUBLES_N)
print("   Python list(map(repr, xs)) best of 2, Node loop of String(x) best of 3; the same doubles for all)")
print("   random = random finite bit patterns; short = k/10^d, k < 10^7, d in 1..3 (like round(x, 3))")
print()
cres = subprocess.run([bench_doubles, "--n", str(DOUBLES_N), "--runs", "3", "--dump", out], check=True,
                      capture_output=True, text=True).stdout
prova_d = {}
for m in re.finditer(r"set=(\w+) style=(\w+) n=(\d+) best_s=([\d.]+) mdps=[\d.]+ chars=(\d+)", cres):
    prova_d[(m.group(1), m.group(2))] = (int(m.group(3)) / float(m.group(4)) / 1e6, int(m.group(5)))
files = [os.path.join(out, "doubles_%s.f64" % s) for s in ("random", "short")]


def peer_doubles(argv):
    res = {}
    txt = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    for m in re.finditer(r"doubles_(\w+)\.f64 n=(\d+) best_s=([\d.]+) chars=(\d+)", txt):
        res[m.group(1)] = (int(m.group(2)) / float(m.group(3)) / 1e6, int(m.group(4)))
    return res


py_d = peer_doubles([py, os.path.join(here, "peers.py"), "repr", "2"] + files)
js_d = peer_doubles([node, os.path.join(here, "peers.js"), "string", "3"] + files)
hdr = "%-7s %-20s %12s   %-14s %12s %11s   %s" % ("set", "prova style", "prova Md/s", "peer", "peer Md/s",
                                                  "prova/peer", "total chars")
print(hdr)
print("-" * len(hdr))
dratio = {}
for s in ("random", "short"):
    for style, peer, pres in (("py", "python3 repr(x)", py_d), ("js", "node String(x)", js_d)):
        mine, chars = prova_d[(s, style)]
        theirs, pchars = pres[s]
        dratio[(s, style)] = mine / theirs
        print("%-7s %-20s %12.2f   %-14s %12.2f %10.1fx   %s" % (
            s, "Python repr" if style == "py" else "ECMAScript String", mine, peer, theirs, mine / theirs,
            "equal" if chars == pchars else "DIFFER (%d vs %d)" % (chars, pchars)))
os.unlink(files[0])
os.unlink(files[1])

print()
print("load average at end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
print()
print("Targets")
a_mbs = {p: results[("a", p)]["size"] / MB / results[("a", p)]["t_prova"] for p in ("ope", "ophamin", "jcs")}
ok = all(v >= 300 for v in a_mbs.values())
print("  >= 300 MB/s on (a) in every profile: %s (%s)" % ("MET" if ok else "NOT MET",
                                                        ", ".join("%s %.0f" % kv for kv in a_mbs.items())))
for tag in ("a", "b"):
    rs = {p: results[(tag, p)]["t_peer"] / results[(tag, p)]["t_prova"] for p in ("ope", "ophamin")}
    ok = all(v >= 10 for v in rs.values())
    print("  >= 10x Python on (%s): %s (%s)" % (tag, "MET" if ok else "NOT MET",
                                                ", ".join("%s %.1fx" % kv for kv in rs.items())))
ok = all(v >= 10 for k, v in dratio.items() if k[1] == "py")
print("  >= 10x Python repr() for doubles: %s (random %.1fx, short %.1fx)" % (
    "MET" if ok else "NOT MET", dratio[("random", "py")], dratio[("short", "py")]))
mem = max(results[("a", p)]["rss_prova"] / results[("a", p)]["size"] for p in ("ope", "ophamin", "jcs"))
print("  peak memory <= 3x input on (a): %s (worst %.2fx)" % ("MET" if mem <= 3 else "NOT MET", mem))
same = all(r["identical"] for r in results.values())
print("  outputs identical to the peers: %s" % ("yes, all 6" if same else "NO -- the throughput figures are void"))
sys.exit(0 if same else 1)
PYEOF
