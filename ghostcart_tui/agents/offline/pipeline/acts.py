"""Step 4, pick the act: features of the message (cue phrases on the words nobody claimed yet,
what resolved, which slots filled, what the assistant just asked) are scored by one linear scorer
per act, and the best score wins. No scorer looks at another's result, and no order matters: to
add an act, add an entry to SCORERS (and its handler in policy_supervisor.HANDLERS).

A near tie between two acts, or nothing scoring above CLARIFY's floor, is a question, not a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .lexicon import CUES
from .resolve import Resolution
from .types import Act, Slots, Token

_DETERMINERS = frozenset("the my that this last your an our latest recent previous first which".split())
FLOOR = 1.0  # CLARIFY's score: every other act must beat it
MARGIN = 0.35  # two acts closer than this (both spending or cancelling) → ask


@dataclass
class Features:
    cue: dict[str, float] = field(default_factory=dict)  # cue name → strength (0..n)
    named: bool = False  # the message names catalog products
    several: bool = False
    category: bool = False
    missing: bool = False  # names something the store does not carry
    price: bool = False  # an amount was given
    notify: bool = False
    stock: bool = False
    ordinal: bool = False
    reference: bool = False  # "it", "that one", "the cheapest": resolves against the state
    content: int = 0  # tokens that are not filler
    asked: str | None = None  # the pending question's kind
    live_watches: int = 0
    declined_cart: bool = False
    retry_cart: bool = False
    last_act: str | None = None
    focus: bool = False  # the state has a product in focus
    ordered: bool = False  # the shopper just bought something
    quantity: bool = False
    listed_named: bool = False  # names a product the assistant just listed ("fine, the blender")
    delivery: bool = False
    returns: bool = False
    sup: bool = False  # a superlative ("the cheapest")
    continues: bool = False  # "and the backpack", "that one too"

    def c(self, name: str) -> float:
        return self.cue.get(name, 0.0)


def _phrases() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """first word → (cue name, phrase), longest phrases first: one dictionary look-up per word."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for name, phrases in CUES.items():
        for p in phrases:
            words = tuple(p.split())
            out.setdefault(words[0], []).append((name, words))
    for entries in out.values():
        entries.sort(key=lambda e: -len(e[1]))
    return out


_PHRASES = _phrases()


def cues(tokens: list[Token], claim: bool = True) -> dict[str, float]:
    """Which cue families occur among the tokens nobody claimed (product and slot words excluded).
    Matched tokens get the role "cue" so accounting knows them."""
    words = [t.text if t.role in ("", "cue", "weak") else "\x00" for t in tokens]
    for i, w in enumerate(words):  # "my order", "the order", "that purchase": a noun, not a request to buy
        if w in ("order", "purchase") and i > 0 and tokens[i - 1].text in _DETERMINERS:
            words[i] = "orders"
    found: dict[str, float] = {}
    for i, w in enumerate(words):
        for name, ph in _PHRASES.get(w, ()):
            n = len(ph)
            if tuple(words[i:i + n]) == ph:
                found[name] = found.get(name, 0.0) + (1.0 if n == 1 else 1.3)
                if claim:
                    for t in tokens[i:i + n]:
                        if t.role in ("", "weak"):
                            t.role = "cue"
    return found


def features(tokens: list[Token], res: Resolution, slots: Slots, found: dict[str, float], *, asked: str | None,
             live_watches: int, declined_cart: bool, retry_cart: bool, last_act: str | None, ordinal: bool,
             reference: bool) -> Features:
    f = Features(cue=found, named=res.named, several=len(res.candidates) > 1,
                 category=res.category is not None, missing=res.missing is not None,
                 price=slots.max_price_cents is not None or slots.max_total_cents is not None
                 or bool(slots.percent_off) or bool(slots.price_drop_cents),
                 stock=slots.condition == "stock", ordinal=ordinal, reference=reference,
                 content=sum(1 for t in tokens if t.role not in ("filler",) and t.text not in (",", ";", "?", "!")),
                 asked=asked, live_watches=live_watches, declined_cart=declined_cart, retry_cart=retry_cart,
                 last_act=last_act)
    if any(t.text in ("please", "pls", "plz") for t in tokens) and res.named and not found.get("question"):
        f.cue["buy"] = f.cue.get("buy", 0.0) + 0.7  # "a pair of Air Max 270s please"
    f.notify = slots.notify_only and (f.c("condition") + f.c("if_when") > 0 or f.c("watch") > 0 or f.stock
                                      or f.price) and (slots.notify_strong or f.c("buy") < 1)
    return f


def _watchish(f: Features) -> float:
    """How strongly the message asks for a future, conditional purchase."""
    trigger = f.c("condition") > 0 or f.price or f.stock or (f.delivery and f.c("buy") > 0)
    asking = f.c("question") >= 1 and not f.price and not f.stock and not (f.delivery and f.c("buy") > 0)
    cond = 0.0
    if f.c("if_when") > 0 and not asking:
        cond = 1.0 if trigger else 0.7
    elif f.c("condition") > 0 and not asking:
        cond = 0.5
    return min(2.0, f.c("watch") + cond + (0.5 if f.stock else 0.0))


def _about_product(f: Features) -> bool:
    return f.named or f.several or f.reference or f.ordinal or f.category


def _specific(f: Features) -> bool:
    return f.named or f.reference or f.ordinal


def _revises(f: Features) -> bool:
    """A follow-up that changes the purchase just discussed: "make it $450", "actually just one"."""
    return f.last_act == "buy_now" and (f.c("change") > 0 or f.c("buy") > 0 or f.c("yes") > 0) \
        and (f.price or f.named or f.quantity) and f.focus


def _buy_now(f: Features) -> float:
    s = 1.6 * min(f.c("buy"), 1.0) + 0.6 * min(f.c("now"), 1) + (0.6 if _specific(f) or _revises(f) else -1.0)
    s += 1.6 * (f.listed_named and (f.c("yes") > 0 or f.content <= 4) and not f.c("question") and not f.c("browse"))
    s += 2.0 * _revises(f) - 1.5 * min(f.c("hedge"), 1) - 1.5 * min(f.c("orders"), 1) - 3.0 * min(f.c("deal"), 1)
    s += 1.2 * (f.continues and f.last_act == "buy_now" and (f.named or f.reference))
    if f.asked in ("which_product", "quantity") and (f.ordinal or f.named):
        s += 0.8
    return s - 2.2 * _watchish(f) - 3.0 * f.notify - 1.2 * min(f.c("question"), 1.5) * (f.c("buy") < 1) \
        - 0.8 * f.c("browse") - 2.0 * f.missing - 1.5 * f.c("cancel") * (f.c("buy") < 1)


def _watch_buy(f: Features) -> float:
    return 1.7 * _watchish(f) + 0.6 * min(f.c("buy"), 1) + (0.4 if _about_product(f) else -0.5) \
        + (0.3 if f.price else 0) - 3.0 * f.notify - 2.0 * f.missing - 1.5 * f.c("cancel") \
        - 1.0 * (f.c("change") > 0 and f.live_watches > 0) - 0.6 * min(f.c("question"), 1) * (f.c("buy") < 1) \
        - 2.0 * (f.c("change") > 0 and f.c("limit") > 0 and not f.c("if_when")) \
        + 1.2 * (f.continues and f.last_act == "watch_buy" and f.named) - 1.0 * (f.category and not f.named) \
        - 1.0 * (_watchish(f) == 0)


def _watch_notify(f: Features) -> float:
    return 3.0 * f.notify + 0.5 * _watchish(f) + (0.3 if _about_product(f) else 0) - 2.0 * f.missing \
        - 1.5 * f.c("cancel")


def _browse(f: Features) -> float:
    s = 1.6 * min(f.c("browse"), 1.5) + (0.6 if f.several or f.category else 0) + 0.3 * f.price
    verbless = f.c("buy") + f.c("watch") + f.c("if_when") + f.c("question") == 0
    s += 1.0 * (((f.category and not f.named) or f.several) and verbless)  # "electronics under 200"
    s += 1.0 * (f.category and not f.named and f.c("question") > 0 and f.c("buy") == 0)  # "fashion stuff?"
    s += 1.8 * (f.sup and not f.named and not f.c("buy"))
    s += 0.8 * (f.c("browse") >= 1.3 and not f.c("buy"))
    s += 1.2 * (f.c("question") > 0 and not _about_product(f) and (f.price or f.delivery) and not f.c("buy"))
    s += 0.4 * (f.sup and not f.c("buy"))
    return s - 1.0 * min(f.c("buy"), 1) * (f.c("browse") < 1) - 1.2 * _watchish(f) - 1.5 * f.missing \
        - 0.6 * (f.c("question") > 0 and f.named and not f.several)


def _question(f: Features) -> float:
    q = min(f.c("question"), 2.0)
    q += 1.0 * (f.c("hedge") > 0 and f.several and not f.c("buy"))  # "I'm torn between the lamp and the backpack"
    return 1.4 * q + (0.6 if _specific(f) else -0.6) - 1.0 * (f.category and not f.named) \
        - 3.0 * min(f.c("deal"), 1) - 1.5 * (f.ordered and f.c("orders") > 0) - 1.0 * (not _about_product(f)) \
        - 1.2 * (f.ordered and f.reference and not f.named and f.last_act in ("buy_now", "clarify")) \
        - 1.0 * (f.c("browse") >= 1.3) - 1.0 * (f.sup and not f.named) - 1.2 * min(f.c("buy"), 1) * (q < 1.3) \
        - 1.2 * _watchish(f) * (f.price or f.stock) - 1.5 * f.missing - 0.7 * f.c("policy") \
        - 1.0 * f.c("orders") - 0.8 * min(f.c("browse"), 1)


def _orders(f: Features) -> float:
    after = f.ordered and f.c("question") > 0 and f.reference and not f.named and f.last_act in ("buy_now", "clarify")
    return 2.4 * min(f.c("orders"), 1.3) - 0.8 * f.c("spending") - 0.5 * _watchish(f) + 2.5 * after


def _spending(f: Features) -> float:
    return 2.8 * min(f.c("spending"), 1.3)


def _policy(f: Features) -> float:
    return 2.0 * min(f.c("policy"), 1.5) - 0.4 * (f.named and f.c("buy") > 0) \
        - 1.0 * _watchish(f) * (f.price or f.stock) - 0.5 * f.c("orders") \
        - 1.5 * (f.named and f.c("question") > 0 and not f.returns)


def _cancel_watch(f: Features) -> float:
    ctx = f.c("watch") > 0 or f.live_watches > 0 or f.last_act in ("watch_buy", "watch_notify", "change_watch")
    return (2.2 * min(f.c("cancel"), 1.3) + 0.5 * f.c("watch")) * ctx - 1.0 * min(f.c("buy"), 1) \
        - 0.8 * (f.asked is not None and f.c("watch") == 0)


def _change_watch(f: Features) -> float:
    ctx = f.live_watches > 0 or f.last_act in ("watch_buy", "watch_notify", "change_watch") or f.c("limit") > 0
    s = (1.6 * min(f.c("change"), 1.3) + 0.8 * f.price + 0.4 * f.c("watch")) * ctx
    return s - 1.0 * f.c("cancel") - 0.6 * (f.c("buy") > 0 and f.c("watch") == 0)


def _help(f: Features) -> float:
    return 2.2 * min(f.c("help"), 1.3) - 0.7 * _about_product(f) - 0.5 * f.price - 0.8 * f.c("buy") \
        - 1.5 * min(f.c("offtopic"), 1) - 1.0 * f.named - 1.0 * min(f.c("deal"), 1)


def _out_of_scope(f: Features) -> float:
    return 2.2 * min(f.c("offtopic") + f.c("rude"), 1.5) - 0.8 * _about_product(f) - 0.6 * min(f.c("buy"), 1) \
        + 1.1 * (f.content > 0 and not f.cue and not _about_product(f) and not f.price)


def _not_carried(f: Features) -> float:
    asks = f.c("buy") + f.c("browse") + f.c("question") + f.c("watch") + f.c("if_when") > 0
    return (3.0 * f.missing + 0.3 * asks) * (asks or f.named or f.content <= 4) - 2.5 * min(f.c("offtopic"), 1)


def _retry(f: Features) -> float:
    return (2.6 * min(f.c("retry"), 1.3)) * (1.0 if f.retry_cart else 0.6) - 0.8 * _about_product(f)


def _decline(f: Features) -> float:
    short = f.content <= 5 and not _about_product(f) and not f.price
    return (1.8 * min(f.c("no"), 1.3) + 0.4 * (f.asked is not None or f.c("thanks") > 0)) * short \
        + 1.3 * (f.c("thanks") > 0 and short and not f.c("help") and not f.c("yes"))


SCORERS: dict[Act, Callable[[Features], float]] = {
    Act.BUY_NOW: _buy_now,
    Act.WATCH_BUY: _watch_buy,
    Act.WATCH_NOTIFY: _watch_notify,
    Act.BROWSE: _browse,
    Act.PRODUCT_QUESTION: _question,
    Act.ORDERS: _orders,
    Act.SPENDING: _spending,
    Act.POLICY: _policy,
    Act.CANCEL_WATCH: _cancel_watch,
    Act.CHANGE_WATCH: _change_watch,
    Act.HELP: _help,
    Act.OUT_OF_SCOPE: _out_of_scope,
    Act.NOT_CARRIED: _not_carried,
    Act.RETRY_PAYMENT: _retry,
    Act.DECLINE: _decline,
    Act.CLARIFY: lambda f: FLOOR,
}

_RISKY = {Act.BUY_NOW, Act.WATCH_BUY, Act.WATCH_NOTIFY, Act.CANCEL_WATCH, Act.CHANGE_WATCH}


def pick(f: Features) -> tuple[Act, dict[str, float]]:
    scores = {str(act): round(fn(f), 3) for act, fn in SCORERS.items()}
    ranked = sorted(SCORERS, key=lambda a: (-scores[str(a)], a is not Act.CLARIFY))  # a tie asks
    best, second = ranked[0], ranked[1]
    close = scores[str(best)] - scores[str(second)] < MARGIN
    if best in _RISKY and second in _RISKY and second is not Act.CLARIFY and close \
            and {best, second} != {Act.WATCH_BUY, Act.WATCH_NOTIFY}:
        return Act.CLARIFY, scores
    return best, scores
