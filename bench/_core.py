"""What every benchmark shares: the Figure record, targets, statistics, machine facts, a runtime
on a throw-away folder, and a helper that runs a snippet in a fresh Python process.

A benchmark module exposes ``NAME`` and ``run(*, quick=False, **sizes) -> list[Figure]``. Each
figure carries its value, the baseline measured in the same run (when there is one), the ratio
between them, and the target it is held to; ``Figure.check()`` fills in pass/miss and, on a miss,
by how much.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
START = "2026-11-26T10:00:00Z"


# ---- targets and figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A limit on a figure. kind: 'max' (value < limit, or <= with inclusive), 'ratio_max' (value /
    baseline <= limit), 'min' (value >= limit)."""

    kind: str
    limit: float
    text: str
    inclusive: bool = False

    def holds(self, value: float | None, ratio: float | None) -> bool | None:
        subject = ratio if self.kind == "ratio_max" else value
        if subject is None:
            return None
        if self.kind == "min":
            return subject >= self.limit
        return subject <= self.limit if (self.inclusive or self.kind == "ratio_max") else subject < self.limit

    def miss(self, value: float | None, ratio: float | None, unit: str) -> str | None:
        """How far off a missed target is, in words."""
        if self.holds(value, ratio) is not False:
            return None
        if self.kind == "ratio_max":
            return f"{ratio:.2f}× vs ≤ {self.limit:g}× ({(ratio / self.limit - 1) * 100:.0f}% over)"
        if self.kind == "min":
            return f"{fmt(self.limit - value, unit)} short ({(1 - value / self.limit) * 100:.0f}% under)"
        return f"{fmt(value - self.limit, unit)} over ({(value / self.limit - 1) * 100:.0f}% over {self.text})"


@dataclass
class Figure:
    bench: str
    name: str
    label: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_label: str | None = None
    target: Target | None = None
    note: str | None = None
    samples: list[float] = field(default_factory=list)
    available: bool = True
    ratio: float | None = None
    passed: bool | None = None
    miss: str | None = None

    def check(self) -> Figure:
        if self.value is not None and self.baseline:
            self.ratio = self.value / self.baseline
        if self.target is not None and self.available:
            self.passed = self.target.holds(self.value, self.ratio)
            self.miss = self.target.miss(self.value, self.ratio, self.unit)
        return self

    @property
    def status(self) -> str:
        if not self.available:
            return "n/a"
        if self.passed is None:
            return "—" if self.target is None else "?"
        return "pass" if self.passed else "MISS"

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["target"] = self.target.text if self.target else None
        d["target_kind"] = self.target.kind if self.target else None
        d["target_limit"] = self.target.limit if self.target else None
        d["status"] = self.status
        return d


def figure(bench: str, name: str, label: str, value: float | None, unit: str = "", **kw: Any) -> Figure:
    return Figure(bench, name, label, value, unit, **kw).check()


def unavailable(bench: str, name: str, label: str, why: str, target: Target | None = None) -> Figure:
    return Figure(bench, name, label, None, target=target, note=f"not available: {why}", available=False)


def fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    if unit == "s":
        if abs(v) < 0.01:
            return f"{v * 1000:.2f} ms"
        return f"{v * 1000:.1f} ms" if abs(v) < 1 else f"{v:.2f} s"
    if unit == "ms":
        return f"{v:.2f} ms" if abs(v) < 10 else f"{v:.1f} ms"
    if unit == "MB":
        return f"{v:.1f} MB"
    if unit in ("count", ""):
        return f"{v:g}" if float(v).is_integer() else f"{v:.2f}"
    if unit == "×":
        return f"{v:.2f}×"
    if unit == "/s":
        return f"{v:.1f}/s"
    return f"{v:.3g} {unit}"


# ---- statistics ------------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def timed(fn: Callable[[], Any], repeat: int, *, warmup: int = 0) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


# ---- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    try:
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    try:
        r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                           text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True,
                               text=True, timeout=5).stdout.strip()
        return (r.stdout.strip() + ("+dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def rss_mb() -> float:
    """This process's current resident set size."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):
        return float("nan")


def peak_rss_mb() -> float:
    """This process's peak RSS so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


# ---- runtimes and subprocesses ---------------------------------------------------------------


def make_runtime(home: Path, *, seed: int = 7, processor: str = "approve_all", start: str = START):
    from ghostcart_tui.core.clock import FakeClock
    from ghostcart_tui.core.settings import Settings
    from ghostcart_tui.services.runtime import open_runtime

    settings = Settings(data_home=home, model_provider="offline", processor=processor)
    return open_runtime(settings, clock=FakeClock(start), seed=seed, log=False)


@contextmanager
def temp_home(prefix: str = "ghostcart-bench-") -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as d:
        yield Path(d)


# Children compile to a bytecode cache of their own: an installed GhostCart runs from .pyc files,
# and a PYTHONDONTWRITEBYTECODE=1 in the environment (as on the development machines) would
# otherwise make every start-up measurement a compile-from-source measurement. The prefix keeps
# the cache out of the work tree and the virtualenv.
PYCACHE = Path(tempfile.gettempdir()) / "ghostcart-bench-pycache"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GHOSTCART_HOME", None)
    env.pop("GHOSTCART_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("NO_COLOR", "1")
    env.update(extra)
    return env


@dataclass
class ChildResult:
    wall: float
    returncode: int
    stdout: str
    stderr: str
    maxrss_mb: float  # the child's own peak RSS (from wait4)
    cpu: float  # the child's user + system CPU seconds (robust to other load on the machine)
    data: dict[str, Any] | None  # the last line of stdout, when it is a JSON object
    started_at: float = 0.0  # time.time() just before the spawn (children report time.time() too)


def run_child(argv: list[str], *, timeout: float = 600, env: dict[str, str] | None = None,
              cwd: Path | None = None) -> ChildResult:
    """Run a process and collect its wall time and its own peak RSS (os.wait4 gives the rusage of
    that one child, unlike RUSAGE_CHILDREN, which is the maximum over every child so far)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at = time.time()
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env or child_env(),
                             cwd=cwd or REPO)
        killer = threading.Timer(timeout, p.kill)  # blocking wait4 below: no polling noise
        killer.daemon = True
        killer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    data = None
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            with suppress(ValueError):
                data = json.loads(line)
            break
    return ChildResult(wall, p.returncode, stdout, stderr, usage.ru_maxrss * 1024 / 1e6,
                       usage.ru_utime + usage.ru_stime, data, started_at)


def run_python(code: str, *args: str, timeout: float = 600, env: dict[str, str] | None = None) -> ChildResult:
    return run_child([sys.executable, "-c", code, *args], timeout=timeout, env=env)


def child_failure(r: ChildResult) -> str:
    tail = (r.stderr.strip().splitlines() or r.stdout.strip().splitlines() or ["no output"])[-1]
    return f"exit {r.returncode}: {tail[:200]}"
