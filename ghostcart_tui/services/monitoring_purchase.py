"""HNP purchases: claim a job once, build the chain from the VERIFIED signed intent, pay once;
finish or roll back what a crash interrupted.

Nothing in the job row decides a purchase. The product must be one of the signed intent's
`skus`, the limits and the expiry are the signed ones, and the payment token is the intent's
first signed instrument (or the one the shopper picked for a retry, if the intent signs it).
A notify-only intent (user_cart_confirmation_required) never pays here: it gets an HP cart
waiting for the shopper's own signature.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session

from ..ap2 import builders, chain
from ..ap2.errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, SIGNATURE_INVALID, AP2Error
from ..ap2.records import IntentRecord
from ..commerce.catalog import Product
from ..core.errors import UserError
from ..core.events import AutonomousPurchaseComplete, ErrorOccurred, WatchReady
from ..core.faults import fault_point
from ..core.statuses import LIVE_INTENT, JobStatus, MandateStatus, TransactionStatus
from ..store import jobs, ledger, mandates
from ..store.mandates import CorruptMandate
from ..store.tables import MonitoringJobRow
from . import ap2_v02, payments
from .carts import build_signed_cart, cart_total_cents
from .runtime import Runtime

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=2)


class _Resume(AP2Error):
    """A refusal caused by an unsigned job field (e.g. a payment token the intent does not name):
    the job goes back to watching with that field reset to the signed value."""


def purchase(rt: Runtime, job_id: str, product: Product) -> payments.PaymentOutcome | None:
    """Claim the job, build the chain, pay. None when another caller holds the claim, when the
    purchase is refused (the job records why) or when a notify-only cart now awaits the shopper."""
    now = rt.clock.now()
    claim = rt.ids.new("claim")
    with rt.db.write() as s:
        if not jobs.claim_job(s, job_id, claim, now):
            return None
    fault_point("hnp_after_claim")
    state = rt.monitoring
    state.in_flight.add(job_id)
    try:
        try:
            built = _build_chain(rt, job_id, product)
        except (AP2Error, CorruptMandate, UserError) as exc:
            _refused(rt, job_id, exc, claim)
            return None
        if built is None:
            return None  # notify-only: the cart waits for the shopper's signature
        fault_point("hnp_after_chain")
        return _pay(rt, job_id, built, claim)
    except BaseException as exc:
        # Anything else (a key that cannot be opened, a disk that cannot be written): the claim
        # is released at once, so the job is watched again instead of waiting for recovery.
        _release_after_failure(rt, job_id, claim, exc)
        raise
    finally:
        state.in_flight.discard(job_id)


def _release_after_failure(rt: Runtime, job_id: str, claim: str, exc: BaseException) -> None:
    try:
        with rt.db.write() as s:
            job = s.get(MonitoringJobRow, job_id)
            if job is not None and job.payment_mandate_id and ledger.charge_exists(s, job.payment_mandate_id):
                return  # charged already: recovery records it
            if job is not None and job.payment_mandate_id:
                jobs.set_mandate_status(s, [job.payment_mandate_id, job.cart_mandate_id], MandateStatus.ABANDONED)
            jobs.release_claim(s, job_id, claim, JobStatus.ACTIVE,
                               f"check failed, will retry: {type(exc).__name__}: {exc}"[:500],
                               next_check_at=rt.clock.now())
    except Exception:  # the original failure is what the caller must see
        log.exception("could not release the claim on %s", job_id)


def verified_intent(rt: Runtime, s: Session, job: MonitoringJobRow) -> IntentRecord:
    """The job's intent, only if it is the user's, live, signed by them and verifies now."""
    row = mandates.get_row(s, job.intent_mandate_id)
    if row is None or row.type != "intent":
        raise AP2Error(CHAIN_INVALID, f"the job's intent {job.intent_mandate_id} is not in the database")
    intent = mandates.parse(row)
    assert isinstance(intent, IntentRecord)
    if intent.user_id != rt.user_id or intent.mandate_id != row.id:
        raise AP2Error(CHAIN_INVALID, f"{row.id} is not an intent signed by {rt.user_id}")
    if row.status not in LIVE_INTENT:
        raise AP2Error(CHAIN_INVALID, f"the intent {row.id} is {row.status}; it can no longer buy anything",
                       {"intent_mandate_id": row.id})
    chain.verify_intent(intent, rt.keys, rt.clock.now()).raise_if_invalid()
    return intent


def _instrument(intent: IntentRecord, chosen: str | None) -> str:
    allowed = intent.allowed_tokens()
    if not allowed:
        raise AP2Error(CONSTRAINTS_VIOLATED, "this watch was signed before GhostCart signed the payment method, "
                       "so it can pay with none; cancel it and sign a new one")
    if chosen is not None and chosen not in allowed:
        raise _Resume(CONSTRAINTS_VIOLATED, f"the payment method {chosen[:40]!r} is not one you signed "
                      f"({', '.join(allowed)}); nothing was charged", {"payment_token": chosen[:40]})
    return chosen or allowed[0]


def _build_chain(rt: Runtime, job_id: str, product: Product) -> str | None:
    """The payment mandate id of a new HNP chain, or None for a notify-only watch (its HP cart
    now waits for the shopper's signature)."""
    now = rt.clock.now()
    with rt.db.write() as s:
        j = s.get(MonitoringJobRow, job_id)
        if j is None:
            raise AP2Error(CHAIN_INVALID, f"the job {job_id} is no longer in the database")
        intent = verified_intent(rt, s, j)
        if product.product_id not in (intent.intent.skus or []):
            raise AP2Error(CONSTRAINTS_VIOLATED, f"{product.product_id} is not one of the products you signed")
        if intent.intent.user_cart_confirmation_required:
            cart = build_signed_cart(rt, product, intent.constraints.quantity, mode="hp",
                                     intent_mandate_id=intent.mandate_id)
            mandates.insert(s, cart, status=MandateStatus.PENDING_SIGNATURE, now=now, signer="merchant")
            j.status, j.claim_id, j.cart_mandate_id, j.payment_mandate_id = (
                JobStatus.AWAITING_SIGNATURE, None, cart.mandate_id, None)
            j.last_result = f"{product.name} meets every condition: your signature on the cart is needed"
            s.add(j)
            ready = WatchReady(job_id=job_id, intent_mandate_id=intent.mandate_id, cart_mandate_id=cart.mandate_id,
                               product_id=product.product_id, product_name=product.name,
                               total_cents=cart_total_cents(cart))
        else:
            token = _instrument(intent, j.payment_token)
            cart = build_signed_cart(rt, product, intent.constraints.quantity, mode="hnp",
                                     intent_mandate_id=intent.mandate_id)
            cart = builders.agent_sign_cart(cart, rt.keys.agent_key(), intent, now, rt.ids.new("jti"))
            method = rt.credentials.get(intent.user_id, token)
            payment = payments.build_payment(rt, cart, intent.user_authorization or "", method, intent.mandate_id)
            ap2_v02.on_autonomous_purchase(rt, s, intent, cart, payment, method.token)  # v0.2 closed hops, budget
            mandates.insert(s, cart, status=MandateStatus.SIGNED, now=now, signer="agent")
            mandates.insert(s, payment, status=MandateStatus.CREATED, now=now, signer="agent")
            j.cart_mandate_id, j.payment_mandate_id = cart.mandate_id, payment.mandate_id
            s.add(j)
            return payment.mandate_id
    rt.bus.publish(ready)
    return None


def finish(job_id: str) -> payments.OnRecorded:
    def on_recorded(s: Session, outcome: payments.PaymentOutcome) -> None:
        j = s.get(MonitoringJobRow, job_id)
        if j is None or (j.status == JobStatus.PURCHASED and outcome.status != TransactionStatus.AUTHORIZED):
            return  # an older attempt's decline, seen late: the job has bought already
        j.transaction_id = outcome.transaction_id
        j.claim_id = None
        if outcome.status == TransactionStatus.AUTHORIZED:
            j.status, j.last_result = JobStatus.PURCHASED, f"bought: authorization {outcome.authorization_code}"
            jobs.set_mandate_status(s, [j.intent_mandate_id], MandateStatus.CONSUMED)
        else:
            # A decline does not consume the intent: the shopper decides (retry or cancel).
            j.status = JobStatus.AWAITING_USER
            j.last_result = f"payment declined ({outcome.decline_reason or outcome.status}); retry or cancel"
        s.add(j)
    return on_recorded


def _pay(rt: Runtime, job_id: str, payment_id: str, claim: str | None = None) -> payments.PaymentOutcome | None:
    try:
        outcome = payments.authorize(rt, payment_id, on_recorded=finish(job_id))
    except AP2Error as exc:
        _refused(rt, job_id, exc, claim)
        return None
    name = payments.product_name_of(rt, payment_id)
    rt.bus.publish(AutonomousPurchaseComplete(job_id=job_id, transaction_id=outcome.transaction_id,
                                              status=outcome.status, product_name=name,
                                              amount_cents=outcome.amount_cents))
    return outcome


def _refused(rt: Runtime, job_id: str, exc: Exception, claim: str | None = None) -> None:
    code = getattr(exc, "code", None) or (SIGNATURE_INVALID if isinstance(exc, CorruptMandate) else CHAIN_INVALID)
    message = getattr(exc, "message", None) or str(exc)
    with rt.db.write() as s:
        job = s.get(MonitoringJobRow, job_id)
        if job is not None and job.payment_mandate_id:
            jobs.set_mandate_status(s, [job.payment_mandate_id, job.cart_mandate_id], MandateStatus.ABANDONED)
        bought = ledger.authorized_for_intent(s, job.intent_mandate_id) if job is not None else None
        if bought is not None and job is not None and job.status == JobStatus.PURCHASING:
            # The intent has bought already (e.g. its job row was edited back to active): the books say so.
            finish(job_id)(s, payments.outcome_of(bought))
        elif isinstance(exc, _Resume):
            jobs.release_claim(s, job_id, claim, JobStatus.ACTIVE, f"purchase refused: {code}: {message}",
                               clear_payment_token=True, next_check_at=rt.clock.now())
        else:
            jobs.release_claim(s, job_id, claim, JobStatus.AWAITING_USER, f"purchase refused: {code}: {message}")
    rt.bus.publish(ErrorOccurred(error_code=code, message=message))
    return None


def recover(rt: Runtime) -> int:
    """Finish or roll back purchases a crash interrupted, for this user's jobs. Never charges
    twice: a charge the processor made is recorded (from the processor's own ledger), a purchase
    never charged goes back to watching."""
    n = payments.reconcile(rt, on_recorded_for=job_hook_for_payment)
    cutoff = rt.clock.now() - STALE_CLAIM
    with rt.db.read() as s:
        stale = jobs.stale_claims(s, rt.user_id, cutoff, rt.monitoring.in_flight)
    for job_id in stale:
        with rt.db.write() as s:
            job = s.get(MonitoringJobRow, job_id)
            if job is None or job.status != JobStatus.PURCHASING:
                continue
            tx = ledger.transaction_for_payment(s, job.payment_mandate_id)
            if tx is not None and tx.intent_mandate_id == job.intent_mandate_id:
                finish(job.job_id)(s, payments.outcome_of(tx))
            elif (bought := ledger.authorized_for_intent(s, job.intent_mandate_id)) is not None:
                finish(job.job_id)(s, payments.outcome_of(bought))
            elif job.payment_mandate_id and rt.processor.has_charge(job.payment_mandate_id):
                continue  # charged but not yet recorded: reconcile() records it
            else:
                jobs.set_mandate_status(s, [job.payment_mandate_id, job.cart_mandate_id], MandateStatus.ABANDONED)
                jobs.release_claim(s, job.job_id, None, JobStatus.ACTIVE, "an interrupted check was rolled back",
                                   next_check_at=rt.clock.now())
        n += 1
    return n


def job_hook_for_payment(payment_mandate_id: str) -> payments.OnRecorded:
    def hook(s: Session, outcome: payments.PaymentOutcome) -> None:
        j = jobs.job_for_payment(s, payment_mandate_id)
        if j is None and outcome.status == TransactionStatus.AUTHORIZED:
            # The job may have moved on to another payment meanwhile (its claim was taken over):
            # the intent this charge bought is what identifies it.
            tx = ledger.transaction(s, outcome.transaction_id)
            j = jobs.job_for_intent(s, tx.intent_mandate_id if tx is not None else None)
        if j is not None:
            finish(j.job_id)(s, outcome)
    return hook
