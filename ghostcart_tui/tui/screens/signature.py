"""The signature dialog. y/Enter signs, n/Escape declines. Nothing is signed by accident: key
presses are ignored until the dialog has been visible for ARM_DELAY seconds (so the Enter that sent
the chat message, or a held-down Enter, cannot sign), and focus sits on a neutral, read-only body."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.clock import parse_iso
from ...core.money import format_cents
from ..safe import safe_str, safe_text

ARM_DELAY = 0.3
MASKED = "•••••••• (hidden)"


def _expiry(text: str) -> str:
    try:
        return parse_iso(text).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, TypeError):
        return safe_str(text, newlines=False)


def _money(cents: int | None) -> str:
    return "—" if cents is None else format_cents(cents)


def render_signature(view, *, mask_key: bool = False) -> Group:
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="bold", no_wrap=True)
    rows.add_column()
    parts: list = []
    if view.mandate_type == "intent":
        rows.add_row("Watch for", safe_text(view.product_query or "", newlines=False))
        rows.add_row("Max price", _money(view.max_price_cents))
        if view.max_total_cents:
            rows.add_row("Max total", _money(view.max_total_cents))
        rows.add_row("Max delivery", "any" if view.max_delivery_days is None else f"{view.max_delivery_days} days")
        rows.add_row("Merchant", safe_text(view.merchant, newlines=False))
        rows.add_row("Expires", _expiry(view.expires_at))
        parts.append(rows)
        if view.description:
            parts.append(Text(""))
            parts.append(safe_text(view.description, style="italic"))
        parts.append(Text(""))
        parts.append(Text("⚠ Once signed, GhostCart buys by itself when every condition holds, "
                          "without asking you again.", style="bold yellow"))
    else:
        items = Table(box=None, show_header=True, header_style="bold", padding=(0, 1), expand=True)
        items.add_column("Item", ratio=1)
        items.add_column("Qty", justify="right", no_wrap=True)
        items.add_column("Price", justify="right", no_wrap=True)
        for line in view.lines:
            items.add_row(safe_text(line.name, newlines=False), str(line.quantity),
                          format_cents(line.unit_price_cents * line.quantity))
        parts.append(items)
        parts.append(Text(""))
        rows.add_row("Subtotal", _money(view.subtotal_cents))
        rows.add_row("Tax", _money(view.tax_cents))
        rows.add_row("Shipping", _money(view.shipping_cents))
        rows.add_row("Total", Text(_money(view.total_cents), style="bold"))
        rows.add_row("Merchant", safe_text(view.merchant, newlines=False))
        rows.add_row("Expires", _expiry(view.expires_at))
        parts.append(rows)
    key = Table.grid(padding=(0, 2))
    key.add_column(style="bold", no_wrap=True)
    key.add_column()
    key.add_row("Signing key", MASKED if mask_key else safe_text(view.key_fingerprint, newlines=False))
    key.add_row("kid", MASKED if mask_key else safe_text(view.key_kid, newlines=False))
    parts.append(Text(""))
    parts.append(key)
    return Group(*parts)


class SignatureBody(VerticalScroll):
    """The neutral, focusable, read-only body: Enter here does nothing until the dialog is armed."""

    can_focus = True


class SignatureScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    SignatureScreen {
        align: center middle;
        background: $background 60%;
    }

    #signature-dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }

    SignatureScreen.intent #signature-dialog {
        border: thick $error;
    }

    #signature-title {
        height: auto;
        color: $warning;
        margin: 0 0 1 0;
    }

    #signature-body {
        height: auto;
        max-height: 20;
    }

    #signature-body:focus {
        background-tint: $foreground 0%;
    }

    #signature-keys {
        height: 1;
        margin: 1 0 0 0;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Sign", priority=True),
        Binding("enter", "answer(True)", "Sign", show=False, priority=True),
        Binding("n", "answer(False)", "Decline", priority=True),
        Binding("escape", "answer(False)", "Decline", show=False, priority=True),
    ]

    def __init__(self, view, *, mask_key: bool = False, arm_delay: float | None = None) -> None:
        """arm_delay: seconds before a key is taken (None: ARM_DELAY)."""
        super().__init__(classes="signature-screen")
        self.view = view
        self.mask_key = mask_key
        self.arm_delay = ARM_DELAY if arm_delay is None else arm_delay
        self.armed = self.arm_delay <= 0

    def compose(self) -> ComposeResult:
        kind = "intent mandate (buy later, automatically)" if self.view.mandate_type == "intent" else "cart mandate"
        with Vertical(id="signature-dialog"):
            yield Static(Text(f"Sign {kind}?", style="bold"), id="signature-title")
            with SignatureBody(id="signature-body"):
                yield Static(render_signature(self.view, mask_key=self.mask_key))
            yield Static(Text.assemble(("y", "bold green"), "/", ("Enter", "bold green"), " sign     ",
                                       ("n", "bold red"), "/", ("Esc", "bold red"), " decline"),
                         id="signature-keys")
        if self.view.mandate_type == "intent":
            self.add_class("intent")

    def on_mount(self) -> None:
        self.query_one(SignatureBody).focus()
        if not self.armed:
            self.set_timer(self.arm_delay, self.arm)

    def arm(self) -> None:
        self.armed = True

    def action_answer(self, approve: bool) -> None:
        if not self.armed:
            return
        self.armed = False  # one answer only, however fast the keys repeat
        self.dismiss(approve)
