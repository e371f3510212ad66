"""prova — signed, hash-linked, verifiable records, over libprova (cffi, ABI mode).

Quick start::

    import prova
    key = prova.Key.generate()                                   # Ed25519
    env = prova.ope.pack_envelope(key, {"amount": 1.0}, payload_type="invoice", target_type="erp")
    report = prova.verify(env, keys=[key])
    assert report.valid and report.kind == "ope_envelope"
    prova.canonicalize({"b": 1.0, "a": 1}, "ope")                # b'{"a":1,"b":1.0}'
    prova.cid({"a": 1})                                          # 'sha256:...'

Modules: :mod:`prova.canon`, :mod:`prova.keys`, :mod:`prova.ope`, :mod:`prova.oe`, :mod:`prova.proof`,
:mod:`prova.bridges`, :mod:`prova.hashing`, :mod:`prova.report`, :mod:`prova.errors`. Reference: docs/python.md.
"""
from __future__ import annotations

from . import bridges, errors, hashing, oe, ope, proof
from ._lib import ffi as _ffi
from ._lib import lib as _lib
from ._lib import __version__, library_origin, library_path
from .canon import Profile, canonicalize, canonicalize_json, cid, cid_json, format_double, to_json_text
from .errors import (CryptoError, InvalidArgumentError, KeyMaterialError, LimitError, OutOfMemoryError, ParseError,
                     ProvaError, ProvaIOError, RangeError, UnsupportedError, VerifyError)
from .keys import ALGORITHMS, Key, jwks, jwks_text
from .report import Check, Report, Verifier, parse_time, report_from_json, verify

__all__ = [
    "__version__", "library_version", "library_path", "library_origin",
    "Profile", "canonicalize", "canonicalize_json", "cid", "cid_json", "format_double", "to_json_text",
    "Key", "ALGORITHMS", "jwks", "jwks_text",
    "verify", "Verifier", "Report", "Check", "parse_time", "report_from_json",
    "ope", "oe", "proof", "bridges", "hashing", "errors",
    "ProvaError", "InvalidArgumentError", "ParseError", "LimitError", "UnsupportedError", "VerifyError",
    "KeyMaterialError", "ProvaIOError", "CryptoError", "RangeError", "OutOfMemoryError",
]


def library_version() -> str:
    """The version of the loaded libprova (``prova_version()``)."""
    return _ffi.string(_lib.prova_version()).decode()
