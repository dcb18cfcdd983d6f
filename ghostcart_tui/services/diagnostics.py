"""Read-only health facts for `ghostcart doctor`: the database file and the key directory, looked
at without creating, migrating or generating anything. (Added for the CLI.)"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.settings import Settings
from ..store import readonly
from ..store.db_errors import explain
from ..store.engine import StoreError
from ..store.migrations import SCHEMA_VERSION

if TYPE_CHECKING:
    from ..ap2.keys import KeyStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DbStatus:
    path: Path
    exists: bool
    schema_version: int | None
    code_schema_version: int
    problem: str | None = None


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    role: str
    owner: str
    fingerprint: str


@dataclass(frozen=True)
class UserKeyStatus:
    """The shopper's own key: where it lives, whether it is protected, and whether it is still the
    key that signed the shopper's mandates (a swapped or regenerated key file shows here)."""

    user_id: str
    storage: str  # file | keyring
    location: str  # the key file, or the keyring entry
    exists: bool
    encrypted: bool | None  # a passphrase-encrypted PEM (file or keyring entry)
    kid: str | None = None  # None: not created yet, or cannot be opened
    signed_kids: dict[str, int] = field(default_factory=dict)  # kid -> the user's mandates it signed
    latest_signed_kid: str | None = None
    mismatch: bool = False  # the current key signed none of the shopper's mandates
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KeysStatus:
    directory: Path
    keys: list[KeyInfo] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    problem: str | None = None
    user: UserKeyStatus | None = None


def db_status(settings: Settings) -> DbStatus:
    path = settings.db_path
    if not path.exists():
        return DbStatus(path, False, None, SCHEMA_VERSION)
    try:
        version = readonly.schema_version(path)
    except StoreError as exc:
        return DbStatus(path, True, None, SCHEMA_VERSION, str(exc))
    except sqlite3.Error as exc:
        reason = explain(path, exc, reading=True) or f"{path} cannot be read: {exc}"
        return DbStatus(path, True, None, SCHEMA_VERSION, reason)
    return DbStatus(path, True, version, SCHEMA_VERSION)


def keys_status(settings: Settings) -> KeysStatus:
    """The keys already on disk (none is generated)."""
    from ..commerce.parties import PartyKeys, merchant_keys_dir

    store = PartyKeys(settings.keys_dir, merchant_keys_dir(settings.data_home), settings.key_passphrase,
                      storage=settings.key_storage)
    try:
        jwks = store.public_jwks()["keys"]
    except Exception as exc:  # unreadable directory and the like: report, don't crash doctor
        return KeysStatus(settings.keys_dir, problem=str(exc))
    infos = []
    for jwk in jwks:
        pub = store.resolve(jwk["kid"])
        if pub is not None:
            infos.append(KeyInfo(pub.kid, pub.role, pub.owner, pub.fingerprint))
    try:
        user = user_key_status(settings, store, infos)
    except Exception as exc:  # never let the check itself crash doctor
        user = None
        log.warning("user key check failed: %s", exc)
    return KeysStatus(settings.keys_dir, infos, store.unreadable_files(), user=user)


def signed_kids(settings: Settings, user_id: str) -> tuple[dict[str, int], str | None]:
    """The kids in the user authorizations of the user's stored intents and carts, with counts,
    and the kid of the newest one; read-only (nothing is created)."""
    from ..ap2.errors import AP2Error
    from ..ap2.jws import jwt_header

    path = settings.db_path
    if not path.exists() or path.stat().st_size == 0:
        return {}, None
    try:
        stored = readonly.user_signable_mandate_json(path, user_id)
    except (StoreError, sqlite3.Error):
        return {}, None
    counts: dict[str, int] = {}
    latest = None
    for text in stored:
        try:
            token = json.loads(text).get("user_authorization")
            kid = jwt_header(token).get("kid") if isinstance(token, str) else None
        except (ValueError, AttributeError, AP2Error, RecursionError):
            continue
        if isinstance(kid, str):
            counts[kid] = counts.get(kid, 0) + 1
            latest = kid
    return counts, latest


def user_key_status(settings: Settings, store: KeyStore, infos: list[KeyInfo]) -> UserKeyStatus:
    uid = settings.user_id
    loc = store.user_key_location(uid)
    where = f"OS keyring entry {loc.entry!r} (service 'ghostcart')" if loc.storage == "keyring" else str(loc.path)
    mine = [k for k in infos if k.role == "user" and k.owner == uid]
    kid = mine[0].kid if len(mine) == 1 else None
    counts, latest = signed_kids(settings, uid)
    warnings: list[str] = []
    if loc.storage == "file" and loc.exists and loc.encrypted is False:
        warnings.append(f"the shopper's key file {loc.path} is NOT encrypted: anyone who can read it can sign "
                        f"purchases as {uid}. Set GHOSTCART_KEY_PASSPHRASE before the key is created, or use "
                        "GHOSTCART_KEY_STORAGE=keyring.")
    if settings.key_storage == "keyring" and loc.storage == "file" and loc.exists:
        warnings.append(f"GHOSTCART_KEY_STORAGE=keyring, but the existing key file {loc.path} is used: `ghostcart "
                        "keys move-to-keyring` moves it.")
    mismatch = False
    if kid is not None and counts and kid not in counts:
        mismatch = True
        total = sum(counts.values())
        warnings.append(f"the key of {uid} (kid {kid[:16]}…) signed none of {uid}'s {total} signed mandates (the "
                        f"latest was signed by kid {str(latest)[:16]}…): the key was replaced or regenerated, and "
                        "those mandates will not verify. Restore the original key from a backup.")
    elif kid is not None:
        others = [k for k in counts if k != kid and store.resolve(k) is None]
        if others:
            n = sum(counts[k] for k in others)
            warnings.append(f"{n} of {uid}'s mandates were signed by a key no longer in the key folder "
                            f"(kid {others[0][:16]}…); they will not verify.")
    return UserKeyStatus(uid, loc.storage, where, loc.exists, loc.encrypted, kid, counts, latest, mismatch,
                         warnings)


def exposed_files(settings: Settings) -> list[str]:
    """GhostCart's files and folders that others may read (group/other bits set), as
    '<path> (0644)'; they are tightened to 0600/0700 the next time GhostCart opens them."""
    import os
    import stat

    home = settings.data_home
    candidates = [home, settings.db_path, Path(f"{settings.db_path}-wal"), Path(f"{settings.db_path}-shm"),
                  settings.log_path, settings.keys_dir]
    if settings.keys_dir.is_dir():
        with contextlib.suppress(OSError):
            candidates += sorted(settings.keys_dir.iterdir())
    found = []
    for p in candidates:
        try:
            mode = stat.S_IMODE(os.stat(p).st_mode)
        except OSError:
            continue
        if mode & 0o077:
            found.append(f"{p} ({mode:04o})")
    return found


def aws_credentials_source() -> tuple[bool, str]:
    """(resolved, how): the provider name boto3 used (env, shared-credentials-file, sso…), never
    the secret itself."""
    try:
        import boto3

        creds = boto3.Session().get_credentials()
    except Exception as exc:  # a broken ~/.aws/config: say so
        return False, f"credential lookup failed: {type(exc).__name__}: {exc}"
    if creds is None:
        return False, "no credentials found in the standard AWS chain"
    return True, f"found ({getattr(creds, 'method', 'unknown source')})"
