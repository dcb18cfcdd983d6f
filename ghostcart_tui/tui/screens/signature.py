"""The signature dialog: the shopper's signature, so it is only ever given on purpose.

- y (or the Sign button) signs; n, Esc (or the Decline button) declines. Enter never answers.
- The dialog is *armed* only once it has been visible, unchanged and without a key press, for
  ARM_DELAY seconds (measured on an injectable monotonic clock). Any key while it is not armed,
  and any key that is not an answer, starts that wait again: a message being typed when the
  dialog opens (at typing speed, y and n included) never answers it.
- What was typed into the dialog instead of the chat is handed back (TypedAhead) and kept in the
  chat box; the dialog shows it, so nothing typed is silently lost."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...core.clock import parse_iso
from ...core.money import format_cents
from ...services.views import SignatureView
from ..safe import safe_str, safe_text

ARM_DELAY = 0.6  # seconds of a visible, unchanged, quiet dialog before it takes an answer
MASKED = "•••••••• (hidden)"


def _expiry(text: str) -> str:
    try:
        return parse_iso(text).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, TypeError):
        return safe_str(text, newlines=False)


def _money(cents: int | None) -> str:
    return "—" if cents is None else format_cents(cents)


def render_signature(view: SignatureView, *, mask_key: bool = False) -> Group:
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="bold", no_wrap=True)
    rows.add_column()
    parts: list[object] = []
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
        if view.autonomous:
            parts.append(Text("⚠ Once signed, GhostCart buys by itself when every condition holds, "
                              "without asking you again.", style="bold yellow"))
        else:  # notify-only: the watch prepares a cart and waits for this dialog again
            parts.append(Text("When every condition holds, GhostCart prepares the cart and asks you to sign "
                              "it; nothing is bought without that second signature.", style="bold"))
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
    """The neutral, focusable, read-only body: every key reaches the dialog through it."""

    can_focus = True


class DialogButton(Button):
    """A mouse-only button: not focusable, so no key (Enter, space) can press it. No click
    animation: a second click right after a too-early one is still a click."""

    can_focus = False

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.active_effect_duration = 0


Monotonic = Callable[[], float]


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
        max-height: 16;
    }

    #signature-body:focus {
        background-tint: $foreground 0%;
    }

    #signature-typed {
        height: auto;
        color: $text-muted;
    }

    #signature-buttons {
        height: 1;
        margin: 1 0 0 0;
    }

    #signature-buttons > Button {
        height: 1;
        min-width: 12;
        border: none;
        margin: 0 2 0 0;
    }

    #signature-keys {
        height: 1;
    }
    """

    BINDINGS = [
        Binding("y", "press('y')", "Sign", priority=True),
        Binding("n", "press('n')", "Decline", priority=True),
        Binding("escape", "press('escape')", "Decline", show=False, priority=True),
    ]

    class TypedAhead(Message):
        """Text typed into the dialog that was meant for the chat: the app keeps it in the chat box.
        text is what to append; backspaces removes that many characters first."""

        def __init__(self, text: str, backspaces: int = 0) -> None:
            super().__init__()
            self.text = text
            self.backspaces = backspaces

    def __init__(self, view: SignatureView, *, mask_key: bool = False, arm_delay: float | None = None,
                 monotonic: Monotonic | None = None) -> None:
        """arm_delay: seconds of quiet before an answer is taken (None: ARM_DELAY); monotonic: the
        clock those seconds are measured on (tests drive a fake one)."""
        super().__init__(classes="signature-screen")
        self.view = view
        self.mask_key = mask_key
        self.arm_delay = ARM_DELAY if arm_delay is None else arm_delay
        self.monotonic: Monotonic = monotonic or time.monotonic
        self._quiet_since = self.monotonic()
        self._answered = False
        self.typed = ""  # what was typed into the dialog, kept in the chat box
        self.ignored_keys = 0  # keys that reached the dialog before it was armed (or were no answer)

    # ---- arming ----------------------------------------------------------------------------------

    @property
    def armed(self) -> bool:
        return not self._answered and self.monotonic() - self._quiet_since >= self.arm_delay

    def disarm(self) -> None:
        """Start the quiet wait again (a key, a resize, the dialog shown again)."""
        self._quiet_since = self.monotonic()
        self._show_keys()

    def arm(self) -> None:
        """Arm now (what the wait does): tests and the replay driver call it."""
        self._quiet_since = self.monotonic() - self.arm_delay
        self._show_keys()

    # ---- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.view.mandate_type != "intent":
            kind = "cart mandate"
        elif self.view.autonomous:
            kind = "intent mandate (buy later, automatically)"
        else:
            kind = "intent mandate (tell me, I sign the cart)"
        with Vertical(id="signature-dialog"):
            yield Static(Text(f"Sign {kind}?", style="bold"), id="signature-title")
            with SignatureBody(id="signature-body"):
                yield Static(render_signature(self.view, mask_key=self.mask_key))
            typed = Static("", id="signature-typed")
            typed.display = False
            yield typed
            with Horizontal(id="signature-buttons"):
                yield DialogButton("Sign (y)", variant="success", id="sign-button")
                yield DialogButton("Decline (n)", variant="error", id="decline-button")
            yield Static(id="signature-keys")
        if self.view.mandate_type == "intent":
            self.add_class("intent")

    def on_mount(self) -> None:
        self.query_one(SignatureBody).focus()
        self.disarm()
        self.set_interval(0.1, self._show_keys, name="signature-arm")

    def on_screen_resume(self) -> None:
        self.disarm()

    def on_resize(self) -> None:
        self.disarm()

    def _show_keys(self) -> None:
        if not self.is_mounted:
            return
        keys = self.query_one("#signature-keys", Static)
        if self.armed:
            keys.update(Text.assemble(("y", "bold green"), " sign     ", ("n", "bold red"), "/",
                                      ("Esc", "bold red"), " decline     ", ("Enter does nothing here", "dim")))
        else:
            keys.update(Text("read the dialog… it answers to y / n / Esc once you stop typing", style="dim"))

    # ---- keys and clicks -------------------------------------------------------------------------

    def _keep(self, char: str | None, *, backspace: bool = False) -> None:
        """A key that was not an answer: start the wait again, and keep any text for the chat."""
        self.ignored_keys += 1
        self.disarm()
        if backspace and self.typed:
            self.typed = self.typed[:-1]
            self.post_message(self.TypedAhead("", backspaces=1))
        elif char:
            self.typed += char
            self.post_message(self.TypedAhead(char))
        if self.typed:
            shown = self.query_one("#signature-typed", Static)
            shown.display = True
            shown.update(Text.assemble(("Typed while this dialog opened (kept in the chat box, not sent): ", "dim"),
                                       safe_text(self.typed, newlines=False)))

    def on_key(self, event: events.Key) -> None:
        """Every key that is not a binding of the dialog lands here (from the focused body)."""
        if event.key in ("ctrl+q", "ctrl+c"):
            return
        event.stop()
        event.prevent_default()
        if event.key == "backspace":
            self._keep(None, backspace=True)
        elif event.is_printable and event.character:
            self._keep(event.character)
        else:  # Enter, Tab, arrows, function keys: never an answer
            self._keep(None)

    def action_press(self, key: str) -> None:
        """y signs, n / Esc decline, once armed; before that y and n are letters of a message."""
        if not self.armed:
            self._keep(key if key in ("y", "n") else None)
            return
        self._answer(key == "y")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if not self.armed:
            self.disarm()
            return
        self._answer(event.button.id == "sign-button")

    def _answer(self, approve: bool) -> None:
        self._answered = True  # one answer only, however fast the keys repeat
        self.dismiss(approve)
