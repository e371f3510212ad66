#!/usr/bin/env python3
"""Regenerates conformance/keys and conformance/fixtures from the C library (conformance/README.md).

    /usr/bin/python3 conformance/tools/generate.py --build build

Documents are built with the C library (prova-conformance --op) and mutated here; every expectation is what the C
runner (the same code that checks the fixtures) answers for the case. ECDSA and Ed448 signatures are random: a
regeneration changes those bytes (and nothing else). Review the diff before committing it.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_keys  # noqa: E402
import cases_canonical  # noqa: E402
import cases_signing  # noqa: E402
import cases_verify  # noqa: E402

FORMAT = "prova-conformance/1"


class Gen:
    def __init__(self, exe):
        self.exe = exe

    def op(self, name, **inp):
        p = subprocess.run([self.exe, "--op", CONF], input=json.dumps({"op": name, "input": inp}).encode(),
                           capture_output=True)
        if p.returncode != 0:
            raise SystemExit(f"op {name} failed: {p.stderr.decode()} input={inp}")
        return json.loads(p.stdout)


def dump_file(path, description, cases):
    """One case per line, stable order, LF, final newline."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    head = json.dumps({"format": FORMAT, "description": description}, ensure_ascii=False)[:-1]
    lines = [json.dumps(c, ensure_ascii=False, separators=(", ", ": ")) for c in cases]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(head + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    exe = os.path.abspath(os.path.join(a.build, "conformance", "prova-conformance"))
    g = Gen(exe)
    g.kids = gen_keys.write_keys(os.path.join(CONF, "keys"), g.op)
    files = {
        "canonical.json": (cases_canonical.DESCRIPTION, cases_canonical.cases(g)),
        "signing.json": (cases_signing.DESCRIPTION, cases_signing.cases(g)),
    }
    for name, (desc, cs) in cases_verify.files(g).items():
        files["verify/" + name] = (desc, cs)
    ids = set()
    for name, (_, cs) in files.items():
        for c in cs:
            if c["id"] in ids:
                raise SystemExit("duplicate id " + c["id"])
            ids.add(c["id"])
            c.pop("expect", None)
    # Run the C runner on the cases without expectations; freeze its answers.
    tmp = tempfile.mkdtemp(prefix="prova-conf-")
    try:
        os.symlink(os.path.join(CONF, "keys"), os.path.join(tmp, "keys"))
        for name, (desc, cs) in files.items():
            dump_file(os.path.join(tmp, "fixtures", name), desc, cs)
        p = subprocess.run([exe, tmp], capture_output=True)
        got = {}
        for line in p.stdout.decode().split("\n"):
            if not line:
                continue
            r = json.loads(line)
            if "got" not in r:
                raise SystemExit(f"{r['id']}: {r.get('note')}")
            if r.get("note") != "the case has no expect":
                raise SystemExit(f"{r['id']}: {r.get('note')}")
            got[r["id"]] = r["got"]
    finally:
        shutil.rmtree(tmp)
    out = os.path.join(CONF, "fixtures")
    shutil.rmtree(os.path.join(out, "verify"), ignore_errors=True)
    counts = {}
    for name, (desc, cs) in files.items():
        for c in cs:
            if c["id"] not in got:
                raise SystemExit("no answer for " + c["id"])
            c["expect"] = got[c["id"]]
        dump_file(os.path.join(out, name), desc, cs)
        counts[name] = len(cs)
    for name, n in counts.items():
        print(f"{n:5d}  fixtures/{name}")
    print(f"{sum(counts.values()):5d}  total")


if __name__ == "__main__":
    main()
