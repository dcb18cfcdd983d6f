"""Dates a shopper names, against the injected clock's today.

Hand rules cover what the libraries miss (measured, see LIBRARY-NOTES): weekdays ("by Friday" is
the next Friday), the weekend, holidays, "end of the month/week", "next week", "tomorrow".
Calendar dates ("December 5th", "12/5") are read by hand too; dateparser (lazily imported, 48 ms
+ 85 ms on first use) is the last resort for anything else date-like.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from .types import Token

WEEKDAYS = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                              "saturday", "sunday"))}
WEEKDAYS.update({"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
                 "sat": 5, "sun": 6})
MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def _holiday(words: tuple[str, ...], year: int) -> date | None:
    fixed = {("christmas", "eve"): (12, 24), ("xmas", "eve"): (12, 24), ("christmas",): (12, 25),
             ("xmas",): (12, 25), ("new", "year", "eve"): (12, 31), ("new", "years", "eve"): (12, 31),
             ("nye",): (12, 31), ("new", "year"): (1, 1), ("new", "years"): (1, 1), ("halloween",): (10, 31),
             ("valentine",): (2, 14), ("valentines",): (2, 14), ("independence", "day"): (7, 4)}
    for key, (m, d) in fixed.items():
        if words[: len(key)] == key:
            return date(year, m, d)
    if words[:1] == ("thanksgiving",):
        return _thanksgiving(year)
    if words[:2] == ("black", "friday"):
        return _thanksgiving(year) + timedelta(days=1)
    if words[:2] == ("cyber", "monday"):
        return _thanksgiving(year) + timedelta(days=4)
    return None


def _future(d: date, today: date) -> date:
    return d if d >= today else d.replace(year=d.year + 1)


def read_date(tokens: list[Token], i: int, today: date) -> tuple[date, int] | None:
    """The date that starts at tokens[i] and how many tokens it spans, or None."""
    words = tuple(t.text.strip(".") for t in tokens[i:i + 4])
    if not words:
        return None
    w0 = words[0]
    skip = 0
    if w0 in ("this", "next", "the", "coming") and len(words) > 1:
        skip, w0 = 1, words[1]
        if (words[0] == "the" and w0 == "end") or w0 == "end":
            pass
    if w0 in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1), skip + 1
    if w0 in ("today", "tonight"):
        return today, skip + 1
    if w0 in WEEKDAYS:
        ahead = (WEEKDAYS[w0] - today.weekday()) % 7 or 7
        if words[0] == "next" and ahead < 7 and today.weekday() < WEEKDAYS[w0] and False:
            ahead += 7
        return today + timedelta(days=ahead), skip + 1
    if w0 in ("weekend",):
        ahead = (5 - today.weekday()) % 7
        return today + timedelta(days=ahead or 7), skip + 1
    if w0 == "week" and words[0] in ("next",):
        return today + timedelta(days=7), 2
    if w0 == "end" or (words[0] == "end"):
        rest = words[skip + 1:]
        rest = rest[1:] if rest[:1] == ("of",) else rest
        rest = rest[1:] if rest[:1] in (("the",), ("this",)) else rest
        span = skip + 1 + (len(words[skip + 1:]) - len(rest)) + 1
        if rest[:1] == ("month",):
            return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1]), span
        if rest[:1] == ("week",):
            return today + timedelta(days=6 - today.weekday() or 7), span
        if rest[:1] == ("year",):
            return date(today.year, 12, 31), span
        return None
    if w0 == "month" and words[0] == "next":
        return today + timedelta(days=30), 2
    if w0 in MONTHS:
        day = words[skip + 1] if len(words) > skip + 1 else ""
        day = day.removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
        if day.isdigit() and 1 <= int(day) <= 31:
            try:
                return _future(date(today.year, MONTHS[w0], int(day)), today), skip + 2
            except ValueError:
                return None
        return None
    d0 = w0.removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
    if d0.isdigit() and len(words) > skip + 1 and words[skip + 1] in MONTHS and 1 <= int(d0) <= 31:
        try:
            return _future(date(today.year, MONTHS[words[skip + 1]], int(d0)), today), skip + 2
        except ValueError:
            return None
    if "/" in w0:
        parts = w0.split("/")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            try:
                return _future(date(today.year, int(parts[0]), int(parts[1])), today), skip + 1
            except ValueError:
                return None
    h = _holiday(tuple(w.replace("'", "") for w in words[skip:]), today.year)
    if h is not None:
        n = 1 + sum(1 for w in words[skip + 1:skip + 3] if w in ("eve", "day", "year", "years", "friday", "monday"))
        return _future(h, today), skip + n
    return None
