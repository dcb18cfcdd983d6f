"""Mandate rows ↔ signed records. Parsing failures of stored JSON surface as CorruptMandate."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from ..ap2.records import CartRecord, IntentRecord, PaymentRecord
from ..core.statuses import MandateStatus
from .engine import db_time
from .tables import MandateRow

Record = IntentRecord | CartRecord | PaymentRecord
_TYPES: dict[str, type[IntentRecord] | type[CartRecord] | type[PaymentRecord]] = {
    "intent": IntentRecord, "cart": CartRecord, "payment": PaymentRecord}


class CorruptMandate(Exception):
    def __init__(self, mandate_id: str, reason: str) -> None:
        super().__init__(f"mandate {mandate_id} is unreadable in the database: {reason}")
        self.mandate_id = mandate_id


def type_of(mandate_id: str) -> str:
    prefix = mandate_id.split("_", 1)[0]
    if prefix not in _TYPES:
        raise ValueError(f"{mandate_id!r} is not a mandate id (they start with intent_, cart_ or payment_)")
    return prefix


def parse(row: MandateRow) -> Record:
    if not isinstance(row.mandate_data, dict):
        raise CorruptMandate(row.id, "the stored value is not a JSON object (the file was damaged or edited)")
    if row.type not in _TYPES:
        raise CorruptMandate(row.id, f"unknown mandate type {str(row.type)[:20]!r}")
    try:
        return _TYPES[row.type].model_validate(row.mandate_data)
    except (ValidationError, KeyError, TypeError) as exc:
        raise CorruptMandate(row.id, str(exc).splitlines()[0]) from exc


def insert(s: Session, record: Record, *, status: str, now: datetime, signer: str | None = None) -> MandateRow:
    row = MandateRow(
        id=record.mandate_id,
        type=type_of(record.mandate_id),
        user_id=record.user_id,
        status=status,
        mandate_data=record.model_dump(mode="json"),
        created_at=db_time(now),
        updated_at=db_time(now),
    )
    _set_signature(row, record, signer, now)
    s.add(row)
    return row


def save(s: Session, row: MandateRow, record: Record, *, now: datetime, status: str | None = None,
         signer: str | None = None) -> MandateRow:
    row.mandate_data = record.model_dump(mode="json")
    if status:
        row.status = status
    row.updated_at = db_time(now)
    _set_signature(row, record, signer, now)
    s.add(row)
    return row


def _set_signature(row: MandateRow, record: Record, signer: str | None, now: datetime) -> None:
    token = getattr(record, "user_authorization", None) or getattr(record, "agent_authorization", None)
    if signer and token:
        from ..ap2.jws import jwt_header as header_of  # local: keeps this module light for the CLI

        header = header_of(token)
        row.signer_identity = signer
        row.signature = {
            "value": token,
            "timestamp": db_time(now).replace(tzinfo=None).isoformat() + "Z",
            "algorithm": header.get("alg"),
            "kid": header.get("kid"),
        }
        row.validation_status = "valid"


def get_row(s: Session, mandate_id: str, *, for_update: bool = False) -> MandateRow | None:
    return s.get(MandateRow, mandate_id)


def list_rows(s: Session, *, user_id: str | None = None, type_: str | None = None,
              limit: int = 200) -> list[MandateRow]:
    q = select(MandateRow).order_by(col(MandateRow.created_at).desc()).limit(limit)
    if user_id:
        q = q.where(MandateRow.user_id == user_id)
    if type_:
        q = q.where(MandateRow.type == type_)
    return list(s.exec(q))


def pending_signature_rows(s: Session, user_id: str) -> list[MandateRow]:
    """The user's mandates waiting for the shopper's signature."""
    return list(s.exec(select(MandateRow).where(MandateRow.user_id == user_id,
                                                MandateRow.status == MandateStatus.PENDING_SIGNATURE)).all())
