"""What the crash harnesses share (tests/http/crash_harness.py: one gateway killed again and again;
tests/pg/test_gateways.py: several gateways on one PostgreSQL): writers that record every acknowledged receipt, and
a check, independent of prova's verifier where it can be:

- every acknowledged receipt is stored, at its hop, once; every trace's hops are 0..n-1 with no gap or duplicate;
  each receipt's receipt_hash is the SHA-256 of its JCS form without receipt_hash/receipt_signature, its signature
  verifies with the gateway's Ed25519 key (python3-cryptography), and prev_receipt_hash is the previous receipt's;
- the log: the checkpoint's signed note verifies with the log's vkey (Ed25519 over the note's text); its size is
  the number of stored records and never shrinks; the entries (fetched as tiles) hash (RFC 6962, hashlib) to the
  root of every checkpoint seen before and of the current one (the log is append-only across crashes); the entry at
  each acknowledged log_index names that receipt's hash;
- `prova verify` of each trace's export with its log proofs (the traces written since the last check; all of them
  when final), and `prova log audit`.
"""
import base64
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import b64u, envelope, jcs, request as req  # noqa: E402


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


def mth(leaves, lo, hi):
    """RFC 6962 Merkle tree hash of leaf hashes [lo, hi)."""
    if hi - lo == 1:
        return leaves[lo]
    k = 1
    while k * 2 < hi - lo:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves, lo, lo + k) + mth(leaves, lo + k, hi)).digest()


class Ledger:
    """What the writers were told (acknowledged receipts and log indexes) and the checkpoints seen; failures are
    collected in self.failures and printed as they happen."""

    def __init__(self, prova, tmp):
        self.prova = prova
        self.tmp = tmp
        self.acked = {}      # trace -> {hop: receipt_hash}
        self.acked_log = {}  # log_index -> receipt_hash
        self.lock = threading.Lock()
        self.seen_cps = []   # (size, root) of every checkpoint seen, in order
        self.dirty = set()   # traces written since the last check
        self.failures = []
        self.refused = 0     # 429/503 answers and connection failures: not acknowledged

    def fail(self, what):
        with self.lock:
            self.failures.append(what)
        print("FAIL:", what, file=sys.stderr, flush=True)

    def acknowledged(self):
        with self.lock:
            return sum(len(v) for v in self.acked.values())

    def post(self, base, token, sender, trace, payload, what, timeout=10):
        """One envelope written through the gateway at base and, when acknowledged, recorded. Returns the HTTP
        status, or 0 when the connection failed (stored or not, it was not acknowledged)."""
        return self.post_body(base, token, trace, envelope(sender, trace, payload), what, timeout)

    def post_body(self, base, token, trace, body, what, timeout=10):
        """post() of an envelope already made (body: its bytes) for trace."""
        try:
            st, hdr, resp = req("POST", base + "/v1/odin/envelope", body, token, timeout=timeout)
        except OSError:
            with self.lock:
                self.refused += 1
            return 0
        if st != 200:
            with self.lock:
                self.refused += 1
            if st not in (429, 503):
                self.fail("%s: %s: HTTP %d %s" % (what, trace, st, resp[:200]))
            return st
        doc = json.loads(resp)
        h, hop = hdr.get("X-ODIN-Receipt-Hash"), doc.get("receipt", doc).get("hop")
        li = doc.get("log_index")
        with self.lock:
            self.dirty.add(trace)
            self.acked.setdefault(trace, {})
            dup_hop = hop in self.acked[trace]
            self.acked[trace][hop] = h
            dup_li = li in self.acked_log
            self.acked_log[li] = h
        if dup_hop:
            self.fail("%s: %s hop %s acknowledged twice" % (what, trace, hop))
        if dup_li:
            self.fail("%s: log_index %s acknowledged twice" % (what, li))
        return st

    def writer(self, bases, token, sender, wid, tag, traces, stop):
        """Writes until stop is set, each envelope through a random gateway of bases onto a random trace of
        traces(n) (a list of names)."""
        n = 0
        while not stop.is_set():
            trace = random.choice(traces(n))
            self.post(random.choice(bases), token, sender, trace, {"w": wid, "c": tag, "n": n}, tag)
            n += 1

    def fetch_entries(self, base, size):
        out = []
        for t in range((size + 255) // 256):
            w = min(256, size - 256 * t)
            path = "/log/tile/entries/" + tile_path(t) + ("" if w == 256 else ".p/%d" % w)
            st, _, b = req("GET", base + path)
            if st != 200:
                self.fail("tile %s: HTTP %d" % (path, st))
                return None
            i = 0
            while i < len(b):
                ln = b[i] << 8 | b[i + 1]
                out.append(b[i + 2:i + 2 + ln])
                i += 2 + ln
        return out

    def check(self, base, tag, vkey, gwkey, jwks, final=False, log_wait=20):
        """Every trace's hops and acknowledged receipts; the hashes, signatures and links in Python and prova
        verify for the traces written since the last check (all of them when final): the older ones did not
        change, and verifying them all each time makes a long run quadratic. jwks: a file of the gateway's keys.
        Returns the number of stored receipts."""
        stored = 0
        for trace in sorted(self.acked):
            full = final or trace in self.dirty
            st, _, doc = req("GET", base + "/v1/receipts/export/" + trace + ("?log_proofs=1" if full else ""))
            if st != 200:
                self.fail("%s: export %s: HTTP %d" % (tag, trace, st))
                continue
            receipts = json.loads(doc)["bundle"]["receipts"]
            stored += len(receipts)
            prev = None
            for i, r in enumerate(receipts if full else []):  # hashes and signatures: those written since
                if r.get("hop") != i:
                    self.fail("%s: %s: receipt %d has hop %s (gap or duplicate)" % (tag, trace, i, r.get("hop")))
                    break
                body = {k: v for k, v in r.items() if k not in ("receipt_hash", "receipt_signature")}
                if hashlib.sha256(jcs(body)).hexdigest() != r.get("receipt_hash"):
                    self.fail("%s: %s hop %d: receipt_hash is not the SHA-256 of the receipt" % (tag, trace, i))
                try:
                    gwkey.verify(b64u(r.get("receipt_signature", "")), jcs(body))
                except (InvalidSignature, ValueError):
                    self.fail("%s: %s hop %d: the signature does not verify" % (tag, trace, i))
                if r.get("prev_receipt_hash") != prev:
                    self.fail("%s: %s hop %d: prev_receipt_hash is not the previous receipt's" % (tag, trace, i))
                prev = r.get("receipt_hash")
            hops = [r.get("hop") for r in receipts]
            if hops != list(range(len(receipts))):
                self.fail("%s: %s: hops %s... are not 0..%d" % (tag, trace, hops[:20], len(receipts) - 1))
            for hop, h in self.acked[trace].items():
                if hop >= len(receipts) or receipts[hop].get("receipt_hash") != h:
                    self.fail("%s: %s: the acknowledged hop %s (%s) is not stored" % (tag, trace, hop, h))
            if not full:
                continue
            path = os.path.join(self.tmp, "export.json")
            with open(path, "wb") as f:
                f.write(doc)
            r = subprocess.run([self.prova, "verify", "--jwks", jwks, "--log-key", vkey, "--require-log-proof", path],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                self.fail("%s: prova verify %s: %s" % (tag, trace, r.stdout[-400:]))
        # the log: the checkpoint covers every stored record (a restart integrates the backlog)
        deadline = time.time() + log_wait
        while True:
            st, _, cp = req("GET", base + "/log/checkpoint")
            text, good = note_verify(cp.decode(), vkey) if st == 200 else ("\n0\n\n", False)
            lines = text.split("\n")
            size = int(lines[1])
            if size >= stored or time.time() > deadline:
                break
            time.sleep(0.1)
        if not good:
            self.fail("%s: the checkpoint's signature does not verify with the log key" % tag)
        if size != stored:
            self.fail("%s: the checkpoint covers %d entries, %d records are stored" % (tag, size, stored))
        root = base64.b64decode(lines[2]) if good else b""
        if self.seen_cps and size < self.seen_cps[-1][0]:
            self.fail("%s: the log shrank from %d to %d" % (tag, self.seen_cps[-1][0], size))
        self.seen_cps.append((size, root))
        entries = self.fetch_entries(base, size)
        if entries is not None:
            leaves = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
            # the last two (the prefix that hashes to the previous root holds every earlier one); all when final
            for s, r in self.seen_cps if final else self.seen_cps[-2:]:
                if s and mth(leaves, 0, s) != r:
                    self.fail("%s: the entries do not hash to the root of the checkpoint of size %d" % (tag, s))
            for li, h in self.acked_log.items():
                if li is None or li >= len(entries) or ("sha256:" + h).encode() not in entries[li]:
                    self.fail("%s: log entry %s does not name the acknowledged receipt %s" % (tag, li, h))
        self.dirty.clear()
        r = subprocess.run([self.prova, "log", "audit", "--url", base + "/log", "--log-key", vkey],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            self.fail("%s: prova log audit: %s" % (tag, r.stdout[-400:]))
        return stored


def gateway_key(jwks):
    """The gateway's Ed25519 public key from its JWKS bytes."""
    return Ed25519PublicKey.from_public_bytes(b64u(json.loads(jwks)["keys"][0]["x"]))
