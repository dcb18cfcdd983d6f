"""HNP intents: the shopper's standing, signed instruction with limits enforced in code."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from ..ap2 import builders
from ..ap2.records import Constraints, IntentRecord, PaymentInstrument
from ..core.clock import to_iso
from ..core.errors import UserError
from ..core.redact import redact_pans
from ..core.events import IntentCreated
from ..core.money import format_cents
from ..store import mandates
from . import ap2_v02
from .runtime import Runtime


def describe_intent(product_query: str, c: Constraints, expiry_days: int, *, notify_only: bool = False) -> str:
    """The natural-language description the user confirms (AP2 natural_language_description)."""
    parts = [f"Buy {c.quantity} × {product_query}" if c.quantity > 1 else f"Buy {product_query}"]
    parts.append(f"when the item price is at most {format_cents(c.max_price_cents)}")
    if c.max_total_cents:
        parts.append(f"and the total is at most {format_cents(c.max_total_cents)}")
    if c.max_delivery_days is not None:
        parts.append(f"with delivery within {c.max_delivery_days} day{'s' if c.max_delivery_days != 1 else ''}")
    watching = f"(watching for {expiry_days} day{'s' if expiry_days != 1 else ''}); "
    parts.append(watching + ("you will be asked to sign the cart before anything is bought." if notify_only
                             else "the purchase happens automatically, without further confirmation."))
    return " ".join(parts)


def plain_text(text: object, limit: int = 120) -> str:
    """What the shopper signs must be what they see: no control characters (terminal escapes),
    no invisible format characters (zero-width, bidi overrides), no lone surrogates."""
    if not isinstance(text, str):
        return ""
    kept = []
    for ch in text[: limit * 8]:
        cat = unicodedata.category(ch)
        if cat == "Cc" or cat[0] == "Z":
            kept.append(" ")
        elif cat not in ("Cf", "Cs", "Co", "Cn"):
            kept.append(ch)
    return redact_pans(" ".join("".join(kept).split()))[:limit]


def create_intent(rt: Runtime, product_query: str, constraints: Constraints, *, skus: list[str],
                  notify_only: bool = False, expiry_days: int | None = None,
                  payment_method: str | list[str] | None = None) -> IntentRecord:
    """The intent the shopper will sign. Its signature covers what decides the purchase:
    `skus` (the acceptable product ids, required and non-empty: the sweep looks up exactly these,
    `product_query` is only the label shown), the limits in `constraints`, the payment method
    (`payment_method`: a token, brand or last 4, or a list of them = the allowed set, the first
    used; default the wallet's default method only) and the expiry.
    notify_only=True: when every condition holds the shopper gets a cart to sign (AP2
    user_cart_confirmation_required=True); nothing is bought without that signature."""
    product_query = plain_text(product_query)
    if not product_query:
        raise UserError("Tell me which product to watch, e.g. 'AirPods below $180'.")
    ids = list(dict.fromkeys(s.strip() for s in (skus or []) if isinstance(s, str) and s.strip()))
    if not ids:
        raise UserError("Tell me which product to watch: a watch needs at least one product from the catalog.")
    for sku in ids:
        rt.inventory.require(sku)  # NotFound (a UserError) with a plain message for an unknown id
    days = expiry_days or rt.settings.monitor_expiry_days
    if not 1 <= days <= 365:
        raise UserError("An intent can watch for 1 to 365 days.")
    hints = payment_method if isinstance(payment_method, list) else [payment_method]
    methods = list({m.token: m for m in (rt.credentials.get(rt.user_id, h) for h in hints or [None])}.values())
    now = rt.clock.now()
    record = builders.build_intent(
        mandate_id=rt.ids.new("intent"),
        user_id=rt.user_id,
        description=describe_intent(product_query, constraints, days, notify_only=notify_only)
                    # the most it can charge, in money, always (with what is left of a budget when one is set)
                    + (ap2_v02.budget_note(rt, constraints) or " " + ap2_v02.charge_note(constraints)),
        product_query=product_query,
        constraints=constraints,
        expiry=now + timedelta(days=days),
        merchants=[rt.merchant_name],
        skus=ids,
        payment_methods=[PaymentInstrument(token=m.token, label=m.label) for m in methods],
        confirmation_required=notify_only,
    )
    with rt.db.write() as s:
        mandates.insert(s, record, status="created", now=now)
    rt.bus.publish(IntentCreated(
        mandate_id=record.mandate_id,
        product_query=product_query,
        max_price_cents=constraints.max_price_cents,
        max_delivery_days=constraints.max_delivery_days,
        expires_at=record.intent.intent_expiry,
    ))
    return record


def expiry_iso(rt: Runtime, days: int) -> str:
    return to_iso(rt.clock.now() + timedelta(days=days))
