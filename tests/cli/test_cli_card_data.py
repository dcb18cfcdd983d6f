"""The "Also" list end to end: a card number, its CVV and its expiry typed in chat never reach the
database (nor the log) in plain text."""

from __future__ import annotations

import sqlite3

CHAT = """\
name: card data in chat
settings:
  processor: approve_all
steps:
  - say: "Buy a coffee maker under $90. My card is 4111 1111 1111 1111, exp 12/27, cvv 737"
"""


def test_card_data_typed_in_chat_is_not_stored(cli, tmp_path, _home):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(CHAT)
    db = tmp_path / "kept.db"
    r = cli("replay", "--db", db, scenario)
    assert r.exit_code in (0, 1), r.output  # the outcome of the purchase does not matter here
    con = sqlite3.connect(db)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    assert "coffee maker" in dump.lower()  # the message itself was stored
    for secret in ("4111 1111", "4111111111111111", "12/27", "737"):
        assert secret not in dump, secret
    log = _home / "ghostcart.log"
    if log.exists():
        text = log.read_text()
        assert "737" not in text and "12/27" not in text
