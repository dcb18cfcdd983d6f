"""Key files on disk: a private directory, PEM (PKCS8) files created 0600 and never overwritten,
optional passphrase encryption, and errors that say which file is wrong and what to do."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

_LOST_KEY_HINT = (
    "move it away to generate a new key (mandates signed with the old key will no longer verify)"
)


class KeyStoreError(Exception):
    """A key file that cannot be used (wrong passphrase, corrupt, unreadable). The message names
    the file and says what to do; no cryptography traceback is attached."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class KeyUnavailable(KeyStoreError):
    """A signature names a key this store cannot open right now (a key file that does not load:
    wrong passphrase, damaged file, keyring locked). Verification cannot decide: it must stop and
    say so, never turn this into an 'invalid signature' verdict."""


def ensure_private_dir(directory: Path) -> None:
    """Create the key directory 0700; tighten it if it is readable by others."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if directory.stat().st_mode & 0o077:
            with contextlib.suppress(OSError):  # not ours to change: leave it as it is
                os.chmod(directory, 0o700)
    except OSError as exc:
        raise KeyStoreError(
            f"cannot create the key directory {directory}: {exc.strerror or exc}. "
            "Check that GHOSTCART_HOME points to a writable place.",
            directory,
        ) from None


def private_pem(key: ec.EllipticCurvePrivateKey, password: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def _write_exclusive(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` holding `data`, mode 0600, only if it does not exist yet: False if it did.

    The data goes to a private temporary file first, hard-linked into place (atomic, and link
    never replaces an existing file), so a concurrent reader never sees a half-written key.
    Where hard links are unsupported, fall back to O_EXCL on the final path.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    try:
        _write_exclusive(tmp, data)
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        except OSError:
            try:
                _write_exclusive(path, data)
                return True
            except FileExistsError:
                return False
    except OSError as exc:
        raise KeyStoreError(
            f"cannot write key file {path}: {exc.strerror or exc}. "
            "Check the permissions of the key directory.",
            path,
        ) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def load_private_key(path: Path, password: bytes | None) -> ec.EllipticCurvePrivateKey:
    """Read a PEM private key; every failure becomes a KeyStoreError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyStoreError(
            f"cannot read key file {path}: {exc.strerror or exc}. Check its permissions.", path
        ) from None
    return private_key_from_pem(data, password, path)


def pem_is_encrypted(data: bytes) -> bool:
    return data.lstrip().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


def private_key_from_pem(data: bytes, password: bytes | None, path: Path) -> ec.EllipticCurvePrivateKey:
    """A PEM private key (from a file or the keyring entry `path` names); KeyStoreError if not."""
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except TypeError:
        if password is None:
            msg = (
                f"key file {path} is encrypted: set GHOSTCART_KEY_PASSPHRASE to the passphrase "
                "it was created with."
            )
        else:
            msg = (
                f"key file {path} is not encrypted, but a passphrase is set: unset "
                f"GHOSTCART_KEY_PASSPHRASE, or {_LOST_KEY_HINT}."
            )
        raise KeyStoreError(msg, path) from None
    except (ValueError, UnsupportedAlgorithm):
        cause = "wrong passphrase (GHOSTCART_KEY_PASSPHRASE) or a damaged file" if password else (
            "the file is damaged"
        )
        raise KeyStoreError(
            f"cannot load key file {path}: {cause}. Check the passphrase or restore the file "
            f"from a backup; if the key is lost, {_LOST_KEY_HINT}.",
            path,
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyStoreError(
            f"key file {path} does not hold an ECDSA P-256 key: {_LOST_KEY_HINT}.", path
        )
    return key
