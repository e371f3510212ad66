#!/usr/bin/env python3
"""Egress policy and forwarding (docs/egress.md, issue 18): the starter's policy member in the receipt (profiles,
allowlist, its reason strings), a block answered 403 forward_blocked with the receipt stored, forwarding to a real
HTTP target (Python's http.server on 127.0.0.2, explicitly allowed) and through a relay speaking the starter's
/v1/relay protocol, and the SSRF defences: 127.0.0.1, localhost, [::1], [::ffff:127.0.0.1], 169.254.169.254 and a
redirect from an allowed target to loopback all refused before any connection (a listener on 127.0.0.1 counts
that none arrives), redirects to hosts the policy refuses, too many redirects, a target that never answers, an
oversized response. The response's X-ODIN-Response-CID / X-ODIN-Signature are checked over the body with
`forwarded` in it. Usage: test_egress.py PROVA"""
import base64
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, b64u, envelope, first_token, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-egress-")

HITS = {}  # (server name, path) -> count
OTLP = []  # OTLP/JSON trace export bodies received
LAST = {}  # server name -> (method, path, headers, body) of the last request
LOCK = threading.Lock()


def free_port(host):
    s = socket.socket()
    s.bind((host, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def free_port6():
    s = socket.socket(socket.AF_INET6)
    s.bind(("::1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def make_handler(name, port_of):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def answer(self, status, body=b"", ctype="application/json", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the gateway gave up (the timeout cases)
                pass

        def handle_any(self, method):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with LOCK:
                HITS[(name, self.path)] = HITS.get((name, self.path), 0) + 1
                LAST[name] = (method, self.path, dict(self.headers), body)
            p = self.path
            if p == "/v1/traces":
                OTLP.append(body)
                self.answer(200, b"{}")
            elif p == "/echo":
                got = json.loads(body) if body else None
                self.answer(200, json.dumps({"method": method, "got": got,
                                             "trace": self.headers.get("X-ODIN-Trace-Id")}).encode())
            elif p == "/text":
                self.answer(200, b"plain \xff text", "text/plain")
            elif p == "/badjson":
                self.answer(201, b"{not json", "application/json")
            elif p == "/redirect-loopback":
                self.answer(307, headers=[("Location", "http://127.0.0.1:%d/echo" % port_of["loop"])])
            elif p == "/redirect-get":
                self.answer(302, headers=[("Location", "/echo")])
            elif p == "/redirect-post":
                self.answer(307, headers=[("Location", "/echo")])
            elif p == "/redirect-blocked":
                self.answer(302, headers=[("Location", "http://evil.example/x")])
            elif p == "/redirect-ftp":
                self.answer(302, headers=[("Location", "ftp://127.0.0.2/x")])
            elif p == "/redirect-userinfo":
                self.answer(307, headers=[("Location", "http://evil.example@127.0.0.2:%d/echo" % port_of["t"])])
            elif p == "/redirect-loop":
                self.answer(302, headers=[("Location", "/redirect-loop")])
            elif p == "/big":
                self.answer(200, b"x" * (200 * 1024), "text/plain")
            elif p == "/slow":
                time.sleep(6)
                self.answer(200, b"{}")
            elif p == "/v1/relay":  # the starter's relay (services/relay/main.py), allowlist 127.0.0.2 only
                req = json.loads(body)
                from urllib.parse import urlparse
                import urllib.request
                host = urlparse(req["target_url"]).hostname
                if host != "127.0.0.2":
                    self.answer(403, json.dumps({"detail": "Egress blocked: ['host %s not in allowlist']"
                                                 % host}).encode())
                    return
                r = urllib.request.Request(req["target_url"], data=json.dumps(req.get("body")).encode(),
                                           method=req.get("method", "POST"),
                                           headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(r, timeout=5) as resp:
                    rb = resp.read()
                    ct = resp.headers.get("content-type", "")
                    out = {"status_code": resp.status,
                           "headers": {"content-type": ct, "date": resp.headers.get("date")},
                           "body": json.loads(rb) if "application/json" in ct else rb.decode()}
                self.answer(200, json.dumps(out).encode())
            else:
                self.answer(404, b'{"detail":"Not Found"}')

        def do_POST(self):
            self.handle_any("POST")

        def do_GET(self):
            self.handle_any("GET")

    return H


def make_ca_and_cert(tmp):
    """A CA and a certificate for IP 127.0.0.2 signed by it (python3-cryptography): (ca.pem, cert.pem, key.pem)."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "prova egress test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.2")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.2"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = [os.path.join(tmp, n) for n in ("ca.pem", "cert.pem", "key.pem")]
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths


class V6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(name, host, port, port_of, tls=None):
    cls = V6Server if ":" in host else http.server.ThreadingHTTPServer
    s = cls((host, port), make_handler(name, port_of))
    s.daemon_threads = True
    s.handle_error = lambda request, address: None  # the gateway hanging up (timeouts, TLS refusals) is expected
    if tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[1], tls[2])
        s.socket = ctx.wrap_socket(s.socket, server_side=True)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    return s


RESPONSES = []  # every envelope response, checked against openapi.json at the end
LAST_ENV = [b""]  # the last envelope sent


def send(base, token, sender, trace, payload, forward_url=None):
    env = json.loads(envelope(sender, trace, payload))
    if forward_url is not None:
        env["forward_url"] = forward_url
    LAST_ENV[0] = json.dumps(env).encode()
    st, h, b = request("POST", base + "/v1/odin/envelope", LAST_ENV[0], token)
    RESPONSES.append({"status": st, "ctype": h.get("Content-Type"), "body": b.decode("utf-8", "replace"),
                      "headers": dict(h.items())})
    try:
        doc = json.loads(b)
    except ValueError:
        doc = {}
    return st, h, doc, b


def chain(base, trace):
    _, _, b = request("GET", base + "/v1/receipts/hops/chain/" + trace)
    return json.loads(b).get("hops", [])


def policy(reason, passed=True, rule="HEL:HTTP_EGRESS_LIMITATION"):
    return {"passed": passed, "rules": [{"reasons": [reason], "rule": rule}]}


def fwd_code(doc):
    f = doc.get("forwarded") or {}
    return f.get("error", "").split(":")[0] if isinstance(f, dict) else None


def check_signed(base, h, raw):
    """X-ODIN-Response-CID is the SHA-256 of the body as sent (forwarded included), X-ODIN-Signature verifies."""
    cid = "sha256:" + hashlib.sha256(raw).hexdigest()
    ok(h.get("X-ODIN-Response-CID") == cid, "response CID covers the body with forwarded")
    doc = json.loads(raw)
    _, _, jb = request("GET", base + "/.well-known/jwks.json")
    key = [k for k in json.loads(jb)["keys"] if k["kid"] == h.get("X-ODIN-KID")][0]
    msg = ("%s|%s|%s" % (cid, doc["trace_id"], doc["receipt"]["ts"])).encode()
    try:
        Ed25519PublicKey.from_public_bytes(b64u(key["x"])).verify(b64u(h.get("X-ODIN-Signature")), msg)
        ok(True, "signature")
    except Exception as e:  # noqa: BLE001
        ok(False, "X-ODIN-Signature does not verify: %s" % e)


OAS = r"""
import fs from 'node:fs';
const { loadSpec, checkResponse } = await import(process.argv[2]);
const spec = await loadSpec(process.argv[3]);
const bad = [];
const all = JSON.parse(fs.readFileSync(process.argv[4], 'utf8'));
for (const r of all) {
  const r2 = checkResponse(spec, 'POST', '/v1/odin/envelope', r.status, r.ctype, JSON.parse(r.body), new Headers(r.headers));
  if (!r2.ok) bad.push(r.status + ' ' + r.body.slice(0, 200) + ': ' + JSON.stringify(r2.errors).slice(0, 400));
}
console.log(all.length + ' responses, ' + bad.length + ' not as openapi.json says');
for (const b of bad) console.log(b);
process.exit(bad.length ? 1 : 0);
"""


def check_openapi():
    """Every envelope response (200 with each forwarded shape, 400, 403, 422) against src/http/openapi.json."""
    here = os.path.dirname(os.path.abspath(__file__))
    node = shutil.which("node") or shutil.which("nodejs")
    if not node or not os.path.isdir(os.path.join(here, "..", "node_modules", "ajv")):
        print("SKIP openapi check: node or tests/node_modules missing", file=sys.stderr)
        return
    path = os.path.join(T, "responses.json")
    with open(path, "w") as f:
        json.dump(RESPONSES, f)
    r = subprocess.run([node, "--input-type=module", "-", os.path.join(here, "oas_check.mjs"),
                        os.path.join(here, "..", "..", "src", "http", "openapi.json"), path], input=OAS.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    ok(r.returncode == 0, "responses as openapi.json says: %s" % r.stdout.decode()[-2000:])


def start(data, args, name):
    gw = Gateway(PROVA, data, os.path.join(T, name + ".log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet"] + args)
    if not ok(gw.up, "gateway %s started" % name):
        with open(os.path.join(T, name + ".log")) as f:
            print(f.read(), file=sys.stderr)
        raise SystemExit(1)
    return gw


def main():
    sender = make_sender(PROVA, T)
    port_of = {"t": free_port("127.0.0.2")}
    port_of["loop"] = port_of["t"]  # the same port on 127.0.0.1: only the address differs
    servers = [serve("t", "127.0.0.2", port_of["t"], port_of), serve("loop", "127.0.0.1", port_of["loop"], port_of)]
    try:
        port_of["other"] = free_port("127.0.0.2")
        servers.append(serve("other", "127.0.0.2", port_of["other"], port_of))
    except OSError:
        pass
    t = "http://127.0.0.2:%d" % port_of["t"]
    lp = port_of["loop"]
    gws = []
    try:
        # ---- strict (the default) with an allowlist; 127.0.0.2 explicitly allowed as an address -------------
        data = os.path.join(T, "d1")
        allow_file = os.path.join(T, "allow.txt")
        with open(allow_file, "w") as f:
            f.write("# hosts\nlocalhost\n169.254.169.254\n\n::1, [::ffff:127.0.0.1]\n")
        gw = start(data, ["--egress-allow", "127.0.0.2", "--egress-allow", "127.0.0.1",
                          "--egress-allow-file", allow_file, "--egress-allow-address", "127.0.0.2/32",
                          "--forward-timeout-ms", "1500", "--forward-max-response", "64K"], "strict")
        gws.append(gw)
        base, token = gw.base, first_token(data)

        st, h, doc, raw = send(base, token, sender, "none", {"n": 1})
        ok(st == 200 and doc.get("forwarded") is None, "no forward_url: forwarded null (%d)" % st)
        ok(doc.get("receipt", {}).get("policy") == {"passed": True, "rules": []}, "no forward_url: empty policy")
        st, h, doc, raw = send(base, token, sender, "empty", {"n": 1}, "")
        ok(st == 200 and doc["receipt"]["policy"] == {"passed": True, "rules": []}, "forward_url \"\" as absent")

        st, h, doc, raw = send(base, token, sender, "ok1", {"amount": 5, "who": "ü"}, t + "/echo")
        ok(st == 200, "allowed forward answered 200 (%d %s)" % (st, raw[:300]))
        ok(doc["receipt"]["policy"] == policy("host 127.0.0.2 allowed"), "receipt policy: %s" % doc["receipt"]["policy"])
        fw = doc.get("forwarded")
        ok(fw == {"status_code": 200, "body": {"method": "POST", "got": {"amount": 5, "who": "ü"}, "trace": "ok1"}},
           "forwarded is the target's JSON answer: %s" % fw)
        ok(LAST["t"][3] == json.dumps(doc["normalized_payload"], sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False).encode(), "the target got the normalized payload")
        ok(LAST["t"][2].get("Content-Type") == "application/json", "sent as application/json")
        check_signed(base, h, raw)
        # The receipt as stored carries the same policy member.
        hops = chain(base, "ok1")
        ok(len(hops) == 1 and hops[0]["policy"] == policy("host 127.0.0.2 allowed"), "stored receipt's policy")

        st, h, doc, raw = send(base, token, sender, "txt", {"n": 1}, t + "/text")
        ok(doc.get("forwarded") == {"status_code": 200, "body": "plain \ufffd text"}, "text body: %s" % doc.get("forwarded"))
        st, h, doc, raw = send(base, token, sender, "bj", {"n": 1}, t + "/badjson")
        ok(doc.get("forwarded") == {"status_code": 201, "body": "{not json"}, "unparsable JSON as text")
        st, h, doc, raw = send(base, token, sender, "nf", {"n": 1}, t + "/nothing")
        ok(doc.get("forwarded") == {"status_code": 404, "body": {"detail": "Not Found"}}, "a 404 is forwarded as is")

        # Blocked: 403 after the receipt is stored, with passed:false in it; the target is not called.
        before = dict(HITS)
        st, h, doc, raw = send(base, token, sender, "blk", {"n": 1}, "http://evil.example/hook")
        ok(st == 403 and doc.get("error", {}).get("code") == "forward_blocked", "blocked: 403 forward_blocked (%d)" % st)
        ok(doc.get("detail") == "Forward blocked by HEL: host evil.example not in allowlist", "message: %s" % doc)
        hops = chain(base, "blk")
        ok(len(hops) == 1 and hops[0]["policy"] == policy("host evil.example not in allowlist", False),
           "blocked: the receipt is stored with passed:false: %s" % hops)
        ok(HITS == before, "blocked: no request reached any target")
        st, _, b = request("POST", base + "/v1/odin/envelope", LAST_ENV[0], token)
        ok(st == 409 and b'"replay_detected"' in b, "the blocked envelope again: a replay (%d)" % st)
        ok(len(chain(base, "blk")) == 1, "still one receipt")
        # Exact host match: a subdomain or a case variant of an allowed name.
        st, h, doc, raw = send(base, token, sender, "blk2", {"n": 1}, "http://x.127.0.0.2/")
        ok(st == 403, "a name under an allowed host is not allowed (%d)" % st)
        st, h, doc, raw = send(base, token, sender, "case", {"n": 1}, t.replace("http", "HTTP") + "/echo")
        ok(st == 200 and doc["receipt"]["policy"] == policy("host 127.0.0.2 allowed"), "scheme case-insensitive")

        # Invalid forward_url: 400 before any receipt.
        for i, bad in enumerate(["ftp://127.0.0.2/", "http://user:pw@127.0.0.2/", "http://127.0.0.2:99999/",
                                 "http:///x", "http://a b/", "javascript:alert(1)", "http://127.0.0.2\\@evil/"]):
            st, h, doc, raw = send(base, token, sender, "bad%d" % i, {"n": 1}, bad)
            ok(st == 400 and doc.get("error", {}).get("code") == "invalid_forward_url",
               "%r: 400 invalid_forward_url (%d %s)" % (bad, st, raw[:200]))
            ok(chain(base, "bad%d" % i) == [], "%r: no receipt" % bad)
        st, h, doc, raw = send(base, token, sender, "bad-type", {"n": 1}, 5)
        ok(st == 422, "forward_url of the wrong type: 422 (%d)" % st)

        # SSRF: allowed by the policy (listed hosts), refused at the socket, nothing reaches 127.0.0.1.
        loop_before = sum(v for (n, _), v in HITS.items() if n == "loop")
        cases = [
            ("http://127.0.0.1:%d/echo" % lp, "forward_address_loopback"),
            ("http://localhost:%d/echo" % lp, "forward_address_loopback"),
            ("http://[::1]:%d/echo" % lp, "forward_address_loopback"),
            ("http://[::ffff:127.0.0.1]:%d/echo" % lp, "forward_address_loopback"),
            ("http://169.254.169.254/latest/meta-data/", "forward_address_link_local"),
            (t + "/redirect-loopback", "forward_address_loopback"),
        ]
        for i, (u, code) in enumerate(cases):
            st, h, doc, raw = send(base, token, sender, "ssrf%d" % i, {"n": 1}, u)
            ok(st == 200 and doc["receipt"]["policy"]["passed"] is True, "%s: policy passed, receipt stored" % u)
            ok(fwd_code(doc) == code, "%s: forwarded %s, want %s" % (u, doc.get("forwarded"), code))
        ok(sum(v for (n, _), v in HITS.items() if n == "loop") == loop_before, "no request reached 127.0.0.1")

        # Redirects: followed with GET after 302, POST kept after 307, a host the policy refuses, a loop.
        st, h, doc, raw = send(base, token, sender, "r1", {"n": 1}, t + "/redirect-get")
        ok(doc.get("forwarded", {}).get("body", {}).get("method") == "GET", "302: followed with GET: %s" % doc.get("forwarded"))
        st, h, doc, raw = send(base, token, sender, "r2", {"n": 2}, t + "/redirect-post")
        ok(doc.get("forwarded", {}).get("body", {}).get("got") == {"n": 2}, "307: POST repeated: %s" % doc.get("forwarded"))
        st, h, doc, raw = send(base, token, sender, "r3", {"n": 1}, t + "/redirect-blocked")
        ok(fwd_code(doc) == "forward_redirect_blocked", "redirect to evil.example: %s" % doc.get("forwarded"))
        for i, path in enumerate(("/redirect-ftp", "/redirect-userinfo")):
            st, h, doc, raw = send(base, token, sender, "ri%d" % i, {"n": 1}, t + path)
            ok(fwd_code(doc) == "forward_redirect_invalid", "%s: %s" % (path, doc.get("forwarded")))
        st, h, doc, raw = send(base, token, sender, "r4", {"n": 1}, t + "/redirect-loop")
        ok(fwd_code(doc) == "forward_redirect_limit", "redirect loop: %s" % doc.get("forwarded"))
        ok(HITS.get(("t", "/redirect-loop")) == 6, "5 redirects followed, then stopped (%s)" % HITS.get(("t", "/redirect-loop")))

        # Limits: a response over --forward-max-response, a target that never answers in time.
        st, h, doc, raw = send(base, token, sender, "big", {"n": 1}, t + "/big")
        ok(fwd_code(doc) == "forward_response_too_large", "200 KiB over a 64 KiB limit: %s" % doc.get("forwarded"))
        t0 = time.monotonic()
        st, h, doc, raw = send(base, token, sender, "slow", {"n": 1}, t + "/slow")
        el = time.monotonic() - t0
        ok(fwd_code(doc) == "forward_timeout" and el < 4, "never answers: %s after %.1f s" % (doc.get("forwarded"), el))
        ok(st == 200 and len(chain(base, "slow")) == 1, "a failed forward keeps its receipt")
        # A silent socket (accepts, never reads or answers).
        sil = socket.socket()
        sil.bind(("127.0.0.2", 0))
        sil.listen(4)
        st, h, doc, raw = send(base, token, sender, "silent", {"n": 1}, "http://127.0.0.2:%d/" % sil.getsockname()[1])
        ok(fwd_code(doc) == "forward_timeout", "silent socket: %s" % doc.get("forwarded"))
        sil.close()
        # The counters: every judged forward_url, every forward by outcome.
        _, _, mb = request("GET", base + "/metrics", ctype=None)
        m = {}
        for line in mb.decode().splitlines():
            if line.startswith(("prova_egress_verdicts_total{", "prova_forwards_total{")):
                k, v = line.rsplit(" ", 1)
                m[k] = int(float(v))
        # 3: blk, blk2, and blk's replay (judged before the replay check, as docs/egress.md says)
        ok(m.get('prova_egress_verdicts_total{verdict="blocked"}') == 3, "metrics: 3 blocked: %s" % m)
        ok(m.get('prova_egress_verdicts_total{verdict="allowed"}', 0) >= 20, "metrics: allowed: %s" % m)
        ok(m.get('prova_forwards_total{outcome="ok"}', 0) >= 6 and m.get('prova_forwards_total{outcome="error"}', 0)
           >= 12, "metrics: forwards by outcome: %s" % m)
        gw.stop()

        # ---- without --egress-allow-address: even the allowed host 127.0.0.2 is refused at the socket ----------
        data = os.path.join(T, "d2")
        gw = start(data, ["--egress-allow", "127.0.0.2:%d" % port_of["t"], "--egress-profile", "medium",
                          "--egress-allow-private", "--otlp-endpoint", "http://127.0.0.1:%d" % lp,
                          "--otlp-protocol", "http/json"], "medium")
        gws.append(gw)
        base, token = gw.base, first_token(data)
        st, h, doc, raw = send(base, token, sender, "m1", {"n": 1}, t + "/echo")
        ok(st == 200 and fwd_code(doc) == "forward_address_loopback",
           "127.0.0.2 not allowed as an address (--egress-allow-private does not cover loopback): %s" % doc.get("forwarded"))
        if "other" in port_of:
            st, h, doc, raw = send(base, token, sender, "m2", {"n": 1}, "http://127.0.0.2:%d/echo" % port_of["other"])
            ok(st == 403 and doc.get("detail") == "Forward blocked by HEL: host 127.0.0.2 port %d not in allowlist"
               % port_of["other"], "HOST:PORT: another port is blocked: %s" % doc)
        st, h, doc, raw = send(base, token, sender, "m3", {"n": 1}, "http://example.org/")
        ok(st == 403, "medium: another host blocked (%d)" % st)
        gw.stop()
        # The spans (OTLP/JSON to the listener on 127.0.0.1): a prova.forward span with the refusal as its error,
        # the verdicts on the server spans.
        spans = []
        for b in OTLP:
            for rs in json.loads(b).get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []):
                    spans += ss.get("spans", [])

        def attrs(sp):
            return {a["key"]: list(a["value"].values())[0] for a in sp.get("attributes", [])}
        fw = [sp for sp in spans if sp.get("name") == "prova.forward"]
        ok(len(fw) == 1 and attrs(fw[0]).get("prova.forward.mode") == "direct"
           and attrs(fw[0]).get("network.peer.address") == "127.0.0.2"
           and fw[0].get("status", {}).get("message") == "forward_address_loopback",
           "the prova.forward span: %s" % fw)
        verdicts = sorted(attrs(sp).get("prova.egress.verdict") for sp in spans if "prova.egress.verdict" in attrs(sp))
        ok(verdicts == ["allowed", "blocked", "blocked"], "verdicts on the server spans: %s" % verdicts)

        # ---- TLS: verified against the system's CAs by default, against --forward-ca-file when given ----------
        tls = make_ca_and_cert(T)
        port_of["tls"] = free_port("127.0.0.2")
        servers.append(serve("tls", "127.0.0.2", port_of["tls"], port_of, tls))
        ts = "https://127.0.0.2:%d/echo" % port_of["tls"]
        for name, extra, want in (("tls-system", [], "forward_tls_failed"),
                                  ("tls-ca", ["--forward-ca-file", tls[0]], None)):
            data = os.path.join(T, name)
            gw = start(data, ["--egress-allow", "127.0.0.2", "--egress-allow-address", "127.0.0.2"] + extra, name)
            gws.append(gw)
            base, token = gw.base, first_token(data)
            st, h, doc, raw = send(base, token, sender, name, {"n": 1}, ts)
            if want:
                ok(fwd_code(doc) == want, "%s: %s" % (name, doc.get("forwarded")))
            else:
                ok(doc.get("forwarded", {}).get("status_code") == 200, "%s: %s" % (name, doc.get("forwarded")))
            gw.stop()

        # ---- open profile through the relay -----------------------------------------------------------------
        data = os.path.join(T, "d3")
        gw = start(data, ["--egress-profile", "open", "--relay", "http://127.0.0.1:%d/" % lp], "open")
        gws.append(gw)
        base, token = gw.base, first_token(data)
        st, h, doc, raw = send(base, token, sender, "rl1", {"k": "v"}, t + "/echo")
        ok(doc["receipt"]["policy"] == policy("open profile allow", True, "OPEN:HTTP_EGRESS"), "open policy member")
        m, p, hd, b = LAST["loop"]
        rq = json.loads(b)
        ok(p == "/v1/relay" and rq == {"trace_id": "rl1", "target_url": t + "/echo", "method": "POST",
                                       "body": {"k": "v"}}, "the relay request: %s %s" % (p, rq))
        fw = doc.get("forwarded") or {}
        ok(fw.get("status_code") == 200 and fw.get("body", {}).get("status_code") == 200
           and fw["body"].get("body") == {"method": "POST", "got": {"k": "v"}, "trace": None},
           "forwarded through the relay: %s" % fw)
        check_signed(base, h, raw)
        st, h, doc, raw = send(base, token, sender, "rl2", {"k": "v"}, "https://api.bank.com/pay")
        ok(st == 200 and doc.get("forwarded", {}).get("status_code") == 403, "the relay's refusal forwarded: %s"
           % doc.get("forwarded"))
        gw.stop()

        # ---- a relay that is down ------------------------------------------------------------------------------
        data = os.path.join(T, "d4")
        gw = start(data, ["--egress-profile", "open", "--relay", "http://127.0.0.1:%d" % free_port("127.0.0.1")],
                   "down")
        gws.append(gw)
        base, token = gw.base, first_token(data)
        st, h, doc, raw = send(base, token, sender, "dn", {"k": "v"}, t + "/echo")
        ok(st == 200 and fwd_code(doc) == "forward_connect_failed", "relay down: %s" % doc.get("forwarded"))
        gw.stop()

        # ---- the allowlist from a config file, the environment and the flags together ------------------------
        data = os.path.join(T, "d6")
        conf = os.path.join(T, "serve.conf")
        with open(conf, "w") as f:
            f.write("egress-allow = localhost\nforward-timeout-ms = 2000\n")
        env = dict(os.environ, PROVA_EGRESS_ALLOW="127.0.0.1", PROVA_CONFIG=conf)
        gw = Gateway(PROVA, data, os.path.join(T, "union.log"),
                     ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet", "--egress-allow", "::1"],
                     env=env)
        gws.append(gw)
        ok(gw.up, "gateway with config file and environment started")
        base, token = gw.base, first_token(data)
        for i, (u, host) in enumerate((("http://localhost:%d/" % lp, "localhost"),
                                       ("http://127.0.0.1:%d/" % lp, "127.0.0.1"),
                                       ("http://[::1]:%d/" % lp, "::1"))):
            st, h, doc, raw = send(base, token, sender, "u%d" % i, {"n": 1}, u)
            ok(st == 200 and doc["receipt"]["policy"] == policy("host %s allowed" % host), "union: %s (%d)" % (host, st))
        st, h, doc, raw = send(base, token, sender, "u3", {"n": 1}, "http://127.0.0.2/")
        ok(st == 403, "union: an unlisted host still blocked (%d)" % st)
        gw.stop()

        # ---- allowed addresses: IPv6 loopback, and an IPv4 range matching the IPv4-mapped form ---------------
        try:
            port_of["v6"] = free_port6()
            servers.append(serve("v6", "::1", port_of["v6"], port_of))
        except OSError:
            port_of.pop("v6", None)
            print("SKIP: no IPv6 loopback", file=sys.stderr)
        data = os.path.join(T, "d7")
        gw = start(data, ["--egress-allow", "::1,::ffff:127.0.0.2", "--egress-allow-address", "::1",
                          "--egress-allow-address", "127.0.0.2/32"], "allowed-addresses")
        gws.append(gw)
        base, token = gw.base, first_token(data)
        if "v6" in port_of:
            st, h, doc, raw = send(base, token, sender, "v6", {"n": 6}, "http://[::1]:%d/echo" % port_of["v6"])
            ok(doc.get("forwarded", {}).get("body", {}).get("got") == {"n": 6}, "[::1] allowed by --egress-allow-"
               "address ::1: %s" % doc.get("forwarded"))
        st, h, doc, raw = send(base, token, sender, "mapped", {"n": 7},
                               "http://[::ffff:127.0.0.2]:%d/echo" % port_of["t"])
        ok(doc.get("forwarded", {}).get("body", {}).get("got") == {"n": 7},
           "::ffff:127.0.0.2 allowed by 127.0.0.2/32: %s" % doc.get("forwarded"))
        gw.stop()

        # ---- settings refused at start (exit 2) -----------------------------------------------------------------
        for args in (["--egress-profile", "lax"], ["--egress-allow", "a b:99999"], ["--egress-allow", "h:0"],
                     ["--egress-allow-address", "300.1.1.1"], ["--egress-allow-address", "10.0.0.0/33"],
                     ["--egress-allow-file", os.path.join(T, "missing")], ["--relay", "ftp://x/"]):
            r = subprocess.run([PROVA, "serve", "--listen", "127.0.0.1:%d" % free_port("127.0.0.1"), "--data",
                                os.path.join(T, "d5")] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=30)
            ok(r.returncode == 2, "%s: exit 2 (%d) %s" % (args, r.returncode, r.stderr[-300:]))
        check_openapi()
    finally:
        for g in gws:
            if g.p.poll() is None:
                g.kill()
        for s in servers:
            s.shutdown()
    rc = gwtest.summary()
    if rc == 0:
        shutil.rmtree(T, ignore_errors=True)
    else:
        print("kept", T, file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
