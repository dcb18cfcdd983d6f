"""Start-up and shutdown: open the Runtime (when the app owns it) and build the Conversation in a
thread after the first frame, start the Monitor, restore the chat; close it all on exit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work

from .announcer import POLL_EVERY
from .errors import describe_error
from .safe import safe_str
from .welcome import welcome_markdown

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..services.runtime import Runtime

log = logging.getLogger(__name__)

ConversationFactory = Callable[["Runtime"], Any]


def _is_runtime(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("bus", "db", "settings", "clock"))


def _is_settings(obj: Any) -> bool:
    return not callable(obj) and hasattr(obj, "db_path") and hasattr(obj, "data_home")


def _open_runtime(settings: Settings) -> Runtime:
    from ..services.runtime import open_runtime  # heavy: sqlalchemy, sqlmodel (~0.5 s)

    return open_runtime(settings)


def runtime_source(rt: Any) -> tuple[Runtime | None, Callable[[], Runtime] | None]:
    """(an open Runtime the caller owns, None) or (None, a factory the app opens it with)."""
    if rt is None:
        return None, None
    if _is_runtime(rt):
        return rt, None
    if _is_settings(rt):
        return None, lambda: _open_runtime(rt)
    if callable(rt):
        return None, rt
    raise TypeError(f"GhostCartApp needs a Runtime, Settings or a runtime factory, not {type(rt).__name__}")


class BootMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def _start(self) -> None:
        if self._replay is not None:
            self._replay_worker = self._play_replay()
            return
        if self.rt is not None:
            self.attach_runtime(self.rt)
        self._boot()

    @work(thread=True, group="init", exit_on_error=False)
    def _boot(self) -> None:
        """Off the UI thread: open the runtime (if the app owns it), import the scheduler, build
        the Conversation; each result is handed to the UI thread as soon as it exists."""
        rt = self.rt
        if rt is None:
            try:
                rt = self._runtime_factory()
            except Exception as exc:
                self.call_from_thread(self._runtime_failed, exc)
                return
            self.call_from_thread(self.attach_runtime, rt)
        try:  # Markdown (markdown_it) here, not on the UI thread when the welcome turns into Markdown
            import textual.widgets.markdown  # noqa: F401  (public module; loads markdown_it)
        except Exception:
            pass
        if self.start_monitor:
            try:  # APScheduler's import (~0.25 s) here, not on the UI thread
                import apscheduler.executors.pool  # noqa: F401
                import apscheduler.jobstores.sqlalchemy  # noqa: F401
                import apscheduler.schedulers.asyncio  # noqa: F401

                from ..services import scheduler  # noqa: F401
            except Exception:
                log.warning("could not import the scheduler", exc_info=True)
        self.call_from_thread(self._start_monitor)
        try:  # the Conversation (its import of strands/boto3 happens here)
            conv = self._factory(rt)
        except Exception as exc:
            self.call_from_thread(self._conversation_failed, exc)
            return
        self.call_from_thread(self._conversation_ready, conv)

    def _runtime_failed(self, exc: BaseException) -> None:
        """The database or the keys cannot be used: leave, and let run_app report it (one clear
        line naming the file, non-zero exit) once the terminal is back to normal."""
        log.error("could not open the runtime: %s", exc)
        self.startup_error = exc
        self.sub_title = "cannot start"
        self.exit(return_code=1)

    def attach_runtime(self, rt: Runtime) -> None:
        """The runtime is open: listen to its events and fill the panes (on the UI thread)."""
        self.rt = rt
        if self.clock is None:
            self.clock = rt.clock
        if self._unsubscribe is None:
            self._unsubscribe = rt.bus.subscribe(self._on_bus)
        self.announcer.attach(rt)
        self._runtime_attached()
        self.runtime_ready.set()
        if self._replay is None:
            self._purchases_since_last_time()
            self.set_interval(POLL_EVERY, self._poll_purchases, name="poll-purchases")
            self.set_interval(0.5, self.announcer.release_held, name="release-toasts")

    @work(thread=True, group="announce", exit_on_error=False)
    def _purchases_since_last_time(self) -> None:
        """Off the UI thread: purchases not announced before (made while the app was closed)."""
        from ..services import announcements

        rt = self.rt
        if rt is None:
            return
        try:
            notices = announcements.unannounced(rt)
            self._window_marker = announcements.latest(rt)
            self._window_started = True
        except Exception:
            log.warning("could not read the purchases made meanwhile", exc_info=True)
            return
        if notices:
            self.call_from_thread(self.announcer.while_away, notices)

    @work(thread=True, group="announce", exclusive=True, exit_on_error=False)
    def _poll_purchases(self) -> None:
        """Off the UI thread: purchases another GhostCart process made since the last look (one
        cheap indexed query); this window announces them too."""
        from ..services import announcements

        rt = self.rt
        if rt is None or not self._window_started:
            return
        try:
            notices = announcements.since(rt, self._window_marker)
        except Exception:
            log.warning("polling for purchases failed", exc_info=True)
            return
        if notices:
            self._window_marker = announcements.position(notices[-1])
            self.call_from_thread(self.announcer.announce, notices)

    def detach_runtime(self) -> None:
        """The runtime is about to close (a finished replay): stop every use of it first."""
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        self.rt = None

    def _start_monitor(self) -> None:
        if self.rt is None:
            return
        from ..services.scheduler import Monitor

        self.monitor = Monitor(self.rt, kind="tui")
        if self.start_monitor:
            try:
                self.monitor.start()
            except Exception as exc:
                self.toast(f"Monitoring did not start: {describe_error(exc)}", severity="error")
        self.refresh_lease()
        self.set_interval(15, self.refresh_lease)

    def on_unmount(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self.monitor is not None and self.start_monitor:
            try:
                self.monitor.stop()
            except Exception:
                log.exception("monitor stop failed")
        if self._owns_runtime and self.rt is not None:
            try:
                self.rt.close()
            except Exception:
                log.exception("closing the runtime failed")

    def _default_factory(self, rt: Runtime):
        from ..agents.conversation import Conversation  # heavy: strands, boto3

        return Conversation(rt, model=self.model)

    async def _conversation_failed(self, exc: Exception) -> None:
        self.agents_error = exc
        self.sub_title = "agents unavailable"
        await self.chat.add_error(f"The agents could not start: {describe_error(exc)}")
        self.chat.set_status("Agents unavailable; the panes still work.")
        self.ready.set()  # queued messages are answered with this error, not left waiting

    def build_conversation(self, rt: Runtime) -> Any:
        """The Conversation for rt (its factory: strands is imported here; call it off the UI thread)."""
        return self._factory(rt)

    async def conversation_ready(self, conv: Any) -> None:
        await self._conversation_ready(conv)

    async def _conversation_ready(self, conv) -> None:
        self.conversation = conv
        label = getattr(conv, "model_label", None) or "unknown model"
        self.sub_title = safe_str(label, newlines=False)
        await self.chat.set_welcome(welcome_markdown(label, getattr(conv, "provider", None),
                                                     getattr(conv, "provider_reason", None)))
        try:
            for entry in conv.history():
                await self._render_history(entry)
        except Exception as exc:
            await self.chat.add_error(f"Could not restore the conversation: {describe_error(exc)}")
        if not self.turn_running():
            self._idle_status()
        self.ready.set()
        if self.turn_running():  # messages typed while starting: that turn handles a pending signature
            return
        try:
            pending = conv.pending_signature()
        except Exception:
            pending = None
        if pending is not None:
            await self.chat.add_note("A signature you had not answered yet is waiting.")
            self._turn = self._resume_signature()

    async def _render_history(self, entry) -> None:
        role = getattr(entry, "role", "assistant")
        text = getattr(entry, "text", "") or ""
        if role == "user":
            await self.chat.add_user(text)
        elif role in ("activity", "tool"):
            await self.chat.add_activity(text)
        elif role == "error":
            await self.chat.add_error(text)
        else:
            await self.chat.add_agent_message(getattr(entry, "agent", None) or "supervisor", text)

    async def wait_ready(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self.ready.wait(), timeout)
