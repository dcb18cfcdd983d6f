"""Purchases made through the real services, on a fake clock that starts just before real time
(the official SDK checks expiry against the real clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import carts, catalog, intents, monitoring, orders, payments, signatures
from ghostcart_tui.services.runtime import open_runtime


def recent_start() -> str:
    return (datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_runtime(home, *, processor="approve_all", seed=7):
    settings = Settings(data_home=home, model_provider="offline", processor=processor)
    return open_runtime(settings, clock=FakeClock(recent_start()), seed=seed, log=False)


def hp_purchase(rt, product_id="prod_coffee_001"):
    cart = carts.create_hp_cart(rt, product_id)
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    return payments.pay_hp(rt, cart.mandate_id)


def watch(rt, skus=("prod_airpods_001",), max_price=18000, query="AirPods"):
    intent = intents.create_intent(
        rt, query, Constraints(max_price_cents=max_price, max_delivery_days=2), skus=list(skus)
    )
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    return monitoring.activate(rt, intent.mandate_id)


def price_drop_and_sweep(rt, product_id="prod_airpods_001", cents=17500):
    catalog.set_price(rt, product_id, cents)
    rt.clock.advance(timedelta(minutes=rt.settings.monitor_interval_minutes))
    return monitoring.run_due_checks(rt)


def hnp_purchase(rt, **kw):
    job = watch(rt, **kw)
    report = price_drop_and_sweep(rt)
    assert report.purchased == 1, report
    return job, next(t for t in orders.list_transactions(rt) if t.mode == "hnp")
