#!/usr/bin/env python3
"""A real PostgreSQL server for the tests: its own cluster in a temporary directory, on a free loopback port.

    import pgserver
    pg = pgserver.PG(workdir)      # initdb (as the postgres user when run as root: workdir
                                   and its parents are made traversable, o+x), then pg_ctl start
    pg.url                         # postgresql://postgres@127.0.0.1:PORT/prova
    pg.psql("SELECT 1")            # psql -At, its output
    pg.stop("immediate")           # pg_ctl stop -m fast|smart|immediate (immediate: no shutdown checkpoint)
    pg.start()                     # again, same directory and port (crash recovery after an immediate stop)
    pg.destroy()                   # stop and remove the cluster

From a shell:  pgserver.py start DIR   (prints the URL; the cluster stays up)
               pgserver.py stop DIR [MODE]
               pgserver.py url DIR

Durability is PostgreSQL's default (fsync on, synchronous_commit on): the crash tests rely on it. Nothing is mocked:
the binaries are Debian's postgresql-15 (scripts/setup.sh installs it). Set PROVA_TEST_PG_BIN to use other ones.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time


def bindir():
    env = os.environ.get("PROVA_TEST_PG_BIN")
    if env:
        return env
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin): run scripts/setup.sh")
    return os.path.dirname(found[-1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PG:
    def __init__(self, workdir, port=None, dbname="prova", settings=None):
        self.dir = os.path.join(os.path.abspath(workdir), "pgdata")
        self.bin = bindir()
        self.port = port or free_port()
        self.dbname = dbname
        self.user = None
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            self.user = "postgres"
            pwd.getpwnam(self.user)
        if not os.path.exists(os.path.join(self.dir, "PG_VERSION")):
            os.makedirs(self.dir, mode=0o700, exist_ok=True)
            if self.user:  # the server's user owns its directory and can reach it
                d = os.path.dirname(self.dir)
                while d != "/":  # every parent traversable (x only: not listable)
                    if not os.stat(d).st_mode & 0o001:
                        os.chmod(d, os.stat(d).st_mode | 0o011)
                    d = os.path.dirname(d)
                shutil.chown(self.dir, self.user)
            self._run([os.path.join(self.bin, "initdb"), "-D", self.dir, "-U", "postgres", "--auth=trust",
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
            conf = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": "'%s'" % self.dir,
                "max_connections": "400",
                "shared_buffers": "128MB",
                "fsync": "on",
                "synchronous_commit": "on",
                "logging_collector": "off",
                "log_min_messages": "warning",
            }
            conf.update(settings or {})
            with open(os.path.join(self.dir, "postgresql.auto.conf"), "a") as f:
                for k, v in conf.items():
                    f.write("%s = %s\n" % (k, v))
            if self.user:
                shutil.chown(os.path.join(self.dir, "postgresql.auto.conf"), self.user)
            self.start()
            self.psql("CREATE DATABASE %s" % dbname, db="postgres")
        else:
            self.port = int(open(os.path.join(self.dir, "port")).read())
            if not self.running():
                self.start()

    @property
    def url(self):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, self.dbname)

    def _run(self, argv, check=True, **kw):
        if self.user:
            argv = ["runuser", "-u", self.user, "--"] + argv
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
        if check and r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), r.returncode, r.stderr.strip()))
        return r

    def running(self):
        return self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.dir, "status"], check=False).returncode == 0

    def start(self):
        with open(os.path.join(self.dir, "port"), "w") as f:
            f.write(str(self.port))
        log = os.path.join(self.dir, "server.log")
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.dir, "-l", log, "-w", "-t", "60", "start"])
        deadline = time.time() + 30
        while time.time() < deadline:
            if self._run([os.path.join(self.bin, "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                         check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not become ready; see %s" % log)

    def stop(self, mode="fast"):
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.dir, "-m", mode, "-w", "-t", "60", "stop"],
                  check=False)

    def psql(self, sql, db=None):
        r = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                            "-U", "postgres", "-d", db or self.dbname, "-c", sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError("psql: %s" % r.stderr.strip())
        return r.stdout.strip()

    def server_pids(self):
        """The postmaster's pid and its children's (for CPU accounting)."""
        try:
            pm = int(open(os.path.join(self.dir, "postmaster.pid")).readline())
        except (OSError, ValueError):
            return []
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pm)], stdout=subprocess.PIPE, text=True).stdout
        return [pm] + [int(p) for p in out.split()]

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(os.path.dirname(self.dir), ignore_errors=True)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("start", "stop", "url"):
        print(__doc__, file=sys.stderr)
        return 2
    d = argv[2]
    if argv[1] == "stop":
        pgdata = os.path.join(os.path.abspath(d), "pgdata")
        if os.path.exists(os.path.join(pgdata, "PG_VERSION")):
            p = PG.__new__(PG)
            p.dir, p.bin = pgdata, bindir()
            p.user = "postgres" if os.geteuid() == 0 else None
            p.stop(argv[3] if len(argv) > 3 else "fast")
        return 0
    pg = PG(d)
    print(pg.url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
