#!/usr/bin/python3
"""The Python binding's envelope verification against the C library and a pure-Python verifier (bench/bindings.sh).

    py_bindings.py BENCH_OPE DIR N ROUNDS PROVA_CLI

DIR holds envelope.json, envelope.jwks and envelope.now (written by `bench_ope envelope --dump DIR`). ROUNDS rounds,
each timing four loops of N verifications of the same envelope bytes, in an order that rotates from round to round:

  C         `BENCH_OPE envelope --load DIR --n N --runs 1 --cpu --no-parts`, a child process: prova_ope_verify in a C
            loop, timed by the child on its thread's CPU clock (its start-up is not timed);
  verify    prova.verify(envelope bytes, jwks=JWKS bytes, now=NOW text) per envelope: what a user writes first;
  Verifier  v = prova.Verifier(jwks=JWKS bytes, now=NOW text) made once, then v.verify(envelope bytes);
  pure      bench/ope_peer.py's verify_envelope (json + hashlib + cryptography, the same checks), imported here.

The three Python loops are timed with time.process_time() (this process's CPU time, which other processes on a
shared machine do not inflate the way they do wall time). Each Python loop also reads report.valid (the binding) or
the failure (the peer) of every envelope and the run fails if one is not valid. Per round: rate = N / CPU seconds,
and the ratios binding/C and binding/pure of that round; the figures are the medians over the rounds (the min and max
show the noise). Before timing, the binding's report of the envelope (jwks as a path) is compared byte for byte with
`PROVA_CLI verify --json --jwks PATH --now NOW` (the library's own JSON), and the pure-Python peer must accept it.

Prints one line per round, then
    pyb n=N rounds=R c_eps=.. verify_eps=.. verifier_eps=.. pure_eps=.. (medians) and the ratios (median, min, max)
as key=value pairs for bench/bindings.sh.
"""
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(os.path.dirname(here), "bindings", "python"))

import ope_peer  # noqa: E402
import prova  # noqa: E402


def main():
    bench_ope, d, n, rounds, cli = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    env_path, jwks_path, now_path = (os.path.join(d, f) for f in ("envelope.json", "envelope.jwks", "envelope.now"))
    with open(env_path, "rb") as f:
        env = f.read()
    with open(jwks_path, "rb") as f:
        jwks = f.read()
    with open(now_path) as f:
        now = f.read().strip()

    # Exactness first: the binding's report is the library's (the CLI's) byte for byte, and both verifiers accept.
    cli_json = subprocess.run([cli, "verify", "--json", "--jwks", jwks_path, "--now", now, env_path],
                              capture_output=True, check=True).stdout.rstrip(b"\n")
    rep = prova.verify(env, jwks=jwks_path, now=now)
    if rep.to_json() != cli_json:
        sys.exit("py_bindings: the binding's report differs from `prova verify --json`:\n%r\n%r"
                 % (rep.to_json(), cli_json))
    if not rep.valid or prova.Verifier(jwks=jwks_path, now=now).verify(env).to_json() != cli_json:
        sys.exit("py_bindings: the binding does not verify the envelope (or Verifier differs from verify)")
    keys = ope_peer.load_jwks(jwks_path)
    pnow = datetime.fromisoformat(now)
    if pnow.tzinfo is None:
        pnow = pnow.replace(tzinfo=timezone.utc)
    if ope_peer.verify_envelope(env, keys, pnow) is not None:
        sys.exit("py_bindings: the pure-Python peer does not verify the envelope")
    print("pyb_check report_bytes=%d identical_to_cli=1 pure_valid=1" % len(cli_json), flush=True)

    verifier = prova.Verifier(jwks=jwks, now=now)
    verify = prova.verify
    peer = ope_peer.verify_envelope

    def run_c():
        out = subprocess.run([bench_ope, "envelope", "--load", d, "--n", str(n), "--runs", "1", "--cpu",
                              "--no-parts"], capture_output=True, text=True, check=True).stdout
        kv = dict(x.split("=", 1) for x in out.split() if "=" in x)
        if kv.get("valid") != "1":
            sys.exit("py_bindings: bench_ope did not verify: %s" % out)
        return float(kv["prova_s"])

    def run_verify():
        bad = 0
        t0 = time.process_time()
        for _ in range(n):
            if not verify(env, jwks=jwks, now=now).valid:
                bad += 1
        dt = time.process_time() - t0
        if bad:
            sys.exit("py_bindings: %d binding verifications failed" % bad)
        return dt

    def run_verifier():
        bad = 0
        t0 = time.process_time()
        for _ in range(n):
            if not verifier.verify(env).valid:
                bad += 1
        dt = time.process_time() - t0
        if bad:
            sys.exit("py_bindings: %d Verifier verifications failed" % bad)
        return dt

    def run_pure():
        bad = 0
        t0 = time.process_time()
        for _ in range(n):
            if peer(env, keys, pnow) is not None:
                bad += 1
        dt = time.process_time() - t0
        if bad:
            sys.exit("py_bindings: %d pure-Python verifications failed" % bad)
        return dt

    loops = [("c", run_c), ("verify", run_verify), ("verifier", run_verifier), ("pure", run_pure)]
    verifier.verify(env)  # warm-up, untimed (the first JWKS load)
    verify(env, jwks=jwks, now=now)
    rates = {name: [] for name, _ in loops}
    for k in range(rounds):
        order = loops[k % 4:] + loops[:k % 4]
        for name, fn in order:
            rates[name].append(n / fn())
        print("pyb_round k=%d order=%s %s" % (k, ",".join(x for x, _ in order),
                                               " ".join("%s=%.0f" % (x, rates[x][-1]) for x, _ in loops)),
              flush=True)

    def ratio(a, b):
        rs = [x / y for x, y in zip(rates[a], rates[b])]
        return statistics.median(rs), min(rs), max(rs)

    out = {"n": n, "rounds": rounds}
    for name in rates:
        out[name + "_eps"] = statistics.median(rates[name])
        out[name + "_min"] = min(rates[name])
        out[name + "_max"] = max(rates[name])
    for a in ("verify", "verifier"):
        for b in ("c", "pure"):
            m, lo, hi = ratio(a, b)
            out["%s_over_%s" % (a, b)] = m
            out["%s_over_%s_min" % (a, b)] = lo
            out["%s_over_%s_max" % (a, b)] = hi
    print("pyb " + " ".join("%s=%s" % (k, ("%.4f" % v) if isinstance(v, float) else v) for k, v in out.items()),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
