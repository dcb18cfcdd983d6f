"""Pins what ap2/v02/sdjwt.py (the one sd_jwt adapter) relies on in the installed sd_jwt: the
verifier calls _verify_sd_jwt(cb, ...) once, after its parser set _unverified_input_sd_jwt and
_unverified_input_sd_jwt_payload, and resolves disclosures from _sd_jwt_payload. If an sd_jwt
upgrade changes that, these fail before any mandate is wrongly accepted or refused."""

from __future__ import annotations

import inspect

import pytest
from sd_jwt.verifier import SDJWTVerifier

from ghostcart_tui.ap2.keys import KeyPair
from ghostcart_tui.ap2.v02 import sdjwt as S


def test_sd_jwt_verifier_hooks_exist():
    params = list(inspect.signature(SDJWTVerifier._verify_sd_jwt).parameters)
    assert params[:2] == ["self", "cb_get_issuer_key"]
    src = inspect.getsource(SDJWTVerifier)
    for name in ("self._unverified_input_sd_jwt", "self._unverified_input_sd_jwt_payload", "self._sd_jwt_payload",
                 "self._holder_public_key_payload", "self._verify_sd_jwt(cb_get_issuer_key)"):
        assert name in src or name in inspect.getsource(SDJWTVerifier.__mro__[1]), name


def test_adapter_verifies_and_refuses():
    user, other = KeyPair.generate("user", "u"), KeyPair.generate("user", "o")
    content = {"vct": "x", S.SD("secret"): "s", "list": [S.SD({"a": 1}), S.SD({"b": 2})]}
    token = S.present(S.issue(content, S.signing_jwk(user.private_key, user.kid)),
                      {"secret": True, "list": [True, False]})
    header, _claims, got = S.verify(token, user.public.key)
    assert header["typ"] == S.ROOT_TYP and got == {"vct": "x", "secret": "s", "list": [{"a": 1}]}
    with pytest.raises(S.SdJwtError, match="signature"):
        S.verify(token, other.public.key)
