"""Offline delegate agent (human not present).

constraints + search in one message → missing price: ask, never guess → intent + signature in one
message, stating that the purchase will then happen automatically → after the signature, read
back + activate in one message → confirm what is watched.
"""

from __future__ import annotations

from .. import tool_names as tn
from . import nlu
from . import requests as rq
from .reply import Reply, major, usd
from .transcript import LATEST, Transcript
from .world import World

AUTONOMY = ("Once you sign, GhostCart will buy it automatically, without further confirmation, as soon "
            "as every condition holds.")
NOTIFY = ("Nothing will be bought automatically: when every condition holds I'll put it in a cart and ask "
          "you to sign it.")


def _plan_watch(t: Transcript, plan: dict, world: World | None) -> Reply:
    if not t.results:
        args: dict = {"product_query": plan["label"], "product_ids": list(plan["skus"]),
                      "max_price_usd": major(plan["max_price_cents"]), "notify_only": bool(plan.get("notify_only"))}
        for key in ("max_delivery_days", "expiry_days"):
            if plan.get(key) is not None:
                args[key] = plan[key]
        if plan.get("max_total_cents"):
            args["max_total_usd"] = major(plan["max_total_cents"])
        if (plan.get("quantity") or 1) > 1:
            args["quantity"] = plan["quantity"]
        cond = f"at most {usd(plan['max_price_cents'])}{plan.get('note') or ''}"
        if plan.get("max_total_cents"):
            cond += f", {usd(plan['max_total_cents'])} in total"
        if plan.get("max_delivery_days") is not None:
            d = plan["max_delivery_days"]
            cond += f" with delivery within {d} day{'s' if d != 1 else ''}"
        qty = f"{plan['quantity']} × " if (plan.get("quantity") or 1) > 1 else ""
        if plan.get("notify_only"):
            text = (f"I'll watch {qty}{plan['label']} and tell you when the price is {cond}. {NOTIFY} "
                    "Please review and sign the intent.")
        else:
            text = (f"I'll watch {qty}{plan['label']} and buy it when the price is {cond}. {AUTONOMY} "
                    "Please review and sign the intent.")
        if plan.get("replace_job"):
            text = f"This replaces your current watch ({plan['replace_job']}) once you sign. " + text
        return Reply(text, [(tn.CREATE_HNP_INTENT, args),
                            (tn.REQUEST_USER_INTENT_SIGNATURE, {"intent_mandate_id": LATEST})])
    last = t.results[-1]
    if last.name == tn.ACTIVATE_MONITORING_JOB and last.ok:
        if world is not None:
            from .policy_watch import remember

            remember(world.state(), str(last.data.get("job_id")), list(plan["skus"]), str(plan["label"]),
                     bool(plan.get("notify_only")))
            world.save()
        if plan.get("replace_job") and not t.called(tn.CANCEL_MONITORING_JOB):
            return Reply(calls=[(tn.CANCEL_MONITORING_JOB, {"job_id": plan["replace_job"]})])
        return Reply(_activated_text(last, bool(plan.get("notify_only"))))
    if last.name == tn.CANCEL_MONITORING_JOB:
        act = t.last(tn.ACTIVATE_MONITORING_JOB)
        return Reply(_activated_text(act, bool(plan.get("notify_only"))) + " The old watch is cancelled." if act
                     else "The old watch is cancelled.")
    return decide_tools(t)


def decide(t: Transcript, world: World | None = None) -> Reply:
    plan = rq.plan(t.request)
    if plan is not None and plan.get("op") == "watch":
        return _plan_watch(t, plan, world)
    cancel = rq.cancel_watch(t.request)
    if cancel is not None and t.results and t.results[-1].ok and world is not None:
        state = world.state()
        gone = t.results[-1].data.get("job_id")
        state.watches = [w for w in state.watches if w.job_id != gone]
        world.save()
    return decide_tools(t)


def decide_tools(t: Transcript) -> Reply:
    cancel = rq.cancel_watch(t.request)
    if cancel is not None:
        if t.results:
            r = t.results[-1]
            if not r.ok:
                return Reply(f"I couldn't cancel it: {r.data.get('message', 'unknown error')}")
            return Reply(f"Done: I stopped watching {r.data.get('product_query')} (job {r.data.get('job_id')}); "
                         "nothing will be bought.")
        job, words = cancel
        return Reply(calls=[(tn.CANCEL_MONITORING_JOB, {"job_id": job} if job else {"product_query": words or ""})])
    if not t.results:
        c = nlu.extract_constraints(t.request)
        calls = [(tn.EXTRACT_MONITORING_CONSTRAINTS, {"request": t.request})]
        if c.product_query:
            calls.append((tn.SEARCH_PRODUCTS, {"query": c.product_query}))
        return Reply(calls=calls)
    last = t.results[-1]
    if last.name == tn.ACTIVATE_MONITORING_JOB:
        return Reply(_activated_text(last))
    if last.name == tn.REQUEST_USER_INTENT_SIGNATURE:
        return _after_signature(t)
    if last.name == tn.GET_SIGNED_INTENT_MANDATE:
        intent_id = last.data.get("intent_mandate_id", LATEST)
        return Reply(calls=[(tn.ACTIVATE_MONITORING_JOB, {"intent_mandate_id": intent_id})])
    return _after_constraints(t)


def _after_constraints(t: Transcript) -> Reply:
    ex = t.last(tn.EXTRACT_MONITORING_CONSTRAINTS)
    if ex is None or not ex.ok:
        return Reply("I couldn't read those conditions. Try e.g. \"buy AirPods if they drop below $180\".")
    c = ex.data
    if not c.get("complete"):
        return Reply(c.get("question") or "What is the most you want to pay per item?")
    found = t.last(tn.SEARCH_PRODUCTS)
    hits = (found.data.get("results", []) if found and found.ok else [])
    args = {"product_query": c["product_query"], "max_price_usd": major(c["max_price_cents"])}
    if c.get("max_delivery_days") is not None:
        args["max_delivery_days"] = c["max_delivery_days"]
    if c.get("max_total_cents"):
        args["max_total_usd"] = major(c["max_total_cents"])
    if c.get("quantity", 1) > 1:
        args["quantity"] = c["quantity"]
    if c.get("expiry_days"):
        args["expiry_days"] = c["expiry_days"]
    if len(hits) == 1:
        args["product_id"] = hits[0]["product_id"]
    what = hits[0]["name"] if len(hits) == 1 else c["product_query"]
    now = ""
    if len(hits) == 1:
        p = hits[0]
        now = f" It is {p['price']} right now{'' if p.get('in_stock') else ' and out of stock'}."
    if not hits:
        now = " Nothing in the catalog matches it yet; I'll keep looking."
    cond = f"at most {usd(c['max_price_cents'])}"
    if c.get("max_delivery_days") is not None:
        cond += f" with delivery within {c['max_delivery_days']} day{'s' if c['max_delivery_days'] != 1 else ''}"
    text = f"I'll watch {what} and buy it when the price is {cond}.{now} {AUTONOMY} Please review and sign the intent."
    return Reply(text, [(tn.CREATE_HNP_INTENT, args),
                        (tn.REQUEST_USER_INTENT_SIGNATURE, {"intent_mandate_id": LATEST})])


def _after_signature(t: Transcript) -> Reply:
    intent = t.last(tn.CREATE_HNP_INTENT)
    if intent is not None and not intent.ok:
        return Reply(f"I couldn't create the intent: {intent.data.get('message', 'unknown error')}")
    sig = t.last(tn.REQUEST_USER_INTENT_SIGNATURE)
    if sig is None:
        return Reply("I couldn't get your signature: no signature was requested")
    if not sig.ok:
        return Reply(f"I couldn't get your signature: {sig.data.get('message', 'unknown error')}")
    mid = sig.data.get("mandate_id", LATEST)
    if sig.data.get("signature") == "approved":
        return Reply(calls=[(tn.GET_SIGNED_INTENT_MANDATE, {"intent_mandate_id": mid}),
                            (tn.ACTIVATE_MONITORING_JOB, {"intent_mandate_id": mid})])
    plan = rq.plan(t.request) or {}
    if plan.get("replace_job"):
        return Reply(f"Okay, you declined the new intent, so nothing changed: your existing watch "
                     f"({plan['replace_job']}) on {plan.get('label') or 'that product'} is still active with its "
                     "old limits. Say \"what am i watching?\" to see it, or \"cancel it\" to stop it.")
    return Reply("Okay, you declined the intent, so nothing will be bought and nothing is being watched. "
                 "Want to change the conditions, or buy something now instead?")


def _activated_text(r, notify_only: bool = False) -> str:
    if not r.ok:
        return f"I couldn't start watching: {r.data.get('message', 'unknown error')}"
    d = r.data
    cond = f"at most {d.get('max_price')}"
    if d.get("max_delivery_days") is not None:
        cond += f" with delivery within {d['max_delivery_days']} days"
    what = "I'll tell you and prepare a cart for you to sign" if notify_only else "I'll buy it automatically"
    return (f"Watching {d.get('product_query')}: {what} when the price is {cond}. "
            f"I check every {d.get('interval_minutes')} minutes until {d.get('expires_at', '')[:10]} "
            f"(job {d.get('job_id')}).")
