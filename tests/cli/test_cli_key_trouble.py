"""Defect 5: a key that cannot be opened (wrong passphrase) is reported as such; verification never
persists a verdict it could not compute, and the right passphrase afterwards verifies the chain."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ghostcart_tui.cli import app

BUY = """\
name: one purchase
settings:
  processor: approve_all
steps:
  - say: "Buy a coffee maker under $90"
  - sign: approve
  - expect: {event: transaction, status: authorized}
"""


@pytest.fixture(scope="module")
def locked_home(tmp_path_factory):
    """A purchase made with encrypted keys (passphrase 'right horse')."""
    home = tmp_path_factory.mktemp("locked")
    (home / "buy.yaml").write_text(BUY)
    env = {"GHOSTCART_MODEL": "offline", "GHOSTCART_KEY_PASSPHRASE": "right horse"}
    r = CliRunner(env=env).invoke(app, ["--home", str(home), "replay", "--db", str(home / "ghostcart.db"),
                                        str(home / "buy.yaml")])
    assert r.exit_code == 0, r.output
    return home


def _run(home, passphrase, *args):
    env = {"COLUMNS": "200", "GHOSTCART_KEY_PASSPHRASE": passphrase}
    return CliRunner(env=env).invoke(app, ["--home", str(home), *args])


def _statuses(home, passphrase="right horse"):
    r = _run(home, passphrase, "mandates", "list", "--json")
    assert r.exit_code == 0, r.output
    return {m["mandate_id"]: m["validation_status"] for m in json.loads(r.output)}


def test_wrong_passphrase_is_reported_and_persists_nothing(locked_home):
    tx = json.loads(_run(locked_home, "right horse", "transactions", "list", "--json").output)[0]
    before = _statuses(locked_home)
    r = _run(locked_home, "wrong", "mandates", "verify", tx["transaction_id"])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert "unknown key" not in r.output and "INVALID" not in r.output
    assert "cannot open" in r.output and "passphrase" in r.output
    assert _statuses(locked_home) == before  # nothing written
    assert "invalid" not in before.values()
    r = _run(locked_home, "right horse", "mandates", "verify", tx["transaction_id"])
    assert r.exit_code == 0 and "chain valid" in r.output, r.output
    assert "invalid" not in _statuses(locked_home).values()


def test_wrong_passphrase_json_verify_also_refuses(locked_home):
    tx = json.loads(_run(locked_home, "right horse", "transactions", "list", "--json").output)[0]
    r = _run(locked_home, "wrong", "mandates", "verify", tx["transaction_id"], "--json")
    assert r.exit_code == 1 and "cannot open" in r.output and "Traceback" not in r.output

