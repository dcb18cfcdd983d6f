"""GhostCart's signed records: each AP2 wire object with GhostCart's additions beside it.

The wire objects (IntentMandate, CartMandate, PaymentMandate) are kept exactly as the protocol
defines them. What v0.1 has no field for sits next to them, never inside them: the intent's
constraints, HP/HNP modality, the cart's reference to its intent, the line items (sku, quantity,
unit price, delivery estimate) and the user's and agent's authorizations.

Every authorization is a compact ES256 JWS whose `mandate_hash` claim is the canonical hash of
`signable()`: the whole record except the authorizations themselves. Change any field and every
signature over it stops verifying.

What decides a purchase is signed (the rule AP2 v0.2's open mandates inherit):
- HNP: the shopper's signature on the IntentRecord covers what may be bought (`intent.skus`,
  required and non-empty), the most that may be paid (`constraints`: item price, total,
  delivery, quantity), which payment method (`payment_methods`: the allowed instruments, the
  first one is used), until when (`intent.intent_expiry`) and whether the agent may buy alone
  (`intent.user_cart_confirmation_required`). Nothing in the monitoring job row decides any of it.
- HP: the shopper's key press signs the CartRecord: its contents (merchant-signed) and the
  `payment_methods` the payment may use (a retry with another card after a decline stays
  inside that signed set, with no second dialog).

Fields added after the first release (`payment_methods`) are left out of `signable()` while
they are None, so records signed before they existed keep verifying; such records are refused
when they would have to decide a purchase (their signature does not cover the instrument).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import CartMandate, IntentMandate, PaymentMandate

Mode = Literal["hp", "hnp"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    _authorization_fields: tuple[str, ...] = ()
    _added_fields: tuple[str, ...] = ()  # signed when set; absent from records signed before them

    def signable(self) -> dict[str, Any]:
        """The record as signed: everything but the authorizations over it."""
        unset = {f for f in self._added_fields if getattr(self, f) is None}
        return self.model_dump(mode="json", exclude=set(self._authorization_fields) | unset)


class PaymentInstrument(BaseModel):
    """A payment method as the shopper signs it: the Credentials Provider's token (never a card
    number) and the label the shopper saw."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200)
    label: str = Field(default="", max_length=200)


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
    """The shopper's standing instruction. `product_query` is a display label only: the products
    that may be bought are `intent.skus`."""

    _authorization_fields = ("user_authorization",)
    _added_fields = ("payment_methods",)
    mandate_id: str
    user_id: str
    intent: IntentMandate
    product_query: str
    constraints: Constraints
    payment_methods: list[PaymentInstrument] | None = None
    user_authorization: str | None = None

    def allowed_tokens(self) -> list[str] | None:
        """The tokens the shopper's signature allows (the first is the one to use), or None."""
        return None if self.payment_methods is None else [m.token for m in self.payment_methods]

class CartRecord(_Record):
    """HP: `payment_methods` is filled in at the key press, so the shopper's signature covers the
    instruments the payment may use. HNP carts leave it None (the intent's list governs)."""

    _authorization_fields = ("user_authorization", "agent_authorization")
    _added_fields = ("payment_methods",)
    mandate_id: str
    user_id: str
    mode: Mode
    cart: CartMandate
    line_items: list[LineItem]
    intent_mandate_id: str | None = None
    payment_methods: list[PaymentInstrument] | None = None

    def allowed_tokens(self) -> list[str] | None:
        return None if self.payment_methods is None else [m.token for m in self.payment_methods]
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
