"""OpenExecution v2: hash-chained execution events, chain records, provenance certificates and offline bundles.
Formats: docs/openexecution.md. Builders return the document's exact bytes; verify with :func:`prova.verify`."""
from __future__ import annotations

import datetime
from typing import Any, Iterable, Optional, Tuple, Union

from ._core import Buf, check, cstr, doc_of, new_error, now_rfc3339, time_text
from ._lib import ffi, lib
from .keys import Key, _sig_alg

__all__ = ["HASH_ALGORITHMS", "chain_new", "chain_append", "chain_resolve", "certify", "set_status", "event_hash",
           "event_input", "event_build", "merkle_root", "genesis", "attest"]

#: The chain hash algorithms.
HASH_ALGORITHMS = ("sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512")

TimeLike = Union[str, datetime.datetime]


def _hash_alg(name: str) -> int:
    ret = ffi.new("prova_hash_alg *")
    check(lib.prova_oe_hash_lookup(cstr(name, "hash_alg"), ret), default_code="unsupported_hash")
    return int(ret[0])


def _t(t: Optional[TimeLike], what: str) -> Any:
    return cstr(time_text(t, what) or now_rfc3339(), what)


def chain_new(*, hash_alg: str = "sha256", sig_alg: str = "ed25519", created_at: Optional[TimeLike] = None,
              id: Optional[str] = None, chain_type: Optional[str] = None, origin_type: Optional[str] = None,
              origin_id: Optional[str] = None) -> bytes:
    """An open chain record (JCS bytes). The algorithms are fixed for the chain's life."""
    p = ffi.new("prova_oe_chain_params *")
    keep = [cstr(id), cstr(chain_type), cstr(origin_type), cstr(origin_id), _t(created_at, "created_at")]
    p.id, p.chain_type, p.origin_type, p.origin_id, p.created_at = keep
    p.hash_alg = _hash_alg(hash_alg)
    p.sig_alg = _sig_alg(sig_alg)
    err = new_error()
    with Buf() as b:
        check(lib.prova_oe_chain_new(p, b.p, err), err)
        return b.bytes()


def _event_params(event_type: str, created_at: Optional[TimeLike], actor_id: Optional[str],
                  actor_type: Optional[str], sentiment: Optional[str], payload_root: Any, id: Optional[str]):
    p = ffi.new("prova_oe_event_params *")
    keep = [cstr(event_type, "event_type"), cstr(actor_id), cstr(actor_type), cstr(sentiment),
            _t(created_at, "created_at"), cstr(id)]
    p.event_type, p.actor_id, p.actor_type, p.sentiment, p.created_at, p.id = keep
    p.payload = payload_root
    return p, keep


def chain_append(chain: Any, *, event_type: str, created_at: Optional[TimeLike] = None,
                 actor_id: Optional[str] = None, actor_type: Optional[str] = None, sentiment: Optional[str] = None,
                 payload: Any = None, id: Optional[str] = None, updated_at: Optional[TimeLike] = None) -> bytes:
    """The chain record (dict or JSON text; it must be open) with one more event. updated_at: default created_at."""
    created = time_text(created_at, "created_at") or now_rfc3339()
    with doc_of(chain) as c:
        pd = doc_of(payload) if payload is not None else None
        try:
            p, keep = _event_params(event_type, created, actor_id, actor_type, sentiment,
                                    pd.root if pd else ffi.NULL, id)
            err = new_error()
            with Buf() as b:
                check(lib.prova_oe_chain_append(c.root, p, cstr(time_text(updated_at, "updated_at") or created),
                                                b.p, err), err)
                return b.bytes()
        finally:
            if pd:
                pd.close()


def event_build(chain_id: str, prev: Optional[Any], *, hash_alg: str = "sha256", event_type: str,
                created_at: Optional[TimeLike] = None, actor_id: Optional[str] = None,
                actor_type: Optional[str] = None, sentiment: Optional[str] = None, payload: Any = None,
                id: Optional[str] = None) -> bytes:
    """One event after prev (the chain's last event, or None for seq 1), for stores that keep events as rows."""
    prev_doc = doc_of(prev) if prev is not None else None
    pd = doc_of(payload) if payload is not None else None
    try:
        p, keep = _event_params(event_type, created_at, actor_id, actor_type, sentiment,
                                pd.root if pd else ffi.NULL, id)
        err = new_error()
        with Buf() as b:
            check(lib.prova_oe_event_build(cstr(chain_id, "chain_id"), _hash_alg(hash_alg),
                                           prev_doc.root if prev_doc else ffi.NULL, p, b.p, err), err)
            return b.bytes()
    finally:
        for d in (prev_doc, pd):
            if d:
                d.close()


def chain_resolve(chain: Any, resolved_at: Optional[TimeLike] = None) -> bytes:
    """open -> resolved: checks every event and sets chain_hash and resolved_at (default now)."""
    with doc_of(chain) as c:
        err = new_error()
        with Buf() as b:
            check(lib.prova_oe_chain_resolve(c.root, _t(resolved_at, "resolved_at"), b.p, err), err)
            return b.bytes()


def certify(key: Key, chain: Any, *, artifact_type: str, artifact_ref: str, issued_at: Optional[TimeLike] = None,
            artifact_title: Optional[str] = None, origin_type: Optional[str] = None, origin_id: Optional[str] = None,
            certificate_id: Optional[str] = None) -> Tuple[bytes, bytes]:
    """Issues a certificate over a resolved chain with the issuer's private key (of the chain's
    signature_algorithm). Returns (the offline bundle, the certified chain record)."""
    with doc_of(chain) as c:
        p = ffi.new("prova_oe_cert_params *")
        keep = [cstr(artifact_type, "artifact_type"), cstr(artifact_ref, "artifact_ref"), cstr(artifact_title),
                cstr(origin_type), cstr(origin_id), _t(issued_at, "issued_at"), cstr(certificate_id)]
        (p.artifact_type, p.artifact_ref, p.artifact_title, p.origin_type, p.origin_id, p.issued_at,
         p.certificate_id) = keep
        err = new_error()
        with Buf() as bundle, Buf() as certified:
            check(lib.prova_oe_certify(key._ptr, c.root, p, bundle.p, certified.p, err), err)
            return bundle.bytes(), certified.bytes()


_STATUS = {"revoked": 1, "superseded": 2}


def set_status(key: Key, bundle: Any, status: str, *, at: Optional[TimeLike] = None, reason: Optional[str] = None,
               superseded_by: Optional[str] = None) -> bytes:
    """The bundle with its status block moved from active to ``"revoked"`` or ``"superseded"`` (superseded_by
    required), signed by the issuer key."""
    if status not in _STATUS:
        raise ValueError("status must be 'revoked' or 'superseded', not %r" % (status,))
    with doc_of(bundle) as d:
        p = ffi.new("prova_oe_status_params *")
        keep = [cstr(reason), cstr(superseded_by), _t(at, "at")]
        p.reason, p.superseded_by, p.at = keep
        p.status = _STATUS[status]
        err = new_error()
        with Buf() as b:
            check(lib.prova_oe_set_status(key._ptr, d.root, p, b.p, err), err)
            return b.bytes()


def event_input(event: Any) -> bytes:
    """The bytes an event's hash covers: JCS of {seq, event_type, actor_id, timestamp, payload, prev_hash}."""
    with doc_of(event) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_oe_event_input(d.root, b.p, err), err)
            return b.bytes()


def event_hash(event: Any, hash_alg: str = "sha256") -> str:
    """An event's hash, lowercase hex."""
    with doc_of(event) as d:
        out = ffi.new("char[]", 129)
        err = new_error()
        check(lib.prova_oe_event_hash(d.root, _hash_alg(hash_alg), out, err), err)
        return ffi.string(out).decode()


def genesis(hash_alg: str = "sha256") -> str:
    """The genesis prev_hash: '0' times the hex length of the hash."""
    out = ffi.new("char[]", 129)
    lib.prova_oe_genesis(_hash_alg(hash_alg), out)
    return ffi.string(out).decode()


def merkle_root(leaves: Iterable[str], hash_alg: str = "sha256") -> str:
    """The RFC 6962 Merkle root of hex leaves (the SDKs' attestations), lowercase hex."""
    cl = [cstr(x, "leaf") for x in leaves]
    arr = ffi.new("const char *[]", cl) if cl else ffi.NULL
    out = ffi.new("char[]", 129)
    check(lib.prova_oe_merkle_root(_hash_alg(hash_alg), arr, len(cl), out), default_code="oe_leaf_invalid")
    return ffi.string(out).decode()


_ATTEST = {"content-integrity": 0, "ContentIntegrity": 0, "timestamp": 1, "Timestamp": 1, "blockchain": 2,
           "Blockchain": 2}


def attest(bundle: Any, type: str, *, key: Optional[Key] = None, at: Optional[TimeLike] = None,
           leaves: Optional[Iterable[str]] = None, tx_hash: Optional[str] = None, network: Optional[str] = None,
           block_number: Optional[int] = None) -> bytes:
    """The offline bundle (which must verify) with one more SDK extension attestation (docs/openexecution.md
    "Creating attestations"): ``"content-integrity"`` (the RFC 6962 root of the event hashes, or of ``leaves``),
    ``"timestamp"`` (``at``, default now, signed with the issuer's private ``key``) or ``"blockchain"`` (the record
    of an anchor made elsewhere: ``tx_hash``, ``network``, ``block_number``)."""
    if type not in _ATTEST:
        raise ValueError("type must be 'content-integrity', 'timestamp' or 'blockchain', not %r" % (type,))
    with doc_of(bundle) as d:
        p = ffi.new("prova_oe_attest_params *")
        p.type = _ATTEST[type]
        cl = [cstr(x, "leaf") for x in leaves] if leaves is not None else []
        arr = ffi.new("const char *[]", cl) if cl else ffi.NULL
        keep = [cstr(tx_hash), cstr(network), _t(at, "at"), arr]
        p.tx_hash, p.network, p.at = keep[0], keep[1], keep[2]
        if leaves is not None:
            p.leaves = arr if cl else ffi.new("const char *[]", 1)
            keep.append(p.leaves)
            p.nleaves = len(cl)
        p.key = key._ptr if key is not None else ffi.NULL
        p.block_number = -1 if block_number is None else block_number
        err = new_error()
        with Buf() as b:
            check(lib.prova_oe_attest_bundle(d.root, p, b.p, err), err)
            return b.bytes()
