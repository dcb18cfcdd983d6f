"""Canonical hashing: RFC 8785 (JCS) canonical JSON, SHA-256, base64url without padding.

canonical_json is byte-for-byte rfc8785.dumps. The common case (what model_dump(mode="json")
yields: str keys, strings, safe integers, finite floats, bools, None, lists) is serialized by the
standard library's C encoder, whose output is the JCS output for exactly that subset: the same
string escaping (RFC 8785 3.2.2.2 and json's encoder escape the same characters the same way),
keys sorted by code point (the same order as UTF-16 code units while no key holds a character
beyond U+FFFF), and numbers written as JCS writes them (see _check). Anything else is handed to
rfc8785 itself, which serializes it or raises as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import rfc8785
from pydantic import BaseModel

_INT_MAX = 2**53 - 1
_EXACT_FLOAT = float(2**53)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False,
                           check_circular=False).encode


class _Fallback(Exception):
    """The value is outside the subset the fast path handles: use rfc8785."""


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    return obj


def _astral(key: str) -> bool:
    """A key whose UTF-16 order may differ from its code point order (or that has no UTF-16)."""
    return not key.isascii() and any(ord(ch) > 0xFFFF or 0xD800 <= ord(ch) <= 0xDFFF for ch in key)


def _check(obj: Any) -> bool:
    """Whether obj is in the fast subset (else _Fallback); True when it holds an integral float
    (which JCS writes without ".0", so the value must be rewritten by _prepare first)."""
    t = type(obj)
    if t is str or obj is None or t is bool:
        return False
    if t is dict:
        integral = False
        for k, v in obj.items():
            if type(k) is not str or (not k.isascii() and _astral(k)):
                raise _Fallback
            t = type(v)
            if t is str or v is None:
                continue
            if _check(v):
                integral = True
        return integral
    if t is list or t is tuple:
        integral = False
        for v in obj:
            if type(v) is not str and _check(v):
                integral = True
        return integral
    if t is int:
        if -_INT_MAX <= obj <= _INT_MAX:
            return False
        raise _Fallback
    if t is float:
        if obj.is_integer():
            if -_EXACT_FLOAT < obj < _EXACT_FLOAT:
                return True
            raise _Fallback
        if 1e-4 <= abs(obj) < 1e16:  # repr is then JCS's form (shortest digits, no exponent)
            return False
        raise _Fallback  # exponents, NaN, infinities: rfc8785 formats or refuses them
    raise _Fallback


def _prepare(obj: Any) -> Any:
    """obj (already _check-ed) with integral floats as ints: JCS writes 90.0 as 90, -0.0 as 0."""
    t = type(obj)
    if t is dict:
        return {k: _prepare(v) for k, v in obj.items()}
    if t is list or t is tuple:
        return [_prepare(v) for v in obj]
    if t is float and obj.is_integer():
        return int(obj)
    return obj


def canonical_json(obj: Any) -> bytes:
    obj = to_jsonable(obj)
    try:
        text = _ENCODE(_prepare(obj) if _check(obj) else obj)
    except (_Fallback, RecursionError):
        return rfc8785.dumps(obj)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates, as rfc8785 refuses them
        raise rfc8785.CanonicalizationError("input contains non-UTF-8 codepoints") from exc


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hash_b64url(obj: Any) -> str:
    """The hash every signature binds: base64url(SHA-256(JCS(obj)))."""
    return b64url(hashlib.sha256(canonical_json(obj)).digest())
