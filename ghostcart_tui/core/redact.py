"""No raw card number is ever stored or logged: text a shopper types (or a model writes) that
holds a PAN-like number — 13 to 19 digits, optionally grouped by single spaces or dashes, passing
the Luhn check — is redacted before it reaches the database or the log file."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[card number removed]"
# Not inside a word: "tooluse_c6282428000b4563…" and other hex ids are left alone.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z_.])[0-9](?:[ -]?[0-9]){12,18}(?![0-9A-Za-z_])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _replace(m: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", m.group(0))
    return REDACTED if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group(0)


def redact_pans(text: str) -> str:
    if not isinstance(text, str) or len(text) < 13 or not any(c.isdigit() for c in text):
        return text
    return _CANDIDATE.sub(_replace, text)


def redact_in(value: Any) -> Any:
    """redact_pans over every string inside JSON-like data (dicts, lists)."""
    if isinstance(value, str):
        return redact_pans(value)
    if isinstance(value, dict):
        return {k: redact_in(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_in(v) for v in value]
    return value
