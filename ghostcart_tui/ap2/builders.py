"""Pure constructors for GhostCart's records, and the signing steps over them.

Nothing here reads a clock, a random source or a global: ids, times, jtis and keys come in as
arguments. What each signature binds is computed in bindings.py, shared with chain validation.

Order of signing (each signature covers the ones before it):
  cart:    merchant_sign_cart → user_sign (HP) | agent_sign_cart (HNP)
  payment: build_payment (carries the user's JWT) → agent_sign_payment
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ..core.clock import parse_iso, to_iso
from ..core.money import to_major
from .bindings import (
    cart_agent_binding,
    cart_merchant_binding,
    cart_user_binding,
    intent_user_binding,
    payment_agent_binding,
)
from .jws import make_claims, sign_jwt
from .keys import KeyPair
from .models import (
    CartContents,
    CartMandate,
    IntentMandate,
    PaymentCurrencyAmount,
    PaymentDetailsInit,
    PaymentItem,
    PaymentMandate,
    PaymentMandateContents,
    PaymentMethodData,
    PaymentRequest,
    PaymentResponse,
    PaymentShippingOption,
)
from .records import CartRecord, Constraints, IntentRecord, LineItem, Mode, PaymentInstrument, PaymentRecord

PAYMENT_METHOD = "CARD"
PROCESSOR_URL = "local://ghostcart-processor"
MERCHANT_JWT_TTL = timedelta(minutes=15)
PAYMENT_JWT_TTL = timedelta(minutes=15)

R = TypeVar("R", bound=IntentRecord | CartRecord)


# -- records ----------------------------------------------------------------------------------


def build_intent(
    mandate_id: str,
    user_id: str,
    description: str,
    product_query: str,
    constraints: Constraints,
    expiry: datetime,
    merchants: Sequence[str] | None = None,
    skus: Sequence[str] | None = None,
    payment_methods: Sequence[PaymentInstrument] | None = None,
    confirmation_required: bool = False,
) -> IntentRecord:
    """An HNP intent, to be signed by the user. The user's signature covers everything here:
    the products (skus), the limits, the payment methods and the expiry.
    confirmation_required=True is a notify-only watch: the agent may build a cart when every
    condition holds, but only the user's signature on that cart can pay it."""
    return IntentRecord(
        mandate_id=mandate_id,
        user_id=user_id,
        payment_methods=list(payment_methods) if payment_methods is not None else None,
        intent=IntentMandate(
            user_cart_confirmation_required=confirmation_required,
            natural_language_description=description,
            merchants=list(merchants) if merchants is not None else None,
            skus=list(skus) if skus is not None else None,
            requires_refundability=False,
            intent_expiry=to_iso(expiry),
        ),
        product_query=product_query,
        constraints=constraints,
    )


def _amount(cents: int, currency: str) -> PaymentCurrencyAmount:
    return PaymentCurrencyAmount(currency=currency, value=to_major(cents))


def _delivery_label(days: int) -> str:
    if days <= 0:
        return "Standard shipping (arrives today)"
    return f"Standard shipping (arrives in {days} day{'s' if days != 1 else ''})"


def build_cart(
    cart_id: str,
    user_id: str,
    mode: Mode,
    merchant_name: str,
    line_items: Sequence[LineItem],
    subtotal_cents: int,
    tax_cents: int,
    shipping_cents: int,
    total_cents: int,
    cart_expiry: datetime,
    intent_mandate_id: str | None = None,
    currency: str = "USD",
) -> CartRecord:
    """An unsigned cart. Raises ValueError when the amounts do not add up."""
    items = [li if isinstance(li, LineItem) else LineItem.model_validate(li) for li in line_items]
    if mode not in ("hp", "hnp"):
        raise ValueError(f"mode must be 'hp' or 'hnp', not {mode!r}")
    if not items:
        raise ValueError("a cart needs at least one line item")
    if mode == "hnp" and not intent_mandate_id:
        raise ValueError("a human-not-present cart must reference its intent")
    if min(subtotal_cents, tax_cents, shipping_cents, total_cents) < 0:
        raise ValueError("amounts cannot be negative")
    lines_sum = sum(li.unit_price_cents * li.quantity for li in items)
    if lines_sum != subtotal_cents:
        raise ValueError(f"line items sum to {lines_sum} cents, not the subtotal {subtotal_cents}")
    if subtotal_cents + tax_cents + shipping_cents != total_cents:
        raise ValueError("subtotal + tax + shipping does not equal the total")

    display = [
        PaymentItem(
            label=li.name if li.quantity == 1 else f"{li.name} ×{li.quantity}",
            amount=_amount(li.unit_price_cents * li.quantity, currency),
        )
        for li in items
    ]
    display.append(PaymentItem(label="Tax", amount=_amount(tax_cents, currency)))
    display.append(PaymentItem(label="Shipping", amount=_amount(shipping_cents, currency)))
    shipping = PaymentShippingOption(
        id="standard",
        label=_delivery_label(max(li.delivery_days for li in items)),
        amount=_amount(shipping_cents, currency),
        selected=True,
    )
    request = PaymentRequest(
        method_data=[
            PaymentMethodData(
                supported_methods=PAYMENT_METHOD, data={"payment_processor_url": PROCESSOR_URL}
            )
        ],
        details=PaymentDetailsInit(
            id=f"order_{cart_id}",
            display_items=display,
            shipping_options=[shipping],
            total=PaymentItem(label="Total", amount=_amount(total_cents, currency)),
        ),
    )
    contents = CartContents(
        id=cart_id,
        user_cart_confirmation_required=(mode == "hp"),
        payment_request=request,
        cart_expiry=to_iso(cart_expiry),
        merchant_name=merchant_name,
    )
    return CartRecord(
        mandate_id=cart_id,
        user_id=user_id,
        mode=mode,
        cart=CartMandate(contents=contents),
        line_items=items,
        intent_mandate_id=intent_mandate_id,
    )


def build_payment(
    payment_id: str,
    cart: CartRecord,
    user_authorization: str,
    token: str,
    brand: str,
    merchant_agent: str,
    now: datetime,
    intent_mandate_id: str | None = None,
) -> PaymentRecord:
    """The payment mandate for `cart`, carrying the user's JWT that authorized the purchase
    (the cart's in HP, the intent's in HNP). intent_mandate_id defaults to the cart's."""
    details = cart.cart.contents.payment_request.details
    return PaymentRecord(
        mandate_id=payment_id,
        user_id=cart.user_id,
        mode=cart.mode,
        cart_mandate_id=cart.mandate_id,
        intent_mandate_id=(
            intent_mandate_id if intent_mandate_id is not None else cart.intent_mandate_id
        ),
        payment=PaymentMandate(
            payment_mandate_contents=PaymentMandateContents(
                payment_mandate_id=payment_id,
                payment_details_id=details.id,
                payment_details_total=details.total.model_copy(deep=True),
                payment_response=PaymentResponse(
                    request_id=details.id,
                    method_name=PAYMENT_METHOD,
                    details={"token": token, "brand": brand},
                ),
                merchant_agent=merchant_agent,
                timestamp=to_iso(now),
            ),
            user_authorization=user_authorization,
        ),
    )


# -- signing ----------------------------------------------------------------------------------


def _require(key: KeyPair, role: str, owner: str | None = None) -> None:
    if key.role != role:
        raise ValueError(f"a {role} key is required, not the {key.role} key of {key.owner!r}")
    if owner is not None and key.owner != owner:
        raise ValueError(f"the {role} key of {key.owner!r} cannot sign for {owner!r}")


def _ttl_until(expiry: str, now: datetime) -> timedelta:
    return parse_iso(expiry) - now


def merchant_sign_cart(
    record: CartRecord,
    merchant_key: KeyPair,
    now: datetime,
    jti: str,
    ttl: timedelta | None = None,
) -> CartRecord:
    """The merchant's authorization of the cart contents. By default it is valid exactly as long
    as the cart (exp = cart_expiry), so a cart the shopper may still sign can still be paid."""
    contents = record.cart.contents
    _require(merchant_key, "merchant", contents.merchant_name)
    if ttl is None:
        ttl = _ttl_until(contents.cart_expiry, now)
    token = sign_jwt(_claims(cart_merchant_binding(record), now, ttl, jti), merchant_key)
    cart = record.cart.model_copy(deep=True, update={"merchant_authorization": token})
    return record.model_copy(deep=True, update={"cart": cart})


def _claims(
    binding: dict[str, Any], now: datetime, ttl: timedelta, jti: str, iss: str | None = None
) -> dict[str, Any]:
    b = dict(binding)
    issuer = b.pop("iss", None) if iss is None else iss
    b.pop("iss", None)
    return make_claims(issuer, b.pop("sub"), b.pop("aud"), now, ttl, jti, **b)


def _signed(
    record: Any, field: str, binding: dict[str, Any], key: KeyPair,
    now: datetime, ttl: timedelta, jti: str, iss: str | None = None,
) -> Any:
    token = sign_jwt(_claims(binding, now, ttl, jti, iss), key)
    return record.model_copy(deep=True, update={field: token})


def with_payment_methods(record: CartRecord, methods: Sequence[PaymentInstrument]) -> CartRecord:
    """An HP cart with the instruments its payment may use, set before the user signs it (the
    merchant's signature covers the contents and items only, so it stays valid)."""
    if record.user_authorization is not None:
        raise ValueError("the payment methods must be set before the user signs the cart")
    return record.model_copy(deep=True, update={"payment_methods": list(methods)})


def user_sign(record: R, user_key: KeyPair, now: datetime, jti: str) -> R:
    """The user's authorization: of an HNP intent (exp = intent expiry) or of a merchant-signed
    HP cart (exp = cart expiry). Returns a signed copy."""
    _require(user_key, "user", record.user_id)
    if isinstance(record, IntentRecord):
        ttl = _ttl_until(record.intent.intent_expiry, now)
        binding = intent_user_binding(record)
        return _signed(record, "user_authorization", binding, user_key, now, ttl, jti)
    if isinstance(record, CartRecord):
        if record.mode != "hp":
            raise ValueError("the user signs human-present carts only (HNP carts: agent_sign_cart)")
        if record.cart.merchant_authorization is None:
            raise ValueError("the merchant must sign the cart before the user does")
        ttl = _ttl_until(record.cart.contents.cart_expiry, now)
        binding = cart_user_binding(record)
        return _signed(record, "user_authorization", binding, user_key, now, ttl, jti)
    raise TypeError(f"the user signs intents and carts, not {type(record).__name__}")


def agent_sign_cart(
    record: CartRecord, agent_key: KeyPair, intent: IntentRecord, now: datetime, jti: str
) -> CartRecord:
    """The shopping agent's authorization of an HNP cart under the user's signed intent."""
    _require(agent_key, "agent")
    if record.mode != "hnp":
        raise ValueError("the agent signs human-not-present carts only")
    if record.intent_mandate_id != intent.mandate_id:
        raise ValueError("the cart does not reference this intent")
    if record.cart.merchant_authorization is None:
        raise ValueError("the merchant must sign the cart before the agent does")
    ttl = _ttl_until(record.cart.contents.cart_expiry, now)
    binding = cart_agent_binding(record, intent)
    return _signed(
        record, "agent_authorization", binding, agent_key, now, ttl, jti, iss=agent_key.owner
    )


def agent_sign_payment(
    record: PaymentRecord,
    agent_key: KeyPair,
    now: datetime,
    jti: str,
    ttl: timedelta = PAYMENT_JWT_TTL,
) -> PaymentRecord:
    _require(agent_key, "agent")
    if record.payment.user_authorization is None:
        raise ValueError("a payment mandate needs the user's authorization before the agent signs")
    binding = payment_agent_binding(record)
    return _signed(
        record, "agent_authorization", binding, agent_key, now, ttl, jti, iss=agent_key.owner
    )
