"""Human-not-present setup, questions and routing, end to end."""

from __future__ import annotations

from ghostcart_tui.services import monitoring, orders


async def test_conditional_purchase_sets_up_an_active_job(rt, events, convo):
    out = await convo.send("Buy AirPods if they drop below $180, delivered within 2 days")
    intent = events.one("intent_created")
    assert (intent.max_price_cents, intent.max_delivery_days) == (18000, 2)
    sig = events.one("signature_requested")
    assert sig.mandate_type == "intent" and sig.mandate_id == intent.mandate_id
    assert "automatically" in out.text and "without further confirmation" in out.text
    assert out.pending_signature.autonomous

    out = await convo.answer_signature(sig.mandate_id, True)
    activated = events.one("monitoring_activated")
    jobs = monitoring.list_jobs(rt)
    assert [(j.job_id, j.status, j.max_price_cents) for j in jobs] == [(activated.job_id, "active", 18000)]
    assert orders.counts(rt)["active_monitoring_jobs"] == 1
    assert activated.job_id in out.text
    assert not events.named("transaction")


async def test_intent_names_the_single_matching_sku(rt, events, convo):
    await convo.send("Buy AirPods if they drop below $180")
    from ghostcart_tui.services import signatures

    view = signatures.pending(rt)[0]
    assert view.mandate_type == "intent" and view.max_price_cents == 18000
    m = orders.get_mandate(rt, view.mandate_id)
    assert m.data["intent"]["skus"] == ["prod_airpods_001"]


async def test_missing_price_is_asked_not_guessed(rt, events, convo):
    out = await convo.send("Buy AirPods when they get cheaper")
    assert out.text.rstrip().endswith("?")
    assert not events.named("intent_created") and out.pending_signature is None

    out = await convo.send("$175")
    assert events.one("intent_created").max_price_cents == 17500
    assert out.pending_signature is not None


async def test_ambiguous_request_asks_a_clarifying_question(rt, events, convo):
    out = await convo.send("I might want airpods")
    q = events.one("clarification_requested")
    assert q.text == out.text and out.text.endswith("?")
    assert not events.named("product_results") and not events.named("cart_created")
    assert out.metrics["model_invocations"] == 1


async def test_declined_intent_watches_nothing(rt, events, convo):
    await convo.send("Buy a blender if it drops below $80")
    sig = events.one("signature_requested")
    out = await convo.answer_signature(sig.mandate_id, False)
    assert events.one("signature_declined")
    assert monitoring.list_jobs(rt) == []
    assert "nothing will be bought" in out.text


async def test_cancel_the_watch_from_the_chat(rt, events, convo):
    out = await convo.send("Buy AirPods if they drop below $180")
    await convo.answer_signature(out.pending_signature.mandate_id, True)
    job = events.one("monitoring_activated").job_id
    out = await convo.send("cancel that")
    assert events.one("monitoring_cancelled").job_id == job
    assert orders.counts(rt)["active_monitoring_jobs"] == 0
    assert "stopped watching" in out.text
