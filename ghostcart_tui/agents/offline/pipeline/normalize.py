"""Step 1, normalize: text as typed → casefolded tokens.

Control characters, terminal escapes and invisible format characters split words; full-width
forms fold to ASCII (NFKC); a card number never survives (any 13–19 digit run becomes the token
"[card]"); digits of other scripts ("1٢3") are refused, not read as a number; spelled numbers
become digits through text2num ("three hundred and ten" → 310); the small number words a
quantity uses ("two lamps") stay words (the slot extractor reads them).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .types import Token

MAX_CHARS = 2000
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_TAGS = re.compile(r"</?[a-z][^<>]{0,40}>|\[/?[a-z ]{0,20}\]", re.IGNORECASE)
_CARD = re.compile(r"(?<!\w)\d(?:[ -]?\d){12,18}(?!\w)")
_TOKEN = re.compile(r"\[card\]|\$?\d(?:[\d,]*\d)?(?:\.\d+)?(?:k\b)?%?(?![^\W_])"
                    r"|[^\W_]+(?:['’\-./][^\W_]+)*|[$€£#?!<>+,;]")
_FOREIGN_DIGITS = "<foreign-digits>"


def clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    s = text[: MAX_CHARS * 4]
    s = _ANSI.sub(" ", s)
    s = unicodedata.normalize("NFKC", s)
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue  # zero-width and bidi controls: "Air\u200bPods" is "AirPods"
        if cat[0] in "CZ":
            out.append(" ")
        elif ch.isdigit() and not ("0" <= ch <= "9"):
            out.append("\u2400")  # a digit of another script: marked, refused below
        else:
            out.append(ch)
    s = _TAGS.sub(" ", "".join(out))
    return " ".join(s.split())[:MAX_CHARS]


def _spelled_to_digits(s: str) -> str:
    if not re.search(r"[a-z]", s):
        return s
    from text_to_num import alpha2digit  # type: ignore[import-untyped]  # 8 ms import, first message only

    try:
        return str(alpha2digit(s, "en"))
    except Exception:  # a library hiccup on odd input keeps the words as typed
        return s


@lru_cache(maxsize=512)
def tokenize(text: str) -> tuple[tuple[str, str], ...]:
    """(normalized, raw) pairs of an already cleaned text."""
    s = _CARD.sub(" [card] ", text)
    s = s.replace("’", "'")
    s = re.sub(r"\S*\u2400\S*", f" {_FOREIGN_DIGITS} ", s)
    low = s.casefold()
    low = re.sub(r"(\d),(\d{3})(?!\d)", r"\1\2", low)  # thousands separators
    low = re.sub(r"(?<=\w)'s\b", "", low)  # possessives: "today's price" → "today price"
    low = _spelled_to_digits(low)
    pairs = []
    for m in _TOKEN.finditer(low.replace(_FOREIGN_DIGITS.casefold(), " foreigndigits ")):
        word = m.group(0)
        pairs.append((word, word))
    return tuple(pairs)


def normalize(text: object) -> list[Token]:
    return [Token(w, r) for w, r in tokenize(clean(text))]


def compact(word: str) -> str:
    """A model number or name as one key: "WH-1000XM5" → "wh1000xm5", "air-pods" → "airpods"."""
    return re.sub(r"[^0-9a-z]", "", word)
