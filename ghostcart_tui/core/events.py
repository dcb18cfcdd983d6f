"""Typed domain events and the one in-process bus that carries them.

Event names and fields are the ones in SCENARIOS.md: the TUI renders them, the replay runner
matches them. Services publish after their database transaction commits, so a subscriber never
sees an event for something that was rolled back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import ClassVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: ClassVar[str] = "event"

    def to_dict(self) -> dict:
        return {"event": self.name, **asdict(self)}


@dataclass(frozen=True)
class AgentMessage(Event):
    name: ClassVar[str] = "agent_message"
    agent: str
    text: str


@dataclass(frozen=True)
class AgentActivity(Event):
    """Routing and tool activity ("→ shopping agent", "searching 'coffee maker'…"); TUI only."""

    name: ClassVar[str] = "agent_activity"
    agent: str
    text: str


@dataclass(frozen=True)
class AgentTextDelta(Event):
    """A chunk of an agent's answer while the model streams it (TUI only; AgentMessage follows
    with the whole text)."""

    name: ClassVar[str] = "agent_text_delta"
    agent: str
    text: str


@dataclass(frozen=True)
class ClarificationRequested(Event):
    name: ClassVar[str] = "clarification_requested"
    text: str


@dataclass(frozen=True)
class ProductResults(Event):
    name: ClassVar[str] = "product_results"
    query: str
    product_ids: list[str]


@dataclass(frozen=True)
class CartCreated(Event):
    name: ClassVar[str] = "cart_created"
    mandate_id: str
    product_ids: list[str]
    total_cents: int


@dataclass(frozen=True)
class IntentCreated(Event):
    name: ClassVar[str] = "intent_created"
    mandate_id: str
    product_query: str
    max_price_cents: int
    max_delivery_days: int | None
    expires_at: str


@dataclass(frozen=True)
class SignatureRequested(Event):
    name: ClassVar[str] = "signature_requested"
    mandate_id: str
    mandate_type: str
    total_cents: int | None = None


@dataclass(frozen=True)
class MandateSigned(Event):
    name: ClassVar[str] = "mandate_signed"
    mandate_id: str
    mandate_type: str
    signer: str


@dataclass(frozen=True)
class SignatureDeclined(Event):
    name: ClassVar[str] = "signature_declined"
    mandate_id: str


@dataclass(frozen=True)
class MonitoringActivated(Event):
    name: ClassVar[str] = "monitoring_activated"
    job_id: str
    intent_mandate_id: str


@dataclass(frozen=True)
class MonitoringCheckComplete(Event):
    name: ClassVar[str] = "monitoring_check_complete"
    job_id: str
    matched: bool
    price_cents: int | None
    reason: str


@dataclass(frozen=True)
class AutonomousPurchaseComplete(Event):
    name: ClassVar[str] = "autonomous_purchase_complete"
    job_id: str
    transaction_id: str
    status: str
    product_name: str = ""
    amount_cents: int = 0


@dataclass(frozen=True)
class WatchReady(Event):
    """A notify-only watch's conditions all hold: a cart waits for the shopper's signature
    (it is in signatures.pending); nothing is charged until the shopper signs it."""

    name: ClassVar[str] = "watch_ready"
    job_id: str
    intent_mandate_id: str
    cart_mandate_id: str
    product_id: str
    product_name: str
    total_cents: int


@dataclass(frozen=True)
class TransactionRecorded(Event):
    name: ClassVar[str] = "transaction"
    transaction_id: str
    status: str
    amount_cents: int
    mode: str
    decline_reason: str | None = None
    authorization_code: str | None = None


@dataclass(frozen=True)
class MonitoringExpired(Event):
    name: ClassVar[str] = "monitoring_expired"
    job_id: str


@dataclass(frozen=True)
class MonitoringCancelled(Event):
    name: ClassVar[str] = "monitoring_cancelled"
    job_id: str


@dataclass(frozen=True)
class ErrorOccurred(Event):
    name: ClassVar[str] = "error"
    error_code: str
    message: str


@dataclass(frozen=True)
class TurnMetrics(Event):
    """Per-turn model and tool counts, for the benchmarks and the log."""

    name: ClassVar[str] = "turn_metrics"
    model_invocations: int
    tool_calls: int
    input_tokens: int
    output_tokens: int
    tools: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WorldChanged(Event):
    """Merchant price/stock changed (simulation); panes refresh."""

    name: ClassVar[str] = "world_changed"
    product_id: str
    price_cents: int | None = None
    in_stock: bool | None = None


Subscriber = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out. Publishing happens on whichever thread did the work (tools run in
    worker threads), so a UI subscriber must hop to its own thread itself."""

    def __init__(self) -> None:
        self._subs: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subs.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subs:
                    self._subs.remove(fn)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            subs = list(self._subs)
        for fn in subs:
            try:
                fn(event)
            except Exception:  # a broken subscriber must not break a purchase
                log.exception("event subscriber failed on %s", event.name)

    def publish_all(self, events: list[Event]) -> None:
        for e in events:
            self.publish(e)
