"""Delivery bounds ("within 2 days", "next-day") and watch durations ("for a week")."""

from __future__ import annotations

from dataclasses import dataclass

from .nlu_text import Token, spelled_number

DELIVERY, DURATION = "delivery", "duration"
MAX_DAYS = 365

_UNIT_DAYS = {
    "day": 1, "days": 1, "d": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "fortnight": 14,
    "fortnights": 14, "month": 30, "months": 30, "year": 365, "years": 365, "yr": 365, "yrs": 365,
}
_HOUR_UNITS = frozenset({"hour", "hours", "hr", "hrs", "h"})
_UNIT_MODIFIERS = frozenset({"business", "working", "calendar", "full", "more", "whole"})
# Walking back from the count over these reaches the word that decides the meaning.
_SKIP_BACK = frozenset(
    "the next up to at most max maximum under less than no more only just about around roughly "
    "a of another fewer".split()
)
_BOUND_SKIPPED = frozenset("up most max maximum under less fewer".split())
_DURATION_LEADS = frozenset(
    "for during over lasting last expire expires expiring expiry valid good active open".split()
)
_EXPIRE_VERBS = frozenset(
    "expire expires expiring stop stops end ends up quit lapse cancel".split()
)
_DELIVERY_LEADS = frozenset("within in by inside takes take taking".split())
_DELIVERY_WORDS = frozenset(
    "delivery deliver delivered delivers delivering ship ships shipped shipping arrive arrives "
    "arriving arrival turnaround here".split()
)
_DELIVERY_POST = frozenset("or less fewer sooner faster max tops".split())


@dataclass(frozen=True)
class TimeSpan:
    start: int
    end: int
    kind: str  # delivery | duration
    days: int | None
    error: str | None = None


def _count_at(lows: list[str], toks: list[Token], i: int) -> tuple[int, int] | None:
    n = len(lows)
    w = lows[i]
    if toks[i].kind == "num":
        if "." in w or "," in w:
            return None
        return (int(w) if len(w) <= 6 else 10**7), i + 1
    if w in ("a", "an") and i + 1 < n and lows[i + 1] == "couple":
        return 2, i + 3 if i + 2 < n and lows[i + 2] == "of" else i + 2
    if w in ("a", "an", "one", "next", "this"):
        return 1, i + 1
    sp = spelled_number(lows, i)
    return sp


def _unit_at(lows: list[str], j: int) -> tuple[str, int] | None:
    n = len(lows)
    while j < n and lows[j] in _UNIT_MODIFIERS:
        j += 1
    if j < n and (lows[j] in _UNIT_DAYS or lows[j] in _HOUR_UNITS):
        return lows[j], j + 1
    return None


def _to_days(count: int, unit: str) -> int:
    if unit in _HOUR_UNITS:
        return -(-count // 24)
    return count * _UNIT_DAYS[unit]


def _role(lows: list[str], start: int, end: int) -> str | None:
    p = start - 1
    skipped_bound = False
    while p >= 0 and lows[p] in _SKIP_BACK and start - p <= 4:
        skipped_bound |= lows[p] in _BOUND_SKIPPED
        p -= 1
    lead = lows[p] if p >= 0 else ""
    if lead in _DURATION_LEADS:
        return DURATION
    if lead in ("in", "after") and p > 0 and lows[p - 1] in _EXPIRE_VERBS:
        return DURATION
    if lead in ("until", "till", "til", "through"):
        return DURATION
    n = len(lows)
    post = lows[end] if end < n else ""
    post2 = lows[end + 1] if end + 1 < n else ""
    if post in _DELIVERY_WORDS or post in ("max", "tops"):
        return DELIVERY
    if post == "or" and post2 in _DELIVERY_POST:
        return DELIVERY
    if lead in _DELIVERY_LEADS or lead in _DELIVERY_WORDS or skipped_bound:
        return DELIVERY
    if any(w in _DELIVERY_WORDS for w in lows[max(0, start - 3) : start]):
        return DELIVERY
    return None


def find_times(toks: list[Token], taken: set[int]) -> list[TimeSpan]:
    lows = [t.low for t in toks]
    n = len(lows)
    out: list[TimeSpan] = []
    i = 0
    while i < n:
        if i in taken:
            i += 1
            continue
        w = lows[i]
        nxt = lows[i + 1] if i + 1 < n else ""
        prev = lows[i - 1] if i > 0 else ""
        # keyword forms
        if w in ("next", "same") and nxt == "day":
            two_back = lows[i - 2] if i > 1 else ""
            if prev in _DURATION_LEADS or (prev == "the" and two_back in _DURATION_LEADS):
                out.append(TimeSpan(i, i + 2, DURATION, 1))
            else:
                out.append(TimeSpan(i, i + 2, DELIVERY, 1 if w == "next" else 0))
            i += 2
            continue
        if w in ("overnight", "tomorrow", "nextday"):
            kind = DURATION if prev in ("until", "till", "til", "through") else DELIVERY
            out.append(TimeSpan(i, i + 1, kind, 1))
            i += 1
            continue
        cnt = _count_at(lows, toks, i) if toks[i].kind in ("num", "word") else None
        if cnt is None:
            i += 1
            continue
        count, j = cnt
        unit = _unit_at(lows, j)
        if unit is None:
            i += 1
            continue
        uname, end = unit
        # "a day or two", "2 to 3 days"
        if end + 1 < n and lows[end] in ("or", "to") and toks[end + 1].kind in ("num", "word"):
            more = _count_at(lows, toks, end + 1)
            if (
                more is not None
                and more[0] > count
                and lows[end + 1] not in ("a", "an", "next", "this")
            ):
                count, end = more[0], more[1]
        start = i
        if i >= 2 and lows[i - 1] in ("or", "to", "-") and _count_at(lows, toks, i - 2) is not None:
            start = i - 2  # "2 or 3 days"
        role = _role(lows, start, end)
        if role is None:
            i = end
            continue
        days = _to_days(count, uname)
        err = None
        if count == 0 or days > MAX_DAYS:
            what = "delivery time" if role == DELIVERY else "watch period"
            err = f"a {what} of {count} {uname} isn't usable"
        out.append(TimeSpan(start, end, role, None if err else days, err))
        i = end
    return out
