"""No card data is ever stored or logged: text a shopper types (or a model writes) is redacted
before it reaches the database or the log file.

- A card number (PAN): 13 to 19 digits, optionally grouped by single spaces or dashes, passing
  the Luhn check, anywhere.
- A security code (CVV/CVC): 3 or 4 digits named as one ("cvv 123", "security code: 1234"), or
  standing right after a card number or an expiry ("4111 … 1111 12/27 123").
- An expiry: MM/YY or MM/YYYY (also MM-YY) only near card words or a card number, so "deliver
  by 12/27" or a price such as $12.27 is left alone.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[card number removed]"
REDACTED_CVV = "[security code removed]"
REDACTED_EXPIRY = "[expiry removed]"

# Not inside a word: "tooluse_c6282428000b4563…" and other hex ids are left alone.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z_.])[0-9](?:[ -]?[0-9]){12,18}(?![0-9A-Za-z_])")

_CVV_WORD = r"(?:cvv2?|cvc2?|cvn|csc|cid|security\s+code|card\s+code|security\s+number|verification\s+code)"
# "cvv 123", "CVC: 1234", "security code is 123", "cvv #123"
_CVV_NAMED = re.compile(rf"\b({_CVV_WORD})(\s*(?:is|was|:|=|#|-|\s)*\s*)(?<![0-9])([0-9]{{3,4}})(?![0-9])", re.I)
_CVV_BEFORE = re.compile(rf"(?<![0-9$€£.,])([0-9]{{3,4}})(\s*(?:is\s+(?:the|my)\s+)?{_CVV_WORD}\b)", re.I)
# A bare 3-4 digit token right after a redacted card number or expiry (only separators between),
# unless it reads as money or a quantity.
_AFTER_MARK = re.compile(
    rf"({re.escape(REDACTED)}|{re.escape(REDACTED_EXPIRY)})([ ,;/]{{1,3}}(?:and\s+)?)(?<![$€£])([0-9]{{3,4}})"
    r"(?![0-9.,%]|\s*(?:dollars?|usd|bucks|cents?|units?|items?|pcs|x\b))",
    re.I,
)
_EXPIRY = re.compile(r"(?<![0-9/.$€£:-])(0?[1-9]|1[0-2])\s?[/-]\s?([0-9]{2}|20[0-9]{2})(?![0-9/.:-])")
_CARD_CONTEXT = re.compile(
    rf"card|visa|master\s?card|amex|american\s+express|discover|\bexp\b|exp\.|expir|valid\s+thr|good\s+thr"
    rf"|{_CVV_WORD}|\[card number removed\]",
    re.I,
)
_CONTEXT_BEFORE, _CONTEXT_AFTER = 40, 25


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_pan(text: str) -> bool:
    digits = re.sub(r"[ -]", "", text)
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def _replace(m: re.Match[str]) -> str:
    found = m.group(0)
    if _is_pan(found):
        return REDACTED
    # "4111 1111 1111 1111 12/27": the groups after the number were read as part of it; try the
    # longest run of whole groups that is a card number.
    cuts = [i for i, ch in enumerate(found) if ch in " -"]
    for cut in reversed(cuts):
        if _is_pan(found[:cut]):
            return REDACTED + found[cut:]
    return found


def _expiry(text: str) -> str:
    def near_card(m: re.Match[str]) -> str:
        window = text[max(0, m.start() - _CONTEXT_BEFORE) : m.end() + _CONTEXT_AFTER]
        return REDACTED_EXPIRY if _CARD_CONTEXT.search(window) else m.group(0)

    return _EXPIRY.sub(near_card, text)


def redact_pans(text: str) -> str:
    """Card numbers, security codes and card expiries removed (see the module docstring)."""
    if not isinstance(text, str) or len(text) < 3 or not any(c.isdigit() for c in text):
        return text
    if len(text) >= 13:
        text = _CANDIDATE.sub(_replace, text)
    if _CARD_CONTEXT.search(text):
        text = _expiry(text)
        text = _CVV_NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED_CVV}", text)
        text = _CVV_BEFORE.sub(lambda m: f"{REDACTED_CVV}{m.group(2)}", text)
        text = _AFTER_MARK.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED_CVV}", text)
    return text


redact_card_data = redact_pans


def redact_in(value: Any) -> Any:
    """redact_pans over every string inside JSON-like data (dicts, lists)."""
    if isinstance(value, str):
        return redact_pans(value)
    if isinstance(value, dict):
        return {k: redact_in(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_in(v) for v in value]
    return value
