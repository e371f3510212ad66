"""Ophamin proof records 1.0: HMAC-SHA256 sealed, content-addressed records with an optional Ed25519 attestation.
Formats and reason codes: docs/proof.md. Records are Python values: NaN/Infinity and lone surrogates are kept."""
from __future__ import annotations

from typing import Any, Optional, Tuple, Union

from ._core import Buf, BytesLike, Doc, check, cstr, json_input, new_error
from ._lib import ffi, lib
from .keys import Key

__all__ = ["DEFAULT_KEY", "proof_body", "proof_id", "sign_proof", "verify_proof_impl", "decode_key"]

#: The reference's public default HMAC key: a signature under it proves integrity against accidents only.
DEFAULT_KEY = b"ophamin-scenario-proof-key"


def _record(record: Any) -> Doc:
    return Doc(json_input(record), flags=0x1 | 0x2)


def proof_body(record: Any) -> bytes:
    """The signed body's bytes: the ophamin canonical form of the record minus signature, proof_id, attestation."""
    with _record(record) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_proof_body(d.root, b.p, err), err)
            return b.bytes()


def proof_id(record: Any) -> str:
    """The content address: lowercase hex SHA-256 of :func:`proof_body`."""
    with _record(record) as d:
        out = ffi.new("char[]", 65)
        err = new_error()
        check(lib.prova_proof_id(d.root, out, err), err)
        return ffi.string(out).decode()


def sign_proof(record: Any, hmac_key: Optional[BytesLike] = None, *, attest_key: Optional[Key] = None,
               author: Optional[str] = None) -> bytes:
    """The signed record (compact, ASCII, in the reference's ``to_dict()`` order): proof_id, HMAC-SHA256 signature
    under hmac_key (None: the public default key; b"" is the empty key) and, with attest_key (an Ed25519 private
    key) and author, an Ed25519 attestation."""
    key = bytes(hmac_key) if hmac_key is not None else None
    with _record(record) as d:
        err = new_error()
        with Buf() as b:
            check(lib.prova_proof_sign(d.root, key if key is not None else ffi.NULL, len(key) if key else 0,
                                       attest_key._ptr if attest_key is not None else ffi.NULL, cstr(author),
                                       b.p, err), err)
            return b.bytes()


def decode_key(sign_key_b64: str) -> Tuple[bytes, bool]:
    """A ``sign_key_b64`` as the reference reads it (Python's ``b64decode(s, validate=True)``): (key, is_default);
    ``""`` selects the default key. ParseError ``proof_key_b64_invalid`` with the offset otherwise."""
    out = ffi.new("uint8_t **")
    n = ffi.new("size_t *")
    err = new_error()
    r = check(lib.prova_proof_key_decode(cstr(sign_key_b64, "sign_key_b64"), out, n, err), err)
    try:
        return bytes(ffi.buffer(out[0], n[0])), r == 1
    finally:
        lib.prova_proof_key_free(out[0], n[0])


def verify_proof_impl(proof_json: Union[str, BytesLike], hmac_key: Optional[BytesLike] = None,
                      server_version: Optional[str] = None) -> bytes:
    """Exactly the reference's ``verify_proof_impl`` answer, as compact JSON bytes (``{"verified": ..., ...}``); a
    signature mismatch is ``"verified": false``, not an exception. hmac_key None: the default key."""
    data = json_input(proof_json)
    key = bytes(hmac_key) if hmac_key is not None else None
    err = new_error()
    with Buf() as b:
        check(lib.prova_proof_verify_impl(data, len(data), key if key is not None else ffi.NULL,
                                          len(key) if key else 0, cstr(server_version), b.p, err), err)
        return b.bytes()
