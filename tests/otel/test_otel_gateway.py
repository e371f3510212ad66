"""prova serve exporting to a real OTLP/HTTP receiver (receiver.mjs: every request decoded by protobufjs against the
official .proto files, or checked against the OTLP JSON rules): server spans that continue the caller's traceparent,
the service's spans beneath them, the receipt hash as a span event, the commit span linked to its requests, the
metrics of /metrics under the same names, access records as log records (--access-log otlp); http/json with gzip and
the headers of OTEL_EXPORTER_OTLP_HEADERS; an https collector with its CA and mutual TLS; retries on 503 with
Retry-After; and a receiver that is down or slow changes nothing for the gateway's clients, only the drop counters.

usage: test_otel_gateway.py PROVA RECEIVER_MJS"""
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from gwtest import Gateway, envelope, first_token, make_sender, ok, request, summary  # noqa: E402

PROVA, RECEIVER = sys.argv[1], sys.argv[2]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
TP_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TP_PARENT = "00f067aa0ba902b7"


class Receiver:
    """receiver.mjs; with env RECEIVER_TLS_*, over https, asked with the ssl context tls (CA and client cert)."""

    def __init__(self, env=None, tls=None):
        self.p = subprocess.Popen(["node", RECEIVER], stdout=subprocess.PIPE, stderr=sys.stderr,
                                  env=dict(os.environ, **(env or {})))
        self.port = int(self.p.stdout.readline())
        self.tls = tls
        self.base = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.port)

    def ask(self, method, path, body=None):
        if not self.tls:
            return request(method, self.base + path, body, ctype=None if body is None else "application/json")[2]
        r = urllib.request.Request(self.base + path, data=body, method=method)
        with urllib.request.urlopen(r, timeout=30, context=self.tls) as resp:
            return resp.read()

    def collected(self):
        return json.loads(self.ask("GET", "/_collected"))

    def behave(self, **kw):
        self.ask("POST", "/_behave", json.dumps(kw).encode())

    def reset(self):
        self.ask("POST", "/_reset", b"{}")

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(10)


def spans_of(col):
    """Every span received: (resource attributes as a dict, scope, span)."""
    out = []
    for req in col["traces"]:
        for rs in req.get("resourceSpans", []):
            res = attrs(rs.get("resource", {}).get("attributes", []))
            for ss in rs.get("scopeSpans", []):
                for sp in ss.get("spans", []):
                    out.append((res, ss.get("scope", {}), sp))
    return out


def value(v):
    for k in ("stringValue", "boolValue", "doubleValue"):
        if k in v:
            return v[k]
    if "intValue" in v:
        return int(v["intValue"])
    return None


def attrs(lst):
    return {a["key"]: value(a["value"]) for a in lst}


def wait_for(rcv, pred, seconds=15):
    deadline = time.time() + seconds
    col = rcv.collected()
    while not pred(col) and time.time() < deadline:
        time.sleep(0.1)
        col = rcv.collected()
    return col


def metric_points(col, name):
    """The data points of every exported metric called name, in export order."""
    pts = []
    for req in col["metrics"]:
        for rm in req.get("resourceMetrics", []):
            for sm in rm.get("scopeMetrics", []):
                for m in sm.get("metrics", []):
                    if m["name"] == name:
                        pts.append(m)
    return pts


def otel_env(port, **extra):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("OTEL_"):
            del env[k]
    env.update({
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:%d" % port,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_BLRP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
        "OTEL_SERVICE_NAME": "prova-test",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=test,team=a%2Cb",
    })
    env.update(extra)
    return env


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tls_collector(tmp):
    """prova canon exporting its span to an https receiver that requires a client certificate."""
    d = os.path.join(tmp, "tls")
    os.makedirs(d)
    p = lambda n: os.path.join(d, n)  # noqa: E731
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("ca.key"),
            "-out", p("ca.pem"), "-days", "2", "-subj", "/CN=prova test CA")
    with open(p("san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p(name + ".key"),
                "-out", p(name + ".csr"), "-subj", "/CN=127.0.0.1" if name == "server" else "/CN=prova")
        openssl("x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
                "-CAcreateserial", "-days", "2", "-out", p(name + ".pem"),
                *(["-extfile", p("san.ext")] if name == "server" else []))
    tls = ssl.create_default_context(cafile=p("ca.pem"))
    tls.load_cert_chain(p("client.pem"), p("client.key"))
    rcv = Receiver({"RECEIVER_TLS_CERT": p("server.pem"), "RECEIVER_TLS_KEY": p("server.key"),
                    "RECEIVER_TLS_CA": p("ca.pem")}, tls)
    doc = p("doc.json")
    with open(doc, "w") as f:
        f.write('{"b":1,"a":2}')

    def canon(**extra):
        env = otel_env(rcv.port, OTEL_EXPORTER_OTLP_ENDPOINT="https://127.0.0.1:%d" % rcv.port,
                       OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none", OTEL_BSP_EXPORT_TIMEOUT="2000", **extra)
        r = subprocess.run([PROVA, "canon", "--profile", "jcs", doc], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        spans = [sp for _, _, sp in spans_of(rcv.collected()) if sp["name"] == "prova canon"]
        return r, spans

    r, spans = canon(OTEL_EXPORTER_OTLP_CERTIFICATE=p("ca.pem"), OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE=p("client.pem"),
                     OTEL_EXPORTER_OTLP_CLIENT_KEY=p("client.key"))
    ok(r.returncode == 0 and r.stdout == b'{"a":2,"b":1}' and len(spans) == 1,
       "over https with the collector's CA and a client certificate the span arrives (%d %s)" % (len(spans), r.stderr))
    rcv.reset()
    r, spans = canon(OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE=p("client.pem"), OTEL_EXPORTER_OTLP_CLIENT_KEY=p("client.key"))
    ok(r.returncode == 0 and not spans and b"otel: traces:" in r.stderr,
       "a collector whose CA is not given is refused, and said so (%s)" % r.stderr[-200:])
    r, spans = canon(OTEL_EXPORTER_OTLP_CERTIFICATE=p("ca.pem"))
    ok(r.returncode == 0 and not spans and b"otel: traces:" in r.stderr,
       "without the client certificate the collector refuses the export (%s)" % r.stderr[-200:])
    r, spans = canon(OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE=p("client.pem"))
    ok(r.returncode == 0 and b"telemetry is off" in r.stderr and b"go together" in r.stderr and not spans,
       "a client certificate without its key: the command runs without telemetry, and says why (%s)" % r.stderr)
    rcv.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="prova-otel-")
    rcv = Receiver()
    sender = make_sender(PROVA, tmp)
    data = os.path.join(tmp, "data")
    log = os.path.join(tmp, "gateway.log")
    gw = Gateway(PROVA, data, log, ["--trusted-senders", os.path.join(tmp, "senders.jwks"), "--access-log", "otlp"],
                 env=otel_env(rcv.port, OTEL_EXPORTER_OTLP_HEADERS="x-api-key=s3cret"))
    if not ok(gw.up, "the gateway starts with telemetry on"):
        print(open(log).read(), file=sys.stderr)
        return summary()
    token = first_token(data)

    # --- traces: a request that continues the caller's trace ------------------------------------------------
    tp = "00-%s-%s-01" % (TP_TRACE, TP_PARENT)
    st, h, body = request("POST", gw.base + "/v1/odin/envelope", envelope(sender, "trace-otel-1", {"n": 1}), token=token,
                          headers={"traceparent": tp, "tracestate": "vendor=abc"})
    ok(st == 200, "an envelope is accepted (%d %s)" % (st, body[:200]))
    receipt_hash = h.get("X-ODIN-Receipt-Hash")
    st, _, _ = request("GET", gw.base + "/v1/receipts/hops/chain/trace-otel-1", ctype=None,
                       headers={"traceparent": "00-%s-%s-00" % ("a" * 32, "b" * 16)})  # not sampled by the caller
    st404, _, _ = request("GET", gw.base + "/no/such/thing", ctype=None)
    ok(st404 == 404, "an unknown path is 404")

    def have_envelope_span(col):
        return any(sp["traceId"] == TP_TRACE and sp.get("kind") == 2 for _, _, sp in spans_of(col))

    col = wait_for(rcv, lambda c: have_envelope_span(c) and any(
        sp["name"].startswith("prova.store.commit") for _, _, sp in spans_of(c)))
    ok(not col["errors"], "every export decodes against the official protos: %s" % col["errors"][:3])
    spans = spans_of(col)
    server = [sp for _, _, sp in spans if sp["traceId"] == TP_TRACE and sp.get("kind") == 2]
    ok(len(server) == 1, "one server span continues the caller's trace (%d)" % len(server))
    if server:
        s = server[0]
        a = attrs(s.get("attributes", []))
        ok(s.get("parentSpanId") == TP_PARENT, "its parent is the caller's span (%s)" % s.get("parentSpanId"))
        ok(s.get("traceState") == "vendor=abc", "tracestate is kept (%s)" % s.get("traceState"))
        ok(re.fullmatch(r"[0-9a-f]{16}", s["spanId"] or "") is not None, "a span id of 16 lowercase hex digits")
        ok(s["name"] == "POST " + a.get("http.route", "?"), "named METHOD route (%s)" % s["name"])
        ok(a.get("http.request.method") == "POST" and a.get("http.response.status_code") == 200,
           "method and status as attributes (%s)" % a)
        ok(a.get("url.path") == "/v1/odin/envelope" and a.get("url.scheme") == "http", "url.path and url.scheme")
        ok(a.get("client.address") == "127.0.0.1", "client.address")
        ok(int(s["endTimeUnixNano"]) >= int(s["startTimeUnixNano"]) > 1700000000 * 10**9, "times in ns since 1970")
        ok(a.get("prova.ope.trace_id") == "trace-otel-1", "the OPE trace id is an attribute (%s)" %
           a.get("prova.ope.trace_id"))
        ev = [e for e in s.get("events", []) if e["name"] == "prova.receipt"]
        ok(len(ev) == 1 and attrs(ev[0].get("attributes", [])).get("prova.receipt.hash") == receipt_hash,
           "the receipt hash is a span event, the same as X-ODIN-Receipt-Hash (%s)" % ev)
        children = [sp for _, _, sp in spans if sp.get("parentSpanId") == s["spanId"]]
        names = sorted(sp["name"] for sp in children)
        ok("prova.verify" in names, "the envelope's verification is a child span (%s)" % names)
        ver = [sp for sp in children if sp["name"] == "prova.verify"]
        if ver:
            va = attrs(ver[0].get("attributes", []))
            ok(va.get("prova.verify.valid") is True and va.get("prova.verify.kind") == "ope_envelope",
               "the verification's kind and verdict (%s)" % va)
        commits = [sp for _, _, sp in spans if sp["name"] == "prova.store.commit"]
        linked = [c for c in commits if any(lk["spanId"] == s["spanId"] for lk in c.get("links", []))]
        ok(len(linked) == 1, "the commit span links to the request's span (%d of %d)" % (len(linked), len(commits)))
        if linked:
            ok(attrs(linked[0].get("attributes", [])).get("prova.store.batch_size", 0) >= 1, "the commit's batch size")
    ok(not any(sp["traceId"] == "a" * 32 for _, _, sp in spans), "a caller's unsampled trace is not recorded")
    nf = [sp for _, _, sp in spans if attrs(sp.get("attributes", [])).get("url.path") == "/no/such/thing"]
    ok(len(nf) == 1 and nf[0]["name"] == "GET" and nf[0].get("status", {}).get("code", 0) == 0,
       "a 404 is a span named GET alone, its status unset (%s)" % [(x["name"], x.get("status")) for x in nf])
    res = spans[0][0] if spans else {}
    ok(res.get("service.name") == "prova-test" and res.get("deployment.environment.name") == "test"
       and res.get("team") == "a,b", "the resource: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES decoded (%s)" % res)
    ok(res.get("telemetry.sdk.name") == "prova" and "service.instance.id" in res, "the SDK's resource attributes")
    scope = spans[0][1] if spans else {}
    ok(scope.get("name") == "prova", "the instrumentation scope is prova (%s)" % scope)
    reqs = col["requests"]
    ok(all(r["contentType"] == "application/x-protobuf" for r in reqs), "http/protobuf by default")
    ok(all(r["headers"].get("x-api-key") == "s3cret" for r in reqs), "OTEL_EXPORTER_OTLP_HEADERS are sent")
    ok(all("prova/" in (r["userAgent"] or "") for r in reqs), "the exporter names itself in User-Agent")

    # --- OpenExecution: the chain id is an attribute, each stored event a span event ---------------------------
    st, _, body = request("POST", gw.base + "/api/v1/chains", json.dumps({
        "chain_type": "resource_audit", "origin_type": "github", "origin_id": "o/r"}).encode(), token=token)
    chain = json.loads(body)["data"]["id"] if st == 201 else None
    ok(chain is not None, "an OpenExecution chain is created (%d)" % st)
    oe_trace = "9" * 32
    st, _, body = request("POST", gw.base + "/api/v1/chains/%s/events" % chain, json.dumps({
        "event_type": "step", "actor_id": "agent-7", "actor_type": "bot", "payload": {"i": 1}}).encode(),
        token=token, headers={"traceparent": "00-%s-%s-01" % (oe_trace, "a" * 16)})
    ev_hash = json.loads(body)["data"]["event_hash"] if st == 201 else None
    col = wait_for(rcv, lambda c: any(sp["traceId"] == oe_trace and sp.get("kind") == 2 for _, _, sp in spans_of(c)))
    oe = [sp for _, _, sp in spans_of(col) if sp["traceId"] == oe_trace and sp.get("kind") == 2]
    ok(len(oe) == 1 and attrs(oe[0].get("attributes", [])).get("prova.oe.chain_id") == chain,
       "the chain id is an attribute of the request's span (%s)" % (oe and attrs(oe[0].get("attributes", []))))
    evs = [e for e in (oe[0].get("events", []) if oe else []) if e["name"] == "prova.oe.event"]
    ok(len(evs) == 1 and ev_hash in json.dumps(evs[0]), "the stored event's hash is a span event (%s)" % evs)

    # --- MCP over /mcp: the tool call's span is the HTTP span's child, or _meta's -----------------------------
    mcp_h = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
    st, h, body = request("POST", gw.base + "/mcp", json.dumps({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "otel-test", "version": "1"}}}).encode(), headers=mcp_h)
    sid = h.get("Mcp-Session-Id")
    ok(st == 200 and sid, "an MCP session over /mcp (%d)" % st)
    mcp_h["Mcp-Session-Id"] = sid or ""
    request("POST", gw.base + "/mcp", json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}).encode(),
            headers=mcp_h)
    mcp_trace, meta_trace = "1" * 32, "2" * 32
    request("POST", gw.base + "/mcp", json.dumps({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "canonicalize", "arguments": {"value": {"b": 1, "a": [2]}, "profile": "jcs"}}}).encode(),
        headers=dict(mcp_h, traceparent="00-%s-%s-01" % (mcp_trace, "3" * 16)))
    request("POST", gw.base + "/mcp", json.dumps({
        "jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "canonicalize", "arguments": {"value": 1},
                   "_meta": {"traceparent": "00-%s-%s-01" % (meta_trace, "4" * 16)}}}).encode(),
        headers=dict(mcp_h, traceparent="00-%s-%s-01" % ("5" * 32, "6" * 16)))
    col = wait_for(rcv, lambda c: sum(1 for _, _, sp in spans_of(c) if sp["name"].startswith("tools/call")) >= 2)
    spans = spans_of(col)
    http_mcp = [sp for _, _, sp in spans if sp["traceId"] == mcp_trace and sp.get("kind") == 2
                and sp["name"].startswith("POST")]
    tool = [sp for _, _, sp in spans if sp["traceId"] == mcp_trace and sp["name"] == "tools/call canonicalize"]
    ok(len(http_mcp) == 1 and len(tool) == 1 and tool[0].get("parentSpanId") == http_mcp[0]["spanId"],
       "the MCP tool call is a child of the /mcp request's span (%s)" % [x["name"] for _, _, x in spans
                                                                     if x["traceId"] == mcp_trace])
    if tool:
        ta = attrs(tool[0].get("attributes", []))
        ok(ta.get("mcp.method.name") == "tools/call" and ta.get("gen_ai.tool.name") == "canonicalize"
           and ta.get("mcp.session.id") == sid, "the MCP semantic conventions' attributes (%s)" % ta)
    meta = [sp for _, _, sp in spans if sp["traceId"] == meta_trace and sp["name"].startswith("tools/call")]
    ok(len(meta) == 1 and meta[0].get("parentSpanId") == "4" * 16,
       "params._meta.traceparent makes the tool call that trace's child (%s)" % meta)

    # --- logs (--access-log otlp): one access record per request, in the request's trace ------------------------
    col = wait_for(rcv, lambda c: any(lr.get("traceId") == TP_TRACE for req in c["logs"]
                                      for rl in req.get("resourceLogs", []) for sl in rl.get("scopeLogs", [])
                                      for lr in sl.get("logRecords", [])))
    records = [lr for req in col["logs"] for rl in req.get("resourceLogs", []) for sl in rl.get("scopeLogs", [])
               for lr in sl.get("logRecords", [])]
    acc = [lr for lr in records if lr.get("traceId") == TP_TRACE]
    ok(len(acc) == 1, "the request's access record carries its trace id (%d)" % len(acc))
    if acc:
        la = attrs(acc[0].get("attributes", []))
        ok(la.get("http.response.status_code") == 200 and la.get("http.request.method") == "POST",
           "the access record's attributes (%s)" % la)
        ok(token not in json.dumps(acc[0]), "no token in the access record")

    # --- metrics: the same names as /metrics ----------------------------------------------------------------
    col = wait_for(rcv, lambda c: metric_points(c, "prova_http_requests_total"))
    reqtotal = metric_points(col, "prova_http_requests_total")
    ok(reqtotal, "prova_http_requests_total is exported")
    if reqtotal:
        m = reqtotal[-1]
        ok("sum" in m and m["sum"].get("isMonotonic") is True and m["sum"].get("aggregationTemporality") == 2,
           "a counter is a cumulative monotonic sum")
        pts = [(attrs(p.get("attributes", [])), int(p.get("asInt", 0))) for p in m.get("sum", {}).get("dataPoints", [])]
        env_pts = [n for a, n in pts if a.get("method") == "POST" and a.get("code") == "200"]
        ok(env_pts and env_pts[0] >= 1, "the POST 200 count (%s)" % pts)
    _, _, text = request("GET", gw.base + "/metrics", ctype=None)
    text = text.decode()
    names = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    col = rcv.collected()
    exported = set(m["name"] for req in col["metrics"] for rm in req.get("resourceMetrics", [])
                   for sm in rm.get("scopeMetrics", []) for m in sm.get("metrics", []))
    ok(names and names - {"prova_build_info"} <= exported | {"prova_build_info"},
       "every family of /metrics is exported under its name (missing: %s)" % sorted(names - exported))
    hist = metric_points(col, "prova_http_request_duration_seconds")
    ok(hist and "histogram" in hist[-1] and hist[-1]["histogram"]["dataPoints"][0].get("explicitBounds"),
       "the latency histogram with explicit bounds")
    ok(re.search(r'^prova_otel_exported_total\{signal="traces"\} [1-9]', text, re.M) is not None,
       "/metrics counts the spans exported")
    gw.stop()

    # --- the CLI: a command's span continues TRACEPARENT; the sink's delivery sends its own context ----------
    rcv.reset()
    proof = os.path.join(tmp, "proof.json")
    with open(proof, "wb") as f:
        f.write(subprocess.run([PROVA, "proof", "sign", "--default-key", DATA + "/proof_minimal.json"],
                               check=True, stdout=subprocess.PIPE).stdout)
    cli_trace, cli_parent = "7" * 32, "8" * 16
    env = otel_env(rcv.port, TRACEPARENT="00-%s-%s-01" % (cli_trace, cli_parent))
    r = subprocess.run([PROVA, "export", "--to", "cloudevents", "--default-key", "--spool", os.path.join(tmp, "spool"),
                        "--post", rcv.base + "/events", proof], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    ok(r.returncode == 0, "prova export --post with telemetry on (%d %s)" % (r.returncode, r.stderr[-300:]))
    col = rcv.collected()  # the command flushed its exporter before it exited
    spans = [sp for _, _, sp in spans_of(col)]
    cmd = [sp for sp in spans if sp["name"] == "prova export"]
    ok(len(cmd) == 1 and cmd[0]["traceId"] == cli_trace and cmd[0].get("parentSpanId") == cli_parent,
       "the command's span continues TRACEPARENT (%s)" % [(x["name"], x["traceId"]) for x in spans])
    deliver = [sp for sp in spans if sp["name"] == "prova.sink.deliver"]
    ok(len(deliver) == 1 and cmd and deliver[0].get("parentSpanId") == cmd[0]["spanId"] and deliver[0]["kind"] == 3,
       "the delivery is a CLIENT span under it")
    posted = col["other"]
    ok(len(posted) == 1, "the event was delivered (%d)" % len(posted))
    if posted and deliver:
        tp_sent = posted[0]["headers"].get("traceparent", "")
        ok(tp_sent == "00-%s-%s-01" % (cli_trace, deliver[0]["spanId"]),
           "the delivery sends traceparent: the trace, the delivery's span (%s)" % tp_sent)

    # --- http/json, gzip; retries on 503 with Retry-After ----------------------------------------------------
    rcv.reset()
    rcv.behave(status=503, retry_after=1, times=2)
    gw = Gateway(PROVA, data, log, [], env=otel_env(rcv.port, OTEL_EXPORTER_OTLP_PROTOCOL="http/json",
                                                      OTEL_EXPORTER_OTLP_COMPRESSION="gzip",
                                                      OTEL_LOGS_EXPORTER="none", OTEL_METRICS_EXPORTER="none"))
    ok(gw.up, "the gateway restarts with http/json")
    t0 = time.time()
    request("GET", gw.base + "/v1/receipts/hops/chain/trace-otel-1", ctype=None,
            headers={"traceparent": "00-%s-%s-01" % ("c" * 32, "d" * 16)})
    col = wait_for(rcv, lambda c: any(sp["traceId"] == "c" * 32 for _, _, sp in spans_of(c)), seconds=20)
    reqs = col["requests"]
    ok(any(sp["traceId"] == "c" * 32 for _, _, sp in spans_of(col)), "the span arrives after two 503s")
    refused = [r for r in reqs if r["answered"] == 503]
    ok(len(refused) == 2, "two exports were refused with 503 (%d)" % len(refused))
    if len(reqs) >= 3:
        ok(reqs[2]["at"] - reqs[1]["at"] >= 900, "Retry-After: 1 is honoured (%d ms)" % (reqs[2]["at"] - reqs[1]["at"]))
    ok(all(r["contentType"] == "application/json" and r["contentEncoding"] == "gzip" for r in reqs),
       "http/json, gzip-compressed")
    ok(not col["errors"], "the JSON follows the OTLP JSON rules: %s" % col["errors"][:3])
    _, _, text = request("GET", gw.base + "/metrics", ctype=None)
    ok(re.search(r'^prova_otel_retries_total\{signal="traces"\} [2-9]', text.decode(), re.M) is not None,
       "the retries are counted")
    ok(time.time() - t0 < 20, "in time")
    gw.stop()

    # --- at shutdown, a last metrics snapshot with the daemon's final counts -----------------------------------
    rcv.reset()
    gw = Gateway(PROVA, data, log, [], env=otel_env(rcv.port, OTEL_METRIC_EXPORT_INTERVAL="600000",
                                                      OTEL_TRACES_EXPORTER="none", OTEL_LOGS_EXPORTER="none"))
    for _ in range(3):
        request("GET", gw.base + "/version", ctype=None)
    ok(gw.stop() == 0, "the gateway stops")
    final = [(attrs(p.get("attributes", [])), int(p.get("asInt", 0))) for m in
             metric_points(rcv.collected(), "prova_http_requests_total") for p in m["sum"]["dataPoints"]]
    ok(any(a.get("route") == "/version" and n == 3 for a, n in final),
       "the export at shutdown carries the requests' final counts (%s)" % final)

    # --- an https collector: its CA from _CERTIFICATE, a client certificate for mutual TLS ---------------------
    tls_collector(tmp)

    # --- the receiver slow, then down: clients are not affected, drops are counted ---------------------------
    rcv.reset()
    rcv.behave(status=200, times=1000, delay_ms=3000)
    gw = Gateway(PROVA, data, log, ["--trusted-senders", os.path.join(tmp, "senders.jwks")],
                 env=otel_env(rcv.port, OTEL_EXPORTER_OTLP_TIMEOUT="300", OTEL_BSP_EXPORT_TIMEOUT="600",
                              OTEL_BSP_MAX_QUEUE_SIZE="64", OTEL_BSP_MAX_EXPORT_BATCH_SIZE="16",
                              OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none"))
    ok(gw.up, "the gateway starts against a slow receiver")
    worst = 0.0
    for i in range(300):
        t = time.time()
        st, _, _ = request("POST", gw.base + "/v1/odin/envelope", envelope(sender, "trace-slow", {"i": i}), token=token)
        worst = max(worst, time.time() - t)
        if st != 200:
            ok(False, "envelope %d: %d" % (i, st))
            break
    ok(worst < 1.0, "no request waits for the slow receiver (worst %.3f s)" % worst)
    rcv.stop()  # and now down
    for i in range(300, 400):
        t = time.time()
        st, _, _ = request("POST", gw.base + "/v1/odin/envelope", envelope(sender, "trace-slow", {"i": i}), token=token)
        worst = max(worst, time.time() - t)
    ok(st == 200 and worst < 1.0, "nor for a receiver that is down (worst %.3f s)" % worst)
    time.sleep(1.5)
    _, _, text = request("GET", gw.base + "/metrics", ctype=None)
    m = re.search(r'^prova_otel_dropped_total\{signal="traces"\} (\d+)', text.decode(), re.M)
    ok(m is not None and int(m.group(1)) > 0, "the spans that could not be exported are counted as dropped (%s)" %
       (m.group(1) if m else None))
    t = time.time()
    rc = gw.stop()
    ok(rc == 0 and time.time() - t < 10, "the gateway stops in time with its receiver down (%.1f s)" % (time.time() - t))
    with open(log) as f:
        text = f.read()
    ok("otel: traces:" in text, "the exporter's trouble is logged")
    ok(len(re.findall(r"otel: traces:", text)) < 20, "at most one line per 10 s about it")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
