"""Cart pricing: 8% tax rounded half up on the subtotal plus flat $10.00 shipping (AP2.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ghostcart_tui.core.errors import UserError
from ghostcart_tui.core.money import MoneyError, percent_of

TAX_BASIS_POINTS = 800
SHIPPING_CENTS = 1000
MIN_QUANTITY = 1
MAX_QUANTITY = 99


@dataclass(frozen=True)
class CartLine:
    product_id: str
    name: str
    unit_price_cents: int
    quantity: int
    delivery_days: int

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class CartQuote:
    lines: tuple[CartLine, ...]
    subtotal_cents: int
    tax_cents: int
    shipping_cents: int
    total_cents: int
    delivery_days: int  # the slowest line decides when the order is complete


def _check_line(line: CartLine) -> None:
    q = line.quantity
    if isinstance(q, bool) or not isinstance(q, int) or not MIN_QUANTITY <= q <= MAX_QUANTITY:
        raise UserError(
            f"quantity for {line.name} must be a whole number from {MIN_QUANTITY} to "
            f"{MAX_QUANTITY}, got {q!r}"
        )
    if line.unit_price_cents <= 0:
        # Prices come from the merchant; a non-positive one means a broken catalog, not user input.
        raise MoneyError(f"unit price for {line.product_id} must be positive")


def quote(lines: Iterable[CartLine]) -> CartQuote:
    """Price a cart. Raises UserError for an empty cart or a quantity outside 1..99."""
    items = tuple(lines)
    if not items:
        raise UserError("the cart is empty: add at least one product before checking out")
    for line in items:
        _check_line(line)
    subtotal = sum(line.line_total_cents for line in items)
    tax = percent_of(subtotal, TAX_BASIS_POINTS)
    return CartQuote(
        lines=items,
        subtotal_cents=subtotal,
        tax_cents=tax,
        shipping_cents=SHIPPING_CENTS,
        total_cents=subtotal + tax + SHIPPING_CENTS,
        delivery_days=max(line.delivery_days for line in items),
    )
