"""Start-up: the first frame comes before the database layer; the runtime opens in a thread
after it; messages typed meanwhile are queued; a database that cannot be opened ends the app
with one clear line and exit 1 (never a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from typer.testing import CliRunner

from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import orders

from .fake_conversation import FakeConversation

SIZE = (100, 32)
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic_settings", "markdown_it", "ghostcart_tui.services.runtime", "ghostcart_tui.store", "apscheduler",
         "strands", "boto3", "ghostcart_tui.agents")


def _heavy_loaded(code: str) -> list[str]:
    script = code + f"\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_app_loads_no_database_layer():
    assert _heavy_loaded("import ghostcart_tui.tui.app") == []


def test_the_cli_starts_the_app_before_importing_settings_or_the_database_layer(tmp_path):
    code = f"""
import sys
import ghostcart_tui.tui.app as tui_app
seen = {{}}
def fake_run_app(source, *, model=None):
    seen["arg"] = type(source).__name__
    seen["heavy"] = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))
tui_app.run_app = fake_run_app
from ghostcart_tui.cli import app
try:
    app(["--home", {str(tmp_path)!r}], standalone_mode=False)
except SystemExit:
    pass
print(seen, file=sys.stderr)
assert seen["arg"] == "RuntimeOpener", seen
assert seen["heavy"] == [], seen
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _app(source, conv_factory, **kw):
    from ghostcart_tui.tui.app import GhostCartApp

    kw.setdefault("start_monitor", False)
    app = GhostCartApp(source, conversation_factory=conv_factory, mask_volatile=True, arm_delay=0, **kw)
    app.animation_level = "none"
    return app


async def test_the_app_opens_the_runtime_from_settings_after_its_first_frame(tmp_path):
    settings = Settings(data_home=tmp_path, model_provider="offline", processor="approve_all")
    app = _app(settings, FakeConversation)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        assert app.rt is not None and app.rt.settings.data_home == tmp_path
        await app.submit("buy prod_coffee_001")
        for _ in range(100):
            await pilot.pause(0.02)
            if app.screen.__class__.__name__ == "SignatureScreen":
                break
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        txs = orders.list_transactions(app.rt)
        assert [t.status for t in txs] == ["authorized"]


async def test_messages_typed_while_starting_are_sent_once_ready(tmp_path):
    settings = Settings(data_home=tmp_path, model_provider="offline", processor="approve_all")
    release = threading.Event()
    convs = []

    def slow_factory(rt):
        release.wait(30)  # the agents take their time to start
        convs.append(FakeConversation(rt))
        return convs[-1]

    app = _app(settings, slow_factory)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.conversation is None
        assert await app.submit("find coffee")
        assert await app.submit("find headphones")  # queued too, not refused
        release.set()
        await app.wait_ready()
        for _ in range(200):
            await pilot.pause(0.02)
            if not app.turn_running():
                break
        await pilot.pause()
        sent = [e.text for e in convs[0].history() if e.role == "user"]
        assert sent == ["find coffee", "find headphones"]
        assert app.products.query_text == "headphones"


async def test_a_corrupt_database_ends_the_app_with_the_error(tmp_path):
    bad = tmp_path / "broken.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    settings = Settings(data_home=tmp_path, db_file=bad, model_provider="offline")
    app = _app(settings, FakeConversation)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if app.startup_error is not None:
                break
    assert app.startup_error is not None
    assert type(app.startup_error).__name__ == "StoreError"
    assert str(bad) in str(app.startup_error)
    assert app.return_code == 1


def test_cli_reports_a_corrupt_database_by_name_and_exits_1(tmp_path, monkeypatch):
    from ghostcart_tui.cli import app as cli
    from ghostcart_tui.tui.app import GhostCartApp

    bad = tmp_path / "broken.db"
    bad.write_bytes(b"garbage, not SQLite" * 100)
    monkeypatch.setenv("GHOSTCART_DB", str(bad))
    run = GhostCartApp.run
    monkeypatch.setattr(GhostCartApp, "run", lambda self, **kw: run(self, headless=True, **kw))
    r = CliRunner().invoke(cli, [])
    assert r.exit_code == 1, r.output
    text = r.output + (r.stderr if r.stderr_bytes is not None else "")
    assert "error:" in text and str(bad) in text.replace("\n", "") and "not a SQLite database" in text
    assert "Traceback" not in text
    assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit)
