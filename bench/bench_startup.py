"""Start-up: `ghostcart --help` against `python -c pass`, and the TUI's launch to its first
interactive frame (headless) against a minimal Textual app, each in fresh processes.

Wall time is the figure the targets hold; CPU time (user + system of the child) is reported
beside it because it does not move when other work shares the machine.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from ._core import (
    Figure,
    Target,
    child_env,
    child_failure,
    figure,
    make_runtime,
    median,
    run_child,
    temp_home,
    unavailable,
)

NAME = "startup"

# Runs in a fresh interpreter: launch an app headless and report when it is ready. "Ready" is the
# moment run_test() hands over the pilot: compose and on_mount done, the first screen refreshed
# and every message queued so far processed — the first frame a key press can act on.
TUI_CHILD = r"""
import time
T_START, C_START = time.time(), time.process_time()
import asyncio, json, sys

kind, home = sys.argv[1], sys.argv[2]

async def main():
    out = {"t_start": T_START}
    if kind == "minimal":
        from textual.app import App
        from textual.widgets import Label

        class Minimal(App):
            def compose(self):
                yield Label("hello")

        app = Minimal()
    else:
        from pathlib import Path
        from ghostcart_tui.tui.app import GhostCartApp

        def rt():  # as the CLI launches it (cli/tui.py): settings and DB opened after the first frame
            from ghostcart_tui.core.settings import Settings
            from ghostcart_tui.services.runtime import open_runtime
            return open_runtime(Settings(data_home=Path(home), model_provider="offline"))
        if kind == "ghostcart-stub":  # what-if: no agents built in a thread beside the first frame
            class Stub:
                model_label, provider, provider_reason = "stub", "offline", "benchmark"
                def history(self):
                    return []
                def pending_signature(self):
                    return None
            app = GhostCartApp(rt, conversation_factory=lambda _rt: Stub())
        else:
            app = GhostCartApp(rt, model="offline")
    out["t_built"], out["cpu_built"] = time.time(), time.process_time() - C_START
    async with app.run_test(size=(120, 40)) as pilot:
        out["t_ready"], out["cpu_ready"] = time.time(), time.process_time() - C_START
        if kind == "ghostcart":
            try:
                await app.wait_ready(60)
                out["t_agents"] = time.time()
            except Exception as exc:
                out["agents_error"] = repr(exc)
    print(json.dumps(out))

asyncio.run(main())
"""


# Where the TUI's launch goes: CPU seconds after each import, in one fresh interpreter.
STAGES_CHILD = r"""
import time, json, sys
c0 = time.process_time()
out = {}
def mark(name):
    out[name] = time.process_time() - c0
import textual.app, textual.widgets; mark("textual")
import sqlalchemy; mark("sqlalchemy")
import sqlmodel; mark("sqlmodel")
import ghostcart_tui.services.runtime; mark("services_runtime")
import ghostcart_tui.tui.app; mark("tui_app")
from pathlib import Path
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services.runtime import open_runtime
open_runtime(Settings(data_home=Path(sys.argv[1]), model_provider="offline"), log=False); mark("open_runtime")
print(json.dumps(out))
"""

STAGE_LABELS = (
    ("textual", "import textual.app + widgets"),
    ("sqlalchemy", "import sqlalchemy"),
    ("sqlmodel", "import sqlmodel (on top)"),
    ("services_runtime", "import ghostcart services/store/ap2"),
    ("tui_app", "import ghostcart_tui.tui.app (rest)"),
    ("open_runtime", "open_runtime (DB, keys)"),
)


def _ghostcart_script() -> Path | None:
    p = Path(sys.executable).parent / "ghostcart"
    return p if p.exists() else None


def _tui_available() -> str | None:
    """None when the TUI can be benchmarked, else why not."""
    try:
        if importlib.util.find_spec("ghostcart_tui.tui.app") is None:
            return "ghostcart_tui.tui.app does not exist"
        import ghostcart_tui.tui.app as mod
    except Exception as exc:  # a half-written module must not stop the other benchmarks
        return f"ghostcart_tui.tui.app does not import ({type(exc).__name__}: {exc})"
    if not hasattr(mod, "GhostCartApp"):
        return "ghostcart_tui.tui.app has no GhostCartApp"
    return None


def bench_cli(reps: int, warmup: bool = True) -> list[Figure]:
    if warmup:
        run_child([sys.executable, "-c", "pass"])  # the bytecode cache, the page cache
    baseline = [run_child([sys.executable, "-c", "pass"]) for _ in range(reps)]
    base_wall = median([r.wall for r in baseline])
    base_cpu = median([r.cpu for r in baseline])
    figs = [figure(NAME, "python_pass_s", "python -c pass (baseline)", base_wall, "s",
                   samples=[r.wall for r in baseline])]
    script = _ghostcart_script()
    target = Target("max", 0.3, "< 0.3 s")
    if script is None:
        return figs + [unavailable(NAME, "cli_help_s", "ghostcart --help", "no ghostcart console script", target)]
    if warmup:
        run_child([str(script), "--help"])
    runs, plain = [], []
    for _ in range(reps):  # interleaved, so a burst of load elsewhere hits both variants alike
        runs.append(run_child([str(script), "--help"], env=child_env(COLUMNS="100")))
        plain.append(run_child([str(script), "--help"], env=child_env(COLUMNS="100", TYPER_USE_RICH="0")))
    if any(r.returncode != 0 for r in runs):
        bad = next(r for r in runs if r.returncode != 0)
        return figs + [unavailable(NAME, "cli_help_s", "ghostcart --help", child_failure(bad), target)]
    wall, cpu = median([r.wall for r in runs]), median([r.cpu for r in runs])
    figs += [
        figure(NAME, "cli_help_s", "ghostcart --help (wall)", wall, "s", baseline=base_wall,
               baseline_label="python -c pass", target=target, samples=[r.wall for r in runs],
               note=f"{(wall - base_wall) * 1000:.0f} ms more than the bare interpreter"),
        figure(NAME, "cli_help_cpu_s", "ghostcart --help (CPU user+sys)", cpu, "s", baseline=base_cpu,
               baseline_label="python -c pass", samples=[r.cpu for r in runs],
               note="load-independent; the target applies to wall time"),
    ]
    if all(r.returncode == 0 for r in plain):
        pw = median([r.wall for r in plain])
        figs.append(figure(NAME, "cli_help_plain_s", "ghostcart --help, TYPER_USE_RICH=0 (what-if)", pw, "s",
                           baseline=base_wall, baseline_label="python -c pass", samples=[r.wall for r in plain],
                           note=f"CPU {median([r.cpu for r in plain]) * 1000:.0f} ms: click's plain help "
                                "instead of typer.rich_utils (rich.markdown, markdown_it, rich.traceback)"))
    return figs


def bench_tui(reps: int, warmup: bool = True, stages: bool = True) -> list[Figure]:
    target = Target("ratio_max", 1.5, "≤ 1.5× minimal Textual app")
    why = _tui_available()
    if why:
        return [unavailable(NAME, "tui_ready_s", "TUI launch → first interactive frame", why, target)]
    with temp_home() as home:
        rt = make_runtime(home)  # a database and keys already there: an ordinary (not first) launch
        rt.close()
        for kind in ("minimal", "ghostcart") if warmup else ():
            run_child([sys.executable, "-c", TUI_CHILD, kind, str(home)], timeout=120)
        ghost, mini, stub, stage_runs = [], [], [], []
        for _ in range(reps):
            stub.append(run_child([sys.executable, "-c", TUI_CHILD, "ghostcart-stub", str(home)], timeout=120))
            if stages:
                stage_runs.append(run_child([sys.executable, "-c", STAGES_CHILD, str(home)], timeout=120))
            mini.append(run_child([sys.executable, "-c", TUI_CHILD, "minimal", str(home)], timeout=120))
            ghost.append(run_child([sys.executable, "-c", TUI_CHILD, "ghostcart", str(home)], timeout=120))
    bad = next((r for r in mini + ghost if r.returncode != 0 or not r.data), None)
    stub = [r for r in stub if r.returncode == 0 and r.data]
    if bad is not None:
        return [unavailable(NAME, "tui_ready_s", "TUI launch → first interactive frame", child_failure(bad), target)]
    ready = [r.data["t_ready"] - r.started_at for r in ghost]
    cpu, base_cpu = [r.data["cpu_ready"] for r in ghost], [r.data["cpu_ready"] for r in mini]
    base = [r.data["t_ready"] - r.started_at for r in mini]
    in_proc = [r.data["t_ready"] - r.data["t_start"] for r in ghost]
    base_in_proc = [r.data["t_ready"] - r.data["t_start"] for r in mini]
    figs = [
        figure(NAME, "textual_minimal_ready_s", "minimal Textual app: launch → ready (baseline)", median(base), "s",
               samples=base),
        figure(NAME, "tui_ready_s", "GhostCart TUI: launch → first interactive frame", median(ready), "s",
               baseline=median(base), baseline_label="minimal Textual app", target=target, samples=ready,
               note=f"after the interpreter is up: {median(in_proc) * 1000:.0f} ms vs "
                    f"{median(base_in_proc) * 1000:.0f} ms"),
        figure(NAME, "tui_ready_cpu_s", "GhostCart TUI: CPU to first interactive frame", median(cpu), "s",
               baseline=median(base_cpu), baseline_label="minimal Textual app", samples=cpu,
               note="load-independent view of the same ratio"),
    ]
    if stub:
        st = [r.data["t_ready"] - r.started_at for r in stub]
        stub_cpu_ms = median([r.data["cpu_ready"] for r in stub]) * 1000
        figs.append(figure(NAME, "tui_ready_stub_s", "  what-if: no Conversation built beside the first frame",
                           median(st), "s", baseline=median(base), baseline_label="minimal Textual app",
                           samples=st, note=f"CPU {stub_cpu_ms:.0f} ms with a stub Conversation "
                                            "factory: what building the agents in a thread costs the first frame"))
    good = [r.data for r in stage_runs if r.returncode == 0 and r.data]
    prev = 0.0
    for key, label in STAGE_LABELS if good else ():
        at = median([d[key] for d in good])
        figs.append(figure(NAME, f"tui_stage_{key}_s", f"  launch CPU: {label}", at - prev, "s",
                           note=f"cumulative {at * 1000:.0f} ms"))
        prev = at
    agents = [r.data["t_agents"] - r.started_at for r in ghost if "t_agents" in r.data]
    if agents:
        figs.append(figure(NAME, "tui_agents_ready_s", "GhostCart TUI: launch → agents ready (offline)",
                           median(agents), "s", samples=agents,
                           note="the Conversation is built in a thread after the first frame"))
    return figs


def run(*, quick: bool = False, reps: int | None = None, warmup: bool = True, stages: bool = True) -> list[Figure]:
    """reps: runs per variant for the CLI (the TUI gets about half as many, each is slower)."""
    reps = reps or (3 if quick else 9)
    tui_reps = reps if quick or reps < 3 else (reps + 1) // 2
    return bench_cli(reps, warmup) + bench_tui(tui_reps, warmup, stages)


if __name__ == "__main__":
    for f in run(quick="--quick" in sys.argv):
        print(json.dumps(f.to_json()))
