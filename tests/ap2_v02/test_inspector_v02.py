"""The mandate inspector's AP2 v0.2 view ('v'): open → closed hops, who signed each, what they
allow, the receipts, and the v0.2 checks re-run now; a tampered v0.2 record shows INVALID."""

from __future__ import annotations

from rich.console import Console
from textual.app import App

from ghostcart_tui.services import inspect as inspect_service
from ghostcart_tui.store import v02 as store
from ghostcart_tui.tui.screens.inspector import InspectorScreen, render_v02

from .helpers import hnp_purchase, hp_purchase, make_runtime


def _text(renderable) -> str:
    console = Console(width=200, record=True)
    console.print(renderable)
    return console.export_text()


def test_render_v02_both_modes(tmp_path):
    rt = make_runtime(tmp_path / "gc")
    try:
        hp = hp_purchase(rt)
        _, hnp = hnp_purchase(rt)
        out = _text(render_v02(rt, inspect_service.chain_view(rt, hnp.transaction_id)))
        assert "every check passes" in out
        for line in (
            "checkout open",
            "checkout closed",
            "payment open",
            "payment closed",
            "checkout receipt",
            "payment receipt",
            "agent (cnf)",
            "at most $204.40",
            "checkout_mandate.nonce",
        ):
            assert line in out, line
        out = _text(render_v02(rt, inspect_service.chain_view(rt, hp.transaction_id)))
        assert "every check passes" in out and "checkout open" not in out and "pays $84.52" in out
        with rt.db.write() as s:  # tamper with the stored v0.2 payment mandate
            row = store.get(s, hnp.payment_mandate_id)
            row.data = {**row.data, "payment_mandate": row.data["payment_mandate"].replace("~~", "~~x", 1)}
            s.add(row)
        out = _text(render_v02(rt, inspect_service.chain_view(rt, hnp.transaction_id)))
        assert "INVALID" in out and "does not verify" in out
    finally:
        rt.close()


async def test_inspector_key_v_shows_the_v02_chain(tmp_path):
    rt = make_runtime(tmp_path / "gc")
    try:
        _, tx = hnp_purchase(rt)

        class Host(App):
            def on_mount(self) -> None:
                self.push_screen(InspectorScreen(rt, tx.transaction_id))

        app = Host()
        async with app.run_test() as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, InspectorScreen) and not screen.show_v02
            await pilot.press("v")
            await pilot.pause()
            assert screen.show_v02
            static = screen.query_one("#verdicts")
            text = _text(static.content)
            assert "AP2 v0.2 chain" in text and "payment closed" in text
    finally:
        rt.close()
