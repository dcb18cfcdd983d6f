"""The pipeline's data: the act vocabulary, the slots a message fills, and what one message was
understood as. Pure data; every step of the pipeline reads or returns these."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Act(StrEnum):
    """What the shopper wants done. Add a new act here and register its scorer in acts.py and its
    handler in policy_supervisor.py; nothing else needs to change."""

    BUY_NOW = "buy_now"
    WATCH_BUY = "watch_buy"
    WATCH_NOTIFY = "watch_notify"
    BROWSE = "browse"
    PRODUCT_QUESTION = "product_question"
    ORDERS = "orders"
    SPENDING = "spending"
    POLICY = "policy"
    CANCEL_WATCH = "cancel_watch"
    CHANGE_WATCH = "change_watch"
    HELP = "help"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_CARRIED = "not_carried"
    CLARIFY = "clarify"
    RETRY_PAYMENT = "retry_payment"  # "try another card" after a declined payment
    DECLINE = "decline"  # "no thanks", "never mind": nothing to do


SPENDING_ACTS = frozenset({Act.BUY_NOW, Act.WATCH_BUY, Act.WATCH_NOTIFY, Act.CANCEL_WATCH, Act.CHANGE_WATCH})


@dataclass
class Token:
    text: str  # normalized (casefolded) word or number
    raw: str  # as typed
    role: str = ""  # who accounted for it: product, budget, total, delivery, duration, quantity, cue, filler


@dataclass
class Slots:
    max_price_cents: int | None = None
    max_total_cents: int | None = None
    max_delivery_days: int | None = None
    deliver_by: str | None = None  # ISO date
    watch_days: int | None = None
    watch_until: str | None = None  # ISO date
    quantity: int | None = None
    notify_only: bool = False
    notify_strong: bool = False  # "don't buy", "ask me first": notify-only whatever else is said
    min_price_cents: int | None = None  # "between $100 and $200", "over $50" (browsing)
    condition: str | None = None  # "price" | "stock" | "sale" when a watch names what it waits for
    percent_off: int | None = None  # "20% off": resolved against today's price by the resolver
    price_drop_cents: int | None = None  # "drops by $20"
    problems: list[str] = field(default_factory=list)  # amounts that were refused, as questions


@dataclass
class Understanding:
    """One message, understood: the act, the products it is about, its slots, and what to ask
    when it is not fully understood (question is set exactly when act is CLARIFY)."""

    act: Act
    products: list[str] = field(default_factory=list)
    slots: Slots = field(default_factory=Slots)
    question: str | None = None
    topic: str | None = None  # a question's subject: price, delivery, stock, about, compare, shipping…
    missing_product: str | None = None  # what the shopper named that the store does not carry
    excluded: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # content words nobody accounted for
    scores: dict[str, float] = field(default_factory=dict)
    reference: str | None = None  # how the products were found: named, ordinal, pronoun, superlative, state
    card_hint: str | None = None
    quantities: dict[str, int] = field(default_factory=dict)  # per product, when the message names them

    def summary(self) -> dict[str, Any]:
        """What the harness and the persisted state record about this decision."""
        s = asdict(self.slots)
        for key in ("problems", "notify_strong", "min_price_cents"):
            s.pop(key, None)
        return {"act": str(self.act), "products": list(self.products), "topic": self.topic,
                "missing_product": self.missing_product, "unknown": list(self.unknown), **s}
