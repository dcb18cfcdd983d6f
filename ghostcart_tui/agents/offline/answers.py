"""Answers the supervisor gives from the catalog and services, without a specialist: product
questions, the store's policies, orders and spending, help. Facts only, plainly worded."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from ...commerce.catalog import Product
from .reply import usd
from .world import OrderInfo, WatchInfo

HELP = ("I can buy things now (\"buy a coffee maker under $90\"), search (\"show me headphones\"), answer "
        "questions about products, orders and the store's policies, and watch a product: buy it by itself when "
        "your conditions hold (\"buy AirPods if they drop below $180\"), or just tell you (\"let me know when "
        "the air fryer is back in stock\"). What would you like?")
OUT_OF_SCOPE = ("I can only help with shopping at the GhostCart Demo Store: finding products, buying now, "
                "watching prices, your orders and the store's policies. What would you like to look for?")
RUDE = ("Sorry this isn't going well. I'm a shopping assistant: tell me what you'd like to buy or watch and "
        "I'll do my best. What are you looking for?")
SHIPPING = ("We ship within the United States only, so I can't send orders abroad. Shipping is a flat $10.00 "
            "per order, and each product shows its delivery time (1 to 10 days).")
TAX = "Every cart adds 8% sales tax on the items, plus the flat $10.00 shipping charge."
RETURNS = ("You can return an item within 30 days of purchase for a refund (the 30-day refund period is part "
           "of every cart you sign).")
WARRANTY = ("I don't have warranty details for the products; what I can promise is the store's 30-day "
            "return period for a refund.")
POLICIES = {"shipping": SHIPPING, "tax": TAX, "returns": RETURNS, "warranty": WARRANTY}


def line(i: int, p: Product) -> str:
    stock = "in stock" if p.in_stock else "out of stock"
    return f"{i}. {p.name} — {usd(p.price_cents)}, {stock}, {p.delivery_days}-day delivery (id {p.product_id})"


def product_answer(topic: str | None, items: list[Product]) -> str:
    if len(items) > 1 and topic in ("compare", "price", "about", None, "delivery", "stock"):
        rows = "\n".join(line(i, p) for i, p in enumerate(items, 1))
        cheaper = min(items, key=lambda p: p.price_cents)
        faster = min(items, key=lambda p: p.delivery_days)
        about = "\n".join(f"- {p.name}: {p.description}" for p in items) + "\n" if topic in ("compare", "about") else ""
        return (f"{rows}\n\n{about}{cheaper.name} is the cheapest; {faster.name} arrives soonest. "
                "Want me to buy one, or watch a price?")
    p = items[0]
    stock = "in stock" if p.in_stock else "out of stock right now"
    if topic == "price":
        q = quote_for(p, 1)
        text = f"{p.name} costs {usd(p.price_cents)} today ({stock}). With tax and shipping: " \
               f"{usd(q.subtotal_cents)} + {usd(q.tax_cents)} tax (8%) + {usd(q.shipping_cents)} shipping = " \
               f"{usd(q.total_cents)}."
    elif topic == "variants":
        text = f"I don't have size or colour information for {p.name}; the store lists one version: {p.description}"
    elif topic == "delivery":
        text = f"{p.name} is delivered in {p.delivery_days} day{'s' if p.delivery_days != 1 else ''} " \
               f"(US addresses only), {stock}."
    elif topic == "stock":
        text = f"{p.name} is {stock}" + ("." if p.in_stock else
                                         f". I don't have a restock date; once it's back it delivers in "
                                         f"{p.delivery_days} days. I can watch it and tell you (or buy it) when "
                                         "it's back.")
        if not p.in_stock:
            return text + " Want me to watch it?"

    else:
        text = (f"{p.name} ({p.category}, {usd(p.price_cents)}, {stock}, {p.delivery_days}-day delivery): "
                f"{p.description}")
    if not p.in_stock:
        return text + " It can't be bought until it's back in stock; want me to watch it?"
    return text + " Want me to buy it now, or watch it?"


def quote_for(p: Product, quantity: int):
    from ...services.carts import quote_product

    return quote_product(p, quantity)


def basket_answer(lines: list[tuple[Product, int]]) -> str:
    """The price of several products together, as one cart would compute it (tax on the items,
    one flat shipping charge)."""
    from ...commerce.pricing import CartLine, quote

    q = quote([CartLine(p.product_id, p.name, p.price_cents, n, p.delivery_days) for p, n in lines])
    rows = "\n".join(f"- {n} × {p.name} at {usd(p.price_cents)} = {usd(p.price_cents * n)}"
                     + ("" if p.in_stock else " (out of stock)") for p, n in lines)
    return (f"{rows}\n\nSubtotal {usd(q.subtotal_cents)} + {usd(q.tax_cents)} tax (8%) + {usd(q.shipping_cents)} "
            f"shipping = {usd(q.total_cents)} in total. I put one product in each cart, so buying them is one "
            "cart per product (each with its own shipping).")


def total_for(p: Product, quantity: int) -> int:
    from ...services.carts import quote_product

    return quote_product(p, quantity).total_cents


def _arrival(o: OrderInfo, catalog: dict[str, Product]) -> str:
    by_name = {p.name: p for p in catalog.values()}
    days = [by_name[n].delivery_days for n in o.items if n in by_name]
    if o.status != "authorized" or not days:
        return ""
    d = max(days)
    eta = o.created_at + timedelta(days=d)
    return f", arrives in {d} day{'s' if d != 1 else ''} (by {eta:%a %b} {eta.day})"


def orders_answer(orders: list[OrderInfo], watches: list[WatchInfo], topic: str | None,
                  catalog: dict[str, Product] | None = None) -> str:
    catalog = catalog or {}
    if not orders:
        text = "You haven't ordered anything yet."
    else:
        rows = [f"{i}. {', '.join(o.items) or 'an order'} — {usd(o.amount_cents)}, {o.status}"
                f"{' (bought automatically by a watch)' if o.mode == 'hnp' else ''} on {o.created_at:%Y-%m-%d}"
                f"{_arrival(o, catalog)} (transaction {o.transaction_id})" for i, o in enumerate(orders[:8], 1)]
        text = "Your orders, newest first:\n" + "\n".join(rows) + "\n"
        latest = orders[0]
        if latest.status == "authorized":
            text += "\nThe latest payment went through; the items ship to your US address."
        else:
            text += f"\nThe latest payment was {latest.status}, so nothing was charged for it."
    if watches:
        text += "\nActive watches: " + "; ".join(f"{w.label} (at most {usd(w.max_price_cents)})" for w in watches) + "."
    return text


def watches_answer(watches: list[WatchInfo]) -> str:
    if not watches:
        return "You have no active watches. Want me to watch a product's price or stock for you?"
    rows = []
    for i, w in enumerate(watches, 1):
        mode = "tell you first" if w.notify_only else "buy automatically"
        until = f", until {w.expires_at:%Y-%m-%d}" if w.expires_at is not None else ""
        rows.append(f"{i}. {w.label} — at most {usd(w.max_price_cents)}, {mode}{until} (job {w.job_id})")
    n = len(watches)
    return f"You have {n} active watch{'es' if n != 1 else ''}:\n" + "\n".join(rows) + \
        "\n\nSay \"cancel the … watch\" to stop one, or \"change it to $X\" to change a limit."


def returns_answer(orders: list[OrderInfo]) -> str:
    paid = [o for o in orders if o.status == "authorized"]
    text = ("You can return an item within 30 days of purchase for a full refund. I can't start a return from "
            "the chat, and I won't buy anything for it: contact the GhostCart Demo Store with your transaction id "
            "and send the item back unused.")
    if paid:
        o = paid[0]
        deadline = o.created_at + timedelta(days=30)
        what = ", ".join(o.items) or "your latest order"
        text += f"\nYour latest order: {what} ({usd(o.amount_cents)}, transaction {o.transaction_id}); you can " \
                f"return it until {deadline:%Y-%m-%d}."
    return text


def spending_answer(orders: list[OrderInfo], words: list[str], now: datetime) -> str:
    month, year, label = None, now.year, "in total"
    months = {m.casefold(): i for i, m in enumerate(calendar.month_name) if m}
    months.update({m.casefold(): i for i, m in enumerate(calendar.month_abbr) if m})
    for i, w in enumerate(words):
        if (w in months and w not in ("may",)) or (w == "may" and i > 0 and words[i - 1] in ("in", "during", "for")):
            month = months[w]
            year = now.year if month <= now.month else now.year - 1
        elif w == "month" and i > 0 and words[i - 1] in ("this", "the"):
            month = now.month
        elif w == "month" and i > 0 and words[i - 1] == "last":
            month = now.month - 1 or 12
            year = now.year if now.month > 1 else now.year - 1
        elif w.isdigit() and len(w) == 4 and 2000 <= int(w) <= 2100:
            year = int(w)
    paid = [o for o in orders if o.status == "authorized"]
    if month is not None:
        paid = [o for o in paid if o.created_at.month == month and o.created_at.year == year]
        label = f"in {calendar.month_name[month]} {year}"
    total = sum(o.amount_cents for o in paid)
    n = len(paid)
    return f"You spent {usd(total)} {label} ({n} order{'s' if n != 1 else ''}, tax and shipping included)."
