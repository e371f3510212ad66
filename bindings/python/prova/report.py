"""The verification report and :func:`verify`, which verifies any document prova knows.

A :class:`Report` is built from the library's own JSON form (``prova_report_to_json``, the same bytes as
``prova verify --json``), so every field means what docs/ says; :meth:`Report.to_json` returns those exact bytes.
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import pathlib
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._core import Buf, BytesLike, as_bytes, check, cstr, new_error
from ._lib import ffi, lib
from .canon import to_json_text
from .keys import Key

__all__ = ["Check", "Report", "verify", "Document", "parse_time", "report_from_json"]

Document = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", Dict[str, Any], List[Any]]


@dataclass(frozen=True)
class Check:
    """One check (or warning) of a report: what was checked, whether it passed, its stable reason code (``"ok"``
    when it passed), a sentence, and the JSON Pointer of the checked value (``""``: the document)."""

    check: str
    ok: bool
    code: str
    message: str
    at: str


@dataclass(frozen=True)
class Report:
    """What a verifier found. ``valid`` is True when every check passed (and there was at least one);
    ``outcome`` is ``"valid"``, ``"invalid"``, ``"unknown_kind"`` or ``"bad_input"``; ``kind`` names the document
    (``"ope_envelope"``, ``"oe_bundle"``, ``"proof_record"``, ``"dsse_envelope"``, ...). ``bool(report)`` is
    ``report.valid``."""

    valid: bool
    outcome: str
    kind: str
    checks: Tuple[Check, ...]
    warnings: Tuple[Check, ...]
    unauthenticated_fields: Tuple[str, ...] = ()
    keys: Tuple[Dict[str, str], ...] = ()
    sdk_result: Optional[Any] = None
    _json: bytes = field(default=b"", repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.valid

    @property
    def failed(self) -> Tuple[Check, ...]:
        """The checks that failed, in order."""
        return tuple(c for c in self.checks if not c.ok)

    @property
    def failed_codes(self) -> List[str]:
        """The reason codes of the failed checks, sorted, without repeats (what the conformance suite compares)."""
        return sorted({c.code for c in self.checks if not c.ok})

    @property
    def warning_codes(self) -> List[str]:
        """The reason codes of the warnings, sorted, without repeats."""
        return sorted({c.code for c in self.warnings})

    def to_json(self) -> bytes:
        """The report's JSON, exactly as the library (and ``prova verify --json``) writes it."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(self._json)


def _check_of(d: Dict[str, Any], warning: bool) -> Check:
    return Check(check=d.get("check", "warning" if warning else ""), ok=bool(d.get("ok", warning)),
                 code=d.get("code", ""), message=d.get("message", ""), at=d.get("at", ""))


def report_from_json(data: bytes) -> Report:
    """A Report from the JSON form of a report (``prova verify --json``'s output)."""
    d = json.loads(data)
    return Report(valid=bool(d["valid"]), outcome=d["outcome"], kind=d.get("kind", ""),
                  checks=tuple(_check_of(c, False) for c in d.get("checks", [])),
                  warnings=tuple(_check_of(c, True) for c in d.get("warnings", [])),
                  unauthenticated_fields=tuple(d.get("unauthenticated_fields", [])),
                  keys=tuple(d.get("keys", [])), sdk_result=d.get("sdk_result"), _json=bytes(data))


def _take_report(ptr: Any) -> Report:
    """Converts and frees a prova_report *."""
    try:
        with Buf() as b:
            check(lib.prova_report_to_json(ptr, b.p))
            return report_from_json(b.bytes())
    finally:
        lib.prova_report_free(ptr)


def parse_time(t: Union[str, _dt.datetime]) -> int:
    """Microseconds since the epoch of an RFC 3339 text (with an offset) or an aware datetime."""
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            raise ValueError("a naive datetime has no time zone: give an aware one (tzinfo=datetime.timezone.utc)")
        delta = t - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    s = as_bytes(t, "time")
    us = ffi.new("int64_t *")
    check(lib.prova_time_parse(s, len(s), us), default_code="time_invalid")
    return int(us[0])


def _document_bytes(document: Document) -> bytes:
    if isinstance(document, (bytes, bytearray, memoryview)):
        return bytes(document)
    if isinstance(document, str):
        return document.encode("utf-8", "surrogatepass")
    if isinstance(document, os.PathLike):
        return pathlib.Path(document).read_bytes()
    if isinstance(document, (dict, list, tuple)):
        return to_json_text(document)
    raise TypeError("document must be bytes, str (JSON text), a path or a dict/list, not %s"
                    % type(document).__name__)


JwksLike = Union[str, "os.PathLike[str]", bytes, Dict[str, Any]]


def _add_jwks(ks: Any, item: JwksLike) -> None:
    if isinstance(item, dict):
        data, source = json.dumps(item).encode(), "jwks"
    elif isinstance(item, (bytes, bytearray, memoryview)):
        data, source = bytes(item), "jwks"
    elif isinstance(item, (str, os.PathLike)):
        data, source = pathlib.Path(item).read_bytes(), "jwks:%s" % os.fspath(item)
    else:
        raise TypeError("jwks: a path, JWKS bytes or a dict, not %s" % type(item).__name__)
    err = new_error()
    check(lib.prova_keyset_add_jwks(ks, data, len(data), cstr(source), err), err)


def _keyset(jwks: Any, keys: Optional[Iterable[Key]]) -> Any:
    ks = ffi.gc(lib.prova_keyset_new(), lib.prova_keyset_free)
    if ks == ffi.NULL:
        raise MemoryError()
    if jwks is not None:
        items = [jwks] if isinstance(jwks, (str, bytes, bytearray, memoryview, dict, os.PathLike)) else list(jwks)
        for item in items:
            _add_jwks(ks, item)
    for k in keys or ():
        if not isinstance(k, Key):
            raise TypeError("keys: Key objects, not %s" % type(k).__name__)
        pub = Key.from_jwk(k.to_jwk_text(private=False))  # the set takes ownership of its own copy
        ptr = pub._k
        ffi.gc(ptr, None)  # ownership moves to the set, also on failure
        pub._k = None
        check(lib.prova_keyset_add(ks, ptr, cstr("key:%s" % k.kid)))
    return ks


def verify(document: Document, *, jwks: Optional[Union[JwksLike, Sequence[JwksLike]]] = None,
           keys: Optional[Iterable[Key]] = None, trust_embedded_key: bool = False,
           now: Optional[Union[str, _dt.datetime]] = None, max_skew: Optional[Union[int, float, _dt.timedelta]] = None,
           no_skew: bool = False, hmac_key: Optional[Union[bytes, str]] = None, default_hmac_key: bool = False,
           hash_alg: Optional[str] = None, log_keys: Optional[Iterable[str]] = None,
           log_policy: Optional[Union[str, bytes]] = None, require_log_proof: bool = False,
           log_proofs: Optional[Iterable[Union[str, bytes]]] = None, threads: int = 1,
           max_depth: int = 0) -> Report:
    """Verifies any document prova knows and returns its :class:`Report` (valid or not; never raises for a document
    that does not verify, nor for input that is not JSON: that is ``outcome == "bad_input"``).

    document: JSON text as bytes or str, JSON Lines (receipt chains, OpenExecution events), a path
    (``pathlib.Path``; a plain str is text, not a path), or a dict/list (written as :func:`prova.to_json_text`).

    Trust: ``jwks`` (a path, JWKS bytes, a dict, or a list of them), ``keys`` (:class:`Key` objects; their public
    halves are trusted), ``trust_embedded_key`` (accept a key carried by the document; the report says so).
    Time: ``now`` (the verifier's clock: an aware datetime or RFC 3339 text; default the system clock),
    ``max_skew`` (seconds or a timedelta; default 300), ``no_skew``. Proof records: ``hmac_key`` (raw bytes, or a
    str in standard base64 as the reference's ``sign_key_b64``), ``default_hmac_key`` (try the public default key
    when no hmac_key is given; the report warns). OpenExecution events as JSON Lines: ``hash_alg``, ``threads``.
    Log proofs: ``log_keys`` (vkey texts), ``log_policy`` (a tlog-policy text), ``require_log_proof``,
    ``log_proofs`` (tlog-proof texts given beside the document). ``max_depth``: the nesting limit (0: 128).

    The GIL is released while the library verifies.
    """
    data = _document_bytes(document)
    keep: List[Any] = []
    o = ffi.new("prova_verify_options *")
    ks = _keyset(jwks, keys)
    o.keys = ks
    o.trust_embedded_key = bool(trust_embedded_key)
    o.now_us = parse_time(now) if now is not None else time.time_ns() // 1000
    if max_skew is not None:
        secs = max_skew.total_seconds() if isinstance(max_skew, _dt.timedelta) else max_skew
        if secs <= 0:
            raise ValueError("max_skew must be > 0 seconds")
        o.max_skew_s = int(secs)
    o.no_skew = bool(no_skew)
    if hmac_key is not None:
        b64 = hmac_key if isinstance(hmac_key, str) else base64.b64encode(bytes(hmac_key)).decode()
        keep.append(cstr(b64, "hmac_key"))
        o.hmac_key_b64 = keep[-1]
    o.allow_default_hmac_key = bool(default_hmac_key)
    if hash_alg is not None:
        keep.append(cstr(hash_alg, "hash_alg"))
        o.hash_alg = keep[-1]
    o.threads = max(0, int(threads))
    o.max_depth = int(max_depth)
    if log_keys is not None:
        vk = [cstr(k, "log_keys") for k in log_keys]
        arr = ffi.new("const char *[]", vk)
        keep += [vk, arr]
        o.log_keys = arr
        o.nlog_keys = len(vk)
    if log_policy is not None:
        pol = as_bytes(log_policy, "log_policy")
        keep.append(ffi.new("char[]", pol))
        o.log_policy = keep[-1]
        o.log_policy_len = len(pol)
    o.require_log_proof = bool(require_log_proof)
    if log_proofs is not None:
        texts = [as_bytes(p, "log_proofs") for p in log_proofs]
        cbufs = [ffi.new("char[]", t) for t in texts]
        arr = ffi.new("prova_log_proof_in[]", len(texts))
        for i, t in enumerate(texts):
            arr[i].proof = cbufs[i]
            arr[i].len = len(t)
        keep += [cbufs, arr]
        o.log_proofs = arr
        o.nlog_proofs = len(texts)
    out = ffi.new("prova_report **")
    err = new_error()
    r = lib.prova_verify_document(data, len(data), o, out, err)
    if out[0] == ffi.NULL:
        check(r if r < 0 else -1, err)
    return _take_report(out[0])
