"""Signing keys: Ed25519 (libsodium), Ed448 and ECDSA P-256/384/521 (OpenSSL), as JWK, PEM, DER SPKI or raw bytes.

A :class:`Key` owns a ``prova_key``; its secret part is wiped when the key is closed (``close()``, the end of a
``with`` block) or garbage-collected.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, Optional, Union

from ._core import Buf, BytesLike, as_bytes, check, cstr, new_error
from ._lib import ffi, lib
from .errors import ProvaIOError

__all__ = ["Key", "ALGORITHMS", "jwks"]

#: The signature algorithms, by the names prova uses.
ALGORITHMS = ("ed25519", "ed448", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521")

JwkLike = Union[Dict[str, Any], str, BytesLike]


def _sig_alg(name: str) -> int:
    ret = ffi.new("prova_sig_alg *")
    check(lib.prova_sig_lookup(cstr(name, "alg"), ret), default_code="unsupported_algorithm")
    return int(ret[0])


def _jwk_bytes(jwk: JwkLike) -> bytes:
    if isinstance(jwk, dict):
        return json.dumps(jwk, separators=(",", ":")).encode()
    return as_bytes(jwk, "jwk")


class Key:
    """A private or public key of one algorithm. Make one with :meth:`generate` or a ``from_*``/:meth:`load`
    constructor."""

    __slots__ = ("_k", "__weakref__")

    def __init__(self, _ptr: Any) -> None:
        """Internal: takes ownership of a ``prova_key *``."""
        self._k = ffi.gc(_ptr, lib.prova_key_free)

    @classmethod
    def _make(cls, fn: Any, *args: Any, err: bool = True) -> "Key":
        out = ffi.new("prova_key **")
        if err:
            e = new_error()
            check(fn(*args, out, e), e)
        else:
            check(fn(*args, out))
        return cls(out[0])

    # ---- constructors --------------------------------------------------------------------------------------
    @classmethod
    def generate(cls, alg: str = "ed25519") -> "Key":
        """A new private key (``"ed25519"``, ``"ed448"``, ``"ecdsa-p256"``, ``"ecdsa-p384"``, ``"ecdsa-p521"``)."""
        return cls._make(lib.prova_key_generate, _sig_alg(alg), err=False)

    @classmethod
    def from_jwk(cls, jwk: JwkLike) -> "Key":
        """A key from a JWK (a dict or its JSON text): OKP Ed25519/Ed448 or EC P-256/384/521, with ``d`` for a
        private key; ``kid`` is kept. ParseError/KeyMaterialError with the reason code otherwise."""
        data = _jwk_bytes(jwk)
        return cls._make(lib.prova_key_from_jwk, data, len(data))

    @classmethod
    def from_pem(cls, pem: Union[str, BytesLike]) -> "Key":
        """A key from PEM: ``PUBLIC KEY`` (SPKI), ``PRIVATE KEY`` (PKCS#8) or ``EC PRIVATE KEY``."""
        data = as_bytes(pem, "pem")
        return cls._make(lib.prova_key_from_pem, data, len(data))

    @classmethod
    def from_spki_der(cls, der: BytesLike) -> "Key":
        """A public key from DER SubjectPublicKeyInfo bytes."""
        data = as_bytes(der, "der")
        return cls._make(lib.prova_key_from_spki_der, data, len(data))

    @classmethod
    def from_text(cls, text: Union[str, BytesLike]) -> "Key":
        """A key from text in any form prova detects: JWK, PEM, hex DER SPKI, 64-hex raw Ed25519 public key."""
        data = as_bytes(text, "text")
        return cls._make(lib.prova_key_from_text, data, len(data))

    @classmethod
    def from_ed25519_seed(cls, seed: BytesLike) -> "Key":
        """An Ed25519 private key from its 32-byte seed (RFC 8032's private key)."""
        seed = bytes(seed)
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes, not %d" % len(seed))
        return cls._make(lib.prova_key_from_ed25519_seed, seed, err=False)

    @classmethod
    def from_ed25519_public(cls, public: BytesLike) -> "Key":
        """An Ed25519 public key from its 32 raw bytes."""
        public = bytes(public)
        if len(public) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes, not %d" % len(public))
        return cls._make(lib.prova_key_from_ed25519_public, public, err=False)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Key":
        """Reads a key file in any form :meth:`from_text` accepts (files over 1 MiB are refused)."""
        return cls._make(lib.prova_key_load_file, cstr(os.fsencode(path), "path"))

    # ---- properties ----------------------------------------------------------------------------------------
    @property
    def _ptr(self) -> Any:
        if self._k is None:
            raise ValueError("the key is closed")
        return self._k

    @property
    def alg(self) -> str:
        """``"ed25519"``, ``"ed448"``, ``"ecdsa-p256"``, ``"ecdsa-p384"`` or ``"ecdsa-p521"``."""
        return ffi.string(lib.prova_sig_name(lib.prova_key_alg(self._ptr))).decode()

    @property
    def is_private(self) -> bool:
        return bool(lib.prova_key_is_private(self._ptr))

    @property
    def kid(self) -> str:
        """The key id: the JWK's ``kid``, one set here, or prova's default (``ed25519-`` + 16 hex digits of
        SHA-256 of the raw public key; other algorithms: of the DER SPKI)."""
        return ffi.string(lib.prova_key_kid(self._ptr)).decode()

    @kid.setter
    def kid(self, value: str) -> None:
        check(lib.prova_key_set_kid(self._ptr, cstr(value, "kid")), default_code="kid_invalid")

    def public_bytes(self) -> bytes:
        """The raw public key: 32 bytes (Ed25519), 57 (Ed448), or the uncompressed point 04||X||Y (ECDSA)."""
        out = ffi.new("uint8_t[]", 160)
        n = lib.prova_key_public_raw(self._ptr, out, 160)
        return bytes(ffi.buffer(out, n))

    def public_key(self) -> "Key":
        """The public half as a new Key (same kid)."""
        return Key.from_jwk(self.to_jwk_text(private=False))

    # ---- serialization -------------------------------------------------------------------------------------
    def to_jwk_text(self, private: bool = False) -> bytes:
        """The JWK as compact JSON bytes (members in code point order; ``kid``, ``alg``, ``use``; ``d`` only with
        ``private=True`` and a private key)."""
        with Buf() as b:
            check(lib.prova_key_to_jwk(self._ptr, bool(private), b.p))
            return b.bytes()

    def to_jwk(self, private: bool = False) -> Dict[str, Any]:
        """The JWK as a dict (see :meth:`to_jwk_text`)."""
        return json.loads(self.to_jwk_text(private))

    def to_pem(self, private: bool = False) -> str:
        """PEM text: PKCS#8 with ``private=True`` and a private key, else SPKI."""
        with Buf() as b:
            check(lib.prova_key_to_pem(self._ptr, bool(private), b.p))
            return b.bytes().decode("ascii")

    def to_spki_der(self) -> bytes:
        """The public key as DER SubjectPublicKeyInfo."""
        with Buf() as b:
            check(lib.prova_key_to_spki_der(self._ptr, b.p))
            return b.bytes()

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the private JWK to path with mode 0600, atomically (temp file, fsync, rename)."""
        r = lib.prova_key_save_file(self._ptr, cstr(os.fsencode(path), "path"))
        if r < 0:
            errno = ffi.errno
            raise ProvaIOError("key_save_failed", "cannot write %s: %s" % (os.fspath(path), os.strerror(errno)),
                               status=r, status_name="io")

    # ---- signatures ----------------------------------------------------------------------------------------
    def sign(self, message: Union[str, BytesLike]) -> bytes:
        """The signature of message: 64 bytes (Ed25519), 114 (Ed448) or DER (ECDSA). KeyMaterialError for a public
        key."""
        msg = as_bytes(message, "message")
        sig = ffi.new("uint8_t[]", 144)
        n = ffi.new("size_t *")
        check(lib.prova_key_sign(self._ptr, msg, len(msg), sig, n), default_code="key_not_private")
        return bytes(ffi.buffer(sig, n[0]))

    def verify(self, message: Union[str, BytesLike], signature: BytesLike) -> bool:
        """True when signature is a valid signature of message under this key (strict RFC 8032 for Ed25519)."""
        msg = as_bytes(message, "message")
        sig = bytes(signature)
        r = lib.prova_key_verify(self._ptr, msg, len(msg), sig, len(sig))
        if r == -6:
            return False
        check(r)
        return True

    # ---- life cycle ----------------------------------------------------------------------------------------
    def close(self) -> None:
        """Frees the key now (wiping its secret part); the object is unusable afterwards."""
        if self._k is not None:
            ffi.release(self._k)
            self._k = None

    def __enter__(self) -> "Key":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._k is None:
            return "<prova.Key closed>"
        return "<prova.Key %s %s %s>" % (self.alg, "private" if self.is_private else "public", self.kid)


def jwks(keys: Iterable[Key]) -> Dict[str, Any]:
    """A JWKS ``{"keys": [...]}`` of the public halves of keys."""
    return json.loads(jwks_text(keys))


def jwks_text(keys: Iterable[Key]) -> bytes:
    """The JWKS of the public halves of keys, as compact JSON bytes (what ``prova jwks`` writes)."""
    ks = list(keys)
    arr = ffi.new("prova_key *[]", [k._ptr for k in ks]) if ks else ffi.NULL
    with Buf() as b:
        check(lib.prova_key_to_jwks(arr, len(ks), b.p))
        return b.bytes()
