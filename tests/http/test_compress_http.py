#!/usr/bin/env python3
"""Compression over HTTP (docs/compression.md), against a real gateway with independent peers: curl --compressed,
curl --data-binary of a file the zstd command wrote, Python's gzip and zlib, and the zstd command decoding responses.

Request bodies with Content-Encoding gzip or zstd are decoded before the route sees them (concatenated frames and
members too); bombs (1 GiB of zeros in 33 KB, a zstd header claiming 1 TiB, a body that decodes past --max-body)
get 413 with their reason code, fast and with the server's memory bounded; broken streams 400; other codings 415.
Responses are compressed by Accept-Encoding with q-values, only above the size threshold, with Vary; a compressed
variant's ETag is weak, and If-None-Match still gives 304; X-ODIN-Response-CID and X-ODIN-Signature cover the
uncompressed body. Usage: test_compress_http.py PROVA"""
import base64
import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, envelope, first_token, make_sender, ok, request, summary  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-compress-")


def zstd(data, *args):
    """The zstd command line on data (compress, or with -d decompress)."""
    return subprocess.run(["zstd", "-q", "-c"] + list(args), input=data, stdout=subprocess.PIPE, check=True).stdout


def curl(*args):
    """curl -s with -D for the headers: (status, headers dict lower-cased, body bytes)."""
    hdr = os.path.join(T, "curl.hdr")
    p = subprocess.run(["curl", "-s", "-D", hdr, "-o", "-", "-w", ""] + list(args), stdout=subprocess.PIPE, check=True)
    blocks = [b for b in open(hdr, "rb").read().decode("latin-1").split("\r\n\r\n") if b.strip()]
    lines = blocks[-1].split("\r\n")  # the final response, after any 100 Continue
    status = int(lines[0].split()[1])
    h = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    return status, h, p.stdout


def code_of(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def vm_hwm(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


def main():
    data = os.path.join(T, "data")
    sender = make_sender(PROVA, T)
    gw = Gateway(PROVA, data, os.path.join(T, "server.log"),
                 ["--quiet", "--trusted-senders", os.path.join(T, "senders.jwks")])
    if not gw.up:
        print(open(os.path.join(T, "server.log")).read(), file=sys.stderr)
        ok(False, "the gateway started")
        return
    base = gw.base
    token = first_token(data)
    try:
        run(gw, base, token, sender)
    finally:
        gw.stop()


def post(base, path, body, coding=None, token=None, accept=None, ctype="application/json"):
    h = {}
    if coding:
        h["Content-Encoding"] = coding
    if accept is not None:
        h["Accept-Encoding"] = accept
    return request("POST", base + path, body, token, ctype=ctype, headers=h)


def run(gw, base, token, sender):
    # ---- request bodies --------------------------------------------------------------------------------------------
    proof = subprocess.run([PROVA, "proof", "sign", "--default-key",
                            os.path.join(os.path.dirname(__file__), "..", "data", "proof_minimal.json")],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    st, _, plain = post(base, "/v1/verify", proof, accept="identity")
    ok(st == 200, "POST /v1/verify plain: 200 (%d)" % st)
    half = len(proof) // 2
    bodies = {
        "gzip (Python)": ("gzip", gzip.compress(proof)),
        "zstd (the zstd command)": ("zstd", zstd(proof)),
        "x-gzip": ("x-gzip", gzip.compress(proof)),
        "gzip, two members": ("gzip", gzip.compress(proof[:half]) + gzip.compress(proof[half:])),
        "zstd, two frames": ("zstd", zstd(proof[:half]) + zstd(proof[half:])),
        "identity, gzip": ("identity, gzip", gzip.compress(proof)),
        "GZIP (case), zlib's gzip wrapper": ("GZIP", zlib.compress(proof, wbits=31)),
    }
    for name, (coding, body) in bodies.items():
        st, _, got = post(base, "/v1/verify", body, coding, accept="identity")
        ok(st == 200 and got == plain, "%s: 200 and the plain body's report (%d %r)" % (name, st, got[:120]))
    # curl --data-binary @file.zst, the file written by the zstd command
    zf = os.path.join(T, "proof.zst")
    open(zf, "wb").write(zstd(proof, "-19"))
    st, h, got = curl("-H", "Content-Type: application/json", "-H", "Content-Encoding: zstd", "--data-binary",
                      "@" + zf, base + "/v1/verify")
    ok(st == 200 and got == plain, "curl --data-binary @proof.zst: the plain report (%d)" % st)

    # an envelope sent gzip, its response zstd: the signed headers cover the uncompressed body
    env = envelope(sender, "tx-compress", {"invoice": "INV-1", "lines": ["x" * 40] * 40})
    st, h, zbody = post(base, "/v1/odin/envelope", gzip.compress(env), "gzip", token, accept="zstd")
    ok(st == 200, "envelope, gzip body: 200 (%d %r)" % (st, zbody[:200]))
    ok(h.get("Content-Encoding") == "zstd", "envelope response: Content-Encoding zstd (%s)" % h.get("Content-Encoding"))
    ok("Accept-Encoding" in (h.get("Vary") or ""), "envelope response: Vary: Accept-Encoding")
    body = zstd(zbody, "-d")
    resp = json.loads(body)
    cid = h.get("X-ODIN-Response-CID")
    ok(cid == "sha256:" + hashlib.sha256(body).hexdigest(),
       "X-ODIN-Response-CID is the SHA-256 of the uncompressed body (%s)" % cid)
    ok(cid != "sha256:" + hashlib.sha256(zbody).hexdigest(), "and not of the compressed bytes")
    _, _, jwks = request("GET", base + "/.well-known/jwks.json")
    keys = {k["kid"]: k for k in json.loads(jwks)["keys"]}
    k = keys.get(h.get("X-ODIN-KID"))
    sig = base64.urlsafe_b64decode(h.get("X-ODIN-Signature") + "==")
    msg = ("%s|%s|%s" % (cid, resp["trace_id"], resp["receipt"]["ts"])).encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(k["x"] + "==")).verify(sig, msg)
        ok(True, "X-ODIN-Signature verifies over the uncompressed body's CID")
    except Exception as e:  # noqa: BLE001
        ok(False, "X-ODIN-Signature verifies over the uncompressed body's CID: %r" % e)

    # ---- refused bodies --------------------------------------------------------------------------------------------
    def refused(name, coding, body, want_status, want_code, max_s=2.0):
        t0 = time.time()
        st, _, got = post(base, "/v1/verify", body, coding)
        dt = time.time() - t0
        ok(st == want_status and code_of(got) == want_code and dt < max_s,
           "%s: %d %s in %.2f s (got %d %s %r)" % (name, want_status, want_code, dt, st, code_of(got), got[:160]))
        print("  %s: %d %s, %.3f s" % (name, st, code_of(got), dt), file=sys.stderr)

    hwm0 = vm_hwm(gw.p.pid)
    zeros = zstd(b"\0" * (64 << 20), "-19")  # 64 MiB of zeros
    bomb = b"".join([zeros] * 16)             # 16 frames: 1 GiB
    print("  bomb: %d bytes of zstd for 1 GiB of zeros" % len(bomb), file=sys.stderr)
    refused("zstd bomb, 1 GiB of zeros", "zstd", bomb, 413, "compression_ratio_exceeded")
    refused("gzip bomb, 1 GiB of zeros", "gzip", b"".join([gzip.compress(b"\0" * (16 << 20), 9)] * 64)[:1 << 20],
            413, "compression_ratio_exceeded")
    refused("zstd header claiming 1 TiB", "zstd",
            bytes([0x28, 0xb5, 0x2f, 0xfd, 0xe4, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]), 413, "decompressed_too_large")
    refused("zstd frame asking for a 2 GiB window", "zstd", bytes([0x28, 0xb5, 0x2f, 0xfd, 0, 0xa8, 1, 0, 0]), 413,
            "compressed_window_too_large")
    rnd = random.Random(18)
    lowent = "".join(rnd.choice("ab") for _ in range(2 << 20)).encode()  # about 8:1, under the ratio limit
    refused("2 MiB at 8:1, over --max-body once decoded", "gzip", gzip.compress(lowent), 413,
            "decompressed_too_large")
    # more compressed bytes than --max-body, sent chunked (no Content-Length to refuse it by at the head)
    big = os.path.join(T, "big.gz")
    open(big, "wb").write(gzip.compress(os.urandom(1200000)))
    st, _, got = curl("-H", "Content-Type: application/json", "-H", "Content-Encoding: gzip", "-H",
                      "Transfer-Encoding: chunked", "--data-binary", "@" + big, base + "/v1/verify")
    ok(st == 413 and code_of(got) == "body_too_large", "more gzip bytes than --max-body: 413 body_too_large (%d %r)"
       % (st, got[:120]))
    hwm1 = vm_hwm(gw.p.pid)
    print("  server VmHWM: %d KB before the bombs, %d KB after" % (hwm0, hwm1), file=sys.stderr)
    ok(hwm1 - hwm0 < 64 * 1024, "the bombs cost the server under 64 MB of memory (%d KB)" % (hwm1 - hwm0))

    gz = gzip.compress(proof)
    zs = zstd(proof)
    refused("truncated gzip", "gzip", gz[:len(gz) // 2], 400, "compressed_truncated")
    refused("truncated zstd", "zstd", zs[:len(zs) - 3], 400, "compressed_truncated")
    bad = bytearray(gz)
    bad[len(bad) // 2] ^= 0x40
    refused("corrupt gzip", "gzip", bytes(bad), 400, "compressed_corrupt")
    refused("zstd sent as gzip", "gzip", zs, 400, "compressed_format_mismatch")
    refused("plain JSON sent as zstd", "zstd", proof, 400, "compressed_format_mismatch")
    refused("trailing bytes after the member", "gzip", gz + b"{}", 400, "compressed_trailing_data")
    refused("Content-Encoding br", "br", proof, 415, "unsupported_content_encoding")
    refused("Content-Encoding deflate", "deflate", proof, 415, "unsupported_content_encoding")
    refused("two codings stacked", "gzip, zstd", gzip.compress(zs), 415, "unsupported_content_encoding")
    refused("Content-Encoding zip (not an HTTP coding)", "zip", b"PK\x03\x04" + bytes(100), 415,
            "unsupported_content_encoding")
    st, _, _ = request("GET", base + "/health", ctype=None)
    ok(st == 200, "the gateway still answers after the refused bodies")

    # ---- responses -------------------------------------------------------------------------------------------------
    _, h0, openapi = request("GET", base + "/openapi.json", ctype=None, headers={"Accept-Encoding": "identity"})
    ok(h0.get("Content-Encoding") is None, "Accept-Encoding identity: not compressed")
    ok("Accept-Encoding" in (h0.get("Vary") or ""), "an identity response that could vary says Vary")
    cases = [("gzip", "gzip"), ("zstd", "zstd"), ("gzip, zstd", "zstd"), ("gzip;q=0.5, zstd;q=0.1", "gzip"),
             ("zstd;q=0, gzip", "gzip"), ("*", "zstd"), ("*;q=0", None), ("br", None), ("x-gzip", "gzip"),
             ("identity;q=1, zstd;q=0.001", "zstd"), ("gzip;q=0, zstd;q=0", None), ("GZIP;Q=0.9", "gzip")]
    for ae, want in cases:
        st, h, got = request("GET", base + "/openapi.json", ctype=None, headers={"Accept-Encoding": ae})
        enc = h.get("Content-Encoding")
        body = got if enc is None else gzip.decompress(got) if enc == "gzip" else zstd(got, "-d")
        ok(st == 200 and enc == want and body == openapi,
           "Accept-Encoding %r: %s, the same document (%s, %d bytes)" % (ae, want, enc, len(got)))
    # curl --compressed: whatever it asks for, it gets the same bytes back
    st, h, got = curl("--compressed", base + "/openapi.json")
    ok(st == 200 and got == openapi and h.get("content-encoding") in ("gzip", "zstd"),
       "curl --compressed: compressed (%s) and the same document" % h.get("content-encoding"))
    # tiny bodies are never compressed, and do not vary
    st, h, got = request("GET", base + "/health", ctype=None, headers={"Accept-Encoding": "gzip, zstd"})
    ok(st == 200 and h.get("Content-Encoding") is None and h.get("Vary") is None,
       "a tiny response: neither Content-Encoding nor Vary (%d bytes)" % len(got))
    # the web view's strong ETag: weak on a compressed variant, and revalidation still works
    _, hi, ident = request("GET", base + "/ui/assets/app.js", ctype=None, headers={"Accept-Encoding": "identity"})
    strong = hi.get("ETag")
    ok(strong and strong.startswith('"'), "the identity asset keeps its strong ETag (%s)" % strong)
    _, hz, comp = request("GET", base + "/ui/assets/app.js", ctype=None, headers={"Accept-Encoding": "zstd"})
    ok(hz.get("Content-Encoding") == "zstd" and hz.get("ETag") == "W/" + strong,
       "the zstd variant's ETag is weak: %s" % hz.get("ETag"))
    ok(zstd(comp, "-d") == ident, "the zstd variant decodes to the asset")
    st, h304, _ = request("GET", base + "/ui/assets/app.js", ctype=None,
                          headers={"Accept-Encoding": "zstd", "If-None-Match": hz.get("ETag")})
    ok(st == 304 and h304.get("ETag") == "W/" + strong, "If-None-Match of the weak tag: 304 with it (%d)" % st)
    st, _, _ = request("GET", base + "/ui/assets/app.js", ctype=None,
                       headers={"Accept-Encoding": "identity", "If-None-Match": strong})
    ok(st == 304, "If-None-Match of the strong tag, identity: 304 (%d)" % st)
    # HEAD gives the compressed response's headers without its body
    st, h, got = curl("-I", "-H", "Accept-Encoding: gzip", base + "/openapi.json")
    ok(st == 200 and h.get("content-encoding") == "gzip", "HEAD: Content-Encoding gzip")

    # ---- metrics ---------------------------------------------------------------------------------------------------
    _, _, m = request("GET", base + "/metrics", ctype=None, headers={"Accept-Encoding": "identity"})
    m = m.decode()

    def metric(line):
        for row in m.splitlines():
            if row.startswith(line + " "):
                return float(row.split()[-1])
        return -1

    ok(metric('prova_http_request_bodies_decoded_total{encoding="gzip"}') >= 4, "metrics: gzip bodies decoded")
    ok(metric('prova_http_request_bodies_decoded_total{encoding="zstd"}') >= 2, "metrics: zstd bodies decoded")
    ok(metric('prova_http_responses_compressed_total{encoding="zstd"}') >= 3, "metrics: zstd responses")
    ok(metric('prova_http_responses_compressed_total{encoding="gzip"}') >= 3, "metrics: gzip responses")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(T, ignore_errors=True)
    sys.exit(summary())
