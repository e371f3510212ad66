#!/usr/bin/env python3
"""--commit-delay (docs/operations.md "Group commit") through a real gateway on loopback:
- with a 300 ms delay, one envelope alone is answered no sooner than ~the delay (the writer waited for company),
  and 12 envelopes posted at once on 12 connections share a few commits (prova_writer_commits_total on /metrics
  grows by fewer than 12, where without a delay it would be ~12 one after another);
- every one of them is acknowledged, their log indexes are distinct, and the trace's receipts chain (hop 0..12);
- --max-batch still bounds a batch: with --max-batch 1 the same burst takes one commit per envelope, and the wait
  ends at once for a full batch (no request waits the delay when the batch is full);
- without the option (0) a lone envelope is answered at once.
Usage: test_commit_delay.py PROVA"""
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, envelope, first_token, make_sender, ok, request, summary  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-commit-delay-")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PROVA_")}
DELAY_US = 300000


def start(name, args):
    data = os.path.join(T, name)
    gw = Gateway(PROVA, data, os.path.join(T, name + ".log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"] + args, env=ENV)
    if not ok(gw.up, "gateway %s started" % name):
        with open(os.path.join(T, name + ".log")) as f:
            print(f.read(), file=sys.stderr)
        raise SystemExit(1)
    return gw, first_token(data)


def commits(gw, token):
    st, _, b = request("GET", gw.base + "/metrics", token=token, ctype=None)
    for line in b.decode().splitlines():
        if line.startswith("prova_writer_commits_total "):
            return int(float(line.split()[1]))
    return -1


def post(gw, token, sender, trace, i, out):
    t0 = time.monotonic()
    st, h, b = request("POST", gw.base + "/v1/odin/envelope", envelope(sender, trace, {"i": i}), token)
    out.append((st, time.monotonic() - t0, json.loads(b) if st < 300 else b))


def burst(gw, token, sender, trace, n):
    out = []
    threads = [threading.Thread(target=post, args=(gw, token, sender, trace, i, out)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main():
    sender = make_sender(PROVA, T)
    gws = []
    try:
        # ---- a delay ------------------------------------------------------------------------------------------
        gw, token = start("delay", ["--commit-delay", str(DELAY_US)])
        gws.append(gw)
        alone = []
        post(gw, token, sender, "trace-alone", 0, alone)
        ok(alone[0][0] == 200, "a lone envelope is acknowledged: %r" % (alone[0][:1],))
        ok(alone[0][1] >= 0.8 * DELAY_US / 1e6, "a lone envelope waits for the delay: %.3f s" % alone[0][1])
        c0 = commits(gw, token)
        res = burst(gw, token, sender, "trace-burst", 12)
        c1 = commits(gw, token)
        ok(all(r[0] == 200 for r in res), "every envelope of the burst is acknowledged: %r" % [r[0] for r in res])
        ok(0 < c1 - c0 < 12, "12 envelopes at once share commits: %d commits" % (c1 - c0))
        idx = sorted(r[2]["log_index"] for r in res if r[0] == 200)
        ok(len(set(idx)) == 12, "distinct log indexes: %r" % idx)
        st, _, b = request("GET", gw.base + "/v1/receipts/hops/chain/trace-burst", token=token, ctype=None)
        hops = sorted(r.get("hop") for r in json.loads(b).get("hops", [])) if st == 200 else []
        ok(hops == list(range(12)), "the burst's receipts chain, hops 0..11: %r (status %d)" % (hops, st))
        gw.stop()

        # ---- max-batch 1: the batch is full at once, so nobody waits, and each envelope has its commit ---------
        gw, token = start("batch1", ["--commit-delay", str(DELAY_US), "--max-batch", "1"])
        gws.append(gw)
        c0 = commits(gw, token)
        t0 = time.monotonic()
        res = burst(gw, token, sender, "trace-b1", 6)
        took = time.monotonic() - t0
        c1 = commits(gw, token)
        ok(all(r[0] == 200 for r in res), "max-batch 1: every envelope acknowledged")
        ok(c1 - c0 >= 6, "max-batch 1: one commit per envelope: %d" % (c1 - c0))
        ok(took < 6 * DELAY_US / 1e6, "max-batch 1: a full batch does not wait for the delay (%.3f s)" % took)
        gw.stop()

        # ---- no delay -------------------------------------------------------------------------------------------
        gw, token = start("nodelay", [])
        gws.append(gw)
        alone = []
        post(gw, token, sender, "trace-alone", 0, alone)
        ok(alone[0][0] == 200 and alone[0][1] < 0.8 * DELAY_US / 1e6,
           "without a delay a lone envelope is answered at once: %.3f s" % alone[0][1])
        gw.stop()
    finally:
        for g in gws:
            if g.p.poll() is None:
                g.kill()
    rc = summary()
    if rc == 0:
        shutil.rmtree(T, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
