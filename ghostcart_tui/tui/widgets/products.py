"""The products pane: the latest search results; Enter asks to buy the highlighted one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ...core.money import format_cents
from ..safe import cell, safe_text


class ProductsPane(Vertical):
    class BuyRequested(Message):
        def __init__(self, product_id: str) -> None:
            super().__init__()
            self.product_id = product_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.product_ids: list[str] = []
        self.query_text: str = ""

    def compose(self) -> ComposeResult:
        yield Static(Text("No results yet: ask for something in Chat.", style="dim"), id="products-title")
        table = DataTable(id="products-table", cursor_type="row", zebra_stripes=True)
        table.add_column("Product", key="name")
        table.add_column("Price", key="price")
        table.add_column("Stock", key="stock")
        table.add_column("Delivery", key="delivery")
        yield table
        yield Static(Text("Enter: buy the highlighted product", style="dim"), classes="pane-hint")

    @property
    def table(self) -> DataTable:
        return self.query_one("#products-table", DataTable)

    def show(self, query: str, products: list) -> None:
        self.query_text = query
        self.product_ids = [p.product_id for p in products]
        title = Text("Results for ", style="bold")
        title.append_text(safe_text(query, newlines=False))
        title.append(f"  ({len(products)})", style="dim")
        self.query_one("#products-title", Static).update(title)
        table = self.table
        table.clear()
        for p in products:
            stock = cell("in stock", "green") if p.in_stock else cell("out of stock", "red")
            days = f"{p.delivery_days} day" + ("" if p.delivery_days == 1 else "s")
            table.add_row(cell(p.name), Text(format_cents(p.price_cents), justify="right"), stock, cell(days),
                          key=p.product_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.BuyRequested(event.row_key.value))
