#!/usr/bin/env python3
"""The gateway's store under faults (docs/operations.md "Faults"): `prova serve` runs under faultfs, an LD_PRELOAD
shim that makes the data directory's writes fail with ENOSPC or EIO, or its fsyncs fail with EIO, while a control
file says so. For each fault: writes answer 503 with Retry-After and the code store_unavailable, /health says the
store is not writable, the transparency log stops growing; with the fault off, writes succeed again (a refused
envelope sent again is accepted: its replay claim was not kept) and /health says ok. At the end every trace is
exported and checked by `prova verify` and here: every acknowledged receipt present once, hops contiguous, no refused
one stored, the same for an OpenExecution chain's events; the log's checkpoint covers exactly the acknowledged
records and `prova log audit` passes. Then, after a refusal under eio-fsync, the gateway is killed (-9) and
restarted without the shim: the refused record is not there, and the rest holds. Usage: test_faults.py PROVA
FAULTFS_SO"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import envelope, first_token, gateway_keys, jcs, make_sender, ok, request as req  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
SHIM = os.path.realpath(sys.argv[2])
T = tempfile.mkdtemp(prefix="prova-faults-")
DATA = os.path.join(T, "data")
CTL = os.path.join(T, "fault")


def fault(m):
    with open(CTL + ".tmp", "w") as f:
        f.write(m + "\n")
    os.replace(CTL + ".tmp", CTL)


def preload():
    """LD_PRELOAD for the shim. Under a sanitizer build (make check runs this test under ASan too) the sanitizer's
    runtime must come first in the list of libraries, or it refuses to start: it goes before the shim."""
    ldd = subprocess.run(["ldd", PROVA], stdout=subprocess.PIPE, text=True).stdout
    first = [ln.split("=>")[1].split()[0] for ln in ldd.splitlines()
             if "=>" in ln and ("libasan" in ln or "libubsan" in ln) and "/" in ln.split("=>")[1]]
    return " ".join(first + [SHIM])


class Gateway(gwtest.Gateway):
    def __init__(self, shim):
        env = dict(os.environ)
        if shim:
            env.update(LD_PRELOAD=preload(), FAULTFS_DIR=DATA, FAULTFS_CTL=CTL)
        super().__init__(PROVA, DATA, os.path.join(T, "server.log"),
                         ["--trusted-senders", os.path.join(T, "senders.jwks"), "--log-interval", "100"], env=env)
        if not self.up:
            raise SystemExit("the gateway did not start")

    def health(self):
        st, _, body = req("GET", self.base + "/health")
        return st, json.loads(body)


ACKED = {}     # trace -> [receipt hash in hop order]
ACK_CIDS = {}   # trace -> [the payload's CID, the receipt's request_cid, in hop order]
REFUSED = []   # (trace, payload) refused with 503 and not sent again
LOGGED = 0     # acknowledged records (each has one log entry)


def write(gw, token, sender, trace, payload, want=200, body=None):
    global LOGGED
    body = body or envelope(sender, trace, payload)
    st, hdr, resp = req("POST", gw.base + "/v1/odin/envelope", body, token)
    if st == 200:
        ACKED.setdefault(trace, []).append(hdr.get("X-ODIN-Receipt-Hash"))
        ACK_CIDS.setdefault(trace, []).append("sha256:" + hashlib.sha256(jcs(payload)).hexdigest())
        LOGGED += 1
    ok(st == want, "%s %s: HTTP %d, want %d: %s" % (trace, payload, st, want, resp[:300]))
    return st, hdr, resp, body


EVENTS = []    # event_hash of every acknowledged OpenExecution event, in order
CHAIN = None


def event(gw, token, tag, want=201):
    """An OpenExecution event on CHAIN (the other write path: the writer's batches hold both kinds)."""
    global LOGGED
    st, hdr, resp = req("POST", gw.base + "/api/v1/chains/%s/events" % CHAIN,
                        jcs({"event_type": "step", "actor_id": "a", "payload": {"tag": tag}}), token)
    if st == 201:
        EVENTS.append(json.loads(resp)["data"]["event_hash"])
        LOGGED += 1
    ok(st == want, "event %s: HTTP %d, want %d: %s" % (tag, st, want, resp[:300]))
    if st == 503:
        ok(json.loads(resp).get("error", {}).get("code") == "store_unavailable" and "Retry-After" in hdr,
           "event %s: 503 store_unavailable with Retry-After: %s %s" % (tag, hdr, resp[:200]))
    return st


def check_store(gw, vkey, what):
    """Every trace exported and verified; every acknowledged receipt present once in hop order, no refused one."""
    jwks = os.path.join(T, "gw.jwks")
    for trace, hashes in sorted(ACKED.items()):
        st, _, doc = req("GET", gw.base + "/v1/receipts/export/" + trace + "?log_proofs=1")
        if not ok(st == 200, "%s: export %s: %d" % (what, trace, st)):
            continue
        path = os.path.join(T, "export-%s.json" % trace)
        with open(path, "wb") as f:
            f.write(doc)
        r = subprocess.run([PROVA, "verify", "--jwks", jwks, "--log-key", vkey, "--require-log-proof", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        ok(r.returncode == 0, "%s: prova verify %s: %s" % (what, trace, r.stdout[-600:]))
        receipts = json.loads(doc)["bundle"]["receipts"]
        hops = [rc.get("hop") for rc in receipts]
        ok(hops == list(range(len(hops))), "%s: %s hops %s" % (what, trace, hops))
        got = [rc.get("receipt_hash") for rc in receipts]
        ok(got == hashes, "%s: %s: stored %s, acknowledged %s" % (what, trace, got, hashes))
        cids = [rc.get("request_cid") for rc in receipts]
        ok(cids == ACK_CIDS[trace], "%s: %s: request_cids %s, acknowledged %s" % (what, trace, cids, ACK_CIDS[trace]))
        for t, p in REFUSED:
            if t == trace:
                ok("sha256:" + hashlib.sha256(jcs(p)).hexdigest() not in cids,
                   "%s: the refused %s is stored" % (what, p))
    st, _, doc = req("GET", gw.base + "/api/v1/chains/" + CHAIN)
    events = json.loads(doc)["data"].get("events", []) if st == 200 else []
    ok([e.get("seq") for e in events] == list(range(1, len(events) + 1)), "%s: event seqs %s" %
       (what, [e.get("seq") for e in events]))
    ok([e.get("event_hash") for e in events] == EVENTS, "%s: stored events %d, acknowledged %d" %
       (what, len(events), len(EVENTS)))
    ok(all(e.get("prev_hash") == (events[i - 1]["event_hash"] if i else None) or i == 0
           for i, e in enumerate(events)), "%s: events linked" % what)
    # the log: exactly one entry per acknowledged record, audited from the stored tiles
    deadline = time.time() + 10
    while True:
        st, _, cp = req("GET", gw.base + "/log/checkpoint")
        size = int(cp.decode().split("\n")[1]) if st == 200 else -1
        if size >= LOGGED or time.time() > deadline:
            break
        time.sleep(0.1)
    ok(size == LOGGED, "%s: the log's checkpoint covers %d entries, %d records were acknowledged" %
       (what, size, LOGGED))
    r = subprocess.run([PROVA, "log", "audit", "--url", gw.base + "/log", "--log-key", vkey], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    ok(r.returncode == 0, "%s: prova log audit: %s" % (what, r.stdout[-600:]))


def main():
    sender = make_sender(PROVA, T)
    if not os.path.isfile(SHIM):  # LD_PRELOAD of a missing file only warns: the test would prove nothing
        print("FAIL: no shim at %s" % SHIM, file=sys.stderr)
        return 1
    fault("off")
    gw = Gateway(shim=True)
    try:
        token = first_token(DATA)
        vkey, _ = gateway_keys(gw.base, T)
        global CHAIN
        st, _, resp = req("POST", gw.base + "/api/v1/chains", jcs({"chain_type": "manual"}), token)
        ok(st == 201, "chain created: %d %s" % (st, resp[:200]))
        CHAIN = json.loads(resp)["data"]["id"]
        event(gw, token, "first")
        n = 0
        for i in range(3):
            for trace in ("tx-a", "tx-b"):
                write(gw, token, sender, trace, {"n": n})
                n += 1
        st, h = gw.health()
        ok(st == 200 and h.get("status") == "ok" and h["store"].get("writable") is True, "healthy: %s" % h)

        for m in ("enospc", "eio-write", "eio-fsync"):
            fault(m)
            time.sleep(0.3)  # let a log integration meet the fault too
            resend = None
            for trace in ("tx-a", "tx-b", "tx-c"):
                st, hdr, resp, body = write(gw, token, sender, trace, {"n": n, "fault": m}, want=503)
                if st == 503:
                    err = json.loads(resp).get("error", {})
                    ok(err.get("code") == "store_unavailable", "%s: code %s" % (m, err))
                    ok(hdr.get("Retry-After", "").isdigit(), "%s: Retry-After %s" % (m, hdr.get("Retry-After")))
                    if resend is None:
                        resend = (trace, {"n": n, "fault": m}, body)
                    else:
                        REFUSED.append((trace, {"n": n, "fault": m}))
                n += 1
            event(gw, token, m, want=503)
            st, h = gw.health()
            ok(st == 200 and h.get("status") == "degraded" and h["store"].get("writable") is False and
               h["store"].get("fault", {}).get("code") == "store_write_failed",
               "%s: /health says the store is not writable: %s" % (m, h))
            _, _, metrics = req("GET", gw.base + "/metrics")
            ok(b"\nprova_store_writable 0\n" in metrics, "%s: /metrics prova_store_writable 0" % m)
            counted = os.path.exists(CTL + ".count") and os.path.getsize(CTL + ".count") > 0
            ok(counted, "%s: the shim refused calls" % m)
            fault("off")
            # the refused envelope again, byte for byte: its replay claim was rolled back with it
            write(gw, token, sender, resend[0], resend[1], body=resend[2])
            for trace in ("tx-a", "tx-b", "tx-c"):
                write(gw, token, sender, trace, {"n": n, "after": m})
                n += 1
            event(gw, token, "after " + m)
            st, h = gw.health()
            ok(st == 200 and h.get("status") == "ok" and h["store"].get("writable") is True,
               "%s: recovered: %s" % (m, h))
            if os.path.exists(CTL + ".count"):
                os.unlink(CTL + ".count")
        check_store(gw, vkey, "running")

        # A refusal the fsync fault left behind must not come back when the gateway restarts.
        fault("eio-fsync")
        write(gw, token, sender, "tx-d", {"n": n, "fault": "eio-fsync before kill"}, want=503)
        REFUSED.append(("tx-d", {"n": n, "fault": "eio-fsync before kill"}))
        n += 1
        gw.kill()
        fault("off")
        gw = Gateway(shim=False)
        st, h = gw.health()
        ok(st == 200 and h.get("status") == "ok", "restarted: %s" % h)
        st, _, _ = req("GET", gw.base + "/v1/receipts/export/tx-d")
        ok(st == 404, "the refused tx-d is not stored after the restart (export: %d)" % st)
        write(gw, token, sender, "tx-a", {"n": n, "after": "restart"})
        check_store(gw, vkey, "restarted")
    finally:
        if gw.p.poll() is None:
            gw.kill()
    rc = gwtest.summary()
    if rc:
        print(open(os.path.join(T, "server.log"), errors="replace").read()[-4000:], file=sys.stderr)
    else:
        shutil.rmtree(T, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
