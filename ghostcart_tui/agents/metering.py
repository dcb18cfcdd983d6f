"""Per-turn counts (model invocations, tool calls, tokens) and live text, taken where they
happen: in the model's stream. One wrapper works for the offline model and Bedrock alike.

MeteredModel also publishes AgentTextDelta while a model streams and AgentMessage when an
agent's final answer is complete, so the TUI shows text as it arrives.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from strands.models import Model

from ..core.events import AgentMessage, AgentTextDelta, EventBus

log = logging.getLogger(__name__)


@dataclass
class Meter:
    model_invocations: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    tools: list[str] = field(default_factory=list)
    by_agent: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reset(self) -> None:
        with self._lock:
            self.model_invocations = self.tool_calls = self.input_tokens = self.output_tokens = 0
            self.tools, self.by_agent = [], {}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"model_invocations": self.model_invocations, "tool_calls": self.tool_calls,
                    "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                    "tools": list(self.tools), "by_agent": dict(self.by_agent)}

    def invoked(self, agent: str) -> None:
        with self._lock:
            self.model_invocations += 1
            self.by_agent[agent] = self.by_agent.get(agent, 0) + 1

    def tool(self, name: str) -> None:
        with self._lock:
            self.tool_calls += 1
            self.tools.append(name)

    def usage(self, inp: int, out: int) -> None:
        with self._lock:
            self.input_tokens += inp
            self.output_tokens += out


class MeteredModel(Model):
    """Delegates to `inner`, counting and publishing on the way through."""

    def __init__(self, inner: Model, agent: str, meter: Meter, bus: EventBus) -> None:
        self.inner, self.agent, self.meter, self.bus = inner, agent, meter, bus
        self._supports_structured_output = getattr(inner, "_supports_structured_output", False)

    def __getattr__(self, name: str) -> Any:  # config, region… of the wrapped provider
        if name == "inner":  # not set yet (copy/pickle): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    @property
    def stateful(self) -> bool:
        return self.inner.stateful

    def update_config(self, **model_config: Any) -> None:
        self.inner.update_config(**model_config)

    def get_config(self) -> Any:
        return self.inner.get_config()

    def structured_output(self, output_model, prompt, system_prompt=None, **kwargs):
        return self.inner.structured_output(output_model, prompt, system_prompt=system_prompt, **kwargs)

    async def stream(self, messages, tool_specs=None, system_prompt=None, **kwargs) -> AsyncGenerator[Any, None]:
        self.meter.invoked(self.agent)
        text: list[str] = []
        stop = None
        async for event in self.inner.stream(messages, tool_specs, system_prompt, **kwargs):
            if "contentBlockStart" in event:
                use = event["contentBlockStart"].get("start", {}).get("toolUse")
                if use:
                    self.meter.tool(use.get("name", "?"))
            elif "contentBlockDelta" in event:
                piece = event["contentBlockDelta"].get("delta", {}).get("text")
                if piece:
                    text.append(piece)
                    self.bus.publish(AgentTextDelta(agent=self.agent, text=piece))
            elif "messageStop" in event:
                stop = event["messageStop"].get("stopReason")
            elif "metadata" in event:
                u = event["metadata"].get("usage", {})
                self.meter.usage(int(u.get("inputTokens", 0)), int(u.get("outputTokens", 0)))
            yield event
        final = "".join(text).strip()
        if final and stop in ("end_turn", "tool_use"):  # text before a tool call is said to the shopper too
            self.bus.publish(AgentMessage(agent=self.agent, text=final))
