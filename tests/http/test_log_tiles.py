#!/usr/bin/env python3
"""The gateway's integrated transparency log over real HTTP (issue 14 "Gateway", docs/tlog.md "The gateway's log"),
checked by an implementation of its own: hashlib for RFC 6962 / RFC 9162 and C2SP tlog-tiles, python3-cryptography
for the signed-note Ed25519 signatures. Nothing here calls prova's code but its gateway (and `prova keygen`/`jwks`).

- records posted, then within 2 s GET /log/checkpoint verifies with the key of /log/vkey (key ID = SHA-256(name ||
  "\\n" || 0x01 || pub)[:4]); every tile and entry bundle the size implies is fetched, every leaf hash recomputed
  from the entries, every tile and the root recomputed and compared;
- each record's log_index names its entry, which is the JCS statement of that record;
- /log/proof/{i} verifies for every i; content types and caching; partial widths that do not exist are 404, bad
  paths 400; --log-dir holds the same bytes as the routes;
- a restart: the next checkpoint extends the previous one (its root recomputed from the new tiles, and an RFC 9162
  consistency proof built from the new tree verifies);
- kill -9 under load: every acknowledged record is in the log at its index and the new checkpoint extends the old.

Usage: test_log_tiles.py PROVA        "N passed, M failed" last; exits non-zero on any failure."""
import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import first_token, free_port, jcs, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-logtiles-")


# ---- an independent RFC 6962 / tlog-tiles / signed-note implementation ----------------------------------------------

def leaf_hash(b):
    return hashlib.sha256(b"\x00" + b).digest()


def node_hash(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    """RFC 9162 §2.1.1 over a list of leaf hashes."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def inclusion_path(m, leaves):
    """RFC 6962 §2.1.1 PATH(m, D[n])."""
    n = len(leaves)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return inclusion_path(m, leaves[:k]) + [mth(leaves[k:])]
    return inclusion_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def subproof(m, leaves, b):
    """RFC 6962 §2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def verify_consistency(size1, size2, root1, root2, proof):
    """RFC 9162 §2.1.4.2."""
    if size1 == size2:
        return not proof and root1 == root2
    if size1 & (size1 - 1) == 0:
        proof = [root1] + proof
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    if not proof:
        return False
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def tile_path(level, n, width=256):
    """tlog-tiles: tile/<L>/<N>[.p/<W>], N in 3-digit elements, all but the last x-prefixed."""
    s = "%03d" % (n % 1000)
    n //= 1000
    while n:
        s = "x%03d/" % (n % 1000) + s
        n //= 1000
    p = "tile/%s/%s" % (level, s)
    return p + (".p/%d" % width if width < 256 else "")


def parse_vkey(text):
    name, kid, key = text.strip().split("+", 2)  # base64 may hold "+"
    raw = base64.b64decode(key, validate=True)
    assert raw[0] == 1 and len(raw) == 33
    want = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert want.hex() == kid, "vkey key id"
    return name, want, Ed25519PublicKey.from_public_bytes(raw[1:])


def verify_note(note, vkey):
    """Returns (origin, size, root) of a checkpoint signed by vkey (signed-note, tlog-checkpoint)."""
    name, kid, pub = vkey
    text, sep, sigs = note.partition("\n\n")
    assert sep and sigs.endswith("\n"), "note layout"
    text += "\n"
    good = False
    for line in sigs[:-1].split("\n"):
        assert line.startswith("\u2014 "), "signature line"
        sname, sig = line[2:].split(" ")
        blob = base64.b64decode(sig, validate=True)
        if sname == name and blob[:4] == kid:
            pub.verify(blob[4:], text.encode())  # raises on a bad signature
            good = True
    assert good, "no signature by the log key"
    lines = text.split("\n")
    assert lines[0] == name, "origin is the key name"
    root = base64.b64decode(lines[2], validate=True)
    assert len(root) == 32 and str(int(lines[1])) == lines[1]
    return lines[0], int(lines[1]), root


# ---- the gateway ------------------------------------------------------------------------------------------------

class Gateway(gwtest.Gateway):
    def __init__(self, data, extra):
        super().__init__(PROVA, data, os.path.join(T, "server.log"),
                         ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"] + extra, timeout=10)
        if not self.up:
            raise SystemExit("the gateway did not start: " + open(os.path.join(T, "server.log")).read())


def get(url):
    return request("GET", url, timeout=10, ctype=None)


def post(base, path, body, token):
    st, _, b = request("POST", base + path, body, token, timeout=10)
    return st, json.loads(b) if 200 <= st < 300 else None


SENDER = None


def envelope(trace_id, payload):
    return gwtest.envelope(SENDER, trace_id, payload)


def statement(resp):
    r = resp["receipt"]
    return jcs({"format": "prova-log-entry/v1", "family": "ope", "kind": "receipt",
                "digest": "sha256:" + r["receipt_hash"], "trace_id": r["trace_id"], "hop": r["hop"], "time": r["ts"]})


def wait_size(gw, want, limit=2.0):
    t0 = time.time()
    while True:
        st, _, body = get(gw.base + "/log/checkpoint")
        if st == 200:
            size = int(body.decode().split("\n")[1])
            if size >= want:
                return body.decode(), time.time() - t0
        if time.time() - t0 > limit:
            return None, time.time() - t0
        time.sleep(0.05)


def fetch_log(gw, size, logdir=None):
    """Every tile and bundle the size implies, checked against a tree recomputed from the entries. Returns the
    entries and the leaf hashes."""
    entries, leaves = [], []
    nfull, w = divmod(size, 256)
    for n in range(nfull + (1 if w else 0)):
        width = 256 if n < nfull else w
        p = "tile/entries/" + tile_path(0, n, width)[len("tile/0/"):]
        st, hd, b = get(gw.base + "/log/" + p)
        ok(st == 200 and hd["Content-Type"] == "application/octet-stream", "%s: %s %s" % (p, st, hd["Content-Type"]))
        ok(("immutable" in hd["Cache-Control"]) == (width == 256), "%s cache %s" % (p, hd["Cache-Control"]))
        if logdir:
            ok(open(os.path.join(logdir, p), "rb").read() == b, "--log-dir " + p)
        off = 0
        for _ in range(width):
            ln = int.from_bytes(b[off:off + 2], "big")
            entries.append(b[off + 2:off + 2 + ln])
            off += 2 + ln
        ok(off == len(b), "%s: trailing bytes" % p)
    leaves = [leaf_hash(e) for e in entries]
    ok(len(leaves) == size, "entries fetched %d, size %d" % (len(leaves), size))
    level_hashes = leaves  # hashes at level 8L
    level = 0
    while len(level_hashes) > 0 and (size >> (8 * level)) > 0:
        nfull, w = divmod(len(level_hashes), 256)
        nxt = []
        for n in range(nfull + (1 if w else 0)):
            width = 256 if n < nfull else w
            p = tile_path(level, n, width)
            st, hd, b = get(gw.base + "/log/" + p)
            want = b"".join(level_hashes[n * 256:n * 256 + width])
            ok(st == 200 and b == want, "%s: %s, %d bytes, want %d" % (p, st, len(b), len(want)))
            ok(("immutable" in hd["Cache-Control"]) == (width == 256), "%s cache" % p)
            if logdir:
                ok(open(os.path.join(logdir, p), "rb").read() == b, "--log-dir " + p)
            if width == 256:
                nxt.append(mth(level_hashes[n * 256:(n + 1) * 256]))
        level_hashes = nxt
        level += 1
    return entries, leaves


def main():
    global SENDER
    SENDER = make_sender(PROVA, T)
    data, logdir = os.path.join(T, "data"), os.path.join(T, "logdir")
    opts = ["--log-interval", "200", "--log-dir", logdir, "--log-origin", "test.example/prova"]
    gw = Gateway(data, opts)
    token = first_token(data)

    st, hd, vk = get(gw.base + "/log/vkey")
    ok(st == 200 and hd["Content-Type"].startswith("text/plain"), "vkey: %s" % st)
    vkey = parse_vkey(vk.decode())
    ok(vkey[0] == "test.example/prova", "the origin is --log-origin")

    # ---- records, then the checkpoint and the whole tree --------------------------------------------------------
    N = 300  # a full level-0 tile and a partial one
    acked = {}
    for i in range(N):
        st, body = post(gw.base, "/v1/odin/envelope", envelope("t-%d" % (i % 7), {"i": i}), token)
        if ok(st == 200 and "log_index" in body, "post %d: %s" % (i, st)):
            acked[body["log_index"]] = statement(body)
    ok(sorted(acked) == list(range(N)), "log indexes 0..N-1")
    note, took = wait_size(gw, N)
    ok(note is not None, "a checkpoint of size %d within 2 s (%.2f s)" % (N, took))
    st, hd, _ = get(gw.base + "/log/checkpoint")
    ok(hd["Content-Type"] == "text/plain; charset=utf-8" and hd["Cache-Control"] == "no-cache",
       "checkpoint headers %s / %s" % (hd["Content-Type"], hd["Cache-Control"]))
    origin, size, root = verify_note(note, vkey)
    ok(size == N, "size")
    entries, leaves = fetch_log(gw, size, logdir)
    ok(mth(leaves) == root, "the root recomputed from the entries is the checkpoint's")
    for i, want in acked.items():
        ok(entries[i] == want, "entry %d is the JCS statement of its record" % i)
    ok(open(os.path.join(logdir, "checkpoint")).read() == note, "--log-dir checkpoint")

    # ---- proofs ---------------------------------------------------------------------------------------------------
    for i in range(size):
        st, hd, b = get(gw.base + "/log/proof/%d" % i)
        if not ok(st == 200, "proof %d: %s" % (i, st)):
            continue
        text = b.decode()
        head, _, cp = text.partition("\n\n")
        lines = head.split("\n")
        ok(lines[0] == "c2sp.org/tlog-proof@v1" and lines[1] == "index %d" % i, "proof %d header" % i)
        hashes = [base64.b64decode(x, validate=True) for x in lines[2:]]
        _, psize, proot = verify_note(cp, vkey)
        ok(verify_inclusion(i, psize, leaves[i], hashes, proot), "proof %d verifies" % i)
        ok(hashes == inclusion_path(i, leaves[:psize]), "proof %d is RFC 6962's PATH" % i)
    st, hd, _ = get(gw.base + "/log/proof/%d" % (size + 5))
    ok(st == 404 and hd.get("Retry-After"), "proof beyond the size: 404 with Retry-After (%s)" % st)
    for p in ("/log/proof/01", "/log/proof/-1", "/log/proof/x"):
        ok(get(gw.base + p)[0] == 400, p + " is 400")

    # ---- paths -----------------------------------------------------------------------------------------------------
    w = size % 256
    for p, want in (("tile/0/001.p/%d" % (w + 1), 404), ("tile/0/001.p/%d" % w, 200), ("tile/0/000.p/5", 200),
                    ("tile/0/002", 404), ("tile/1/000", 404), ("tile/1/000.p/1", 200), ("tile/1/000.p/2", 404),
                    ("tile/entries/001.p/%d" % (w + 1), 404), ("tile/entries/x001/000", 404),
                    ("tile/0/0", 400), ("tile/0/000.p/0", 400), ("tile/0/000.p/256", 400), ("tile/64/000", 400),
                    ("tile/00/000", 400), ("tile/0/x000/001", 400), ("tile/0/000/", 400), ("tile/entries", 400),
                    ("tile/0/000.p/05", 400)):
        st, hd, b = get(gw.base + "/log/" + p)
        ok(st == want, "/log/%s: %s, want %s" % (p, st, want))
    st, _, b = get(gw.base + "/log/tile/0/000.p/5")
    ok(b == b"".join(leaves[:5]), "a narrower partial tile is the first W hashes")
    st, _, m = get(gw.base + "/metrics")
    ok(b"prova_log_size %d" % size in m and b"prova_log_checkpoints_total" in m, "metrics")

    # ---- restart: the next checkpoint extends the previous one --------------------------------------------------
    ok(gw.stop() == 0, "SIGTERM")
    gw = Gateway(data, opts)
    st, _, b = get(gw.base + "/log/checkpoint")
    ok(st == 200 and b.decode() == note, "after a restart the same checkpoint is published")
    for i in range(20):
        st, body = post(gw.base, "/v1/odin/envelope", envelope("r-%d" % i, {"r": i}), token)
        if ok(st == 200, "post after restart"):
            acked[body["log_index"]] = statement(body)
    note2, _ = wait_size(gw, size + 20)
    ok(note2 is not None, "a checkpoint after the restart")
    _, size2, root2 = verify_note(note2, vkey)
    entries2, leaves2 = fetch_log(gw, size2, logdir)
    ok(mth(leaves2) == root2, "the new root recomputed")
    ok(mth(leaves2[:size]) == root, "the old root recomputes from the new tiles")
    ok(verify_consistency(size, size2, root, root2, subproof(size, leaves2, True)), "consistency proof")

    # ---- kill -9 under load ------------------------------------------------------------------------------------
    _, size3, root3 = verify_note(get(gw.base + "/log/checkpoint")[2].decode(), vkey)
    stop = threading.Event()
    lock = threading.Lock()
    load_acked = {}

    def loader(k):
        i = 0
        while not stop.is_set():
            try:
                st, body = post(gw.base, "/v1/odin/envelope", envelope("k-%d" % k, {"k": k, "i": i}), token)
            except OSError:
                return
            if st == 200:
                with lock:
                    load_acked[body["log_index"]] = statement(body)
            i += 1

    threads = [threading.Thread(target=loader, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    last_seen = get(gw.base + "/log/checkpoint")[2].decode()
    time.sleep(0.3)
    gw.p.send_signal(signal.SIGKILL)
    gw.p.wait()
    stop.set()
    for t in threads:
        t.join()
    ok(len(load_acked) > 0, "writes were acknowledged under load (%d)" % len(load_acked))
    gw = Gateway(data, opts)
    want = max(load_acked) + 1
    note4, took = wait_size(gw, want, 5.0)
    ok(note4 is not None, "after kill -9 the log integrates every acknowledged record (%.2f s)" % took)
    _, size4, root4 = verify_note(note4, vkey)
    entries4, leaves4 = fetch_log(gw, size4)
    ok(mth(leaves4) == root4, "root after kill -9")
    for i, st in list(acked.items()) + list(load_acked.items()):
        ok(entries4[i] == st, "acknowledged record at log_index %d is in the log" % i)
    _, size_ls, root_ls = verify_note(last_seen, vkey)
    for s_old, r_old in ((size3, root3), (size_ls, root_ls), (size2, root2)):
        ok(mth(leaves4[:s_old]) == r_old, "the checkpoint of size %d is a prefix of the new tree" % s_old)
        if 0 < s_old <= size4:
            ok(verify_consistency(s_old, size4, r_old, root4, subproof(s_old, leaves4, True)),
               "consistency %d -> %d" % (s_old, size4))
    ok(gw.stop() == 0, "SIGTERM at the end")

    witnesses(data, vkey, vk.decode().strip(), token)

    # ---- a key of another origin is refused -------------------------------------------------------------------
    r = subprocess.run([PROVA, "serve", "--listen", "127.0.0.1:1", "--data", data, "--log-origin", "other/log",
                        "--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    ok(r.returncode == 2 and b"never changes" in r.stderr, "another --log-origin: %d %s" % (r.returncode, r.stderr))


def parse_cosigner_vkey(text):
    name, kid, key = text.strip().split("+", 2)
    raw = base64.b64decode(key, validate=True)
    assert raw[0] == 4 and len(raw) == 33
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == kid, "cosigner key id"
    return name, bytes.fromhex(kid), Ed25519PublicKey.from_public_bytes(raw[1:])


def cosigned_by(note, wkey):
    """True when note carries a valid cosignature/v1 of wkey (c2sp.org/tlog-cosignature)."""
    name, kid, pub = wkey
    text, _, sigs = note.partition("\n\n")
    text += "\n"
    for line in sigs[:-1].split("\n"):
        sname, sig = line[2:].split(" ")
        blob = base64.b64decode(sig)
        if sname != name or blob[:4] != kid or len(blob) != 4 + 8 + 64:
            continue
        ts = int.from_bytes(blob[4:12], "big")
        try:
            pub.verify(blob[12:], ("cosignature/v1\ntime %d\n" % ts).encode() + text.encode())
            return True
        except Exception:
            return False
    return False


def start_witness(i, logs, port):
    st = os.path.join(T, "wstate%d" % i)
    p = subprocess.Popen([PROVA, "witness", "--key", os.path.join(T, "w%d.key" % i), "--logs", logs, "--state", st,
                          "--listen", "127.0.0.1:%d" % port, "--quiet"], stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(T, "witness%d.log" % i), "ab"))
    for _ in range(100):
        try:
            get("http://127.0.0.1:%d/health" % port)
            return p
        except OSError:
            time.sleep(0.1)
    raise SystemExit("witness %d did not start" % i)


def wait_cosigned(gw, want, wkeys, limit):
    t0 = time.time()
    while time.time() - t0 < limit:
        st, _, b = get(gw.base + "/log/checkpoint")
        note = b.decode()
        if st == 200 and int(note.split("\n")[1]) >= want and all(cosigned_by(note, k) for k in wkeys):
            return note
        time.sleep(0.1)
    return None


def witnesses(data, vkey, vkey_text, token):
    """--witness-policy: two prova witness processes, quorum "all": the published checkpoint carries both
    cosignatures; with one witness down nothing newer is published; when it is back the log catches up."""
    logs = os.path.join(T, "logs.txt")
    open(logs, "w").write(vkey_text + "\n")
    wkeys, wvkeys, ports, procs = [], [], [], []
    for i in (1, 2):
        out = subprocess.run([PROVA, "witness", "keygen", "--name", "w%d.test" % i, "--out",
                              os.path.join(T, "w%d.key" % i)], check=True, stdout=subprocess.PIPE).stdout.decode()
        wvkeys.append(out.strip().split("\n")[-1])
        wkeys.append(parse_cosigner_vkey(wvkeys[-1]))
        ports.append(free_port())
        procs.append(start_witness(i, logs, ports[-1]))
    policy = os.path.join(T, "policy.txt")
    with open(policy, "w") as f:
        f.write("log %s\n" % vkey_text)
        for i, vk in enumerate(wvkeys):
            f.write("witness w%d %s http://127.0.0.1:%d\n" % (i + 1, vk, ports[i]))
        f.write("group both all w1 w2\nquorum both\n")
    gw = Gateway(data, ["--log-interval", "200", "--witness-policy", policy])
    try:
        st, _, b = get(gw.base + "/log/checkpoint")
        note = wait_cosigned(gw, 1, wkeys, 5.0)
        ok(note is not None, "the restored checkpoint is published once both witnesses cosigned")
        _, size0, _ = verify_note(note or "x\n0\n\n", vkey) if note else (None, 0, None)
        for i in range(5):
            st, body = post(gw.base, "/v1/odin/envelope", envelope("w-%d" % i, {"w": i}), token)
            ok(st == 200, "post with witnesses")
        note = wait_cosigned(gw, size0 + 5, wkeys, 5.0)
        ok(note is not None, "a new checkpoint is cosigned by both and published")
        if os.environ.get("LOGTILES_DEBUG"):
            print(note)
        if note:
            _, size1, _ = verify_note(note, vkey)
            procs[1].kill()
            procs[1].wait()
            for i in range(3):
                post(gw.base, "/v1/odin/envelope", envelope("v-%d" % i, {"v": i}), token)
            time.sleep(1.5)
            _, size2, _ = verify_note(get(gw.base + "/log/checkpoint")[2].decode(), vkey)
            ok(size2 == size1, "with a witness down the quorum is not met: nothing newer is published (%d, %d)"
               % (size2, size1))
            ok(get(gw.base + "/log/proof/%d" % size1)[0] == 404, "no proof against an unpublished checkpoint")
            procs[1] = start_witness(2, logs, ports[1])
            ok(wait_cosigned(gw, size1 + 3, wkeys, 6.0) is not None, "the witness is back: the log catches up")
        ok(gw.stop() == 0, "SIGTERM with witnesses")
    finally:
        if gw.p.poll() is None:
            gw.p.kill()
        for p in procs:
            p.kill()
            p.wait()


try:
    main()
finally:
    shutil.rmtree(T, ignore_errors=True)
sys.exit(gwtest.summary())
