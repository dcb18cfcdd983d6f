"""The AP2 v0.1 wire shapes: exact snake_case field names, JSON round trips, no extra keys."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ghostcart_tui.ap2 import models as m
from ghostcart_tui.ap2.records import CartRecord, Constraints, IntentRecord, LineItem, PaymentRecord

from .conftest import Factory

EXPECTED_KEYS: dict[type[BaseModel], set[str]] = {
    m.PaymentCurrencyAmount: {"currency", "value"},
    m.PaymentItem: {"label", "amount", "pending", "refund_period"},
    m.PaymentShippingOption: {"id", "label", "amount", "selected"},
    m.PaymentOptions: {
        "request_payer_name", "request_payer_email", "request_payer_phone", "request_shipping",
        "shipping_type",
    },
    m.PaymentMethodData: {"supported_methods", "data"},
    m.PaymentDetailsModifier: {"supported_methods", "total", "additional_display_items", "data"},
    m.PaymentDetailsInit: {"id", "display_items", "shipping_options", "modifiers", "total"},
    m.ContactAddress: {
        "city", "country", "dependent_locality", "organization", "phone_number", "postal_code",
        "recipient", "region", "sorting_code", "address_line",
    },
    m.PaymentRequest: {"method_data", "details", "options", "shipping_address"},
    m.PaymentResponse: {
        "request_id", "method_name", "details", "shipping_address", "shipping_option",
        "payer_name", "payer_email", "payer_phone",
    },
    m.IntentMandate: {
        "user_cart_confirmation_required", "natural_language_description", "merchants", "skus",
        "requires_refundability", "intent_expiry",
    },
    m.CartContents: {
        "id", "user_cart_confirmation_required", "payment_request", "cart_expiry",
        "merchant_name",
    },
    m.CartMandate: {"contents", "merchant_authorization"},
    m.PaymentMandateContents: {
        "payment_mandate_id", "payment_details_id", "payment_details_total", "payment_response",
        "merchant_agent", "timestamp",
    },
    m.PaymentMandate: {"payment_mandate_contents", "user_authorization"},
    IntentRecord: {
        "mandate_id", "user_id", "intent", "product_query", "constraints", "payment_methods",
        "user_authorization",
    },
    CartRecord: {
        "mandate_id", "user_id", "mode", "cart", "line_items", "intent_mandate_id",
        "payment_methods", "user_authorization", "agent_authorization",
    },
    PaymentRecord: {
        "mandate_id", "user_id", "mode", "cart_mandate_id", "intent_mandate_id", "payment",
        "agent_authorization",
    },
    Constraints: {"max_price_cents", "max_total_cents", "max_delivery_days", "quantity"},
    LineItem: {"product_id", "name", "quantity", "unit_price_cents", "delivery_days"},
}


def amount(v: float = 84.52) -> m.PaymentCurrencyAmount:
    return m.PaymentCurrencyAmount(currency="USD", value=v)


def samples(factory: Factory) -> dict[type[BaseModel], BaseModel]:
    """One instance of every model, the real ones taken from a signed chain."""
    intent, hnp_cart, hnp_payment = factory.hnp_chain()
    cart = factory.hp_cart()
    payment = factory.payment(cart)
    request = cart.cart.contents.payment_request
    item = request.details.total
    address = m.ContactAddress(city="Lisbon", country="PT", address_line=["Rua 1", "2º"])
    option = (request.details.shipping_options or [])[0]
    return {
        m.PaymentCurrencyAmount: amount(),
        m.PaymentItem: item,
        m.PaymentShippingOption: option,
        m.PaymentOptions: m.PaymentOptions(shipping_type="delivery"),
        m.PaymentMethodData: request.method_data[0],
        m.PaymentDetailsModifier: m.PaymentDetailsModifier(
            supported_methods="CARD", total=item, additional_display_items=[item], data={"k": 1}
        ),
        m.PaymentDetailsInit: request.details,
        m.ContactAddress: address,
        m.PaymentRequest: request.model_copy(update={"shipping_address": address}),
        m.PaymentResponse: payment.payment.payment_mandate_contents.payment_response.model_copy(
            update={"shipping_address": address, "shipping_option": option, "payer_name": "A"}
        ),
        m.IntentMandate: intent.intent,
        m.CartContents: cart.cart.contents,
        m.CartMandate: cart.cart,
        m.PaymentMandateContents: payment.payment.payment_mandate_contents,
        m.PaymentMandate: payment.payment,
        IntentRecord: intent,
        CartRecord: cart,
        PaymentRecord: hnp_payment,
        Constraints: intent.constraints,
        LineItem: hnp_cart.line_items[0],
    }


def test_every_model_is_covered() -> None:
    wire = {
        obj for obj in vars(m).values()
        if isinstance(obj, type) and issubclass(obj, m._Wire) and obj is not m._Wire
    }
    assert wire <= set(EXPECTED_KEYS)


@pytest.mark.parametrize("model", list(EXPECTED_KEYS), ids=lambda t: t.__name__)
def test_json_round_trip_keeps_the_ap2_field_names(factory: Factory,
                                                   model: type[BaseModel]) -> None:
    obj = samples(factory)[model]
    text = obj.model_dump_json()
    doc = json.loads(text)
    assert set(doc) == EXPECTED_KEYS[model]
    again = model.model_validate_json(text)
    assert again == obj
    assert again.model_dump(mode="json") == doc


@pytest.mark.parametrize("model", list(EXPECTED_KEYS), ids=lambda t: t.__name__)
def test_extra_keys_are_rejected(factory: Factory, model: type[BaseModel]) -> None:
    doc = samples(factory)[model].model_dump(mode="json")
    with pytest.raises(ValidationError, match="extra"):
        model.model_validate(doc | {"unexpected": True})


@pytest.mark.parametrize(
    "path, key",
    [
        (("cart", "contents"), "userSignatureRequired"),
        (("cart", "contents", "payment_request", "details"), "displayItems"),
        (("cart", "contents", "payment_request", "details", "total", "amount"), "amount_cents"),
        (("line_items", 0), "sku"),
    ],
)
def test_nested_extra_keys_are_rejected(factory: Factory, path: tuple, key: str) -> None:
    doc: Any = factory.hp_cart().model_dump(mode="json")
    node = doc
    for k in path:
        node = node[k]
    node[key] = "x"
    with pytest.raises(ValidationError):
        CartRecord.model_validate(doc)


def test_key_names_seen_on_the_wire(factory: Factory) -> None:
    cart, payment = factory.hp_chain()
    cart_doc = json.loads(cart.cart.model_dump_json())
    assert set(cart_doc) == {"contents", "merchant_authorization"}
    assert "user_cart_confirmation_required" in cart_doc["contents"]
    pay_doc = json.loads(payment.payment.model_dump_json())
    assert set(pay_doc) == {"payment_mandate_contents", "user_authorization"}
    # the spec prose's camelCase and renamed fields are not the model's
    for wrong in ("userSignatureRequired", "user_signature_required", "paymentMandateContents",
                  "merchantAuthorization", "required_refundability"):
        assert wrong not in json.dumps([cart_doc, pay_doc])


def test_camel_case_input_is_refused() -> None:
    with pytest.raises(ValidationError):
        m.IntentMandate.model_validate(
            {"naturalLanguageDescription": "x", "intentExpiry": "2026-11-26T10:00:00Z"}
        )
