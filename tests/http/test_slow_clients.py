#!/usr/bin/env python3
"""Slow clients against `prova serve` (docs/operations.md "Slow clients and connection limits"): a request head
that trickles in is closed at the head deadline, a body dripped below the minimum rate is cut, a connection beyond
the per-IP limit is refused, and with 1,500 slowloris connections open (from 39 loopback addresses, each under the
per-IP limit, more than --max-connections in all) /health and an authenticated write still answer within a second;
afterwards the gateway serves as before and /metrics counts what was closed. Usage: test_slow_clients.py PROVA

The new settings are given as PROVA_* environment variables, which a gateway without them ignores: run against one,
this test fails on what it measures (/health blocks), not on an unknown option."""
import os
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, envelope, first_token, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-slow-")
HEADER_TIMEOUT = 3
ATTACK = 1500
ATTACK_ADDRS = ["127.0.0.%d" % i for i in range(2, 41)]  # 39 addresses, about 39 connections each
PER_IP = 64


def req(method, url, body=None, token=None, timeout=10.0):
    st, _, b = request(method, url, body, token, timeout)
    return st, b


def timed(method, url, body=None, token=None):
    """(status or the exception's name, seconds) of one request with a 5 s client timeout."""
    t0 = time.monotonic()
    try:
        st, _ = req(method, url, body, token, timeout=5.0)
    except (OSError, urllib.error.URLError) as e:
        st = type(e).__name__
    return st, time.monotonic() - t0


def connect_from(src, port):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_within(s, seconds, drip, interval):
    """Sends drip's bytes one at a time every interval until the server closes s: the seconds that took, or None
    when s is still open after seconds."""
    t0 = time.monotonic()
    s.settimeout(interval)
    i = 0
    while time.monotonic() - t0 < seconds:
        try:
            s.send(drip[i % len(drip):i % len(drip) + 1])
            i += 1
            if s.recv(4096) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - t0
    return None


class Attack(threading.Thread):
    """Keeps ATTACK connections open, each sending one byte of a request head every ~1 s; one the server closes is
    opened again (from the same address)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.closed, self.open = port, False, 0, 0
        self.sel = selectors.DefaultSelector()
        self.head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 30000

    def add(self, src):
        s = socket.socket()
        s.setblocking(False)
        s.bind((src, 0))
        try:
            s.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            return
        self.sel.register(s, selectors.EVENT_READ, [src, 0, time.monotonic() + 1.0])
        self.open += 1

    def drop(self, key):
        self.sel.unregister(key.fileobj)
        key.fileobj.close()
        self.open -= 1
        self.closed += 1

    def run(self):
        for i in range(ATTACK):
            self.add(ATTACK_ADDRS[i % len(ATTACK_ADDRS)])
        while not self.stop:
            for key, _ in self.sel.select(timeout=0.05):
                try:
                    gone = key.fileobj.recv(4096) == b""
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:
                    src = key.data[0]
                    self.drop(key)
                    self.add(src)
            now = time.monotonic()
            for key in list(self.sel.get_map().values()):
                d = key.data
                if d[2] > now:
                    continue
                try:
                    key.fileobj.send(self.head[d[1]:d[1] + 1])
                    d[1] += 1
                    d[2] = now + 1.0
                except BlockingIOError:
                    pass
                except OSError:
                    src = d[0]
                    self.drop(key)
                    self.add(src)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


def metric(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < ATTACK + PER_IP + 200:
        print("SKIP: RLIMIT_NOFILE hard limit %d is too low" % hard)
        return 77
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sender = make_sender(PROVA, T)
    data = os.path.join(T, "data")
    env = dict(os.environ, PROVA_HEADER_TIMEOUT=str(HEADER_TIMEOUT), PROVA_MIN_BODY_RATE="1024",
               PROVA_MAX_CONNECTIONS_PER_IP=str(PER_IP), PROVA_MAX_CONNECTIONS="1000")
    gw = Gateway(PROVA, data, os.path.join(T, "server.log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"], env=env, timeout=10.0)
    port, base, p = gw.port, gw.base, gw.p
    attack = None
    try:
        token = first_token(data)
        st, _ = req("POST", base + "/v1/odin/envelope", envelope(sender, "slow-0", {"i": 0}), token)
        ok(st == 200, "a write before the attack (%s)" % st)

        # ---- the head deadline: a head sent one byte every 0.5 s is closed at HEADER_TIMEOUT ------------------
        c = connect_from("127.0.0.1", port)
        t = closed_within(c, HEADER_TIMEOUT + 5, b"GET /health HTTP/1.1\r\nX-Slow: " + b"a" * 1000, 0.5)
        c.close()
        ok(t is not None and HEADER_TIMEOUT - 0.5 <= t <= HEADER_TIMEOUT + 1.5,
           "a trickled head is closed at the %d s head deadline (after %s s)" % (HEADER_TIMEOUT, t))

        # ---- the body rate: 20 bytes every 0.5 s of a 50,000-byte body is cut ----------------------------------
        c = connect_from("127.0.0.1", port)
        c.sendall(("POST /v1/odin/envelope HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                   "Content-Type: application/json\r\nContent-Length: 50000\r\n\r\n" % token).encode())
        t = closed_within(c, HEADER_TIMEOUT + 8, b"[" + b"1," * 24999, 0.025)
        c.close()
        ok(t is not None and t <= HEADER_TIMEOUT + 3, "a body below the minimum rate is cut (after %s s)" % t)

        # ---- the per-IP limit: of 65 connections from one address, 64 stay and one is refused ------------------
        # (which one is not certain: the pool threads accept in parallel)
        held = [connect_from("127.0.0.41", port) for _ in range(PER_IP + 1)]
        for h in held:
            h.send(b"G")
        time.sleep(1.0)
        still = 0
        for h in held:
            h.settimeout(0.0)
            try:
                still += h.recv(1) != b""
            except BlockingIOError:
                still += 1
            except OSError:
                pass
            h.close()
        ok(still == PER_IP, "of %d connections from one address %d stay open (%d do)" % (PER_IP + 1, PER_IP, still))

        # ---- the attack: 1,500 slowloris connections; /health and a write still answer within 1 s -----------
        attack = Attack(port)
        attack.start()
        time.sleep(2.0)
        ok(attack.open >= ATTACK - 10, "the attack holds %d connections (%d)" % (ATTACK, attack.open))
        for round_ in range(4):
            st, dt = timed("GET", base + "/health")
            ok(st == 200 and dt < 1.0, "under attack (round %d): /health %s in %.3f s" % (round_, st, dt))
            print("under attack: /health %s in %.3f s (%d attack connections open)" % (st, dt, attack.open))
            st, dt = timed("POST", base + "/v1/odin/envelope", envelope(sender, "slow-1", {"i": round_}), token)
            ok(st == 200 and dt < 1.0, "under attack (round %d): a write %s in %.3f s" % (round_, st, dt))
            print("under attack: a write %s in %.3f s" % (st, dt))
            time.sleep(1.0)
        closed = attack.closed
        attack.stop = True
        attack.join()
        attack = None
        ok(closed > 0, "the gateway closed attack connections (%d)" % closed)

        # ---- afterwards: normal requests work; /metrics counts the closes --------------------------------------
        time.sleep(0.5)
        st, dt = timed("GET", base + "/health")
        ok(st == 200 and dt < 1.0, "after the attack: /health %s in %.3f s" % (st, dt))
        st, _ = req("POST", base + "/v1/odin/envelope", envelope(sender, "slow-2", {"i": 0}), token)
        ok(st == 200, "after the attack: a write (%s)" % st)
        st, m = req("GET", base + "/metrics")
        m = m.decode()
        ok(metric(m, 'prova_http_connections_closed_total{reason="header_timeout"}') >= 1,
           "metrics count head-deadline closes")
        ok(metric(m, 'prova_http_connections_closed_total{reason="body_rate"}') >= 1,
           "metrics count body-rate closes")
        ok(metric(m, 'prova_http_connections_closed_total{reason="shed"}') >= 1, "metrics count shed connections")
        ok(metric(m, 'prova_http_connections_refused_total') >= 1, "metrics count refused connections")
        ok("prova_http_connections_open " in m, "metrics show the open connections")
    finally:
        if attack:
            attack.stop = True
            attack.join()
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        gw.log.close()
        if gwtest.failed():
            with open(os.path.join(T, "server.log"), errors="replace") as f:
                tail = f.read()[-3000:]
            print("server log (tail):\n" + tail, file=sys.stderr)
        shutil.rmtree(T, ignore_errors=True)
    return gwtest.summary()


if __name__ == "__main__":
    sys.exit(main())
