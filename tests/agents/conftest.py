"""Shared fixtures: a real runtime on a temp SQLite file, a fake clock, an event recorder, and a
Conversation driven by the offline model through the real Strands event loop."""

from __future__ import annotations

import pytest

from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services.runtime import open_runtime

START = "2026-11-26T10:00:00Z"


class Recorder:
    def __init__(self, bus) -> None:
        self.events = []
        bus.subscribe(self.events.append)

    def named(self, name: str) -> list:
        return [e for e in self.events if e.name == name]

    def one(self, name: str):
        found = self.named(name)
        assert len(found) == 1, f"expected one {name}, got {found} in {[e.name for e in self.events]}"
        return found[0]

    def clear(self) -> None:
        self.events.clear()


def make_runtime(home, processor: str = "approve_all"):
    settings = Settings(data_home=home, model_provider="offline", processor=processor)
    return open_runtime(settings, clock=FakeClock(START), seed=7, log=False)


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.close()


@pytest.fixture
def events(rt):
    return Recorder(rt.bus)


@pytest.fixture
def convo(rt):
    from ghostcart_tui.agents.conversation import Conversation

    return Conversation(rt, model="offline")
