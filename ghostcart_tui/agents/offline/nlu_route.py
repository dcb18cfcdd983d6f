"""classify(): what kind of turn a shopper's message is, and what it is about."""

from __future__ import annotations

import re

from ghostcart_tui.core.money import MoneyError, parse_money

from .nlu_analyze import Analysis, analyze
from .nlu_money import LOWER, RELATIVE, UNIT_WORDS
from .nlu_text import PhraseBook, Token, normalize, spelled_number, tokenize
from .nlu_types import FollowUp, Route
from .nlu_vocab import (
    CANCEL_FILLER,
    CANCEL_HEADS,
    CANCEL_LEAD,
    CARD_BRANDS,
    CHOOSE_PHRASES,
    CONDITION_PHRASES,
    CONFIRM_HEADS,
    CONFIRM_VOCAB,
    DECLINE_HEADS,
    DECLINE_VOCAB,
    DROP_NEXT,
    FILLER,
    HEDGE_PHRASES,
    IF_NEXT_EXCLUDE,
    IF_PREV_EXCLUDE,
    ORDINAL_MARKERS,
    ORDINAL_PREV_EXCLUDE,
    ORDINAL_WORDS,
    PAYMENT_WORDS,
    RETRY_CUES,
    SEARCH_PHRASES,
    SEARCH_VERBS,
    WEAK_BUY,
    WHEN_NEXT_EXCLUDE,
)

_CANCEL = PhraseBook(CANCEL_HEADS)
_CONDITION = PhraseBook(CONDITION_PHRASES)
_SEARCH = PhraseBook(SEARCH_PHRASES)
_HEDGE = PhraseBook(HEDGE_PHRASES)
_CHOOSE = PhraseBook(CHOOSE_PHRASES)
_WEAK_BUY_PHRASES = PhraseBook(["would like", "i'd like", "id like", "gotta have", "i'll take"])
_NTH = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)")
_PROD_ID = re.compile(r"prod_[a-z0-9_]{1,60}")
_FALL_VERBS = frozenset("drop drops dropped dropping fall falls falling dip dips dipped sink sinks".split())
_GO_VERBS = frozenset("goes go going comes come coming gets get getting".split())
_GO_NEXT = frozenset("down below under lower cheaper beneath".split())
_HIT_VERBS = frozenset("hits hit reaches reach".split())
_ORDINAL_NEXT_BLOCK = UNIT_WORDS | frozenset("time minute thing place aid class".split())
_WEAK_OK = frozenset("ok okay k cool great good fine perfect alright".split())
_OFF_CLAUSE = frozenset("what anything everything something what's whats".split())


def _words(a: Analysis) -> list[str]:
    return [t.low for t in a.toks if t.kind not in ("punct",)]


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


# ---- follow-ups ---------------------------------------------------------------------------


def _ordinal_ref(toks: list[Token], lows: list[str]) -> tuple[int, int] | None:
    """(0-based index, token position) of an ordinal reference, or None."""
    n = len(lows)
    for i, w in enumerate(lows):
        prev = lows[i - 1] if i else ""
        nxt = lows[i + 1] if i + 1 < n else ""
        if w in ORDINAL_WORDS or _NTH.fullmatch(w):
            if prev in ORDINAL_PREV_EXCLUDE or prev == "at" or nxt in _ORDINAL_NEXT_BLOCK:
                continue
            if w in ORDINAL_WORDS:
                return ORDINAL_WORDS[w], i
            num = int(w[:-2])
            if num >= 1:
                return num - 1, i
            continue
        if w in ORDINAL_MARKERS and i + 1 < n:
            k = i + 1
            if w == "no" and lows[k] == "." and k + 1 < n:
                k += 1
            t = toks[k]
            if t.kind == "num" and t.low.isdigit() and 1 <= int(t.low) <= 99:
                if w == "no" and toks[i].end != t.pos and k == i + 1 and i > 0:
                    continue  # "... no 2 ..." mid-sentence is not "No. 2"
                return int(t.low) - 1, i
            sp = spelled_number(lows, k) if w != "no" else None
            if sp is not None and 1 <= sp[0] <= 20 and sp[1] == k + 1:
                return sp[0] - 1, i
    meaningful = [
        (t, i) for i, t in enumerate(toks)
        if t.kind != "punct" and t.low not in ("the", "please", "pls", "ok", "okay", "yes", "yeah",
                                              "i'll", "take", "number", "go", "with", "one")
    ]
    if len(meaningful) == 1:
        t, i = meaningful[0]
        if t.kind == "num" and t.low.isdigit() and 1 <= int(t.low) <= 9:
            return int(t.low) - 1, i
    return None


def ordinal(text: str) -> int | None:
    """0-based index named by "the second one", "#2", "number 3", "2nd", "first", "3"; "last" → -1."""
    try:
        toks = tokenize(normalize(text))
        ref = _ordinal_ref(toks, [t.low for t in toks])
    except Exception:  # noqa: BLE001 - user text must never crash the caller
        return None
    return None if ref is None else ref[0]


def _cancel(a: Analysis) -> FollowUp | None:
    lows = a.lows
    i = 0
    while i < len(lows) and i < 5 and (lows[i] in CANCEL_LEAD or a.toks[i].kind == "punct"):
        i += 1
    k, _ = _CANCEL.match(lows, i)
    if not k:
        return None
    rest = [lows[p] for p in a.product_idx if p >= i + k and lows[p] not in CANCEL_FILLER]
    return FollowUp("cancel", " ".join(rest) or None)


def _retry(a: Analysis) -> FollowUp | None:
    lows = a.lows
    words = set(lows)
    retry_alone = "retry" in words or ("try" in words and "again" in words)
    pay = bool(words & PAYMENT_WORDS) or "apple pay" in a.norm.lower() or "google pay" in a.norm.lower()
    if a.buy_idx and not (words & {"pay", "charge"}):
        return None
    if not (retry_alone or (pay and words & RETRY_CUES)):
        return None
    others = [
        lows[p] for p in a.product_idx
        if lows[p] not in PAYMENT_WORDS and lows[p] not in CARD_BRANDS
        and lows[p] not in ("ending", "ends", "apple", "google", "method", "payment", "one", "charge")
    ]
    if others:
        return None
    hint = None
    for i, w in enumerate(lows):
        if w in CARD_BRANDS:
            hint = CARD_BRANDS[w]
            break
        if a.toks[i].kind == "num" and len(w) == 4 and w.isdigit() and i and lows[i - 1] in (
            "ending", "ends", "in", "x", "with",
        ):
            hint = w
            break
    return FollowUp("retry_payment", hint)


def _pick(a: Analysis) -> FollowUp | None:
    lows = a.lows
    for w in lows:
        if _PROD_ID.fullmatch(w):
            return FollowUp("pick", w)
    ref = _ordinal_ref(a.toks, lows)
    if ref is not None:
        idx, pos = ref
        rest = [p for p in a.product_idx if p != pos]
        prev = lows[pos - 1] if pos else ""
        nxt = lows[pos + 1] if pos + 1 < len(lows) else ""
        if not rest or prev in ("the", "#") or lows[pos] in ORDINAL_MARKERS or nxt in (
            "one", "ones", "option", "item", "result", "choice", "product",
        ):
            return FollowUp("pick", idx)
    n = len(lows)
    for k, w in enumerate(lows):
        if w not in ("one", "ones"):
            continue
        for j in range(k - 2, max(-1, k - 5), -1):
            if lows[j] == "the":
                frag = lows[j + 1 : k]
                if frag and all(a.toks[p].kind in ("word", "numword", "num") for p in range(j + 1, k)):
                    return FollowUp("pick", " ".join(frag))
                break
    i = 0
    while i < n and i < 4 and (lows[i] in CANCEL_LEAD or lows[i] in ("yes", "yeah", "let's", "lets", "i'll", "ill", "i", "we'll")):
        i += 1
    k, label = _CHOOSE.match(lows, i)
    if k and not (label == "pick" and i + 1 < n and lows[i + 1] == "up"):
        after = i + k
        if label == "take" and (after >= n or lows[after] != "the"):
            return None
        frag = [lows[p] for p in a.product_idx if p >= after]
        if 1 <= len(frag) <= 4:
            return FollowUp("pick", " ".join(frag))
    return None


def _bare_price(a: Analysis) -> int | None:
    ws = [(t, i) for i, t in enumerate(a.toks) if t.kind != "punct" and t.low not in FILLER]
    if len(ws) == 1 and ws[0][0].kind == "num":
        t = ws[0][0]
        if t.low.isdigit() and int(t.low) < 10:
            return None
        try:
            return parse_money(t.raw)
        except MoneyError:
            return None
    return None


def _vocab_reply(a: Analysis) -> FollowUp | None:
    ws = _words(a)
    if not ws:
        return None
    if all(w in DECLINE_VOCAB for w in ws) and any(w in DECLINE_HEADS for w in ws):
        return FollowUp("decline")
    if all(w in CONFIRM_VOCAB for w in ws):
        heads = {w for w in ws if w in CONFIRM_HEADS}
        if heads and not (heads <= _WEAK_OK and ("thanks" in ws or "thank" in ws)):
            return FollowUp("confirm")
    return None


# ---- intent cues --------------------------------------------------------------------------


def _conditional(a: Analysis) -> bool:
    lows = a.lows
    n = len(lows)
    if a.verbs:
        return True
    for s, k, label in _CONDITION.find_all(lows):
        if label.endswith("on sale") and s > 0 and lows[s - 1] in _OFF_CLAUSE:
            continue
        return True
    amount_starts = {am.start for am in a.amounts}
    for i, w in enumerate(lows):
        prev = lows[i - 1] if i else ""
        nxt = lows[i + 1] if i + 1 < n else ""
        if w == "if":
            if nxt in IF_NEXT_EXCLUDE or prev in IF_PREV_EXCLUDE:
                continue
            if nxt == "in" or lows[i + 1 : i + 3] in (["it's", "in"], ["they're", "in"], ["it", "is"]) and (
                "stock" in lows[i + 1 : i + 5]
            ):
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
        if w in ("until", "till", "til", "unless") and nxt in ("it", "it's", "its", "they", "they're", "the", "price", "prices"):
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
    if any(w in SEARCH_VERBS for w in lows):
        if "look" in lows and not ({"for", "at", "up", "around"} & set(lows)):
            pass
        else:
            return True
    if _SEARCH.find_all(lows):
        return True
    ws = _words(a)
    if ws and ws[0] in ("any", "anything", "got"):
        return True
    if ws and ws[0] in ("what", "what's", "whats") and {"have", "sell", "carry", "got", "offer", "stock"} & set(ws):
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


def _classify(a: Analysis) -> Route:
    if not _words(a):
        return _route(a, "chitchat")
    fu = _cancel(a)
    if fu:
        return _route(a, "followup", fu)
    fu = _retry(a)
    if fu:
        return Route("followup", "", followup=fu)
    if _conditional(a):
        return _route(a, "conditional")
    fu = _pick(a)
    if fu:
        ref = _ordinal_ref(a.toks, a.lows) if isinstance(fu.payload, int) else None
        return _route(a, "followup", fu, skip=ref[1] if ref else -1)
    search = _is_search(a)
    has_product = bool(a.product_idx)
    bounded = [am for am in a.amounts if am.role not in (LOWER, RELATIVE)]
    if bounded and not has_product and not a.buy_idx and not search:
        return _route(a, "followup", FollowUp("adjust_price", a.item_max))
    bare = _bare_price(a)
    if bare is not None:
        r = _route(a, "followup", FollowUp("adjust_price", bare))
        return Route(r.kind, "", bare, r.quantity, r.followup)
    fu = _vocab_reply(a)
    if fu:
        return _route(a, "followup", fu)
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
    if a.buy_idx or _weak_buy(a):
        return _route(a, "immediate")
    if a.item_max is not None or a.total_max is not None or a.bad_amount is not None:
        return _route(a, "search")
    return _route(a, "ambiguous")


def classify(text: str) -> Route:
    """Route a shopper's message. Never raises; hostile input becomes chitchat at worst."""
    try:
        return _classify(analyze(text))
    except Exception:  # noqa: BLE001 - a parsing bug must not take the agent down
        return Route("chitchat")
