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

    def _toast_expired(self, e: ev.MonitoringExpired) -> None:
        self.toast(f"Stopped watching {self._job_query(e.job_id)}: the intent expired before every condition held.",
                   title="Monitoring expired", severity="warning")
