from __future__ import annotations

import pytest

from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services.runtime import open_runtime

from .fake_conversation import FakeConversation

START = "2026-11-26T10:00:00Z"


def make_runtime(home, *, processor: str = "approve_all"):
    settings = Settings(data_home=home, model_provider="offline", processor=processor)
    return open_runtime(settings, clock=FakeClock(START), seed=7, log=False)


def make_app(rt, *, conversation=None, **kw):
    from ghostcart_tui.tui.app import GhostCartApp

    conv = conversation if conversation is not None else FakeConversation(rt)
    kw.setdefault("start_monitor", False)
    kw.setdefault("mask_volatile", True)
    kw.setdefault("arm_delay", 0)
    app = GhostCartApp(rt, conversation_factory=lambda _rt: conv, **kw)
    app.animation_level = "none"
    return app


@pytest.fixture
def rt(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    runtime.close()
