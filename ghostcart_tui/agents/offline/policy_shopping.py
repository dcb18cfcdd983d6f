"""Offline shopping agent (human present) and payment agent.

Shopping: search → exactly one fitting match → cart + signature in one message (the tools' order
is fixed; the agent runs them sequentially) → after the signature, read back + pay in one
message → report. Several matches → list and ask. Out of stock / over budget → say so, never cart.
Payment: validate, credentials, authorize in one message → report.
"""

from __future__ import annotations

from .. import tool_names as tn
from . import nlu
from . import requests as rq
from .reply import Reply, major, usd
from .transcript import LATEST, Result, Transcript
from .world import World


def _wanted(t: Transcript) -> tuple[str, int | None, int, bool]:
    """(product query, item budget, quantity, buy?) from the request."""
    text = t.request
    if rq.product_id(text):
        return "", rq.budget(text), rq.quantity(text) or 1, True
    r = nlu.classify(text)
    buy = r.kind == "immediate" or (r.kind == "followup" and r.followup is not None and r.followup.kind == "confirm")
    return r.product_query, r.max_price_cents, max(1, r.quantity or 1), buy


def _cart_calls(pid: str, qty: int, budget: int | None) -> list[tuple[str, dict]]:
    args = {"product_id": pid, "quantity": qty}
    if budget:
        args["max_price_usd"] = major(budget)
    return [(tn.CREATE_SHOPPING_CART, args), (tn.REQUEST_USER_CART_SIGNATURE, {"cart_mandate_id": LATEST})]


def _line(i: int, p: dict) -> str:
    stock = "in stock" if p.get("in_stock") else "out of stock"
    return (f"{i}. {p['name']} — {p['price']}, {stock}, {p['delivery_days']}-day delivery "
            f"(id {p['product_id']})")


def _plan_list(t: Transcript, plan: dict) -> Reply:
    if not t.results:
        args: dict = {"query": str(plan.get("query") or "products"), "product_ids": list(plan.get("ids") or [])}
        if plan.get("max_price_cents"):
            args["max_price_usd"] = major(plan["max_price_cents"])
        return Reply(calls=[(tn.SEARCH_PRODUCTS, args)])
    found = t.last(tn.SEARCH_PRODUCTS)
    if found is None or not found.ok:
        return Reply(f"The search failed: {(found.data if found else {}).get('message', 'unknown error')}")
    hits = found.data.get("results", [])
    if not hits:
        return Reply("I couldn't find those products any more. Try other words?")
    budget = plan.get("max_price_cents")
    lines = "\n".join(_line(i, p) for i, p in enumerate(hits, 1))
    head = f"I found {len(hits)} match{'es' if len(hits) != 1 else ''} for '{plan.get('query')}'"
    if plan.get("query") == "all products":
        head = f"Here {'are' if len(hits) != 1 else 'is'} {len(hits)} product{'s' if len(hits) != 1 else ''} we carry"
    head += f" within {usd(budget)}:" if budget else ":"
    return Reply(f"{head}\n{lines}\n\n{plan.get('tail') or ''}".rstrip())


def _note(world: World | None, **changes) -> None:
    """Record an outcome in the conversation state (the supervisor reads it next turn)."""
    if world is None:
        return
    state = world.state()
    for key, value in changes.items():
        setattr(state, key, value)
    world.save()


def decide(t: Transcript, world: World | None = None) -> Reply:
    plan = rq.plan(t.request)
    if plan is not None and plan.get("op") == "list":
        return _plan_list(t, plan)
    retry = rq.retry(t.request)
    if t.results and t.results[-1].name == tn.REQUEST_USER_CART_SIGNATURE:
        sig = t.results[-1]
        cart = t.last(tn.CREATE_SHOPPING_CART)
        if sig.ok and sig.data.get("signature") != "approved" and cart is not None and cart.ok:
            items = cart.data.get("items") or [{}]
            _note(world, cart=None, declined={"product_id": items[0].get("product_id"),
                                              "quantity": items[0].get("quantity", 1),
                                              "max_price_cents": rq.budget(t.request)})
    if t.results and t.results[-1].name == tn.INVOKE_PAYMENT_PROCESSING and t.results[-1].ok:
        d = t.results[-1].data
        if d.get("status") == "authorized":
            _note(world, cart=None, declined=None, retry_cart=None,
                  last_order={"transaction_id": d.get("transaction_id"), "cart_id": d.get("cart_mandate_id")})
        else:
            _note(world, retry_cart=d.get("cart_mandate_id"))
    if not t.results:
        if retry:
            cart_id, hint = retry
            return Reply(calls=[(tn.INVOKE_PAYMENT_PROCESSING, {"cart_mandate_id": cart_id,
                                                               "payment_method": hint or "next"})])
        query, budget, qty, buy = _wanted(t)
        pid = rq.product_id(t.request)
        if pid and buy:
            return Reply(calls=_cart_calls(pid, qty, budget))
        if not query:
            return Reply("What would you like me to look for?")
        args: dict[str, object] = {"query": query}
        if budget:
            args["max_price_usd"] = major(budget)
        return Reply(calls=[(tn.SEARCH_PRODUCTS, args)])
    last = t.results[-1]
    if last.name == tn.INVOKE_PAYMENT_PROCESSING:
        return Reply(_payment_text(last))
    if last.name == tn.REQUEST_USER_CART_SIGNATURE:
        return _after_signature(t, last)
    if last.name == tn.GET_SIGNED_CART_MANDATE:  # pay was not called with it (should not happen)
        cart_id = last.data.get("cart_mandate_id", LATEST)
        return Reply(calls=[(tn.INVOKE_PAYMENT_PROCESSING, {"cart_mandate_id": cart_id})])
    if last.name == tn.SEARCH_PRODUCTS:
        return _after_search(t)
    return Reply("Something went wrong on my side; please ask again.")


def _after_signature(t: Transcript, sig: Result) -> Reply:
    cart = t.last(tn.CREATE_SHOPPING_CART)
    if cart is not None and not cart.ok:
        return Reply(f"I couldn't build that cart: {cart.data.get('message', 'unknown error')}")
    if not sig.ok:
        return Reply(f"I couldn't get your signature: {sig.data.get('message', 'unknown error')}")
    mid = sig.data.get("mandate_id", LATEST)
    if sig.data.get("signature") == "approved":
        return Reply(calls=[(tn.GET_SIGNED_CART_MANDATE, {"cart_mandate_id": mid}),
                            (tn.INVOKE_PAYMENT_PROCESSING, {"cart_mandate_id": mid})])
    return Reply("Okay, you declined the cart, so nothing was charged. Would you like to look at "
                 "other options or search for something else?")


def _after_search(t: Transcript) -> Reply:
    searches = t.all(tn.SEARCH_PRODUCTS)
    first = searches[0]
    if not first.ok:
        return Reply(f"The search failed: {first.data.get('message', 'unknown error')}")
    query, budget, qty, buy = _wanted(t)
    hits = first.data.get("results", [])
    if len(searches) > 1:  # the alternatives search after an out-of-stock match
        return Reply(_out_of_stock_text(hits[0] if hits else None, searches[-1].data.get("results", []), budget))
    if not hits:
        return Reply(f"I couldn't find anything matching '{query}'. Try other words?")
    fits = [p for p in hits if p.get("in_stock") and p.get("within_budget")]
    if not buy:
        shown = fits or hits
        lines = "\n".join(_line(i, p) for i, p in enumerate(shown, 1))
        head = f"I found {len(shown)} match{'es' if len(shown) != 1 else ''} for '{query}'"
        head += f" within {usd(budget)}:" if budget and fits else ":"
        tail = "Say \"buy it\"" if len(shown) == 1 else "Tell me which one to buy (e.g. \"the second one\")"
        return Reply(f"{head}\n{lines}\n{tail}, or ask me to watch a price.")
    top = hits[0]
    if len(fits) == 1 and fits[0] is top:  # never swap the best match for a looser one
        return Reply(calls=_cart_calls(top["product_id"], qty, budget))
    if len(fits) > 1:
        lines = "\n".join(_line(i, p) for i, p in enumerate(fits, 1))
        return Reply(f"I found {len(fits)} options for '{query}':\n{lines}\nWhich one should I buy? "
                     "(say \"the second one\", a name, or a product id)")
    if not top.get("in_stock"):
        # Offer alternatives from the same category (a second search); never cart the item.
        return Reply(calls=[(tn.SEARCH_PRODUCTS, {"query": top.get("category") or query})])
    return Reply(_over_budget_text(top, budget))


def _over_budget_text(p: dict, budget: int | None) -> str:
    return (f"{p['name']} costs {p['price']}, above your {usd(budget)} budget, so I haven't put it in a cart. "
            f"Say \"make it {p['price'].split('.')[0]}\" to raise your budget, or ask me to watch it "
            f"and buy it automatically if the price drops.")


def _out_of_stock_text(p: dict | None, alternatives: list[dict], budget: int | None) -> str:
    name = p["name"] if p else "That product"
    alts = [a for a in alternatives if a.get("in_stock") and (budget is None or a.get("price_cents", 0) <= budget)
            and (p is None or a["product_id"] != p["product_id"])][:5]
    text = f"{name} is out of stock, so I can't add it to a cart."
    if alts:
        text += " In-stock alternatives:\n" + "\n".join(_line(i, a) for i, a in enumerate(alts, 1))
        text += "\nWant one of these? Or I can watch for it to come back in stock."
    else:
        text += " I can watch for it to come back in stock and buy it then."
    return text


def _payment_text(r: Result) -> str:
    d = r.data
    if not r.ok:
        return f"The payment could not be completed: {d.get('message', 'unknown error')}"
    cart = d.get("cart_mandate_id", "")
    if d.get("status") == "authorized":
        return (f"Payment authorized: {d.get('amount')} charged to {d.get('payment_method') or 'your card'} "
                f"(authorization code {d.get('authorization_code')}, transaction {d.get('transaction_id')}).")
    return (f"The payment was declined: {d.get('decline_text') or d.get('decline_reason')} "
            f"({d.get('payment_method') or 'your card'}). Your signed cart {cart} is still valid, so nothing "
            "was charged. Say \"try another card\" to pay with a different card on file.")


# ---- payment agent -----------------------------------------------------------------------------

def decide_payment(t: Transcript) -> Reply:
    import re

    m = re.search(r"\b(payment_[A-Za-z0-9_\-]+)", t.request)
    if not m:
        return Reply("No payment mandate was given, so nothing was processed.")
    pid = m.group(1)
    mode = "hnp" if "hnp" in t.request.lower() or "not present" in t.request.lower() else "hp"
    if not t.results:
        return Reply(calls=[(f"validate_{mode}_chain", {"payment_mandate_id": pid}),
                            (tn.RETRIEVE_PAYMENT_CREDENTIALS, {"payment_mandate_id": pid}),
                            (tn.PROCESS_PAYMENT_AUTHORIZATION, {"payment_mandate_id": pid})])
    failed = next((r for r in t.results if not r.ok), None)
    auth = t.last(tn.PROCESS_PAYMENT_AUTHORIZATION)
    if auth is not None and auth.ok:
        d = auth.data
        if d.get("status") == "authorized":
            return Reply(f"Payment {pid} authorized for {d.get('amount')} (code {d.get('authorization_code')}).")
        return Reply(f"Payment {pid} was declined: {d.get('decline_text') or d.get('decline_reason')}.")
    why = failed.data.get("message") if failed else "unknown error"
    code = failed.data.get("error_code") if failed else ""
    return Reply(f"Payment {pid} was not processed: {code} {why}".strip())
