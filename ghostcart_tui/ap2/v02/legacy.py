"""Offline verification of a GhostCart AP2 v0.1 export (`mandates export`, format
ghostcart-ap2-chain/1): the stored records re-checked with the public keys in the file.

The file's JWKs carry no roles: each key gets the role of the signature it makes (the user's
authorizations, the merchant's, the agent's); a key asked to play two roles, or a kid that is
not its key's thumbprint, fails verification."""

from __future__ import annotations

from typing import Any

from ..chain import audit_chain
from ..errors import CHAIN_INVALID, SIGNATURE_INVALID
from ..jws import jwt_header
from ..keys import PublicKey
from ..records import CartRecord, IntentRecord, PaymentRecord
from ..report import ChainReport, Checks
from .sdjwt import SdJwtError, key_from_jwk

FORMAT = "ghostcart-ap2-chain/1"


class _Keys:
    def __init__(self, by_kid: dict[str, PublicKey]) -> None:
        self._by_kid = by_kid

    def resolve(self, kid: str) -> PublicKey | None:
        return self._by_kid.get(kid) if isinstance(kid, str) else None

    require = resolve  # the keys of a file are all at hand: none is ever unavailable


def _signers(intent: IntentRecord | None, cart: CartRecord | None, payment: PaymentRecord | None):
    if intent is not None:
        yield intent.user_authorization, "user", intent.user_id
    if cart is not None:
        yield cart.cart.merchant_authorization, "merchant", cart.cart.contents.merchant_name
        yield cart.user_authorization, "user", cart.user_id
        yield cart.agent_authorization, "agent", "agent"
    if payment is not None:
        yield payment.agent_authorization, "agent", "agent"
        yield payment.payment.user_authorization, "user", payment.user_id


def verify_v01_export(doc: dict[str, Any]) -> ChainReport:
    c = Checks()
    records = doc.get("ghostcart_records") if isinstance(doc, dict) else None
    if not isinstance(records, dict):
        c.fail("format", CHAIN_INVALID, "not a GhostCart v0.1 export (no ghostcart_records)")
        return c.report()
    try:
        intent = IntentRecord.model_validate(records["intent"]) if records.get("intent") else None
        cart = CartRecord.model_validate(records["cart"]) if records.get("cart") else None
        payment = PaymentRecord.model_validate(records["payment"]) if records.get("payment") else None
    except Exception as exc:  # a record that no longer parses was changed
        c.fail("records", SIGNATURE_INVALID, f"a record does not parse: {str(exc).splitlines()[0]}")
        return c.report()
    c.ok("format", f"AP2 v0.1 chain export ({', '.join(k for k in ('intent', 'cart', 'payment') if records.get(k))})")
    jwks = {k.get("kid"): k for k in (doc.get("jwks") or {}).get("keys", []) if isinstance(k, dict)}
    by_kid: dict[str, PublicKey] = {}
    for token, role, owner in _signers(intent, cart, payment):
        if not token:
            continue
        try:
            kid = jwt_header(token).get("kid")
        except Exception:
            continue
        jwk = jwks.get(kid)
        if jwk is None or kid in by_kid:
            if kid in by_kid and by_kid[kid].role != role:
                c.fail("keys.roles", SIGNATURE_INVALID, f"key {str(kid)[:16]}… signs as {by_kid[kid].role} and {role}")
            continue
        try:
            key = PublicKey(role, owner, key_from_jwk(jwk))
        except (SdJwtError, ValueError) as exc:
            c.fail("keys", SIGNATURE_INVALID, f"unusable key {str(kid)[:16]}…: {exc}")
            continue
        if key.kid != kid:
            c.fail("keys", SIGNATURE_INVALID, f"kid {str(kid)[:16]}… is not its key's thumbprint")
            continue
        by_kid[kid] = key
    report = c.report() + audit_chain(intent, cart, payment, _Keys(by_kid))  # type: ignore[arg-type]
    tx = doc.get("transaction")
    if isinstance(tx, dict) and payment is not None:
        from ...core.money import from_major

        paid = from_major(payment.payment.payment_mandate_contents.payment_details_total.amount.value)
        t = Checks()
        t.expect(
            "transaction.amount",
            tx.get("amount_cents") == paid,
            CHAIN_INVALID,
            "the transaction is for the payment mandate's total",
            f"the transaction amount {tx.get('amount_cents')} ≠ the payment mandate's {paid}",
        )
        report = report + t.report()
    return report
