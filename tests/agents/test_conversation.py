"""Conversation plumbing: restarts, budgets, metrics, chat log, cancel, start-up cost."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from ghostcart_tui.agents.conversation import Conversation
from ghostcart_tui.services import monitoring

from .conftest import Recorder, make_runtime


async def test_pending_signature_survives_a_restart(tmp_path):
    rt = make_runtime(tmp_path)
    first = Conversation(rt, model="offline")
    await first.send("Buy a coffee maker under $90")
    pending = first.pending_signature()
    assert pending is not None and pending.total_cents == 8452
    session = first.session_id
    rt.close()

    rt2 = make_runtime(tmp_path)  # a new process: new runtime, new agents, same database
    events = Recorder(rt2.bus)
    again = Conversation(rt2, model="offline")
    assert again.session_id == session
    assert again.pending_signature().mandate_id == pending.mandate_id
    assert [e.role for e in again.history()][:1] == ["user"]
    out = await again.answer_signature(pending.mandate_id, True)
    tx = events.one("transaction")
    assert (tx.status, tx.amount_cents) == ("authorized", 8452)
    assert "could not be restored" not in out.text  # resumed through the Strands interrupt
    assert out.metrics["by_agent"].get("payment") == 1  # tools in one message; the outcome ends its loop
    rt2.close()


async def test_restart_of_an_intent_resumes_into_monitoring(tmp_path):
    rt = make_runtime(tmp_path)
    await Conversation(rt, model="offline").send("Buy AirPods if they drop below $180")
    rt.close()
    rt2 = make_runtime(tmp_path)
    c = Conversation(rt2, model="offline")
    await c.answer_signature(c.pending_signature().mandate_id, True)
    assert [j.status for j in monitoring.list_jobs(rt2)] == ["active"]
    rt2.close()


async def test_answer_without_a_restorable_turn_finishes_through_services(rt, events, convo):
    await convo.send("Buy a coffee maker")
    mid = convo.pending_signature().mandate_id
    convo.new_conversation()  # the paused turn belongs to the old conversation
    out = await convo.answer_signature(mid, True)
    assert events.one("transaction").status == "authorized"
    assert "could not be restored" in out.text


async def test_yes_in_the_chat_leaves_the_pending_signature_alone(rt, events, convo):
    # CONTRACT 3 (tui): a chat message is never a signature; only answer_signature answers it.
    await convo.send("Buy a coffee maker")
    mid = convo.pending_signature().mandate_id
    out = await convo.send("yes")
    assert events.named("transaction") == []
    assert out.pending_signature is not None and out.pending_signature.mandate_id == mid
    assert "still waiting" in out.text


@pytest.mark.parametrize("script, budget", [
    (["Find me a coffee maker under $90", "Buy it"], 8),
    (["Buy a coffee maker under $90"], 6),
])
async def test_hp_purchase_model_invocations(rt, events, convo, script, budget):
    total = 0
    for text in script:
        total += (await convo.send(text)).metrics["model_invocations"]  # every turn, search included
    out = await convo.answer_signature(convo.pending_signature().mandate_id, True)
    total += out.metrics["model_invocations"]
    assert events.one("transaction").status == "authorized"
    assert total <= budget
    metrics = events.named("turn_metrics")
    assert metrics[-1].model_invocations == out.metrics["model_invocations"]
    assert metrics[-1].input_tokens > 0 and metrics[-1].output_tokens > 0
    assert "process_payment_authorization" in metrics[-1].tools


async def test_hnp_setup_model_invocations(rt, convo):
    out = await convo.send("Buy AirPods if they drop below $180, delivered within 2 days")
    done = await convo.answer_signature(out.pending_signature.mandate_id, True)
    assert out.metrics["model_invocations"] + done.metrics["model_invocations"] <= 6


async def test_chat_log_is_kept(rt, convo):
    await convo.send("Find me a coffee maker under $90")
    log = convo.history()
    assert [e.role for e in log] == ["user", "assistant"]
    assert log[1].agent == "shopping" and "Coffee Maker" in log[1].text


async def test_cancel_leaves_the_agent_usable(rt, events, convo):
    from ghostcart_tui.agents.offline import model as offline

    gate = asyncio.Event()
    real = offline.OfflineModel.stream

    async def slow(self, *a, **kw):
        await gate.wait()
        async for e in real(self, *a, **kw):
            yield e

    offline.OfflineModel.stream = slow
    try:
        task = asyncio.create_task(convo.send("Find me a coffee maker"))
        await asyncio.sleep(0.05)
        convo.cancel()
        gate.set()
        out = await asyncio.wait_for(task, 10)
        assert out.text == "Cancelled."
    finally:
        offline.OfflineModel.stream = real
    out = await convo.send("Find me a coffee maker under $90")
    assert "prod_coffee_001" in out.text


def test_importing_the_conversation_does_not_import_strands():
    code = "import sys, ghostcart_tui.agents.conversation; print('strands' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def test_provider_choice(tmp_path, monkeypatch):
    from ghostcart_tui.agents import provider
    from ghostcart_tui.core.settings import Settings

    s = Settings(data_home=tmp_path, model_provider="auto")
    monkeypatch.setattr(provider, "aws_credentials_available", lambda: False)
    c = provider.choose(s)
    assert (c.provider, c.label) == ("offline", provider.OFFLINE_LABEL) and "no AWS credentials" in c.reason
    monkeypatch.setattr(provider, "aws_credentials_available", lambda: True)
    assert provider.choose(s).provider == "bedrock"
    assert provider.choose(s, "offline").provider == "offline"
