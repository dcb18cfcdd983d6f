from __future__ import annotations

from datetime import timedelta

import pytest

from ghostcart_tui.ap2.bindings import cart_hash, items_hash, mandate_hash, payment_hash
from ghostcart_tui.ap2.builders import (
    agent_sign_cart,
    agent_sign_payment,
    build_cart,
    build_intent,
    build_payment,
    merchant_sign_cart,
    user_sign,
)
from ghostcart_tui.ap2.canonical import hash_b64url
from ghostcart_tui.ap2.chain import verify_cart, verify_intent
from ghostcart_tui.ap2.jws import jwt_header, unverified_claims
from ghostcart_tui.ap2.keys import KeyStore
from ghostcart_tui.ap2.records import CartRecord, Constraints, IntentRecord, LineItem

from .conftest import AIRPODS, COFFEE, MERCHANT, NOW, OTHER_USER, USER, Factory

T0 = int(NOW.timestamp())


def test_build_intent_is_an_hnp_intent() -> None:
    k = Constraints(max_price_cents=18000, max_delivery_days=3)
    rec = build_intent("intent_1", USER, "Buy AirPods below $180", "airpods", k,
                       NOW + timedelta(days=7), merchants=[MERCHANT], skus=("prod_airpods_001",))
    assert rec.intent.user_cart_confirmation_required is False
    assert rec.intent.requires_refundability is False
    assert rec.intent.intent_expiry == "2026-12-03T10:00:00Z"
    assert rec.intent.merchants == [MERCHANT] and rec.intent.skus == ["prod_airpods_001"]
    assert rec.constraints == k and rec.user_authorization is None
    # pure: the same inputs give the same record
    again = build_intent("intent_1", USER, "Buy AirPods below $180", "airpods", k,
                         NOW + timedelta(days=7), merchants=[MERCHANT], skus=("prod_airpods_001",))
    assert again == rec


def test_build_cart_coffee_maker_example() -> None:
    cart = build_cart("cart_1", USER, "hp", MERCHANT, [COFFEE], 6900, 552, 1000, 8452,
                      NOW + timedelta(minutes=30))
    c = cart.cart.contents
    pr = c.payment_request
    assert (cart.mandate_id, c.id, c.merchant_name) == ("cart_1", "cart_1", MERCHANT)
    assert c.user_cart_confirmation_required is True
    assert c.cart_expiry == "2026-11-26T10:30:00Z"
    assert pr.method_data[0].supported_methods == "CARD"
    assert pr.method_data[0].data == {"payment_processor_url": "local://ghostcart-processor"}
    assert pr.details.id == "order_cart_1"
    assert [(i.label, i.amount.value) for i in pr.details.display_items] == [
        ("Philips HD7462 Coffee Maker", 69.0), ("Tax", 5.52), ("Shipping", 10.0)
    ]
    assert (pr.details.total.label, pr.details.total.amount.value) == ("Total", 84.52)
    assert pr.details.total.amount.currency == "USD"
    (opt,) = pr.details.shipping_options or []
    assert opt.selected is True and opt.amount.value == 10.0 and "2 days" in opt.label
    assert cart.cart.merchant_authorization is None
    assert cart.user_authorization is None and cart.agent_authorization is None


def test_build_cart_labels_quantities_and_hnp_flag() -> None:
    two = AIRPODS.model_copy(update={"quantity": 2})
    one_day = COFFEE.model_copy(update={"delivery_days": 1})
    cart = build_cart("c", USER, "hnp", MERCHANT, [two, one_day], 42700, 3416, 1000, 47116,
                      NOW, intent_mandate_id="intent_1", currency="EUR")
    items = cart.cart.contents.payment_request.details.display_items
    assert items[0].label == "Apple AirPods Pro ×2" and items[0].amount.value == 358.0
    assert items[1].label == "Philips HD7462 Coffee Maker"
    assert {i.amount.currency for i in items} == {"EUR"}
    assert cart.cart.contents.user_cart_confirmation_required is False
    assert cart.intent_mandate_id == "intent_1"
    opts = cart.cart.contents.payment_request.details.shipping_options or []
    assert "1 day)" in opts[0].label


@pytest.mark.parametrize(
    "args, match",
    [
        (dict(subtotal=6901), "subtotal"),
        (dict(total=8453), "total"),
        (dict(items=[]), "at least one"),
        (dict(mode="hnp"), "reference its intent"),
        (dict(mode="xx"), "mode"),
        (dict(tax=-1, total=7899), "negative"),
    ],
)
def test_build_cart_refuses_amounts_that_do_not_add_up(args: dict, match: str) -> None:
    a = dict(items=[COFFEE], subtotal=6900, tax=552, total=8452, mode="hp") | args
    with pytest.raises(ValueError, match=match):
        build_cart("c", USER, a["mode"], MERCHANT, a["items"], a["subtotal"], a["tax"], 1000,
                   a["total"], NOW)


def test_build_cart_accepts_line_item_dicts() -> None:
    cart = build_cart("c", USER, "hp", MERCHANT, [COFFEE.model_dump()], 6900, 552, 1000, 8452, NOW)
    assert cart.line_items == [COFFEE]


def test_merchant_signature_claims(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart(merchant_ttl=timedelta(minutes=15))
    token = cart.cart.merchant_authorization
    assert token is not None
    assert jwt_header(token) == {"alg": "ES256", "kid": keys.merchant_key().kid, "typ": "JWT"}
    claims = unverified_claims(token)
    assert claims == {
        "iss": MERCHANT, "sub": "cart_001", "aud": "ghostcart", "iat": T0, "exp": T0 + 900,
        "jti": claims["jti"], "cart_hash": hash_b64url(cart.cart.contents),
        "items_hash": hash_b64url([li.model_dump(mode="json") for li in cart.line_items]),
    }
    assert claims["cart_hash"] == cart_hash(cart) and claims["items_hash"] == items_hash(cart)


def test_merchant_signing_checks_the_key(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart(merchant_signed=False)
    with pytest.raises(ValueError, match="merchant key is required"):
        merchant_sign_cart(cart, keys.agent_key(), NOW, "j")
    other = factory.cart(merchant="Another Store", merchant_signed=False)
    with pytest.raises(ValueError, match="cannot sign for 'Another Store'"):
        merchant_sign_cart(other, keys.merchant_key(), NOW, "j")


def test_user_signs_the_intent_until_its_expiry(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent(expiry=NOW + timedelta(days=7))
    token = intent.user_authorization
    assert token is not None and jwt_header(token)["kid"] == keys.user_key(USER).kid
    claims = unverified_claims(token)
    mh = hash_b64url(intent.signable())
    assert claims["iss"] == "user:user_demo" and claims["sub"] == "intent_001"
    assert claims["aud"] == "ghostcart" and claims["iat"] == T0
    assert claims["exp"] == T0 + 7 * 86400
    assert claims["mandate_hash"] == mh == mandate_hash(intent)
    assert claims["transaction_data"] == [mh]
    assert "user_authorization" not in intent.signable()
    assert verify_intent(intent, keys, NOW).ok


def test_user_signs_an_hp_cart_over_the_merchant_signature(factory: Factory,
                                                           keys: KeyStore) -> None:
    cart = factory.hp_cart()
    claims = unverified_claims(cart.user_authorization or "")
    assert claims["exp"] == T0 + 1800  # the cart's expiry
    assert claims["mandate_hash"] == hash_b64url(cart.signable())
    assert claims["cart_hash"] == hash_b64url(cart.cart.contents)
    assert claims["transaction_data"] == [claims["mandate_hash"], claims["cart_hash"]]
    # the merchant's JWT is part of what the user signed
    assert cart.signable()["cart"]["merchant_authorization"] == cart.cart.merchant_authorization
    assert verify_cart(cart, keys, NOW).ok


def test_user_sign_refuses_misuse(factory: Factory, keys: KeyStore) -> None:
    unsigned = factory.cart(merchant_signed=False)
    with pytest.raises(ValueError, match="merchant must sign"):
        user_sign(unsigned, keys.user_key(USER), NOW, "j")
    with pytest.raises(ValueError, match="cannot sign for"):
        user_sign(factory.cart(), keys.user_key(OTHER_USER), NOW, "j")
    with pytest.raises(ValueError, match="user key is required"):
        user_sign(factory.cart(), keys.agent_key(), NOW, "j")
    intent = factory.intent()
    with pytest.raises(ValueError, match="human-present carts only"):
        user_sign(factory.cart(mode="hnp", intent_id=intent.mandate_id), keys.user_key(USER),
                  NOW, "j")
    payment = factory.payment(factory.hp_cart())
    with pytest.raises(TypeError):
        user_sign(payment, keys.user_key(USER), NOW, "j")  # type: ignore[type-var]


def test_signing_returns_a_copy(factory: Factory, keys: KeyStore) -> None:
    cart = factory.cart()
    signed = user_sign(cart, keys.user_key(USER), NOW, "j")
    assert cart.user_authorization is None and signed.user_authorization is not None
    assert signed.line_items is not cart.line_items


def test_agent_signs_an_hnp_cart_under_the_intent(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent()
    cart = factory.hnp_cart(intent)
    claims = unverified_claims(cart.agent_authorization or "")
    assert claims["iss"] == "ghostcart-shopping-agent" and claims["sub"] == cart.mandate_id
    assert claims["intent_hash"] == hash_b64url(intent.signable())
    assert claims["mandate_hash"] == hash_b64url(cart.signable())
    assert claims["transaction_data"] == [claims["mandate_hash"], claims["intent_hash"]]
    assert claims["exp"] == T0 + 1800
    assert cart.user_authorization is None
    assert verify_cart(cart, keys, NOW, intent).ok


def test_agent_sign_cart_refuses_misuse(factory: Factory, keys: KeyStore) -> None:
    intent = factory.intent()
    hnp = factory.cart(mode="hnp", intent_id=intent.mandate_id)
    with pytest.raises(ValueError, match="human-not-present carts only"):
        agent_sign_cart(factory.cart(), keys.agent_key(), intent, NOW, "j")
    with pytest.raises(ValueError, match="does not reference"):
        agent_sign_cart(factory.cart(mode="hnp", intent_id="intent_x"), keys.agent_key(),
                        intent, NOW, "j")
    with pytest.raises(ValueError, match="merchant must sign"):
        agent_sign_cart(factory.cart(mode="hnp", intent_id=intent.mandate_id,
                                     merchant_signed=False), keys.agent_key(), intent, NOW, "j")
    with pytest.raises(ValueError, match="agent key is required"):
        agent_sign_cart(hnp, keys.user_key(USER), intent, NOW, "j")


def test_build_payment_mirrors_the_cart(factory: Factory) -> None:
    cart = factory.hp_cart()
    p = build_payment("pay_9", cart, cart.user_authorization or "", "tok_1", "visa",
                      "ghostcart-payment-agent", NOW + timedelta(seconds=30.7))
    pmc = p.payment.payment_mandate_contents
    details = cart.cart.contents.payment_request.details
    assert (p.mandate_id, p.user_id, p.mode, p.cart_mandate_id, p.intent_mandate_id) == (
        "pay_9", USER, "hp", cart.mandate_id, None
    )
    assert pmc.payment_mandate_id == "pay_9"
    assert pmc.payment_details_id == details.id == "order_cart_001"
    assert pmc.payment_details_total == details.total
    assert pmc.payment_details_total is not details.total
    assert pmc.payment_response.request_id == details.id
    assert pmc.payment_response.method_name == "CARD"
    assert pmc.payment_response.details == {"token": "tok_1", "brand": "visa"}
    assert pmc.merchant_agent == "ghostcart-payment-agent"
    assert pmc.timestamp == "2026-11-26T10:00:30Z"
    assert p.payment.user_authorization == cart.user_authorization
    assert p.agent_authorization is None


def test_build_payment_takes_the_cart_intent_reference(factory: Factory) -> None:
    intent = factory.intent()
    cart = factory.hnp_cart(intent)
    p = build_payment("p", cart, intent.user_authorization or "", "t", "visa", "a", NOW)
    assert p.mode == "hnp" and p.intent_mandate_id == intent.mandate_id


def test_agent_signs_the_payment(factory: Factory, keys: KeyStore) -> None:
    cart = factory.hp_cart()
    p = factory.payment(cart, ttl=timedelta(minutes=10))
    claims = unverified_claims(p.agent_authorization or "")
    assert jwt_header(p.agent_authorization or "")["kid"] == keys.agent_key().kid
    assert claims["sub"] == "pay_001" and claims["exp"] == T0 + 600
    assert claims["mandate_hash"] == hash_b64url(p.signable())
    assert claims["payment_hash"] == payment_hash(p)
    assert claims["transaction_data"] == [claims["mandate_hash"], claims["payment_hash"]]
    # the user's JWT inside the payment mandate is covered by the agent's signature
    assert p.signable()["payment"]["user_authorization"] == cart.user_authorization
    unsigned = build_payment("p", cart, cart.user_authorization or "", "t", "v", "a", NOW)
    with pytest.raises(ValueError, match="agent key is required"):
        agent_sign_payment(unsigned, keys.merchant_key(), NOW, "j")
    no_user = unsigned.model_copy(
        update={"payment": unsigned.payment.model_copy(update={"user_authorization": None})}
    )
    with pytest.raises(ValueError, match="user's authorization"):
        agent_sign_payment(no_user, keys.agent_key(), NOW, "j")


def test_signed_records_survive_a_json_round_trip(factory: Factory, keys: KeyStore) -> None:
    intent, cart, payment = factory.hnp_chain()
    for rec in (intent, cart, payment):
        again = type(rec).model_validate_json(rec.model_dump_json())
        assert again == rec and mandate_hash(again) == mandate_hash(rec)
    assert isinstance(IntentRecord.model_validate_json(intent.model_dump_json()), IntentRecord)
    assert isinstance(CartRecord.model_validate_json(cart.model_dump_json()), CartRecord)


def test_line_item_validation() -> None:
    with pytest.raises(ValueError):
        LineItem(product_id="p", name="n", quantity=0, unit_price_cents=1, delivery_days=0)
    with pytest.raises(ValueError):
        LineItem(product_id="p", name="n", quantity=1, unit_price_cents=0, delivery_days=0)
