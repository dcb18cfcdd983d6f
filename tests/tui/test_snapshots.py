"""Snapshot tests: plain `def` tests (snap_compare runs its own loop), fixed size, no animations,
a FakeClock, seeded ids, and volatile values (key fingerprints, signatures) masked by the app."""

from __future__ import annotations

import json

import pytest

from ghostcart_tui.ap2.records import Constraints
from ghostcart_tui.commerce.search import search
from ghostcart_tui.services import carts, intents, monitoring, payments, signatures
from ghostcart_tui.tui.screens.signature import SignatureScreen

from .conftest import make_app

SIZE = (100, 32)


async def _ready(pilot) -> None:
    app = pilot.app
    await app.wait_ready()
    for inp in app.query("Input"):
        inp.cursor_blink = False
    await pilot.pause()


async def _filled(pilot) -> None:
    """The Monitoring pane queries in a thread and fills the table after: wait for both, and for
    the table's own layout pass (column widths) that follows the fill."""
    from textual.widgets import DataTable

    app = pilot.app
    await app.workers.wait_for_complete()
    table = app.query_one("#jobs-table", DataTable)
    for _ in range(100):  # the widths are measured when the table next goes idle
        await pilot.pause()
        limits = next(c for c in table.ordered_columns if c.key.value == "limits")
        if not table.row_count or limits.content_width > len("Limits"):
            break
    await pilot.pause()


async def _say(pilot, text: str) -> None:
    app = pilot.app
    await _ready(pilot)
    await app.submit(text)
    for _ in range(100):
        await pilot.pause(0.01)
        if isinstance(app.screen, SignatureScreen) or not app.turn_running():
            break
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def hp_purchase(rt, product_id: str = "prod_coffee_001") -> str:
    cart = carts.create_hp_cart(rt, product_id)
    signatures.request_signature(rt, cart.mandate_id)
    signatures.approve(rt, cart.mandate_id)
    return payments.pay_hp(rt, cart.mandate_id).transaction_id


def hnp_job(rt, query: str = "airpods", max_price: int = 18000):
    intent = intents.create_intent(rt, query, Constraints(max_price_cents=max_price, max_delivery_days=3),
                                   skus=[p.product_id for p in search(rt.inventory.products(), query, match_all=True)])
    signatures.request_signature(rt, intent.mandate_id)
    signatures.approve(rt, intent.mandate_id)
    return monitoring.activate(rt, intent.mandate_id)


def test_welcome(snap_compare, rt):
    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=_ready)


def test_welcome_80x24(snap_compare, rt):
    assert snap_compare(make_app(rt), terminal_size=(80, 24), run_before=_ready)


def test_product_results(snap_compare, rt):
    async def run_before(pilot):
        await _say(pilot, "find coffee maker")
        await pilot.press("f2")
        await pilot.pause()

    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=run_before)


def test_chat_after_search(snap_compare, rt):
    async def run_before(pilot):
        await _say(pilot, "find headphones")

    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=run_before)


def test_cart_signature_dialog(snap_compare, rt):
    async def run_before(pilot):
        await _say(pilot, "buy prod_coffee_001")

    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=run_before)


def test_intent_signature_dialog(snap_compare, rt):
    async def run_before(pilot):
        await _say(pilot, "watch airpods below 180")

    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=run_before)


def test_monitoring_pane_with_active_job(snap_compare, rt):
    hnp_job(rt)

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f3")
        await _filled(pilot)

    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=run_before)


def test_orders_pane(snap_compare, rt):
    from datetime import timedelta

    from ghostcart_tui.services import catalog
    from ghostcart_tui.services.scheduler import Monitor

    hp_purchase(rt)
    hnp_job(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(timedelta(minutes=6))
    monitoring.run_due_checks(rt)

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f4")
        await pilot.pause()

    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=run_before)


def _open_inspector(row: int = 0):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f4")
        await pilot.pause()
        pilot.app.orders.table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()

    return run_before


def test_inspector_valid_chain(snap_compare, rt):
    hp_purchase(rt)
    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=_open_inspector())


def test_inspector_tampered_mandate_invalid(snap_compare, rt):
    from ghostcart_tui.store.tables import MandateRow  # tests may touch the store

    tx_id = hp_purchase(rt)
    from ghostcart_tui.services.orders import get_transaction

    cart_id = get_transaction(rt, tx_id).cart_mandate_id
    with rt.db.write() as s:
        row = s.get(MandateRow, cart_id)
        data = json.loads(json.dumps(row.mandate_data))
        _tamper_price(data)
        row.mandate_data = data
        s.add(row)
    assert snap_compare(make_app(rt), terminal_size=SIZE, run_before=_open_inspector())


def _tamper_price(data: dict) -> None:
    """Lower the first line item's price: the merchant's and the shopper's signatures no longer match."""
    for item in data.get("line_items", []):
        item["unit_price_cents"] = 100
        return
    raise AssertionError(f"no line items to tamper with in {sorted(data)}")


# ---- 80x24 and 120x40 for the screens issue 12 changed --------------------------------------


def test_cart_signature_dialog_80x24(snap_compare, rt):
    async def run_before(pilot):
        await _say(pilot, "buy prod_coffee_001")

    assert snap_compare(make_app(rt), terminal_size=(80, 24), run_before=run_before)


def test_cart_signature_dialog_120x40(snap_compare, rt):
    async def run_before(pilot):
        await _say(pilot, "buy prod_coffee_001")

    assert snap_compare(make_app(rt), terminal_size=(120, 40), run_before=run_before)


def test_monitoring_pane_80x24(snap_compare, rt):
    hnp_job(rt)

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f3")
        await _filled(pilot)

    assert snap_compare(make_app(rt), terminal_size=(80, 24), run_before=run_before)


def _orders_with_autonomous(rt):
    from datetime import timedelta

    from ghostcart_tui.services import catalog

    hp_purchase(rt)
    hnp_job(rt)
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(timedelta(minutes=6))
    monitoring.run_due_checks(rt)


def test_orders_pane_80x24(snap_compare, rt):
    _orders_with_autonomous(rt)

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f4")
        await pilot.pause()

    assert snap_compare(make_app(rt), terminal_size=(80, 24), run_before=run_before)


def test_orders_pane_120x40(snap_compare, rt):
    _orders_with_autonomous(rt)

    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f4")
        await pilot.pause()

    assert snap_compare(make_app(rt), terminal_size=(120, 40), run_before=run_before)
