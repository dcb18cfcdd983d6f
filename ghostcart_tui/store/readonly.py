"""Read-only looks at a database file without opening it as a Database (doctor, diagnostics):
nothing is created, migrated or locked. Both raise StoreError (the file cannot be used) or
sqlite3.Error (it cannot be read); the caller reports them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .engine import _check_file


def _connect_readonly(path: Path) -> sqlite3.Connection:
    _check_file(path)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def schema_version(path: Path) -> int:
    """The file's `PRAGMA user_version` (the schema version it was migrated to)."""
    con = _connect_readonly(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def user_signable_mandate_json(path: Path, user_id: str) -> list[str]:
    """The stored JSON of the user's intent and cart mandates, oldest first."""
    con = _connect_readonly(path)
    try:
        rows = con.execute("SELECT mandate_data FROM mandates WHERE user_id = ? AND type IN ('intent', 'cart') "
                           "ORDER BY created_at, id", (user_id,)).fetchall()
    finally:
        con.close()
    return [text for (text,) in rows]
