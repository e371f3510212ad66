#!/usr/bin/env python3
"""prova witness over real HTTP on loopback, against a log built here independently of prova.

The log: an RFC 6962 Merkle tree (hashlib), checkpoints as C2SP signed notes signed with an Ed25519 key
(python3-cryptography), consistency proofs (RFC 6962 §2.1.2 SUBPROOF). Two `prova witness` processes are
started and every status of c2sp.org/tlog-witness's add-checkpoint is checked, the cosignatures verified here
(cosignature/v1), the state checked after kill -9 and a restart, the monitoring checkpoint fetched, concurrent
submissions checked to cosign one size only, and the C client (witness_driver: witness_submit, the 409 resync,
the tlog-policy quorum) run against the same witnesses; last, the trace context the client sends (traceparent,
tracestate) as a listener that records headers sees it.

usage: test_witness.py PROVA WITNESS_DRIVER
"""
import base64
import concurrent.futures
import hashlib
import http.client as httpclient  # (http is this file's helper)
import http.server as http_server
import os
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives import serialization

PROVA, DRIVER = sys.argv[1], sys.argv[2]
DASH = "\u2014"
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print(f"FAIL: {what}", file=sys.stderr)


# ---- RFC 6962 ----------------------------------------------------------------------------------------------------

def leaf_hash(d):
    return hashlib.sha256(b"\x00" + d).digest()


def node_hash(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def subproof(m, leaves, b):
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = split(n)
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def consistency(m, leaves):
    """PROOF(m, D[n]) of RFC 6962 §2.1.2."""
    return [] if m == 0 or m == len(leaves) else subproof(m, leaves, True)


# ---- Signed notes ------------------------------------------------------------------------------------------------

def key_id(name, typ, pub):
    return hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pub).digest()[:4]


def raw_pub(k):
    return k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class LogKey:
    def __init__(self, name):
        self.name, self.key = name, Ed25519PrivateKey.generate()
        self.pub = raw_pub(self.key)
        self.id = key_id(name, 1, self.pub)

    def vkey(self):
        return f"{self.name}+{self.id.hex()}+{base64.b64encode(bytes([1]) + self.pub).decode()}"

    def sig_line(self, text):
        return f"{DASH} {self.name} {base64.b64encode(self.id + self.key.sign(text)).decode()}\n"


def body_text(origin, size, root):
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n".encode()


def checkpoint(log, leaves, origin=None, signers=None):
    text = body_text(origin or log.name, len(leaves), mth(leaves))
    lines = "".join(k.sig_line(text) for k in (signers or [log]))
    return text + b"\n" + lines.encode(), text


def add_body(old, proof, note):
    return f"old {old}\n".encode() + b"".join(base64.b64encode(h) + b"\n" for h in proof) + b"\n" + note


def parse_vkey(v):
    name, kid, b = v.strip().split("+", 2)
    raw = base64.b64decode(b)
    return name, bytes.fromhex(kid), raw[0], raw[1:]


def verify_cosig(line, wvkey, text):
    """A cosignature/v1 line of witness wvkey over the note text: (ok, timestamp)."""
    name, kid, typ, pub = parse_vkey(wvkey)
    if typ != 4 or key_id(name, 4, pub) != kid:
        return False, 0
    if not line.startswith(f"{DASH} {name} "):
        return False, 0
    sig = base64.b64decode(line.split(" ")[2])
    if len(sig) != 4 + 8 + 64 or sig[:4] != kid:
        return False, 0
    ts = struct.unpack(">Q", sig[4:12])[0]
    msg = b"cosignature/v1\ntime " + str(ts).encode() + b"\n" + text
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig[12:], msg)
        return True, ts
    except Exception:
        return False, ts


# ---- HTTP and processes ----------------------------------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(method, url, body=None, ctype="text/plain; charset=utf-8"):
    # a checkpoint is text (urllib would otherwise label a body application/x-www-form-urlencoded: 415)
    headers = {"Content-Type": ctype} if body is not None and ctype else {}
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


class Witness:
    def __init__(self, tmp, name, logs_path):
        self.dir = os.path.join(tmp, name.replace("/", "_"))
        os.makedirs(self.dir)
        self.key = os.path.join(self.dir, "witness.key")
        out = subprocess.run([PROVA, "witness", "keygen", "--name", name, "--out", self.key],
                             capture_output=True, text=True, check=True)
        self.vkey = out.stdout.strip()
        self.logs, self.state, self.port, self.proc = logs_path, os.path.join(self.dir, "state"), free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen([PROVA, "witness", "--key", self.key, "--logs", self.logs, "--state",
                                      self.state, "--listen", f"127.0.0.1:{self.port}", "--quiet"])
        for _ in range(200):
            try:
                if http("GET", self.url + "/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the witness did not start")

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def add(self, body):
        return http("POST", self.url + "/add-checkpoint", body)


def main():
    tmp = tempfile.mkdtemp(prefix="prova-witness-")
    log = LogKey("example.com/prova-test-log")
    log2 = LogKey("example.com/second-log")
    other = LogKey("example.com/unknown-log")
    impostor = LogKey("example.com/prova-test-log")  # the same name, another key: unknown to the witnesses
    # The logs file in both forms the witness reads: a bare vkey, and tlog-policy lines (its witness lines ignored).
    logs_path = os.path.join(tmp, "logs")
    with open(logs_path, "w") as f:
        f.write(f"# the logs this witness cosigns\n{log.vkey()}\n"
                f"log {log2.vkey()} https://log2.example/\n"
                "quorum none\n")
    w1 = Witness(tmp, "witness.example/w1", logs_path)
    w2 = Witness(tmp, "witness.example/w2", logs_path)
    check(stat.S_IMODE(os.stat(w1.key).st_mode) == 0o600, "keygen writes the key 0600")
    check(open(w1.key).read().startswith("PRIVATE+KEY+witness.example/w1+"), "keygen writes PRIVATE+KEY+name+...")
    check(parse_vkey(w1.vkey)[2] == 4, "the witness vkey is type 0x04")
    r = subprocess.run([PROVA, "witness", "keygen", "--name", "x", "--out", w1.key], capture_output=True)
    check(r.returncode == 2, "keygen refuses to overwrite without --force")
    ws = [w1, w2]
    try:
        for w in ws:
            w.start()
        st, ct, b = http("GET", w1.url + "/health")
        check(st == 200 and b'"witness"' in b, f"/health names the witness: {b!r}")

        leaves = [f"entry {i}".encode() for i in range(40)]
        origin_hash = hashlib.sha256(log.name.encode()).hexdigest()

        # Monitoring before anything was cosigned: 404.
        check(http("GET", f"{w1.url}/{origin_hash}/checkpoint")[0] == 404, "no checkpoint yet: 404")

        # 1. The first checkpoint, old 0: 200 and a cosignature that verifies here.
        note5, text5 = checkpoint(log, leaves[:5])
        for w in ws:
            st, ct, b = w.add(add_body(0, [], note5))
            check(st == 200, f"first checkpoint: {st} {b!r}")
            lines = b.decode().splitlines(keepends=True)
            check(len(lines) == 1, "one cosignature line")
            ok, ts = verify_cosig(lines[0], w.vkey, text5) if lines else (False, 0)
            check(ok, f"the cosignature verifies (cosignature/v1): {b!r}")
            check(abs(ts - time.time()) < 300 and ts != 0, f"the timestamp is now: {ts}")

        # 2. Growth with a valid consistency proof: 200.
        note8, text8 = checkpoint(log, leaves[:8])
        for w in ws:
            st, ct, b = w.add(add_body(5, consistency(5, leaves[:8]), note8))
            check(st == 200 and verify_cosig(b.decode(), w.vkey, text8)[0], f"5 -> 8: {st} {b!r}")
        # The same checkpoint again (old == size, same root): 200.
        st, ct, b = w1.add(add_body(8, [], note8))
        check(st == 200, f"8 -> 8, same root: {st} {b!r}")

        # 3. A stale old size: 409, text/x.tlog.size, the size cosigned.
        note13, text13 = checkpoint(log, leaves[:13])
        st, ct, b = w1.add(add_body(5, consistency(5, leaves[:13]), note13))
        check(st == 409 and ct.startswith("text/x.tlog.size") and b == b"8\n", f"stale: {st} {ct} {b!r}")
        st, ct, b = w1.add(add_body(0, [], note13))
        check(st == 409 and b == b"8\n", f"old 0 after 8: {st} {b!r}")

        # 4. A fork: the same size, another root, validly signed by the log key: 422 from both witnesses.
        forked = leaves[:7] + [b"rewritten entry 7"]
        fnote8, _ = checkpoint(log, forked)
        for w in ws:
            st, ct, b = w.add(add_body(8, [], fnote8))
            check(st == 422 and b.startswith(b"witness_root_mismatch"), f"fork at the same size: {st} {b!r}")
        # A fork at a larger size, with that tree's own (valid for it) consistency proof: 422.
        forked13 = forked + leaves[8:13]
        fnote13, _ = checkpoint(log, forked13)
        for w in ws:
            st, ct, b = w.add(add_body(8, consistency(8, forked13), fnote13))
            check(st == 422 and b.startswith(b"witness_consistency_invalid"), f"fork 8 -> 13: {st} {b!r}")
        # A consistency proof with one bit flipped: 422.
        proof = consistency(8, leaves[:13])
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:]] + proof[1:]
        st, ct, b = w1.add(add_body(8, bad, note13))
        check(st == 422, f"modified proof: {st} {b!r}")
        # A consistency proof from the wrong size: 422 (or 409 would hide it: old is right, the proof is not).
        st, ct, b = w1.add(add_body(8, consistency(7, leaves[:13]), note13))
        check(st == 422, f"proof for another size: {st} {b!r}")

        # 5. A bad log signature (a known key's signature fails): 403. Only unknown signers: 403.
        sig = base64.b64decode(note13.split(b"\n\n")[1].split(b" ")[2])
        broken = sig[:10] + bytes([sig[10] ^ 1]) + sig[11:]
        bnote = text13 + b"\n" + f"{DASH} {log.name} {base64.b64encode(broken).decode()}\n".encode()
        st, ct, b = w1.add(add_body(8, consistency(8, leaves[:13]), bnote))
        check(st == 403 and b.startswith(b"note_signature_invalid"), f"bad log signature: {st} {b!r}")
        inote, _ = checkpoint(log, leaves[:13], signers=[impostor])
        st, ct, b = w1.add(add_body(8, consistency(8, leaves[:13]), inote))
        check(st == 403 and b.startswith(b"note_no_trusted_signature"), f"unknown signer only: {st} {b!r}")

        # 6. An unknown origin: 404.
        unote, _ = checkpoint(other, leaves[:3])
        st, ct, b = w1.add(add_body(0, [], unote))
        check(st == 404 and b.startswith(b"witness_unknown_origin"), f"unknown origin: {st} {b!r}")

        # 7. old > size: 400. Malformed bodies: 400.
        st, ct, b = w1.add(add_body(9, [], note8))
        check(st == 400 and b.startswith(b"witness_old_size_too_large"), f"old > size: {st} {b!r}")
        for body, want in [(b"old 08\n\n" + note8, b"witness_old_size_invalid"),
                           (b"old 8\n" + note8, b"witness_proof_hash_invalid"),
                           (b"old 8\nAAAA\n\n" + note8, b"witness_proof_hash_invalid"),
                           (b"old 8\n\n" + text8, b"note_")]:
            st, ct, b = w1.add(body)
            check(st == 400 and b.startswith(want), f"malformed {body[:12]!r}: {st} {b!r}")
        st, ct, b = w1.add(add_body(8, [b"\0" * 32] * 64, note13))
        check(st == 400 and b.startswith(b"witness_proof_too_long"), f"64 proof lines: {st} {b!r}")
        st, ct, b = w1.add(b"old 0\n\n" + b"x" * (65 << 10))
        check(st == 413, f"a body over 64 KiB: {st}")
        check(http("GET", w1.url + "/add-checkpoint")[0] == 405, "GET add-checkpoint: 405")
        # the request's Content-Type: text/plain or none (tlog-witness names none); anything else is 415
        st, ct, b = http("POST", w1.url + "/add-checkpoint", add_body(9, [], note8), "application/x-www-form-urlencoded")
        check(st == 415 and b"unsupported_media_type" in b, f"form-encoded add-checkpoint: {st} {b[:120]!r}")
        u = urllib.parse.urlsplit(w1.url)
        conn = httpclient.HTTPConnection(u.hostname, u.port, timeout=10)  # urllib would add a form type
        conn.request("POST", "/add-checkpoint", add_body(9, [], note8))
        r = conn.getresponse()
        st, b = r.status, r.read()
        conn.close()
        check(st == 400 and b.startswith(b"witness_old_size_too_large"), f"untyped add-checkpoint is read: {st} {b!r}")
        check(http("GET", w1.url + "/v1/verify")[0] == 404, "the gateway's routes are not served")

        # 8. The second log: size 0 needs the empty tree's root; old 0 needs an empty proof.
        text0 = body_text(log2.name, 0, b"\x11" * 32)
        st, ct, b = w1.add(add_body(0, [], text0 + b"\n" + log2.sig_line(text0).encode()))
        check(st == 422 and b.startswith(b"witness_empty_tree_root"), f"size 0, other root: {st} {b!r}")
        n0, _ = checkpoint(log2, [])
        st, ct, b = w1.add(add_body(0, [], n0))
        check(st == 200, f"size 0, empty root: {st} {b!r}")
        n3, _ = checkpoint(log2, leaves[:3])
        st, ct, b = w1.add(add_body(0, [leaf_hash(leaves[0])], n3))
        check(st == 422 and b.startswith(b"witness_proof_not_empty"), f"old 0 with a proof: {st} {b!r}")

        # 9. The monitoring API: the latest cosigned checkpoint with the log's and the witness's signatures.
        st, ct, b = http("GET", f"{w1.url}/{origin_hash}/checkpoint")
        check(st == 200 and b.startswith(text8 + b"\n"), f"monitoring: {st} {b!r}")
        sigs = b.decode().split("\n\n", 1)[1].splitlines(keepends=True) if st == 200 else []
        check(len(sigs) == 2 and sigs[0] == log.sig_line(text8), f"the log's signature is kept: {sigs}")
        check(len(sigs) == 2 and verify_cosig(sigs[1], w1.vkey, text8)[0], "the witness's cosignature is there")
        check(http("GET", f"{w1.url}/{'0' * 64}/checkpoint")[0] == 404, "monitoring an unknown log: 404")

        # 10. kill -9 and restart: the state survived; 409 still says 8.
        w1.kill9()
        w1.start()
        st, ct, b = w1.add(add_body(0, [], note13))
        check(st == 409 and b == b"8\n", f"after kill -9: {st} {b!r}")
        check(http("GET", f"{w1.url}/{origin_hash}/checkpoint")[2].startswith(text8), "monitoring after restart")
        st, ct, b = w1.add(add_body(8, consistency(8, leaves[:13]), note13))
        check(st == 200, f"8 -> 13 after restart: {st} {b!r}")
        # A second witness on the same state directory is refused.
        r = subprocess.run([PROVA, "witness", "--key", w1.key, "--logs", logs_path, "--state", w1.state,
                            "--listen", f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=20)
        check(r.returncode == 2 and "another witness" in r.stderr, f"one process per state dir: {r.stderr}")

        # 11. Race: concurrent requests from the same old size; exactly one is cosigned, the others get 409 with it.
        bodies = [add_body(13, consistency(13, leaves[:n]), checkpoint(log, leaves[:n])[0]) for n in range(14, 30)]
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            res = list(ex.map(w1.add, bodies))
        won = [i for i, (s, _, _) in enumerate(res) if s == 200]
        check(len(won) == 1, f"one of 16 concurrent submissions wins: {[s for s, _, _ in res]}")
        if len(won) == 1:
            size = 14 + won[0]
            check(all(s == 409 and b == f"{size}\n".encode() for s, _, b in res if s != 200),
                  "the others get 409 with the winner's size")
            check(w1.add(add_body(0, [], note13)) [2] == f"{size}\n".encode(), "the stored size is the winner's")

        # 12. The C client (witness_submit): 409 -> resend from the witness's size -> cosignatures; quorum.
        cur = int(w1.add(add_body(0, [], note13))[2])
        n30 = os.path.join(tmp, "note30")
        note30, text30 = checkpoint(log, leaves[:30])
        open(n30, "wb").write(note30)
        r = subprocess.run([DRIVER, "submit", w1.url, "3", n30], capture_output=True, text=True)
        check(r.returncode == 1 and r.stdout == f"conflict {cur}\n", f"client 409: {r.returncode} {r.stdout} {r.stderr}")
        replies = []
        for w, old in [(w1, cur), (w2, 8)]:
            p = [base64.b64encode(h).decode() for h in consistency(old, leaves[:30])]
            r = subprocess.run([DRIVER, "submit", w.url, str(old), n30] + p, capture_output=True, text=True)
            check(r.returncode == 0 and verify_cosig(r.stdout, w.vkey, text30)[0],
                  f"client submit: {r.returncode} {r.stdout} {r.stderr}")
            path = os.path.join(tmp, f"reply{len(replies)}")
            open(path, "w").write(r.stdout)
            replies.append(path)
        r = subprocess.run([DRIVER, "submit", w1.url, "30", os.path.join(tmp, "note30")] + ["AAAA"] * 0,
                           capture_output=True, text=True)
        check(r.returncode == 0, f"client resubmits the same size: {r.stderr}")
        fnote = os.path.join(tmp, "fnote")
        open(fnote, "wb").write(checkpoint(log, forked13 + leaves[13:30])[0])
        r = subprocess.run([DRIVER, "submit", w2.url, "30", fnote], capture_output=True, text=True)
        check(r.returncode == 2 and "422" in r.stderr, f"client sees the refusal: {r.stderr}")
        r = subprocess.run([DRIVER, "submit", f"http://127.0.0.1:{free_port()}", "0", n30], capture_output=True,
                           text=True)
        check(r.returncode == 2, "client: nobody listening")
        policy = os.path.join(tmp, "policy")
        open(policy, "w").write(f"log {log.vkey()}\nwitness w1 {w1.vkey}\nwitness w2 {w2.vkey}\n"
                                "group both all w1 w2\nquorum both\n")
        r = subprocess.run([DRIVER, "quorum", policy, n30] + replies, capture_output=True)
        out = r.stdout
        check(r.returncode == 0 and out.startswith(note30) and out.count(DASH.encode()) == 3,
              f"quorum met with both: {r.returncode} {r.stderr!r}")
        r = subprocess.run([DRIVER, "quorum", policy, n30, replies[0]], capture_output=True, text=True)
        check(r.returncode == 1 and "policy_quorum_not_met" in r.stderr, f"quorum not met with one: {r.stderr}")
        junk = os.path.join(tmp, "junk")
        open(junk, "w").write(open(replies[1]).read().replace("A", "B", 1) if "A" in open(replies[1]).read()
                              else open(replies[1]).read()[:-5] + "AAAA\n")
        r = subprocess.run([DRIVER, "quorum", policy, n30, replies[0], junk], capture_output=True, text=True)
        check(r.returncode == 1, f"a bad cosignature is dropped, not counted: {r.returncode} {r.stderr}")

        # 9. Trace context (W3C): the client sends the caller's traceparent and tracestate, and nothing without a
        # valid one. What a request carries is seen by a listener that records the headers and answers 409.
        seen = []

        class Recorder(http_server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(409)
                self.send_header("Content-Type", "text/x.tlog.size")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"7\n")

            def log_message(self, *args):
                pass

        rec = http_server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=rec.serve_forever, daemon=True).start()
        rec_url = f"http://127.0.0.1:{rec.server_address[1]}"
        tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        env = dict(os.environ, TRACEPARENT=tp, TRACESTATE="rojo=00f067aa0ba902b7", WITNESS_DRIVER_STATUS="1")
        try:
            r = subprocess.run([DRIVER, "submit", rec_url, "0", n30], capture_output=True, text=True, env=env)
            check(r.returncode == 1 and "conflict 7" in r.stdout, f"409 from the recorder: {r.stdout} {r.stderr}")
            check("status 409" in r.stderr, f"the client reports the answer's status: {r.stderr}")
            h = seen[-1] if seen else {}
            check(h.get("traceparent") == tp, f"traceparent sent: {h}")
            check(h.get("tracestate") == "rojo=00f067aa0ba902b7", f"tracestate sent: {h}")
            for bad in [None, "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                        "00-00000000000000000000000000000000-00f067aa0ba902b7-01"]:
                env = {k: v for k, v in os.environ.items() if k not in ("TRACEPARENT", "TRACESTATE")}
                if bad:
                    env["TRACEPARENT"] = bad
                n = len(seen)
                subprocess.run([DRIVER, "submit", rec_url, "0", n30], capture_output=True, env=env)
                h = seen[-1] if len(seen) > n else {"traceparent": "(no request)"}
                check("traceparent" not in h and "tracestate" not in h, f"no trace context sent for {bad}: {h}")
        finally:
            rec.shutdown()
    finally:
        for w in ws:
            w.stop()
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
