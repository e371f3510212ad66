"""ODIN OPE v1: signed envelopes (three dialects), the gateway's hash-linked receipts and signed export bundles.
Formats: docs/ope.md. Every builder returns the document's exact bytes (compact JSON); verify them with
:func:`prova.verify`."""
from __future__ import annotations

import datetime
from typing import Any, Iterable, Optional, Union

from ._core import Buf, as_bytes, check, cstr, doc_of, json_input, new_error, now_rfc3339, time_text
from ._lib import ffi, lib
from .keys import Key

__all__ = ["DIALECTS", "BUNDLE_FORMS", "pack_envelope", "signing_string", "build_receipt", "build_bundle"]

#: Envelope dialects: prova's own (seed 001/003), ope-lib's, the starter gateway's.
DIALECTS = {"prova": 0, "ope-lib": 1, "starter": 2}
#: Bundle forms: the starter gateway's, ope-lib's, and seed 003's flat form.
BUNDLE_FORMS = {"starter": 0, "ope-lib": 1, "flat": 2}

TimeLike = Union[str, datetime.datetime]


def pack_envelope(key: Key, payload: Any, *, payload_type: str, target_type: str, ts: Optional[TimeLike] = None,
                  trace_id: Optional[str] = None, not_before: Optional[TimeLike] = None,
                  expires_at: Optional[TimeLike] = None, dialect: str = "prova", bind: bool = False) -> bytes:
    """A signed OPE envelope for payload (a dict or a JSON object's text) with an Ed25519 private key.

    ts: the signed timestamp (default: now); trace_id: default a new UUIDv4; dialect ``"prova"``, ``"ope-lib"``
    or ``"starter"``; bind (prova dialect only): the signature covers every member (``sig_scope: envelope``)
    instead of only ``cid|trace_id|ts``. Raises InvalidArgumentError / KeyMaterialError / ParseError with the
    reason code."""
    if dialect not in DIALECTS:
        raise ValueError("unknown dialect %r: %s" % (dialect, ", ".join(DIALECTS)))
    with doc_of(payload) as d:
        p = ffi.new("prova_ope_envelope_params *")
        keep = [cstr(payload_type, "payload_type"), cstr(target_type, "target_type"), cstr(trace_id, "trace_id"),
                cstr(time_text(ts, "ts") or now_rfc3339(), "ts"), cstr(time_text(not_before, "not_before")),
                cstr(time_text(expires_at, "expires_at"))]
        p.payload_type, p.target_type, p.trace_id, p.ts, p.not_before, p.expires_at = keep
        p.dialect = DIALECTS[dialect]
        p.bind = bool(bind)
        err = new_error()
        with Buf() as b:
            check(lib.prova_ope_envelope_pack(key._ptr, d.root, p, b.p, err), err)
            return b.bytes()


def signing_string(cid: str, trace_id: str, ts: str) -> bytes:
    """OPE v1's signing string ``{cid}|{trace_id}|{ts}`` (a bundle's ``{bundle_cid}|{trace_id}|{exported_at}``)."""
    a, t, s = (as_bytes(x) for x in (cid, trace_id, ts))
    with Buf() as b:
        check(lib.prova_ope_signing_string(a, len(a), t, len(t), s, len(s), b.p))
        return b.bytes()


def build_receipt(gateway_key: Key, prev: Optional[Any], *, trace_id: str, request_cid: str,
                  ts: Optional[TimeLike] = None, created_at: Optional[TimeLike] = None,
                  normalized_cid: Optional[str] = None, policy: Optional[Any] = None) -> bytes:
    """The next receipt of a trace after prev (the previous receipt as a dict or JSON text, or None for hop 0),
    signed by the gateway's Ed25519 key: hop, prev_receipt_hash, receipt_hash and receipt_signature as the
    starter gateway writes them. policy: default ``{"passed": true, "rules": []}``."""
    prev_doc = doc_of(prev) if prev is not None else None
    pol_doc = doc_of(policy) if policy is not None else None
    try:
        p = ffi.new("prova_ope_receipt_params *")
        keep = [cstr(trace_id, "trace_id"), cstr(time_text(ts, "ts") or now_rfc3339(), "ts"),
                cstr(time_text(created_at, "created_at")), cstr(request_cid, "request_cid"),
                cstr(normalized_cid, "normalized_cid")]
        p.trace_id, p.ts, p.created_at, p.request_cid, p.normalized_cid = keep
        p.policy = pol_doc.root if pol_doc else ffi.NULL
        err = new_error()
        with Buf() as b:
            check(lib.prova_ope_receipt_build(gateway_key._ptr, prev_doc.root if prev_doc else ffi.NULL, p, b.p,
                                              err), err)
            return b.bytes()
    finally:
        for d in (prev_doc, pol_doc):
            if d:
                d.close()


def build_bundle(gateway_key: Key, trace_id: str, exported_at: Optional[TimeLike], receipts: Any,
                 form: str = "starter") -> bytes:
    """A signed export bundle of one trace's receipts (a list of dicts or bytes, or a JSON array's text), in hop
    order. form: ``"starter"``, ``"ope-lib"`` or ``"flat"``. exported_at: default now."""
    if form not in BUNDLE_FORMS:
        raise ValueError("unknown bundle form %r: %s" % (form, ", ".join(BUNDLE_FORMS)))
    if isinstance(receipts, (list, tuple)):
        text = b"[" + b",".join(json_input(r) for r in receipts) + b"]"
    else:
        text = json_input(receipts)
    with doc_of(text) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_ope_bundle_build(gateway_key._ptr, cstr(trace_id, "trace_id"),
                                             cstr(time_text(exported_at, "exported_at") or now_rfc3339()),
                                             d.root, BUNDLE_FORMS[form], b.p, err), err)
            return b.bytes()
