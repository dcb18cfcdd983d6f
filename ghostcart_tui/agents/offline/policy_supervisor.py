"""Offline supervisor, step 6 of the pipeline: what the agent does with an understood message.

decide() runs the pipeline (pipeline/understand.py) against the conversation state, looks the act
up in HANDLERS (one entry per Act) and returns the handler's Reply: an answer, one question, or a
plan handed to a specialist. Nothing that spends, signs, creates or cancels a watch is handed on
unless the message was fully understood; otherwise the handler asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from . import answers, policy_watch
from .pipeline.state import Asked
from .pipeline.types import Act
from .pipeline.understand import understand
from .policy_context import SHOP, Ctx, problem_question, unknown_question
from .reply import Reply, usd
from .requests import buy_product, retry_payment
from .transcript import Transcript
from .world import World, bare

_ASKS_WHEN_STUCK = frozenset({Act.BUY_NOW, Act.WATCH_BUY, Act.WATCH_NOTIFY})
ALL_PRODUCTS = "all products"  # the search label of a store-wide list (never a product query)
_CARDS = ("visa", "mastercard", "amex", "discover", "debit", "credit", "paypal")


def _buy_now(c: Ctx) -> Reply:
    u, s = c.u, c.u.slots
    if s.problems:
        kind = "quantity" if "more than the" in s.problems[0] else "max_price"
        return c.ask(problem_question(s.problems), Asked(kind, "buy_now", u.products, _slots(c)))
    items = c.products()
    if not items:
        return c.ask("What would you like me to buy?", Asked("which_product", "buy_now", [], _slots(c), []))
    if u.unknown:
        return c.ask(unknown_question(u, c.catalog), Asked("confirm", "buy_now", u.products, _slots(c)))
    if len(items) > 1:
        fits = [p for p in items if p.in_stock and (s.max_price_cents is None or p.price_cents <= s.max_price_cents)
                and (s.max_delivery_days is None or p.delivery_days <= s.max_delivery_days)]
        if len(fits) == 1 and (u.excluded or s.max_price_cents is not None) and u.reference != "named-list":
            items = fits  # "a kitchen gadget under 100 that isn't the coffee maker": only one fits
            u.products = [fits[0].product_id]
    if len(items) > 1:
        if not fits and s.max_price_cents is not None:
            c.show([p.product_id for p in items], "")
            return c.say(f"Nothing matching is within your {usd(s.max_price_cents)} budget, so I haven't put anything "
                         "in a cart:\n" + "\n".join(answers.line(i, p) for i, p in enumerate(items, 1))
                         + "\nRaise the budget (\"make it $400\"), or ask me to watch a price.")
        shown = fits or items
        if u.reference == "named-list":  # "the backpack and the jacket": carts hold one product
            ids = [p.product_id for p in shown]
            return c.list_reply(ids, c.names(ids), s.max_price_cents,
                                "I can put only one product in each cart, so let's do them one at a time: which "
                                "one first? (say \"the first one\" or a name)",
                                Asked("which_product", "buy_now", [], _slots(c), ids))
        return c.list_reply([p.product_id for p in shown], c.names([p.product_id for p in shown]), s.max_price_cents,
                            "Which one should I buy? (say \"the second one\", a name, or a product id)",
                            Asked("which_product", "buy_now", [], _slots(c), [p.product_id for p in shown]))
    p = items[0]
    qty = s.quantity or 1
    c.state.focus = [p.product_id]
    if p.in_stock:
        c.world.publish_results(p.name, [p.product_id])
    if not p.in_stock:
        alts = _alternatives(c, p, s.max_price_cents)
        text = f"{p.name} is out of stock, so I can't add it to a cart."
        if alts:
            c.show([a.product_id for a in alts], p.category)
            c.state.focus = [p.product_id]
            text += " In-stock alternatives:\n" + "\n".join(answers.line(i, a) for i, a in enumerate(alts, 1))
            text += "\n\nWant one of these? Or I can watch for it to come back in stock."
        else:
            text += " I can watch for it to come back in stock and buy it then."
        c.world.publish_results(p.name, [p.product_id] + [a.product_id for a in alts])
        return c.say(text)
    if s.max_price_cents is not None and p.price_cents > s.max_price_cents:
        return _over_budget(c, p, s.max_price_cents, " I haven't put it in a cart.")
    total = answers.total_for(p, qty)
    if s.max_total_cents is not None and total > s.max_total_cents:
        return c.say(f"{qty} × {p.name} comes to {usd(total)} with tax and shipping, above your "
                     f"{usd(s.max_total_cents)} limit, so I haven't put it in a cart.")
    if s.max_delivery_days is not None and p.delivery_days > s.max_delivery_days:
        when = f"by {s.deliver_by}" if s.deliver_by else f"within {s.max_delivery_days} days"
        return c.say(f"{p.name} takes {p.delivery_days} days to deliver, so it can't arrive {when}; I haven't "
                     "put it in a cart. Want me to look for something that arrives sooner?")
    c.state.cart = {"product_id": p.product_id, "quantity": qty, "max_price_cents": s.max_price_cents}
    c.state.asked = None
    return c.call(SHOP, buy_product(p.product_id, p.name, qty, s.max_price_cents),
                  {"op": "buy", "product_id": p.product_id, "quantity": qty, "max_price_cents": s.max_price_cents})


def _alternatives(c: Ctx, p, budget: int | None) -> list:
    same = [a for a in c.catalog.values() if a.category == p.category and a.in_stock and a.product_id != p.product_id
            and (budget is None or a.price_cents <= budget)]
    return sorted(same, key=lambda a: abs(a.price_cents - p.price_cents))[:5]


def _slots(c: Ctx) -> dict:
    from dataclasses import asdict

    d = asdict(c.u.slots)
    d.pop("problems", None)
    return {k: v for k, v in d.items() if v not in (None, False)}


def _browse(c: Ctx) -> Reply:
    s = c.u.slots
    named = c.products()
    items = named or list(c.catalog.values())
    if c.u.excluded:
        items = [p for p in items if p.product_id not in c.u.excluded]
    shown = [p for p in items if (s.max_price_cents is None or p.price_cents <= s.max_price_cents)
             and (s.min_price_cents is None or p.price_cents >= s.min_price_cents)
             and (s.max_delivery_days is None or p.delivery_days <= s.max_delivery_days)]
    if _superlative(c.text) == "cheaper" and c.state.focus:  # cheaper than the product in focus
        ref = min(c.catalog[p].price_cents for p in c.state.focus if p in c.catalog)
        cat = {c.catalog[p].category for p in c.state.focus if p in c.catalog}
        shown = [p for p in shown if p.price_cents < ref and p.product_id not in c.state.focus
                 and (c.u.products or p.category in cat)]
    in_stock = [p for p in shown if p.in_stock]
    if re.search(r"(cheapest|lowest|low to high)\W+(first|to)|by price", c.text.casefold()):
        in_stock = sorted(in_stock, key=lambda p: p.price_cents)
    if len(named) == 1 and not in_stock:
        in_stock = shown  # a product asked for by name is shown even when out of stock
    if c.u.reference != "superlative" and _superlative(c.text) not in (None, "cheaper") and not named:
        from .pipeline.refs import pick_superlative

        in_stock = [c.catalog[i] for i in pick_superlative(_superlative(c.text) or "low",
                                                            [p.product_id for p in in_stock], c.catalog)]
    c.shown = [p.product_id for p in in_stock]
    if not in_stock:
        within = f" within {usd(s.max_price_cents)}" if s.max_price_cents is not None else ""
        cheapest = min(items, key=lambda p: p.price_cents)
        return c.say(f"Nothing there is in stock{within}; the cheapest match is {cheapest.name} at "
                     f"{usd(cheapest.price_cents)}. Want to see it, or should I watch for a lower price?")
    shown = in_stock[:8]
    ids = [p.product_id for p in shown]
    tail = "Say \"buy it\"" if len(ids) == 1 else "Tell me which one to buy (e.g. \"the second one\")"
    one_category = len({p.category for p in shown}) == 1
    query = c.names(ids) if len(ids) <= 2 else (shown[0].category if one_category else ALL_PRODUCTS)
    return c.list_reply(ids, query, s.max_price_cents, f"{tail}, or ask me to watch a price.",
                        Asked("which_product", "buy_now", [], {}, ids) if len(ids) > 1 else None)


def _superlative(text: str) -> str | None:
    from .pipeline.normalize import normalize
    from .pipeline.refs import superlative

    return superlative(normalize(text))


def _question(c: Ctx) -> Reply:
    items = c.products()
    if not items:
        return c.ask("Which product do you mean?")
    c.state.focus = [p.product_id for p in items]
    if len(items) > 1:
        c.state.last_list = [p.product_id for p in items]
    low = c.text.casefold()
    if len(items) > 1 and c.u.topic == "price" and (c.u.quantities or "total" in low or " and " in low):
        return c.say(answers.basket_answer([(p, c.u.quantities.get(p.product_id, 1)) for p in items]))
    return c.say(answers.product_answer(c.u.topic, items))


def _orders(c: Ctx) -> Reply:
    if c.u.topic == "watches":
        notify = {w.job_id for w in c.state.watches if w.notify_only}
        return c.say(answers.watches_answer([replace(w, notify_only=w.notify_only or w.job_id in notify)
                                             for w in c.world.watches()]))
    return c.say(answers.orders_answer(c.world.orders(), c.world.watches(), c.u.topic, c.catalog))


def _spending(c: Ctx) -> Reply:
    words = c.text.casefold().replace("?", " ").split()
    return c.say(answers.spending_answer(c.world.orders(), words, c.world.now()))


def _policy(c: Ctx) -> Reply:
    if c.u.topic == "returns":
        return c.say(answers.returns_answer(c.world.orders()))
    return c.say(answers.POLICIES.get(c.u.topic or "shipping", answers.SHIPPING))


def _help(c: Ctx) -> Reply:
    return c.say(answers.HELP)


def _out_of_scope(c: Ctx) -> Reply:
    rude = any(w in c.text.casefold() for w in ("stupid", "idiot", "useless", "dumb", "hate", "suck", "shut up",
                                                "fuck", "shit", "moron", "worst"))
    return c.say(answers.RUDE if rude else answers.OUT_OF_SCOPE)


def _not_carried(c: Ctx) -> Reply:
    from .pipeline.resolve import resolve  # noqa: F401  (the category came from the resolver)

    what = c.u.missing_product or "that"
    cat = _missing_category(what)
    alts = sorted([p for p in c.catalog.values() if p.category == cat and p.in_stock], key=lambda p: p.price_cents)[:4]
    text = f"Sorry, the GhostCart Demo Store doesn't carry {what}, so I can't buy or watch it."
    if alts:
        c.show([a.product_id for a in alts], cat)
        c.state.focus = []
        text += f" The closest we have in {cat}:\n" + "\n".join(answers.line(i, a) for i, a in enumerate(alts, 1))
        text += "\n\nWant one of these?"
        c.state.asked = Asked("which_product", "buy_now", [], {}, [a.product_id for a in alts])
        return Reply(text)
    return c.say(text + " What else can I look for?")


def _missing_category(what: str) -> str:
    from .pipeline.lexicon import NOT_CARRIED

    return NOT_CARRIED.get(what, NOT_CARRIED.get(what.rstrip("s"), ""))  # unknown: no arbitrary alternatives


def _clarify(c: Ctx) -> Reply:
    u = c.u
    if u.slots.problems:
        return c.ask(problem_question(u.slots.problems))
    if u.unknown and not u.products:
        return c.ask(unknown_question(u, c.catalog))
    items = c.products()
    budget = u.slots.max_price_cents
    if len(items) == 1 and budget is not None and items[0].price_cents > budget:
        return _over_budget(c, items[0], budget)
    if len(items) == 1:
        p = items[0]
        c.state.focus = [p.product_id]
        return c.ask(f"Do you want me to buy {p.name} now ({usd(p.price_cents)}), or watch it and buy it later when "
                     "a condition holds (for example a price drop)?", Asked("now_or_later", "buy_now", [p.product_id],
                                                                           _slots(c)))
    if len(items) > 1:
        return _browse(c)
    return c.ask("What would you like me to buy or look for?", Asked("which_product", "buy_now", [], _slots(c), []))


def _over_budget(c: Ctx, p, budget: int, note: str = "") -> Reply:
    """A product asked for with a budget it doesn't fit: say so, and offer what fits (closest to the
    budget first, same category), never a purchase above it."""
    gap = p.price_cents - budget
    text = f"{p.name} is {usd(p.price_cents)}, {usd(gap)} over your {usd(budget)} budget.{note}"
    fits = sorted([a for a in c.catalog.values() if a.category == p.category and a.in_stock
                   and a.price_cents <= budget and a.product_id != p.product_id], key=lambda a: -a.price_cents)[:3]
    if not fits:
        c.state.focus = [p.product_id]
        return c.say(text + f" Nothing else in {p.category} fits that budget. Raise it (\"make it "
                     f"{usd(p.price_cents).split('.')[0]}\"), or ask me to watch {p.name} for a lower price.")
    ids = [a.product_id for a in fits]
    c.show(ids, p.category)
    c.state.focus = [p.product_id]  # "make it $400" still revises the product asked for
    c.state.asked = Asked("which_product", "buy_now", [], {"max_price_cents": budget}, ids)
    return Reply(text + f" Within your budget in {p.category}:\n"
                 + "\n".join(answers.line(i, a) for i, a in enumerate(fits, 1))
                 + f"\n\nWant one of these? Or I can watch {p.name} and buy it if it drops to {usd(budget)}.")


def _retry(c: Ctx) -> Reply:
    if not c.state.retry_cart:
        return c.say("There is no declined payment to retry. What would you like to buy?")
    low = c.text.casefold()
    hint = next((w for w in _CARDS if w in low), None)
    digits = [w for w in low.replace(",", " ").split() if w.isdigit() and len(w) == 4]
    hint = digits[0] if digits else hint
    return Reply(calls=[(SHOP, {"input": retry_payment(c.state.retry_cart, hint)})])


def _decline(c: Ctx) -> Reply:
    if any(w in c.text.casefold() for w in ("thank", "thx", "cheers", "great", "cool", "perfect", "awesome")):
        return c.say("You're welcome! Anything else I can find for you?")
    return c.say("Okay, I won't buy anything. What else can I help you with?")


HANDLERS: dict[Act, Callable[[Ctx], Reply]] = {
    Act.BUY_NOW: _buy_now,
    Act.WATCH_BUY: policy_watch.watch,
    Act.WATCH_NOTIFY: policy_watch.watch,
    Act.BROWSE: _browse,
    Act.PRODUCT_QUESTION: _question,
    Act.ORDERS: _orders,
    Act.SPENDING: _spending,
    Act.POLICY: _policy,
    Act.CANCEL_WATCH: policy_watch.cancel,
    Act.CHANGE_WATCH: policy_watch.change,
    Act.HELP: _help,
    Act.OUT_OF_SCOPE: _out_of_scope,
    Act.NOT_CARRIED: _not_carried,
    Act.CLARIFY: _clarify,
    Act.RETRY_PAYMENT: _retry,
    Act.DECLINE: _decline,
}


def decide(t: Transcript, world: World | None = None) -> Reply:
    if t.results:  # a specialist failed instead of answering (delegation ends on success)
        r = t.results[-1]
        why = r.data.get("message") or r.data.get("text") or "an unexpected error"
        return Reply(f"Sorry, that didn't work: {str(why)[:200]}. Please try again.")
    w = world or bare()
    state = w.state()
    products = w.products()
    u = understand(t.request, state, products, w.today())
    ctx = Ctx(t.request, u, state, w, {p.product_id: p for p in products})
    asked_before = state.asked
    reply = HANDLERS[u.act](ctx)
    if state.asked is asked_before and asked_before is not None:
        state.asked = None  # an answered (or ignored) question is not asked again
    decided = u.act
    if u.act in _ASKS_WHEN_STUCK and not reply.calls and not ctx.understood_only:
        decided = Act.CLARIFY  # nothing was done: the shopper was asked (or told why not)
    state.last_act = str(u.act)
    state.last = {**u.summary(), "act": str(decided), "understood_act": str(u.act)}
    if ctx.shown is not None:
        state.last["products"] = list(ctx.shown)
    state.history = (state.history + [u.summary()])[-20:]
    w.save()
    return reply
