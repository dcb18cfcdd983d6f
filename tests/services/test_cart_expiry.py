"""Issue 13, defect 7: an HP cart's merchant authorization and its own expiry agree, and a cart
that can no longer be paid is never offered for signature (refreshed at signing when the
merchant's offer is unchanged, else refused so the agent asks again)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ghostcart_tui.ap2.errors import EXPIRED, AP2Error
from ghostcart_tui.ap2.jws import epoch_to_datetime, unverified_claims
from ghostcart_tui.core.clock import parse_iso
from ghostcart_tui.services import carts, catalog, orders, payments, signatures


def test_merchant_authorization_lasts_as_long_as_the_cart(rt):
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    exp = epoch_to_datetime(unverified_claims(cart.cart.merchant_authorization)["exp"])
    assert exp == parse_iso(cart.cart.contents.cart_expiry)


@pytest.mark.parametrize("minutes", [16, 31])
def test_cart_signed_late_can_still_be_paid(rt, minutes):
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    rt.clock.advance(timedelta(minutes=minutes))
    signed = signatures.approve(rt, cart.mandate_id)
    assert signed.mandate_id == cart.mandate_id
    assert parse_iso(signed.cart.contents.cart_expiry) - rt.clock.now() >= signatures.PAY_WINDOW
    rt.clock.advance(timedelta(minutes=2))  # the payment follows the key press
    assert payments.pay_hp(rt, cart.mandate_id).status == "authorized"


def test_cart_near_its_end_is_refreshed_before_it_is_offered(rt):
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    rt.clock.advance(timedelta(minutes=27))  # 3 minutes left: too little to pay after signing
    view = signatures.request_signature(rt, cart.mandate_id)
    assert parse_iso(view.expires_at) - rt.clock.now() >= signatures.PAY_WINDOW
    assert [p.mandate_id for p in signatures.pending(rt)] == [cart.mandate_id]


def test_changed_offer_is_never_signed_it_is_asked_again(rt):
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    catalog.set_price(rt, "prod_coffee_001", 7900)
    rt.clock.advance(timedelta(minutes=31))
    with pytest.raises(AP2Error) as exc:
        signatures.approve(rt, cart.mandate_id)
    assert exc.value.code == EXPIRED and "ask for a new cart" in exc.value.message
    assert orders.get_mandate(rt, cart.mandate_id).status == "expired"
    assert signatures.pending(rt) == []
    with pytest.raises(AP2Error):
        payments.pay_hp(rt, cart.mandate_id)
