"""Reconciliation: the shopper's books (transactions, charge copies) made to agree with the
payment processor's own ledger, which is the record of what was charged. Runs in every sweep."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from ..ap2.errors import AP2Error
from ..ap2.records import CartRecord, PaymentRecord
from ..commerce.processor_ledger import LedgerEntry
from ..core.statuses import TransactionStatus
from ..store import ledger, mandates
from ..store.engine import db_time
from ..store.tables import ChargeRow, TransactionRow
from .payments import OnRecorded, load_chain, outcome_of, record_charge
from .runtime import Runtime

__all__ = ["reconcile", "unrecorded_charges"]


def _processor_answers(rt: Runtime) -> dict[str, LedgerEntry]:
    """payment mandate id → the processor's answer for it (its approved one, if several)."""
    entries = rt.processor.ledger.of_user(rt.user_id) if rt.processor.ledger is not None else []
    answers: dict[str, LedgerEntry] = {}
    for e in entries:
        if e.payment_mandate_id not in answers or e.approved:
            answers[e.payment_mandate_id] = e
    return answers


def unrecorded_charges(rt: Runtime) -> list[str]:
    """Payment mandates of this user the processor answered (per its own ledger) whose
    transaction is missing here or recorded differently, plus old charge copies without one."""
    answers = _processor_answers(rt)
    with rt.db.read() as s:
        recorded = ledger.recorded_as(s, list(answers))
        ours = []
        for pid, e in answers.items():
            tx = recorded.get(pid)
            if tx is None or not _agrees(tx, e, rt.user_id):
                row = mandates.get_row(s, pid)
                if row is not None and row.user_id == rt.user_id:
                    ours.append(pid)
        copies = [pid for pid in ledger.unrecorded_charge_copies(s)
                  if (row := mandates.get_row(s, pid)) is not None and row.user_id == rt.user_id]
    return list(dict.fromkeys(ours + copies))


def _agrees(tx: ledger.RecordedAs, e: LedgerEntry, user_id: str) -> bool:
    status = TransactionStatus.AUTHORIZED if e.approved else TransactionStatus.DECLINED
    return (tx.status == status and tx.amount_cents == e.amount_cents and tx.payment_token == e.token
            and tx.user_id == user_id and tx.cart_mandate_id == tx.signed_cart
            and tx.intent_mandate_id == tx.signed_intent)


def _charge_from_processor(rt: Runtime, s: Session, payment: PaymentRecord) -> ChargeRow | None:
    e = _processor_answers(rt).get(payment.mandate_id)
    if e is None:
        return None
    copy = ledger.charge_copy(s, payment.mandate_id)
    if copy is None:
        copy = ChargeRow(payment_mandate_id=payment.mandate_id, created_at=db_time(rt.clock.now()),
                         approved=False, amount_cents=0, token="")
    copy.approved, copy.authorization_code, copy.decline_reason = e.approved, e.authorization_code, e.decline_reason
    copy.amount_cents, copy.token = e.amount_cents, e.token
    return ledger.add_charge_copy(s, copy)


def _correct(rt: Runtime, s: Session, tx: TransactionRow, cart: CartRecord, payment: PaymentRecord,
             charge: ChargeRow) -> None:
    """Rewrite a transaction row that disagrees with the processor's ledger and the signed mandates."""
    tx.payment_mandate_id, tx.cart_mandate_id, tx.intent_mandate_id = (
        payment.mandate_id, cart.mandate_id, cart.intent_mandate_id)
    tx.user_id, tx.mode = payment.user_id, payment.mode
    tx.status = TransactionStatus.AUTHORIZED if charge.approved else TransactionStatus.DECLINED
    tx.authorization_code, tx.decline_reason = charge.authorization_code, charge.decline_reason
    tx.amount_cents, tx.payment_token = charge.amount_cents, charge.token
    s.add(tx)
    s.flush()


def reconcile(rt: Runtime, on_recorded_for: Callable[[str], OnRecorded | None] | None = None) -> int:
    """Make the shopper's books agree with the processor's own ledger: record the transaction of
    every charge left unrecorded (a crash, or deleted rows) and correct one recorded differently
    (an edited row). Returns how many."""
    n = 0
    for pid in unrecorded_charges(rt):
        hook = on_recorded_for(pid) if on_recorded_for else None
        try:
            with rt.db.write() as s:
                _, cart, payment = load_chain(s, pid)
                charge = _charge_from_processor(rt, s, payment) or ledger.charge_copy(s, pid)
                if charge is None:
                    continue
                tx = ledger.transaction_for_payment(s, pid)
                if tx is None and charge.approved:
                    tx = (ledger.authorized_for(s, "cart_mandate_id", cart.mandate_id)
                          or (ledger.authorized_for(s, "intent_mandate_id", cart.intent_mandate_id)
                              if cart.intent_mandate_id else None))
                if tx is not None:
                    _correct(rt, s, tx, cart, payment, charge)
                    if hook:
                        hook(s, outcome_of(tx))
                    n += 1
                    continue
        except AP2Error:
            continue  # a chain that cannot be read is reported by `mandates verify`, not re-recorded
        record_charge(rt, payment, cart, charge, on_recorded=hook)
        n += 1
    return n
