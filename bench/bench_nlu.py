"""Offline NLU speed: the pipeline (normalize → resolve → slots → act → state) per message, on the
evaluation set's single messages, against a baseline measured in the same run: the previous rule
engine's classify() on the same messages (what one turn used to cost for the same job).

Target: under 5 ms per message (median over rounds of the mean per message)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ._core import Figure, Target, figure, median

NAME = "nlu"
EVAL = Path(__file__).resolve().parent.parent / "tests" / "eval" / "data" / "visible.yaml"
FALLBACK = ["Buy AirPods if they drop below $180", "Find me a coffee maker under $90", "the second one",
            "just tell me when the air fryer is back in stock", "how much did I spend in November?",
            "do you ship to Canada?", "buy a PS5", "cancel my airpods watch", "buy 99 lamps",
            "watch the ninja blendr under one fifty until christmas"]


def _messages() -> list[str]:
    try:
        import yaml

        data = yaml.safe_load(EVAL.read_text(encoding="utf-8")) or {}
        texts = [str(s["text"]) for s in data.get("singles") or []]
        return texts or FALLBACK
    except (OSError, ValueError, KeyError, ImportError):
        return FALLBACK


def run(*, quick: bool = False, rounds: int | None = None, **_: Any) -> list[Figure]:
    from datetime import date

    from ghostcart_tui.agents.offline import nlu
    from ghostcart_tui.agents.offline.pipeline.state import ConvState
    from ghostcart_tui.agents.offline.pipeline.understand import understand
    from ghostcart_tui.commerce.catalog import DEMO_CATALOG

    texts = _messages()
    products = list(DEMO_CATALOG)
    today = date(2026, 11, 30)
    rounds = rounds or (3 if quick else 9)
    t0 = time.perf_counter()
    understand(texts[0], ConvState(), products, today)  # first message: lazy imports, catalog index
    first = time.perf_counter() - t0

    def per_message(fn) -> list[float]:
        out = []
        for _ in range(rounds):
            start = time.perf_counter()
            for text in texts:
                fn(text)
            out.append((time.perf_counter() - start) / len(texts) * 1000)
        return out

    base = per_message(nlu.classify)
    new = per_message(lambda t: understand(t, ConvState(), products, today))
    b, n = median(base), median(new)
    return [
        figure(NAME, "legacy_classify_ms", "previous rules: classify() per message (baseline)", b, "ms",
               samples=base, note=f"{len(texts)} messages × {rounds} rounds"),
        figure(NAME, "pipeline_ms", "NLU pipeline per message (understand)", n, "ms", baseline=b,
               baseline_label="previous classify()", target=Target("max", 5.0, "< 5 ms per message"),
               samples=new, note=f"{len(texts)} messages × {rounds} rounds"),
        figure(NAME, "first_message_ms", "first message (lazy imports: text2num, rapidfuzz; catalog index)",
               first * 1000, "ms", note="paid once, after the TUI's first frame"),
    ]
