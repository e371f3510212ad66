"""Hashes and HMAC through libprova (OpenSSL): sha256, sha384, sha512, sha3-256, sha3-384, sha3-512."""
from __future__ import annotations

from typing import Union

from ._core import BytesLike, as_bytes, check, cstr
from ._lib import ffi, lib

__all__ = ["hash", "hmac_sha256", "HASH_ALGORITHMS"]

HASH_ALGORITHMS = ("sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512")


def hash(alg: str, data: Union[str, BytesLike]) -> bytes:  # noqa: A001 - the library's verb
    """The digest of data under alg."""
    a = ffi.new("prova_hash_alg *")
    check(lib.prova_hash_lookup(cstr(alg, "alg"), a), default_code="unsupported_hash")
    d = as_bytes(data)
    out = ffi.new("uint8_t[]", 64)
    check(lib.prova_hash_compute(a[0], d, len(d), out))
    return bytes(ffi.buffer(out, lib.prova_hash_size(a[0])))


def hmac_sha256(key: BytesLike, data: Union[str, BytesLike]) -> bytes:
    """HMAC-SHA256 (any key length, including 0)."""
    k, d = bytes(key), as_bytes(data)
    out = ffi.new("uint8_t[]", 32)
    check(lib.prova_hmac_sha256_compute(k, len(k), d, len(d), out))
    return bytes(ffi.buffer(out, 32))
