"""Checks a crate's ro-crate-preview.html against its ro-crate-metadata.json (docs/rocrate.md "The preview page").

    rocrate_preview_check.py CRATE_DIR_OR_ZIP [MUST_CONTAIN_TEXT]...

CRATE is a directory or a zip archive. Checks: the page parses with html.parser with every non-void tag closed in
order; no script, no event handler attribute, no external resource (src, <link>, url(), @import), only relative,
in-page or http(s) links; the viewport meta and one <h1>; every data entity of the metadata (the root's hasPart
that names a file) is linked, and the link resolves to a file of the crate; the contextual entities' @ids are
shown; a SHA-256 or size the page gives for a file is the file's; the metadata does not list the page. Each
MUST_CONTAIN_TEXT must appear, unchanged, in the page's text as a browser decodes it (so a hostile name is shown
and not interpreted). Exits 1 naming the first failure.
"""
import hashlib
import html.parser
import json
import os
import re
import sys
import urllib.parse
import zipfile

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def fail(msg):
    print("preview check: " + msg, file=sys.stderr)
    sys.exit(1)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.links, self.text, self.attrs = [], [], [], [], []
        self.in_style = False
        self.style = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, attrs))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "style":
            self.in_style = True
        for k, v in attrs:
            if k == "href":
                self.links.append(v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            fail("end tag of a void element </%s>" % tag)
        if not self.stack or self.stack[-1] != tag:
            fail("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
        self.stack.pop()
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.style += data
        else:
            self.text.append(data)


def main():
    src, wanted = sys.argv[1], sys.argv[2:]
    if os.path.isdir(src):
        def read(name):
            with open(os.path.join(src, name), "rb") as f:
                return f.read()
        names = set()
        for base, _, files in os.walk(src):
            for f in files:
                names.add(os.path.relpath(os.path.join(base, f), src))
    else:
        z = zipfile.ZipFile(src)
        if z.testzip() is not None:
            fail("zip CRC")
        read, names = z.read, set(z.namelist())
    if "ro-crate-preview.html" not in names:
        fail("no ro-crate-preview.html in %s" % sorted(names))
    raw = read("ro-crate-preview.html")
    meta = json.loads(read("ro-crate-metadata.json"))
    page = raw.decode("utf-8")  # strict: the page is valid UTF-8
    if not page.startswith("<!DOCTYPE html>\n"):
        fail("no doctype")
    p = Page()
    p.feed(page)
    p.close()
    if p.stack:
        fail("unclosed tags %s" % p.stack)
    if "script" in p.tags or re.search(r"<\s*script", page, re.I):
        fail("a <script>")
    for tag, attrs in p.attrs:
        for k, v in attrs:
            if k.startswith("on") or k in ("src", "srcset", "background", "formaction", "action"):
                fail("attribute %s on <%s>" % (k, tag))
    if "link" in p.tags or "img" in p.tags or "iframe" in p.tags or "object" in p.tags:
        fail("an element that loads a resource")
    if "url(" in p.style or "@import" in p.style:
        fail("the CSS loads a resource")
    if p.tags.count("h1") != 1 or "main" not in p.tags or "h2" not in p.tags:
        fail("headings / landmarks")
    if not any(t == "meta" and ("name", "viewport") in a for t, a in p.attrs):
        fail("no viewport meta")
    if not any(t == "html" and ("lang", "en") in a for t, a in p.attrs):
        fail("no lang")
    for t, a in p.attrs:
        if t == "th" and dict(a).get("scope") not in ("row", "col"):
            fail("a <th> without scope")
    for h in p.links:
        u = urllib.parse.urlsplit(h)
        if u.scheme not in ("", "http", "https"):
            fail("link with scheme %r" % h)
        if u.scheme == "" and not h.startswith("#") and urllib.parse.unquote(u.path) not in names:
            fail("relative link %r does not resolve to a file of the crate" % h)
        if h.startswith("#") and ('id="%s"' % h[1:]) not in page:
            fail("in-page link %r has no target" % h)
    local = {urllib.parse.unquote(urllib.parse.urlsplit(h).path) for h in p.links if not urllib.parse.urlsplit(h).scheme and not h.startswith("#")}
    text = "".join(p.text)

    g = {e["@id"]: e for e in meta["@graph"]}
    root = g[g["ro-crate-metadata.json"]["about"]["@id"]]
    parts = root.get("hasPart", [])
    parts = parts if isinstance(parts, list) else [parts]
    data = [r["@id"] for r in parts if not r["@id"].startswith("#") and ":" not in r["@id"].split("/")[0]]
    if not data:
        fail("the metadata has no data entity")
    for d in data:
        if d not in local:
            fail("data entity %r is not linked" % d)
        if d not in names:
            fail("data entity %r is not a file of the crate" % d)
        blob = read(d)
        sha = hashlib.sha256(blob).hexdigest()
        if g[d].get("sha256", sha) != sha:
            fail("the metadata's sha256 of %s is wrong" % d)
        if sha not in text:
            fail("the SHA-256 of %s is not shown" % d)
        if str(len(blob)) not in text:
            fail("the size of %s is not shown" % d)
        if "encodingFormat" in g[d] and g[d]["encodingFormat"] not in text:
            fail("the format of %s is not shown" % d)
    def shown(s):  # as the page shows text: controls but tab and newline are U+FFFD
        return re.sub("[\x00-\x08\x0b-\x1f\x7f]", "\ufffd", s)

    for i, e in g.items():
        if i not in ("ro-crate-metadata.json", root["@id"]) and i not in data and shown(i) not in text:
            fail("entity %r is not shown" % i)
    if root.get("name") and root["name"] not in text:
        fail("the root's name is not shown")
    if "ro-crate-preview.html" in json.dumps(meta):
        fail("the metadata lists the preview")
    for w in wanted:
        if w not in text:
            fail("text %r is not in the page as text" % w)
    print("ok: %d tags, %d links, %d data entities" % (len(p.tags), len(p.links), len(data)))


main()
