"""Shopping agent tools (human present): search, cart, signature, payment hand-off.

The product search is shared with the delegate agent. Product text in results is data for the
shopper to read; it carries no authority over what the agent does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from strands import tool

from ..ap2.errors import CREDENTIALS_UNAVAILABLE, AP2Error
from ..commerce.processor import describe_decline
from ..core.errors import UserError
from ..core.events import ProductResults
from ..core.money import from_major, parse_money
from ..services import carts, catalog, payments, signatures
from ..services.runtime import Runtime
from . import tool_names as tn
from .tools_common import LATEST, ToolMemory, activity, failed, guarded, money, ok
from .tools_signature import signature_tool

MAX_LISTED = 8
RunPayment = Callable[[str, str, int], Awaitable[str]]  # (payment mandate id, mode, amount) → agent text


def to_cents(amount: float | int | str | None) -> int | None:
    """Tool inputs arrive as numbers or "$90" strings; both become cents."""
    if amount is None or amount == "":
        return None
    if isinstance(amount, (int, float)):
        return parse_money(f"{float(amount):.2f}")
    return parse_money(str(amount))


def search_tool(rt: Runtime, memory: ToolMemory, agent: str):
    @tool(name=tn.SEARCH_PRODUCTS)
    def search_products(query: str, max_price_usd: float | None = None, product_ids: list[str] | None = None) -> dict:
        """Search the merchant catalog. Returns every match (in stock or not) with its price and
        whether it is within the shopper's item-price budget.

        Args:
            query: What the shopper is looking for, e.g. "coffee maker".
            max_price_usd: The shopper's maximum item price in dollars, if they gave one.
            product_ids: Exactly these catalog products, in this order (instead of a text search).
        """
        def run() -> dict:
            activity(rt, agent, f"searching '{query}'…")
            budget = to_cents(max_price_usd)
            if product_ids:
                hits = [p for p in (rt.inventory.get(str(i)) for i in product_ids[:MAX_LISTED]) if p is not None]
                rt.bus.publish(ProductResults(query=query, product_ids=[p.product_id for p in hits]))
            else:
                hits = catalog.search_products(rt, query, limit=MAX_LISTED)
            return ok({"query": query, "max_price": money(budget), "count": len(hits), "results": [
                {"product_id": p.product_id, "name": p.name, "price": money(p.price_cents),
                 "price_cents": p.price_cents, "in_stock": p.in_stock, "delivery_days": p.delivery_days,
                 "category": p.category,
                 "within_budget": budget is None or p.price_cents <= budget,
                 "description": p.description[:160]}
                for p in hits]})

        return guarded(rt, memory, tn.SEARCH_PRODUCTS, run)

    return search_products


def shopping_tools(rt: Runtime, memory: ToolMemory, run_payment: RunPayment) -> list:
    agent = "shopping"

    @tool(name=tn.CREATE_SHOPPING_CART)
    def create_shopping_cart(product_id: str, quantity: int = 1, max_price_usd: float | None = None,
                             max_total_usd: float | None = None, max_delivery_days: int | None = None) -> dict:
        """Have the merchant price and sign a cart for one in-stock product. Refuses out-of-stock
        products, products above the shopper's item-price budget or total, slower than their deadline,
        and quantities above 10 (ask the shopper instead).

        Args:
            product_id: The catalog product id, e.g. "prod_coffee_001".
            quantity: How many the shopper asked for (default 1, at most 10).
            max_price_usd: The shopper's maximum item price in dollars, if they gave one.
            max_total_usd: The shopper's maximum cart total (tax and shipping included), if they gave one.
            max_delivery_days: The latest delivery the shopper accepts, in days, if they gave one.
        """
        def run() -> dict:
            activity(rt, agent, f"building a cart for {product_id}…")
            qty = int(quantity or 1)
            if not 1 <= qty <= 10:
                raise UserError(f"a cart holds 1 to 10 items, not {qty}; ask the shopper how many")
            product = rt.inventory.get(product_id)
            if product is not None and max_delivery_days is not None and product.delivery_days > int(max_delivery_days):
                raise UserError(f"{product.name} takes {product.delivery_days} days to deliver, more than "
                                f"{int(max_delivery_days)}; nothing was put in a cart")
            total_cap = to_cents(max_total_usd)
            if product is not None and total_cap is not None \
                    and carts.quote_product(product, qty).total_cents > total_cap:
                raise UserError(f"the cart total would exceed {money(total_cap)}; nothing was put in a cart")
            record = carts.create_hp_cart(rt, product_id, qty, max_price_cents=to_cents(max_price_usd))
            memory.last_cart_id = record.mandate_id
            view = signatures.signature_view(rt, record, "created")
            return ok({"cart_mandate_id": record.mandate_id, "merchant": view.merchant,
                       "items": [{"product_id": ln.product_id, "name": ln.name, "quantity": ln.quantity,
                                  "unit_price": money(ln.unit_price_cents)} for ln in view.lines],
                       "subtotal": money(view.subtotal_cents), "tax": money(view.tax_cents),
                       "shipping": money(view.shipping_cents), "total": money(view.total_cents),
                       "total_cents": view.total_cents})

        return guarded(rt, memory, tn.CREATE_SHOPPING_CART, run, show_errors=False)

    @tool(name=tn.GET_SIGNED_CART_MANDATE)
    def get_signed_cart_mandate(cart_mandate_id: str = LATEST) -> dict:
        """Read back the cart mandate the shopper signed (its signature is verified on read).

        Args:
            cart_mandate_id: The signed cart's id, or "latest".
        """
        def run() -> dict:
            mid = memory.resolve(cart_mandate_id, "cart")
            status = signatures.read_signed(rt, mid, ("signed", "paid"))
            return ok({"cart_mandate_id": mid, "status": status, "user_signature": "verified"})

        return guarded(rt, memory, tn.GET_SIGNED_CART_MANDATE, run)

    @tool(name=tn.INVOKE_PAYMENT_PROCESSING)
    async def invoke_payment_processing(cart_mandate_id: str = LATEST, payment_method: str | None = None) -> dict:
        """Hand the signed cart to the payment agent: it builds the payment mandate, validates the
        chain, tokenizes the card and asks the processor to authorize.

        Args:
            cart_mandate_id: The signed cart's id, or "latest".
            payment_method: Optional card hint ("visa", "5678", a token), or "next" to try the next
                card on file after a decline. Omit for the default card.
        """
        memory.tool_calls.append(tn.INVOKE_PAYMENT_PROCESSING)
        try:
            mid = memory.resolve(cart_mandate_id, "cart")
            hint = payment_method
            if hint and hint.strip().lower() in ("next", "another", "other", "different"):
                hint = _next_card(rt, memory, mid)
            activity(rt, agent, "handing the signed cart to the payment agent…")
            payment = await asyncio.to_thread(payments.prepare_hp_payment, rt, mid, hint)
        except Exception as exc:  # errors become results, through the same mapping as every tool
            return guarded(rt, memory, tn.INVOKE_PAYMENT_PROCESSING, _raiser(exc))
        # The payment mandate carries the cart's total: no second read of the cart.
        amount = from_major(payment.payment.payment_mandate_contents.payment_details_total.amount.value)
        text = await run_payment(payment.mandate_id, "hp", amount)
        return payment_result(rt, memory, mid, payment.mandate_id, text)

    return [search_tool(rt, memory, agent), create_shopping_cart, signature_tool(rt, memory, agent, "cart"),
            get_signed_cart_mandate, invoke_payment_processing]


def _next_card(rt: Runtime, memory: ToolMemory, cart_id: str) -> str:
    """The card after the last one tried on this cart, skipping cards that already failed on it.
    Tried cards come from the database, so this works after a restart too."""
    from ..services import orders

    tried = [t.payment_token for t in orders.list_transactions(rt, user_id=rt.user_id)
             if t.cart_mandate_id == cart_id and t.payment_token]
    last = memory.last_payment.get("token") if memory.last_payment.get("cart") == cart_id else None
    token = last or (tried[0] if tried else "")
    for _ in range(len(rt.credentials.list_methods(rt.user_id))):
        method = rt.credentials.next_method(rt.user_id, token)
        if method.token not in tried:
            return method.token
        token = method.token
    raise AP2Error(CREDENTIALS_UNAVAILABLE, "every card on file was already tried for this cart")


def _raiser(exc: Exception):
    def run() -> dict:
        raise exc
    return run


def payment_result(rt: Runtime, memory: ToolMemory, cart_id: str, payment_id: str, agent_text: str) -> dict:
    """The outcome as recorded in the database, not as the payment agent phrased it."""
    with rt.db.read() as s:
        outcome = payments.existing_outcome(s, payment_id)
    if outcome is None:
        return failed("ap2:payment:not_processed", agent_text.strip()[:300] or "the payment was not processed",
                      payment_mandate_id=payment_id)
    method = rt.credentials.get(rt.user_id, outcome.token) if outcome.token else None
    memory.last_payment = {"cart": cart_id, "token": outcome.token, "status": outcome.status}
    data = {"transaction_id": outcome.transaction_id, "status": outcome.status, "amount": money(outcome.amount_cents),
            "payment_method": method.label if method else None, "cart_mandate_id": cart_id}
    if outcome.status == "authorized":
        data["authorization_code"] = outcome.authorization_code
    else:
        data["decline_reason"] = outcome.decline_reason
        data["decline_text"] = describe_decline(outcome.decline_reason)
        data["next"] = "offer another payment method (invoke_payment_processing with payment_method='next')"
    return ok(data)
