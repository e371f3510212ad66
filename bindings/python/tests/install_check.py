#!/usr/bin/env python3
"""The package installed for real, offline, and used from outside the source tree.

    install_check.py BUILD_DIR

Creates a venv with Debian's python (``/usr/bin/python3 -m venv --system-site-packages``: it sees python3-cffi),
runs ``pip install --no-index bindings/python`` into it (the in-tree PEP 517 backend needs nothing from PyPI),
checks the installed files (py.typed, _cdef.h, the dist-info), then, from a temporary directory and with
PROVA_LIBRARY_DIR=BUILD_DIR, imports the installed package, signs and verifies an envelope, and runs the pytest
suite and the conformance runner against the installed package (PROVA_TEST_INSTALLED=1). Also: the backend's
fallback metadata equals pyproject.toml, and PROVA_LIBRARY_DIR pointing at a directory without libprova is a clear
ImportError.
"""
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
PKG = HERE.parent
REPO = PKG.parent.parent


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("install_check: %s failed (%d)\n%s\n%s" % (" ".join(map(str, argv)), p.returncode, p.stdout[-4000:],
                                                             p.stderr[-4000:]))
    return p.stdout


def main():
    build = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        venv = tmp / "venv"
        run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)])
        py = str(venv / "bin" / "python")
        env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
        env.pop("PYTHONPATH", None)
        # the backend writes only into pip's temporary wheel directory: nothing is left in bindings/python.
        run([py, "-m", "pip", "install", "--no-index", "--no-cache-dir", str(PKG)], env=env, cwd=tmp)
        site = pathlib.Path(run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                cwd=tmp, env=env).strip())
        for f in ("prova/__init__.py", "prova/_cdef.h", "prova/py.typed", "prova-0.1.0.dist-info/METADATA",
                  "prova-0.1.0.dist-info/RECORD"):
            assert (site / f).is_file(), "not installed: %s" % f
        metadata = (site / "prova-0.1.0.dist-info/METADATA").read_text()
        assert "Requires-Dist: cffi>=1.15" in metadata, metadata[:500]
        env["PROVA_LIBRARY_DIR"] = str(build)
        out = run([py, "-c", "import prova, json\n"
                   "assert prova.__file__.startswith(%r), prova.__file__\n"
                   "k = prova.Key.generate()\n"
                   "env = prova.ope.pack_envelope(k, {'n': 1.0}, payload_type='p', target_type='t')\n"
                   "r = prova.verify(env, keys=[k])\n"
                   "assert r.valid and r.kind == 'ope_envelope', r\n"
                   "print(prova.library_path, prova.library_origin)" % str(site)], cwd=tmp, env=env)
        assert "PROVA_LIBRARY_DIR" in out, out
        # the pytest suite and the conformance runner against the installed package
        tenv = dict(env, PROVA_TEST_INSTALLED="1")
        run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE)], cwd=tmp, env=tenv)
        run([py, str(HERE / "conformance_runner.py"), str(REPO / "conformance")], cwd=tmp, env=tenv)
        # a wrong PROVA_LIBRARY_DIR: a clear ImportError that says what to do
        p = subprocess.run([py, "-c", "import prova"], cwd=tmp, capture_output=True, text=True,
                           env=dict(env, PROVA_LIBRARY_DIR=str(tmp)))
        assert p.returncode != 0 and "libprova not found" in p.stderr and "PROVA_LIBRARY_DIR" in p.stderr, p.stderr
    # the backend's constants (used before Python 3.11, without tomllib) equal pyproject.toml
    sys.path.insert(0, str(PKG))
    import build_backend
    import tomllib

    proj = tomllib.loads((PKG / "pyproject.toml").read_text())["project"]
    assert (build_backend.NAME, build_backend.VERSION, build_backend.SUMMARY, build_backend.REQUIRES,
            build_backend.REQUIRES_PYTHON) == (proj["name"], proj["version"], proj["description"],
                                               proj["dependencies"], proj["requires-python"])
    print("install_check: pip install --no-index, import, verify, pytest and conformance from the venv: ok")


if __name__ == "__main__":
    main()
