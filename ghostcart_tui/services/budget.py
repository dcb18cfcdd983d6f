"""The shopper's monthly budget for autonomous purchases (across all watches).

    budget.set(rt, 30000)       # $300.00 a month; None removes the limit
    budget.get(rt)              # Budget(limit_cents, spent_cents, remaining_cents, month)
    budget.remaining(rt)        # cents left this month, or None without a limit

Spent = authorized human-not-present transactions this calendar month (UTC) plus autonomous
purchases presented and not yet answered. Enforced in code inside the purchase's transaction
(ensure_within), so two watches buying at once cannot both pass on the same remainder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from ..ap2.errors import CONSTRAINTS_VIOLATED, AP2Error
from ..core.errors import UserError
from ..core.money import format_cents
from ..core.statuses import MandateStatus
from ..store import ledger
from ..store import v02 as store
from ..store.tables import MandateRow
from .runtime import Runtime

MAX_LIMIT_CENTS = 100_000_000  # $1,000,000


@dataclass(frozen=True)
class Budget:
    limit_cents: int | None
    spent_cents: int
    remaining_cents: int | None
    month: str  # YYYY-MM


def month_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _spent(s: Session, user_id: str, now: datetime) -> int:
    start = month_start(now)
    done = ledger.autonomous_spent_since(s, user_id, start)
    pending = 0
    for row in store.payments_since(s, user_id, start):
        if row.status == "presented":
            m = s.get(MandateRow, row.ref_id)
            if m is None or m.status not in (MandateStatus.ABANDONED, MandateStatus.PAID, MandateStatus.DECLINED):
                pending += row.amount_cents or 0
    return int(done) + pending


def _budget(s: Session, user_id: str, now: datetime) -> Budget:
    row = store.get_budget(s, user_id)
    spent = _spent(s, user_id, now)
    limit = row.monthly_limit_cents if row is not None else None
    return Budget(limit, spent, None if limit is None else max(limit - spent, 0), month_start(now).strftime("%Y-%m"))


def get(rt: Runtime) -> Budget:
    with rt.db.read() as s:
        return _budget(s, rt.user_id, rt.clock.now())


def remaining(rt: Runtime) -> int | None:
    return get(rt).remaining_cents


def set(rt: Runtime, limit_cents: int | None) -> Budget:
    if limit_cents is not None and (
        isinstance(limit_cents, bool) or not isinstance(limit_cents, int) or not 0 < limit_cents <= MAX_LIMIT_CENTS
    ):
        raise UserError(f"a monthly budget is between $0.01 and {format_cents(MAX_LIMIT_CENTS)}")
    with rt.db.write() as s:
        store.set_budget(s, rt.user_id, limit_cents, rt.clock.now())
    return get(rt)


def ensure_within(rt: Runtime, s: Session, user_id: str, amount_cents: int) -> None:
    """Inside the purchase's write transaction: refuse an autonomous purchase above what is left."""
    b = _budget(s, user_id, rt.clock.now())
    if b.limit_cents is not None and amount_cents > (b.remaining_cents or 0):
        raise AP2Error(
            CONSTRAINTS_VIOLATED,
            f"{format_cents(amount_cents)} is more than the {format_cents(b.remaining_cents or 0)} left "
            f"of your {format_cents(b.limit_cents)} monthly budget",
            {"limit_cents": b.limit_cents, "spent_cents": b.spent_cents, "amount_cents": amount_cents},
        )
