"""Where the merchant's live prices and stock come from. The catalog is immutable values; an
Inventory hands out the current version of each Product. The store layer adds a SQLite one."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Protocol

from ghostcart_tui.commerce.catalog import DEMO_CATALOG, Product
from ghostcart_tui.core.errors import NotFound, shown
from ghostcart_tui.core.money import MAX_CENTS, MoneyError, format_cents


class Inventory(Protocol):
    def products(self) -> list[Product]: ...

    def get(self, product_id: str) -> Product | None: ...

    def set_price(self, product_id: str, cents: int) -> Product: ...

    def set_stock(self, product_id: str, in_stock: bool) -> Product: ...


def check_price(cents: int) -> int:
    """A merchant price must be a positive whole number of cents within MAX_CENTS."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise MoneyError(f"price must be whole cents, got {cents!r}")
    if cents <= 0:
        raise MoneyError(f"price must be positive, got {cents} cents")
    if cents > MAX_CENTS:
        raise MoneyError(f"price too large: {cents} cents (max {format_cents(MAX_CENTS)})")
    return cents


class MemoryInventory:
    """In-process inventory for tests and pure use. Thread-safe: the monitor and the agent's tools
    read and change it from different threads."""

    def __init__(self, catalog: Iterable[Product] = DEMO_CATALOG) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Product] = {p.product_id: p for p in catalog}  # keeps catalog order

    def products(self) -> list[Product]:
        with self._lock:
            return list(self._items.values())

    def get(self, product_id: str) -> Product | None:
        with self._lock:
            return self._items.get(product_id)

    def set_price(self, product_id: str, cents: int) -> Product:
        check_price(cents)
        return self._update(product_id, price_cents=cents)

    def set_stock(self, product_id: str, in_stock: bool) -> Product:
        return self._update(product_id, in_stock=bool(in_stock))

    def _update(self, product_id: str, **changes: Any) -> Product:
        with self._lock:
            current = self._items.get(product_id)
            if current is None:
                raise NotFound(f"no product with id {shown(product_id)} in the catalog")
            updated = replace(current, **changes)
            self._items[product_id] = updated
            return updated
