"""The payment processor's side of AP2 v0.2: its own ES256 key (kept like the other signers'
keys: a PEM file created 0600, never overwritten, encrypted with the key passphrase when one is
set), its challenge (audience and fresh nonce) and its signed Payment Receipts."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto.jwk import JWK

from ..ap2.keyfiles import ensure_private_dir, load_private_key, private_pem, publish_exclusive
from ..ap2.keys import jwk_thumbprint
from ..ap2.v02 import sdjwt as S
from .processor import describe_decline

PROCESSOR_ID = "ghostcart_processor"
PROCESSOR_AUDIENCE = "ghostcart_credentials"  # the credential provider / processor verifying payment hops
KEY_FILE = "processor.pem"


@dataclass(frozen=True)
class ProcessorKey:
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def kid(self) -> str:
        return jwk_thumbprint(self.private_key.public_key())

    @property
    def jwk(self) -> JWK:
        return S.signing_jwk(self.private_key, self.kid)

    def public_jwk(self) -> dict[str, str]:
        return S.public_jwk(self.private_key.public_key(), self.kid)


def keys_dir(home: Path, shopper_keys: Path | None = None) -> Path:
    """home/processor/keys; a processor.pem left in the shopper's key folder (before the
    processor had its own folder) is moved there, so receipts it signed keep verifying."""
    directory = Path(home).expanduser() / "processor" / "keys"
    old = Path(shopper_keys) / KEY_FILE if shopper_keys is not None else None
    if old is not None and old.exists() and not (directory / KEY_FILE).exists():
        try:
            ensure_private_dir(directory)
            os.replace(old, directory / KEY_FILE)
        except OSError:
            return old.parent
    return directory


_lock = threading.Lock()
_cache: dict[Path, ProcessorKey] = {}


def processor_key(directory: Path, passphrase: str | None = None) -> ProcessorKey:
    """The processor's key in `directory` (created on first use; two processes share one)."""
    path = Path(directory).expanduser() / KEY_FILE
    with _lock:
        found = _cache.get(path)
        if found is not None:
            return found
        ensure_private_dir(path.parent)
        password = passphrase.encode("utf-8") if passphrase else None
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            if not publish_exclusive(path, private_pem(key, password)):
                key = load_private_key(path, password)
        else:
            key = load_private_key(path, password)
        found = _cache[path] = ProcessorKey(key)
        return found


def challenge() -> dict[str, str]:
    return {"aud": PROCESSOR_AUDIENCE, "nonce": secrets.token_urlsafe(16)}


def payment_receipt(
    key: ProcessorKey,
    payment_mandate: str,
    now: datetime,
    *,
    payment_id: str,
    authorization_code: str | None = None,
    decline_reason: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> str:
    """The signed Payment Receipt: Success (with the PSP and network confirmation ids) or Error."""
    body: dict[str, Any] = {
        "iss": PROCESSOR_ID,
        "iat": int(now.timestamp()),
        "reference": S.sha256_b64(S.closed_leaf_jwt(payment_mandate)),
        "payment_id": payment_id,
    }
    code = error or decline_reason
    if code or not authorization_code:
        body.update(
            status="Error",
            error=code or "declined",
            error_description=error_description or describe_decline(decline_reason),
        )
    else:
        net = hashlib.sha256(f"{payment_id}:{authorization_code}".encode()).hexdigest()[:16]
        body.update(status="Success", psp_confirmation_id=authorization_code, network_confirmation_id=f"net_{net}")
    return S.sign_jwt(body, key.jwk)
