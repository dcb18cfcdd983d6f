"""Catalog use cases: search the merchant, and simulate the world changing (price, stock)."""

from __future__ import annotations

from ..commerce.catalog import Product
from ..commerce.search import search
from ..core.events import ProductResults, WorldChanged
from ..core.money import parse_money
from .runtime import Runtime

MAX_RESULTS = 50


def search_products(rt: Runtime, query: str, max_price_cents: int | None = None, *, publish: bool = True,
                    limit: int = MAX_RESULTS) -> list[Product]:
    hits = search(rt.inventory.products(), query, max_price_cents=max_price_cents, limit=limit)
    if publish:
        rt.bus.publish(ProductResults(query=query, product_ids=[p.product_id for p in hits]))
    return hits


def set_price(rt: Runtime, product_id: str, price: str | int) -> Product:
    """price: cents (int) or text as a shopper types it ("175", "$175.00")."""
    cents = price if isinstance(price, int) else parse_money(price)
    product = rt.inventory.set_price(product_id, cents)
    rt.bus.publish(WorldChanged(product_id=product_id, price_cents=cents))
    return product


def set_stock(rt: Runtime, product_id: str, in_stock: bool) -> Product:
    product = rt.inventory.set_stock(product_id, in_stock)
    rt.bus.publish(WorldChanged(product_id=product_id, in_stock=in_stock))
    return product
