#!/usr/bin/env python3
"""prova db status|migrate|check and prova store copy (docs/operations.md "Schema and migrations", "Moving a store")
on a store a real gateway filled: OPE traces, OpenExecution chains with a certificate and a revoked one, the
transparency log with its checkpoints and tiles.

- db status / migrate: up to date (exit 0); a version 3 store (no log_index columns, as tests/unit/test_logentry.c
  makes one) has one pending migration (exit 1), db check refuses it, db migrate applies it once, then none.
- db check: the store as written is clean (exit 0, counts); a tampered receipt, event, log entry and tile, a gap
  in the log and the wrong gateway keys are each named with their reason code (exit 1).
- store copy: to a new file (in several batches) then db check clean on the copy, every table the same bytes, and
  every export (GET /v1/receipts/export/T?log_proofs=1, GET /api/v1/provenance/bundle/C?log_proofs=1) the same
  from a gateway on the copy as from one on the original; into a store that is not empty: refused, naming what it
  holds; of a tampered store: stopped, the new file removed, an existing empty destination left without a row.
- PROVA_TEST_PG=1: SQLite -> PostgreSQL (tests/pg/pgserver.py) -> SQLite, db check and status on PostgreSQL, the
  round trip byte-identical.

Usage: test_db_cli.py PROVA"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
sys.path.insert(0, os.path.join(HERE, "..", "pg"))
from gwtest import Gateway, envelope, first_token, jcs, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-dbcli-")
DATA = os.path.join(T, "data")
DB = os.path.join(DATA, "prova.db")
LONG = 300  # receipts of one trace: the log spans two level-0 tiles and a level-1 one
RECEIPTS = 6 + LONG
ENTRIES = RECEIPTS + 7 + 2 + 1  # receipts, events, certificates, one status change


def run(*args, env=None):
    r = subprocess.run([PROVA] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def snapshot(name):
    """A consistent copy of the original store (SQLite's backup API), to tamper with."""
    path = os.path.join(T, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    src = sqlite3.connect(DB)
    dst = sqlite3.connect(path)
    src.backup(dst)
    dst.close()
    src.close()
    return path


def sql(path, *stmts):
    c = sqlite3.connect(path)
    for s in stmts:
        c.execute(s)
    c.commit()
    c.close()


def tables(path):
    """Every row of every table as stored (the log's sequencing times aside: a copy sequences anew)."""
    c = sqlite3.connect(path)
    out = {}
    q = {
        "ope_receipts": "SELECT trace_id, hop, receipt_hash, receipt, log_index FROM ope_receipts ORDER BY trace_id, hop",
        "ope_replay": "SELECT key, expires_us FROM ope_replay WHERE expires_us > %d ORDER BY key" % int(time.time() * 1e6),
        "oe_chains": "SELECT id, record FROM oe_chains ORDER BY id",
        "oe_events": "SELECT chain_id, seq, event, log_index FROM oe_events ORDER BY chain_id, seq",
        "oe_certificates": "SELECT id, chain_id, bundle, log_index, status_log_index FROM oe_certificates ORDER BY id",
        "log_entries": "SELECT idx, entry FROM log_entries ORDER BY idx",
        "log_tiles": "SELECT level, idx, data FROM log_tiles ORDER BY level, idx",
        "log_checkpoints": "SELECT size, note, time_us FROM log_checkpoints ORDER BY id",
    }
    for name, query in q.items():
        out[name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in c.execute(query)]
    c.close()
    return out


def check(path, *extra):
    """db check --json on path: (exit code, report, stdout text of a text run)."""
    rc, out, err = run("db", "check", "--store", path, "--data", DATA, "--json", *extra)
    try:
        rep = json.loads(out)
    except ValueError:
        rep = {"stdout": out, "stderr": err}
    _, text, _ = run("db", "check", "--store", path, "--data", DATA, *extra)
    return rc, rep, text


def codes(rep):
    return sorted(set((p.get("record"), p.get("code")) for p in rep.get("problems", [])))


def fill(gw, token, sender):
    """Three traces, two chains (one certified, one certified and revoked): returns (traces, certificate ids)."""
    base = gw.base
    traces = {"tr-a": 3, "tr-b": 2, "tr-c": 1, "tr-long": LONG}
    for t, n in traces.items():
        for i in range(n):
            st, _, b = request("POST", base + "/v1/odin/envelope", envelope(sender, t, {"t": t, "i": i}), token)
            ok(st == 200, "envelope %s/%d accepted (%d %s)" % (t, i, st, b[:200]))
    api = base + "/api/v1"
    certs = []
    for k in range(2):
        st, _, b = request("POST", api + "/chains", jcs({"chain_type": "resource_audit", "origin_type": "github",
                                                         "origin_id": "octo/%d" % k}), token)
        ok(st == 201, "chain %d created (%d)" % (k, st))
        ch = json.loads(b)["data"]["id"]
        for i in range(3):
            st, _, _ = request("POST", api + "/chains/%s/events" % ch,
                               jcs({"event_type": "step_%d" % i, "actor_id": "a", "payload": {"i": i}}), token)
            ok(st == 201, "event %d (%d)" % (i, st))
        st, _, _ = request("POST", api + "/chains/%s/resolve" % ch, b"{}", token)
        ok(st == 200, "resolved (%d)" % st)
        st, _, b = request("POST", api + "/chains/%s/certificate" % ch,
                           jcs({"artifact_type": "repository", "artifact_ref": "octo/%d" % k}), token)
        ok(st == 201, "certified (%d)" % st)
        d = json.loads(b).get("data") or {}
        certs.append(d.get("certificate", {}).get("certificate_id") or d.get("certificate_id"))
    st, _, _ = request("POST", api + "/provenance/certificates/%s/revoke" % certs[1], jcs({"reason": "test"}), token)
    ok(st in (200, 201), "revoked (%d)" % st)
    # an open chain with one event, never certified
    st, _, b = request("POST", api + "/chains", jcs({"chain_type": "manual"}), token)
    ch = json.loads(b)["data"]["id"]
    st, _, _ = request("POST", api + "/chains/%s/events" % ch, jcs({"event_type": "only", "payload": {}}), token)
    ok(st == 201, "open chain's event (%d)" % st)
    return traces, certs


def wait_checkpoint(gw, size, limit=10.0):
    end = time.time() + limit
    while time.time() < end:
        st, _, b = request("GET", gw.base + "/log/checkpoint", ctype=None)
        if st == 200 and int(b.decode().split("\n")[1]) >= size:
            return True
        time.sleep(0.05)
    return False


def exports(gw, traces, certs):
    """What a gateway exports: each trace's bundle with its log proofs (exported_at and the signature over it
    aside) and each certificate's bundle with its proofs, byte for byte."""
    out = {}
    for t in traces:
        st, _, b = request("GET", gw.base + "/v1/receipts/export/%s?log_proofs=1" % t, ctype=None)
        d = json.loads(b) if st == 200 else {}
        bundle = dict(d.get("bundle", {}))
        bundle.pop("exported_at", None)
        out[t] = (st, jcs(bundle), jcs(d.get("tlog_proofs")))
    for c in certs:
        st, _, b = request("GET", gw.base + "/api/v1/provenance/bundle/%s?log_proofs=1" % c, ctype=None)
        out[c] = (st, b)
    return out


def gateway_on(store, name):
    """A gateway on a copy of the data directory whose store is `store` (same keys, tokens)."""
    d = os.path.join(T, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(DATA, d, ignore=shutil.ignore_patterns("prova.db*"))
    os.chmod(d, 0o700)
    shutil.copy(store, os.path.join(d, "prova.db"))
    return Gateway(PROVA, d, os.path.join(T, name + ".log"),
                   ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet", "--log-interval", "60000"])


def main():
    sender = make_sender(PROVA, T)
    os.makedirs(DATA, mode=0o700)
    gw = Gateway(PROVA, DATA, os.path.join(T, "server.log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet", "--log-interval", "100"])
    if not ok(gw.up, "the gateway starts"):
        return gwtest.summary()
    try:
        token = first_token(DATA)
        traces, certs = fill(gw, token, sender)
        ok(wait_checkpoint(gw, ENTRIES), "the log integrated every record")
        # a checkpoint per interval: wait for a second one over the same size to be sure nothing is pending
        time.sleep(0.3)
    finally:
        ok(gw.stop() == 0, "the gateway stops")

    # ---- locations that are not a store ------------------------------------------------------------------------
    notdb = os.path.join(T, "not-a-store.db")
    with open(notdb, "w") as f:
        f.write("this is not a database, it is long enough to be looked at by SQLite as a header......\n" * 4)
    rc, _, err = run("db", "check", "--store", notdb)
    ok(rc == 3 and "not a SQLite database" in err, "db check of a file that is not a database: %d %s" % (rc, err))
    rc, _, err = run("db", "status", "--store", "postgresql://u:pw1@127.0.0.1:1/x?password=pw2&sslmode=disable")
    ok(rc == 3 and "pw1" not in err and "pw2" not in err and "cannot connect to PostgreSQL" in err,
       "a URI's passwords (userinfo, query) are never printed: %s" % err)

    # ---- db status and db migrate -------------------------------------------------------------------------------
    rc, out, _ = run("db", "status", "--data", DATA)
    ok(rc == 0 and "up to date" in out and "sqlite" in out, "db status: up to date (rc %d) %s" % (rc, out))
    rc, out, _ = run("db", "status", "--data", DATA, "--json")
    st = json.loads(out) if rc == 0 else {}
    ok(st.get("pending") == 0 and st.get("schema_version") == st.get("schema_latest") and
       st.get("location") == DB, "db status --json: %s" % out)
    rc, _, err = run("db", "status", "--store", os.path.join(T, "nothing.db"))
    ok(rc == 3 and "nothing.db" in err and
       not os.path.exists(os.path.join(T, "nothing.db")), "db status of no store: exit 3, nothing created (%d %s)" %
       (rc, err))
    rc, out, _ = run("db", "status", env=dict(os.environ, PROVA_STORE=DB))
    ok(rc == 0 and DB in out, "PROVA_STORE names the store (%d)" % rc)

    old = snapshot("v3.db")
    sql(old, "ALTER TABLE ope_receipts DROP COLUMN log_index", "ALTER TABLE oe_events DROP COLUMN log_index",
        "ALTER TABLE oe_certificates DROP COLUMN log_index", "ALTER TABLE oe_certificates DROP COLUMN status_log_index",
        "UPDATE prova_meta SET v = '3' WHERE k = 'schema_version'")
    rc, out, _ = run("db", "status", "--store", old)
    ok(rc == 1 and "pending" in out and "log index" in out, "a version 3 store: 2 pending (rc %d) %s" % (rc, out))
    rc, out, _ = run("db", "status", "--store", old, "--json")
    st = json.loads(out) if out else {}
    pend = [m for m in st.get("migrations", []) if m.get("version", 0) > st.get("schema_version", 99)]
    ok(rc == 1 and st.get("pending") == 2 and len(pend) == 2, "status --json of version 3: %s" % out)
    rc, _, err = run("db", "check", "--store", old, "--data", DATA)
    ok(rc == 3 and "migrate" in err, "db check refuses an old schema, saying to migrate (%d %s)" % (rc, err))
    rc, out, _ = run("db", "migrate", "--store", old)
    ok(rc == 0 and "applied 2 migrations" in out, "db migrate applies 4 and 5 (%d %s)" % (rc, out))
    rc, out, _ = run("db", "migrate", "--store", old)
    ok(rc == 0 and "applied 0 migrations" in out, "db migrate again: none (%d %s)" % (rc, out))
    rc, _, _ = run("db", "status", "--store", old)
    ok(rc == 0, "after the migration: up to date (%d)" % rc)
    rc, rep, _ = check(old)
    ok(rc == 0 and rep.get("counts", {}).get("records_unlogged") == ENTRIES - 1,
       "the migrated store checks clean, its records without log indexes (%d %s)" % (rc, rep))

    # ---- db check: clean --------------------------------------------------------------------------------------
    rc, rep, text = check(DB)
    c = rep.get("counts", {})
    ok(rc == 0 and rep.get("ok") is True and rep.get("problems") == [], "db check: clean (%d %s)" % (rc, rep))
    ok(c.get("traces") == 4 and c.get("receipts") == RECEIPTS and c.get("chains") == 3 and c.get("events") == 7 and
       c.get("certificates") == 2 and c.get("log_entries") == ENTRIES and c.get("records_logged") == ENTRIES and
       c.get("checkpoints", 0) >= 1 and c.get("tiles") == 3, "db check counts: %s" % c)
    ok("no problems found" in text, "db check text: %s" % text)
    rc, _, err = run("db", "check", "--store", DB, "--data", os.path.join(T, "nowhere"))
    ok(rc == 2 and "--jwks" in err, "no keys: exit 2 (%d %s)" % (rc, err))

    # ---- db check: tampered stores ----------------------------------------------------------------------------
    def tampered(name, *stmts):
        path = snapshot(name)
        sql(path, *stmts)
        return path

    bad_receipt = tampered("bad-receipt.db",
                           "UPDATE ope_receipts SET receipt = replace(receipt, '\"passed\":true', '\"passed\":false')"
                           " WHERE trace_id = 'tr-a' AND hop = 1")
    rc, rep, text = check(bad_receipt)
    ok(rc == 1 and ("trace", "receipt_hash_mismatch") in codes(rep) and
       any(p.get("id") == "tr-a" and p.get("hop") == 1 for p in rep["problems"]),
       "a tampered receipt: trace tr-a hop 1 receipt_hash_mismatch (%d %s)" % (rc, codes(rep)))
    ok("trace tr-a hop 1: receipt_hash_mismatch:" in text, "text names it: %s" % text)

    db = sqlite3.connect(DB)
    chain0 = db.execute("SELECT chain_id FROM oe_certificates WHERE id = ?", (certs[0],)).fetchone()[0]
    db.close()
    bad_event = tampered("bad-event.db",
                         "UPDATE oe_events SET event = replace(event, '\"i\":1', '\"i\":7') WHERE chain_id = '%s'"
                         " AND seq = 2" % chain0)
    rc, rep, text = check(bad_event)
    ok(rc == 1 and ("chain", "event_hash_mismatch") in codes(rep) and
       ("certificate", "store_events_differ") in codes(rep) and "chain %s seq 2: event_hash_mismatch:" % chain0 in text,
       "a tampered event: chain seq 2 event_hash_mismatch, its certificate store_events_differ (%d %s)" %
       (rc, codes(rep)))

    bad_entry = tampered("bad-entry.db", "UPDATE log_entries SET entry = replace(entry, 'tr-b', 'tr-Z') WHERE idx = "
                         "(SELECT log_index FROM ope_receipts WHERE trace_id = 'tr-b' AND hop = 0)")
    rc, rep, text = check(bad_entry)
    cs = codes(rep)
    ok(rc == 1 and ("checkpoint", "log_root_mismatch") in cs and ("tile", "log_tile_mismatch") in cs and
       ("trace", "record_log_entry_mismatch") in cs, "a tampered log entry: root, tile and record (%d %s)" % (rc, cs))

    bad_tile = tampered("bad-tile.db", "UPDATE log_tiles SET data = zeroblob(length(data)) WHERE level = 0 AND idx = 1")
    rc, rep, text = check(bad_tile)
    cs = codes(rep)
    ok(rc == 1 and cs == [("tile", "log_tile_mismatch")] and "tile tile/0/001.p/%d: log_tile_mismatch" %
       (ENTRIES - 256) in text, "a tampered tile: log_tile_mismatch only (%d %s %s)" % (rc, cs, text))
    no_tile = tampered("no-tile.db", "DELETE FROM log_tiles WHERE level = 1")
    rc, rep, text = check(no_tile)
    ok(rc == 1 and codes(rep) == [("tile", "log_tile_missing")] and "tile tile/1/000.p/1: log_tile_missing" in text,
       "a missing level-1 tile: log_tile_missing (%d %s)" % (rc, text))

    gap = tampered("gap.db", "DELETE FROM log_entries WHERE idx = 3")
    rc, rep, text = check(gap)
    ok(rc == 1 and ("log", "log_entry_missing") in codes(rep) and "log index 3: log_entry_missing" in text,
       "a gap in the log: log index 3 missing (%d %s)" % (rc, codes(rep)))

    other = os.path.join(T, "other.key")
    subprocess.run([PROVA, "keygen", "--out", other], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(T, "other.jwks"), "wb") as f:
        f.write(subprocess.run([PROVA, "jwks", other], check=True, stdout=subprocess.PIPE).stdout)
    rc, rep, _ = check(DB, "--jwks", os.path.join(T, "other.jwks"))
    ok(rc == 1 and ("trace", "kid_not_found") in codes(rep) and ("certificate", "key_not_trusted") in codes(rep),
       "another gateway's keys: kid_not_found, key_not_trusted (%d %s)" % (rc, codes(rep)))

    # ---- store copy ---------------------------------------------------------------------------------------------
    copy = os.path.join(T, "copy.db")
    rc, out, err = run("store", "copy", DB, copy, "--data", DATA, "--batch", "7", "--json")
    rep = json.loads(out) if rc == 0 else {}
    ok(rc == 0 and rep.get("batches", 0) >= 5 and rep.get("counts", {}).get("receipts") == RECEIPTS and
       rep.get("counts", {}).get("log_entries") == ENTRIES, "store copy in batches of 7 (%d %s %s)" % (rc, out, err))
    rc, rep, _ = check(copy)
    ok(rc == 0, "db check of the copy: clean (%d %s)" % (rc, rep))
    a, b = tables(DB), tables(copy)
    for name in a:
        ok(a[name] == b[name], "table %s copied byte for byte (%d rows vs %d)" % (name, len(a[name]), len(b[name])))
    rc, out, _ = run("store", "copy", DB, os.path.join(T, "copy-text.db"), "--data", DATA)
    ok(rc == 0 and "copied sqlite" in out and " s\n" in out, "store copy text: %s" % out)

    g1, g2 = gateway_on(DB, "orig"), gateway_on(copy, "copied")
    try:
        ok(g1.up and g2.up, "gateways on the original and on the copy")
        e1, e2 = exports(g1, traces, certs), exports(g2, traces, certs)
        ok(all(v[0] == 200 for v in e1.values()), "every export answered: %s" % [v[0] for v in e1.values()])
        for k in e1:
            ok(e1[k] == e2[k], "export %s identical from the copy" % k)
    finally:
        g1.stop()
        g2.stop()

    rc, _, err = run("store", "copy", DB, copy, "--data", DATA)
    ok(rc == 2 and "not empty" in err and "%d receipts" % RECEIPTS in err and "log entries" in err,
       "copy into a non-empty store: refused, naming what it holds (%d %s)" % (rc, err))

    dest = os.path.join(T, "from-tampered.db")
    rc, _, err = run("store", "copy", bad_event, dest, "--data", DATA)
    ok(rc == 1 and "event_hash_mismatch" in err and not os.path.exists(dest),
       "copy of a tampered store: stopped, the new file removed (%d %s)" % (rc, err))
    empty = os.path.join(T, "empty.db")
    open(empty, "wb").close()
    rc, _, err = run("store", "copy", bad_entry, empty, "--data", DATA)
    left = tables(empty) if os.path.exists(empty) else None
    ok(rc == 1 and left is not None and all(not v for v in left.values()),
       "copy of a tampered log into an existing empty store: nothing written (%d %s)" % (rc, err))

    # ---- PostgreSQL -------------------------------------------------------------------------------------------
    if os.environ.get("PROVA_TEST_PG") == "1":
        import pgserver
        pg = pgserver.PG(os.path.join(T, "pg"))
        try:
            rc, out, err = run("store", "copy", DB, pg.url, "--data", DATA, "--batch", "5")
            ok(rc == 0, "SQLite -> PostgreSQL (%d %s %s)" % (rc, out, err))
            rc, out, _ = run("db", "status", "--store", pg.url)
            ok(rc == 0 and "postgresql" in out, "db status on PostgreSQL (%d %s)" % (rc, out))
            rc, rep, _ = check(pg.url)
            ok(rc == 0 and rep.get("counts", {}).get("receipts") == RECEIPTS, "db check on PostgreSQL (%d %s)" % (rc, rep))
            back = os.path.join(T, "back.db")
            rc, out, err = run("store", "copy", pg.url, back, "--data", DATA)
            ok(rc == 0, "PostgreSQL -> SQLite (%d %s %s)" % (rc, out, err))
            a, b = tables(DB), tables(back) if rc == 0 else {}
            for name in a:
                ok(a[name] == b.get(name), "round trip: table %s byte for byte" % name)
            rc, _, err = run("store", "copy", DB, pg.url, "--data", DATA)
            ok(rc == 2 and "not empty" in err, "copy into a non-empty PostgreSQL store: refused (%d %s)" % (rc, err))
        finally:
            pg.destroy()
    else:
        print("PostgreSQL cases skipped (PROVA_TEST_PG=1 runs them)")

    rc = gwtest.summary()
    if rc == 0 and not os.environ.get("PROVA_TEST_KEEP"):
        shutil.rmtree(T, ignore_errors=True)
    else:
        print("kept", T)
    return rc


if __name__ == "__main__":
    sys.exit(main())
