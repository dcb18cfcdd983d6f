"""Replays: the same cart or payment mandate submitted again (one after the other, and at the
same time from several threads) charges once; an HNP intent that has bought (or ended) cannot
buy again with a second, correctly signed chain; a merchant's JWT (and its jti) cannot be reused
for another cart; the user's key press on one cart cannot pay for another."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta

import pytest
from sqlmodel import delete, select

from ghostcart_tui.ap2.errors import CHAIN_INVALID, SIGNATURE_INVALID, AP2Error
from ghostcart_tui.ap2.jws import unverified_claims
from ghostcart_tui.services import carts, catalog, monitoring, orders, payments, signatures
from ghostcart_tui.store.tables import ChargeRow, MandateRow, TransactionRow
from tests.services.conftest import make_runtime

from .helpers import build_hnp_chain, charge_counts, get_data, hp_chain, put_data, signed_hp_cart, signed_intent

FIVE_MIN = timedelta(minutes=5)


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.close()


def run_threads(n, fn):
    """Start n threads on a barrier; results (or exceptions) in order."""
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def work(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a payment thread hung"
    return out


def bought_intent(rt):
    """An intent the sweep has bought with, exactly once."""
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 1
    assert orders.get_mandate(rt, intent_id).status == "consumed"
    assert charge_counts(rt) == (1, 1, 1)
    return intent_id


# ---- the same cart / payment mandate twice ---------------------------------------------------------

def test_same_cart_paid_twice_charges_once(rt):
    cart_id = signed_hp_cart(rt)
    first = payments.pay_hp(rt, cart_id)
    assert first.status == "authorized"
    for _ in range(3):
        with pytest.raises(AP2Error) as exc:
            payments.pay_hp(rt, cart_id)
        assert exc.value.code == CHAIN_INVALID
    assert charge_counts(rt) == (1, 1, 1)


def test_two_payment_mandates_for_one_cart_charge_once(rt):
    """Both prepared before either is paid (e.g. the TUI and the CLI at once)."""
    cart_id = signed_hp_cart(rt)
    p1 = payments.prepare_hp_payment(rt, cart_id)
    p2 = payments.prepare_hp_payment(rt, cart_id, "amex")
    assert payments.authorize(rt, p1.mandate_id).status == "authorized"
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, p2.mandate_id)
    assert exc.value.code == CHAIN_INVALID and "already paid" in exc.value.message
    assert charge_counts(rt) == (1, 1, 1)


def test_same_payment_mandate_authorized_twice_is_one_transaction(rt):
    _cart_id, payment_id = hp_chain(rt)
    first = payments.authorize(rt, payment_id)
    again = payments.authorize(rt, payment_id)
    assert again.transaction_id == first.transaction_id and again.replayed and not first.replayed
    assert (again.status, again.amount_cents, again.authorization_code) == (
        first.status, first.amount_cents, first.authorization_code)
    assert charge_counts(rt) == (1, 1, 1)


def test_declined_payment_mandate_replayed_is_the_same_decline(rt):
    _cart_id, payment_id = hp_chain(rt)
    rt.processor.force_next(decline="insufficient_funds")
    first = payments.authorize(rt, payment_id)
    again = payments.authorize(rt, payment_id)  # no second trip to the processor
    assert first.status == again.status == "declined" and again.transaction_id == first.transaction_id
    assert charge_counts(rt) == (1, 1, 0)


def test_same_payment_mandate_from_many_threads_charges_once(rt):
    _cart_id, payment_id = hp_chain(rt)
    results = run_threads(8, lambda i: payments.authorize(rt, payment_id))
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, AP2Error) and e.code == CHAIN_INVALID for e in errors), errors
    ok = [r for r in results if not isinstance(r, Exception)]
    assert ok and len({r.transaction_id for r in ok}) == 1
    assert charge_counts(rt) == (1, 1, 1)


def test_same_cart_from_many_threads_charges_once(rt):
    cart_id = signed_hp_cart(rt)
    results = run_threads(6, lambda i: payments.pay_hp(rt, cart_id))
    ok = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(ok) == 1 and ok[0].status == "authorized", results
    assert all(isinstance(e, AP2Error) and e.code == CHAIN_INVALID for e in errors), errors
    assert charge_counts(rt) == (1, 1, 1)


# ---- an HNP intent after it has bought -------------------------------------------------------------

def test_consumed_intent_cannot_buy_a_second_cart(rt):
    intent_id = bought_intent(rt)
    # A second, correctly signed chain under the same intent (what a replaying agent would build).
    _cart, payment = build_hnp_chain(rt, intent_id)
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == CHAIN_INVALID
    assert charge_counts(rt) == (1, 1, 1)
    # Another product the intent also allows: still one purchase per intent.
    other = signed_intent(rt, "AirPods Pro", skus=["prod_airpods_001", "prod_lamp_001"])
    catalog.set_price(rt, "prod_airpods_001", 17000)
    rt.clock.advance(FIVE_MIN)
    monitoring.run_due_checks(rt)
    assert orders.get_mandate(rt, other).status == "consumed"
    _cart, payment = build_hnp_chain(rt, other, "prod_lamp_001")
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == CHAIN_INVALID
    assert charge_counts(rt) == (2, 2, 2)


def test_consumed_intent_with_its_status_reset_still_cannot_buy(rt):
    """Someone with the database resets the intent to 'active', then also deletes the
    transaction: the processor's own books still show the charge, so nothing is charged again."""
    intent_id = bought_intent(rt)
    with rt.db.write() as s:
        row = s.get(MandateRow, intent_id)
        row.status = "active"
        s.add(row)
    _cart, payment = build_hnp_chain(rt, intent_id)
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == CHAIN_INVALID
    with rt.db.write() as s:
        s.exec(delete(TransactionRow))
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == CHAIN_INVALID
    with rt.db.read() as s:
        assert len(s.exec(select(ChargeRow)).all()) == 1


@pytest.mark.parametrize("end", ["cancelled", "expired"])
def test_ended_intent_cannot_buy(rt, end):
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    job = monitoring.list_jobs(rt)[0]
    if end == "cancelled":
        monitoring.cancel(rt, job.job_id)
    else:
        with rt.db.write() as s:  # the sweep marks it expired; the signed expiry is still ahead
            row = s.get(MandateRow, intent_id)
            row.status = "expired"
            s.add(row)
    _cart, payment = build_hnp_chain(rt, intent_id)
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == CHAIN_INVALID and end in exc.value.message
    assert charge_counts(rt) == (0, 0, 0)


def test_two_chains_under_one_intent_at_once_buy_once(rt):
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    chains = [build_hnp_chain(rt, intent_id) for _ in range(4)]
    results = run_threads(4, lambda i: payments.authorize(rt, chains[i][1].mandate_id))
    ok = [r for r in results if not isinstance(r, Exception)]
    assert len(ok) == 1 and ok[0].status == "authorized", results
    assert all(isinstance(r, AP2Error) and r.code in (CHAIN_INVALID, SIGNATURE_INVALID) for r in results if r not in ok)
    assert charge_counts(rt) == (1, 1, 1)


def test_declined_intent_purchase_can_retry_once(rt):
    """A decline does not consume the intent; the retry buys; nothing after that does."""
    intent_id = signed_intent(rt, payment_method=["visa", "amex"])
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.processor.force_next(decline="card_expired")
    rt.clock.advance(FIVE_MIN)
    monitoring.run_due_checks(rt)
    job = monitoring.list_jobs(rt)[0]
    assert job.status == "awaiting_user"
    monitoring.retry(rt, job.job_id, "amex")
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 1
    _cart, payment = build_hnp_chain(rt, intent_id)
    with pytest.raises(AP2Error):
        payments.authorize(rt, payment.mandate_id)
    assert charge_counts(rt) == (2, 2, 1)


# ---- reused JWTs ---------------------------------------------------------------------------------------

def test_merchant_jwt_and_jti_reused_on_another_cart(rt):
    """The merchant's JWT of a paid cart (its jti included) copied onto a new cart for the same
    product: the JWT binds one cart (sub + cart_hash), so the new cart is refused."""
    paid_id = signed_hp_cart(rt)
    assert payments.pay_hp(rt, paid_id).status == "authorized"
    paid_token = get_data(rt, paid_id)["cart"]["merchant_authorization"]
    fresh = carts.create_hp_cart(rt, "prod_coffee_001")
    assert unverified_claims(fresh.cart.merchant_authorization)["jti"] != unverified_claims(paid_token)["jti"]
    data = get_data(rt, fresh.mandate_id)
    data["cart"]["merchant_authorization"] = paid_token
    put_data(rt, fresh.mandate_id, data)
    # The shopper signs what they are shown; the payment is still refused.
    signatures.request_signature(rt, fresh.mandate_id)
    signatures.approve(rt, fresh.mandate_id)
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, fresh.mandate_id)
    assert exc.value.code == SIGNATURE_INVALID and "merchant" in exc.value.message
    # The same JWT on the cart it belongs to: that cart is already paid.
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, paid_id)
    assert exc.value.code == CHAIN_INVALID
    assert charge_counts(rt) == (1, 1, 1)


def test_merchant_jwt_of_a_bought_hnp_cart_reused(rt):
    bought_intent(rt)
    bought_cart = orders.list_transactions(rt)[0].cart_mandate_id
    other = signed_intent(rt, "AirPods Pro", max_price_cents=19000)
    cart, payment = build_hnp_chain(rt, other)
    data = get_data(rt, cart.mandate_id)
    data["cart"]["merchant_authorization"] = get_data(rt, bought_cart)["cart"]["merchant_authorization"]
    put_data(rt, cart.mandate_id, data)
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == SIGNATURE_INVALID
    assert charge_counts(rt) == (1, 1, 1)


def test_users_signature_replayed_on_another_cart(rt):
    """The shopper's key press on a paid $84.52 cart attached to an unsigned $599.99 cart."""
    paid_id = signed_hp_cart(rt)
    assert payments.pay_hp(rt, paid_id).status == "authorized"
    user_token = get_data(rt, paid_id)["user_authorization"]
    victim = carts.create_hp_cart(rt, "prod_vacuum_001")
    data = get_data(rt, victim.mandate_id)
    data["user_authorization"] = user_token
    put_data(rt, victim.mandate_id, data)
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, victim.mandate_id)
    assert exc.value.code == SIGNATURE_INVALID
    assert charge_counts(rt) == (1, 1, 1)


def test_payment_mandate_copied_under_a_new_id(rt):
    """A paid payment mandate duplicated under a fresh id (same JWS) is refused, not charged."""
    _cart_id, payment_id = hp_chain(rt)
    payments.authorize(rt, payment_id)
    data = copy.deepcopy(get_data(rt, payment_id))
    data["mandate_id"] = "payment_replayed0001"
    with rt.db.write() as s:
        row = s.get(MandateRow, payment_id)
        s.add(MandateRow(id="payment_replayed0001", type="payment", user_id=row.user_id, status="created",
                         mandate_data=data, created_at=row.created_at, updated_at=row.updated_at))
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, "payment_replayed0001")
    assert exc.value.code == SIGNATURE_INVALID
    assert charge_counts(rt) == (1, 1, 1)
