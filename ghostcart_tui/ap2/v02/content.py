"""AP2 v0.2 mandate content, field names exactly as the JSON schemas (code/sdk/schemas/ap2/*.json)
and the UCP Checkout object (schemas/ucp/types/checkout.json). Pure: times, ids and amounts
(integer minor units) come in as arguments. Fields the schemas mark selectively disclosable are
wrapped in SD(...): `checkout_jwt`, every element of `allowed` and of `acceptable_items`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .sdjwt import SD

VCT_CHECKOUT = "mandate.checkout.1"
VCT_CHECKOUT_OPEN = "mandate.checkout.open.1"
VCT_PAYMENT = "mandate.payment.1"
VCT_PAYMENT_OPEN = "mandate.payment.open.1"
LINE_ITEMS = "checkout.line_items"
ALLOWED_MERCHANTS = "checkout.allowed_merchants"
AMOUNT_RANGE = "payment.amount_range"
ALLOWED_PAYEES = "payment.allowed_payees"
ALLOWED_INSTRUMENTS = "payment.allowed_payment_instruments"
EXECUTION_DATE = "payment.execution_date"
REFERENCE = "payment.reference"
BUDGET = "payment.budget"


@dataclass(frozen=True)
class Line:
    """One checkout line: product id (sku), title, unit price and quantity."""

    sku: str
    title: str
    unit_price: int
    quantity: int


def merchant(merchant_id: str, name: str, website: str | None = None) -> dict[str, str]:
    m = {"id": merchant_id, "name": name}
    if website:
        m["website"] = website
    return m


def instrument(instrument_id: str, type_: str, description: str) -> dict[str, str]:
    """A payment instrument as a token description (id = the credentials provider's token)."""
    return {"id": instrument_id, "type": type_, "description": description}


def checkout(
    checkout_id: str,
    seller: dict[str, str],
    lines: Sequence[Line],
    *,
    tax: int,
    shipping: int,
    currency: str,
    expires_at: str,
    iat: int,
) -> dict[str, Any]:
    """The UCP Checkout object the merchant signs (status ready_for_complete)."""
    items = [
        {
            "id": f"li_{i}",
            "item": {"id": ln.sku, "title": ln.title, "price": ln.unit_price},
            "quantity": ln.quantity,
            "totals": [{"type": "subtotal", "amount": ln.unit_price * ln.quantity}],
        }
        for i, ln in enumerate(lines, 1)
    ]
    subtotal = sum(ln.unit_price * ln.quantity for ln in lines)
    return {
        "id": checkout_id,
        "merchant": dict(seller),
        "line_items": items,
        "status": "ready_for_complete",
        "currency": currency,
        "totals": [
            {"type": "subtotal", "amount": subtotal},
            {"type": "tax", "amount": tax},
            {"type": "fulfillment", "amount": shipping, "display_text": "Standard shipping"},
            {"type": "total", "amount": subtotal + tax + shipping},
        ],
        "links": [],
        "expires_at": expires_at,
        "iat": iat,
    }


def closed_checkout(checkout_jwt: str, checkout_hash: str, iat: int) -> dict[str, Any]:
    return {"vct": VCT_CHECKOUT, SD("checkout_jwt"): checkout_jwt, "checkout_hash": checkout_hash, "iat": iat}


def closed_payment(
    transaction_id: str,
    payee: dict[str, str],
    amount: int,
    currency: str,
    payment_instrument: dict[str, str],
    execution_date: str,
    iat: int,
) -> dict[str, Any]:
    return {
        "vct": VCT_PAYMENT,
        "transaction_id": transaction_id,
        "payee": dict(payee),
        "payment_amount": {"amount": amount, "currency": currency},
        "payment_instrument": dict(payment_instrument),
        "execution_date": execution_date,
        "iat": iat,
    }


def open_checkout(
    acceptable: Sequence[tuple[str, str]],
    quantity: int,
    allowed: Sequence[dict[str, str]],
    agent_jwk: dict[str, str],
    iat: int,
    exp: int,
) -> dict[str, Any]:
    """acceptable: (product id, title) pairs, any one of which may fill the line."""
    return {
        "vct": VCT_CHECKOUT_OPEN,
        "constraints": [
            {
                "type": LINE_ITEMS,
                "items": [
                    {
                        "id": "line_1",
                        "quantity": quantity,
                        "acceptable_items": [SD({"id": sku, "title": t}) for sku, t in acceptable],
                    }
                ],
            },
            {"type": ALLOWED_MERCHANTS, "allowed": [SD(dict(m)) for m in allowed]},
        ],
        "cnf": {"jwk": dict(agent_jwk)},
        "iat": iat,
        "exp": exp,
    }


def open_payment(
    max_amount: int,
    currency: str,
    payees: Sequence[dict[str, str]],
    instruments: Sequence[dict[str, str]],
    not_before: str,
    not_after: str,
    open_checkout_hash: str,
    agent_jwk: dict[str, str],
    iat: int,
    exp: int,
) -> dict[str, Any]:
    return {
        "vct": VCT_PAYMENT_OPEN,
        "constraints": [
            {"type": AMOUNT_RANGE, "currency": currency, "max": max_amount, "min": 0},
            {"type": ALLOWED_PAYEES, "allowed": [SD(dict(p)) for p in payees]},
            {"type": ALLOWED_INSTRUMENTS, "allowed": [SD(dict(i)) for i in instruments]},
            {"type": EXECUTION_DATE, "not_before": not_before, "not_after": not_after},
            {"type": REFERENCE, "conditional_transaction_id": open_checkout_hash},
        ],
        "cnf": {"jwk": dict(agent_jwk)},
        "iat": iat,
        "exp": exp,
    }


def open_checkout_disclosure(
    n_acceptable: int, chosen: Sequence[int], n_merchants: int, merchant_index: int
) -> dict[str, Any]:
    """What to reveal of an open checkout mandate for one checkout: the chosen acceptable items
    and the merchant, nothing else (the spec's MUST for privacy)."""
    return {
        "constraints": [
            {"items": [{"acceptable_items": [i in chosen for i in range(n_acceptable)]}]},
            {"allowed": [i == merchant_index for i in range(n_merchants)]},
        ]
    }
