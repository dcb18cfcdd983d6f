"""The one module that knows how Strands keeps an agent's interrupts.

Strands 1.62 has public APIs for raising an interrupt (`ToolContext.interrupt`), for seeing the
interrupts of a run (`AgentResult.interrupts`) and for answering them (`interruptResponse`), but
none to ask a *restored* agent "which interrupts are you waiting on?" (after a restart the
AgentResult is gone) or to give up a wait that can no longer be answered. The public
`Agent.take_snapshot` / `Agent.load_snapshot` carry the interrupt state, but its payload
(`snapshot.data["interrupt_state"]`) is the SDK's session serialization, not a documented type.
This module reads and writes that payload and nothing else does; tests/agents/test_strands_adapter.py
pins its shape, so a Strands upgrade that changes it fails there, loudly, rather than leaving a
signature unanswerable.

No `_`-prefixed attribute of Strands is used here (tests/test_private_apis.py checks the package).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from strands import Agent, Snapshot

_FIELD: Literal["interrupt_state"] = "interrupt_state"


class StrandsChanged(RuntimeError):
    """The interrupt payload of an agent snapshot no longer has the shape this module reads."""


@dataclass(frozen=True)
class PausedCall:
    """One interrupt an agent holds: its id (opaque, passed back in an interruptResponse), its name,
    the reason the tool gave, and the answer if one was given (None while it waits)."""

    id: str
    name: str
    reason: Any
    response: Any

    def reason_has(self, **fields: Any) -> bool:
        """True when the reason is a dict holding every field with the given value."""
        return isinstance(self.reason, dict) and all(self.reason.get(k) == v for k, v in fields.items())


@dataclass(frozen=True)
class InterruptState:
    waiting: bool  # the agent is paused: its next invocation must be a list of interruptResponses
    calls: tuple[PausedCall, ...]

    def find(self, name: str, *, answered: bool, **reason: Any) -> PausedCall | None:
        """The first interrupt called `name` whose reason holds `reason`, answered or not."""
        return next((c for c in self.calls if c.name == name and (c.response is not None) == answered
                     and c.reason_has(**reason)), None)


def interrupt_state(agent: Agent) -> InterruptState:
    """What the agent's interrupts are now (restored from the session after a restart)."""
    data = agent.take_snapshot(include=[_FIELD]).data.get(_FIELD)
    if not (isinstance(data, dict) and isinstance(data.get("activated"), bool)
            and isinstance(data.get("interrupts"), dict)):
        raise StrandsChanged(f"unexpected interrupt state in a Strands agent snapshot: {data!r:.200}")
    return InterruptState(data["activated"], tuple(_calls(data["interrupts"])))


def _calls(interrupts: dict[str, Any]) -> Iterator[PausedCall]:
    for key, item in interrupts.items():
        if not (isinstance(item, dict) and item.get("id") == key and isinstance(item.get("name"), str)
                and {"reason", "response"} <= item.keys()):
            raise StrandsChanged(f"unexpected interrupt {key!r} in a Strands agent snapshot: {item!r:.200}")
        yield PausedCall(key, item["name"], item["reason"], item["response"])


def stop_waiting(agent: Agent) -> None:
    """Drop every interrupt the agent waits on, so its next invocation is a fresh prompt (what
    the SDK does itself when an interrupted tool cycle ends)."""
    current = agent.take_snapshot(include=[_FIELD])
    cleared = {"interrupts": {}, "context": {}, "activated": False}
    agent.load_snapshot(Snapshot(scope="agent", schema_version=current.schema_version, data={_FIELD: cleared},
                                 app_data={}))
    if interrupt_state(agent).waiting:
        raise StrandsChanged("loading a cleared interrupt state left the agent waiting")
