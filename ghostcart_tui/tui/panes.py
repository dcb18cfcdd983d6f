"""The Products, Monitoring and Orders tabs.

Their panes (DataTables) are not part of the first frame: each is mounted when its tab is first
shown, Products also when there are results to show. Events only mark a pane dirty; a timer
refreshes each dirty, visible pane at most every REFRESH_EVERY seconds, and a hidden pane is
refreshed when shown. The last product results are kept in STATE_FILE across launches."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import TabbedContent, TabPane

from .errors import describe_error
from .safe import safe_str

if TYPE_CHECKING:
    from textual.widget import AwaitMount, Widget

    from .widgets.monitoring import MonitoringPane
    from .widgets.orders import OrdersPane
    from .widgets.products import ProductsPane

log = logging.getLogger(__name__)

STATE_FILE = "tui-state.json"
REFRESH_EVERY = 0.5  # seconds: at most one refresh of a pane per this, however many events arrive
PANE_TABS = {"jobs": "monitoring", "orders": "orders"}  # dirty-able pane → its tab
FOCUS = {"chat": "#chat-input", "products": "#products-table", "monitoring": "#jobs-table",
         "orders": "#orders-table"}


def _new_pane(tab: str) -> Widget:
    """The pane of a tab, its module imported now (DataTable is not needed for the first frame)."""
    if tab == "products":
        from .widgets.products import ProductsPane

        return ProductsPane(id="products-pane")
    if tab == "monitoring":
        from .widgets.monitoring import MonitoringPane

        return MonitoringPane(id="monitoring-pane")
    from .widgets.orders import OrdersPane

    return OrdersPane(id="orders-pane")


class PanesMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def _init_panes(self) -> None:
        self._dirty: set[str] = set()  # panes ("jobs", "orders") waiting for a refresh
        self._flush_timer = None
        self._last_flush = 0.0
        self._pane_mounts: dict[str, AwaitMount] = {}  # tab → its pane's mount, once started
        self._ready_panes: set[str] = set()  # tabs whose pane is mounted
        self.persist_state = True  # False: the shopper's pane state is left alone (replay)

    @property
    def products(self) -> ProductsPane:
        return self.query_one("#products-pane")

    @property
    def monitoring(self) -> MonitoringPane:
        return self.query_one("#monitoring-pane")

    @property
    def orders(self) -> OrdersPane:
        return self.query_one("#orders-pane")

    async def _ensure_pane(self, tab: str) -> bool:
        """Mount the tab's pane unless it is there; True when it was mounted (and filled) now."""
        if tab == "chat" or tab in self._ready_panes:
            return False
        mounting = self._pane_mounts.get(tab)
        if mounting is not None:  # another caller mounts it
            await mounting
            return False
        mounting = self._pane_mounts[tab] = self.query_one(f"#{tab}", TabPane).mount(_new_pane(tab))
        await mounting
        self._ready_panes.add(tab)
        self._fill_pane(tab)
        return True

    def _fill_pane(self, tab: str) -> None:
        """A pane mounted now shows what there is (Products waits for results)."""
        if tab == "products":
            return
        if self.rt is None:
            (self.monitoring if tab == "monitoring" else self.orders).show_loading()
        elif tab == "monitoring":
            self.refresh_jobs()
        else:
            self.refresh_orders()

    def _runtime_attached(self) -> None:
        self._restore_products()
        self._mark_dirty("jobs", "orders")
        self.refresh_lease()

    # ---- products ---------------------------------------------------------------------------

    async def show_products(self, query: str, product_ids: list[str]) -> None:
        if self.rt is None:
            return
        from ..services import tui_queries

        try:
            products = tui_queries.products_by_ids(self.rt, list(product_ids))
        except Exception as exc:
            self.toast(describe_error(exc), severity="error")
            return
        await self._ensure_pane("products")
        self.products.show(query, products)
        self._save_state({"query": query, "product_ids": list(product_ids)})

    async def _product_changed(self, product_id: str) -> None:
        if "products" in self._ready_panes and product_id in self.products.product_ids:
            await self.show_products(self.products.query_text, self.products.product_ids)

    def _state_path(self):
        return self.rt.settings.data_home / STATE_FILE

    def _load_state(self) -> dict:
        try:
            state = json.loads(self._state_path().read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_state(self, update: dict) -> None:
        """Merge update into the saved state (last product results, theme)."""
        if not getattr(self, "persist_state", False) or getattr(self, "rt", None) is None:
            return
        try:
            self._state_path().write_text(json.dumps({**self._load_state(), **update}))
        except OSError:
            log.warning("could not save the TUI state", exc_info=True)

    def _restore_products(self) -> None:
        """The runtime is open: bring back the last results (the pane is mounted for them)."""
        if not self.persist_state:
            return
        state = self._load_state()
        theme = state.get("theme")
        if isinstance(theme, str) and theme in self.available_themes and theme != self.theme:
            self._restoring_theme = True
            self.theme = theme
            self._restoring_theme = False
        if isinstance(state.get("product_ids"), list):
            self.call_later(self._show_saved, str(state.get("query", "")), [str(i) for i in state["product_ids"]])

    async def _show_saved(self, query: str, ids: list[str]) -> None:
        from ..services import tui_queries

        try:
            products = tui_queries.products_by_ids(self.rt, ids)
        except Exception:
            log.warning("could not restore the products pane", exc_info=True)
            return
        await self._ensure_pane("products")
        self.products.show(query, products)

    def watch_theme(self, theme: str) -> None:
        """The shopper picked a theme (palette): it is kept for the next start."""
        if not getattr(self, "_restoring_theme", False):
            self._save_state({"theme": theme})

    async def on_products_pane_buy_requested(self, message) -> None:
        """Enter on a product: ask for it by name (never "buy prod_…"); out of stock says so."""
        from ..services import tui_queries

        found = tui_queries.products_by_ids(self.rt, [message.product_id]) if self.rt is not None else []
        if not found:
            self.toast("That product is no longer in the catalog.", severity="warning")
            return
        product = found[0]
        if not product.in_stock:
            self.toast(f"{safe_str(product.name, newlines=False)} is out of stock; nothing to buy right now. "
                       "Ask in Chat to watch it and buy it when it is back.", title="Out of stock", severity="warning")
            return
        await self.action_show_tab("chat")
        await self.submit(f"buy the {product.name}")

    def on_orders_pane_inspect_requested(self, message) -> None:
        from .screens.inspector import InspectorScreen

        self.push_screen(InspectorScreen(self.rt, message.transaction_id, mask=self.mask_volatile))

    # ---- coalesced refreshes ----------------------------------------------------------------

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

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane is not None and event.pane.id:  # a tab clicked: its pane may not be there yet
            await self._ensure_pane(event.pane.id)
            self._focus_tab(event.pane.id)  # its keys (x, c, Enter) work at once
        self._schedule_flush()

    def _focus_tab(self, tab: str) -> None:
        try:
            self.query_one(FOCUS[tab]).focus()
        except Exception:
            pass

    def action_cycle_focus(self) -> None:
        """Tab: the chat box → the visible tab's table (the chat log on Chat) → the chat box."""
        tabs = self.query_one("#tabs", TabbedContent)
        focused = self.focused
        box = self.query_one("#chat-input")
        if focused is box:
            if tabs.active == "chat":
                self.chat.log.focus()
            else:
                self._focus_tab(tabs.active)
            return
        if tabs.active != "chat":
            tabs.active = "chat"
        box.focus()

    def action_scroll_chat(self, pages: int) -> None:
        """PageUp / PageDown scroll the chat log (from the chat box too)."""
        log = self.chat.log
        if pages < 0:
            log.scroll_page_up(animate=False)
        else:
            log.scroll_page_down(animate=False)

    async def action_show_tab(self, tab: str) -> None:
        mounted_now = await self._ensure_pane(tab)
        self.query_one(TabbedContent).active = tab
        self.query_one(FOCUS[tab]).focus()
        if mounted_now:  # filled already
            return
        if tab == "monitoring":
            self.refresh_jobs()
        elif tab == "orders" and "orders" in self._dirty:
            self.refresh_orders()

    def refresh_jobs(self) -> None:
        """Refresh the Monitoring pane (at most MonitoringPane.MAX_ROWS rows): the query runs in a
        thread and the table fills in batches, so keys stay responsive while a big sweep lands."""
        self._dirty.discard("jobs")
        if self.rt is None or "monitoring" not in self._ready_panes:
            return
        from ..services import tui_queries

        rt, clock, limit = self.rt, self.clock or self.rt.clock, self.monitoring.MAX_ROWS

        def load():  # in a thread (MonitoringPane.reload): the UI thread only fills the table
            jobs, total = tui_queries.jobs_page(rt, limit)
            return jobs, total, clock.now()

        self.monitoring.reload(load)
        self.refresh_lease()

    def refresh_lease(self) -> None:
        if self.rt is None or "monitoring" not in self._ready_panes:
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
        if self.rt is None or "orders" not in self._ready_panes:
            return
        from ..services import orders as orders_service

        try:
            txs = orders_service.list_transactions(self.rt, user_id=self.rt.user_id)
        except Exception as exc:
            log.warning("list_transactions failed: %s", exc)
            return
        self.orders.show(txs)
