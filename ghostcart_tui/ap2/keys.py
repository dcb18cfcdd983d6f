"""ES256 (ECDSA P-256) keys for the three signers: the user, the shopping agent, the merchant.

A `KeyStore` keeps one PEM (PKCS8) file per key under a private directory, generating each key on
first use. Files are created 0600 (directory 0700), never overwritten, and encrypted when a
passphrase is set. The key id (`kid`) is the RFC 7638 JWK thumbprint of the public key, so it
never changes for a given key and needs no bookkeeping beside the PEM file. Role and owner come
from the file name: `user-<user id>.pem`, `agent.pem`, `merchant.pem`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from .canonical import b64url
from .keyfiles import (
    KeyStoreError,
    KeyUnavailable,
    ensure_private_dir,
    load_private_key,
    pem_is_encrypted,
    private_key_from_pem,
    private_pem,
    publish_exclusive,
)
from .keyring_store import MARKER_SUFFIX, entry_name, get_pem, marker_bytes, read_marker, set_pem

KeyStorage = Literal["file", "keyring"]

__all__ = ["KeyLocation", "KeyPair", "KeyStore", "KeyStoreError", "KeyUnavailable", "PublicKey", "Role", "safe_user_id"]

log = logging.getLogger(__name__)

Role = Literal["user", "agent", "merchant"]
ROLES: tuple[str, ...] = ("user", "agent", "merchant")

DEFAULT_AGENT_OWNER = "ghostcart-shopping-agent"
DEFAULT_MERCHANT_OWNER = "GhostCart Demo Store"

_USER_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_USER_FILE_RE = re.compile(r"^user-([A-Za-z0-9_.-]{1,64})\.(pem|keyring)$")
_AGENT_FILE = "agent.pem"
_MERCHANT_FILE = "merchant.pem"


def safe_user_id(user_id: str) -> str:
    """User ids become file names: allow [A-Za-z0-9_.-], 1..64 chars, and nothing path-like."""
    if not isinstance(user_id, str) or not _USER_ID_RE.match(user_id) or set(user_id) == {"."}:
        raise ValueError(
            f"invalid user id {str(user_id)[:80]!r}: use 1-64 characters from A-Z a-z 0-9 _ . -"
        )
    return user_id


def _coord(n: int) -> str:
    return b64url(n.to_bytes(32, "big"))


def jwk_thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 thumbprint: base64url(SHA-256) of the required members in lexicographic order."""
    nums = public_key.public_numbers()
    members = {"crv": "P-256", "kty": "EC", "x": _coord(nums.x), "y": _coord(nums.y)}
    data = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    return b64url(hashlib.sha256(data).digest())


def _fingerprint(kid: str) -> str:
    head = kid[:16]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def _check_p256(key: Any, what: str) -> None:
    curve_ok = isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and (
        isinstance(key.curve, ec.SECP256R1)
    )
    if not curve_ok:
        raise ValueError(f"{what} is not an ECDSA P-256 key")


@dataclass(frozen=True, eq=False)
class PublicKey:
    """The public side of a signer's key: what verification resolves a `kid` to."""

    role: Role
    owner: str
    key: ec.EllipticCurvePublicKey = field(repr=False)
    kid: str = field(init=False)
    jose_key: ECKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_p256(self.key, "public key")
        if self.role not in ROLES:
            raise ValueError(f"unknown key role {self.role!r}")
        object.__setattr__(self, "kid", jwk_thumbprint(self.key))
        object.__setattr__(self, "jose_key", ECKey.import_key(self.key))

    @property
    def fingerprint(self) -> str:
        """Short display form of the kid, e.g. 'ab12 cd34 ef56 7890'."""
        return _fingerprint(self.kid)

    def public_jwk(self) -> dict[str, str]:
        nums = self.key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _coord(nums.x),
            "y": _coord(nums.y),
            "kid": self.kid,
            "alg": "ES256",
            "use": "sig",
        }


@dataclass(frozen=True, eq=False)
class KeyPair:
    """A signer's private key with its role and owner."""

    role: Role
    owner: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    public: PublicKey = field(init=False, repr=False)
    jose_key: ECKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_p256(self.private_key, "private key")
        public = PublicKey(self.role, self.owner, self.private_key.public_key())
        object.__setattr__(self, "public", public)
        object.__setattr__(self, "jose_key", ECKey.import_key(self.private_key))

    @classmethod
    def generate(cls, role: Role, owner: str) -> KeyPair:
        return cls(role, owner, ec.generate_private_key(ec.SECP256R1()))

    @property
    def kid(self) -> str:
        return self.public.kid

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    def public_jwk(self) -> dict[str, str]:
        return self.public.public_jwk()

    def __repr__(self) -> str:
        return f"KeyPair(role={self.role!r}, owner={self.owner!r}, kid={self.kid!r})"


class KeyStore:
    """Generates, saves and loads the signers' keys; resolves a kid to its public key.

    Thread-safe; two processes racing to create the same key end up sharing one (the file is
    published atomically and never overwritten: the loser loads the winner's key).
    """

    def __init__(
        self,
        directory: Path,
        passphrase: str | None = None,
        *,
        agent_owner: str = DEFAULT_AGENT_OWNER,
        merchant_owner: str = DEFAULT_MERCHANT_OWNER,
        storage: KeyStorage = "file",
    ) -> None:
        if storage not in ("file", "keyring"):
            raise ValueError(f"unknown key storage {storage!r}: use file or keyring")
        self.storage = storage
        self.directory = Path(directory).expanduser()
        self._password = passphrase.encode("utf-8") if passphrase else None
        self.agent_owner = agent_owner
        self.merchant_owner = merchant_owner
        self._lock = threading.RLock()
        self._by_file: dict[str, KeyPair] = {}
        self._by_kid: dict[str, PublicKey] = {}
        # Files that failed to load, with the (mtime, size) they had: not retried until changed.
        self._bad: dict[str, tuple[tuple[int, int], KeyStoreError]] = {}

    # -- the three signers ------------------------------------------------------------------

    def user_key(self, user_id: str) -> KeyPair:
        """The shopper's key: a key file that exists is used wherever new keys go; otherwise a
        keyring entry (storage 'keyring') or a key file is created on first use."""
        uid = safe_user_id(user_id)
        return self._get(self.user_key_name(uid), "user", uid)

    def user_key_name(self, user_id: str) -> str:
        """The name (in the key folder) of the user's key: `user-<id>.pem`, or the keyring
        marker `user-<id>.keyring`."""
        uid = safe_user_id(user_id)
        pem, marker = f"user-{uid}.pem", f"user-{uid}{MARKER_SUFFIX}"
        if (self.directory / pem).exists():
            return pem
        if self.storage == "keyring" or (self.directory / marker).exists():
            return marker
        return pem

    def move_user_key_to_keyring(self, user_id: str) -> KeyLocation:
        """Move the user's key file into the OS keyring (same key, same kid, same encryption):
        write the entry, read it back and compare, publish the marker, then delete the file."""
        uid = safe_user_id(user_id)
        path = self.directory / f"user-{uid}.pem"
        marker = self.directory / f"user-{uid}{MARKER_SUFFIX}"
        with self._lock:
            if not path.exists():
                if marker.exists():
                    return self.user_key_location(uid)
                raise KeyStoreError(f"there is no key file {path} to move", path)
            if marker.exists():
                raise KeyStoreError(f"both {path} and {marker} exist: move one of them away first", marker)
            try:
                pem = path.read_bytes()
            except OSError as exc:
                raise KeyStoreError(f"cannot read key file {path}: {exc.strerror or exc}", path) from None
            original = private_key_from_pem(pem, self._password, path)  # the passphrase must open it
            entry = entry_name(self.directory, marker.stem)
            set_pem(entry, pem, marker)
            copy = private_key_from_pem(get_pem(entry, marker), self._password, marker)
            if jwk_thumbprint(copy.public_key()) != jwk_thumbprint(original.public_key()):
                raise KeyStoreError(f"the keyring entry {entry!r} did not read back as the same key; "
                                    f"{path} was left in place", marker)
            if not publish_exclusive(marker, marker_bytes(entry)):
                raise KeyStoreError(f"{marker} appeared meanwhile; {path} was left in place", marker)
            path.unlink()
            self._by_file.pop(path.name, None)
            self._remember(marker.name, KeyPair("user", uid, copy))
            log.info("moved the key of %s into the OS keyring", uid)
            return self.user_key_location(uid)

    def user_key_location(self, user_id: str) -> KeyLocation:
        """Where the user's key is (or would be created), without creating or loading it."""
        name = self.user_key_name(user_id)
        path = self.directory / name
        if name.endswith(MARKER_SUFFIX):
            entry = entry_name(self.directory, path.stem)
            return KeyLocation("keyring", path, path.exists(), entry=entry,
                               encrypted=bool(self._password) if path.exists() else None)
        encrypted = None
        if path.exists():
            try:
                encrypted = pem_is_encrypted(path.read_bytes()[:64])
            except OSError:
                encrypted = None
        return KeyLocation("file", path, path.exists(), encrypted=encrypted)

    def agent_key(self) -> KeyPair:
        return self._get(_AGENT_FILE, "agent", self.agent_owner)

    def merchant_key(self) -> KeyPair:
        return self._get(_MERCHANT_FILE, "merchant", self.merchant_owner)

    # -- verification side ------------------------------------------------------------------

    def resolve(self, kid: str) -> PublicKey | None:
        """The public key with this kid, or None. Cached; a miss rescans the directory once."""
        if not isinstance(kid, str):
            return None
        found = self._by_kid.get(kid)
        if found is not None:
            return found
        with self._lock:
            self._scan()
            return self._by_kid.get(kid)

    def require(self, kid: str) -> PublicKey | None:
        """resolve() for verification: None means the kid is truly unknown (no key this store can
        see has it). When some key files could not be opened, an unknown kid may well be theirs,
        so that is KeyUnavailable, not a verdict."""
        found = self.resolve(kid)
        if found is not None:
            return found
        with self._lock:
            bad = [err for _sig, err in self._bad.values()]
        if bad:
            raise KeyUnavailable(
                f"cannot open the key that signed this (kid {str(kid)[:16]}…), so it cannot be "
                f"verified now: {bad[0]}",
                bad[0].path,
            )
        return None

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        with self._lock:
            self._scan()
            pairs = [self._by_file[name] for name in sorted(self._by_file)]
        return {"keys": [p.public_jwk() for p in pairs]}

    def unreadable_files(self) -> list[Path]:
        """Key files seen by the last scan that could not be loaded (see KeyStoreError)."""
        with self._lock:
            return [self.directory / name for name in sorted(self._bad)]

    # -- internals ------------------------------------------------------------------------

    def _identity(self, name: str) -> tuple[Role, str] | None:
        if name == _AGENT_FILE:
            return "agent", self.agent_owner
        if name == _MERCHANT_FILE:
            return "merchant", self.merchant_owner
        m = _USER_FILE_RE.match(name)
        if m and set(m.group(1)) != {"."}:
            return "user", m.group(1)
        return None

    def _remember(self, name: str, pair: KeyPair) -> KeyPair:
        self._by_file[name] = pair
        self._by_kid[pair.kid] = pair.public
        self._bad.pop(name, None)
        return pair

    def _get_keyring(self, name: str, role: Role, owner: str) -> KeyPair:
        marker = self.directory / name
        entry = entry_name(self.directory, marker.stem)
        if not marker.exists():
            candidate = KeyPair.generate(role, owner)
            if publish_exclusive(marker, marker_bytes(entry)):
                try:
                    set_pem(entry, private_pem(candidate.private_key, self._password), marker)
                except KeyStoreError:
                    marker.unlink(missing_ok=True)
                    raise
                log.info("generated %s key for %s in the OS keyring (%s)", role, owner, candidate.fingerprint)
                return self._remember(name, candidate)
        return self._remember(name, self._load(marker, role, owner))

    def _get(self, name: str, role: Role, owner: str) -> KeyPair:
        pair = self._by_file.get(name)
        if pair is not None:
            return pair
        with self._lock:
            pair = self._by_file.get(name)
            if pair is not None:
                return pair
            ensure_private_dir(self.directory)
            if name.endswith(MARKER_SUFFIX):
                return self._get_keyring(name, role, owner)
            path = self.directory / name
            if not path.exists():
                candidate = KeyPair.generate(role, owner)
                if publish_exclusive(path, private_pem(candidate.private_key, self._password)):
                    log.info("generated %s key for %s (%s)", role, owner, candidate.fingerprint)
                    return self._remember(name, candidate)
                # Another process published this key first: use theirs.
            return self._remember(name, self._load(path, role, owner))

    def _scan(self) -> None:
        try:
            entries = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("cannot list key directory %s: %s", self.directory, exc)
            return
        for name in entries:
            if name in self._by_file or name.startswith("."):
                continue
            ident = self._identity(name)
            if ident is None:
                continue
            path = self.directory / name
            try:
                st = path.stat()
            except OSError:
                continue
            sig = (st.st_mtime_ns, st.st_size)
            bad = self._bad.get(name)
            if bad is not None and bad[0] == sig:
                continue
            try:
                self._remember(name, self._load(path, *ident))
            except KeyStoreError as exc:
                self._bad[name] = (sig, exc)
                log.warning("%s", exc)

    def _load(self, path: Path, role: Role, owner: str) -> KeyPair:
        if path.name.endswith(MARKER_SUFFIX):
            entry = read_marker(path)
            return KeyPair(role, owner, private_key_from_pem(get_pem(entry, path), self._password, path))
        return KeyPair(role, owner, load_private_key(path, self._password))


@dataclass(frozen=True)
class KeyLocation:
    """Where a user's private key lives: a file (encrypted or not) or an OS keyring entry."""

    storage: KeyStorage
    path: Path  # the key file, or the keyring marker file
    exists: bool
    entry: str | None = None  # the keyring entry (service 'ghostcart')
    encrypted: bool | None = None  # passphrase-encrypted PEM (None: unknown / not created)
