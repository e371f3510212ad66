#!/usr/bin/env python3
"""Runs the conformance runners of prova's implementations and prints the table fixture x implementation.

    /usr/bin/python3 conformance/run.py [--build DIR] [--impl c,python,js] [--only-failures] [--require-all]

One row per case, one column per implementation: pass, FAIL, skip (the case requires a feature the runtime lacks),
MISSING (the runner did not report the case) or absent (the implementation's runner is not in the tree). Then a
summary line per implementation. Exits 1 when a runner fails a case, crashes or leaves a case out, or (with
--require-all) when an implementation is absent; 2 on a usage error. Standard library only.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

CONF = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(CONF)
IMPLS = ["c", "python", "js"]


def runner(impl, build):
    """The command of an implementation's runner, or None when it is absent from the tree."""
    if impl == "c":
        exe = os.path.join(build, "conformance", "prova-conformance")
        return [exe, CONF] if os.path.exists(exe) else None
    if impl == "python":
        script = os.path.join(ROOT, "bindings", "python", "tests", "conformance_runner.py")
        return ["/usr/bin/python3", script, CONF] if os.path.exists(script) else None
    if impl == "js":
        script = os.path.join(ROOT, "bindings", "js", "test", "conformance-runner.mjs")
        node = shutil.which("node")
        return [node, script, CONF] if os.path.exists(script) and node else None
    raise ValueError(impl)


def prepare(impl, build):
    """What a runner needs before it runs: the Python package loads the library of this build (not another one it
    might find); the TypeScript runner imports the package's dist/, compiled here from the current sources
    (tsc --strict) so that a stale dist/ is never what is tested. Returns a problem, or None."""
    if impl == "python":
        os.environ["PROVA_LIBRARY_DIR"] = os.path.abspath(build)
    if impl == "js":
        js = os.path.join(ROOT, "bindings", "js")
        if not os.path.isdir(os.path.join(js, "node_modules", "typescript")):
            return "bindings/js/node_modules is missing (scripts/setup-node.sh installs it)"
        p = subprocess.run(["npm", "run", "--silent", "build"], cwd=js, capture_output=True)
        if p.returncode != 0:
            return "npm run build failed: " + (p.stdout + p.stderr).decode("utf-8", "replace")[-2000:]
    return None


def case_ids():
    ids = []
    files = [os.path.join(CONF, "fixtures", "canonical.json"), os.path.join(CONF, "fixtures", "signing.json")]
    files += sorted(glob.glob(os.path.join(CONF, "fixtures", "verify", "*.json")))
    for f in files:
        with open(f, encoding="utf-8") as fh:
            ids += [c["id"] for c in json.load(fh)["cases"]]
    return ids


def run(impl, cmd):
    """{id: result}, and a list of problems (crash, bad lines)."""
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True)
    results, problems = {}, []
    for line in p.stdout.decode("utf-8", "replace").split("\n"):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            results[r["id"]] = (r["result"], r.get("note"), r.get("got"))
        except (ValueError, KeyError, TypeError):
            problems.append("not a result line: " + line[:120])
    if p.returncode not in (0, 1):
        problems.append(f"exit status {p.returncode}: " + p.stderr.decode("utf-8", "replace").strip()[-400:])
    failed = any(r[0] == "fail" for r in results.values())
    if p.returncode == 1 and not failed:
        problems.append("exit status 1 without a failed case")
    if p.returncode == 0 and failed:
        problems.append("exit status 0 with a failed case")
    return results, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="the meson build directory (prova-conformance)")
    ap.add_argument("--impl", default=",".join(IMPLS), help="implementations to run, comma-separated (c,python,js)")
    ap.add_argument("--only-failures", action="store_true", help="print only the rows that are not all pass/skip")
    ap.add_argument("--require-all", action="store_true", help="an absent implementation is a failure")
    a = ap.parse_args()
    impls = [i.strip() for i in a.impl.split(",") if i.strip()]
    for i in impls:
        if i not in IMPLS:
            print(f"run.py: unknown implementation {i!r} (expected {', '.join(IMPLS)})", file=sys.stderr)
            return 2
    build = os.path.abspath(a.build)
    ids = case_ids()
    cols, problems, bad = {}, {}, False
    for i in impls:
        cmd = runner(i, build)
        if cmd is None:
            cols[i] = None
            problems[i] = ["absent: no runner in the tree" + (" (--require-all)" if a.require_all else "")]
            bad |= a.require_all
            continue
        problem = prepare(i, build)
        if problem:
            cols[i], problems[i] = {}, [problem]
            bad = True
            continue
        cols[i], problems[i] = run(i, cmd)
        bad |= bool(problems[i])
    width = max(len(x) for x in ids) if ids else 10
    print(f"{'case':<{width}}  " + "  ".join(f"{i:<7}" for i in impls))
    counts = {i: {"pass": 0, "FAIL": 0, "skip": 0, "MISSING": 0, "absent": 0} for i in impls}
    for cid in ids:
        row = []
        for i in impls:
            if cols[i] is None:
                s = "absent"
            elif cid not in cols[i]:
                s = "MISSING"
            else:
                s = {"pass": "pass", "fail": "FAIL", "skip": "skip"}.get(cols[i][cid][0], "FAIL")
            counts[i][s] += 1
            row.append(s)
        if a.only_failures and all(s in ("pass", "skip", "absent") for s in row):
            continue
        print(f"{cid:<{width}}  " + "  ".join(f"{s:<7}" for s in row))
        for i, s in zip(impls, row):
            if s == "FAIL":
                note = cols[i][cid][1]
                print(f"    {i}: {note or ''} got {json.dumps(cols[i][cid][2], ensure_ascii=False)[:300]}")
    for i in impls:
        c = counts[i]
        if cols[i] is not None:
            extra = sorted(set(cols[i]) - set(ids))
            if extra:
                problems[i].append(f"{len(extra)} unknown case ids, e.g. {extra[0]}")
            bad |= c["FAIL"] > 0 or c["MISSING"] > 0
        print(f"{i}: {c['pass']} pass, {c['FAIL']} fail, {c['skip']} skip, {c['MISSING']} missing"
              + (f" of {len(ids)}" if cols[i] is not None else " (absent)")
              + "".join(f"; {p}" for p in problems[i]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
