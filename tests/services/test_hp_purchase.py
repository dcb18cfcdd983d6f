"""Human-present purchases through the services, with the real SQLite store and real keys."""

from __future__ import annotations

import pytest

from ghostcart_tui.ap2.errors import AP2Error
from ghostcart_tui.core.errors import UserError
from ghostcart_tui.services import carts, orders, payments, signatures


def _signed_cart(rt, product_id="prod_coffee_001", qty=1):
    cart = carts.create_hp_cart(rt, product_id, qty)
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    return cart


def test_coffee_maker_costs_8452_and_is_authorized(rt, events):
    cart = _signed_cart(rt)
    outcome = payments.pay_hp(rt, cart.mandate_id)
    assert (outcome.status, outcome.amount_cents, outcome.mode) == ("authorized", 8452, "hp")
    assert outcome.authorization_code
    names = [e.name for e in events]
    assert (names.index("cart_created") < names.index("signature_requested")
            < names.index("mandate_signed") < names.index("transaction"))
    tx = orders.get_transaction(rt, outcome.transaction_id)
    assert tx.cart_mandate_id == cart.mandate_id and tx.status == "authorized"
    assert orders.get_mandate(rt, cart.mandate_id).status == "paid"


def test_unsigned_cart_cannot_be_paid(rt):
    cart = carts.create_hp_cart(rt, "prod_lamp_001")
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, cart.mandate_id)
    assert exc.value.code == "ap2:mandate:signature_invalid"
    assert orders.counts(rt)["transactions"] == 0


def test_declined_signature_charges_nothing(rt, events):
    cart = carts.create_hp_cart(rt, "prod_lamp_001")
    signatures.request_signature(rt, cart.mandate_id)
    signatures.decline(rt, cart.mandate_id)
    assert orders.get_mandate(rt, cart.mandate_id).status == "declined"
    with pytest.raises(UserError):
        signatures.approve(rt, cart.mandate_id)
    assert orders.counts(rt)["transactions"] == 0
    assert "signature_declined" in [e.name for e in events]


def test_out_of_stock_and_over_budget_are_never_carted(rt):
    with pytest.raises(UserError, match="out of stock"):
        carts.create_hp_cart(rt, "prod_tablet_001")
    with pytest.raises(UserError, match="budget"):
        carts.create_hp_cart(rt, "prod_headphones_001", max_price_cents=30000)
    assert orders.counts(rt)["mandates"] == 0


def test_same_cart_is_never_charged_twice(rt):
    cart = _signed_cart(rt)
    first = payments.pay_hp(rt, cart.mandate_id)
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, cart.mandate_id)
    assert exc.value.code == "ap2:mandate:chain_invalid"
    # Replaying the same payment mandate returns the recorded answer, not a second charge.
    again = payments.authorize(rt, first.payment_mandate_id)
    assert again.transaction_id == first.transaction_id and again.replayed
    assert orders.counts(rt)["authorized_transactions"] == 1


def test_decline_then_retry_with_another_method(rt):
    cart = _signed_cart(rt)
    rt.processor.force_next(decline="insufficient_funds")
    declined = payments.pay_hp(rt, cart.mandate_id)
    assert (declined.status, declined.decline_reason) == ("declined", "insufficient_funds")
    other = rt.credentials.next_method(rt.user_id, declined.token)
    ok = payments.pay_hp(rt, cart.mandate_id, other.token)
    assert ok.status == "authorized" and ok.token == other.token
    assert orders.counts(rt) | {} == {"transactions": 2, "authorized_transactions": 1,
                                      "active_monitoring_jobs": 0, "mandates": 3}


def test_fraud_threshold_declines_high_totals(rt):
    cart = _signed_cart(rt, "prod_vacuum_001", qty=2)
    outcome = payments.pay_hp(rt, cart.mandate_id)
    assert (outcome.status, outcome.decline_reason) == ("declined", "fraud_suspected")


def test_cart_expires_after_its_ttl(rt):
    from datetime import timedelta

    cart = _signed_cart(rt)
    rt.clock.advance(timedelta(hours=1))
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, cart.mandate_id)
    assert exc.value.code == "ap2:mandate:expired"
    assert orders.counts(rt)["transactions"] == 0


def test_signed_cart_is_verified_again_when_read_back(rt):
    from ghostcart_tui.store.tables import MandateRow

    cart = _signed_cart(rt)
    assert signatures.read_signed(rt, cart.mandate_id, ("signed",)) == "signed"
    with rt.db.write() as s:  # someone edits the stored cart after the shopper signed it
        row = s.get(MandateRow, cart.mandate_id)
        data = dict(row.mandate_data)
        data["line_items"] = [dict(data["line_items"][0], quantity=10)]
        row.mandate_data = data
        s.add(row)
    with pytest.raises(AP2Error) as exc:
        signatures.read_signed(rt, cart.mandate_id, ("signed",))
    assert exc.value.code == "ap2:mandate:signature_invalid"
