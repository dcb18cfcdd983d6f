"""Every shipped scenario passes against the offline model (the real Conversation)."""

from __future__ import annotations

import pytest

from ghostcart_tui.replay.report import render_failure
from ghostcart_tui.replay.runner import run_scenario
from ghostcart_tui.replay.schema import load_scenario

from .conftest import SCENARIOS_DIR

FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))

# Scenarios that need something the agents cannot do yet. strict: the test fails once they pass,
# so the mark is removed as soon as the feature lands.
NOT_YET: dict[str, str] = {}  # scenarios known to fail, with the reason (none today)


def _param(p):
    if p.stem in NOT_YET:
        return pytest.param(p, id=p.stem, marks=pytest.mark.xfail(reason=NOT_YET[p.stem], strict=True))
    return pytest.param(p, id=p.stem)


def test_at_least_twelve_scenarios_ship():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_scenario_passes(path):
    result = run_scenario(load_scenario(path))
    if result.error:
        pytest.fail(result.error)
    if result.failure:
        pytest.fail("\n".join(t.plain for t in render_failure(result.failure)))
    assert result.passed
