"""One sweep over the current user's due jobs, deciding from the signed intents only.

A check reads the intent's stored (signed) JSON: the products it may buy are exactly
`intent.skus` (looked up by id, never searched by text), the limits are its constraints, the
expiry its intent_expiry. The job row only schedules. This read is not yet a verification (that
would cost a signature check per job per sweep): before anything is bought the intent is
verified (monitoring_purchase.verified_intent) and the chain check proves the cart satisfies it,
so a hand-edited intent is refused, never bought.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from ..ap2.records import IntentRecord
from ..commerce.catalog import Product
from ..core.clock import parse_iso
from ..core.events import MonitoringCheckComplete, MonitoringExpired
from ..core.statuses import JobStatus, MandateStatus
from ..store import jobs
from ..store.engine import db_time
from .monitoring_eval import CheckResult, evaluate
from .runtime import Runtime

MIN_INTERVAL, MAX_INTERVAL = 1, 1440  # minutes; a row outside this was not written by GhostCart

NO_SKUS = ("this watch was signed without a product list (an older GhostCart), so it will never buy; "
           "cancel it and create a new one")


@dataclass(frozen=True)
class Terms:
    """What a stored intent says decides its purchase (read from its signed JSON)."""

    user_id: str
    skus: tuple[str, ...]
    constraints: dict
    expires_at: datetime | None

    @property
    def key(self) -> str:
        return json.dumps([self.skus, self.constraints], sort_keys=True)


def read_terms(intent_json: str | None) -> Terms | str:
    """The intent's terms, or the reason they cannot be read."""
    data = jobs.loads(intent_json)
    if not isinstance(data, dict):
        return "the signed intent is unreadable in the database (damaged or edited); nothing will be bought"
    try:
        intent = IntentRecord.model_validate(data)
    except (ValidationError, TypeError, ValueError) as exc:
        return f"the signed intent is unreadable in the database ({str(exc).splitlines()[0][:120]})"
    try:
        expires = parse_iso(intent.intent.intent_expiry)
    except (ValueError, TypeError):
        expires = None
    c = intent.constraints.model_dump() | {"skus": list(intent.intent.skus or [])}
    return Terms(intent.user_id, tuple(intent.intent.skus or ()), c, expires)


def expire(rt: Runtime, report) -> int:
    """End the user's live jobs whose SIGNED expiry has passed. A job whose stored expiry says
    past but whose signed intent runs longer is repaired instead (the row is only a copy)."""
    now = rt.clock.now()
    ended = []
    with rt.db.write() as s:
        for j in jobs.expiring_jobs(s, rt.user_id, now):
            terms = read_terms(jobs.intent_json(s, j.intent_mandate_id))
            if isinstance(terms, Terms) and terms.expires_at is not None and terms.expires_at > now:
                j.expires_at = db_time(terms.expires_at)
                s.add(j)
                continue
            j.status = JobStatus.EXPIRED
            j.last_result = "expired before every condition held"
            s.add(j)
            jobs.set_mandate_status(s, [j.intent_mandate_id], MandateStatus.EXPIRED)
            ended.append(j.job_id)
    for job_id in ended:
        e = MonitoringExpired(job_id=job_id)
        report.events.append(e)
        rt.bus.publish(e)
    return len(ended)


def check_due(rt: Runtime, report, *, everything: bool = False) -> list[tuple[str, Product]]:
    """Evaluate the user's due jobs (every active one with everything=True); record the results;
    return the (job id, product) pairs whose conditions all hold, to be purchased."""
    now = rt.clock.now()
    with rt.db.read() as s:
        due = jobs.due_jobs(s, rt.user_id, now, everything=everything)
    if not due:
        return []
    catalog = {p.product_id: p for p in rt.inventory.products()}  # one catalog read per sweep
    terms_by_text: dict[str | None, Terms | str] = {}
    verdicts: dict[str, CheckResult] = {}
    groups: dict[tuple[str, int | None, int], list[str]] = {}
    unusable: dict[tuple[str, str], list[str]] = {}
    matched: list[tuple[str, Product]] = []
    checked: list[MonitoringCheckComplete] = []
    for j in due:
        terms = terms_by_text.get(j.intent_json)
        if terms is None:
            terms = terms_by_text[j.intent_json] = read_terms(j.intent_json)
        if isinstance(terms, str) or terms.user_id != rt.user_id or not terms.skus:
            reason = terms if isinstance(terms, str) else (
                NO_SKUS if terms.user_id == rt.user_id else f"the signed intent is not {rt.user_id}'s")
            status: str = JobStatus.UNUSABLE if reason == NO_SKUS else JobStatus.AWAITING_USER
            unusable.setdefault((status, reason), []).append(j.job_id)
            continue
        if terms.expires_at is not None and terms.expires_at <= now:
            continue  # the next sweep's expire() ends it (its signed expiry has passed)
        r = verdicts.get(terms.key)
        if r is None:
            hits = [catalog[sku] for sku in terms.skus if sku in catalog]
            r = verdicts[terms.key] = evaluate(hits, terms.constraints)
        interval = min(max(int(j.interval_minutes or 0), MIN_INTERVAL), MAX_INTERVAL)
        groups.setdefault((r.reason, r.price_cents, interval), []).append(j.job_id)
        checked.append(MonitoringCheckComplete(job_id=j.job_id, matched=r.matched, price_cents=r.price_cents,
                                               reason=r.reason))
        if r.matched and r.product is not None:
            matched.append((j.job_id, r.product))
    report.queries = len(verdicts)
    report.checked = sum(len(ids) for ids in groups.values())
    with rt.db.write() as s:
        jobs.record_check_results(s, groups, now)
        for (status, reason), ids in unusable.items():
            jobs.set_job_status(s, ids, status, reason)
    for e in checked:
        report.events.append(e)
        rt.bus.publish(e)
    return matched
