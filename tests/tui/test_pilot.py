"""Pilot tests: type, sign, decline, cancel, and check the outcome through services."""

from __future__ import annotations

from datetime import timedelta

from ghostcart_tui.commerce.catalog import Product
from ghostcart_tui.services import catalog, monitoring, orders, signatures
from ghostcart_tui.tui.screens.signature import SignatureScreen
from ghostcart_tui.tui.widgets.chat import ChatPane

from .conftest import make_app
from .fake_conversation import FakeConversation

SIZE = (100, 32)


async def _type(pilot, text: str) -> None:
    app = pilot.app
    app.query_one("#chat-input").focus()
    for ch in text:
        await pilot.press(ch if ch != " " else "space")
    await pilot.press("enter")


async def _settle(pilot, app, rounds: int = 40) -> None:
    for _ in range(rounds):
        await pilot.pause(0.02)
        if isinstance(app.screen, SignatureScreen) or not app.turn_running():
            break
    await pilot.pause()


def _chat_text(app) -> str:
    out = []
    for w in app.query_one(ChatPane).log.children:
        if hasattr(w, "source"):
            out.append(w.source)
        else:
            out.append(str(w.render()))
    return "\n".join(out)


async def test_buy_and_sign_with_y(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "buy prod_coffee_001")
        await _settle(pilot, app)
        assert isinstance(app.screen, SignatureScreen)
        assert app.screen.view.mandate_type == "cart"
        await pilot.press("y")
        await _settle(pilot, app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, SignatureScreen)
    txs = orders.list_transactions(rt)
    assert [t.status for t in txs] == ["authorized"]
    assert txs[0].mode == "hp"
    assert signatures.pending(rt) == []


async def test_decline_with_n_and_escape(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        for key in ("n", "escape"):
            await _type(pilot, "buy prod_coffee_001")
            await _settle(pilot, app)
            assert isinstance(app.screen, SignatureScreen)
            mid = app.screen.view.mandate_id
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, SignatureScreen)
            assert signatures.status_of(rt, mid) == "declined"
    assert orders.list_transactions(rt) == []


async def test_the_enter_that_sent_the_message_does_not_sign(rt):
    app = make_app(rt, arm_delay=30)  # pilot key presses are slow; arm by hand below
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "buy prod_coffee_001")
        await _settle(pilot, app)
        assert isinstance(app.screen, SignatureScreen)
        mid = app.screen.view.mandate_id
        await pilot.press("enter", "enter", "y")  # a held-down Enter, then an eager y: all too early
        assert isinstance(app.screen, SignatureScreen)
        assert signatures.status_of(rt, mid) == "pending_signature"
        app.screen.arm()  # what the 0.3 s timer does
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert signatures.status_of(rt, mid) != "pending_signature"
    assert len(orders.list_transactions(rt)) == 1


async def test_escape_cancels_a_running_turn(rt):
    conv = FakeConversation(rt)
    app = make_app(rt, conversation=conv)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "slow")
        await pilot.pause(0.05)
        assert app.turn_running()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert conv.cancelled == 1
        assert not app.turn_running()
        # usable again
        await _type(pilot, "find coffee")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.products.product_ids


async def test_products_enter_asks_to_buy(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "find coffee maker")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "prod_coffee_001" in app.products.product_ids
        await pilot.press("f2")
        await pilot.pause()
        app.products.table.move_cursor(row=app.products.product_ids.index("prod_coffee_001"))
        await pilot.press("enter")
        await _settle(pilot, app)
        assert isinstance(app.screen, SignatureScreen)
        assert app.screen.view.lines[0].product_id == "prod_coffee_001"
        assert "buy the Philips HD7462 Coffee Maker" in _chat_text(app)  # by name, never "buy prod_…"


async def test_autonomous_purchase_notifies_on_another_pane(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await _type(pilot, "watch airpods below 180")
        await _settle(pilot, app)
        assert isinstance(app.screen, SignatureScreen)
        assert app.screen.view.mandate_type == "intent"
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        jobs = monitoring.list_jobs(rt, live_only=True)
        assert len(jobs) == 1
        await pilot.press("f4")  # the shopper is looking at Orders
        catalog.set_price(rt, "prod_airpods_001", 17500)
        rt.clock.advance(timedelta(minutes=6))
        report = app.monitor.sweep_now()
        assert report is not None and report.purchased == 1
        await pilot.pause(0.05)
        await pilot.pause()
        assert any("automatically" in n for n in app.notified), app.notified
        assert app._notifications  # shown as a toast
        assert app.orders.tx_ids  # orders pane refreshed live
    txs = orders.list_transactions(rt)
    assert [t.mode for t in txs] == ["hnp"]


async def test_hostile_product_names_are_shown_literally(rt):
    evil = "[red]X[/] \x1b[31mRED\x1b[0m [link=http://evil]y[/link]"
    rt.inventory.add_product(Product("prod_evil_001", evil, "evil coffee thing", "Kitchen", 1000, True, 1))
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "find evil coffee")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "prod_evil_001" in app.products.product_ids
        row = app.products.table.get_row("prod_evil_001")
        shown = row[0].plain
        assert "[red]X[/]" in shown and "\\x1b[31mRED" in shown and "\x1b" not in shown
        await _type(pilot, "buy prod_evil_001")
        await _settle(pilot, app)
        assert isinstance(app.screen, SignatureScreen)
        await pilot.pause()
        from rich.console import Console

        from ghostcart_tui.tui.screens.signature import render_signature

        console = Console(width=100, record=True, file=open("/dev/null", "w"))
        console.print(render_signature(app.screen.view))
        rendered = console.export_text()
        assert "[red]X[/]" in rendered and "\x1b" not in rendered
        await pilot.press("n")
        await app.workers.wait_for_complete()


async def test_errors_are_readable(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "fail")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = _chat_text(app)
        assert "ap2:mandate:expired" in text and "Traceback" not in text


async def test_pending_signature_and_history_come_back_after_restart(tmp_path):
    from .conftest import make_runtime

    rt = make_runtime(tmp_path)
    conv = FakeConversation(rt)
    app = make_app(rt, conversation=conv)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "find coffee")
        await app.workers.wait_for_complete()
        await _type(pilot, "buy prod_coffee_001")
        await _settle(pilot, app)
        assert isinstance(app.screen, SignatureScreen)
    rt.close()
    # a new process: same data home, the conversation restored from its history
    rt2 = make_runtime(tmp_path)
    conv2 = FakeConversation(rt2, entries=conv.history())
    app2 = make_app(rt2, conversation=conv2)
    async with app2.run_test(size=SIZE) as pilot:
        await app2.wait_ready()
        await _settle(pilot, app2)
        assert isinstance(app2.screen, SignatureScreen)
        assert "buy prod_coffee_001" in _chat_text(app2)
        assert "prod_coffee_001" in app2.products.product_ids  # the products pane too
        await pilot.press("y")
        await app2.workers.wait_for_complete()
    assert len(orders.list_transactions(rt2)) == 1
    rt2.close()


async def test_cancel_a_monitoring_job_with_confirmation(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await _type(pilot, "watch airpods below 180")
        await _settle(pilot, app)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.press("f3")
        await pilot.app.workers.wait_for_complete()  # the pane fills off the UI thread
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert [j.status for j in monitoring.list_jobs(rt)] == ["cancelled"]


async def test_real_offline_conversation_buys_with_y(rt):
    import pytest

    conversation = pytest.importorskip("ghostcart_tui.agents.conversation")
    from ghostcart_tui.tui.app import GhostCartApp

    app = GhostCartApp(rt, start_monitor=False, mask_volatile=True, arm_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready(30)
        assert isinstance(app.conversation, conversation.Conversation)
        await _type(pilot, "Find me a coffee maker under $90")
        await _settle(pilot, app, rounds=300)
        await app.workers.wait_for_complete()
        assert "prod_coffee_001" in app.products.product_ids
        await _type(pilot, "Buy it")
        await _settle(pilot, app, rounds=300)
        assert isinstance(app.screen, SignatureScreen)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    txs = orders.list_transactions(rt)
    assert [(t.status, t.amount_cents) for t in txs] == [("authorized", 8452)]


async def test_palette_simulates_a_price_drop(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "price drop airpods":
            await pilot.press(ch if ch != " " else "space")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
    assert rt.inventory.get("prod_airpods_001").price_cents == 19920
    assert any("Price changed" in n for n in app.notified)
