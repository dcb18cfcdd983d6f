"""The outside parties' own places under GHOSTCART_HOME: the simulated merchant's key folder and
the simulated payment processor's ledger file, apart from the shopper's database and keys.

The shopper's KeyStore holds the user's and the agent's keys; the merchant's key lives in the
merchant's own folder. Verification trusts a merchant-role key only from the merchant's folder,
so a merchant.pem dropped into the shopper's key folder signs nothing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..ap2.keys import KeyPair, KeyStorage, KeyStore, PublicKey

log = logging.getLogger(__name__)

MERCHANT_DIR = "merchant"
PROCESSOR_DIR = "processor"


def merchant_keys_dir(home: Path) -> Path:
    return home / MERCHANT_DIR / "keys"


def processor_db_path(home: Path) -> Path:
    return home / PROCESSOR_DIR / "processor.db"


class PartyKeys(KeyStore):
    """The shopper's key store, with the merchant's key from the merchant's own folder."""

    def __init__(self, directory: Path, merchant_directory: Path, passphrase: str | None = None, *,
                 storage: KeyStorage = "file") -> None:
        super().__init__(directory, passphrase, storage=storage)
        self.merchant_store = KeyStore(merchant_directory, passphrase)  # the merchant's own file
        _move_legacy_merchant_key(Path(directory), Path(merchant_directory))

    def merchant_key(self) -> KeyPair:
        return self.merchant_store.merchant_key()

    def resolve(self, kid: str) -> PublicKey | None:
        theirs = self.merchant_store.resolve(kid)
        if theirs is not None and theirs.role == "merchant":
            return theirs
        ours = super().resolve(kid)
        return ours if ours is not None and ours.role != "merchant" else None

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        ours = [k for k in super().public_jwks()["keys"] if self.resolve(k["kid"]) is not None]
        return {"keys": ours + self.merchant_store.public_jwks()["keys"]}


def _move_legacy_merchant_key(shopper_dir: Path, merchant_dir: Path) -> None:
    """Homes made before the merchant had its own folder kept merchant.pem beside the shopper's
    keys: move it, so carts it signed keep verifying."""
    old, new = shopper_dir / "merchant.pem", merchant_dir / "merchant.pem"
    if not old.exists() or new.exists():
        return
    try:
        merchant_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(old, new)
        log.info("moved the merchant's key to its own folder %s", merchant_dir)
    except OSError as exc:
        log.warning("could not move %s to %s: %s", old, new, exc)
