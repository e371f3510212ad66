"""Canonical JSON under prova's three profiles, and content identifiers.

``canonicalize(value, profile)`` writes a Python value as JSON text itself — ``int`` as an integer token (any size),
``float`` as a float token in Python's ``repr`` (``1.0`` stays ``1.0``: the ``ope`` and ``ophamin`` profiles keep
that distinction, as Python's ``json.dumps`` does), ``bool`` before ``int``, ``NaN``/``Infinity`` tokens (which
only the ``ophamin`` profile accepts), ``str`` keys only — and hands the text to libprova's canonicalizer
(``prova_canon_bytes``), so the bytes are the C library's, byte for byte.
"""
from __future__ import annotations

import enum
import json.encoder
import math
from typing import Any, List, Union

from ._core import Buf, BytesLike, as_bytes, check, new_error
from ._lib import ffi, lib

__all__ = ["Profile", "canonicalize", "canonicalize_json", "cid", "cid_json", "to_json_text", "format_double"]

_escape = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


class Profile(str, enum.Enum):
    """The three canonical profiles (docs/canonical-json.md)."""

    OPE = "ope"  #: ODIN OPE v1: Python json.dumps(sort_keys, compact, ensure_ascii=False)
    OPHAMIN = "ophamin"  #: proof records: the same with ensure_ascii=True; NaN/Infinity and lone surrogates kept
    JCS = "jcs"  #: RFC 8785 (OpenExecution): numbers as IEEE doubles, keys in UTF-16 order

    def __str__(self) -> str:
        return self.value


ProfileLike = Union[Profile, str]
_PROFILES = {"ope": 0, "ophamin": 1, "jcs": 2}


def profile_number(profile: ProfileLike) -> int:
    name = profile.value if isinstance(profile, Profile) else profile
    if name not in _PROFILES:
        raise ValueError("unknown profile %r: ope, ophamin or jcs" % (profile,))
    return _PROFILES[name]


def to_json_text(value: Any) -> bytes:
    """The JSON text of a Python value, as prova reads it: ``None``, ``bool``, ``int`` (integer token), ``float``
    (``repr``; ``NaN``, ``Infinity``, ``-Infinity`` for the non-finite ones), ``str``, ``list``/``tuple``, ``dict``
    with ``str`` keys. ASCII output (every other character escaped, lone surrogates as ``\\udxxx``).
    Raises TypeError for other types and for a non-str key, ValueError for a circular structure."""
    parts: List[str] = []
    _emit(value, parts, set())
    return "".join(parts).encode("ascii")


def _emit(v: Any, out: List[str], active: set) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(_escape(v))
    elif isinstance(v, int):  # bool was handled above
        out.append(int.__repr__(v))
    elif isinstance(v, float):
        if v != v:
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(float.__repr__(v))
    elif isinstance(v, dict):
        if id(v) in active:
            raise ValueError("circular reference in the value")
        active.add(id(v))
        out.append("{")
        first = True
        for k, x in v.items():
            if not isinstance(k, str):
                raise TypeError("keys must be str, not %s (%r)" % (type(k).__name__, k))
            if not first:
                out.append(",")
            first = False
            out.append(_escape(k))
            out.append(":")
            _emit(x, out, active)
        out.append("}")
        active.discard(id(v))
    elif isinstance(v, (list, tuple)):
        if id(v) in active:
            raise ValueError("circular reference in the value")
        active.add(id(v))
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            _emit(x, out, active)
        out.append("]")
        active.discard(id(v))
    else:
        raise TypeError("a %s is not a JSON value (None, bool, int, float, str, list, tuple, dict)"
                        % type(v).__name__)


def canonicalize_json(text: Union[str, BytesLike], profile: ProfileLike) -> bytes:
    """The canonical bytes of a JSON text under profile. Under ``ophamin``, NaN/Infinity and lone surrogates are
    accepted (proof records are Python values). Raises ParseError / LimitError with the parser's reason code
    (``json_duplicate_key``, ``json_invalid_utf8``, ``canon_nonfinite``, ...), offset, line, column and pointer."""
    data = as_bytes(text, "text")
    p = profile_number(profile)
    opts = ffi.new("prova_parse_options *")
    if p == 1:
        opts.flags = 0x1 | 0x2
    err = new_error()
    with Buf() as b:
        check(lib.prova_canon_bytes(data, len(data), p, opts, b.p, err), err)
        return b.bytes()


def canonicalize(value: Any, profile: ProfileLike) -> bytes:
    """The canonical bytes of a Python value under profile (``"ope"``, ``"ophamin"`` or ``"jcs"``).

    >>> canonicalize({"b": 1.0, "a": [1, "é"]}, "ope").decode()
    '{"a":[1,"é"],"b":1.0}'
    """
    return canonicalize_json(to_json_text(value), profile)


def _cid(data: bytes) -> str:
    out = ffi.new("uint8_t[]", 64)
    err = new_error()
    check(lib.prova_canon_bytes_hash(data, len(data), 0, ffi.NULL, 0, out, err), err)
    return "sha256:" + bytes(ffi.buffer(out, 32)).hex()


def cid(value: Any) -> str:
    """The OPE content identifier of a value: ``"sha256:" + hex SHA-256`` of its ``ope`` canonical bytes."""
    return _cid(to_json_text(value))


def cid_json(text: Union[str, BytesLike]) -> str:
    """The OPE content identifier of a JSON text."""
    return _cid(as_bytes(text, "text"))


def format_double(x: float, profile: ProfileLike) -> str:
    """How the profile writes a float: Python ``repr`` for ope/ophamin, ECMAScript for jcs. ValueError if not
    finite."""
    buf = ffi.new("char[]", 32)
    n = lib.prova_canon_format_double(float(x), profile_number(profile), buf)
    if n == 0:
        raise ValueError("%r is not finite" % x)
    return ffi.buffer(buf, n)[:].decode("ascii")
