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
import base64
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import b64u, envelope, first_token, gateway_keys, jcs, make_sender, request as req  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 3
WRITERS = int(os.environ.get("CRASH_WRITERS", "4"))
T = tempfile.mkdtemp(prefix="prova-crash-")
DATA = os.path.join(T, "data")
FAILURES = []


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what, file=sys.stderr)


class Gateway(gwtest.Gateway):
    def __init__(self):
        super().__init__(PROVA, DATA, os.path.join(T, "server.log"),
                         ["--trusted-senders", os.path.join(T, "senders.jwks"), "--log-interval", "50", "--quiet"],
                         tries=200, interval=0.05, timeout=2)
        if not self.up:
            raise SystemExit("the gateway did not start (exit %s); see %s/server.log" % (self.p.poll(), T))


ACKED = {}         # trace -> {hop: receipt_hash}
ACKED_LOG = {}     # log_index -> receipt_hash
ACK_LOCK = threading.Lock()
SEEN_CPS = []      # (size, root) of every checkpoint seen, in order
DIRTY = set()      # traces written since the last check: exported with proofs and given to prova verify


def writer(gw, token, sender, wid, cycle, stop):
    n = 0
    while not stop.is_set():
        # the long-lived traces change name every 5 cycles: chains cross several crashes, and stay short enough
        # for a run of hundreds of cycles
        era = cycle // 5
        trace = random.choice(["shared-%d-%d" % (n % 2, era), "w%d-%d" % (wid, era), "c%d-w%d" % (cycle, wid)])
        body = envelope(sender, trace, {"w": wid, "c": cycle, "n": n})
        n += 1
        try:
            st, hdr, resp = req("POST", gw.base + "/v1/odin/envelope", body, token, timeout=10)
        except OSError:
            continue  # the gateway died under this write: stored or not, it was not acknowledged
        if st != 200:
            if st not in (429, 503):
                fail("cycle %d: %s: HTTP %d %s" % (cycle, trace, st, resp[:200]))
            continue
        doc = json.loads(resp)
        h, hop = hdr.get("X-ODIN-Receipt-Hash"), doc.get("receipt", doc).get("hop")
        with ACK_LOCK:
            DIRTY.add(trace)
            ACKED.setdefault(trace, {})
            if hop in ACKED[trace]:
                fail("cycle %d: %s hop %s acknowledged twice" % (cycle, trace, hop))
            ACKED[trace][hop] = h
            li = doc.get("log_index")
            if li in ACKED_LOG:
                fail("cycle %d: log_index %s acknowledged twice" % (cycle, li))
            ACKED_LOG[li] = h


def note_verify(note, vkey):
    """The signed note's text and whether one signature line verifies with vkey (name+hash+base64(0x01||key))."""
    name, khash, kb = vkey.split("+", 2)
    key = base64.b64decode(kb)
    text, _, sigs = note.partition("\n\n")
    text += "\n"
    good = False
    for line in sigs.splitlines():
        if not line.startswith("\u2014 " + name + " "):
            continue
        sig = base64.b64decode(line.rsplit(" ", 1)[1])
        if sig[:4] != bytes.fromhex(khash) or key[0] != 1:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(sig[4:], text.encode())
            good = True
        except InvalidSignature:
            pass
    return text, good


def tile_path(n):
    parts = ["%03d" % (n % 1000)]
    n //= 1000
    while n:
        parts.append("x%03d" % (n % 1000))
        n //= 1000
    return "/".join(reversed(parts))


def fetch_entries(gw, size):
    out = []
    for t in range((size + 255) // 256):
        w = min(256, size - 256 * t)
        path = "/log/tile/entries/" + tile_path(t) + ("" if w == 256 else ".p/%d" % w)
        st, _, b = req("GET", gw.base + path)
        if st != 200:
            fail("tile %s: HTTP %d" % (path, st))
            return None
        i = 0
        while i < len(b):
            ln = b[i] << 8 | b[i + 1]
            out.append(b[i + 2:i + 2 + ln])
            i += 2 + ln
    return out


def mth(leaves, lo, hi):
    """RFC 6962 Merkle tree hash of leaf hashes [lo, hi)."""
    if hi - lo == 1:
        return leaves[lo]
    k = 1
    while k * 2 < hi - lo:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves, lo, lo + k) + mth(leaves, lo + k, hi)).digest()


def check(gw, cycle, vkey, gwkey, final=False):
    """Every trace's hops and acknowledged receipts each cycle; the hashes, signatures and links in Python and
    prova verify for the traces written since the last check (all of them at the end): the older ones did not
    change, and verifying them all each cycle makes a long run quadratic."""
    stored = 0
    jwks = os.path.join(T, "gw.jwks")
    for trace in sorted(ACKED):
        full = final or trace in DIRTY
        st, _, doc = req("GET", gw.base + "/v1/receipts/export/" + trace + ("?log_proofs=1" if full else ""))
        if st != 200:
            fail("cycle %d: export %s: HTTP %d" % (cycle, trace, st))
            continue
        receipts = json.loads(doc)["bundle"]["receipts"]
        stored += len(receipts)
        prev = None
        for i, r in enumerate(receipts if full else []):  # hashes and signatures: those written since
            if r.get("hop") != i:
                fail("cycle %d: %s: receipt %d has hop %s (gap or duplicate)" % (cycle, trace, i, r.get("hop")))
                break
            body = {k: v for k, v in r.items() if k not in ("receipt_hash", "receipt_signature")}
            if hashlib.sha256(jcs(body)).hexdigest() != r.get("receipt_hash"):
                fail("cycle %d: %s hop %d: receipt_hash is not the SHA-256 of the receipt" % (cycle, trace, i))
            try:
                gwkey.verify(b64u(r.get("receipt_signature", "")), jcs(body))
            except (InvalidSignature, ValueError):
                fail("cycle %d: %s hop %d: the signature does not verify" % (cycle, trace, i))
            if r.get("prev_receipt_hash") != prev:
                fail("cycle %d: %s hop %d: prev_receipt_hash is not the previous receipt's" % (cycle, trace, i))
            prev = r.get("receipt_hash")
        hops = [r.get("hop") for r in receipts]
        if hops != list(range(len(receipts))):
            fail("cycle %d: %s: hops %s... are not 0..%d" % (cycle, trace, hops[:20], len(receipts) - 1))
        for hop, h in ACKED[trace].items():
            if hop >= len(receipts) or receipts[hop].get("receipt_hash") != h:
                fail("cycle %d: %s: the acknowledged hop %s (%s) is not stored" % (cycle, trace, hop, h))
        if not full:
            continue
        path = os.path.join(T, "export.json")
        with open(path, "wb") as f:
            f.write(doc)
        r = subprocess.run([PROVA, "verify", "--jwks", jwks, "--log-key", vkey, "--require-log-proof", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            fail("cycle %d: prova verify %s: %s" % (cycle, trace, r.stdout[-400:]))
    # the log: the checkpoint covers every stored record (the restart integrated the backlog)
    deadline = time.time() + 20
    while True:
        st, _, cp = req("GET", gw.base + "/log/checkpoint")
        text, good = note_verify(cp.decode(), vkey)
        lines = text.split("\n")
        size = int(lines[1])
        if size >= stored or time.time() > deadline:
            break
        time.sleep(0.1)
    if not good:
        fail("cycle %d: the checkpoint's signature does not verify with the log key" % cycle)
    if size != stored:
        fail("cycle %d: the checkpoint covers %d entries, %d records are stored" % (cycle, size, stored))
    root = base64.b64decode(lines[2])
    if SEEN_CPS and size < SEEN_CPS[-1][0]:
        fail("cycle %d: the log shrank from %d to %d" % (cycle, SEEN_CPS[-1][0], size))
    SEEN_CPS.append((size, root))
    entries = fetch_entries(gw, size)
    if entries is not None:
        leaves = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
        # the last two each cycle (the prefix that hashes to the previous root holds every earlier one), all at
        # the end
        for s, r in SEEN_CPS if final else SEEN_CPS[-2:]:
            if s and mth(leaves, 0, s) != r:
                fail("cycle %d: the entries do not hash to the root of the checkpoint of size %d" % (cycle, s))
        for li, h in ACKED_LOG.items():
            if li is None or li >= len(entries) or ("sha256:" + h).encode() not in entries[li]:
                fail("cycle %d: log entry %s does not name the acknowledged receipt %s" % (cycle, li, h))
    DIRTY.clear()
    r = subprocess.run([PROVA, "log", "audit", "--url", gw.base + "/log", "--log-key", vkey], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        fail("cycle %d: prova log audit: %s" % (cycle, r.stdout[-400:]))
    return stored


def main():
    sender = make_sender(PROVA, T)
    stored = 0
    t0 = time.time()
    for cycle in range(CYCLES):
        gw = Gateway()
        try:
            if cycle == 0:
                vkey, jwks = gateway_keys(gw.base, T)
                gwkey = Ed25519PublicKey.from_public_bytes(b64u(json.loads(jwks)["keys"][0]["x"]))
                token = first_token(DATA)
            else:
                stored = check(gw, cycle, vkey, gwkey)  # what the last cycle's kill left
            stop = threading.Event()
            ths = [threading.Thread(target=writer, args=(gw, token, sender, w, cycle, stop)) for w in range(WRITERS)]
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
              (cycle, sum(len(v) for v in ACKED.values()), stored, len(FAILURES)), flush=True)
    gw = Gateway()
    try:
        stored = check(gw, CYCLES, vkey, gwkey, final=True)
    finally:
        gw.kill()
    acked = sum(len(v) for v in ACKED.values())
    print("crash-test: %d cycles, %d acknowledged records, %d stored, %d checkpoints, %d failures (%.0f s)" %
          (CYCLES, acked, stored, len(SEEN_CPS), len(FAILURES), time.time() - t0))
    if FAILURES:
        print("kept %s for inspection" % T, file=sys.stderr)
        return 1
    shutil.rmtree(T, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
