from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ghostcart_tui.ap2.bindings import cart_agent_binding, cart_user_binding, intent_user_binding
from ghostcart_tui.ap2.chain import (
    ChainReport,
    Verdict,
    audit_chain,
    validate_hnp_chain,
    validate_hp_chain,
    verify_cart,
    verify_intent,
    verify_payment,
)
from ghostcart_tui.ap2.errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, EXPIRED, SIGNATURE_INVALID, AP2Error
from ghostcart_tui.ap2.jws import make_claims, sign_jwt
from ghostcart_tui.ap2.keys import KeyPair, KeyStore
from ghostcart_tui.ap2.records import CartRecord, Constraints, IntentRecord

from .conftest import AIRPODS, MERCHANT, NOW, OTHER_USER, Factory, edit

MIN = timedelta(minutes=1)


def first(report: ChainReport) -> tuple[str | None, str] | None:
    f = report.first_failure
    return (f.code, f.check) if f else None


def assert_fails(report: ChainReport, code: str, check: str | None = None) -> Verdict:
    f = report.first_failure
    assert f is not None, "expected a failure"
    assert f.code == code, f
    if check is not None:
        assert f.check == check, f
    with pytest.raises(AP2Error) as err:
        report.raise_if_invalid()
    assert err.value.code == code and err.value.message == f.reason
    assert err.value.details == {"check": f.check}
    return f


def sign_as(binding: dict[str, Any], key: KeyPair, *, iss: str | None = None,
            ttl: timedelta = 30 * MIN) -> str:
    """Sign arbitrary binding claims with any key: what a buggy or hostile signer could do."""
    b = dict(binding)
    issuer = b.pop("iss", None) or iss or key.owner
    return sign_jwt(make_claims(issuer, b.pop("sub"), b.pop("aud"), NOW, ttl, "jti_x", **b), key)


def agent_sign_unchecked(cart: CartRecord, keys: KeyStore, intent: IntentRecord) -> CartRecord:
    token = sign_as(cart_agent_binding(cart, intent), keys.agent_key())
    return cart.model_copy(update={"agent_authorization": token})


# -- human present -----------------------------------------------------------------------------


def test_valid_hp_chain(factory: Factory, keys: KeyStore) -> None:
    cart, payment = factory.hp_chain()
    report = validate_hp_chain(cart, payment, keys, NOW + 5 * MIN)
    assert report.ok and report.first_failure is None and not report.failures
    report.raise_if_invalid()
    checks = {v.check for v in report}
    assert {
        "chain.mode", "cart.merchant_authorization", "cart.user_authorization", "cart.lines",
        "cart.total", "cart.expiry", "payment.agent_authorization",
        "payment.user_authorization", "payment.total", "payment.details_id",
    } <= checks
    assert all(v.code is None and v.reason for v in report)
    assert report.to_dict()["ok"] is True
    assert audit_chain(None, cart, payment, keys).ok


def test_hp_cart_without_merchant_signature(factory: Factory, keys: KeyStore) -> None:
    cart, payment = factory.hp_chain()
    stripped = edit(cart, lambda d: d["cart"].update(merchant_authorization=None))
    report = validate_hp_chain(stripped, payment, keys, NOW)
    f = assert_fails(report, SIGNATURE_INVALID, "cart.merchant_authorization")
    assert "missing" in f.reason


def test_hp_cart_without_user_signature(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart()
    assert_fails(verify_cart(cart, keys, NOW), SIGNATURE_INVALID, "cart.user_authorization")


def test_hp_cart_signed_by_another_user(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart()
    forged = cart.model_copy(update={
        "user_authorization": sign_as(cart_user_binding(cart), keys.user_key(OTHER_USER))
    })
    f = assert_fails(verify_cart(forged, keys, NOW), SIGNATURE_INVALID, "cart.user_authorization")
    assert OTHER_USER in f.reason


def test_hp_cart_signed_by_the_agent_instead_of_the_user(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart()
    forged = cart.model_copy(update={
        "user_authorization": sign_as(cart_user_binding(cart), keys.agent_key())
    })
    assert_fails(verify_cart(forged, keys, NOW), SIGNATURE_INVALID, "cart.user_authorization")


def test_hp_cart_with_an_agent_authorization(factory: Factory, keys: KeyStore) -> None:
    cart = factory.hp_cart()
    extra = cart.model_copy(update={"agent_authorization": cart.user_authorization})
    assert_fails(verify_cart(extra, keys, NOW), SIGNATURE_INVALID, "cart.agent_authorization")


def test_hnp_cart_cannot_complete_an_hp_purchase(factory: Factory, keys: KeyStore) -> None:
    _intent, cart, payment = factory.hnp_chain()
    assert_fails(validate_hp_chain(cart, payment, keys, NOW), CHAIN_INVALID, "chain.mode")


def test_cart_expired_at_payment_time(factory: Factory, keys: KeyStore) -> None:
    cart = factory.hp_cart(ttl=30 * MIN, merchant_ttl=60 * MIN)
    payment = factory.payment(cart, ttl=60 * MIN)
    assert validate_hp_chain(cart, payment, keys, NOW + 29 * MIN).ok
    f = assert_fails(validate_hp_chain(cart, payment, keys, NOW + 30 * MIN), EXPIRED,
                     "cart.expiry")
    assert "2026-11-26T10:30:00Z" in f.reason
    # no time check without a clock: the audit of an old chain still passes
    assert audit_chain(None, cart, payment, keys).ok


def test_merchant_signature_expired_before_the_cart(factory: Factory, keys: KeyStore) -> None:
    cart = factory.hp_cart(ttl=30 * MIN, merchant_ttl=5 * MIN)
    payment = factory.payment(cart, ttl=60 * MIN)
    assert_fails(validate_hp_chain(cart, payment, keys, NOW + 10 * MIN), EXPIRED,
                 "cart.merchant_authorization.exp")


def test_payment_signature_expired(factory: Factory, keys: KeyStore) -> None:
    cart = factory.hp_cart()
    payment = factory.payment(cart, ttl=MIN)
    assert_fails(validate_hp_chain(cart, payment, keys, NOW + 2 * MIN), EXPIRED,
                 "payment.agent_authorization.exp")


def _details(d: dict[str, Any]) -> dict[str, Any]:
    return d["cart"]["contents"]["payment_request"]["details"]


def _bump_total(d: dict[str, Any], by: float) -> None:
    _details(d)["total"]["amount"]["value"] = round(_details(d)["total"]["amount"]["value"] + by, 2)


CART_FAULTS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("cart.total", lambda d: _bump_total(d, 0.01)),
    ("cart.lines", lambda d: (_details(d)["display_items"][0]["amount"].update(value=70.0),
                              _bump_total(d, 1.0))),
    ("cart.lines", lambda d: (_details(d).update(display_items=[]),
                              _details(d)["total"]["amount"].update(value=0.0))),
    ("cart.confirmation_flag",
     lambda d: d["cart"]["contents"].update(user_cart_confirmation_required=False)),
    ("cart.currency", lambda d: _details(d)["display_items"][1]["amount"].update(currency="EUR")),
    ("cart.id", lambda d: d.update(mandate_id="cart_other")),
]


@pytest.mark.parametrize("check, fault", CART_FAULTS, ids=[c for c, _ in CART_FAULTS])
def test_cart_internal_consistency(factory: Factory, keys: KeyStore, check: str,
                                   fault: Callable[[dict[str, Any]], None]) -> None:
    cart = factory.hp_cart(mutate=fault)  # validly signed over the inconsistent cart
    assert_fails(verify_cart(cart, keys, NOW), CHAIN_INVALID, check)
    assert_fails(validate_hp_chain(cart, factory.payment(cart), keys, NOW), CHAIN_INVALID, check)


@pytest.mark.parametrize(
    "fault",
    [
        lambda d: d["line_items"][0].update(unit_price_cents=10**30),
        lambda d: _details(d)["total"]["amount"].update(value=float("nan")),
        lambda d: _details(d)["total"]["amount"].update(value=float("inf")),
        lambda d: _details(d)["total"]["amount"].update(value=1e300),
        lambda d: _details(d)["display_items"][0].update(refund_period=-(10**40)),
    ],
    ids=["huge-int", "nan", "inf", "huge-float", "huge-negative"],
)
def test_values_without_canonical_form_fail_cleanly(factory: Factory, keys: KeyStore,
                                                   fault: Callable[[dict[str, Any]], None]) -> None:
    cart, payment = factory.hp_chain()
    bad = edit(cart, fault)
    assert_fails(validate_hp_chain(bad, payment, keys, NOW), SIGNATURE_INVALID)
    assert_fails(audit_chain(None, bad, payment, keys), SIGNATURE_INVALID)


def test_absurd_amounts_signed_by_a_buggy_merchant_are_chain_invalid(factory: Factory,
                                                                     keys: KeyStore) -> None:
    for value in (1e300, -1.0):
        cart = factory.hp_cart(mutate=lambda d, v=value: _details(d)["total"]["amount"].update(
            value=v))
        assert_fails(validate_hp_chain(cart, factory.payment(cart), keys, NOW), CHAIN_INVALID,
                     "cart.total")


def test_unreadable_cart_expiry(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart(mutate=lambda d: d["cart"]["contents"].update(cart_expiry="soon"))
    report = verify_cart(cart, keys, NOW)
    assert any(v.check == "cart.cart_expiry" and v.code == CHAIN_INVALID for v in report.failures)


def _pmc(d: dict[str, Any]) -> dict[str, Any]:
    return d["payment"]["payment_mandate_contents"]


PAYMENT_FAULTS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("payment.id", lambda d: _pmc(d).update(payment_mandate_id="pay_other")),
    ("payment.cart_reference", lambda d: d.update(cart_mandate_id="cart_other")),
    ("payment.details_id", lambda d: _pmc(d).update(payment_details_id="order_other")),
    ("payment.request_id", lambda d: _pmc(d)["payment_response"].update(request_id="x")),
    ("payment.total", lambda d: _pmc(d)["payment_details_total"]["amount"].update(value=84.51)),
    ("payment.total", lambda d: _pmc(d)["payment_details_total"]["amount"].update(currency="EUR")),
    ("payment.mode", lambda d: d.update(mode="hnp")),
    ("payment.intent_reference", lambda d: d.update(intent_mandate_id="intent_x")),
    ("payment.user", lambda d: d.update(user_id=OTHER_USER)),
]


@pytest.mark.parametrize("check, fault", PAYMENT_FAULTS, ids=[c for c, _ in PAYMENT_FAULTS])
def test_payment_references(factory: Factory, keys: KeyStore, check: str,
                            fault: Callable[[dict[str, Any]], None]) -> None:
    cart = factory.hp_cart()
    payment = factory.payment(cart, mutate=fault)  # the agent signed the wrong references
    assert_fails(verify_payment(payment, cart, keys, NOW), CHAIN_INVALID, check)
    assert_fails(validate_hp_chain(cart, payment, keys, NOW), CHAIN_INVALID, check)


def test_payment_must_carry_this_carts_user_authorization(factory: Factory,
                                                          keys: KeyStore) -> None:
    cart = factory.hp_cart()
    other_cart = factory.hp_cart(cart_id="cart_002")
    payment = factory.payment(cart, mutate=lambda d: d["payment"].update(
        user_authorization=other_cart.user_authorization))
    f = assert_fails(validate_hp_chain(cart, payment, keys, NOW), SIGNATURE_INVALID,
                     "payment.user_authorization")
    assert "not the user's signature on this cart" in f.reason


def test_payment_without_user_authorization(factory: Factory, keys: KeyStore) -> None:
    cart, payment = factory.hp_chain()
    stripped = edit(payment, lambda d: d["payment"].update(user_authorization=None))
    report = validate_hp_chain(cart, stripped, keys, NOW)
    assert_fails(report, SIGNATURE_INVALID)
    assert {"payment.user_authorization", "payment.agent_authorization"} <= {
        v.check for v in report.failures
    }


def test_payment_agent_signature_missing_or_by_the_wrong_role(factory: Factory,
                                                              keys: KeyStore) -> None:
    cart, payment = factory.hp_chain()
    unsigned = payment.model_copy(update={"agent_authorization": None})
    assert_fails(validate_hp_chain(cart, unsigned, keys, NOW), SIGNATURE_INVALID,
                 "payment.agent_authorization")
    from ghostcart_tui.ap2.bindings import payment_agent_binding

    by_merchant = payment.model_copy(update={
        "agent_authorization": sign_as(payment_agent_binding(payment), keys.merchant_key())
    })
    assert_fails(validate_hp_chain(cart, by_merchant, keys, NOW), SIGNATURE_INVALID,
                 "payment.agent_authorization")


# -- human not present -------------------------------------------------------------------------


def test_valid_hnp_chain(factory: Factory, keys: KeyStore) -> None:
    intent, cart, payment = factory.hnp_chain()
    report = validate_hnp_chain(intent, cart, payment, keys, NOW + 5 * MIN)
    assert report.ok, report.failures
    checks = {v.check for v in report}
    assert {
        "intent.user_authorization", "intent.expiry", "cart.agent_authorization",
        "cart.intent_reference", "constraints.max_price[0]", "constraints.quantity",
        "constraints.max_delivery_days", "payment.user_authorization",
    } <= checks
    assert audit_chain(intent, cart, payment, keys).ok


def test_unsigned_intent(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent(signed=False)
    assert_fails(verify_intent(intent, keys, NOW), SIGNATURE_INVALID, "intent.user_authorization")


def test_intent_signed_by_another_user(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent(signed=False)
    forged = intent.model_copy(update={
        "user_authorization": sign_as(intent_user_binding(intent), keys.user_key(OTHER_USER))
    })
    assert_fails(verify_intent(forged, keys, NOW), SIGNATURE_INVALID, "intent.user_authorization")


def test_expired_intent(factory: Factory, keys: KeyStore) -> None:
    expiry = NOW + timedelta(hours=1)
    intent = factory.intent(expiry=expiry)
    late = NOW + 59 * MIN
    cart = factory.hnp_cart(intent, now=late)
    payment = factory.payment(cart, intent=intent, now=late)
    assert validate_hnp_chain(intent, cart, payment, keys, late).ok
    f = assert_fails(validate_hnp_chain(intent, cart, payment, keys, expiry), EXPIRED)
    assert f.check.startswith("intent.")
    assert_fails(verify_intent(intent, keys, expiry + MIN), EXPIRED)
    assert verify_intent(intent, keys).ok  # now=None: no time check


def test_cart_must_reference_the_intent(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent()
    cart = agent_sign_unchecked(factory.cart((AIRPODS,), "hnp", intent_id="intent_other"),
                                keys, intent)
    payment = factory.payment(cart, intent=intent)
    assert_fails(validate_hnp_chain(intent, cart, payment, keys, NOW), CHAIN_INVALID,
                 "cart.intent_reference")


def test_cart_for_another_user_than_the_intent(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent()
    cart = factory.hnp_cart(intent, user=OTHER_USER)
    payment = factory.payment(cart, intent=intent)
    assert_fails(validate_hnp_chain(intent, cart, payment, keys, NOW), CHAIN_INVALID,
                 "cart.intent_user")


def test_intent_requiring_confirmation_cannot_buy_alone(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent(mutate=lambda d: d["intent"].update(
        user_cart_confirmation_required=True))
    cart = factory.hnp_cart(intent)
    payment = factory.payment(cart, intent=intent)
    assert_fails(validate_hnp_chain(intent, cart, payment, keys, NOW), CHAIN_INVALID,
                 "intent.autonomy")


def _refund0(d: dict[str, Any]) -> None:
    _details(d)["display_items"][0]["refund_period"] = 0


TWO_AIRPODS = AIRPODS.model_copy(update={"quantity": 2})
K = Constraints
CONSTRAINT_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    # (check, intent kwargs that fail, intent kwargs that pass at the boundary, cart kwargs)
    ("constraints.max_price[0]", {"constraints": K(max_price_cents=17899)},
     {"constraints": K(max_price_cents=17900)}, {}),
    ("constraints.max_total", {"constraints": K(max_price_cents=18000, max_total_cents=20331)},
     {"constraints": K(max_price_cents=18000, max_total_cents=20332)}, {}),
    ("constraints.max_delivery_days",
     {"constraints": K(max_price_cents=18000, max_delivery_days=0)},
     {"constraints": K(max_price_cents=18000, max_delivery_days=1)}, {}),
    ("constraints.quantity", {"constraints": K(max_price_cents=18000, quantity=1)},
     {"constraints": K(max_price_cents=18000, quantity=2)}, {"items": (TWO_AIRPODS,)}),
    ("constraints.merchants", {"merchants": ["Another Store"]},
     {"merchants": ["Another Store", MERCHANT]}, {}),
    ("constraints.merchants", {"merchants": []}, {"merchants": None}, {}),
    ("constraints.skus", {"skus": ["prod_watch_001"]}, {"skus": ["prod_airpods_001"]}, {}),
    ("constraints.refundability",
     {"mutate": lambda d: d["intent"].update(requires_refundability=True)},
     {}, {"mutate": _refund0}),
]


@pytest.mark.parametrize("check, bad, good, cart_kw", CONSTRAINT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CONSTRAINT_CASES)])
def test_constraints(factory: Factory, keys: KeyStore, check: str, bad: dict[str, Any],
                     good: dict[str, Any], cart_kw: dict[str, Any]) -> None:
    for intent_kw, ok in ((good, True), (bad, False)):
        intent = factory.intent(**intent_kw)
        cart = factory.hnp_cart(intent, cart_kw.get("items", (AIRPODS,)),
                                **{k: v for k, v in cart_kw.items() if k != "items"})
        payment = factory.payment(cart, intent=intent)
        report = validate_hnp_chain(intent, cart, payment, keys, NOW)
        if ok:
            assert report.ok, report.failures
        else:
            f = assert_fails(report, CONSTRAINTS_VIOLATED, check)
            assert f.reason
            # the audit reports the violation too
            assert first(audit_chain(intent, cart, payment, keys)) == (CONSTRAINTS_VIOLATED, check)


def test_hnp_cart_needs_its_intent(factory: Factory, keys: KeyStore) -> None:
    intent, cart, payment = factory.hnp_chain()
    assert_fails(verify_cart(cart, keys, NOW), CHAIN_INVALID, "cart.intent_reference")
    assert_fails(verify_payment(payment, cart, keys, NOW), CHAIN_INVALID,
                 "payment.user_authorization")
    assert verify_cart(cart, keys, NOW, intent).ok
    assert verify_payment(payment, cart, keys, NOW, intent).ok


def test_hnp_cart_with_a_user_authorization(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent()
    cart = factory.hnp_cart(intent)
    extra = cart.model_copy(update={"user_authorization": intent.user_authorization})
    assert_fails(verify_cart(extra, keys, NOW, intent), SIGNATURE_INVALID,
                 "cart.user_authorization")


def test_agent_signature_binds_the_exact_intent(factory: Factory, keys: KeyStore) -> None:
    _intent, cart, payment = factory.hnp_chain()
    # The same intent id, re-worded and validly re-signed by the user after the agent bought.
    other = factory.intent(mutate=lambda d: d["intent"].update(
        natural_language_description="Buy anything"))
    report = validate_hnp_chain(other, cart, payment, keys, NOW)
    f = assert_fails(report, SIGNATURE_INVALID, "cart.agent_authorization")
    assert "intent_hash" in f.reason
    assert "payment.user_authorization" in {v.check for v in report.failures}


def test_hnp_payment_must_carry_the_intents_authorization(factory: Factory,
                                                          keys: KeyStore) -> None:
    intent = factory.intent()
    cart = factory.hnp_cart(intent)
    other_intent = factory.intent(mandate_id="intent_002")
    payment = factory.payment(cart, intent=intent, mutate=lambda d: d["payment"].update(
        user_authorization=other_intent.user_authorization))
    f = assert_fails(validate_hnp_chain(intent, cart, payment, keys, NOW), SIGNATURE_INVALID,
                     "payment.user_authorization")
    assert "intent" in f.reason


def test_hp_cart_cannot_complete_an_hnp_purchase(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent()
    cart, payment = factory.hp_chain()
    assert_fails(validate_hnp_chain(intent, cart, payment, keys, NOW), CHAIN_INVALID,
                 "chain.mode")


def test_signature_failures_are_reported_before_semantic_ones(factory: Factory,
                                                             keys: KeyStore) -> None:
    intent, cart, payment = factory.hnp_chain(constraints=K(max_price_cents=100))
    assert first(validate_hnp_chain(intent, cart, payment, keys, NOW))[0] == CONSTRAINTS_VIOLATED
    tampered = edit(payment, lambda d: _pmc(d).update(merchant_agent="evil"))
    report = validate_hnp_chain(intent, cart, tampered, keys, NOW + timedelta(days=30))
    codes = {v.code for v in report.failures}
    assert {SIGNATURE_INVALID, EXPIRED, CONSTRAINTS_VIOLATED} <= codes
    assert_fails(report, SIGNATURE_INVALID, "payment.agent_authorization")


# -- report and audit --------------------------------------------------------------------------


def test_report_ranking_and_raise() -> None:
    report = ChainReport([
        Verdict("a", True, None, "fine"),
        Verdict("b", False, CONSTRAINTS_VIOLATED, "too dear"),
        Verdict("c", False, EXPIRED, "too late"),
        Verdict("d", False, CHAIN_INVALID, "wrong link"),
        Verdict("e", False, CHAIN_INVALID, "another"),
    ])
    assert not report.ok and len(report.failures) == 4
    assert report.first_failure == Verdict("d", False, CHAIN_INVALID, "wrong link")
    with pytest.raises(AP2Error, match="wrong link"):
        report.raise_if_invalid()
    assert ChainReport().ok and ChainReport().first_failure is None
    ChainReport().raise_if_invalid()
    combined = ChainReport([Verdict("x", True, None, "")]) + report
    assert len(combined) == 6 and combined.first_failure.check == "d"  # type: ignore[union-attr]
    d = report.to_dict()
    assert d["ok"] is False and d["first_failure"]["check"] == "d" and len(d["verdicts"]) == 5
    assert "chain_invalid at d" in repr(report)


def test_audit_of_parts(factory: Factory, keys: KeyStore) -> None:
    intent, cart, payment = factory.hnp_chain()
    assert audit_chain(None, None, None, keys).ok
    assert audit_chain(intent, None, None, keys).ok
    assert audit_chain(None, None, None, keys).first_failure is None
    assert_fails(audit_chain(factory.intent(signed=False), cart, payment, keys),
                 SIGNATURE_INVALID, "intent.user_authorization")
    assert_fails(audit_chain(None, None, payment, keys), CHAIN_INVALID, "payment.cart_reference")
    assert_fails(audit_chain(None, cart, payment, keys), CHAIN_INVALID)
    tampered = edit(cart, lambda d: d["line_items"][0].update(unit_price_cents=1))
    assert_fails(audit_chain(intent, tampered, payment, keys), SIGNATURE_INVALID)


def test_audit_of_hp_chain_with_unsigned_context_intent(factory: Factory, keys: KeyStore) -> None:
    context = factory.intent(signed=False)
    cart, payment = factory.hp_chain()
    report = audit_chain(context, cart, payment, keys)
    assert report.ok
    assert "unsigned" in next(v.reason for v in report if v.check == "intent.user_authorization")
    # an HP cart that names an intent must name this one
    named = factory.hp_cart(intent_id="intent_999")
    assert_fails(audit_chain(context, named, None, keys), CHAIN_INVALID, "cart.intent_reference")
