"""The evaluation set, run end to end. GHOSTCART_EVAL_FILE=/path/to/file.yaml runs another file
(e.g. the held-out set): `GHOSTCART_EVAL_FILE=/path uv run pytest tests/eval -q -s`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import evaluate

DEFAULT = Path(__file__).parent / "data" / "visible.yaml"
REGRESSIONS = Path(__file__).parent / "data" / "regressions.yaml"


def test_evaluation_set() -> None:
    path = Path(os.environ.get("GHOSTCART_EVAL_FILE") or DEFAULT)
    if not path.exists():
        pytest.skip(f"no evaluation file at {path}")
    report = evaluate(path)
    print(f"\nevaluation file: {path}\n{report.table()}")
    if report.failures:
        print("failures:\n  " + "\n  ".join(report.failures))
    if report.wrong_spends:
        print("WRONG SPENDS:\n  " + "\n  ".join(report.wrong_spends))
    assert not report.wrong_spends
    assert report.single_accuracy() >= 0.95
    assert report.conversation_accuracy() >= 0.90


def test_regressions() -> None:
    """Conversations from shoppers' QA findings (tests/eval/data/regressions.yaml): every one must
    pass, no reply may be empty, and nothing may be spent that was not asked for."""
    report = evaluate(REGRESSIONS)
    print(f"\nevaluation file: {REGRESSIONS}\n{report.table()}")
    assert not report.wrong_spends, report.wrong_spends
    assert not report.failures, "\n".join(report.failures)
