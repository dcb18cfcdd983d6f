"""The offline model speaks the Strands stream protocol and decides from messages + tool specs."""

from __future__ import annotations

import json

from ghostcart_tui.agents import prompts
from ghostcart_tui.agents.offline.model import OfflineModel, which_agent

SUPERVISOR_TOOLS = [{"name": "shopping_agent"}, {"name": "delegate_agent"}]


async def _events(messages, system, specs):
    return [e async for e in OfflineModel().stream(messages, specs, system)]


async def test_text_is_streamed_in_several_deltas_with_usage():
    ev = await _events([{"role": "user", "content": [{"text": "hello there"}]}], prompts.SUPERVISOR,
                       SUPERVISOR_TOOLS)
    deltas = [e["contentBlockDelta"]["delta"]["text"] for e in ev if "contentBlockDelta" in e]
    assert len(deltas) > 1 and "".join(deltas).endswith("?")
    assert ev[0] == {"messageStart": {"role": "assistant"}}
    assert next(e for e in ev if "messageStop" in e)["messageStop"]["stopReason"] == "end_turn"
    usage = ev[-1]["metadata"]["usage"]
    assert usage["inputTokens"] > 100 and usage["outputTokens"] > 0


async def test_routes_with_tool_use_blocks():
    ev = await _events([{"role": "user", "content": [{"text": "Buy AirPods if they drop below $180"}]}],
                       prompts.SUPERVISOR, SUPERVISOR_TOOLS)
    start = next(e for e in ev if "contentBlockStart" in e)["contentBlockStart"]["start"]["toolUse"]
    assert start["name"] == "delegate_agent"
    payload = next(e for e in ev if "contentBlockDelta" in e)["contentBlockDelta"]["delta"]["toolUse"]["input"]
    assert json.loads(payload)["input"].startswith("Buy Apple AirPods Pro (ids prod_airpods_001)")
    assert next(e for e in ev if "messageStop" in e)["messageStop"]["stopReason"] == "tool_use"


async def test_payment_agent_batches_its_ordered_tools():
    specs = [{"name": n} for n in ("validate_hp_chain", "validate_hnp_chain", "retrieve_payment_credentials",
                                   "process_payment_authorization")]
    ev = await _events([{"role": "user", "content": [{"text": "Process payment mandate payment_abc (HP)."}]}],
                       prompts.PAYMENT, specs)
    names = [e["contentBlockStart"]["start"]["toolUse"]["name"] for e in ev
             if "contentBlockStart" in e and "toolUse" in e["contentBlockStart"]["start"]]
    assert names == ["validate_hp_chain", "retrieve_payment_credentials", "process_payment_authorization"]


def test_agent_is_identified_by_marker_or_tools():
    assert which_agent(prompts.DELEGATE, []) == "delegate"
    assert which_agent("", [{"name": "create_shopping_cart"}]) == "shopping"
    assert which_agent(None, [{"name": "process_payment_authorization"}]) == "payment"


async def test_varied_phrasings_reach_the_same_specialist():
    for text in ("order me a blender", "I need a desk lamp, please", "get me some sneakers under $200",
                 "could you grab a backpack for me"):
        ev = await _events([{"role": "user", "content": [{"text": text}]}], prompts.SUPERVISOR, SUPERVISOR_TOOLS)
        tool = [e["contentBlockStart"]["start"]["toolUse"]["name"] for e in ev
                if "contentBlockStart" in e and "toolUse" in e["contentBlockStart"]["start"]]
        assert tool == ["shopping_agent"], text
