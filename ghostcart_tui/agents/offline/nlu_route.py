"""classify(): what kind of turn a shopper's message is, and what it is about."""

from __future__ import annotations

from .nlu_analyze import Analysis, analyze
from .nlu_followup import bare_price, cancel, ordinal_ref, pick, retry, vocab_reply, words
from .nlu_money import LOWER, RELATIVE
from .nlu_text import PhraseBook
from .nlu_types import FollowUp, Route
from .nlu_vocab import (
    CONDITION_PHRASES,
    DROP_NEXT,
    HEDGE_PHRASES,
    IF_NEXT_EXCLUDE,
    IF_PREV_EXCLUDE,
    SEARCH_PHRASES,
    SEARCH_VERBS,
    SOFT_SEARCH_PHRASES,
    WEAK_BUY,
    WHEN_NEXT_EXCLUDE,
)

_CONDITION = PhraseBook(CONDITION_PHRASES)
_SEARCH = PhraseBook(SEARCH_PHRASES)
_HEDGE = PhraseBook(HEDGE_PHRASES)
_SOFT_SEARCH = PhraseBook(SOFT_SEARCH_PHRASES)
_WEAK_BUY_PHRASES = PhraseBook(
    ["would like", "i'd like", "id like", "gotta have", "i'll take", "i'd love", "would love"]
)
_FALL_VERBS = frozenset(
    "drop drops dropped dropping fall falls falling dip dips dipped sink sinks".split()
)
_GO_VERBS = frozenset("goes go going comes come coming gets get getting".split())
_GO_NEXT = frozenset("down below under lower cheaper beneath".split())
_HIT_VERBS = frozenset("hits hit reaches reach".split())
_UNTIL_NEXT = frozenset("it it's its they they're the price prices".split())
_CATALOG_VERBS = frozenset("have sell carry got offer stock".split())
_NEGATIONS = frozenset("don't dont not never".split())
_OFF_CLAUSE = frozenset("what anything everything something what's whats".split())


def _route(a: Analysis, kind: str, followup: FollowUp | None = None, skip: int = -1) -> Route:
    return Route(
        kind=kind,
        product_query=" ".join(a.lows[i] for i in a.product_idx if i != skip),
        max_price_cents=a.item_max,
        quantity=a.quantity,
        followup=followup,
        max_total_cents=a.total_max,
        amount_error=a.bad_amount.error if a.bad_amount else None,
    )


# ---- intent cues --------------------------------------------------------------------------


def _conditional(a: Analysis) -> bool:
    lows = a.lows
    n = len(lows)
    if a.verbs:
        return True
    for s, k, label in _CONDITION.find_all(lows):
        if label.endswith("on sale") and s > 0 and lows[s - 1] in _OFF_CLAUSE:
            continue
        if lows[s + k : s + k + 1] in (["if"], ["whether"]) and lows[s + k + 1 : s + k + 2] in (
            ["you"], ["there"], ["y'all"], ["u"],
        ):
            continue  # "let me know if you have blenders" is a question about the catalog
        return True
    amount_starts = {am.start for am in a.amounts}
    for i, w in enumerate(lows):
        prev = lows[i - 1] if i else ""
        nxt = lows[i + 1] if i + 1 < n else ""
        if w == "if":
            if nxt in IF_NEXT_EXCLUDE or prev in IF_PREV_EXCLUDE:
                continue
            window = lows[i + 1 : i + 5]
            if nxt == "in" or ("stock" in window and "back" not in window):
                continue  # "buy it if in stock": a plain purchase
            return True
        if w in ("when", "whenever"):
            if nxt in WHEN_NEXT_EXCLUDE:
                continue
            if i == 0 and nxt in ("is", "are", "'s") and a.norm.rstrip().endswith("?"):
                continue
            return True
        if w == "once" and prev != "at" and nxt not in ("again", "more", "a", "or", "upon", "and"):
            return True
        if w in ("until", "till", "til", "unless") and nxt in _UNTIL_NEXT:
            return True
        if w in _FALL_VERBS and (nxt in DROP_NEXT or (i + 1) in amount_starts):
            return True
        if w in _GO_VERBS and nxt in _GO_NEXT:
            return True
        if w in _HIT_VERBS and i in amount_starts:
            return True
    # "Below $200, buy AirPods": a bound stated before the purchase is a condition
    for am in a.amounts:
        if am.role in (LOWER, RELATIVE) or lows[am.start] in ("$", "usd"):
            continue
        lead = [w for w in lows[: am.start] if w not in ("only", "just", "if", "but")]
        if not lead and any(b >= am.end for b in a.buy_idx):
            return True
        break
    return False


def _is_search(a: Analysis) -> bool:
    lows = a.lows
    if any(w in SEARCH_VERBS and w != "look" for w in lows):
        return True
    if "look" in lows and {"for", "at", "up", "around"} & set(lows):
        return True
    if _SEARCH.find_all(lows):
        return True
    ws = words(a)
    if ws and ws[0] in ("any", "anything", "got"):
        return True
    if ws and ws[0] in ("what", "what's", "whats") and _CATALOG_VERBS & set(ws):
        return True
    if "check" in lows:
        i = lows.index("check")
        if i + 1 < len(lows) and lows[i + 1] == "out" and any(p > i + 1 for p in a.product_idx):
            return True
    return False


def _has_hedge(a: Analysis) -> bool:
    return bool(_HEDGE.find_all(a.lows))


def _weak_buy(a: Analysis) -> bool:
    return any(w in WEAK_BUY for w in a.lows) or bool(_WEAK_BUY_PHRASES.find_all(a.lows))


def _negated_purchase(a: Analysis) -> bool:
    """Every purchase verb is negated: "I don't want AirPods", "do not buy the mixer"."""
    lows = a.lows
    verbs = list(a.buy_idx) + [i for i, w in enumerate(lows) if w in WEAK_BUY]
    return bool(verbs) and all(
        any(w in _NEGATIONS for w in lows[max(0, i - 2) : i]) for i in verbs
    )


def _classify(a: Analysis) -> Route:
    if not words(a):
        return _route(a, "chitchat")
    fu = cancel(a)
    if fu:
        return Route("followup", str(fu.payload or ""), a.item_max, a.quantity, fu, a.total_max)
    fu = retry(a)
    if fu:
        return Route("followup", "", followup=fu)
    if _conditional(a):
        return _route(a, "conditional")
    fu = pick(a)
    if fu:
        ref = ordinal_ref(a.toks, a.lows) if isinstance(fu.payload, int) else None
        return _route(a, "followup", fu, skip=ref[1] if ref else -1)
    search = _is_search(a)
    has_product = bool(a.product_idx)
    bounded = [am for am in a.amounts if am.role not in (LOWER, RELATIVE)]
    if bounded and not has_product and not a.buy_idx and not search:
        return _route(a, "followup", FollowUp("adjust_price", a.item_max))
    bare = bare_price(a)
    if bare is not None:
        return Route("followup", "", bare, a.quantity, FollowUp("adjust_price", bare))
    fu = vocab_reply(a)
    if fu:
        return Route("followup", "", followup=fu)
    if not has_product:
        if a.buy_idx:
            return _route(a, "immediate")
        if search:
            return _route(a, "search")
        return _route(a, "chitchat")
    if search:
        return _route(a, "search")
    if _has_hedge(a):
        return _route(a, "ambiguous")
    if _negated_purchase(a):
        return _route(a, "followup", FollowUp("decline"))
    if a.buy_idx:
        return _route(a, "immediate")
    if _SOFT_SEARCH.find_all(a.lows):
        return _route(a, "search")
    if _weak_buy(a):
        return _route(a, "immediate")
    if a.item_max is not None or a.total_max is not None or a.bad_amount is not None:
        return _route(a, "search")
    return _route(a, "ambiguous")


def classify(text: str) -> Route:
    """Route a shopper's message. Never raises; hostile input becomes chitchat at worst."""
    try:
        return _classify(analyze(text))
    except Exception:
        return Route("chitchat")
