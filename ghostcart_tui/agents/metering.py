"""Per-turn counts (model invocations, tool calls, tokens) and live text, taken from Strands'
public hooks and stream callback. One set of hooks works for the offline model and Bedrock alike.

`meter_agents` attaches an AgentMeter to each agent of the graph: BeforeModelCallEvent counts a
model invocation, AfterModelCallEvent counts the tool uses the model asked for and publishes
AgentMessage when the model's answer is complete, AfterInvocationEvent adds the tokens the
invocation used (EventLoopMetrics), and the agent's callback_handler publishes AgentTextDelta
while the model streams, so the TUI shows text as it arrives.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from strands import Agent
from strands.hooks import AfterInvocationEvent, AfterModelCallEvent, BeforeModelCallEvent, HookProvider, HookRegistry

from ..core.events import AgentMessage, AgentTextDelta, EventBus

log = logging.getLogger(__name__)

# Stop reasons after which the model's text is said to the shopper (text before a tool call too).
_SPOKEN = ("end_turn", "tool_use")


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


class AgentMeter(HookProvider):
    """Counts one agent's model calls, tool requests and tokens into a Meter and publishes its text."""

    def __init__(self, owner: Agent, meter: Meter, bus: EventBus) -> None:
        self.owner, self.agent, self.meter, self.bus = owner, owner.name, meter, bus
        self._tokens_seen = (0, 0)  # the agent's accumulated usage when last counted

    def register_hooks(self, registry: HookRegistry, **kwargs: Any) -> None:
        registry.add_callback(BeforeModelCallEvent, self.before_model)
        registry.add_callback(AfterModelCallEvent, self.after_model)
        registry.add_callback(AfterInvocationEvent, self.after_invocation)

    def before_model(self, event: BeforeModelCallEvent) -> None:
        self.meter.invoked(self.agent)

    def after_model(self, event: AfterModelCallEvent) -> None:
        if event.stop_response is None:  # the call failed; the error is reported by the turn
            return
        content = event.stop_response.message.get("content", [])
        for block in content:
            if "toolUse" in block:
                self.meter.tool(block["toolUse"].get("name", "?"))
        text = "".join(block.get("text", "") for block in content).strip()
        if text and event.stop_response.stop_reason in _SPOKEN:
            self.bus.publish(AgentMessage(agent=self.agent, text=text))

    def after_invocation(self, event: AfterInvocationEvent) -> None:
        usage = event.agent.event_loop_metrics.accumulated_usage
        now = (int(usage.get("inputTokens", 0)), int(usage.get("outputTokens", 0)))
        self.meter.usage(now[0] - self._tokens_seen[0], now[1] - self._tokens_seen[1])
        self._tokens_seen = now

    def on_stream(self, **event: Any) -> None:
        """The agent's callback_handler: Strands calls it with each stream event's fields. A
        specialist run as a delegating tool streams through its supervisor's handler too, with
        `agent` set to the specialist: that text is the specialist's handler's to publish."""
        piece = event.get("data")
        if isinstance(piece, str) and piece and event.get("agent", self.owner) is self.owner:
            self.bus.publish(AgentTextDelta(agent=self.agent, text=piece))


def meter_agents(meter: Meter, bus: EventBus, *agents: Agent) -> None:
    """Meter each agent under its name (replaces the callback_handler, which must have been None)."""
    for agent in agents:
        hooks = AgentMeter(agent, meter, bus)
        agent.hooks.add_hook(hooks)
        agent.callback_handler = hooks.on_stream
