"""agents/strands_adapter.py against the real Strands: if an upgrade changes how an agent's
interrupts are kept (the snapshot payload the adapter reads), these tests fail here, loudly,
instead of a restarted GhostCart silently losing the shopper's pending signature."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from strands import Agent, Snapshot, tool
from strands.models import Model
from strands.session.file_session_manager import FileSessionManager
from strands.types.interrupt import InterruptResponseContent
from strands.types.tools import ToolContext

from ghostcart_tui.agents import strands_adapter
from ghostcart_tui.agents.strands_adapter import StrandsChanged, interrupt_state, stop_waiting

REASON = {"mandate_id": "cart_1", "mandate_type": "cart"}


class OneToolModel(Model):
    """Asks for the `ask` tool on the first call of a turn, then answers with plain text."""

    def update_config(self, **model_config: Any) -> None:
        pass

    def get_config(self) -> Any:
        return {}

    async def structured_output(self, output_model, prompt, system_prompt=None, **kwargs):
        raise NotImplementedError
        yield

    async def stream(self, messages, tool_specs=None, system_prompt=None, **kwargs) -> AsyncGenerator[Any, None]:
        last = messages[-1]["content"]
        yield {"messageStart": {"role": "assistant"}}
        if any("toolResult" in block for block in last):
            yield {"contentBlockStart": {"start": {}}}
            yield {"contentBlockDelta": {"delta": {"text": "done"}}}
            yield {"contentBlockStop": {}}
            yield {"messageStop": {"stopReason": "end_turn"}}
            return
        yield {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "tooluse_1", "name": "ask"}}}}
        yield {"contentBlockDelta": {"delta": {"toolUse": {"input": json.dumps({})}}}}
        yield {"contentBlockStop": {}}
        yield {"messageStop": {"stopReason": "tool_use"}}


seen_while_answered: list[strands_adapter.InterruptState] = []


@tool(context=True)
def ask(tool_context: ToolContext) -> str:
    """Ask the human."""
    seen_while_answered.append(interrupt_state(tool_context.agent))
    answer = tool_context.interrupt("question", reason=REASON)
    return f"answer: {answer}"


def make_agent(session_dir: Any = None) -> Agent:
    manager = FileSessionManager(session_id="s1", storage_dir=str(session_dir)) if session_dir else None
    return Agent(model=OneToolModel(), tools=[ask], callback_handler=None, session_manager=manager)


def respond(interrupt_id: str, answer: Any) -> list[InterruptResponseContent]:
    return [{"interruptResponse": {"interruptId": interrupt_id, "response": answer}}]


def interrupt_ids(result: Any) -> list[str]:
    assert result.stop_reason == "interrupt" and result.interrupts is not None
    return [i.id for i in result.interrupts]


@pytest.fixture(autouse=True)
def _clear_seen() -> None:
    seen_while_answered.clear()


async def test_a_paused_call_is_seen_with_its_reason() -> None:
    agent = make_agent()
    result = await agent.invoke_async("go")
    assert result.stop_reason == "interrupt"
    state = interrupt_state(agent)
    assert state.waiting
    paused = state.find("question", answered=False, mandate_id="cart_1")
    assert paused is not None and paused.reason == REASON and paused.response is None
    assert interrupt_ids(result) == [paused.id]  # the id an interruptResponse needs
    assert state.find("question", answered=False, mandate_id="other") is None
    assert state.find("question", answered=True) is None


async def test_the_resumed_tool_sees_its_answer() -> None:
    agent = make_agent()
    result = await agent.invoke_async("go")
    done = await agent.invoke_async(respond(interrupt_ids(result)[0], "yes"))
    assert str(done).strip() == "done"
    rerun = seen_while_answered[-1]  # what the tool saw when Strands re-ran it on resume
    answered = rerun.find("question", answered=True, mandate_id="cart_1")
    assert answered is not None and answered.response == "yes"
    assert not interrupt_state(agent).waiting


async def test_a_pause_survives_a_restart(tmp_path: Any) -> None:
    first = make_agent(tmp_path)
    result = await first.invoke_async("go")
    restored = make_agent(tmp_path)  # a new process: the session manager restores the state
    state = interrupt_state(restored)
    assert state.waiting
    paused = state.find("question", answered=False, mandate_id="cart_1")
    assert paused is not None and [paused.id] == interrupt_ids(result)
    assert str(await restored.invoke_async(respond(paused.id, "no"))).strip() == "done"


async def test_stop_waiting_lets_the_agent_take_a_new_prompt() -> None:
    agent = make_agent()
    await agent.invoke_async("go")
    with pytest.raises(TypeError):  # what stop_waiting exists to avoid: a paused agent takes no text
        await agent.invoke_async("something else")
    stop_waiting(agent)
    state = interrupt_state(agent)
    assert not state.waiting and state.calls == ()
    assert (await agent.invoke_async("go again")).stop_reason == "interrupt"  # a fresh turn, fresh pause


async def test_the_snapshot_payload_has_the_shape_the_adapter_reads() -> None:
    """The adapter's one assumption, spelled out: if this fails, Strands changed the interrupt
    payload of Agent.take_snapshot; update agents/strands_adapter.py (and this test) together."""
    agent = make_agent()
    await agent.invoke_async("go")
    data = agent.take_snapshot(include=["interrupt_state"]).data["interrupt_state"]
    assert data["activated"] is True
    (key, item), = data["interrupts"].items()
    assert item == {"id": key, "name": "question", "reason": REASON, "response": None}


def test_an_unexpected_payload_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    agent = make_agent()
    odd = Snapshot(scope="agent", schema_version="1.0", data={"interrupt_state": {"paused": True}}, app_data={})
    monkeypatch.setattr(agent, "take_snapshot", lambda **kwargs: odd)
    with pytest.raises(StrandsChanged):
        interrupt_state(agent)
