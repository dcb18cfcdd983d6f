"""The simulated merchant's side of AP2 v0.2: it signs the checkout (a UCP Checkout object, the
`checkout_jwt`), challenges the shopping agent with its audience and a fresh nonce, and answers a
presented Checkout Mandate with a signed Checkout Receipt (success or error)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from ..ap2.keys import KeyPair
from ..ap2.records import CartRecord
from ..ap2.v02 import content as C
from ..ap2.v02 import sdjwt as S
from ..core.clock import to_iso
from ..core.money import from_major
from .catalog import MERCHANT_NAME

MERCHANT_ID = "ghostcart_demo_store"
MERCHANT_AUDIENCE = MERCHANT_ID  # the aud the merchant expects on a closed checkout hop


def merchant_object(name: str = MERCHANT_NAME) -> dict[str, str]:
    """The AP2 Merchant object of the simulated store."""
    return C.merchant(MERCHANT_ID if name == MERCHANT_NAME else name.lower().replace(" ", "_"), name)


def challenge() -> dict[str, str]:
    """The merchant's request for a presentation: its audience and a fresh nonce."""
    return {"aud": MERCHANT_AUDIENCE, "nonce": secrets.token_urlsafe(16)}


def _amounts(cart: CartRecord) -> tuple[int, int]:
    by_label = {i.label: from_major(i.amount.value) for i in cart.cart.contents.payment_request.details.display_items}
    return by_label.get("Tax", 0), by_label.get("Shipping", 0)


def checkout_object(cart: CartRecord, now: datetime) -> dict[str, Any]:
    """The UCP Checkout for a priced cart: its lines, tax, shipping and total, in cents."""
    tax, shipping = _amounts(cart)
    lines = [C.Line(li.product_id, li.name, li.unit_price_cents, li.quantity) for li in cart.line_items]
    total = cart.cart.contents.payment_request.details.total.amount
    return C.checkout(
        cart.mandate_id,
        merchant_object(cart.cart.contents.merchant_name),
        lines,
        tax=tax,
        shipping=shipping,
        currency=total.currency,
        expires_at=cart.cart.contents.cart_expiry,
        iat=int(now.timestamp()),
    )


def sign_checkout(cart: CartRecord, merchant_key: KeyPair, now: datetime) -> str:
    """The merchant's checkout JWT (ES256, a non-deterministic signature as the spec requires)."""
    if merchant_key.role != "merchant":
        raise ValueError("the merchant's key signs the checkout")
    return S.sign_jwt(checkout_object(cart, now), S.signing_jwk(merchant_key.private_key, merchant_key.kid))


def checkout_receipt(
    merchant_key: KeyPair,
    checkout_mandate: str,
    now: datetime,
    *,
    order_id: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> str:
    """The signed Checkout Receipt: Success with the order id, or Error with its code."""
    body: dict[str, Any] = {
        "status": "Error" if error else "Success",
        "iss": MERCHANT_ID,
        "iat": int(now.timestamp()),
        "reference": S.sha256_b64(S.closed_leaf_jwt(checkout_mandate)),
    }
    if error:
        body.update(error=error, error_description=error_description or error)
    else:
        body["order_id"] = order_id or f"order_{secrets.token_hex(6)}"
    return S.sign_jwt(body, S.signing_jwk(merchant_key.private_key, merchant_key.kid))


def iso(dt: datetime) -> str:
    return to_iso(dt)
