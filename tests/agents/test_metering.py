"""agents/metering.py: counts and live text come from Strands' public hooks and stream callback."""

from __future__ import annotations

from typing import Any


async def test_a_delegated_answer_streams_once_under_the_specialist(rt: Any, events: Any, convo: Any) -> None:
    out = await convo.send("Find me a coffee maker under $90")
    deltas = events.named("agent_text_delta")
    messages = events.named("agent_message")
    assert {d.agent for d in deltas} == {"shopping"}  # the supervisor's handler does not repeat it
    assert [m.agent for m in messages] == ["shopping"]
    assert "".join(d.text for d in deltas).strip() == messages[0].text == out.text


async def test_counts_per_turn(rt: Any, events: Any, convo: Any) -> None:
    out = await convo.send("Buy a coffee maker under $90")
    m = out.metrics
    assert sum(m["by_agent"].values()) == m["model_invocations"] and "supervisor" in m["by_agent"]
    assert m["tools"][0] == "shopping_agent" and "request_user_cart_signature" in m["tools"]
    assert m["tool_calls"] == len(m["tools"])
    assert m["input_tokens"] > 0 and m["output_tokens"] > 0
    done = await convo.answer_signature(out.pending_signature.mandate_id, True)
    assert done.metrics["by_agent"].get("payment") == 1
    assert done.metrics["input_tokens"] > 0  # tokens of this turn only: the meter is reset per turn
    assert events.named("turn_metrics")[-1].input_tokens == done.metrics["input_tokens"]
