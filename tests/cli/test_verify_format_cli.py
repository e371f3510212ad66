#!/usr/bin/python3
"""prova verify --format text|json|html|dot|mermaid, black box (docs/cli.md "prova verify --format").

Documents made with the CLI (pack, receipt append, bundle in three forms, oe new/append/resolve/certify/supersede/
revoke, proof sign), tampered copies, and documents whose ids are hostile (quotes, backslashes, newlines, <script>,
mermaid entity codes, markdown). Each output is read by a real consumer:
  dot      Graphviz `dot -Tsvg`: exit 0, nothing on stderr; the SVG's nodes, labels and broken edges
  mermaid  the mermaid library (tests/node_modules, locked) in headless Chromium: mermaid.parse() and render()
  html     Python's html.parser: balanced tags, no script, nothing external, every value escaped, the checks shown;
           axe-core (WCAG 2 A/AA) in Chromium at a phone's width: no violation, no sideways page scroll, no request
and: json is --json byte for byte, the exit codes are the text format's, two runs give the same bytes.

Usage: test_verify_format_cli.py PROVA      prints "N passed, M failed" last; exits 1 on any failure.
"""
import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PROVA = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
DOT = shutil.which("dot") or "/usr/bin/dot"
NODE = shutil.which("node") or "/usr/bin/node"
NOW = "2026-12-07T12:00:00Z"
FORMATS = ["text", "json", "html", "dot", "mermaid"]

passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


def run(*args, input=None, cwd=None):
    p = subprocess.run([PROVA, *args], input=input, capture_output=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def must(*args, input=None):
    rc, out, err = run(*args, input=input)
    if rc != 0:
        raise SystemExit(f"setup: prova {' '.join(args)} exited {rc}: {err.decode(errors='replace')}")
    return out


T = tempfile.mkdtemp(prefix="prova-vfmt-")


def path(name):
    return os.path.join(T, name)


def write(name, data):
    with open(path(name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path(name)


def load(name):
    with open(path(name)) as f:
        return json.load(f)


# ---- documents -----------------------------------------------------------------------------------------------------
# Hostile values: a DOT string end, backslash escapes (\N, \n as text), a real newline, HTML, mermaid entity codes and
# markdown, a YAML quote; each shorter than the graph labels' cut (48 characters).
HOSTILE_TRACE = 't<script>"x"</script>&amp;\'\\#quot;`|end*a*\nz'
HOSTILE_KID = 'gw"<b>\\N&lt;x]{'  # a kid is printable ASCII
HOSTILE_CERT = 'c"<i>#35;\\'
must("keygen", "--out", path("s.jwk"))
must("keygen", "--out", path("gw.jwk"))
must("keygen", "--kid", HOSTILE_KID, "--out", path("hgw.jwk"))
must("keygen", "--out", path("iss.jwk"))
write("s.jwks", must("jwks", path("s.jwk")))
write("gw.jwks", must("jwks", path("gw.jwk")))
write("hgw.jwks", must("jwks", path("hgw.jwk")))
write("iss.jwks", must("jwks", path("iss.jwk")))

PACK = ["pack", "--key", path("s.jwk"), "--payload-type", "p.v1", "--target-type", "t.v1"]
for i in range(3):
    write(f"env{i}.json", must(*PACK, "--trace-id", "tr-1", "-", input=json.dumps({"step": i}).encode()))
    must("receipt", "append", "--key", path("gw.jwk"), "--chain", path("chain.jsonl"), "--sender-jwks",
         path("s.jwks"), path(f"env{i}.json"))
for form in ("starter", "flat", "ope-lib"):
    write(f"bundle-{form}.json", must("bundle", "--key", path("gw.jwk"), "--chain", path("chain.jsonl"),
                                      "--trace-id", "tr-1", "--form", form))
b = load("bundle-starter.json")
del b["bundle"]["receipts"][1]
write("bundle-dropped.json", json.dumps(b))
lines = open(path("chain.jsonl")).read().splitlines()
r2 = json.loads(lines[2])
r2["prev_receipt_hash"] = "0" * 64
write("chain-relinked.jsonl", "\n".join(lines[:2] + [json.dumps(r2)]) + "\n")
write("chain.json", "[" + ",".join(lines) + "]")

# hostile: two hops of one envelope (one CID node shared by both), through a gateway with a hostile kid
write("henv.json", must(*PACK, "--trace-id", HOSTILE_TRACE, "-", input=b'{"a":1}'))
for _ in range(2):
    must("receipt", "append", "--key", path("hgw.jwk"), "--chain", path("hchain.jsonl"), "--sender-jwks",
         path("s.jwks"), path("henv.json"))
write("hbundle.json", must("bundle", "--key", path("hgw.jwk"), "--chain", path("hchain.jsonl"), "--trace-id",
                           HOSTILE_TRACE))

# OpenExecution: a chain of three events, certified, then superseded (by a hostile id) and revoked copies
OC = path("oc.json")
must("oe", "new", "--chain", OC, "--created-at", "2026-03-20T09:59:59Z", "--origin-id", 'o"<x>\\')
for t in ("code_pushed", "pr_opened", "pr_merged"):
    must("oe", "append", "--chain", OC, "--type", t, "--actor", 'bob"<u>', "--created-at", "2026-03-20T10:00:00Z",
         "-", input=b'{"x":1}')
shutil.copy(OC, path("oc-open.json"))
must("oe", "resolve", "--chain", OC, "--at", "2026-03-20T11:00:00Z")
must("oe", "certify", "--key", path("iss.jwk"), "--chain", OC, "--artifact-type", "repo", "--artifact-ref", "x/y",
     "--issued-at", "2026-03-20T11:05:01Z", "--certificate-id", HOSTILE_CERT, "--out", path("ob.json"))
must("oe", "supersede", "--key", path("iss.jwk"), "--by", 'next"<cert>', "--at", "2026-03-21T00:00:00Z",
     "--out", path("ob-superseded.json"), path("ob.json"))
must("oe", "revoke", "--key", path("iss.jwk"), "--reason", "bad", "--at", "2026-03-21T00:00:00Z",
     "--out", path("ob-revoked.json"), path("ob.json"))
ob = load("ob.json")
ob["chain"]["events"][1]["payload"]["x"] = 2
write("ob-tampered.json", json.dumps(ob))
oc = load("oc-open.json")
oc["events"][2]["prev_hash"] = "0" * 64
write("oc-relinked.json", json.dumps(oc))
oc = load("oc-open.json")
write("events.jsonl", "".join(json.dumps(e) + "\n" for e in oc["events"]))

# a proof record
write("proof.json", must("proof", "sign", "--default-key", os.path.join(HERE, "..", "data", "proof_minimal.json")))
# the bundle inside a CloudEvent and a DSSE envelope (the graph is the bundle's); a tampered DSSE signature
write("bundle.ce.json", must("export", "--to", "cloudevents", "--jwks", path("gw.jwks"), path("bundle-starter.json")))
write("bundle.dsse.json", must("export", "--to", "dsse", "--jwks", path("gw.jwks"), "--sign-key", path("gw.jwk"),
                               path("bundle-starter.json")))
d = load("bundle.dsse.json")
d["signatures"][0]["sig"] = d["signatures"][0]["sig"][::-1]
write("bundle.dsse-badsig.json", json.dumps(d))
write("garbage.json", "{not json")
write("unknown.json", '{"hello": "world"}')

# name: (file, extra options, expected exit code)
DOCS = {
    "envelope": ("env0.json", ["--jwks", path("s.jwks"), "--no-skew"], 0),
    "chain.jsonl": ("chain.jsonl", ["--jwks", path("gw.jwks")], 0),
    "chain.json": ("chain.json", ["--jwks", path("gw.jwks")], 0),
    "chain relinked": ("chain-relinked.jsonl", ["--jwks", path("gw.jwks")], 1),
    "bundle starter": ("bundle-starter.json", ["--jwks", path("gw.jwks")], 0),
    "bundle flat": ("bundle-flat.json", ["--jwks", path("gw.jwks")], 0),
    "bundle ope-lib": ("bundle-ope-lib.json", ["--jwks", path("gw.jwks")], 0),
    "bundle dropped hop": ("bundle-dropped.json", ["--jwks", path("gw.jwks")], 1),
    "hostile bundle": ("hbundle.json", ["--jwks", path("hgw.jwks")], 0),
    "oe chain open": ("oc-open.json", [], 0),
    "oe chain": ("oc.json", [], 0),
    "oe chain relinked": ("oc-relinked.json", [], 1),
    "oe events": ("events.jsonl", [], 0),
    "oe bundle": ("ob.json", ["--key", path("iss.jwk")], 0),
    "oe bundle superseded": ("ob-superseded.json", ["--key", path("iss.jwk")], 1),
    "oe bundle revoked": ("ob-revoked.json", ["--key", path("iss.jwk")], 1),
    "oe bundle tampered": ("ob-tampered.json", ["--key", path("iss.jwk")], 1),
    "proof": ("proof.json", ["--default-key"], 0),
    "cloudevent": ("bundle.ce.json", ["--jwks", path("gw.jwks")], 0),
    "dsse": ("bundle.dsse.json", ["--jwks", path("gw.jwks")], 0),
    "dsse bad signature": ("bundle.dsse-badsig.json", ["--jwks", path("gw.jwks")], 1),
    "not json": ("garbage.json", [], 2),
    "unknown kind": ("unknown.json", [], 2),
}


def verify(name, fmt):
    f, opts, _ = DOCS[name]
    args = ["verify", "--now", NOW, *opts]
    if fmt is not None:
        args += ["--format", fmt]
    return run(*args, path(f))


outputs = {}  # (name, format) -> stdout
for name, (f, opts, want) in DOCS.items():
    rc_text, text, _ = verify(name, None)
    check(rc_text == want, f"{name}: text exit {rc_text}, expected {want}")
    for fmt in FORMATS:
        rc, out, err = verify(name, fmt)
        check(rc == want, f"{name}: --format {fmt} exit {rc}, expected {want}", err.decode(errors="replace"))
        check(len(out) > 0, f"{name}: --format {fmt} wrote something")
        outputs[(name, fmt)] = out
        rc2, out2, _ = verify(name, fmt)
        check(out2 == out and rc2 == rc, f"{name}: --format {fmt} twice gives the same bytes")
    check(outputs[(name, "text")] == text, f"{name}: --format text is the default")
    rc, js, _ = run("verify", "--now", NOW, *opts, "--json", path(f))
    check(js == outputs[(name, "json")] and rc == want, f"{name}: --format json is --json byte for byte")
    rc, js2, _ = run("verify", "--now", NOW, *opts, "--format=json", path(f))
    check(js2 == js, f"{name}: --format=json is --json")

# ---- exit codes and usage ----------------------------------------------------------------------------------------
for fmt in FORMATS:
    rc, out, err = run("verify", "--format", fmt, path("missing.json"))
    check(rc == 2, f"missing file --format {fmt}: exit {rc}")
    if fmt == "json":
        rc2, out2, _ = run("verify", "--json", path("missing.json"))
        check(out == out2 and json.loads(out)["checks"][0]["code"] == "file_not_found",
              "missing file: --format json is the --json failure report", out.decode())
    elif fmt != "text":
        check(out == b"", f"missing file --format {fmt}: nothing on stdout", out.decode())
rc, out, err = run("verify", "--format", "xml", path("env0.json"))
check(rc == 2 and b"--format" in err and out == b"", "--format xml is refused", err.decode())
rc, out, err = run("verify", "--format", "xml", "--json", path("env0.json"))
check(rc == 2 and json.loads(out)["checks"][0]["code"] == "usage", "--format xml --json: a JSON usage report")
rc, out, err = run("verify", "--json", "--format", "html", path("env0.json"))
check(rc == 2 and b"do not go together" in err, "--json with --format html is refused", err.decode())
rc, out, err = run("verify", "--format", "dot", "--format", "html", path("env0.json"))
check(rc == 2 and b"given twice" in err, "--format twice is refused", err.decode())
rc, out, err = run("verify", "--format", "json", "--jsno", path("env0.json"))
check(rc == 2 and json.loads(out)["checks"][0]["code"] == "unknown_option", "--format json: usage errors as JSON")
rc, out, err = run("verify", "--format", "html", "-", input=open(path("bundle-starter.json"), "rb").read())
check(rc == 1 and b"INVALID" in out, "stdin: html (no --jwks: the key is not trusted)", err.decode())
rc, out, err = run("verify", "--format", "dot", path("garbage.json"))
check(rc == 2 and b"garbage.json:1:" in err and out.startswith(b"digraph"), "not JSON: a graph and the error",
      err.decode())


# ---- dot: Graphviz renders it, and the SVG shows the graph ---------------------------------------------------------
SVG = "{http://www.w3.org/2000/svg}"


def render_dot(name):
    src = outputs[(name, "dot")]
    p = subprocess.run([DOT, "-Tsvg"], input=src, capture_output=True)
    check(p.returncode == 0 and p.stderr == b"", f"{name}: dot -Tsvg exit 0, no warning",
          f"exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    nodes, edges = {}, []
    try:
        root = ET.fromstring(p.stdout)
    except ET.ParseError:
        return {}, [], ""
    for g in root.iter(SVG + "g"):
        cls = g.get("class")
        if cls not in ("node", "edge"):
            continue
        title = g.find(SVG + "title").text
        text = "\n".join("".join(t.itertext()) for t in g.iter(SVG + "text"))
        shapes = [s for s in g if s.tag in (SVG + "path", SVG + "polygon", SVG + "ellipse")]
        style = " ".join(f"{s.get('fill')} {s.get('stroke')} {s.get('stroke-dasharray')}" for s in shapes)
        if cls == "node":
            nodes[title] = (text, style)
        else:
            edges.append((title, text, style))
    graph_title = "".join(next(root.iter(SVG + "g")).find(SVG + "text").itertext())
    return nodes, edges, graph_title


def labels(nodes, prefix):  # the labels of nodes prefix0, prefix1, ...
    return [t for k, (t, _) in sorted(nodes.items()) if re.fullmatch(prefix + r"\d*", k)]


nodes, edges, title = render_dot("bundle starter")
check(len(labels(nodes, "hop")) == 3 and len(labels(nodes, "cid")) == 3 and "bundle" in nodes and len(nodes) == 7,
      "bundle: 3 hops, 3 CIDs, the bundle", sorted(nodes))
check(title.startswith("prova verify: VALID, ope_bundle"), "bundle: the graph label has the verdict", title)
check([t for t, _, _ in edges if "&#45;&gt;" in t or "->" in t] and
      {"hop0->hop1", "hop1->hop2", "bundle->hop0"} <= {t.replace("&#45;&gt;", "->") for t, _, _ in edges},
      "bundle: hop n -> hop n+1", [t for t, _, _ in edges])
check(all("hop " in t and "ok" in t for t in labels(nodes, "hop")), "bundle: hop labels", labels(nodes, "hop"))

nodes, edges, title = render_dot("bundle dropped hop")
check(title.startswith("prova verify: INVALID"), "dropped hop: INVALID in the graph label", title)
broken = [e for e in edges if "broken link" in e[1]]
check(len(broken) == 1 and broken[0][0].replace("&#45;&gt;", "->") == "hop0->hop1" and "chain_broken" in broken[0][1]
      and "#a4001d" in broken[0][2] and broken[0][2].count("5,2") >= 1, "dropped hop: one dashed red broken edge",
      broken)
check("FAIL: hop_mismatch" in nodes["hop1"][0] and "#fde7ea" in nodes["hop1"][1], "dropped hop: hop1 marked failed",
      nodes["hop1"])
check("FAIL" not in nodes["hop0"][0], "dropped hop: hop0 not marked", nodes["hop0"])
check("FAIL: bundle_cid_mismatch" in nodes["bundle"][0], "dropped hop: the bundle marked", nodes["bundle"])

nodes, edges, _ = render_dot("chain relinked")
broken = [e for e in edges if "broken link" in e[1]]
check(len(broken) == 1 and broken[0][0].replace("&#45;&gt;", "->") == "hop1->hop2", "relinked: hop1 -> hop2 broken",
      broken)

nodes, edges, _ = render_dot("hostile bundle")
check(len(labels(nodes, "hop")) == 2 and len(labels(nodes, "cid")) == 1, "hostile: one CID node shared by both hops",
      sorted(nodes))
shown_kid = HOSTILE_KID
shown_trace = HOSTILE_TRACE.replace("\n", "\ufffd")  # a control character is drawn as U+FFFD
check(all(shown_kid in t for t in labels(nodes, "hop")), "hostile: the kid drawn as it is", labels(nodes, "hop"))
check(shown_trace in nodes["bundle"][0], "hostile: the trace id drawn as it is", nodes["bundle"][0])

nodes, edges, _ = render_dot("oe bundle superseded")
check(len(labels(nodes, "ev")) == 3 and {"chain", "cert", "status", "next"} <= set(nodes),
      "oe: events, chain, certificate, status, successor", sorted(nodes))
check(HOSTILE_CERT in nodes["cert"][0] and 'next"<cert>' in nodes["next"][0], "oe: hostile certificate ids drawn",
      (nodes["cert"], nodes["next"]))
check("FAIL: certificate_superseded" in nodes["status"][0], "oe: the status node marked", nodes["status"])
check(any(t.replace("&#45;&gt;", "->") == "status->next" and "superseded by" in x for t, x, _ in edges),
      "oe: superseded_by edge")
nodes, edges, _ = render_dot("oe bundle tampered")
check("FAIL: event_hash_mismatch" in nodes["ev1"][0] and "FAIL" not in nodes["ev0"][0], "oe tampered: ev1 marked",
      (nodes["ev0"], nodes["ev1"]))
for name in ("cloudevent", "dsse", "dsse bad signature"):
    nodes, edges, title = render_dot(name)
    check(len(nodes) == 7 and len(labels(nodes, "hop")) == 3, f"{name}: the bundle inside is drawn", sorted(nodes))
    check("a starter bundle inside" in title, f"{name}: the graph label names the wrapper", title)
    check(all("FAIL" not in t for t, _ in nodes.values()), f"{name}: no node marked by the wrapper's checks")
    check(bool(re.search(r"\(\d+ about the whole document\)", title)) == (name == "dsse bad signature"),
          f"{name}: the wrapper's failed check counted as about the whole document", title)
nodes, edges, _ = render_dot("oe chain relinked")
broken = [e for e in edges if "broken link" in e[1]]
check(len(broken) == 1 and broken[0][0].replace("&#45;&gt;", "->") == "ev1->ev2" and "link_broken" in broken[0][1],
      "oe relinked: ev1 -> ev2 broken", broken)
nodes, _, _ = render_dot("oe events")
check(len(labels(nodes, "ev")) == 3, "oe events (JSON Lines): 3 event nodes", sorted(nodes))
for name in ("envelope", "chain.jsonl", "chain.json", "bundle flat", "bundle ope-lib", "oe chain", "oe chain open",
             "oe bundle", "oe bundle revoked", "proof", "not json", "unknown kind"):
    nodes, _, title = render_dot(name)
    want_n = {"envelope": 2, "chain.jsonl": 6, "chain.json": 6, "bundle flat": 7, "bundle ope-lib": 7, "oe chain": 4,
              "oe chain open": 4, "oe bundle": 6, "oe bundle revoked": 6, "proof": 1, "not json": 0,
              "unknown kind": 0}[name]
    check(len(nodes) == want_n, f"{name}: {want_n} nodes in the SVG", sorted(nodes))
    check(("INVALID" in title) == (DOCS[name][2] != 0), f"{name}: verdict in the graph label", title)

# ---- mermaid: the real library parses and renders every graph -----------------------------------------------------
mfiles = {}
for name in DOCS:
    mfiles[name] = write(f"m-{len(mfiles)}.mmd", outputs[(name, "mermaid")])
p = subprocess.run([NODE, os.path.join(HERE, "mermaid_render.mjs"), *mfiles.values()], capture_output=True,
                   timeout=240)
check(p.returncode == 0, "mermaid_render ran", p.stderr.decode(errors="replace")[-2000:])
res = json.loads(p.stdout or b"{}")
check("__pageErrors" not in res, "mermaid: no page errors", res.get("__pageErrors"))
for name, f in mfiles.items():
    r = res.get(f, {})
    check(r.get("ok"), f"{name}: mermaid.parse and render", r.get("error"))
    want_title = "INVALID" if DOCS[name][2] else "VALID"
    check(r.get("title", "") and want_title in r["title"].split(", ")[0], f"{name}: mermaid title has the verdict",
          r.get("title"))
r = res.get(mfiles["hostile bundle"], {})
check(len(r.get("nodes", [])) == 4 and sum(shown_trace in n for n in r["nodes"]) == 1
      and sum(shown_kid in n for n in r["nodes"]) == 3, "mermaid hostile: values drawn exactly, one shared CID",
      r.get("nodes"))
r = res.get(mfiles["bundle dropped hop"], {})
check(r.get("dashed") == 1 and r.get("redEdges") == 1 and "broken link: chain_broken" in r.get("edgeLabels", []),
      "mermaid dropped hop: one dashed red labelled edge", r)
check(sum("FAIL" in n for n in r.get("nodes", [])) == 2, "mermaid dropped hop: hop and bundle marked", r.get("nodes"))
r = res.get(mfiles["oe bundle superseded"], {})
check(len(r.get("nodes", [])) == 7 and any('next"<cert>' in n for n in r["nodes"])
      and any(HOSTILE_CERT in n for n in r["nodes"]), "mermaid oe: 7 nodes, hostile ids exact", r.get("nodes"))
check(re.search(rb"^  class hop1 fail$", outputs[("bundle dropped hop", "mermaid")], re.M),
      "mermaid: failed hop has the fail class")


# ---- html: well formed, self-contained, escaped, accessible --------------------------------------------------------
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr", "area", "base", "source", "track", "embed"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.text = [], [], [], []
        self.attrs = []
        self.cur = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("h1", "h2", "h3", "th", "td", "title", "p", "dd", "caption", "li"):
            self.cur.append([tag, ""])

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()
        if tag in ("h1", "h2", "h3", "th", "td", "title", "p", "dd", "caption", "li") and self.cur:
            t, s = self.cur.pop()
            self.text.append((t, s))
            if self.cur:
                self.cur[-1][1] += s

    def handle_data(self, data):
        if self.cur:
            self.cur[-1][1] += data


def read_page(name):
    raw = outputs[(name, "html")].decode()
    pg = Page()
    pg.feed(raw)
    pg.close()
    check(not pg.errors and not pg.stack, f"{name}: html tags balance", (pg.errors, pg.stack))
    check(raw.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), f"{name}: html5 doctype and lang")
    check("script" not in pg.tags and "<script" not in raw.lower(), f"{name}: no script")
    ext = [(t, a) for t, a in pg.attrs if any(k in a for k in ("src", "href", "srcset", "action", "style"))
           or t in ("link", "img", "iframe", "object", "embed")]
    check(not ext and "url(" not in raw and "@import" not in raw, f"{name}: nothing external", ext)
    check(any(t == "meta" and a.get("name") == "viewport" and "width=device-width" in a.get("content", "")
              for t, a in pg.attrs), f"{name}: viewport meta")
    check(pg.tags.count("h1") == 1 and "h2" in pg.tags, f"{name}: one h1, h2 sections")
    ths = [a for t, a in pg.attrs if t == "th"]
    check(ths and all(a.get("scope") in ("col", "row") for a in ths), f"{name}: every th has a scope")
    return raw, pg


for name, (f, opts, want) in DOCS.items():
    raw, pg = read_page(name)
    report = json.loads(outputs[(name, "json")])
    verdict = "VALID" if report["valid"] else "INVALID"
    ps = [s for t, s in pg.text if t == "p"]
    check(any(s.strip().lstrip("\u2713\u2717 ").startswith(verdict + ":") for s in ps),
          f"{name}: the verdict in words", ps[:2])
    rows = [s for t, s in pg.text if t == "th"]
    for c in report["checks"]:
        check(c["check"] in rows, f"{name}: check {c['check']} has its row")
    cells = [s for t, s in pg.text if t == "td"]
    for c in report["checks"]:
        if not c["ok"]:
            check(c["code"] in cells and c["message"] in cells, f"{name}: failed check {c['check']}: code, message")
    fails = sum(1 for s in cells if s.endswith("FAIL"))
    check(fails == sum(1 for c in report["checks"] if not c["ok"]), f"{name}: FAIL in words per failed check")
    for w in report["warnings"]:
        check(w["code"] in rows and w["message"] in cells, f"{name}: warning {w['code']} shown")
    dds = [s for t, s in pg.text if t == "dd"]
    check(report["kind"] in dds, f"{name}: the kind shown", dds[:3])
    check(NOW in dds, f"{name}: --now shown as the verifier's clock")

raw, pg = read_page("hostile bundle")
cells = [s for t, s in pg.text if t in ("td", "th", "dd")]
check(any(HOSTILE_TRACE == s for s in cells), "html hostile: the trace id, unescaped by the parser, is exact")
check(sum(HOSTILE_KID == s for t, s in pg.text if t == "td") == 2, "html hostile: the kid in each hop's row")
check("<script>" not in raw and "&lt;script&gt;" in raw and '"x"' not in raw, "html hostile: escaped in the source")
raw, pg = read_page("bundle starter")
hop_rows = [s for t, s in pg.text if t == "th"]
check(all(str(i) in hop_rows for i in range(3)), "html bundle: a row per hop")
body = raw
for r in load("bundle-starter.json")["bundle"]["receipts"]:
    for k in ("ts", "gateway_kid", "request_cid", "normalized_cid", "receipt_hash"):
        check(html.escape(r[k]) in body, f"html bundle: hop {r['hop']} {k}")
raw, pg = read_page("bundle dropped hop")
check("broken" in [s.split()[-2] if len(s.split()) > 1 else s for t, s in pg.text if t == "td"] or "broken" in raw,
      "html dropped hop: the broken link in words")
raw, pg = read_page("oe bundle superseded")
dds = [s for t, s in pg.text if t == "dd"]
check(HOSTILE_CERT in dds and 'next"<cert>' in dds and "superseded" in dds, "html oe: certificate and status", dds)
rows = [s for t, s in pg.text if t == "th"]
check(all(str(i) in rows for i in (1, 2, 3)), "html oe: a row per event (seq)")
raw, pg = read_page("proof")
check(load("proof.json")["proof_id"] in [s for t, s in pg.text if t == "dd"], "html proof: its id")

# axe-core (WCAG 2 A/AA) in Chromium at a phone's width: no violation, the page does not scroll sideways, no request
hfiles = {name: write(f"h-{i}.html", outputs[(name, "html")]) for i, name in
          enumerate(("bundle dropped hop", "hostile bundle", "envelope", "oe bundle superseded", "proof", "not json"))}
p = subprocess.run([NODE, os.path.join(HERE, "html_axe.mjs"), *hfiles.values()], capture_output=True, timeout=240)
check(p.returncode == 0, "html_axe ran", p.stderr.decode(errors="replace")[-2000:])
res = json.loads(p.stdout or b"{}")
for name, f in hfiles.items():
    r = res.get(f, {"violations": ["not run"]})
    check(r["violations"] == [], f"{name}: html has no axe-core violation", r["violations"])
    check(r.get("pageOverflow") is False, f"{name}: html fits a phone's width (tables scroll in their region)")
    check(r.get("requests") == [], f"{name}: html makes no request", r.get("requests"))

# ---- a different --now changes only the clock line -------------------------------------------------------------------
rc, a, _ = run("verify", "--no-skew", "--format", "html", "--jwks", path("gw.jwks"), path("bundle-starter.json"))
rc2, b2, _ = run("verify", "--no-skew", "--format", "html", "--jwks", path("gw.jwks"), path("bundle-starter.json"))
check(a == b2 and b"--now" not in a, "html without --now: no clock, same bytes")

shutil.rmtree(T, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
