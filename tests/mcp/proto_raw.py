"""Raw JSON-RPC over `prova mcp`'s stdio: what the SDK never sends. Malformed JSON, invalid requests, unknown methods,
requests before initialize, version negotiation, batches, notifications, responses from the client, cancellation,
oversized lines, duplicate keys, deep nesting, EOF mid-call and a client that stops reading.

    python3 proto_raw.py PROVA [extra prova mcp args...]

Prints "ok NAME" / "FAIL NAME: why" and exits with the number of failures."""
import json
import os
import select
import subprocess
import sys
import threading
import time

PROVA = sys.argv[1]
EXTRA = sys.argv[2:]
failures = 0
SUPPORTED = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
LATEST = "2025-11-25"


def ok(name):
    print("ok", name)


def fail(name, why):
    global failures
    failures += 1
    print("FAIL %s: %s" % (name, why))


def check(name, cond, why=""):
    ok(name) if cond else fail(name, why)


class Proc:
    def __init__(self, *args):
        self.p = subprocess.Popen([PROVA, "mcp", "--quiet", *EXTRA, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""

    def send(self, data):
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        if isinstance(data, str):
            data = data.encode()
        if not data.endswith(b"\n"):
            data += b"\n"
        os.write(self.p.stdin.fileno(), data)

    def line(self, timeout=10):
        fd = self.p.stdout.fileno()
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buf += chunk
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln

    def recv(self, timeout=10):
        ln = self.line(timeout)
        if ln is None:
            return None
        return json.loads(ln)  # also checks that each reply is one strict JSON text on one line

    def call(self, msg):
        self.send(msg)
        return self.recv()

    def init(self, version=LATEST):
        r = self.call({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                       "params": {"protocolVersion": version, "capabilities": {},
                                  "clientInfo": {"name": "raw", "version": "0"}}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return r

    def close(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = "hung"
        self.p.stdout.close()
        self.p.stderr.close()
        return rc


def err_code(r):
    return r and r.get("error", {}).get("code")


def is_error(name, r, code, id_=None, needle=None):
    good = (r is not None and r.get("jsonrpc") == "2.0" and "result" not in r and err_code(r) == code and
            "id" in r and r["id"] == id_ and isinstance(r["error"].get("message"), str))
    if good and needle:
        good = needle in r["error"]["message"]
    check(name, good, "want error %s id %r%s, got %r" % (code, id_, " with %r" % needle if needle else "", r))


def ping_after(name, p, id_=99):
    """The next reply is the ping's: whatever came before got no reply."""
    r = p.call({"jsonrpc": "2.0", "id": id_, "method": "ping"})
    check(name, r == {"jsonrpc": "2.0", "id": id_, "result": {}}, "want the ping's reply, got %r" % r)


# ---- Version negotiation ----------------------------------------------------------------------------------
for v in SUPPORTED + ["1999-01-01", "2025-99-99"]:
    p = Proc()
    r = p.init(v)
    want = v if v in SUPPORTED else LATEST
    res = (r or {}).get("result", {})
    check("initialize %s -> %s" % (v, want), r and r["id"] == 0 and res.get("protocolVersion") == want and
          res.get("serverInfo", {}).get("name") == "prova" and
          res.get("capabilities") == {"tools": {"listChanged": False},
                                      "resources": {"subscribe": False, "listChanged": False}} and
          isinstance(res.get("instructions"), str), repr(r))
    check("rc 0 at EOF (%s)" % v, p.close() == 0)

# ---- Before initialize ------------------------------------------------------------------------------------
p = Proc()
r = p.call({"jsonrpc": "2.0", "id": 1, "method": "ping"})
check("ping before initialize", r == {"jsonrpc": "2.0", "id": 1, "result": {}}, repr(r))
is_error("tools/list before initialize", p.call({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}), -32600, 2,
         "initialize")
is_error("initialize without protocolVersion",
         p.call({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"capabilities": {}}}), -32602, 3)
is_error("initialize with params.capabilities a string",
         p.call({"jsonrpc": "2.0", "id": 4, "method": "initialize",
                 "params": {"protocolVersion": LATEST, "capabilities": "x"}}), -32602, 4)
r = p.init()
check("initialize after a failed one", r and r.get("result", {}).get("protocolVersion") == LATEST, repr(r))
is_error("second initialize", p.call({"jsonrpc": "2.0", "id": 5, "method": "initialize",
                                      "params": {"protocolVersion": LATEST, "capabilities": {}}}), -32600, 5,
         "already initialized")

# ---- Malformed and invalid messages -----------------------------------------------------------------------
is_error("parse error", p.call('{"jsonrpc":"2.0","id":1,"method":"ping"'), -32700, None, "Parse error")
is_error("parse error: garbage", p.call("hello"), -32700, None)
is_error("parse error: trailing data", p.call('{"jsonrpc":"2.0","id":1,"method":"ping"} {}'), -32700, None)
is_error("parse error: invalid UTF-8", p.call(b'{"jsonrpc":"2.0","id":1,"method":"\xff"}'), -32700, None)
is_error("duplicate keys", p.call('{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}'), -32700, None, "duplicate")
is_error("not an object", p.call('"ping"'), -32600, None)
is_error("a number", p.call("42"), -32600, None)
is_error("jsonrpc 1.0", p.call({"jsonrpc": "1.0", "id": 7, "method": "ping"}), -32600, 7, "jsonrpc")
is_error("jsonrpc missing", p.call({"id": 8, "method": "ping"}), -32600, 8)
is_error("id null", p.call({"jsonrpc": "2.0", "id": None, "method": "ping"}), -32600, None, "id")
is_error("id float", p.call('{"jsonrpc":"2.0","id":1.5,"method":"ping"}'), -32600, None, "id")
is_error("id object", p.call({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}), -32600, None)
is_error("method not a string", p.call({"jsonrpc": "2.0", "id": 9, "method": 5}), -32600, 9, "method")
is_error("no method", p.call({"jsonrpc": "2.0", "id": 10}), -32600, 10)
is_error("params an array", p.call({"jsonrpc": "2.0", "id": 11, "method": "tools/list", "params": []}), -32602, 11)
is_error("params a string", p.call({"jsonrpc": "2.0", "id": 12, "method": "tools/list", "params": "x"}), -32600, 12)
is_error("unknown method", p.call({"jsonrpc": "2.0", "id": "u1", "method": "tools/destroy"}), -32601, "u1",
         "tools/destroy")
r = p.call({"jsonrpc": "2.0", "id": "s-\u00e9\u4e2d", "method": "ping"})
check("string id echoed (non-ASCII)", r == {"jsonrpc": "2.0", "id": "s-\u00e9\u4e2d", "result": {}}, repr(r))
r = p.call('{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}')
check("big integer id echoed", r and r.get("id") == 12345678901234567890, repr(r))
is_error("tools/call without name", p.call({"jsonrpc": "2.0", "id": 13, "method": "tools/call", "params": {}}),
         -32602, 13)
is_error("tools/call unknown tool", p.call({"jsonrpc": "2.0", "id": 14, "method": "tools/call",
                                            "params": {"name": "nope", "arguments": {}}}), -32602, 14, "nope")
is_error("tools/call arguments an array",
         p.call({"jsonrpc": "2.0", "id": 15, "method": "tools/call",
                 "params": {"name": "canonicalize_value", "arguments": [1]}}), -32602, 15, "arguments")
is_error("tools/list with a cursor", p.call({"jsonrpc": "2.0", "id": 16, "method": "tools/list",
                                             "params": {"cursor": "x"}}), -32602, 16)
is_error("resources/read without uri", p.call({"jsonrpc": "2.0", "id": 17, "method": "resources/read",
                                               "params": {}}), -32602, 17)
r = p.call({"jsonrpc": "2.0", "id": 18, "method": "resources/read", "params": {"uri": "file:///etc/passwd"}})
is_error("resources/read unknown uri", r, -32002, 18)
check("-32002 names the uri", r and r.get("error", {}).get("data", {}).get("uri") == "file:///etc/passwd", repr(r))

# ---- Notifications, responses, batches --------------------------------------------------------------------
p.send({"jsonrpc": "2.0", "method": "notifications/whatever", "params": {"x": 1}})
ping_after("unknown notification: no reply", p, 100)
p.send({"jsonrpc": "2.0", "method": "tools/list"})  # a request without id is a notification: never answered
ping_after("notification of a request method: no reply", p, 101)
p.send({"jsonrpc": "2.0", "id": 77, "result": {}})
p.send({"jsonrpc": "2.0", "id": 78, "error": {"code": -1, "message": "x"}})
ping_after("responses from the client: no reply", p, 102)
p.send("\n\n   \n")
ping_after("blank lines: no reply", p, 103)
r = p.call([{"jsonrpc": "2.0", "id": 1, "method": "ping"},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "nope"},
            {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
             "params": {"name": "canonicalize_value", "arguments": {"value_json": "[1.0,2]"}}},
            5])
check("batch answered as an array", isinstance(r, list) and len(r) == 4 and r[0] == {"jsonrpc": "2.0", "id": 1,
      "result": {}} and err_code(r[1]) == -32601 and r[2]["id"] == 3 and
      r[2]["result"]["structuredContent"]["canonical"] == "[1.0,2]" and err_code(r[3]) == -32600, repr(r))
is_error("empty batch", p.call("[]"), -32600, None, "empty batch")
p.send([{"jsonrpc": "2.0", "method": "notifications/initialized"}])
ping_after("batch of notifications: no reply", p, 104)
r = p.call([{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": LATEST}}])
check("initialize in a batch refused", isinstance(r, list) and err_code(r[0]) == -32600, repr(r))

# ---- Cancellation: a reply not yet written is withdrawn ---------------------------------------------------
call = {"jsonrpc": "2.0", "id": "c1", "method": "tools/call",
        "params": {"name": "canonicalize_value", "arguments": {"value_json": "{}"}}}
cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "c1", "reason": "test"}}
p.send(json.dumps(call) + "\n" + json.dumps(cancel) + "\n")
ping_after("cancelled request gets no reply", p, 105)
p.send(json.dumps(cancel))  # a cancellation for a request already answered (or unknown): ignored
ping_after("late cancellation ignored", p, 106)

# ---- Limits -------------------------------------------------------------------------------------------------
deep = '{"jsonrpc":"2.0","id":20,"method":"ping","params":{"x":' + "[" * 5000 + "]" * 5000 + "}}"
is_error("deeply nested params", p.call(deep), -32700, None, "nest")
r = p.call({"jsonrpc": "2.0", "id": 21, "method": "tools/call",
            "params": {"name": "canonicalize_value", "arguments": {"value_json": "[" * 3000 + "]" * 3000}}})
check("deeply nested document in an argument: a tool error",
      r and r.get("id") == 21 and r.get("result", {}).get("isError") is True, repr(r)[:300])
check("still alive after the limits", p.close() == 0)

p = Proc("--max-message", "2048")
p.init()
p.send('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + "x" * 300000 + '"}}')
is_error("oversized line", p.recv(), -32600, None, "2048")
ping_after("a normal request after the oversized line", p, 107)
p.send('{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"' + "y" * 2100 + '"}}\n'
       + '{"jsonrpc":"2.0","id":3,"method":"ping"}')
is_error("oversized line inside one read", p.recv(), -32600, None)
r = p.recv()
check("the next line in the same read is answered", r == {"jsonrpc": "2.0", "id": 3, "result": {}}, repr(r))
r = p.call('{"jsonrpc":"2.0","id":4,"method":"ping","params":{"pad":"' + "z" * 1900 + '"}}')
check("a line just under the limit", r == {"jsonrpc": "2.0", "id": 4, "result": {}}, repr(r))
check("rc 0 (limits)", p.close() == 0)

# ---- Pipelining: many requests in one write, all answered in order ---------------------------------------
p = Proc()
p.init()
n = 3000
# written from a thread: prova answers while the client is still writing (a full pipe both ways would deadlock)
threading.Thread(target=p.send, args=("".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                           "params": {"name": "canonicalize_value", "arguments": {"value_json": "[%d]" % i}}}) + "\n"
               for i in range(n)),)).start()
got = [p.recv() for _ in range(n)]
check("3000 pipelined calls answered in order",
      all(g and g["id"] == i and g["result"]["structuredContent"]["canonical"] == "[%d]" % i
          for i, g in enumerate(got)), repr([g for g in got if not g][:1]))
check("rc 0 (pipelining)", p.close() == 0)

# ---- EOF mid-call: the call finishes, then exit 0 -------------------------------------------------------------
p = Proc()
p.init()
p.send({"jsonrpc": "2.0", "id": "last", "method": "tools/call",
        "params": {"name": "canonicalize_value", "arguments": {"value_json": "[true]"}}})
p.p.stdin.close()
r = p.recv()
check("EOF mid-call: the reply still comes", r and r.get("id") == "last" and "result" in r, repr(r))
check("EOF mid-call: exit 0", p.close() == 0)

p = Proc()  # a last message without its newline
os.write(p.p.stdin.fileno(), b'{"jsonrpc":"2.0","id":1,"method":"ping"}')
p.p.stdin.close()
r = p.recv()
check("a last line without a newline is answered", r == {"jsonrpc": "2.0", "id": 1, "result": {}}, repr(r))
check("rc 0 (no newline)", p.close() == 0)

# ---- A client that stops reading: EPIPE, no crash ---------------------------------------------------------------
p = Proc()
p.init()
p.p.stdout.close()  # nobody reads prova's stdout any more
msgs = "".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                           "params": {"name": "canonicalize_value",
                                      "arguments": {"value_json": "[\"%s\"]" % ("p" * 500)}}}) + "\n"
               for i in range(2000)).encode()
try:
    os.write(p.p.stdin.fileno(), msgs)
except BrokenPipeError:
    pass
try:
    p.p.stdin.close()
except BrokenPipeError:
    pass
try:
    rc = p.p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.p.kill()
    rc = "hung"
err = p.p.stderr.read().decode(errors="replace")
check("EPIPE: exits without a signal", rc == 0, "rc %r, stderr %r" % (rc, err[:300]))
check("EPIPE: no sanitizer report", "Sanitizer" not in err and "runtime error" not in err, err[:500])

sys.exit(failures)
