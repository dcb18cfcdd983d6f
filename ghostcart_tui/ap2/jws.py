"""Compact JWS/JWT, ES256 only: signed through joserfc, verified with `cryptography` directly.

Verification is strict and ordered: the token's shape and header are checked (alg must be ES256:
"none", HS256 and everything else are refused before any cryptography), then the kid is resolved
to a known key of the expected role (and owner), then the header is checked against joserfc's JWS
header registry (only registered header names, each of its registered type; the same check
joserfc's own verification makes), then the raw r||s signature (exactly 64 bytes, canonical
base64url) is verified with the key's `cryptography` object, and only then are the claims read
and, when a `now` is given, their expiry checked.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jws
from joserfc.jws import JWSRegistry

from ..core.clock import to_iso
from .errors import EXPIRED, SIGNATURE_INVALID, AP2Error

if TYPE_CHECKING:
    from .keys import KeyPair, KeyStore, PublicKey

ALG = "ES256"
AUDIENCE = "ghostcart"
_ALGORITHMS = [ALG]
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_TOKEN = 16_384
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
_REGISTRY = JWSRegistry(algorithms=_ALGORITHMS)  # header rules only; never verifies anything


def _fail(message: str, **details: Any) -> AP2Error:
    return AP2Error(SIGNATURE_INVALID, message, details or None)


def _b64decode_strict(segment: str) -> bytes:
    """base64url without padding, canonical only (so one token has one spelling)."""
    if not _SEGMENT_RE.match(segment) or len(segment) % 4 == 1:
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != segment:
        raise ValueError("non-canonical base64url")
    return raw


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode_strict(segment))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise _fail(f"malformed token: the {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise _fail(f"malformed token: the {what} is not a JSON object")
    return value


def _split(token: Any) -> list[str]:
    if not isinstance(token, str) or not token:
        raise _fail("malformed token: not a compact JWS string")
    if len(token) > _MAX_TOKEN:
        raise _fail("malformed token: too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise _fail("malformed token: a compact JWS has three dot-separated parts")
    return parts


def jwt_header(token: str) -> dict[str, Any]:
    """The protected header, unverified (for display and diagnostics)."""
    return _json_segment(_split(token)[0], "header")


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims, UNVERIFIED: for display only, never for a decision."""
    return _json_segment(_split(token)[1], "payload")


def epoch_to_datetime(seconds: int) -> datetime:
    """A claim's epoch seconds as an aware UTC datetime (clamped to datetime's range)."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return (datetime.min if seconds < 0 else datetime.max).replace(tzinfo=UTC)


def make_claims(
    iss: str,
    sub: str,
    aud: str,
    now: datetime,
    ttl: timedelta,
    jti: str,
    **extra: Any,
) -> dict[str, Any]:
    """Registered claims (iat/exp as integer epoch seconds) plus the caller's own."""
    claims: dict[str, Any] = {
        "iss": iss,
        "sub": sub,
        "aud": aud,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": jti,
    }
    claims.update(extra)
    return claims


def sign_jwt(claims: dict[str, Any], key: KeyPair) -> str:
    header = {"alg": ALG, "kid": key.kid, "typ": "JWT"}
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return jws.serialize_compact(header, payload, key.jose_key, algorithms=_ALGORITHMS)


def resolve_signer(token: str, keys: KeyStore) -> PublicKey | None:
    """The known key a token claims to be signed with (unverified), for display."""
    try:
        kid = jwt_header(token).get("kid")
    except AP2Error:
        return None
    return keys.resolve(kid) if isinstance(kid, str) else None


def verify_jwt(
    token: str,
    keys: KeyStore,
    *,
    expected_role: str,
    expected_owner: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Verify a compact ES256 JWS signed by a known key of `expected_role` (and owner); return
    its claims. Raises AP2Error(signature_invalid) or, when `now` is given and exp <= now,
    AP2Error(expired). With now=None no time check is made (audit of an old chain)."""
    return verify_jwt_signer(token, keys, expected_role=expected_role, expected_owner=expected_owner,
                             now=now)[0]


def verify_es256(public_key: ec.EllipticCurvePublicKey, signing_input: bytes, signature: bytes) -> bool:
    """One ES256 verification: `signature` is the JWS form (r||s, 32 bytes each)."""
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, signing_input, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


def verify_jwt_signer(
    token: str,
    keys: KeyStore,
    *,
    expected_role: str,
    expected_owner: str | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], PublicKey]:
    """verify_jwt, also returning the key that signed."""
    header_seg, payload_seg, sig_seg = _split(token)
    header = _json_segment(header_seg, "header")
    alg = header.get("alg")
    if alg != ALG:
        raise _fail(f"algorithm {alg!r} is not accepted: only {ALG} signatures are", alg=alg)
    if "crit" in header:
        raise _fail("malformed token: critical header extensions are not supported")
    if "b64" in header:  # RFC 7797 unencoded payloads: never signed here
        raise _fail("malformed token: the b64 header is not supported")
    if header.get("typ", "JWT") != "JWT":
        raise _fail(f"malformed token: typ {header.get('typ')!r} is not JWT")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _fail("malformed token: the header has no kid")
    if not _SEGMENT_RE.match(payload_seg) or not _SEGMENT_RE.match(sig_seg):
        raise _fail("malformed token: payload or signature is not base64url")

    # KeyStore.require: KeyUnavailable (not a verdict) when a key file cannot be opened. Other key
    # sources (e.g. the public keys of an export) only resolve.
    require = getattr(keys, "require", None)
    signer = require(kid) if require is not None else keys.resolve(kid)
    if signer is None:
        raise _fail(f"signed with an unknown key (kid {kid[:16]}…)", kid=kid)
    if signer.role != expected_role:
        raise _fail(
            f"signed with the {signer.role} key of {signer.owner!r}, but a {expected_role} "
            "signature is required",
            kid=kid,
        )
    if expected_owner is not None and signer.owner != expected_owner:
        raise _fail(
            f"signed by {expected_role} {signer.owner!r}, but {expected_owner!r} must sign",
            kid=kid,
        )

    try:
        _REGISTRY.validate_header_size(header_seg.encode("ascii"))
        _REGISTRY.check_header(header)
        signature = _b64decode_strict(sig_seg)
        payload = _b64decode_strict(payload_seg)
        valid = verify_es256(signer.key, f"{header_seg}.{payload_seg}".encode("ascii"), signature)
    except Exception:  # any failure on the way is a bad signature, never a crash
        valid = False
    if not valid:
        raise _fail(
            f"the signature does not verify with the {expected_role} key of {signer.owner!r}",
            kid=kid,
        )

    try:
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _fail("malformed token: the payload is not JSON") from None
    if not isinstance(claims, dict):
        raise _fail("malformed token: the claims are not a JSON object")
    for name in ("iat", "exp"):
        if name in claims and (type(claims[name]) is not int):
            raise _fail(f"malformed token: claim {name} is not an integer")

    if now is not None and "exp" in claims and claims["exp"] <= now.timestamp():
        raise AP2Error(
            EXPIRED,
            f"the {expected_role} authorization expired at "
            f"{to_iso(epoch_to_datetime(claims['exp']))}",
            {"kid": kid, "exp": claims["exp"]},
        )
    return claims, signer
