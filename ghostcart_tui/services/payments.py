"""Payments: the payment agent's use cases. Domain independent: mandate ids, tokens, amounts.

Exactly-once is a property of the database, not of memory:
- the processor's charge is a row in processor_charges keyed by the payment mandate id (its
  idempotency key), committed before the processor's answer is used;
- transactions has unique indexes: one per payment mandate, one authorized per cart, one
  authorized per intent;
- reconcile() turns a charge left without its transaction (a crash between the two) into the
  transaction record, so a charge never stays unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from ..ap2 import builders, chain
from ..ap2.errors import CHAIN_INVALID, CREDENTIALS_UNAVAILABLE, SIGNATURE_INVALID, AP2Error
from ..ap2.records import CartRecord, IntentRecord, PaymentRecord
from ..commerce.credentials import PaymentMethod
from ..core.errors import NotFound, shown
from ..core.faults import fault_point
from ..core.events import TransactionRecorded
from ..core.money import from_major
from ..store import mandates
from ..store.engine import db_time
from ..store.mandates import CorruptMandate
from ..store.tables import ChargeRow, MandateRow, TransactionRow
from . import ap2_v02
from .runtime import Runtime


LIVE_INTENT = ("signed", "active")  # an intent in any other state (consumed, expired, ...) buys nothing


@dataclass(frozen=True)
class PaymentOutcome:
    transaction_id: str
    status: str  # authorized | declined | failed
    amount_cents: int
    mode: str
    payment_mandate_id: str
    authorization_code: str | None = None
    decline_reason: str | None = None
    token: str | None = None
    replayed: bool = False  # an earlier answer for the same payment mandate


def _record(s: Session, mandate_id: str, kind: type) -> tuple[MandateRow, object]:
    row = mandates.get_row(s, mandate_id)
    if row is None:
        raise NotFound(f"no mandate {shown(mandate_id)}")
    try:
        record = mandates.parse(row)
    except CorruptMandate as exc:
        # Stored JSON that no longer parses was changed after it was signed.
        raise AP2Error(SIGNATURE_INVALID, str(exc), {"mandate_id": mandate_id}) from None
    if not isinstance(record, kind):
        raise AP2Error(CHAIN_INVALID, f"{mandate_id} is not a {kind.__name__.removesuffix('Record').lower()} mandate")
    return row, record


def prepare_hp_payment(rt: Runtime, cart_mandate_id: str, method_hint: str | None = None) -> PaymentRecord:
    """A payment mandate for a cart the shopper signed, with a tokenized method."""
    now = rt.clock.now()
    with rt.db.write() as s:
        cart_row, cart = _record(s, cart_mandate_id, CartRecord)
        if cart_row.user_id != rt.user_id:
            raise NotFound(f"no mandate {shown(cart_mandate_id)}")
        if cart_row.status == "paid":
            raise AP2Error(CHAIN_INVALID, f"{cart_mandate_id} is already paid", {"cart_mandate_id": cart_mandate_id})
        if cart.mode != "hp" or not cart.user_authorization:
            raise AP2Error("ap2:mandate:signature_invalid", f"{cart_mandate_id} has no signature from you yet")
        method = rt.credentials.get(rt.user_id, method_hint)
        payment = _build_payment(rt, cart, cart.user_authorization, method, None)
        mandates.insert(s, payment, status="created", now=now, signer="agent")
    return payment


def _build_payment(rt: Runtime, cart: CartRecord, user_authorization: str, method: PaymentMethod,
                   intent_id: str | None, payment_id: str | None = None) -> PaymentRecord:
    now = rt.clock.now()
    record = builders.build_payment(
        payment_id=payment_id or rt.ids.new("payment"),
        cart=cart,
        user_authorization=user_authorization,
        token=method.token,
        brand=method.brand,
        merchant_agent=rt.agent_name,
        now=now,
        intent_mandate_id=intent_id,
    )
    return builders.agent_sign_payment(record, rt.keys.agent_key(), now, rt.ids.new("jti"))


def _referenced(s: Session, mandate_id: str | None, kind: type) -> object | None:
    """The mandate a chain references, or None when there is no mandate of that kind with that id."""
    row = mandates.get_row(s, mandate_id) if mandate_id else None
    if row is None or row.type != kind.__name__.removesuffix("Record").lower():
        return None
    return _record(s, mandate_id, kind)[1]


def _load_parts(s: Session, payment_mandate_id: str):
    """(intent, cart, payment, missing): `missing` names a reference that leads nowhere."""
    _, payment = _record(s, payment_mandate_id, PaymentRecord)
    cart = _referenced(s, payment.cart_mandate_id, CartRecord)
    if cart is None:
        return None, None, payment, f"the cart {shown(payment.cart_mandate_id)}"
    intent = None
    if payment.mode == "hnp" or cart.intent_mandate_id:
        ref = cart.intent_mandate_id or payment.intent_mandate_id
        intent = _referenced(s, ref, IntentRecord)
        if intent is None:
            return None, cart, payment, f"the intent {shown(ref)}" if ref else "a signed intent (none referenced)"
    return intent, cart, payment, None


def load_chain(s: Session, payment_mandate_id: str) -> tuple[IntentRecord | None, CartRecord, PaymentRecord]:
    intent, cart, payment, missing = _load_parts(s, payment_mandate_id)
    if missing:
        raise AP2Error(CHAIN_INVALID, f"{payment_mandate_id} needs {missing}, which is not in the database",
                       {"payment_mandate_id": payment_mandate_id})
    return intent, cart, payment


def validate_chain(rt: Runtime, payment_mandate_id: str) -> chain.ChainReport:
    with rt.db.read() as s:
        intent, cart, payment, missing = _load_parts(s, payment_mandate_id)
    if missing:
        # Audit what is there first: a reference changed after signing reads as a bad signature.
        gap = chain.ChainReport([chain.Verdict("chain.reference", False, CHAIN_INVALID,
                                               f"{payment_mandate_id} needs {missing}, which is not in the database")])
        return chain.audit_chain(intent, cart, payment, rt.keys) + gap
    now = rt.clock.now()
    if payment.mode == "hnp":
        return chain.validate_hnp_chain(intent, cart, payment, rt.keys, now)
    return chain.validate_hp_chain(cart, payment, rt.keys, now)


def retrieve_credentials(rt: Runtime, payment_mandate_id: str) -> PaymentMethod:
    with rt.db.read() as s:
        row, payment = _record(s, payment_mandate_id, PaymentRecord)
    token = (payment.payment.payment_mandate_contents.payment_response.details or {}).get("token")
    if not token:
        raise AP2Error(CREDENTIALS_UNAVAILABLE, f"{payment_mandate_id} carries no payment token")
    return rt.credentials.get(row.user_id, token)


def existing_outcome(s: Session, payment_mandate_id: str) -> PaymentOutcome | None:
    tx = s.exec(select(TransactionRow).where(TransactionRow.payment_mandate_id == payment_mandate_id)).first()
    return _outcome(tx, replayed=True) if tx else None


def _outcome(tx: TransactionRow, replayed: bool = False) -> PaymentOutcome:
    return PaymentOutcome(tx.transaction_id, tx.status, tx.amount_cents, tx.mode, tx.payment_mandate_id,
                          tx.authorization_code, tx.decline_reason, tx.payment_token, replayed)


OnRecorded = Callable[[Session, PaymentOutcome], None]


def authorize(rt: Runtime, payment_mandate_id: str, *, on_recorded: OnRecorded | None = None) -> PaymentOutcome:
    """Validate the chain in code, charge once, record the transaction. Idempotent per mandate."""
    with rt.db.read() as s:
        done = existing_outcome(s, payment_mandate_id)
    if done:
        return done
    validate_chain(rt, payment_mandate_id).raise_if_invalid()
    ap2_v02.check_before_charge(rt, payment_mandate_id)  # the AP2 v0.2 chain too; rejection receipts if not
    method = retrieve_credentials(rt, payment_mandate_id)
    with rt.db.read() as s:
        _, cart, payment = load_chain(s, payment_mandate_id)
    amount = from_major(payment.payment.payment_mandate_contents.payment_details_total.amount.value)
    charge = _charge(rt, payment, cart, amount, method.token)
    fault_point("after_charge")
    return record_charge(rt, payment, cart, charge, on_recorded=on_recorded)


def _refuse_repeat(s: Session, payment: PaymentRecord, cart: CartRecord) -> None:
    """Inside the charge's write transaction (so two processes cannot both pass): a cart is paid
    once, and an intent buys once and only while it is live (signed or watched)."""
    cart_id, intent_id = cart.mandate_id, cart.intent_mandate_id
    if _already_bought(s, payment.mandate_id, "cart_mandate_id", cart_id):
        raise AP2Error(CHAIN_INVALID, f"{cart_id} is already paid; it will not be charged twice",
                       {"cart_mandate_id": cart_id})
    if intent_id and _already_bought(s, payment.mandate_id, "intent_mandate_id", intent_id):
        raise AP2Error(CHAIN_INVALID, f"the intent {intent_id} has already bought once; it will not buy again",
                       {"intent_mandate_id": intent_id})
    if payment.mode == "hnp":
        row = s.get(MandateRow, intent_id)
        if row is None or row.status not in LIVE_INTENT:
            raise AP2Error(CHAIN_INVALID, f"the intent {intent_id} is {row.status if row else 'missing'}; "
                           "it can no longer buy anything", {"intent_mandate_id": intent_id})


def _already_bought(s: Session, payment_mandate_id: str, field: str, mandate_id: str) -> bool:
    """An authorized transaction for this cart/intent, or an approved charge whose transaction is
    not recorded yet (another process is recording it, or a crash left it for reconcile)."""
    recorded = s.exec(select(TransactionRow.transaction_id).where(
        TransactionRow.status == "authorized", getattr(TransactionRow, field) == mandate_id)).first()
    pending = s.exec(text(
        "SELECT c.payment_mandate_id FROM processor_charges c "
        "LEFT JOIN transactions t ON t.payment_mandate_id = c.payment_mandate_id "
        "JOIN mandates m ON m.id = c.payment_mandate_id "
        "WHERE t.transaction_id IS NULL AND c.approved AND c.payment_mandate_id != :pid "
        f"AND json_extract(m.mandate_data, '$.{field}') = :ref LIMIT 1"
    ).bindparams(pid=payment_mandate_id, ref=mandate_id)).first()
    return recorded is not None or pending is not None


def _charge(rt: Runtime, payment: PaymentRecord, cart: CartRecord, amount: int, token: str) -> ChargeRow:
    """The processor's side: its answer is durable before anyone acts on it."""
    payment_mandate_id = payment.mandate_id
    with rt.db.write() as s:
        charge = s.get(ChargeRow, payment_mandate_id)
        if charge is None:
            _refuse_repeat(s, payment, cart)
            r = rt.processor.authorize(payment_mandate_id, amount, token)
            charge = ChargeRow(payment_mandate_id=payment_mandate_id, approved=r.approved,
                               authorization_code=r.authorization_code, decline_reason=r.decline_reason,
                               amount_cents=amount, token=token, created_at=db_time(rt.clock.now()))
            s.add(charge)
            s.flush()
            fault_point("before_charge_commit")
    return charge


def record_charge(rt: Runtime, payment: PaymentRecord, cart: CartRecord, charge: ChargeRow, *,
                  on_recorded: OnRecorded | None = None) -> PaymentOutcome:
    now = rt.clock.now()
    with rt.db.write() as s:
        done = existing_outcome(s, payment.mandate_id)
        if done:
            # Recorded meanwhile by someone else (another process's reconcile): the caller's
            # bookkeeping (e.g. its monitoring job) still has to see it.
            if on_recorded:
                on_recorded(s, done)
            return done
        status = "authorized" if charge.approved else "declined"
        tx = TransactionRow(
            transaction_id=rt.ids.new("txn"),
            intent_mandate_id=cart.intent_mandate_id,
            cart_mandate_id=cart.mandate_id,
            payment_mandate_id=payment.mandate_id,
            user_id=payment.user_id,
            status=status,
            authorization_code=charge.authorization_code,
            decline_reason=charge.decline_reason,
            amount_cents=charge.amount_cents,
            mode=payment.mode,
            payment_token=charge.token,
            created_at=db_time(now),
        )
        s.add(tx)
        for mid, new_status in ((payment.mandate_id, "paid" if charge.approved else "declined"),
                                (cart.mandate_id, "paid" if charge.approved else None)):
            row = s.get(MandateRow, mid)
            if row is not None:
                row.transaction_id = tx.transaction_id
                row.status = new_status or row.status
                row.updated_at = db_time(now)
                s.add(row)
        ap2_v02.on_charge_recorded(rt, s, payment, cart, tx)  # the merchant's and processor's v0.2 receipts
        outcome = _outcome(tx)
        if on_recorded:
            on_recorded(s, outcome)
        s.flush()
        fault_point("before_record_commit")
    rt.bus.publish(TransactionRecorded(transaction_id=outcome.transaction_id, status=outcome.status,
                                       amount_cents=outcome.amount_cents, mode=outcome.mode,
                                       decline_reason=outcome.decline_reason,
                                       authorization_code=outcome.authorization_code))
    return outcome


def pay_hp(rt: Runtime, cart_mandate_id: str, method_hint: str | None = None) -> PaymentOutcome:
    """The whole HP payment as one call (CLI, benchmarks, the store-level tests)."""
    payment = prepare_hp_payment(rt, cart_mandate_id, method_hint)
    return authorize(rt, payment.mandate_id)


def unrecorded_charges(rt: Runtime) -> list[str]:
    with rt.db.read() as s:
        q = select(ChargeRow.payment_mandate_id).where(
            ChargeRow.payment_mandate_id.not_in(select(TransactionRow.payment_mandate_id)))
        return list(s.exec(q))


def reconcile(rt: Runtime, on_recorded_for: Callable[[str], OnRecorded | None] | None = None) -> int:
    """Record the transaction of every charge a crash left unrecorded. Returns how many."""
    n = 0
    for pid in unrecorded_charges(rt):
        with rt.db.read() as s:
            _, cart, payment = load_chain(s, pid)
            charge = s.get(ChargeRow, pid)
        hook = on_recorded_for(pid) if on_recorded_for else None
        record_charge(rt, payment, cart, charge, on_recorded=hook)
        n += 1
    return n
