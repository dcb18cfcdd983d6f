"""Delegate agent tools (human not present): constraints, intent, signature, monitoring."""

from __future__ import annotations

from dataclasses import asdict

from strands import tool

from ..ap2.records import Constraints
from ..core.errors import UserError
from ..services import intents, monitoring, signatures
from ..services.runtime import Runtime
from . import tool_names as tn
from .tools_common import LATEST, ToolMemory, activity, guarded, money, ok
from .tools_shopping import search_tool, to_cents
from .tools_signature import signature_tool


def delegate_tools(rt: Runtime, memory: ToolMemory) -> list:
    agent = "delegate"

    @tool(name=tn.EXTRACT_MONITORING_CONSTRAINTS)
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

        return guarded(rt, memory, tn.EXTRACT_MONITORING_CONSTRAINTS, run, show_errors=False)

    @tool(name=tn.CREATE_HNP_INTENT)
    def create_hnp_intent(product_query: str, max_price_usd: float, max_delivery_days: int | None = None,
                          max_total_usd: float | None = None, quantity: int = 1, expiry_days: int | None = None,
                          product_id: str | None = None, product_ids: list[str] | None = None,
                          notify_only: bool = False) -> dict:
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
            product_ids: The acceptable catalog product ids (required unless product_id is given):
                the watch buys only these.
            notify_only: True when the shopper wants to be told (and sign a cart) instead of an
                automatic purchase ("just let me know", "don't buy anything").
        """
        def run() -> dict:
            price = to_cents(max_price_usd)
            if not price:
                raise UserError("a maximum price is required; ask the shopper for it")
            qty = int(quantity or 1)
            if not 1 <= qty <= 10:
                raise UserError(f"a watch buys 1 to 10 items, not {qty}; ask the shopper how many")
            c = Constraints(max_price_cents=price, max_total_cents=to_cents(max_total_usd),
                            max_delivery_days=max_delivery_days, quantity=qty)
            skus = _resolved_skus(rt, product_query, product_id, product_ids)
            label = " or ".join(rt.inventory.require(s).name for s in skus)  # the name, never leftover words
            activity(rt, agent, f"writing an intent for '{label}'…")
            record = _create(rt, label, c, expiry_days, skus, bool(notify_only))
            memory.last_intent_id = record.mandate_id
            return ok({"intent_mandate_id": record.mandate_id,
                       "description": record.intent.natural_language_description,
                       "expires_at": record.intent.intent_expiry, "max_price": money(price),
                       "autonomous": not record.intent.user_cart_confirmation_required})

        return guarded(rt, memory, tn.CREATE_HNP_INTENT, run)

    @tool(name=tn.GET_SIGNED_INTENT_MANDATE)
    def get_signed_intent_mandate(intent_mandate_id: str = LATEST) -> dict:
        """Read back the intent the shopper signed (its signature is verified on read).

        Args:
            intent_mandate_id: The signed intent's id, or "latest".
        """
        def run() -> dict:
            mid = memory.resolve(intent_mandate_id, "intent")
            status = signatures.read_signed(rt, mid, ("signed", "active"))
            return ok({"intent_mandate_id": mid, "status": status, "user_signature": "verified"})

        return guarded(rt, memory, tn.GET_SIGNED_INTENT_MANDATE, run)

    @tool(name=tn.ACTIVATE_MONITORING_JOB)
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

        return guarded(rt, memory, tn.ACTIVATE_MONITORING_JOB, run)

    @tool(name=tn.CANCEL_MONITORING_JOB)
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
                match = [j for j in live if words and all(w in j.product_query.lower() for w in words)]
                if not match:
                    raise UserError("no active watch matches that; nothing was cancelled")
                if len(match) > 1:  # never guess which one: ask the shopper
                    names = "; ".join(f"{j.product_query} ({j.job_id})" for j in match)
                    raise UserError(f"several watches match that: {names}; ask which one, nothing was cancelled")
                jid = match[0].job_id
            activity(rt, agent, f"cancelling {jid}…")
            job = monitoring.cancel(rt, jid)
            return ok({"job_id": job.job_id, "status": job.status, "product_query": job.product_query})

        return guarded(rt, memory, tn.CANCEL_MONITORING_JOB, run)

    return [extract_monitoring_constraints, search_tool(rt, memory, agent), create_hnp_intent,
            signature_tool(rt, memory, agent, "intent"), get_signed_intent_mandate, activate_monitoring_job,
            cancel_monitoring_job]


def _resolved_skus(rt: Runtime, query: str, product_id: str | None, product_ids: list[str] | None) -> list[str]:
    """The product ids a watch binds to: given ids (each must exist), else the one product the
    query resolves to in the catalog. Anything else is refused: a watch never guesses."""
    given = [str(p) for p in (product_ids or []) if p] or ([product_id] if product_id else [])
    if given:
        for pid in given:
            rt.inventory.require(pid)
        return list(dict.fromkeys(given))
    from .offline.pipeline.normalize import normalize
    from .offline.pipeline.resolve import resolve

    res = resolve(normalize(query), rt.inventory.products())
    if res.missing or not res.named or len(res.candidates) != 1:
        raise UserError("a watch needs the catalog product id(s) it may buy; search and pass product_ids")
    return res.candidates


def _create(rt: Runtime, label: str, c: Constraints, expiry_days: int | None, skus: list[str], notify_only: bool):
    return intents.create_intent(rt, label, c, expiry_days=expiry_days, skus=skus, notify_only=notify_only)
