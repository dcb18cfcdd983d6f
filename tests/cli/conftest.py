"""CLI tests: every database under tmp_path, GHOSTCART_HOME pointed at a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghostcart_tui.cli import app

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"

# One purchase (HP) and one watch still active (HNP), written into a kept database.
SHOP = """\
name: CLI fixture
settings:
  processor: approve_all
steps:
  - say: "Buy a coffee maker under $90"
  - sign: approve
  - expect: {event: transaction, status: authorized}
  - say: "Buy AirPods if they drop below $100"
  - sign: approve
  - expect: {event: monitoring_activated}
"""


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("GHOSTCART_HOME", str(home))
    monkeypatch.setenv("GHOSTCART_MODEL", "offline")
    monkeypatch.delenv("GHOSTCART_DB", raising=False)
    monkeypatch.delenv("GHOSTCART_DEBUG", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return home


@pytest.fixture
def cli():
    runner = CliRunner(env={"COLUMNS": "200"})  # long tmp paths stay on one line

    def invoke(*args: str, **kw):
        return runner.invoke(app, [str(a) for a in args], **kw)

    return invoke


@pytest.fixture(scope="module")
def shop_home(tmp_path_factory):
    """A data folder with a purchase and an active monitoring job (made once per module)."""
    home = tmp_path_factory.mktemp("shop")
    scenario = home / "shop.yaml"
    scenario.write_text(SHOP)
    mp = pytest.MonkeyPatch()
    mp.setenv("GHOSTCART_MODEL", "offline")
    try:
        r = CliRunner().invoke(app, ["--home", str(home), "replay", "--db", str(home / "ghostcart.db"), str(scenario)])
    finally:
        mp.undo()
    assert r.exit_code == 0, r.output
    return home


@pytest.fixture
def shop(shop_home, cli):
    """invoke() against the shop database."""
    def invoke(*args: str, **kw):
        return cli("--home", shop_home, *args, **kw)

    return invoke
