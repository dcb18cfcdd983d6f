"""What the offline model may know besides the messages: the live catalog, today's date, the
shopper's watches and orders, and the conversation state (read and written through services).

graph.py attaches one World to every offline model of a conversation's graph. Without one (a
model built bare, the FakeBedrock brain) the demo catalog, the real date and an in-memory state
stand in, so decide() stays a pure function of its inputs for those callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from ...commerce.catalog import DEMO_CATALOG, Product
from .pipeline.state import ConvState

if TYPE_CHECKING:
    from ...services.runtime import Runtime


@dataclass(frozen=True)
class WatchInfo:
    job_id: str
    label: str
    max_price_cents: int
    status: str
    expires_at: datetime | None = None
    notify_only: bool = False


@dataclass(frozen=True)
class OrderInfo:
    transaction_id: str
    status: str
    amount_cents: int
    created_at: datetime
    items: list[str]
    mode: str


class World:
    def __init__(self, rt: Runtime | None = None, session_id: str | None = None) -> None:
        self.rt, self.session_id = rt, session_id
        self._state: ConvState | None = None

    # ---- facts -----------------------------------------------------------------------------------
    def products(self) -> list[Product]:
        return self.rt.inventory.products() if self.rt is not None else list(DEMO_CATALOG)

    def now(self) -> datetime:
        return self.rt.clock.now() if self.rt is not None else datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()

    def watches(self) -> list[WatchInfo]:
        if self.rt is None:
            return []
        from ...services import monitoring

        return [WatchInfo(j.job_id, j.product_query, j.max_price_cents, j.status, j.expires_at,
                          bool(getattr(j, "notify_only", False)))
                for j in monitoring.list_jobs(self.rt, live_only=True, user_id=self.rt.user_id)
                if j.status != "purchasing"]

    def orders(self) -> list[OrderInfo]:
        if self.rt is None:
            return []
        from ...services import orders

        return [OrderInfo(t.transaction_id, t.status, t.amount_cents, t.created_at,
                          [n for n in t.product_name.split(", ") if n], t.mode)
                for t in orders.list_transactions(self.rt, user_id=self.rt.user_id)]

    def publish_results(self, query: str, ids: list[str]) -> None:
        if self.rt is not None:
            from ...core.events import ProductResults

            self.rt.bus.publish(ProductResults(query=query, product_ids=list(ids)))

    # ---- state -----------------------------------------------------------------------------------
    def state(self) -> ConvState:
        if self._state is None:
            data = None
            if self.rt is not None and self.session_id:
                from ...services import conversations

                data = conversations.read_state(self.rt, self.session_id)
            self._state = ConvState.from_json(data)
        return self._state

    def save(self) -> None:
        if self._state is not None and self.rt is not None and self.session_id:
            from ...services import conversations

            conversations.write_state(self.rt, self.session_id, self._state.to_json())


_BARE = World()


def bare() -> World:
    """The stand-in world of a model without a runtime (its state lives as long as the process)."""
    return _BARE
