"""Shared fixtures for the AP2 tests: real ES256 keys in a temporary directory, a fixed `now`,
and a factory that builds valid, signed mandate chains (tests then break them on purpose)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from ghostcart_tui.ap2.builders import (
    agent_sign_cart,
    agent_sign_payment,
    build_cart,
    build_intent,
    build_payment,
    merchant_sign_cart,
    user_sign,
    with_payment_methods,
)
from ghostcart_tui.ap2.keys import KeyStore
from ghostcart_tui.ap2.records import (
    CartRecord,
    Constraints,
    IntentRecord,
    LineItem,
    Mode,
    PaymentInstrument,
    PaymentRecord,
)
from ghostcart_tui.core.money import percent_of

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
USER = "user_demo"
OTHER_USER = "user_mallory"
MERCHANT = "GhostCart Demo Store"
AGENT = "ghostcart-shopping-agent"
PAYMENT_AGENT = "ghostcart-payment-agent"

COFFEE = LineItem(
    product_id="prod_coffee_001", name="Philips HD7462 Coffee Maker", quantity=1,
    unit_price_cents=6900, delivery_days=2,
)
AIRPODS = LineItem(
    product_id="prod_airpods_001", name="Apple AirPods Pro", quantity=1,
    unit_price_cents=17900, delivery_days=1,
)

R = TypeVar("R", IntentRecord, CartRecord, PaymentRecord)
TOKEN = "tok_4242"
METHODS = (PaymentInstrument(token=TOKEN, label="Visa ending 4242"),)


def edit(record: R, fn: Callable[[dict[str, Any]], None]) -> R:
    """Change a record through its JSON form (as a tamperer would) and parse it back."""
    doc = record.model_dump(mode="json")
    fn(doc)
    return type(record).model_validate(doc)


def totals(items: Sequence[LineItem]) -> tuple[int, int, int, int]:
    subtotal = sum(li.unit_price_cents * li.quantity for li in items)
    tax = percent_of(subtotal, 800)
    shipping = 1000
    return subtotal, tax, shipping, subtotal + tax + shipping


class Factory:
    """Builds signed records; every `mutate` hook edits the JSON before signing, so the result
    carries valid signatures over whatever semantic fault a test wants."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys
        self._n = 0

    def jti(self) -> str:
        self._n += 1
        return f"jti_{self._n:04d}"

    # -- intent ------------------------------------------------------------------------------
    def intent(
        self,
        *,
        constraints: Constraints | None = None,
        expiry: datetime = NOW + timedelta(days=7),
        merchants: Sequence[str] | None = None,
        skus: Sequence[str] | None = ("prod_airpods_001",),
        payment_methods: Sequence[PaymentInstrument] | None = METHODS,
        user: str = USER,
        mandate_id: str = "intent_001",
        now: datetime = NOW,
        signed: bool = True,
        mutate: Callable[[dict[str, Any]], None] | None = None,
    ) -> IntentRecord:
        record = build_intent(
            mandate_id, user, "Buy Apple AirPods Pro if they drop below $180",
            "airpods pro",
            constraints or Constraints(max_price_cents=18000, max_delivery_days=3),
            expiry, merchants=merchants, skus=skus, payment_methods=payment_methods,
        )
        if mutate:
            record = edit(record, mutate)
        return user_sign(record, self.keys.user_key(user), now, self.jti()) if signed else record

    # -- carts -------------------------------------------------------------------------------
    def cart(
        self,
        items: Sequence[LineItem] = (COFFEE,),
        mode: Mode = "hp",
        *,
        intent_id: str | None = None,
        user: str = USER,
        merchant: str = MERCHANT,
        now: datetime = NOW,
        ttl: timedelta = timedelta(minutes=30),
        cart_id: str = "cart_001",
        mutate: Callable[[dict[str, Any]], None] | None = None,
        merchant_ttl: timedelta = timedelta(minutes=15),
        merchant_signed: bool = True,
    ) -> CartRecord:
        sub, tax, ship, total = totals(items)
        record = build_cart(
            cart_id, user, mode, merchant, list(items), sub, tax, ship, total, now + ttl,
            intent_mandate_id=intent_id,
        )
        if mutate:
            record = edit(record, mutate)
        if merchant_signed:
            record = merchant_sign_cart(
                record, self.keys.merchant_key(), now, self.jti(), ttl=merchant_ttl
            )
        return record

    def hp_cart(self, items: Sequence[LineItem] = (COFFEE,), **kw: Any) -> CartRecord:
        now = kw.get("now", NOW)
        cart = with_payment_methods(self.cart(items, "hp", **kw), METHODS)
        return user_sign(cart, self.keys.user_key(cart.user_id), now, self.jti())

    def hnp_cart(
        self, intent: IntentRecord, items: Sequence[LineItem] = (AIRPODS,), **kw: Any
    ) -> CartRecord:
        now = kw.get("now", NOW)
        kw.setdefault("intent_id", intent.mandate_id)
        kw.setdefault("user", intent.user_id)
        cart = self.cart(items, "hnp", **kw)
        return agent_sign_cart(cart, self.keys.agent_key(), intent, now, self.jti())

    # -- payments ----------------------------------------------------------------------------
    def payment(
        self,
        cart: CartRecord,
        *,
        intent: IntentRecord | None = None,
        now: datetime = NOW,
        payment_id: str = "pay_001",
        mutate: Callable[[dict[str, Any]], None] | None = None,
        ttl: timedelta = timedelta(minutes=15),
    ) -> PaymentRecord:
        user_auth = intent.user_authorization if cart.mode == "hnp" and intent else (
            cart.user_authorization
        )
        assert user_auth is not None
        record = build_payment(
            payment_id, cart, user_auth, TOKEN, "visa", PAYMENT_AGENT, now
        )
        if mutate:
            record = edit(record, mutate)
        return agent_sign_payment(record, self.keys.agent_key(), now, self.jti(), ttl=ttl)

    # -- whole chains --------------------------------------------------------------------------
    def hp_chain(self, now: datetime = NOW) -> tuple[CartRecord, PaymentRecord]:
        cart = self.hp_cart(now=now)
        return cart, self.payment(cart, now=now)

    def hnp_chain(
        self, now: datetime = NOW, items: Sequence[LineItem] = (AIRPODS,), **intent_kw: Any
    ) -> tuple[IntentRecord, CartRecord, PaymentRecord]:
        intent = self.intent(**intent_kw)
        cart = self.hnp_cart(intent, items, now=now)
        return intent, cart, self.payment(cart, intent=intent, now=now)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    store = KeyStore(tmp_path_factory.mktemp("ap2") / "keys")
    for uid in (USER, OTHER_USER):
        store.user_key(uid)
    store.agent_key()
    store.merchant_key()
    return store


@pytest.fixture
def factory(keys: KeyStore) -> Factory:
    return Factory(keys)
