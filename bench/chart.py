#!/usr/bin/python3
"""Draws the benchmarks' chart: prova against each peer, one panel per section, as SVG (gnuplot).

    bench/chart.py [--out FILE.svg] [RESULTS.tsv ...]

The inputs default to bench/out/results-*.tsv, which the benchmarks write (bench/run.sh sections 1-2 and 4-5,
bench/gateway_cpu.sh). Each line is one comparison measured in one run:

    section <TAB> name <TAB> prova_value <TAB> peer_name <TAB> peer_value <TAB> unit

Lines starting with '#', a header line whose third column is not a number, lines with no peer (empty peer_name and
peer_value: a figure of prova's alone) and lines whose unit is "ratio" (the chart shows ratios itself) are skipped.
Each (section, unit) gets a panel with two bars per line (prova and that line's peer), the ratio prova / peer above
them, and a log scale when the values span more than 20x. The output defaults to bench/out/chart.svg; bench/README.md links a copy, bench/chart.svg.
Exits 2 on a malformed line (naming the file and line), 1 if gnuplot fails. Needs gnuplot (gnuplot-nox, setup.sh).
"""

import glob
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

TITLES = {
    "1": "Canonicalization, bench/run.sh section 1",
    "2": "Canonicalization: peak memory, section 2",
    "canon": "Canonicalization",
    "ope_verify": "OPE envelope verification, section 4",
    "5": "OpenExecution chain verification, section 5",
    "gateway": "Gateway CPU per durable envelope (lower is better)",
    "gateway_model": "Gateway model: envelopes/s on N cores",
}


def fail(msg, code=2):
    print("chart: " + msg, file=sys.stderr)
    sys.exit(code)


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if len(cols) != 6:
                    fail(f"{path}:{no}: expected 6 tab-separated columns, found {len(cols)}")
                section, name, pv, peer, qv, unit = cols
                if (not peer and not qv) or unit == "ratio":
                    continue  # prova's figure alone, or a ratio (the chart writes the ratios)
                try:
                    pv, qv = float(pv), float(qv)
                except ValueError:
                    if no == 1:
                        continue  # a header line
                    fail(f"{path}:{no}: prova_value and peer_value must be numbers")
                if not (pv > 0 and qv > 0 and math.isfinite(pv) and math.isfinite(qv)):
                    fail(f"{path}:{no}: values must be positive and finite")
                if not section or not name or not peer:
                    fail(f"{path}:{no}: empty section, name or peer name")
                rows.append((section, name, pv, peer, qv, unit))
    return rows


def quote(s):
    """A label as a gnuplot double-quoted string. The terminal is noenhanced (no markup in labels); gnuplot's svg
    terminal then writes XML's specials as entities itself (tests/bench/test_chart.py checks)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qpath(s):
    """A file name as a gnuplot string (no enhanced-text escapes: gnuplot opens it as written)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script(rows, out, datadir):
    sections = []  # panels: (section, unit) in the order first seen
    for r in rows:
        if (r[0], r[5]) not in sections:
            sections.append((r[0], r[5]))
    cols = 1 if len(sections) == 1 else 2
    nrows = (len(sections) + cols - 1) // cols
    lines = [
        f"set terminal svg size {620 * cols},{400 * nrows} dynamic noenhanced font 'sans,11' background rgb 'white'",
        f"set output {qpath(out)}",
        f"set multiplot layout {nrows},{cols}",
        "set style data histogram",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border rgb '#333333'",
        "set boxwidth 0.9",
        "set key top right",
        "set grid ytics lc rgb '#dddddd'",
        "set xtics nomirror scale 0",
        "set ytics nomirror",
        "set tmargin 3",
    ]
    for i, sec in enumerate(sections):
        sr = [r for r in rows if (r[0], r[5]) == sec]
        data = os.path.join(datadir, f"{i}.dat")
        with open(data, "w", encoding="utf-8") as f:
            for r in sr:
                f.write(f"{r[2]!r} {r[4]!r} {max(r[2], r[4])!r} {r[2] / r[4]!r}\n")
        vals = [v for r in sr for v in (r[2], r[4])]
        log = max(vals) / min(vals) > 20
        title = TITLES.get(sec[0], sec[0]) + " (" + sec[1] + ")"
        tics = ", ".join(f"{quote(r[1] + chr(0) + 'vs ' + r[3]).replace(chr(0), chr(92) + 'n')} {k}" for k, r in enumerate(sr))
        lines += [
            f"set title {quote(title)}",
            f"set xtics ({tics})",
            # Many bars: slanted labels (font 9) so that neighbours do not overlap.
            "set xtics rotate by 20 right font ',9'" if len(sr) > 3 else "set xtics norotate center font ',11'",
            "set bmargin 7" if len(sr) > 3 else "set bmargin 4",
            "set logscale y" if log else "unset logscale y",
            f"set yrange [{min(vals) / 3!r}:{max(vals) * 4!r}]" if log else f"set yrange [0:{max(vals) * 1.25!r}]",
            f"set xrange [-0.6:{len(sr) - 0.4}]",
            f"plot {qpath(data)} using 1 title 'prova' lc rgb '#1f6fb4', "
            f"'' using 2 title 'peer' lc rgb '#b0b0b0', "
            f"'' using 0:3:(sprintf('%.2fx', $4)) with labels offset 0,0.8 notitle",
        ]
    lines.append("unset multiplot")
    return "\n".join(lines) + "\n"


def main(argv):
    out = os.path.join(HERE, "out", "chart.svg")
    paths = []
    i = 0
    while i < len(argv):
        if argv[i] == "--out" and i + 1 < len(argv):
            out = argv[i + 1]
            i += 2
        elif argv[i].startswith("-"):
            fail("usage: bench/chart.py [--out FILE.svg] [RESULTS.tsv ...]")
        else:
            paths.append(argv[i])
            i += 1
    if not paths:
        paths = sorted(glob.glob(os.path.join(HERE, "out", "results-*.tsv")))
    if not paths:
        fail("no results: run the benchmarks first (bench/run.sh) or name the .tsv files")
    rows = read_rows(paths)
    if not rows:
        fail("the results files hold no rows")
    with tempfile.TemporaryDirectory() as d:
        gp = os.path.join(d, "chart.gp")
        svg = os.path.join(d, "chart.svg")
        with open(gp, "w", encoding="utf-8") as f:
            f.write(script(rows, svg, d))
        p = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
        # gnuplot warns (and still exits 0) when a data file is missing: any message is a failure here.
        if p.returncode != 0 or p.stderr.strip():
            fail("gnuplot failed: " + p.stderr.strip(), 1)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(svg, "rb") as src, open(out + ".tmp", "wb") as dst:
            dst.write(src.read())
        os.replace(out + ".tmp", out)
    print(f"chart: {out} ({len(rows)} comparisons from {len(paths)} files)")


if __name__ == "__main__":
    main(sys.argv[1:])
