"""Read-only health facts for `ghostcart doctor`: the database file and the key directory, looked
at without creating, migrating or generating anything. (Added for the CLI.)"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..core.settings import Settings
from ..store.db_errors import explain
from ..store.engine import StoreError, _check_file
from ..store.migrations import SCHEMA_VERSION


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
class KeysStatus:
    directory: Path
    keys: list[KeyInfo] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    problem: str | None = None


def db_status(settings: Settings) -> DbStatus:
    path = settings.db_path
    if not path.exists():
        return DbStatus(path, False, None, SCHEMA_VERSION)
    try:
        _check_file(path)
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except StoreError as exc:
        return DbStatus(path, True, None, SCHEMA_VERSION, str(exc))
    except sqlite3.Error as exc:
        return DbStatus(path, True, None, SCHEMA_VERSION, explain(path, exc, reading=True) or f"{path} cannot be read: {exc}")
    return DbStatus(path, True, version, SCHEMA_VERSION)


def keys_status(settings: Settings) -> KeysStatus:
    """The keys already on disk (none is generated)."""
    from ..commerce.parties import PartyKeys, merchant_keys_dir

    store = PartyKeys(settings.keys_dir, merchant_keys_dir(settings.data_home), settings.key_passphrase)
    try:
        jwks = store.public_jwks()["keys"]
    except Exception as exc:  # unreadable directory and the like: report, don't crash doctor
        return KeysStatus(settings.keys_dir, problem=str(exc))
    infos = []
    for jwk in jwks:
        pub = store.resolve(jwk["kid"])
        if pub is not None:
            infos.append(KeyInfo(pub.kid, pub.role, pub.owner, pub.fingerprint))
    return KeysStatus(settings.keys_dir, infos, store.unreadable_files())


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
