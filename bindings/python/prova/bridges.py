"""The bridges: any prova record as an in-toto Statement in a DSSE envelope, a CloudEvent, OpenLineage RunEvents or
an RO-Crate. Their documents are verified by :func:`prova.verify` (DSSE envelopes and structured CloudEvents are
detected there). Formats: docs/intoto.md, docs/cloudevents.md, docs/openlineage.md, docs/rocrate.md."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._core import Buf, BytesLike, Doc, as_bytes, check, cstr, json_input, new_error, time_text
from ._lib import ffi, lib
from .keys import Key

__all__ = ["RecordInfo", "describe_record", "intoto_statement", "intoto_record", "dsse_pae", "dsse_sign",
           "dsse_payload", "intoto_envelope", "HmacSigner", "DSSE_INTOTO_PAYLOAD_TYPE", "cloudevent",
           "cloudevents_batch", "cloudevent_binary", "cloudevent_unwrap", "cloudevent_unwrap_binary",
           "openlineage_events", "rocrate_metadata", "rocrate_filename", "rocrate_zip", "zip_write", "lineage"]

DSSE_INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"


def _record(record: Any) -> Doc:
    return Doc(json_input(record), record=True)


@dataclass(frozen=True)
class RecordInfo:
    """What the bridges know about a record: family (``"ope"``, ``"oe"``, ``"proof"``), kind (the report's),
    its content address (digest_alg, lowercase hex digest), own id, stated time and a subject/file name."""

    family: str
    kind: str
    digest_alg: str
    digest: str
    id: str
    time: str
    name: str


def _info(d: Doc) -> Any:
    info = ffi.new("prova_record_info *")
    err = new_error()
    check(lib.prova_record_describe(d.root, info, err), err)
    return info


def describe_record(record: Any) -> RecordInfo:
    """Describes a record (dict/list or JSON text; a receipt chain is the JSON array). InvalidArgumentError
    ``record_unknown_kind``, ``record_digest_mismatch``, ``record_not_resolved``, ... otherwise."""
    with _record(record) as d:
        i = _info(d)
        s = lambda x: ffi.string(x).decode("utf-8", "replace")  # noqa: E731
        return RecordInfo(family=s(i.family_name), kind=s(i.kind), digest_alg=s(i.digest_alg), digest=s(i.digest),
                          id=s(i.id), time=s(i.time), name=s(i.name))


# ---- in-toto / DSSE ---------------------------------------------------------------------------------------------
def intoto_statement(record: Any, subject_name: Optional[str] = None) -> bytes:
    """The in-toto Statement v1 of a record (proof records: exactly the reference's ``to_in_toto_statement()``)."""
    with _record(record) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_intoto_statement(d.root, cstr(subject_name), b.p, err), err)
            return b.bytes()


def intoto_record(statement: Union[str, BytesLike]) -> bytes:
    """The bytes of the record a Statement carries (nothing verified)."""
    data = as_bytes(statement, "statement")
    err = new_error()
    with Buf() as b:
        check(lib.prova_intoto_record(data, len(data), b.p, err), err)
        return b.bytes()


def dsse_pae(payload_type: Union[str, bytes], payload: Union[str, BytesLike]) -> bytes:
    """DSSE v1's PAE(type, body): what the signatures cover."""
    t, p = as_bytes(payload_type), as_bytes(payload)
    with Buf() as b:
        check(lib.prova_dsse_pae(t, len(t), p, len(p), b.p))
        return b.bytes()


@dataclass(frozen=True)
class HmacSigner:
    """An HMAC-SHA256 DSSE signer (the Ophamin reference's form): a non-empty key and the keyid to write."""

    key: bytes
    keyid: str = ""


def dsse_sign(payload_type: str, payload: Union[str, BytesLike], signers: Sequence[Union[Key, HmacSigner]]) -> bytes:
    """A DSSE envelope of payload with one signature per signer, in order: a :class:`Key` (private; keyid = its
    kid) or an :class:`HmacSigner`."""
    data = as_bytes(payload, "payload")
    arr = ffi.new("prova_dsse_signer[]", max(1, len(signers)))
    keep: List[Any] = []
    for i, s in enumerate(signers):
        if isinstance(s, Key):
            arr[i].key = s._ptr
        elif isinstance(s, HmacSigner):
            k = ffi.new("uint8_t[]", bytes(s.key) or b"\0")
            keep += [k, cstr(s.keyid, "keyid")]
            arr[i].hmac_key = k
            arr[i].hmac_key_len = len(s.key)
            arr[i].keyid = keep[-1]
        else:
            raise TypeError("a signer is a Key or an HmacSigner, not %s" % type(s).__name__)
    err = new_error()
    with Buf() as b:
        check(lib.prova_dsse_sign(cstr(payload_type, "payload_type"), data, len(data), arr, len(signers), b.p, err),
              err)
        return b.bytes()


def intoto_envelope(record: Any, signers: Sequence[Union[Key, HmacSigner]],
                    subject_name: Optional[str] = None) -> bytes:
    """A record's in-toto Statement in a signed DSSE envelope (what ``prova export --intoto`` writes)."""
    return dsse_sign(DSSE_INTOTO_PAYLOAD_TYPE, intoto_statement(record, subject_name), signers)


def dsse_payload(envelope: Union[str, BytesLike]) -> bytes:
    """The decoded payload of a DSSE envelope (nothing verified)."""
    data = as_bytes(envelope, "envelope")
    err = new_error()
    with Buf() as b:
        check(lib.prova_dsse_payload(data, len(data), b.p, err), err)
        return b.bytes()


# ---- CloudEvents ------------------------------------------------------------------------------------------------
def _ce_options(source: str, type: Optional[str], extensions: Optional[Mapping[str, str]]):
    o = ffi.new("prova_ce_options *")
    keep: List[Any] = [cstr(source, "source"), cstr(type, "type")]
    o.source, o.type = keep
    ext = list((extensions or {}).items())
    if ext:
        arr = ffi.new("prova_ce_extension[]", len(ext))
        for i, (k, v) in enumerate(ext):
            keep += [cstr(k, "extension name"), cstr(v, "extension value")]
            arr[i].name, arr[i].value = keep[-2], keep[-1]
        keep.append(arr)
        o.extensions = arr
        o.nextensions = len(ext)
    return o, keep


def cloudevent(record: Any, *, source: str, type: Optional[str] = None,
               extensions: Optional[Mapping[str, str]] = None) -> bytes:
    """A structured-mode CloudEvent 1.0 of a record (proof records: exactly the reference's ``wrap()``)."""
    with _record(record) as d:
        info = _info(d)
        o, keep = _ce_options(source, type, extensions)
        err = new_error()
        with Buf() as b:
            check(lib.prova_ce_wrap(d.root, info, o, b.p, err), err)
            return b.bytes()


def cloudevents_batch(records: Sequence[Any], *, source: str, type: Optional[str] = None,
                      extensions: Optional[Mapping[str, str]] = None) -> bytes:
    """A batch (``application/cloudevents-batch+json``) of the structured events of records."""
    docs = [_record(r) for r in records]
    try:
        infos = ffi.new("prova_record_info[]", max(1, len(docs)))
        for i, d in enumerate(docs):
            infos[i] = _info(d)[0]
        roots = ffi.new("prova_json *[]", [d.root for d in docs]) if docs else ffi.NULL
        o, keep = _ce_options(source, type, extensions)
        err = new_error()
        with Buf() as b:
            check(lib.prova_ce_wrap_batch(roots, infos, len(docs), o, b.p, err), err)
            return b.bytes()
    finally:
        for d in docs:
            d.close()


def cloudevent_binary(record: Any, *, source: str, type: Optional[str] = None,
                      extensions: Optional[Mapping[str, str]] = None) -> Tuple[List[Tuple[str, str]], bytes]:
    """Binary content mode: ([(header name, value), ...], body)."""
    with _record(record) as d:
        info = _info(d)
        o, keep = _ce_options(source, type, extensions)
        err = new_error()
        with Buf() as h, Buf() as body:
            check(lib.prova_ce_wrap_binary(d.root, info, o, h.p, body.p, err), err)
            headers = []
            for line in h.bytes().decode("ascii").split("\r\n"):
                if line:
                    name, _, value = line.partition(": ")
                    headers.append((name, value))
            return headers, body.bytes()


def cloudevent_unwrap(event: Any) -> bytes:
    """The data of a structured event (validated; the record inside is not verified: use :func:`prova.verify`)."""
    with Doc(json_input(event), flags=0x1 | 0x2) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_ce_unwrap(d.root, b.p, err), err)
            return b.bytes()


def cloudevent_unwrap_binary(headers: Union[Mapping[str, str], Iterable[Tuple[str, str]]],
                             body: BytesLike) -> bytes:
    """The data of a binary-mode message (headers as a mapping or (name, value) pairs), validated."""
    items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    arr = ffi.new("prova_ce_header[]", max(1, len(items)))
    keep: List[Any] = []
    for i, (n, v) in enumerate(items):
        nb, vb = as_bytes(n), as_bytes(v)
        cn, cv = ffi.new("char[]", nb), ffi.new("char[]", vb)
        keep += [cn, cv]
        arr[i].name, arr[i].name_len, arr[i].value, arr[i].value_len = cn, len(nb), cv, len(vb)
    data = bytes(body)
    err = new_error()
    with Buf() as b:
        check(lib.prova_ce_unwrap_binary(arr, len(items), data, len(data), b.p, err), err)
        return b.bytes()


# ---- OpenLineage ------------------------------------------------------------------------------------------------
_OL_EVENTS = {None: 0, "record": 0, "start": 1, "running": 2, "complete": 3, "fail": 4}


def openlineage_events(record: Any, *, producer: Optional[str] = None, namespace: Optional[str] = None,
                       job: Optional[str] = None, run_id: Optional[str] = None, event: Optional[str] = None,
                       event_time: Optional[Union[str, datetime.datetime]] = None, progress: Any = None,
                       error_message: Optional[str] = None, error_type: Optional[str] = None,
                       kind: Optional[str] = None, verbatim_uri: bool = False) -> bytes:
    """The OpenLineage 2.0 RunEvents of a record, as JSON Lines (one compact event per line). event: None (the
    record's mapping), ``"start"``, ``"running"``, ``"complete"`` or ``"fail"``."""
    if event not in _OL_EVENTS:
        raise ValueError("event: start, running, complete, fail or None")
    with _record(record) as d:
        pd = Doc(json_input(progress)) if progress is not None else None
        try:
            o = ffi.new("prova_openlineage_options *")
            keep = [cstr(producer), cstr(namespace), cstr(job), cstr(run_id),
                    cstr(time_text(event_time, "event_time")), cstr(error_message), cstr(error_type), cstr(kind)]
            o.producer, o.ns, o.job, o.run_id, o.event_time, o.error_message, o.error_type, o.kind = keep
            o.event = _OL_EVENTS[event]
            o.progress = pd.root if pd else ffi.NULL
            o.flags = 1 if verbatim_uri else 0
            err = new_error()
            with Buf() as b:
                check(lib.prova_openlineage_events(d.root, o, b.p, ffi.NULL, err), err)
                return b.bytes()
        finally:
            if pd:
                pd.close()


# ---- The lineage graph ------------------------------------------------------------------------------------------
_LINEAGE_FORMATS = {"json": 0, "dot": 1, "graphml": 2, "mermaid": 3}


def lineage(records: Iterable[Any], format: str = "json") -> bytes:
    """The merged lineage graph (docs/lineage.md) of records (each a dict/list or JSON text: OPE envelopes, receipts,
    receipt chains, bundles; OpenExecution events, chains, certificate bundles; proof records), in format ``"json"``,
    ``"dot"``, ``"graphml"`` or ``"mermaid"``. The bytes depend only on the set of records."""
    if format not in _LINEAGE_FORMATS:
        raise ValueError("format: json, dot, graphml or mermaid")
    out = ffi.new("prova_lineage **")
    check(lib.prova_lineage_new(out))
    g = ffi.gc(out[0], lib.prova_lineage_free)
    try:
        err = new_error()
        for r in records:
            with _record(r) as d:
                check(lib.prova_lineage_add(g, d.root, err), err)
        with Buf() as b:
            check(lib.prova_lineage_write(g, _LINEAGE_FORMATS[format], b.p, err), err)
            return b.bytes()
    finally:
        ffi.release(g)


# ---- RO-Crate ---------------------------------------------------------------------------------------------------
def rocrate_filename(kind: str, jsonl: bool = False) -> str:
    """The default record file name in a crate: ``proof.json``, ``ope_envelope.json``, ..."""
    r = lib.prova_rocrate_filename(cstr(kind, "kind"), bool(jsonl))
    if r == ffi.NULL:
        raise ValueError("unknown kind %r" % kind)
    return ffi.string(r).decode()


def rocrate_metadata(record: Union[str, BytesLike], record_filename: Optional[str] = None) -> bytes:
    """``ro-crate-metadata.json`` for a record (its exact bytes: their sha256 and size go into the metadata)."""
    data = as_bytes(record, "record")
    with Doc(data, record=True) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_rocrate_metadata(d.root, data, len(data), cstr(record_filename), b.p, err), err)
            return b.bytes()


def zip_write(entries: Sequence[Tuple[str, BytesLike]], mtime: Optional[int] = None) -> bytes:
    """A store-only zip archive of (name, bytes) entries; mtime in seconds since the epoch (default now)."""
    import time

    arr = ffi.new("prova_zip_entry[]", max(1, len(entries)))
    keep: List[Any] = []
    for i, (name, data) in enumerate(entries):
        b = bytes(data)
        cn, cd = cstr(name, "name"), ffi.new("char[]", b or b"\0")
        keep += [cn, cd]
        arr[i].name, arr[i].data, arr[i].len = cn, cd, len(b)
    err = new_error()
    with Buf() as out:
        check(lib.prova_zip_write(arr, len(entries), int(time.time() if mtime is None else mtime), out.p, err), err)
        return out.bytes()


def rocrate_zip(record: Union[str, BytesLike], record_filename: Optional[str] = None,
                mtime: Optional[int] = None) -> bytes:
    """An RO-Crate as one zip: ro-crate-metadata.json and the record file."""
    data = as_bytes(record, "record")
    if record_filename is None:
        record_filename = rocrate_filename(describe_record(data).kind)
    meta = rocrate_metadata(data, record_filename)
    return zip_write([("ro-crate-metadata.json", meta), (record_filename, data)], mtime)
