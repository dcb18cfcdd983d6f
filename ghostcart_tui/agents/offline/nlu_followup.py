"""Follow-ups: replies that only make sense in context ("the second one", "yes", "make it $200",
"use my mastercard", "cancel that")."""

from __future__ import annotations

import re

from ghostcart_tui.core.money import MoneyError, parse_money

from .nlu_analyze import Analysis
from .nlu_money import UNIT_WORDS
from .nlu_text import PhraseBook, Token, normalize, spelled_number, tokenize
from .nlu_types import FollowUp
from .nlu_vocab import (
    CANCEL_FILLER,
    CANCEL_HEADS,
    CANCEL_LEAD,
    CARD_BRANDS,
    CHOOSE_PHRASES,
    CONFIRM_HEADS,
    CONFIRM_VOCAB,
    DECLINE_HEADS,
    DECLINE_VOCAB,
    FILLER,
    ORDINAL_MARKERS,
    ORDINAL_PREV_EXCLUDE,
    ORDINAL_WORDS,
    PAYMENT_WORDS,
    RETRY_CUES,
)

_CANCEL = PhraseBook(CANCEL_HEADS)
_CHOOSE = PhraseBook(CHOOSE_PHRASES)
_NTH = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)")
_PROD_ID = re.compile(r"prod_[a-z0-9_]{1,60}")
_ORDINAL_NEXT_BLOCK = UNIT_WORDS | frozenset("time minute thing place aid class".split())
_WEAK_OK = frozenset("ok okay k cool great good fine perfect alright".split())
_PAYMENT_EXTRA = frozenset("ending ends apple google method payment one charge".split())
_CHOOSE_LEAD = frozenset("yes yeah let's lets i'll ill i we'll".split())
_QUESTION_WORDS = frozenset("what what's whats how why which is are does do".split())


def words(a: Analysis) -> list[str]:
    """The message's words, punctuation left out."""
    return [t.low for t in a.toks if t.kind not in ("punct",)]


def ordinal_ref(toks: list[Token], lows: list[str]) -> tuple[int, int] | None:
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
    """0-based index named by "the second one", "#2", "number 3", "2nd", "first" or a lone "3".

    "last" → -1. None when the text names no position.
    """
    try:
        toks = tokenize(normalize(text))
        ref = ordinal_ref(toks, [t.low for t in toks])
    except Exception:
        return None
    return None if ref is None else ref[0]


def cancel(a: Analysis) -> FollowUp | None:
    """"cancel that", "stop watching the AirPods" (payload: the product named, if any)."""
    lows = a.lows
    i = 0
    while i < len(lows) and i < 5 and (lows[i] in CANCEL_LEAD or a.toks[i].kind == "punct"):
        i += 1
    k, _ = _CANCEL.match(lows, i)
    if not k:
        return None
    rest = [lows[p] for p in a.product_idx if p >= i + k and lows[p] not in CANCEL_FILLER]
    return FollowUp("cancel", " ".join(rest) or None)


def retry(a: Analysis) -> FollowUp | None:
    """"try another card", "use my mastercard" (payload: card hint or None)."""
    lows = a.lows
    wset = set(lows)
    retry_alone = "retry" in wset or ("try" in wset and "again" in wset)
    low_text = a.norm.lower()
    pay = bool(wset & PAYMENT_WORDS) or "apple pay" in low_text or "google pay" in low_text
    if a.buy_idx and not (wset & {"pay", "charge"}):
        return None
    if not (retry_alone or (pay and wset & RETRY_CUES)):
        return None
    others = [
        lows[p] for p in a.product_idx
        if lows[p] not in PAYMENT_WORDS and lows[p] not in CARD_BRANDS
        and lows[p] not in _PAYMENT_EXTRA
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


def pick(a: Analysis) -> FollowUp | None:
    """A choice among shown results: by position, product id or name fragment."""
    lows = a.lows
    for w in lows:
        if _PROD_ID.fullmatch(w):
            return FollowUp("pick", w)
    ref = ordinal_ref(a.toks, lows)
    if ref is not None and lows[0] in _QUESTION_WORDS and len(words(a)) > 3:
        ref = None  # "what's the difference between the first and second?"
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
        if w not in ("one", "ones") or lows[k - 1 if k else 0] == "the":
            continue
        for j in range(k - 2, max(-1, k - 5), -1):
            if lows[j] == "the":
                frag = lows[j + 1 : k]
                kinds = {a.toks[p].kind for p in range(j + 1, k)}
                if frag and kinds <= {"word", "numword", "num"}:
                    return FollowUp("pick", " ".join(frag))
                break
    i = 0
    while i < n and i < 4 and (lows[i] in CANCEL_LEAD or lows[i] in _CHOOSE_LEAD):
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


def bare_price(a: Analysis) -> int | None:
    """A lone amount without a currency ("180", "make it 250.50"): answers a price question."""
    if a.buy_idx:
        return None
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


def vocab_reply(a: Analysis) -> FollowUp | None:
    """Short yes/no replies made only of confirming (or declining) words."""
    ws = words(a)
    if not ws:
        return None
    if all(w in DECLINE_VOCAB for w in ws) and any(w in DECLINE_HEADS for w in ws):
        return FollowUp("decline")
    if all(w in CONFIRM_VOCAB for w in ws):
        heads = {w for w in ws if w in CONFIRM_HEADS}
        if heads and not (heads <= _WEAK_OK and ("thanks" in ws or "thank" in ws)):
            return FollowUp("confirm")
    return None
