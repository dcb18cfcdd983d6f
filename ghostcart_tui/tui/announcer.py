"""Autonomous purchases, announced where the shopper looks: a toast naming the product and the
amount on any tab (held while a dialog is open, shown after it), a chat line, "while you were
away" on start for purchases made while the app was closed, and the same in a window that does
not hold the monitoring lease (it polls the database every POLL_EVERY seconds, off the UI thread).

A component with a small typed host (AnnouncerHost): the app implements it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from ..core.money import format_cents
from .safe import safe_str

if TYPE_CHECKING:
    from ..services.announcements import PurchaseNotice
    from ..services.runtime import Runtime

log = logging.getLogger(__name__)

POLL_EVERY = 5.0  # seconds between two looks at the database for purchases made elsewhere


class AnnouncerHost(Protocol):
    def toast(self, message: str, *, title: str = "", severity: str = "information") -> None: ...
    async def chat_line(self, text: str) -> None: ...
    def dialog_open(self) -> bool: ...
    def purchases_changed(self) -> None: ...


def describe(n: PurchaseNotice) -> str:
    what = safe_str(n.product_name, newlines=False) or "your watched item"
    amount = format_cents(n.amount_cents, n.currency)
    if n.authorized:
        return f"Bought {what} automatically for {amount} ({n.transaction_id})."
    return f"Tried to buy {what} for {amount}, but the payment was {n.status}; the watch waits for you."


class Announcer:
    def __init__(self, host: AnnouncerHost) -> None:
        self.host = host
        self.rt: Runtime | None = None
        self.seen: set[str] = set()  # transaction ids announced by this window
        self.held: list[tuple[str, str, str]] = []  # toasts waiting for a dialog to close
        self.announced: list[str] = []  # every announcement's text (tests)

    def attach(self, rt: Runtime) -> None:
        self.rt = rt

    def detach(self) -> None:
        self.rt = None

    # ---- what arrives ----------------------------------------------------------------------------

    async def purchase_event(self, event: Any) -> None:
        """An AutonomousPurchaseComplete from this process's monitor (product_name and amount_cents
        when the event has them, else looked up)."""
        if self.rt is None or event.transaction_id in self.seen:
            return
        from ..services import announcements

        notice = announcements.notice_for(self.rt, event.transaction_id, job_id=getattr(event, "job_id", None),
                                          product_name=getattr(event, "product_name", "") or "",
                                          amount_cents=getattr(event, "amount_cents", 0) or 0)
        if notice is not None:
            await self.announce([notice])

    async def while_away(self, notices: list[PurchaseNotice]) -> None:
        """Purchases not announced before this start (made while the app was closed)."""
        fresh = [n for n in notices if n.transaction_id not in self.seen]
        if not fresh:
            return
        self.seen.update(n.transaction_id for n in fresh)
        lines = [describe(n) for n in fresh]
        await self.host.chat_line("While you were away: " + " ".join(lines))
        self._toast("While you were away: " + " ".join(lines), "While you were away",
                    "information" if all(n.authorized for n in fresh) else "warning")
        self._mark(fresh)
        self.host.purchases_changed()

    async def announce(self, notices: list[PurchaseNotice]) -> None:
        fresh = [n for n in notices if n.transaction_id not in self.seen]
        for n in fresh:
            self.seen.add(n.transaction_id)
            text = describe(n)
            await self.host.chat_line("🛒 " + text)
            self._toast(text, "Autonomous purchase" if n.authorized else "Autonomous purchase failed",
                        "information" if n.authorized else "warning")
        if fresh:
            self._mark(fresh)
            self.host.purchases_changed()

    # ---- toasts, held while a dialog is open -----------------------------------------------------

    def _toast(self, text: str, title: str, severity: str) -> None:
        self.announced.append(text)
        if self.host.dialog_open():
            self.held.append((text, title, severity))
            return
        self.host.toast(text, title=title, severity=severity)

    def release_held(self) -> None:
        """Called when no dialog is open any more (and on a timer): show what was held."""
        if not self.held or self.host.dialog_open():
            return
        held, self.held = self.held, []
        for text, title, severity in held:
            self.host.toast(text, title=title, severity=severity)

    def _mark(self, notices: list[PurchaseNotice]) -> None:
        if self.rt is None:
            return
        from ..services import announcements

        try:
            announcements.mark_announced(self.rt, notices)
        except Exception:
            log.warning("could not remember the announced purchases", exc_info=True)
