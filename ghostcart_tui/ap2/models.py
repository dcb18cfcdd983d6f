"""AP2 v0.1 wire models and the W3C Payment Request types they embed.

Field names are the protocol's own (snake_case, as in AP2's v0.1 pydantic models), so a mandate
GhostCart exports parses with the protocol's models. Amounts here are float major units: convert
with core.money at this boundary only.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    # Unknown keys are an error: a tampered or foreign mandate must not slip extra data through.
    model_config = ConfigDict(extra="forbid")


class PaymentCurrencyAmount(_Wire):
    currency: str
    value: float


class PaymentItem(_Wire):
    label: str
    amount: PaymentCurrencyAmount
    pending: bool | None = None
    refund_period: int = 30


class PaymentShippingOption(_Wire):
    id: str
    label: str
    amount: PaymentCurrencyAmount
    selected: bool | None = False


class PaymentOptions(_Wire):
    request_payer_name: bool | None = False
    request_payer_email: bool | None = False
    request_payer_phone: bool | None = False
    request_shipping: bool | None = True
    shipping_type: str | None = None


class PaymentMethodData(_Wire):
    supported_methods: str
    data: dict[str, Any] | None = Field(default_factory=dict)


class PaymentDetailsModifier(_Wire):
    supported_methods: str
    total: PaymentItem | None = None
    additional_display_items: list[PaymentItem] | None = None
    data: Any | None = None


class PaymentDetailsInit(_Wire):
    id: str
    display_items: list[PaymentItem]
    shipping_options: list[PaymentShippingOption] | None = None
    modifiers: list[PaymentDetailsModifier] | None = None
    total: PaymentItem


class ContactAddress(_Wire):
    city: str | None = None
    country: str | None = None
    dependent_locality: str | None = None
    organization: str | None = None
    phone_number: str | None = None
    postal_code: str | None = None
    recipient: str | None = None
    region: str | None = None
    sorting_code: str | None = None
    address_line: list[str] | None = None


class PaymentRequest(_Wire):
    method_data: list[PaymentMethodData]
    details: PaymentDetailsInit
    options: PaymentOptions | None = None
    shipping_address: ContactAddress | None = None


class PaymentResponse(_Wire):
    request_id: str
    method_name: str
    details: dict[str, Any] | None = None
    shipping_address: ContactAddress | None = None
    shipping_option: PaymentShippingOption | None = None
    payer_name: str | None = None
    payer_email: str | None = None
    payer_phone: str | None = None


class IntentMandate(_Wire):
    user_cart_confirmation_required: bool = True
    natural_language_description: str
    merchants: list[str] | None = None
    skus: list[str] | None = None
    requires_refundability: bool | None = False
    intent_expiry: str


class CartContents(_Wire):
    id: str
    user_cart_confirmation_required: bool
    payment_request: PaymentRequest
    cart_expiry: str
    merchant_name: str


class CartMandate(_Wire):
    contents: CartContents
    merchant_authorization: str | None = None


class PaymentMandateContents(_Wire):
    payment_mandate_id: str
    payment_details_id: str
    payment_details_total: PaymentItem
    payment_response: PaymentResponse
    merchant_agent: str
    timestamp: str


class PaymentMandate(_Wire):
    payment_mandate_contents: PaymentMandateContents
    user_authorization: str | None = None
