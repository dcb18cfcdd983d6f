"""The offline pipeline end to end: understand or ask, never act on a guess."""

from __future__ import annotations

from datetime import date

import pytest

from ghostcart_tui.agents.offline.pipeline.state import ConvState
from ghostcart_tui.agents.offline.pipeline.types import Act
from ghostcart_tui.agents.offline.pipeline.understand import understand
from ghostcart_tui.commerce.catalog import DEMO_CATALOG
from ghostcart_tui.services import conversations, monitoring, orders

TODAY = date(2026, 11, 30)


def U(text: str, state: ConvState | None = None):
    return understand(text, state or ConvState(), list(DEMO_CATALOG), TODAY)


@pytest.mark.parametrize("text, act, products, slots", [
    ("buy the mixer if it drops below three twenty", Act.WATCH_BUY, ["prod_mixer_001"], {"max_price_cents": 32000}),
    ("get me a blender for one fifty", Act.BUY_NOW, ["prod_blender_001"], {"max_price_cents": 15000}),
    ("buy the airpods for a grand", Act.BUY_NOW, ["prod_airpods_001"], {"max_price_cents": 100000}),
    ("just tell me when the airpods are under $200", Act.WATCH_NOTIFY, ["prod_airpods_001"],
     {"max_price_cents": 20000, "notify_only": True}),
    ("watch the dyson under $500 until christmas", Act.WATCH_BUY, ["prod_vacuum_001"], {"watch_until": "2026-12-25"}),
    ("buy the lamp, need it by friday", Act.BUY_NOW, ["prod_lamp_001"], {"deliver_by": "2026-12-04"}),
    ("buy a PS5", Act.NOT_CARRIED, [], {}),
    ("sony WH-1000XM5 please", Act.BUY_NOW, ["prod_headphones_001"], {}),
])
def test_understood(text, act, products, slots):
    u = U(text)
    assert (u.act, u.products) == (act, products)
    for key, value in slots.items():
        assert getattr(u.slots, key) == value


def test_mixed_script_digits_are_refused_not_read():
    u = U("buy a lamp under ١2٣ dollars")
    assert u.slots.max_price_cents is None and u.slots.problems


def test_quantity_over_the_limit_is_said_not_cut():
    u = U("buy 99 lamps")
    assert u.slots.quantity == 99 and any("10" in p for p in u.slots.problems)


def test_modifiers_the_catalog_does_not_know_are_asked_about():
    assert U("buy airpods pro 3rd gen").unknown == ["3rd", "gen"]


async def test_not_carried_is_never_substituted(rt, events, convo):
    out = await convo.send("buy an iphone pro")
    assert not events.named("cart_created") and "doesn't carry" in out.text


async def test_quantity_over_the_limit_asks(rt, events, convo):
    out = await convo.send("buy 99 desk lamps")
    assert not events.named("cart_created") and out.text.rstrip().endswith("?")


async def test_card_number_never_reaches_the_watch_label(rt, events, convo):
    out = await convo.send("Buy AirPods if they drop below $180 with 4111 1111 1111 1111")
    intent = events.one("intent_created")
    assert intent.product_query == "Apple AirPods Pro" and "4111" not in out.text


async def test_state_survives_a_restart(rt, events, convo):
    from ghostcart_tui.agents.conversation import Conversation

    await convo.send("show me kitchen stuff under 100")
    listed = conversations.read_state(rt, convo.session_id)["last_list"]
    again = Conversation(rt, model="offline", session_id=convo.session_id)
    await again.send("the second one")
    assert events.one("cart_created").product_ids == [listed[1]]


async def test_cancel_by_name_cancels_only_that_watch(rt, events, convo):
    for text in ("Buy AirPods if they drop below $180", "Buy the blender if it drops below $70"):
        out = await convo.send(text)
        await convo.answer_signature(out.pending_signature.mandate_id, True)
    out = await convo.send("stop watching the blender")
    cancelled = events.one("monitoring_cancelled").job_id
    live = [j.product_query for j in monitoring.list_jobs(rt, live_only=True)]
    assert live == ["Apple AirPods Pro"] and cancelled
    assert orders.counts(rt)["active_monitoring_jobs"] == 1


async def test_cancel_with_two_watches_and_no_name_asks(rt, events, convo):
    for text in ("Buy AirPods if they drop below $180", "Buy the blender if it drops below $70"):
        out = await convo.send(text)
        await convo.answer_signature(out.pending_signature.mandate_id, True)
    await convo.send("what have I ordered?")
    out = await convo.send("cancel my watch")
    assert not events.named("monitoring_cancelled") and out.text.rstrip().endswith("?")


async def test_over_budget_in_words_is_not_carted(rt, events, convo):
    out = await convo.send("buy the sony headphones for under three hundred")
    assert not events.named("cart_created") and "budget" in out.text
