"""extract_constraints(): a human-not-present request → intent constraints, or a question."""

from __future__ import annotations

from ghostcart_tui.core.money import parse_money

from .nlu_analyze import Analysis, analyze
from .nlu_money import RELATIVE
from .nlu_time import DELIVERY, MAX_DAYS
from .nlu_types import Constraints, NeedsInfo


def _partial(a: Analysis, expiry: int | None, **kw: object) -> dict:
    base = dict(
        product_query=a.product_query,
        max_price_cents=a.item_max,
        max_total_cents=a.total_max,
        max_delivery_days=a.delivery_days,
        expiry_days=expiry,
        quantity=a.quantity,
    )
    base.update(kw)  # type: ignore[arg-type]
    return base


def _price_question(query: str) -> str:
    return f"What's the most you'd pay for {query}?" if query else "What's the most you'd pay?"


def extract_constraints(text: str, default_expiry_days: int = 7) -> Constraints | NeedsInfo:
    """Constraints for a conditional purchase; NeedsInfo when anything essential is missing or
    unusable (no product, no price bound, a nonsense amount or period). Never guesses a price."""
    try:
        a = analyze(text)
    except Exception:
        return NeedsInfo("product", "What would you like me to watch for?")
    ok_default = isinstance(default_expiry_days, int) and 1 <= default_expiry_days <= MAX_DAYS
    default = default_expiry_days if ok_default else 7
    bad_time = next((t for t in a.times if t.error), None)
    expiry = a.duration_days if a.duration_days is not None else default
    query = a.product_query
    if a.bad_amount is not None:
        which = "max_total" if a.bad_amount.total else "max_price"
        q = (
            f"{(a.bad_amount.error or '')[:80]}, so I can't use it as a limit. "
            + (f"What's the most you'd pay in total for {query}?" if which == "max_total" and query
               else _price_question(query))
        )
        return NeedsInfo(which, q, **_partial(a, expiry))
    if bad_time is not None:
        if bad_time.kind == DELIVERY:
            return NeedsInfo(
                "max_delivery",
                f"Sorry, {bad_time.error}. Within how many days should it arrive (1-{MAX_DAYS})?",
                **_partial(a, expiry, max_delivery_days=None),
            )
        return NeedsInfo(
            "expiry",
            f"Sorry, {bad_time.error}. How many days should I keep watching (1-{MAX_DAYS})?",
            **_partial(a, None),
        )
    if not query:
        return NeedsInfo("product", "What would you like me to watch for?", **_partial(a, expiry))
    if a.item_max is None:
        return NeedsInfo("max_price", _price_question(query), **_partial(a, expiry))
    return Constraints(
        product_query=query,
        max_price_cents=a.item_max,
        max_total_cents=a.total_max,
        max_delivery_days=a.delivery_days,
        expiry_days=expiry,
        quantity=a.quantity,
    )


def parse_money_phrase(text: str) -> int | None:
    """Cents of the first usable amount in text ("$180", "180 bucks", "under 180", or a bare
    "180.50" on its own); None when there is none or it is nonsense ("$-5", "$0", "1e309")."""
    try:
        a = analyze(text)
        for am in a.amounts:
            if am.role == RELATIVE:
                continue
            return am.cents  # None when that amount is unusable
        words = [t for t in a.toks if t.kind != "punct"]
        if len(words) == 1 and words[0].kind == "num":
            return parse_money(words[0].raw)
    except Exception:
        return None
    return None

