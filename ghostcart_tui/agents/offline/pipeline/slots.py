"""Step 3, extract slots: budget, total cap, delivery, watch duration, quantity, notify-only.

Works on the tokens the resolver left (product words are already claimed), and marks every token it
uses with its role so the accounting step can find words nobody understood. Amounts: digits (with
text2num having turned spelled numbers into digits), half-spelled prices ("two twenty" → 220),
slang ("bucks", "a grand", "2k"), percentages of today's price ("20% off"), drops ("by $20").
An amount is a price only with a currency word or a budget cue next to it; a number before a
product word is a quantity; a number before "days" is a duration.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from .dates import read_date
from .types import Slots, Token

MAX_CENTS = 10_000_000  # $100,000: more than any single purchase GhostCart handles
MAX_QUANTITY = 10
_NUM = re.compile(r"^\$?(\d+(?:\.\d+)?)(k)?$")
_ITEM_CUES = {"under", "below", "less", "max", "maximum", "most", "upto", "cap", "budget", "cheaper", "than",
              "beneath", "within", "to", "hits", "hit", "reaches", "reach", "at", "for", "is", "around", "about",
              "only", "spend", "pay", "limit", "costs", "cost", "price", "priced", "sub", "<", "<=", "and",
              "between", "lower", "drops", "falls", "dips", "or", "tops", "top"}
_TOTAL_CUES = {"total", "overall", "altogether", "all", "including", "incl", "with", "everything", "combined",
               "together"}
_TOTAL_WORDS = {"all-in", "including", "incl", "inclusive", "tax", "taxes", "and", "shipping", "with", "all", "in",
                "total",
                "overall", "altogether", "combined", "delivery", "fees", "everything", "included", "of", "-"}
_MONEY_WORDS = {"dollars", "dollar", "bucks", "buck", "usd", "grand", "k", "quid"}
_FOREIGN = {"€", "£", "euro", "euros", "eur", "gbp", "pounds", "yen", "inr", "rupees", "cad", "aud"}
_UNITS = {"inch", "inches", "in", "cm", "mm", "gb", "tb", "oz", "cups", "cup", "watt", "watts", "w", "mah",
          "hour", "hours", "hr", "hrs", "h", "minutes", "mins", "gen", "generation", "th", "nd", "st", "rd",
          "pack", "liter", "litre", "l", "qt", "pm", "am", "o'clock", "year", "years", "month", "months",
          "week", "weeks", "day", "days", "percent", "%"}
_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "couple": 2, "pair": 2, "few": 3, "dozen": 12, "single": 1, "both": 2}
_DELIVERY = {"deliver", "delivered", "delivery", "deliveries", "arrive", "arrives", "arriving", "arrival",
             "ship", "shipping", "shipped", "ships", "here", "shipment", "get", "receive", "received", "have",
             "need", "by", "before", "in", "within"}
_WATCH_SPAN = {"for", "until", "till", "til", "through", "thru", "over", "next", "during", "upto", "up"}
_DAYS_OF = {"day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14, "fortnights": 14, "month": 30,
            "months": 30, "hour": 1 / 24, "hours": 1 / 24, "hrs": 1 / 24, "h": 1 / 24}
_NOTIFY = (("let", "me", "know"), ("tell", "me"), ("notify",), ("alert", "me"), ("ping",), ("message", "me"),
           ("email", "me"), ("text", "me"), ("heads", "up"), ("remind", "me"), ("don't", "buy"), ("dont", "buy"),
           ("do", "not", "buy"), ("without", "buying"), ("not", "buy"), ("ask", "me"), ("check", "with", "me"),
           ("let", "me", "decide"), ("i'll", "decide"), ("inform", "me"), ("notification",), ("notified",),
           ("give", "me", "a", "shout"), ("don't", "purchase"), ("no", "auto"), ("not", "automatically"),
           ("dont", "purchase"), ("want", "to", "know"), ("wanna", "know"), ("do", "not", "purchase"),
           ("before", "buying"), ("i'll", "buy", "it", "myself"), ("just", "watch"), ("just", "let"))


def _free(t: Token) -> bool:
    return t.role in ("", "weak")


def _num(word: str) -> float | None:
    m = _NUM.match(word)
    if not m:
        return None
    try:
        v = float(m.group(1)) * (1000 if m.group(2) else 1)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _cents(value: float, s: Slots, typed: str) -> int | None:
    cents = value * 100
    if abs(cents - round(cents)) > 1e-6:
        s.problems.append(f"{typed} has more than two decimals")
        return None
    if cents <= 0:
        s.problems.append(f"{typed} is zero")
        return None
    if cents > MAX_CENTS:
        s.problems.append(f"{typed} is more than GhostCart handles")
        return None
    return round(cents)


def _has(tokens: list[Token], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tuple(t.text for t in tokens[i:i + n]) == phrase:
            return i
    return -1


def _window(tokens: list[Token], i: int, before: int, after: int) -> tuple[list[str], list[str]]:
    left: list[str] = []
    for t in reversed(tokens[max(0, i - before):i]):
        if t.text in (",", ";"):
            break
        left.append(t.text)
    right: list[str] = []
    for t in tokens[i + 1:i + 1 + after]:
        if t.text in (",", ";"):
            break
        right.append(t.text)
    return left, right


def _amounts(tokens: list[Token], s: Slots) -> None:
    items: list[int] = []
    totals: list[int] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.text == "foreigndigits":
            s.problems.append("that amount mixes digits of different scripts; please type it with 0-9")
            t.role = "budget"
            i += 1
            continue
        if not _free(t):
            i += 1
            continue
        dollar = t.text.startswith("$") or (i > 0 and tokens[i - 1].text == "$")
        foreign = i > 0 and tokens[i - 1].text in _FOREIGN
        if t.text.endswith("%") or (i + 1 < len(tokens) and tokens[i + 1].text in ("%", "percent")):
            pv = _num(t.text.rstrip("%"))
            if pv is not None and 0 < pv < 100:
                s.percent_off = int(pv)
                t.role = "budget"
                if i + 1 < len(tokens) and tokens[i + 1].text in ("%", "percent"):
                    tokens[i + 1].role = "budget"
            i += 1
            continue
        value = _num(t.text.lstrip("$"))
        span = [t]
        if value is None and t.text in ("grand",) and i > 0 and tokens[i - 1].text in ("a", "one"):
            value, span = 1000.0, [tokens[i - 1], t]
        if value is None:
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        # "two twenty" → "2 20" → 220; "one fifty" → 150
        if (nxt is not None and _free(nxt) and value.is_integer() and 1 <= value <= 9 and not dollar
                and re.fullmatch(r"[1-9]\d", nxt.text)):
            value, span = value * 100 + int(nxt.text), span + [nxt]
            nxt = tokens[i + len(span)] if i + len(span) < len(tokens) else None
        if nxt is not None and nxt.text in ("grand", "k", "thousand"):
            value, span = value * 1000, span + [nxt]
            nxt = tokens[i + len(span)] if i + len(span) < len(tokens) else None
        if (nxt is not None and nxt.text in ("%", "percent")) or t.text.endswith("%"):
            pv = _num(t.text.rstrip("%"))
            if pv is not None and 0 < pv < 100:
                s.percent_off = int(pv)
                for x in span + ([nxt] if nxt is not None and nxt.text in ("%", "percent") else []):
                    x.role = "budget"
            i += len(span)
            continue
        money_word = nxt is not None and nxt.text in _MONEY_WORDS
        foreign = foreign or (nxt is not None and nxt.text in _FOREIGN)
        left, right = _window(tokens, i, 4, 5)
        end = i + len(span) - 1 + (1 if money_word else 0)
        _, right = _window(tokens, end, 0, 5)
        if right[:1] and right[0] in _UNITS and not money_word:
            i += len(span)
            continue
        cue = bool(set(left[:3]) & _ITEM_CUES) or "than" in left[:2]
        after = right[:2]
        right_cue = after[:2] in (["or", "less"], ["or", "under"], ["or", "below"], ["or", "cheaper"], ["or", "lower"],
                                  ["at", "most"], ["is", "ok"], ["is", "fine"], ["is", "okay"]) \
            or after[:1] in (["max"], ["tops"], ["maximum"], ["total"], ["all-in"], ["works"])
        cue = cue or right_cue or ("make" in left[:4] and left[:1] in (["it"], ["that"], ["one"], ["limit"]))
        if not (dollar or money_word or foreign or cue):
            i += len(span)
            continue
        typed = ("$" if dollar else "") + " ".join(x.raw for x in span)
        if foreign:
            s.problems.append(f"{typed} is not in US dollars; GhostCart prices are in US dollars")
            for x in span:
                x.role = "budget"
            i += len(span)
            continue
        if (i > 0 and tokens[i - 1].text == "-") or "-" in left[:1]:
            s.problems.append(f"{typed} is a negative amount")
        cents = _cents(value, s, typed)
        for x in span + ([nxt] if money_word and nxt is not None else []):
            x.role = "budget"
        for x in reversed(tokens[max(0, i - 4):i]):  # "no more than", "at most", "up to": the cue words
            if x.text in _ITEM_CUES or x.text in _TOTAL_CUES or x.text in ("no", "more", "less", "up", "-", "of", "a",
                                                                             "equal", "than", "price"):
                if x.role in ("", "weak", "cue"):
                    x.role = "budget"
            else:
                break
        if right_cue:
            for x in tokens[end + 1:end + 4]:
                if (x.text in ("or", "less", "under", "below", "cheaper", "lower", "at", "most", "max", "tops",
                              "maximum") and _free(x)) or (x.role == "cue" and x.text in ("max",)):
                    x.role = "budget"
                else:
                    break
        if cents is not None:
            falls = {"drops", "drop", "falls", "fall", "dips", "dip", "down", "goes", "reduced", "cut", "lowered"}
            drop = ("off" in right[:2] or left[:1] == ["by"] or (left[:1] and left[0] in falls)) \
                and not ({"to", "under", "below"} & set(left[:2]))
            negated = bool({"no", "not", "can't", "cannot", "cant", "won't", "don't", "dont", "never"} & set(left[:4]))
            low = not negated and ("between" in left[:2] or bool({"over", "above", "least", "minimum", "min", "from"}
                                                                & set(left[:2])) or "more" in left[:2])
            if drop:
                s.price_drop_cents = cents
            elif low and not {"from"} & set(left[:2]):
                s.min_price_cents = cents
            elif {"total", "overall", "altogether", "combined", "all-in", "got"} & set(_left_clause(tokens, i)) or \
                    _total_after(right):
                totals.append(cents)
                for x in reversed(tokens[max(0, i - 9):i]):  # "the total with tax and shipping stays under"
                    if x.text in (",", ";"):
                        break
                    if (_free(x) or x.role == "cue") and (
                            x.text in _TOTAL_WORDS or x.text in ("stays", "stay", "is", "remains", "comes", "must",
                                                                 "be", "under", "below", "the", "got", "i've", "have")):
                        x.role = "total"
                for x in tokens[end + 1:end + 7]:
                    if x.text not in _TOTAL_WORDS or (not _free(x) and x.role != "cue"):
                        break
                    x.role = "total"
            else:
                items.append(cents)
        i += len(span)
    if items:
        s.max_price_cents = items[-1]
    if totals:
        s.max_total_cents = totals[-1]
        if not items:  # an item can never cost more than the whole cart may
            s.max_price_cents = totals[-1]


def _left_clause(tokens: list[Token], i: int) -> list[str]:
    left, _ = _window(tokens, i, 8, 0)
    return left


def _total_after(right: list[str]) -> bool:
    r = right[:4]
    return bool(r) and (r[0] in ("total", "overall", "altogether", "combined", "all-in")
                        or ("all" in r[:2] and "in" in r)
                        or r[0] in ("including", "incl", "inclusive") or r[:2] in (["with", "shipping"],
                                                                                 ["with", "tax"], ["in", "total"]))


def _mark(tokens: list[Token], start: int, n: int, role: str) -> None:
    for t in tokens[start:start + n]:
        if _free(t):
            t.role = role


def _durations(tokens: list[Token], s: Slots, today: date, watchy: bool) -> None:
    for i, t in enumerate(tokens):
        if not _free(t):
            continue
        words = [x.text for x in tokens[i:i + 4]]
        prev = tokens[i - 1].text if i > 0 else ""
        prev2 = tokens[i - 2].text if i > 1 else ""
        # N days / a week / 48 hours
        n: float | None = None
        unit = ""
        if words[0] in _DAYS_OF:
            n, unit = 1.0, words[0]
            if (prev not in ("a", "an", "one", "next", "the") or (words[0] in ("day",) and prev in ("the",))) \
                    and (words[0] not in ("fortnight",) or prev not in ("a", "the")):
                n = None
        elif len(words) > 1 and words[1] in _DAYS_OF:
            n = _num(words[0]) if _free(t) else None
            if n is None and words[0] in _SMALL:
                n = float(_SMALL[words[0]])
            unit = words[1]
        if n is None or not unit:
            continue
        days = max(1, math.ceil(n * _DAYS_OF[unit])) if n > 0 else 0
        start = i - 1 if prev in ("a", "an", "one") and words[0] == unit else i
        span = (i + (1 if words[0] == unit else 2)) - start
        ctx = {x.text for x in tokens[max(0, start - 3):start]} \
            | {x.text for x in tokens[start + span:start + span + 3]}
        is_delivery = bool(ctx & {"deliver", "delivered", "delivery", "arrive", "arrives", "arriving", "ship",
                                  "shipping", "shipped", "ships", "here", "arrival", "takes"}) or prev == "within" \
            or (i + 1 < len(tokens) and tokens[start + span - 1].text in ("day",) and
                start + span < len(tokens) and tokens[start + span].text in ("delivery", "shipping"))
        is_watch = (prev in _WATCH_SPAN or prev2 in ("for", "next", "over")) and not is_delivery
        if prev == "in" and not is_delivery and watchy:
            is_watch = False
            is_delivery = bool(ctx & {"arrive", "deliver", "delivered", "ship"})
        if is_watch:
            if days <= 0:
                s.problems.append(f"a watch for {n:g} {unit} is too short")
            s.watch_days = days
            s.watch_until = (today + timedelta(days=days)).isoformat()
            _mark(tokens, max(0, start - (1 if prev in _WATCH_SPAN else 0)), span + 1, "duration")
        elif is_delivery or prev in ("in",):
            if days <= 0:
                s.problems.append("delivery within 0 days is not possible")
            s.max_delivery_days = days
            _mark(tokens, start, span, "delivery")
            if prev in ("within", "in"):
                tokens[start - 1].role = tokens[start - 1].role or "delivery"


_DELIVERY_WORDS = {"deliver", "delivered", "delivery", "arrive", "arrives", "arriving", "ship", "shipped", "shipping",
                   "here", "need", "needed"}


def _named_dates(tokens: list[Token], s: Slots, today: date, watchy: bool = False) -> None:
    for i, t in enumerate(tokens):
        if not _free(t) or t.text in ("in", "a", "one"):
            continue
        got = read_date(tokens, i, today)
        if got is None:
            continue
        when, n = got
        prev = tokens[i - 1].text if i > 0 else ""
        prev2 = tokens[i - 2].text if i > 1 else ""
        deliveryish = any(x.text in _DELIVERY_WORDS for x in tokens)
        if prev in ("until", "till", "til", "through", "thru") or prev2 in ("until", "till") or \
                (prev == "by" and prev2 in ("watching", "watch")) or \
                (watchy and not deliveryish and (prev == "before" or prev2 == "before")):
            s.watch_until = when.isoformat()
            s.watch_days = max(1, (when - today).days)
            _mark(tokens, i - 1, n + 1, "duration")
        elif prev in ("by", "before", "for", "on") or prev2 in ("by", "before") or t.text in ("tomorrow",):
            days = (when - today).days
            if prev == "before":
                days -= 1
                when = when - timedelta(days=1)
            if days <= 0:
                s.problems.append("nothing can be delivered by today")
            else:
                s.max_delivery_days = days
                s.deliver_by = when.isoformat()
            _mark(tokens, i - (1 if prev in ("by", "before", "for", "on") else 2), n + 2, "delivery")


def _next_day(tokens: list[Token], s: Slots) -> None:
    for phrase, days in ((("next", "day"), 1), (("overnight",), 1), (("same", "day"), 1), (("one", "day"), 1),
                         (("express",), 2), (("two", "day"), 2)):
        at = _has(tokens, phrase)
        if at >= 0 and all(_free(t) for t in tokens[at:at + len(phrase)]):
            s.max_delivery_days = days if s.max_delivery_days is None else min(days, s.max_delivery_days)
            _mark(tokens, at, len(phrase), "delivery")
            for t in tokens[at + len(phrase):at + len(phrase) + 2]:
                if t.text in ("delivery", "shipping", "shipped", "delivered"):
                    t.role = "delivery"


def _quantity(tokens: list[Token], s: Slots) -> None:
    for i, t in enumerate(tokens[:-1]):  # "just one", "only two"
        if t.text in ("just", "only") and tokens[i + 1].text in _SMALL and _free(tokens[i + 1]):
            s.quantity = _SMALL[tokens[i + 1].text]
            t.role = tokens[i + 1].role = "quantity"
    for i, t in enumerate(tokens):
        if not _free(t):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = tokens[i - 1].text if i > 0 else ""
        q: int | None = None
        if (t.text in _SMALL and t.text not in ("one", "single")) or (t.text in ("one",) and nxt is not None \
                and nxt.role in ("product", "weak") and prev not in ("the", "that", "this", "which")):
            q = _SMALL[t.text]
            if t.text == "pair":
                continue
        elif re.fullmatch(r"x?\d{1,4}x?", t.text):
            following = nxt is not None and (nxt.role in ("product", "weak") or nxt.text in ("of", "units", "pcs",
                                                                                          "more", "x", "each"))
            if t.text.startswith("x") or t.text.endswith("x") or (prev in ("quantity", "qty", "buy", "order", "get",
                                                                          "x") and following) or following:
                q = int(t.text.strip("x"))
            elif prev in ("buy", "order", "get", "purchase", "want", "need") and (nxt is None or nxt.role == ""):
                q = int(t.text)
        if q is None:
            continue
        t.role = "quantity"
        if nxt is not None and nxt.text in ("of", "units", "pcs", "x"):
            nxt.role = "quantity"
        if q < 1:
            s.problems.append("a quantity of 0 buys nothing")
        elif q > MAX_QUANTITY:
            s.problems.append(f"{q} is more than the {MAX_QUANTITY} GhostCart can buy in one order")
            s.quantity = q
        else:
            s.quantity = q


_STRONG_NOTIFY = {("don't", "buy"), ("dont", "buy"), ("do", "not", "buy"), ("without", "buying"), ("not", "buy"),
                  ("ask", "me"), ("check", "with", "me"), ("let", "me", "decide"), ("i'll", "decide"),
                  ("don't", "purchase"), ("no", "auto"), ("not", "automatically"), ("before", "buying"),
                  ("dont", "purchase"), ("do", "not", "purchase"),
                  ("i'll", "buy", "it", "myself"), ("just", "watch"), ("just", "let")}


_NOTIFY_FIRST = frozenset(p[0] for p in _NOTIFY)


def _notify(tokens: list[Token], s: Slots) -> None:
    present = {t.text for t in tokens}
    for phrase in _NOTIFY:
        if phrase[0] not in present:
            continue
        at = _has(tokens, phrase)
        after = tokens[at + len(phrase)].text if 0 <= at < len(tokens) - len(phrase) else ""
        if at >= 0 and after not in ("about", "more", "what", "how", "which", "whether"):
            s.notify_only = True
            s.notify_strong = s.notify_strong or phrase in _STRONG_NOTIFY
            _mark(tokens, at, len(phrase), "notify")
    for i, t in enumerate(tokens):  # "I'll buy them myself"
        if t.text == "myself" and any(x.text == "buy" for x in tokens[max(0, i - 3):i]):
            s.notify_only = s.notify_strong = True
            _mark(tokens, max(0, i - 3), 4, "notify")


def extract(tokens: list[Token], today: date, *, watchy: bool) -> Slots:
    s = Slots()
    _notify(tokens, s)
    _next_day(tokens, s)
    _durations(tokens, s, today, watchy)
    _named_dates(tokens, s, today, watchy)
    _amounts(tokens, s)
    _quantity(tokens, s)
    words = {t.text for t in tokens}
    back = "back" in words and not words & {"send", "money", "sent", "return"} \
        and bool(words & {"when", "once", "if", "until"})
    if back or _has(tokens, ("back", "in", "stock")) >= 0 or _has(tokens, ("restocked",)) >= 0 or \
            _has(tokens, ("in", "stock", "again")) >= 0 or _has(tokens, ("available", "again")) >= 0:
        s.condition = "stock"
    elif s.max_price_cents is not None or s.percent_off or s.price_drop_cents:
        s.condition = "price"
    return s
