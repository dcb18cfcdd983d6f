"""The individual rules of chain validation, each adding verdicts to a Checks collector."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import rfc8785

from ..core.clock import parse_iso, to_iso
from ..core.money import MoneyError, format_cents, from_major
from .errors import CHAIN_INVALID, CONSTRAINTS_VIOLATED, EXPIRED, SIGNATURE_INVALID, AP2Error
from .jws import epoch_to_datetime, verify_jwt_signer
from .keys import KeyStore
from .models import PaymentItem
from .records import CartRecord, IntentRecord
from .report import Checks


def authorization(
    c: Checks,
    check: str,
    token: str | None,
    keys: KeyStore,
    *,
    role: str,
    owner: str | None,
    binding: Callable[[], dict[str, Any]],
    what: str,
) -> dict[str, Any] | None:
    """Verify one JWT and that it binds exactly this record (the claims `binding()` computes
    from it); its claims, or None on failure."""
    if token is None:
        c.fail(check, SIGNATURE_INVALID, f"{what} is missing")
        return None
    try:
        expected = binding()
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        # e.g. an integer beyond JSON's safe range or a NaN: nothing GhostCart ever signed
        c.fail(check, SIGNATURE_INVALID, f"{what} cannot cover this record: it holds values "
               "that have no canonical JSON form, so it was changed after signing")
        return None
    try:
        claims, signer = verify_jwt_signer(token, keys, expected_role=role, expected_owner=owner)
    except AP2Error as exc:
        c.fail(check, exc.code, f"{what}: {exc.message}")
        return None
    differ = sorted(k for k, v in expected.items() if claims.get(k) != v)
    if differ:
        c.fail(
            check,
            SIGNATURE_INVALID,
            f"{what} does not cover this record ({', '.join(differ)} differ): "
            "it was changed after it was signed",
        )
        return None
    who = f"{signer.owner} (key {signer.fingerprint})"
    c.ok(check, f"{what}: valid {role} signature by {who}")
    return claims


def unexpected(c: Checks, check: str, token: str | None, what: str) -> None:
    if token is not None:
        c.fail(check, SIGNATURE_INVALID, f"{what} must not be present")


def parse_time(c: Checks, check: str, text: str, what: str) -> datetime | None:
    try:
        return parse_iso(text)
    except (ValueError, TypeError):
        c.fail(check, CHAIN_INVALID, f"{what} is not an ISO 8601 time: {text[:40]!r}")
        return None


def not_expired(c: Checks, check: str, when: datetime | None, now: datetime, what: str) -> None:
    if when is not None:
        c.expect(check, when > now, EXPIRED, f"{what} valid until {to_iso(when)}",
                 f"{what} expired at {to_iso(when)}")


# How far a signer's clock may run ahead of ours: a signature issued later than now + this is
# refused (a cart signed with the clock at 2030 is not paid in 2026).
MAX_CLOCK_SKEW = timedelta(minutes=5)


def jwt_not_expired(
    c: Checks, check: str, claims: dict[str, Any] | None, now: datetime, what: str
) -> None:
    """A JWT is valid at `now` only between its issue time (iat, with MAX_CLOCK_SKEW) and exp."""
    iat = claims.get("iat") if claims is not None else None
    if type(iat) is int and epoch_to_datetime(iat) > now + MAX_CLOCK_SKEW:
        c.fail(check.removesuffix(".exp") + ".iat", SIGNATURE_INVALID,
               f"{what} was issued at {to_iso(epoch_to_datetime(iat))}, later than now "
               f"({to_iso(now)}): it cannot have been made yet")
    exp = claims.get("exp") if claims is not None else None
    if type(exp) is int:
        not_expired(c, check, epoch_to_datetime(exp), now, what)


def payment_instrument(c: Checks, token: object, allowed: list[str] | None, signer: str) -> None:
    """The instrument a payment uses must be one the shopper's signature names."""
    if allowed is None:
        c.fail("payment.instrument", CONSTRAINTS_VIOLATED,
               f"{signer} was signed before GhostCart signed the payment method, so it does not "
               "cover any; it cannot pay (sign it again)")
        return
    c.expect("payment.instrument", isinstance(token, str) and token in allowed, CONSTRAINTS_VIOLATED,
             f"payment method {token} is one {signer} names",
             f"payment method {str(token)[:40]!r} is not one {signer} names ({', '.join(allowed)})")


def cents(item: PaymentItem) -> int | None:
    """An amount in cents, or None when it is not a usable amount (negative, NaN, huge)."""
    try:
        return from_major(item.amount.value)
    except (MoneyError, ArithmeticError):  # decimal.InvalidOperation on values past ~1e26
        return None


def same(c: Checks, check: str, a: Any, b: Any, what: str) -> bool:
    return c.expect(check, a == b, CHAIN_INVALID, f"{what}: {a!r}", f"{what}: {a!r} ≠ {b!r}")


def cart_arithmetic(c: Checks, cart: CartRecord) -> None:
    contents = cart.cart.contents
    details = contents.payment_request.details
    same(c, "cart.id", cart.mandate_id, contents.id, "cart mandate id vs contents id")
    c.expect(
        "cart.confirmation_flag",
        contents.user_cart_confirmation_required == (cart.mode == "hp"),
        CHAIN_INVALID,
        "user_cart_confirmation_required matches the mode",
        f"user_cart_confirmation_required={contents.user_cart_confirmation_required} "
        f"contradicts a {cart.mode.upper()} cart",
    )
    currency = details.total.amount.currency
    amounts = [details.total, *details.display_items]
    c.expect("cart.currency", all(i.amount.currency == currency for i in amounts), CHAIN_INVALID,
             f"all amounts in {currency}", "the cart mixes currencies")
    lines, display = cart.line_items, details.display_items
    line_ok = bool(lines) and len(display) >= len(lines) and all(
        cents(d) == li.unit_price_cents * li.quantity for li, d in zip(lines, display, strict=False)
    )
    subtotal = sum(li.unit_price_cents * li.quantity for li in lines)
    c.expect("cart.lines", line_ok, CHAIN_INVALID,
             f"line items match their display items (subtotal {format_cents(subtotal)})",
             "the line items do not match the cart's display items")
    parts = [cents(d) for d in display]
    total = cents(details.total)
    summed = None if None in parts else sum(p for p in parts if p is not None)
    c.expect("cart.total", total is not None and summed == total, CHAIN_INVALID,
             f"display items sum to the total {format_cents(total or 0)}",
             "the display items do not sum to the cart total")


def cart_constraints(c: Checks, cart: CartRecord, intent: IntentRecord) -> None:
    """The cart satisfies the signed intent: every product is one of `intent.skus` (required),
    each item price, the total, the quantity and the delivery within the signed limits, the
    merchant allowed. (Expiry and the instrument are checked by the chain.)"""
    k, im = intent.constraints, intent.intent
    contents = cart.cart.contents
    limit = format_cents(k.max_price_cents)
    for i, li in enumerate(cart.line_items):
        c.expect(f"constraints.max_price[{i}]", li.unit_price_cents <= k.max_price_cents,
                 CONSTRAINTS_VIOLATED,
                 f"{li.name} at {format_cents(li.unit_price_cents)} ≤ {limit}",
                 f"{li.name} costs {format_cents(li.unit_price_cents)}, above the intent's "
                 f"maximum of {limit}")
    qty = sum(li.quantity for li in cart.line_items)
    c.expect("constraints.quantity", qty <= k.quantity, CONSTRAINTS_VIOLATED,
             f"quantity {qty} ≤ {k.quantity}",
             f"the cart holds {qty} items, the intent allows {k.quantity}")
    if k.max_total_cents is not None:
        total = cents(contents.payment_request.details.total)
        c.expect("constraints.max_total", total is not None and total <= k.max_total_cents,
                 CONSTRAINTS_VIOLATED,
                 f"total {format_cents(total or 0)} ≤ {format_cents(k.max_total_cents)}",
                 f"the total {format_cents(total or 0)} is above the intent's maximum of "
                 f"{format_cents(k.max_total_cents)}")
    if k.max_delivery_days is not None:
        days = max((li.delivery_days for li in cart.line_items), default=0)
        c.expect("constraints.max_delivery_days", days <= k.max_delivery_days,
                 CONSTRAINTS_VIOLATED, f"delivery in {days} ≤ {k.max_delivery_days} days",
                 f"delivery takes {days} days, the intent allows {k.max_delivery_days}")
    if im.merchants is not None:
        c.expect("constraints.merchants", contents.merchant_name in im.merchants,
                 CONSTRAINTS_VIOLATED, f"merchant {contents.merchant_name!r} is allowed",
                 f"merchant {contents.merchant_name!r} is not one the intent allows")
    if not im.skus:
        c.fail("constraints.skus", CONSTRAINTS_VIOLATED,
               "the intent names no product (it was signed without skus), so it can buy nothing")
    else:
        bad = [li.product_id for li in cart.line_items if li.product_id not in im.skus]
        c.expect("constraints.skus", not bad, CONSTRAINTS_VIOLATED,
                 "every product is one the intent names",
                 f"product(s) {', '.join(bad)} not allowed by the intent")
    if im.requires_refundability:
        items = contents.payment_request.details.display_items
        c.expect("constraints.refundability", all(i.refund_period > 0 for i in items),
                 CONSTRAINTS_VIOLATED, "every item is refundable",
                 "the intent requires refundable items")
