"""Every benchmark at a tiny size, so the harness cannot rot. No timed assertions: only that each
returns well-formed figures (a value where it is available, a reason where it is not)."""

from __future__ import annotations

import json
import math

from bench import bench_monitoring, bench_purchase, bench_signing, bench_startup, bench_store
from bench._core import Figure, Target, figure
from bench.run import BENCHMARKS, run_all

STATUSES = {"pass", "MISS", "—", "n/a", "?"}


def check(figs: list[Figure], bench: str, expect: set[str]) -> dict[str, Figure]:
    assert figs and all(isinstance(f, Figure) for f in figs)
    by_name = {f.name: f for f in figs}
    assert len(by_name) == len(figs), "figure names are unique within a benchmark"
    missing = expect - by_name.keys()
    assert not missing, f"missing figures {missing} in {sorted(by_name)}"
    for f in figs:
        assert f.bench == bench and f.name and f.label
        assert f.status in STATUSES
        json.dumps(f.to_json())  # serialisable as written to results.json
        if f.available:
            assert isinstance(f.value, int | float) and math.isfinite(f.value), f
            if f.baseline is not None:
                assert f.ratio is not None and math.isfinite(f.ratio)
            if f.target is not None:
                assert f.passed in (True, False)
                assert (f.miss is None) == f.passed
        else:
            assert f.value is None and f.note.startswith("not available"), f
    return by_name


def available(f: Figure) -> Figure:
    assert f.available, f.note
    return f


def test_targets_and_misses():
    f = figure("x", "t", "t", 0.45, "s", target=Target("max", 0.3, "< 0.3 s"))
    assert f.status == "MISS" and "150.0 ms over" in f.miss
    f = figure("x", "r", "r", 3.0, "ms", baseline=1.0, target=Target("ratio_max", 1.5, "≤ 1.5×"))
    assert f.ratio == 3.0 and f.status == "MISS" and "3.00×" in f.miss
    f = figure("x", "i", "i", 8, "count", target=Target("max", 8, "≤ 8", inclusive=True))
    assert f.status == "pass" and f.miss is None


def test_startup():
    figs = bench_startup.run(reps=1, warmup=False, stages=False)
    by = check(figs, "startup", {"python_pass_s", "cli_help_s", "tui_ready_s"})
    available(by["python_pass_s"])
    available(by["cli_help_s"])  # the CLI exists; a missing TUI would be reported, not raised


def test_purchase():
    figs = bench_purchase.run(reps=1, warmup=False, flows=("hp_direct", "hnp_setup"))
    by = check(figs, "purchase", {"hp_direct_wall_s", "hp_direct_invocations", "hp_direct_overhead_ms",
                                  "hnp_setup_invocations", "graph_build_s"})
    assert available(by["hp_direct_invocations"]).value > 0
    assert available(by["hnp_setup_tool_calls"]).value > 0


def test_monitoring():
    figs = bench_monitoring.run(sizes=(20, 40), sweeps=1, match_sizes=(100,), tui_intents=20, presses=2,
                                settle=0.2)
    by = check(figs, "monitoring", {"sweep_20_s", "sweep_40_s", "growth_40_20", "sweep_20_peak_rss_mb",
                                    "sweep_100_match_s"})
    assert "20 checked" in available(by["sweep_20_s"]).note
    assert "1 bought" in available(by["sweep_100_match_s"]).note
    assert available(by["sweep_20_peak_rss_mb"]).value > 0


def test_signing():
    by = check(bench_signing.run(iters=3, rounds=1), "signing", {"raw_es256_ms", "hnp_chain_verify_ms"})
    chain = available(by["hnp_chain_verify_ms"])
    assert chain.baseline and chain.ratio and "signatures verified" in chain.note


def test_store():
    by = check(bench_store.run(n=3, whatif_n=0, unit_reps=2), "store",
               {"hp_purchases_per_s", "db_size_mb", "units_per_purchase", "empty_write_unit_ms"})
    assert "3/3 authorized" in available(by["hp_purchases_per_s"]).note
    assert available(by["db_size_mb"]).value > 0


def test_harness_writes_results(tmp_path, monkeypatch):
    original = bench_signing.run
    monkeypatch.setattr(bench_signing, "run", lambda quick=False: original(iters=2, rounds=1))
    out = tmp_path / "results.json"
    results = run_all(only=["signing"], out=out)
    data = json.loads(out.read_text())
    assert data == json.loads(json.dumps(results, default=str))
    assert set(BENCHMARKS) == {"startup", "purchase", "monitoring", "signing", "store", "nlu"}
    m = data["machine"]
    assert m["cpu"] and m["cores"] and m["python"] and m["date"]
    section = data["benchmarks"]["signing"]
    assert section["figures"] and {"passed", "missed", "misses"} <= data["summary"].keys()
