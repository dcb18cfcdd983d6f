"""Defect 6, deterministically: another process commits a write between APScheduler's "does the
job table exist?" read and its CREATE TABLE. In a deferred transaction that upgrade fails at once
with "database is locked"; the job store now takes the write lock up front (BEGIN IMMEDIATE), so
the other writer waits instead and Monitor.start() succeeds."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy import event

from ghostcart_tui.services.scheduler import JOB_ID, Monitor
from tests.services.conftest import make_runtime


def _start_and_stop(rt) -> None:
    async def go() -> None:
        mon = Monitor(rt, kind="test", sweep_seconds=60)
        mon.start()
        assert mon.scheduler.get_job(JOB_ID) is not None
        mon.stop()

    asyncio.run(go())


def test_job_table_is_created_under_the_write_lock(tmp_path):
    rt = make_runtime(tmp_path)
    other = sqlite3.connect(rt.db.path, timeout=0, isolation_level=None)
    seen: dict[str, object] = {}

    def meanwhile(conn, cursor, statement, parameters, context, executemany):
        if "CREATE TABLE" in statement.upper() and "apscheduler_jobs" in statement and "other" not in seen:
            try:  # what a second daemon does at that moment: commit a write
                other.execute("CREATE TABLE IF NOT EXISTS probe_other_writer (x)")
                seen["other"] = "committed"
            except sqlite3.OperationalError as exc:
                seen["other"] = f"waited: {exc}"

    event.listen(rt.db.engine, "before_cursor_execute", meanwhile)
    try:
        _start_and_stop(rt)  # raised OperationalError('database is locked') before the fix
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", meanwhile)
        other.close()
        rt.close()
    assert str(seen.get("other", "")).startswith("waited"), seen  # we held the write lock


def test_two_monitors_on_one_db_share_the_persisted_job(tmp_path):
    a, b = make_runtime(tmp_path), make_runtime(tmp_path)
    try:
        _start_and_stop(a)
        _start_and_stop(b)  # replace_existing on a job another process wrote: no JobLookupError
        with sqlite3.connect(a.db.path) as con:
            ids = [r[0] for r in con.execute("SELECT id FROM apscheduler_jobs")]
        assert ids == [JOB_ID]  # the start-up one-shot is never persisted
    finally:
        a.close()
        b.close()
