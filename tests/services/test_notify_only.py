"""Notify-only watches (CONTRACT 1), check_now (CONTRACT 6) and the purchase announcement's
fields (CONTRACT 2)."""

from __future__ import annotations

from datetime import timedelta

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.services import catalog, intents, monitoring, orders, payments, signatures

FIVE_MIN = timedelta(minutes=5)


def watch(rt, *, notify_only: bool, skus=("prod_airpods_001",), label="AirPods"):
    intent = intents.create_intent(rt, label, Constraints(max_price_cents=18000), skus=list(skus),
                                   notify_only=notify_only)
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    return intent, monitoring.activate(rt, intent.mandate_id)


def test_notify_only_intent_asks_for_confirmation_on_the_wire(rt):
    intent, _ = watch(rt, notify_only=True)
    assert intent.intent.user_cart_confirmation_required is True
    assert "you will be asked to sign the cart" in intent.intent.natural_language_description
    auto, _ = watch(rt, notify_only=False, skus=("prod_lamp_001",), label="lamp")
    assert auto.intent.user_cart_confirmation_required is False


def test_notify_only_watch_builds_a_cart_for_the_shopper_and_charges_nothing(rt, events):
    intent, job = watch(rt, notify_only=True)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)
    report = monitoring.run_due_checks(rt)
    assert report.matched == 1 and report.purchased == 0 and report.ready == 1
    assert orders.counts(rt)["authorized_transactions"] == 0
    view = monitoring.get_job(rt, job.job_id)
    assert view.status == "awaiting_signature" and "your signature" in view.last_result
    (ready,) = [e for e in events if e.name == "watch_ready"]
    assert (ready.job_id, ready.intent_mandate_id, ready.product_id) == (job.job_id, intent.mandate_id,
                                                                          "prod_airpods_001")
    assert ready.product_name == "Apple AirPods Pro" and ready.total_cents == 17500 + 1400 + 1000
    (pending,) = signatures.pending(rt)
    assert pending.mandate_id == ready.cart_mandate_id and pending.mandate_type == "cart"
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).matched == 0  # not watched while the cart waits

    signatures.approve(rt, ready.cart_mandate_id)  # only the shopper's key press can pay it
    outcome = payments.pay_hp(rt, ready.cart_mandate_id)
    assert outcome.status == "authorized"
    assert monitoring.get_job(rt, job.job_id).status == "purchased"
    assert orders.get_mandate(rt, intent.mandate_id).status == "consumed"


def test_check_now_checks_watches_that_are_not_due(rt):
    _, job = watch(rt, notify_only=False)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    assert monitoring.run_due_checks(rt).checked == 0  # first check is one interval away
    report = monitoring.check_now(rt)
    assert report.checked == 1 and report.purchased == 1
    assert monitoring.get_job(rt, job.job_id).status == "purchased"


def test_autonomous_purchase_announcement_names_the_product_and_amount(rt, events):
    watch(rt, notify_only=False)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)
    monitoring.run_due_checks(rt)
    (done,) = [e for e in events if e.name == "autonomous_purchase_complete"]
    assert done.product_name == "Apple AirPods Pro" and done.amount_cents == 17500 + 1400 + 1000
