"""GhostCart's benchmarks: `uv run python -m bench` (see run.py). One module per benchmark, each
with NAME and run(*, quick=False, **sizes) -> list[Figure]; shared pieces live in _core.py."""
