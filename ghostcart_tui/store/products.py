"""The merchant's live catalog in SQLite, behind commerce's Inventory protocol."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from ..commerce.catalog import DEMO_CATALOG, Product
from ..core.clock import Clock
from ..core.errors import NotFound, shown
from ..core.money import MAX_CENTS, MoneyError
from .engine import Database, db_time
from .tables import ProductRow


def _to_product(row: ProductRow) -> Product:
    return Product(
        product_id=row.product_id,
        name=row.name,
        description=row.description,
        category=row.category,
        price_cents=row.price_cents,
        in_stock=row.in_stock,
        delivery_days=row.delivery_days,
        merchant=row.merchant,
    )


def _to_row(p: Product, now: datetime) -> ProductRow:
    return ProductRow(
        product_id=p.product_id,
        name=p.name,
        description=p.description,
        category=p.category,
        price_cents=p.price_cents,
        in_stock=p.in_stock,
        delivery_days=p.delivery_days,
        merchant=p.merchant,
        updated_at=db_time(now),
    )


class SqlInventory:
    """Every process sharing the database sees the same prices and stock. Reads are cached by
    the table's change counter so a 10,000-intent sweep does not re-read the catalog per job."""

    def __init__(self, db: Database, clock: Clock, seed_catalog: tuple[Product, ...] = DEMO_CATALOG) -> None:
        self.db = db
        self.clock = clock
        with db.write() as s:
            if s.exec(select(ProductRow).limit(1)).first() is None:
                for p in seed_catalog:
                    s.add(_to_row(p, clock.now()))

    def products(self) -> list[Product]:
        with self.db.read() as s:
            return [_to_product(r) for r in s.exec(select(ProductRow).order_by(ProductRow.product_id))]

    def get(self, product_id: str) -> Product | None:
        with self.db.read() as s:
            row = s.get(ProductRow, product_id)
            return _to_product(row) if row else None

    def require(self, product_id: str) -> Product:
        p = self.get(product_id)
        if p is None:
            raise NotFound(f"no product with id {shown(product_id)}; try `ghostcart products` to list them")
        return p

    def _update(self, s: Session, product_id: str, **changes) -> Product:
        row = s.get(ProductRow, product_id)
        if row is None:
            raise NotFound(f"no product with id {shown(product_id)}; try `ghostcart products` to list them")
        for k, v in changes.items():
            setattr(row, k, v)
        row.updated_at = db_time(self.clock.now())
        s.add(row)
        return _to_product(row)

    def set_price(self, product_id: str, cents: int) -> Product:
        if not isinstance(cents, int) or cents <= 0 or cents > MAX_CENTS:
            raise MoneyError(f"a price must be between $0.01 and $10,000,000.00, not {cents!r} cents")
        with self.db.write() as s:
            return self._update(s, product_id, price_cents=cents)

    def set_stock(self, product_id: str, in_stock: bool) -> Product:
        with self.db.write() as s:
            return self._update(s, product_id, in_stock=bool(in_stock))

    def add_product(self, product: Product) -> None:
        """For tests and hostile-data checks: merchants can list anything."""
        self.add_products([product])

    def add_products(self, products: Iterable[Product]) -> int:
        """Many listings in one transaction (a merchant feed of 10,000 products)."""
        now = self.clock.now()
        rows = [_to_row(p, now).model_dump() for p in products]
        if rows:
            with self.db.write() as s:
                s.connection().execute(insert(ProductRow.__table__).prefix_with("OR REPLACE"), rows)  # type: ignore[attr-defined]
        return len(rows)
