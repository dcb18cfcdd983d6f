"""mandates, transactions and monitor commands against a database with real purchases."""

from __future__ import annotations

import json
import sqlite3


def _tx(shop):
    return json.loads(shop("transactions", "list", "--json").output)[0]


def test_transactions_list_and_show(shop):
    r = shop("transactions", "list")
    assert r.exit_code == 0 and "authorized" in r.output and "$84.52" in r.output
    tx = _tx(shop)
    assert tx["status"] == "authorized" and tx["amount_cents"] == 8452 and tx["mode"] == "hp"
    r = shop("transactions", "show", tx["transaction_id"])
    assert r.exit_code == 0 and tx["cart_mandate_id"] in r.output
    assert json.loads(shop("transactions", "show", tx["transaction_id"], "--json").output) == tx


def test_transactions_show_bad_id(shop):
    r = shop("transactions", "show", "txn_nope")
    assert r.exit_code == 1 and "no transaction 'txn_nope'" in r.output and "Traceback" not in r.output


def test_mandates_list_and_show(shop):
    rows = json.loads(shop("mandates", "list", "--json").output)
    assert {m["mandate_type"] for m in rows} >= {"intent", "cart", "payment"}
    carts = json.loads(shop("mandates", "list", "--type", "cart", "--json").output)
    assert carts and all(m["mandate_type"] == "cart" for m in carts)
    assert "cart" in shop("mandates", "list").output
    mid = carts[0]["mandate_id"]
    r = shop("mandates", "show", mid)
    assert r.exit_code == 0 and mid in r.output
    assert json.loads(shop("mandates", "show", mid, "--json").output)["mandate_id"] == mid


def test_mandates_show_bad_id(shop):
    r = shop("mandates", "show", "cart_nope")
    assert r.exit_code == 1 and "no mandate 'cart_nope'" in r.output


def test_mandates_verify(shop):
    tx = _tx(shop)
    r = shop("mandates", "verify", tx["transaction_id"])
    assert r.exit_code == 0, r.output
    assert "✓" in r.output and "chain valid" in r.output and "✗" not in r.output
    data = json.loads(shop("mandates", "verify", tx["transaction_id"], "--json").output)
    assert data["ok"] is True and data["verdicts"]


def test_mandates_verify_bad_id(shop):
    r = shop("mandates", "verify", "txn_nope")
    assert r.exit_code == 1 and "no transaction or mandate 'txn_nope'" in r.output


def test_mandates_export(shop, tmp_path):
    tx = _tx(shop)
    out = tmp_path / "chain.json"
    r = shop("mandates", "export", tx["transaction_id"], "-o", out)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["transaction"]["transaction_id"] == tx["transaction_id"] and doc["jwks"]["keys"]
    assert doc["cart_mandate"] is not None and doc["payment_mandate"] is not None
    r = shop("mandates", "export", "txn_nope", "-o", tmp_path / "x.json")
    assert r.exit_code == 1 and "txn_nope" in r.output


def test_monitor_list_and_cancel(shop):
    jobs = json.loads(shop("monitor", "list", "--active", "--json").output)
    assert len(jobs) == 1 and jobs[0]["status"] == "active"
    assert "airpods" in shop("monitor", "list").output.lower()
    r = shop("monitor", "cancel", jobs[0]["job_id"])
    assert r.exit_code == 0 and "cancelled" in r.output
    assert json.loads(shop("monitor", "list", "--active", "--json").output) == []
    r = shop("monitor", "cancel", jobs[0]["job_id"])
    assert r.exit_code == 1 and "nothing to cancel" in r.output


def test_monitor_cancel_bad_id(shop):
    r = shop("monitor", "cancel", "job_nope")
    assert r.exit_code == 1 and "no monitoring job 'job_nope'" in r.output


def test_monitor_run_once(cli):
    r = cli("monitor", "run", "--once")
    assert r.exit_code == 0, r.output
    assert "checked 0" in r.output


def test_verify_reports_a_tampered_chain(shop, shop_home):
    tx = _tx(shop)
    con = sqlite3.connect(shop_home / "ghostcart.db")
    try:
        (data,) = con.execute("SELECT mandate_data FROM mandates WHERE id = ?", (tx["cart_mandate_id"],)).fetchone()
        tampered = data.replace("8452", "1").replace("84.52", "0.01")
        assert tampered != data
        con.execute("UPDATE mandates SET mandate_data = ? WHERE id = ?", (tampered, tx["cart_mandate_id"]))
        con.commit()
    finally:
        con.close()
    r = shop("mandates", "verify", tx["transaction_id"])
    assert r.exit_code == 1
    assert "✗" in r.output and "ap2:" in r.output and "chain INVALID" in r.output
