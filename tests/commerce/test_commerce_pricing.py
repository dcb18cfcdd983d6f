import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghostcart_tui.commerce import pricing
from ghostcart_tui.commerce.catalog import DEMO_CATALOG
from ghostcart_tui.commerce.pricing import SHIPPING_CENTS, TAX_BASIS_POINTS, CartLine, quote
from ghostcart_tui.core.errors import UserError

BY_ID = {p.product_id: p for p in DEMO_CATALOG}


def line(product_id: str, quantity: int = 1) -> CartLine:
    p = BY_ID[product_id]
    return CartLine(p.product_id, p.name, p.price_cents, quantity, p.delivery_days)


def test_coffee_maker_total_matches_ap2_example():
    q = quote([line("prod_coffee_001")])
    assert (q.subtotal_cents, q.tax_cents, q.shipping_cents) == (6900, 552, 1000)
    assert q.total_cents == 8452
    assert q.delivery_days == 2


def test_rates_are_the_documented_ones():
    assert TAX_BASIS_POINTS == 800 and SHIPPING_CENTS == 1000


def test_tax_rounds_to_nearest_cent_at_8_percent():
    # 8% of whole cents has fractions in steps of 0.04, so .48 and .52 are the nearest cases.
    assert quote([CartLine("p", "P", 6, 1, 1)]).tax_cents == 0  # 0.48 → 0 (not ceiling)
    assert quote([CartLine("p", "P", 19, 1, 1)]).tax_cents == 2  # 1.52 → 2 (not truncation)
    assert quote([line("prod_watch_001")]).tax_cents == 1280  # 1279.92


def test_exact_half_cent_rounds_up(monkeypatch):
    # At 8% an exact .5 cannot occur; at 7.5% it can: 60 x 7.5% = 4.5 → 5 (half-even gives 4).
    monkeypatch.setattr(pricing, "TAX_BASIS_POINTS", 750)
    assert quote([CartLine("p", "P", 60, 1, 1)]).tax_cents == 5
    assert quote([CartLine("p", "P", 20, 1, 1)]).tax_cents == 2  # 1.5 → 2


def test_multi_quantity_and_multi_line_cart():
    two_fitbits = quote([line("prod_watch_001", 2)])
    assert two_fitbits.lines[0].line_total_cents == 31998
    assert (two_fitbits.subtotal_cents, two_fitbits.tax_cents) == (31998, 2560)
    assert two_fitbits.total_cents == 31998 + 2560 + 1000  # shipping once per cart

    mixed = quote([line("prod_coffee_001"), line("prod_lamp_001", 3), line("prod_mixer_001")])
    assert mixed.subtotal_cents == 6900 + 3 * 4599 + 37999
    assert mixed.delivery_days == 3  # the slowest line
    assert len(mixed.lines) == 3


@pytest.mark.parametrize("qty", [0, -1, 100, 1000])
def test_invalid_quantity_is_a_clear_user_error(qty):
    expected = r"quantity for Modern LED Desk Lamp must be a whole number from 1 to 99"
    with pytest.raises(UserError, match=expected):
        quote([line("prod_lamp_001", qty)])


def test_non_integer_quantity_is_rejected():
    with pytest.raises(UserError):
        quote([CartLine("p", "P", 100, 1.5, 1)])  # type: ignore[arg-type]


def test_quantity_bounds_are_inclusive():
    assert quote([line("prod_lamp_001", 1)]).subtotal_cents == 4599
    assert quote([line("prod_lamp_001", 99)]).subtotal_cents == 99 * 4599


def test_empty_cart_is_a_user_error():
    with pytest.raises(UserError, match="empty"):
        quote([])


@given(
    st.lists(
        st.tuples(st.integers(1, 1_000_000), st.integers(1, 99), st.integers(0, 30)),
        min_size=1,
        max_size=8,
    )
)
def test_total_is_subtotal_plus_tax_plus_shipping(items):
    lines = [CartLine(f"p{i}", f"P{i}", c, q, d) for i, (c, q, d) in enumerate(items)]
    q = quote(lines)
    assert q.subtotal_cents == sum(c * n for c, n, _ in items)
    assert q.total_cents == q.subtotal_cents + q.tax_cents + q.shipping_cents
    assert q.shipping_cents == 1000
    assert abs(q.tax_cents * 100 - q.subtotal_cents * 8) <= 50  # within half a cent of 8%
    assert q.delivery_days == max(d for _, _, d in items)
