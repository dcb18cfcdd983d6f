"""Carts: the merchant prices and signs them. HP carts wait for the shopper's key press;
HNP carts are authorized by the agent's key under a signed intent (see monitoring)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from ..ap2 import builders
from ..ap2.records import CartRecord, LineItem
from ..commerce.catalog import Product
from ..commerce.pricing import CartLine, CartQuote, quote
from ..core.errors import UserError
from ..core.events import CartCreated
from ..core.statuses import MandateStatus
from ..store import mandates
from .runtime import Runtime

CART_TTL = timedelta(minutes=30)


def quote_product(product: Product, quantity: int = 1) -> CartQuote:
    return quote([CartLine(product.product_id, product.name, product.price_cents, quantity, product.delivery_days)])


def build_signed_cart(rt: Runtime, product: Product, quantity: int, *, mode: Literal["hp", "hnp"],
                      intent_mandate_id: str | None = None, cart_id: str | None = None) -> CartRecord:
    """Price the product and have the merchant sign the cart. Pure apart from ids and time."""
    q = quote_product(product, quantity)
    now = rt.clock.now()
    record = builders.build_cart(
        cart_id=cart_id or rt.ids.new("cart"),
        user_id=rt.user_id,
        mode=mode,
        merchant_name=product.merchant,
        line_items=[
            LineItem(product_id=line.product_id, name=line.name, quantity=line.quantity,
                     unit_price_cents=line.unit_price_cents, delivery_days=line.delivery_days)
            for line in q.lines
        ],
        subtotal_cents=q.subtotal_cents,
        tax_cents=q.tax_cents,
        shipping_cents=q.shipping_cents,
        total_cents=q.total_cents,
        cart_expiry=now + CART_TTL,
        intent_mandate_id=intent_mandate_id,
    )
    return builders.merchant_sign_cart(record, rt.keys.merchant_key(), now, rt.ids.new("jti"))


def create_hp_cart(rt: Runtime, product_id: str, quantity: int = 1, *,
                   max_price_cents: int | None = None) -> CartRecord:
    """An HP cart for one in-stock product. Refuses, with a plain reason, what must never be carted."""
    product = rt.inventory.require(product_id)
    if not product.in_stock:
        raise UserError(f"{product.name} is out of stock, so it can't be added to a cart.")
    if max_price_cents is not None and product.price_cents > max_price_cents:
        raise UserError(
            f"{product.name} costs ${product.price_cents / 100:,.2f}, above your ${max_price_cents / 100:,.2f} budget."
        )
    record = build_signed_cart(rt, product, quantity, mode="hp")
    with rt.db.write() as s:
        mandates.insert(s, record, status=MandateStatus.CREATED, now=rt.clock.now(), signer="merchant")
    rt.bus.publish(CartCreated(mandate_id=record.mandate_id, product_ids=[product.product_id],
                               total_cents=cart_total_cents(record)))
    return record


def cart_total_cents(cart: CartRecord) -> int:
    from ..core.money import from_major

    return from_major(cart.cart.contents.payment_request.details.total.amount.value)
