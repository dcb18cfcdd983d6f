"""The shopper's books of payments: transactions, and its copy of the processor's answers
(processor_charges). The processor's own ledger (commerce/processor_ledger.py, its own file) is
what exactly-once rests on; these rows are the shopper's record of it and can be rebuilt from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from ..core.statuses import TransactionStatus
from .engine import db_time
from .tables import ChargeRow, TransactionRow


def transaction(s: Session, transaction_id: str) -> TransactionRow | None:
    return s.get(TransactionRow, transaction_id)


def transaction_for_payment(s: Session, payment_mandate_id: str | None) -> TransactionRow | None:
    if not payment_mandate_id:
        return None
    return s.exec(select(TransactionRow).where(TransactionRow.payment_mandate_id == payment_mandate_id)).first()


def authorized_for_intent(s: Session, intent_mandate_id: str | None) -> TransactionRow | None:
    if not intent_mandate_id:
        return None
    return s.exec(select(TransactionRow).where(TransactionRow.intent_mandate_id == intent_mandate_id,
                                               TransactionRow.status == TransactionStatus.AUTHORIZED)).first()


def authorized_for(s: Session, field: str, mandate_id: str) -> TransactionRow | None:
    """An authorized transaction whose `field` (cart_mandate_id / intent_mandate_id) is mandate_id."""
    return s.exec(select(TransactionRow).where(TransactionRow.status == TransactionStatus.AUTHORIZED,
                                               getattr(TransactionRow, field) == mandate_id)).first()


def pending_approved_charge(s: Session, payment_mandate_id: str, field: str, mandate_id: str) -> str | None:
    """An approved charge copy (other than this payment's) for the same cart/intent whose
    transaction is not recorded yet (another process is recording it, or a crash left it)."""
    if field not in ("cart_mandate_id", "intent_mandate_id"):
        raise ValueError(field)
    return s.connection().execute(text(
        "SELECT c.payment_mandate_id FROM processor_charges c "
        "LEFT JOIN transactions t ON t.payment_mandate_id = c.payment_mandate_id "
        "JOIN mandates m ON m.id = c.payment_mandate_id "
        "WHERE t.transaction_id IS NULL AND c.approved AND c.payment_mandate_id != :pid "
        f"AND json_extract(m.mandate_data, '$.{field}') = :ref LIMIT 1"
    ), {"pid": payment_mandate_id, "ref": mandate_id}).scalar()


def charge_copy(s: Session, payment_mandate_id: str) -> ChargeRow | None:
    return s.get(ChargeRow, payment_mandate_id)


def charge_exists(s: Session, payment_mandate_id: str) -> bool:
    return s.get(ChargeRow, payment_mandate_id) is not None


def add_charge_copy(s: Session, charge: ChargeRow) -> ChargeRow:
    s.add(charge)
    s.flush()
    return charge


def recorded_payment_ids(s: Session, payment_mandate_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for lo in range(0, len(payment_mandate_ids), 500):
        chunk = payment_mandate_ids[lo:lo + 500]
        found.update(s.exec(select(TransactionRow.payment_mandate_id)
                            .where(TransactionRow.payment_mandate_id.in_(chunk))))  # type: ignore[attr-defined]
    return found


@dataclass(frozen=True)
class RecordedAs:
    """A transaction as recorded, beside what its payment mandate (signed JSON) references."""

    transaction_id: str
    status: str
    amount_cents: int
    payment_token: str | None
    user_id: str
    cart_mandate_id: str
    intent_mandate_id: str | None
    signed_cart: str | None
    signed_intent: str | None


def recorded_as(s: Session, payment_mandate_ids: list[str]) -> dict[str, RecordedAs]:
    """payment mandate id → how its transaction is recorded (one query per 500 ids)."""
    out: dict[str, RecordedAs] = {}
    for lo in range(0, len(payment_mandate_ids), 500):
        chunk = payment_mandate_ids[lo:lo + 500]
        marks = ",".join(f":p{i}" for i in range(len(chunk)))
        rows = s.connection().execute(text(
            "SELECT t.payment_mandate_id, t.transaction_id, t.status, t.amount_cents, t.payment_token, t.user_id, "
            "t.cart_mandate_id, t.intent_mandate_id, json_extract(m.mandate_data, '$.cart_mandate_id'), "
            "json_extract(m.mandate_data, '$.intent_mandate_id') FROM transactions t "
            f"LEFT JOIN mandates m ON m.id = t.payment_mandate_id WHERE t.payment_mandate_id IN ({marks})"
        ), {f"p{i}": pid for i, pid in enumerate(chunk)}).all()
        for r in rows:
            out[r[0]] = RecordedAs(*r[1:])
    return out


def unrecorded_charge_copies(s: Session) -> list[str]:
    q = select(ChargeRow.payment_mandate_id).where(
        ChargeRow.payment_mandate_id.not_in(select(TransactionRow.payment_mandate_id)))  # type: ignore[attr-defined]
    return list(s.exec(q))


def transactions_newest_first(s: Session, limit: int, user_id: str | None = None) -> list[TransactionRow]:
    """Transactions (of one user, or everyone's), newest first; ties by transaction id ascending."""
    q = select(TransactionRow).order_by(col(TransactionRow.created_at).desc(),
                                        col(TransactionRow.transaction_id)).limit(limit)
    if user_id:
        q = q.where(TransactionRow.user_id == user_id)
    return list(s.exec(q))


def autonomous_transactions_newest_first(s: Session, user_id: str, limit: int) -> list[TransactionRow]:
    """The user's HNP (autonomous) transactions, newest first; ties by transaction id descending."""
    q = (select(TransactionRow).where(TransactionRow.user_id == user_id, TransactionRow.mode == "hnp")
         .order_by(col(TransactionRow.created_at).desc(), col(TransactionRow.transaction_id).desc())
         .limit(limit))
    return list(s.exec(q))


def autonomous_spent_since(s: Session, user_id: str, start: datetime) -> int:
    """Cents the user's authorized HNP transactions created at or after start add up to."""
    return s.exec(
        select(func.coalesce(func.sum(TransactionRow.amount_cents), 0)).where(
            TransactionRow.user_id == user_id,
            TransactionRow.mode == "hnp",
            TransactionRow.status == TransactionStatus.AUTHORIZED,
            TransactionRow.created_at >= db_time(start),
        )
    ).one()
