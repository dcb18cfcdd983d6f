"""OfflineModel: a deterministic, rule-based strands Model.

It drives the same agents, prompts and tools as Bedrock through the real Strands event loop: it
reads the messages and tool specs it is given, decides with the offline NLU and the policies in
this package, and streams the answer as Bedrock would (text in several deltas, toolUse blocks,
stopReason tool_use / end_turn, usage metadata with ~len/4 token estimates).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from strands.models import Model

from .. import tool_names as tn
from . import policy_delegate, policy_shopping, policy_supervisor
from .reply import Reply
from .transcript import read
from .world import World

_MARKER = re.compile(r"\[ghostcart:(\w+)\]")
_BY_TOOL = ((tn.SHOPPING_AGENT, "supervisor"), (tn.DELEGATE_AGENT, "supervisor"),
            (tn.CREATE_HNP_INTENT, "delegate"), (tn.CREATE_SHOPPING_CART, "shopping"),
            (tn.PROCESS_PAYMENT_AUTHORIZATION, "payment"))


def which_agent(system_prompt: str | None, tool_specs: list[dict] | None) -> str:
    m = _MARKER.search(system_prompt or "")
    if m:
        return m.group(1)
    names = {s.get("name") for s in tool_specs or []}
    return next((agent for tool, agent in _BY_TOOL if tool in names), "supervisor")


def decide(messages: list[dict], system_prompt: str | None, tool_specs: list[dict] | None,
           world: World | None = None) -> Reply:
    """The offline policy as a function of the messages, the tool specs and the world (the catalog,
    the clock and the conversation state; FakeBedrock tests reuse it without a world)."""
    agent = which_agent(system_prompt, tool_specs)
    t = read(messages)
    tools = {s.get("name") for s in tool_specs or []}
    if agent == "supervisor":
        reply = policy_supervisor.decide(t, world)
    elif agent == "delegate":
        reply = policy_delegate.decide(t, world)
    elif agent == "payment":
        reply = policy_shopping.decide_payment(t)
    else:
        reply = policy_shopping.decide(t, world)
    # Never call a tool the agent does not have (a prompt/tool mismatch must not crash the loop).
    unknown = [name for name, _ in reply.calls if tools and name not in tools]
    if unknown:
        return Reply(f"I can't do that here (missing tool {unknown[0]}).")
    if not reply.calls and not (reply.text or "").strip():  # a turn never ends without words
        return Reply(EMPTY_FALLBACK)
    return reply


EMPTY_FALLBACK = "Sorry, I don't have an answer for that. What would you like me to find, buy or watch?"


def _tokens(chars: int) -> int:
    return max(1, chars // 4)  # ~4 characters per token


def _chunks(text: str, size: int = 24) -> list[str]:
    """Several deltas, split on word boundaries, like a streaming model."""
    words = re.findall(r"\S+\s*", text) or [text]
    out, cur = [], ""
    for w in words:
        cur += w
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


class OfflineModel(Model):
    def __init__(self, **config: Any) -> None:
        self.config = {"model_id": "ghostcart-offline", **config}
        self.world: World | None = None

    def attach(self, world: World) -> None:
        """Give the model the conversation's world (catalog, clock, state); graph.py calls it."""
        self.world = world

    def update_config(self, **model_config: Any) -> None:
        self.config.update(model_config)

    def get_config(self) -> Any:
        return self.config

    async def structured_output(self, output_model, prompt, system_prompt=None, **kwargs):
        raise NotImplementedError("the offline model does not produce structured output")
        yield  # pragma: no cover  (makes this an async generator)

    async def stream(self, messages, tool_specs=None, system_prompt=None,  # type: ignore[override]
                     **kwargs) -> AsyncGenerator[dict, None]:
        reply = decide(messages, system_prompt, tool_specs, self.world)
        yield {"messageStart": {"role": "assistant"}}
        out_chars = 0
        if reply.text:
            yield {"contentBlockStart": {"start": {}}}
            for piece in _chunks(reply.text):
                yield {"contentBlockDelta": {"delta": {"text": piece}}}
            yield {"contentBlockStop": {}}
            out_chars += len(reply.text)
        for name, args in reply.calls:
            payload = json.dumps(args, separators=(",", ":"))
            yield {"contentBlockStart": {"start": {"toolUse": {"toolUseId": f"tooluse_{uuid.uuid4().hex[:16]}",
                                                               "name": name}}}}
            yield {"contentBlockDelta": {"delta": {"toolUse": {"input": payload}}}}
            yield {"contentBlockStop": {}}
            out_chars += len(payload) + len(name)
        yield {"messageStop": {"stopReason": "tool_use" if reply.calls else "end_turn"}}
        in_chars = len(json.dumps(messages, default=str)) + len(system_prompt or "")
        in_chars += len(json.dumps(tool_specs or [], default=str))
        inp, out = _tokens(in_chars), _tokens(out_chars)
        yield {"metadata": {"usage": {"inputTokens": inp, "outputTokens": out, "totalTokens": inp + out},
                            "metrics": {"latencyMs": 0}}}
