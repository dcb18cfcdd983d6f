"""A scenario played in the app (`ghostcart replay --tui FILE`): the runner drives the app like a
shopper (AppDriver), its transcript lines appear in the chat, and the verdict is shown at the end."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import Worker

from .errors import describe_error
from .safe import safe_str

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..services.runtime import Runtime
    from .app import GhostCartApp
    from .boot import ConversationFactory
    from .screens.signature import SignatureScreen

log = logging.getLogger(__name__)

STEP_PAUSE = 1.0  # seconds between the steps of a scenario played in the app


def _replay_verdict(result: Any) -> tuple[bool, str]:
    if result is None:
        return False, "the replay was stopped before it finished"
    if getattr(result, "error", None):
        return False, f"the scenario could not run: {result.error}"
    failure = getattr(result, "failure", None)
    if failure is not None:
        return False, f"FAILED: {failure.message}"
    return True, f"PASSED: {getattr(result, 'checks', 0)} checks"


class ReplayMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def _init_replay(self, replay: Callable[[GhostCartApp], Awaitable[Any]] | None) -> None:
        self._replay = replay
        self.replay_result: Any = None  # the ScenarioResult, once a replayed scenario has finished
        self.replay_done = asyncio.Event()
        self._replay_worker: Worker | None = None
        self._release = asyncio.Event()  # the shopper has looked at the result
        self.exit_when_done = False  # leave as soon as the verdict is known
        self.persist_state = replay is None  # a replayed scenario leaves the shopper's pane state alone

    @work(group="replay", exit_on_error=False)
    async def _play_replay(self) -> None:
        self.sub_title = "replaying…"
        try:
            result = await self._replay(self)
            if self.replay_result is None:  # on_finish was not reached (the scenario could not run)
                await self.replay_finished(result, hold=False)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("replay failed")
            await self.chat.add_error(f"The replay stopped: {describe_error(exc)}")
        finally:
            self.replay_done.set()
            self.exit(return_code=0 if _replay_verdict(self.replay_result)[0] else 1)

    async def replay_finished(self, result: Any, hold: bool = True) -> None:
        """The runner's on_finish: show the verdict; then (unless exit_when_done) keep the app
        open, runtime and all, until the shopper quits."""
        passed, text = _replay_verdict(result)
        self.sub_title = "replay passed" if passed else "replay FAILED"
        try:
            await self.chat.end_stream()
            if passed:
                await self.chat.add_note(f"Replay {text}")
            else:
                await self.chat.add_error(f"Replay {text}")
            self.toast(text, title="Replay", severity="information" if passed else "error")
            self._mark_dirty("jobs", "orders")
        finally:
            self.replay_result = result  # set once the verdict is on screen
        if hold and not self.exit_when_done:
            self.chat.set_status("Replay finished · F1–F4 look around · Ctrl+Q quits")
            await self._release.wait()
        self.detach_runtime()  # the runner closes the runtime (and its temp folder) next

    def replay_line(self, line: Any) -> None:
        """A transcript line of the runner, shown in the chat (what the chat shows anyway is skipped)."""
        kind, text = getattr(line, "kind", ""), getattr(line, "text", "")
        chat = self.chat

        async def show(add, message: str) -> None:
            if chat.is_mounted:  # lines may still arrive while the app shuts down
                await add(message)

        if kind in ("world", "clock", "info"):
            self.call_later(show, chat.add_note, f"{'⏩ clock' if kind == 'clock' else '⚙ ' + kind}: {text}")
        elif kind == "pass":
            self.call_later(show, chat.add_activity, f"✓ {text}")
        elif kind == "fail":
            self.call_later(show, chat.add_error, f"✗ {text}")

    async def action_quit(self) -> None:
        if self._replay is not None and self._replay_worker is not None and not self._release.is_set():
            self._release.set()  # a finished replay cleans up, then exits
            if self.replay_result is None:
                self._replay_worker.cancel()  # stopped half-way
            return
        self.exit()


class AppDriver:
    """The replay runner's Driver, routed through the app: a message is typed into the chat and
    sent with submit(); a signature is answered in the dialog with the key a shopper would press.
    A turn that fails in the app raises here too, so the verdict matches a headless replay."""

    POLL = 0.01

    def __init__(self, app: GhostCartApp, *, pause: float = 0.0, timeout: float = 120.0) -> None:
        self.app = app
        self.pause = pause
        self.timeout = timeout

    def pending_signature(self):
        return self.app.conversation.pending_signature() if self.app.conversation is not None else None

    async def _until(self, cond: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not cond():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app did not {what} within {self.timeout:g} s")
            await asyncio.sleep(self.POLL)

    def _dialog(self, exclude: str | None = None) -> SignatureScreen | None:
        from .screens.signature import SignatureScreen

        screen = self.app.screen
        if isinstance(screen, SignatureScreen) and screen.view.mandate_id != exclude:
            return screen
        return None

    async def _settled(self, answered: str | None = None) -> None:
        """The turn has finished, or waits for a signature in a (new) dialog."""
        await self._until(lambda: self._dialog(answered) is not None or not self.app.turn_running(),
                          "finish the turn")
        if self._dialog(answered) is None and self.app.last_turn_error is not None:
            raise self.app.last_turn_error

    async def send(self, text: str) -> None:
        app = self.app
        await self._until(lambda: not app.turn_running() or self._dialog() is not None, "become idle")
        if self._dialog() is not None:
            raise RuntimeError("a signature dialog is open; the scenario must sign before it says more")
        box = app.query_one("#chat-input")
        if self.pause > 0:  # typed, so it can be watched
            box.value = ""
            step = min(0.03, self.pause / max(len(text), 1))
            for ch in text:
                box.value += ch
                await asyncio.sleep(step)
        if not await app.submit(text):
            raise RuntimeError("the app did not accept the message")
        await self._settled()

    async def answer_signature(self, mandate_id: str, approve: bool) -> None:
        app = self.app
        if self._dialog() is None and not app.turn_running():
            app.show_pending_signature()  # what a restart does: show the waiting signature
        await self._until(lambda: self._dialog() is not None or not app.turn_running(), "show the signature dialog")
        dialog = self._dialog()
        if dialog is None or dialog.view.mandate_id != mandate_id:
            shown_id = dialog.view.mandate_id if dialog is not None else "none"
            raise RuntimeError(f"the signature dialog shows {shown_id}, not {mandate_id}")
        await self._until(lambda: dialog.armed, "arm the signature dialog")
        app.simulate_key("y" if approve else "n")
        await self._settled(answered=mandate_id)


def replay_app(scenario: Any, *, runner: Callable[..., Any], base_settings: Settings | None = None,
               db: Any = None, pause: float = STEP_PAUSE, exit_when_done: bool = False,
               conversation_factory: ConversationFactory | None = None, arm_delay: float | None = None,
               **app_kw: Any) -> GhostCartApp:
    """An app that plays `scenario` visibly once it is up. runner: the replay layer's
    ScenarioRunner class (passed in: the TUI sits below the replay layer and cannot import it)."""
    from .app import GhostCartApp
    from .screens.signature import ARM_DELAY

    async def play(app: GhostCartApp) -> Any:
        async def driver_factory(rt: Runtime, _scenario: Any) -> AppDriver:
            app.attach_runtime(rt)
            conv = await asyncio.to_thread(app.build_conversation, rt)
            await app.conversation_ready(conv)
            return AppDriver(app, pause=pause)

        async def before_step(step: Any) -> None:
            if pause > 0:
                await asyncio.sleep(pause if step.is_action else pause / 4)

        await asyncio.to_thread(_preimport_runtime)  # ~0.5 s of imports off the UI thread
        r = runner(scenario, base_settings=base_settings, db=db, driver_factory=driver_factory,
                   on_line=app.replay_line, before_step=before_step, on_finish=app.replay_finished)
        return await r.run()

    if arm_delay is None:
        arm_delay = min(ARM_DELAY, pause)
    app = GhostCartApp(None, conversation_factory, model=getattr(scenario.settings, "model", None),
                       start_monitor=False, arm_delay=arm_delay, replay=play, **app_kw)
    app.exit_when_done = exit_when_done
    app.title = f"GhostCart replay: {safe_str(getattr(scenario, 'name', ''), newlines=False)}"
    return app


def _preimport_runtime() -> None:
    from ..services import runtime  # noqa: F401


def run_replay(scenario: Any, *, base_settings: Settings | None = None, db: Any = None,
               runner: Callable[..., Any] | None = None, pause: float = STEP_PAUSE, hold: bool = True,
               on_result: Callable[[Any], None] | None = None, headless: bool = False) -> int:
    """Play one scenario in the app; the exit code of a headless replay (0 pass, 1 fail).
    hold: keep the app open on the result until the shopper quits (Ctrl+Q)."""
    if runner is None:
        raise TypeError("run_replay needs runner= (ghostcart_tui.replay.runner.ScenarioRunner)")
    app = replay_app(scenario, runner=runner, base_settings=base_settings, db=db, pause=pause,
                     exit_when_done=not hold)
    app.run(headless=headless)
    if on_result is not None:
        on_result(app.replay_result)
    passed, _ = _replay_verdict(app.replay_result)
    return 0 if passed else 1
