"""HNP monitoring: jobs in the database, checks that run when due, purchases exactly once.

The scheduler only calls run_due_checks(); tests and scenario replay call the same function
after moving a FakeClock, so nothing sleeps. Exactly-once rests on a database claim: the UPDATE
that moves a job from 'active' to 'purchasing' succeeds for one caller only.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import String, type_coerce, update
from sqlmodel import Session, col, select

from ..ap2 import builders
from ..ap2.errors import CHAIN_INVALID, SIGNATURE_INVALID, AP2Error
from ..ap2.records import CartRecord, IntentRecord, PaymentRecord
from ..core.clock import as_utc, parse_iso
from ..core.errors import NotFound, UserError, shown
from ..core.faults import fault_point
from ..core.events import (
    AutonomousPurchaseComplete, Event, ErrorOccurred, MonitoringActivated, MonitoringCancelled,
    MonitoringCheckComplete, MonitoringExpired,
)
from ..commerce.search import search
from ..store import mandates
from ..store.engine import db_time
from ..store.mandates import CorruptMandate
from ..store.tables import ChargeRow, MandateRow, MonitoringJobRow, TransactionRow
from . import ap2_v02, payments
from .carts import build_signed_cart
from .monitoring_eval import CheckResult, evaluate
from .runtime import Runtime
from .views import JobView

log = logging.getLogger(__name__)

LIVE = ("active", "awaiting_user")
STALE_CLAIM = timedelta(minutes=2)
_in_flight: set[str] = set()  # jobs this process is purchasing right now
_sweep_lock = threading.Lock()


@dataclass
class SweepReport:
    checked: int = 0
    matched: int = 0
    purchased: int = 0
    expired: int = 0
    recovered: int = 0
    queries: int = 0
    events: list[Event] = field(default_factory=list)


def to_view(j: MonitoringJobRow) -> JobView:
    c = j.constraints
    return JobView(
        job_id=j.job_id, intent_mandate_id=j.intent_mandate_id, product_query=j.product_query,
        max_price_cents=c["max_price_cents"], max_total_cents=c.get("max_total_cents"),
        max_delivery_days=c.get("max_delivery_days"), status=j.status, interval_minutes=j.interval_minutes,
        last_check_at=as_utc(j.last_check_at) if j.last_check_at else None, last_result=j.last_result,
        last_price_cents=j.last_price_cents, next_check_at=as_utc(j.next_check_at),
        expires_at=as_utc(j.expires_at), created_at=as_utc(j.created_at), transaction_id=j.transaction_id,
    )


def activate(rt: Runtime, intent_mandate_id: str) -> JobView:
    """Start watching a user-signed intent. The first check runs one interval from now."""
    from ..ap2 import chain

    now = rt.clock.now()
    with rt.db.write() as s:
        row = mandates.get_row(s, intent_mandate_id)
        if row is None or row.type != "intent" or row.user_id != rt.user_id:
            raise NotFound(f"no intent {shown(intent_mandate_id)}")
        if row.status != "signed":
            raise UserError(f"{intent_mandate_id} is {row.status}; only a signed intent can be watched.")
        intent: IntentRecord = mandates.parse(row)
        chain.verify_intent(intent, rt.keys, now).raise_if_invalid()
        c = intent.constraints.model_dump()
        c["skus"] = intent.intent.skus
        job = MonitoringJobRow(
            job_id=rt.ids.new("job"), intent_mandate_id=intent_mandate_id, user_id=row.user_id,
            product_query=intent.product_query, constraints=c,
            interval_minutes=rt.settings.monitor_interval_minutes, status="active",
            next_check_at=db_time(now + timedelta(minutes=rt.settings.monitor_interval_minutes)),
            created_at=db_time(now), expires_at=db_time(parse_iso(intent.intent.intent_expiry)),
        )
        s.add(job)
        row.status = "active"
        s.add(row)
    rt.bus.publish(MonitoringActivated(job_id=job.job_id, intent_mandate_id=intent_mandate_id))
    return to_view(job)


def list_jobs(rt: Runtime, *, live_only: bool = False, user_id: str | None = None) -> list[JobView]:
    with rt.db.read() as s:
        q = select(MonitoringJobRow).order_by(col(MonitoringJobRow.created_at).desc())
        if live_only:
            q = q.where(col(MonitoringJobRow.status).in_(LIVE + ("purchasing",)))
        if user_id:
            q = q.where(MonitoringJobRow.user_id == user_id)
        return [to_view(j) for j in s.exec(q)]


def get_job(rt: Runtime, job_id: str) -> JobView:
    with rt.db.read() as s:
        j = s.get(MonitoringJobRow, job_id)
        if j is None:
            raise NotFound(f"no monitoring job {shown(job_id)}; `ghostcart monitor list` shows them")
        return to_view(j)


def _end(rt: Runtime, job_id: str, status: str, event: Event) -> JobView:
    with rt.db.write() as s:
        j = s.get(MonitoringJobRow, job_id)
        if j is None:
            raise NotFound(f"no monitoring job {shown(job_id)}; `ghostcart monitor list` shows them")
        if j.status not in LIVE:
            raise UserError(f"{job_id} is {j.status}; nothing to {status.removesuffix('led').removesuffix('d')}.")
        j.status = status
        s.add(j)
        intent = s.get(MandateRow, j.intent_mandate_id)
        intent.status = status
        s.add(intent)
        view = to_view(j)
    rt.bus.publish(event)
    return view


def cancel(rt: Runtime, job_id: str) -> JobView:
    return _end(rt, job_id, "cancelled", MonitoringCancelled(job_id=job_id))


def retry(rt: Runtime, job_id: str, method_hint: str | None = None) -> JobView:
    """After a decline: watch again (checked at the next sweep), optionally with another method."""
    token = rt.credentials.get(rt.user_id, method_hint).token if method_hint else None
    with rt.db.write() as s:
        j = s.get(MonitoringJobRow, job_id)
        if j is None or j.status != "awaiting_user":
            raise UserError(f"{job_id} is not waiting for you; only a job whose payment was declined can be retried.")
        j.status, j.payment_token, j.next_check_at = "active", token, db_time(rt.clock.now())
        j.cart_mandate_id = j.payment_mandate_id = None
        s.add(j)
        return to_view(j)


# ---- the sweep -------------------------------------------------------------------------------

def run_due_checks(rt: Runtime) -> SweepReport:
    """Run every check that is due now. Safe to call concurrently and from several processes."""
    with _sweep_lock:
        report = SweepReport()
        report.recovered = recover(rt)
        report.expired = _expire(rt, report)
        _check_due(rt, report)
    return report


def _expire(rt: Runtime, report: SweepReport) -> int:
    now = db_time(rt.clock.now())
    with rt.db.write() as s:
        jobs = s.exec(select(MonitoringJobRow).where(col(MonitoringJobRow.status).in_(LIVE),
                                                     MonitoringJobRow.expires_at <= now)).all()
        for j in jobs:
            j.status = "expired"
            j.last_result = "expired before every condition held"
            s.add(j)
            s.exec(update(MandateRow).where(MandateRow.id == j.intent_mandate_id).values(status="expired"))
    for j in jobs:
        e = MonitoringExpired(job_id=j.job_id)
        report.events.append(e)
        rt.bus.publish(e)
    return len(jobs)


@dataclass(frozen=True)
class _Due:
    """The columns a check needs (loading whole ORM rows cost ~2 s per 10,000 due jobs)."""

    job_id: str
    product_query: str
    constraints_json: str
    interval_minutes: int


def _check_due(rt: Runtime, report: SweepReport) -> None:
    now = rt.clock.now()
    t = MonitoringJobRow.__table__
    with rt.db.read() as s:
        due = [_Due(*row) for row in s.connection().execute(
            select(t.c.job_id, t.c.product_query, type_coerce(t.c.constraints, String), t.c.interval_minutes)
            .where(t.c.status == "active", t.c.next_check_at <= db_time(now)))]
    if not due:
        return
    catalog = rt.inventory.products()  # one catalog read per sweep
    hits_by_query: dict[str, list] = {}
    # evaluate() is pure: jobs with the same query and the same constraints get the same verdict
    # within one sweep, so it runs once per distinct (query, constraints) pair.
    verdicts: dict[tuple[str, str], CheckResult] = {}
    results: list[tuple[_Due, CheckResult]] = []
    for j in due:
        key = (j.product_query, j.constraints_json)
        r = verdicts.get(key)
        if r is None:
            if j.product_query not in hits_by_query:
                hits_by_query[j.product_query] = search(catalog, j.product_query, match_all=True)
            r = verdicts[key] = evaluate(hits_by_query[j.product_query], json.loads(j.constraints_json))
        results.append((j, r))
    report.queries = len(hits_by_query)
    report.checked = len(results)
    _record_checks(rt, results)
    for j, r in results:
        e = MonitoringCheckComplete(job_id=j.job_id, matched=r.matched, price_cents=r.price_cents, reason=r.reason)
        report.events.append(e)
        rt.bus.publish(e)
    for j, r in results:
        if r.matched:
            report.matched += 1
            if purchase(rt, j.job_id, r) is not None:
                report.purchased += 1


_IN_CHUNK = 500  # job ids per UPDATE … WHERE job_id IN (…), well under SQLite's bound-variable limit


def _record_checks(rt: Runtime, results: list[tuple[_Due, CheckResult]]) -> None:
    """One UPDATE per distinct (result, price, interval) and chunk of job ids: the same rows and
    values as an executemany per job, without 10,000 rounds of parameter processing."""
    now = rt.clock.now()
    groups: dict[tuple[str, int | None, int], list[str]] = {}
    for j, r in results:
        groups.setdefault((r.reason, r.price_cents, j.interval_minutes), []).append(j.job_id)
    t = MonitoringJobRow.__table__
    with rt.db.write() as s:
        conn = s.connection()
        for (reason, price, interval), ids in groups.items():
            values = dict(last_check_at=db_time(now), last_result=reason, last_price_cents=price,
                          next_check_at=db_time(now + timedelta(minutes=interval)))
            for lo in range(0, len(ids), _IN_CHUNK):
                conn.execute(update(t).where(t.c.job_id.in_(ids[lo:lo + _IN_CHUNK])).values(**values))


def purchase(rt: Runtime, job_id: str, result: CheckResult) -> payments.PaymentOutcome | None:
    """Claim the job, build the HNP chain, pay. Returns None when another caller holds the claim."""
    now = rt.clock.now()
    claim = rt.ids.new("claim")
    with rt.db.write() as s:
        won = s.exec(update(MonitoringJobRow).where(MonitoringJobRow.job_id == job_id,
                                                    MonitoringJobRow.status == "active")
                     .values(status="purchasing", claim_id=claim, claimed_at=db_time(now))).rowcount
    if won != 1:
        return None
    fault_point("hnp_after_claim")
    _in_flight.add(job_id)
    try:
        try:
            payment_id = _build_chain(rt, job_id, result)
        except (AP2Error, CorruptMandate, UserError) as exc:
            # e.g. a stored intent that no longer parses, a payment method that is gone: the job
            # waits for the shopper instead of staying claimed (and the sweep goes on).
            return _refused(rt, job_id, exc, claim)
        fault_point("hnp_after_chain")
        return _pay(rt, job_id, payment_id, claim)
    finally:
        _in_flight.discard(job_id)


def _build_chain(rt: Runtime, job_id: str, result: CheckResult) -> str:
    now = rt.clock.now()
    with rt.db.write() as s:
        j = s.get(MonitoringJobRow, job_id)
        intent_row = s.get(MandateRow, j.intent_mandate_id)
        intent: IntentRecord = mandates.parse(intent_row)
        cart = build_signed_cart(rt, result.product, intent.constraints.quantity, mode="hnp",
                                 intent_mandate_id=intent.mandate_id)
        cart = builders.agent_sign_cart(cart, rt.keys.agent_key(), intent, now, rt.ids.new("jti"))
        method = rt.credentials.get(j.user_id, j.payment_token)
        payment = payments._build_payment(rt, cart, intent.user_authorization, method, intent.mandate_id)
        ap2_v02.on_autonomous_purchase(rt, s, intent, cart, payment, method.token)  # v0.2 closed hops, budget
        mandates.insert(s, cart, status="signed", now=now, signer="agent")
        mandates.insert(s, payment, status="created", now=now, signer="agent")
        j.cart_mandate_id, j.payment_mandate_id = cart.mandate_id, payment.mandate_id
        s.add(j)
    return payment.mandate_id


def _finish(job_id: str):
    def on_recorded(s: Session, outcome: payments.PaymentOutcome) -> None:
        j = s.get(MonitoringJobRow, job_id)
        if j.status == "purchased" and outcome.status != "authorized":
            return  # an older attempt's decline, seen late: the job has bought already
        j.transaction_id = outcome.transaction_id
        j.claim_id = None
        if outcome.status == "authorized":
            j.status, j.last_result = "purchased", f"bought: authorization {outcome.authorization_code}"
            s.exec(update(MandateRow).where(MandateRow.id == j.intent_mandate_id).values(status="consumed"))
        else:
            # A decline does not consume the intent: the shopper decides (retry or cancel).
            j.status = "awaiting_user"
            j.last_result = f"payment declined ({outcome.decline_reason or outcome.status}); retry or cancel"
        s.add(j)
    return on_recorded


def _pay(rt: Runtime, job_id: str, payment_id: str, claim: str | None = None) -> payments.PaymentOutcome | None:
    try:
        outcome = payments.authorize(rt, payment_id, on_recorded=_finish(job_id))
    except AP2Error as exc:
        return _refused(rt, job_id, exc, claim)
    rt.bus.publish(AutonomousPurchaseComplete(job_id=job_id, transaction_id=outcome.transaction_id,
                                              status=outcome.status))
    return outcome


def _refused(rt: Runtime, job_id: str, exc: Exception, claim: str | None = None) -> None:
    code = getattr(exc, "code", None) or (SIGNATURE_INVALID if isinstance(exc, CorruptMandate) else CHAIN_INVALID)
    message = getattr(exc, "message", None) or str(exc)
    with rt.db.write() as s:
        j = s.get(MonitoringJobRow, job_id)
        # Only while our claim stands: another process may have finished the job meanwhile
        # (a purchase it recorded must not be turned back into "awaiting_user").
        if j.status == "purchasing" and (claim is None or j.claim_id == claim):
            j.status, j.claim_id = "awaiting_user", None
            j.last_result = f"purchase refused: {code}: {message}"[:500]
            s.add(j)
    rt.bus.publish(ErrorOccurred(error_code=code, message=message))
    return None


def recover(rt: Runtime) -> int:
    """Finish or roll back purchases a crash interrupted. Never charges twice: a charge already
    made is recorded, a purchase never charged goes back to watching."""
    n = payments.reconcile(rt, on_recorded_for=_job_hook_for_payment)
    cutoff = db_time(rt.clock.now() - STALE_CLAIM)
    with rt.db.read() as s:
        stale = [j for j in s.exec(select(MonitoringJobRow).where(MonitoringJobRow.status == "purchasing"))
                 if j.job_id not in _in_flight and (j.claimed_at is None or j.claimed_at <= cutoff)]
    for j in stale:
        with rt.db.write() as s:
            job = s.get(MonitoringJobRow, j.job_id)
            if job.status != "purchasing":
                continue
            tx = (s.exec(select(TransactionRow).where(TransactionRow.payment_mandate_id == job.payment_mandate_id)).first()
                  if job.payment_mandate_id else None)
            if tx is not None:
                _finish(job.job_id)(s, payments._outcome(tx))
            elif job.payment_mandate_id and s.get(ChargeRow, job.payment_mandate_id):
                continue  # reconcile() above records it
            else:
                if job.payment_mandate_id:
                    s.exec(update(MandateRow).where(col(MandateRow.id).in_([job.payment_mandate_id, job.cart_mandate_id]))
                           .values(status="abandoned"))
                job.status, job.claim_id, job.cart_mandate_id, job.payment_mandate_id = "active", None, None, None
                job.next_check_at = db_time(rt.clock.now())
                s.add(job)
        n += 1
    return n


def _job_hook_for_payment(payment_mandate_id: str):
    def hook(s: Session, outcome: payments.PaymentOutcome) -> None:
        j = s.exec(select(MonitoringJobRow).where(MonitoringJobRow.payment_mandate_id == payment_mandate_id)).first()
        if j is None and outcome.status == "authorized":
            # The job may have moved on to another payment meanwhile (its claim was taken over):
            # the intent this charge bought is what identifies it.
            tx = s.get(TransactionRow, outcome.transaction_id)
            if tx is not None and tx.intent_mandate_id:
                j = s.exec(select(MonitoringJobRow)
                           .where(MonitoringJobRow.intent_mandate_id == tx.intent_mandate_id)).first()
        if j is not None:
            _finish(j.job_id)(s, outcome)
    return hook
