"""Replay tests: every database lives under tmp_path; a scripted fake driver lets the runner's
matching be tested without the agents."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from ghostcart_tui.core.events import Event

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("GHOSTCART_HOME", str(home))
    monkeypatch.setenv("GHOSTCART_MODEL", "offline")
    monkeypatch.delenv("GHOSTCART_DB", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return home


@dataclass
class Pending:
    mandate_id: str
    mandate_type: str
    total_cents: int | None = None


class FakeDriver:
    """Publishes scripted events (from a worker thread, like the agents' tools) for each text."""

    def __init__(self, rt, script: dict[str, list[Event]], on_sign: list[Event] | None = None,
                 pending: Pending | None = None) -> None:
        self.rt, self.script, self.on_sign, self.pending = rt, script, on_sign or [], pending
        self.sent: list[str] = []
        self.answers: list[tuple[str, bool]] = []

    def _publish(self, events: list[Event]) -> None:
        t = threading.Thread(target=lambda: [self.rt.bus.publish(e) for e in events])
        t.start()
        t.join()

    async def send(self, text: str):
        self.sent.append(text)
        self._publish(self.script.get(text, []))

    async def answer_signature(self, mandate_id: str, approve: bool):
        self.answers.append((mandate_id, approve))
        self.pending = None
        self._publish(self.on_sign)

    def pending_signature(self):
        return self.pending


@pytest.fixture
def write_scenario(tmp_path):
    def write(text: str, name: str = "s.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write
