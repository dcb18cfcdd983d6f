"""What the command palette (commands.py) and the panes' keys do: cancel a monitoring job, export
a mandate chain, show the signing keys, switch the processor's mode, simulate the world changing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work

from ..core.money import format_cents
from .errors import describe_error

_FAILED = object()


class ActionsMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def _have_runtime(self) -> bool:
        if self.rt is None:
            self.toast("Still opening the database; try again in a moment.", severity="warning")
            return False
        return True

    def _attempt(self, fn: Callable[..., Any], *args: Any, title: str = "") -> Any:
        """fn(*args); on failure a toast says why and the result is _FAILED."""
        try:
            return fn(*args)
        except Exception as exc:
            self.toast(describe_error(exc), title=title, severity="error")
            return _FAILED

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

            if self._attempt(monitoring_service.cancel, self.rt, job_id) is _FAILED:
                return
            self.toast(f"Stopped watching {query}.", title="Monitoring cancelled")
            self.refresh_jobs()

        from .screens.confirm import ConfirmScreen

        self.push_screen(ConfirmScreen(f"Stop watching {query} ({job_id})? Nothing more will be bought for it."), done)

    def action_check_now(self) -> None:
        """Run every live watch now (due or not): services.monitoring.check_now (CONTRACT 6)."""
        if not self._have_runtime():
            return
        from ..services import monitoring as monitoring_service

        check_now = getattr(monitoring_service, "check_now", None)
        if check_now is None:
            self.toast("Check now is not available in this build yet; checks run every "
                       f"{self.rt.settings.monitor_interval_minutes} minutes.", severity="warning")
            return
        self.toast("Checking every live watch now…", title="Check now")
        self._check_now(check_now)

    @work(thread=True, group="check-now", exclusive=True, exit_on_error=False)
    def _check_now(self, check_now: Callable[..., Any]) -> None:
        try:
            report = check_now(self.rt)
        except Exception as exc:
            self.call_from_thread(self.toast, f"Check now failed: {describe_error(exc)}", title="Check now",
                                  severity="error")
            return
        self.call_from_thread(self._checked_now, report)

    def _checked_now(self, report: Any) -> None:
        checked, purchased = getattr(report, "checked", 0), getattr(report, "purchased", 0)
        matched = getattr(report, "matched", 0)
        text = f"Checked {checked} watch{'es' if checked != 1 else ''}"
        text += f": {purchased} bought." if purchased else (f": {matched} ready." if matched else ": no condition holds yet.")
        self.toast(text, title="Check now")
        self._mark_dirty("jobs", "orders")
        if "monitoring" in self._ready_panes:
            self.refresh_jobs()

    def action_export_chain(self) -> None:
        if not self._have_runtime():
            return
        tx_id = self.orders.highlighted_tx_id() if "orders" in self._ready_panes else None
        if tx_id is None:
            self.toast("No order to export: highlight one in Orders (F4).", severity="warning")
            return
        from ..services import inspect as inspect_service
        from .screens.inspector import export_path

        path = export_path(self.rt, tx_id)
        if self._attempt(inspect_service.export_chain, self.rt, tx_id, path, title="Export failed") is _FAILED:
            return
        self.toast(f"Chain exported to {path}", title="Exported")

    def action_show_keys(self) -> None:
        if not self._have_runtime():
            return
        from ..services import tui_queries

        keys = self._attempt(tui_queries.signing_keys, self.rt)
        if keys is _FAILED:
            return
        from .screens.keys import KeysScreen

        self.push_screen(KeysScreen(keys, mask=self.mask_volatile))

    def set_processor_mode(self, mode: str) -> None:
        if not self._have_runtime() or self._attempt(self.rt.processor.set_mode, mode) is _FAILED:
            return
        self.toast(f"Payment processor mode: {mode}", title="Processor")

    def simulate_price(self, product_id: str, cents: int) -> None:
        if not self._have_runtime():
            return
        from ..services import catalog as catalog_service

        p = self._attempt(catalog_service.set_price, self.rt, product_id, cents)
        if p is not _FAILED:
            self.toast(f"{p.name} now costs {format_cents(cents)}. Watching jobs see it at their next check.",
                       title="Price changed")

    def simulate_stock(self, product_id: str, in_stock: bool) -> None:
        if not self._have_runtime():
            return
        from ..services import catalog as catalog_service

        p = self._attempt(catalog_service.set_stock, self.rt, product_id, in_stock)
        if p is not _FAILED:
            self.toast(f"{p.name} is now {'in stock' if in_stock else 'out of stock'}.", title="Stock changed")
