"""Show the three signers' public keys (kid and fingerprint)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..safe import safe_text
from .signature import MASKED


class KeysScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    KeysScreen {
        align: center middle;
        background: $background 60%;
    }

    #keys-dialog {
        width: 100;
        max-width: 100%;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }

    .dialog-keys {
        margin: 1 0 0 0;
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape,q,enter", "close", "Close")]

    def __init__(self, keys: list, *, mask: bool = False) -> None:
        super().__init__()
        self.keys = keys
        self.mask = mask

    def compose(self) -> ComposeResult:
        table = Table(box=None, header_style="bold", expand=True)
        table.add_column("Signer", no_wrap=True)
        table.add_column("Owner")
        table.add_column("kid / fingerprint")
        for k in self.keys:
            ident = Text(MASKED) if self.mask else safe_text(f"{k.kid}\n{k.fingerprint}")
            table.add_row(k.role, safe_text(k.owner, newlines=False), ident)
        with Vertical(id="keys-dialog"):
            yield Static(Text("Signing keys", style="bold"))
            yield Static(table)
            yield Static(Text("Esc: close", style="dim"), classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
