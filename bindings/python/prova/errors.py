"""Exceptions: every failure of libprova as a :class:`ProvaError` carrying the library's stable reason code.

``err.code`` is the contract (``"json_duplicate_key"``, ``"canon_nonfinite"``, ``"proof_key_b64_invalid"``, ...: the
codes of docs/); ``err.status`` is the negative ``PROVA_E*`` number and ``err.status_name`` its name (``"syntax"``);
``offset``/``line``/``column`` locate it in the input and ``pointer`` is the JSON Pointer of the offending value.
A subclass per status lets callers catch a family of failures (``except prova.ParseError``).
"""
from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "ProvaError", "OutOfMemoryError", "InvalidArgumentError", "ParseError", "LimitError", "UnsupportedError",
    "VerifyError", "KeyMaterialError", "ProvaIOError", "CryptoError", "RangeError", "NoSpaceError",
]


class ProvaError(Exception):
    """A libprova failure. ``code`` is the stable snake_case reason code."""

    status: int
    status_name: str
    code: str
    message: str
    offset: Optional[int]
    line: Optional[int]
    column: Optional[int]
    pointer: Optional[str]

    def __init__(self, code: str, message: str, *, status: int = -2, status_name: str = "invalid",
                 offset: Optional[int] = None, line: Optional[int] = None, column: Optional[int] = None,
                 pointer: Optional[str] = None) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.status_name = status_name
        self.offset = offset
        self.line = line
        self.column = column
        self.pointer = pointer
        where = ""
        if line:
            where = " at %d:%d (byte %d)" % (line, column or 0, offset or 0)
        elif offset:
            where = " at byte %d" % offset
        if pointer:
            where += " %s" % pointer
        super().__init__("%s: %s%s" % (code, message, where))


class OutOfMemoryError(ProvaError, MemoryError):
    """PROVA_ENOMEM."""


class InvalidArgumentError(ProvaError, ValueError):
    """PROVA_EINVAL: an argument the library refuses (missing member, wrong kind of record, ...)."""


class ParseError(ProvaError, ValueError):
    """PROVA_ESYNTAX: malformed input (JSON, base64, hex, PEM, JWK, a timestamp, ...)."""


class LimitError(ProvaError, ValueError):
    """PROVA_ELIMIT: input over a limit (depth, size, string length, members)."""


class UnsupportedError(ProvaError, ValueError):
    """PROVA_EUNSUPPORTED: unknown algorithm, profile or key type."""


class VerifyError(ProvaError):
    """PROVA_EVERIFY: well-formed input that does not verify."""


class KeyMaterialError(ProvaError, ValueError):
    """PROVA_EKEY: key material that cannot be used (wrong size or curve, not a private key)."""


class ProvaIOError(ProvaError, OSError):
    """PROVA_EIO: a file could not be read or written."""

    def __init__(self, *args, **kw) -> None:  # OSError's constructor would reinterpret the arguments
        ProvaError.__init__(self, *args, **kw)


class CryptoError(ProvaError):
    """PROVA_ECRYPTO: the crypto backend failed."""


class RangeError(ProvaError, ValueError):
    """PROVA_ERANGE: a value outside what the format can represent."""


class NoSpaceError(ProvaError):
    """PROVA_ENOSPACE."""


_BY_STATUS: Dict[int, Type[ProvaError]] = {
    -1: OutOfMemoryError, -2: InvalidArgumentError, -3: ParseError, -4: LimitError, -5: UnsupportedError,
    -6: VerifyError, -7: KeyMaterialError, -8: ProvaIOError, -9: CryptoError, -10: RangeError, -11: NoSpaceError,
}


def error_class(status: int) -> Type[ProvaError]:
    """The exception class of a PROVA_E* status."""
    return _BY_STATUS.get(status, ProvaError)
