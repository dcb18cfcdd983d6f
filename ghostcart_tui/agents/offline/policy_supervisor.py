"""Offline supervisor: route a message to a specialist, or ask; turn follow-ups into
self-contained requests from what the conversation so far listed, carted and asked."""

from __future__ import annotations

from dataclasses import dataclass

from . import nlu
from . import requests as rq
from .reply import Reply, usd
from .transcript import Transcript

SHOP, DELEGATE = "shopping_agent", "delegate_agent"
HELP = ("I can buy things now (\"buy a coffee maker under $90\"), search (\"show me headphones\"), or "
        "watch a product and buy it by itself when your conditions hold (\"buy AirPods if they drop "
        "below $180\"). What would you like?")


@dataclass
class Context:
    specialist: str | None = None  # the last specialist called
    request: str = ""  # what it was asked
    answer: str = ""  # what the shopper was told last
    listed: list[tuple[str, str]] | None = None  # the last product list shown, in order
    cart_id: str | None = None  # the latest cart mentioned (for a payment retry)
    job_id: str | None = None  # the watch the last answer talked about


def context(t: Transcript) -> Context:
    c = Context()
    for name, inp in t.calls:
        if name in (SHOP, DELEGATE):
            c.specialist, c.request = name, str(inp.get("input", ""))
    for role, text in t.earlier:
        if role == "assistant":
            c.answer = text
            lst = rq.listed(text)
            if lst:
                c.listed = lst
            jobs = rq.job_ids(text)
            c.job_id = jobs[-1] if jobs else None
            carts = rq.cart_ids(text)
            if carts:
                c.cart_id = carts[-1]
    return c


def _call(tool: str, request: str) -> Reply:
    return Reply(calls=[(tool, {"input": request})])


def _ask(question: str) -> Reply:
    return Reply(question)


def decide(t: Transcript) -> Reply:
    if t.results:  # a specialist failed instead of answering (delegation ends on success)
        r = t.results[-1]
        why = r.data.get("message") or r.data.get("text") or "an unexpected error"
        return Reply(f"Sorry, that didn't work: {str(why)[:200]}. Please try again.")
    text = t.request
    ctx = context(t)
    route = nlu.classify(text)
    if route.amount_error:
        return _ask(f"{route.amount_error[0].upper()}{route.amount_error[1:]}. What price should I use?")
    if route.kind == "followup" and route.followup is not None:
        return _followup(route, ctx)
    if route.kind == "conditional":
        return _call(DELEGATE, text)
    if route.kind == "immediate":
        if not route.product_query:
            return _confirm(ctx, route.quantity)
        return _call(SHOP, text)
    if route.kind == "search":
        return _call(SHOP, text)
    if route.kind == "ambiguous":
        if route.product_query:
            return _ask(f"Do you want me to buy {route.product_query} now, or watch it and buy it "
                        "automatically later when a condition holds (for example a price drop)?")
        return _ask("What would you like me to buy or look for?")
    return Reply(HELP)


def _followup(route, ctx: Context) -> Reply:
    f = route.followup
    if f.kind == "pick":
        return _pick(ctx, f.payload, route.quantity)
    if f.kind == "confirm":
        return _confirm(ctx, route.quantity)
    if f.kind == "adjust_price":
        return _adjust(ctx, f.payload)
    if f.kind == "retry_payment":
        if not ctx.cart_id:
            return _ask("There is no declined payment to retry. What would you like to buy?")
        return _call(SHOP, rq.retry_payment(ctx.cart_id, f.payload if isinstance(f.payload, str) else None))
    if f.kind == "cancel":
        if ctx.job_id:
            return _call(DELEGATE, rq.cancel_watch_request(ctx.job_id, None))
        if isinstance(f.payload, str) and f.payload.strip():
            return _call(DELEGATE, rq.cancel_watch_request(None, f.payload))
    return Reply("Okay, I won't buy anything. What else can I help you with?")


def _pick(ctx: Context, payload, quantity: int) -> Reply:
    items = ctx.listed or []
    if not items:
        return _ask("Which product do you mean? Tell me what to search for first.")
    chosen = None
    if isinstance(payload, int):
        idx = payload if payload >= 0 else len(items) + payload
        chosen = items[idx] if 0 <= idx < len(items) else None
        if chosen is None:
            return _ask(f"I only listed {len(items)} option{'s' if len(items) != 1 else ''}. Which one do you want?")
    elif isinstance(payload, str):
        p = payload.lower()
        exact = [i for i in items if i[0].lower() == p]
        fuzzy = [i for i in items if p in i[1].lower()]
        found = exact or fuzzy
        if len(found) != 1:
            names = ", ".join(n for _, n in items)
            return _ask(f"Which one do you mean: {names}?")
        chosen = found[0]
    if chosen is None:
        return _ask("Which one would you like?")
    return _call(SHOP, rq.buy_product(chosen[0], chosen[1], _qty(ctx, quantity), _budget(ctx)))


def _confirm(ctx: Context, quantity: int) -> Reply:
    items = ctx.listed or []
    if len(items) == 1:
        pid, name = items[0]
        return _call(SHOP, rq.buy_product(pid, name, _qty(ctx, quantity), _budget(ctx)))
    if len(items) > 1:
        options = "; ".join(f"{i}. {n}" for i, (_, n) in enumerate(items, 1))
        return _ask(f"Which one should I buy? {options}")
    return _ask("What would you like me to buy?")


def _adjust(ctx: Context, cents) -> Reply:
    if not isinstance(cents, int) or cents <= 0:
        return _ask("What price limit should I use?")
    if ctx.specialist == DELEGATE:
        return _call(DELEGATE, _with_price(ctx.request, cents))
    if ctx.specialist == SHOP and ctx.request:
        pid = rq.product_id(ctx.request)
        if pid:
            name = next((n for i, n in ctx.listed or [] if i == pid), pid)
            return _call(SHOP, rq.buy_product(pid, name, rq.quantity(ctx.request) or 1, cents))
        r = nlu.classify(ctx.request)
        verb = "Find" if r.kind == "search" else "Buy"
        qty = f"{r.quantity} " if r.quantity > 1 else ""
        return _call(SHOP, f"{verb} {qty}{r.product_query or 'it'} under {usd(cents)}")
    return _ask(f"What should I look for at up to {usd(cents)}?")


def _with_price(request: str, cents: int) -> str:
    """The previous conditional request with a new (or the missing) price limit."""
    c = nlu.extract_constraints(request)
    query = c.product_query or "it"
    text = f"Buy {query} if the price drops below {usd(cents)}"
    if c.max_delivery_days is not None:
        text += f", delivered within {c.max_delivery_days} days"
    if getattr(c, "expiry_days", None):
        text += f", watching for {c.expiry_days} days"
    return text


def _qty(ctx: Context, quantity: int) -> int:
    if quantity and quantity > 1:
        return quantity
    if ctx.request:
        q = rq.quantity(ctx.request)
        if q:
            return q
        r = nlu.classify(ctx.request)
        return r.quantity or 1
    return 1


def _budget(ctx: Context) -> int | None:
    if not ctx.request or ctx.specialist != SHOP:
        return None
    return rq.budget(ctx.request) or nlu.classify(ctx.request).max_price_cents
