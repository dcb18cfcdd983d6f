"""Issue 13, defects 1 and 2 (and the iat check of 9): what decides a purchase is signed.

- what may be bought = the signed intent's skus (required; the sweep looks them up by id);
- the payment method = one the shopper's signature names (intent for HNP, key press for HP);
- a DB edit of the job row (product_query, constraints, payment_token) buys nothing the
  signatures do not cover, and the chain check proves the cart satisfies the intent.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from ghostcart_tui.ap2 import builders, chain
from ghostcart_tui.ap2.errors import CONSTRAINTS_VIOLATED, SIGNATURE_INVALID, AP2Error
from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.errors import UserError
from ghostcart_tui.services import carts, catalog, intents, monitoring, payments, signatures
from ghostcart_tui.store import mandates
from ghostcart_tui.store.engine import db_time
from ghostcart_tui.store.tables import MonitoringJobRow
from tests.services.conftest import make_runtime

from .helpers import build_hnp_chain, charge_counts, load, signed_intent

FIVE_MIN = timedelta(minutes=5)


def sql(rt, statement: str, *params) -> None:
    """An edit of the real file, as someone with write access to it would make."""
    con = sqlite3.connect(rt.db.path)
    try:
        con.execute(statement, params)
        con.commit()
    finally:
        con.close()


def errors_of(seen):
    return [e for e in seen if e.name == "error"]


# ---- defect 1: the products come from the signed skus --------------------------------------------

@pytest.mark.parametrize("skus", [None, [], [""], ["  "]])
def test_an_intent_needs_its_product_ids(rt, skus):
    with pytest.raises((UserError, TypeError)):
        kw = {} if skus is None else {"skus": skus}
        intents.create_intent(rt, "PS5", Constraints(max_price_cents=40000), **kw)


def test_unknown_product_id_is_refused_plainly(rt):
    with pytest.raises(UserError, match="no product with id"):
        intents.create_intent(rt, "PS5", Constraints(max_price_cents=40000), skus=["prod_ps5_001"])


def test_signed_intent_carries_the_skus_and_the_instrument(rt):
    rec = intents.create_intent(rt, "AirPods", Constraints(max_price_cents=18000), skus=["prod_airpods_001"])
    assert rec.intent.skus == ["prod_airpods_001"]
    assert rec.allowed_tokens() == ["tok_visa_4242"]
    assert "skus" in rec.signable()["intent"] and rec.signable()["payment_methods"][0]["token"] == "tok_visa_4242"


def test_job_product_query_edit_buys_nothing_else(rt):
    """The probe's repro: the job's product_query pointed at a KitchenAid mixer, limits raised.
    The sweep reads the signed skus, so it still watches AirPods only."""
    seen = []
    rt.bus.subscribe(seen.append)
    signed_intent(rt, "AirPods", 18000)
    sql(rt, "UPDATE monitoring_jobs SET product_query = 'kitchenaid mixer', "
            "constraints = '{\"max_price_cents\": 50000, \"skus\": null}'")
    for _ in range(2):
        rt.clock.advance(FIVE_MIN)
        report = monitoring.run_due_checks(rt)
        assert report.matched == 0 and report.purchased == 0
    assert charge_counts(rt) == (0, 0, 0)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 1
    with rt.db.read() as s:
        (tx_cart,) = [r for r in mandates.list_rows(s, type_="cart")]
    assert [li.product_id for li in mandates.parse(tx_cart).line_items] == ["prod_airpods_001"]


def _legacy_intent(rt, query: str = "kitchenaid mixer") -> str:
    """An intent as an older GhostCart signed it: no skus, no payment method; watched."""
    now = rt.clock.now()
    rec = builders.build_intent(
        mandate_id=rt.ids.new("intent"), user_id=rt.user_id, description=f"Buy {query} below $500",
        product_query=query, constraints=Constraints(max_price_cents=50000), expiry=now + timedelta(days=7),
        merchants=[rt.merchant_name])
    rec = builders.user_sign(rec, rt.keys.user_key(rt.user_id), now, rt.ids.new("jti"))
    with rt.db.write() as s:
        mandates.insert(s, rec, status="active", now=now, signer=f"user:{rt.user_id}")
        s.flush()
        s.add(MonitoringJobRow(
            job_id="job_legacy", intent_mandate_id=rec.mandate_id, user_id=rt.user_id, product_query=query,
            constraints=rec.constraints.model_dump() | {"skus": None}, interval_minutes=5, status="active",
            next_check_at=db_time(now), created_at=db_time(now), expires_at=db_time(now + timedelta(days=7))))
    return rec.mandate_id


def test_legacy_intent_without_skus_never_buys_and_says_why(rt):
    _legacy_intent(rt)
    report = monitoring.run_due_checks(rt)  # the mixer ($379.99) is under the $500 limit
    assert report.purchased == 0 and charge_counts(rt) == (0, 0, 0)
    job = monitoring.get_job(rt, "job_legacy")
    assert job.status == "unusable" and "without a product list" in job.last_result
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 0


def test_chain_check_refuses_a_cart_for_an_intent_without_skus(rt):
    """Even built by hand with valid signatures, an HNP chain under an intent that names no
    product does not validate."""
    intent_id = _legacy_intent(rt)
    _, payment = build_hnp_chain(rt, intent_id, "prod_mixer_001")
    report = payments.validate_chain(rt, payment.mandate_id)
    assert not report.ok
    assert any(v.check == "constraints.skus" and not v.ok for v in report)
    with pytest.raises(AP2Error):
        payments.authorize(rt, payment.mandate_id)
    assert charge_counts(rt) == (0, 0, 0)


def test_chain_check_refuses_a_product_outside_the_signed_skus(rt):
    intent_id = signed_intent(rt, "AirPods", 50000)
    _, payment = build_hnp_chain(rt, intent_id, "prod_mixer_001")
    with pytest.raises(AP2Error) as exc:
        payments.authorize(rt, payment.mandate_id)
    assert exc.value.code == CONSTRAINTS_VIOLATED and charge_counts(rt) == (0, 0, 0)


# ---- defect 2: the payment method is signed ------------------------------------------------------

def test_job_payment_token_edit_is_refused_then_the_signed_card_pays(rt):
    seen = []
    rt.bus.subscribe(seen.append)
    signed_intent(rt)  # signs Visa 4242 only
    catalog.set_price(rt, "prod_airpods_001", 17500)
    sql(rt, "UPDATE monitoring_jobs SET payment_token = 'tok_amex_0005'")
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 0
    assert charge_counts(rt) == (0, 0, 0)
    assert errors_of(seen)[-1].error_code == CONSTRAINTS_VIOLATED
    job = monitoring.list_jobs(rt)[0]
    assert job.status == "active" and "not one you signed" in job.last_result
    rt.clock.advance(FIVE_MIN)
    assert monitoring.run_due_checks(rt).purchased == 1  # resumed by itself, with the signed card
    (tx,) = [t for t in payments_of(rt)]
    assert tx.payment_token == "tok_visa_4242"


def payments_of(rt):
    from ghostcart_tui.services import orders

    return orders.list_transactions(rt, user_id=rt.user_id)


def test_hnp_payment_with_an_unsigned_card_fails_the_chain_check(rt):
    intent_id = signed_intent(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    intent = load(rt, intent_id)
    cart, _ = build_hnp_chain(rt, intent_id, insert=False)
    now = rt.clock.now()
    amex = rt.credentials.get(rt.user_id, "amex")
    payment = builders.build_payment(payment_id=rt.ids.new("payment"), cart=cart,
                                     user_authorization=intent.user_authorization, token=amex.token,
                                     brand=amex.brand, merchant_agent=rt.agent_name, now=now,
                                     intent_mandate_id=intent_id)
    payment = builders.agent_sign_payment(payment, rt.keys.agent_key(), now, rt.ids.new("jti"))
    report = chain.validate_hnp_chain(intent, cart, payment, rt.keys, now)
    (bad,) = [v for v in report if v.check == "payment.instrument"]
    assert not bad.ok and bad.code == CONSTRAINTS_VIOLATED


def test_hp_key_press_signs_the_allowed_instruments(rt):
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    signed = signatures.approve(rt, cart.mandate_id)
    assert signed.allowed_tokens() == [m.token for m in rt.credentials.list_methods(rt.user_id)]
    assert chain.verify_cart(signed, rt.keys, rt.clock.now()).ok
    # the list is covered by the key press: editing it breaks the user's signature
    doc = signed.model_dump(mode="json")
    doc["payment_methods"] = [{"token": "tok_attacker_0001", "label": "attacker"}]
    edited = type(signed).model_validate(doc)
    report = chain.verify_cart(edited, rt.keys, rt.clock.now())
    assert report.first_failure.code == SIGNATURE_INVALID


def test_hp_payment_outside_the_signed_instruments_is_refused(rt):
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    signed = signatures.approve(rt, cart.mandate_id)
    now = rt.clock.now()
    payment = builders.build_payment(payment_id=rt.ids.new("payment"), cart=signed,
                                     user_authorization=signed.user_authorization, token="tok_other_9999",
                                     brand="Visa", merchant_agent=rt.agent_name, now=now)
    payment = builders.agent_sign_payment(payment, rt.keys.agent_key(), now, rt.ids.new("jti"))
    report = chain.validate_hp_chain(signed, payment, rt.keys, now)
    assert report.first_failure.check == "payment.instrument"


# ---- defect 9 (part): a signature's issue time is checked against the clock ----------------------

def test_cart_signed_in_2030_is_not_paid_in_2026(tmp_path):
    rt = make_runtime(tmp_path, clock=FakeClock("2030-01-01T10:00:00Z"))
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    rt.clock.set(FakeClock("2026-11-26T10:00:00Z").now())
    with pytest.raises(AP2Error) as exc:
        payments.pay_hp(rt, cart.mandate_id)
    assert exc.value.code == SIGNATURE_INVALID and "issued at 2030" in exc.value.message
    assert charge_counts(rt) == (0, 0, 0)
    rt.close()


def test_small_clock_skew_is_allowed(tmp_path):
    rt = make_runtime(tmp_path)
    cart = carts.create_hp_cart(rt, "prod_coffee_001")
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    rt.clock.set(rt.clock.now() - timedelta(minutes=2))  # the signer's clock was 2 minutes ahead
    assert payments.pay_hp(rt, cart.mandate_id).status == "authorized"
    rt.close()
