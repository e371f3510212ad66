#!/usr/bin/env python3
"""Runs a test program against a PostgreSQL of its own, then destroys the server:

    run_with_pg.py PROGRAM [ARGS...]

starts a server with pgserver.py in a new temporary directory and runs

    PROGRAM URL STOP_CMD START_CMD [ARGS...]

where URL is the empty database's libpq URI, STOP_CMD a shell command that stops the server at once
(pg_ctl stop -m immediate: no shutdown checkpoint, like a crash) and START_CMD one that starts it again on the same
port. The program's exit status is this script's. PROVA_TEST_WRAP (e.g. "valgrind --error-exitcode=9") is put in
front of PROGRAM when set.
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgserver  # noqa: E402


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="prova_pg_")
    pg = None
    try:
        pg = pgserver.PG(work)
        me = [sys.executable, os.path.abspath(pgserver.__file__)]
        stop = " ".join(shlex.quote(a) for a in me + ["stop", work, "immediate"])
        start = " ".join(shlex.quote(a) for a in me + ["start", work]) + " >/dev/null"
        wrap = shlex.split(os.environ.get("PROVA_TEST_WRAP", ""))
        return subprocess.call(wrap + [argv[1], pg.url, stop, start] + argv[2:])
    finally:
        if pg:
            pg.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
