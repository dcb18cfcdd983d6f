"""Money is integer cents. Float major units exist only at the AP2 wire boundary."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Cents = int

# The largest amount GhostCart will handle: $10,000,000.00. Anything above is a typo or an attack.
MAX_CENTS: Cents = 1_000_000_000


class MoneyError(ValueError):
    """An amount a shopper typed (or a file held) that is not a usable price."""


_MONEY_RE = re.compile(r"^\s*\$?\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?\s*$")


def parse_money(text: str) -> Cents:
    """Parse "$1,299.99", "180", "180.5" into cents; reject negatives, NaN, exponents, garbage."""
    if not isinstance(text, str):
        raise MoneyError(f"not an amount: {text!r}")
    m = _MONEY_RE.match(text)
    if not m:
        raise MoneyError(f"not a valid amount: {text.strip()[:40]!r} (use e.g. 180 or 180.50)")
    digits = m.group("num").replace(",", "")
    if len(digits) > 12:  # far above MAX_CENTS; also keeps int() clear of its 4300-digit limit
        raise MoneyError(f"amount too large: {text.strip()[:40]!r}")
    whole = int(digits)
    frac = (m.group("frac") or "0").ljust(2, "0")
    cents = whole * 100 + int(frac)
    if cents > MAX_CENTS:
        raise MoneyError(f"amount too large: {text.strip()[:40]!r}")
    return cents


def from_major(value: float | int | str | Decimal) -> Cents:
    """Wire float (major units) → cents, rounding half up; rejects NaN, infinities and negatives."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not d.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    if abs(d) > MAX_CENTS:  # checked before quantize, which fails past the context precision
        raise MoneyError(f"amount too large: {value!r}")
    cents = int((d * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0:
        raise MoneyError(f"negative amount: {value!r}")
    if cents > MAX_CENTS:
        raise MoneyError(f"amount too large: {value!r}")
    return cents


def to_major(cents: Cents) -> float:
    """Cents → AP2 wire float. Exact for every cent value below 2**53."""
    return round(cents / 100, 2)


def percent_of(cents: Cents, basis_points: int) -> Cents:
    """cents × basis_points / 10000, rounded half up (8% tax = 800 bp)."""
    num = cents * basis_points
    q, r = divmod(num, 10_000)
    return q + (1 if r * 2 >= 10_000 else 0)


def format_cents(cents: Cents, currency: str = "USD") -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{whole:,}.{frac:02d}"
