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
    connections: int = 0  # new SQLite connections opened during the flow (pooled: ideally 0)
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


def _done(rt, kind: str) -> int:
    """How many flows of this kind have completed in rt (authorized transactions, active jobs)."""
    from ghostcart_tui.services import monitoring, orders

    if kind == "hnp":
        return sum(j.status == "active" for j in monitoring.list_jobs(rt, live_only=True))
    return sum(t.status == "authorized" for t in orders.list_transactions(rt))


def _detail(rt, kind: str) -> str:
    from ghostcart_tui.services import monitoring, orders

    if kind == "hnp":
        return f"jobs: {[j.status for j in monitoring.list_jobs(rt, live_only=True)]}"
    return f"transactions: {[t.status for t in orders.list_transactions(rt)]}"


async def _one(rt, conv, clock: ModelClock, patched: bool, messages: list[str], kind: str, hold: bool) -> FlowRun:
    from .bench_store import UnitCounter, _nothing, held_connection

    r = FlowRun()
    t0 = time.perf_counter()
    if hasattr(conv, "_ensure_graph"):
        conv._ensure_graph()
    r.graph_build = time.perf_counter() - t0
    clock.seconds = 0.0
    before = _done(rt, kind)
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
    r.ok = _done(rt, kind) > before
    if not r.ok:
        r.detail = _detail(rt, kind) + f"; last answer: {out.text[:160] if out else None!r}"
    return r


async def run_flow(messages: list[str], kind: str, *, hold: bool = False, warm: int = 0) -> list[FlowRun]:
    """The flow on a fresh runtime (cold: empty SQLAlchemy statement cache, first graph), then
    `warm` more times in the same runtime, each on a new conversation (what a shopper sees from the
    second purchase on). hold: keep one extra connection open on the file (what-if).
    Returns [cold, warm...]."""
    from ghostcart_tui.agents.conversation import Conversation

    clock = ModelClock()
    runs: list[FlowRun] = []
    with temp_home() as home, timed_models(clock) as patched:
        rt = make_runtime(home)
        try:
            conv = Conversation(rt, model="offline")
            for i in range(1 + warm):
                if i:
                    conv.new_conversation()
                runs.append(await _one(rt, conv, clock, patched, messages, kind, hold))
        finally:
            rt.close()
    return runs


def _per_turn(runs: list[FlowRun]) -> list[float]:
    return [((r.wall - r.model) if r.model == r.model else r.wall) / r.turns * 1000 for r in runs]


def _figures(key: str, label: str, cold: list[FlowRun], warm: list[FlowRun], hp: bool,
             messages: list[str]) -> list[Figure]:
    runs = cold + warm
    ok = [r for r in runs if r.ok]
    if not ok:
        return [unavailable(NAME, f"{key}_wall_s", label, f"the flow did not complete ({runs[-1].detail})")]
    ok_cold, ok_warm = [r for r in cold if r.ok], [r for r in warm if r.ok]
    inv = median([r.invocations for r in ok])
    tools = median([r.tool_calls for r in ok])
    wall = median([r.wall for r in ok_warm or ok_cold])
    turns = ok[0].turns
    measured = all(r.model == r.model for r in ok)  # not NaN
    over_target = Target("max", 50, "< 50 ms")
    inv_target = Target("max", 8, "≤ 8 (aim 6)", inclusive=True) if hp else Target("max", 6, "≤ 6", inclusive=True)
    model_note = (lambda rs: f"model streams took {median([r.model for r in rs]) * 1000:.1f} ms of "
                  f"{median([r.wall for r in rs]) * 1000:.0f} ms") if measured else \
        (lambda rs: "model not wrappable: total time per turn")
    figs = [
        figure(NAME, f"{key}_wall_s", f"{label}: wall, first message → " + ("authorized" if hp else "active job")
               + (" (warm)" if ok_warm else " (cold)"),
               wall, "s", samples=[r.wall for r in ok_warm or ok_cold],
               note=" + ".join(repr(m) for m in messages) + f" + approve: {turns} turns incl. the one after the "
                    f"signature; {len(ok)}/{len(runs)} runs completed"),
        figure(NAME, f"{key}_invocations", f"{label}: model invocations", inv, "count", target=inv_target,
               note=("aim 6: " + ("met" if inv <= 6 else f"{inv - 6:g} above")) if hp else None),
        figure(NAME, f"{key}_tool_calls", f"{label}: tool calls", tools, "count",
               note=", ".join(ok[0].tools)),
    ]
    if ok_warm:
        figs.append(figure(NAME, f"{key}_overhead_ms", f"{label}: agent overhead per turn (excl. model), warm",
                           median(_per_turn(ok_warm)), "ms", target=over_target, samples=_per_turn(ok_warm),
                           note="same runtime, new conversation (second purchase on); " + model_note(ok_warm)))
    if ok_cold:
        figs.append(figure(NAME, f"{key}_overhead_cold_ms",
                           f"{label}: agent overhead per turn (excl. model), cold" if ok_warm else
                           f"{label}: agent overhead per turn (excl. model)",
                           median(_per_turn(ok_cold)), "ms", target=None if ok_warm else over_target,
                           samples=_per_turn(ok_cold),
                           note="first flow on a fresh runtime (empty statement cache); " + model_note(ok_cold)))
    if not ok_warm:  # keep the figure name the target is read from
        figs[-1].name = f"{key}_overhead_ms"
    figs += [
        figure(NAME, f"{key}_db_units", f"{label}: SQLite units of work (connections)",
               median([r.connections for r in ok]), "count",
               note=f"{median([r.connections for r in ok]) / turns:.1f} per turn; connections opened (pooled)"),
        figure(NAME, f"{key}_tokens", f"{label}: tokens in/out (offline estimate)",
               median([r.input_tokens for r in ok]), "count",
               note=f"output {median([r.output_tokens for r in ok]):g}"),
    ]
    return figs


def run(*, quick: bool = False, reps: int | None = None, warmup: bool = True,
        flows: tuple[str, ...] | None = None, warm: int | None = None) -> list[Figure]:
    """reps fresh runtimes per flow; in each, one cold flow then `warm` more on new conversations."""
    reps = reps or (1 if quick else 5)
    warm = (1 if quick else 2) if warm is None else warm
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
        cold: list[FlowRun] = []
        warm_runs: list[FlowRun] = []
        for _ in range(reps):
            first, *rest = asyncio.run(run_flow(messages, kind, warm=warm))
            cold.append(first)
            warm_runs += rest
        graph_builds += [r.graph_build for r in cold]
        figs += _figures(key, label, cold, warm_runs, kind == "hp", messages)
    if flows is None or "hp_direct" in flows:
        held = [r for _ in range(reps)
                for r in asyncio.run(run_flow(HP_DIRECT[2], "hp", hold=True, warm=warm))[(1 if warm else 0):]]
        ok = [r for r in held if r.ok]
        base = next((f for f in figs if f.name == "hp_direct_overhead_ms" and f.available), None)
        if ok:
            per_turn = _per_turn(ok)
            figs.append(figure(NAME, "hp_direct_overhead_held_ms",
                               "  what-if: HP direct overhead per turn, one connection held open" +
                               (", warm" if warm else ""), median(per_turn),
                               "ms", baseline=base.value if base else None, baseline_label="as shipped",
                               samples=per_turn,
                               note="no WAL checkpoint + truncate each time a unit's connection closes"))
    figs.append(figure(NAME, "graph_build_s", "Agent graph build (per conversation, not in the flows)",
                       median(graph_builds), "s", samples=graph_builds))
    return figs


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
