"""The GhostCart Textual app.

Start-up is a feature: this module imports no strands, boto3 or ghostcart_tui.agents. The
Conversation is created in a thread worker after the first frame (its import happens there).
Events arrive on rt.bus from any thread and are re-posted as messages (post_message is
thread-safe), so every screen update happens on the app's own thread."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

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
from ..services import catalog as catalog_service
from ..services import lease as lease_service
from ..services import monitoring as monitoring_service
from ..services import orders as orders_service
from ..services import tui_queries
from ..services.runtime import Runtime
from .commands import GhostCartCommands
from .errors import describe_error
from .safe import safe_str
from .screens.confirm import ConfirmScreen
from .screens.inspector import InspectorScreen, export_path
from .screens.keys import KeysScreen
from .screens.signature import ARM_DELAY, SignatureScreen
from .widgets.chat import ChatPane
from .widgets.monitoring import MonitoringPane
from .widgets.orders import OrdersPane
from .widgets.products import ProductsPane

log = logging.getLogger(__name__)

STATE_FILE = "tui-state.json"
CANCEL_GRACE = 2.0  # seconds Conversation.cancel() gets before the turn's worker is cancelled

ConversationFactory = Callable[[Runtime], Any]


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
        rt: Runtime,
        conversation_factory: ConversationFactory | None = None,
        clock: Clock | None = None,
        *,
        model: str | None = None,
        start_monitor: bool = True,
        mask_volatile: bool = False,
        arm_delay: float = ARM_DELAY,
    ) -> None:
        super().__init__()
        self.rt = rt
        self.clock: Clock = clock or rt.clock
        self.model = model
        self._factory = conversation_factory or self._default_factory
        self.start_monitor = start_monitor
        self.mask_volatile = mask_volatile  # hide key fingerprints and lease holders (snapshot tests)
        self.arm_delay = arm_delay
        self.conversation = None
        self.ready = asyncio.Event()
        self.monitor = None
        self.notified: list[str] = []  # every toast's text, for tests and the log
        self._unsubscribe: Callable[[], None] | None = None
        self._turn: Worker | None = None

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
        self._unsubscribe = self.rt.bus.subscribe(self._on_bus)
        await self.chat.add_welcome(welcome_markdown(None))
        self.chat.set_status("Starting the agents…")
        self.query_one("#chat-input").focus()
        self._restore_products()
        self.refresh_jobs()
        self.refresh_orders()
        self._start_monitor()
        self._create_conversation()

    def _start_monitor(self) -> None:
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
        if self.monitor is not None and self.start_monitor:
            try:
                self.monitor.stop()
            except Exception:
                log.exception("monitor stop failed")

    # ---- the conversation ------------------------------------------------------------------

    def _default_factory(self, rt: Runtime):
        from ..agents.conversation import Conversation  # heavy: strands, boto3

        return Conversation(rt, model=self.model)

    @work(thread=True, group="init", exit_on_error=False)
    def _create_conversation(self) -> None:
        try:
            conv = self._factory(self.rt)
        except Exception as exc:
            self.call_from_thread(self._conversation_failed, exc)
            return
        self.call_from_thread(self._conversation_ready, conv)

    async def _conversation_failed(self, exc: Exception) -> None:
        self.sub_title = "agents unavailable"
        await self.chat.add_error(f"The agents could not start: {describe_error(exc)}")
        self.chat.set_status("Agents unavailable; the panes still work.")

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
        self._idle_status()
        self.ready.set()
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
        """Send text as the shopper; False when a turn is still running."""
        if self.turn_running():
            self.toast("Still working on the last message; Esc cancels it.", severity="warning")
            return False
        box = self.query_one("#chat-input")
        box.remember(text)
        box.value = ""
        await self.chat.add_user(text)
        self._turn = self._run_turn(text)
        return True

    @work(group="turn", exit_on_error=False)
    async def _run_turn(self, text: str) -> None:
        self.chat.set_status("● working… Esc cancels")
        try:
            if self.conversation is None:
                await self.chat.add_activity("waiting for the agents to start…")
                await self.ready.wait()
            await self.conversation.send(text)
            await self._settle_signatures()
        except asyncio.CancelledError:
            await self.chat.add_note("Turn cancelled.")
            raise
        except Exception as exc:
            await self.chat.add_error(describe_error(exc))
        finally:
            await self.chat.end_stream()
            self._idle_status()

    @work(group="turn", exit_on_error=False)
    async def _resume_signature(self) -> None:
        try:
            await self._settle_signatures()
        except Exception as exc:
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
            self.refresh_orders()
            if e.status != "authorized":
                from ..commerce.processor import describe_decline

                self.toast(f"Payment {e.status}: {describe_decline(e.decline_reason)} ({format_cents(e.amount_cents)})",
                           title="Payment declined", severity="warning")
            elif e.mode == "hp":
                await chat.add_activity(f"paid {format_cents(e.amount_cents)} — transaction {e.transaction_id}")
        elif isinstance(e, ev.MonitoringActivated):
            self.refresh_jobs()
            await chat.add_activity(f"watching now (job {e.job_id}) — F3 shows it")
        elif isinstance(e, (ev.MonitoringCheckComplete, ev.MonitoringCancelled)):
            self.refresh_jobs()
        elif isinstance(e, ev.AutonomousPurchaseComplete):
            self.refresh_jobs()
            self.refresh_orders()
            self._toast_autonomous(e)
        elif isinstance(e, ev.MonitoringExpired):
            self.refresh_jobs()
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
            return f"'{safe_str(monitoring_service.get_job(self.rt, job_id).product_query, newlines=False)}'"
        except Exception:
            return job_id

    def _toast_autonomous(self, e: ev.AutonomousPurchaseComplete) -> None:
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
        try:
            self._state_path().write_text(json.dumps(state))
        except OSError:
            log.warning("could not save the TUI state", exc_info=True)

    def _restore_products(self) -> None:
        try:
            state = json.loads(self._state_path().read_text())
        except (OSError, ValueError):
            return
        if isinstance(state, dict) and isinstance(state.get("product_ids"), list):
            ids = [str(i) for i in state["product_ids"]]
            query = str(state.get("query", ""))
            try:
                self.products.show(query, tui_queries.products_by_ids(self.rt, ids))
            except Exception:
                log.warning("could not restore the products pane", exc_info=True)

    def refresh_jobs(self) -> None:
        try:
            jobs = monitoring_service.list_jobs(self.rt, user_id=self.rt.user_id)
        except Exception as exc:
            log.warning("list_jobs failed: %s", exc)
            return
        self.monitoring.show(jobs, self.clock.now())
        self.refresh_lease()

    def refresh_lease(self) -> None:
        holder = self.monitor.holder if self.monitor is not None else None
        try:
            info = lease_service.current(self.rt, holder)
        except Exception:
            info = None
        line = Text("Checks: ", style="bold")
        if info is None:
            line.append("no GhostCart app is running them right now (they resume when one starts)", style="yellow")
        elif info.mine:
            line.append("run by this app", style="green")
        else:
            line.append("run by another GhostCart process: ")
            line.append("hidden" if self.mask_volatile else safe_str(info.holder, newlines=False))
        line.append(f"  ·  every {self.rt.settings.monitor_interval_minutes} min", style="dim")
        self.monitoring.set_lease(line)

    def refresh_orders(self) -> None:
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

    async def on_products_pane_buy_requested(self, message: ProductsPane.BuyRequested) -> None:
        self.action_show_tab("chat")
        await self.submit(f"buy {message.product_id}")

    def on_orders_pane_inspect_requested(self, message: OrdersPane.InspectRequested) -> None:
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
            try:
                monitoring_service.cancel(self.rt, job_id)
            except Exception as exc:
                self.toast(describe_error(exc), severity="error")
                return
            self.toast(f"Stopped watching {query}.", title="Monitoring cancelled")
            self.refresh_jobs()

        self.push_screen(ConfirmScreen(f"Stop watching {query} ({job_id})? Nothing more will be bought for it."), done)

    def action_export_chain(self) -> None:
        tx_id = self.orders.highlighted_tx_id()
        if tx_id is None:
            self.toast("No order to export: highlight one in Orders (F4).", severity="warning")
            return
        from ..services import inspect as inspect_service

        path = export_path(self.rt, tx_id)
        try:
            inspect_service.export_chain(self.rt, tx_id, path)
        except Exception as exc:
            self.toast(describe_error(exc), title="Export failed", severity="error")
            return
        self.toast(f"Chain exported to {path}", title="Exported")

    def action_show_keys(self) -> None:
        try:
            keys = tui_queries.signing_keys(self.rt)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.push_screen(KeysScreen(keys, mask=self.mask_volatile))

    def set_processor_mode(self, mode: str) -> None:
        try:
            self.rt.processor.set_mode(mode)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.toast(f"Payment processor mode: {mode}", title="Processor")

    def simulate_price(self, product_id: str, cents: int) -> None:
        try:
            p = catalog_service.set_price(self.rt, product_id, cents)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.toast(f"{p.name} now costs {format_cents(cents)}. Watching jobs see it at their next check.",
                   title="Price changed")

    def simulate_stock(self, product_id: str, in_stock: bool) -> None:
        try:
            p = catalog_service.set_stock(self.rt, product_id, in_stock)
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        self.toast(f"{p.name} is now {'in stock' if in_stock else 'out of stock'}.", title="Stock changed")


def run_app(rt: Runtime, *, model: str | None = None) -> None:
    """Open the TUI on this runtime (the CLI's entry point)."""
    GhostCartApp(rt, model=model).run()
