"""Purchase with the offline model, through the real Strands loop and a real SQLite file:
HP from the first message to an authorized transaction (signature answered "approve"), and HNP
setup to an active monitoring job. Counts come from TurnOutcome.metrics, summed over every turn
including the one after the signature pause.

Agent overhead is wall time minus the time spent inside the model's stream. The model is timed
by wrapping what ghostcart_tui.agents.graph builds (build_model); the time between the stream's
yields belongs to the consumer (Strands, tools, services, SQLite) and counts as overhead. The
graph (four Strands agents) is built before the clock starts and reported on its own.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ._core import Figure, Target, figure, make_runtime, median, temp_home, unavailable

NAME = "purchase"

HP_DIRECT = ("hp_direct", "HP direct", ["Buy the Philips coffee maker"])
HP_SEARCH = ("hp_search", "HP search + buy", ["Find me a coffee maker under $90", "Buy it"])
HNP = ("hnp_setup", "HNP setup", ["Buy AirPods if they drop below $180, delivered within 2 days"])
FLOWS = (HP_DIRECT, HP_SEARCH, HNP)


class ModelClock:
    """Seconds spent inside model streams (the model's own work only)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0


class TimedModel:
    """Wraps a strands Model; times its stream, delegates everything else."""

    def __init__(self, inner: Any, clock: ModelClock) -> None:
        self.inner, self._clock = inner, clock

    def __getattr__(self, name: str) -> Any:
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    async def stream(self, *args: Any, **kwargs: Any):
        clock = self._clock
        clock.calls += 1
        it = self.inner.stream(*args, **kwargs).__aiter__()
        while True:
            t0 = time.perf_counter()
            try:
                event = await it.__anext__()
            except StopAsyncIteration:
                clock.seconds += time.perf_counter() - t0
                return
            clock.seconds += time.perf_counter() - t0
            yield event


@contextmanager
def timed_models(clock: ModelClock) -> Iterator[bool]:
    """Patch the graph's model factory; yields False when there is nothing to patch."""
    try:
        import ghostcart_tui.agents.graph as graph
    except Exception:
        yield False
        return
    original = getattr(graph, "build_model", None)
    if original is None:
        yield False
        return
    graph.build_model = lambda *a, **k: TimedModel(original(*a, **k), clock)
    try:
        yield True
    finally:
        graph.build_model = original


@dataclass
class FlowRun:
    wall: float = 0.0
    model: float = 0.0
    turns: int = 0
    invocations: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    graph_build: float = 0.0
    connections: int = 0  # SQLite units of work (Database opens one connection per unit)
    ok: bool = False
    detail: str = ""
    tools: list[str] = field(default_factory=list)

    def add(self, metrics: dict[str, Any]) -> None:
        self.turns += 1
        self.invocations += int(metrics.get("model_invocations", 0))
        self.tool_calls += int(metrics.get("tool_calls", 0))
        self.input_tokens += int(metrics.get("input_tokens", 0))
        self.output_tokens += int(metrics.get("output_tokens", 0))
        self.tools += list(metrics.get("tools", []))


async def run_flow(messages: list[str], kind: str, *, hold: bool = False) -> FlowRun:
    """One flow on a fresh runtime. hold: keep one extra connection open on the file (what-if)."""
    from ghostcart_tui.agents.conversation import Conversation
    from ghostcart_tui.services import monitoring, orders

    clock = ModelClock()
    r = FlowRun()
    with temp_home() as home, timed_models(clock) as patched:
        rt = make_runtime(home)
        try:
            conv = Conversation(rt, model="offline")
            t0 = time.perf_counter()
            if hasattr(conv, "_ensure_graph"):
                conv._ensure_graph()
            r.graph_build = time.perf_counter() - t0
            clock.seconds = 0.0
            from .bench_store import UnitCounter

            from .bench_store import _nothing, held_connection

            units = UnitCounter(rt.db.engine)
            held = held_connection(rt.db.path) if hold else _nothing()
            held.__enter__()
            t0 = time.perf_counter()
            out = None
            for text in messages:
                out = await conv.send(text)
                r.add(out.metrics)
            if out is not None and out.pending_signature is not None:
                out = await conv.answer_signature(out.pending_signature.mandate_id, True)
                r.add(out.metrics)
            r.wall = time.perf_counter() - t0
            held.__exit__(None, None, None)
            r.connections = units.connects
            r.model = clock.seconds if patched else float("nan")
            if kind == "hnp":
                jobs = monitoring.list_jobs(rt, live_only=True)
                r.ok = any(j.status == "active" for j in jobs)
                r.detail = f"jobs: {[j.status for j in jobs]}"
            else:
                txs = orders.list_transactions(rt)
                r.ok = any(t.status == "authorized" for t in txs)
                r.detail = f"transactions: {[t.status for t in txs]}"
            if not r.ok:
                r.detail += f"; last answer: {out.text[:160] if out else None!r}"
        finally:
            rt.close()
    return r


def _figures(key: str, label: str, runs: list[FlowRun], hp: bool, messages: list[str]) -> list[Figure]:
    ok = [r for r in runs if r.ok]
    if not ok:
        return [unavailable(NAME, f"{key}_wall_s", label, f"the flow did not complete ({runs[-1].detail})")]
    inv = median([r.invocations for r in ok])
    tools = median([r.tool_calls for r in ok])
    wall = median([r.wall for r in ok])
    turns = ok[0].turns
    measured = all(r.model == r.model for r in ok)  # not NaN
    per_turn = [(r.wall - r.model) / r.turns * 1000 if measured else r.wall / r.turns * 1000 for r in ok]
    inv_target = Target("max", 8, "≤ 8 (aim 6)", inclusive=True) if hp else Target("max", 6, "≤ 6", inclusive=True)
    figs = [
        figure(NAME, f"{key}_wall_s", f"{label}: wall, first message → " + ("authorized" if hp else "active job"),
               wall, "s", samples=[r.wall for r in ok],
               note=" + ".join(repr(m) for m in messages) + f" + approve: {turns} turns incl. the one after the "
                    f"signature; {len(ok)}/{len(runs)} runs completed"),
        figure(NAME, f"{key}_invocations", f"{label}: model invocations", inv, "count", target=inv_target,
               note=("aim 6: " + ("met" if inv <= 6 else f"{inv - 6:g} above")) if hp else None),
        figure(NAME, f"{key}_tool_calls", f"{label}: tool calls", tools, "count",
               note=", ".join(ok[0].tools)),
        figure(NAME, f"{key}_overhead_ms", f"{label}: agent overhead per turn (excl. model)", median(per_turn), "ms",
               target=Target("max", 50, "< 50 ms"), samples=per_turn,
               note=(f"model streams took {median([r.model for r in ok]) * 1000:.1f} ms of "
                     f"{wall * 1000:.0f} ms" if measured else "model not wrappable: total time per turn")),
        figure(NAME, f"{key}_db_units", f"{label}: SQLite units of work (connections)",
               median([r.connections for r in ok]), "count",
               note=f"{median([r.connections for r in ok]) / turns:.1f} per turn; each opens and closes a connection"),
        figure(NAME, f"{key}_tokens", f"{label}: tokens in/out (offline estimate)",
               median([r.input_tokens for r in ok]), "count",
               note=f"output {median([r.output_tokens for r in ok]):g}"),
    ]
    return figs


def run(*, quick: bool = False, reps: int | None = None, warmup: bool = True,
        flows: tuple[str, ...] | None = None) -> list[Figure]:
    reps = reps or (1 if quick else 5)
    try:
        import ghostcart_tui.agents.conversation  # noqa: F401
    except Exception as exc:
        return [unavailable(NAME, "hp_direct_wall_s", "HP purchase", f"agents do not import ({exc})")]
    # Warm-up: imports (strands, the offline NLU) and first-use caches, outside every figure.
    if warmup:
        asyncio.run(run_flow(HP_DIRECT[2], "hp"))
    figs: list[Figure] = []
    graph_builds: list[float] = []
    for key, label, messages in FLOWS:
        if flows is not None and key not in flows:
            continue
        kind = "hnp" if key.startswith("hnp") else "hp"
        runs = [asyncio.run(run_flow(messages, kind)) for _ in range(reps)]
        graph_builds += [r.graph_build for r in runs]
        figs += _figures(key, label, runs, kind == "hp", messages)
    if flows is None or "hp_direct" in flows:
        held = [asyncio.run(run_flow(HP_DIRECT[2], "hp", hold=True)) for _ in range(reps)]
        ok = [r for r in held if r.ok]
        base = next((f for f in figs if f.name == "hp_direct_overhead_ms" and f.available), None)
        if ok:
            per_turn = [(r.wall - r.model) / r.turns * 1000 for r in ok]
            figs.append(figure(NAME, "hp_direct_overhead_held_ms",
                               "  what-if: HP direct overhead per turn, one connection held open", median(per_turn),
                               "ms", baseline=base.value if base else None, baseline_label="as shipped",
                               samples=per_turn, note="no WAL checkpoint + truncate each time a unit's connection closes"))
    figs.append(figure(NAME, "graph_build_s", "Agent graph build (per conversation, not in the flows)",
                       median(graph_builds), "s", samples=graph_builds))
    return figs


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
