"""A tiny Conversation with the agreed API, driving the real services: it lets the TUI be tested
without any model. Words it understands: find <q>, buy <product_id>, watch <q> below <dollars>."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.commerce.search import search
from ghostcart_tui.core import events as ev
from ghostcart_tui.core.money import format_cents
from ghostcart_tui.services import carts, catalog, intents, monitoring, payments, signatures


@dataclass(frozen=True)
class AgentTextDelta(ev.Event):
    name: ClassVar[str] = "agent_text_delta"
    agent: str
    text: str


@dataclass
class ChatEntry:
    role: str
    agent: str
    text: str


@dataclass
class TurnOutcome:
    status: str
    pending: object | None = None


class FakeConversation:
    model_label = "offline (test double)"
    provider = "offline"
    provider_reason = "tests"

    def __init__(self, rt, *, model=None, session_id=None, entries=None):
        self.rt = rt
        self.session_id = session_id or "sess_test"
        self._history: list[ChatEntry] = list(entries or [])
        self._cancel = asyncio.Event()
        self.cancelled = 0

    def _say(self, agent: str, text: str, *, stream: bool = True) -> None:
        if stream:
            for word in text.split(" "):
                self.rt.bus.publish(AgentTextDelta(agent=agent, text=word + " "))
        self.rt.bus.publish(ev.AgentMessage(agent=agent, text=text))
        self._history.append(ChatEntry("assistant", agent, text))

    def _pending_outcome(self) -> TurnOutcome:
        p = self.pending_signature()
        return TurnOutcome("awaiting_signature" if p else "done", p)

    async def send(self, text: str) -> TurnOutcome:
        self._cancel.clear()
        self._history.append(ChatEntry("user", "shopper", text))
        if self.pending_signature() is not None:  # CONTRACT 3: a chat message never answers it
            self._say("supervisor", "Your signature is still waiting: answer it in the dialog.", stream=False)
            return self._pending_outcome()
        words = text.split()
        verb = words[0].lower() if words else ""
        bus = self.rt.bus
        if verb == "find":
            bus.publish(ev.AgentActivity(agent="supervisor", text="→ shopping agent"))
            q = " ".join(words[1:])
            bus.publish(ev.AgentActivity(agent="shopping", text=f"searching '{q}'…"))
            hits = catalog.search_products(self.rt, q)
            lines = "\n".join(f"- {p.name}: {format_cents(p.price_cents)}" for p in hits[:5])
            self._say("shopping", f"I found {len(hits)} products:\n\n{lines}" if hits else "Nothing matched.")
        elif verb == "buy" and len(words) > 1:
            bus.publish(ev.AgentActivity(agent="supervisor", text="→ shopping agent"))
            pid = words[1]
            if pid == "the":  # "buy the <product name>" (the Products tab asks by name)
                name = " ".join(words[2:]).lower()
                pid = next(p.product_id for p in self.rt.inventory.products() if p.name.lower() == name)
            cart = carts.create_hp_cart(self.rt, pid)
            signatures.request_signature(self.rt, cart.mandate_id)
            self._say("shopping", "Your cart is ready. Please review and sign it.", stream=False)
        elif verb == "watch":
            bus.publish(ev.AgentActivity(agent="supervisor", text="→ delegate agent"))
            below = [i for i, w in enumerate(words) if w.lower() == "below"]
            i = below[0] if below else len(words)
            q = " ".join(words[1:i])
            price = int(float(words[i + 1].lstrip("$")) * 100) if below else 100_00
            intent = intents.create_intent(self.rt, q, Constraints(max_price_cents=price, max_delivery_days=5),
                                           skus=[p.product_id for p in search(self.rt.inventory.products(), q, match_all=True)])
            signatures.request_signature(self.rt, intent.mandate_id)
            self._say("delegate", "Sign this intent and I will watch for you.", stream=False)
        elif verb == "slow":
            bus.publish(ev.AgentActivity(agent="supervisor", text="thinking hard…"))
            try:
                await asyncio.wait_for(self._cancel.wait(), 30)
            except TimeoutError:
                pass
            self._say("supervisor", "Stopped.", stream=False)
            return TurnOutcome("cancelled")
        elif verb == "fail":
            from ghostcart_tui.ap2.errors import AP2Error

            raise AP2Error("ap2:mandate:expired", "the cart expired before it was signed")
        else:
            self._say("supervisor", "I can find products, buy them now, or watch a price for you.")
        return self._pending_outcome()

    async def answer_signature(self, mandate_id: str, approve: bool) -> TurnOutcome:
        view = self.pending_signature()
        kind = view.mandate_type if view else "cart"
        if not approve:
            signatures.decline(self.rt, mandate_id)
            self._say("supervisor", "OK, nothing was signed and nothing was bought.", stream=False)
            return self._pending_outcome()
        signatures.approve(self.rt, mandate_id)
        if kind == "cart":
            out = payments.pay_hp(self.rt, mandate_id)
            self._say("payment", f"Payment {out.status}: {format_cents(out.amount_cents)} ({out.transaction_id}).",
                      stream=False)
        else:
            job = monitoring.activate(self.rt, mandate_id)
            self._say("delegate", f"Watching now ({job.job_id}).", stream=False)
        return self._pending_outcome()

    def pending_signature(self):
        pending = signatures.pending(self.rt)
        return pending[0] if pending else None

    def cancel(self) -> None:
        self.cancelled += 1
        self._cancel.set()

    def new_conversation(self) -> None:
        self._history.clear()

    def history(self) -> list[ChatEntry]:
        return list(self._history)
