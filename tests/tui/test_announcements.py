"""Autonomous purchases are announced where the shopper looks: a toast with the product and the
amount on any tab (held while a dialog is open), a chat line, "while you were away" on the next
start, and the same in a second window that does not hold the monitoring lease."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ghostcart_tui.services import announcements, catalog, monitoring
from ghostcart_tui.tui.screens.signature import SignatureScreen

from .conftest import make_app, make_runtime
from .test_snapshots import hnp_job

SIZE = (100, 32)


def _buy_meanwhile(rt) -> None:
    """Another process's sweep buys the watched AirPods (no app involved)."""
    catalog.set_price(rt, "prod_airpods_001", 17500)
    rt.clock.advance(timedelta(minutes=6))
    report = monitoring.run_due_checks(rt)
    assert report.purchased == 1


def _notes(app) -> str:
    return "\n".join(str(w.render()) for w in app.chat.log.children if "note" in w.classes)


async def test_a_purchase_is_toasted_with_name_and_amount_and_held_while_a_dialog_is_open(rt):
    hnp_job(rt)
    app = make_app(rt)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await app.submit("buy prod_coffee_001")  # a signature dialog is open when the purchase lands
        for _ in range(200):
            await pilot.pause(0.01)
            if isinstance(app.screen, SignatureScreen):
                break
        assert isinstance(app.screen, SignatureScreen)
        catalog.set_price(rt, "prod_airpods_001", 17500)
        rt.clock.advance(timedelta(minutes=6))
        app.monitor.sweep_now()
        await pilot.pause(0.05)
        await pilot.pause()
        text = "Bought Apple AirPods Pro automatically for $"
        assert any(text in t for t in app.announcer.announced), app.announcer.announced
        assert not any(text in n for n in app.notified)  # held: the shopper is reading the dialog
        assert app.announcer.held
        await pilot.press("n")
        await asyncio.wait_for(app.workers.wait_for_complete(), 20)
        app.announcer.release_held()  # (what the 0.5 s timer does)
        await pilot.pause()
        assert any(text in n for n in app.notified), app.notified
        assert text in _notes(app)  # and a chat line
    assert announcements.unannounced(rt) == []  # remembered as announced


async def test_purchases_made_while_the_app_was_closed_are_announced_once_on_the_next_start(tmp_path):
    rt = make_runtime(tmp_path)
    hnp_job(rt)
    _buy_meanwhile(rt)
    for start in range(2):
        app = make_app(rt)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await app.wait_ready()
            await asyncio.wait_for(app.workers.wait_for_complete(), 20)
            await pilot.pause()
            notes = _notes(app)
            if start == 0:
                assert "While you were away: Bought Apple AirPods Pro automatically for $" in notes
                assert any("While you were away" in n for n in app.notified)
            else:
                assert "While you were away" not in notes  # announced once
    rt.close()


async def test_a_second_window_without_the_lease_announces_a_purchase_made_elsewhere(rt):
    hnp_job(rt)
    app = make_app(rt)  # start_monitor=False: this window holds no lease, runs no sweep
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await asyncio.wait_for(app.workers.wait_for_complete(), 20)
        await pilot.press("f4")
        _buy_meanwhile(rt)  # the other window's (process's) sweep
        app._poll_purchases()  # what the POLL_EVERY timer does
        await asyncio.wait_for(app.workers.wait_for_complete(), 20)
        await pilot.pause(0.6)  # the Orders pane's coalesced refresh
        assert any("Bought Apple AirPods Pro automatically" in n for n in app.notified), app.notified
        assert "Bought Apple AirPods Pro" in _notes(app)
        assert app.orders.tx_ids  # refreshed
