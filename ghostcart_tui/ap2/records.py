"""GhostCart's signed records: each AP2 wire object with GhostCart's additions beside it.

The wire objects (IntentMandate, CartMandate, PaymentMandate) are kept exactly as the protocol
defines them. What v0.1 has no field for sits next to them, never inside them: the intent's
constraints, HP/HNP modality, the cart's reference to its intent, the line items (sku, quantity,
unit price, delivery estimate) and the user's and agent's authorizations.

Every authorization is a compact ES256 JWS whose `mandate_hash` claim is the canonical hash of
`signable()`: the whole record except the authorizations themselves. Change any field and every
signature over it stops verifying.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import CartMandate, IntentMandate, PaymentMandate

Mode = Literal["hp", "hnp"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    _authorization_fields: tuple[str, ...] = ()

    def signable(self) -> dict[str, Any]:
        """The record as signed: everything but the authorizations over it."""
        return self.model_dump(mode="json", exclude=set(self._authorization_fields))


class Constraints(BaseModel):
    """Limits the user signs into an HNP intent. Enforced in code at chain validation."""

    model_config = ConfigDict(extra="forbid")
    max_price_cents: int = Field(gt=0)
    max_total_cents: int | None = Field(default=None, gt=0)
    max_delivery_days: int | None = Field(default=None, ge=0)
    quantity: int = Field(default=1, ge=1, le=99)


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str
    name: str
    quantity: int = Field(ge=1, le=99)
    unit_price_cents: int = Field(gt=0)
    delivery_days: int = Field(ge=0)


class IntentRecord(_Record):
    _authorization_fields = ("user_authorization",)
    mandate_id: str
    user_id: str
    intent: IntentMandate
    product_query: str
    constraints: Constraints
    user_authorization: str | None = None


class CartRecord(_Record):
    _authorization_fields = ("user_authorization", "agent_authorization")
    mandate_id: str
    user_id: str
    mode: Mode
    cart: CartMandate
    line_items: list[LineItem]
    intent_mandate_id: str | None = None
    user_authorization: str | None = None  # HP: the shopper's key press
    agent_authorization: str | None = None  # HNP: the shopping agent's key, under the intent


class PaymentRecord(_Record):
    _authorization_fields = ("agent_authorization",)
    mandate_id: str
    user_id: str
    mode: Mode
    cart_mandate_id: str
    intent_mandate_id: str | None = None
    payment: PaymentMandate  # payment.user_authorization: the user's JWT that authorized this purchase
    agent_authorization: str | None = None
