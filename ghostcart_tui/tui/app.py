"""The GhostCart Textual app: the shell (layout, key bindings, state) and the CLI's entry points.

Start-up is a feature: this module imports no strands, boto3, ghostcart_tui.agents, sqlalchemy,
sqlmodel or ghostcart_tui.services/store, and none of the widgets only needed later (DataTable,
Markdown, the dialogs). The app shows its first frame, then opens the Runtime and builds the
Conversation in a thread (boot.py). The behaviour lives in one mixin per concern:

- boot.py: runtime and conversation start-up, shutdown
- routing.py: domain events from the bus, hopped onto the app's thread
- turns.py: sending messages, cancelling a turn, the signature dialog
- panes.py: the Products, Monitoring and Orders tabs (mounted on first use, coalesced refreshes)
- actions.py: the command palette's actions
- notifications.py: toasts
- replay.py: a scenario played in the app (`ghostcart replay --tui`)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from .actions import ActionsMixin
from .announcer import Announcer
from .boot import BootMixin, ConversationFactory, runtime_source
from .notifications import NotificationsMixin
from .panes import PanesMixin
from .replay import ReplayMixin, replay_app, run_replay
from .routing import RoutingMixin
from .turns import TurnsMixin
from .welcome import welcome_markdown
from .widgets.chat import ChatPane

if TYPE_CHECKING:
    from textual.command import Provider

    from ..core.clock import Clock
    from ..core.settings import Settings
    from ..services.runtime import Runtime

__all__ = ["GhostCartApp", "replay_app", "run_app", "run_replay", "welcome_markdown"]


def _commands() -> type[Provider]:
    from .commands import (
        GhostCartCommands,  # the palette's provider, imported when Ctrl+P opens it
    )

    return GhostCartCommands


class GhostCartApp(BootMixin, RoutingMixin, TurnsMixin, PanesMixin, ActionsMixin, NotificationsMixin, ReplayMixin,
                   App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "GhostCart"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("f1", "show_tab('chat')", "Chat"),
        Binding("f2", "show_tab('products')", "Products"),
        Binding("f3", "show_tab('monitoring')", "Monitoring"),
        Binding("f4", "show_tab('orders')", "Orders"),
        Binding("escape", "cancel_turn", "Cancel turn", show=False),
        Binding("tab", "cycle_focus", "Next", show=False, priority=True),
        Binding("pageup", "scroll_chat(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_chat(1)", "Scroll down", show=False),
        Binding("ctrl+n", "new_conversation", "New chat", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        rt: Runtime | Settings | Callable[[], Runtime] | None = None,
        conversation_factory: ConversationFactory | None = None,
        clock: Clock | None = None,
        *,
        model: str | None = None,
        start_monitor: bool = True,
        mask_volatile: bool = False,
        arm_delay: float | None = None,
        monotonic: Callable[[], float] | None = None,
        replay: Callable[[GhostCartApp], Awaitable[Any]] | None = None,
    ) -> None:
        """rt: a Runtime (the caller owns it), or Settings / a zero-argument factory: the app then
        opens the Runtime itself after its first frame, in a thread, and closes it on exit.
        arm_delay: seconds of quiet before the signature dialog takes a key (None: the dialog's default);
        monotonic: the clock that wait is measured on (tests pass a fake one; default time.monotonic).
        replay: a coroutine function run after the first frame instead of opening anything; it
        hands the app its runtime with `attach_runtime` (scenario replay, see run_replay)."""
        super().__init__()
        self.rt: Runtime | None = None
        self._runtime_factory: Callable[[], Runtime] | None = None
        self._owns_runtime = False
        if replay is None:
            self.rt, self._runtime_factory = runtime_source(rt)
            self._owns_runtime = self._runtime_factory is not None
        self.clock: Clock | None = clock or (self.rt.clock if self.rt is not None else None)
        self.model = model
        self._factory = conversation_factory or self._default_factory
        self.start_monitor = start_monitor
        self.mask_volatile = mask_volatile  # hide key fingerprints and lease holders (snapshot tests)
        self.arm_delay = arm_delay
        self.monotonic: Callable[[], float] = monotonic or time.monotonic
        self.conversation = None
        self.ready = asyncio.Event()  # the Conversation is ready (or failed: see agents_error)
        self.runtime_ready = asyncio.Event()
        self.startup_error: BaseException | None = None  # the runtime could not be opened
        self.agents_error: BaseException | None = None
        self.monitor = None
        self.notified: list[str] = []  # every toast's text, for tests and the log
        self._unsubscribe: Callable[[], None] | None = None
        self.announcer = Announcer(self)
        self._window_marker: tuple[str, str] | None = None  # the newest purchase this window has looked at
        self._window_started = False
        self._init_turns()
        self._init_panes()
        self._init_replay(replay)

    def compose(self) -> ComposeResult:
        """Only the chat is built for the first frame; the other tabs get their pane when first
        shown (or, for Products, when there are results to show): see panes.py."""
        yield Header()
        with TabbedContent(initial="chat", id="tabs"):
            with TabPane("Chat", id="chat"):
                yield ChatPane(welcome=welcome_markdown(None), id="chat-pane",
                               status="Starting… you can type already; messages are sent when the agents are ready.")
            yield TabPane("Products", id="products")
            yield TabPane("Monitoring", id="monitoring")
            yield TabPane("Orders", id="orders")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Tab and the chat's PageUp/PageDown belong to the main screen, not to a dialog on top."""
        if action in ("cycle_focus", "scroll_chat") and self.screen is not self.screen_stack[0]:
            return False
        return True

    @property
    def chat(self) -> ChatPane:
        return self.query_one(ChatPane)

    def on_mount(self) -> None:
        self.sub_title = "starting…"
        self.query_one("#chat-input").focus()
        # Nothing heavy before the first frame: the database, the scheduler and the agents come after.
        self.call_after_refresh(self._start)


def run_app(rt: Runtime | Settings | Callable[[], Runtime], *, model: str | None = None) -> None:
    """Open the TUI (the CLI's entry point). Given Settings (or a factory), the app opens the
    runtime after its first frame and closes it on exit; an error opening it (a corrupt database,
    unusable keys) is raised here, after the terminal is restored, for the CLI to report."""
    app = GhostCartApp(rt, model=model)
    app.run()
    if app.startup_error is not None:
        raise app.startup_error
