"""Money phrases: "$180", "180 bucks", "under 180", "USD 1,299.99", "no more than $200 all-in".

A number is a price only with a currency marker ($, dollars, bucks, USD) or right after a
bound word ("under 180"), so "AirPods Pro 2" and "Nike Air Max 270" stay product names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ghostcart_tui.core.money import MAX_CENTS, MoneyError, format_cents, parse_money

from .nlu_text import PhraseBook, Token, spelled_number
from .nlu_vocab import FILLER

UPPER, LOWER, TARGET, RELATIVE = "upper", "lower", "target", "relative"

_LEADS = PhraseBook(
    {
        **{p: UPPER for p in (
            "no more than", "not more than", "no higher than", "not higher than",
            "no greater than", "not greater than", "not over", "not above", "not to exceed",
            "not exceeding", "no more then", "for less than", "for under", "for below",
            "less than", "less then", "lower than", "cheaper than", "at most", "at the most",
            "at max", "up to", "under", "below", "beneath", "max", "maximum", "max of",
            "maximum of", "a max of", "a maximum of", "<", "< =", "within", "budget",
            "budget of", "budget is", "a budget of", "my budget is", "under budget of",
            "spend at most", "pay at most", "nothing over", "nothing above", "nothing more than",
            "nothing higher than", "nothing pricier than", "not a cent over", "not a penny over",
        )},
        **{p: LOWER for p in (
            "more than", "greater than", "higher than", "over", "above", "at least",
            "no less than", "not less than", "no lower than", "not under", "not below",
            "starting at", "starting from", "from", "min", "minimum", "a minimum of", ">",
            "> =", "between",
        )},
        **{p: TARGET for p in (
            "to", "down to", "hits", "hit", "reaches", "reach", "at", "for", "around", "about",
            "approximately", "roughly", "is", "are", "be", "priced at", "costs", "cost", "pay",
            "spend", "paying", "spending", "make it", "say", "try", "of like", "@", "it's", "its",
            "they're", "theyre",
            "it is", "they are",
        )},
        **{p: RELATIVE for p in ("by", "save", "saving", "saves", "discount of", "knock off")},
    }
)
_POST = PhraseBook(
    {
        **{p: UPPER for p in (
            "or less", "or lower", "or under", "or below", "or cheaper", "or so", "and under",
            "and below", "and less", "tops", "max", "maximum", "at most", "at the most",
            "or less than that",
        )},
        **{p: LOWER for p in (
            "or more", "or higher", "or above", "and up", "and above", "and over", "plus", "+",
            "or greater",
        )},
        **{p: RELATIVE for p in ("off", "discount", "cheaper", "less", "lower", "more", "higher")},
    }
)
_TOTAL_MARKERS = PhraseBook(
    [
        "total", "totals", "in total", "all in", "altogether", "all together", "overall",
        "grand total", "all told", "including tax", "including taxes", "including shipping",
        "incl tax", "incl shipping", "with tax", "with taxes", "with shipping",
        "tax included", "taxes included", "shipping included", "after tax", "after taxes",
        "out the door", "out of pocket", "everything included", "all included",
        "including tax and shipping", "including shipping and tax", "with tax and shipping",
        "with shipping and tax", "tax and shipping included", "shipping and tax included",
    ]
)
_HEDGES = frozenset("about around roughly approximately approx like ~ only just say maybe".split())
_USD_PREFIX = frozenset({"$", "usd", "us$"})
_USD_SUFFIX = frozenset({"$", "usd", "dollars", "dollar", "bucks", "buck", "bux"})
_FOREIGN = frozenset({"€", "£", "¥", "eur", "euro", "euros", "gbp", "jpy", "yen", "quid"})
_NAN_WORDS = frozenset({"nan", "inf", "infinity", "infinite", "∞", "-inf", "undefined", "null"})
_NEG_WORDS = frozenset({"minus", "negative"})
UNIT_WORDS = frozenset(
    "day days d hour hours hr hrs h week weeks wk wks month months mo year years yr yrs minute "
    "minutes mins second seconds % percent pct lbs lb pounds kg g oz inch inches cm mm ft feet "
    "watts w gb tb mb mah mp pack packs pieces pcs units items people person players cups "
    "quarts liters litres l ml business working calendar times stars star reviews am pm o'clock"
    .split()
)
_EXPONENT = re.compile(r"[0-9.,]*[0-9]e[+-]?[0-9]+")
_MAX_LEAD_WORDS = frozenset({"max", "maximum"})


@dataclass(frozen=True)
class Amount:
    start: int  # token span [start, end), lead and postfix words included
    end: int
    cents: int | None  # None when unusable (see error)
    error: str | None
    role: str  # upper | lower | target | relative
    currency: bool
    text: str  # the amount as typed, e.g. "$1,299.99"
    total: bool = False
    extra: tuple[int, ...] = ()  # token indices of a total marker bound to this amount

    @property
    def is_bound(self) -> bool:
        return self.role in (UPPER, TARGET)


def _is_word_gap(toks: list[Token], a: int, b: int) -> bool:
    """True when there is whitespace between token a and token b (b = a + 1)."""
    return toks[a].end < toks[b].pos


def _value_error(text: str, cents: int | None, neg: bool) -> str | None:
    if neg:
        return f"{text} is a negative amount"
    if cents is None:
        return f"{text} isn't an amount I can read"
    if cents == 0:
        return f"{text} is zero"
    if cents > MAX_CENTS:
        return f"{text} is more than GhostCart handles ({format_cents(MAX_CENTS)})"
    return None


def _glued_suffix(toks: list[Token], k: int) -> bool:
    """A trailing "$" counts only when glued to its number and not the start of the next amount."""
    if toks[k - 1].end != toks[k].pos:
        return False
    return k + 1 >= len(toks) or toks[k].end != toks[k + 1].pos or toks[k + 1].kind != "num"


class _Core:
    __slots__ = ("cents", "currency", "end", "error", "foreign", "kind", "start", "text")
    start: int
    end: int
    cents: int | None
    error: str | None
    currency: bool
    foreign: bool
    kind: str
    text: str


def _parse_core(toks: list[Token], lows: list[str], norm: str, j: int) -> _Core | None:
    n = len(toks)
    k = j
    neg = False
    cur = False
    foreign = False

    def sign_at(idx: int) -> bool:
        # a "-" is a sign only when glued to what follows and not glued to a word before it
        if idx >= n or lows[idx] not in ("-",) or idx + 1 >= n:
            return False
        if toks[idx].end != toks[idx + 1].pos:
            return False
        return idx == 0 or _is_word_gap(toks, idx - 1, idx) or lows[idx - 1] in _USD_PREFIX

    if (k < n and lows[k] in _NEG_WORDS) or sign_at(k):
        neg = True
        k += 1
    if k < n and lows[k] in _USD_PREFIX:
        cur = True
        k += 1
    elif k + 1 < n and lows[k] == "us" and lows[k + 1] == "$":
        cur = True
        k += 2
    elif k < n and lows[k] in _FOREIGN:
        cur = foreign = True
        k += 1
    if cur and sign_at(k):
        neg = True
        k += 1
    if k >= n:
        return None
    t = toks[k]
    cents: int | None = None
    kind = "num"
    if t.kind == "num":
        digits = t.raw.replace(",", "")
        if len(digits.split(".")[0]) > 15:
            cents = MAX_CENTS + 1
        else:
            try:
                cents = parse_money("0" + t.raw if t.raw.startswith(".") else t.raw)
            except MoneyError as exc:
                cents = MAX_CENTS + 1 if "too large" in str(exc) else None
        k += 1
    elif t.kind == "numword":
        kind = "exponent" if _EXPONENT.fullmatch(t.low) else "garbage"
        k += 1
    elif t.low in _NAN_WORDS:
        kind = "nan"
        k += 1
    else:
        sp = spelled_number(lows, k)
        if sp is None:
            return None
        value, k = sp
        kind = "spelled"
        cents = value * 100
    if k < n and lows[k] in _USD_SUFFIX and (lows[k] != "$" or _glued_suffix(toks, k)):
        cur = True
        k += 1
    elif k < n and lows[k] in _FOREIGN:
        cur = foreign = True
        k += 1
    core = _Core()
    core.start, core.end, core.cents, core.kind = j, k, cents, kind
    core.currency, core.foreign = cur, foreign
    core.text = norm[toks[j].pos : toks[k - 1].end]
    if foreign:
        core.error = f"{core.text} isn't in US dollars (GhostCart prices are in USD)"
    else:
        core.error = _value_error(core.text, cents, neg)
    return core


def _next_ok_for_bare(lows: list[str], toks: list[Token], k: int) -> bool:
    """After a bare number taken as a price: nothing, punctuation, filler or a money postfix."""
    if k >= len(lows):
        return True
    if toks[k].kind in ("punct",) or lows[k] in ("or", "and", "max", "tops", "total", "all"):
        return True
    return toks[k].kind == "word" and lows[k] in FILLER and lows[k] not in UNIT_WORDS


def find_amounts(toks: list[Token], norm: str) -> list[Amount]:
    lows = [t.low for t in toks]
    n = len(toks)
    out: list[Amount] = []
    i = 0
    while i < n:
        lead_len, role = _LEADS.match(lows, i)
        weak_max = (
            lead_len > 0
            and lows[i] in _MAX_LEAD_WORDS
            and i > 0
            and not (toks[i - 1].kind in ("punct", "sym") or lows[i - 1] in FILLER)
        )
        j = i + lead_len
        if lead_len > 0:
            while j < n and lows[j] in _HEDGES:
                j += 1
        core = _parse_core(toks, lows, norm, j)
        accepted = False
        if core is not None:
            nxt = lows[core.end] if core.end < n else ""
            if core.currency:
                accepted = True
            elif weak_max:  # "Air Max 270": a price only with a currency marker
                accepted = False
            elif (
                lead_len <= 0
                and core.kind == "num"
                and core.cents is not None
                and _POST.match(lows, core.end)[1] == UPPER
                and (core.end + 1 >= n or lows[core.end + 1] not in UNIT_WORDS)
                and (
                    lows[core.end] in ("or", "and", "tops")
                    or j == 0
                    or toks[j - 1].kind == "punct"
                    or lows[j - 1] in FILLER
                )
            ):
                accepted = True  # "150 or less", "90 max"
            elif lead_len > 0 and nxt not in UNIT_WORDS and (core.end >= n or nxt != "of"):
                if role in (UPPER, LOWER, RELATIVE):
                    accepted = core.kind in ("num", "spelled", "nan", "exponent")
                else:  # weak lead: "for 200", "drops to 180", "make it 250"
                    accepted = (
                        core.kind == "num"
                        and core.cents is not None
                        and (core.cents >= 1000 or "." in toks[core.start].raw)
                        and _next_ok_for_bare(lows, toks, core.end)
                    )
        if not accepted or core is None:
            i += 1
            continue
        start = i if lead_len > 0 else j
        end = core.end
        amt_role = role if lead_len > 0 else TARGET
        post_len, post_role = _POST.match(lows, end)
        if post_len and lows[end] in ("plus", "+") and end + 1 < n and lows[end + 1] in (
            "tax", "taxes", "shipping", "s&h", "delivery",
        ):
            post_len = 0  # "$200 plus tax" is still a cap on the price
        if post_len:
            if post_role == RELATIVE and end + post_len < n and lows[end + post_len] == "than":
                post_len = 0  # "$20 cheaper than" is a bound again, rare; treat as plain
            elif not (post_role == RELATIVE and amt_role in (UPPER, LOWER)):
                if amt_role == TARGET or post_role == RELATIVE:
                    amt_role = post_role
                end += post_len
        out.append(
            Amount(start, end, None if core.error else core.cents, core.error, amt_role,
                   core.currency, core.text)
        )
        i = end
        # a range's upper end may be bare: "$100-200", "between 100 and 150", "100 to 150 bucks"
        dash = lows[i] == "-" if i < n else False
        if dash and toks[i - 1].end < toks[i].pos and i + 1 < n and toks[i].end == toks[i + 1].pos:
            dash = False  # " -5" is a negative number, not a range
        between = i < n and lows[i] == "and" and lows[start] == "between"
        if i + 1 < n and (dash or lows[i] == "to" or between):
            up = _parse_core(toks, lows, norm, i + 1)
            if up is not None and (up.currency or up.kind == "num") and (
                up.end >= n or lows[up.end] not in UNIT_WORDS
            ):
                out[-1] = replace(out[-1], role=LOWER)
                out.append(
                    Amount(i, up.end, None if up.error else up.cents, up.error, UPPER,
                           up.currency, up.text)
                )
                i = up.end
    return _mark_ranges_and_totals(out, lows)


def _mark_ranges_and_totals(amts: list[Amount], lows: list[str]) -> list[Amount]:
    for idx in range(len(amts) - 1):
        a, b = amts[idx], amts[idx + 1]
        between = lows[a.end : b.start]
        lead_between = a.role == LOWER and lows[a.start] == "between"
        if between in (["-"], ["to"]) or (lead_between and between == ["and"]):
            amts[idx] = replace(a, role=LOWER)
            if b.role in (TARGET, UPPER):
                amts[idx + 1] = replace(b, role=UPPER)
    taken: set[int] = set()
    for a in amts:
        taken.update(range(a.start, a.end))
    for ms, mlen, _ in _TOTAL_MARKERS.find_all(lows):
        me = ms + mlen
        if any(p in taken for p in range(ms, me)):
            continue
        best, best_gap = None, 7
        for idx, a in enumerate(amts):
            if a.role in (LOWER, RELATIVE):
                continue
            gap = (ms - a.end) if ms >= a.end else (a.start - me) if a.start >= me else None
            if gap is None or gap < 0:
                continue
            # a marker before an amount wins ties ("$200, total under $230")
            if gap < best_gap or (gap == best_gap and best is not None and a.start >= me):
                best, best_gap = idx, gap
        if best is not None:
            a = amts[best]
            amts[best] = replace(a, total=True, extra=a.extra + tuple(range(ms, me)))
            taken.update(range(ms, me))
    return amts


def bounds(amts: list[Amount]) -> tuple[int | None, int | None, Amount | None]:
    """(item max, total max, first unusable amount) from the amounts in a message."""
    item = total = None
    bad = None
    for a in amts:
        if a.error:
            if bad is None and a.role != RELATIVE:
                bad = a
            continue
        if not a.is_bound or a.cents is None:
            continue
        if a.total:
            total = a.cents if total is None else min(total, a.cents)
        else:
            item = a.cents if item is None else min(item, a.cents)
    return item, total, bad
