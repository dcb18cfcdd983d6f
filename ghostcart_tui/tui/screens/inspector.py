"""The mandate inspector: Intent → Cart → Payment → Transaction, every signature re-verified now
(valid / INVALID with the reason), the raw AP2 JSON highlighted, and export of the chain."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.console import Group
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...core.money import format_cents
from ..errors import describe_error
from ..safe import safe_str, safe_text

STAGES = ("intent", "cart", "payment")
_JWS = re.compile(r"^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{16,}$")
HIDDEN = "«hidden»"


def mask_volatile(data):
    """Signatures and key ids differ on every run (random keys, ECDSA nonces): hide them for
    snapshot tests. Everything else is shown as stored."""
    if isinstance(data, dict):
        return {k: (HIDDEN if k in ("kid", "signature", "fingerprint", "x", "y") and isinstance(v, str)
                    else mask_volatile(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_volatile(v) for v in data]
    if isinstance(data, str) and _JWS.match(data):
        return HIDDEN
    return data


def export_path(rt, ref: str) -> Path:
    safe_ref = "".join(ch for ch in ref if ch.isalnum() or ch in "-_") or "chain"
    return rt.settings.data_home / "exports" / f"chain-{safe_ref}.json"


def _one_line(value: str, width: int = 18) -> Text:
    text = safe_str(value, newlines=False)
    return Text(text if len(text) <= width else text[: width - 1] + "…", style="dim")


def _stage_box(name: str, mandate, verdicts: list) -> Static:
    title = Text(name.capitalize(), style="bold")
    if mandate is None:
        body = Text.assemble(title, "\n", ("— none —", "dim"))
        return Static(body, classes="stage missing")
    bad = [v for v in verdicts if not v.ok]
    status = Text("INVALID", style="bold red") if bad else Text("valid", style="bold green")
    body = Text.assemble(title, "  ", status, "\n", _one_line(mandate.mandate_id), "\n",
                         safe_text(mandate.status, newlines=False))
    body.no_wrap, body.overflow = True, "ellipsis"
    return Static(body, classes="stage " + ("invalid" if bad else "valid"))


def _tx_box(tx) -> Static:
    title = Text("Transaction", style="bold")
    if tx is None:
        return Static(Text.assemble(title, "\n", ("— none —", "dim")), classes="stage missing")
    style = "bold green" if tx.status == "authorized" else "bold red"
    body = Text.assemble(title, "  ", (safe_str(tx.status), style), "\n",
                         _one_line(tx.transaction_id), "\n",
                         format_cents(tx.amount_cents, tx.currency), " · ", "HNP" if tx.mode == "hnp" else "HP")
    body.no_wrap, body.overflow = True, "ellipsis"
    return Static(body, classes="stage")


_KEY_IN_REASON = re.compile(r"\(key [^)]*\)")


def render_verdicts(verdicts: list, mask: bool = False) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for v in verdicts:
        mark = Text("✓ valid", style="green") if v.ok else Text("✗ INVALID", style="bold red")
        reason = safe_text(_KEY_IN_REASON.sub("(key «hidden»)", v.reason) if mask else v.reason, newlines=False)
        if not v.ok and v.code:
            reason.append(f"  ({v.code})", style="red")
        table.add_row(mark, safe_text(v.check, newlines=False), reason)
    return table


def render_json(view, mask: bool = False) -> Group:
    parts = []
    for name in STAGES:
        m = getattr(view, name)
        if m is None:
            continue
        parts.append(Text(f"{name.capitalize()} mandate {safe_str(m.mandate_id, newlines=False)}", style="bold"))
        # json.dumps escapes control characters, so the raw JSON is safe to show as it is.
        data = mask_volatile(m.data) if mask else m.data
        parts.append(Syntax(json.dumps(data, indent=2, ensure_ascii=True), "json", theme="monokai",
                            word_wrap=True, background_color="default"))
        parts.append(Text(""))
    return Group(*parts)


def render_v02(rt, view, mask: bool = False):
    """The AP2 v0.2 chain of the same purchase: open → closed hops with who signed each and what
    it allows, the receipts, and every v0.2 check re-run now (AP2 v0.2 stream)."""
    from ...services import ap2_v02

    ref = view.transaction.transaction_id if view.transaction else view.payment.mandate_id if view.payment else None
    v2 = ap2_v02.chain_v02(rt, ref) if ref else None
    if v2 is None:
        return Text("AP2 v0.2: this chain has no v0.2 records", style="dim")
    steps = Table.grid(padding=(0, 1))
    for col in (dict(no_wrap=True, style="bold"), dict(no_wrap=True), dict(ratio=1)):
        steps.add_column(**col)
    for step, signer, detail in ap2_v02.describe(v2.document):
        steps.add_row(*(safe_text(cell, newlines=False) for cell in (step, signer, detail)))
    head = Text.assemble(("AP2 v0.2 chain, re-verified now  ", "bold"),
                         ("✓ every check passes", "bold green") if v2.report.ok else ("✗ INVALID", "bold red"))
    return Group(head, steps, Text(""), render_verdicts(v2.report.verdicts, mask), Text(""))


class InspectorScreen(Screen[None]):
    DEFAULT_CSS = """
    #inspector {
        height: 1fr;
    }

    #inspector-title {
        height: auto;
        padding: 0 1;
    }

    #chain-row {
        height: auto;
        padding: 0 1;
    }

    #chain-row > .stage {
        width: 1fr;
        height: auto;
        border: round $panel-lighten-2;
        padding: 0 1;
    }

    #chain-row > .stage.valid {
        border: round $success;
    }

    #chain-row > .stage.invalid {
        border: round $error;
    }

    #chain-row > .stage.missing {
        color: $text-muted;
    }

    #chain-row > .arrow {
        width: 3;
        height: 4;
        content-align: center middle;
    }

    #inspector-scroll {
        height: 1fr;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Back"),
        Binding("e", "export", "Export chain"),
        Binding("r", "reload", "Re-verify"),
        Binding("v", "toggle_v02", "AP2 v0.2", show=False),
    ]

    def __init__(self, rt, ref: str, *, mask: bool = False) -> None:
        super().__init__(classes="inspector-screen")
        self.rt = rt
        self.ref = ref
        self.mask = mask
        self.view = None
        self.show_v02 = False

    def compose(self) -> ComposeResult:
        with Vertical(id="inspector"):
            yield Static(id="inspector-title")
            yield Horizontal(id="chain-row")
            with VerticalScroll(id="inspector-scroll"):
                yield Static(id="verdicts")
                yield Static(id="raw-json")
        yield Footer()

    async def on_mount(self) -> None:
        await self._verify()
        self.query_one("#inspector-scroll").focus()

    async def action_reload(self) -> None:
        """r: verify every signature again, and say what came out."""
        await self._verify()
        if self.view is None:
            self.app.notify("Could not re-verify this chain; the title says why.", title="Re-verify",
                            severity="error", markup=False)
        elif self.view.ok:
            self.app.notify(f"Re-verified now: all {len(self.view.verdicts)} checks pass.", title="Re-verify",
                            markup=False)
        else:
            bad = sum(1 for v in self.view.verdicts if not v.ok)
            self.app.notify(f"Re-verified now: {bad} check(s) FAIL; this chain does not verify.",
                            title="Re-verify", severity="error", markup=False)

    async def _verify(self) -> None:
        title = self.query_one("#inspector-title", Static)
        try:
            from ...services import inspect as inspect_service

            view = inspect_service.chain_view(self.rt, self.ref)
        except Exception as exc:  # readable, never a traceback
            title.update(Text.assemble(("Cannot inspect: ", "bold red"), safe_text(describe_error(exc))))
            return
        self.view = view
        head = Text.assemble(("Mandate chain  ", "bold"), safe_text(self.ref, newlines=False), "   ")
        head.append_text(Text("✓ every check passes", style="bold green") if view.ok
                         else Text("✗ INVALID: this chain does not verify", style="bold red"))
        title.update(head)
        row = self.query_one("#chain-row", Horizontal)
        await row.remove_children()
        boxes = []
        for name in STAGES:
            if name != "intent":
                boxes.append(Static("→", classes="arrow"))
            boxes.append(_stage_box(name, getattr(view, name),
                                    [v for v in view.verdicts if v.check.startswith(name)]))
        boxes.append(Static("→", classes="arrow"))
        boxes.append(_tx_box(view.transaction))
        await row.mount_all(boxes)
        v02 = [render_v02(self.rt, view, self.mask)] if self.show_v02 else []
        self.query_one("#verdicts", Static).update(Group(*v02, Text("Checks (re-verified now)", style="bold"),
                                                         render_verdicts(view.verdicts, self.mask), Text("")))
        self.query_one("#raw-json", Static).update(render_json(view, self.mask))

    def action_export(self) -> None:
        path = export_path(self.rt, self.ref)
        try:
            from ...services import inspect as inspect_service

            inspect_service.export_chain(self.rt, self.ref, path)
        except Exception as exc:
            self.app.notify(describe_error(exc), title="Export failed", severity="error", markup=False)
            return
        self.app.notify(f"Chain exported to {path}", title="Exported", markup=False)

    async def action_toggle_v02(self) -> None:
        self.show_v02 = not self.show_v02
        await self.action_reload()

    def action_close(self) -> None:
        self.dismiss(None)
