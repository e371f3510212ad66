#!/usr/bin/python3
"""prova lineage --format json|dot|graphml|mermaid, black box (docs/lineage.md).

Records made with the CLI (pack, receipt append, bundle in three forms, oe new/append/resolve/certify/supersede, proof
sign), including two traces that carry the same payload (one CID node for both), a certificate and the one that
supersedes it, and records whose ids are hostile (quotes, backslashes, a newline, XML/HTML, mermaid entity codes,
markdown). Each output is read by a real consumer:
  json     Python's json, compared with an independent reconstruction of the graph from the records (this file)
  dot      Graphviz `dot -Tsvg`: exit 0, nothing on stderr; one SVG node per graph node, ids kept
  graphml  networkx.read_graphml: node and edge counts, every node's type and every edge's type
  mermaid  the mermaid library (tests/node_modules, locked) in headless Chromium (tests/cli/mermaid_render.mjs)
and: the same bytes twice and whatever the order of the files, exit codes and messages naming the file.

Usage: test_lineage_cli.py PROVA      prints "N passed, M failed" last; exits 1 on any failure.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import networkx

PROVA = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
DOT = shutil.which("dot") or "/usr/bin/dot"
NODE = shutil.which("node") or "/usr/bin/node"

passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


def run(*args, input=None):
    p = subprocess.run([PROVA, *args], input=input, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def must(*args, input=None):
    rc, out, err = run(*args, input=input)
    if rc != 0:
        raise SystemExit(f"setup: prova {' '.join(args)} exited {rc}: {err.decode(errors='replace')}")
    return out


T = tempfile.mkdtemp(prefix="prova-lineage-")


def path(name):
    return os.path.join(T, name)


def write(name, data):
    with open(path(name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path(name)


def load(name):
    with open(path(name)) as f:
        return json.load(f)


# ---- records ---------------------------------------------------------------------------------------------------------
HOSTILE_TRACE = 't<script>"x"</script>&amp;\'\\#quot;`|end*a*\nz]]>'
HOSTILE_CERT = 'c"<i>#35;\\&lt;'
HOSTILE_NEXT = 'next"<cert>\n{x}'
must("keygen", "--out", path("s.jwk"))
must("keygen", "--out", path("gw.jwk"))
must("keygen", "--out", path("iss.jwk"))
write("s.jwks", must("jwks", path("s.jwk")))
PACK = ["pack", "--key", path("s.jwk"), "--payload-type", "p.v1", "--target-type", "t.v1"]
# trace tr-1: three hops of three payloads; trace tr-2: two hops, its first payload is tr-1's first (one CID)
for i in range(3):
    write(f"env{i}.json", must(*PACK, "--trace-id", "tr-1", "-", input=json.dumps({"step": i}).encode()))
    must("receipt", "append", "--key", path("gw.jwk"), "--chain", path("chain.jsonl"), "--sender-jwks",
         path("s.jwks"), path(f"env{i}.json"))
write("env-b0.json", must(*PACK, "--trace-id", "tr-2", "-", input=json.dumps({"step": 0}).encode()))
write("env-b1.json", must(*PACK, "--trace-id", "tr-2", "-", input=b'{"other":true}'))
for f in ("env-b0.json", "env-b1.json"):
    must("receipt", "append", "--key", path("gw.jwk"), "--chain", path("chain2.jsonl"), "--sender-jwks",
         path("s.jwks"), path(f))
for form in ("starter", "flat", "ope-lib"):
    write(f"bundle-{form}.json", must("bundle", "--key", path("gw.jwk"), "--chain", path("chain.jsonl"),
                                      "--trace-id", "tr-1", "--form", form))
lines = open(path("chain2.jsonl")).read().splitlines()
write("chain2.json", "[" + ",".join(lines) + "]")
# the same chain with its receipts last to first: a prev link waits for the receipt it names
write("chain-reversed.json", "[" + ",".join(reversed(open(path("chain.jsonl")).read().splitlines())) + "]")
# hostile trace: one envelope, two hops
write("henv.json", must(*PACK, "--trace-id", HOSTILE_TRACE, "-", input=b'{"a":1}'))
for _ in range(2):
    must("receipt", "append", "--key", path("gw.jwk"), "--chain", path("hchain.jsonl"), "--sender-jwks",
         path("s.jwks"), path("henv.json"))

# OpenExecution: a chain of three events, certified as c1; c1 superseded by c2, and c2 certifying the same chain
OC = path("oc.json")
must("oe", "new", "--chain", OC, "--created-at", "2026-03-20T09:59:59Z")
for t in ("code_pushed", "pr_opened", "pr_merged"):
    must("oe", "append", "--chain", OC, "--type", t, "--actor", "bob", "--created-at", "2026-03-20T10:00:00Z",
         "-", input=b'{"x":1}')
shutil.copy(OC, path("oc-open.json"))
must("oe", "resolve", "--chain", OC, "--at", "2026-03-20T11:00:00Z")
shutil.copy(OC, path("oc-resolved.json"))
for cid in ("c1", "c2", HOSTILE_CERT):
    shutil.copy(path("oc-resolved.json"), OC)  # certify marks the chain certified: each from the resolved one
    must("oe", "certify", "--key", path("iss.jwk"), "--chain", OC, "--artifact-type", "repo", "--artifact-ref", "x/y",
         "--issued-at", "2026-03-20T11:05:01Z", "--certificate-id", cid, "--out", path(f"ob-{len(cid)}-{cid[:2]}.json"))
OB1, OB2, OBH = path("ob-2-c1.json"), path("ob-2-c2.json"), path(f"ob-{len(HOSTILE_CERT)}-{HOSTILE_CERT[:2]}.json")
must("oe", "supersede", "--key", path("iss.jwk"), "--by", "c2", "--at", "2026-03-21T00:00:00Z", "--out",
     path("ob1-superseded.json"), OB1)
must("oe", "supersede", "--key", path("iss.jwk"), "--by", HOSTILE_NEXT, "--at", "2026-03-21T00:00:00Z", "--out",
     path("obh-superseded.json"), OBH)
oc = load("oc-open.json")
write("events.jsonl", "".join(json.dumps(e) + "\n" for e in oc["events"]))
write("events-reversed.jsonl", "".join(json.dumps(e) + "\n" for e in reversed(oc["events"])))
write("proof.json", must("proof", "sign", "--default-key", os.path.join(HERE, "..", "data", "proof_minimal.json")))


# ---- the graph, rebuilt independently from the records (docs/lineage.md) ---------------------------------------------
class Graph:
    def __init__(self):
        self.nodes = {}  # id -> [type, label, attrs, placeholder]
        self.edges = set()
        self.hashes = {}  # ("r"|"e", hash) -> node id
        self.wants = []  # (node id, kind, prev hash)

    def node(self, typ, nid, label, ref=False):
        if nid in self.nodes:
            n = self.nodes[nid]
            if n[3] and not ref:
                n[1], n[3] = label, False
        else:
            self.nodes[nid] = [typ, label, {}, ref]
        return nid

    def attr(self, nid, k, v):
        a = self.nodes[nid][2]
        if isinstance(v, str) and (k not in a or v.encode() < a[k].encode()):
            a[k] = v  # records that differ: the bytewise smallest value

    def receipt(self, r, trace=None):
        trace = r.get("trace_id") or trace
        hop = str(r["hop"])
        t = self.node("trace", "trace:" + trace, "trace " + trace)
        h = self.node("hop", f"hop:{trace}/{hop}", "hop " + hop)
        for k in ("trace_id", "hop", "ts", "gateway_kid", "receipt_hash", "prev_receipt_hash"):
            self.attr(h, k, trace if k == "trace_id" else hop if k == "hop" else r.get(k))
        self.edges.add((h, t, "hop_of"))
        for k, typ in (("request_cid", "request"), ("normalized_cid", "normalized")):
            if r.get(k):
                self.edges.add((h, self.node("cid", "cid:" + r[k], "cid " + r[k]), typ))
        self.hashes.setdefault(("r", r["receipt_hash"]), h)
        if r.get("prev_receipt_hash"):
            self.wants.append((h, "r", r["prev_receipt_hash"]))

    def event(self, e, chain=None):
        chain = e.get("chain_id") or chain
        seq = str(e["seq"])
        c = self.node("chain", "chain:" + chain, "chain " + chain, ref=True)
        v = self.node("event", f"event:{chain}/{seq}", "event " + seq)
        for k in ("chain_id", "seq", "event_type", "actor_id", "created_at", "event_hash", "prev_hash"):
            self.attr(v, k, chain if k == "chain_id" else seq if k == "seq" else e.get(k))
        self.edges.add((v, c, "event_of"))
        self.hashes.setdefault(("e", e["event_hash"]), v)
        if e.get("prev_hash"):
            self.wants.append((v, "e", e["prev_hash"]))

    def chain(self, ch):
        c = self.node("chain", "chain:" + ch["id"], "chain " + ch["id"])
        for k in ("chain_type", "status", "hash_algorithm", "chain_hash", "created_at"):
            self.attr(c, k, ch.get(k))
        for e in ch.get("events", []):
            self.event(e, ch["id"])

    def add(self, d):
        if isinstance(d, list):
            for x in d:
                (self.receipt if "receipt_hash" in x else self.event)(x)
        elif isinstance(d.get("bundle"), dict):
            t = self.node("trace", "trace:" + d["bundle"]["trace_id"], "trace " + d["bundle"]["trace_id"])
            self.attr(t, "bundle_cid", d.get("bundle_cid"))
            self.attr(t, "exported_at", d["bundle"].get("exported_at"))
            for r in d["bundle"]["receipts"]:
                self.receipt(r, d["bundle"]["trace_id"])
        elif "receipts" in d:
            t = self.node("trace", "trace:" + d["trace_id"], "trace " + d["trace_id"])
            self.attr(t, "bundle_cid", d.get("bundle_cid"))
            self.attr(t, "exported_at", d.get("exported_at"))
            for r in d["receipts"]:
                self.receipt(r, d["trace_id"])
        elif "receipt_hash" in d:
            self.receipt(d)
        elif "certificate" in d:
            self.chain(d["chain"])
            k = self.node("cert", "cert:" + d["certificate_id"], "certificate " + d["certificate_id"])
            st = d.get("status") or {}
            for key, v in (("issued_at", d["certificate"].get("issued_at")),
                           ("artifact_type", d["certificate"].get("artifact_type")),
                           ("artifact_ref", d["certificate"].get("artifact_ref")), ("status", st.get("status"))):
                self.attr(k, key, v)
            self.edges.add((k, "chain:" + d["chain"]["id"], "certifies"))
            if st.get("superseded_by"):
                by = st["superseded_by"]
                self.edges.add((self.node("cert", "cert:" + by, "certificate " + by, ref=True), k, "supersedes"))
        elif "hash_algorithm" in d:
            self.chain(d)
        elif "event_hash" in d:
            self.event(d)
        elif "proof_id" in d:
            p = self.node("proof", "proof:" + d["proof_id"], "proof " + d["proof_id"])
            self.attr(p, "created_at", d["identity"].get("created_at"))
            self.attr(p, "outcome", d["verdict"].get("outcome"))
        else:  # an envelope
            t = self.node("trace", "trace:" + d["trace_id"], "trace " + d["trace_id"])
            self.attr(t, "payload_type", d.get("payload_type"))
            self.attr(t, "target_type", d.get("target_type"))
            self.edges.add((t, self.node("cid", "cid:" + d["cid"], "cid " + d["cid"]), "payload"))

    def json(self):
        for nid, kind, h in self.wants:
            if (kind, h) in self.hashes and self.hashes[(kind, h)] != nid:
                self.edges.add((nid, self.hashes[(kind, h)], "prev"))
        key = lambda s: s.encode()
        nodes = [{"id": i, "type": self.nodes[i][0], "label": self.nodes[i][1],
                  "attrs": dict(sorted(self.nodes[i][2].items()))} for i in sorted(self.nodes, key=key)]
        edges = [{"from": f, "to": t, "type": ty} for f, t, ty in
                 sorted(self.edges, key=lambda e: (key(e[0]), key(e[1]), e[2]))]
        return {"nodes": nodes, "edges": edges}


def expected(*files):
    g = Graph()
    for f in files:
        text = open(f).read()
        try:
            g.add(json.loads(text))
        except json.JSONDecodeError:
            for line in text.splitlines():
                if line.strip():
                    g.add(json.loads(line))
    return g.json()


def lineage(fmt, *files):
    return run("lineage", "--format", fmt, *files)


# ---- sets of records: name -> files ----------------------------------------------------------------------------------
SETS = {
    "envelope": [path("env0.json")],
    "chain.jsonl": [path("chain.jsonl")],
    "bundle starter": [path("bundle-starter.json")],
    "bundle flat": [path("bundle-flat.json")],
    "bundle ope-lib": [path("bundle-ope-lib.json")],
    "two traces, one CID": [path("chain.jsonl"), path("chain2.json"), path("env0.json"), path("env-b0.json")],
    "all OPE forms": [path("bundle-starter.json"), path("bundle-flat.json"), path("bundle-ope-lib.json"),
                      path("chain.jsonl"), path("env1.json")],
    "oe chain open": [path("oc-open.json")],
    "reversed": [path("chain-reversed.json"), path("events-reversed.jsonl")],
    "oe events": [path("events.jsonl")],
    "oe superseded": [path("ob1-superseded.json"), OB2],
    "oe superseded alone": [path("ob1-superseded.json")],
    "hostile": [path("hchain.jsonl"), path("henv.json"), path("obh-superseded.json")],
    "proof": [path("proof.json")],
    "everything": [path("chain.jsonl"), path("chain2.json"), path("henv.json"), path("hchain.jsonl"),
                   path("bundle-ope-lib.json"), path("ob1-superseded.json"), OB2, path("obh-superseded.json"),
                   path("events.jsonl"), path("proof.json")],
}
FORMATS = ["json", "dot", "graphml", "mermaid"]
outputs = {}
for name, files in SETS.items():
    for fmt in FORMATS:
        rc, out, err = lineage(fmt, *files)
        check(rc == 0 and err == b"", f"{name}: --format {fmt} exit 0, quiet", f"{rc} {err.decode(errors='replace')}")
        outputs[(name, fmt)] = out
        rc2, out2, _ = lineage(fmt, *files)
        check(out2 == out, f"{name}: --format {fmt} twice gives the same bytes")
        rc3, out3, _ = lineage(fmt, *reversed(files))
        check(out3 == out, f"{name}: --format {fmt} whatever the order of the files")
    rc, dflt, _ = run("lineage", *files)
    check(dflt == outputs[(name, "json")], f"{name}: json is the default format")

# ---- json: the independent reconstruction ---------------------------------------------------------------------------
for name, files in SETS.items():
    got = json.loads(outputs[(name, "json")])
    want = expected(*files)
    check(got == want, f"{name}: json is the graph rebuilt from the records",
          json.dumps({"got": got, "want": want})[:3000])

g = json.loads(outputs[("two traces, one CID", "json")])
shared = [n["id"] for n in g["nodes"] if n["type"] == "cid"
          and {e["from"].split("/")[0] for e in g["edges"] if e["to"] == n["id"]} >= {"hop:tr-1", "hop:tr-2"}]
check(len(shared) == 1, "two traces, one CID: one cid node named by hops of both traces", shared)
check(sum(n["type"] == "trace" for n in g["nodes"]) == 2 and sum(n["type"] == "hop" for n in g["nodes"]) == 5,
      "two traces, one CID: 2 traces, 5 hops")
check(sum(e["type"] == "prev" for e in g["edges"]) == 3, "two traces: 3 prev links (2 in tr-1, 1 in tr-2)")
check(outputs[("reversed", "json")] == lineage("json", path("chain.jsonl"), path("events.jsonl"))[1],
      "receipts and events last to first: the same graph as in order")
g = json.loads(outputs[("oe superseded", "json")])
check({"from": "cert:c2", "to": "cert:c1", "type": "supersedes"} in g["edges"], "c2 supersedes c1")
c2 = [n for n in g["nodes"] if n["id"] == "cert:c2"][0]
check(c2["attrs"].get("status") == "active" and c2["label"] == "certificate c2", "c2 is the full node", c2)
check(sum(e["type"] == "certifies" for e in g["edges"]) == 2 and sum(n["type"] == "chain" for n in g["nodes"]) == 1,
      "both certificates certify one chain node")
check(sum(e["type"] == "prev" for e in g["edges"]) == 2 and sum(n["type"] == "event" for n in g["nodes"]) == 3,
      "the chain's 3 events, 2 prev links")
g = json.loads(outputs[("oe superseded alone", "json")])
c2 = [n for n in g["nodes"] if n["id"] == "cert:c2"][0]
check(c2["attrs"] == {}, "a superseding certificate not in the records is a node without attributes", c2)
g = json.loads(outputs[("all OPE forms", "json")])
check(sum(n["type"] == "hop" for n in g["nodes"]) == 3 and len(g["nodes"]) == 7,
      "every OPE form of one trace merges into 1 trace, 3 hops, 3 cids", [n["id"] for n in g["nodes"]])
g = json.loads(outputs[("hostile", "json")])
check(any(n["id"] == "trace:" + HOSTILE_TRACE for n in g["nodes"]), "hostile trace id kept exactly in json")
check(any(n["id"] == "cert:" + HOSTILE_NEXT for n in g["nodes"]), "hostile superseded_by kept exactly in json")

# many receipts in a random order (every prev link waits): the graph of the ordered chain, and the rebuild's
import random
rng = random.Random(7)
big = [{"trace_id": "big", "hop": i, "receipt_hash": "h%d" % i, "prev_receipt_hash": "h%d" % (i - 1) if i else None,
        "request_cid": "sha256:%064x" % (i % 97), "normalized_cid": "sha256:%064x" % ((i + 1) % 97)}
       for i in range(5000)]
write("big.json", json.dumps(big))
rng.shuffle(big)
write("big-shuffled.jsonl", "".join(json.dumps(r) + "\n" for r in big))
rc, ordered, _ = lineage("json", path("big.json"))
rc2, shuffled, _ = lineage("json", path("big-shuffled.jsonl"))
check(rc == rc2 == 0 and ordered == shuffled, "5000 receipts shuffled: the ordered chain's graph")
got = json.loads(shuffled)
check(got == expected(path("big.json")) and sum(e["type"] == "prev" for e in got["edges"]) == 4999
      and sum(n["type"] == "cid" for n in got["nodes"]) == 97, "5000 receipts: 4999 prev links, 97 shared CIDs")

# every document of the conformance suite that verifies (conformance/fixtures/verify) is drawn, all at once too
FIX = os.path.join(HERE, "..", "..", "conformance", "fixtures", "verify")
valid_docs = []
for fx in ("ope", "oe", "proof"):
    for case in json.load(open(os.path.join(FIX, fx + ".json")))["cases"]:
        if case["expect"]["outcome"] == "valid":
            valid_docs.append(write(f"conf-{len(valid_docs)}.json", case["document"]))
rc, out, err = lineage("json", *valid_docs)
check(rc == 0 and len(valid_docs) >= 30, f"the {len(valid_docs)} valid conformance documents are drawn together",
      err.decode(errors="replace"))
check(rc != 0 or json.loads(out) == expected(*valid_docs), "conformance documents: json is the rebuilt graph")

# a starter envelope without cid (the reference's client sends none): the cid its gateway computes, by hashlib
st = json.loads(must(*PACK, "--dialect", "starter", "--trace-id", "st-1", "-", input='{"b":"\u00e9","a":1}'.encode()))
st_cid = st.pop("cid")
want_cid = "sha256:" + hashlib.sha256(json.dumps(st["payload"], sort_keys=True, separators=(",", ":"),
                                                 ensure_ascii=True).encode()).hexdigest()
write("starter-nocid.json", json.dumps(st))
rc, out, err = lineage("json", path("starter-nocid.json"))
check(rc == 0 and {"from": "trace:st-1", "to": "cid:" + want_cid, "type": "payload"} in json.loads(out)["edges"]
      and want_cid == st_cid, "a starter envelope without cid: the computed cid (hashlib), as pack wrote it",
      f"{out[:300]} {err}")

# ---- dot: Graphviz renders it ---------------------------------------------------------------------------------------
SVG = "{http://www.w3.org/2000/svg}"
for name in SETS:
    p = subprocess.run([DOT, "-Tsvg"], input=outputs[(name, "dot")], capture_output=True)
    check(p.returncode == 0 and p.stderr == b"", f"{name}: dot -Tsvg exit 0, no warning",
          f"exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    try:
        root = ET.fromstring(p.stdout)
    except ET.ParseError as e:
        check(False, f"{name}: the SVG is XML", str(e))
        continue
    gs = [x for x in root.iter(SVG + "g")]
    nodes = [x for x in gs if x.get("class") == "node"]
    edges = [x for x in gs if x.get("class") == "edge"]
    want = json.loads(outputs[(name, "json")])
    check(len(nodes) == len(want["nodes"]) and len(edges) == len(want["edges"]),
          f"{name}: the SVG has {len(want['nodes'])} nodes and {len(want['edges'])} edges", f"{len(nodes)} {len(edges)}")
    ids = sorted(x.get("id") for x in nodes)
    shown = sorted("".join("\ufffd" if ord(c) < 0x20 else c for c in n["id"]) for n in want["nodes"])
    check(ids == shown, f"{name}: every node's id in the SVG (control characters as U+FFFD)",
          json.dumps([ids, shown])[:1500])

def xml(s):  # a value as XML 1.0 can carry it: control characters are U+FFFD (docs/lineage.md)
    return "".join("\ufffd" if ord(c) < 0x20 or c in "\ufffe\uffff" else c for c in s)


# ---- graphml: networkx reads it -------------------------------------------------------------------------------------
for name in SETS:
    f = write(f"g-{abs(hash(name))}.graphml", outputs[(name, "graphml")])
    try:
        G = networkx.read_graphml(f)
    except Exception as e:  # noqa: BLE001 - any failure to read is the finding
        check(False, f"{name}: networkx reads the GraphML", repr(e))
        continue
    want = json.loads(outputs[(name, "json")])
    check(G.number_of_nodes() == len(want["nodes"]) and G.number_of_edges() == len(want["edges"]),
          f"{name}: graphml has the json's node and edge counts", f"{G.number_of_nodes()} {G.number_of_edges()}")
    check({n: d.get("type") for n, d in G.nodes(data=True)} == {xml(n["id"]): n["type"] for n in want["nodes"]},
          f"{name}: graphml node ids and types")
    check({n: d.get("label") for n, d in G.nodes(data=True)} == {xml(n["id"]): xml(n["label"]) for n in want["nodes"]},
          f"{name}: graphml labels")
    check(all({k: v for k, v in G.nodes[xml(n["id"])].items() if k not in ("type", "label", "placeholder")}
              == {k: xml(v) for k, v in n["attrs"].items()} for n in want["nodes"]), f"{name}: graphml attributes")
    check(all(G.nodes[xml(n["id"])].get("placeholder", False) == (n["type"] != "trace" and n["attrs"] == {}
                                                                   and n["type"] != "cid") for n in want["nodes"]),
          f"{name}: graphml placeholders")
    got_edges = sorted((u, v, d.get("type")) for u, v, d in G.edges(data=True))
    check(got_edges == sorted((xml(e["from"]), xml(e["to"]), e["type"]) for e in want["edges"]),
          f"{name}: graphml edges typed")

# ---- mermaid: the real library parses and renders every graph -------------------------------------------------------
mfiles = {name: write(f"m-{i}.mmd", outputs[(name, "mermaid")]) for i, name in enumerate(SETS)}
p = subprocess.run([NODE, os.path.join(HERE, "mermaid_render.mjs"), *mfiles.values()], capture_output=True,
                   timeout=240)
check(p.returncode == 0, "mermaid_render ran", p.stderr.decode(errors="replace")[-2000:])
res = json.loads(p.stdout or b"{}")
check("__pageErrors" not in res, "mermaid: no page errors", res.get("__pageErrors"))
for name, f in mfiles.items():
    r = res.get(f, {})
    want = json.loads(outputs[(name, "json")])
    check(r.get("ok"), f"{name}: mermaid.parse and render", r.get("error"))
    check(len(r.get("nodes", [])) == len(want["nodes"]) and r.get("paths") == len(want["edges"]),
          f"{name}: mermaid draws every node and edge", f"{len(r.get('nodes', []))} {r.get('paths')}")
    shown = sorted("".join("\ufffd" if ord(c) < 0x20 else c for c in n["label"]) for n in want["nodes"])
    check(sorted(r.get("nodes", [])) == shown, f"{name}: mermaid labels drawn exactly",
          json.dumps([sorted(r.get("nodes", [])), shown])[:1500])

# ---- errors ---------------------------------------------------------------------------------------------------------
write("unknown.json", '{"hello": "world"}')
write("garbage.json", "{not json")
write("badline.jsonl", open(path("chain.jsonl")).read().splitlines()[0] + "\n{oops\n")
write("unknownline.jsonl", open(path("chain.jsonl")).read().splitlines()[0] + '\n{"a":1}\n')
write("nohop.json", json.dumps({k: v for k, v in json.loads(open(path("chain.jsonl")).readline()).items()
                                if k != "hop"} | {"hop": "x"}))
for f, reason, extra in (("unknown.json", "lineage_unknown_document", ""),
                         ("garbage.json", "json_", ""),
                         ("badline.jsonl", "json_", "line 2"),
                         ("unknownline.jsonl", "lineage_unknown_document", "line 2"),
                         ("nohop.json", "lineage_field_invalid", "/hop")):
    rc, out, err = lineage("json", path("env0.json"), path(f))
    e = err.decode(errors="replace")
    check(rc == 2 and out == b"" and path(f) in e and reason in e and extra in e,
          f"{f}: exit 2, nothing written, the file and reason named", f"{rc} {e}")
rc, _, err = lineage("json", path("missing.json"))
check(rc == 2 and b"missing.json" in err, "a missing file: exit 2, named", err)
rc, _, err = lineage("svg", path("env0.json"))
check(rc == 2 and b"json, dot, graphml or mermaid" in err and b"'svg'" in err, "an unknown format: exit 2", err)
rc, _, err = run("lineage")
check(rc == 2, "no FILE: exit 2")
rc, _, err = run("lineage", "--format", "dot", "--out", path("g.dot"), path("env0.json"))
check(rc == 0 and open(path("g.dot"), "rb").read() == lineage("dot", path("env0.json"))[1], "--out writes the graph")
rc, _, err = run("lineage", "--out", path("g.dot"), path("env0.json"))
check(rc == 2 and b"--force" in err, "--out over an existing file needs --force", err)
rc, _, err = run("lineage", "--out", path("g.dot"), "--force", path("env0.json"))
check(rc == 0 and open(path("g.dot"), "rb").read() == outputs[("envelope", "json")], "--force replaces it")
rc, out, _ = run("lineage", "-", input=open(path("chain.jsonl"), "rb").read())
check(rc == 0 and out == outputs[("chain.jsonl", "json")], "- reads stdin")

shutil.rmtree(T)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
