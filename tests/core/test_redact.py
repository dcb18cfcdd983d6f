"""The "Also" list: a CVV or an expiry typed in chat is redacted like a card number, while ordinary
prices, dates and quantities are left alone."""

from __future__ import annotations

import pytest

from ghostcart_tui.core.redact import REDACTED, REDACTED_CVV, REDACTED_EXPIRY, redact_in, redact_pans

PAN = "4111 1111 1111 1111"


@pytest.mark.parametrize("text", [
    f"my card is {PAN} exp 12/27 cvv 123",
    f"{PAN} 12/27 123",
    f"{PAN}, 12/2027, 123",
    "card 4111111111111111 expires 01/28 and the security code is 1234",
    "CVV: 123 and expiry 12/27 on my visa",
    "use the Amex, CVC=4321",
    "cvv #987",
    "the cvv is 456",
    "123 is my cvv",
    "Mastercard expiring 7/29, cvv 555",
])
def test_card_data_is_removed(text):
    out = redact_pans(text)
    for secret in ("4111", "12/27", "12/2027", "01/28", "7/29", "123", "1234", "4321", "987", "456", "555"):
        assert secret not in out, (text, out)
    assert REDACTED in out or REDACTED_CVV in out or REDACTED_EXPIRY in out


@pytest.mark.parametrize("text", [
    "Buy a coffee maker under $120",
    "Find headphones below 350 dollars, delivered by 12/27",
    "deliver by 12/27 please",
    "It costs $12.27 at the store",
    "I want 123 units",
    "Buy AirPods if they drop below $100 within 2 days",
    "order ord_123 shipped 2026-12-27 at 10:30",
    "the price is 1/2 off, 3/4 of the time",
    "room 404, floor 12/27 of the tower",
])
def test_ordinary_numbers_are_left_alone(text):
    assert redact_pans(text) == text


def test_card_number_then_price_keeps_the_price():
    out = redact_pans(f"charge {PAN} for $123.45")
    assert REDACTED in out and "$123.45" in out


def test_expiry_month_and_year_with_card_word_after():
    assert redact_pans("12/27 is the expiry of my card") == f"{REDACTED_EXPIRY} is the expiry of my card"


def test_redact_in_reaches_nested_strings():
    data = {"messages": [{"text": f"card {PAN} exp 12/27 cvv 123"}], "n": 5}
    out = redact_in(data)
    text = out["messages"][0]["text"]
    assert "123" not in text and "12/27" not in text and "4111" not in text and out["n"] == 5
