#!/usr/bin/env python3
"""The access log (docs/observability.md "Access log"): `prova serve --access-log json` writes one JSON object per
request on stderr with the documented fields and types, and never a bearer token, a query value or a header other
than User-Agent; X-Request-Id is echoed when well-formed and generated otherwise, on every response; the trace id
comes from a valid traceparent; text stays the default; a format that does not exist is refused with exit 2.
Usage: test_access_log.py PROVA"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # importing gwtest leaves no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import Gateway, envelope, first_token, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-accesslog-")

SECRET = "s3cr3t-query-value-7f1e"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
UA = "prova-access-test/1.0"
FIELDS = {"time": str, "request_id": str, "trace_id": (str, type(None)), "method": str, "route": str, "path": str,
          "status": int, "duration_ms": (int, float), "bytes_in": int, "bytes_out": int, "client": str}


def test_refused():
    """A format that does not exist: exit 2 and a sentence naming the option and the formats, from every command
    that has the option (the flag, the environment variable)."""
    serve = [PROVA, "serve", "--listen", "127.0.0.1:%d" % gwtest.free_port(), "--data", os.path.join(T, "never")]
    cases = [
        (serve + ["--access-log", "bogus"], None, "serve --access-log"),
        (serve, {"PROVA_ACCESS_LOG": "bogus"}, "PROVA_ACCESS_LOG"),
        ([PROVA, "witness", "--access-log", "bogus"], None, "witness --access-log"),
        ([PROVA, "mcp", "--http", "0", "--access-log", "bogus"], None, "mcp --access-log"),
    ]
    for argv, env, what in cases:
        e = dict(os.environ, **env) if env else None
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                               timeout=10)
        except subprocess.TimeoutExpired:  # it started instead (and was killed)
            ok(False, "%s bogus: refused at once, not started" % what)
            continue
        err = r.stderr.decode(errors="replace")
        ok(r.returncode == 2, "%s bogus: exit 2 (got %d: %s)" % (what, r.returncode, err.strip()))
        ok("access-log must be text, json, otlp or off, not 'bogus'" in err, "%s bogus: the message says why: %s" %
           (what, err.strip()))
    ok(not os.path.exists(os.path.join(T, "never")), "a refused option creates no data directory")


def json_lines(path):
    """The log's lines that are JSON objects (the others are the gateway's own messages)."""
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8").splitlines()
    out = []
    for ln in lines:
        if not ln.startswith("{"):
            continue
        try:
            out.append((ln, json.loads(ln)))
        except ValueError:
            ok(False, "an access log line that is not JSON: %r" % ln[:300])
    return out


def test_json():
    sender = make_sender(PROVA, T)
    data = os.path.join(T, "data")
    log_path = os.path.join(T, "json.log")
    gw = Gateway(PROVA, data, log_path, ["--trusted-senders", os.path.join(T, "senders.jwks"), "--access-log",
                                         "json"])
    if not ok(gw.up, "prova serve --access-log json starts"):
        gw.stop()
        return
    token = first_token(data)
    ua = {"User-Agent": UA}
    sent = {}  # request id -> what the request was and what came back

    def call(name, method, path, body=None, tok=None, rid=None, extra=None):
        h = dict(ua, **(extra or {}))
        if rid is not None:
            h["X-Request-Id"] = rid
        st, hd, b = request(method, gw.base + path, body, tok, ctype="application/json" if body else None,
                            headers=h)
        echoed = hd.get("X-Request-Id")
        sent[name] = {"status": st, "rid": echoed, "len": len(b), "body_len": len(body or b"")}
        return st, echoed, b

    try:
        st, rid, _ = call("get", "GET", "/health")
        ok(st == 200, "GET /health: 200 (%d)" % st)
        ok(rid is not None and re.fullmatch(r"[0-9a-f]{32}", rid), "no X-Request-Id sent: 32 hex generated (%r)" % rid)
        st, rid2, _ = call("get2", "GET", "/health")
        ok(rid2 != rid, "each request gets its own id")

        env = envelope(sender, "tx-access", {"i": 1})
        st, rid, _ = call("post", "POST", "/v1/odin/envelope", env, token, rid="client_id.1:A-z-9")
        ok(st == 200, "an authenticated POST of an envelope: 200 (%d)" % st)
        ok(rid == "client_id.1:A-z-9", "a well-formed X-Request-Id is echoed (%r)" % rid)

        st, rid, _ = call("404", "GET", "/no/such/endpoint", rid="r404")
        ok(st == 404 and rid == "r404", "a 404 carries X-Request-Id too (%d, %r)" % (st, rid))

        st, _, _ = call("trace", "GET", "/health", rid="rtrace",
                        extra={"traceparent": "00-%s-00f067aa0ba902b7-01" % TRACE})
        # Not valid as W3C Trace Context says: upper case, all-zero trace id, version ff, a 00 with extra bytes.
        bad = ["00-%s-00F067AA0BA902B7-01" % TRACE.upper(), "00-%s-00f067aa0ba902b7-01" % ("0" * 32),
               "ff-%s-00f067aa0ba902b7-01" % TRACE, "00-%s-00f067aa0ba902b7-01-x" % TRACE]
        for i, tp in enumerate(bad):
            call("badtrace%d" % i, "GET", "/health", rid="rbadtrace%d" % i, extra={"traceparent": tp})

        st, _, _ = call("bearer", "GET", "/v1/receipts/hops/chain/tx-access", tok=token, rid="rbearer")
        ok(st == 200, "GET with a bearer token: 200 (%d)" % st)

        st, _, _ = call("query", "GET", "/v1/receipts/export/tx-access?secret=%s&hmac=%s" % (SECRET, SECRET),
                        rid="rquery")
        ok(st == 200, "GET with a query string: 200 (%d)" % st)

        for i, badid in enumerate(["has space", "x" * 129, "semi;colon", "quote\"d"]):
            st, rid, _ = call("badid%d" % i, "GET", "/health", rid=badid)
            ok(rid is not None and re.fullmatch(r"[0-9a-f]{32}", rid),
               "X-Request-Id %r is not echoed: a new one instead (%r)" % (badid[:20], rid))
        st, rid, _ = call("id128", "GET", "/health", rid="y" * 128)
        ok(rid == "y" * 128, "an X-Request-Id of 128 characters is echoed")
    finally:
        ok(gw.stop() == 0, "the gateway stops cleanly")

    with open(log_path, "rb") as f:
        whole = f.read().decode("utf-8", errors="replace")
    ok(token not in whole, "the bearer token is nowhere in stderr")
    ok(SECRET not in whole, "the query's value is nowhere in stderr")
    ok("00f067aa0ba902b7" not in whole, "the traceparent header itself is not logged (only its trace id)")
    lines = json_lines(log_path)
    ok(len(lines) >= len(sent), "a JSON line per request (%d lines, %d requests)" % (len(lines), len(sent)))
    by_id = {}
    for raw, o in lines:
        ok(isinstance(o, dict), "a JSON object per line")
        keys = set(o) - {"user_agent"}
        ok(keys == set(FIELDS), "the fields: %s" % sorted(o))
        for k, t in FIELDS.items():
            ok(isinstance(o.get(k), t) and not isinstance(o.get(k), bool), "%s is %s: %r" % (k, t, o.get(k)))
        ok(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o.get("time", "")) is not None,
           "time is RFC 3339 UTC with milliseconds: %r" % o.get("time"))
        ok(re.search(r'"duration_ms":\d+\.\d{3}[,}]', raw) is not None, "duration_ms has microsecond precision")
        ok(o.get("duration_ms", -1) >= 0, "duration_ms is not negative")
        ok(o.get("client") == "127.0.0.1", "client is the peer's address: %r" % o.get("client"))
        ok("?" not in o.get("path", "?"), "the path has no query: %r" % o.get("path"))
        ok(o.get("trace_id") is None or re.fullmatch(r"[0-9a-f]{32}", o["trace_id"]), "trace_id: 32 hex or null")
        by_id.setdefault(o.get("request_id"), []).append(o)

    def line(name):
        got = by_id.get(sent.get(name, {}).get("rid"), [])
        ok(len(got) == 1, "one line for the request %s (id %r): %d" % (name, sent.get(name, {}).get("rid"), len(got)))
        return got[0] if got else {}

    for name in sent:  # every request's line: its status and response size, as the client saw them
        o = line(name)
        ok(o.get("status") == sent[name]["status"], "%s: status %r" % (name, o.get("status")))
        ok(o.get("bytes_out") == sent[name]["len"], "%s: bytes_out %r = %d" % (name, o.get("bytes_out"),
                                                                               sent[name]["len"]))
        ok(o.get("bytes_in") == sent[name]["body_len"], "%s: bytes_in %r" % (name, o.get("bytes_in")))
        ok(o.get("user_agent") == UA, "%s: user_agent %r" % (name, o.get("user_agent")))
    o = line("get")
    ok(o.get("method") == "GET" and o.get("route") == "/health" and o.get("path") == "/health" and
       o.get("trace_id") is None, "GET /health: %s" % o)
    o = line("post")
    ok(o.get("method") == "POST" and o.get("route") == "/v1/odin/envelope" and o.get("status") == 200 and
       o.get("bytes_in", 0) > 100, "the POST: %s" % o)
    o = line("404")
    ok(o.get("route") == "unmatched" and o.get("path") == "/no/such/endpoint", "the 404: %s" % o)
    ok(line("trace").get("trace_id") == TRACE, "a valid traceparent gives its trace id")
    for i in range(4):
        ok(line("badtrace%d" % i).get("trace_id") is None, "an invalid traceparent (%d) gives trace_id null" % i)
    o = line("bearer")
    ok(o.get("route") == "/v1/receipts/hops/chain/{trace_id}" and o.get("path") == "/v1/receipts/hops/chain/tx-access",
       "the route is the metrics' name, the path the request's: %s" % o)
    o = line("query")
    ok(o.get("path") == "/v1/receipts/export/tx-access" and o.get("route") == "/v1/receipts/export/{trace_id}",
       "the query string is left out of the path: %s" % o)


def test_text_default():
    """Without --access-log: today's text line, and X-Request-Id all the same; off writes no line."""
    for args, want in (([], True), (["--access-log", "off"], False), (["--access-log", "json", "--quiet"], False)):
        data = os.path.join(T, "data-text")
        log_path = os.path.join(T, "text%d.log" % len(args))
        gw = Gateway(PROVA, data, log_path, args)
        if not ok(gw.up, "prova serve %s starts" % args):
            gw.stop()
            continue
        st, hd, _ = request("GET", gw.base + "/nope?x=%s" % SECRET, ctype=None, headers={"X-Request-Id": "t1"})
        ok(hd.get("X-Request-Id") == "t1", "%s: X-Request-Id echoed" % args)
        gw.stop()
        with open(log_path) as f:
            text = f.read()
        has = re.search(r"^GET /nope 404 \d+us 0B$", text, re.M) is not None
        ok(has == want, "%s: the text line %s: %s" % (args, "written" if want else "not written", text[-300:]))
        ok("{" not in text and SECRET not in text, "%s: no JSON line, no query value" % args)


def main():
    try:
        test_refused()
        test_json()
        test_text_default()
    finally:
        if not gwtest.failed():
            shutil.rmtree(T, ignore_errors=True)
        else:
            print("kept for inspection:", T, file=sys.stderr)
    return gwtest.summary()


if __name__ == "__main__":
    sys.exit(main())
