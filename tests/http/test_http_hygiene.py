#!/usr/bin/env python3
"""Request hygiene of the gateway (docs/hardening.md "Request hygiene"): ambiguous framing (two Content-Length
headers, Content-Length with Transfer-Encoding, a Transfer-Encoding other than chunked) is 400 framing_invalid and
the connection closes, so a request smuggled in the body is never served; NUL bytes in headers are 400; every POST
checks its Content-Type (415 unsupported_media_type); ids follow one rule on HTTP and MCP (invalid_id).
Usage: test_http_hygiene.py PROVA"""
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, first_token, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-hygiene-")
PORT = 0


def req(method, path, body=None, ctype="application/json", token=None, headers=None):
    st, _, b = request(method, "http://127.0.0.1:%d%s" % (PORT, path), body, token, ctype=ctype, headers=headers)
    return st, b


def code_of(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def raw(data, wait=5.0):
    """Sends data (bytes, or a list of pieces sent 0.2 s apart) on a fresh connection, reads until EOF or wait.
    (bytes, eof seen)."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=wait)
    for i, piece in enumerate(data if isinstance(data, list) else [data]):
        if i:
            time.sleep(0.2)
        s.sendall(piece)
    out = b""
    eof = False
    deadline = time.time() + wait
    try:
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                eof = True
                break
            out += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        eof = True
    s.close()
    return out, eof


def responses(out):
    """The status codes of the responses in a raw byte stream."""
    return [int(m) for m in re.findall(rb"HTTP/1\.[01] (\d{3}) ", out)]


def framing(name, data):
    out, eof = raw(data)
    st = responses(out)
    head = out.split(b"\r\n\r\n", 1)[0].lower()
    body = out.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in out else b""
    ok(st == [400], "%s: exactly one response, 400 (got %s): %r" % (name, st, out[:300]))
    ok(b"connection: close" in head, "%s: Connection: close" % name)
    ok(b"framing_invalid" in body, "%s: code framing_invalid: %r" % (name, body[:200]))
    ok(eof, "%s: the server closes the connection" % name)
    ok(b"prova" not in body and b'"version"' not in out, "%s: the smuggled request was not served" % name)


SMUGGLED = b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n"


def test_framing():
    body = b"{}" + SMUGGLED
    n = len(body)
    # two Content-Length headers that agree on the short length, then disagree, then duplicate the full one
    framing("two Content-Length (2, 2)", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n" + body)
    framing("two Content-Length (2, n)", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nContent-Length: %d\r\n\r\n" % n + body)
    framing("two Content-Length (n, 2)", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nContent-Length: 2\r\n\r\n" % n + body)
    # a list in Content-Length: libmicrohttpd refuses it itself (its own 400 page, written twice by 0.9.75)
    out, eof = raw(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 2, 2\r\n\r\n" + body)
    ok(responses(out) and set(responses(out)) == {400} and eof and b'"version"' not in out,
       "Content-Length list: 400 and closed by libmicrohttpd (%s)" % responses(out))
    # on a GET too: the gateway never reads the rest as a request
    framing("two Content-Length on GET", b"GET /health HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED)
    chunked = b"2\r\n{}\r\n0\r\n\r\n"
    framing("Content-Length + chunked", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(chunked) + chunked + SMUGGLED)
    framing("Transfer-Encoding gzip", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: gzip\r\n\r\n" + chunked + SMUGGLED)
    framing("Transfer-Encoding gzip, chunked", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + chunked + SMUGGLED)
    framing("two Transfer-Encoding", b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + SMUGGLED)
    # what stays allowed: one Content-Length, or chunked alone, then a pipelined request on the same connection
    doc = b'{"value_json":"[1]"}'
    out, _ = raw([b"POST /canonicalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                 b"\r\n%s" % (len(doc), doc), b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"])
    ok(responses(out) == [200, 200], "one Content-Length + a pipelined GET: both served (%s)" % responses(out))
    out, _ = raw(b"POST /canonicalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(doc), doc))
    ok(responses(out) == [200], "chunked alone is served (%s): %r" % (responses(out), out[-200:]))


def test_nul():
    # A NUL in a header name: libmicrohttpd 0.9.75 cuts the line at the NUL, finds no colon and answers 400 itself.
    out, eof = raw(b"GET /health HTTP/1.1\r\nHost: x\r\nX-\x00A: b\r\nConnection: close\r\n\r\n")
    ok(responses(out) == [400] and eof, "NUL in a header name: 400 and closed (%s)" % responses(out))
    # A NUL in a header value: 0.9.75 keeps the value up to the NUL and reports that length, so the gateway
    # cannot tell (its check of value_size against strlen catches what a later libmicrohttpd reports). What is
    # documented: one response, on the value as cut, and the connection is not desynchronised.
    out, eof = raw([b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
                    b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"])
    st = responses(out)
    ok(st in ([200, 200], [400]), "NUL in a header value: 200 on the cut value then the next request, or 400 (%s)" % st)
    ok(eof, "NUL in a header value: the connection closes as asked")
    out, _ = raw(b"POST /api/v1/chains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\x00y\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    ok(responses(out) in ([401], [400]), "NUL in Authorization: never a write (%s)" % responses(out))
    # a NUL decoded from the path (%00) does not cut the id short
    st, b = req("GET", "/v1/receipts/hops/chain/tx-1%00evil")
    ok(st == 400 and code_of(b) == "invalid_id", "%%00 in a path id: 400 invalid_id (%d %s)" % (st, b[:200]))


def test_content_type(token):
    env = b'{"value_json":"[1]"}'
    # the JSON routes: a body needs application/json (any case, with parameters)
    for ct, want in ((None, 415), ("application/x-www-form-urlencoded", 415), ("text/plain", 415),
                     ("application/jsonx", 415), ("multipart/form-data; boundary=x", 415),
                     ("application/json", 200), ("Application/JSON; charset=utf-8", 200),
                     ("application/json ; charset=UTF-8", 200)):
        st, b = req("POST", "/canonicalize", env, ctype=ct)
        ok(st == want, "/canonicalize with Content-Type %r: %d (got %d %s)" % (ct, want, st, b[:200]))
        if want == 415:
            ok(code_of(b) == "unsupported_media_type" and b"application/json" in b,
               "415 names the expected type: %s" % b[:200])
    for path in ("/verify", "/v1/odin/envelope", "/api/v1/chains", "/api/v1/chains/c1/events",
                 "/api/v1/chains/c1/resolve", "/api/v1/chains/c1/certificate",
                 "/api/v1/provenance/certificates/x1/revoke", "/api/v1/provenance/certificates/x1/supersede"):
        st, b = req("POST", path, b"{}", ctype="application/x-www-form-urlencoded", token=token)
        ok(st == 415 and code_of(b) == "unsupported_media_type", "%s form-encoded: 415 (%d %s)" % (path, st, b[:150]))
    # nothing was written by the refused chain creation
    st, b = req("GET", "/health")
    ok(json.loads(b)["store"]["chains"] == 0, "no chain was created by a 415: %s" % b)
    # an empty body may omit the type where the endpoint takes none (OpenExecution: empty = {})
    st, b = req("POST", "/api/v1/chains", None, ctype=None, token=token)
    ok(st == 201, "POST /api/v1/chains with no body and no type: 201 (%d %s)" % (st, b[:200]))
    # /v1/verify: JSON, the +json types of the documents it verifies, JSON Lines
    doc = b'{"a":1}'
    for ct, accepted in (("application/json", True), ("application/cloudevents+json", True),
                         ("application/vnd.in-toto+json", True), ("application/x-ndjson", True),
                         ("application/x-www-form-urlencoded", False), ("text/plain", False), (None, False)):
        st, b = req("POST", "/v1/verify", doc, ctype=ct)
        if accepted:
            ok(st != 415, "/v1/verify %r: not 415 (%d %s)" % (ct, st, b[:200]))
        else:
            ok(st == 415 and code_of(b) == "unsupported_media_type", "/v1/verify %r: 415 (%d)" % (ct, st))
    # /mcp is JSON
    st, b = req("POST", "/mcp", b'{"jsonrpc":"2.0","id":1,"method":"ping"}', ctype="application/x-www-form-urlencoded",
                headers={"Accept": "application/json"})
    ok(st == 415 and code_of(b) == "unsupported_media_type", "/mcp form-encoded: 415 (%d %s)" % (st, b[:150]))


def mcp_session(token):
    hdr = {"Accept": "application/json, text/event-stream", "Authorization": "Bearer " + token}

    def call(body, sid=None):
        h = dict(hdr, **({"Mcp-Session-Id": sid} if sid else {}))
        st, b = req("POST", "/mcp", json.dumps(body).encode(), headers=h)
        return b

    r = urllib.request.Request("http://127.0.0.1:%d/mcp" % PORT, method="POST", headers=dict(
        hdr, **{"Content-Type": "application/json"}), data=json.dumps({
            "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
        ).encode())
    with urllib.request.urlopen(r, timeout=30) as resp:
        sid = resp.headers.get("Mcp-Session-Id")
        resp.read()
    call({"jsonrpc": "2.0", "method": "notifications/initialized"}, sid)

    def tool(name, args):
        b = call({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": args}},
                 sid)
        res = json.loads(b).get("result", {})
        text = "".join(c.get("text", "") for c in res.get("content", []))
        return res.get("isError", False), text
    return tool


def test_ids(token):
    tool = mcp_session(token)
    bad = [("129 bytes", "a" * 129, "a" * 129), ("a percent sign", "a%25b", "a%b"), ("a space", "a%20b", "a b"),
           ("a backslash", "a%5Cb", "a\\b"), ("a NUL", "a%00b", "a\u0000b"), ("a control character", "a%01b", "a\u0001b"),
           ("non-ASCII", "caf%C3%A9", "caf\u00e9")]
    for what, in_path, in_json in bad:
        st, b = req("GET", "/v1/receipts/hops/chain/" + in_path)
        ok(st == 400 and code_of(b) == "invalid_id", "HTTP trace id with %s: 400 invalid_id (%d %s)" % (what, st, b[:150]))
        st, b = req("GET", "/api/v1/chains/" + in_path)
        ok(st == 400 and code_of(b) == "invalid_id", "HTTP chain id with %s: 400 invalid_id (%d %s)" % (what, st, b[:150]))
        err, text = tool("get_chain", {"trace_id": in_json})
        ok(err and "invalid_id" in text, "MCP get_chain trace id with %s: invalid_id (%s)" % (what, text[:200]))
        err, text = tool("pack_envelope", {"payload": {}, "payload_type": "a.v1", "target_type": "a.v1",
                                           "trace_id": in_json})
        ok(err and "invalid_id" in text, "MCP pack_envelope trace id with %s: invalid_id (%s)" % (what, text[:200]))
        # (the envelope's trace_id is checked after its signature: tests/http/test_gateway.sh sends a signed one)
        st, b = req("POST", "/api/v1/provenance/certificates/x1/supersede",
                    json.dumps({"superseded_by": in_json}).encode(), token=token)
        ok(st == 422 and code_of(b) == "invalid_id", "HTTP body id with %s: 422 invalid_id (%d %s)" % (what, st, b[:150]))
    for good in ("tx-1", "a" * 128, "urn:uuid:0b1c", "A.b_c~d+e=f@g!h$i&j'k(l)m*n,o;p:q"):
        st, b = req("GET", "/v1/receipts/hops/chain/" + urllib.parse.quote(good, safe=""))
        ok(st == 200, "HTTP good trace id %r: 200 (%d %s)" % (good, st, b[:150]))
        err, text = tool("get_chain", {"trace_id": good})
        ok(not err or "invalid_id" not in text, "MCP good trace id %r: not invalid_id (%s)" % (good, text[:150]))
        err, text = tool("pack_envelope", {"payload": {}, "payload_type": "a.v1", "target_type": "a.v1",
                                           "trace_id": good})
        ok(not err, "MCP pack_envelope good trace id %r (%s)" % (good, text[:150]))


def main():
    global PORT
    data = os.path.join(T, "data")
    gw = Gateway(PROVA, data, os.path.join(T, "server.log"), ["--quiet"])
    PORT, p = gw.port, gw.p
    try:
        token = first_token(data)
        test_framing()
        test_nul()
        test_content_type(token)
        test_ids(token)
        st, _ = req("GET", "/health")
        ok(st == 200 and p.poll() is None, "the gateway is still up")
    finally:
        p.terminate()
        p.wait(timeout=30)
        gw.log.close()
        if gwtest.failed():
            sys.stderr.write(open(os.path.join(T, "server.log"), errors="replace").read()[-3000:])
        shutil.rmtree(T, ignore_errors=True)
    return gwtest.summary()


if __name__ == "__main__":
    sys.exit(main())
