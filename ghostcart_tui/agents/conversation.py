"""Conversation: the one object the TUI and the replay runner talk to.

A turn runs the supervisor graph until it answers or a signature is pending (a Strands interrupt
raised by request_user_*_signature). answer_signature() resumes the graph with the shopper's
answer; if the paused turn cannot be restored (a restart that lost it, a new conversation), the
flow is finished through services directly and the answer says so.

Importing this module is cheap: strands is imported on first use.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from ..core.events import AgentMessage, ClarificationRequested, ErrorOccurred, Event, TurnMetrics
from ..services import conversations as conv
from ..services import signatures
from ..services.conversations import ChatEntry
from ..services.runtime import Runtime
from ..services.views import SignatureView
from . import provider as providers

if TYPE_CHECKING:
    from .graph import AgentGraph
    from .strands_adapter import PausedCall

log = logging.getLogger(__name__)

__all__ = ["ChatEntry", "Conversation", "TurnOutcome"]


@dataclass
class TurnOutcome:
    text: str
    pending_signature: SignatureView | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


class Conversation:
    def __init__(self, rt: Runtime, *, model: str | None = None, session_id: str | None = None) -> None:
        self.rt = rt
        choice = providers.choose(rt.settings, model)
        self._choice = choice
        self.provider, self.model_label, self.provider_reason = choice.provider, choice.label, choice.reason
        self.session_id = session_id or conv.latest_session(rt) or rt.ids.new("session")
        conv.ensure_session(rt, self.session_id)
        # One transaction per turn: chat lines, the supervisor's messages and state, the session's
        # activity are held while a turn runs and committed together when it ends.
        self._journal = conv.Journal(rt)
        self._graph: AgentGraph | None = None
        self._lock = asyncio.Lock()
        self._turn_messages: list[tuple[str, str]] = []
        self._clarified = False

    # ---- public API ------------------------------------------------------------------------------

    async def send(self, text: str) -> TurnOutcome:
        text = (text or "").strip()
        if not text:
            return TurnOutcome("Type what you'd like to buy or watch.")
        if self._lock.locked():
            raise UserError("GhostCart is still working on your last message (Esc cancels it).")
        with self._journal.deferred():
            pending = self.pending_signature()
            if pending is not None:
                # A chat message is never a signature: the pending one stays pending (only
                # answer_signature, the dialog, answers it) and the reply says it still waits.
                return self._remind(text, pending)
            return await self._turn(text)

    async def answer_signature(self, mandate_id: str, approve: bool) -> TurnOutcome:
        """The shopper's answer in the signature dialog: the only way a pending signature is answered."""
        if self._lock.locked():
            raise UserError("GhostCart is still working; answer the signature when it is done.")
        with self._journal.deferred():
            self._journal.chat(self.session_id, "user", "✓ signed" if approve else "✗ declined")
            graph = self._ensure_graph()
            interrupt = self._find_interrupt(graph, mandate_id)
            if interrupt is not None:
                response = [{"interruptResponse": {"interruptId": interrupt.id, "response": {"approved": approve}}}]
                return await self._run(response)
            return await self._answer_directly(mandate_id, approve)

    def _remind(self, text: str, pending: SignatureView) -> TurnOutcome:
        self._journal.chat(self.session_id, "user", text)
        reminder = _reminder(pending)
        self._journal.chat(self.session_id, "assistant", reminder, "supervisor")
        self.rt.bus.publish(AgentMessage(agent="supervisor", text=reminder))
        return TurnOutcome(reminder, pending, {"model_invocations": 0, "tool_calls": 0,
                                               "input_tokens": 0, "output_tokens": 0})

    def pending_signature(self) -> SignatureView | None:
        views = signatures.pending(self.rt)
        return views[-1] if views else None

    def cancel(self) -> None:
        if self._graph is not None and self._lock.locked():
            self._graph.supervisor.cancel()

    def new_conversation(self) -> None:
        self._journal.flush()
        self.session_id = self.rt.ids.new("session")
        conv.ensure_session(self.rt, self.session_id)
        self._graph = None

    def history(self) -> list[ChatEntry]:
        self._journal.flush()
        return conv.chat_log(self.rt, self.session_id)

    # ---- turns -----------------------------------------------------------------------------------

    def _ensure_graph(self) -> AgentGraph:
        if self._graph is None:
            from .graph import build_graph
            from .metering import Meter

            self._graph = build_graph(self.rt, self._choice, self.session_id, Meter(), self._journal)
        return self._graph

    async def _turn(self, text: str) -> TurnOutcome:
        self._journal.chat(self.session_id, "user", text)
        return await self._run(text)

    async def _run(self, prompt: Any) -> TurnOutcome:
        from strands.types.exceptions import ConcurrencyException

        graph = self._ensure_graph()
        graph.meter.reset()
        self._turn_messages, self._clarified = [], False
        unsubscribe = self.rt.bus.subscribe(self._on_event)
        async with self._lock:
            try:
                result = await graph.supervisor.invoke_async(prompt)
            except ConcurrencyException as exc:
                raise UserError("GhostCart is still working on your last message.") from exc
            except Exception as exc:  # a model/provider failure is shown, not raised into the UI
                log.exception("turn failed")
                return self._failed(exc)
            finally:
                unsubscribe()
        return self._finish(result)

    def _finish(self, result) -> TurnOutcome:
        graph = self._ensure_graph()  # the graph that just ran this result
        pending = self.pending_signature() if result.stop_reason == "interrupt" else None
        if result.stop_reason == "interrupt":
            text = "\n\n".join(t for _, t in self._turn_messages)
            if pending is not None and not text:
                text = _sign_prompt(pending)
        elif result.stop_reason == "cancelled":
            text = "Cancelled."
        else:
            text = str(result).strip()
            if not self._turn_messages or self._turn_messages[-1][1] != text:
                self._record("supervisor", text)  # a delegated answer that no model streamed here
            if graph.meter.by_agent.keys() <= {"supervisor"} and text.endswith("?") and not self._clarified:
                self.rt.bus.publish(ClarificationRequested(text=text))
        m = graph.meter.snapshot()
        self.rt.bus.publish(TurnMetrics(model_invocations=m["model_invocations"], tool_calls=m["tool_calls"],
                                        input_tokens=m["input_tokens"], output_tokens=m["output_tokens"],
                                        tools=m["tools"]))
        log.info("turn metrics session=%s %s", self.session_id, m)
        flow = "hnp" if "delegate" in m["by_agent"] else "hp" if "shopping" in m["by_agent"] else None
        self._journal.touch(self.session_id, flow)
        return TurnOutcome(text, pending, m)

    def _failed(self, exc: Exception) -> TurnOutcome:
        message = f"The assistant failed: {type(exc).__name__}: {str(exc)[:200]}"
        self.rt.bus.publish(ErrorOccurred(error_code="agent_error", message=message))
        return TurnOutcome(message, self.pending_signature(), self._graph.meter.snapshot() if self._graph else {})

    def _on_event(self, event: Event) -> None:
        if isinstance(event, AgentMessage):
            self._turn_messages.append((event.agent, event.text))
            self._journal.chat(self.session_id, "assistant", event.text, event.agent)
        elif isinstance(event, ErrorOccurred):
            code = event.error_code
            shown = f"{event.message} ({code})" if code.startswith("ap2:") else event.message
            self._journal.chat(self.session_id, "error", shown)  # a sentence; never "user_error: …"
        elif isinstance(event, ClarificationRequested):
            self._clarified = True

    def _record(self, agent: str, text: str) -> None:
        if text:
            self.rt.bus.publish(AgentMessage(agent=agent, text=text))

    # ---- signatures ------------------------------------------------------------------------------

    @staticmethod
    def _find_interrupt(graph: AgentGraph, mandate_id: str) -> PausedCall | None:
        from .strands_adapter import interrupt_state
        from .tools_signature import INTERRUPT_NAME

        state = interrupt_state(graph.supervisor)  # restored from SQLite by the session manager
        if not state.waiting:
            return None
        return state.find(INTERRUPT_NAME, answered=False, mandate_id=mandate_id)

    async def _answer_directly(self, mandate_id: str, approve: bool) -> TurnOutcome:
        """The paused agent turn is gone: finish the flow through services, and say so."""
        from . import fallback
        from .strands_adapter import interrupt_state, stop_waiting

        graph = self._ensure_graph()
        if interrupt_state(graph.supervisor).waiting:
            # The graph waits on another signature; that wait is void now (its mandate is answered
            # through services when the shopper gets to it).
            stop_waiting(graph.supervisor)
        self._turn_messages = []
        unsubscribe = self.rt.bus.subscribe(self._on_event)
        try:
            text = await asyncio.to_thread(fallback.answer, self.rt, mandate_id, approve)
            self._record("supervisor", text)
        except Exception as exc:  # AP2Error/UserError: show the reason
            text = f"I couldn't apply your answer: {exc}"
            self.rt.bus.publish(ErrorOccurred(error_code=getattr(exc, "code", "user_error"), message=str(exc)))
        finally:
            unsubscribe()
        return TurnOutcome(text, self.pending_signature(), {"model_invocations": 0, "tool_calls": 0,
                                                             "input_tokens": 0, "output_tokens": 0})


def _sign_prompt(v: SignatureView) -> str:
    from ..core.money import format_cents

    if v.mandate_type == "cart":
        return f"Please review and sign the cart ({format_cents(v.total_cents or 0)} total)."
    return f"Please review and sign the intent: {v.description}"


def _reminder(v: SignatureView) -> str:
    """The answer to a chat message sent while a signature waits: it still waits, and how to answer."""
    from ..core.money import format_cents

    what = (f"the cart {v.mandate_id} ({format_cents(v.total_cents or 0)} total)" if v.mandate_type == "cart"
            else f"the intent {v.mandate_id} ({v.description or v.product_query or 'buy later'})")
    return (f"Your signature on {what} is still waiting. A chat message never signs or declines it: "
            "answer it in the signature dialog (y signs, n or Esc declines). "
            "Nothing was signed and nothing was declined.")
