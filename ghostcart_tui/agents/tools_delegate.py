"""Delegate agent tools (human not present): constraints, intent, signature, monitoring."""

from __future__ import annotations

from dataclasses import asdict

from strands import tool

from ..ap2.records import Constraints
from ..core.errors import UserError
from ..services import intents, monitoring, signatures
from ..services.runtime import Runtime
from .tools_common import LATEST, ToolMemory, activity, failed, guarded, money, ok
from .tools_shopping import search_tool, to_cents
from .tools_signature import signature_tool


def delegate_tools(rt: Runtime, memory: ToolMemory) -> list:
    agent = "delegate"

    @tool(name="extract_monitoring_constraints")
    def extract_monitoring_constraints(request: str) -> dict:
        """Turn the shopper's conditional request into constraints: product, maximum item price,
        optional maximum total and delivery days, watch period. Names what is missing (never guess
        a price).

        Args:
            request: The shopper's words, e.g. "Buy AirPods if they drop below $180".
        """
        def run() -> dict:
            from .offline import nlu

            activity(rt, agent, "reading your conditions…")
            c = nlu.extract_constraints(request)
            data = {k: v for k, v in asdict(c).items()}
            for key in ("max_price_cents", "max_total_cents"):
                data[key.removesuffix("_cents")] = money(data.get(key))
            data["complete"] = not hasattr(c, "missing")
            return ok(data)

        return guarded(rt, memory, "extract_monitoring_constraints", run, show_errors=False)

    @tool(name="create_hnp_intent")
    def create_hnp_intent(product_query: str, max_price_usd: float, max_delivery_days: int | None = None,
                          max_total_usd: float | None = None, quantity: int = 1, expiry_days: int | None = None,
                          product_id: str | None = None) -> dict:
        """Create the intent mandate the shopper will sign: buy automatically, once, when every
        constraint holds before the intent expires.

        Args:
            product_query: What to watch, e.g. "AirPods".
            max_price_usd: Maximum item price in dollars (required; ask the shopper, never guess).
            max_delivery_days: Maximum delivery days, if the shopper gave one.
            max_total_usd: Maximum cart total in dollars, if the shopper gave one.
            quantity: How many to buy (default 1).
            expiry_days: How many days to watch (default from settings).
            product_id: The catalog product id when the query names exactly one product.
        """
        def run() -> dict:
            price = to_cents(max_price_usd)
            if not price:
                raise UserError("a maximum price is required; ask the shopper for it")
            c = Constraints(max_price_cents=price, max_total_cents=to_cents(max_total_usd),
                            max_delivery_days=max_delivery_days, quantity=max(1, min(int(quantity or 1), 10)))
            if product_id:
                rt.inventory.require(product_id)
            activity(rt, agent, f"writing an intent for '{product_query}'…")
            record = intents.create_intent(rt, product_query, c, expiry_days=expiry_days,
                                           skus=intents.skus_for(rt, product_query, product_id))
            memory.last_intent_id = record.mandate_id
            return ok({"intent_mandate_id": record.mandate_id, "description": record.intent.natural_language_description,
                       "expires_at": record.intent.intent_expiry, "max_price": money(price),
                       "autonomous": not record.intent.user_cart_confirmation_required})

        return guarded(rt, memory, "create_hnp_intent", run)

    @tool(name="get_signed_intent_mandate")
    def get_signed_intent_mandate(intent_mandate_id: str = LATEST) -> dict:
        """Read back the intent the shopper signed (its signature is verified on read).

        Args:
            intent_mandate_id: The signed intent's id, or "latest".
        """
        def run() -> dict:
            mid = memory.resolve(intent_mandate_id, "intent")
            status = signatures.read_signed(rt, mid, ("signed", "active"))
            return ok({"intent_mandate_id": mid, "status": status, "user_signature": "verified"})

        return guarded(rt, memory, "get_signed_intent_mandate", run)

    @tool(name="activate_monitoring_job")
    def activate_monitoring_job(intent_mandate_id: str = LATEST) -> dict:
        """Start watching a signed intent; checks run on a schedule and buy when everything holds.

        Args:
            intent_mandate_id: The signed intent's id, or "latest".
        """
        def run() -> dict:
            mid = memory.resolve(intent_mandate_id, "intent")
            activity(rt, agent, "starting the price watch…")
            job = monitoring.activate(rt, mid)
            return ok({"job_id": job.job_id, "status": job.status, "product_query": job.product_query,
                       "max_price": money(job.max_price_cents), "max_delivery_days": job.max_delivery_days,
                       "interval_minutes": job.interval_minutes, "expires_at": job.expires_at.isoformat()})

        return guarded(rt, memory, "activate_monitoring_job", run)

    @tool(name="cancel_monitoring_job")
    def cancel_monitoring_job(job_id: str | None = None, product_query: str | None = None) -> dict:
        """Stop watching: cancel a live monitoring job so it never buys. Give its id, or words of
        the watched product (the most recent matching job is cancelled).

        Args:
            job_id: The monitoring job id, e.g. "job_…".
            product_query: Words of the watched product, when the id is not known.
        """
        def run() -> dict:
            jid = job_id
            if not jid:
                live = [j for j in monitoring.list_jobs(rt, live_only=True, user_id=rt.user_id)
                        if j.status != "purchasing"]
                words = (product_query or "").lower().split()
                match = [j for j in live if all(w in j.product_query.lower() for w in words)]
                if not match:
                    raise UserError("no active watch matches that; nothing was cancelled")
                jid = match[0].job_id
            activity(rt, agent, f"cancelling {jid}…")
            job = monitoring.cancel(rt, jid)
            return ok({"job_id": job.job_id, "status": job.status, "product_query": job.product_query})

        return guarded(rt, memory, "cancel_monitoring_job", run)

    return [extract_monitoring_constraints, search_tool(rt, memory, agent), create_hnp_intent,
            signature_tool(rt, memory, agent, "intent"), get_signed_intent_mandate, activate_monitoring_job,
            cancel_monitoring_job]
