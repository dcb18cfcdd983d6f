"""Help, products, merchant, keys, db init, doctor, the TUI entry, and error handling."""

from __future__ import annotations

import json

import ghostcart_tui.cli.tui as tui_entry
from ghostcart_tui.store.migrations import SCHEMA_VERSION


def test_help_lists_the_commands(cli):
    r = cli("--help")
    assert r.exit_code == 0
    for name in ("products", "mandates", "transactions", "monitor", "merchant", "keys", "db", "doctor", "replay"):
        assert name in r.output
    assert cli("mandates", "--help").exit_code == 0


def test_products_search_and_budget(cli):
    r = cli("products", "coffee maker", "--max-price", "90")
    assert r.exit_code == 0, r.output
    assert "prod_coffee_001" in r.output and "$69.00" in r.output
    data = json.loads(cli("products", "--json").output)
    assert len(data) == 15 and {"product_id", "name", "price_cents", "in_stock"} <= set(data[0])
    assert "No products match" in cli("products", "coffee", "--max-price", "10").output


def test_products_bad_amount_exits_2(cli):
    r = cli("products", "--max-price", "ninety")
    assert r.exit_code == 2
    assert "not a valid amount" in r.output and "Traceback" not in r.output


def test_merchant_set_price_and_stock(cli):
    r = cli("merchant", "set-price", "prod_airpods_001", "$175.00")
    assert r.exit_code == 0 and "$175.00" in r.output
    assert cli("merchant", "set-stock", "prod_airfryer_001", "in").exit_code == 0
    data = {p["product_id"]: p for p in json.loads(cli("products", "--json").output)}
    assert data["prod_airpods_001"]["price_cents"] == 17500 and data["prod_airfryer_001"]["in_stock"] is True


def test_merchant_errors(cli):
    r = cli("merchant", "set-price", "prod_airpods_001", "12abc")
    assert r.exit_code == 2 and "not a valid amount" in r.output
    r = cli("merchant", "set-price", "prod_airpods_001", "0")
    assert r.exit_code == 2 and "price must be" in r.output
    r = cli("merchant", "set-price", "prod_nope", "10")
    assert r.exit_code == 1 and "no product with id 'prod_nope'" in r.output
    assert cli("merchant", "set-stock", "prod_airpods_001", "maybe").exit_code == 2


def test_db_init_keys_show_and_export(cli, tmp_path, _home):
    r = cli("db", "init")
    assert r.exit_code == 0 and "schema version" in r.output and (_home / "ghostcart.db").exists()
    r = cli("keys", "show", "--json")
    roles = sorted(k["role"] for k in json.loads(r.output)["keys"])
    assert roles == ["agent", "merchant", "user"]
    jwks = json.loads(cli("keys", "export").output)
    assert len(jwks["keys"]) == 3 and all("d" not in k for k in jwks["keys"])  # public parts only
    out = tmp_path / "jwks.json"
    assert cli("keys", "export", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["keys"] == jwks["keys"]
    assert "user" in cli("keys", "show").output


def test_doctor(cli, _home):
    cli("db", "init")
    r = cli("doctor")
    assert r.exit_code == 0, r.output
    assert "offline" in r.output and str(_home / "ghostcart.db") in r.output
    assert f"schema version {SCHEMA_VERSION}" in r.output
    data = json.loads(cli("doctor", "--json").output)
    assert data["model"]["provider"] == "offline" and data["database"]["schema_version"] == SCHEMA_VERSION
    assert len(data["keys"]["kids"]) == 3 and data["aws_credentials"]["resolved"] is False
    assert data["settings"]["key_passphrase"] in ("set", "not set")


def test_global_options_reach_the_settings(cli, tmp_path):
    db = tmp_path / "other.db"
    r = cli("--db", db, "--home", tmp_path / "h", "--model", "offline", "--user", "alice", "doctor", "--json")
    data = json.loads(r.output)
    assert data["settings"]["db_path"] == str(db) and data["settings"]["user_id"] == "alice"
    assert data["settings"]["data_home"] == str(tmp_path / "h") and data["settings"]["model_provider"] == "offline"


def test_a_corrupt_database_is_named(cli, tmp_path):
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    r = cli("--db", bad, "products")
    assert r.exit_code == 1
    assert str(bad) in " ".join(r.output.split()) and "Traceback" not in r.output
    r = cli("--db", bad, "doctor")
    assert r.exit_code == 1 and "not a SQLite database" in " ".join(r.output.split())
    assert bad.read_bytes().startswith(b"this is not sqlite")  # left untouched


def test_no_command_opens_the_tui(cli, monkeypatch):
    calls = []

    class FakeTui:
        @staticmethod
        def run_app(rt, *, model=None):
            calls.append((rt.settings.user_id, model))

    monkeypatch.setattr(tui_entry, "tui_module", lambda: FakeTui)
    r = cli("--model", "offline", "--user", "bob")
    assert r.exit_code == 0, r.output
    assert calls == [("bob", "offline")]


def test_no_command_without_a_tui_says_so(cli, monkeypatch):
    monkeypatch.setattr(tui_entry, "tui_module", lambda: None)
    r = cli()
    assert r.exit_code == 1 and "TUI is not available" in r.output


def test_untrusted_names_are_not_markup(cli, _home):
    from ghostcart_tui.commerce.catalog import Product
    from ghostcart_tui.core.settings import Settings
    from ghostcart_tui.services.runtime import open_runtime

    rt = open_runtime(Settings(), log=False)
    rt.inventory.add_product(Product("prod_evil_001", "[bold red]Evil[/] \x1b[2J\x07Lamp", "d", "Home", 1000, True, 1))
    rt.close()
    r = cli("products", "evil")
    assert r.exit_code == 0
    assert "[bold red]Evil[/]" in r.output and "\x1b[2J" not in r.output and "\x07" not in r.output
