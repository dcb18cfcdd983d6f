"""bench_v02 at a tiny size: well-formed figures (no timed assertions). Run it with
`uv run python -m bench.bench_v02` (not in bench/run.py's list, whose set the bench smoke test pins)."""

from bench import bench_v02


def test_bench_v02_smoke():
    figs = {f.name: f for f in bench_v02.run(quick=True, iters=3, rounds=1)}
    assert figs["hnp_v02_verify_ms"].available, figs["hnp_v02_verify_ms"].note
    f = figs["hnp_v02_verify_ms"]
    assert f.baseline and f.ratio and f.target.limit == 1.5 and "7 raw ES256" in f.baseline_label
