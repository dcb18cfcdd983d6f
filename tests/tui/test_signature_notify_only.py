"""The intent dialog says what the signature allows: a notify-only watch ("just tell me") must not
read as an auto-buy, and an auto-buy must say it buys without asking again."""

from __future__ import annotations

from rich.console import Console

from ghostcart_tui.services.views import SignatureView
from ghostcart_tui.tui.screens.signature import render_signature


def _text(autonomous: bool) -> str:
    view = SignatureView(mandate_id="intent_1", mandate_type="intent", status="pending_signature",
                         merchant="GhostCart Demo Store", expires_at="2026-12-09T10:00:00Z", key_kid="kid",
                         key_fingerprint="abcd", product_query="Apple AirPods Pro", max_price_cents=20000,
                         description="Buy Apple AirPods Pro when the item price is at most $200.00",
                         autonomous=autonomous)
    console = Console(width=100, record=True)
    console.print(render_signature(view, mask_key=True))
    return " ".join(console.export_text().split())  # wrapped lines read as one text


def test_notify_only_intent_never_reads_as_an_auto_buy():
    text = _text(autonomous=False)
    assert "buys by itself" not in text
    assert "nothing is bought without that second signature" in text


def test_auto_buy_intent_warns_it_buys_without_asking():
    assert "buys by itself when every condition holds" in _text(autonomous=True)
