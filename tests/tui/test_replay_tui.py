"""`ghostcart replay --tui`: a scenario played visibly in the app (messages typed into the chat,
signatures answered in the dialog), with the same verdict and exit code as a headless replay."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghostcart_tui.core.settings import Settings
from ghostcart_tui.replay.runner import ScenarioRunner
from ghostcart_tui.replay.schema import load_scenario
from ghostcart_tui.services import orders

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SIZE = (100, 32)

pytest.importorskip("ghostcart_tui.agents.conversation")  # the real offline agents play the scenario


def _chat_text(app) -> str:
    out = []
    for w in app.chat.log.children:
        out.append(w.source if hasattr(w, "source") else str(w.render()))
    return "\n".join(out)


async def test_coffee_maker_scenario_plays_in_the_app_and_passes(tmp_path):
    from ghostcart_tui.tui.app import replay_app
    from ghostcart_tui.tui.screens.signature import SignatureScreen

    scenario = load_scenario(SCENARIOS / "hp_single_match.yaml")
    base = Settings(data_home=tmp_path / "unused", model_provider="offline")
    app = replay_app(scenario, runner=ScenarioRunner, base_settings=base, pause=0)
    dialogs = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3000):  # the result is held on screen until the shopper quits
            await pilot.pause(0.02)
            if isinstance(app.screen, SignatureScreen) and app.screen.view.mandate_id not in dialogs:
                dialogs.append(app.screen.view.mandate_id)
            if app.replay_result is not None:
                break
        result = app.replay_result
        assert result is not None and result.passed, result and (result.error or result.failure)
        # the runtime is still open while the result is shown: the purchase is in the database
        txs = orders.list_transactions(app.rt)
        assert [(t.status, t.mode) for t in txs] == [("authorized", "hp")]
        text = _chat_text(app)
        assert "Buy a coffee maker under $90" in text  # typed into the chat
        assert "you signed" in text  # answered through the dialog
        assert "Replay PASSED" in text
        assert dialogs  # the signature dialog was shown
        await pilot.press("ctrl+q")
        await asyncio.wait_for(app.replay_done.wait(), 30)
    assert app.return_code == 0


FAILING = """\
name: expects the wrong outcome
settings:
  processor: approve_all
steps:
  - say: "Buy a coffee maker under $90"
  - sign: approve
  - expect: {event: transaction, status: declined}
"""


def test_run_replay_exit_codes_match_headless(tmp_path):
    from ghostcart_tui.tui.app import run_replay

    base = Settings(data_home=tmp_path / "unused", model_provider="offline")
    results = []
    good = load_scenario(SCENARIOS / "hp_single_match.yaml")
    assert run_replay(good, base_settings=base, runner=ScenarioRunner, pause=0, hold=False, headless=True,
                      on_result=results.append) == 0
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING)
    bad = load_scenario(path)
    assert run_replay(bad, base_settings=base, runner=ScenarioRunner, pause=0, hold=False, headless=True,
                      on_result=results.append) == 1
    assert results[0].passed and not results[1].passed
    assert results[1].failure.step.index == 3


def test_cli_replay_tui(tmp_path, monkeypatch):
    from ghostcart_tui.cli import app as cli
    from ghostcart_tui.tui.app import GhostCartApp

    run = GhostCartApp.run
    monkeypatch.setattr(GhostCartApp, "run", lambda self, **kw: run(self, **{**kw, "headless": True}))
    r = CliRunner().invoke(cli, ["replay", "--tui", "--pause", "0", "--no-hold",
                                 str(SCENARIOS / "hp_single_match.yaml")])
    assert r.exit_code == 0, r.output
    assert "passed" in r.output
