"""AP2 v0.2 records and the monthly budget, in their own tables.

ap2_v02_records holds one row per signed v0.2 object group:
- kind "open": the user's open checkout and payment mandates of a watch (ref_id = the intent id);
- kind "checkout": the merchant's checkout JWT and the checkout mandate of a cart (ref_id = cart id);
- kind "payment": one payment attempt: the payment mandate and both receipts (ref_id = payment
  mandate id, parent_id = cart id). status: presented | accepted | rejected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from .engine import db_time


class V02RecordRow(SQLModel, table=True):
    __tablename__ = "ap2_v02_records"
    ref_id: str = Field(primary_key=True)  # intent_… (open) | cart_… (checkout) | payment_… (payment)
    kind: str = Field(index=True)  # open | checkout | payment
    user_id: str = Field(index=True)
    mode: str  # hp | hnp
    parent_id: str | None = Field(default=None, index=True)  # payment → cart; checkout → intent (HNP)
    intent_id: str | None = Field(default=None, index=True)
    status: str = "signed"
    amount_cents: int | None = None
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    updated_at: datetime


class BudgetRow(SQLModel, table=True):
    __tablename__ = "budgets"
    user_id: str = Field(primary_key=True)
    monthly_limit_cents: int
    currency: str = "USD"
    updated_at: datetime


def create_tables(conn) -> None:
    for table in (V02RecordRow.__table__, BudgetRow.__table__):  # type: ignore[attr-defined]
        table.create(conn, checkfirst=True)


def put(
    s: Session,
    *,
    ref_id: str,
    kind: str,
    user_id: str,
    mode: str,
    data: dict[str, Any],
    now: datetime,
    parent_id: str | None = None,
    intent_id: str | None = None,
    status: str = "signed",
    amount_cents: int | None = None,
) -> V02RecordRow:
    row = s.get(V02RecordRow, ref_id)
    if row is None:
        row = V02RecordRow(
            ref_id=ref_id,
            kind=kind,
            user_id=user_id,
            mode=mode,
            parent_id=parent_id,
            intent_id=intent_id,
            status=status,
            amount_cents=amount_cents,
            data=data,
            created_at=db_time(now),
            updated_at=db_time(now),
        )
    else:
        row.data, row.status, row.updated_at = data, status, db_time(now)
    s.add(row)
    return row


def get(s: Session, ref_id: str | None, kind: str | None = None) -> V02RecordRow | None:
    row = s.get(V02RecordRow, ref_id) if isinstance(ref_id, str) and ref_id else None
    return row if row is not None and (kind is None or row.kind == kind) else None


def payments_of_intent(s: Session, intent_id: str) -> list[V02RecordRow]:
    q = select(V02RecordRow).where(V02RecordRow.kind == "payment", V02RecordRow.intent_id == intent_id)
    return list(s.exec(q.order_by(col(V02RecordRow.created_at))))


def payments_since(s: Session, user_id: str, since: datetime) -> list[V02RecordRow]:
    q = select(V02RecordRow).where(
        V02RecordRow.kind == "payment",
        V02RecordRow.user_id == user_id,
        V02RecordRow.mode == "hnp",
        V02RecordRow.created_at >= db_time(since),
    )
    return list(s.exec(q))


def get_budget(s: Session, user_id: str) -> BudgetRow | None:
    return s.get(BudgetRow, user_id)


def set_budget(s: Session, user_id: str, cents: int | None, now: datetime) -> None:
    row = s.get(BudgetRow, user_id)
    if cents is None:
        if row is not None:
            s.delete(row)
        return
    if row is None:
        row = BudgetRow(user_id=user_id, monthly_limit_cents=cents, updated_at=db_time(now))
    row.monthly_limit_cents, row.updated_at = cents, db_time(now)
    s.add(row)
