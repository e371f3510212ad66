#!/usr/bin/env python3
"""Progress on stderr (docs/cli.md "Progress"; src/cli/progress.c) for prova verify, prova store copy and
prova log audit.

For each command:
- --progress with stderr redirected to a file: plain lines "prova CMD: ..." (a status, then "done: ..."), and
  stdout and the exit code identical to a run with --no-progress (store copy: its timing masked);
- stderr a pipe, no flag: no progress at all (no "\\r", no status line);
- stderr a real pseudo-terminal (Python's pty), no flag: the status line "\\r...\\033[K", erased at the end with
  "\\r\\033[K", stdout (a pipe) unchanged; with --no-progress on the terminal: nothing.

Usage: test_progress_cli.py PROVA"""
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import fcntl
import termios

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
from gwtest import Gateway, envelope, first_token, make_sender, ok, request  # noqa: E402
import gwtest  # noqa: E402

PROVA = os.path.realpath(sys.argv[1])
T = tempfile.mkdtemp(prefix="prova-progress-")


def run(args, stderr_file=None):
    """stdout and stderr as pipes (or stderr to a file): (rc, stdout bytes, stderr bytes)."""
    if stderr_file:
        with open(stderr_file, "wb") as f:
            r = subprocess.run([PROVA] + args, stdout=subprocess.PIPE, stderr=f)
        with open(stderr_file, "rb") as f:
            return r.returncode, r.stdout, f.read()
    r = subprocess.run([PROVA] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout, r.stderr


def run_pty(args):
    """stderr on a pseudo-terminal (120 columns), stdout a pipe: (rc, stdout bytes, terminal bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    p = subprocess.Popen([PROVA] + args, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    term, out = b"", b""
    fds = [master, p.stdout.fileno()]
    while fds:
        r, _, _ = select.select(fds, [], [], 30)
        if not r:
            break
        for fd in r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                chunk = b""
            if not chunk:
                fds.remove(fd)
            elif fd == master:
                term += chunk
            else:
                out += chunk
    rc = p.wait()
    os.close(master)
    return rc, out, term


def check(name, args, plain_re, mask=None):
    """The three situations for one command."""
    def norm(b):
        return re.sub(mask, b"<masked>", b) if mask else b

    rc0, out0, err0 = run(args + ["--no-progress"], os.path.join(T, "np.err"))
    ok(b"\r" not in err0 and not re.search(plain_re, err0), "%s --no-progress: nothing on stderr (%r)" % (name, err0[:200]))
    rc1, out1, err1 = run(args + ["--progress"], os.path.join(T, "p.err"))
    text = err1.decode("utf-8", "replace")
    ok(re.search(plain_re, err1) is not None, "%s --progress to a file: a status line (%r)" % (name, text[:300]))
    ok(re.search(rb"(?m)^prova [a-z ]+: done: .* in [0-9.]+ s$", err1) is not None, "%s --progress: the done line" % name)
    ok(b"\r" not in err1 and b"\033" not in err1, "%s --progress to a file: plain lines, no \\r or escapes" % name)
    ok(all(l.startswith(b"prova ") for l in err1.splitlines()), "%s --progress: every line 'prova CMD: ...'" % name)
    ok(rc1 == rc0 and norm(out1) == norm(out0), "%s: stdout and exit code the same with and without progress (%d %d)"
       % (name, rc0, rc1))
    rc2, out2, err2 = run(args)
    ok(rc2 == rc0 and norm(out2) == norm(out0), "%s: stderr a pipe: same stdout" % name)
    ok(b"\r" not in err2 and not re.search(plain_re, err2), "%s: stderr a pipe: no progress (%r)" % (name, err2[:200]))
    rc3, out3, term = run_pty(args)
    ok(rc3 == rc0 and norm(out3) == norm(out0), "%s: stderr a terminal: same stdout (%d %d)" % (name, rc0, rc3))
    ok(re.search(rb"\r[^\r\n]+\x1b\[K", term) is not None, "%s: stderr a terminal: a \\r status line (%r)" % (name, term[:300]))
    ok(term.endswith(b"\r\x1b[K"), "%s: stderr a terminal: the status line erased at the end (%r)" % (name, term[-60:]))
    ok(b"\n" not in term, "%s: stderr a terminal: one line rewritten, no new lines (%r)" % (name, term[-200:]))
    for line in re.findall(rb"\r([^\r\x1b]*)\x1b\[K", term):
        if len(line.decode("utf-8", "replace")) > 119:
            ok(False, "%s: a status line wider than the terminal: %r" % (name, line))
            break
    rc4, out4, term4 = run_pty(args + ["--no-progress"])
    ok(rc4 == rc0 and term4 == b"", "%s: --no-progress on a terminal: nothing (%r)" % (name, term4[:200]))
    return term


def main():
    # ---- prova verify: a JSON Lines receipt chain ----------------------------------------------------------------
    g, s = os.path.join(T, "g.json"), os.path.join(T, "s.json")
    subprocess.run([PROVA, "keygen", "--out", g], stdout=subprocess.DEVNULL, check=True)
    subprocess.run([PROVA, "keygen", "--out", s], stdout=subprocess.DEVNULL, check=True)
    with open(os.path.join(T, "gj.json"), "wb") as f:
        f.write(subprocess.run([PROVA, "jwks", g], stdout=subprocess.PIPE, check=True).stdout)
    with open(os.path.join(T, "sj.json"), "wb") as f:
        f.write(subprocess.run([PROVA, "jwks", s], stdout=subprocess.PIPE, check=True).stdout)
    env = os.path.join(T, "env.json")
    with open(env, "wb") as f:
        f.write(subprocess.run([PROVA, "pack", "--key", s, "--payload-type", "a.b", "--target-type", "c", "-"],
                               input=b'{"q":1}', stdout=subprocess.PIPE, check=True).stdout)
    chain = os.path.join(T, "chain.jsonl")
    for _ in range(5):
        subprocess.run([PROVA, "receipt", "append", "--key", g, "--chain", chain, "--sender-jwks",
                        os.path.join(T, "sj.json"), env], stdout=subprocess.DEVNULL, check=True)
    rc, out, _ = run(["verify", "--jwks", os.path.join(T, "gj.json"), chain])
    ok(rc == 0, "the chain verifies (%d %s)" % (rc, out[-200:]))
    check("verify", ["verify", "--jwks", os.path.join(T, "gj.json"), chain],
          rb"(?m)^prova verify: read [0-9.]+ [KMG]?i?B of [0-9.]+ [KMG]?i?B \(100%\), 5 records, ")
    rc, out, err = run(["verify", "--progress", "--jwks", os.path.join(T, "gj.json"), chain], os.path.join(T, "v.err"))
    ok(b"prova verify: done: %d bytes, 5 records in " % os.path.getsize(chain) in err, "verify: the done line counts (%r)" % err)
    # --json and a single document: the same, one record
    check("verify --json envelope", ["verify", "--json", "--jwks", os.path.join(T, "sj.json"), env],
          rb"(?m)^prova verify: read [0-9.]+ B of [0-9.]+ B \(100%\), ")
    # stdin: no total, still the same report
    rc0 = subprocess.run([PROVA, "verify", "--no-progress", "--jwks", os.path.join(T, "gj.json"), "-"],
                         stdin=open(chain, "rb"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rc1 = subprocess.run([PROVA, "verify", "--progress", "--jwks", os.path.join(T, "gj.json"), "-"],
                         stdin=open(chain, "rb"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ok(rc0.returncode == rc1.returncode == 0 and rc0.stdout == rc1.stdout and b"prova verify: done" in rc1.stderr,
       "verify - (stdin) with --progress: same report, a done line")
    # a missing file: the error, no done line
    rc, _, err = run(["verify", "--progress", os.path.join(T, "missing.json")])
    ok(rc == 2 and b"done" not in err and b"missing.json" in err, "verify --progress of a missing file: the error only")

    # ---- prova log audit: a log of 600 entries (two full tiles and a partial one) --------------------------------
    key = os.path.join(T, "log.key")
    subprocess.run([PROVA, "log", "keygen", "--name", "example.com/progress", "--out", key],
                   stdout=subprocess.DEVNULL, check=True)
    lines = os.path.join(T, "lines.txt")
    with open(lines, "w") as f:
        for i in range(600):
            f.write("entry %d\n" % i)
    d = os.path.join(T, "log")
    os.mkdir(d)
    subprocess.run([PROVA, "log", "append", "--dir", d, "--key", key, "--lines", lines], stdout=subprocess.DEVNULL,
                   check=True)
    rc, out, _ = run(["log", "audit", "--dir", d])
    ok(rc == 0, "the log audits clean (%d)" % rc)
    check("log audit", ["log", "audit", "--dir", d], rb"(?m)^prova log audit: [0-9]+ of 600 entries \([0-9]+%\), ")
    check("log audit --json", ["log", "audit", "--json", "--dir", d], rb"(?m)^prova log audit: [0-9]+ of 600 entries")

    # ---- prova store copy: a store a real gateway filled -----------------------------------------------------------
    sender = make_sender(PROVA, T)
    data = os.path.join(T, "data")
    os.makedirs(data, mode=0o700)
    gw = Gateway(PROVA, data, os.path.join(T, "server.log"),
                 ["--trusted-senders", os.path.join(T, "senders.jwks"), "--quiet", "--log-interval", "100"])
    if not ok(gw.up, "the gateway starts"):
        return gwtest.summary()
    try:
        token = first_token(data)
        for i in range(40):
            st, _, b = request("POST", gw.base + "/v1/odin/envelope", envelope(sender, "tr-p", {"i": i}), token)
            ok(st == 200, "envelope %d accepted (%d %s)" % (i, st, b[:200]))
    finally:
        ok(gw.stop() == 0, "the gateway stops")
    dst = os.path.join(T, "copy.db")

    def fresh(args):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(dst + suffix):
                os.unlink(dst + suffix)
        return args

    base = ["store", "copy", "--data", data, os.path.join(data, "prova.db"), dst]
    orig_run, orig_pty = run, run_pty

    def run_fresh(args, stderr_file=None):
        return orig_run(fresh(args), stderr_file)

    def pty_fresh(args):
        return orig_pty(fresh(args))

    globals()["run"], globals()["run_pty"] = run_fresh, pty_fresh
    try:
        check("store copy", base, rb"(?m)^prova store copy: [0-9]+ rows written: [0-9]+ receipts, ",
              mask=rb"[0-9]+\.[0-9]{3} s")
        check("store copy --json", base + ["--json"], rb"(?m)^prova store copy: [0-9]+ rows written: ",
              mask=rb'"seconds":[0-9.]+')
    finally:
        globals()["run"], globals()["run_pty"] = orig_run, orig_pty
    rc, out, err = run(fresh(["store", "copy", "--progress", "--data", data, os.path.join(data, "prova.db"), dst]))
    m = re.search(rb"([0-9]+) rows in", out)
    ok(m is not None and b"prova store copy: done: %s rows in " % m.group(1) in err,
       "store copy: the done line's rows are the result's (%r / %r)" % (out[-120:], err[-200:]))
    # db check does not take the flags (only store copy does)
    rc, _, err = run(["db", "check", "--progress", "--data", data])
    ok(rc == 2 and b"unknown option '--progress'" in err, "db check --progress is refused (%d %r)" % (rc, err))
    return gwtest.summary()


if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(T, ignore_errors=True)
    sys.exit(code)
