"""Mandate chain validation: every rule, every verdict, the first failure raisable.

verify_intent / verify_cart / verify_payment each check one record (and its references to the
records passed beside it); validate_hp_chain / validate_hnp_chain combine them for a purchase;
audit_chain checks whatever part of a chain is at hand, without any time check.

What each verifier covers:
- verify_intent: the user's signature over the intent, its expiry.
- verify_cart: the merchant's signature and the user's (HP) or agent's (HNP) signature over the
  cart, its internal arithmetic, its expiry; given the intent, the reference to it, the agent's
  intent_hash and the intent's constraints. It does not re-check the intent's own signature.
- verify_payment: the agent's signature over the payment, the user's authorization it carries
  (the cart's in HP, the intent's in HNP), every reference to the cart, and that its payment
  token is one the user's signature names (the cart's `payment_methods` in HP, the intent's in
  HNP). It does not re-check the cart's merchant signature.

An HNP purchase is valid only when the cart satisfies the signed intent: products ∈ intent.skus,
item price / total / quantity / delivery within the signed constraints, the instrument one the
intent names, nothing expired and nothing issued in the future (iat, see rules.MAX_CLOCK_SKEW).

Signatures are verified with now=None and their expiry is a separate verdict, so a tampered
record always reports signature_invalid first (see report.ChainReport.first_failure).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .bindings import (
    cart_agent_binding,
    cart_merchant_binding,
    cart_user_binding,
    hash_memo,
    intent_user_binding,
    payment_agent_binding,
)
from .errors import CHAIN_INVALID, SIGNATURE_INVALID
from .keys import KeyStore
from .records import CartRecord, IntentRecord, PaymentRecord
from .report import ChainReport, Checks, Verdict
from .rules import (
    authorization,
    cart_arithmetic,
    cart_constraints,
    cents,
    jwt_not_expired,
    not_expired,
    parse_time,
    payment_instrument,
    same,
    unexpected,
)

__all__ = [
    "ChainReport",
    "Verdict",
    "audit_chain",
    "validate_hnp_chain",
    "validate_hp_chain",
    "verify_cart",
    "verify_intent",
    "verify_payment",
]


# -- intent ------------------------------------------------------------------------------------


def _verify_intent(
    intent: IntentRecord, keys: KeyStore, now: datetime | None = None
) -> ChainReport:
    c = Checks()
    claims = authorization(
        c, "intent.user_authorization", intent.user_authorization, keys, role="user",
        owner=intent.user_id, binding=lambda: intent_user_binding(intent),
        what="the user's signature on the intent",
    )
    expiry = parse_time(c, "intent.intent_expiry", intent.intent.intent_expiry, "the intent expiry")
    if now is not None:
        jwt_not_expired(c, "intent.user_authorization.exp", claims, now,
                        "the user's authorization of the intent")
        not_expired(c, "intent.expiry", expiry, now, "the intent")
    return c.report()


# -- cart --------------------------------------------------------------------------------------


def _verify_cart(
    cart: CartRecord,
    keys: KeyStore,
    now: datetime | None = None,
    intent: IntentRecord | None = None,
) -> ChainReport:
    c = Checks()
    contents = cart.cart.contents
    merchant = authorization(
        c, "cart.merchant_authorization", cart.cart.merchant_authorization, keys,
        role="merchant", owner=contents.merchant_name,
        binding=lambda: cart_merchant_binding(cart),
        what="the merchant's signature on the cart",
    )
    if cart.mode == "hp":
        approval = authorization(
            c, "cart.user_authorization", cart.user_authorization, keys, role="user",
            owner=cart.user_id, binding=lambda: cart_user_binding(cart),
            what="the user's signature on the cart",
        )
        approval_check, approver = "cart.user_authorization.exp", "the user's authorization"
        unexpected(c, "cart.agent_authorization", cart.agent_authorization,
                   "an agent authorization on a human-present cart")
    else:
        approval = authorization(
            c, "cart.agent_authorization", cart.agent_authorization, keys, role="agent",
            owner=None, binding=lambda: cart_agent_binding(cart, intent),
            what="the agent's signature on the cart",
        )
        approval_check, approver = "cart.agent_authorization.exp", "the agent's authorization"
        unexpected(c, "cart.user_authorization", cart.user_authorization,
                   "a user authorization on a human-not-present cart")

    cart_arithmetic(c, cart)
    if intent is not None:
        if cart.mode == "hnp" or cart.intent_mandate_id is not None:
            same(c, "cart.intent_reference", cart.intent_mandate_id, intent.mandate_id,
                 "the cart's intent reference")
        if cart.mode == "hnp":
            same(c, "cart.intent_user", cart.user_id, intent.user_id, "the intent's user")
            c.expect("intent.autonomy", not intent.intent.user_cart_confirmation_required,
                     CHAIN_INVALID, "the intent lets the agent buy without a confirmation",
                     "the intent requires the user to confirm the cart")
    elif cart.mode == "hnp":
        c.fail("cart.intent_reference", CHAIN_INVALID,
               "a human-not-present cart can only be verified with the intent it references")
    expiry = parse_time(c, "cart.cart_expiry", contents.cart_expiry, "the cart expiry")

    if now is not None:
        not_expired(c, "cart.expiry", expiry, now, "the cart")
        jwt_not_expired(c, "cart.merchant_authorization.exp", merchant, now,
                        "the merchant's authorization")
        jwt_not_expired(c, approval_check, approval, now, approver)
    if intent is not None and cart.mode == "hnp":
        cart_constraints(c, cart, intent)
    return c.report()


# -- payment -----------------------------------------------------------------------------------


def _payment_user_authorization(
    c: Checks, payment: PaymentRecord, cart: CartRecord, keys: KeyStore, intent: IntentRecord | None
) -> None:
    check = "payment.user_authorization"
    token = payment.payment.user_authorization
    if token is None:
        c.fail(check, SIGNATURE_INVALID, "the payment mandate carries no user authorization")
    elif cart.mode == "hp":
        if token != cart.user_authorization:
            c.fail(check, SIGNATURE_INVALID,
                   "the user authorization is not the user's signature on this cart")
        else:
            authorization(c, check, token, keys, role="user", owner=cart.user_id,
                          binding=lambda: cart_user_binding(cart),
                          what="the user's authorization of the payment")
    elif intent is None:
        c.fail(check, CHAIN_INVALID,
               "a human-not-present payment can only be verified with its intent")
    elif token != intent.user_authorization:
        c.fail(check, SIGNATURE_INVALID,
               "the user authorization is not the user's signature on the intent")
    else:
        authorization(c, check, token, keys, role="user", owner=intent.user_id,
                      binding=lambda: intent_user_binding(intent),
                      what="the user's authorization of the payment (the signed intent)")


def _payment_agent(c: Checks, payment: PaymentRecord, keys: KeyStore) -> dict[str, Any] | None:
    return authorization(
        c, "payment.agent_authorization", payment.agent_authorization, keys, role="agent",
        owner=None, binding=lambda: payment_agent_binding(payment),
        what="the agent's signature on the payment mandate",
    )


def _verify_payment(
    payment: PaymentRecord,
    cart: CartRecord,
    keys: KeyStore,
    now: datetime | None = None,
    intent: IntentRecord | None = None,
) -> ChainReport:
    c = Checks()
    agent = _payment_agent(c, payment, keys)
    _payment_user_authorization(c, payment, cart, keys, intent)

    pmc = payment.payment.payment_mandate_contents
    details = cart.cart.contents.payment_request.details
    same(c, "payment.id", pmc.payment_mandate_id, payment.mandate_id, "payment mandate id")
    same(c, "payment.cart_reference", payment.cart_mandate_id, cart.mandate_id, "cart reference")
    same(c, "payment.details_id", pmc.payment_details_id, details.id, "payment details id")
    same(c, "payment.request_id", pmc.payment_response.request_id, details.id,
         "payment response request id")
    paid, due = pmc.payment_details_total.amount, details.total.amount
    due_cents = cents(details.total)
    c.expect(
        "payment.total",
        paid.currency == due.currency
        and due_cents is not None
        and cents(pmc.payment_details_total) == due_cents,
        CHAIN_INVALID,
        f"payment total equals the cart total ({paid.currency} {paid.value:.2f})",
        f"payment total {paid.currency} {paid.value:.2f} ≠ cart total "
        f"{due.currency} {due.value:.2f}",
    )
    same(c, "payment.mode", payment.mode, cart.mode, "payment mode")
    same(c, "payment.intent_reference", payment.intent_mandate_id, cart.intent_mandate_id,
         "payment intent reference")
    if intent is not None and payment.intent_mandate_id is not None:
        same(c, "payment.intent", payment.intent_mandate_id, intent.mandate_id, "intent")
    same(c, "payment.user", payment.user_id, cart.user_id, "payment user")
    token = (pmc.payment_response.details or {}).get("token")
    if cart.mode == "hp":
        payment_instrument(c, token, cart.allowed_tokens(), "the user's signature on the cart")
    elif intent is not None:
        payment_instrument(c, token, intent.allowed_tokens(), "the user's signature on the intent")
    if now is not None:
        jwt_not_expired(c, "payment.agent_authorization.exp", agent, now,
                        "the agent's authorization of the payment")
    return c.report()


# -- chains ------------------------------------------------------------------------------------


def _mode(expected: str, cart: CartRecord) -> ChainReport:
    c = Checks()
    c.expect("chain.mode", cart.mode == expected, CHAIN_INVALID,
             f"{expected.upper()} purchase",
             f"an {cart.mode.upper()} cart cannot complete an {expected.upper()} purchase")
    return c.report()


def _validate_hp_chain(
    cart: CartRecord, payment: PaymentRecord, keys: KeyStore, now: datetime
) -> ChainReport:
    """Human present: merchant-signed, user-authorized cart → agent-signed payment."""
    return (
        _mode("hp", cart)
        + verify_cart(cart, keys, now)
        + verify_payment(payment, cart, keys, now)
    )


def _validate_hnp_chain(
    intent: IntentRecord,
    cart: CartRecord,
    payment: PaymentRecord,
    keys: KeyStore,
    now: datetime,
) -> ChainReport:
    """Human not present: user-signed intent → agent-authorized cart within it → payment."""
    return (
        _mode("hnp", cart)
        + verify_intent(intent, keys, now)
        + verify_cart(cart, keys, now, intent)
        + verify_payment(payment, cart, keys, now, intent)
    )


def _audit_chain(
    intent: IntentRecord | None,
    cart: CartRecord | None,
    payment: PaymentRecord | None,
    keys: KeyStore,
) -> ChainReport:
    """For the inspector: signatures, references, arithmetic and the intent's constraints of
    whatever is present; no expiry check (now=None), so an old chain audits as it was."""
    report = ChainReport()
    mode = cart.mode if cart is not None else payment.mode if payment is not None else None
    if intent is not None:
        if intent.user_authorization is not None or mode == "hnp":
            report += verify_intent(intent, keys)
        else:
            report += ChainReport([Verdict("intent.user_authorization", True, None,
                                           "unsigned intent: context of a human-present purchase")])
    if cart is not None:
        report += verify_cart(cart, keys, None, intent)
    if payment is not None:
        if cart is not None:
            report += verify_payment(payment, cart, keys, None, intent)
        else:
            c = Checks()
            _payment_agent(c, payment, keys)
            c.fail("payment.cart_reference", CHAIN_INVALID,
                   f"the cart {payment.cart_mandate_id} is not available to check against")
            report += c.report()
    return report


# -- public entry points: each record's hashes are computed once per call ----------------------


def verify_intent(intent: IntentRecord, keys: KeyStore, now: datetime | None = None) -> ChainReport:
    with hash_memo():
        return _verify_intent(intent, keys, now)


def verify_cart(
    cart: CartRecord, keys: KeyStore, now: datetime | None = None, intent: IntentRecord | None = None
) -> ChainReport:
    with hash_memo():
        return _verify_cart(cart, keys, now, intent)


def verify_payment(
    payment: PaymentRecord,
    cart: CartRecord,
    keys: KeyStore,
    now: datetime | None = None,
    intent: IntentRecord | None = None,
) -> ChainReport:
    with hash_memo():
        return _verify_payment(payment, cart, keys, now, intent)


def validate_hp_chain(
    cart: CartRecord, payment: PaymentRecord, keys: KeyStore, now: datetime
) -> ChainReport:
    """Human present: merchant-signed, user-authorized cart → agent-signed payment."""
    with hash_memo():
        return _validate_hp_chain(cart, payment, keys, now)


def validate_hnp_chain(
    intent: IntentRecord, cart: CartRecord, payment: PaymentRecord, keys: KeyStore, now: datetime
) -> ChainReport:
    """Human not present: user-signed intent → agent-authorized cart within it → payment."""
    with hash_memo():
        return _validate_hnp_chain(intent, cart, payment, keys, now)


def audit_chain(
    intent: IntentRecord | None, cart: CartRecord | None, payment: PaymentRecord | None, keys: KeyStore
) -> ChainReport:
    """For the inspector (see _audit_chain): no expiry check."""
    with hash_memo():
        return _audit_chain(intent, cart, payment, keys)
