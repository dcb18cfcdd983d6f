"""The shopper's signature: requested by an agent, answered by a key press (or a scenario's
`sign`). State lives in the mandate row, so a pending request survives a restart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from ..ap2 import builders
from ..ap2.errors import CHAIN_INVALID, EXPIRED, AP2Error
from ..ap2.jws import epoch_to_datetime, unverified_claims
from ..ap2.records import CartRecord, IntentRecord, PaymentInstrument
from ..core.clock import parse_iso
from ..core.errors import NotFound, UserError, shown
from ..core.events import MandateSigned, SignatureDeclined, SignatureRequested
from ..core.money import from_major
from ..core.statuses import MandateStatus
from ..store import mandates
from ..store.tables import MandateRow
from . import ap2_v02
from .carts import build_signed_cart, cart_total_cents
from .runtime import Runtime
from .views import LineView, SignatureView

SIGNABLE = (MandateStatus.CREATED, MandateStatus.PENDING_SIGNATURE)
# A cart is offered for signature only while at least this much of its validity (its own expiry
# and the merchant's authorization, which agree) remains, so a signed cart can still be paid.
PAY_WINDOW = timedelta(minutes=5)


def _valid_until(cart: CartRecord) -> datetime:
    until = parse_iso(cart.cart.contents.cart_expiry)
    token = cart.cart.merchant_authorization
    if token:
        try:
            exp = unverified_claims(token).get("exp")
            if type(exp) is int:
                until = min(until, epoch_to_datetime(exp))
        except AP2Error:
            pass
    return until


def _payable(rt: Runtime, cart: CartRecord) -> CartRecord:
    """The cart as it can still be paid: itself while enough validity remains; else re-quoted
    and re-signed by the merchant with the same id, when the merchant's offer is unchanged (the
    shopper signs exactly what they saw). A changed offer raises AP2Error(expired): ask again."""
    now = rt.clock.now()
    if _valid_until(cart) - now >= PAY_WINDOW:
        return cart
    expired = AP2Error(EXPIRED, f"{cart.mandate_id} can no longer be paid (its merchant authorization "
                       "ends before a payment could complete) and the merchant's offer changed; ask for a new cart.",
                       {"cart_mandate_id": cart.mandate_id})
    if len(cart.line_items) != 1:
        raise expired
    line = cart.line_items[0]
    product = rt.inventory.get(line.product_id)
    if (product is None or not product.in_stock or product.price_cents != line.unit_price_cents
            or product.delivery_days != line.delivery_days or product.name != line.name):
        raise expired
    return build_signed_cart(rt, product, line.quantity, mode=cart.mode, intent_mandate_id=cart.intent_mandate_id,
                             cart_id=cart.mandate_id)


def _load(rt: Runtime, s, mandate_id: str) -> tuple[MandateRow, CartRecord | IntentRecord]:
    row = mandates.get_row(s, mandate_id)
    if row is None or row.user_id != rt.user_id or row.type not in ("cart", "intent"):
        raise NotFound(f"no cart or intent {shown(mandate_id)} awaits your signature")
    return row, cast(CartRecord | IntentRecord, mandates.parse(row))  # row.type is cart or intent


def request_signature(rt: Runtime, mandate_id: str) -> SignatureView:
    with rt.db.write() as s:
        row, record = _load(rt, s, mandate_id)
        if row.status not in SIGNABLE:
            raise UserError(f"{mandate_id} is already {row.status}; it can't be signed again.")
        if isinstance(record, CartRecord) and record.mode == "hp":
            record = _refresh(rt, s, row, record)
        row.status = MandateStatus.PENDING_SIGNATURE
        s.add(row)
    view = signature_view(rt, record, row.status)
    rt.bus.publish(SignatureRequested(mandate_id=mandate_id, mandate_type=row.type, total_cents=view.total_cents))
    return view


def pending(rt: Runtime) -> list[SignatureView]:
    """Signature requests still waiting for an answer (shown again after a restart)."""
    with rt.db.read() as s:
        rows = mandates.pending_signature_rows(s, rt.user_id)
        return [signature_view(rt, cast(CartRecord | IntentRecord, mandates.parse(r)), r.status) for r in rows]


def status_of(rt: Runtime, mandate_id: str) -> str | None:
    with rt.db.read() as s:
        row = mandates.get_row(s, mandate_id)
        return row.status if row else None


def read_signed(rt: Runtime, mandate_id: str, accepted: tuple[str, ...]) -> str:
    """Read back a mandate the shopper signed, verifying its signatures now (not only when they
    were made). Returns its status; raises AP2Error when unsigned, tampered or expired."""
    from ..ap2 import chain
    from ..ap2.errors import SIGNATURE_INVALID

    with rt.db.read() as s:
        row, record = _load(rt, s, mandate_id)
    if row.status not in accepted or not record.user_authorization:
        raise AP2Error(SIGNATURE_INVALID, f"{mandate_id} is {row.status}, not signed by you")
    now = rt.clock.now()
    report = (chain.verify_intent(record, rt.keys, now) if isinstance(record, IntentRecord)
              else chain.verify_cart(record, rt.keys, now))
    report.raise_if_invalid()
    return row.status


def approve(rt: Runtime, mandate_id: str) -> CartRecord | IntentRecord:
    """The shopper's key press: sign with the user's key, in one transaction."""
    now = rt.clock.now()
    with rt.db.write() as s:
        row, record = _load(rt, s, mandate_id)
        if row.status not in SIGNABLE:
            raise UserError(f"{mandate_id} is {row.status}; nothing to sign.")
        if isinstance(record, CartRecord) and record.mode != "hp":
            raise AP2Error(CHAIN_INVALID, "only human-present carts are signed by the shopper")
        if isinstance(record, CartRecord):
            # The key press signs the payment methods the payment may use (a retry with another
            # of them after a decline needs no second dialog; any other is refused).
            record = builders.with_payment_methods(_refresh(rt, s, row, record), [
                PaymentInstrument(token=m.token, label=m.label)
                for m in rt.credentials.list_methods(rt.user_id) if not m.expired])
        elif parse_iso(_expiry(record)) <= now:
            raise AP2Error(EXPIRED, f"{mandate_id} expired before it was signed; ask again.")
        signed = builders.user_sign(record, rt.keys.user_key(rt.user_id), now, rt.ids.new("jti"))
        mandates.save(s, row, signed, now=now, status=MandateStatus.SIGNED, signer=f"user:{rt.user_id}")
        ap2_v02.on_user_signed(rt, s, signed)  # the same key press signs the AP2 v0.2 mandates
    rt.bus.publish(MandateSigned(mandate_id=mandate_id, mandate_type=row.type, signer="user"))
    return signed


def _refresh(rt: Runtime, s, row: MandateRow, cart: CartRecord) -> CartRecord:
    """_payable(), saved; a cart that cannot be refreshed is marked expired (it is never signed)."""
    try:
        fresh = _payable(rt, cart)
    except AP2Error:
        row.status = "expired"
        s.add(row)
        s.commit()
        raise
    if fresh is not cart:
        mandates.save(s, row, fresh, now=rt.clock.now())
    return fresh


def decline(rt: Runtime, mandate_id: str) -> None:
    with rt.db.write() as s:
        row, _ = _load(rt, s, mandate_id)
        if row.status not in SIGNABLE:
            raise UserError(f"{mandate_id} is {row.status}; nothing to decline.")
        row.status = "declined"
        s.add(row)
    rt.bus.publish(SignatureDeclined(mandate_id=mandate_id))


def _expiry(record: CartRecord | IntentRecord) -> str:
    return record.intent.intent_expiry if isinstance(record, IntentRecord) else record.cart.contents.cart_expiry


def signature_view(rt: Runtime, record: CartRecord | IntentRecord, status: str) -> SignatureView:
    key = rt.keys.user_key(rt.user_id)
    common: dict[str, Any] = dict(mandate_id=record.mandate_id, status=status, key_kid=key.kid,
                                  key_fingerprint=key.fingerprint, expires_at=_expiry(record))
    if isinstance(record, IntentRecord):
        c = record.constraints
        return SignatureView(mandate_type="intent", merchant=", ".join(record.intent.merchants or ["any merchant"]),
                             product_query=record.product_query, max_price_cents=c.max_price_cents,
                             max_total_cents=c.max_total_cents, max_delivery_days=c.max_delivery_days,
                             description=record.intent.natural_language_description,
                             autonomous=not record.intent.user_cart_confirmation_required, **common)
    items = record.cart.contents.payment_request.details.display_items
    by_label = {i.label: from_major(i.amount.value) for i in items}
    subtotal = sum(item.unit_price_cents * item.quantity for item in record.line_items)
    return SignatureView(
        mandate_type="cart",
        merchant=record.cart.contents.merchant_name,
        lines=[LineView(item.product_id, item.name, item.quantity, item.unit_price_cents, item.delivery_days)
               for item in record.line_items],
        subtotal_cents=subtotal,
        tax_cents=by_label.get("Tax"),
        shipping_cents=by_label.get("Shipping"),
        total_cents=cart_total_cents(record),
        **common,
    )
