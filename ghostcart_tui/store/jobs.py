"""Monitoring job rows: the repository the monitoring services use (they hold no SQL).

A job row is bookkeeping only (schedule, claim, last result, display copies of the intent's
terms). What may be bought, for how much, with which card and until when is read from the
signed intent (the mandate row's JSON) and verified before any purchase; see services/monitoring.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, or_, text, type_coerce, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ..core.statuses import JobStatus, MandateStatus
from .engine import db_time
from .tables import MandateRow, MonitoringJobRow

IN_CHUNK = 500  # ids per UPDATE … WHERE job_id IN (…), well under SQLite's bound-variable limit
MAX_INTERVAL = timedelta(days=1)  # a job is never scheduled further ahead than this


def insert_job(s: Session, job: MonitoringJobRow) -> MonitoringJobRow:
    s.add(job)
    return job


def _owned_by(user_id: str) -> Any:
    """A job is the user's when its row or its intent's row says so; the signed intent's own
    user_id is checked again before anything is bought (services)."""
    intents_of_user = select(MandateRow.id).where(MandateRow.user_id == user_id)
    return or_(col(MonitoringJobRow.user_id) == user_id, col(MonitoringJobRow.intent_mandate_id).in_(intents_of_user))


def job_of_user(s: Session, job_id: str, user_id: str) -> MonitoringJobRow | None:
    """The job with this id if it belongs to the user (else None: other users' jobs do not exist)."""
    return s.exec(select(MonitoringJobRow).where(MonitoringJobRow.job_id == job_id, _owned_by(user_id))).first()


def jobs_of_user(s: Session, user_id: str, statuses: Sequence[str] | None = None) -> list[MonitoringJobRow]:
    q = (select(MonitoringJobRow).where(_owned_by(user_id))
         .order_by(col(MonitoringJobRow.created_at).desc()))
    if statuses is not None:
        q = q.where(col(MonitoringJobRow.status).in_(list(statuses)))
    return list(s.exec(q))


def jobs_page_of_user(s: Session, user_id: str, live: Sequence[str], limit: int) -> tuple[list[MonitoringJobRow], int]:
    """At most `limit` of a user's jobs, those in `live` statuses first (newest first), then the
    ended ones; and how many jobs the user has in all (two LIMITed queries and a COUNT)."""
    from sqlalchemy import func

    newest = col(MonitoringJobRow.created_at).desc()
    mine = _owned_by(user_id)
    total = s.exec(select(func.count()).select_from(MonitoringJobRow).where(mine)).one()
    rows = list(s.exec(select(MonitoringJobRow).where(mine, col(MonitoringJobRow.status).in_(live))
                       .order_by(newest).limit(limit)))
    if len(rows) < limit:
        rows += list(s.exec(select(MonitoringJobRow).where(mine, col(MonitoringJobRow.status).not_in(live))
                            .order_by(newest).limit(limit - len(rows))))
    return rows, int(total)


def job_for_payment(s: Session, payment_mandate_id: str) -> MonitoringJobRow | None:
    return s.exec(select(MonitoringJobRow).where(MonitoringJobRow.payment_mandate_id == payment_mandate_id)).first()


def job_for_intent(s: Session, intent_mandate_id: str | None) -> MonitoringJobRow | None:
    if not intent_mandate_id:
        return None
    return s.exec(select(MonitoringJobRow).where(MonitoringJobRow.intent_mandate_id == intent_mandate_id)).first()


@dataclass(frozen=True)
class DueJob:
    """The columns a check needs, and the intent's stored JSON (loading whole ORM rows cost ~2 s
    per 10,000 due jobs)."""

    job_id: str
    user_id: str
    intent_mandate_id: str
    interval_minutes: int
    payment_token: str | None
    intent_json: str | None
    intent_status: str | None


def due_jobs(s: Session, user_id: str, now: datetime, *, everything: bool = False) -> list[DueJob]:
    """Active jobs of the user that are due (all active ones with everything=True). A next check
    further ahead than MAX_INTERVAL cannot have been scheduled by GhostCart (a hand edit): such a
    job counts as due."""
    t, m = MonitoringJobRow.__table__, MandateRow.__table__  # type: ignore[attr-defined]
    q = (core_select(t.c.job_id, t.c.user_id, t.c.intent_mandate_id, t.c.interval_minutes, t.c.payment_token,
                type_coerce(m.c.mandate_data, String), m.c.status)
         .select_from(t.outerjoin(m, m.c.id == t.c.intent_mandate_id))
         .where(t.c.status == JobStatus.ACTIVE,
                or_(t.c.user_id == user_id, m.c.user_id == user_id)))
    if not everything:
        q = q.where(or_(t.c.next_check_at <= db_time(now), t.c.next_check_at > db_time(now + MAX_INTERVAL)))
    return [DueJob(*row) for row in s.connection().execute(q)]


def intent_json(s: Session, intent_mandate_id: str) -> str | None:
    """The stored JSON text of an intent (None when there is no such row)."""
    m = MandateRow.__table__  # type: ignore[attr-defined]
    return s.connection().execute(core_select(type_coerce(m.c.mandate_data, String))
                                  .where(m.c.id == intent_mandate_id)).scalar()


def expiring_jobs(s: Session, user_id: str, now: datetime) -> list[MonitoringJobRow]:
    """Live jobs whose stored expiry has passed (the caller checks the signed expiry)."""
    live = (JobStatus.ACTIVE, JobStatus.AWAITING_USER, JobStatus.AWAITING_SIGNATURE)
    return list(s.exec(select(MonitoringJobRow).where(col(MonitoringJobRow.status).in_(live), _owned_by(user_id),
                                                      MonitoringJobRow.expires_at <= db_time(now))))


def record_check_results(s: Session, groups: dict[tuple[str, int | None, int], list[str]], now: datetime) -> None:
    """One UPDATE per distinct (result, price, interval) and chunk of job ids: the same rows and
    values as an executemany per job, without 10,000 rounds of parameter processing."""
    t = MonitoringJobRow.__table__  # type: ignore[attr-defined]
    conn = s.connection()
    for (reason, price, interval), ids in groups.items():
        values = dict(last_check_at=db_time(now), last_result=reason, last_price_cents=price,
                      next_check_at=db_time(now + timedelta(minutes=interval)))
        for lo in range(0, len(ids), IN_CHUNK):
            conn.execute(update(t).where(t.c.job_id.in_(ids[lo:lo + IN_CHUNK])).values(**values))


def set_job_status(s: Session, job_ids: Iterable[str], status: str, last_result: str) -> None:
    ids = list(job_ids)
    t = MonitoringJobRow.__table__  # type: ignore[attr-defined]
    for lo in range(0, len(ids), IN_CHUNK):
        s.connection().execute(update(t).where(t.c.job_id.in_(ids[lo:lo + IN_CHUNK]))
                               .values(status=status, last_result=last_result[:500]))


def claim_job(s: Session, job_id: str, claim_id: str, now: datetime) -> bool:
    """The exactly-once claim: moves the job active → purchasing for one caller only."""
    won = s.exec(update(MonitoringJobRow).where(col(MonitoringJobRow.job_id) == job_id,
                                                col(MonitoringJobRow.status) == JobStatus.ACTIVE)
                 .values(status=JobStatus.PURCHASING, claim_id=claim_id, claimed_at=db_time(now))).rowcount
    return won == 1


def release_claim(s: Session, job_id: str, claim_id: str | None, status: str, last_result: str,
                  *, clear_payment_token: bool = False, next_check_at: datetime | None = None) -> bool:
    """End a claim while it still stands (another process may have finished the job meanwhile:
    a purchase it recorded is never turned back). True when the job was updated."""
    j = s.get(MonitoringJobRow, job_id)
    if j is None or j.status != JobStatus.PURCHASING or (claim_id is not None and j.claim_id != claim_id):
        return False
    j.status, j.claim_id, j.last_result = status, None, last_result[:500]
    if status == JobStatus.ACTIVE:
        j.cart_mandate_id = j.payment_mandate_id = None
    if clear_payment_token:
        j.payment_token = None
    if next_check_at is not None:
        j.next_check_at = db_time(next_check_at)
    s.add(j)
    return True


def stale_claims(s: Session, user_id: str, cutoff: datetime, in_flight: set[str]) -> list[str]:
    """Jobs claimed (purchasing) longer ago than `cutoff`, or with no claim time, not in flight here."""
    rows = s.exec(select(MonitoringJobRow.job_id, MonitoringJobRow.claimed_at)
                  .where(MonitoringJobRow.status == JobStatus.PURCHASING, _owned_by(user_id))).all()
    cut = db_time(cutoff)
    return [jid for jid, at in rows if jid not in in_flight and (at is None or db_time(at) <= cut)]


def constraints_copy(intent_data: dict[str, Any]) -> dict[str, Any]:
    """The display copy of a signed intent's limits kept on the job row (never read to decide)."""
    c = dict(intent_data.get("constraints") or {})
    c["skus"] = (intent_data.get("intent") or {}).get("skus")
    return c


def set_mandate_status(s: Session, mandate_ids: Iterable[str | None], status: MandateStatus | str) -> None:
    ids = [m for m in mandate_ids if m]
    if ids:
        s.exec(update(MandateRow).where(col(MandateRow.id).in_(ids)).values(status=status))


_JOB_TIMES = {"last_check_at": "NULL", "claimed_at": "NULL", "next_check_at": ":now", "created_at": ":now",
              "expires_at": "'2000-01-01 00:00:00.000000'"}  # an unreadable expiry: expire() reads the signed one


def repair_unreadable_times(s: Session, now: datetime) -> None:
    """Times that are not times (a hand edit) would make every read of the row fail: reset them
    (a lost next check is due now; a lost expiry is taken again from the signed intent)."""
    conn = s.connection()
    for column, value in _JOB_TIMES.items():
        conn.execute(text(f"UPDATE monitoring_jobs SET {column} = {value} "
                          f"WHERE {column} IS NOT NULL AND datetime({column}) IS NULL"),
                     {"now": db_time(now).strftime("%Y-%m-%d %H:%M:%S.%f")})


def drop_unreadable_leases(s: Session) -> None:
    """A lease row whose times are not times (a hand edit) is dropped: it could be neither read
    nor honoured, and keeping it would stop monitoring for good."""
    s.connection().execute(text("DELETE FROM leases WHERE datetime(acquired_at) IS NULL "
                                "OR datetime(expires_at) IS NULL"))


def loads(raw: str | None) -> Any:
    try:
        return json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        return None
