#!/usr/bin/env python3
"""Three gateways on one PostgreSQL (docs/postgresql.md), with a real server started here (tests/pg/pgserver.py):

1. concurrency: dozens of writers post envelopes through all three at once onto the same few traces and their own;
   then, independently of prova where it can (tests/http/ledger.py): every acknowledged receipt stored once at its
   hop, hops contiguous, hashes, signatures and links checked in Python, every export verified offline by
   `prova verify --require-log-proof`, the log's entries hashing to every checkpoint's root, `prova log audit`; the
   three gateways serve the same chains and, within a few seconds, the same checkpoint; a replay through another
   gateway is refused (replay protection is global); one gateway integrates the log (prova_log_integrating).
2. kill -9 of the integrating gateway under load: another takes the log over, nothing acknowledged is lost.
3. an immediate shutdown of PostgreSQL under load (`pg_ctl stop -m immediate`: no shutdown checkpoint, crash
   recovery at the restart): writes get 503 with Retry-After, /health says degraded with the reason, and after the
   restart the gateways reconnect and writes are acknowledged again without restarting them;
4. the three restarted with a witness policy (one `prova witness`): every gateway publishes the checkpoint the
   witness cosigned, and an export from one that does not integrate verifies under the policy;
then every acknowledged record is present and the log consistent.

Usage: test_gateways.py PROVA [SECONDS_PER_PHASE]"""
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import pgserver  # noqa: E402
from gwtest import Gateway, envelope, gateway_keys, make_sender, first_token, request as req, ok  # noqa: E402
import gwtest  # noqa: E402
from ledger import Ledger, gateway_key  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
PHASE = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
WRITERS = int(os.environ.get("PG_WRITERS", "24"))
T = tempfile.mkdtemp(prefix="prova-pg-gw-")

L = Ledger(PROVA, T)
JWKS = os.path.join(T, "gw.jwks")


def metric(base, name):
    st, _, m = req("GET", base + "/metrics", ctype=None)
    for line in m.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def writers(bases, token, sender, tag, seconds):
    """WRITERS threads for seconds: each on the four hot traces all of them share and on its own."""
    stop = threading.Event()
    ths = [threading.Thread(target=L.writer,
                            args=(bases, token, sender, w, tag,
                                  lambda n, w=w: ["hot-%d" % (n % 4), "hot-%d" % (n % 4), "own-%s-%d" % (tag, w)],
                                  stop)) for w in range(WRITERS)]
    for th in ths:
        th.start()
    return stop, ths


def join(stop, ths):
    stop.set()
    for th in ths:
        th.join()


def wait_same_checkpoint(gws, size, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        sizes = []
        for g in gws:
            st, _, cp = req("GET", g.base + "/log/checkpoint")
            sizes.append(int(cp.decode().split("\n")[1]) if st == 200 else -1)
        if all(s >= size for s in sizes):
            return sizes
        time.sleep(0.1)
    return sizes


def main():
    pg = pgserver.PG(os.path.join(T, "pg"))
    print("PostgreSQL at", pg.url, flush=True)
    sender = make_sender(PROVA, T)
    data = [os.path.join(T, "data%d" % i) for i in range(3)]
    gws = []
    try:
        # the first gateway makes the keys and the token; the others use the same files
        common = ["--store", pg.url, "--trusted-senders", os.path.join(T, "senders.jwks"), "--log-interval", "100",
                  "--quiet"]
        gws.append(Gateway(PROVA, data[0], os.path.join(T, "gw0.log"), common))
        ok(gws[0].up, "gateway 0 starts on PostgreSQL")
        keys = ["--key", os.path.join(data[0], "gateway.key"), "--log-key", os.path.join(data[0], "log.key"),
                "--tokens", os.path.join(data[0], "tokens.json")]
        for i in (1, 2):
            gws.append(Gateway(PROVA, data[i], os.path.join(T, "gw%d.log" % i), common + keys))
            ok(gws[i].up, "gateway %d starts on the same database" % i)
        if not all(g.up for g in gws):
            return 1
        vkey, jwks = gateway_keys(gws[0].base, T)
        gwkey = gateway_key(jwks)
        token = first_token(data[0])
        st, _, h = req("GET", gws[1].base + "/health", ctype=None)
        ok(json.loads(h)["store"]["backend"] == "postgresql", "/health names the backend")

        # 1. dozens of writers through three gateways onto the same traces
        bases = [g.base for g in gws]
        stop, ths = writers(bases, token, sender, "p1", PHASE)
        time.sleep(PHASE)
        join(stop, ths)
        n1 = L.acknowledged()
        print("phase 1: %d acknowledged through 3 gateways, %d refused" % (n1, L.refused), flush=True)
        ok(n1 > 100, "writes are acknowledged through three gateways (%d)" % n1)
        stored = L.check(gws[0].base, "phase 1", vkey, gwkey, JWKS)
        sizes = wait_same_checkpoint(gws, stored)
        ok(all(s >= stored for s in sizes), "every gateway publishes a checkpoint covering the %d records: %s" %
           (stored, sizes))
        for trace in ("hot-0", "hot-3", "own-p1-5"):  # the receipts: the export's "at" is each gateway's clock
            chains = [json.loads(req("GET", g.base + "/v1/receipts/export/" + trace)[2])["bundle"]["receipts"]
                      for g in gws]
            ok(chains[0] and chains[0] == chains[1] == chains[2], "the three gateways serve %s's %d receipts alike" %
               (trace, len(chains[0])))
        leaders = [metric(g.base, "prova_log_integrating") for g in gws]
        ok(sorted(leaders) == [0.0, 0.0, 1.0], "one gateway integrates the log: %s" % leaders)
        body = envelope(sender, "replayed", {"once": True})
        st0 = L.post_body(gws[0].base, token, "replayed", body, "replay")
        st1, _, r1 = req("POST", gws[1].base + "/v1/odin/envelope", body, token)
        ok(st0 == 200 and st1 == 409 and b"replay" in r1,
           "a replay through another gateway is refused (%d then %d)" % (st0, st1))

        # 2. kill -9 the integrating gateway under load
        lead = leaders.index(1.0) if 1.0 in leaders else 0
        others = [g for i, g in enumerate(gws) if i != lead]
        stop, ths = writers(bases, token, sender, "p2", PHASE)
        time.sleep(PHASE / 2)
        gws[lead].kill()
        time.sleep(PHASE / 2)
        join(stop, ths)
        n2 = L.acknowledged()
        print("phase 2: killed gateway %d; %d acknowledged in all" % (lead, n2), flush=True)
        stored = L.check(others[0].base, "phase 2", vkey, gwkey, JWKS)
        deadline = time.time() + 10
        while time.time() < deadline and sorted(metric(g.base, "prova_log_integrating") for g in others) != [0, 1]:
            time.sleep(0.1)
        ok(sorted(metric(g.base, "prova_log_integrating") for g in others) == [0.0, 1.0],
           "a surviving gateway took the log over")
        gws[lead] = Gateway(PROVA, data[lead], os.path.join(T, "gw%d.log" % lead),
                            common + (keys if lead else []))
        ok(gws[lead].up, "the killed gateway restarts")

        # 3. PostgreSQL shut down immediately under load, then restarted
        stop, ths = writers(bases, token, sender, "p3", PHASE)
        time.sleep(PHASE / 3)
        pg.stop("immediate")
        down_at = L.acknowledged()
        time.sleep(1.5)
        st, hdr, resp = req("POST", gws[1].base + "/v1/odin/envelope", envelope(sender, "down", {"x": 1}), token)
        ok(st == 503 and hdr.get("Retry-After"), "a write while PostgreSQL is down: 503 with Retry-After (%d)" % st)
        h = json.loads(req("GET", gws[2].base + "/health", ctype=None)[2])
        ok(h["status"] == "degraded" and h["store"]["fault"], "/health says degraded with the reason: %s" %
           (h["store"]["fault"],))
        pg.start()
        restarted = time.time()
        while L.acknowledged() == down_at and time.time() - restarted < 15:  # reconnection backoff: at most 5 s
            time.sleep(0.05)
        back = time.time() - restarted
        time.sleep(PHASE)
        join(stop, ths)
        after = L.acknowledged() - down_at
        print("phase 3: writes acknowledged again %.2f s after PostgreSQL's restart; %d since" % (back, after),
              flush=True)
        ok(after > 50, "writes are acknowledged again after PostgreSQL's restart (%d in %.1f s)" %
           (after, time.time() - restarted))
        deadline = time.time() + 15
        while time.time() < deadline and json.loads(req("GET", gws[2].base + "/health", ctype=None)[2])[
                "status"] != "ok":
            time.sleep(0.2)
        h = json.loads(req("GET", gws[2].base + "/health", ctype=None)[2])
        ok(h["status"] == "ok", "/health is ok again: %s" % h["status"])
        # 4. a witness policy: the integrating gateway's witness cosigns, every gateway publishes the cosigned
        # checkpoint (the integrating one stores it for the others)
        witness_phase(gws, data, common, keys, vkey, token, sender)
        stored = L.check(gws[0].base, "final", vkey, gwkey, JWKS, final=True)
        sizes = wait_same_checkpoint(gws, stored)
        ok(all(s >= stored for s in sizes), "every gateway's checkpoint covers the %d records: %s" % (stored, sizes))
        if subprocess_ok([PROVA, "db", "--help"]):
            r = run([PROVA, "db", "check", "--store", pg.url, "--data", data[0]])
            ok(r.returncode == 0, "prova db check on the database: %s" % r.stdout[-600:])
        print("%d acknowledged, %d stored, %d refused (429/503/connection), %d checkpoints seen" %
              (L.acknowledged(), stored, L.refused, len(L.seen_cps)))
    finally:
        for g in gws:
            if g.p.poll() is None:
                g.kill()
        pg.destroy()
    for f in L.failures:
        ok(False, f)
    rc = gwtest.summary()
    if rc:
        print("kept %s for inspection" % T, file=sys.stderr)
    else:
        shutil.rmtree(T, ignore_errors=True)
    return rc


def witness_phase(gws, data, common, keys, vkey, token, sender):
    """All three restarted with --witness-policy (one `prova witness`, quorum: it): the checkpoint every gateway
    publishes after new writes carries the witness's cosignature, the integrating gateway's and the others'."""
    wkey = os.path.join(T, "w.key")
    out = run([PROVA, "witness", "keygen", "--name", "w.test", "--out", wkey]).stdout
    wvkey = out.strip().split("\n")[-1]
    logs = os.path.join(T, "logs.txt")
    with open(logs, "w") as f:
        f.write(vkey + "\n")
    port = gwtest.free_port()
    wlog = open(os.path.join(T, "witness.log"), "ab")
    import subprocess
    wp = subprocess.Popen([PROVA, "witness", "--key", wkey, "--logs", logs, "--state", os.path.join(T, "wstate"),
                           "--listen", "127.0.0.1:%d" % port, "--quiet"], stdout=subprocess.DEVNULL, stderr=wlog)
    try:
        policy = os.path.join(T, "policy.txt")
        with open(policy, "w") as f:
            f.write("log %s\nwitness w %s http://127.0.0.1:%d\nquorum w\n" % (vkey, wvkey, port))
        for i, g in enumerate(gws):
            g.stop()
            gws[i] = Gateway(PROVA, data[i], os.path.join(T, "gw%d.log" % i),
                             common + (keys if i else []) + ["--witness-policy", policy])
            ok(gws[i].up, "gateway %d restarts with a witness policy" % i)
        before = max(int(req("GET", g.base + "/log/checkpoint")[2].decode().split("\n")[1]) for g in gws)
        for n in range(20):
            L.post(gws[n % 3].base, token, sender, "witnessed", {"n": n}, "witness phase")
        name = wvkey.split("+")[0]
        deadline = time.time() + 15
        notes = []
        while time.time() < deadline:
            notes = [req("GET", g.base + "/log/checkpoint")[2].decode() for g in gws]
            if all(int(n.split("\n")[1]) >= before + 20 and ("\u2014 %s " % name) in n for n in notes):
                break
            time.sleep(0.2)
        ok(all(int(n.split("\n")[1]) >= before + 20 for n in notes),
           "every gateway publishes the newer checkpoint: %s" % [n.split("\n")[1] for n in notes])
        ok(all(("\u2014 %s " % name) in n for n in notes), "every gateway's checkpoint carries the cosignature")
        st, _, doc = req("GET", gws[1].base + "/v1/receipts/export/witnessed?log_proofs=1")
        path = os.path.join(T, "witnessed.json")
        with open(path, "wb") as f:
            f.write(doc)
        r = run([PROVA, "verify", "--jwks", JWKS, "--witness-policy", policy, "--require-log-proof", path])
        ok(r.returncode == 0, "an export from a gateway that does not integrate verifies under the policy: %s" %
           r.stdout[-400:])
    finally:
        wp.kill()
        wp.wait()


def run(argv):
    import subprocess
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def subprocess_ok(argv):
    return run(argv).returncode == 0


if __name__ == "__main__":
    sys.exit(main())
