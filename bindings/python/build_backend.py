"""The package's PEP 517 build backend: pure standard library, so that building needs nothing from PyPI.

pyproject.toml names it (``build-backend = "build_backend"``, ``backend-path = ["."]``). It writes a pure-Python wheel
(``prova-<version>-py3-none-any.whl``: the ``prova`` package with ``_cdef.h`` and ``py.typed``, and its dist-info)
with zipfile, an sdist with tarfile, and an editable wheel (PEP 660) whose ``.pth`` points at this directory.
Metadata (name, version, summary, dependencies) is read from pyproject.toml with tomllib when the interpreter has it
(Python >= 3.11) and otherwise from the constants below, which a test keeps equal.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "prova"
VERSION = "0.1.0"
SUMMARY = "Signed, hash-linked, verifiable records (OPE v1, OpenExecution v2, proof records) over libprova"
REQUIRES = ["cffi>=1.15"]
REQUIRES_PYTHON = ">=3.9"
TAG = "py3-none-any"
PACKAGE_FILES = (".py", ".h", ".typed")


def _project():
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return NAME, VERSION, SUMMARY, REQUIRES, REQUIRES_PYTHON
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
        p = tomllib.load(f)["project"]
    return p["name"], p["version"], p["description"], p.get("dependencies", []), p.get("requires-python", "")


def _metadata() -> bytes:
    name, version, summary, requires, requires_python = _project()
    lines = ["Metadata-Version: 2.1", "Name: %s" % name, "Version: %s" % version, "Summary: %s" % summary,
             "License: Apache-2.0"]
    if requires_python:
        lines.append("Requires-Python: %s" % requires_python)
    lines += ["Requires-Dist: %s" % r for r in requires]
    lines.append("Description-Content-Type: text/markdown")
    readme = os.path.join(HERE, "README.md")
    body = open(readme, encoding="utf-8").read() if os.path.exists(readme) else ""
    return ("\n".join(lines) + "\n\n" + body).encode("utf-8")


def _wheel_file() -> bytes:
    return ("Wheel-Version: 1.0\nGenerator: prova build_backend\nRoot-Is-Purelib: true\nTag: %s\n" % TAG).encode()


def _dist_info() -> str:
    name, version = _project()[:2]
    return "%s-%s.dist-info" % (name, version)


def _package_files():
    root = os.path.join(HERE, NAME)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if f.endswith(PACKAGE_FILES):
                full = os.path.join(dirpath, f)
                yield full, os.path.relpath(full, HERE).replace(os.sep, "/")


def _write_wheel(wheel_directory: str, entries) -> str:
    name, version = _project()[:2]
    filename = "%s-%s-%s.whl" % (name, version, TAG)
    dist_info = _dist_info()
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in list(entries) + [(dist_info + "/METADATA", _metadata()),
                                               (dist_info + "/WHEEL", _wheel_file())]:
            info = zipfile.ZipInfo(arcname, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (arcname, digest, len(data)))
        record.append(dist_info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(dist_info + "/RECORD", date_time=(2026, 1, 1, 0, 0, 0)),
                   "\n".join(record) + "\n")
    return filename


# ---- PEP 517 hooks ----------------------------------------------------------------------------------------------
def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, _dist_info())
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "wb") as f:
        f.write(_metadata())
    with open(os.path.join(d, "WHEEL"), "wb") as f:
        f.write(_wheel_file())
    return _dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    def entries():
        for full, arc in _package_files():
            with open(full, "rb") as f:
                yield arc, f.read()

    return _write_wheel(wheel_directory, entries())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [("_prova_editable.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name, version = _project()[:2]
    base = "%s-%s" % (name, version)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as t:
        files = [(os.path.join(HERE, f), f) for f in ("pyproject.toml", "build_backend.py", "README.md")
                 if os.path.exists(os.path.join(HERE, f))]
        for full, arc in files + list(_package_files()):
            t.add(full, arcname=base + "/" + arc, recursive=False)
        pkg = _metadata()
        info = tarfile.TarInfo(base + "/PKG-INFO")
        info.size = len(pkg)
        info.mtime = 1767225600
        t.addfile(info, io.BytesIO(pkg))
    return filename
