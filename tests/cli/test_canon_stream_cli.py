#!/usr/bin/python3
"""prova canon streams its output (prova_canon_stream): the same bytes for a file, stdin that is a file, a pipe and
a gzip file, and as prova_canon_bytes (checked against Python's json for the ope profile); on an error after output
was written, a regular file on stdout is truncated back to where it stood, a pipe has the partial bytes and the
exit status is 2. Usage: test_canon_stream_cli.py PROVA"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

prova = sys.argv[1]
fails = 0


def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails += 1


with tempfile.TemporaryDirectory() as d:
    # About 3 MB: bigger than the 1 MiB output buffer and the 64 KiB threshold, keys out of order.
    doc = {"zeta": [{"b%d" % k: k, "a": "x\u00e9\u2705 \"q\" %d" % k, "n": k / 7} for k in range(40000)],
           "alpha": {"k%05d" % k: [k, None, True] for k in range(9000, 0, -1)}, "mid": "s"}
    text = json.dumps(doc, ensure_ascii=False).encode()
    src = os.path.join(d, "doc.json")
    with open(src, "wb") as f:
        f.write(text)
    with open(src + ".gz", "wb") as f:
        f.write(gzip.compress(text))
    want = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    out = os.path.join(d, "out")
    with open(out, "wb") as o:
        r = subprocess.run([prova, "canon", src], stdout=o)
    check(r.returncode == 0 and open(out, "rb").read() == want, "file argument, output to a file")
    with open(src, "rb") as i:
        r = subprocess.run([prova, "canon"], stdin=i, capture_output=True)
    check(r.returncode == 0 and r.stdout == want, "stdin that is a regular file")
    # stdin from a file already read part-way: the rest of it (read, not mapped from 0).
    with open(os.path.join(d, "skip.json"), "wb") as f:
        f.write(b"[[[[" + text)
    with open(os.path.join(d, "skip.json"), "rb") as i:
        i.seek(4)
        r = subprocess.run([prova, "canon"], stdin=i, capture_output=True)
    check(r.returncode == 0 and r.stdout == want, "stdin that is a regular file read from offset 4")
    r = subprocess.run([prova, "canon", "-"], input=text, capture_output=True)
    check(r.returncode == 0 and r.stdout == want, "stdin that is a pipe")
    r = subprocess.run([prova, "canon", src + ".gz"], capture_output=True)
    check(r.returncode == 0 and r.stdout == want, "a gzip file")
    import hashlib
    r = subprocess.run([prova, "hash", src], capture_output=True)
    check(r.returncode == 0 and r.stdout == b"sha256:" + hashlib.sha256(want).hexdigest().encode() + b"\n",
          "prova hash streams the same bytes into the digest")
    r = subprocess.run([prova, "hash", "--alg", "sha3-512", src], capture_output=True)
    check(r.returncode == 0 and r.stdout == b"sha3-512:" + hashlib.sha3_512(want).hexdigest().encode() + b"\n",
          "prova hash --alg sha3-512")
    for prof in ("ophamin", "jcs"):
        r1 = subprocess.run([prova, "canon", "--profile", prof, src], capture_output=True)
        r2 = subprocess.run([prova, "canon", "--profile", prof, "-"], input=text, capture_output=True)
        check(r1.returncode == 0 and r1.stdout == r2.stdout and len(r1.stdout) > 1 << 20, "%s: file == pipe" % prof)

    # An error in the last value written ("zeta" sorts last), after more than 1 MiB of output.
    bad = text.replace(b'"b39999": 39999', b'"b39999": 01')
    check(bad != text, "the bad document differs")
    with open(src, "wb") as f:
        f.write(bad)
    with open(out, "wb") as o:
        o.write(b"KEEP")
        o.flush()
        r = subprocess.run([prova, "canon", src], stdout=o, stderr=subprocess.PIPE)
    check(r.returncode == 2, "error: exit status 2 (got %d)" % r.returncode)
    check(open(out, "rb").read() == b"KEEP", "error: a regular file is truncated back to where it stood")
    check(b"(json_" in r.stderr, "error: the reason on stderr: %r" % r.stderr[-200:])
    r = subprocess.run([prova, "hash", src], capture_output=True)
    check(r.returncode == 2 and r.stdout == b"" and b"(json_" in r.stderr, "hash: an error prints no digest, status 2")
    r = subprocess.run([prova, "canon", src], capture_output=True)
    check(r.returncode == 2 and len(r.stdout) >= 1 << 20, "error: a pipe has the partial output (%d bytes) and status 2"
          % len(r.stdout))
    # The same message as for the same error in a small document read from a pipe (the in-memory order).
    r2 = subprocess.run([prova, "canon", "-"], input=bad, capture_output=True)
    check(r2.returncode == 2 and r2.stderr.replace(b"<stdin>", b"") == r.stderr.replace(src.encode(), b""),
          "error: the same report for a file and a pipe")
sys.exit(1 if fails else 0)
