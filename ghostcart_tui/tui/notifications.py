"""Toasts: every notification goes through toast() (safe text, recorded in `notified`), and the
ones the event routing raises for payments and monitoring jobs are worded here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.money import format_cents
from .safe import safe_str

if TYPE_CHECKING:
    from ..core import events as ev


class NotificationsMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def toast(self, message: str, *, title: str = "", severity: str = "information") -> None:
        text = safe_str(message)
        self.notified.append(f"{title}: {text}" if title else text)
        self.notify(text, title=safe_str(title), severity=severity, markup=False, timeout=8)

    def _job_query(self, job_id: str) -> str:
        """How a monitoring job is named to the shopper: its query, quoted (else its id)."""
        try:
            from ..services import monitoring as monitoring_service

            return f"'{safe_str(monitoring_service.get_job(self.rt, job_id).product_query, newlines=False)}'"
        except Exception:
            return job_id

    def _toast_declined(self, e: ev.TransactionRecorded) -> None:
        from ..commerce.processor import describe_decline

        self.toast(f"Payment {e.status}: {describe_decline(e.decline_reason)} ({format_cents(e.amount_cents)})",
                   title="Payment declined", severity="warning")

    # ---- the Announcer's host (announcer.py) ------------------------------------------------------

    async def chat_line(self, text: str) -> None:
        await self.chat.add_note(text)

    def dialog_open(self) -> bool:
        from textual.screen import ModalScreen

        return isinstance(self.screen, ModalScreen)

    def purchases_changed(self) -> None:
        self._mark_dirty("jobs", "orders")

    async def _watch_ready(self, e) -> None:
        name = safe_str(getattr(e, "product_name", "") or "your watched item", newlines=False)
        total = format_cents(getattr(e, "total_cents", 0) or 0)
        text = f"Ready to buy {name} for {total}: every condition holds. Your signature is needed; nothing is paid without it."
        await self.chat.add_note("🔔 " + text)
        self.toast(text, title="Watch ready")
        if self.conversation is not None and not self.turn_running():
            self._turn = self._resume_signature()

    def _toast_expired(self, e: ev.MonitoringExpired) -> None:
        self.toast(f"Stopped watching {self._job_query(e.job_id)}: the intent expired before every condition held.",
                   title="Monitoring expired", severity="warning")
