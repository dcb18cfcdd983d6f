"""Human-not-present monitoring: due checks, autonomous purchase exactly once, decline, expiry,
cancel, restart survival and concurrent sweeps — driven by a FakeClock, nothing sleeps."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.core.errors import UserError
from ghostcart_tui.services import catalog, intents, monitoring, orders, signatures

from .conftest import make_runtime

FIVE_MIN = timedelta(minutes=5)


def watch_airpods(rt, max_price=18000, days=None, expiry_days=None, payment_method=None):
    intent = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=max_price, max_delivery_days=days),
                                   expiry_days=expiry_days, skus=["prod_airpods_001"], payment_method=payment_method)
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    return monitoring.activate(rt, intent.mandate_id)


def test_first_check_runs_one_interval_after_activation(rt, events):
    job = watch_airpods(rt)
    assert job.next_check_at == rt.clock.now() + FIVE_MIN
    assert monitoring.run_due_checks(rt).checked == 0
    rt.clock.advance(FIVE_MIN)
    report = monitoring.run_due_checks(rt)
    assert report.checked == 1 and report.purchased == 0
    view = monitoring.get_job(rt, job.job_id)
    assert view.last_result == "$249.00 is above your $180.00 limit"
    assert view.next_check_at == rt.clock.now() + FIVE_MIN
    check = [e for e in events if e.name == "monitoring_check_complete"][-1]
    assert (check.matched, check.price_cents) == (False, 24900)


def test_price_drop_buys_exactly_once(rt, events):
    job = watch_airpods(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)
    report = monitoring.run_due_checks(rt)
    assert report.purchased == 1
    done = [e for e in events if e.name == "autonomous_purchase_complete"]
    assert len(done) == 1 and done[0].status == "authorized"
    tx = orders.get_transaction(rt, done[0].transaction_id)
    assert (tx.mode, tx.amount_cents, tx.intent_mandate_id) == ("hnp", 17500 + 1400 + 1000, job.intent_mandate_id)
    assert monitoring.get_job(rt, job.job_id).status == "purchased"
    assert orders.get_mandate(rt, job.intent_mandate_id).status == "consumed"
    for _ in range(3):
        rt.clock.advance(FIVE_MIN)
        monitoring.run_due_checks(rt)
    assert orders.counts(rt)["authorized_transactions"] == 1


def test_delivery_constraint_unmet_buys_nothing(rt):
    job = watch_airpods(rt, max_price=30000, days=0)
    rt.clock.advance(FIVE_MIN)
    monitoring.run_due_checks(rt)
    assert monitoring.get_job(rt, job.job_id).last_result == "delivery 1 days > 0"
    assert orders.counts(rt)["transactions"] == 0


def test_decline_leaves_the_intent_waiting_then_retry_buys(rt):
    job = watch_airpods(rt, payment_method=["visa", "mastercard"])  # the signed allowed set
    catalog.set_price(rt, "prod_airpods_001", 17000)
    rt.processor.force_next(decline="card_expired")
    rt.clock.advance(FIVE_MIN)
    monitoring.run_due_checks(rt)
    view = monitoring.get_job(rt, job.job_id)
    assert view.status == "awaiting_user" and "card_expired" in view.last_result
    assert orders.get_mandate(rt, job.intent_mandate_id).status == "active"
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 0  # no blind retry
    with pytest.raises(UserError, match="not a payment method you signed"):
        monitoring.retry(rt, job.job_id, "amex")  # not in the signed set
    monitoring.retry(rt, job.job_id, "mastercard")
    assert monitoring.run_due_checks(rt).purchased == 1
    assert orders.counts(rt)["authorized_transactions"] == 1


def test_expiry_stops_the_job(rt, events):
    job = watch_airpods(rt, expiry_days=1)
    rt.clock.advance(timedelta(days=1, minutes=1))
    catalog.set_price(rt, "prod_airpods_001", 10000)
    report = monitoring.run_due_checks(rt)
    assert report.expired == 1 and report.purchased == 0
    assert monitoring.get_job(rt, job.job_id).status == "expired"
    assert "monitoring_expired" in [e.name for e in events]


def test_cancel_stops_the_job(rt, events):
    job = watch_airpods(rt)
    monitoring.cancel(rt, job.job_id)
    catalog.set_price(rt, "prod_airpods_001", 10000)
    rt.clock.advance(FIVE_MIN)
    monitoring.run_due_checks(rt)
    assert orders.counts(rt)["transactions"] == 0
    assert "monitoring_cancelled" in [e.name for e in events]
    with pytest.raises(UserError):
        monitoring.cancel(rt, job.job_id)


def test_restart_survival(tmp_path):
    rt = make_runtime(tmp_path)
    job = watch_airpods(rt)
    start = rt.clock.now()
    rt.close()
    # A new process: new runtime on the same folder, clock later than the first check was due.
    from ghostcart_tui.core.clock import FakeClock

    rt2 = make_runtime(tmp_path, clock=FakeClock(start + timedelta(hours=2)))
    catalog.set_price(rt2, "prod_airpods_001", 17900)
    report = monitoring.run_due_checks(rt2)  # missed checks run once, coalesced
    assert report.checked == 1 and report.purchased == 1
    assert monitoring.get_job(rt2, job.job_id).status == "purchased"
    assert orders.counts(rt2)["authorized_transactions"] == 1
    rt2.close()


def test_two_concurrent_sweeps_buy_once(tmp_path):
    rt_a = make_runtime(tmp_path)
    watch_airpods(rt_a)
    catalog.set_price(rt_a, "prod_airpods_001", 17000)
    rt_a.clock.advance(FIVE_MIN)
    rt_b = make_runtime(tmp_path, clock=rt_a.clock)  # a second "process" on the same DB
    barrier = threading.Barrier(2)
    results = []

    def sweep(rt):
        barrier.wait()
        results.append(monitoring.run_due_checks(rt))

    threads = [threading.Thread(target=sweep, args=(r,)) for r in (rt_a, rt_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.purchased for r in results) == 1
    assert orders.counts(rt_a)["authorized_transactions"] == 1
    assert orders.counts(rt_a)["transactions"] == 1
