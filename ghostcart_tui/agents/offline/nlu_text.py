"""Text hygiene and tokens: hostile input in, a short, clean, lower-cased token list out.

Every regex here is linear (bounded repeats or unambiguous alternations): no input can make
them backtrack catastrophically, and input is cut to MAX_INPUT_CHARS before anything else.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

MAX_INPUT_CHARS = 2000
_RAW_CAP = MAX_INPUT_CHARS * 4  # escape sequences and tags are removed before the final cut

_ANSI_CSI = re.compile(r"\x1b\[[0-?]{0,64}[ -/]{0,16}[@-~]?")
_ANSI_OSC = re.compile(r"\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?")
_ANSI_OTHER = re.compile(r"\x1b[@-_]?")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_NUMWORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty|thirty"
_UNIT_HYPHEN = re.compile(
    r"(?<![\w-])(next|same|[0-9]{1,4}|" + _NUMWORDS + r")"
    r"-(day|days|week|weeks|hour|hours|month|months)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_ALL_IN = re.compile(r"(?<![\w-])all-in(?![\w-])", re.IGNORECASE)

_CHAR_MAP = {
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": " - ",
    "\u2015": "-", "\ufe63": "-", "\uff0d": "-",
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2264": "<=", "\u2265": ">=", "\u2248": "~",
}


def _clean_chars(s: str) -> str:
    out: list[str] = []
    for ch in s:
        if ch < "\x80":
            out.append(ch if ch.isprintable() else " ")
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cs", "Co", "Cn"):  # zero-width, bidi controls, surrogates, unassigned
            continue
        if cat[0] in "CZ":  # other controls and separators
            out.append(" ")
            continue
        out.append(_CHAR_MAP.get(ch, ch))
    return "".join(out)


def normalize(text: object) -> str:
    """Safe, bounded, NFKC-normalized text (case kept). Never raises."""
    if not isinstance(text, str):
        return ""
    s = text[:_RAW_CAP]
    if "\x1b" in s:
        s = _ANSI_OSC.sub(" ", s)
        s = _ANSI_CSI.sub(" ", s)
        s = _ANSI_OTHER.sub(" ", s)
    if "<" in s:
        s = _TAG.sub(" ", s)
    s = _clean_chars(s)
    s = unicodedata.normalize("NFKC", s)
    s = _clean_chars(s)  # NFKC can produce separators / mapped punctuation
    s = " ".join(s.split())[:MAX_INPUT_CHARS]
    s = _UNIT_HYPHEN.sub(r"\1 \2", s)
    s = _ALL_IN.sub("all in", s)
    return s


class Token(NamedTuple):
    raw: str
    low: str
    # "num" | "word" | "numword" (starts with a digit but is not a plain number) | "sym" | "punct"
    kind: str
    pos: int  # character span in the normalized text
    end: int


_TOKEN_RE = re.compile(
    r"(?P<num>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|(?<![\w.])\.[0-9]{1,2}(?![\w.]))"
    r"(?P<tail>\w[\w.]{0,40})?"
    r"|(?P<word>\w+(?:['\-]\w+)*)"
    r"|(?P<sym>[$<>#=+%~@\-\u20ac\u00a3\u00a5])"
    r"|(?P<punct>[.,!?;:])"
)

# A number glued to one of these is split: "180dollars", "2days", "3x".
_SPLIT_TAILS = frozenset(
    "dollars dollar bucks buck usd day days d week weeks wk wks hour hours hr hrs h month months x"
    .split()
)


def tokenize(norm: str) -> list[Token]:
    toks: list[Token] = []
    for m in _TOKEN_RE.finditer(norm):
        if m.group("num") is not None:
            num = m.group("num")
            tail = m.group("tail")
            s, e = m.start(), m.end()
            if tail is None:
                toks.append(Token(num, num, "num", s, e))
            elif tail.lower() in _SPLIT_TAILS:
                mid = s + len(num)
                toks.append(Token(num, num, "num", s, mid))
                toks.append(Token(tail, tail.lower(), "word", mid, e))
            else:
                raw = m.group(0)
                toks.append(Token(raw, raw.lower(), "numword", s, e))
        elif m.group("word") is not None:
            raw = m.group("word")
            toks.append(Token(raw, raw.casefold(), "word", m.start(), m.end()))
        elif m.group("sym") is not None:
            raw = m.group("sym")
            toks.append(Token(raw, raw, "sym", m.start(), m.end()))
        else:
            raw = m.group("punct")
            toks.append(Token(raw, raw, "punct", m.start(), m.end()))
    return toks


# ---- spelled-out numbers ------------------------------------------------------------------

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}


def spelled_number(lows: list[str], i: int) -> tuple[int, int] | None:
    """Parse "two", "twenty-five", "a hundred", "two hundred and fifty" at lows[i].

    Returns (value, index after the number) or None. Bounded: at most 8 words are read.
    """
    n = len(lows)
    j = i
    total = 0
    small = 0
    seen = False
    if j + 1 < n and lows[j] in ("a", "an") and lows[j + 1] in ("hundred", "thousand"):
        small = 1
        j += 1
    limit = min(n, i + 8)
    while j < limit:
        w = lows[j]
        parts = w.split("-") if "-" in w else [w]
        if len(parts) <= 2 and all(p in UNITS or p in TENS for p in parts):
            if len(parts) == 2 and not (
                parts[0] in TENS and parts[1] in UNITS and UNITS[parts[1]] < 10
            ):
                break
            v = sum(UNITS.get(p, TENS.get(p, 0)) for p in parts)
            rem = small % 100
            if parts[0] in TENS and rem != 0:
                break
            if parts[0] in UNITS and rem != 0 and not (rem >= 20 and rem % 10 == 0 and v < 10):
                break
            if seen and small == 0 and total == 0:  # "zero two"
                break
            small += v
            seen = True
        elif w == "hundred":
            if small >= 100:
                break
            small = (small or 1) * 100
            seen = True
        elif w == "thousand":
            if total:
                break
            total = (small or 1) * 1000
            small = 0
            seen = True
        elif w == "and" and seen and (small >= 100 or total) and j + 1 < n and (
            lows[j + 1] in UNITS or lows[j + 1].split("-")[0] in TENS
        ):
            pass
        else:
            break
        j += 1
    if not seen:
        return None
    return total + small, j


# ---- phrase matching ----------------------------------------------------------------------


class PhraseBook:
    """Multi-word phrases indexed by first word; finds the longest phrase at a position."""

    def __init__(self, phrases: dict[str, str] | list[str]) -> None:
        items = phrases.items() if isinstance(phrases, dict) else ((p, p) for p in phrases)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for text, label in items:
            words = tuple(text.split())
            self._by_first.setdefault(words[0], []).append((words, label))
        for lst in self._by_first.values():
            lst.sort(key=lambda p: -len(p[0]))

    def match(self, lows: list[str], i: int) -> tuple[int, str]:
        """(length, label) of the longest phrase starting at lows[i], or (0, "")."""
        if i >= len(lows):
            return 0, ""
        for words, label in self._by_first.get(lows[i], ()):
            k = len(words)
            if tuple(lows[i : i + k]) == words:
                return k, label
        return 0, ""

    def find_all(self, lows: list[str]) -> list[tuple[int, int, str]]:
        """Every (start, length, label) hit, scanning left to right, overlapping allowed."""
        hits = []
        for i in range(len(lows)):
            k, label = self.match(lows, i)
            if k:
                hits.append((i, k, label))
        return hits
