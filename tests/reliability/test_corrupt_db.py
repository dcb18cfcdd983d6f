"""A file at GHOSTCART_DB that is not GhostCart's database — random bytes, text, a damaged
SQLite file, another application's SQLite database, a directory, a database from a newer
GhostCart — is refused with a StoreError naming the file, and the file is never changed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import monitoring, orders
from ghostcart_tui.services.runtime import open_runtime
from ghostcart_tui.store.engine import Database, StoreError
from ghostcart_tui.store.migrations import APPLICATION_ID
from tests.services.conftest import make_runtime

from .helpers import charge_counts, hp_chain, signed_intent

PAGE = 4096


def _good_db(dir_: Path) -> Path:
    """A real GhostCart database with a chain in it."""
    rt = make_runtime(dir_)
    hp_chain(rt)
    rt.close()
    return dir_ / "ghostcart.db"


def _foreign(path: Path, *, wal=False, app_id=0, tables=True) -> None:
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    if app_id:
        con.execute(f"PRAGMA application_id={app_id}")
    if tables:
        con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        con.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
        con.execute("CREATE TABLE mandates (id TEXT)")  # even a table with one of our names
    else:
        con.execute("PRAGMA user_version=3")
    con.commit()
    con.close()


def _damaged(path: Path, good: Path, how: str) -> None:
    data = good.read_bytes()
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "garbage page 2":
        data = data[:PAGE] + os.urandom(PAGE) + data[2 * PAGE:]
    elif how == "garbage after page 2":
        data = data[: 2 * PAGE] + os.urandom(len(data) - 2 * PAGE)
    elif how == "zeroed schema page":
        data = data[:100] + b"\0" * (PAGE - 100) + data[PAGE:]
    path.write_bytes(data)


def _newer(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes())
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()


CASES = {
    "random bytes": lambda p, g: p.write_bytes(os.urandom(20_000)),
    "text file": lambda p, g: p.write_text("name,price\nAirPods,249\n" * 100),
    "JSON file": lambda p, g: p.write_text('{"mandates": []}'),
    "PNG image": lambda p, g: p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3000)),
    "zeros": lambda p, g: p.write_bytes(b"\0" * 8192),
    "SQLite header only": lambda p, g: p.write_bytes(b"SQLite format 3\x00"),
    "SQLite header then garbage": lambda p, g: p.write_bytes(b"SQLite format 3\x00" + os.urandom(PAGE * 3)),
    "truncated GhostCart DB": lambda p, g: _damaged(p, g, "truncated"),
    "GhostCart DB with a garbage page": lambda p, g: _damaged(p, g, "garbage page 2"),
    "GhostCart DB garbage after page 2": lambda p, g: _damaged(p, g, "garbage after page 2"),
    "GhostCart DB with its schema page zeroed": lambda p, g: _damaged(p, g, "zeroed schema page"),
    "foreign SQLite DB (another app's tables)": lambda p, g: _foreign(p),
    "foreign SQLite DB in WAL mode": lambda p, g: _foreign(p, wal=True),
    "foreign SQLite DB claimed by another app, no tables": lambda p, g: _foreign(p, app_id=0x4D4F5A41, tables=False),
    "GhostCart DB from a newer version (user_version 99)": _newer,
}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return _good_db(tmp_path_factory.mktemp("good"))


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _open_and_use(settings: Settings):
    rt = open_runtime(settings, clock=FakeClock("2026-11-26T10:00:00Z"), seed=1, log=False)
    try:
        orders.counts(rt)
        orders.list_mandates(rt)
        monitoring.run_due_checks(rt)
    finally:
        rt.close()


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_refused_and_left_untouched(tmp_path, monkeypatch, good, case):
    path = tmp_path / "elsewhere" / "ghostcart.db"
    path.parent.mkdir()
    CASES[case](path, good)
    before = _digest(path)
    # Through GHOSTCART_DB, as the app and the CLI read it.
    monkeypatch.setenv("GHOSTCART_DB", str(path))
    monkeypatch.setenv("GHOSTCART_HOME", str(tmp_path / "home"))
    for _attempt in range(2):  # a second start does not find anything changed either
        with pytest.raises(StoreError) as exc:
            _open_and_use(Settings())
        message = str(exc.value)
        assert str(path) in message, message
        assert "Traceback" not in message and len(message) < 500
        assert _digest(path) == before, "the file was changed"
    if case.startswith("GhostCart DB from a newer"):
        assert "newer" in message and "99" in message
    if case.startswith("foreign"):
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "transactions" not in names and "processor_charges" not in names
        assert con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID
        con.close()


def test_directory_at_ghostcart_db(tmp_path):
    d = tmp_path / "ghostcart.db"
    d.mkdir()
    with pytest.raises(StoreError, match=str(d)):
        Database(d)
    assert list(d.iterdir()) == []


def test_parent_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="file"):
        Database(tmp_path / "file" / "ghostcart.db")


def test_cli_names_the_file_without_a_traceback(tmp_path, monkeypatch, good):
    from typer.testing import CliRunner

    from ghostcart_tui.cli import app

    path = tmp_path / "foreign.db"
    _foreign(path)
    before = _digest(path)
    monkeypatch.setenv("GHOSTCART_HOME", str(tmp_path / "home"))
    for args in (["--db", str(path), "transactions", "list"], ["--db", str(path), "mandates", "list"]):
        r = CliRunner(env={"COLUMNS": "300"}).invoke(app, args)
        out = r.output + (r.stderr if r.stderr_bytes is not None else "")
        assert r.exit_code != 0 and "Traceback" not in out
        assert str(path) in " ".join(out.split()), out
    assert _digest(path) == before


def test_empty_file_becomes_a_new_database(tmp_path):
    """A zero-byte file is not anyone's data: it is initialised (the one file GhostCart writes)."""
    path = tmp_path / "ghostcart.db"
    path.touch()
    db = Database(path)
    db.dispose()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()


def test_corrupt_rows_in_a_good_database_do_not_stop_the_sweep(tmp_path):
    """One intent's stored JSON damaged: its job waits for the shopper with the reason; the
    other job still buys; nothing crashes and nothing is charged for the damaged one."""
    from ghostcart_tui.services import catalog

    rt = make_runtime(tmp_path)
    bad = signed_intent(rt)
    good_intent = signed_intent(rt, "lamp", max_price_cents=5000, skus=["prod_lamp_001"])
    catalog.set_price(rt, "prod_airpods_001", 17500)
    with rt.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE mandates SET mandate_data = '{broken' WHERE id = ?", (bad,))
    from datetime import timedelta

    rt.clock.advance(timedelta(minutes=5))
    report = monitoring.run_due_checks(rt)
    assert report.purchased == 1
    jobs = {j.intent_mandate_id: j for j in monitoring.list_jobs(rt)}
    assert jobs[good_intent].status == "purchased"
    assert jobs[bad].status == "awaiting_user" and "unreadable" in (jobs[bad].last_result or "")
    assert charge_counts(rt) == (1, 1, 1)
    rt.clock.advance(timedelta(minutes=5))
    monitoring.run_due_checks(rt)  # and again: still nothing for the damaged one
    assert charge_counts(rt) == (1, 1, 1)
    rt.close()
