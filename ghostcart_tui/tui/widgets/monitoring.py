"""The monitoring pane: every job, its limits, last check and result, next check, time left."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ...core.clock import humanize_delta
from ...core.money import format_cents
from ..safe import cell

log = logging.getLogger(__name__)

FILL_BATCH = 50  # rows added to the table per turn of the event loop: keys are handled in between
Row = tuple[str, list[Text]]  # (job id, cells)
JobsLoader = Callable[[], tuple[Sequence[Any], int, datetime]]  # → (jobs, how many in all, now); in a thread

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
        table: DataTable[Text] = DataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
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
    def table(self) -> DataTable[Text]:
        return self.query_one("#jobs-table", DataTable)

    def set_lease(self, text: Text) -> None:
        self.query_one("#lease-line", Static).update(text)

    def show_loading(self) -> None:
        self.set_lease(Text.assemble(("Monitoring", "bold"), ("  loading…", "dim")))

    def show(self, jobs: Sequence[Any], now: datetime) -> None:
        """Fill the table at once (small lists; reload() is the off-thread path)."""
        shown, total = self._pick(jobs)
        self._begin(shown, total)
        keep = self.table.cursor_row
        for key, row in self._rows(shown, now):
            self.table.add_row(*row, key=key)
        self._end(keep)

    def reload(self, load: JobsLoader) -> None:
        """Refresh from load(): the query and the rows' text are made in a thread, the table is
        filled FILL_BATCH rows at a time on the UI thread; a newer reload replaces a running one."""
        self._reload(load)

    @work(group="jobs-reload", exclusive=True, exit_on_error=False)
    async def _reload(self, load: JobsLoader) -> None:
        def prepare() -> tuple[list[Any], int, list[Row]]:
            jobs, total, now = load()
            shown, _ = self._pick(jobs)
            return shown, max(total, len(jobs)), self._rows(shown, now)

        try:
            shown, total, rows = await asyncio.to_thread(prepare)
        except Exception as exc:
            log.warning("loading the monitoring jobs failed: %s", exc)
            return
        keep = self.table.cursor_row
        self._begin(shown, total)
        for start in range(0, len(rows), FILL_BATCH):
            if start:
                await asyncio.sleep(0)  # let keys (and the table's own layout) run between batches
            for key, row in rows[start:start + FILL_BATCH]:
                self.table.add_row(*row, key=key)
        self._end(keep)

    def _pick(self, jobs: Sequence[Any]) -> tuple[list[Any], int]:
        """At most MAX_ROWS jobs: live ones first (newest first), then the ended ones."""
        total = len(jobs)
        picked = list(jobs)
        if total > self.MAX_ROWS:
            picked = ([j for j in jobs if j.active] + [j for j in jobs if not j.active])[: self.MAX_ROWS]
        return picked, total

    def _begin(self, jobs: list[Any], total: int) -> None:
        more = self.query_one("#jobs-more", Static)
        more.display = total > len(jobs)
        if more.display:
            more.update(Text(f"showing {len(jobs):,} of {total:,} jobs (live ones first)", style="dim"))
        self.table.clear()
        self.job_ids = [j.job_id for j in jobs]
        self.live = {j.job_id: j.active for j in jobs}

    def _end(self, keep: int | None) -> None:
        if self.job_ids and keep is not None:
            self.table.move_cursor(row=min(keep, len(self.job_ids) - 1), animate=False)

    def _rows(self, jobs: list[Any], now: datetime) -> list[Row]:
        """The table's rows (pure: safe to run in a thread)."""
        rows: list[Row] = []
        width = 22 if self.narrow else 48
        for j in jobs:
            result = j.last_result or "not checked yet"
            if j.last_price_cents is not None and j.last_check_at:
                result = f"{format_cents(j.last_price_cents)}: {result}"
            nxt = humanize_delta(j.next_check_at - now) if j.status == "active" else "—"
            left = humanize_delta(j.expires_at - now) if j.active else "—"
            if len(result) > width:
                result = result[: width - 1] + "…"
            query = j.product_query if len(j.product_query) <= 20 or not self.narrow else j.product_query[:19] + "…"
            row = [cell(query), cell(limits_text(j)), cell(j.status, STATUS_STYLE.get(j.status, "")), cell(nxt),
                   cell(left)]
            if not self.narrow:
                row.append(cell(_hm(j.last_check_at)))
            row.append(cell(result))
            rows.append((j.job_id, row))
        return rows

    def highlighted_job_id(self) -> str | None:
        table = self.table
        if not self.job_ids or table.cursor_row is None or table.cursor_row >= len(self.job_ids):
            return None
        return self.job_ids[table.cursor_row]
