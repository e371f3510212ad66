#!/usr/bin/python3
"""Python peers timed by bench/run.sh (stdlib only; Debian's /usr/bin/python3).

    peers.py canon ope|ophamin FILE
        Reads FILE, json.loads it, writes json.dumps(sort_keys=True, separators=(",", ":"),
        ensure_ascii=False (ope) | True (ophamin)) as UTF-8 to stdout. This is what OPE v1 and proof-record
        peers run; prova's ope/ophamin profiles must produce the same bytes.

    peers.py repr RUNS FILE...
        Each FILE holds raw little-endian doubles (written by bench_doubles --dump). Times list(map(repr, xs))
        -- the formatting only, not the loading -- best of RUNS, and prints one line per file:
        "<file> n=<count> best_s=<seconds> chars=<total length of all the reprs>".
"""
import json
import sys
import time
from array import array


def canon(profile, path):
    with open(path, "rb") as f:
        data = f.read()
    doc = json.loads(data)
    out = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=(profile == "ophamin"))
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()


def bench_repr(runs, paths):
    for path in paths:
        a = array("d")
        with open(path, "rb") as f:
            a.frombytes(f.read())
        if sys.byteorder != "little":
            a.byteswap()
        xs = a.tolist()
        del a
        best = None
        chars = 0
        for _ in range(runs):
            t0 = time.perf_counter()
            out = list(map(repr, xs))
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
            chars = sum(map(len, out))
            del out
        print("%s n=%d best_s=%.6f chars=%d" % (path, len(xs), best, chars), flush=True)


def main():
    argv = sys.argv[1:]
    if len(argv) == 3 and argv[0] == "canon" and argv[1] in ("ope", "ophamin"):
        canon(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "repr":
        bench_repr(int(argv[1]), argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
