"""Evaluate one monitoring job against the merchant's current offer. Pure: no DB, no clock."""

from __future__ import annotations

from dataclasses import dataclass

from ..commerce.catalog import Product
from ..commerce.pricing import CartLine, quote
from ..core.money import format_cents


@dataclass(frozen=True)
class CheckResult:
    matched: bool
    reason: str
    product: Product | None = None
    price_cents: int | None = None


def _problem(p: Product, c: dict) -> str | None:
    if not p.in_stock:
        return f"{p.name} is out of stock"
    if p.price_cents > c["max_price_cents"]:
        return f"{format_cents(p.price_cents)} is above your {format_cents(c['max_price_cents'])} limit"
    days = c.get("max_delivery_days")
    if days is not None and p.delivery_days > days:
        return f"delivery {p.delivery_days} days > {days}"
    skus = c.get("skus")
    if skus and p.product_id not in skus:
        return f"{p.product_id} is not one of the products you allowed"
    max_total = c.get("max_total_cents")
    if max_total:
        line = CartLine(p.product_id, p.name, p.price_cents, c.get("quantity", 1), p.delivery_days)
        total = quote([line]).total_cents
        if total > max_total:
            return f"total {format_cents(total)} is above your {format_cents(max_total)} limit"
    return None


def evaluate(hits: list[Product], constraints: dict) -> CheckResult:
    """The cheapest hit meeting every condition wins; otherwise the best hit says why not."""
    if not hits:
        return CheckResult(False, "no matching product in the catalog")
    passing = [p for p in hits if _problem(p, constraints) is None]
    if passing:
        best = min(passing, key=lambda p: p.price_cents)
        return CheckResult(True, f"{best.name} at {format_cents(best.price_cents)} meets every condition",
                           best, best.price_cents)
    top = hits[0]
    return CheckResult(False, _problem(top, constraints) or "conditions not met", None, top.price_cents)
