#!/usr/bin/env python3
"""The kill -9 crash harness (docs/operations.md "Crash testing"): N cycles of: start `prova serve` (the
transparency log on, integrating every 50 ms), run concurrent writers (several threads, each on its own traces and
on traces they all share) that record every acknowledged receipt, kill -9 the gateway at a random moment, restart
it, and check, independently of prova's verifier where it can:

- every acknowledged receipt is stored, at its hop, once; every trace's hops are 0..n-1 with no gap or duplicate;
  each receipt's receipt_hash is the SHA-256 of its JCS form without receipt_hash/receipt_signature, its signature
  verifies with the gateway's Ed25519 key (python3-cryptography), and prev_receipt_hash is the previous receipt's;
- the log: the checkpoint's signed note verifies with the log's vkey (Ed25519 over the note's text); its size is
  the number of stored records and never shrinks; the entries (fetched as tiles) hash (RFC 6962, hashlib) to the
  root of every checkpoint seen in earlier cycles and of the current one (the log is append-only across crashes);
  the entry at each acknowledged log_index names that receipt's hash;
- `prova verify` of each trace's export with its log proofs (each cycle the traces written in the cycle before, at
  the end every trace), and `prova log audit`.

Ends with "crash-test: C cycles, A acknowledged records, F failures". Usage: crash_harness.py PROVA [CYCLES]"""
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import first_token, gateway_keys, make_sender  # noqa: E402
from ledger import Ledger, gateway_key  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 3
WRITERS = int(os.environ.get("CRASH_WRITERS", "4"))
T = tempfile.mkdtemp(prefix="prova-crash-")
DATA = os.path.join(T, "data")
L = Ledger(PROVA, T)
JWKS = os.path.join(T, "gw.jwks")  # gateway_keys writes it


class Gateway(gwtest.Gateway):
    def __init__(self):
        super().__init__(PROVA, DATA, os.path.join(T, "server.log"),
                         ["--trusted-senders", os.path.join(T, "senders.jwks"), "--log-interval", "50", "--quiet"],
                         tries=200, interval=0.05, timeout=2)
        if not self.up:
            raise SystemExit("the gateway did not start (exit %s); see %s/server.log" % (self.p.poll(), T))


def traces_of(wid, cycle):
    """The traces a writer picks from: the long-lived ones change name every 5 cycles, so that chains cross several
    crashes and stay short enough for a run of hundreds of cycles."""
    era = cycle // 5
    return lambda n: ["shared-%d-%d" % (n % 2, era), "w%d-%d" % (wid, era), "c%d-w%d" % (cycle, wid)]


def main():
    sender = make_sender(PROVA, T)
    stored = 0
    t0 = time.time()
    for cycle in range(CYCLES):
        gw = Gateway()
        try:
            if cycle == 0:
                vkey, jwks = gateway_keys(gw.base, T)
                gwkey = gateway_key(jwks)
                token = first_token(DATA)
            else:
                stored = L.check(gw.base, "cycle %d" % cycle, vkey, gwkey, JWKS)  # what the last cycle's kill left
            stop = threading.Event()
            ths = [threading.Thread(target=L.writer, args=([gw.base], token, sender, w, "cycle %d" % cycle,
                                                          traces_of(w, cycle), stop)) for w in range(WRITERS)]
            for th in ths:
                th.start()
            time.sleep(random.uniform(0.3, 1.5))
            gw.kill()
            stop.set()
            for th in ths:
                th.join()
        finally:
            if gw.p.poll() is None:
                gw.kill()
        print("cycle %d: %d acknowledged so far, %d stored before it, %d failures" %
              (cycle, L.acknowledged(), stored, len(L.failures)), flush=True)
    gw = Gateway()
    try:
        stored = L.check(gw.base, "final", vkey, gwkey, JWKS, final=True)
    finally:
        gw.kill()
    print("crash-test: %d cycles, %d acknowledged records, %d stored, %d checkpoints, %d failures (%.0f s)" %
          (CYCLES, L.acknowledged(), stored, len(L.seen_cps), len(L.failures), time.time() - t0))
    if L.failures:
        print("kept %s for inspection" % T, file=sys.stderr)
        return 1
    shutil.rmtree(T, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
