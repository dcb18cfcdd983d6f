"""Result types of the offline language understanding (pure data, frozen)."""

from __future__ import annotations

from dataclasses import dataclass

ROUTE_KINDS = ("immediate", "conditional", "ambiguous", "search", "chitchat", "followup")
FOLLOWUP_KINDS = ("pick", "confirm", "adjust_price", "retry_payment", "cancel", "decline")


@dataclass(frozen=True)
class FollowUp:
    """A reply that only makes sense with the conversation's context.

    payload by kind: pick → int (0-based index; -1 = last) or str (product id or name fragment);
    adjust_price → int cents (None when the amount was unusable); retry_payment → card hint
    ("visa", "mastercard", "amex", "discover", "debit", "credit", "paypal", last four digits) or
    None for "another card"; cancel → product words named (or None); confirm/decline → None.
    """

    kind: str
    payload: int | str | None = None


@dataclass(frozen=True)
class Route:
    kind: str
    product_query: str = ""
    max_price_cents: int | None = None
    quantity: int = 1
    followup: FollowUp | None = None
    max_total_cents: int | None = None
    # Why an amount the shopper typed was rejected ("$-5 is a negative amount"), else None.
    amount_error: str | None = None


@dataclass(frozen=True)
class Constraints:
    product_query: str
    max_price_cents: int
    max_total_cents: int | None
    max_delivery_days: int | None
    expiry_days: int
    quantity: int = 1


@dataclass(frozen=True)
class NeedsInfo:
    """The request cannot become constraints yet; ask `question`. The other fields hold what was
    understood so far, so the caller can merge the shopper's answer without re-parsing."""

    missing: str  # "product" | "max_price" | "max_total" | "max_delivery" | "expiry"
    question: str
    product_query: str = ""
    max_price_cents: int | None = None
    max_total_cents: int | None = None
    max_delivery_days: int | None = None
    expiry_days: int | None = None
    quantity: int = 1
