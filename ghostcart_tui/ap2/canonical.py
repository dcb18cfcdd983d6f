"""Canonical hashing: RFC 8785 (JCS) canonical JSON, SHA-256, base64url without padding."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import rfc8785
from pydantic import BaseModel


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    return obj


def canonical_json(obj: Any) -> bytes:
    return rfc8785.dumps(to_jsonable(obj))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hash_b64url(obj: Any) -> str:
    """The hash every signature binds: base64url(SHA-256(JCS(obj)))."""
    return b64url(hashlib.sha256(canonical_json(obj)).digest())
