"""`ghostcart products` and `ghostcart merchant set-price|set-stock`."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..core.errors import shown
from .common import clean, console, money, print_json, runtime, table, txt

if TYPE_CHECKING:
    from ..commerce.catalog import Product

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _product_dict(p: Product) -> dict[str, Any]:
    return {"product_id": p.product_id, "name": p.name, "category": p.category, "price_cents": p.price_cents,
            "in_stock": p.in_stock, "delivery_days": p.delivery_days, "merchant": p.merchant,
            "description": p.description}


def products(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for; empty lists everything.")] = "",
    max_price: Annotated[str | None, typer.Option("--max-price", help="Highest price, e.g. 90 or 89.99.")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ..core.money import parse_money
    from ..services.catalog import search_products

    cap = parse_money(max_price) if max_price is not None else None
    with runtime(ctx) as rt:
        hits = search_products(rt, query, cap, publish=False)
    if as_json:
        print_json([_product_dict(p) for p in hits])
        return
    out = console()
    if not hits:
        out.print(txt(f"No products match {shown(query)}" + (f" under {money(cap)}" if cap is not None else "") + "."))
        return
    t = table("id", "name", "price", "stock", "delivery", "category", no_wrap=("id", "price"))
    for p in hits:
        t.add_row(txt(p.product_id), txt(p.name), money(p.price_cents),
                  txt("in stock", "green") if p.in_stock else txt("out of stock", "red"),
                  f"{p.delivery_days}d", txt(p.category))
    out.print(t)


merchant = typer.Typer(no_args_is_help=True)


@merchant.command("set-price")
def set_price(
    ctx: typer.Context,
    product_id: Annotated[str, typer.Argument(help="e.g. prod_airpods_001")],
    price: Annotated[str, typer.Argument(help="New price, e.g. 175 or 174.99")],
) -> None:
    """Change a product's price (the next monitoring check sees it)."""
    from ..core.money import parse_money
    from ..services import catalog

    cents = parse_money(price)
    with runtime(ctx) as rt:
        p = catalog.set_price(rt, product_id, cents)
    console().print(txt(f"{p.product_id} ({clean(p.name)}) now costs {money(p.price_cents)}"))


class Stock(str, Enum):
    in_ = "in"
    out = "out"


@merchant.command("set-stock")
def set_stock(
    ctx: typer.Context,
    product_id: Annotated[str, typer.Argument(help="e.g. prod_airfryer_001")],
    stock: Annotated[Stock, typer.Argument(help="in or out", case_sensitive=False)],
) -> None:
    """Put a product in or out of stock."""
    from ..services import catalog

    with runtime(ctx) as rt:
        p = catalog.set_stock(rt, product_id, stock is Stock.in_)
    console().print(txt(f"{p.product_id} ({clean(p.name)}) is {'in' if p.in_stock else 'out of'} stock"))
