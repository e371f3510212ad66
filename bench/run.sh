#!/usr/bin/env bash
# prova benchmarks: `make bench` (= bench/run.sh BUILD_DIR; BUILD_DIR defaults to build).
#   bench/run.sh [BUILD_DIR [all|canon|ope|oe|gateway|mcp|bindings]]   canon = sections 1-3 only, ope = section 4 only, oe = section 5,
#                                                 gateway = section 6 (bench/gateway.sh)
#                                                 only (default all)
#
# In one run, on the same inputs, prints:
#   1. MB/s (10^6 bytes of input per second of wall time) of the whole `prova canon --profile P FILE > OUT` process
#      (read file, canonicalize, write the output file) for ope, ophamin and jcs, against the peers with the same
#      I/O (bench/peers.py: Python json.loads + json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=False
#      for ope / True for ophamin); bench/peers.js: Node JSON.parse + a JCS canonicalizer for jcs), best of N runs,
#      the ratio prova/peer, and whether prova's output bytes are identical to the peer's;
#      on (a) ~100 MB of compact agent traces and (b) ~20 MB of numbers (bench/gen_corpus.py).
#      1b: the same runs per CPU-second (user + sys from wait4, the least of the runs), prova and the peers.
#   2. Peak memory (max RSS, from wait4) of `prova canon` on (a), as a multiple of the input size, and beyond the
#      (mapped) input. Sections 1 and 2 are also written to bench/out/results-canon.tsv (section, name, prova_value,
#      peer_name, peer_value, unit). bench/canon_big.sh measures a ~1 GB input (memory bound, CPU time).
#   3. Doubles formatted per second by prova_canon_format_double (bench_doubles.c), Python repr() and Node String().
#   4. OPE verification (bench_ope.c, ope_peer.py): envelopes/s of prova_ope_verify against raw libsodium
#      Ed25519 verifies/s (the overhead %) and against Python (json + cryptography); a 100,000-receipt JSON Lines
#      chain: receipts/s, peak RSS, the `prova verify` CLI and Python on the same file.
#   5. OpenExecution v2 chain verification: `prova verify --threads 1|2 --hash-alg sha256` on 1,000,000 sha256
#      chain events as JSON Lines (bench/gen_oe.py), events/s (whole process, median of 3) and events per
#      CPU-second against a Python peer (bench/oe_peer.py: json + hashlib, streaming), peak RSS, and the same at
#      100,000 events (memory flatness); the figures also go to bench/out/results-oe.tsv (section, name,
#      prova_value, peer_name, peer_value, unit).
# and whether the targets are met (>= 300 MB/s on (a) in every profile, >= 10x Python, peak RSS <= 3x input;
# envelope overhead <= 15% over raw libsodium, chain memory bounded; OE chain >= 500,000 events/s on one thread,
# memory flat; >= 1,000,000 events per CPU-second on one thread).
#
# Environment: PROVA_RUNS (default 5), PEER_RUNS (default 2), DOUBLES_N (default 10000000), OPE_N (envelope
# verifications per round, default 3000), OPE_RUNS (paired rounds, default 31), OPE_PEER_RUNS (Python envelope runs
# of OPE_N, default 4), CHAIN_N (receipts, default 100000), CHAIN_RUNS (default 3), OE_N (OE events, default
# 1000000), OE_SMALL_N (default OE_N / 10), OE_RUNS (default 3).
# Corpora and outputs live in bench/out/ (git-ignored); the corpora are regenerated only when missing or when
# bench/gen_corpus.py changed. The whole run takes about 2 minutes on 2 cores (plus ~6 s the first time) for
# sections 1-3, about 60 s for section 4 and about 2 minutes for section 5 (plus ~30 s the first time to generate
# its events).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
sections="${2:-all}"
case "$sections" in all|canon|ope|oe|gateway|mcp|bindings) ;; *) echo "usage: bench/run.sh [BUILD_DIR [all|canon|ope|oe|gateway|mcp|bindings]]" >&2; exit 2 ;; esac
# Section 6, the gateway under load, is its own script (a server, a load generator, about 45 s).
if [ "$sections" = gateway ]; then exec "$here/gateway.sh" "$build"; fi
# Section 7, MCP tool calls over stdio against the TypeScript SDK's server (bench/mcp.sh, about 30 s).
if [ "$sections" = mcp ]; then exec "$here/mcp.sh" "$build"; fi
# The bindings (Python, TypeScript) against the C library and their peers (bench/bindings.sh, about 2 minutes).
if [ "$sections" = bindings ]; then exec "$here/bindings.sh" "$build"; fi
case "$build" in /*) ;; *) build="$root/$build" ;; esac
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3)"

prova="$build/prova"
bench_doubles="$build/bench/bench_doubles"
bench_ope="$build/bench/bench_ope"
need=("$prova")
case "$sections" in all|canon) need+=("$bench_doubles") ;; esac
case "$sections" in all|ope) need+=("$bench_ope") ;; esac
for f in "${need[@]}"; do
  if [ ! -x "$f" ]; then
    echo "bench: $f not found; build first (make build)" >&2
    exit 2
  fi
done
if { [ "$sections" = all ] || [ "$sections" = canon ]; } && ! command -v node >/dev/null 2>&1; then
  echo "bench: node not found (needed for the jcs peer); run make setup" >&2
  exit 2
fi

out="$here/out"
mkdir -p "$out/bin"
# Time copies, so that a rebuild running in parallel cannot swap the binaries in the middle of the run.
cp "$prova" "$out/bin/prova"
if [ -x "$bench_doubles" ]; then cp "$bench_doubles" "$out/bin/bench_doubles"; fi
if [ -x "$bench_ope" ]; then cp "$bench_ope" "$out/bin/bench_ope"; fi
prova="$out/bin/prova"
bench_doubles="$out/bin/bench_doubles"
bench_ope="$out/bin/bench_ope"
stamp="$(sha256sum "$here/gen_corpus.py" | cut -d' ' -f1)"
if { [ "$sections" = all ] || [ "$sections" = canon ]; } && { [ ! -s "$out/traces.json" ] || [ ! -s "$out/numbers.json" ] ||
                               [ "$(cat "$out/corpus.stamp" 2>/dev/null)" != "$stamp" ]; }; then
  echo "bench: generating the corpora in $out (once) ..."
  rm -f "$out/corpus.stamp"
  "$py" "$here/gen_corpus.py" "$out"
  echo "$stamp" > "$out/corpus.stamp"
fi
# Section 5's events: OE_N and OE_SMALL_N sha256 events of one chain in bench/out/oe_events_N.jsonl
# (bench/gen_oe.py writes oe_events_N.jsonl.chainhash too), each regenerated only when missing or when the
# generator changed.
export OE_N="${OE_N:-1000000}"
export OE_SMALL_N="${OE_SMALL_N:-$((OE_N / 10))}"
oe_stamp="$(sha256sum "$here/gen_oe.py" | cut -d' ' -f1)"
if [ "$sections" = all ] || [ "$sections" = oe ]; then
  for n in "$OE_N" "$OE_SMALL_N"; do
    f="$out/oe_events_$n.jsonl"
    if [ ! -s "$f.chainhash" ] || [ "$(cat "$f.stamp" 2>/dev/null)" != "$oe_stamp" ]; then
      echo "bench: generating $n OpenExecution events in $out (once) ..."
      rm -f "$f.stamp"
      "$py" "$here/gen_oe.py" "$n" "$f"
      echo "$oe_stamp" > "$f.stamp"
    fi
  done
fi

rc=0
"$py" - "$prova" "$bench_doubles" "$here" "$out" "$py" "$(command -v node || echo node)" "$bench_ope" \
  "$sections" <<'PYEOF' || rc=$?
import os
import re
import subprocess
import sys
import time

prova, bench_doubles, here, out, py, node, bench_ope, sections = sys.argv[1:9]
DO_CANON = sections in ("all", "canon")
DO_OPE = sections in ("all", "ope")
DO_OE = sections in ("all", "oe")
PROVA_RUNS = int(os.environ.get("PROVA_RUNS", "5"))
PEER_RUNS = int(os.environ.get("PEER_RUNS", "2"))
DOUBLES_N = int(os.environ.get("DOUBLES_N", "10000000"))
OPE_N = int(os.environ.get("OPE_N", "3000"))
OPE_RUNS = int(os.environ.get("OPE_RUNS", "31"))
OPE_PEER_RUNS = int(os.environ.get("OPE_PEER_RUNS", "4"))
CHAIN_N = int(os.environ.get("CHAIN_N", "100000"))
CHAIN_RUNS = int(os.environ.get("CHAIN_RUNS", "3"))
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
        cpu_s = ru.ru_utime + ru.ru_stime
        best_cpu[tuple(argv)] = min(best_cpu.get(tuple(argv), cpu_s), cpu_s)
    return best, rss, best_ru


best_cpu = {}  # argv -> the least CPU time (user + sys, wait4) of its runs
tsv_rows = []  # bench/out/results-canon.tsv: section, name, prova_value, peer_name, peer_value, unit


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
py_version = subprocess.run([py, "-c", "import sys;print(sys.version.split()[0])"], capture_output=True,
                            text=True).stdout.strip()
if DO_CANON:
    print("peers: %s (Python %s), node %s" % (py, py_version, subprocess.run([node, "--version"], capture_output=True,
                                                                             text=True).stdout.strip()))
if DO_OPE:
    py_crypto = subprocess.run([py, "-c", "import cryptography;print(cryptography.__version__)"], capture_output=True,
                               text=True).stdout.strip() or "MISSING"
    print("OPE peer: %s (Python %s, cryptography %s); bench_ope: %s" % (py, py_version, py_crypto, bench_ope))
if DO_OE:
    print("OE peer: %s (Python %s, json + hashlib)" % (py, py_version))
if DO_CANON:
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
                                        rss_peer=rss_peer, identical=d is None, ru=ru_prova,
                                        cpu_prova=best_cpu[(prova, "canon", "--profile", prof, inp)],
                                        cpu_peer=best_cpu[tuple(peer_argv)])
            r = results[(tag, prof)]
            tsv_rows.append(("1", "%s_%s_wall" % (name.split(".")[0], prof), size / MB / t_prova, peer_desc[prof],
                             size / MB / t_peer, "MB/s"))
            tsv_rows.append(("1", "%s_%s_cpu" % (name.split(".")[0], prof), size / MB / r["cpu_prova"],
                             peer_desc[prof], size / MB / r["cpu_peer"], "MB/s per CPU-second"))
            os.unlink(pout)
            os.unlink(qout)

    print()
    print("1b. The same runs per CPU-second: input MB / the least CPU time (user + sys, wait4) of each side's runs")
    print()
    hdr = "%-6s %-8s %16s   %-22s %16s %11s" % ("corpus", "profile", "prova MB/cpu-s", "peer", "peer MB/cpu-s",
                                                "prova/peer")
    print(hdr)
    print("-" * len(hdr))
    for tag, name, _ in corpora:
        for prof in ("ope", "ophamin", "jcs"):
            r = results[(tag, prof)]
            print("%-6s %-8s %16.1f   %-22s %16.1f %10.1fx" % ("(%s)" % tag, prof, r["size"] / MB / r["cpu_prova"],
                                                             peer_desc[prof], r["size"] / MB / r["cpu_peer"],
                                                             r["cpu_peer"] / r["cpu_prova"]))
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
    print("   peak RSS beyond the input (max RSS - input size; prova maps the input, whose pages count in its RSS;")
    print("   Linux starts a child's ru_maxrss at the parent's RSS, this script's ~15 MiB, so that is the floor):")
    for prof in ("ope", "ophamin", "jcs"):
        r = results[("a", prof)]
        print("   %-8s %8.1f MiB   %-22s %8.1f MiB" % (prof, (r["rss_prova"] - r["size"]) / 2**20, peer_desc[prof],
                                                       (r["rss_peer"] - r["size"]) / 2**20))
        tsv_rows.append(("2", "traces_%s_rss_beyond_input" % prof, (r["rss_prova"] - r["size"]) / 2**20,
                         peer_desc[prof], (r["rss_peer"] - r["size"]) / 2**20, "MiB"))
        tsv_rows.append(("2", "traces_%s_peak_rss" % prof, r["rss_prova"] / 2**20, peer_desc[prof],
                         r["rss_peer"] / 2**20, "MiB"))
    with open(os.path.join(out, "results-canon.tsv"), "w") as f:
        f.write("section\tname\tprova_value\tpeer_name\tpeer_value\tunit\n")
        for row in tsv_rows:
            f.write("%s\t%s\t%.3f\t%s\t%.3f\t%s\n" % row)
    print("   (sections 1 and 2 written to %s)" % os.path.join(out, "results-canon.tsv"))

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

if DO_OPE:
    # ---- 4. OPE verification -------------------------------------------------------------------------------
    print()
    print("4. OPE verification (Ed25519): prova_ope_verify against raw libsodium and a Python peer")
    print("   (bench/ope_peer.py: json + hashlib + cryptography %s, the same checks)" % py_crypto)
    print()
    print("   envelopes: one prova-dialect envelope, payload of 1024 canonical bytes; %d paired rounds of %d"
          % (OPE_RUNS, OPE_N))
    print("   verifications: prova (full path: parse, schema, canonical payload, CID, signature, timestamp, report)")
    print("   and raw libsodium crypto_sign_ed25519_verify_detached (same signature, message, key) back to back;")
    print("   rates from each side's best round, overhead = median over the rounds of t_prova/t_raw - 1;")
    print("   Python best of %d runs of %d" % (OPE_PEER_RUNS, OPE_N))
    print()
    env_txt = subprocess.run([bench_ope, "envelope", "--n", str(OPE_N), "--runs", str(OPE_RUNS), "--dump", out],
                             check=True, capture_output=True, text=True).stdout
    kv = {}
    for line in env_txt.splitlines():
        kv.update(dict(f.split("=", 1) for f in line.split()[1:]))
    prova_eps, raw_vps = float(kv["prova_eps"]), float(kv["raw_vps"])
    overhead = float(kv["overhead_pct"])
    py_env = subprocess.run([py, os.path.join(here, "ope_peer.py"), "envelope", str(OPE_N), str(OPE_PEER_RUNS),
                             os.path.join(out, "envelope.json"), os.path.join(out, "envelope.jwks"),
                             os.path.join(out, "envelope.now")], capture_output=True, text=True)
    m = re.search(r"eps=([\d.]+) valid=(\d)", py_env.stdout)
    if not m or m.group(2) != "1":
        sys.exit("bench: ope_peer.py envelope failed: %s %s" % (py_env.stdout, py_env.stderr))
    py_eps = float(m.group(1))
    print("   %-44s %10.0f envelopes/s  %7.1f us" % ("prova_ope_verify", prova_eps, 1e6 / prova_eps))
    print("   %-44s %10.0f verifies/s   %7.1f us" % ("raw libsodium verify", raw_vps, 1e6 / raw_vps))
    print("   %-44s %10.1f %%   rounds %.1f .. %.1f %%; best vs best %.1f %%" % (
        "overhead (median of the rounds)", overhead, float(kv["overhead_min_pct"]), float(kv["overhead_max_pct"]),
        float(kv["overhead_best_pct"])))
    print("   %-44s %10.0f envelopes/s  %7.1f us   prova/python %.1fx" % ("python3 json + cryptography", py_eps,
                                                                         1e6 / py_eps, prova_eps / py_eps))
    print("   parts of prova's path, each timed alone: parse %.1f us, canonical payload + SHA-256 %.1f us;"
          % (float(kv["parse_us"]), float(kv["canon_cid_us"])))
    print("   report to JSON %.1f us (%s bytes; not part of the timed path above)" % (float(kv["report_json_us"]),
                                                                                   kv["report_json_bytes"]))
    for f in ("envelope.json", "envelope.jwks", "envelope.now"):
        os.unlink(os.path.join(out, f))

    print()
    chain = os.path.join(out, "chain.jsonl")
    chain_jwks = os.path.join(out, "chain.jwks")
    small = os.path.join(out, "chain_small.jsonl")
    small_jwks = os.path.join(out, "chain_small.jwks")
    small_n = max(1, CHAIN_N // 10)
    gen = subprocess.run([bench_ope, "chain", str(CHAIN_N), chain, chain_jwks], check=True, capture_output=True,
                         text=True).stdout
    subprocess.run([bench_ope, "chain", str(small_n), small, small_jwks], check=True, capture_output=True)
    chain_size = os.path.getsize(chain)
    print("   receipt chain: %d receipts of one trace as JSON Lines, %.1f MB (built by prova_ope_receipt_build in %s s)"
          % (CHAIN_N, chain_size / MB, re.search(r"build_s=([\d.]+)", gen).group(1)))
    print("   bench_ope verify-chain maps the file (mmap, MAP_POPULATE, as the CLI does) and times one")
    print("   prova_ope_verify call on the whole buffer; best of %d runs (1 and 2 threads alternating), peak RSS"
          % CHAIN_RUNS)
    print("   over them: VmHWM read by bench_ope after the call, and wait4's ru_maxrss (which on Linux starts at")
    print("   the parent's RSS);")
    print("   Python streams the file line by line (one receipt in memory), whole loop timed, 1 run")
    print()

    def verify_chain(path, jwks, runs, threads=1):
        """(best verify_s, max RSS from wait4, max VmHWM, the best run's fields), or None when bench_ope says threads
        are not implemented. Linux's wait4 ru_maxrss of a child starts at the parent's RSS at exec time (the
        high-water mark of the mm it replaced), so it cannot go below this script's own ~15 MiB; VmHWM, which
        bench_ope reads from /proc/self/status right after the call, is the child's own peak."""
        best, rss, hwm, kvb = None, 0, 0, None
        for _ in range(runs):
            vout = os.path.join(out, "verify_chain.out")
            if os.path.exists(vout):
                os.unlink(vout)
            pid = os.posix_spawn(bench_ope, [bench_ope, "verify-chain", "--threads", str(threads), path, jwks],
                                 os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, vout,
                                                            os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)])
            _, status, ru = os.wait4(pid, 0)
            with open(vout, errors="replace") as f:
                txt = f.read()
            os.unlink(vout)
            d = dict(f.split("=", 1) for f in txt.split()[1:])
            if d.get("not_implemented") == "1":
                return None
            if d.get("valid") != "1":
                sys.exit("bench: the chain did not verify: %s" % txt)
            if best is None or float(d["verify_s"]) < best:
                best, kvb = float(d["verify_s"]), d
            rss = max(rss, ru.ru_maxrss * 1024)
            hwm = max(hwm, int(d["vm_hwm_kib"]) * 1024)
        return best, rss, hwm, kvb

    def merge(a, b):
        if a is None or b is None:
            return b if a is None else a
        return (min(a[0], b[0]), max(a[1], b[1]), max(a[2], b[2]), a[3] if a[0] <= b[0] else b[3])

    # 1 thread and 2 threads alternate, so that both see the same machine state (this is a 2-vCPU VM).
    one, two, two_missing = None, None, False
    for _ in range(CHAIN_RUNS):
        one = merge(one, verify_chain(chain, chain_jwks, 1))
        if not two_missing:
            r2 = verify_chain(chain, chain_jwks, 1, threads=2)
            two_missing = r2 is None
            two = merge(two, r2)
    t_chain, rss_wait4, rss_chain, ckv = one
    _, _, rss_small, _ = verify_chain(small, small_jwks, 1)
    small_size = os.path.getsize(small)
    prova_rps = CHAIN_N / t_chain
    # The CLI on the same file: the whole process (map, verify, print the text report), 1 run, with its default
    # number of threads (the online CPUs, when the CLI has --threads).
    cli_dt, cli_ru = run([prova, "verify", "--jwks", chain_jwks, chain], os.path.join(out, "verify_cli.out"))
    os.unlink(os.path.join(out, "verify_cli.out"))
    py_dt, py_ru = run([py, os.path.join(here, "ope_peer.py"), "chain", chain, chain_jwks],
                       os.path.join(out, "py_chain.out"))
    with open(os.path.join(out, "py_chain.out"), errors="replace") as f:
        py_txt = f.read()
    os.unlink(os.path.join(out, "py_chain.out"))
    m = re.search(r"receipts=(\d+) best_s=([\d.]+) rps=([\d.]+) valid=(\d)", py_txt)
    if not m or m.group(4) != "1" or int(m.group(1)) != CHAIN_N:
        sys.exit("bench: ope_peer.py chain failed: %s" % py_txt)
    py_rps = float(m.group(3))
    beyond = rss_chain - chain_size
    beyond_small = rss_small - small_size
    MiB = 2 ** 20
    print("   %-44s %10.0f receipts/s  %6.2f s   %s %s, %s checks in the report" % (
        "prova_ope_verify, 1 thread", prova_rps, t_chain, "valid" if ckv["valid"] == "1" else "INVALID",
        ckv["kind"], ckv["checks"]))
    print("   %-44s %10.1f MiB = mapped input %.1f MiB + %.1f MiB (anonymous RSS after the call %.1f MiB)" % (
        "  peak RSS (VmHWM)", rss_chain / MiB, chain_size / MiB, beyond / MiB, int(ckv["rss_anon_kib"]) / 1024))
    print("   %-44s %10.1f MiB" % ("  peak RSS (wait4 ru_maxrss)", rss_wait4 / MiB))
    print("   %-44s %10.1f MiB = mapped input %.1f MiB + %.1f MiB" % (
        "  same, %d receipts" % small_n, rss_small / MiB, small_size / MiB, beyond_small / MiB))
    if two is None:
        print("   %-44s %10s" % ("prova_ope_verify, 2 threads", "not implemented"))
    else:
        print("   %-44s %10.0f receipts/s  %6.2f s   %.2fx 1 thread; peak RSS %.1f MiB, %s" % (
            "prova_ope_verify, 2 threads", CHAIN_N / two[0], two[0], t_chain / two[0], two[2] / MiB,
            "valid" if two[3]["valid"] == "1" else "INVALID"))
    print("   %-44s %10.0f receipts/s  %6.2f s   peak RSS (wait4) %.1f MiB" % (
        "prova verify CLI (process, default threads)", CHAIN_N / cli_dt, cli_dt, cli_ru.ru_maxrss * 1024 / MiB))
    print("   %-44s %10.0f receipts/s  %6.2f s   peak RSS (wait4) %.1f MiB   prova/python %.1fx" % (
        "python3 json + cryptography (streaming)", py_rps, float(m.group(2)), py_ru.ru_maxrss * 1024 / MiB,
        prova_rps / py_rps))
    for f in (chain, chain_jwks, small, small_jwks):
        os.unlink(f)

oe_ok = True
if DO_OE:
    # ---- 5. OpenExecution chain verification -----------------------------------------------------------------
    import json
    import statistics

    OE_RUNS = int(os.environ.get("OE_RUNS", "3"))
    MiB = 2 ** 20
    oe_big = os.path.join(out, "oe_events_%d.jsonl" % int(os.environ["OE_N"]))
    oe_small = os.path.join(out, "oe_events_%d.jsonl" % int(os.environ["OE_SMALL_N"]))

    def oe_count(path):
        """Events (non-empty lines) in path; reading the file also puts it in the page cache before the timing."""
        n, last = 0, b"\n"
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                n += chunk.count(b"\n")
                last = chunk[-1:]
        return n + (last != b"\n")

    def oe_expected(path):
        with open(path + ".chainhash") as f:
            return f.read().strip()

    def proc_status(pid):
        d = {}
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in ("VmHWM", "RssAnon", "RssFile"):
                        d[k] = int(v.split()[0]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return d

    def spawn(argv, sample=False):
        """Runs argv with stdout to a file: (wall s, rusage, exit code, stdout text, sampled /proc peaks). With
        sample, polls /proc/PID/status every 2 ms (for the memory runs only: the polling costs CPU). A non-zero
        exit's stderr is appended to the text."""
        vout, verr = os.path.join(out, "oe_run.out"), os.path.join(out, "oe_run.err")
        for f in (vout, verr):
            if os.path.exists(f):
                os.unlink(f)
        actions = [(os.POSIX_SPAWN_OPEN, 1, vout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                   (os.POSIX_SPAWN_OPEN, 2, verr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
        peaks = {}
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        if sample:
            while True:
                wpid, status, ru = os.wait4(pid, os.WNOHANG)
                if wpid:
                    break
                for k, v in proc_status(pid).items():
                    peaks[k] = max(peaks.get(k, 0), v)
                time.sleep(0.002)
        else:
            _, status, ru = os.wait4(pid, 0)
        dt = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        with open(vout, errors="replace") as f:
            txt = f.read()
        with open(verr, errors="replace") as f:
            err = f.read().strip()
        os.unlink(vout)
        os.unlink(verr)
        return dt, ru, code, txt + ("\n[stderr] " + err if code != 0 and err else ""), peaks

    def prova_oe(path, threads, expected, sample=False):
        """One `prova verify --json` process: (wall s, rusage, problem or None, peaks)."""
        dt, ru, code, txt, peaks = spawn([prova, "verify", "--json", "--threads", str(threads), "--hash-alg",
                                          "sha256", path], sample)
        try:
            rep = json.loads(txt)
        except ValueError:
            rep = None
        problem = None
        if not isinstance(rep, dict):
            problem = "exit %d, no JSON report: %s" % (code, txt[:300].strip())
        elif code != 0 or rep.get("valid") is not True or rep.get("kind") != "oe_events":
            fail = next((c for c in rep.get("checks", []) if not c.get("ok")), None)
            problem = "exit %d, valid=%s, kind=%s, first failure: %s" % (code, rep.get("valid"), rep.get("kind"),
                                                                          fail)
        elif expected not in txt:
            problem = "the report does not contain the chain hash %s" % expected
        return dt, ru, problem, peaks

    def peer_oe(path, expected, sample=False):
        """One oe_peer.py process: (wall s, rusage, problem or None, fields)."""
        dt, ru, code, txt, _ = spawn([py, os.path.join(here, "oe_peer.py"), path, "--hash-alg", "sha256"], sample)
        d = dict(f.split("=", 1) for f in txt.split()[1:] if "=" in f)
        problem = None
        if code != 0 or d.get("valid") != "1":
            problem = "exit %d: %s" % (code, txt.strip())
        elif d.get("chain_hash") != expected:
            problem = "chain hash %s, the generator's is %s" % (d.get("chain_hash"), expected)
        return dt, ru, problem, d

    n_big, n_small = oe_count(oe_big), oe_count(oe_small)
    size_big, size_small = os.path.getsize(oe_big), os.path.getsize(oe_small)
    exp_big, exp_small = oe_expected(oe_big), oe_expected(oe_small)
    print()
    print("5. OpenExecution v2 chain verification: %d sha256 events of one chain as JSON Lines, %.1f MB"
          % (n_big, size_big / MB))
    print("   (bench/gen_oe.py: agent/tool, MCP and GitHub events, payloads of 170-410 bytes, created_at with")
    print("   Z, +09:00, -07:00 and +00:00 offsets and ms or us fractions; hashes checked against the spec vectors)")
    print("   prova verify --json --threads T --hash-alg sha256 FILE (maps the file) against")
    print("   python3 bench/oe_peer.py FILE (json.loads, json.dumps(sort_keys) + hashlib, reads line by line)")
    print("   events/s = events / wall time of the whole process (start, read, verify, report), median of %d rounds;"
          % OE_RUNS)
    print("   a round runs prova with 1 thread, prova with 2 threads and Python back to back; cpu s = user + sys of")
    print("   the median run; peak RSS = wait4 ru_maxrss, max over the rounds")
    print()
    t1, t2, tp, cpu1, cpu2, cpup = [], [], [], [], [], []
    rss1 = rss2 = rssp = 0
    hwm_peer = 0
    problems = []
    for r in range(OE_RUNS):
        dt, ru, prob, _ = prova_oe(oe_big, 1, exp_big)
        if prob:
            problems.append("prova --threads 1: " + prob)
            break
        t1.append(dt)
        cpu1.append((dt, ru.ru_utime + ru.ru_stime))
        rss1 = max(rss1, ru.ru_maxrss * 1024)
        dt, ru, prob, _ = prova_oe(oe_big, 2, exp_big)
        if prob:
            problems.append("prova --threads 2: " + prob)
            break
        t2.append(dt)
        cpu2.append((dt, ru.ru_utime + ru.ru_stime))
        rss2 = max(rss2, ru.ru_maxrss * 1024)
        dt, ru, prob, d = peer_oe(oe_big, exp_big)
        if prob:
            problems.append("python peer: " + prob)
            break
        tp.append(dt)
        cpup.append((dt, ru.ru_utime + ru.ru_stime))
        rssp = max(rssp, ru.ru_maxrss * 1024)
        hwm_peer = max(hwm_peer, int(d.get("vm_hwm_kib", "0")) * 1024)
    oe_ok = not problems

    def median_cpu(pairs):
        return sorted(pairs)[len(pairs) // 2][1]

    if oe_ok:
        # Memory flatness: one 1-thread run on each file, sampling /proc/PID/status.
        parent_rss = proc_status(os.getpid()).get("VmHWM", 0)
        dts, rus, prob_s, pk_s = prova_oe(oe_small, 1, exp_small, sample=True)
        dtb, rub, prob_b, pk_b = prova_oe(oe_big, 1, exp_big, sample=True)
        _, _, prob_ps, dps = peer_oe(oe_small, exp_small)
        for who, prob in (("prova, small file", prob_s), ("prova, memory run", prob_b), ("python, small", prob_ps)):
            if prob:
                problems.append("%s: %s" % (who, prob))
        oe_ok = not problems
    if not oe_ok:
        for p in problems:
            print("   FAILED: %s" % p)
    else:
        m1, m2, mp = statistics.median(t1), statistics.median(t2), statistics.median(tp)
        eps1, eps2, epsp = n_big / m1, n_big / m2, n_big / mp
        hdr = "   %-36s %10s %9s   %-22s %7s %13s   %s" % ("verifier", "events/s", "median s", "runs s", "cpu s",
                                                         "peak RSS MiB", "result")
        print(hdr)
        print("   " + "-" * (len(hdr) - 3))
        for name, ts, cpu, rss, res in (
                ("prova verify --threads 1", t1, cpu1, rss1, "valid oe_events, chain hash = generator's"),
                ("prova verify --threads 2", t2, cpu2, rss2, "valid oe_events, chain hash = generator's"),
                ("python3 oe_peer.py (streaming)", tp, cpup, rssp, "valid, chain hash = generator's")):
            print("   %-36s %10.0f %9.3f   %-22s %7.2f %13.1f   %s" % (
                name, n_big / statistics.median(ts), statistics.median(ts), " ".join("%.3f" % t for t in ts),
                median_cpu(cpu), rss / MiB, res))
        print("   prova/python: %.1fx with 1 thread, %.1fx with 2 threads; 2 threads / 1 thread: %.2fx"
              % (eps1 / epsp, eps2 / epsp, m1 / m2))
        # Per CPU-second (user + sys of the process, median over the rounds): immune to the other core's load.
        c1 = statistics.median(c for _, c in cpu1)
        c2 = statistics.median(c for _, c in cpu2)
        cp = statistics.median(c for _, c in cpup)
        cps1, cps2, cpsp = n_big / c1, n_big / c2, n_big / cp
        print("   events per CPU-second (user + sys, median of the rounds): prova %.0f with 1 thread, %.0f with 2"
              " threads, python %.0f; prova/python %.1fx (1 thread)" % (cps1, cps2, cpsp, cps1 / cpsp))
        print()
        print("   memory, 1 thread, one run per file: peak RSS (wait4; its floor is this script's own peak, %.1f MiB)"
              % (parent_rss / MiB))
        print("   minus the mapped input file; RssAnon and RssFile sampled every 2 ms from /proc/PID/status;")
        print("   Python's VmHWM (its own /proc/self/status at the end)")
        print()
        hdr = "   %9s %9s %13s %15s %17s %17s %17s" % ("events", "file MiB", "peak RSS MiB", "RSS - file MiB",
                                                      "peak RssAnon MiB", "peak RssFile MiB", "python VmHWM MiB")
        print(hdr)
        print("   " + "-" * (len(hdr) - 3))
        beyond_small = rus.ru_maxrss * 1024 - size_small
        beyond_big = rub.ru_maxrss * 1024 - size_big
        for n, size, ru, pk, hwm in ((n_small, size_small, rus, pk_s, int(dps.get("vm_hwm_kib", "0")) * 1024),
                                     (n_big, size_big, rub, pk_b, hwm_peer)):
            print("   %9d %9.1f %13.1f %15.1f %17.1f %17.1f %17.1f" % (
                n, size / MiB, ru.ru_maxrss * 1024 / MiB, (ru.ru_maxrss * 1024 - size) / MiB,
                pk.get("RssAnon", 0) / MiB, pk.get("RssFile", 0) / MiB, hwm / MiB))
        # The figures for the chart (bench/out/results-oe.tsv).
        with open(os.path.join(out, "results-oe.tsv"), "w") as tsv:
            tsv.write("section\tname\tprova_value\tpeer_name\tpeer_value\tunit\n")
            rows = (("oe_threads1_wall", eps1, epsp, "events/s"),
                    ("oe_threads2_wall", eps2, epsp, "events/s"),
                    ("oe_threads1_cpu", cps1, cpsp, "events/cpu-s"),
                    ("oe_threads2_cpu", cps2, cpsp, "events/cpu-s"),
                    ("oe_peak_rss", max(rss1, rss2) / MiB, rssp / MiB, "MiB"),
                    # prova maps the input (counted in its RSS); the peer reads it line by line
                    ("oe_rss_beyond_input", beyond_big / MiB, hwm_peer / MiB, "MiB"))
            for name, pv, qv, unit in rows:
                tsv.write("5\t%s\t%.1f\tpython3 oe_peer.py\t%.1f\t%s\n" % (name, pv, qv, unit))
print()
print("load average at end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
print()
print("Targets")
if DO_CANON:
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
    # Issue 20's targets: per CPU-second, against CPython, memory beyond the mapped input.
    c_mbs = {p: results[("a", p)]["size"] / MB / results[("a", p)]["cpu_prova"] for p in ("ope", "ophamin", "jcs")}
    print("  >= 500 MB/s per CPU-second on (a) in every profile: %s (%s)" % (
        "MET" if all(v >= 500 for v in c_mbs.values()) else "NOT MET", ", ".join("%s %.0f" % kv for kv in c_mbs.items())))
    c_py = {p: results[("a", p)]["cpu_peer"] / results[("a", p)]["cpu_prova"] for p in ("ope", "ophamin")}
    print("  >= 30x CPython per CPU-second on (a): %s (%s)" % (
        "MET" if all(v >= 30 for v in c_py.values()) else "NOT MET", ", ".join("%s %.1fx" % kv for kv in c_py.items())))
    beyond = max(results[("a", p)]["rss_prova"] - results[("a", p)]["size"] for p in ("ope", "ophamin", "jcs"))
    print("  peak RSS beyond the input <= 64 MiB on (a): %s (worst %.1f MiB; bench/canon_big.sh for 1 GB)" % (
        "MET" if beyond <= 64 * 2**20 else "NOT MET", beyond / 2**20))
    same = all(r["identical"] for r in results.values())
    print("  outputs identical to the peers: %s" % ("yes, all 6" if same else "NO -- the throughput figures are void"))
if DO_OPE:
    print("  envelope verify overhead <= 15%% vs raw libsodium: %s (median %.1f%%, rounds %.1f..%.1f%%; best rounds "
          "%.0f vs %.0f verifies/s)" % ("MET" if overhead <= 15 else "NOT MET", overhead,
                                        float(kv["overhead_min_pct"]), float(kv["overhead_max_pct"]), prova_eps,
                                        raw_vps))
    print("  chain peak RSS (VmHWM) <= 64 MiB (%.1f MB JSON Lines file): %s (%.1f MiB, of which %.1f MiB is the "
          "mapped input)"
          % (chain_size / MB, "MET" if rss_chain <= 64 * MiB else "NOT MET", rss_chain / MiB, chain_size / MiB))
    grow = beyond - beyond_small
    print("  chain memory bounded beyond the input (<= 16 MiB, and < 4 MiB more for 10x the receipts): %s "
          "(%.1f MiB at %d receipts, %.1f MiB at %d)" % (
              "MET" if beyond <= 16 * MiB and grow < 4 * MiB else "NOT MET", beyond / MiB, CHAIN_N,
              beyond_small / MiB, small_n))
    if two is None:
        print("  2 threads >= 1.8x single-threaded: not implemented")
    else:
        print("  2 threads >= 1.8x single-threaded: %s (%.2fx on %d cores)" % (
            "MET" if t_chain / two[0] >= 1.8 else "NOT MET", t_chain / two[0], os.cpu_count()))
    print("  prova vs Python: envelopes %.1fx, chain %.1fx (no target)" % (prova_eps / py_eps, prova_rps / py_rps))
if DO_OE:
    if not oe_ok:
        print("  OE chain: NOT MEASURED (prova or the peer did not verify the chain: see section 5)")
    else:
        print("  OE chain >= 500,000 events/s with 1 thread (whole process, median of %d): %s (%.0f events/s; "
              "%.0f with 2 threads)" % (OE_RUNS, "MET" if eps1 >= 500000 else "NOT MET", eps1, eps2))
        print("  OE chain >= 1,000,000 events/s per core (per CPU-second of the process, 1 thread, median of %d): "
              "%s (%.0f events per CPU-second; %.0f with 2 threads)" % (OE_RUNS, "MET" if cps1 >= 1000000 else
                                                                        "NOT MET", cps1, cps2))
        grow = beyond_big - beyond_small
        print("  OE chain memory flat (peak RSS beyond the mapped input, %dx the events: < 4 MiB more): %s "
              "(%.1f MiB at %d events, %.1f MiB at %d)" % (n_big // max(1, n_small), "MET" if grow < 4 * MiB else
                                                           "NOT MET", beyond_small / MiB, n_small, beyond_big / MiB,
                                                           n_big))
        print("  OE chain hash: prova, the Python peer and the generator agree: yes")
        print("  prova vs Python on the OE chain: %.1fx with 1 thread, %.1fx with 2 threads (no target)"
              % (eps1 / epsp, eps2 / epsp))
sys.exit(0 if (not DO_CANON or same) and oe_ok else 1)
PYEOF
# The chart of prova against each peer (bench/chart.py, gnuplot) from the results files of this run and of earlier
# ones (bench/gateway_cpu.sh writes results-gateway.tsv): bench/out/chart.svg.
if command -v gnuplot >/dev/null 2>&1; then
  "$py" "$here/chart.py" --out "$out/chart.svg" || echo "bench: the chart could not be drawn" >&2
else
  echo "bench: gnuplot not found (make setup installs gnuplot-nox): no chart" >&2
fi
exit "$rc"
