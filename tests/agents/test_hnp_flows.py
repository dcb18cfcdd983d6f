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


async def test_tell_me_when_creates_a_notify_only_watch(rt, events, convo):
    """notify_only is supported by services.intents: "let me know" signs an intent that needs the
    shopper's cart confirmation, and nothing is bought by itself."""
    out = await convo.send("don't buy it, just let me know when the airpods are under $200")
    intent = events.one("intent_created")
    m = orders.get_mandate(rt, intent.mandate_id)
    assert m.data["intent"]["user_cart_confirmation_required"] is True
    assert m.data["intent"]["skus"] == ["prod_airpods_001"]
    assert not out.pending_signature.autonomous
    await convo.answer_signature(out.pending_signature.mandate_id, True)
    assert [j.max_price_cents for j in monitoring.list_jobs(rt)] == [20000]
    assert not events.named("transaction")


async def test_questions_and_returns_never_spend(rt, events, convo):
    for text in ("when will the samsung tab be back in stock?", "i want to return the sony headphones",
                 "will the airpods get cheaper?"):
        out = await convo.send(text)
        assert out.text.strip()
        assert out.pending_signature is None, text
    assert not events.named("intent_created") and not events.named("cart_created")


def test_the_offline_model_never_ends_a_turn_without_words():
    from ghostcart_tui.agents.offline import model
    from ghostcart_tui.agents.offline.reply import Reply

    original = model.policy_supervisor.decide
    try:
        model.policy_supervisor.decide = lambda t, w=None: Reply("")  # type: ignore[assignment]
        reply = model.decide([{"role": "user", "content": [{"text": "hi"}]}], "[ghostcart:supervisor]", [])
    finally:
        model.policy_supervisor.decide = original  # type: ignore[assignment]
    assert reply.text == model.EMPTY_FALLBACK
