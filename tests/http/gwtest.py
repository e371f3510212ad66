"""What the gateway's Python tests (tests/http/*.py) share: the pass/fail counts, a free loopback port, a sender
key, `prova serve` started and waited for, JSON requests and signed envelopes. Each test imports it with
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))), since meson runs them as `python3 tests/http/X.py`
(and sys.dont_write_bytecode = True first, so that no __pycache__ is left in the source tree)."""
import base64
import datetime
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PASS = FAIL = 0


def ok(cond, what):
    """Counts one check; a failed one is printed with what it checked."""
    global PASS, FAIL
    if cond:
        PASS += 1
    else:
        FAIL += 1
        print("FAIL:", what, file=sys.stderr)
    return cond


def failed():
    return FAIL


def summary():
    """Prints "N passed, M failed" and returns the exit status: 1 on any failure."""
    print("%d passed, %d failed" % (PASS, FAIL))
    return 1 if FAIL else 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def b64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def make_sender(prova, tmp):
    """A sender key made by `prova keygen` in tmp/sender.key, its public key in tmp/senders.jwks (for
    --trusted-senders): (kid, Ed25519PrivateKey)."""
    key = os.path.join(tmp, "sender.key")
    subprocess.run([prova, "keygen", "--out", key], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(tmp, "senders.jwks"), "wb") as f:
        f.write(subprocess.run([prova, "jwks", key], check=True, stdout=subprocess.PIPE).stdout)
    with open(key) as f:
        jwk = json.load(f)
    return jwk["kid"], Ed25519PrivateKey.from_private_bytes(b64u(jwk["d"]))


def first_token(data):
    """The token `prova serve` wrote to its data directory on the first start."""
    with open(os.path.join(data, "tokens.json")) as f:
        return json.load(f)["tokens"][0]["token"]


def request(method, url, body=None, token=None, timeout=30, ctype="application/json", headers=None):
    """One HTTP request: (status, headers, body), an HTTP error status included; Content-Type is ctype unless
    None, Authorization the bearer token if given. Connection failures raise OSError."""
    h = dict(headers or {})
    if ctype is not None:
        h["Content-Type"] = ctype
    if token:
        h["Authorization"] = "Bearer " + token
    r = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(r, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def jcs(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def envelope(sender, trace_id, payload):
    """An OPE envelope of payload on trace_id, signed now by sender (kid, Ed25519PrivateKey)."""
    cid = "sha256:" + hashlib.sha256(jcs(payload)).hexdigest()
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sig = sender[1].sign(("%s|%s|%s" % (cid, trace_id, ts)).encode())
    return jcs({"trace_id": trace_id, "ts": ts, "sender": {"kid": sender[0]}, "payload": payload,
                "payload_type": "a.v1", "target_type": "a.v1", "cid": cid,
                "signature": base64.urlsafe_b64encode(sig).rstrip(b"=").decode()})


class Gateway:
    """`prova serve --listen 127.0.0.1:<a free port> --data data ARGS`, its output appended to log_path, waited
    for until /health answers (tries times, interval apart, each request with timeout) or it exits. self.up says
    whether it answered; what to do when not is the caller's."""

    def __init__(self, prova, data, log_path, args, env=None, tries=100, interval=0.1, timeout=30):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.log = open(log_path, "ab")
        self.p = subprocess.Popen([prova, "serve", "--listen", "127.0.0.1:%d" % self.port, "--data", data] + args,
                                  stdout=self.log, stderr=self.log, env=env)
        self.up = False
        for _ in range(tries):
            try:
                request("GET", self.base + "/health", timeout=timeout, ctype=None)
                self.up = True
                return
            except OSError:
                if self.p.poll() is not None:
                    return
                time.sleep(interval)

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends sig, waits for the exit and returns its status."""
        self.p.send_signal(sig)
        rc = self.p.wait(timeout)
        self.log.close()
        return rc


def gateway_keys(base, tmp):
    """The gateway's log key (the text of /log/vkey) and its receipt keys (/.well-known/jwks.json, also written to
    tmp/gw.jwks for `prova verify --jwks`): (vkey, jwks bytes)."""
    _, _, vkey = request("GET", base + "/log/vkey")
    _, _, jwks = request("GET", base + "/.well-known/jwks.json")
    with open(os.path.join(tmp, "gw.jwks"), "wb") as f:
        f.write(jwks)
    return vkey.decode().strip(), jwks
