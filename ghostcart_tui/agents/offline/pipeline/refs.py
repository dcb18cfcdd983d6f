"""References that resolve against the conversation state: ordinals ("the second one", "#2"),
pronouns ("it", "that one"), superlatives ("the cheapest of those"), negation ("not the Sony")."""

from __future__ import annotations

import itertools

from ....commerce.catalog import Product
from .types import Token

ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "seventh": 6,
            "eighth": 7, "ninth": 8, "tenth": 9, "last": -1, "1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4,
            "6th": 5, "7th": 6, "8th": 7, "9th": 8, "10th": 9, "latter": -1, "former": 0}
_MARKERS = {"#", "number", "no", "option", "item", "choice", "num", "no."}
_BLOCK_NEXT = {"day", "days", "time", "week", "weeks", "gen", "generation", "class", "hand", "aid", "thing",
               "minute", "second", "place"}
PRONOUNS = {"it", "that", "this", "them", "those", "these", "they", "one", "ones", "same", "other"}


def ordinal(tokens: list[Token], lone_number_ok: bool) -> int | None:
    """0-based index (-1 = last) and marks the tokens it used, or None."""
    for i, t in enumerate(tokens):
        if t.role not in ("", "weak", "cue"):
            continue
        nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
        prev = tokens[i - 1].text if i else ""
        if t.text in ORDINALS and nxt not in _BLOCK_NEXT and prev not in ("a", "at", "wait"):
            if t.text == "second" and prev not in ("the", "") and nxt not in ("one", "option", "item", ""):
                continue
            t.role = "ref"
            return ORDINALS[t.text]
        if t.text in _MARKERS and nxt.isdigit() and 1 <= int(nxt) <= 20:
            t.role = tokens[i + 1].role = "ref"
            return int(nxt) - 1
    content = [t for t in tokens if t.text not in ("the", "please", "ok", "okay", "one", "go", "with", ",", "!")]
    if lone_number_ok and len(content) == 1 and content[0].text.isdigit() and 1 <= int(content[0].text) <= 20:
        content[0].role = "ref"
        return int(content[0].text) - 1
    return None


def pronoun(tokens: list[Token]) -> bool:
    return any(t.text in PRONOUNS and t.role in ("", "cue", "weak", "filler") for t in tokens)


def superlative(tokens: list[Token]) -> str | None:
    words = [t.text for t in tokens]
    pairs = set(itertools.pairwise(words))
    for i, w in enumerate(words):  # comparatives: against the product in focus
        if w in ("cheaper", "less") and (w == "cheaper" or words[i + 1:i + 2] == ["expensive"]) and (
                "than" in words[i + 1:i + 3] or any(x in words for x in ("anything", "something", "any", "else"))):
            tokens[i].role = "ref"
            return "cheaper"
    for i, w in enumerate(words[:-1]):  # "cheapest first" sorts a list; it does not pick one
        if w in ("cheapest", "lowest", "priciest") and words[i + 1] in ("first", "to", "on"):
            tokens[i].role = tokens[i + 1].role = "ref"
            return None
    for key, names in (("low", ("cheapest", "cheaper", "lowest", "affordable")),
                       ("high", ("priciest", "pricier", "fanciest", "premium")),
                       ("fast", ("fastest", "quickest", "soonest", "quicker", "faster"))):
        for i, w in enumerate(words):
            if w in names:
                tokens[i].role = "ref"
                return key
    if ("least", "expensive") in pairs:
        return "low"
    if ("most", "expensive") in pairs or ("more", "expensive") in pairs:
        for t in tokens:
            if t.text == "expensive":
                t.role = "ref"
        return "high"
    return None


def pick_superlative(kind: str, ids: list[str], products: dict[str, Product]) -> list[str]:
    items = [products[i] for i in ids if i in products]
    if not items:
        return []
    if kind == "cheaper":
        kind = "low"
    if kind == "low":
        best = min(items, key=lambda p: (not p.in_stock, p.price_cents))
    elif kind == "high":
        best = max(items, key=lambda p: (p.in_stock, p.price_cents))
    else:
        best = min(items, key=lambda p: (not p.in_stock, p.delivery_days, p.price_cents))
    return [best.product_id]
