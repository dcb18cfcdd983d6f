"""`mandates export --ap2-version 0.2`, `ghostcart verify` (v0.2 and v0.1, SDK-built reference
exports, the forged one refused) and `ghostcart budget`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ghostcart_tui.cli import app

from .conftest import CHECK_SH, FIXTURES, needs_check_sh, run_check_sh
from .helpers import hnp_purchase, hp_purchase, make_runtime


@pytest.fixture
def home(tmp_path):
    return tmp_path / "gc"


@pytest.fixture
def cli(home):
    runner = CliRunner(env={"COLUMNS": "200"})
    return lambda *a: runner.invoke(app, ["--home", str(home), *[str(x) for x in a]])


@pytest.fixture
def purchases(home):
    rt = make_runtime(home)
    try:
        hp = hp_purchase(rt)
        _, hnp = hnp_purchase(rt)
    finally:
        rt.close()
    return hp, hnp


def test_export_v02_and_verify_both_modes(cli, purchases, tmp_path):
    for tx, mode in zip(purchases, ("human_present", "human_not_present"), strict=True):
        out = tmp_path / f"{mode}.json"
        r = cli("mandates", "export", tx.transaction_id, "--ap2-version", "0.2", "-o", out)
        assert r.exit_code == 0, r.output
        doc = json.loads(out.read_text())
        assert doc["ap2_version"] == "0.2" and doc["mode"] == mode
        assert set(doc) == {
            "ap2_version",
            "mode",
            "keys",
            "checkout_jwt",
            "checkout_mandate",
            "checkout_presentation",
            "payment_mandate",
            "payment_presentation",
            "checkout_receipt",
            "payment_receipt",
        }
        assert set(doc["keys"]) == {"user", "agent", "merchant", "payment_processor"}
        assert ("~~" in doc["payment_mandate"]) == (mode == "human_not_present")
        r = cli("verify", out)
        assert r.exit_code == 0, r.output
        assert "all" in r.output and "checks hold" in r.output and "✗" not in r.output
        for check in ("checkout_jwt.merchant_signature", "payment_mandate.amount", "payment_receipt.reference"):
            assert check in r.output
        if mode == "human_not_present":
            assert "checkout_mandate.aud" in r.output and "payment_mandate.nonce" in r.output
        if CHECK_SH.exists():
            c = run_check_sh(out)
            assert c.returncode == 0, c.stdout + c.stderr[-1500:]


def test_export_v01_stays_the_default(cli, purchases, tmp_path):
    out = tmp_path / "v01.json"
    r = cli("mandates", "export", purchases[0].transaction_id, "-o", out)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "ghostcart-ap2-chain/1" and doc["cart_mandate"] and "ap2_version" not in doc
    r = cli("verify", out)
    assert r.exit_code == 0, r.output
    assert "AP2 v0.1 chain" in r.output and "cart.merchant_authorization" in r.output
    # tampered v0.1 export: refused with the reason
    doc["ghostcart_records"]["cart"]["line_items"][0]["unit_price_cents"] -= 1
    out.write_text(json.dumps(doc))
    r = cli("verify", out)
    assert r.exit_code == 1 and "REFUSED" in r.output and "changed after it was signed" in r.output


def test_export_v02_unknown_reference(cli, purchases, tmp_path):
    r = cli("mandates", "export", "txn_nope", "--ap2-version", "0.2", "-o", tmp_path / "x.json")
    assert r.exit_code == 1 and "txn_nope" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("name", ["sdk_hp.json", "sdk_hnp.json"])
def test_verify_accepts_sdk_reference_exports(cli, name):
    r = cli("verify", FIXTURES / name)
    assert r.exit_code == 0, r.output


def test_verify_refuses_the_sdk_forged_export(cli):
    r = cli("verify", FIXTURES / "sdk_forged.json", "--json")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert out["first_failure"]["check"] == "checkout_jwt.merchant_signature"
    assert "merchant key" in out["first_failure"]["reason"]


def test_verify_bad_files(cli, tmp_path):
    (tmp_path / "junk.json").write_text("{not json")
    assert cli("verify", tmp_path / "junk.json").exit_code == 1
    assert cli("verify", tmp_path / "missing.json").exit_code == 1
    (tmp_path / "other.json").write_text("[1, 2]")
    r = cli("verify", tmp_path / "other.json")
    assert r.exit_code == 1 and "Traceback" not in r.output


@needs_check_sh
def test_check_sh_selftest_kind_fixtures_still_pass_the_sdk():
    for name, want in (("sdk_hp.json", 0), ("sdk_hnp.json", 0), ("sdk_forged.json", 1)):
        assert run_check_sh(FIXTURES / name).returncode == want, name


def test_budget_cli(cli):
    r = cli("budget", "show", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["limit_cents"] is None
    r = cli("budget", "set", "300", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["limit_cents"] == 30000
    assert "$300.00" in cli("budget", "show").output
    assert cli("budget", "set", "-5").exit_code == 2
    assert cli("budget", "set", "abc").exit_code == 2
    r = cli("budget", "clear", "--json")
    assert json.loads(r.output)["limit_cents"] is None
