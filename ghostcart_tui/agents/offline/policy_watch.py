"""Supervisor handlers for watches: watch and buy, watch and ask me (notify-only), change and
cancel. A watch binds to resolved product ids; its label is the product name; a cancel or change
must match exactly one live watch, otherwise the shopper is asked which."""

from __future__ import annotations

from .pipeline.normalize import normalize
from .pipeline.resolve import resolve
from .pipeline.state import Asked, Watch
from .pipeline.types import Act
from .policy_context import DELEGATE, Ctx, problem_question, unknown_question
from .reply import Reply, usd
from .world import WatchInfo

MAX_WATCH_DAYS = 365


def _slots(c: Ctx) -> dict:
    from dataclasses import asdict

    d = asdict(c.u.slots)
    d.pop("problems", None)
    return {k: v for k, v in d.items() if v not in (None, False)}


def _explicit_set(text: str) -> bool:
    words = text.casefold().replace(",", " ").split()
    return "or" in words or "either" in words or ("any" in words and "of" in words)


def watch(c: Ctx) -> Reply:
    u, s = c.u, c.u.slots
    act = str(u.act)
    if s.problems:
        return c.ask(problem_question(s.problems), Asked("max_price", act, u.products, _slots(c)))
    items = c.products()
    if not items:
        return c.ask("Which product should I watch?", Asked("which_product", act, [], _slots(c), []))
    if u.unknown:
        return c.ask(unknown_question(u, c.catalog), Asked("confirm", act, u.products, _slots(c)))
    if len(items) > 1 and not _explicit_set(c.text):
        ids = [p.product_id for p in items]
        return c.list_reply(ids, c.names(ids), s.max_price_cents, "Which one should I watch?",
                            Asked("which_product", act, [], _slots(c), ids))
    c.state.focus = [p.product_id for p in items]
    cap = s.max_price_cents
    base = min(p.price_cents for p in items)
    note = ""
    if cap is None and s.percent_off:
        cap = base * (100 - s.percent_off) // 100
        note = f" ({s.percent_off}% below today's {usd(base)})"
    elif cap is None and s.price_drop_cents:
        cap = base - s.price_drop_cents
        note = f" ({usd(s.price_drop_cents)} below today's {usd(base)})"
    elif cap is None and (s.condition == "stock" or s.max_delivery_days is not None):
        cap = max(p.price_cents for p in items)
        note = " (today's price)"
    if cap is None or cap <= 0:
        names = c.names(c.u.products)
        return c.ask(f"It's {usd(base)} today. What's the most you'd pay for {names}?",
                     Asked("max_price", act, c.u.products, _slots(c)))
    if s.max_price_cents is None and (s.percent_off or s.price_drop_cents):
        s.max_price_cents = cap  # the limit the shopper described, in cents (what the intent will carry)
    days = s.watch_days
    if days is not None and not 1 <= days <= MAX_WATCH_DAYS:
        return c.ask(f"I can watch for 1 to {MAX_WATCH_DAYS} days. For how long should I watch?",
                     Asked("max_price", act, c.u.products, _slots(c)))
    label = " or ".join(p.name for p in items)
    plan = {"op": "watch", "skus": [p.product_id for p in items], "label": label, "max_price_cents": cap,
            "max_total_cents": s.max_total_cents, "max_delivery_days": s.max_delivery_days,
            "quantity": s.quantity or 1, "expiry_days": days, "notify_only": u.act is Act.WATCH_NOTIFY,
            "note": note, "replace_job": None}
    c.state.asked = None
    return c.call(DELEGATE, _describe(plan), plan)


def _describe(plan: dict) -> str:
    verb = "Tell me when" if plan["notify_only"] else "Buy"
    text = f"{verb} {plan['label']} (ids {', '.join(plan['skus'])}) at most {usd(plan['max_price_cents'])}"
    if plan.get("max_delivery_days") is not None:
        text += f", delivered within {plan['max_delivery_days']} days"
    return text


def _watch_skus(c: Ctx, w: WatchInfo) -> list[str]:
    known = next((x for x in c.state.watches if x.job_id == w.job_id), None)
    if known is not None:
        return known.skus
    res = resolve(normalize(w.label), list(c.catalog.values()))
    return res.candidates


def _matching(c: Ctx) -> tuple[list[WatchInfo], list[WatchInfo]]:
    live = c.world.watches()
    if c.u.products:
        want = set(c.u.products)
        return [w for w in live if want & set(_watch_skus(c, w))], live
    if c.u.reference == "answer":
        return [w for w in live if set(c.u.products) & set(_watch_skus(c, w))], live
    if c.state.last_watch and (len(live) == 1 or c.state.last_act in ("watch_buy", "watch_notify", "change_watch")):
        return [w for w in live if w.job_id == c.state.last_watch], live
    return (live if len(live) == 1 else []), live


def _which(c: Ctx, live: list[WatchInfo], act: str) -> Reply:
    if not live:
        return c.say("You have no active watches, so there is nothing to cancel or change.")
    options = [sku for w in live for sku in _watch_skus(c, w)[:1]]
    names = ", ".join(w.label for w in live[:-1]) + " or " + live[-1].label if len(live) > 1 else live[0].label
    named = c.names(c.u.products)
    if c.u.products and not any(set(c.u.products) & set(_watch_skus(c, w)) for w in live):
        return c.ask(f"You aren't watching {named}. Which watch do you mean: {names}?",
                     Asked("which_watch", act, [], _slots(c), options))
    return c.ask(f"Which watch: {names}?", Asked("which_watch", act, [], _slots(c), options))


def cancel(c: Ctx) -> Reply:
    found, live = _matching(c)
    if len(found) != 1:
        return _which(c, found or live, "cancel_watch")
    job = found[0]
    c.state.asked = None
    c.state.last_watch = job.job_id
    return Reply(calls=[(DELEGATE, {"input": f"Cancel monitoring job {job.job_id}."})])


def change(c: Ctx) -> Reply:
    found, live = _matching(c)
    if len(found) != 1:
        return _which(c, found or live, "change_watch")
    job = found[0]
    s = c.u.slots
    if s.problems:
        return c.ask(problem_question(s.problems), Asked("max_price", "change_watch", c.u.products, _slots(c)))
    if s.max_price_cents is None and s.max_delivery_days is None and s.watch_days is None and s.max_total_cents is None:
        return c.ask(f"What should change on the {job.label} watch: the price limit, delivery or how long I watch?",
                     Asked("max_price", "change_watch", _watch_skus(c, job)[:1], _slots(c)))
    skus = _watch_skus(c, job)
    plan = {"op": "watch", "skus": skus, "label": job.label,
            "max_price_cents": s.max_price_cents or job.max_price_cents,
            "max_total_cents": s.max_total_cents, "max_delivery_days": s.max_delivery_days,
            "quantity": s.quantity or 1, "expiry_days": s.watch_days, "notify_only": False, "note": "",
            "replace_job": job.job_id}
    known = next((x for x in c.state.watches if x.job_id == job.job_id), None)
    if known is not None and known.label:
        plan["notify_only"] = bool(c.state.last.get("notify_only")) if c.state.last_watch == job.job_id else False
    c.state.asked = None
    return c.call(DELEGATE, _describe(plan) + f" (replaces {job.job_id})", plan)


def remember(c_state, job_id: str, skus: list[str], label: str, notify_only: bool = False) -> None:
    c_state.watches = [w for w in c_state.watches if w.job_id != job_id] + [Watch(job_id, skus, label, notify_only)]
    c_state.last_watch = job_id
