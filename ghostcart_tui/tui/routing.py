"""Event routing: domain events arrive on rt.bus from any thread and are re-posted as messages
(post_message is thread-safe), so every screen update happens on the app's own thread. Each event
becomes a chat line, a toast, or a pane marked dirty (panes.py coalesces their refreshes)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual.message import Message

from ..core.money import format_cents
from .safe import safe_str

if TYPE_CHECKING:
    from ..core import events as ev

log = logging.getLogger(__name__)


class BusEvent(Message):
    """A domain event, hopped onto the app's thread."""

    def __init__(self, event: ev.Event) -> None:
        super().__init__()
        self.event = event


class RoutingMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def _on_bus(self, event: ev.Event) -> None:
        self.post_message(BusEvent(event))

    async def on_bus_event(self, message: BusEvent) -> None:
        e = message.event
        try:
            await self._handle(e)
        except Exception:
            log.exception("rendering %s failed", e.name)

    async def _handle(self, e: ev.Event) -> None:
        from ..core import events as ev  # first needed after the first frame

        name = e.name
        chat = self.chat
        if name == "agent_text_delta":
            await chat.add_delta(getattr(e, "agent", "supervisor"), getattr(e, "text", ""))
        elif isinstance(e, ev.AgentActivity):
            await chat.add_activity(e.text)
        elif isinstance(e, ev.AgentMessage):
            await chat.add_agent_message(e.agent, e.text)
        elif isinstance(e, ev.ProductResults):
            await self.show_products(e.query, e.product_ids)
            await chat.add_activity(f"found {len(e.product_ids)} product(s) for '{safe_str(e.query, newlines=False)}'"
                                    " — F2 shows them")
        elif isinstance(e, ev.CartCreated):
            await chat.add_activity(f"cart {e.mandate_id} ready: {format_cents(e.total_cents)}")
        elif isinstance(e, ev.IntentCreated):
            await chat.add_activity(f"intent {e.mandate_id}: {safe_str(e.product_query, newlines=False)} "
                                    f"at most {format_cents(e.max_price_cents)}")
        elif isinstance(e, ev.SignatureRequested):
            await chat.add_activity(f"your signature is needed for {e.mandate_type} {e.mandate_id}")
        elif isinstance(e, ev.MandateSigned):
            if e.signer != "user":
                await chat.add_activity(f"{e.mandate_type} {e.mandate_id} signed by the {e.signer}")
        elif isinstance(e, ev.SignatureDeclined):
            self.toast(f"You declined {e.mandate_id}; nothing was signed.", title="Declined")
        elif isinstance(e, ev.TransactionRecorded):
            self._mark_dirty("orders")
            if e.status != "authorized":
                self._toast_declined(e)
            elif e.mode == "hp":
                await chat.add_activity(f"paid {format_cents(e.amount_cents)} — transaction {e.transaction_id}")
        elif isinstance(e, ev.MonitoringActivated):
            self._mark_dirty("jobs")
            await chat.add_activity(f"watching now (job {e.job_id}) — F3 shows it")
        elif isinstance(e, (ev.MonitoringCheckComplete, ev.MonitoringCancelled)):
            self._mark_dirty("jobs")  # a sweep sends one per job: coalesced, never one refresh each
        elif isinstance(e, ev.AutonomousPurchaseComplete):
            self._mark_dirty("jobs", "orders")
            await self.announcer.purchase_event(e)  # toast (held while a dialog is open) and a chat line
        elif name == "watch_ready":  # a notify-only watch: every condition holds, the cart waits for you
            self._mark_dirty("jobs")
            await self._watch_ready(e)
        elif isinstance(e, ev.MonitoringExpired):
            self._mark_dirty("jobs")
            self._toast_expired(e)
        elif isinstance(e, ev.WorldChanged):
            await self._product_changed(e.product_id)
        elif isinstance(e, ev.ErrorOccurred):
            from .errors import describe_event_error

            await chat.add_error(describe_event_error(e.error_code, e.message))
