#!/usr/bin/python3
"""bench/chart.py draws a well-formed SVG with gnuplot from results files, and refuses malformed ones.

    test_chart.py CHART_PY

The SVG is parsed with xml.etree (an independent reader): every panel title, every xtic label and every
ratio label must be in its text, and each comparison must give two bars whose heights are in the ratio of the
values (gnuplot's own geometry, read back from the SVG paths, on a linear panel).
"""

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

chart = sys.argv[1]
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def run(args):
    return subprocess.run(["/usr/bin/python3", chart] + args, capture_output=True, text=True)


with tempfile.TemporaryDirectory() as d:
    good = os.path.join(d, "results-x.tsv")
    with open(good, "w", encoding="utf-8") as f:
        f.write("section\tname\tprova_value\tpeer_name\tpeer_value\tunit\n")
        f.write("# a comment\n")
        f.write("canon\tope traces\t520\tCPython\t16.25\tMB/s per CPU-s\n")
        f.write("canon\tjcs traces\t480\tNode\t19.2\tMB/s per CPU-s\n")
        f.write("ope_verify\tverify_1KB & <co>\t20000\traw libsodium\t25000\tenvelopes/s\n")
        f.write("ope_verify\tparse alone\t1.4\t\t\tus\n")  # no peer: skipped
        f.write("ope_verify\tratio to raw\t0.9\traw\t1\tratio\n")  # a ratio: skipped
        f.write("canon\tpeak RSS\t105\tCPython\t1180\tMiB\n")  # another unit: its own panel
    out = os.path.join(d, "c.svg")
    p = run(["--out", out, good])
    check(p.returncode == 0, f"chart.py exits 0 ({p.stderr.strip()})")
    check(os.path.exists(out), "the SVG is written")
    check("4 comparisons" in p.stdout, f"4 comparisons drawn, the row without a peer and the ratio skipped ({p.stdout.strip()})")
    root = ET.parse(out).getroot()
    check(root.tag.endswith("svg"), "the output parses as XML with an <svg> root")
    text = " ".join(t.strip() for t in root.itertext() if t.strip())
    for s in ["Canonicalization (MB/s per CPU-s)", "OPE envelope verification, section 4 (envelopes/s)", "ope traces",
              "vs CPython", "vs Node", "verify_1KB & <co>", "vs raw libsodium", "32.00x", "25.00x", "0.80x", "Canonicalization (MiB)", "peak RSS", "0.09x", "prova",
              "peer"]:
        check(s in text, f"the SVG shows {s!r}")
    # The linear panel (ope): two filled bars, heights 20000:25000.
    d_attrs = [el.get("d") for el in root.iter() if el.tag.endswith("path") and el.get("d")]
    boxes = []
    for da in d_attrs:
        nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", da)]
        if da.startswith("M") and len(nums) == 10 and nums[0] == nums[8] and nums[1] == nums[9]:
            xs, ys = nums[0::2], nums[1::2]
            boxes.append((min(xs), max(xs), max(ys) - min(ys)))
    # Bars are closed rectangles (the key's sample boxes too); some pair of equal width must be 20000:25000.
    ok = False
    for a in boxes:
        for b in boxes:
            if a[2] > 0 and b[2] > 0 and abs(a[2] / b[2] - 0.8) < 0.01 and abs((a[1] - a[0]) - (b[1] - b[0])) < 0.5:
                ok = True
    check(ok, "a pair of bars has heights in the ratio 20000:25000")

    for body, what in [("canon\tope\t1\tpy\n", "a line with 4 columns"),
                       ("canon\tope\t1\tpy\tx\tMB/s\n", "a non-numeric peer value"),
                       ("canon\tope\t0\tpy\t3\tMB/s\n", "a zero value"),
                       ("canon\tope\tnan\tpy\t3\tMB/s\n", "a NaN value")]:
        bad = os.path.join(d, "bad.tsv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("section\tname\tprova_value\tpeer_name\tpeer_value\tunit\n" + body)
        p = run(["--out", os.path.join(d, "bad.svg"), bad])
        check(p.returncode == 2 and "bad.tsv:2:" in p.stderr, f"{what} is refused with exit 2 and FILE:LINE")
        check(not os.path.exists(os.path.join(d, "bad.svg")), f"{what}: no SVG written")
    empty = os.path.join(d, "empty.tsv")
    open(empty, "w").close()
    p = run(["--out", os.path.join(d, "e.svg"), empty])
    check(p.returncode == 2 and "no rows" in p.stderr, "an empty results file is refused")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
