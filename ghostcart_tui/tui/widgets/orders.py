"""The orders pane: transactions with status, amount, mode and time; Enter opens the inspector."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ...core.money import format_cents
from ..safe import cell

STATUS_STYLE = {"authorized": "green", "declined": "red", "failed": "red"}


class OrdersPane(Vertical):
    class InspectRequested(Message):
        def __init__(self, transaction_id: str) -> None:
            super().__init__()
            self.transaction_id = transaction_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tx_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Orders", style="bold"), id="orders-title")
        table: DataTable[Text] = DataTable(id="orders-table", cursor_type="row", zebra_stripes=True)
        for label, key in (("Time", "time"), ("Product", "product"), ("Status", "status"), ("Amount", "amount"),
                           ("Mode", "mode"), ("Transaction", "tx"), ("Note", "note")):
            table.add_column(label, key=key)
        yield table
        yield Static(Text("Enter: inspect the mandate chain", style="dim"), classes="pane-hint")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#orders-table", DataTable)

    MAX_ROWS = 500  # the newest; an ordinary shopper has far fewer

    def show_loading(self) -> None:
        self.query_one("#orders-title", Static).update(Text.assemble(("Orders", "bold"), ("  loading…", "dim")))

    def show(self, txs: list) -> None:
        total = len(txs)
        txs = txs[: self.MAX_ROWS]
        table = self.table
        keep = table.cursor_row
        table.clear()
        self.tx_ids = [t.transaction_id for t in txs]
        for t in txs:
            mode = "HNP" if t.mode == "hnp" else "HP"
            note = t.decline_reason or (f"auth {t.authorization_code}" if t.authorization_code else "")
            product = t.product_name or "—"
            width = 18 if self.app.size.width < 100 else 32  # at 80 columns the transaction id fits
            if len(product) > width:
                product = product[: width - 1] + "…"
            table.add_row(cell(t.created_at.strftime("%m-%d %H:%M")), cell(product),
                          cell(t.status, STATUS_STYLE.get(t.status, "")),
                          Text(format_cents(t.amount_cents, t.currency), justify="right"), cell(mode),
                          cell(t.transaction_id), cell(note, "dim"), key=t.transaction_id)
        title = Text("Orders", style="bold")
        title.append(f"  ({total})" if total <= len(txs) else f"  (showing {len(txs)} of {total:,})", style="dim")
        self.query_one("#orders-title", Static).update(title)
        if txs and keep is not None:
            table.move_cursor(row=min(keep, len(txs) - 1), animate=False)

    def highlighted_tx_id(self) -> str | None:
        table = self.table
        if not self.tx_ids or table.cursor_row is None or table.cursor_row >= len(self.tx_ids):
            return None
        return self.tx_ids[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.InspectRequested(event.row_key.value))
