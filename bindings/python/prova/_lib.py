"""Loading libprova through cffi in ABI mode (``ffi.dlopen``: no compiler, no headers at install time).

The declarations are ``_cdef.h``, generated from the public headers by ``tools/gen_cdef.py`` and checked against them
by the meson test ``python_cdef``. Where the library is looked for, in order:

1. ``$PROVA_LIBRARY_DIR`` (a directory holding ``libprova.so.0`` or ``libprova.so``), if set: only there;
2. the build tree, when the package is imported from the source tree: ``<repo>/build/libprova.so.0``;
3. an installed prefix: ``ctypes.util.find_library("prova")``, then ``/usr/local/lib`` and the system's
   multiarch directories.

At load the library's ``prova_version_number()`` must be the package's, and every ``prova_<type>_sizeof()`` must
equal cffi's size of the declared struct: otherwise ImportError says which, instead of a crash later.

cffi's ABI-mode calls release the GIL for the duration of every C call, so long verifications in one thread do not
stop the others.
"""
from __future__ import annotations

import ctypes.util
import os
import pathlib
from typing import List, Tuple

import cffi

__version__ = "0.1.0"
VERSION_NUMBER = 100  # major * 10000 + minor * 100 + patch, as prova_version_number()

ffi = cffi.FFI()
ffi.cdef((pathlib.Path(__file__).parent / "_cdef.h").read_text(encoding="utf-8"))

_SONAMES = ("libprova.so.0", "libprova.so")


def _candidates() -> List[Tuple[str, str]]:
    """(path or name, where it came from) in the order they are tried."""
    env = os.environ.get("PROVA_LIBRARY_DIR")
    if env:
        return [(os.path.join(env, n), "PROVA_LIBRARY_DIR") for n in _SONAMES]
    out: List[Tuple[str, str]] = []
    here = pathlib.Path(__file__).resolve().parent  # <repo>/bindings/python/prova
    repo = here.parent.parent.parent
    if (repo / "include" / "prova" / "prova.h").is_file():
        for n in _SONAMES:
            out.append((str(repo / "build" / n), "the build tree"))
    found = ctypes.util.find_library("prova")
    if found:
        out.append((found, "ctypes.util.find_library"))
    for d in ("/usr/local/lib", "/usr/local/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
              "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"):
        for n in _SONAMES:
            out.append((os.path.join(d, n), "an installed prefix"))
    return out


def _load():
    tried = []
    for path, origin in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ffi.dlopen(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        _check(lib, path)
        return lib, path, origin
    hint = ("set PROVA_LIBRARY_DIR to the directory of libprova.so.0 (e.g. the meson build directory) or install "
            "libprova (ninja -C build install)")
    raise ImportError("prova: libprova not found; tried %s; %s" % (", ".join(tried) or "nothing", hint))


def _check(lib, path: str) -> None:
    got = lib.prova_version_number()
    if got != VERSION_NUMBER:
        raise ImportError("prova: %s is libprova %s (%d), this package is %s (%d): install the matching versions"
                          % (path, ffi.string(lib.prova_version()).decode(), got, __version__, VERSION_NUMBER))
    bad = []
    for name in dir(lib):
        if name.startswith("prova_") and name.endswith("_sizeof"):
            t = name[: -len("_sizeof")]
            try:
                want = ffi.sizeof(t)
            except ffi.error:
                continue
            have = getattr(lib, name)()
            if have != want:
                bad.append("%s is %d bytes in the library, %d in the package's declarations" % (t, have, want))
    if bad:
        raise ImportError("prova: %s does not match this package's ABI: %s" % (path, "; ".join(bad)))


lib, library_path, library_origin = _load()
