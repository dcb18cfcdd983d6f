"""The SQLite engine: WAL, foreign keys, busy timeout, schema version, and the two kinds of
transaction every use case runs in (read, or write with BEGIN IMMEDIATE)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, SQLModel, create_engine

from ..core.private_files import FILE_MODE, private_dir, private_file, tighten
from . import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from .db_errors import explain
from .migrations import APPLICATION_ID, SCHEMA_VERSION, migrate

BUSY_TIMEOUT_MS = 15_000
POOL_SIZE = 4  # idle connections kept open per Database (closed by dispose)
_DAMAGED = ("malformed", "not a database", "file is encrypted")


class StoreError(Exception):
    """The database cannot be used as is; the message names the file and what to do."""


class UnreadableJSON(str):
    """What a JSON column reads as when the stored text is not JSON (a damaged or hand-edited
    file): the text itself, marked, so the repository reports it instead of the driver raising."""


def _load_json(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return UnreadableJSON(text[:200])


_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8_safe(value):
    """Lone surrogates (a broken paste, a hostile feed) cannot be stored as UTF-8 text: they are
    stored as U+FFFD instead of failing the whole transaction."""
    if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value


def _safe_parameters(params):
    if isinstance(params, list):  # executemany
        return [_safe_parameters(p) for p in params]
    if isinstance(params, tuple):
        return tuple(_utf8_safe(v) for v in params)
    if isinstance(params, dict):
        return {k: _utf8_safe(v) for k, v in params.items()}
    return params


def _before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
    return statement, _safe_parameters(parameters)


def db_time(dt: datetime) -> datetime:
    """Any datetime → aware UTC. sqlmodel >= 0.0.50 maps datetime fields to UTCDateTime, which
    refuses naive values on write and stores UTC; naive input is taken as UTC."""
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def _check_file(path: Path) -> None:
    """Refuse a file that is not a GhostCart database; never overwrite it."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file: point GHOSTCART_DB (or --db) at a file.")
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise StoreError(
            f"{path} is not a SQLite database (corrupt, or another kind of file). "
            "GhostCart will not overwrite it: move it away or point GHOSTCART_DB elsewhere."
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            n_tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        found = explain(path, exc, reading=True)
        if found is not None:
            raise StoreError(f"{found} It was left untouched.") from exc
        raise StoreError(f"{path} cannot be read as a database ({exc}). It was left untouched.") from exc
    if app_id != APPLICATION_ID and (n_tables > 0 or app_id != 0):  # tables, or claimed by another app
        raise StoreError(
            f"{path} is a SQLite database from another application. GhostCart will not touch it: "
            "point GHOSTCART_DB (or --db) at a new file."
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this GhostCart ({SCHEMA_VERSION}). "
            "Upgrade GhostCart to open it."
        )


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        try:
            if not self.path.parent.exists():
                private_dir(self.path.parent)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {self.path}: {exc.strerror or exc}") from None
        _check_file(self.path)
        # 0600 before SQLite first opens it: SQLite gives the -wal and -shm files it creates later
        # the database file's permissions. Existing files opened to others are tightened.
        try:
            private_file(self.path)
        except OSError as exc:
            raise StoreError(explain(self.path, exc) or f"{self.path} cannot be created: {exc}") from None
        for extra in ("-wal", "-shm"):
            tighten(Path(f"{self.path}{extra}"), FILE_MODE)
        # A pool of connections, each checked out by one unit of work (so one thread) at a time.
        # Pooling matters beyond the connect cost: when the last connection on a WAL database
        # closes, SQLite checkpoints and truncates the WAL (with fsyncs), so a connection per
        # unit of work paid for a checkpoint on every unit. The pool never blocks: past
        # POOL_SIZE idle connections, extra ones are opened for the burst and closed after.
        self.engine: Engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            poolclass=QueuePool,
            pool_size=POOL_SIZE,
            max_overflow=-1,
            pool_reset_on_return="rollback",
            json_deserializer=_load_json,
        )
        event.listen(self.engine, "connect", _on_connect)
        event.listen(self.engine, "begin", _on_begin)
        event.listen(self.engine, "before_cursor_execute", _before_cursor_execute, retval=True)
        self._write_engine = self.engine.execution_options(ghostcart_immediate=True)
        try:
            self.schema_version = migrate(self.engine, SQLModel.metadata)
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            found = explain(self.path, getattr(exc, "orig", None) or exc)
            raise StoreError(found or f"{self.path} cannot be opened: {exc.__class__.__name__}: {exc}") from exc

    def _damaged(self, exc: BaseException) -> StoreError | None:
        """A file whose pages are damaged passes the open checks and fails on use: say so, with
        the file's name, instead of a driver error."""
        msg = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        if any(m in msg for m in _DAMAGED):
            return StoreError(f"{self.path} is damaged ({msg}). GhostCart changed nothing: restore a backup, "
                              "or move it away and point GHOSTCART_DB at a new file.")
        return None

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            try:
                yield s
            except DatabaseError as exc:
                damaged = self._damaged(exc)
                if damaged is not None:
                    raise damaged from exc
                found = explain(self.path, getattr(exc, "orig", None) or exc, reading=True)
                if found is not None:
                    raise StoreError(found) from exc
                raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One use case, one transaction: commits on success, rolls back on any error.
        BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
        instead of failing with 'database is locked' on a read→write upgrade."""
        with Session(self._write_engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except OperationalError as exc:
                s.rollback()
                if "locked" in str(exc):
                    raise StoreError(f"{self.path} is busy (another GhostCart is writing); try again.") from exc
                found = explain(self.path, getattr(exc, "orig", None) or exc)
                if found is not None:
                    raise StoreError(found) from exc
                raise self._damaged(exc) or exc  # noqa: B904 (re-raises exc itself when it is not damage)
            except DatabaseError as exc:
                s.rollback()
                damaged = self._damaged(exc)
                if damaged is not None:
                    raise damaged from exc
                raise
            except BaseException:
                s.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection (the last close checkpoints the WAL into the file)."""
        self.engine.dispose()


def _on_connect(dbapi_con, _record) -> None:
    dbapi_con.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _on_begin(conn) -> None:
    immediate = conn.get_execution_options().get("ghostcart_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
