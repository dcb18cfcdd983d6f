"""The GhostCart Textual app.

Start-up is a feature: this module imports no strands, boto3, ghostcart_tui.agents, sqlalchemy,
sqlmodel or ghostcart_tui.services/store. The app can be given Settings (or a factory): it shows
its first frame, then opens the Runtime and builds the Conversation in a thread worker, and
starts the Monitor after that. Messages typed meanwhile are queued and sent once it is ready.
Events arrive on rt.bus from any thread and are re-posted as messages (post_message is
thread-safe), so every screen update happens on the app's own thread. Pane refreshes caused by
events are coalesced: a pane is marked dirty and refreshed at most every REFRESH_EVERY seconds,
and only while it is visible (toasts stay immediate)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, TabbedContent, TabPane
from textual.worker import Worker

from ..core import events as ev
from ..core.clock import Clock
from ..core.money import format_cents
from .commands import GhostCartCommands
from .errors import describe_error
from .safe import safe_str
from .screens.confirm import ConfirmScreen
from .screens.keys import KeysScreen
from .screens.signature import ARM_DELAY, SignatureScreen
from .widgets.chat import ChatPane
from .widgets.monitoring import MonitoringPane
from .widgets.orders import OrdersPane
from .widgets.products import ProductsPane

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..services.runtime import Runtime

log = logging.getLogger(__name__)

STATE_FILE = "tui-state.json"
CANCEL_GRACE = 2.0  # seconds Conversation.cancel() gets before the turn's worker is cancelled
REFRESH_EVERY = 0.5  # seconds: at most one refresh of a pane per this, however many events arrive
STEP_PAUSE = 1.0  # seconds between the steps of a scenario played in the app (replay --tui)

ConversationFactory = Callable[["Runtime"], Any]
PANE_TABS = {"jobs": "monitoring", "orders": "orders"}


def _is_runtime(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("bus", "db", "settings", "clock"))


def _is_settings(obj: Any) -> bool:
    return not callable(obj) and hasattr(obj, "db_path") and hasattr(obj, "data_home")


def _open_runtime(settings: Settings) -> Runtime:
    from ..services.runtime import open_runtime  # heavy: sqlalchemy, sqlmodel (~0.5 s)

    return open_runtime(settings)


def welcome_markdown(model_label: str | None, provider: str | None = None, reason: str | None = None) -> str:
    if model_label is None:
        model = "starting the agents…"
    else:
        model = f"**{safe_str(model_label, newlines=False)}**"
        if provider == "bedrock":
            model += " on Amazon Bedrock"
        if reason:
            model += f" ({safe_str(reason, newlines=False)})"
    return (
        "## Welcome to GhostCart\n\n"
        "Your shopping assistant in the terminal. I can:\n\n"
        "- **find products**: *find me a coffee maker under $90*\n"
        "- **buy now**: you sign the cart with a key press, nothing is paid without it\n"
        "- **buy later**: *buy AirPods if they drop below $180* becomes a signed intent that I watch "
        "and buy by itself, exactly once, when every limit holds\n"
        "- **show** your orders and the signed AP2 mandates behind each one\n\n"
        f"Model: {model}\n\n"
        "*F1–F4 switch tabs · Ctrl+P commands · Esc cancels a running turn*"
    )


class BusEvent(Message):
    """A domain event, hopped onto the app's thread."""

    def __init__(self, event: ev.Event) -> None:
        super().__init__()
        self.event = event


class GhostCartApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "GhostCart"
    COMMANDS = App.COMMANDS | {GhostCartCommands}
    BINDINGS = [
        Binding("f1", "show_tab('chat')", "Chat"),
        Binding("f2", "show_tab('products')", "Products"),
        Binding("f3", "show_tab('monitoring')", "Monitoring"),
        Binding("f4", "show_tab('orders')", "Orders"),
        Binding("escape", "cancel_turn", "Cancel turn", show=False),
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
        arm_delay: float = ARM_DELAY,
        replay: Callable[[GhostCartApp], Awaitable[Any]] | None = None,
    ) -> None:
        """rt: a Runtime (the caller owns it), or Settings / a zero-argument factory: the app then
        opens the Runtime itself after its first frame, in a thread, and closes it on exit.
        replay: a coroutine function run after the first frame instead of opening anything; it
        hands the app its runtime with `attach_runtime` (scenario replay, see run_replay)."""
        super().__init__()
        self.rt: Runtime | None = None
        self._runtime_factory: Callable[[], Runtime] | None = None
        self._owns_runtime = False
        if rt is None or replay is not None:
            pass
        elif _is_runtime(rt):
            self.rt = rt  # type: ignore[assignment]
        elif _is_settings(rt):
            self._runtime_factory = lambda settings=rt: _open_runtime(settings)  # type: ignore[misc]
            self._owns_runtime = True
        elif callable(rt):
            self._runtime_factory = rt  # type: ignore[assignment]
            self._owns_runtime = True
        else:
            raise TypeError(f"GhostCartApp needs a Runtime, Settings or a runtime factory, not {type(rt).__name__}")
        self.clock: Clock | None = clock or (self.rt.clock if self.rt is not None else None)
        self.model = model
        self._factory = conversation_factory or self._default_factory
        self.start_monitor = start_monitor
        self.mask_volatile = mask_volatile  # hide key fingerprints and lease holders (snapshot tests)
        self.arm_delay = arm_delay
        self.conversation = None
        self.ready = asyncio.Event()  # the Conversation is ready (or failed: see agents_error)
        self.runtime_ready = asyncio.Event()
        self.startup_error: BaseException | None = None  # the runtime could not be opened
        self.agents_error: BaseException | None = None
        self.monitor = None
        self.notified: list[str] = []  # every toast's text, for tests and the log
        self._unsubscribe: Callable[[], None] | None = None
        self._turn: Worker | None = None
        self._queue: list[str] = []  # messages typed before the agents were ready
        self._dirty: set[str] = set()  # panes ("jobs", "orders") waiting for a refresh
        self._flush_timer = None
        self._last_flush = 0.0
        self._replay = replay
        self.last_turn_error: BaseException | None = None  # the last turn's failure (replay reports it)
        self.replay_result: Any = None  # the ScenarioResult, once a replayed scenario has finished
        self.replay_done = asyncio.Event()
        self._replay_worker: Worker | None = None
        self._release = asyncio.Event()  # replay: the shopper has looked at the result
        self.exit_when_done = False  # replay: leave as soon as the verdict is known
        self.persist_state = replay is None  # a replayed scenario leaves the shopper's pane state alone

    # ---- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="chat", id="tabs"):
            with TabPane("Chat", id="chat"):
                yield ChatPane(id="chat-pane")
            with TabPane("Products", id="products"):
                yield ProductsPane(id="products-pane")
            with TabPane("Monitoring", id="monitoring"):
                yield MonitoringPane(id="monitoring-pane")
            with TabPane("Orders", id="orders"):
                yield OrdersPane(id="orders-pane")
        yield Footer()

    @property
    def chat(self) -> ChatPane:
        return self.query_one(ChatPane)

    @property
    def products(self) -> ProductsPane:
        return self.query_one(ProductsPane)

    @property
    def monitoring(self) -> MonitoringPane:
        return self.query_one(MonitoringPane)

    @property
    def orders(self) -> OrdersPane:
        return self.query_one(OrdersPane)

    async def on_mount(self) -> None:
        self.sub_title = "starting…"
        await self.chat.add_welcome(welcome_markdown(None), plain=True)
        self.chat.set_status("Starting… you can type already; messages are sent when the agents are ready.")
        self.query_one("#chat-input").focus()
        self.monitoring.set_loading()
        self.orders.set_loading()
        # Nothing heavy before the first frame: the database, the scheduler and the agents come after.
        self.call_after_refresh(self._start)

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
            import textual.widgets._markdown  # noqa: F401
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
        self._build_conversation(rt)

    def _build_conversation(self, rt: Runtime) -> None:
        """In a thread: the Conversation (its import of strands/boto3 happens here)."""
        try:
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
        self._restore_products()
        self._mark_dirty("jobs", "orders")
        self.refresh_lease()
        self.runtime_ready.set()

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

    # ---- the conversation ------------------------------------------------------------------

    def _default_factory(self, rt: Runtime):
        from ..agents.conversation import Conversation  # heavy: strands, boto3

        return Conversation(rt, model=self.model)

    async def _conversation_failed(self, exc: Exception) -> None:
        self.agents_error = exc
        self.sub_title = "agents unavailable"
        await self.chat.add_error(f"The agents could not start: {describe_error(exc)}")
        self.chat.set_status("Agents unavailable; the panes still work.")
        self.ready.set()  # queued messages are answered with this error, not left waiting

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

    def turn_running(self) -> bool:
        return self._turn is not None and not self._turn.is_finished

    def _idle_status(self) -> None:
        self.chat.set_status("Enter sends · ↑/↓ history · Ctrl+P commands")

    async def on_input_submitted(self, event) -> None:
        if event.input.id != "chat-input":
            return
        text = event.value.strip()
        if not text:
            return
        await self.submit(text)

    async def submit(self, text: str) -> bool:
        """Send text as the shopper; False when a turn is still running. While the agents are
        still starting, messages are queued and sent in order once they are ready."""
        starting = self.conversation is None and not self.ready.is_set()
        if self.turn_running() and not starting:
            self.toast("Still working on the last message; Esc cancels it.", severity="warning")
            return False
        box = self.query_one("#chat-input")
        box.remember(text)
        box.value = ""
        await self.chat.add_user(text)
        if self.turn_running():
            self._queue.append(text)
            return True
        self._turn = self._run_turn(text)
        return True

    @work(group="turn", exit_on_error=False)
    async def _run_turn(self, text: str) -> None:
        self.chat.set_status("● working… Esc cancels")
        self.last_turn_error = None
        try:
            if self.conversation is None:
                await self.chat.add_activity("waiting for the agents to start…")
                await self.ready.wait()
            if self.conversation is None:
                self._queue.clear()
                raise self.agents_error or RuntimeError("the agents are not available")
            while True:
                await self.conversation.send(text)
                await self._settle_signatures()
                if not self._queue:
                    break
                text = self._queue.pop(0)
        except asyncio.CancelledError:
            self._queue.clear()
            await self.chat.add_note("Turn cancelled.")
            raise
        except Exception as exc:
            self._queue.clear()
            self.last_turn_error = exc
            await self.chat.add_error(describe_error(exc))
        finally:
            await self.chat.end_stream()
            self._idle_status()

    @work(group="turn", exit_on_error=False)
    async def _resume_signature(self) -> None:
        self.last_turn_error = None
        try:
            await self._settle_signatures()
        except Exception as exc:
            self.last_turn_error = exc
            await self.chat.add_error(describe_error(exc))
        finally:
            await self.chat.end_stream()
            self._idle_status()

    async def _settle_signatures(self) -> None:
        """While the agent waits for a signature: show the dialog, pass the answer back."""
        conv = self.conversation
        answered: set[str] = set()
        while True:
            view = conv.pending_signature()
            if view is None or view.mandate_id in answered:
                return
            self.chat.set_status("Waiting for your signature…")
            approve = await self.push_screen_wait(
                SignatureScreen(view, mask_key=self.mask_volatile, arm_delay=self.arm_delay))
            answered.add(view.mandate_id)
            await self.chat.add_activity(("✓ you signed " if approve else "✗ you declined ") + view.mandate_id)
            self.chat.set_status("● working… Esc cancels")
            await conv.answer_signature(view.mandate_id, bool(approve))

    def action_cancel_turn(self) -> None:
        if not self.turn_running():
            return
        try:
            if self.conversation is not None:
                self.conversation.cancel()
        except Exception:
            log.exception("Conversation.cancel failed")
        self.chat.set_status("Cancelling…")
        worker = self._turn

        def force() -> None:
            if worker is not None and worker.is_running:
                worker.cancel()

        self.set_timer(CANCEL_GRACE, force)

    async def action_new_conversation(self) -> None:
        if self.turn_running():
            self._turn.cancel()
        if self.conversation is not None:
            try:
                self.conversation.new_conversation()
            except Exception as exc:
                self.toast(describe_error(exc), severity="error")
        await self.chat.clear_log()
        label = getattr(self.conversation, "model_label", None)
        await self.chat.add_welcome(welcome_markdown(label, getattr(self.conversation, "provider", None)))
        self.action_show_tab("chat")

    # ---- scenario replay --------------------------------------------------------------------

    @work(group="replay", exit_on_error=False)
    async def _play_replay(self) -> None:
        self.sub_title = "replaying…"
        try:
            result = await self._replay(self)
            if self.replay_result is None:  # on_finish was not reached (the scenario could not run)
                await self._replay_finished(result, hold=False)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("replay failed")
            await self.chat.add_error(f"The replay stopped: {describe_error(exc)}")
        finally:
            self.replay_done.set()
            self.exit(return_code=0 if _replay_verdict(self.replay_result)[0] else 1)

    async def _replay_finished(self, result: Any, hold: bool = True) -> None:
        """The runner's on_finish: show the verdict; then (unless exit_when_done) keep the app
        open, runtime and all, until the shopper quits."""
        self.replay_result = result
        passed, text = _replay_verdict(result)
        self.sub_title = "replay passed" if passed else "replay FAILED"
        await self.chat.end_stream()
        if passed:
            await self.chat.add_note(f"Replay {text}")
        else:
            await self.chat.add_error(f"Replay {text}")
        self.toast(text, title="Replay", severity="information" if passed else "error")
        self._mark_dirty("jobs", "orders")
        if hold and not self.exit_when_done:
            self.chat.set_status("Replay finished · F1–F4 look around · Ctrl+Q quits")
            await self._release.wait()

    def replay_line(self, line: Any) -> None:
        """A transcript line of the runner, shown in the chat (what the chat shows anyway is skipped)."""
        kind, text = getattr(line, "kind", ""), getattr(line, "text", "")
        if kind in ("world", "clock", "info"):
            self.call_later(self.chat.add_note, f"{'⏩ clock' if kind == 'clock' else '⚙ ' + kind}: {text}")
        elif kind == "pass":
            self.call_later(self.chat.add_activity, f"✓ {text}")
        elif kind == "fail":
            self.call_later(self.chat.add_error, f"✗ {text}")

    async def action_quit(self) -> None:
        if self._replay is not None and self._replay_worker is not None and not self._release.is_set():
            self._release.set()  # a finished replay cleans up, then exits
            if self.replay_result is None:
                self._replay_worker.cancel()  # stopped half-way
            return
        self.exit()

    # ---- events from the bus ---------------------------------------------------------------

    def _on_bus(self, event: ev.Event) -> None:
        self.post_message(BusEvent(event))

    async def on_bus_event(self, message: BusEvent) -> None:
        e = message.event
        try:
            await self._handle(e)
        except Exception:
            log.exception("rendering %s failed", e.name)

    async def _handle(self, e: ev.Event) -> None:
        name = e.name
        chat = self.chat
        if name == "agent_text_delta":
            await chat.add_delta(getattr(e, "agent", "supervisor"), getattr(e, "text", ""))
        elif isinstance(e, ev.AgentActivity):
            await chat.add_activity(e.text)
        elif isinstance(e, ev.AgentMessage):
            await chat.add_agent_message(e.agent, e.text)
        elif isinstance(e, ev.ProductResults):
            self.show_products(e.query, e.product_ids)
            await chat.add_activity(f"found {len(e.product_ids)} product(s) for '{safe_str(e.query, newlines=False)}'"
                                    " — F2 shows them")
        elif isinstance(e, ev.CartCreated):
            await chat.add_activity(f"cart {e.mandate_id} ready: {format_cents(e.total_cents)}")
        elif isinstance(e, ev.IntentCreated):
            await chat.add_activity(f"intent {e.mandate_id}: {safe_str(e.product_query, newlines=False)} "
                                    f"at most {format_cents(e.max_price_cents)}")
        elif isinstance(e, ev.SignatureRequested):
            await chat.add_activity(f"your signature is needed for {e.mandate_type} {e.mandate_id}")
        elif isinstance(e, ev.MandateSigned):
            if e.signer != "user":
                await chat.add_activity(f"{e.mandate_type} {e.mandate_id} signed by the {e.signer}")
        elif isinstance(e, ev.SignatureDeclined):
            self.toast(f"You declined {e.mandate_id}; nothing was signed.", title="Declined")
        elif isinstance(e, ev.TransactionRecorded):
            self._mark_dirty("orders")
            if e.status != "authorized":
                from ..commerce.processor import describe_decline

                self.toast(f"Payment {e.status}: {describe_decline(e.decline_reason)} ({format_cents(e.amount_cents)})",
                           title="Payment declined", severity="warning")
            elif e.mode == "hp":
                await chat.add_activity(f"paid {format_cents(e.amount_cents)} — transaction {e.transaction_id}")
        elif isinstance(e, ev.MonitoringActivated):
            self._mark_dirty("jobs")
            await chat.add_activity(f"watching now (job {e.job_id}) — F3 shows it")
        elif isinstance(e, (ev.MonitoringCheckComplete, ev.MonitoringCancelled)):
            self._mark_dirty("jobs")  # a sweep sends one per job: coalesced, never one refresh each
        elif isinstance(e, ev.AutonomousPurchaseComplete):
            self._mark_dirty("jobs", "orders")
            self._toast_autonomous(e)  # toasts stay immediate
        elif isinstance(e, ev.MonitoringExpired):
            self._mark_dirty("jobs")
            query = self._job_query(e.job_id)
            self.toast(f"Stopped watching {query}: the intent expired before every condition held.",
                       title="Monitoring expired", severity="warning")
        elif isinstance(e, ev.WorldChanged):
            if e.product_id in self.products.product_ids:
                self.show_products(self.products.query_text, self.products.product_ids)
        elif isinstance(e, ev.ErrorOccurred):
            await chat.add_error(f"{e.error_code}: {e.message}")

    def _job_query(self, job_id: str) -> str:
        try:
            from ..services import monitoring as monitoring_service

            return f"'{safe_str(monitoring_service.get_job(self.rt, job_id).product_query, newlines=False)}'"
        except Exception:
            return job_id

    def _toast_autonomous(self, e: ev.AutonomousPurchaseComplete) -> None:
        from ..services import orders as orders_service

        amount = ""
        try:
            tx = orders_service.get_transaction(self.rt, e.transaction_id)
            amount = f" for {format_cents(tx.amount_cents, tx.currency)}"
        except Exception:
            pass
        query = self._job_query(e.job_id)
        if e.status == "authorized":
            self.toast(f"Bought {query} automatically{amount} ({e.transaction_id}).", title="Autonomous purchase")
        else:
            self.toast(f"Tried to buy {query}{amount} but the payment was {e.status}; the job waits for you.",
                       title="Autonomous purchase failed", severity="warning")

    def toast(self, message: str, *, title: str = "", severity: str = "information") -> None:
        text = safe_str(message)
        self.notified.append(f"{title}: {text}" if title else text)
        self.notify(text, title=safe_str(title), severity=severity, markup=False, timeout=8)

    # ---- panes -----------------------------------------------------------------------------

    def show_products(self, query: str, product_ids: list[str]) -> None:
        if self.rt is None:
            return
        from ..services import tui_queries

        try:
            products = tui_queries.products_by_ids(self.rt, list(product_ids))
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.products.show(query, products)
        self._save_state({"query": query, "product_ids": list(product_ids)})

    def _state_path(self):
        return self.rt.settings.data_home / STATE_FILE

    def _save_state(self, state: dict) -> None:
        if not self.persist_state:
            return
        try:
            self._state_path().write_text(json.dumps(state))
        except OSError:
            log.warning("could not save the TUI state", exc_info=True)

    def _restore_products(self) -> None:
        if not self.persist_state:
            return
        try:
            state = json.loads(self._state_path().read_text())
        except (OSError, ValueError):
            return
        if isinstance(state, dict) and isinstance(state.get("product_ids"), list):
            from ..services import tui_queries

            ids = [str(i) for i in state["product_ids"]]
            query = str(state.get("query", ""))
            try:
                self.products.show(query, tui_queries.products_by_ids(self.rt, ids))
            except Exception:
                log.warning("could not restore the products pane", exc_info=True)

    # Coalesced pane refreshes: events only mark a pane dirty; a timer refreshes each dirty,
    # visible pane at most every REFRESH_EVERY seconds; a hidden pane is refreshed when shown.

    def _pane_visible(self, pane: str) -> bool:
        try:
            return self.query_one("#tabs", TabbedContent).active == PANE_TABS[pane]
        except Exception:
            return False

    def _mark_dirty(self, *panes: str) -> None:
        self._dirty.update(panes)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flush_timer is not None or self.rt is None:
            return
        if not any(self._pane_visible(p) for p in self._dirty):
            return
        delay = max(0.01, self._last_flush + REFRESH_EVERY - time.monotonic())  # (a 0 s Timer divides by 0)
        self._flush_timer = self.set_timer(delay, self._flush_panes, name="refresh-panes")

    def _flush_panes(self) -> None:
        self._flush_timer = None
        self._last_flush = time.monotonic()
        for pane in sorted(self._dirty):
            if self._pane_visible(pane):
                self.refresh_jobs() if pane == "jobs" else self.refresh_orders()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._schedule_flush()

    def refresh_jobs(self) -> None:
        """Refresh the Monitoring pane now (at most MonitoringPane.MAX_ROWS rows)."""
        self._dirty.discard("jobs")
        if self.rt is None:
            return
        from ..services import monitoring as monitoring_service

        try:
            jobs = monitoring_service.list_jobs(self.rt, user_id=self.rt.user_id)
        except Exception as exc:
            log.warning("list_jobs failed: %s", exc)
            return
        self.monitoring.show(jobs, self.clock.now())
        self.refresh_lease()

    def refresh_lease(self) -> None:
        if self.rt is None:
            return
        from ..services import lease as lease_service

        holder = self.monitor.holder if self.monitor is not None else None
        try:
            info = lease_service.current(self.rt, holder)
        except Exception:
            info = None
        line = Text("Checks: ", style="bold")
        if self._replay is not None:
            line.append("run by the scenario replay after each step", style="green")
        elif info is None:
            line.append("no GhostCart app is running them right now (they resume when one starts)", style="yellow")
        elif info.mine:
            line.append("run by this app", style="green")
        else:
            line.append("run by another GhostCart process: ")
            line.append("hidden" if self.mask_volatile else safe_str(info.holder, newlines=False))
        line.append(f"  ·  every {self.rt.settings.monitor_interval_minutes} min", style="dim")
        self.monitoring.set_lease(line)

    def refresh_orders(self) -> None:
        self._dirty.discard("orders")
        if self.rt is None:
            return
        from ..services import orders as orders_service

        try:
            txs = orders_service.list_transactions(self.rt, user_id=self.rt.user_id)
        except Exception as exc:
            log.warning("list_transactions failed: %s", exc)
            return
        self.orders.show(txs)

    # ---- pane actions ----------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        target = {"chat": "#chat-input", "products": "#products-table", "monitoring": "#jobs-table",
                  "orders": "#orders-table"}[tab]
        self.query_one(target).focus()
        if tab == "monitoring":
            self.refresh_jobs()
        elif tab == "orders" and "orders" in self._dirty:
            self.refresh_orders()

    async def on_products_pane_buy_requested(self, message: ProductsPane.BuyRequested) -> None:
        self.action_show_tab("chat")
        await self.submit(f"buy {message.product_id}")

    def on_orders_pane_inspect_requested(self, message: OrdersPane.InspectRequested) -> None:
        from .screens.inspector import InspectorScreen

        self.push_screen(InspectorScreen(self.rt, message.transaction_id, mask=self.mask_volatile))

    def action_cancel_job(self) -> None:
        job_id = self.monitoring.highlighted_job_id()
        if job_id is None:
            self.toast("No monitoring job is highlighted.")
            return
        if not self.monitoring.live.get(job_id):
            self.toast(f"{job_id} is not active; nothing to cancel.")
            return
        query = self._job_query(job_id)

        def done(yes: bool | None) -> None:
            if not yes:
                return
            from ..services import monitoring as monitoring_service

            try:
                monitoring_service.cancel(self.rt, job_id)
            except Exception as exc:
                self.toast(describe_error(exc), severity="error")
                return
            self.toast(f"Stopped watching {query}.", title="Monitoring cancelled")
            self.refresh_jobs()

        self.push_screen(ConfirmScreen(f"Stop watching {query} ({job_id})? Nothing more will be bought for it."), done)

    def _have_runtime(self) -> bool:
        if self.rt is None:
            self.toast("Still opening the database; try again in a moment.", severity="warning")
            return False
        return True

    def action_export_chain(self) -> None:
        if not self._have_runtime():
            return
        tx_id = self.orders.highlighted_tx_id()
        if tx_id is None:
            self.toast("No order to export: highlight one in Orders (F4).", severity="warning")
            return
        from ..services import inspect as inspect_service
        from .screens.inspector import export_path

        path = export_path(self.rt, tx_id)
        try:
            inspect_service.export_chain(self.rt, tx_id, path)
        except Exception as exc:
            self.toast(describe_error(exc), title="Export failed", severity="error")
            return
        self.toast(f"Chain exported to {path}", title="Exported")

    def action_show_keys(self) -> None:
        if not self._have_runtime():
            return
        from ..services import tui_queries

        try:
            keys = tui_queries.signing_keys(self.rt)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.push_screen(KeysScreen(keys, mask=self.mask_volatile))

    def set_processor_mode(self, mode: str) -> None:
        if not self._have_runtime():
            return
        try:
            self.rt.processor.set_mode(mode)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.toast(f"Payment processor mode: {mode}", title="Processor")

    def simulate_price(self, product_id: str, cents: int) -> None:
        if not self._have_runtime():
            return
        from ..services import catalog as catalog_service

        try:
            p = catalog_service.set_price(self.rt, product_id, cents)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.toast(f"{p.name} now costs {format_cents(cents)}. Watching jobs see it at their next check.",
                   title="Price changed")

    def simulate_stock(self, product_id: str, in_stock: bool) -> None:
        if not self._have_runtime():
            return
        from ..services import catalog as catalog_service

        try:
            p = catalog_service.set_stock(self.rt, product_id, in_stock)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.toast(f"{p.name} is now {'in stock' if in_stock else 'out of stock'}.", title="Stock changed")


# ---- scenario replay in the app (`ghostcart replay --tui FILE`) -------------------------------


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
            app._turn = app._resume_signature()  # what a restart does: show the waiting signature
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
    app: GhostCartApp

    async def play(app: GhostCartApp) -> Any:
        async def driver_factory(rt: Runtime, _scenario: Any) -> AppDriver:
            app.attach_runtime(rt)
            conv = await asyncio.to_thread(app._factory, rt)
            await app._conversation_ready(conv)
            return AppDriver(app, pause=pause)

        async def before_step(step: Any) -> None:
            if pause > 0:
                await asyncio.sleep(pause if step.is_action else pause / 4)

        await asyncio.to_thread(_preimport_runtime)  # ~0.5 s of imports off the UI thread
        r = runner(scenario, base_settings=base_settings, db=db, driver_factory=driver_factory,
                   on_line=app.replay_line, before_step=before_step, on_finish=app._replay_finished)
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


def _replay_verdict(result: Any) -> tuple[bool, str]:
    if result is None:
        return False, "the replay was stopped before it finished"
    if getattr(result, "error", None):
        return False, f"the scenario could not run: {result.error}"
    failure = getattr(result, "failure", None)
    if failure is not None:
        return False, f"FAILED: {failure.message}"
    return True, f"PASSED: {getattr(result, 'checks', 0)} checks"


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


def run_app(rt: Runtime | Settings | Callable[[], Runtime], *, model: str | None = None) -> None:
    """Open the TUI (the CLI's entry point). Given Settings (or a factory), the app opens the
    runtime after its first frame and closes it on exit; an error opening it (a corrupt database,
    unusable keys) is raised here, after the terminal is restored, for the CLI to report."""
    app = GhostCartApp(rt, model=model)
    app.run()
    if app.startup_error is not None:
        raise app.startup_error
