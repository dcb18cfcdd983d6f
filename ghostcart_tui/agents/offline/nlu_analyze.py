"""One pass over a message: tokens, money, times, quantity, verbs and the product words left."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .nlu_money import UNIT_WORDS, Amount, bounds, find_amounts
from .nlu_text import Token, normalize, spelled_number, tokenize
from .nlu_time import DELIVERY, DURATION, TimeSpan, find_times
from .nlu_vocab import (
    FILLER,
    NOUN_DETERMINERS,
    POSSESSIVES,
    STRONG_BUY,
    TRACK_OBJECTS,
    VERB_PREV,
    WATCH_NOUN_NEXT,
    WATCH_VERBS,
)

MAX_QUANTITY = 99
_X_QTY = re.compile(r"x([0-9]{1,4})")
_QTY_PREV_BLOCK = frozenset("# number num no nr option item choice result the a an".split())
_QTY_NEXT_OK = frozenset("of more units pcs pieces".split())
_QTY_VERBS = frozenset("buy order get take grab purchase want need add".split())
_BUY_PREV_OK = frozenset(
    ". , ! ? ; please pls plz can could i i'll ill will to and then let just go you u "
    "gotta wanna should must also now me".split()
)
_GET_NEXT_BLOCK = frozenset(
    "notified notification notifications alerted alert back cheaper lower below under to down "
    "there here delivered in on it".split()
)
_MEASURE_UNITS = UNIT_WORDS | frozenset(
    "inch pack pk ounce ounces quart qt cup gallon speed".split()
)
_SET_VERB_NEXT = frozenset("it the my a an to up me".split())
_GET_PREV_BLOCK = frozenset("it they price prices that this which cost costs".split())


@dataclass
class Analysis:
    norm: str
    toks: list[Token]
    lows: list[str]
    amounts: list[Amount]
    times: list[TimeSpan]
    item_max: int | None
    total_max: int | None
    bad_amount: Amount | None
    quantity: int
    quantity_idx: int | None
    verbs: set[int]  # watch/monitor/track used as verbs
    buy_idx: list[int]  # strong buy verbs
    product_idx: list[int]

    @property
    def product_query(self) -> str:
        return " ".join(self.lows[i] for i in self.product_idx)

    def times_of(self, kind: str) -> list[TimeSpan]:
        return [t for t in self.times if t.kind == kind]

    @property
    def delivery_days(self) -> int | None:
        ok = [t.days for t in self.times_of(DELIVERY) if t.days is not None]
        return min(ok) if ok else None

    @property
    def duration_days(self) -> int | None:
        ok = [t.days for t in self.times_of(DURATION) if t.days is not None]
        return ok[0] if ok else None



def _watch_verbs(toks: list[Token], lows: list[str], skip: set[int]) -> set[int]:
    """Indices of watch/monitor/track used as verbs; "track my order" goes into skip instead."""
    out = set()
    n = len(lows)
    for i, w in enumerate(lows):
        if w in ("watching", "monitoring", "tracking"):
            out.add(i)
            continue
        if w not in WATCH_VERBS:
            continue
        prev = lows[i - 1] if i else "."
        nxt = lows[i + 1] if i + 1 < n else ""
        if i > 0 and prev not in VERB_PREV and toks[i - 1].kind != "punct":
            continue  # "a watch", "smart watch", "gaming monitor"
        if nxt in ("", "?", "under", "below", "<", "$") or nxt in WATCH_NOUN_NEXT:
            continue  # "watch under $200", "watch bands", "monitor?"
        if toks[i + 1].kind == "num":
            continue
        if nxt == "for" and i + 2 < n and lows[i + 2] in ("under", "less", "below", "$"):
            continue
        if w == "track" and (nxt in TRACK_OBJECTS or (i + 2 < n and lows[i + 2] in TRACK_OBJECTS)):
            skip.add(i)  # "track my order" is not price monitoring
            continue
        out.add(i)
    return out


def _buy_verbs(lows: list[str]) -> list[int]:
    out = []
    n = len(lows)
    carts = [i for i, w in enumerate(lows) if w in ("cart", "basket")]
    last_cart = carts[-1] if carts else -1
    for i, w in enumerate(lows):
        prev = lows[i - 1] if i else "."
        nxt = lows[i + 1] if i + 1 < n else ""
        if w in STRONG_BUY:
            if w in ("order", "purchase") and prev in NOUN_DETERMINERS:
                continue
            out.append(i)
        elif w in ("get", "gimme"):
            if w == "get" and (prev in _GET_PREV_BLOCK or nxt in _GET_NEXT_BLOCK):
                continue
            if w == "get" and prev not in _BUY_PREV_OK and i != 0 and nxt != "me":
                continue
            out.append(i)
        elif (w == "pick" and nxt == "up") or (w in ("add", "put", "throw", "stick") and last_cart > i) \
                or (w == "check" and nxt == "out" and i + 2 >= n) \
                or (w in ("take", "have") and prev in ("i'll", "ill", "i'd")):
            out.append(i)
    return out


def _is_measure(toks: list[Token], lows: list[str], i: int, norm: str) -> bool:
    """A number that is a size or spec of the product, not a count of items."""
    if norm[toks[i].end : toks[i].end + 1] in ('"', "'"):
        return True
    return i + 1 < len(lows) and lows[i + 1] in _MEASURE_UNITS


def _quantity(
    toks: list[Token], lows: list[str], taken: set[int], norm: str
) -> tuple[int, int | None]:
    n = len(lows)
    for i, t in enumerate(toks):
        if i in taken:
            continue
        prev = lows[i - 1] if i else ""
        nxt = lows[i + 1] if i + 1 < n else ""
        val: int | None = None
        if t.kind == "word" and _X_QTY.fullmatch(t.low):
            val = int(t.low[1:])
        elif t.low in ("qty", "quantity") and i + 1 < n:
            k = i + 2 if nxt in (":", "=", "of") else i + 1
            if k < n and toks[k].kind == "num" and toks[k].low.isdigit():
                val = int(toks[k].low)
        elif t.low == "dozen" and prev in ("a", "one"):
            val = 12
        elif t.low == "couple" and prev == "a":
            val = 2
        else:
            num = None
            end = i + 1
            if t.kind == "num" and t.low.isdigit() and len(t.low) <= 6:
                num = int(t.low)
            elif t.kind == "word" and t.low not in ("a", "an"):
                sp = spelled_number(lows, i)
                if sp is not None and sp[1] == i + 1:
                    num, end = sp
            if num is None or prev in _QTY_PREV_BLOCK or (i > 0 and toks[i - 1].kind == "sym"):
                continue
            if _is_measure(toks, lows, end - 1, norm):
                continue  # "27 inch monitor", '65" TV', "2 pack"
            prev_ok = i == 0 or toks[i - 1].kind == "punct" or prev in FILLER
            nx = lows[end] if end < n else ""
            next_product = (
                end < n and toks[end].kind == "word" and nx not in FILLER and end not in taken
            )
            if prev_ok and (next_product or nx in _QTY_NEXT_OK or nx == "x"):
                val = num
            elif prev in _QTY_VERBS and (end >= n or toks[end].kind != "word" or nx in FILLER):
                val = num  # "buy 2", "get two in blue"
        if val is not None and val >= 1:
            return min(val, MAX_QUANTITY), i
    return 1, None


def analyze(text: object) -> Analysis:
    norm = normalize(text)
    toks = tokenize(norm)
    lows = [t.low for t in toks]
    amounts = find_amounts(toks, norm)
    taken: set[int] = set()
    for a in amounts:
        taken.update(range(a.start, a.end))
        taken.update(a.extra)
    times = find_times(toks, taken)
    for ts in times:
        taken.update(range(ts.start, ts.end))
    qty, qidx = _quantity(toks, lows, taken, norm)
    if qidx is not None:
        taken.add(qidx)
    skip: set[int] = set()
    verbs = _watch_verbs(toks, lows, skip)
    for i, w in enumerate(lows):
        if w == "set" and i + 1 < len(lows) and lows[i + 1] in _SET_VERB_NEXT:
            skip.add(i)  # "set the max to 200" (but "sheet set", "a set of knives" are products)
    buy_idx = _buy_verbs(lows)
    product: list[int] = []
    skip_until = -1
    n = len(toks)
    for i, t in enumerate(toks):
        if i in taken or i in skip or i <= skip_until:
            continue
        w = t.low
        if w in ("for", "as") and i + 1 < n and lows[i + 1] in POSSESSIVES:
            # "for my kitchen", "as a gift for her": who it is for is not the product
            k = i + 2
            while k < n and k <= i + 3 and toks[k].kind == "word" and lows[k] not in FILLER:
                k += 1
            skip_until = k - 1
            continue
        if t.kind in ("word", "numword"):
            if i in verbs or w in FILLER:
                continue
            product.append(i)
        elif t.kind == "num" and (
            (product and product[-1] == i - 1) or _is_measure(toks, lows, i, norm)
        ):
            product.append(i)  # "AirPods Pro 2", "Nike Air Max 270", "27 inch"
    item, total, bad = bounds(amounts)
    if item is None and total is not None:
        item = total // qty  # the whole order is capped, so each item is too
    return Analysis(
        norm, toks, lows, amounts, times, item, total, bad, qty, qidx, verbs, buy_idx, product
    )
