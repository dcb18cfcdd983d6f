"""The shopper's private key in the OS keyring (GHOSTCART_KEY_STORAGE=keyring).

The PEM (PKCS8, passphrase-encrypted too when GHOSTCART_KEY_PASSPHRASE is set) is the secret of
one keyring entry: service "ghostcart", user name "<file stem>@<key folder>", so two data folders
never share a key. The key folder holds a marker file `user-<id>.keyring` naming the entry; the
marker holds nothing secret and no key material (a public key in a writable file could be
swapped), so scans know which entries to load. `keyring` is imported only here, and only when a
keyring key is used: start-up never pays for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .keyfiles import KeyStoreError

SERVICE = "ghostcart"
MARKER_SUFFIX = ".keyring"


def entry_name(directory: Path, stem: str) -> str:
    return f"{stem}@{Path(directory).expanduser().resolve()}"


def marker_bytes(entry: str) -> bytes:
    return (json.dumps({"service": SERVICE, "entry": entry}) + "\n").encode("utf-8")


def read_marker(path: Path) -> str:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyStoreError(f"cannot read keyring marker {path}: {exc}", path) from None
    if not isinstance(data, dict) or data.get("service") != SERVICE or not isinstance(data.get("entry"), str):
        raise KeyStoreError(f"keyring marker {path} is damaged: it should name a '{SERVICE}' entry", path)
    return str(data["entry"])


def _backend_error(action: str, entry: str, exc: Exception, path: Path | None) -> KeyStoreError:
    return KeyStoreError(
        f"cannot {action} the key in the OS keyring (service {SERVICE!r}, entry {entry!r}): "
        f"{type(exc).__name__}: {exc}. Unlock the keyring, or set GHOSTCART_KEY_STORAGE=file.",
        path,
    )


def get_pem(entry: str, marker: Path | None = None) -> bytes:
    import keyring
    import keyring.errors

    try:
        secret = keyring.get_password(SERVICE, entry)
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise _backend_error("read", entry, exc, marker) from None
    if not secret:
        raise KeyStoreError(
            f"the OS keyring has no entry {entry!r} (service {SERVICE!r}) although {marker} says the "
            "key lives there: the keyring was reset or this is another machine. Restore the entry, or "
            "move the marker away to generate a new key (mandates signed with the old key will no "
            "longer verify).",
            marker,
        )
    return secret.encode("ascii")


def set_pem(entry: str, pem: bytes, marker: Path | None = None) -> None:
    import keyring
    import keyring.errors

    try:
        keyring.set_password(SERVICE, entry, pem.decode("ascii"))
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise _backend_error("store", entry, exc, marker) from None


def backend_name() -> str:
    import keyring

    kr = keyring.get_keyring()
    return f"{type(kr).__module__}.{type(kr).__name__}"
