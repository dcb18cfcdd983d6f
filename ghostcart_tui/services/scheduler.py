"""APScheduler 3 inside the running app: it only triggers 'run what is due'.

The APScheduler job is persisted (SQLAlchemyJobStore on the same SQLite file) with coalesce, so
sweeps missed while the app was closed collapse into one; the monitoring state itself lives in
our own tables, which is what makes a restart resume every active job.

Several processes (the TUI, `monitor run` daemons) share that job table, so every job store
transaction runs under BEGIN IMMEDIATE like ours (a read→write upgrade inside a deferred
transaction fails at once with "database is locked" instead of waiting), the table is created
under that lock with a bounded retry, and the one-shot start-up sweep lives in memory (two
processes racing to replace or remove one persisted one-shot job lost it under each other).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from .lease import acquire, holder_name, release
from .monitoring import SweepReport, run_due_checks
from .runtime import Runtime

log = logging.getLogger(__name__)
JOB_ID = "ghostcart-sweep"
_runtimes: dict[str, Runtime] = {}


def scheduled_sweep(key: str) -> None:
    """Module-level so the persisted APScheduler job can refer to it by name."""
    runner = _runtimes.get(key)
    if runner is not None and runner.monitor is not None:
        runner.monitor.sweep_now()


CREATE_ATTEMPTS = 6


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def job_store(engine: Any) -> Any:
    """The persisted job store, on our engine, every transaction BEGIN IMMEDIATE."""
    from apscheduler.jobstores.base import BaseJobStore, JobLookupError
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from sqlalchemy.exc import OperationalError

    class LockedJobStore(SQLAlchemyJobStore):
        def start(self, scheduler: Any, alias: str) -> None:
            BaseJobStore.start(self, scheduler, alias)
            for attempt in range(CREATE_ATTEMPTS):
                try:
                    with self.engine.begin() as conn:
                        self.jobs_t.create(conn, checkfirst=True)
                    return
                except OperationalError as exc:
                    if not _is_lock_error(exc) or attempt == CREATE_ATTEMPTS - 1:
                        raise
                    time.sleep(0.05 * 2**attempt * (1 + random.random()))  # backoff, not a test wait

        def update_job(self, job: Any) -> None:
            try:
                super().update_job(job)
            except JobLookupError:  # another process removed it meanwhile: put it back
                self.add_job(job)

        def shutdown(self) -> None:
            pass  # the engine is the Database's: it disposes it when the runtime closes

    return LockedJobStore(engine=engine.execution_options(ghostcart_immediate=True))


class Monitor:
    """Runs sweeps on a schedule while holding the lease. Sweeps run off the event loop."""

    def __init__(self, rt: Runtime, kind: str = "tui", on_report: Callable[[SweepReport], None] | None = None,
                 sweep_seconds: int = 60) -> None:
        self.rt = rt
        self.holder = holder_name(kind)
        self.on_report = on_report
        self.sweep_seconds = sweep_seconds
        self.scheduler: Any = None  # an AsyncIOScheduler once started (imported lazily)
        self.has_lease = False
        rt.monitor = self

    def sweep_now(self) -> SweepReport | None:
        self.has_lease = acquire(self.rt, self.holder)
        if not self.has_lease:
            return None
        try:
            report = run_due_checks(self.rt)
        except Exception:  # a failed sweep must not kill the scheduler; the next one retries
            log.exception("monitoring sweep failed")
            return None
        if self.on_report:
            self.on_report(report)
        return report

    def start(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        key = str(self.rt.db.path)
        _runtimes[key] = self.rt
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": job_store(self.rt.db.engine), "memory": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            event_loop=asyncio.get_event_loop(),
        )
        self.scheduler.add_job(scheduled_sweep, "interval", seconds=self.sweep_seconds, id=JOB_ID,
                               args=[key], replace_existing=True)
        self.scheduler.start()
        # Checks missed while the app was closed run once now.
        self.scheduler.add_job(scheduled_sweep, args=[key], id=f"{JOB_ID}-startup", replace_existing=True,
                               jobstore="memory")

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        _runtimes.pop(str(self.rt.db.path), None)
        release(self.rt, self.holder)
