"""Rich rendering of replay results: transcript lines, the failure report, the summary table.
Everything from a scenario or an event is data: it goes in Text objects, never markup."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .runner import Line, ScenarioResult, StepOutcome

if TYPE_CHECKING:
    from .schema import ScenarioError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_STYLE = {"you": "bold cyan", "agent": "green", "event": "magenta", "world": "yellow", "clock": "yellow",
          "pass": "green", "fail": "bold red", "info": "dim"}
_EVENT_FIELDS_HIDDEN = {"event", "authorization_code"}


def clean(text: Any, *, oneline: bool = False) -> str:
    s = str(text)
    if oneline:
        s = re.sub(r"[\r\n\t\v\f\u2028\u2029]+", " ", s)
    return _CONTROL.sub("", s)


def event_summary(e: dict, *, verbose: bool = False) -> str:
    items = [(k, v) for k, v in e.items() if k not in _EVENT_FIELDS_HIDDEN and (verbose or v is not None)]
    body = ", ".join(f"{k}={_val(v)}" for k, v in items)
    return f"{e.get('event', '?')}({body})"


def _val(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ",".join(str(x) for x in v) + "]"
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "…"


def render_line(line: Line, *, verbose: bool = False) -> Text:
    label = {"you": "you", "agent": line.who or "agent", "event": "•", "world": "world", "clock": "clock",
             "pass": "✓", "fail": "✗", "info": "·"}.get(line.kind, line.kind)
    t = Text("  ")
    t.append(f"{label:>10} ", style=_STYLE.get(line.kind, ""))
    body = event_summary(line.event, verbose=verbose) if line.kind == "event" and line.event else line.text
    t.append(clean(body, oneline=line.kind != "agent"), style="" if line.kind in ("you", "agent") else
             _STYLE.get(line.kind, ""))
    return t


def render_failure(out: StepOutcome) -> list[Text]:
    lines = [Text(clean(out.message), style="bold red")]
    opener = out.window_opener
    since = f"since step {opener.index} ({clean(opener.describe(), oneline=True)})" if opener else "since the start"
    if not out.window:
        lines.append(Text(f"    no events {since}", style="red"))
        return lines
    lines.append(Text(f"    events seen {since}:", style="red"))
    notes = {id(e): why for e, why in out.near_misses}
    for e in out.window:
        if e.get("event") in ("agent_activity", "turn_metrics", "agent_text_delta"):
            continue
        t = Text("      - " + clean(event_summary(e), oneline=True))
        if id(e) in notes and notes[id(e)]:
            t.append("   ← " + clean("; ".join(notes[id(e)]), oneline=True), style="yellow")
        lines.append(t)
    return lines


def print_scenario_header(console: Console, result_or_name: Any, path: Any) -> None:
    name = result_or_name if isinstance(result_or_name, str) else result_or_name.scenario.name
    console.print(Text.assemble(("▶ ", "bold"), (clean(name, oneline=True), "bold"), (f"  {clean(path)}", "dim")))


def print_result_footer(console: Console, result: ScenarioResult) -> None:
    if result.error:
        console.print(Text("  ✗ " + clean(result.error), style="bold red"))
    elif result.failure:
        for t in render_failure(result.failure):
            console.print(Text("  ").append_text(t))
    else:
        console.print(Text(f"  ✓ passed ({result.checks} checks, {result.seconds:.1f}s)", style="green"))
    if result.home is not None:
        console.print(Text(f"  data: {result.home}", style="dim"))
    console.print()


def summary_table(results: list[ScenarioResult], invalid: list[ScenarioError]) -> Table:
    table = Table(title="Replay summary", title_justify="left")
    table.add_column("result", no_wrap=True)
    table.add_column("file", no_wrap=True)
    table.add_column("checks", justify="right", no_wrap=True)
    table.add_column("tx", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("failed at", no_wrap=True)
    for err in invalid:
        table.add_row(Text("INVALID", style="bold red"), Text(clean(err.path.name)), "", "", "",
                      Text(f"line {err.line}" if err.line else "file"))
    for r in results:
        if r.passed:
            status, where = Text("PASS", style="bold green"), Text("")
        elif r.failure is not None:
            f = r.failure.step
            status = Text("FAIL", style="bold red")
            where = Text(f"step {f.index}" + (f" (line {f.line})" if f.line else "") + f" {f.kind}")
        else:
            status, where = Text("ERROR", style="bold red"), Text("could not start")
        table.add_row(status, Text(clean(r.scenario.path.name)), str(r.checks), str(r.counts.get("transactions", "")),
                      f"{r.seconds:.1f}s", where)
    return table
