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
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._core import Buf, BytesLike, as_bytes, check, cstr, new_error
from ._lib import ffi, lib
from .canon import to_json_text
from .keys import Key

__all__ = ["Check", "Report", "Verifier", "verify", "Document", "parse_time", "report_from_json"]

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


_NOT_YET = object()  # a lazily read field of Report that has not been read yet


class Report:
    """What a verifier found. ``valid`` is True when every check passed (and there was at least one);
    ``outcome`` is ``"valid"``, ``"invalid"``, ``"unknown_kind"`` or ``"bad_input"``; ``kind`` names the document
    (``"ope_envelope"``, ``"oe_bundle"``, ``"proof_record"``, ``"dsse_envelope"``, ...). ``bool(report)`` is
    ``report.valid``.

    Immutable. Every field comes from the library's JSON form of the report (:meth:`to_json`, the bytes of
    ``prova verify --json``), which is made and read the first time a field other than ``valid``, ``outcome`` and
    ``kind`` is asked for (those three are read from the library's report directly, which is what its JSON writes):
    a caller that only looks at ``report.valid`` pays for no JSON at all. Two reports are equal when all their
    fields are."""

    __slots__ = ("_valid", "_outcome", "_kind", "_ptr", "_json", "_checks", "_warnings", "_unauth", "_keys", "_sdk")

    def __init__(self, valid: bool, outcome: str, kind: str, checks: Tuple[Check, ...], warnings: Tuple[Check, ...],
                 unauthenticated_fields: Tuple[str, ...] = (), keys: Tuple[Dict[str, str], ...] = (),
                 sdk_result: Optional[Any] = None, _json: bytes = b"") -> None:
        s = object.__setattr__
        s(self, "_valid", bool(valid))
        s(self, "_outcome", outcome)
        s(self, "_kind", kind)
        s(self, "_ptr", None)
        s(self, "_json", _json)
        s(self, "_checks", tuple(checks))
        s(self, "_warnings", tuple(warnings))
        s(self, "_unauth", tuple(unauthenticated_fields))
        s(self, "_keys", tuple(keys))
        s(self, "_sdk", sdk_result)

    @classmethod
    def _of_ptr(cls, ptr: Any) -> "Report":
        """A Report that owns a prova_report * (freed with the Report, or once its JSON is made)."""
        ptr = ffi.gc(ptr, lib.prova_report_free)
        self = object.__new__(cls)
        s = object.__setattr__
        s(self, "_valid", bool(lib.prova_report_valid(ptr)))
        s(self, "_outcome", _outcome_name(lib.prova_report_outcome(ptr)))
        s(self, "_kind", ffi.string(lib.prova_report_kind(ptr)).decode("utf-8", "surrogateescape"))
        s(self, "_ptr", ptr)
        s(self, "_json", None)
        s(self, "_checks", _NOT_YET)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Report is immutable (cannot set %r)" % name)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Report is immutable (cannot delete %r)" % name)

    def _load(self) -> None:
        """Makes the JSON form (when the library's report is still held) and reads the other fields from it."""
        s = object.__setattr__
        if self._json is None:
            with Buf() as b:
                check(lib.prova_report_to_json(self._ptr, b.p))
                s(self, "_json", b.bytes())
            ptr = self._ptr
            s(self, "_ptr", None)
            ffi.release(ptr)  # frees the library's report now
        d = json.loads(self._json)
        s(self, "_checks", tuple(_check_of(c, False) for c in d.get("checks", [])))
        s(self, "_warnings", tuple(_check_of(c, True) for c in d.get("warnings", [])))
        s(self, "_unauth", tuple(d.get("unauthenticated_fields", [])))
        s(self, "_keys", tuple(d.get("keys", [])))
        s(self, "_sdk", d.get("sdk_result"))

    @property
    def valid(self) -> bool:
        return self._valid

    @property
    def outcome(self) -> str:
        return self._outcome

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def checks(self) -> Tuple[Check, ...]:
        if self._checks is _NOT_YET:
            self._load()
        return self._checks

    @property
    def warnings(self) -> Tuple[Check, ...]:
        if self._checks is _NOT_YET:
            self._load()
        return self._warnings

    @property
    def unauthenticated_fields(self) -> Tuple[str, ...]:
        if self._checks is _NOT_YET:
            self._load()
        return self._unauth

    @property
    def keys(self) -> Tuple[Dict[str, str], ...]:
        if self._checks is _NOT_YET:
            self._load()
        return self._keys

    @property
    def sdk_result(self) -> Optional[Any]:
        if self._checks is _NOT_YET:
            self._load()
        return self._sdk

    def _fields(self) -> Tuple[Any, ...]:
        return (self.valid, self.outcome, self.kind, self.checks, self.warnings, self.unauthenticated_fields,
                self.keys, self.sdk_result)

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.valid, self.outcome, self.kind, self.checks, self.warnings, self.unauthenticated_fields))

    def __repr__(self) -> str:
        names = ("valid", "outcome", "kind", "checks", "warnings", "unauthenticated_fields", "keys", "sdk_result")
        return "Report(%s)" % ", ".join("%s=%r" % kv for kv in zip(names, self._fields()))

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
        if self._json is None:
            self._load()
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(self.to_json())


_OUTCOMES: Dict[int, str] = {}


def _outcome_name(o: int) -> str:
    name = _OUTCOMES.get(o)
    if name is None:
        name = _OUTCOMES[o] = ffi.string(lib.prova_outcome_name(o)).decode()
    return name


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
    """A Report that owns (and will free) a prova_report *."""
    return Report._of_ptr(ptr)


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


def _trust_items(jwks: Any, keys: Optional[Iterable[Key]]) -> Tuple[Tuple[str, bytes, str], ...]:
    """What a key set is made of, in order: ("jwks", JWKS bytes, source) and ("key", public JWK text, source)."""
    items: List[Tuple[str, bytes, str]] = []
    if jwks is not None:
        for item in ([jwks] if isinstance(jwks, (str, bytes, bytearray, memoryview, dict, os.PathLike))
                     else list(jwks)):
            if isinstance(item, dict):
                items.append(("jwks", json.dumps(item).encode(), "jwks"))
            elif isinstance(item, (bytes, bytearray, memoryview)):
                items.append(("jwks", bytes(item), "jwks"))
            elif isinstance(item, (str, os.PathLike)):
                items.append(("jwks", pathlib.Path(item).read_bytes(), "jwks:%s" % os.fspath(item)))
            else:
                raise TypeError("jwks: a path, JWKS bytes or a dict, not %s" % type(item).__name__)
    for k in keys or ():
        if not isinstance(k, Key):
            raise TypeError("keys: Key objects, not %s" % type(k).__name__)
        items.append(("key", k.to_jwk_text(private=False), "key:%s" % k.kid))
    return tuple(items)


def _build_keyset(items: Tuple[Tuple[str, bytes, str], ...]) -> Any:
    ks = ffi.gc(lib.prova_keyset_new(), lib.prova_keyset_free)
    if ks == ffi.NULL:
        raise MemoryError()
    for what, data, source in items:
        if what == "jwks":
            err = new_error()
            check(lib.prova_keyset_add_jwks(ks, data, len(data), cstr(source), err), err)
        else:
            pub = Key.from_jwk(data)  # the set takes ownership of its own copy
            ptr = pub._k
            ffi.gc(ptr, None)  # ownership moves to the set, also on failure
            pub._k = None
            check(lib.prova_keyset_add(ks, ptr, cstr(source)))
    return ks


# Key sets already built, by what they were built from (the exact JWKS bytes, public JWK texts and sources, in
# order): loading a JWKS checks every public key, which costs more than verifying a small envelope, and a key set is
# never changed once built (the library only reads it), so the same inputs may share one. Bounded; the least
# recently used goes first.
_KEYSET_CACHE: "OrderedDict[Tuple[Tuple[str, bytes, str], ...], Any]" = OrderedDict()
_KEYSET_CACHE_MAX = 16


def _keyset(jwks: Any, keys: Optional[Iterable[Key]]) -> Any:
    items = _trust_items(jwks, keys)
    ks = _KEYSET_CACHE.get(items)
    if ks is not None:
        try:
            _KEYSET_CACHE.move_to_end(items)
        except KeyError:  # another thread evicted it meanwhile; ks is still ours
            pass
        return ks
    ks = _build_keyset(items)
    _KEYSET_CACHE[items] = ks
    while len(_KEYSET_CACHE) > _KEYSET_CACHE_MAX:
        try:
            _KEYSET_CACHE.popitem(last=False)
        except KeyError:
            break
    return ks


class Verifier:
    """Verifies many documents with the same options: the trusted keys are loaded and the options prepared once,
    and each :meth:`verify` call (also ``verifier(document)``) is one library call. Same arguments and same answers
    as :func:`verify`; a Verifier made with ``now=None`` reads the system clock at each call.

    A Verifier is immutable once made and may be shared by threads (the GIL is released while the library
    verifies)."""

    __slots__ = ("_o", "_keep", "_ks", "_clock")

    def __init__(self, *, jwks: Optional[Union[JwksLike, Sequence[JwksLike]]] = None,
                 keys: Optional[Iterable[Key]] = None, trust_embedded_key: bool = False,
                 now: Optional[Union[str, _dt.datetime]] = None,
                 max_skew: Optional[Union[int, float, _dt.timedelta]] = None, no_skew: bool = False,
                 hmac_key: Optional[Union[bytes, str]] = None, default_hmac_key: bool = False,
                 hash_alg: Optional[str] = None, log_keys: Optional[Iterable[str]] = None,
                 log_policy: Optional[Union[str, bytes]] = None, require_log_proof: bool = False,
                 log_proofs: Optional[Iterable[Union[str, bytes]]] = None, threads: int = 1,
                 max_depth: int = 0) -> None:
        keep: List[Any] = []
        o = ffi.new("prova_verify_options *")
        ks = _keyset(jwks, keys)
        o.keys = ks
        o.trust_embedded_key = bool(trust_embedded_key)
        o.now_us = parse_time(now) if now is not None else 0
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
        s = object.__setattr__
        s(self, "_o", o)
        s(self, "_keep", keep)  # what o points to lives as long as o
        s(self, "_ks", ks)
        s(self, "_clock", now is None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Verifier is immutable (cannot set %r)" % name)

    def verify(self, document: Document) -> Report:
        """The :class:`Report` of document (see :func:`verify`)."""
        data = _document_bytes(document)
        o = self._o
        if self._clock:  # the system clock now, in a copy: the shared options never change
            o = ffi.new("prova_verify_options *", o[0])
            o.now_us = time.time_ns() // 1000
        out = ffi.new("prova_report **")
        err = new_error()
        r = lib.prova_verify_document(data, len(data), o, out, err)
        if out[0] == ffi.NULL:
            check(r if r < 0 else -1, err)
        return Report._of_ptr(out[0])

    __call__ = verify


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

    To verify many documents with the same options, make a :class:`Verifier` once. The GIL is released while the
    library verifies.
    """
    return Verifier(jwks=jwks, keys=keys, trust_embedded_key=trust_embedded_key, now=now, max_skew=max_skew,
                    no_skew=no_skew, hmac_key=hmac_key, default_hmac_key=default_hmac_key, hash_alg=hash_alg,
                    log_keys=log_keys, log_policy=log_policy, require_log_proof=require_log_proof,
                    log_proofs=log_proofs, threads=threads, max_depth=max_depth).verify(document)
