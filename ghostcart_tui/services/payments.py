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

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session

from ..ap2 import builders, chain
from ..ap2.errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, CREDENTIALS_UNAVAILABLE, SIGNATURE_INVALID, AP2Error
from ..ap2.records import CartRecord, IntentRecord, PaymentRecord
from ..commerce.credentials import PaymentMethod
from ..commerce.processor import DuplicatePurchase
from ..core.errors import NotFound, shown
from ..core.events import TransactionRecorded
from ..core.faults import fault_point
from ..core.money import from_major
from ..core.statuses import LIVE_INTENT, JobStatus, MandateStatus, TransactionStatus
from ..store import jobs, ledger, mandates
from ..store.engine import db_time
from ..store.mandates import CorruptMandate
from ..store.tables import ChargeRow, MandateRow, TransactionRow
from . import ap2_v02
from .runtime import Runtime

R = TypeVar("R", IntentRecord, CartRecord, PaymentRecord)


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


def _record(s: Session, mandate_id: str, kind: type[R]) -> tuple[MandateRow, R]:
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
        if cart_row.status == MandateStatus.PAID:
            raise AP2Error(CHAIN_INVALID, f"{cart_mandate_id} is already paid", {"cart_mandate_id": cart_mandate_id})
        if cart.mode != "hp" or not cart.user_authorization:
            raise AP2Error("ap2:mandate:signature_invalid", f"{cart_mandate_id} has no signature from you yet")
        method = signed_method(rt, cart.allowed_tokens(), method_hint, f"your signature on {cart_mandate_id}")
        payment = build_payment(rt, cart, cart.user_authorization, method, None)
        mandates.insert(s, payment, status=MandateStatus.CREATED, now=now, signer="agent")
    return payment


def signed_method(rt: Runtime, allowed: list[str] | None, hint: str | None, signer: str) -> PaymentMethod:
    """The payment method to use: the hinted one (a brand, last 4 or token) or the first signed
    one, and only if the user's signature names it. With no signed list (a record signed by an
    older GhostCart, or a forged one) the chain check refuses the payment, reporting a bad
    signature before the missing instrument."""
    if not allowed:
        return rt.credentials.get(rt.user_id, hint)
    method = rt.credentials.get(rt.user_id, hint if hint else allowed[0])
    if method.token not in allowed:
        raise AP2Error(CONSTRAINTS_VIOLATED, f"{method.label} is not a payment method {signer} allows",
                       {"payment_token": method.token, "allowed": allowed})
    return method


def build_payment(rt: Runtime, cart: CartRecord, user_authorization: str, method: PaymentMethod,
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


_build_payment = build_payment  # the name before it was public


def _referenced(s: Session, mandate_id: str | None, kind: type[R]) -> R | None:
    """The mandate a chain references, or None when there is no mandate of that kind with that id."""
    row = mandates.get_row(s, mandate_id) if mandate_id else None
    if not mandate_id or row is None or row.type != kind.__name__.removesuffix("Record").lower():
        return None
    return _record(s, mandate_id, kind)[1]


def _load_parts(s: Session, payment_mandate_id: str
                ) -> tuple[IntentRecord | None, CartRecord | None, PaymentRecord, str | None]:
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
    assert cart is not None  # no `missing` means the cart was found
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
    assert cart is not None  # no `missing` means the cart (and, for HNP, the intent) was found
    if payment.mode == "hnp":
        assert intent is not None
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
    tx = ledger.transaction_for_payment(s, payment_mandate_id)
    return outcome_of(tx, replayed=True) if tx else None


def outcome_of(tx: TransactionRow, replayed: bool = False) -> PaymentOutcome:
    return PaymentOutcome(tx.transaction_id, tx.status, tx.amount_cents, tx.mode, tx.payment_mandate_id,
                          tx.authorization_code, tx.decline_reason, tx.payment_token, replayed)


_outcome = outcome_of


def product_name_of(rt: Runtime, payment_mandate_id: str) -> str:
    """The names of what a payment buys (for announcements), or "" when unknown."""
    try:
        with rt.db.read() as s:
            _, cart, _ = load_chain(s, payment_mandate_id)
    except (AP2Error, NotFound):
        return ""
    return ", ".join(li.name for li in cart.line_items)


OnRecorded = Callable[[Session, PaymentOutcome], None]


def authorize(rt: Runtime, payment_mandate_id: str, *, on_recorded: OnRecorded | None = None) -> PaymentOutcome:
    """Validate the chain in code, charge once, record the transaction. Idempotent per mandate."""
    with rt.db.read() as s:
        done = existing_outcome(s, payment_mandate_id)
    if done:
        return done
    validate_chain(rt, payment_mandate_id).raise_if_invalid()
    with rt.db.read() as s:
        intent, cart, payment = load_chain(s, payment_mandate_id)
        _refuse_repeat(s, payment, cart)  # early, so a replay reads as one; again inside the charge
    ap2_v02.check_before_charge(rt, payment_mandate_id)  # the AP2 v0.2 chain too; rejection receipts if not
    method = retrieve_credentials(rt, payment_mandate_id)
    amount = from_major(payment.payment.payment_mandate_contents.payment_details_total.amount.value)
    charge = _charge(rt, payment, cart, intent, amount, method.token)
    fault_point("after_charge")
    return record_charge(rt, payment, cart, charge, on_recorded=on_recorded)


def _refuse_repeat(s: Session, payment: PaymentRecord, cart: CartRecord) -> None:
    """Inside the charge's write transaction (so two processes cannot both pass): a cart is paid
    once, and an intent buys once and only while it is live (signed or watched). The processor's
    ledger enforces the same on its own books (see purchase_keys)."""
    cart_id, intent_id = cart.mandate_id, cart.intent_mandate_id
    if _already_bought(s, payment.mandate_id, "cart_mandate_id", cart_id):
        raise AP2Error(CHAIN_INVALID, f"{cart_id} is already paid; it will not be charged twice",
                       {"cart_mandate_id": cart_id})
    if intent_id and _already_bought(s, payment.mandate_id, "intent_mandate_id", intent_id):
        raise AP2Error(CHAIN_INVALID, f"the intent {intent_id} has already bought once; it will not buy again",
                       {"intent_mandate_id": intent_id})
    if payment.mode == "hnp" or intent_id:
        row = s.get(MandateRow, intent_id)
        if row is None or row.status not in LIVE_INTENT:
            raise AP2Error(CHAIN_INVALID, f"the intent {intent_id} is {row.status if row else 'missing'}; "
                           "it can no longer buy anything", {"intent_mandate_id": intent_id})


def _already_bought(s: Session, payment_mandate_id: str, field: str, mandate_id: str) -> bool:
    return (ledger.authorized_for(s, field, mandate_id) is not None
            or ledger.pending_approved_charge(s, payment_mandate_id, field, mandate_id) is not None)


def _digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()[:32]


def purchase_keys(cart: CartRecord, intent: IntentRecord | None) -> tuple[str, ...]:
    """What the processor charges at most once: the user signature that authorized the purchase.
    A re-signed copy is a new signature, but only the shopper's key can make one."""
    keys = []
    if intent is not None and intent.user_authorization:
        keys.append("intent:" + _digest(intent.user_authorization))
    if cart.user_authorization:
        keys.append("cart:" + _digest(cart.user_authorization))
    return tuple(keys)


def idempotency_key(payment: PaymentRecord) -> str:
    return f"{payment.mandate_id}:{_digest(payment.agent_authorization)[:16]}"


def _charge(rt: Runtime, payment: PaymentRecord, cart: CartRecord, intent: IntentRecord | None,
            amount: int, token: str) -> ChargeRow:
    """The processor's side: its answer is durable (in its own ledger) before anyone acts on it;
    the shopper's copy is written in the same shopper transaction that checked for repeats."""
    payment_mandate_id = payment.mandate_id
    with rt.db.write() as s:
        charge = ledger.charge_copy(s, payment_mandate_id)
        if charge is None:
            _refuse_repeat(s, payment, cart)
            try:
                r = rt.processor.charge(payment_mandate_id, amount, token, idempotency_key=idempotency_key(payment),
                                        purchase_keys=purchase_keys(cart, intent), user_id=payment.user_id,
                                        now=rt.clock.now())
            except DuplicatePurchase as exc:
                raise AP2Error(CHAIN_INVALID, "the payment processor has already charged this purchase "
                               f"(payment {exc.payment_mandate_id}); it will not charge twice",
                               {"payment_mandate_id": payment_mandate_id,
                                "charged_payment_mandate_id": exc.payment_mandate_id}) from None
            charge = ledger.add_charge_copy(s, ChargeRow(
                payment_mandate_id=payment_mandate_id, approved=r.approved, authorization_code=r.authorization_code,
                decline_reason=r.decline_reason, amount_cents=amount, token=token, created_at=db_time(rt.clock.now())))
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
        status = TransactionStatus.AUTHORIZED if charge.approved else TransactionStatus.DECLINED
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
        for mid, new_status in ((payment.mandate_id, MandateStatus.PAID if charge.approved else MandateStatus.DECLINED),
                                (cart.mandate_id, MandateStatus.PAID if charge.approved else None)):
            row = s.get(MandateRow, mid)
            if row is not None:
                row.transaction_id = tx.transaction_id
                row.status = new_status or row.status
                row.updated_at = db_time(now)
                s.add(row)
        ap2_v02.on_charge_recorded(rt, s, payment, cart, tx)  # the merchant's and processor's v0.2 receipts
        outcome = outcome_of(tx)
        if on_recorded:
            on_recorded(s, outcome)
        elif payment.mode == "hp" and cart.intent_mandate_id and charge.approved:
            _settle_notify_only_job(s, cart.intent_mandate_id, outcome)
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


def _settle_notify_only_job(s: Session, intent_mandate_id: str, outcome: PaymentOutcome) -> None:
    """The shopper paid the cart a notify-only watch built: the watch has bought."""
    job = jobs.job_for_intent(s, intent_mandate_id)
    if job is not None and job.status != JobStatus.PURCHASED:
        job.status, job.transaction_id = JobStatus.PURCHASED, outcome.transaction_id
        job.last_result = f"bought (you signed the cart): authorization {outcome.authorization_code}"
        s.add(job)
        jobs.set_mandate_status(s, [intent_mandate_id], MandateStatus.CONSUMED)


from .reconcile import reconcile, unrecorded_charges  # noqa: E402, F401  (re-exported; they use the above)
