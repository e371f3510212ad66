#!/usr/bin/env python3
"""A real full disk (docs/operations.md "Faults"): the data directory on a small tmpfs of its own, filled by the
gateway's own writes until the filesystem says ENOSPC. Writes then answer 503 store_unavailable with Retry-After and
/health says the store is not writable; the filesystem is grown (mount -o remount,size=...) and, without a restart,
/health says ok again and writes succeed. At the end every trace is exported and verified by `prova verify`, and the
stored receipts are exactly the acknowledged ones, in hop order. tests/http/test_faults.py injects the same fault
with a shim; this one needs no shim but needs root (mount): without it, it is skipped (exit 77).
Usage: test_enospc.py PROVA"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
from gwtest import envelope, first_token, gateway_keys, make_sender, ok, request as req  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-enospc-")
MNT = os.path.join(T, "mnt")
DATA = os.path.join(MNT, "data")
SMALL, LARGE = "2m", "64m"


def mount(opts):
    return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", MNT], stderr=subprocess.PIPE).returncode == 0


def remount(size):
    return subprocess.run(["mount", "-o", "remount,size=" + size, MNT], stderr=subprocess.PIPE).returncode == 0


def main():
    os.mkdir(MNT)
    if os.geteuid() != 0 or not mount("size=" + SMALL + ",mode=0700"):
        print("SKIP: mounting a tmpfs needs root")
        return 77
    gw = None
    try:
        sender = make_sender(PROVA, T)
        gw = gwtest.Gateway(PROVA, DATA, os.path.join(T, "server.log"),
                            ["--trusted-senders", os.path.join(T, "senders.jwks"), "--log-interval", "100"])
        if not gw.up:
            print("FAIL: the gateway did not start", file=sys.stderr)
            return 1
        token = first_token(DATA)
        gateway_keys(gw.base, T)
        acked = {}
        filler = "x" * 16000
        full = None
        # Fill the disk: 16 KB payloads until the store refuses (a 2 MB tmpfs holds at most ~120 of them).
        for n in range(400):
            trace = "fill-%d" % (n % 3)
            st, hdr, resp = req("POST", gw.base + "/v1/odin/envelope", envelope(sender, trace, {"n": n, "x": filler}),
                                token)
            if st == 200:
                acked.setdefault(trace, []).append(hdr.get("X-ODIN-Receipt-Hash"))
                continue
            full = (n, st, hdr, resp)
            break
        ok(full is not None, "the disk never filled up")
        if full is None:
            return gwtest.summary()
        n, st, hdr, resp = full
        err = json.loads(resp).get("error", {}) if resp.startswith(b"{") else {}
        ok(st == 503 and err.get("code") == "store_unavailable" and hdr.get("Retry-After", "").isdigit(),
           "a full disk: 503 store_unavailable with Retry-After, got %d %s %s" % (st, dict(hdr), resp[:200]))
        refused = ("fill-%d" % (n % 3), n)
        st, _, body = req("GET", gw.base + "/health", ctype=None)
        h = json.loads(body)
        ok(st == 200 and h.get("status") == "degraded" and h["store"].get("writable") is False,
           "full: /health says the store is not writable: %s" % h)
        # Still full: refused again, and the gateway is still up (no crash, no hang).
        st, _, _ = req("POST", gw.base + "/v1/odin/envelope", envelope(sender, "fill-0", {"again": 1, "x": filler}),
                       token)
        ok(st == 503, "still full: 503, got %d" % st)

        ok(remount(LARGE), "remount with size=" + LARGE)
        healthy = None
        for _ in range(50):  # the writer probes the store every second while it is failing
            _, _, body = req("GET", gw.base + "/health", ctype=None)
            healthy = json.loads(body)
            if healthy.get("status") == "ok":
                break
            time.sleep(0.2)
        ok(healthy.get("status") == "ok" and healthy["store"].get("writable") is True,
           "room again: /health ok without a write: %s" % healthy)
        for i in range(6):
            trace = "fill-%d" % (i % 3)
            st, hdr, resp = req("POST", gw.base + "/v1/odin/envelope", envelope(sender, trace, {"after": i}), token)
            ok(st == 200, "room again: write %d: %d %s" % (i, st, resp[:200]))
            if st == 200:
                acked.setdefault(trace, []).append(hdr.get("X-ODIN-Receipt-Hash"))

        # Stored = acknowledged, in order, each export verifying offline.
        jwks = os.path.join(T, "gw.jwks")
        for trace, hashes in sorted(acked.items()):
            st, _, doc = req("GET", gw.base + "/v1/receipts/export/" + trace, ctype=None)
            ok(st == 200, "export %s: %d" % (trace, st))
            path = os.path.join(T, trace + ".json")
            with open(path, "wb") as f:
                f.write(doc)
            v = subprocess.run([PROVA, "verify", "--jwks", jwks, "--json", path], stdout=subprocess.PIPE)
            rep = json.loads(v.stdout or b"{}")
            ok(v.returncode == 0 and rep.get("valid") is True, "%s verifies: %s" % (trace, v.stdout[:300]))
            stored = [r.get("receipt_hash") for r in json.loads(doc)["bundle"]["receipts"]]
            ok(stored == hashes, "%s: stored receipts are the acknowledged ones (%d stored, %d acknowledged)"
               % (trace, len(stored), len(hashes)))
        ok(refused[0] in acked, "the refused write's trace has acknowledged receipts to compare with")
    finally:
        if gw and gw.p.poll() is None:
            ok(gw.stop() == 0, "SIGTERM: exit 0")
        subprocess.run(["umount", MNT], stderr=subprocess.DEVNULL)
    return gwtest.summary()


if __name__ == "__main__":
    sys.exit(main())
