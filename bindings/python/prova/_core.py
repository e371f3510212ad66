"""Internal helpers shared by the modules: raising from a status, buffers, strings, parsed documents."""
from __future__ import annotations

import os
from typing import Any, Optional, Union

from ._lib import ffi, lib
from .errors import ProvaError, error_class

BytesLike = Union[bytes, bytearray, memoryview]


def status_name(status: int) -> str:
    return ffi.string(lib.prova_status_name(status)).decode()


def new_error():
    return ffi.new("prova_error *")


def raise_status(status: int, err=None, default_code: Optional[str] = None) -> None:
    """Raises the exception of a negative status, with what err (a prova_error *) says."""
    name = status_name(status)
    cls = error_class(status)
    if err is not None and err.reason != ffi.NULL:
        code = ffi.string(err.reason).decode("utf-8", "replace")
        message = ffi.string(err.message).decode("utf-8", "replace") if err.message != ffi.NULL else code
        line = int(err.line)
        raise cls(code, message, status=status, status_name=name, offset=int(err.offset) if line or err.offset
                  else None, line=line or None, column=int(err.column) or None,
                  pointer=ffi.string(err.pointer).decode("utf-8", "replace"))
    message = ffi.string(lib.prova_status_message(status)).decode()
    raise cls(default_code or name, message, status=status, status_name=name)


def check(status: int, err=None, default_code: Optional[str] = None) -> int:
    if status < 0:
        raise_status(status, err, default_code)
    return status


class Buf:
    """A prova_buf the caller owns: ``with Buf() as b: ...; data = b.bytes()``; always freed."""

    __slots__ = ("p",)

    def __init__(self) -> None:
        self.p = ffi.new("prova_buf *")

    def __enter__(self) -> "Buf":
        return self

    def __exit__(self, *exc: Any) -> None:
        lib.prova_buf_free(self.p)

    def bytes(self) -> bytes:
        if self.p.len == 0:
            return b""
        return bytes(ffi.buffer(self.p.data, self.p.len))


def cstr(s: Optional[Union[str, bytes]], what: str = "argument") -> Any:
    """A NUL-terminated char * (kept alive by the caller's reference to the returned object), or NULL."""
    if s is None:
        return ffi.NULL
    if isinstance(s, str):
        s = s.encode("utf-8", "surrogatepass")
    if not isinstance(s, (bytes, bytearray)):
        raise TypeError("%s must be str or bytes, not %s" % (what, type(s).__name__))
    if b"\0" in s:
        raise ValueError("%s must not contain NUL" % what)
    return ffi.new("char[]", bytes(s))


def as_bytes(data: Union[str, BytesLike], what: str = "data") -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError("%s must be str or bytes, not %s" % (what, type(data).__name__))


def read_path(p: "os.PathLike[str]") -> bytes:
    with open(p, "rb") as f:
        return f.read()


PARSE_RECORD = 0x1 | 0x2  # PROVA_PARSE_ALLOW_NONFINITE | PROVA_PARSE_ALLOW_LONE_SURROGATES


class Doc:
    """A parsed prova_doc (freed with the object, or at ``close()``/the end of a ``with``)."""

    __slots__ = ("_doc", "text")

    def __init__(self, text: bytes, flags: int = 0, record: bool = False) -> None:
        self.text = text
        out = ffi.new("prova_doc **")
        err = new_error()
        opts = ffi.new("prova_parse_options *")
        opts.flags = flags
        if record:
            check(lib.prova_record_parse(text, len(text), opts, out, err), err)
        else:
            check(lib.prova_json_parse(text, len(text), opts, out, err), err)
        self._doc = ffi.gc(out[0], lib.prova_doc_free)

    @property
    def root(self):
        return lib.prova_doc_root(self._doc)

    def close(self) -> None:
        if self._doc is not None:
            ffi.release(self._doc)
            self._doc = None

    def __enter__(self) -> "Doc":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def json_input(value: Any) -> bytes:
    """JSON text from a dict/list (written by canon.to_json_text) or from JSON text (str/bytes)."""
    if isinstance(value, (dict, list, tuple)):
        from .canon import to_json_text

        return to_json_text(value)
    return as_bytes(value, "JSON value")


def doc_of(value: Any, record: bool = False) -> Doc:
    """A parsed document of a dict/list or JSON text; record=True parses as prova_record_parse (proof records may
    hold NaN/Infinity and lone surrogates)."""
    return Doc(json_input(value), record=record)


def now_rfc3339() -> str:
    import time

    buf = ffi.new("char[]", 64)
    n = lib.prova_time_format(time.time_ns() // 1000, buf)
    return ffi.string(buf, n).decode()


def time_text(t: Any, what: str) -> Any:
    """An RFC 3339 text for a str or an aware datetime (None stays None)."""
    import datetime

    if t is None or isinstance(t, str):
        return t
    if isinstance(t, datetime.datetime):
        if t.tzinfo is None:
            raise ValueError("%s: a naive datetime has no time zone" % what)
        return t.isoformat()
    raise TypeError("%s: an RFC 3339 str or an aware datetime, not %s" % (what, type(t).__name__))
