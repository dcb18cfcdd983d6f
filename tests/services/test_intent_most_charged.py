"""The intent the shopper signs says, in money, the most the watch can ever charge: "below $180"
with 8% tax and $10 shipping is at most $204.40, and a purchase never charges more than that."""

from __future__ import annotations

from datetime import timedelta

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.services import catalog, intents, monitoring, orders, signatures


def test_signed_description_states_the_most_that_can_be_charged(rt):
    intent = intents.create_intent(rt, "Apple AirPods Pro", Constraints(max_price_cents=18000),
                                   skus=["prod_airpods_001"])
    assert "At most $204.40 can be charged, including tax and shipping." in intent.intent.natural_language_description


def test_a_total_cap_below_the_item_cap_is_the_most_stated(rt):
    c = Constraints(max_price_cents=18000, max_total_cents=19000)
    intent = intents.create_intent(rt, "Apple AirPods Pro", c, skus=["prod_airpods_001"])
    assert "At most $190.00 can be charged" in intent.intent.natural_language_description


def test_the_charge_never_exceeds_the_stated_most(rt):
    intent = intents.create_intent(rt, "Apple AirPods Pro", Constraints(max_price_cents=18000),
                                   skus=["prod_airpods_001"])
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    monitoring.activate(rt, intent.mandate_id)
    catalog.set_price(rt, "prod_airpods_001", 18000)
    rt.clock.advance(timedelta(minutes=5))
    monitoring.run_due_checks(rt)
    (tx,) = orders.list_transactions(rt)
    assert tx.status == "authorized" and tx.amount_cents == 20440
