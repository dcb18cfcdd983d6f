"""What actually failed when SQLite refuses a file: reading or writing, and why (permission, a
read-only file system, a full disk), instead of a driver message or a blanket "cannot be read".
(relb stream: the "cannot be read/written" messages of store/engine.py.)"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

Access = Callable[[str, int], bool]


def _free(directory: Path) -> str:
    try:
        return f"{shutil.disk_usage(directory).free:,} bytes free"
    except OSError:
        return "free space unknown"


def _read_only_fs(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _why_not_writable(path: Path, access: Access) -> str:
    folder = path.parent
    if _read_only_fs(folder):
        return f"the file system holding {folder} is mounted read-only"
    if path.exists() and not access(str(path), os.W_OK):
        return "the file is read-only for you (permission denied): check its owner and mode"
    if not access(str(folder), os.W_OK):
        return (f"you may not create files in {folder} (permission denied); SQLite needs to create "
                f"{path.name}-wal and {path.name}-shm beside the database")
    return "SQLite opened it read-only (check the file's and the folder's permissions)"


def explain(path: Path, exc: BaseException, *, reading: bool = False, access: Access = os.access) -> str | None:
    """A one-line account of `exc` for the database at `path`, or None when it is none of the
    file-level failures below (a damaged file, a bug: the caller says those)."""
    path = Path(path)
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorname", "") or ""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        if exc.errno in (28, 122):  # ENOSPC, EDQUOT
            return f"{path} cannot be written: the disk is full ({_free(path.parent)})."
        if isinstance(exc, PermissionError):
            return f"{path} cannot be created: {_why_not_writable(path, access)}."
        return None
    if "disk is full" in text or code.startswith("SQLITE_FULL"):
        return f"{path} cannot be written: the disk is full ({_free(path.parent)}). Free some space and try again."
    if "readonly" in text or "read-only" in text or code.startswith("SQLITE_READONLY"):
        return f"{path} cannot be written: {_why_not_writable(path, access)}."
    if "unable to open" in text or code.startswith("SQLITE_CANTOPEN"):
        if path.exists() and not access(str(path), os.R_OK):
            return f"{path} cannot be read: permission denied (check its owner and mode)."
        if not access(str(path.parent), os.W_OK) or _read_only_fs(path.parent):
            what = "read" if reading else "opened"
            return (f"{path} cannot be {what} because it cannot be written: "
                    f"{_why_not_writable(path, access)}.")
        return f"{path} cannot be opened: {exc}."
    if "disk i/o error" in text or code.startswith("SQLITE_IOERR"):
        return f"{path} cannot be {'read' if reading else 'written'}: a disk I/O error ({_free(path.parent)})."
    return None
