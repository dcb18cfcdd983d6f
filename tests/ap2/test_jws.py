from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from ghostcart_tui.ap2.errors import EXPIRED, SIGNATURE_INVALID, AP2Error
from ghostcart_tui.ap2.jws import jwt_header, make_claims, sign_jwt, unverified_claims, verify_jwt
from ghostcart_tui.ap2.keys import KeyPair, KeyStore

from .conftest import MERCHANT, NOW, OTHER_USER, USER


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj: Any) -> str:
    return b64(json.dumps(obj).encode())


def claims(ttl: timedelta = timedelta(minutes=5), **extra: Any) -> dict[str, Any]:
    return make_claims("user:user_demo", "mandate_1", "ghostcart", NOW, ttl, "jti_1", **extra)


def rejects(token: Any, keys: KeyStore, *, role: str = "user", owner: str | None = USER,
            match: str = "") -> AP2Error:
    with pytest.raises(AP2Error) as err:
        verify_jwt(token, keys, expected_role=role, expected_owner=owner, now=NOW)
    assert err.value.code == SIGNATURE_INVALID, err.value
    assert match.lower() in err.value.message.lower()
    return err.value


def test_make_claims_uses_integer_epoch_seconds() -> None:
    c = make_claims("iss", "sub", "aud", NOW.replace(microsecond=999), timedelta(minutes=15),
                    "j", cart_hash="h")
    assert c == {
        "iss": "iss", "sub": "sub", "aud": "aud", "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 900, "jti": "j", "cart_hash": "h",
    }
    assert type(c["iat"]) is int and type(c["exp"]) is int


def test_sign_and_verify_round_trip(keys: KeyStore) -> None:
    user = keys.user_key(USER)
    token = sign_jwt(claims(mandate_hash="abc"), user)
    assert jwt_header(token) == {"alg": "ES256", "kid": user.kid, "typ": "JWT"}
    got = verify_jwt(token, keys, expected_role="user", expected_owner=USER, now=NOW)
    assert got == claims(mandate_hash="abc") == unverified_claims(token)
    assert verify_jwt(token, keys, expected_role="user") == got  # any owner
    # ES256 signatures are randomized: two signatures of one payload differ, both verify
    again = sign_jwt(claims(mandate_hash="abc"), user)
    assert again != token
    verify_jwt(again, keys, expected_role="user", expected_owner=USER)


def test_unicode_claims_round_trip(keys: KeyStore) -> None:
    token = sign_jwt(claims(note="Café ☕ — ×2 𝄞"), keys.merchant_key())
    assert verify_jwt(token, keys, expected_role="merchant", expected_owner=MERCHANT)["note"] == (
        "Café ☕ — ×2 𝄞"
    )


def test_alg_none_is_rejected_before_any_key_lookup(
    keys: KeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    kid = keys.user_key(USER).kid
    token = f"{b64json({'alg': 'none', 'kid': kid, 'typ': 'JWT'})}.{b64json(claims())}."

    def no_lookup(kid: str) -> None:
        raise AssertionError("resolve must not be reached")

    monkeypatch.setattr(keys, "resolve", no_lookup)
    rejects(token, keys, match="algorithm 'none'")
    for alg in ("None", "NONE", "", None):
        t = f"{b64json({'alg': alg, 'kid': kid})}.{b64json(claims())}.sig"
        rejects(t, keys, match="not accepted")
    rejects(f"{b64json({'kid': kid})}.{b64json(claims())}.sig", keys, match="not accepted")


def test_hs256_with_the_public_key_as_secret_is_rejected(keys: KeyStore) -> None:
    user = keys.user_key(USER)
    secret = user.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64json({"alg": "HS256", "kid": user.kid, "typ": "JWT"})
    signing_input = f"{header}.{b64json(claims())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    rejects(f"{signing_input}.{b64(mac)}", keys, match="'HS256' is not accepted")


@pytest.mark.parametrize("alg", ["ES384", "ES512", "RS256", "PS256", "EdDSA", "es256"])
def test_other_algorithms_are_rejected(keys: KeyStore, alg: str) -> None:
    token = sign_jwt(claims(), keys.user_key(USER))
    _, payload, sig = token.split(".")
    header = b64json({"alg": alg, "kid": keys.user_key(USER).kid, "typ": "JWT"})
    rejects(f"{header}.{payload}.{sig}", keys, match="not accepted")


@pytest.mark.parametrize(
    "token",
    [
        "", "abc", "a.b", "a.b.c.d", "...", "eyJ.eyJ.sig", "a b.c.d",
        f"{b64(b'not json')}.{b64json({})}.AAAA",
        f"{b64json([1, 2])}.{b64json({})}.AAAA",
        f"{b64json('ES256')}.{b64json({})}.AAAA",
        None, 42, b"bytes.are.not", "x" * 20_000,
        f"{b64(b'[' * 5000)}.{b64json({})}.AAAA",
    ],
)
def test_garbled_tokens_are_rejected(keys: KeyStore, token: Any) -> None:
    rejects(token, keys, match="malformed")


def test_header_problems_are_rejected(keys: KeyStore) -> None:
    user = keys.user_key(USER)
    good = sign_jwt(claims(), user)
    _, payload, sig = good.split(".")
    for header, why in [
        ({"alg": "ES256", "typ": "JWT"}, "no kid"),
        ({"alg": "ES256", "kid": 7}, "no kid"),
        ({"alg": "ES256", "kid": user.kid, "crit": ["exp"]}, "critical"),
        ({"alg": "ES256", "kid": user.kid, "typ": "JOSE+JSON"}, "typ"),
    ]:
        rejects(f"{b64json(header)}.{payload}.{sig}", keys, match=why)


def test_unknown_kid_is_rejected(keys: KeyStore) -> None:
    stranger = KeyPair.generate("user", USER)  # right role and owner, but not in the store
    rejects(sign_jwt(claims(), stranger), keys, match="unknown key")


def test_wrong_role_and_wrong_owner_are_rejected(keys: KeyStore) -> None:
    rejects(sign_jwt(claims(), keys.agent_key()), keys, match="agent key")
    rejects(sign_jwt(claims(), keys.merchant_key()), keys, match="merchant key")
    rejects(sign_jwt(claims(), keys.user_key(OTHER_USER)), keys, match=OTHER_USER)
    # A swapped kid: the header names another valid key than the one that signed.
    token = sign_jwt(claims(), keys.user_key(USER))
    header = jwt_header(token) | {"kid": keys.user_key(OTHER_USER).kid}
    _, payload, sig = token.split(".")
    rejects(f"{b64json(header)}.{payload}.{sig}", keys, owner=None, match="does not verify")


def test_bad_signatures_are_rejected(keys: KeyStore) -> None:
    token = sign_jwt(claims(), keys.user_key(USER))
    head, payload, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    for i in (0, 31, 32, 63):
        flipped = bytearray(raw)
        flipped[i] ^= 0x01
        rejects(f"{head}.{payload}.{b64(bytes(flipped))}", keys, match="does not verify")
    rejects(f"{head}.{payload}.{b64(bytes(raw[:32]))}", keys, match="does not verify")
    rejects(f"{head}.{payload}.", keys, match="malformed")
    rejects(f"{head}.{payload}.{sig}x", keys)  # not canonical base64url
    other = sign_jwt(claims(mandate_hash="other"), keys.user_key(USER))
    rejects(f"{head}.{other.split('.')[1]}.{sig}", keys, match="does not verify")


def test_claims_must_be_an_object_with_integer_times(keys: KeyStore) -> None:
    user = keys.user_key(USER)
    from joserfc import jws

    def raw_token(payload: bytes) -> str:
        header = {"alg": "ES256", "kid": user.kid, "typ": "JWT"}
        return jws.serialize_compact(header, payload, user.jose_key, algorithms=["ES256"])

    rejects(raw_token(b"[1]"), keys, match="not a json object")
    rejects(raw_token(b"not json"), keys, match="not json")
    rejects(raw_token(json.dumps({"exp": "soon"}).encode()), keys, match="exp is not an integer")
    rejects(raw_token(json.dumps({"iat": 1.5}).encode()), keys, match="iat is not an integer")


def test_expiry_uses_the_given_clock_only(keys: KeyStore) -> None:
    token = sign_jwt(claims(ttl=timedelta(minutes=5)), keys.user_key(USER))
    verify_jwt(token, keys, expected_role="user", now=NOW + timedelta(minutes=4, seconds=59))
    for late in (timedelta(minutes=5), timedelta(days=365)):
        with pytest.raises(AP2Error) as err:
            verify_jwt(token, keys, expected_role="user", now=NOW + late)
        assert err.value.code == EXPIRED
        assert "2026-11-26T10:05:00Z" in err.value.message
    # now=None: an audit of an old chain checks the signature only
    assert verify_jwt(token, keys, expected_role="user")["exp"] == int(NOW.timestamp()) + 300


def test_a_bad_signature_wins_over_expiry(keys: KeyStore) -> None:
    token = sign_jwt(claims(ttl=timedelta(minutes=5)), keys.user_key(USER))
    head, payload, _sig = token.split(".")
    forged = f"{head}.{payload}.{b64(bytes(64))}"
    with pytest.raises(AP2Error) as err:
        verify_jwt(forged, keys, expected_role="user", now=NOW + timedelta(days=1))
    assert err.value.code == SIGNATURE_INVALID
