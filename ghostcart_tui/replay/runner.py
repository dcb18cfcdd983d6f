"""Play a scenario against a fresh runtime: drive the conversation, change the world, move the
fake clock, and check expectations against the events of the current window.

    result = run_scenario(load_scenario("scenarios/hp_single_match.yaml"))
    result.passed, result.failure, result.transcript

The conversation is anything with the Conversation API (send / answer_signature /
pending_signature); tests pass a fake through `driver_factory`. The factory may return an
awaitable, and `before_step` / `on_finish` let a host pace the steps and look at the result
before the runtime closes: `ghostcart replay --tui` plays a scenario through the app that way.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from .matching import find, mismatches
from .schema import Expectation, ExpectState, NextPayment, Scenario, SetPrice, SetStock, Step

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..services.runtime import Runtime


class Driver(Protocol):
    async def send(self, text: str) -> Any: ...
    async def answer_signature(self, mandate_id: str, approve: bool) -> Any: ...
    def pending_signature(self) -> Any: ...


DriverFactory = Callable[["Runtime", Scenario], "Driver | Awaitable[Driver]"]
StepHook = Callable[[Step], "Awaitable[None] | None"]

# Events worth a transcript line (agent_activity, turn_metrics, world_changed only with verbose).
KEY_EVENTS = (
    "clarification_requested", "product_results", "cart_created", "intent_created", "signature_requested",
    "mandate_signed", "signature_declined", "monitoring_activated", "monitoring_check_complete",
    "autonomous_purchase_complete", "transaction", "monitoring_expired", "monitoring_cancelled", "error",
)


@dataclass(frozen=True)
class Line:
    """One transcript line. kind: you | agent | event | world | clock | pass | fail | info."""

    kind: str
    text: str
    step: int | None = None
    who: str | None = None
    event: dict | None = None


@dataclass
class StepOutcome:
    step: Step
    ok: bool
    message: str = ""
    window: list[dict] = field(default_factory=list)  # events seen in the window (for failures)
    window_opener: Step | None = None
    near_misses: list[tuple[dict, list[str]]] = field(default_factory=list)


@dataclass
class ScenarioResult:
    scenario: Scenario
    outcomes: list[StepOutcome] = field(default_factory=list)
    transcript: list[Line] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # the scenario could not run at all
    seconds: float = 0.0
    home: Path | None = None  # kept data folder (keep_home=True) or the --db home

    @property
    def failure(self) -> StepOutcome | None:
        return next((o for o in self.outcomes if not o.ok), None)

    @property
    def passed(self) -> bool:
        return self.error is None and self.failure is None

    @property
    def checks(self) -> int:
        return sum(1 for o in self.outcomes if not o.step.is_action)


def default_driver(rt: Runtime, scenario: Scenario) -> Driver:
    from ..agents.conversation import Conversation

    return Conversation(rt, model=scenario.settings.model)


def scenario_settings(scenario: Scenario, base: Settings | None = None, *, home: Path | None = None,
                      db: Path | None = None) -> Settings:
    """The settings a scenario runs with. Values a scenario's meaning depends on are pinned to the
    documented defaults, so a local .env cannot change the outcome."""
    from ..core.settings import Settings

    base = base or Settings()
    s = scenario.settings
    update: dict[str, Any] = dict(
        user_id=s.user, processor=s.processor, seed=s.seed, model_provider=s.model,
        monitor_interval_minutes=5, monitor_expiry_days=7, fraud_threshold_cents=80_000,
    )
    if db is not None:
        update.update(db_file=Path(db).expanduser(), data_home=base.data_home)
    else:
        update.update(db_file=None, data_home=Path(home) if home else base.data_home, key_passphrase=None)
    return base.model_copy(update=update)


class ScenarioRunner:
    def __init__(self, scenario: Scenario, *, base_settings: Settings | None = None, db: Path | None = None,
                 driver_factory: DriverFactory | None = None, on_line: Callable[[Line], None] | None = None,
                 verbose: bool = False, keep_home: bool = False, before_step: StepHook | None = None,
                 on_finish: Callable[[ScenarioResult], Awaitable[None] | None] | None = None) -> None:
        self.scenario = scenario
        self.base_settings = base_settings
        self.db = db
        self.driver_factory = driver_factory or default_driver
        self.on_line = on_line
        self.verbose = verbose
        self.keep_home = keep_home
        self.before_step = before_step  # called before each step (a pause to watch it, in the TUI)
        self.on_finish = on_finish  # called with the result while the runtime is still open
        self.result = ScenarioResult(scenario)
        self._events: list[dict] = []
        self._lock = threading.Lock()
        self._window_start = 0
        self._window_opener: Step | None = None
        self._shown = 0  # events already turned into transcript lines
        self.rt: Runtime | None = None
        self.driver: Driver | None = None

    # ---- events ------------------------------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        d = event.to_dict() if hasattr(event, "to_dict") else dict(event)
        with self._lock:
            self._events.append(d)

    def window(self) -> list[dict]:
        with self._lock:
            return list(self._events[self._window_start:])

    def _line(self, line: Line) -> None:
        self.result.transcript.append(line)
        if self.on_line:
            self.on_line(line)

    def _flush_events(self, step: Step | None) -> None:
        with self._lock:
            new = self._events[self._shown:]
            self._shown = len(self._events)
        index = step.index if step else None
        for e in new:
            name = e.get("event")
            if name == "agent_message":
                self._line(Line("agent", str(e.get("text", "")), index, str(e.get("agent", "")), e))
            elif name in KEY_EVENTS or (self.verbose and name != "agent_text_delta"):
                self._line(Line("event", cast(str, name), index, None, e))

    # ---- running -----------------------------------------------------------------------------

    async def run(self) -> ScenarioResult:
        from ..core.clock import FakeClock
        from ..services.runtime import open_runtime

        started = time.monotonic()
        tmp = None if self.db is not None else tempfile.mkdtemp(prefix="ghostcart-replay-")
        try:
            settings = scenario_settings(self.scenario, self.base_settings, home=Path(tmp) if tmp else None,
                                         db=self.db)
            if tmp is None or self.keep_home:
                self.result.home = settings.data_home
            self.rt = rt = open_runtime(settings, clock=FakeClock(self.scenario.settings.start),
                                        seed=self.scenario.settings.seed)
            unsubscribe = rt.bus.subscribe(self._on_event)
            try:
                try:
                    driver = self.driver_factory(rt, self.scenario)
                    self.driver = await driver if inspect.isawaitable(driver) else driver
                except Exception as exc:  # the agent layer could not start
                    self.result.error = f"cannot start the conversation: {type(exc).__name__}: {exc}"
                    return self.result
                for step in self.scenario.steps:
                    await _maybe_await(self.before_step, step)
                    outcome = await self._run_step(step)
                    self.result.outcomes.append(outcome)
                    self._flush_events(step)
                    if step.is_action and outcome.ok:
                        continue
                    self._line(Line("pass" if outcome.ok else "fail", step.describe(), step.index))
                    if not outcome.ok:
                        break
                self.result.counts = _counts(rt)
                await _maybe_await(self.on_finish, self.result)
            finally:
                unsubscribe()
                await _close(self.driver)
                rt.close()
        finally:
            self.result.seconds = time.monotonic() - started
            if tmp is not None and not self.keep_home:
                shutil.rmtree(tmp, ignore_errors=True)
        return self.result

    async def _run_step(self, step: Step) -> StepOutcome:
        if step.is_action:
            with self._lock:
                self._window_start = len(self._events)
            self._window_opener = step
            try:
                return await self._act(step)
            except Exception as exc:  # a service refused, or the agent failed: the step fails
                code = getattr(exc, "code", None)
                msg = f"{code}: {getattr(exc, 'message', exc)}" if code else f"{type(exc).__name__}: {exc}"
                return self._fail(step, f"{step.describe()} failed: {msg}")
        return self._check(step)

    async def _act(self, step: Step) -> StepOutcome:
        from ..services import catalog

        rt, v = self.rt, step.value
        assert rt is not None and self.driver is not None
        if step.kind == "say":
            self._line(Line("you", v, step.index))
            await self.driver.send(v)
        elif step.kind == "sign":
            pending = self.driver.pending_signature()
            if pending is None:
                return self._fail(step, f"sign {v}: no signature is pending")
            self._line(Line("you", f"[{v} signature of {pending.mandate_type} {pending.mandate_id}]", step.index))
            await self.driver.answer_signature(pending.mandate_id, v == "approve")
        elif isinstance(v, SetPrice):
            catalog.set_price(rt, v.product_id, v.price_cents)
            self._line(Line("world", f"{v.product_id} now costs {_money(v.price_cents)}", step.index))
        elif isinstance(v, SetStock):
            catalog.set_stock(rt, v.product_id, v.in_stock)
            self._line(Line("world", f"{v.product_id} is {'in' if v.in_stock else 'out of'} stock", step.index))
        elif isinstance(v, NextPayment):
            rt.processor.force_next(v.decline)
            self._line(Line("world", f"the processor will {'decline (' + v.decline + ')' if v.decline else 'approve'}"
                                     " the next payment", step.index))
        elif step.kind == "advance":
            now = rt.clock.advance(v)  # type: ignore[attr-defined]
            from ..core.clock import to_iso

            self._line(Line("clock", f"+{step.raw} → {to_iso(now)}", step.index))
        await self._settle()
        return StepOutcome(step, True)

    async def _settle(self) -> None:
        """Quiet again: run every check that came due (the app's scheduler would)."""
        from ..services.monitoring import run_due_checks

        assert self.rt is not None
        await asyncio.to_thread(run_due_checks, self.rt)

    def _check(self, step: Step) -> StepOutcome:
        v = step.value
        window = self.window()
        if isinstance(v, ExpectState):
            assert self.rt is not None
            now = _counts(self.rt)
            wrong = {k: (want, now.get(k)) for k, want in v.wanted().items() if now.get(k) != want}
            if not wrong:
                return StepOutcome(step, True)
            detail = ", ".join(f"{k} is {got}, expected {want}" for k, (want, got) in wrong.items())
            return self._fail(step, f"{step.describe()}: {detail}", window)
        assert isinstance(v, Expectation)
        want = v.as_dict()
        hit = find(want, window)
        if step.kind == "expect":
            if hit is not None:
                return StepOutcome(step, True)
            out = self._fail(step, f"{step.describe()}: no event in the window matched", window)
            out.near_misses = [(e, mismatches(want, e)) for e in window if e.get("event") == v.event]
            return out
        if hit is None:
            return StepOutcome(step, True)
        return self._fail(step, f"{step.describe()}: a matching event was seen: {_short(hit)}", window)

    def _fail(self, step: Step, message: str, window: list[dict] | None = None) -> StepOutcome:
        where = f"step {step.index}" + (f" (line {step.line})" if step.line else "")
        return StepOutcome(step, False, f"{where}: {message}", self.window() if window is None else window,
                           self._window_opener)


def _counts(rt: Runtime) -> dict[str, int]:
    from ..services.orders import counts

    return counts(rt)


async def _maybe_await(fn: Callable[..., Any] | None, *args: Any) -> None:
    if fn is not None:
        res = fn(*args)
        if inspect.isawaitable(res):
            await res


async def _close(driver: Any) -> None:
    for name in ("aclose", "close"):
        fn = getattr(driver, name, None)
        if callable(fn):
            try:
                res = fn()
                if inspect.isawaitable(res):
                    await res
            except Exception:  # closing must not hide the scenario's result
                pass
            return


def _money(cents: int) -> str:
    from ..core.money import format_cents

    return format_cents(cents)


def _short(e: dict) -> str:
    return e.get("event", "?") + " {" + ", ".join(f"{k}: {v}" for k, v in e.items() if k != "event") + "}"


def run_scenario(scenario: Scenario, **kwargs: Any) -> ScenarioResult:
    """Synchronous wrapper: a fresh event loop per scenario."""
    return asyncio.run(ScenarioRunner(scenario, **kwargs).run())
