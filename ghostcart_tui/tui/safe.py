"""Untrusted text is text: every value from data (product names, agent replies, mandate fields)
goes through here before it reaches the screen. Never build markup strings from data."""

from __future__ import annotations

import re

from rich.text import Text

# ESC-introduced sequences (CSI, OSC, single-char escapes) and every other C0/C1 control.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape_char(m: re.Match[str]) -> str:
    return repr(m.group(0))[1:-1]  # "\x1b" → the four visible characters \x1b


def safe_str(value: object, *, newlines: bool = True) -> str:
    """A plain string with control characters made visible (\\x1b stays as the text "\\x1b")."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n")
    text = _CONTROL.sub(_escape_char, text)
    if not newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def safe_text(value: object, style: str = "", *, newlines: bool = True) -> Text:
    """A rich Text that shows value literally: no markup, no escape sequences."""
    return Text(safe_str(value, newlines=newlines), style=style, no_wrap=False)


def cell(value: object, style: str = "") -> Text:
    """A one-line DataTable cell (DataTable parses plain str as markup, so always pass Text)."""
    return Text(safe_str(value, newlines=False), style=style)
