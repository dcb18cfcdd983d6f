"""Row counts: what a scenario's expect_state compares, and how many mandates a database holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..core.statuses import JobStatus, TransactionStatus
from .tables import MandateRow, MonitoringJobRow, TransactionRow

# the job statuses expect_state calls "active" (a job not yet finished, awaiting_signature aside)
_COUNTED_ACTIVE = (JobStatus.ACTIVE, JobStatus.PURCHASING, JobStatus.AWAITING_USER)


def mandate_count(s: Session) -> int:
    return s.exec(select(func.count()).select_from(MandateRow)).one()


def scenario_counts(s: Session) -> dict[str, int]:
    """transactions, authorized_transactions, active_monitoring_jobs and mandates, across all users."""

    def n(q: Any) -> Any:
        return s.exec(q).one()

    return {
        "transactions": n(select(func.count()).select_from(TransactionRow)),
        "authorized_transactions": n(select(func.count()).select_from(TransactionRow)
                                     .where(TransactionRow.status == TransactionStatus.AUTHORIZED)),
        "active_monitoring_jobs": n(select(func.count()).select_from(MonitoringJobRow)
                                    .where(col(MonitoringJobRow.status).in_(_COUNTED_ACTIVE))),
        "mandates": mandate_count(s),
    }
