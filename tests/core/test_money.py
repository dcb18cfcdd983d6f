from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ghostcart_tui.core.money import MAX_CENTS, MoneyError, format_cents, from_major, parse_money, percent_of, to_major

SETTINGS = settings(max_examples=200, deadline=None)
cents = st.integers(0, MAX_CENTS)


@SETTINGS
@given(cents)
@example(8452)
@example(0)
@example(MAX_CENTS)
def test_format_then_parse_round_trips(c: int) -> None:
    text = format_cents(c)
    assert text.startswith("$") and text[-3] == "."
    assert parse_money(text) == c
    assert parse_money(text.replace(",", "")) == c
    assert parse_money(text[1:]) == c


@SETTINGS
@given(cents)
def test_wire_float_round_trips(c: int) -> None:
    value = to_major(c)
    assert isinstance(value, float)
    assert from_major(value) == c
    assert from_major(str(value)) == c
    assert from_major(repr(value)) == c


@SETTINGS
@given(st.integers(0, 10**9), st.integers(0, 10_000))
@example(6900, 800)  # the coffee maker's tax: 5.52
@example(5, 1000)  # 0.5 cent rounds up
@example(15, 1000)  # 1.5 cents rounds up (half up, not half even)
@example(4, 1250)  # exactly half a cent
def test_percent_of_rounds_half_up_like_decimal(c: int, bp: int) -> None:
    expected = int((Decimal(c) * bp / Decimal(10_000)).quantize(Decimal(1), ROUND_HALF_UP))
    assert percent_of(c, bp) == expected


def test_coffee_maker_total() -> None:
    sub = 6900
    tax = percent_of(sub, 800)
    assert (tax, format_cents(sub + tax + 1000)) == (552, "$84.52")
    assert to_major(8452) == 84.52


@pytest.mark.parametrize("text", ["180", "$180", "180.5", "180.50", "$1,299.99", " 12 "])
def test_parse_money_accepts(text: str) -> None:
    assert parse_money(text) >= 0


@pytest.mark.parametrize(
    "text", ["", "-5", "1e3", "NaN", "inf", "12.345", "1,2345", "$", "abc", "10 000", "99999999999"]
)
def test_parse_money_rejects(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.01, "x", 1e12])
def test_from_major_rejects(value: object) -> None:
    with pytest.raises(MoneyError):
        from_major(value)  # type: ignore[arg-type]


@SETTINGS
@given(st.decimals(min_value=0, max_value=Decimal(MAX_CENTS) / 100, places=3))
def test_from_major_rounds_half_up(d: Decimal) -> None:
    assert from_major(d) == int((d * 100).quantize(Decimal(1), ROUND_HALF_UP))


@pytest.mark.parametrize("value", [1e27, 1e300])
def test_from_major_rejects_absurdly_large_values_with_money_error(value: float) -> None:
    with pytest.raises(MoneyError):
        from_major(value)
