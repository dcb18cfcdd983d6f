"""The monitoring pane: every job, its limits, last check and result, next check, time left."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ...core.clock import humanize_delta
from ...core.money import format_cents
from ..safe import cell

STATUS_STYLE = {"active": "green", "purchasing": "yellow", "awaiting_user": "yellow", "completed": "cyan",
                "purchased": "cyan", "expired": "dim", "cancelled": "dim"}


def limits_text(job) -> str:
    parts = [f"≤ {format_cents(job.max_price_cents)}"]
    if job.max_total_cents:
        parts.append(f"total ≤ {format_cents(job.max_total_cents)}")
    if job.max_delivery_days is not None:
        parts.append(f"≤ {job.max_delivery_days}d")
    return ", ".join(parts)


def _hm(dt: datetime | None) -> str:
    return dt.strftime("%m-%d %H:%M") if dt else "—"


class MonitoringPane(Vertical):
    # not in the footer (the hint line under the table names them): the footer stays whole at 80 columns
    BINDINGS = [Binding("x", "app.cancel_job", "Cancel job", show=False),
                Binding("c", "app.check_now", "Check now", show=False)]
    MAX_ROWS = 500  # a DataTable of 10,000 rows costs ~2 s to fill; live jobs are listed first

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.narrow = False
        self.job_ids: list[str] = []
        self.live: dict[str, bool] = {}

    NARROW = 100  # below this many columns the "Last check" time is left out, so Result fits

    def compose(self) -> ComposeResult:
        yield Static(Text("Monitoring", style="bold"), id="lease-line")
        table = DataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
        self.narrow = self.app.size.width < self.NARROW
        columns = [("Watching", "query"), ("Limits", "limits"), ("Status", "status"), ("Next", "next"),
                   ("Left", "left"), ("Last check", "last"), ("Result", "result")]
        for label, key in columns:
            if not (self.narrow and key == "last"):
                table.add_column(label, key=key)
        yield table
        more = Static("", id="jobs-more", classes="pane-hint")
        more.display = False
        yield more
        yield Static(Text("x: cancel the highlighted job · c: check every live watch now", style="dim"),
                     classes="pane-hint")

    @property
    def table(self) -> DataTable:
        return self.query_one("#jobs-table", DataTable)

    def set_lease(self, text: Text) -> None:
        self.query_one("#lease-line", Static).update(text)

    def set_loading(self) -> None:
        self.set_lease(Text.assemble(("Monitoring", "bold"), ("  loading…", "dim")))

    def show(self, jobs: list, now: datetime) -> None:
        """At most MAX_ROWS rows: live jobs first (newest first), then the ended ones."""
        total = len(jobs)
        if total > self.MAX_ROWS:
            jobs = ([j for j in jobs if j.active] + [j for j in jobs if not j.active])[: self.MAX_ROWS]
        more = self.query_one("#jobs-more", Static)
        more.display = total > len(jobs)
        if more.display:
            more.update(Text(f"showing {len(jobs):,} of {total:,} jobs (live ones first)", style="dim"))
        table = self.table
        keep = table.cursor_row
        table.clear()
        self.job_ids = [j.job_id for j in jobs]
        self.live = {j.job_id: j.active for j in jobs}
        for j in jobs:
            result = j.last_result or "not checked yet"
            if j.last_price_cents is not None and j.last_check_at:
                result = f"{format_cents(j.last_price_cents)}: {result}"
            nxt = humanize_delta(j.next_check_at - now) if j.status == "active" else "—"
            left = humanize_delta(j.expires_at - now) if j.active else "—"
            width = 22 if self.narrow else 48
            if len(result) > width:
                result = result[: width - 1] + "…"
            query = j.product_query if len(j.product_query) <= 20 or not self.narrow else j.product_query[:19] + "…"
            row = [cell(query), cell(limits_text(j)), cell(j.status, STATUS_STYLE.get(j.status, "")), cell(nxt),
                   cell(left)]
            if not self.narrow:
                row.append(cell(_hm(j.last_check_at)))
            row.append(cell(result))
            table.add_row(*row, key=j.job_id)
        if jobs and keep is not None:
            table.move_cursor(row=min(keep, len(jobs) - 1), animate=False)

    def highlighted_job_id(self) -> str | None:
        table = self.table
        if not self.job_ids or table.cursor_row is None or table.cursor_row >= len(self.job_ids):
            return None
        return self.job_ids[table.cursor_row]
