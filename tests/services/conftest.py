from __future__ import annotations

import pytest

from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services.runtime import open_runtime


def make_runtime(home, *, processor="approve_all", clock=None, seed=7):
    settings = Settings(data_home=home, model_provider="offline", processor=processor)
    return open_runtime(settings, clock=clock or FakeClock("2026-11-26T10:00:00Z"), seed=seed, log=False)


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.close()


@pytest.fixture
def events(rt):
    seen = []
    rt.bus.subscribe(seen.append)
    return seen
