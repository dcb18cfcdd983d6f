"""HNP monitoring: jobs in the database, checks that run when due, purchases exactly once.

The scheduler only calls run_due_checks(); tests and scenario replay call the same function
after moving a FakeClock, so nothing sleeps. Exactly-once rests on a database claim (the UPDATE
that moves a job from 'active' to 'purchasing' succeeds for one caller only) and, beyond the
shopper's database, on the payment processor's own ledger.

What decides a purchase comes from the shopper's signed intent only (see monitoring_sweep and
monitoring_purchase); a job row is bookkeeping. Every function acts on the current user's jobs
only (rt.user_id): another user's job is "no such watch".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from ..ap2 import chain
from ..ap2.records import IntentRecord
from ..core.clock import as_utc, parse_iso
from ..core.errors import NotFound, UserError, shown
from ..core.events import Event, MonitoringActivated, MonitoringCancelled
from ..core.statuses import LIVE_JOB, SHOWN_LIVE_JOB, JobStatus, MandateStatus
from ..store import jobs, mandates
from ..store.engine import db_time
from ..store.tables import MonitoringJobRow
from .monitoring_purchase import purchase, recover
from .monitoring_sweep import check_due, expire
from .runtime import Runtime
from .views import JobView

__all__ = ["MonitoringBusy", "MonitoringFailed", "SweepReport", "activate", "cancel", "check_now", "get_job",
           "list_jobs", "purchase", "recover", "retry", "run_due_checks", "run_once"]

log = logging.getLogger(__name__)

LIVE = tuple(str(s) for s in LIVE_JOB)


@dataclass
class SweepReport:
    checked: int = 0
    matched: int = 0
    purchased: int = 0
    expired: int = 0
    recovered: int = 0
    queries: int = 0
    ready: int = 0  # notify-only watches whose cart now waits for the shopper's signature
    events: list[Event] = field(default_factory=list)


def to_view(j: MonitoringJobRow) -> JobView:
    c = j.constraints if isinstance(j.constraints, dict) else {}
    return JobView(
        job_id=j.job_id, intent_mandate_id=j.intent_mandate_id, product_query=j.product_query,
        max_price_cents=c.get("max_price_cents") or 0, max_total_cents=c.get("max_total_cents"),
        max_delivery_days=c.get("max_delivery_days"), status=j.status, interval_minutes=j.interval_minutes,
        last_check_at=as_utc(j.last_check_at) if j.last_check_at else None, last_result=j.last_result,
        last_price_cents=j.last_price_cents, next_check_at=as_utc(j.next_check_at),
        expires_at=as_utc(j.expires_at), created_at=as_utc(j.created_at), transaction_id=j.transaction_id,
    )


def _no_such_watch(job_id: str) -> NotFound:
    return NotFound(f"no such watch: no monitoring job {shown(job_id)} of yours; `ghostcart monitor list` shows them")


def activate(rt: Runtime, intent_mandate_id: str) -> JobView:
    """Start watching a user-signed intent. The first check runs one interval from now."""
    now = rt.clock.now()
    with rt.db.write() as s:
        row = mandates.get_row(s, intent_mandate_id)
        if row is None or row.type != "intent" or row.user_id != rt.user_id:
            raise NotFound(f"no intent {shown(intent_mandate_id)}")
        if row.status != MandateStatus.SIGNED:
            raise UserError(f"{intent_mandate_id} is {row.status}; only a signed intent can be watched.")
        intent = mandates.parse(row)
        assert isinstance(intent, IntentRecord)
        chain.verify_intent(intent, rt.keys, now).raise_if_invalid()
        if not intent.intent.skus:
            raise UserError(f"{intent_mandate_id} names no product to buy; create the watch again.")
        job = jobs.insert_job(s, MonitoringJobRow(
            job_id=rt.ids.new("job"), intent_mandate_id=intent_mandate_id, user_id=row.user_id,
            product_query=intent.product_query, constraints=jobs.constraints_copy(intent.model_dump(mode="json")),
            interval_minutes=rt.settings.monitor_interval_minutes, status=JobStatus.ACTIVE,
            next_check_at=db_time(now + timedelta(minutes=rt.settings.monitor_interval_minutes)),
            created_at=db_time(now), expires_at=db_time(parse_iso(intent.intent.intent_expiry)),
        ))
        row.status = MandateStatus.ACTIVE
        s.add(row)
    rt.bus.publish(MonitoringActivated(job_id=job.job_id, intent_mandate_id=intent_mandate_id))
    return to_view(job)


def list_jobs(rt: Runtime, *, live_only: bool = False, user_id: str | None = None) -> list[JobView]:
    """The current user's jobs, newest first. (`user_id` may only name the current user: one
    user never reads another's watches.)"""
    if user_id is not None and user_id != rt.user_id:
        return []
    with rt.db.read() as s:
        rows = jobs.jobs_of_user(s, rt.user_id, SHOWN_LIVE_JOB if live_only else None)
        return [to_view(j) for j in rows]


def get_job(rt: Runtime, job_id: str) -> JobView:
    with rt.db.read() as s:
        j = jobs.job_of_user(s, job_id, rt.user_id)
        if j is None:
            raise _no_such_watch(job_id)
        return to_view(j)


def cancel(rt: Runtime, job_id: str) -> JobView:
    """Stop watching; the intent will never buy."""
    with rt.db.write() as s:
        j = jobs.job_of_user(s, job_id, rt.user_id)
        if j is None:
            raise _no_such_watch(job_id)
        if j.status not in LIVE:
            raise UserError(f"{job_id} is {j.status}; nothing to cancel.")
        j.status = JobStatus.CANCELLED
        s.add(j)
        jobs.set_mandate_status(s, [j.intent_mandate_id], MandateStatus.CANCELLED)
        view = to_view(j)
    rt.bus.publish(MonitoringCancelled(job_id=job_id))
    return view


def retry(rt: Runtime, job_id: str, method_hint: str | None = None) -> JobView:
    """After a decline: watch again (checked at the next sweep), optionally with another payment
    method, which must be one the signed intent names."""
    with rt.db.write() as s:
        j = jobs.job_of_user(s, job_id, rt.user_id)
        if j is None:
            raise _no_such_watch(job_id)
        if j.status != JobStatus.AWAITING_USER:
            raise UserError(f"{job_id} is not waiting for you; only a job whose payment was declined can be retried.")
        token = None
        if method_hint:
            irow = mandates.get_row(s, j.intent_mandate_id)
            intent = mandates.parse(irow) if irow is not None else None
            method = rt.credentials.get(rt.user_id, method_hint)
            allowed = (intent.allowed_tokens() if isinstance(intent, IntentRecord) else None) or []
            if method.token not in allowed:
                raise UserError(f"{method.label} is not a payment method you signed this watch for; "
                                "cancel it and create a new watch to pay with it.")
            token = method.token
        j.status, j.payment_token, j.next_check_at = JobStatus.ACTIVE, token, db_time(rt.clock.now())
        j.cart_mandate_id = j.payment_mandate_id = None
        s.add(j)
        return to_view(j)


# ---- the sweep -------------------------------------------------------------------------------

def run_due_checks(rt: Runtime) -> SweepReport:
    """Run every check of the current user that is due now. Safe to call concurrently and from
    several processes."""
    return _sweep(rt, everything=False)


def check_now(rt: Runtime) -> SweepReport:
    """Check every live watch of the current user at once, due or not (same path as a sweep)."""
    return _sweep(rt, everything=True)


def _sweep(rt: Runtime, *, everything: bool) -> SweepReport:
    with rt.monitoring.sweep_lock:
        with rt.db.write() as s:
            jobs.repair_unreadable_times(s, rt.clock.now())
        report = SweepReport()
        report.recovered = recover(rt)
        report.expired = expire(rt, report)
        for job_id, product in check_due(rt, report, everything=everything):
            report.matched += 1
            if purchase(rt, job_id, product) is not None:
                report.purchased += 1
            elif _status(rt, job_id) == JobStatus.AWAITING_SIGNATURE:
                report.ready += 1
    return report


class MonitoringBusy(UserError):
    """Another process (not this one) holds this user's monitoring lease."""


class MonitoringFailed(UserError):
    """A one-off run failed; the message says what failed. Its lease and claims are released."""


def run_once(rt: Runtime, holder: str) -> SweepReport:
    """`monitor run --once`: take the lease, run what is due, release the lease, whatever happens.
    Raises MonitoringBusy when another process holds the lease, MonitoringFailed (naming what
    failed: a key that cannot be opened, a database that cannot be written, …) otherwise; a job
    claimed by a failed run is released at once (monitoring_purchase.purchase)."""
    from .lease import acquire, current, release

    if not acquire(rt, holder):
        other = current(rt, holder)
        raise MonitoringBusy(f"another process holds the monitoring lease of {rt.user_id} "
                             f"({other.holder if other else 'unknown'}); nothing was checked")
    try:
        try:
            rt.keys.user_key(rt.user_id), rt.keys.agent_key(), rt.keys.merchant_key()
        except Exception as exc:
            raise MonitoringFailed(f"monitoring failed before any check: the signing keys cannot be opened "
                                   f"({exc}); is GHOSTCART_KEY_PASSPHRASE right?") from exc
        try:
            return run_due_checks(rt)
        except MonitoringFailed:
            raise
        except Exception as exc:
            raise MonitoringFailed(f"monitoring failed: {type(exc).__name__}: {exc}") from exc
    finally:
        try:
            release(rt, holder)
        except Exception:  # a database that cannot be written: the lease expires on its own
            log.exception("could not release the monitoring lease")


def _status(rt: Runtime, job_id: str) -> str | None:
    with rt.db.read() as s:
        j = s.get(MonitoringJobRow, job_id)
        return j.status if j is not None else None
