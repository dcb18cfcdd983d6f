"""The "Also" list: when the database cannot be written, the message says so and why (a full disk,
a read-only file or folder), instead of "cannot be read" or a driver error. Real SQLite errors:
SQLITE_FULL from a page cap, SQLITE_READONLY from query_only, SQLITE_CANTOPEN from a folder the
process may not write (that one only as a non-root user: root ignores permissions)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, text

from ghostcart_tui.store.db_errors import explain
from ghostcart_tui.store.engine import Database, StoreError


def _with_pragma(db: Database, pragma: str) -> None:
    def on_connect(dbapi_con, _record):
        dbapi_con.execute(pragma)

    event.listen(db.engine, "connect", on_connect)
    db.engine.dispose()  # new connections get the pragma


def _write_a_lot(db: Database) -> None:
    with db.write() as s:
        s.exec(text("CREATE TABLE IF NOT EXISTS probe_blob (b BLOB)"))
        for _ in range(50):
            s.exec(text("INSERT INTO probe_blob VALUES (randomblob(8000))"))


def test_disk_full_says_cannot_be_written_and_why(tmp_path):
    db = Database(tmp_path / "g.db")
    try:
        _with_pragma(db, "PRAGMA max_page_count=60")
        with pytest.raises(StoreError) as info:
            _write_a_lot(db)
    finally:
        db.dispose()
    msg = str(info.value)
    assert "cannot be written" in msg and "disk is full" in msg and "cannot be read" not in msg


def test_read_only_database_says_cannot_be_written(tmp_path):
    db = Database(tmp_path / "g.db")
    try:
        _with_pragma(db, "PRAGMA query_only=ON")
        with pytest.raises(StoreError) as info:
            _write_a_lot(db)
    finally:
        db.dispose()
    assert "cannot be written" in str(info.value) and "cannot be read" not in str(info.value)


def _cantopen() -> sqlite3.OperationalError:
    try:
        sqlite3.connect("file:/nonexistent-dir/x.db?mode=ro", uri=True)
    except sqlite3.OperationalError as exc:
        return exc
    raise AssertionError("expected SQLITE_CANTOPEN")


def test_cantopen_in_an_unwritable_folder_names_the_write(tmp_path):
    db = tmp_path / "g.db"
    db.write_bytes(b"")
    no_write_in_folder = lambda p, m: not (m == os.W_OK and Path(p) == tmp_path)  # noqa: E731
    msg = explain(db, _cantopen(), reading=True, access=no_write_in_folder)
    assert msg and "cannot be written" in msg and "-wal" in msg and "permission denied" in msg
    unreadable = lambda p, m: m != os.R_OK  # noqa: E731
    assert "cannot be read: permission denied" in explain(db, _cantopen(), access=unreadable)


def test_enospc_while_creating_the_file():
    msg = explain(Path("/x/g.db"), OSError(28, "No space left on device"))
    assert msg and "cannot be written: the disk is full" in msg


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_real_unwritable_folder(tmp_path):
    db = Database(tmp_path / "g.db")
    db.dispose()  # clean close: the -wal/-shm files are gone
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(StoreError) as info:
            Database(tmp_path / "g.db")
    finally:
        os.chmod(tmp_path, 0o755)
    assert "cannot be written" in str(info.value)
