"""What each signature binds: the hashes and claims that tie one JWT to one exact record.

Signing (builders) and verification (chain) both use these functions, so the signer and the
verifier can never disagree on what a signature covers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .canonical import hash_b64url
from .jws import AUDIENCE
from .records import CartRecord, IntentRecord, PaymentRecord

# One validation hashes each record once: within hash_memo(), a hash is remembered per (kind,
# record object). Records are mutable, so the memo lives for one validation call only (a record
# changed between two validations is hashed afresh) and holds the record itself, so an id() is
# never reused for another object while the memo lives.
_MEMO: ContextVar[dict[tuple[str, int], tuple[Any, str]] | None] = ContextVar("ghostcart_hash_memo",
                                                                                default=None)


@contextmanager
def hash_memo() -> Iterator[None]:
    """Remember the hashes computed inside this block (nested blocks share the outer memo)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memoized(kind: str, record: Any, compute: Callable[[], str]) -> str:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    key = (kind, id(record))
    hit = memo.get(key)
    if hit is not None and hit[0] is record:
        return hit[1]
    value = compute()
    memo[key] = (record, value)
    return value


def mandate_hash(record: IntentRecord | CartRecord | PaymentRecord) -> str:
    return _memoized("mandate", record, lambda: hash_b64url(record.signable()))


def cart_hash(cart: CartRecord) -> str:
    return _memoized("cart", cart, lambda: hash_b64url(cart.cart.contents))


def items_hash(cart: CartRecord) -> str:
    return _memoized("items", cart, lambda: hash_b64url([li.model_dump(mode="json") for li in cart.line_items]))


def payment_hash(payment: PaymentRecord) -> str:
    return _memoized("payment", payment, lambda: hash_b64url(payment.payment.payment_mandate_contents))


def user_issuer(user_id: str) -> str:
    return f"user:{user_id}"


def intent_user_binding(intent: IntentRecord) -> dict[str, Any]:
    mh = mandate_hash(intent)
    return {
        "iss": user_issuer(intent.user_id),
        "sub": intent.mandate_id,
        "aud": AUDIENCE,
        "mandate_hash": mh,
        "transaction_data": [mh],
    }


def cart_merchant_binding(cart: CartRecord) -> dict[str, Any]:
    contents = cart.cart.contents
    return {
        "iss": contents.merchant_name,
        "sub": contents.id,
        "aud": AUDIENCE,
        "cart_hash": cart_hash(cart),
        "items_hash": items_hash(cart),
    }


def cart_user_binding(cart: CartRecord) -> dict[str, Any]:
    mh, ch = mandate_hash(cart), cart_hash(cart)
    return {
        "iss": user_issuer(cart.user_id),
        "sub": cart.mandate_id,
        "aud": AUDIENCE,
        "mandate_hash": mh,
        "cart_hash": ch,
        "transaction_data": [mh, ch],
    }


def cart_agent_binding(cart: CartRecord, intent: IntentRecord | None) -> dict[str, Any]:
    """With intent=None the intent_hash cannot be checked (chain validation reports that)."""
    mh = mandate_hash(cart)
    binding: dict[str, Any] = {"sub": cart.mandate_id, "aud": AUDIENCE, "mandate_hash": mh}
    if intent is not None:
        ih = mandate_hash(intent)
        binding.update(intent_hash=ih, transaction_data=[mh, ih])
    return binding


def payment_agent_binding(payment: PaymentRecord) -> dict[str, Any]:
    mh, ph = mandate_hash(payment), payment_hash(payment)
    return {
        "sub": payment.mandate_id,
        "aud": AUDIENCE,
        "mandate_hash": mh,
        "payment_hash": ph,
        "transaction_data": [mh, ph],
    }
