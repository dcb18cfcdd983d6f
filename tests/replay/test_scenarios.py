"""Every shipped scenario passes against the offline model (the real Conversation)."""

from __future__ import annotations

import pytest

from ghostcart_tui.replay.report import render_failure
from ghostcart_tui.replay.runner import run_scenario
from ghostcart_tui.replay.schema import load_scenario

from .conftest import SCENARIOS_DIR

FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))


def test_at_least_twelve_scenarios_ship():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_passes(path):
    result = run_scenario(load_scenario(path))
    if result.error:
        pytest.fail(result.error)
    if result.failure:
        pytest.fail("\n".join(t.plain for t in render_failure(result.failure)))
    assert result.passed
