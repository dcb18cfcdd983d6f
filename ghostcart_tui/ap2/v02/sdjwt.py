"""SD-JWT (RFC 9901) for AP2 v0.2 mandates, through the reference implementation (`sd_jwt`) and
jwcrypto: issuance, presentation (choosing the disclosures) and verification.

AP2 wraps each mandate's content in `delegate_payload`: a one-element array whose element is
itself selectively disclosable (draft-gco-oauth-delegate-sd-jwt-00). Fields the schemas mark
`x-selectively-disclosable-*` are wrapped in `SD(...)` by the content builders (content.py).

Verification uses `sd_jwt.verifier.SDJWTVerifier` for the disclosure processing (digests,
duplicates, `_sd_alg`) with one change: the issuer signature is checked by `ap2.jws.verify_es256`
(cryptography directly, ES256 only), the same primitive every GhostCart signature goes through.

This module is GhostCart's one sd_jwt adapter: `_Verifier` overrides SDJWTVerifier._verify_sd_jwt
and reads the two attributes sd_jwt's parser sets (_unverified_input_sd_jwt and
_unverified_input_sd_jwt_payload); tests/test_private_apis.py allows exactly these here, and
tests/ap2_v02/test_sdjwt_adapter.py pins them against the installed sd_jwt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from .. import jws as _jws

SD = SDObj  # marks a claim (dict key) or an array element as selectively disclosable
ROOT_TYP = "dc+sd-jwt"
KB_TYP = "kb+sd-jwt"  # terminal delegation hop (a closed mandate signed by the agent)
KB_TYP_INTERMEDIATE = "kb+sd-jwt+kb"


class SdJwtError(ValueError):
    """A token that does not parse or verify; the message says why."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_URLSAFE = bytes.maketrans(b"-_", b"+/")


def b64url_decode(s: str) -> bytes:
    """base64url without padding → bytes (binascii directly: this runs for every segment)."""
    return binascii.a2b_base64(s.encode("ascii").translate(_URLSAFE) + b"=" * (-len(s) % 4), strict_mode=True)


def sha256_b64(text: str) -> str:
    """SHA-256 base64url of a compact serialization: checkout_hash, sd_hash, receipt reference."""
    return b64url(hashlib.sha256(text.encode("ascii")).digest())


# -- keys ---------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _jwk_cached(pem_or_point: bytes, kid: str, private: bool) -> JWK:
    from cryptography.hazmat.primitives import serialization

    key = (
        serialization.load_der_private_key(pem_or_point, None)
        if private
        else serialization.load_der_public_key(pem_or_point)
    )
    d = json.loads(JWK.from_pyca(key).export(private_key=private))
    d["kid"] = kid
    return JWK(**d)


def signing_jwk(private_key: ec.EllipticCurvePrivateKey, kid: str) -> JWK:
    """A jwcrypto JWK (with kid) of a P-256 private key, for the sd_jwt issuer."""
    from cryptography.hazmat.primitives import serialization

    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _jwk_cached(der, kid, True)


def public_jwk(public_key: ec.EllipticCurvePublicKey, kid: str | None = None) -> dict[str, str]:
    nums = public_key.public_numbers()
    d = {"kty": "EC", "crv": "P-256", "x": b64url(nums.x.to_bytes(32, "big")), "y": b64url(nums.y.to_bytes(32, "big"))}
    if kid:
        d["kid"] = kid
    return d


@lru_cache(maxsize=256)
def _p256(x: str, y: str) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64url_decode(x), "big"), int.from_bytes(b64url_decode(y), "big"), ec.SECP256R1()
    ).public_key()


def key_from_jwk(jwk: Any) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from a JWK dict; SdJwtError for anything else. (The point is
    validated on the curve once per distinct key: the parsed key is kept, as a key store would.)"""
    try:
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            raise ValueError("not an EC P-256 key")
        x, y = jwk["x"], jwk["y"]
        if not isinstance(x, str) or not isinstance(y, str):
            raise ValueError("x and y must be base64url strings")
        return _p256(x, y)
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise SdJwtError(f"not a usable P-256 public JWK: {exc}") from None


@lru_cache(maxsize=256)
def _thumb(crv: str, kty: str, x: str, y: str) -> str:
    members = {"crv": crv, "kty": kty, "x": x, "y": y}
    return b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")).digest())


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (what identifies a key, e.g. cnf.jwk against the agent's key)."""
    return _thumb(*(str(jwk[k]) for k in ("crv", "kty", "x", "y")))


# -- plain compact JWS (merchant's checkout JWT, receipts) --------------------------------------


def sign_jwt(claims: dict[str, Any], key: JWK) -> str:
    """A compact ES256 JWS over `claims` (typ JWT, kid of the key)."""
    header = {"alg": "ES256", "typ": "JWT", "kid": key.key_id}
    token = JWS(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    token.add_signature(key, alg="ES256", protected=json.dumps(header))
    return token.serialize(compact=True)


def verify_jwt(token: str, public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """Verify a compact ES256 JWS; its claims. SdJwtError when it does not verify."""
    try:
        h, p, s = token.split(".")
        header = json.loads(b64url_decode(h))
    except (AttributeError, ValueError):
        raise SdJwtError("not a compact JWS") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise SdJwtError(f"algorithm {header.get('alg') if isinstance(header, dict) else '?'!r} is not ES256")
    if not _jws.verify_es256(public_key, f"{h}.{p}".encode("ascii"), b64url_decode(s)):
        raise SdJwtError("the signature does not verify")
    try:
        claims = json.loads(b64url_decode(p))
    except ValueError:
        raise SdJwtError("the payload is not JSON") from None
    if not isinstance(claims, dict):
        raise SdJwtError("the payload is not a JSON object")
    return claims


def unverified_part(token: str, index: int) -> dict[str, Any]:
    """Header (0) or payload (1) of a compact JWS, UNVERIFIED (display and routing only)."""
    try:
        value = json.loads(b64url_decode(token.split("~", 1)[0].split(".")[index]))
    except (ValueError, IndexError, AttributeError):
        raise SdJwtError("not a compact JWS") from None
    if not isinstance(value, dict):
        raise SdJwtError("not a JSON object")
    return value


# -- issuance and presentation ------------------------------------------------------------------


def issue(content: dict[str, Any], key: JWK, *, typ: str = ROOT_TYP, extra: dict[str, Any] | None = None) -> str:
    """An SD-JWT whose `delegate_payload` holds `content` (one disclosable element), signed with
    `key`; `extra` claims (iat, aud, nonce, sd_hash of a KB hop) sit beside it, not disclosable.
    Returns the issuance: issuer JWT ~ every disclosure ~."""
    claims: dict[str, Any] = {"delegate_payload": [SD(content)]}
    claims.update(extra or {})
    issuer = SDJWTIssuer(
        claims, key, serialization_format="compact", extra_header_parameters={"typ": typ, "kid": key.key_id}
    )
    return issuer.sd_jwt_issuance


def disclose_all(content: Any) -> Any:
    """The claims_to_disclose that reveals every disclosable part of `content` (SD-marked)."""
    if isinstance(content, SDObj):
        content = content.value
    if isinstance(content, dict):
        return {(k.value if isinstance(k, SDObj) else k): disclose_all(v) for k, v in content.items()}
    if isinstance(content, list):
        return [disclose_all(v) for v in content]
    return True


def present(issuance: str, disclose: dict[str, Any]) -> str:
    """The presentation of `issuance` revealing only what `disclose` selects (sd_jwt's
    claims_to_disclose for the mandate content; disclose_all(content) reveals everything).
    Ends with `~` (AP2 hops carry no separate KB-JWT)."""
    holder = SDJWTHolder(issuance)
    holder.create_presentation({"delegate_payload": [disclose]})
    return holder.sd_jwt_presentation


def delegate(
    open_presentation: str, closed_content: dict[str, Any], agent_key: JWK, *, aud: str, nonce: str, iat: int
) -> str:
    """The closed hop: a KB-SD-JWT by the agent key (the open mandate's cnf) over `closed_content`,
    bound to the exact presented open mandate by sd_hash, with the verifier's aud and nonce.
    Returns the `~~`-joined chain."""
    if not aud or not nonce:
        raise SdJwtError("a delegation hop needs the verifier's aud and a nonce")
    if not open_presentation.endswith("~"):
        open_presentation += "~"
    hop = issue(
        closed_content,
        agent_key,
        typ=KB_TYP,
        extra={"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sha256_b64(open_presentation)},
    )
    return f"{open_presentation[:-1]}~~{present(hop, disclose_all(closed_content))}"


def closed_leaf_jwt(token: str) -> str:
    """The issuer JWT of the last hop: receipts reference sha256 of it."""
    return token.rsplit("~~", 1)[-1].split("~", 1)[0]


def hops(token: str) -> list[str]:
    """The `~~`-joined hops, each with its trailing `~` restored (the form sd_hash covers)."""
    parts = token.split("~~")
    return [p if p.endswith("~") else p + "~" for p in parts]


# -- verification -------------------------------------------------------------------------------


class _Verifier(SDJWTVerifier):
    """sd_jwt's verifier with the issuer signature checked by ap2.jws.verify_es256."""

    def __init__(self, token: str, public_key: ec.EllipticCurvePublicKey) -> None:
        self._ghost_key = public_key
        super().__init__(token, lambda _iss, _hdr: None, serialization_format="compact")

    def _verify_sd_jwt(self, cb_get_issuer_key: Any, sign_alg: str | None = None) -> None:
        h, p, s = self._unverified_input_sd_jwt.split(".")
        if not _jws.verify_es256(self._ghost_key, f"{h}.{p}".encode("ascii"), b64url_decode(s)):
            raise SdJwtError("the signature does not verify")
        self._sd_jwt_payload = self._unverified_input_sd_jwt_payload
        self._holder_public_key_payload = self._sd_jwt_payload.get("cnf")


def verify(token: str, public_key: ec.EllipticCurvePublicKey) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Verify one SD-JWT (a hop ending in `~`): (header, claims with disclosures resolved, the
    mandate content from delegate_payload). SdJwtError on any failure."""
    if not isinstance(token, str) or "~" not in token:
        raise SdJwtError("not an SD-JWT (no ~ separator)")
    if not token.endswith("~"):
        raise SdJwtError("a trailing KB-JWT is not used in AP2 v0.2 mandates")
    try:
        header = unverified_part(token, 0)
        if header.get("alg") != "ES256":
            raise SdJwtError(f"algorithm {header.get('alg')!r} is not ES256")
        v = _Verifier(token, public_key)
        claims = v.get_verified_payload()
    except SdJwtError:
        raise
    except Exception as exc:  # malformed base64/JSON, duplicate digests, unknown _sd_alg, ...
        raise SdJwtError(f"malformed SD-JWT: {type(exc).__name__}: {exc}") from None
    dp = claims.get("delegate_payload")
    items = [d for d in dp if isinstance(d, dict)] if isinstance(dp, list) else []
    if len(items) != 1:
        raise SdJwtError(f"delegate_payload discloses {len(items)} mandates, expected exactly 1")
    return header, claims, items[0]


def disclosures(token: str) -> list[Any]:
    """The decoded disclosures a hop reveals (for the privacy check and display)."""
    out = []
    for d in token.split("~")[1:]:
        if d:
            try:
                out.append(json.loads(b64url_decode(d)))
            except ValueError:
                out.append(None)
    return out
