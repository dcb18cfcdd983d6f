"""The benchmark harness: runs every benchmark (or --only some), prints a table and writes
bench/results.json.

    uv run python -m bench                 # everything, full sizes
    uv run python -m bench --quick         # tiny sizes (a few minutes)
    uv run python -m bench --only signing --only store
    uv run bench/run.py ...                # the same

Each benchmark module exposes NAME and run(*, quick=False, **sizes) -> list[Figure]. A benchmark
that crashes is reported as "not available" with the reason; the others still run. Misses are
reported with by how much; the exit code is 0 unless --fail-on-miss is given and a target missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):  # `uv run bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from . import bench_monitoring, bench_nlu, bench_purchase, bench_signing, bench_startup, bench_store
from ._core import Figure, fmt, machine_info, unavailable

BENCHMARKS: dict[str, ModuleType] = {
    m.NAME: m for m in (bench_startup, bench_purchase, bench_monitoring, bench_signing, bench_store, bench_nlu)
}
RESULTS = Path(__file__).resolve().parent / "results.json"


def run_benchmark(name: str, *, quick: bool = False, **sizes: Any) -> tuple[list[Figure], float]:
    t0 = time.perf_counter()
    try:
        figs = BENCHMARKS[name].run(quick=quick, **sizes)
    except Exception as exc:  # one broken benchmark must not hide the others
        traceback.print_exc(file=sys.stderr)
        figs = [unavailable(name, "error", f"{name} benchmark", f"crashed: {type(exc).__name__}: {exc}")]
    return figs, time.perf_counter() - t0


def run_all(*, quick: bool = False, only: list[str] | None = None, out: Path | None = RESULTS,
            console: Any = None) -> dict[str, Any]:
    names = only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    machine = machine_info()
    results: dict[str, Any] = {"machine": machine, "benchmarks": {}}
    if out is not None and only and out.exists():
        try:  # --only refreshes those sections and keeps the rest of the last full run
            previous = json.loads(out.read_text())
            results["benchmarks"].update(previous.get("benchmarks", {}))
        except (OSError, ValueError):
            pass
    for name in names:
        if console is not None:
            console.print(f"[dim]running {name}{' (quick)' if quick else ''}…[/dim]")
        figs, elapsed = run_benchmark(name, quick=quick)
        results["benchmarks"][name] = {
            "date": machine["date"], "quick": quick, "elapsed_s": round(elapsed, 1), "machine": machine,
            "figures": [f.to_json() for f in figs],
        }
        if console is not None:
            console.print(f"[dim]  {name}: {elapsed:.0f} s[/dim]")
    all_figs = [f for b in results["benchmarks"].values() for f in b["figures"]]
    results["summary"] = {
        "passed": sum(f["status"] == "pass" for f in all_figs),
        "missed": sum(f["status"] == "MISS" for f in all_figs),
        "not_available": sum(f["status"] == "n/a" for f in all_figs),
        "misses": [{"figure": f["label"], "by": f["miss"], "note": f["note"]} for f in all_figs
                   if f["status"] == "MISS"],
    }
    if out is not None:
        out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return results


def render(results: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    m = results["machine"]
    console.print(f"[bold]GhostCart benchmarks[/bold] — {m['cpu']}, {m['cores']} cores, {m.get('memory') or '?'}, "
                  f"Python {m['python']}, {m['date']}, {m.get('git_commit') or ''}")
    table = Table(show_lines=False, header_style="bold")
    for col, kw in (("figure", {}), ("value", {"justify": "right"}), ("baseline", {"justify": "right"}),
                    ("ratio", {"justify": "right"}), ("target", {}), ("", {})):
        table.add_column(col, **kw)
    for name, section in results["benchmarks"].items():
        table.add_row(f"[bold cyan]{name}[/bold cyan]" + (" [dim](quick)[/dim]" if section.get("quick") else ""),
                      "", "", "", "", "")
        for f in section["figures"]:
            style = {"pass": "green", "MISS": "bold red", "n/a": "yellow"}.get(f["status"], "dim")
            value = fmt(f["value"], f["unit"]) if f["available"] else "not available"
            base = fmt(f["baseline"], f["unit"]) if f["baseline"] is not None else ""
            ratio = f"{f['ratio']:.2f}×" if f["ratio"] is not None else ""
            table.add_row(f"  {f['label']}", value, base, ratio, f["target"] or "", f"[{style}]{f['status']}[/{style}]")
    console.print(table)
    s = results["summary"]
    console.print(f"{s['passed']} pass, [red]{s['missed']} miss[/red], {s['not_available']} not available")
    for section in results["benchmarks"].values():
        for f in section["figures"]:
            if f["status"] in ("MISS", "n/a") or (f["note"] and f["status"] == "MISS"):
                why = f["miss"] if f["status"] == "MISS" else f["note"]
                extra = f" — {f['note']}" if f["status"] == "MISS" and f["note"] else ""
                console.print(f"  [{'red' if f['status'] == 'MISS' else 'yellow'}]{f['status']}[/] "
                              f"{f['label']}: {why}" + extra)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description="GhostCart benchmarks")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run in a few minutes")
    p.add_argument("--only", action="append", choices=list(BENCHMARKS), metavar="NAME",
                   help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    p.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    p.add_argument("--no-write", action="store_true", help="do not write a results file")
    p.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a target is missed")
    args = p.parse_args(argv)
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a file or a pipe: no wrapping at 80 columns
    results = run_all(quick=args.quick, only=args.only, out=None if args.no_write else args.out, console=console)
    render(results, console)
    if not args.no_write:
        console.print(f"[dim]written to {args.out}[/dim]")
    return 1 if args.fail_on_miss and results["summary"]["missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
